/**
 * libevent's evbuffer/ regression group (test/regress_buffer.c), ported case by case, plus the
 * port's own cases: bad input, fd I/O, printf formatting, deferred callbacks.
 *
 * evbuffer_validate_ is ported as validate(): it walks the chains through the internal fields
 * (first, last, the last_with_datap pointer, each chain's buffer_len/misalign/off).
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  EVBUFFER_CB_ENABLED, EVBUFFER_EOL_ANY, EVBUFFER_EOL_CRLF, EVBUFFER_EOL_CRLF_STRICT, EVBUFFER_EOL_LF,
  EVBUFFER_EOL_NUL, EVBUFFER_FLAG_DRAINS_TO_FD, EVBUFFER_PTR_ADD, EVBUFFER_PTR_SET, EVBUF_FS_DISABLE_MMAP,
  EVBUF_FS_DISABLE_SENDFILE, evbuffer, evbuffer_add, evbuffer_add_buffer, evbuffer_add_buffer_reference,
  evbuffer_add_cb, evbuffer_add_file, evbuffer_add_file_segment, evbuffer_add_iovec, evbuffer_add_printf,
  evbuffer_add_reference, evbuffer_cb_clear_flags, evbuffer_cb_info, evbuffer_cb_set_flags, evbuffer_commit_space,
  evbuffer_copyout, evbuffer_copyout_from, evbuffer_drain, evbuffer_expand, evbuffer_file_segment,
  evbuffer_file_segment_add_cleanup_cb, evbuffer_file_segment_free, evbuffer_file_segment_new, evbuffer_find,
  evbuffer_free, evbuffer_freeze, evbuffer_get_length, evbuffer_iovec, evbuffer_new, evbuffer_peek,
  evbuffer_prepend, evbuffer_prepend_buffer, evbuffer_ptr, evbuffer_ptr_set, evbuffer_pullup, evbuffer_read,
  evbuffer_readln, evbuffer_remove, evbuffer_remove_buffer, evbuffer_remove_cb, evbuffer_remove_cb_entry,
  evbuffer_reserve_space, evbuffer_search, evbuffer_search_eol, evbuffer_search_range, evbuffer_set_flags,
  evbuffer_setcb, evbuffer_write, evbuffer_write_atmost, evbuffer_add_vprintf, evbuffer_defer_callbacks,
  evbuffer_enable_locking, evbuffer_get_contiguous_space, evbuffer_lock, evbuffer_unlock, type evbuffer_size_out,
} from "libevent-ts/event2/buffer";
import {
  EAGAIN, EBADF, EV_SIZE_MAX, EV_SSIZE_MAX, errno, evutil_closesocket, evutil_snprintf, evutil_vsnprintf,
} from "libevent-ts/event2/util";
import {
  EVLOOP_NONBLOCK, EV_PERSIST, EV_READ, EV_WRITE, event_add, event_base_dispatch, event_base_free, event_base_loop,
  event_base_loopexit, event_base_new, event_base_priority_init, event_free, event_new,
} from "libevent-ts/event2/event";
import { EVBUFFER_CB_NODEFER, EVBUFFER_MAX_READ } from "../src/buffer/buffer.js";
import { native } from "../src/native/binding.js";
import { checkFdLeaks } from "./helpers/fds.js";
import { nonblockingPair } from "./helpers/setup.js";

// ---- helpers ------------------------------------------------------------------------------

type evbuffer_chain = NonNullable<evbuffer["first"]>;

const enc = new TextEncoder();
const bytes = (s: string): Uint8Array => enc.encode(s);
/** The bytes of a view as a latin1 string (one char a byte), for comparisons. */
const text = (v: Uint8Array | null, n?: number): string =>
  v === null ? "<null>" : Buffer.from(v.buffer, v.byteOffset, n ?? v.length).toString("latin1");
const all = (buf: evbuffer): string => text(evbuffer_pullup(buf, -1) ?? new Uint8Array(0));

/** evbuffer_validate_ (regress_buffer.c), on the internal fields. */
function validate(buf: evbuffer): void {
  const fail = (what: string): never => {
    throw new Error(`Buffer format invalid: ${what}`);
  };
  if (buf.first === null) {
    if (buf.last !== null) fail("last without first");
    if (buf.total_len !== 0) fail("length without chains");
  }
  let found_lwd = buf.last_with_datap === null;
  let sum = 0;
  for (let chain = buf.first; chain !== null; chain = chain.next) {
    if (buf.last_with_datap === chain) found_lwd = true;
    sum += chain.off;
    if (chain.next === null && buf.last !== chain) fail("last is not the last chain");
    if (chain.buffer_len < chain.misalign + chain.off) fail("chain overflows");
  }
  const lwd = buf.last_with_datap === null ? buf.first : buf.last_with_datap.next;
  if (buf.first !== null && lwd === null) fail("last_with_datap points at NULL");
  if (lwd !== null) {
    if (lwd.off === 0 || buf.total_len === 0) {
      if (lwd.off !== 0) fail("empty buffer, last_with_data has data");
      if (lwd !== buf.first) fail("empty last_with_data is not first");
      if (buf.total_len !== 0) fail("empty last_with_data, data elsewhere");
    }
    for (let c = lwd.next; c !== null; c = c.next) if (c.off !== 0) fail("data after last_with_data");
  } else if (buf.last_with_datap !== null) {
    fail("last_with_datap is not &first");
  }
  if (!found_lwd) fail("last_with_datap not in the chain list");
  if (sum !== buf.total_len) fail(`sum of chains ${sum} != total_len ${buf.total_len}`);
}

/** evbuffer_get_waste (regress_buffer.c). */
function get_waste(buf: evbuffer): { a: number; w: number; u: number } {
  let a = 0, w = 0, u = 0;
  let chain: evbuffer_chain | null = buf.first;
  while (chain && chain.off === 0) {
    a += chain.buffer_len;
    chain = chain.next;
  }
  if (chain) {
    a += chain.buffer_len;
    u += chain.off;
    if (chain.next && chain.next.off) w += chain.buffer_len - (chain.misalign + chain.off);
    chain = chain.next;
  }
  while (chain && chain.off) {
    a += chain.buffer_len;
    w += chain.misalign;
    u += chain.off;
    if (chain.next && chain.next.off) w += chain.buffer_len - (chain.misalign + chain.off);
    chain = chain.next;
  }
  for (; chain; chain = chain.next) a += chain.buffer_len;
  return { a, w, u };
}

checkFdLeaks();

const no_cleanup = (): void => {};
const iovecs = (n: number): evbuffer_iovec[] => Array.from({ length: n }, () => new evbuffer_iovec());

const tmpDir = mkdtempSync(join(tmpdir(), "evbuffer-test-"));
afterAll(() => rmSync(tmpDir, { recursive: true, force: true }));
let tmpCount = 0;
/** regress_make_tmpfile: a file holding `data`, opened read-only; returns its fd. */
function make_tmpfile(data: Uint8Array | string): number {
  const path = join(tmpDir, `f${tmpCount++}`);
  writeFileSync(path, data);
  return openSync(path, "r");
}

// ---- the regression group -----------------------------------------------------------------

