/**
 * Bufferevent pairs: the pair cases of libevent's `bufferevent/` regression group
 * (test/regress_bufferevent.c: bufferevent_pair, bufferevent_pair_flush_normal/_flush/_finished,
 * bufferevent_pair_watermarks, bufferevent_timeout_pair, bufferevent_pair_flush), run once per
 * backend, then the semantics of reference section 2.14 the group leaves implicit: synchronous
 * transfer, deferred callbacks, the reader's high watermark, no EOF on free, frozen buffers,
 * timeouts restarted by transfers, misuse. The LEGACY(...) cases (bufferevent_pair, its flush
 * variants, bufferevent_pair_watermarks) run twice (helpers/legacy.ts): as libevent runs them, a pair
 * made on a NULL base and event_dispatch on event_init()'s base; and on an event_base_new() base.
 */
import { describe, expect, it } from "vitest";
import {
  BEV_EVENT_EOF, BEV_EVENT_READING, BEV_EVENT_TIMEOUT, BEV_EVENT_WRITING, BEV_FINISHED, BEV_FLUSH, BEV_NORMAL,
  BEV_OPT_CLOSE_ON_FREE, BEV_OPT_DEFER_CALLBACKS, bufferevent, bufferevent_disable, bufferevent_enable,
  bufferevent_flush, bufferevent_free, bufferevent_get_base, bufferevent_get_enabled, bufferevent_get_input, bufferevent_get_output,
  bufferevent_get_underlying, bufferevent_getcb, bufferevent_getfd, bufferevent_getwatermark,
  bufferevent_pair_get_partner, bufferevent_pair_new, bufferevent_read_buffer, bufferevent_set_rate_limit,
  bufferevent_set_timeouts, bufferevent_setcb, bufferevent_setwatermark, bufferevent_socket_new, bufferevent_write,
  ev_token_bucket_cfg_free, ev_token_bucket_cfg_new,
} from "libevent-ts/event2/bufferevent";
import type { bufferevent_data_cb, bufferevent_event_cb } from "libevent-ts/event2/bufferevent";
import {
  EV_READ, EV_TIMEOUT, EV_WRITE, EVLOOP_NONBLOCK, EVLOOP_ONCE, event_base_dispatch, event_base_loop,
  event_base_loopexit, event_base_once, event_pending,
} from "libevent-ts/event2/event";
import { evbuffer_add, evbuffer_drain, evbuffer_free, evbuffer_get_length, evbuffer_new, evbuffer_pullup } from "libevent-ts/event2/buffer";
import { timeval } from "libevent-ts/event2/util";
import { eachBackend } from "./helpers/backends.js";
import { checkFdLeaks } from "./helpers/fds.js";
import { basic_setup } from "./helpers/setup.js";
import { legacy_how, legacy_hows, legacy_setup, legacy_title } from "./helpers/legacy.js";
import { run_bufferevent_timeouts } from "./helpers/bufferevent_timeouts.js";
import { now, test_timeval_diff_eq } from "./helpers/timing.js";

checkFdLeaks();

/** bufferevent_pair_new into a fresh array, checked. */
function newPair(base: Parameters<typeof bufferevent_pair_new>[0], options = 0): [bufferevent, bufferevent] {
  const pair: (bufferevent | null)[] = [null, null];
  expect(bufferevent_pair_new(base, options, pair)).toBe(0);
  return [pair[0]!, pair[1]!];
}

function bytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = i & 0xff;
  return b;
}

