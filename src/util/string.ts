/**
 * C string helpers: `strlen`, libevent's locale-independent `evutil_ascii_str(n)casecmp`, and the
 * internal writing of NUL-terminated strings into caller-supplied Uint8Arrays.
 * C strings are bytes: a JavaScript string stands for its UTF-8 encoding, up to its first NUL.
 * @module
 */
import { check_len_, check_size_, check_string_, show } from "./check.js";

const utf8 = new TextEncoder();

/**
 * `size_t strlen(const char *s)`: the length of a C string in bytes. A string counts the bytes
 * of its UTF-8 encoding (so `bufferevent_write(bev, MESSAGE, strlen(MESSAGE))` writes all of
 * it), a Uint8Array its bytes before the first NUL. Both stop at a NUL, as in C; a Uint8Array
 * without one counts to its end (where C would read past it).
 * @param s the string (counted in UTF-8 bytes) or byte array
 * @returns the number of bytes before the first NUL
 * @category Strings and memory
 */
export function strlen(s: string | Uint8Array): number {
  if (typeof s === "string") {
    const nul = s.indexOf("\0");
    return Buffer.byteLength(nul < 0 ? s : s.slice(0, nul), "utf8");
  }
  if (s instanceof Uint8Array) {
    const nul = s.indexOf(0);
    return nul < 0 ? s.length : nul;
  }
  throw new TypeError(`strlen: s must be a string or a Uint8Array, not ${show(s)}`);
}

/** The bytes C sees for a string argument: its UTF-8 encoding, with a NUL at the end. */
function cbytes(fn: string, name: string, s: unknown): Uint8Array {
  check_string_(fn, name, s);
  return utf8.encode(s + "\0");
}

/** C's `char` is signed on the platforms this runs on, and `EVUTIL_TOLOWER_` maps only A-Z. */
function lowerSigned(b: number): number {
  if (b >= 0x41 && b <= 0x5a) return b + 0x20;
  return b >= 0x80 ? b - 0x100 : b;
}

function casecmp(a: Uint8Array, b: Uint8Array, n: number): number {
  for (let i = 0; i < n; i++) {
    const c1 = lowerSigned(i < a.length ? a[i]! : 0);
    const c2 = lowerSigned(i < b.length ? b[i]! : 0);
    if (c1 < c2) return -1;
    if (c1 > c2) return 1;
    if (c1 === 0) return 0;
  }
  return 0;
}

/**
 * `int evutil_ascii_strcasecmp(const char *str1, const char *str2)`: compare two strings,
 * ignoring the case of ASCII letters only (whatever the locale). Returns -1, 0 or 1. Bytes
 * beyond ASCII compare as C's signed `char` does, so they sort before ASCII.
 * @param str1 the first string
 * @param str2 the second string
 * @returns -1, 0 or 1
 * @see {@link evutil_ascii_strncasecmp}
 * @category Strings and memory
 */
export function evutil_ascii_strcasecmp(str1: string, str2: string): number {
  const a = cbytes("evutil_ascii_strcasecmp", "str1", str1);
  const b = cbytes("evutil_ascii_strcasecmp", "str2", str2);
  return casecmp(a, b, Infinity);
}

/**
 * `int evutil_ascii_strncasecmp(const char *str1, const char *str2, size_t n)`: as
 * `evutil_ascii_strcasecmp`, on at most the first `n` bytes (`-1` is SIZE_MAX: no limit).
 * @param str1 the first string
 * @param str2 the second string
 * @param n the most bytes to compare (-1: no limit)
 * @returns -1, 0 or 1
 * @see {@link evutil_ascii_strcasecmp}
 * @category Strings and memory
 */
export function evutil_ascii_strncasecmp(str1: string, str2: string, n: number): number {
  const a = cbytes("evutil_ascii_strncasecmp", "str1", str1);
  const b = cbytes("evutil_ascii_strncasecmp", "str2", str2);
  return casecmp(a, b, check_size_("evutil_ascii_strncasecmp", "n", n));
}

/**
 * @internal Write `text` into `dst` as strlcpy(3) copies a string into a `len`-byte buffer:
 * at most `len - 1` bytes of its UTF-8 encoding and a NUL (nothing if `len` is 0). Returns the
 * full byte length of `text`. `fn` names the caller for error messages.
 */
export function put_cstring_(fn: string, dst: Uint8Array, len: number, text: string): number {
  check_len_(fn, "len", dst, "dst", len);
  const bytes = utf8.encode(text);
  if (len > 0) {
    const n = Math.min(bytes.length, len - 1);
    dst.set(bytes.subarray(0, n));
    dst[n] = 0;
  }
  return bytes.length;
}
