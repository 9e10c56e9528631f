/**
 * Rate limits (reference section 2.16, libevent's bufferevent_ratelim.c): token-bucket
 * arithmetic, configurations and their bad input, a socket bufferevent's own limit (suspension at
 * zero, resumption on the next tick, measured throughput), groups (shares, min-share, totals,
 * manual decrements, membership, freeing), and the four configurations of libevent's
 * test/test-ratelim.sh run through examples/test-ratelim.sh on examples/test-ratelim.ts, shortened
 * to 4 seconds each, with libevent's tolerances.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import {
  EV_RATE_LIMIT_MAX, bufferevent, bufferevent_add_to_rate_limit_group, bufferevent_decrement_read_limit,
  bufferevent_decrement_write_limit, bufferevent_enable, bufferevent_free, bufferevent_get_input,
  bufferevent_get_max_single_read, bufferevent_get_max_single_write, bufferevent_get_max_to_read,
  bufferevent_get_max_to_write, bufferevent_get_read_limit, bufferevent_get_token_bucket_cfg,
  bufferevent_get_write_limit, bufferevent_rate_limit_group_decrement_read, bufferevent_rate_limit_group_decrement_write,
  bufferevent_rate_limit_group_free, bufferevent_rate_limit_group_get_read_limit,
  bufferevent_rate_limit_group_get_totals, bufferevent_rate_limit_group_get_write_limit,
  bufferevent_rate_limit_group_new, bufferevent_rate_limit_group_reset_totals, bufferevent_rate_limit_group_set_cfg,
  bufferevent_rate_limit_group_set_min_share, bufferevent_remove_from_rate_limit_group, bufferevent_set_max_single_read,
  bufferevent_set_max_single_write, bufferevent_set_rate_limit, bufferevent_setcb, bufferevent_socket_new,
  bufferevent_write, ev_token_bucket_cfg_free, ev_token_bucket_cfg_new,
} from "libevent-ts/event2/bufferevent";
import type { bufferevent_data_cb } from "libevent-ts/event2/bufferevent";
import {
  EV_READ, EV_TIMEOUT, EVLOOP_NONBLOCK, event_base, event_base_dispatch, event_base_free,
  event_base_gettimeofday_cached, event_base_loop, event_base_loopexit, event_base_new, event_base_once,
} from "libevent-ts/event2/event";
import { evbuffer_drain, evbuffer_get_length } from "libevent-ts/event2/buffer";
import { EV_SSIZE_MAX, evutil_closesocket, recv, send, timeval } from "libevent-ts/event2/util";
import { BEV_UPCAST } from "../src/buffer/bufferevent.js";
import { BEV_SUSPEND_BW, BEV_SUSPEND_BW_GROUP } from "../src/buffer/bufferevent-internal.js";
import {
  ev_token_bucket, ev_token_bucket_cfg, ev_token_bucket_get_tick_, ev_token_bucket_init_, ev_token_bucket_update_,
} from "../src/buffer/ratelim-internal.js";
import { nodeArgs, root } from "./helpers/children.js";
import { checkFdLeaks } from "./helpers/fds.js";
import { nonblockingPair } from "./helpers/setup.js";

checkFdLeaks();

/** A base and socketpairs for one test, released when it ends (bufferevents first, by the test). */
function setup(): { base: event_base; pair: () => number[] } {
  const base = event_base_new()!;
  const fds: number[] = [];
  onTestFinished(() => {
    event_base_free(base);
    for (const fd of fds) evutil_closesocket(fd);
  });
  return {
    base,
    pair: () => {
      const p = nonblockingPair();
      fds.push(...p);
      return p;
    },
  };
}

/** The C program's cfg with `rate` per tick, the burst and tick as given. */
function cfg(rate: number, burst: number, tick: timeval | null = null): ev_token_bucket_cfg {
  const c = ev_token_bucket_cfg_new(rate, burst, rate, burst, tick);
  expect(c).not.toBeNull();
  return c!;
}

/** A reading socket bufferevent on pair[0] that counts and discards what it reads (calling onRead first). */
function reader(base: event_base, fd: number, got: { n: number; reads: number[] }, onRead?: () => void): bufferevent {
  const bev = bufferevent_socket_new(base, fd, 0)!;
  const readcb: bufferevent_data_cb = (b) => {
    onRead?.();
    const n = evbuffer_get_length(bufferevent_get_input(b));
    got.n += n;
    got.reads.push(n);
    evbuffer_drain(bufferevent_get_input(b), n);
  };
  bufferevent_setcb(bev, readcb, null, null, null);
  bufferevent_enable(bev, EV_READ);
  return bev;
}

/** Fill the kernel buffer of `fd` (nonblocking) with `n` bytes, as far as it takes them. */
function fill(fd: number, n: number): number {
  const chunk = new Uint8Array(4096);
  let sent = 0;
  while (sent < n) {
    const r = send(fd, chunk, Math.min(chunk.length, n - sent), 0);
    if (r <= 0) break;
    sent += r;
  }
  return sent;
}

