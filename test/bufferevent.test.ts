/**
 * libevent's `bufferevent/` regression group (test/regress_bufferevent.c), socket cases, run once
 * per backend; then the semantics of reference sections 2.12 and 2.13 that the group leaves
 * implicit: suspension by the read high watermark, deferred callbacks merged in libevent's order,
 * timeouts disabling their direction, end of file and errors, freeing from inside callbacks,
 * name lookups, priorities, references, misuse.
 *
 * The LEGACY(...) cases (bufferevent, the flush variants, watermarks) run twice (helpers/legacy.ts):
 * as libevent runs them, with bufferevent_new and event_dispatch on event_init()'s base, and with
 * bufferevent_socket_new and event_base_dispatch on an event_base_new() base. Left to the pair/filter issue: the cases of
 * bufferevent_pair_*, *_filters*, timeout_pair/filter, socket_filter_inactive, filter_data_stuck,
 * and the bufferevent_pair_get_partner checks. bufferevent_pair_release_lock and zlib are out of
 * scope (threads, zlib).
 */
import { closeSync, readdirSync, readFileSync, readlinkSync, unlinkSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  BEV_EVENT_CONNECTED, BEV_EVENT_EOF, BEV_EVENT_ERROR, BEV_EVENT_READING, BEV_EVENT_TIMEOUT, BEV_EVENT_WRITING,
  BEV_FINISHED, BEV_FLUSH, BEV_NORMAL, BEV_OPT_CLOSE_ON_FREE, BEV_OPT_DEFER_CALLBACKS, BEV_OPT_THREADSAFE,
  BEV_OPT_UNLOCK_CALLBACKS, BEV_TRIG_DEFER_CALLBACKS, BEV_TRIG_IGNORE_WATERMARKS, bufferevent, bufferevent_base_set,
  bufferevent_decref, bufferevent_disable, bufferevent_enable, bufferevent_flush, bufferevent_free, bufferevent_get_base,
  bufferevent_get_enabled, bufferevent_get_input, bufferevent_get_output, bufferevent_get_priority,
  bufferevent_get_underlying, bufferevent_getcb, bufferevent_getfd, bufferevent_getwatermark, bufferevent_incref,
  bufferevent_lock, bufferevent_priority_set, bufferevent_read, bufferevent_read_buffer, bufferevent_set_timeouts,
  bufferevent_setcb, bufferevent_setfd, bufferevent_setwatermark, bufferevent_socket_connect,
  bufferevent_socket_connect_hostname, bufferevent_socket_get_dns_error, bufferevent_socket_new, bufferevent_trigger,
  bufferevent_trigger_event, bufferevent_unlock, bufferevent_write, bufferevent_write_buffer,
} from "libevent-ts/event2/bufferevent";
import type { bufferevent_data_cb, bufferevent_event_cb } from "libevent-ts/event2/bufferevent";
import {
  EV_READ, EV_TIMEOUT, EV_WRITE, event, event_add, event_base, event_base_dispatch, event_base_free,
  event_base_loop, event_base_loopbreak, event_base_loopexit, event_base_new, event_base_once, event_base_priority_init, event_pending,
  event_set_log_callback, evtimer_assign, EVLOOP_NONBLOCK, EVLOOP_ONCE, event_base_get_method, event_base_new_with_config,
  event_config_free, event_config_new,
} from "libevent-ts/event2/event";
import {
  evbuffer_add, evbuffer_drain, evbuffer_free, evbuffer_get_length, evbuffer_new, evbuffer_pullup,
} from "libevent-ts/event2/buffer";
import {
  evconnlistener, evconnlistener_enable, evconnlistener_free, evconnlistener_get_fd, evconnlistener_new_bind,
  LEV_OPT_CLOSE_ON_FREE, LEV_OPT_REUSEABLE,
} from "libevent-ts/event2/listener";
import {
  AF_INET, AF_INET6, AF_UNIX, AF_UNSPEC, bind, EAGAIN, EBADF, strerror, ECONNREFUSED, ECONNRESET, errno, EVUTIL_EAI_NONAME, evutil_closesocket, getsockname,
  htonl, memset, recv, send, shutdown, SHUT_WR, sizeof, SOCK_STREAM, sockaddr, sockaddr_in, sockaddr_storage,
  sockaddr_un, socket, timeval, ntohs, evutil_socketpair, read, write,
} from "libevent-ts/event2/util";
import { eachBackend } from "./helpers/backends.js";
import { checkFdLeaks } from "./helpers/fds.js";
import { basic_setup } from "./helpers/setup.js";
import { legacy_how, legacy_hows, legacy_setup, legacy_title } from "./helpers/legacy.js";
import { run_bufferevent_timeouts } from "./helpers/bufferevent_timeouts.js";
import { now, test_timeval_diff_eq } from "./helpers/timing.js";

checkFdLeaks();

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A TEST_STR as the C tests send it: `sizeof(s)` bytes, the NUL included. */
const TEST_STR = "Now is the time for all good events to signal for the good of their protocol";

