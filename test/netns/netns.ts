/**
 * Real network namespaces for the route plugin tests and bench: creation with unique names,
 * route/address snapshots through `ip -j`, and cleanup of exactly what was created.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** Debian's containernetworking-plugins (seed 004 uses 1.1.1) install the reference plugins here. */
export const REFERENCE_PLUGIN_DIR = "/usr/lib/cni";
export const REFERENCE_PLUGINS = ["ptp", "host-local", "bridge", "tuning"] as const;
export const REPO_ROOT = path.resolve(__dirname, "../..");
export const ROUTE_PLUGIN_DIR = path.join(REPO_ROOT, "cni");
export const ROUTE_PLUGIN = path.join(ROUTE_PLUGIN_DIR, "x-calico-route");
/** `ip netns add` keeps its namespaces here (Debian's iproute2). */
export const NETNS_DIR = "/run/netns";

export interface Completed {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; throws with its output unless it exits 0 (or allowFailure). */
export function run(
  command: string,
  args: string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; allowFailure?: boolean } = {},
): Completed {
  const result = spawnSync(command, args, {
    input: options.input,
    env: options.env ?? process.env,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  const completed = { status: result.status, stdout: result.stdout, stderr: result.stderr };
  if (completed.status !== 0 && !options.allowFailure) {
    throw new Error(`${command} ${args.join(" ")} exited ${completed.status}: ${completed.stderr || completed.stdout}`);
  }
  return completed;
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Absolute path of an executable on PATH; throws when missing. */
export function which(command: string): string {
  const found = onPath(command);
  if (!found) throw new Error(`${command} not found on PATH`);
  return found;
}

/**
 * What these tests need and this machine lacks, each with its fix. Empty when all is there.
 * The tests fail (never skip) on a non-empty answer: a CI without root or the packages must not
 * look green.
 */
export function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    missing.push("root (network namespaces, veth pairs and routes need CAP_NET_ADMIN): run as root");
  }
  for (const plugin of REFERENCE_PLUGINS) {
    try {
      fs.accessSync(path.join(REFERENCE_PLUGIN_DIR, plugin), fs.constants.X_OK);
    } catch {
      missing.push(`${REFERENCE_PLUGIN_DIR}/${plugin}: apt-get install containernetworking-plugins`);
    }
  }
  if (!onPath("ip")) missing.push("ip: apt-get install iproute2");
  if (!onPath("nsenter")) missing.push("nsenter: apt-get install util-linux");
  try {
    fs.accessSync("/bin/bash", fs.constants.X_OK);
  } catch {
    missing.push("/bin/bash (the plugin's interpreter): apt-get install bash");
  }
  try {
    fs.accessSync(ROUTE_PLUGIN, fs.constants.X_OK);
  } catch {
    missing.push(`${ROUTE_PLUGIN} is not executable: chmod 755 it (git keeps the mode)`);
  }
  return missing;
}

export function assertPrerequisites(what: string): void {
  const missing = missingPrerequisites();
  if (missing.length > 0) {
    throw new Error(`${what} cannot run on this machine; missing:\n  - ${missing.join("\n  - ")}`);
  }
}

/** A route as `ip -j route` prints it. */
export interface Route {
  dst: string;
  gateway?: string;
  dev?: string;
  type?: string;
  table?: string;
  metric?: number;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  flags?: string[];
  [key: string]: unknown;
}

export function routes(netns: string, table = "main"): Route[] {
  return JSON.parse(run("ip", ["-n", netns, "-j", "route", "show", "table", table]).stdout || "[]") as Route[];
}

export function defaultRoutes(netns: string): Route[] {
  return routes(netns).filter((route) => route.dst === "default");
}

/** Every route of every table and every address: what a failed plugin call must leave as it was. */
export function snapshot(netns: string): { routes: Route[]; ipv6Routes: unknown[]; addresses: unknown[] } {
  return {
    routes: routes(netns, "all"),
    ipv6Routes: JSON.parse(run("ip", ["-n", netns, "-6", "-j", "route", "show", "table", "all"]).stdout || "[]"),
    addresses: JSON.parse(run("ip", ["-n", netns, "-j", "address", "show"]).stdout || "[]"),
  };
}

/**
 * Namespaces named `<prefix>-<n>-<role>` (prefix carries the pid), deleted by cleanup() in reverse
 * order. Deleting a namespace destroys every link in it (veth peers go with their other end), so
 * nothing outside the namespaces created here is touched.
 */
export class Namespaces {
  private readonly created: string[] = [];
  private readonly processes: number[] = [];
  private counter = 0;

  constructor(private readonly prefix: string) {}

  /** A fresh namespace with loopback up. */
  add(role: string): string {
    const name = `${this.prefix}-${++this.counter}-${role}`;
    run("ip", ["netns", "add", name]);
    this.created.push(name);
    run("ip", ["-n", name, "link", "set", "lo", "up"]);
    return name;
  }

  path(name: string): string {
    return path.join(NETNS_DIR, name);
  }

  /**
   * A process parked in the namespace, so that `/proc/<pid>/ns/net` names it the way Docker-style
   * runtimes pass CNI_NETNS; killed by cleanup().
   */
  procPath(name: string): string {
    // `ip netns exec` enters the namespace and then execs sleep in the same process.
    const child = spawn("ip", ["netns", "exec", name, "sleep", "3600"], { stdio: "ignore" });
    if (child.pid === undefined) throw new Error(`could not start a process in ${name}`);
    this.processes.push(child.pid);
    const wanted = `net:[${fs.statSync(this.path(name)).ino}]`;
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        if (fs.readlinkSync(`/proc/${child.pid}/ns/net`) === wanted) return `/proc/${child.pid}/ns/net`;
      } catch {
        // not started yet
      }
      if (Date.now() > deadline) throw new Error(`process ${child.pid} did not enter ${name}`);
      spawnSync("sleep", ["0.01"]);
    }
  }

  delete(name: string): void {
    const index = this.created.indexOf(name);
    if (index >= 0) this.created.splice(index, 1);
    run("ip", ["netns", "delete", name], { allowFailure: true });
  }

  cleanup(): void {
    for (const pid of this.processes.splice(0)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    for (const name of this.created.splice(0).reverse()) {
      run("ip", ["netns", "delete", name], { allowFailure: true });
    }
  }
}
