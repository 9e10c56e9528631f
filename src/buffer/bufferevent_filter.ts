/**
 * Filtering bufferevents (libevent's bufferevent_filter.c): a bufferevent stacked on another
 * (the underlying: a socket, a pair end, another filter). What the user writes passes through
 * the output filter into the underlying's output; what the underlying reads passes through the
 * input filter into the filter's input. The filter takes over the underlying's callbacks and
 * forwards its events (connected, end of file, error, timeout) unchanged.
 * @module
 */
import type { evbuffer, evbuffer_cb_entry, evbuffer_cb_info } from "./buffer.js";
import {
  EVBUFFER_CB_ENABLED, evbuffer_add_cb, evbuffer_cb_clear_flags, evbuffer_cb_set_flags, evbuffer_get_length,
  evbuffer_remove_buffer, evbuffer_remove_cb_entry,
} from "./buffer.js";
import {
  BEV_NORMAL, BEV_OPT_CLOSE_ON_FREE, BEV_OPT_THREADSAFE, BEV_UPCAST, bufferevent_decref_and_unlock_, bufferevent_enable,
  bufferevent_flush, bufferevent_free, bufferevent_generic_adj_timeouts_, bufferevent_incref_and_lock_,
  bufferevent_init_common_, bufferevent_init_generic_timeout_cbs_, bufferevent_private, bufferevent_run_eventcb_,
  bufferevent_setcb, bufferevent_suspend_read_, bufferevent_trigger_nolock_, bufferevent_unsuspend_read_, checkBev_,
} from "./bufferevent.js";
import {
  BEV_CTRL_GET_FD, BEV_CTRL_GET_UNDERLYING, BEV_CTRL_SET_FD, BEV_SUSPEND_FILT_READ,
  BEV_RESET_GENERIC_READ_TIMEOUT, BEV_RESET_GENERIC_WRITE_TIMEOUT,
} from "./bufferevent-internal.js";
import type { bufferevent_ctrl_data, bufferevent_ops } from "./bufferevent-internal.js";
import type { bufferevent } from "./bufferevent_struct.js";
import { EV_READ, EV_WRITE } from "../event/constants.js";
import { event_del } from "../event/event.js";
import { event_warnx } from "../event/log.js";
import { check_fn_or_null_, check_int_, show } from "../util/check.js";

/** `enum bufferevent_filter_result`: the filter did what it could; call it again when there is more to do. @category Filters */
export const BEV_OK = 0;
/** `enum bufferevent_filter_result`: the filter needs more input before it can produce output. @category Filters */
export const BEV_NEED_MORE = 1;
/** `enum bufferevent_filter_result`: the filter failed; this round of filtering stops (no event is raised). @category Filters */
export const BEV_ERROR = 2;

/**
 * `typedef enum bufferevent_filter_result (*bufferevent_filter_cb)(struct evbuffer *src, struct
 * evbuffer *dst, ev_ssize_t dst_limit, enum bufferevent_flush_mode mode, void *ctx)`: move and
 * transform data from `src` to `dst`, trying not to add more than `dst_limit` bytes to `dst` if
 * it is not -1 (the room the destination's high watermark leaves). Return BEV_OK when data was
 * produced: only then is the filter called again while input remains, and the read (or write)
 * callback triggered. Return BEV_NEED_MORE when nothing more can be produced without more input,
 * BEV_ERROR on failure; both end the round. `mode` is BEV_NORMAL, or BEV_FLUSH / BEV_FINISHED
 * when the user calls bufferevent_flush (then `dst_limit` is -1).
 * Differs from C: any other return value is a TypeError.
 * @param src the buffer to take bytes from
 * @param dst the buffer to put filtered bytes into
 * @param dst_limit the most bytes to add to `dst` (-1: no limit)
 * @param mode `BEV_NORMAL`, `BEV_FLUSH` or `BEV_FINISHED`
 * @param ctx the `ctx` given to {@link bufferevent_filter_new}
 * @returns `BEV_OK`, `BEV_NEED_MORE` or `BEV_ERROR`
 * @category Filters
 */
export type bufferevent_filter_cb<A = any> = (src: evbuffer, dst: evbuffer, dst_limit: number, mode: number, ctx: A) => number;

