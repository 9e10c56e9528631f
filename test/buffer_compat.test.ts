/**
 * buffer_compat.h against the real libevent 2.1.12 (Debian's libevent_core-2.1.so.7 through
 * ffi-rs): the (old_len, new_len) sequence of an old-style evbuffer_setcb callback over the same
 * operations, and evbuffer_readline's lines; then EVBUFFER_LENGTH, EVBUFFER_DATA, evbuffer_setcb
 * replacing every callback, and misuse reported under the compat names.
 */
import { describe, expect, it } from "vitest";
import {
  EVBUFFER_EOL_CRLF, evbuffer, evbuffer_add, evbuffer_add_buffer, evbuffer_add_cb, evbuffer_add_printf,
  evbuffer_commit_space, evbuffer_drain, evbuffer_expand, evbuffer_free, evbuffer_freeze, evbuffer_get_length,
  evbuffer_iovec, evbuffer_new, evbuffer_prepend, evbuffer_prepend_buffer, evbuffer_pullup, evbuffer_readln,
  evbuffer_remove, evbuffer_remove_buffer, evbuffer_reserve_space, evbuffer_unfreeze,
} from "libevent-ts/event2/buffer";
import {
  EVBUFFER_DATA, EVBUFFER_LENGTH, evbuffer_find, evbuffer_readline, evbuffer_setcb,
} from "libevent-ts/event2/buffer_compat";
import type { evbuffer_cb } from "libevent-ts/event2/buffer_compat";
import * as root from "libevent-ts";
import { CEvbuffer } from "./oracle/libevent_core.js";

const enc = new TextEncoder();

/** Let ffi-rs deliver the C callbacks it queued: until `want` are there, then one more turn for extras. */
async function settle(seen: unknown[], want: number): Promise<void> {
  for (let i = 0; i < 500 && seen.length < want; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 50));
}

/** One step, on libevent's buffers (c, cother) and on ours (t, tother); both return values are compared. */
interface step {
  name: string;
  c(c: CEvbuffer, cother: CEvbuffer): unknown;
  t(t: evbuffer, tother: evbuffer): unknown;
}

const hello = enc.encode("hello world\r\n");
const hundred = new Uint8Array(100).fill(0x61);

const steps: step[] = [
  { name: "add 13", c: (c) => c.add(hello, 13), t: (t) => evbuffer_add(t, hello, 13) },
  { name: "add 0 (no call)", c: (c) => c.add(hello, 0), t: (t) => evbuffer_add(t, hello, 0) },
  { name: "prepend 3", c: (c) => c.prepend(enc.encode("abc"), 3), t: (t) => evbuffer_prepend(t, "abc", 3) },
  { name: "drain 2", c: (c) => c.drain(2), t: (t) => evbuffer_drain(t, 2) },
  { name: "drain 0 (no call)", c: (c) => c.drain(0), t: (t) => evbuffer_drain(t, 0) },
  { name: "remove 4", c: (c) => c.remove(new Uint8Array(4), 4), t: (t) => evbuffer_remove(t, new Uint8Array(4), 4) },
  { name: "add_printf", c: (c) => c.add_printf_s_d("%s=%d\n", "x", 42), t: (t) => evbuffer_add_printf(t, "%s=%d\n", "x", 42) },
  {
    name: "add_buffer of 100",
    c: (c, o) => [o.add(hundred, 100), c.add_buffer(o)],
    t: (t, o) => [evbuffer_add(o, hundred, 100), evbuffer_add_buffer(t, o)],
  },
  { name: "remove_buffer 10", c: (c, o) => c.remove_buffer(o, 10), t: (t, o) => evbuffer_remove_buffer(t, o, 10) },
  {
    name: "readline",
    c: (c) => c.readline()?.toString("latin1") ?? null,
    t: (t) => evbuffer_readline(t),
  },
  {
    name: "readln CRLF",
    c: (c) => c.readln(EVBUFFER_EOL_CRLF).line?.toString("latin1") ?? null,
    t: (t) => evbuffer_readln(t, null, EVBUFFER_EOL_CRLF),
  },
  { name: "prepend_buffer", c: (c, o) => c.prepend_buffer(o), t: (t, o) => evbuffer_prepend_buffer(t, o) },
  { name: "expand (no call)", c: (c) => c.expand(4096), t: (t) => evbuffer_expand(t, 4096) },
  {
    name: "reserve 100, commit 50",
    c: (c) => {
      const r = c.reserve_space(100, 1);
      r.vec.writeBigUInt64LE(50n, 8);
      return [r.count, c.commit_space(r.vec, 1)];
    },
    t: (t) => {
      const v = [new evbuffer_iovec()];
      const n = evbuffer_reserve_space(t, 100, v, 1);
      v[0]!.iov_len = 50;
      return [n, evbuffer_commit_space(t, v, 1)];
    },
  },
  { name: "pullup (no call)", c: (c) => c.pullup(-1, 0) !== null, t: (t) => evbuffer_pullup(t, -1) !== null },
  {
    name: "a drain refused by a frozen front (no call)",
    c: (c) => [c.freeze(1), c.drain(1), c.unfreeze(1)],
    t: (t) => [evbuffer_freeze(t, 1), evbuffer_drain(t, 1), evbuffer_unfreeze(t, 1)],
  },
  { name: "drain all", c: (c) => c.drain(-1), t: (t) => evbuffer_drain(t, -1) },
  { name: "add 7", c: (c) => c.add(hello, 7), t: (t) => evbuffer_add(t, hello, 7) },
];

