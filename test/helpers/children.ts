/**
 * Example programs run as child processes, on the TypeScript sources (see src_hooks.mjs): start
 * one, wait for what it prints, connect to it, stop it. Every child is killed when the test ends.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import type { ChildProcess } from "node:child_process";
import { connect, createServer } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { onTestFinished } from "vitest";

export const root = fileURLToPath(new URL("../../", import.meta.url));
const hooks = pathToFileURL(fileURLToPath(new URL("./src_hooks.mjs", import.meta.url))).href;
/** tsx's loader by path, so that a child started in another directory finds it too. */
const tsx = pathToFileURL(`${root}node_modules/tsx/dist/loader.mjs`).href;
const register = `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(hooks)});`;

/** A running child and everything it printed so far. */
export interface child {
  proc: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves with the exit code (or the signal's name) once it has exited. */
  exited: Promise<number | string>;
}

/** The `node` arguments that run a TypeScript program on the sources. */
export function nodeArgs(file: string, args: readonly string[]): string[] {
  return ["--import", tsx, "--import", register, file, ...args];
}

/** Start `node <file> <args>` (file relative to the project root), optionally through `sh -c` with a prefix. */
export function start(file: string, args: readonly string[], opts: { cwd?: string; shPrefix?: string } = {}): child {
  const path = file.startsWith("/") ? file : `${root}${file}`;
  const argv = nodeArgs(path, args);
  const proc = opts.shPrefix !== undefined
    ? spawn("sh", ["-c", `${opts.shPrefix}; exec "$0" "$@"`, process.execPath, ...argv], { cwd: opts.cwd ?? root })
    : spawn(process.execPath, argv, { cwd: opts.cwd ?? root });
  const c: child = { proc, stdout: "", stderr: "", exited: null as unknown as Promise<number | string> };
  proc.stdout!.setEncoding("utf8").on("data", (d: string) => (c.stdout += d));
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => (c.stderr += d));
  c.exited = new Promise((resolve) => proc.on("exit", (code, sig) => resolve(code ?? sig ?? -1)));
  onTestFinished(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGKILL");
      await c.exited;
    }
  });
  return c;
}

/** Wait until `pred()` holds, polling every 10 ms, or fail after `ms` with `what`. */
export async function until(pred: () => boolean, ms: number, what: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Whether the main thread of process `pid` is blocked in the poller. Once an example has printed
 * its start-up lines and is blocked there, it is inside event_base_dispatch, with its libevent
 * signal handlers installed (Node's own SIGINT handling would otherwise end the process).
 */
export function inDispatch(pid: number): boolean {
  return /poll|select/.test(readFileSync(`/proc/${pid}/wchan`, "utf8"));
}

/** Wait until `c` has printed `text` on stdout or stderr. */
export function printed(c: child, text: string, ms = 15_000): Promise<void> {
  return until(() => c.stdout.includes(text) || c.stderr.includes(text), ms,
    () => `${JSON.stringify(text)}; stdout: ${JSON.stringify(c.stdout)} stderr: ${JSON.stringify(c.stderr)}`);
}

/** Connect to 127.0.0.1:port, send `data` (then shut down writing if `end`), and collect what comes back until EOF. */
export function exchange(port: number, data: Buffer | string | null, end = true): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect(port, "127.0.0.1", () => {
      if (data !== null) s.write(data);
      if (end) s.end();
    });
    s.on("data", (d: Buffer) => chunks.push(d));
    s.on("end", () => resolve(Buffer.concat(chunks)));
    s.on("error", reject);
  });
}

/** Wait until something accepts connections on 127.0.0.1:port. */
export async function listening(port: number, c: child, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    if (c.proc.exitCode !== null || Date.now() > end) {
      throw new Error(`nothing listens on port ${port}; stdout: ${JSON.stringify(c.stdout)} stderr: ${JSON.stringify(c.stderr)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TCP port that was free a moment ago (bound to 127.0.0.1:0, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** A pseudo-random payload of n bytes, so that a misordered or lost chunk shows. */
export function payload(n: number): Buffer {
  const b = Buffer.alloc(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    b[i] = s >> 16;
  }
  return b;
}

/**
 * Send `data` on one connection and read as many bytes back, then close. Reading starts only
 * after `pauseMs` (0: at once): meanwhile the server's writes fill the socket buffers and wait.
 */
export function echoBack(port: number, data: Buffer, pauseMs = 0): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const s = connect(port, "127.0.0.1", () => {
      if (pauseMs > 0) {
        s.pause();
        setTimeout(() => s.resume(), pauseMs);
      }
      s.write(data);
    });
    s.on("data", (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      if (got >= data.length) {
        s.end();
        resolve(Buffer.concat(chunks));
      }
    });
    s.on("error", reject);
  });
}
