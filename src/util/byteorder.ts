/**
 * Byte order conversions of `<arpa/inet.h>`: host to network (big-endian) and back. On a
 * little-endian host they swap bytes; on a big-endian one they return their argument. Results
 * are unsigned, as C's `uint16_t` and `uint32_t` are.
 * @module
 */
import { endianness } from "node:os";
import { check_int_, check_number_ } from "./check.js";

/** @internal The host keeps numbers little-endian (for DataView accesses to C memory). */
export const HOST_IS_LITTLE_ENDIAN = endianness() === "LE";

/** The low 16 bits of `v`, bytes swapped on a little-endian host. */
function swap16(v: number): number {
  v &= 0xffff;
  return HOST_IS_LITTLE_ENDIAN ? ((v & 0xff) << 8) | (v >>> 8) : v;
}

/** `v` as a uint32, bytes swapped on a little-endian host. */
/** A `uint32_t` argument: a number, and an integer that an int or an unsigned int holds (C converts either). */
function check_u32_(fn: string, name: string, v: number): void {
  check_number_(fn, name, v);
  if (v < 0) check_int_(fn, name, v);
  else if (!Number.isInteger(v) || v > 0xffffffff) throw new RangeError(`${fn}: ${name} ${v} is not a 32-bit integer`);
}

function swap32(v: number): number {
  v >>>= 0;
  if (!HOST_IS_LITTLE_ENDIAN) return v;
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/**
 * `uint16_t htons(uint16_t hostshort)`: a 16-bit value in network byte order.
 * @param hostshort the value in host byte order
 * @returns the value in network byte order
 * @see {@link ntohs}, {@link htonl}
 * @category Addresses
 */
export function htons(hostshort: number): number {
  check_number_("htons", "hostshort", hostshort);
  check_int_("htons", "hostshort", hostshort);
  return swap16(hostshort);
}

/**
 * `uint16_t ntohs(uint16_t netshort)`: a 16-bit value in host byte order.
 * @param netshort the value in network byte order
 * @returns the value in host byte order
 * @see {@link htons}
 * @category Addresses
 */
export function ntohs(netshort: number): number {
  check_number_("ntohs", "netshort", netshort);
  check_int_("ntohs", "netshort", netshort);
  return swap16(netshort);
}

/**
 * `uint32_t htonl(uint32_t hostlong)`: a 32-bit value in network byte order (unsigned).
 * @param hostlong the value in host byte order
 * @returns the value in network byte order, as an unsigned number
 * @see {@link ntohl}, {@link htons}
 * @category Addresses
 */
export function htonl(hostlong: number): number {
  check_u32_("htonl", "hostlong", hostlong);
  return swap32(hostlong);
}

/**
 * `uint32_t ntohl(uint32_t netlong)`: a 32-bit value in host byte order (unsigned).
 * @param netlong the value in network byte order
 * @returns the value in host byte order, as an unsigned number
 * @see {@link htonl}
 * @category Addresses
 */
export function ntohl(netlong: number): number {
  check_u32_("ntohl", "netlong", netlong);
  return swap32(netlong);
}
