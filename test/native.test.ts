// The native addon against real fds, real signals and real time: every backend compiled in, the
// evsig handler, byte transfers, sockets, getaddrinfo and the argument checks.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { endianness, tmpdir, constants as osConstants } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { native } from "../src/native/binding.js";

const C = native.constants;
const EV_READ = 0x02;
const EV_WRITE = 0x04;
const EV_ET = 0x20;
const EV_CLOSED = 0x80;
const EV_FEATURE_ET = 0x01;
const EV_FEATURE_EARLY_CLOSE = 0x08;
const EVENT_BASE_FLAG_PRECISE_TIMER = 0x20;
const EAGAIN = osConstants.errno.EAGAIN;
const SIGUSR2 = osConstants.signals.SIGUSR2;

const hasProcFd = (() => {
  try {
    readdirSync("/proc/self/fd");
    return true;
  } catch {
    return false;
  }
})();
const openFds = (): number => readdirSync("/proc/self/fd").length;

// fds and backend handles a test opened; afterEach closes what the test did not.
let fds: number[] = [];
let handles: number[] = [];
let readyList = new Int32Array(64);

function track(fd: number): number {
  expect(fd).toBeGreaterThanOrEqual(0);
  fds.push(fd);
  return fd;
}

function closeFd(fd: number): void {
  expect(native.close(fd)).toBe(0);
  fds = fds.filter((x) => x !== fd);
}

/** A nonblocking AF_UNIX stream socketpair. */
function socketpair(): [number, number] {
  const out = new Int32Array(2);
  expect(native.socketpair(C.AF_UNIX, C.SOCK_STREAM | C.SOCK_NONBLOCK | C.SOCK_CLOEXEC, 0, out)).toBe(0);
  return [track(out[0]!), track(out[1]!)];
}

function backend(name: string, flags = 0): number {
  const h = native.backendNew(name, flags);
  expect(h).toBeGreaterThanOrEqual(0);
  handles.push(h);
  return h;
}

function freeBackend(h: number): void {
  native.backendFree(h);
  handles = handles.filter((x) => x !== h);
}

/** Dispatch and return the (fd, what) pairs reported, sorted by fd. */
function dispatch(h: number, timeoutUs: number): Array<[number, number]> {
  const n = native.backendDispatch(h, timeoutUs, 0);
  expect(n).toBeGreaterThanOrEqual(0);
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) pairs.push([readyList[2 * i]!, readyList[2 * i + 1]!]);
  return pairs.sort((a, b) => a[0] - b[0]);
}

function send(fd: number, text: string): void {
  const b = Buffer.from(text);
  expect(native.write(fd, b, 0, b.length)).toBe(b.length);
}

function recvAll(fd: number): string {
  const b = Buffer.alloc(4096);
  const n = native.read(fd, b, 0, b.length);
  expect(n).toBeGreaterThanOrEqual(0);
  return b.toString("latin1", 0, n);
}

/** A struct sockaddr_in for this platform: sin_family host-endian on Linux, sin_len first on the BSDs. */
function sockaddrIn(ip: number[], port: number): Uint8Array {
  const b = new Uint8Array(16);
  if (process.platform === "linux") new DataView(b.buffer).setUint16(0, C.AF_INET, endianness() === "LE");
  else {
    b[0] = 16;
    b[1] = C.AF_INET;
  }
  b[2] = port >> 8;
  b[3] = port & 0xff;
  b.set(ip, 4);
  return b;
}

const portOf = (sa: Uint8Array): number => (sa[2]! << 8) | sa[3]!;

/** Block the JavaScript thread for `ms` without spinning. */
function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

let fdsAtStart = 0;
beforeAll(() => {
  native.setReadyList(readyList);
  if (hasProcFd) fdsAtStart = openFds();
});

afterEach(() => {
  for (const h of handles) native.backendFree(h);
  for (const fd of fds) native.close(fd);
  handles = [];
  fds = [];
  readyList = new Int32Array(64);
  native.setReadyList(readyList);
});

afterAll(() => {
  // Cancelled getaddrinfo threads may still be finishing a lookup; give them a moment.
  if (!hasProcFd) return;
  for (let i = 0; i < 50 && openFds() !== fdsAtStart; i++) sleepMs(20);
  expect(openFds()).toBe(fdsAtStart);
});

