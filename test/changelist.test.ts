/**
 * epoll's changelist (libevent's epollops_changelist, changelist-internal.h, evmap.c): chosen by
 * EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST or EVENT_EPOLL_USE_CHANGELIST, reported as "epoll (with
 * changelist)", holding every add and del until the next dispatch, one coalesced epoll_ctl per fd.
 * What the kernel holds is read from /proc/self/fdinfo of the epoll fd; system calls are counted
 * with strace. Also libevent's test/test-changelist.c (del/add/del in a write callback).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  EV_PERSIST, EV_READ, EV_WRITE, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST, EVENT_BASE_FLAG_IGNORE_ENV, EVLOOP_NONBLOCK, EVLOOP_ONCE,
  event_add, event_base, event_base_dispatch, event_base_free, event_base_get_features, event_base_get_method,
  event_base_loop, event_base_new, event_base_new_with_config, event_config_avoid_method, event_config_free,
  event_config_new, event_config_set_flag, event_del, event_free, event_get_supported_methods, event_new,
  event_pending, event_reinit, event_set_log_callback, evtimer_add, evtimer_new, EVENT_LOG_WARN,
} from "libevent-ts/event2/event";
import { AF_UNIX, close, evutil_socketpair, SOCK_STREAM, timeval } from "libevent-ts/event2/util";
import { native } from "../src/native/binding.js";
import { nodeArgs, root } from "./helpers/children.js";
import { internals } from "./helpers/internal.js";

const hasEpoll = event_get_supported_methods().includes("epoll");
const EPOLLIN = 0x1;
const EPOLLOUT = 0x4;
/** One pass of the loop that does not wait (EVLOOP_NONBLOCK alone would go on while callbacks keep running). */
const POLL = EVLOOP_ONCE | EVLOOP_NONBLOCK;

/** A base made with `flags` (and the environment as it is). */
function baseWith(flags: number): event_base {
  const cfg = event_config_new();
  event_config_set_flag(cfg, flags);
  const base = event_base_new_with_config(cfg);
  event_config_free(cfg);
  expect(base).not.toBeNull();
  return base!;
}

/** fd -> epoll event mask, as the kernel holds the interest list of `base`'s epoll fd. */
function interest(base: event_base): Map<number, number> {
  const h = (internals(base).evsel as unknown as { h: number }).h;
  const epfd = native.backendFd(h);
  const map = new Map<number, number>();
  for (const m of readFileSync(`/proc/self/fdinfo/${epfd}`, "utf8").matchAll(/^tfd:\s+(\d+)\s+events:\s+([0-9a-f]+)/gm)) {
    map.set(Number(m[1]), parseInt(m[2]!, 16) & (EPOLLIN | EPOLLOUT));
  }
  return map;
}

const pairs: number[][] = [];
function socketpair(): number[] {
  const pair = [-1, -1];
  expect(evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair)).toBe(0);
  pairs.push(pair);
  return pair;
}
afterEach(() => {
  for (const p of pairs.splice(0)) for (const fd of p) if (fd >= 0) close(fd);
  event_set_log_callback(null);
  delete process.env.EVENT_EPOLL_USE_CHANGELIST;
});

