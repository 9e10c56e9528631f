/**
 * The backend interface (libevent's `struct eventop`): one per demultiplexing mechanism compiled
 * into the addon (epoll, poll, select; kqueue on BSD/macOS). A backend knows fds and masks only;
 * turning readiness into events is the evmap's job.
 * @internal
 * @module
 */
import { native } from "../native/binding.js";
import { memArgs, pinnedList } from "../native/mem.js";
import { set_errno } from "../util/errno.js";
import { event_changelist } from "./changelist.js";
import { EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST, EVENT_BASE_FLAG_IGNORE_ENV } from "./constants.js";
import type { event_base } from "./event.js";
import { evmap_io_active_list_ } from "./evmap.js";
import { event_warn } from "./log.js";

/** @internal The shape of libevent's struct eventop, bound to one backend instance. */
export interface eventop {
  /** "epoll", "poll", "select", "kqueue". */
  readonly name: string;
  /** EV_FEATURE_* bits. */
  readonly features: number;
  /** Start watching `events` on `fd`, `old` being what is already watched. 0 or -1 (errno set). */
  add(fd: number, old: number, events: number): number;
  /** Stop watching `events` on `fd`. 0 or -1 (errno set). */
  del(fd: number, old: number, events: number): number;
  /**
   * Wait up to `timeoutUs` (-1: forever) and activate what is ready. With `clock` 1 (coarse) or 2
   * (precise), also read the monotonic clock after the wait, in the same call into the addon, and
   * return it (µs); else, or where the backend reads no clock, return 0. -1 on error.
   */
  dispatch(base: event_base, timeoutUs: number, clock?: number): number;
  /** Release the backend. */
  dealloc(): void;
  /** The changes held for the next dispatch (epoll's), if the backend keeps any. */
  readonly changelist?: event_changelist;
  /**
   * Wait in Node's libuv loop instead of blocking: call `pass` from libuv whenever the backend has
   * something to report, or after the timeout the previous pass returned (see loop_async.ts).
   * 0, or -1 (errno set).
   */
  asyncStart(pass: () => number): number;
  /** Make the running async loop run a pass soon. */
  asyncWake(): void;
  /** Stop the async loop: nothing of it keeps the process alive. */
  asyncStop(): void;
}

// One ready list for the process: JavaScript runs one dispatch at a time. It grows when a wait
// fills it, so that a large burst of readiness is taken in fewer waits (libevent's epoll does the same).
let readyList = pinnedList(2 * 4096);
native.setReadyList(readyList, true);

/** Set while a caller that ignores the result makes a change that may wait for the next dispatch. */
let deferring = false;

/**
 * @internal While on, the backend changes that event_add and event_del make may wait for the next
 * dispatch, which then makes them in the same call as its wait (plain epoll's in-order
 * changelist, see changelist.ts). Only event_add_deferred_ and event_del_deferred_ turn it on, and
 * off again in a `finally`.
 */
export function eventop_set_deferring_(on: boolean): void {
  deferring = on;
}

/** The name libevent gives epoll with its changelist (epoll.c's epollops_changelist). */
const EPOLL_CHANGELIST = "epoll (with changelist)";

class NativeBackend implements eventop {
  /**
   * The changes held for the next dispatch: epoll's, where each change is a system call (plain
   * "epoll" holds only the changes made while deferring; "epoll (with changelist)" holds all of
   * them, coalesced). select must refuse an fd beyond FD_SETSIZE at the add itself (a RangeError
   * a held change could not throw); poll and kqueue keep it simple and make every change at once.
   */
  readonly changelist: event_changelist | undefined;

  constructor(
    readonly name: string,
    readonly features: number,
    /** The addon's handle; -1 once released, so that any later use throws. */
    private h: number,
  ) {
    if (name === "epoll" || name === EPOLL_CHANGELIST) this.changelist = new event_changelist(h, name === EPOLL_CHANGELIST);
  }

