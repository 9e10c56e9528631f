/**
 * libevent 1.4's event API as libevent 2.1 keeps it (event_compat.h): the "current base" that
 * event_init() makes, the functions that run on it, event_set, and the `timeout_*` / `signal_*`
 * / `evtimer_set` / `evsignal_set` / `EVENT_FD` / `EVENT_SIGNAL` macros as functions. Everything
 * here is deprecated in libevent 2.1 and has an event.h replacement, named in each doc comment.
 * @module
 */
import { check_fd_, check_fn_, check_fn_or_null_, check_int_, check_mask_, check_timeval_, misuse_as_, show } from "../util/check.js";
import type { timeval } from "../util/time.js";
import type { evutil_socket_t } from "../util/types.js";
import { EV_CLOSED, EV_PERSIST, EV_READ, EV_SIGNAL, EV_TIMEOUT, EV_WRITE } from "./constants.js";
import type { event_callback_fn } from "./event.js";
import {
  event, event_add, event_assign, event_base, event_base_get_method, event_base_loop, event_base_loopbreak,
  event_base_loopexit, event_base_new_with_config, event_base_once, event_base_priority_init, event_del,
  event_get_fd, event_get_signal, event_global_current_base_, event_initialized, event_pending,
  event_set_current_base_,
} from "./event.js";
import { event_errx } from "./log.js";

/** The event_init() base, or a TypeError naming `fn` where C would dereference a NULL base. */
function currentBase(fn: string): event_base {
  const base = event_global_current_base_();
  if (base === null) throw new TypeError(`${fn}: there is no current base (call event_init() first)`);
  return base;
}

/**
 * `struct event_base *event_init(void)`: make a base with the default configuration and make it
 * the current base, the one a null base stands for and that the functions of this module use.
 *
 * As in C: every call makes a new base and replaces the current one (the previous base lives on
 * until it is freed); `event_base_free` of the current base leaves no current base.
 * @deprecated libevent 2.1: it replaces the "current" base and is unsafe for multithreaded use;
 *   use {@link "event2/event"!event_base_new}.
 * @returns the new base. Where C exits if no backend can be initialised, this port logs, runs
 *   the fatal callback, and throws an Error.
 */
export function event_init(): event_base {
  const base = event_base_new_with_config(null);
  if (base === null) event_errx(1, "event_init: Unable to construct event_base");
  event_set_current_base_(base);
  return base;
}

/**
 * `int event_dispatch(void)`: {@link "event2/event"!event_base_dispatch} on the current base.
 * @deprecated libevent 2.1: easily confused by several event_init() calls, and unsafe for
 *   multithreaded use; use {@link "event2/event"!event_base_dispatch}.
 * @returns as event_base_dispatch: 0, 1 (no events left) or -1. Without a current base (C
 *   dereferences NULL) a TypeError.
 */
export function event_dispatch(): number {
  return event_base_loop(currentBase("event_dispatch"), 0);
}

/**
 * `int event_loop(int flags)`: {@link event_base_loop} on the current base.
 * @deprecated libevent 2.1: it uses the base of the last event_init() and is unsafe for
 *   multithreaded use; use {@link event_base_loop}.
 * @param flags  EVLOOP_ONCE, EVLOOP_NONBLOCK, EVLOOP_NO_EXIT_ON_EMPTY, or 0
 * @returns as event_base_loop: 0, 1 (no events left) or -1. Without a current base (C
 *   dereferences NULL) a TypeError.
 */
export function event_loop(flags: number): number {
  const base = currentBase("event_loop");
  check_int_("event_loop", "flags", flags);
  return event_base_loop(base, flags);
}

/**
 * `int event_loopexit(const struct timeval *tv)`: {@link event_base_loopexit} on the current base.
 * @deprecated libevent 2.1: it uses the base of the last event_init() and is unsafe for
 *   multithreaded use; use {@link event_base_loopexit}.
 * @param tv  how long until the loop exits, or null for as soon as possible
 * @returns 0, or -1 (also when there is no current base: C's event_once on a NULL base)
 */
export function event_loopexit(tv: timeval | null): number {
  // The arguments are checked first: without a current base C would still have been given them.
  check_timeval_("event_loopexit", "tv", tv, true);
  try {
    const base = event_global_current_base_();
    return base === null ? -1 : event_base_loopexit(base, tv);
  } catch (e) {
    throw misuse_as_(e, "event_loopexit");
  }
}

