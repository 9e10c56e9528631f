/**
 * libevent's `listener/` regression group (test/regress_listener.c), run once per backend, plus
 * the options and behaviours of listener.h the group does not cover: LEV_OPT_* effects on the
 * sockets, the accept loop's ordering, callbacks set and cleared, misuse.
 *
 * error_unlock (EMFILE through setrlimit) runs as a child process with a low descriptor limit
 * in faults.test.ts.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  EV_WRITE, event_base_dispatch, event_base_loop, event_base_once, event_set_log_callback, EVLOOP_NONBLOCK, EVLOOP_ONCE,
} from "libevent-ts/event2/event";
import {
  evconnlistener, evconnlistener_disable, evconnlistener_enable, evconnlistener_free, evconnlistener_get_base,
  evconnlistener_get_fd, evconnlistener_new, evconnlistener_new_bind, evconnlistener_set_cb, evconnlistener_set_error_cb,
  LEV_OPT_BIND_IPV6ONLY, LEV_OPT_CLOSE_ON_EXEC, LEV_OPT_CLOSE_ON_FREE, LEV_OPT_DEFERRED_ACCEPT, LEV_OPT_DISABLED,
  LEV_OPT_LEAVE_SOCKETS_BLOCKING, LEV_OPT_REUSEABLE, LEV_OPT_REUSEABLE_PORT, LEV_OPT_THREADSAFE,
} from "libevent-ts/event2/listener";
import type { evconnlistener_cb } from "libevent-ts/event2/listener";
import {
  AF_INET, AF_INET6, bind, EADDRINUSE, ECONNREFUSED, EINVAL, errno, evutil_closesocket, getsockname, getsockopt, htonl, IPPROTO_IPV6,
  IPPROTO_TCP, IPV6_V6ONLY, memset, ntohl, send, SO_KEEPALIVE, SO_REUSEADDR, SO_REUSEPORT, SOCK_STREAM, socket,
  sockaddr, sockaddr_in, sockaddr_in6, sockaddr_storage, SOL_SOCKET, sizeof,
} from "libevent-ts/event2/util";
import { evutil_socket_connect_, evutil_socket_finished_connecting_ } from "../src/util/evutil.js";
import { native } from "../src/native/binding.js";
import { eachBackend } from "./helpers/backends.js";
import { checkFdLeaks } from "./helpers/fds.js";
import { basic_setup } from "./helpers/setup.js";

checkFdLeaks();

const O_NONBLOCK_FLAG = native.constants.O_NONBLOCK;
const O_CLOEXEC_FLAG = native.constants.O_CLOEXEC;

/** The open-file flags of `fd` (as /proc/self/fdinfo reports them, octal). */
function fdFlags(fd: number): number {
  const m = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"));
  return Number.parseInt(m![1]!, 8);
}

function intOpt(fd: number, level: number, name: number): number {
  const v = { value: 0 };
  const len = { value: 4 };
  expect(getsockopt(fd, level, name, v, len)).toBe(0);
  return v.value;
}

