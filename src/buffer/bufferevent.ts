/**
 * The common core of every bufferevent (libevent's bufferevent.c): callbacks and their
 * deferral, enabling and suspension, watermarks, timeouts, reference counting and finalization,
 * and the generic helpers that pair and filter bufferevents build on. Socket bufferevents are in
 * bufferevent_sock.ts.
 *
 * Locks: there is one JavaScript thread, so BEV_OPT_THREADSAFE, BEV_OPT_UNLOCK_CALLBACKS,
 * `bufferevent_lock` and `bufferevent_unlock` behave as libevent's do with a lock nobody else
 * contends for; the reference counts they take are kept exactly as in libevent.
 * @module
 */
import type { evbuffer, evbuffer_cb_entry, evbuffer_cb_info, evbuffer_parent_ } from "./buffer.js";
import {
  EVBUFFER_CB_ENABLED, EVBUFFER_CB_NODEFER, evbuffer_add, evbuffer_add_buffer, evbuffer_add_cb, evbuffer_cb_clear_flags,
  evbuffer_cb_set_flags, evbuffer_check_, evbuffer_free, evbuffer_get_callbacks_, evbuffer_get_length, evbuffer_new, evbuffer_remove,
  evbuffer_set_parent_,
} from "./buffer.js";
import {
  BEV_CTRL_CANCEL_ALL, BEV_CTRL_GET_FD, BEV_CTRL_GET_UNDERLYING, BEV_CTRL_SET_FD, BEV_SUSPEND_WM, bufferevent_ctrl_data,
} from "./bufferevent-internal.js";
import type { bufferevent_ops } from "./bufferevent-internal.js";
import { bufferevent } from "./bufferevent_struct.js";
import type { bufferevent_data_cb, bufferevent_event_cb } from "./bufferevent_struct.js";
import { EV_FINALIZE, EV_READ, EV_WRITE } from "../event/constants.js";
import { event_callback } from "../event/event.js";
import type { event } from "../event/event.js";
import {
  event_add, event_add_deferred_, event_assign, event_base, event_base_get_npriorities, event_callback_finalize_many_,
  event_deferred_cb_init_, event_deferred_cb_schedule_, event_del, event_get_priority,
  event_initialized, event_pending, event_remove_timer,
} from "../event/event.js";
import { event_debugx, event_warnx } from "../event/log.js";
import {
  check_box_, check_bytes_, check_fn_or_null_, check_int_, check_len_, check_size_, check_timeval_or_null_, show,
} from "../util/check.js";
import { EVUTIL_SET_SOCKET_ERROR, EVUTIL_SOCKET_ERROR } from "../util/errno.js";
import { timerisset_ } from "../util/time.js";
import type { timeval } from "../util/time.js";
import type { evutil_socket_t } from "../util/types.js";
import type { getaddrinfo_request } from "../util/getaddrinfo_async.js";
import { bufferevent_ratelim_destroy_, bufferevent_ratelim_init_ } from "./bufferevent_ratelim.js";
import type { bufferevent_rate_limit } from "./bufferevent_ratelim.js";

/** Event callback `what`: the error or end of file happened while reading. @category Bufferevents */
export const BEV_EVENT_READING = 0x01;
/** Event callback `what`: the error or end of file happened while writing. @category Bufferevents */
export const BEV_EVENT_WRITING = 0x02;
/** Event callback `what`: end of file reached (the peer closed). @category Bufferevents */
export const BEV_EVENT_EOF = 0x10;
/** Event callback `what`: an unrecoverable error; `errno` holds it. @category Bufferevents */
export const BEV_EVENT_ERROR = 0x20;
/** Event callback `what`: a user-set timeout expired; the timed-out direction is now disabled. @category Bufferevents */
export const BEV_EVENT_TIMEOUT = 0x40;
/** Event callback `what`: a connect requested with bufferevent_socket_connect finished. @category Bufferevents */
export const BEV_EVENT_CONNECTED = 0x80;

/** `bufferevent_free` closes the underlying socket (or frees the underlying bufferevent of a filter). @category Bufferevents */
export const BEV_OPT_CLOSE_ON_FREE = 1 << 0;
/**
 * Accepted: the bufferevent gets libevent's recursive lock, which here is never contended (one
 * JavaScript thread), so the option changes nothing observable.
 * @category Bufferevents
 */
export const BEV_OPT_THREADSAFE = 1 << 1;
/** Run the callbacks from the loop (deferred), merged and in libevent's order, instead of inline. @category Bufferevents */
export const BEV_OPT_DEFER_CALLBACKS = 1 << 2;
/**
 * With BEV_OPT_DEFER_CALLBACKS (required, else creation fails): run deferred callbacks without
 * the bufferevent's lock held. There being no other thread, this behaves as DEFER_CALLBACKS alone.
 * @category Bufferevents
 */
export const BEV_OPT_UNLOCK_CALLBACKS = 1 << 3;

/** `bufferevent_flush` mode: an ordinary flush (process what is reasonable). @category Bufferevents */
export const BEV_NORMAL = 0;
/** `bufferevent_flush` mode: send or receive everything possible. @category Bufferevents */
export const BEV_FLUSH = 1;
/** `bufferevent_flush` mode: everything possible, and the stream is finished (EOF follows). @category Bufferevents */
export const BEV_FINISHED = 2;

/** `bufferevent_trigger` option: run the callback whatever the watermarks say. @category Bufferevents */
export const BEV_TRIG_IGNORE_WATERMARKS = 1 << 16;
/** `bufferevent_trigger` option: defer the callback to the loop, as BEV_OPT_DEFER_CALLBACKS would. @category Bufferevents */
export const BEV_TRIG_DEFER_CALLBACKS = BEV_OPT_DEFER_CALLBACKS;

const BEV_TRIG_ALL_OPTS = BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS;


/**
 * `struct bufferevent_private`: every bufferevent is one (pair and filter bufferevents extend
 * it, as their C structs embed it). `BEV_UPCAST(bev)` is `bev as bufferevent_private`.
 * Locks: there is one JavaScript thread, so `lock`/`own_lock` have no counterpart; the reference
 * count (held while libevent runs callbacks) is kept exactly as libevent keeps it.
 * @internal
 */
