/**
 * The examples of the event core, run as the programs they are (`node --import tsx examples/...`,
 * importing the package by name, hence the built dist/: `npm test` builds it first):
 * examples/time-test.ts (sample/time-test.c), with and without -p, and examples/signal-test.ts
 * (sample/signal-test.c), once per compiled-in backend; the article's two crawlers
 * (examples/crawler-callback.ts, examples/crawler-async.ts) against a node:http server of the
 * test's own, examples/await-server.ts and examples/hello-world-async.ts (bases run inside
 * Node's loop).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connect as netConnect } from "node:net";
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

/**
 * A node:http server on 127.0.0.1 for the crawlers: each path answers after `delayMs` with a body
 * of its own size; `sent` gets the bytes written on each connection (headers and body), by path.
 */
async function pageServer(delayMs: number): Promise<{ port: number; sent: Map<string, number>; requests: string[] }> {
  const sent = new Map<string, number>();
  const requests: string[] = [];
  const srv = createServer((req, res) => {
    const url = req.url ?? "";
    requests.push(`${req.method} ${url} HTTP/${req.httpVersion}`);
    req.socket.on("close", () => sent.set(url, req.socket.bytesWritten));
    setTimeout(() => res.end(`page ${url}\n${"x".repeat(100 * url.length)}`), delayMs);
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  onTestFinished(() => new Promise<void>((r) => srv.close(() => r())));
  return { port: (srv.address() as AddressInfo).port, sent, requests };
}

const PATHS = ["/", "/1", "/2", "/3", "/4", "/5", "/6", "/7", "/8", "/9"];

for (const script of ["examples/crawler-callback.ts", "examples/crawler-async.ts"]) {
  describe(script, () => {
    it("fetches /, /1 ... /9 at once with HTTP/1.0: one line per path with its byte count, then the total time; exit 0", { timeout: 30_000 }, async () => {
      const delay = 500;
      const { port, sent, requests } = await pageServer(delay);
      const p = run(script, ["127.0.0.1", String(port)], envFor(null));
      const { code } = await p.exited;
      expect(p.stderr).toEqual([]);
      expect(code).toBe(0);
      expect(p.stdout.length).toBe(11);
      expect(requests.sort()).toEqual(PATHS.map((u) => `GET ${u} HTTP/1.0`).sort());
      const seen = new Map<string, number>();
      for (const line of p.stdout.slice(0, 10)) {
        const m = /^(\/\d?) (\d+) bytes$/.exec(line);
        expect(m, line).not.toBeNull();
        seen.set(m![1]!, Number(m![2]));
      }
      await until(() => sent.size === 10, 5_000, "the server to see every connection close");
      expect(seen).toEqual(sent);
      const total = /^total (\d+\.\d{3}) s$/.exec(p.stdout[10]!);
      expect(total, p.stdout[10]).not.toBeNull();
      // Concurrent: ten answers that each take 0.5 s come in well under the 5 s they would take one by one.
      expect(Number(total![1])).toBeGreaterThanOrEqual(delay / 1000 - 0.01);
      expect(Number(total![1])).toBeLessThan(3);
    });

    it("a refused connection is reported per path on stderr; exit 1", { timeout: 30_000 }, async () => {
      const { port } = await pageServer(0);
      const closed = await new Promise<number>((resolve) => {
        const s = createServer().listen(0, "127.0.0.1", () => {
          const n = (s.address() as AddressInfo).port;
          s.close(() => resolve(n));
        });
      });
      expect(closed).not.toBe(port);
      const p = run(script, ["127.0.0.1", String(closed)], envFor(null));
      const { code } = await p.exited;
      expect(code).toBe(1);
      expect(p.stderr.length).toBe(10);
      for (const line of p.stderr) expect(line).toMatch(/^\/\d? ?: .*Connection refused/);
      expect(p.stdout).toEqual([expect.stringMatching(/^total \d+\.\d{3} s$/)]);
    });
  });
}

/** Send one HTTP/1.0 request to 127.0.0.1:port and return the whole answer. */
function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = "";
    const s = netConnect(port, "127.0.0.1", () => s.write(`GET ${path} HTTP/1.0\r\nHost: x\r\n\r\n`));
    s.on("data", (d) => (got += d.toString()));
    s.on("end", () => resolve(got));
    s.on("error", reject);
  });
}

async function freeTcpPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const n = (s.address() as AddressInfo).port;
      s.close(() => resolve(n));
    });
  });
}

