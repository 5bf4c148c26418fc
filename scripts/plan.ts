/** `npm run plan -- [--stack S | --config FILE] [--platform-plan PLAN | --facts FILE] [--out DIR] [--schemas [DIR]]`: the offline plan. */
import * as path from "path";
import { PROCESS_IO, parseStackFlags, runMain, withFlagDefault, type Io } from "../lib/cli";
import { readStackFile } from "../lib/config/load";
import { PLAN_EXIT as EXIT } from "../lib/exit-codes";
import { PlatformOutputsError, type StackOutputs } from "../lib/plan/platform-outputs";

/** Loaded once the flags are read: `--help` and usage errors never start the Pulumi SDK. */
const planRunner = () => require("../lib/plan/run") as typeof import("../lib/plan/run");
const tenantnet: import("../lib/plan/run").Program = () => (require("../program") as typeof import("../program")).tenantnet();
import { VENDORED_SCHEMAS_DIR } from "../lib/schema/vendored";

const USAGE = `usage: npm run plan -- [options]

Runs the tenantnet program offline under Pulumi's mock runtime and writes
  <out>/manifests/<kind>-<namespace>-<name>.yaml   one file per Kubernetes object
  <out>/plan.json                                  every resource, the stack outputs, policy
                                                   violations, policy facts

options:
  --stack S       plan Pulumi.<S>.yaml from the repository root (default: dev)
  --config FILE   plan any stack file instead (the stack name is taken from Pulumi.<name>.yaml)
  --platform-plan PLAN
                  for a tenant-only stack: the plan.json of the platform stack its
                  tenantnet:platformStack names; its outputs.platformFacts answer the
                  StackReference. Without it, Pulumi.<that stack>.yaml from the repository
                  is planned first.
  --facts FILE    for a tenant-only stack: the platform stack's platformFacts as JSON
                  (pulumi stack output --stack <platform stack> --json platformFacts)
  --out DIR       output directory (default: out/<stack>)
  --schemas [DIR] validate every manifest against the CRDs / OpenAPI definitions in DIR
                  (default: schemas/, the pinned upstream schemas vendored in the repository;
                  or a directory of \`kubectl get crd -o yaml\` exports)
  -h, --help      this text

exit codes: 0 clean, 1 mandatory policy violation, 2 invalid config or usage (nothing written),
            3 schema error (takes precedence over 1)`;

export async function main(argv: string[], io: Io = PROCESS_IO): Promise<number> {
  const flags = {
    out: { type: "string" },
    schemas: { type: "string" },
    "platform-plan": { type: "string" },
    facts: { type: "string" },
  } as const;
  const parsed = parseStackFlags(flags, USAGE, withFlagDefault(argv, "--schemas", VENDORED_SCHEMAS_DIR), io, "dev");
  if (typeof parsed === "number") return parsed;
  const { values, file, stack } = parsed;
  let config: Record<string, unknown>;
  try {
    config = readStackFile(file);
  } catch (error) {
    io.err(`cannot read stack file: ${(error as Error).message}`);
    return EXIT.invalidConfig;
  }
  const { referencedOutputs, runPlan } = planRunner();
  let stackOutputs: StackOutputs | undefined;
  try {
    stackOutputs = await referencedOutputs(tenantnet, config, { platformPlan: values["platform-plan"], factsFile: values.facts });
  } catch (error) {
    if (!(error instanceof PlatformOutputsError)) throw error;
    io.err(`${file}: ${error.message}`);
    return EXIT.invalidConfig;
  }
  const outcome = await runPlan({
    program: tenantnet,
    stack,
    config,
    stackOutputs,
    outDir: path.resolve(values.out ?? path.join("out", stack)),
    schemasDir: values.schemas ? path.resolve(values.schemas) : undefined,
  });
  if (outcome.exitCode === EXIT.invalidConfig) io.err(outcome.report);
  else io.out(outcome.report);
  return outcome.exitCode;
}

if (require.main === module) runMain(main);