function suspendedRead(bev: bufferevent): number {
  return BEV_UPCAST(bev).read_suspended;
}

function suspendedWrite(bev: bufferevent): number {
  return BEV_UPCAST(bev).write_suspended;
}

// ------------------------------------------------------------------------------------------------

describe("token buckets", () => {
  const c = new ev_token_bucket_cfg();
  c.read_rate = 100;
  c.read_maximum = 250;
  c.write_rate = 10;
  c.write_maximum = 10;
  c.msec_per_tick = 100;

  it("a new bucket holds one tick's worth (the rate, not the burst) and notes its tick", () => {
    const b = new ev_token_bucket();
    ev_token_bucket_init_(b, c, 42, false);
    expect([b.read_limit, b.write_limit, b.last_updated]).toEqual([100, 10, 42]);
  });

  it("re-initialising only clips down to the new burst and keeps the last tick", () => {
    const b = new ev_token_bucket();
    b.read_limit = 400;
    b.write_limit = -5;
    b.last_updated = 7;
    ev_token_bucket_init_(b, c, 99, true);
    expect([b.read_limit, b.write_limit, b.last_updated]).toEqual([250, -5, 7]);
  });

  it("a refill adds the rate per tick passed, capped at the burst; the same tick adds nothing", () => {
    const b = new ev_token_bucket();
    ev_token_bucket_init_(b, c, 1000, false);
    b.read_limit = -120;
    b.write_limit = 0;
    expect(ev_token_bucket_update_(b, c, 1000)).toBe(0);
    expect(b.read_limit).toBe(-120);
    expect(ev_token_bucket_update_(b, c, 1002)).toBe(1);
    expect([b.read_limit, b.write_limit, b.last_updated]).toEqual([80, 10, 1002]);
    expect(ev_token_bucket_update_(b, c, 1010)).toBe(1);
    expect(b.read_limit).toBe(250);
  });

  it("a clock that went back refills nothing; tick numbers wrap as C's unsigned does", () => {
    const b = new ev_token_bucket();
    ev_token_bucket_init_(b, c, 500, false);
    b.read_limit = 0;
    expect(ev_token_bucket_update_(b, c, 499)).toBe(0);
    expect([b.read_limit, b.last_updated]).toEqual([0, 500]);
    b.last_updated = 0xffffffff;
    expect(ev_token_bucket_update_(b, c, 1)).toBe(1);
    expect(b.read_limit).toBe(200);
  });

  it("a bucket pushed above its burst by a manual refill keeps growing, as in C (its room is unsigned)", () => {
    const b = new ev_token_bucket();
    ev_token_bucket_init_(b, c, 0, false);
    b.read_limit = 1000;
    ev_token_bucket_update_(b, c, 1);
    expect(b.read_limit).toBe(1100);
  });

  it("the tick of a time is its whole milliseconds over the tick length, modulo 2^32", () => {
    expect(ev_token_bucket_get_tick_(new timeval(1, 999999), c)).toBe(19);
    expect(ev_token_bucket_get_tick_(new timeval(1_700_000_000, 123456), c)).toBe(17_000_000_001 % 2 ** 32);
  });
});

