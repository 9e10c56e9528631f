/**
 * Notify queues: memcached's hand-off between threads, in libevent's terms. A queue belongs to the
 * base of the thread that made it and is watched there by an ordinary persistent read event on an
 * eventfd (a pipe where there is none), so it works in a blocking and in an async loop alike. Any
 * thread of the process names the queue by its id, a plain number that crosses threads through
 * `workerData` or `postMessage`, and sends it int32 messages (accepted fds, indexes into a
 * SharedArrayBuffer, commands); the owner's callback gets them one by one, in the order sent.
 *
 * The queue itself lives in the addon (native/notify.c): a mutex-guarded ring that grows as needed,
 * so a sender never blocks and never has to retry, any number of threads may send, a batch sent in
 * one call stays contiguous, and what is undelivered when the queue goes (freed, or its thread
 * ended) is released there, fds included with EVTHREAD_NOTIFY_FDS. A SharedArrayBuffer ring with
 * Atomics would spare the native call per send but has a fixed size (a full ring needs a second
 * wake-up channel back to the sender) and nothing that cleans up after a thread that ends.
 * @module
 */
import { EV_PERSIST, EV_READ, EVLIST_INTERNAL } from "../event/constants.js";
import { event, event_active, event_add, event_assign, event_base, event_base_check_, event_del, event_priority_set } from "../event/event.js";
import { native } from "../native/binding.js";
import { fail, sysret } from "../util/errno.js";

/**
 * libevent-ts extension: a flag of {@link evthread_notify_new}: the messages are file descriptors
 * that the receiver takes over. The queue owns those not yet delivered and closes them when it is
 * freed (or its thread ends), so that no descriptor is lost in the hand-off.
 */
export const EVTHREAD_NOTIFY_FDS = 0x01;

/** Messages taken from the addon per wake-up, at most. */
const BATCH = 256;

/**
 * libevent-ts extension: the callback of a notify queue, run by its base's loop once per message,
 * in the order the messages were sent.
 */
export type evthread_notify_cb<A = any> = (q: evthread_notify<A>, msg: number, arg: A) => void;

/**
 * libevent-ts extension: a notify queue, made by {@link evthread_notify_new}. Opaque; other
 * threads name it by {@link evthread_notify_get_id}.
 */
export class evthread_notify<A = any> {
  /** @internal The addon's queue id. */
  id = -1;
  /** @internal */
  base: event_base | null = null;
  /** @internal The read event on the queue's fd. */
  readonly ev = new event<evthread_notify<A>>();
  /** @internal */
  cb: evthread_notify_cb<A> | null = null;
  /** @internal */
  arg!: A;
  /** @internal EVTHREAD_NOTIFY_* */
  flags = 0;
  /** @internal Messages taken from the addon, delivered up to `pos`. */
  readonly batch = new Int32Array(BATCH);
  /** @internal */
  pos = 0;
  /** @internal */
  n = 0;
  /** @internal */
  freed = false;

  /** @internal Use evthread_notify_new. */
  constructor() {}
}

function checkQueue(q: unknown, fn: string): asserts q is evthread_notify {
  if (!(q instanceof evthread_notify)) throw new TypeError(`${fn}: q is not an evthread_notify`);
  if (q.freed) throw new TypeError(`${fn}: the evthread_notify was freed`);
}

function checkId(id: unknown, fn: string): asserts id is number {
  if (typeof id !== "number") throw new TypeError(`${fn}: id must be a number, got ${typeof id}`);
  if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) throw new RangeError(`${fn}: id must be a non-negative integer, got ${id}`);
}

/** The queue's read event: deliver what the last batch left, else take the next batch. */
function notify_cb(_fd: number, _what: number, q: evthread_notify): void {
  if (q.pos >= q.n) {
    const n = native.notifyRecv(q.id, q.batch);
    if (n <= 0) return;
    q.pos = 0;
    q.n = n;
  }
  try {
    while (q.pos < q.n && !q.freed) q.cb!(q, q.batch[q.pos++]!, q.arg);
  } finally {
    // A callback that threw leaves the rest of the batch for the next iteration, not lost.
    if (q.pos < q.n && !q.freed) event_active(q.ev, EV_READ, 1);
  }
}