/** `struct bufferevent_filtered` */
class bufferevent_filtered extends bufferevent_private {
  /** The bufferevent filtered data is read from and written to. */
  underlying!: bufferevent;
  /** On the filter's input: re-runs the input filter once the user drains below the high watermark. */
  inbuf_cb: evbuffer_cb_entry | null = null;
  /** On the filter's output: runs the output filter when the user adds data. */
  outbuf_cb: evbuffer_cb_entry | null = null;
  /** Releases `context` when the filter is destroyed. */
  free_context: ((ctx: any) => void) | null = null;
  /** The input filter. */
  process_in!: bufferevent_filter_cb;
  /** The output filter. */
  process_out!: bufferevent_filter_cb;
  /** The filters' `ctx`. */
  context: unknown = null;
}

/** The filter bufferevent's implementation table. */
const bufferevent_ops_filter: bufferevent_ops = {
  enable: be_filter_enable,
  disable: be_filter_disable,
  unlink: be_filter_unlink,
  destruct: be_filter_destruct,
  adj_timeouts: bufferevent_generic_adj_timeouts_,
  flush: be_filter_flush,
  ctrl: be_filter_ctrl,
};

/** The filter `bev` is (BEV_IS_FILTER holds for every bufferevent given these ops). */
function upcast(bev: bufferevent): bufferevent_filtered {
  return bev as bufferevent_filtered;
}

/** Whether the underlying output is at its high watermark, so that a normal round must not add to it. */
function be_underlying_writebuf_full(bevf: bufferevent_filtered, state: number): boolean {
  const u = bevf.underlying;
  return state === BEV_NORMAL && u.wm_write.high !== 0 && evbuffer_get_length(u.output) >= u.wm_write.high;
}

/** Whether the filter's input is at its high watermark, so that a normal round must not add to it. */
function be_readbuf_full(bevf: bufferevent_filtered, state: number): boolean {
  return state === BEV_NORMAL && bevf.wm_read.high !== 0 && evbuffer_get_length(bevf.input) >= bevf.wm_read.high;
}

/** The filter used where none is given: move everything, up to the limit. */
function be_null_filter(src: evbuffer, dst: evbuffer, lim: number, _state: number, _ctx: unknown): number {
  return evbuffer_remove_buffer(src, dst, lim) >= 0 ? BEV_OK : BEV_ERROR;
}

/** Call a user filter, refusing a result that is not a bufferevent_filter_result. */
function runFilter(f: bufferevent_filter_cb, src: evbuffer, dst: evbuffer, limit: number, state: number, ctx: unknown): number {
  const res = f(src, dst, limit, state, ctx);
  if (res !== BEV_OK && res !== BEV_NEED_MORE && res !== BEV_ERROR) {
    throw new TypeError(`bufferevent_filter_cb: the filter returned ${show(res)}, not BEV_OK, BEV_NEED_MORE or BEV_ERROR`);
  }
  return res;
}

/**
 * `struct bufferevent *bufferevent_filter_new(struct bufferevent *underlying,
 * bufferevent_filter_cb input_filter, bufferevent_filter_cb output_filter, int options, void
 * (*free_context)(void *), void *ctx)`: a bufferevent that filters `underlying` (null filter:
 * pass data through unchanged). The filter takes over the underlying's callbacks and a reference
 * on it, enables reading and writing on it, and reads from it only while the filter itself has
 * EV_READ enabled. BEV_OPT_CLOSE_ON_FREE frees the underlying with the filter; without it the
 * underlying gets its callbacks cleared and lives on. `free_context(ctx)`, if given, runs when
 * the filter is destroyed. Output is filtered as soon as it is written (while the underlying's
 * output is below its write high watermark); input as it arrives (while the filter's input is
 * below its read high watermark). Returns the filter, or null if `underlying` is null or the
 * options are invalid.
 * Differs from C: when the filter's input was full and the read callback, run inline, drains it,
 * the data still waiting in the underlying is filtered at once; libevent 2.1.12 leaves it there
 * until the underlying reads something new, which may never happen.
 * @param underlying the bufferevent to filter
 * @param input_filter called as `input_filter(src, dst, dst_limit, mode, ctx)` to turn the underlying input into this one's input, or null to pass it through
 * @param output_filter called as `output_filter(src, dst, dst_limit, mode, ctx)` to turn this one's output into the underlying output, or null to pass it through
 * @param options `BEV_OPT_*` flags ORed (`BEV_OPT_CLOSE_ON_FREE` frees `underlying` with the filter)
 * @param free_context called as `free_context(ctx)` when the filter is freed, or null
 * @param ctx passed untouched to the filters and `free_context`
 * @returns the filter, or null if `underlying` is null or the options are invalid
 * @see {@link bufferevent_get_underlying}
 * @category Filters
 */
