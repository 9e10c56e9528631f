/**
 * The typed-array and Buffer methods the hot paths call, taken once from their prototypes.
 *
 * V8 (11.3, Node 20) compiles `mem.set(...)`, `mem.indexOf(...)` or `mem.utf8Slice(...)` on a
 * typed array or Buffer to a generic property lookup (a LoadIC call, about 6 ns) even where the
 * receiver has one map all along; a method held in a constant and called with `.call` is a direct
 * call. On an evbuffer add, remove or readln that lookup is a tenth of the time.
 * @internal
 * @module
 */

/** Buffer's own encoder and decoders, which write() and toString() call once they have checked their arguments (not in @types/node). */
interface BufferCoding {
  utf8Write(s: string, at: number, max: number): number;
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

const TYPED_SET = (Object.getPrototypeOf(Uint8Array.prototype) as Uint8Array).set;
const BUFFER_INDEX_OF = Buffer.prototype.indexOf;
const coding = Buffer.prototype as unknown as BufferCoding;
const UTF8_WRITE = coding.utf8Write;
const UTF8_SLICE = coding.utf8Slice;
const LATIN1_SLICE = coding.latin1Slice;

/** @internal `dst.set(src, at)`. */
export function set_bytes_(dst: Uint8Array, src: Uint8Array, at: number): void {
  TYPED_SET.call(dst, src, at);
}

/** @internal `mem.indexOf(what, from)`: Buffer's indexOf (a byte, or a sequence of bytes). */
export function index_of_(mem: Buffer, what: number | Uint8Array, from: number): number {
  return BUFFER_INDEX_OF.call(mem, what, from);
}

/** @internal `mem.toString("utf8", start, end)`, without its argument checks (the caller's bounds are valid). */
export function utf8_slice_(mem: Buffer, start: number, end: number): string {
  return UTF8_SLICE.call(mem, start, end);
}

/** @internal `mem.toString("latin1", start, end)`, without its argument checks. */
export function latin1_slice_(mem: Buffer, start: number, end: number): string {
  return LATIN1_SLICE.call(mem, start, end);
}

/** @internal `mem.write(s, at, max)` as UTF-8, without its argument checks (0 <= at <= mem.length, max <= mem.length - at). */
export function utf8_encode_into_(mem: Buffer, s: string, at: number, max: number): number {
  return UTF8_WRITE.call(mem, s, at, max);
}
