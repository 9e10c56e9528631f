/**
 * Defects found by a misuse run over the whole API (issue 11, item 9), each pinned here: the
 * addon trusting memory reachable from JavaScript (a transferred or shrunk ready list), the poll
 * backend sizing its map by any fd, the SIGINT handler put back over one Node installed since.
 * What could crash runs in a child process, so that a crash is a failed test, not a lost run.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { constants as osConstants, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nodeArgs, root } from "./helpers/children.js";

const addon = `${root}build/Release/libevent_native.node`;

/** Run `code` (CommonJS, `native` bound to the addon) in a child; its status, signal and output. */
function runNative(code: string): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["-e", `const native = require(${JSON.stringify(addon)});\n${code}`], {
    encoding: "utf8", timeout: 60_000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe("the addon keeps no pointer into JavaScript memory", () => {
  it("a ready list transferred away (structuredClone with transfer) and collected: dispatch throws a RangeError, no write to freed memory", () => {
    const r = runNative(`
      const h = native.backendNew("poll", 0);
      const out = new Int32Array(2);
      native.socketpair(native.constants.AF_UNIX, native.constants.SOCK_STREAM, 0, out);
      native.backendAdd(h, out[1], 0, 4); // writable at once: dispatch has a pair to write
      let list = new Int32Array(1 << 16);
      native.setReadyList(list);
      let moved = structuredClone(list.buffer, { transfer: [list.buffer] });
      moved = null;
      for (let i = 0; i < 20; i++) { new ArrayBuffer(1 << 20); }
      try {
        native.backendDispatch(h, 0, 0);
        console.log("no throw");
      } catch (e) {
        console.log(e.name + ": " + e.message);
      }
    `);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("RangeError: backendDispatch: the registered ready list (setReadyList) was detached or shrunk below one entry");
  });

  it("a resizable buffer whose `resizable` is shadowed, then resized to 0: dispatch throws a RangeError instead of writing past it", () => {
    const r = runNative(`
      const h = native.backendNew("poll", 0);
      const out = new Int32Array(2);
      native.socketpair(native.constants.AF_UNIX, native.constants.SOCK_STREAM, 0, out);
      native.backendAdd(h, out[1], 0, 4);
      const rab = new ArrayBuffer(64, { maxByteLength: 64 });
      Object.defineProperty(rab, "resizable", { value: false });
      const list = new Int32Array(rab);
      native.setReadyList(list);
      console.log(native.backendDispatch(h, 0, 0));
      rab.resize(0);
      try {
        native.backendDispatch(h, 0, 0);
        console.log("no throw");
      } catch (e) {
        console.log(e.name + ": " + e.message);
      }
      rab.resize(8); // grown again: one pair fits, and is written
      console.log(native.backendDispatch(h, 0, 0), list[0] === out[1]);
    `);
    expect(r.signal).toBeNull();
    expect(r.stdout.trim().split("\n")).toEqual([
      "1",
      "RangeError: backendDispatch: the registered ready list (setReadyList) was detached or shrunk below one entry",
      "1 true",
    ]);
  });

  it("a change list transferred away: the next dispatch with changes throws a RangeError", () => {
    const r = runNative(`
      const h = native.backendNew("epoll", 0);
      native.setReadyList(new Int32Array(8));
      const list = new Int32Array(8);
      native.setChangeList(h, list);
      structuredClone(list.buffer, { transfer: [list.buffer] });
      try {
        native.backendDispatch(h, 0, 1);
        console.log("no throw");
      } catch (e) {
        console.log(e.name + ": " + e.message);
      }
    `);
    expect(r.signal).toBeNull();
    expect(r.stdout.trim()).toBe("RangeError: backendDispatch: the registered change list (setChangeList) was detached or shrunk below one entry");
  });
});

describe("the poll backend refuses fds beyond RLIMIT_NOFILE", () => {
  it("backendAdd of fd 2^28 is EBADF, at once and without growing its map to the fd (1 GiB)", () => {
    const r = runNative(`
      const h = native.backendNew("poll", 0);
      const before = process.memoryUsage().rss;
      console.log(native.backendAdd(h, 2 ** 28, 0, 2));
      console.log(process.memoryUsage().rss - before < 64 * 1024 * 1024);
      // An fd below the limit is still taken.
      const out = new Int32Array(2);
      native.socketpair(native.constants.AF_UNIX, native.constants.SOCK_STREAM, 0, out);
      console.log(native.backendAdd(h, out[0], 0, 2));
    `);
    expect(r.signal).toBeNull();
    expect(r.stdout.trim().split("\n")).toEqual([String(-osConstants.errno.EBADF), "true", "0"]);
  });
});

/** Run a TypeScript program on the sources; its status, signal and output. */
function runProgram(code: string): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), "hardening-"));
  try {
    const file = join(dir, "program.ts");
    writeFileSync(file, code);
    const r = spawnSync(process.execPath, nodeArgs(file, []), { cwd: root, encoding: "utf8", timeout: 60_000 });
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the memory the addon keeps pointers into cannot be detached (native/mem.ts)", () => {
  it("a view of chain memory lent out (pullup) and transferred away: the memory stays, the write sends it", () => {
    const r = runProgram(`
      import { evbuffer_add, evbuffer_new, evbuffer_pullup, evbuffer_write } from "libevent-ts/event2/buffer";
      import { AF_UNIX, SOCK_STREAM, evutil_socketpair, read } from "libevent-ts/event2/util";
      import { MessageChannel } from "node:worker_threads";
      const buf = evbuffer_new();
      evbuffer_add(buf, "hello", 5);
      const view = evbuffer_pullup(buf, -1)!;
      const attempts = [
        () => structuredClone(view, { transfer: [view.buffer] }),
        () => { const { port1 } = new MessageChannel(); port1.postMessage(view, [view.buffer]); port1.close(); },
      ];
      // Refused (Node 21 on) or cloned instead (Node 20): either way not detached.
      for (const attempt of attempts) {
        try { attempt(); } catch { /* refused */ }
      }
      console.log(view.byteLength);
      const fds: number[] = [-1, -1];
      evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, fds);
      console.log(evbuffer_write(buf, fds[0]!));
      const got = new Uint8Array(16);
      console.log(Buffer.from(got.subarray(0, read(fds[1]!, got, 16))).toString());
    `);
    expect(r.signal).toBeNull();
    expect(r.stderr).toBe("");
    expect(r.stdout.trim().split("\n")).toEqual(["5", "5", "hello"]);
  });
});

