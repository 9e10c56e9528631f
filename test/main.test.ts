/**
 * libevent's `main/` regression group (test/regress.c), run once per compiled-in backend as
 * test/test.sh does. The LEGACY(...) cases run twice (helpers/legacy.ts): as libevent runs them,
 * on event_init()'s base through event_set, event_dispatch, timeout_set ...; and with the event.h
 * replacements of those calls on an event_base_new() base. loopexit_multiple, LEGACY in C, makes
 * its own base and uses no legacy call: it runs once.
 *
 * Left out, with the reason:
 * - dup_fd: needs dup()/dup2(), which the port does not offer (an epoll quirk of C programs).
 * - mm_functions: event_set_mem_functions allocator hooks have no meaning in JavaScript.
 * - struct_event_size: compares against sizeof(struct event), a C layout fact.
 * - fork: needs fork() and event_reinit in the child; Node cannot fork.
 * - del_wait, del_notify: need a second thread running the loop.
 *
 * Cases that measure wall-clock time (libevent's 50 ms tolerance) may be retried twice, as
 * libevent's harness retries its TT_RETRIABLE cases: a loaded machine can wake a process late.
 */
import { closeSync, openSync, readFileSync } from "node:fs";
import { DataType, load, open as ffiOpen } from "ffi-rs";
import { describe, expect, it, onTestFinished } from "vitest";
import {
  EV_CLOSED, EV_ET, EV_FEATURE_EARLY_CLOSE, EV_FEATURE_ET, EV_PERSIST, EV_READ, EV_SIGNAL, EV_TIMEOUT, EV_WRITE,
  EVENT_BASE_COUNT_ACTIVE, EVENT_BASE_COUNT_ADDED, EVENT_BASE_COUNT_VIRTUAL, EVENT_BASE_FLAG_IGNORE_ENV,
  EVENT_BASE_FLAG_NO_CACHE_TIME, EVLIST_ACTIVE, EVLIST_ACTIVE_LATER, EVLIST_INIT, EVLOOP_NONBLOCK, EVLOOP_ONCE,
  LIBEVENT_TS_VERSION, LIBEVENT_VERSION, LIBEVENT_VERSION_NUMBER,
  event, event_active, event_add, event_assign, event_base, event_base_dispatch, event_base_foreach_event,
  event_base_free, event_base_get_features, event_base_get_max_events, event_base_get_method,
  event_base_get_num_events, event_base_get_running_event, event_base_gettimeofday_cached,
  event_base_init_common_timeout, event_base_loop, event_base_loopbreak, event_base_loopexit, event_base_new,
  event_base_new_with_config, event_base_once, event_base_priority_init, event_base_active_by_fd,
  event_base_active_by_signal, event_base_got_break, event_base_got_exit, event_base_update_cache_time,
  event_config_avoid_method, event_config_free, event_config_new, event_config_require_features,
  event_config_set_flag, event_del, event_free, event_get_assignment, event_get_base, event_get_callback,
  event_get_callback_arg, event_get_supported_methods, event_get_version, event_get_version_number,
  event_initialized, event_new, event_pending, event_priority_set, event_remove_timer, event_self_cbarg,
  evsignal_new, evtimer_add, evtimer_assign, evtimer_del, evtimer_new,
  EVLOOP_NO_EXIT_ON_EMPTY, event_base_free_nofinalize, event_base_get_npriorities, event_base_loopcontinue,
  event_base_set, event_config, event_config_set_max_dispatch_interval, event_finalize, event_get_priority,
  event_enable_debug_mode, event_gettime_monotonic, event_reinit, event_set_log_callback, evuser_new, evuser_pending, evuser_trigger,
  EVENT_LOG_ERR, event_free_finalize, event_set_fatal_callback,
} from "libevent-ts/event2/event";
import type { event_callback_fn } from "libevent-ts/event2/event";
import { event_active_later_, event_base_add_virtual_, internals } from "./helpers/internal.js";
import { evutil_gettimeofday, evutil_timercmp, evutil_timerclear, timeval } from "libevent-ts/event2/util";
import { event_base_assert_ok_ } from "./helpers/assert_ok.js";
import { eachBackend, expectIntendedBackend, methodname_to_envvar, newBase } from "./helpers/backends.js";
import { checkFdLeaks } from "./helpers/fds.js";
import { legacy_hows, legacy_setup, legacy_title } from "./helpers/legacy.js";
import {
  AF_INET, AF_UNIX, EAGAIN, NSIG, SHUT_WR, SIGHUP, SIGUSR2, SOCK_DGRAM, SOCK_STREAM, close, evutil_closesocket,
  evutil_make_socket_nonblocking, evutil_socketpair, errno, read, shutdown, socket, strlen, write,
} from "./helpers/fdio.js";
import { basic_setup } from "./helpers/setup.js";
import { raise } from "./helpers/signals.js";
import { native } from "../src/native/binding.js";
import { evutil_usleep_, now, test_timeval_diff_eq, timeval_msec_diff } from "./helpers/timing.js";

checkFdLeaks();

/** getrlimit(RLIMIT_NOFILE): [soft, hard], through libc (the port has no setrlimit). */
const RLIMIT_NOFILE = 7;
function rlimitNofile(): [bigint, bigint] {
  ffiOpen({ library: "libc", path: "libc.so.6" });
  const buf = Buffer.alloc(16);
  expect(load({ library: "libc", funcName: "getrlimit", retType: DataType.I32, paramsType: [DataType.I32, DataType.U8Array], paramsValue: [RLIMIT_NOFILE, buf] })).toBe(0);
  return [buf.readBigUInt64LE(0), buf.readBigUInt64LE(8)];
}
/** setrlimit(RLIMIT_NOFILE, { soft, hard }). */
function setRlimitNofile(soft: number | bigint, hard: bigint): void {
  const buf = Buffer.alloc(16);
  buf.writeBigUInt64LE(BigInt(soft), 0);
  buf.writeBigUInt64LE(hard, 8);
  expect(load({ library: "libc", funcName: "setrlimit", retType: DataType.I32, paramsType: [DataType.I32, DataType.U8Array], paramsValue: [RLIMIT_NOFILE, buf] })).toBe(0);
}

const TEST1 = "this is a test";
/** TEST1 with its NUL, as the C tests write strlen(TEST1)+1 bytes. */
const TEST1Z = `${TEST1}\0`;
const INT_MAX = 0x7fffffff;

// The globals of regress.c: the legacy wrapper zeroes test_ok and called before each test.
let test_ok = 0;
let called = 0;

function legacy(): void {
  test_ok = called = 0;
}

function dummy_read_cb(_fd: number, _event: number, _arg: unknown): void {}

/** timeout_cb: records when it was called. */
let tcalled = new timeval();
function timeout_cb(_fd: number, _event: number, _arg: unknown): void {
  evutil_gettimeofday(tcalled, null);
}

/** simple_read_cb: data, then (re-added once) EOF. */
function simple_read_cb(fd: number, _event: number, arg: event): void {
  const buf = new Uint8Array(256);
  const len = read(fd, buf, buf.length);
  if (len) {
    if (!called) expect(event_add(arg, null)).not.toBe(-1);
  } else if (called === 1) {
    test_ok = 1;
  }
  called++;
}

/** simple_write_cb */
function simple_write_cb(fd: number, _event: number, _arg: unknown): void {
  const len = write(fd, TEST1Z, strlen(TEST1) + 1);
  test_ok = len === -1 ? 0 : 1;
}

// multiple / persistent: 4096 bytes written 128 at a time, read back.
const wbuf = new Uint8Array(4096);
const rbuf = new Uint8Array(4096);
let woff = 0;
let roff = 0;
let usepersist = 0;

function multiple_write_cb(fd: number, _event: number, ev: event): void {
  let len = 128;
  if (woff + len >= wbuf.length) len = wbuf.length - woff;
  len = write(fd, wbuf.subarray(woff), len);
  if (len === -1) {
    if (usepersist) event_del(ev);
    return;
  }
  woff += len;
  if (woff >= wbuf.length) {
    shutdown(fd, SHUT_WR);
    if (usepersist) event_del(ev);
    return;
  }
  if (!usepersist) expect(event_add(ev, null)).not.toBe(-1);
}

function multiple_read_cb(fd: number, _event: number, ev: event): void {
  const len = read(fd, rbuf.subarray(roff), rbuf.length - roff);
  if (len <= 0) {
    if (usepersist) event_del(ev);
    return;
  }
  roff += len;
  if (!usepersist) expect(event_add(ev, null)).not.toBe(-1);
}

/** `struct both` of test_combined. */
interface both {
  ev: event<both>;
  nread: number;
}

function combined_read_cb(fd: number, _event: number, b: both): void {
  const buf = new Uint8Array(128);
  const len = read(fd, buf, buf.length);
  if (len <= 0) return;
  b.nread += len;
  expect(event_add(b.ev, null)).not.toBe(-1);
}

function combined_write_cb(fd: number, _event: number, b: both): void {
  const buf = new Uint8Array(128);
  let len = buf.length;
  if (len > b.nread) len = b.nread;
  buf.fill(0x71, 0, len);
  len = write(fd, buf, len);
  if (len <= 0) {
    shutdown(fd, SHUT_WR);
    return;
  }
  b.nread -= len;
  expect(event_add(b.ev, null)).not.toBe(-1);
}

/** event_selfarg_cb: the argument is the event itself, which is the running event. */
let selfargRunning: event | null = null;
function event_selfarg_cb(_fd: number, _event: number, ev: event): void {
  const base = event_get_base(ev)!;
  event_base_assert_ok_(base);
  event_base_loopexit(base, null);
  selfargRunning = event_base_get_running_event(base);
}

/** Seven event_base_get_num_events / get_max_events sums, in the order the C test reads them. */
function counts(f: (flags: number) => number): number[] {
  const A = EVENT_BASE_COUNT_ACTIVE;
  const V = EVENT_BASE_COUNT_VIRTUAL;
  const D = EVENT_BASE_COUNT_ADDED;
  return [f(A), f(V), f(D), f(A | V), f(A | D), f(V | D), f(A | D | V)];
}

/** record_event_cb of the simpleclose tests. */
let have_closed = 0;
let premature_event = 0;
function record_event_cb(_s: number, what: number, whatp: { value: number }): void {
  if (!have_closed) premature_event = 1;
  whatp.value = what;
}

