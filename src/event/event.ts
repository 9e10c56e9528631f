/**
 * `event_base` and `event` (libevent's event.c): the loop, adding and removing events, the active
 * queues per priority, timers on a min-heap plus common timeouts, the time cache, one-shot events,
 * finalizers, and inspection. Times inside are monotonic microseconds (numbers); `timeval`s are
 * converted at the API.
 * @module
 */
import { createRequire } from "node:module";
import { native } from "../native/binding.js";
import {
  check_box_, check_fd_, check_fn_, check_fn_or_null_, check_instance_, check_int_, check_mask_, check_timeval_, check_uint_, show,
} from "../util/check.js";
import { evutil_pointer_id_ } from "../util/snprintf.js";
import { evutil_gettimeofday, evutil_us_to_timeval_, timeval } from "../util/time.js";
import type { evutil_socket_t } from "../util/types.js";
import {
  EV_CLOSED, EV_CLOSURE_CB_FINALIZE, EV_CLOSURE_CB_SELF, EV_CLOSURE_EVENT, EV_CLOSURE_EVENT_FINALIZE,
  EV_CLOSURE_EVENT_FINALIZE_FREE, EV_CLOSURE_EVENT_PERSIST, EV_CLOSURE_EVENT_SIGNAL, EV_ET, EV_FINALIZE,
  EV_PERSIST, EV_READ, EV_SIGNAL, EV_TIMEOUT, EV_WRITE, EVENT_BASE_COUNT_ACTIVE, EVENT_BASE_COUNT_ADDED,
  EVENT_BASE_COUNT_VIRTUAL, EVENT_BASE_FLAG_IGNORE_ENV, EVENT_BASE_FLAG_NO_CACHE_TIME,
  EVENT_BASE_FLAG_PRECISE_TIMER, EVENT_MAX_PRIORITIES, EVLIST_ACTIVE, EVLIST_ACTIVE_LATER, EVLIST_FINALIZING,
  EVLIST_INIT, EVLIST_INSERTED, EVLIST_INTERNAL, EVLIST_TIMEOUT, EVLOOP_NO_EXIT_ON_EMPTY, EVLOOP_NONBLOCK,
  EVLOOP_ONCE, LIBEVENT_VERSION, LIBEVENT_VERSION_NUMBER,
} from "./constants.js";
import {
  event_debug_assert_is_setup_, event_debug_assert_not_added_, event_debug_assert_socket_nonblocking_,
  event_debug_mode_too_late_,
  event_debug_note_add_, event_debug_note_del_, event_debug_note_setup_, event_debug_note_teardown_,
  event_disable_debug_mode,
} from "./debug.js";
import { event_config } from "./event_config.js";
import type { eventop } from "./eventop.js";
import { eventop_features, eventop_init, eventop_methods, eventop_set_deferring_ } from "./eventop.js";
import {
  evmap_delete_all_, evmap_foreach_event_, evmap_io, evmap_io_active_, evmap_io_add_, evmap_io_del_,
  evmap_reinit_, evmap_signal, evmap_signal_active_, evmap_signal_add_, evmap_signal_del_,
} from "./evmap.js";
import { event_debugx, event_errx, event_msgx, event_warnx } from "./log.js";
import { min_heap } from "./minheap.js";
import { evsig_dealloc_, evsig_info, evsig_init_, evsig_reinit_, evsig_set_base_ } from "./signal.js";

/**
 * `typedef void (*event_callback_fn)(evutil_socket_t fd, short what, void *arg)`: an event's callback.
 * @param fd the event's fd, signal number, or -1
 * @param what the `EV_*` bits that happened (`EV_READ`, `EV_WRITE`, `EV_TIMEOUT`, `EV_SIGNAL`, `EV_CLOSED`)
 * @param arg the `arg` given to {@link event_new} or {@link event_assign}
 * @category Events
 */
export type event_callback_fn<A = any> = (fd: evutil_socket_t, what: number, arg: A) => void;
/**
 * `typedef void (*event_finalize_callback_fn)(struct event *ev, void *arg)`: the callback of {@link event_finalize}.
 * @param ev the event being finalized
 * @param arg the event's callback argument
 * @category Events
 */
export type event_finalize_callback_fn<A = any> = (ev: event<A>, arg: A) => void;
/**
 * `typedef int (*event_base_foreach_event_cb)(const struct event_base *, const struct event *, void *)`:
 * the callback of {@link event_base_foreach_event}; a nonzero result stops the walk.
 * @param base the base being walked
 * @param ev one of its events
 * @param arg the `arg` given to {@link event_base_foreach_event}
 * @category Event loop
 */
export type event_base_foreach_event_cb<A = any> = (base: event_base, ev: event, arg: A) => number;
/** Anything with a `write(text)` method, such as `process.stdout`: the `FILE *` of event_base_dump_events. @category Event loop */
export interface event_output {
  /**
   * Write text, as fputs/fprintf would.
   * @param text the text
   */
  write(text: string): unknown;
}

// ---------------------------------------------------------------------------------------------
// Structures
// ---------------------------------------------------------------------------------------------

/**
 * `struct event_callback` (event_struct.h): what sits on an active queue. Every `event` is one;
 * libevent also queues bare callbacks (deferred callbacks of evbuffers and bufferevents,
 * finalizers). Fields keep libevent's names.
 * @category Events
 */
export class event_callback {
  /** @internal Active queue links. */
  evcb_active_next: event_callback | null = null;
  /** @internal */
  evcb_active_prev: event_callback | null = null;
  /** EVLIST_* state bits. */
  evcb_flags = 0;
  /** Priority: 0 is the most urgent. */
  evcb_pri = 0;
  /** @internal How the callback is run (EV_CLOSURE_*). */
  evcb_closure = 0;
  /** @internal The callback (for an event, its event_callback_fn; else a self or finalize callback). */
  evcb_cb: any = null;
  /** The callback argument. */
  evcb_arg: any = null;
}

/**
 * `struct event`: made by `event_new`, or by `new event()` followed by `event_assign` (as a C
 * program declares a `struct event` and assigns it). The fields a C program may read keep their
 * names: `ev_fd`, `ev_events`, `ev_res`, `ev_flags`, `ev_pri`, `ev_base`.
 * @category Events
 */
export class event<A = any> extends event_callback {
  /** The base, or null before event_assign. */
  ev_base: event_base | null = null;
  /** The fd (or signal number) watched; -1 for a pure timer. */
  ev_fd = -1;
  /** EV_READ|EV_WRITE|EV_SIGNAL|EV_PERSIST|EV_ET|EV_CLOSED as assigned. */
  ev_events = 0;
  /** What made it active: the `what` its callback gets. */
  ev_res = 0;
  /** @internal Signal events: calls still to make in this activation. */
  ev_ncalls = 0;
  /** @internal Signal events: the counter of the running signal closure, so a del can stop it. */
  ev_pncalls: { value: number } | null = null;
  /** @internal Absolute expiry, monotonic µs. */
  ev_timeout = 0;
  /** @internal Common-timeout list of ev_timeout, or -1 for the heap. */
  ev_timeout_ctl = -1;
  /** @internal Persistent events: the interval re-armed before each callback, µs. */
  ev_io_timeout = 0;
  /** @internal Common-timeout list of ev_io_timeout, or -1. */
  ev_io_timeout_ctl = -1;
  /** @internal Index in the timer heap, -1 when not there. */
  min_heap_idx = -1;
  /** @internal evmap list links (per fd or per signal). */
  ev_next: event | null = null;
  /** @internal */
  ev_prev: event | null = null;
  /** @internal Common-timeout list links. */
  ev_timeout_next: event | null = null;
  /** @internal */
  ev_timeout_prev: event | null = null;
  /** @internal Set when the event is freed (event_free, event_free_finalize): freeing it again throws. */
  freed = false;

  /** `ev->ev_flags`: the EVLIST_* state bits. */
  get ev_flags(): number {
    return this.evcb_flags;
  }
  /** Sets `ev_flags` (see its getter). @param v the new bits */
  set ev_flags(v: number) {
    this.evcb_flags = v;
  }
  /** `ev->ev_pri`: the priority. */
  get ev_pri(): number {
    return this.evcb_pri;
  }
  /** `ev->ev_arg`: the callback argument. */
  get ev_arg(): A {
    return this.evcb_arg as A;
  }
  /** `ev->ev_callback`: the callback. */
  get ev_callback(): event_callback_fn<A> {
    return this.evcb_cb as event_callback_fn<A>;
  }
}

/** A FIFO of active callbacks, linked through the callbacks themselves. */
class evcallback_list {
  head: event_callback | null = null;
  tail: event_callback | null = null;

  insertTail(evcb: event_callback): void {
    evcb.evcb_active_next = null;
    evcb.evcb_active_prev = this.tail;
    if (this.tail !== null) this.tail.evcb_active_next = evcb;
    else this.head = evcb;
    this.tail = evcb;
  }

  remove(evcb: event_callback): void {
    const next = evcb.evcb_active_next;
    const prev = evcb.evcb_active_prev;
    if (next !== null) next.evcb_active_prev = prev;
    else this.tail = prev;
    if (prev !== null) prev.evcb_active_next = next;
    else this.head = next;
    evcb.evcb_active_next = evcb.evcb_active_prev = null;
  }
}

/** Many events with one timeout duration: a FIFO sorted by expiry, one heap timer for its head. */
class common_timeout_list {
  head: event | null = null;
  tail: event | null = null;
  readonly timeout_event = new event<common_timeout_list>();
  /** The magic timeval handed out by event_base_init_common_timeout. */
  readonly duration: timeval;

  constructor(
    readonly base: event_base,
    index: number,
    sec: number,
    usec: number,
  ) {
    this.duration = new timeval(sec, usec | COMMON_TIMEOUT_MAGIC | (index << COMMON_TIMEOUT_IDX_SHIFT));
  }

  remove(ev: event): void {
    const next = ev.ev_timeout_next;
    const prev = ev.ev_timeout_prev;
    if (next !== null) next.ev_timeout_prev = prev;
    else this.tail = prev;
    if (prev !== null) prev.ev_timeout_next = next;
    else this.head = next;
    ev.ev_timeout_next = ev.ev_timeout_prev = null;
  }

  /** Insert keeping expiry order, searching from the tail (where new events almost always go). */
  insertInOrder(ev: event): void {
    let e = this.tail;
    while (e !== null && ev.ev_timeout < e.ev_timeout) e = e.ev_timeout_prev;
    ev.ev_timeout_prev = e;
    if (e === null) {
      ev.ev_timeout_next = this.head;
      if (this.head !== null) this.head.ev_timeout_prev = ev;
      else this.tail = ev;
      this.head = ev;
    } else {
      ev.ev_timeout_next = e.ev_timeout_next;
      if (e.ev_timeout_next !== null) e.ev_timeout_next.ev_timeout_prev = ev;
      else this.tail = ev;
      e.ev_timeout_next = ev;
    }
  }
}

/** One `event_base_once` record. */
class event_once {
  readonly ev = new event<event_once>();
  constructor(
    readonly cb: event_callback_fn,
    readonly arg: unknown,
  ) {}
}

/** @internal What the base needs from an async loop running on it (see loop_async.ts). */
export interface loop_async_link_ {
  /** Inside a pass (callbacks running): changes need no wake-up, and callbacks may not free the base. */
  readonly inPass: boolean;
  /** Run a pass soon: the base was changed from Node code while the loop waited. */
  wake(): void;
  /** The base is being freed from Node code: end the loop (its promise rejects), stop waiting. */
  abort(err: Error): void;
  /** event_reinit replaced the backend: wait on the new one. */
  rebind(): void;
}

/**
 * `struct event_base`: the loop and everything registered with it. Opaque, as in C: make it with
 * `event_base_new` or `event_base_new_with_config`.
 * @category Event loop
 */
export class event_base {
  /** @internal The backend. */
  evsel: eventop;
  /** @internal EVENT_BASE_FLAG_* in force. (0 until the constructor sets it: see evbuffer_chain.buffer_len.) */
  flags = 0;
  /** @internal */
  monotonicPrecise = 0;
  /** @internal Signal state. */
  sig = new evsig_info();
  /** @internal Non-internal events, counted once per queue they are on. */
  event_count = 0;
  /** @internal */
  event_count_max = 0;
  /** @internal Active and active-later callbacks (internal ones included). */
  event_count_active = 0;
  /** @internal */
  event_count_active_max = 0;
  /** @internal */
  virtual_event_count = 0;
  /** @internal */
  virtual_event_count_max = 0;
  /** @internal Set by the loopexit once-event. */
  event_gotterm = 0;
  /** @internal Set by event_base_loopbreak. */
  event_break = 0;
  /** @internal Set by event_base_loopcontinue, or by activating a more urgent event. */
  event_continue = 0;
  /** @internal The priority being processed, -1 outside processing. */
  event_running_priority = -1;
  /** @internal */
  running_loop = 0;
  /** @internal Deferred callbacks put on the active queues in this iteration. */
  n_deferreds_queued = 0;
  /** @internal One FIFO per priority. */
  activequeues: evcallback_list[] = [];
  /** @internal */
  nactivequeues = 0;
  /** @internal Callbacks to activate at the start of the next iteration. */
  active_later_queue = new evcallback_list();
  /** @internal */
  common_timeout_queues: common_timeout_list[] = [];
  /** @internal fd -> events. */
  io: (evmap_io | undefined)[] = [];
  /** @internal signal -> events. */
  sigmap: (evmap_signal | undefined)[] = [];
  /** @internal */
  timeheap = new min_heap<event>();
  /** @internal Cached monotonic time (µs), 0 when not cached. */
  tv_cache = 0;
  /** @internal Wall clock minus monotonic clock, µs. */
  tv_clock_diff = 0;
  /** @internal When tv_clock_diff was last computed (monotonic µs). */
  last_updated_clock_diff = -Infinity;
  /** @internal The callback running now. */
  current_event: event_callback | null = null;
  /** @internal Pending event_base_once records. */
  once_events = new Set<event_once>();
  /** @internal -1: no time limit per pass. */
  max_dispatch_time = -1;
  /** @internal */
  max_dispatch_callbacks = 0x7fffffff;
  /** @internal */
  limit_callbacks_after_prio = 1;
  /** @internal Set by event_base_free. */
  freed = false;
  /** @internal The async loop running on this base (loop_async.ts), or null. */
  async_: loop_async_link_ | null = null;
  /**
   * @internal The async loop while it waits in libuv (between passes), else null: a change made
   * then, from Node code, must wake it (libevent's EVBASE_NEED_NOTIFY). One field to test on hot
   * paths; null again once woken, so that many changes cost one wake-up.
   */
  async_wake_: loop_async_link_ | null = null;
  /** @internal Releases the notify queue of evthread_make_base_notifiable (src/thread/). */
  th_notify_free: (() => void) | null = null;