async function accepting(port: number, p: program): Promise<void> {
  const end = Date.now() + 20_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = netConnect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    if (p.child.exitCode !== null || Date.now() > end) throw new Error(`nothing listens on ${port}: ${p.stderr.join("\n")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("examples/await-server.ts", () => {
  it("requests that await Node timers overlap, other requests are served meanwhile; SIGINT finishes those in flight", { timeout: 30_000 }, async () => {
    const port = await freeTcpPort();
    const p = run("examples/await-server.ts", [String(port)], envFor(null));
    await accepting(port, p);
    const t0 = Date.now();
    const sleepers = Array.from({ length: 10 }, () => httpGet(port, "/sleep/800"));
    await new Promise((r) => setTimeout(r, 100));
    const source = await httpGet(port, "/source");
    const sourceAt = Date.now() - t0;
    expect(source).toMatch(/^HTTP\/1\.0 200 OK\r\nContent-Length: \d+\r\nConnection: close\r\n\r\n\/\*\n \* A small HTTP\/1\.0 server/);
    expect(source).toContain("evconnlistener_accept_async");
    const answers = await Promise.all(sleepers);
    const elapsed = Date.now() - t0;
    for (const a of answers) expect(a).toBe("HTTP/1.0 200 OK\r\nContent-Length: 13\r\nConnection: close\r\n\r\nslept 800 ms\n");
    // Ten 0.8 s waits at once; the file was read and sent while they waited.
    expect(sourceAt).toBeLessThan(800);
    expect(elapsed).toBeGreaterThanOrEqual(790);
    expect(elapsed).toBeLessThan(4000);
    expect(await httpGet(port, "/nope")).toBe("HTTP/1.0 404 Not Found\r\nContent-Length: 10\r\nConnection: close\r\n\r\nnot found\n");

    const late = httpGet(port, "/sleep/1000");
    // (The request is taken well within the second it then waits.)
    await new Promise((r) => setTimeout(r, 500));
    p.child.kill("SIGINT");
    expect(await late).toBe("HTTP/1.0 200 OK\r\nContent-Length: 14\r\nConnection: close\r\n\r\nslept 1000 ms\n");
    const { code } = await p.exited;
    expect(code).toBe(0);
    expect(p.stderr).toEqual([]);
    expect(p.stdout.filter((l) => l === "GET /sleep/800 HTTP/1.0 answered").length).toBe(10);
    expect(p.stdout.slice(-3)).toEqual([
      "Caught an interrupt signal; finishing the requests in flight.", "GET /sleep/1000 HTTP/1.0 answered", "done",
    ]);
  });
});

describe("examples/hello-world-async.ts", () => {
  it("answers \"Hello, World!\\n\" to every client from inside Node's loop; SIGINT prints \"done\" two seconds later and exits 0", { timeout: 30_000 }, async () => {
    const port = await freeTcpPort();
    const p = run("examples/hello-world-async.ts", [String(port)], envFor(null));
    await accepting(port, p);
    const replies = await Promise.all(Array.from({ length: 50 }, () => new Promise<string>((resolve, reject) => {
      let got = "";
      const s = netConnect(port, "127.0.0.1");
      s.on("data", (d) => (got += d.toString()));
      s.on("end", () => resolve(got));
      s.on("error", reject);
    })));
    for (const r of replies) expect(r).toBe("Hello, World!\n");
    // The probe of accepting() closed at once: its answer was flushed, or it failed.
    const answered = () => p.stdout.filter((l) => l === "flushed answer" || l.startsWith("Got an error on the connection: ")).length;
    await until(() => answered() === 51, 10_000, "51 answers");
    await until(() => asleep(p.child.pid!), 10_000, "the loop to wait");
    const t0 = Date.now();
    p.child.kill("SIGINT");
    await until(() => p.stdout.includes("Caught an interrupt signal; exiting cleanly in two seconds."), 10_000, "the signal to be reported");
    const { code } = await p.exited;
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    expect(p.stdout[p.stdout.length - 1]).toBe("done");
    expect(p.stderr).toEqual([]);
  });
});

describe("examples/echo-server.ts --async, --await", () => {
  for (const mode of ["--async", "--await"]) {
    it(`${mode}: echoes large and small payloads on concurrent connections; SIGINT exits at once with "done"`, { timeout: 30_000 }, async () => {
      const port = await freeTcpPort();
      const p = run("examples/echo-server.ts", ["-q", mode, String(port)], envFor(null));
      await accepting(port, p);
      const echo = (data: Buffer) => new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        let got = 0;
        const s = netConnect(port, "127.0.0.1", () => s.write(data));
        s.on("data", (d: Buffer) => {
          chunks.push(d);
          got += d.length;
          if (got >= data.length) s.end();
        });
        s.on("end", () => resolve(Buffer.concat(chunks)));
        s.on("error", reject);
      });
      const big = Buffer.alloc(3 << 20);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7919) >> 3;
      const small = Buffer.from("small");
      const [a, b] = await Promise.all([echo(big), echo(small)]);
      expect(a.equals(big)).toBe(true);
      expect(b.equals(small)).toBe(true);
      await until(() => asleep(p.child.pid!), 10_000, "the loop to wait");
      p.child.kill("SIGINT");
      const { code } = await p.exited;
      expect(code).toBe(0);
      expect(p.stdout).toEqual(["Caught an interrupt signal; exiting.", "done"]);
      expect(p.stderr).toEqual([]);
    });
  }
});
