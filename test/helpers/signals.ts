/**
 * Signal sources for the signal tests. libevent's tests arm setitimer(ITIMER_REAL) for a SIGALRM
 * that arrives while the loop waits; here a child `sh` sleeps and then kills this process, which
 * is just as asynchronous. SIGUSR1 belongs to Node's inspector, so the tests that use it in C use
 * SIGUSR2 here.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { onTestFinished } from "vitest";

/** Deliver `signal` to this process after `ms` milliseconds, from another process (setitimer). */
export function alarmAfter(ms: number, signal: NodeJS.Signals = "SIGALRM"): void {
  const sh = spawn("sh", ["-c", `sleep ${ms / 1000}; kill -${signal.slice(3)} ${process.pid}`], { stdio: "ignore" });
  // A test that ends early must not be hit by a late signal once the handler is gone.
  onTestFinished(() => {
    if (sh.exitCode === null && sh.signalCode === null) sh.kill("SIGKILL");
  });
}

/** `kill(getpid(), sig)` */
export function raise(sig: number): void {
  process.kill(process.pid, sig);
}

/** Is a handler installed for `sig` in process `pid`? (the SigCgt mask of /proc/<pid>/status) */
export function signalCaught(sig: number, pid: number | "self" = "self"): boolean {
  const m = /SigCgt:\s*([0-9a-f]+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (m === null) throw new Error("no SigCgt in /proc status");
  return (BigInt(`0x${m[1]}`) & (1n << BigInt(sig - 1))) !== 0n;
}
