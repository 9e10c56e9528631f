/**
 * Bufferevent pairs (libevent's bufferevent_pair.c): two bufferevents without fds whose output
 * is the other's input, as if joined by a socketpair but without the kernel in between. Data
 * moves synchronously, inside the writer's output-buffer callback, when the writer may write and
 * the reader may read; the user's callbacks always run deferred, from the loop.
 * @module
 */
import type { evbuffer, evbuffer_cb_info } from "./buffer.js";
import {
  evbuffer_add_buffer, evbuffer_add_cb, evbuffer_freeze, evbuffer_get_length, evbuffer_remove_buffer, evbuffer_unfreeze,
} from "./buffer.js";
import {
  BEV_EVENT_EOF, BEV_EVENT_READING, BEV_EVENT_WRITING, BEV_NORMAL, BEV_FINISHED, BEV_OPT_DEFER_CALLBACKS,
  BEV_OPT_THREADSAFE, bufferevent_decref_and_unlock_, bufferevent_generic_adj_timeouts_, bufferevent_incref_and_lock_,
  bufferevent_init_common_, bufferevent_init_generic_timeout_cbs_, bufferevent_private, bufferevent_run_eventcb_,
  bufferevent_trigger_nolock_, checkBev_,
} from "./bufferevent.js";
import { BEV_RESET_GENERIC_READ_TIMEOUT, BEV_RESET_GENERIC_WRITE_TIMEOUT } from "./bufferevent-internal.js";
import type { bufferevent_ops } from "./bufferevent-internal.js";
import type { bufferevent } from "./bufferevent_struct.js";
import { EV_READ, EV_WRITE } from "../event/constants.js";
import type { event_base } from "../event/event.js";
import { event_base_or_current_, event_del } from "../event/event.js";
import { check_int_, show } from "../util/check.js";

/** `struct bufferevent_pair`: one end of a pair. */
class bufferevent_pair extends bufferevent_private {
  /** The other end, or null once either end is released. */
  partner: bufferevent_pair | null = null;
}

/** The pair bufferevent's implementation table. */
const bufferevent_ops_pair: bufferevent_ops = {
  enable: be_pair_enable,
  disable: be_pair_disable,
  unlink: be_pair_unlink,
  destruct: null,
  adj_timeouts: bufferevent_generic_adj_timeouts_,
  flush: be_pair_flush,
  ctrl: null,
};

/** The pair end `bev` is, or null for another type (BEV_IS_PAIR). */
function upcast(bev: bufferevent): bufferevent_pair | null {
  return bev.be_ops === bufferevent_ops_pair ? (bev as bufferevent_pair) : null;
}

/** A reference on `b` and on its partner, held while data moves between them. */
function incref_and_lock(b: bufferevent_pair): void {
  bufferevent_incref_and_lock_(b);
  if (b.partner !== null) bufferevent_incref_and_lock_(b.partner);
}

/** Release what incref_and_lock took. */
function decref_and_unlock(b: bufferevent_pair): void {
  if (b.partner !== null) bufferevent_decref_and_unlock_(b.partner);
  bufferevent_decref_and_unlock_(b);
}

function bufferevent_pair_elt_new(base: event_base, options: number): bufferevent_pair {
  const bufev = new bufferevent_pair();
  // The options always include BEV_OPT_DEFER_CALLBACKS, so this cannot fail.
  bufferevent_init_common_(bufev, base, bufferevent_ops_pair, options);
  evbuffer_add_cb(bufev.output, be_pair_outbuf_cb, bufev);
  bufferevent_init_generic_timeout_cbs_(bufev);
  return bufev;
}

/**
 * `int bufferevent_pair_new(struct event_base *base, int options, struct bufferevent *pair[2])`:
 * two bufferevents joined to each other, stored into `pair[0]` and `pair[1]` (a JS array, filled
 * in place). Whatever is written to one arrives in the other's input once the writer has EV_WRITE
 * and the reader EV_READ enabled (reading starts disabled, as on every bufferevent); the reader's
 * read high watermark limits how much moves. BEV_OPT_DEFER_CALLBACKS is always added: the
 * callbacks run from the loop. There are no fds (`bufferevent_getfd` is -1); read and write
 * timeouts work. Returns 0. A null base means the event_init() base (a TypeError if there is none).
 * @param base the base both ends use
 * @param options `BEV_OPT_*` flags ORed (`BEV_OPT_DEFER_CALLBACKS`, ...)
 * @param pair a two-element array that receives the two ends
 * @returns 0
 * @see {@link bufferevent_pair_get_partner}
 * @category Pairs
 */
export function bufferevent_pair_new(base: event_base | null, options: number, pair: (bufferevent | null)[]): number {
  const fn = "bufferevent_pair_new";
  base = event_base_or_current_(base, fn);
  check_int_(fn, "options", options);
  if (!Array.isArray(pair)) throw new TypeError(`${fn}: pair is ${show(pair)}, not an array to fill`);
  options |= BEV_OPT_DEFER_CALLBACKS;
  const bufev1 = bufferevent_pair_elt_new(base, options);
  // The second end shares the first one's lock in C; here no lock is ever contended.
  const bufev2 = bufferevent_pair_elt_new(base, options & ~BEV_OPT_THREADSAFE);
  bufev1.partner = bufev2;
  bufev2.partner = bufev1;
  // Only the pair moves data out of an output and into an input.
  evbuffer_freeze(bufev1.input, 0);
  evbuffer_freeze(bufev1.output, 1);
  evbuffer_freeze(bufev2.input, 0);
  evbuffer_freeze(bufev2.output, 1);
  pair[0] = bufev1;
  pair[1] = bufev2;
  return 0;
}

