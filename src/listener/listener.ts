/**
 * `evconnlistener` (libevent's listener.c): a listening socket watched by an internal persistent
 * EV_READ event whose callback accepts every pending connection and hands each to the user's
 * callback. Locks (`LEV_OPT_THREADSAFE`) are accepted and behave as libevent's uncontended lock:
 * there is one JavaScript thread.
 * @module
 */
import { EV_PERSIST, EV_READ } from "../event/constants.js";
import type { event_base } from "../event/event.js";
import { event, event_add, event_assign, event_base_or_current_, event_debug_unassign, event_del, event_get_fd } from "../event/event.js";
import { event_warn } from "../event/log.js";
import { check_fn_or_null_, check_int_, show } from "../util/check.js";
import { ECONNABORTED, EAGAIN, EINTR, EWOULDBLOCK, errno } from "../util/errno.js";
import {
  evutil_closesocket, evutil_closesocket_keep_errno_, evutil_make_listen_socket_ipv6only, evutil_make_listen_socket_reuseable,
  evutil_make_listen_socket_reuseable_port, evutil_make_tcp_listen_socket_deferred, evutil_socket_,
} from "../util/evutil.js";
import { accept_storage_, bind, check_addr_, listen, setsockopt } from "../util/posix.js";
import type { sockaddr, sockaddr_any } from "../util/sockaddr.js";
import { sockaddr_storage } from "../util/sockaddr.js";
import type { evutil_socket_t } from "../util/types.js";
import { native } from "../native/binding.js";

const c = native.constants;

/** Accepted sockets are left blocking (by default they are made nonblocking). */
export const LEV_OPT_LEAVE_SOCKETS_BLOCKING = 1 << 0;
/** `evconnlistener_free` closes the listening socket. */
export const LEV_OPT_CLOSE_ON_FREE = 1 << 1;
/** The listening socket and the accepted sockets are close-on-exec. */
export const LEV_OPT_CLOSE_ON_EXEC = 1 << 2;
/** SO_REUSEADDR on the listening socket: the port can be bound again at once after it is closed. */
export const LEV_OPT_REUSEABLE = 1 << 3;
/** Accepted, with no effect beyond libevent's uncontended lock: one JavaScript thread uses the listener. */
export const LEV_OPT_THREADSAFE = 1 << 4;
/** Create the listener disabled; `evconnlistener_enable` starts it. */
export const LEV_OPT_DISABLED = 1 << 5;
/** TCP_DEFER_ACCEPT (Linux): wake the listener only once a new connection has data. `evconnlistener_new_bind` only. */
export const LEV_OPT_DEFERRED_ACCEPT = 1 << 6;
/** SO_REUSEPORT (Linux): several listeners, in one or several processes, may bind the same port. */
export const LEV_OPT_REUSEABLE_PORT = 1 << 7;
/** IPV6_V6ONLY: an IPv6 listener does not also accept IPv4 connections. `evconnlistener_new_bind` only. */
export const LEV_OPT_BIND_IPV6ONLY = 1 << 8;

/**
 * `typedef void (*evconnlistener_cb)(struct evconnlistener *listener, evutil_socket_t fd,
 * struct sockaddr *addr, int socklen, void *arg)`: a connection was accepted on `fd`, which now
 * belongs to the callback. `addr` holds the peer's address (a `sockaddr_storage` with the fields
 * of its family, so `addr as sockaddr_in` works as the C cast does); as in C it is only valid
 * during the call: the listener reuses it for the next connection.
 * @param listener the listener
 * @param fd the accepted connection's socket (nonblocking unless LEV_OPT_LEAVE_SOCKETS_BLOCKING)
 * @param addr the peer's address, valid only during the call
 * @param socklen the address's length
 * @param arg the `ptr` given to {@link evconnlistener_new_bind} or {@link evconnlistener_new}
 */
export type evconnlistener_cb<A = any> = (listener: evconnlistener, fd: evutil_socket_t, addr: sockaddr, socklen: number, arg: A) => void;

/**
 * `typedef void (*evconnlistener_errorcb)(struct evconnlistener *listener, void *arg)`: accept()
 * failed with an error other than EINTR, EAGAIN or ECONNABORTED (such as EMFILE); `errno` holds
 * it. `arg` is the listener's callback argument.
 * @param listener the listener
 * @param arg the listener's callback argument
 */
export type evconnlistener_errorcb<A = any> = (listener: evconnlistener, arg: A) => void;

/**
 * `struct evconnlistener` (opaque): made by `evconnlistener_new` or `evconnlistener_new_bind`,
 * released by `evconnlistener_free`.
 */
