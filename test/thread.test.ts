/**
 * event2/thread: notify queues and notifiable bases, in this thread and across worker threads;
 * worker lifecycles that leave nothing behind; worker.terminate() and process.exit() with workers
 * blocked in dispatch; examples/echo-threads.ts in both of its modes.
 *
 * The multi-threaded cases run test/fixtures/threads.ts as a child process (its workers load
 * TypeScript through examples/ts-worker.mjs), one scenario a child, and check the JSON it prints.
 */
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import {
  EV_TIMEOUT, event_base_dispatch, event_base_free, event_base_loop, event_base_new, event_base_once,
} from "libevent-ts/event2/event";
import {
  EVTHREAD_NOTIFY_FDS, evthread_base_get_notify_id, evthread_make_base_notifiable, evthread_notify_base_loopbreak,
  evthread_notify_free, evthread_notify_get_base, evthread_notify_get_id, evthread_notify_new, evthread_notify_pending,
  evthread_notify_send, evthread_notify_sendv, evthread_use_pthreads,
} from "libevent-ts/event2/thread";
import { AF_UNIX, EPIPE, errno, evutil_socketpair, SOCK_STREAM, timeval } from "libevent-ts/event2/util";
import { methods } from "./helpers/backends.js";
import { type child, printed, start } from "./helpers/children.js";
import { checkFdLeaks, openFds } from "./helpers/fds.js";

checkFdLeaks();

/** Run a scenario of fixtures/threads.ts to its end; its RESULT line, parsed. */
async function scenario(name: string, method: string | null = null, ms = 120_000): Promise<any> {
  const c = start("test/fixtures/threads.ts", method ? [name, method] : [name]);
  const code = await Promise.race([c.exited, new Promise((r) => setTimeout(() => r("timeout"), ms))]);
  expect(code, `${name}: stdout ${c.stdout} stderr ${c.stderr}`).toBe(0);
  return parseResult(c);
}

function parseResult(c: child): any {
  const line = c.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (line === undefined) throw new Error(`no RESULT; stdout ${c.stdout} stderr ${c.stderr}`);
  return JSON.parse(line.slice(7));
}

