/**
 * async/await over bufferevents (a libevent-ts extension): connect, write, read and readln as
 * promises, for a base that runs inside Node's loop (`event_base_dispatch_async`).
 *
 * How it works: the first async call on a bufferevent gives it the three callbacks of this file
 * (shared functions, the bufferevent's one state object as their argument), and they settle the
 * pending promises. So the callbacks and the async calls never mix silently: an async call on a
 * bufferevent that has callbacks of the user's throws, and `bufferevent_setcb` or
 * `bufferevent_free` on one that the async calls drive rejects what is pending. Everything else
 * (watermarks, timeouts, enabling, rate limits, `bufferevent_write`/`bufferevent_read` on the
 * buffers) works as with callbacks.
 *
 * Costs: one state object per bufferevent, made once; one promise per call (writers waiting for
 * the same drain share one); no closure per call or per byte.
 * @module
 */
import { constants as os } from "node:os";
import { evbuffer_get_length, evbuffer_readln, evbuffer_remove } from "./buffer.js";
import type { evbuffer_eol_style } from "./buffer.js";
import {
  BEV_EVENT_CONNECTED, BEV_EVENT_EOF, BEV_EVENT_ERROR, BEV_EVENT_READING, BEV_EVENT_TIMEOUT, BEV_EVENT_WRITING,
  bufferevent_disable, bufferevent_enable, bufferevent_private, bufferevent_write, checkBev_,
} from "./bufferevent.js";
import { bufferevent_socket_connect, bufferevent_socket_connect_hostname } from "./bufferevent_sock.js";
import type { bufferevent } from "./bufferevent_struct.js";
import { EV_READ, EV_WRITE } from "../event/constants.js";
import { check_int_, check_len_, misuse_as_ } from "../util/check.js";
import { ECANCELED, EINVAL, EMSGSIZE, EPIPE, ETIMEDOUT, EVUTIL_SOCKET_ERROR, errno, strerror } from "../util/errno.js";
import { evutil_gai_strerror } from "../util/getaddrinfo.js";
import type { sockaddr_any } from "../util/sockaddr.js";

/** errno value -> its name ("ECONNREFUSED"), for {@link ev_async_error.code}. */
let errnoNames: Map<number, string> | null = null;

function errnoName(e: number): string {
  if (errnoNames === null) {
    errnoNames = new Map();
    for (const [name, value] of Object.entries(os.errno)) if (!errnoNames.has(value)) errnoNames.set(value, name);
  }
  return errnoNames.get(e) ?? "";
}

const EVENT_NAMES: readonly [number, string][] = [
  [BEV_EVENT_READING, "BEV_EVENT_READING"], [BEV_EVENT_WRITING, "BEV_EVENT_WRITING"], [BEV_EVENT_EOF, "BEV_EVENT_EOF"],
  [BEV_EVENT_ERROR, "BEV_EVENT_ERROR"], [BEV_EVENT_TIMEOUT, "BEV_EVENT_TIMEOUT"], [BEV_EVENT_CONNECTED, "BEV_EVENT_CONNECTED"],
];

/**
 * libevent-ts extension: the Error the async calls reject with (`bufferevent_*_async`,
 * `evconnlistener_accept_async`). `errno` is the C error number (`ECONNREFUSED`, `ETIMEDOUT`
 * ...), `code` its name as Node spells it (`"ECONNREFUSED"`), `events` the BEV_EVENT_* bits the
 * event callback would have received (0 where there was no such event).
 * @category Async/await
 */
export class ev_async_error extends Error {
  /** The C error number (as `errno` would hold it), 0 if there is none (a failed name lookup). */
  readonly errno: number;
  /** The name of `errno` ("ECONNREFUSED"), or "" (a failed name lookup: see the message). */
  readonly code: string;
  /** The BEV_EVENT_* bits of the event that caused it (0: none). */
  readonly events: number;

  /**
   * @param fn      the call that failed, the first word of the message
   * @param err     the C error number
   * @param events  the BEV_EVENT_* bits
   * @param text    the message after `fn: ` (default: `strerror(err)`)
   */
  constructor(fn: string, err: number, events: number, text?: string) {
    let bits = "";
    for (const [bit, name] of EVENT_NAMES) if (events & bit) bits += bits ? `|${name}` : name;
    super(`${fn}: ${text ?? strerror(err)}${bits ? ` (${bits})` : ""}`);
    this.name = "ev_async_error";
    this.errno = err;
    this.code = errnoName(err);
    this.events = events;
  }
}

