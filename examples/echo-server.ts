/*
 * A bufferevent echo server: whatever a connection sends is moved from the input to the output
 * buffer (evbuffer_add_buffer) in the read callback; TCP_NODELAY on every connection; SIGINT
 * ends the loop at once. Listens on 127.0.0.1, port 9996 unless given:
 *
 * echo-server [-q] [--async | --await] [PORT]
 *
 * The C program it is ported from, statement by statement, is bench/servers/echo-server.c.
 * --async runs the same server inside Node's loop (event_base_dispatch_async instead of
 * event_base_dispatch); --await too, each connection then being an async function that echoes
 * with bufferevent_read_async and bufferevent_write_async instead of callbacks.
 */

import type { bufferevent } from "libevent-ts/event2/bufferevent";
import {
  BEV_EVENT_EOF, BEV_EVENT_ERROR, BEV_OPT_CLOSE_ON_FREE, bufferevent_enable, bufferevent_free, bufferevent_get_input,
  bufferevent_get_output, bufferevent_read_async, bufferevent_setcb, bufferevent_socket_new, bufferevent_write_async,
} from "libevent-ts/event2/bufferevent";
import type { ev_async_error } from "libevent-ts/event2/bufferevent";
import { evbuffer_add_buffer } from "libevent-ts/event2/buffer";
import type { evconnlistener } from "libevent-ts/event2/listener";
import {
  LEV_OPT_CLOSE_ON_FREE, LEV_OPT_REUSEABLE, evconnlistener_free, evconnlistener_get_base, evconnlistener_new_bind,
} from "libevent-ts/event2/listener";
import type { evutil_socket_t, sockaddr } from "libevent-ts/event2/util";
import {
  AF_INET, INADDR_LOOPBACK, IPPROTO_TCP, SIGINT, TCP_NODELAY, errno, evutil_closesocket, htonl, htons, memset,
  setsockopt, sizeof, sockaddr_in, strerror,
} from "libevent-ts/event2/util";
import type { event, event_base } from "libevent-ts/event2/event";
import {
  EV_READ, EV_WRITE, event_add, event_base_dispatch, event_base_dispatch_async, event_base_free, event_base_loopbreak,
  event_base_new, event_free, evsignal_new,
} from "libevent-ts/event2/event";

let port = 9996;
let quiet = 0;
let mode = "";

function echo_read_cb(bev: bufferevent, ctx: null): void {
  evbuffer_add_buffer(bufferevent_get_output(bev), bufferevent_get_input(bev));
}

function echo_event_cb(bev: bufferevent, events: number, ctx: null): void {
  if (events & BEV_EVENT_ERROR)
    console.error(`Error from bufferevent: ${strerror(errno)}`);
  if (events & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
    if (!quiet)
      console.log("Connection closed.");
    bufferevent_free(bev);
  }
}

/* --await: one connection, echoed with await. */
async function echo_conn(bev: bufferevent): Promise<void> {
  const buf = new Uint8Array(16384);
  try {
    for (;;) {
      const n = await bufferevent_read_async(bev, buf, buf.length);
      if (n === 0)
        break;
      await bufferevent_write_async(bev, buf, n);
    }
  } catch (e) {
    console.error(`Error from bufferevent: ${strerror((e as ev_async_error).errno)}`);
  }
  if (!quiet)
    console.log("Connection closed.");
  bufferevent_free(bev);
}

function accept_conn_cb(listener: evconnlistener, fd: evutil_socket_t,
  address: sockaddr, socklen: number, ctx: null): void {
  const base = evconnlistener_get_base(listener);
  let bev: bufferevent | null;
  const one = 1;

  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, one, sizeof(one));
  bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
  if (!bev) {
    console.error("Error constructing bufferevent!");
    evutil_closesocket(fd);
    return;
  }
  if (mode === "--await") {
    void echo_conn(bev);
  } else {
    bufferevent_setcb(bev, echo_read_cb, null, echo_event_cb, null);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
  }
  if (!quiet)
    console.log("Accepted a connection.");
}

function signal_cb(sig: evutil_socket_t, events: number, ctx: event_base): void {
  const base = ctx;

  console.log("Caught an interrupt signal; exiting.");
  event_base_loopbreak(base);
}

async function main(argc: number, argv: string[]): Promise<number> {
  let base: event_base | null;
  let listener: evconnlistener | null;
  let signal_event: event | null;
  const sin = new sockaddr_in();

  for (let i = 1; i < argc; i++) {
    if (argv[i] === "-q")
      quiet = 1;
    else if (argv[i] === "--async" || argv[i] === "--await")
      mode = argv[i]!;
    else
      port = Number.parseInt(argv[i]!, 10) || 0;
  }

  base = event_base_new();
  if (!base) {
    console.error("Could not initialize libevent!");
    return 1;
  }

  memset(sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  listener = evconnlistener_new_bind(base, accept_conn_cb, null,
    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE, -1,
    sin, sizeof(sin));
  if (!listener) {
    console.error(`Could not create a listener: ${strerror(errno)}`);
    return 1;
  }

  signal_event = evsignal_new(base, SIGINT, signal_cb, base);
  if (!signal_event || event_add(signal_event, null) < 0) {
    console.error("Could not create/add a signal event!");
    return 1;
  }

  if (mode)
    await event_base_dispatch_async(base);
  else
    event_base_dispatch(base);

  evconnlistener_free(listener);
  event_free(signal_event);
  event_base_free(base);

  console.log("done");
  return 0;
}

const argv = process.argv.slice(1);
main(argv.length, argv).then((code) => {
  process.exitCode = code;
});
