// Port of libevent's test/regress_util.c (group util/), plus the C helpers of event2/util:
// sockets and their calls on real fds, sockaddr structs, byte order, sizeof/memset/strlen.
// Address parsing and formatting are also compared, case by case, with the real libevent 2.1.12
// (Debian's libevent_core) loaded through ffi-rs.
import { mkdtempSync, rmSync } from "node:fs";
import { endianness, tmpdir } from "node:os";
import { join } from "node:path";
import { DataType, load, open as ffiOpen } from "ffi-rs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accept, AF_INET, AF_INET6, AF_UNIX, AF_UNSPEC, bind, close, connect, EAGAIN, EBADF, ECONNREFUSED, EEXIST,
  EINVAL, ENOENT, ENOPROTOOPT, ENOTCONN, ERANGE, errno, EV_INT16_MIN, EV_INT32_MAX, EV_INT64_MAX, EV_INT64_MIN, EV_MONOT_FALLBACK,
  EV_MONOT_PRECISE, EV_SIZE_MAX, EV_SSIZE_MAX, EV_SSIZE_MIN, EV_UINT32_MAX, EV_UINT64_MAX, EV_UINT8_MAX,
  evutil_addrinfo, evutil_ascii_strcasecmp, evutil_ascii_strncasecmp, EVUTIL_AI_NUMERICHOST, EVUTIL_AI_NUMERICSERV,
  EVUTIL_AI_PASSIVE, evutil_closesocket, EVUTIL_CLOSESOCKET, evutil_configure_monotonic_time, evutil_date_rfc1123,
  EVUTIL_EAI_CANCEL, EVUTIL_EAI_FAMILY, EVUTIL_EAI_NONAME, evutil_freeaddrinfo, evutil_gai_strerror,
  evutil_getaddrinfo, evutil_gettime_monotonic, evutil_inet_ntop, evutil_inet_pton, evutil_inet_pton_scope,
  EVUTIL_INVALID_SOCKET, evutil_make_listen_socket_ipv6only, evutil_make_listen_socket_reuseable,
  evutil_make_listen_socket_reuseable_port, evutil_make_socket_closeonexec, evutil_make_socket_nonblocking,
  evutil_make_tcp_listen_socket_deferred, evutil_monotonic_timer_free, evutil_monotonic_timer_new,
  evutil_parse_sockaddr_port, evutil_secure_rng_add_bytes, evutil_secure_rng_get_bytes, evutil_secure_rng_init,
  evutil_secure_rng_set_urandom_device_file, evutil_snprintf, evutil_sockaddr_cmp, evutil_socketpair, evutil_strtoll, evutil_vsnprintf,
  evutil_timercmp, evutil_timersub, getpeername, getsockname, getsockopt, gmtime_r, htonl, htons, in6_addr, in_addr,
  INADDR_ANY, INADDR_LOOPBACK, IPPROTO_IPV6, IPPROTO_TCP, IPPROTO_UDP, IPV6_V6ONLY, listen, memset, MSG_PEEK,
  mkfifo, NSIG, ntohl, ntohs, O_NONBLOCK, O_RDONLY, O_WRONLY, open, PF_INET, PF_INET6, PF_UNSPEC, read, recv, send,
  setsockopt, shutdown, SHUT_WR, SIGALRM, SIGHUP, SIGINT, SIGTERM, SIGUSR2, sizeof, SO_ERROR, SO_KEEPALIVE,
  SO_REUSEADDR, SO_REUSEPORT, SO_TYPE, SOCK_DGRAM, SOCK_STREAM, sockaddr, sockaddr_in, sockaddr_in6, sockaddr_storage,
  sockaddr_un, socket, SOL_SOCKET, strerror, strlen, TCP_NODELAY, timeval, tm, unlink, write,
} from "libevent-ts/event2/util";
import { event_set_log_callback, EVENT_LOG_WARN } from "libevent-ts/event2/event";
import {
  evutil_accept4_, evutil_make_internal_pipe_, evutil_socket_, evutil_socket_connect_, evutil_socket_finished_connecting_,
} from "../src/util/evutil.js";
import { sockaddr_to_bytes_ } from "../src/util/sockaddr.js";
import { native } from "../src/native/binding.js";

// ---------------------------------------------------------------- the C oracle: libevent 2.1.12

ffiOpen({ library: "event_core", path: "libevent_core-2.1.so.7" });
function C<T extends DataType>(funcName: string, retType: T, paramsType: DataType[], paramsValue: unknown[]) {
  return load({ library: "event_core", funcName, retType, paramsType, paramsValue });
}
/** A C string argument: UTF-8 bytes and a NUL. */
function cstr(s: string): Buffer {
  return Buffer.from(s + "\0", "utf8");
}
function textOf(buf: Uint8Array): string {
  const nul = buf.indexOf(0);
  return Buffer.from(buf.subarray(0, nul < 0 ? buf.length : nul)).toString("utf8");
}
const LE = endianness() === "LE";
function u32bytes(v: number): Buffer {
  const b = Buffer.alloc(4);
  if (LE) b.writeUInt32LE(v >>> 0);
  else b.writeUInt32BE(v >>> 0);
  return b;
}
function i32of(b: Buffer): number {
  return LE ? b.readInt32LE(0) : b.readInt32BE(0);
}

/** Deterministic pseudo-random numbers for the generated cases (libevent's weakrand LCG). */
function weakrand(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return s;
  };
}

/** A blocking sleep (evutil_usleep_), without spinning. */
function usleep(us: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, us / 1000);
}

// ---------------------------------------------------------------- regress_util.c tables

const NORMAL = 0, CANONICAL = 1, BAD = 2;

const ipv4_entries: [string, number, number][] = [
  ["1.2.3.4", 0x01020304, CANONICAL],
  ["255.255.255.255", 0xffffffff, CANONICAL],
  ["256.0.0.0", 0, BAD],
  ["ABC", 0, BAD],
  ["1.2.3.4.5", 0, BAD],
  ["176.192.208.244", 0xb0c0d0f4, CANONICAL],
];

const ipv6_entries: [string, number[], number][] = [
  ["::", [0, 0, 0, 0], CANONICAL],
  ["0:0:0:0:0:0:0:0", [0, 0, 0, 0], NORMAL],
  ["::1", [0, 0, 0, 1], CANONICAL],
  ["::1.2.3.4", [0, 0, 0, 0x01020304], CANONICAL],
  ["ffff:1::", [0xffff0001, 0, 0, 0], CANONICAL],
  ["ffff:0000::", [0xffff0000, 0, 0, 0], NORMAL],
  ["ffff::1234", [0xffff0000, 0, 0, 0x1234], CANONICAL],
  ["0102::1.2.3.4", [0x01020000, 0, 0, 0x01020304], NORMAL],
  ["::9:c0a8:1:1", [0, 0, 0x0009c0a8, 0x00010001], CANONICAL],
  ["::ffff:1.2.3.4", [0, 0, 0x000ffff, 0x01020304], CANONICAL],
  ["FFFF::", [0xffff0000, 0, 0, 0], NORMAL],
  ["foobar.", [0, 0, 0, 0], BAD],
  ["foobar", [0, 0, 0, 0], BAD],
  ["fo:obar", [0, 0, 0, 0], BAD],
  ["ffff", [0, 0, 0, 0], BAD],
  ["fffff::", [0, 0, 0, 0], BAD],
  ["fffff::", [0, 0, 0, 0], BAD],
  ["::1.0.1.1000", [0, 0, 0, 0], BAD],
  ["1:2:33333:4::", [0, 0, 0, 0], BAD],
  ["1:2:3:4:5:6:7:8:9", [0, 0, 0, 0], BAD],
  ["1::2::3", [0, 0, 0, 0], BAD],
  [":::1", [0, 0, 0, 0], BAD],
];

function words32(a: Uint8Array): number[] {
  const out: number[] = [];
  for (let j = 0; j < 4; j++) out.push(((a[j * 4]! << 24) | (a[j * 4 + 1]! << 16) | (a[j * 4 + 2]! << 8) | a[j * 4 + 3]!) >>> 0);
  return out;
}