/** @internal One promise slot, reused: `arm` makes the promise, `resolve`/`reject` settle it once. */
export class waiter<T> {
  promise: Promise<T> | null = null;
  private res: ((v: T) => void) | null = null;
  private rej: ((e: Error) => void) | null = null;
  /** The one executor of every promise of this slot (no closure per call). */
  private readonly exec = (res: (v: T) => void, rej: (e: Error) => void): void => {
    this.res = res;
    this.rej = rej;
  };

  arm(): Promise<T> {
    return (this.promise = new Promise<T>(this.exec));
  }

  resolve(v: T): void {
    const res = this.res!;
    this.clear();
    res(v);
  }

  reject(e: Error): void {
    const rej = this.rej!;
    this.clear();
    rej(e);
  }

  /** Forget the promise without settling it (the call that armed it threw: nobody holds it). */
  cancel(): void {
    this.clear();
  }

  private clear(): void {
    this.promise = null;
    this.res = null;
    this.rej = null;
  }
}

const READ = 1;
const READLN = 2;

/**
 * The async calls' state of one bufferevent, its callbacks' argument: the one pending reader,
 * the writers waiting for the output to drain, a pending connect, and what ended the reading or
 * writing side (EOF, an error), which later calls report.
 * @internal
 */
export class bufferevent_async_ {
  /** READ or READLN while a reader waits, else 0. */
  reader = 0;
  /** The pending read's name for errors (bufferevent_read_async / bufferevent_readln_async). */
  readFn = "";
  readData: Uint8Array | null = null;
  readSize = 0;
  eolStyle: evbuffer_eol_style = 0;
  readonly read = new waiter<any>();
  readonly drain = new waiter<void>();
  readonly connect = new waiter<void>();
  connectFn = "";
  /** The reading side saw end of file. */
  eof = false;
  /** Reading was disabled here because the input reached the high watermark with no reader waiting. */
  paused = false;
  /** The reading side failed: its errno and events (events 0: no failure). */
  readErrno = 0;
  readEvents = 0;
  /** The writing side failed. */
  writeErrno = 0;
  writeEvents = 0;

  constructor(readonly bev: bufferevent_private) {}

  /**
   * bufferevent_setcb or bufferevent_free (`fn`) takes the bufferevent from the async calls:
   * what is pending is rejected with ECANCELED.
   */
  detach_(fn: string): void {
    const bev = this.bev;
    bev.async_ = null;
    // Reading was only paused for want of a reader: the new callbacks get it as the user left it.
    if (this.paused && fn !== "bufferevent_free") bufferevent_enable(bev, EV_READ);
    const text = fn === "bufferevent_free" ? "the bufferevent was freed" : "bufferevent_setcb replaced the callbacks";
    if (this.reader) {
      this.clearReader();
      this.read.reject(new ev_async_error(this.readFn, ECANCELED, 0, text));
    }
    if (this.drain.promise !== null) this.drain.reject(new ev_async_error("bufferevent_write_async", ECANCELED, 0, text));
    if (this.connect.promise !== null) this.connect.reject(new ev_async_error(this.connectFn, ECANCELED, 0, text));
  }

  clearReader(): void {
    this.reader = 0;
    this.readData = null;
  }

  /** Settle the pending reader if the input, EOF or an error allow. */
  settleReader(): void {
    const input = this.bev.input;
    const len = evbuffer_get_length(input);
    if (this.reader === READ) {
      // As the read callback: wait for the low watermark, unless no more is coming.
      const ended = this.eof || this.readEvents !== 0;
      if (len > 0 && (len >= this.bev.wm_read.low || ended)) {
        const n = evbuffer_remove(input, this.readData!, this.readSize);
        this.clearReader();
        this.read.resolve(n);
      } else if (this.readEvents !== 0) {
        this.failReader();
      } else if (this.eof) {
        this.clearReader();
        this.read.resolve(0);
      }
    } else if (this.reader === READLN) {
      const line = len > 0 ? evbuffer_readln(input, null, this.eolStyle) : null;
      if (line !== null) {
        this.clearReader();
        this.read.resolve(line);
      } else if (this.readEvents !== 0) {
        this.failReader();
      } else if (this.eof) {
        this.clearReader();
        this.read.resolve(null);
      } else if (this.bev.wm_read.high !== 0 && len >= this.bev.wm_read.high) {
        // Reading is suspended at the high watermark and no line ends below it: it never will.
        this.clearReader();
        this.read.reject(new ev_async_error("bufferevent_readln_async", EMSGSIZE, BEV_EVENT_READING | BEV_EVENT_ERROR,
          `no end of line in the ${len} bytes the read high watermark lets in`));
      }
    }
  }

