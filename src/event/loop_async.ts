/**
 * The loop inside Node's loop: `event_base_loop_async` and `event_base_dispatch_async`
 * (libevent-ts extensions).
 *
 * Design. The blocking loop waits in the backend; this one lets libuv wait (native/uvloop.c: a
 * uv_poll on the backend's fd, or on a private epoll mirroring poll's or select's set, and a
 * uv_timer for the next timeout) and runs one pass of the same loop body
 * (event_base_loop_pass_, with a zero wait) from each libuv wake-up, through napi_make_callback:
 * the promise continuations and nextTicks the pass's callbacks started run right after it, before
 * libuv waits again. One crossing into JavaScript per wake-up, nothing allocated per pass.
 *
 * The order of one pass: [decide: exit/break requested? no events left? -> end] [collect what
 * is ready, activate timers, run the most urgent queue] [make the held-back backend changes]
 * [compute the next wait]; then the continuations run; the next decision is taken at the start of
 * the next pass. When the pass leaves the loop about to end (no events left, exit/break asked), the
 * next wait is zero, so that a continuation that adds an event (`await connect; enable`) keeps the
 * loop alive, exactly as the same code written with callbacks only would.
 *
 * Changes made from Node code while the loop waits in libuv (a Node timer, a promise continuation,
 * a node:net callback) take effect at once, as libevent takes changes from another thread: the base
 * notices them (event.ts, `async_wake_`, where libevent has EVBASE_NEED_NOTIFY) and a pass runs in
 * the next libuv iteration. Signals need nothing more: the signal socket is an internal event of
 * the base, in the backend's set like any fd.
 * @module
 */
import { check_int_ } from "../util/check.js";
import { changelist_flush_ } from "./changelist.js";
import {
  event_base, event_base_check_, event_base_loop_enter_, event_base_loop_leave_, event_base_loop_pass_,
  event_base_next_wait_, EVLOOP_CONTINUE_, type loop_async_link_,
} from "./event.js";

/** What a pass returns to the addon once the loop has ended (native/uvloop.c's PASS_STOP). */
const PASS_STOP = -2;

/** One run of event_base_loop_async on a base: its promise and the pass libuv calls. */
class loop_async implements loop_async_link_ {
  inPass = false;
  readonly promise: Promise<number>;
  private resolve!: (r: number) => void;
  private reject!: (e: unknown) => void;
  /** Given to the addon once per run; libuv calls it for each pass. */
  readonly pass: () => number;

  constructor(
    readonly base: event_base,
    readonly flags: number,
  ) {
    this.promise = new Promise<number>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.pass = () => this.runPass();
  }

  /** Start waiting in libuv; the first pass runs in the next loop iteration. */
  start(): boolean {
    const base = this.base;
    base.async_ = this;
    if (base.evsel.asyncStart(this.pass) !== 0) {
      base.async_ = null;
      return false;
    }
    base.async_wake_ = this;
    return true;
  }

  wake(): void {
    this.base.async_wake_ = null;
    this.base.evsel.asyncWake();
  }

  abort(err: Error): void {
    this.end();
    this.reject(err);
  }

  rebind(): void {
    // The old backend's handles went with it; wait on the new one (a pass runs next).
    if (this.base.evsel.asyncStart(this.pass) !== 0) this.abort(new Error("event_reinit: event_base_loop_async cannot wait on the new backend"));
  }

  /** Leave the loop, however it ends: the base can loop again, nothing keeps the process alive. */
  private end(): void {
    const base = this.base;
    base.async_ = null;
    base.async_wake_ = null;
    this.inPass = false;
    base.evsel.asyncStop();
    event_base_loop_leave_(base);
  }

