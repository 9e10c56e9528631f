/** A process's CPU time, read from procfs. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

let ticksPerSecond = 0;

/** Clock ticks per second of /proc times (sysconf(_SC_CLK_TCK), usually 100). */
function clkTck(): number {
  if (ticksPerSecond === 0) ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  return ticksPerSecond;
}

/**
 * User plus system CPU time of process `pid` (all its threads) in microseconds, from its
 * /proc stat file (utime and stime, fields 14 and 15). Resolution is one clock tick (10 ms at
 * 100 Hz), so measure runs long enough.
 */
export function cpuTimeUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1e6) / clkTck();
}
