/**
 * event_compat.h and bufferevent_compat.h: the current base event_init() makes (libevent's
 * event_global_current_base_), every call that uses it, every null base that falls back to it,
 * freeing it, the timeout_* / signal_* macros, bufferevent_new and bufferevent_settimeout, and
 * misuse reported under the compat names. The LEGACY regression cases that run on the current
 * base are in main, signal, bufferevent, bufferevent_pair and bufferevent_filter.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import {
  EV_PERSIST, EV_READ, EV_SIGNAL, EV_TIMEOUT, EV_WRITE, EVLOOP_NONBLOCK, event, event_add, event_assign, event_base,
  event_base_dispatch, event_base_free, event_base_get_method, event_base_get_npriorities,
  event_base_gettimeofday_cached, event_base_new, event_base_set, event_base_update_cache_time, event_del, event_free,
  event_get_base, event_get_priority, event_initialized, event_new, event_pending, event_set_log_callback, evtimer_new,
} from "libevent-ts/event2/event";
import {
  EVENT_FD, EVENT_SIGNAL, event_dispatch, event_get_method, event_init, event_loop, event_loopbreak, event_loopexit,
  event_once, event_priority_init, event_set, evsignal_set, evtimer_set, signal_add, signal_del, signal_initialized,
  signal_pending, signal_set, timeout_add, timeout_del, timeout_initialized, timeout_pending, timeout_set,
} from "libevent-ts/event2/event_compat";
import {
  BEV_EVENT_EOF, BEV_EVENT_ERROR, BEV_EVENT_READING, BEV_EVENT_TIMEOUT, BEV_EVENT_WRITING, bufferevent,
  bufferevent_enable, bufferevent_free, bufferevent_get_base, bufferevent_get_input, bufferevent_get_output,
  bufferevent_pair_new, bufferevent_rate_limit_group_free, bufferevent_rate_limit_group_new, bufferevent_socket_new,
  ev_token_bucket_cfg_free, ev_token_bucket_cfg_new,
} from "libevent-ts/event2/bufferevent";
import {
  EVBUFFER_EOF, EVBUFFER_ERROR, EVBUFFER_INPUT, EVBUFFER_OUTPUT, EVBUFFER_READ, EVBUFFER_TIMEOUT, EVBUFFER_WRITE,
  bufferevent_new, bufferevent_settimeout,
} from "libevent-ts/event2/bufferevent_compat";
import type { everrorcb, evbuffercb } from "libevent-ts/event2/bufferevent_compat";
import {
  LEV_OPT_CLOSE_ON_FREE, evconnlistener_free, evconnlistener_get_base, evconnlistener_new_bind,
} from "libevent-ts/event2/listener";
import { SIGUSR2, htonl, sizeof, sockaddr_in, timeval, AF_INET } from "libevent-ts/event2/util";
import { evbuffer_add } from "libevent-ts/event2/buffer";
import { EVBUFFER_LENGTH } from "libevent-ts/event2/buffer_compat";
import * as root from "libevent-ts";
import { event_global_current_base_ } from "../src/event/event.js";
import { checkFdLeaks } from "./helpers/fds.js";
import { nonblockingPair } from "./helpers/setup.js";
import { raise } from "./helpers/signals.js";
import { evutil_closesocket, write } from "./helpers/fdio.js";
import { now, timeval_msec_diff } from "./helpers/timing.js";

checkFdLeaks();

/** event_init(), freed (with whatever current base is left) when the test ends. */
function init(): event_base {
  const base = event_init();
  onTestFinished(() => {
    if (!(base as unknown as { freed: boolean }).freed) event_base_free(base);
    const cur = event_global_current_base_();
    if (cur !== null) event_base_free(cur);
  });
  return base;
}

/** The log messages of the test. */
function logged(): string[] {
  const msgs: string[] = [];
  event_set_log_callback((_severity, msg) => msgs.push(msg));
  onTestFinished(() => event_set_log_callback(null));
  return msgs;
}