export class bufferevent_private extends bufferevent implements evbuffer_parent_ {
  /** The input buffer's callback enforcing the read high watermark, once one was set. */
  read_watermarks_cb: evbuffer_cb_entry | null = null;
  /** Deferred callbacks: a read callback is due. */
  readcb_pending = 0;
  /** Deferred callbacks: a write callback is due. */
  writecb_pending = 0;
  /** A connect is in progress. */
  connecting = 0;
  /** The connect was refused while reading (reported by the write path). */
  connection_refused = 0;
  /** Deferred callbacks: BEV_EVENT_* bits due to the event callback. */
  eventcb_pending = 0;
  /** BEV_SUSPEND_* reasons reading is suspended for. */
  read_suspended = 0;
  /** BEV_SUSPEND_* reasons writing is suspended for. */
  write_suspended = 0;
  /** Deferred callbacks: errno to restore before the event callback. */
  errno_pending = 0;
  /** The EVUTIL_EAI_* error of the last failed bufferevent_socket_connect_hostname lookup. */
  dns_error = 0;
  /** The deferred callback that delivers pending callbacks (BEV_OPT_DEFER_CALLBACKS). */
  readonly deferred = new event_callback();
  /** BEV_OPT_* given at creation. */
  options = 0;
  /** References: the user's, plus one held while libevent is inside a callback or lookup. */
  refcnt = 0;
  /** Most bytes read from the socket at once. */
  max_single_read = 0;
  /** Most bytes written to the socket at once. */
  max_single_write = 0;
  /** Rate limits (bufferevent_ratelim.ts): the own bucket and/or group, or null if never limited. */
  rate_limiting: bufferevent_rate_limit | null = null;
  /** The running name lookup of bufferevent_socket_connect_hostname, or null. */
  dns_request: getaddrinfo_request | null = null;
  /** Set by bufferevent_free: the user's reference is gone (a second free is a TypeError). */
  freed = false;
  /** The async calls' state (bufferevent_async.ts) while they drive the bufferevent, else null. */
  async_: { detach_(fn: string): void } | null = null;

  /** bufferevent_incref_, as the buffers call it while their deferred callbacks are pending. */
  incref_(): void {
    ++this.refcnt;
  }

  /** bufferevent_decref_. */
  decref_(): void {
    bufferevent_decref_and_unlock_(this);
  }
}

/** @internal `BEV_UPCAST(b)`: the private part of a bufferevent. */
export function BEV_UPCAST(bev: bufferevent): bufferevent_private {
  return bev as bufferevent_private;
}

// ---------------------------------------------------------------------------------------------
// Misuse checks (C leaves these undefined; here they throw, naming the call)
// ---------------------------------------------------------------------------------------------

/** @internal Check a bufferevent argument: a live bufferevent, else a TypeError naming `fn`. */
export function checkBev_(bufev: unknown, fn: string): bufferevent_private {
  if (!(bufev instanceof bufferevent_private)) throw new TypeError(`${fn}: bufev is ${show(bufev)}, not a bufferevent`);
  if (bufev.refcnt <= 0) throw new TypeError(`${fn}: the bufferevent was freed`);
  return bufev;
}

// ---------------------------------------------------------------------------------------------
// Suspension
// ---------------------------------------------------------------------------------------------

/** @internal Stop reading for reason `what` (a BEV_SUSPEND_* bit); the first reason disables the backing I/O. */
export function bufferevent_suspend_read_(bufev: bufferevent, what: number): void {
  const p = BEV_UPCAST(bufev);
  if (!p.read_suspended) bufev.be_ops.disable(bufev, EV_READ);
  p.read_suspended |= what;
}

/** @internal Lift reason `what`; when none is left and the user enabled reading, reading resumes. */
export function bufferevent_unsuspend_read_(bufev: bufferevent, what: number): void {
  const p = BEV_UPCAST(bufev);
  p.read_suspended &= ~what;
  if (!p.read_suspended && bufev.enabled & EV_READ) bufev.be_ops.enable(bufev, EV_READ);
}

/** @internal As bufferevent_suspend_read_, for writing. */
export function bufferevent_suspend_write_(bufev: bufferevent, what: number): void {
  const p = BEV_UPCAST(bufev);
  if (!p.write_suspended) bufev.be_ops.disable(bufev, EV_WRITE);
  p.write_suspended |= what;
}

/** @internal As bufferevent_unsuspend_read_, for writing. */
export function bufferevent_unsuspend_write_(bufev: bufferevent, what: number): void {
  const p = BEV_UPCAST(bufev);
  p.write_suspended &= ~what;
  if (!p.write_suspended && bufev.enabled & EV_WRITE) bufev.be_ops.enable(bufev, EV_WRITE);
}

/**
 * After a read callback: if the input is still at or above the high watermark (reading is then
 * suspended) while reading is enabled, the read callback is due again, deferred, or the data
 * would sit there with nothing to wake the user.
 */
function bufferevent_inbuf_wm_check(bev: bufferevent): void {
  if (!bev.wm_read.high) return;
  if (!(bev.enabled & EV_READ)) return;
  if (evbuffer_get_length(bev.input) < bev.wm_read.high) return;
  bufferevent_trigger_(bev, EV_READ, BEV_OPT_DEFER_CALLBACKS);
}

/** The input buffer's inline callback enforcing the read high watermark. */
function bufferevent_inbuf_wm_cb(buf: evbuffer, _cbinfo: evbuffer_cb_info, bufev: bufferevent): void {
  if (evbuffer_get_length(buf) >= bufev.wm_read.high) bufferevent_suspend_read_(bufev, BEV_SUSPEND_WM);
  else bufferevent_unsuspend_read_(bufev, BEV_SUSPEND_WM);
}

// ---------------------------------------------------------------------------------------------
// Running the user's callbacks
// ---------------------------------------------------------------------------------------------

/**
 * The deferred callback of BEV_OPT_DEFER_CALLBACKS: what accumulated since it was scheduled runs
 * in libevent's order: CONNECTED first, then one read callback, one write callback, and the
 * other event bits ORed into one event callback with errno as it was when they happened.
 */
function bufferevent_run_deferred_callbacks_locked(_cb: event_callback, p: bufferevent_private): void {
  try {
    if (p.eventcb_pending & BEV_EVENT_CONNECTED && p.errorcb !== null) {
      // The connect happened before any reading or writing: report it first.
      p.eventcb_pending &= ~BEV_EVENT_CONNECTED;
      const errorcb = p.errorcb;
      errorcb(p, BEV_EVENT_CONNECTED, p.cbarg);
    }
    if (p.readcb_pending && p.readcb !== null) {
      p.readcb_pending = 0;
      const readcb = p.readcb;
      readcb(p, p.cbarg);
      bufferevent_inbuf_wm_check(p);
    }
    if (p.writecb_pending && p.writecb !== null) {
      p.writecb_pending = 0;
      const writecb = p.writecb;
      writecb(p, p.cbarg);
    }
    if (p.eventcb_pending && p.errorcb !== null) {
      const what = p.eventcb_pending;
      const err = p.errno_pending;
      p.eventcb_pending = 0;
      p.errno_pending = 0;
      EVUTIL_SET_SOCKET_ERROR(err);
      const errorcb = p.errorcb;
      errorcb(p, what, p.cbarg);
    }
  } finally {
    bufferevent_decref_and_unlock_(p);
  }
}

/** libevent's SCHEDULE_DEFERRED: queue the deferred callback, holding a reference while it is queued. */
function scheduleDeferred(p: bufferevent_private): void {
  if (event_deferred_cb_schedule_(p.ev_base, p.deferred)) ++p.refcnt;
}