  /** @internal Use event_base_new / event_base_new_with_config. */
  constructor(evsel: eventop, flags: number) {
    this.evsel = evsel;
    this.flags = flags;
    this.monotonicPrecise = flags & EVENT_BASE_FLAG_PRECISE_TIMER ? 1 : 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Constants and globals
// ---------------------------------------------------------------------------------------------

const MICROSECONDS_MASK = 0x000fffff;
const COMMON_TIMEOUT_IDX_MASK = 0x0ff00000;
const COMMON_TIMEOUT_IDX_SHIFT = 20;
const COMMON_TIMEOUT_MASK = 0xf0000000 | 0;
const COMMON_TIMEOUT_MAGIC = 0x50000000;
const MAX_COMMON_TIMEOUTS = 256;
const MAX_DEFERREDS_QUEUED = 32;
const CLOCK_SYNC_INTERVAL_US = 5 * 1e6;
const INT_MAX = 0x7fffffff;

/**
 * The base the last event_init() made (libevent's event_global_current_base_): what a null base
 * means to the functions that libevent lets fall back to it. Freeing that base clears it.
 */
let current_base: event_base | null = null;

/** The value event_self_cbarg() returns: as an `arg`, it stands for the event itself. */
const event_self_cbarg_ptr_ = Object.freeze({ event_self_cbarg: true });

// ---------------------------------------------------------------------------------------------
// Misuse checks (C leaves these undefined; here they throw, naming the call)
// ---------------------------------------------------------------------------------------------

/**
 * @internal Throw a TypeError naming `fn` unless `base` is a live (not freed) event_base. A null
 * base is refused too: where C takes it as the event_init() base, the caller resolves it first
 * ({@link event_base_or_current_}).
 */
export function event_base_check_(base: unknown, fn: string): asserts base is event_base {
  if (!(base instanceof event_base)) throw new TypeError(`${fn}: base is ${show(base)}, not an event_base`);
  if (base.freed) throw new TypeError(`${fn}: the event_base was freed`);
}

/**
 * @internal `base`, or for a null base the event_init() base, as libevent falls back to it (for
 * example in event_assign, or in bufferevent_init_common_ through it). Throws as
 * {@link event_base_check_} when that leaves no live base.
 */
export function event_base_or_current_(base: unknown, fn: string): event_base {
  if (base === null && current_base !== null) base = current_base;
  event_base_check_(base, fn);
  return base;
}

/** @internal The event_init() base, or null (libevent's event_global_current_base_). */
export function event_global_current_base_(): event_base | null {
  return current_base;
}

/** @internal Make `base` the current base (event_init). */
export function event_set_current_base_(base: event_base): void {
  current_base = base;
}

/** An assigned, not freed event (C would read garbage otherwise). */
/**
 * A change made while an async loop of `base` waits in libuv (Node code, not one of its passes)
 * makes it run a pass soon, as libevent wakes a base whose loop runs in another thread
 * (EVBASE_NEED_NOTIFY). One null check when no async loop waits.
 */
function wakeAsyncLoop(base: event_base): void {
  const w = base.async_wake_;
  if (w !== null) w.wake();
}

function checkAssigned(ev: event, fn: string): void {
  if (!(ev instanceof event)) throw new TypeError(`${fn}: ev is not an event`);
  if (!(ev.evcb_flags & EVLIST_INIT)) {
    throw new TypeError(`${fn}: the event is not assigned (event_new/event_assign), or was freed`);
  }
}

/**
 * The base of an assigned event, or null (with libevent's warning) for an event assigned without
 * one: C then fails the call with its documented result.
 */
function eventBase(ev: event, fn: string): event_base | null {
  checkAssigned(ev, fn);
  const base = ev.ev_base;
  if (base === null) {
    event_warnx(`${fn}: event has no event_base set.`);
    return null;
  }
  if (base.freed) throw new TypeError(`${fn}: the event's event_base was freed`);
  return base;
}

function checkTimeval(tv: timeval | null, fn: string): void {
  check_timeval_(fn, "tv", tv, true);
}

function checkFd(fd: number, fn: string): void {
  check_fd_(fn, "fd", fd);
}

function checkInt(v: number, fn: string, name: string): void {
  check_int_(fn, name, v);
}

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

/** The base's notion of now, monotonic µs: the cached time inside the loop, else the clock. */
function gettime(base: event_base): number {
  if (base.tv_cache !== 0) return base.tv_cache;
  return clock_sync(base, native.monotonicUs(base.monotonicPrecise));
}

/** `now`, just read from the base's monotonic clock; refreshes the wall-clock offset when due. */
function clock_sync(base: event_base, now: number): number {
  if (base.last_updated_clock_diff + CLOCK_SYNC_INTERVAL_US < now) {
    base.tv_clock_diff = native.realtimeUs() - now;
    base.last_updated_clock_diff = now;
  }
  return now;
}

function update_time_cache(base: event_base): void {
  base.tv_cache = 0;
  if (!(base.flags & EVENT_BASE_FLAG_NO_CACHE_TIME)) base.tv_cache = gettime(base);
}

function is_common_timeout_usec(usec: number, base: event_base): boolean {
  return (usec & COMMON_TIMEOUT_MASK) === COMMON_TIMEOUT_MAGIC &&
    (usec & COMMON_TIMEOUT_IDX_MASK) >> COMMON_TIMEOUT_IDX_SHIFT < base.common_timeout_queues.length;
}

/**
 * `int event_base_gettimeofday_cached(struct event_base *base, struct timeval *tv)`: the wall-clock
 * time as the loop last cached it (the start of the current batch of callbacks); the real time
 * when nothing is cached. A null base means the event_init() base; without one, the current time.
 * Returns 0.
 * @param base the base, or null for the current time
 * @param tv receives the time
 * @returns 0
 * @see {@link event_base_update_cache_time}
 * @category Event loop
 */
export function event_base_gettimeofday_cached(base: event_base | null, tv: timeval): number {
  check_timeval_("event_base_gettimeofday_cached", "tv", tv);
  if (base === null) base = current_base;
  if (base === null) return evutil_gettimeofday(tv, null);
  event_base_check_(base, "event_base_gettimeofday_cached");
  if (base.tv_cache === 0) return evutil_gettimeofday(tv, null);
  evutil_us_to_timeval_(base.tv_cache + base.tv_clock_diff, tv);
  return 0;
}

/**
 * `int event_base_update_cache_time(struct event_base *base)`: refresh the cached time now, if
 * the loop is running (useful after a long callback). A null base means the event_init() base.
 * Returns 0, or -1 for a null base without an event_init() base.
 * @param base the event base
 * @returns 0, or -1 for a null base
 * @see {@link event_base_gettimeofday_cached}
 * @category Event loop
 */
export function event_base_update_cache_time(base: event_base | null): number {
  if (base === null) base = current_base;
  if (base === null) return -1;
  event_base_check_(base, "event_base_update_cache_time");
  // Between the passes of an async loop, the time is not cached (Node code sees the clock).
  if (base.running_loop && (base.async_ === null || base.async_.inPass)) update_time_cache(base);
  return 0;
}

/**
 * `int event_gettime_monotonic(struct event_base *base, struct timeval *tv)`: read the base's
 * monotonic clock (not the cache). Returns 0, or -1 if base or tv is null.
 * @param base the event base
 * @param tv receives the time
 * @returns 0, or -1 if base or tv is null
 * @see {@link event_base_gettimeofday_cached}
 * @category Event loop
 */
export function event_gettime_monotonic(base: event_base | null, tv: timeval | null): number {
  check_instance_("event_gettime_monotonic", "base", base, event_base, true);
  check_timeval_("event_gettime_monotonic", "tv", tv, true);
  if (base === null || tv === null) return -1;
  event_base_check_(base, "event_gettime_monotonic");
  evutil_us_to_timeval_(native.monotonicUs(base.monotonicPrecise), tv);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Queues and counts (libevent's event_queue_*)
// ---------------------------------------------------------------------------------------------

function incrEventCount(base: event_base, flags: number): void {
  if (!(flags & EVLIST_INTERNAL)) {
    if (++base.event_count > base.event_count_max) base.event_count_max = base.event_count;
  }
}

function decrEventCount(base: event_base, flags: number): void {
  if (!(flags & EVLIST_INTERNAL)) base.event_count--;
}

function event_queue_insert_inserted(base: event_base, ev: event): void {
  incrEventCount(base, ev.evcb_flags);
  ev.evcb_flags |= EVLIST_INSERTED;
}

function event_queue_remove_inserted(base: event_base, ev: event): void {
  decrEventCount(base, ev.evcb_flags);
  ev.evcb_flags &= ~EVLIST_INSERTED;
}

/**
 * The active queue of `evcb`'s priority. A priority that event_base_priority_init has since removed
 * (C leaves it undefined) becomes the lowest one, so that the callback still runs.
 */
function activeQueue(base: event_base, evcb: event_callback): evcallback_list {
  if (evcb.evcb_pri >= base.nactivequeues) evcb.evcb_pri = base.nactivequeues - 1;
  return base.activequeues[evcb.evcb_pri]!;
}

function event_queue_insert_active(base: event_base, evcb: event_callback): void {
  if (evcb.evcb_flags & EVLIST_ACTIVE) return;
  incrEventCount(base, evcb.evcb_flags);
  evcb.evcb_flags |= EVLIST_ACTIVE;
  if (++base.event_count_active > base.event_count_active_max) base.event_count_active_max = base.event_count_active;
  activeQueue(base, evcb).insertTail(evcb);
}

function event_queue_remove_active(base: event_base, evcb: event_callback): void {
  decrEventCount(base, evcb.evcb_flags);
  evcb.evcb_flags &= ~EVLIST_ACTIVE;
  base.event_count_active--;
  base.activequeues[evcb.evcb_pri]!.remove(evcb);
}

function event_queue_insert_active_later(base: event_base, evcb: event_callback): void {
  if (evcb.evcb_flags & (EVLIST_ACTIVE_LATER | EVLIST_ACTIVE)) return;
  incrEventCount(base, evcb.evcb_flags);
  evcb.evcb_flags |= EVLIST_ACTIVE_LATER;
  if (++base.event_count_active > base.event_count_active_max) base.event_count_active_max = base.event_count_active;
  base.active_later_queue.insertTail(evcb);
}

function event_queue_remove_active_later(base: event_base, evcb: event_callback): void {
  decrEventCount(base, evcb.evcb_flags);
  evcb.evcb_flags &= ~EVLIST_ACTIVE_LATER;
  base.event_count_active--;
  base.active_later_queue.remove(evcb);
}

function event_queue_insert_timeout(base: event_base, ev: event): void {
  incrEventCount(base, ev.evcb_flags);
  ev.evcb_flags |= EVLIST_TIMEOUT;
  if (ev.ev_timeout_ctl >= 0) base.common_timeout_queues[ev.ev_timeout_ctl]!.insertInOrder(ev);
  else base.timeheap.push(ev);
}

function event_queue_remove_timeout(base: event_base, ev: event): void {
  decrEventCount(base, ev.evcb_flags);
  ev.evcb_flags &= ~EVLIST_TIMEOUT;
  if (ev.ev_timeout_ctl >= 0) base.common_timeout_queues[ev.ev_timeout_ctl]!.remove(ev);
  else base.timeheap.erase(ev);
}

/** Move the callbacks queued for "the next iteration" onto their active queues. */
function event_queue_make_later_events_active(base: event_base): void {
  const later = base.active_later_queue;
  let evcb: event_callback | null;
  while ((evcb = later.head) !== null) {
    later.remove(evcb);
    evcb.evcb_flags = (evcb.evcb_flags & ~EVLIST_ACTIVE_LATER) | EVLIST_ACTIVE;
    activeQueue(base, evcb).insertTail(evcb);
    if (evcb.evcb_closure === EV_CLOSURE_CB_SELF) base.n_deferreds_queued++;
  }
}

// ---------------------------------------------------------------------------------------------
// Configuration and bases
// ---------------------------------------------------------------------------------------------

function event_is_method_disabled(name: string): boolean {
  return process.env[`EVENT_NO${name.toUpperCase()}`] !== undefined;
}

/**
 * The compiled-in backends in the order a base tries them: libevent's preference order, except
 * that `EVENT_USE_IO_URING` in the environment (read unless `checkEnv` is false) puts "io_uring"
 * first. io_uring comes after epoll otherwise, so libevent's default choice stays epoll.
 */
function event_method_order(checkEnv: boolean): string[] {
  const methods = eventop_methods();
  const i = methods.indexOf("io_uring");
  if (checkEnv && i > 0 && process.env.EVENT_USE_IO_URING !== undefined) {
    methods.splice(i, 1);
    methods.unshift("io_uring");
  }
  return methods;
}

/**
 * `struct event_base *event_base_new_with_config(const struct event_config *cfg)`: a base using
 * the first compiled-in backend (libevent's order: kqueue, epoll, poll, select) that the config
 * does not avoid, that has the required features, and that no `EVENT_NO<METHOD>` environment
 * variable disables (unless EVENT_BASE_FLAG_IGNORE_ENV). libevent-ts's "io_uring" comes after
 * "epoll", so it is chosen only when epoll is avoided, or first when `EVENT_USE_IO_URING` is in the
 * environment (unless EVENT_BASE_FLAG_IGNORE_ENV). `EVENT_PRECISE_TIMER` in the environment
 * acts as EVENT_BASE_FLAG_PRECISE_TIMER; `EVENT_SHOW_METHOD` logs the choice. Returns null (with a
 * warning) when no backend qualifies. A null cfg is the default configuration.
 * @param cfg the configuration ({@link event_config_new}), or null for the defaults
 * @returns the new base, or null (with a warning) when no backend qualifies
 * @see {@link event_config_new}, {@link event_config_avoid_method}, {@link event_config_require_features}
 * @category Event loop
 */
export function event_base_new_with_config(cfg: event_config | null): event_base | null {
  if (cfg !== null && !(cfg instanceof event_config)) {
    throw new TypeError("event_base_new_with_config: cfg is not an event_config");
  }
  if (cfg !== null && cfg.freed) throw new TypeError("event_base_new_with_config: the event_config was freed");
  event_debug_mode_too_late_();
  let flags = cfg ? cfg.flags : 0;
  const checkEnv = !(flags & EVENT_BASE_FLAG_IGNORE_ENV);
  if (checkEnv && !(flags & EVENT_BASE_FLAG_PRECISE_TIMER) && process.env.EVENT_PRECISE_TIMER !== undefined) {
    flags |= EVENT_BASE_FLAG_PRECISE_TIMER;
  }

  let evsel: eventop | null = null;
  for (const name of event_method_order(checkEnv)) {
    if (cfg !== null) {
      if (cfg.avoid.includes(name)) continue;
      if ((eventop_features(name) & cfg.require_features) !== cfg.require_features) continue;
    }
    if (checkEnv && event_is_method_disabled(name)) continue;
    evsel = eventop_init(name, flags);
    if (evsel !== null) break;
  }
  if (evsel === null) {
    event_warnx("event_base_new_with_config: no event mechanism available");
    return null;
  }

  const base = new event_base(evsel, flags);
  gettime(base);
  if (cfg !== null) {
    base.max_dispatch_time = cfg.max_dispatch_interval.tv_sec < 0 ? -1 :
      cfg.max_dispatch_interval.tv_sec * 1e6 + cfg.max_dispatch_interval.tv_usec;
    base.limit_callbacks_after_prio = cfg.limit_callbacks_after_prio;
    base.max_dispatch_callbacks = cfg.max_dispatch_callbacks >= 0 ? cfg.max_dispatch_callbacks : INT_MAX;
  }
  if (base.max_dispatch_callbacks === INT_MAX && base.max_dispatch_time < 0) base.limit_callbacks_after_prio = INT_MAX;

  if (evsig_init_(base) !== 0) {
    evsel.dealloc();
    return null;
  }
  if (process.env.EVENT_SHOW_METHOD !== undefined) event_msgx(`libevent using: ${evsel.name}`);
  event_base_priority_init(base, 1);
  return base;
}

/**
 * `struct event_base *event_base_new(void)`: a base with the default configuration (see
 * event_base_new_with_config). Returns null if no backend could be initialised.
 * @returns the new base, or null if no backend could be initialised
 * @see {@link event_base_new_with_config}, {@link event_base_dispatch}, {@link event_base_free}
 * @example Make a base and see which backend it chose
 * ```ts
 * import {
 *   event_base_new,
 *   event_base_get_method,
 *   event_base_free,
 * } from "libevent-ts/event2/event";
 *
 * const base = event_base_new();
 * if (!base) throw new Error("Could not initialize libevent!");
 * console.log(
 *   `Using libevent with backend method ${event_base_get_method(base)}.`,
 * );
 * event_base_free(base);
 * ```
 * @category Event loop
 */
export function event_base_new(): event_base | null {
  const cfg = new event_config();
  return event_base_new_with_config(cfg);
}

function event_base_free_(base: event_base | null, runFinalizers: boolean, fn: string): void {
  // As libevent: a null base is how a program frees the event_init() base it kept no pointer to.
  if (base === null) base = current_base;
  if (base === null) {
    event_warnx(`${fn}: no base to free`);
    return;
  }
  event_base_check_(base, fn);
  // C would free what its running loop still uses. An async loop waiting in libuv is not running
  // anything: it ends (its promise rejects) and the base goes.
  const asyncLoop = base.async_;
  if (base.running_loop && (asyncLoop === null || asyncLoop.inPass)) {
    throw new TypeError(`${fn}: the base's loop is running; free it after event_base_loop returns`);
  }
  if (asyncLoop !== null) asyncLoop.abort(new Error(`${fn}: the event_base was freed while event_base_loop_async ran`));

  evmap_delete_all_(base);
  let ev: event | null;
  while ((ev = base.timeheap.top()) !== null) event_del_nolock_(ev, false);
  for (const ctl of base.common_timeout_queues) {
    event_del_nolock_(ctl.timeout_event, false);
    for (let e = ctl.head; e !== null; ) {
      const next = e.ev_timeout_next;
      if (!(e.evcb_flags & EVLIST_INTERNAL)) event_del_nolock_(e, false);
      e = next;
    }
  }
  base.common_timeout_queues = [];

  // Finalizers may queue more finalizers (a filter's underlying bufferevent): repeat until quiet.
  while (event_base_free_queues_(base, runFinalizers) !== 0) {
    /* again */
  }
  base.once_events.clear();
  if (base.th_notify_free !== null) base.th_notify_free();
  evsig_dealloc_(base);
  base.evsel.dealloc();
  if (base === current_base) current_base = null;
  base.freed = true;
}

function event_base_cancel_single_callback_(base: event_base, evcb: event_callback, runFinalizers: boolean): number {
  let result = 0;
  if (evcb.evcb_flags & EVLIST_INIT) {
    const ev = evcb as event;
    if (!(ev.evcb_flags & EVLIST_INTERNAL)) {
      event_del_nolock_(ev, true);
      result = 1;
    }
  } else {
    event_callback_cancel_nolock_(base, evcb, true);
    result = 1;
  }
  if (runFinalizers && evcb.evcb_flags & EVLIST_FINALIZING) {
    switch (evcb.evcb_closure) {
      case EV_CLOSURE_EVENT_FINALIZE:
      case EV_CLOSURE_EVENT_FINALIZE_FREE: {
        const ev = evcb as event;
        ev.evcb_cb(ev, ev.evcb_arg);
        if (evcb.evcb_closure === EV_CLOSURE_EVENT_FINALIZE_FREE) markFreed(ev);
        break;
      }
      case EV_CLOSURE_CB_FINALIZE:
        evcb.evcb_cb(evcb, evcb.evcb_arg);
        break;
      default:
        break;
    }
  }
  return result;
}

function event_base_free_queues_(base: event_base, runFinalizers: boolean): number {
  let deleted = 0;
  for (const q of base.activequeues) {
    for (let evcb = q.head; evcb !== null; ) {
      const next = evcb.evcb_active_next;
      deleted += event_base_cancel_single_callback_(base, evcb, runFinalizers);
      evcb = next;
    }
  }
  let evcb: event_callback | null;
  while ((evcb = base.active_later_queue.head) !== null) {
    deleted += event_base_cancel_single_callback_(base, evcb, runFinalizers);
  }
  return deleted;
}

/**
 * `void event_base_free(struct event_base *base)`: delete every event (the `event` objects stay
 * usable for event_assign on another base; fds are never closed), run pending finalizers, drop
 * event_base_once records, restore signal handlers, and release the backend. Using the base
 * afterwards throws a TypeError, and so does freeing it from a callback of its own running loop
 * (C frees memory the loop goes on using). Freed from Node code while event_base_loop_async waits
 * (libevent-ts extension), the async loop ends first: its promise rejects. A null base frees the
 * event_init() base, or only warns
 * ("no base to free") if there is none. Freeing the event_init() base leaves no current base.
 * @param base the base to free (null is ignored)
 * @see {@link event_base_free_nofinalize}, {@link event_base_new}
 * @category Event loop
 */
export function event_base_free(base: event_base | null): void {
  event_base_free_(base, true, "event_base_free");
}

/**
 * `void event_base_free_nofinalize(struct event_base *base)`: as event_base_free (a TypeError
 * from a callback of its own running loop included), but pending finalizer callbacks are not run.
 * @param base the base to free (null is ignored)
 * @see {@link event_base_free}
 * @category Event loop
 */
export function event_base_free_nofinalize(base: event_base | null): void {
  event_base_free_(base, false, "event_base_free_nofinalize");
}

/**
 * `int event_reinit(struct event_base *base)`: rebuild the backend and the signal socket and
 * register every event again (what a child process does after fork() in C). Returns 0, or -1 if
 * some event could not be registered again. If the backend itself cannot be made again, the error
 * is fatal as in C: it is logged, the fatal callback runs, and an Error is thrown where C exits
 * (the base can then only be freed).
 * @param base the event base
 * @returns 0, or -1 if some event could not be registered again
 * @category Event loop
 */
export function event_reinit(base: event_base): number {
  event_base_check_(base, "event_reinit");
  const old = base.evsel;
  let res = 0;
  // As libevent: the signal socket is replaced while no backend is told (the old one may be shared
  // with a parent process); the new backend then learns every fd, the new socket's included.
  base.evsel = nil_eventop;
  if (evsig_reinit_(base) < 0) res = -1;
  old.dealloc();
  const evsel = eventop_init(old.name, base.flags);
  if (evsel === null) event_errx(1, "event_reinit: could not reinitialize event mechanism");
  base.evsel = evsel;
  if (evmap_reinit_(base) < 0) res = -1;
  if (base.async_ !== null) base.async_.rebind();
  return res;
}

/** libevent's nil_eventop: a backend that is told nothing, for event_reinit. */
const nil_eventop: eventop = {
  name: "",
  features: 0,
  add: () => 0,
  del: () => 0,
  dispatch: () => 0,
  dealloc: () => {},
  asyncStart: () => 0,
  asyncWake: () => {},
  asyncStop: () => {},
};

/**
 * `const char *event_base_get_method(const struct event_base *base)`: the backend in use ("epoll", "poll", "select", "kqueue", or libevent-ts's "io_uring").
 * @param base the event base
 * @returns the backend's name
 * @see {@link event_get_supported_methods}, {@link event_base_get_features}
 * @category Event loop
 */
export function event_base_get_method(base: event_base): string {
  event_base_check_(base, "event_base_get_method");
  return base.evsel.name;
}

/**
 * `int event_base_get_features(const struct event_base *base)`: the EV_FEATURE_* bits of its backend.
 * @param base the event base
 * @returns the `EV_FEATURE_*` bits ORed
 * @see {@link event_config_require_features}
 * @category Event loop
 */
export function event_base_get_features(base: event_base): number {
  event_base_check_(base, "event_base_get_features");
  return base.evsel.features;
}

/**
 * `const char **event_get_supported_methods(void)`: the compiled-in backends in order of
 * preference, without probing them. C's NULL terminator is not in the array. On Linux: "epoll",
 * "io_uring" (libevent-ts's own, opt-in: see event_base_new_with_config), "poll", "select".
 * @returns the backends' names, most preferred first
 * @see {@link event_base_get_method}, {@link event_config_avoid_method}
 * @category Event loop
 */
export function event_get_supported_methods(): string[] {
  return eventop_methods();
}

/**
 * `void libevent_global_shutdown(void)`: turn debug mode off and release global state. Bases and
 * events are not touched.
 * @category Event loop
 */
export function libevent_global_shutdown(): void {
  event_disable_debug_mode();
}

// ---------------------------------------------------------------------------------------------
// Priorities
// ---------------------------------------------------------------------------------------------

/**
 * `int event_base_priority_init(struct event_base *base, int npriorities)`: use `npriorities`
 * active queues (0 most urgent). Returns 0, or -1 if any callback is active or npriorities is not
 * in 1..255. New events get the middle priority, npriorities / 2. An event (or deferred callback)
 * left with a priority the new count no longer has, which C leaves undefined, runs at the lowest
 * priority, npriorities - 1: it is moved there when it is next activated.
 * @param base the event base
 * @param npriorities the number of priorities, 1 to `EVENT_MAX_PRIORITIES` (256)
 * @returns 0, or -1 if any callback is active or npriorities is not in 1..255
 * @see {@link event_priority_set}, {@link event_base_get_npriorities}
 * @category Event loop
 */
export function event_base_priority_init(base: event_base, npriorities: number): number {
  event_base_check_(base, "event_base_priority_init");
  checkInt(npriorities, "event_base_priority_init", "npriorities");
  if (base.event_count_active || npriorities < 1 || npriorities >= EVENT_MAX_PRIORITIES) return -1;
  if (npriorities === base.nactivequeues) return 0;
  base.activequeues = [];
  for (let i = 0; i < npriorities; i++) base.activequeues.push(new evcallback_list());
  base.nactivequeues = npriorities;
  return 0;
}

/**
 * `int event_base_get_npriorities(struct event_base *base)`: the number of priorities. A null
 * base means the event_init() base (a TypeError if there is none: C dereferences NULL).
 * @param base the event base
 * @returns the number of priorities (1 unless {@link event_base_priority_init} changed it)
 * @category Event loop
 */
export function event_base_get_npriorities(base: event_base | null): number {
  if (base === null) base = current_base;
  if (base === null) throw new TypeError("event_base_get_npriorities: no base");
  event_base_check_(base, "event_base_get_npriorities");
  return base.nactivequeues;
}

/**
 * `int event_priority_set(struct event *ev, int priority)`: set the priority of an event.
 * Returns 0, or -1 if the event is active or the priority is out of range.
 * @param ev the event
 * @param pri the priority, from 0 (most urgent) to the number of priorities minus 1
 * @returns 0, or -1 if the event is active or the priority is out of range
 * @see {@link event_base_priority_init}, {@link event_get_priority}
 * @category Events
 */
export function event_priority_set(ev: event, pri: number): number {
  checkAssigned(ev, "event_priority_set");
  const base = ev.ev_base;
  if (base === null) throw new TypeError("event_priority_set: the event has no event_base");
  checkInt(pri, "event_priority_set", "priority");
  event_debug_assert_is_setup_(ev, "event_priority_set");
  if (ev.evcb_flags & EVLIST_ACTIVE) return -1;
  if (pri < 0 || pri >= base.nactivequeues) return -1;
  ev.evcb_pri = pri;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

/**
 * `int event_assign(struct event *ev, struct event_base *base, evutil_socket_t fd, short events,
 * event_callback_fn callback, void *arg)`: prepare a caller-owned event (`new event()`). `events`
 * is EV_READ|EV_WRITE|EV_CLOSED (I/O on fd), EV_SIGNAL (fd is the signal number), or 0 (a pure
 * timer), plus EV_PERSIST and EV_ET. `arg` equal to `event_self_cbarg()` passes the event itself.
 * The priority becomes the base's middle one. A null base means the event_init() base; with none,
 * the event has no base (as in C, `event_base_set` can give it one; adding it before then fails
 * with -1). A null callback is accepted, as in C, for an event that is never meant to run it (a
 * finalizer's placeholder). Returns 0, or -1 if EV_SIGNAL is combined with READ, WRITE or CLOSED. Assigning an
 * event that is pending or active throws a TypeError (C corrupts its lists); an event whose
 * finalizer has run may be assigned again, as libevent's finalizers do.
 * @param ev a caller-owned event, `new event()`, not pending
 * @param base the base the event belongs to
 * @param fd the fd to watch, the signal number with `EV_SIGNAL`, or -1 for a timer or user event
 * @param events `EV_READ`, `EV_WRITE`, `EV_CLOSED`, `EV_SIGNAL`, `EV_PERSIST`, `EV_ET` ORed, or 0
 * @param callback called as `callback(fd, what, arg)` when the event fires
 * @param arg passed untouched to `callback`; {@link event_self_cbarg} passes the event itself
 * @returns 0, or -1 if EV_SIGNAL is combined with READ, WRITE or CLOSED
 * @see {@link event_new}, {@link event_add}, {@link event_debug_unassign}
 * @category Events
 */
export function event_assign<A>(
  ev: event<A>, base: event_base | null, fd: evutil_socket_t, events: number,
  callback: event_callback_fn<A> | null, arg: A,
): number {
  if (!(ev instanceof event)) throw new TypeError("event_assign: ev is not an event");
  if (base === null) base = current_base;
  checkAssignArgs("event_assign", base, fd, events, callback);
  if (ev.evcb_flags & (EVLIST_INSERTED | EVLIST_ACTIVE | EVLIST_ACTIVE_LATER | EVLIST_TIMEOUT)) {
    throw new TypeError("event_assign: the event is pending or active; event_del it first");
  }
  if ((arg as unknown) === event_self_cbarg_ptr_) arg = ev as unknown as A;
  if (!(events & EV_SIGNAL)) event_debug_assert_socket_nonblocking_(fd, "event_assign");
  event_debug_assert_not_added_(ev, "event_assign");

  ev.ev_base = base;
  ev.evcb_cb = callback;
  ev.evcb_arg = arg;
  ev.ev_fd = fd;
  ev.ev_events = events;
  ev.ev_res = 0;
  ev.evcb_flags = EVLIST_INIT;
  ev.ev_ncalls = 0;
  ev.ev_pncalls = null;
  ev.freed = false;

  if (events & EV_SIGNAL) {
    if (events & (EV_READ | EV_WRITE | EV_CLOSED)) {
      event_warnx("event_assign: EV_SIGNAL is not compatible with EV_READ, EV_WRITE or EV_CLOSED");
      return -1;
    }
    ev.evcb_closure = EV_CLOSURE_EVENT_SIGNAL;
  } else if (events & EV_PERSIST) {
    ev.ev_io_timeout = 0;
    ev.ev_io_timeout_ctl = -1;
    ev.evcb_closure = EV_CLOSURE_EVENT_PERSIST;
  } else {
    ev.evcb_closure = EV_CLOSURE_EVENT;
  }
  ev.min_heap_idx = -1;
  ev.ev_timeout_ctl = -1;
  if (base !== null) ev.evcb_pri = base.nactivequeues >> 1;
  event_debug_note_setup_(ev);
  return 0;
}

/**
 * `struct event *event_new(struct event_base *base, evutil_socket_t fd, short events,
 * event_callback_fn cb, void *arg)`: allocate and assign an event (see event_assign). Returns the
 * event, or null if the arguments are invalid.
 * @param base the base the event belongs to
 * @param fd the fd to watch, the signal number with `EV_SIGNAL`, or -1 for a timer or user event
 * @param events `EV_READ`, `EV_WRITE`, `EV_CLOSED`, `EV_SIGNAL`, `EV_PERSIST`, `EV_ET` ORed, or 0
 * @param cb called as `cb(fd, what, arg)` when the event fires (`what`: the `EV_*` bits that happened)
 * @param arg passed untouched to `cb` as its last argument; {@link event_self_cbarg} passes the event itself
 * @returns the new event, not yet pending (see {@link event_add}), or null if the arguments are invalid
 * @see {@link event_add}, {@link event_del}, {@link event_free}, {@link event_assign}
 * @example Watch a socket for reading until its peer closes
 * ```ts
 * import {
 *   EV_PERSIST,
 *   EV_READ,
 *   event_add,
 *   event_base_dispatch,
 *   event_base_free,
 *   event_base_new,
 *   event_del,
 *   event_free,
 *   event_new,
 *   event_self_cbarg,
 * } from "libevent-ts/event2/event";
 * import type { event } from "libevent-ts/event2/event";
 * import {
 *   AF_UNIX,
 *   SOCK_STREAM,
 *   evutil_closesocket,
 *   evutil_socketpair,
 *   read,
 *   write,
 * } from "libevent-ts/event2/util";
 * import type { evutil_socket_t } from "libevent-ts/event2/util";
 *
 * const buf = new Uint8Array(1024);
 * function read_cb(fd: evutil_socket_t, what: number, ev: event): void {
 *   const n = read(fd, buf, buf.length);
 *   if (n <= 0) {
 *     // End of file (or an error): stop watching; the loop then ends.
 *     event_del(ev);
 *     return;
 *   }
 *   console.log(`read ${n} bytes`);
 * }
 *
 * const base = event_base_new()!;
 * const pair = [-1, -1];
 * evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
 * const ev = event_new(
 *   base,
 *   pair[1]!,
 *   EV_READ | EV_PERSIST,
 *   read_cb,
 *   event_self_cbarg(),
 * )!;
 * event_add(ev, null);
 * write(pair[0]!, "hello", 5);
 * evutil_closesocket(pair[0]!);
 * // Prints "read 5 bytes", returns once the event is deleted.
 * event_base_dispatch(base);
 * event_free(ev);
 * evutil_closesocket(pair[1]!);
 * event_base_free(base);
 * ```
 * @category Events
 */
export function event_new<A>(
  base: event_base | null, fd: evutil_socket_t, events: number, cb: event_callback_fn<A> | null, arg: A,
): event<A> | null {
  checkAssignArgs("event_new", base, fd, events, cb);
  const ev = new event<A>();
  if (event_assign(ev, base, fd, events, cb, arg) < 0) return null;
  return ev;
}

/** The arguments event_assign and event_new share. */
function checkAssignArgs(fn: string, base: event_base | null, fd: number, events: number, callback: unknown): void {
  if (base !== null) event_base_check_(base, fn);
  checkFd(fd, fn);
  check_mask_(fn, "events", events);
  check_fn_or_null_(fn, "callback", callback);
}

function markFreed(ev: event): void {
  ev.evcb_flags = 0;
  ev.ev_base = null;
  ev.freed = true;
}

/**
 * `void event_free(struct event *ev)`: delete the event (pending or active: legal) and release
 * it; any later use throws a TypeError, a second event_free included (C's double free). An event
 * whose finalizer has not run yet cannot be freed (TypeError): event_free_finalize frees it.
 * @param ev the event to free
 * @see {@link event_new}, {@link event_del}, {@link event_free_finalize}
 * @category Events
 */
export function event_free(ev: event): void {
  if (!(ev instanceof event)) throw new TypeError("event_free: ev is not an event");
  if (ev.freed) throw new TypeError("event_free: the event was already freed");
  if (ev.ev_base === null && !(ev.evcb_flags & EVLIST_INIT)) return markFreed(ev);
  if (ev.evcb_flags & EVLIST_FINALIZING && ev.evcb_flags & (EVLIST_ACTIVE | EVLIST_ACTIVE_LATER)) {
    throw new TypeError("event_free: the event is being finalized; its finalizer frees it");
  }
  if (ev.ev_base !== null && !ev.ev_base.freed) event_del(ev);
  event_debug_note_teardown_(ev);
  markFreed(ev);
}

/**
 * `void event_debug_unassign(struct event *ev)`: mark a caller-owned event as no longer assigned
 * (debug mode then refuses to use it until it is assigned again). The event must not be added.
 * @param ev a caller-owned event that is not pending
 * @see {@link event_enable_debug_mode}
 * @category Events
 */
export function event_debug_unassign(ev: event): void {
  if (!(ev instanceof event)) throw new TypeError("event_debug_unassign: ev is not an event");
  if (ev.freed) throw new TypeError("event_debug_unassign: the event was freed");
  event_debug_assert_not_added_(ev, "event_debug_unassign");
  event_debug_note_teardown_(ev);
  ev.evcb_flags &= ~EVLIST_INIT;
}

/**
 * `int event_base_set(struct event_base *base, struct event *ev)`: move an assigned event that was
 * never added to another base; its priority becomes that base's middle one. Returns 0, or -1 if
 * the event is not in its initial state.
 * @param base the new base
 * @param ev an assigned event that was never added
 * @returns 0, or -1 if the event is not in its initial state
 * @see {@link event_assign}
 * @category Events
 */
export function event_base_set(base: event_base, ev: event): number {
  event_base_check_(base, "event_base_set");
  if (!(ev instanceof event)) throw new TypeError("event_base_set: ev is not an event");
  if (ev.freed) throw new TypeError("event_base_set: the event was freed");
  if (ev.evcb_flags !== EVLIST_INIT) return -1;
  event_debug_assert_is_setup_(ev, "event_base_set");
  ev.ev_base = base;
  ev.evcb_pri = base.nactivequeues >> 1;
  return 0;
}

/**
 * `void *event_self_cbarg(void)`: a value that, passed as the `arg` of event_new/event_assign,
 * makes the callback receive the event itself (typed here as an `event` for that reason).
 * @returns the placeholder to pass as `arg`
 * @see {@link event_new}, {@link event_assign}
 * @category Events
 */
export function event_self_cbarg(): event {
  return event_self_cbarg_ptr_ as unknown as event;
}

/** The common-timeout list a timeval from event_base_init_common_timeout names, or -1 (libevent's COMMON_TIMEOUT_IDX). */
function common_timeout_idx(base: event_base, tv: timeval): number {
  const usec = tv.tv_usec;
  return is_common_timeout_usec(usec, base) ? (usec & COMMON_TIMEOUT_IDX_MASK) >> COMMON_TIMEOUT_IDX_SHIFT : -1;
}

/** A timeval in µs; `ctl` >= 0 (its common-timeout list) strips the magic bits from tv_usec. */
function timevalUs(tv: timeval, ctl: number): number {
  return tv.tv_sec * 1e6 + (ctl >= 0 ? tv.tv_usec & MICROSECONDS_MASK : tv.tv_usec);
}

/**
 * `int event_add(struct event *ev, const struct timeval *tv)`: make the event pending. A non-null
 * `tv` (re)sets its timeout, relative to now (the cached time inside callbacks); null keeps an
 * existing timeout. For an EV_PERSIST event the timeout becomes its interval. Returns 0, or -1 if
 * the backend refused the fd (errno set: EBADF for a closed fd, EPERM for a regular file under
 * epoll), the fd or signal number is out of range, or the event is being finalized. Under the
 * select backend, an fd at or above FD_SETSIZE throws a RangeError (libevent grows its fd_sets
 * past FD_SETSIZE; this port's select keeps fixed-size ones).
 * @param ev the event, made by {@link event_new} or {@link event_assign}
 * @param tv the timeout, relative to now, or null for none (an fd or signal event then waits forever)
 * @returns 0, or -1 if the backend refused the fd (errno set: EBADF for a closed fd, EPERM for a regular file under epoll), the fd or signal number is out of range, or the event is being finalized
 * @see {@link event_del}, {@link event_pending}, {@link event_new}, {@link event_base_dispatch}
 * @example A one-shot timer: an event without fd or flags fires once
 * ```ts
 * import {
 *   EV_TIMEOUT,
 *   event_add,
 *   event_base_dispatch,
 *   event_base_free,
 *   event_base_new,
 *   event_free,
 *   event_new,
 * } from "libevent-ts/event2/event";
 * import { timeval } from "libevent-ts/event2/util";
 *
 * const base = event_base_new()!;
 * const timer = event_new(
 *   base,
 *   -1,
 *   0,
 *   (fd, what) => {
 *     if (what & EV_TIMEOUT) console.log("1.5 seconds passed");
 *   },
 *   null,
 * )!;
 * event_add(timer, new timeval(1, 500_000));
 * // Returns after the callback: no event is left.
 * event_base_dispatch(base);
 * event_free(timer);
 * event_base_free(base);
 * ```
 * @category Events
 */
export function event_add(ev: event, tv: timeval | null): number {
  const base = eventBase(ev, "event_add");
  if (base === null) return -1;
  if (tv === null) return event_add_nolock_(ev, false, 0, -1, false);
  checkTimeval(tv, "event_add");
  const ctl = common_timeout_idx(base, tv);
  return event_add_nolock_(ev, true, timevalUs(tv, ctl), ctl, false);
}

/**
 * @internal event_add for a caller that ignores the result, as libevent's socket bufferevent
 * ignores it for its write event: the backend change may wait for the next dispatch, which makes
 * it in the call that waits (see changelist.ts).
 */
export function event_add_deferred_(ev: event, tv: timeval | null): void {
  eventop_set_deferring_(true);
  try {
    // Its callers (socket bufferevents) pass their own assigned events: the public checks (an
    // instanceof test per message) only where the base is missing or freed, for their errors.
    if (tv === null && ownEventOk(ev)) event_add_nolock_(ev, false, 0, -1, false);
    else event_add(ev, tv);
  } finally {
    eventop_set_deferring_(false);
  }
}

/** @internal event_del whose backend change may wait for the next dispatch, as event_add_deferred_. */
export function event_del_deferred_(ev: event): void {
  eventop_set_deferring_(true);
  try {
    if (ownEventOk(ev)) event_del_nolock_(ev, false);
    else event_del(ev);
  } finally {
    eventop_set_deferring_(false);
  }
}

/** An assigned event with a live base: what eventBase checks, less the instanceof test. */
function ownEventOk(ev: event): boolean {
  const base = ev.ev_base;
  return (ev.evcb_flags & EVLIST_INIT) !== 0 && base !== null && !base.freed;
}

/**
 * @internal libevent's event_add_nolock_: `hasTimeout` with `us` relative (or absolute when
 * `absolute`), `ctl` the common-timeout list or -1.
 */
export function event_add_nolock_(ev: event, hasTimeout: boolean, us: number, ctl: number, absolute: boolean): number {
  const base = ev.ev_base!;
  event_debug_assert_is_setup_(ev, "event_add");
  if (ev.evcb_flags & EVLIST_FINALIZING) return -1;

  let res = 0;
  if (ev.ev_events & (EV_READ | EV_WRITE | EV_CLOSED | EV_SIGNAL) &&
      !(ev.evcb_flags & (EVLIST_INSERTED | EVLIST_ACTIVE | EVLIST_ACTIVE_LATER))) {
    if (ev.ev_events & (EV_READ | EV_WRITE | EV_CLOSED)) res = evmap_io_add_(base, ev.ev_fd, ev);
    else res = evmap_signal_add_(base, ev.ev_fd, ev);
    if (res !== -1) event_queue_insert_inserted(base, ev);
    if (res === 1) res = 0;
  }

  if (res !== -1 && hasTimeout) {
    if (ev.evcb_closure === EV_CLOSURE_EVENT_PERSIST && !absolute) {
      ev.ev_io_timeout = us;
      ev.ev_io_timeout_ctl = ctl;
    }
    if (ev.evcb_flags & EVLIST_TIMEOUT) event_queue_remove_timeout(base, ev);
    // Active because of a timeout: re-arming it must not also fire the old expiry.
    if (ev.evcb_flags & EVLIST_ACTIVE && ev.ev_res & EV_TIMEOUT) {
      if (ev.ev_events & EV_SIGNAL && ev.ev_ncalls && ev.ev_pncalls) ev.ev_pncalls.value = 0;
      event_queue_remove_active(base, ev);
    }
    const now = gettime(base);
    ev.ev_timeout = absolute ? us : now + us;
    ev.ev_timeout_ctl = ctl;
    event_queue_insert_timeout(base, ev);
    if (ctl >= 0) {
      const list = base.common_timeout_queues[ctl]!;
      if (ev === list.head) common_timeout_schedule(list, ev);
    }
  }
  event_debug_note_add_(ev, "event_add");
  wakeAsyncLoop(base);
  return res;
}

/**
 * `int event_del(struct event *ev)`: make the event neither pending nor active (its timeout,
 * I/O or signal registration and any queued activation go). Returns 0 (also when it was not
 * added), or -1 on a backend error. A no-op on an event being finalized.
 * @param ev the event
 * @returns 0 (also when it was not added), or -1 on a backend error
 * @see {@link event_add}, {@link event_free}, {@link event_remove_timer}
 * @category Events
 */
export function event_del(ev: event): number {
  return event_del_(ev, "event_del");
}

/**
 * `int event_del_noblock(struct event *ev)`: event_del (there is no other thread to wait for).
 * @param ev the event
 * @returns 0, or -1 on a backend error
 * @see {@link event_del}
 * @category Events
 */
export function event_del_noblock(ev: event): number {
  return event_del_(ev, "event_del_noblock");
}

/**
 * `int event_del_block(struct event *ev)`: event_del (there is no other thread to wait for).
 * @param ev the event
 * @returns 0, or -1 on a backend error
 * @see {@link event_del}
 * @category Events
 */
export function event_del_block(ev: event): number {
  return event_del_(ev, "event_del_block");
}

/** What the three event_del calls share (libevent's event_del_, without the lock and the wait). */
function event_del_(ev: event, fn: string): number {
  if (eventBase(ev, fn) === null) return -1;
  return event_del_nolock_(ev, false);
}

/** @internal libevent's event_del_nolock_; `evenIfFinalizing` is EVENT_DEL_EVEN_IF_FINALIZING. */
export function event_del_nolock_(ev: event, evenIfFinalizing: boolean): number {
  const base = ev.ev_base;
  if (base === null) return -1;
  if (!evenIfFinalizing && ev.evcb_flags & EVLIST_FINALIZING) return 0;

  // A signal callback running its ncalls loop for this event stops.
  if (ev.ev_events & EV_SIGNAL && ev.ev_ncalls && ev.ev_pncalls) ev.ev_pncalls.value = 0;
  const flags = ev.evcb_flags;
  if (flags & EVLIST_TIMEOUT) event_queue_remove_timeout(base, ev);
  if (flags & EVLIST_ACTIVE) event_queue_remove_active(base, ev);
  else if (flags & EVLIST_ACTIVE_LATER) event_queue_remove_active_later(base, ev);

  let res = 0;
  if (flags & EVLIST_INSERTED) {
    event_queue_remove_inserted(base, ev);
    if (ev.ev_events & (EV_READ | EV_WRITE | EV_CLOSED)) res = evmap_io_del_(base, ev.ev_fd, ev);
    else res = evmap_signal_del_(base, ev.ev_fd, ev);
    if (res === 1) res = 0;
  }
  event_debug_note_del_(ev, "event_del");
  // As libevent: a base left without events is woken so that its loop can end.
  if (base.event_count === 0 && base.virtual_event_count === 0) wakeAsyncLoop(base);
  return res;
}

/**
 * `int event_remove_timer(struct event *ev)`: remove only the timeout; I/O or signal
 * registration stays. Returns 0, or -1 (with libevent's warning) for an event assigned without a
 * base.
 * @param ev the event
 * @returns 0, or -1 (with libevent's warning) for an event assigned without a base
 * @see {@link event_del}, {@link event_add}
 * @category Events
 */
export function event_remove_timer(ev: event): number {
  const base = eventBase(ev, "event_remove_timer");
  if (base === null) return -1;
  event_debug_assert_is_setup_(ev, "event_remove_timer");
  if (ev.evcb_flags & EVLIST_TIMEOUT) {
    event_queue_remove_timeout(base, ev);
    ev.ev_io_timeout = 0;
    ev.ev_io_timeout_ctl = -1;
  }
  return 0;
}

/**
 * `void event_active(struct event *ev, int res, short ncalls)`: make the event active as if `res`
 * (EV_READ, EV_TIMEOUT, ...) had happened, whether or not it is added. If it is already active,
 * `res` is ORed into what its callback will get. `ncalls` is how many times a signal event's
 * callback runs. Ignored on an event being finalized.
 * @param ev the event
 * @param res the `EV_*` bits to pass to the callback (`EV_READ`, `EV_WRITE`, `EV_TIMEOUT`, ...)
 * @param ncalls for a signal event, how many times its callback runs
 * @see {@link event_base_active_by_fd}, {@link evuser_trigger}
 * @category Events
 */
export function event_active(ev: event, res: number, ncalls: number): void {
  check_int_("event_active", "res", res);
  check_mask_("event_active", "ncalls", ncalls);
  if (eventBase(ev, "event_active") === null) return;
  event_debug_assert_is_setup_(ev, "event_active");
  event_active_nolock_(ev, res, ncalls);
}

/** @internal libevent's event_active_nolock_. */
export function event_active_nolock_(ev: event, res: number, ncalls: number): void {
  const base = ev.ev_base!;
  const flags = ev.evcb_flags;
  if (flags & (EVLIST_FINALIZING | EVLIST_ACTIVE | EVLIST_ACTIVE_LATER)) {
    if (flags & EVLIST_FINALIZING) return;
    if (flags & EVLIST_ACTIVE) {
      ev.ev_res |= res;
      return;
    }
    ev.ev_res |= res;
  } else {
    ev.ev_res = res;
  }
  if (ev.evcb_pri < base.event_running_priority) base.event_continue = 1;
  if (ev.ev_events & EV_SIGNAL) {
    ev.ev_ncalls = ncalls;
    ev.ev_pncalls = null;
  }
  if (flags & EVLIST_ACTIVE_LATER) {
    event_callback_activate_nolock_(base, ev);
    return;
  }
  // The common case of event_callback_activate_nolock_, written out: every I/O readiness comes
  // here, and until V8 optimises the loop each call on this path is paid in full.
  if (!(flags & EVLIST_INTERNAL) && ++base.event_count > base.event_count_max) base.event_count_max = base.event_count;
  ev.evcb_flags = flags | EVLIST_ACTIVE;
  if (++base.event_count_active > base.event_count_active_max) base.event_count_active_max = base.event_count_active;
  activeQueue(base, ev).insertTail(ev);
  const w = base.async_wake_;
  if (w !== null) w.wake();
}

/** @internal Activate the event at the start of the next loop iteration (libevent's event_active_later_). */
export function event_active_later_(ev: event, res: number): void {
  const base = eventBase(ev, "event_active_later_");
  if (base === null) return;
  if (ev.evcb_flags & (EVLIST_ACTIVE | EVLIST_ACTIVE_LATER)) {
    ev.ev_res |= res;
    return;
  }
  ev.ev_res = res;
  event_callback_activate_later_nolock_(base, ev);
}

/** @internal 1 if newly put on an active queue, else 0. */
export function event_callback_activate_nolock_(base: event_base, evcb: event_callback): number {
  let r = 1;
  if (evcb.evcb_flags & EVLIST_FINALIZING) return 0;
  if (evcb.evcb_flags & EVLIST_ACTIVE) return 0;
  if (evcb.evcb_flags & EVLIST_ACTIVE_LATER) {
    event_queue_remove_active_later(base, evcb);
    r = 0;
  }
  event_queue_insert_active(base, evcb);
  wakeAsyncLoop(base);
  return r;
}

/** Queue a callback for the next iteration; 1 if newly queued. */
function event_callback_activate_later_nolock_(base: event_base, evcb: event_callback): number {
  if (evcb.evcb_flags & (EVLIST_ACTIVE | EVLIST_ACTIVE_LATER)) return 0;
  event_queue_insert_active_later(base, evcb);
  wakeAsyncLoop(base);
  return 1;
}

/** Take a callback off the active queues (libevent's event_callback_cancel_nolock_). */
function event_callback_cancel_nolock_(base: event_base, evcb: event_callback, evenIfFinalizing: boolean): number {
  if (evcb.evcb_flags & EVLIST_FINALIZING && !evenIfFinalizing) return 0;
  if (evcb.evcb_flags & EVLIST_INIT) return event_del_nolock_(evcb as event, evenIfFinalizing);
  if (evcb.evcb_flags & EVLIST_ACTIVE) event_queue_remove_active(base, evcb);
  else if (evcb.evcb_flags & EVLIST_ACTIVE_LATER) event_queue_remove_active_later(base, evcb);
  return 0;
}

/**
 * `int event_pending(const struct event *ev, short events, struct timeval *tv)`: which of
 * `events` (EV_TIMEOUT|EV_READ|EV_WRITE|EV_CLOSED|EV_SIGNAL) the event is pending or active for.
 * If EV_TIMEOUT is asked and set and `tv` is non-null, `tv` gets the expiry as wall-clock time.
 * @param ev the event
 * @param events the `EV_*` bits to ask about
 * @param tv if EV_TIMEOUT is asked and pending, receives the timeout's expiry as wall-clock time; or null
 * @returns the bits of `events` the event is pending or active for, 0 for none
 * @see {@link event_add}, {@link event_initialized}
 * @category Events
 */
export function event_pending(ev: event, events: number, tv: timeval | null): number {
  check_mask_("event_pending", "events", events);
  check_timeval_("event_pending", "tv", tv, true);
  const base = eventBase(ev, "event_pending");
  if (base === null) return 0;
  event_debug_assert_is_setup_(ev, "event_pending");
  const pending = event_pending_nolock_(ev, events);
  if (tv !== null && pending & EV_TIMEOUT) evutil_us_to_timeval_(ev.ev_timeout + base.tv_clock_diff, tv);
  return pending;
}

/**
 * @internal event_pending's answer for an event known to be set up, without the checks of the
 * public call or the timeout's copy: which of `events` it is added or active for.
 */
export function event_pending_nolock_(ev: event, events: number): number {
  const f = ev.evcb_flags;
  let flags = 0;
  if (f & EVLIST_INSERTED) flags |= ev.ev_events & (EV_READ | EV_WRITE | EV_CLOSED | EV_SIGNAL);
  if (f & (EVLIST_ACTIVE | EVLIST_ACTIVE_LATER)) flags |= ev.ev_res;
  if (f & EVLIST_TIMEOUT) flags |= EV_TIMEOUT;
  return flags & events & (EV_TIMEOUT | EV_READ | EV_WRITE | EV_CLOSED | EV_SIGNAL);
}

/**
 * `int event_initialized(const struct event *ev)`: 1 if the event has been assigned, else 0.
 * @param ev the event
 * @returns 1 if the event has been assigned, else 0
 * @category Events
 */
export function event_initialized(ev: event): number {
  check_instance_("event_initialized", "ev", ev, event);
  return ev.evcb_flags & EVLIST_INIT ? 1 : 0;
}

/**
 * `evutil_socket_t event_get_fd(const struct event *ev)`: the fd (or signal number) of the event.
 * @param ev the event
 * @returns the fd, the signal number, or -1
 * @see {@link event_get_assignment}
 * @category Events
 */
export function event_get_fd(ev: event): evutil_socket_t {
  checkAssigned(ev, "event_get_fd");
  event_debug_assert_is_setup_(ev, "event_get_fd");
  return ev.ev_fd;
}

/**
 * `#define event_get_signal(ev)`: the signal number of a signal event.
 * @param ev the event
 * @returns the signal number
 * @category Events
 */
export function event_get_signal(ev: event): number {
  return event_get_fd(ev);
}

/**
 * `struct event_base *event_get_base(const struct event *ev)`: the base of the event (null if it was assigned without one).
 * @param ev the event
 * @returns the event's base, or null
 * @category Events
 */
export function event_get_base(ev: event): event_base | null {
  checkAssigned(ev, "event_get_base");
  event_debug_assert_is_setup_(ev, "event_get_base");
  return ev.ev_base;
}

/**
 * `short event_get_events(const struct event *ev)`: the EV_* flags it was assigned with.
 * @param ev the event
 * @returns the `EV_*` flags given to {@link event_assign} or {@link event_new}
 * @category Events
 */
export function event_get_events(ev: event): number {
  checkAssigned(ev, "event_get_events");
  event_debug_assert_is_setup_(ev, "event_get_events");
  return ev.ev_events;
}

/**
 * `event_callback_fn event_get_callback(const struct event *ev)`: its callback (null if assigned none).
 * @param ev the event
 * @returns the callback, or null
 * @category Events
 */
export function event_get_callback<A>(ev: event<A>): event_callback_fn<A> | null {
  checkAssigned(ev, "event_get_callback");
  event_debug_assert_is_setup_(ev, "event_get_callback");
  return ev.evcb_cb as event_callback_fn<A>;
}

/**
 * `void *event_get_callback_arg(const struct event *ev)`: its callback argument.
 * @param ev the event
 * @returns the callback's argument
 * @category Events
 */
export function event_get_callback_arg<A>(ev: event<A>): A {
  checkAssigned(ev, "event_get_callback_arg");
  event_debug_assert_is_setup_(ev, "event_get_callback_arg");
  return ev.evcb_arg as A;
}

/**
 * `int event_get_priority(const struct event *ev)`: its priority.
 * @param ev the event
 * @returns the priority (0 is the most urgent)
 * @see {@link event_priority_set}
 * @category Events
 */
export function event_get_priority(ev: event): number {
  checkAssigned(ev, "event_get_priority");
  event_debug_assert_is_setup_(ev, "event_get_priority");
  return ev.evcb_pri;
}

/**
 * `void event_get_assignment(const struct event *event, struct event_base **base_out,
 * evutil_socket_t *fd_out, short *events_out, event_callback_fn *callback_out, void **arg_out)`:
 * everything event_assign was given, each into its box `{ value }`; a null box is skipped.
 * @param ev the event
 * @param base_out receives the base, or null
 * @param fd_out receives the fd, or null
 * @param events_out receives the `EV_*` flags, or null
 * @param callback_out receives the callback, or null
 * @param arg_out receives the callback's argument, or null
 * @see {@link event_assign}
 * @category Events
 */
export function event_get_assignment<A>(
  ev: event<A>,
  base_out: { value: event_base | null } | null,
  fd_out: { value: evutil_socket_t } | null,
  events_out: { value: number } | null,
  callback_out: { value: event_callback_fn<A> | null } | null,
  arg_out: { value: A | null } | null,
): void {
  const fn = "event_get_assignment";
  if (!(ev instanceof event)) throw new TypeError("event_get_assignment: ev is not an event");
  if (ev.freed) throw new TypeError("event_get_assignment: the event was freed");
  check_box_(fn, "base_out", base_out, true);
  check_box_(fn, "fd_out", fd_out, true);
  check_box_(fn, "events_out", events_out, true);
  check_box_(fn, "callback_out", callback_out, true);
  check_box_(fn, "arg_out", arg_out, true);
  event_debug_assert_is_setup_(ev, "event_get_assignment");
  if (base_out) base_out.value = ev.ev_base;
  if (fd_out) fd_out.value = ev.ev_fd;
  if (events_out) events_out.value = ev.ev_events;
  if (callback_out) callback_out.value = ev.evcb_cb as event_callback_fn<A>;
  if (arg_out) arg_out.value = ev.evcb_arg as A;
}

/**
 * `size_t event_get_struct_event_size(void)`: sizeof(struct event) in libevent 2.1.12 on 64-bit
 * Linux (128), for programs that allocate events themselves; here `new event()` does that.
 * @returns 128
 * @category Events
 */
export function event_get_struct_event_size(): number {
  return 128;
}

/**
 * `struct event *event_base_get_running_event(struct event_base *base)`: the event whose callback
 * is running, or null (outside any callback, inside a finalizer, or while a deferred callback that
 * is not an event runs; C leaves the first case undefined).
 * @param base the event base
 * @returns the event whose callback is running, or null
 * @category Event loop
 */
export function event_base_get_running_event(base: event_base): event | null {
  event_base_check_(base, "event_base_get_running_event");
  const evcb = base.current_event;
  return evcb !== null && evcb.evcb_flags & EVLIST_INIT ? (evcb as event) : null;
}

// ---------------------------------------------------------------------------------------------
// One-shot events and loop exit
// ---------------------------------------------------------------------------------------------

function event_once_cb(fd: number, events: number, eonce: event_once): void {
  // Released before the callback (libevent does it after), so that a callback that throws
  // does not leave its record behind.
  eonce.ev.ev_base!.once_events.delete(eonce);
  event_debug_note_teardown_(eonce.ev);
  eonce.cb(fd, events, eonce.arg);
}

/**
 * `int event_base_once(struct event_base *base, evutil_socket_t fd, short events,
 * event_callback_fn callback, void *arg, const struct timeval *tv)`: run `callback` once, when
 * the fd is ready (events with EV_READ/EV_WRITE/EV_CLOSED, `tv` a timeout) or when `tv` elapses
 * (events == EV_TIMEOUT; a null or zero tv runs it on the next iteration, in order). The base owns
 * the record and frees it after the callback or in event_base_free. Returns 0, or -1 for
 * EV_SIGNAL, EV_PERSIST or no usable event bits.
 * @param base the base
 * @param fd the fd to watch, or -1 for a timer
 * @param events `EV_READ`, `EV_WRITE`, `EV_TIMEOUT` ORed
 * @param callback called as `callback(fd, what, arg)` when the event fires
 * @param arg passed untouched to the callback as its last argument
 * @param tv the timeout, or null for none
 * @returns 0, or -1 for EV_SIGNAL, EV_PERSIST or no usable event bits
 * @see {@link event_new}
 * @category Events
 */
export function event_base_once<A>(
  base: event_base | null, fd: evutil_socket_t, events: number, callback: event_callback_fn<A>, arg: A,
  tv: timeval | null,
): number {
  if (base === null) return -1;
  event_base_check_(base, "event_base_once");
  checkFd(fd, "event_base_once");
  check_mask_("event_base_once", "events", events);
  check_fn_or_null_("event_base_once", "callback", callback);
  checkTimeval(tv, "event_base_once");
  if (events & (EV_SIGNAL | EV_PERSIST)) return -1;
  if (!(events & (EV_TIMEOUT | EV_READ | EV_WRITE | EV_CLOSED))) return -1;
  // C would call the NULL later, from the loop.
  if (callback === null) throw new TypeError("event_base_once: callback is null, not a function");
  const eonce = new event_once(callback as event_callback_fn, arg);
  let activate = false;
  if ((events & (EV_TIMEOUT | EV_SIGNAL | EV_READ | EV_WRITE | EV_CLOSED)) === EV_TIMEOUT) {
    event_assign(eonce.ev, base, -1, 0, event_once_cb, eonce);
    if (tv === null || (tv.tv_sec === 0 && tv.tv_usec === 0)) activate = true;
  } else if (events & (EV_READ | EV_WRITE | EV_CLOSED)) {
    event_assign(eonce.ev, base, fd, events & (EV_READ | EV_WRITE | EV_CLOSED), event_once_cb, eonce);
  } else {
    return -1;
  }
  if (activate) {
    event_active_nolock_(eonce.ev, EV_TIMEOUT, 1);
  } else {
    const ctl = tv === null ? -1 : common_timeout_idx(base, tv);
    const res = tv === null
      ? event_add_nolock_(eonce.ev, false, 0, -1, false)
      : event_add_nolock_(eonce.ev, true, timevalUs(tv, ctl), ctl, false);
    if (res !== 0) return res;
  }
  base.once_events.add(eonce);
  return 0;
}

function event_loopexit_cb(_fd: number, _what: number, base: event_base): void {
  base.event_gotterm = 1;
}

/**
 * `int event_base_loopexit(struct event_base *base, const struct timeval *tv)`: make the loop
 * exit after `tv` (null: as soon as possible), once the callbacks active at that moment in that
 * priority pass have run. Implemented, as in libevent, as a one-shot event at the default
 * priority, which keeps an otherwise empty loop running until it fires. Returns 0 or -1.
 * @param base the event base
 * @param tv how long to wait before exiting, or null to exit as soon as possible
 * @returns 0, or -1 if the exit timer cannot be added
 * @see {@link event_base_loopbreak}, {@link event_base_got_exit}
 * @category Event loop
 */
export function event_base_loopexit(base: event_base, tv: timeval | null): number {
  if (base !== null) event_base_check_(base, "event_base_loopexit");
  checkTimeval(tv, "event_base_loopexit");
  return event_base_once(base, -1, EV_TIMEOUT, event_loopexit_cb, base, tv);
}

/**
 * `int event_base_loopbreak(struct event_base *base)`: make the loop return right after the
 * callback running now (remaining active events stay queued). A loopbreak while the loop is not
 * running is forgotten when it starts. Returns 0, or -1 for a null base.
 * @param base the event base
 * @returns 0, or -1 for a null base
 * @see {@link event_base_loopexit}, {@link event_base_got_break}
 * @category Event loop
 */
export function event_base_loopbreak(base: event_base | null): number {
  if (base === null) return -1;
  event_base_check_(base, "event_base_loopbreak");
  base.event_break = 1;
  wakeAsyncLoop(base);
  return 0;
}

/**
 * `int event_base_loopcontinue(struct event_base *base)`: stop the current pass over the active
 * queue after the running callback and poll again (higher-priority events then get a chance).
 * Returns 0, or -1 for a null base.
 * @param base the event base
 * @returns 0, or -1 for a null base
 * @see {@link event_base_loopbreak}
 * @category Event loop
 */
export function event_base_loopcontinue(base: event_base | null): number {
  if (base === null) return -1;
  event_base_check_(base, "event_base_loopcontinue");
  base.event_continue = 1;
  return 0;
}

/**
 * `int event_base_got_exit(struct event_base *base)`: 1 if the last loop ended through event_base_loopexit, else 0.
 * @param base the event base
 * @returns 1 if the last loop ended through {@link event_base_loopexit}, else 0
 * @see {@link event_base_got_break}
 * @category Event loop
 */
export function event_base_got_exit(base: event_base): number {
  event_base_check_(base, "event_base_got_exit");
  return base.event_gotterm;
}

/**
 * `int event_base_got_break(struct event_base *base)`: 1 if the last loop ended through event_base_loopbreak, else 0.
 * @param base the event base
 * @returns 1 if the last loop ended through {@link event_base_loopbreak}, else 0
 * @see {@link event_base_got_exit}
 * @category Event loop
 */
export function event_base_got_break(base: event_base): number {
  event_base_check_(base, "event_base_got_break");
  return base.event_break;
}

// ---------------------------------------------------------------------------------------------
// Finalizers and deferred callbacks
// ---------------------------------------------------------------------------------------------

const EVENT_FINALIZE_FREE_ = 0x10000;

function event_finalize_impl_(flags: number, ev: event, cb: event_finalize_callback_fn, fn: string): number {
  check_uint_(fn, "flags", flags);
  check_fn_(fn, "cb", cb);
  if (eventBase(ev, fn) === null) return -1;
  event_del_nolock_(ev, false);
  ev.evcb_closure = flags & EVENT_FINALIZE_FREE_ ? EV_CLOSURE_EVENT_FINALIZE_FREE : EV_CLOSURE_EVENT_FINALIZE;
  ev.evcb_cb = cb;
  event_active_nolock_(ev, EV_FINALIZE, 1);
  ev.evcb_flags |= EVLIST_FINALIZING;
  return 0;
}

/**
 * `int event_finalize(unsigned flags, struct event *ev, event_finalize_callback_fn cb)`: delete
 * the event and run `cb(ev, arg)` from the loop at its priority, instead of its callback, when it
 * is safe to release what `arg` holds. Afterwards event_add and event_active do nothing. Returns 0,
 * or -1 (with libevent's warning) for an event assigned without a base.
 * @param flags 0 (libevent's `EVENT_FINALIZE_FREE_` is internal)
 * @param ev the event
 * @param cb called as `cb(ev, arg)` when the event can be released
 * @returns 0, or -1 (with libevent's warning) for an event assigned without a base
 * @see {@link event_free_finalize}
 * @category Events
 */
export function event_finalize<A>(flags: number, ev: event<A>, cb: event_finalize_callback_fn<A>): number {
  return event_finalize_impl_(flags, ev, cb as event_finalize_callback_fn, "event_finalize");
}

/**
 * `int event_free_finalize(unsigned flags, struct event *ev, event_finalize_callback_fn cb)`:
 * event_finalize, then free the event after `cb`. Returns 0, or -1 (with libevent's warning) for
 * an event assigned without a base.
 * @param flags 0
 * @param ev the event
 * @param cb called as `cb(ev, arg)`; the event is freed after it returns
 * @returns 0, or -1 (with libevent's warning) for an event assigned without a base
 * @see {@link event_finalize}, {@link event_free}
 * @category Events
 */
export function event_free_finalize<A>(flags: number, ev: event<A>, cb: event_finalize_callback_fn<A>): number {
  check_uint_("event_free_finalize", "flags", flags);
  return event_finalize_impl_(flags | EVENT_FINALIZE_FREE_, ev, cb as event_finalize_callback_fn, "event_free_finalize");
}

/** @internal libevent's event_callback_finalize_nolock_. */
export function event_callback_finalize_nolock_(
  base: event_base, evcb: event_callback, cb: (evcb: event_callback, arg: any) => void,
): void {
  if (evcb.evcb_flags & EVLIST_INIT) event_del_nolock_(evcb as event, false);
  else event_callback_cancel_nolock_(base, evcb, false);
  evcb.evcb_closure = EV_CLOSURE_CB_FINALIZE;
  evcb.evcb_cb = cb;
  event_callback_activate_nolock_(base, evcb);
  evcb.evcb_flags |= EVLIST_FINALIZING;
}

/**
 * @internal Finalize all of `evcbs`; `cb` runs once, on one of them, after all are finalized
 * (libevent's event_callback_finalize_many_, how bufferevents are destroyed).
 */
export function event_callback_finalize_many_(
  base: event_base, evcbs: event_callback[], cb: (evcb: event_callback, arg: any) => void,
): number {
  let nPending = 0;
  for (const evcb of evcbs) {
    if (evcb === base.current_event) {
      event_callback_finalize_nolock_(base, evcb, cb);
      ++nPending;
    } else {
      event_callback_cancel_nolock_(base, evcb, false);
    }
  }
  if (nPending === 0) event_callback_finalize_nolock_(base, evcbs[0]!, cb);
  return 0;
}

/**
 * @internal Prepare a deferred callback: `fn(cb, arg)` runs from the loop at `priority` when
 * scheduled (libevent's event_deferred_cb_init_).
 */
export function event_deferred_cb_init_(
  cb: event_callback, priority: number, fn: (cb: event_callback, arg: any) => void, arg: unknown,
): void {
  cb.evcb_active_next = cb.evcb_active_prev = null;
  cb.evcb_flags = 0;
  cb.evcb_cb = fn;
  cb.evcb_arg = arg;
  cb.evcb_pri = priority;
  cb.evcb_closure = EV_CLOSURE_CB_SELF;
}

/** @internal */
export function event_deferred_cb_set_priority_(cb: event_callback, priority: number): void {
  cb.evcb_pri = priority;
}

/** @internal Unschedule a deferred callback (a null base: the event_init() base). */
export function event_deferred_cb_cancel_(base: event_base | null, cb: event_callback): void {
  if (base === null) base = current_base;
  if (base === null) return;
  event_callback_cancel_nolock_(base, cb, false);
}

/**
 * @internal Schedule a deferred callback: on the active queue now, or in the next iteration once
 * 32 were queued in this one (so deferred callbacks cannot starve I/O). 1 if newly scheduled.
 * A null base means the event_init() base.
 */
export function event_deferred_cb_schedule_(base: event_base | null, cb: event_callback): number {
  if (base === null) base = current_base;
  if (base === null) throw new TypeError("event_deferred_cb_schedule_: no base");
  if (base.n_deferreds_queued > MAX_DEFERREDS_QUEUED) return event_callback_activate_later_nolock_(base, cb);
  const r = event_callback_activate_nolock_(base, cb);
  if (r) ++base.n_deferreds_queued;
  return r;
}

/** @internal A virtual event keeps the loop from exiting while something outside it is pending. */
export function event_base_add_virtual_(base: event_base): void {
  if (++base.virtual_event_count > base.virtual_event_count_max) base.virtual_event_count_max = base.virtual_event_count;
}

/** @internal */
export function event_base_del_virtual_(base: event_base): void {
  base.virtual_event_count--;
  if (base.virtual_event_count === 0) wakeAsyncLoop(base);
}

// ---------------------------------------------------------------------------------------------
// Common timeouts
// ---------------------------------------------------------------------------------------------

function common_timeout_schedule(ctl: common_timeout_list, head: event): void {
  event_add_nolock_(ctl.timeout_event, true, head.ev_timeout, -1, true);
}

function common_timeout_callback(_fd: number, _what: number, ctl: common_timeout_list): void {
  const base = ctl.base;
  const now = gettime(base);
  let ev: event | null;
  while ((ev = ctl.head) !== null && ev.ev_timeout <= now) {
    event_del_nolock_(ev, false);
    event_active_nolock_(ev, EV_TIMEOUT, 1);
  }
  if (ev !== null) common_timeout_schedule(ctl, ev);
}

/**
 * `const struct timeval *event_base_init_common_timeout(struct event_base *base, const struct
 * timeval *duration)`: a timeval standing for `duration` that, given to event_add, queues the
 * event on a FIFO shared by every event with that duration (O(1) instead of the heap's O(log n)).
 * The value carries libevent's magic bits in tv_usec; the same duration gives the same object.
 * Returns null (with a warning) beyond 256 durations per base.
 * @param base the event base
 * @param duration the timeout the events will share
 * @returns the timeval to pass to {@link event_add}, or null (with a warning) beyond 256 durations per base
 * @category Event loop
 */
export function event_base_init_common_timeout(base: event_base, duration: timeval): timeval | null {
  event_base_check_(base, "event_base_init_common_timeout");
  check_timeval_("event_base_init_common_timeout", "duration", duration);
  let sec = duration.tv_sec;
  let usec = duration.tv_usec;
  if (usec > 1000000) {
    if (is_common_timeout_usec(usec, base)) usec &= MICROSECONDS_MASK;
    sec += Math.floor(usec / 1000000);
    usec %= 1000000;
  }
  for (const ctl of base.common_timeout_queues) {
    if (ctl.duration.tv_sec === sec && (ctl.duration.tv_usec & MICROSECONDS_MASK) === usec) return ctl.duration;
  }
  if (base.common_timeout_queues.length === MAX_COMMON_TIMEOUTS) {
    event_warnx(`event_base_init_common_timeout: Too many common timeouts already in use; we only support ${MAX_COMMON_TIMEOUTS} per event_base`);
    return null;
  }
  const ctl = new common_timeout_list(base, base.common_timeout_queues.length, sec, usec);
  event_assign(ctl.timeout_event, base, -1, 0, common_timeout_callback, ctl);
  ctl.timeout_event.evcb_flags |= EVLIST_INTERNAL;
  event_priority_set(ctl.timeout_event, 0);
  base.common_timeout_queues.push(ctl);
  return ctl.duration;
}

// ---------------------------------------------------------------------------------------------
// The loop
// ---------------------------------------------------------------------------------------------

/**
 * The longest single wait: libevent's epoll never waits more than 35 minutes at once
 * (MAX_EPOLL_TIMEOUT_MSEC); a timer further off is reached after more waits. It also keeps every
 * wait within what the backends take.
 */
const MAX_WAIT_US = 35 * 60 * 1_000_000;

/** Time until the earliest heap timer (µs, at most MAX_WAIT_US), or -1 when there is none (wait without limit). */
function timeout_next(base: event_base): number {
  const ev = base.timeheap.top();
  if (ev === null) return -1;
  const now = gettime(base);
  return ev.ev_timeout <= now ? 0 : Math.min(ev.ev_timeout - now, MAX_WAIT_US);
}

/** Activate every heap timer that has expired, in heap order, each with EV_TIMEOUT only. */
function timeout_process(base: event_base): void {
  const heap = base.timeheap;
  if (heap.n === 0) return;
  const now = gettime(base);
  let ev: event | null;
  while ((ev = heap.top()) !== null && ev.ev_timeout <= now) {
    event_del_nolock_(ev, false);
    event_active_nolock_(ev, EV_TIMEOUT, 1);
  }
}

function event_signal_closure(base: event_base, ev: event): void {
  const ncalls = { value: ev.ev_ncalls };
  if (ncalls.value !== 0) ev.ev_pncalls = ncalls;
  while (ncalls.value) {
    ncalls.value--;
    ev.ev_ncalls = ncalls.value;
    if (ncalls.value === 0) ev.ev_pncalls = null;
    ev.evcb_cb(ev.ev_fd, ev.ev_res, ev.evcb_arg);
    if (base.event_break) {
      if (ncalls.value !== 0) ev.ev_pncalls = null;
      return;
    }
  }
}

/**
 * Re-arm a persistent event's timeout before its callback: one interval after the expiry that
 * fired (drift-free), or after now when something else activated it; never in the past.
 */
function event_persist_closure(base: event_base, ev: event): void {
  if (ev.ev_io_timeout !== 0 || ev.ev_io_timeout_ctl >= 0) {
    const now = gettime(base);
    const delay = ev.ev_io_timeout;
    const relativeTo = ev.ev_res & EV_TIMEOUT ? ev.ev_timeout : now;
    let runAt = relativeTo + delay;
    if (runAt < now) runAt = now + delay;
    event_add_nolock_(ev, true, runAt, ev.ev_io_timeout_ctl, true);
  }
  ev.evcb_cb(ev.ev_fd, ev.ev_res, ev.evcb_arg);
}

/**
 * Run the callbacks of one priority queue, taking its head each time (so callbacks activated
 * meanwhile at this priority run in the same pass). Returns the number of non-internal callbacks
 * run, or -1 when loopbreak was called.
 */
function event_process_active_single_queue(base: event_base, q: evcallback_list, maxToProcess: number, endtime: number): number {
  let count = 0;
  for (let evcb = q.head; evcb !== null; evcb = q.head) {
    let ev: event | null = null;
    const flags = evcb.evcb_flags;
    if (flags & EVLIST_INIT) {
      ev = evcb as event;
      if (ev.ev_events & EV_PERSIST || flags & EVLIST_FINALIZING) {
        // event_queue_remove_active, written out (see event_active_nolock_).
        if (!(flags & EVLIST_INTERNAL)) base.event_count--;
        evcb.evcb_flags = flags & ~EVLIST_ACTIVE;
        base.event_count_active--;
        q.remove(evcb);
      } else {
        event_del_nolock_(ev, false);
      }
    } else {
      event_queue_remove_active(base, evcb);
    }
    if (!(flags & EVLIST_INTERNAL)) ++count;

    base.current_event = evcb;
    switch (evcb.evcb_closure) {
      case EV_CLOSURE_EVENT_SIGNAL:
        event_signal_closure(base, ev!);
        break;
      case EV_CLOSURE_EVENT_PERSIST:
        if (ev!.ev_io_timeout !== 0 || ev!.ev_io_timeout_ctl >= 0) event_persist_closure(base, ev!);
        else ev!.evcb_cb(ev!.ev_fd, ev!.ev_res, ev!.evcb_arg);
        break;
      case EV_CLOSURE_EVENT:
        ev!.evcb_cb(ev!.ev_fd, ev!.ev_res, ev!.evcb_arg);
        break;
      case EV_CLOSURE_CB_SELF:
        evcb.evcb_cb(evcb, evcb.evcb_arg);
        break;
      case EV_CLOSURE_EVENT_FINALIZE:
      case EV_CLOSURE_EVENT_FINALIZE_FREE: {
        const closure = evcb.evcb_closure;
        base.current_event = null;
        event_debug_note_teardown_(ev!);
        ev!.evcb_cb(ev, ev!.evcb_arg);
        if (closure === EV_CLOSURE_EVENT_FINALIZE_FREE) markFreed(ev!);
        break;
      }
      case EV_CLOSURE_CB_FINALIZE:
        base.current_event = null;
        evcb.evcb_cb(evcb, evcb.evcb_arg);
        break;
      default:
        throw new Error(`event_process_active: unknown closure ${evcb.evcb_closure}`);
    }
    base.current_event = null;

    if (base.event_break) return -1;
    if (count >= maxToProcess) return count;
    if (count && endtime >= 0) {
      update_time_cache(base);
      if (gettime(base) >= endtime) return count;
    }
    if (base.event_continue) break;
  }
  return count;
}

/**
 * Process the first non-empty priority queue (the most urgent). Lower priorities wait for a later
 * iteration unless every callback run here was internal.
 */
function event_process_active(base: event_base): number {
  let endtime = -1;
  if (base.max_dispatch_time >= 0) {
    update_time_cache(base);
    endtime = gettime(base) + base.max_dispatch_time;
  }
  const maxcb = base.max_dispatch_callbacks;
  const limitAfterPrio = base.limit_callbacks_after_prio;
  let c = 0;
  const queues = base.activequeues;
  for (let i = 0; i < base.nactivequeues; ++i) {
    const q = queues[i]!;
    if (q.head === null) continue;
    base.event_running_priority = i;
    c = i < limitAfterPrio
      ? event_process_active_single_queue(base, q, INT_MAX, -1)
      : event_process_active_single_queue(base, q, maxcb, endtime);
    if (c !== 0) break; // -1: loopbreak; > 0: a real callback ran, lower priorities wait
  }
  base.event_running_priority = -1;
  return c;
}

/** @internal What event_base_loop_pass_ returns when the loop goes on (not a result of event_base_loop). */
export const EVLOOP_CONTINUE_ = 2;

/**
 * @internal One iteration of event_base_loop, the body both loops share (the blocking one here,
 * the async one in loop_async.ts): stop if exit/break was requested; compute how long to wait
 * (until the earliest timer, zero if callbacks are active or EVLOOP_NONBLOCK); return 1 if no
 * events are left (unless EVLOOP_NO_EXIT_ON_EMPTY); wait in the backend (`wait` false: do not
 * wait, only collect what is ready: libuv did the waiting); cache the time; activate expired
 * timers; run the most urgent active queue. Returns EVLOOP_CONTINUE_, or the loop's result: 0
 * (exit, break, EVLOOP_ONCE/NONBLOCK done), 1 (no events left), -1 (backend error).
 */
export function event_base_loop_pass_(base: event_base, flags: number, wait: boolean): number {
  base.event_continue = 0;
  base.n_deferreds_queued = 0;
  if (base.event_gotterm || base.event_break) return 0;

  const timeoutUs = wait && base.event_count_active === 0 && !(flags & EVLOOP_NONBLOCK) ? timeout_next(base) : 0;
  if (!(flags & EVLOOP_NO_EXIT_ON_EMPTY) && base.virtual_event_count === 0 && base.event_count === 0 &&
      base.event_count_active === 0) {
    event_debugx("event_base_loop: no events registered.");
    return 1;
  }
  if (base.active_later_queue.head !== null) event_queue_make_later_events_active(base);

  base.tv_cache = 0;
  // The backend reads the clock for the time cache in the call that waits (1 coarse, 2 precise).
  const clock = base.flags & EVENT_BASE_FLAG_NO_CACHE_TIME ? 0 : base.monotonicPrecise + 1;
  const now = base.evsel.dispatch(base, timeoutUs, clock);
  if (now === -1) return -1;
  if (clock !== 0) base.tv_cache = now !== 0 ? clock_sync(base, now) : gettime(base);
  if (base.timeheap.n !== 0) timeout_process(base);

  if (base.event_count_active) {
    const n = event_process_active(base);
    if (flags & EVLOOP_ONCE && base.event_count_active === 0 && n !== 0) return 0;
  } else if (flags & EVLOOP_NONBLOCK) {
    return 0;
  }
  return EVLOOP_CONTINUE_;
}

/**
 * @internal After a pass of an async loop that goes on: how long libuv may wait before the next
 * pass (µs; -1: until the backend reports something). Zero when callbacks are active, under
 * EVLOOP_NONBLOCK, and when the next pass will end the loop (exit/break requested, no events
 * left): it decides after the continuations of this pass have run. Leaves the time uncached.
 */
export function event_base_next_wait_(base: event_base, flags: number): number {
  let us: number;
  if (base.event_count_active !== 0 || flags & EVLOOP_NONBLOCK || base.event_gotterm || base.event_break ||
      (!(flags & EVLOOP_NO_EXIT_ON_EMPTY) && base.virtual_event_count === 0 && base.event_count === 0)) {
    us = 0;
  } else {
    us = timeout_next(base);
  }
  base.tv_cache = 0;
  return us;
}

/**
 * @internal The start of a loop, blocking or async (libevent's event_base_loop before its first
 * iteration). False, with libevent's warning, when the base's loop already runs.
 */
export function event_base_loop_enter_(base: event_base): boolean {
  if (base.running_loop) {
    event_warnx("event_base_loop: reentrant invocation.  Only one event_base_loop can run on each event_base at once.");
    return false;
  }
  base.running_loop = 1;
  base.tv_cache = 0;
  if (base.sig.ev_signal_added && base.sig.ev_n_signals_added) evsig_set_base_(base);
  base.event_gotterm = base.event_break = 0;
  return true;
}

/** @internal The end of a loop, blocking or async, however it ends (an exception included). */
export function event_base_loop_leave_(base: event_base): void {
  base.tv_cache = 0;
  base.running_loop = 0;
  base.current_event = null;
  base.event_running_priority = -1;
}

/**
 * `int event_base_loop(struct event_base *base, int flags)`: run the loop. Each iteration, as in
 * libevent: stop if exit/break was requested; compute how long to wait (until the earliest timer,
 * zero if callbacks are active or EVLOOP_NONBLOCK); return 1 if no events are left (unless
 * EVLOOP_NO_EXIT_ON_EMPTY); wait in the backend; cache the time; activate expired timers; run the
 * most urgent active queue. EVLOOP_ONCE returns after an iteration that ran callbacks and left
 * none active; EVLOOP_NONBLOCK after an iteration in which nothing was active.
 * Returns 0 (exit, break, ONCE/NONBLOCK done), 1 (no events left), or -1 (backend error, or the
 * loop of this base is already running, blocking or async: "reentrant invocation"). An exception
 * thrown by a callback leaves the loop consistent and propagates to the caller; the loop can be
 * run again. Blocks the JavaScript thread while waiting, as the C call blocks its thread; see
 * event_base_loop_async for a loop that runs inside Node's.
 * @param base the event base
 * @param flags 0, or `EVLOOP_ONCE`, `EVLOOP_NONBLOCK`, `EVLOOP_NO_EXIT_ON_EMPTY` ORed
 * @returns 0 (exit, break, ONCE/NONBLOCK done), 1 (no events left), or -1 (backend error, or the loop of this base is already running: "reentrant invocation")
 * @see {@link event_base_dispatch}, {@link event_base_loopexit}, {@link event_base_loopbreak}, {@link event_base_loopcontinue}
 * @category Event loop
 */
export function event_base_loop(base: event_base, flags: number): number {
  // The checks' own calls only when they may throw: EVLOOP_ONCE|EVLOOP_NONBLOCK loops run one
  // pass a call, and until V8 optimises them every call costs.
  if (!(base instanceof event_base) || base.freed) event_base_check_(base, "event_base_loop");
  if (typeof flags !== "number" || (flags | 0) !== flags) check_int_("event_base_loop", "flags", flags);
  if (!event_base_loop_enter_(base)) return -1;
  let retval: number;
  try {
    while ((retval = event_base_loop_pass_(base, flags, true)) === EVLOOP_CONTINUE_) {
      /* next iteration */
    }
  } finally {
    event_base_loop_leave_(base);
  }
  return retval;
}

/**
 * `int event_base_dispatch(struct event_base *base)`: event_base_loop(base, 0).
 * @param base the event base
 * @returns 0 when the loop was exited or broken, 1 when no events were left, -1 on error
 * @see {@link event_base_loop}, {@link event_base_loopexit}, {@link event_base_loopbreak}
 * @example A persistent timer that ticks three times, then stops the loop
 * ```ts
 * import {
 *   EV_PERSIST,
 *   event_add,
 *   event_base_dispatch,
 *   event_base_free,
 *   event_base_loopbreak,
 *   event_base_new,
 *   event_free,
 *   event_new,
 * } from "libevent-ts/event2/event";
 * import type { event_base } from "libevent-ts/event2/event";
 * import { timeval } from "libevent-ts/event2/util";
 *
 * let ticks = 0;
 * const base = event_base_new()!;
 * const tick = event_new(
 *   base,
 *   -1,
 *   EV_PERSIST,
 *   (fd, what, b: event_base) => {
 *     console.log(`tick ${++ticks}`);
 *     if (ticks === 3) event_base_loopbreak(b);
 *   },
 *   base,
 * )!;
 * event_add(tick, new timeval(0, 100_000)); // every 100 ms
 * // Runs the callbacks; returns 0 after the loopbreak.
 * event_base_dispatch(base);
 * event_free(tick);
 * event_base_free(base);
 * ```
 * @category Event loop
 */
export function event_base_dispatch(base: event_base): number {
  return event_base_loop(base, 0);
}

// ---------------------------------------------------------------------------------------------
// Inspection
// ---------------------------------------------------------------------------------------------

/**
 * `int event_base_get_num_events(struct event_base *base, unsigned int flags)`: the sum of the
 * counts asked for: EVENT_BASE_COUNT_ACTIVE (active callbacks, internal ones included),
 * EVENT_BASE_COUNT_VIRTUAL, EVENT_BASE_COUNT_ADDED (user events, counted once per queue they are
 * on: an fd event with a timeout counts 2, 3 when also active).
 * @param base the event base
 * @param flags `EVENT_BASE_COUNT_ACTIVE`, `EVENT_BASE_COUNT_VIRTUAL`, `EVENT_BASE_COUNT_ADDED` ORed
 * @returns the sum of the counts asked for
 * @see {@link event_base_get_max_events}
 * @category Event loop
 */
export function event_base_get_num_events(base: event_base, flags: number): number {
  event_base_check_(base, "event_base_get_num_events");
  check_int_("event_base_get_num_events", "flags", flags);
  let r = 0;
  if (flags & EVENT_BASE_COUNT_ACTIVE) r += base.event_count_active;
  if (flags & EVENT_BASE_COUNT_VIRTUAL) r += base.virtual_event_count;
  if (flags & EVENT_BASE_COUNT_ADDED) r += base.event_count;
  return r;
}

/**
 * `int event_base_get_max_events(struct event_base *base, unsigned int flags, int clear)`: the
 * highest values those counts reached, summed as above; `clear` nonzero resets the ones asked for.
 * @param base the event base
 * @param flags `EVENT_BASE_COUNT_ACTIVE`, `EVENT_BASE_COUNT_VIRTUAL`, `EVENT_BASE_COUNT_ADDED` ORed
 * @param clear nonzero to reset the maxima asked for
 * @returns the sum of the maxima asked for
 * @see {@link event_base_get_num_events}
 * @category Event loop
 */
export function event_base_get_max_events(base: event_base, flags: number, clear: number): number {
  event_base_check_(base, "event_base_get_max_events");
  check_int_("event_base_get_max_events", "flags", flags);
  check_int_("event_base_get_max_events", "clear", clear);
  let r = 0;
  if (flags & EVENT_BASE_COUNT_ACTIVE) {
    r += base.event_count_active_max;
    if (clear) base.event_count_active_max = 0;
  }
  if (flags & EVENT_BASE_COUNT_VIRTUAL) {
    r += base.virtual_event_count_max;
    if (clear) base.virtual_event_count_max = 0;
  }
  if (flags & EVENT_BASE_COUNT_ADDED) {
    r += base.event_count_max;
    if (clear) base.event_count_max = 0;
  }
  return r;
}

function event_base_foreach_event_nolock_(base: event_base, fn: (ev: event) => number): number {
  let r = evmap_foreach_event_(base, fn);
  if (r) return r;
  const heap = base.timeheap;
  for (let u = 0; u < heap.n; ++u) {
    const ev = heap.p[u]!;
    if (ev.evcb_flags & EVLIST_INSERTED) continue;
    if ((r = fn(ev))) return r;
  }
  for (const ctl of base.common_timeout_queues) {
    for (let ev = ctl.head; ev !== null; ev = ev.ev_timeout_next) {
      if (ev.evcb_flags & EVLIST_INSERTED) continue;
      if ((r = fn(ev))) return r;
    }
  }
  for (const q of base.activequeues) {
    for (let evcb = q.head; evcb !== null; evcb = evcb.evcb_active_next) {
      if ((evcb.evcb_flags & (EVLIST_INIT | EVLIST_INSERTED | EVLIST_TIMEOUT)) !== EVLIST_INIT) continue;
      if ((r = fn(evcb as event))) return r;
    }
  }
  return 0;
}

/**
 * `int event_base_foreach_event(struct event_base *base, event_base_foreach_event_cb fn, void
 * *arg)`: call `fn(base, ev, arg)` once for every added or active event (internal ones included),
 * stopping at the first nonzero result, which it returns. Returns 0 when all were visited, -1 for
 * a null base or fn. `fn` must not add, delete or activate events.
 * @param base the base (null: returns -1)
 * @param fn called as `fn(base, ev, arg)`; a nonzero result stops the walk
 * @param arg passed untouched to the callback as its last argument
 * @returns 0 when all were visited, the first nonzero result of `fn`, or -1 for a null base or fn
 * @see {@link event_base_dump_events}
 * @category Event loop
 */
export function event_base_foreach_event<A>(base: event_base | null, fn: event_base_foreach_event_cb<A> | null, arg: A): number {
  check_instance_("event_base_foreach_event", "base", base, event_base, true);
  check_fn_or_null_("event_base_foreach_event", "fn", fn);
  if (!fn || !base) return -1;
  event_base_check_(base, "event_base_foreach_event");
  return event_base_foreach_event_nolock_(base, (ev) => fn(base, ev, arg));
}

/**
 * `void event_base_dump_events(struct event_base *base, FILE *output)`: write every added and
 * every active event to `output` (anything with `write(text)`, such as `process.stdout`) in
 * libevent's format: "Inserted events:" then lines like `  0x1040 [fd  5] Read Persist
 * Timeout=1700000000.250000`, then "Active events:" and lines like
 * `  0x1040 [fd  5, priority=0] Read active`. Pointers are `0x` ids unique per object.
 * @param base the event base
 * @param output where the text goes: any object with `write(text)`, such as `process.stdout`
 * @see {@link event_base_foreach_event}
 * @category Event loop
 */
export function event_base_dump_events(base: event_base, output: event_output): void {
  event_base_check_(base, "event_base_dump_events");
  if (typeof (output as { write?: unknown } | null)?.write !== "function") {
    throw new TypeError(`event_base_dump_events: output is ${show(output)}, not an object with a write(text) method`);
  }
  output.write("Inserted events:\n");
  event_base_foreach_event_nolock_(base, (e) => {
    if (!(e.evcb_flags & (EVLIST_INSERTED | EVLIST_TIMEOUT))) return 0;
    const gloss = e.ev_events & EV_SIGNAL ? "sig" : "fd ";
    let line = `  ${evutil_pointer_id_(e)} [${gloss} ${e.ev_fd}]` +
      (e.ev_events & EV_READ ? " Read" : "") + (e.ev_events & EV_WRITE ? " Write" : "") +
      (e.ev_events & EV_CLOSED ? " EOF" : "") + (e.ev_events & EV_SIGNAL ? " Signal" : "") +
      (e.ev_events & EV_PERSIST ? " Persist" : "") + (e.ev_events & EV_ET ? " ET" : "") +
      (e.evcb_flags & EVLIST_INTERNAL ? " Internal" : "");
    if (e.evcb_flags & EVLIST_TIMEOUT) {
      const tv = new timeval();
      evutil_us_to_timeval_(e.ev_timeout + base.tv_clock_diff, tv);
      line += ` Timeout=${tv.tv_sec}.${String(tv.tv_usec).padStart(6, "0")}`;
    }
    output.write(`${line}\n`);
    return 0;
  });
  output.write("Active events:\n");
  event_base_foreach_event_nolock_(base, (e) => {
    if (!(e.evcb_flags & (EVLIST_ACTIVE | EVLIST_ACTIVE_LATER))) return 0;
    const gloss = e.ev_events & EV_SIGNAL ? "sig" : "fd ";
    output.write(`  ${evutil_pointer_id_(e)} [${gloss} ${e.ev_fd}, priority=${e.evcb_pri}]` +
      (e.ev_res & EV_READ ? " Read" : "") + (e.ev_res & EV_WRITE ? " Write" : "") +
      (e.ev_res & EV_CLOSED ? " EOF" : "") + (e.ev_res & EV_SIGNAL ? " Signal" : "") +
      (e.ev_res & EV_TIMEOUT ? " Timeout" : "") + " active" +
      (e.evcb_flags & EVLIST_INTERNAL ? " [Internal]" : "") +
      (e.evcb_flags & EVLIST_ACTIVE_LATER ? " [NextTime]" : "") + "\n");
    return 0;
  });
}

/**
 * `void event_base_active_by_fd(struct event_base *base, evutil_socket_t fd, short events)`:
 * activate the added events on `fd` that wait for any of `events` (EV_READ|EV_WRITE|EV_CLOSED),
 * as if the backend had reported them. With EV_TIMEOUT in `events`, instead activate (with
 * EV_TIMEOUT) every event on `fd` that has a pending timeout. Unknown fds are ignored.
 * @param base the event base
 * @param fd the file descriptor
 * @param events `EV_READ`, `EV_WRITE`, `EV_CLOSED` ORed
 * @see {@link event_base_active_by_signal}, {@link event_active}
 * @category Event loop
 */
export function event_base_active_by_fd(base: event_base, fd: evutil_socket_t, events: number): void {
  event_base_check_(base, "event_base_active_by_fd");
  checkFd(fd, "event_base_active_by_fd");
  check_mask_("event_base_active_by_fd", "events", events);
  if (!(events & EV_TIMEOUT)) {
    evmap_io_active_(base, fd, events & (EV_READ | EV_WRITE | EV_CLOSED));
    return;
  }
  const heap = base.timeheap;
  for (let u = 0; u < heap.n; ++u) {
    const ev = heap.p[u]!;
    if (ev.ev_fd === fd) event_active_nolock_(ev, EV_TIMEOUT, 1);
  }
  for (const ctl of base.common_timeout_queues) {
    for (let ev = ctl.head; ev !== null; ev = ev.ev_timeout_next) {
      if (ev.ev_fd === fd) event_active_nolock_(ev, EV_TIMEOUT, 1);
    }
  }
}

/**
 * `void event_base_active_by_signal(struct event_base *base, int sig)`: activate every added
 * event for signal `sig` once, as if it had been raised. Unknown signals are ignored.
 * @param base the event base
 * @param sig the signal number (`SIGINT`, ...)
 * @see {@link event_base_active_by_fd}
 * @category Event loop
 */
export function event_base_active_by_signal(base: event_base, sig: number): void {
  event_base_check_(base, "event_base_active_by_signal");
  check_int_("event_base_active_by_signal", "sig", sig);
  evmap_signal_active_(base, sig, 1);
}

// ---------------------------------------------------------------------------------------------
// Versions
// ---------------------------------------------------------------------------------------------

/**
 * `const char *event_get_version(void)`: the libevent version implemented, "2.1.12-stable".
 * @returns "2.1.12-stable"
 * @see {@link event_get_version_number}
 * @category Version
 */
export function event_get_version(): string {
  return LIBEVENT_VERSION;
}

/**
 * The version of libevent-ts itself (this package's version), as opposed to the libevent version
 * it implements, which `event_get_version()` returns. Not in libevent.
 * @category Version
 */
export const LIBEVENT_TS_VERSION: string = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

/**
 * `ev_uint32_t event_get_version_number(void)`: the libevent version implemented, 0x02010c00.
 * @returns 0x02010c00
 * @see {@link event_get_version}
 * @category Version
 */
export function event_get_version_number(): number {
  return LIBEVENT_VERSION_NUMBER;
}
