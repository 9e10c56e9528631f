/**
 * The stand-alone test programs of libevent (test/test-*.c) that concern the core, run once per
 * compiled-in backend as test/test.sh runs them: test-init, test-eof, test-closed, test-weof, test-time,
 * test-changelist and test-dumpevents (checked the way test/check-dumpevents.py checks it). Each
 * program is ported as a `main()` returning its exit status; what it prints is collected and
 * checked too. The legacy calls of some (event_init, event_set, event_dispatch) become their
 * modern equivalents on a base of the backend under test.
 *
 * Left out: test-fdleak and test-ratelim (listener and bufferevent programs, not the core).
 */
import { describe, expect, it, onTestFinished } from "vitest";
import {
  EV_CLOSED, EV_FEATURE_EARLY_CLOSE, EV_PERSIST, EV_READ, EV_TIMEOUT, EV_WRITE, event, event_active, event_add,
  event_assign, event_base, event_base_dispatch, event_base_dump_events, event_base_free, event_base_init_common_timeout,
  event_base_new_with_config, event_config_free, event_config_new, event_config_require_features, event_del,
  event_free, event_new, event_self_cbarg, event_set_log_callback, evsignal_new, evtimer_add, evtimer_del, evtimer_new,
} from "libevent-ts/event2/event";
import { event_init } from "libevent-ts/event2/event_compat";
import { evutil_gettimeofday, evutil_snprintf, timeval } from "libevent-ts/event2/util";
import { event_global_current_base_ } from "../src/event/event.js";
import { eachBackend, expectIntendedBackend, newBase as newCheckedBase } from "./helpers/backends.js";
import { internals } from "./helpers/internal.js";
import {
  AF_UNIX, SHUT_WR, SIGINT, SOCK_STREAM, evutil_closesocket, evutil_make_internal_pipe_, evutil_socketpair, recv,
  send, shutdown, strlen,
} from "./helpers/fdio.js";
import { checkFdLeaks } from "./helpers/fds.js";

checkFdLeaks();

/** What a program printed to its stdout, line by line. */
let out: string[] = [];
let partial = "";
/** The program's stdout: anything with write(text), as event_base_dump_events wants a FILE *. */
const stdout = {
  write(text: string): void {
    const lines = (partial + text).split("\n");
    partial = lines.pop()!;
    out.push(...lines);
  },
};
const fmtbuf = new Uint8Array(1024);
/** `printf(format, ...)`, through evutil_snprintf. */
function printf(format: string, ...args: unknown[]): void {
  const n = evutil_snprintf(fmtbuf, fmtbuf.length, format, ...args);
  stdout.write(Buffer.from(fmtbuf.subarray(0, Math.min(n, fmtbuf.length - 1))).toString("utf8"));
}
/** `puts(s)` */
function puts(s: string): void {
  stdout.write(`${s}\n`);
}

/** A base for the program, freed when the test ends if the program did not get to free it. */
function newBase(): event_base {
  return freeAtEnd(newCheckedBase());
}

function freeAtEnd(base: event_base): event_base {
  onTestFinished(() => {
    if (!internals(base).freed) event_base_free(base);
  });
  return base;
}

/** Close what is still open of `fds` (entries set to -1 were closed by the program). */
function closeAll(fds: number[]): void {
  for (const fd of fds) if (fd >= 0) evutil_closesocket(fd);
}

/** test/test-init.c: event_init() succeeds (the base is left to the end of the process, as in C). */
function test_init(): number {
  // Initialize the event library
  event_init();
  return 0;
}

/** test/test-eof.c: a read event with a 60 s timeout sees the data, then EOF. */
function test_eof(): number {
  let test_okay = 1;
  let called = 0;
  const timeout = new timeval(60, 0);
  const ev = new event<event>();
  const test = "test string";
  const pair = [-1, -1];
  if (evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair) === -1) return 1;
  try {
    if (send(pair[0]!, `${test}\0`, strlen(test) + 1, 0) < 0) return 1;
    shutdown(pair[0]!, SHUT_WR);
    const base = newBase();
    event_assign(ev, base, pair[1]!, EV_READ | EV_TIMEOUT, (fd, what, arg) => {
      if (EV_TIMEOUT & what) {
        printf("%s: Timeout!\n", "read_cb");
        throw new Error("exit(1)");
      }
      const buf = new Uint8Array(256);
      const len = recv(fd, buf, buf.length, 0);
      printf("%s: read %d%s\n", "read_cb", len, len ? "" : " - means EOF");
      if (len) {
        if (!called) event_add(arg, timeout);
      } else if (called === 1) {
        test_okay = 0;
      }
      called++;
    }, ev);
    event_add(ev, timeout);
    event_base_dispatch(base);
    event_base_free(base);
    return test_okay;
  } finally {
    closeAll(pair);
  }
}

