/**
 * The examples of the event core, run as the programs they are (`node --import tsx examples/...`,
 * importing the package by name, hence the built dist/: `npm test` builds it first):
 * examples/time-test.ts (sample/time-test.c), with and without -p, examples/signal-test.ts
 * (sample/signal-test.c), once per compiled-in backend, and examples/legacy-echo-server.ts (a
 * libevent 1.4-style server set up as memcached sets up its events), once per backend.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { backendEnv, backends, methodname_to_envvar, methods } from "./helpers/backends.js";
import { echoBack, exchange, freePort } from "./helpers/children.js";

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
      const p = run("examples/signal-test.ts", [], { ...envFor(null, { EVENT_SHOW_METHOD: "1" }), ...backendEnv(b) });
      await until(() => p.stderr.length > 0 || p.child.exitCode !== null, 20_000, "signal-test to start");
      expect(p.stderr).toEqual([`[msg] libevent using: ${b.name}`]);
      await until(() => asleep(p.child.pid!), 5_000, "signal-test to block in its loop");
      for (let i = 1; i <= 3; i++) {
        p.child.kill("SIGINT");
        await until(() => p.stdout.length >= i || p.child.exitCode !== null, 10_000, `signal ${i} to be reported`);
      }
      const { code, signal } = await p.exited;
      expect(signal).toBeNull();
      expect(code).toBe(0);
      expect(p.stdout).toEqual(["signal_cb: got signal 2", "signal_cb: got signal 2", "signal_cb: got signal 2"]);
      expect(p.stderr).toEqual([`[msg] libevent using: ${b.name}`]);
    });
  }
});

describe("examples/legacy-echo-server.ts", () => {
  for (const b of backends.filter((x) => !x.precise)) {
    it(`legacy-echo-server [${b.label}]: event_init/event_set/event_base_set/event_add; echoes 16 MiB and small messages at once; SIGTERM ends it`, { timeout: 60_000 }, async () => {
      const port = await freePort();
      const p = run("examples/legacy-echo-server.ts", [String(port)], envFor(b.method, { EVENT_SHOW_METHOD: "1" }));
      // event_init() says which backend it took; then the server is a few statements from its loop
      await until(() => p.stderr.length > 0 || p.child.exitCode !== null, 20_000, "legacy-echo-server to start");
      expect(p.stderr).toEqual([`[msg] libevent using: ${b.method}`]);
      await until(() => asleep(p.child.pid!), 10_000, "legacy-echo-server to block in its loop");

      expect((await exchange(port, "hello")).toString()).toBe("hello");
      const big = Buffer.alloc(16 << 20);
      for (let i = 0, x = 7; i < big.length; i++) big[i] = (x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff) >> 16;
      // 16 MiB is more than loopback's socket buffers hold while the client does not read: the server's
      // writes block, its connection switches to EV_WRITE and back to EV_READ, and the others go on meanwhile
      const [echoed, x, y] = await Promise.all([echoBack(port, big, 300), exchange(port, "x"), exchange(port, "yz")]);
      expect(echoed.length).toBe(big.length);
      expect(echoed.equals(big)).toBe(true);
      expect([x.toString(), y.toString()]).toEqual(["x", "yz"]);

      await until(() => p.stdout.filter((l) => l === "Connection closed.").length === 4, 10_000, "four connections closed");
      await until(() => asleep(p.child.pid!), 10_000, "legacy-echo-server to wait again");
      p.child.kill("SIGTERM");
      const { code, signal } = await p.exited;
      expect(signal).toBeNull();
      expect(code).toBe(0);
      expect(p.stdout.filter((l) => l === "Accepted a connection.").length).toBe(4);
      expect(p.stdout.slice(-2)).toEqual(["Caught signal 15; exiting.", "done"]);
      expect(p.stderr).toEqual([`[msg] libevent using: ${b.method}`]);
    });
  }
});