describe.skipIf(!hasEpoll)("epoll (with changelist): the name", () => {
  it("EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST: the base reports \"epoll (with changelist)\", with epoll's features", () => {
    const plain = event_base_new()!;
    const base = baseWith(EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    expect(event_base_get_method(plain)).toBe("epoll");
    expect(event_base_get_method(base)).toBe("epoll (with changelist)");
    expect(event_base_get_features(base)).toBe(event_base_get_features(plain));
    event_base_free(base);
    event_base_free(plain);
  });

  it("EVENT_EPOLL_USE_CHANGELIST in the environment does the same, unless EVENT_BASE_FLAG_IGNORE_ENV", () => {
    process.env.EVENT_EPOLL_USE_CHANGELIST = "1";
    const base = event_base_new()!;
    expect(event_base_get_method(base)).toBe("epoll (with changelist)");
    const ignoring = baseWith(EVENT_BASE_FLAG_IGNORE_ENV);
    expect(event_base_get_method(ignoring)).toBe("epoll");
    event_base_free(ignoring);
    event_base_free(base);
  });

  it("event_get_supported_methods() does not list it, and avoiding \"epoll\" avoids it", () => {
    expect(event_get_supported_methods()).not.toContain("epoll (with changelist)");
    const cfg = event_config_new();
    event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    event_config_avoid_method(cfg, "epoll");
    const base = event_base_new_with_config(cfg)!;
    event_config_free(cfg);
    expect(event_base_get_method(base)).not.toMatch(/^epoll/);
    event_base_free(base);
  });

  it("event_reinit keeps the changelist, and re-registers every event", () => {
    const base = baseWith(EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    const [a] = socketpair();
    const ev = event_new(base, a!, EV_READ, () => {}, null)!;
    expect(event_add(ev, null)).toBe(0);
    expect(event_reinit(base)).toBe(0);
    expect(event_base_get_method(base)).toBe("epoll (with changelist)");
    expect(event_base_loop(base, POLL)).toBe(0);
    expect(interest(base).get(a!)).toBe(EPOLLIN);
    event_free(ev);
    event_base_free(base);
  });
});

describe.skipIf(!hasEpoll)("epoll (with changelist): held changes, coalesced per fd", () => {
  it("adds wait for the next dispatch, which makes one change per fd; dels likewise", () => {
    const base = baseWith(EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    const [a] = socketpair();
    const r = event_new(base, a!, EV_READ | EV_PERSIST, () => {}, null)!;
    const w = event_new(base, a!, EV_WRITE | EV_PERSIST, () => {}, null)!;
    expect(event_add(r, null)).toBe(0);
    expect(event_add(w, null)).toBe(0);
    expect(interest(base).has(a!)).toBe(false); // held
    expect(event_base_loop(base, POLL)).toBe(0);
    expect(interest(base).get(a!)).toBe(EPOLLIN | EPOLLOUT);
    expect(event_del(r)).toBe(0);
    expect(interest(base).get(a!)).toBe(EPOLLIN | EPOLLOUT); // held
    event_base_loop(base, POLL);
    expect(interest(base).get(a!)).toBe(EPOLLOUT);
    // del then add again before the dispatch: the fd keeps watching what it did
    expect(event_del(w)).toBe(0);
    expect(event_add(w, null)).toBe(0);
    event_base_loop(base, POLL);
    expect(interest(base).get(a!)).toBe(EPOLLOUT);
    // stop writing, start reading: one change to EPOLLIN
    expect(event_del(w)).toBe(0);
    expect(event_add(r, null)).toBe(0);
    event_base_loop(base, POLL);
    expect(interest(base).get(a!)).toBe(EPOLLIN);
    // With nothing left to wait for, the loop returns before any dispatch (as libevent's does): the
    // del is still held. A timer makes the loop dispatch, and the del is made.
    event_free(r);
    expect(event_base_loop(base, POLL)).toBe(1);
    expect(interest(base).get(a!)).toBe(EPOLLIN);
    const t = evtimer_new(base, () => {}, null)!;
    evtimer_add(t, new timeval(0, 0));
    expect(event_base_loop(base, POLL)).toBe(0);
    expect(interest(base).has(a!)).toBe(false);
    event_free(t);
    event_free(w);
    event_base_free(base);
  });

  it("plain epoll makes each change at once", () => {
    const base = baseWith(0);
    expect(event_base_get_method(base)).toBe("epoll");
    const [a] = socketpair();
    const r = event_new(base, a!, EV_READ, () => {}, null)!;
    expect(event_add(r, null)).toBe(0);
    expect(interest(base).get(a!)).toBe(EPOLLIN);
    event_free(r);
    expect(interest(base).has(a!)).toBe(false);
    event_base_free(base);
  });

  it("an add then a del of a closed fd before the dispatch is nothing; a held add of one fails at the dispatch, with a warning", () => {
    const warnings: string[] = [];
    event_set_log_callback((severity, msg) => { if (severity === EVENT_LOG_WARN) warnings.push(msg); });
    const base = baseWith(EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    const pair = socketpair();
    const fd = pair[0]!;
    close(fd);
    pair[0] = -1;
    const ev = event_new(base, fd, EV_READ, () => {}, null)!;
    expect(event_add(ev, null)).toBe(0); // held: as in libevent, the add itself cannot fail
    expect(event_del(ev)).toBe(0);
    event_base_loop(base, POLL);
    expect(warnings).toEqual([]);
    expect(event_add(ev, null)).toBe(0);
    expect(event_base_loop(base, POLL)).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^held-back change of fd ${fd}: `));
    event_free(ev);
    event_base_free(base);
  });

  it("test-changelist: del/add/del of a persistent write event in its callback runs it once, and leaves the fd unwatched", () => {
    const base = baseWith(EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    const [, b] = socketpair();
    let calls = 0;
    const ev = event_new(base, b!, EV_WRITE | EV_PERSIST, () => {
      calls++;
      event_del(ev);
      event_add(ev, null);
      event_del(ev);
    }, null)!;
    const timeout = evtimer_new(base, () => {}, null)!;
    evtimer_add(timeout, new timeval(0, 200_000));
    event_add(ev, null);
    expect(event_base_dispatch(base)).toBe(1);
    expect(calls).toBe(1);
    expect(event_pending(ev, EV_WRITE, null)).toBe(0);
    expect(interest(base).has(b!)).toBe(false);
    event_free(ev);
    event_free(timeout);
    event_base_free(base);
  });
});

const hasStrace = spawnSync("strace", ["-V"]).status === 0;

describe.skipIf(!hasEpoll || !hasStrace)("epoll (with changelist): system calls, counted with strace", () => {
  /** Run the churn fixture with `env`; its fd, method, and the epoll_ctl calls on that fd. */
  function churn(env: NodeJS.ProcessEnv): { method: string; rounds: number; ctls: string[] } {
    const dir = mkdtempSync(join(tmpdir(), "changelist-"));
    try {
      const out = join(dir, "strace.txt");
      const r = spawnSync("strace", ["-f", "-e", "trace=epoll_ctl", "-o", out, process.execPath,
        ...nodeArgs(`${root}test/fixtures/changelist_churn.ts`, [])], { cwd: root, env, encoding: "utf8", timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      const { fd, method, rounds } = JSON.parse(r.stdout.trim().split("\n").pop()!) as { fd: number; method: string; rounds: number };
      const ctls = readFileSync(out, "utf8").split("\n").filter((l) => new RegExp(`epoll_ctl\\(\\d+, EPOLL_CTL_\\w+, ${fd},`).test(l));
      return { method, rounds, ctls };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("an add then a del before each dispatch costs no epoll_ctl; plain epoll makes every one", { timeout: 120_000 }, () => {
    const env: NodeJS.ProcessEnv = { ...process.env, EVENT_NOPOLL: "1", EVENT_NOSELECT: "1" };
    delete env.EVENT_NOEPOLL;
    const held = churn({ ...env, EVENT_EPOLL_USE_CHANGELIST: "1" });
    expect(held.method).toBe("epoll (with changelist)");
    // The last add, alone (event_free's del is dropped with the base, as libevent drops it).
    expect(held.ctls).toHaveLength(1);
    expect(held.ctls[0]).toMatch(/EPOLL_CTL_ADD/);
    delete env.EVENT_EPOLL_USE_CHANGELIST;
    const plain = churn(env);
    expect(plain.method).toBe("epoll");
    expect(plain.ctls).toHaveLength(plain.rounds * 10 * 2 + 2); // and the last add, and event_free's del
  });
});

describe("the addon's coalesced change (kind 2, set)", () => {
  it("is made by epoll only: another backend refuses it with EINVAL", () => {
    const h = native.backendNew("poll", 0);
    const [a] = socketpair();
    const list = new Int32Array([a!, 0, EV_READ, 2]);
    native.setChangeList(h, list);
    native.backendApply(h, 1);
    expect(list[3]).toBe(-22);
    native.backendFree(h);
  });
});
