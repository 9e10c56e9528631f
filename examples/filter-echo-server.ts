/*
 * An echo server for a length-prefixed protocol, built with a bufferevent filter. On the wire,
 * every message is a 4-byte big-endian length followed by that many bytes, which may be any
 * bytes but a newline. Each connection's socket bufferevent is wrapped in a filter that turns
 * incoming frames into lines and outgoing lines into frames, so that the application code
 * (echo_read_cb) only deals in lines: it finds each one with evbuffer_search_eol and moves it,
 * unchanged, to its output.
 *
 * A frame longer than MAX_FRAME, or one that contains a newline, is a protocol error: the
 * input filter reports it to the connection's event callback, which closes the connection.
 * The filter stops producing frames while the socket's output holds WRITE_HIGH bytes or more
 * (its write high watermark), and resumes as the socket drains.
 *
 * filter-echo-server [-q] [PORT]     (127.0.0.1, port 9995 unless given; SIGINT ends it)
 */

import type { bufferevent, bufferevent_filter_cb } from "libevent-ts/event2/bufferevent";
import {
  BEV_ERROR, BEV_EVENT_EOF, BEV_EVENT_ERROR, BEV_EVENT_READING, BEV_NEED_MORE, BEV_OK,
  BEV_OPT_CLOSE_ON_FREE, BEV_TRIG_DEFER_CALLBACKS, bufferevent_enable, bufferevent_filter_new, bufferevent_free,
  bufferevent_get_input, bufferevent_get_output, bufferevent_setcb, bufferevent_setwatermark, bufferevent_socket_new,
  bufferevent_trigger_event,
} from "libevent-ts/event2/bufferevent";
import {
  EVBUFFER_EOL_LF, evbuffer_add, evbuffer_copyout, evbuffer_drain, evbuffer_get_length, evbuffer_pullup,
  evbuffer_remove_buffer, evbuffer_search_eol, evbuffer_search_range, evbuffer_ptr, evbuffer_ptr_set, EVBUFFER_PTR_SET,
} from "libevent-ts/event2/buffer";
import type { evconnlistener } from "libevent-ts/event2/listener";
import {
  LEV_OPT_CLOSE_ON_FREE, LEV_OPT_REUSEABLE, evconnlistener_free, evconnlistener_get_base, evconnlistener_new_bind,
} from "libevent-ts/event2/listener";
import type { evutil_socket_t, sockaddr } from "libevent-ts/event2/util";
import {
  AF_INET, INADDR_LOOPBACK, SIGINT, errno, evutil_closesocket, htonl, htons, memset, sizeof, sockaddr_in, strerror,
} from "libevent-ts/event2/util";
import type { event, event_base } from "libevent-ts/event2/event";
import {
  EV_READ, EV_WRITE, event_add, event_base_dispatch, event_base_free, event_base_loopbreak, event_base_new, event_free,
  evsignal_new,
} from "libevent-ts/event2/event";

/** The largest message accepted, in bytes. */
const MAX_FRAME = 1 << 20;
/** The socket's write high watermark: frames wait in the filter beyond it. */
const WRITE_HIGH = 256 * 1024;

let port = 9995;
let quiet = 0;
let n_open = 0;

/** Per connection: the filter bufferevent, and the protocol error if one was found. */
interface conn_state {
  bev: bufferevent | null;
  error: string | null;
}

const header = new Uint8Array(4);
const payload_start = new evbuffer_ptr();
const payload_end = new evbuffer_ptr();
/** Decodes the lines printed (invalid UTF-8 shows as U+FFFD). */
const text = new TextDecoder();

/**
 * Input filter: from the socket's input, every complete frame becomes a line (its text and a
 * newline) in the filter's input. Stops at an incomplete frame, and once `dst_limit` bytes were
 * produced (the room the filter's read high watermark leaves, or -1 for no limit).
 */
const frames_to_lines: bufferevent_filter_cb<conn_state> = (src, dst, dst_limit, mode, ctx) => {
  const conn = ctx;
  let produced = 0;

  while (evbuffer_get_length(src) >= 4 && (dst_limit < 0 || produced < dst_limit)) {
    evbuffer_copyout(src, header, 4);
    const len = ((header[0]! << 24) | (header[1]! << 16) | (header[2]! << 8) | header[3]!) >>> 0;
    if (len > MAX_FRAME)
      return protocol_error(conn, produced, `a frame of ${len} bytes`);
    if (evbuffer_get_length(src) < 4 + len)
      break;
    evbuffer_ptr_set(src, payload_start, 4, EVBUFFER_PTR_SET);
    evbuffer_ptr_set(src, payload_end, 4 + len, EVBUFFER_PTR_SET);
    if (evbuffer_search_range(src, "\n", 1, payload_start, payload_end).pos !== -1)
      return protocol_error(conn, produced, "a newline inside a frame");
    evbuffer_drain(src, 4);
    evbuffer_remove_buffer(src, dst, len);
    evbuffer_add(dst, "\n", 1);
    produced += len + 1;
  }
  return produced > 0 ? BEV_OK : BEV_NEED_MORE;
};

