/** Flag parsing shared by the command lines: strict flags, `--help`, usage errors exit 2. */
import { parseArgs, type ParseArgsConfig } from "util";
import { resolveStackFile } from "./stack-file";

export const USAGE_EXIT = 2;

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Prints `message` and the usage to stderr; returns the usage-error exit code. */
export function usageError(message: string, usage: string): number {
  console.error(`${message}\n\n${usage}`);
  return USAGE_EXIT;
}

/**
 * `args` with `value` after every `flag` that has none (the last argument, or followed by another
 * option), so a string flag can stand alone and mean its default: `--schemas` alone is
 * `--schemas <vendored dir>`, `--schemas DIR` and `--schemas=DIR` stay as given.
 */
export function withFlagDefault(args: string[], flag: string, value: string): string[] {
  return args.flatMap((arg, i) => (arg === flag && (i + 1 === args.length || args[i + 1].startsWith("-")) ? [arg, value] : [arg]));
}

type Values<T extends Options> = { [K in keyof T]?: T[K]["type"] extends "boolean" ? boolean : string };

/**
 * The parsed flag values, or the exit code to stop with: 0 after printing the usage for
 * `--help`/`-h`, 2 after printing an unknown or malformed flag with the usage.
 */
export function parseFlags<const T extends Options>(options: T, usage: string, args: string[] = process.argv.slice(2)): Values<T> | number {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: false }));
  } catch (error) {
    return usageError((error as Error).message, usage);
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  return values as Values<T>;
}

/**
 * `parseFlags` plus `--stack S` / `--config FILE` resolved to a stack file; `defaultStack`
 * applies when neither is given (without one, one of them is required).
 */
export function parseStackFlags<const T extends Options>(options: T, usage: string, defaultStack?: string, args?: string[]) {
  const values = parseFlags({ ...options, stack: { type: "string" }, config: { type: "string" } }, usage, args);
  if (typeof values === "number") return values;
  try {
    return { values, ...resolveStackFile(values as { stack?: string; config?: string }, defaultStack) };
  } catch (error) {
    return usageError((error as Error).message, usage);
  }
}