describe("notify queues in one thread", () => {
  it("evthread_use_pthreads is a no-op returning 0", () => {
    expect(evthread_use_pthreads()).toBe(0);
  });

  it("messages sent before and during the loop arrive once each, in order, singly and in batches", () => {
    const base = event_base_new()!;
    const got: number[] = [];
    const q = evthread_notify_new(base, 0, (qq, msg, arg) => {
      expect(qq).toBe(q);
      expect(arg).toBe("arg");
      got.push(msg);
      if (msg === 3) evthread_notify_sendv(evthread_notify_get_id(q), [4, 5, -6], 3);
      if (msg === -6) evthread_notify_free(q);
    }, "arg")!;
    expect(evthread_notify_get_base(q)).toBe(base);
    const id = evthread_notify_get_id(q);
    expect(evthread_notify_send(id, 1)).toBe(0);
    expect(evthread_notify_sendv(id, new Int32Array([2, 3, 99]), 2)).toBe(0);
    expect(evthread_notify_pending(id)).toBe(3);
    // The queue's event keeps the loop running until the queue is freed.
    expect(event_base_dispatch(base)).toBe(1);
    expect(got).toEqual([1, 2, 3, 4, 5, -6]);
    expect(evthread_notify_send(id, 7)).toBe(-1);
    expect(errno).toBe(EPIPE);
    expect(evthread_notify_pending(id)).toBe(-1);
    event_base_free(base);
  });

  it("more messages than one batch takes are all delivered, and a throwing callback loses none", () => {
    const base = event_base_new()!;
    const got: number[] = [];
    const q = evthread_notify_new(base, 0, (_q, msg) => {
      got.push(msg);
      if (msg === 300) throw new Error("from the callback");
      if (msg === 999) evthread_notify_free(q);
    }, null)!;
    const all = new Int32Array(1000).map((_, i) => i);
    expect(evthread_notify_sendv(evthread_notify_get_id(q), all, 1000)).toBe(0);
    expect(() => event_base_dispatch(base)).toThrow("from the callback");
    expect(event_base_dispatch(base)).toBe(1);
    expect(got).toEqual(Array.from(all));
    event_base_free(base);
  });

  it("EVTHREAD_NOTIFY_FDS: fds not delivered when the queue is freed are closed", () => {
    const before = openFds().size;
    const base = event_base_new()!;
    const q = evthread_notify_new(base, EVTHREAD_NOTIFY_FDS, () => {}, null)!;
    const pair = [-1, -1];
    expect(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair)).toBe(0);
    evthread_notify_sendv(evthread_notify_get_id(q), pair, 2);
    evthread_notify_free(q);
    event_base_free(base);
    expect(openFds().size).toBe(before);
  });

  it("a notifiable base: its internal queue does not keep the loop running; loopbreak by id; freed with the base", () => {
    const base = event_base_new()!;
    expect(evthread_base_get_notify_id(base)).toBe(-1);
    expect(evthread_make_base_notifiable(base)).toBe(0);
    expect(evthread_make_base_notifiable(base)).toBe(0);
    const id = evthread_base_get_notify_id(base);
    expect(id).toBeGreaterThanOrEqual(0);
    expect(event_base_dispatch(base)).toBe(1);
    // Queued before the loop starts, the loopbreak ends the loop when it does.
    let fired = 0;
    event_base_once(base, -1, EV_TIMEOUT, () => fired++, null, new timeval(5, 0));
    expect(evthread_notify_base_loopbreak(id)).toBe(0);
    expect(event_base_loop(base, 0)).toBe(0);
    expect(fired).toBe(0);
    event_base_free(base);
    expect(evthread_notify_base_loopbreak(id)).toBe(-1);
    expect(errno).toBe(EPIPE);
  });

  it("misuse throws, naming the function", () => {
    const base = event_base_new()!;
    expect(() => evthread_notify_new(base, 2, () => {}, null)).toThrow(/evthread_notify_new: flags/);
    expect(() => evthread_notify_new(base, 0, null as never, null)).toThrow(TypeError);
    expect(() => evthread_notify_new({} as never, 0, () => {}, null)).toThrow(/evthread_notify_new/);
    expect(() => evthread_notify_send(-1, 0)).toThrow(RangeError);
    expect(() => evthread_notify_send("1" as never, 0)).toThrow(TypeError);
    expect(() => evthread_notify_send(0, 2 ** 31)).toThrow(/evthread_notify_send: msg/);
    expect(() => evthread_notify_sendv(0, [1], 2)).toThrow(RangeError);
    expect(() => evthread_notify_sendv(0, [1.5], 1)).toThrow(/msgs\[0\]/);
    const q = evthread_notify_new(base, 0, () => {}, null)!;
    evthread_notify_free(q);
    expect(() => evthread_notify_free(q)).toThrow(/was freed/);
    expect(() => evthread_notify_get_id(q)).toThrow(TypeError);
    expect(() => evthread_make_base_notifiable(null as never)).toThrow(/evthread_make_base_notifiable/);
    event_base_free(base);
    expect(() => evthread_make_base_notifiable(base)).toThrow(/freed/);
  });
});