eachBackend(() => {
  describe("bufferevent pair", () => {
    // --------------------------------------------------------------------------------------------
    // test_bufferevent_impl(use_pair = 1): bufferevent_pair, bufferevent_pair_flush_normal/_flush/_finished

    function test_bufferevent_pair_impl(how: legacy_how, flush: number): void {
      const R = legacy_setup(how);
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

      const [bev1, bev2] = newPair(R.nullbase(), 0);
      expect(bufferevent_get_base(bev1)).toBe(R.global_base);
      bufferevent_setcb(bev1, readcb, writecb, errorcb, bev1);
      bufferevent_setcb(bev2, readcb, writecb, errorcb, null);
      expect(bufferevent_getfd(bev1)).toBe(-1);
      expect(bufferevent_get_underlying(bev1)).toBeNull();
      expect(bufferevent_pair_get_partner(bev1)).toBe(bev2);
      expect(bufferevent_pair_get_partner(bev2)).toBe(bev1);

      // Test getcb.
      const r = { value: null as bufferevent_data_cb | null };
      const w = { value: null as bufferevent_data_cb | null };
      const e = { value: null as bufferevent_event_cb | null };
      const a = { value: null as unknown };
      bufferevent_getcb(bev1, r, w, e, a);
      expect(r.value).toBe(readcb);
      expect(w.value).toBe(writecb);
      expect(e.value).toBe(errorcb);
      expect(a.value).toBe(bev1);

      bufferevent_disable(bev1, EV_READ);
      bufferevent_enable(bev2, EV_READ);

      expect(bufferevent_get_enabled(bev1)).toBe(EV_WRITE);
      expect(bufferevent_get_enabled(bev2)).toBe(EV_WRITE | EV_READ);

      const buffer = bytes(8333);
      bufferevent_write(bev1, buffer, buffer.length);
      if (flush >= 0) expect(bufferevent_flush(bev1, EV_WRITE, flush)).toBeGreaterThanOrEqual(0);

      R.event_dispatch();

      bufferevent_free(bev2);
      expect(bufferevent_pair_get_partner(bev1)).toBeNull();
      bufferevent_free(bev1);

      // Only a pair calls the event callback, for BEV_FINISHED.
      expect(test_ok).toBe(flush === BEV_FINISHED ? -1 : 2);
    }

    for (const how of legacy_hows) {
      it(legacy_title(how, "bufferevent_pair", "8333 bytes through a pair; getcb, getfd -1, get_underlying null, get_partner both ways and null once freed"), () => {
        test_bufferevent_pair_impl(how, -1);
      });
      it(legacy_title(how, "bufferevent_pair_flush_normal", "flush returns 0 and changes nothing"), () => {
        test_bufferevent_pair_impl(how, BEV_NORMAL);
      });
      it(legacy_title(how, "bufferevent_pair_flush_flush"), () => test_bufferevent_pair_impl(how, BEV_FLUSH));
      it(legacy_title(how, "bufferevent_pair_flush_finished", "the partner's event callback runs (after its read callback)"), () => {
        test_bufferevent_pair_impl(how, BEV_FINISHED);
      });
    }

    // --------------------------------------------------------------------------------------------
    // test_bufferevent_watermarks_impl(use_pair = 1)

    for (const how of legacy_hows) it(legacy_title(how, "bufferevent_pair_watermarks",
      "every read callback sees 10..20 of 65000 bytes; the write callback runs at <= 100 bytes"), () => {
      const R = legacy_setup(how);
      let test_ok = 0;
      let nread = 0;
      const bad: string[] = [];
      const wm_readcb: bufferevent_data_cb = (bev) => {
        const evbuf = evbuffer_new();
        const len = evbuffer_get_length(bev.input);
        if (len < 10 || len > 20) bad.push(`read callback with ${len} bytes`);
        bufferevent_read_buffer(bev, evbuf);
        nread += len;
        if (nread === 65000) {
          bufferevent_disable(bev, EV_READ);
          test_ok++;
        }
        evbuffer_free(evbuf);
      };
      const wm_writecb: bufferevent_data_cb = (bev) => {
        if (evbuffer_get_length(bev.output) > 100) bad.push(`write callback with ${evbuffer_get_length(bev.output)} bytes`);
        if (evbuffer_get_length(bev.output) === 0) {
          evbuffer_drain(bev.output, evbuffer_get_length(bev.output));
          test_ok++;
        }
      };
      const errorcb: bufferevent_event_cb = () => {
        test_ok = -2;
      };

      const [bev1, bev2] = newPair(R.nullbase(), 0);
      bufferevent_setcb(bev1, null, wm_writecb, errorcb, null);
      bufferevent_setcb(bev2, wm_readcb, null, errorcb, null);
      bufferevent_disable(bev1, EV_READ);
      bufferevent_enable(bev2, EV_READ);

      const low = { value: -1 };
      const high = { value: -1 };
      // By default, low watermarks are set to 0
      bufferevent_getwatermark(bev1, EV_READ, low, null);
      expect(low.value).toBe(0);
      bufferevent_getwatermark(bev2, EV_WRITE, low, null);
      expect(low.value).toBe(0);

      // limit the reading on the receiving bufferevent
      bufferevent_setwatermark(bev2, EV_READ, 10, 20);
      bufferevent_getwatermark(bev2, EV_READ, low, high);
      expect([low.value, high.value]).toEqual([10, 20]);

      // Tell the sending bufferevent not to notify us till it's down to 100 bytes.
      bufferevent_setwatermark(bev1, EV_WRITE, 100, 2000);
      bufferevent_getwatermark(bev1, EV_WRITE, low, high);
      expect([low.value, high.value]).toEqual([100, 2000]);

      expect(bufferevent_getwatermark(bev1, EV_WRITE | EV_READ, low, high)).not.toBe(0);

      const buffer = bytes(65000);
      bufferevent_write(bev1, buffer, buffer.length);

      R.event_dispatch();

      expect(bad).toEqual([]);
      expect(test_ok).toBe(2);
      // The write callback drained all the data from outbuf, so there is no write event pending.
      expect(event_pending(bev2.ev_write, EV_WRITE, null)).toBe(0);

      bufferevent_free(bev1);
      bufferevent_free(bev2);
    });

    // --------------------------------------------------------------------------------------------
    // test_bufferevent_timeouts("pair")

    it("bufferevent_timeout_pair: write timeout at 100 ms, read timeout at 150 ms, once each; the idle writer gets no write timeout", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;

      const [bev1, bev2] = newPair(base, 0);

      const { started_at, res1, res2 } = run_bufferevent_timeouts(base, bev1, bev2);

      expect(res1.total_calls).toBe(2);
      expect(res1.n_read_timeouts).toBe(1);
      expect(res1.n_write_timeouts).toBe(1);
      expect(res2.total_calls).toBe(0);
      expect(res2.n_write_timeouts).toBe(0);
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
    // test_bufferevent_pair_flush

    it("bufferevent_pair_flush: flush(EV_WRITE, BEV_FINISHED) gives the partner READING|EOF within one EVLOOP_ONCE", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      let callback_what = 0;
      const [bev1, bev2] = newPair(base, 0);
      expect(bufferevent_enable(bev1, EV_WRITE)).toBe(0);
      expect(bufferevent_enable(bev2, EV_READ)).toBe(0);
      bufferevent_setcb(bev2, null, null, (_bev, what) => {
        callback_what = what;
      }, null);

      bufferevent_flush(bev1, EV_WRITE, BEV_FINISHED);
      event_base_loop(base, EVLOOP_ONCE);

      expect(callback_what).toBe(BEV_EVENT_READING | BEV_EVENT_EOF);
      bufferevent_free(bev1);
      bufferevent_free(bev2);
    });
  });

  // ----------------------------------------------------------------------------------------------
  // Semantics of reference section 2.14 beyond the regression group

  describe("bufferevent pair semantics", pairSemantics);
});

