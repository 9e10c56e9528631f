/**
 * The evbuffer benchmark: bench.c against Debian's libevent 2.1.12 and bench.ts against
 * libevent-ts, same cases, same inputs, same counts, in this one run. The machine is shared, so
 * the two programs alternate for a few rounds and each figure is the median of every round of
 * every run of that side. Prints operations per second for both and TS/C (target: 0.5 or more).
 */
import type { BenchOptions } from "../run.js";
import { buildC } from "../common/cbuild.js";
import { howItFailed, runProgram } from "../common/child.js";
import { median } from "../common/stats.js";
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
];

/** Time limit for one program run. */
const PROGRAM_LIMIT_MS = 300_000;

/** The "<case> <ops/s>" lines of one program run, by case. */
async function runSide(what: string, cmd: string, args: readonly string[], into: Map<string, number[]>): Promise<void> {
  const r = await runProgram(cmd, args, PROGRAM_LIMIT_MS);
  if (r.code !== 0) throw new Error(`${what} ${howItFailed(r, PROGRAM_LIMIT_MS)}:\n${r.stderr}`);
  for (const line of r.stdout.split("\n")) {
    const m = /^(\w+) (\d+)$/.exec(line);
    if (m) into.get(m[1]!)!.push(Number(m[2]));
  }
}

/** Build bench.c, run both programs alternately, and print the table. */
export async function run(opts: BenchOptions): Promise<void> {
  const cBench = await buildC("evbuffer-bench", "evbuffer/bench.c", ["-levent_core"]);
  const quick = opts.quick ? ["-q"] : [];
  const rounds = opts.quick ? 1 : 3;
  const c = new Map(CASES.map(([name]) => [name, [] as number[]]));
  const ts = new Map(CASES.map(([name]) => [name, [] as number[]]));
  console.log(`bench.c (libevent 2.1.12) and bench.ts (libevent-ts), ${rounds} round(s) of 5 runs per case, alternating: median operations/s`);
  for (let round = 0; round < rounds; round++) {
    await runSide("bench.c", cBench, quick, c);
    await runSide("bench.ts", process.execPath, ["--import", "tsx", "bench/evbuffer/bench.ts", ...quick], ts);
  }
  printTable(
    ["case", "C ops/s", "TS ops/s", "TS/C"],
    CASES.map(([name, label]) => {
      const cm = median(c.get(name)!);
      const tm = median(ts.get(name)!);
      return [label, fmt(cm), fmt(tm), fmt(tm / cm, 2)];
    }),
  );
}
