/**
 * Drives CNI plugins through the CNI protocol the way libcni does for a configuration list:
 * CNI_* environment variables, the plugin's network config on stdin with the list's name and
 * cniVersion injected, the previous plugin's result as prevResult; ADD in list order, CHECK in
 * list order with the cached result, DEL in reverse order (with the cached result from 0.4.0 on).
 */
import * as fs from "fs";
import * as path from "path";
import type { CniConfList, CniPlugin } from "../../lib/cni-config";
import { run, which, type Completed } from "./netns";

/** A CNI result (interfaces/ips/routes/dns); kept loose, the tests compare it as data. */
export type CniResult = Record<string, unknown> & {
  cniVersion?: string;
  interfaces?: { name: string; mac?: string; sandbox?: string }[];
  ips?: { version?: string; address: string; gateway?: string; interface?: number }[];
  routes?: { dst: string; gw?: string }[];
  dns?: Record<string, unknown>;
};

/** The error object a plugin prints on stdout when it fails. */
export interface CniErrorObject {
  cniVersion?: string;
  code: number;
  msg: string;
  details?: string;
}

export class CniPluginError extends Error {
  constructor(
    readonly plugin: string,
    readonly command: string,
    readonly status: number | null,
    readonly error: CniErrorObject | undefined,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(
      `${plugin} ${command} exited ${status}` +
        (error ? `: code ${error.code} ${error.msg}${error.details ? ` (${error.details})` : ""}` : `: ${stderr || stdout}`),
    );
  }
}

/** libcni's RuntimeConf: what the runtime knows about the container. */
export interface RuntimeConf {
  containerId: string;
  netns: string | undefined;
  ifName: string;
  args?: string;
}

export interface ExecOptions {
  cniPath: string[];
  /** Namespace the plugin process runs in (the "node"); the reference plugins put host-side links there. */
  hostNetns?: string;
  /** Variables added to (or, when undefined, removed from) the environment libcni would build. */
  env?: Record<string, string | undefined>;
}

/** The executable for a plugin type, searched on CNI_PATH like libcni's FindInPath. */
export function findPlugin(type: string, cniPath: string[]): string {
  for (const dir of cniPath) {
    const candidate = path.join(dir, type);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // next directory
    }
  }
  throw new Error(`CNI plugin ${type} not found in ${cniPath.join(":")}`);
}

export function pluginEnv(command: string, rt: RuntimeConf, options: ExecOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CNI_COMMAND: command,
    CNI_CONTAINERID: rt.containerId,
    CNI_NETNS: rt.netns,
    CNI_IFNAME: rt.ifName,
    CNI_ARGS: rt.args ?? "",
    CNI_PATH: options.cniPath.join(":"),
  };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  if (env.CNI_NETNS === undefined) delete env.CNI_NETNS;
  return env;
}

/** Runs one plugin binary with stdin and the CNI environment; returns its raw completion. */
export function execPlugin(executable: string, command: string, stdin: string | Buffer, rt: RuntimeConf, options: ExecOptions): Completed {
  const env = pluginEnv(command, rt, options);
  if (options.hostNetns) {
    // The runtime's own `ip`, found on this process's PATH: the plugin's PATH may lack it.
    return run(which("ip"), ["netns", "exec", options.hostNetns, executable], { input: stdin, env, allowFailure: true });
  }
  return run(executable, [], { input: stdin, env, allowFailure: true });
}

/** Parses a plugin's completion: its result (ADD), nothing (DEL/CHECK), or a CniPluginError. */
export function pluginOutcome(type: string, command: string, completed: Completed): CniResult | undefined {
  if (completed.status !== 0) {
    let error: CniErrorObject | undefined;
    try {
      error = JSON.parse(completed.stdout) as CniErrorObject;
    } catch {
      error = undefined;
    }
    throw new CniPluginError(type, command, completed.status, error, completed.stdout, completed.stderr);
  }
  if (completed.stdout.trim() === "") return undefined;
  return JSON.parse(completed.stdout) as CniResult;
}

/** The network config one plugin of the list receives (libcni's buildOneConfig). */
export function pluginNetconf(list: CniConfList, plugin: CniPlugin, prevResult?: CniResult): Record<string, unknown> {
  const netconf: Record<string, unknown> = { ...plugin, name: list.name, cniVersion: list.cniVersion };
  if (prevResult !== undefined) netconf.prevResult = prevResult;
  return netconf;
}

function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split(".").map(Number);
  const b = minimum.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

export interface AddHooks {
  /** Called before plugin `index` runs (e.g. to snapshot the namespace it will change). */
  beforePlugin?: (index: number, plugin: CniPlugin) => void;
}

/** A configuration list run like libcni runs it; results are returned, the caller caches them. */
export class ConfListRunner {
  constructor(
    readonly list: CniConfList,
    readonly options: ExecOptions,
  ) {}

  invoke(plugin: CniPlugin, command: string, rt: RuntimeConf, prevResult?: CniResult): CniResult | undefined {
    const executable = findPlugin(plugin.type, this.options.cniPath);
    const stdin = JSON.stringify(pluginNetconf(this.list, plugin, prevResult));
    return pluginOutcome(plugin.type, command, execPlugin(executable, command, stdin, rt, this.options));
  }

  /** ADD: each plugin in order, each getting the previous one's result. Returns every result. */
  add(rt: RuntimeConf, hooks: AddHooks = {}): CniResult[] {
    const results: CniResult[] = [];
    let prevResult: CniResult | undefined;
    this.list.plugins.forEach((plugin, index) => {
      hooks.beforePlugin?.(index, plugin);
      const result = this.invoke(plugin, "ADD", rt, prevResult);
      if (result === undefined) throw new Error(`${plugin.type} ADD printed no result`);
      results.push(result);
      prevResult = result;
    });
    return results;
  }

  /** CHECK: each plugin in order with the cached final result; refused below 0.4.0 as libcni does. */
  check(rt: RuntimeConf, cachedResult: CniResult): void {
    if (!versionAtLeast(this.list.cniVersion, "0.4.0")) {
      throw new Error(`configuration version "${this.list.cniVersion}" does not support the CHECK command`);
    }
    for (const plugin of this.list.plugins) this.invoke(plugin, "CHECK", rt, cachedResult);
  }

  /** DEL: each plugin in reverse order; libcni passes the cached result from 0.4.0 on. */
  del(rt: RuntimeConf, cachedResult: CniResult | undefined): void {
    const prevResult = versionAtLeast(this.list.cniVersion, "0.4.0") ? cachedResult : undefined;
    for (const plugin of [...this.list.plugins].reverse()) {
      const output = this.invoke(plugin, "DEL", rt, prevResult);
      if (output !== undefined) throw new Error(`${plugin.type} DEL printed output: ${JSON.stringify(output)}`);
    }
  }
}
