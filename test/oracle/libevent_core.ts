/**
 * The real libevent as an oracle: Debian's libevent_core-2.1.so.7 loaded with ffi-rs, its evbuffer
 * functions wrapped with the C calling conventions spelled out (native-layer-facts.md section 2):
 * NULL char* results come back as External and are checked with isNullPointer; malloc'd lines
 * are freed with libc's free; out-parameters are small Buffers the C code writes into.
 *
 * `struct evbuffer_ptr` (24 bytes) is returned by value in memory: on x86-64 System V the caller
 * passes the result's address as a hidden first argument, so the search functions are called with
 * that Buffer first. That convention is this platform's, hence the x64 Linux check.
 */
import { execFileSync } from "node:child_process";
import {
  createExternalBuffer, createPointer, DataType, funcConstructor, isNullPointer, load, open, unwrapPointer, type JsExternal,
} from "ffi-rs";

const P = DataType.External;
const { I32, I64, U64, U8Array, String: Str, BigInt: Big, Void } = DataType;

/** Where ldconfig says libevent_core-2.1.so.7 is. */
function libeventCorePath(): string {
  const out = execFileSync("/sbin/ldconfig", ["-p"]).toString();
  const line = out.split("\n").find((l) => l.includes("libevent_core-2.1.so.7") && l.includes("x86-64"));
  if (!line) throw new Error("libevent_core-2.1.so.7 not found by ldconfig -p (install libevent-core-2.1-7)");
  return line.split("=>")[1]!.trim();
}

let opened = false;
function openLibs(): void {
  if (opened) return;
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error("the libevent oracle relies on the x86-64 System V calling convention");
  }
  open({ library: "ev", path: libeventCorePath() });
  open({ library: "libc", path: "libc.so.6" });
  opened = true;
}

function ev<T>(funcName: string, retType: DataType, paramsType: DataType[], paramsValue: unknown[]): T {
  return load({ library: "ev", funcName, retType, paramsType, paramsValue }) as T;
}
function libc<T>(funcName: string, retType: DataType, paramsType: DataType[], paramsValue: unknown[]): T {
  return load({ library: "libc", funcName, retType, paramsType, paramsValue }) as T;
}

/** A pointer argument: a Buffer holding a struct, or NULL (0). */
type Ptr = Buffer | null;
const ptrType = (p: Ptr): DataType => (p === null ? U64 : U8Array);
const ptrVal = (p: Ptr): unknown => (p === null ? 0 : p);

/** Copy `n` bytes from the C address `addr` into a new Buffer. */
export function readAddr(addr: bigint, n: number): Buffer {
  const out = Buffer.alloc(n);
  if (n > 0) libc<bigint>("memcpy", Big, [U8Array, Big, U64], [out, addr, n]);
  return out;
}

/** Copy `data` to the C address `addr`. */
export function writeAddr(addr: bigint, data: Uint8Array, n: number): void {
  if (n > 0) libc<bigint>("memcpy", Big, [Big, U8Array, U64], [addr, data, n]);
}

/** An evbuffer of the real libevent. */
export class CEvbuffer {
  readonly p: JsExternal;

  constructor() {
    openLibs();
    this.p = ev<JsExternal>("evbuffer_new", P, [], []);
  }

