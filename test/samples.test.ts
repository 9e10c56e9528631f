/**
 * The other example programs run as child processes: examples/echo-server.ts (the benchmark's
 * echo server), examples/le-proxy.ts (libevent's sample/le-proxy.c without OpenSSL) and
 * examples/event-read-fifo.ts (sample/event-read-fifo.c).
 */
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { echoBack, exchange, freePort, inDispatch, listening, payload, printed, start, until } from "./helpers/children.js";

describe("examples/echo-server.ts", () => {
  it("echoes what each connection sends; prints per connection; SIGINT exits at once with \"done\"", async () => {
    const port = await freePort();
    const c = start("examples/echo-server.ts", [String(port)]);
    await listening(port, c);
    expect((await exchange(port, "hello")).toString()).toBe("hello");
    const big = payload(3 << 20);
    const results = await Promise.all([echoBack(port, big), echoBack(port, payload(1000)), exchange(port, "x")]);
    expect(results[0]!.equals(big)).toBe(true);
    expect(results[1]!.equals(payload(1000))).toBe(true);
    expect(results[2]!.toString()).toBe("x");
    await printed(c, "Connection closed.");
    expect(c.stdout).toMatch(/^Accepted a connection\.\n/);
    await until(() => inDispatch(c.proc.pid!), 15_000, () => "the loop to wait");
    c.proc.kill("SIGINT");
    expect(await c.exited).toBe(0);
    expect(c.stdout.endsWith("Caught an interrupt signal; exiting.\ndone\n")).toBe(true);
  });

  it("-q: nothing printed per connection", async () => {
    const port = await freePort();
    const c = start("examples/echo-server.ts", ["-q", String(port)]);
    await listening(port, c);
    expect((await exchange(port, "quiet")).toString()).toBe("quiet");
    await until(() => inDispatch(c.proc.pid!), 15_000, () => "the loop to wait");
    c.proc.kill("SIGINT");
    expect(await c.exited).toBe(0);
    expect(c.stdout).toBe("Caught an interrupt signal; exiting.\ndone\n");
  });
});

describe("examples/le-proxy.ts", () => {
  it("relays connections to the target and back, large transfers included (back-pressure at 512 KiB)", async () => {
    const target = await freePort();
    const echo = start("examples/echo-server.ts", ["-q", String(target)]);
    await listening(target, echo);
    const port = await freePort();
    const proxy = start("examples/le-proxy.ts", [`127.0.0.1:${port}`, `127.0.0.1:${target}`]);
    await listening(port, proxy);

    // (The proxy closes a side as soon as it sees its EOF, as the C sample does: no half-close.)
    expect((await echoBack(port, Buffer.from("through the proxy"))).toString()).toBe("through the proxy");
    const big = payload(4 << 20);
    const small = payload(777);
    const [a, b] = await Promise.all([echoBack(port, big), echoBack(port, small)]);
    expect(a.length).toBe(big.length);
    expect(a.equals(big)).toBe(true);
    expect(b.equals(small)).toBe(true);
    // A bare port listens on 127.0.0.1, as in the C sample.
    const port2 = await freePort();
    const proxy2 = start("examples/le-proxy.ts", [String(port2), `127.0.0.1:${target}`]);
    await listening(port2, proxy2);
    expect((await echoBack(port2, Buffer.from("bare port"))).toString()).toBe("bare port");

    expect(proxy.proc.exitCode).toBeNull();
    expect(proxy.stderr).toBe("");
    await until(() => inDispatch(echo.proc.pid!), 15_000, () => "the loop to wait");
    echo.proc.kill("SIGINT");
    expect(await echo.exited).toBe(0);
  });

  it("a target that refuses: the client's connection is closed, the proxy goes on", async () => {
    const target = await freePort(); // nothing listens there
    const port = await freePort();
    const proxy = start("examples/le-proxy.ts", [`127.0.0.1:${port}`, `127.0.0.1:${target}`]);
    await listening(port, proxy);
    expect((await exchange(port, "nobody home")).length).toBe(0);
    await printed(proxy, "connection error: Connection refused");
    expect(proxy.proc.exitCode).toBeNull();
  });

  it("bad arguments print the syntax and exit 1 (the OpenSSL options -s and -W are not there)", async () => {
    for (const args of [[], ["-s", "127.0.0.1:1", "127.0.0.1:2"], ["127.0.0.1:1"], ["70000", "127.0.0.1:2"], ["127.0.0.1:1", "nonsense"]]) {
      const c = start("examples/le-proxy.ts", args);
      expect(await c.exited).toBe(1);
      expect(c.stderr).toBe("Syntax:\n   le-proxy <listen-on-addr> <connect-to-addr>\nExample:\n   le-proxy 127.0.0.1:8888 1.2.3.4:80\n");
    }
  });
});

describe("examples/event-read-fifo.ts", () => {
  it("prints what is written to event.fifo; the writer closing ends it, and the fifo is removed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "event-read-fifo-"));
    try {
      const c = start("examples/event-read-fifo.ts", [], { cwd: dir });
      await printed(c, "Write data to event.fifo\n");
      const fifo = join(dir, "event.fifo");
      const w = openSync(fifo, "w");
      writeSync(w, "hello fifo");
      closeSync(w);
      expect(await c.exited).toBe(0);
      expect(c.stdout).toBe("Read: hello fifo\n");
      expect(c.stderr).toMatch(/^Write data to event\.fifo\nfifo_read called with fd: \d+, event: 2, arg: 0x[0-9a-f]+\n/);
      expect(c.stderr.endsWith("Connection closed\n")).toBe(true);
      expect(existsSync(fifo)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("SIGINT ends it too, and the fifo is removed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "event-read-fifo-"));
    try {
      const c = start("examples/event-read-fifo.ts", [], { cwd: dir });
      await printed(c, "Write data to event.fifo\n");
      // The sample prints that line before it installs its SIGINT handler: wait for the loop.
      await until(() => inDispatch(c.proc.pid!), 15_000, () => "the loop to wait");
      c.proc.kill("SIGINT");
      expect(await c.exited).toBe(0);
      expect(existsSync(join(dir, "event.fifo"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