/**
 * @internal evthread_notify_new, with the event internal (it does not keep the loop running, as
 * libevent's th_notify does not) and at priority 0 when `internal`.
 */
export function evthread_notify_new_<A>(
  base: event_base, flags: number, cb: evthread_notify_cb<A>, arg: A, internal: boolean, fn: string,
): evthread_notify<A> | null {
  event_base_check_(base, fn);
  if (typeof flags !== "number" || !Number.isInteger(flags)) throw new TypeError(`${fn}: flags must be an integer`);
  if (flags & ~EVTHREAD_NOTIFY_FDS) throw new RangeError(`${fn}: flags (0x${flags.toString(16)}) has bits other than EVTHREAD_NOTIFY_FDS`);
  if (typeof cb !== "function") throw new TypeError(`${fn}: cb is not a function`);
  const id = native.notifyNew(flags);
  if (id < 0) {
    fail(id);
    return null;
  }
  const q = new evthread_notify<A>();
  q.id = id;
  q.base = base;
  q.cb = cb;
  q.arg = arg;
  q.flags = flags;
  event_assign(q.ev, base, native.notifyFd(id), EV_READ | EV_PERSIST, notify_cb, q);
  if (internal) {
    q.ev.evcb_flags |= EVLIST_INTERNAL;
    event_priority_set(q.ev, 0);
  }
  if (event_add(q.ev, null) < 0) {
    native.notifyFree(id);
    q.freed = true;
    return null;
  }
  return q;
}

/**
 * `struct evthread_notify *evthread_notify_new(struct event_base *base, int flags,
 * evthread_notify_cb cb, void *arg)`: libevent-ts extension: a queue that other threads send
 * int32 messages to, delivered to `cb(q, msg, arg)` by `base`'s loop in the order sent.
 *
 * The way one thread hands work to another's base, as memcached's main thread hands accepted
 * connections to its workers: give the queue's id ({@link evthread_notify_get_id}) to the other
 * threads, which call {@link evthread_notify_send}. The queue is watched by an ordinary persistent
 * read event, which keeps `base`'s loop running until the queue is freed (a worker that waits for
 * connections keeps dispatching). A queue belongs to the thread that made it: it is freed with
 * {@link evthread_notify_free}, or released by the addon when that thread ends.
 * @param base  the base whose loop delivers the messages
 * @param flags  0, or EVTHREAD_NOTIFY_FDS (the messages are fds; undelivered ones are closed when the queue goes)
 * @param cb  called once per message
 * @param arg  passed to `cb`
 * @returns the queue, or null with errno set (EMFILE: no fd, or 4096 queues are live)
 */
export function evthread_notify_new<A>(
  base: event_base, flags: number, cb: evthread_notify_cb<A>, arg: A,
): evthread_notify<A> | null {
  return evthread_notify_new_(base, flags, cb, arg, false, "evthread_notify_new");
}

/**
 * `int evthread_notify_get_id(struct evthread_notify *q)`: libevent-ts extension: the number by
 * which any thread of the process names `q`, to pass through `workerData` or `postMessage`.
 * @param q  the queue
 * @returns the id, a non-negative integer, never reused for another queue soon
 */
export function evthread_notify_get_id(q: evthread_notify): number {
  checkQueue(q, "evthread_notify_get_id");
  return q.id;
}

/**
 * `struct event_base *evthread_notify_get_base(struct evthread_notify *q)`: libevent-ts extension:
 * the base that receives `q`'s messages.
 * @param q  the queue
 * @returns the base
 */
export function evthread_notify_get_base(q: evthread_notify): event_base {
  checkQueue(q, "evthread_notify_get_base");
  return q.base!;
}

