/** A process's CPU time, read from procfs: the whole process, or thread by thread. */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let ticksPerSecond = 0;

/** Clock ticks per second of /proc times (sysconf(_SC_CLK_TCK), usually 100). */
function clkTck(): number {
  if (ticksPerSecond === 0) ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  return ticksPerSecond;
}

/** utime + stime of a /proc stat file's text, in microseconds, and the command name. */
function parseStat(stat: string): { name: string; us: number } {
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
  const close = stat.lastIndexOf(")");
  const fields = stat.slice(close + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return { name: stat.slice(stat.indexOf("(") + 1, close), us: ((utime + stime) * 1e6) / clkTck() };
}

/**
 * User plus system CPU time of process `pid` (all its threads) in microseconds, from its
 * /proc stat file (utime and stime, fields 14 and 15). Resolution is one clock tick (10 ms at
 * 100 Hz), so measure runs long enough.
 */
export function cpuTimeUs(pid: number): number {
  return parseStat(readFileSync(`/proc/${pid}/stat`, "utf8")).us;
}

/** CPU time (µs) of each thread of process `pid` now, by thread id, from /proc/PID/task/TID/stat. */
export function threadTimesUs(pid: number): Map<number, { name: string; us: number }> {
  const out = new Map<number, { name: string; us: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(Number(tid), parseStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8")));
    } catch {
      // The thread ended between the listing and the read: it has nothing more to count.
    }
  }
  return out;
}

/**
 * CPU time each thread spent between two `threadTimesUs` readings, busiest first. A thread that
 * started in between counts from zero; one that ended is missing from `after` and not counted.
 */
export function threadDeltas(
  pid: number,
  before: Map<number, { name: string; us: number }>,
  after: Map<number, { name: string; us: number }>,
): { tid: number; name: string; cpuUs: number }[] {
  return [...after]
    .map(([tid, t]) => ({ tid, name: tid === pid ? "main" : t.name, cpuUs: t.us - (before.get(tid)?.us ?? 0) }))
    .sort((x, y) => y.cpuUs - x.cpuUs);
}
