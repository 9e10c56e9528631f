/**
 * Byte order conversions of `<arpa/inet.h>`: host to network (big-endian) and back. On a
 * little-endian host they swap bytes; on a big-endian one they return their argument. Results
 * are unsigned, as C's `uint16_t` and `uint32_t` are.
 * @module
 */
import { endianness } from "node:os";
import { check_number_ } from "./check.js";

const SWAP = endianness() === "LE";

/** `uint16_t htons(uint16_t hostshort)`: a 16-bit value in network byte order. */
export function htons(hostshort: number): number {
  check_number_("htons", "hostshort", hostshort);
  const v = hostshort & 0xffff;
  return SWAP ? ((v & 0xff) << 8) | (v >>> 8) : v;
}

/** `uint16_t ntohs(uint16_t netshort)`: a 16-bit value in host byte order. */
export function ntohs(netshort: number): number {
  check_number_("ntohs", "netshort", netshort);
  return htons(netshort);
}

/** `uint32_t htonl(uint32_t hostlong)`: a 32-bit value in network byte order (unsigned). */
export function htonl(hostlong: number): number {
  check_number_("htonl", "hostlong", hostlong);
  const v = hostlong >>> 0;
  if (!SWAP) return v;
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** `uint32_t ntohl(uint32_t netlong)`: a 32-bit value in host byte order (unsigned). */
export function ntohl(netlong: number): number {
  check_number_("ntohl", "netlong", netlong);
  return htonl(netlong);
}