describe("event_compat: the current base", () => {
  it("event_init makes a base and makes it current; the next event_init replaces it; the legacy calls use it", () => {
    expect(event_global_current_base_()).toBeNull();
    const base1 = init();
    expect(event_global_current_base_()).toBe(base1);
    expect(event_get_method()).toBe(event_base_get_method(base1));
    const ev1 = new event();
    evtimer_set(ev1, () => {}, null);
    expect(event_get_base(ev1)).toBe(base1);

    const base2 = init();
    expect(base2).not.toBe(base1);
    const ev2 = new event();
    evtimer_set(ev2, () => {}, null);
    expect(event_get_base(ev2)).toBe(base2);
    expect(event_get_base(ev1)).toBe(base1); // events keep the base they were set on

    // event_dispatch runs base2 only: base1's pending timer does not keep it going
    const ran: string[] = [];
    event_add(ev1, new timeval(0, 0));
    expect(event_once(-1, EV_TIMEOUT, (_fd, what, arg: string) => ran.push(`${arg} ${what}`), "once", null)).toBe(0);
    expect(event_dispatch()).toBe(1);
    expect(ran).toEqual([`once ${EV_TIMEOUT}`]);
    expect(event_pending(ev1, EV_TIMEOUT, null)).toBe(EV_TIMEOUT);
    expect(event_base_dispatch(base1)).toBe(1);
  });

  it("event_loop, event_loopexit, event_loopbreak and event_priority_init act on the current base", () => {
    const base = init();
    expect(event_priority_init(3)).toBe(0);
    expect(event_base_get_npriorities(base)).toBe(3);
    expect(event_base_get_npriorities(null)).toBe(3);
    const ev = new event();
    timeout_set(ev, () => {}, null);
    expect(event_get_priority(ev)).toBe(1); // the middle one of the current base's

    // loopbreak from a callback: the second zero timer does not run
    const order: string[] = [];
    const a = new event();
    const b = new event();
    evtimer_set(a, () => { order.push("a"); expect(event_loopbreak()).toBe(0); }, null);
    evtimer_set(b, () => order.push("b"), null);
    timeout_add(a, new timeval(0, 0));
    timeout_add(b, new timeval(0, 0));
    expect(event_loop(0)).toBe(0);
    expect(order).toEqual(["a"]);
    // EVLOOP_NONBLOCK runs what is ready, b, and then finds nothing left
    expect(event_loop(EVLOOP_NONBLOCK)).toBe(1);
    expect(order).toEqual(["a", "b"]);

    // loopexit after 100 ms ends a loop that holds a one-hour timer
    timeout_add(ev, new timeval(3600, 0));
    expect(event_loopexit(new timeval(0, 100 * 1000))).toBe(0);
    const start = now();
    expect(event_dispatch()).toBe(0);
    expect(timeval_msec_diff(start, now())).toBeGreaterThanOrEqual(90);
    expect(timeout_del(ev)).toBe(0);
  });

  it("a null base means the current base: event_assign, event_new, evtimer_new, the time cache, npriorities", () => {
    const base = init();
    const ev = new event();
    expect(event_assign(ev, null, -1, 0, () => {}, null)).toBe(0);
    expect(event_get_base(ev)).toBe(base);
    const ev2 = event_new(null, -1, EV_PERSIST, () => {}, null)!;
    expect(event_get_base(ev2)).toBe(base);
    const t = evtimer_new(null, () => {
      // inside the loop both give the cached time
      const a = new timeval();
      const c = new timeval();
      expect(event_base_gettimeofday_cached(null, a)).toBe(0);
      expect(event_base_gettimeofday_cached(base, c)).toBe(0);
      expect([a.tv_sec, a.tv_usec]).toEqual([c.tv_sec, c.tv_usec]);
      expect(event_base_update_cache_time(null)).toBe(0);
    }, null)!;
    expect(event_get_base(t)).toBe(base);
    expect(event_add(t, new timeval(0, 0))).toBe(0);
    expect(event_dispatch()).toBe(1);
    event_free(ev2);
    event_free(t);
  });

  it("event_base_free(null) frees the current base; freeing the current base leaves none; then null means nothing", () => {
    const msgs = logged();
    const base = init();
    event_base_free(null);
    expect((base as unknown as { freed: boolean }).freed).toBe(true);
    expect(event_global_current_base_()).toBeNull();
    event_base_free(null);
    expect(msgs).toEqual(["event_base_free: no base to free"]);

    const b2 = init();
    event_base_free(b2);
    expect(event_global_current_base_()).toBeNull();
    // freeing another base leaves the current one alone
    const b3 = init();
    const other = event_base_new()!;
    event_base_free(other);
    expect(event_global_current_base_()).toBe(b3);
  });

  it("without a current base: loopexit, loopbreak, once return -1; dispatch, loop, get_method, priority_init throw (C dereferences NULL)", () => {
    expect(event_global_current_base_()).toBeNull();
    expect(event_loopexit(null)).toBe(-1);
    expect(event_loopbreak()).toBe(-1);
    expect(event_once(-1, EV_TIMEOUT, () => {}, null, null)).toBe(-1);
    const noBase = /there is no current base \(call event_init\(\) first\)/;
    expect(() => event_dispatch()).toThrow(new TypeError("event_dispatch: there is no current base (call event_init() first)"));
    expect(() => event_loop(0)).toThrow(noBase);
    expect(() => event_get_method()).toThrow(/^event_get_method: /);
    expect(() => event_priority_init(2)).toThrow(/^event_priority_init: /);
    expect(() => bufferevent_new(-1, null, null, null, null)).toThrow(/^bufferevent_new: there is no current base/);
    expect(event_base_update_cache_time(null)).toBe(-1);
    const tv = new timeval();
    expect(event_base_gettimeofday_cached(null, tv)).toBe(0); // the time of day
    expect(tv.tv_sec).toBeGreaterThan(1_600_000_000);
  });

  it("event_set without a current base, then event_base_set, then event_add: memcached's way with several bases", () => {
    const msgs = logged();
    const base = event_base_new()!;
    onTestFinished(() => event_base_free(base));
    const pair = nonblockingPair();
    onTestFinished(() => pair.forEach((fd) => evutil_closesocket(fd)));
    const got: number[] = [];
    const ev = new event<number[]>();
    event_set(ev, pair[1]!, EV_READ | EV_PERSIST, (fd, what, arg) => {
      arg.push(fd, what);
      event_del(ev);
    }, got);
    expect(event_get_base(ev)).toBeNull();
    expect(event_add(ev, null)).toBe(-1);
    expect(msgs).toEqual(["event_add: event has no event_base set."]);
    expect(event_base_set(base, ev)).toBe(0);
    expect(event_add(ev, null)).toBe(0);
    expect(write(pair[0]!, "x", 1)).toBe(1);
    expect(event_base_dispatch(base)).toBe(1);
    expect(got).toEqual([pair[1], EV_READ]);
  });

  it("event_set refuses EV_SIGNAL with I/O bits (C asserts) and leaves the event as it was; misuse names the compat call", () => {
    init();
    const ev = new event();
    expect(() => event_set(ev, 1, EV_SIGNAL | EV_READ, () => {}, null)).toThrow(
      new TypeError("event_set: EV_SIGNAL is not compatible with EV_READ, EV_WRITE or EV_CLOSED"));
    expect(event_initialized(ev)).toBe(0);
    expect(() => event_set({} as never, -1, 0, null, null)).toThrow(/^event_set: ev is a plain object, not an event/);
    expect(() => evtimer_set(ev, 5 as never, null)).toThrow(/^evtimer_set: callback is 5, not a function or null/);
    expect(() => signal_set(ev, 1.5, () => {}, null)).toThrow(/^signal_set: fd must be an integer/);
    expect(() => timeout_add({} as never, null)).toThrow(/^timeout_add: /);
    expect(() => timeout_add(new event(), null)).toThrow(/^timeout_add: the event is not assigned/);
    expect(() => signal_add(new event(), null)).toThrow(/^signal_add: /);
    expect(() => timeout_pending(null as never, null)).toThrow(/^timeout_pending: /);
    expect(() => EVENT_FD(new event())).toThrow(/^EVENT_FD: /);
    expect(() => EVENT_SIGNAL("x" as never)).toThrow(/^EVENT_SIGNAL: /);
    expect(() => event_loop("1" as never)).toThrow(/^event_loop: flags must be an integer/);
    expect(() => event_loopexit(7 as never)).toThrow(/^event_loopexit: /);
    expect(() => event_once(-1, EV_TIMEOUT, () => {}, null, {} as never)).toThrow(/^event_once: /);
    // a callback's own exception passes through untouched
    const boom = new TypeError("event_base_loop: thrown by the callback");
    const t = new event();
    evtimer_set(t, () => { throw boom; }, null);
    timeout_add(t, new timeval(0, 0));
    expect(() => event_dispatch()).toThrow(boom);
  });

  it("timeout_* and signal_* are the evtimer_* and evsignal_* of the current base; EVENT_FD, EVENT_SIGNAL", () => {
    const base = init();
    const t = new event();
    expect(timeout_initialized(t)).toBe(0);
    timeout_set(t, () => {}, null);
    expect(timeout_initialized(t)).toBe(1);
    expect(EVENT_FD(t)).toBe(-1);
    expect(timeout_pending(t, null)).toBe(0);
    expect(timeout_add(t, new timeval(10, 0))).toBe(0);
    const when = new timeval();
    expect(timeout_pending(t, when)).toBe(EV_TIMEOUT);
    expect(when.tv_sec).toBeGreaterThan(1_600_000_000);
    expect(timeout_del(t)).toBe(0);
    expect(timeout_pending(t, null)).toBe(0);

    const got: number[] = [];
    const s = new event<number[]>();
    expect(signal_initialized(s)).toBe(0);
    signal_set(s, SIGUSR2, (sig, what, arg) => {
      arg.push(sig, what);
      event_loopbreak();
    }, got);
    expect(signal_initialized(s)).toBe(1);
    expect(EVENT_SIGNAL(s)).toBe(SIGUSR2);
    expect(event_get_base(s)).toBe(base);
    expect(signal_add(s, null)).toBe(0);
    expect(signal_pending(s, null)).toBe(EV_SIGNAL);
    raise(SIGUSR2);
    expect(event_dispatch()).toBe(0);
    expect(got).toEqual([SIGUSR2, EV_SIGNAL]);
    expect(signal_del(s)).toBe(0);
    expect(signal_pending(s, null)).toBe(0);

    const e = new event();
    evsignal_set(e, SIGUSR2, () => {}, null);
    expect(EVENT_SIGNAL(e)).toBe(SIGUSR2);
    expect(e.ev_events).toBe(EV_SIGNAL | EV_PERSIST);
  });

  it("the package root exports event_compat and bufferevent_compat", () => {
    expect(root.event_init).toBe(event_init);
    expect(root.signal_set).toBe(signal_set);
    expect(root.bufferevent_new).toBe(bufferevent_new);
    expect(root.EVBUFFER_TIMEOUT).toBe(EVBUFFER_TIMEOUT);
  });
});

