/**
 * The dispatch benchmark (libevent's test/bench.c method): bench.c against Debian's libevent
 * 2.1.12 and bench.ts against libevent-ts, for each backend, number of socketpairs n and number of
 * active pairs a; the median of each program's 25 runs, and TS/C.
 */
import { existsSync, readFileSync } from "node:fs";
import type { BenchOptions } from "../run.js";
import { benchDir, buildC } from "../common/cbuild.js";
import { runProgram } from "../common/child.js";
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

/** The names bench.ts imports; the TS side is skipped while libevent-ts lacks any of them. */
const NEEDED = {
  "libevent-ts/event2/event": [
    "EV_PERSIST", "EV_READ", "EVLOOP_NONBLOCK", "EVLOOP_ONCE", "event", "event_add", "event_assign",
    "event_base_loop", "event_base_new", "event_base_new_with_config", "event_config_avoid_method",
    "event_config_free", "event_config_new", "event_del", "event_get_supported_methods",
    "event_get_version", "event_initialized",
  ],
  "libevent-ts/event2/util": [
    "AF_UNIX", "SOCK_STREAM", "evutil_gettimeofday", "evutil_socketpair", "evutil_timersub", "read",
    "strerror", "timeval", "write",
  ],
};

/** Why the TS side cannot run yet, or null when it can. */
async function tsMissing(): Promise<string | null> {
  const missing: string[] = [];
  for (const [spec, names] of Object.entries(NEEDED)) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(spec)) as Record<string, unknown>;
    } catch (err) {
      return `${spec} does not load: ${err instanceof Error ? err.message : String(err)}`;
    }
    for (const n of names) if (!(n in mod)) missing.push(n);
  }
  if (missing.length === 0) return null;
  const some = missing.slice(0, 6).join(", ") + (missing.length > 6 ? `, ... (${missing.length} names)` : "");
  return `libevent-ts does not export ${some} yet`;
}

/** The hard RLIMIT_NOFILE of this process (what a child may raise its limit to). */
function hardNofile(): number {
  const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max open files"));
  const hard = line?.trim().split(/\s+/)[4];
  return hard === "unlimited" ? Number.MAX_SAFE_INTEGER : Number(hard);
}

/** A bench program's 25 microsecond lines; throws with its stderr when it failed. */
async function runTimes(what: string, cmd: string, args: readonly string[]): Promise<number[]> {
  const r = await runProgram(cmd, args, PROGRAM_LIMIT_MS);
  const times = r.stdout.split("\n").filter((l) => /^\d+$/.test(l)).map(Number);
  if (r.code !== 0 || times.length !== 25) {
    const why = r.timedOut ? `did not finish in ${PROGRAM_LIMIT_MS / 1000} s` : `exited with ${r.code ?? r.signal}`;
    throw new Error(`${what} ${why} after ${times.length} runs:\n${r.stderr.split("\n").filter((l) => !l.startsWith("Xcount")).join("\n")}`);
  }
  return times;
}

interface Row {
  backend: string;
  n: number;
  a: number;
  /** Medians of all runs (bench.c's method). */
  c: number;
  ts: number | null;
  /** Medians of the second half of each program's runs (13 to 25), after the JIT has warmed up. */
  cWarm: number;
  tsWarm: number | null;
  /** Medians of 25 runs with -w STEADY_WRITES, per write (epoll only; null where not run). */
  cSteady: number | null;
  tsSteady: number | null;
}

/** Runs 13 to 25 of a program: by then V8 has optimised the loop (the first runs are much slower). */
const WARM_FROM = 12;

