/**
 * Time helpers of libevent's test harness (test/regress.h, regress_main.c): millisecond
 * differences of timevals with the 50 ms tolerance of test_timeval_diff_eq, and a blocking sleep
 * (evutil_usleep_) that really blocks the thread, as the C tests need.
 */
import { expect } from "vitest";
import { evutil_gettimeofday, timeval } from "libevent-ts/event2/util";

/** `timeval_msec_diff(start, end)`: end - start in ms, rounded as libevent does. */
export function timeval_msec_diff(start: timeval, end: timeval): number {
  return (end.tv_sec - start.tv_sec) * 1000 + Math.trunc((end.tv_usec - start.tv_usec + 500) / 1000);
}

/** `test_timeval_diff_leq(tv1, tv2, diff, tolerance)` */
function test_timeval_diff_leq(tv1: timeval, tv2: timeval, diff: number, tolerance: number): void {
  const got = timeval_msec_diff(tv1, tv2);
  expect(Math.abs(got - diff), `expected ${diff} ms (±${tolerance}), got ${got} ms`).toBeLessThanOrEqual(tolerance);
}

/** `test_timeval_diff_eq(tv1, tv2, diff)`: within libevent's 50 ms. */
export function test_timeval_diff_eq(tv1: timeval, tv2: timeval, diff: number): void {
  test_timeval_diff_leq(tv1, tv2, diff, 50);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** `evutil_usleep_(tv)`: block the thread for tv. */
export function evutil_usleep_(tv: timeval): void {
  Atomics.wait(sleeper, 0, 0, tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

/** The wall clock now, as a new timeval. */
export function now(): timeval {
  const tv = new timeval();
  evutil_gettimeofday(tv, null);
  return tv;
}