/**
 * `int event_loopbreak(void)`: {@link event_base_loopbreak} on the current base.
 * @deprecated libevent 2.1: it uses the base of the last event_init() and is unsafe for
 *   multithreaded use; use {@link event_base_loopbreak}.
 * @returns 0, or -1 if there is no current base
 */
export function event_loopbreak(): number {
  return event_base_loopbreak(event_global_current_base_());
}

/**
 * `int event_once(evutil_socket_t fd, short events, event_callback_fn callback, void *arg, const
 * struct timeval *tv)`: {@link event_base_once} on the current base.
 * @deprecated libevent 2.1: it relies on the "current" base configured by event_init(); use
 *   {@link event_base_once}.
 * @param fd        the fd to wait for, or -1 for a pure timeout
 * @param events    EV_TIMEOUT, or EV_READ / EV_WRITE / EV_CLOSED
 * @param callback  called once, as `callback(fd, what, arg)`
 * @param arg       its argument
 * @param tv        the timeout, or null
 * @returns 0, or -1 (EV_SIGNAL, EV_PERSIST, no usable event bits, or no current base)
 */
export function event_once<A>(
  fd: evutil_socket_t, events: number, callback: event_callback_fn<A>, arg: A, tv: timeval | null,
): number {
  const fn = "event_once";
  check_fd_(fn, "fd", fd);
  check_mask_(fn, "events", events);
  check_fn_(fn, "callback", callback);
  check_timeval_(fn, "tv", tv, true);
  try {
    return event_base_once(event_global_current_base_(), fd, events, callback, arg, tv);
  } catch (e) {
    throw misuse_as_(e, "event_once");
  }
}

/**
 * `const char *event_get_method(void)`: the backend of the current base ("epoll", "poll", ...).
 * @deprecated libevent 2.1: it relies on the "current" base configured by event_init(); use
 *   {@link event_base_get_method}.
 * @returns the method's name. Without a current base (C dereferences NULL) a TypeError.
 */
export function event_get_method(): string {
  return event_base_get_method(currentBase("event_get_method"));
}

/**
 * `int event_priority_init(int npriorities)`: {@link event_base_priority_init} on the current base.
 * @deprecated libevent 2.1: easily confused by several event_init() calls, and unsafe for
 *   multithreaded use; use {@link event_base_priority_init}.
 * @param npriorities  the number of priorities, 1 to 255
 * @returns 0, or -1 if a callback is active or npriorities is out of range. Without a current
 *   base (C dereferences NULL) a TypeError.
 */
export function event_priority_init(npriorities: number): number {
  const base = currentBase("event_priority_init");
  try {
    return event_base_priority_init(base, npriorities);
  } catch (e) {
    throw misuse_as_(e, "event_priority_init");
  }
}

/**
 * `void event_set(struct event *ev, evutil_socket_t fd, short events, event_callback_fn callback,
 * void *arg)`: {@link event_assign} on the current base.
 *
 * Without a current base the event has none, as in C: {@link "event2/event"!event_base_set} gives it one, and
 * adding it before then fails with -1. That is how 1.4-style programs with several bases (memcached)
 * use it: event_set, then event_base_set, then event_add. Where C asserts (EV_SIGNAL with EV_READ,
 * EV_WRITE or EV_CLOSED), a TypeError, and the event is left as it was.
 * @deprecated libevent 2.1: it needs a later event_base_set() to be safe under most
 *   circumstances; use {@link event_assign} or {@link "event2/event"!event_new}.
 * @param ev        a caller-owned event (`new event()`), not pending
 * @param fd        the fd, the signal number (EV_SIGNAL), or -1
 * @param events    EV_READ, EV_WRITE, EV_CLOSED, EV_SIGNAL, EV_PERSIST, EV_ET, or 0 for a timer
 * @param callback  called as `callback(fd, what, arg)`
 * @param arg       its argument (`event_self_cbarg()`: the event itself)
 */