/**
 * A bad frame. The lines produced before it go to the application first (BEV_OK: the filter is
 * called again, and then finds the bad frame at once). Then the error is noted and the event
 * callback told (from the loop), which closes the connection; replies not yet sent are dropped.
 */
function protocol_error(conn: conn_state, produced: number, what: string): number {
  if (produced > 0)
    return BEV_OK;
  if (conn.error === null) {
    conn.error = what;
    bufferevent_trigger_event(conn.bev!, BEV_EVENT_READING | BEV_EVENT_ERROR, BEV_TRIG_DEFER_CALLBACKS);
  }
  return BEV_ERROR;
}

/**
 * Output filter: every complete line of the filter's output becomes a frame in the socket's
 * output, while there is room below the socket's write high watermark (`dst_limit`). An
 * incomplete last line waits for its newline.
 */
const lines_to_frames: bufferevent_filter_cb<conn_state> = (src, dst, dst_limit, mode, ctx) => {
  let produced = 0;
  const eol_len = { value: 0 };

  while (evbuffer_get_length(src) > 0 && (dst_limit < 0 || produced < dst_limit)) {
    const eol = evbuffer_search_eol(src, null, eol_len, EVBUFFER_EOL_LF);
    if (eol.pos === -1)
      break;
    const len = eol.pos;
    header[0] = len >>> 24;
    header[1] = (len >>> 16) & 0xff;
    header[2] = (len >>> 8) & 0xff;
    header[3] = len & 0xff;
    evbuffer_add(dst, header, 4);
    evbuffer_remove_buffer(src, dst, len);
    evbuffer_drain(src, eol_len.value);
    produced += 4 + len;
  }
  return produced > 0 ? BEV_OK : BEV_NEED_MORE;
};

function free_conn_state(ctx: conn_state): void {
  ctx.bev = null;
  --n_open;
}

/**
 * The application: an echo of every line. A frame may carry any bytes, so each line moves from
 * the input to the output as bytes, with its newline; only the copy that is printed is decoded.
 */
function echo_read_cb(bev: bufferevent, ctx: conn_state): void {
  const input = bufferevent_get_input(bev);
  const output = bufferevent_get_output(bev);
  const eol_len = { value: 0 };
  let eol: evbuffer_ptr;

  while ((eol = evbuffer_search_eol(input, null, eol_len, EVBUFFER_EOL_LF)).pos !== -1) {
    if (!quiet) {
      const line = eol.pos > 0 ? text.decode(evbuffer_pullup(input, eol.pos)!) : "";
      console.log(`Message: ${line.length > 60 ? `${line.slice(0, 60)}... (${eol.pos} bytes)` : line}`);
    }
    evbuffer_remove_buffer(input, output, eol.pos + eol_len.value);
  }
}

function echo_event_cb(bev: bufferevent, events: number, ctx: conn_state): void {
  if (events & BEV_EVENT_ERROR) {
    if (ctx.error !== null)
      console.error(`Protocol error: ${ctx.error}; closing the connection.`);
    else
      console.error(`Error from bufferevent: ${strerror(errno)}`);
  }
  if (events & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
    if (!quiet)
      console.log("Connection closed.");
    bufferevent_free(bev);
  }
}

function accept_conn_cb(listener: evconnlistener, fd: evutil_socket_t,
  address: sockaddr, socklen: number, ctx: null): void {
  const base = evconnlistener_get_base(listener);
  const conn: conn_state = { bev: null, error: null };

  const sock = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
  if (!sock) {
    console.error("Error constructing bufferevent!");
    evutil_closesocket(fd);
    return;
  }
  bufferevent_setwatermark(sock, EV_WRITE, 0, WRITE_HIGH);

  // Freeing the filter frees the socket bufferevent, which closes the socket.
  const bev = bufferevent_filter_new(sock, frames_to_lines, lines_to_frames,
    BEV_OPT_CLOSE_ON_FREE, free_conn_state, conn);
  if (!bev) {
    console.error("Error constructing the filter!");
    bufferevent_free(sock);
    return;
  }
  conn.bev = bev;
  ++n_open;
  bufferevent_setcb(bev, echo_read_cb, null, echo_event_cb, conn);
  bufferevent_enable(bev, EV_READ | EV_WRITE);
  if (!quiet)
    console.log("Accepted a connection.");
}

function signal_cb(sig: evutil_socket_t, events: number, ctx: event_base): void {
  const base = ctx;

  console.log("Caught an interrupt signal; exiting.");
  event_base_loopbreak(base);
}

function main(argc: number, argv: string[]): number {
  let base: event_base | null;
  let listener: evconnlistener | null;
  let signal_event: event | null;
  const sin = new sockaddr_in();

  for (let i = 1; i < argc; i++) {
    if (argv[i] === "-q")
      quiet = 1;
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

  console.log(`Listening on 127.0.0.1:${port}`);
  event_base_dispatch(base);

  evconnlistener_free(listener);
  event_free(signal_event);
  event_base_free(base);

  console.log(`done; ${n_open} connection(s) were open`);
  return 0;
}

const argv = process.argv.slice(1);
process.exitCode = main(argv.length, argv);
