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

/** `#define evtimer_assign(ev, b, cb, arg)`: event_assign(ev, b, -1, 0, cb, arg). */
export function evtimer_assign<A>(ev: event<A>, b: event_base | null, cb: event_callback_fn<A>, arg: A): number {
  return event_assign(ev, b, -1, 0, cb, arg);
}
/** `#define evtimer_new(b, cb, arg)`: event_new(b, -1, 0, cb, arg). */
export function evtimer_new<A>(b: event_base | null, cb: event_callback_fn<A>, arg: A): event<A> | null {
  return event_new(b, -1, 0, cb, arg);
}
/** `#define evtimer_add(ev, tv)`: event_add(ev, tv). */
export function evtimer_add(ev: event, tv: timeval | null): number {
  return event_add(ev, tv);
}
/** `#define evtimer_del(ev)`: event_del(ev). */
export function evtimer_del(ev: event): number {
  return event_del(ev);
}
/** `#define evtimer_pending(ev, tv)`: event_pending(ev, EV_TIMEOUT, tv). */
export function evtimer_pending(ev: event, tv: timeval | null): number {
  return event_pending(ev, EV_TIMEOUT, tv);
}
/** `#define evtimer_initialized(ev)`: event_initialized(ev). */
export function evtimer_initialized(ev: event): number {
  return event_initialized(ev);
}

/** `#define evsignal_assign(ev, b, x, cb, arg)`: event_assign(ev, b, x, EV_SIGNAL|EV_PERSIST, cb, arg). */
export function evsignal_assign<A>(ev: event<A>, b: event_base | null, x: number, cb: event_callback_fn<A>, arg: A): number {
  return event_assign(ev, b, x, EV_SIGNAL | EV_PERSIST, cb, arg);
}
/** `#define evsignal_new(b, x, cb, arg)`: event_new(b, x, EV_SIGNAL|EV_PERSIST, cb, arg). */
export function evsignal_new<A>(b: event_base | null, x: number, cb: event_callback_fn<A>, arg: A): event<A> | null {
  return event_new(b, x, EV_SIGNAL | EV_PERSIST, cb, arg);
}
/** `#define evsignal_add(ev, tv)`: event_add(ev, tv). */
export function evsignal_add(ev: event, tv: timeval | null): number {
  return event_add(ev, tv);
}
/** `#define evsignal_del(ev)`: event_del(ev). */
export function evsignal_del(ev: event): number {
  return event_del(ev);
}
/** `#define evsignal_pending(ev, tv)`: event_pending(ev, EV_SIGNAL, tv). */
export function evsignal_pending(ev: event, tv: timeval | null): number {
  return event_pending(ev, EV_SIGNAL, tv);
}
/** `#define evsignal_initialized(ev)`: event_initialized(ev). */
export function evsignal_initialized(ev: event): number {
  return event_initialized(ev);
}

/** `#define evuser_new(b, cb, arg)`: event_new(b, -1, 0, cb, arg), an event fired by evuser_trigger. */
export function evuser_new<A>(b: event_base | null, cb: event_callback_fn<A>, arg: A): event<A> | null {
  return event_new(b, -1, 0, cb, arg);
}
/** `#define evuser_del(ev)`: event_del(ev). */
export function evuser_del(ev: event): number {
  return event_del(ev);
}
/** `#define evuser_pending(ev, tv)`: event_pending(ev, 0, tv) (always 0, as in C). */
export function evuser_pending(ev: event, tv: timeval | null): number {
  return event_pending(ev, 0, tv);
}
/** `#define evuser_initialized(ev)`: event_initialized(ev). */
export function evuser_initialized(ev: event): number {
  return event_initialized(ev);
}
/** `#define evuser_trigger(ev)`: event_active(ev, 0, 0). */
export function evuser_trigger(ev: event): void {
  event_active(ev, 0, 0);
}