// Children start workers that compile TypeScript: slow on a loaded machine, hence the generous limits.
describe("bases in worker threads", () => {
  it("three workers and the main thread, each dispatching its own base at once, pass a token round a ring of queues", { timeout: 240_000 }, async () => {
    const r = await scenario("ring");
    expect(r.got).toBe(500);
    expect(r.last).toBe(4 * 500 - 1);
    for (const w of r.workers) {
      expect(w.tokens).toBe(501); // 500 hops and the stop
      expect(w.ticks).toBeGreaterThan(0); // its own timer ran meanwhile
    }
    expect(r.main_ticks).toBeGreaterThan(0);
  });

  it("30 worker lifetimes (freeing all, freeing nothing, terminated in dispatch) leave no fd behind and give SIGUSR2 back", { timeout: 240_000 }, async () => {
    const r = await scenario("lifecycle");
    expect(r.lifetimes).toBe(30);
    expect(r.leaked).toEqual([]);
    expect(r.gone).toEqual([]);
    expect(r.usr2).toBe(1);
  });

  for (const method of methods) {
    it(`${method}: worker.terminate() returns promptly with workers blocked in dispatch, which never spin`, { timeout: 240_000 }, async () => {
      const r = await scenario("terminate", method);
      expect(r.codes).toEqual([1, 1, 1]);
      // Without the stop watch, terminate() never returns and the scenario times out; the bound is loose.
      expect(r.ms).toBeLessThan(10_000);
      // Three blocked workers, one with a message pending that it does not read: no spinning.
      expect(r.idle_cpu_ms).toBeLessThan(150);
    });

    it(`${method}: process.exit() returns promptly with workers blocked in dispatch`, { timeout: 240_000 }, async () => {
      const c = start("test/fixtures/threads.ts", ["exit", method]);
      await printed(c, "RESULT", 60_000);
      const t0 = Date.now();
      const code = await Promise.race([c.exited, new Promise((r) => setTimeout(() => r("timeout"), 20_000))]);
      expect(code).toBe(3);
      expect(Date.now() - t0).toBeLessThan(20_000);
    });
  }

  it("100,000 messages from three threads to one base: none lost, none duplicated, each sender's in order, batches contiguous", { timeout: 240_000 }, async () => {
    const r = await scenario("queue");
    expect(r.errors).toEqual([]);
    expect(r.received).toBe(100_000);
    expect(r.extra).toBe(0);
    expect(r.nextSeq).toEqual([33_334, 33_333, 33_333]);
  });

  it("fds accepted by one thread's listener are served by the bases of two others", { timeout: 240_000 }, async () => {
    const r = await scenario("handoff");
    expect(r.ok).toBe(r.conns);
    expect(r.served).toEqual([10, 10]);
  });

  it("loopbreak and loopexit reach a worker's base by its id, even sent before its loop starts", { timeout: 240_000 }, async () => {
    const r = await scenario("notifiable");
    expect(r.break).toEqual({ send: 0, r: 0, got_break: 1, got_exit: 0 });
    expect(r.exit).toEqual({ send: 0, r: 0, got_break: 0, got_exit: 1 });
    expect(r.early).toEqual({ send: 0, r: 0, got_break: 1, got_exit: 0 });
    for (const how of ["break", "exit", "early"]) expect(r[`${how}_after`]).toBe(-1);
  });

  it("a worker's base receives a signal sent to the process, and a terminated worker restores the handler", { timeout: 240_000 }, async () => {
    const r = await scenario("signals");
    expect(r.first).toBe("caught");
    expect(r.listenerWhileOurs).toBe(0);
    expect(r.listenerAfter).toBe(1);
  });
});

/** `conns` connections to 127.0.0.1:port, each making `rounds` 64-byte round trips. */
function echoLoad(port: number, conns: number, rounds: number): Promise<void> {
  const msg = Buffer.alloc(64, 0x61);
  return Promise.all(Array.from({ length: conns }, () => new Promise<void>((resolve, reject) => {
    const s = connect(port, "127.0.0.1");
    s.setNoDelay(true);
    let left = rounds;
    let got = 0;
    s.on("connect", () => s.write(msg));
    s.on("data", (d: Buffer) => {
      for (const b of d) if (b !== 0x61) reject(new Error("wrong byte echoed"));
      got += d.length;
      while (got >= 64) {
        got -= 64;
        if (--left === 0) return void s.end();
        s.write(msg);
      }
    });
    s.on("end", () => (left === 0 ? resolve() : reject(new Error(`closed with ${left} round trips left`))));
    s.on("error", reject);
  }))).then(() => {});
}

describe("examples/echo-threads.ts", () => {
  for (const mode of [[], ["--reuseport"]]) {
    it(`echo-threads 0 3 ${mode.join(" ")}: 50 connections x 200 round trips over three workers; SIGINT stops it cleanly`, { timeout: 240_000 }, async () => {
      const c = start("examples/echo-threads.ts", ["0", "3", ...mode]);
      await printed(c, "listening 127.0.0.1:", 60_000);
      const m = /listening 127\.0\.0\.1:(\d+) pid (\d+)/.exec(c.stdout)!;
      expect(Number(m[2])).toBe(c.proc.pid);
      await echoLoad(Number(m[1]), 50, 200);
      c.proc.kill("SIGINT");
      const code = await Promise.race([c.exited, new Promise((r) => setTimeout(() => r("timeout"), 30_000))]);
      expect(code, c.stderr).toBe(0);
      const counts = [...c.stdout.matchAll(/^thread (\d+): (\d+) connections$/gm)].map((x) => [Number(x[1]), Number(x[2])]);
      expect(counts.map((x) => x[0])).toEqual([0, 1, 2]);
      expect(counts.reduce((a, x) => a + x[1]!, 0)).toBe(50);
      if (mode.length === 0) {
        // Round robin: 17, 17, 16.
        expect(counts.map((x) => x[1])).toEqual([17, 17, 16]);
      } else {
        // The kernel's hash: spread, though not evenly.
        expect(counts.filter((x) => x[1]! > 0).length).toBeGreaterThanOrEqual(2);
      }
      expect(c.stdout.trimEnd().endsWith("done")).toBe(true);
    });
  }
});
