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

describe("a signal handler installed by Node after ours is left in place", () => {
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