  free(): void {
    ev("evbuffer_free", Void, [P], [this.p]);
  }
  /**
   * evbuffer_setcb (buffer_compat.h) with `cb(old_len, new_len)` as the old-style callback, or
   * NULL. ffi-rs runs a JS callback later, from Node's loop, in the order libevent called it: let a
   * turn of the loop pass before reading what it recorded.
   */
  setcb(cb: ((old_len: number, new_len: number) => void) | null): number {
    if (cb === null) return ev<number>("evbuffer_setcb", I32, [P, U64, U64], [this.p, 0, 0]);
    // The pointers libevent passes (buffer, arg) come as integers: ffi-rs cannot hand an External to JS here.
    const fn = createPointer({
      paramsType: [funcConstructor({ paramsType: [U64, U64, U64, U64], retType: Void })],
      paramsValue: [(_buffer: number, old_len: number, new_len: number) => cb(old_len, new_len)],
    });
    return ev<number>("evbuffer_setcb", I32, [P, P, U64], [this.p, unwrapPointer(fn)[0], 0]);
  }
  /** evbuffer_readline (buffer_compat.h): the line (its bytes up to the first NUL), or null. */
  readline(): Buffer | null {
    const r = ev<JsExternal>("evbuffer_readline", P, [P], [this.p]);
    if (isNullPointer(r)) return null;
    const n = libc<number>("strlen", U64, [P], [r]);
    const line = Buffer.from(createExternalBuffer(r, n));
    libc("free", Void, [P], [r]);
    return line;
  }
  get_length(): number {
    return ev<number>("evbuffer_get_length", U64, [P], [this.p]);
  }
  get_contiguous_space(): number {
    return ev<number>("evbuffer_get_contiguous_space", U64, [P], [this.p]);
  }
  add(data: Uint8Array, n: number): number {
    return ev<number>("evbuffer_add", I32, [P, U8Array, U64], [this.p, data, n]);
  }
  prepend(data: Uint8Array, n: number): number {
    return ev<number>("evbuffer_prepend", I32, [P, U8Array, U64], [this.p, data, n]);
  }
  /** The memory must stay alive (and unchanged) as long as libevent may read it. */
  add_reference(data: Uint8Array, n: number): number {
    return ev<number>("evbuffer_add_reference", I32, [P, U8Array, U64, U64, U64], [this.p, data, n, 0, 0]);
  }
  add_printf_s_d(fmt: string, s: string, d: number): number {
    return ev<number>("evbuffer_add_printf", I32, [P, Str, Str, I32], [this.p, fmt, s, d]);
  }
  add_buffer(src: CEvbuffer): number {
    return ev<number>("evbuffer_add_buffer", I32, [P, P], [this.p, src.p]);
  }
  add_buffer_reference(src: CEvbuffer): number {
    return ev<number>("evbuffer_add_buffer_reference", I32, [P, P], [this.p, src.p]);
  }
  prepend_buffer(src: CEvbuffer): number {
    return ev<number>("evbuffer_prepend_buffer", I32, [P, P], [this.p, src.p]);
  }
  remove(out: Uint8Array, n: number): number {
    return ev<number>("evbuffer_remove", I32, [P, U8Array, U64], [this.p, out, n]);
  }
  remove_buffer(dst: CEvbuffer, n: number): number {
    return ev<number>("evbuffer_remove_buffer", I32, [P, P, U64], [this.p, dst.p, n]);
  }
  drain(n: number | bigint): number {
    return ev<number>("evbuffer_drain", I32, [P, typeof n === "bigint" ? Big : U64], [this.p, n]);
  }
  copyout(out: Uint8Array, n: number): number {
    return ev<number>("evbuffer_copyout", I64, [P, U8Array, U64], [this.p, out, n]);
  }
  copyout_from(pos: Buffer, out: Uint8Array, n: number): number {
    return ev<number>("evbuffer_copyout_from", I64, [P, U8Array, U8Array, U64], [this.p, pos, out, n]);
  }
  /** The first `size` bytes made contiguous, copied out; null where C returns NULL. */
  pullup(size: number, copyLen: number): Buffer | null {
    const r = ev<JsExternal>("evbuffer_pullup", P, [P, I64], [this.p, size]);
    if (isNullPointer(r)) return null;
    return Buffer.from(createExternalBuffer(r, copyLen));
  }
  readln(style: number): { line: Buffer | null; n: number } {
    const nOut = Buffer.alloc(8, 0xff);
    const r = ev<JsExternal>("evbuffer_readln", P, [P, U8Array, I32], [this.p, nOut, style]);
    const n = Number(nOut.readBigUInt64LE(0));
    if (isNullPointer(r)) return { line: null, n };
    const line = Buffer.from(createExternalBuffer(r, n));
    libc("free", Void, [P], [r]);
    return { line, n };
  }
  expand(n: number): number {
    return ev<number>("evbuffer_expand", I32, [P, U64], [this.p, n]);
  }
  freeze(atFront: number): number {
    return ev<number>("evbuffer_freeze", I32, [P, I32], [this.p, atFront]);
  }
  unfreeze(atFront: number): number {
    return ev<number>("evbuffer_unfreeze", I32, [P, I32], [this.p, atFront]);
  }
  /** evbuffer_ptr_set into `ptr` (a 24-byte struct evbuffer_ptr). */
  ptr_set(ptr: Buffer, position: number, how: number): number {
    return ev<number>("evbuffer_ptr_set", I32, [P, U8Array, U64, I32], [this.p, ptr, position, how]);
  }
  /** evbuffer_search_range; the result struct lands in a new 24-byte Buffer. */
  search_range(what: Uint8Array, len: number, start: Ptr, end: Ptr): Buffer {
    const sret = Buffer.alloc(24);
    ev<JsExternal>("evbuffer_search_range", P, [U8Array, P, U8Array, U64, ptrType(start), ptrType(end)],
      [sret, this.p, what, len, ptrVal(start), ptrVal(end)]);
    return sret;
  }
  search_eol(start: Ptr, style: number): { ptr: Buffer; eol_len: number } {
    const sret = Buffer.alloc(24);
    const eol = Buffer.alloc(8, 0xff);
    ev<JsExternal>("evbuffer_search_eol", P, [U8Array, P, ptrType(start), U8Array, I32],
      [sret, this.p, ptrVal(start), eol, style]);
    return { ptr: sret, eol_len: Number(eol.readBigUInt64LE(0)) };
  }
  /** evbuffer_peek into `n` iovecs: the count, and each filled extent's address and length. */
  peek(len: number, start: Ptr, n: number): { count: number; extents: { addr: bigint; len: number }[] } {
    const vec = Buffer.alloc(16 * Math.max(n, 1));
    const count = ev<number>("evbuffer_peek", I32, [P, I64, ptrType(start), n > 0 ? U8Array : U64, I32],
      [this.p, len, ptrVal(start), n > 0 ? vec : 0, n]);
    const extents = [];
    for (let i = 0; i < Math.min(count, n); i++) {
      extents.push({ addr: vec.readBigUInt64LE(16 * i), len: Number(vec.readBigUInt64LE(16 * i + 8)) });
    }
    return { count, extents };
  }
  /** evbuffer_reserve_space: the count, and the iovec array (16 bytes an extent) to commit. */
  reserve_space(size: number, n: number): { count: number; vec: Buffer } {
    const vec = Buffer.alloc(16 * n);
    const count = ev<number>("evbuffer_reserve_space", I32, [P, I64, U8Array, I32], [this.p, size, vec, n]);
    return { count, vec };
  }
  commit_space(vec: Buffer, n: number): number {
    return ev<number>("evbuffer_commit_space", I32, [P, U8Array, I32], [this.p, vec, n]);
  }
  read(fd: number, howmuch: number): number {
    return ev<number>("evbuffer_read", I32, [P, I32, I32], [this.p, fd, howmuch]);
  }
  write_atmost(fd: number, howmuch: number): number {
    return ev<number>("evbuffer_write_atmost", I32, [P, I32, I64], [this.p, fd, howmuch]);
  }
  /** All the bytes, read through peek (which neither changes the chains nor minds freezing). */
  contents(): { bytes: Buffer; extents: number[] } {
    const { count } = this.peek(-1, null, 0);
    const { extents } = this.peek(-1, null, count);
    const parts = extents.map((e) => readAddr(e.addr, e.len));
    return { bytes: Buffer.concat(parts), extents: extents.map((e) => e.len) };
  }
}

/** The pos field of a struct evbuffer_ptr. */
export const ptrPos = (p: Buffer): number => Number(p.readBigInt64LE(0));
