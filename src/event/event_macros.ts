/**
 * The function-like macros of `<event2/event.h>`: `evtimer_*` (events with fd -1 and no I/O),
 * `evsignal_*` (EV_SIGNAL|EV_PERSIST events on a signal number) and `evuser_*` (events activated
 * only by hand).
 * @module
 */
import type { timeval } from "../util/time.js";
import { EV_PERSIST, EV_SIGNAL, EV_TIMEOUT } from "./constants.js";
import type { event_base, event_callback_fn } from "./event.js";
import { event, event_active, event_add, event_assign, event_del, event_initialized, event_new, event_pending } from "./event.js";

/**
 * `#define evtimer_assign(ev, b, cb, arg)`: event_assign(ev, b, -1, 0, cb, arg).
 * @param ev a caller-owned event, `new event()`
 * @param b the base
 * @param cb called as `cb(-1, EV_TIMEOUT, arg)` on the timeout
 * @param arg passed untouched to the callback as its last argument
 * @returns 0, or -1
 * @see {@link event_assign}
 * @category Timers, signals and user events
 */
export function evtimer_assign<A>(ev: event<A>, b: event_base | null, cb: event_callback_fn<A>, arg: A): number {
  return event_assign(ev, b, -1, 0, cb, arg);
}
/**
 * `#define evtimer_new(b, cb, arg)`: event_new(b, -1, 0, cb, arg).
 * @param b the base
 * @param cb called as `cb(-1, EV_TIMEOUT, arg)` on the timeout
 * @param arg passed untouched to the callback as its last argument
 * @returns the new event, or null
 * @see {@link event_new}, {@link evtimer_add}
 * @category Timers, signals and user events
 */
export function evtimer_new<A>(b: event_base | null, cb: event_callback_fn<A>, arg: A): event<A> | null {
  return event_new(b, -1, 0, cb, arg);
}
/**
 * `#define evtimer_add(ev, tv)`: event_add(ev, tv).
 * @param ev the event
 * @param tv the timeout, relative to now
 * @returns 0, or -1
 * @see {@link event_add}
 * @category Timers, signals and user events
 */
export function evtimer_add(ev: event, tv: timeval | null): number {
  return event_add(ev, tv);
}
/**
 * `#define evtimer_del(ev)`: event_del(ev).
 * @param ev the event
 * @returns 0, or -1
 * @see {@link event_del}
 * @category Timers, signals and user events
 */
export function evtimer_del(ev: event): number {
  return event_del(ev);
}
/**
 * `#define evtimer_pending(ev, tv)`: event_pending(ev, EV_TIMEOUT, tv).
 * @param ev the event
 * @param tv receives the expiry if pending, or null
 * @returns EV_TIMEOUT if the timer is pending, else 0
 * @see {@link event_pending}
 * @category Timers, signals and user events
 */
export function evtimer_pending(ev: event, tv: timeval | null): number {
  return event_pending(ev, EV_TIMEOUT, tv);
}
/**
 * `#define evtimer_initialized(ev)`: event_initialized(ev).
 * @param ev the event
 * @returns 1 if the event has been assigned, else 0
 * @category Timers, signals and user events
 */
export function evtimer_initialized(ev: event): number {
  return event_initialized(ev);
}

/**
 * `#define evsignal_assign(ev, b, x, cb, arg)`: event_assign(ev, b, x, EV_SIGNAL|EV_PERSIST, cb, arg).
 * @param ev a caller-owned event, `new event()`
 * @param b the base
 * @param x the signal number (`SIGINT`, `SIGHUP`, ...)
 * @param cb called as `cb(x, EV_SIGNAL, arg)` each time the signal arrives
 * @param arg passed untouched to the callback as its last argument
 * @returns 0, or -1
 * @see {@link event_assign}
 * @category Timers, signals and user events
 */
