import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { main } from "../../scripts/plan";
import { runCli } from "../fixtures/cli";
import { flatConfig, validRawConfig } from "../fixtures/stack-config";
import { PULUMI_TYPES } from "../../lib/k8s/kinds";
import { crdDocument } from "../fixtures/crd";

const plan = (...args: string[]) => runCli(main, ...args);

/** Exit 2 for an invalid config: every key is named on stderr, and nothing is written. */
function refusedNaming(run: Awaited<ReturnType<typeof plan>>, out: string, keys: string[]): void {
  assert.equal(run.status, 2, run.stdout);
  for (const key of keys) assert.ok(run.stderr.includes(key), `stderr does not name ${key}:\n${run.stderr}`);
  assert.equal(fs.existsSync(out), false, "nothing is written for an invalid config");
}

describe("npm run plan (command line)", function () {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantnet-plan-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function stackFile(name: string, raw = validRawConfig()): string {
    const file = path.join(dir, `Pulumi.${name}.yaml`);
    fs.writeFileSync(file, stringify({ config: flatConfig(raw) }));
    return file;
  }

  it("plans the dev stack by default: exit 0, manifests for all six platform parts and both NADs, plan.json", async () => {
    const out = path.join(dir, "out");
    const run = await plan("--out", out);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /^stack dev: \d+ resources, \d+ manifests/);
    const files = fs.readdirSync(path.join(out, "manifests"));
    for (const expected of [
      "issuer-spiderpool-tenantnet-selfsigned.yaml", // cert-manager, for Spiderpool
      "installation-default.yaml", // Calico
      "namespace-kube-ovn.yaml", // Kube-OVN
      "daemonset-kube-system-kube-multus-ds.yaml", // Multus
      "kubevirt-kubevirt-kubevirt.yaml", // KubeVirt
      "namespace-spiderpool.yaml", // Spiderpool
      "daemonset-kube-system-x-calico-route.yaml", // route plugin installer
      "networkattachmentdefinition-default-calico.yaml",
      "networkattachmentdefinition-default-kubeovn.yaml",
    ]) {
      assert.ok(files.includes(expected), `${expected} missing from ${files.join(", ")}`);
    }
    const written = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8"));
    assert.equal(written.stack, "dev");
    const types = new Set(written.resources.map((r: { type: string }) => r.type));
    for (const type of [
      "tenantnet:platform:Platform",
      PULUMI_TYPES.helmRelease,
      "kubernetes-cert-manager:index:CertManager",
      PULUMI_TYPES.tenant,
    ]) {
      assert.ok(types.has(type), `plan.json lacks ${type}`);
    }
    assert.deepEqual(
      written.violations.filter((v: { level: string }) => v.level === "mandatory"),
      [],
    );
    const byName = (name: string) => written.resources.find((r: { name: string }) => r.name === name);
    const urns = new Set(written.resources.map((r: { urn: string }) => r.urn));
    for (const resource of written.resources) {
      for (const urn of resource.dependsOn) assert.ok(urns.has(urn), `${resource.name} depends on ${urn}, which the plan does not have`);
    }
    assert.ok(byName("acme/web/vm").dependsOn.includes(byName("acme/namespace").urn), "a VM waits for its tenant's namespace");
  });

  it("exits 2 on a config with five distinct mistakes, naming all five key paths, and writes nothing", async () => {
    const raw = validRawConfig();
    raw.platform.network.vmReservation = "10.199.3.0/33";
    raw.platform.underlay.backend = "weave";
    raw.services.oss.ports = ["80/TCP", "99999/TCP"];
    raw.tenants.acme.services = ["oss", "ftp"];
    raw.tenants.acme.vms.testvm.vpcIP = "10.0.1.11";
    const out = path.join(dir, "out");
    const run = await plan("--config", stackFile("broken", raw), "--out", out);
    refusedNaming(run, out, [
      "platform.network.vmReservation:",
      "platform.underlay.backend:",
      "services.oss.ports[1]:",
      "tenants.acme.services[1]:",
      "tenants.acme.vms.testvm.vpcIP:",
    ]);
  });

  it("exits 2 on refused NAT config, naming each key: a forward the security group drops, a foreign public IP, an unreachable nameserver", async () => {
    const raw = validRawConfig();
    raw.platform.externalNetwork = {
      uplink: { type: "macvlan", nic: "eth1" },
      cidr: "203.0.113.0/24",
      gateway: "203.0.113.1",
      eipRange: "203.0.113.64..203.0.113.95",
    };
    raw.tenants.acme.eips = ["203.0.113.64"];
    raw.tenants.acme.dns = { nameservers: ["10.50.0.10"] };
    raw.tenants.acme.vms.testvm.portForwards = [{ externalPort: 2222, internalPort: 22, protocol: "tcp" }];
    raw.tenants.acme.vms.testvm.publicIp = "203.0.113.99";
    const out = path.join(dir, "out-nat");
    const run = await plan("--config", stackFile("nat", raw), "--out", out);
    refusedNaming(run, out, [
      "tenants.acme.vms.testvm.portForwards[0]:",
      "tenants.acme.vms.testvm.publicIp:",
      "tenants.acme.dns.nameservers[0]:",
    ]);
  });

  it("exits 1 on a mandatory policy violation: a catalog entry that opens the kubelet port on a node", async () => {
    const raw = validRawConfig();
    raw.services.kubelet = { cidrs: ["10.50.0.7/32"], ports: ["10250/TCP"] };
    raw.tenants.acme.services = ["oss", "kubelet"];
    const out = path.join(dir, "out");
    const run = await plan("--config", stackFile("unsafe", raw), "--out", out);
    assert.equal(run.status, 1, run.stderr + run.stdout);
    assert.match(run.stdout, /\[mandatory\] underlay-node-ports .*10250/);
    const written = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8"));
    assert.ok(
      written.violations.some((v: { policy: string; level: string }) => v.policy === "underlay-node-ports" && v.level === "mandatory"),
    );
  });

  it("exits 3 when a manifest breaks a schema in --schemas, and lists checked and unchecked kinds", async () => {
    const schemas = path.join(dir, "schemas");
    fs.mkdirSync(schemas);
    fs.writeFileSync(
      path.join(schemas, "vm.yaml"),
      stringify(
        crdDocument({
          group: "kubevirt.io",
          kind: "VirtualMachine",
          plural: "virtualmachines",
          schema: {
            type: "object",
            required: ["spec"],
            properties: {
              spec: {
                type: "object",
                required: ["dataVolumeTemplates"],
                properties: { dataVolumeTemplates: { type: "array" } },
                "x-kubernetes-preserve-unknown-fields": true,
              },
            },
          },
        }),
      ),
    );
    const run = await plan("--config", stackFile("schema"), "--out", path.join(dir, "out"), "--schemas", schemas);
    assert.equal(run.status, 3, run.stderr + run.stdout);
    assert.match(run.stdout, /schema: VirtualMachine tenant-acme\/testvm \/spec.*dataVolumeTemplates/);
    assert.match(run.stdout, /schemas: checked kubevirt\.io\/v1 VirtualMachine; unchecked: .*v1 Namespace/);
  });

  it("validates against the vendored schemas/ when --schemas names no directory", async () => {
    for (const args of [["--schemas"], ["--schemas", "--out", path.join(dir, "out")]]) {
      const run = await plan(...args, ...(args.includes("--out") ? [] : ["--out", path.join(dir, "out")]));
      assert.equal(run.status, 0, run.stderr + run.stdout);
      assert.match(run.stdout, /schemas: checked .*kubevirt\.io\/v1 VirtualMachine.*; unchecked: none; 0 errors/);
    }
  });

  it("rejects unknown flags and conflicting stack flags with exit 2 and the usage", async () => {
    const unknown = await plan("--stacks", "dev");
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /usage: npm run plan/);
    const both = await plan("--stack", "dev", "--config", "Pulumi.dev.yaml");
    assert.equal(both.status, 2);
    assert.match(both.stderr, /give one/);
  });
});
