/**
 * The evbuffer benchmark: bench.c against Debian's libevent 2.1.12 and bench.ts against
 * libevent-ts, same cases, same inputs, same counts, in this one run. The machine is shared, so
 * the two programs alternate for a few rounds, one case per program run, and each figure is the
 * median of every round of that side. Prints operations per second for both and TS/C.
 */
import type { BenchOptions } from "../run.js";
import { buildC } from "../common/cbuild.js";
import { howItFailed, runProgram } from "../common/child.js";
import { idle, log, status } from "../common/progress.js";
import type { EvbufferCase, EvbufferResult } from "../common/results.js";
import { summarize } from "../common/stats.js";
import { fmt, printTable } from "../common/table.js";

const CASES: readonly [string, string][] = [
  ["add_drain_64", "add + drain, 64 B pieces"],
  ["add_drain_4k", "add + drain, 4 KiB pieces"],
  ["add_drain_64k", "add + drain, 64 KiB pieces"],
  ["readln_crlf", "readln, 100-byte CRLF lines"],
  ["search_1m", "search \"\\r\\n\\r\\n\" in 1 MiB"],
  ["add_buffer_chains", "add_buffer of 64 chains"],
  ["remove_64", "add 64 B + remove into Uint8Array"],
  ["readln_lf", "readln, 40-byte LF lines"],
  ["add_printf", "add_printf \"%d %s %x\\r\\n\""],
  ["readln_one", "add + readln, one 40-byte LF line"],
];

/** Time limit for one program run. */
const PROGRAM_LIMIT_MS = 300_000;

/**
 * Runs one program (every case, 5 runs each) and adds its "<case> <ops/s>" lines to `into`;
 * `onCase` is told of each case as the program finishes it.
 */
async function runSide(what: string, cmd: string, args: readonly string[], into: Map<string, number[]>,
  onCase: (name: string) => void): Promise<void> {
  let last = "";
  const r = await runProgram(cmd, args, PROGRAM_LIMIT_MS, (line) => {
    const m = /^(\w+) (\d+)$/.exec(line);
    if (!m || !into.has(m[1]!)) return;
    into.get(m[1]!)!.push(Number(m[2]));
    if (last && m[1] !== last) onCase(last);
    last = m[1]!;
  });
  if (r.code !== 0) throw new Error(`${what} ${howItFailed(r, PROGRAM_LIMIT_MS)}:\n${r.stderr}`);
  if (last) onCase(last);
}

/** "39.9 M", "840 k", "11.6 k" */
function si(x: number): string {
  if (!Number.isFinite(x)) return "-";
  if (x >= 1e6) return `${fmt(x / 1e6, 1)} M`;
  if (x >= 1e4) return `${fmt(x / 1e3, x >= 1e5 ? 0 : 1)} k`;
  return fmt(x);
}

/** Builds bench.c, runs both programs alternately, and prints each case once its last round is in. */
export async function run(opts: BenchOptions): Promise<EvbufferResult> {
  const cBench = await buildC("evbuffer-bench", "evbuffer/bench.c", ["-levent_core"]);
  const quick = opts.quick ? ["-q"] : [];
  const rounds = opts.quick ? 1 : 3;
  const method = `bench.c (C libevent) and bench.ts (libevent-ts), ${rounds} round(s) of one program per side ` +
    `(every case, 5 runs each), alternating: median operations/s`;
  log(method);
  const c = new Map(CASES.map(([name]) => [name, [] as number[]]));
  const ts = new Map(CASES.map(([name]) => [name, [] as number[]]));
  const labels = new Map(CASES);
  const cases: EvbufferCase[] = [];
  const finish = (name: string) => {
    const row: EvbufferCase = {
      name, label: labels.get(name)!,
      c: { samples: c.get(name)!, summary: summarize(c.get(name)!) },
      ts: { samples: ts.get(name)!, summary: summarize(ts.get(name)!) },
      ratio: NaN,
    };
    row.ratio = (row.ts.summary?.median ?? NaN) / (row.c.summary?.median ?? NaN);
    cases.push(row);
    log(`  ${row.label}: C ${si(row.c.summary?.median ?? NaN)}/s, TS ${si(row.ts.summary?.median ?? NaN)}/s, TS/C ${fmt(row.ratio, 2)}`);
  };
  for (let round = 0; round < rounds; round++) {
    const step = (side: string) => (name: string) => {
      const k = CASES.findIndex(([n]) => n === name);
      const next = CASES[k + 1];
      if (next) status(`evbuffer round ${round + 1} of ${rounds}, ${side}: ${next[1]} (case ${k + 2} of ${CASES.length})`);
    };
    status(`evbuffer round ${round + 1} of ${rounds}, C libevent: ${CASES[0]![1]} (case 1 of ${CASES.length})`);
    await runSide("bench.c", cBench, quick, c, step("C libevent"));
    status(`evbuffer round ${round + 1} of ${rounds}, libevent-ts: ${CASES[0]![1]} (case 1 of ${CASES.length})`);
    const last = round === rounds - 1;
    await runSide("bench.ts", process.execPath, ["--import", "tsx", "bench/evbuffer/bench.ts", ...quick], ts, (name) => {
      if (last) finish(name);
      step("libevent-ts")(name);
    });
  }
  idle();
  log();
  printTable(
    ["case", "C ops/s", "TS ops/s", "TS/C"],
    cases.map((r) => [r.label, fmt(r.c.summary?.median), fmt(r.ts.summary?.median), fmt(r.ratio, 2)]),
  );
  log("(TS/C: libevent-ts operations per second over C libevent's; below 1 means libevent-ts is slower)");
  return { method, rounds, cases };
}
