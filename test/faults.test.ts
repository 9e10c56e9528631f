/**
 * Faults a server meets: a peer that resets the connection while it is being written to (the
 * error arrives as BEV_EVENT_ERROR|BEV_EVENT_WRITING, never as a SIGPIPE death), a refused
 * connect (exactly one BEV_EVENT_ERROR), EMFILE at accept (libevent's listener/error_unlock: the
 * error callback runs, the listener survives), and descriptor accounting over 2,000 connections.
 */
import { describe, expect, it } from "vitest";
import {
  BEV_EVENT_CONNECTED, BEV_EVENT_EOF, BEV_EVENT_ERROR, BEV_EVENT_WRITING, BEV_OPT_CLOSE_ON_FREE, BEV_OPT_DEFER_CALLBACKS,
  bufferevent, bufferevent_disable, bufferevent_enable, bufferevent_free, bufferevent_get_output, bufferevent_setcb,
  bufferevent_read, bufferevent_socket_connect, bufferevent_socket_connect_hostname, bufferevent_socket_new,
  bufferevent_write,
} from "libevent-ts/event2/bufferevent";
import {
  EV_READ, EV_WRITE, event_add, event_base_dispatch, event_base_free, event_base_loop, event_base_new, event_free, evtimer_new,
  EVLOOP_ONCE,
} from "libevent-ts/event2/event";
import { evbuffer_drain, evbuffer_get_length } from "libevent-ts/event2/buffer";
import {
  evconnlistener, evconnlistener_free, evconnlistener_get_fd, evconnlistener_new_bind, LEV_OPT_CLOSE_ON_FREE,
  LEV_OPT_REUSEABLE,
} from "libevent-ts/event2/listener";
import {
  AF_INET, bind, ECONNREFUSED, ECONNRESET, EMFILE, EPIPE, errno, evutil_closesocket, getsockname, htonl, ntohs, sizeof,
  SOCK_STREAM, sockaddr_in, socket, timeval,
} from "libevent-ts/event2/util";
import { inDispatch, exchange, freePort, listening, printed, start, until } from "./helpers/children.js";
import { openFds } from "./helpers/fds.js";

function loopback(port = 0): sockaddr_in {
  const sin = new sockaddr_in();
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(0x7f000001);
  sin.sin_port = port;
  return sin;
}

function boundAddr(lev: evconnlistener): sockaddr_in {
  const sin = new sockaddr_in();
  const len = { value: sizeof(sin) };
  expect(getsockname(evconnlistener_get_fd(lev), sin, len)).toBe(0);
  return sin;
}

