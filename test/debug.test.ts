/**
 * Debug mode (event_enable_debug_mode), which must be turned on before any event_base or event
 * exists: this file turns it on first thing, and vitest runs it in a process of its own. It holds
 * the debug-mode cases of libevent's groups, run once per compiled-in backend: et/et_mix_error
 * (test/regress_et.c), finalize/debug_use_after_free (test/regress_finalize.c), and the misuse
 * debug mode is there to catch (an event used after event_debug_unassign).
 */
import { event_enable_debug_mode } from "libevent-ts/event2/event";

event_enable_debug_mode();

import { describe, expect, it, onTestFinished } from "vitest";
import {
  EV_ET, EV_READ, EV_TIMEOUT, event, event_add, event_assign, event_base, event_base_dispatch, event_base_free,
  event_debug_unassign, event_del, event_finalize, event_free, event_new, event_pending, evtimer_assign,
} from "libevent-ts/event2/event";
import {
  AF_UNIX, evutil_closesocket, evutil_make_socket_nonblocking, evutil_socketpair, SOCK_STREAM, timeval,
} from "libevent-ts/event2/util";
import { event_base_assert_ok_ } from "./helpers/assert_ok.js";
import { eachBackend, newBase } from "./helpers/backends.js";
import { checkFdLeaks } from "./helpers/fds.js";
import { basic_setup } from "./helpers/setup.js";

checkFdLeaks();

function read_cb(_fd: number, _what: number, _arg: unknown): void {}

eachBackend(() => {
  describe("debug mode", () => {
    it("et_mix_error: mixing edge- and level-triggered events on one fd makes event_add return -1", () => {
      const data = basic_setup({ pair: true, noLogs: true });
      const base = newBase();
      const ev_et = event_new(base, data.pair[0]!, EV_READ | EV_ET, read_cb, null)!;
      const ev_lt = event_new(base, data.pair[0]!, EV_READ, read_cb, null)!;
      expect(ev_et).not.toBeNull();
      expect(ev_lt).not.toBeNull();

      // edge-triggered first, then level-triggered
      expect(event_add(ev_et, null)).toBe(0);
      expect(event_add(ev_lt, null)).toBe(-1);
      expect(event_pending(ev_et, EV_READ, null)).toBe(EV_READ);
      expect(event_pending(ev_lt, EV_READ, null)).toBe(0);

      expect(event_del(ev_et)).toBe(0);
      // level-triggered first, then edge-triggered
      expect(event_add(ev_lt, null)).toBe(0);
      expect(event_add(ev_et, null)).toBe(-1);
      expect(event_pending(ev_lt, EV_READ, null)).toBe(EV_READ);
      expect(event_pending(ev_et, EV_READ, null)).toBe(0);

      event_base_assert_ok_(base);
      event_free(ev_et);
      event_free(ev_lt);
      event_base_free(base);
    });

    it("debug_use_after_free: an event re-assigned by its own finalizer can be added and finalized again", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      let test_ok = 0;
      const event_finalize_callback_free = (ev: event, arg: event_base | null): void => {
        if (arg) {
          expect(event_assign(ev, arg, -1, EV_TIMEOUT, null, null)).toBe(0);
          test_ok += 1;
        } else {
          event_free(ev);
          test_ok += 1;
        }
      };
      const ev = event_new(base, -1, EV_TIMEOUT, null, base)!;
      expect(ev).not.toBeNull();
      expect(event_add(ev, null)).toBe(0);
      expect(event_finalize(0, ev, event_finalize_callback_free)).toBe(0);
      event_base_dispatch(base);
      event_base_assert_ok_(base);
      expect(test_ok).toBe(1);

      // assigned again by the finalizer: debug mode knows it as set up
      expect(event_add(ev, null)).toBe(0);
      expect(event_finalize(0, ev, event_finalize_callback_free)).toBe(0);
      event_base_dispatch(base);
      event_base_assert_ok_(base);
      expect(test_ok).toBe(2);
    });

    it("use after event_debug_unassign: event_add and event_pending throw a TypeError naming the call", () => {
      const data = basic_setup({ base: true });
      const ev = new event();
      evtimer_assign(ev, data.base, read_cb, null);
      expect(event_add(ev, new timeval(10, 0))).toBe(0);
      expect(() => event_debug_unassign(ev)).toThrow(TypeError); // still added
      expect(event_del(ev)).toBe(0);
      event_debug_unassign(ev);
      expect(() => event_add(ev, null)).toThrow(/event_add/);
      expect(() => event_pending(ev, EV_TIMEOUT, null)).toThrow(TypeError);
      evtimer_assign(ev, data.base, read_cb, null);
      expect(event_add(ev, new timeval(10, 0))).toBe(0);
      event_del(ev);
    });

    it("re-assigning an added event throws a TypeError naming event_assign", () => {
      const data = basic_setup({ base: true, pair: true });
      const ev = new event();
      event_assign(ev, data.base, data.pair[0]!, EV_READ, read_cb, null);
      expect(event_add(ev, null)).toBe(0);
      expect(() => event_assign(ev, data.base, data.pair[1]!, EV_READ, read_cb, null)).toThrow(/event_assign/);
      event_base_assert_ok_(data.base!);
      event_del(ev);
    });

    it("an I/O event on an fd that is not nonblocking: event_assign throws (libevent asserts); signals and fd -1 pass", () => {
      const data = basic_setup({ base: true });
      const fds = [-1, -1];
      expect(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, fds)).toBe(0);
      onTestFinished(() => fds.forEach((fd) => evutil_closesocket(fd)));
      const ev = new event();
      expect(() => event_assign(ev, data.base, fds[0]!, EV_READ, read_cb, null)).toThrow(/event_assign: fd \d+ is not nonblocking/);
      expect(evutil_make_socket_nonblocking(fds[0]!)).toBe(0);
      expect(event_assign(ev, data.base, fds[0]!, EV_READ, read_cb, null)).toBe(0);
      expect(event_assign(new event(), data.base, -1, 0, read_cb, null)).toBe(0);
    });
  });
});

describe("debug mode (process-wide)", () => {
  it("event_enable_debug_mode a second time throws a TypeError", () => {
    expect(() => event_enable_debug_mode()).toThrow(TypeError);
  });
});
