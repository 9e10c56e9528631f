/**
 * Socket bufferevents (libevent's bufferevent_sock.c): two persistent events on the socket, one
 * reading into the input buffer, one writing the output buffer out, plus nonblocking connects
 * and name lookups for them.
 * @module
 */
import {
  EVBUFFER_FLAG_DRAINS_TO_FD, evbuffer_add_cb, evbuffer_read_, evbuffer_unfreeze, evbuffer_write_atmost_,
} from "./buffer.js";
import type { evbuffer, evbuffer_cb_info } from "./buffer.js";
import {
  BEV_EVENT_CONNECTED, BEV_EVENT_EOF, BEV_EVENT_ERROR, BEV_EVENT_READING, BEV_EVENT_TIMEOUT, BEV_EVENT_WRITING,
  BEV_OPT_CLOSE_ON_FREE, BEV_OPT_DEFER_CALLBACKS, BEV_UPCAST, bufferevent_add_event_, bufferevent_add_event_deferred_, bufferevent_decref_and_unlock_,
  bufferevent_disable, bufferevent_enable, bufferevent_generic_adj_existing_timeouts_, bufferevent_getfd,
  bufferevent_incref_and_lock_, bufferevent_init_common_, bufferevent_private, bufferevent_run_eventcb_,
  bufferevent_setfd, bufferevent_suspend_read_, bufferevent_suspend_write_, bufferevent_trigger_nolock_,
  bufferevent_unsuspend_read_, bufferevent_unsuspend_write_, checkBev_,
} from "./bufferevent.js";
import {
  BEV_CTRL_CANCEL_ALL, BEV_CTRL_GET_FD, BEV_CTRL_SET_FD, BEV_SUSPEND_LOOKUP, BEV_SUSPEND_WM,
} from "./bufferevent-internal.js";
import type { bufferevent_ctrl_data, bufferevent_ops } from "./bufferevent-internal.js";
import {
  bufferevent_decrement_read_buckets_, bufferevent_decrement_write_buckets_, bufferevent_get_read_max_,
  bufferevent_get_write_max_,
} from "./bufferevent_ratelim.js";
import type { bufferevent } from "./bufferevent_struct.js";
import { evutil_getaddrinfo_async_, evutil_getaddrinfo_cancel_async_ } from "../util/getaddrinfo_async.js";
import {
  EV_FINALIZE, EV_PERSIST, EV_READ, EV_TIMEOUT, EV_WRITE, EVLIST_INIT,
} from "../event/constants.js";
import type { event_base } from "../event/event.js";
import {
  event_assign, event_base_check_, event_base_or_current_, event_base_set, event_del, event_del_deferred_, event_deferred_cb_set_priority_, event_pending_nolock_, event_priority_set,
} from "../event/event.js";
import { native } from "../native/binding.js";
import { check_int_, check_string_, show } from "../util/check.js";
import { EAGAIN, ECONNREFUSED, EINTR, EWOULDBLOCK, errno, set_errno } from "../util/errno.js";
import { evutil_closesocket, evutil_closesocket_keep_errno_, evutil_socket_, evutil_socket_connect_, evutil_socket_finished_connecting_ } from "../util/evutil.js";
import { check_addr_ } from "../util/posix.js";
import type { evutil_addrinfo } from "../util/getaddrinfo.js";
import { evutil_addrinfo as addrinfo, EVUTIL_EAI_CANCEL } from "../util/getaddrinfo.js";
import type { sockaddr, sockaddr_any } from "../util/sockaddr.js";
import type { evutil_socket_t } from "../util/types.js";

const c = native.constants;

/** The socket bufferevent's implementation table. */
const bufferevent_ops_socket: bufferevent_ops = {
  enable: be_socket_enable,
  disable: be_socket_disable,
  unlink: null,
  destruct: be_socket_destruct,
  adj_timeouts: bufferevent_generic_adj_existing_timeouts_,
  flush: be_socket_flush,
  ctrl: be_socket_ctrl,
};