eachBackend(() => {
  describe("main", () => {
    it("a timer years away: the loop waits in bounded steps instead of refusing the wait", () => {
      const base = event_base_new()!;
      const pair = [-1, -1];
      expect(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair)).toBe(0);
      const far = evtimer_new(base, () => {}, null)!;
      expect(event_add(far, new timeval(1e12, 0))).toBe(0); // beyond what any backend waits at once
      let reads = 0;
      const ev = event_new(base, pair[0]!, EV_READ, () => reads++, null)!;
      expect(event_add(ev, null)).toBe(0);
      expect(write(pair[1]!, "x", 1)).toBe(1);
      expect(event_base_loop(base, EVLOOP_ONCE)).toBe(0);
      expect(reads).toBe(1);
      expect(event_pending(far, EV_TIMEOUT, null)).toBe(EV_TIMEOUT);
      event_free(ev);
      event_free(far);
      event_base_free(base);
      evutil_closesocket(pair[0]!);
      evutil_closesocket(pair[1]!);
    });

    it("methods: avoiding the first supported method (with IGNORE_ENV) yields another backend", () => {
      const methods = event_get_supported_methods();
      expect(methods.length).toBeGreaterThan(0);
      const backend = methods[0]!;
      const cfg = event_config_new();
      expect(event_config_avoid_method(cfg, backend)).toBe(0);
      event_config_set_flag(cfg, EVENT_BASE_FLAG_IGNORE_ENV);
      const base = event_base_new_with_config(cfg);
      if (methods.length > 1) {
        expect(base).not.toBeNull();
        expect(event_base_get_method(base!)).not.toBe(backend);
      } else {
        expect(base).toBeNull();
      }
      if (base) event_base_free(base);
      event_config_free(cfg);
    });

    it("version: event_get_version(_number) match LIBEVENT_VERSION(_NUMBER) and each other", () => {
      const vstr = event_get_version();
      const vint = event_get_version_number();
      expect(vstr).toBe(LIBEVENT_VERSION);
      expect(vint).toBe(LIBEVENT_VERSION_NUMBER);
      const m = /^(\d+)\.(\d+)\.(\d+)/.exec(vstr);
      expect(m).not.toBeNull();
      const [major, minor, patch] = [Number(m![1]), Number(m![2]), Number(m![3])];
      expect((vint & 0xffffff00) >>> 0).toBe(((major << 24) | (minor << 16) | (patch << 8)) >>> 0);
      expect(vstr).toBe("2.1.12-stable");
      // Our own version is a separate export: the package's.
      expect(LIBEVENT_TS_VERSION).toBe(JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version);
    });

    it("base_features: requiring EV_FEATURE_ET gives an ET base, or none and a default base without ET", () => {
      basic_setup({ noLogs: true });
      const cfg = event_config_new();
      expect(event_config_require_features(cfg, EV_FEATURE_ET)).toBe(0);
      let base = event_base_new_with_config(cfg);
      if (base) {
        expect(event_base_get_features(base) & EV_FEATURE_ET).toBe(EV_FEATURE_ET);
      } else {
        base = newBase();
        expect(event_base_get_features(base) & EV_FEATURE_ET).toBe(0);
      }
      event_base_free(base);
      event_config_free(cfg);
    });

    it("base_environ: EVENT_NO<METHOD> disables the default backend, IGNORE_ENV brings it back", () => {
      const saved = new Map<string, string | undefined>();
      const methods = event_get_supported_methods();
      for (const m of methods) saved.set(methodname_to_envvar(m), process.env[methodname_to_envvar(m)]);
      try {
        for (const m of methods) delete process.env[methodname_to_envvar(m)];
        let base = event_base_new();
        expect(base).not.toBeNull();
        const defaultname = event_base_get_method(base!);
        event_base_free(base!);

        let ignoreenvname: string;
        if (defaultname === "epoll (with changelist)") {
          process.env.EVENT_NOEPOLL = "1";
          ignoreenvname = "epoll";
        } else {
          process.env[methodname_to_envvar(defaultname)] = "1";
          ignoreenvname = defaultname;
        }

        let cfg = event_config_new();
        base = event_base_new_with_config(cfg);
        event_config_free(cfg);
        if (methods.length === 1) {
          expect(base).toBeNull();
        } else {
          expect(base).not.toBeNull();
          expect(event_base_get_method(base!)).not.toBe(defaultname);
          event_base_free(base!);
        }

        cfg = event_config_new();
        event_config_set_flag(cfg, EVENT_BASE_FLAG_IGNORE_ENV);
        base = event_base_new_with_config(cfg);
        expect(base).not.toBeNull();
        expect(event_base_get_method(base!)).toBe(ignoreenvname);
        event_base_free(base!);
        event_config_free(cfg);
      } finally {
        for (const [k, v] of saved) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
    });

    it("event_base_new: a persistent read event on a new base sees the data, then EOF; loop returns 0", () => {
      const data = basic_setup({ pair: true });
      const towrite = strlen(TEST1) + 1;
      expect(write(data.pair[0]!, TEST1Z, towrite)).toBe(towrite);
      expect(shutdown(data.pair[0]!, SHUT_WR)).toBe(0);

      data.base = newBase();
      const base = data.base;
      const ev1 = new event<{ eb: event_base; ev: event; callcount: number }>();
      const args = { eb: base, ev: ev1, callcount: 0 };
      const lens: number[] = [];
      event_assign(ev1, base, data.pair[1]!, EV_READ | EV_PERSIST, (fd, _what, arg) => {
        const buf = new Uint8Array(256);
        const len = read(fd, buf, buf.length);
        lens.push(len);
        if (arg.callcount++ === 0 && len > 0) return; // first call: data; keep going
        event_del(arg.ev);
        event_base_loopexit(arg.eb, null);
      }, args);
      expect(event_add(ev1, null)).toBe(0);
      expect(event_base_loop(base, 0)).toBe(0);
      expect(lens).toEqual([towrite, 0]);
      expect(args.callcount).toBe(2);
    });

    it("free_active_base: freeing a base with an added event, and one with an active event, is safe", () => {
      const data = basic_setup({ pair: true });
      const ev1 = new event();
      let base1 = newBase();
      event_assign(ev1, base1, data.pair[1]!, EV_READ, dummy_read_cb, null);
      event_add(ev1, null);
      event_base_free(base1);
      expect(ev1.ev_flags).toBe(EVLIST_INIT); // deleted, still assigned

      base1 = newBase();
      event_assign(ev1, base1, data.pair[0]!, 0, dummy_read_cb, null);
      event_active(ev1, EV_READ, 1);
      event_base_free(base1);
      expect(ev1.ev_flags).toBe(EVLIST_INIT);
    });

    it("manipulate_active_events: event_active twice ORs what the event is pending for", () => {
      const data = basic_setup({ base: true });
      const ev1 = new event();
      event_assign(ev1, data.base, -1, EV_TIMEOUT, dummy_read_cb, null);
      event_active(ev1, EV_READ, 1);
      expect(event_pending(ev1, EV_READ | EV_TIMEOUT | EV_WRITE, null)).toBe(EV_READ);
      event_active(ev1, EV_WRITE, 1);
      expect(event_pending(ev1, EV_READ | EV_TIMEOUT | EV_WRITE, null)).toBe(EV_READ | EV_WRITE);
      event_del(ev1);
    });

    it("event_new_selfarg: event_self_cbarg() passes the event itself, the running event", () => {
      const data = basic_setup({ base: true });
      const ev = event_new(data.base, -1, EV_READ, event_selfarg_cb, event_self_cbarg())!;
      selfargRunning = null;
      event_active(ev, EV_READ, 1);
      event_base_dispatch(data.base!);
      expect(selfargRunning).toBe(ev);
      event_free(ev);
    });

    it("event_assign_selfarg: event_self_cbarg() with event_assign", () => {
      const data = basic_setup({ base: true });
      const ev = new event();
      event_assign(ev, data.base, -1, EV_READ, event_selfarg_cb, event_self_cbarg());
      selfargRunning = null;
      event_active(ev, EV_READ, 1);
      event_base_dispatch(data.base!);
      expect(selfargRunning).toBe(ev);
    });

    it("event_base_get_num_events: ACTIVE / VIRTUAL / ADDED counts, per queue membership", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const ev = new event();
      const qsec = new timeval(0, 100000);
      event_assign(ev, base, -1, EV_READ, event_selfarg_cb, event_self_cbarg());
      event_add(ev, qsec);
      const num = (flags: number): number => event_base_get_num_events(base, flags);
      // an fd -1 event with a timeout is counted as inserted and as a timeout
      expect(counts(num)).toEqual([0, 0, 2, 0, 2, 2, 2]);
      event_active(ev, EV_READ, 1);
      expect(counts(num)).toEqual([1, 0, 3, 1, 4, 3, 4]);
      event_base_loop(base, 0);
      expect(counts(num)).toEqual([0, 0, 0, 0, 0, 0, 0]);
      event_base_add_virtual_(base);
      expect(counts(num)).toEqual([0, 1, 0, 1, 0, 1, 1]);
    });

    it("event_base_get_max_events: high-water marks, and clearing them", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const ev = new event();
      const ev2 = new event();
      const qsec = new timeval(0, 100000);
      event_assign(ev, base, -1, EV_READ, event_selfarg_cb, event_self_cbarg());
      event_assign(ev2, base, -1, EV_READ, event_selfarg_cb, event_self_cbarg());
      event_add(ev, qsec);
      event_add(ev2, qsec);
      event_del(ev2);
      const max = (flags: number): number => event_base_get_max_events(base, flags, 0);
      expect(counts(max)).toEqual([0, 0, 4, 0, 4, 4, 4]);
      event_active(ev, EV_READ, 1);
      expect(counts(max)).toEqual([1, 0, 4, 1, 5, 4, 5]);

      event_base_loop(base, 0);
      const A = EVENT_BASE_COUNT_ACTIVE;
      const V = EVENT_BASE_COUNT_VIRTUAL;
      const D = EVENT_BASE_COUNT_ADDED;
      // each read clears what it reads: the later sums see the cleared values
      expect([
        event_base_get_max_events(base, A, 1), event_base_get_max_events(base, V, 1),
        event_base_get_max_events(base, D, 1), event_base_get_max_events(base, A | V, 0),
        event_base_get_max_events(base, A | D, 0), event_base_get_max_events(base, V | D, 0),
        event_base_get_max_events(base, A | D | V, 1),
      ]).toEqual([1, 0, 4, 0, 0, 0, 0]);
      expect([max(A), max(V), max(D)]).toEqual([0, 0, 0]);
      event_base_add_virtual_(base);
      expect(counts(max)).toEqual([0, 1, 0, 1, 0, 1, 1]);
    });

    it("evmap_invalid_slots: signals -1 and NSIG, fds INT_MAX and INT_MAX/2 cannot be added", () => {
      const data = basic_setup({ base: true, noLogs: true });
      const base = data.base!;
      const ev1 = evsignal_new(base, -1, dummy_read_cb, base)!;
      const ev2 = evsignal_new(base, NSIG, dummy_read_cb, base)!;
      expect(ev1).not.toBeNull();
      expect(ev2).not.toBeNull();
      expect(event_add(ev1, null)).not.toBe(0);
      expect(event_add(ev2, null)).not.toBe(0);
      const ev3 = event_new(base, INT_MAX, EV_READ, dummy_read_cb, base)!;
      const ev4 = event_new(base, Math.trunc(INT_MAX / 2), EV_READ, dummy_read_cb, base)!;
      expect(ev3).not.toBeNull();
      expect(ev4).not.toBeNull();
      expect(event_add(ev3, null)).not.toBe(0);
      expect(event_add(ev4, null)).not.toBe(0);
      event_free(ev1);
      event_free(ev2);
      event_free(ev3);
      event_free(ev4);
    });

    it("bad_assign: EV_SIGNAL|EV_READ makes event_assign return -1", () => {
      basic_setup({ base: true, noLogs: true });
      const ev = new event();
      expect(event_assign(ev, null, -1, EV_SIGNAL | EV_READ, dummy_read_cb, null)).toBe(-1);
    });

    it("an event assigned without a base: event_add warns and returns -1, as C; event_base_set gives it one", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const logs: string[] = [];
      event_set_log_callback((_sev, msg) => logs.push(msg));
      onTestFinished(() => event_set_log_callback(null));
      const ev = new event();
      let fired = 0;
      expect(event_assign(ev, null, -1, 0, () => fired++, null)).toBe(0);
      expect(event_get_base(ev)).toBeNull();
      expect(event_add(ev, new timeval(0, 0))).toBe(-1);
      expect(event_del(ev)).toBe(-1);
      expect(logs).toEqual(["event_add: event has no event_base set.", "event_del: event has no event_base set."]);
      expect(event_base_set(base, ev)).toBe(0);
      expect(event_add(ev, new timeval(0, 0))).toBe(0);
      expect(event_base_loop(base, EVLOOP_ONCE)).toBe(0);
      expect(fired).toBe(1);
    });

    it("bad_reentrant: event_base_loop from a callback of the same base returns -1; the outer one 1", () => {
      const data = basic_setup({ base: true, noLogs: true });
      const base = data.base!;
      const ev = new event<event_base>();
      let reentrant_cb_run = 0;
      let inner = 0;
      event_assign(ev, base, -1, 0, (_fd, _what, b) => {
        reentrant_cb_run = 1;
        inner = event_base_loop(b, 0);
      }, base);
      event_active(ev, EV_WRITE, 1);
      expect(event_base_loop(base, 0)).toBe(1);
      expect(reentrant_cb_run).toBe(1);
      expect(inner).toBe(-1);
    });

    it("active_later: events activated for the next iteration interleave fairly with I/O", { retry: 2 }, () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      let n_write_a_byte_cb = 0;
      let n_read_and_drain_cb = 0;
      let n_activate_other_event_cb = 0;
      const ev1 = event_new(base, data.pair[0]!, EV_READ | EV_PERSIST, (fd) => {
        const buf = new Uint8Array(128);
        ++n_read_and_drain_cb;
        while (read(fd, buf, buf.length) > 0) { /* drain */ }
      }, null)!;
      const ev2 = event_new(base, data.pair[1]!, EV_WRITE | EV_PERSIST, (fd) => {
        if (write(fd, "x", 1) === 1) ++n_write_a_byte_cb;
      }, null)!;
      const ev3 = new event<event>();
      const ev4 = new event<event>();
      const activate_other_event_cb: event_callback_fn<event> = (_fd, _what, other) => {
        ++n_activate_other_event_cb;
        event_active_later_(other, EV_READ);
      };
      event_assign(ev3, base, -1, 0, activate_other_event_cb, ev4);
      event_assign(ev4, base, -1, 0, activate_other_event_cb, ev3);
      event_add(ev1, null);
      event_add(ev2, null);
      event_active_later_(ev3, EV_READ);
      event_base_loopexit(base, new timeval(0, 100000));
      event_base_loop(base, 0);
      event_del(ev3);
      event_del(ev4);

      expect(n_write_a_byte_cb).toBe(n_activate_other_event_cb);
      expect(n_write_a_byte_cb).toBeGreaterThan(100);
      expect(n_read_and_drain_cb).toBeGreaterThan(100);
      expect(n_activate_other_event_cb).toBeGreaterThan(100);

      event_active_later_(ev4, EV_READ);
      event_active(ev4, EV_READ, 1); // promoted to active right away
      expect(ev4.ev_flags & EVLIST_ACTIVE).not.toBe(0);
      expect(ev4.ev_flags & EVLIST_ACTIVE_LATER).toBe(0);

      // left queued for event_base_free to remove
      event_active_later_(ev3, EV_READ);
      event_base_assert_ok_(base);
      event_free(ev1);
      event_free(ev2);
      event_base_free(base);
      data.base = null;
    });

    it("event_remove_timeout: a read event whose timer was removed fires on data only, with EV_READ", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      let ev1_fired = 0;
      const ev: event[] = [];
      const rntp = { events: 0, count: 0 };
      event_base_assert_ok_(base);
      const send_a_byte_cb = (): void => {
        expect(write(data.pair[1]!, "A", 1)).toBe(1);
      };
      ev[0] = event_new(base, data.pair[0]!, EV_READ | EV_PERSIST, (fd, what) => {
        const c = new Uint8Array(1);
        expect(read(fd, c, 1)).toBe(1);
        rntp.events |= what;
        ++rntp.count;
        if (rntp.count === 2) event_del(ev[0]!);
      }, null)!;
      ev[1] = evtimer_new(base, () => { ++ev1_fired; }, null)!;
      ev[2] = evtimer_new(base, () => {
        event_remove_timer(ev[0]!);
        event_remove_timer(ev[1]!);
      }, null)!;
      ev[3] = evtimer_new(base, send_a_byte_cb, null)!;
      ev[4] = evtimer_new(base, send_a_byte_cb, null)!;
      event_add(ev[2]!, new timeval(0, 25000)); // remove timers
      event_add(ev[4]!, new timeval(0, 40000)); // write: does the timer come back?
      event_add(ev[0]!, new timeval(0, 75000)); // read
      event_add(ev[1]!, new timeval(0, 75000)); // timer
      event_add(ev[3]!, new timeval(0, 125000)); // timeout
      event_base_assert_ok_(base);

      event_base_dispatch(base);

      expect(ev1_fired).toBe(0);
      expect(rntp.events).toBe(EV_READ);
      expect(rntp.count).toBe(2);
      event_base_assert_ok_(base);
      for (const e of ev) event_free(e);
    });

    for (const how of legacy_hows) {
      it(legacy_title(how, "persistent_timeout", "an EV_PERSIST 10 ms timer fires 6 times"), () => {
        const R = legacy_setup(how);
        legacy();
        const tv = new timeval();
        evutil_timerclear(tv);
        tv.tv_usec = 10000;
        const ev = new event<{ count: number }>();
        const count = { count: 0 };
        event_assign(ev, R.global_base, -1, EV_TIMEOUT | EV_PERSIST, (_fd, _what, c) => {
          c.count++;
          if (c.count === 6) {
            test_ok = 1;
            event_base_loopexit(R.global_base, null);
          }
        }, count);
        event_add(ev, tv);
        R.event_dispatch();
        event_del(ev);
        expect(test_ok).toBe(1);
        expect(count.count).toBe(6);
      });
    }

    it("persistent_timeout_jump: after a 300 ms stall a persistent 100 ms timer fires once, not a burst", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const ev = new event<{ count: number }>();
      const count = { count: 0 };
      event_assign(ev, base, -1, EV_PERSIST, (_fd, _what, c) => { c.count++; }, count);
      event_add(ev, new timeval(0, 100000));
      evutil_usleep_(new timeval(0, 300000));
      event_base_loopexit(base, new timeval(0, 50000));
      event_base_dispatch(base);
      expect(count.count).toBe(1);
      event_del(ev);
    });

    it("persistent_active_timeout: event_active at 100 ms moves a 200 ms persistent timer to 300, then 500", { retry: 2 }, () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const res = { n: 0, events: [] as number[], tvs: [] as timeval[] };
      const ev = new event<typeof res>();
      event_assign(ev, base, -1, EV_TIMEOUT | EV_PERSIST, (_fd, what, c) => {
        if (c.n < 15) {
          c.events.push(what);
          c.tvs.push(now());
          ++c.n;
        }
      }, res);
      event_add(ev, new timeval(0, 200000));
      event_base_once(base, -1, EV_TIMEOUT, (_fd, _what, e: event) => event_active(e, EV_READ, 1), ev,
        new timeval(0, 100000));
      event_base_loopexit(base, new timeval(0, 600000));
      event_base_assert_ok_(base);
      const start = now();
      event_base_dispatch(base);
      event_base_assert_ok_(base);

      expect(res.n).toBe(3);
      expect(res.events).toEqual([EV_READ, EV_TIMEOUT, EV_TIMEOUT]);
      test_timeval_diff_eq(start, res.tvs[0]!, 100);
      test_timeval_diff_eq(start, res.tvs[1]!, 300);
      test_timeval_diff_eq(start, res.tvs[2]!, 500);
      event_del(ev);
    });

    for (const how of legacy_hows) {
      it(legacy_title(how, "priorities", "two re-adding zero timers at priorities 0 and n-1 run (3,3), (3,1), (3,0) times"), () => {
        const R = legacy_setup(how);
        legacy();
        interface test_pri_event { ev: event<test_pri_event>; count: number }
        const test_priorities_cb: event_callback_fn<test_pri_event> = (_fd, _what, pri) => {
          if (pri.count === 3) {
            R.event_loopexit(null);
            return;
          }
          pri.count++;
          const tv = new timeval();
          evutil_timerclear(tv);
          event_add(pri.ev, tv);
        };
        const expected: Record<number, [number, number]> = { 1: [3, 3], 2: [3, 1], 3: [3, 0] };
        for (const npriorities of [1, 2, 3]) {
          expect(event_base_priority_init(R.global_base, npriorities)).toBe(0);
          const one: test_pri_event = { ev: new event(), count: 0 };
          const two: test_pri_event = { ev: new event(), count: 0 };
          R.timeout_set(one.ev, test_priorities_cb, one);
          expect(event_priority_set(one.ev, 0)).toBe(0);
          R.timeout_set(two.ev, test_priorities_cb, two);
          expect(event_priority_set(two.ev, npriorities - 1)).toBe(0);
          const tv = new timeval();
          evutil_timerclear(tv);
          expect(event_add(one.ev, tv)).not.toBe(-1);
          expect(event_add(two.ev, tv)).not.toBe(-1);
          R.event_dispatch();
          event_del(one.ev);
          event_del(two.ev);
          // with 2 queues, two runs once: the loopexit event has priority 1 too
          expect([one.count, two.count], `${npriorities} priorities`).toEqual(expected[npriorities]);
        }
      });
    }

    it("priority_active_inversion: an urgent event activated by a priority-4 callback runs before a priority-4 one", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      expect(event_base_priority_init(base, 8)).toBe(0);
      let n_pai_calls = 0;
      const call_order = [0, 0, 0];
      const pai_events = [new event<number>(), new event<number>(), new event<number>()];
      const prio_active_inversion_cb: event_callback_fn<number> = (_fd, _what, i) => {
        call_order[i] = n_pai_calls++;
        if (n_pai_calls === 1) {
          event_active(pai_events[1]!, EV_READ, 1); // same priority: later
          event_active(pai_events[2]!, EV_TIMEOUT, 1); // more urgent: next
        }
      };
      for (let i = 0; i < 3; ++i) event_assign(pai_events[i]!, base, -1, 0, prio_active_inversion_cb, i);
      event_priority_set(pai_events[0]!, 4);
      event_priority_set(pai_events[1]!, 4);
      event_priority_set(pai_events[2]!, 0);
      event_active(pai_events[0]!, EV_WRITE, 1);
      event_base_dispatch(base);
      expect(n_pai_calls).toBe(3);
      expect(call_order).toEqual([0, 2, 1]);
    });

    it("common_timeout: magic timevals, heap<->common switches, 100 persistent events firing 4 times", { retry: 2 }, () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const tmp_100_ms = new timeval(0, 100 * 1000);
      const tmp_200_ms = new timeval(0, 200 * 1000);
      const tmp_5_sec = new timeval(5, 0);
      const tmp_5M_usec = new timeval(0, 5 * 1000 * 1000);

      const ms_100 = event_base_init_common_timeout(base, tmp_100_ms)!;
      const ms_200 = event_base_init_common_timeout(base, tmp_200_ms)!;
      const sec_5 = event_base_init_common_timeout(base, tmp_5_sec)!;
      expect(ms_100).not.toBeNull();
      expect(ms_200).not.toBeNull();
      expect(sec_5).not.toBeNull();
      expect(event_base_init_common_timeout(base, tmp_200_ms)).toBe(ms_200);
      expect(event_base_init_common_timeout(base, ms_200)).toBe(ms_200);
      expect(event_base_init_common_timeout(base, tmp_5M_usec)).toBe(sec_5);
      expect(ms_100.tv_sec).toBe(0);
      expect(ms_200.tv_sec).toBe(0);
      expect(sec_5.tv_sec).toBe(5);
      expect(ms_100.tv_usec).toBe(100000 | 0x50000000);
      expect(ms_200.tv_usec).toBe(200000 | 0x50100000);
      expect(sec_5.tv_usec).toBe(0 | 0x50200000);

      interface common_timeout_info { ev: event<common_timeout_info>; called_at: timeval; which: number; count: number }
      const info: common_timeout_info[] = [];
      for (let i = 0; i < 100; ++i) {
        const ti: common_timeout_info = { ev: new event(), called_at: new timeval(), which: i, count: 0 };
        info.push(ti);
        event_assign(ti.ev, base, -1, EV_TIMEOUT | EV_PERSIST, (_fd, _what, t) => {
          ++t.count;
          evutil_gettimeofday(t.called_at, null);
          if (t.count >= 4) event_del(t.ev);
        }, ti);
        if (i % 2) {
          if (i % 20 === 1) {
            event_add(ti.ev, ms_200); // common, then heap
            event_add(ti.ev, tmp_100_ms);
          } else if (i % 20 === 3) {
            event_add(ti.ev, tmp_200_ms); // heap, then common
            event_add(ti.ev, ms_100);
          } else if (i % 20 === 5) {
            event_add(ti.ev, ms_200); // common to common
            event_add(ti.ev, ms_100);
          } else {
            event_add(ti.ev, ms_100);
          }
        } else {
          event_add(ti.ev, ms_200);
        }
      }

      event_base_assert_ok_(base);
      const start = now();
      event_base_dispatch(base);
      event_base_assert_ok_(base);

      for (let i = 0; i < 10; ++i) {
        expect(info[i]!.count).toBe(4);
        test_timeval_diff_eq(start, info[i]!.called_at, i % 2 ? 400 : 800);
      }
      for (const ti of info) expect(ti.count).toBe(4);

      // the base can be freed with events pending in common timeouts
      for (let i = 0; i < 100; ++i) event_add(info[i]!.ev, i % 2 ? ms_100 : ms_200);
      event_base_assert_ok_(base);
      event_base_free(base);
      data.base = null;
    });

    for (const how of legacy_hows) {
      it(legacy_title(how, "simpleread", "a non-persistent read event re-added in its callback sees data, then EOF"), () => {
        const R = legacy_setup(how, { pair: true });
        legacy();
        expect(write(R.pair[0]!, TEST1Z, strlen(TEST1) + 1)).toBe(strlen(TEST1) + 1);
        shutdown(R.pair[0]!, SHUT_WR);
        const ev = new event<event>();
        R.event_set(ev, R.pair[1]!, EV_READ, simple_read_cb, ev);
        expect(event_add(ev, null)).not.toBe(-1);
        expect(R.event_dispatch()).toBe(1);
        expect(test_ok).toBe(1);
        expect(called).toBe(2);
      });
    }

    for (const how of legacy_hows) {
      it(legacy_title(how, "simpleread_multiple", "two read events on one fd both fire"), () => {
        const R = legacy_setup(how, { pair: true });
        legacy();
        expect(write(R.pair[0]!, TEST1Z, strlen(TEST1) + 1)).toBe(strlen(TEST1) + 1);
        shutdown(R.pair[0]!, SHUT_WR);
        const simpleread_multiple_cb = (): void => {
          if (++called === 2) test_ok = 1;
        };
        const one = new event();
        const two = new event();
        R.event_set(one, R.pair[1]!, EV_READ, simpleread_multiple_cb, null);
        expect(event_add(one, null)).not.toBe(-1);
        R.event_set(two, R.pair[1]!, EV_READ, simpleread_multiple_cb, null);
        expect(event_add(two, null)).not.toBe(-1);
        R.event_dispatch();
        expect(test_ok).toBe(1);
        expect(called).toBe(2);
      });
    }

    for (const how of legacy_hows) {
      it(legacy_title(how, "simplewrite", "a write event fires on a writable fd"), () => {
        const R = legacy_setup(how, { pair: true });
        legacy();
        const ev = new event();
        R.event_set(ev, R.pair[0]!, EV_WRITE, simple_write_cb, ev);
        expect(event_add(ev, null)).not.toBe(-1);
        R.event_dispatch();
        expect(test_ok).toBe(1);
      });
    }

    it("simpleclose_rw: a peer close is seen as EV_READ by a reader and EV_WRITE by a blocked writer", () => {
      const base = newBase();
      const pair1 = [-1, -1];
      const pair2 = [-1, -1];
      try {
        expect(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair1)).toBe(0);
        expect(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair2)).toBe(0);
        expect(evutil_make_socket_nonblocking(pair1[1]!)).toBe(0);
        expect(evutil_make_socket_nonblocking(pair2[1]!)).toBe(0);
        const buf = new Uint8Array(1024).fill(99);
        for (;;) { // fill pair2[1] until write fails
          if (write(pair2[1]!, buf, buf.length) < 0) {
            expect(errno).toBe(EAGAIN);
            break;
          }
        }
        have_closed = 0;
        premature_event = 0;
        const got_read_on_close = { value: 0 };
        const got_write_on_close = { value: 0 };
        const closeev = event_new(base, -1, EV_TIMEOUT, () => {
          evutil_closesocket(pair1[0]!);
          evutil_closesocket(pair2[0]!);
          pair1[0] = -1;
          pair2[0] = -1;
          have_closed = 1;
        }, null)!;
        const rev = event_new(base, pair1[1]!, EV_READ, record_event_cb, got_read_on_close)!;
        const wev = event_new(base, pair2[1]!, EV_WRITE, record_event_cb, got_write_on_close)!;
        event_add(closeev, new timeval(0, 100 * 1000));
        event_add(rev, null);
        event_add(wev, null);
        event_base_loopexit(base, new timeval(0, 200 * 1000));
        event_base_loop(base, 0);

        expect(got_read_on_close.value).toBe(EV_READ);
        expect(got_write_on_close.value).toBe(EV_WRITE);
        expect(premature_event).toBe(0);
        event_free(rev);
        event_free(wev);
        event_free(closeev);
      } finally {
        for (const fd of [...pair1, ...pair2]) if (fd >= 0) evutil_closesocket(fd);
        event_base_free(base);
      }
    });

    for (const flags of ["close", "shutdown", "close_persist", "shutdown_persist", "close_ET", "shutdown_ET",
      "close_persist_ET", "shutdown_persist_ET"]) {
      const name = `simpleclose_${flags.toLowerCase()}`;
      it(`${name}: EV_CLOSED after the peer's ${flags.startsWith("close") ? "close" : "shutdown"}; loop(NONBLOCK) returns !persist`, (ctx) => {
        const data = basic_setup({ base: true, pair: true });
        const base = data.base!;
        const et = flags.includes("ET");
        const persist = flags.includes("persist");
        const events = EV_CLOSED | (et ? EV_ET : 0) | (persist ? EV_PERSIST : 0);
        if (!(event_base_get_features(base) & EV_FEATURE_EARLY_CLOSE)) ctx.skip();
        if (et && !(event_base_get_features(base) & EV_FEATURE_ET)) ctx.skip();

        have_closed = 1;
        premature_event = 0;
        const got_event = { value: 0 };
        const ev = event_new(base, data.pair[0]!, events, record_event_cb, got_event)!;
        expect(ev).not.toBeNull();
        expect(event_add(ev, null)).toBe(0);
        if (flags.startsWith("close")) {
          expect(evutil_closesocket(data.pair[1]!)).toBe(0);
          data.pair[1] = -1;
        } else {
          expect(shutdown(data.pair[1]!, SHUT_WR)).toBe(0);
        }
        // level-triggered and persistent, it would never stop
        if (!et && persist) expect(event_base_loopexit(base, new timeval(0, 10000))).toBe(0);
        expect(event_base_loop(base, EVLOOP_NONBLOCK)).toBe(persist ? 0 : 1);
        expect(got_event.value).toBe(events & ~EV_PERSIST);
        event_free(ev);
      });
    }

    for (const [name, persist] of [["multiple", 0], ["persistent", 1]] as const) {
      for (const how of legacy_hows) {
        const what = persist ? "the same with EV_PERSIST events deleted at the end"
          : "4096 bytes written 128 at a time by a re-added write event, read by a re-added read event";
        it(legacy_title(how, name, what), () => {
          const R = legacy_setup(how, { pair: true });
          legacy();
          rbuf.fill(0);
          for (let i = 0; i < wbuf.length; i++) wbuf[i] = i & 0xff;
          roff = woff = 0;
          usepersist = persist;
          const ev = new event<event>();
          const ev2 = new event<event>();
          R.event_set(ev, R.pair[0]!, EV_WRITE | (persist ? EV_PERSIST : 0), multiple_write_cb, ev);
          expect(event_add(ev, null)).not.toBe(-1);
          R.event_set(ev2, R.pair[1]!, EV_READ | (persist ? EV_PERSIST : 0), multiple_read_cb, ev2);
          expect(event_add(ev2, null)).not.toBe(-1);
          R.event_dispatch();
          expect(roff).toBe(woff);
          expect(woff).toBe(4096);
          expect(Buffer.compare(rbuf, wbuf)).toBe(0);
        });
      }
    }

    for (const how of legacy_hows) {
      it(legacy_title(how, "combined", "read and write events on both ends of a pair (4096 and 8192 bytes)"), () => {
        const R = legacy_setup(how, { pair: true });
        legacy();
        const r1: both = { ev: new event(), nread: 0 };
        const r2: both = { ev: new event(), nread: 0 };
        const w1: both = { ev: new event(), nread: 4096 };
        const w2: both = { ev: new event(), nread: 8192 };
        R.event_set(r1.ev, R.pair[0]!, EV_READ, combined_read_cb, r1);
        R.event_set(w1.ev, R.pair[0]!, EV_WRITE, combined_write_cb, w1);
        R.event_set(r2.ev, R.pair[1]!, EV_READ, combined_read_cb, r2);
        R.event_set(w2.ev, R.pair[1]!, EV_WRITE, combined_write_cb, w2);
        expect(event_add(r1.ev, null)).not.toBe(-1);
        expect(event_add(w1.ev, null)).toBe(0);
        expect(event_add(r2.ev, null)).toBe(0);
        expect(event_add(w2.ev, null)).toBe(0);
        R.event_dispatch();
        expect(r1.nread).toBe(8192);
        expect(r2.nread).toBe(4096);
      });
    }

    for (const how of legacy_hows) {
      it(legacy_title(how, "simpletimeout", "a 200 ms timer fires after 200 ms"), { retry: 2 }, () => {
        const R = legacy_setup(how, { pair: true });
        legacy();
        const tv = new timeval(0, 200 * 1000);
        tcalled = new timeval();
        const ev = new event();
        R.evtimer_set(ev, timeout_cb, null);
        evtimer_add(ev, tv);
        const tset = now();
        R.event_dispatch();
        test_timeval_diff_eq(tset, tcalled, 200);
      });
    }

    for (const how of legacy_hows) {
      it(legacy_title(how, "loopbreak", "loopbreak in the first of two zero timers keeps the second from running"), () => {
        const R = legacy_setup(how, { pair: true });
        legacy();
        const tv = new timeval(0, 0);
        const ev1 = new event();
        const ev2 = new event();
        R.evtimer_set(ev1, () => { // break_cb
          test_ok = 1;
          R.event_loopbreak();
        }, null);
        evtimer_add(ev1, tv);
        R.evtimer_set(ev2, () => { // fail_cb
          test_ok = 0;
        }, null);
        evtimer_add(ev2, tv);
        R.event_dispatch();
        expect(event_base_got_exit(R.global_base)).toBe(0);
        expect(event_base_got_break(R.global_base)).toBe(1);
        evtimer_del(ev1);
        evtimer_del(ev2);
        expect(test_ok).toBe(1);
      });
    }

    for (const how of legacy_hows) {
      it(legacy_title(how, "loopexit", "loopexit(300 ms) ends a loop holding a one-day timer after 300 ms"), { retry: 2 }, () => {
        const R = legacy_setup(how, { pair: true });
        legacy();
        const ev = new event();
        R.evtimer_set(ev, timeout_cb, null);
        evtimer_add(ev, new timeval(60 * 60 * 24, 0));
        expect(R.event_loopexit(new timeval(0, 300 * 1000))).toBe(0);
        const tv_start = now();
        R.event_dispatch();
        const tv_end = now();
        evtimer_del(ev);
        expect(event_base_got_exit(R.global_base)).toBe(1);
        expect(event_base_got_break(R.global_base)).toBe(0);
        test_timeval_diff_eq(tv_start, tv_end, 300);
      });
    }

    it("loopexit_multiple: of two loopexits (200 ms, 3 s) the earlier wins", { retry: 2 }, () => {
      const base = newBase();
      event_base_loopexit(base, new timeval(0, 200 * 1000));
      event_base_loopexit(base, new timeval(3, 0));
      const tv_start = now();
      event_base_dispatch(base);
      const tv_end = now();
      expect(event_base_got_exit(base)).toBe(1);
      expect(event_base_got_break(base)).toBe(0);
      event_base_free(base);
      test_timeval_diff_eq(tv_start, tv_end, 200);
    });

    it("nonpersist_readd: re-adding an active non-persistent event from another callback is lost", () => {
      const data = basic_setup({ base: true, pair: true });
      legacy();
      let readd_test_event_last_added: event | null = null;
      const re_add_read_cb: event_callback_fn<event> = (fd, _what, ev_other) => {
        readd_test_event_last_added = ev_other;
        const buf = new Uint8Array(256);
        const n_read = read(fd, buf, buf.length);
        if (n_read < 0) {
          event_base_loopbreak(event_get_base(ev_other));
          throw new Error(`read: errno ${errno}`);
        }
        event_add(ev_other, null);
        ++test_ok;
      };
      const ev1 = new event<event>();
      const ev2 = new event<event>();
      expect(event_assign(ev1, data.base, data.pair[0]!, EV_READ, re_add_read_cb, ev2)).toBe(0);
      expect(event_assign(ev2, data.base, data.pair[1]!, EV_READ, re_add_read_cb, ev1)).toBe(0);
      expect(write(data.pair[0]!, "Hello", 5)).toBe(5);
      expect(write(data.pair[1]!, "Hello", 5)).toBe(5);
      expect(event_add(ev1, null)).toBe(0);
      expect(event_add(ev2, null)).toBe(0);
      expect(event_base_loop(data.base!, EVLOOP_ONCE)).toBe(0);
      expect(test_ok).toBe(2);
      // whichever ran first re-added the other, which was then deleted before its own
      // callback; that one re-added the first: exactly one is left pending
      expect(readd_test_event_last_added).not.toBeNull();
      const [yes, no] = readd_test_event_last_added === ev1 ? [ev1, ev2] : [ev2, ev1];
      expect(event_pending(yes, EV_READ, null)).toBe(EV_READ);
      expect(event_pending(no, EV_READ, null)).toBe(0);
      event_del(ev1);
      event_del(ev2);
    });

    for (const how of legacy_hows) {
      it(legacy_title(how, "multiple_events_for_same_fd", "separate READ and WRITE events on one fd, EVLOOP_ONCE twice"), () => {
        const R = legacy_setup(how, { pair: true });
        legacy();
        const test_multiple_cb = (_fd: number, what: number): void => {
          if (what & EV_READ) test_ok |= 1;
          else if (what & EV_WRITE) test_ok |= 2;
        };
        const e1 = new event();
        const e2 = new event();
        R.event_set(e1, R.pair[0]!, EV_READ, test_multiple_cb, null);
        event_add(e1, null);
        R.event_set(e2, R.pair[0]!, EV_WRITE, test_multiple_cb, null);
        event_add(e2, null);
        R.event_loop(EVLOOP_ONCE);
        event_del(e2);
        expect(write(R.pair[1]!, TEST1Z, strlen(TEST1) + 1)).toBe(strlen(TEST1) + 1);
        R.event_loop(EVLOOP_ONCE);
        event_del(e1);
        expect(test_ok).toBe(3);
      });
    }

    for (const how of legacy_hows) {
      it(legacy_title(how, "want_only_once", "a non-persistent read event runs once although data keeps arriving"), () => {
        const R = legacy_setup(how, { pair: true });
        legacy();
        expect(write(R.pair[0]!, TEST1Z, strlen(TEST1) + 1)).toBe(strlen(TEST1) + 1);
        const tv = new timeval();
        evutil_timerclear(tv);
        tv.tv_usec = 300 * 1000;
        R.event_loopexit(tv);
        const ev = new event();
        R.event_set(ev, R.pair[1]!, EV_READ, (fd) => { // read_once_cb
          const buf = new Uint8Array(256);
          const len = read(fd, buf, buf.length);
          if (called) test_ok = 0;
          else if (len) test_ok = write(R.pair[0]!, TEST1Z, strlen(TEST1) + 1) < 0 ? 0 : 1;
          called++;
        }, ev);
        expect(event_add(ev, null)).not.toBe(-1);
        R.event_dispatch();
        expect(test_ok).toBe(1);
        expect(called).toBe(1);
      });
    }

    it("event_once: a read, a 50 ms timer, NULL and zero immediate timers (2101); events 0 is refused", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      called = 0;
      const whats: string[] = [];
      const read_called_once_cb = (_fd: number, what: number): void => {
        if (what !== EV_READ) whats.push(`read cb got ${what}`);
        called += 1;
      };
      const timeout_called_once_cb = (_fd: number, what: number): void => {
        if (what !== EV_TIMEOUT) whats.push(`timeout cb got ${what}`);
        called += 100;
      };
      const immediate_called_twice_cb = (_fd: number, what: number): void => {
        if (what !== EV_TIMEOUT) whats.push(`immediate cb got ${what}`);
        called += 1000;
      };
      expect(event_base_once(base, data.pair[0]!, EV_READ, read_called_once_cb, null, null)).toBe(0);
      expect(event_base_once(base, -1, EV_TIMEOUT, timeout_called_once_cb, null, new timeval(0, 50 * 1000))).toBe(0);
      expect(event_base_once(base, -1, 0, null as unknown as event_callback_fn, null, null)).toBeLessThan(0);
      expect(event_base_once(base, -1, EV_TIMEOUT, immediate_called_twice_cb, null, null)).toBe(0);
      expect(event_base_once(base, -1, EV_TIMEOUT, immediate_called_twice_cb, null, new timeval(0, 0))).toBe(0);
      expect(write(data.pair[1]!, TEST1Z, strlen(TEST1) + 1)).toBe(strlen(TEST1) + 1);
      shutdown(data.pair[1]!, SHUT_WR);
      event_base_dispatch(base);
      expect(whats).toEqual([]);
      expect(called).toBe(2101);
    });

    it("event_once_never: a once-event that never fires is freed with the loop (loopexit at 75 ms)", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      called = 0;
      event_base_once(base, -1, EV_TIMEOUT, () => { called += 100; }, null, new timeval(10, 0));
      event_base_loopexit(base, new timeval(0, 75 * 1000));
      event_base_dispatch(base);
      expect(called).toBe(0);
    });

    it("event_pending: READ/WRITE/TIMEOUT flags, and the wall-clock expiry of a 500 ms timer", { retry: 2 }, () => {
      const data = basic_setup({ base: true, pair: true });
      const r = event_new(data.base, data.pair[0]!, EV_READ, simple_read_cb, null as unknown as event)!;
      const w = event_new(data.base, data.pair[1]!, EV_WRITE, simple_write_cb, null)!;
      const t = evtimer_new(data.base, timeout_cb, null)!;
      expect(r).not.toBeNull();
      expect(w).not.toBeNull();
      expect(t).not.toBeNull();
      const tvnow = now();
      event_add(r, null);
      event_add(t, new timeval(0, 500 * 1000));
      const tv2 = new timeval();
      expect(event_pending(r, EV_READ, null)).not.toBe(0);
      expect(event_pending(w, EV_WRITE, null)).toBe(0);
      expect(event_pending(r, EV_WRITE, null)).toBe(0);
      expect(event_pending(r, EV_READ | EV_WRITE, null)).not.toBe(0);
      expect(event_pending(r, EV_TIMEOUT, null)).toBe(0);
      expect(event_pending(t, EV_TIMEOUT, null)).not.toBe(0);
      expect(event_pending(t, EV_TIMEOUT, tv2)).not.toBe(0);
      expect(evutil_timercmp(tv2, tvnow, ">")).toBe(1);
      test_timeval_diff_eq(tvnow, tv2, 500);
      event_del(r);
      event_free(r);
      event_del(w);
      event_free(w);
      event_del(t);
      event_free(t);
    });

    it("event_closed_fd_poll: the poll backend reports EV_READ on a closed fd", (ctx) => {
      const data = basic_setup({ base: true, pair: true });
      if (event_base_get_method(data.base!) !== "poll") ctx.skip();
      const i = { value: 0 };
      const e = event_new(data.base, data.pair[0]!, EV_READ, (_fd, what, p) => { p.value = what; }, i)!;
      expect(e).not.toBeNull();
      event_add(e, new timeval(0, 500 * 1000));
      expect(event_pending(e, EV_READ, null)).not.toBe(0);
      close(data.pair[0]!);
      data.pair[0] = -1;
      event_base_loop(data.base!, EVLOOP_ONCE);
      expect(i.value).toBe(EV_READ);
      event_del(e);
      event_free(e);
    });

    for (const one_at_a_time of [false, true]) {
      const name = one_at_a_time ? "many_events_slow_add" : "many_events";
      it(`${name}: 70 UDP sockets writable at once${one_at_a_time ? ", persistent events added one loop at a time" : ", each fired once"}`, () => {
        const data = basic_setup({ base: true });
        const base = data.base!;
        const MANY = 70;
        const sock: number[] = [];
        const ev: event[] = [];
        const calledN = new Array<number>(MANY).fill(0);
        let loopflags = EVLOOP_NONBLOCK;
        let evflags = 0;
        if (one_at_a_time) {
          loopflags |= EVLOOP_ONCE;
          evflags = EV_PERSIST;
        }
        try {
          for (let i = 0; i < MANY; ++i) {
            // an event that reaches the backend and is ready at once: a datagram socket's EV_WRITE
            sock[i] = socket(AF_INET, SOCK_DGRAM, 0);
            expect(sock[i]).toBeGreaterThanOrEqual(0);
            expect(evutil_make_socket_nonblocking(sock[i]!)).toBe(0);
            ev[i] = event_new(base, sock[i]!, EV_WRITE | evflags, (_fd, _what, k: number) => { calledN[k]! += 1; }, i)!;
            event_add(ev[i]!, null);
            if (one_at_a_time) event_base_loop(base, EVLOOP_NONBLOCK | EVLOOP_ONCE);
          }
          event_base_loop(base, loopflags);
          for (let i = 0; i < MANY; ++i) expect(calledN[i], `event ${i}`).toBe(one_at_a_time ? MANY - i + 1 : 1);
        } finally {
          for (const e of ev) event_free(e);
          for (const s of sock) if (s >= 0) evutil_closesocket(s);
        }
      });
    }

    it("get_assignment: event_get_assignment fills every box, and ignores null ones", () => {
      const data = basic_setup({ base: true, pair: true });
      const str: string = "foo";
      const ev1 = event_new(data.base, data.pair[1]!, EV_READ, dummy_read_cb, str)!;
      const b = { value: null as event_base | null };
      const s = { value: -1 };
      const what = { value: 0 };
      const cb = { value: null as event_callback_fn<string> | null };
      const cb_arg = { value: null as string | null };
      event_get_assignment(ev1, b, s, what, cb, cb_arg);
      expect(b.value).toBe(data.base);
      expect(s.value).toBe(data.pair[1]);
      expect(what.value).toBe(EV_READ);
      expect(cb.value).toBe(dummy_read_cb);
      expect(cb_arg.value).toBe(str);
      event_get_assignment(ev1, null, null, null, null, null);
      event_free(ev1);
    });

    it("event_foreach: every added or active event visited once, early stop value, -1 for null arguments", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      interface foreach_helper { count: number; ev: event | null }
      const visited: foreach_helper[] = [];
      const ev: event<foreach_helper>[] = [];
      for (let i = 0; i < 5; ++i) {
        visited.push({ count: 0, ev: null });
        ev.push(event_new(base, -1, 0, timeout_cb, visited[i]!)!);
      }
      const ten_sec = new timeval(10, 0);
      const foreach_count_cb = (b: event_base, e: event, tv: timeval): number => {
        if (event_get_callback(e) !== timeout_cb) return 0;
        const h = event_get_callback_arg(e) as foreach_helper;
        expect(event_get_base(e)).toBe(b);
        expect(tv.tv_sec).toBe(10);
        h.ev = e;
        h.count++;
        return 0;
      };
      expect(event_base_foreach_event(null, foreach_count_cb, null as unknown as timeval)).toBe(-1);
      expect(event_base_foreach_event(base, null, null)).toBe(-1);

      event_add(ev[0]!, ten_sec);
      event_add(ev[1]!, ten_sec);
      event_active(ev[1]!, EV_TIMEOUT, 1);
      event_active(ev[2]!, EV_TIMEOUT, 1);
      event_add(ev[3]!, ten_sec);
      // ev[4] untouched

      expect(event_base_foreach_event(base, foreach_count_cb, ten_sec)).toBe(0);
      expect(visited.map((v) => v.count)).toEqual([1, 1, 1, 1, 0]);
      for (let i = 0; i < 4; ++i) expect(visited[i]!.ev).toBe(ev[i]);

      visited[2]!.count = 99;
      const ev_found = { value: null as event | null };
      const foreach_find_cb = (_b: event_base, e: event, out: { value: event | null }): number => {
        if (event_get_callback(e) !== timeout_cb) return 0;
        if ((event_get_callback_arg(e) as foreach_helper).count === 99) {
          out.value = e;
          return 101;
        }
        return 0;
      };
      expect(event_base_foreach_event(base, foreach_find_cb, ev_found)).toBe(101);
      expect(ev_found.value).toBe(ev[2]);
      for (const e of ev) event_free(e);
    });

    for (const [name, setup] of [
      ["gettimeofday_cached", ""], ["gettimeofday_cached_sleep", "sleep"], ["gettimeofday_cached_reset", "sleep reset"],
      ["gettimeofday_cached_disabled", "sleep disable"], ["gettimeofday_cached_disabled_nosleep", "disable"],
    ] as const) {
      it(`${name}: callbacks of one batch see the same cached time unless it is reset or disabled`, { retry: 2 }, () => {
        const cached_time_disable = setup.includes("disable");
        const cfg = event_config_new();
        if (cached_time_disable) event_config_set_flag(cfg, EVENT_BASE_FLAG_NO_CACHE_TIME);
        const base = event_base_new_with_config(cfg)!;
        expect(base).not.toBeNull();
        expectIntendedBackend(base);
        try {
          const tv1 = new timeval();
          const tv2 = new timeval();
          const tv3 = new timeval();
          const tvnow = now();
          expect(event_base_gettimeofday_cached(null, tv1)).toBe(0);
          expect(event_base_gettimeofday_cached(base, tv2)).toBe(0);
          expect(timeval_msec_diff(tv1, tv2)).toBeLessThan(10);
          expect(timeval_msec_diff(tv1, tvnow)).toBeLessThan(10);

          const cached_time_reset = setup.includes("reset");
          const cached_time_sleep = setup.includes("sleep");
          const cache_time_cb = (_fd: number, _what: number, tv: timeval): void => {
            expect(event_base_gettimeofday_cached(base, tv)).toBe(0);
            if (cached_time_sleep) evutil_usleep_(new timeval(0, 30 * 1000));
            if (cached_time_reset) event_base_update_cache_time(base);
          };
          const ev1 = event_new(base, -1, 0, cache_time_cb, tv1)!;
          const ev2 = event_new(base, -1, 0, cache_time_cb, tv2)!;
          const ev3 = event_new(base, -1, 0, cache_time_cb, tv3)!;
          event_active(ev1, EV_TIMEOUT, 1);
          event_active(ev2, EV_TIMEOUT, 1);
          event_active(ev3, EV_TIMEOUT, 1);
          event_base_dispatch(base);

          if ((cached_time_reset && cached_time_sleep) || (cached_time_disable && cached_time_sleep)) {
            expect(Math.abs(timeval_msec_diff(tv1, tv2))).toBeGreaterThan(10);
            expect(Math.abs(timeval_msec_diff(tv2, tv3))).toBeGreaterThan(10);
          } else if (!cached_time_disable) {
            expect(evutil_timercmp(tv1, tv2, "==")).toBe(1);
            expect(evutil_timercmp(tv2, tv3, "==")).toBe(1);
          }
          event_free(ev1);
          event_free(ev2);
          event_free(ev3);
        } finally {
          event_base_free(base);
          event_config_free(cfg);
        }
      });
    }

    it("active_by_fd: event_base_active_by_fd/_by_signal activate only the matching added events", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      // no crash on a nonexistent or bogus fd, or a nonexistent or bogus signal
      event_base_active_by_fd(base, 1000, EV_READ);
      event_base_active_by_fd(base, -1, EV_READ);
      event_base_active_by_signal(base, 1000);
      event_base_active_by_signal(base, -1);
      event_base_assert_ok_(base);

      const tabf_cb = (_fd: number, what: number, p: { value: number }): void => {
        p.value = what + 0x10000;
      };
      const e1 = { value: 0 };
      const e2 = { value: 0 };
      const e3 = { value: 0 };
      const e4 = { value: 0 };
      const es = { value: 0 };
      const tenmin = new timeval(600, 0);
      const ev1 = event_new(base, data.pair[0]!, EV_READ, tabf_cb, e1)!;
      const ev2 = event_new(base, data.pair[0]!, EV_WRITE, tabf_cb, e2)!;
      const ev3 = event_new(base, data.pair[1]!, EV_READ, tabf_cb, e3)!;
      const ev4 = event_new(base, data.pair[1]!, EV_READ, tabf_cb, e4)!;
      const evsig = event_new(base, SIGHUP, EV_SIGNAL, tabf_cb, es)!;
      event_add(evsig, tenmin);
      event_add(ev1, tenmin);
      event_add(ev2, null);
      event_add(ev3, null);
      event_add(ev4, tenmin);
      event_base_assert_ok_(base);

      // trigger 2, 3, 4
      event_base_active_by_fd(base, data.pair[0]!, EV_WRITE);
      event_base_active_by_fd(base, data.pair[1]!, EV_READ);
      event_base_active_by_fd(base, data.pair[1]!, EV_TIMEOUT);
      event_base_active_by_signal(base, SIGHUP);
      event_base_assert_ok_(base);

      event_base_loop(base, EVLOOP_ONCE);

      expect(e1.value).toBe(0);
      expect(e2.value).toBe(EV_WRITE | 0x10000);
      expect(e3.value).toBe(EV_READ | 0x10000);
      // EV_WRITE masked out: the fd may really be writable
      expect(e4.value & ~EV_WRITE).toBe(EV_READ | EV_TIMEOUT | 0x10000);
      expect(es.value).toBe(EV_SIGNAL | 0x10000);
      for (const e of [ev1, ev2, ev3, ev4, evsig]) event_free(e);
    });
  });

  describe("main (port: what libevent's single-threaded tests leave untested)", () => {
    /** Five priority-1 callbacks that each make pair[1] readable, and a priority-0 reader of it. */
    function dispatchLimitRun(cfgSetup: ((cfg: event_config) => void) | null, sleepMs: number): string[] {
      const data = basic_setup({ pair: true });
      const cfg = event_config_new();
      if (cfgSetup) cfgSetup(cfg);
      data.base = event_base_new_with_config(cfg)!;
      event_config_free(cfg);
      expectIntendedBackend(data.base);
      const base = data.base;
      expect(event_base_priority_init(base, 2)).toBe(0);
      const order: string[] = [];
      const reader = event_new(base, data.pair[1]!, EV_READ | EV_PERSIST, (fd) => {
        const buf = new Uint8Array(64);
        while (read(fd, buf, buf.length) > 0) { /* drain */ }
        order.push("R");
      }, null)!;
      event_priority_set(reader, 0);
      event_add(reader, null);
      const writers = "abcde".split("").map((name) => {
        const w = event_new(base, -1, 0, () => {
          expect(write(data.pair[0]!, "x", 1)).toBe(1);
          if (sleepMs) evutil_usleep_(new timeval(0, sleepMs * 1000));
          order.push(name);
        }, null)!;
        event_priority_set(w, 1);
        return w;
      });
      for (const w of writers) event_active(w, EV_TIMEOUT, 1);
      expect(event_base_loop(base, EVLOOP_NONBLOCK)).toBe(0);
      for (const w of writers) event_free(w);
      event_free(reader);
      return order;
    }

    it("event_config_set_max_dispatch_interval: the loop polls again after max_callbacks callbacks of a limited priority", () => {
      expect(dispatchLimitRun(null, 0)).toEqual(["a", "b", "c", "d", "e", "R"]);
      expect(dispatchLimitRun((cfg) => event_config_set_max_dispatch_interval(cfg, null, 2, 1), 0))
        .toEqual(["a", "b", "R", "c", "d", "R", "e", "R"]);
      // priorities below min_priority are never limited
      expect(dispatchLimitRun((cfg) => event_config_set_max_dispatch_interval(cfg, null, 2, 2), 0))
        .toEqual(["a", "b", "c", "d", "e", "R"]);
    });

    it("event_config_set_max_dispatch_interval: the loop polls again once max_interval has passed in a pass", () => {
      // every callback takes 60 ms, beyond the 50 ms allowed: one callback per pass
      expect(dispatchLimitRun((cfg) => event_config_set_max_dispatch_interval(cfg, new timeval(0, 50000), -1, 1), 60))
        .toEqual(["a", "R", "b", "R", "c", "R", "d", "R", "e", "R"]);
    });

    it("event_base_loopcontinue: the rest of the pass waits for a new poll, where a more urgent event comes first", () => {
      for (const cont of [false, true]) {
        const data = basic_setup({ base: true, pair: true });
        const base = data.base!;
        expect(event_base_priority_init(base, 2)).toBe(0);
        const order: string[] = [];
        const reader = event_new(base, data.pair[1]!, EV_READ, (fd) => {
          read(fd, new Uint8Array(8), 8);
          order.push("R");
        }, null)!;
        event_priority_set(reader, 0);
        event_add(reader, null);
        const w1 = event_new(base, -1, 0, () => {
          write(data.pair[0]!, "x", 1);
          if (cont) expect(event_base_loopcontinue(base)).toBe(0);
          order.push("w1");
        }, null)!;
        const w2 = event_new(base, -1, 0, () => { order.push("w2"); }, null)!;
        event_active(w1, EV_TIMEOUT, 1);
        event_active(w2, EV_TIMEOUT, 1);
        event_base_loop(base, EVLOOP_NONBLOCK);
        expect(order, cont ? "with loopcontinue" : "without").toEqual(cont ? ["w1", "R", "w2"] : ["w1", "w2", "R"]);
        for (const e of [reader, w1, w2]) event_free(e);
        event_base_assert_ok_(base);
        event_base_free(base);
        data.base = null;
        for (const fd of data.pair) evutil_closesocket(fd);
        data.pair = [-1, -1];
      }
    });

    it("events on one fd are activated most recently added first, as libevent's evmap lists them", () => {
      const data = basic_setup({ base: true, pair: true });
      const order: string[] = [];
      const evs = ["one", "two", "three"].map((name) => {
        const ev = event_new(data.base, data.pair[1]!, EV_READ, () => { order.push(name); }, null)!;
        event_add(ev, null);
        return ev;
      });
      expect(write(data.pair[0]!, "x", 1)).toBe(1);
      event_base_loop(data.base!, EVLOOP_ONCE);
      expect(order).toEqual(["three", "two", "one"]);
      for (const ev of evs) event_free(ev);
    });

    it("readiness and an expired timeout in one iteration: the callback gets EV_TIMEOUT alone", () => {
      for (const persist of [0, EV_PERSIST]) {
        const data = basic_setup({ base: true, pair: true });
        const whats: number[] = [];
        const ev = event_new(data.base, data.pair[1]!, EV_READ | persist, (fd, what) => {
          whats.push(what);
          read(fd, new Uint8Array(8), 8);
          if (persist) event_del(ev);
        }, null)!;
        event_add(ev, new timeval(0, 10000));
        expect(write(data.pair[0]!, "x", 1)).toBe(1);
        evutil_usleep_(new timeval(0, 30000));
        event_base_dispatch(data.base!);
        expect(whats).toEqual([EV_TIMEOUT]);
        event_free(ev);
        event_base_assert_ok_(data.base!);
        event_base_free(data.base!);
        data.base = null;
        for (const fd of data.pair) evutil_closesocket(fd);
        data.pair = [-1, -1];
      }
    });

    it("EVLOOP_NO_EXIT_ON_EMPTY: an empty base does not make the loop return 1", () => {
      const data = basic_setup({ base: true });
      expect(event_base_loop(data.base!, EVLOOP_NONBLOCK)).toBe(1);
      expect(event_base_loop(data.base!, EVLOOP_NONBLOCK | EVLOOP_NO_EXIT_ON_EMPTY)).toBe(0);
    });

    it("event_base_free_nofinalize: pending finalizers are not run; event_base_free runs them", () => {
      for (const [free, expected] of [[event_base_free_nofinalize, 0], [event_base_free, 100]] as const) {
        const base = newBase();
        const count = { value: 0 };
        const ev = evtimer_new(base, dummy_read_cb, count)!;
        event_add(ev, new timeval(10, 0));
        event_finalize(0, ev, (_e, c) => { c.value += 100; });
        free(base);
        expect(count.value).toBe(expected);
      }
    });

    it("event_reinit: a new backend and signal socket; I/O, timers and signals keep working", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      const got: string[] = [];
      const rev = event_new(base, data.pair[1]!, EV_READ | EV_PERSIST, (fd) => {
        read(fd, new Uint8Array(8), 8);
        got.push("read");
      }, null)!;
      const sev = evsignal_new(base, SIGUSR2, () => { got.push("signal"); }, null)!;
      const tev = evtimer_new(base, () => { got.push("timer"); }, null)!;
      event_add(rev, null);
      event_add(sev, null);
      event_add(tev, new timeval(0, 20000));
      const logged: string[] = [];
      event_set_log_callback((_severity, msg) => { logged.push(msg); });
      onTestFinished(() => event_set_log_callback(null));
      expect(event_reinit(base)).toBe(0);
      expect(logged).toEqual([]); // neither backend is told about the internal signal event twice
      event_base_assert_ok_(base);
      expectIntendedBackend(base);
      expect(internals(base).sig.ev_signal_pair[0]).toBeGreaterThanOrEqual(0);

      expect(write(data.pair[0]!, "x", 1)).toBe(1);
      process.kill(process.pid, "SIGUSR2");
      event_base_loopexit(base, new timeval(0, 100000));
      event_base_dispatch(base);
      expect(got.sort()).toEqual(["read", "signal", "timer"]);
      event_base_assert_ok_(base);
      for (const e of [rev, sev, tev]) event_free(e);
    });

    it("event_reinit that cannot make the backend again is fatal: logged, the fatal callback runs, it throws", (ctx) => {
      // Two descriptors of ours below the base's: they become the only free ones under the limit.
      const early = [openSync("/dev/null", "r"), openSync("/dev/null", "r")];
      const base = newBase();
      const logged: [number, string][] = [];
      const fatal: number[] = [];
      onTestFinished(() => {
        event_set_log_callback(null);
        event_set_fatal_callback(null);
        event_base_free(base);
        for (const fd of early) if (fd >= 0) closeSync(fd);
      });
      // poll and select cannot fail to initialise; epoll needs a descriptor
      if (!event_base_get_method(base).startsWith("epoll")) ctx.skip();
      const epfd = native.backendFd((internals(base).evsel as unknown as { h: number }).h);
      expect(Math.max(...early)).toBeLessThan(epfd);
      expect(Math.min(...internals(base).sig.ev_signal_pair)).toBeGreaterThan(epfd);
      event_set_log_callback((severity, msg) => { logged.push([severity, msg]); });
      event_set_fatal_callback((err) => { fatal.push(err); });
      // Below the limit (the epoll fd), only `early`'s two are free once closed: the new signal
      // socket takes them, and the epoll fd, closed with the old backend, is beyond the limit.
      const limits = rlimitNofile();
      const fillers: number[] = [];
      let thrown: unknown = null;
      setRlimitNofile(epfd, limits[1]);
      try {
        for (;;) {
          try {
            fillers.push(openSync("/dev/null", "r"));
          } catch (e) {
            expect((e as NodeJS.ErrnoException).code).toBe("EMFILE");
            break;
          }
        }
        for (const fd of early) closeSync(fd);
        early.fill(-1);
        try {
          event_reinit(base);
        } catch (e) {
          thrown = e;
        }
      } finally {
        setRlimitNofile(limits[0], limits[1]);
        for (const fd of fillers) closeSync(fd);
      }
      expect(thrown).toBeInstanceOf(Error);
      expect(String(thrown)).toMatch(/event_reinit: could not reinitialize event mechanism/);
      expect(logged).toEqual([[EVENT_LOG_ERR, "event_reinit: could not reinitialize event mechanism"]]);
      expect(fatal).toEqual([1]);
    });

    it("event_reinit whose new signal socket cannot be made: the handler no longer writes to the old one's number", () => {
      const base = newBase();
      const logged: string[] = [];
      const fillers: number[] = [];
      const pair = [-1, -1];
      const sev = evsignal_new(base, SIGUSR2, dummy_read_cb, null)!;
      onTestFinished(() => {
        event_set_log_callback(null);
        for (const fd of [...fillers, ...pair]) if (fd >= 0) closeSync(fd);
        event_free(sev);
        event_base_free(base);
      });
      expect(event_add(sev, null)).toBe(0); // this base receives signals: the handler writes to its socket
      const [p0, p1] = internals(base).sig.ev_signal_pair as [number, number];
      event_set_log_callback((_severity, msg) => { logged.push(msg); });
      // Nothing free below the old socket: the new one cannot be made.
      const limits = rlimitNofile();
      setRlimitNofile(Math.min(p0, p1), limits[1]);
      let res: number;
      try {
        for (;;) {
          try {
            fillers.push(openSync("/dev/null", "r"));
          } catch (e) {
            expect((e as NodeJS.ErrnoException).code).toBe("EMFILE");
            break;
          }
        }
        res = event_reinit(base);
      } finally {
        setRlimitNofile(limits[0], limits[1]);
      }
      expect(res).toBe(-1);
      expect(logged[0]).toMatch(/^evsig_init_: pipe: /);
      // Another file takes the old write end's number; a signal must not reach it.
      for (;;) {
        const fd = openSync("/dev/null", "r");
        if (fd >= p1) {
          closeSync(fd);
          break;
        }
        fillers.push(fd);
      }
      expect(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair)).toBe(0);
      expect(pair).toContain(p1);
      for (const fd of pair) evutil_make_socket_nonblocking(fd);
      raise(SIGUSR2);
      evutil_usleep_(new timeval(0, 100000));
      const buf = new Uint8Array(8);
      for (const fd of pair) {
        expect(read(fd, buf, buf.length), `fd ${fd}`).toBe(-1);
        expect(errno).toBe(EAGAIN);
      }
    });

    it("priorities: event_base_get_npriorities, event_get_priority, and event_base_set's middle priority", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      expect(event_base_get_npriorities(base)).toBe(1);
      expect(event_base_priority_init(base, 8)).toBe(0);
      expect(event_base_get_npriorities(base)).toBe(8);
      const ev = evtimer_new(base, dummy_read_cb, null)!;
      expect(event_get_priority(ev)).toBe(4);
      expect(event_priority_set(ev, 8)).toBe(-1);
      expect(event_priority_set(ev, -1)).toBe(-1);
      expect(event_priority_set(ev, 7)).toBe(0);
      expect(event_get_priority(ev)).toBe(7);
      event_active(ev, EV_TIMEOUT, 1);
      expect(event_priority_set(ev, 1)).toBe(-1); // active
      expect(event_base_priority_init(base, 3)).toBe(-1); // a callback is active
      event_del(ev);
      expect(event_base_priority_init(base, 0)).toBe(-1);
      expect(event_base_priority_init(base, 256)).toBe(-1);
      expect(event_base_priority_init(base, 255)).toBe(0);

      const base2 = newBase();
      expect(event_base_priority_init(base2, 3)).toBe(0);
      const ev2 = new event();
      evtimer_assign(ev2, base, dummy_read_cb, null);
      expect(event_get_priority(ev2)).toBe(127);
      expect(event_base_set(base2, ev2)).toBe(0);
      expect(event_get_priority(ev2)).toBe(1);
      event_add(ev2, new timeval(10, 0));
      expect(event_base_set(base, ev2)).toBe(-1); // no longer in its initial state
      event_del(ev2);
      event_free(ev);
      event_base_free(base2);
    });

    it("evuser_trigger and event_gettime_monotonic", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      let ran = 0;
      const ev = evuser_new(base, (_fd, what) => {
        expect(what).toBe(0);
        ran++;
      }, null)!;
      expect(evuser_pending(ev, null)).toBe(0);
      evuser_trigger(ev);
      event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
      expect(ran).toBe(1);
      event_free(ev);

      const t1 = new timeval();
      const t2 = new timeval();
      expect(event_gettime_monotonic(base, t1)).toBe(0);
      evutil_usleep_(new timeval(0, 30000));
      expect(event_gettime_monotonic(base, t2)).toBe(0);
      expect(timeval_msec_diff(t1, t2)).toBeGreaterThanOrEqual(25);
      expect(event_gettime_monotonic(null, t1)).toBe(-1);
    });
  });

  describe("main (port: exceptions and misuse)", () => {
    it("a callback that throws: the exception leaves event_base_dispatch, the base stays consistent and loops again", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      const order: string[] = [];
      const boom = evtimer_new(base, () => {
        order.push("boom");
        throw new Error("boom");
      }, null)!;
      const after = evtimer_new(base, () => { order.push("after"); }, null)!;
      let reads = 0;
      const reader = event_new(base, data.pair[1]!, EV_READ | EV_PERSIST, (fd) => {
        const buf = new Uint8Array(16);
        if (read(fd, buf, buf.length) === 0) event_del(reader);
        if (++reads === 1) throw new TypeError("persistent boom");
      }, null)!;
      evtimer_add(boom, new timeval(0, 0));
      evtimer_add(after, new timeval(0, 0));

      expect(() => event_base_dispatch(base)).toThrow("boom");
      expect(order).toEqual(["boom"]);
      event_base_assert_ok_(base);
      expect(event_pending(boom, EV_TIMEOUT, null)).toBe(0); // deleted before its callback, as in C
      expect(event_pending(after, EV_TIMEOUT, null)).toBe(EV_TIMEOUT); // still queued
      expect(event_base_get_running_event(base)).toBeNull();

      // a persistent event that throws stays added
      expect(event_add(reader, null)).toBe(0);
      expect(write(data.pair[0]!, "x", 1)).toBe(1);
      expect(() => event_base_dispatch(base)).toThrow(TypeError);
      event_base_assert_ok_(base);
      expect(event_pending(reader, EV_READ, null)).toBe(EV_READ);

      shutdown(data.pair[0]!, SHUT_WR);
      expect(event_base_dispatch(base)).toBe(1); // not "reentrant": the loop was left cleanly
      expect(order).toEqual(["boom", "after"]);
      expect(reads).toBe(2);
      event_free(boom);
      event_free(after);
      event_free(reader);
    });

    it("a priority that is not an integer is a TypeError naming the call; the base stays consistent", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      expect(event_base_priority_init(base, 4)).toBe(0);
      const ev = evtimer_new(base, dummy_read_cb, null)!;
      expect(() => event_priority_set(ev, 1.5)).toThrow(TypeError);
      expect(() => event_priority_set(ev, 1.5)).toThrow(/event_priority_set/);
      expect(() => event_priority_set(ev, "1" as unknown as number)).toThrow(TypeError);
      expect(() => event_base_priority_init(base, 2.5)).toThrow(/event_base_priority_init/);
      expect(event_get_priority(ev)).toBe(2);
      expect(event_base_get_npriorities(base)).toBe(4);
      event_active(ev, EV_TIMEOUT, 1);
      event_base_assert_ok_(base);
      event_base_loop(base, EVLOOP_ONCE);
      event_free(ev);
    });

    it("event_enable_debug_mode after a base exists throws a TypeError, and debug mode stays off", () => {
      const data = basic_setup({ base: true, pair: true });
      expect(() => event_enable_debug_mode()).toThrow(/before/);
      // still off: mixing edge- and level-triggered events on an fd is not refused
      const a = event_new(data.base, data.pair[0]!, EV_READ | EV_ET, dummy_read_cb, null)!;
      const b = event_new(data.base, data.pair[0]!, EV_READ, dummy_read_cb, null)!;
      expect(event_add(a, null)).toBe(0);
      expect(event_add(b, null)).toBe(0);
      event_free(a);
      event_free(b);
    });

    it("a freed event_config cannot make a base or be freed again (TypeError naming the call)", () => {
      const cfg = event_config_new();
      event_config_free(cfg);
      expect(() => event_base_new_with_config(cfg)).toThrow(/event_base_new_with_config/);
      expect(() => event_config_free(cfg)).toThrow(/event_config_free/);
      expect(() => event_config_avoid_method(cfg, "poll")).toThrow(TypeError);
    });

    it("an event whose priority event_base_priority_init left out of range runs at the lowest priority", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      expect(event_base_priority_init(base, 3)).toBe(0);
      const ran: string[] = [];
      const record = (_fd: number, _what: number, ev: event): void => { ran.push(`${ev === timer ? "timer" : "io"}@${event_get_priority(ev)}`); };
      // a timer that timeout_process activates
      const timer = evtimer_new(base, record, event_self_cbarg())!;
      expect(event_priority_set(timer, 2)).toBe(0);
      expect(event_add(timer, new timeval(0, 0))).toBe(0);
      // two ready fds that the backend reports in one dispatch, the first added at a stale priority
      const r1 = event_new(base, data.pair[1]!, EV_READ, record, event_self_cbarg())!;
      const r2 = event_new(base, data.pair[0]!, EV_READ, record, event_self_cbarg())!;
      expect(event_priority_set(r1, 2)).toBe(0);
      expect(event_add(r1, null)).toBe(0);
      expect(event_add(r2, null)).toBe(0);
      expect(write(data.pair[0]!, "x", 1)).toBe(1);
      expect(write(data.pair[1]!, "y", 1)).toBe(1);
      expect(event_base_priority_init(base, 1)).toBe(0);
      expect(event_base_dispatch(base)).toBe(1);
      expect(ran.sort()).toEqual(["io@0", "io@0", "timer@0"]);
      event_base_assert_ok_(base);

      // and one queued for the next iteration (event_active_later_)
      expect(event_base_priority_init(base, 4)).toBe(0);
      expect(event_priority_set(timer, 3)).toBe(0);
      expect(event_base_priority_init(base, 2)).toBe(0);
      event_active_later_(timer, EV_TIMEOUT);
      ran.length = 0;
      expect(event_base_loop(base, EVLOOP_ONCE)).toBe(0);
      expect(ran).toEqual(["timer@1"]);
      event_base_assert_ok_(base);
      for (const e of [timer, r1, r2]) event_free(e);
    });

    it("a timeval that is not a finite time is refused with a RangeError naming the call", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const ev = evtimer_new(base, dummy_read_cb, null)!;
      for (const tv of [new timeval(NaN, 0), new timeval(0, NaN), new timeval(Infinity, 0), new timeval(0, -Infinity)]) {
        expect(() => event_add(ev, tv)).toThrow(RangeError);
        expect(() => event_add(ev, tv)).toThrow(/event_add/);
        expect(() => event_base_once(base, -1, EV_TIMEOUT, dummy_read_cb, null, tv)).toThrow(/event_base_once/);
        expect(() => event_base_loopexit(base, tv)).toThrow(RangeError);
        expect(() => event_base_init_common_timeout(base, tv)).toThrow(/event_base_init_common_timeout/);
      }
      expect(() => event_add(ev, { tv_sec: "1", tv_usec: 0 } as unknown as timeval)).toThrow(TypeError);
      // nothing was added by the refused calls
      expect(event_pending(ev, EV_TIMEOUT, null)).toBe(0);
      expect(event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED)).toBe(0);
      event_free(ev);
    });

    it("a timeval whose tv_sec or tv_usec is not an integer is refused with a TypeError naming the call", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const ev = evtimer_new(base, dummy_read_cb, null)!;
      for (const tv of [new timeval(0, 1000.5), new timeval(1.1, 0)]) {
        expect(() => event_add(ev, tv)).toThrow(TypeError);
        expect(() => event_add(ev, tv)).toThrow(/event_add/);
        expect(() => event_base_once(base, -1, EV_TIMEOUT, dummy_read_cb, null, tv)).toThrow(/event_base_once/);
        expect(() => event_base_loopexit(base, tv)).toThrow(TypeError);
        expect(() => event_base_init_common_timeout(base, tv)).toThrow(/event_base_init_common_timeout/);
      }
      expect(event_pending(ev, EV_TIMEOUT, null)).toBe(0);
      expect(event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED)).toBe(0);
      expect(event_base_loop(base, EVLOOP_NONBLOCK)).toBe(1);
      event_free(ev);
    });

    it("an event_base_once callback that throws: its record is released all the same", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      expect(event_base_once(base, -1, EV_TIMEOUT, () => { throw new Error("once"); }, null, null)).toBe(0);
      expect(internals(base).once_events.size).toBe(1);
      expect(() => event_base_dispatch(base)).toThrow("once");
      expect(internals(base).once_events.size).toBe(0);
      expect(event_base_dispatch(base)).toBe(1);
    });

    it("event_add of an event never assigned, or freed, or of a freed base, throws a TypeError naming event_add", () => {
      const data = basic_setup({ base: true });
      expect(() => event_add(new event(), null)).toThrow(TypeError);
      expect(() => event_add(new event(), null)).toThrow(/event_add/);
      const ev = evtimer_new(data.base, dummy_read_cb, null)!;
      event_free(ev);
      expect(() => event_add(ev, new timeval(1, 0))).toThrow(TypeError);
      expect(() => event_add(ev, new timeval(1, 0))).toThrow(/event_add/);
      expect(() => event_add({} as event, null)).toThrow(/event_add/);

      const base2 = newBase();
      const ev2 = evtimer_new(base2, dummy_read_cb, null)!;
      event_base_free(base2);
      expect(() => event_add(ev2, new timeval(1, 0))).toThrow(/event_add/);
      expect(() => event_base_dispatch(base2)).toThrow(TypeError);
      expect(event_initialized(new event())).toBe(0);
    });

    it("event_free a second time throws a TypeError naming event_free; so does freeing what event_free_finalize freed", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const ev = evtimer_new(base, dummy_read_cb, null)!;
      event_add(ev, new timeval(10, 0));
      event_free(ev);
      expect(() => event_free(ev)).toThrow(TypeError);
      expect(() => event_free(ev)).toThrow("event_free: the event was already freed");
      const unassigned = new event();
      event_free(unassigned);
      expect(() => event_free(unassigned)).toThrow(/already freed/);

      let finalized = 0;
      const ev2 = evtimer_new(base, dummy_read_cb, null)!;
      event_free_finalize(0, ev2, () => { finalized++; });
      event_base_loop(base, EVLOOP_NONBLOCK);
      expect(finalized).toBe(1);
      expect(() => event_free(ev2)).toThrow(/event_free: the event was already freed/);

      // a freed event assigned again is a new event, which event_free releases once more
      expect(evtimer_assign(ev, base, dummy_read_cb, null)).toBe(0);
      event_free(ev);
      expect(() => event_free(ev)).toThrow(/already freed/);
      event_base_assert_ok_(base);
    });

    it("event_base_free from a callback of the base's own loop throws a TypeError; the loop goes on", () => {
      for (const free of [event_base_free, event_base_free_nofinalize]) {
        const data = basic_setup({ base: true });
        const base = data.base!;
        const caught: unknown[] = [];
        const ev = evtimer_new(base, () => {
          try {
            free(base);
          } catch (e) {
            caught.push(e);
          }
        }, null)!;
        const after = evtimer_new(base, () => { caught.push("after"); }, null)!;
        evtimer_add(ev, new timeval(0, 0));
        evtimer_add(after, new timeval(0, 20000));
        expect(event_base_dispatch(base)).toBe(1);
        expect(caught).toHaveLength(2);
        expect(caught[0]).toBeInstanceOf(TypeError);
        expect(String(caught[0])).toMatch(free === event_base_free ? /event_base_free:/ : /event_base_free_nofinalize:/);
        expect(caught[1]).toBe("after");
        event_base_assert_ok_(base);
        event_free(ev);
        event_free(after);
      }
    });

    it("a freed base's backend handle is dead: it is not another base's backend reused", () => {
      const base = newBase();
      const evsel = internals(base).evsel;
      event_base_free(base);
      const base2 = newBase(); // may get the freed handle in the addon
      const pair = [-1, -1];
      expect(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair)).toBe(0);
      try {
        expect(() => evsel.add(pair[0]!, 0, EV_READ)).toThrow(RangeError);
        expect(() => evsel.dispatch(base2 as never, 0)).toThrow(RangeError);
      } finally {
        for (const fd of pair) close(fd);
        event_base_free(base2);
      }
    });
  });
});