describe("backends", () => {
  it("methods: libevent's preference order, each with its features", () => {
    const methods = native.methods();
    const order = ["kqueue", "epoll", "io_uring", "poll", "select"];
    expect(methods).toEqual(order.filter((m) => methods.includes(m)));
    expect(methods).toContain("poll");
    expect(methods).toContain("select");
    if (process.platform === "linux") {
      // io_uring is libevent-ts's own, listed after epoll so that libevent's default stays epoll.
      expect(methods).toEqual(["epoll", "io_uring", "poll", "select"]);
      expect(native.methodFeatures("epoll")).toBe(0x01 | 0x02 | 0x08);
      expect(native.methodFeatures("io_uring")).toBe(0x01 | 0x02 | 0x08);
      expect(native.methodFeatures("poll")).toBe(0x04 | 0x08);
    }
    expect(native.methodFeatures("select")).toBe(0x04);
    expect(native.methodFeatures("devpoll")).toBe(-1);
  });

  for (const name of native.methods()) {
    const features = native.methodFeatures(name);
    // epoll and kqueue mark every result EV_ET, as libevent's epoll_dispatch and kq_dispatch do.
    const et = features & EV_FEATURE_ET ? EV_ET : 0;

    describe(name, () => {
      it("reports READ after the peer writes, WRITE while writable", () => {
        const h = backend(name);
        const [a, b] = socketpair();
        expect(native.backendAdd(h, a, 0, EV_READ)).toBe(0);
        expect(dispatch(h, 0)).toEqual([]);
        send(b, "x");
        expect(dispatch(h, 0)).toEqual([[a, EV_READ | et]]);
        expect(native.backendAdd(h, b, 0, EV_WRITE)).toBe(0);
        expect(dispatch(h, 0)).toEqual([
          [a, EV_READ | et],
          [b, EV_WRITE | et],
        ]);
        expect(recvAll(a)).toBe("x");
        expect(dispatch(h, 0)).toEqual([[b, EV_WRITE | et]]);
      });

      it("READ and WRITE on one fd, added one after the other, come as one pair", () => {
        const h = backend(name);
        const [a, b] = socketpair();
        expect(native.backendAdd(h, a, 0, EV_READ)).toBe(0);
        expect(native.backendAdd(h, a, EV_READ, EV_WRITE)).toBe(0);
        send(b, "x");
        const pairs = dispatch(h, 0);
        // kqueue reports each filter separately; the others report the fd once.
        const what = pairs.filter((p) => p[0] === a).reduce((m, p) => m | p[1], 0);
        expect(what).toBe(EV_READ | EV_WRITE | et);
        if (name !== "kqueue") expect(pairs).toHaveLength(1);
      });

      it("del stops the reports of what it removes and keeps the rest", () => {
        const h = backend(name);
        const [a, b] = socketpair();
        expect(native.backendAdd(h, a, 0, EV_READ)).toBe(0);
        expect(native.backendAdd(h, a, EV_READ, EV_WRITE)).toBe(0);
        send(b, "x");
        expect(native.backendDel(h, a, EV_READ | EV_WRITE, EV_READ)).toBe(0);
        expect(dispatch(h, 0)).toEqual([[a, EV_WRITE | et]]);
        expect(native.backendDel(h, a, EV_WRITE, EV_WRITE)).toBe(0);
        expect(dispatch(h, 0)).toEqual([]);
        // And it can be watched again afterwards.
        expect(native.backendAdd(h, a, 0, EV_READ)).toBe(0);
        expect(dispatch(h, 0)).toEqual([[a, EV_READ | et]]);
      });

      it("a peer that closes wakes a reader (EPOLLHUP/POLLHUP: READ|WRITE, select: READ)", () => {
        const h = backend(name);
        const [a, b] = socketpair();
        expect(native.backendAdd(h, a, 0, EV_READ)).toBe(0);
        closeFd(b);
        const pairs = dispatch(h, 0);
        expect(pairs).toHaveLength(1);
        expect(pairs[0]![0]).toBe(a);
        expect(pairs[0]![1] & EV_READ).toBe(EV_READ);
        if (name === "epoll" || name === "poll") expect(pairs[0]![1]).toBe(EV_READ | EV_WRITE | et);
        expect(recvAll(a)).toBe("");
      });

      if (features & EV_FEATURE_EARLY_CLOSE) {
        it("EV_CLOSED after the peer's shutdown(SHUT_WR), alone or with READ", () => {
          const h = backend(name);
          const [a, b] = socketpair();
          const [c, d] = socketpair();
          expect(native.backendAdd(h, a, 0, EV_CLOSED)).toBe(0);
          expect(native.backendAdd(h, c, 0, EV_READ | EV_CLOSED)).toBe(0);
          expect(dispatch(h, 0)).toEqual([]);
          expect(native.shutdown(b, C.SHUT_WR)).toBe(0);
          expect(native.shutdown(d, C.SHUT_WR)).toBe(0);
          expect(dispatch(h, 0)).toEqual([
            [a, EV_CLOSED | et],
            [c, EV_READ | EV_CLOSED | et],
          ]);
          expect(native.backendDel(h, a, EV_CLOSED, EV_CLOSED)).toBe(0);
          expect(native.backendDel(h, c, EV_READ | EV_CLOSED, EV_CLOSED)).toBe(0);
          expect(dispatch(h, 0)).toEqual([[c, EV_READ | et]]);
        });
      }

      it("a connection refused wakes a writer with READ|WRITE (select: WRITE) and SO_ERROR tells why", () => {
        const h = backend(name);
        // A port nobody listens on: bind one, note it, close it.
        const probe = track(native.socket(C.AF_INET, C.SOCK_STREAM | C.SOCK_CLOEXEC, 0));
        expect(native.bind(probe, sockaddrIn([127, 0, 0, 1], 0), 16)).toBe(0);
        const sa = new Uint8Array(128);
        const len = new Int32Array(1);
        expect(native.getsockname(probe, sa, len)).toBe(0);
        closeFd(probe);
        const s = track(native.socket(C.AF_INET, C.SOCK_STREAM | C.SOCK_NONBLOCK | C.SOCK_CLOEXEC, 0));
        const r = native.connect(s, sa, len[0]!);
        expect([-osConstants.errno.EINPROGRESS, -osConstants.errno.ECONNREFUSED]).toContain(r);
        expect(native.backendAdd(h, s, 0, EV_WRITE)).toBe(0);
        const pairs = dispatch(h, 5_000_000);
        expect(pairs.map((p) => p[0])).toEqual([s]);
        if (name === "epoll" || name === "poll") expect(pairs[0]![1]).toBe(EV_READ | EV_WRITE | et);
        else expect(pairs[0]![1] & EV_WRITE).toBe(EV_WRITE);
        if (r === -osConstants.errno.EINPROGRESS) {
          const err = new Int32Array(1);
          expect(native.getsockopt(s, C.SOL_SOCKET, C.SO_ERROR, err)).toBe(0);
          expect(err[0]).toBe(osConstants.errno.ECONNREFUSED);
        }
      });

      it("a dispatch with a timeout and nothing ready returns 0 pairs after at least that time", () => {
        const h = backend(name);
        const [a] = socketpair();
        expect(native.backendAdd(h, a, 0, EV_READ)).toBe(0);
        const t0 = native.monotonicUs(1);
        expect(native.backendDispatch(h, 100_000, 0)).toBe(0);
        const elapsed = native.monotonicUs(1) - t0;
        expect(elapsed).toBeGreaterThanOrEqual(100_000);
        expect(elapsed).toBeLessThan(100_000 + 500_000);
      });

      it("dispatch(0) does not block", () => {
        const h = backend(name);
        const [a] = socketpair();
        expect(native.backendAdd(h, a, 0, EV_READ)).toBe(0);
        const t0 = native.monotonicUs(1);
        for (let i = 0; i < 1000; i++) expect(native.backendDispatch(h, 0, 0)).toBe(0);
        // A timeout of 0 rounded up to 1 ms would take a second here.
        expect(native.monotonicUs(1) - t0).toBeLessThan(500_000);
      });

      it("a full ready list truncates: never a pair more than it holds, the rest later", () => {
        const h = backend(name);
        const ready: number[] = [];
        for (let i = 0; i < 5; i++) {
          const [a, b] = socketpair();
          send(b, "x");
          expect(native.backendAdd(h, a, 0, EV_READ)).toBe(0);
          ready.push(a);
        }
        // A list of 5 elements holds 2 pairs; the elements after it must stay untouched.
        const mem = new Int32Array(16).fill(-7);
        const list = new Int32Array(mem.buffer, 0, 5);
        native.setReadyList(list);
        const seen = new Set<number>();
        for (let i = 0; i < 200 && seen.size < ready.length; i++) {
          expect(native.backendDispatch(h, 0, 0)).toBe(2);
          expect(ready).toContain(list[0]);
          expect(ready).toContain(list[2]);
          expect(list[0]).not.toBe(list[2]);
          expect(Array.from(mem.subarray(4))).toEqual(new Array(12).fill(-7));
          seen.add(list[0]!).add(list[2]!);
        }
        expect([...seen].sort((x, y) => x - y)).toEqual(ready);
        // A replaced list is the one filled from then on.
        native.setReadyList(readyList);
        expect(dispatch(h, 0)).toHaveLength(5);
      });

      it("dispatch with a clock: the monotonic µs in the list's last pair, one pair fewer for results", () => {
        const h = backend(name);
        const ready: number[] = [];
        for (let i = 0; i < 3; i++) {
          const [a, b] = socketpair();
          send(b, "x");
          expect(native.backendAdd(h, a, 0, EV_READ)).toBe(0);
          ready.push(a);
        }
        // 3 pairs: 2 for results, the last for the time.
        const list = new Int32Array(6).fill(-7);
        native.setReadyList(list);
        const timeOf = () => list[5]! * 4294967296 + (list[4]! >>> 0);
        for (const [clock, precise] of [[2, 1], [1, 0]] as const) {
          const t0 = native.monotonicUs(precise);
          const n = native.backendDispatch(h, 0, 0, clock);
          const t1 = native.monotonicUs(precise);
          expect(n).toBeGreaterThanOrEqual(1);
          expect(n).toBeLessThanOrEqual(2);
          for (let i = 0; i < n; i++) expect(ready).toContain(list[2 * i]);
          expect(timeOf()).toBeGreaterThanOrEqual(t0);
          expect(timeOf()).toBeLessThanOrEqual(t1);
        }
        // Without a clock the last pair is a result's again, and the time is left as it was.
        list.fill(-7);
        expect(native.backendDispatch(h, 0, 0, 0)).toBeGreaterThanOrEqual(1);
        expect(native.backendDispatch(h, 0, 0)).toBeGreaterThanOrEqual(1);
        expect(() => native.backendDispatch(h, 0, 0, 3)).toThrow(RangeError);
        expect(() => native.backendDispatch(h, 0, 0, 0.5)).toThrow(RangeError);
        // A list of one pair has no room for the time.
        native.setReadyList(new Int32Array(2));
        expect(() => native.backendDispatch(h, 0, 0, 1)).toThrow(/no room for the time/);
        native.setReadyList(readyList);
      });

      it("the change list: backendApply and backendDispatch make its changes in order, each result in place of `adding`", () => {
        const h = backend(name);
        const [a, b] = socketpair();
        send(b, "x");
        const list = new Int32Array(4 * 4).fill(-7);
        native.setChangeList(h, list);
        list.set([a, 0, EV_READ, 1]);
        native.backendApply(h, 1);
        expect(list[3]).toBe(0);
        expect(Array.from(list.subarray(4))).toEqual(new Array(12).fill(-7)); // only n changes are read
        expect(dispatch(h, 0)).toEqual([[a, EV_READ | et]]);
        // Stop reading, start writing, then one change no add would take: made before the wait.
        list.set([a, EV_READ, EV_READ, 0, a, 0, EV_WRITE, 1, -1, 0, EV_READ, 1]);
        const n = native.backendDispatch(h, 0, 3);
        expect(n).toBe(1);
        expect([readyList[0], readyList[1]! & ~EV_ET]).toEqual([a, EV_WRITE]);
        expect([list[3], list[7], list[11]]).toEqual([0, 0, -osConstants.errno.EINVAL]);
        // A count of 0: nothing is made; a missing count is refused, and makes nothing either.
        list.set([a, EV_WRITE, EV_WRITE, 0]);
        const noCount = (): number => (native.backendDispatch as (h: number, timeoutUs: number) => number)(h, 0);
        expect(noCount).toThrow(TypeError);
        expect(noCount).toThrow("backendDispatch: nchanges must be a number, got undefined");
        expect(native.backendDispatch(h, 0, 0)).toBe(1);
        expect(native.backendDispatch(h, 0, 0)).toBe(1);
        native.backendApply(h, 1);
        expect(dispatch(h, 0)).toEqual([]);
      });

      it("the backend's fd: -1 for poll and select; epoll's and kqueue's is readable while fds are ready", () => {
        const h = backend(name);
        const fd = native.backendFd(h);
        if (name === "poll" || name === "select") {
          expect(fd).toBe(-1);
          return;
        }
        expect(fd).toBeGreaterThan(2);
        // What the embedded mode relies on: an outer poll sees the inner set's readiness.
        const [a, b] = socketpair();
        expect(native.backendAdd(h, a, 0, EV_READ)).toBe(0);
        // io_uring sends its changes with the next dispatch (or flush): only then is a poll armed.
        if (name === "io_uring") expect(dispatch(h, 0)).toEqual([]);
        const outer = backend("poll");
        expect(native.backendAdd(outer, fd, 0, EV_READ)).toBe(0);
        expect(dispatch(outer, 0)).toEqual([]);
        send(b, "x");
        expect(dispatch(outer, 0)).toEqual([[fd, EV_READ]]);
        if (name === "io_uring") {
          // The ring's fd is readable while completions wait to be taken: a dispatch takes them.
          expect(dispatch(h, 0)).toEqual([[a, EV_READ | et]]);
        } else {
          expect(recvAll(a)).toBe("x");
        }
        expect(dispatch(outer, 0)).toEqual([]);
      });
    });
  }

  describe("epoll", () => {
    const linux = process.platform === "linux";

    it.runIf(linux)("EV_ET: one report per edge; level-triggered keeps reporting", () => {
      const h = backend("epoll");
      const [a, b] = socketpair();
      const [c, d] = socketpair();
      expect(native.backendAdd(h, a, 0, EV_READ | EV_ET)).toBe(0);
      expect(native.backendAdd(h, c, 0, EV_READ)).toBe(0);
      send(b, "x");
      send(d, "x");
      expect(dispatch(h, 0)).toEqual([
        [a, EV_READ | EV_ET],
        [c, EV_READ | EV_ET],
      ]);
      expect(dispatch(h, 0)).toEqual([[c, EV_READ | EV_ET]]);
      send(b, "y");
      expect(dispatch(h, 0)).toEqual([
        [a, EV_READ | EV_ET],
        [c, EV_READ | EV_ET],
      ]);
      expect(dispatch(h, 0)).toEqual([[c, EV_READ | EV_ET]]);
    });

    it.runIf(linux)("et_multiple_events: the registration stays edge-triggered while old or events has EV_ET", () => {
      const h = backend("epoll");
      const [a, b] = socketpair();
      expect(native.backendAdd(h, a, 0, EV_READ | EV_ET)).toBe(0);
      // WRITE is added without EV_ET, but READ was: the registration stays edge-triggered.
      expect(native.backendAdd(h, a, EV_READ | EV_ET, EV_WRITE)).toBe(0);
      expect(dispatch(h, 0)).toEqual([[a, EV_WRITE | EV_ET]]);
      expect(dispatch(h, 0)).toEqual([]);
      send(b, "x");
      expect(dispatch(h, 0)).toEqual([[a, EV_READ | EV_WRITE | EV_ET]]);
      expect(dispatch(h, 0)).toEqual([]);
      // Deleting WRITE leaves READ, still edge-triggered (a MOD, not a DEL).
      expect(native.backendDel(h, a, EV_READ | EV_WRITE | EV_ET, EV_WRITE | EV_ET)).toBe(0);
      send(b, "y");
      expect(dispatch(h, 0)).toEqual([[a, EV_READ | EV_ET]]);
      expect(dispatch(h, 0)).toEqual([]);
    });

    it.runIf(linux)("ADD and MOD are guesses that retry as each other; a DEL of what is gone succeeds", () => {
      const h = backend("epoll");
      const [a, b] = socketpair();
      // MOD of an fd epoll does not know (ENOENT) becomes an ADD.
      expect(native.backendAdd(h, a, EV_WRITE, EV_READ)).toBe(0);
      send(b, "x");
      expect(dispatch(h, 0)).toEqual([[a, EV_READ | EV_WRITE | EV_ET]]);
      // ADD of an fd epoll already has (EEXIST) becomes a MOD: now READ only.
      expect(native.backendAdd(h, a, 0, EV_READ)).toBe(0);
      expect(dispatch(h, 0)).toEqual([[a, EV_READ | EV_ET]]);
      // DEL of an unregistered fd (ENOENT) and of a closed one (EBADF) are not errors.
      expect(native.backendDel(h, b, EV_READ, EV_READ)).toBe(0);
      closeFd(a);
      expect(native.backendDel(h, a, EV_READ, EV_READ)).toBe(0);
      // Other failures come back as -errno.
      expect(native.backendAdd(h, a, 0, EV_READ)).toBe(-osConstants.errno.EBADF);
    });

    it.runIf(linux)("PRECISE_TIMER: a timerfd gives sub-millisecond timeouts and is never reported", () => {
      const before = openFds();
      const h = backend("epoll", EVENT_BASE_FLAG_PRECISE_TIMER);
      expect(openFds()).toBe(before + 2);
      let best = Infinity;
      for (let i = 0; i < 10; i++) {
        const t0 = native.monotonicUs(1);
        expect(native.backendDispatch(h, 300, 0)).toBe(0);
        const elapsed = native.monotonicUs(1) - t0;
        expect(elapsed).toBeGreaterThanOrEqual(300);
        best = Math.min(best, elapsed);
      }
      // Without the timerfd epoll_wait rounds 300 us up to a whole millisecond.
      expect(best).toBeLessThan(1000);
      // The expired timer is not an fd of the caller's: it never shows up in the results.
      expect(native.backendDispatch(h, 0, 0)).toBe(0);
      freeBackend(h);
      expect(openFds()).toBe(before);
    });

  });

  for (const name of native.methods().filter((m) => m === "epoll" || m === "poll")) {
    it(`${name}: timeouts round up to whole milliseconds (evutil_tv_to_msec_)`, () => {
      const h = backend(name);
      for (const us of [1, 1001]) {
        const t0 = native.monotonicUs(1);
        expect(native.backendDispatch(h, us, 0)).toBe(0);
        expect(native.monotonicUs(1) - t0).toBeGreaterThanOrEqual(Math.ceil(us / 1000) * 1000);
      }
    });
  }

  it("poll: an fd far above the others grows the index; a closed fd is POLLNVAL -> READ|WRITE", () => {
    const h = backend("poll");
    const [a] = socketpair();
    const high = 5000; // not open
    expect(native.backendAdd(h, a, 0, EV_WRITE)).toBe(0);
    expect(native.backendAdd(h, high, 0, EV_READ)).toBe(0);
    expect(dispatch(h, 0)).toEqual([
      [a, EV_WRITE],
      [high, EV_READ | EV_WRITE],
    ]);
    // Removing the first entry moves the last into its place; both stay consistent.
    expect(native.backendDel(h, a, EV_WRITE, EV_WRITE)).toBe(0);
    expect(dispatch(h, 0)).toEqual([[high, EV_READ | EV_WRITE]]);
    expect(native.backendDel(h, high, EV_READ, EV_READ)).toBe(0);
    expect(dispatch(h, 0)).toEqual([]);
    expect(native.backendDel(h, high, EV_READ, EV_READ)).toBe(-osConstants.errno.ENOENT);
  });

  it("select: refuses fd >= FD_SETSIZE with a RangeError", () => {
    const h = backend("select");
    expect(() => native.backendAdd(h, 1500, 0, EV_READ)).toThrow(RangeError);
    expect(() => native.backendAdd(h, 1500, 0, EV_READ)).toThrow(
      `backendAdd: fd 1500 >= FD_SETSIZE (${C.FD_SETSIZE}) for select`,
    );
    expect(() => native.backendAdd(h, C.FD_SETSIZE, 0, EV_READ)).toThrow(RangeError);
    // Deleting what could never be added is a no-op.
    expect(native.backendDel(h, 1500, EV_READ, EV_READ)).toBe(0);
  });

  it("handles: freed handles are reused, dead ones refused", () => {
    const h1 = backend("poll");
    const h2 = backend("select");
    freeBackend(h1);
    expect(() => native.backendDispatch(h1, 0, 0)).toThrow(RangeError);
    expect(() => native.backendFree(h1)).toThrow(/backendFree: \d+ is not a live backend handle/);
    const h3 = backend(native.methods()[0]!);
    expect(h3).toBe(h1);
    expect(() => native.backendAdd(9999, 0, 0, EV_READ)).toThrow(RangeError);
    expect(() => native.backendFd(-1)).toThrow(RangeError);
    expect(native.backendFd(h2)).toBe(-1);
    expect(() => native.backendNew("devpoll", 0)).toThrow(/backendNew: no backend named "devpoll"/);
  });
});