function loopback(): sockaddr_in {
  const sin = new sockaddr_in();
  memset(sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(0x7f000001);
  sin.sin_port = 0;
  return sin;
}

/** regress_get_listener_addr: the bound address of a listener. */
/** [::1]:0 as a sockaddr_in6, or null where this environment has no IPv6 sockets. */
function loopback6(): sockaddr_in6 | null {
  const probe = socket(AF_INET6, SOCK_STREAM, 0);
  if (probe < 0) return null;
  evutil_closesocket(probe);
  const sin6 = new sockaddr_in6();
  sin6.sin6_family = AF_INET6;
  sin6.sin6_addr.s6_addr[15] = 1; // ::1
  return sin6;
}

function listenerAddr(lev: evconnlistener): { ss: sockaddr_storage; slen: number } {
  const ss = new sockaddr_storage();
  const slen = { value: sizeof(ss) };
  expect(getsockname(evconnlistener_get_fd(lev), ss, slen)).toBe(0);
  return { ss, slen: slen.value };
}

/** A nonblocking connect to `ss` with evutil_socket_connect_, as the C tests do; returns the fd. */
function connectTo(ss: sockaddr_storage, slen: number): number {
  const fd = { value: -1 };
  expect(evutil_socket_connect_(fd, ss, slen)).toBeGreaterThanOrEqual(0);
  return fd.value;
}

/** acceptcb of regress_listener.c: count down, close, disable at zero. */
const acceptcb: evconnlistener_cb<{ n: number }> = (listener, fd, _addr, _socklen, ptr) => {
  --ptr.n;
  evutil_closesocket(fd);
  if (!ptr.n) evconnlistener_disable(listener);
};

eachBackend(() => {
  describe("listener", () => {
    for (const ts of [false, true]) {
      it(`randport${ts ? "_ts" : ""}: two listeners on 127.0.0.1:0 get distinct ports; three connections split 2/1; the callback disables at zero`, () => {
        const data = basic_setup({ base: true });
        const base = data.base!;
        const count1 = { n: 2 };
        const count2 = { n: 1 };
        let flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC;
        if (ts) flags |= LEV_OPT_THREADSAFE;
        const sin = loopback();

        const listener1 = evconnlistener_new_bind(base, acceptcb, count1, flags, -1, sin, sizeof(sin));
        expect(listener1).not.toBeNull();
        const listener2 = evconnlistener_new_bind(base, acceptcb, count2, flags, -1, sin, sizeof(sin));
        expect(listener2).not.toBeNull();

        expect(evconnlistener_get_fd(listener1!)).not.toBe(-1);
        expect(evconnlistener_get_fd(listener2!)).not.toBe(-1);
        const a1 = listenerAddr(listener1!);
        const a2 = listenerAddr(listener2!);
        expect(a1.ss.ss_family).toBe(AF_INET);
        expect(a2.ss.ss_family).toBe(AF_INET);
        const sin1 = a1.ss as sockaddr_in;
        const sin2 = a2.ss as sockaddr_in;
        expect(ntohl(sin1.sin_addr.s_addr)).toBe(0x7f000001);
        expect(ntohl(sin2.sin_addr.s_addr)).toBe(0x7f000001);
        expect(sin1.sin_port).not.toBe(sin2.sin_port);

        expect(evconnlistener_get_base(listener1!)).toBe(base);
        expect(evconnlistener_get_base(listener2!)).toBe(base);

        const fd1 = connectTo(a1.ss, a1.slen);
        const fd2 = connectTo(a1.ss, a1.slen);
        const fd3 = connectTo(a2.ss, a2.slen);

        event_base_dispatch(base);

        expect(count1.n).toBe(0);
        expect(count2.n).toBe(0);

        for (const fd of [fd1, fd2, fd3]) evutil_closesocket(fd);
        evconnlistener_free(listener1!);
        evconnlistener_free(listener2!);
      });
    }

    for (const ts of [false, true]) {
      it(`error${ts ? "_ts" : ""}: accept() on a readable socket that is not listening reaches the error callback, which disables`, () => {
        const data = basic_setup({ base: true, pair: true });
        const base = data.base!;
        const count = { n: 1 };
        let flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE;
        if (ts) flags |= LEV_OPT_THREADSAFE;

        // send, so that pair[0] looks readable
        expect(send(data.pair[1]!, "hello", 5, 0)).toBeGreaterThan(0);

        // A listener on a bogus socket.
        const listener = evconnlistener_new(base, acceptcb, count, flags, 0, data.pair[0]!);
        expect(listener).not.toBeNull();
        data.pair[0] = -1; // LEV_OPT_CLOSE_ON_FREE: the listener closes it

        let seenErrno = 0;
        evconnlistener_set_error_cb(listener!, (lis, ptr) => {
          seenErrno = errno;
          ptr.n = 1000;
          evconnlistener_disable(lis);
        });

        event_base_dispatch(base);
        expect(count.n).toBe(1000);
        expect(seenErrno).toBe(EINVAL);

        evconnlistener_free(listener!);
      });
    }

    it("close_accepted_fd: evconnlistener_free inside the accept callback", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const count = { n: 1 };
      const sin = loopback();
      const listener = evconnlistener_new_bind(base, (lis, fd, _a, _l, ptr: { n: number }) => {
        --ptr.n;
        evutil_closesocket(fd);
        if (!ptr.n) {
          evconnlistener_free(lis);
          // Freed, even though it is destroyed only when this callback returns: a second free throws.
          expect(() => evconnlistener_free(lis)).toThrow(/evconnlistener_free: the evconnlistener was freed/);
        }
      }, count, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1, sin, sizeof(sin));
      expect(listener).not.toBeNull();
      const { ss, slen } = listenerAddr(listener!);
      const fd = connectTo(ss, slen);

      event_base_dispatch(base);

      expect(count.n).toBe(0);
      expect(() => evconnlistener_get_fd(listener!)).toThrow(/evconnlistener_get_fd: the evconnlistener was freed/);
      evutil_closesocket(fd);
    });

    it("immediate_close: the callback disables the listener after one of two queued connections; the loop runs out of events", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const count = { n: 1 };
      const sin = loopback();
      const listener = evconnlistener_new_bind(base, acceptcb, count, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1, sin, sizeof(sin));
      expect(listener).not.toBeNull();
      const { ss, slen } = listenerAddr(listener!);
      const fd1 = connectTo(ss, slen);
      const fd2 = connectTo(ss, slen);

      expect(event_base_dispatch(base)).toBe(1);
      expect(count.n).toBe(0);

      evconnlistener_free(listener!);
      evutil_closesocket(fd1);
      evutil_closesocket(fd2);
    });

    it("the accept loop takes every pending connection in one callback, in order, with each peer's address", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const sin = loopback();
      const seen: { port: number; family: number; socklen: number }[] = [];
      const listener = evconnlistener_new_bind(base, (lis, fd, addr, socklen) => {
        const peer = addr as sockaddr_in;
        seen.push({ port: peer.sin_port, family: peer.sin_family, socklen });
        evutil_closesocket(fd);
        if (seen.length === 3) evconnlistener_disable(lis);
      }, null, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1, sin, sizeof(sin));
      const { ss, slen } = listenerAddr(listener!);
      const fds = [connectTo(ss, slen), connectTo(ss, slen), connectTo(ss, slen)];
      const ports = fds.map((fd) => {
        const local = new sockaddr_in();
        const len = { value: sizeof(local) };
        expect(getsockname(fd, local, len)).toBe(0);
        return local.sin_port;
      });

      // One iteration: the three connections are all queued before the listener wakes.
      expect(event_base_loop(base, EVLOOP_ONCE)).toBe(0);
      expect(seen).toEqual(ports.map((port) => ({ port, family: AF_INET, socklen: sizeof(sockaddr_in) })));

      evconnlistener_free(listener!);
      for (const fd of fds) evutil_closesocket(fd);
    });

    it("an IPv6 listener's callback gets each peer's whole address: family, port, address, flow info and scope", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const sin6 = loopback6();
      if (sin6 === null) return; // no IPv6 in this environment
      const seen: { family: number; port: number; addr: number[]; flowinfo: number; scope: number; socklen: number }[] = [];
      const lev = evconnlistener_new_bind(base, (lis, fd, addr, socklen) => {
        const ss = addr as sockaddr_storage;
        seen.push({
          family: ss.ss_family, port: ss.sin_port, addr: Array.from(ss.sin6_addr.s6_addr), flowinfo: ss.sin6_flowinfo,
          scope: ss.sin6_scope_id, socklen,
        });
        evutil_closesocket(fd);
        if (seen.length === 2) evconnlistener_disable(lis);
      }, null, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1, sin6, sizeof(sin6));
      if (lev === null) return; // ::1 not configured
      const { ss, slen } = listenerAddr(lev);
      const fds = [connectTo(ss, slen), connectTo(ss, slen)];
      const peers = fds.map((fd) => {
        const local = new sockaddr_in6();
        const len = { value: sizeof(local) };
        expect(getsockname(fd, local, len)).toBe(0);
        return {
          family: AF_INET6, port: local.sin6_port, addr: Array.from(local.sin6_addr.s6_addr), flowinfo: local.sin6_flowinfo,
          scope: local.sin6_scope_id, socklen: sizeof(sockaddr_in6),
        };
      });

      expect(event_base_loop(base, EVLOOP_ONCE)).toBe(0);
      expect(seen).toEqual(peers);
      expect(seen[0]!.addr[15]).toBe(1);

      evconnlistener_free(lev);
      for (const fd of fds) evutil_closesocket(fd);
    });

    it("accepted sockets are nonblocking unless LEV_OPT_LEAVE_SOCKETS_BLOCKING, close-on-exec with LEV_OPT_CLOSE_ON_EXEC", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      for (const [flags, nonblock, cloexec] of [
        [0, true, false], [LEV_OPT_LEAVE_SOCKETS_BLOCKING, false, false], [LEV_OPT_CLOSE_ON_EXEC, true, true],
        [LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_LEAVE_SOCKETS_BLOCKING, false, true],
      ] as [number, boolean, boolean][]) {
        const sin = loopback();
        let accepted = -1;
        const listener = evconnlistener_new_bind(base, (lis, fd) => {
          accepted = fd;
          evconnlistener_disable(lis);
        }, null, flags | LEV_OPT_CLOSE_ON_FREE, -1, sin, sizeof(sin));
        const { ss, slen } = listenerAddr(listener!);
        const fd = connectTo(ss, slen);
        event_base_dispatch(base);
        expect(accepted).toBeGreaterThanOrEqual(0);
        expect((fdFlags(accepted) & O_NONBLOCK_FLAG) !== 0).toBe(nonblock);
        expect((fdFlags(accepted) & O_CLOEXEC_FLAG) !== 0).toBe(cloexec);
        // The listening socket itself: nonblocking always, close-on-exec with the option.
        const lfd = evconnlistener_get_fd(listener!);
        expect(fdFlags(lfd) & O_NONBLOCK_FLAG).not.toBe(0);
        expect((fdFlags(lfd) & O_CLOEXEC_FLAG) !== 0).toBe(cloexec);
        evutil_closesocket(accepted);
        evutil_closesocket(fd);
        evconnlistener_free(listener!);
      }
    });

    it("evconnlistener_new_bind sets SO_KEEPALIVE always, and SO_REUSEADDR, SO_REUSEPORT, TCP_DEFER_ACCEPT as asked", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const sin = loopback();
      const plain = evconnlistener_new_bind(base, acceptcb, { n: 1 }, LEV_OPT_CLOSE_ON_FREE, -1, sin, sizeof(sin))!;
      const all = evconnlistener_new_bind(base, acceptcb, { n: 1 },
        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT | LEV_OPT_DEFERRED_ACCEPT, -1, sin, sizeof(sin))!;
      const p = evconnlistener_get_fd(plain);
      const a = evconnlistener_get_fd(all);
      expect(intOpt(p, SOL_SOCKET, SO_KEEPALIVE)).toBe(1);
      expect(intOpt(a, SOL_SOCKET, SO_KEEPALIVE)).toBe(1);
      expect(intOpt(p, SOL_SOCKET, SO_REUSEADDR)).toBe(0);
      expect(intOpt(a, SOL_SOCKET, SO_REUSEADDR)).toBe(1);
      expect(intOpt(p, SOL_SOCKET, SO_REUSEPORT)).toBe(0);
      expect(intOpt(a, SOL_SOCKET, SO_REUSEPORT)).toBe(1);
      expect(intOpt(p, IPPROTO_TCP, native.constants.TCP_DEFER_ACCEPT)).toBe(0);
      expect(intOpt(a, IPPROTO_TCP, native.constants.TCP_DEFER_ACCEPT)).toBeGreaterThan(0);
      evconnlistener_free(plain);
      evconnlistener_free(all);
    });

    it("LEV_OPT_REUSEABLE_PORT lets two listeners bind one port; without it the second bind fails with EADDRINUSE and leaves no socket", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const sin = loopback();
      const first = evconnlistener_new_bind(base, acceptcb, { n: 1 }, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE_PORT, -1, sin, sizeof(sin))!;
      const { ss } = listenerAddr(first);
      const again = new sockaddr_in();
      again.sin_family = AF_INET;
      again.sin_addr.s_addr = htonl(0x7f000001);
      again.sin_port = (ss as sockaddr_in).sin_port;
      const second = evconnlistener_new_bind(base, acceptcb, { n: 1 }, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE_PORT, -1, again, sizeof(again));
      expect(second).not.toBeNull();
      const third = evconnlistener_new_bind(base, acceptcb, { n: 1 }, LEV_OPT_CLOSE_ON_FREE, -1, again, sizeof(again));
      expect(third).toBeNull();
      expect(errno).toBe(EADDRINUSE);
      evconnlistener_free(first);
      evconnlistener_free(second!);
    });

    it("LEV_OPT_BIND_IPV6ONLY sets IPV6_V6ONLY on an IPv6 listener", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const sin6 = loopback6();
      if (sin6 === null) return; // no IPv6 in this environment
      const lev = evconnlistener_new_bind(base, acceptcb, { n: 1 }, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_BIND_IPV6ONLY, -1, sin6, sizeof(sin6));
      if (lev === null) return; // ::1 not configured
      expect(intOpt(evconnlistener_get_fd(lev), IPPROTO_IPV6, IPV6_V6ONLY)).toBe(1);
      evconnlistener_free(lev);
    });

    it("backlog: 0 makes evconnlistener_new_bind fail; evconnlistener_new with 0 uses an already listening socket; a failed listen() gives null", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      const sin = loopback();
      expect(evconnlistener_new_bind(base, acceptcb, { n: 1 }, LEV_OPT_CLOSE_ON_FREE, 0, sin, sizeof(sin))).toBeNull();

      const listening = evconnlistener_new_bind(base, acceptcb, { n: 1 }, 0, 5, sin, sizeof(sin))!;
      const fd = evconnlistener_get_fd(listening);
      evconnlistener_free(listening); // without LEV_OPT_CLOSE_ON_FREE the socket stays open and listening
      const count = { n: 1 };
      const again = evconnlistener_new(base, acceptcb, count, LEV_OPT_CLOSE_ON_FREE, 0, fd)!;
      const { ss, slen } = listenerAddr(again);
      const c = connectTo(ss, slen);
      event_base_dispatch(base);
      expect(count.n).toBe(0);
      evconnlistener_free(again);
      evutil_closesocket(c);

      // listen() on a socketpair end fails (EOPNOTSUPP): null, and the fd is not closed.
      expect(evconnlistener_new(base, acceptcb, { n: 1 }, LEV_OPT_CLOSE_ON_FREE, 16, data.pair[0]!)).toBeNull();
      expect(send(data.pair[0]!, "x", 1, 0)).toBe(1);
    });

    it("LEV_OPT_DISABLED starts disabled; evconnlistener_enable starts it; a listener with no callback stays idle until evconnlistener_set_cb", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const sin = loopback();
      const count = { n: 1 };
      const lev = evconnlistener_new_bind(base, acceptcb, count, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_DISABLED, -1, sin, sizeof(sin))!;
      const { ss, slen } = listenerAddr(lev);
      const c1 = connectTo(ss, slen);
      expect(event_base_loop(base, EVLOOP_NONBLOCK)).toBe(1); // nothing registered: the listener is off
      expect(count.n).toBe(1);
      expect(evconnlistener_enable(lev)).toBe(0);
      event_base_dispatch(base);
      expect(count.n).toBe(0);

      // No callback: enabling adds nothing; set_cb on the enabled listener starts it.
      const count2 = { n: 1 };
      evconnlistener_set_cb(lev, null, count2);
      expect(evconnlistener_enable(lev)).toBe(0);
      const c2 = connectTo(ss, slen);
      expect(event_base_loop(base, EVLOOP_NONBLOCK)).toBe(1);
      evconnlistener_set_cb(lev, acceptcb, count2);
      event_base_dispatch(base);
      expect(count2.n).toBe(0);

      evconnlistener_free(lev);
      evutil_closesocket(c1);
      evutil_closesocket(c2);
    });

    it("a callback cleared while connections are queued: the next accepted one is closed and the loop stops", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const sin = loopback();
      let calls = 0;
      const lev = evconnlistener_new_bind(base, (lis, fd) => {
        ++calls;
        evutil_closesocket(fd);
        evconnlistener_set_cb(lis, null, null);
      }, null, LEV_OPT_CLOSE_ON_FREE, -1, sin, sizeof(sin))!;
      const { ss, slen } = listenerAddr(lev);
      const fds = [connectTo(ss, slen), connectTo(ss, slen), connectTo(ss, slen)];
      event_base_loop(base, EVLOOP_ONCE);
      expect(calls).toBe(1);
      // The second connection was accepted and closed (the peer sees EOF); the third waits.
      const buf = new Uint8Array(1);
      let eofs = 0;
      for (const fd of fds) if (native.recv(fd, buf, 0, 1, 0) === 0) eofs++;
      expect(eofs).toBe(2);
      evconnlistener_free(lev);
      for (const fd of fds) evutil_closesocket(fd);
    });

    it("without an error callback, accept errors are logged and the listener stays enabled", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      expect(send(data.pair[1]!, "hello", 5, 0)).toBe(5);
      const lev = evconnlistener_new(base, acceptcb, { n: 1 }, 0, 0, data.pair[0]!)!;
      const logged: string[] = [];
      event_set_log_callback((_sev, msg) => logged.push(msg));
      try {
        // Two iterations: the error repeats, since the listener stays enabled.
        event_base_loop(base, EVLOOP_ONCE);
        event_base_loop(base, EVLOOP_ONCE);
      } finally {
        event_set_log_callback(null);
      }
      expect(logged.length).toBe(2);
      expect(logged[0]).toMatch(/^Error from accept\(\) call: /);
      evconnlistener_free(lev);
    });

    it("evconnlistener_free inside the error callback", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      expect(send(data.pair[1]!, "hello", 5, 0)).toBe(5);
      const lev = evconnlistener_new(base, acceptcb, { n: 1 }, LEV_OPT_CLOSE_ON_FREE, 0, data.pair[0]!)!;
      data.pair[0] = -1;
      let errors = 0;
      evconnlistener_set_error_cb(lev, (lis) => {
        ++errors;
        evconnlistener_free(lis);
      });
      expect(event_base_dispatch(base)).toBe(1);
      expect(errors).toBe(1);
      expect(() => evconnlistener_enable(lev)).toThrow(TypeError);
    });

    it("a throwing accept callback propagates out of the loop and leaves the listener usable and freeable", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const sin = loopback();
      const fds: number[] = [];
      const lev = evconnlistener_new_bind(base, (_lis, fd) => {
        fds.push(fd);
        throw new Error("boom");
      }, null, LEV_OPT_CLOSE_ON_FREE, -1, sin, sizeof(sin))!;
      const { ss, slen } = listenerAddr(lev);
      const c = connectTo(ss, slen);
      expect(() => event_base_dispatch(base)).toThrow("boom");
      expect(evconnlistener_disable(lev)).toBe(0);
      evconnlistener_free(lev);
      expect(event_base_loop(base, EVLOOP_NONBLOCK)).toBe(1);
      for (const fd of [...fds, c]) evutil_closesocket(fd);
    });

    it("misuse throws TypeErrors naming the function", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const sin = loopback();
      expect(() => evconnlistener_new_bind(base, 5 as never, null, 0, -1, sin, sizeof(sin))).toThrow(/evconnlistener_new_bind: cb/);
      expect(() => evconnlistener_new_bind(base, acceptcb, { n: 1 }, 0, -1, {} as sockaddr, 16)).toThrow(TypeError);
      expect(() => evconnlistener_enable({} as evconnlistener)).toThrow(/evconnlistener_enable: lev/);
      const lev = evconnlistener_new_bind(base, acceptcb, { n: 1 }, LEV_OPT_CLOSE_ON_FREE, -1, sin, sizeof(sin))!;
      expect(() => evconnlistener_set_cb(lev, 1 as never, null as never)).toThrow(
        new TypeError("evconnlistener_set_cb: cb is 1, not a function or null"));
      evconnlistener_free(lev);
      expect(() => evconnlistener_free(lev)).toThrow(/evconnlistener_free: the evconnlistener was freed/);
      expect(() => evconnlistener_set_error_cb(lev, null)).toThrow(TypeError);
    });

    it("a null base with no event_init() base is a TypeError, thrown before listen() and leaking no socket", () => {
      const data = basic_setup({ base: true });
      const sin = loopback();
      const fd = socket(AF_INET, SOCK_STREAM, 0);
      expect(bind(fd, sin, sizeof(sin))).toBe(0);
      const ss = new sockaddr_storage();
      const slen = { value: sizeof(ss) };
      expect(getsockname(fd, ss, slen)).toBe(0);
      expect(() => evconnlistener_new(null as never, acceptcb, { n: 1 }, 0, 5, fd)).toThrow(
        /evconnlistener_new: base is null/);
      // listen() was not called: a connect to the bound address is refused.
      const c = { value: -1 };
      const r = evutil_socket_connect_(c, ss, slen.value);
      if (r === 0) {
        expect(event_base_once(data.base!, c.value, EV_WRITE, () => {}, null, null)).toBe(0);
        event_base_dispatch(data.base!);
        expect([evutil_socket_finished_connecting_(c.value), errno]).toEqual([-1, ECONNREFUSED]);
      } else {
        expect(r).toBe(2);
      }
      evutil_closesocket(c.value);
      evutil_closesocket(fd);
      // The socket evconnlistener_new_bind made is closed again (checkFdLeaks).
      expect(() => evconnlistener_new_bind(null as never, acceptcb, { n: 1 }, 0, -1, sin, sizeof(sin))).toThrow(
        /evconnlistener_new_bind: base is null/);
    });
  });
});
