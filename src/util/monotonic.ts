/**
 * libevent's monotonic timer (evutil_time.c): CLOCK_MONOTONIC_COARSE by default,
 * CLOCK_MONOTONIC with `EV_MONOT_PRECISE`, or the wall clock ratcheted so that it never goes
 * back with `EV_MONOT_FALLBACK`.
 * @module
 */
import { native } from "../native/binding.js";
import { check_int_, show } from "./check.js";
import { evutil_gettimeofday, evutil_timeradd, evutil_timercmp, evutil_timersub, evutil_us_to_timeval_, timeval } from "./time.js";

/** `evutil_configure_monotonic_time` flag: use the most precise clock, at some cost per read. @category Time */
export const EV_MONOT_PRECISE = 1;
/** `evutil_configure_monotonic_time` flag: use the wall clock, made monotonic by never going back. @category Time */
export const EV_MONOT_FALLBACK = 2;

/** Which clock a timer reads. */
const enum Clock { Fallback = -1, Coarse = 0, Precise = 1 }

/**
 * `struct evutil_monotonic_timer`: an opaque monotonic clock, made by
 * `evutil_monotonic_timer_new` and set up by `evutil_configure_monotonic_time`.
 * @category Time
 */
export class evutil_monotonic_timer {
  /** @internal The clock read (CLOCK_MONOTONIC_COARSE until configured otherwise). */
  monotonic_clock: number = Clock.Coarse;
  /** @internal How far the fallback clock has been moved forward to hide its steps back. */
  adjust_monotonic_clock = new timeval();
  /** @internal The last time the fallback clock gave. */
  last_time = new timeval();
  /** @internal Set by `evutil_monotonic_timer_free`. */
  freed = false;
  /** @internal Use `evutil_monotonic_timer_new()`. */
  constructor(token: symbol) {
    if (token !== NEW) throw new TypeError("evutil_monotonic_timer: use evutil_monotonic_timer_new()");
  }
}

const NEW = Symbol("evutil_monotonic_timer_new");

function live(fn: string, timer: evutil_monotonic_timer): void {
  if (!(timer instanceof evutil_monotonic_timer)) throw new TypeError(`${fn}: timer must be an evutil_monotonic_timer, not ${show(timer)}`);
  if (timer.freed) throw new TypeError(`${fn}: timer was freed`);
}

/**
 * `struct evutil_monotonic_timer *evutil_monotonic_timer_new(void)`: a new timer (not yet configured: call `evutil_configure_monotonic_time`).
 * @returns the new timer
 * @see {@link evutil_configure_monotonic_time}, {@link evutil_gettime_monotonic}, {@link evutil_monotonic_timer_free}
 * @category Time
 */
export function evutil_monotonic_timer_new(): evutil_monotonic_timer {
  return new evutil_monotonic_timer(NEW);
}

/**
 * `void evutil_monotonic_timer_free(struct evutil_monotonic_timer *timer)`: release a timer; `null` is ignored. Using it afterwards throws.
 * @param timer the timer, or null
 * @see {@link evutil_monotonic_timer_new}
 * @category Time
 */
export function evutil_monotonic_timer_free(timer: evutil_monotonic_timer | null): void {
  if (timer === null) return;
  live("evutil_monotonic_timer_free", timer);
  timer.freed = true;
}

/**
 * `int evutil_configure_monotonic_time(struct evutil_monotonic_timer *timer, int flags)`: choose
 * the clock: `EV_MONOT_PRECISE` for CLOCK_MONOTONIC, `EV_MONOT_FALLBACK` for the ratcheted wall
 * clock, neither for CLOCK_MONOTONIC_COARSE (about a millisecond or a few of resolution). Returns 0.
 * @param timer the timer
 * @param flags `EV_MONOT_PRECISE`, `EV_MONOT_FALLBACK`, or 0
 * @returns 0
 * @see {@link evutil_gettime_monotonic}
 * @category Time
 */
export function evutil_configure_monotonic_time(timer: evutil_monotonic_timer, flags: number): number {
  live("evutil_configure_monotonic_time", timer);
  check_int_("evutil_configure_monotonic_time", "flags", flags);
  if (flags & EV_MONOT_FALLBACK) timer.monotonic_clock = Clock.Fallback;
  else timer.monotonic_clock = flags & EV_MONOT_PRECISE ? Clock.Precise : Clock.Coarse;
  return 0;
}

/**
 * `int evutil_gettime_monotonic(struct evutil_monotonic_timer *timer, struct timeval *tp)`: the
 * timer's current time (from an arbitrary origin) into `tp`. Returns 0.
 * @param timer the timer
 * @param tp receives the time
 * @returns 0
 * @see {@link evutil_monotonic_timer_new}
 * @category Time
 */
export function evutil_gettime_monotonic(timer: evutil_monotonic_timer, tp: timeval): number {
  live("evutil_gettime_monotonic", timer);
  if (!(tp instanceof timeval)) throw new TypeError(`evutil_gettime_monotonic: tp must be a timeval, not ${show(tp)}`);
  if (timer.monotonic_clock === Clock.Fallback) {
    evutil_gettimeofday(tp, null);
    adjustMonotonicTime(timer, tp);
    return 0;
  }
  evutil_us_to_timeval_(native.monotonicUs(timer.monotonic_clock), tp);
  return 0;
}

/** Ratchet: if the wall clock stepped back, add the step to the adjustment, so time stands still instead. */
function adjustMonotonicTime(timer: evutil_monotonic_timer, tv: timeval): void {
  evutil_timeradd(tv, timer.adjust_monotonic_clock, tv);
  if (evutil_timercmp(tv, timer.last_time, "<")) {
    const adjust = new timeval();
    evutil_timersub(timer.last_time, tv, adjust);
    evutil_timeradd(adjust, timer.adjust_monotonic_clock, timer.adjust_monotonic_clock);
    tv.tv_sec = timer.last_time.tv_sec;
    tv.tv_usec = timer.last_time.tv_usec;
  }
  timer.last_time.tv_sec = tv.tv_sec;
  timer.last_time.tv_usec = tv.tv_usec;
}