describe("util/ (regress_util.c)", () => {
  it("ipv4_parse: evutil_inet_pton/ntop on the IPv4 table", () => {
    for (const [addr, res, status] of ipv4_entries) {
      const ina = new in_addr();
      const r = evutil_inet_pton(AF_INET, addr, ina);
      expect(r, addr).toBe(status === BAD ? 0 : 1);
      if (r === 0) continue;
      expect(ntohl(ina.s_addr), addr).toBe(res >>> 0);
      if (status === CANONICAL) {
        const written = new Uint8Array(128);
        const w = evutil_inet_ntop(AF_INET, ina, written, sizeof(written));
        expect(w).toBe(addr);
        expect(textOf(written)).toBe(addr);
      }
    }
  });

  it("ipv6_parse: evutil_inet_pton/ntop on the IPv6 table", () => {
    for (const [addr, res, status] of ipv6_entries) {
      const in6 = new in6_addr();
      const r = evutil_inet_pton(AF_INET6, addr, in6);
      expect(r, addr).toBe(status === BAD ? 0 : 1);
      if (r === 0) continue;
      expect(words32(in6.s6_addr), addr).toEqual(res.map((x) => x >>> 0));
      if (status === CANONICAL) {
        const written = new Uint8Array(128);
        expect(evutil_inet_ntop(AF_INET6, in6, written, sizeof(written))).toBe(addr);
        expect(textOf(written)).toBe(addr);
      }
    }
  });

  it("ipv6_parse_scope: zones by number and by interface name", () => {
    const table: [string, number[], number, number][] = [
      ["2001:DB8::", [0x20010db8, 0, 0, 0], 0, NORMAL],
      ["2001:DB8::%0", [0x20010db8, 0, 0, 0], 0, NORMAL],
      ["2001:DB8::%1", [0x20010db8, 0, 0, 0], 1, NORMAL],
      ["foobar.", [0, 0, 0, 0], 0, BAD],
      ["2001:DB8::%does-not-exist", [0, 0, 0, 0], 0, BAD],
    ];
    for (const [addr, res, scope, status] of table) {
      const in6 = new in6_addr();
      const if_scope = { value: -1 };
      const r = evutil_inet_pton_scope(AF_INET6, addr, in6, if_scope);
      expect(r, addr).toBe(status === BAD ? 0 : 1);
      if (r === 0) continue;
      expect(words32(in6.s6_addr)).toEqual(res);
      expect(if_scope.value).toBe(scope);
    }
    // The loopback interface by name: its index as libevent (if_nametoindex) finds it.
    const in6 = new in6_addr();
    const idx = { value: 0 };
    expect(evutil_inet_pton_scope(AF_INET6, "fe80::1%lo", in6, idx)).toBe(1);
    const cIdx = Buffer.alloc(4);
    expect(C("evutil_inet_pton_scope", DataType.I32, [DataType.I32, DataType.U8Array, DataType.U8Array, DataType.U8Array],
      [AF_INET6, cstr("fe80::1%lo"), Buffer.alloc(16), cIdx])).toBe(1);
    expect(idx.value).toBe(i32of(cIdx));
    expect(idx.value).toBeGreaterThan(0);
    expect(Array.from(in6.s6_addr)).toEqual([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    // A zone is ignored for other families: plain evutil_inet_pton, index 0.
    const ina = new in_addr();
    idx.value = 7;
    expect(evutil_inet_pton_scope(AF_INET, "1.2.3.4", ina, idx)).toBe(1);
    expect(idx.value).toBe(0);
  });

  it("sockaddr_port_parse: evutil_parse_sockaddr_port on the table", () => {
    const ents: [string, number, string | null, number][] = [
      ["[ffff::1]:1000", AF_INET6, "ffff::1", 1000],
      ["[ffff::1]", AF_INET6, "ffff::1", 0],
      ["[ffff::1", 0, null, 0],
      ["[ffff::1]:65599", 0, null, 0],
      ["[ffff::1]:0", 0, null, 0],
      ["[ffff::1]:-1", 0, null, 0],
      ["::1", AF_INET6, "::1", 0],
      ["1:2::1", AF_INET6, "1:2::1", 0],
      ["192.168.0.1:50", AF_INET, "192.168.0.1", 50],
      ["1.2.3.4", AF_INET, "1.2.3.4", 0],
    ];
    const ssBytes = new Uint8Array(128);
    const want = new Uint8Array(128);
    for (const [parse, safamily, addr, port] of ents) {
      const ss = new sockaddr_storage();
      const len = { value: sizeof(ss) };
      memset(ss, 0, sizeof(ss));
      const r = evutil_parse_sockaddr_port(parse, ss, len);
      if (r < 0) {
        expect(safamily, `couldn't parse ${parse}`).toBe(0);
        continue;
      }
      expect(safamily, `shouldn't have parsed ${parse}`).not.toBe(0);
      sockaddr_to_bytes_("test", ss, ssBytes);
      if (safamily === AF_INET) {
        const sin = new sockaddr_in();
        memset(sin, 0, sizeof(sin));
        sin.sin_family = AF_INET;
        sin.sin_port = htons(port);
        expect(evutil_inet_pton(AF_INET, addr!, sin.sin_addr)).toBe(1);
        sockaddr_to_bytes_("test", sin, want);
        expect(ssBytes.subarray(0, sizeof(sin))).toEqual(want.subarray(0, sizeof(sin)));
        expect(len.value).toBe(sizeof(sin));
        expect((ss as sockaddr_in).sin_port).toBe(htons(port));
      } else {
        const sin6 = new sockaddr_in6();
        memset(sin6, 0, sizeof(sin6));
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons(port);
        expect(evutil_inet_pton(AF_INET6, addr!, sin6.sin6_addr)).toBe(1);
        sockaddr_to_bytes_("test", sin6, want);
        expect(ssBytes.subarray(0, sizeof(sin6))).toEqual(want.subarray(0, sizeof(sin6)));
        expect(len.value).toBe(sizeof(sin6));
        expect((ss as sockaddr_in6).sin6_addr.s6_addr).toEqual(sin6.sin6_addr.s6_addr);
      }
      expect(ss.ss_family).toBe(safamily);
    }
  });

  it("sockaddr_port_parse: too little room gives -1; a family's own struct receives it", () => {
    const sin = new sockaddr_in();
    let len = { value: sizeof(sin) };
    expect(evutil_parse_sockaddr_port("[::1]:80", sin, len)).toBe(-1);
    expect(len.value).toBe(16);
    expect(evutil_parse_sockaddr_port("10.0.0.1:8080", sin, len)).toBe(0);
    expect(sin.sin_family).toBe(AF_INET);
    expect(ntohs(sin.sin_port)).toBe(8080);
    expect(ntohl(sin.sin_addr.s_addr)).toBe(0x0a000001);
    len = { value: 15 };
    expect(evutil_parse_sockaddr_port("10.0.0.1:8080", sin, len)).toBe(-1);
    const sin6 = new sockaddr_in6();
    len = { value: sizeof(sin6) };
    expect(evutil_parse_sockaddr_port("[fe80::2%3]:443", sin6, len)).toBe(0);
    expect(sin6.sin6_scope_id).toBe(3);
    expect(ntohs(sin6.sin6_port)).toBe(443);
  });

  it("evutil_strtoll: 64-bit values, sign, endptr", () => {
    expect(evutil_strtoll("5000000000", null, 10)).toBe(5000000n * 1000n);
    expect(evutil_strtoll("-5000000000", null, 10)).toBe(5000000n * -1000n);
    const s = " 99999stuff";
    const endptr = { value: -1 };
    expect(evutil_strtoll(s, endptr, 10)).toBe(99999n);
    expect(endptr.value).toBe(6);
    expect(evutil_strtoll("foo", null, 10)).toBe(0n);
  });

  it("evutil_strtoll: overflow saturates with ERANGE, bases and prefixes as strtoll", () => {
    const end = { value: -1 };
    expect(evutil_strtoll("9223372036854775807", end, 10)).toBe(EV_INT64_MAX);
    expect(end.value).toBe(19);
    expect(evutil_strtoll("-9223372036854775808", null, 10)).toBe(EV_INT64_MIN);
    expect(evutil_strtoll("9223372036854775808", end, 10)).toBe(EV_INT64_MAX);
    expect(errno).toBe(ERANGE);
    expect(end.value).toBe(19);
    expect(evutil_strtoll("-99999999999999999999999", null, 10)).toBe(EV_INT64_MIN);
    expect(errno).toBe(ERANGE);
    expect(evutil_strtoll("0x1F", end, 16)).toBe(31n);
    expect(end.value).toBe(4);
    expect(evutil_strtoll("0x", end, 16)).toBe(0n);
    expect(end.value).toBe(1); // the "0" alone
    expect(evutil_strtoll("  +", end, 10)).toBe(0n);
    expect(end.value).toBe(0); // nothing parsed: the start
    expect(evutil_strtoll("0777", null, 0)).toBe(511n);
    expect(evutil_strtoll("0x10", null, 0)).toBe(16n);
    expect(evutil_strtoll("zz", null, 36)).toBe(1295n);
    expect(evutil_strtoll("12", null, 1)).toBe(0n);
    expect(errno).toBe(EINVAL);
  });

  it("evutil_casecmp: evutil_ascii_strcasecmp / strncasecmp", () => {
    expect(evutil_ascii_strcasecmp("ABC", "ABC")).toBe(0);
    expect(evutil_ascii_strcasecmp("ABC", "abc")).toBe(0);
    expect(evutil_ascii_strcasecmp("ABC", "abcd")).toBeLessThan(0);
    expect(evutil_ascii_strcasecmp("ABC", "abb")).toBeGreaterThan(0);
    expect(evutil_ascii_strcasecmp("ABCd", "abc")).toBeGreaterThan(0);
    expect(evutil_ascii_strncasecmp("Libevent", "LibEvEnT", 100)).toBe(0);
    expect(evutil_ascii_strncasecmp("Libevent", "LibEvEnT", 4)).toBe(0);
    expect(evutil_ascii_strncasecmp("Libevent", "LibEXXXX", 4)).toBe(0);
    expect(evutil_ascii_strncasecmp("Libevent", "LibE", 4)).toBe(0);
    expect(evutil_ascii_strncasecmp("Libe", "LibEvEnT", 4)).toBe(0);
    expect(evutil_ascii_strncasecmp("Lib", "LibEvEnT", 4)).toBeLessThan(0);
    expect(evutil_ascii_strncasecmp("abc", "def", 99)).toBeLessThan(0);
    expect(evutil_ascii_strncasecmp("Z", "qrst", 1)).toBeGreaterThan(0);
    expect(evutil_ascii_strncasecmp("abc", "abd", -1)).toBeLessThan(0); // (size_t)-1: no limit
  });

  it("rand: evutil_secure_rng_get_bytes writes exactly the bytes asked for", () => {
    const buf1 = new Uint8Array(32);
    const buf2 = new Uint8Array(32);
    const rnd = weakrand(12346789);
    expect(evutil_secure_rng_init()).toBe(0);
    for (let k = 0; k < 32; ++k) {
      const startpoint = rnd() % 4;
      const endpoint = 32 - (rnd() % 4);
      buf2.fill(0);
      for (let i = 0; i < 8; ++i) {
        buf1.fill(0);
        evutil_secure_rng_get_bytes(buf1.subarray(startpoint), endpoint - startpoint);
        for (let j = 0; j < 32; ++j) {
          if (j >= startpoint && j < endpoint) buf2[j]! |= buf1[j]!;
          else expect(buf1[j]).toBe(0);
        }
      }
      // A false positive has probability 2^-64 per byte.
      for (let j = startpoint; j < endpoint; ++j) expect(buf2[j]).not.toBe(0);
    }
    // The seeding knobs answer as libevent does over arc4random.
    expect(evutil_secure_rng_set_urandom_device_file("/dev/urandom"))
      .toBe(C("evutil_secure_rng_set_urandom_device_file", DataType.I32, [DataType.U8Array], [cstr("/dev/urandom")]));
    evutil_secure_rng_add_bytes(new Uint8Array(8), 8);
    expect(() => evutil_secure_rng_get_bytes(new Uint8Array(4), 5)).toThrow(RangeError);
  });

  describe("getaddrinfo", () => {
    function ai_find_by_family(ai: evutil_addrinfo | null, family: number): evutil_addrinfo | null {
      for (; ai; ai = ai.ai_next) if (ai.ai_family === family) return ai;
      return null;
    }
    function ai_find_by_protocol(ai: evutil_addrinfo | null, protocol: number): evutil_addrinfo | null {
      for (; ai; ai = ai.ai_next) if (ai.ai_protocol === protocol) return ai;
      return null;
    }
    /** test_ai_eq: the entry holds the address `sockaddr_port` and the given socktype/protocol. */
    function test_ai_eq(ai: evutil_addrinfo, sockaddr_port: string, socktype: number, protocol: number): void {
      const ss = new sockaddr_storage();
      const slen = { value: sizeof(ss) };
      if (socktype > 0) expect(ai.ai_socktype).toBe(socktype);
      if (protocol > 0) expect(ai.ai_protocol).toBe(protocol);
      expect(evutil_parse_sockaddr_port(sockaddr_port, ss, slen)).toBe(0);
      expect(ai.ai_family).toBe(ss.ss_family);
      const buf = new Uint8Array(128);
      if (ai.ai_addr!.sa_family === AF_INET) {
        const sin = ai.ai_addr as sockaddr_in;
        evutil_inet_ntop(AF_INET, sin.sin_addr, buf, sizeof(buf));
        expect(ai.ai_addrlen).toBe(sizeof(sockaddr_in));
      } else {
        const sin6 = ai.ai_addr as sockaddr_in6;
        evutil_inet_ntop(AF_INET6, sin6.sin6_addr, buf, sizeof(buf));
        expect(ai.ai_addrlen).toBe(sizeof(sockaddr_in6));
      }
      expect(evutil_sockaddr_cmp(ai.ai_addr!, ss, 1), `wanted ${sockaddr_port}, got ${textOf(buf)}`).toBe(0);
    }
    function list(ai: evutil_addrinfo | null): [number, number, number, string, number][] {
      const out: [number, number, number, string, number][] = [];
      for (; ai; ai = ai.ai_next) {
        const buf = new Uint8Array(64);
        const sa = ai.ai_addr as sockaddr_in & sockaddr_in6;
        const text = ai.ai_family === AF_INET ? evutil_inet_ntop(AF_INET, sa.sin_addr, buf, 64) : evutil_inet_ntop(AF_INET6, sa.sin6_addr, buf, 64);
        out.push([ai.ai_family, ai.ai_socktype, ai.ai_protocol, text!, ntohs(ai.ai_family === AF_INET ? sa.sin_port : sa.sin6_port)]);
      }
      return out;
    }

    it("getaddrinfo: numeric hosts, NULL nodes, NUMERICHOST and NUMERICSERV (regress_util.c)", () => {
      const ai = { value: null as evutil_addrinfo | null };
      let hints = new evutil_addrinfo();
      // Try using it as a pton.
      memset(hints, 0, sizeof(hints));
      hints.ai_family = PF_UNSPEC;
      hints.ai_socktype = SOCK_STREAM;
      expect(evutil_getaddrinfo("1.2.3.4", "8080", hints, ai)).toBe(0);
      expect(ai.value!.ai_next).toBe(null);
      test_ai_eq(ai.value!, "1.2.3.4:8080", SOCK_STREAM, IPPROTO_TCP);
      evutil_freeaddrinfo(ai.value!);
      ai.value = null;

      memset(hints, 0, sizeof(hints));
      hints.ai_family = PF_UNSPEC;
      hints.ai_protocol = IPPROTO_UDP;
      expect(evutil_getaddrinfo("1001:b0b::f00f", "4321", hints, ai)).toBe(0);
      expect(ai.value!.ai_next).toBe(null);
      test_ai_eq(ai.value!, "[1001:b0b::f00f]:4321", SOCK_DGRAM, IPPROTO_UDP);
      ai.value = null;

      // nodename = NULL
      memset(hints, 0, sizeof(hints));
      hints.ai_family = PF_INET;
      hints.ai_protocol = IPPROTO_TCP;
      hints.ai_flags = EVUTIL_AI_PASSIVE;
      expect(evutil_getaddrinfo(null, "9999", hints, ai)).toBe(0);
      expect(ai.value!.ai_next).toBe(null);
      test_ai_eq(ai.value!, "0.0.0.0:9999", SOCK_STREAM, IPPROTO_TCP);
      hints.ai_flags = 0;
      expect(evutil_getaddrinfo(null, "9998", hints, ai)).toBe(0);
      test_ai_eq(ai.value!, "127.0.0.1:9998", SOCK_STREAM, IPPROTO_TCP);
      expect(ai.value!.ai_next).toBe(null);
      hints.ai_family = PF_INET6;
      expect(evutil_getaddrinfo(null, "9997", hints, ai)).toBe(0);
      expect(ai.value!.ai_next).toBe(null);
      test_ai_eq(ai.value!, "[::1]:9997", SOCK_STREAM, IPPROTO_TCP);
      hints.ai_flags = EVUTIL_AI_PASSIVE;
      expect(evutil_getaddrinfo(null, "9996", hints, ai)).toBe(0);
      expect(ai.value!.ai_next).toBe(null);
      test_ai_eq(ai.value!, "[::]:9996", SOCK_STREAM, IPPROTO_TCP);
      // Unspecified: a v6 and a v4.
      hints.ai_family = PF_UNSPEC;
      expect(evutil_getaddrinfo(null, "9996", hints, ai)).toBe(0);
      test_ai_eq(ai_find_by_family(ai.value, PF_INET6)!, "[::]:9996", SOCK_STREAM, IPPROTO_TCP);
      test_ai_eq(ai_find_by_family(ai.value, PF_INET)!, "0.0.0.0:9996", SOCK_STREAM, IPPROTO_TCP);

      // AI_NUMERICHOST, successful, multiprotocol.
      hints = new evutil_addrinfo();
      hints.ai_family = PF_UNSPEC;
      hints.ai_flags = EVUTIL_AI_NUMERICHOST;
      expect(evutil_getaddrinfo("1.2.3.4", null, hints, ai)).toBe(0);
      test_ai_eq(ai_find_by_protocol(ai.value, IPPROTO_TCP)!, "1.2.3.4", SOCK_STREAM, IPPROTO_TCP);
      test_ai_eq(ai_find_by_protocol(ai.value, IPPROTO_UDP)!, "1.2.3.4", SOCK_DGRAM, IPPROTO_UDP);
      ai.value = null;

      // AI_NUMERICHOST failing.
      memset(hints, 0, sizeof(hints));
      hints.ai_family = PF_UNSPEC;
      hints.ai_flags = EVUTIL_AI_NUMERICHOST;
      expect(evutil_getaddrinfo("www.google.com", "80", hints, ai)).toBe(EVUTIL_EAI_NONAME);
      expect(ai.value).toBe(null);

      // Symbolic service names with AI_NUMERICSERV.
      memset(hints, 0, sizeof(hints));
      hints.ai_family = PF_UNSPEC;
      hints.ai_socktype = SOCK_STREAM;
      hints.ai_flags = EVUTIL_AI_NUMERICSERV;
      expect(evutil_getaddrinfo("1.2.3.4", "http", hints, ai)).toBe(EVUTIL_EAI_NONAME);
    });

    it("getaddrinfo: a symbolic service is found where libevent finds it", () => {
      const hints = new evutil_addrinfo();
      hints.ai_family = PF_UNSPEC;
      hints.ai_socktype = SOCK_STREAM;
      const ai = { value: null as evutil_addrinfo | null };
      const r = evutil_getaddrinfo("1.2.3.4", "http", hints, ai);
      // libevent's answer through getservbyname(3), with the same hints (48-byte struct addrinfo).
      const h = Buffer.alloc(48);
      h.writeInt32LE(PF_UNSPEC, 4);
      h.writeInt32LE(SOCK_STREAM, 8);
      const res = Buffer.alloc(8);
      const cr = C("evutil_getaddrinfo", DataType.I32, [DataType.U8Array, DataType.U8Array, DataType.U8Array, DataType.U8Array],
        [cstr("1.2.3.4"), cstr("http"), h, res]);
      expect(r === 0).toBe(cr === 0);
      if (r === 0) test_ai_eq(ai.value!, "1.2.3.4:80", SOCK_STREAM, IPPROTO_TCP);
    });

    it("getaddrinfo: exact entries and order of the NULL-node and numeric answers", () => {
      const ai = { value: null as evutil_addrinfo | null };
      // No hints: both families, v4 first, each once for TCP then UDP; NULL node = loopback.
      expect(evutil_getaddrinfo(null, "80", null, ai)).toBe(0);
      expect(list(ai.value)).toEqual([
        [AF_INET, SOCK_STREAM, IPPROTO_TCP, "127.0.0.1", 80],
        [AF_INET, SOCK_DGRAM, IPPROTO_UDP, "127.0.0.1", 80],
        [AF_INET6, SOCK_STREAM, IPPROTO_TCP, "::1", 80],
        [AF_INET6, SOCK_DGRAM, IPPROTO_UDP, "::1", 80],
      ]);
      expect((ai.value!.ai_addr as sockaddr_in).sin_family).toBe(AF_INET);
      expect(ai.value!.ai_canonname).toBe(null);
      const hints = new evutil_addrinfo();
      hints.ai_flags = EVUTIL_AI_PASSIVE;
      hints.ai_socktype = SOCK_DGRAM;
      expect(evutil_getaddrinfo(null, "53", hints, ai)).toBe(0);
      expect(list(ai.value)).toEqual([
        [AF_INET, SOCK_DGRAM, IPPROTO_UDP, "0.0.0.0", 53],
        [AF_INET6, SOCK_DGRAM, IPPROTO_UDP, "::", 53],
      ]);
      // A numeric IPv6 host with a zone keeps it in sin6_scope_id.
      expect(evutil_getaddrinfo("fe80::1%5", "1", null, ai)).toBe(0);
      expect(list(ai.value)).toEqual([
        [AF_INET6, SOCK_STREAM, IPPROTO_TCP, "fe80::1", 1],
        [AF_INET6, SOCK_DGRAM, IPPROTO_UDP, "fe80::1", 1],
      ]);
      expect((ai.value!.ai_addr as sockaddr_in6).sin6_scope_id).toBe(5);
      // A v4 text with a v6-only hint is a name to resolve: NUMERICHOST refuses it.
      hints.ai_flags = EVUTIL_AI_NUMERICHOST;
      hints.ai_family = PF_INET6;
      ai.value = null;
      expect(evutil_getaddrinfo("1.2.3.4", null, hints, ai)).toBe(EVUTIL_EAI_NONAME);
      expect(ai.value).toBe(null);
      // Errors found before any lookup.
      expect(evutil_getaddrinfo(null, null, null, ai)).toBe(EVUTIL_EAI_NONAME);
      hints.ai_family = AF_UNIX;
      hints.ai_flags = 0;
      expect(evutil_getaddrinfo("1.2.3.4", "80", hints, ai)).toBe(EVUTIL_EAI_FAMILY);
      expect(evutil_getaddrinfo("1.2.3.4", "65536", null, ai)).toBe(EVUTIL_EAI_NONAME);
      expect(evutil_getaddrinfo("1.2.3.4", "", null, ai)).toBe(EVUTIL_EAI_NONAME);
    });

    it("getaddrinfo: a host name goes to the system resolver", () => {
      const hints = new evutil_addrinfo();
      hints.ai_family = PF_INET;
      hints.ai_socktype = SOCK_STREAM;
      const ai = { value: null as evutil_addrinfo | null };
      expect(evutil_getaddrinfo("localhost", "8080", hints, ai)).toBe(0);
      const l = list(ai.value);
      expect(l.length).toBeGreaterThan(0);
      for (const e of l) expect(e).toEqual([AF_INET, SOCK_STREAM, IPPROTO_TCP, "127.0.0.1", 8080]);
      expect(ai.value!.ai_addrlen).toBe(16);
    });

    it("evutil_gai_strerror: libevent's texts for every code", () => {
      const codes = [0, EVUTIL_EAI_CANCEL, -901, 5];
      for (let e = -1; e >= -12; e--) codes.push(e);
      for (let e = -100; e >= -105; e--) codes.push(e);
      for (const e of codes) {
        expect(evutil_gai_strerror(e), String(e)).toBe(C("evutil_gai_strerror", DataType.String, [DataType.I32], [e]));
      }
      expect(evutil_gai_strerror(EVUTIL_EAI_NONAME)).toBe("nodename nor servname provided, or not known");
    });
  });

  it("date_rfc1123: the table, and a too small buffer", () => {
    const query = new tm();
    const result = new Uint8Array(30);
    gmtime_r(0, query);
    expect(evutil_date_rfc1123(result, 8, query)).toBe(29);
    expect(textOf(result)).toBe("Thu, 01");
    expect(evutil_date_rfc1123(result, 0, query)).toBe(0);
    const cases: [number, string][] = [
      [0, "Thu, 01 Jan 1970 00:00:00 GMT"],
      [946684799, "Fri, 31 Dec 1999 23:59:59 GMT"],
      [946684800, "Sat, 01 Jan 2000 00:00:00 GMT"],
      [981072000, "Fri, 02 Feb 2001 00:00:00 GMT"],
      [1015113600, "Sun, 03 Mar 2002 00:00:00 GMT"],
      [1049414400, "Fri, 04 Apr 2003 00:00:00 GMT"],
      [1083715200, "Wed, 05 May 2004 00:00:00 GMT"],
      [1118016000, "Mon, 06 Jun 2005 00:00:00 GMT"],
      [1152230400, "Fri, 07 Jul 2006 00:00:00 GMT"],
      [1186531200, "Wed, 08 Aug 2007 00:00:00 GMT"],
      [1220918400, "Tue, 09 Sep 2008 00:00:00 GMT"],
      [1255132800, "Sat, 10 Oct 2009 00:00:00 GMT"],
      [1289433600, "Thu, 11 Nov 2010 00:00:00 GMT"],
      [1323648000, "Mon, 12 Dec 2011 00:00:00 GMT"],
      [4294967296, "Sun, 07 Feb 2106 06:28:16 GMT"],
      [253402300799, "Fri, 31 Dec 9999 23:59:59 GMT"],
      [1456704000, "Mon, 29 Feb 2016 00:00:00 GMT"],
      [1435708800, "Wed, 01 Jul 2015 00:00:00 GMT"],
      [1481866376, "Fri, 16 Dec 2016 05:32:56 GMT"],
    ];
    for (const [t, date] of cases) {
      gmtime_r(t, query);
      evutil_date_rfc1123(result, sizeof(result), query);
      expect(textOf(result)).toBe(date);
    }
  });

  it("date_rfc1123: NULL means now, and the text matches libevent's for a struct tm", () => {
    const result = new Uint8Array(30);
    for (let attempt = 0; ; attempt++) {
      const before = new Date().toUTCString();
      evutil_date_rfc1123(result, 30, null);
      if (before === new Date().toUTCString() || attempt > 3) {
        expect(textOf(result)).toBe(before);
        break;
      }
    }
    // Against libevent, fed the same struct tm bytes (nine ints, then tm_gmtoff and tm_zone).
    const rnd = weakrand(42);
    const q = new tm();
    for (let i = 0; i < 50; i++) {
      gmtime_r(rnd() * 60, q);
      const ctm = Buffer.alloc(56);
      [q.tm_sec, q.tm_min, q.tm_hour, q.tm_mday, q.tm_mon, q.tm_year, q.tm_wday, q.tm_yday, q.tm_isdst]
        .forEach((v, k) => ctm.writeInt32LE(v, 4 * k));
      const cOut = Buffer.alloc(30);
      const cr = C("evutil_date_rfc1123", DataType.I32, [DataType.U8Array, DataType.I64, DataType.U8Array], [cOut, 30, ctm]);
      expect(evutil_date_rfc1123(result, 30, q)).toBe(cr);
      expect(textOf(result)).toBe(textOf(cOut));
    }
  });

  it("monotonic_res: steps of the coarse monotonic timer match a 40 ms sleep", () => {
    const timer = evutil_monotonic_timer_new();
    const wantres = 40 * 1000;
    const acceptdiff = 20 * 1000;
    expect(evutil_configure_monotonic_time(timer, 0)).toBe(0);
    const tv = Array.from({ length: 10 }, () => new timeval());
    for (let i = 0; i < 10; ++i) {
      expect(evutil_gettime_monotonic(timer, tv[i]!)).toBe(0);
      usleep(wantres);
    }
    let total_diff = 0;
    for (let i = 0; i < 9; ++i) {
      const diff = new timeval();
      expect(evutil_timercmp(tv[i]!, tv[i + 1]!, "<")).toBe(1);
      evutil_timersub(tv[i + 1]!, tv[i]!, diff);
      expect(diff.tv_sec).toBe(0);
      total_diff += diff.tv_usec;
    }
    expect(Math.abs(total_diff / 9 - wantres)).toBeLessThan(acceptdiff);
    evutil_monotonic_timer_free(timer);
  });

  for (const [name, flags, maxstep] of [["monotonic_prc", 0, 25000], ["monotonic_prc_precise", EV_MONOT_PRECISE, 500],
    ["monotonic_prc_fallback", EV_MONOT_FALLBACK, 25000]] as const) {
    it(`${name}: the timer moves forward in small steps`, () => {
      const timer = evutil_monotonic_timer_new();
      expect(evutil_configure_monotonic_time(timer, flags)).toBe(0);
      const tv = Array.from({ length: 10 }, () => new timeval());
      evutil_gettime_monotonic(timer, tv[0]!);
      for (let i = 1; i < 10; ++i) {
        do {
          evutil_gettime_monotonic(timer, tv[i]!);
        } while (evutil_timercmp(tv[i - 1]!, tv[i]!, "=="));
      }
      let total_diff = 0;
      for (let i = 0; i < 9; ++i) {
        const diff = new timeval();
        expect(evutil_timercmp(tv[i]!, tv[i + 1]!, "<")).toBe(1);
        evutil_timersub(tv[i + 1]!, tv[i]!, diff);
        expect(diff.tv_sec).toBe(0);
        total_diff += diff.tv_usec;
      }
      expect(total_diff / 9).toBeLessThan(maxstep);
      evutil_monotonic_timer_free(timer);
      expect(() => evutil_gettime_monotonic(timer, tv[0]!)).toThrow(/evutil_gettime_monotonic: timer was freed/);
    });
  }
});

// ---------------------------------------------------------------- against libevent, case by case

describe("address text against libevent 2.1.12", () => {
  const v4cases = [
    "1.2.3.4", "0.0.0.0", "255.255.255.255", "256.1.1.1", " 1.2.3.4", "\t1.2.3.4", "1. 2.3.4", "1 .2.3.4",
    "+1.2.3.4", "-1.2.3.4", "1.2.3.4 ", "1.2.3", "1.2.3.", "", ".", "1.2.3.4.", "01.02.03.004", "0x1.2.3.4",
    "4294967296.0.0.1", "4294967297.0.0.1", "-4294967295.0.0.0", "99999999999999999999.1.1.1", "1.2.3.4x",
    "1..2.3", "a.b.c.d", "1.2.3.-0", "1.2.3.+4",
  ];
  const v6cases = [
    ...ipv6_entries.map((e) => e[0]), "0x1::", "0X1::", "0x::", "::0xg", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::",
    "::2:3:4:5:6:7:8", "1::", ":", ":::", "1:::2", "1::2:3::", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4",
    "::1.2.3", "::1.2.3.4.5", "::1. 2.3.4", "::01234", "::1234", "1.2.3.4", "::a1.2.3.4", "::1.2.3.4x",
    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::00000", "1:2", "1:2:3:4:5:6:7:8:", ":1::", "1:", "::1:", "g::",
    "12345::", " ::1", "::1 ", "a:b:c:d:e:f:0:1", "::ffff:0.0.0.0", "::0.0.0.1", "::1.0.0.0", "1::1.2.3.4",
    "::ffff:255.255.255.256", "::-1", "::+1", "1:2:3::4:5:6:7", "::1:2:3:4:5:6:7",
  ];

  it("evutil_inet_pton(AF_INET) accepts and rejects what libevent does", () => {
    for (const s of v4cases) {
      const ina = new in_addr();
      ina.s_addr = 0xdeadbeef;
      const out = u32bytes(0xdeadbeef);
      const r = evutil_inet_pton(AF_INET, s, ina);
      const cr = C("evutil_inet_pton", DataType.I32, [DataType.I32, DataType.U8Array, DataType.U8Array], [AF_INET, cstr(s), out]);
      expect(r, JSON.stringify(s)).toBe(cr);
      expect(u32bytes(ina.s_addr), JSON.stringify(s)).toEqual(out);
    }
  });

  it("evutil_inet_pton(AF_INET6) accepts and rejects what libevent does", () => {
    for (const s of v6cases) {
      const in6 = new in6_addr();
      const out = Buffer.alloc(16);
      const r = evutil_inet_pton(AF_INET6, s, in6);
      const cr = C("evutil_inet_pton", DataType.I32, [DataType.I32, DataType.U8Array, DataType.U8Array], [AF_INET6, cstr(s), out]);
      expect(r, JSON.stringify(s)).toBe(cr);
      if (r === 1) expect(Buffer.from(in6.s6_addr), JSON.stringify(s)).toEqual(out);
    }
    expect(evutil_inet_pton(AF_UNIX, "1.2.3.4", new in_addr())).toBe(-1);
  });

  it("evutil_inet_ntop formats IPv6 as libevent does (zero runs, v4-mapped and v4-compatible forms)", () => {
    const rnd = weakrand(7);
    const samples: Uint8Array[] = [];
    for (let i = 0; i < 400; i++) {
      const a = new Uint8Array(16);
      // Words are zero half of the time, so that zero runs of every length and place occur.
      for (let w = 0; w < 8; w++) if (rnd() & 1) { a[2 * w] = rnd() & 0xff; a[2 * w + 1] = rnd() & 0xff; }
      if (i % 10 === 0) { a.fill(0, 0, 10); a[10] = a[11] = 0xff; }
      if (i % 10 === 1) a.fill(0, 0, 12);
      samples.push(a);
    }
    for (const a of samples) {
      const in6 = new in6_addr();
      in6.s6_addr.set(a);
      const dst = new Uint8Array(64);
      const cDst = Buffer.alloc(64);
      const text = evutil_inet_ntop(AF_INET6, in6, dst, 64);
      C("evutil_inet_ntop", DataType.I64, [DataType.I32, DataType.U8Array, DataType.U8Array, DataType.I64], [AF_INET6, Buffer.from(a), cDst, 64]);
      expect(text).toBe(textOf(cDst));
      expect(textOf(dst)).toBe(textOf(cDst));
    }
  });

  it("evutil_inet_ntop: a buffer too small gives NULL, as in libevent (IPv6: length == len is cut, not NULL)", () => {
    const ina = new in_addr();
    evutil_inet_pton(AF_INET, "10.20.30.40", ina);
    const check = (af: number, src: in_addr | in6_addr, bytes: Buffer, len: number) => {
      const dst = new Uint8Array(32).fill(0x55);
      const cDst = Buffer.alloc(32, 0x55);
      const text = evutil_inet_ntop(af, src, dst, len);
      const cr = C("evutil_inet_ntop", DataType.I64, [DataType.I32, DataType.U8Array, DataType.U8Array, DataType.I64], [af, bytes, cDst, len]);
      expect(text === null, `len ${len}`).toBe(cr === 0);
      expect(Buffer.from(dst), `len ${len}`).toEqual(cDst);
      if (text !== null) expect(text).toBe(textOf(cDst));
    };
    for (let len = 0; len <= 13; len++) check(AF_INET, ina, u32bytes(ina.s_addr), len);
    const in6 = new in6_addr();
    evutil_inet_pton(AF_INET6, "ffff::1234", in6);
    for (let len = 8; len <= 12; len++) check(AF_INET6, in6, Buffer.from(in6.s6_addr), len);
    expect(evutil_inet_ntop(AF_UNIX, ina, new Uint8Array(8), 8)).toBe(null);
  });

  it("evutil_parse_sockaddr_port stores the bytes libevent stores", () => {
    const cases = [
      "[::1]:80", "[::1]80", "[::1]:", "[::1]:0x50", "1.2.3.4:", "1.2.3.4:65535", "1.2.3.4:65536", "1.2.3.4:4294967297",
      "1.2.3.4: 80", "1.2.3.4:80x", "1.2.3.4:+80", "[fe80::1%lo]:80", "[fe80::1%1]:8080", "fe80::1%2", "[]:80",
      "[1.2.3.4]:80", "localhost:80", ":80", "", "[", "]", "1:2", "[::ffff:1.2.3.4]:9", "1.2.3.4:0", " 1.2.3.4:1",
      `[${"1".repeat(130)}]:1`, `${"1".repeat(130)}:1`,
    ];
    const ours = new Uint8Array(128);
    for (const s of cases) {
      for (const room of [128, 28, 16, 0]) {
        const ss = new sockaddr_storage();
        const len = { value: room };
        const cOut = Buffer.alloc(128);
        const cLen = Buffer.alloc(4);
        cLen.writeInt32LE(room);
        const r = evutil_parse_sockaddr_port(s, ss, len);
        const cr = C("evutil_parse_sockaddr_port", DataType.I32, [DataType.U8Array, DataType.U8Array, DataType.U8Array], [cstr(s), cOut, cLen]);
        expect(r, `${JSON.stringify(s)} in ${room}`).toBe(cr);
        expect(len.value, `${JSON.stringify(s)} in ${room}`).toBe(i32of(cLen));
        if (r === 0) {
          sockaddr_to_bytes_("test", ss, ours);
          expect(Buffer.from(ours), JSON.stringify(s)).toEqual(cOut);
        }
      }
    }
  });

  it("evutil_sockaddr_cmp orders addresses as libevent does", () => {
    const texts = ["1.2.3.4:80", "1.2.3.4:81", "1.2.3.5:80", "4.3.2.1:1", "[::1]:80", "[::1]:81", "[::2]:80", "[ff::1]:1"];
    const parsed = texts.map((t) => {
      const ss = new sockaddr_storage();
      expect(evutil_parse_sockaddr_port(t, ss, { value: 128 })).toBe(0);
      const bytes = Buffer.alloc(128);
      sockaddr_to_bytes_("test", ss, bytes);
      return { ss, bytes };
    });
    for (const a of parsed) {
      for (const b of parsed) {
        for (const port of [0, 1]) {
          const r = evutil_sockaddr_cmp(a.ss, b.ss, port);
          const cr = C("evutil_sockaddr_cmp", DataType.I32, [DataType.U8Array, DataType.U8Array, DataType.I32], [a.bytes, b.bytes, port]);
          expect(Math.sign(r)).toBe(Math.sign(cr));
        }
      }
    }
    const un1 = new sockaddr_un();
    un1.sun_family = AF_UNIX;
    expect(evutil_sockaddr_cmp(un1, un1, 1)).toBe(1);
  });

  it("evutil_strtoll and the casecmps give libevent's values", () => {
    const nums = ["0", "42", "-42", " \t\n 17", "+5", "0x7fffffffffffffff", "9223372036854775807", "9223372036854775808",
      "-9223372036854775809", "077", "0x", "0xg", "12abc", "", "-", "99999999999999999999999999"];
    for (const s of nums) {
      for (const base of [0, 8, 10, 16, 36]) {
        const cr = C("evutil_strtoll", DataType.BigInt, [DataType.U8Array, DataType.U8Array, DataType.I32], [cstr(s), Buffer.alloc(8), base]);
        expect(evutil_strtoll(s, null, base), `${JSON.stringify(s)} base ${base}`).toBe(BigInt(cr as bigint));
      }
    }
    const strs = ["abc", "ABC", "abd", "ab", "", "Zeta", "zeta", "zet", "héllo", "HÉLLO", "h\u00ffx", "hzx", "[", "{", "_", "`"];
    for (const a of strs) {
      for (const b of strs) {
        const cr = C("evutil_ascii_strcasecmp", DataType.I32, [DataType.U8Array, DataType.U8Array], [cstr(a), cstr(b)]);
        expect(evutil_ascii_strcasecmp(a, b), `${a} vs ${b}`).toBe(cr);
        const cn = C("evutil_ascii_strncasecmp", DataType.I32, [DataType.U8Array, DataType.U8Array, DataType.I64], [cstr(a), cstr(b), 2]);
        expect(evutil_ascii_strncasecmp(a, b, 2), `${a} vs ${b} (2)`).toBe(cn);
      }
    }
  });
});

// ---------------------------------------------------------------- the C helpers on real fds

describe("sockets and POSIX calls", () => {
  const fds: number[] = [];
  const track = (...f: number[]) => { fds.push(...f.filter((x) => x >= 0)); return f; };
  afterAll(() => {
    for (const fd of fds) native.close(fd);
  });

  it("evutil_socketpair: a round trip through write and read", () => {
    const pair = [-1, -1];
    expect(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair)).toBe(0);
    track(...pair);
    expect(pair[0]).toBeGreaterThanOrEqual(0);
    expect(pair[1]).toBeGreaterThanOrEqual(0);
    expect(write(pair[0]!, "hello, wörld", strlen("hello, wörld"))).toBe(13);
    const buf = new Uint8Array(64);
    expect(read(pair[1]!, buf, sizeof(buf))).toBe(13);
    expect(textOf(buf)).toBe("hello, wörld");
    expect(write(pair[1]!, new Uint8Array([1, 2, 3, 4]), 3)).toBe(3);
    expect(read(pair[0]!, buf, 2)).toBe(2);
    expect(Array.from(buf.subarray(0, 2))).toEqual([1, 2]);
    expect(read(pair[0]!, buf, 64)).toBe(1);
    expect(buf[0]).toBe(3);
  });

  it("read and write of a few bytes and of more: into and from views at an offset, nothing outside touched", () => {
    const pair = [-1, -1];
    expect(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair)).toBe(0);
    track(...pair);
    expect(evutil_make_socket_nonblocking(pair[1]!)).toBe(0);
    const src = new Uint8Array(64).map((_, i) => i + 1);
    const into = new Uint8Array(80).fill(0xee);
    for (const n of [1, 2, 15, 16, 17, 40]) {
      // From a view at an offset of a bigger array, into a view at an offset: n bytes, then fewer
      // than asked for, then EAGAIN.
      expect(write(pair[0]!, src.subarray(3, 3 + n), n)).toBe(n);
      into.fill(0xee);
      const view = into.subarray(5, 5 + n + 8);
      expect(read(pair[1]!, view, n + 8)).toBe(n);
      expect(Array.from(into.subarray(5, 5 + n))).toEqual(Array.from(src.subarray(3, 3 + n)));
      expect(into.subarray(0, 5).every((b) => b === 0xee) && into.subarray(5 + n).every((b) => b === 0xee)).toBe(true);
      expect(read(pair[1]!, view, 1)).toBe(-1);
      expect(errno).toBe(EAGAIN);
    }
    // A count shorter than the array: only that many go, and only that many come in.
    expect(write(pair[0]!, src, 3)).toBe(3);
    expect(write(pair[0]!, src.subarray(10), 2)).toBe(2);
    into.fill(0);
    expect(read(pair[1]!, into, 4)).toBe(4);
    expect(read(pair[1]!, into.subarray(4), 16)).toBe(1);
    expect(Array.from(into.subarray(0, 6))).toEqual([1, 2, 3, 11, 12, 0]);
  });

  it("a nonblocking read with nothing to read gives -1 and errno EAGAIN", () => {
    const pair = [-1, -1];
    expect(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair)).toBe(0);
    track(...pair);
    expect(evutil_make_socket_nonblocking(pair[0]!)).toBe(0);
    expect(evutil_make_socket_nonblocking(pair[0]!)).toBe(0); // already: still 0
    expect(evutil_make_socket_closeonexec(pair[0]!)).toBe(0);
    const buf = new Uint8Array(8);
    expect(read(pair[0]!, buf, 8)).toBe(-1);
    expect(errno).toBe(EAGAIN);
    expect(recv(pair[0]!, buf, 8, 0)).toBe(-1);
    expect(errno).toBe(EAGAIN);
  });

  it("send, recv with MSG_PEEK, shutdown(SHUT_WR) gives end of file", () => {
    const pair = [-1, -1];
    expect(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair)).toBe(0);
    track(...pair);
    expect(send(pair[0]!, "abcdef", 6, 0)).toBe(6);
    const buf = new Uint8Array(16);
    expect(recv(pair[1]!, buf, 3, MSG_PEEK)).toBe(3);
    expect(recv(pair[1]!, buf, 16, 0)).toBe(6);
    expect(textOf(buf)).toBe("abcdef");
    expect(shutdown(pair[0]!, SHUT_WR)).toBe(0);
    expect(read(pair[1]!, buf, 16)).toBe(0);
    expect(write(pair[0]!, "x", 1)).toBe(-1); // EPIPE (SIGPIPE is ignored by Node)
  });

  it("write and send of a string send its UTF-8 bytes: ASCII, other characters, long strings, a cut count", () => {
    const pair = [-1, -1];
    expect(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair)).toBe(0);
    track(...pair);
    const buf = new Uint8Array(4096);
    const got = (n: number) => Buffer.from(buf.subarray(0, n)).toString("utf8");
    for (const text of ["e", "héllo €", "x".repeat(64) + "é", "a".repeat(1000), "\u{1f600} after"]) {
      const len = Buffer.byteLength(text);
      expect(write(pair[0]!, text, len)).toBe(len);
      expect(read(pair[1]!, buf, buf.length)).toBe(len);
      expect(got(len)).toBe(text);
    }
    expect(send(pair[0]!, "héllo", 2, 0)).toBe(2); // the first two bytes: "h" and the first of "é"
    expect(read(pair[1]!, buf, buf.length)).toBe(2);
    expect(Array.from(buf.subarray(0, 2))).toEqual([0x68, 0xc3]);
    expect(() => write(pair[0]!, "é", 3)).toThrow(new RangeError("write: count 3 exceeds the 2-byte buf"));
    expect(write(pair[0]!, "héllo", 2)).toBe(2); // write cuts the same way
    expect(read(pair[1]!, buf, buf.length)).toBe(2);
    expect(Array.from(buf.subarray(0, 2))).toEqual([0x68, 0xc3]);
    // Longer than the 4 KiB write() encodes a string into beforehand.
    const long = "0123456789".repeat(600);
    expect(write(pair[0]!, long, long.length)).toBe(long.length);
    let text = "";
    for (let n = 0; text.length < long.length && (n = read(pair[1]!, buf, buf.length)) > 0;) text += got(n);
    expect(text).toBe(long);
  });

  it("close: 0, then -1 with EBADF; a negative fd gives EBADF", () => {
    const pair = [-1, -1];
    expect(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair)).toBe(0);
    expect(evutil_closesocket(pair[0]!)).toBe(0);
    expect(EVUTIL_CLOSESOCKET(pair[1]!)).toBe(0);
    expect(close(pair[0]!)).toBe(-1);
    expect(errno).toBe(EBADF);
    expect(close(EVUTIL_INVALID_SOCKET)).toBe(-1);
    expect(errno).toBe(EBADF);
    expect(read(-1, new Uint8Array(1), 1)).toBe(-1);
    expect(errno).toBe(EBADF);
    // The evutil helpers also log the failure, as libevent's event_warn does.
    const logged: [number, string][] = [];
    event_set_log_callback((severity, msg) => logged.push([severity, msg]));
    try {
      expect(evutil_make_socket_nonblocking(pair[0]!)).toBe(-1);
      expect(errno).toBe(EBADF);
      expect(evutil_make_socket_closeonexec(pair[0]!)).toBe(-1);
    } finally {
      event_set_log_callback(null);
    }
    expect(logged).toEqual([
      [EVENT_LOG_WARN, `fcntl(${pair[0]}, F_GETFL): ${strerror(EBADF)}`],
      [EVENT_LOG_WARN, `fcntl(${pair[0]}, F_GETFD): ${strerror(EBADF)}`],
    ]);
  });

  it("getsockname after bind to 127.0.0.1:0 gives the address and the port chosen", () => {
    const fd = socket(AF_INET, SOCK_STREAM, 0);
    track(fd);
    const sin = new sockaddr_in();
    memset(sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons(0);
    expect(bind(fd, sin, sizeof(sin))).toBe(0);
    const got = new sockaddr_storage();
    const len = { value: sizeof(got) };
    expect(getsockname(fd, got, len)).toBe(0);
    expect(len.value).toBe(16);
    expect(got.ss_family).toBe(AF_INET);
    const gsin = got as sockaddr_in;
    expect(gsin.sin_family).toBe(AF_INET);
    expect(ntohl(gsin.sin_addr.s_addr)).toBe(INADDR_LOOPBACK);
    expect(ntohs(gsin.sin_port)).toBeGreaterThan(0);
    // Too little room: the kernel writes that much and tells the real length.
    const small = new sockaddr_in();
    const slen = { value: 4 };
    small.sin_addr.s_addr = 0x12345678;
    expect(getsockname(fd, small, slen)).toBe(0);
    expect(slen.value).toBe(16);
    expect(small.sin_family).toBe(AF_INET);
    expect(small.sin_port).toBe(gsin.sin_port);
    expect(small.sin_addr.s_addr).toBe(0x12345678); // not reached by 4 bytes
    // A bare struct sockaddr keeps the family.
    const bare = new sockaddr();
    expect(getsockname(fd, bare, { value: sizeof(bare) })).toBe(0);
    expect(bare.sa_family).toBe(AF_INET);
    // Bound twice: EINVAL.
    expect(bind(fd, sin, sizeof(sin))).toBe(-1);
    expect(errno).toBe(EINVAL);
  });

  it("connect/accept over loopback fill the addresses; evutil_socket_connect_ and _finished_connecting_", () => {
    const lfd = socket(AF_INET, SOCK_STREAM, 0);
    track(lfd);
    expect(evutil_make_listen_socket_reuseable(lfd)).toBe(0);
    const sin = new sockaddr_in();
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    expect(bind(lfd, sin, sizeof(sin))).toBe(0);
    expect(listen(lfd, 16)).toBe(0);
    const laddr = new sockaddr_in();
    expect(getsockname(lfd, laddr, { value: sizeof(laddr) })).toBe(0);

    // A blocking connect through the plain call.
    const c1 = socket(AF_INET, SOCK_STREAM, 0);
    track(c1);
    expect(connect(c1, laddr, sizeof(laddr))).toBe(0);
    const peer = new sockaddr_in();
    const plen = { value: sizeof(peer) };
    const s1 = accept(lfd, peer, plen);
    track(s1);
    expect(s1).toBeGreaterThanOrEqual(0);
    expect(plen.value).toBe(16);
    const mine = new sockaddr_in();
    expect(getsockname(c1, mine, { value: 16 })).toBe(0);
    expect(evutil_sockaddr_cmp(peer, mine, 1)).toBe(0);
    const theirs = new sockaddr_storage();
    expect(getpeername(c1, theirs, { value: 128 })).toBe(0);
    expect(evutil_sockaddr_cmp(theirs, laddr, 1)).toBe(0);

    // A nonblocking connect made by evutil_socket_connect_ into an empty box.
    const box = { value: -1 };
    const r = evutil_socket_connect_(box, laddr, sizeof(laddr));
    track(box.value);
    expect([0, 1]).toContain(r);
    expect(box.value).toBeGreaterThanOrEqual(0);
    const s2 = evutil_accept4_(lfd, null, null, 0);
    track(s2);
    expect(s2).toBeGreaterThanOrEqual(0);
    expect(evutil_socket_finished_connecting_(box.value)).toBe(1);
    expect(write(s2, "ping", 4)).toBe(4);
    const buf = new Uint8Array(8);
    usleep(20000);
    expect(read(box.value, buf, 8)).toBe(4);
    expect(read(box.value, buf, 8)).toBe(-1); // made nonblocking
    expect(errno).toBe(EAGAIN);

    // accept4 with flags: a nonblocking accepted socket; nothing pending on a nonblocking listener.
    const c3 = socket(AF_INET, SOCK_STREAM, 0);
    track(c3);
    expect(connect(c3, laddr, sizeof(laddr))).toBe(0);
    const ss = new sockaddr_storage();
    const sslen = { value: sizeof(ss) };
    const s3 = evutil_accept4_(lfd, ss, sslen, native.constants.SOCK_NONBLOCK | native.constants.SOCK_CLOEXEC);
    track(s3);
    expect(ss.ss_family).toBe(AF_INET);
    expect(read(s3, buf, 8)).toBe(-1);
    expect(errno).toBe(EAGAIN);
    expect(evutil_make_socket_nonblocking(lfd)).toBe(0);
    expect(accept(lfd, null, null)).toBe(-1);
    expect(errno).toBe(EAGAIN);
    expect(getpeername(lfd, new sockaddr_in(), { value: 16 })).toBe(-1);
    expect(errno).toBe(ENOTCONN);
  });

  it("evutil_socket_connect_ to a closed port: refused (2), or -1 with ECONNREFUSED once finished", () => {
    const lfd = socket(AF_INET, SOCK_STREAM, 0);
    const sin = new sockaddr_in();
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    expect(bind(lfd, sin, sizeof(sin))).toBe(0);
    const addr = new sockaddr_in();
    expect(getsockname(lfd, addr, { value: 16 })).toBe(0);
    expect(close(lfd)).toBe(0); // bound, never listening, now closed: nothing there
    const box = { value: -1 };
    const r = evutil_socket_connect_(box, addr, sizeof(addr));
    track(box.value);
    if (r === 0) {
      usleep(50000);
      expect(evutil_socket_finished_connecting_(box.value)).toBe(-1);
      expect(errno).toBe(ECONNREFUSED);
    } else {
      expect(r).toBe(2);
      expect(errno).toBe(ECONNREFUSED);
    }
  });

  it("setsockopt/getsockopt of int options, and the evutil listener options", () => {
    const fd = socket(AF_INET, SOCK_STREAM, 0);
    track(fd);
    const one = 1;
    const v = { value: -1 };
    const vlen = { value: sizeof(v.value) };
    expect(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, v, vlen)).toBe(0);
    expect(v.value).toBe(0);
    expect(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, one, sizeof(one))).toBe(0);
    expect(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, v, vlen)).toBe(0);
    expect(v.value).not.toBe(0);
    expect(vlen.value).toBe(4);
    expect(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, 1, 4)).toBe(0);
    expect(getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, v, vlen)).toBe(0);
    expect(v.value).toBe(1);
    expect(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1, 4)).toBe(0);
    expect(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, v, vlen)).toBe(0);
    expect(v.value).toBe(1);
    expect(getsockopt(fd, SOL_SOCKET, SO_TYPE, v, vlen)).toBe(0);
    expect(v.value).toBe(SOCK_STREAM);
    expect(getsockopt(fd, SOL_SOCKET, SO_ERROR, v, vlen)).toBe(0);
    expect(v.value).toBe(0);
    expect(evutil_make_listen_socket_reuseable_port(fd)).toBe(0);
    expect(getsockopt(fd, SOL_SOCKET, SO_REUSEPORT, v, vlen)).toBe(0);
    expect(v.value).toBe(1);
    expect(evutil_make_tcp_listen_socket_deferred(fd)).toBe(0);
    expect(setsockopt(fd, SOL_SOCKET, 999999, 1, 4)).toBe(-1);
    expect(errno).toBe(ENOPROTOOPT);
    const fd6 = socket(AF_INET6, SOCK_STREAM, 0);
    track(fd6);
    expect(evutil_make_listen_socket_ipv6only(fd6)).toBe(0);
    expect(getsockopt(fd6, IPPROTO_IPV6, IPV6_V6ONLY, v, vlen)).toBe(0);
    expect(v.value).toBe(1);
  });

  it("internal sockets: evutil_socket_ with flags, evutil_make_internal_pipe_", () => {
    // A nonblocking listener: accept answers EAGAIN at once instead of waiting.
    const fd = evutil_socket_(AF_INET, SOCK_STREAM | native.constants.SOCK_NONBLOCK, 0);
    track(fd);
    expect(fd).toBeGreaterThanOrEqual(0);
    const sin = new sockaddr_in();
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    expect(bind(fd, sin, sizeof(sin))).toBe(0);
    expect(listen(fd, 1)).toBe(0);
    expect(accept(fd, null, null)).toBe(-1);
    expect(errno).toBe(EAGAIN);
    const p = [-1, -1];
    expect(evutil_make_internal_pipe_(p)).toBe(0);
    track(...p);
    const buf = new Uint8Array(4);
    expect(read(p[0]!, buf, 4)).toBe(-1);
    expect(errno).toBe(EAGAIN);
    expect(write(p[1]!, "abc", 3)).toBe(3);
    expect(read(p[0]!, buf, 4)).toBe(3);
  });

  describe("files", () => {
    let dir = "";
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "libevent-ts-util-"));
    });
    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it("mkfifo, open with O_NONBLOCK, read and write, unlink", () => {
      const fifo = join(dir, "event.fifo");
      expect(mkfifo(fifo, 0o600)).toBe(0);
      expect(mkfifo(fifo, 0o600)).toBe(-1);
      expect(errno).toBe(EEXIST);
      const rfd = open(fifo, O_RDONLY | O_NONBLOCK, 0);
      track(rfd);
      expect(rfd).toBeGreaterThanOrEqual(0);
      const wfd = open(fifo, O_WRONLY | O_NONBLOCK);
      track(wfd);
      const buf = new Uint8Array(255);
      expect(read(rfd, buf, sizeof(buf) - 1)).toBe(-1);
      expect(errno).toBe(EAGAIN);
      expect(write(wfd, "reading fifo\n", 13)).toBe(13);
      expect(read(rfd, buf, sizeof(buf) - 1)).toBe(13);
      expect(textOf(buf)).toBe("reading fifo\n");
      expect(unlink(fifo)).toBe(0);
      expect(unlink(fifo)).toBe(-1);
      expect(errno).toBe(ENOENT);
      expect(open(join(dir, "missing"), O_RDONLY)).toBe(-1);
      expect(errno).toBe(ENOENT);
    });

    it("sockaddr_un: bind to a path, getsockname gives it back", () => {
      const fd = socket(AF_UNIX, SOCK_STREAM, 0);
      track(fd);
      const sun = new sockaddr_un();
      sun.sun_family = AF_UNIX;
      sun.sun_path = join(dir, "sock");
      expect(bind(fd, sun, sizeof(sun))).toBe(0);
      const got = new sockaddr_storage();
      const len = { value: sizeof(got) };
      expect(getsockname(fd, got, len)).toBe(0);
      expect(got.ss_family).toBe(AF_UNIX);
      expect((got as sockaddr_un).sun_path).toBe(sun.sun_path);
      expect(len.value).toBe(2 + strlen(sun.sun_path) + 1);
      const long = new sockaddr_un();
      long.sun_family = AF_UNIX;
      long.sun_path = "x".repeat(200);
      expect(() => bind(fd, long, sizeof(long))).toThrow(/bind: sun_path is 200 bytes/);
    });
  });
});

