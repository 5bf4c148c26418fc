/**
 * ADD latency of cni/x-calico-route against the reference `tuning` plugin, measured in the same
 * run on the same kind of namespace: every VM start pays both. Each run gets a fresh pod netns
 * that the reference `ptp` plugin prepared as Calico would (veth, link-local gateway, default
 * route); only the plugin process is timed, from spawn to exit, the two in alternating order.
 *
 * A measurement, not a test: nothing asserts on it, mocha does not run it (no .test.ts), and
 * `npm run bench` runs it after the plan bench (the `postbench` script). It lives here because
 * it drives the plugin with the netns tests' helpers. Needs root and Debian's
 * containernetworking-plugins; without them it says what is missing and measures nothing.
 *
 *   tsx test/netns/route-plugin-latency.ts [--runs N]
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { median } from "../../bench/stats";
import { parseFlags } from "../../lib/cli";
import { CALICO_GATEWAY, calicoConfList, type CniConfList } from "../../lib/cni-config";
import { ConfListRunner, pluginEnv, pluginNetconf, type RuntimeConf } from "./cni";
import { Namespaces, REFERENCE_PLUGIN_DIR, ROUTE_PLUGIN, ROUTE_PLUGIN_DIR, missingPrerequisites } from "./netns";

export interface RoutePluginBench {
  /** Median ADD of x-calico-route, spawn to exit. */
  pluginMedianMs: number;
  /** Median ADD of the reference tuning plugin, spawn to exit, same runs. */
  tuningMedianMs: number;
  /** pluginMedianMs / tuningMedianMs. */
  ratio: number;
  runs: number;
  /** Median spawn-to-exit of /bin/true: the process start both numbers include. */
  spawnFloorMs: number;
}

const DEFAULT_RUNS = 50;
const WARMUP_RUNS = 3;

/**
 * Wall time of one plugin process. Its config comes from a file: node's own stdio pipes are
 * sockets, which a shell cannot reopen as /dev/stdin, while runtimes (Go's os/exec) hand plugins
 * a pipe it can; a file behaves like that pipe.
 */
function timeProcess(executable: string, stdinFile: string, env: NodeJS.ProcessEnv): number {
  const stdin = fs.openSync(stdinFile, "r");
  try {
    const start = process.hrtime.bigint();
    const result = spawnSync(executable, [], { stdio: [stdin, "pipe", "pipe"], env, encoding: "utf8" });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.error) throw result.error;
    if (result.status !== 0) throw new Error(`${executable} ADD failed (${result.status}): ${result.stdout} ${result.stderr}`);
    return elapsed;
  } finally {
    fs.closeSync(stdin);
  }
}

export async function benchRoutePlugin(opts: { runs?: number } = {}): Promise<RoutePluginBench> {
  const runs = opts.runs ?? DEFAULT_RUNS;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, got ${opts.runs}`);

  const prefix = `tn-rb-${process.pid}`;
  const namespaces = new Namespaces(prefix);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  try {
    const node = namespaces.add("node");
    const nad = calicoConfList({ podCidr: "10.251.0.0/16", nodeCidrs: ["198.18.0.0/16"] });
    // ptp stands in for Calico (see test/netns/route-plugin.test.ts); a /16 so that many runs
    // never exhaust host-local.
    const list: CniConfList = {
      ...nad,
      plugins: [
        {
          type: "ptp",
          ipMasq: false,
          ipam: {
            type: "host-local",
            ranges: [[{ subnet: "169.254.0.0/16", gateway: CALICO_GATEWAY }]],
            routes: [{ dst: "0.0.0.0/0" }],
            dataDir: path.join(workDir, "ipam"),
          },
        },
        ...nad.plugins.slice(1),
      ],
    };
    const [ptp, routePlugin, tuning] = list.plugins;
    const cniPath = [ROUTE_PLUGIN_DIR, REFERENCE_PLUGIN_DIR];
    const runner = new ConfListRunner(list, { cniPath, hostNetns: node });

    const floor: number[] = [];
    const pluginTimes: number[] = [];
    const tuningTimes: number[] = [];
    for (let i = 0; i < WARMUP_RUNS + runs; i++) {
      const pod = namespaces.add("pod");
      const rt: RuntimeConf = { containerId: `${prefix}-${i}`, netns: namespaces.path(pod), ifName: "eth0" };
      const ptpResult = runner.invoke(ptp, "ADD", rt);
      const routeConf = path.join(workDir, "route.json");
      const tuningConf = path.join(workDir, "tuning.json");
      fs.writeFileSync(routeConf, JSON.stringify(pluginNetconf(list, routePlugin, ptpResult)));
      fs.writeFileSync(tuningConf, JSON.stringify(pluginNetconf(list, tuning, ptpResult)));
      const env = pluginEnv("ADD", rt, { cniPath });

      const measure = {
        plugin: () => timeProcess(ROUTE_PLUGIN, routeConf, env),
        tuning: () => timeProcess(path.join(REFERENCE_PLUGIN_DIR, "tuning"), tuningConf, env),
        floor: () => timeProcess("/bin/true", tuningConf, env),
      };
      const order = i % 2 ? (["tuning", "plugin", "floor"] as const) : (["plugin", "tuning", "floor"] as const);
      const times = Object.fromEntries(order.map((name) => [name, measure[name]()])) as Record<keyof typeof measure, number>;
      if (i >= WARMUP_RUNS) {
        pluginTimes.push(times.plugin);
        tuningTimes.push(times.tuning);
        floor.push(times.floor);
      }
      namespaces.delete(pod);
    }

    const pluginMedianMs = median(pluginTimes);
    const tuningMedianMs = median(tuningTimes);
    return {
      pluginMedianMs,
      tuningMedianMs,
      ratio: pluginMedianMs / tuningMedianMs,
      runs,
      spawnFloorMs: median(floor),
    };
  } finally {
    namespaces.cleanup();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

function formatTable(result: RoutePluginBench): string {
  const rows: [string, string][] = [
    ["x-calico-route ADD (median)", `${result.pluginMedianMs.toFixed(2)} ms`],
    ["reference tuning ADD (median)", `${result.tuningMedianMs.toFixed(2)} ms`],
    ["ratio", `${result.ratio.toFixed(2)}x`],
    ["process start floor (/bin/true)", `${result.spawnFloorMs.toFixed(2)} ms`],
    ["runs", String(result.runs)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n");
}

if (require.main === module) {
  const values = parseFlags({ runs: { type: "string" } }, "usage: tsx test/netns/route-plugin-latency.ts [--runs N]");
  const missing = missingPrerequisites();
  if (typeof values === "number") {
    process.exitCode = values;
  } else if (missing.length > 0) {
    console.log(`\nRoute plugin ADD latency: not measured on this machine; missing:\n  - ${missing.join("\n  - ")}`);
  } else {
    benchRoutePlugin({ runs: values.runs === undefined ? undefined : Number(values.runs) })
      .then((result) =>
        console.log(`\nRoute plugin: x-calico-route vs tuning, ADD latency, spawn to exit, same runs\n${formatTable(result)}`),
      )
      .catch((error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exitCode = 1;
      });
  }
}