/** test/test-closed.c: an EV_CLOSED|EV_TIMEOUT event reports the peer's shutdown within 3 s. */
function test_closed(): number {
  const timeout = new timeval(3, 0);
  const cfg = event_config_new();
  event_config_require_features(cfg, EV_FEATURE_EARLY_CLOSE);
  const base = event_base_new_with_config(cfg);
  event_config_free(cfg);
  if (!base) return 0; // the backend has no EV_FEATURE_EARLY_CLOSE
  expectIntendedBackend(freeAtEnd(base));
  const pair = [-1, -1];
  if (evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair) === -1) return 1;
  try {
    const test = "test string";
    if (send(pair[0]!, `${test}\0`, strlen(test) + 1, 0) < 0) return 1;
    shutdown(pair[0]!, SHUT_WR);
    let status = 0;
    const ev = event_new(base, pair[1]!, EV_CLOSED | EV_TIMEOUT, (_fd, what) => {
      if (EV_TIMEOUT & what) {
        printf("%s: Timeout!\n", "closed_cb");
        status = 1;
        return;
      }
      if (EV_CLOSED & what) {
        printf("%s: detected socket close with success\n", "closed_cb");
        return;
      }
      printf("%s: unable to detect socket close\n", "closed_cb");
      status = 1;
    }, event_self_cbarg())!;
    event_add(ev, timeout);
    event_base_dispatch(base);
    event_free(ev);
    event_base_free(base);
    return status;
  } finally {
    closeAll(pair);
  }
}

/** test/test-weof.c: after the peer closed, the first write succeeds and the second fails. */
function test_weof(): number {
  let test_okay = 1;
  let called = 0;
  const pair = [-1, -1];
  // C ignores SIGPIPE here; Node already does
  if (evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair) === -1) return 1;
  try {
    const base = newBase();
    const ev = new event<event>();
    event_assign(ev, base, pair[1]!, EV_WRITE, (fd, _what, arg) => {
      const test = "test string";
      const len = send(fd, `${test}\0`, strlen(test) + 1, 0);
      printf("%s: write %d%s\n", "write_cb", len, len ? "" : " - means EOF");
      if (len > 0) {
        if (!called) event_add(arg, null);
        evutil_closesocket(pair[0]!);
        pair[0] = -1;
      } else if (called === 1) {
        test_okay = 0;
      }
      called++;
    }, ev);
    event_add(ev, null);
    event_base_dispatch(base);
    event_base_free(base);
    return test_okay;
  } finally {
    closeAll(pair);
  }
}

/** test/test-time.c: 20000 timers re-added or deleted at random from their callbacks. */
function test_time(): { status: number; called: number } {
  const NEVENT = 20000;
  let called = 0;
  const ev: event[] = [];
  // evutil_weakrand_ seeded with 0: glibc's TYPE_0 linear congruential generator
  let seed = 0;
  const rand_int = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed % n;
  };
  const time_cb = (): void => {
    const tv = new timeval();
    called++;
    if (called < 10 * NEVENT) {
      for (let i = 0; i < 10; i++) {
        const j = rand_int(NEVENT);
        tv.tv_sec = 0;
        tv.tv_usec = rand_int(50000);
        if (tv.tv_usec % 2 || called < NEVENT) evtimer_add(ev[j]!, tv);
        else evtimer_del(ev[j]!);
      }
    }
  };
  const base = newBase();
  const tv = new timeval();
  for (let i = 0; i < NEVENT; i++) {
    ev[i] = evtimer_new(base, time_cb, event_self_cbarg())!;
    tv.tv_sec = 0;
    tv.tv_usec = rand_int(50000);
    evtimer_add(ev[i]!, tv);
  }
  const i = event_base_dispatch(base);
  printf("event_base_dispatch=%d, called=%d, EVENT=%d\n", i, called, NEVENT);
  for (const e of ev) event_free(e);
  event_base_free(base);
  return { status: i === 1 && called >= NEVENT ? 0 : 1, called };
}