  private failReader(): void {
    const fn = this.readFn;
    this.clearReader();
    this.read.reject(new ev_async_error(fn, this.readErrno, this.readEvents));
  }
}

/**
 * The read callback of a bufferevent the async calls drive. Input left at the high watermark with
 * no reader waiting: reading is disabled until the next read, since libevent would otherwise run
 * the read callback again and again (it does so for a callback that leaves the input full).
 */
function async_readcb(bev: bufferevent, st: bufferevent_async_): void {
  if (st.reader) st.settleReader();
  if (!st.reader && bev.wm_read.high !== 0 && evbuffer_get_length(bev.input) >= bev.wm_read.high) {
    st.paused = true;
    bufferevent_disable(bev, EV_READ);
  }
}

/** The write callback: the output is down to the low write watermark. */
function async_writecb(bev: bufferevent, st: bufferevent_async_): void {
  if (st.drain.promise !== null && evbuffer_get_length(bev.output) <= bev.wm_write.low) st.drain.resolve();
}

/** The event callback: connected, or what ends a pending call. */
function async_eventcb(bev: bufferevent, what: number, st: bufferevent_async_): void {
  if (what & BEV_EVENT_CONNECTED) {
    if (st.connect.promise !== null) st.connect.resolve();
    return;
  }
  const err = what & BEV_EVENT_TIMEOUT ? ETIMEDOUT : what & BEV_EVENT_EOF ? EPIPE : EVUTIL_SOCKET_ERROR();
  if (st.connect.promise !== null) {
    const dns = (bev as bufferevent_private).dns_error;
    st.connect.reject(dns !== 0 && st.connectFn === "bufferevent_socket_connect_hostname_async"
      ? new ev_async_error(st.connectFn, 0, what, evutil_gai_strerror(dns))
      : new ev_async_error(st.connectFn, err, what));
  }
  const sides = what & (BEV_EVENT_READING | BEV_EVENT_WRITING);
  if (sides === 0 || what & BEV_EVENT_READING) {
    if (what & BEV_EVENT_EOF && sides !== 0) {
      st.eof = true;
    } else if (what & BEV_EVENT_TIMEOUT) {
      // A timeout ends the pending read only: reading can be enabled again.
      if (st.reader) {
        const fn = st.readFn;
        st.clearReader();
        st.read.reject(new ev_async_error(fn, err, what));
      }
    } else {
      st.readErrno = err;
      st.readEvents = what;
    }
    if (st.reader) st.settleReader();
  }
  if (sides === 0 || what & BEV_EVENT_WRITING) {
    if (!(what & BEV_EVENT_TIMEOUT)) {
      st.writeErrno = err;
      st.writeEvents = what;
    }
    if (st.drain.promise !== null) st.drain.reject(new ev_async_error("bufferevent_write_async", err, what));
  }
}

/**
 * The state of `bev` for the async call `fn`, giving the bufferevent the async callbacks first if
 * it has none; a bufferevent with callbacks of the user's is a TypeError.
 */
function attach(bufev: bufferevent, fn: string): bufferevent_async_ {
  const p = checkBev_(bufev, fn);
  const st = p.async_;
  if (st !== null) return st as bufferevent_async_;
  if (p.readcb !== null || p.writecb !== null || p.errorcb !== null) {
    throw new TypeError(`${fn}: the bufferevent has callbacks (bufferevent_setcb); use either callbacks or the async ` +
      "calls: set them to null first");
  }
  const s = new bufferevent_async_(p);
  p.async_ = s;
  p.readcb = async_readcb;
  p.writecb = async_writecb;
  p.errorcb = async_eventcb;
  p.cbarg = s;
  return s;
}

