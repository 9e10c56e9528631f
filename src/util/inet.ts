/**
 * Address text: libevent's own `evutil_inet_pton`/`evutil_inet_ntop` (it never uses the system's,
 * so its exact acceptance and formatting are reproduced here), `evutil_inet_pton_scope`,
 * `evutil_parse_sockaddr_port` and `evutil_sockaddr_cmp`.
 * @module
 */
import { readFileSync } from "node:fs";
import { native } from "../native/binding.js";
import { HOST_IS_LITTLE_ENDIAN as LE, htonl, htons, ntohl } from "./byteorder.js";
import { check_box_, check_int_, check_len_, check_string_, show } from "./check.js";
import {
  in6_addr, in_addr, sockaddr, sockaddr_from_bytes_, sockaddr_in, sockaddr_in6, sockaddr_size_, sockaddr_to_bytes_,
  SIZEOF_SOCKADDR_IN, SIZEOF_SOCKADDR_IN6, SIZEOF_SOCKADDR_STORAGE,
} from "./sockaddr.js";
import { evutil_snprintf_into_ } from "./snprintf.js";
import { put_cstring_ } from "./string.js";
import { atoi_, scan_u_, strtol_ } from "./strtol.js";

const { AF_INET, AF_INET6 } = native.constants;

/** sscanf(s, "%u.%u.%u.%u%c", ...) == 4 with every part <= 255: the four bytes, else null. */
function scanQuad(s: string, start: number): number[] | null {
  const parts: number[] = [];
  let i = start;
  for (let k = 0; k < 4; k++) {
    if (k > 0) {
      if (s[i] !== ".") return null;
      i++;
    }
    const r = scan_u_(s, i);
    if (!r) return null;
    parts.push(r.value);
    i = r.end;
  }
  if (i < s.length) return null; // "%c" matched something: a fifth conversion
  for (const p of parts) if (p > 255) return null;
  return parts;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

function isXDigit(c: string | undefined): boolean {
  return c !== undefined && ((c >= "0" && c <= "9") || (c >= "a" && c <= "f") || (c >= "A" && c <= "F"));
}

/** libevent's IPv6 parser: the eight 16-bit words, or 0 (bad text). */
function parse6(src: string): number[] | 0 {
  const words = [0, 0, 0, 0, 0, 0, 0, 0];
  let gapPos = -1;
  let setWords = 0;
  const dot = src.indexOf(".");
  let eow: number;
  if (dot === 0) return 0;
  if (dot < 0) {
    eow = src.length;
  } else {
    for (eow = dot - 1; eow >= 0 && isDigit(src[eow]); --eow);
    ++eow;
    const q = scanQuad(src, eow);
    if (!q) return 0;
    words[6] = (q[0]! << 8) | q[1]!;
    words[7] = (q[2]! << 8) | q[3]!;
    setWords += 2;
  }
  let i = 0;
  let p = 0;
  while (p < eow) {
    if (i > 7) return 0;
    if (isXDigit(src[p])) {
      const r = strtol_(src, p, 16, 1);
      if (r.end > p + 4 || r.end === p) return 0;
      if (r.value < 0n || r.value > 65536n) return 0;
      words[i++] = Number(r.value) & 0xffff;
      setWords++;
      p = r.end;
      if (src[p] !== ":" && p !== eow) return 0;
      ++p;
    } else if (src[p] === ":" && i > 0 && gapPos === -1) {
      gapPos = i;
      ++p;
    } else if (src[p] === ":" && i === 0 && src[p + 1] === ":" && gapPos === -1) {
      gapPos = i;
      p += 2;
    } else {
      return 0;
    }
  }
  if (setWords > 8 || (setWords === 8 && gapPos !== -1) || (setWords < 8 && gapPos === -1)) return 0;
  if (gapPos >= 0) {
    const nToMove = setWords - (dot >= 0 ? 2 : 0) - gapPos;
    const gapLen = 8 - setWords;
    words.copyWithin(gapPos + gapLen, gapPos, gapPos + nToMove);
    words.fill(0, gapPos, gapPos + gapLen);
  }
  return words;
}

/**
 * `int evutil_inet_pton(int af, const char *src, void *dst)`: parse an IPv4 (`af` AF_INET, `dst`
 * an `in_addr`) or IPv6 (`af` AF_INET6, `dst` an `in6_addr`) address, as libevent's own parser
 * does (it accepts what sscanf("%u.%u.%u.%u") accepts for IPv4, white space included). Returns 1
 * and fills `dst`, 0 if `src` is not an address of that family, -1 for another `af`. A `dst` of
 * the wrong struct for `af` throws a TypeError (C would write past it).
 * @param af the address family, `AF_INET` or `AF_INET6`
 * @param src the address's text
 * @param dst receives the address: an `in_addr` for AF_INET, an `in6_addr` for AF_INET6
 * @returns 1 and fills `dst`, 0 if `src` is not an address of that family, -1 for another `af`
 * @see {@link evutil_inet_ntop}, {@link evutil_parse_sockaddr_port}
 * @category Addresses
 */
export function evutil_inet_pton(af: number, src: string, dst: in_addr | in6_addr): number {
  const fn = "evutil_inet_pton";
  check_int_(fn, "af", af);
  check_string_(fn, "src", src);
  if (af === AF_INET) {
    if (!(dst instanceof in_addr)) throw new TypeError(`${fn}: dst must be an in_addr for AF_INET, not ${show(dst)}`);
    const q = scanQuad(src, 0);
    if (!q) return 0;
    dst.s_addr = htonl(((q[0]! << 24) | (q[1]! << 16) | (q[2]! << 8) | q[3]!) >>> 0);
    return 1;
  }
  if (af === AF_INET6) {
    if (!(dst instanceof in6_addr)) throw new TypeError(`${fn}: dst must be an in6_addr for AF_INET6, not ${show(dst)}`);
    const words = parse6(src);
    if (!words) return 0;
    for (let i = 0; i < 8; i++) {
      dst.s6_addr[2 * i] = words[i]! >> 8;
      dst.s6_addr[2 * i + 1] = words[i]! & 0xff;
    }
    return 1;
  }
  return -1;
}

/** libevent's IPv6 formatting: "::ffff:1.2.3.4", "::1.2.3.4", else the longest zero run as "::". */
function format6(a: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((a[2 * i]! << 8) + a[2 * i + 1]!);
  if (words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 && words[4] === 0 &&
      ((words[5] === 0 && words[6] !== 0 && words[7] !== 0) || words[5] === 0xffff)) {
    const quad = `${a[12]}.${a[13]}.${a[14]}.${a[15]}`;
    return words[5] === 0 ? `::${quad}` : `::${words[5]!.toString(16)}:${quad}`;
  }
  let longestGapLen = 0;
  let longestGapPos = -1;
  for (let i = 0; i < 8;) {
    if (words[i] === 0) {
      const curGapPos = i++;
      let curGapLen = 1;
      while (i < 8 && words[i] === 0) {
        ++i;
        ++curGapLen;
      }
      if (curGapLen > longestGapLen) {
        longestGapPos = curGapPos;
        longestGapLen = curGapLen;
      }
    } else {
      ++i;
    }
  }
  if (longestGapLen <= 1) longestGapPos = -1;
  let out = "";
  for (let i = 0; i < 8; ++i) {
    if (words[i] === 0 && longestGapPos === i) {
      if (i === 0) out += ":";
      out += ":";
      while (i < 8 && words[i] === 0) ++i;
      --i;
    } else {
      out += words[i]!.toString(16);
      if (i !== 7) out += ":";
    }
  }
  return out;
}

/**
 * `const char *evutil_inet_ntop(int af, const void *src, char *dst, size_t len)`: format the
 * address `src` (an `in_addr` for AF_INET, an `in6_addr` for AF_INET6) as libevent does
 * ("::ffff:1.2.3.4" for v4-mapped, "::1.2.3.4" for v4-compatible IPv6). Writes it into `dst` as
 * a C string of at most `len` bytes and returns the text written, or `null` if it does not fit
 * or `af` is another family. (As in libevent, an IPv6 text of exactly `len` characters is
 * written truncated to `len - 1` and returned so.)
 * @param af the address family, `AF_INET` or `AF_INET6`
 * @param src the address: an `in_addr` for AF_INET, an `in6_addr` for AF_INET6
 * @param dst receives the text as a NUL-terminated C string
 * @param len the room in `dst` in bytes
 * @returns the text, or null (errno ENOSPC) if it does not fit in `len` bytes
 * @see {@link evutil_inet_pton}
 * @category Addresses
 */
export function evutil_inet_ntop(af: number, src: in_addr | in6_addr, dst: Uint8Array, len: number): string | null {
  const fn = "evutil_inet_ntop";
  check_int_(fn, "af", af);
  check_len_(fn, "len", dst, "dst", len);
  if (af === AF_INET) {
    if (!(src instanceof in_addr)) throw new TypeError(`${fn}: src must be an in_addr for AF_INET, not ${show(src)}`);
    const a = ntohl(src.s_addr);
    const text = `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
    return evutil_snprintf_into_(fn, dst, len, "%s", [text]) >= len ? null : text;
  }
  if (af === AF_INET6) {
    if (!(src instanceof in6_addr)) throw new TypeError(`${fn}: src must be an in6_addr for AF_INET6, not ${show(src)}`);
    const text = format6(src.s6_addr);
    if (text.length > len) return null;
    put_cstring_(fn, dst, len, text);
    return text.length === len ? text.slice(0, len - 1) : text;
  }
  return null;
}

/**
 * if_nametoindex(3): the index of a network interface, 0 if there is none of that name. Read
 * from sysfs on Linux; elsewhere no name is known (numeric scopes still work).
 */
function ifNametoindex(name: string): number {
  if (process.platform !== "linux" || name === "" || name.length >= 16 || name.includes("/") || name === "." || name === "..") return 0;
  try {
    const n = Number.parseInt(readFileSync(`/sys/class/net/${name}/ifindex`, "latin1"), 10);
    return Number.isInteger(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}

/**
 * `int evutil_inet_pton_scope(int af, const char *src, void *dst, unsigned *if_index)`: as
 * `evutil_inet_pton`, also accepting an IPv6 zone after `%`: an interface name
 * (`fe80::1%eth0`) or number (`fe80::1%2`). `if_index` is a box that receives the zone's
 * interface index (0 when there is none). Returns 1, 0 (bad address or unknown zone), or -1.
 * @param af the address family, `AF_INET` or `AF_INET6`
 * @param src the address's text, an IPv6 one possibly with `%zone`
 * @param dst receives the address: an `in_addr` for AF_INET, an `in6_addr` for AF_INET6
 * @param if_index a box whose `.value` receives the zone's interface index (0 without a zone)
 * @returns 1, 0 (bad address or unknown zone), or -1
 * @see {@link evutil_inet_pton}
 * @category Addresses
 */
export function evutil_inet_pton_scope(af: number, src: string, dst: in_addr | in6_addr, if_index: { value: number }): number {
  const fn = "evutil_inet_pton_scope";
  check_box_(fn, "if_index", if_index);
  check_int_(fn, "af", af);
  check_string_(fn, "src", src);
  if (af === AF_INET && !(dst instanceof in_addr)) throw new TypeError(`${fn}: dst must be an in_addr for AF_INET, not ${show(dst)}`);
  if (af === AF_INET6 && !(dst instanceof in6_addr)) throw new TypeError(`${fn}: dst must be an in6_addr for AF_INET6, not ${show(dst)}`);
  if_index.value = 0;
  const cp = af === AF_INET6 ? src.indexOf("%") : -1;
  if (cp < 0) return evutil_inet_pton(af, src, dst);
  const zone = src.slice(cp + 1);
  let index = ifNametoindex(zone);
  if (index === 0) {
    const r = strtol_(zone, 0, 10, 0);
    if (r.end !== zone.length) return 0;
    index = Number(r.value & 0xffffffffn);
  }
  if_index.value = index;
  return evutil_inet_pton(af, src.slice(0, cp), dst);
}

const addrBytes = new Uint8Array(SIZEOF_SOCKADDR_STORAGE);

/**
 * `int evutil_parse_sockaddr_port(const char *str, struct sockaddr *out, int *outlen)`: parse
 * "[ipv6]:port", "[ipv6]", "ipv6", "ipv4:port" or "ipv4" (an IPv6 address may carry a `%zone`).
 * A missing port is 0; a given port must be 1..65535. `outlen` is a box holding the room in
 * `out` in bytes (at most `sizeof(out)`), as `*outlen` does in C. On success, zeroes `outlen`
 * bytes of `out`, stores a `sockaddr_in` or `sockaddr_in6` there (a `sockaddr_storage` takes
 * that family's fields), sets `outlen.value` to its size and returns 0. Returns -1 if the text
 * is not an address or the address does not fit in `outlen` bytes.
 * @param str the text to parse
 * @param out receives the address (its fields become those of the parsed family)
 * @param outlen in: the room in `out`, out: the address's length
 * @returns 0, or -1 if the text is not an address or the address does not fit in `outlen` bytes
 * @see {@link evutil_inet_pton}, {@link evutil_sockaddr_cmp}
 * @category Addresses
 */
export function evutil_parse_sockaddr_port(str: string, out: sockaddr, outlen: { value: number }): number {
  const fn = "evutil_parse_sockaddr_port";
  check_string_(fn, "str", str);
  check_box_(fn, "outlen", outlen);
  check_int_(fn, "outlen.value", outlen.value);
  const room = sockaddr_size_(out);
  if (room < 0) throw new TypeError(`${fn}: out is ${show(out)}, not a sockaddr object`);
  if (outlen.value > room) throw new RangeError(`${fn}: outlen ${outlen.value} exceeds sizeof the ${out.constructor.name} (${room})`);

  let addrPart: string;
  let portPart: number; // index of the port text, -1 if none
  let isIpv6: boolean;
  const colon = str.indexOf(":");
  if (str[0] === "[") {
    const close = str.indexOf("]");
    if (close < 0 || close - 1 > 127) return -1;
    addrPart = str.slice(1, close);
    portPart = str[close + 1] === ":" ? close + 2 : -1;
    isIpv6 = true;
  } else if (colon >= 0 && str.indexOf(":", colon + 1) >= 0) {
    addrPart = str;
    portPart = -1;
    isIpv6 = true;
  } else if (colon >= 0) {
    if (colon > 127) return -1;
    addrPart = str.slice(0, colon);
    portPart = colon + 1;
    isIpv6 = false;
  } else {
    addrPart = str;
    portPart = -1;
    isIpv6 = false;
  }
  let port = 0;
  if (portPart >= 0) {
    port = atoi_(str, portPart);
    if (port <= 0 || port > 65535) return -1;
  }

  let sa: sockaddr_in | sockaddr_in6;
  if (isIpv6) {
    const sin6 = new sockaddr_in6();
    const scope = { value: 0 };
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(port);
    if (evutil_inet_pton_scope(AF_INET6, addrPart, sin6.sin6_addr, scope) !== 1) return -1;
    if (SIZEOF_SOCKADDR_IN6 > outlen.value) return -1;
    sin6.sin6_scope_id = scope.value;
    sa = sin6;
  } else {
    const sin = new sockaddr_in();
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    if (evutil_inet_pton(AF_INET, addrPart, sin.sin_addr) !== 1) return -1;
    if (SIZEOF_SOCKADDR_IN > outlen.value) return -1;
    sa = sin;
  }
  // memset(out, 0, *outlen) then memcpy(out, &sa, sizeof(sa)).
  addrBytes.fill(0);
  const size = sockaddr_to_bytes_(fn, sa, addrBytes);
  sockaddr_from_bytes_(fn, addrBytes, outlen.value, out);
  outlen.value = size;
  return 0;
}

const cmpA = new Uint8Array(SIZEOF_SOCKADDR_STORAGE);
const cmpB = new Uint8Array(SIZEOF_SOCKADDR_STORAGE);
const v1 = new DataView(cmpA.buffer);
const v2 = new DataView(cmpB.buffer);

/**
 * `int evutil_sockaddr_cmp(const struct sockaddr *sa1, const struct sockaddr *sa2, int include_port)`:
 * compare two addresses: by family, then (AF_INET and AF_INET6 only) address, then port if
 * `include_port` is nonzero. Returns 0 if equal, else a negative or positive number (the order
 * is libevent's: families, then the network-order values as C compares them). Two addresses of
 * another family always compare unequal (1).
 * @param sa1 the first address
 * @param sa2 the second address
 * @param include_port nonzero to compare the ports too
 * @returns 0 if equal, else a negative or positive number (the order is libevent's: families, then the network-order values as C compares them)
 * @category Addresses
 */
export function evutil_sockaddr_cmp(sa1: sockaddr, sa2: sockaddr, include_port: number): number {
  const fn = "evutil_sockaddr_cmp";
  check_int_(fn, "include_port", include_port);
  sockaddr_to_bytes_(fn, sa1, cmpA);
  sockaddr_to_bytes_(fn, sa2, cmpB);
  const r = sa1.sa_family - sa2.sa_family;
  if (r !== 0) return r;
  if (sa1.sa_family === AF_INET) {
    const a1 = v1.getUint32(4, LE);
    const a2 = v2.getUint32(4, LE);
    if (a1 < a2) return -1;
    if (a1 > a2) return 1;
  } else if (sa1.sa_family === AF_INET6) {
    for (let i = 8; i < 24; i++) if (cmpA[i] !== cmpB[i]) return cmpA[i]! - cmpB[i]!;
  } else {
    return 1;
  }
  return include_port ? v1.getUint16(2, LE) - v2.getUint16(2, LE) : 0;
}
