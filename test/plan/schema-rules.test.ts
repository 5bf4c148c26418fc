/**
 * A CEL rule violation fails the offline plan with the schema-error exit, naming the rule. No
 * stack config makes the program render an object that breaks a rule of the pinned CRDs (the
 * program renders Installation "default" and no HTTP or ICMP-code policy rules), so the schema
 * directory here holds a small site CRD for the Vpc kind the program renders, with one rule the
 * rendered Vpc breaks and one rule the evaluator cannot run.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXIT, runPlan } from "../../lib/plan/run";
import { flatConfig, validRawConfig } from "../fixtures/stack-config";
import { tenantnet } from "../../program";
import { crdDocument } from "../fixtures/crd";

describe("plan with --schemas: CEL rules", function () {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantnet-plan-cel-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("exits 3 naming the broken rule, and lists the rule it could not evaluate", async function () {
    const schemas = path.join(dir, "schemas");
    fs.mkdirSync(schemas);
    const crd = crdDocument({
      group: "kubeovn.io",
      kind: "Vpc",
      plural: "vpcs",
      scope: "Cluster",
      schema: {
        type: "object",
        properties: { spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        "x-kubernetes-validations": [
          { rule: "self.metadata.name.startsWith('vpc-')", message: "VPC names start with vpc-" },
          { rule: "!has(self.spec.quota) || quantity(self.spec.quota).isInteger()" },
        ],
      },
    });
    fs.writeFileSync(path.join(schemas, "vpcs.json"), JSON.stringify(crd));
    const outcome = await runPlan({
      program: tenantnet,
      stack: "cel",
      config: flatConfig(validRawConfig()),
      outDir: path.join(dir, "out"),
      schemasDir: schemas,
    });
    assert.equal(outcome.exitCode, EXIT.schemaError, outcome.report);
    assert.match(outcome.report, /schema: Vpc \S+ \/: VPC names start with vpc- \(rule: self\.metadata\.name\.startsWith\('vpc-'\)\)/);
    assert.match(
      outcome.report,
      /unchecked: .*kubeovn\.io\/v1 Vpc rule !has\(self\.spec\.quota\) .*: uses isInteger\(\), quantity\(\), which the CEL library lacks/,
    );
  });
});
