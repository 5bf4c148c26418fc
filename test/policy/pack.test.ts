/**
 * The CrossGuard adapters in policy/rules, called the way the Pulumi engine calls them (as
 * pulumi-policy-aws's awsguard tests do): StackValidationArgs built by
 * hand from the dev render. policy/index.ts is never imported: it starts the pack's gRPC server.
 */
import * as assert from "assert";
import Ajv from "ajv";
import type { PolicyResource, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import type { CapturedResource } from "../../lib/plan/capture";
import { evaluatePolicies, isResourceRule, policyPackConfig, RULES, type PolicyConfig } from "../../lib/policy";
import { policies, policyNamed } from "../../policy/rules";

const underlayEgressCatalog = policyNamed<StackValidationPolicy>("underlay-egress-catalog");
const underlayNodePorts = policyNamed<StackValidationPolicy>("underlay-node-ports");
const vmLiveMigration = policyNamed<StackValidationPolicy>("vm-live-migration");
import { at, customResource, devStack, named } from "../fixtures/policy";

const OPTIONS = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

function notApplicable(reason?: string): never {
  throw new Error(`notApplicable: ${reason}`);
}

function stackArgs(resources: CapturedResource[], config: object): StackValidationArgs {
  return {
    resources: resources.map((r): PolicyResource => ({
      type: r.type,
      props: r.inputs,
      urn: r.urn,
      name: r.name,
      opts: OPTIONS,
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    })),
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable,
  };
}

interface Report {
  message: string;
  urn?: string;
}

async function runStack(policy: StackValidationPolicy, args: StackValidationArgs): Promise<Report[]> {
  const reports: Report[] = [];
  await policy.validateStack(args, (message, urn) => reports.push({ message, urn }));
  return reports;
}

/** What `--policy-pack-config` hands each policy: its own entry of the generated file. */
function entryFor(policy: string, config: PolicyConfig): object {
  return policyPackConfig(config)[policy] ?? {};
}

describe("policy pack adapters (policy/rules)", () => {
  let resources: CapturedResource[];
  let config: PolicyConfig;

  beforeEach(async () => {
    ({ resources, config } = await devStack());
  });

  it("lists every pure rule once, in order, with its name, description and enforcement level", () => {
    assert.deepStrictEqual(
      policies.map((p) => [p.name, p.description, p.enforcementLevel, "validateStack" in p]),
      RULES.map((r) => [r.name, r.description, r.level, !isResourceRule(r)]),
    );
  });

  it("declares a config schema per stack policy that accepts the generated pack config", () => {
    const ajv = new Ajv({ strict: false });
    const packConfig = policyPackConfig(config);
    for (const policy of policies) {
      const rule = RULES.find((r) => r.name === policy.name)!;
      const sections = rule.config;
      assert.deepStrictEqual(Object.keys(policy.configSchema?.properties ?? {}), sections, policy.name);
      if (sections.length === 0) {
        assert.strictEqual(packConfig[policy.name], undefined);
        continue;
      }
      const validate = ajv.compile({ type: "object", ...policy.configSchema });
      assert.ok(validate(packConfig[policy.name]), `${policy.name}: ${JSON.stringify(validate.errors)}`);
      // The CLI rejects a config that does not match, before any policy runs.
      if (sections.includes("network")) assert.ok(!validate({ network: { podCidr: "10.199.0.0" } }), policy.name);
      if (sections.includes("services")) assert.ok(!validate({ services: { oss: { cidrs: ["10.50.31.21/32"] } } }), policy.name);
      if (sections.includes("tenants")) assert.ok(!validate({ tenants: { acme: { namespace: "tenant-acme" } } }), policy.name);
    }
  });

  it("reports nothing on the dev render with the generated config", async () => {
    for (const policy of policies) {
      if (!("validateStack" in policy)) continue;
      assert.deepStrictEqual(await runStack(policy, stackArgs(resources, entryFor(policy.name, config))), [], policy.name);
    }
  });

  it("reports a hand-added allow-all policy against its URN, with the pure rule's messages", async () => {
    const injected = customResource("allow-all", {
      apiVersion: "projectcalico.org/v3",
      kind: "NetworkPolicy",
      metadata: { name: "allow-all", namespace: "tenant-acme" },
      spec: { selector: "all()", egress: [{ action: "Allow" }] },
    });
    resources.push(injected);
    for (const [policy, name] of [
      [underlayEgressCatalog, "underlay-egress-catalog"],
      [underlayNodePorts, "underlay-node-ports"],
    ] as const) {
      const reports = await runStack(policy, stackArgs(resources, entryFor(name, config)));
      const expected = evaluatePolicies(resources, config).filter((v) => v.policy === name);
      assert.ok(reports.length > 0, name);
      assert.deepStrictEqual(
        reports,
        expected.map((v) => ({ message: v.message, urn: injected.urn })),
        name,
      );
    }
  });

  it("finds with its own config entry exactly what the offline run finds with the whole config", async () => {
    // A tenant without VMs yet: its namespace's policies are held to its grants all the same.
    config.tenants!.initech = { namespace: "tenant-initech", underlayBlock: "10.199.3.64/27", services: ["oss"], vms: {} };
    resources.push(
      customResource("initech-open", {
        apiVersion: "projectcalico.org/v3",
        kind: "NetworkPolicy",
        metadata: { name: "open", namespace: "tenant-initech" },
        spec: { egress: [{ action: "Allow" }] },
      }),
    );
    at(named(resources, "acme/subnet"), "spec").cidrBlock = "100.64.0.0/24";
    at(named(resources, "acme/db/vm"), "spec", "template", "metadata").annotations["cni.projectcalico.org/ipAddrs"] = '["10.199.3.33"]';
    at(named(resources, "globex/app/vm"), "spec", "template", "spec").networks.push({ name: "default", pod: {} });
    const offline = evaluatePolicies(resources, config);
    for (const policy of policies) {
      if (!("validateStack" in policy)) continue;
      const expected = offline.filter((v) => v.policy === policy.name).map((v) => v.message);
      const reports = await runStack(policy, stackArgs(resources, entryFor(policy.name, config)));
      assert.deepStrictEqual(
        reports.map((r) => r.message),
        expected,
        policy.name,
      );
    }
    assert.deepStrictEqual([...new Set(offline.filter((v) => v.level === "mandatory").map((v) => v.policy))].sort(), [
      "kubeovn-subnet-overlap",
      "tenant-nat",
      "underlay-egress-catalog",
      "underlay-node-ports",
      "vm-networks",
      "vm-underlay-ip",
      "vm-unique-addresses",
    ]);
  });

  it("reads its config from getConfig: without --policy-pack-config the catalog rule fails closed", async () => {
    const reports = await runStack(underlayEgressCatalog, stackArgs(resources, {}));
    const urn = named(resources, "acme/web/underlay-policy").urn;
    assert.ok(
      reports.some((r) => r.urn === urn && r.message.includes("no tenant in the policy config has namespace tenant-acme")),
      JSON.stringify(reports),
    );
  });

  it("reports stack-wide findings without a URN", async () => {
    const nad = named(resources, "platform-nad-calico");
    const conf = JSON.parse(at(nad, "spec").config);
    conf.plugins = conf.plugins.filter((p: { type: string }) => p.type !== "x-calico-route");
    at(nad, "spec").config = JSON.stringify(conf);
    resources.push(
      customResource("allow-all", {
        apiVersion: "projectcalico.org/v3",
        kind: "NetworkPolicy",
        metadata: { name: "allow-all", namespace: "tenant-acme" },
        spec: { egress: [{ action: "Allow" }] },
      }),
    );
    const reports = await runStack(underlayNodePorts, stackArgs(resources, {}));
    assert.deepStrictEqual(
      reports.map((r) => r.urn),
      [undefined],
    );
    assert.ok(reports[0].message.includes("node CIDRs are unknown"));
  });

  it("reports each VM's live-migration verdict against the VM's URN, with the dataplane from its network entry", async () => {
    const platform = resources.filter((r) => r.type === "kubernetes:operator.tigera.io/v1:Installation");
    const withoutInstallation = resources.filter((r) => !platform.includes(r));
    const entry = entryFor("vm-live-migration", config) as PolicyConfig;
    assert.deepStrictEqual(
      await runStack(vmLiveMigration, stackArgs(withoutInstallation, entry)),
      [],
      "dataplane bgp in the network facts",
    );
    const overlay = { ...entry, network: { ...entry.network, dataplane: "overlay" } };
    const reports = await runStack(vmLiveMigration, stackArgs(withoutInstallation, overlay));
    assert.deepStrictEqual(
      reports.map((r) => r.urn),
      ["acme/web/vm", "acme/db/vm", "globex/app/vm", "globex/worker/vm"].map((name) => named(resources, name).urn),
    );
    assert.ok(
      reports.every((r) => r.message.includes("live-migratable, degraded: degrades: the platform's dataplane overlay")),
      JSON.stringify(reports),
    );
  });
});