  add(fd: number, old: number, events: number): number {
    const cl = this.changelist;
    if (cl !== undefined && (cl.coalesce || deferring) && this.h >= 0) {
      cl.add(fd, old, events);
      return 0;
    }
    return this.change(fd, old, events, 1);
  }

  del(fd: number, old: number, events: number): number {
    const cl = this.changelist;
    if (cl !== undefined && (cl.coalesce || deferring) && this.h >= 0) {
      cl.del(fd, old, events);
      return 0;
    }
    return this.change(fd, old, events, 0);
  }

  /** An add (1) or del (0) made now, after what is held. */
  private change(fd: number, old: number, events: number, adding: number): number {
    this.changelist?.flush();
    const r = adding ? native.backendAdd(this.h, fd, old, events) : native.backendDel(this.h, fd, old, events);
    if (r < 0) {
      set_errno(-r);
      event_warn(`${this.name}: ${adding ? "add" : "del"} of fd ${fd}`);
      return -1;
    }
    return 0;
  }

  dispatch(base: event_base, timeoutUs: number, clock = 0): number {
    const cl = this.changelist;
    const nchanges = cl !== undefined && cl.n_changes !== 0 ? cl.take() : 0;
    // (Its arguments in memArgs: a call with none costs less.)
    memArgs[0] = this.h;
    memArgs[1] = timeoutUs;
    memArgs[2] = nchanges;
    memArgs[3] = clock;
    const n = native.backendDispatchArgs();
    if (nchanges !== 0) cl!.check(nchanges);
    if (n < 0) {
      set_errno(-n);
      event_warn(this.name);
      return -1;
    }
    const list = readyList;
    const len = list.length;
    // The time's pair (the list's last), written by the addon when `clock` asked for it.
    const now = clock !== 0 ? list[len - 1]! * 4294967296 + (list[len - 2]! >>> 0) : 0;
    if (n !== 0) evmap_io_active_list_(base, list, n);
    // A full list (less the time's pair): take more next time.
    if (2 * n >= len - 2) {
      readyList = pinnedList(len * 2);
      native.setReadyList(readyList, true);
    }
    return now;
  }

  asyncStart(pass: () => number): number {
    const r = native.loopStart(this.h, pass);
    if (r < 0) {
      set_errno(-r);
      return -1;
    }
    return 0;
  }

  asyncWake(): void {
    native.loopWake(this.h);
  }

  asyncStop(): void {
    native.loopStop(this.h);
  }

  dealloc(): void {
    this.changelist?.drop();
    native.backendFree(this.h);
    // The addon reuses freed handles: this one may soon be another base's backend.
    this.h = -1;
  }
}

/** @internal The compiled-in backends, in libevent's order of preference. */
export function eventop_methods(): string[] {
  return native.methods();
}

/** @internal EV_FEATURE_* of a compiled-in backend. */
export function eventop_features(name: string): number {
  return native.methodFeatures(name);
}

/**
 * @internal Initialise a backend (`eventop.init`) for a base with EVENT_BASE_FLAG_* `flags`; null
 * (errno set) if the mechanism is unusable. As libevent's epoll_init, "epoll" becomes "epoll (with
 * changelist)" with EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST, or with EVENT_EPOLL_USE_CHANGELIST in the
 * environment unless EVENT_BASE_FLAG_IGNORE_ENV; that name is taken too (event_reinit remakes a
 * base's backend by its name).
 */
export function eventop_init(name: string, flags: number): eventop | null {
  const method = name === EPOLL_CHANGELIST ? "epoll" : name;
  const h = native.backendNew(method, flags);
  if (h < 0) {
    set_errno(-h);
    return null;
  }
  const changelist = method === "epoll" && (name === EPOLL_CHANGELIST || (flags & EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) !== 0 ||
    (!(flags & EVENT_BASE_FLAG_IGNORE_ENV) && process.env.EVENT_EPOLL_USE_CHANGELIST !== undefined));
  return new NativeBackend(changelist ? EPOLL_CHANGELIST : method, eventop_features(method), h);
}
