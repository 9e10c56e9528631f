/**
 * The dispatch benchmark (libevent's test/bench.c method): bench.c against Debian's libevent
 * 2.1.12 and bench.ts against libevent-ts, for each backend, number of socketpairs n and number of
 * active pairs a; the median of each program's 25 runs, and TS/C.
 */
import { readFileSync } from "node:fs";
import type { BenchOptions } from "../run.js";
import { benchDir, buildC } from "../common/cbuild.js";
import { howItFailed, runProgram } from "../common/child.js";
import { idle, log, status } from "../common/progress.js";
import type { DispatchResult, DispatchRow, DispatchSide } from "../common/results.js";
import { summarize } from "../common/stats.js";
import { fmt, printTable, type Cell } from "../common/table.js";

const BACKENDS = ["epoll", "io_uring", "poll", "select"] as const;
/**
 * Backends measured in steady state too: those that should stay flat in n. C libevent has no
 * io_uring: bench.c runs on epoll in io_uring's rows (the fastest C there is to compare with).
 */
const STEADY_BACKENDS: readonly string[] = ["epoll", "io_uring"];
const cMethod = (backend: string) => (backend === "io_uring" ? "epoll" : backend);
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

/**
 * Whether bench.ts can make a base on `backend` here: null if so, else why not (its stderr), as
 * where seccomp or kernel.io_uring_disabled refuses io_uring_setup.
 */
