/**
 * An awaitable accept on evconnlistener (a libevent-ts extension), for servers written with
 * `await` on a base that runs inside Node's loop (`event_base_dispatch_async`).
 *
 * The first `evconnlistener_accept_async` gives the listener this file's callback and error
 * callback (the listener's one state object as their argument), so a listener is driven either by
 * a callback of the user's or by the async accept, never both: the call throws on a listener that
 * has callbacks, and `evconnlistener_set_cb`/`evconnlistener_free` end the async accept.
 * @module
 */
import { ECANCELED } from "../util/errno.js";
import { errno } from "../util/errno.js";
import { evutil_closesocket } from "../util/evutil.js";
import type { sockaddr } from "../util/sockaddr.js";
import type { evutil_socket_t } from "../util/types.js";
import { ev_async_error, waiter } from "../buffer/bufferevent_async.js";
import { evconnlistener, evconnlistener_disable, evconnlistener_enable, evconnlistener_set_cb, evconnlistener_set_error_cb } from "./listener.js";

/**
 * Accepted connections nobody awaits yet wait in a queue; at this many the listener stops
 * accepting, leaving the rest in the kernel's backlog (libevent's default backlog is 128 too).
 */
const QUEUE_MAX = 128;

/**
 * The async accept's state of one listener, its callbacks' argument.
 * @internal
 */
export class evconnlistener_async_ {
  /** Accepted sockets not yet handed out, oldest first. */
  readonly queue: evutil_socket_t[] = [];
  readonly accept = new waiter<evutil_socket_t>();
  /** An accept() error that no call was waiting for, reported to the next call (0: none). */
  err = 0;

  constructor(readonly lev: evconnlistener) {}

  /** evconnlistener_set_cb or evconnlistener_free (`fn`) ends the async accept. */
  detach_(fn: string): void {
    this.lev.async_ = null;
    // Connections accepted but never handed out: nobody will serve them.
    for (const fd of this.queue) evutil_closesocket(fd);
    this.queue.length = 0;
    if (this.accept.promise !== null) {
      const text = fn === "evconnlistener_free" ? "the listener was freed" : "evconnlistener_set_cb replaced the callback";
      this.accept.reject(new ev_async_error("evconnlistener_accept_async", ECANCELED, 0, text));
    }
  }
}

function async_acceptcb(lev: evconnlistener, fd: evutil_socket_t, _sa: sockaddr, _socklen: number, st: evconnlistener_async_): void {
  if (st.accept.promise !== null) {
    st.accept.resolve(fd);
    return;
  }
  st.queue.push(fd);
  if (st.queue.length >= QUEUE_MAX) evconnlistener_disable(lev);
}

/**
 * accept() failed (EMFILE ...): stop accepting, or the listener would report the same error on
 * every loop pass; the pending or the next call gets the error and enables it again.
 */
function async_errorcb(lev: evconnlistener, st: evconnlistener_async_): void {
  const err = errno;
  evconnlistener_disable(lev);
  if (st.accept.promise !== null) st.accept.reject(new ev_async_error("evconnlistener_accept_async", err, 0));
  else st.err = err;
}

/**
 * libevent-ts extension: accept(2) awaited on an evconnlistener.
 *
 * Resolves with the next accepted connection's socket (nonblocking unless
 * LEV_OPT_LEAVE_SOCKETS_BLOCKING), which then belongs to the caller as it would to an
 * `evconnlistener_cb`; `getpeername` gives its address. The listener must have no callback of
 * its own (make it with a null `cb`). The first call enables it, and it stays enabled:
 * connections that arrive while nobody awaits one wait in a queue (up to 128, beyond which the
 * listener is disabled until the next call), so a loop `for (;;) { const fd = await
 * evconnlistener_accept_async(lev); ... }` never misses one. One call may be pending at a time
 * (a second is a TypeError).
 * @param lev  a listener without callbacks, on a base that runs inside Node's loop
 * @returns a promise of the socket; it rejects with an {@link ev_async_error} for an accept()
 *   error (`errno` EMFILE ...; the listener stops accepting until the next call), or ECANCELED
 *   when the listener is freed or given a callback (queued sockets are closed then)
 * @category Async/await
 */
export function evconnlistener_accept_async(lev: evconnlistener): Promise<evutil_socket_t> {
  const fn = "evconnlistener_accept_async";
  if (!(lev instanceof evconnlistener)) throw new TypeError(`${fn}: lev is not an evconnlistener`);
  if (lev.freed) throw new TypeError(`${fn}: the evconnlistener was freed (evconnlistener_free)`);
  let st = lev.async_ as evconnlistener_async_ | null;
  if (st === null) {
    if (lev.cb !== null || lev.errorcb !== null) {
      throw new TypeError(`${fn}: the listener has a callback (evconnlistener_new/evconnlistener_set_cb); use either ` +
        "the callback or the async accept");
    }
    st = new evconnlistener_async_(lev);
    evconnlistener_set_cb(lev, async_acceptcb, st);
    evconnlistener_set_error_cb(lev, async_errorcb);
    lev.async_ = st;
  }
  if (st.accept.promise !== null) throw new TypeError(`${fn}: an accept is already pending on this listener`);
  if (!lev.enabled) evconnlistener_enable(lev);
  if (st.queue.length > 0) return Promise.resolve(st.queue.shift()!);
  if (st.err !== 0) {
    const err = st.err;
    st.err = 0;
    return Promise.reject(new ev_async_error(fn, err, 0));
  }
  return st.accept.arm();
}
