/**
 * The obsolete bufferevent names libevent 2.1 keeps (bufferevent_compat.h): `bufferevent_new` on
 * the event_init() base, `bufferevent_settimeout` in whole seconds, the `EVBUFFER_INPUT` /
 * `EVBUFFER_OUTPUT` macros, the `EVBUFFER_*` event bits and the `evbuffercb` / `everrorcb` types.
 * @module
 */
import { misuse_as_ } from "../util/check.js";
import { event_global_current_base_ } from "../event/event.js";
import { check_fn_or_null_, check_int_ } from "../util/check.js";
import { timeval } from "../util/time.js";
import type { evutil_socket_t } from "../util/types.js";
import type { evbuffer } from "./buffer.js";
import {
  BEV_EVENT_EOF, BEV_EVENT_ERROR, BEV_EVENT_READING, BEV_EVENT_TIMEOUT, BEV_EVENT_WRITING, bufferevent_get_input,
  bufferevent_get_output, bufferevent_set_timeouts, bufferevent_setcb,
} from "./bufferevent.js";
import { bufferevent_socket_new } from "./bufferevent_sock.js";
import type { bufferevent, bufferevent_data_cb, bufferevent_event_cb } from "./bufferevent_struct.js";

/** `#define evbuffercb bufferevent_data_cb`: the read and write callback type of {@link bufferevent_new}. */
export type evbuffercb<A = any> = bufferevent_data_cb<A>;
/** `#define everrorcb bufferevent_event_cb`: the event callback type of {@link bufferevent_new}. */
export type everrorcb<A = any> = bufferevent_event_cb<A>;

/** `#define EVBUFFER_READ BEV_EVENT_READING` */
export const EVBUFFER_READ = BEV_EVENT_READING;
/** `#define EVBUFFER_WRITE BEV_EVENT_WRITING` */
export const EVBUFFER_WRITE = BEV_EVENT_WRITING;
/** `#define EVBUFFER_EOF BEV_EVENT_EOF` */
export const EVBUFFER_EOF = BEV_EVENT_EOF;
/** `#define EVBUFFER_ERROR BEV_EVENT_ERROR` */
export const EVBUFFER_ERROR = BEV_EVENT_ERROR;
/** `#define EVBUFFER_TIMEOUT BEV_EVENT_TIMEOUT` */
export const EVBUFFER_TIMEOUT = BEV_EVENT_TIMEOUT;

/**
 * `struct bufferevent *bufferevent_new(evutil_socket_t fd, evbuffercb readcb, evbuffercb
 * writecb, everrorcb errorcb, void *cbarg)`: bufferevent_socket_new(NULL, fd, 0), then
 * bufferevent_setcb(bev, readcb, writecb, errorcb, cbarg): a socket bufferevent on the current
 * base (the last event_init()'s), without options.
 *
 * Writing starts enabled and reading must be enabled with bufferevent_enable, as for any socket
 * bufferevent; bufferevent_base_set moves it to another base before its events are first added.
 * The bufferevent belongs to the current base: bufferevent_get_base returns it, where C returns
 * NULL and looks the current base up at each use (the same base unless event_init() runs again).
 * @deprecated libevent 2.1: it uses the current base, error-prone in multithreaded programs; use
 *   {@link bufferevent_socket_new} and {@link bufferevent_setcb}.
 * @param fd       a nonblocking socket, or -1
 * @param readcb   called when data was read, or null
 * @param writecb  called when the output drained to its low watermark, or null
 * @param errorcb  called on EOF, error or timeout (`what` has EVBUFFER_READ or EVBUFFER_WRITE
 *   with EVBUFFER_EOF, EVBUFFER_ERROR or EVBUFFER_TIMEOUT), or null
 * @param cbarg    the callbacks' argument
 * @returns the bufferevent. Without a current base (C dereferences NULL) a TypeError.
 */
export function bufferevent_new<A>(
  fd: evutil_socket_t, readcb: evbuffercb<A> | null, writecb: evbuffercb<A> | null, errorcb: everrorcb<A> | null,
  cbarg: A,
): bufferevent | null {
  const fn = "bufferevent_new";
  if (event_global_current_base_() === null) {
    throw new TypeError(`${fn}: there is no current base (call event_init() first)`);
  }
  check_int_(fn, "fd", fd);
  check_fn_or_null_(fn, "readcb", readcb);
  check_fn_or_null_(fn, "writecb", writecb);
  check_fn_or_null_(fn, "errorcb", errorcb);
  let bufev: bufferevent | null;
  try {
    bufev = bufferevent_socket_new(null, fd, 0);
  } catch (e) {
    throw misuse_as_(e, fn);
  }
  if (bufev === null) return null;
  bufferevent_setcb(bufev, readcb, writecb, errorcb, cbarg);
  return bufev;
}

/**
 * `void bufferevent_settimeout(struct bufferevent *bufev, int timeout_read, int timeout_write)`:
 * bufferevent_set_timeouts with timeouts of whole seconds; 0 clears that direction's timeout.
 * @deprecated libevent 2.1 (bufferevent_compat.h); use {@link bufferevent_set_timeouts}, which
 *   takes timevals.
 * @param bufev          the bufferevent
 * @param timeout_read   the read timeout in seconds, or 0 for none
 * @param timeout_write  the write timeout in seconds, or 0 for none
 */
export function bufferevent_settimeout(bufev: bufferevent, timeout_read: number, timeout_write: number): void {
  const fn = "bufferevent_settimeout";
  check_int_(fn, "timeout_read", timeout_read);
  check_int_(fn, "timeout_write", timeout_write);
  try {
    bufferevent_set_timeouts(bufev, timeout_read ? new timeval(timeout_read, 0) : null,
      timeout_write ? new timeval(timeout_write, 0) : null);
  } catch (e) {
    throw misuse_as_(e, fn);
  }
}

/**
 * `#define EVBUFFER_INPUT(x)`: bufferevent_get_input(x).
 * @deprecated libevent 2.1: call {@link bufferevent_get_input} directly.
 * @param x  the bufferevent
 * @returns its input buffer
 */
export function EVBUFFER_INPUT(x: bufferevent): evbuffer {
  try {
    return bufferevent_get_input(x);
  } catch (e) {
    throw misuse_as_(e, "EVBUFFER_INPUT");
  }
}

/**
 * `#define EVBUFFER_OUTPUT(x)`: bufferevent_get_output(x).
 * @deprecated libevent 2.1: call {@link bufferevent_get_output} directly.
 * @param x  the bufferevent
 * @returns its output buffer
 */
export function EVBUFFER_OUTPUT(x: bufferevent): evbuffer {
  try {
    return bufferevent_get_output(x);
  } catch (e) {
    throw misuse_as_(e, "EVBUFFER_OUTPUT");
  }
}