export class evconnlistener<A = any> {
  /** @internal The persistent EV_READ event on the listening socket (libevent's evconnlistener_event.listener). */
  readonly listener = new event<evconnlistener<A>>();
  /** @internal */
  cb: evconnlistener_cb<A> | null = null;
  /** @internal */
  errorcb: evconnlistener_errorcb<A> | null = null;
  /** @internal */
  user_data: A;
  /** @internal LEV_OPT_* */
  flags = 0;
  /** @internal One for the user, one more while a callback runs. */
  refcnt = 1;
  /** @internal SOCK_NONBLOCK / SOCK_CLOEXEC for accept4. */
  accept4_flags = 0;
  /** @internal */
  enabled = 0;
  /** @internal Where accept4 stores the peer address (C keeps it on the stack of the accept loop). */
  readonly ss = new sockaddr_storage();
  /** @internal */
  readonly socklen = { value: 0 };
  /** @internal Set by evconnlistener_free (the listener is destroyed once no callback holds it). */
  freed = false;
  /** @internal The async accept's state (listener_async.ts) while it drives the listener, else null. */
  async_: { detach_(fn: string): void } | null = null;

  /** @internal Use evconnlistener_new / evconnlistener_new_bind. */
  constructor(user_data: A, flags: number) {
    this.user_data = user_data;
    this.flags = flags;
  }
}

function checkListener(lev: evconnlistener, fn: string): void {
  if (!(lev instanceof evconnlistener)) throw new TypeError(`${fn}: lev is ${show(lev)}, not an evconnlistener`);
  if (lev.freed) throw new TypeError(`${fn}: the evconnlistener was freed (evconnlistener_free)`);
}

function listener_decref_and_unlock(lev: evconnlistener): number {
  if (--lev.refcnt === 0) {
    event_listener_destroy(lev);
    return 1;
  }
  return 0;
}

function event_listener_destroy(lev: evconnlistener): void {
  const ev = lev.listener;
  event_del(ev);
  if (lev.flags & LEV_OPT_CLOSE_ON_FREE) evutil_closesocket(event_get_fd(ev));
  event_debug_unassign(ev);
}

/**
 * `struct evconnlistener *evconnlistener_new(struct event_base *base, evconnlistener_cb cb,
 * void *ptr, unsigned flags, int backlog, evutil_socket_t fd)`: listen on `fd`, an already bound
 * socket that should be nonblocking. `backlog` > 0 calls listen(fd, backlog), < 0 listen(fd, 128),
 * 0 means `fd` is already listening. Each accepted connection goes to `cb(listener, fd, addr,
 * socklen, ptr)`, made nonblocking unless LEV_OPT_LEAVE_SOCKETS_BLOCKING and close-on-exec with
 * LEV_OPT_CLOSE_ON_EXEC. The listener starts enabled unless LEV_OPT_DISABLED (or `cb` is null).
 * Returns the listener, or null (errno set) if listen() fails. A null base means the event_init()
 * base (a TypeError if there is none).
 * @param base the event base
 * @param cb called as `cb(listener, fd, addr, socklen, ptr)` for each accepted connection; null: the listener stays idle
 * @param ptr passed untouched to `cb` and the error callback as their last argument
 * @param flags `LEV_OPT_*` flags ORed (LEV_OPT_CLOSE_ON_FREE, LEV_OPT_LEAVE_SOCKETS_BLOCKING, LEV_OPT_DISABLED, ...)
 * @param backlog > 0: listen(fd, backlog); < 0: listen(fd, 128); 0: `fd` is already listening
 * @param fd a bound stream socket, preferably nonblocking
 * @returns the listener, or null (errno set) if listen() fails
 * @see {@link evconnlistener_new_bind} to make, bind and listen in one call, {@link evconnlistener_free}
 */
export function evconnlistener_new<A>(
  base: event_base | null, cb: evconnlistener_cb<A> | null, ptr: A, flags: number, backlog: number, fd: evutil_socket_t,
): evconnlistener<A> | null {
  const fn = "evconnlistener_new";
  check_fn_or_null_(fn, "cb", cb);
  check_int_(fn, "flags", flags);
  check_int_(fn, "backlog", backlog);
  check_int_(fn, "fd", fd);
  base = event_base_or_current_(base, fn);
  if (backlog > 0) {
    if (listen(fd, backlog) < 0) return null;
  } else if (backlog < 0) {
    if (listen(fd, 128) < 0) return null;
  }

  const lev = new evconnlistener<A>(ptr, flags);
  lev.cb = cb;
  if (!(flags & LEV_OPT_LEAVE_SOCKETS_BLOCKING)) lev.accept4_flags |= c.SOCK_NONBLOCK;
  if (flags & LEV_OPT_CLOSE_ON_EXEC) lev.accept4_flags |= c.SOCK_CLOEXEC;

  event_assign(lev.listener, base, fd, EV_READ | EV_PERSIST, listener_read_cb, lev);

  if (!(flags & LEV_OPT_DISABLED)) evconnlistener_enable(lev);
  return lev;
}