describe("ev_token_bucket_cfg_new", () => {
  it("returns null, as C does, when a rate exceeds its burst or is below 1, or a value exceeds EV_RATE_LIMIT_MAX", () => {
    expect(ev_token_bucket_cfg_new(10, 5, 10, 10, null)).toBeNull();
    expect(ev_token_bucket_cfg_new(10, 10, 10, 5, null)).toBeNull();
    expect(ev_token_bucket_cfg_new(0, 10, 1, 10, null)).toBeNull();
    expect(ev_token_bucket_cfg_new(1, 10, 0, 10, null)).toBeNull();
    // -1 is SIZE_MAX, beyond EV_RATE_LIMIT_MAX.
    expect(ev_token_bucket_cfg_new(1, -1, 1, 1, null)).toBeNull();
    expect(ev_token_bucket_cfg_new(-1, -1, 1, 1, null)).toBeNull();
    expect(EV_RATE_LIMIT_MAX).toBe(EV_SSIZE_MAX);
    expect(ev_token_bucket_cfg_new(1, EV_RATE_LIMIT_MAX, EV_RATE_LIMIT_MAX, EV_RATE_LIMIT_MAX, null)).not.toBeNull();
    expect(ev_token_bucket_cfg_new(1, 1, 1, 1, null)).not.toBeNull();
  });

  it("the tick defaults to one second; fractions of a millisecond are ignored; the tick is copied", () => {
    expect(ev_token_bucket_cfg_new(1, 1, 1, 1, null)!.msec_per_tick).toBe(1000);
    const tick = new timeval(0, 1500);
    const c = ev_token_bucket_cfg_new(1, 1, 1, 1, tick)!;
    tick.tv_usec = 0;
    expect(c.msec_per_tick).toBe(1);
    expect([c.tick_timeout.tv_sec, c.tick_timeout.tv_usec]).toEqual([0, 1500]);
    expect(ev_token_bucket_cfg_new(1, 1, 1, 1, new timeval(2, 999999))!.msec_per_tick).toBe(2999);
  });

  it("bad input throws: negative sizes, non-integers, a tick that is not a timeval or is under a millisecond, a null base", () => {
    expect(() => ev_token_bucket_cfg_new(-2, 1, 1, 1, null)).toThrow(new RangeError("ev_token_bucket_cfg_new: read_rate -2 is negative"));
    expect(() => ev_token_bucket_cfg_new(1, 1.5, 1, 1, null)).toThrow(/ev_token_bucket_cfg_new: read_burst must be an integer/);
    expect(() => ev_token_bucket_cfg_new(1, 1, 1, 1, { tv_sec: "1", tv_usec: 0 } as never)).toThrow(
      /ev_token_bucket_cfg_new: tick_len is a plain object, not a timeval or null/);
    expect(() => ev_token_bucket_cfg_new(1, 1, 1, 1, 2 as never)).toThrow(
      /ev_token_bucket_cfg_new: tick_len is 2, not a timeval or null/);
    // Anything with numeric tv_sec and tv_usec is a timeval, as for event_add.
    expect(ev_token_bucket_cfg_new(1, 1, 1, 1, { tv_sec: 0, tv_usec: 250_000 })!.msec_per_tick).toBe(250);
    expect(() => ev_token_bucket_cfg_new(1, 1, 1, 1, new timeval(0, 999))).toThrow(
      new RangeError("ev_token_bucket_cfg_new: tick_len { tv_sec: 0, tv_usec: 999 } is shorter than a millisecond"));
    // No event_init() base here: a group made on a null base could never refill.
    expect(() => bufferevent_rate_limit_group_new(null, cfg(10, 10))).toThrow(
      /bufferevent_rate_limit_group_new: base is null, not an event_base/);
  });

  it("a freed configuration cannot be used or freed again", () => {
    const { base, pair } = setup();
    const c = cfg(10, 10);
    ev_token_bucket_cfg_free(c);
    expect(() => ev_token_bucket_cfg_free(c)).toThrow(/ev_token_bucket_cfg_free: cfg was freed/);
    const bev = bufferevent_socket_new(base, pair()[0]!, 0)!;
    expect(() => bufferevent_set_rate_limit(bev, c)).toThrow(/bufferevent_set_rate_limit: cfg was freed/);
    expect(() => bufferevent_rate_limit_group_new(base, c)).toThrow(/bufferevent_rate_limit_group_new: cfg was freed/);
    bufferevent_free(bev);
  });
});

// ------------------------------------------------------------------------------------------------

