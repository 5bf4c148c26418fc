/** `npm run plan -- [--stack S | --config FILE] [--out DIR] [--schemas DIR]`: the offline plan. */
import * as path from "path";
import { parseStackFlags, withFlagDefault } from "../lib/cli";
import { readStackFile } from "../lib/config/load";
import { EXIT, runPlan } from "../lib/plan/run";
import { VENDORED_SCHEMAS_DIR } from "../lib/schema";

const USAGE = `usage: npm run plan -- [options]

Runs the tenantnet program offline under Pulumi's mock runtime and writes
  <out>/manifests/<kind>-<namespace>-<name>.yaml   one file per Kubernetes object
  <out>/plan.json                                  every resource, policy violations, policy facts

options:
  --stack S       plan Pulumi.<S>.yaml from the repository root (default: dev)
  --config FILE   plan any stack file instead (the stack name is taken from Pulumi.<name>.yaml)
  --out DIR       output directory (default: out/<stack>)
  --schemas [DIR] validate every manifest against the CRDs / OpenAPI definitions in DIR
                  (default: schemas/, the pinned upstream schemas vendored in the repository;
                  or a directory of \`kubectl get crd -o yaml\` exports)
  -h, --help      this text

exit codes: 0 clean, 1 mandatory policy violation, 2 invalid config or usage (nothing written),
            3 schema error (takes precedence over 1)`;

async function main(): Promise<number> {
  const args = withFlagDefault(process.argv.slice(2), "--schemas", VENDORED_SCHEMAS_DIR);
  const parsed = parseStackFlags({ out: { type: "string" }, schemas: { type: "string" } }, USAGE, "dev", args);
  if (typeof parsed === "number") return parsed;
  const { values, file, stack } = parsed;
  let config: Record<string, unknown>;
  try {
    config = readStackFile(file);
  } catch (error) {
    console.error(`cannot read stack file: ${(error as Error).message}`);
    return EXIT.invalidConfig;
  }
  const outcome = await runPlan({
    stack,
    config,
    outDir: path.resolve(values.out ?? path.join("out", stack)),
    schemasDir: values.schemas ? path.resolve(values.schemas) : undefined,
  });
  (outcome.exitCode === EXIT.invalidConfig ? console.error : console.log)(outcome.report);
  return outcome.exitCode;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(70);
  },
);