export function evsignal_assign<A>(ev: event<A>, b: event_base | null, x: number, cb: event_callback_fn<A>, arg: A): number {
  return event_assign(ev, b, x, EV_SIGNAL | EV_PERSIST, cb, arg);
}
/**
 * `#define evsignal_new(b, x, cb, arg)`: event_new(b, x, EV_SIGNAL|EV_PERSIST, cb, arg).
 * @param b the base
 * @param x the signal number (`SIGINT`, `SIGHUP`, ...)
 * @param cb called as `cb(x, EV_SIGNAL, arg)` each time the signal arrives
 * @param arg passed untouched to the callback as its last argument
 * @returns the new event, or null
 * @see {@link event_new}, {@link evsignal_add}
 * @category Timers, signals and user events
 */
export function evsignal_new<A>(b: event_base | null, x: number, cb: event_callback_fn<A>, arg: A): event<A> | null {
  return event_new(b, x, EV_SIGNAL | EV_PERSIST, cb, arg);
}
/**
 * `#define evsignal_add(ev, tv)`: event_add(ev, tv).
 * @param ev the event
 * @param tv a timeout, or null
 * @returns 0, or -1
 * @see {@link event_add}
 * @category Timers, signals and user events
 */
export function evsignal_add(ev: event, tv: timeval | null): number {
  return event_add(ev, tv);
}
/**
 * `#define evsignal_del(ev)`: event_del(ev).
 * @param ev the event
 * @returns 0, or -1
 * @see {@link event_del}
 * @category Timers, signals and user events
 */
export function evsignal_del(ev: event): number {
  return event_del(ev);
}
/**
 * `#define evsignal_pending(ev, tv)`: event_pending(ev, EV_SIGNAL, tv).
 * @param ev the event
 * @param tv receives the timeout's expiry, or null
 * @returns the EV_SIGNAL (and EV_TIMEOUT) bits the event is pending for, 0 for none
 * @see {@link event_pending}
 * @category Timers, signals and user events
 */
export function evsignal_pending(ev: event, tv: timeval | null): number {
  return event_pending(ev, EV_SIGNAL, tv);
}
/**
 * `#define evsignal_initialized(ev)`: event_initialized(ev).
 * @param ev the event
 * @returns 1 if the event has been assigned, else 0
 * @category Timers, signals and user events
 */
export function evsignal_initialized(ev: event): number {
  return event_initialized(ev);
}

/**
 * `#define evuser_new(b, cb, arg)`: event_new(b, -1, 0, cb, arg), an event fired by evuser_trigger.
 * @param b the base
 * @param cb called as `cb(-1, 0, arg)` after {@link evuser_trigger}
 * @param arg passed untouched to the callback as its last argument
 * @returns the new event, or null
 * @see {@link evuser_trigger}
 * @category Timers, signals and user events
 */
export function evuser_new<A>(b: event_base | null, cb: event_callback_fn<A>, arg: A): event<A> | null {
  return event_new(b, -1, 0, cb, arg);
}
/**
 * `#define evuser_del(ev)`: event_del(ev).
 * @param ev the event
 * @returns 0, or -1
 * @category Timers, signals and user events
 */
export function evuser_del(ev: event): number {
  return event_del(ev);
}
/**
 * `#define evuser_pending(ev, tv)`: event_pending(ev, 0, tv) (always 0, as in C).
 * @param ev the event
 * @param tv unused (the call always returns 0), or null
 * @returns 0
 * @category Timers, signals and user events
 */
export function evuser_pending(ev: event, tv: timeval | null): number {
  return event_pending(ev, 0, tv);
}
/**
 * `#define evuser_initialized(ev)`: event_initialized(ev).
 * @param ev the event
 * @returns 1 if the event has been assigned, else 0
 * @category Timers, signals and user events
 */
export function evuser_initialized(ev: event): number {
  return event_initialized(ev);
}
/**
 * `#define evuser_trigger(ev)`: event_active(ev, 0, 0).
 * @param ev the user event
 * @see {@link evuser_new}, {@link event_active}
 * @category Timers, signals and user events
 */
export function evuser_trigger(ev: event): void {
  event_active(ev, 0, 0);
}