/** Run (or defer, per the options) the read callback. The caller holds a reference. */
function bufferevent_run_readcb_(bufev: bufferevent, options: number): void {
  const p = BEV_UPCAST(bufev);
  const readcb = p.readcb;
  if (readcb === null) return;
  if ((p.options | options) & BEV_OPT_DEFER_CALLBACKS) {
    p.readcb_pending = 1;
    scheduleDeferred(p);
  } else {
    readcb(p, p.cbarg);
    bufferevent_inbuf_wm_check(p);
  }
}

/** Run (or defer) the write callback. The caller holds a reference. */
function bufferevent_run_writecb_(bufev: bufferevent, options: number): void {
  const p = BEV_UPCAST(bufev);
  const writecb = p.writecb;
  if (writecb === null) return;
  if ((p.options | options) & BEV_OPT_DEFER_CALLBACKS) {
    p.writecb_pending = 1;
    scheduleDeferred(p);
  } else {
    writecb(p, p.cbarg);
  }
}

/** @internal Run (or defer, saving errno) the event callback with `what`. The caller holds a reference. */
export function bufferevent_run_eventcb_(bufev: bufferevent, what: number, options: number): void {
  const p = BEV_UPCAST(bufev);
  const errorcb = p.errorcb;
  if (errorcb === null) return;
  if ((p.options | options) & BEV_OPT_DEFER_CALLBACKS) {
    p.eventcb_pending |= what;
    p.errno_pending = EVUTIL_SOCKET_ERROR();
    scheduleDeferred(p);
  } else {
    errorcb(p, what, p.cbarg);
  }
}

/**
 * @internal Run the read callback if EV_READ is in `iotype` and the input holds at least the low
 * read watermark, and the write callback if EV_WRITE is and the output is at or below the low
 * write watermark (BEV_TRIG_IGNORE_WATERMARKS: regardless). The caller holds a reference.
 */
export function bufferevent_trigger_nolock_(bufev: bufferevent, iotype: number, options: number): void {
  if (iotype & EV_READ && (options & BEV_TRIG_IGNORE_WATERMARKS || evbuffer_get_length(bufev.input) >= bufev.wm_read.low)) {
    bufferevent_run_readcb_(bufev, options);
  }
  if (iotype & EV_WRITE && (options & BEV_TRIG_IGNORE_WATERMARKS || evbuffer_get_length(bufev.output) <= bufev.wm_write.low)) {
    bufferevent_run_writecb_(bufev, options);
  }
}

function bufferevent_trigger_(bufev: bufferevent, iotype: number, options: number): void {
  bufferevent_incref_and_lock_(bufev);
  try {
    bufferevent_trigger_nolock_(bufev, iotype, options & BEV_TRIG_ALL_OPTS);
  } finally {
    bufferevent_decref_and_unlock_(bufev);
  }
}

/**
 * `void bufferevent_trigger(struct bufferevent *bufev, short iotype, int options)`: run the read
 * and/or write callback (`iotype` EV_READ|EV_WRITE) as if data had arrived or drained: only if
 * the watermarks allow, unless `options` has BEV_TRIG_IGNORE_WATERMARKS; from the loop if
 * BEV_TRIG_DEFER_CALLBACKS (or the bufferevent defers its callbacks), else before returning.
 * @param bufev the bufferevent
 * @param iotype `EV_READ`, `EV_WRITE`, or both ORed
 * @param options 0, or `BEV_TRIG_IGNORE_WATERMARKS` and/or `BEV_TRIG_DEFER_CALLBACKS` ORed
 * @see {@link bufferevent_trigger_event}
 * @category Bufferevents
 */
export function bufferevent_trigger(bufev: bufferevent, iotype: number, options: number): void {
  checkBev_(bufev, "bufferevent_trigger");
  check_int_("bufferevent_trigger", "iotype", iotype);
  check_int_("bufferevent_trigger", "options", options);
  bufferevent_trigger_(bufev, iotype, options);
}

/**
 * `void bufferevent_trigger_event(struct bufferevent *bufev, short what, int options)`: run the
 * event callback with `what` (any BEV_EVENT_* bits), deferred if `options` has
 * BEV_TRIG_DEFER_CALLBACKS or the bufferevent defers its callbacks. `what` is passed on as C
 * passes a `short`: `~0` arrives as -1.
 * @param bufev the bufferevent
 * @param what the `BEV_EVENT_*` bits to pass
 * @param options 0, or `BEV_TRIG_DEFER_CALLBACKS`
 * @see {@link bufferevent_trigger}
 * @category Bufferevents
 */
export function bufferevent_trigger_event(bufev: bufferevent, what: number, options: number): void {
  checkBev_(bufev, "bufferevent_trigger_event");
  check_int_("bufferevent_trigger_event", "what", what);
  check_int_("bufferevent_trigger_event", "options", options);
  bufferevent_incref_and_lock_(bufev);
  try {
    bufferevent_run_eventcb_(bufev, (what << 16) >> 16, options & BEV_TRIG_ALL_OPTS);
  } finally {
    bufferevent_decref_and_unlock_(bufev);
  }
}

// ---------------------------------------------------------------------------------------------
// Creation
// ---------------------------------------------------------------------------------------------

/**
 * @internal libevent's bufferevent_init_common_: give a new bufferevent its buffers, one
 * reference, writing enabled (reading must be enabled by the user), no timeouts, and its deferred
 * callback at the base's middle priority. Returns 0, or
 * -1 (with a warning) if BEV_OPT_UNLOCK_CALLBACKS comes without BEV_OPT_DEFER_CALLBACKS.
 */
