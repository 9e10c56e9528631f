/**
 * libevent's `signal/` regression group (test/regress.c), run once per compiled-in backend. All
 * of these are LEGACY(...) cases in C (event_init, signal_set, event_dispatch ...): each runs twice
 * (helpers/legacy.ts), as libevent runs it on event_init()'s base through the legacy calls, and
 * with their event.h replacements on event_base_new() bases. setitimer's SIGALRM comes from a child process
 * (helpers/signals.ts); SIGUSR1, which Node's inspector owns, is SIGUSR2 here.
 *
 * Nothing is left out: signal_restore, which the reference marks as needing a native sigaction,
 * uses a Node `process.on` listener as the handler that was there before.
 */
import { fstatSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  EV_SIGNAL, EVLOOP_NONBLOCK, event, event_add, event_base_free, event_base_loop, event_base_set, event_free,
  event_get_base, event_pending, event_set_log_callback, evsignal_add, evsignal_del, evsignal_new, evtimer_add,
} from "libevent-ts/event2/event";
import { signal_add } from "libevent-ts/event2/event_compat";
import { EINVAL, errno, strerror, timeval } from "libevent-ts/event2/util";
import { eachBackend, newBase } from "./helpers/backends.js";
import { EBADF, SIGALRM, SIGCONT, SIGUSR2 } from "./helpers/fdio.js";
import { checkFdLeaks } from "./helpers/fds.js";
import { internals } from "./helpers/internal.js";
import { legacy_hows, legacy_setup, legacy_title } from "./helpers/legacy.js";
import { alarmAfter, raise, signalCaught } from "./helpers/signals.js";

checkFdLeaks();

let test_ok = 0;
let called = 0;

/** signal_cb: delete the event, note success. */
function signal_cb(_fd: number, _event: number, ev: event): void {
  evsignal_del(ev);
  test_ok = 1;
}

function legacy(): void {
  test_ok = called = 0;
}