/**
 * `struct evconnlistener *evconnlistener_new_bind(struct event_base *base, evconnlistener_cb cb,
 * void *ptr, unsigned flags, int backlog, const struct sockaddr *sa, int socklen)`: make a
 * nonblocking stream socket of `sa`'s family, set SO_KEEPALIVE and the options `flags` ask for
 * (LEV_OPT_REUSEABLE, LEV_OPT_REUSEABLE_PORT, LEV_OPT_DEFERRED_ACCEPT, LEV_OPT_BIND_IPV6ONLY,
 * LEV_OPT_CLOSE_ON_EXEC), bind it to `sa` (`socklen` bytes of it; null: do not bind), then
 * evconnlistener_new on it. `backlog` -1 means 128. Returns the listener, or null with errno set
 * (backlog 0, or a failed socket/setsockopt/bind/listen; the socket is closed again). A null
 * base means the event_init() base, as for evconnlistener_new.
 * @param base the event base
 * @param cb called as `cb(listener, fd, addr, socklen, ptr)` for each accepted connection; null: the listener stays idle
 * @param ptr passed untouched to `cb` and the error callback as their last argument
 * @param flags `LEV_OPT_*` flags ORed, usually `LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE`
 * @param backlog the listen() backlog; -1 means 128
 * @param sa the address to bind to (a `sockaddr_in`, `sockaddr_in6` or `sockaddr_un`), or null not to bind
 * @param socklen the address's size, `sizeof(sa)`
 * @returns the listener, or null with errno set (backlog 0, or a failed socket/setsockopt/bind/listen; the socket is closed again)
 * @see {@link evconnlistener_new}, {@link evconnlistener_set_error_cb}, {@link evconnlistener_free}
 * @example A server on 127.0.0.1:9995 that greets each client and closes
 * ```ts
 * import {
 *   EV_WRITE,
 *   event_base_new,
 *   event_base_dispatch,
 *   event_base_free,
 * } from "libevent-ts/event2/event";
 * import type { event_base } from "libevent-ts/event2/event";
 * import {
 *   BEV_OPT_CLOSE_ON_FREE,
 *   bufferevent_socket_new,
 *   bufferevent_write,
 *   bufferevent_free,
 *   bufferevent_setcb,
 *   bufferevent_enable,
 *   bufferevent_get_output,
 * } from "libevent-ts/event2/bufferevent";
 * import type { bufferevent } from "libevent-ts/event2/bufferevent";
 * import { evbuffer_get_length } from "libevent-ts/event2/buffer";
 * import {
 *   LEV_OPT_CLOSE_ON_FREE,
 *   LEV_OPT_REUSEABLE,
 *   evconnlistener_new_bind,
 *   evconnlistener_free,
 * } from "libevent-ts/event2/listener";
 * import type { evconnlistener } from "libevent-ts/event2/listener";
 * import {
 *   AF_INET,
 *   INADDR_LOOPBACK,
 *   htonl,
 *   htons,
 *   sizeof,
 *   sockaddr_in,
 *   strlen,
 * } from "libevent-ts/event2/util";
 * import type {
 *   evutil_socket_t,
 *   sockaddr,
 * } from "libevent-ts/event2/util";
 *
 * const MESSAGE = "Hello, World!\n";
 *
 * function conn_writecb(bev: bufferevent, ctx: null): void {
 *   // Close once the greeting has left the output buffer.
 *   const output = bufferevent_get_output(bev);
 *   if (evbuffer_get_length(output) === 0) bufferevent_free(bev);
 * }
 *
 * function conn_eventcb(bev: bufferevent, what: number, ctx: null): void {
 *   bufferevent_free(bev); // end of file or an error
 * }
 *
 * function listener_cb(
 *   listener: evconnlistener,
 *   fd: evutil_socket_t,
 *   sa: sockaddr,
 *   socklen: number,
 *   base: event_base,
 * ): void {
 *   const bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
 *   if (!bev) return;
 *   bufferevent_setcb(bev, null, conn_writecb, conn_eventcb, null);
 *   bufferevent_enable(bev, EV_WRITE);
 *   bufferevent_write(bev, MESSAGE, strlen(MESSAGE));
 * }
 *
 * const base = event_base_new()!;
 * const sin = new sockaddr_in();
 * sin.sin_family = AF_INET;
 * sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
 * sin.sin_port = htons(9995);
 * const listener = evconnlistener_new_bind(
 *   base,
 *   listener_cb,
 *   base,
 *   LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE,
 *   -1,
 *   sin,
 *   sizeof(sin),
 * );
 * if (!listener) throw new Error("Could not create a listener");
 * event_base_dispatch(base);
 * evconnlistener_free(listener);
 * event_base_free(base);
 * ```
 */
