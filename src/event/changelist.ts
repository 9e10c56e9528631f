/**
 * A backend's changelist (libevent's changelist-internal.h and the changelist half of evmap.c):
 * the fd changes held back for the next dispatch to make, in the same call that waits.
 *
 * Each base's backend has its own list, in one of two modes, given when it is made:
 *
 * - coalescing, libevent's "epoll (with changelist)" (EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST or
 *   EVENT_EPOLL_USE_CHANGELIST): every add and del is held, and the changes to one fd merge into
 *   one entry, as libevent's event_changelist_add_/del_ merge them: a del of what the fd did not
 *   watch before cancels an add, so an add then a del before the dispatch costs no system call,
 *   and the dispatch makes one epoll_ctl per fd that changed.
 * - in order, plain "epoll": only the changes whose results the caller ignores are held (a socket
 *   bufferevent starts and stops its write event once per message it sends), each one as it was
 *   asked for; every other change is made at once, after the held ones. The same epoll_ctl calls
 *   as C libevent, in the same order, fewer calls into the addon.
 *
 * Held changes are also made before any close() through this library (see
 * {@link changelist_flush_}), so that none reaches a descriptor number that was closed and reused.
 * @internal
 * @module
 */
import { native } from "../native/binding.js";
import { pinnedList } from "../native/mem.js";
import { set_errno } from "../util/errno.js";
import { EV_CLOSED, EV_ET, EV_READ, EV_WRITE } from "./constants.js";
import type { event_base } from "./event.js";
import { event_warn } from "./log.js";

/** The kinds of a change the addon makes (native/eventop.h's CHANGE_*). */
const CHANGE_DEL = 0;
const CHANGE_ADD = 1;
const CHANGE_SET = 2;

/** libevent's EV_CHANGE_ADD / EV_CHANGE_DEL, two bits per kind of interest in a coalesced entry. */
const EV_CHANGE_ADD = 1;
const EV_CHANGE_DEL = 2;
const READ_SHIFT = 0;
const WRITE_SHIFT = 2;
const CLOSE_SHIFT = 4;
/** A coalesced entry has a change that carries EV_ET (libevent's EV_CHANGE_ET). */
const CHANGE_ET = 1 << 6;

/** Changes an in-order list holds; a full one is made at once before another is held. */
const MAX_IN_ORDER = 256;

/**
 * The lists that hold changes, in pending[0, pendingCount), for a flush of every base (before a
 * close). Not a Set: a list joins and leaves once per message sent, and a Set allocates as it
 * grows and shrinks, and for each walk over it.
 */
const pending: (event_changelist | null)[] = [];
let pendingCount = 0;

/** Put `cl` in the pending lists if it is not there yet. */
function pendingAdd(cl: event_changelist): void {
  if (cl.pendingIdx >= 0) return;
  cl.pendingIdx = pendingCount;
  if (pendingCount === pending.length) pending.push(cl);
  else pending[pendingCount] = cl;
  pendingCount++;
}

/** Take `cl` out of the pending lists (the last one takes its place). */
function pendingDelete(cl: event_changelist): void {
  const i = cl.pendingIdx;
  if (i < 0) return;
  const last = pending[--pendingCount]!;
  pending[i] = last;
  last.pendingIdx = i;
  pending[pendingCount] = null;
  cl.pendingIdx = -1;
}

/** @internal libevent's struct event_changelist, for one backend instance (one base). */
export class event_changelist {
  /**
   * (fd, old_events, change, result) per entry. `change` is CHANGE_ADD/CHANGE_DEL of `events` in
   * order; coalescing, it packs libevent's read/write/close changes until {@link take} turns the
   * entry into the CHANGE_SET the addon makes. The addon writes each result (0 or -errno) into
   * the last field.
   */
  changes: Int32Array;
  n_changes = 0;
  /** Coalescing only: fd -> index of its entry + 1 (libevent's event_changelist_fdinfo.idxplus1). */
  private readonly fdinfo: Map<number, number> | null;
  /** Its index in the pending lists, or -1. */
  pendingIdx = -1;

  constructor(
    /** The addon's backend handle. */
    private readonly h: number,
    /** Hold every change and merge those of one fd (the "epoll (with changelist)" mode). */
    readonly coalesce: boolean,
  ) {
    this.changes = pinnedList(4 * (coalesce ? 64 : MAX_IN_ORDER));
    this.fdinfo = coalesce ? new Map() : null;
    native.setChangeList(h, this.changes, true);
  }

  /** libevent's event_changelist_add_ (coalescing), or hold one add in order. */
  add(fd: number, old: number, events: number): void {
    if (this.fdinfo === null) return this.push(fd, old, events, CHANGE_ADD);
    const i = this.entry(fd, old);
    let c = this.changes[i + 2]!;
    // An add replaces any earlier del, but is no no-op: the del might have failed (a closed fd).
    if (events & EV_READ) c = (c & ~(3 << READ_SHIFT)) | (EV_CHANGE_ADD << READ_SHIFT);
    if (events & EV_WRITE) c = (c & ~(3 << WRITE_SHIFT)) | (EV_CHANGE_ADD << WRITE_SHIFT);
    if (events & EV_CLOSED) c = (c & ~(3 << CLOSE_SHIFT)) | (EV_CHANGE_ADD << CLOSE_SHIFT);
    if (events & EV_ET) c |= CHANGE_ET;
    this.changes[i + 2] = c;
  }

