/**
 * Filtering bufferevents: the filter cases of libevent's `bufferevent/` regression group
 * (test/regress_bufferevent.c: bufferevent_filters, bufferevent_pair_filters,
 * bufferevent_filters_disable, bufferevent_pair_filters_disable, bufferevent_timeout_filter,
 * bufferevent_timeout_filter_pair, bufferevent_socket_filter_inactive,
 * bufferevent_filter_data_stuck), run once per backend (the four LEGACY(...) ones twice, on
 * event_init()'s base with NULL base arguments as libevent runs them, and on an event_base_new()
 * base: helpers/legacy.ts), then the semantics of reference section
 * 2.15 the group leaves implicit: forwarded events, BEV_OPT_CLOSE_ON_FREE, free_context,
 * dst_limit from the watermarks, BEV_NEED_MORE, flush modes, filters stacked on filters,
 * exceptions thrown by a filter, misuse; and examples/filter-echo-server.ts run as a program.
 */
import { readlinkSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import {
  BEV_ERROR, BEV_EVENT_CONNECTED, BEV_EVENT_EOF, BEV_EVENT_READING, BEV_FINISHED,
  BEV_FLUSH, BEV_NEED_MORE, BEV_NORMAL, BEV_OK, BEV_OPT_CLOSE_ON_FREE, BEV_OPT_DEFER_CALLBACKS, bufferevent,
  bufferevent_disable, bufferevent_enable, bufferevent_filter_new, bufferevent_flush, bufferevent_free,
  bufferevent_get_enabled, bufferevent_get_input, bufferevent_get_output, bufferevent_get_underlying, bufferevent_getcb,
  bufferevent_getfd, bufferevent_pair_get_partner, bufferevent_pair_new, bufferevent_read_buffer, bufferevent_setcb,
  bufferevent_setwatermark, bufferevent_socket_connect, bufferevent_socket_new, bufferevent_write,
} from "libevent-ts/event2/bufferevent";
import type { bufferevent_data_cb, bufferevent_event_cb, bufferevent_filter_cb } from "libevent-ts/event2/bufferevent";
import {
  EV_READ, EV_TIMEOUT, EV_WRITE, EVLOOP_NONBLOCK, event_base, event_base_dispatch, event_base_loop,
  event_base_loopexit, event_base_once, event_set_log_callback,
} from "libevent-ts/event2/event";
import {
  evbuffer, evbuffer_add, evbuffer_add_buffer, evbuffer_drain, evbuffer_free, evbuffer_get_length, evbuffer_new,
  evbuffer_pullup, evbuffer_remove, evbuffer_remove_buffer,
} from "libevent-ts/event2/buffer";
import {
  evconnlistener_free, evconnlistener_get_fd, evconnlistener_new_bind, LEV_OPT_CLOSE_ON_FREE, LEV_OPT_REUSEABLE,
} from "libevent-ts/event2/listener";
import {
  AF_INET, evutil_closesocket, getsockname, htonl, memset, send, shutdown, SHUT_WR, sizeof, sockaddr_in,
  sockaddr_storage, timeval,
} from "libevent-ts/event2/util";
import { eachBackend } from "./helpers/backends.js";
import { freePort, printed, start, until } from "./helpers/children.js";
import { checkFdLeaks } from "./helpers/fds.js";
import { basic_setup } from "./helpers/setup.js";
import { legacy_how, legacy_hows, legacy_setup, legacy_title } from "./helpers/legacy.js";
import { run_bufferevent_timeouts } from "./helpers/bufferevent_timeouts.js";
import { test_timeval_diff_eq } from "./helpers/timing.js";

checkFdLeaks();

function bytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = i & 0xff;
  return b;
}

function newPair(base: event_base | null, options = 0): [bufferevent, bufferevent] {
  const pair: (bufferevent | null)[] = [null, null];
  expect(bufferevent_pair_new(base, options, pair)).toBe(0);
  return [pair[0]!, pair[1]!];
}