export function event_set<A>(
  ev: event<A>, fd: evutil_socket_t, events: number, callback: event_callback_fn<A> | null, arg: A,
): void {
  const fn = "event_set";
  if (!(ev instanceof event)) throw new TypeError(`${fn}: ev is ${show(ev)}, not an event`);
  check_int_(fn, "fd", fd);
  check_int_(fn, "events", events);
  check_fn_or_null_(fn, "callback", callback);
  if (events & EV_SIGNAL && events & (EV_READ | EV_WRITE | EV_CLOSED)) {
    throw new TypeError(`${fn}: EV_SIGNAL is not compatible with EV_READ, EV_WRITE or EV_CLOSED`);
  }
  try {
    event_assign(ev, null, fd, events, callback, arg);
  } catch (e) {
    throw misuse_as_(e, fn);
  }
}

/**
 * `#define evtimer_set(ev, cb, arg)`: event_set(ev, -1, 0, cb, arg), a timer on the current base.
 * @deprecated libevent 2.1 (event_set is); use {@link "event2/event"!evtimer_assign} or {@link "event2/event"!evtimer_new}.
 * @param ev   a caller-owned event, not pending
 * @param cb   called as `cb(-1, EV_TIMEOUT, arg)`
 * @param arg  its argument
 */
export function evtimer_set<A>(ev: event<A>, cb: event_callback_fn<A>, arg: A): void {
  try {
    event_set(ev, -1, 0, cb, arg);
  } catch (e) {
    throw misuse_as_(e, "evtimer_set");
  }
}

/**
 * `#define evsignal_set(ev, x, cb, arg)`: event_set(ev, x, EV_SIGNAL|EV_PERSIST, cb, arg), a
 * signal event on the current base.
 * @deprecated libevent 2.1 (event_set is); use {@link "event2/event"!evsignal_assign} or {@link "event2/event"!evsignal_new}.
 * @param ev   a caller-owned event, not pending
 * @param x    the signal number
 * @param cb   called as `cb(x, EV_SIGNAL, arg)`
 * @param arg  its argument
 */
export function evsignal_set<A>(ev: event<A>, x: number, cb: event_callback_fn<A>, arg: A): void {
  try {
    event_set(ev, x, EV_SIGNAL | EV_PERSIST, cb, arg);
  } catch (e) {
    throw misuse_as_(e, "evsignal_set");
  }
}

/**
 * `#define timeout_add(ev, tv)`: event_add(ev, tv).
 * @deprecated libevent 2.1 (inconsistent naming); use {@link "event2/event"!evtimer_add}.
 * @param ev  the timer
 * @param tv  the timeout, or null
 * @returns 0, or -1 (as event_add)
 */
export function timeout_add(ev: event, tv: timeval | null): number {
  try {
    return event_add(ev, tv);
  } catch (e) {
    throw misuse_as_(e, "timeout_add");
  }
}

/**
 * `#define timeout_set(ev, cb, arg)`: event_set(ev, -1, 0, cb, arg), a timer on the current base.
 * @deprecated libevent 2.1 (inconsistent naming); use {@link "event2/event"!evtimer_assign}.
 * @param ev   a caller-owned event, not pending
 * @param cb   called as `cb(-1, EV_TIMEOUT, arg)`
 * @param arg  its argument
 */
export function timeout_set<A>(ev: event<A>, cb: event_callback_fn<A>, arg: A): void {
  try {
    event_set(ev, -1, 0, cb, arg);
  } catch (e) {
    throw misuse_as_(e, "timeout_set");
  }
}

/**
 * `#define timeout_del(ev)`: event_del(ev).
 * @deprecated libevent 2.1 (inconsistent naming); use {@link "event2/event"!evtimer_del}.
 * @param ev  the timer
 * @returns 0, or -1 (as event_del)
 */
export function timeout_del(ev: event): number {
  try {
    return event_del(ev);
  } catch (e) {
    throw misuse_as_(e, "timeout_del");
  }
}

/**
 * `#define timeout_pending(ev, tv)`: event_pending(ev, EV_TIMEOUT, tv).
 * @deprecated libevent 2.1 (inconsistent naming); use {@link "event2/event"!evtimer_pending}.
 * @param ev  the timer
 * @param tv  receives the expiry (wall-clock time) if pending, or null
 * @returns EV_TIMEOUT if the timer is pending, else 0
 */
