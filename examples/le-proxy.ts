/*
  This example code shows how to write a proxy with Libevent's bufferevent layer.

  libevent's sample/le-proxy.c, statement by statement, without its OpenSSL options (-s, -W):
  every connection accepted on <listen-on-addr> is relayed to <connect-to-addr> and back.
 */

import type { bufferevent } from "libevent-ts/event2/bufferevent";
import {
  BEV_EVENT_EOF, BEV_EVENT_ERROR, BEV_OPT_CLOSE_ON_FREE, BEV_OPT_DEFER_CALLBACKS, bufferevent_disable,
  bufferevent_enable, bufferevent_free, bufferevent_get_input, bufferevent_get_output, bufferevent_setcb,
  bufferevent_setwatermark, bufferevent_socket_connect, bufferevent_socket_new,
} from "libevent-ts/event2/bufferevent";
import type { evbuffer } from "libevent-ts/event2/buffer";
import { evbuffer_add_buffer, evbuffer_drain, evbuffer_get_length } from "libevent-ts/event2/buffer";
import type { evconnlistener } from "libevent-ts/event2/listener";
import {
  LEV_OPT_CLOSE_ON_EXEC, LEV_OPT_CLOSE_ON_FREE, LEV_OPT_REUSEABLE, evconnlistener_free, evconnlistener_new_bind,
} from "libevent-ts/event2/listener";
import type { evutil_socket_t, sockaddr } from "libevent-ts/event2/util";
import {
  AF_INET, errno, evutil_parse_sockaddr_port, htonl, htons, memset, sizeof, sockaddr_in, sockaddr_storage, strerror,
} from "libevent-ts/event2/util";
import type { event_base } from "libevent-ts/event2/event";
import { EV_READ, EV_WRITE, event_base_dispatch, event_base_free, event_base_new } from "libevent-ts/event2/event";

let base: event_base | null;
const listen_on_addr = new sockaddr_storage();
const connect_to_addr = new sockaddr_storage();
let connect_to_addrlen: number;

const MAX_OUTPUT = (512 * 1024);

function readcb(bev: bufferevent, ctx: bufferevent | null): void {
  const partner = ctx;
  let src: evbuffer, dst: evbuffer;
  let len: number;
  src = bufferevent_get_input(bev);
  len = evbuffer_get_length(src);
  if (!partner) {
    evbuffer_drain(src, len);
    return;
  }
  dst = bufferevent_get_output(partner);
  evbuffer_add_buffer(dst, src);

  if (evbuffer_get_length(dst) >= MAX_OUTPUT) {
    /* We're giving the other side data faster than it can
     * pass it on.  Stop reading here until we have drained the
     * other side to MAX_OUTPUT/2 bytes. */
    bufferevent_setcb(partner, readcb, drained_writecb,
      eventcb, bev);
    bufferevent_setwatermark(partner, EV_WRITE, MAX_OUTPUT / 2,
      MAX_OUTPUT);
    bufferevent_disable(bev, EV_READ);
  }
}

function drained_writecb(bev: bufferevent, ctx: bufferevent | null): void {
  const partner = ctx;

  /* We were choking the other side until we drained our outbuf a bit.
   * Now it seems drained. */
  bufferevent_setcb(bev, readcb, null, eventcb, partner);
  bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
  if (partner)
    bufferevent_enable(partner, EV_READ);
}

function close_on_finished_writecb(bev: bufferevent, ctx: bufferevent | null): void {
  const b = bufferevent_get_output(bev);

  if (evbuffer_get_length(b) === 0) {
    bufferevent_free(bev);
  }
}

function eventcb(bev: bufferevent, what: number, ctx: bufferevent | null): void {
  const partner = ctx;

  if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
    if (what & BEV_EVENT_ERROR) {
      if (errno)
        console.error(`connection error: ${strerror(errno)}`);
    }

    if (partner) {
      /* Flush all pending data */
      readcb(bev, ctx);

      if (evbuffer_get_length(
        bufferevent_get_output(partner))) {
        /* We still have to flush data from the other
         * side, but when that's done, close the other
         * side. */
        bufferevent_setcb(partner,
          null, close_on_finished_writecb,
          eventcb, null);
        bufferevent_disable(partner, EV_READ);
      } else {
        /* We have nothing left to say to the other
         * side; close it. */
        bufferevent_free(partner);
      }
    }
    bufferevent_free(bev);
  }
}

function syntax(): never {
  process.stderr.write("Syntax:\n");
  process.stderr.write("   le-proxy <listen-on-addr> <connect-to-addr>\n");
  process.stderr.write("Example:\n");
  process.stderr.write("   le-proxy 127.0.0.1:8888 1.2.3.4:80\n");

  process.exit(1);
}

function accept_cb(listener: evconnlistener, fd: evutil_socket_t,
  a: sockaddr, slen: number, p: null): void {
  let b_out: bufferevent | null, b_in: bufferevent | null;
  /* Create two linked bufferevent objects: one to connect, one for the
   * new connection */
  b_in = bufferevent_socket_new(base, fd,
    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);

  b_out = bufferevent_socket_new(base, -1,
    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);

  if (!b_in || !b_out) throw new Error("assert(b_in && b_out)");

  if (bufferevent_socket_connect(b_out,
    connect_to_addr, connect_to_addrlen) < 0) {
    console.error(`bufferevent_socket_connect: ${strerror(errno)}`);
    bufferevent_free(b_out);
    bufferevent_free(b_in);
    return;
  }

  bufferevent_setcb(b_in, readcb, null, eventcb, b_out);
  bufferevent_setcb(b_out, readcb, null, eventcb, b_in);

  bufferevent_enable(b_in, EV_READ | EV_WRITE);
  bufferevent_enable(b_out, EV_READ | EV_WRITE);
}

function main(argc: number, argv: string[]): number {
  let i: number;
  const socklen = { value: 0 };

  let listener: evconnlistener | null;

  if (argc < 3)
    syntax();

  for (i = 1; i < argc; ++i) {
    if (argv[i]![0] === "-") {
      syntax();
    } else
      break;
  }

  if (i + 2 !== argc)
    syntax();

  memset(listen_on_addr, 0, sizeof(listen_on_addr));
  socklen.value = sizeof(listen_on_addr);
  if (evutil_parse_sockaddr_port(argv[i]!,
    listen_on_addr, socklen) < 0) {
    const p = Number.parseInt(argv[i]!, 10) || 0;
    const sin = listen_on_addr as sockaddr_in;
    if (p < 1 || p > 65535)
      syntax();
    sin.sin_port = htons(p);
    sin.sin_addr.s_addr = htonl(0x7f000001);
    sin.sin_family = AF_INET;
    socklen.value = sizeof(sockaddr_in);
  }

  memset(connect_to_addr, 0, sizeof(connect_to_addr));
  const connect_to_len = { value: sizeof(connect_to_addr) };
  if (evutil_parse_sockaddr_port(argv[i + 1]!,
    connect_to_addr, connect_to_len) < 0)
    syntax();
  connect_to_addrlen = connect_to_len.value;

  base = event_base_new();
  if (!base) {
    console.error(`event_base_new(): ${strerror(errno)}`);
    return 1;
  }

  listener = evconnlistener_new_bind(base, accept_cb, null,
    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE,
    -1, listen_on_addr, socklen.value);

  if (! listener) {
    console.error("Couldn't open listener.");
    event_base_free(base);
    return 1;
  }
  event_base_dispatch(base);

  evconnlistener_free(listener);
  event_base_free(base);

  return 0;
}

const argv = process.argv.slice(1);
process.exitCode = main(argv.length, argv);