/** Whether fd is still open (/proc knows). */
function fdOpen(fd: number): boolean {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`) !== "";
  } catch {
    return false;
  }
}

function localhost(): sockaddr_in {
  const sin = new sockaddr_in();
  memset(sin, 0, sizeof(sin));
  sin.sin_port = 0; // pick-a-port
  sin.sin_addr.s_addr = htonl(0x7f000001);
  sin.sin_family = AF_INET;
  return sin;
}

/** regress_get_listener_addr */
function listenerAddr(lev: evconnlistener): sockaddr_storage {
  const ss = new sockaddr_storage();
  const slen = { value: sizeof(ss) };
  expect(getsockname(evconnlistener_get_fd(lev), ss, slen)).toBe(0);
  return ss;
}

/** fake_listener_create: bound but not listening, so a connect is refused. */
function fake_listener_create(sin: sockaddr_in): number {
  const fd = socket(sin.sin_family, SOCK_STREAM, 0);
  expect(fd).toBeGreaterThanOrEqual(0);
  expect(bind(fd, sin, sizeof(sin))).toBe(0);
  const slen = { value: sizeof(sin) };
  expect(getsockname(fd, sin, slen)).toBe(0);
  return fd;
}

// ----------------------------------------------------------------------------------------------
// The shared state of the connect/trigger tests (globals of regress_bufferevent.c)

let bufferevent_connect_test_flags = 0;
let bufferevent_trigger_test_flags = 0;
let n_strings_read = 0;
let n_reads_invoked = 0;
let n_events_invoked = 0;
let failures: string[] = [];

function reset(): void {
  bufferevent_connect_test_flags = bufferevent_trigger_test_flags = 0;
  n_strings_read = n_reads_invoked = n_events_invoked = 0;
  failures = [];
}

const sender_writecb: bufferevent_data_cb = (bev) => {
  if (evbuffer_get_length(bufferevent_get_output(bev)) === 0) {
    bufferevent_disable(bev, EV_READ | EV_WRITE);
    bufferevent_free(bev);
  }
};

const sender_errorcb: bufferevent_event_cb = (_bev, what) => {
  failures.push(`Got sender error ${what}`);
};

function listen_cb(_listener: evconnlistener, fd: number, _sa: sockaddr, _socklen: number, base: event_base): void {
  const bev = bufferevent_socket_new(base, fd, bufferevent_connect_test_flags);
  expect(bev).not.toBeNull();
  bufferevent_setcb(bev!, null, sender_writecb, sender_errorcb, null);
  bufferevent_write(bev!, `${TEST_STR}\0`, TEST_STR.length + 1);
}

const reader_eventcb: bufferevent_event_cb<event_base> = (bev, what, base) => {
  if (what & BEV_EVENT_ERROR) {
    failures.push(`got connector error ${what}`);
    return;
  }
  if (what & BEV_EVENT_CONNECTED) bufferevent_enable(bev, EV_READ);
  if (what & BEV_EVENT_EOF) {
    const buf = new Uint8Array(512);
    const n = bufferevent_read(bev, buf, buf.length - 1);
    expect(n).toBeGreaterThanOrEqual(0);
    const nul = buf.indexOf(0);
    expect(dec.decode(buf.subarray(0, nul))).toBe(TEST_STR);
    if (++n_strings_read === 2) event_base_loopexit(base, null);
  }
};

const reader_eventcb_simple: bufferevent_event_cb = () => {
  n_events_invoked++;
};

const reader_readcb: bufferevent_data_cb = () => {
  n_reads_invoked++;
};

eachBackend(() => {
  describe("bufferevent", () => {
    // --------------------------------------------------------------------------------------------
    // test_bufferevent_impl: bufferevent, bufferevent_flush_normal/_flush/_finished

    function test_bufferevent_impl(how: legacy_how, flush: number): void {
      const R = legacy_setup(how, { pair: true });
      let test_ok = 0;
      const readcb: bufferevent_data_cb = (bev) => {
        if (evbuffer_get_length(bev.input) === 8333) {
          const evbuf = evbuffer_new();
          // gratuitous test of bufferevent_read_buffer
          bufferevent_read_buffer(bev, evbuf);
          bufferevent_disable(bev, EV_READ);
          if (evbuffer_get_length(evbuf) === 8333) test_ok++;
          evbuffer_free(evbuf);
        }
      };
      const writecb: bufferevent_data_cb = (bev) => {
        if (evbuffer_get_length(bev.output) === 0) test_ok++;
      };
      const errorcb: bufferevent_event_cb = () => {
        test_ok = -2;
      };

      const bev1 = R.bufferevent_new(R.pair[0]!, readcb, writecb, errorcb, null)!;
      const bev2 = R.bufferevent_new(R.pair[1]!, readcb, writecb, errorcb, null)!;
      expect(bufferevent_getfd(bev1)).toBe(R.pair[0]);
      expect(bufferevent_get_underlying(bev1)).toBeNull();
      // C leaves a legacy bufferevent's base NULL and looks the current base up at each use.
      expect(bufferevent_get_base(bev1)).toBe(R.global_base);

      // Test getcb.
      const r = { value: null as bufferevent_data_cb | null };
      const w = { value: null as bufferevent_data_cb | null };
      const e = { value: null as bufferevent_event_cb | null };
      const a = { value: 1 as unknown };
      bufferevent_getcb(bev1, r, w, e, a);
      expect(r.value).toBe(readcb);
      expect(w.value).toBe(writecb);
      expect(e.value).toBe(errorcb);
      expect(a.value).toBeNull();

      bufferevent_disable(bev1, EV_READ);
      bufferevent_enable(bev2, EV_READ);

      expect(bufferevent_get_enabled(bev1)).toBe(EV_WRITE);
      expect(bufferevent_get_enabled(bev2)).toBe(EV_WRITE | EV_READ);

      const buffer = new Uint8Array(8333);
      for (let i = 0; i < buffer.length; i++) buffer[i] = i & 0xff;
      bufferevent_write(bev1, buffer, buffer.length);
      if (flush >= 0) expect(bufferevent_flush(bev1, EV_WRITE, flush)).toBeGreaterThanOrEqual(0);

      R.event_dispatch();

      bufferevent_free(bev2);
      bufferevent_free(bev1);
      expect(test_ok).toBe(2);
    }

    for (const how of legacy_hows) {
      it(legacy_title(how, "bufferevent", "8333 bytes from one socket bufferevent to another; getcb, getfd, get_underlying, get_enabled"), () => {
        test_bufferevent_impl(how, -1);
      });
      it(legacy_title(how, "bufferevent_flush_normal", "flush returns >= 0 and changes nothing"), () => test_bufferevent_impl(how, BEV_NORMAL));
      it(legacy_title(how, "bufferevent_flush_flush"), () => test_bufferevent_impl(how, BEV_FLUSH));
      it(legacy_title(how, "bufferevent_flush_finished"), () => test_bufferevent_impl(how, BEV_FINISHED));
    }

    // --------------------------------------------------------------------------------------------

    for (const how of legacy_hows) it(legacy_title(how, "bufferevent_watermarks",
      "every read callback sees 10..20 of 65000 bytes; the write callback runs at <= 100 bytes"), () => {
      const R = legacy_setup(how, { pair: true });
      let test_ok = 0;
      let nread = 0;
      const wm_readcb: bufferevent_data_cb = (bev) => {
        const evbuf = evbuffer_new();
        const len = evbuffer_get_length(bev.input);
        expect(len).toBeGreaterThanOrEqual(10);
        expect(len).toBeLessThanOrEqual(20);
        bufferevent_read_buffer(bev, evbuf);
        nread += len;
        if (nread === 65000) {
          bufferevent_disable(bev, EV_READ);
          test_ok++;
        }
        evbuffer_free(evbuf);
      };
      const wm_writecb: bufferevent_data_cb = (bev) => {
        expect(evbuffer_get_length(bev.output)).toBeLessThanOrEqual(100);
        if (evbuffer_get_length(bev.output) === 0) {
          evbuffer_drain(bev.output, evbuffer_get_length(bev.output));
          test_ok++;
        }
      };
      const wm_errorcb: bufferevent_event_cb = () => {
        test_ok = -2;
      };

      const bev1 = R.bufferevent_new(R.pair[0]!, null, wm_writecb, wm_errorcb, null)!;
      const bev2 = R.bufferevent_new(R.pair[1]!, wm_readcb, null, wm_errorcb, null)!;
      bufferevent_disable(bev1, EV_READ);
      bufferevent_enable(bev2, EV_READ);

      // By default, low watermarks are set to 0
      const low = { value: -1 };
      const high = { value: -1 };
      bufferevent_getwatermark(bev1, EV_READ, low, null);
      expect(low.value).toBe(0);
      bufferevent_getwatermark(bev2, EV_WRITE, low, null);
      expect(low.value).toBe(0);

      const buffer = new Uint8Array(65000);
      for (let i = 0; i < buffer.length; i++) buffer[i] = i & 0xff;

      // limit the reading on the receiving bufferevent
      bufferevent_setwatermark(bev2, EV_READ, 10, 20);
      bufferevent_getwatermark(bev2, EV_READ, low, high);
      expect([low.value, high.value]).toEqual([10, 20]);

      // Tell the sending bufferevent not to notify us till it's down to 100 bytes.
      bufferevent_setwatermark(bev1, EV_WRITE, 100, 2000);
      bufferevent_getwatermark(bev1, EV_WRITE, low, high);
      expect([low.value, high.value]).toEqual([100, 2000]);

      expect(bufferevent_getwatermark(bev1, EV_WRITE | EV_READ, low, high)).not.toBe(0);

      bufferevent_write(bev1, buffer, buffer.length);

      R.event_dispatch();

      expect(test_ok).toBe(2);
      // The write callback drained all the data from outbuf, so we should have removed the write event...
      expect(event_pending(bev2.ev_write, EV_WRITE, null)).toBe(0);

      bufferevent_free(bev1);
      bufferevent_free(bev2);
    });

    // --------------------------------------------------------------------------------------------
    // test_bufferevent_connect: bufferevent_connect, _defer, _lock, _lock_defer, _unlocked_cbs

    for (const setup of ["", "defer", "lock", "defer lock", "lock defer unlocked"]) {
      const name = { "": "bufferevent_connect", defer: "bufferevent_connect_defer", lock: "bufferevent_connect_lock",
        "defer lock": "bufferevent_connect_lock_defer", "lock defer unlocked": "bufferevent_connect_unlocked_cbs" }[setup];
      it(`${name}: two bufferevents connect to a listener: CONNECTED, the data, EOF with the exact string`, () => {
        reset();
        const data = basic_setup({ base: true });
        const base = data.base!;
        let be_flags = BEV_OPT_CLOSE_ON_FREE;
        if (setup.includes("defer")) be_flags |= BEV_OPT_DEFER_CALLBACKS;
        if (setup.includes("unlocked")) be_flags |= BEV_OPT_UNLOCK_CALLBACKS;
        if (setup.includes("lock")) be_flags |= BEV_OPT_THREADSAFE;
        bufferevent_connect_test_flags = be_flags;

        const sin = localhost();
        const lev = evconnlistener_new_bind(base, listen_cb, base, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 16, sin, sizeof(sin));
        expect(lev).not.toBeNull();
        const ss = listenerAddr(lev!);

        expect(evconnlistener_enable(lev!)).toBe(0);
        const bev1 = bufferevent_socket_new(base, -1, be_flags)!;
        const bev2 = bufferevent_socket_new(base, -1, be_flags)!;
        expect(bev1).not.toBeNull();
        expect(bev2).not.toBeNull();
        bufferevent_setcb(bev1, reader_readcb, null, reader_eventcb, base);
        bufferevent_setcb(bev2, reader_readcb, null, reader_eventcb, base);

        bufferevent_enable(bev1, EV_READ);
        bufferevent_enable(bev2, EV_READ);

        expect(bufferevent_socket_connect(bev1, ss, sizeof(sin))).toBe(0);
        expect(bufferevent_socket_connect(bev2, ss, sizeof(sin))).toBe(0);

        event_base_dispatch(base);

        expect(failures).toEqual([]);
        expect(n_strings_read).toBe(2);
        expect(n_reads_invoked).toBeGreaterThanOrEqual(2);

        evconnlistener_free(lev!);
        bufferevent_free(bev1);
        bufferevent_free(bev2);
      });
    }

    it("bufferevent_connect_fail: a connect to a bound, non-listening port gives one ERROR", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      let test_ok = 0;
      const sin = localhost();
      const fake = { fd: fake_listener_create(sin) };
      const bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS)!;
      let errnoSeen = 0;
      bufferevent_setcb(bev, null, null, (_b, what, ctx: event_base) => {
        if (what & BEV_EVENT_ERROR) {
          errnoSeen = errno;
          test_ok = 1;
        } else {
          failures.push(`didn't fail? what ${what}`);
        }
        event_base_loopexit(ctx, null);
      }, base);

      const r = bufferevent_socket_connect(bev, sin, sizeof(sin));
      expect(r === 0 || r === -1).toBe(true);

      // Close the listener socket after a delay.
      const close_listener_event = new event();
      evtimer_assign(close_listener_event, base, (_fd, _what, f: { fd: number }) => {
        if (f.fd >= 0) {
          evutil_closesocket(f.fd);
          f.fd = -1;
        }
      }, fake);
      event_add(close_listener_event, new timeval(0, 300000));

      event_base_dispatch(base);

      expect(test_ok).toBe(1);
      expect(errnoSeen).toBe(ECONNREFUSED);
      if (fake.fd >= 0) evutil_closesocket(fake.fd);
      bufferevent_free(bev);
    });

    for (const defer of [true, false]) {
      it(`bufferevent_connect_fail_eventcb${defer ? "_defer" : ""}: a refused connect with READ|WRITE enabled: exactly one event callback, no read/write callback`, () => {
        reset();
        const data = basic_setup({ base: true });
        const base = data.base!;
        const flags = BEV_OPT_CLOSE_ON_FREE | (defer ? BEV_OPT_DEFER_CALLBACKS : 0);
        const sin = localhost();
        const fake = { fd: fake_listener_create(sin) };
        expect(n_events_invoked).toBe(0);

        const bev = bufferevent_socket_new(base, -1, flags)!;
        bufferevent_setcb(bev, reader_readcb, reader_readcb, reader_eventcb_simple, base);
        bufferevent_enable(bev, EV_READ | EV_WRITE);
        expect(n_events_invoked).toBe(0);
        expect(n_reads_invoked).toBe(0);

        const r = bufferevent_socket_connect(bev, sin, sizeof(sin));
        expect(r === 0 || r === -1).toBe(true);
        expect(n_events_invoked).toBe(0);
        expect(n_reads_invoked).toBe(0);

        const close_listener_event = new event();
        evtimer_assign(close_listener_event, base, (_fd, _what, f: { fd: number }) => {
          if (f.fd >= 0) {
            evutil_closesocket(f.fd);
            f.fd = -1;
          }
        }, fake);
        event_add(close_listener_event, new timeval(0, 300000));

        event_base_dispatch(base);
        expect(n_events_invoked).toBe(1);
        expect(n_reads_invoked).toBe(0);

        bufferevent_free(bev);
        if (fake.fd >= 0) evutil_closesocket(fake.fd);
      });
    }

    it("bufferevent_timeout: write timeout at 100 ms, read timeout at 150 ms, once each; the idle bufferevent times out writing only; no read or write callbacks", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;

      // The C test has no socketpair here: both bufferevents are on fd -1, their events pure timers.
      const bev1 = bufferevent_socket_new(base, -1, 0)!;
      const bev2 = bufferevent_socket_new(base, -1, 0)!;

      const { started_at, res1, res2 } = run_bufferevent_timeouts(base, bev1, bev2);

      expect(res1.total_calls).toBe(2);
      expect(res1.n_read_timeouts).toBe(1);
      expect(res1.n_write_timeouts).toBe(1);
      expect(res2.total_calls).toBe(1);
      expect(res2.n_write_timeouts).toBe(1);
      expect(res2.n_read_timeouts).toBe(0);

      test_timeval_diff_eq(started_at, res1.read_timeout_at, 150);
      test_timeval_diff_eq(started_at, res1.write_timeout_at, 100);

      for (const tv of [res1.last_read_at, res2.last_read_at, res2.last_wrote_at]) {
        expect([tv.tv_sec, tv.tv_usec]).toEqual([0, 0]);
      }
      bufferevent_free(bev1);
      bufferevent_free(bev2);
    });

    // --------------------------------------------------------------------------------------------
    // test_bufferevent_trigger: bufferevent_trigger, _defer, _postpone, _defer_postpone

    for (const setup of ["", "defer", "postpone", "defer postpone"]) {
      const name = `bufferevent_trigger${setup ? "_" + setup.replace(" ", "_") : ""}`;
      it(`${name}: bufferevent_trigger honours the low watermark, BEV_TRIG_IGNORE_WATERMARKS and deferral; trigger_event(~0)`, () => {
        reset();
        const data = basic_setup({ base: true });
        const base = data.base!;
        let be_flags = BEV_OPT_CLOSE_ON_FREE;
        let trig_flags = 0;
        if (setup.includes("defer")) be_flags |= BEV_OPT_DEFER_CALLBACKS;
        bufferevent_connect_test_flags = be_flags;
        if (setup.includes("postpone")) trig_flags |= BEV_TRIG_DEFER_CALLBACKS;
        bufferevent_trigger_test_flags = trig_flags;

        let failedTimeout = false;
        const trigger_eventcb: bufferevent_event_cb<event_base> = (bev, what, ctx) => {
          if (what === ~0) {
            event_base_loopexit(ctx, null);
            return;
          }
          reader_eventcb(bev, what, ctx);
        };
        const trigger_readcb_triggered: bufferevent_data_cb = (bev) => {
          n_reads_invoked++;
          bufferevent_trigger_event(bev, ~0, bufferevent_trigger_test_flags);
        };
        const trigger_readcb: bufferevent_data_cb<event_base> = (bev, ctx) => {
          const expected = ++n_reads_invoked;
          let expected_reads = expected;
          bufferevent_setcb(bev, trigger_readcb_triggered, null, trigger_eventcb, ctx);

          const low = { value: 0 };
          const high = { value: 0 };
          bufferevent_getwatermark(bev, EV_READ, low, high);
          const len = evbuffer_get_length(bufferevent_get_input(bev));

          bufferevent_setwatermark(bev, EV_READ, len + 1, 0);
          bufferevent_trigger(bev, EV_READ, bufferevent_trigger_test_flags);
          // no callback expected
          expect(n_reads_invoked).toBe(expected_reads);

          if (!(bufferevent_trigger_test_flags & BEV_TRIG_DEFER_CALLBACKS) &&
              !(bufferevent_connect_test_flags & BEV_OPT_DEFER_CALLBACKS)) {
            expected_reads++; // not deferred
          }

          event_base_once(ctx, -1, EV_TIMEOUT, () => {
            failedTimeout = true;
          }, null, new timeval(30, 0));

          bufferevent_trigger(bev, EV_READ, bufferevent_trigger_test_flags | BEV_TRIG_IGNORE_WATERMARKS);
          expect(n_reads_invoked).toBe(expected_reads);

          bufferevent_setwatermark(bev, EV_READ, low.value, high.value);
        };

        const sin = localhost();
        const lev = evconnlistener_new_bind(base, listen_cb, base, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 16, sin, sizeof(sin))!;
        const ss = listenerAddr(lev);
        expect(evconnlistener_enable(lev)).toBe(0);
        const bev = bufferevent_socket_new(base, -1, be_flags)!;
        bufferevent_setcb(bev, trigger_readcb, null, trigger_eventcb, base);
        bufferevent_enable(bev, EV_READ);
        expect(bufferevent_socket_connect(bev, ss, sizeof(sin))).toBe(0);

        event_base_dispatch(base);

        expect(failures).toEqual([]);
        expect(failedTimeout).toBe(false);
        expect(n_reads_invoked).toBe(2);
        evconnlistener_free(lev);
        bufferevent_free(bev);
      });
    }

    // --------------------------------------------------------------------------------------------
    // Reference 2.12 / 2.13 beyond the regression group

    it("a new bufferevent has only EV_WRITE enabled: nothing is read until EV_READ is enabled", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      const bev = bufferevent_socket_new(base, data.pair[0]!, 0)!;
      let reads = 0;
      bufferevent_setcb(bev, () => reads++, null, null, null);
      expect(bufferevent_get_enabled(bev)).toBe(EV_WRITE);
      expect(event_pending(bev.ev_read, EV_READ, null)).toBe(0);
      expect(event_pending(bev.ev_write, EV_WRITE, null)).toBe(0); // nothing to write yet
      expect(send(data.pair[1]!, "abc", 3, 0)).toBe(3);
      expect(event_base_loop(base, EVLOOP_NONBLOCK)).toBe(1);
      expect(reads).toBe(0);
      bufferevent_enable(bev, EV_READ);
      event_base_loop(base, EVLOOP_ONCE);
      expect(reads).toBe(1);
      expect(evbuffer_get_length(bev.input)).toBe(3);
      bufferevent_free(bev);
    });

    it("the input and output buffers are frozen for the user where libevent owns them", () => {
      const data = basic_setup({ base: true, pair: true });
      const bev = bufferevent_socket_new(data.base!, data.pair[0]!, 0)!;
      expect(evbuffer_add(bufferevent_get_input(bev), "x", 1)).toBe(-1);
      expect(bufferevent_write(bev, "hello", 5)).toBe(0);
      expect(evbuffer_drain(bufferevent_get_output(bev), 1)).toBe(-1);
      expect(evbuffer_get_length(bev.output)).toBe(5);
      bufferevent_free(bev);
    });

    it("the read high watermark suspends reading and draining the input resumes it by itself; each read is capped at the mark", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      const bev = bufferevent_socket_new(base, data.pair[0]!, 0)!;
      const sizes: number[] = [];
      let hold = true;
      let total = 0;
      bufferevent_setcb(bev, (b) => {
        const len = evbuffer_get_length(b.input);
        sizes.push(len);
        if (hold) {
          // Leave the input at the mark. (As libevent does, the read callback would now be called
          // again and again until the input drops below the mark: stop the loop instead.)
          event_base_loopbreak(base);
        } else {
          total += len;
          evbuffer_drain(b.input, -1);
        }
      }, null, null, null);
      bufferevent_setwatermark(bev, EV_READ, 0, 100);
      bufferevent_enable(bev, EV_READ);
      expect(send(data.pair[1]!, new Uint8Array(1000), 1000, 0)).toBe(1000);

      event_base_dispatch(base);
      expect(sizes).toEqual([100]);
      // At the mark: reading is suspended (the event is not pending) but still enabled for the user.
      expect(event_pending(bev.ev_read, EV_READ, null)).toBe(0);
      expect(bufferevent_get_enabled(bev) & EV_READ).toBe(EV_READ);

      // Draining below the mark resumes reading at once, from the buffer's own callback.
      evbuffer_drain(bev.input, 60);
      expect(event_pending(bev.ev_read, EV_READ, null)).toBe(EV_READ);
      hold = false;
      total = 60;
      while (total < 1000) event_base_loop(base, EVLOOP_ONCE);
      expect(total).toBe(1000);
      expect(Math.max(...sizes)).toBe(100);
      bufferevent_free(bev);
    });

    it("a read callback that leaves the input at the high watermark is called again (deferred)", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      const bev = bufferevent_socket_new(base, data.pair[0]!, 0)!;
      let calls = 0;
      bufferevent_setcb(bev, (b) => {
        if (++calls === 3) evbuffer_drain(b.input, -1);
      }, null, null, null);
      bufferevent_setwatermark(bev, EV_READ, 0, 10);
      bufferevent_enable(bev, EV_READ);
      expect(send(data.pair[1]!, new Uint8Array(10), 10, 0)).toBe(10);
      for (let i = 0; i < 5 && calls < 3; i++) event_base_loop(base, EVLOOP_ONCE);
      expect(calls).toBe(3);
      bufferevent_free(bev);
    });

    it("the write callback runs once the output is at or below the low watermark; enabling EV_WRITE on an idle bufferevent calls it once", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      const bev = bufferevent_socket_new(base, data.pair[0]!, 0)!;
      const lens: number[] = [];
      bufferevent_setcb(bev, null, (b) => lens.push(evbuffer_get_length(b.output)), null, null);
      bufferevent_enable(bev, EV_WRITE);
      event_base_loop(base, EVLOOP_ONCE);
      expect(lens).toEqual([0]);
      expect(event_pending(bev.ev_write, EV_WRITE, null)).toBe(0); // nothing left: the write event went
      bufferevent_free(bev);
    });

    it("deferred callbacks are merged: one read and one write callback, CONNECTED first, the other event bits ORed, errno restored", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      const bev = bufferevent_socket_new(base, data.pair[0]!, BEV_OPT_DEFER_CALLBACKS)!;
      const log: string[] = [];
      bufferevent_setcb(bev, () => log.push("read"), () => log.push("write"),
        (_b, what) => log.push(`event 0x${what.toString(16)} errno ${errno}`), null);
      bufferevent_trigger(bev, EV_READ, 0);
      bufferevent_trigger(bev, EV_WRITE, 0);
      bufferevent_trigger(bev, EV_READ, 0);
      bufferevent_trigger_event(bev, BEV_EVENT_READING | BEV_EVENT_EOF, 0);
      bufferevent_trigger_event(bev, BEV_EVENT_CONNECTED, 0);
      expect(recv(data.pair[0]!, new Uint8Array(1), 1, 0)).toBe(-1); // errno EAGAIN
      bufferevent_trigger_event(bev, BEV_EVENT_WRITING | BEV_EVENT_ERROR, 0);
      expect(shutdown(-1, SHUT_WR)).toBe(-1); // errno changes again before the loop runs
      expect(log).toEqual([]);
      event_base_loop(base, EVLOOP_ONCE);
      expect(log.map((l) => l.replace(/ errno \d+$/, ""))).toEqual([
        `event 0x${BEV_EVENT_CONNECTED.toString(16)}`,
        "read",
        "write",
        `event 0x${(BEV_EVENT_READING | BEV_EVENT_EOF | BEV_EVENT_WRITING | BEV_EVENT_ERROR).toString(16)}`,
      ]);
      // The last event callback sees errno as it was when its events happened.
      expect(log[3]).toMatch(new RegExp(` errno ${EAGAIN}$`));
      bufferevent_free(bev);
    });

    it("a read or write timeout disables its direction; re-enabling re-arms it", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      const bev = bufferevent_socket_new(base, data.pair[0]!, 0)!;
      const whats: number[] = [];
      bufferevent_setcb(bev, null, null, (_b, what) => whats.push(what), null);
      bufferevent_set_timeouts(bev, new timeval(0, 50000), null);
      bufferevent_enable(bev, EV_READ);
      event_base_dispatch(base);
      expect(whats).toEqual([BEV_EVENT_READING | BEV_EVENT_TIMEOUT]);
      expect(bufferevent_get_enabled(bev) & EV_READ).toBe(0);
      bufferevent_enable(bev, EV_READ);
      event_base_dispatch(base);
      expect(whats).toEqual([BEV_EVENT_READING | BEV_EVENT_TIMEOUT, BEV_EVENT_READING | BEV_EVENT_TIMEOUT]);

      // Data arriving in time resets the read timeout.
      bufferevent_enable(bev, EV_READ);
      const started = now();
      const ping = new event();
      let pings = 0;
      evtimer_assign(ping, base, () => {
        send(data.pair[1]!, "p", 1, 0);
        if (++pings < 3) event_add(ping, new timeval(0, 30000));
      }, null);
      event_add(ping, new timeval(0, 30000));
      event_base_dispatch(base);
      expect(whats.length).toBe(3);
      test_timeval_diff_eq(started, now(), 90 + 50);

      // A write timeout starts when there is something to write and the peer does not take it.
      bufferevent_set_timeouts(bev, null, new timeval(0, 50000));
      const big = new Uint8Array(1 << 20);
      bufferevent_write(bev, big, big.length);
      event_base_dispatch(base);
      expect(whats[3]).toBe(BEV_EVENT_WRITING | BEV_EVENT_TIMEOUT);
      expect(bufferevent_get_enabled(bev) & EV_WRITE).toBe(0);
      bufferevent_free(bev);
    });

    it("bufferevent_set_timeouts on pending events applies at once; a zero timeval clears", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      const bev = bufferevent_socket_new(base, data.pair[0]!, 0)!;
      bufferevent_enable(bev, EV_READ);
      expect(event_pending(bev.ev_read, EV_TIMEOUT, null)).toBe(0);
      bufferevent_set_timeouts(bev, new timeval(5, 0), null);
      const tv = new timeval();
      expect(event_pending(bev.ev_read, EV_TIMEOUT, tv)).toBe(EV_TIMEOUT);
      expect(tv.tv_sec - now().tv_sec).toBeGreaterThanOrEqual(4);
      bufferevent_set_timeouts(bev, new timeval(0, 0), null);
      expect(event_pending(bev.ev_read, EV_TIMEOUT, null)).toBe(0);
      expect(event_pending(bev.ev_read, EV_READ, null)).toBe(EV_READ);
      bufferevent_free(bev);
    });

    it("end of file: EV_READ is disabled, READING|EOF reported, data already read stays in the input", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      const bev = bufferevent_socket_new(base, data.pair[0]!, 0)!;
      const whats: number[] = [];
      bufferevent_setcb(bev, null, null, (_b, what) => whats.push(what), null);
      bufferevent_enable(bev, EV_READ);
      expect(send(data.pair[1]!, "abc", 3, 0)).toBe(3);
      expect(shutdown(data.pair[1]!, SHUT_WR)).toBe(0);
      event_base_dispatch(base);
      expect(whats).toEqual([BEV_EVENT_READING | BEV_EVENT_EOF]);
      expect(bufferevent_get_enabled(bev)).toBe(EV_WRITE);
      expect(dec.decode(evbuffer_pullup(bev.input, -1)!)).toBe("abc");
      bufferevent_free(bev);
    });

    it("a reset connection: READING|ERROR with errno ECONNRESET, reading disabled", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      const bev = bufferevent_socket_new(base, data.pair[0]!, 0)!;
      const log: string[] = [];
      bufferevent_setcb(bev, () => log.push("read"), null, (_b, what) => log.push(`0x${what.toString(16)} ${errno}`), null);
      bufferevent_enable(bev, EV_READ);
      // The peer closes with data it never read: the connection is reset.
      expect(bufferevent_write(bev, "unread", 6)).toBe(0);
      while (evbuffer_get_length(bev.output)) event_base_loop(base, EVLOOP_ONCE);
      evutil_closesocket(data.pair[1]!);
      data.pair[1] = -1;
      event_base_dispatch(base);
      expect(log).toEqual([`0x${(BEV_EVENT_READING | BEV_EVENT_ERROR).toString(16)} ${ECONNRESET}`]);
      expect(bufferevent_get_enabled(bev) & EV_READ).toBe(0);
      bufferevent_free(bev);
    });

    for (const where of ["read", "write", "event", "deferred read"]) {
      it(`bufferevent_free inside the ${where} callback is safe: no later callback, the socket closed (BEV_OPT_CLOSE_ON_FREE)`, () => {
        const data = basic_setup({ base: true, pair: true });
        const base = data.base!;
        const fd = data.pair[0]!;
        data.pair[0] = -1;
        const bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE | (where === "deferred read" ? BEV_OPT_DEFER_CALLBACKS : 0))!;
        const calls: string[] = [];
        const free = (name: string) => (b: bufferevent) => {
          calls.push(name);
          bufferevent_free(b);
          expect(() => bufferevent_free(b)).toThrow(/already freed/);
        };
        if (where === "write") {
          bufferevent_setcb(bev, (b) => calls.push("read"), free("write"), (b, w) => calls.push(`event ${w}`), null);
          bufferevent_write(bev, "x", 1);
        } else if (where === "event") {
          bufferevent_setcb(bev, (b) => calls.push("read"), (b) => calls.push("write"), (b) => free("event")(b), null);
          shutdown(data.pair[1]!, SHUT_WR);
        } else {
          bufferevent_setcb(bev, free("read"), (b) => calls.push("write"), (b, w) => calls.push(`event ${w}`), null);
          send(data.pair[1]!, "abc", 3, 0);
          shutdown(data.pair[1]!, SHUT_WR);
        }
        bufferevent_enable(bev, EV_READ);
        expect(fdOpen(fd)).toBe(true);
        expect(event_base_dispatch(base)).toBe(1);
        expect(calls).toEqual([where === "deferred read" ? "read" : where]);
        expect(fdOpen(fd)).toBe(false);
        expect(() => bufferevent_get_input(bev)).toThrow(/bufferevent_get_input: the bufferevent was freed/);
      });
    }

    it("a callback that throws: the exception leaves the loop, the bufferevent stays consistent and can be freed", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      const fd = data.pair[0]!;
      data.pair[0] = -1;
      const bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE)!;
      let reads = 0;
      bufferevent_setcb(bev, (b) => {
        reads++;
        evbuffer_drain(b.input, -1);
        throw new Error("from readcb");
      }, null, null, null);
      bufferevent_enable(bev, EV_READ);
      send(data.pair[1]!, "a", 1, 0);
      expect(() => event_base_dispatch(base)).toThrow("from readcb");
      // Still reading: the next data comes through the same way.
      send(data.pair[1]!, "b", 1, 0);
      expect(() => event_base_dispatch(base)).toThrow("from readcb");
      expect(reads).toBe(2);
      bufferevent_free(bev);
      expect(event_base_dispatch(base)).toBe(1);
      expect(fdOpen(fd)).toBe(false);
    });

    it("pending deferred callbacks do nothing once the bufferevent is freed", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      const bev = bufferevent_socket_new(base, data.pair[0]!, BEV_OPT_DEFER_CALLBACKS)!;
      let calls = 0;
      bufferevent_setcb(bev, () => calls++, () => calls++, () => calls++, null);
      bufferevent_trigger(bev, EV_READ | EV_WRITE, 0);
      bufferevent_trigger_event(bev, BEV_EVENT_EOF, 0);
      bufferevent_free(bev);
      expect(event_base_dispatch(base)).toBe(1);
      expect(calls).toBe(0);
    });

    it("bufferevent_incref/decref and lock/unlock keep a freed bufferevent alive until the last reference", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      const fd = data.pair[0]!;
      data.pair[0] = -1;
      const bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE)!;
      bufferevent_incref(bev);
      bufferevent_lock(bev);
      bufferevent_free(bev);
      event_base_loop(base, EVLOOP_NONBLOCK);
      expect(fdOpen(fd)).toBe(true);
      expect(evbuffer_get_length(bufferevent_get_input(bev))).toBe(0);
      bufferevent_unlock(bev);
      event_base_loop(base, EVLOOP_NONBLOCK);
      expect(fdOpen(fd)).toBe(true);
      expect(bufferevent_decref(bev)).toBe(1);
      event_base_loop(base, EVLOOP_NONBLOCK);
      expect(fdOpen(fd)).toBe(false);
      expect(() => bufferevent_decref(bev)).toThrow(TypeError);
    });

    it("bufferevent_setfd moves the events to a new fd and re-enables what the user enabled; getfd follows", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      const bev = bufferevent_socket_new(base, -1, 0)!;
      expect(bufferevent_getfd(bev)).toBe(-1);
      let got = "";
      bufferevent_setcb(bev, (b) => {
        const buf = new Uint8Array(16);
        got += dec.decode(buf.subarray(0, bufferevent_read(b, buf, buf.length)));
      }, null, null, null);
      bufferevent_enable(bev, EV_READ);
      expect(bufferevent_setfd(bev, data.pair[0]!)).toBe(0);
      expect(bufferevent_getfd(bev)).toBe(data.pair[0]);
      expect(event_pending(bev.ev_read, EV_READ, null)).toBe(EV_READ);
      send(data.pair[1]!, "moved", 5, 0);
      event_base_loop(base, EVLOOP_ONCE);
      expect(got).toBe("moved");
      bufferevent_free(bev);
    });

    it("bufferevent_priority_set / get_priority; bufferevent_base_set moves an unused bufferevent", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      event_base_priority_init(base, 4);
      const bev = bufferevent_socket_new(base, data.pair[0]!, 0)!;
      expect(bufferevent_get_priority(bev)).toBe(2);
      expect(bufferevent_priority_set(bev, 0)).toBe(0);
      expect(bufferevent_get_priority(bev)).toBe(0);
      expect(bufferevent_priority_set(bev, 4)).toBe(-1);
      expect(bufferevent_get_base(bev)).toBe(base);

      const base2 = event_base_new()!;
      expect(bufferevent_base_set(base2, bev)).toBe(0);
      expect(bufferevent_get_base(bev)).toBe(base2);
      bufferevent_enable(bev, EV_READ);
      send(data.pair[1]!, "x", 1, 0);
      let reads = 0;
      bufferevent_setcb(bev, () => reads++, null, null, null);
      expect(event_base_loop(base, EVLOOP_NONBLOCK)).toBe(1);
      event_base_loop(base2, EVLOOP_ONCE);
      expect(reads).toBe(1);
      expect(bufferevent_base_set(base, bev)).toBe(-1); // its events are in use
      bufferevent_free(bev);
      event_base_loop(base2, EVLOOP_NONBLOCK);
      event_base_free(base2);
    });

    it("bufferevent_write_buffer and bufferevent_read move data whole; the peer receives it", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      const bev = bufferevent_socket_new(base, data.pair[0]!, 0)!;
      const src = evbuffer_new();
      evbuffer_add(src, "from a buffer", 13);
      expect(bufferevent_write_buffer(bev, src)).toBe(0);
      expect(evbuffer_get_length(src)).toBe(0);
      evbuffer_free(src);
      expect(bufferevent_write(bev, enc.encode(", and bytes"), 11)).toBe(0);
      event_base_dispatch(base);
      const buf = new Uint8Array(64);
      const n = recv(data.pair[1]!, buf, 64, 0);
      expect(dec.decode(buf.subarray(0, n))).toBe("from a buffer, and bytes");
      bufferevent_free(bev);
    });

    it("bufferevent_socket_connect on AF_UNIX: an immediate refusal gives one deferred ERROR; a socket made by the call is closed on failure", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const path = `/tmp/lets-bev-${process.pid}-${Date.now()}.sock`;
      const sun = new sockaddr_un();
      sun.sun_family = AF_UNIX;
      sun.sun_path = path;
      const bound = socket(AF_UNIX, SOCK_STREAM, 0);
      expect(bind(bound, sun, sizeof(sun))).toBe(0); // bound, never listening: connect() is refused at once
      try {
        const bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)!;
        const whats: number[] = [];
        bufferevent_setcb(bev, () => whats.push(-1), () => whats.push(-2), (_b, what) => whats.push(what), null);
        bufferevent_enable(bev, EV_READ | EV_WRITE);
        expect(bufferevent_socket_connect(bev, sun, sizeof(sun))).toBe(0);
        expect(whats).toEqual([]);
        event_base_dispatch(base);
        expect(whats).toEqual([BEV_EVENT_ERROR]);
        bufferevent_free(bev);

        // A null address with no fd: -1. An address of a family that has no socket: -1, nothing left open.
        const bev2 = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)!;
        expect(bufferevent_socket_connect(bev2, null, 0)).toBe(-1);
        const bad = new sockaddr_in();
        bad.sin_family = 12345;
        expect(bufferevent_socket_connect(bev2, bad, sizeof(bad))).toBe(-1);
        expect(bufferevent_getfd(bev2)).toBe(-1);
        bufferevent_free(bev2);
      } finally {
        evutil_closesocket(bound);
        unlinkSync(path);
      }
    });

    it("bufferevent_socket_connect_hostname: a numeric host connects; a name resolves off the loop thread and connects; a failed lookup gives ERROR and the EAI code", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const sin = localhost();
      let accepted = 0;
      const lev = evconnlistener_new_bind(base, (_l, fd) => {
        accepted++;
        evutil_closesocket(fd);
      }, null, LEV_OPT_CLOSE_ON_FREE, -1, sin, sizeof(sin))!;
      const portNum = ntohs((listenerAddr(lev) as sockaddr_in).sin_port);

      for (const host of ["127.0.0.1", "localhost"]) {
        const bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)!;
        const whats: number[] = [];
        bufferevent_setcb(bev, null, null, (_b, what) => {
          whats.push(what);
          event_base_loopexit(base, null);
        }, null);
        expect(bufferevent_socket_connect_hostname(bev, null, AF_INET, host, portNum)).toBe(0);
        if (host === "localhost") {
          // Completed from the loop, not inside the call.
          expect(bufferevent_getfd(bev)).toBe(-1);
        } else {
          expect(bufferevent_getfd(bev)).toBeGreaterThanOrEqual(0);
        }
        event_base_dispatch(base);
        expect(whats).toEqual([BEV_EVENT_CONNECTED]);
        expect(bufferevent_socket_get_dns_error(bev)).toBe(0);
        bufferevent_free(bev);
      }
      while (accepted < 2) event_base_loop(base, EVLOOP_ONCE);
      evconnlistener_free(lev);

      // A failed lookup. (As in libevent, the bufferevent then still has EV_WRITE added on no fd,
      // which keeps the loop running: the callback frees it, as programs do.)
      const bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)!;
      const whats: number[] = [];
      let dnsError = 0;
      bufferevent_setcb(bev, null, null, (b, what) => {
        whats.push(what);
        dnsError = bufferevent_socket_get_dns_error(b);
        bufferevent_free(b);
      }, null);
      expect(bufferevent_socket_connect_hostname(bev, null, AF_UNSPEC, "", portNum)).toBe(0);
      expect(event_base_dispatch(base)).toBe(1);
      expect(whats).toEqual([BEV_EVENT_ERROR]);
      expect(dnsError).toBe(EVUTIL_EAI_NONAME);

      const bev2 = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)!;
      expect(bufferevent_socket_connect_hostname(bev2, null, 12345, "localhost", portNum)).toBe(-1);
      expect(bufferevent_socket_connect_hostname(bev2, null, AF_INET6, "localhost", 0)).toBe(-1);
      expect(bufferevent_socket_connect_hostname(bev2, null, AF_INET6, "localhost", 65536)).toBe(-1);
      bufferevent_free(bev2);
    });

    it("bufferevent_free during a name lookup cancels it: no connect, the loop ends, nothing left open", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)!;
      let events = 0;
      bufferevent_setcb(bev, null, null, () => events++, null);
      expect(bufferevent_socket_connect_hostname(bev, null, AF_INET, "localhost", 9)).toBe(0);
      bufferevent_free(bev);
      expect(event_base_dispatch(base)).toBe(1);
      expect(events).toBe(0);
    });

    it("a lookup's callback that frees another looking-up bufferevent leaves fds opened meanwhile alone", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const bevs = [0, 1].map(() => bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)!);
      const pair = [-1, -1];
      let calls = 0;
      for (const bev of bevs) {
        bufferevent_setcb(bev, null, null, (b) => {
          calls++;
          // The first failure frees the other bufferevent (cancelling its lookup, which releases the
          // lookup pipe) and opens new fds, which may get the pipe's old numbers.
          bufferevent_free(b);
          const other = bevs.find((x) => x !== b)!;
          bevs.length = 0;
          if (other !== undefined) bufferevent_free(other);
          expect(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair)).toBe(0);
        }, null);
        expect(bufferevent_socket_connect_hostname(bev, null, AF_UNSPEC, "", 80)).toBe(0);
      }
      event_base_dispatch(base);
      expect(calls).toBe(1);
      // Both ends of the pair are still ours: nothing closed them behind our back.
      expect(write(pair[0]!, "x", 1)).toBe(1);
      const b = new Uint8Array(1);
      expect(read(pair[1]!, b, 1)).toBe(1);
      evutil_closesocket(pair[0]!);
      evutil_closesocket(pair[1]!);
    });

    it("reading and writing wait for the lookup: data written before it arrives after the connect", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const sin = localhost();
      let got = "";
      const lev = evconnlistener_new_bind(base, (l, fd) => {
        const s = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE)!;
        bufferevent_setcb(s, (b) => {
          got += dec.decode(evbuffer_pullup(b.input, -1)!);
          evbuffer_drain(b.input, -1);
          if (got === "early") {
            bufferevent_free(b);
            evconnlistener_free(l);
          }
        }, null, null, null);
        bufferevent_enable(s, EV_READ);
      }, null, LEV_OPT_CLOSE_ON_FREE, -1, sin, sizeof(sin))!;
      const port = ntohs((listenerAddr(lev) as sockaddr_in).sin_port);
      const bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)!;
      const events: number[] = [];
      bufferevent_setcb(bev, null, (b) => bufferevent_free(b), (_b, what) => events.push(what), null);
      expect(bufferevent_socket_connect_hostname(bev, null, AF_INET, "localhost", port)).toBe(0);
      bufferevent_write(bev, "early", 5);
      expect(event_pending(bev.ev_write, EV_WRITE, null)).toBe(0);
      expect(event_base_dispatch(base)).toBe(1);
      expect(events).toEqual([BEV_EVENT_CONNECTED]);
      expect(got).toBe("early");
    });

    it("BEV_OPT_UNLOCK_CALLBACKS without BEV_OPT_DEFER_CALLBACKS fails (with a warning); with it, works", () => {
      const data = basic_setup({ base: true });
      const warnings: string[] = [];
      event_set_log_callback((_s, msg) => warnings.push(msg));
      try {
        expect(bufferevent_socket_new(data.base!, -1, BEV_OPT_UNLOCK_CALLBACKS)).toBeNull();
      } finally {
        event_set_log_callback(null);
      }
      expect(warnings).toEqual(["UNLOCK_CALLBACKS requires DEFER_CALLBACKS"]);
      const bev = bufferevent_socket_new(data.base!, -1, BEV_OPT_UNLOCK_CALLBACKS | BEV_OPT_DEFER_CALLBACKS);
      expect(bev).not.toBeNull();
      bufferevent_free(bev!);
    });

    it("misuse throws TypeErrors and RangeErrors naming the function and the fault", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const bev = bufferevent_socket_new(base, -1, 0)!;
      expect(() => bufferevent_enable({} as bufferevent, EV_READ)).toThrow(/bufferevent_enable: bufev is .*, not a bufferevent/);
      expect(() => bufferevent_setcb(bev, 3 as never, null, null, null)).toThrow(/bufferevent_setcb: readcb/);
      expect(() => bufferevent_setcb(bev, null, {} as never, null, null)).toThrow(
        new TypeError("bufferevent_setcb: writecb is a plain object, not a function or null"));
      expect(() => bufferevent_setcb(bev, null, null, "f" as never, null)).toThrow(
        new TypeError('bufferevent_setcb: eventcb is "f", not a function or null'));
      expect(() => bufferevent_enable(bev, 1.5)).toThrow(new TypeError("bufferevent_enable: event must be an integer, not 1.5"));
      expect(() => bufferevent_disable(bev, null as never)).toThrow(/bufferevent_disable: event must be an integer/);
      expect(() => bufferevent_setwatermark(bev, EV_READ, -5, 0)).toThrow(/bufferevent_setwatermark: lowmark -5 is negative/);
      expect(() => bufferevent_setwatermark(bev, NaN, 0, 0)).toThrow(/bufferevent_setwatermark: events must be an integer/);
      expect(() => bufferevent_getwatermark(bev, "2" as never, null, null)).toThrow(/bufferevent_getwatermark: events must be an integer/);
      expect(() => bufferevent_set_timeouts(bev, {} as timeval, null)).toThrow(/bufferevent_set_timeouts: timeout_read/);
      expect(() => bufferevent_set_timeouts(bev, null, 5 as never)).toThrow(
        new TypeError("bufferevent_set_timeouts: timeout_write is 5, not a timeval or null"));
      expect(() => bufferevent_socket_new(base, 1.5, 0)).toThrow(/bufferevent_socket_new: fd/);
      // No event_init() base here: a NULL base stands for nothing.
      expect(() => bufferevent_socket_new(null, -1, 0)).toThrow(
        new TypeError("bufferevent_socket_new: base is null, not an event_base"));
      expect(() => bufferevent_socket_connect_hostname(bev, {} as unknown as null, AF_INET, "x", 1)).toThrow(/no evdns/);
      expect(() => bufferevent_write(bev, "abc", 5)).toThrow(RangeError);
      bufferevent_free(bev);
      expect(() => bufferevent_free(bev)).toThrow(/bufferevent_free: the bufferevent was freed/);
      expect(() => bufferevent_write(bev, "x", 1)).toThrow(/bufferevent_write: the bufferevent was freed/);
    });
  });
});

