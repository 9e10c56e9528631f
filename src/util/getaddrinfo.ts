/**
 * `evutil_getaddrinfo` and its companions. Numeric hosts and a NULL host are answered here as
 * libevent's `evutil_getaddrinfo_common_` answers them (the same entries in the same order, one
 * per protocol when neither socktype nor protocol is given); other names go to the system's
 * getaddrinfo(3). This is the order libevent itself follows where it does not trust the system
 * resolver with such cases (its Windows path).
 * @module
 */
import { native } from "../native/binding.js";
import type { NativeAddrinfo } from "../native/binding.js";
import { htonl, htons, ntohs } from "./byteorder.js";
import { check_box_, check_int_, check_string_, show } from "./check.js";
import { evutil_inet_pton, evutil_inet_pton_scope } from "./inet.js";
import {
  sockaddr, sockaddr_in, sockaddr_in6, sockaddr_new_from_bytes_, sockaddr_to_bytes_, SIZEOF_SOCKADDR_IN, SIZEOF_SOCKADDR_IN6,
  SIZEOF_SOCKADDR_STORAGE,
} from "./sockaddr.js";
import { strtol_ } from "./strtol.js";

const c = native.constants;

/** Address family for nodename not supported. @category Name resolution */ export const EVUTIL_EAI_ADDRFAMILY = c.EAI_ADDRFAMILY;
/** Temporary failure in name resolution. @category Name resolution */ export const EVUTIL_EAI_AGAIN = c.EAI_AGAIN;
/** Invalid value for ai_flags. @category Name resolution */ export const EVUTIL_EAI_BADFLAGS = c.EAI_BADFLAGS;
/** Non-recoverable failure in name resolution. @category Name resolution */ export const EVUTIL_EAI_FAIL = c.EAI_FAIL;
/** ai_family not supported. @category Name resolution */ export const EVUTIL_EAI_FAMILY = c.EAI_FAMILY;
/** Memory allocation failure. @category Name resolution */ export const EVUTIL_EAI_MEMORY = c.EAI_MEMORY;
/** No address associated with nodename. @category Name resolution */ export const EVUTIL_EAI_NODATA = c.EAI_NODATA;
/** Nodename nor servname provided, or not known. @category Name resolution */ export const EVUTIL_EAI_NONAME = c.EAI_NONAME;
/** Servname not supported for ai_socktype. @category Name resolution */ export const EVUTIL_EAI_SERVICE = c.EAI_SERVICE;
/** ai_socktype not supported. @category Name resolution */ export const EVUTIL_EAI_SOCKTYPE = c.EAI_SOCKTYPE;
/** System error (see errno). @category Name resolution */ export const EVUTIL_EAI_SYSTEM = c.EAI_SYSTEM;
/** The request was canceled (libevent's own code, -90001). @category Name resolution */ export const EVUTIL_EAI_CANCEL = -90001;
/** hints flag: the address is for bind (NULL host: the any-address). @category Name resolution */ export const EVUTIL_AI_PASSIVE = c.AI_PASSIVE;
/** hints flag: fill ai_canonname of the first result. @category Name resolution */ export const EVUTIL_AI_CANONNAME = c.AI_CANONNAME;
/** hints flag: the host must be a numeric address; never resolve it. @category Name resolution */ export const EVUTIL_AI_NUMERICHOST = c.AI_NUMERICHOST;
/** hints flag: the service must be a port number. @category Name resolution */ export const EVUTIL_AI_NUMERICSERV = c.AI_NUMERICSERV;
/** hints flag: return v4-mapped IPv6 addresses if no IPv6 ones (system resolver only). @category Name resolution */ export const EVUTIL_AI_V4MAPPED = c.AI_V4MAPPED;
/** hints flag: with V4MAPPED, return both IPv6 and v4-mapped addresses (system resolver only). @category Name resolution */ export const EVUTIL_AI_ALL = c.AI_ALL;
/** hints flag: only families that this host has an address of (system resolver only). @category Name resolution */ export const EVUTIL_AI_ADDRCONFIG = c.AI_ADDRCONFIG;

/** libevent's internal answer of the common part: the system resolver must look the name up. */
const EVUTIL_EAI_NEED_RESOLVE = -90002;
/** The ai_flags libevent gives the entries it builds itself (0x80000000 as a C int). */
const EVUTIL_AI_LIBEVENT_ALLOCATED = 0x80000000 | 0;

/**
 * `struct evutil_addrinfo` (= `struct addrinfo`): the hints given to `evutil_getaddrinfo`, and
 * each of its results, linked by `ai_next` (`null` at the end).
 * @category Name resolution
 */