describe("signals (evsig)", () => {
  let wake: [number, number];
  let h: number;

  /** Dispatch until the wake fd is readable; EINTR is an empty return, as for libevent. */
  function waitWake(timeoutMs: number): void {
    const deadline = native.monotonicUs(1) + timeoutMs * 1000;
    while (native.monotonicUs(1) < deadline) {
      if (dispatch(h, 50_000).some((p) => p[0] === wake[0])) return;
    }
    throw new Error("the wake fd never became readable");
  }

  function wakeBytes(): number[] {
    const b = new Uint8Array(64);
    const n = native.read(wake[0], b, 0, b.length);
    return n === -EAGAIN ? [] : Array.from(b.subarray(0, n));
  }

  beforeAll(() => {
    // A listener of ours on SIGUSR2 from the start, so that a stray signal never kills the process.
    process.on("SIGUSR2", noop);
  });
  afterAll(() => {
    native.sigSetWakeFd(-1);
    process.off("SIGUSR2", noop);
  });
  const noop = (): void => {};

  function setup(): void {
    wake = socketpair();
    h = backend(native.methods()[0]!);
    expect(native.backendAdd(h, wake[0], 0, EV_READ)).toBe(0);
    native.sigSetWakeFd(wake[1]);
  }

  it("the handler writes the signal number to the wake fd; the wait returns", () => {
    setup();
    expect(native.sigInstall(SIGUSR2)).toBe(0);
    process.kill(process.pid, "SIGUSR2");
    waitWake(5000);
    expect(wakeBytes()).toEqual([SIGUSR2]);
    // Two signals before the next wait: two bytes, one readiness.
    process.kill(process.pid, "SIGUSR2");
    process.kill(process.pid, "SIGUSR2");
    waitWake(5000);
    expect(wakeBytes()).toEqual([SIGUSR2, SIGUSR2]);
    expect(native.sigRestore(SIGUSR2)).toBe(0);
    native.sigSetWakeFd(-1);
  });

  it("a signal from another process interrupts a blocking dispatch (EINTR is 0 pairs)", async () => {
    setup();
    expect(native.sigInstall(SIGUSR2)).toBe(0);
    const child = spawn("sh", ["-c", `sleep 0.2; kill -USR2 ${process.pid}`], { stdio: "ignore" });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    const t0 = native.monotonicUs(1);
    let got = dispatch(h, 10_000_000);
    // The first return is EINTR (0 pairs) or the wake fd, well before the 10 s timeout.
    expect(native.monotonicUs(1) - t0).toBeLessThan(5_000_000);
    if (got.length === 0) got = dispatch(h, 5_000_000);
    expect(got.map((p) => p[0])).toEqual([wake[0]]);
    expect(wakeBytes()).toEqual([SIGUSR2]);
    expect(native.sigRestore(SIGUSR2)).toBe(0);
    native.sigSetWakeFd(-1);
    await exited;
  });

  it("ours replaces process.on's handler while installed; the last sigRestore brings it back", async () => {
    setup();
    let fired = 0;
    const listener = (): void => {
      fired++;
    };
    process.on("SIGUSR2", listener);
    const until = async (cond: () => boolean): Promise<void> => {
      for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
    };
    // libuv's handler first: the listener fires, our wake fd stays empty.
    process.kill(process.pid, "SIGUSR2");
    await until(() => fired === 1);
    expect(fired).toBe(1);
    expect(wakeBytes()).toEqual([]);

    expect(native.sigInstall(SIGUSR2)).toBe(0);
    // Installing twice keeps the first saved disposition (libuv's), not our own.
    expect(native.sigInstall(SIGUSR2)).toBe(0);
    process.kill(process.pid, "SIGUSR2");
    waitWake(5000);
    expect(wakeBytes()).toEqual([SIGUSR2]);
    await new Promise((r) => setTimeout(r, 50));
    expect(fired).toBe(1);

    // Installs are counted: giving back one of the two leaves ours in place ...
    expect(native.sigRestore(SIGUSR2)).toBe(0);
    process.kill(process.pid, "SIGUSR2");
    waitWake(5000);
    expect(wakeBytes()).toEqual([SIGUSR2]);
    expect(fired).toBe(1);
    // ... the last one restores libuv's; one more has nothing to give back.
    expect(native.sigRestore(SIGUSR2)).toBe(0);
    expect(native.sigRestore(SIGUSR2)).toBe(0);
    process.kill(process.pid, "SIGUSR2");
    await until(() => fired === 2);
    expect(fired).toBe(2);
    expect(wakeBytes()).toEqual([]);
    process.off("SIGUSR2", listener);
    native.sigSetWakeFd(-1);
  });

  it("signal numbers outside 0..NSIG-1 are RangeErrors; 0 and SIGKILL are -EINVAL, as sigaction says", () => {
    expect(C.NSIG).toBeGreaterThan(SIGUSR2);
    if (process.platform === "linux") expect(C.NSIG).toBe(65);
    expect(native.sigInstall(0)).toBe(-osConstants.errno.EINVAL);
    expect(native.sigRestore(0)).toBe(0); // nothing was saved
    for (const bad of [-1, C.NSIG, 1000]) {
      expect(() => native.sigInstall(bad)).toThrow(RangeError);
      expect(() => native.sigRestore(bad)).toThrow(RangeError);
    }
    expect(() => native.sigInstall(1.5)).toThrow(RangeError);
    expect(() => native.sigInstall("SIGUSR2" as unknown as number)).toThrow(TypeError);
    expect(native.sigInstall(osConstants.signals.SIGKILL)).toBe(-osConstants.errno.EINVAL);
    expect(native.sigRestore(osConstants.signals.SIGKILL)).toBe(0);
    expect(() => native.sigSetWakeFd(-2)).toThrow(RangeError);
  });
});

