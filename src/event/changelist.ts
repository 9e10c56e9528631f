/**
 * Backend changes held back for the next dispatch to make.
 *
 * libevent's epoll backend can keep a changelist (EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) so that an
 * add and a del of the same fd in one loop iteration cost no epoll_ctl at all. Here the point is
 * a different cost: every backend add or del is a call into the addon, and a socket bufferevent
 * starts and stops its write event once per message it sends. Those two changes, whose results
 * libevent's bufferevent code ignores, are queued in a list the addon reads, and the next dispatch
 * makes them, in order, in the same call that waits: the same epoll_ctl calls as C libevent, in
 * the same order, fewer crossings.
 *
 * Nothing else is held back: an add or del whose result the caller sees is made at once, after
 * the queue (so the kernel sees every change in the order libevent would make it). The queue is
 * also made before any close() through this library, so a held-back change never reaches a
 * descriptor number that has been closed and reused.
 * @internal
 * @module
 */
import { native } from "../native/binding.js";
import { set_errno } from "../util/errno.js";
import { event_warn } from "./log.js";

/** Changes the list holds; a full list is made at once before another is queued. */
const MAX_CHANGES = 256;

/** (fd, old, events, adding) per change; the addon overwrites `adding` with the result (0 or -errno). */
const changes = new Int32Array(4 * MAX_CHANGES);
native.setChangeList(changes);

let nchanges = 0;
/** The backend handle the queued changes are for (one list for the process: JavaScript is one thread). */
let owner = -1;
/** @internal Queue a change for backend `h`: `adding` (1) or deleting (0) `events` on `fd`, `old` being watched. */
export function changelist_push_(h: number, fd: number, old: number, events: number, adding: number): void {
  if (nchanges !== 0 && (owner !== h || nchanges === MAX_CHANGES)) changelist_flush_();
  owner = h;
  const i = 4 * nchanges++;
  changes[i] = fd;
  changes[i + 1] = old;
  changes[i + 2] = events;
  changes[i + 3] = adding;
}

/**
 * @internal Hand the queue for backend `h` to the dispatch about to run (which makes the changes
 * before it waits): the number of changes to pass it. A queue for another backend is made first.
 */
export function changelist_take_(h: number): number {
  if (nchanges === 0) return 0;
  if (owner !== h) {
    changelist_flush_();
    return 0;
  }
  const n = nchanges;
  nchanges = 0;
  return n;
}

/** @internal After a dispatch that made `n` queued changes: log those that failed, as libevent's epoll logs a failed epoll_ctl. */
export function changelist_check_(n: number): void {
  for (let i = 0; i < n; i++) {
    const r = changes[4 * i + 3]!;
    if (r < 0) {
      set_errno(-r);
      event_warn(`held-back change of fd ${changes[4 * i]!}`);
    }
  }
}

/** @internal Make every queued change now (before an immediate change, or a close). */
export function changelist_flush_(): void {
  if (nchanges === 0) return;
  const n = nchanges;
  nchanges = 0;
  native.backendApply(owner, n);
  changelist_check_(n);
}

/** @internal Forget the queue of backend `h`, which is being released (its changes die with it). */
export function changelist_drop_(h: number): void {
  if (owner === h) nchanges = 0;
}
