/**
 * `sizeof` and `memset` for the C structs a ported program declares itself, so that
 * `memset(&sin, 0, sizeof(sin))` ports as `memset(sin, 0, sizeof(sin))`.
 * @module
 */
import { HOST_IS_LITTLE_ENDIAN as LE } from "./byteorder.js";
import { check_int_, check_len_, show } from "./check.js";
import { tm } from "./date.js";
import { evutil_addrinfo } from "./getaddrinfo.js";
import {
  in6_addr, in_addr, sockaddr, sockaddr_in, sockaddr_in6, sockaddr_memset_, sockaddr_size_, sockaddr_storage, sockaddr_un,
  SIZEOF_SOCKADDR, SIZEOF_SOCKADDR_IN, SIZEOF_SOCKADDR_IN6, SIZEOF_SOCKADDR_STORAGE, SIZEOF_SOCKADDR_UN,
} from "./sockaddr.js";
import { timeval } from "./time.js";

/** @internal `sizeof(int)`, the size of a number used as C's `int` (`setsockopt(fd, l, o, one, sizeof(one))`). */
export const SIZEOF_INT = 4;
/** 64-bit Linux sizes: `struct timeval` (2 longs), `struct addrinfo`, `struct tm` (with tm_gmtoff, tm_zone). */
const SIZEOF_TIMEVAL = 16;
const SIZEOF_ADDRINFO = 48;
const SIZEOF_TM = 56;

const CLASS_SIZES = new Map<unknown, number>([
  [sockaddr, SIZEOF_SOCKADDR], [sockaddr_in, SIZEOF_SOCKADDR_IN], [sockaddr_in6, SIZEOF_SOCKADDR_IN6],
  [sockaddr_un, SIZEOF_SOCKADDR_UN], [sockaddr_storage, SIZEOF_SOCKADDR_STORAGE], [in_addr, 4], [in6_addr, 16],
  [timeval, SIZEOF_TIMEVAL], [evutil_addrinfo, SIZEOF_ADDRINFO], [tm, SIZEOF_TM],
]);

/**
 * `sizeof(x)`: the C size in bytes of a struct object or struct class (`sizeof(sin)` or
 * `sizeof(sockaddr_in)`: 16; `sockaddr_in6` 28, `sockaddr_un` 110 on Linux, `sockaddr_storage`
 * 128, `in_addr` 4, `in6_addr` 16, `timeval` 16, `evutil_addrinfo` 48, `tm` 56), of a
 * Uint8Array (its length, as for a `char buf[N]`), or of a number (4: C's `int`).
 * @param x a struct object or struct class (`sin`, `sockaddr_in`), or a number
 * @returns the size in bytes that C's `sizeof` gives
 * @see {@link memset}
 * @category Strings and memory
 */
export function sizeof(x: object | number): number {
  if (typeof x === "number") return SIZEOF_INT;
  if (x instanceof Uint8Array) return x.length;
  const byClass = CLASS_SIZES.get(x);
  if (byClass !== undefined) return byClass;
  const size = CLASS_SIZES.get((x as object | null)?.constructor);
  if (size !== undefined && typeof x === "object") return size;
  throw new TypeError(`sizeof: no C size is known for ${show(x)}`);
}

/**
 * `void *memset(void *s, int c, size_t n)`: fill the first `n` bytes of `s` with the byte `c`,
 * and return `s`. On a Uint8Array and the address structs (`sockaddr_*`, `in_addr`, `in6_addr`)
 * this is byte-exact; on `timeval`, `evutil_addrinfo` and `tm` only the whole-struct zeroing
 * `memset(x, 0, sizeof(x))` is supported (it zeroes every field; pointers become null). `n`
 * beyond the object is a RangeError.
 * @param s the struct object or Uint8Array to fill
 * @param c the byte value (only its low 8 bits count)
 * @param n how many bytes to fill, usually `sizeof(s)`
 * @returns `s`
 * @see {@link sizeof}
 * @category Strings and memory
 */
export function memset<T extends object>(s: T, c: number, n: number): T {
  const fn = "memset";
  check_int_(fn, "c", c);
  if (s instanceof Uint8Array) {
    check_len_(fn, "n", s, "s", n);
    s.fill(c & 0xff, 0, n);
    return s;
  }
  check_int_(fn, "n", n);
  if (n < 0) throw new RangeError(`${fn}: n ${n} is negative`);
  if (sockaddr_size_(s) >= 0) {
    sockaddr_memset_(fn, s as sockaddr, c, n);
    return s;
  }
  if (s instanceof in6_addr) {
    check_len_(fn, "n", s.s6_addr, "in6_addr", n);
    s.s6_addr.fill(c & 0xff, 0, n);
    return s;
  }
  if (s instanceof in_addr) {
    if (n > 4) throw new RangeError(`${fn}: n ${n} exceeds sizeof(in_addr) (4)`);
    const bytes = new Uint8Array(4);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, s.s_addr >>> 0, LE);
    bytes.fill(c & 0xff, 0, n);
    s.s_addr = view.getUint32(0, LE);
    return s;
  }
  const size = CLASS_SIZES.get(s.constructor);
  if (size === undefined) throw new TypeError(`${fn}: ${show(s)} is not a C struct this package knows`);
  if (c !== 0 || n !== size) {
    throw new RangeError(`${fn}: a ${s.constructor.name} can only be zeroed whole: memset(x, 0, sizeof(x)), not (c ${c}, n ${n})`);
  }
  zero(s);
  return s;
}

function zero(s: object): void {
  if (s instanceof timeval) {
    s.tv_sec = 0;
    s.tv_usec = 0;
  } else if (s instanceof evutil_addrinfo) {
    s.ai_flags = s.ai_family = s.ai_socktype = s.ai_protocol = s.ai_addrlen = 0;
    s.ai_addr = null;
    s.ai_canonname = null;
    s.ai_next = null;
  } else if (s instanceof tm) {
    s.tm_sec = s.tm_min = s.tm_hour = s.tm_mday = s.tm_mon = s.tm_year = s.tm_wday = s.tm_yday = s.tm_isdst = 0;
  }
}
