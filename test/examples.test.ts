/**
 * The examples of the event core, run as the programs they are (`node --import tsx examples/...`,
 * importing the package by name, hence the built dist/: `npm test` builds it first):
 * examples/time-test.ts (sample/time-test.c), with and without -p, and examples/signal-test.ts
 * (sample/signal-test.c), once per compiled-in backend.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { backends, methodname_to_envvar, methods } from "./helpers/backends.js";

const root = fileURLToPath(new URL("..", import.meta.url));

/** A running example, its output gathered line by line. */
interface program {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(script: string, args: string[], env: NodeJS.ProcessEnv): program {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: root, env, stdio: ["ignore", "pipe", "pipe"],
  });
  const p: program = {
    child, stdout: [], stderr: [],
    exited: new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal }))),
  };
  const lines = (into: string[]) => {
    let partial = "";
    return (chunk: Buffer) => {
      const parts = (partial + chunk.toString("utf8")).split("\n");
      partial = parts.pop()!;
      into.push(...parts);
    };
  };
  child.stdout!.on("data", lines(p.stdout));
  child.stderr!.on("data", lines(p.stderr));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return p;
}

/** Wait until `cond()` holds, polling; fail after `ms`. */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The environment for a child that must use `method` (EVENT_NO<OTHER> for the others). */
function envFor(method: string | null, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const m of methods) delete env[methodname_to_envvar(m)];
  delete env.EVENT_PRECISE_TIMER;
  if (method !== null) for (const m of methods) if (m !== method) env[methodname_to_envvar(m)] = "yes";
  return env;
}

/** Is the main thread of `pid` asleep (blocked in its loop's wait)? */
function asleep(pid: number): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).startsWith("S");
}

beforeAll(() => {
  if (!existsSync(`${root}dist/event2/event.js`)) throw new Error("the examples import the built package: run npm run build:ts");
});

describe("examples/time-test.ts", () => {
  for (const args of [[], ["-p"]]) {
    it(`time-test${args.length ? " -p" : ""}: prints a line every 2 seconds with the elapsed time, until killed`, { timeout: 30_000, retry: 2 }, async () => {
      const p = run("examples/time-test.ts", args, envFor(null));
      await until(() => p.stdout.length >= 2 || p.child.exitCode !== null, 20_000, "two lines from time-test");
      p.child.kill("SIGTERM");
      const { signal } = await p.exited;
      expect(p.stderr).toEqual([]);
      expect(signal).toBe("SIGTERM"); // it runs until killed
      expect(p.stdout.length).toBeGreaterThanOrEqual(2);
      const seen = p.stdout.slice(0, 2).map((line) => {
        const m = /^timeout_cb called at (\d+): (\d+\.\d{3}) seconds elapsed\.$/.exec(line);
        expect(m, line).not.toBeNull();
        return { at: Number(m![1]), elapsed: Number(m![2]) };
      });
      for (const { elapsed } of seen) expect(Math.abs(elapsed - 2)).toBeLessThanOrEqual(0.05);
      expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(1);
      expect(seen[1]!.at - seen[0]!.at).toBeLessThanOrEqual(3);
    });
  }
});

describe("examples/signal-test.ts", () => {
  for (const b of backends.filter((x) => !x.precise)) {
    it(`signal-test [${b.label}]: three SIGINTs, each reported; the third deletes the event and it exits 0`, { timeout: 30_000 }, async () => {
      // EVENT_SHOW_METHOD makes event_base_new say which backend it took: the program is then
      // a few statements from blocking in its loop with the SIGINT handler installed.
      const p = run("examples/signal-test.ts", [], envFor(b.method, { EVENT_SHOW_METHOD: "1" }));
      await until(() => p.stderr.length > 0 || p.child.exitCode !== null, 20_000, "signal-test to start");
      expect(p.stderr).toEqual([`[msg] libevent using: ${b.method}`]);
      await until(() => asleep(p.child.pid!), 5_000, "signal-test to block in its loop");
      for (let i = 1; i <= 3; i++) {
        p.child.kill("SIGINT");
        await until(() => p.stdout.length >= i || p.child.exitCode !== null, 10_000, `signal ${i} to be reported`);
      }
      const { code, signal } = await p.exited;
      expect(signal).toBeNull();
      expect(code).toBe(0);
      expect(p.stdout).toEqual(["signal_cb: got signal 2", "signal_cb: got signal 2", "signal_cb: got signal 2"]);
      expect(p.stderr).toEqual([`[msg] libevent using: ${b.method}`]);
    });
  }
});