/**
 * The socket bufferevent's write event starts and stops once per message; on epoll those two
 * changes wait for the next dispatch, which makes them in the call that waits (see
 * src/event/changelist.ts). The kernel's view, /proc/self/fdinfo of the epoll fd, shows when
 * each change is made.
 */
describe("write-event changes held for the next dispatch (epoll)", () => {
  const EPOLLIN = 0x1, EPOLLOUT = 0x4;
  const hasEpoll = (() => {
    const cfg = event_config_new()!;
    const base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    const yes = base !== null && event_base_get_method(base) === "epoll";
    if (base) event_base_free(base);
    return yes;
  })();

  /** A base on epoll and its epoll fd (the eventpoll descriptor it opened). */
  function epollBase(): { base: event_base; epfd: number } {
    const eventpolls = () => new Set(readdirSync("/proc/self/fd").filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === "anon_inode:[eventpoll]";
      } catch {
        return false;
      }
    }).map(Number));
    const before = eventpolls();
    const base = event_base_new()!;
    const added = [...eventpolls()].filter((fd) => !before.has(fd));
    expect(added).toHaveLength(1);
    return { base, epfd: added[0]! };
  }

  /** The epoll event mask the kernel holds for fd (0: not registered). */
  function kernelMask(epfd: number, fd: number): number {
    for (const line of readFileSync(`/proc/self/fdinfo/${epfd}`, "utf8").split("\n")) {
      const m = /^tfd:\s+(\d+)\s+events:\s+([0-9a-f]+)/.exec(line);
      if (m && Number(m[1]) === fd) return Number.parseInt(m[2]!, 16) & (EPOLLIN | EPOLLOUT);
    }
    return 0;
  }

  it.skipIf(!hasEpoll)("bufferevent_write's start of writing reaches the kernel with the next dispatch, as does the stop once the output is empty", () => {
    const { base, epfd } = epollBase();
    const pair = [-1, -1];
    expect(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair)).toBe(0);
    const bev = bufferevent_socket_new(base, pair[0]!, BEV_OPT_CLOSE_ON_FREE)!;
    let writecbs = 0;
    bufferevent_setcb(bev, null, () => writecbs++, null, null);
    bufferevent_enable(bev, EV_READ | EV_WRITE); // ordinary adds: made at once
    expect(kernelMask(epfd, pair[0]!)).toBe(EPOLLIN | EPOLLOUT);
    // Writable with nothing to write: the write event stops, held until the next dispatch.
    expect(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK)).toBe(0);
    expect(writecbs).toBe(1);
    expect(event_pending(bev.ev_write, EV_WRITE, null)).toBe(0);
    expect(kernelMask(epfd, pair[0]!)).toBe(EPOLLIN | EPOLLOUT);
    expect(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK)).toBe(0);
    expect(kernelMask(epfd, pair[0]!)).toBe(EPOLLIN);
    expect(writecbs).toBe(1);
    // bufferevent_write starts it again: pending for libevent's API at once, for the kernel with the dispatch.
    expect(bufferevent_write(bev, "ping", 4)).toBe(0);
    expect(event_pending(bev.ev_write, EV_WRITE, null)).toBe(EV_WRITE);
    expect(kernelMask(epfd, pair[0]!)).toBe(EPOLLIN);
    expect(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK)).toBe(0);
    expect(writecbs).toBe(2);
    const got = new Uint8Array(8);
    expect(read(pair[1]!, got, 8)).toBe(4);
    expect(dec.decode(got.subarray(0, 4))).toBe("ping");
    expect(event_pending(bev.ev_write, EV_WRITE, null)).toBe(0);
    expect(kernelMask(epfd, pair[0]!)).toBe(EPOLLIN | EPOLLOUT);
    // A close through the library makes held changes first.
    const other = [-1, -1];
    expect(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, other)).toBe(0);
    evutil_closesocket(other[0]!);
    expect(kernelMask(epfd, pair[0]!)).toBe(EPOLLIN);
    // So does any change made at once, before its own.
    expect(bufferevent_write(bev, "x", 1)).toBe(0);
    expect(kernelMask(epfd, pair[0]!)).toBe(EPOLLIN);
    bufferevent_disable(bev, EV_READ);
    expect(kernelMask(epfd, pair[0]!)).toBe(EPOLLOUT);
    bufferevent_free(bev);
    evutil_closesocket(other[1]!);
    evutil_closesocket(pair[1]!);
    event_base_free(base);
  });

  it.skipIf(!hasEpoll)("a held change that fails (its fd closed behind the library's back) is logged as a warning, and nothing else breaks", () => {
    const { base, epfd } = epollBase();
    const pair = [-1, -1];
    expect(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair)).toBe(0);
    const bev = bufferevent_socket_new(base, pair[0]!, 0)!;
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    expect(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK)).toBe(0); // nothing to write: stop held
    expect(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK)).toBe(0); // and made
    expect(kernelMask(epfd, pair[0]!)).toBe(EPOLLIN);
    expect(bufferevent_write(bev, "lost", 4)).toBe(0); // start of writing held
    closeSync(pair[0]!); // not through the library: nothing is made first
    const warnings: string[] = [];
    event_set_log_callback((_s, msg) => warnings.push(msg));
    try {
      expect(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK)).toBe(0);
    } finally {
      event_set_log_callback(null);
    }
    expect(warnings).toEqual([`held-back change of fd ${pair[0]}: ${strerror(EBADF)}`]);
    expect(kernelMask(epfd, pair[0]!)).toBe(0);
    bufferevent_free(bev);
    evutil_closesocket(pair[1]!);
    event_base_free(base);
  });
});
