/** `npm run policy:config -- [--stack S | --config FILE] [--platform-plan PLAN | --facts FILE] [--out FILE]`: the --policy-pack-config file. */
import * as fs from "fs";
import * as path from "path";
import { PROCESS_IO, parseStackFlags, runMain, type Io } from "../lib/cli";
import { POLICY_CONFIG_EXIT as EXIT } from "../lib/exit-codes";
import { readStackFile } from "../lib/config/load";
import { ConfigError, formatProblems } from "../lib/config/problems";
import { policyConfigFromStackConfig, policyPackConfig } from "../lib/policy";

/** Loaded once the flags are read: `--help` and usage errors never start the Pulumi SDK. */
const planRunner = () => require("../lib/plan/run") as typeof import("../lib/plan/run");
const tenantnet: import("../lib/plan/run").Program = () => (require("../program") as typeof import("../program")).tenantnet();

const USAGE = `usage: npm run policy:config -- [options]

Writes the policy-pack config of a stack (network facts, service catalog, grants: one entry per
policy that reads them) for
  pulumi preview --stack <S> --policy-pack policy --policy-pack-config <file>
The facts come from their owner: the platform stack's own config, or for a tenant-only stack
the platformFacts of the platform stack it names, never the tenant's file.

options:
  --stack S             Pulumi.<S>.yaml from the repository root (default: dev)
  --config FILE         any stack file instead (the stack name is taken from Pulumi.<name>.yaml)
  --platform-plan PLAN  tenant-only stacks: the platform stack's plan.json (npm run plan)
  --facts FILE          tenant-only stacks: the platform stack's platformFacts as JSON
                        (pulumi stack output --stack <platform stack> --json platformFacts)
                        Without either, the platform stack's file in the repository is planned.
  --out FILE            where to write (default: out/<stack>/policy-pack-config.json)
  -h, --help            this text

exit codes: 0 written, 2 invalid stack config, missing platform facts or usage (nothing written)`;

export async function main(argv: string[], io: Io = PROCESS_IO): Promise<number> {
  const parsed = parseStackFlags(
    { out: { type: "string" }, "platform-plan": { type: "string" }, facts: { type: "string" } },
    USAGE,
    argv,
    io,
    "dev",
  );
  if (typeof parsed === "number") return parsed;
  const { values, file, stack } = parsed;
  try {
    const flat = readStackFile(file);
    const { referencedOutputs, validateStage } = planRunner();
    const stackOutputs = await referencedOutputs(tenantnet, flat, { platformPlan: values["platform-plan"], factsFile: values.facts });
    const config = validateStage(stack, flat, stackOutputs);
    const out = path.resolve(values.out ?? path.join("out", stack, "policy-pack-config.json"));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(policyPackConfig(policyConfigFromStackConfig(config)), null, 2)}\n`);
    io.out(out);
    return EXIT.written;
  } catch (error) {
    io.err(
      error instanceof ConfigError
        ? `${file}: invalid stack config:\n${formatProblems(error.problems)}`
        : `${file}: ${(error as Error).message}`,
    );
    return EXIT.invalid;
  }
}

if (require.main === module) runMain(main);
