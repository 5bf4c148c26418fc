/**
 * Live migration as the offline plan reports it: plan.json's `liveMigration`, the summary line,
 * and the rendered objects migration relies on, for the dev stack (dataplane bgp) and for the
 * same stack changed one config key at a time.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { readStackFile } from "../../lib/config/load";
import { EXIT, runPlan, type PlanOutcome } from "../../lib/plan/run";
import { REPO_ROOT } from "../../lib/stack-file";
import { tenantnet } from "../../program";

const DEV_VMS = ["tenant-acme/web", "tenant-acme/db", "tenant-globex/app", "tenant-globex/worker"];

describe("live migration in the plan", function () {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantnet-migration-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function planDev(name: string, mutate: (flat: Record<string, any>) => void = () => {}): Promise<PlanOutcome & { outDir: string }> {
    const config: Record<string, any> = readStackFile(path.join(REPO_ROOT, "Pulumi.dev.yaml"));
    mutate(config);
    const outDir = path.join(dir, name);
    const outcome = await runPlan({ program: tenantnet, stack: "dev", config, outDir });
    assert.equal(outcome.exitCode, EXIT.clean, outcome.report);
    return { ...outcome, outDir };
  }

  const written = (outDir: string) => JSON.parse(fs.readFileSync(path.join(outDir, "plan.json"), "utf8"));
  const manifest = (outDir: string, file: string) => parse(fs.readFileSync(path.join(outDir, "manifests", file), "utf8"));

  it("the dev plan (dataplane bgp): every VM live-migratable, no advisory, the Calico objects migration needs rendered", async () => {
    const { report, outDir } = await planDev("dev");
    const plan = written(outDir);
    assert.deepEqual(
      plan.liveMigration,
      DEV_VMS.map((vm) => ({ vm, migratable: true, reasons: [] })),
    );
    assert.deepEqual(plan.violations, []);
    assert.ok(report.split("\n").includes("live-migratable: 4 of 4 VMs"), report);
    assert.ok(!report.includes("bridge"), report);
    assert.equal(manifest(outDir, "ipamconfiguration-default.yaml").spec.kubeVirtVMAddressPersistence, "Enabled");
    const nad = JSON.parse(manifest(outDir, "networkattachmentdefinition-default-calico.yaml").spec.config);
    assert.equal(nad.name, "k8s-pod-network");
    assert.equal(nad.plugins[0].policy_setup_timeout_seconds, 10);
    const pool = manifest(outDir, "installation-default.yaml").spec.calicoNetwork.ipPools[0];
    assert.deepEqual([pool.encapsulation, pool.natOutgoing], ["None", "Disabled"]);
  });

  it("dataplane overlay: each VM migrates with its addresses, reported with the overlay and natOutgoing reasons", async () => {
    const { report, outDir } = await planDev("overlay", (flat) => (flat["tenantnet:platform"].network.dataplane = "overlay"));
    const plan = written(outDir);
    assert.deepEqual(
      plan.liveMigration.map((v: { vm: string; migratable: boolean }) => [v.vm, v.migratable]),
      DEV_VMS.map((vm) => [vm, true]),
    );
    for (const verdict of plan.liveMigration) {
      assert.equal(verdict.reasons.length, 2, JSON.stringify(verdict));
      assert.match(
        verdict.reasons[0],
        /^degrades: encapsulation VXLANCrossSubnet on Installation pool default-ipv4-ippool .*only without overlay \(platform\.network\.dataplane: bgp\)$/,
      );
      assert.match(verdict.reasons[1], /^degrades: natOutgoing Enabled on Installation pool default-ipv4-ippool /);
    }
    assert.deepEqual(
      plan.violations.map((v: { policy: string; level: string }) => `${v.level} ${v.policy}`),
      Array(4).fill("advisory vm-live-migration"),
    );
    const lines = report.split("\n");
    assert.ok(lines.includes("live-migratable: 4 of 4 VMs"), report);
    assert.ok(
      lines.some((line) => line.startsWith("  tenant-acme/web: degrades: encapsulation VXLANCrossSubnet")),
      report,
    );
  });

  it("a VM with evictionStrategy None is not migratable, for that reason alone", async () => {
    const { report, outDir } = await planDev("eviction-none", (flat) => (flat["tenantnet:tenants"].acme.vms.db.evictionStrategy = "None"));
    const plan = written(outDir);
    assert.deepEqual(
      plan.liveMigration.find((v: { vm: string }) => v.vm === "tenant-acme/db"),
      {
        vm: "tenant-acme/db",
        migratable: false,
        reasons: [
          "blocks: evictionStrategy None (its spec.template.spec.evictionStrategy): a node drain restarts the VM instead of migrating it",
        ],
      },
    );
    assert.equal(plan.liveMigration.filter((v: { migratable: boolean }) => v.migratable).length, 3);
    assert.ok(report.split("\n").includes("live-migratable: 3 of 4 VMs"), report);
    assert.equal(manifest(outDir, "virtualmachine-tenant-acme-db.yaml").spec.template.spec.evictionStrategy, "None");
  });
});