  /** libevent's event_changelist_del_ (coalescing), or hold one del in order. */
  del(fd: number, old: number, events: number): void {
    if (this.fdinfo === null) return this.push(fd, old, events, CHANGE_DEL);
    const i = this.entry(fd, old);
    const was = this.changes[i + 1]!;
    let c = this.changes[i + 2]!;
    if (events & EV_READ) c = held_del(c, was, EV_READ, READ_SHIFT);
    if (events & EV_WRITE) c = held_del(c, was, EV_WRITE, WRITE_SHIFT);
    if (events & EV_CLOSED) c = held_del(c, was, EV_CLOSED, CLOSE_SHIFT);
    if (events & EV_ET) c |= CHANGE_ET;
    this.changes[i + 2] = c;
  }

  /**
   * The count of changes to hand to the dispatch about to run, which makes them before it waits
   * ({@link check} it afterwards); the list is emptied.
   */
  take(): number {
    if (this.n_changes === 0) return 0;
    const n = this.fdinfo === null ? this.n_changes : this.coalesced();
    this.n_changes = 0;
    pendingDelete(this);
    return n;
  }

  /** After a dispatch or apply that made `n` taken changes: warn of those that failed, as libevent's epoll does. */
  check(n: number): void {
    const c = this.changes;
    for (let i = 0; i < 4 * n; i += 4) {
      const r = c[i + 3]!;
      if (r < 0) {
        set_errno(-r);
        event_warn(`held-back change of fd ${c[i]!}`);
      }
    }
  }

  /** Make every held change now. */
  flush(): void {
    const n = this.take();
    if (n === 0) return;
    native.backendApply(this.h, n);
    this.check(n);
  }

  /** Forget the held changes: the backend is being released (libevent's event_changelist_freemem_). */
  drop(): void {
    this.n_changes = 0;
    this.fdinfo?.clear();
    pendingDelete(this);
  }

  /** Hold one in-order change, making the list first when it is full. */
  private push(fd: number, old: number, events: number, kind: number): void {
    if (this.n_changes === MAX_IN_ORDER) this.flush();
    if (this.n_changes === 0) pendingAdd(this);
    const i = 4 * this.n_changes++;
    const c = this.changes;
    c[i] = fd;
    c[i + 1] = old;
    c[i + 2] = events;
    c[i + 3] = kind;
  }

  /** The index of fd's coalesced entry, made (with the events it watched before) if it has none (event_changelist_get_or_construct). */
  private entry(fd: number, old: number): number {
    const idx = this.fdinfo!.get(fd);
    if (idx !== undefined) return 4 * (idx - 1);
    if (4 * this.n_changes === this.changes.length) {
      const grown = pinnedList(this.changes.length * 2);
      grown.set(this.changes);
      this.changes = grown;
      native.setChangeList(this.h, grown, true);
    }
    if (this.n_changes === 0) pendingAdd(this);
    const i = 4 * this.n_changes++;
    this.fdinfo!.set(fd, this.n_changes);
    this.changes[i] = fd;
    this.changes[i + 1] = old;
    this.changes[i + 2] = 0;
    this.changes[i + 3] = CHANGE_SET;
    return i;
  }

  /**
   * Turn the coalesced entries into the changes the addon makes, dropping those that change
   * nothing (libevent's epoll op table gives them no operation): the fd's new interest is its
   * old one with each held add or del applied. Returns their count.
   */
  private coalesced(): number {
    const c = this.changes;
    let n = 0;
    for (let i = 0; i < 4 * this.n_changes; i += 4) {
      const old = c[i + 1]!;
      const ch = c[i + 2]!;
      if ((ch & ~CHANGE_ET) === 0) continue;
      let now = old & (EV_READ | EV_WRITE | EV_CLOSED);
      now = apply(now, EV_READ, (ch >> READ_SHIFT) & 3);
      now = apply(now, EV_WRITE, (ch >> WRITE_SHIFT) & 3);
      now = apply(now, EV_CLOSED, (ch >> CLOSE_SHIFT) & 3);
      if (ch & CHANGE_ET) now |= EV_ET;
      const j = 4 * n++;
      c[j] = c[i]!;
      c[j + 1] = old;
      c[j + 2] = now;
      c[j + 3] = CHANGE_SET;
    }
    this.fdinfo!.clear();
    return n;
  }
}

/**
 * A del of `bit` held in coalesced change `c` of an fd that watched `was` before: a del if it
 * watched `bit`; else it undoes any held add, leaving no change (an add then a del is nothing).
 */
function held_del(c: number, was: number, bit: number, shift: number): number {
  c &= ~(3 << shift);
  return was & bit ? c | (EV_CHANGE_DEL << shift) : c;
}

/** `mask` with a held change of `bit` applied. */
function apply(mask: number, bit: number, change: number): number {
  if (change === EV_CHANGE_ADD) return mask | bit;
  if (change === EV_CHANGE_DEL) return mask & ~bit;
  return mask;
}

/**
 * @internal Make the held changes of `base`'s backend now; without a base, those of every base.
 * Called before a close() (no held change may reach a reused descriptor number) and by a loop
 * that is about to wait somewhere else than its backend's dispatch (the async loop, before
 * control returns to libuv).
 */
export function changelist_flush_(base?: event_base | null): void {
  if (base != null) {
    base.evsel.changelist?.flush();
    return;
  }
  // From the last: each flush takes its list out, and the last takes its place.
  for (let i = pendingCount - 1; i >= 0; i--) {
    if (i < pendingCount) pending[i]!.flush();
  }
}