function pairSemantics(): void {
  it("data moves synchronously inside bufferevent_write; the callbacks wait for the loop", () => {
    const data = basic_setup({ base: true });
    const [a, b] = newPair(data.base!);
    const order: string[] = [];
    bufferevent_setcb(a, null, () => order.push("a write"), null, null);
    bufferevent_setcb(b, () => order.push("b read"), null, null, null);
    bufferevent_enable(b, EV_READ);

    expect(bufferevent_write(a, "hello", 5)).toBe(0);
    expect(evbuffer_get_length(bufferevent_get_output(a))).toBe(0);
    expect(evbuffer_get_length(bufferevent_get_input(b))).toBe(5);
    expect(order).toEqual([]);

    event_base_loop(data.base!, EVLOOP_NONBLOCK);
    // Each end's deferred callbacks run once, merged.
    expect(order.sort()).toEqual(["a write", "b read"]);
    bufferevent_free(a);
    bufferevent_free(b);
  });

  it("nothing moves until the reader enables EV_READ; enabling it pulls what was written", () => {
    const data = basic_setup({ base: true });
    const [a, b] = newPair(data.base!);
    bufferevent_write(a, "abc", 3);
    expect(evbuffer_get_length(bufferevent_get_output(a))).toBe(3);
    expect(evbuffer_get_length(bufferevent_get_input(b))).toBe(0);
    bufferevent_enable(b, EV_READ);
    expect(evbuffer_get_length(bufferevent_get_output(a))).toBe(0);
    expect(evbuffer_get_length(bufferevent_get_input(b))).toBe(3);
    bufferevent_free(a);
    bufferevent_free(b);
  });

  it("nothing moves while the writer has EV_WRITE disabled; enabling it pushes", () => {
    const data = basic_setup({ base: true });
    const [a, b] = newPair(data.base!);
    bufferevent_enable(b, EV_READ);
    bufferevent_disable(a, EV_WRITE);
    bufferevent_write(a, "abc", 3);
    expect(evbuffer_get_length(bufferevent_get_input(b))).toBe(0);
    bufferevent_enable(a, EV_WRITE);
    expect(evbuffer_get_length(bufferevent_get_input(b))).toBe(3);
    bufferevent_free(a);
    bufferevent_free(b);
  });

  it("the reader's high watermark caps each transfer; draining the input resumes it by itself", () => {
    const data = basic_setup({ base: true });
    const [a, b] = newPair(data.base!);
    bufferevent_setwatermark(b, EV_READ, 0, 100);
    bufferevent_enable(b, EV_READ);
    bufferevent_write(a, bytes(250), 250);
    expect(evbuffer_get_length(bufferevent_get_input(b))).toBe(100);
    expect(evbuffer_get_length(bufferevent_get_output(a))).toBe(150);

    evbuffer_drain(bufferevent_get_input(b), 30);
    expect(evbuffer_get_length(bufferevent_get_input(b))).toBe(100);
    expect(evbuffer_get_length(bufferevent_get_output(a))).toBe(120);

    // The bytes arrive in order.
    evbuffer_drain(bufferevent_get_input(b), 100);
    const got = evbuffer_pullup(bufferevent_get_input(b), 100)!;
    expect(got[0]).toBe(130);
    expect(got[99]).toBe((229) & 0xff);
    bufferevent_free(a);
    bufferevent_free(b);
  });

  it("BEV_FLUSH moves data past the reader's high watermark; BEV_NORMAL moves nothing", () => {
    const data = basic_setup({ base: true });
    const [a, b] = newPair(data.base!);
    bufferevent_setwatermark(b, EV_READ, 0, 10);
    bufferevent_enable(b, EV_READ);
    bufferevent_write(a, bytes(50), 50);
    expect(evbuffer_get_length(bufferevent_get_input(b))).toBe(10);
    expect(bufferevent_flush(a, EV_WRITE, BEV_NORMAL)).toBe(0);
    expect(evbuffer_get_length(bufferevent_get_input(b))).toBe(10);
    expect(bufferevent_flush(a, EV_WRITE, BEV_FLUSH)).toBe(0);
    expect(evbuffer_get_length(bufferevent_get_input(b))).toBe(50);
    // EV_READ pulls from the partner.
    bufferevent_write(b, "xyz", 3);
    expect(evbuffer_get_length(bufferevent_get_input(a))).toBe(0);
    expect(bufferevent_flush(a, EV_READ, BEV_FLUSH)).toBe(0);
    expect(evbuffer_get_length(bufferevent_get_input(a))).toBe(3);
    bufferevent_free(a);
    bufferevent_free(b);
  });

  it("flush(EV_READ, BEV_FINISHED) gives the partner WRITING|EOF; flushing after the partner is gone returns -1", () => {
    const data = basic_setup({ base: true });
    const [a, b] = newPair(data.base!);
    const whats: number[] = [];
    bufferevent_setcb(b, null, null, (_bev, what) => whats.push(what), null);
    expect(bufferevent_flush(a, EV_READ, BEV_FINISHED)).toBe(0);
    expect(whats).toEqual([]);
    event_base_loop(data.base!, EVLOOP_NONBLOCK);
    expect(whats).toEqual([BEV_EVENT_WRITING | BEV_EVENT_EOF]);
    bufferevent_free(b);
    expect(bufferevent_flush(a, EV_WRITE, BEV_FLUSH)).toBe(-1);
    bufferevent_free(a);
  });

  it("freeing one end sends the other no end of file: it only loses its partner", () => {
    const data = basic_setup({ base: true });
    const [a, b] = newPair(data.base!);
    const events: number[] = [];
    bufferevent_setcb(a, null, null, (_bev, what) => events.push(what), null);
    bufferevent_enable(a, EV_READ);
    bufferevent_free(b);
    expect(bufferevent_pair_get_partner(a)).toBeNull();
    event_base_dispatch(data.base!);
    expect(events).toEqual([]);
    // Writing to a lone end keeps the data.
    expect(bufferevent_write(a, "kept", 4)).toBe(0);
    expect(evbuffer_get_length(bufferevent_get_output(a))).toBe(4);
    bufferevent_free(a);
  });

  it("the partner survives while a callback of the freed end is pending, and is unlinked once it ran", () => {
    const data = basic_setup({ base: true });
    const [a, b] = newPair(data.base!);
    let reads = 0;
    bufferevent_setcb(b, () => reads++, null, null, null);
    bufferevent_enable(b, EV_READ);
    bufferevent_write(a, "x", 1);
    // b's read callback is queued: freeing b clears it, but b lives until the queue runs.
    bufferevent_free(b);
    expect(bufferevent_pair_get_partner(a)).toBe(b);
    event_base_loop(data.base!, EVLOOP_NONBLOCK);
    expect(reads).toBe(0);
    expect(bufferevent_pair_get_partner(a)).toBeNull();
    bufferevent_free(a);
  });

  it("the pair always defers its callbacks, whatever the options; BEV_OPT_CLOSE_ON_FREE has no fd to close", () => {
    const data = basic_setup({ base: true });
    const [a, b] = newPair(data.base!, BEV_OPT_CLOSE_ON_FREE);
    let reads = 0;
    bufferevent_setcb(b, () => reads++, null, null, null);
    bufferevent_enable(b, EV_READ);
    bufferevent_write(a, "1", 1);
    bufferevent_write(a, "2", 1);
    expect(reads).toBe(0);
    event_base_loop(data.base!, EVLOOP_NONBLOCK);
    expect(reads).toBe(1);
    expect(evbuffer_get_length(bufferevent_get_input(b))).toBe(2);
    bufferevent_free(a);
    bufferevent_free(b);
  });

  it("the user cannot add to an input or take from an output: only the pair moves data", () => {
    const data = basic_setup({ base: true });
    const [a, b] = newPair(data.base!);
    expect(evbuffer_add(bufferevent_get_input(a), "no", 2)).toBe(-1);
    bufferevent_write(a, "stay", 4);
    expect(evbuffer_drain(bufferevent_get_output(a), 4)).toBe(-1);
    expect(evbuffer_get_length(bufferevent_get_output(a))).toBe(4);
    bufferevent_free(a);
    bufferevent_free(b);
  });

  it("a transfer restarts the reader's read timeout; an idle reader times out", () => {
    const data = basic_setup({ base: true });
    const base = data.base!;
    const [a, b] = newPair(base);
    const timeouts: { what: number; at: timeval }[] = [];
    bufferevent_setcb(b, (bev) => evbuffer_drain(bufferevent_get_input(bev), -1), null,
      (_bev, what) => timeouts.push({ what, at: now() }), null);
    bufferevent_set_timeouts(b, new timeval(0, 150000), null);
    const start = now();
    bufferevent_enable(b, EV_READ);
    // A write every 100 ms for 300 ms keeps the 150 ms read timeout from expiring...
    let n = 0;
    const tick = (): void => {
      bufferevent_write(a, "t", 1);
      if (++n < 3) event_base_once(base, -1, EV_TIMEOUT, tick, null, new timeval(0, 100000));
    };
    event_base_once(base, -1, EV_TIMEOUT, tick, null, new timeval(0, 100000));
    event_base_loopexit(base, new timeval(0, 600000));
    event_base_dispatch(base);
    // ... which then fires 150 ms after the last one (at 300 ms), once: reading is now disabled.
    expect(timeouts.length).toBe(1);
    expect(timeouts[0]!.what).toBe(BEV_EVENT_READING | BEV_EVENT_TIMEOUT);
    test_timeval_diff_eq(start, timeouts[0]!.at, 450);
    expect(bufferevent_get_enabled(b) & EV_READ).toBe(0);
    bufferevent_free(a);
    bufferevent_free(b);
  });

  it("a rate limit is accepted but not applied: pairs move data at once", () => {
    const data = basic_setup({ base: true });
    const [a, b] = newPair(data.base!);
    const cfg = ev_token_bucket_cfg_new(1, 1, 1, 1, null)!;
    expect(bufferevent_set_rate_limit(a, cfg)).toBe(0);
    expect(bufferevent_set_rate_limit(b, cfg)).toBe(0);
    bufferevent_enable(b, EV_READ);
    bufferevent_write(a, bytes(5000), 5000);
    expect(evbuffer_get_length(bufferevent_get_input(b))).toBe(5000);
    bufferevent_free(a);
    bufferevent_free(b);
    event_base_loop(data.base!, EVLOOP_NONBLOCK);
    ev_token_bucket_cfg_free(cfg);
  });

  it("bufferevent_pair_get_partner of a socket bufferevent is null", () => {
    const data = basic_setup({ base: true });
    const bev = bufferevent_socket_new(data.base!, -1, 0)!;
    expect(bufferevent_pair_get_partner(bev)).toBeNull();
    bufferevent_free(bev);
  });

  it("misuse: a null base, pair not an array, options not an integer, a freed end", () => {
    const data = basic_setup({ base: true });
    // No event_init() base here: a NULL base stands for nothing.
    const pair: (bufferevent | null)[] = [null, null];
    expect(() => bufferevent_pair_new(null, 0, pair)).toThrow(new TypeError("bufferevent_pair_new: base is null, not an event_base"));
    expect(pair).toEqual([null, null]);
    expect(() => bufferevent_pair_new(data.base!, 0, null as never)).toThrow(/bufferevent_pair_new: pair is null, not an array/);
    expect(() => bufferevent_pair_new(data.base!, 1.5, [])).toThrow(/bufferevent_pair_new: options must be an integer/);
    const [a, b] = newPair(data.base!, BEV_OPT_DEFER_CALLBACKS);
    bufferevent_free(a);
    expect(() => bufferevent_pair_get_partner(a)).toThrow(/bufferevent_pair_get_partner: the bufferevent was freed/);
    bufferevent_free(b);
  });
}
