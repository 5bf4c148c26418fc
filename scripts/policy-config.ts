/** `npm run policy:config -- [--stack S | --config FILE] [--platform-plan PLAN | --facts FILE] [--out FILE]`: the --policy-pack-config file. */
import * as fs from "fs";
import * as path from "path";
import { parseStackFlags } from "../lib/cli";
import { readStackFile } from "../lib/config/load";
import { ConfigError, formatProblems } from "../lib/config/problems";
import { referencedOutputs, validateStage } from "../lib/plan/run";
import { policyConfigFromStackConfig, policyPackConfig } from "../lib/policy";

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

async function main(): Promise<number> {
  const parsed = parseStackFlags({ out: { type: "string" }, "platform-plan": { type: "string" }, facts: { type: "string" } }, USAGE, "dev");
  if (typeof parsed === "number") return parsed;
  const { values, file, stack } = parsed;
  try {
    const flat = readStackFile(file);
    const stackOutputs = await referencedOutputs(flat, { platformPlan: values["platform-plan"], factsFile: values.facts });
    const config = validateStage(stack, flat, stackOutputs);
    const out = path.resolve(values.out ?? path.join("out", stack, "policy-pack-config.json"));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(policyPackConfig(policyConfigFromStackConfig(config)), null, 2)}\n`);
    console.log(out);
    return 0;
  } catch (error) {
    console.error(error instanceof ConfigError ? `${file}: invalid stack config:\n${formatProblems(error.problems)}` : `${file}: ${(error as Error).message}`);
    return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(70);
  },
);
