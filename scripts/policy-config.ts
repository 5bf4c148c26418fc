/** `npm run policy:config -- [--stack S | --config FILE] [--out FILE]`: the --policy-pack-config file. */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { readStackFile } from "../lib/config/load";
import { ConfigError, formatProblems } from "../lib/config/problems";
import { validateStage } from "../lib/plan/run";
import { resolveStackFile } from "../lib/stack-file";
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
  let values;
  try {
    ({ values } = parseArgs({
      options: { stack: { type: "string" }, config: { type: "string" }, out: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let file: string, stack: string;
  try {
    ({ file, stack } = resolveStackFile(values, "dev"));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
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