export function evconnlistener_new_bind<A>(
  base: event_base | null, cb: evconnlistener_cb<A> | null, ptr: A, flags: number, backlog: number,
  sa: sockaddr_any | null, socklen: number,
): evconnlistener<A> | null {
  const fn = "evconnlistener_new_bind";
  base = event_base_or_current_(base, fn);
  check_fn_or_null_(fn, "cb", cb);
  check_int_(fn, "flags", flags);
  check_int_(fn, "backlog", backlog);
  if (sa !== null) check_addr_(fn, sa as sockaddr, socklen);
  else check_int_(fn, "socklen", socklen);
  const family = sa !== null ? sa.sa_family : c.AF_UNSPEC;
  let socktype = c.SOCK_STREAM | c.SOCK_NONBLOCK;

  if (backlog === 0) return null;
  if (flags & LEV_OPT_CLOSE_ON_EXEC) socktype |= c.SOCK_CLOEXEC;

  const fd = evutil_socket_(family, socktype, 0);
  if (fd === -1) return null;
  try {
    if (setsockopt(fd, c.SOL_SOCKET, c.SO_KEEPALIVE, 1, 4) < 0) return bindFailed(fd);
    if (flags & LEV_OPT_REUSEABLE && evutil_make_listen_socket_reuseable(fd) < 0) return bindFailed(fd);
    if (flags & LEV_OPT_REUSEABLE_PORT && evutil_make_listen_socket_reuseable_port(fd) < 0) return bindFailed(fd);
    if (flags & LEV_OPT_DEFERRED_ACCEPT && evutil_make_tcp_listen_socket_deferred(fd) < 0) return bindFailed(fd);
    if (flags & LEV_OPT_BIND_IPV6ONLY && evutil_make_listen_socket_ipv6only(fd) < 0) return bindFailed(fd);
    if (sa !== null && bind(fd, sa as sockaddr, socklen) < 0) return bindFailed(fd);
    const listener = evconnlistener_new(base, cb, ptr, flags, backlog, fd);
    if (listener === null) return bindFailed(fd);
    return listener;
  } catch (e) {
    // A misuse (a wrong sa or base) throws; the socket made here must not leak.
    evutil_closesocket(fd);
    throw e;
  }
}

function bindFailed(fd: number): null {
  evutil_closesocket_keep_errno_(fd);
  return null;
}

/**
 * `void evconnlistener_free(struct evconnlistener *lev)`: stop accepting and release the
 * listener, closing the socket if LEV_OPT_CLOSE_ON_FREE. Allowed inside the listener's own
 * callbacks (it is then released when the callback returns). Any later use throws a TypeError.
 * @param lev the listener
 * @see {@link evconnlistener_new}, {@link evconnlistener_new_bind}, {@link evconnlistener_disable}
 */
export function evconnlistener_free(lev: evconnlistener): void {
  checkListener(lev, "evconnlistener_free");
  lev.freed = true;
  if (lev.async_ !== null) lev.async_.detach_("evconnlistener_free");
  lev.cb = null;
  lev.errorcb = null;
  listener_decref_and_unlock(lev);
}

/**
 * `int evconnlistener_enable(struct evconnlistener *lev)`: start (or resume) accepting. A listener
 * whose callback is null stays idle until `evconnlistener_set_cb` gives it one. Returns 0, or -1
 * if the socket cannot be watched.
 * @param lev the listener
 * @returns 0, or -1 if the socket cannot be watched
 * @see {@link evconnlistener_disable}, {@link evconnlistener_set_cb}
 */
export function evconnlistener_enable(lev: evconnlistener): number {
  checkListener(lev, "evconnlistener_enable");
  lev.enabled = 1;
  return lev.cb !== null ? event_add(lev.listener, null) : 0;
}

/**
 * `int evconnlistener_disable(struct evconnlistener *lev)`: stop accepting until enabled again. Returns 0, or -1.
 * @param lev the listener
 * @returns 0, or -1
 * @see {@link evconnlistener_enable}
 */
