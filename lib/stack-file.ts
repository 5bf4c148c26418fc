/** Where a command's stack file is: `--stack S` (Pulumi.S.yaml in the repository root) or `--config FILE`. */
import * as path from "path";

export const REPO_ROOT = path.resolve(__dirname, "..");

/** `Pulumi.<stack>.yaml` -> `<stack>`; any other file name -> its base name. */
export function stackNameOf(file: string): string {
  const base = path.basename(file).replace(/\.ya?ml$/, "");
  return base.startsWith("Pulumi.") ? base.slice("Pulumi.".length) : base;
}

/** Resolves the flags to a file and stack name; `defaultStack` applies when neither flag is given. */
export function resolveStackFile(flags: { stack?: string; config?: string }, defaultStack?: string): { file: string; stack: string } {
  if (flags.stack !== undefined && flags.config !== undefined) throw new Error("--stack and --config name the same thing; give one");
  if (flags.config !== undefined) {
    const file = path.resolve(flags.config);
    return { file, stack: stackNameOf(file) };
  }
  const stack = flags.stack ?? defaultStack;
  if (stack === undefined) throw new Error("give one of --stack and --config");
  return { file: path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), stack };
}
