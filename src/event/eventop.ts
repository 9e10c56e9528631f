/**
 * The backend interface (libevent's `struct eventop`): one per demultiplexing mechanism compiled
 * into the addon (epoll, poll, select; kqueue on BSD/macOS). A backend knows fds and masks only;
 * turning readiness into events is the evmap's job.
 * @internal
 * @module
 */
import { native } from "../native/binding.js";
import { set_errno } from "../util/errno.js";
import { changelist_check_, changelist_drop_, changelist_flush_, changelist_push_, changelist_take_ } from "./changelist.js";
import type { event_base } from "./event.js";
import { evmap_io_active_ } from "./evmap.js";
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
  /** Wait up to `timeoutUs` (-1: forever) and activate what is ready. 0, or -1 on error. */
  dispatch(base: event_base, timeoutUs: number): number;
  /** Release the backend. */
  dealloc(): void;
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
let readyList = new Int32Array(2 * 4096);
native.setReadyList(readyList);

/** Set while a caller that ignores the result makes a change that may wait for the next dispatch. */
let deferring = false;

/**
 * @internal While on, the backend changes that event_add and event_del make may wait for the next
 * dispatch, which then makes them in the same call as its wait (see changelist.ts). Only
 * event_add_deferred_ and event_del_deferred_ turn it on, and off again in a `finally`.
 */
export function eventop_set_deferring_(on: boolean): void {
  deferring = on;
}

class NativeBackend implements eventop {
  /**
   * Whether changes may wait for the next dispatch: epoll's, where each change is a system call.
   * select must refuse an fd beyond FD_SETSIZE at the add itself (a RangeError a held change could
   * not throw); poll and kqueue keep it simple and make every change at once.
   */
  private readonly defers: boolean;

  constructor(
    readonly name: string,
    readonly features: number,
    /** The addon's handle; -1 once released, so that any later use throws. */
    private h: number,
  ) {
    this.defers = name === "epoll";
  }

  add(fd: number, old: number, events: number): number {
    return this.change(fd, old, events, 1);
  }

  del(fd: number, old: number, events: number): number {
    return this.change(fd, old, events, 0);
  }

  /** An add (1) or del (0): queued while deferring, else made now, after what is queued. */
  private change(fd: number, old: number, events: number, adding: number): number {
    if (deferring && this.defers) {
      changelist_push_(this.h, fd, old, events, adding);
      return 0;
    }
    changelist_flush_();
    const r = adding ? native.backendAdd(this.h, fd, old, events) : native.backendDel(this.h, fd, old, events);
    if (r < 0) {
      set_errno(-r);
      event_warn(`${this.name}: ${adding ? "add" : "del"} of fd ${fd}`);
      return -1;
    }
    return 0;
  }

  dispatch(base: event_base, timeoutUs: number): number {
    const nchanges = changelist_take_(this.h);
    const n = native.backendDispatch(this.h, timeoutUs, nchanges);
    if (nchanges !== 0) changelist_check_(nchanges);
    if (n < 0) {
      set_errno(-n);
      event_warn(this.name);
      return -1;
    }
    const list = readyList;
    for (let i = 0; i < 2 * n; i += 2) {
      evmap_io_active_(base, list[i]!, list[i + 1]!);
    }
    if (2 * n === list.length) {
      readyList = new Int32Array(list.length * 2);
      native.setReadyList(readyList);
    }
    return 0;
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
    changelist_drop_(this.h);
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

/** @internal Initialise a backend (`eventop.init`); null (errno set) if the mechanism is unusable. */
export function eventop_init(name: string, flags: number): eventop | null {
  const h = native.backendNew(name, flags);
  if (h < 0) {
    set_errno(-h);
    return null;
  }
  return new NativeBackend(name, eventop_features(name), h);
}