function startRead(st: bufferevent_async_, fn: string, kind: number): Promise<any> {
  if (st.reader) throw new TypeError(`${fn}: another read is pending on this bufferevent (one reader at a time)`);
  const promise = st.read.arm();
  st.reader = kind;
  st.readFn = fn;
  st.settleReader();
  // Still waiting, or paused at the high watermark and now below it: reading must run (it stays
  // enabled, as bufferevent_enable leaves it).
  const bev = st.bev;
  if (!(bev.enabled & EV_READ) && (st.reader || st.paused) && !st.eof && st.readEvents === 0 &&
      (bev.wm_read.high === 0 || evbuffer_get_length(bev.input) < bev.wm_read.high)) {
    st.paused = false;
    bufferevent_enable(bev, EV_READ);
  }
  return promise;
}

/**
 * libevent-ts extension: `bufferevent_socket_connect` awaited.
 *
 * Starts the connect as {@link bufferevent_socket_connect} does; the promise resolves when the
 * event callback would get BEV_EVENT_CONNECTED. A new connect forgets the EOF or error of a
 * previous connection. The bufferevent must have no callbacks of its own (see the module notes);
 * its base must run inside Node's loop (`event_base_dispatch_async`).
 * @param bev      a socket bufferevent without callbacks
 * @param addr     the address to connect to
 * @param socklen  the size of `addr` (`sizeof(sin)`)
 * @returns a promise of the connection; it rejects with an {@link ev_async_error} whose `errno`
 *   is the socket error (ECONNREFUSED ...), or ETIMEDOUT for the write timeout, or ECANCELED if
 *   the bufferevent is freed first
 * @category Async/await
 */
export function bufferevent_socket_connect_async(bev: bufferevent, addr: sockaddr_any | null, socklen: number): Promise<void> {
  const fn = "bufferevent_socket_connect_async";
  const st = startConnect(bev, fn);
  const promise = st.connect.arm();
  let r: number;
  try {
    r = bufferevent_socket_connect(bev, addr, socklen);
  } catch (e) {
    st.connect.cancel();
    throw misuse_as_(e, fn);
  }
  if (r < 0 && st.connect.promise !== null) st.connect.reject(new ev_async_error(fn, errno, BEV_EVENT_ERROR));
  return promise;
}

/**
 * libevent-ts extension: `bufferevent_socket_connect_hostname` awaited.
 *
 * Resolves `hostname` and connects as {@link bufferevent_socket_connect_hostname} does (a name is
 * looked up on a worker thread); the promise resolves on BEV_EVENT_CONNECTED.
 * @param bev         a socket bufferevent without callbacks
 * @param evdns_base  must be null (there is no evdns)
 * @param family      AF_INET, AF_INET6 or AF_UNSPEC
 * @param hostname    a name or a numeric address
 * @param port        the port, 1 to 65535
 * @returns a promise of the connection; it rejects with an {@link ev_async_error}: the socket
 *   error in `errno`, or for a failed lookup `errno` 0 and the lookup's error in the message
 *   (`bufferevent_socket_get_dns_error` has its code); EINVAL for a bad family or port
 * @category Async/await
 */
export function bufferevent_socket_connect_hostname_async(
  bev: bufferevent, evdns_base: null, family: number, hostname: string, port: number,
): Promise<void> {
  const fn = "bufferevent_socket_connect_hostname_async";
  const st = startConnect(bev, fn);
  // Armed first: a numeric host is answered inside the call, and a failure then reported at once.
  const promise = st.connect.arm();
  let r: number;
  try {
    r = bufferevent_socket_connect_hostname(bev, evdns_base, family, hostname, port);
  } catch (e) {
    st.connect.cancel();
    throw misuse_as_(e, fn);
  }
  if (r < 0 && st.connect.promise !== null) st.connect.reject(new ev_async_error(fn, EINVAL, BEV_EVENT_ERROR));
  return promise;
}

function startConnect(bev: bufferevent, fn: string): bufferevent_async_ {
  const st = attach(bev, fn);
  if (st.connect.promise !== null) throw new TypeError(`${fn}: a connect is already pending on this bufferevent`);
  st.connectFn = fn;
  st.eof = false;
  st.paused = false;
  st.readErrno = st.readEvents = st.writeErrno = st.writeEvents = 0;
  return st;
}

