/**
 * libevent's legacy test wrapper (test/regress_main.c: legacy_setup, run_legacy_test_fn), and the
 * one thing that sets a LEGACY(...) case apart: how its base is made and reached.
 *
 * A LEGACY case of libevent runs on the base event_init() made, through the calls that use that
 * "current base" (event_set, event_dispatch, event_loopexit, bufferevent_new, a NULL base ...).
 * Each case here is written once, against `regress_api`, and runs two ways:
 * - `event_init`: as libevent runs it, the legacy calls on the current base;
 * - `event_base_new`: the same statements with their event.h replacements on an explicit base
 *   (event_set is event_assign on it, event_dispatch is event_base_dispatch of it, ...).
 */
import { expect, onTestFinished } from "vitest";
import {
  event_assign, event_base, event_base_dispatch, event_base_free, event_base_get_method, event_base_loop,
  event_base_loopbreak, event_base_loopexit, event_set_log_callback, evsignal_assign, evtimer_assign,
} from "libevent-ts/event2/event";
import type { event, event_callback_fn } from "libevent-ts/event2/event";
import {
  event_dispatch, event_get_method, event_init, event_loop, event_loopbreak, event_loopexit, event_set, evsignal_set,
  evtimer_set, signal_set, timeout_set,
} from "libevent-ts/event2/event_compat";
import { bufferevent_setcb, bufferevent_socket_new } from "libevent-ts/event2/bufferevent";
import type { bufferevent, bufferevent_data_cb, bufferevent_event_cb } from "libevent-ts/event2/bufferevent";
import { bufferevent_new } from "libevent-ts/event2/bufferevent_compat";
import type { timeval } from "libevent-ts/event2/util";
import { event_global_current_base_ } from "../../src/event/event.js";
import { event_base_assert_ok_ } from "./assert_ok.js";
import { expectIntendedBackend, newBase } from "./backends.js";
import { internals } from "./internal.js";
import { nonblockingPair } from "./setup.js";
import { evutil_closesocket } from "./fdio.js";

/** How a legacy case gets its base. */
export type legacy_how = "event_init" | "event_base_new";

/** Both ways, libevent's first. */
export const legacy_hows: legacy_how[] = ["event_init", "event_base_new"];

/** The calls of regress.c's legacy cases that reach the current base, and their globals. */
export interface regress_api {
  how: legacy_how;
  /** regress.c's `global_base`: the base the wrapper made. */
  global_base: event_base;
  /** regress.c's `pair`: a nonblocking socketpair (-1s if the case asked for none). */
  pair: number[];
  /** What a case passes where it writes NULL for "the current base": null, or the current base itself. */
  nullbase(): event_base | null;
  event_init(): event_base;
  event_set<A>(ev: event<A>, fd: number, events: number, cb: event_callback_fn<A>, arg: A): void;
  evtimer_set<A>(ev: event<A>, cb: event_callback_fn<A>, arg: A): void;
  timeout_set<A>(ev: event<A>, cb: event_callback_fn<A>, arg: A): void;
  evsignal_set<A>(ev: event<A>, sig: number, cb: event_callback_fn<A>, arg: A): void;
  signal_set<A>(ev: event<A>, sig: number, cb: event_callback_fn<A>, arg: A): void;
  event_dispatch(): number;
  event_loop(flags: number): number;
  event_loopexit(tv: timeval | null): number;
  event_loopbreak(): number;
  event_get_method(): string;
  bufferevent_new<A>(fd: number, readcb: bufferevent_data_cb<A> | null, writecb: bufferevent_data_cb<A> | null,
    errorcb: bufferevent_event_cb<A> | null, cbarg: A): bufferevent | null;
}

/** The legacy calls themselves: libevent's way. */
function currentBaseApi(global_base: event_base, pair: number[]): regress_api {
  return {
    how: "event_init", global_base, pair,
    nullbase: () => null,
    event_init: () => {
      const base = event_init();
      expectIntendedBackend(base);
      return base;
    },
    event_set, evtimer_set, timeout_set, evsignal_set, signal_set,
    event_dispatch, event_loop, event_loopexit, event_loopbreak, event_get_method,
    bufferevent_new,
  };
}

/** Their replacements on an explicit base; event_init() here makes the next base they use. */
function explicitBaseApi(global_base: event_base, pair: number[]): regress_api {
  let cur = global_base;
  return {
    how: "event_base_new", global_base, pair,
    nullbase: () => cur,
    event_init: () => (cur = newBase()),
    event_set: (ev, fd, events, cb, arg) => expect(event_assign(ev, cur, fd, events, cb, arg)).toBe(0),
    evtimer_set: (ev, cb, arg) => expect(evtimer_assign(ev, cur, cb, arg)).toBe(0),
    timeout_set: (ev, cb, arg) => expect(evtimer_assign(ev, cur, cb, arg)).toBe(0),
    evsignal_set: (ev, sig, cb, arg) => expect(evsignal_assign(ev, cur, sig, cb, arg)).toBe(0),
    signal_set: (ev, sig, cb, arg) => expect(evsignal_assign(ev, cur, sig, cb, arg)).toBe(0),
    event_dispatch: () => event_base_dispatch(cur),
    event_loop: (flags) => event_base_loop(cur, flags),
    event_loopexit: (tv) => event_base_loopexit(cur, tv),
    event_loopbreak: () => event_base_loopbreak(cur),
    event_get_method: () => event_base_get_method(cur),
    bufferevent_new: (fd, readcb, writecb, errorcb, cbarg) => {
      const bev = bufferevent_socket_new(cur, fd, 0);
      if (bev !== null) bufferevent_setcb(bev, readcb, writecb, errorcb, cbarg);
      return bev;
    },
  };
}

/** What a legacy case asks of the wrapper (TT_NEED_SOCKETPAIR, TT_NO_LOGS; the base is always made). */
export interface legacy_flags {
  pair?: boolean;
  noLogs?: boolean;
}

/**
 * legacy_test_setup: the socketpair, and the base made `how`; basic_test_cleanup at the end of
 * the test (assert_ok, then event_base_free of the wrapper's base, which for event_init() leaves
 * no current base behind).
 */
export function legacy_setup(how: legacy_how, flags: legacy_flags = {}): regress_api {
  expect(event_global_current_base_()).toBeNull(); // each case starts without a current base
  const pair = flags.pair ? nonblockingPair() : [-1, -1];
  let base: event_base;
  if (how === "event_init") {
    base = event_init();
    expectIntendedBackend(base);
  } else {
    base = newBase();
  }
  if (flags.noLogs) event_set_log_callback(() => {});
  onTestFinished(() => {
    if (flags.noLogs) event_set_log_callback(null);
    for (const fd of pair) if (fd !== -1) evutil_closesocket(fd);
    if (!internals(base).freed) {
      event_base_assert_ok_(base);
      event_base_free(base);
    }
    // A case that made more bases with event_init() frees them; none stays current.
    if (event_global_current_base_() !== null && event_global_current_base_() !== base) {
      event_base_free(event_global_current_base_());
    }
    expect(event_global_current_base_()).toBeNull();
  });
  return how === "event_init" ? currentBaseApi(base, pair) : explicitBaseApi(base, pair);
}

/** How a case's title says which way it runs: libevent's way is marked, the other keeps the plain name. */
export function legacy_title(how: legacy_how, name: string, what = ""): string {
  const title = how === "event_init" ? `${name} (LEGACY, event_init)` : name;
  return what === "" ? title : `${title}: ${what}`;
}
