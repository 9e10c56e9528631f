/**
 * What libevent's bufferevent-internal.h shares between the bufferevent types: the suspend
 * reasons and the implementation table (`struct bufferevent_ops`) that socket, pair and filter
 * bufferevents fill in. `struct bufferevent_private` itself is in bufferevent.ts, next to the
 * reference counting its methods need.
 * @internal
 * @module
 */
import { event_add } from "../event/event.js";
import { timerisset_ } from "../util/time.js";
import type { bufferevent } from "./bufferevent_struct.js";

/** Reading or writing is suspended because the input reached its high watermark. */
export const BEV_SUSPEND_WM = 0x01;
/** ... because the bufferevent's own rate limit is used up. */
export const BEV_SUSPEND_BW = 0x02;
/** ... because its rate-limit group's limit is used up. */
export const BEV_SUSPEND_BW_GROUP = 0x04;
/** ... because a name lookup for bufferevent_socket_connect_hostname is running. */
export const BEV_SUSPEND_LOOKUP = 0x08;
/** ... because a filter's underlying bufferevent is full (filters only). */
export const BEV_SUSPEND_FILT_READ = 0x10;

/** `enum bufferevent_ctrl_op` (what `bufferevent_ops.ctrl` is asked to do): use the fd in `data.fd`. */
export const BEV_CTRL_SET_FD = 0;
/** ... store the bufferevent's fd (-1 if none) in `data.fd`. */
export const BEV_CTRL_GET_FD = 1;
/** ... store the bufferevent a filter works on in `data.ptr`. */
export const BEV_CTRL_GET_UNDERLYING = 2;
/** ... cancel what is in progress (a name lookup), as bufferevent_free does. */
export const BEV_CTRL_CANCEL_ALL = 3;

/** `union bufferevent_ctrl_data`: the argument and result of `bufferevent_ops.ctrl`. */
export class bufferevent_ctrl_data {
  /** BEV_CTRL_GET_UNDERLYING's answer. */
  ptr: bufferevent | null = null;
  /** BEV_CTRL_SET_FD's argument and BEV_CTRL_GET_FD's answer. */
  fd = -1;
}

/**
 * `struct bufferevent_ops`: one per bufferevent type. `enable`/`disable` start or stop the
 * backing I/O for EV_READ/EV_WRITE (`bufferevent.enabled` is kept by the caller); `unlink` runs
 * when the last reference goes, `destruct` when the bufferevent is finalized; `adj_timeouts` after
 * the timeouts change; `flush` and `ctrl` as their names say. Each returns 0 or -1 as in C; a null
 * entry means the type does not support the operation.
 */
export interface bufferevent_ops {
  /** Start the backing I/O (events, timers) for EV_READ and/or EV_WRITE in `events`. */
  readonly enable: (bev: bufferevent, events: number) => number;
  /** Stop the backing I/O for EV_READ and/or EV_WRITE in `events`. */
  readonly disable: (bev: bufferevent, events: number) => number;
  /** Detach from what the bufferevent is linked to (socket, partner, underlying) once its last reference goes. */
  readonly unlink: ((bev: bufferevent) => void) | null;
  /** Release the type's own resources when the bufferevent is finalized. */
  readonly destruct: ((bev: bufferevent) => void) | null;
  /** Apply changed read and write timeouts to the pending events. */
  readonly adj_timeouts: ((bev: bufferevent) => number) | null;
  /** bufferevent_flush for this type: -1 on failure, 0 if nothing was flushed, 1 if data was. */
  readonly flush: ((bev: bufferevent, iotype: number, mode: number) => number) | null;
  /** Do the BEV_CTRL_* operation `op` with its argument or result in `data`; 0, or -1 if unsupported. */
  readonly ctrl: ((bev: bufferevent, op: number, data: bufferevent_ctrl_data) => number) | null;
}

/** libevent's BEV_RESET_GENERIC_READ_TIMEOUT: (re)start the read timer of a bufferevent without an fd. */
export function BEV_RESET_GENERIC_READ_TIMEOUT(bev: bufferevent): void {
  if (timerisset_(bev.timeout_read)) event_add(bev.ev_read, bev.timeout_read);
}

/** libevent's BEV_RESET_GENERIC_WRITE_TIMEOUT: (re)start the write timer of a bufferevent without an fd. */
export function BEV_RESET_GENERIC_WRITE_TIMEOUT(bev: bufferevent): void {
  if (timerisset_(bev.timeout_write)) event_add(bev.ev_write, bev.timeout_write);
}