describe("a signal handler installed by Node after ours is left in place", () => {
  it("process.on(SIGINT) after evsignal_new(SIGINT): freeing the event keeps Node's handler, and Ctrl-C reaches it", () => {
    const r = runProgram(`
      import { event_add, event_base_free, event_base_new, event_free, evsignal_new } from "libevent-ts/event2/event";
      import { SIGINT } from "libevent-ts/event2/util";
      const base = event_base_new()!;
      const ev = evsignal_new(base, SIGINT, () => {}, null)!;
      event_add(ev, null);
      process.on("SIGINT", () => { console.log("process.on got SIGINT"); process.exit(0); });
      event_free(ev);
      event_base_free(base);
      process.kill(process.pid, "SIGINT");
      setTimeout(() => { console.log("no signal"); process.exit(3); }, 5000);
    `);
    expect(r.signal).toBeNull();
    expect(r.stdout.trim()).toBe("process.on got SIGINT");
    expect(r.status).toBe(0);
  });

  it("with no handler installed since, freeing the last event puts the previous disposition back", () => {
    const r = runProgram(`
      import { event_add, event_base_free, event_base_new, event_free, evsignal_new } from "libevent-ts/event2/event";
      import { SIGUSR2 } from "libevent-ts/event2/util";
      const base = event_base_new()!;
      const ev = evsignal_new(base, SIGUSR2, () => {}, null)!;
      event_add(ev, null);
      event_free(ev);
      event_base_free(base);
      process.kill(process.pid, "SIGUSR2"); // the default action again: the process ends
      setTimeout(() => { console.log("still alive"); process.exit(3); }, 5000);
    `);
    expect(r.signal).toBe("SIGUSR2");
  });
});

