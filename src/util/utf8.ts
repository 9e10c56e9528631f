/**
 * Writing a JavaScript string as UTF-8 bytes into a Buffer, for every place that takes a string
 * where C takes `const char *` bytes.
 * @internal
 * @module
 */

/**
 * @internal `dst.write(s, at, max)`: write at most `max` bytes of `s`'s UTF-8 form at `at` (never
 * part of a character) and return how many. A short ASCII string is copied here: Buffer#write's
 * own argument checks cost more than such a copy.
 */
export function utf8_write_(dst: Buffer, at: number, s: string, max: number): number {
  if (s.length <= 64) {
    const end = s.length < max ? s.length : max;
    let i = 0;
    for (; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      dst[at + i] = c;
    }
    if (i === end) return end;
  }
  return dst.write(s, at, max);
}