async function probe(backend: string): Promise<string | null> {
  const r = await runProgram("sh", tsCommand(NODE_FDS + 50, benchArgs(1, 1, 0, backend)), PROGRAM_LIMIT_MS);
  if (r.code === 0) return null;
  return r.stderr.split("\n").filter((l) => l.trim() !== "").pop() ?? howItFailed(r, PROGRAM_LIMIT_MS);
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

/** Runs 13 to 25 of a program: by then V8 has optimised the loop (the first runs are much slower). */
const WARM_FROM = 12;

/** One side's figures from its programs' run times. */
function side(runs: number[][]): DispatchSide {
  return { runs, all: summarize(runs.flat()), warm: summarize(runs.flatMap((t) => t.slice(WARM_FROM))) };
}

const med = (s: DispatchSide, which: "all" | "warm" = "all") => s[which]?.median ?? NaN;

export async function run(opts: BenchOptions): Promise<DispatchResult> {
  const cBench = await buildC("dispatch-bench", "dispatch/bench.c", ["-levent_core"]);

  // bench.c needs 2n + 50 fds. Where the hard limit is below 20,050 the largest n is smaller.
  const hard = hardNofile();
  const nBig = Math.min(10_000, Math.floor((hard - 50) / 2));
  const ns = opts.quick ? [100, 1000] : [100, 400, 1000, nBig];
  const actives = opts.quick ? [1] : [1, 100];
  const selectMax = Math.floor((FD_SETSIZE - NODE_FDS) / 2);
  // The machine is shared: C and TS alternate, and each median pools `rounds` programs' 25 runs.
  const rounds = opts.quick ? 1 : 3;
  const steadyToo = !opts.quick;

  const method = `bench.c (C libevent) and bench.ts (libevent-ts), -w ${NUM_WRITES}, ${rounds} program(s) x 25 runs each, ` +
    `C and TS alternating: median µs per run (event dispatch + callbacks)`;
  const notes: string[] = [];
  if (nBig < 10_000)
    notes.push(`n = 10,000 needs 20,050 fds but the hard RLIMIT_NOFILE here is ${hard}: the largest n is ${fmt(nBig)}`);
  notes.push(`select runs only where every fd fits FD_SETSIZE (${FD_SETSIZE}): n <= ${selectMax}; skipped for n > ${selectMax}`);
  log(method);
  for (const n of notes) log(`note: ${n}`);

  // io_uring only where this kernel lets a program set up a ring (seccomp, io_uring_disabled).
  const uring = await probe("io_uring");
  if (uring !== null) notes.push(`io_uring skipped: ${uring}`);
  else notes.push("io_uring rows: bench.ts on io_uring against bench.c on epoll (C libevent has no io_uring)");
  log(`note: ${notes[notes.length - 1]}`);

  const cases: { backend: (typeof BACKENDS)[number]; n: number; a: number }[] = [];
  for (const backend of BACKENDS)
    for (const n of ns)
      if (!(backend === "select" && n > selectMax) && !(backend === "io_uring" && uring !== null))
        for (const a of actives) cases.push({ backend, n, a });
  const programsPerCase = 2 * rounds * (steadyToo ? 2 : 1);
  const totalPrograms = cases.reduce((t, c) => t + (STEADY_BACKENDS.includes(c.backend) ? programsPerCase : 2 * rounds), 0);
  let started = 0;

  const rows: DispatchRow[] = [];
  for (const { backend, n, a } of cases) {
    const limit = Math.min(hard, 2 * n + 50 + NODE_FDS);
    const label = `${backend} n=${fmt(n)} a=${a}`;
    const runOne = (prog: "bench.c" | "bench.ts", args: string[], what: string) => {
      status(`dispatch [${++started}/${totalPrograms}] ${label}: ${prog} ${what}`);
      return prog === "bench.c"
        ? runTimes(`bench.c ${args.join(" ")}`, cBench, args)
        : runTimes(`bench.ts ${args.join(" ")}`, "sh", tsCommand(limit, args));
    };
    // C and TS alternate, `rounds` programs a side: one program each would measure one minute of
    // the shared machine against another. Their run times, pooled per side, for w writes.
    const alternate = async (w: number, what: string) => {
      const cTimes: number[][] = [], tsTimes: number[][] = [];
      for (let round = 0; round < rounds; round++) {
        const which = `${what}(${round + 1} of ${rounds})`;
        cTimes.push(await runOne("bench.c", benchArgs(n, a, w, cMethod(backend)), which));
        tsTimes.push(await runOne("bench.ts", benchArgs(n, a, w, backend), which));
      }
      return { c: side(cTimes), ts: side(tsTimes) };
    };
    const { c, ts } = await alternate(NUM_WRITES, "");
    const row: DispatchRow = {
      backend, n, a, writes: NUM_WRITES, c, ts,
      ratio: { all: med(ts) / med(c), warm: med(ts, "warm") / med(c, "warm") },
      steady: null,
    };
    if (STEADY_BACKENDS.includes(backend) && steadyToo) {
      const pass = await alternate(STEADY_WRITES, `-w ${fmt(STEADY_WRITES)} `);
      row.steady = { writes: STEADY_WRITES, c: pass.c, ts: pass.ts, ratio: med(pass.ts) / med(pass.c) };
    }
    rows.push(row);
    const steady = row.steady ? `; steady: C ${fmt(med(row.steady.c))}, TS ${fmt(med(row.steady.ts))}` : "";
    log(`  ${label}: C ${fmt(med(c))} µs, TS ${fmt(med(ts))} µs, TS/C ${fmt(row.ratio.all, 2)}x ` +
      `(warm: C ${fmt(med(c, "warm"))}, TS ${fmt(med(ts, "warm"))}${steady})`);
  }
  idle();

  log();
  const x = (r: number) => `${fmt(r, 2)}x`;
  printTable(
    ["backend", "n", "a", "C µs", "TS µs", "TS/C", "warm: C µs", "TS µs", "TS/C", "steady: C µs", "TS µs", "TS/C"],
    rows.map((r): Cell[] => [
      r.backend, fmt(r.n), r.a, fmt(med(r.c)), fmt(med(r.ts)), x(r.ratio.all),
      fmt(med(r.c, "warm")), fmt(med(r.ts, "warm")), x(r.ratio.warm),
      r.steady ? fmt(med(r.steady.c)) : "", r.steady ? fmt(med(r.steady.ts)) : "", r.steady ? x(r.steady.ratio) : "",
    ]),
  );
  log(`(C, TS: median of every run, bench.c's figure; warm: runs ${WARM_FROM + 1} to 25 only; ` +
    `steady: -w ${fmt(STEADY_WRITES)}, ${rounds} programs each, alternating, epoll and io_uring; io_uring's C figures are C libevent's epoll; ` +
    `TS/C above 1 means libevent-ts is slower)`);
  summarize_(rows, ns);
  return { method, programs: rounds, runsPerProgram: 25, notes, rows };
}

/** Growth of time with n per backend, and how far libevent-ts is from C on epoll. */
function summarize_(rows: readonly DispatchRow[], ns: readonly number[]): void {
  const at = (backend: string, n: number, a: number) => rows.find((r) => r.backend === backend && r.n === n && r.a === a);
  log();
  for (const a of new Set(rows.map((r) => r.a))) {
    const parts: string[] = [];
    for (const backend of BACKENDS) {
      const sizes = ns.filter((n) => at(backend, n, a));
      if (sizes.length < 2) continue;
      const lo = at(backend, sizes[0]!, a)!, hi = at(backend, sizes[sizes.length - 1]!, a)!;
      parts.push(`${backend} (n ${fmt(lo.n)} -> ${fmt(hi.n)}) C ${fmt(med(hi.c) / med(lo.c), 1)}x, TS ${fmt(med(hi.ts) / med(lo.ts), 1)}x`);
    }
    log(`time grows with n, a=${a}: ${parts.join("; ")} (epoll should stay flat; poll and select scan every fd)`);
  }
  for (const backend of STEADY_BACKENDS) {
    const these = rows.filter((r) => r.backend === backend);
    if (!these.length) continue;
    const worst = (xs: number[]) => `${fmt(Math.max(...xs), 2)}x`;
    const steady = these.flatMap((r) => (r.steady ? [r.steady.ratio] : []));
    log(`libevent-ts time over C's on ${backend}${backend === "epoll" ? "" : " (C: epoll)"}, worst n: ` +
      `${worst(these.map((r) => r.ratio.all))} over all runs, ` +
      `${worst(these.map((r) => r.ratio.warm))} once warm` + (steady.length ? `, ${worst(steady)} in steady state` : ""));
  }
}