describe("bufferevent_compat", () => {
  it("EVBUFFER_READ/WRITE/EOF/ERROR/TIMEOUT are the BEV_EVENT_* bits", () => {
    expect([EVBUFFER_READ, EVBUFFER_WRITE, EVBUFFER_EOF, EVBUFFER_ERROR, EVBUFFER_TIMEOUT]).toEqual(
      [BEV_EVENT_READING, BEV_EVENT_WRITING, BEV_EVENT_EOF, BEV_EVENT_ERROR, BEV_EVENT_TIMEOUT]);
  });

  it("bufferevent_new: a socket bufferevent on the current base with its callbacks; EVBUFFER_INPUT/OUTPUT; data flows", () => {
    const base = init();
    const pair = nonblockingPair();
    onTestFinished(() => pair.forEach((fd) => evutil_closesocket(fd)));
    const seen: string[] = [];
    const readcb: evbuffercb<string[]> = (bev, arg) => {
      arg.push(`read ${EVBUFFER_LENGTH(EVBUFFER_INPUT(bev))}`);
      event_loopbreak();
    };
    const errorcb: everrorcb<string[]> = (_bev, what, arg) => {
      arg.push(`event ${what}`);
    };
    const a = bufferevent_new(pair[0]!, null, null, errorcb, seen)!;
    const b = bufferevent_new(pair[1]!, readcb, null, errorcb, seen)!;
    onTestFinished(() => {
      bufferevent_free(a);
      bufferevent_free(b);
    });
    expect(bufferevent_get_base(a)).toBe(base);
    expect(EVBUFFER_INPUT(b)).toBe(bufferevent_get_input(b));
    expect(EVBUFFER_OUTPUT(a)).toBe(bufferevent_get_output(a));
    expect(bufferevent_enable(b, EV_READ)).toBe(0);
    expect(evbuffer_add(EVBUFFER_OUTPUT(a), "ping", 4)).toBe(0);
    expect(event_dispatch()).toBe(0);
    expect(seen).toEqual(["read 4"]);
  });

  it("bufferevent_settimeout takes seconds (0: none); an idle reader gets EVBUFFER_READ|EVBUFFER_TIMEOUT after 1 s", () => {
    init();
    const pair = nonblockingPair();
    onTestFinished(() => pair.forEach((fd) => evutil_closesocket(fd)));
    const whats: number[] = [];
    const bev = bufferevent_new(pair[0]!, null, null, (_b, what) => {
      whats.push(what);
    }, null)!;
    onTestFinished(() => bufferevent_free(bev));
    bufferevent_settimeout(bev, 7, 3);
    expect([bev.timeout_read.tv_sec, bev.timeout_read.tv_usec]).toEqual([7, 0]);
    expect([bev.timeout_write.tv_sec, bev.timeout_write.tv_usec]).toEqual([3, 0]);
    bufferevent_settimeout(bev, 1, 0);
    expect([bev.timeout_read.tv_sec, bev.timeout_write.tv_sec, bev.timeout_write.tv_usec]).toEqual([1, 0, 0]);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    const start = now();
    expect(event_dispatch()).toBe(1); // the timeout disables reading; nothing else is left
    expect(whats).toEqual([EVBUFFER_READ | EVBUFFER_TIMEOUT]);
    expect(timeval_msec_diff(start, now())).toBeGreaterThanOrEqual(950);
    expect(() => bufferevent_settimeout(bev, 0.5, 0)).toThrow(/^bufferevent_settimeout: timeout_read must be an integer/);
    expect(() => bufferevent_settimeout(null as never, 1, 1)).toThrow(/^bufferevent_settimeout: /);
    expect(() => EVBUFFER_INPUT({} as never)).toThrow(/^EVBUFFER_INPUT: /);
    expect(() => bufferevent_new(1.5, null, null, null, null)).toThrow(/^bufferevent_new: fd must be an integer/);
    expect(() => bufferevent_new(-1, null, 3 as never, null, null)).toThrow(/^bufferevent_new: writecb is 3/);
  });

  it("a null base means the current base for bufferevent_socket_new, bufferevent_pair_new, listeners and rate-limit groups", () => {
    const base = init();
    const bev = bufferevent_socket_new(null, -1, 0)!;
    expect(bufferevent_get_base(bev)).toBe(base);
    bufferevent_free(bev);
    const pair: (bufferevent | null)[] = [null, null];
    expect(bufferevent_pair_new(null, 0, pair)).toBe(0);
    expect(bufferevent_get_base(pair[0]!)).toBe(base);
    bufferevent_free(pair[0]!);
    bufferevent_free(pair[1]!);
    const sin = new sockaddr_in();
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(0x7f000001);
    const lev = evconnlistener_new_bind(null, () => {}, null, LEV_OPT_CLOSE_ON_FREE, -1, sin, sizeof(sin))!;
    expect(lev).not.toBeNull();
    expect(evconnlistener_get_base(lev)).toBe(base);
    evconnlistener_free(lev);
    const cfg = ev_token_bucket_cfg_new(100, 100, 100, 100, null)!;
    const g = bufferevent_rate_limit_group_new(null, cfg);
    expect(g.master_refill_event.ev_base).toBe(base);
    bufferevent_rate_limit_group_free(g);
    ev_token_bucket_cfg_free(cfg);
    event_base_dispatch(base); // the loop has nothing left: everything above was released
  });
});

