import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { readStackFile } from "../../lib/config/load";
import { EXIT, referencedOutputs, runPlan } from "../../lib/plan/run";
import { tenantnet } from "../../program";
import { VENDORED_SCHEMAS_DIR } from "../../lib/schema";
import { REPO_ROOT, stackNameOf } from "../../lib/stack-file";

const STACK_FILES = fs.readdirSync(REPO_ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));

describe("example stacks, planned offline and checked against the upstream schemas", function () {
  let outRoot: string;
  before(() => {
    assert.ok(STACK_FILES.includes("Pulumi.dev.yaml") && STACK_FILES.length >= 2, `stack files: ${STACK_FILES}`);
    outRoot = fs.mkdtempSync(path.join(os.tmpdir(), "tenantnet-stacks-"));
  });
  after(() => fs.rmSync(outRoot, { recursive: true, force: true }));

  for (const file of STACK_FILES) {
    it(`${file}: plans clean, every manifest validates and no rendered kind goes unchecked`, async () => {
      const stack = stackNameOf(file);
      const outDir = path.join(outRoot, stack);
      const config = readStackFile(path.join(REPO_ROOT, file));
      const outcome = await runPlan({
        program: tenantnet,
        stack,
        config,
        outDir,
        schemasDir: VENDORED_SCHEMAS_DIR,
        stackOutputs: await referencedOutputs(tenantnet, config),
      });
      assert.equal(outcome.exitCode, EXIT.clean, outcome.report);
      const plan = outcome.plan!;
      assert.deepEqual(plan.schema!.errors, []);
      assert.deepEqual(plan.schema!.unchecked, [], "every kind we render has an upstream schema");
      assert.ok(plan.schema!.checked.includes("kubevirt.io/v1 VirtualMachine"));
      assert.deepEqual(
        plan.violations.filter((v) => v.level === "mandatory"),
        [],
      );

      const written = fs.readdirSync(path.join(outDir, "manifests"));
      const manifests = written.map((f) => parse(fs.readFileSync(path.join(outDir, "manifests", f), "utf8")));
      const objects = plan.resources.filter((r) => typeof r.inputs.apiVersion === "string" && typeof r.inputs.kind === "string");
      assert.equal(written.length, objects.length, "one file per Kubernetes object");
      for (const [i, manifest] of manifests.entries()) {
        const expected =
          [manifest.kind, manifest.metadata.namespace, manifest.metadata.name].filter(Boolean).join("-").toLowerCase() + ".yaml";
        assert.equal(written[i], expected);
      }
      const onDisk = JSON.parse(fs.readFileSync(path.join(outDir, "plan.json"), "utf8"));
      assert.equal(onDisk.stack, stack);
      assert.equal(onDisk.resources.length, plan.resources.length);
    });
  }
});