export class evutil_addrinfo {
  /** `EVUTIL_AI_*` flags (of the hints). */
  ai_flags = 0;
  /** Address family (`PF_INET`, `PF_INET6`, `PF_UNSPEC` in hints). */
  ai_family = 0;
  /** Socket type (`SOCK_STREAM`, `SOCK_DGRAM`, 0 in hints for any). */
  ai_socktype = 0;
  /** Protocol (`IPPROTO_TCP`, `IPPROTO_UDP`, 0 in hints for any). */
  ai_protocol = 0;
  /** Length of `ai_addr` in bytes (`sizeof(sockaddr_in)` or `sizeof(sockaddr_in6)`). */
  ai_addrlen = 0;
  /** The address: a `sockaddr_in` or `sockaddr_in6` object (cast it with `as`). */
  ai_addr: sockaddr | null = null;
  /** Canonical name of the host (with `EVUTIL_AI_CANONNAME`), or null. */
  ai_canonname: string | null = null;
  /** The next result, or null. */
  ai_next: evutil_addrinfo | null = null;
}

/** One entry holding a copy of `sa`, or a TCP and a UDP entry if the hints name neither. */
function newAddrinfo(sa: sockaddr_in | sockaddr_in6, socklen: number, hints: evutil_addrinfo): evutil_addrinfo {
  if (hints.ai_socktype === 0 && hints.ai_protocol === 0) {
    const r1 = newEntry(sa, socklen, c.SOCK_STREAM, c.IPPROTO_TCP);
    r1.ai_next = newEntry(sa, socklen, c.SOCK_DGRAM, c.IPPROTO_UDP);
    return r1;
  }
  return newEntry(sa, socklen, hints.ai_socktype, hints.ai_protocol);
}

const entryBytes = new Uint8Array(SIZEOF_SOCKADDR_STORAGE);

function newEntry(sa: sockaddr_in | sockaddr_in6, socklen: number, socktype: number, protocol: number): evutil_addrinfo {
  const ai = new evutil_addrinfo();
  // A copy of the address, as libevent memcpy's it into the entry.
  ai.ai_addr = sockaddr_new_from_bytes_(entryBytes, sockaddr_to_bytes_("evutil_getaddrinfo", sa, entryBytes));
  ai.ai_addrlen = socklen;
  ai.ai_family = sa.sa_family;
  ai.ai_flags = EVUTIL_AI_LIBEVENT_ALLOCATED;
  ai.ai_socktype = socktype;
  ai.ai_protocol = protocol;
  return ai;
}

/** A decimal port 0..65535 filling the whole string (as libevent's strtol test), else -1. */
function parseNumericServname(servname: string): number {
  const r = strtol_(servname, 0, 10, 1);
  const n = Number(BigInt.asIntN(32, r.value));
  return n >= 0 && n <= 65535 && servname.length > 0 && r.end === servname.length ? n : -1;
}

/**
 * The port of a service name, as getservbyname(3) finds it for the hints' protocol: read from
 * the system's services database through getaddrinfo(3). -1 if unknown.
 */
function getservbynamePort(servname: string, hints: evutil_addrinfo): number {
  // getaddrinfo(3) would take a number as a port; getservbyname(3) knows only names.
  if (servname === "" || strtol_(servname, 0, 10, 0).end === servname.length) return -1;
  const socktype = hints.ai_protocol === c.IPPROTO_TCP ? c.SOCK_STREAM : hints.ai_protocol === c.IPPROTO_UDP ? c.SOCK_DGRAM : hints.ai_socktype;
  const r = native.getaddrinfo(null, servname, c.AI_PASSIVE, c.AF_INET, socktype, hints.ai_protocol);
  if (typeof r === "number" || r.length === 0) return -1;
  const sin = sockaddr_new_from_bytes_(r[0]!.addr, r[0]!.addr.length) as sockaddr_in;
  return ntohs(sin.sin_port);
}

function parseServname(servname: string, hints: evutil_addrinfo): number {
  const n = parseNumericServname(servname);
  if (n >= 0) return n;
  if (!(hints.ai_flags & EVUTIL_AI_NUMERICSERV)) return getservbynamePort(servname, hints);
  return -1;
}

/** Guess the protocol from the socket type, and the other way round. */
function inferProtocols(hints: evutil_addrinfo): void {
  if (!hints.ai_protocol && hints.ai_socktype) {
    if (hints.ai_socktype === c.SOCK_DGRAM) hints.ai_protocol = c.IPPROTO_UDP;
    else if (hints.ai_socktype === c.SOCK_STREAM) hints.ai_protocol = c.IPPROTO_TCP;
  }
  if (!hints.ai_socktype && hints.ai_protocol) {
    if (hints.ai_protocol === c.IPPROTO_UDP) hints.ai_socktype = c.SOCK_DGRAM;
    else if (hints.ai_protocol === c.IPPROTO_TCP) hints.ai_socktype = c.SOCK_STREAM;
  }
}