export function bufferevent_filter_new<A>(
  underlying: bufferevent | null, input_filter: bufferevent_filter_cb<A> | null, output_filter: bufferevent_filter_cb<A> | null,
  options: number, free_context: ((ctx: A) => void) | null, ctx: A,
): bufferevent | null {
  const fn = "bufferevent_filter_new";
  if (underlying === null) return null;
  checkBev_(underlying, fn);
  check_fn_or_null_(fn, "input_filter", input_filter);
  check_fn_or_null_(fn, "output_filter", output_filter);
  check_int_(fn, "options", options);
  check_fn_or_null_(fn, "free_context", free_context);

  const bufev_f = new bufferevent_filtered();
  // BEV_OPT_THREADSAFE would give the filter a lock of its own: nothing to do with one thread.
  if (bufferevent_init_common_(bufev_f, underlying.ev_base!, bufferevent_ops_filter, options & ~BEV_OPT_THREADSAFE) < 0) {
    return null;
  }
  bufev_f.underlying = underlying;
  bufev_f.process_in = input_filter ?? be_null_filter;
  bufev_f.process_out = output_filter ?? be_null_filter;
  bufev_f.free_context = free_context;
  bufev_f.context = ctx;

  bufferevent_setcb(underlying, be_filter_readcb, be_filter_writecb, be_filter_eventcb, bufev_f);

  bufev_f.inbuf_cb = evbuffer_add_cb(bufev_f.input, bufferevent_filtered_inbuf_cb, bufev_f);
  evbuffer_cb_clear_flags(bufev_f.input, bufev_f.inbuf_cb, EVBUFFER_CB_ENABLED);
  bufev_f.outbuf_cb = evbuffer_add_cb(bufev_f.output, bufferevent_filtered_outbuf_cb, bufev_f);

  bufferevent_init_generic_timeout_cbs_(bufev_f);
  bufferevent_incref_and_lock_(underlying);

  bufferevent_enable(underlying, EV_READ | EV_WRITE);
  bufferevent_suspend_read_(underlying, BEV_SUSPEND_FILT_READ);
  return bufev_f;
}

/** The filter's last reference went: free the underlying (CLOSE_ON_FREE) or hand it back. */
function be_filter_unlink(bev: bufferevent): void {
  const bevf = upcast(bev);
  if (bevf.options & BEV_OPT_CLOSE_ON_FREE) {
    // The filter's own reference is dropped when it is finalized; this frees the user's.
    if (BEV_UPCAST(bevf.underlying).refcnt < 2) {
      event_warnx("BEV_OPT_CLOSE_ON_FREE set on an bufferevent with too few references");
    } else {
      bufferevent_free(bevf.underlying);
    }
  } else {
    if (bevf.underlying.errorcb === be_filter_eventcb) bufferevent_setcb(bevf.underlying, null, null, null, null);
    bufferevent_unsuspend_read_(bevf.underlying, BEV_SUSPEND_FILT_READ);
  }
}

function be_filter_destruct(bev: bufferevent): void {
  const bevf = upcast(bev);
  if (bevf.free_context !== null) bevf.free_context(bevf.context);
  if (bevf.inbuf_cb !== null) evbuffer_remove_cb_entry(bev.input, bevf.inbuf_cb);
  if (bevf.outbuf_cb !== null) evbuffer_remove_cb_entry(bev.output, bevf.outbuf_cb);
}

function be_filter_enable(bev: bufferevent, event: number): number {
  const bevf = upcast(bev);
  if (event & EV_WRITE) BEV_RESET_GENERIC_WRITE_TIMEOUT(bev);
  if (event & EV_READ) {
    BEV_RESET_GENERIC_READ_TIMEOUT(bev);
    bufferevent_unsuspend_read_(bevf.underlying, BEV_SUSPEND_FILT_READ);
  }
  return 0;
}

