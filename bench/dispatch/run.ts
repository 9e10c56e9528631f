/**
 * The dispatch benchmark (libevent's test/bench.c method): bench.c against Debian's libevent
 * 2.1.12 and bench.ts against libevent-ts, for each backend, number of socketpairs n and number of
 * active pairs a; the median of each program's 25 runs, and TS/C.
 */
import { readFileSync } from "node:fs";
import type { BenchOptions } from "../run.js";
import { benchDir, buildC } from "../common/cbuild.js";
import { howItFailed, runProgram } from "../common/child.js";
import { median } from "../common/stats.js";
import { fmt, printTable, type Cell } from "../common/table.js";

const BACKENDS = ["epoll", "poll", "select"] as const;
const NUM_WRITES = 100;
/**
 * The steady-state pass: the same programs with many more writes per run, so that V8 has
 * optimised the loop after the first run or two. bench.c's method with w = 100 makes only about
 * 2,500 loop iterations in all, most of them before V8 has compiled the hot path.
 */
const STEADY_WRITES = 10_000;
/** glibc's fd_set holds fds 0..1023; select refuses (C libevent aborts on) any fd beyond. */
const FD_SETSIZE = 1024;
/** fds a Node process (with tsx) holds besides the socketpairs, rounded up. */
const NODE_FDS = 64;
/** Time limit for one program (25 runs). */
const PROGRAM_LIMIT_MS = 180_000;
const TS_BENCH = `${benchDir}dispatch/bench.ts`;

/** The hard RLIMIT_NOFILE of this process (what a child may raise its limit to). */
function hardNofile(): number {
  const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max open files"));
  const hard = line?.trim().split(/\s+/)[4];
  return hard === "unlimited" ? Number.MAX_SAFE_INTEGER : Number(hard);
}

/** The arguments of bench.c and bench.ts: n socketpairs, a of them active, w writes, on `backend`. */
function benchArgs(n: number, a: number, w: number, backend: string): string[] {
  return ["-n", String(n), "-a", String(a), "-w", String(w), "-m", backend];
}

/**
 * `sh`'s arguments that run bench.ts with tsx: Node cannot setrlimit, so the shell first raises the
 * soft limit on open files to `limit` (within the hard one).
 */
function tsCommand(limit: number, args: readonly string[]): string[] {
  return ["-c", `ulimit -n ${limit} && exec "$0" --import tsx "$@"`, process.execPath, TS_BENCH, ...args];
}

/** A bench program's 25 microsecond lines; throws with its stderr when it failed. */
async function runTimes(what: string, cmd: string, args: readonly string[]): Promise<number[]> {
  const r = await runProgram(cmd, args, PROGRAM_LIMIT_MS);
  const times = r.stdout.split("\n").filter((l) => /^\d+$/.test(l)).map(Number);
  if (r.code !== 0 || times.length !== 25) {
    throw new Error(`${what} ${howItFailed(r, PROGRAM_LIMIT_MS)} after ${times.length} runs:\n${r.stderr.split("\n").filter((l) => !l.startsWith("Xcount")).join("\n")}`);
  }
  return times;
}

interface Row {
  backend: string;
  n: number;
  a: number;
  /** Medians of all runs (bench.c's method). */
  c: number;
  ts: number;
  /** Medians of the second half of each program's runs (13 to 25), after the JIT has warmed up. */
  cWarm: number;
  tsWarm: number;
  /** Medians of 25 runs with -w STEADY_WRITES (epoll only; null where not run). */
  steady: { c: number; ts: number } | null;
}

/** Runs 13 to 25 of a program: by then V8 has optimised the loop (the first runs are much slower). */
const WARM_FROM = 12;