/** test/test-changelist.c: del/add/del of a persistent write event in its callback must not spin. */
function test_changelist(): { status: number; usage: number } {
  const pair = [-1, -1];
  if (evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair) === -1) return { status: 1, usage: 0 };
  try {
    const base = newBase();
    const box: { ev: event | null; timeout: event | null } = { ev: null, timeout: null };
    box.timeout = evtimer_new(base, () => {
      printf("timeout fired, time to end test\n");
      event_del(box.timeout!);
    }, null)!;
    box.ev = event_new(base, pair[1]!, EV_WRITE | EV_PERSIST, () => {
      printf("write callback. should only see this once\n");
      event_del(box.ev!); // got what we want: remove the event
      event_add(box.ev!, null); // changed my mind: add it back
      event_del(box.ev!); // not a good day for decisiveness
    }, null)!;
    evtimer_add(box.timeout, new timeval(1, 500 * 1000));
    event_add(box.ev, null);

    const cpuBegin = process.cpuUsage();
    const timeBegin = process.hrtime.bigint();
    event_base_dispatch(base);
    event_free(box.ev);
    event_free(box.timeout);
    event_base_free(base);
    const cpu = process.cpuUsage(cpuBegin);
    const secondsUsed = (cpu.user + cpu.system) / 1e6;
    const secondsPassed = Number(process.hrtime.bigint() - timeBegin) / 1e9;
    const usage = secondsUsed / secondsPassed;
    printf("usec used=%d, usec passed=%d, cpu usage=%.2f%%\n", Math.trunc(secondsUsed * 1e6),
      Math.trunc(secondsPassed * 1e6), usage * 100);
    return { status: usage * 100 > 50.0 ? 1 : 0, usage };
  } finally {
    closeAll(pair);
  }
}

/** test/test-dumpevents.c: prints the expected dump, then event_base_dump_events' own. */
function test_dumpevents(): number {
  const N_EVENTS = 13;
  const pair1 = [-1, -1];
  const pair2 = [-1, -1];
  if (evutil_make_internal_pipe_(pair1) < 0 || evutil_make_internal_pipe_(pair2) < 0) {
    closeAll([...pair1, ...pair2]);
    return 1;
  }
  try {
    const tv_onesec = new timeval(1, 0);
    const tv_two5sec = new timeval(2, 500 * 1000);
    const base = newBase();
    const tv_onesec_common = event_base_init_common_timeout(base, tv_onesec)!;
    const tv_two5sec_common = event_base_init_common_timeout(base, tv_two5sec)!;
    const callback1 = (): void => {};
    const callback2 = (): void => {};
    const ev: event[] = [];
    ev[0] = event_new(base, pair1[0]!, EV_WRITE, callback1, null)!;
    ev[1] = event_new(base, pair1[1]!, EV_READ | EV_PERSIST, callback1, null)!;
    ev[2] = event_new(base, pair2[0]!, EV_WRITE | EV_PERSIST, callback2, null)!;
    ev[3] = event_new(base, pair2[1]!, EV_READ, callback2, null)!;
    // timers
    ev[4] = evtimer_new(base, callback1, null)!;
    ev[5] = evtimer_new(base, callback1, null)!;
    ev[6] = evtimer_new(base, callback1, null)!;
    ev[7] = event_new(base, -1, EV_PERSIST, callback2, null)!;
    ev[8] = event_new(base, -1, EV_PERSIST, callback2, null)!;
    ev[9] = event_new(base, -1, EV_PERSIST, callback2, null)!;
    // to activate
    ev[10] = event_new(base, -1, 0, callback1, null)!;
    ev[11] = event_new(base, -1, 0, callback2, null)!;
    // signals
    ev[12] = evsignal_new(base, SIGINT, callback2, null)!;

    event_add(ev[0]!, null);
    event_add(ev[1]!, tv_onesec);
    event_add(ev[2]!, tv_onesec_common);
    event_add(ev[3]!, tv_two5sec_common);
    event_add(ev[4]!, tv_onesec_common);
    event_add(ev[5]!, tv_onesec_common);
    event_add(ev[6]!, tv_onesec);
    event_add(ev[7]!, tv_two5sec_common);
    event_add(ev[8]!, tv_onesec_common);
    event_add(ev[9]!, tv_two5sec);
    event_active(ev[10]!, EV_READ, 1);
    event_active(ev[11]!, EV_READ | EV_WRITE | EV_TIMEOUT, 1);
    event_active(ev[1]!, EV_READ, 1);
    event_add(ev[12]!, null);

    const now = new timeval();
    evutil_gettimeofday(now, null);
    puts("=====expected");
    printf("Now= %ld.%06d\n", now.tv_sec, now.tv_usec);
    puts("Inserted:");
    printf("  %p [fd  %ld] Write\n", ev[0], pair1[0]);
    printf("  %p [fd  %ld] Read Persist Timeout=T+1\n", ev[1], pair1[1]);
    printf("  %p [fd  %ld] Write Persist Timeout=T+1\n", ev[2], pair2[0]);
    printf("  %p [fd  %ld] Read Timeout=T+2.5\n", ev[3], pair2[1]);
    printf("  %p [fd  -1] Timeout=T+1\n", ev[4]);
    printf("  %p [fd  -1] Timeout=T+1\n", ev[5]);
    printf("  %p [fd  -1] Timeout=T+1\n", ev[6]);
    printf("  %p [fd  -1] Persist Timeout=T+2.5\n", ev[7]);
    printf("  %p [fd  -1] Persist Timeout=T+1\n", ev[8]);
    printf("  %p [fd  -1] Persist Timeout=T+2.5\n", ev[9]);
    printf("  %p [sig %d] Signal Persist\n", ev[12], SIGINT);
    puts("Active:");
    printf("  %p [fd  -1, priority=0] Read active\n", ev[10]);
    printf("  %p [fd  -1, priority=0] Read Write Timeout active\n", ev[11]);
    printf("  %p [fd  %ld, priority=0] Read active\n", ev[1], pair1[1]);
    puts("======received");
    event_base_dump_events(base, stdout);

    for (let i = 0; i < N_EVENTS; ++i) event_free(ev[i]!);
    event_base_free(base);
    return 0;
  } finally {
    closeAll([...pair1, ...pair2]);
  }
}