describe("evbuffer/", () => {
  it("evbuffer: printf, add_buffer, drain, prepend, pullup, remove_buffer, 1-vector reserve/commit", () => {
    const buffer = new Uint8Array(512);
    const evb = evbuffer_new();
    const evb_two = evbuffer_new();
    validate(evb);
    evbuffer_add_printf(evb, "%s/%d", "hello", 1);
    validate(evb);
    expect(evbuffer_get_length(evb)).toBe(7);
    expect(all(evb)).toBe("hello/1");

    evbuffer_add_buffer(evb, evb_two);
    validate(evb);
    evbuffer_drain(evb, 6);
    validate(evb);
    expect(evbuffer_get_length(evb)).toBe(1);
    expect(all(evb)).toBe("1");

    evbuffer_add_printf(evb_two, "%s", "/hello");
    validate(evb);
    evbuffer_add_buffer(evb, evb_two);
    validate(evb);
    expect(evbuffer_get_length(evb_two)).toBe(0);
    expect(evbuffer_get_length(evb)).toBe(7);
    expect(all(evb)).toBe("1/hello");

    evbuffer_add(evb, buffer, buffer.length);
    validate(evb);
    expect(evbuffer_get_length(evb)).toBe(7 + 512);
    let tmp = evbuffer_pullup(evb, 7 + 512)!;
    expect(tmp).not.toBeNull();
    expect(text(tmp, 7)).toBe("1/hello");
    expect(Buffer.compare(tmp.subarray(7, 7 + 512), buffer)).toBe(0);
    validate(evb);

    evbuffer_prepend(evb, "something", 9);
    validate(evb);
    evbuffer_prepend(evb, "else", 4);
    validate(evb);
    tmp = evbuffer_pullup(evb, 4 + 9 + 7)!;
    expect(text(tmp)).toBe("elsesomething1/hello");
    validate(evb);

    evbuffer_drain(evb, -1);
    validate(evb);
    evbuffer_drain(evb_two, -1);
    validate(evb);

    let i: number;
    for (i = 0; i < 3; ++i) {
      evbuffer_add(evb_two, buffer, buffer.length);
      validate(evb_two);
      evbuffer_add_buffer(evb, evb_two);
      validate(evb);
      validate(evb_two);
    }
    expect(evbuffer_get_length(evb_two)).toBe(0);
    expect(evbuffer_get_length(evb)).toBe(i * 512);

    const sz_tmp = Math.trunc(512 * 2.5);
    evbuffer_remove_buffer(evb, evb_two, sz_tmp);
    expect(evbuffer_get_length(evb_two)).toBe(sz_tmp);
    expect(evbuffer_get_length(evb)).toBe(512 / 2);
    validate(evb);
    expect(Buffer.compare(evbuffer_pullup(evb, -1)!, buffer.subarray(0, 256))).toBe(0);
    expect(Buffer.compare(evbuffer_pullup(evb_two, -1)!.subarray(0, 512), buffer)).toBe(0);
    validate(evb);

    const v = iovecs(1);
    for (let k = 0; k < 3; ++k) {
      const r = evbuffer_reserve_space(evb, 10000, v, 1);
      expect(r).toBe(1);
      expect(v[0]!.iov_len).toBeGreaterThanOrEqual(10000);
      expect(v[0]!.iov_base).not.toBeNull();
      validate(evb);
      const b = v[0]!.iov_base!;
      for (let j = 0; j < 10000; ++j) b[j] = j & 0xff;
      validate(evb);
      expect(evbuffer_commit_space(evb, v, 1)).toBe(0);
      validate(evb);
      expect(evbuffer_get_length(evb)).toBeGreaterThanOrEqual(10000);
      evbuffer_drain(evb, 10000 * 5000);
      validate(evb);
    }
    evbuffer_free(evb);
    evbuffer_free(evb_two);
  });

  it("remove_buffer_with_empty: moving 3 bytes across reference chains and a trailing empty one", () => {
    const src = evbuffer_new();
    const dst = evbuffer_new();
    const buf = bytes("AA");
    validate(src);
    validate(dst);
    evbuffer_add_reference(src, buf, 2, no_cleanup, null);
    evbuffer_add_reference(src, buf, 2, no_cleanup, null);
    evbuffer_add(dst, buf, 2);
    evbuffer_add_reference(dst, buf, 0, no_cleanup, null);
    validate(src);
    validate(dst);
    expect(all(src)).toBe("AAAA");
    expect(all(dst)).toBe("AA");
    evbuffer_remove_buffer(src, dst, 3);
    validate(src);
    validate(dst);
    expect(all(src)).toBe("A");
    expect(all(dst)).toBe("AAAAA");
    evbuffer_free(src);
    evbuffer_free(dst);
  });

  it("remove_buffer_with_empty2", () => {
    const src = evbuffer_new();
    const dst = evbuffer_new();
    const buf = evbuffer_new();
    evbuffer_add(buf, "foo", 3);
    evbuffer_add_reference(buf, "foo", 3, null, null);
    evbuffer_add_reference(src, "foo", 3, null, null);
    evbuffer_add_reference(src, null, 0, null, null);
    evbuffer_add_buffer(src, buf);
    evbuffer_add(buf, "foo", 3);
    evbuffer_add_reference(buf, "foo", 3, null, null);
    evbuffer_add_reference(dst, "foo", 3, null, null);
    evbuffer_add_reference(dst, null, 0, null, null);
    evbuffer_add_buffer(dst, buf);
    expect(evbuffer_get_length(src)).toBe(9);
    expect(evbuffer_get_length(dst)).toBe(9);
    validate(src);
    validate(dst);
    expect(all(src)).toBe("foofoofoo");
    expect(all(dst)).toBe("foofoofoo");
    evbuffer_remove_buffer(src, dst, 8);
    validate(src);
    validate(dst);
    expect(evbuffer_get_length(src)).toBe(1);
    expect(evbuffer_get_length(dst)).toBe(17);
    expect(all(src)).toBe("o");
    expect(all(dst)).toBe("foofoofoofoofoofo");
    evbuffer_free(src);
    evbuffer_free(dst);
    evbuffer_free(buf);
  });

  it("remove_buffer_with_empty3", () => {
    const src = evbuffer_new();
    const dst = evbuffer_new();
    const buf = evbuffer_new();
    evbuffer_add(buf, "foo", 3);
    evbuffer_add_reference(buf, null, 0, null, null);
    evbuffer_add_reference(src, "foo", 3, null, null);
    evbuffer_add_reference(src, null, 0, null, null);
    evbuffer_prepend_buffer(src, buf);
    evbuffer_add(buf, "foo", 3);
    evbuffer_add_reference(buf, null, 0, null, null);
    evbuffer_add_reference(dst, "foo", 3, null, null);
    evbuffer_add_reference(dst, null, 0, null, null);
    evbuffer_prepend_buffer(dst, buf);
    expect(evbuffer_get_length(src)).toBe(6);
    expect(evbuffer_get_length(dst)).toBe(6);
    validate(src);
    validate(dst);
    expect(all(src)).toBe("foofoo");
    expect(all(dst)).toBe("foofoo");
    evbuffer_remove_buffer(src, dst, 5);
    validate(src);
    validate(dst);
    expect(evbuffer_get_length(src)).toBe(1);
    expect(evbuffer_get_length(dst)).toBe(11);
    expect(all(src)).toBe("o");
    expect(all(dst)).toBe("foofoofoofo");
    evbuffer_free(src);
    evbuffer_free(dst);
    evbuffer_free(buf);
  });

  it("remove_buffer_with_empty_front: remove_buffer after an empty prepend, then add", () => {
    const buf1 = evbuffer_new();
    const buf2 = evbuffer_new();
    expect(evbuffer_add_reference(buf1, "foo", 3, null, null)).toBe(0);
    expect(evbuffer_prepend(buf1, "", 0)).toBe(0);
    expect(evbuffer_remove_buffer(buf1, buf2, 1)).toBe(1);
    expect(evbuffer_add(buf1, "bar", 3)).toBe(0);
    expect(all(buf1)).toBe("oobar");
    validate(buf1);
    validate(buf2);
    evbuffer_free(buf1);
    evbuffer_free(buf2);
  });

  it("remove_buffer_adjust_last_with_datap_with_empty: byte order kept", () => {
    const buf1 = evbuffer_new();
    const buf2 = evbuffer_new();
    expect(evbuffer_add(buf1, "aaaaaa", 6)).toBe(0);
    const iov = iovecs(2);
    expect(evbuffer_reserve_space(buf1, 971, iov, 2)).toBe(2);
    expect(iov[0]!.iov_len).toBeGreaterThanOrEqual(1);
    expect(iov[1]!.iov_len).toBeGreaterThanOrEqual(1);
    iov[0]!.iov_base![0] = "b".charCodeAt(0);
    iov[0]!.iov_len = 1;
    expect(evbuffer_commit_space(buf1, iov, 1)).toBe(0);
    expect(evbuffer_add(buf2, "cc", 2)).toBe(0);
    expect(evbuffer_prepend(buf2, "ddd", 3)).toBe(0);
    expect(evbuffer_prepend_buffer(buf2, buf1)).toBe(0);
    expect(evbuffer_add_buffer(buf1, buf2)).toBe(0);
    expect(evbuffer_remove_buffer(buf1, buf2, 11)).toBe(11);
    expect(all(buf2)).toBe("aaaaaabdddc");
    validate(buf1);
    validate(buf2);
    evbuffer_free(buf1);
    evbuffer_free(buf2);
  });

  it("add_buffer_with_empty", () => {
    const src = evbuffer_new();
    const dst = evbuffer_new();
    const buf = evbuffer_new();
    evbuffer_add(buf, "foo", 3);
    evbuffer_add_reference(src, "foo", 3, null, null);
    evbuffer_add_reference(src, null, 0, null, null);
    evbuffer_add_buffer(src, buf);
    evbuffer_add(buf, "foo", 3);
    evbuffer_add_reference(dst, "foo", 3, null, null);
    evbuffer_add_reference(dst, null, 0, null, null);
    evbuffer_add_buffer(dst, buf);
    expect(evbuffer_get_length(src)).toBe(6);
    expect(evbuffer_get_length(dst)).toBe(6);
    validate(src);
    validate(dst);
    evbuffer_free(src);
    evbuffer_free(dst);
    evbuffer_free(buf);
  });

  it("add_buffer_with_empty2", () => {
    const src = evbuffer_new();
    const dst = evbuffer_new();
    const buf = evbuffer_new();
    evbuffer_add(buf, "foo", 3);
    evbuffer_add_reference(src, null, 0, null, null);
    evbuffer_add_buffer(src, buf);
    evbuffer_add(buf, "foo", 3);
    evbuffer_add_reference(dst, null, 0, null, null);
    evbuffer_add_buffer(dst, buf);
    expect(evbuffer_get_length(src)).toBe(3);
    expect(evbuffer_get_length(dst)).toBe(3);
    validate(src);
    validate(dst);
    evbuffer_free(src);
    evbuffer_free(dst);
    evbuffer_free(buf);
  });

  it("reserve2: two-vector reserve/commit continues in the same chain, splits at its end", () => {
    const buf = evbuffer_new();
    const v = iovecs(2);
    let n = evbuffer_reserve_space(buf, 1024, v, 2);
    expect(n).toBe(1);
    expect(evbuffer_get_length(buf)).toBe(0);
    expect(v[0]!.iov_base).not.toBeNull();
    expect(v[0]!.iov_len).toBeGreaterThanOrEqual(1024);
    v[0]!.iov_base!.fill("X".charCodeAt(0), 0, 512);
    const cp = v[0]!.iov_base!;
    let remaining = v[0]!.iov_len - 512;
    v[0]!.iov_len = 512;
    validate(buf);
    expect(evbuffer_commit_space(buf, v, 1)).toBe(0);
    expect(evbuffer_get_length(buf)).toBe(512);
    validate(buf);

    const sameMem = (a: Uint8Array | null, b: Uint8Array, off: number): boolean =>
      a !== null && a.buffer === b.buffer && a.byteOffset === b.byteOffset + off;

    n = evbuffer_reserve_space(buf, 32, v, 2);
    expect(n).toBe(1);
    expect(sameMem(v[0]!.iov_base, cp, 512)).toBe(true);
    expect(v[0]!.iov_len).toBe(remaining);
    v[0]!.iov_base!.fill("Y".charCodeAt(0), 0, 8);
    v[0]!.iov_len = 8;
    expect(evbuffer_commit_space(buf, v, 1)).toBe(0);
    expect(evbuffer_get_length(buf)).toBe(520);
    remaining -= 8;
    validate(buf);

    n = evbuffer_reserve_space(buf, remaining + 64, v, 2);
    expect(n).toBe(2);
    expect(sameMem(v[0]!.iov_base, cp, 520)).toBe(true);
    expect(v[0]!.iov_len).toBe(remaining);
    expect(v[1]!.iov_base).not.toBeNull();
    expect(v[1]!.iov_len).toBeGreaterThanOrEqual(64);
    const cp2 = v[1]!.iov_base!;
    v[0]!.iov_base![0] = "Z".charCodeAt(0);
    v[0]!.iov_len = 1;
    expect(evbuffer_commit_space(buf, v, 1)).toBe(0);
    expect(evbuffer_get_length(buf)).toBe(521);
    remaining -= 1;
    validate(buf);

    n = evbuffer_reserve_space(buf, remaining + 64, v, 2);
    validate(buf);
    expect(n).toBe(2);
    expect(sameMem(v[0]!.iov_base, cp, 521)).toBe(true);
    expect(v[0]!.iov_len).toBe(remaining);
    expect(sameMem(v[1]!.iov_base, cp2, 0)).toBe(true);
    expect(v[1]!.iov_len).toBeGreaterThanOrEqual(64);
    v[0]!.iov_base!.fill("W".charCodeAt(0), 0, 400);
    v[0]!.iov_len = 400;
    v[1]!.iov_base!.fill("x".charCodeAt(0), 0, 60);
    v[1]!.iov_len = 60;
    expect(evbuffer_commit_space(buf, v, 2)).toBe(0);
    expect(evbuffer_get_length(buf)).toBe(981);
    validate(buf);

    const p = iovecs(2);
    n = evbuffer_peek(buf, -1, null, p, 2);
    expect(n).toBe(2);
    expect(p[0]!.iov_len).toBe(921);
    expect(p[1]!.iov_len).toBe(60);
    expect(text(p[0]!.iov_base)).toBe("X".repeat(512) + "Y".repeat(8) + "Z" + "W".repeat(400));
    expect(text(p[1]!.iov_base)).toBe("x".repeat(60));
    evbuffer_free(buf);
  });

  for (const mode of [null, "add", "fill"] as const) {
    const name = mode === null ? "reserve_many" : mode === "add" ? "reserve_many2" : "reserve_many3";
    it(`${name}: glass-box growth with 2 and 3 vectors, reallocation when forced into 2`, () => {
      const buf = evbuffer_new();
      const v = iovecs(8);
      const same = (a: Uint8Array | null, b: Uint8Array | null): boolean =>
        a !== null && b !== null && a.buffer === b.buffer && a.byteOffset === b.byteOffset;
      let n = evbuffer_reserve_space(buf, 128, v, 2);
      validate(buf);
      expect(n).toBe(1);
      expect(v[0]!.iov_len).toBeGreaterThanOrEqual(128);
      let sz = v[0]!.iov_len;
      let cp1 = v[0]!.iov_base;
      if (mode === "add") {
        v[0]!.iov_base![0] = "X".charCodeAt(0);
        v[0]!.iov_len = 1;
        expect(evbuffer_commit_space(buf, v, 1)).toBe(0);
      } else if (mode === "fill") {
        v[0]!.iov_base!.fill("X".charCodeAt(0), 0, v[0]!.iov_len);
        expect(evbuffer_commit_space(buf, v, 1)).toBe(0);
        n = evbuffer_reserve_space(buf, 128, v, 2);
        expect(n).toBe(1);
        sz = v[0]!.iov_len;
        expect(same(v[0]!.iov_base, cp1)).toBe(false);
        cp1 = v[0]!.iov_base;
      }
      n = evbuffer_reserve_space(buf, sz + 128, v, 2);
      validate(buf);
      expect(n).toBe(2);
      sz = v[0]!.iov_len + v[1]!.iov_len;
      expect(sz).toBeGreaterThanOrEqual(v[0]!.iov_len + 128);
      if (mode === "add") {
        expect(v[0]!.iov_base!.byteOffset).toBe(cp1!.byteOffset + 1);
        expect(v[0]!.iov_base!.buffer).toBe(cp1!.buffer);
      } else {
        expect(same(v[0]!.iov_base, cp1)).toBe(true);
      }
      cp1 = v[0]!.iov_base;
      const cp2 = v[1]!.iov_base;

      n = evbuffer_reserve_space(buf, sz + 128, v, 3);
      validate(buf);
      expect(n).toBe(3);
      expect(same(cp1, v[0]!.iov_base)).toBe(true);
      expect(same(cp2, v[1]!.iov_base)).toBe(true);
      sz = v[0]!.iov_len + v[1]!.iov_len + v[2]!.iov_len;

      n = evbuffer_reserve_space(buf, sz + 128, v, 2);
      validate(buf);
      if (mode === "add") {
        expect(n).toBe(2);
        expect(same(cp1, v[0]!.iov_base)).toBe(true);
      } else {
        expect(n).toBe(1);
      }
      evbuffer_free(buf);
    });
  }

  it("reserve_with_empty: reserve 2 vectors after 1 byte, commit 1, add: order abc", () => {
    const buf = evbuffer_new();
    const v = iovecs(2);
    evbuffer_add(buf, "a", 1);
    expect(evbuffer_reserve_space(buf, 1 << 12, v, 2)).toBe(2);
    v[0]!.iov_len = 1;
    v[0]!.iov_base![0] = "b".charCodeAt(0);
    expect(evbuffer_commit_space(buf, v, 1)).toBe(0);
    evbuffer_add(buf, "c", 1);
    expect(text(evbuffer_pullup(buf, -1), 2)).toBe("ab");
    expect(all(buf)).toBe("abc");
    validate(buf);
    evbuffer_free(buf);
  });

  it("reserve_invalid_last_with_datap: reserve after a prepend over an empty reference chain", () => {
    const buf = evbuffer_new();
    const vec = iovecs(2);
    evbuffer_add_reference(buf, "", 0, null, null);
    evbuffer_prepend(buf, "foo", 3);
    evbuffer_add(buf, "", 0);
    const avec = evbuffer_reserve_space(buf, 1 << 12, vec, 2);
    expect(avec).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < avec; ++i) vec[i]!.iov_len = 0;
    expect(evbuffer_commit_space(buf, vec, avec)).toBe(0);
    expect(evbuffer_reserve_space(buf, 1 << 13, vec, 2)).toBeGreaterThanOrEqual(1);
    validate(buf);
    evbuffer_free(buf);
  });

  it("expand: sizes, no-op when room exists, realignment of misaligned data", () => {
    const data = new Uint8Array(4096).fill("X".charCodeAt(0));
    let buf = evbuffer_new();
    expect(evbuffer_expand(buf, 20000)).toBe(0);
    validate(buf);
    let { a, w, u } = get_waste(buf);
    expect(w).toBe(0);
    expect(u).toBe(0);
    expect(a).toBeGreaterThanOrEqual(20000);
    expect(buf.first).not.toBeNull();
    expect(buf.first).toBe(buf.last);
    expect(buf.first!.off).toBe(0);
    expect(buf.first!.buffer_len).toBeGreaterThanOrEqual(20000);

    let mem = buf.first!.buffer;
    evbuffer_add(buf, data, 1024);
    expect(evbuffer_expand(buf, 1024)).toBe(0);
    expect(buf.first!.buffer).toBe(mem);
    validate(buf);
    evbuffer_free(buf);

    buf = evbuffer_new();
    evbuffer_add(buf, data, 400);
    const n = buf.first!.buffer_len - buf.first!.off - 1;
    expect(n).toBeLessThan(data.length);
    evbuffer_add(buf, data, n);
    expect(buf.first).toBe(buf.last);
    expect(buf.first!.off).toBe(buf.first!.buffer_len - 1);
    evbuffer_drain(buf, buf.first!.off - 1);
    expect(evbuffer_get_length(buf)).toBe(1);
    expect(buf.first!.misalign).toBeGreaterThan(0);
    expect(buf.first!.off).toBe(1);
    mem = buf.first!.buffer;
    expect(evbuffer_expand(buf, 40)).toBe(0);
    expect(buf.first).toBe(buf.last);
    expect(buf.first!.off).toBe(1);
    expect(buf.first!.buffer).toBe(mem);
    expect(buf.first!.misalign).toBe(0);
    validate(buf);
    evbuffer_free(buf);

    buf = evbuffer_new();
    evbuffer_add(buf, data, data.length);
    evbuffer_add(buf, data, data.length);
    evbuffer_add(buf, data, data.length);
    validate(buf);
    evbuffer_expand(buf, 1024);
    validate(buf);
    evbuffer_pullup(buf, -1);
    validate(buf);
    ({ a, w, u } = get_waste(buf));
    expect(u).toBe(3 * 4096);
    evbuffer_free(buf);
  });

  it("expand_overflow: expanding by EVBUFFER_CHAIN_MAX or SIZE_MAX fails cleanly", () => {
    const buf = evbuffer_new();
    evbuffer_add(buf, "1", 1);
    expect(evbuffer_expand(buf, EV_SSIZE_MAX)).toBe(-1); // EVBUFFER_CHAIN_MAX on 64-bit
    validate(buf);
    expect(evbuffer_expand(buf, EV_SIZE_MAX)).toBe(-1);
    validate(buf);
    expect(evbuffer_expand(buf, -1)).toBe(-1); // (size_t)-1
    validate(buf);
    expect(all(buf)).toBe("1");
    evbuffer_free(buf);
  });

  it("add1: add after expand appends in order", () => {
    const buf = evbuffer_new();
    evbuffer_add(buf, "1", 1);
    validate(buf);
    evbuffer_expand(buf, 2048);
    validate(buf);
    evbuffer_add(buf, "2", 1);
    validate(buf);
    evbuffer_add_printf(buf, "3");
    validate(buf);
    expect(evbuffer_get_length(buf)).toBe(3);
    expect(all(buf)).toBe("123");
    evbuffer_free(buf);
  });

  it("add2: add after expand of a nearly full first chain", () => {
    const data = new Uint8Array(4096).fill("P".charCodeAt(0));
    const data_len = 1024 - 48 - 10;
    const buf = evbuffer_new();
    evbuffer_add(buf, data, data_len);
    validate(buf);
    evbuffer_expand(buf, 100);
    validate(buf);
    evbuffer_add(buf, "2", 1);
    validate(buf);
    evbuffer_add_printf(buf, "3");
    validate(buf);
    const len = evbuffer_get_length(buf);
    expect(len).toBe(data_len + 2);
    const str = all(buf);
    expect(str[len - 3]).toBe("P");
    expect(str[len - 2]).toBe("2");
    expect(str[len - 1]).toBe("3");
    evbuffer_free(buf);
  });

  it("reference: a reference partially removed; cleanup called once at the end", () => {
    const src = evbuffer_new();
    const dst = evbuffer_new();
    const v = iovecs(1);
    const data = "this is what we add as read-only memory.";
    let reference_cb_called = 0;
    const reference_cb = (d: Uint8Array | string | null, len: number, extra: number): void => {
      expect(d).toBe(data);
      expect(len).toBe(data.length);
      expect(extra).toBe(0xdeadaffe);
      ++reference_cb_called;
    };
    expect(evbuffer_add_reference(src, data, data.length, reference_cb, 0xdeadaffe)).not.toBe(-1);
    evbuffer_reserve_space(dst, data.length, v, 1);
    expect(evbuffer_remove(src, v[0]!.iov_base!, 10)).not.toBe(-1);
    validate(src);
    validate(dst);
    evbuffer_prepend(src, "aaaaa", 5);
    validate(src);
    evbuffer_drain(src, 5);
    expect(evbuffer_remove(src, v[0]!.iov_base!.subarray(10), data.length - 10)).not.toBe(-1);
    v[0]!.iov_len = data.length;
    evbuffer_commit_space(dst, v, 1);
    validate(src);
    validate(dst);
    expect(reference_cb_called).toBe(1);
    expect(text(evbuffer_pullup(dst, data.length))).toBe(data);
    validate(dst);
    evbuffer_free(dst);
    evbuffer_free(src);
  });

  it("reference2: a reference chain after expand keeps order", () => {
    const data = new Uint8Array(4096).fill("P".charCodeAt(0));
    const data_len = 1024 - 48 - 10;
    const buf = evbuffer_new();
    evbuffer_add(buf, data, data_len);
    validate(buf);
    evbuffer_expand(buf, 100);
    validate(buf);
    evbuffer_add_reference(buf, "2", 1, no_cleanup, null);
    validate(buf);
    evbuffer_add_printf(buf, "3");
    validate(buf);
    const len = evbuffer_get_length(buf);
    expect(len).toBe(data_len + 2);
    const str = all(buf);
    expect(str.slice(len - 3)).toBe("P23");
    evbuffer_free(buf);
  });

  it("iterative: 100k add_printf calls; length, and wasted space under 12.5%", () => {
    const buf = evbuffer_new();
    const abc = "abcdefghijklmnopqrstvuwxyzabcdefghijklmnopqrstvuwxyzabcdefghijklmnopqrstvuwxyzabcdefghijklmnopqrstvuwxyz";
    let sum = 0;
    let n = 0;
    const format = new Uint8Array(32);
    for (let i = 0; i < 1000; ++i) {
      for (let j = 1; j < abc.length; ++j) {
        const len = evutil_snprintf(format, format.length, "%%%u.%us", j, j);
        evbuffer_add_printf(buf, text(format, len), abc);
        if (n % 337 === 0) validate(buf);
        sum += j;
        n++;
      }
    }
    validate(buf);
    expect(evbuffer_get_length(buf)).toBe(sum);
    const { a, w } = get_waste(buf);
    expect(w / a).toBeLessThan(0.125);
    evbuffer_free(buf);
  });

  it("add_printf: output at a chain's end, across it, and a bad argument changing nothing", () => {
    const buf = evbuffer_new();
    const piece = "x".repeat(900);
    evbuffer_add(buf, piece, piece.length); // one chain of 976 bytes, 76 free
    expect(evbuffer_add_printf(buf, "%d %s %x\r\n", 42, "keepalive", 0xbeef)).toBe(19); // fits: 57 free
    expect(evbuffer_peek(buf, -1, null, null, 0)).toBe(1);
    // 60 bytes do not fit in the 57 left: C's evbuffer_expand_singlechain makes room.
    const long = "y".repeat(56);
    expect(evbuffer_add_printf(buf, "%s\r\n%d", long, 12)).toBe(60);
    expect(evbuffer_get_length(buf)).toBe(979);
    const before = all(buf);
    const chains = evbuffer_peek(buf, -1, null, null, 0);
    expect(() => evbuffer_add_printf(buf, "%d %s %d", 1, "two", "three")).toThrow(TypeError);
    expect(all(buf)).toBe(before);
    expect(evbuffer_peek(buf, -1, null, null, 0)).toBe(chains);
    expect(before).toBe(`${piece}42 keepalive beef\r\n${long}\r\n12`);
    validate(buf);
    evbuffer_free(buf);
  });

  it("readln: every EOL style and its edge cases, CRLF_STRICT across chains", () => {
    const evb = evbuffer_new();
    const evb_tmp = evbuffer_new();
    const sz = { value: 0 };
    let cp: string | null;
    const line_eq = (content: string): void => {
      expect(cp).toBe(content);
      expect(sz.value).toBe(Buffer.byteLength(content));
    };

    // EOL_ANY
    // (C adds strlen(s)+2 bytes: strlen stops at the embedded NUL, +2 takes "\0\n".)
    let s = "complex silly newline\r\n\n\r\n\n\rmore\0\n";
    evbuffer_add(evb, s, s.length);
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_ANY);
    line_eq("complex silly newline");
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_ANY);
    expect(cp).toBe("more\0");
    expect(sz.value).toBe(5);
    expect(evbuffer_get_length(evb)).toBe(0);
    validate(evb);
    s = "\nno newline";
    evbuffer_add(evb, s, s.length);
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_ANY);
    line_eq("");
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_ANY);
    expect(cp).toBeNull();
    expect(sz.value).toBe(0);
    validate(evb);
    evbuffer_drain(evb, evbuffer_get_length(evb));
    expect(evbuffer_get_length(evb)).toBe(0);
    validate(evb);

    // EOL_CRLF
    s = "Line with\rin the middle\nLine with good crlf\r\n\nfinal\n";
    evbuffer_add(evb, s, s.length);
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_CRLF);
    line_eq("Line with\rin the middle");
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_CRLF);
    line_eq("Line with good crlf");
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_CRLF);
    line_eq("");
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_CRLF);
    line_eq("final");
    validate(evb);
    evbuffer_add(evb, "x", 1);
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_CRLF);
    expect(cp).toBeNull();
    validate(evb);

    // EOL_CRLF_STRICT
    s = " and a bad crlf\nand a good one\r\n\r\nMore\r";
    evbuffer_add(evb, s, s.length);
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_CRLF_STRICT);
    line_eq("x and a bad crlf\nand a good one");
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_CRLF_STRICT);
    line_eq("");
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_CRLF_STRICT);
    expect(cp).toBeNull();
    validate(evb);
    evbuffer_add(evb, "\n", 1);
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_CRLF_STRICT);
    line_eq("More");
    expect(evbuffer_get_length(evb)).toBe(0);
    validate(evb);
    s = "An internal CR\r is not an eol\r\nNor is a lack of one";
    evbuffer_add(evb, s, s.length);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_CRLF_STRICT);
    line_eq("An internal CR\r is not an eol");
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_CRLF_STRICT);
    expect(cp).toBeNull();
    validate(evb);
    evbuffer_add(evb, "\r\n", 2);
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_CRLF_STRICT);
    line_eq("Nor is a lack of one");
    expect(evbuffer_get_length(evb)).toBe(0);
    validate(evb);

    // EOL_LF
    s = "An\rand a nl\n\nText";
    evbuffer_add(evb, s, s.length);
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_LF);
    line_eq("An\rand a nl");
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_LF);
    line_eq("");
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_LF);
    expect(cp).toBeNull();
    evbuffer_add(evb, "\n", 1);
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_LF);
    line_eq("Text");
    validate(evb);

    // EOL_NUL
    expect(evbuffer_get_length(evb)).toBe(0);
    const x = "NUL\n\0\0The all-zeros character which may serve\0to accomplish time fill\0and media fill";
    evbuffer_add(evb, x, x.length);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_NUL);
    line_eq("NUL\n");
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_NUL);
    line_eq("");
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_NUL);
    line_eq("The all-zeros character which may serve");
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_NUL);
    line_eq("to accomplish time fill");
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_NUL);
    expect(cp).toBeNull();
    evbuffer_drain(evb, -1);

    // CRLF_STRICT across chain boundaries
    for (const piece of [" and a bad crlf\nand a good one\r", "\n\r", "\nMore\r"]) {
      evbuffer_add(evb_tmp, piece, piece.length);
      validate(evb);
      evbuffer_add_buffer(evb, evb_tmp);
      validate(evb);
    }
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_CRLF_STRICT);
    line_eq(" and a bad crlf\nand a good one");
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_CRLF_STRICT);
    line_eq("");
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_CRLF_STRICT);
    expect(cp).toBeNull();
    validate(evb);
    evbuffer_add(evb, "\n", 1);
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_CRLF_STRICT);
    line_eq("More");
    validate(evb);
    expect(evbuffer_get_length(evb)).toBe(0);

    // ("Test memory problem": the allocator-failure step needs event_set_mem_functions, which
    // the port does not have; the lines around it still run.)
    s = "one line\ntwo line\nblue line";
    evbuffer_add(evb_tmp, s, s.length);
    validate(evb);
    evbuffer_add_buffer(evb, evb_tmp);
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_LF);
    line_eq("one line");
    validate(evb);
    cp = evbuffer_readln(evb, sz, EVBUFFER_EOL_LF);
    line_eq("two line");
    validate(evb);

    // The port's addition: an invalid style finds nothing, as in C.
    cp = evbuffer_readln(evb, sz, 17);
    expect(cp).toBeNull();
    expect(evbuffer_get_length(evb)).toBe(9);
    evbuffer_free(evb);
    evbuffer_free(evb_tmp);
  });

  it("search_eol: positions and lengths from evbuffer_search_eol", () => {
    const buf = evbuffer_new();
    const s = "string! \r\n\r\nx\n";
    evbuffer_add(buf, s, s.length);
    const eol_len = { value: -1 };
    let ptr1 = evbuffer_search_eol(buf, null, eol_len, EVBUFFER_EOL_CRLF);
    expect(ptr1.pos).toBe(8);
    expect(eol_len.value).toBe(2);
    eol_len.value = -1;
    let ptr2 = evbuffer_search_eol(buf, ptr1, eol_len, EVBUFFER_EOL_CRLF);
    expect(ptr2.pos).toBe(8);
    expect(eol_len.value).toBe(2);
    evbuffer_ptr_set(buf, ptr1, 1, EVBUFFER_PTR_ADD);
    eol_len.value = -1;
    ptr2 = evbuffer_search_eol(buf, ptr1, eol_len, EVBUFFER_EOL_CRLF);
    expect(ptr2.pos).toBe(9);
    expect(eol_len.value).toBe(1);
    eol_len.value = -1;
    ptr2 = evbuffer_search_eol(buf, ptr1, eol_len, EVBUFFER_EOL_CRLF_STRICT);
    expect(ptr2.pos).toBe(10);
    expect(eol_len.value).toBe(2);
    eol_len.value = -1;
    ptr1 = evbuffer_search_eol(buf, null, eol_len, EVBUFFER_EOL_LF);
    expect(ptr1.pos).toBe(9);
    expect(eol_len.value).toBe(1);
    eol_len.value = -1;
    ptr2 = evbuffer_search_eol(buf, ptr1, eol_len, EVBUFFER_EOL_LF);
    expect(ptr2.pos).toBe(9);
    expect(eol_len.value).toBe(1);
    evbuffer_ptr_set(buf, ptr1, 1, EVBUFFER_PTR_ADD);
    eol_len.value = -1;
    ptr2 = evbuffer_search_eol(buf, ptr1, eol_len, EVBUFFER_EOL_LF);
    expect(ptr2.pos).toBe(11);
    expect(eol_len.value).toBe(1);
    expect(evbuffer_ptr_set(buf, ptr1, evbuffer_get_length(buf), EVBUFFER_PTR_SET)).toBe(0);
    eol_len.value = -1;
    ptr2 = evbuffer_search_eol(buf, ptr1, eol_len, EVBUFFER_EOL_LF);
    expect(ptr2.pos).toBe(-1);
    expect(eol_len.value).toBe(0);
    evbuffer_free(buf);
  });

  it("find: evbuffer_find never matches past the end", () => {
    const buf = evbuffer_new();
    evbuffer_add(buf, "1234567890\r\n", 12);
    validate(buf);
    evbuffer_drain(buf, 12);
    validate(buf);
    evbuffer_add(buf, "1234567890\r", 11);
    validate(buf);
    let p = evbuffer_find(buf, "\r\n", 2);
    expect(p).toBeNull();
    evbuffer_drain(buf, 11);
    validate(buf);
    const test3 = new Uint8Array(256).fill("a".charCodeAt(0));
    test3[255] = "x".charCodeAt(0);
    evbuffer_add(buf, test3, 256);
    validate(buf);
    p = evbuffer_find(buf, "xy", 2);
    expect(p).toBeNull();
    p = evbuffer_find(buf, "ax", 2);
    expect(p).not.toBeNull();
    expect(text(p, 2)).toBe("ax");
    evbuffer_free(buf);
  });

  it("ptr_set: SET/ADD bounds; -1 and pos -1 beyond the end; the end pointer is valid", () => {
    const buf = evbuffer_new();
    const pos = new evbuffer_ptr();
    const v = iovecs(1);
    expect(evbuffer_get_length(buf)).toBe(0);
    expect(evbuffer_ptr_set(buf, pos, 0, EVBUFFER_PTR_SET)).toBe(0);
    expect(pos.pos).toBe(0);
    expect(evbuffer_ptr_set(buf, pos, 1, EVBUFFER_PTR_ADD)).toBe(-1);
    expect(pos.pos).toBe(-1);
    expect(evbuffer_ptr_set(buf, pos, 1, EVBUFFER_PTR_SET)).toBe(-1);
    expect(pos.pos).toBe(-1);
    for (const [n, b] of [[5000, 1], [4000, 2], [3000, 3]] as const) {
      evbuffer_reserve_space(buf, n, v, 1);
      v[0]!.iov_len = n;
      v[0]!.iov_base!.fill(b, 0, n);
      evbuffer_commit_space(buf, v, 1);
      validate(buf);
    }
    expect(evbuffer_get_length(buf)).toBe(12000);
    expect(evbuffer_ptr_set(buf, pos, 13000, EVBUFFER_PTR_SET)).toBe(-1);
    expect(pos.pos).toBe(-1);
    expect(evbuffer_ptr_set(buf, pos, 0, EVBUFFER_PTR_SET)).toBe(0);
    expect(pos.pos).toBe(0);
    expect(evbuffer_ptr_set(buf, pos, 13000, EVBUFFER_PTR_ADD)).toBe(-1);
    expect(evbuffer_ptr_set(buf, pos, 0, EVBUFFER_PTR_SET)).toBe(0);
    expect(pos.pos).toBe(0);
    expect(evbuffer_ptr_set(buf, pos, 10000, EVBUFFER_PTR_ADD)).toBe(0);
    expect(pos.pos).toBe(10000);
    expect(evbuffer_ptr_set(buf, pos, 1000, EVBUFFER_PTR_ADD)).toBe(0);
    expect(pos.pos).toBe(11000);
    expect(evbuffer_ptr_set(buf, pos, 1000, EVBUFFER_PTR_ADD)).toBe(0);
    expect(pos.pos).toBe(12000);
    expect(evbuffer_ptr_set(buf, pos, 1000, EVBUFFER_PTR_ADD)).toBe(-1);
    expect(pos.pos).toBe(-1);
    evbuffer_free(buf);
  });

  it("search: across chains, continuing from a match, bounded by end", () => {
    const buf = evbuffer_new();
    const tmp = evbuffer_new();
    let pos = evbuffer_search(buf, "x", 1, null);
    expect(pos.pos).toBe(-1);
    expect(evbuffer_ptr_set(buf, pos, 0, EVBUFFER_PTR_SET)).toBe(0);
    pos = evbuffer_search(buf, "x", 1, pos);
    expect(pos.pos).toBe(-1);
    expect(evbuffer_ptr_set(buf, pos, 0, EVBUFFER_PTR_SET)).toBe(0);
    pos = evbuffer_search_range(buf, "x", 1, pos, pos);
    expect(pos.pos).toBe(-1);
    expect(evbuffer_ptr_set(buf, pos, 0, EVBUFFER_PTR_SET)).toBe(0);
    pos = evbuffer_search_range(buf, "x", 1, pos, null);
    expect(pos.pos).toBe(-1);

    for (const piece of ["hello", "foo", "cat", "attack"]) {
      evbuffer_add_printf(tmp, piece);
      evbuffer_add_buffer(buf, tmp);
    }
    pos = evbuffer_search(buf, "attack", 6, null);
    expect(pos.pos).toBe(11);
    pos = evbuffer_search(buf, "attacker", 8, null);
    expect(pos.pos).toBe(-1);
    pos = evbuffer_search(buf, "oc", 2, null);
    expect(pos.pos).toBe(7);
    pos = evbuffer_search(buf, "cat", 3, pos);
    expect(pos.pos).toBe(8);
    pos = evbuffer_search(buf, "tacking", 7, pos);
    expect(pos.pos).toBe(-1);
    evbuffer_ptr_set(buf, pos, 5, EVBUFFER_PTR_SET);
    pos = evbuffer_search(buf, "foo", 3, pos);
    expect(pos.pos).toBe(5);
    evbuffer_ptr_set(buf, pos, 2, EVBUFFER_PTR_ADD);
    pos = evbuffer_search(buf, "tat", 3, pos);
    expect(pos.pos).toBe(10);

    const end = new evbuffer_ptr();
    evbuffer_ptr_set(buf, end, 12, EVBUFFER_PTR_SET);
    pos = evbuffer_search_range(buf, "foo", 3, null, end);
    expect(pos.pos).toBe(5);
    pos = evbuffer_search_range(buf, "foocata", 7, null, end);
    expect(pos.pos).toBe(5);
    pos = evbuffer_search_range(buf, "foocatat", 8, null, end);
    expect(pos.pos).toBe(-1);
    pos = evbuffer_search_range(buf, "ack", 3, null, end);
    expect(pos.pos).toBe(-1);

    expect(evbuffer_ptr_set(buf, end, 17, EVBUFFER_PTR_SET)).toBe(0);
    pos = evbuffer_search_range(buf, "attack", 6, null, end);
    expect(pos.pos).toBe(11);
    expect(evbuffer_ptr_set(buf, pos, 11, EVBUFFER_PTR_SET)).toBe(0);
    pos = evbuffer_search_range(buf, "attack", 6, pos, end);
    expect(pos.pos).toBe(11);
    expect(evbuffer_ptr_set(buf, pos, 17, EVBUFFER_PTR_SET)).toBe(0);
    pos = evbuffer_search_range(buf, "attack", 6, pos, end);
    expect(pos.pos).toBe(-1);
    expect(evbuffer_ptr_set(buf, pos, 17, EVBUFFER_PTR_SET)).toBe(0);
    pos = evbuffer_search_range(buf, "attack", 6, pos, null);
    expect(pos.pos).toBe(-1);
    evbuffer_free(buf);
    evbuffer_free(tmp);
  });

  it("callbacks: exact old->new history with enable/disable/remove; evbuffer_setcb replaces them", () => {
    const buf = evbuffer_new();
    const buf_out1 = evbuffer_new();
    const buf_out2 = evbuffer_new();
    const log_change_callback = (_b: evbuffer, cbinfo: evbuffer_cb_info, out: evbuffer): void => {
      const old_len = cbinfo.orig_size;
      const new_len = old_len + cbinfo.n_added - cbinfo.n_deleted;
      evbuffer_add_printf(out, "%lu->%lu; ", old_len, new_len);
    };
    const self_draining_callback = (b: evbuffer, old_len: number, new_len: number): void => {
      if (new_len > old_len) evbuffer_drain(b, new_len);
    };
    let cb1 = evbuffer_add_cb(buf, log_change_callback, buf_out1);
    let cb2 = evbuffer_add_cb(buf, log_change_callback, buf_out2);
    evbuffer_add_printf(buf, "The %d magic words are spotty pudding", 2);
    validate(buf);
    evbuffer_cb_clear_flags(buf, cb2, EVBUFFER_CB_ENABLED);
    evbuffer_drain(buf, 10);
    validate(buf);
    evbuffer_prepend(buf, "Hello", 5);
    evbuffer_cb_set_flags(buf, cb2, EVBUFFER_CB_ENABLED);
    evbuffer_add_reference(buf, "Goodbye", 7, null, null);
    evbuffer_remove_cb_entry(buf, cb1);
    validate(buf);
    evbuffer_drain(buf, evbuffer_get_length(buf));
    expect(evbuffer_remove_cb(buf, log_change_callback, null)).toBe(-1);
    evbuffer_add(buf, "X", 1);
    expect(evbuffer_remove_cb(buf, log_change_callback, buf_out2)).toBe(0);
    validate(buf);
    expect(all(buf_out1)).toBe("0->36; 36->26; 26->31; 31->38; ");
    expect(all(buf_out2)).toBe("0->36; 31->38; 38->0; 0->1; ");
    evbuffer_drain(buf_out1, evbuffer_get_length(buf_out1));
    evbuffer_drain(buf_out2, evbuffer_get_length(buf_out2));

    cb1 = evbuffer_add_cb(buf, log_change_callback, buf_out1);
    expect(cb1).not.toBeNull();
    cb2 = evbuffer_add_cb(buf, log_change_callback, buf_out2);
    expect(cb2).not.toBeNull();
    expect(evbuffer_setcb(buf, self_draining_callback, null)).toBe(0);
    evbuffer_add_printf(buf, "This should get drained right away.");
    expect(evbuffer_get_length(buf)).toBe(0);
    expect(evbuffer_get_length(buf_out1)).toBe(0);
    expect(evbuffer_get_length(buf_out2)).toBe(0);
    expect(evbuffer_setcb(buf, null, null)).toBe(0);
    evbuffer_add_printf(buf, "This will not.");
    expect(all(buf)).toBe("This will not.");
    validate(buf);
    evbuffer_drain(buf, evbuffer_get_length(buf));
    validate(buf);
    // (the final failing-allocator step of the C test needs event_set_mem_functions)
    evbuffer_free(buf);
    evbuffer_free(buf_out1);
    evbuffer_free(buf_out2);
  });

  it("add_reference: cleanup timing with drains, add_buffer into another buffer, and free", () => {
    const chunk1 = "If you have found the answer to such a problem";
    const chunk2 = "you ought to write it up for publication";
    const len1 = chunk1.length, len2 = chunk2.length;
    const tmp = new Uint8Array(16);
    let count = 0;
    let called_with: unknown = null;
    let called_with_data: unknown = null;
    let called_with_len = 0;
    const ref_done_cb = (data: Uint8Array | string | null, len: number, info: number): void => {
      ++count;
      called_with = info;
      called_with_data = data;
      called_with_len = len;
    };
    const c1 = bytes(chunk1);
    let buf1: evbuffer | null = evbuffer_new();
    evbuffer_add_reference(buf1, c1, len1, ref_done_cb, 111);
    evbuffer_add(buf1, ", ", 2);
    evbuffer_add_reference(buf1, chunk2, len2, ref_done_cb, 222);
    expect(evbuffer_get_length(buf1)).toBe(len1 + len2 + 2);
    expect(evbuffer_remove(buf1, tmp, 6)).toBe(6);
    expect(text(tmp, 6)).toBe("If you");
    expect(evbuffer_remove(buf1, tmp, 5)).toBe(5);
    expect(text(tmp, 5)).toBe(" have");
    expect(evbuffer_prepend(buf1, "I have ", 7)).toBe(0);
    expect(text(c1, 6)).toBe("If you");
    validate(buf1);
    evbuffer_drain(buf1, 7);
    evbuffer_drain(buf1, len1 - 11 - 1);
    expect(count).toBe(0);
    evbuffer_remove(buf1, tmp, 1);
    expect(String.fromCharCode(tmp[0]!)).toBe("m");
    expect(called_with).toBe(111);
    expect(called_with_data).toBe(c1);
    expect(called_with_len).toBe(len1);
    expect(count).toBe(1);
    validate(buf1);

    evbuffer_drain(buf1, 6);
    const buf2 = evbuffer_new();
    expect(count).toBe(1);
    evbuffer_add(buf2, "I ", 2);
    evbuffer_add_buffer(buf2, buf1);
    expect(count).toBe(1);
    evbuffer_remove(buf2, tmp, 16);
    expect(text(tmp, 16)).toBe("I ought to write");
    evbuffer_drain(buf2, evbuffer_get_length(buf2));
    expect(count).toBe(2);
    expect(called_with).toBe(222);
    validate(buf2);

    evbuffer_add(buf1, "You shake and shake the ", 24);
    evbuffer_add_reference(buf1, "ketchup bottle", 14, ref_done_cb, 3333);
    evbuffer_add(buf1, ". Nothing comes and then a lot'll.", 35 - 1);
    evbuffer_free(buf1);
    buf1 = null;
    expect(count).toBe(3);
    expect(called_with).toBe(3333);
    evbuffer_free(buf2);
  });

  it("multicast: add_buffer_reference shares data, refuses nesting, survives the source's free", () => {
    const chunk1 = "If you have found the answer to such a problem";
    const chunk2 = "you ought to write it up for publication";
    const tmp = new Uint8Array(16);
    const buf1 = evbuffer_new();
    evbuffer_add(buf1, chunk1, chunk1.length);
    evbuffer_add(buf1, ", ", 2);
    evbuffer_add(buf1, chunk2, chunk2.length);
    expect(evbuffer_get_length(buf1)).toBe(chunk1.length + chunk2.length + 2);
    const buf2 = evbuffer_new();
    expect(evbuffer_add_buffer_reference(buf2, buf1)).toBe(0);
    expect(evbuffer_add_buffer_reference(buf2, buf2)).toBe(-1);
    expect(evbuffer_add_buffer_reference(buf1, buf2)).toBe(-1);
    expect(evbuffer_get_length(buf2)).toBe(evbuffer_get_length(buf1));
    expect(evbuffer_remove(buf1, tmp, 6)).toBe(6);
    expect(text(tmp, 6)).toBe("If you");
    expect(evbuffer_remove(buf1, tmp, 5)).toBe(5);
    expect(text(tmp, 5)).toBe(" have");
    expect(evbuffer_prepend(buf1, "I have ", 7)).toBe(0);
    validate(buf1);
    expect(evbuffer_remove(buf2, tmp, 6)).toBe(6);
    expect(text(tmp, 6)).toBe("If you");
    expect(evbuffer_remove(buf2, tmp, 5)).toBe(5);
    expect(text(tmp, 5)).toBe(" have");
    expect(evbuffer_prepend(buf2, "I have ", 7)).toBe(0);
    validate(buf2);
    evbuffer_free(buf1);
    expect(evbuffer_remove(buf2, tmp, 6)).toBe(6);
    expect(text(tmp, 6)).toBe("I have");
    expect(evbuffer_remove(buf2, tmp, 6)).toBe(6);
    expect(text(tmp, 6)).toBe("  foun");
    evbuffer_free(buf2);
  });

  it("multicast_drain: the shared data outlives a drain of the source", () => {
    const chunk1 = "If you have found the answer to such a problem";
    const chunk2 = "you ought to write it up for publication";
    const total = chunk1.length + chunk2.length + 2;
    const buf1 = evbuffer_new();
    evbuffer_add(buf1, chunk1, chunk1.length);
    evbuffer_add(buf1, ", ", 2);
    evbuffer_add(buf1, chunk2, chunk2.length);
    expect(evbuffer_get_length(buf1)).toBe(total);
    const buf2 = evbuffer_new();
    expect(evbuffer_add_buffer_reference(buf2, buf1)).toBe(0);
    expect(evbuffer_get_length(buf2)).toBe(total);
    expect(evbuffer_drain(buf1, evbuffer_get_length(buf1))).toBe(0);
    expect(evbuffer_get_length(buf2)).toBe(total);
    expect(all(buf2)).toBe(`${chunk1}, ${chunk2}`);
    expect(evbuffer_drain(buf2, evbuffer_get_length(buf2))).toBe(0);
    validate(buf1);
    validate(buf2);
    evbuffer_free(buf1);
    evbuffer_free(buf2);
  });

  it("prepend: into an empty buffer, a new chain, the first chain, split; prepend_buffer; cb info", () => {
    const tmp = new Uint8Array(128);
    const buf1 = evbuffer_new();
    evbuffer_prepend(buf1, "This string has 29 characters", 29);
    validate(buf1);
    evbuffer_prepend(buf1, "Short.", 6);
    validate(buf1);
    evbuffer_drain(buf1, 6 + 11);
    evbuffer_prepend(buf1, "it", 2);
    validate(buf1);
    const f = buf1.first!;
    expect(text(f.buffer!.subarray(f.misalign, f.misalign + 6))).toBe("it has");
    evbuffer_prepend(buf1, "It is no longer true to say ", 28);
    validate(buf1);
    let n = evbuffer_remove(buf1, tmp, tmp.length - 1);
    expect(n).toBeGreaterThanOrEqual(0);
    expect(text(tmp, n)).toBe("It is no longer true to say it has 29 characters");

    let buf2 = evbuffer_new();
    let k = 999;
    evbuffer_add_printf(buf1, "Here is string %d. ", k++);
    evbuffer_prepend_buffer(buf2, buf1);
    validate(buf2);
    evbuffer_add_printf(buf1, "Here is string %d. ", k++);
    evbuffer_prepend_buffer(buf2, buf1);
    validate(buf2);
    validate(buf1);
    n = evbuffer_remove(buf2, tmp, tmp.length - 1);
    expect(text(tmp, n)).toBe("Here is string 1000. Here is string 999. ");

    const buffer = new Uint8Array(8096).fill("A".charCodeAt(0));
    evbuffer_free(buf2);
    buf2 = evbuffer_new();
    evbuffer_prepend(buf2, "foo", 3);
    let checked = 0;
    const check_prepend = (_b: evbuffer, cbinfo: evbuffer_cb_info): void => {
      expect(cbinfo.orig_size).toBe(3);
      expect(cbinfo.n_added).toBe(8096);
      expect(cbinfo.n_deleted).toBe(0);
      checked++;
    };
    evbuffer_add_cb(buf2, check_prepend, null);
    evbuffer_prepend(buf2, buffer, 8096);
    evbuffer_remove_cb(buf2, check_prepend, null);
    expect(checked).toBe(1);
    validate(buf2);
    expect(Buffer.compare(evbuffer_pullup(buf2, 8096)!, buffer)).toBe(0);
    evbuffer_drain(buf2, 8096);
    expect(text(evbuffer_pullup(buf2, 3))).toBe("foo");
    evbuffer_drain(buf2, 3);
    evbuffer_free(buf1);
    evbuffer_free(buf2);
  });

  it("empty_reference_prepend: prepend over an empty reference chain", () => {
    const buf = evbuffer_new();
    evbuffer_add_reference(buf, "", 0, null, null);
    validate(buf);
    evbuffer_prepend(buf, "foo", 3);
    validate(buf);
    expect(all(buf)).toBe("foo");
    validate(buf);
    evbuffer_free(buf);
  });

  it("empty_reference_prepend_buffer: prepend_buffer of a buffer holding an empty reference", () => {
    const buf1 = evbuffer_new();
    const buf2 = evbuffer_new();
    evbuffer_add_reference(buf1, "", 0, null, null);
    validate(buf1);
    evbuffer_add(buf2, "foo", 3);
    validate(buf2);
    evbuffer_prepend_buffer(buf2, buf1);
    validate(buf2);
    expect(all(buf2)).toBe("foo");
    validate(buf2);
    expect(evbuffer_pullup(buf1, -1)).toBeNull();
    validate(buf2);
    evbuffer_free(buf1);
    evbuffer_free(buf2);
  });

  it("peek: extent counts and contents, with and without a start pointer", () => {
    const buf = evbuffer_new();
    const tmp_buf = evbuffer_new();
    for (let i = 0; i < 16; ++i) {
      evbuffer_add_printf(tmp_buf, "Contents of chunk [%d]\n", i);
      evbuffer_add_buffer(buf, tmp_buf);
    }
    let v = iovecs(20);
    const iov_eq = (e: evbuffer_iovec, s: string): void => {
      expect(e.iov_len).toBe(s.length);
      expect(text(e.iov_base, s.length)).toBe(s);
    };
    let i = evbuffer_peek(buf, -1, null, null, 0);
    expect(i).toBe(16);
    i = evbuffer_peek(buf, -1, null, v, 20);
    expect(i).toBe(16);
    iov_eq(v[0]!, "Contents of chunk [0]\n");
    iov_eq(v[3]!, "Contents of chunk [3]\n");
    iov_eq(v[12]!, "Contents of chunk [12]\n");
    iov_eq(v[15]!, "Contents of chunk [15]\n");

    v = iovecs(20);
    i = evbuffer_peek(buf, -1, null, v, 1);
    expect(i).toBe(1);
    iov_eq(v[0]!, "Contents of chunk [0]\n");
    expect(v[1]!.iov_base).toBeNull();

    v = iovecs(20);
    i = evbuffer_peek(buf, 40, null, v, 16);
    expect(i).toBe(2);
    iov_eq(v[0]!, "Contents of chunk [0]\n");
    iov_eq(v[1]!, "Contents of chunk [1]\n");
    expect(v[2]!.iov_base).toBeNull();

    v = iovecs(20);
    i = evbuffer_peek(buf, 100, null, null, 0);
    expect(i).toBe(5);
    expect(v[0]!.iov_base).toBeNull();

    v = iovecs(20);
    i = evbuffer_peek(buf, 60, null, v, 1);
    expect(i).toBe(3);
    iov_eq(v[0]!, "Contents of chunk [0]\n");
    expect(v[1]!.iov_base).toBeNull();

    v = iovecs(20);
    i = evbuffer_peek(buf, 65536, null, v, 20);
    expect(i).toBe(16);
    iov_eq(v[0]!, "Contents of chunk [0]\n");
    iov_eq(v[3]!, "Contents of chunk [3]\n");
    iov_eq(v[12]!, "Contents of chunk [12]\n");
    iov_eq(v[15]!, "Contents of chunk [15]\n");
    expect(v[16]!.iov_base).toBeNull();

    v = iovecs(20);
    i = evbuffer_peek(tmp_buf, -1, null, v, 20);
    expect(i).toBe(0);
    expect(v[0]!.iov_base).toBeNull();
    v = iovecs(20);
    i = evbuffer_peek(tmp_buf, 50, null, v, 20);
    expect(i).toBe(0);
    expect(v[0]!.iov_base).toBeNull();

    const ptr = new evbuffer_ptr();
    v = iovecs(20);
    evbuffer_ptr_set(buf, ptr, 30, EVBUFFER_PTR_SET);
    i = evbuffer_peek(buf, 50, ptr, v, 20);
    expect(i).toBe(3);
    iov_eq(v[0]!, " of chunk [1]\n");
    iov_eq(v[1]!, "Contents of chunk [2]\n");
    iov_eq(v[2]!, "Contents of chunk [3]\n");

    v = iovecs(20);
    evbuffer_ptr_set(buf, ptr, 14, EVBUFFER_PTR_ADD);
    i = evbuffer_peek(buf, 44, ptr, v, 20);
    expect(i).toBe(2);
    iov_eq(v[0]!, "Contents of chunk [2]\n");
    iov_eq(v[1]!, "Contents of chunk [3]\n");

    v = iovecs(20);
    expect(evbuffer_ptr_set(buf, ptr, evbuffer_get_length(buf), EVBUFFER_PTR_SET)).toBe(0);
    i = evbuffer_peek(buf, 44, ptr, v, 20);
    expect(i).toBe(0);
    expect(v[0]!.iov_base).toBeNull();
    evbuffer_free(buf);
    evbuffer_free(tmp_buf);
  });

  it("peek_first_gt: a start pointer in the first of two chains", () => {
    const buf = evbuffer_new();
    const tmp_buf = evbuffer_new();
    const v = iovecs(2);
    evbuffer_add_printf(tmp_buf, "Contents of chunk 100\n");
    evbuffer_add_buffer(buf, tmp_buf);
    evbuffer_add_printf(tmp_buf, "Contents of chunk 1\n");
    evbuffer_add_buffer(buf, tmp_buf);
    const ptr = new evbuffer_ptr();
    evbuffer_ptr_set(buf, ptr, 0, EVBUFFER_PTR_SET);
    expect(evbuffer_peek(buf, -1, ptr, null, 0)).toBe(2);
    expect(evbuffer_peek(buf, -1, ptr, v, 2)).toBe(2);
    evbuffer_ptr_set(buf, ptr, 20, EVBUFFER_PTR_ADD);
    expect(evbuffer_peek(buf, -1, ptr, null, 0)).toBe(2);
    expect(evbuffer_peek(buf, -1, ptr, v, 2)).toBe(2);
    expect(evbuffer_peek(buf, 2, ptr, null, 0)).toBe(1);
    expect(evbuffer_peek(buf, 2, ptr, v, 2)).toBe(1);
    expect(evbuffer_peek(buf, 3, ptr, null, 0)).toBe(2);
    expect(evbuffer_peek(buf, 3, ptr, v, 2)).toBe(2);
    evbuffer_free(buf);
    evbuffer_free(tmp_buf);
  });

  for (const which of ["start", "end"] as const) {
    it(`freeze_${which}: every operation's result with the ${which} frozen`, () => {
      const start = which === "start";
      const pair = nonblockingPair();
      const string =
        "I've known the wind by water banks to shake\n" +
        "The late leaves down, which frozen where they fell\n" +
        "And held in ice as dancers in a spell\n" +
        "Fluttered all winter long into a lake...";
      const charbuf = new Uint8Array(128);
      const v = iovecs(1);
      const buf = evbuffer_new();
      const buf_two = evbuffer_new();
      const tmp_buf = evbuffer_new();
      evbuffer_add(buf, string, string.length);
      evbuffer_add(buf_two, "abc", 3);
      evbuffer_add(tmp_buf, "xyz", 3);
      evbuffer_freeze(buf, start ? 1 : 0);
      evbuffer_freeze(buf_two, start ? 1 : 0);
      const FREEZE_EQ = (a: unknown, startcase: unknown, endcase: unknown): void => {
        expect(a).toBe(start ? startcase : endcase);
      };
      let orig_length = evbuffer_get_length(buf);

      let r = evbuffer_add(buf, "abc", 0);
      FREEZE_EQ(r, 0, -1);
      r = evbuffer_reserve_space(buf, 10, v, 1);
      FREEZE_EQ(r, 1, -1);
      if (r === 1) {
        v[0]!.iov_base!.fill("X".charCodeAt(0), 0, 10);
        v[0]!.iov_len = 10;
      }
      r = evbuffer_commit_space(buf, v, 1);
      FREEZE_EQ(r, 0, -1);
      r = evbuffer_add_reference(buf, string, 5, null, null);
      FREEZE_EQ(r, 0, -1);
      r = evbuffer_add_printf(buf, "Hello %s", "world");
      FREEZE_EQ(r, 11, -1);
      r = evbuffer_add_buffer(buf, tmp_buf);
      FREEZE_EQ(r, 0, -1);
      const tmpfilecontent = "file_freeze_test_file";
      const fd = make_tmpfile(tmpfilecontent);
      r = evbuffer_add_file(buf, fd, 0, tmpfilecontent.length);
      FREEZE_EQ(r, 0, -1);
      if (start) evbuffer_add(tmp_buf, "xyz", 3);
      expect(evbuffer_get_length(tmp_buf)).toBeGreaterThan(0);
      let len = evbuffer_get_length(tmp_buf);
      evbuffer_write(tmp_buf, pair[0]!);
      r = evbuffer_read(buf, pair[1]!, -1);
      FREEZE_EQ(r, len, -1);
      if (!start) expect(evbuffer_get_length(buf)).toBe(orig_length);
      orig_length = evbuffer_get_length(buf);

      r = evbuffer_remove(buf, charbuf, 1);
      FREEZE_EQ(r, -1, 1);
      r = evbuffer_drain(buf, 3);
      FREEZE_EQ(r, -1, 0);
      r = evbuffer_prepend(buf, "dummy", 5);
      FREEZE_EQ(r, -1, 0);
      const cp = evbuffer_readln(buf, null, EVBUFFER_EOL_LF);
      FREEZE_EQ(cp === null, true, false);
      evbuffer_add(tmp_buf, "xyz", 3);
      expect(evbuffer_get_length(tmp_buf)).toBeGreaterThan(0);
      r = evbuffer_remove_buffer(buf, tmp_buf, 3);
      FREEZE_EQ(r, -1, 3);
      r = evbuffer_drain(buf, 3);
      FREEZE_EQ(r, -1, 0);
      r = evbuffer_prepend_buffer(buf, tmp_buf);
      FREEZE_EQ(r, -1, 0);
      len = evbuffer_get_length(buf);
      r = evbuffer_write(buf, pair[0]!);
      evbuffer_read(tmp_buf, pair[1]!, -1);
      FREEZE_EQ(r, -1, len);
      len = evbuffer_get_length(buf_two);
      r = evbuffer_write_atmost(buf_two, pair[0]!, -1);
      evbuffer_read(tmp_buf, pair[1]!, -1);
      FREEZE_EQ(r, -1, len);
      if (start) expect(evbuffer_get_length(buf)).toBe(orig_length);
      evbuffer_free(buf);
      evbuffer_free(buf_two);
      evbuffer_free(tmp_buf);
      evutil_closesocket(pair[0]!);
      evutil_closesocket(pair[1]!);
      // evbuffer_add_file took fd: closed by the segment (start), or when the add failed (end).
      expect(() => closeSync(fd)).toThrow(/EBADF/);
    });
  }

  it("add_iovec: returns the total bytes, order kept", () => {
    const buf = evbuffer_new();
    const data = [
      "Guilt resembles a sword with two edges.",
      "On the one hand, it cuts for Justice, imposing practical morality upon those who fear it.",
      "Conscience does not always adhere to rational judgment.",
      "Guilt is always a self-imposed burden, but it is not always rightly imposed.",
    ];
    const vec = iovecs(4);
    let expected_length = 0;
    for (let i = 0; i < 4; i++) {
      vec[i]!.iov_base = bytes(data[i]!);
      vec[i]!.iov_len = data[i]!.length;
      expected_length += vec[i]!.iov_len;
    }
    const returned_length = evbuffer_add_iovec(buf, vec, 4);
    expect(returned_length).toBe(evbuffer_get_length(buf));
    expect(evbuffer_get_length(buf)).toBe(expected_length);
    for (let i = 0; i < 4; i++) {
      const charbuf = new Uint8Array(1024);
      const n = evbuffer_remove(buf, charbuf, data[i]!.length);
      expect(text(charbuf, n)).toBe(data[i]);
    }
    expect(evbuffer_get_length(buf)).toBe(0);
    evbuffer_free(buf);
  });

  it("copyout: copyout and copyout_from across three chains, clamping", () => {
    const string =
      "Still they skirmish to and fro, men my messmates on the snow " +
      "When we headed off the aurochs turn for turn; " +
      "When the rich Allobrogenses never kept amanuenses, " +
      "And our only plots were piled in lakes at Berne.";
    const s = bytes(string);
    const tmp = new Uint8Array(1024);
    const buf = evbuffer_new();
    expect(string.length).toBe(206);
    evbuffer_add_reference(buf, s.subarray(0, 80), 80, no_cleanup, null);
    evbuffer_add_reference(buf, s.subarray(80, 160), 80, no_cleanup, null);
    evbuffer_add(buf, s.subarray(160), 206 - 160);
    expect(evbuffer_get_length(buf)).toBe(206);
    expect(evbuffer_copyout(buf, tmp, 10)).toBe(10);
    expect(text(tmp, 10)).toBe("Still they");
    tmp.fill(0);
    expect(evbuffer_copyout(buf, tmp, 100)).toBe(100);
    expect(text(tmp, 100)).toBe(string.slice(0, 100));
    tmp.fill(0);
    expect(evbuffer_copyout(buf, tmp, 230)).toBe(206);
    expect(text(tmp, 206)).toBe(string);
    expect(evbuffer_get_length(buf)).toBe(206);

    const ptr = new evbuffer_ptr();
    evbuffer_ptr_set(buf, ptr, 15, EVBUFFER_PTR_SET);
    tmp.fill(0);
    expect(evbuffer_copyout_from(buf, ptr, tmp, 10)).toBe(10);
    expect(text(tmp, 10)).toBe("mish to an");
    for (const n of [65, 90, 160]) {
      tmp.fill(0);
      expect(evbuffer_copyout_from(buf, ptr, tmp, n)).toBe(n);
      expect(text(tmp, n)).toBe(string.slice(15, 15 + n));
    }
    tmp.fill(0);
    expect(evbuffer_copyout_from(buf, ptr, tmp, 999)).toBe(206 - 15);
    expect(text(tmp, 206 - 15)).toBe(string.slice(15));
    expect(evbuffer_get_length(buf)).toBe(206);
    evbuffer_free(buf);
  });

  it("file_segment_add_cleanup_cb: runs once when the last evbuffer is freed, with flags 0 and arg", () => {
    const fd = make_tmpfile("file_segment_test_file");
    expect(fd).toBeGreaterThanOrEqual(0);
    const evb = evbuffer_new();
    const seg = evbuffer_file_segment_new(fd, 0, -1, 0)!;
    expect(seg).not.toBeNull();
    let count = 0;
    let with_seg: evbuffer_file_segment | null = null;
    let with_flags = -1;
    let with_arg: unknown = null;
    const arg = "token";
    evbuffer_file_segment_add_cleanup_cb(seg, (s, flags, a) => {
      ++count;
      with_seg = s;
      with_flags = flags;
      with_arg = a;
    }, arg);
    expect(evbuffer_add_file_segment(evb, seg, 0, -1)).not.toBe(-1);
    validate(evb);
    expect(all(evb)).toBe("file_segment_test_file");
    expect(count).toBe(0);
    evbuffer_file_segment_free(seg);
    expect(count).toBe(0);
    evbuffer_free(evb);
    expect(count).toBe(1);
    expect(with_seg).toBe(seg);
    expect(with_flags).toBe(0);
    expect(with_arg).toBe(arg);
    closeSync(fd); // flags 0: the segment does not own the fd
  });

  it("pullup_with_empty: pullup with a trailing empty chain; pullup of an empty buffer is NULL", () => {
    let buf = evbuffer_new();
    evbuffer_add(buf, "foo", 3);
    evbuffer_add_reference(buf, null, 0, null, null);
    validate(buf);
    expect(evbuffer_get_length(buf)).toBe(3);
    expect(all(buf)).toBe("foo");
    evbuffer_free(buf);
    buf = evbuffer_new();
    validate(buf);
    expect(evbuffer_get_length(buf)).toBe(0);
    expect(evbuffer_pullup(buf, -1)).toBeNull();
    evbuffer_free(buf);
    buf = evbuffer_new();
    evbuffer_add(buf, "foo", 3);
    evbuffer_add_reference(buf, null, 0, null, null);
    validate(buf);
    expect(text(evbuffer_pullup(buf, 3))).toBe("foo");
    evbuffer_free(buf);
  });

  // add_file: parameterized as ADDFILE_TEST_GROUP in regress_buffer.c, with the C test's two
  // persistent events on a nonblocking socketpair and event_base_dispatch.
  const addfileCases: [string, string][] = [];
  for (const [name, params] of [
    ["add_file", ""], ["add_big_file", "bigfile"], ["add_file_offset", "bigfile map_offset"],
    ["add_file_offset2", "bigfile offset_in_segment"], ["add_file_offset3", "bigfile offset_in_segment map_offset"],
  ] as const) {
    for (const impl of ["sendfile", "mmap", "linear"]) addfileCases.push([`${name}_${impl}`, `${impl} ${params}`]);
    if (!params.includes("offset_in_segment")) addfileCases.push([`${name}_nosegment`, `default nosegment ${params}`]);
  }
  for (const [name, impl] of addfileCases) {
    it(`${name}: file -> socketpair through evbuffer_write/evbuffer_read`, (ctx) => {
      const use_segment = !impl.includes("nosegment");
      const use_bigfile = impl.includes("bigfile");
      const map_from_offset = impl.includes("map_offset");
      const view_from_offset = impl.includes("offset_in_segment");
      let flags = 0;
      let want_ismapping = -1, want_cansendfile = -1;
      if (impl.includes("sendfile")) {
        flags = EVBUF_FS_DISABLE_MMAP;
        want_cansendfile = 1;
        want_ismapping = 0;
      } else if (impl.includes("mmap")) {
        flags = EVBUF_FS_DISABLE_SENDFILE;
        want_ismapping = 1;
        want_cansendfile = 0;
      } else if (impl.includes("linear")) {
        flags = EVBUF_FS_DISABLE_SENDFILE | EVBUF_FS_DISABLE_MMAP;
        want_ismapping = 0;
        want_cansendfile = 0;
      }
      let data: Uint8Array;
      if (use_bigfile) {
        data = new Uint8Array(1024 * 512);
        let seed = 123456789;
        for (let i = 0; i < data.length; ++i) {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff; // evutil_weakrand_
          data[i] = seed & 0xff;
        }
      } else {
        data = bytes("here is a relatively small string.");
      }
      const fd = make_tmpfile(data);
      let starting_offset = 0, mapping_len = -1, segment_offset = 0, segment_len = -1;
      let expect_data = data;
      if (map_from_offset) {
        starting_offset = Math.trunc(data.length / 4) + 1;
        mapping_len = Math.trunc(data.length / 2) - 1;
        expect_data = data.subarray(starting_offset, starting_offset + mapping_len);
      }
      if (view_from_offset) {
        segment_offset = Math.trunc(expect_data.length / 3);
        segment_len = Math.trunc(expect_data.length / 2);
        expect_data = expect_data.subarray(segment_offset, segment_offset + segment_len);
      }
      let seg: evbuffer_file_segment | null = null;
      if (use_segment) {
        seg = evbuffer_file_segment_new(fd, starting_offset, mapping_len, flags);
        expect(seg).not.toBeNull();
        if ((want_ismapping >= 0 && seg!.is_mapping !== want_ismapping) ||
            (want_cansendfile >= 0 && seg!.can_sendfile !== want_cansendfile)) {
          evbuffer_file_segment_free(seg!);
          closeSync(fd);
          ctx.skip(); // as tt_skip(): this port never maps files
          return;
        }
      }
      const src = evbuffer_new();
      const dest = evbuffer_new();
      evbuffer_set_flags(src, EVBUFFER_FLAG_DRAINS_TO_FD);
      const pair = nonblockingPair();
      if (use_segment) expect(evbuffer_add_file_segment(src, seg!, segment_offset, segment_len)).not.toBe(-1);
      else expect(evbuffer_add_file(src, fd, starting_offset, mapping_len)).not.toBe(-1);
      validate(src);

      const base = event_base_new()!;
      let total_written = 0, total_read = 0, done_writing = false;
      const failures: string[] = [];
      const writecb = (fd: number, _what: number, b: evbuffer): void => {
        validate(b);
        while (evbuffer_get_length(b)) {
          const r = evbuffer_write(b, fd);
          if (r > 0) total_written += r;
          else {
            if (errno === EAGAIN) return;
            failures.push(`write: errno ${errno}`);
            event_base_loopexit(base, null);
            return;
          }
          validate(b);
        }
        done_writing = true;
      };
      const readcb = (fd: number, _what: number, b: evbuffer): void => {
        let r: number;
        do {
          r = evbuffer_read(b, fd, 1024);
          if (r > 0) total_read += r;
        } while (r > 0);
        if (r < 0 && errno !== EAGAIN) {
          failures.push(`read: errno ${errno}`);
          event_base_loopexit(base, null);
        }
        if (done_writing && total_read >= total_written) event_base_loopexit(base, null);
      };
      const wev = event_new(base, pair[0]!, EV_WRITE | EV_PERSIST, writecb, src)!;
      const rev = event_new(base, pair[1]!, EV_READ | EV_PERSIST, readcb, dest)!;
      event_add(wev, null);
      event_add(rev, null);
      event_base_dispatch(base);
      expect(failures).toEqual([]);
      expect(done_writing).toBe(true);
      event_free(wev);
      event_free(rev);
      event_base_free(base);
      validate(src);
      validate(dest);
      expect(total_written).toBe(expect_data.length);
      expect(total_read).toBe(expect_data.length);
      const compare = evbuffer_pullup(dest, expect_data.length);
      expect(compare).not.toBeNull();
      expect(Buffer.compare(compare!, expect_data)).toBe(0);
      validate(dest);
      if (seg) evbuffer_file_segment_free(seg);
      evbuffer_free(src);
      evbuffer_free(dest);
      evutil_closesocket(pair[0]!);
      evutil_closesocket(pair[1]!);
      if (use_segment) closeSync(fd);
      else expect(() => closeSync(fd)).toThrow(/EBADF/); // evbuffer_add_file owned it
    });
  }
});

