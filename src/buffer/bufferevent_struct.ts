/**
 * `struct bufferevent` and `struct event_watermark` (libevent's event2/bufferevent_struct.h): the
 * fields of a bufferevent that C programs and libevent's regression tests read directly
 * (`bev->input`, `bev->ev_write`, `bev->wm_read` ...), with their C names.
 * @module
 */
import type { evbuffer } from "./buffer.js";
import type { bufferevent_ops } from "./bufferevent-internal.js";
import { event } from "../event/event.js";
import type { event_base } from "../event/event.js";
import { timeval } from "../util/time.js";

/**
 * `typedef void (*bufferevent_data_cb)(struct bufferevent *bev, void *ctx)`: a read or write
 * callback. `ctx` is the `cbarg` given to `bufferevent_setcb`.
 * @param bev the bufferevent
 * @param ctx the `cbarg` given to `bufferevent_setcb`
 * @category Bufferevents
 */
export type bufferevent_data_cb<A = any> = (bev: bufferevent, ctx: A) => void;

/**
 * `typedef void (*bufferevent_event_cb)(struct bufferevent *bev, short what, void *ctx)`: the
 * event callback. `what` is BEV_EVENT_READING or BEV_EVENT_WRITING combined with BEV_EVENT_EOF,
 * BEV_EVENT_ERROR (errno holds the error) or BEV_EVENT_TIMEOUT, or BEV_EVENT_CONNECTED alone.
 * @param bev the bufferevent
 * @param what the `BEV_EVENT_*` bits
 * @param ctx the `cbarg` given to `bufferevent_setcb`
 * @category Bufferevents
 */
export type bufferevent_event_cb<A = any> = (bev: bufferevent, what: number, ctx: A) => void;

/** `struct event_watermark`: a low and a high watermark, in bytes (0: none). @category Bufferevents */
export class event_watermark {
  /** Low watermark. */
  low = 0;
  /** High watermark. */
  high = 0;
}

/**
 * `struct bufferevent`: a buffered connection. Opaque in use, as in C: make it with
 * `bufferevent_socket_new` (or a pair/filter constructor) and release it with `bufferevent_free`.
 * The fields keep their C names for code that reads them; change them only through the API.
 * @category Bufferevents
 */
export class bufferevent {
  /** The base the bufferevent's events belong to. */
  ev_base: event_base | null = null;
  /** @internal The implementation (socket, pair, filter). */
  be_ops!: bufferevent_ops;
  /** The read event: on a socket bufferevent, EV_READ|EV_PERSIST on its fd with the read timeout. */
  readonly ev_read = new event<bufferevent>();
  /** The write event: on a socket bufferevent, EV_WRITE|EV_PERSIST on its fd with the write timeout. */
  readonly ev_write = new event<bufferevent>();
  /** Data received and not yet taken by the user. */
  input!: evbuffer;
  /** Data given by the user and not yet sent. */
  output!: evbuffer;
  /** Read watermarks: the read callback waits for `low` bytes; reading stops at `high` (0: no limit). */
  readonly wm_read = new event_watermark();
  /** Write watermarks: the write callback runs once the output is down to `low` bytes. */
  readonly wm_write = new event_watermark();
  /** The read callback, or null. */
  readcb: bufferevent_data_cb | null = null;
  /** The write callback, or null. */
  writecb: bufferevent_data_cb | null = null;
  /** The event callback, or null (C calls it `errorcb`). */
  errorcb: bufferevent_event_cb | null = null;
  /** The argument of the three callbacks. */
  cbarg: any = null;
  /** Read timeout (zero: none). */
  readonly timeout_read = new timeval();
  /** Write timeout (zero: none). */
  readonly timeout_write = new timeval();
  /** EV_READ|EV_WRITE as the user enabled them. */
  enabled = 0;
}
