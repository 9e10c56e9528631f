/**
 * libevent's `et/` regression group (test/regress_et.c), run once per compiled-in backend:
 * edge-triggered events where the backend has them (epoll, kqueue), level-triggered and without
 * EV_ET in `what` elsewhere. et_mix_error needs debug mode, so it lives in debug.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  EV_ET, EV_PERSIST, EV_READ, EV_WRITE, EVLOOP_NONBLOCK, EVLOOP_ONCE, event, event_add, event_base,
  event_base_get_method, event_base_loop, event_del, event_free, event_new,
} from "libevent-ts/event2/event";
import { eachBackend } from "./helpers/backends.js";
import { SHUT_WR, close, recv, send, shutdown, strlen } from "./helpers/fdio.js";
import { checkFdLeaks } from "./helpers/fds.js";
import { basic_setup } from "./helpers/setup.js";

checkFdLeaks();

function base_supports_et(base: event_base): boolean {
  const m = event_base_get_method(base);
  return m === "epoll" || m === "epoll (with changelist)" || m === "io_uring" || m === "kqueue";
}

eachBackend(() => {
  describe("et", () => {
    it("et: an EV_ET|EV_PERSIST read event fires once with EV_ET where supported, twice without it elsewhere", () => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      const pair = data.pair;
      const test = "test string";
      let called = 0;
      let was_et = 0;
      expect(send(pair[0]!, `${test}\0`, strlen(test) + 1, 0)).toBeGreaterThan(0);
      expect(shutdown(pair[0]!, SHUT_WR)).toBe(0);
      const supports_et = base_supports_et(base);

      const ev = event_new(base, pair[1]!, EV_READ | EV_ET | EV_PERSIST, (fd, what) => {
        const buf = new Uint8Array(1);
        const len = recv(fd, buf, 1, 0);
        called++;
        if (what & EV_ET) was_et = 1;
        if (!len) event_del(ev);
      }, null)!;
      expect(ev).not.toBeNull();
      expect(event_add(ev, null)).toBe(0);

      // Each pass reads one byte. Edge-triggered, the second pass sees no new edge; level-triggered,
      // the bytes still there make it fire again.
      expect(event_base_loop(base, EVLOOP_NONBLOCK | EVLOOP_ONCE)).toBe(0);
      expect(event_base_loop(base, EVLOOP_NONBLOCK | EVLOOP_ONCE)).toBe(0);
      if (supports_et) {
        expect(called).toBe(1);
        expect(was_et).toBe(1);
      } else {
        expect(called).toBe(2);
        expect(was_et).toBe(0);
      }
      event_del(ev);
      event_free(ev);
    });

    it("et_multiple_events: deleting one of two ET events on an fd keeps the other edge-triggered", (ctx) => {
      const data = basic_setup({ base: true, pair: true });
      const base = data.base!;
      const pair = data.pair;
      if (!base_supports_et(base)) ctx.skip();
      let read_notification_count = 0;
      let last_read_notification_was_et = 0;
      let write_notification_count = 0;
      let last_write_notification_was_et = 0;

      expect(send(pair[0]!, "A", 1, 0)).toBeGreaterThan(0); // pair[1] readable
      const read_ev: event = event_new(base, pair[1]!, EV_READ | EV_ET | EV_PERSIST, (_fd, what) => {
        read_notification_count++;
        last_read_notification_was_et = what & EV_ET;
      }, null)!;
      const write_ev: event = event_new(base, pair[1]!, EV_WRITE | EV_ET | EV_PERSIST, (_fd, what) => {
        write_notification_count++;
        last_write_notification_was_et = what & EV_ET;
      }, null)!;
      event_add(read_ev, null);
      event_add(write_ev, null);
      event_base_loop(base, EVLOOP_NONBLOCK | EVLOOP_ONCE);
      event_base_loop(base, EVLOOP_NONBLOCK | EVLOOP_ONCE);
      expect(last_read_notification_was_et).not.toBe(0);
      expect(read_notification_count).toBe(1);
      expect(last_write_notification_was_et).not.toBe(0);
      expect(write_notification_count).toBe(1);

      event_del(read_ev);
      // a second edge, for backends that keep several filters per fd (kqueue)
      close(pair[0]!);
      pair[0] = -1;
      event_base_loop(base, EVLOOP_NONBLOCK | EVLOOP_ONCE);
      event_base_loop(base, EVLOOP_NONBLOCK | EVLOOP_ONCE);
      expect(last_write_notification_was_et).not.toBe(0);
      expect(write_notification_count).toBe(2);
      event_free(read_ev);
      event_free(write_ev);
    });
  });
});
