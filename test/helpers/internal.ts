/**
 * The core's internals that libevent's tests reach (event_active_later_, event_base_add_virtual_,
 * the finalizer and deferred-callback plumbing, struct fields), typed with the public types. Tests
 * import the public API as users do; in a type check that resolves to the built declarations,
 * while internals come from the sources, so this module is the one place where the two meet.
 */
import type { event, event_base, event_callback } from "libevent-ts/event2/event";
import * as core from "../../src/event/event.js";

/** The source-level view of a base: its internal fields (timeheap, io, activequeues ...). */
export type event_base_internal = core.event_base;

/** The internal fields of `base`. */
export function internals(base: event_base): event_base_internal {
  return base as unknown as event_base_internal;
}

/** libevent's event_active_later_(ev, res). */
export const event_active_later_ = core.event_active_later_ as unknown as (ev: event, res: number) => void;

/** libevent's event_base_add_virtual_(base). */
export const event_base_add_virtual_ = core.event_base_add_virtual_ as unknown as (base: event_base) => void;

/** libevent's event_deferred_cb_init_(cb, priority, fn, arg). */
export const event_deferred_cb_init_ = core.event_deferred_cb_init_ as unknown as <A>(
  cb: event_callback, priority: number, fn: (cb: event_callback, arg: A) => void, arg: A) => void;

/** libevent's event_callback_activate_(base, evcb) (the port's _nolock_ form). */
export const event_callback_activate_ = core.event_callback_activate_nolock_ as unknown as (
  base: event_base, evcb: event_callback) => number;

/** libevent's event_callback_finalize_(base, flags, evcb, cb) (the port's _nolock_ form, flags unused). */
export function event_callback_finalize_<A>(
  base: event_base, _flags: number, evcb: event_callback, cb: (evcb: event_callback, arg: A) => void,
): void {
  core.event_callback_finalize_nolock_(base as unknown as core.event_base, evcb as unknown as core.event_callback, cb);
}