/** `EVUTIL_ERR_RW_RETRIABLE(e)` */
function rwRetriable(e: number): boolean {
  return e === EINTR || e === EAGAIN || e === EWOULDBLOCK;
}

/** Data was added to the output: if writing is wanted and idle, start it (the write timeout starts now). */
function bufferevent_socket_outbuf_cb(_buf: evbuffer, cbinfo: evbuffer_cb_info, bufev: bufferevent): void {
  if (cbinfo.n_added && bufev.enabled & EV_WRITE && !event_pending_nolock_(bufev.ev_write, EV_WRITE) &&
      !BEV_UPCAST(bufev).write_suspended) {
    bufferevent_add_event_deferred_(bufev.ev_write, bufev.timeout_write);
  }
}

/** Point ev_read and ev_write at `fd` (persistent, finalizable, with the socket callbacks). */
function be_socket_assign_events(bufev: bufferevent, fd: evutil_socket_t): void {
  event_assign(bufev.ev_read, bufev.ev_base, fd, EV_READ | EV_PERSIST | EV_FINALIZE, bufferevent_readcb, bufev);
  event_assign(bufev.ev_write, bufev.ev_base, fd, EV_WRITE | EV_PERSIST | EV_FINALIZE, bufferevent_writecb, bufev);
}

/**
 * ev_read fired: one read of at most what the high watermark and the rate limit allow, then the
 * read callback if the input reached the low watermark. End of file and errors disable reading
 * and go to the event callback; data already in the input stays there.
 */
function bufferevent_readcb(fd: evutil_socket_t, event: number, arg: bufferevent): void {
  const bufev = BEV_UPCAST(arg);
  let what = BEV_EVENT_READING;
  bufferevent_incref_and_lock_(bufev);
  try {
    error: {
      // Only a bare timeout counts: EV_TIMEOUT|EV_READ means data came in time.
      if (event === EV_TIMEOUT) {
        what |= BEV_EVENT_TIMEOUT;
        break error;
      }
      const input = bufev.input;
      let howmuch = -1;
      if (bufev.wm_read.high !== 0) {
        howmuch = bufev.wm_read.high - input.total_len;
        // The watermark was lowered below what is buffered: stop reading.
        if (howmuch <= 0) {
          bufferevent_suspend_read_(bufev, BEV_SUSPEND_WM);
          return;
        }
      }
      const readmax = bufferevent_get_read_max_(bufev);
      if (howmuch < 0 || howmuch > readmax) howmuch = readmax;
      if (bufev.read_suspended) return;

      // Only this path reads into the input: it thaws the end for its own read (the buffer and
      // the fd are known good here, so the unchecked forms).
      input.freeze_end = false;
      const res = evbuffer_read_(input, fd, howmuch);
      input.freeze_end = true;

      if (res === -1) {
        const err = errno;
        if (rwRetriable(err)) return;
        if (err === ECONNREFUSED) {
          // The connect failed; the write path reports it.
          bufev.connection_refused = 1;
          return;
        }
        what |= BEV_EVENT_ERROR;
      } else if (res === 0) {
        what |= BEV_EVENT_EOF;
      }
      if (res <= 0) break error;

      bufferevent_decrement_read_buckets_(bufev, res);
      // The user's callback, always last.
      bufferevent_trigger_nolock_(bufev, EV_READ, 0);
      return;
    }
    bufferevent_disable(bufev, EV_READ);
    bufferevent_run_eventcb_(bufev, what, 0);
  } finally {
    bufferevent_decref_and_unlock_(bufev);
  }
}

/**
 * ev_write fired: finish a connect if one is running (CONNECTED, or one ERROR), then one write of
 * at most the rate limit, then the write callback if the output is down to the low watermark.
 * Errors (EPIPE, ECONNRESET) disable writing and go to the event callback as WRITING|ERROR.
 */