describe("a bufferevent's own limit", () => {
  it("single read/write sizes: 16384 by default, settable, 0 or SIZE_MAX restores the default; they bound max_to_read/write", () => {
    const { base } = setup();
    const bev = bufferevent_socket_new(base, -1, 0)!;
    expect([bufferevent_get_max_single_read(bev), bufferevent_get_max_single_write(bev)]).toEqual([16384, 16384]);
    expect([bufferevent_get_max_to_read(bev), bufferevent_get_max_to_write(bev)]).toEqual([16384, 16384]);
    expect(bufferevent_set_max_single_read(bev, 100)).toBe(0);
    expect(bufferevent_set_max_single_write(bev, 200)).toBe(0);
    expect([bufferevent_get_max_to_read(bev), bufferevent_get_max_to_write(bev)]).toEqual([100, 200]);
    bufferevent_set_max_single_read(bev, 0);
    bufferevent_set_max_single_write(bev, -1);
    expect([bufferevent_get_max_single_read(bev), bufferevent_get_max_single_write(bev)]).toEqual([16384, 16384]);
    expect(() => bufferevent_set_max_single_read(bev, -7)).toThrow(/bufferevent_set_max_single_read: size -7 is negative/);
    bufferevent_free(bev);
  });

  it("without a limit: read/write limits are EV_SSIZE_MAX and there is no cfg; with one, the bucket starts at the rate", () => {
    const { base } = setup();
    const bev = bufferevent_socket_new(base, -1, 0)!;
    expect([bufferevent_get_read_limit(bev), bufferevent_get_write_limit(bev)]).toEqual([EV_SSIZE_MAX, EV_SSIZE_MAX]);
    expect(bufferevent_get_token_bucket_cfg(bev)).toBeNull();
    const c = ev_token_bucket_cfg_new(300, 1000, 50, 60, null)!;
    expect(bufferevent_set_rate_limit(bev, c)).toBe(0);
    expect(bufferevent_get_token_bucket_cfg(bev)).toBe(c);
    expect([bufferevent_get_read_limit(bev), bufferevent_get_write_limit(bev)]).toEqual([300, 50]);
    expect([bufferevent_get_max_to_read(bev), bufferevent_get_max_to_write(bev)]).toEqual([300, 50]);
    // Setting the same cfg again changes nothing.
    bufferevent_decrement_read_limit(bev, 100);
    expect(bufferevent_set_rate_limit(bev, c)).toBe(0);
    expect(bufferevent_get_read_limit(bev)).toBe(200);
    // null removes the own limit.
    expect(bufferevent_set_rate_limit(bev, null)).toBe(0);
    expect(bufferevent_get_token_bucket_cfg(bev)).toBeNull();
    expect(bufferevent_get_read_limit(bev)).toBe(EV_SSIZE_MAX);
    expect(bufferevent_get_max_to_read(bev)).toBe(16384);
    bufferevent_free(bev);
  });

  it("a new cfg keeps what is left of the bucket, clipped to the new burst", () => {
    const { base } = setup();
    const bev = bufferevent_socket_new(base, -1, 0)!;
    bufferevent_set_rate_limit(bev, cfg(100, 1000));
    bufferevent_decrement_read_limit(bev, -700);
    bufferevent_decrement_write_limit(bev, 30);
    expect([bufferevent_get_read_limit(bev), bufferevent_get_write_limit(bev)]).toEqual([800, 70]);
    bufferevent_set_rate_limit(bev, cfg(100, 300));
    expect([bufferevent_get_read_limit(bev), bufferevent_get_write_limit(bev)]).toEqual([300, 70]);
    bufferevent_free(bev);
  });

  it("decrementing to zero suspends the direction, a negative decrement back above zero resumes it", () => {
    const { base } = setup();
    const bev = bufferevent_socket_new(base, -1, 0)!;
    bufferevent_set_rate_limit(bev, cfg(100, 100));
    expect(bufferevent_decrement_read_limit(bev, 100)).toBe(0);
    expect(suspendedRead(bev) & BEV_SUSPEND_BW).toBe(BEV_SUSPEND_BW);
    expect(bufferevent_get_max_to_read(bev)).toBe(0);
    expect(bufferevent_decrement_read_limit(bev, -1)).toBe(0);
    expect(suspendedRead(bev)).toBe(0);
    expect(bufferevent_decrement_write_limit(bev, 150)).toBe(0);
    expect(suspendedWrite(bev) & BEV_SUSPEND_BW).toBe(BEV_SUSPEND_BW);
    expect(bufferevent_get_write_limit(bev)).toBe(-50);
    bufferevent_decrement_write_limit(bev, -51);
    expect(suspendedWrite(bev)).toBe(0);
    bufferevent_free(bev);
  });

  it("without a limit of its own, decrementing it is a TypeError (C aborts)", () => {
    const { base } = setup();
    const bev = bufferevent_socket_new(base, -1, 0)!;
    expect(() => bufferevent_decrement_read_limit(bev, 1)).toThrow(
      new TypeError("bufferevent_decrement_read_limit: the bufferevent has no rate limit of its own (bufferevent_set_rate_limit)"));
    expect(() => bufferevent_decrement_write_limit(bev, 1)).toThrow(/bufferevent_decrement_write_limit: the bufferevent has no rate limit/);
    bufferevent_free(bev);
  });

  it("an empty bucket suspends reading until a tick refills it: a socket reads at most the rate per tick", () => {
    const { base, pair } = setup();
    const [a, b] = pair();
    const got = { n: 0, reads: [] as number[] };
    const bev = reader(base, a!, got);
    // 1000 bytes per 50 ms tick, no burst beyond one tick.
    bufferevent_set_rate_limit(bev, cfg(1000, 1000, new timeval(0, 50000)));
    const sent = fill(b!, 100000);
    expect(sent).toBeGreaterThan(20000);
    const start = performance.now();
    event_base_loopexit(base, new timeval(0, 500000));
    event_base_dispatch(base);
    const ms = performance.now() - start;
    // One tick's worth at the start, then one per tick boundary: ~11 ticks' worth in 500 ms.
    expect(Math.max(...got.reads)).toBeLessThanOrEqual(1000);
    expect(got.n).toBeGreaterThanOrEqual(1000 * Math.floor(ms / 50) - 2000);
    expect(got.n).toBeLessThanOrEqual(1000 * (Math.ceil(ms / 50) + 1));
    bufferevent_free(bev);
  });

  it("a write limit paces a socket bufferevent's output", () => {
    const { base, pair } = setup();
    const [a, b] = pair();
    const bev = bufferevent_socket_new(base, a!, 0)!;
    bufferevent_set_rate_limit(bev, ev_token_bucket_cfg_new(100000, 100000, 500, 500, new timeval(0, 50000)));
    bufferevent_write(bev, new Uint8Array(20000), 20000);
    const buf = new Uint8Array(65536);
    let received = 0;
    const drainPeer = (): void => {
      for (;;) {
        const r = recv(b!, buf, buf.length, 0);
        if (r <= 0) break;
        received += r;
      }
      event_base_once(base, -1, EV_TIMEOUT, drainPeer, null, new timeval(0, 10000));
    };
    drainPeer();
    event_base_loopexit(base, new timeval(0, 300000));
    event_base_dispatch(base);
    // 500 bytes at the start and ~500 per 50 ms tick: about 3500 in 300 ms, far from the 20000 queued.
    expect(received).toBeGreaterThanOrEqual(2000);
    expect(received).toBeLessThanOrEqual(4500);
    bufferevent_free(bev);
  });
});

