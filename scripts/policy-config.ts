/** `npm run policy:config -- [--stack S | --config FILE] [--out FILE]`: the --policy-pack-config file. */
import * as fs from "fs";
import * as path from "path";
import { parseStackFlags } from "../lib/cli";
import { readStackFile } from "../lib/config/load";
import { ConfigError, formatProblems } from "../lib/config/problems";
import { validateStage } from "../lib/plan/run";
import { policyConfigFromStackConfig, policyPackConfig } from "../lib/policy";

const USAGE = `usage: npm run policy:config -- [options]

Writes the policy-pack config of a stack (network facts, service catalog, grants: one entry per
policy that reads them) for
  pulumi preview --stack <S> --policy-pack policy --policy-pack-config <file>

options:
  --stack S       Pulumi.<S>.yaml from the repository root (default: dev)
  --config FILE   any stack file instead (the stack name is taken from Pulumi.<name>.yaml)
  --out FILE      where to write (default: out/<stack>/policy-pack-config.json)
  -h, --help      this text

exit codes: 0 written, 2 invalid stack config or usage (nothing written)`;

function main(): number {
  const parsed = parseStackFlags({ out: { type: "string" } }, USAGE, "dev");
  if (typeof parsed === "number") return parsed;
  const { values, file, stack } = parsed;
  try {
    const config = validateStage(stack, readStackFile(file));
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

process.exit(main());
