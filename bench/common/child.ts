/**
 * Child processes of the benchmarks: every one started here is tracked until it has been reaped.
 * A server is stopped with SIGINT, then SIGTERM after a grace period (then SIGKILL as a last
 * resort); a program run to completion is killed the same way when it overruns its time limit.
 * If the runner itself is interrupted or fails, whatever is still running is stopped too.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { root } from "./cbuild.js";

const live = new Set<ChildProcess>();

/** SIGINT -> SIGTERM and SIGTERM -> SIGKILL delays when stopping a child. */
const GRACE_MS = 5000;
const TERM_MS = 2000;

/** Tracks a child until it exits; one that could not be started (no pid) has nothing to stop. */
function track(child: ChildProcess): void {
  if (child.pid === undefined) return;
  live.add(child);
  child.once("exit", () => live.delete(child));
}

/** Whether `child` has exited (with a code or by a signal). */
export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves when `child` has exited (and been reaped), or after `ms`; true if it exited. */
function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off("exit", onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once("exit", onExit);
  });
}

/** Stops `child`: SIGINT, SIGTERM after the grace period, SIGKILL if even that is ignored. */
export async function stopChild(child: ChildProcess): Promise<void> {
  for (const [signal, ms] of [["SIGINT", GRACE_MS], ["SIGTERM", TERM_MS], ["SIGKILL", TERM_MS]] as const) {
    if (exited(child)) return;
    child.kill(signal);
    if (await waitExit(child, ms)) return;
  }
}

/** Stops every child still running (used when a benchmark fails or the runner is interrupted). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map(stopChild));
}

/** A long-running child (a server) whose output is kept for error messages. */
export interface Server {
  readonly child: ChildProcess;
  readonly pid: number;
  /** What it printed so far (stdout and stderr, the last 4 KiB). */
  output(): string;
}

/** Starts a server process in the project's root (with `env` added to the environment); its output is collected, not shown. */
export function startServer(cmd: string, args: readonly string[], env?: Record<string, string>): Server {
  const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: env ? { ...process.env, ...env } : process.env });
  track(child);
  let out = "";
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-4096);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  child.on("error", (e) => keep(Buffer.from(`spawn error: ${e.message}\n`)));
  if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
  return { child, pid: child.pid, output: () => out };
}

/** The result of a program run to completion. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a program to completion in the project's root (where `node --import tsx` finds tsx),
 * stopping it if it has not finished within `timeoutMs`. `onLine`, if given, sees each line of its
 * standard output as it arrives.
 */
export async function runProgram(
  cmd: string,
  args: readonly string[],
  timeoutMs: number,
  onLine?: (line: string) => void,
): Promise<RunResult> {
  const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  track(child);
  let stdout = "";
  let stderr = "";
  let seen = 0;
  child.stdout!.on("data", (d: Buffer) => {
    stdout += d.toString();
    if (!onLine) return;
    // Each complete line, as it arrives (the caller shows progress with it).
    for (let nl = stdout.indexOf("\n", seen); nl >= 0; nl = stdout.indexOf("\n", seen)) {
      onLine(stdout.slice(seen, nl));
      seen = nl + 1;
    }
  });
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8192)));
  const spawnError = new Promise<void>((resolve) =>
    child.once("error", (e) => {
      stderr += `could not run ${cmd}: ${e.message}\n`;
      resolve();
    }),
  );
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let timedOut = false;
  const finished = await Promise.race([waitExit(child, timeoutMs), spawnError.then(() => true)]);
  if (!finished) {
    timedOut = true;
    await stopChild(child);
  }
  // Its output is complete once its pipes close (a grandchild holding them open is not waited for).
  if (child.pid !== undefined) await Promise.race([closed, new Promise((r) => setTimeout(r, 1000).unref())]);
  return { code: child.exitCode, signal: child.signalCode, stdout, stderr, timedOut };
}

/** How a run of runProgram with limit `timeoutMs` failed: "did not finish in N s" or "exited with CODE|SIGNAL". */
export function howItFailed(r: RunResult, timeoutMs: number): string {
  return r.timedOut ? `did not finish in ${timeoutMs / 1000} s` : `exited with ${r.code ?? r.signal}`;
}

let installed = false;

/** Makes sure children are stopped when the runner is interrupted or dies of an uncaught error. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  const bail = (why: string, code: number) => {
    console.error(`\n${why}: stopping ${live.size} child process(es)`);
    void stopAll().finally(() => process.exit(code));
  };
  process.once("SIGINT", () => bail("interrupted", 130));
  process.once("SIGTERM", () => bail("terminated", 143));
  process.on("exit", () => {
    for (const c of live) c.kill("SIGKILL"); // last resort: nothing may outlive the runner
  });
}
