/**
 * The JSON file of `npm run bench -- --json FILE`: where and when the figures were taken, and
 * every figure of every benchmark that ran (raw samples, the derived medians and ratios). The
 * charts (bench/draw-charts.ts) are drawn from this file alone.
 *
 * Nothing here names the machine (no host name, no path): the file may be committed.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname } from "node:path";
import { root } from "./cbuild.js";
import type { Summary } from "./stats.js";

/** Bumped when a field changes meaning. */
export const FORMAT = "libevent-ts-bench/1";

/** The dispatch benchmark: bench.c vs bench.ts, µs per run. */
export interface DispatchSide {
  /** Each program's 25 run times (µs), one array per program. */
  runs: number[][];
  /** All runs (bench.c's figure is their median). */
  all: Summary | null;
  /** Runs 13 to 25 of each program (after V8 has optimised the loop). */
  warm: Summary | null;
}
export interface DispatchRow {
  backend: "epoll" | "io_uring" | "poll" | "select";
  /** Socketpairs, active pairs, writes per run. */
  n: number;
  a: number;
  writes: number;
  c: DispatchSide;
  ts: DispatchSide;
  /** libevent-ts median / C median (> 1: libevent-ts is slower). */
  ratio: { all: number; warm: number };
  /** The same with many writes per run (epoll only): the cost once V8 has compiled the loop. */
  steady: { writes: number; c: DispatchSide; ts: DispatchSide; ratio: number } | null;
}
export interface DispatchResult {
  method: string;
  programs: number;
  runsPerProgram: number;
  notes: string[];
  rows: DispatchRow[];
}

/** The evbuffer benchmark: operations per second. */
export interface EvbufferCase {
  name: string;
  label: string;
  c: { samples: number[]; summary: Summary | null };
  ts: { samples: number[]; summary: Summary | null };
  /** libevent-ts median / C median (< 1: libevent-ts is slower). */
  ratio: number;
}
export interface EvbufferResult {
  method: string;
  rounds: number;
  cases: EvbufferCase[];
}

/** One load-generator run against one server. */
export interface ServerSample {
  rep: number;
  /** Connections or round trips per second, as loadgen measured. */
  rate: number;
  /** Connections or round trips completed. */
  ops: number;
  /** Server CPU time (user + system, µs) during the run, and per operation. */
  cpuUs: number;
  cpuPerOp: number;
  /** Per-thread CPU (µs) during the run, busiest first, where the benchmark reads it. */
  threads?: { tid: number; name: string; cpuUs: number }[];
  failures: number;
}
export interface ServerRow {
  /** "C libevent", "libevent-ts", "libevent-ts async", "Node net", or a threaded configuration. */
  server: string;
  command: string;
  samples: ServerSample[];
  rate: Summary | null;
  cpuPerOp: Summary | null;
  /** Medians of the per-repetition rate ratios to the named servers (NaN where not measured). */
  ratios: Record<string, number>;
  /** C libevent's median CPU µs/op over this server's (its efficiency relative to C). */
  cCpuOverIts: number | null;
}
export interface ServerTest {
  name: string;
  kind: "hello" | "echo";
  /** What one operation is ("connection", "round trip"). */
  op: string;
  loadgen: string[];
  rows: ServerRow[];
}
/** The threaded echo server: one row per mode and thread count. */
export interface ThreadRow {
  mode: "memcached" | "reuseport";
  threads: number;
  command: string;
  samples: ServerSample[];
  rate: Summary | null;
  cpuPerOp: Summary | null;
  /** Median per-thread share of the server's CPU, busiest first (name, share 0..1). */
  split: { name: string; share: number }[];
  /** Connections each worker served (warm-up included), as the server printed them on SIGINT; null if it did not. */
  connections: number[] | null;
  /** Median of the per-repetition rate ratios to the same mode with 1 thread. */
  ratioToOne: number;
}
export interface ServersResult {
  method: string;
  reps: number;
  tests: ServerTest[];
  skipped: string[];
  threads: { loadgen: string[]; reps: number; rows: ThreadRow[]; skipped: string | null } | null;
}

export interface Results {
  format: string;
  /** ISO 8601, when the run started and ended. */
  started: string;
  finished: string | null;
  quick: boolean;
  machine: {
    os: string;
    arch: string;
    cpu: string;
    cpus: number;
    memoryGiB: number;
    /** 1-minute load average when the run started and ended: how busy the machine was. */
    loadStart: number;
    loadEnd: number | null;
  };
  software: {
    node: string;
    v8: string;
    libevent: string | null;
    libeventTs: string;
    /** The project's commit (with "+" when the work tree had changes). */
    commit: string | null;
  };
  benchmarks: {
    dispatch?: DispatchResult;
    evbuffer?: EvbufferResult;
    servers?: ServersResult;
  };
}

function tryRun(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  } catch {
    return null;
  }
}

/** A new results record for a run starting now. */
export function newResults(quick: boolean): Results {
  const cpus = os.cpus();
  const commit = tryRun("git", ["rev-parse", "--short", "HEAD"]);
  const dirty = tryRun("git", ["status", "--porcelain", "--untracked-files=no"]);
  const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as { version: string };
  return {
    format: FORMAT,
    started: new Date().toISOString(),
    finished: null,
    quick,
    machine: {
      os: `${os.type()} ${os.release()}`,
      arch: os.arch(),
      cpu: cpus[0]?.model.trim() ?? "unknown",
      cpus: cpus.length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      loadStart: os.loadavg()[0]!,
      loadEnd: null,
    },
    software: {
      node: process.version,
      v8: process.versions.v8,
      libevent: tryRun("pkg-config", ["--modversion", "libevent_core"]),
      libeventTs: pkg.version,
      commit: commit === null ? null : `${commit}${dirty ? "+" : ""}`,
    },
    benchmarks: {},
  };
}

/** NaN and Infinity are not JSON: they are written as null. */
function replacer(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? null : value;
}

/** Writes `results` to `file` (pretty-printed, numbers as measured). */
export function writeResults(file: string, results: Results): void {
  results.machine.loadEnd = os.loadavg()[0]!;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, replacer, 1)}\n`);
}

/** Reads a results file, checking that it is one. */
export function readResults(file: string): Results {
  const data = JSON.parse(readFileSync(file, "utf8")) as Results;
  if (data?.format !== FORMAT) throw new Error(`${file} is not a bench results file (format "${String(data?.format)}", expected "${FORMAT}")`);
  return data;
}