/** test/check-dumpevents.py: the sets of inserted and active lines must match, times within 0.1 s. */
function check_dumpevents(text: string[]): void {
  const expect_inserted_pos = text.indexOf("Inserted:");
  const expect_active_pos = text.indexOf("Active:");
  const got_inserted_pos = text.indexOf("Inserted events:");
  const got_active_pos = text.indexOf("Active events:");
  expect([expect_inserted_pos, expect_active_pos, got_inserted_pos, got_active_pos]).not.toContain(-1);
  expect(expect_inserted_pos < expect_active_pos && expect_active_pos < got_inserted_pos &&
    got_inserted_pos < got_active_pos, "sections in order").toBe(true);
  const T = Number(text[1]!.split(/\s+/)[1]);

  const want_inserted = new Set(text.slice(expect_inserted_pos + 1, expect_active_pos));
  const want_active = new Set(text.slice(expect_active_pos + 1, got_inserted_pos - 1));
  const got_inserted = text.slice(got_inserted_pos + 1, got_active_pos);
  const got_active = new Set(text.slice(got_active_pos + 1));
  const replace_time = (s: string): string => s.replace(/Timeout=([0-9.]+)/, (m, t: string) => {
    const d = Math.abs(Number(t) - T);
    if (d > 0.9 && d < 1.1) return "Timeout=T+1";
    if (d > 2.4 && d < 2.6) return "Timeout=T+2.5";
    return m;
  });
  const cleaned_inserted = new Set(got_inserted.filter((s) => !s.includes("Internal")).map(replace_time));
  expect(cleaned_inserted).toEqual(want_inserted);
  expect(got_active).toEqual(want_active);
}

eachBackend(() => {
  describe("standalone programs", () => {
    it("test-init: event_init() makes a base of the backend under test, the current one", () => {
      expect(test_init()).toBe(0);
      const base = event_global_current_base_()!;
      onTestFinished(() => event_base_free(null)); // the process's end, here
      expectIntendedBackend(base);
    });

    it("test-eof: a read event with a timeout sees the data, then EOF", () => {
      out = [];
      expect(test_eof()).toBe(0);
      expect(out).toEqual(["read_cb: read 12", "read_cb: read 0 - means EOF"]);
    });

    it("test-closed: EV_CLOSED|EV_TIMEOUT reports the peer's shutdown (exit 0 without EARLY_CLOSE)", () => {
      event_set_log_callback(() => {}); // "no event mechanism available" where none has EARLY_CLOSE
      onTestFinished(() => event_set_log_callback(null));
      out = [];
      expect(test_closed()).toBe(0);
      const cfg = event_config_new();
      event_config_require_features(cfg, EV_FEATURE_EARLY_CLOSE);
      const base = event_base_new_with_config(cfg);
      event_config_free(cfg);
      expect(out).toEqual(base ? ["closed_cb: detected socket close with success"] : []);
      if (base) event_base_free(base);
    });

    it("test-weof: after the peer closed, the first write succeeds and the second fails", () => {
      out = [];
      expect(test_weof()).toBe(0);
      expect(out).toEqual(["write_cb: write 12", "write_cb: write -1"]);
    });

    it("test-time: 20000 timers re-added and deleted at random; dispatch returns 1 after at least 20000 calls", { timeout: 120_000 }, () => {
      out = [];
      const r = test_time();
      expect(out).toEqual([`event_base_dispatch=1, called=${r.called}, EVENT=20000`]);
      expect(r.called).toBeGreaterThanOrEqual(20000);
      expect(r.status).toBe(0);
    });

    it("test-changelist: del/add/del of a persistent write event in its callback does not busy-loop (< 50% CPU)", () => {
      out = [];
      const r = test_changelist();
      expect(out.slice(0, 2)).toEqual(["write callback. should only see this once", "timeout fired, time to end test"]);
      expect(r.usage * 100, out[2]).toBeLessThan(50);
      expect(r.status).toBe(0);
    });

    it("test-dumpevents: event_base_dump_events lists what check-dumpevents.py expects", () => {
      out = [];
      expect(test_dumpevents()).toBe(0);
      check_dumpevents(out);
    });
  });
});