export function bufferevent_init_common_(
  p: bufferevent_private, base: event_base, ops: bufferevent_ops, options: number,
): number {
  if ((options & (BEV_OPT_DEFER_CALLBACKS | BEV_OPT_UNLOCK_CALLBACKS)) === BEV_OPT_UNLOCK_CALLBACKS) {
    event_warnx("UNLOCK_CALLBACKS requires DEFER_CALLBACKS");
    return -1;
  }
  if (!p.input) p.input = evbuffer_new()!;
  if (!p.output) p.output = evbuffer_new()!;
  p.refcnt = 1;
  p.ev_base = base;
  p.be_ops = ops;
  bufferevent_ratelim_init_(p);
  // Writing is enabled so that bufferevent_write sends at once; reading waits for the user.
  p.enabled = EV_WRITE;
  // (base.nactivequeues is event_base_get_npriorities(base): the callers checked the base.)
  event_deferred_cb_init_(p.deferred, base.nactivequeues >> 1, bufferevent_run_deferred_callbacks_locked, p);
  p.options = options;
  evbuffer_set_parent_(p.input, p);
  evbuffer_set_parent_(p.output, p);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Callbacks, buffers, base
// ---------------------------------------------------------------------------------------------

/**
 * `void bufferevent_setcb(struct bufferevent *bufev, bufferevent_data_cb readcb,
 * bufferevent_data_cb writecb, bufferevent_event_cb eventcb, void *cbarg)`: set the read, write
 * and event callbacks (each may be null) and their argument.
 * @param bufev the bufferevent
 * @param readcb called as `readcb(bev, cbarg)` when input arrived (at least the read low watermark), or null
 * @param writecb called as `writecb(bev, cbarg)` when the output drained to the write low watermark, or null
 * @param eventcb called as `eventcb(bev, what, cbarg)` on connection, end of file, error or timeout (`BEV_EVENT_*` bits), or null
 * @param cbarg passed untouched to the three callbacks as their last argument
 * @see {@link bufferevent_enable}, {@link bufferevent_getcb}, {@link bufferevent_setwatermark}
 * @example A pair: what one end writes, the other end reads
 * ```ts
 * import {
 *   EV_READ,
 *   event_base_dispatch,
 *   event_base_free,
 *   event_base_new,
 * } from "libevent-ts/event2/event";
 * import {
 *   bufferevent_enable,
 *   bufferevent_free,
 *   bufferevent_get_input,
 *   bufferevent_pair_new,
 *   bufferevent_setcb,
 *   bufferevent_write,
 * } from "libevent-ts/event2/bufferevent";
 * import type { bufferevent } from "libevent-ts/event2/bufferevent";
 * import {
 *   EVBUFFER_EOL_LF,
 *   evbuffer_readln,
 * } from "libevent-ts/event2/buffer";
 *
 * const base = event_base_new()!;
 * const pair: (bufferevent | null)[] = [null, null];
 * bufferevent_pair_new(base, 0, pair);
 * const [a, b] = pair as [bufferevent, bufferevent];
 *
 * function readcb(bev: bufferevent, name: string): void {
 *   const input = bufferevent_get_input(bev);
 *   const line = evbuffer_readln(input, null, EVBUFFER_EOL_LF);
 *   console.log(`${name} read: ${line}`); // "b read: ping"
 * }
 *
 * bufferevent_setcb(b, readcb, null, null, "b");
 * bufferevent_enable(b, EV_READ);
 * bufferevent_write(a, "ping\n", 5);
 * event_base_dispatch(base); // returns when nothing is left to do
 * bufferevent_free(a);
 * bufferevent_free(b);
 * event_base_free(base);
 * ```
 * @category Bufferevents
 */
export function bufferevent_setcb<A>(
  bufev: bufferevent, readcb: bufferevent_data_cb<A> | null, writecb: bufferevent_data_cb<A> | null,
  eventcb: bufferevent_event_cb<A> | null, cbarg: A,
): void {
  const fn = "bufferevent_setcb";
  checkBev_(bufev, fn);
  check_fn_or_null_(fn, "readcb", readcb);
  check_fn_or_null_(fn, "writecb", writecb);
  check_fn_or_null_(fn, "eventcb", eventcb);
  const p = BEV_UPCAST(bufev);
  // New callbacks take the bufferevent from the async calls (their pending promises are rejected).
  if (p.async_ !== null) p.async_.detach_(fn);
  bufev.readcb = readcb;
  bufev.writecb = writecb;
  bufev.errorcb = eventcb;
  bufev.cbarg = cbarg;
}

/**
 * `void bufferevent_getcb(struct bufferevent *bufev, bufferevent_data_cb *readcb_ptr,
 * bufferevent_data_cb *writecb_ptr, bufferevent_event_cb *eventcb_ptr, void **cbarg_ptr)`: read
 * the callbacks back. Each out-parameter is a box `{ value }` or null.
 * @param bufev the bufferevent
 * @param readcb_ptr receives the read callback, or null
 * @param writecb_ptr receives the write callback, or null
 * @param eventcb_ptr receives the event callback, or null
 * @param cbarg_ptr receives the callbacks' argument, or null
 * @see {@link bufferevent_setcb}
 * @category Bufferevents
 */
export function bufferevent_getcb(
  bufev: bufferevent, readcb_ptr: { value: bufferevent_data_cb | null } | null,
  writecb_ptr: { value: bufferevent_data_cb | null } | null, eventcb_ptr: { value: bufferevent_event_cb | null } | null,
  cbarg_ptr: { value: any } | null,
): void {
  const fn = "bufferevent_getcb";
  checkBev_(bufev, fn);
  if (readcb_ptr !== null) check_box_(fn, "readcb_ptr", readcb_ptr);
  if (writecb_ptr !== null) check_box_(fn, "writecb_ptr", writecb_ptr);
  if (eventcb_ptr !== null) check_box_(fn, "eventcb_ptr", eventcb_ptr);
  if (cbarg_ptr !== null) check_box_(fn, "cbarg_ptr", cbarg_ptr);
  if (readcb_ptr) readcb_ptr.value = bufev.readcb;
  if (writecb_ptr) writecb_ptr.value = bufev.writecb;
  if (eventcb_ptr) eventcb_ptr.value = bufev.errorcb;
  if (cbarg_ptr) cbarg_ptr.value = bufev.cbarg;
}

/**
 * `struct evbuffer *bufferevent_get_input(struct bufferevent *bufev)`: the input buffer, to read
 * (and drain) received data from. Do not add callbacks to it.
 * @param bufev the bufferevent
 * @returns the input buffer
 * @see {@link bufferevent_get_output}, {@link bufferevent_read}, {@link "event2/buffer"!evbuffer_readln}
 * @category Bufferevents
 */
export function bufferevent_get_input(bufev: bufferevent): evbuffer {
  return checkBev_(bufev, "bufferevent_get_input").input;
}

/**
 * `struct evbuffer *bufferevent_get_output(struct bufferevent *bufev)`: the output buffer, to add
 * data to send to. Do not add callbacks to it.
 * @param bufev the bufferevent
 * @returns the output buffer
 * @see {@link bufferevent_get_input}, {@link bufferevent_write}
 * @category Bufferevents
 */
export function bufferevent_get_output(bufev: bufferevent): evbuffer {
  return checkBev_(bufev, "bufferevent_get_output").output;
}

/**
 * `struct event_base *bufferevent_get_base(struct bufferevent *bufev)`: the bufferevent's base.
 * @param bufev the bufferevent
 * @returns the base
 * @category Bufferevents
 */
export function bufferevent_get_base(bufev: bufferevent): event_base {
  return checkBev_(bufev, "bufferevent_get_base").ev_base!;
}

/**
 * `int bufferevent_get_priority(const struct bufferevent *bufev)`: the priority of the bufferevent's events.
 * @param bufev the bufferevent
 * @returns the priority
 * @see {@link bufferevent_priority_set}
 * @category Bufferevents
 */
export function bufferevent_get_priority(bufev: bufferevent): number {
  checkBev_(bufev, "bufferevent_get_priority");
  if (event_initialized(bufev.ev_read)) return event_get_priority(bufev.ev_read);
  return event_base_get_npriorities(bufev.ev_base) >> 1;
}

/**
 * `int bufferevent_write(struct bufferevent *bufev, const void *data, size_t size)`: append `size`
 * bytes of `data` (a Uint8Array, or a string taken as UTF-8) to the output buffer; they are sent
 * once writing is enabled. Returns 0, or -1 if the buffer refused them.
 * @param bufev the bufferevent
 * @param data the bytes, or a string (encoded as UTF-8)
 * @param size how many bytes of `data` to send (`strlen(s)` for a whole string)
 * @returns 0, or -1 if the buffer refused them
 * @see {@link bufferevent_write_buffer}, {@link bufferevent_get_output}, {@link bufferevent_read}, {@link bufferevent_setwatermark}
 * @example A read callback that answers each line with its length in bytes
 * ```ts
 * import {
 *   bufferevent_get_input,
 *   bufferevent_write,
 * } from "libevent-ts/event2/bufferevent";
 * import type { bufferevent } from "libevent-ts/event2/bufferevent";
 * import {
 *   EVBUFFER_EOL_LF,
 *   evbuffer_readln,
 * } from "libevent-ts/event2/buffer";
 * import { strlen } from "libevent-ts/event2/util";
 *
 * export function readcb(bev: bufferevent, ctx: null): void {
 *   const n = { value: 0 };
 *   let line: string | null;
 *   const input = bufferevent_get_input(bev);
 *   while ((line = evbuffer_readln(input, n, EVBUFFER_EOL_LF)) !== null) {
 *     const reply = `${n.value}\n`;
 *     if (bufferevent_write(bev, reply, strlen(reply)) < 0)
 *       console.error("could not queue the reply");
 *   }
 * }
 * ```
 * @category Bufferevents
 */
export function bufferevent_write(bufev: bufferevent, data: Uint8Array | string, size: number): number {
  checkBev_(bufev, "bufferevent_write");
  // (The common case is tested inline first: this is the hot path.)
  if (!(data instanceof Uint8Array) || !Number.isInteger(size) || size < 0 || size > data.length) {
    check_bytes_("bufferevent_write", "size", data, "data", size);
  }
  if (evbuffer_add(bufev.output, data, size) === -1) return -1;
  return 0;
}

/**
 * `int bufferevent_write_buffer(struct bufferevent *bufev, struct evbuffer *buf)`: move all of
 * `buf` to the output buffer. Returns 0, or -1.
 * @param bufev the bufferevent
 * @param buf the buffer whose bytes are moved (it is left empty)
 * @returns 0, or -1
 * @see {@link bufferevent_write}
 * @category Bufferevents
 */
export function bufferevent_write_buffer(bufev: bufferevent, buf: evbuffer): number {
  checkBev_(bufev, "bufferevent_write_buffer");
  evbuffer_check_("bufferevent_write_buffer", buf);
  if (evbuffer_add_buffer(bufev.output, buf) === -1) return -1;
  return 0;
}

/**
 * `size_t bufferevent_read(struct bufferevent *bufev, void *data, size_t size)`: take up to `size`
 * bytes from the input buffer into `data`. Returns the number of bytes taken.
 * @param bufev the bufferevent
 * @param data receives the bytes
 * @param size the most bytes to take (at most `data.length`)
 * @returns the number of bytes taken
 * @see {@link bufferevent_read_buffer}, {@link bufferevent_get_input}, {@link bufferevent_write}
 * @category Bufferevents
 */
export function bufferevent_read(bufev: bufferevent, data: Uint8Array, size: number): number {
  checkBev_(bufev, "bufferevent_read");
  check_len_("bufferevent_read", "size", data, "data", size);
  return evbuffer_remove(bufev.input, data, size);
}

/**
 * `int bufferevent_read_buffer(struct bufferevent *bufev, struct evbuffer *buf)`: move the whole
 * input buffer to the end of `buf`. Returns 0, or -1.
 * @param bufev the bufferevent
 * @param buf the buffer to append the input to
 * @returns 0, or -1
 * @see {@link bufferevent_read}
 * @category Bufferevents
 */
export function bufferevent_read_buffer(bufev: bufferevent, buf: evbuffer): number {
  checkBev_(bufev, "bufferevent_read_buffer");
  evbuffer_check_("bufferevent_read_buffer", buf);
  return evbuffer_add_buffer(buf, bufev.input);
}

// ---------------------------------------------------------------------------------------------
// Enabling, timeouts, watermarks, flush
// ---------------------------------------------------------------------------------------------

/**
 * `int bufferevent_enable(struct bufferevent *bufev, short event)`: enable EV_READ and/or
 * EV_WRITE. A direction suspended internally (high watermark, name lookup, rate limit) starts
 * once the suspension ends. Returns 0, or -1 if the backing events could not be added.
 * @param bufev the bufferevent
 * @param event `EV_READ`, `EV_WRITE`, or both ORed
 * @returns 0, or -1 if the backing events could not be added
 * @see {@link bufferevent_disable}, {@link bufferevent_get_enabled}, {@link bufferevent_setcb}
 * @example An echo server's listener callback (see evconnlistener_new_bind)
 * ```ts
 * import { EV_READ, EV_WRITE } from "libevent-ts/event2/event";
 * import type { event_base } from "libevent-ts/event2/event";
 * import {
 *   BEV_EVENT_EOF,
 *   BEV_EVENT_ERROR,
 *   BEV_OPT_CLOSE_ON_FREE,
 *   bufferevent_enable,
 *   bufferevent_free,
 *   bufferevent_get_input,
 *   bufferevent_get_output,
 *   bufferevent_setcb,
 *   bufferevent_socket_new,
 * } from "libevent-ts/event2/bufferevent";
 * import type { bufferevent } from "libevent-ts/event2/bufferevent";
 * import { evbuffer_add_buffer } from "libevent-ts/event2/buffer";
 * import type { evconnlistener } from "libevent-ts/event2/listener";
 * import type {
 *   evutil_socket_t,
 *   sockaddr,
 * } from "libevent-ts/event2/util";
 *
 * function echo_read_cb(bev: bufferevent, ctx: null): void {
 *   // Move what arrived to the output: it goes back as the socket allows.
 *   const input = bufferevent_get_input(bev);
 *   evbuffer_add_buffer(bufferevent_get_output(bev), input);
 * }
 *
 * function echo_event_cb(
 *   bev: bufferevent,
 *   events: number,
 *   ctx: null,
 * ): void {
 *   if (events & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) bufferevent_free(bev);
 * }
 *
 * export function accept_conn_cb(
 *   listener: evconnlistener,
 *   fd: evutil_socket_t,
 *   sa: sockaddr,
 *   socklen: number,
 *   base: event_base,
 * ): void {
 *   const bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
 *   if (!bev) return;
 *   bufferevent_setcb(bev, echo_read_cb, null, echo_event_cb, null);
 *   // Writing starts enabled, reading does not.
 *   bufferevent_enable(bev, EV_READ | EV_WRITE);
 * }
 * ```
 * @category Bufferevents
 */
export function bufferevent_enable(bufev: bufferevent, event: number): number {
  const p = checkBev_(bufev, "bufferevent_enable");
  check_int_("bufferevent_enable", "event", event);
  let impl_events = event;
  let r = 0;
  bufferevent_incref_and_lock_(p);
  try {
    if (p.read_suspended) impl_events &= ~EV_READ;
    if (p.write_suspended) impl_events &= ~EV_WRITE;
    p.enabled |= event;
    if (impl_events && p.be_ops.enable(p, impl_events) < 0) r = -1;
    if (r) event_debugx(`bufferevent_enable: cannot enable 0x${event.toString(16)} on ${show(p)}`);
  } finally {
    bufferevent_decref_and_unlock_(p);
  }
  return r;
}

/**
 * `int bufferevent_set_timeouts(struct bufferevent *bufev, const struct timeval *timeout_read,
 * const struct timeval *timeout_write)`: set (null or a zero timeval: clear) the read and write
 * timeouts. A timeout counts from the last time its direction made progress; when it expires the
 * direction is disabled and the event callback gets BEV_EVENT_TIMEOUT with BEV_EVENT_READING or
 * BEV_EVENT_WRITING. Socket bufferevents apply new timeouts to the events already pending. The
 * timevals are copied. Returns 0, or -1.
 * @param bufev the bufferevent
 * @param timeout_read the read timeout, or null for none
 * @param timeout_write the write timeout, or null for none
 * @returns 0, or -1
 * @see {@link bufferevent_setcb} (a timeout reaches the event callback with `BEV_EVENT_TIMEOUT`)
 * @category Bufferevents
 */
export function bufferevent_set_timeouts(bufev: bufferevent, timeout_read: timeval | null, timeout_write: timeval | null): number {
  const fn = "bufferevent_set_timeouts";
  checkBev_(bufev, fn);
  check_timeval_or_null_(fn, "timeout_read", timeout_read);
  check_timeval_or_null_(fn, "timeout_write", timeout_write);
  copyTimeval(bufev.timeout_read, timeout_read);
  copyTimeval(bufev.timeout_write, timeout_write);
  const adj = bufev.be_ops.adj_timeouts;
  return adj !== null ? adj(bufev) : 0;
}

function copyTimeval(dst: timeval, src: timeval | null): void {
  dst.tv_sec = src !== null ? src.tv_sec : 0;
  dst.tv_usec = src !== null ? src.tv_usec : 0;
}

/**
 * `int bufferevent_disable(struct bufferevent *bufev, short event)`: disable EV_READ and/or
 * EV_WRITE. (A socket bufferevent that is connecting keeps waiting for the connect.) Returns 0,
 * or -1.
 * @param bufev the bufferevent
 * @param event `EV_READ`, `EV_WRITE`, or both ORed
 * @returns 0, or -1
 * @see {@link bufferevent_enable}
 * @category Bufferevents
 */
export function bufferevent_disable(bufev: bufferevent, event: number): number {
  checkBev_(bufev, "bufferevent_disable");
  check_int_("bufferevent_disable", "event", event);
  let r = 0;
  bufev.enabled &= ~event;
  if (bufev.be_ops.disable(bufev, event) < 0) r = -1;
  if (r) event_debugx(`bufferevent_disable: cannot disable 0x${event.toString(16)} on ${show(bufev)}`);
  return r;
}

/**
 * `void bufferevent_setwatermark(struct bufferevent *bufev, short events, size_t lowmark, size_t
 * highmark)`: set the watermarks of EV_READ and/or EV_WRITE. Read: the read callback waits for
 * `lowmark` bytes, and reading stops while the input holds `highmark` bytes or more (0: no
 * limit), resuming by itself as the input is drained. Write: the write callback runs once the
 * output is down to `lowmark` bytes. A size of -1 means SIZE_MAX, as in C.
 * @param bufev the bufferevent
 * @param events `EV_READ`, `EV_WRITE`, or both ORed
 * @param lowmark read: bytes needed before the read callback runs; write: the output length at or below which the write callback runs
 * @param highmark read: the input length at which reading pauses (0: no limit); write: used by filters, to limit what they pass on
 * @see {@link bufferevent_getwatermark}
 * @category Bufferevents
 */
export function bufferevent_setwatermark(bufev: bufferevent, events: number, lowmark: number, highmark: number): void {
  const fn = "bufferevent_setwatermark";
  const p = checkBev_(bufev, fn);
  check_int_(fn, "events", events);
  lowmark = check_size_(fn, "lowmark", lowmark);
  highmark = check_size_(fn, "highmark", highmark);
  if (events & EV_WRITE) {
    p.wm_write.low = lowmark;
    p.wm_write.high = highmark;
  }
  if (events & EV_READ) {
    p.wm_read.low = lowmark;
    p.wm_read.high = highmark;
    if (highmark) {
      // A new read high watermark: watch the input's length, inline, and apply it now.
      if (p.read_watermarks_cb === null) p.read_watermarks_cb = evbuffer_add_cb(p.input, bufferevent_inbuf_wm_cb, p);
      evbuffer_cb_set_flags(p.input, p.read_watermarks_cb, EVBUFFER_CB_ENABLED | EVBUFFER_CB_NODEFER);
      if (evbuffer_get_length(p.input) >= highmark) bufferevent_suspend_read_(p, BEV_SUSPEND_WM);
      else bufferevent_unsuspend_read_(p, BEV_SUSPEND_WM);
    } else {
      if (p.read_watermarks_cb !== null) evbuffer_cb_clear_flags(p.input, p.read_watermarks_cb, EVBUFFER_CB_ENABLED);
      bufferevent_unsuspend_read_(p, BEV_SUSPEND_WM);
    }
  }
}

/**
 * `int bufferevent_getwatermark(struct bufferevent *bufev, short events, size_t *lowmark, size_t
 * *highmark)`: read the watermarks of `events`, which must be exactly EV_READ or EV_WRITE, into
 * the boxes (either may be null). Returns 0, or -1 for any other `events`.
 * @param bufev the bufferevent
 * @param events exactly `EV_READ` or `EV_WRITE`
 * @param lowmark receives the low watermark, or null
 * @param highmark receives the high watermark, or null
 * @returns 0, or -1 for any other `events`
 * @see {@link bufferevent_setwatermark}
 * @category Bufferevents
 */
export function bufferevent_getwatermark(
  bufev: bufferevent, events: number, lowmark: { value: number } | null, highmark: { value: number } | null,
): number {
  const fn = "bufferevent_getwatermark";
  checkBev_(bufev, fn);
  check_int_(fn, "events", events);
  if (lowmark !== null) check_box_(fn, "lowmark", lowmark);
  if (highmark !== null) check_box_(fn, "highmark", highmark);
  const wm = events === EV_WRITE ? bufev.wm_write : events === EV_READ ? bufev.wm_read : null;
  if (wm === null) return -1;
  if (lowmark) lowmark.value = wm.low;
  if (highmark) highmark.value = wm.high;
  return 0;
}

/**
 * `int bufferevent_flush(struct bufferevent *bufev, short iotype, enum bufferevent_flush_mode
 * mode)`: ask the bufferevent to push data through (BEV_NORMAL, BEV_FLUSH, BEV_FINISHED). Socket
 * bufferevents have nothing to flush and return 0. Returns -1 if the type cannot flush, 0 if
 * nothing was flushed, 1 if some data was.
 * @param bufev the bufferevent
 * @param iotype `EV_READ`, `EV_WRITE`, or both ORed
 * @param mode `BEV_NORMAL`, `BEV_FLUSH` or `BEV_FINISHED`
 * @returns -1 if the type cannot flush, 0 if nothing was flushed, 1 if some data was
 * @category Bufferevents
 */
export function bufferevent_flush(bufev: bufferevent, iotype: number, mode: number): number {
  const fn = "bufferevent_flush";
  checkBev_(bufev, fn);
  check_int_(fn, "iotype", iotype);
  check_int_(fn, "mode", mode);
  const flush = bufev.be_ops.flush;
  return flush !== null ? flush(bufev, iotype, mode) : -1;
}

/**
 * `short bufferevent_get_enabled(struct bufferevent *bufev)`: EV_READ|EV_WRITE as the user enabled them (even while suspended).
 * @param bufev the bufferevent
 * @returns `EV_READ`, `EV_WRITE`, both ORed, or 0
 * @see {@link bufferevent_enable}
 * @category Bufferevents
 */
export function bufferevent_get_enabled(bufev: bufferevent): number {
  return checkBev_(bufev, "bufferevent_get_enabled").enabled;
}

// ---------------------------------------------------------------------------------------------
// References and freeing
// ---------------------------------------------------------------------------------------------

/** @internal Take a reference (the lock is uncontended: there is one thread). */
export function bufferevent_incref_and_lock_(bufev: bufferevent): void {
  ++BEV_UPCAST(bufev).refcnt;
}

/**
 * @internal Drop a reference; at zero the bufferevent is unlinked and finalized from the loop once
 * none of its callbacks is running. Returns 1 if this was the last reference.
 */
export function bufferevent_decref_and_unlock_(bufev: bufferevent): number {
  const p = BEV_UPCAST(bufev);
  if (p.refcnt <= 0) throw new Error("bufferevent_decref_and_unlock_: reference count is already zero");
  if (--p.refcnt) return 0;

  if (p.be_ops.unlink !== null) p.be_ops.unlink(p);
  // Out of references: finalize once whichever of its callbacks is running has returned.
  const cbs: event_callback[] = [p.ev_read, p.ev_write, p.deferred];
  if (p.rate_limiting !== null && event_initialized(p.rate_limiting.refill_bucket_event)) {
    cbs.push(p.rate_limiting.refill_bucket_event);
  }
  addBufferCallbacks(p.input, cbs);
  addBufferCallbacks(p.output, cbs);
  event_callback_finalize_many_(p.ev_base!, cbs, bufferevent_finalize_cb_);
  return 1;
}

/** Append a buffer's deferred callback, if it has one. */
function addBufferCallbacks(buf: evbuffer, cbs: event_callback[]): void {
  const cb = evbuffer_get_callbacks_(buf);
  if (cb !== null) cbs.push(cb);
}

function bufferevent_finalize_cb_(_evcb: event_callback, bufev: bufferevent): void {
  const p = BEV_UPCAST(bufev);
  const underlying = bufferevent_get_underlying_(p);
  if (p.be_ops.destruct !== null) p.be_ops.destruct(p);
  evbuffer_free(p.input);
  evbuffer_free(p.output);
  bufferevent_ratelim_destroy_(p);
  // The underlying bufferevent (a filter's) is released only now, after this one is gone.
  if (underlying !== null) bufferevent_decref_and_unlock_(underlying);
}

/**
 * `int bufferevent_decref(struct bufferevent *bufev)`: drop a reference taken with
 * bufferevent_incref; the last one releases the bufferevent. Returns 1 if it was released, else 0.
 * @param bufev the bufferevent
 * @returns 1 if it was released, else 0
 * @see {@link bufferevent_incref}
 * @category Bufferevents
 */
export function bufferevent_decref(bufev: bufferevent): number {
  checkBev_(bufev, "bufferevent_decref");
  return bufferevent_decref_and_unlock_(bufev);
}

/**
 * `void bufferevent_free(struct bufferevent *bufev)`: release the bufferevent: its callbacks are
 * cleared at once (pending deferred callbacks then do nothing), a running name lookup is
 * cancelled, and it is destroyed from the loop once no callback of it is running and no other
 * reference is held; BEV_OPT_CLOSE_ON_FREE then closes the socket. Data still in the output
 * buffer is not sent. Safe inside any of its callbacks. Freeing it twice throws a TypeError.
 * @param bufev the bufferevent to release
 * @see {@link bufferevent_socket_new}, {@link bufferevent_incref}
 * @category Bufferevents
 */
export function bufferevent_free(bufev: bufferevent): void {
  const p = checkBev_(bufev, "bufferevent_free");
  if (p.freed) throw new TypeError("bufferevent_free: the bufferevent was already freed");
  if (p.ev_base!.freed) throw new TypeError("bufferevent_free: the bufferevent's event_base was freed first");
  p.freed = true;
  if (p.async_ !== null) p.async_.detach_("bufferevent_free");
  p.readcb = null;
  p.writecb = null;
  p.errorcb = null;
  p.cbarg = null;
  bufferevent_cancel_all_(p);
  bufferevent_decref_and_unlock_(p);
}

/**
 * `void bufferevent_incref(struct bufferevent *bufev)`: take a reference, keeping the bufferevent alive after bufferevent_free until bufferevent_decref.
 * @param bufev the bufferevent
 * @see {@link bufferevent_decref}
 * @category Bufferevents
 */
export function bufferevent_incref(bufev: bufferevent): void {
  checkBev_(bufev, "bufferevent_incref");
  bufferevent_incref_and_lock_(bufev);
}

/**
 * `void bufferevent_lock(struct bufferevent *bufev)`: acquire the bufferevent's lock (never
 * contended here: one thread) and a reference, as libevent does; bufferevent_unlock drops both.
 * @param bufev the bufferevent
 * @see {@link bufferevent_unlock}
 * @category Bufferevents
 */
export function bufferevent_lock(bufev: bufferevent): void {
  checkBev_(bufev, "bufferevent_lock");
  bufferevent_incref_and_lock_(bufev);
}

/**
 * `void bufferevent_unlock(struct bufferevent *bufev)`: release what bufferevent_lock took.
 * @param bufev the bufferevent
 * @see {@link bufferevent_lock}
 * @category Bufferevents
 */
export function bufferevent_unlock(bufev: bufferevent): void {
  checkBev_(bufev, "bufferevent_unlock");
  bufferevent_decref_and_unlock_(bufev);
}

// ---------------------------------------------------------------------------------------------
// ctrl: fd, underlying, cancelling
// ---------------------------------------------------------------------------------------------

/** The `union bufferevent_ctrl_data` C keeps on the stack: ctrl never calls back into user code. */
const ctrlData = new bufferevent_ctrl_data();
/** BEV_CTRL_CANCEL_ALL's (unused) argument, apart: cancelling may run callbacks that use ctrlData. */
const cancelData = new bufferevent_ctrl_data();

/**
 * `int bufferevent_setfd(struct bufferevent *bufev, evutil_socket_t fd)`: make a socket
 * bufferevent use `fd` (its events are moved to it and re-enabled as the user enabled them).
 * Returns 0, or -1 if the type has no fd.
 * @param bufev the bufferevent
 * @param fd the file descriptor (socket)
 * @returns 0, or -1 if the type has no fd
 * @see {@link bufferevent_getfd}
 * @category Bufferevents
 */
export function bufferevent_setfd(bufev: bufferevent, fd: evutil_socket_t): number {
  checkBev_(bufev, "bufferevent_setfd");
  check_int_("bufferevent_setfd", "fd", fd);
  const ctrl = bufev.be_ops.ctrl;
  ctrlData.fd = fd;
  const res = ctrl !== null ? ctrl(bufev, BEV_CTRL_SET_FD, ctrlData) : -1;
  if (res) event_debugx(`bufferevent_setfd: cannot set fd for ${show(bufev)} to ${fd}`);
  return res;
}

/**
 * `evutil_socket_t bufferevent_getfd(struct bufferevent *bufev)`: the socket of the bufferevent (through filters), or -1.
 * @param bufev the bufferevent
 * @returns the socket, or -1
 * @see {@link bufferevent_setfd}
 * @category Bufferevents
 */
export function bufferevent_getfd(bufev: bufferevent): evutil_socket_t {
  checkBev_(bufev, "bufferevent_getfd");
  const ctrl = bufev.be_ops.ctrl;
  ctrlData.fd = -1;
  const res = ctrl !== null ? ctrl(bufev, BEV_CTRL_GET_FD, ctrlData) : -1;
  if (res) event_debugx(`bufferevent_getfd: cannot get fd for ${show(bufev)}`);
  return res < 0 ? -1 : ctrlData.fd;
}

function bufferevent_cancel_all_(bufev: bufferevent): void {
  const ctrl = bufev.be_ops.ctrl;
  if (ctrl !== null) ctrl(bufev, BEV_CTRL_CANCEL_ALL, cancelData);
}

function bufferevent_get_underlying_(bufev: bufferevent): bufferevent | null {
  const ctrl = bufev.be_ops.ctrl;
  ctrlData.ptr = null;
  const res = ctrl !== null ? ctrl(bufev, BEV_CTRL_GET_UNDERLYING, ctrlData) : -1;
  const ptr = ctrlData.ptr;
  ctrlData.ptr = null;
  return res < 0 ? null : ptr;
}

/**
 * `struct bufferevent *bufferevent_get_underlying(struct bufferevent *bufev)`: the bufferevent a filter works on, or null for other types.
 * @param bufev the bufferevent
 * @returns the underlying bufferevent, or null
 * @see {@link bufferevent_filter_new}
 * @category Bufferevents
 */
export function bufferevent_get_underlying(bufev: bufferevent): bufferevent | null {
  checkBev_(bufev, "bufferevent_get_underlying");
  return bufferevent_get_underlying_(bufev);
}

// ---------------------------------------------------------------------------------------------
// Generic timeouts (pair and filter bufferevents: timers only, no fd)
// ---------------------------------------------------------------------------------------------

function bufferevent_generic_read_timeout_cb(_fd: evutil_socket_t, _event: number, bev: bufferevent): void {
  bufferevent_incref_and_lock_(bev);
  try {
    bufferevent_disable(bev, EV_READ);
    bufferevent_run_eventcb_(bev, BEV_EVENT_TIMEOUT | BEV_EVENT_READING, 0);
  } finally {
    bufferevent_decref_and_unlock_(bev);
  }
}

function bufferevent_generic_write_timeout_cb(_fd: evutil_socket_t, _event: number, bev: bufferevent): void {
  bufferevent_incref_and_lock_(bev);
  try {
    bufferevent_disable(bev, EV_WRITE);
    bufferevent_run_eventcb_(bev, BEV_EVENT_TIMEOUT | BEV_EVENT_WRITING, 0);
  } finally {
    bufferevent_decref_and_unlock_(bev);
  }
}

/** @internal Make ev_read/ev_write pure timers reporting the read and write timeouts (pair, filter). */
export function bufferevent_init_generic_timeout_cbs_(bev: bufferevent): void {
  event_assign(bev.ev_read, bev.ev_base, -1, EV_FINALIZE, bufferevent_generic_read_timeout_cb, bev);
  event_assign(bev.ev_write, bev.ev_base, -1, EV_FINALIZE, bufferevent_generic_write_timeout_cb, bev);
}

/**
 * @internal Re-arm the generic timers: the read timer runs while reading is enabled and not
 * suspended, the write timer while writing is and there is output to send.
 */
export function bufferevent_generic_adj_timeouts_(bev: bufferevent): number {
  const enabled = bev.enabled;
  const p = BEV_UPCAST(bev);
  let r1: number;
  let r2: number;
  if (enabled & EV_READ && !p.read_suspended && timerisset_(bev.timeout_read)) r1 = event_add(bev.ev_read, bev.timeout_read);
  else r1 = event_del(bev.ev_read);
  if (enabled & EV_WRITE && !p.write_suspended && timerisset_(bev.timeout_write) && evbuffer_get_length(bev.output)) {
    r2 = event_add(bev.ev_write, bev.timeout_write);
  } else {
    r2 = event_del(bev.ev_write);
  }
  return r1 < 0 || r2 < 0 ? -1 : 0;
}

/** @internal Apply the current timeouts to whichever of ev_read/ev_write is pending (socket bufferevents). */
export function bufferevent_generic_adj_existing_timeouts_(bev: bufferevent): number {
  let r = 0;
  if (event_pending(bev.ev_read, EV_READ, null)) {
    if (timerisset_(bev.timeout_read)) {
      if (bufferevent_add_event_(bev.ev_read, bev.timeout_read) < 0) r = -1;
    } else {
      event_remove_timer(bev.ev_read);
    }
  }
  if (event_pending(bev.ev_write, EV_WRITE, null)) {
    if (timerisset_(bev.timeout_write)) {
      if (bufferevent_add_event_(bev.ev_write, bev.timeout_write) < 0) r = -1;
    } else {
      event_remove_timer(bev.ev_write);
    }
  }
  return r;
}

/** @internal event_add with `tv` as timeout, or without a timeout if `tv` is zero. */
export function bufferevent_add_event_(ev: event, tv: timeval): number {
  return event_add(ev, timerisset_(tv) ? tv : null);
}

/** @internal bufferevent_add_event_ whose result is ignored: the backend change may wait for the next dispatch (event_add_deferred_). */
export function bufferevent_add_event_deferred_(ev: event, tv: timeval): void {
  event_add_deferred_(ev, timerisset_(tv) ? tv : null);
}