// ------------------------------------------------------------------------------------------------

describe("rate-limit groups", () => {
  it("a member's share is the group's bucket over its members, at least min_share, which is clipped to the rates", () => {
    const { base } = setup();
    const g = bufferevent_rate_limit_group_new(base, ev_token_bucket_cfg_new(3000, 6000, 3000, 6000, null)!);
    const bevs = [0, 1, 2].map(() => bufferevent_socket_new(base, -1, 0)!);
    for (const b of bevs) expect(bufferevent_add_to_rate_limit_group(b, g)).toBe(0);
    expect([bufferevent_rate_limit_group_get_read_limit(g), bufferevent_rate_limit_group_get_write_limit(g)]).toEqual([3000, 3000]);
    expect(bufferevent_get_max_to_read(bevs[0]!)).toBe(1000);
    expect(bufferevent_set_max_single_read(bevs[0]!, 700)).toBe(0);
    expect(bufferevent_get_max_to_read(bevs[0]!)).toBe(700);
    // The group does not count as the bufferevent's own limit.
    expect(bufferevent_get_read_limit(bevs[0]!)).toBe(EV_SSIZE_MAX);

    expect(bufferevent_rate_limit_group_set_min_share(g, 2000)).toBe(0);
    expect(bufferevent_get_max_to_read(bevs[1]!)).toBe(2000);
    bufferevent_rate_limit_group_set_min_share(g, 5000);
    expect(bufferevent_get_max_to_read(bevs[1]!)).toBe(3000);
    expect(bufferevent_rate_limit_group_set_min_share(g, -1)).toBe(-1);
    bufferevent_rate_limit_group_set_min_share(g, 0);

    bufferevent_remove_from_rate_limit_group(bevs[2]!);
    expect(bufferevent_get_max_to_read(bevs[1]!)).toBe(1500);
    // An own limit and the group: the smaller wins.
    bufferevent_set_rate_limit(bevs[1]!, cfg(400, 400));
    expect(bufferevent_get_max_to_read(bevs[1]!)).toBe(400);

    for (const b of bevs) bufferevent_free(b);
    event_base_loop(base, EVLOOP_NONBLOCK);
    bufferevent_rate_limit_group_free(g);
  });

  it("draining the group's bucket to zero suspends every member; refilling it above zero resumes them", () => {
    const { base } = setup();
    const g = bufferevent_rate_limit_group_new(base, cfg(1000, 1000));
    const bevs = [0, 1, 2, 3].map(() => bufferevent_socket_new(base, -1, 0)!);
    for (const b of bevs) bufferevent_add_to_rate_limit_group(b, g);
    expect(bufferevent_rate_limit_group_decrement_read(g, 1000)).toBe(0);
    expect(bevs.map((b) => suspendedRead(b))).toEqual([BEV_SUSPEND_BW_GROUP, BEV_SUSPEND_BW_GROUP, BEV_SUSPEND_BW_GROUP, BEV_SUSPEND_BW_GROUP]);
    expect(bevs.map((b) => suspendedWrite(b))).toEqual([0, 0, 0, 0]);
    // A member joining a suspended group is suspended at once; max_to_read is 0 meanwhile.
    const late = bufferevent_socket_new(base, -1, 0)!;
    bufferevent_add_to_rate_limit_group(late, g);
    expect(suspendedRead(late)).toBe(BEV_SUSPEND_BW_GROUP);
    expect(bufferevent_get_max_to_read(late)).toBe(0);
    expect(bufferevent_rate_limit_group_decrement_read(g, -1)).toBe(0);
    expect([...bevs, late].map((b) => suspendedRead(b))).toEqual([0, 0, 0, 0, 0]);
    expect(bufferevent_rate_limit_group_get_read_limit(g)).toBe(1);

    bufferevent_rate_limit_group_decrement_write(g, 5000);
    expect(bufferevent_rate_limit_group_get_write_limit(g)).toBe(-4000);
    expect(suspendedWrite(late)).toBe(BEV_SUSPEND_BW_GROUP);
    // Leaving the group lifts its suspension.
    bufferevent_remove_from_rate_limit_group(late);
    expect(suspendedWrite(late)).toBe(0);

    for (const b of [...bevs, late]) bufferevent_free(b);
    event_base_loop(base, EVLOOP_NONBLOCK);
    bufferevent_rate_limit_group_free(g);
  });

  it("the group's tick refills its bucket and resumes the members once it holds min_share", () => {
    const { base } = setup();
    const g = bufferevent_rate_limit_group_new(base, cfg(500, 1000, new timeval(0, 50000)));
    const bev = bufferevent_socket_new(base, -1, 0)!;
    bufferevent_add_to_rate_limit_group(bev, g);
    bufferevent_rate_limit_group_decrement_read(g, 1200);
    expect(bufferevent_rate_limit_group_get_read_limit(g)).toBe(-700);
    // -700 + 500 per tick: still below min_share (64) after one tick, above after two. The state
    // is looked at every 5 ms and each new one recorded, so the check does not depend on the phase
    // between this timer and the group's tick (a look 25 ms late must not read two ticks at once).
    const seen: number[][] = [];
    const look = (): void => {
      const now = [bufferevent_rate_limit_group_get_read_limit(g), suspendedRead(bev)];
      const last = seen[seen.length - 1];
      if (last === undefined || last[0] !== now[0] || last[1] !== now[1]) seen.push(now);
      if (seen.length < 4) event_base_once(base, -1, EV_TIMEOUT, look, null, new timeval(0, 5000));
      else event_base_loopexit(base, null); // the group's persistent tick would keep the loop going
    };
    event_base_once(base, -1, EV_TIMEOUT, look, null, new timeval(0, 5000));
    event_base_dispatch(base);
    expect(seen.map((s) => s[0])).toEqual([-700, -200, 300, 800]);
    expect(seen.map((s) => s[1])).toEqual([BEV_SUSPEND_BW_GROUP, BEV_SUSPEND_BW_GROUP, 0, 0]);
    bufferevent_free(bev);
    event_base_loop(base, EVLOOP_NONBLOCK);
    bufferevent_rate_limit_group_free(g);
  });

  it("set_cfg clips the bucket to the new burst and re-clips min_share; null arguments return -1", () => {
    const { base } = setup();
    const g = bufferevent_rate_limit_group_new(base, cfg(1000, 4000));
    bufferevent_rate_limit_group_decrement_read(g, -3000);
    expect(bufferevent_rate_limit_group_get_read_limit(g)).toBe(4000);
    bufferevent_rate_limit_group_set_min_share(g, 800);
    expect(bufferevent_rate_limit_group_set_cfg(g, cfg(50, 2000, new timeval(0, 100000)))).toBe(0);
    expect([bufferevent_rate_limit_group_get_read_limit(g), bufferevent_rate_limit_group_get_write_limit(g)]).toEqual([2000, 1000]);
    const bev = bufferevent_socket_new(base, -1, 0)!;
    bufferevent_add_to_rate_limit_group(bev, g);
    bufferevent_rate_limit_group_decrement_read(g, 2000 - 10);
    // share = 10 / 1 member, raised to min_share 800 clipped to the new rate 50.
    expect(bufferevent_get_max_to_read(bev)).toBe(50);
    expect(bufferevent_rate_limit_group_set_cfg(null, cfg(1, 1))).toBe(-1);
    expect(bufferevent_rate_limit_group_set_cfg(g, null)).toBe(-1);
    bufferevent_free(bev);
    event_base_loop(base, EVLOOP_NONBLOCK);
    bufferevent_rate_limit_group_free(g);
  });

  it("totals count the bytes members read and write; reset_totals restarts them", () => {
    const { base, pair } = setup();
    const g = bufferevent_rate_limit_group_new(base, cfg(1_000_000, 1_000_000));
    const [a, b] = pair();
    const got = { n: 0, reads: [] as number[] };
    const r = reader(base, a!, got);
    const w = bufferevent_socket_new(base, b!, 0)!;
    bufferevent_add_to_rate_limit_group(r, g);
    bufferevent_add_to_rate_limit_group(w, g);
    bufferevent_write(w, new Uint8Array(5000), 5000);
    bufferevent_setcb(w, null, () => {
      if (got.n === 5000) event_base_loopexit(base, null);
    }, null, null);
    bufferevent_setcb(r, (bev) => {
      got.n += evbuffer_get_length(bufferevent_get_input(bev));
      evbuffer_drain(bufferevent_get_input(bev), -1);
      if (got.n === 5000) event_base_loopexit(base, null);
    }, null, null, null);
    event_base_loopexit(base, new timeval(2, 0));
    event_base_dispatch(base);
    const rd = { value: -1 };
    const wr = { value: -1 };
    bufferevent_rate_limit_group_get_totals(g, rd, wr);
    expect([rd.value, wr.value]).toEqual([5000, 5000]);
    bufferevent_rate_limit_group_get_totals(g, null, wr);
    bufferevent_rate_limit_group_reset_totals(g);
    bufferevent_rate_limit_group_get_totals(g, rd, wr);
    expect([rd.value, wr.value]).toEqual([0, 0]);
    bufferevent_free(r);
    bufferevent_free(w);
    event_base_loop(base, EVLOOP_NONBLOCK);
    bufferevent_rate_limit_group_free(g);
  });

  it("members share a tight group fairly: each reads about the same", () => {
    const { base, pair } = setup();
    // 6000 bytes per 50 ms tick for 6 members: ~1000 each per tick.
    const g = bufferevent_rate_limit_group_new(base, cfg(6000, 6000, new timeval(0, 50000)));
    const t0 = performance.now();
    // The 50 ms windows (since the group began ticking) in which something was read: a run
    // starved of CPU for part of the second gets fewer ticks, and is judged by those it got.
    const windows = new Set<number>();
    const counts: { n: number; reads: number[] }[] = [];
    const bevs: bufferevent[] = [];
    for (let i = 0; i < 6; i++) {
      const [a, b] = pair();
      fill(b!, 200000);
      const got = { n: 0, reads: [] as number[] };
      counts.push(got);
      const bev = reader(base, a!, got, () => windows.add(Math.floor((performance.now() - t0) / 50)));
      bufferevent_add_to_rate_limit_group(bev, g);
      bevs.push(bev);
    }
    event_base_loopexit(base, new timeval(1, 0));
    event_base_dispatch(base);
    const total = counts.reduce((s, c) => s + c.n, 0);
    // ~21 ticks' worth of 6000 in a second on a machine that ran us throughout; never more.
    expect(windows.size).toBeGreaterThanOrEqual(8);
    expect(total).toBeGreaterThan(6000 * windows.size * 0.7);
    expect(total).toBeLessThan(6000 * 24);
    for (const c of counts) {
      expect(c.n).toBeGreaterThan(total / 6 * 0.6);
      expect(c.n).toBeLessThan(total / 6 * 1.4);
    }
    for (const b of bevs) bufferevent_free(b);
    event_base_loop(base, EVLOOP_NONBLOCK);
    bufferevent_rate_limit_group_free(g);
  });

  it("membership: one group at a time, moving between groups, add(null) leaves, a freed member leaves once the loop finalizes it", () => {
    const { base } = setup();
    const g1 = bufferevent_rate_limit_group_new(base, cfg(100, 100));
    const g2 = bufferevent_rate_limit_group_new(base, cfg(100, 100));
    const bev = bufferevent_socket_new(base, -1, 0)!;
    bufferevent_add_to_rate_limit_group(bev, g1);
    expect(bufferevent_add_to_rate_limit_group(bev, g1)).toBe(0);
    bufferevent_add_to_rate_limit_group(bev, g2);
    expect(() => bufferevent_rate_limit_group_free(g2)).toThrow(
      new TypeError("bufferevent_rate_limit_group_free: the group still has 1 member; remove them first " +
        "(bufferevent_remove_from_rate_limit_group, or bufferevent_free and a turn of the loop)"));
    bufferevent_rate_limit_group_free(g1);
    expect(bufferevent_add_to_rate_limit_group(bev, null)).toBe(0);
    bufferevent_rate_limit_group_free(g2);

    const g3 = bufferevent_rate_limit_group_new(base, cfg(100, 100));
    const others = [0, 1, 2].map(() => bufferevent_socket_new(base, -1, 0)!);
    for (const o of others) bufferevent_add_to_rate_limit_group(o, g3);
    bufferevent_add_to_rate_limit_group(bev, g3);
    bufferevent_free(others[1]!);
    // Still a member until the loop has finalized it.
    expect(() => bufferevent_rate_limit_group_free(g3)).toThrow(/still has 4 members/);
    event_base_loop(base, EVLOOP_NONBLOCK);
    expect(() => bufferevent_rate_limit_group_free(g3)).toThrow(/still has 3 members/);
    // The group's list stays whole: the others still follow its suspensions.
    bufferevent_rate_limit_group_decrement_read(g3, 100);
    expect([others[0]!, others[2]!, bev].map((b) => suspendedRead(b))).toEqual([BEV_SUSPEND_BW_GROUP, BEV_SUSPEND_BW_GROUP, BEV_SUSPEND_BW_GROUP]);
    bufferevent_free(others[0]!);
    bufferevent_free(others[2]!);
    bufferevent_free(bev);
    event_base_loop(base, EVLOOP_NONBLOCK);
    bufferevent_rate_limit_group_free(g3);
  });

  it("a freed group cannot be used; bad arguments throw", () => {
    const { base } = setup();
    const g = bufferevent_rate_limit_group_new(base, cfg(100, 100));
    bufferevent_rate_limit_group_free(g);
    const bev = bufferevent_socket_new(base, -1, 0)!;
    expect(() => bufferevent_add_to_rate_limit_group(bev, g)).toThrow(
      /bufferevent_add_to_rate_limit_group: the group was freed \(bufferevent_rate_limit_group_free\)/);
    expect(() => bufferevent_rate_limit_group_get_read_limit(g)).toThrow(/the group was freed/);
    expect(() => bufferevent_rate_limit_group_free(g)).toThrow(/bufferevent_rate_limit_group_free: the group was freed/);
    expect(() => bufferevent_rate_limit_group_new(base, null as never)).toThrow(
      /bufferevent_rate_limit_group_new: cfg is null, not an ev_token_bucket_cfg/);
    expect(() => bufferevent_add_to_rate_limit_group(bev, {} as never)).toThrow(
      /the group is a plain object, not a bufferevent_rate_limit_group/);
    expect(() => bufferevent_rate_limit_group_decrement_read(bufferevent_rate_limit_group_new(base, cfg(1, 1)), 0.5)).toThrow(
      /bufferevent_rate_limit_group_decrement_read: decr must be an integer/);
    bufferevent_free(bev);
    expect(() => bufferevent_set_rate_limit(bev, null)).toThrow(/bufferevent_set_rate_limit: the bufferevent was freed/);
  });

  it("the group's tick is read from the loop's cached time, as libevent does", () => {
    const { base } = setup();
    const tv = new timeval();
    event_base_gettimeofday_cached(base, tv);
    const tick = new timeval(0, 10000);
    const g = bufferevent_rate_limit_group_new(base, cfg(10, 10, tick));
    const last = (g as unknown as { rate_limit: ev_token_bucket }).rate_limit.last_updated;
    const expected = Math.floor((tv.tv_sec * 1000 + Math.floor(tv.tv_usec / 1000)) / 10) >>> 0;
    expect(Math.abs(last - expected)).toBeLessThanOrEqual(1);
    bufferevent_rate_limit_group_free(g);
  });
});