export async function run(opts: BenchOptions): Promise<void> {
  const cBench = await buildC("dispatch-bench", "dispatch/bench.c", ["-levent_core"]);

  // bench.c needs 2n + 50 fds. Where the hard limit is below 20,050 the largest n is smaller.
  const hard = hardNofile();
  const nBig = Math.min(10_000, Math.floor((hard - 50) / 2));
  const ns = opts.quick ? [100, 1000] : [100, 400, 1000, nBig];
  const actives = opts.quick ? [1] : [1, 100];
  const selectMax = Math.floor((FD_SETSIZE - NODE_FDS) / 2);
  // The machine is shared: C and TS alternate, and each median pools `rounds` programs' 25 runs.
  const rounds = opts.quick ? 1 : 3;

  console.log(`bench.c and bench.ts, -w ${NUM_WRITES}, ${rounds} x 25 runs each, C and TS alternating: median µs per run (event dispatch + callbacks)`);
  if (nBig < 10_000)
    console.log(`note: n = 10,000 needs 20,050 fds but the hard RLIMIT_NOFILE here is ${hard}: the largest n is ${fmt(nBig)}`);
  console.log(`note: select runs only where every fd fits FD_SETSIZE (${FD_SETSIZE}): n <= ${selectMax}; skipped for n > ${selectMax}`);

  const rows: Row[] = [];
  for (const backend of BACKENDS) {
    for (const n of ns) {
      if (backend === "select" && n > selectMax) continue;
      for (const a of actives) {
        const limit = Math.min(hard, 2 * n + 50 + NODE_FDS);
        const runC = (args: string[]) => runTimes(`bench.c ${args.join(" ")}`, cBench, args);
        const runTs = (args: string[]) => runTimes(`bench.ts ${args.join(" ")}`, "sh", tsCommand(limit, args));
        const args = benchArgs(n, a, NUM_WRITES, backend);
        const cTimes: number[][] = [], tsTimes: number[][] = [];
        for (let round = 0; round < rounds; round++) {
          cTimes.push(await runC(args));
          tsTimes.push(await runTs(args));
        }
        const all = (xs: number[][]) => median(xs.flat());
        const warm = (xs: number[][]) => median(xs.flatMap((t) => t.slice(WARM_FROM)));
        const row: Row = {
          backend, n, a,
          c: all(cTimes), ts: all(tsTimes),
          cWarm: warm(cTimes), tsWarm: warm(tsTimes),
          steady: null,
        };
        if (backend === "epoll" && !opts.quick) {
          const steadyArgs = benchArgs(n, a, STEADY_WRITES, backend);
          row.steady = { c: median(await runC(steadyArgs)), ts: median(await runTs(steadyArgs)) };
        }
        rows.push(row);
        console.log(`  ${backend} n=${n} a=${a}: C ${fmt(row.c)} µs, TS ${fmt(row.ts)} µs (warm: C ${fmt(row.cWarm)}, TS ${fmt(row.tsWarm)})`);
      }
    }
  }

  console.log();
  const x = (ts: number, c: number) => `${fmt(ts / c, 2)}x`;
  printTable(
    ["backend", "n", "a", "C µs", "TS µs", "TS/C", "warm: C µs", "TS µs", "TS/C", "steady: C µs", "TS µs", "TS/C"],
    rows.map((r): Cell[] => [
      r.backend, fmt(r.n), r.a, fmt(r.c), fmt(r.ts), x(r.ts, r.c), fmt(r.cWarm), fmt(r.tsWarm), x(r.tsWarm, r.cWarm),
      r.steady ? fmt(r.steady.c) : "", r.steady ? fmt(r.steady.ts) : "", r.steady ? x(r.steady.ts, r.steady.c) : "",
    ]),
  );
  console.log(`(all runs: bench.c's median of 25; warm: runs ${WARM_FROM + 1} to 25 only; steady: -w ${fmt(STEADY_WRITES)}, median of 25, epoll only)`);
  summarize(rows, ns);
}

/** Growth with n per backend, and the targets of issue 2. */
function summarize(rows: readonly Row[], ns: readonly number[]): void {
  const at = (backend: string, n: number, a: number) => rows.find((r) => r.backend === backend && r.n === n && r.a === a);
  console.log();
  for (const a of new Set(rows.map((r) => r.a))) {
    const parts: string[] = [];
    for (const backend of BACKENDS) {
      const sizes = ns.filter((n) => at(backend, n, a));
      if (sizes.length < 2) continue;
      const lo = at(backend, sizes[0]!, a)!, hi = at(backend, sizes[sizes.length - 1]!, a)!;
      parts.push(`${backend} (n ${fmt(lo.n)} -> ${fmt(hi.n)}) C ${fmt(hi.c / lo.c, 1)}x, TS ${fmt(hi.ts / lo.ts, 1)}x`);
    }
    console.log(`growth of time with n, a=${a}: ${parts.join("; ")}`);
  }
  const epoll = rows.filter((r) => r.backend === "epoll");
  if (epoll.length) {
    const worst = Math.max(...epoll.map((r) => r.ts / r.c));
    const worstWarm = Math.max(...epoll.map((r) => r.tsWarm / r.cWarm));
    const verdict = (w: number) => `${fmt(w, 2)}x -> ${w <= 1.5 ? "met" : "NOT met"}`;
    const steady = epoll.flatMap((r) => (r.steady ? [r.steady.ts / r.steady.c] : []));
    const worstSteady = steady.length ? `; ${verdict(Math.max(...steady))} (steady)` : "";
    console.log(`target (issue 2) TS within 1.5x of C on epoll at every n: worst ${verdict(worst)} (all runs); ${verdict(worstWarm)} (warm)${worstSteady}`);
  }
}