export function evconnlistener_disable(lev: evconnlistener): number {
  checkListener(lev, "evconnlistener_disable");
  lev.enabled = 0;
  return event_del(lev.listener);
}

/**
 * `struct event_base *evconnlistener_get_base(struct evconnlistener *lev)`: the listener's base.
 * @param lev the listener
 * @returns the event base the listener was made with
 * @see {@link evconnlistener_get_fd}
 */
export function evconnlistener_get_base(lev: evconnlistener): event_base {
  checkListener(lev, "evconnlistener_get_base");
  return lev.listener.ev_base!;
}

/**
 * `evutil_socket_t evconnlistener_get_fd(struct evconnlistener *lev)`: the listening socket.
 * @param lev the listener
 * @returns the listening socket's file descriptor
 * @see {@link evconnlistener_get_base}
 */
export function evconnlistener_get_fd(lev: evconnlistener): evutil_socket_t {
  checkListener(lev, "evconnlistener_get_fd");
  return event_get_fd(lev.listener);
}

/**
 * `void evconnlistener_set_cb(struct evconnlistener *lev, evconnlistener_cb cb, void *arg)`:
 * replace the callback and its argument. A null `cb` makes the listener close what it accepts and
 * stop, as if disabled; giving a callback to an enabled listener that had none starts it.
 * @param lev the listener
 * @param cb the new connection callback, or null to stop accepting
 * @param arg the new argument passed to `cb` (and to the error callback)
 * @see {@link evconnlistener_set_error_cb}, {@link evconnlistener_enable}
 */
export function evconnlistener_set_cb<A>(lev: evconnlistener<A>, cb: evconnlistener_cb<A> | null, arg: A): void {
  checkListener(lev, "evconnlistener_set_cb");
  check_fn_or_null_("evconnlistener_set_cb", "cb", cb);
  // A new callback takes the listener from evconnlistener_accept_async (its pending promise is rejected).
  if (lev.async_ !== null) lev.async_.detach_("evconnlistener_set_cb");
  const enable = lev.enabled && lev.cb === null;
  lev.cb = cb;
  lev.user_data = arg;
  if (enable) evconnlistener_enable(lev);
}

/**
 * `void evconnlistener_set_error_cb(struct evconnlistener *lev, evconnlistener_errorcb errorcb)`:
 * called when accept() fails with a non-retriable error. Without one, the error is logged
 * ("Error from accept() call"). The listener stays enabled either way, so a lasting error (EMFILE)
 * is reported again on every loop iteration until the callback disables the listener.
 * @param lev the listener
 * @param errorcb called as `errorcb(listener, arg)` when accept() fails (errno tells why), or null to log instead
 * @see {@link evconnlistener_set_cb}, {@link evconnlistener_disable}
 */
export function evconnlistener_set_error_cb<A>(lev: evconnlistener<A>, errorcb: evconnlistener_errorcb<A> | null): void {
  checkListener(lev, "evconnlistener_set_error_cb");
  check_fn_or_null_("evconnlistener_set_error_cb", "errorcb", errorcb);
  lev.errorcb = errorcb;
}

/**
 * The accept loop, as libevent's: accept until accept() fails, handing each connection to the
 * callback; stop early if the callback freed or disabled the listener. A callback that throws
 * still leaves the reference count right, so the listener can be freed afterwards.
 */
function listener_read_cb(fd: evutil_socket_t, _what: number, lev: evconnlistener): void {
  for (;;) {
    const new_fd = accept_storage_(fd, lev.accept4_flags, lev.ss, lev.socklen);
    if (new_fd < 0) break;
    if (lev.socklen.value === 0) {
      // Some old kernels answer a port scan so.
      evutil_closesocket(new_fd);
      continue;
    }
    const cb = lev.cb;
    if (cb === null) {
      evutil_closesocket(new_fd);
      return;
    }
    ++lev.refcnt;
    try {
      cb(lev, new_fd, lev.ss, lev.socklen.value, lev.user_data);
    } finally {
      listener_decref_and_unlock(lev);
    }
    if (lev.freed || !lev.enabled) return;
  }
  const err = errno;
  if (err === EINTR || err === EAGAIN || err === EWOULDBLOCK || err === ECONNABORTED) return;
  const errorcb = lev.errorcb;
  if (errorcb !== null) {
    ++lev.refcnt;
    try {
      errorcb(lev, lev.user_data);
    } finally {
      listener_decref_and_unlock(lev);
    }
  } else {
    event_warn("Error from accept() call");
  }
}