eachBackend(() => {
  describe("signal", () => {
    for (const how of legacy_hows) {
      for (const find_reorder of [false, true]) {
        const name = find_reorder ? "simplesignal" : "simplestsignal";
        it(legacy_title(how, name, `a SIGALRM raised while the loop waits is delivered${find_reorder ? " (after a del/add reorder)" : ""}`), () => {
          const R = legacy_setup(how, { pair: true });
          legacy();
          const ev = new event<event>();
          R.evsignal_set(ev, SIGALRM, signal_cb, ev);
          evsignal_add(ev, null);
          if (find_reorder) {
            evsignal_del(ev);
            evsignal_add(ev, null);
          }
          alarmAfter(100);
          expect(R.event_dispatch()).toBe(1); // the callback deleted the only event
          if (evsignal_del(ev) === -1) test_ok = 0;
          expect(test_ok).toBe(1);
        });
      }
    }

    for (const how of legacy_hows) {
      it(legacy_title(how, "multiplesignal", "two events on SIGALRM both run"), () => {
        const R = legacy_setup(how, { pair: true });
        legacy();
        const ev_one = new event<event>();
        const ev_two = new event<event>();
        const ran: event[] = [];
        const cb = (fd: number, what: number, ev: event): void => {
          ran.push(ev);
          signal_cb(fd, what, ev);
        };
        R.evsignal_set(ev_one, SIGALRM, cb, ev_one);
        evsignal_add(ev_one, null);
        R.evsignal_set(ev_two, SIGALRM, cb, ev_two);
        evsignal_add(ev_two, null);
        alarmAfter(100);
        R.event_dispatch();
        if (evsignal_del(ev_one) === -1) test_ok = 0;
        if (evsignal_del(ev_two) === -1) test_ok = 0;
        expect(test_ok).toBe(1);
        expect(ran).toEqual([ev_two, ev_one]); // most recently added first, as libevent's evmap lists them
      });
    }

    for (const how of legacy_hows) {
      it(legacy_title(how, "immediatesignal", "a signal raised before a NONBLOCK loop is delivered by it"), () => {
        const R = legacy_setup(how, { pair: true });
        legacy();
        const ev = new event<event>();
        R.evsignal_set(ev, SIGUSR2, signal_cb, ev);
        evsignal_add(ev, null);
        raise(SIGUSR2);
        R.event_loop(EVLOOP_NONBLOCK);
        evsignal_del(ev);
        expect(test_ok).toBe(1);
      });
    }

    for (const how of legacy_hows) {
      it(legacy_title(how, "signal_dealloc", "add, del, then free the base"), () => {
        const R = legacy_setup(how, { pair: true });
        legacy();
        const base = R.event_init();
        const ev = new event<event>();
        R.evsignal_set(ev, SIGUSR2, signal_cb, ev);
        expect(event_get_base(ev)).toBe(base);
        evsignal_add(ev, null);
        evsignal_del(ev);
        event_base_free(base);
        expect(signalCaught(SIGUSR2)).toBe(false);
      });
    }

    for (const how of legacy_hows) {
      it(legacy_title(how, "signal_pipeloss", "freeing two bases closes the first one's signal socket"), () => {
        const R = legacy_setup(how, { pair: true });
        const base1 = R.event_init();
        const pipe1 = internals(base1).sig.ev_signal_pair[0]!;
        expect(pipe1).toBeGreaterThanOrEqual(0);
        const base2 = R.event_init();
        event_base_free(base2);
        event_base_free(base1);
        // C closes it a second time and expects EBADF; fstat asks the same without closing anything
        expect(() => fstatSync(pipe1)).toThrow(expect.objectContaining({ errno: -EBADF }));
      });
    }

    for (const how of legacy_hows) {
      it(legacy_title(how, "signal_switchbase", "only the base that last added a signal or entered its loop receives it"), () => {
        const R = legacy_setup(how, { pair: true, noLogs: true });
        legacy();
        const base1 = R.event_init();
        const base2 = R.event_init();
        try {
          const is_kqueue = R.event_get_method() === "kqueue";
          const ran: string[] = [];
          const cb = (fd: number, what: number, ev: event): void => {
            ran.push(ev === ev1 ? "ev1" : "ev2");
            signal_cb(fd, what, ev);
          };
          const ev1 = new event<event>();
          const ev2 = new event<event>();
          R.evsignal_set(ev1, SIGUSR2, cb, ev1);
          R.evsignal_set(ev2, SIGUSR2, cb, ev2);
          expect(event_base_set(base1, ev1)).toBe(0);
          expect(event_base_set(base2, ev2)).toBe(0);
          expect(event_add(ev1, null)).toBe(0);
          expect(event_add(ev2, null)).toBe(0);
          expect(event_get_base(ev1)).toBe(base1);
          expect(event_get_base(ev2)).toBe(base2);

          test_ok = 0;
          raise(SIGUSR2); // handled before any loop runs
          event_base_loop(base2, EVLOOP_NONBLOCK);
          if (is_kqueue) {
            expect(test_ok).toBe(1);
            test_ok = 0;
          }
          event_base_loop(base1, EVLOOP_NONBLOCK);
          expect(test_ok).toBe(1);
          if (!is_kqueue) {
            expect(ran).toEqual(["ev2"]);
            test_ok = 0;
            event_base_loop(base1, EVLOOP_NONBLOCK); // base1 now receives signals
            raise(SIGUSR2);
            event_base_loop(base1, EVLOOP_NONBLOCK);
            event_base_loop(base2, EVLOOP_NONBLOCK);
            expect(ran).toEqual(["ev2", "ev1"]);
          }
          expect(test_ok).toBe(1);
        } finally {
          event_base_free(base1);
          event_base_free(base2);
        }
      });
    }

    for (const how of legacy_hows) {
      it(legacy_title(how, "signal_assert", "a deleted signal event leaves no handler behind"), () => {
        const R = legacy_setup(how, { pair: true });
        legacy();
        const base = R.event_init();
        const ev = new event<event>();
        R.evsignal_set(ev, SIGCONT, signal_cb, ev);
        evsignal_add(ev, null);
        expect(signalCaught(SIGCONT)).toBe(true);
        evsignal_del(ev);
        expect(signalCaught(SIGCONT)).toBe(false);
        raise(SIGCONT);
        event_base_loop(base, EVLOOP_NONBLOCK);
        expect(test_ok).toBe(0);
        event_base_free(base);
      });
    }

    for (const how of legacy_hows) {
      it(legacy_title(how, "signal_restore", "the handler that was there before is restored after del"), async () => {
        const R = legacy_setup(how, { pair: true });
        legacy();
        let prev = 0;
        const signal_cb_sa = (): void => {
          test_ok = 2;
          prev++;
        };
        const base = R.event_init();
        process.on("SIGUSR2", signal_cb_sa);
        try {
          const ev = new event<event>();
          R.evsignal_set(ev, SIGUSR2, signal_cb, ev);
          evsignal_add(ev, null);
          evsignal_del(ev);
          raise(SIGUSR2);
          // Node runs its listener from its own loop
          for (let i = 0; i < 100 && prev === 0; i++) await new Promise((r) => setTimeout(r, 20));
          event_base_loop(base, EVLOOP_NONBLOCK);
          expect(prev).toBe(1);
          expect(test_ok).toBe(2); // 1 would mean signal_cb ran: ours was not removed
        } finally {
          event_base_free(base);
          process.removeListener("SIGUSR2", signal_cb_sa);
        }
      });
    }

    it("signal 0: event_add returns -1 with EINVAL and libevent's sigaction warning; nothing stays counted", () => {
      const logged: string[] = [];
      event_set_log_callback((_severity, msg) => { logged.push(msg); });
      const base = newBase();
      const base2 = newBase();
      try {
        const ev = evsignal_new(base, 0, () => {}, null)!;
        expect(ev).not.toBeNull();
        expect(event_add(ev, null)).toBe(-1);
        expect(errno).toBe(EINVAL);
        expect(logged).toEqual([`sigaction: ${strerror(EINVAL)}`]);
        expect(event_pending(ev, EV_SIGNAL, null)).toBe(0);
        expect(internals(base).sig.ev_n_signals_added).toBe(0);
        expect(event_base_loop(base, EVLOOP_NONBLOCK)).toBe(1); // nothing registered
        // the process-wide count is right too: another base adding a signal is not warned about
        logged.length = 0;
        const ev2 = evsignal_new(base2, SIGUSR2, () => {}, null)!;
        expect(event_add(ev2, null)).toBe(0);
        expect(logged).toEqual([]);
        event_free(ev2);
        event_free(ev);
      } finally {
        event_set_log_callback(null);
        event_base_free(base);
        event_base_free(base2);
      }
    });

    for (const how of legacy_hows) {
      it(legacy_title(how, "signal_while_processing", "a signal raised inside its own callback is delivered again, 5 times"), () => {
        const R = legacy_setup(how, { pair: true });
        const base = R.event_init();
        try {
          called = -1;
          test_ok = 1;
          const ev = new event();
          const ev_timer = new event<event>();
          R.signal_set(ev, SIGUSR2, (sig) => { // signal_cb_swp
            called++;
            if (called < 5) raise(sig);
            else R.event_loopexit(null);
          }, null);
          signal_add(ev, null);
          R.evtimer_set(ev_timer, (_fd, _what, timer) => { // timeout_cb_swp
            if (called === -1) {
              called = 0;
              evtimer_add(timer, new timeval(5, 0));
              raise(SIGUSR2);
              return;
            }
            test_ok = 0;
            R.event_loopexit(null);
          }, ev_timer);
          evtimer_add(ev_timer, new timeval(0, 0));
          R.event_dispatch();
          expect(test_ok).toBe(1);
          expect(called).toBe(5);
        } finally {
          event_base_free(base);
        }
        expect(signalCaught(SIGUSR2)).toBe(false);
      });
    }
  });
});