/**
 * libevent-ts extension: `bufferevent_write` awaited.
 *
 * Appends `size` bytes of `data` to the output buffer as {@link bufferevent_write} does, enables
 * writing if it is not, and resolves once the output has drained to the kernel down to the low
 * write watermark (0 unless set), when the write callback would run; at once if it already is.
 * Several writes may wait at the same time: they share one promise. `data` is copied at once, so
 * it may be reused before the promise settles.
 * @param bev   a bufferevent without callbacks
 * @param data  the bytes (a string: its UTF-8 bytes)
 * @param size  how many bytes of `data`
 * @returns a promise that rejects with an {@link ev_async_error} on a write error (`errno`
 *   ECONNRESET, EPIPE ...; `events` BEV_EVENT_WRITING|BEV_EVENT_ERROR or |BEV_EVENT_EOF), the write
 *   timeout (ETIMEDOUT), or bufferevent_free/bufferevent_setcb (ECANCELED); after a write error
 *   every later call rejects at once
 * @category Async/await
 */
export function bufferevent_write_async(bev: bufferevent, data: Uint8Array | string, size: number): Promise<void> {
  const fn = "bufferevent_write_async";
  const st = attach(bev, fn);
  if (st.writeEvents !== 0) return Promise.reject(new ev_async_error(fn, st.writeErrno, st.writeEvents));
  let r: number;
  try {
    r = bufferevent_write(bev, data, size);
  } catch (e) {
    throw misuse_as_(e, fn);
  }
  if (r < 0) return Promise.reject(new ev_async_error(fn, errno, 0));
  if (evbuffer_get_length(bev.output) <= bev.wm_write.low) return Promise.resolve();
  const promise = st.drain.promise ?? st.drain.arm();
  if (!(bev.enabled & EV_WRITE)) bufferevent_enable(bev, EV_WRITE);
  return promise;
}

/**
 * libevent-ts extension: `bufferevent_read` awaited.
 *
 * Resolves with the number of bytes (at least 1, at most `size`) moved from the input buffer
 * into `data`, as soon as the input holds its low read watermark (1 byte unless set; less is
 * taken when no more can come), or 0 at end of file once the input is empty. Enables reading if it
 * is not; reading then goes on into the input buffer up to the high read watermark, as with
 * callbacks (set one to bound what a fast peer can make the input hold). One read or readln at
 * a time: a second while one is pending is a TypeError, as asyncio's StreamReader refuses one.
 * @param bev   a bufferevent without callbacks
 * @param data  where the bytes go
 * @param size  at most this many, 1 to `data.length`
 * @returns a promise of the count; it rejects with an {@link ev_async_error} for a read error
 *   (after the data received before it was read), the read timeout (ETIMEDOUT, `events`
 *   BEV_EVENT_READING|BEV_EVENT_TIMEOUT: the next read enables reading again), or
 *   bufferevent_free/bufferevent_setcb (ECANCELED)
 * @category Async/await
 */
export function bufferevent_read_async(bev: bufferevent, data: Uint8Array, size: number): Promise<number> {
  const fn = "bufferevent_read_async";
  const st = attach(bev, fn);
  check_len_(fn, "size", data, "data", size);
  if (size === 0) throw new RangeError(`${fn}: size is 0 (0 is the answer for end of file)`);
  st.readData = data;
  st.readSize = size;
  return startRead(st, fn, READ);
}

/**
 * libevent-ts extension: `evbuffer_readln` on the input buffer, awaited.
 *
 * Resolves with the next line of the input, without its end of line (`eol_style` as for
 * evbuffer_readln: EVBUFFER_EOL_CRLF ...), decoded as UTF-8; with null at end of file when no
 * complete line is left (an unterminated rest stays in the input, for bufferevent_read_async).
 * Reading is enabled and goes on as for {@link bufferevent_read_async}, one reader at a time.
 * @param bev        a bufferevent without callbacks
 * @param eol_style  an EVBUFFER_EOL_* value
 * @returns a promise of the line or null; it rejects as bufferevent_read_async's, and also with
 *   EMSGSIZE when the input reaches the high read watermark without an end of line (reading
 *   being suspended there, the line could never end)
 * @category Async/await
 */
export function bufferevent_readln_async(bev: bufferevent, eol_style: evbuffer_eol_style): Promise<string | null> {
  const fn = "bufferevent_readln_async";
  const st = attach(bev, fn);
  check_int_(fn, "eol_style", eol_style);
  st.eolStyle = eol_style;
  return startRead(st, fn, READLN);
}
