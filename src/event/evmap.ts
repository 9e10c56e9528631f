/**
 * The fd and signal maps (libevent's evmap.c): for every fd, the events waiting on it and how many
 * want reading, writing and closing; for every signal, its events. The backend is told only about
 * transitions (the first reader added, the last writer removed, ...). Lists keep the most recently
 * added event first, and activation walks them in that order, as libevent does.
 * @internal
 * @module
 */
import { native } from "../native/binding.js";
import { EV_CLOSED, EV_ET, EV_READ, EV_SIGNAL, EV_WRITE } from "./constants.js";
import { event_debug_mode_on_ } from "./debug.js";
import type { event, event_base } from "./event.js";
import { event_active_nolock_, event_del_nolock_ } from "./event.js";
import { event_warnx } from "./log.js";
import { evsig_add, evsig_del } from "./signal.js";

/** @internal The events of one fd. */
export class evmap_io {
  /** Head of the list of events on this fd (linked through ev_next/ev_prev). */
  events: event | null = null;
  nread = 0;
  nwrite = 0;
  nclose = 0;
}

/** @internal The events of one signal. */
export class evmap_signal {
  events: event | null = null;
}

/**
 * The largest fd the map accepts: libevent's map is an array that cannot grow to INT_MAX, so
 * event_add of such an fd fails; this bound keeps the array dense.
 */
const EVMAP_MAX_FD = 1 << 24;

function listInsertHead(head: event | null, ev: event): event {
  ev.ev_prev = null;
  ev.ev_next = head;
  if (head !== null) head.ev_prev = ev;
  return ev;
}

function listRemove(head: event | null, ev: event): event | null {
  const next = ev.ev_next;
  const prev = ev.ev_prev;
  if (next !== null) next.ev_prev = prev;
  if (prev !== null) prev.ev_next = next;
  else head = next;
  ev.ev_next = ev.ev_prev = null;
  return head;
}

/** What the backend watches on an fd: the kinds with at least one event. */
function io_mask(ctx: evmap_io): number {
  return (ctx.nread ? EV_READ : 0) | (ctx.nwrite ? EV_WRITE : 0) | (ctx.nclose ? EV_CLOSED : 0);
}

/** @internal -1 on error, 0 if the backend was not touched, 1 if it was. */
export function evmap_io_add_(base: event_base, fd: number, ev: event): number {
  if (fd < 0) return 0;
  if (fd >= EVMAP_MAX_FD) {
    event_warnx(`evmap_io_add_: fd ${fd} is beyond what the fd map can hold`);
    return -1;
  }
  const io = base.io;
  while (io.length <= fd) io.push(undefined);
  let ctx = io[fd];
  if (ctx === undefined) ctx = io[fd] = new evmap_io();

  let nread = ctx.nread;
  let nwrite = ctx.nwrite;
  let nclose = ctx.nclose;
  const old = io_mask(ctx);
  let res = 0;
  const events = ev.ev_events;
  if (events & EV_READ && ++nread === 1) res |= EV_READ;
  if (events & EV_WRITE && ++nwrite === 1) res |= EV_WRITE;
  if (events & EV_CLOSED && ++nclose === 1) res |= EV_CLOSED;
  if (nread > 0xffff || nwrite > 0xffff || nclose > 0xffff) {
    event_warnx(`Too many events reading or writing on fd ${fd}`);
    return -1;
  }
  if (event_debug_mode_on_ && ctx.events !== null && (ctx.events.ev_events & EV_ET) !== (events & EV_ET)) {
    event_warnx(`Tried to mix edge-triggered and non-edge-triggered events on fd ${fd}`);
    return -1;
  }
  let retval = 0;
  if (res) {
    if (base.evsel.add(fd, old, (events & EV_ET) | res) === -1) return -1;
    retval = 1;
  }
  ctx.nread = nread;
  ctx.nwrite = nwrite;
  ctx.nclose = nclose;
  ctx.events = listInsertHead(ctx.events, ev);
  return retval;
}

/** @internal -1 on error, 0 if the backend was not touched, 1 if it was. */
export function evmap_io_del_(base: event_base, fd: number, ev: event): number {
  if (fd < 0) return 0;
  const ctx = base.io[fd];
  if (ctx === undefined) return -1;

  const old = io_mask(ctx);
  let res = 0;
  const events = ev.ev_events;
  if (events & EV_READ && --ctx.nread === 0) res |= EV_READ;
  if (events & EV_WRITE && --ctx.nwrite === 0) res |= EV_WRITE;
  if (events & EV_CLOSED && --ctx.nclose === 0) res |= EV_CLOSED;

  let retval = 0;
  if (res) retval = base.evsel.del(fd, old, (events & EV_ET) | res) === -1 ? -1 : 1;
  ctx.events = listRemove(ctx.events, ev);
  return retval;
}