function bufferevent_writecb(fd: evutil_socket_t, event: number, arg: bufferevent): void {
  const bufev = BEV_UPCAST(arg);
  let what = BEV_EVENT_WRITING;
  let connected = 0;
  let res = 0;
  bufferevent_incref_and_lock_(bufev);
  try {
    error: {
      if (event === EV_TIMEOUT) {
        what |= BEV_EVENT_TIMEOUT;
        break error;
      }
      if (bufev.connecting) {
        let cc = evutil_socket_finished_connecting_(fd);
        // A refusal the read path saw first is the connect's failure.
        if (bufev.connection_refused) {
          bufev.connection_refused = 0;
          set_errno(ECONNREFUSED);
          cc = -1;
        }
        if (cc === 0) return;
        bufev.connecting = 0;
        if (cc < 0) {
          event_del(bufev.ev_write);
          event_del(bufev.ev_read);
          bufferevent_run_eventcb_(bufev, BEV_EVENT_ERROR, 0);
          return;
        }
        connected = 1;
        bufferevent_run_eventcb_(bufev, BEV_EVENT_CONNECTED, 0);
        if (!(bufev.enabled & EV_WRITE) || bufev.write_suspended) {
          event_del(bufev.ev_write);
          return;
        }
      }

      const atmost = bufferevent_get_write_max_(bufev);
      if (bufev.write_suspended) return;

      const output = bufev.output;
      if (output.total_len) {
        output.freeze_start = false;
        res = evbuffer_write_atmost_(output, fd, atmost);
        output.freeze_start = true;
        if (res === -1) {
          // A failed write drained nothing: the output still waits, and so does ev_write.
          if (rwRetriable(errno)) return;
          what |= BEV_EVENT_ERROR;
        } else if (res === 0) {
          // As libevent: a write of 0 is taken for end of file.
          what |= BEV_EVENT_EOF;
        }
        if (res <= 0) break error;
        bufferevent_decrement_write_buckets_(bufev, res);
      }

      if (output.total_len === 0) event_del_deferred_(bufev.ev_write);
      // The write callback, if the output is at or below the low watermark (and this was not
      // only the connect finishing).
      if (res || !connected) bufferevent_trigger_nolock_(bufev, EV_WRITE, 0);
      return;
    }
    bufferevent_disable(bufev, EV_WRITE);
    bufferevent_run_eventcb_(bufev, what, 0);
  } finally {
    bufferevent_decref_and_unlock_(bufev);
  }
}

