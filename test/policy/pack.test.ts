/**
 * The CrossGuard adapters in policy/rules, called the way the Pulumi engine calls them (as
 * pulumi-policy-aws's awsguard tests do): StackValidationArgs and ResourceValidationArgs built by
 * hand from the dev render, props behind CrossGuard's own unknownCheckingProxy as its server wraps
 * them. policy/index.ts is never imported: it starts the pack's gRPC server
 * (test/policy/grpc-pack.test.ts runs that one in a child process).
 */
import * as assert from "assert";
import Ajv from "ajv";
import {
  unknownCheckingProxy,
  type Policy,
  type PolicyResource,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationArgs,
  type StackValidationPolicy,
} from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { CapturedResource } from "../../lib/plan/capture";
import { evaluatePolicies, isResourceRule, policyPackConfig, RULES, type PolicyConfig } from "../../lib/policy";
import { policies, policyNamed } from "../../policy/rules";
import { at, customResource, devStack, named } from "../fixtures/policy";

const underlayEgressCatalog = policyNamed<StackValidationPolicy>("underlay-egress-catalog");
const underlayNodePorts = policyNamed<StackValidationPolicy>("underlay-node-ports");
const vmLiveMigration = policyNamed<StackValidationPolicy>("vm-live-migration");
const calicoNadRoutes = policyNamed<ResourceValidationPolicy>("calico-nad-routes");

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
      props: unknownCheckingProxy(r.inputs),
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

function resourceArgs(resource: CapturedResource, config: object): ResourceValidationArgs {
  return {
    type: resource.type,
    props: unknownCheckingProxy(resource.inputs),
    urn: resource.urn,
    name: resource.name,
    opts: OPTIONS,
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
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

/** A resource policy over every resource, as the engine calls it at each registration; reports carry the resource's URN. */
async function runEach(policy: ResourceValidationPolicy, resources: CapturedResource[], config: object): Promise<Report[]> {
  const reports: Report[] = [];
  for (const resource of resources) {
    const validateResource = policy.validateResource!;
    const validations = Array.isArray(validateResource) ? validateResource : [validateResource];
    for (const validate of validations)
      await validate(resourceArgs(resource, config), (message) => reports.push({ message, urn: resource.urn }));
  }
  return reports;
}

/** What a policy reports over the resources: stack policies once, resource policies per resource. */
function run(policy: Policy, resources: CapturedResource[], config: object): Promise<Report[]> {
  return "validateStack" in policy
    ? runStack(policy as StackValidationPolicy, stackArgs(resources, config))
    : runEach(policy as ResourceValidationPolicy, resources, config);
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
      policies.map((p) => [p.name, p.description, p.enforcementLevel, "validateResource" in p ? "resource" : "stack"]),
      RULES.map((r) => [r.name, r.description, r.level, isResourceRule(r) ? "resource" : "stack"]),
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
      assert.deepStrictEqual(await run(policy, resources, entryFor(policy.name, config)), [], policy.name);
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
    // A route the resource policy refuses: it runs per resource and still matches the offline run.
    const nad = named(resources, "platform-nad-calico");
    const nadConfig = JSON.parse(at(nad, "spec").config);
    nadConfig.plugins[1].routes.push({ dst: "0.0.0.0/0" });
    at(nad, "spec").config = JSON.stringify(nadConfig);
    const offline = evaluatePolicies(resources, config);
    for (const policy of policies) {
      const expected = offline.filter((v) => v.policy === policy.name).map((v) => v.message);
      const reports = await run(policy, resources, entryFor(policy.name, config));
      assert.deepStrictEqual(
        reports.map((r) => r.message),
        expected,
        policy.name,
      );
    }
    assert.deepStrictEqual([...new Set(offline.filter((v) => v.level === "mandatory").map((v) => v.policy))].sort(), [
      "calico-nad-routes",
      "kubeovn-subnet-overlap",
      "nad-config",
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

  describe("during a preview, with values the engine does not know yet", () => {
    /** The engine's sentinel for an unknown value on the wire (@pulumi/pulumi runtime/rpc.js unknownValue). */
    const UNKNOWN = unknownValue;

    async function allReports(): Promise<Map<string, Report[]>> {
      const found = new Map<string, Report[]>();
      for (const policy of policies) {
        const reports = await run(policy, resources, entryFor(policy.name, config));
        if (reports.length > 0) found.set(policy.name, reports);
      }
      return found;
    }

    it("refuses an allow whose destination nets are unknown, naming the resource and key, instead of skipping the rule", async () => {
      const policy = named(resources, "acme/web/underlay-policy");
      at(policy, "spec").egress = [{ action: "Allow", protocol: "TCP", destination: { nets: [UNKNOWN], ports: [443] } }];
      const reports = await runStack(underlayEgressCatalog, stackArgs(resources, entryFor("underlay-egress-catalog", config)));
      const unknown = reports.filter((r) => r.message.includes("reads this value"));
      assert.deepStrictEqual(
        unknown.map((r) => [r.urn, r.message.split(": ")[0], r.message.split(": ")[1].split(" = ")[0]]),
        [[policy.urn, "NetworkPolicy tenant-acme/underlay-web", "spec.egress[0].destination.nets[0]"]],
        JSON.stringify(reports),
      );
      assert.ok(
        unknown[0].message.includes("underlay-egress-catalog reads this value, which is not known until apply"),
        unknown[0].message,
      );
    });

    it("refuses a Calico NAD whose CNI config is unknown in the resource policy, before apply", async () => {
      const nad = named(resources, "platform-nad-calico");
      at(nad, "spec").config = UNKNOWN;
      const reports = await runEach(calicoNadRoutes, resources, entryFor("calico-nad-routes", config));
      assert.deepStrictEqual(
        reports.map((r) => r.urn),
        [nad.urn],
      );
      assert.ok(
        reports[0].message.startsWith(
          'NetworkAttachmentDefinition default/calico: spec.config = "(unknown during preview)": calico-nad-routes reads',
        ),
        reports[0].message,
      );
    });

    it("refuses an unknown annotation key path of a VM in every rule that reads it, quoting the key", async () => {
      const vm = named(resources, "acme/web/vm");
      at(vm, "spec", "template", "metadata").annotations["cni.projectcalico.org/ipAddrs"] = UNKNOWN;
      const found = await allReports();
      assert.ok(found.has("vm-underlay-ip"), [...found.keys()].join(", "));
      for (const [name, reports] of found) {
        // The rule's own findings about the "(unknown during preview)" marker may come too, on the same resource and key.
        assert.deepStrictEqual([...new Set(reports.map((r) => r.urn))], [vm.urn], name);
        assert.deepStrictEqual(
          reports.filter((r) => r.message.includes(`${name} reads this value`)).map((r) => [r.urn, r.message.split(" = ")[0]]),
          [[vm.urn, 'VirtualMachine tenant-acme/web: spec.template.metadata.annotations["cni.projectcalico.org/ipAddrs"]']],
          name,
        );
      }
    });

    it("lets unknowns no rule reads through: a ConfigMap's data, a Helm release's status", async () => {
      at(named(resources, "platform-route-plugin-script")).data = UNKNOWN;
      const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
      release.inputs.status = UNKNOWN;
      assert.deepStrictEqual([...(await allReports()).keys()], []);
    });
  });
});