function be_filter_disable(bev: bufferevent, event: number): number {
  const bevf = upcast(bev);
  if (event & EV_WRITE) event_del(bev.ev_write);
  if (event & EV_READ) {
    event_del(bev.ev_read);
    bufferevent_suspend_read_(bevf.underlying, BEV_SUSPEND_FILT_READ);
  }
  return 0;
}

/**
 * Run the input filter from the underlying's input into the filter's, while it returns BEV_OK,
 * reading is enabled, data remains and (in a normal round) the filter's input is below its high
 * watermark. Returns whether any call returned BEV_OK (C's `*processed_out`; the last result,
 * which C returns too, is used by no caller).
 */
function be_filter_process_input(bevf: bufferevent_filtered, state: number): boolean {
  // A normal round only runs while the user reads and there is room.
  if (state === BEV_NORMAL && (!(bevf.enabled & EV_READ) || be_readbuf_full(bevf, state))) return false;
  let processed = false;
  let res: number;
  do {
    let limit = -1;
    if (state === BEV_NORMAL && bevf.wm_read.high) limit = bevf.wm_read.high - evbuffer_get_length(bevf.input);
    res = runFilter(bevf.process_in, bevf.underlying.input, bevf.input, limit, state, bevf.context);
    if (res === BEV_OK) processed = true;
  } while (res === BEV_OK && bevf.enabled & EV_READ && evbuffer_get_length(bevf.underlying.input) &&
    !be_readbuf_full(bevf, state));
  if (processed) BEV_RESET_GENERIC_READ_TIMEOUT(bevf);
  return processed;
}

/**
 * Run the output filter from the filter's output into the underlying's, while it returns BEV_OK,
 * writing is enabled, data remains and (in a normal round) the underlying's output is below its
 * high watermark; after each productive pass the filter's write callback is triggered. The
 * output-buffer callback is off meanwhile, so that a filter or a write callback writing to this
 * bufferevent does not start a round inside the round. Returns whether any call returned BEV_OK.
 */
function be_filter_process_output(bevf: bufferevent_filtered, state: number): boolean {
  // A normal round only runs while the user writes, the underlying has room, and there is data.
  if (state === BEV_NORMAL &&
      (!(bevf.enabled & EV_WRITE) || be_underlying_writebuf_full(bevf, state) || !evbuffer_get_length(bevf.output))) {
    return false;
  }
  let processed_any = false;
  evbuffer_cb_clear_flags(bevf.output, bevf.outbuf_cb!, EVBUFFER_CB_ENABLED);
  try {
    let again: boolean;
    do {
      let processed = false;
      let res: number;
      again = false;
      do {
        let limit = -1;
        const u = bevf.underlying;
        if (state === BEV_NORMAL && u.wm_write.high) limit = u.wm_write.high - evbuffer_get_length(u.output);
        res = runFilter(bevf.process_out, bevf.output, u.output, limit, state, bevf.context);
        if (res === BEV_OK) processed = processed_any = true;
      } while (res === BEV_OK && bevf.enabled & EV_WRITE && evbuffer_get_length(bevf.output) &&
        !be_underlying_writebuf_full(bevf, state));

      if (processed) {
        bufferevent_trigger_nolock_(bevf, EV_WRITE, 0);
        // The write callback may have written more.
        if (res === BEV_OK && bevf.enabled & EV_WRITE && evbuffer_get_length(bevf.output) &&
            !be_underlying_writebuf_full(bevf, state)) {
          again = true;
        }
      }
    } while (again);
  } finally {
    evbuffer_cb_set_flags(bevf.output, bevf.outbuf_cb!, EVBUFFER_CB_ENABLED);
  }
  if (processed_any) BEV_RESET_GENERIC_WRITE_TIMEOUT(bevf);
  return processed_any;
}

/** The user added to the filter's output: filter it now if it may go. */
function bufferevent_filtered_outbuf_cb(_buf: evbuffer, cbinfo: evbuffer_cb_info, bevf: bufferevent_filtered): void {
  if (!cbinfo.n_added) return;
  bufferevent_incref_and_lock_(bevf);
  try {
    be_filter_process_output(bevf, BEV_NORMAL);
  } finally {
    bufferevent_decref_and_unlock_(bevf);
  }
}

