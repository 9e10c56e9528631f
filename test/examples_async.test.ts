/**
 * The examples that run a base inside Node's loop, run as the programs they are (on the
 * TypeScript sources, see helpers/children.ts): the design article's ten-page crawler both ways
 * (examples/crawler-callback.ts, examples/crawler-async.ts) against a node:http server of the
 * test's own, examples/await-server.ts, examples/hello-world-async.ts, and
 * examples/echo-server.ts --async / --await.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { type child, freePort, inDispatch, listening, start, until } from "./helpers/children.js";

/** The complete lines `c` printed on stdout (or stderr) so far. */
function lines(text: string): string[] {
  const all = text.split("\n");
  all.pop();
  return all;
}

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
    it("fetches /, /1 ... /9 at once with HTTP/1.0: one line per path with its byte count, then the total time; exit 0", async () => {
      const delay = 500;
      const { port, sent, requests } = await pageServer(delay);
      const c = start(script, ["127.0.0.1", String(port)]);
      expect(await c.exited).toBe(0);
      expect(c.stderr).toBe("");
      const out = lines(c.stdout);
      expect(out.length).toBe(11);
      expect(requests.sort()).toEqual(PATHS.map((u) => `GET ${u} HTTP/1.0`).sort());
      const seen = new Map<string, number>();
      for (const line of out.slice(0, 10)) {
        const m = /^(\/\d?) (\d+) bytes$/.exec(line);
        expect(m, line).not.toBeNull();
        seen.set(m![1]!, Number(m![2]));
      }
      await until(() => sent.size === 10, 5_000, () => "the server to see every connection close");
      expect(seen).toEqual(sent);
      const total = /^total (\d+\.\d{3}) s$/.exec(out[10]!);
      expect(total, out[10]).not.toBeNull();
      // Concurrent: ten answers that each take 0.5 s come in well under the 5 s they would take one by one.
      expect(Number(total![1])).toBeGreaterThanOrEqual(delay / 1000 - 0.01);
      expect(Number(total![1])).toBeLessThan(3);
    });

    it("a refused connection is reported per path on stderr; exit 1", async () => {
      const closed = await freePort();
      const c = start(script, ["127.0.0.1", String(closed)]);
      expect(await c.exited).toBe(1);
      const err = lines(c.stderr);
      expect(err.length).toBe(10);
      for (const line of err) expect(line).toMatch(/^\/\d?: .*Connection refused/);
      expect(lines(c.stdout)).toEqual([expect.stringMatching(/^total \d+\.\d{3} s$/)]);
    });

    it("usage: HOST PORT, else exit 2", async () => {
      const c = start(script, ["127.0.0.1"]);
      expect(await c.exited).toBe(2);
      expect(c.stderr).toMatch(/^usage: crawler-(callback|async) HOST PORT\n$/);
    });
  });
}

/** Send one HTTP/1.0 request to 127.0.0.1:port and return the whole answer. */
function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = "";
    const s = connect(port, "127.0.0.1", () => s.write(`GET ${path} HTTP/1.0\r\nHost: x\r\n\r\n`));
    s.on("data", (d) => (got += d.toString()));
    s.on("end", () => resolve(got));
    s.on("error", reject);
  });
}

/** Wait until `c` waits in its loop (libuv's epoll_wait: the async loop waits there too). */
function waiting(c: child): Promise<void> {
  return until(() => inDispatch(c.proc.pid!), 15_000, () => "the loop to wait");
}

describe("examples/await-server.ts", () => {
  it("requests that await Node timers overlap, other requests are served meanwhile; SIGINT finishes those in flight", async () => {
    const port = await freePort();
    const c = start("examples/await-server.ts", [String(port)]);
    await listening(port, c);
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
    c.proc.kill("SIGINT");
    expect(await late).toBe("HTTP/1.0 200 OK\r\nContent-Length: 14\r\nConnection: close\r\n\r\nslept 1000 ms\n");
    expect(await c.exited).toBe(0);
    expect(c.stderr).toBe("");
    const out = lines(c.stdout);
    expect(out.filter((l) => l === "GET /sleep/800 HTTP/1.0 answered").length).toBe(10);
    expect(out.slice(-3)).toEqual([
      "Caught an interrupt signal; finishing the requests in flight.", "GET /sleep/1000 HTTP/1.0 answered", "done",
    ]);
  });
});

describe("examples/hello-world-async.ts", () => {
  it("answers \"Hello, World!\\n\" to every client from inside Node's loop; SIGINT prints \"done\" two seconds later and exits 0", async () => {
    const port = await freePort();
    const c = start("examples/hello-world-async.ts", [String(port)]);
    await listening(port, c);
    const replies = await Promise.all(Array.from({ length: 50 }, () => new Promise<string>((resolve, reject) => {
      let got = "";
      const s = connect(port, "127.0.0.1");
      s.on("data", (d) => (got += d.toString()));
      s.on("end", () => resolve(got));
      s.on("error", reject);
    })));
    for (const r of replies) expect(r).toBe("Hello, World!\n");
    // The probe of listening() closed at once: its answer was flushed, or it failed.
    const answered = () => lines(c.stdout).filter((l) => l === "flushed answer" || l.startsWith("Got an error on the connection: ")).length;
    await until(() => answered() === 51, 10_000, () => `51 answers: ${c.stdout}`);
    await waiting(c);
    const t0 = Date.now();
    c.proc.kill("SIGINT");
    expect(await c.exited).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    expect(c.stdout.endsWith("Caught an interrupt signal; exiting cleanly in two seconds.\ndone\n")).toBe(true);
    expect(c.stderr).toBe("");
  });

  it("-q prints nothing per connection", async () => {
    const port = await freePort();
    const c = start("examples/hello-world-async.ts", ["-q", String(port)]);
    await listening(port, c);
    await waiting(c);
    c.proc.kill("SIGINT");
    expect(await c.exited).toBe(0);
    expect(c.stdout).toBe("Caught an interrupt signal; exiting cleanly in two seconds.\ndone\n");
  });
});

describe("examples/echo-server.ts --async, --await", () => {
  for (const mode of ["--async", "--await"]) {
    it(`${mode}: echoes large and small payloads on concurrent connections; SIGINT exits at once with "done"`, async () => {
      const port = await freePort();
      const c = start("examples/echo-server.ts", ["-q", mode, String(port)]);
      await listening(port, c);
      const echo = (data: Buffer) => new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        let got = 0;
        const s = connect(port, "127.0.0.1", () => s.write(data));
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
      await waiting(c);
      c.proc.kill("SIGINT");
      expect(await c.exited).toBe(0);
      expect(c.stdout).toBe("Caught an interrupt signal; exiting.\ndone\n");
      expect(c.stderr).toBe("");
    });
  }
});