/**
 * libevent's `evutil_getaddrinfo_common_`: adjust the hints, find the port, and answer a NULL or
 * numeric host. Returns 0 (with `res` set), an EVUTIL_EAI_* error, or EVUTIL_EAI_NEED_RESOLVE.
 */
function getaddrinfoCommon(nodename: string | null, servname: string | null, hints: evutil_addrinfo,
  res: { value: evutil_addrinfo | null }): number {
  if (nodename === null && servname === null) return EVUTIL_EAI_NONAME;
  if (hints.ai_family !== c.AF_UNSPEC && hints.ai_family !== c.AF_INET && hints.ai_family !== c.AF_INET6) return EVUTIL_EAI_FAMILY;
  inferProtocols(hints);
  let port = 0;
  if (servname !== null) {
    port = parseServname(servname, hints);
    if (port < 0) return EVUTIL_EAI_NONAME;
  }
  const passive = hints.ai_flags & EVUTIL_AI_PASSIVE;

  if (nodename === null) {
    let res6: evutil_addrinfo | null = null;
    let res4: evutil_addrinfo | null = null;
    if (hints.ai_family !== c.AF_INET) {
      const sin6 = new sockaddr_in6();
      sin6.sin6_family = c.AF_INET6;
      sin6.sin6_port = htons(port);
      if (!passive) sin6.sin6_addr.s6_addr[15] = 1; // ::1 to connect to; :: to bind
      res6 = newAddrinfo(sin6, SIZEOF_SOCKADDR_IN6, hints);
    }
    if (hints.ai_family !== c.AF_INET6) {
      const sin = new sockaddr_in();
      sin.sin_family = c.AF_INET;
      sin.sin_port = htons(port);
      if (!passive) sin.sin_addr.s_addr = htonl(0x7f000001); // 127.0.0.1; 0.0.0.0 to bind
      res4 = newAddrinfo(sin, SIZEOF_SOCKADDR_IN, hints);
    }
    res.value = append(res4, res6);
    return 0;
  }

  if (hints.ai_family === c.AF_INET6 || hints.ai_family === c.AF_UNSPEC) {
    const sin6 = new sockaddr_in6();
    const ifIndex = { value: 0 };
    if (evutil_inet_pton_scope(c.AF_INET6, nodename, sin6.sin6_addr, ifIndex) === 1) {
      sin6.sin6_family = c.AF_INET6;
      sin6.sin6_port = htons(port);
      sin6.sin6_scope_id = ifIndex.value;
      res.value = newAddrinfo(sin6, SIZEOF_SOCKADDR_IN6, hints);
      return 0;
    }
  }
  if (hints.ai_family === c.AF_INET || hints.ai_family === c.AF_UNSPEC) {
    const sin = new sockaddr_in();
    if (evutil_inet_pton(c.AF_INET, nodename, sin.sin_addr) === 1) {
      sin.sin_family = c.AF_INET;
      sin.sin_port = htons(port);
      res.value = newAddrinfo(sin, SIZEOF_SOCKADDR_IN, hints);
      return 0;
    }
  }
  if (hints.ai_flags & EVUTIL_AI_NUMERICHOST) return EVUTIL_EAI_NONAME;
  return EVUTIL_EAI_NEED_RESOLVE;
}

function append(first: evutil_addrinfo | null, more: evutil_addrinfo | null): evutil_addrinfo | null {
  if (!first) return more;
  let ai = first;
  while (ai.ai_next) ai = ai.ai_next;
  ai.ai_next = more;
  return first;
}

/**
 * `int evutil_getaddrinfo(const char *nodename, const char *servname, const struct evutil_addrinfo *hints, struct evutil_addrinfo **res)`:
 * resolve a host and service as getaddrinfo(3) does, blocking. `nodename` or `servname` may be
 * null (not both); `hints` may be null (any family). `res` is a box that receives the first
 * result; the others follow through `ai_next`. A NULL host gives 127.0.0.1 / ::1, or with
 * `EVUTIL_AI_PASSIVE` 0.0.0.0 / :: (v4 first); a numeric host is parsed, never looked up; when
 * neither socktype nor protocol is hinted, each address comes once for TCP and once for UDP.
 * Returns 0, or an `EVUTIL_EAI_*` code (`res` untouched). `EVUTIL_AI_V4MAPPED`, `_ALL` and
 * `_ADDRCONFIG` only affect names that go to the system resolver, as in libevent.
 * @param nodename the host name or numeric address, or null
 * @param servname the service name or port number, or null
 * @param hints the wanted family, socket type, protocol and `EVUTIL_AI_*` flags, or null
 * @param res a box whose `.value` receives the first result (follow `ai_next` for the others)
 * @returns 0, or an `EVUTIL_EAI_*` code (`res` untouched)
 * @see {@link evutil_freeaddrinfo}, {@link evutil_gai_strerror}
 * @category Name resolution
 */
