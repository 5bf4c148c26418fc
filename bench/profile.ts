/**
 * CPU profiles of single stages (`npm run bench -- --cpu-prof`): the in-process V8 profiler
 * (node:inspector) wraps one stage at a time, so each .cpuprofile holds that stage only, and a
 * summary names the functions and files the time goes to. Open the files in Chrome DevTools
 * (Performance > Load profile) or VS Code for flame charts.
 */
import * as fs from "fs";
import { Session } from "inspector";
import * as path from "path";
import type { StageHook } from "./stages";
import type { MeasuredName } from "./types";

/** The parts of a V8 `.cpuprofile` the summary reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    /** lineNumber and columnNumber are 0-based positions in the code V8 ran. */
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  /** Microseconds since the previous sample, one per sample. */
  timeDeltas?: number[];
}

export interface HotSpot {
  /** `function file:line`, the file relative to the repository. */
  where: string;
  ms: number;
  /** Share of the profile's total sampled time. */
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Functions by time spent in their own code. */
  selfTime: HotSpot[];
  /** Functions by time spent in them or anything they called (each sample counted once per function). */
  totalTime: HotSpot[];
  /** Files (a package's whole tree counts as one) by self time. */
  byFile: HotSpot[];
}

/** `/repo/node_modules/@pulumi/pulumi/runtime/rpc.js` -> `@pulumi/pulumi/runtime/rpc.js`; own files relative to the repo. */
function shortUrl(url: string, root: string): string {
  const file = url.startsWith("file://") ? decodeURIComponent(url.slice("file://".length)) : url;
  const inModules = file.lastIndexOf("/node_modules/");
  if (inModules >= 0) return file.slice(inModules + "/node_modules/".length);
  return file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file;
}

/** A package name for node_modules paths, the file itself otherwise. */
function fileGroup(short: string, url: string): string {
  if (!url.includes("/node_modules/")) return short || "(native / V8)";
  const parts = short.split("/");
  return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]} (package)` : `${parts[0]} (package)`;
}

function ranked(totals: Map<string, number>, totalMs: number, top: number): HotSpot[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, ms]) => ({ where, ms, share: totalMs > 0 ? ms / totalMs : 0 }));
}

/** Maps a position in the code V8 ran (0-based) to the source it came from (1-based line). */
export type Locate = (url: string, lineNumber: number, columnNumber: number) => { url: string; line: number } | undefined;

/**
 * Source positions through the source maps tsx registers (it turns them on for the process),
 * so TypeScript frames name their .ts line instead of a line of esbuild's output.
 */
export function sourceMapLocator(): Locate {
  const { findSourceMap } = require("module") as typeof import("module");
  return (url, lineNumber, columnNumber) => {
    if (!url || url.startsWith("node:")) return undefined;
    const file = url.startsWith("file://") ? decodeURIComponent(url.slice("file://".length)) : url;
    const entry = findSourceMap(file)?.findEntry(lineNumber, columnNumber) as { originalSource?: string; originalLine?: number } | undefined;
    if (!entry?.originalSource || entry.originalLine === undefined) return undefined;
    return { url: entry.originalSource, line: entry.originalLine + 1 };
  };
}

export function summarizeProfile(profile: CpuProfile, root: string, top = 15, locate?: Locate): ProfileSummary {
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const keyOf = new Map(
    profile.nodes.map((node) => {
      const { functionName, url: ranUrl, lineNumber, columnNumber } = node.callFrame;
      // Packages keep the JavaScript position: that file exists, their sources usually do not.
      const source = ranUrl.includes("/node_modules/") ? undefined : locate?.(ranUrl, lineNumber, columnNumber ?? 0);
      const url = source?.url ?? ranUrl;
      const short = shortUrl(url, root);
      const line = source?.line ?? lineNumber + 1;
      return [node.id, { fn: `${functionName || "(anonymous)"} ${short ? `${short}:${line}` : ""}`.trim(), file: fileGroup(short, url) }];
    }),
  );

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const files = new Map<string, number>();
  let totalMs = 0;
  samples.forEach((id, i) => {
    // The delta before sample i+1 is the time sample i stood for; the last one has none.
    const ms = (deltas[i + 1] ?? 0) / 1000;
    totalMs += ms;
    const key = keyOf.get(id)!;
    self.set(key.fn, (self.get(key.fn) ?? 0) + ms);
    files.set(key.file, (files.get(key.file) ?? 0) + ms);
    const onStack = new Set<string>();
    for (let node: number | undefined = id; node !== undefined && byId.has(node); node = parentOf.get(node)) onStack.add(keyOf.get(node)!.fn);
    for (const fn of onStack) inclusive.set(fn, (inclusive.get(fn) ?? 0) + ms);
  });
  for (const idle of ["(idle)", "(program)", "(root)"]) inclusive.delete(idle);
  return { totalMs, selfTime: ranked(self, totalMs, top), totalTime: ranked(inclusive, totalMs, top), byFile: ranked(files, totalMs, top) };
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))),
  );
}

export interface StageProfile {
  stage: MeasuredName;
  file: string;
  summary: ProfileSummary;
}

/** A stage hook that profiles every stage it wraps into `<dir>/<label>-<stage>.cpuprofile`. */
export function profilingHook(dir: string, label: string, root: string, collected: StageProfile[]): StageHook {
  return async (stage, run) => {
    fs.mkdirSync(dir, { recursive: true });
    const session = new Session();
    session.connect();
    try {
      await post(session, "Profiler.enable");
      // 250 µs: fine enough for stages of tens of milliseconds, coarse enough not to dominate.
      await post(session, "Profiler.setSamplingInterval", { interval: 250 });
      await post(session, "Profiler.start");
      const result = await run();
      const { profile } = await post<{ profile: CpuProfile }>(session, "Profiler.stop");
      const file = path.join(dir, `${label}-${stage}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(profile));
      collected.push({ stage, file, summary: summarizeProfile(profile, root, 15, sourceMapLocator()) });
      return result;
    } finally {
      session.disconnect();
    }
  };
}
