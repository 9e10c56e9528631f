/**
 * Name lookups that do not stall the loop, for `bufferevent_socket_connect_hostname`: libevent's
 * `evutil_getaddrinfo_async_` / `evutil_getaddrinfo_cancel_async_` without evdns. A numeric host
 * (or none) is answered at once, before returning, as libevent answers it; a name goes to the
 * system's getaddrinfo(3) on a worker thread of the addon, which writes one byte to a pipe that
 * an internal event of the base watches; that event's callback completes the lookup. While
 * lookups are running the base counts a virtual event, so the loop does not exit under them.
 * @internal
 * @module
 */
import { EV_PERSIST, EV_READ, EVLIST_INTERNAL } from "../event/constants.js";
import type { event_base } from "../event/event.js";
import { event, event_add, event_assign, event_base_add_virtual_, event_base_del_virtual_, event_del } from "../event/event.js";
import { native } from "../native/binding.js";
import { set_errno } from "./errno.js";
import { evutil_make_internal_pipe_ } from "./evutil.js";
import {
  addrinfo_from_native_, evutil_addrinfo, evutil_getaddrinfo, EVUTIL_AI_NUMERICHOST, EVUTIL_EAI_CANCEL,
  EVUTIL_EAI_NONAME, EVUTIL_EAI_SYSTEM,
} from "./getaddrinfo.js";

/** How a lookup reports: an EVUTIL_EAI_* code (0: success) and the results. */
type getaddrinfo_cb<A = any> = (result: number, ai: evutil_addrinfo | null, arg: A) => void;

/** The longest host name the addon takes (a DNS name has at most 253 characters). */
const NAME_MAX_LEN = 1024;

/** One running lookup (libevent's `struct evdns_getaddrinfo_request`). */
export class getaddrinfo_request {
  constructor(
    readonly resolver: resolver,
    readonly id: number,
    readonly cb: getaddrinfo_cb,
    readonly arg: unknown,
  ) {}
}

/** A base's lookups: the wake pipe, its internal event, and the requests still running. */
class resolver {
  readonly fds = [-1, -1];
  readonly ev = new event<resolver>();
  readonly pending = new Map<number, getaddrinfo_request>();
  constructor(readonly base: event_base) {}
}

const resolvers = new WeakMap<event_base, resolver>();
const drainBuf = new Uint8Array(64);

function closeWakePipe(r: resolver): void {
  for (const fd of r.fds) {
    native.fdDisown(fd);
    native.close(fd);
  }
  r.fds[0] = r.fds[1] = -1;
}

/** The base's resolver, made (pipe and event) when its first lookup starts; null with errno if that fails. */
function resolver_get(base: event_base): resolver | null {
  const found = resolvers.get(base);
  if (found !== undefined) return found;
  const r = new resolver(base);
  if (evutil_make_internal_pipe_(r.fds) < 0) return null;
  // Closed by the addon if this thread ends with lookups still running.
  native.fdOwn(r.fds[0]!);
  native.fdOwn(r.fds[1]!);
  event_assign(r.ev, base, r.fds[0]!, EV_READ | EV_PERSIST, resolver_cb, r);
  r.ev.evcb_flags |= EVLIST_INTERNAL;
  if (event_add(r.ev, null) < 0) {
    closeWakePipe(r);
    return null;
  }
  resolvers.set(base, r);
  return r;
}

/**
 * Once no lookup runs, the pipe is closed (a cancelled thread never writes to it again). Only once:
 * a callback run from resolver_cb may have released the resolver already, and its fd numbers may
 * by now belong to something else.
 */
function resolver_release_if_idle(r: resolver): void {
  if (r.pending.size !== 0 || r.fds[0] === -1) return;
  event_del(r.ev);
  closeWakePipe(r);
  if (resolvers.get(r.base) === r) resolvers.delete(r.base);
}

function request_forget(req: getaddrinfo_request): void {
  req.resolver.pending.delete(req.id);
  event_base_del_virtual_(req.resolver.base);
}

/** The wake pipe is readable: complete every lookup that has finished. */
function resolver_cb(fd: number, _what: number, r: resolver): void {
  while (native.read(fd, drainBuf, 0, drainBuf.length) > 0) {
    /* drain the wake-ups */
  }
  try {
    for (const req of [...r.pending.values()]) {
      // An earlier callback may have cancelled this one.
      if (r.pending.get(req.id) !== req) continue;
      const res = native.gaiCollect(req.id);
      if (res === undefined) continue;
      request_forget(req);
      if (typeof res === "number") req.cb(res, null, req.arg);
      else req.cb(0, addrinfo_from_native_(res), req.arg);
    }
  } finally {
    resolver_release_if_idle(r);
  }
}

/**
 * @internal Look up `nodename`/`servname` with `hints` for a connect on `base`, then call
 * `cb(result, ai, arg)`. Numeric hosts are answered before this returns (null is returned then);
 * names return the running request, answered later from the loop. `nodename` must not be null.
 */
export function evutil_getaddrinfo_async_<A>(
  base: event_base, nodename: string, servname: string, hints: evutil_addrinfo, cb: getaddrinfo_cb<A>, arg: A,
): getaddrinfo_request | null {
  const numeric = new evutil_addrinfo();
  numeric.ai_flags = hints.ai_flags | EVUTIL_AI_NUMERICHOST;
  numeric.ai_family = hints.ai_family;
  numeric.ai_socktype = hints.ai_socktype;
  numeric.ai_protocol = hints.ai_protocol;
  const res: { value: evutil_addrinfo | null } = { value: null };
  const err = evutil_getaddrinfo(nodename, servname, numeric, res);
  if (err !== EVUTIL_EAI_NONAME || Buffer.byteLength(nodename) > NAME_MAX_LEN) {
    cb(err, res.value, arg);
    return null;
  }

  const r = resolver_get(base);
  if (r === null) {
    cb(EVUTIL_EAI_SYSTEM, null, arg);
    return null;
  }
  const id = native.gaiStart(nodename, servname, hints.ai_flags, hints.ai_family, hints.ai_socktype, hints.ai_protocol, r.fds[1]!);
  if (id < 0) {
    resolver_release_if_idle(r);
    set_errno(-id);
    cb(EVUTIL_EAI_SYSTEM, null, arg);
    return null;
  }
  const req = new getaddrinfo_request(r, id, cb, arg);
  r.pending.set(id, req);
  event_base_add_virtual_(base);
  return req;
}

/** @internal Cancel a running lookup (null: nothing): its callback runs now with EVUTIL_EAI_CANCEL. */
export function evutil_getaddrinfo_cancel_async_(req: getaddrinfo_request | null): void {
  if (req === null) return;
  const r = req.resolver;
  if (r.pending.get(req.id) !== req) return;
  native.gaiCancel(req.id);
  request_forget(req);
  resolver_release_if_idle(r);
  req.cb(EVUTIL_EAI_CANCEL, null, req.arg);
}
