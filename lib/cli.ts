/**
 * What the command lines share: an `Io` to print through (the process's, or a test's), strict flag
 * parsing with `--help`, usage errors exiting 2, and running a `main(argv, io)` as the process.
 */
import { parseArgs, type ParseArgsConfig } from "util";
import { CRASH_EXIT, USAGE_EXIT } from "./exit-codes";
import { resolveStackFile } from "./stack-file";

/** Where a command prints: lines to standard output and to standard error. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const PROCESS_IO: Io = { out: (text) => console.log(text), err: (text) => console.error(text) };

/** A command's entry point: its arguments (without node and the script) in, its exit code out. */
export type Main = (argv: string[], io?: Io) => Promise<number> | number;

/** Runs `main` as the process: exits with its code, or prints the crash and exits 70. */
export function runMain(main: Main): void {
  Promise.resolve()
    .then(() => main(process.argv.slice(2), PROCESS_IO))
    .then(
      (code) => process.exit(code),
      (error) => {
        console.error(error instanceof Error ? (error.stack ?? error.message) : error);
        process.exit(CRASH_EXIT);
      },
    );
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Prints `message` and the usage to stderr; returns the usage-error exit code. */
export function usageError(message: string, usage: string, io: Io = PROCESS_IO): number {
  io.err(`${message}\n\n${usage}`);
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
export function parseFlags<const T extends Options>(
  options: T,
  usage: string,
  argv: string[] = process.argv.slice(2),
  io: Io = PROCESS_IO,
): Values<T> | number {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return usageError((error as Error).message, usage, io);
  }
  if (values.help) {
    io.out(usage);
    return 0;
  }
  return values as Values<T>;
}

/**
 * `parseFlags` plus `--stack S` / `--config FILE` resolved to a stack file; `defaultStack`
 * applies when neither is given (without one, one of them is required).
 */
export function parseStackFlags<const T extends Options>(options: T, usage: string, argv: string[], io: Io, defaultStack?: string) {
  const values = parseFlags({ ...options, stack: { type: "string" }, config: { type: "string" } }, usage, argv, io);
  if (typeof values === "number") return values;
  try {
    return { values, ...resolveStackFile(values as { stack?: string; config?: string }, defaultStack) };
  } catch (error) {
    return usageError((error as Error).message, usage, io);
  }
}