/** @internal Activate the events on `fd` that wait for any of `events` (backend results carry EV_ET). */
export function evmap_io_active_(base: event_base, fd: number, events: number): void {
  const ctx = fd >= 0 ? base.io[fd] : undefined;
  if (ctx === undefined) return;
  const want = events & ~EV_ET;
  for (let ev = ctx.events; ev !== null; ev = ev.ev_next) {
    if (ev.ev_events & want) event_active_nolock_(ev, ev.ev_events & events, 1);
  }
}

/**
 * @internal evmap_io_active_ for the `n` (fd, what) pairs a backend's wait wrote into `list`: one
 * call per wait rather than one per ready fd.
 */
export function evmap_io_active_list_(base: event_base, list: Int32Array, n: number): void {
  const io = base.io;
  for (let i = 0; i < 2 * n; i += 2) {
    const fd = list[i]!;
    const ctx = fd >= 0 ? io[fd] : undefined;
    if (ctx === undefined) continue;
    const events = list[i + 1]!;
    const want = events & ~EV_ET;
    for (let ev = ctx.events; ev !== null; ev = ev.ev_next) {
      if (ev.ev_events & want) event_active_nolock_(ev, ev.ev_events & events, 1);
    }
  }
}

/** @internal -1 on error (bad signal number, handler not installed), else 1. */
export function evmap_signal_add_(base: event_base, sig: number, ev: event): number {
  if (sig < 0 || sig >= native.constants.NSIG) return -1;
  const map = base.sigmap;
  while (map.length <= sig) map.push(undefined);
  let ctx = map[sig];
  if (ctx === undefined) ctx = map[sig] = new evmap_signal();
  if (ctx.events === null && evsig_add(base, sig) === -1) return -1;
  ctx.events = listInsertHead(ctx.events, ev);
  return 1;
}

/** @internal -1 on error, else 1. */
export function evmap_signal_del_(base: event_base, sig: number, ev: event): number {
  const ctx = sig >= 0 ? base.sigmap[sig] : undefined;
  if (ctx === undefined) return -1;
  ctx.events = listRemove(ctx.events, ev);
  if (ctx.events === null && evsig_del(base, sig) === -1) return -1;
  return 1;
}

/** @internal Activate every event of `sig`, `ncalls` times each. */
export function evmap_signal_active_(base: event_base, sig: number, ncalls: number): void {
  const ctx = sig >= 0 ? base.sigmap[sig] : undefined;
  if (ctx === undefined) return;
  for (let ev = ctx.events; ev !== null; ev = ev.ev_next) event_active_nolock_(ev, EV_SIGNAL, ncalls);
}

/** @internal Call `fn` on every inserted I/O and signal event until it returns nonzero. */
export function evmap_foreach_event_(base: event_base, fn: (ev: event) => number): number {
  for (const ctx of base.io) {
    if (ctx === undefined) continue;
    for (let ev = ctx.events; ev !== null; ev = ev.ev_next) {
      const r = fn(ev);
      if (r) return r;
    }
  }
  for (const ctx of base.sigmap) {
    if (ctx === undefined) continue;
    for (let ev = ctx.events; ev !== null; ev = ev.ev_next) {
      const r = fn(ev);
      if (r) return r;
    }
  }
  return 0;
}

/** @internal Delete every event in both maps (event_base_free). */
export function evmap_delete_all_(base: event_base): void {
  for (const ctx of base.io) {
    if (ctx !== undefined) while (ctx.events !== null) event_del_nolock_(ctx.events, false);
  }
  for (const ctx of base.sigmap) {
    if (ctx !== undefined) while (ctx.events !== null) event_del_nolock_(ctx.events, false);
  }
}

/**
 * @internal Tell a new backend about every fd again (event_reinit). -1 if any add failed. Signal
 * handlers are process-wide and stay installed; the signal socket is rebuilt by evsig_reinit_.
 */
export function evmap_reinit_(base: event_base): number {
  let result = 0;
  base.io.forEach((ctx, fd) => {
    if (ctx === undefined) return;
    let events = io_mask(ctx);
    if (events && ctx.events !== null && ctx.events.ev_events & EV_ET) events |= EV_ET;
    if (events && base.evsel.add(fd, 0, events) === -1) result = -1;
  });
  return result;
}
