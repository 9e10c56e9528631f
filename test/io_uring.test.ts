/**
 * The io_uring backend, a libevent-ts addition: listed right after epoll but never libevent's
 * default choice (chosen when epoll is avoided, or first with EVENT_USE_IO_URING), and its own
 * mechanics: one-shot polls re-armed with each wait (level-triggered), more changes in one
 * iteration than its submission queue holds. Its libevent semantics run in every
 * backend-parameterised test file (test/helpers/backends.ts); these are skipped where the kernel
 * refuses io_uring_setup.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  EV_ET, EV_PERSIST, EV_READ, EVENT_BASE_FLAG_IGNORE_ENV, EVLOOP_NONBLOCK, EVLOOP_ONCE, event, event_add, event_base,
  event_base_free, event_base_get_method, event_base_loop, event_base_loop_async, event_base_loopbreak, event_base_new, event_base_new_with_config,
  event_config_avoid_method, event_config_free, event_config_new, event_config_set_flag, event_free,
  event_get_supported_methods, event_new,
} from "libevent-ts/event2/event";
import { AF_UNIX, SOCK_STREAM, evutil_closesocket, evutil_make_socket_nonblocking, evutil_socketpair } from "libevent-ts/event2/util";
import { backends, methodname_to_envvar } from "./helpers/backends.js";
import { send } from "./helpers/fdio.js";
import { checkFdLeaks } from "./helpers/fds.js";

checkFdLeaks();

const methods = event_get_supported_methods();
const usable = backends.some((b) => b.method === "io_uring");
const ENV = ["EVENT_USE_IO_URING", ...methods.map(methodname_to_envvar)];

describe.runIf(process.platform === "linux")("io_uring: an opt-in backend", () => {
  const saved = new Map<string, string | undefined>();
  beforeEach(() => {
    for (const k of ENV) {
      saved.set(k, process.env[k]);
      delete process.env[k];
    }
  });
  afterEach(() => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  function methodOf(base: event_base | null): string {
    expect(base).not.toBeNull();
    const m = event_base_get_method(base!);
    event_base_free(base!);
    return m;
  }

  it("is listed right after epoll, and libevent's default stays epoll", () => {
    expect(methods.indexOf("io_uring")).toBe(methods.indexOf("epoll") + 1);
    expect(methodOf(event_base_new())).toBe("epoll");
  });

  it.runIf(usable)("is chosen when epoll is avoided, by the config or by EVENT_NOEPOLL", () => {
    const cfg = event_config_new();
    event_config_avoid_method(cfg, "epoll");
    expect(methodOf(event_base_new_with_config(cfg))).toBe("io_uring");
    event_config_free(cfg);
    process.env.EVENT_NOEPOLL = "1";
    expect(methodOf(event_base_new())).toBe("io_uring");
  });

  it.runIf(usable)("EVENT_USE_IO_URING puts it first, unless IGNORE_ENV or EVENT_NOIO_URING", () => {
    process.env.EVENT_USE_IO_URING = "1";
    expect(methodOf(event_base_new())).toBe("io_uring");
    const cfg = event_config_new();
    event_config_set_flag(cfg, EVENT_BASE_FLAG_IGNORE_ENV);
    expect(methodOf(event_base_new_with_config(cfg))).toBe("epoll");
    event_config_free(cfg);
    process.env.EVENT_NOIO_URING = "1";
    expect(methodOf(event_base_new())).toBe("epoll");
  });

  describe.runIf(usable)("mechanics", () => {
    let base: event_base;
    const fds: number[] = [];
    beforeEach(() => {
      process.env.EVENT_USE_IO_URING = "1";
      base = event_base_new()!;
      expect(event_base_get_method(base)).toBe("io_uring");
    });
    afterEach(() => {
      event_base_free(base);
      for (const fd of fds.splice(0)) evutil_closesocket(fd);
    });

    function pair(): number[] {
      const p = [-1, -1];
      expect(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, p)).toBe(0);
      evutil_make_socket_nonblocking(p[0]!);
      evutil_make_socket_nonblocking(p[1]!);
      fds.push(p[0]!, p[1]!);
      return p;
    }

    it("a level-triggered read event fires on every pass while its data stays unread", () => {
      const p = pair();
      expect(send(p[0]!, "x", 1, 0)).toBe(1);
      let calls = 0;
      const ev: event = event_new(base, p[1]!, EV_READ | EV_PERSIST, () => { calls++; }, null)!;
      expect(event_add(ev, null)).toBe(0);
      for (let i = 0; i < 3; i++) expect(event_base_loop(base, EVLOOP_NONBLOCK | EVLOOP_ONCE)).toBe(0);
      expect(calls).toBe(3);
      event_free(ev);
    });

    it("more changes in one iteration than the submission queue holds all take effect", () => {
      const n = 300; // the ring has 256 entries
      const fired = new Set<number>();
      const evs: event[] = [];
      for (let i = 0; i < n; i++) {
        const p = pair();
        expect(send(p[0]!, "y", 1, 0)).toBe(1);
        const ev = event_new(base, p[1]!, EV_READ, (fd) => { fired.add(fd); }, null)!;
        expect(event_add(ev, null)).toBe(0);
        evs.push(ev);
      }
      for (let i = 0; i < 5 && fired.size < n; i++) event_base_loop(base, EVLOOP_NONBLOCK);
      expect(fired.size).toBe(n);
      for (const ev of evs) event_free(ev);
    });

    it("what a blocking loop armed keeps working when the base moves into Node's loop, and after", async () => {
      // The blocking loop's ring defers completion work to its wait; the first loop inside
      // Node's moves to a ring that does not, arming every watched fd there again.
      const p = pair();
      const q = pair();
      const seen: string[] = [];
      const lt = event_new(base, p[1]!, EV_READ | EV_PERSIST, () => {
        seen.push("lt");
        if (seen.includes("et")) event_base_loopbreak(base);
      }, null)!;
      const et = event_new(base, q[1]!, EV_READ | EV_PERSIST | EV_ET, () => {
        seen.push("et");
        if (seen.includes("lt")) event_base_loopbreak(base);
      }, null)!;
      expect(event_add(lt, null)).toBe(0);
      expect(event_add(et, null)).toBe(0);
      expect(event_base_loop(base, EVLOOP_NONBLOCK)).toBe(0);
      expect(seen).toEqual([]);
      const timer = setTimeout(() => {
        expect(send(p[0]!, "a", 1, 0)).toBe(1);
        expect(send(q[0]!, "b", 1, 0)).toBe(1);
      }, 20);
      // A loop that never hears of the data is broken after 5 s, and the test fails below.
      const guard = setTimeout(() => event_base_loopbreak(base), 5000);
      expect(await event_base_loop_async(base, 0)).toBe(0);
      clearTimeout(timer);
      clearTimeout(guard);
      expect([...seen].sort()).toEqual(["et", "lt"]);
      // Back in a blocking loop: the unread byte keeps the level-triggered event firing, the
      // edge-triggered one stays quiet until new data comes.
      seen.length = 0;
      expect(event_base_loop(base, EVLOOP_NONBLOCK | EVLOOP_ONCE)).toBe(0);
      expect(seen).toEqual(["lt"]);
      expect(send(q[0]!, "c", 1, 0)).toBe(1);
      seen.length = 0;
      expect(event_base_loop(base, EVLOOP_NONBLOCK | EVLOOP_ONCE)).toBe(0);
      expect([...seen].sort()).toEqual(["et", "lt"]);
      event_free(lt);
      event_free(et);
    });
  });
});