export async function run(opts: BenchOptions): Promise<void> {
  const cBench = await buildC("dispatch-bench", "dispatch/bench.c", ["-levent_core"]);
  const tsBench = `${benchDir}dispatch/bench.ts`;
  const tsWhyNot = existsSync(tsBench) ? await tsMissing() : "bench/dispatch/bench.ts does not exist yet";

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
  if (tsWhyNot) console.log(`note: TS side skipped: ${tsWhyNot}`);

  const rows: Row[] = [];
  for (const backend of BACKENDS) {
    for (const n of ns) {
      if (backend === "select" && n > selectMax) continue;
      for (const a of actives) {
        const args = ["-n", String(n), "-a", String(a), "-w", String(NUM_WRITES), "-m", backend];
        // Node cannot setrlimit: the shell raises the soft limit, within the hard one, first.
        const limit = Math.min(hard, 2 * n + 50 + NODE_FDS);
        const script = `ulimit -n ${limit} && exec "$0" --import tsx "$@"`;
        const cTimes: number[][] = [], tsTimes: number[][] = [];
        for (let round = 0; round < rounds; round++) {
          cTimes.push(await runTimes(`bench.c ${args.join(" ")}`, cBench, args));
          if (!tsWhyNot)
            tsTimes.push(await runTimes(`bench.ts ${args.join(" ")}`, "sh", ["-c", script, process.execPath, tsBench, ...args]));
        }
        const all = (xs: number[][]) => median(xs.flat());
        const warm = (xs: number[][]) => median(xs.flatMap((t) => t.slice(WARM_FROM)));
        const row: Row = {
          backend, n, a,
          c: all(cTimes), ts: tsWhyNot ? null : all(tsTimes),
          cWarm: warm(cTimes), tsWarm: tsWhyNot ? null : warm(tsTimes),
          cSteady: null, tsSteady: null,
        };
        if (backend === "epoll" && !tsWhyNot && !opts.quick) {
          const steadyArgs = ["-n", String(n), "-a", String(a), "-w", String(STEADY_WRITES), "-m", backend];
          row.cSteady = median(await runTimes(`bench.c ${steadyArgs.join(" ")}`, cBench, steadyArgs));
          row.tsSteady = median(await runTimes(`bench.ts ${steadyArgs.join(" ")}`, "sh", ["-c", script, process.execPath, tsBench, ...steadyArgs]));
        }
        rows.push(row);
        console.log(`  ${backend} n=${n} a=${a}: C ${fmt(row.c)} µs${row.ts === null ? "" : `, TS ${fmt(row.ts)} µs (warm: C ${fmt(row.cWarm)}, TS ${fmt(row.tsWarm)})`}`);
      }
    }
  }

  console.log();
  const x = (ts: number | null, c: number) => (ts === null ? null : `${fmt(ts / c, 2)}x`);
  printTable(
    ["backend", "n", "a", "C µs", "TS µs", "TS/C", "warm: C µs", "TS µs", "TS/C", "steady: C µs", "TS µs", "TS/C"],
    rows.map((r): Cell[] => [
      r.backend, fmt(r.n), r.a, fmt(r.c), fmt(r.ts), x(r.ts, r.c), fmt(r.cWarm), fmt(r.tsWarm), x(r.tsWarm, r.cWarm),
      r.cSteady === null ? "" : fmt(r.cSteady), r.tsSteady === null ? "" : fmt(r.tsSteady),
      r.cSteady === null ? "" : x(r.tsSteady, r.cSteady),
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
      const ts = lo.ts !== null && hi.ts !== null ? `, TS ${fmt(hi.ts / lo.ts, 1)}x` : "";
      parts.push(`${backend} (n ${fmt(lo.n)} -> ${fmt(hi.n)}) C ${fmt(hi.c / lo.c, 1)}x${ts}`);
    }
    console.log(`growth of time with n, a=${a}: ${parts.join("; ")}`);
  }
  const epoll = rows.filter((r) => r.backend === "epoll" && r.ts !== null);
  if (epoll.length) {
    const worst = Math.max(...epoll.map((r) => r.ts! / r.c));
    const worstWarm = Math.max(...epoll.map((r) => r.tsWarm! / r.cWarm));
    const verdict = (w: number) => `${fmt(w, 2)}x -> ${w <= 1.5 ? "met" : "NOT met"}`;
    const steady = epoll.filter((r) => r.cSteady !== null);
    const worstSteady = steady.length ? `; ${verdict(Math.max(...steady.map((r) => r.tsSteady! / r.cSteady!)))} (steady)` : "";
    console.log(`target (issue 2) TS within 1.5x of C on epoll at every n: worst ${verdict(worst)} (all runs); ${verdict(worstWarm)} (warm)${worstSteady}`);
  }
}