export function evutil_getaddrinfo(nodename: string | null, servname: string | null, hints: evutil_addrinfo | null,
  res: { value: evutil_addrinfo | null }): number {
  const fn = "evutil_getaddrinfo";
  if (nodename !== null) check_string_(fn, "nodename", nodename);
  if (servname !== null) check_string_(fn, "servname", servname);
  if (hints !== null && !(hints instanceof evutil_addrinfo)) throw new TypeError(`${fn}: hints must be an evutil_addrinfo or null, not ${show(hints)}`);
  check_box_(fn, "res", res);
  const h = new evutil_addrinfo();
  if (hints) {
    h.ai_flags = hints.ai_flags;
    h.ai_family = hints.ai_family;
    h.ai_socktype = hints.ai_socktype;
    h.ai_protocol = hints.ai_protocol;
  } else {
    h.ai_family = c.AF_UNSPEC;
  }
  const err = getaddrinfoCommon(nodename, servname, h, res);
  if (err === 0 || err === EVUTIL_EAI_MEMORY || err === EVUTIL_EAI_NONAME) return err;

  const r = native.getaddrinfo(nodename, servname, h.ai_flags & ~EVUTIL_AI_LIBEVENT_ALLOCATED, h.ai_family, h.ai_socktype, h.ai_protocol);
  if (typeof r === "number") return r;
  res.value = addrinfo_from_native_(r);
  return 0;
}

/** @internal The results of the native getaddrinfo(3) as an evutil_addrinfo list. */
export function addrinfo_from_native_(results: NativeAddrinfo[]): evutil_addrinfo | null {
  let first: evutil_addrinfo | null = null;
  let last: evutil_addrinfo | null = null;
  for (const e of results) {
    const ai = new evutil_addrinfo();
    ai.ai_flags = e.flags;
    ai.ai_family = e.family;
    ai.ai_socktype = e.socktype;
    ai.ai_protocol = e.protocol;
    ai.ai_addrlen = e.addr.length;
    ai.ai_addr = sockaddr_new_from_bytes_(e.addr, e.addr.length);
    ai.ai_canonname = e.canonname;
    if (last !== null) last.ai_next = ai;
    else first = ai;
    last = ai;
  }
  return first;
}

/**
 * `void evutil_freeaddrinfo(struct evutil_addrinfo *ai)`: release a result list of
 * `evutil_getaddrinfo`. The garbage collector reclaims it; this only checks the argument, so
 * that a ported call stays as it was.
 * @param ai the first result of {@link evutil_getaddrinfo}
 * @see {@link evutil_getaddrinfo}
 * @category Name resolution
 */
export function evutil_freeaddrinfo(ai: evutil_addrinfo): void {
  if (!(ai instanceof evutil_addrinfo)) throw new TypeError(`evutil_freeaddrinfo: ai must be an evutil_addrinfo, not ${show(ai)}`);
}

/**
 * `const char *evutil_gai_strerror(int err)`: the text of an `EVUTIL_EAI_*` code, in libevent's
 * words ("nodename nor servname provided, or not known"), or the system's for other codes.
 * @param err an `EVUTIL_EAI_*` code
 * @returns the error's text
 * @see {@link evutil_getaddrinfo}
 * @category Name resolution
 */
export function evutil_gai_strerror(err: number): string {
  check_int_("evutil_gai_strerror", "err", err);
  switch (err) {
    case EVUTIL_EAI_CANCEL: return "Request canceled";
    case 0: return "No error";
    case EVUTIL_EAI_ADDRFAMILY: return "address family for nodename not supported";
    case EVUTIL_EAI_AGAIN: return "temporary failure in name resolution";
    case EVUTIL_EAI_BADFLAGS: return "invalid value for ai_flags";
    case EVUTIL_EAI_FAIL: return "non-recoverable failure in name resolution";
    case EVUTIL_EAI_FAMILY: return "ai_family not supported";
    case EVUTIL_EAI_MEMORY: return "memory allocation failure";
    case EVUTIL_EAI_NODATA: return "no address associated with nodename";
    case EVUTIL_EAI_NONAME: return "nodename nor servname provided, or not known";
    case EVUTIL_EAI_SERVICE: return "servname not supported for ai_socktype";
    case EVUTIL_EAI_SOCKTYPE: return "ai_socktype not supported";
    case EVUTIL_EAI_SYSTEM: return "system error";
    default: return native.gaiStrerror(err);
  }
}