/**
 * Move `src`'s output into `dst`'s input: as much as `dst`'s read high watermark leaves room for
 * (nothing if it is full, unless `ignore_wm`), else everything; then restart `dst`'s timeouts and
 * trigger `dst`'s read callback and `src`'s write callback (deferred, watermarks permitting).
 */
function be_pair_transfer(src: bufferevent, dst: bufferevent, ignore_wm: boolean): void {
  evbuffer_unfreeze(src.output, 1);
  evbuffer_unfreeze(dst.input, 0);
  try {
    let n: number;
    if (dst.wm_read.high) {
      const dst_size = evbuffer_get_length(dst.input);
      if (dst_size < dst.wm_read.high) {
        n = dst.wm_read.high - dst_size;
        evbuffer_remove_buffer(src.output, dst.input, n);
      } else {
        if (!ignore_wm) return;
        n = evbuffer_get_length(src.output);
        evbuffer_add_buffer(dst.input, src.output);
      }
    } else {
      n = evbuffer_get_length(src.output);
      evbuffer_add_buffer(dst.input, src.output);
    }
    if (n) {
      BEV_RESET_GENERIC_READ_TIMEOUT(dst);
      if (evbuffer_get_length(dst.output)) BEV_RESET_GENERIC_WRITE_TIMEOUT(dst);
      else event_del(dst.ev_write);
    }
    bufferevent_trigger_nolock_(dst, EV_READ, 0);
    bufferevent_trigger_nolock_(src, EV_WRITE, 0);
  } finally {
    evbuffer_freeze(src.output, 1);
    evbuffer_freeze(dst.input, 0);
  }
}

/** Whether data should move from `src` to `dst` now. */
function be_pair_wants_to_talk(src: bufferevent_pair, dst: bufferevent_pair): boolean {
  return (src.enabled & EV_WRITE) !== 0 && (dst.enabled & EV_READ) !== 0 && !dst.read_suspended &&
    evbuffer_get_length(src.output) !== 0;
}

/** Data was added to an end's output: hand it over if the partner is reading. */
function be_pair_outbuf_cb(_outbuf: evbuffer, info: evbuffer_cb_info, bev_pair: bufferevent_pair): void {
  const partner = bev_pair.partner;
  incref_and_lock(bev_pair);
  try {
    if (info.n_added > info.n_deleted && partner !== null && be_pair_wants_to_talk(bev_pair, partner)) {
      be_pair_transfer(bev_pair, partner, false);
    }
  } finally {
    decref_and_unlock(bev_pair);
  }
}

function be_pair_enable(bufev: bufferevent, events: number): number {
  const bev_p = upcast(bufev)!;
  const partner = bev_p.partner;
  incref_and_lock(bev_p);
  try {
    if (events & EV_READ) BEV_RESET_GENERIC_READ_TIMEOUT(bufev);
    if (events & EV_WRITE && evbuffer_get_length(bufev.output)) BEV_RESET_GENERIC_WRITE_TIMEOUT(bufev);
    // Starting to read: has the other side something to say?
    if (events & EV_READ && partner !== null && be_pair_wants_to_talk(partner, bev_p)) {
      be_pair_transfer(partner, bufev, false);
    }
    // Starting to write: is the other side listening?
    if (events & EV_WRITE && partner !== null && be_pair_wants_to_talk(bev_p, partner)) {
      be_pair_transfer(bufev, partner, false);
    }
  } finally {
    decref_and_unlock(bev_p);
  }
  return 0;
}

function be_pair_disable(bev: bufferevent, events: number): number {
  if (events & EV_READ) event_del(bev.ev_read);
  if (events & EV_WRITE) event_del(bev.ev_write);
  return 0;
}

/** The last reference to an end went: the partner is on its own (it gets no end of file). */
function be_pair_unlink(bev: bufferevent): void {
  const bev_p = upcast(bev)!;
  if (bev_p.partner !== null) {
    bev_p.partner.partner = null;
    bev_p.partner = null;
  }
}

/**
 * bufferevent_flush on a pair end: BEV_NORMAL does nothing; BEV_FLUSH and BEV_FINISHED move the
 * data of `iotype` (EV_READ: from the partner, EV_WRITE: to it) whatever the watermarks say, and
 * BEV_FINISHED then gives the partner's event callback EOF (with WRITING for EV_READ, READING for
 * EV_WRITE). -1 once the partner is gone.
 */
function be_pair_flush(bev: bufferevent, iotype: number, mode: number): number {
  const bev_p = upcast(bev)!;
  if (bev_p.partner === null) return -1;
  if (mode === BEV_NORMAL) return 0;
  incref_and_lock(bev_p);
  try {
    const partner = bev_p.partner;
    if (iotype & EV_READ) be_pair_transfer(partner, bev, true);
    if (iotype & EV_WRITE) be_pair_transfer(bev, partner, true);
    if (mode === BEV_FINISHED) {
      let what = BEV_EVENT_EOF;
      if (iotype & EV_READ) what |= BEV_EVENT_WRITING;
      if (iotype & EV_WRITE) what |= BEV_EVENT_READING;
      bufferevent_run_eventcb_(partner, what, 0);
    }
  } finally {
    decref_and_unlock(bev_p);
  }
  return 0;
}

/**
 * `struct bufferevent *bufferevent_pair_get_partner(struct bufferevent *bev)`: the other end of
 * the pair `bev` belongs to, or null once that end was released (or if `bev` is not a pair end).
 * @param bev one end of a pair
 * @returns the other end, or null
 * @see {@link bufferevent_pair_new}
 * @category Pairs
 */
export function bufferevent_pair_get_partner(bev: bufferevent): bufferevent | null {
  checkBev_(bev, "bufferevent_pair_get_partner");
  const bev_p = upcast(bev);
  return bev_p !== null ? bev_p.partner : null;
}