/**
 * `struct bufferevent *bufferevent_socket_new(struct event_base *base, evutil_socket_t fd, int
 * options)`: a bufferevent on the socket `fd` (nonblocking; -1: none yet, see
 * bufferevent_setfd and bufferevent_socket_connect). `options`: BEV_OPT_*. Writing starts
 * enabled, reading must be enabled with bufferevent_enable. Returns the bufferevent, or null
 * (BEV_OPT_UNLOCK_CALLBACKS without BEV_OPT_DEFER_CALLBACKS). A null base means the event_init()
 * base (a TypeError if there is none); the bufferevent then belongs to that base, and
 * bufferevent_get_base returns it where C returns NULL.
 * @param base the base the bufferevent's events go to
 * @param fd the connected (or connecting) socket, nonblocking, or -1 to connect later
 * @param options `BEV_OPT_*` flags ORed, usually `BEV_OPT_CLOSE_ON_FREE`
 * @returns the new bufferevent, or null (BEV_OPT_UNLOCK_CALLBACKS without BEV_OPT_DEFER_CALLBACKS)
 * @see {@link bufferevent_socket_connect}, {@link bufferevent_setcb}, {@link bufferevent_enable}, {@link bufferevent_write}, {@link bufferevent_free}
 * @example A client: send a request, print the answer until the server closes
 * ```ts
 * import {
 *   EV_READ,
 *   EV_WRITE,
 *   event_base_dispatch,
 *   event_base_free,
 *   event_base_new,
 * } from "libevent-ts/event2/event";
 * import {
 *   BEV_EVENT_CONNECTED,
 *   BEV_EVENT_EOF,
 *   BEV_EVENT_ERROR,
 *   BEV_OPT_CLOSE_ON_FREE,
 *   bufferevent_enable,
 *   bufferevent_free,
 *   bufferevent_get_input,
 *   bufferevent_setcb,
 *   bufferevent_socket_connect,
 *   bufferevent_socket_new,
 *   bufferevent_write,
 * } from "libevent-ts/event2/bufferevent";
 * import type { bufferevent } from "libevent-ts/event2/bufferevent";
 * import {
 *   EVBUFFER_EOL_CRLF,
 *   evbuffer_readln,
 * } from "libevent-ts/event2/buffer";
 * import {
 *   AF_INET,
 *   evutil_inet_pton,
 *   htons,
 *   sizeof,
 *   sockaddr_in,
 *   strlen,
 * } from "libevent-ts/event2/util";
 *
 * function readcb(bev: bufferevent, ctx: null): void {
 *   const input = bufferevent_get_input(bev);
 *   let line = evbuffer_readln(input, null, EVBUFFER_EOL_CRLF);
 *   while (line !== null) {
 *     console.log(`< ${line}`);
 *     line = evbuffer_readln(input, null, EVBUFFER_EOL_CRLF);
 *   }
 * }
 *
 * function eventcb(bev: bufferevent, events: number, ctx: null): void {
 *   if (events & BEV_EVENT_CONNECTED) {
 *     const req = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
 *     bufferevent_write(bev, req, strlen(req));
 *   } else if (events & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
 *     // The loop then has no event left and returns.
 *     bufferevent_free(bev);
 *   }
 * }
 *
 * const base = event_base_new()!;
 * const sin = new sockaddr_in();
 * sin.sin_family = AF_INET;
 * sin.sin_port = htons(8080);
 * evutil_inet_pton(AF_INET, "127.0.0.1", sin.sin_addr);
 *
 * const bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)!;
 * bufferevent_setcb(bev, readcb, null, eventcb, null);
 * bufferevent_enable(bev, EV_READ | EV_WRITE);
 * if (bufferevent_socket_connect(bev, sin, sizeof(sin)) < 0) {
 *   bufferevent_free(bev);
 *   console.error("could not start connecting");
 * }
 * event_base_dispatch(base);
 * event_base_free(base);
 * ```
 * @category Socket bufferevents
 */
export function bufferevent_socket_new(base: event_base | null, fd: evutil_socket_t, options: number): bufferevent | null {
  const fn = "bufferevent_socket_new";
  base = event_base_or_current_(base, fn);
  check_int_(fn, "fd", fd);
  check_int_(fn, "options", options);
  const bufev = new bufferevent_private();
  if (bufferevent_init_common_(bufev, base, bufferevent_ops_socket, options) < 0) return null;
  // The buffers were just made: their fields directly (evbuffer_set_flags, evbuffer_freeze
  // without the checks of the public calls, once per connection).
  const output = bufev.output;
  output.flags = (output.flags | EVBUFFER_FLAG_DRAINS_TO_FD) >>> 0;
  be_socket_assign_events(bufev, fd);
  evbuffer_add_cb(output, bufferevent_socket_outbuf_cb, bufev);
  // Only libevent reads into the input and writes out of the output.
  bufev.input.freeze_end = true;
  output.freeze_start = true;
  return bufev;
}

const fdBox = { value: -1 };

