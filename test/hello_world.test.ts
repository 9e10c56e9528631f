/**
 * examples/hello-world.ts, the port of libevent's sample/hello-world.c, run as a child process:
 * what clients receive, what it prints, how SIGINT ends it; and a check that the port calls
 * libevent's functions in the sample's order, statement for statement.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { inDispatch, exchange, freePort, listening, printed, root, start, until } from "./helpers/children.js";

/**
 * The libevent calls of sample/hello-world.c (libevent 2.1.12), in the order they appear in its
 * source: main, listener_cb, conn_writecb, conn_eventcb, signal_cb.
 */
const HELLO_WORLD_C_CALLS = [
  // main
  "event_base_new", "evconnlistener_new_bind", "evsignal_new", "event_add", "event_base_dispatch",
  "evconnlistener_free", "event_free", "event_base_free",
  // listener_cb
  "bufferevent_socket_new", "event_base_loopbreak", "bufferevent_setcb", "bufferevent_enable", "bufferevent_disable",
  "bufferevent_write",
  // conn_writecb
  "bufferevent_get_output", "evbuffer_get_length", "bufferevent_free",
  // conn_eventcb
  "bufferevent_free",
  // signal_cb
  "event_base_loopexit",
];

/** The libevent calls in a TypeScript source, in order: comments, strings and imports left out. */
function libeventCalls(source: string): string[] {
  const code = source
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/.*$/gm, "")
    .replace(/`[^`]*`|"[^"\n]*"/g, '""')
    .replace(/^import[\s\S]*?from\s*""\s*;/gm, "");
  const calls: string[] = [];
  for (const m of code.matchAll(/\b((?:event|evconnlistener|bufferevent|evbuffer|evsignal|evtimer|evutil)_[a-z_]+)\s*\(/g)) {
    calls.push(m[1]!);
  }
  return calls;
}

const MESSAGE = "Hello, World!\n";

describe("examples/hello-world.ts", () => {
  it("is line for line: its libevent calls are those of sample/hello-world.c, in the same order", () => {
    const calls = libeventCalls(readFileSync(`${root}examples/hello-world.ts`, "utf8"));
    expect(calls).toEqual(HELLO_WORLD_C_CALLS);
  });

  it("every one of many clients receives exactly \"Hello, World!\\n\" and EOF; SIGINT prints \"done\" two seconds later and exits 0", async () => {
    const port = await freePort();
    const c = start("examples/hello-world.ts", [String(port)]);
    await listening(port, c);

    // 300 clients, 100 at a time: more at once than the listen backlog (128) would measure the
    // kernel's SYN and ACK retransmission timers (1 s, 3 s, 7 s ...), not the server.
    const N = 300;
    const replies: Buffer[] = [];
    for (let i = 0; i < N; i += 100)
      replies.push(...(await Promise.all(Array.from({ length: 100 }, () => exchange(port, null, false)))));
    for (const r of replies) expect(r.toString("latin1")).toBe(MESSAGE);
    const lines = (prefix: string) => c.stdout.split("\n").filter((l) => l.startsWith(prefix)).length;
    // The probe connection of listening() closed at once: its answer was flushed, or it failed.
    const answered = () => lines("flushed answer") + lines("Got an error on the connection: ");
    await until(() => answered() === N + 1, 10_000, () => `${N + 1} answers, got ${answered()}: ${c.stdout}`);
    expect(lines("flushed answer")).toBeGreaterThanOrEqual(N);

    const t0 = Date.now();
    await until(() => inDispatch(c.proc.pid!), 15_000, () => "the loop to wait");
    c.proc.kill("SIGINT");
    await printed(c, "Caught an interrupt signal; exiting cleanly in two seconds.\n");
    // Still serving during the two seconds.
    expect((await exchange(port, null, false)).toString("latin1")).toBe(MESSAGE);
    expect(await c.exited).toBe(0);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(5000);
    expect(c.stdout.endsWith("done\n")).toBe(true);
    expect(c.stderr).toBe("");
  });

  it("-q prints nothing per connection; the port can be given after it", async () => {
    const port = await freePort();
    const c = start("examples/hello-world.ts", ["-q", String(port)]);
    await listening(port, c);
    const replies = await Promise.all(Array.from({ length: 20 }, () => exchange(port, null, false)));
    for (const r of replies) expect(r.toString("latin1")).toBe(MESSAGE);
    await until(() => inDispatch(c.proc.pid!), 15_000, () => "the loop to wait");
    c.proc.kill("SIGINT");
    expect(await c.exited).toBe(0);
    expect(c.stdout).toBe("Caught an interrupt signal; exiting cleanly in two seconds.\ndone\n");
  });

  it("a port already in use: \"Could not create a listener!\" and exit status 1", async () => {
    const port = await freePort();
    const first = start("examples/hello-world.ts", ["-q", String(port)]);
    await listening(port, first);
    const second = start("examples/hello-world.ts", ["-q", String(port)]);
    expect(await second.exited).toBe(1);
    expect(second.stderr).toBe("Could not create a listener!\n");
    await until(() => inDispatch(first.proc.pid!), 15_000, () => "the loop to wait");
    first.proc.kill("SIGINT");
    expect(await first.exited).toBe(0);
  });
});