export function timeout_pending(ev: event, tv: timeval | null): number {
  try {
    return event_pending(ev, EV_TIMEOUT, tv);
  } catch (e) {
    throw misuse_as_(e, "timeout_pending");
  }
}

/**
 * `#define timeout_initialized(ev)`: event_initialized(ev).
 * @deprecated libevent 2.1 (inconsistent naming); use {@link "event2/event"!evtimer_initialized}.
 * @param ev  the event
 * @returns 1 if the event was assigned, else 0
 */
export function timeout_initialized(ev: event): number {
  try {
    return event_initialized(ev);
  } catch (e) {
    throw misuse_as_(e, "timeout_initialized");
  }
}

/**
 * `#define signal_add(ev, tv)`: event_add(ev, tv).
 * @deprecated libevent 2.1 (inconsistent naming); use {@link "event2/event"!evsignal_add}.
 * @param ev  the signal event
 * @param tv  a timeout, or null
 * @returns 0, or -1 (as event_add)
 */
export function signal_add(ev: event, tv: timeval | null): number {
  try {
    return event_add(ev, tv);
  } catch (e) {
    throw misuse_as_(e, "signal_add");
  }
}

/**
 * `#define signal_set(ev, x, cb, arg)`: event_set(ev, x, EV_SIGNAL|EV_PERSIST, cb, arg), a
 * signal event on the current base.
 * @deprecated libevent 2.1 (inconsistent naming); use {@link "event2/event"!evsignal_assign}.
 * @param ev   a caller-owned event, not pending
 * @param x    the signal number
 * @param cb   called as `cb(x, EV_SIGNAL, arg)`
 * @param arg  its argument
 */
export function signal_set<A>(ev: event<A>, x: number, cb: event_callback_fn<A>, arg: A): void {
  try {
    event_set(ev, x, EV_SIGNAL | EV_PERSIST, cb, arg);
  } catch (e) {
    throw misuse_as_(e, "signal_set");
  }
}

/**
 * `#define signal_del(ev)`: event_del(ev).
 * @deprecated libevent 2.1 (inconsistent naming); use {@link "event2/event"!evsignal_del}.
 * @param ev  the signal event
 * @returns 0, or -1 (as event_del)
 */
export function signal_del(ev: event): number {
  try {
    return event_del(ev);
  } catch (e) {
    throw misuse_as_(e, "signal_del");
  }
}

/**
 * `#define signal_pending(ev, tv)`: event_pending(ev, EV_SIGNAL, tv).
 * @deprecated libevent 2.1 (inconsistent naming); use {@link "event2/event"!evsignal_pending}.
 * @param ev  the signal event
 * @param tv  receives the timeout's expiry if it has one, or null
 * @returns EV_SIGNAL if the event is pending, else 0
 */
export function signal_pending(ev: event, tv: timeval | null): number {
  try {
    return event_pending(ev, EV_SIGNAL, tv);
  } catch (e) {
    throw misuse_as_(e, "signal_pending");
  }
}

/**
 * `#define signal_initialized(ev)`: event_initialized(ev).
 * @deprecated libevent 2.1 (inconsistent naming); use {@link "event2/event"!evsignal_initialized}.
 * @param ev  the event
 * @returns 1 if the event was assigned, else 0
 */
export function signal_initialized(ev: event): number {
  try {
    return event_initialized(ev);
  } catch (e) {
    throw misuse_as_(e, "signal_initialized");
  }
}

/**
 * `#define EVENT_FD(ev)`: (int)event_get_fd(ev).
 * @deprecated libevent 2.1 (obsolete); use {@link event_get_fd}.
 * @param ev  an assigned event
 * @returns its fd
 */
export function EVENT_FD(ev: event): evutil_socket_t {
  try {
    return event_get_fd(ev);
  } catch (e) {
    throw misuse_as_(e, "EVENT_FD");
  }
}

/**
 * `#define EVENT_SIGNAL(ev)`: event_get_signal(ev).
 * @deprecated libevent 2.1 (obsolete); use {@link event_get_signal}.
 * @param ev  an assigned signal event
 * @returns its signal number
 */
export function EVENT_SIGNAL(ev: event): number {
  try {
    return event_get_signal(ev);
  } catch (e) {
    throw misuse_as_(e, "EVENT_SIGNAL");
  }
}