describe("faults", () => {
  it("a peer that resets mid-write: BEV_EVENT_ERROR|BEV_EVENT_WRITING with EPIPE or ECONNRESET, and the server goes on", () => {
    const base = event_base_new()!;
    const big = new Uint8Array(16 << 20);
    const serverEvents: { what: number; err: number; unsent: number }[] = [];
    const servers: bufferevent[] = [];
    let served = 0;
    const lev = evconnlistener_new_bind(base, (_l, fd) => {
      const bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE)!;
      servers.push(bev);
      bufferevent_setcb(bev, null, (b) => {
        if (evbuffer_get_length(bufferevent_get_output(b)) === 0) {
          served++;
          bufferevent_free(b);
        }
      }, (b, what) => {
        serverEvents.push({ what, err: errno, unsent: evbuffer_get_length(bufferevent_get_output(b)) });
        bufferevent_free(b);
      }, null);
      bufferevent_disable(bev, EV_READ);
      // The first client gets far more than socket buffers hold; later ones a little.
      if (servers.length === 1) bufferevent_write(bev, big, big.length);
      else bufferevent_write(bev, "still here\n", 11);
    }, null, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1, loopback(), sizeof(sockaddr_in))!;
    const addr = boundAddr(lev);

    // A client that never reads: once the server is blocked mid-write, it closes with unread
    // data, which resets the connection.
    const client = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)!;
    bufferevent_setcb(client, null, null, null, null);
    expect(bufferevent_socket_connect(client, addr, sizeof(addr))).toBe(0);
    while (servers.length === 0 || evbuffer_get_length(servers[0]!.output) === big.length) event_base_loop(base, EVLOOP_ONCE);
    expect(evbuffer_get_length(servers[0]!.output)).toBeGreaterThan(0);
    bufferevent_free(client);
    while (serverEvents.length === 0) event_base_loop(base, EVLOOP_ONCE);

    expect(serverEvents.length).toBe(1);
    expect(serverEvents[0]!.what).toBe(BEV_EVENT_ERROR | BEV_EVENT_WRITING);
    expect([EPIPE, ECONNRESET]).toContain(serverEvents[0]!.err);
    expect(serverEvents[0]!.unsent).toBeGreaterThan(0);

    // The server goes on: a second client is served.
    let got = "";
    const client2 = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)!;
    bufferevent_setcb(client2, (b) => {
      const buf = new Uint8Array(64);
      got += Buffer.from(buf.subarray(0, bufferevent_read(b, buf, buf.length))).toString();
    }, null, (b, what) => {
      if (what & BEV_EVENT_EOF) bufferevent_free(b);
    }, null);
    bufferevent_enable(client2, EV_READ);
    expect(bufferevent_socket_connect(client2, addr, sizeof(addr))).toBe(0);
    while (got !== "still here\n" || served !== 1) event_base_loop(base, EVLOOP_ONCE);
    evconnlistener_free(lev);
    expect(event_base_dispatch(base)).toBe(1);
    event_base_free(base);
  });

  it("a peer that resets the echo server (a child process) mid-write: the server reports the error and keeps serving", async () => {
    const port = await freePort();
    const c = start("examples/echo-server.ts", [String(port)]);
    await listening(port, c);
    // Send a lot without reading the echo, then close: the server is writing into a reset connection.
    await new Promise<void>((resolve, reject) => {
      import("node:net").then(({ connect }) => {
        const s = connect(port, "127.0.0.1", () => {
          s.pause();
          s.write(Buffer.alloc(8 << 20), () => {
            s.resetAndDestroy();
            resolve();
          });
        });
        s.on("error", reject);
      }, reject);
    });
    await printed(c, "Error from bufferevent: ");
    expect(c.stderr).toMatch(/Error from bufferevent: (Broken pipe|Connection reset by peer)/);
    expect((await exchange(port, "after the reset")).toString()).toBe("after the reset");
    expect(c.proc.exitCode).toBeNull();
    await until(() => inDispatch(c.proc.pid!), 15_000, () => "the loop to wait");
    c.proc.kill("SIGINT");
    expect(await c.exited).toBe(0);
  });

  for (const defer of [false, true]) {
    it(`a refused connect gives exactly one BEV_EVENT_ERROR, errno ECONNREFUSED, and nothing else${defer ? " (deferred callbacks)" : ""}`, () => {
      const base = event_base_new()!;
      const sin = loopback();
      const fake = socket(AF_INET, SOCK_STREAM, 0); // bound, never listening
      expect(bind(fake, sin, sizeof(sin))).toBe(0);
      const len = { value: sizeof(sin) };
      expect(getsockname(fake, sin, len)).toBe(0);

      const calls: string[] = [];
      const bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE | (defer ? BEV_OPT_DEFER_CALLBACKS : 0))!;
      bufferevent_setcb(bev, () => calls.push("read"), () => calls.push("write"), (_b, what) => calls.push(`event ${what} ${errno}`), null);
      bufferevent_enable(bev, EV_READ | EV_WRITE);
      bufferevent_write(bev, "never sent", 10);
      expect(bufferevent_socket_connect(bev, sin, sizeof(sin))).toBe(0);
      // Let the loop run on a while after the error, to see that nothing else comes.
      const stop = evtimer_new(base, () => {}, null)!;
      event_add(stop, new timeval(0, 200000));
      expect(event_base_dispatch(base)).toBe(1);
      expect(calls).toEqual([`event ${BEV_EVENT_ERROR} ${ECONNREFUSED}`]);
      bufferevent_free(bev);
      event_free(stop);
      evutil_closesocket(fake);
      event_base_dispatch(base);
      event_base_free(base);
    });
  }

  it("EMFILE at accept (a child under ulimit -n 64): the error callback runs each iteration while it lasts, and the listener accepts again once descriptors are freed", async () => {
    const c = start("test/fixtures/emfile_listener.ts", [], { shPrefix: "ulimit -n 64" });
    expect(await c.exited).toBe(0);
    const result = JSON.parse(c.stdout) as { errors: number; errnos: number[]; accepted: number; hoarded: number; hoardErrno: number };
    expect(result.hoardErrno).toBe(EMFILE);
    expect(result.hoarded).toBeGreaterThan(0);
    expect(result.errors).toBe(3);
    expect(result.errnos).toEqual([EMFILE, EMFILE, EMFILE]);
    expect(result.accepted).toBe(2);
  });

  it("2,000 connections opened and closed leave no descriptor behind", () => {
    const before = openFds();
    const base = event_base_new()!;
    const TOTAL = 2000;
    const AT_ONCE = 50;
    let accepted = 0;
    let done = 0;
    let started = 0;
    const lev = evconnlistener_new_bind(base, (_l, fd) => {
      accepted++;
      const bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE)!;
      bufferevent_setcb(bev, null, (b) => {
        if (evbuffer_get_length(bufferevent_get_output(b)) === 0) bufferevent_free(b);
      }, (b) => bufferevent_free(b), null);
      bufferevent_disable(bev, EV_READ);
      bufferevent_write(bev, "Hello, World!\n", 14);
    }, null, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1, loopback(), sizeof(sockaddr_in))!;
    const addr = boundAddr(lev);
    const port = ntohs(addr.sin_port);

    const startOne = (): void => {
      const i = started++;
      const bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE | (i % 2 ? BEV_OPT_DEFER_CALLBACKS : 0))!;
      bufferevent_setcb(bev, (b) => evbuffer_drain(b.input, -1), null, (b, what) => {
        if (what & BEV_EVENT_CONNECTED) return;
        expect(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)).toBe(BEV_EVENT_EOF);
        bufferevent_free(b);
        done++;
        if (started < TOTAL) startOne();
      }, null);
      bufferevent_enable(bev, EV_READ | EV_WRITE);
      // One in ten goes through a name lookup (its pipe and worker thread must go too).
      if (i % 10 === 0) expect(bufferevent_socket_connect_hostname(bev, null, AF_INET, "localhost", port)).toBe(0);
      else expect(bufferevent_socket_connect(bev, addr, sizeof(addr))).toBe(0);
    };
    for (let i = 0; i < AT_ONCE; i++) startOne();
    while (done < TOTAL) event_base_loop(base, EVLOOP_ONCE);
    expect(accepted).toBe(TOTAL);
    evconnlistener_free(lev);
    expect(event_base_dispatch(base)).toBe(1);
    event_base_free(base);

    const after = openFds();
    const leaked = [...after].filter(([fd, target]) => before.get(fd) !== target);
    expect(leaked).toEqual([]);
    expect(after.size).toBe(before.size);
  });
});

