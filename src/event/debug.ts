/**
 * Debug mode (libevent's event_debug_* in event.c): once `event_enable_debug_mode()` is called,
 * every event that is set up is tracked, and misuse that C would leave undefined (adding an event
 * that was never assigned, assigning an event that is added) throws a TypeError naming the call.
 * @module
 */
import { native } from "../native/binding.js";
import type { event } from "./event.js";

/** @internal Is debug mode on? Read on every event_add; a plain boolean keeps that cheap. */
export let event_debug_mode_on_ = false;
let tooLate = false;
// event -> added?
let debugMap = new WeakMap<object, boolean>();

/**
 * `void event_enable_debug_mode(void)`: track every event so that misuse is caught: adding,
 * deleting or inspecting an event that was never assigned (or was unassigned), re-assigning an
 * added event, assigning an I/O event to an fd that is not nonblocking, mixing edge- and
 * level-triggered events on one fd (`event_add` then returns -1).
 * Must be called before any event or event_base is created, and only once: otherwise it throws a
 * TypeError (C calls the fatal handler and exits).
 * @category Logging and debugging
 */
export function event_enable_debug_mode(): void {
  if (event_debug_mode_on_) throw new TypeError("event_enable_debug_mode was called twice!");
  if (tooLate) {
    throw new TypeError("event_enable_debug_mode must be called *before* creating any events or event_bases");
  }
  event_debug_mode_on_ = true;
  debugMap = new WeakMap();
}

/** @internal Turn debug mode off and forget the tracked events (libevent_global_shutdown). */
export function event_disable_debug_mode(): void {
  event_debug_mode_on_ = false;
  debugMap = new WeakMap();
}

/** @internal Note that creating bases and events has begun. */
export function event_debug_mode_too_late_(): void {
  tooLate = true;
}

function describe(ev: event): string {
  return `(events: 0x${ev.ev_events.toString(16)}, fd: ${ev.ev_fd}, flags: 0x${ev.evcb_flags.toString(16)})`;
}

/** @internal */
export function event_debug_note_setup_(ev: event): void {
  if (event_debug_mode_on_) debugMap.set(ev, false);
  tooLate = true;
}

/** @internal */
export function event_debug_note_teardown_(ev: event): void {
  if (event_debug_mode_on_) debugMap.delete(ev);
  tooLate = true;
}

/** @internal */
export function event_debug_note_add_(ev: event, fn: string): void {
  if (event_debug_mode_on_) {
    if (!debugMap.has(ev)) throw new TypeError(`${fn}: noting an add on a non-setup event ${describe(ev)}`);
    debugMap.set(ev, true);
  }
  tooLate = true;
}

/** @internal */
export function event_debug_note_del_(ev: event, fn: string): void {
  if (event_debug_mode_on_) {
    if (!debugMap.has(ev)) throw new TypeError(`${fn}: noting a del on a non-setup event ${describe(ev)}`);
    debugMap.set(ev, false);
  }
  tooLate = true;
}

/** @internal */
export function event_debug_assert_is_setup_(ev: event, fn: string): void {
  if (event_debug_mode_on_ && !debugMap.has(ev)) {
    throw new TypeError(`${fn} called on a non-initialized event ${describe(ev)}`);
  }
}

/** @internal */
export function event_debug_assert_not_added_(ev: event, fn: string): void {
  if (event_debug_mode_on_ && debugMap.get(ev) === true) {
    throw new TypeError(`${fn} called on an already added event ${describe(ev)}`);
  }
}

/** @internal Debug mode: an I/O event's fd must be nonblocking (an fd that is not open passes, as in C). */
export function event_debug_assert_socket_nonblocking_(fd: number, fn: string): void {
  if (!event_debug_mode_on_ || fd < 0) return;
  if (native.isNonblock(fd) === 0) throw new TypeError(`${fn}: fd ${fd} is not nonblocking (debug mode)`);
}