/**
 * Filter what the underlying read, then call the user's read callback if anything came through.
 * If the filter's input filled up with data still waiting in the underlying, watch the input so
 * that draining it below the high watermark resumes filtering (else that data would be stuck:
 * the underlying has nothing new to read that would call us again).
 */
function be_filter_read_nolock_(underlying: bufferevent, bevf: bufferevent_filtered): void {
  if (bevf.refcnt <= 0) return;
  // got_eof is never set in libevent 2.1.12, so a read round is always BEV_NORMAL.
  const state = BEV_NORMAL;
  while (be_filter_process_input(bevf, state)) {
    const wasFull = be_readbuf_full(bevf, state);
    bufferevent_trigger_nolock_(bevf, EV_READ, 0);
    if (evbuffer_get_length(underlying.input) === 0 || bevf.refcnt <= 0) return;
    if (be_readbuf_full(bevf, state)) {
      // Data waits in the underlying: filter more once the reader makes room.
      evbuffer_cb_set_flags(bevf.input, bevf.inbuf_cb!, EVBUFFER_CB_ENABLED);
      return;
    }
    // The read callback ran inline and made room. libevent 2.1.12 stops here and leaves the rest
    // in the underlying until it reads something new (possibly never); filter again instead.
    if (!wasFull) return;
  }
}

/** The filter's input changed while data waited in the underlying: resume once there is room. */
function bufferevent_filtered_inbuf_cb(_buf: evbuffer, _cbinfo: evbuffer_cb_info, bevf: bufferevent_filtered): void {
  if (be_readbuf_full(bevf, BEV_NORMAL)) return;
  evbuffer_cb_clear_flags(bevf.input, bevf.inbuf_cb!, EVBUFFER_CB_ENABLED);
  if (evbuffer_get_length(bevf.underlying.input) > 0) be_filter_read_nolock_(bevf.underlying, bevf);
}

/** The underlying's read callback. */
function be_filter_readcb(underlying: bufferevent, bevf: bufferevent_filtered): void {
  be_filter_read_nolock_(underlying, bevf);
}

/** The underlying's write callback: its output drained, so filter more into it. */
function be_filter_writecb(_underlying: bufferevent, bevf: bufferevent_filtered): void {
  if (bevf.refcnt > 0) be_filter_process_output(bevf, BEV_NORMAL);
}

/** The underlying's event callback: pass the event on, unchanged. */
function be_filter_eventcb(_underlying: bufferevent, what: number, bevf: bufferevent_filtered): void {
  if (bevf.refcnt > 0) bufferevent_run_eventcb_(bevf, what, 0);
}

/**
 * bufferevent_flush on a filter: run the input (EV_READ) and/or output (EV_WRITE) filter in
 * `mode` (BEV_FLUSH and BEV_FINISHED ignore the watermarks and call the filter even with no data),
 * then flush the underlying the same way. Returns 1 if a filter produced something, else 0.
 */
function be_filter_flush(bufev: bufferevent, iotype: number, mode: number): number {
  const bevf = upcast(bufev);
  let processed_any = false;
  bufferevent_incref_and_lock_(bufev);
  try {
    if (iotype & EV_READ && be_filter_process_input(bevf, mode)) processed_any = true;
    if (iotype & EV_WRITE && be_filter_process_output(bevf, mode)) processed_any = true;
    bufferevent_flush(bevf.underlying, iotype, mode);
  } finally {
    bufferevent_decref_and_unlock_(bufev);
  }
  return processed_any ? 1 : 0;
}

/** The underlying for BEV_CTRL_GET_UNDERLYING; fds are the underlying's. */
function be_filter_ctrl(bev: bufferevent, op: number, data: bufferevent_ctrl_data): number {
  const bevf = upcast(bev);
  switch (op) {
    case BEV_CTRL_GET_UNDERLYING:
      data.ptr = bevf.underlying;
      return 0;
    case BEV_CTRL_SET_FD:
    case BEV_CTRL_GET_FD: {
      const ctrl = bevf.underlying.be_ops.ctrl;
      return ctrl !== null ? ctrl(bevf.underlying, op, data) : -1;
    }
    default:
      return -1;
  }
}
