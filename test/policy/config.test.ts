import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readStackFile } from "../../lib/config/load";
import { validateStage } from "../../lib/plan/run";
import { policyConfigFromStackConfig, policyPackConfig, readPolicyConfig, type PolicyConfig } from "../../lib/policy";
import { main } from "../../scripts/policy-config";
import { runCli } from "../fixtures/cli";
import { REPO_ROOT } from "../../lib/stack-file";

function devConfig(): PolicyConfig {
  return policyConfigFromStackConfig(validateStage("dev", readStackFile(path.join(REPO_ROOT, "Pulumi.dev.yaml"))));
}

describe("policy config", () => {
  it("carries the network facts, the catalog and each VM's resolved grants from the stack config", () => {
    const config = devConfig();
    assert.deepStrictEqual(config.network, {
      podCidr: "10.199.0.0/16",
      serviceCidr: "10.96.0.0/12",
      joinCidr: "100.64.0.0/16",
      nodeCidrs: ["10.50.0.0/16"],
      dataplane: "bgp",
      externalSubnet: "tn-external",
      externalCidr: "203.0.113.0/24",
    });
    assert.deepStrictEqual(config.services?.oss, { cidrs: ["10.50.31.21/32"], ports: ["80/TCP", "443/TCP"] });
    assert.deepStrictEqual(config.tenants?.acme, {
      namespace: "tenant-acme",
      underlayBlock: "10.199.3.0/27",
      services: ["oss", "dns", "mirror"],
      // web narrows its grants; db inherits acme's.
      vms: { web: ["oss", "dns"], db: ["oss", "dns", "mirror"] },
      eips: ["203.0.113.64", "203.0.113.65"],
      underlayIngress: [{ cidrs: ["10.50.0.100/32"], ports: ["22/TCP"] }],
    });
    assert.deepStrictEqual(config.tenants?.globex.vms, { app: ["oss", "mirror"], worker: ["mirror"] });
  });

  it("gives each stack policy the sections it reads, keyed by policy name", () => {
    const pack = policyPackConfig(devConfig());
    assert.deepStrictEqual(Object.keys(pack), [
      "closed-world",
      "platform-values",
      "vm-networks",
      "workload-networks",
      "workload-annotations",
      "workload-host-access",
      "nad-config",
      "vm-underlay-ip",
      "workload-underlay-ip",
      "underlay-egress-catalog",
      "underlay-node-ports",
      "underlay-ingress",
      "calico-nad-routes",
      "kubeovn-subnet-overlap",
      "kubeovn-topology",
      "tenant-nat",
      "address-pools",
      "vm-live-migration",
    ]);
    assert.deepStrictEqual(Object.keys(pack["vm-live-migration"]), ["network"], "the dataplane, for a stack that declares no Installation");
    assert.deepStrictEqual(Object.keys(pack["underlay-egress-catalog"]), ["services", "tenants"]);
    assert.deepStrictEqual(Object.keys(pack["underlay-node-ports"]), ["network", "tenants"]);
    assert.deepStrictEqual(Object.keys(pack["underlay-ingress"]), ["tenants"]);
    assert.deepStrictEqual(Object.keys(pack["calico-nad-routes"]), ["network"]);
    assert.deepStrictEqual(Object.keys(pack["closed-world"]), ["tenants", "platform"], "no allow section unless the platform writes one");
  });

  it("reads a plain config and a pack config (ignoring enforcement levels) alike", () => {
    const config = devConfig();
    assert.deepStrictEqual(readPolicyConfig(JSON.parse(JSON.stringify(config))), config);
    const pack = { all: "mandatory", "vm-live-migration": { enforcementLevel: "disabled" }, ...policyPackConfig(config) };
    assert.deepStrictEqual(readPolicyConfig(JSON.parse(JSON.stringify(pack))), config);
    assert.deepStrictEqual(readPolicyConfig({}), {});
  });

  it("rejects a config that does not fit the schema, naming the key", () => {
    assert.throws(() => readPolicyConfig({ network: { podCidr: "10.199.0.0" } }), /\/network\/podCidr must match pattern/);
    assert.throws(
      () => readPolicyConfig({ network: { podCidr: "999.1.1.1/99" } }),
      /\/network\/podCidr must match pattern/,
      "octets and prefix are bounded",
    );
    assert.throws(
      () => readPolicyConfig({ services: { oss: { cidrs: ["10.50.31.21/32"], ports: ["80"] } } }),
      /\/services\/oss\/ports\/0 must match pattern/,
    );
    assert.throws(
      () => readPolicyConfig({ "underlay-node-ports": { network: { nodeCidrs: "10.50.0.0/16" } } }),
      /\/network\/nodeCidrs must be array/,
    );
    assert.throws(() => readPolicyConfig([]), /must be a JSON object/);
  });

  it("npm run policy:config writes the pack config file of a stack", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantnet-policy-config-"));
    try {
      const out = path.join(dir, "pack.json");
      const run = await runCli(main, "--stack", "dev", "--out", out);
      assert.strictEqual(run.status, 0, run.stderr);
      assert.deepStrictEqual(JSON.parse(fs.readFileSync(out, "utf8")), JSON.parse(JSON.stringify(policyPackConfig(devConfig()))));
      const bad = await runCli(main, "--stack", "no-such-stack");
      assert.strictEqual(bad.status, 2);
      assert.ok(bad.stderr.includes("Pulumi.no-such-stack.yaml"), bad.stderr);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