  private runPass(): number {
    const base = this.base;
    base.async_wake_ = null;
    this.inPass = true;
    let r: number;
    try {
      r = event_base_loop_pass_(base, this.flags, false);
      // Held-back backend changes must reach the kernel before libuv waits on the backend.
      changelist_flush_(base);
    } catch (e) {
      this.end();
      this.reject(e);
      return PASS_STOP;
    }
    if (r !== EVLOOP_CONTINUE_) {
      this.end();
      this.resolve(r);
      return PASS_STOP;
    }
    const next = event_base_next_wait_(base, this.flags);
    this.inPass = false;
    base.async_wake_ = this;
    return next;
  }
}

/**
 * `int event_base_loop(struct event_base *base, int flags)` run inside Node's event loop:
 * libevent-ts extension.
 *
 * Returns at once; the loop then runs inside Node's loop instead of blocking the JavaScript
 * thread: each iteration (a pass: collect what the backend reports, activate expired timers, run
 * the most urgent active callbacks) runs from a libuv callback when the backend has something to
 * report or the next timer is due, so Node's timers, promises and I/O keep working beside
 * libevent code. Promise continuations and `process.nextTick`s started by a pass's callbacks run
 * before the loop waits again, and only then does the next pass decide whether events are left.
 *
 * Where it differs from {@link event_base_loop}:
 * - Changes made from Node code while the loop waits (`event_add` of a nearer timer or of an fd,
 *   `event_active`, `event_base_loopexit`, `event_base_loopbreak`, `event_del` of the last event)
 *   take effect at once, as changes from another thread do in libevent.
 * - An exception thrown by a callback rejects the promise; the base is left consistent and can
 *   loop again.
 * - `event_base_free` from Node code while the loop waits ends it (the promise rejects) and frees
 *   the base; from one of its callbacks it throws, as for the blocking loop.
 * - Timers wait with libuv's millisecond precision, except under EVENT_BASE_FLAG_PRECISE_TIMER
 *   with epoll, whose timerfd then wakes the loop to the microsecond, as in the blocking loop.
 * - The process stays alive exactly while the loop would go on (events pending or active,
 *   internal ones excluded, or EVLOOP_NO_EXIT_ON_EMPTY); once the promise has settled nothing of
 *   the base keeps it alive.
 *
 * Any number of bases may run async at once. Only one loop per base, blocking or async: a second
 * one gets libevent's "reentrant invocation" warning and -1 (event_base_loop returns it, this
 * resolves with it).
 * @param base   the event_base to run
 * @param flags  EVLOOP_ONCE, EVLOOP_NONBLOCK, EVLOOP_NO_EXIT_ON_EMPTY, or 0, as for event_base_loop
 * @returns a promise of what event_base_loop would have returned: 1 when no events are left, 0
 *   after event_base_loopexit/event_base_loopbreak or once EVLOOP_ONCE/EVLOOP_NONBLOCK is done, -1
 *   for a base whose loop already runs or a backend error (errno set)
 * @category Event loop
 */
export function event_base_loop_async(base: event_base, flags: number): Promise<number> {
  event_base_check_(base, "event_base_loop_async");
  check_int_("event_base_loop_async", "flags", flags);
  if (!event_base_loop_enter_(base)) return Promise.resolve(-1);
  const loop = new loop_async(base, flags);
  if (!loop.start()) {
    event_base_loop_leave_(base);
    return Promise.resolve(-1);
  }
  return loop.promise;
}

/**
 * `int event_base_dispatch(struct event_base *base)` run inside Node's event loop: libevent-ts
 * extension, `event_base_loop_async(base, 0)` (see {@link event_base_loop_async}).
 *
 * Runs until no events are left (resolving 1), or until event_base_loopexit/event_base_loopbreak
 * (resolving 0), without blocking the JavaScript thread.
 * @param base  the event_base to run
 * @returns a promise of 1 (no events left), 0 (exit or break), or -1 (the base's loop already
 *   runs, or a backend error)
 * @category Event loop
 */
export function event_base_dispatch_async(base: event_base): Promise<number> {
  event_base_check_(base, "event_base_dispatch_async");
  return event_base_loop_async(base, 0);
}
