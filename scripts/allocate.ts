/** `npm run allocate -- (--stack S | --config FILE) [--platform-plan PLAN | --facts FILE] [--dry-run]`: pin missing VM addresses. */
import * as fs from "fs";
import * as path from "path";
import { PROCESS_IO, parseStackFlags, runMain, type Io } from "../lib/cli";
import { ALLOCATE_EXIT as EXIT } from "../lib/exit-codes";
import { AllocationError, allocate, pinPath, type Pin } from "../lib/allocate";
import { applyPins } from "../lib/allocate-stack-file";
import { loadDraftConfig, parseStackText } from "../lib/config/load";
import { ConfigError, formatProblems } from "../lib/config/problems";
import type { DraftConfig } from "../lib/config/validate";

/** Loaded once the flags are read: `--help` and usage errors never start the Pulumi SDK. */
const planRunner = () => require("../lib/plan/run") as typeof import("../lib/plan/run");
const tenantnet: import("../lib/plan/run").Program = () => (require("../program") as typeof import("../program")).tenantnet();

const USAGE = `usage: npm run allocate -- (--stack S | --config FILE) [options]

Pins the lowest free underlayIp (inside the tenant's underlayBlock) and vpcIp (inside its
vpc.cidr) into every VM of the stack file that lacks one. Existing pins never move; comments
and key order are kept. Prints one line per address pinned:
  tenants.acme.vms.web.underlayIp = 10.199.3.5

options:
  --stack S       the stack file Pulumi.<S>.yaml in the repository root
  --config FILE   any stack file instead (the stack name is taken from Pulumi.<name>.yaml)
  --platform-plan PLAN, --facts FILE
                  for a tenant-only stack, where its platform's facts (the underlay block)
                  come from, as for npm run plan; without either, the platform stack's file
                  in the repository is planned
  --dry-run       print what would be pinned; leave the file unchanged
  -h, --help      this text

exit codes: 0 pinned (or nothing to pin), 1 a block or subnet has no room (nothing written),
            2 invalid config, unreadable or unwritable file, or usage (nothing written)`;

/** Replaces `file` in one rename, so a crash never leaves it half-written. */
function writeAtomically(file: string, text: string): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.allocate-${process.pid}.tmp`);
  try {
    fs.writeFileSync(temp, text, { mode: fs.statSync(file).mode });
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

export async function main(argv: string[], io: Io = PROCESS_IO): Promise<number> {
  const parsed = parseStackFlags(
    { "dry-run": { type: "boolean" }, "platform-plan": { type: "string" }, facts: { type: "string" } },
    USAGE,
    argv,
    io,
  );
  if (typeof parsed === "number") return parsed;
  const { values, file, stack } = parsed;

  let text: string;
  let flat: Record<string, unknown>;
  try {
    text = fs.readFileSync(file, "utf8");
    flat = parseStackText(text, file);
  } catch (error) {
    io.err(`cannot read stack file: ${(error as Error).message}`);
    return EXIT.invalid;
  }
  let facts: unknown;
  try {
    const { referencedFacts, referencedOutputs } = planRunner();
    facts = referencedFacts(
      flat,
      await referencedOutputs(tenantnet, flat, { platformPlan: values["platform-plan"], factsFile: values.facts }),
    );
  } catch (error) {
    io.err(`${file}: ${(error as Error).message}`);
    return EXIT.invalid;
  }
  let draft: DraftConfig;
  try {
    draft = loadDraftConfig(flat, stack, facts);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`${file}: ${error.message}`);
    return EXIT.invalid;
  }

  let pins: Pin[];
  try {
    pins = allocate(draft);
  } catch (error) {
    if (!(error instanceof AllocationError)) throw error;
    io.err(`${file}: cannot pin every address:\n${formatProblems(error.problems)}`);
    return EXIT.full;
  }
  if (pins.length === 0) {
    io.err(`${file}: nothing to pin; every VM has underlayIp and vpcIp`);
    return EXIT.ok;
  }
  try {
    const updated = applyPins(text, pins);
    if (!values["dry-run"]) writeAtomically(file, updated);
  } catch (error) {
    io.err(`${file}: cannot write the pins: ${(error as Error).message}`);
    return EXIT.invalid;
  }
  for (const pin of pins) io.out(`${pinPath(pin)} = ${pin.ip}`);
  io.err(
    values["dry-run"] ? `dry run: ${file} left unchanged` : `pinned ${pins.length} address${pins.length === 1 ? "" : "es"} in ${file}`,
  );
  return EXIT.ok;
}

if (require.main === module) runMain(main);