describe("buffer_compat", () => {
  it("evbuffer_setcb: the old-style callback gets libevent's (old_len, new_len) sequence; readline, readln and every return value agree", async () => {
    const c = new CEvbuffer();
    const cother = new CEvbuffer();
    const t = evbuffer_new();
    const tother = evbuffer_new();
    const seenC: [number, number][] = [];
    const seenT: [number, number][] = [];
    const recordT: evbuffer_cb<[number, number][]> = (buffer, old_len, new_len, seen) => {
      expect(buffer).toBe(t);
      seen.push([old_len, new_len]);
    };
    try {
      expect(c.setcb((o, n) => seenC.push([o, n]))).toBe(0);
      expect(evbuffer_setcb(t, recordT, seenT)).toBe(0);
      for (const s of steps) expect(s.t(t, tother), s.name).toEqual(s.c(c, cother));
      // NULL removes the callback: nothing is recorded for this add
      expect(c.setcb(null)).toBe(0);
      expect(evbuffer_setcb(t, null, null)).toBe(0);
      expect(evbuffer_add(t, hello, 5)).toBe(c.add(hello, 5));
      expect(c.setcb((o, n) => seenC.push([o, n]))).toBe(0);
      expect(evbuffer_setcb(t, recordT, seenT)).toBe(0);
      expect(evbuffer_drain(t, 1)).toBe(c.drain(1));
      expect(evbuffer_get_length(t)).toBe(c.get_length());

      await settle(seenC, seenT.length);
      expect(seenT.length).toBeGreaterThanOrEqual(12);
      expect(seenT).toEqual(seenC);
    } finally {
      c.free();
      cother.free();
      evbuffer_free(t);
      evbuffer_free(tother);
    }
  });

  it("evbuffer_readline is readln(EVBUFFER_EOL_ANY): any run of CR and LF ends a line, as libevent's", () => {
    const text = "one\r\ntwo\n\n\rthree\rfour\n\r\r\nfive\r\n\r\n\nsix";
    const c = new CEvbuffer();
    const t = evbuffer_new();
    try {
      const bytes = enc.encode(text);
      expect(evbuffer_add(t, bytes, bytes.length)).toBe(c.add(bytes, bytes.length));
      const lines: (string | null)[] = [];
      for (let i = 0; i < 8; i++) {
        const mine = evbuffer_readline(t);
        expect(mine).toBe(c.readline()?.toString("latin1") ?? null);
        lines.push(mine);
      }
      expect(lines).toEqual(["one", "two", "three", "four", "five", null, null, null]);
      expect(EVBUFFER_LENGTH(t)).toBe(c.get_length()); // "six" waits for its end of line
      expect(EVBUFFER_LENGTH(t)).toBe(3);
    } finally {
      c.free();
      evbuffer_free(t);
    }
  });

  it("EVBUFFER_LENGTH is evbuffer_get_length; EVBUFFER_DATA is pullup(-1): the whole buffer, contiguous, null when empty", () => {
    const buf = evbuffer_new();
    try {
      expect(EVBUFFER_LENGTH(buf)).toBe(0);
      expect(EVBUFFER_DATA(buf)).toBeNull();
      // two chains, so that the view has to be made contiguous
      const big = new Uint8Array(3000).fill(0x62);
      evbuffer_add(buf, "head:", 5);
      evbuffer_add(buf, big, big.length);
      expect(EVBUFFER_LENGTH(buf)).toBe(3005);
      const data = EVBUFFER_DATA(buf)!;
      expect(data.length).toBe(3005);
      expect(new TextDecoder().decode(data.subarray(0, 5))).toBe("head:");
      // a view of the buffer's memory, as the C pointer is: the same bytes pullup gives
      const again = evbuffer_pullup(buf, -1)!;
      expect(again.buffer).toBe(data.buffer);
      expect(again.byteOffset).toBe(data.byteOffset);
      evbuffer_drain(buf, -1);
      expect(EVBUFFER_DATA(buf)).toBeNull();
    } finally {
      evbuffer_free(buf);
    }
  });

  it("evbuffer_setcb replaces every callback, evbuffer_add_cb's included; null removes them all", () => {
    const buf = evbuffer_new();
    const calls: string[] = [];
    try {
      evbuffer_add_cb(buf, (_b, info) => calls.push(`new ${info.n_added}`), null);
      evbuffer_add(buf, "ab", 2);
      expect(evbuffer_setcb(buf, (_b, o, n) => calls.push(`old ${o}->${n}`), null)).toBe(0);
      evbuffer_add(buf, "cd", 2);
      expect(evbuffer_setcb(buf, null, null)).toBe(0);
      evbuffer_add(buf, "ef", 2);
      expect(calls).toEqual(["new 2", "old 2->4"]);
      expect(evbuffer_find(buf, "cd", 2)).not.toBeNull();
    } finally {
      evbuffer_free(buf);
    }
  });

  it("misuse is reported under the compat name; the package root exports the compat names", () => {
    expect(() => EVBUFFER_LENGTH(null as never)).toThrow(/^EVBUFFER_LENGTH: /);
    expect(() => EVBUFFER_DATA({} as never)).toThrow(/^EVBUFFER_DATA: /);
    expect(() => evbuffer_readline(3 as never)).toThrow(/^evbuffer_readline: /);
    const freed = evbuffer_new();
    evbuffer_free(freed);
    expect(() => EVBUFFER_LENGTH(freed)).toThrow(/^EVBUFFER_LENGTH: .*free/);
    expect(() => evbuffer_setcb(evbuffer_new(), 5 as never, null)).toThrow(/^evbuffer_setcb: /);
    expect(root.evbuffer_readline).toBe(evbuffer_readline);
    expect(root.EVBUFFER_DATA).toBe(EVBUFFER_DATA);
    expect(root.evbuffer_setcb).toBe(evbuffer_setcb);
  });
});
