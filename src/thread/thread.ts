/**
 * libevent's evthread.c in a world of worker_threads. JavaScript threads share no objects, so no
 * base is ever touched by two threads and nothing needs a lock: each thread owns its bases, and
 * threads meet through numbers (fds, notify queue ids). What libevent does with a notifiable base
 * (another thread's event_base_loopbreak writes the base's notify fd) is done here by naming the
 * base by its notify id: {@link evthread_make_base_notifiable}, then
 * evthread_notify_base_loopbreak/_loopexit from any thread.
 * @module
 */
import { event_base, event_base_check_, event_base_loopbreak, event_base_loopexit } from "../event/event.js";
import { evthread_notify, evthread_notify_free, evthread_notify_new_, evthread_notify_send } from "./notify.js";

/**
 * `int evthread_use_pthreads(void)`: tell libevent to use POSIX threads for its locks. Does
 * nothing here and returns 0, so that a ported program keeps the call.
 *
 * In C it installs the lock and condition callbacks that let several threads use one base. Here a
 * base, like every JavaScript object, belongs to the thread that made it: no other thread can
 * reach it, so there is nothing to lock, and the addon's few process-wide pieces (signal handlers,
 * notify queues) lock themselves. What C programs use the locks for, waking or stopping another
 * thread's base and handing it work, is {@link evthread_make_base_notifiable} and the notify
 * queues ({@link evthread_notify_new}). Unlike libevent, bases made afterwards are not made
 * notifiable by this call: only the program knows which bases other threads wake.
 * @returns 0
 */
export function evthread_use_pthreads(): number {
  return 0;
}

// A notifiable base's commands, sent as messages to its internal queue.
const NOTIFY_LOOPBREAK = 1;
const NOTIFY_LOOPEXIT = 2;

const notifiers = new WeakMap<event_base, evthread_notify<event_base>>();

function th_notify_cb(_q: evthread_notify<event_base>, msg: number, base: event_base): void {
  if (msg === NOTIFY_LOOPBREAK) event_base_loopbreak(base);
  else if (msg === NOTIFY_LOOPEXIT) event_base_loopexit(base, null);
}

/**
 * `int evthread_make_base_notifiable(struct event_base *base)`: make `base` wakeable from other
 * threads.
 *
 * As libevent: an internal read event on an eventfd (or pipe), at priority 0, that does not keep
 * the loop running. Other threads name the base by {@link evthread_base_get_notify_id} and call
 * {@link evthread_notify_base_loopbreak} or {@link evthread_notify_base_loopexit}; to run code of
 * their choosing in the base's thread (what C does with event_active from another thread), they
 * send to a notify queue of that base ({@link evthread_notify_new}). Released by event_base_free,
 * or when the thread ends.
 * Calling it again on a notifiable base does nothing.
 * @param base  the base
 * @returns 0, or -1 with errno set (no fd could be made)
 */
export function evthread_make_base_notifiable(base: event_base): number {
  event_base_check_(base, "evthread_make_base_notifiable");
  if (notifiers.has(base)) return 0;
  const q = evthread_notify_new_(base, 0, th_notify_cb, base, true, "evthread_make_base_notifiable");
  if (q === null) return -1;
  notifiers.set(base, q);
  base.th_notify_free = () => {
    notifiers.delete(base);
    evthread_notify_free(q);
  };
  return 0;
}

/**
 * `int evthread_base_get_notify_id(struct event_base *base)`: libevent-ts extension: the number by
 * which other threads name a notifiable base (pass it through `workerData` or `postMessage`).
 * @param base  the base
 * @returns the id, or -1 if the base was not made notifiable
 */
export function evthread_base_get_notify_id(base: event_base): number {
  event_base_check_(base, "evthread_base_get_notify_id");
  const q = notifiers.get(base);
  return q === undefined ? -1 : q.id;
}

/**
 * `int evthread_notify_base_loopbreak(int id)`: libevent-ts extension: event_base_loopbreak on the
 * notifiable base named `id`, from any thread (what C's event_base_loopbreak does when called from
 * another thread: set the flag and wake the base through its notify fd).
 *
 * Unlike C, the request waits in the base's queue until its loop runs: a loopbreak sent before the
 * other thread enters its loop ends that loop as soon as it starts (C would forget it), so that a
 * thread told to stop before it got going still stops.
 * @param id  the base's notify id
 * @returns 0, or -1 with errno set (EPIPE: no such base any more)
 */
export function evthread_notify_base_loopbreak(id: number): number {
  return evthread_notify_send(id, NOTIFY_LOOPBREAK);
}

/**
 * `int evthread_notify_base_loopexit(int id)`: libevent-ts extension: event_base_loopexit(base,
 * NULL) on the notifiable base named `id`, from any thread: its loop ends once the callbacks
 * active at that point have run. Sent before the loop runs, it waits for it, as
 * {@link evthread_notify_base_loopbreak} does.
 * @param id  the base's notify id
 * @returns 0, or -1 with errno set (EPIPE: no such base any more)
 */
export function evthread_notify_base_loopexit(id: number): number {
  return evthread_notify_send(id, NOTIFY_LOOPEXIT);
}