// ------------------------------------------------------------------------------------------------

describe("examples/test-ratelim.sh", () => {
  it("the four configurations of libevent's test-ratelim.sh, 4 seconds each, print OKAY with libevent's tolerances", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "ratelim-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const out = join(dir, "output");
    const command = [process.execPath, ...nodeArgs(`${root}examples/test-ratelim.ts`, [])].join(" ");
    const child = spawn("sh", [`${root}examples/test-ratelim.sh`, "-d", "4"], {
      cwd: root, env: { ...process.env, TEST_RATELIM: command, TEST_OUTPUT_FILE: out },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const status = await new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const output = readFileSync(out, "utf8");
    const report = `stdout:\n${stdout}\nstderr:\n${stderr}\nprogram output:\n${output}`;

    expect(stdout.split("\n"), report).toEqual([
      "Running rate-limiting tests:",
      "  Group limits, no connection limit:OKAY",
      "  Connection limit, no group limit:OKAY",
      "  Connection limit and group limit:OKAY",
      "  Connection limit and group limit with independent drain:OKAY",
      "",
    ]);
    expect(status, report).toBe(0);
    // Each run printed its 30 connections and its summary lines.
    expect(output.match(/^\d+: \d+\.\d{6} per second$/gm)?.length, report).toBe(4 * 30);
    expect(output.match(/^ {3}total: \d+\.\d{6} per second$/gm)?.length, report).toBe(4);
    expect(output.match(/^ {2}stddev: \d+\.\d{6} per second$/gm)?.length, report).toBe(4);
    expect(stderr, report).not.toMatch(/out of bounds/);

    // The program widens its tolerances by its timer bias (up to 5 times on a slow or loaded
    // machine). The throughput itself must also be within libevent's unwidened tolerances: a
    // 4-second run is off by at most one tick's worth (750 B/s for the group, 25 B/s for a
    // connection). Only the standard deviation, which load does move, is left to the program.
    const titles = stdout.split("\n").slice(1, 5).map((l) => l.replace(/(OKAY|FAILED)$/, ""));
    const offBy = titles.map((title, i) => {
      const from = output.indexOf(title);
      const to = i < 3 ? output.indexOf(titles[i + 1]!) : output.length;
      return [...output.slice(from, to).matchAll(/^ {2}\[Off by (-?\d+\.\d+)\]$/gm)].map((m) => Math.abs(Number(m[1])));
    });
    expect(offBy.map((o) => o.length), report).toEqual([2, 1, 2, 1]);
    const [group, conn, both, drained] = offBy as [number[], number[], number[], number[]];
    expect(group[0], report).toBeLessThanOrEqual(1000);
    expect(conn[0], report).toBeLessThanOrEqual(50);
    expect(both[0], report).toBeLessThanOrEqual(1000);
    expect(both[1], report).toBeLessThanOrEqual(50);
    expect(drained[0], report).toBeLessThanOrEqual(50);
  });
});
