/**
 * `struct timeval` and the evutil_timer* macros of `<event2/util.h>`.
 * @module
 */
import { native } from "../native/binding.js";
import { check_string_, check_timeval_ } from "./check.js";

/**
 * `struct timeval`: seconds and microseconds. `new timeval()` is zeroed, as a C declaration
 * followed by `evutil_timerclear` would be; `new timeval(2, 500000)` is `{ 2, 500000 }`.
 * @category Time
 */
export class timeval {
  /** Seconds. */
  tv_sec = 0;
  /** Microseconds. */
  tv_usec = 0;
  /**
   * A timeval of `tv_sec` seconds and `tv_usec` microseconds (both 0 if left out).
   * @param tv_sec seconds
   * @param tv_usec microseconds
   */
  constructor(tv_sec = 0, tv_usec = 0) {
    this.tv_sec = tv_sec;
    this.tv_usec = tv_usec;
  }
}

/** `struct timezone`, accepted (and ignored) by evutil_gettimeofday, as by gettimeofday(2). @category Time */
export class timezone {
  /** Minutes west of Greenwich. */
  tz_minuteswest = 0;
  /** Type of DST correction. */
  tz_dsttime = 0;
}

/**
 * `int evutil_gettimeofday(struct timeval *tv, struct timezone *tz)`: the wall-clock time.
 * Fills `tv` and returns 0. `tz` is ignored, as on Linux.
 * @param tv receives the time (`tv_sec`, `tv_usec`)
 * @param tz ignored; pass null
 * @returns 0
 * @see {@link evutil_gettime_monotonic} for a clock that never goes back
 * @category Time
 */
export function evutil_gettimeofday(tv: timeval, tz: timezone | null): number {
  check_timeval_("evutil_gettimeofday", "tv", tv);
  void tz;
  evutil_us_to_timeval_(native.realtimeUs(), tv);
  return 0;
}

/** @internal Set `tv` to `us` microseconds (a whole number), normalised: tv_usec in [0, 1e6). */
export function evutil_us_to_timeval_(us: number, tv: timeval): void {
  const sec = Math.floor(us / 1e6);
  tv.tv_sec = sec;
  tv.tv_usec = us - sec * 1e6;
}

/**
 * `evutil_timeradd(tvp, uvp, vvp)`: `vvp = tvp + uvp`, normalised (vvp may be tvp or uvp).
 * @param tvp the first operand
 * @param uvp the second operand
 * @param vvp receives the sum
 * @see {@link evutil_timersub}
 * @category Time
 */
export function evutil_timeradd(tvp: timeval, uvp: timeval, vvp: timeval): void {
  checkTimers("evutil_timeradd", tvp, uvp, vvp);
  let sec = tvp.tv_sec + uvp.tv_sec;
  let usec = tvp.tv_usec + uvp.tv_usec;
  if (usec >= 1000000) {
    sec++;
    usec -= 1000000;
  }
  vvp.tv_sec = sec;
  vvp.tv_usec = usec;
}

/**
 * `evutil_timersub(tvp, uvp, vvp)`: `vvp = tvp - uvp`, normalised (vvp may be tvp or uvp).
 * @param tvp the operand subtracted from
 * @param uvp the operand subtracted
 * @param vvp receives the difference
 * @see {@link evutil_timeradd}
 * @category Time
 */
export function evutil_timersub(tvp: timeval, uvp: timeval, vvp: timeval): void {
  checkTimers("evutil_timersub", tvp, uvp, vvp);
  let sec = tvp.tv_sec - uvp.tv_sec;
  let usec = tvp.tv_usec - uvp.tv_usec;
  if (usec < 0) {
    sec--;
    usec += 1000000;
  }
  vvp.tv_sec = sec;
  vvp.tv_usec = usec;
}

/**
 * `evutil_timerclear(tvp)`: set to zero.
 * @param tvp the timeval to zero
 * @see {@link evutil_timerisset}
 * @category Time
 */
export function evutil_timerclear(tvp: timeval): void {
  check_timeval_("evutil_timerclear", "tvp", tvp);
  tvp.tv_sec = 0;
  tvp.tv_usec = 0;
}

/**
 * `evutil_timerisset(tvp)`: 1 if either field is nonzero, else 0 (a C int, not a boolean).
 * @param tvp the timeval to test
 * @returns 1 if either field is nonzero, else 0
 * @see {@link evutil_timerclear}
 * @category Time
 */
export function evutil_timerisset(tvp: timeval): number {
  check_timeval_("evutil_timerisset", "tvp", tvp);
  return timerisset_(tvp) ? 1 : 0;
}

/** @internal evutil_timerisset of a timeval the library keeps (checked when it was set). */
export function timerisset_(tvp: timeval): boolean {
  return tvp.tv_sec !== 0 || tvp.tv_usec !== 0;
}

/** The operands of evutil_timeradd/timersub: two timevals in, one out. */
function checkTimers(fn: string, tvp: unknown, uvp: unknown, vvp: unknown): void {
  check_timeval_(fn, "tvp", tvp);
  check_timeval_(fn, "uvp", uvp);
  check_timeval_(fn, "vvp", vvp);
}

/** The comparison operators `evutil_timercmp` accepts. @category Time */
export type timercmp_op = "<" | "<=" | "==" | "!=" | ">=" | ">";

/**
 * `evutil_timercmp(tvp, uvp, cmp)`: compare two timevals. C passes the operator as a token;
 * here it is a string: `evutil_timercmp(a, b, "<")`. Returns 1 or 0 (a C int).
 * @param tvp the left operand
 * @param uvp the right operand
 * @param cmp the operator as a string: `"<"`, `"<="`, `">"`, `">="`, `"=="` or `"!="`
 * @returns 1 or 0 (a C int)
 * @category Time
 */
export function evutil_timercmp(tvp: timeval, uvp: timeval, cmp: timercmp_op): number {
  check_timeval_("evutil_timercmp", "tvp", tvp);
  check_timeval_("evutil_timercmp", "uvp", uvp);
  check_string_("evutil_timercmp", "cmp", cmp);
  const d = tvp.tv_sec === uvp.tv_sec ? tvp.tv_usec - uvp.tv_usec : tvp.tv_sec - uvp.tv_sec;
  let r: boolean;
  switch (cmp) {
    case "<": r = d < 0; break;
    case "<=": r = d <= 0; break;
    case "==": r = d === 0; break;
    case "!=": r = d !== 0; break;
    case ">=": r = d >= 0; break;
    case ">": r = d > 0; break;
    default: throw new TypeError(`evutil_timercmp: unknown operator ${String(cmp)}`);
  }
  return r ? 1 : 0;
}