/**
 * `int evthread_notify_send(int id, int msg)`: libevent-ts extension: append `msg` to the queue
 * named `id` and wake its base; callable from any thread, the owner's included.
 *
 * Never blocks: the queue grows as needed. Many sends before the receiver runs cost one wake-up.
 * A fd sent is the receiver's from then on (with EVTHREAD_NOTIFY_FDS, the queue's until delivered);
 * when the send fails, it is still the sender's.
 * @param id  the queue's id ({@link evthread_notify_get_id})
 * @param msg  an int32
 * @returns 0, or -1 with errno set: EPIPE (no such queue: freed, or its thread ended), ENOBUFS
 *   (2^26 messages undelivered), ENOMEM
 */
export function evthread_notify_send(id: number, msg: number): number {
  checkId(id, "evthread_notify_send");
  if (typeof msg !== "number" || !Number.isInteger(msg) || msg < -0x80000000 || msg > 0x7fffffff) {
    throw new RangeError(`evthread_notify_send: msg must be an int32, got ${String(msg)}`);
  }
  return sysret(native.notifySend(id, msg));
}

const sendvScratch = new Int32Array(64);

/**
 * `int evthread_notify_sendv(int id, const int *msgs, int n)`: libevent-ts extension: append
 * `msgs[0]` to `msgs[n - 1]` to the queue named `id` as one batch (no other sender's message comes
 * between them), from any thread. A protocol of fixed-size records (an fd and a tag) relies on it.
 * @param id  the queue's id
 * @param msgs  the messages, int32s (an Int32Array is sent as it is)
 * @param n  how many of them
 * @returns 0, or -1 with errno set, as evthread_notify_send
 */
export function evthread_notify_sendv(id: number, msgs: Int32Array | readonly number[], n: number): number {
  checkId(id, "evthread_notify_sendv");
  if (!Number.isInteger(n) || n < 0 || n > msgs.length) {
    throw new RangeError(`evthread_notify_sendv: n must be an integer from 0 to msgs.length (${msgs.length}), got ${n}`);
  }
  let arr: Int32Array;
  if (msgs instanceof Int32Array) {
    arr = msgs;
  } else {
    if (!Array.isArray(msgs)) throw new TypeError("evthread_notify_sendv: msgs must be an Int32Array or an array of numbers");
    arr = n <= sendvScratch.length ? sendvScratch : new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = msgs[i];
      if (typeof v !== "number" || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
        throw new RangeError(`evthread_notify_sendv: msgs[${i}] must be an int32, got ${String(v)}`);
      }
      arr[i] = v;
    }
  }
  return sysret(native.notifySendv(id, arr, n));
}

/**
 * `int evthread_notify_pending(int id)`: libevent-ts extension: how many messages wait in the
 * queue named `id`, not yet taken by its base (from any thread; a snapshot).
 * @param id  the queue's id
 * @returns the count, or -1 with errno EBADF when no such queue is live
 */
export function evthread_notify_pending(id: number): number {
  checkId(id, "evthread_notify_pending");
  return sysret(native.notifyPending(id));
}

/**
 * `void evthread_notify_free(struct evthread_notify *q)`: libevent-ts extension: delete `q`'s
 * event and release the queue; later sends to its id fail with EPIPE. Messages not yet delivered
 * are dropped, and with EVTHREAD_NOTIFY_FDS closed. May be called from `q`'s own callback. Only
 * the owning thread has `q`; a second free throws a TypeError.
 * @param q  the queue
 */
export function evthread_notify_free(q: evthread_notify): void {
  checkQueue(q, "evthread_notify_free");
  q.freed = true;
  if (q.flags & EVTHREAD_NOTIFY_FDS) while (q.pos < q.n) native.close(q.batch[q.pos++]!);
  q.pos = q.n = 0;
  if (q.base !== null && !q.base.freed) event_del(q.ev);
  native.notifyFree(q.id);
}
