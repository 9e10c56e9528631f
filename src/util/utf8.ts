/**
 * Writing a JavaScript string as UTF-8 bytes into a Buffer, for every place that takes a string
 * where C takes `const char *` bytes.
 * @internal
 * @module
 */
import { utf8_encode_into_ } from "./bytes.js";

/**
 * @internal `dst.write(s, at, max)`: write at most `max` bytes of `s`'s UTF-8 form at `at` (never
 * part of a character) and return how many. A short ASCII string is copied here (a call into
 * Node's encoder costs as much as copying about 24 characters); a longer one goes to the encoder
 * directly, without Buffer#write's argument checks.
 */
export function utf8_write_(dst: Buffer, at: number, s: string, max: number): number {
  if (s.length <= 24) {
    const end = s.length < max ? s.length : max;
    let i = 0;
    for (; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      dst[at + i] = c;
    }
    if (i === end) return end;
  }
  const room = dst.length - at;
  if (at < 0 || room < 0) return dst.write(s, at, max); // (its RangeError)
  return utf8_encode_into_(dst, s, at, max < room ? max : room);
}
