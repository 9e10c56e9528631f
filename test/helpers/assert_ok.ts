/**
 * libevent's event_base_assert_ok_ (event.c) and evmap_check_integrity_ (evmap.c), checked through
 * the core's internal fields: the per-fd and per-signal lists match their counts and hold only
 * inserted events of that fd/signal; the timer heap has the heap property and correct indexes;
 * every common-timeout list is sorted and holds only its own events; every active queue holds only
 * ACTIVE callbacks of its priority, the active-later queue only ACTIVE_LATER ones, and their total
 * is event_count_active. Throws an Error naming the broken invariant.
 */
import type { event_base as public_event_base } from "libevent-ts/event2/event";
import type { event, event_base, event_callback } from "../../src/event/event.js";
import {
  EV_CLOSED, EV_READ, EV_SIGNAL, EV_WRITE, EVLIST_ACTIVE, EVLIST_ACTIVE_LATER, EVLIST_INSERTED, EVLIST_INTERNAL,
  EVLIST_TIMEOUT,
} from "../../src/event/constants.js";

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`event_base_assert_ok_: ${what}`);
}

/** Walk a doubly linked list, checking each back link; returns its members. */
function walk<T>(head: T | null, next: (e: T) => T | null, prev: (e: T) => T | null, what: string): T[] {
  const out: T[] = [];
  let last: T | null = null;
  for (let e = head; e !== null; e = next(e)) {
    check(prev(e) === last, `${what}: broken back link`);
    check(out.length < 1e7, `${what}: cycle`);
    out.push(e);
    last = e;
  }
  return out;
}

function evmap_check_integrity_(base: event_base): void {
  base.io.forEach((ctx, fd) => {
    if (ctx === undefined) return;
    let nread = 0;
    let nwrite = 0;
    let nclose = 0;
    for (const ev of walk<event>(ctx.events, (e) => e.ev_next, (e) => e.ev_prev, `io list of fd ${fd}`)) {
      check((ev.evcb_flags & EVLIST_INSERTED) !== 0, `fd ${fd}: event in io map not inserted`);
      check(ev.ev_fd === fd, `fd ${fd}: event of fd ${ev.ev_fd} in its list`);
      check((ev.ev_events & (EV_READ | EV_WRITE | EV_CLOSED)) !== 0, `fd ${fd}: event without I/O flags`);
      if (ev.ev_events & EV_READ) ++nread;
      if (ev.ev_events & EV_WRITE) ++nwrite;
      if (ev.ev_events & EV_CLOSED) ++nclose;
    }
    check(nread === ctx.nread, `fd ${fd}: nread ${ctx.nread}, ${nread} readers listed`);
    check(nwrite === ctx.nwrite, `fd ${fd}: nwrite ${ctx.nwrite}, ${nwrite} writers listed`);
    check(nclose === ctx.nclose, `fd ${fd}: nclose ${ctx.nclose}, ${nclose} closers listed`);
  });
  base.sigmap.forEach((ctx, sig) => {
    if (ctx === undefined) return;
    for (const ev of walk<event>(ctx.events, (e) => e.ev_next, (e) => e.ev_prev, `list of signal ${sig}`)) {
      check((ev.evcb_flags & EVLIST_INSERTED) !== 0, `signal ${sig}: event not inserted`);
      check(ev.ev_fd === sig, `signal ${sig}: event of signal ${ev.ev_fd} in its list`);
      check((ev.ev_events & EV_SIGNAL) !== 0, `signal ${sig}: event without EV_SIGNAL`);
    }
  });
}

/** Check the core's invariants on `base`; throws on the first one broken. */
export function event_base_assert_ok_(publicBase: public_event_base): void {
  const base = publicBase as unknown as event_base;
  evmap_check_integrity_(base);

  const heap = base.timeheap;
  for (let i = 0; i < heap.n; ++i) {
    const ev = heap.p[i]!;
    check((ev.evcb_flags & EVLIST_TIMEOUT) !== 0, `heap[${i}] lacks EVLIST_TIMEOUT`);
    check(ev.min_heap_idx === i, `heap[${i}] has min_heap_idx ${ev.min_heap_idx}`);
    check(ev.ev_timeout_ctl === -1, `heap[${i}] belongs to common-timeout list ${ev.ev_timeout_ctl}`);
    if (i > 0) check(heap.p[(i - 1) >> 1]!.ev_timeout <= ev.ev_timeout, `heap property broken at ${i}`);
  }

  base.common_timeout_queues.forEach((ctl, i) => {
    let last: event | null = null;
    for (const ev of walk<event>(ctl.head, (e) => e.ev_timeout_next, (e) => e.ev_timeout_prev, `common timeout list ${i}`)) {
      if (last !== null) check(last.ev_timeout <= ev.ev_timeout, `common timeout list ${i} not sorted`);
      check((ev.evcb_flags & EVLIST_TIMEOUT) !== 0, `common timeout list ${i}: event lacks EVLIST_TIMEOUT`);
      check(ev.ev_timeout_ctl === i, `common timeout list ${i}: event of list ${ev.ev_timeout_ctl}`);
      check(ev.min_heap_idx === -1, `common timeout list ${i}: event also in the heap`);
      last = ev;
    }
    check(ctl.tail === last, `common timeout list ${i}: wrong tail`);
  });

  let count = 0;
  for (let i = 0; i < base.nactivequeues; ++i) {
    const q = base.activequeues[i]!;
    let last: event_callback | null = null;
    for (const evcb of walk<event_callback>(q.head, (e) => e.evcb_active_next, (e) => e.evcb_active_prev, `active queue ${i}`)) {
      check((evcb.evcb_flags & (EVLIST_ACTIVE | EVLIST_ACTIVE_LATER)) === EVLIST_ACTIVE, `active queue ${i}: flags 0x${evcb.evcb_flags.toString(16)}`);
      check(evcb.evcb_pri === i, `active queue ${i}: callback of priority ${evcb.evcb_pri}`);
      ++count;
      last = evcb;
    }
    check(q.tail === last, `active queue ${i}: wrong tail`);
  }
  const later = base.active_later_queue;
  for (const evcb of walk<event_callback>(later.head, (e) => e.evcb_active_next, (e) => e.evcb_active_prev, "active-later queue")) {
    check((evcb.evcb_flags & (EVLIST_ACTIVE | EVLIST_ACTIVE_LATER)) === EVLIST_ACTIVE_LATER, `active-later queue: flags 0x${evcb.evcb_flags.toString(16)}`);
    ++count;
  }
  check(count === base.event_count_active, `event_count_active ${base.event_count_active}, ${count} queued`);

  // Beyond libevent's check: the user events counted in the heap and active queues cannot exceed event_count.
  let users = 0;
  for (let i = 0; i < heap.n; ++i) if (!(heap.p[i]!.evcb_flags & EVLIST_INTERNAL)) ++users;
  check(users <= base.event_count, `event_count ${base.event_count} below the ${users} user timers in the heap`);
}