// ---------------------------------------------------------------- structs, byte order, constants

describe("C helpers", () => {
  it("htons, ntohs, htonl, ntohl: unsigned results", () => {
    expect(htons(0x1234)).toBe(LE ? 0x3412 : 0x1234);
    expect(ntohs(htons(8080))).toBe(8080);
    expect(htonl(0x01020304)).toBe(LE ? 0x04030201 : 0x01020304);
    expect(htonl(0x7f000001)).toBe(LE ? 0x0100007f : 0x7f000001);
    expect(htonl(0x000000ff)).toBe(LE ? 0xff000000 : 0xff);
    expect(htonl(0x000000ff)).toBeGreaterThan(0);
    expect(ntohl(htonl(0xdeadbeef))).toBe(0xdeadbeef);
    expect(htons(0x12345)).toBe(htons(0x2345)); // truncated to 16 bits, as C converts
    expect(() => htons("80" as unknown as number)).toThrow(/htons: hostshort must be a number/);
  });

  it("sizeof of structs, classes, buffers and ints", () => {
    expect(sizeof(new sockaddr_in())).toBe(16);
    expect(sizeof(sockaddr_in)).toBe(16);
    expect(sizeof(sockaddr_in6)).toBe(28);
    expect(sizeof(new sockaddr_un())).toBe(110);
    expect(sizeof(sockaddr_storage)).toBe(128);
    expect(sizeof(new sockaddr())).toBe(16);
    expect(sizeof(in_addr)).toBe(4);
    expect(sizeof(new in6_addr())).toBe(16);
    expect(sizeof(new timeval())).toBe(16);
    expect(sizeof(evutil_addrinfo)).toBe(48);
    expect(sizeof(new Uint8Array(1024))).toBe(1024);
    expect(sizeof(1)).toBe(4);
    expect(() => sizeof({})).toThrow(/sizeof: no C size is known for a plain object/);
  });

  it("memset zeroes structs and fills bytes as C does", () => {
    const sin = new sockaddr_in();
    sin.sin_family = AF_INET;
    sin.sin_port = htons(80);
    sin.sin_addr.s_addr = 0xffffffff;
    expect(memset(sin, 0, sizeof(sin))).toBe(sin);
    expect(sin).toEqual(new sockaddr_in());
    // Only the first 4 bytes: family and port, not the address.
    sin.sin_family = AF_INET;
    sin.sin_port = 1;
    sin.sin_addr.s_addr = 7;
    memset(sin, 0, 4);
    expect([sin.sin_family, sin.sin_port, sin.sin_addr.s_addr]).toEqual([0, 0, 7]);
    memset(sin, 0xff, 16);
    expect([sin.sin_port, sin.sin_addr.s_addr]).toEqual([0xffff, 0xffffffff]);
    const buf = new Uint8Array(8);
    memset(buf, 0x41, 3);
    expect(Array.from(buf)).toEqual([0x41, 0x41, 0x41, 0, 0, 0, 0, 0]);
    const tv = new timeval(3, 4);
    memset(tv, 0, sizeof(tv));
    expect([tv.tv_sec, tv.tv_usec]).toEqual([0, 0]);
    const hints = new evutil_addrinfo();
    hints.ai_family = AF_INET6;
    hints.ai_next = new evutil_addrinfo();
    memset(hints, 0, sizeof(hints));
    expect(hints).toEqual(new evutil_addrinfo());
    const ss = new sockaddr_storage();
    evutil_parse_sockaddr_port("[::1]:80", ss, { value: 128 });
    memset(ss, 0, sizeof(ss));
    expect(ss).toEqual(new sockaddr_storage());
    const in6 = new in6_addr();
    in6.s6_addr.fill(9);
    memset(in6, 0, 8);
    expect(Array.from(in6.s6_addr)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9]);
    expect(() => memset(sin, 0, 17)).toThrow(RangeError);
    expect(() => memset(tv, 1, 16)).toThrow(/memset: a timeval can only be zeroed whole/);
    expect(() => memset(buf, 0, 9)).toThrow(/memset: n 9 exceeds the 8-byte s/);
  });

  it("strlen counts UTF-8 bytes up to a NUL", () => {
    expect(strlen("hello")).toBe(5);
    expect(strlen("héllo")).toBe(6);
    expect(strlen("€")).toBe(3);
    expect(strlen("ab\0cd")).toBe(2);
    expect(strlen("")).toBe(0);
    expect(strlen(new Uint8Array([65, 66, 0, 67]))).toBe(2);
    expect(strlen(new Uint8Array([65, 66]))).toBe(2);
    expect(() => strlen(5 as unknown as string)).toThrow(TypeError);
  });

  it("sockaddr_storage is a union: the family fields are one, casts read the stored family", () => {
    const ss = new sockaddr_storage();
    ss.ss_family = AF_INET6;
    expect([ss.sa_family, ss.sin_family, ss.sin6_family, ss.sun_family]).toEqual([AF_INET6, AF_INET6, AF_INET6, AF_INET6]);
    (ss as sockaddr_in6).sin6_port = htons(99);
    expect(ss.sin_port).toBe(htons(99));
    const sa: sockaddr = new sockaddr_in6();
    sa.sa_family = AF_INET6;
    expect((sa as sockaddr_in6).sin6_family).toBe(AF_INET6);
    // Storing a v4 address over a v6 one clears the v6 fields.
    expect(evutil_parse_sockaddr_port("[::1]:1", ss, { value: 128 })).toBe(0);
    expect(evutil_parse_sockaddr_port("1.2.3.4:5", ss, { value: 128 })).toBe(0);
    expect(ss.sin6_addr.s6_addr.every((b) => b === 0)).toBe(true);
    expect(ntohl(ss.sin_addr.s_addr)).toBe(0x01020304);
  });

  it("constants: families, limits, signals", () => {
    expect([PF_UNSPEC, PF_INET, PF_INET6]).toEqual([AF_UNSPEC, AF_INET, AF_INET6]);
    expect([INADDR_ANY, INADDR_LOOPBACK]).toEqual([0, 0x7f000001]);
    expect([SIGHUP, SIGINT, SIGALRM, SIGTERM, SIGUSR2]).toEqual([1, 2, 14, 15, 12]);
    expect(NSIG).toBe(65);
    expect(EV_UINT64_MAX).toBe(2n ** 64n - 1n);
    expect(EV_INT64_MAX).toBe(2n ** 63n - 1n);
    expect(EV_INT64_MIN).toBe(-(2n ** 63n));
    // Sizes are numbers: C's limits rounded to the nearest double, beyond every exact size.
    expect(EV_SIZE_MAX).toBe(Number(EV_UINT64_MAX));
    expect([EV_SSIZE_MAX, EV_SSIZE_MIN]).toEqual([Number(EV_INT64_MAX), Number(EV_INT64_MIN)]);
    expect(Number.MAX_SAFE_INTEGER < EV_SSIZE_MAX).toBe(true);
    expect([EV_UINT32_MAX, EV_INT32_MAX, EV_INT16_MIN, EV_UINT8_MAX]).toEqual([4294967295, 2147483647, -32768, 255]);
    expect(EVUTIL_INVALID_SOCKET).toBe(-1);
  });

  it("evutil_snprintf / evutil_vsnprintf: the buffer's last byte is always NUL, as libevent sets it", () => {
    const buf = new Uint8Array(12).fill(0x78);
    expect(evutil_snprintf(buf, 10, "%s", "ab")).toBe(2);
    expect(Buffer.from(buf).toString("latin1")).toBe("ab\0xxxxxx\0xx");
    buf.fill(0x78);
    expect(evutil_vsnprintf(buf, 4, "%d", [123456])).toBe(6);
    expect(Buffer.from(buf).toString("latin1")).toBe("123\0xxxxxxxx");
    buf.fill(0x78);
    expect(evutil_snprintf(buf, 1, "%d", 5)).toBe(1);
    expect(buf[0]).toBe(0);
    expect(buf[1]).toBe(0x78);
  });

  it("evutil_snprintf: plain %d %u %x %X at every digit count", () => {
    const buf = new Uint8Array(128);
    const values: number[] = [0];
    for (let p = 1; p <= 2 ** 53; p *= 10) values.push(p - 1, p, p + 1);
    for (let p = 1; p <= 2 ** 53; p *= 16) values.push(p - 1, p, p + 1);
    values.push(0x7fffffff, 0x80000000, 0xffffffff, 2 ** 32, Number.MAX_SAFE_INTEGER);
    for (const v of values) {
      const want = `${v} ${v} ${v.toString(16)} ${v.toString(16).toUpperCase()}|-${v}`;
      const n = evutil_snprintf(buf, buf.length, "%d %u %x %X|%d", v, v, v, v, -v);
      expect(Buffer.from(buf.subarray(0, n)).toString("latin1")).toBe(v === 0 ? want.replace("-0", "0") : want);
    }
  });

  it("evutil_snprintf: %s ends at a NUL inside the string, as C's string does", () => {
    const buf = new Uint8Array(16).fill(0x78);
    expect(evutil_snprintf(buf, 16, "[%s]", "a\0b")).toBe(3);
    expect(Buffer.from(buf.subarray(0, 4)).toString("latin1")).toBe("[a]\0");
    expect(evutil_snprintf(buf, 16, "[%4s|%-3s]", "\0zz", "\u00e9\0z")).toBe(10);
    expect(Buffer.from(buf.subarray(0, 10)).toString("utf8")).toBe("[    |\u00e9 ]");
    expect(strlen("a\0b")).toBe(1);
  });

  it("bad arguments throw a TypeError or RangeError naming the function", () => {
    const buf = new Uint8Array(4);
    expect(() => read(0, buf, 5)).toThrow(/read: count 5 exceeds the 4-byte buf/);
    expect(() => read(0, buf, -1)).toThrow(/read: count -1 is negative/);
    expect(() => read(1.5, buf, 1)).toThrow(/read: fd must be an integer/);
    expect(() => write(1, "abc", 4)).toThrow(RangeError);
    expect(() => read(0, [] as unknown as Uint8Array, 0)).toThrow(/read: buf must be a Uint8Array/);
    expect(() => bind(0, {} as sockaddr, 16)).toThrow(/bind: a plain object is not a sockaddr object/);
    expect(() => bind(0, new sockaddr_in(), 17)).toThrow(/bind: addrlen 17 is outside the 16-byte sockaddr_in/);
    expect(() => getsockname(0, new sockaddr_in(), { value: 28 })).toThrow(RangeError);
    expect(() => getsockname(0, new sockaddr_in(), 16 as unknown as { value: number })).toThrow(/getsockname: addrlen must be a box/);
    expect(() => setsockopt(0, SOL_SOCKET, SO_REUSEADDR, 1, 8)).toThrow(/setsockopt: optlen 8 is not sizeof\(int\)/);
    expect(() => getsockopt(0, SOL_SOCKET, SO_REUSEADDR, { value: 0 }, { value: 2 })).toThrow(RangeError);
    expect(() => evutil_inet_pton(AF_INET, "1.2.3.4", new in6_addr())).toThrow(/evutil_inet_pton: dst must be an in_addr/);
    expect(() => evutil_inet_pton(AF_INET6, "::", new in_addr())).toThrow(/dst must be an in6_addr for AF_INET6, not an in_addr/);
    expect(() => evutil_inet_ntop(AF_INET, new in_addr(), buf, 5)).toThrow(/evutil_inet_ntop: len 5 exceeds/);
    expect(() => evutil_parse_sockaddr_port("1.2.3.4", new sockaddr_in(), { value: 128 })).toThrow(/outlen 128 exceeds/);
    expect(() => evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, null as unknown as number[])).toThrow(TypeError);
    const box = { value: -1 };
    expect(() => evutil_socket_connect_(box, new sockaddr_in(), 28)).toThrow(/evutil_socket_connect_: addrlen 28 is outside/);
    expect(box.value).toBe(-1);
    expect(() => evutil_strtoll(null as unknown as string, null, 10)).toThrow(/evutil_strtoll: s must be a string/);
    expect(() => evutil_getaddrinfo("x", null, {} as evutil_addrinfo, { value: null })).toThrow(/evutil_getaddrinfo: hints/);
    expect(() => evutil_date_rfc1123(buf, 5, null)).toThrow(RangeError);
    expect(() => evutil_ascii_strncasecmp("a", "b", -2)).toThrow(RangeError);
    expect(() => evutil_configure_monotonic_time({} as never, 0)).toThrow(TypeError);
    expect(() => evutil_snprintf(buf, 1.5, "x")).toThrow(/^evutil_snprintf: buflen must be an integer/);
    expect(() => evutil_vsnprintf(buf, -2, "x", [])).toThrow(/^evutil_vsnprintf: buflen -2 is negative/);
    expect(() => evutil_snprintf(buf, 5, "x")).toThrow(/^evutil_snprintf: buflen 5 exceeds the 4-byte buf/);
  });
});