describe("one set of argument rules: each defect of the misuse run, pinned", () => {
  it("bufferevent_set_timeouts refuses tv_sec 0.5 (it used to store it, and every bufferevent_enable then threw from event_add)", async () => {
    const { bufferevent_enable, bufferevent_free, bufferevent_pair_new, bufferevent_set_timeouts } = await import("libevent-ts/event2/bufferevent");
    const { EV_READ, event_base_free, event_base_new } = await import("libevent-ts/event2/event");
    const { timeval } = await import("libevent-ts/event2/util");
    const base = event_base_new()!;
    const pair = [null, null] as unknown as Parameters<typeof bufferevent_pair_new>[2];
    expect(bufferevent_pair_new(base, 0, pair)).toBe(0);
    const bev = pair[0]!;
    expect(bufferevent_set_timeouts(bev, new timeval(5, 0), null)).toBe(0);
    expect(() => bufferevent_set_timeouts(bev, { tv_sec: 0.5, tv_usec: 0 } as never, null))
      .toThrow(new TypeError("bufferevent_set_timeouts: timeout_read {0.5, 0} has a tv_sec or tv_usec that is not an integer"));
    // A refused call changes nothing: the timeout set before stays, and enabling works.
    expect(bev.timeout_read.tv_sec).toBe(5);
    expect(bufferevent_enable(bev, EV_READ)).toBe(0);
    bufferevent_free(pair[0]!);
    bufferevent_free(pair[1]!);
    event_base_free(base);
  });

  it("integers and callbacks: non-numbers are TypeErrors naming the function, out-of-range numbers RangeErrors", async () => {
    const ev = await import("libevent-ts");
    const base = ev.event_base_new()!;
    const e = ev.event_new(base, -1, 0, () => {}, null)!;
    expect(() => ev.event_active(e, "str" as never, 0)).toThrow(new TypeError("event_active: res must be an integer, not \"str\""));
    const cfg = ev.event_config_new();
    expect(() => ev.event_config_require_features(cfg, {} as never)).toThrow(new TypeError("event_config_require_features: features must be an integer, not a plain object"));
    // refused: no requirement was stored, a base can still be made
    const b2 = ev.event_base_new_with_config(cfg);
    expect(b2).not.toBeNull();
    ev.event_base_free(b2!);
    ev.event_config_free(cfg);
    expect(() => ev.event_new(base, 0, ev.EV_READ, 5 as never, null)).toThrow(new TypeError("event_new: callback is 5, not a function or null"));
    expect(() => ev.event_set_log_callback("x" as never)).toThrow(/^event_set_log_callback: cb/);
    const pair = [null, null] as unknown as Parameters<typeof ev.bufferevent_pair_new>[2];
    ev.bufferevent_pair_new(base, 0, pair);
    expect(() => ev.bufferevent_setfd(pair[0]!, 2 ** 53)).toThrow(RangeError);
    expect(() => ev.bufferevent_setfd(pair[0]!, 2 ** 53)).toThrow(/^bufferevent_setfd: fd /);
    ev.bufferevent_free(pair[0]!);
    ev.bufferevent_free(pair[1]!);
    ev.event_free(e);
    ev.event_base_free(base);
  });

  it("throws that named no function now name it: evutil_timer*, evutil_gettimeofday, event_initialized(null), event_base_dump_events(base, 0)", async () => {
    const ev = await import("libevent-ts");
    const tv = new ev.timeval();
    expect(() => ev.evutil_timeradd(null as never, tv, tv)).toThrow(/^evutil_timeradd: tvp is null, not a timeval$/);
    expect(() => ev.evutil_timersub(tv, undefined as never, tv)).toThrow(/^evutil_timersub: uvp is undefined, not a timeval$/);
    expect(() => ev.evutil_timercmp(tv, null as never, "<")).toThrow(/^evutil_timercmp: uvp/);
    expect(() => ev.evutil_timerclear(null as never)).toThrow(/^evutil_timerclear: tvp/);
    expect(() => ev.evutil_gettimeofday(null as never, null)).toThrow(/^evutil_gettimeofday: tv/);
    expect(() => ev.event_initialized(null as never)).toThrow(new TypeError("event_initialized: ev is null, not an event"));
    const base = ev.event_base_new()!;
    expect(() => ev.event_base_dump_events(base, 0 as never)).toThrow(/^event_base_dump_events: output is 0/);
    ev.event_base_free(base);
  });

  it("evutil_timerisset(0) is a TypeError, not 1", async () => {
    const { evutil_timerisset, timeval } = await import("libevent-ts/event2/util");
    expect(() => evutil_timerisset(0 as never)).toThrow(new TypeError("evutil_timerisset: tvp is 0, not a timeval"));
    expect(evutil_timerisset(new timeval(0, 0))).toBe(0);
    expect(evutil_timerisset(new timeval(0, 1))).toBe(1);
  });
});
