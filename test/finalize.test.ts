/**
 * libevent's `finalize/` regression group (test/regress_finalize.c), run once per compiled-in
 * backend. debug_use_after_free needs debug mode and lives in debug.test.ts.
 *
 * free_finalize counts frees through event_set_mem_functions hooks in C; there are no allocator
 * hooks here, so it checks the same thing through what a freed event is: event_free_finalize
 * frees the event after its finalizer (any later use throws), event_finalize does not.
 */
import { describe, expect, it } from "vitest";
import {
  EV_PERSIST, EV_TIMEOUT, event, event_active, event_add, event_base_dispatch, event_base_free, event_callback, event_del,
  event_finalize, event_free, event_free_finalize, event_new, evtimer_assign, evtimer_new,
} from "libevent-ts/event2/event";
import { timeval } from "libevent-ts/event2/util";
import { event_base_assert_ok_ } from "./helpers/assert_ok.js";
import { eachBackend, newBase } from "./helpers/backends.js";
import { checkFdLeaks } from "./helpers/fds.js";
import { event_callback_activate_, event_callback_finalize_, event_deferred_cb_init_ } from "./helpers/internal.js";
import { basic_setup } from "./helpers/setup.js";

checkFdLeaks();

interface int_box { value: number }

function timer_callback(_fd: number, _what: number, int_arg: int_box): void {
  int_arg.value += 1;
}
function simple_callback(_evcb: event_callback, int_arg: int_box): void {
  int_arg.value += 1;
}
function event_finalize_callback_1(_ev: event, int_arg: int_box): void {
  int_arg.value += 100;
}
function callback_finalize_callback_1(_evcb: event_callback, int_arg: int_box): void {
  int_arg.value += 100;
}

eachBackend(() => {
  describe("finalize", () => {
    it("cb_invoked: finalizers run instead of callbacks, also after add or activation", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const cb_called = { value: 0 };
      const ev_called = { value: 0 };
      const ten_sec = new timeval(10, 0);
      const evcb = new event_callback();

      event_deferred_cb_init_(evcb, 0, simple_callback, cb_called);
      let ev = evtimer_new(base, timer_callback, ev_called)!;
      // just finalize them; don't bother adding
      event_free_finalize(0, ev, event_finalize_callback_1);
      event_callback_finalize_(base, 0, evcb, callback_finalize_callback_1);
      event_base_dispatch(base);
      expect(cb_called.value).toBe(100);
      expect(ev_called.value).toBe(100);
      ev_called.value = cb_called.value = 0;
      event_base_assert_ok_(base);

      // active ones, not finalized: activation works
      ev = evtimer_new(base, timer_callback, ev_called)!;
      event_deferred_cb_init_(evcb, 0, simple_callback, cb_called);
      event_active(ev, EV_TIMEOUT, 1);
      event_callback_activate_(base, evcb);
      event_base_dispatch(base);
      expect(cb_called.value).toBe(1);
      expect(ev_called.value).toBe(1);
      ev_called.value = cb_called.value = 0;
      event_base_assert_ok_(base);

      // activated, then finalized: only the finalizers run
      event_active(ev, EV_TIMEOUT, 1);
      event_callback_activate_(base, evcb);
      event_free_finalize(0, ev, event_finalize_callback_1);
      event_callback_finalize_(base, 0, evcb, callback_finalize_callback_1);
      event_base_dispatch(base);
      expect(cb_called.value).toBe(100);
      expect(ev_called.value).toBe(100);
      ev_called.value = 0;
      event_base_assert_ok_(base);

      // added but not active
      ev = evtimer_new(base, timer_callback, ev_called)!;
      event_add(ev, ten_sec);
      event_free_finalize(0, ev, event_finalize_callback_1);
      event_base_dispatch(base);
      expect(ev_called.value).toBe(100);
      ev_called.value = 0;
      event_base_assert_ok_(base);

      // adding, deleting and activating after finalizing do nothing
      ev = evtimer_new(base, timer_callback, ev_called)!;
      const ev2 = new event<int_box>();
      evtimer_assign(ev2, base, timer_callback, ev_called);
      event_add(ev, ten_sec);
      event_free_finalize(0, ev, event_finalize_callback_1);
      event_finalize(0, ev2, event_finalize_callback_1);
      expect(event_add(ev2, ten_sec)).toBe(-1);
      expect(event_del(ev)).toBe(0);
      event_active(ev2, EV_TIMEOUT, 1);
      event_base_dispatch(base);
      expect(ev_called.value).toBe(200);
      event_base_assert_ok_(base);
    });

    it("free_finalize: event_free_finalize frees the event after its finalizer; event_finalize does not", () => {
      const base = newBase();
      const ev_called = { value: 0 };
      const ev2_called = { value: 0 };
      const ev = evtimer_new(base, timer_callback, ev_called)!;
      const ev2 = evtimer_new(base, timer_callback, ev2_called)!;
      event_free_finalize(0, ev, event_finalize_callback_1);
      event_finalize(0, ev2, event_finalize_callback_1);
      event_base_dispatch(base);
      expect(ev_called.value).toBe(100);
      expect(ev2_called.value).toBe(100);
      event_base_assert_ok_(base);
      expect(() => event_add(ev, null)).toThrow(/event_add/); // freed
      expect(() => event_free(ev2)).not.toThrow(); // still ours to free
      expect(() => event_add(ev2, null)).toThrow(/event_add/);
      event_base_free(base);
    });

    it("within_cb: finalizing another active event from a callback suppresses its callback (plain and EV_PERSIST)", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      interface event_and_count { ev: event<event_and_count> | null; ev2: event<event_and_count> | null; count: number }
      const event_finalize_callback_2 = (ev: event, evc: event_and_count): void => {
        evc.count += 100;
        event_free(ev);
      };
      const timer_callback_2 = (_fd: number, _what: number, evc: event_and_count): void => {
        event_finalize(0, evc.ev!, event_finalize_callback_2);
        event_finalize(0, evc.ev2!, event_finalize_callback_2);
        ++evc.count;
      };
      for (const flags of [0, EV_PERSIST]) {
        const evc1: event_and_count = { ev: null, ev2: null, count: 0 };
        const evc2: event_and_count = { ev: null, ev2: null, count: 0 };
        evc2.ev2 = evc1.ev = event_new(base, -1, flags, timer_callback_2, evc1)!;
        evc1.ev2 = evc2.ev = event_new(base, -1, flags, timer_callback_2, evc2)!;
        // the first callback finalizes both, so the second one's callback never runs
        event_active(evc1.ev, EV_TIMEOUT, 1);
        event_active(evc2.ev, EV_TIMEOUT, 1);
        event_base_dispatch(base);
        expect(evc1.count).toBe(101);
        expect(evc2.count).toBe(100);
        event_base_assert_ok_(base);
      }
    });
  });
});