describe("byte transfers", () => {
  it("read and write at offsets inside the buffer; EAGAIN when nothing is ready", () => {
    const [a, b] = socketpair();
    const out = new TextEncoder().encode("..hello..");
    expect(native.write(a, out, 2, 5)).toBe(5);
    const into = new Uint8Array(10);
    expect(native.read(b, into, 3, 7)).toBe(5);
    expect(Buffer.from(into.subarray(3, 8)).toString()).toBe("hello");
    expect(into[2]).toBe(0);
    expect(native.read(b, into, 0, 10)).toBe(-EAGAIN);
    // A subarray's offset is honoured.
    const view = new Uint8Array(16).subarray(4, 8);
    expect(native.write(a, Buffer.from("abcd"), 0, 4)).toBe(4);
    expect(native.read(b, view, 1, 3)).toBe(3);
    expect(Buffer.from(view.buffer).toString("latin1", 4, 8)).toBe("\0abc");
  });

  it("readSized: FIONREAD's size, cut to max (max when FIONREAD says 0), is read when it fits, else only reported", () => {
    const WANTS = C.READ_SIZED_WANTS;
    expect(WANTS).toBe(0x100000);
    const [a, b] = socketpair();
    const buf = Buffer.alloc(16, 0x2e);
    send(b, "hello");
    expect(native.readSized(a, buf, 2, 10, 4096)).toBe(5);
    expect(buf.toString("latin1")).toBe("..hello.........");
    send(b, "0123456789abcdefghij"); // 20 bytes: more than the 10 there is room for
    expect(native.readSized(a, buf, 0, 10, 4096)).toBe(-(WANTS + 20));
    expect(native.fionread(a)).toBe(20); // nothing was read
    expect(native.readSized(a, buf, 0, 10, 3)).toBe(3); // max cuts the size
    expect(native.readSized(a, buf, 0, 10, 100)).toBe(-(WANTS + 17));
    const big = Buffer.alloc(4096);
    expect(native.readSized(a, big, 0, 17, 100)).toBe(17);
    expect(big.toString("latin1", 0, 17)).toBe("3456789abcdefghij");
    // Nothing buffered: FIONREAD says 0, so the size is max.
    expect(native.readSized(a, buf, 0, 16, 4096)).toBe(-(WANTS + 4096));
    expect(native.readSized(a, big, 0, 4096, 4096)).toBe(-EAGAIN);
    expect(native.readSized(a, buf, 0, 16, 7)).toBe(-EAGAIN);
    native.close(b);
    fds = fds.filter((x) => x !== b);
    expect(native.readSized(a, big, 0, 4096, 4096)).toBe(0); // end of file
    expect(native.readSized(123456, big, 0, 4096, 4096)).toBe(-osConstants.errno.EBADF);
  });

  it("readv into several extents of several buffers, then one", () => {
    const [a, b] = socketpair();
    send(a, "0123456789abcdef");
    const x = new Uint8Array(8);
    const y = Buffer.alloc(8);
    const z = new Uint8Array(4);
    expect(native.readv(b, [x, y, z], new Int32Array([2, 4, 1, 3, 0, 4]), 3)).toBe(11);
    expect(Buffer.from(x.subarray(2, 6)).toString()).toBe("0123");
    expect(y.toString("latin1", 1, 4)).toBe("456");
    expect(Buffer.from(z).toString()).toBe("789a");
    expect(native.readv(b, [x], new Int32Array([0, 8]), 1)).toBe(5);
    expect(Buffer.from(x.subarray(0, 5)).toString()).toBe("bcdef");
    expect(native.readv(b, [x], new Int32Array([0, 8]), 1)).toBe(-EAGAIN);
  });

  it("writev of several extents of several buffers", () => {
    const [a, b] = socketpair();
    const bufs = [Buffer.from("xxHELLOxx"), new TextEncoder().encode(", "), Buffer.from("world!")];
    const offLen = new Int32Array([2, 5, 0, 2, 0, 5, 5, 1]);
    expect(native.writev(a, [bufs[0]!, bufs[1]!, bufs[2]!, bufs[2]!], offLen, 4)).toBe(13);
    expect(recvAll(b)).toBe("HELLO, world!");
    // n = 0 writes nothing; n below the lengths uses only the first n extents.
    expect(native.writev(a, bufs, offLen, 0)).toBe(0);
    expect(native.writev(a, bufs, offLen, 1)).toBe(5);
    expect(recvAll(b)).toBe("HELLO");
  });

  it("writev refuses more than IOV_MAX extents and extents outside their buffers", () => {
    const [a] = socketpair();
    const n = C.IOV_MAX + 1;
    const bufs = new Array<Uint8Array>(n).fill(new Uint8Array(1));
    const offLen = new Int32Array(2 * n);
    expect(() => native.writev(a, bufs, offLen, n)).toThrow(`writev: n (${n}) exceeds IOV_MAX (${C.IOV_MAX})`);
    expect(native.writev(a, bufs, offLen, C.IOV_MAX)).toBe(0);
    expect(() => native.writev(a, [new Uint8Array(4)], new Int32Array([2, 3]), 1)).toThrow(RangeError);
    expect(() => native.writev(a, [new Uint8Array(4)], new Int32Array([-1, 1]), 1)).toThrow(RangeError);
    expect(() => native.writev(a, [new Uint8Array(4)], new Int32Array([0, 1]), 2)).toThrow(RangeError);
    expect(() => native.writev(a, ["abc" as unknown as Uint8Array], new Int32Array([0, 1]), 1)).toThrow(
      "writev: bufs[0] must be a Uint8Array",
    );
    expect(() => native.writev(a, new Uint8Array(1) as unknown as Uint8Array[], new Int32Array(2), 1)).toThrow(
      TypeError,
    );
    expect(() => native.writev(a, [], [0, 0] as unknown as Int32Array, 0)).toThrow(TypeError);
  });

  it("send and recv with flags (MSG_PEEK), fionread", () => {
    const [a, b] = socketpair();
    const msg = Buffer.from("peekaboo");
    expect(native.send(a, msg, 0, msg.length, C.MSG_NOSIGNAL)).toBe(8);
    expect(native.fionread(b)).toBe(8);
    const into = Buffer.alloc(8);
    expect(native.recv(b, into, 0, 4, C.MSG_PEEK)).toBe(4);
    expect(into.toString("latin1", 0, 4)).toBe("peek");
    expect(native.fionread(b)).toBe(8);
    expect(native.recv(b, into, 0, 8, 0)).toBe(8);
    expect(into.toString()).toBe("peekaboo");
    expect(native.fionread(b)).toBe(0);
    expect(native.recv(b, into, 0, 8, C.MSG_DONTWAIT)).toBe(-EAGAIN);
  });

  it("sendfile of a temp file to a socketpair, from an offset", () => {
    const dir = mkdtempSync(join(tmpdir(), "native-test-"));
    try {
      const path = join(dir, "data");
      const content = Buffer.alloc(100_000);
      for (let i = 0; i < content.length; i++) content[i] = (i * 7) & 0xff;
      writeFileSync(path, content);
      const [a, b] = socketpair();
      const f = track(native.open(path, C.O_RDONLY | C.O_CLOEXEC, 0));
      expect(native.sendfile(a, f, 1000, 3000)).toBe(3000);
      const got = Buffer.alloc(4000);
      expect(native.read(b, got, 0, got.length)).toBe(3000);
      expect(got.subarray(0, 3000).equals(content.subarray(1000, 4000))).toBe(true);
      // An offset beyond the end (up to 2^53) sends nothing.
      expect(native.sendfile(a, f, 2 ** 40, 10)).toBe(0);
      expect(native.sendfile(a, 999_999, 0, 10)).toBe(-osConstants.errno.EBADF);
      expect(() => native.sendfile(a, f, 2 ** 53 + 2, 1)).toThrow(RangeError);
      expect(() => native.sendfile(a, f, -1, 1)).toThrow(RangeError);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe("registered memory (mem.c)", () => {
  // Numbers far above the library's own (which count from 1), so that none is one of theirs.
  let id = 2 ** 50;
  const args = native.memArgs();
  const extent = (k: number, mem: number, off: number, len: number) => {
    args[k] = mem;
    args[k + 1] = off;
    args[k + 2] = len;
  };

  it("memArgs is one Float64Array of MEM_ARGS numbers", () => {
    expect(args).toBeInstanceOf(Float64Array);
    expect(args.length).toBe(C.MEM_ARGS);
    expect(C.MEM_ARGS).toBe(2 + 3 * C.MEM_IOV);
    expect(native.memArgs()).toBe(args);
  });

  it("memWrite and memRead move bytes between registered memory and an fd; an unknown number does nothing", () => {
    const [a, b] = socketpair();
    const src = Buffer.from("..hello..");
    const dst = Buffer.alloc(16, 0x2e);
    const srcId = ++id;
    const dstId = ++id;
    args[0] = a;
    extent(2, srcId, 2, 5);
    expect(native.memWrite()).toBe(C.MEM_UNKNOWN); // not registered yet: nothing written
    expect(native.fionread(b)).toBe(0);
    expect(native.memRegister(srcId, src)).toBe(0);
    expect(native.memWrite()).toBe(5);
    args[0] = b;
    extent(2, dstId, 3, 10);
    native.memRegister(dstId, dst);
    expect(native.memRead()).toBe(5);
    expect(dst.toString("latin1")).toBe("...hello........");
    expect(native.memRead()).toBe(-EAGAIN);
    // A number whose slot another number took since is unknown again.
    native.memRegister(dstId + 4096, Buffer.alloc(1));
    expect(native.memRead()).toBe(C.MEM_UNKNOWN);
  });

  it("memWritev and memReadv gather and scatter over several memories", () => {
    const [a, b] = socketpair();
    const x = Buffer.from("xxHELLOxx");
    const y = Buffer.from(", world!");
    const xId = ++id;
    const yId = ++id;
    native.memRegister(xId, x);
    native.memRegister(yId, y);
    args[0] = a;
    args[1] = 3;
    extent(2, xId, 2, 5);
    extent(5, yId, 0, 2);
    extent(8, yId, 2, 6);
    expect(native.memWritev()).toBe(13);
    const p = Buffer.alloc(4);
    const q = Buffer.alloc(16);
    native.memRegister(++id, p);
    native.memRegister(id + 1, q);
    args[0] = b;
    args[1] = 2;
    extent(2, id, 0, 4);
    extent(5, id + 1, 1, 15);
    expect(native.memReadv()).toBe(13);
    expect(p.toString() + q.toString("latin1", 1, 10)).toBe("HELLO, world!");
    id++;
  });

  it("memReadSized sizes by FIONREAD as readSized does", () => {
    const [a, b] = socketpair();
    const buf = Buffer.alloc(16, 0x2e);
    native.memRegister(++id, buf);
    send(b, "0123456789abcdefghij");
    args[0] = a;
    args[1] = 4096;
    extent(2, id, 0, 10);
    expect(native.memReadSized()).toBe(-(C.READ_SIZED_WANTS + 20)); // does not fit: nothing read
    args[1] = 8;
    expect(native.memReadSized()).toBe(8);
    expect(buf.toString("latin1", 0, 8)).toBe("01234567");
  });

  it("memAccept takes a connection, the peer's address into registered memory", () => {
    const flags = C.SOCK_NONBLOCK | C.SOCK_CLOEXEC;
    const l = track(native.socket(C.AF_INET, C.SOCK_STREAM | flags, 0));
    expect(native.bind(l, sockaddrIn([127, 0, 0, 1], 0), 16)).toBe(0);
    expect(native.listen(l, -1)).toBe(0);
    const addr = Buffer.alloc(128);
    const len = new Int32Array(1);
    expect(native.getsockname(l, addr, len)).toBe(0);
    const peer = Buffer.alloc(128);
    native.memRegister(++id, peer);
    args[0] = l;
    args[1] = flags;
    extent(2, id, 0, 128);
    expect(native.memAccept()).toBe(-EAGAIN);
    const c = track(native.socket(C.AF_INET, C.SOCK_STREAM | flags, 0));
    expect([0, -osConstants.errno.EINPROGRESS]).toContain(native.connect(c, sockaddrIn([127, 0, 0, 1], portOf(addr)), 16));
    let s = -EAGAIN;
    for (let i = 0; i < 1000 && s === -EAGAIN; i++) {
      args[1] = flags;
      s = native.memAccept();
    }
    track(s);
    expect(args[1]).toBe(16);
    const clientAddr = new Uint8Array(128);
    expect(native.getsockname(c, clientAddr, len)).toBe(0);
    expect(Array.from(peer.subarray(0, 16))).toEqual(Array.from(clientAddr.subarray(0, 16)));
    expect(native.read(s, new Uint8Array(1), 0, 1)).toBe(-EAGAIN); // SOCK_NONBLOCK applied
  });

  it("memWriteBuf and memReadBuf: a caller's Uint8Array, its fd and extent in memArgs", () => {
    const [a, b] = socketpair();
    args[0] = a;
    args[1] = 2;
    args[2] = 5;
    expect(native.memWriteBuf(new TextEncoder().encode("..hello.."))).toBe(5);
    const into = new Uint8Array(10);
    args[0] = b;
    args[1] = 3;
    args[2] = 7;
    expect(native.memReadBuf(into)).toBe(5);
    expect(Buffer.from(into.subarray(3, 8)).toString()).toBe("hello");
    expect(native.memReadBuf(into)).toBe(-EAGAIN);
    args[1] = 4; // 4 + 7 is beyond the 10 bytes
    expect(() => native.memReadBuf(into)).toThrow(/memReadBuf: extent \(4, 7\) is not inside the buffer \(10\)/);
    args[1] = 0;
    expect(() => native.memWriteBuf("abc" as unknown as Uint8Array)).toThrow(/memWriteBuf: buf must be a Uint8Array/);
    args[0] = 1.5;
    expect(() => native.memWriteBuf(into)).toThrow(/memWriteBuf: fd must be a non-negative integer/);
  });

  it("memLine makes the text before the first LF of an extent, as Buffer#toString decodes it", () => {
    // ASCII, a CR kept or dropped, UTF-8, and bytes that are not UTF-8 (U+FFFD as toString gives).
    const mem = Buffer.concat([Buffer.from("..ab\r\ncd\n"), Buffer.from("é€\n"), Buffer.from([0x61, 0xc3, 0x28, 0xff, 0x0a])]);
    const memId = ++id;
    args[1] = 0;
    extent(2, memId, 2, 7);
    expect(native.memLine()).toBe(C.MEM_UNKNOWN);
    native.memRegister(memId, mem);
    expect(native.memLine()).toBe("ab\r");
    expect([args[0], args[1]]).toEqual([3, 3]);
    args[1] = 1;
    expect(native.memLine()).toBe("ab");
    expect([args[0], args[1]]).toEqual([2, 3]);
    args[1] = 1;
    extent(2, memId, 6, mem.length - 6);
    expect(native.memLine()).toBe("cd");
    args[1] = 0;
    extent(2, memId, 9, mem.length - 9);
    const utf8 = native.memLine();
    expect(utf8).toBe(mem.toString("utf8", 9, 14));
    expect(utf8).toBe("é€");
    args[1] = 0; // (the LF's offset came back there)
    extent(2, memId, 15, mem.length - 15);
    expect(native.memLine()).toBe(mem.toString("utf8", 15, mem.length - 1));
    expect(args[1]).toBe(4);
    // No LF in the extent (the one after it does not count); an empty extent.
    args[1] = 0;
    extent(2, memId, 6, 2);
    expect(native.memLine()).toBe(-1);
    extent(2, memId, 6, 0);
    expect(native.memLine()).toBe(-1);
    // Bad arguments: RangeErrors naming the call and the fault.
    args[1] = 2;
    expect(() => native.memLine()).toThrow(/memLine: args\[1\] must be 0 \(LF\) or 1/);
    args[1] = 0;
    extent(2, memId, 6, mem.length);
    expect(() => native.memLine()).toThrow(/memLine: extent \(6, 20\) is not inside memory/);
  });

  it("backendDispatchArgs dispatches as backendDispatch, its arguments from memArgs; a pinned ready list is filled", () => {
    const h = backend(native.methods()[0]!);
    const [a] = socketpair();
    expect(native.backendAdd(h, a, 0, EV_WRITE)).toBe(0);
    const pinned = new Int32Array(16);
    native.setReadyList(pinned, true);
    try {
      args[0] = h;
      args[1] = 5_000_000;
      args[2] = 0;
      args[3] = 2; // and the time, into the last pair
      expect(native.backendDispatchArgs()).toBe(1);
      expect([pinned[0], pinned[1]! & EV_WRITE]).toEqual([a, EV_WRITE]);
      const us = pinned[15]! * 2 ** 32 + (pinned[14]! >>> 0);
      expect(Math.abs(us - native.monotonicUs(1))).toBeLessThan(10_000_000);
      args[3] = 0;
      expect(native.backendDispatchArgs()).toBe(1);
      // Bad arguments: RangeErrors naming the call, as backendDispatch's.
      args[0] = 9999;
      expect(() => native.backendDispatchArgs()).toThrow(/backendDispatchArgs: 9999 is not a live backend handle/);
      args[0] = h;
      args[3] = 3;
      expect(() => native.backendDispatchArgs()).toThrow(/backendDispatchArgs: .* out of range/);
      args[3] = 0;
      args[2] = 1; // no change list registered for h
      expect(() => native.backendDispatchArgs()).toThrow(/no change list \(setChangeList\) is registered/);
      args[2] = 0;
      expect(() => native.setReadyList(pinned, 1 as unknown as boolean)).toThrow(/setReadyList: pinned must be a boolean/);
    } finally {
      native.setReadyList(readyList);
    }
  });

  it("a bad fd, count, number or extent throws a RangeError, and nothing is done", () => {
    const [a, b] = socketpair();
    const buf = Buffer.alloc(8);
    native.memRegister(++id, buf);
    args[0] = a;
    extent(2, id, 4, 5); // beyond the 8 bytes
    expect(() => native.memWrite()).toThrow(/memWrite: extent \(4, 5\) is not inside memory/);
    extent(2, id, -1, 1);
    expect(() => native.memRead()).toThrow(RangeError);
    extent(2, id, 0.5, 1);
    expect(() => native.memWrite()).toThrow(RangeError);
    extent(2, 0, 0, 1);
    expect(() => native.memWrite()).toThrow(/memWrite: memory number 0 is not one/);
    extent(2, id, 0, 8);
    args[0] = -1;
    expect(() => native.memWrite()).toThrow(/memWrite: fd must be a non-negative integer/);
    args[0] = a;
    args[1] = C.MEM_IOV + 1;
    expect(() => native.memWritev()).toThrow(/memWritev: the count of extents/);
    args[1] = 0;
    expect(() => native.memReadSized()).toThrow(/memReadSized: max/);
    expect(native.fionread(b)).toBe(0); // nothing was written
    expect(() => native.memRegister(0, buf)).toThrow(RangeError);
    expect(() => native.memRegister(++id, new Int32Array(2) as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe("descriptors", () => {
  it("pipe2 fills an Int32Array or an Array; O_NONBLOCK makes reads EAGAIN", () => {
    const out = new Int32Array(2);
    expect(native.pipe2(out, C.O_NONBLOCK | C.O_CLOEXEC)).toBe(0);
    track(out[0]!);
    track(out[1]!);
    expect(native.read(out[0]!, new Uint8Array(1), 0, 1)).toBe(-EAGAIN);
    send(out[1]!, "p");
    expect(recvAll(out[0]!)).toBe("p");
    const arr: number[] = [];
    expect(native.pipe2(arr, 0)).toBe(0);
    expect(arr).toHaveLength(2);
    track(arr[0]!);
    track(arr[1]!);
    expect(native.isNonblock(arr[0]!)).toBe(0);
    expect(native.setNonblock(arr[0]!)).toBe(0);
    expect(native.isNonblock(arr[0]!)).toBe(1);
    expect(native.setCloexec(arr[0]!)).toBe(0);
    expect(native.read(arr[0]!, new Uint8Array(1), 0, 1)).toBe(-EAGAIN);
  });

  it("socketpair: -errno on a bad domain, nothing opened", () => {
    const out = new Int32Array([-5, -5]);
    expect(native.socketpair(-1, C.SOCK_STREAM, 0, out)).toBeLessThan(0);
    expect(Array.from(out)).toEqual([-5, -5]);
  });

  it("close, setNonblock, setCloexec of a closed fd: -EBADF", () => {
    const [a] = socketpair();
    closeFd(a);
    expect(native.close(a)).toBe(-osConstants.errno.EBADF);
    expect(native.setNonblock(a)).toBe(-osConstants.errno.EBADF);
    expect(native.isNonblock(a)).toBe(-osConstants.errno.EBADF);
    expect(native.setCloexec(a)).toBe(-osConstants.errno.EBADF);
  });

  it("open and mkfifo: a FIFO opened nonblocking for reading", () => {
    const dir = mkdtempSync(join(tmpdir(), "native-test-"));
    try {
      const path = join(dir, "fifo");
      expect(native.mkfifo(path, 0o600)).toBe(0);
      expect(native.mkfifo(path, 0o600)).toBe(-osConstants.errno.EEXIST);
      const r = track(native.open(path, C.O_RDONLY | C.O_NONBLOCK | C.O_CLOEXEC, 0));
      const w = track(native.open(path, C.O_WRONLY | C.O_NONBLOCK | C.O_CLOEXEC, 0));
      send(w, "fifo");
      expect(recvAll(r)).toBe("fifo");
      expect(native.open(join(dir, "missing"), C.O_RDONLY, 0)).toBe(-osConstants.errno.ENOENT);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe("sockets", () => {
  it("listen, connect, accept on 127.0.0.1 with getsockname/getpeername", () => {
    const flags = C.SOCK_NONBLOCK | C.SOCK_CLOEXEC;
    const l = track(native.socket(C.AF_INET, C.SOCK_STREAM | flags, 0));
    expect(native.setsockopt(l, C.SOL_SOCKET, C.SO_REUSEADDR, 1)).toBe(0);
    expect(native.bind(l, sockaddrIn([127, 0, 0, 1], 0), 16)).toBe(0);
    expect(native.listen(l, -1)).toBe(0);
    const addr = new Uint8Array(128);
    const len = new Int32Array(1);
    expect(native.getsockname(l, addr, len)).toBe(0);
    expect(len[0]).toBe(16);
    const port = portOf(addr);
    expect(port).toBeGreaterThan(0);
    expect(Array.from(addr.subarray(4, 8))).toEqual([127, 0, 0, 1]);

    const peerOut = new Uint8Array(128);
    expect(native.accept(l, flags, peerOut, len)).toBe(-EAGAIN);

    const c = track(native.socket(C.AF_INET, C.SOCK_STREAM | flags, 0));
    const r = native.connect(c, sockaddrIn([127, 0, 0, 1], port), 16);
    expect([0, -osConstants.errno.EINPROGRESS]).toContain(r);
    const h = backend(native.methods()[0]!);
    expect(native.backendAdd(h, l, 0, EV_READ)).toBe(0);
    expect(dispatch(h, 5_000_000).map((p) => p[0])).toEqual([l]);
    const s = track(native.accept(l, flags, peerOut, len));
    expect(len[0]).toBe(16);
    expect(native.read(s, new Uint8Array(1), 0, 1)).toBe(-EAGAIN); // SOCK_NONBLOCK applied

    // The accepted peer is the client's own address.
    const clientAddr = new Uint8Array(128);
    expect(native.getsockname(c, clientAddr, len)).toBe(0);
    expect(Array.from(peerOut.subarray(0, 16))).toEqual(Array.from(clientAddr.subarray(0, 16)));
    const serverSeen = new Uint8Array(128);
    expect(native.getpeername(c, serverSeen, len)).toBe(0);
    expect(portOf(serverSeen)).toBe(port);

    // An address buffer shorter than the address: truncated, full length reported, as in C.
    const short = new Uint8Array(4);
    expect(native.getpeername(c, short, len)).toBe(0);
    expect(len[0]).toBe(16);
    expect(Array.from(short)).toEqual(Array.from(serverSeen.subarray(0, 4)));

    send(c, "over tcp");
    expect(dispatch(h, 0)).toEqual([]); // the listener has nothing more
    expect(native.backendAdd(h, s, 0, EV_READ)).toBe(0);
    expect(dispatch(h, 5_000_000).map((p) => p[0])).toEqual([s]);
    expect(recvAll(s)).toBe("over tcp");
  });

  it("getsockopt SO_ERROR/SO_TYPE, setsockopt TCP_NODELAY and SO_LINGER", () => {
    const s = track(native.socket(C.AF_INET, C.SOCK_STREAM | C.SOCK_CLOEXEC, 0));
    const out = new Int32Array(1);
    expect(native.getsockopt(s, C.SOL_SOCKET, C.SO_ERROR, out)).toBe(0);
    expect(out[0]).toBe(0);
    expect(native.getsockopt(s, C.SOL_SOCKET, C.SO_TYPE, out)).toBe(0);
    expect(out[0]).toBe(C.SOCK_STREAM);
    expect(native.getsockopt(s, C.IPPROTO_TCP, C.TCP_NODELAY, out)).toBe(0);
    expect(out[0]).toBe(0);
    expect(native.setsockopt(s, C.IPPROTO_TCP, C.TCP_NODELAY, 1)).toBe(0);
    expect(native.getsockopt(s, C.IPPROTO_TCP, C.TCP_NODELAY, out)).toBe(0);
    expect(out[0]).not.toBe(0);
    expect(native.getsockopt(s, C.SOL_SOCKET, C.SO_LINGER, out)).toBe(0);
    expect(out[0]).toBe(-1);
    expect(native.setsockopt(s, C.SOL_SOCKET, C.SO_LINGER, 0)).toBe(0);
    expect(native.getsockopt(s, C.SOL_SOCKET, C.SO_LINGER, out)).toBe(0);
    expect(out[0]).toBe(0);
    expect(native.setsockopt(s, C.SOL_SOCKET, C.SO_LINGER, -1)).toBe(0);
    expect(native.getsockopt(s, C.SOL_SOCKET, C.SO_LINGER, out)).toBe(0);
    expect(out[0]).toBe(-1);
    expect(native.setsockopt(s, -12345, 1, 1)).toBeLessThan(0);
    const [a] = socketpair();
    expect(native.getsockopt(a, C.SOL_SOCKET, C.SO_TYPE, out)).toBe(0);
    expect(out[0]).toBe(C.SOCK_STREAM);
  });

  it("shutdown(SHUT_WR): the peer reads EOF and can still write back", () => {
    const [a, b] = socketpair();
    expect(native.shutdown(a, C.SHUT_WR)).toBe(0);
    expect(recvAll(b)).toBe("");
    send(b, "back");
    expect(recvAll(a)).toBe("back");
    expect(native.write(a, Buffer.from("x"), 0, 1)).toBe(-osConstants.errno.EPIPE);
  });
});

describe("getaddrinfo", () => {
  it("a numeric host: one sockaddr_in per socket type asked for", () => {
    const r = native.getaddrinfo("127.0.0.1", "8080", C.AI_NUMERICHOST | C.AI_NUMERICSERV, C.AF_UNSPEC, C.SOCK_STREAM, 0);
    expect(Array.isArray(r)).toBe(true);
    const list = r as Exclude<typeof r, number>;
    expect(list).toHaveLength(1);
    expect(list[0]!.family).toBe(C.AF_INET);
    expect(list[0]!.socktype).toBe(C.SOCK_STREAM);
    expect(list[0]!.protocol).toBe(C.IPPROTO_TCP);
    expect(list[0]!.canonname).toBeNull();
    expect(list[0]!.addr).toBeInstanceOf(Uint8Array);
    expect(list[0]!.addr.length).toBe(16);
    expect(portOf(list[0]!.addr)).toBe(8080);
    expect(Array.from(list[0]!.addr.subarray(4, 8))).toEqual([127, 0, 0, 1]);
  });

  it("localhost resolves to loopback addresses; AI_CANONNAME fills canonname", () => {
    const r = native.getaddrinfo("localhost", null, C.AI_CANONNAME, C.AF_UNSPEC, C.SOCK_STREAM, 0);
    expect(Array.isArray(r)).toBe(true);
    const list = r as Exclude<typeof r, number>;
    expect(list.length).toBeGreaterThan(0);
    for (const ai of list) expect([C.AF_INET, C.AF_INET6]).toContain(ai.family);
    expect(typeof list[0]!.canonname).toBe("string");
    const v4 = list.find((ai) => ai.family === C.AF_INET);
    if (v4) expect(v4.addr[4]).toBe(127);
  });

  it("failures are the EAI_* code; gaiStrerror has its text", () => {
    const r = native.getaddrinfo("not a host", null, C.AI_NUMERICHOST, C.AF_UNSPEC, 0, 0);
    expect(r).toBe(C.EAI_NONAME);
    expect(native.gaiStrerror(C.EAI_NONAME)).toMatch(/name|known/i);
    expect(native.getaddrinfo(null, "no-such-service", 0, C.AF_UNSPEC, C.SOCK_STREAM, 0)).toBe(C.EAI_SERVICE);
    expect(native.getaddrinfo("127.0.0.1", null, 0, 12345, 0, 0)).toBe(C.EAI_FAMILY);
    // A passive lookup with no node: the wildcard address.
    const any = native.getaddrinfo(null, "80", C.AI_PASSIVE | C.AI_NUMERICSERV, C.AF_INET, C.SOCK_STREAM, 0);
    expect(Array.from((any as Exclude<typeof any, number>)[0]!.addr.subarray(4, 8))).toEqual([0, 0, 0, 0]);
  });

  it("gaiStart/gaiCollect: resolved on a thread, announced through the wake fd, collected once", () => {
    const [a, b] = socketpair();
    const h = backend(native.methods()[0]!);
    expect(native.backendAdd(h, a, 0, EV_READ)).toBe(0);
    const ids = ["localhost", "127.0.0.1", "::1", "bad host!"].map((node) =>
      native.gaiStart(node, "80", C.AI_NUMERICSERV, C.AF_UNSPEC, C.SOCK_STREAM, 0, b),
    );
    expect(new Set(ids).size).toBe(4);
    const results = new Map<number, ReturnType<typeof native.gaiCollect>>();
    const deadline = native.monotonicUs(1) + 10_000_000;
    while (results.size < ids.length && native.monotonicUs(1) < deadline) {
      for (const id of ids) {
        if (results.has(id)) continue;
        const r = native.gaiCollect(id);
        if (r !== undefined) results.set(id, r);
      }
      if (results.size < ids.length) {
        dispatch(h, 100_000);
        native.read(a, new Uint8Array(16), 0, 16);
      }
    }
    expect(results.size).toBe(4);
    const [local, v4, v6, bad] = ids.map((id) => results.get(id));
    expect(Array.isArray(local) && local.length > 0).toBe(true);
    expect(Array.from((v4 as Exclude<typeof v4, number | undefined>)[0]!.addr.subarray(4, 8))).toEqual([127, 0, 0, 1]);
    expect((v6 as Exclude<typeof v6, number | undefined>)[0]!.family).toBe(C.AF_INET6);
    expect(typeof bad).toBe("number");
    expect(bad).not.toBe(0);
    // Collected means forgotten.
    for (const id of ids) expect(() => native.gaiCollect(id)).toThrow(RangeError);
  });

  it("gaiCancel forgets a request whatever its state; ids are reused", () => {
    const [, b] = socketpair();
    const id = native.gaiStart("localhost", null, 0, C.AF_UNSPEC, C.SOCK_STREAM, 0, b);
    expect(id).toBeGreaterThanOrEqual(0);
    native.gaiCancel(id);
    expect(() => native.gaiCollect(id)).toThrow(`gaiCollect: ${id} is not a pending request id`);
    expect(() => native.gaiCancel(id)).toThrow(RangeError);
    const again = native.gaiStart("127.0.0.1", null, C.AI_NUMERICHOST, C.AF_UNSPEC, 0, 0, b);
    expect(again).toBe(id);
    sleepMs(50);
    native.gaiCancel(again);
  });
});

describe("clocks and texts", () => {
  it("monotonic clocks increase; realtime is the epoch in microseconds", () => {
    const c0 = native.monotonicUs(0);
    const p0 = native.monotonicUs(1);
    sleepMs(30);
    const c1 = native.monotonicUs(0);
    const p1 = native.monotonicUs(1);
    // The coarse clock ticks every few milliseconds.
    expect(c1 - c0).toBeGreaterThanOrEqual(20_000);
    expect(p1 - p0).toBeGreaterThanOrEqual(30_000);
    expect(Number.isInteger(p1)).toBe(true);
    expect(Math.abs(native.realtimeUs() - Date.now() * 1000)).toBeLessThan(1_000_000);
  });

  it("strerror and gaiStrerror", () => {
    expect(native.strerror(EAGAIN)).toBe("Resource temporarily unavailable");
    expect(native.strerror(osConstants.errno.ECONNREFUSED)).toMatch(/refused/i);
    expect(typeof native.gaiStrerror(C.EAI_AGAIN)).toBe("string");
  });
});

describe("bad arguments throw the right error and crash nothing", () => {
  const buf = new Uint8Array(64);
  type Case = [string, () => unknown, typeof TypeError | typeof RangeError, RegExp | string];
  const cases: Case[] = [
    ["fd not a number", () => native.read("3" as unknown as number, buf, 0, 1), TypeError, "read: fd must be a non-negative integer, got string"],
    ["fd missing", () => (native.read as unknown as () => number)(), TypeError, /read: fd/],
    ["fd negative", () => native.read(-1, buf, 0, 1), RangeError, "read: fd must be a non-negative integer, got -1"],
    ["fd fractional", () => native.write(1.5, buf, 0, 1), RangeError, /write: fd/],
    ["fd NaN", () => native.close(NaN), RangeError, /close: fd/],
    ["fd too big", () => native.close(2 ** 31), RangeError, /close: fd/],
    ["extent beyond the buffer", () => native.write(0, buf, 10, 60), RangeError, "write: off + len (70) exceeds the buffer (64)"],
    ["negative length", () => native.read(0, buf, 0, -1), RangeError, /read: len must be a non-negative integer/],
    ["fractional offset", () => native.read(0, buf, 0.5, 1), RangeError, /read: off/],
    ["length a string", () => native.read(0, buf, 0, "1" as unknown as number), TypeError, /read: len must be a number/],
    ["Int32Array for bytes", () => native.read(0, new Int32Array(4) as unknown as Uint8Array, 0, 1), TypeError, "read: buf must be a Uint8Array, got object"],
    ["string for bytes", () => native.write(0, "abc" as unknown as Uint8Array, 0, 1), TypeError, /write: buf must be a Uint8Array/],
    ["readv second extent too long", () => native.readv(0, [buf, buf], new Int32Array([0, 1, 60, 5]), 2), RangeError, "readv: extent 1 (off 60, len 5) lies outside its buffer (64)"],
    ["readv n beyond the extents", () => native.readv(0, [buf], new Int32Array([0, 1]), 2), RangeError, /readv: n \(2\) exceeds/],
    ["readv bufs not an array", () => native.readv(0, buf as unknown as Uint8Array[], new Int32Array(2), 1), TypeError, /readv: bufs must be an array/],
    ["send flags a string", () => native.send(0, buf, 0, 1, "x" as unknown as number), TypeError, /send: flags/],
    ["recv extent", () => native.recv(0, buf, 64, 1, 0), RangeError, /recv: off \+ len/],
    ["sendfile offset fractional", () => native.sendfile(0, 0, 0.5, 1), RangeError, /sendfile: offset/],
    ["fionread fd", () => native.fionread(-3), RangeError, /fionread: fd/],
    ["pipe2 out too short", () => native.pipe2(new Int32Array(1), 0), RangeError, /pipe2: out must hold at least 2/],
    ["pipe2 out a string", () => native.pipe2("ab" as unknown as number[], 0), TypeError, /pipe2: out/],
    ["socketpair out", () => native.socketpair(C.AF_UNIX, C.SOCK_STREAM, 0, new Float64Array(2) as unknown as Int32Array), TypeError, /socketpair: out/],
    ["open path with NUL", () => native.open("a\0b", C.O_RDONLY, 0), TypeError, "open: path must not contain NUL bytes"],
    ["open path a number", () => native.open(5 as unknown as string, C.O_RDONLY, 0), TypeError, /open: path must be a string/],
    ["open mode out of range", () => native.open("x", C.O_RDONLY, 0o10000), RangeError, /open: mode/],
    ["mkfifo mode negative", () => native.mkfifo("x", -1), RangeError, /mkfifo: mode/],
    ["bind addrlen beyond addr", () => native.bind(0, new Uint8Array(16), 17), RangeError, "bind: addrlen (17) exceeds addr (16)"],
    ["connect addr not bytes", () => native.connect(0, [1, 2] as unknown as Uint8Array, 2), TypeError, /connect: addr/],
    ["accept lenOut empty", () => native.accept(0, 0, buf, new Int32Array(0)), RangeError, /accept: lenOut must hold at least 1/],
    ["getsockname lenOut plain array", () => native.getsockname(0, buf, [0] as unknown as Int32Array), TypeError, /getsockname: lenOut/],
    ["getsockopt out missing", () => native.getsockopt(0, 1, 1, undefined as unknown as Int32Array), TypeError, /getsockopt: out/],
    ["setsockopt value fractional", () => native.setsockopt(0, 1, 1, 0.5), RangeError, /setsockopt: value/],
    ["listen backlog a string", () => native.listen(0, "1" as unknown as number), TypeError, /listen: backlog/],
    ["backendNew name a number", () => native.backendNew(1 as unknown as string, 0), TypeError, /backendNew: name/],
    ["backendNew flags negative", () => native.backendNew("poll", -1), RangeError, /backendNew: flags/],
    ["backendAdd dead handle", () => native.backendAdd(12345, 0, 0, EV_READ), RangeError, "backendAdd: 12345 is not a live backend handle"],
    ["backendDispatch handle a string", () => native.backendDispatch("0" as unknown as number, 0, 0), TypeError, /backendDispatch: h/],
    ["setReadyList too short", () => native.setReadyList(new Int32Array(1)), RangeError, /setReadyList: list must hold at least 2/],
    ["setReadyList not Int32Array", () => native.setReadyList([0, 0] as unknown as Int32Array), TypeError, /setReadyList: list/],
    ["setChangeList too short", () => {
      const h = native.backendNew("poll", 0);
      try {
        native.setChangeList(h, new Int32Array(3));
      } finally {
        native.backendFree(h);
      }
    }, RangeError, /setChangeList: list must hold at least 4/],
    ["setChangeList dead handle", () => native.setChangeList(12345, new Int32Array(4)), RangeError, "setChangeList: 12345 is not a live backend handle"],
    ["backendApply dead handle", () => native.backendApply(12345, 0), RangeError, "backendApply: 12345 is not a live backend handle"],
    ["readSized max 0", () => native.readSized(0, buf, 0, 1, 0), RangeError, /readSized: max/],
    ["readSized max beyond READ_SIZED_WANTS", () => native.readSized(0, buf, 0, 1, 0x100000), RangeError, /readSized: max/],
    ["readSized extent", () => native.readSized(0, buf, 60, 5, 4096), RangeError, /readSized: off \+ len/],
    ["methodFeatures name", () => native.methodFeatures(undefined as unknown as string), TypeError, /methodFeatures: name/],
    ["getaddrinfo node a number", () => native.getaddrinfo(5 as unknown as string, null, 0, 0, 0, 0), TypeError, "getaddrinfo: node must be a string or null, got number"],
    ["getaddrinfo node too long", () => native.getaddrinfo("a".repeat(2000), null, 0, 0, 0, 0), RangeError, /getaddrinfo: node is 2000 bytes long/],
    ["gaiStart wakeFd", () => native.gaiStart("x", null, 0, 0, 0, 0, -1), RangeError, /gaiStart: wakeFd/],
    ["gaiCollect unknown id", () => native.gaiCollect(777), RangeError, "gaiCollect: 777 is not a pending request id"],
    ["gaiCancel id a string", () => native.gaiCancel("1" as unknown as number), TypeError, /gaiCancel: id/],
    ["monotonicUs precise 2", () => native.monotonicUs(2), RangeError, /monotonicUs: precise/],
    ["strerror errnum a string", () => native.strerror("x" as unknown as number), TypeError, /strerror: errnum/],
  ];
  for (const [what, call, type, message] of cases) {
    it(what, () => {
      expect(call).toThrow(type);
      expect(call).toThrow(message);
    });
  }

  it("the change list's count is checked against the registered list", () => {
    const h = backend("poll");
    native.setChangeList(h, new Int32Array(8)); // two changes
    expect(() => native.backendApply(h, 3)).toThrow("backendApply: nchanges (3) is more than the change list holds (2)");
    expect(() => native.backendDispatch(h, 0, 3)).toThrow(RangeError);
    expect(() => native.backendDispatch(h, 0, -1)).toThrow(RangeError);
    expect(() => native.backendApply(h, 1.5)).toThrow(/backendApply: nchanges/);
    expect(() => native.backendApply(h, "1" as unknown as number)).toThrow(TypeError);
  });

  it("the backend calls check masks, fds and timeouts", () => {
    const h = backend("poll");
    expect(() => native.backendAdd(h, 0, 0, 0x01)).toThrow(
      "backendAdd: events (0x1) has bits other than EV_READ|EV_WRITE|EV_ET|EV_CLOSED",
    );
    expect(() => native.backendDel(h, 0, 0x10, EV_READ)).toThrow(RangeError);
    expect(() => native.backendAdd(h, -1, 0, EV_READ)).toThrow(RangeError);
    expect(() => native.backendDispatch(h, -2, 0)).toThrow(RangeError);
    expect(() => native.backendDispatch(h, 1.5, 0)).toThrow(RangeError);
    expect(() => native.backendDispatch(h, Infinity, 0)).toThrow(RangeError);
    // Masks without READ/WRITE/CLOSED change nothing.
    expect(native.backendAdd(h, 0, 0, 0)).toBe(0);
    expect(native.backendAdd(h, 0, 0, EV_ET)).toBe(0);
    expect(dispatch(h, 0)).toEqual([]);
  });
});