// ---- the port's own cases -------------------------------------------------------------------

describe("evbuffer (port)", () => {
  it("chain capacities are libevent 2.1.12's on 64-bit Linux: 976, 2000, 4048, 8144 bytes", () => {
    for (const [want, cap] of [[1, 976], [976, 976], [977, 2000], [2000, 2000], [2001, 4048], [4049, 8144]]) {
      const buf = evbuffer_new();
      const v = iovecs(1);
      expect(evbuffer_reserve_space(buf, want!, v, 1)).toBe(1);
      expect(v[0]!.iov_len).toBe(cap);
      expect(v[0]!.iov_base!.length).toBe(cap);
      evbuffer_free(buf);
    }
  });

  it("a 64-byte add then a 2000-byte add: the second chain is twice the first, the rest spills", () => {
    const buf = evbuffer_new();
    evbuffer_add(buf, new Uint8Array(64), 64);
    evbuffer_add(buf, new Uint8Array(3000), 3000);
    const v = iovecs(4);
    expect(evbuffer_peek(buf, -1, null, v, 4)).toBe(2);
    expect(v.slice(0, 2).map((e) => e.iov_len)).toEqual([976, 3064 - 976]);
    expect(evbuffer_get_contiguous_space(buf)).toBe(976);
    evbuffer_free(buf);
  });

  it("bad input throws a TypeError/RangeError naming the function, and loses nothing", () => {
    const buf = evbuffer_new();
    const other = evbuffer_new();
    evbuffer_add(buf, "keep me", 7);
    evbuffer_add(other, "other", 5);
    const data = bytes("0123456789");
    expect(() => evbuffer_add(buf, data, -5)).toThrow(new RangeError("evbuffer_add: datlen -5 is negative"));
    expect(() => evbuffer_add(buf, data, 11)).toThrow(RangeError);
    expect(() => evbuffer_add(buf, data, 11)).toThrow(/^evbuffer_add: datlen 11 exceeds the 10-byte data$/);
    expect(() => evbuffer_add(buf, data, 1.5)).toThrow(TypeError);
    expect(() => evbuffer_add(buf, "é", 3)).toThrow(/evbuffer_add: datlen 3 exceeds the 2-byte data/);
    expect(() => evbuffer_add(buf, 42 as unknown as string, 1)).toThrow(/evbuffer_add: data must be a Uint8Array or a string, not 42/);
    expect(() => evbuffer_prepend(buf, data, -1)).toThrow(/evbuffer_prepend: size -1 is negative/);
    expect(() => evbuffer_remove(buf, new Uint8Array(4), 5)).toThrow(/evbuffer_remove: datlen 5 exceeds the 4-byte data_out/);
    expect(() => evbuffer_copyout(buf, new Uint8Array(4), -1)).toThrow(/evbuffer_copyout: datlen -1 is negative/);
    expect(() => evbuffer_drain(buf, -2)).toThrow(/evbuffer_drain: len -2 is negative/);
    expect(() => evbuffer_remove_buffer(buf, other, -3)).toThrow(/evbuffer_remove_buffer: datlen -3 is negative/);
    expect(() => evbuffer_add_reference(buf, data, 20, null, null)).toThrow(/evbuffer_add_reference: datlen 20/);
    expect(() => evbuffer_search(buf, "abc", 4, null)).toThrow(/evbuffer_search: len 4 exceeds the 3-byte what/);
    expect(() => evbuffer_peek(buf, -1, null, iovecs(1), 2)).toThrow(/evbuffer_peek: n_vec 2 is beyond/);
    expect(() => evbuffer_add_printf(buf, "%d", "x")).toThrow(/evbuffer_add_printf: argument 1 for %d is not an integer/);
    expect(() => evbuffer_add_printf(buf, "%n", 1)).toThrow(/evbuffer_add_printf: unsupported conversion "%n"/);
    expect(() => evbuffer_add_printf(buf, "%s %s", "one")).toThrow(/evbuffer_add_printf: no argument 2 for %s/);

    const foreign = new evbuffer_ptr();
    expect(evbuffer_ptr_set(other, foreign, 2, EVBUFFER_PTR_SET)).toBe(0);
    expect(() => evbuffer_search(buf, "me", 2, foreign)).toThrow(/evbuffer_search: the evbuffer_ptr belongs to another evbuffer/);
    expect(() => evbuffer_copyout_from(buf, foreign, new Uint8Array(3), 3)).toThrow(TypeError);
    const stale = new evbuffer_ptr();
    expect(evbuffer_ptr_set(other, stale, 3, EVBUFFER_PTR_SET)).toBe(0);
    evbuffer_drain(other, 5);
    evbuffer_add(other, "again", 5);
    expect(() => evbuffer_peek(other, -1, stale, iovecs(1), 1)).toThrow(/evbuffer_peek: the evbuffer_ptr is stale/);
    const notFound = evbuffer_search(buf, "zz", 2, null);
    expect(notFound.pos).toBe(-1);
    expect(() => evbuffer_copyout_from(buf, notFound, new Uint8Array(3), 3)).toThrow(
      /evbuffer_copyout_from: pos is not a position in the buffer/);

    expect(() => evbuffer_add(null as unknown as evbuffer, data, 1)).toThrow(/evbuffer_add: evbuffer is not an evbuffer/);
    expect(() => evbuffer_add_buffer(buf, {} as evbuffer)).toThrow(/evbuffer_add_buffer: inbuf is not an evbuffer/);
    expect(all(buf)).toBe("keep me");
    expect(evbuffer_get_length(buf)).toBe(7);
    validate(buf);

    evbuffer_free(other);
    expect(() => evbuffer_add(other, data, 1)).toThrow(/evbuffer_add: evbuffer used after evbuffer_free/);
    expect(() => evbuffer_free(other)).toThrow(/evbuffer_free: evbuffer used after evbuffer_free/);
    expect(() => evbuffer_add_buffer(buf, other)).toThrow(/evbuffer_add_buffer: inbuf used after evbuffer_free/);
    expect(all(buf)).toBe("keep me");
    evbuffer_free(buf);
  });

  it("an invalid EOL style behaves as in C: nothing is found", () => {
    const buf = evbuffer_new();
    evbuffer_add(buf, "a\r\nb\n\0", 6);
    const eol = { value: -1 };
    for (const style of [5, -1, 99]) {
      expect(evbuffer_search_eol(buf, null, eol, style).pos).toBe(-1);
      expect(eol.value).toBe(0);
      expect(evbuffer_readln(buf, eol, style)).toBeNull();
      expect(eol.value).toBe(0);
    }
    expect(evbuffer_get_length(buf)).toBe(6);
    evbuffer_free(buf);
  });

  it("reserve_space of 0 bytes over 2 extents with the last chain full gives 0 extents (libevent asserts there)", () => {
    const buf = evbuffer_new();
    evbuffer_add(buf, new Uint8Array(976), 976);
    const v = iovecs(2);
    expect(evbuffer_reserve_space(buf, 0, v, 2)).toBe(0);
    expect(evbuffer_commit_space(buf, v, 0)).toBe(0);
    expect(evbuffer_get_length(buf)).toBe(976);
    validate(buf);
    evbuffer_free(buf);
  });

  it("evbuffer_add of a string counts UTF-8 bytes; a datlen that cuts a character copies the bytes", () => {
    const buf = evbuffer_new();
    expect(evbuffer_add(buf, "héllo", 6)).toBe(0);
    expect(evbuffer_add(buf, "é", 1)).toBe(0);
    // "[" "ü" "|" " ü" (width 3 counts bytes) "|" 0xc3 (precision 1 cuts the character) "]"
    expect(evbuffer_add_printf(buf, "[%s|%3s|%.1s]", "ü", "ü", "ü")).toBe(1 + 2 + 1 + 3 + 1 + 1 + 1);
    const out = Buffer.from(evbuffer_pullup(buf, -1)!);
    expect(out.subarray(0, 6).toString()).toBe("héllo");
    expect(out[6]).toBe(0xc3);
    expect(out.subarray(7).equals(Buffer.concat([Buffer.from("[ü| ü|"), Buffer.from([0xc3]), Buffer.from("]")]))).toBe(true);
    const n = { value: 0 };
    evbuffer_add(buf, "\n", 1);
    expect(evbuffer_readln(buf, n, EVBUFFER_EOL_LF)).toBe("héllo\ufffd[ü| ü|\ufffd]");
    expect(n.value).toBe(6 + 1 + 10);
    evbuffer_free(buf);
  });

  it("readln gives each line as Buffer#toString decodes it, however the bytes lie in the chains", () => {
    const lines = [Buffer.from("plain\r"), Buffer.from("héllo €"), Buffer.from([0x61, 0xc3, 0x28, 0xff, 0x0d]), Buffer.from(""),
      Buffer.from([0xe2, 0x82])];
    const bytes = Buffer.concat(lines.flatMap((l) => [l, Buffer.from("\n")]));
    for (const style of [EVBUFFER_EOL_LF, EVBUFFER_EOL_CRLF]) {
      const want = lines.map((l) => {
        const end = style === EVBUFFER_EOL_CRLF && l[l.length - 1] === 0x0d ? l.length - 1 : l.length;
        return l.toString("utf8", 0, end);
      });
      // One line added and read at a time; all at once (a short chain); after 1 KiB of other lines
      // (a long chain); one byte a chain (no line in one chain).
      const n = { value: 0 };
      const oneByOne = evbuffer_new();
      const got1 = lines.map((l) => {
        evbuffer_add(oneByOne, Buffer.concat([l, Buffer.from("\n")]), l.length + 1);
        return evbuffer_readln(oneByOne, n, style);
      });
      const allAtOnce = evbuffer_new();
      evbuffer_add(allAtOnce, bytes, bytes.length);
      const got2 = lines.map(() => evbuffer_readln(allAtOnce, n, style));
      const long = evbuffer_new();
      const filler = Buffer.from(`${"x".repeat(99)}\n`.repeat(10));
      evbuffer_add(long, filler, filler.length);
      evbuffer_add(long, bytes, bytes.length);
      for (let i = 0; i < 10; i++) expect(evbuffer_readln(long, n, style)).toBe("x".repeat(99));
      const got3 = lines.map(() => evbuffer_readln(long, n, style));
      const spread = evbuffer_new();
      for (const b of bytes) evbuffer_add_reference(spread, Buffer.from([b]), 1, null, null);
      const got4 = lines.map(() => evbuffer_readln(spread, n, style));
      expect([got1, got2, got3, got4]).toEqual([want, want, want, want]);
      for (const b of [oneByOne, allAtOnce, long, spread]) {
        expect(evbuffer_get_length(b)).toBe(0);
        evbuffer_free(b);
      }
    }
  });

  it("evbuffer_read: at most 4096 bytes, at most FIONREAD and howmuch, straight into chain memory", () => {
    const pair = nonblockingPair();
    const buf = evbuffer_new();
    const data = Buffer.alloc(10000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    expect(native.write(pair[0]!, data, 0, data.length)).toBe(10000);
    // Reserve (not commit) first: the read must land in that very memory.
    const v = iovecs(1);
    expect(evbuffer_reserve_space(buf, 100, v, 1)).toBe(1);
    expect(evbuffer_read(buf, pair[1]!, 100)).toBe(100);
    expect(Buffer.compare(v[0]!.iov_base!.subarray(0, 100), data.subarray(0, 100))).toBe(0);
    expect(evbuffer_read(buf, pair[1]!, -1)).toBe(EVBUFFER_MAX_READ);
    expect(evbuffer_read(buf, pair[1]!, 1 << 20)).toBe(EVBUFFER_MAX_READ);
    expect(evbuffer_read(buf, pair[1]!, -1)).toBe(10000 - 100 - 2 * 4096);
    expect(evbuffer_get_length(buf)).toBe(10000);
    expect(Buffer.compare(evbuffer_pullup(buf, -1)!, data)).toBe(0);
    expect(evbuffer_read(buf, pair[1]!, -1)).toBe(-1);
    expect(errno).toBe(EAGAIN);
    evutil_closesocket(pair[0]!);
    expect(evbuffer_read(buf, pair[1]!, -1)).toBe(0);
    validate(buf);
    evbuffer_free(buf);
    evutil_closesocket(pair[1]!);
  });

  it("evbuffer_read over three extents (libevent's NUM_READ_IOVEC is 4): bytes land in chain order", () => {
    const pair = nonblockingPair();
    const buf = evbuffer_new();
    evbuffer_add(buf, new Uint8Array(970).fill(0x2e), 970); // 6 bytes of room left in a 976-byte chain
    const v = iovecs(2);
    expect(evbuffer_reserve_space(buf, 500, v, 2)).toBe(2); // adds an empty 976-byte chain
    expect(v.map((e) => e.iov_len)).toEqual([6, 976]);
    const data = Buffer.alloc(5000);
    for (let i = 0; i < data.length; i++) data[i] = 0x41 + (i % 26);
    expect(native.write(pair[0]!, data, 0, data.length)).toBe(5000);
    // 6 + 976 bytes of room, then a new chain for the other 3114: three extents.
    expect(evbuffer_read(buf, pair[1]!, -1)).toBe(4096);
    const p = iovecs(4);
    expect(evbuffer_peek(buf, -1, null, p, 4)).toBe(3);
    expect(p.slice(0, 3).map((e) => e.iov_len)).toEqual([976, 976, 4096 - 982]);
    expect(Buffer.compare(Buffer.from(evbuffer_pullup(buf, -1)!).subarray(970), data.subarray(0, 4096))).toBe(0);
    validate(buf);
    evbuffer_free(buf);
    evutil_closesocket(pair[0]!);
    evutil_closesocket(pair[1]!);
  });

  it("evbuffer_write_atmost: one writev over at most 128 chains, bounded by howmuch; -1 when empty", () => {
    const pair = nonblockingPair();
    const buf = evbuffer_new();
    const tmp = evbuffer_new();
    for (let i = 0; i < 200; i++) {
      evbuffer_add_printf(tmp, "%03d|", i);
      evbuffer_add_buffer(buf, tmp);
    }
    expect(evbuffer_peek(buf, -1, null, null, 0)).toBe(200);
    expect(evbuffer_write_atmost(buf, pair[0]!, 10)).toBe(10);
    expect(evbuffer_write(buf, pair[0]!)).toBe(2 + 127 * 4); // 128 extents: the rest of chain 2, then 127 chains
    const got = Buffer.alloc(2000);
    const n = native.read(pair[1]!, got, 0, got.length);
    expect(got.subarray(0, n).toString()).toBe(Array.from({ length: 130 }, (_, i) => `${String(i).padStart(3, "0")}|`).join("").slice(0, n));
    evbuffer_drain(buf, -1);
    expect(evbuffer_write(buf, pair[0]!)).toBe(-1);
    evbuffer_free(buf);
    evbuffer_free(tmp);
    evutil_closesocket(pair[0]!);
    evutil_closesocket(pair[1]!);
  });

  it("a sendfile segment's bytes are not memory: reading them throws, writing them uses sendfile", () => {
    const fd = make_tmpfile("sendfile me, please");
    const buf = evbuffer_new();
    evbuffer_set_flags(buf, EVBUFFER_FLAG_DRAINS_TO_FD);
    expect(evbuffer_add_file(buf, fd, 9, 10)).toBe(0);
    expect(evbuffer_get_length(buf)).toBe(10);
    expect(() => evbuffer_copyout(buf, new Uint8Array(4), 4)).toThrow(/evbuffer_copyout: .*sendfile/);
    expect(() => evbuffer_pullup(buf, -1)).toThrow(/evbuffer_pullup: .*sendfile/);
    expect(() => evbuffer_readln(buf, null, EVBUFFER_EOL_ANY)).toThrow(/evbuffer_readln: .*sendfile/);
    const v = iovecs(1);
    expect(evbuffer_peek(buf, -1, null, v, 1)).toBe(1);
    expect(v[0]!.iov_base).toBeNull();
    expect(v[0]!.iov_len).toBe(10);
    const pair = nonblockingPair();
    expect(evbuffer_write_atmost(buf, pair[0]!, 3)).toBe(10); // sendfile offers the whole chain, as libevent
    const got = Buffer.alloc(64);
    expect(got.subarray(0, native.read(pair[1]!, got, 0, 64)).toString()).toBe("me, please");
    expect(evbuffer_get_length(buf)).toBe(0);
    evbuffer_free(buf);
    evutil_closesocket(pair[0]!);
    evutil_closesocket(pair[1]!);
    expect(() => closeSync(fd)).toThrow(/EBADF/);
  });

  it("references: the cleanup runs once, with the very value given, after the last byte is drained", () => {
    const calls: unknown[][] = [];
    const cleanup = (d: Uint8Array | string | null, n: number, extra: string): void => void calls.push([d, n, extra]);
    const mem = bytes("referenced");
    const buf = evbuffer_new();
    const copy = evbuffer_new();
    evbuffer_add_reference(buf, mem, 10, cleanup, "x");
    evbuffer_add_buffer_reference(copy, buf);
    mem[0] = "R".charCodeAt(0); // zero-copy: both see the change
    expect(all(buf)).toBe("Referenced");
    evbuffer_drain(buf, 9);
    expect(calls).toEqual([]);
    evbuffer_drain(buf, 1);
    expect(calls).toEqual([]); // the multicast copy still holds it
    expect(all(copy)).toBe("Referenced");
    evbuffer_free(buf);
    expect(calls).toEqual([]);
    evbuffer_drain(copy, -1);
    expect(calls).toEqual([[mem, 10, "x"]]);
    evbuffer_free(copy);
    expect(calls.length).toBe(1);
    // A refused reference (end frozen) is never cleaned up.
    const frozen = evbuffer_new();
    evbuffer_freeze(frozen, 0);
    expect(evbuffer_add_reference(frozen, "s", 1, cleanup, "y")).toBe(-1);
    evbuffer_free(frozen);
    expect(calls.length).toBe(1);
  });

  it("a reference cleanup that changes buffers itself: every cleanup runs exactly once, nested ones first", () => {
    const order: string[] = [];
    const other = evbuffer_new();
    const buf = evbuffer_new();
    evbuffer_add_reference(other, "inner", 5, () => void order.push("inner"), null);
    evbuffer_add_reference(buf, "outer1", 6, () => {
      order.push("outer1");
      evbuffer_drain(other, -1); // frees "inner" and flushes
      evbuffer_add(buf, "x", 1);
    }, null);
    evbuffer_add_reference(buf, "outer2", 6, () => void order.push("outer2"), null);
    evbuffer_drain(buf, 12);
    expect(order).toEqual(["outer1", "inner", "outer2"]);
    expect(all(buf)).toBe("x");
    evbuffer_free(buf);
    evbuffer_free(other);
    expect(order.length).toBe(3);
  });

  it("drained chains are released; views of the buffer are views of its memory", () => {
    const buf = evbuffer_new();
    evbuffer_add(buf, "abcdef", 6);
    const view = evbuffer_pullup(buf, 3)!;
    const v = iovecs(1);
    evbuffer_peek(buf, -1, null, v, 1);
    v[0]!.iov_base![1] = "B".charCodeAt(0);
    expect(text(view)).toBe("aBc");
    expect(view.buffer).toBe(v[0]!.iov_base!.buffer);
    evbuffer_drain(buf, 6);
    expect(buf.first).toBeNull();
    expect(buf.last).toBeNull();
    evbuffer_free(buf);
  });

  it("callbacks: one may remove itself; a change made inside a callback gets its own info", () => {
    const buf = evbuffer_new();
    const seen: string[] = [];
    const once = (b: evbuffer, info: evbuffer_cb_info, tag: string): void => {
      seen.push(`${tag}:${info.orig_size}+${info.n_added}-${info.n_deleted}`);
      evbuffer_remove_cb(b, once, tag);
    };
    const nested = (b: evbuffer, info: evbuffer_cb_info): void => {
      seen.push(`nested:${info.orig_size}+${info.n_added}-${info.n_deleted}`);
      if (evbuffer_get_length(b) === 3) evbuffer_drain(b, 1);
      seen.push(`nested after:${info.orig_size}+${info.n_added}-${info.n_deleted}`);
    };
    evbuffer_add_cb(buf, nested, null);
    evbuffer_add_cb(buf, once, "once");
    evbuffer_add(buf, "abc", 3);
    evbuffer_add(buf, "d", 1);
    expect(seen).toEqual([
      "once:0+3-0", "nested:0+3-0", "nested:3+0-1", "nested after:3+0-1", "nested after:0+3-0",
      "nested:2+1-0", "nested:3+0-1", "nested after:3+0-1",
      "nested after:2+1-0",
    ]);
    evbuffer_free(buf);
  });

  it("an exception thrown by a callback propagates and leaves the buffer consistent", () => {
    const buf = evbuffer_new();
    evbuffer_add_cb(buf, () => {
      throw new Error("boom");
    }, null);
    expect(() => evbuffer_add(buf, "abc", 3)).toThrow("boom");
    validate(buf);
    expect(evbuffer_get_length(buf)).toBe(3);
    const refs: string[] = [];
    const buf2 = evbuffer_new();
    evbuffer_add_reference(buf2, "one", 3, () => {
      refs.push("one");
      throw new Error("cleanup boom");
    }, null);
    evbuffer_add_reference(buf2, "two", 3, () => void refs.push("two"), null);
    expect(() => evbuffer_drain(buf2, 6)).toThrow("cleanup boom");
    expect(refs).toEqual(["one", "two"]); // every cleanup still ran
    validate(buf2);
    expect(evbuffer_get_length(buf2)).toBe(0);
    evbuffer_free(buf);
    evbuffer_free(buf2);
  });

  it("evbuffer_defer_callbacks: callbacks run from the loop with the counts accumulated; NODEFER ones inline", () => {
    const base = event_base_new()!;
    expect(event_base_priority_init(base, 3)).toBe(0);
    const buf = evbuffer_new();
    const seen: string[] = [];
    evbuffer_add_cb(buf, (_b, info) => void seen.push(`deferred ${info.orig_size}+${info.n_added}-${info.n_deleted}`), null);
    const inline = evbuffer_add_cb(buf, (_b, info) => void seen.push(`inline ${info.orig_size}+${info.n_added}-${info.n_deleted}`), null);
    evbuffer_cb_set_flags(buf, inline, EVBUFFER_CB_ENABLED | EVBUFFER_CB_NODEFER);
    expect(evbuffer_defer_callbacks(buf, base)).toBe(0);
    expect(buf.deferred!.evcb_pri).toBe(1);
    evbuffer_add(buf, "hello", 5);
    evbuffer_drain(buf, 2);
    expect(seen).toEqual(["inline 0+5-0", "inline 0+5-2"]);
    expect(event_base_loop(base, EVLOOP_NONBLOCK)).toBe(1); // as libevent: then nothing is left to wait for
    expect(seen.slice(2)).toEqual(["deferred 0+5-2"]);
    evbuffer_add(buf, "x", 1);
    expect(() => evbuffer_defer_callbacks(buf, base)).toThrow(/evbuffer_defer_callbacks: a deferred callback run/);
    // As in libevent, the pending run holds a reference: it still runs after evbuffer_free.
    evbuffer_free(buf);
    expect(buf.refcnt).toBe(1);
    event_base_loop(base, EVLOOP_NONBLOCK);
    expect(seen.slice(3)).toEqual(["inline 3+1-0", "deferred 3+1-0"]);
    expect(buf.refcnt).toBe(0);
    event_base_free(base);
  });

  it("evbuffer_enable_locking / lock / unlock: what libevent does with an uncontended lock", () => {
    const buf = evbuffer_new();
    expect(evbuffer_enable_locking(buf, null)).toBe(0);
    expect(evbuffer_enable_locking(buf, null)).toBe(-1);
    evbuffer_lock(buf);
    evbuffer_add(buf, "x", 1);
    evbuffer_unlock(buf);
    expect(evbuffer_get_length(buf)).toBe(1);
    evbuffer_free(buf);
  });

  it("evutil_snprintf / evutil_vsnprintf: C's truncation, NUL and return value; glibc's output", () => {
    const out = new Uint8Array(64);
    expect(evutil_snprintf(out, 5, "%d", 123456)).toBe(6);
    expect(text(out, 5)).toBe("1234\0");
    expect(evutil_snprintf(out, 0, "%d", 123456)).toBe(0); // libevent's quirk
    expect(() => evutil_snprintf(out, 65, "x")).toThrow(/evutil_snprintf: buflen 65 exceeds the 64-byte buf/);
    const fmt = (f: string, ...a: unknown[]): string => {
      const n = evutil_vsnprintf(out, out.length, f, a);
      return text(out, Math.min(n, out.length - 1));
    };
    // Each expectation is what glibc 2.36's snprintf prints.
    expect(fmt("%5.2f|%-6s|%#x|%o|%+d|% d", 3.14159, "ab", 255, 8, 5, 7)).toBe(" 3.14|ab    |0xff|10|+5| 7");
    expect(fmt("%e|%g|%g|%g|%G", 12345.678, 0.0001, 123456789, 100000, 1e-10)).toBe("1.234568e+04|0.0001|1.23457e+08|100000|1E-10");
    expect(fmt("%.0f|%.0f|%.2f|%#.0f|%#g", 0.5, 2.5, 0.125, 3, 999999.5)).toBe("0|2|0.12|3.|1.e+06");
    expect(fmt("%x|%lx|%u|%lu", -1, -1, -1, 2 ** 40)).toBe("ffffffff|ffffffffffffffff|4294967295|1099511627776");
    expect(fmt("%lld|%zu|%5c|%-3c|%%|%*d|%-*d|%.*s", 2n ** 62n, 7, 65, 66, 4, 9, 3, 9, 2, "abc")).toBe(
      "4611686018427387904|7|    A|B  |%|   9|9  |ab");
    expect(fmt("%s|%.3s|%10.4f|%-+8.3e", null, null, -0.0, 1.5)).toBe("(null)||   -0.0000|+1.500e+00");
    expect(fmt("%f|%F|%e", Infinity, -Infinity, NaN)).toBe("inf|-INF|nan");
    expect(fmt("%p|%p", null, 0x1234)).toBe("(nil)|0x1234");
    expect(fmt("%5s|%-5s|%.1s", "é", "é", "é")).toBe(`${Buffer.from("   é|é   |").toString("latin1")}\xc3`);
  });

  it("a reference freed through a shared chain is cleaned up once the draining buffer is consistent", () => {
    // The source holds a reference chain; out shares it (multicast). Once the source is freed,
    // dropping out's shared chain drops the last hold on the reference: its cleanup must not run
    // in the middle of out's drain or pullup.
    const seen: string[] = [];
    let out = evbuffer_new();
    const share = (cleanup: () => void): void => {
      const src = evbuffer_new();
      evbuffer_add_reference(src, "0123456789", 10, cleanup, null);
      expect(evbuffer_add_buffer_reference(out, src)).toBe(0);
      evbuffer_free(src);
      evbuffer_add(out, "abcdefghijklmnopqrst", 20);
    };
    share(() => {
      validate(out);
      seen.push(`drain: out holds ${evbuffer_get_length(out)}`);
      throw new Error("cleanup boom");
    });
    expect(() => evbuffer_drain(out, 15)).toThrow("cleanup boom");
    validate(out);
    expect(evbuffer_get_length(out)).toBe(15);
    expect(all(out)).toBe("fghijklmnopqrst");
    evbuffer_free(out);

    out = evbuffer_new();
    share(() => {
      validate(out);
      seen.push(`pullup: out holds ${evbuffer_get_length(out)}`);
    });
    expect(text(evbuffer_pullup(out, 15))).toBe("0123456789abcde");
    validate(out);
    expect(all(out)).toBe("0123456789abcdefghijklmnopqrst");
    evbuffer_free(out);
    expect(seen).toEqual(["drain: out holds 15", "pullup: out holds 30"]);
  });

  it("evbuffer_remove_buffer: a dst callback that throws leaves both buffers consistent; dst's callbacks run before src's", () => {
    const src = evbuffer_new();
    const dst = evbuffer_new();
    evbuffer_add(src, new Uint8Array(900).fill(0x61), 900);
    evbuffer_add(src, new Uint8Array(2000).fill(0x62), 2000); // chains of 976 and 1924 bytes
    const order: string[] = [];
    const record = (b: evbuffer, info: evbuffer_cb_info, tag: string): void => {
      order.push(`${tag} ${info.orig_size}+${info.n_added}-${info.n_deleted} (${evbuffer_get_length(b)})`);
    };
    evbuffer_add_cb(src, record, "src");
    const dstCb = evbuffer_add_cb(dst, record, "dst");
    expect(evbuffer_remove_buffer(src, dst, 1000)).toBe(1000);
    expect(order).toEqual(["dst 0+1000-0 (1000)", "src 2900+0-1000 (1900)"]);
    validate(src);
    validate(dst);

    evbuffer_remove_cb_entry(dst, dstCb);
    evbuffer_add_cb(dst, () => {
      throw new Error("dst boom");
    }, null);
    expect(() => evbuffer_remove_buffer(src, dst, 1000)).toThrow("dst boom");
    validate(src);
    validate(dst);
    expect(evbuffer_get_length(src)).toBe(900);
    expect(evbuffer_get_length(dst)).toBe(2000);
    const rest = new Uint8Array(900);
    expect(evbuffer_remove(src, rest, 900)).toBe(900);
    expect(rest.every((b) => b === 0x62)).toBe(true);
    evbuffer_free(src);
    evbuffer_free(dst);
  });

  it("an end-of-buffer pointer made stale by a drain, or from another buffer, is refused by name", () => {
    const buf = evbuffer_new();
    const other = evbuffer_new();
    const out = new Uint8Array(4);
    evbuffer_add(buf, "0123456789", 10);
    const end = new evbuffer_ptr();
    expect(evbuffer_ptr_set(buf, end, 10, EVBUFFER_PTR_SET)).toBe(0);
    expect(evbuffer_copyout_from(buf, end, out, 4)).toBe(0); // the end is a valid position
    evbuffer_drain(buf, 5);
    expect(() => evbuffer_copyout_from(buf, end, out, 4)).toThrow(/^evbuffer_copyout_from: the evbuffer_ptr is stale/);
    expect(() => evbuffer_search(buf, "5", 1, end)).toThrow(/^evbuffer_search: the evbuffer_ptr is stale/);
    const foreignEnd = new evbuffer_ptr();
    expect(evbuffer_ptr_set(other, foreignEnd, 0, EVBUFFER_PTR_SET)).toBe(0);
    expect(() => evbuffer_copyout_from(buf, foreignEnd, out, 4)).toThrow(/^evbuffer_copyout_from: the evbuffer_ptr belongs to another evbuffer/);
    expect(() => evbuffer_peek(buf, -1, new evbuffer_ptr(), null, 0)).toThrow(/^evbuffer_peek: the evbuffer_ptr was never set/);
    expect(evbuffer_ptr_set(buf, end, 5, EVBUFFER_PTR_SET)).toBe(0);
    expect(evbuffer_copyout_from(buf, end, out, 4)).toBe(0);
    expect(evbuffer_get_length(buf)).toBe(5);
    evbuffer_free(buf);
    evbuffer_free(other);
  });

  it("evbuffer_readln and evbuffer_search_eol check their out-parameter box before changing anything", () => {
    const buf = evbuffer_new();
    evbuffer_add(buf, "line\nrest", 9);
    expect(() => evbuffer_readln(buf, 5 as unknown as evbuffer_size_out, EVBUFFER_EOL_LF)).toThrow(
      /^evbuffer_readln: n_read_out must be a box \{ value \}, not 5/);
    expect(evbuffer_get_length(buf)).toBe(9);
    expect(() => evbuffer_search_eol(buf, null, {} as evbuffer_size_out, EVBUFFER_EOL_LF)).toThrow(
      /^evbuffer_search_eol: eol_len_out must be a box/);
    const n = { value: -1 };
    expect(evbuffer_readln(buf, n, EVBUFFER_EOL_LF)).toBe("line");
    expect(n.value).toBe(4);
    expect(evbuffer_readln(buf, null, EVBUFFER_EOL_LF)).toBeNull();
    expect(all(buf)).toBe("rest");
    evbuffer_free(buf);
  });

  it("evbuffer_read, evbuffer_write and evbuffer_write_atmost on fd -1 return -1 with errno EBADF, as in C", () => {
    const buf = evbuffer_new();
    evbuffer_add(buf, "keep", 4);
    expect(evbuffer_read(buf, -1, 10)).toBe(-1);
    expect(errno).toBe(EBADF);
    expect(evbuffer_write(buf, -1)).toBe(-1);
    expect(errno).toBe(EBADF);
    expect(evbuffer_write_atmost(buf, -1, 2)).toBe(-1);
    expect(errno).toBe(EBADF);
    expect(all(buf)).toBe("keep");
    validate(buf);
    expect(() => evbuffer_read(buf, 1.5, 10)).toThrow(/^evbuffer_read: fd must be an integer/);
    expect(() => evbuffer_write(buf, "1" as unknown as number)).toThrow(/^evbuffer_write: fd must be an integer/);
    evbuffer_free(buf);
  });

  it("evbuffer_add of a string refused for its datlen leaves reserved but uncommitted bytes alone", () => {
    const buf = evbuffer_new();
    evbuffer_add(buf, "x", 1);
    const v = iovecs(1);
    expect(evbuffer_reserve_space(buf, 16, v, 1)).toBe(1);
    v[0]!.iov_base!.set(bytes("reserved"));
    expect(() => evbuffer_add(buf, "clobber", 8)).toThrow(/^evbuffer_add: datlen 8 exceeds the 7-byte data/);
    expect(() => evbuffer_add(buf, "clobber", -1)).toThrow(/^evbuffer_add: datlen -1 is negative/);
    expect(() => evbuffer_add(buf, "clobber", 2.5)).toThrow(TypeError);
    expect(text(v[0]!.iov_base, 8)).toBe("reserved");
    v[0]!.iov_len = 8;
    expect(evbuffer_commit_space(buf, v, 1)).toBe(0);
    expect(all(buf)).toBe("xreserved");
    evbuffer_free(buf);
  });

  it("flags arguments are integers: evbuffer_cb_set_flags, evbuffer_cb_clear_flags, evbuffer_file_segment_new", () => {
    const buf = evbuffer_new();
    const ent = evbuffer_add_cb(buf, no_cleanup, null);
    expect(() => evbuffer_cb_set_flags(buf, ent, "1" as unknown as number)).toThrow(/^evbuffer_cb_set_flags: flags must be an integer/);
    expect(() => evbuffer_cb_clear_flags(buf, ent, 0.5)).toThrow(/^evbuffer_cb_clear_flags: flags must be an integer/);
    expect(ent.flags).toBe(EVBUFFER_CB_ENABLED);
    const fd = make_tmpfile("abc");
    expect(() => evbuffer_file_segment_new(fd, 0, 3, "x" as unknown as number)).toThrow(
      /^evbuffer_file_segment_new: flags must be an integer/);
    expect(() => evbuffer_file_segment_new(fd, 0.5, 3, 0)).toThrow(/^evbuffer_file_segment_new: offset must be an integer/);
    expect(() => evbuffer_add_file(buf, 1.5, 0, 3)).toThrow(/^evbuffer_add_file: fd must be an integer/);
    expect(() => evbuffer_add_file(buf, fd, "0" as unknown as number, 3)).toThrow(/^evbuffer_add_file: offset must be an integer/);
    expect(evbuffer_add_file(buf, fd, 0, 3)).toBe(0);
    expect(all(buf)).toBe("abc");
    evbuffer_free(buf);
  });

  it("evbuffer_add_file: once the segment is made, every failure closes fd, also a file too short to read", () => {
    const buf = evbuffer_new();
    const short = make_tmpfile("abc");
    expect(evbuffer_add_file(buf, short, 0, 10)).toBe(-1); // read into memory: 3 bytes of 10
    expect(() => closeSync(short)).toThrow(/EBADF/);
    const outside = make_tmpfile("abc");
    expect(evbuffer_add_file(buf, outside, 0, -1)).toBe(0);
    const kept = make_tmpfile("xyz");
    expect(evbuffer_add_file(buf, kept, -1, 3)).toBe(-1); // no segment made: the caller keeps fd
    closeSync(kept);
    expect(evbuffer_get_length(buf)).toBe(3);
    validate(buf);
    evbuffer_free(buf);
    expect(() => closeSync(outside)).toThrow(/EBADF/);
  });

  it("evbuffer_add_vprintf takes the arguments as an array; the formatted bytes go into the last chain", () => {
    const buf = evbuffer_new();
    evbuffer_add(buf, "x", 1);
    expect(evbuffer_add_vprintf(buf, "%s=%d;", ["a", 1])).toBe(4);
    expect(evbuffer_peek(buf, -1, null, null, 0)).toBe(1);
    expect(all(buf)).toBe("xa=1;");
    expect(() => evbuffer_add_vprintf(buf, "%s", "a" as unknown as unknown[])).toThrow(/ap is not an array/);
    evbuffer_free(buf);
  });

  it("readln of buffered lines sees every change to their bytes: peek, pullup and reserve writes, prepend, realign", () => {
    const lines = (k: number, from = 0): string =>
      Array.from({ length: k }, (_, i) => `line ${String(from + i).padStart(3, "0")} ${"x".repeat(30)}\n`).join("");
    const n = { value: 0 };
    const fresh = (k: number): evbuffer => {
      const buf = evbuffer_new();
      const text = lines(k);
      evbuffer_add(buf, text, text.length);
      expect(evbuffer_readln(buf, n, EVBUFFER_EOL_LF)).toBe(`line 000 ${"x".repeat(30)}`); // 40-byte lines
      return buf;
    };
    // A write through evbuffer_peek's view into a line not yet read.
    let buf = fresh(100);
    const v = iovecs(1);
    evbuffer_peek(buf, -1, null, v, 1);
    v[0]!.iov_base![40 + 5] = 0x58; // line 002's first digit
    expect(evbuffer_readln(buf, n, EVBUFFER_EOL_LF)).toBe(`line 001 ${"x".repeat(30)}`);
    expect(evbuffer_readln(buf, n, EVBUFFER_EOL_LF)).toBe(`line X02 ${"x".repeat(30)}`);
    evbuffer_free(buf);
    // Through evbuffer_pullup's view.
    buf = fresh(100);
    evbuffer_pullup(buf, 200)![38] = 0x0a; // ends line 001 a byte early
    expect(evbuffer_readln(buf, n, EVBUFFER_EOL_LF)).toBe(`line 001 ${"x".repeat(29)}`);
    expect(evbuffer_readln(buf, n, EVBUFFER_EOL_LF)).toBe("");
    evbuffer_free(buf);
    // Into the space evbuffer_reserve_space gave, after the commit.
    buf = evbuffer_new();
    expect(evbuffer_reserve_space(buf, 4000, v, 1)).toBe(1);
    const text = lines(100);
    Buffer.from(v[0]!.iov_base!.buffer, v[0]!.iov_base!.byteOffset).write(text, "latin1");
    v[0]!.iov_len = text.length;
    expect(evbuffer_commit_space(buf, v, 1)).toBe(0);
    expect(evbuffer_readln(buf, n, EVBUFFER_EOL_LF)).toBe(`line 000 ${"x".repeat(30)}`);
    v[0]!.iov_base![80 + 7] = 0x21;
    expect(evbuffer_readln(buf, n, EVBUFFER_EOL_LF)).toBe(`line 001 ${"x".repeat(30)}`);
    expect(evbuffer_readln(buf, n, EVBUFFER_EOL_LF)).toBe(`line 00! ${"x".repeat(30)}`);
    evbuffer_free(buf);
    // evbuffer_prepend into the room read lines left.
    buf = fresh(100);
    expect(evbuffer_prepend(buf, "pre\n", 4)).toBe(0);
    expect(evbuffer_readln(buf, n, EVBUFFER_EOL_LF)).toBe("pre");
    expect(evbuffer_readln(buf, n, EVBUFFER_EOL_LF)).toBe(`line 001 ${"x".repeat(30)}`);
    evbuffer_free(buf);
    // A chain freed and used again for other lines.
    buf = fresh(100);
    evbuffer_drain(buf, -1);
    const other = lines(100, 500);
    evbuffer_add(buf, other, other.length);
    expect(evbuffer_readln(buf, n, EVBUFFER_EOL_LF)).toBe(`line 500 ${"x".repeat(30)}`);
    evbuffer_free(buf);
    // An add that realigns the chain (its data moves to the front of its memory).
    buf = fresh(24); // 960 bytes in a 976-byte chain
    for (let i = 1; i <= 12; i++) evbuffer_readln(buf, n, EVBUFFER_EOL_LF);
    const more = lines(2, 24);
    expect(evbuffer_add(buf, more, more.length)).toBe(0);
    expect(evbuffer_get_contiguous_space(buf)).toBe(11 * 40 + 80); // one chain: realigned
    for (let i = 13; i <= 25; i++) expect(evbuffer_readln(buf, n, EVBUFFER_EOL_LF)).toBe(`line ${String(i).padStart(3, "0")} ${"x".repeat(30)}`);
    evbuffer_free(buf);
  });

  it("readln of many buffered lines agrees with a model through prepend, realign, peek and pullup writes", () => {
    // readln decodes a block of buffered lines at once: every change to the bytes must show.
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const pieces = ["a", "Zz0", "\u00e9", "\u20ac", "\r", "\0", "\xff"];
    const lineOf = (): Uint8Array => {
      const len = rnd(10) === 0 ? 4000 + rnd(3000) : rnd(120);
      let t = "";
      for (let i = 0; i < len; i++) t += rnd(40) === 0 ? pieces[rnd(pieces.length)] : String.fromCharCode(0x61 + rnd(26));
      const bytes = Buffer.from(t + (rnd(2) ? "\r\n" : "\n"), "utf8");
      if (rnd(20) === 0) bytes[rnd(bytes.length - 1)] = 0x80 + rnd(0x7f); // invalid UTF-8 too
      return bytes;
    };
    const buf = evbuffer_new();
    let model = Buffer.alloc(0);
    const n = { value: 0 };
    const v = iovecs(8);
    for (let step = 0; step < 6000; step++) {
      const op = rnd(100);
      if (op < 30) {
        const chunk = Buffer.concat(Array.from({ length: 1 + rnd(60) }, lineOf));
        expect(evbuffer_add(buf, chunk, chunk.length)).toBe(0);
        model = Buffer.concat([model, chunk]);
      } else if (op < 85) {
        const style = rnd(2) ? EVBUFFER_EOL_LF : EVBUFFER_EOL_CRLF;
        const lf = model.indexOf(0x0a);
        const line = evbuffer_readln(buf, n, style);
        if (lf < 0) {
          expect(line).toBe(null);
          continue;
        }
        const end = style === EVBUFFER_EOL_CRLF && lf > 0 && model[lf - 1] === 0x0d ? lf - 1 : lf;
        expect(line).toBe(model.subarray(0, end).toString("utf8"));
        expect(n.value).toBe(end);
        model = model.subarray(lf + 1);
      } else if (op < 89) {
        const p = Buffer.from(`pre${rnd(1000)}\n`, "latin1");
        expect(evbuffer_prepend(buf, p, p.length)).toBe(0);
        model = Buffer.concat([p, model]);
      } else if (op < 90 && rnd(8) === 0 && model.length > 0) {
        // Write into the data through a view of it (rarely: it stops readln's blocks on those chains).
        const got = evbuffer_peek(buf, -1, null, v, 8);
        const e = v[rnd(Math.min(got, 8))]!;
        if (e.iov_len > 0) {
          const at = rnd(e.iov_len);
          const byte = rnd(3) === 0 ? 0x0a : 0x41 + rnd(26);
          e.iov_base![at] = byte;
          let off = 0;
          for (let i = 0; v[i] !== e; i++) off += v[i]!.iov_len;
          model[off + at] = byte;
        }
      } else if (op < 91 && rnd(4) === 0 && model.length > 0) {
        const size = 1 + rnd(model.length);
        const mem = evbuffer_pullup(buf, size)!;
        const at = rnd(size);
        mem[at] = 0x0a;
        model[at] = 0x0a;
      } else if (op < 93) {
        const k = rnd(model.length + 1);
        expect(evbuffer_drain(buf, k)).toBe(0);
        model = model.subarray(k);
      } else {
        // Small adds that realign a chain drained from its front.
        const p = Buffer.from("x".repeat(rnd(300)) + "\n", "latin1");
        evbuffer_add(buf, p, p.length);
        model = Buffer.concat([model, p]);
      }
      expect(evbuffer_get_length(buf)).toBe(model.length);
      if (step % 500 === 0) validate(buf);
    }
    evbuffer_free(buf);
  });
});