/**
 * `int bufferevent_socket_connect(struct bufferevent *bufev, const struct sockaddr *addr, int
 * socklen)`: connect to `addr` (`socklen` bytes of it), making a nonblocking socket of its family
 * first if the bufferevent has none. The event callback later gets BEV_EVENT_CONNECTED, or
 * exactly one BEV_EVENT_ERROR (errno: the connect's error). What the user enabled (say EV_READ,
 * before connecting) starts on the new socket. A null `addr` means a connect is already under way
 * on the bufferevent's socket. Returns 0, or -1 if the connect could not be started (a socket made
 * here is closed again).
 * @param bufev the bufferevent
 * @param addr the address to connect to (`sockaddr_in`, `sockaddr_in6`, `sockaddr_un`), or null when the socket is already connecting
 * @param socklen the address's size, `sizeof(addr)`
 * @returns 0, or -1 if the connect could not be started (a socket made here is closed again)
 * @see {@link bufferevent_socket_connect_hostname}, {@link bufferevent_socket_new}
 * @category Socket bufferevents
 */
export function bufferevent_socket_connect(bufev: bufferevent, addr: sockaddr_any | null, socklen: number): number {
  const fn = "bufferevent_socket_connect";
  const p = checkBev_(bufev, fn);
  if (addr !== null) check_addr_(fn, addr as sockaddr, socklen);
  else check_int_(fn, "socklen", socklen);
  let r = 0;
  let result = -1;
  let ownfd = false;
  let fd: evutil_socket_t;

  bufferevent_incref_and_lock_(p);
  try {
    freesock: {
      fd = bufferevent_getfd(p);
      if (fd < 0) {
        if (addr === null) return -1;
        fd = evutil_socket_(addr.sa_family, c.SOCK_STREAM | c.SOCK_NONBLOCK, 0);
        if (fd < 0) return -1;
        ownfd = true;
      }
      if (addr !== null) {
        fdBox.value = fd;
        r = evutil_socket_connect_(fdBox, addr as sockaddr, socklen);
        if (r < 0) break freesock;
      }
      bufferevent_setfd(p, fd);
      if (r === 0) {
        if (!be_socket_enable(p, EV_WRITE)) {
          p.connecting = 1;
          result = 0;
        }
      } else if (r === 1) {
        // Connected at once (some UNIX sockets): the write event reports CONNECTED.
        result = 0;
        p.connecting = 1;
        bufferevent_trigger_nolock_(p, EV_WRITE, BEV_OPT_DEFER_CALLBACKS);
      } else {
        // Refused at once: one ERROR, from the loop.
        result = 0;
        set_errno(ECONNREFUSED);
        bufferevent_run_eventcb_(p, BEV_EVENT_ERROR, BEV_OPT_DEFER_CALLBACKS);
        bufferevent_disable(p, EV_WRITE | EV_READ);
      }
      return result;
    }
    if (ownfd) evutil_closesocket_keep_errno_(fd);
    return result;
  } finally {
    bufferevent_decref_and_unlock_(p);
  }
}

/** A lookup for bufferevent_socket_connect_hostname finished (or was cancelled). */
function bufferevent_connect_getaddrinfo_cb(result: number, ai: evutil_addrinfo | null, bev: bufferevent_private): void {
  try {
    bufferevent_unsuspend_write_(bev, BEV_SUSPEND_LOOKUP);
    bufferevent_unsuspend_read_(bev, BEV_SUSPEND_LOOKUP);
    bev.dns_request = null;
    if (result === EVUTIL_EAI_CANCEL) {
      bev.dns_error = result;
      return;
    }
    if (result !== 0) {
      bev.dns_error = result;
      bufferevent_run_eventcb_(bev, BEV_EVENT_ERROR, 0);
      return;
    }
    // As libevent, only the first address is tried.
    const r = bufferevent_socket_connect(bev, ai!.ai_addr, ai!.ai_addrlen);
    if (r < 0) bufferevent_run_eventcb_(bev, BEV_EVENT_ERROR, 0);
  } finally {
    bufferevent_decref_and_unlock_(bev);
  }
}