function fdOpen(fd: number): boolean {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`) !== "";
  } catch {
    return false;
  }
}

/** The whole content of `buf` as text (left in the buffer). */
function text(buf: evbuffer): string {
  return new TextDecoder().decode(evbuffer_pullup(buf, -1) ?? new Uint8Array(0));
}

eachBackend(() => {
  describe("bufferevent filter", () => {
    // --------------------------------------------------------------------------------------------
    // test_bufferevent_filters_impl: bufferevent_filters, _pair_filters, _filters_disable, _pair_filters_disable

    function test_bufferevent_filters_impl(how: legacy_how, use_pair: boolean, disable: boolean): void {
      const R = legacy_setup(how, { pair: !use_pair });
      let test_ok = 0;
      const failures: string[] = [];

      // strip an 'x' from each byte
      const bufferevent_input_filter: bufferevent_filter_cb = (src, dst) => {
        const buffer = evbuffer_pullup(src, evbuffer_get_length(src))!;
        let i: number;
        for (i = 0; i < evbuffer_get_length(src); i += 2) {
          if (buffer[i] === 0x2d /* '-' */) continue;
          if (buffer[i] !== 0x78 /* 'x' */) failures.push(`byte ${i} is ${buffer[i]}, not 'x'`);
          evbuffer_add(dst, buffer.subarray(i + 1, i + 2), 1);
        }
        evbuffer_drain(src, i);
        return BEV_OK;
      };

      // add an 'x' before each byte
      const bufferevent_output_filter: bufferevent_filter_cb<{ bev: bufferevent } | null> = (src, dst, _lim, _state, bevp) => {
        ++test_ok;
        if (test_ok === 1) {
          const buffer = evbuffer_pullup(src, evbuffer_get_length(src))!;
          for (let i = 0; i < evbuffer_get_length(src); ++i) {
            evbuffer_add(dst, "x", 1);
            evbuffer_add(dst, buffer.subarray(i, i + 1), 1);
          }
          evbuffer_drain(src, evbuffer_get_length(src));
        } else {
          return BEV_ERROR;
        }
        if (bevp && test_ok === 1) {
          const prev = ++test_ok;
          bufferevent_write(bevp.bev, "-", 1);
          // check that during this bufferevent_write() bufferevent_output_filter() is not called again
          if (test_ok !== prev) failures.push("the output filter recursed");
          --test_ok;
        }
        return BEV_OK;
      };

      const readcb: bufferevent_data_cb = (bev) => {
        if (evbuffer_get_length(bev.input) === 8333) {
          const evbuf = evbuffer_new();
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

      let bev1: bufferevent;
      let bev2: bufferevent;
      if (use_pair) {
        [bev1, bev2] = newPair(R.nullbase(), 0);
      } else {
        bev1 = bufferevent_socket_new(R.nullbase(), R.pair[0]!, 0)!;
        bev2 = bufferevent_socket_new(R.nullbase(), R.pair[1]!, 0)!;
      }
      const bev1_base = bev1;
      const bev2_base = bev2;

      const buffer = bytes(8333);
      const bev1box = { bev: null as unknown as bufferevent };
      bev1 = bufferevent_filter_new(bev1, null, bufferevent_output_filter, BEV_OPT_CLOSE_ON_FREE, null,
        disable ? bev1box : null)!;
      bev1box.bev = bev1;
      bev2 = bufferevent_filter_new(bev2, bufferevent_input_filter, null, BEV_OPT_CLOSE_ON_FREE, null, null)!;
      bufferevent_setcb(bev1, null, writecb, errorcb, null);
      bufferevent_setcb(bev2, readcb, null, errorcb, null);

      expect(bufferevent_get_underlying(bev1)).toBe(bev1_base);
      expect(bufferevent_get_underlying(bev2)).toBe(bev2_base);
      expect(bufferevent_getfd(bev1)).toBe(bufferevent_getfd(bev1_base));
      expect(bufferevent_getfd(bev2)).toBe(bufferevent_getfd(bev2_base));

      bufferevent_disable(bev1, EV_READ);
      bufferevent_enable(bev2, EV_READ);
      // insert some filters
      bufferevent_write(bev1, buffer, buffer.length);

      R.event_dispatch();

      bufferevent_free(bev1);
      bufferevent_free(bev2);
      // The underlying bufferevents own the socketpair (BEV_OPT_CLOSE_ON_FREE through the filters)
      // only if they were made with it: these were not, so the test's setup closes the fds.
      expect(failures).toEqual([]);
      expect(test_ok).toBe(3 + (disable ? 1 : 0));
    }

    for (const how of legacy_hows) {
      it(legacy_title(how, "bufferevent_filters", "an output filter adds an 'x' before each byte, an input filter strips it: 8333 bytes through a socketpair"), () => {
        test_bufferevent_filters_impl(how, false, false);
      });
      it(legacy_title(how, "bufferevent_pair_filters", "the same over a pair; getfd through a filter on a pair is -1"), () => {
        test_bufferevent_filters_impl(how, true, false);
      });
      it(legacy_title(how, "bufferevent_filters_disable", "a bufferevent_write from inside the output filter does not recurse; the second call's BEV_ERROR stops"), () => {
        test_bufferevent_filters_impl(how, false, true);
      });
      it(legacy_title(how, "bufferevent_pair_filters_disable"), () => test_bufferevent_filters_impl(how, true, true));
    }

    // --------------------------------------------------------------------------------------------
    // test_bufferevent_timeouts("filter"), ("filter pair")

    for (const use_pair of [false, true]) {
      const name = use_pair ? "bufferevent_timeout_filter_pair" : "bufferevent_timeout_filter";
      it(`${name}: write timeout at 100 ms, read timeout at 150 ms, once each; the idle filter times out writing at 200 ms`, () => {
        const data = basic_setup({ base: true, pair: !use_pair });
        const base = data.base!;

        let bev1: bufferevent;
        let bev2: bufferevent;
        if (use_pair) {
          [bev1, bev2] = newPair(base, 0);
        } else {
          bev1 = bufferevent_socket_new(base, data.pair[0]!, 0)!;
          bev2 = bufferevent_socket_new(base, data.pair[1]!, 0)!;
        }
        bev1 = bufferevent_filter_new(bev1, null, null, BEV_OPT_CLOSE_ON_FREE, null, null)!;
        bev2 = bufferevent_filter_new(bev2, null, null, BEV_OPT_CLOSE_ON_FREE, null, null)!;

        const { started_at, res1, res2 } = run_bufferevent_timeouts(base, bev1, bev2);

        expect(res1.total_calls).toBe(2);
        expect(res1.n_read_timeouts).toBe(1);
        expect(res1.n_write_timeouts).toBe(1);
        expect(res2.total_calls).toBe(1);
        expect(res2.n_write_timeouts).toBe(1);
        expect(res2.n_read_timeouts).toBe(0);

        test_timeval_diff_eq(started_at, res1.read_timeout_at, 150);
        test_timeval_diff_eq(started_at, res1.write_timeout_at, 100);
        test_timeval_diff_eq(started_at, res2.write_timeout_at, 200);

        for (const tv of [res1.last_read_at, res2.last_read_at, res2.last_wrote_at]) {
          expect([tv.tv_sec, tv.tv_usec]).toEqual([0, 0]);
        }
        bufferevent_free(bev1);
        bufferevent_free(bev2);
      });
    }

    // --------------------------------------------------------------------------------------------
    // test_bufferevent_socket_filter_inactive

    it("bufferevent_socket_filter_inactive: a filter over an fd -1 socket bufferevent, then free both", () => {
      const data = basic_setup({ base: true });
      const bev = bufferevent_socket_new(data.base!, -1, 0)!;
      expect(bev).not.toBeNull();
      const bevf = bufferevent_filter_new(bev, null, null, 0, null, null)!;
      expect(bevf).not.toBeNull();
      bufferevent_free(bevf);
      bufferevent_free(bev);
    });

    // --------------------------------------------------------------------------------------------
    // test_bufferevent_filter_data_stuck

    it("bufferevent_filter_data_stuck: with 4096-byte read high watermarks, the header and the whole payload reach the read callback", () => {
      const data = basic_setup({ base: true });
      const base = data.base!;
      const read_high_wm = 4096;
      const filter_data = { header_size: 20, total_read: 0 };
      let header_inserted = false;
      const failures: string[] = [];
      const options = BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS;

      // This filter prepends a header once before forwarding data.
      const inputcb: bufferevent_filter_cb<typeof filter_data> = (src, dst, dst_limit, _mode, fd) => {
        let header_size = 0;
        if (!header_inserted) {
          evbuffer_add(dst, new Uint8Array(fd.header_size), fd.header_size);
          header_size = fd.header_size;
          header_inserted = true;
        }
        let payload_size = evbuffer_get_length(src);
        if (payload_size > dst_limit - header_size) payload_size = dst_limit - header_size;
        const moved = evbuffer_remove_buffer(src, dst, payload_size);
        if (moved !== payload_size) failures.push(`moved ${moved} of ${payload_size}`);
        return BEV_OK;
      };
      const readcb: bufferevent_data_cb<typeof filter_data> = (bev, fd) => {
        const input = bufferevent_get_input(bev);
        const read_size = evbuffer_get_length(input);
        evbuffer_drain(input, read_size);
        fd.total_read += read_size;
      };

      const pair = newPair(base, options);
      bufferevent_setwatermark(pair[0], EV_READ, 0, read_high_wm);
      bufferevent_setwatermark(pair[1], EV_READ, 0, read_high_wm);
      const filter = bufferevent_filter_new(pair[1], inputcb, null, options, null, filter_data)!;
      expect(filter).not.toBeNull();
      bufferevent_setcb(filter, readcb, null, null, filter_data);
      expect(bufferevent_enable(filter, EV_READ | EV_WRITE)).toBe(0);
      bufferevent_setwatermark(filter, EV_READ, 0, read_high_wm);

      const payload = new Uint8Array(4096);
      expect(bufferevent_write(pair[0], payload, payload.length)).toBe(0);

      event_base_dispatch(base);

      expect(failures).toEqual([]);
      expect(filter_data.total_read).toBe(payload.length + filter_data.header_size);
      bufferevent_free(pair[0]);
      bufferevent_free(filter);
    });
  });

  describe("bufferevent filter semantics", filterSemantics);
});

// ------------------------------------------------------------------------------------------------
// Semantics of reference section 2.15 beyond the regression group

/** A pass-through filter that records each call's dst_limit and mode. */
function recorder(calls: { limit: number; mode: number }[]): bufferevent_filter_cb {
  return (src, dst, limit, mode) => {
    calls.push({ limit, mode });
    evbuffer_remove_buffer(src, dst, limit);
    return BEV_OK;
  };
}

function filterSemantics(): void {
  it("output is filtered synchronously inside bufferevent_write; the user's callbacks follow the filter's own options", () => {
    const data = basic_setup({ base: true });
    const [a, b] = newPair(data.base!);
    const upper: bufferevent_filter_cb = (src, dst) => {
      const s = text(src).toUpperCase();
      evbuffer_drain(src, -1);
      evbuffer_add(dst, s, s.length);
      return BEV_OK;
    };
    let writes = 0;
    const f = bufferevent_filter_new(a, null, upper, 0, null, null)!;
    bufferevent_setcb(f, null, () => writes++, null, null);
    bufferevent_enable(b, EV_READ);
    bufferevent_write(f, "hello", 5);
    // Through the filter and across the pair before bufferevent_write returned.
    expect(text(bufferevent_get_input(b))).toBe("HELLO");
    // The filter has no BEV_OPT_DEFER_CALLBACKS: its write callback already ran.
    expect(writes).toBe(1);
    bufferevent_free(f);
    bufferevent_free(a);
    bufferevent_free(b);
  });

  it("the filter reads from the underlying only while it has EV_READ enabled itself", () => {
    const data = basic_setup({ base: true });
    const [a, b] = newPair(data.base!);
    const f = bufferevent_filter_new(b, null, null, 0, null, null)!;
    let reads = 0;
    bufferevent_setcb(f, () => reads++, null, null, null);
    bufferevent_write(a, "abc", 3);
    event_base_loop(data.base!, EVLOOP_NONBLOCK);
    // The underlying is enabled for reading but suspended for the filter: the data waits at the writer.
    expect(bufferevent_get_enabled(b)).toBe(EV_READ | EV_WRITE);
    expect(evbuffer_get_length(bufferevent_get_output(a))).toBe(3);
    expect(reads).toBe(0);
    bufferevent_enable(f, EV_READ);
    event_base_loop(data.base!, EVLOOP_NONBLOCK);
    expect(text(bufferevent_get_input(f))).toBe("abc");
    expect(reads).toBe(1);
    bufferevent_disable(f, EV_READ);
    bufferevent_write(a, "def", 3);
    event_base_loop(data.base!, EVLOOP_NONBLOCK);
    expect(evbuffer_get_length(bufferevent_get_output(a))).toBe(3);
    bufferevent_free(f);
    bufferevent_free(a);
    bufferevent_free(b);
  });

  it("the underlying's events reach the filter's event callback unchanged (EOF, and CONNECTED of a connecting socket)", () => {
    const data = basic_setup({ base: true });
    const base = data.base!;
    const sin = new sockaddr_in();
    memset(sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(0x7f000001);
    const accepted: number[] = [];
    const lev = evconnlistener_new_bind(base, (_l, fd) => accepted.push(fd), null,
      LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1, sin, sizeof(sin))!;
    const ss = new sockaddr_storage();
    const slen = { value: sizeof(ss) };
    expect(getsockname(evconnlistener_get_fd(lev), ss, slen)).toBe(0);

    const u = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)!;
    const f = bufferevent_filter_new(u, null, null, BEV_OPT_CLOSE_ON_FREE, null, null)!;
    const events: number[] = [];
    bufferevent_setcb(f, null, null, (_bev, what) => {
      events.push(what);
      if (what & BEV_EVENT_CONNECTED) {
        // A moment later (the listener has accepted by then), the peer says something and closes.
        event_base_once(base, -1, EV_TIMEOUT, () => {
          expect(send(accepted[0]!, "bye", 3, 0)).toBe(3);
          shutdown(accepted[0]!, SHUT_WR);
        }, null, new timeval(0, 50000));
      }
      if (what & BEV_EVENT_EOF) event_base_loopexit(base, null);
    }, null);
    bufferevent_enable(f, EV_READ);
    expect(bufferevent_socket_connect(u, ss, slen.value)).toBe(0);
    event_base_loopexit(base, new timeval(5, 0));
    event_base_dispatch(base);

    expect(events).toEqual([BEV_EVENT_CONNECTED, BEV_EVENT_READING | BEV_EVENT_EOF]);
    expect(text(bufferevent_get_input(f))).toBe("bye");
    const fd = bufferevent_getfd(f);
    expect(fd).toBe(bufferevent_getfd(u));
    bufferevent_free(f);
    event_base_loop(base, EVLOOP_NONBLOCK);
    // BEV_OPT_CLOSE_ON_FREE on both: the filter freed the socket bufferevent, which closed its fd.
    expect(fdOpen(fd)).toBe(false);
    for (const a of accepted) evutil_closesocket(a);
    evconnlistener_free(lev);
  });

  it("without BEV_OPT_CLOSE_ON_FREE the underlying lives on: callbacks cleared, reading resumed, the socket open", () => {
    const data = basic_setup({ base: true, pair: true });
    const base = data.base!;
    const u = bufferevent_socket_new(base, data.pair[0]!, 0)!;
    const f = bufferevent_filter_new(u, null, null, 0, null, null)!;
    const cbs = { value: null as bufferevent_data_cb | null };
    bufferevent_getcb(u, cbs, null, null, null);
    expect(cbs.value).not.toBeNull();
    bufferevent_free(f);
    event_base_loop(base, EVLOOP_NONBLOCK);
    bufferevent_getcb(u, cbs, null, null, null);
    expect(cbs.value).toBeNull();
    // The underlying reads again on its own.
    let got = "";
    bufferevent_setcb(u, (bev) => {
      got += text(bufferevent_get_input(bev));
      evbuffer_drain(bufferevent_get_input(bev), -1);
      event_base_loopexit(base, null);
    }, null, null, null);
    expect(send(data.pair[1]!, "still here", 10, 0)).toBe(10);
    event_base_loopexit(base, new timeval(2, 0));
    event_base_dispatch(base);
    expect(got).toBe("still here");
    expect(fdOpen(data.pair[0]!)).toBe(true);
    bufferevent_free(u);
  });

  it("BEV_OPT_CLOSE_ON_FREE on a filter whose underlying the user already freed only warns", () => {
    const data = basic_setup({ base: true, noLogs: true });
    const [a, b] = newPair(data.base!);
    const logs: string[] = [];
    event_set_log_callback((_sev, msg) => logs.push(msg));
    const f = bufferevent_filter_new(a, null, null, BEV_OPT_CLOSE_ON_FREE, null, null)!;
    bufferevent_free(a);
    bufferevent_free(f);
    event_base_loop(data.base!, EVLOOP_NONBLOCK);
    expect(logs).toEqual(["BEV_OPT_CLOSE_ON_FREE set on an bufferevent with too few references"]);
    // The pair end went with the filter's reference: the partner is alone.
    expect(bufferevent_pair_get_partner(b)).toBeNull();
    bufferevent_free(b);
  });

  it("free_context(ctx) runs once, when the filter is destroyed (from the loop)", () => {
    const data = basic_setup({ base: true });
    const [a, b] = newPair(data.base!);
    const ctx = { freed: 0 };
    const f = bufferevent_filter_new(a, null, null, BEV_OPT_CLOSE_ON_FREE, (c) => c.freed++, ctx)!;
    bufferevent_free(f);
    event_base_loop(data.base!, EVLOOP_NONBLOCK);
    expect(ctx.freed).toBe(1);
    bufferevent_free(b);
  });

  it("dst_limit is the room below the underlying's write high watermark; a full underlying stops filtering until it drains", () => {
    const data = basic_setup({ base: true });
    const base = data.base!;
    const [a, b] = newPair(base);
    const calls: { limit: number; mode: number }[] = [];
    const f = bufferevent_filter_new(a, null, recorder(calls), 0, null, null)!;
    bufferevent_setwatermark(a, EV_WRITE, 0, 100);
    // b is not reading: a's output fills up to its high watermark.
    bufferevent_write(f, bytes(250), 250);
    expect(calls).toEqual([{ limit: 100, mode: BEV_NORMAL }]);
    expect(evbuffer_get_length(bufferevent_get_output(a))).toBe(100);
    expect(evbuffer_get_length(bufferevent_get_output(f))).toBe(150);
    // More output while the underlying is full: the filter is not called.
    bufferevent_write(f, "z", 1);
    expect(calls.length).toBe(1);
    // b reads: a drains, its write callback (the filter's) filters the next 100, and so on.
    bufferevent_enable(b, EV_READ);
    event_base_dispatch(base);
    expect(evbuffer_get_length(bufferevent_get_input(b))).toBe(251);
    expect(calls.every((c) => c.limit > 0 && c.limit <= 100)).toBe(true);
    bufferevent_free(f);
    bufferevent_free(a);
    bufferevent_free(b);
  });

  it("dst_limit is the room below the filter's read high watermark; with deferred callbacks, data left in the underlying comes through as the user drains", () => {
    const data = basic_setup({ base: true });
    const base = data.base!;
    const [a, b] = newPair(base);
    const calls: { limit: number; mode: number }[] = [];
    const f = bufferevent_filter_new(b, recorder(calls), null, BEV_OPT_DEFER_CALLBACKS, null, null)!;
    bufferevent_setwatermark(f, EV_READ, 0, 64);
    let got = 0;
    const sizes = new Set<number>();
    bufferevent_setcb(f, (bev) => {
      const input = bufferevent_get_input(bev);
      sizes.add(evbuffer_get_length(input));
      got += evbuffer_get_length(input);
      evbuffer_drain(input, -1);
    }, null, null, null);
    bufferevent_enable(f, EV_READ);
    bufferevent_write(a, bytes(1000), 1000);
    event_base_dispatch(base);
    // libevent 2.1.12 (checked against it): 16 filter calls of at most 64 bytes.
    expect(got).toBe(1000);
    expect(calls.length).toBe(16);
    expect(calls.every((c) => c.limit === 64 && c.mode === BEV_NORMAL)).toBe(true);
    expect(Math.max(...sizes)).toBe(64);
    bufferevent_free(f);
    bufferevent_free(a);
    bufferevent_free(b);
  });

  it("no data stuck: a read callback that runs inline and drains the input gets the rest of the underlying (libevent 2.1.12 leaves it there)", () => {
    const data = basic_setup({ base: true });
    const base = data.base!;
    const [a, b] = newPair(base);
    const calls: { limit: number; mode: number }[] = [];
    const f = bufferevent_filter_new(b, recorder(calls), null, 0, null, null)!;
    bufferevent_setwatermark(f, EV_READ, 0, 64);
    const reads: number[] = [];
    bufferevent_setcb(f, (bev) => {
      reads.push(evbuffer_get_length(bufferevent_get_input(bev)));
      evbuffer_drain(bufferevent_get_input(bev), -1);
    }, null, null, null);
    bufferevent_enable(f, EV_READ);
    bufferevent_write(a, bytes(1000), 1000);
    event_base_dispatch(base);
    // Every byte arrives, 64 at a time (the high watermark), with nothing left in the underlying
    // and no new data needed to wake it. libevent 2.1.12 stops after the first 64 bytes here.
    expect(reads.reduce((x, y) => x + y, 0)).toBe(1000);
    expect(reads.length).toBe(16);
    expect(Math.max(...reads)).toBe(64);
    expect(calls.length).toBe(16);
    expect(evbuffer_get_length(bufferevent_get_input(b))).toBe(0);
    bufferevent_free(f);
    bufferevent_free(a);
    bufferevent_free(b);
  });

  it("BEV_NEED_MORE ends a round: a framing filter passes only whole frames", () => {
    const data = basic_setup({ base: true });
    const base = data.base!;
    const [a, b] = newPair(base);
    // Frames: a length byte, then that many bytes. BEV_OK when frames came out (only then is the
    // read callback called), BEV_NEED_MORE when not even one frame is complete.
    const deframe: bufferevent_filter_cb = (src, dst) => {
      let produced = false;
      for (;;) {
        const n = evbuffer_get_length(src) >= 1 ? evbuffer_pullup(src, 1)![0]! : -1;
        if (n < 0 || evbuffer_get_length(src) < 1 + n) return produced ? BEV_OK : BEV_NEED_MORE;
        evbuffer_drain(src, 1);
        evbuffer_remove_buffer(src, dst, n);
        evbuffer_add(dst, "|", 1);
        produced = true;
      }
    };
    const f = bufferevent_filter_new(b, deframe, null, 0, null, null)!;
    const seen: string[] = [];
    bufferevent_setcb(f, (bev) => {
      seen.push(text(bufferevent_get_input(bev)));
      evbuffer_drain(bufferevent_get_input(bev), -1);
    }, null, null, null);
    bufferevent_enable(f, EV_READ);
    bufferevent_write(a, "\x03ab", 3);
    event_base_loop(base, EVLOOP_NONBLOCK);
    // Half a frame: nothing came through, no read callback.
    expect(seen).toEqual([]);
    bufferevent_write(a, "c\x02de\x01", 5);
    event_base_loop(base, EVLOOP_NONBLOCK);
    expect(seen).toEqual(["abc|de|"]);
    bufferevent_free(f);
    bufferevent_free(a);
    bufferevent_free(b);
  });

  it("bufferevent_flush passes BEV_FLUSH / BEV_FINISHED to the filter, ignoring watermarks, and flushes the underlying (a pair end: EOF to its partner)", () => {
    const data = basic_setup({ base: true });
    const base = data.base!;
    const [a, b] = newPair(base);
    const calls: { limit: number; mode: number }[] = [];
    const f = bufferevent_filter_new(a, null, recorder(calls), 0, null, null)!;
    const events: number[] = [];
    bufferevent_setcb(b, null, null, (_bev, what) => events.push(what), null);
    bufferevent_disable(f, EV_WRITE);
    bufferevent_write(f, "pending", 7);
    expect(calls).toEqual([]);
    // Writing is disabled on the filter, yet a flush runs the filter (and reports 1: it produced).
    expect(bufferevent_flush(f, EV_WRITE, BEV_FLUSH)).toBe(1);
    expect(calls).toEqual([{ limit: -1, mode: BEV_FLUSH }]);
    expect(evbuffer_get_length(bufferevent_get_output(a))).toBe(0);
    expect(bufferevent_flush(f, EV_WRITE, BEV_FINISHED)).toBe(1);
    expect(calls[1]).toEqual({ limit: -1, mode: BEV_FINISHED });
    event_base_loop(base, EVLOOP_NONBLOCK);
    expect(events).toEqual([BEV_EVENT_READING | BEV_EVENT_EOF]);
    expect(bufferevent_flush(f, EV_WRITE, BEV_NORMAL)).toBe(0);
    bufferevent_free(f);
    bufferevent_free(a);
    bufferevent_free(b);
  });

  it("filters stack: a filter on a filter on a pair, each layer transforming, both ways", () => {
    const data = basic_setup({ base: true });
    const base = data.base!;
    const [a, b] = newPair(base);
    // Layer 1 (inner) xors every byte with 0x20; layer 2 (outer) reverses... adds a '#' per byte.
    const xor: bufferevent_filter_cb = (src, dst) => {
      const n = evbuffer_get_length(src);
      const tmp = new Uint8Array(n);
      evbuffer_remove(src, tmp, n);
      for (let i = 0; i < n; i++) tmp[i]! ^= 0x20;
      evbuffer_add(dst, tmp, n);
      return BEV_OK;
    };
    const addHash: bufferevent_filter_cb = (src, dst) => {
      const s = text(src);
      evbuffer_drain(src, -1);
      const out = [...s].map((c) => "#" + c).join("");
      evbuffer_add(dst, out, out.length);
      return BEV_OK;
    };
    const dropHash: bufferevent_filter_cb = (src, dst) => {
      const s = text(src);
      const even = s.length & ~1;
      evbuffer_drain(src, even);
      const out = [...s.slice(0, even)].filter((_c, i) => i % 2 === 1).join("");
      evbuffer_add(dst, out, out.length);
      return BEV_OK;
    };
    const a1 = bufferevent_filter_new(a, xor, xor, BEV_OPT_CLOSE_ON_FREE, null, null)!;
    const a2 = bufferevent_filter_new(a1, dropHash, addHash, BEV_OPT_CLOSE_ON_FREE, null, null)!;
    const b1 = bufferevent_filter_new(b, xor, xor, BEV_OPT_CLOSE_ON_FREE, null, null)!;
    const b2 = bufferevent_filter_new(b1, dropHash, addHash, BEV_OPT_CLOSE_ON_FREE, null, null)!;
    expect(bufferevent_get_underlying(a2)).toBe(a1);
    expect(bufferevent_get_underlying(bufferevent_get_underlying(a2)!)).toBe(a);

    const got: string[] = [];
    bufferevent_setcb(b2, (bev) => {
      got.push(text(bufferevent_get_input(bev)));
      evbuffer_drain(bufferevent_get_input(bev), -1);
      // Answer through the same stack.
      bufferevent_write(bev, "pong", 4);
    }, null, null, null);
    bufferevent_setcb(a2, (bev) => {
      got.push(text(bufferevent_get_input(bev)));
      evbuffer_drain(bufferevent_get_input(bev), -1);
    }, null, null, null);
    bufferevent_enable(a2, EV_READ);
    bufferevent_enable(b2, EV_READ);
    bufferevent_write(a2, "ping", 4);
    // What crossed the pair, synchronously: '#' xor 0x20 is 0x03, 'p' xor 0x20 is 'P'.
    expect(text(bufferevent_get_input(b))).toBe("\x03P\x03I\x03N\x03G");
    event_base_dispatch(base);
    expect(got).toEqual(["ping", "pong"]);
    bufferevent_free(a2);
    bufferevent_free(b2);
    event_base_loop(base, EVLOOP_NONBLOCK);
  });

  it("the bytes on the wire of a two-layer stack are the layers applied in order", () => {
    const data = basic_setup({ base: true });
    const [a, b] = newPair(data.base!);
    const tag = (t: string): bufferevent_filter_cb => (src, dst) => {
      const s = text(src);
      evbuffer_drain(src, -1);
      evbuffer_add(dst, `${t}(${s})`, s.length + t.length + 2);
      return BEV_OK;
    };
    const inner = bufferevent_filter_new(a, null, tag("inner"), BEV_OPT_CLOSE_ON_FREE, null, null)!;
    const outer = bufferevent_filter_new(inner, null, tag("outer"), BEV_OPT_CLOSE_ON_FREE, null, null)!;
    bufferevent_enable(b, EV_READ);
    bufferevent_write(outer, "x", 1);
    expect(text(bufferevent_get_input(b))).toBe("inner(outer(x))");
    bufferevent_free(outer);
    bufferevent_free(b);
  });

  it("a filter that throws: the exception reaches the loop's caller, the filter stays usable, nothing is lost or leaked", () => {
    const data = basic_setup({ base: true });
    const base = data.base!;
    const [a, b] = newPair(base);
    let throwNext = true;
    const flaky: bufferevent_filter_cb = (src, dst) => {
      if (throwNext) {
        throwNext = false;
        throw new Error("filter failed");
      }
      evbuffer_add_buffer(dst, src);
      return BEV_OK;
    };
    const f = bufferevent_filter_new(b, flaky, null, BEV_OPT_CLOSE_ON_FREE, null, null)!;
    let got = "";
    bufferevent_setcb(f, (bev) => {
      got += text(bufferevent_get_input(bev));
      evbuffer_drain(bufferevent_get_input(bev), -1);
    }, null, null, null);
    bufferevent_enable(f, EV_READ);
    // The pair's transfer happens inside bufferevent_write; b's read callback (the filter's)
    // is deferred to the loop, so the throw comes out of the loop.
    bufferevent_write(a, "one", 3);
    expect(() => event_base_loop(base, EVLOOP_NONBLOCK)).toThrow("filter failed");
    expect(got).toBe("");
    // The data is still in the underlying; the next read round takes it along.
    expect(evbuffer_get_length(bufferevent_get_input(b))).toBe(3);
    bufferevent_write(a, "two", 3);
    event_base_loop(base, EVLOOP_NONBLOCK);
    expect(got).toBe("onetwo");
    bufferevent_free(f);
    bufferevent_free(a);
    event_base_loop(base, EVLOOP_NONBLOCK);
  });

  it("an output filter that throws inside bufferevent_write: the exception reaches the caller, the next write filters again", () => {
    const data = basic_setup({ base: true });
    const [a, b] = newPair(data.base!);
    let calls = 0;
    const flaky: bufferevent_filter_cb = (src, dst) => {
      if (++calls === 1) throw new RangeError("bad output");
      evbuffer_add_buffer(dst, src);
      return BEV_OK;
    };
    const f = bufferevent_filter_new(a, null, flaky, BEV_OPT_CLOSE_ON_FREE, null, null)!;
    bufferevent_enable(b, EV_READ);
    expect(() => bufferevent_write(f, "lost?", 5)).toThrow("bad output");
    // The bytes were accepted into the filter's output and are not lost.
    expect(evbuffer_get_length(bufferevent_get_output(f))).toBe(5);
    // The output callback was re-enabled: the next write runs the filter over everything.
    bufferevent_write(f, "!", 1);
    expect(text(bufferevent_get_input(b))).toBe("lost?!");
    bufferevent_free(f);
    bufferevent_free(b);
    event_base_loop(data.base!, EVLOOP_NONBLOCK);
  });

  it("a filter returning something other than BEV_OK / BEV_NEED_MORE / BEV_ERROR is a TypeError", () => {
    const data = basic_setup({ base: true });
    const [a, b] = newPair(data.base!);
    const forgot = ((src: evbuffer, dst: evbuffer) => {
      evbuffer_add_buffer(dst, src);
    }) as unknown as bufferevent_filter_cb;
    const f = bufferevent_filter_new(a, null, forgot, BEV_OPT_CLOSE_ON_FREE, null, null)!;
    expect(() => bufferevent_write(f, "x", 1)).toThrow(
      "bufferevent_filter_cb: the filter returned undefined, not BEV_OK, BEV_NEED_MORE or BEV_ERROR");
    bufferevent_free(f);
    bufferevent_free(b);
    event_base_loop(data.base!, EVLOOP_NONBLOCK);
  });

  it("misuse: a null underlying returns null as in C; a freed underlying, non-function filters and options throw", () => {
    const data = basic_setup({ base: true });
    expect(bufferevent_filter_new(null, null, null, 0, null, null)).toBeNull();
    const [a, b] = newPair(data.base!);
    expect(() => bufferevent_filter_new(a, 5 as never, null, 0, null, null)).toThrow(
      /bufferevent_filter_new: input_filter is 5, not a function or null/);
    expect(() => bufferevent_filter_new(a, null, "f" as never, 0, null, null)).toThrow(
      /bufferevent_filter_new: output_filter is "f", not a function or null/);
    expect(() => bufferevent_filter_new(a, null, null, 0.5, null, null)).toThrow(/bufferevent_filter_new: options must be an integer/);
    expect(() => bufferevent_filter_new(a, null, null, 0, {} as never, null)).toThrow(
      /bufferevent_filter_new: free_context is a plain object, not a function or null/);
    bufferevent_free(a);
    event_base_loop(data.base!, EVLOOP_NONBLOCK);
    expect(() => bufferevent_filter_new(a, null, null, 0, null, null)).toThrow(/bufferevent_filter_new: the bufferevent was freed/);
    bufferevent_free(b);
  });
}

// ------------------------------------------------------------------------------------------------
// examples/filter-echo-server.ts, run as the program it is

/** A message of the example's protocol: 4-byte big-endian length, then the bytes. */
function frame(s: string | Buffer): Buffer {
  const b = typeof s === "string" ? Buffer.from(s) : s;
  const h = Buffer.alloc(4);
  h.writeUInt32BE(b.length);
  return Buffer.concat([h, b]);
}

/** A client of the example: sends in pieces, collects the frames that come back, sees the close. */
class client {
  readonly sock: Socket;
  private buf = Buffer.alloc(0);
  /** The frames received, as bytes and decoded as UTF-8. */
  readonly raw: Buffer[] = [];
  readonly frames: string[] = [];
  closed = false;

  constructor(port: number) {
    this.sock = connect(port, "127.0.0.1");
    this.sock.on("data", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readUInt32BE(0)) {
        const n = this.buf.readUInt32BE(0);
        this.raw.push(this.buf.subarray(4, 4 + n));
        this.frames.push(this.raw[this.raw.length - 1]!.toString());
        this.buf = this.buf.subarray(4 + n);
      }
    });
    this.sock.on("close", () => (this.closed = true));
    this.sock.on("error", () => {});
    onTestFinished(() => new Promise<void>((resolve) => {
      if (this.closed) return resolve();
      this.sock.once("close", () => resolve());
      this.sock.destroy();
    }));
  }
}

describe("examples/filter-echo-server.ts", () => {
  it("echoes framed messages (split, batched, empty, large) on several connections; protocol errors close only their connection; SIGINT ends it", { timeout: 60_000 }, async () => {
    const port = await freePort();
    const server = start("examples/filter-echo-server.ts", [String(port)]);
    await printed(server, `Listening on 127.0.0.1:${port}`);

    const a = new client(port);
    const b = new client(port);
    const big = "y".repeat(300_000);
    const stream = Buffer.concat([frame("hello"), frame(""), frame(big), frame("bye")]);
    // A frame split inside its header and inside its text, the rest in one batch.
    a.sock.write(stream.subarray(0, 2));
    await new Promise((r) => setTimeout(r, 30));
    a.sock.write(stream.subarray(2, 7));
    await new Promise((r) => setTimeout(r, 30));
    a.sock.write(stream.subarray(7));
    b.sock.write(Buffer.concat([frame("from b"), frame("ünïcödé")]));
    await until(() => a.frames.length === 4 && b.frames.length === 2, 20_000,
      () => `echoes; a: ${a.frames.length}, b: ${b.frames.length}; server: ${server.stdout}${server.stderr}`);
    expect(a.frames.length === 4 && a.frames[2] === big).toBe(true);
    expect([a.frames[0], a.frames[1], a.frames[3]]).toEqual(["hello", "", "bye"]);
    expect(b.frames).toEqual(["from b", "ünïcödé"]);
    await printed(server, `Message: ${"y".repeat(60)}... (300000 bytes)\n`);
    await printed(server, "Message: ünïcödé\n");

    // Protocol errors: an oversized frame, a newline inside a frame.
    const c = new client(port);
    const oversized = Buffer.alloc(4);
    oversized.writeUInt32BE(5_000_000);
    c.sock.write(oversized);
    const d = new client(port);
    d.sock.write(Buffer.concat([frame("fine"), frame("two\nlines")]));
    await until(() => c.closed && d.closed, 10_000, () => `closes; server: ${server.stderr}`);
    expect(c.frames).toEqual([]);
    // The good message before the bad frame reached the application; its echo may or may not
    // have left before the connection was closed.
    await printed(server, "Message: fine\n");
    expect(["fine"].slice(0, d.frames.length)).toEqual(d.frames);
    await printed(server, "Protocol error: a frame of 5000000 bytes; closing the connection.");
    await printed(server, "Protocol error: a newline inside a frame; closing the connection.");

    // b still works.
    b.sock.write(frame("still here"));
    await until(() => b.frames.length === 3, 10_000, () => "b's third echo");
    expect(b.frames[2]).toBe("still here");

    // Clients leave; the filters' contexts are released as each connection is freed.
    a.sock.end();
    b.sock.end();
    await until(() => (server.stdout.match(/Connection closed\./g) ?? []).length === 4, 10_000, () => server.stdout);
    server.proc.kill("SIGINT");
    expect(await server.exited).toBe(0);
    expect(server.stdout).toContain("Caught an interrupt signal; exiting.\ndone; 0 connection(s) were open\n");
  });

  it("echoes a frame that is not valid UTF-8 byte for byte, and the frame after it apart", { timeout: 30_000 }, async () => {
    const port = await freePort();
    const server = start("examples/filter-echo-server.ts", ["-q", String(port)]);
    await printed(server, `Listening on 127.0.0.1:${port}`);

    const c = new client(port);
    // Lone continuation bytes, a truncated sequence, 0xff/0xfe, NUL and CR: 9 bytes that decode
    // to more than 9 as text.
    const binary = Buffer.from([0x80, 0xbf, 0xe2, 0x82, 0x00, 0xff, 0xfe, 0x0d, 0x41]);
    c.sock.write(Buffer.concat([frame(binary), frame("next"), frame(Buffer.from([0xc3]))]));
    await until(() => c.raw.length >= 3, 10_000, () => `3 echoes, got ${c.raw.length}; server: ${server.stderr}`);
    expect(c.raw).toEqual([binary, Buffer.from("next"), Buffer.from([0xc3])]);
    c.sock.end();
    await until(() => c.closed, 10_000, () => "the close");
    server.proc.kill("SIGINT");
    expect(await server.exited).toBe(0);
  });
});