/**
 * `int bufferevent_socket_connect_hostname(struct bufferevent *bufev, struct evdns_base
 * *evdns_base, int family, const char *hostname, int port)`: resolve `hostname` (family AF_INET,
 * AF_INET6 or AF_UNSPEC) and connect to its first address on `port`; reading and writing wait
 * for the lookup. A failed lookup gives the event callback BEV_EVENT_ERROR, and
 * bufferevent_socket_get_dns_error the EVUTIL_EAI_* code.
 * Differs from C: there is no evdns, so `evdns_base` must be null; but where libevent would then
 * block in getaddrinfo(3), only numeric hosts are answered at once here: names are resolved on a
 * worker thread and the connect continues from the loop, so other connections never wait.
 * Returns 0, or -1 for a bad family or a port outside 1..65535.
 * @param bufev the bufferevent
 * @param evdns_base null (evdns is not ported: the lookup uses the system resolver)
 * @param family `AF_INET`, `AF_INET6` or `AF_UNSPEC`
 * @param hostname the host name or numeric address
 * @param port the port, 1 to 65535
 * @returns 0, or -1 for a bad family or a port outside 1..65535
 * @see {@link bufferevent_socket_connect}, {@link bufferevent_socket_get_dns_error}
 * @category Socket bufferevents
 */
export function bufferevent_socket_connect_hostname(
  bufev: bufferevent, evdns_base: null, family: number, hostname: string, port: number,
): number {
  const fn = "bufferevent_socket_connect_hostname";
  const p = checkBev_(bufev, fn);
  if (evdns_base !== null) throw new TypeError(`${fn}: evdns_base is ${show(evdns_base)}; libevent-ts has no evdns, pass null`);
  check_int_(fn, "family", family);
  check_string_(fn, "hostname", hostname);
  check_int_(fn, "port", port);
  if (family !== c.AF_INET && family !== c.AF_INET6 && family !== c.AF_UNSPEC) return -1;
  if (port < 1 || port > 65535) return -1;

  const hint = new addrinfo();
  hint.ai_family = family;
  hint.ai_protocol = c.IPPROTO_TCP;
  hint.ai_socktype = c.SOCK_STREAM;

  p.dns_error = 0;
  bufferevent_suspend_write_(p, BEV_SUSPEND_LOOKUP);
  bufferevent_suspend_read_(p, BEV_SUSPEND_LOOKUP);
  bufferevent_incref_and_lock_(p);
  const req = evutil_getaddrinfo_async_(p.ev_base!, hostname, String(port), hint, bufferevent_connect_getaddrinfo_cb, p);
  // A numeric host was answered already (and dns_request cleared by the callback).
  if (req !== null) p.dns_request = req;
  return 0;
}

/**
 * `int bufferevent_socket_get_dns_error(struct bufferevent *bev)`: the EVUTIL_EAI_* error of the
 * last bufferevent_socket_connect_hostname lookup that failed (0 if none did).
 * @param bev the bufferevent
 * @returns an `EVUTIL_EAI_*` code, or 0
 * @see {@link bufferevent_socket_connect_hostname}
 * @category Socket bufferevents
 */
export function bufferevent_socket_get_dns_error(bev: bufferevent): number {
  return checkBev_(bev, "bufferevent_socket_get_dns_error").dns_error;
}

function be_socket_enable(bufev: bufferevent, event: number): number {
  if (event & EV_READ && bufferevent_add_event_(bufev.ev_read, bufev.timeout_read) === -1) return -1;
  if (event & EV_WRITE && bufferevent_add_event_(bufev.ev_write, bufev.timeout_write) === -1) return -1;
  return 0;
}

function be_socket_disable(bufev: bufferevent, event: number): number {
  if (event & EV_READ && event_del(bufev.ev_read) === -1) return -1;
  // While connecting, the write event waits for the connect whatever the user wants.
  if (event & EV_WRITE && !BEV_UPCAST(bufev).connecting && event_del(bufev.ev_write) === -1) return -1;
  return 0;
}

function be_socket_destruct(bufev: bufferevent): void {
  const p = BEV_UPCAST(bufev);
  const fd = bufev.ev_read.ev_fd;
  if (p.options & BEV_OPT_CLOSE_ON_FREE && fd >= 0) evutil_closesocket(fd);
  evutil_getaddrinfo_cancel_async_(p.dns_request);
}

function be_socket_flush(_bev: bufferevent, _iotype: number, _mode: number): number {
  return 0;
}

function be_socket_setfd(bufev: bufferevent, fd: evutil_socket_t): void {
  const p = BEV_UPCAST(bufev);
  event_del(bufev.ev_read);
  event_del(bufev.ev_write);
  // As libevent: the buffers stay unfrozen until the next read or write re-freezes them.
  evbuffer_unfreeze(bufev.input, 0);
  evbuffer_unfreeze(bufev.output, 1);
  be_socket_assign_events(bufev, fd);
  if (fd >= 0) bufferevent_enable(bufev, bufev.enabled);
  evutil_getaddrinfo_cancel_async_(p.dns_request);
}

/**
 * Differs from libevent 2.1.12, whose socket bufferevents ignore BEV_CTRL_CANCEL_ALL (their lookup
 * then runs on after bufferevent_free and connects for nothing): as the reference semantics
 * require, bufferevent_free cancels a running lookup.
 */
function be_socket_ctrl(bev: bufferevent, op: number, data: bufferevent_ctrl_data): number {
  switch (op) {
    case BEV_CTRL_SET_FD:
      be_socket_setfd(bev, data.fd);
      return 0;
    case BEV_CTRL_GET_FD:
      data.fd = bev.ev_read.ev_fd;
      return 0;
    case BEV_CTRL_CANCEL_ALL:
      evutil_getaddrinfo_cancel_async_(BEV_UPCAST(bev).dns_request);
      return 0;
    default:
      return -1;
  }
}

/**
 * `int bufferevent_priority_set(struct bufferevent *bufev, int pri)`: the priority of the socket
 * bufferevent's events and deferred callbacks. Returns 0, or -1 (not a socket bufferevent, a
 * priority out of range, or an event active right now).
 * @param bufev the bufferevent
 * @param pri the priority, from 0 (most urgent) to the number of priorities minus 1
 * @returns 0, or -1 (not a socket bufferevent, a priority out of range, or an event active right now)
 * @see {@link bufferevent_get_priority}
 * @category Socket bufferevents
 */
export function bufferevent_priority_set(bufev: bufferevent, pri: number): number {
  const p = checkBev_(bufev, "bufferevent_priority_set");
  check_int_("bufferevent_priority_set", "pri", pri);
  if (p.be_ops !== bufferevent_ops_socket) return -1;
  if (event_priority_set(p.ev_read, pri) === -1) return -1;
  if (event_priority_set(p.ev_write, pri) === -1) return -1;
  event_deferred_cb_set_priority_(p.deferred, pri);
  return 0;
}

/**
 * `int bufferevent_base_set(struct event_base *base, struct bufferevent *bufev)`: move a socket
 * bufferevent whose events were never added to another base. Returns 0, or -1 (not a socket
 * bufferevent, or its events are in use). Differs from libevent, which changes `ev_base` before
 * finding out that the events cannot move (leaving the bufferevent split over two bases): here a
 * refused move changes nothing.
 * @param base the new base
 * @param bufev the bufferevent
 * @returns 0, or -1 (not a socket bufferevent, or its events are in use)
 * @category Socket bufferevents
 */
export function bufferevent_base_set(base: event_base, bufev: bufferevent): number {
  const p = checkBev_(bufev, "bufferevent_base_set");
  event_base_check_(base, "bufferevent_base_set");
  if (p.be_ops !== bufferevent_ops_socket) return -1;
  if (p.ev_read.ev_flags !== EVLIST_INIT || p.ev_write.ev_flags !== EVLIST_INIT) return -1;
  if (event_base_set(base, p.ev_read) === -1 || event_base_set(base, p.ev_write) === -1) return -1;
  p.ev_base = base;
  return 0;
}
