/**
 * evbuffer: libevent's buffer of bytes, a singly linked list of chains (buffer.c).
 *
 * The representation is libevent's because public results depend on it: `evbuffer_peek` returns
 * one extent per chain, `evbuffer_get_contiguous_space` is the first chain's length,
 * `evbuffer_reserve_space` gives one or two extents. Chains are allocated as libevent 2.1.12 does
 * on 64-bit Linux (powers of two of at least 1024 bytes including a 48-byte header: 976, 2000,
 * 4048, 8144 ... usable bytes), grow and realign by the same rules, and move between buffers
 * whole. Chain memory is a Node Buffer; views handed out (pullup, peek, reserve_space) are views
 * of it, never copies; fd reads land straight in it.
 * @module
 */
import { check_box_, check_bytes_, check_fn_or_null_, check_i64_, check_int_, check_len_, check_size_, show } from "../util/check.js";
import { EVLIST_ACTIVE, EVLIST_ACTIVE_LATER } from "../event/constants.js";
import {
  event_base, event_base_check_, event_base_get_npriorities, event_callback, event_deferred_cb_cancel_, event_deferred_cb_init_,
  event_deferred_cb_schedule_,
} from "../event/event.js";
import { isAscii } from "node:buffer";
import { native } from "../native/binding.js";
import { memArgs, mem_extent_, mem_known_, mem_known_all_, mem_number_ } from "../native/mem.js";
import { fail, set_errno, EAGAIN, EBADF, EINTR } from "../util/errno.js";
import { EV_SIZE_MAX, EV_SSIZE_MAX } from "../util/limits.js";
import { fd_ok_ } from "../util/posix.js";
import { index_of_, latin1_slice_, set_bytes_, utf8_slice_ } from "../util/bytes.js";
import { utf8_write_ } from "../util/utf8.js";
import { evutil_format_, evutil_format_into_, evutil_format_out_ } from "../util/snprintf.js";
import {
  evbuffer_file_segment,
  evbuffer_file_segment_check_,
  evbuffer_file_segment_decref_,
  evbuffer_file_segment_materialize_,
  evbuffer_file_segment_new,
  EVBUF_FS_CLOSE_ON_FREE,
  EVBUFFER_CHAIN_MAX,
} from "./buffer_file.js";

// ---------------------------------------------------------------------------------------------
// Constants

/** `#define EVBUFFER_FLAG_DRAINS_TO_FD 1`: the buffer is written to an fd, so file segments may use sendfile. @category Evbuffers */
export const EVBUFFER_FLAG_DRAINS_TO_FD = 1;
/** `#define EVBUFFER_CB_ENABLED 1`: the callback entry is enabled (set by `evbuffer_add_cb`). @category Callbacks */
export const EVBUFFER_CB_ENABLED = 1;
/** @internal `#define EVBUFFER_CB_NODEFER 2`: run this callback inline even when the buffer's callbacks are deferred. */
export const EVBUFFER_CB_NODEFER = 2;
/** @internal `#define EVBUFFER_MAX_READ 4096`: the most one `evbuffer_read` takes. */
export const EVBUFFER_MAX_READ = 4096;

/** `EVBUFFER_EOL_ANY`: a line ends at any run of CR and LF characters, in any order and number. @category Evbuffers */
export const EVBUFFER_EOL_ANY = 0;
/** `EVBUFFER_EOL_CRLF`: a line ends at LF, optionally preceded by CR. @category Evbuffers */
export const EVBUFFER_EOL_CRLF = 1;
/** `EVBUFFER_EOL_CRLF_STRICT`: a line ends at exactly CR LF. @category Evbuffers */
export const EVBUFFER_EOL_CRLF_STRICT = 2;
/** `EVBUFFER_EOL_LF`: a line ends at LF. @category Evbuffers */
export const EVBUFFER_EOL_LF = 3;
/** `EVBUFFER_EOL_NUL`: a line ends at a NUL byte. @category Evbuffers */
export const EVBUFFER_EOL_NUL = 4;
/**
 * `enum evbuffer_eol_style`: one of the `EVBUFFER_EOL_*` values. Any other number is accepted,
 * as in C, and finds no end of line.
 * @category Evbuffers
 */
export type evbuffer_eol_style = number;

/** `EVBUFFER_PTR_SET`: `evbuffer_ptr_set` puts the pointer at an absolute position. @category Searching and zero-copy access */
export const EVBUFFER_PTR_SET = 0;
/** `EVBUFFER_PTR_ADD`: `evbuffer_ptr_set` moves the pointer forward. @category Searching and zero-copy access */
export const EVBUFFER_PTR_ADD = 1;
/** `enum evbuffer_ptr_how`: `EVBUFFER_PTR_SET` or `EVBUFFER_PTR_ADD`. @category Searching and zero-copy access */
export type evbuffer_ptr_how = number;

const EVBUFFER_CB_INTERNAL_FLAGS = 0xffff0000;
const EVBUFFER_CB_OBSOLETE = 0x00040000;

// chain flags (evbuffer-internal.h); pinning is used only by Windows IOCP and is left out.
const EVBUFFER_FILESEGMENT = 0x0001;
const EVBUFFER_SENDFILE = 0x0002;
const EVBUFFER_REFERENCE = 0x0004;
const EVBUFFER_IMMUTABLE = 0x0008;
const EVBUFFER_MULTICAST = 0x0080;

/** Smallest chain allocation on 64-bit, header included. */
const MIN_BUFFER_SIZE = 1024;
/** sizeof(struct evbuffer_chain) on 64-bit Linux: counted in every allocation. */
const EVBUFFER_CHAIN_SIZE = 48;
/** The largest Buffer Node can allocate: beyond it malloc "fails". */
const MAX_ALLOC = 0x100000000;
const EVBUFFER_CHAIN_MAX_AUTO_SIZE = 4096;
const MAX_TO_COPY_IN_EXPAND = 4096;
const MAX_TO_REALIGN_IN_EXPAND = 2048;
const NUM_READ_IOVEC = 4;
/** libevent's NUM_WRITE_IOVEC: 128 (below Linux's IOV_MAX of 1024). */
const NUM_WRITE_IOVEC = 128;

// ---------------------------------------------------------------------------------------------
// Types

/**
 * `typedef void (*evbuffer_cb_func)(struct evbuffer *buffer, const struct evbuffer_cb_info *info, void *arg)`:
 * called after the buffer's length changed, with what changed since the last call.
 * @param buffer the buffer that changed
 * @param info what changed: `orig_size`, `n_added`, `n_deleted`
 * @param arg the `cbarg` given to {@link evbuffer_add_cb}
 * @category Callbacks
 */
export type evbuffer_cb_func<A = any> = (buffer: evbuffer, info: evbuffer_cb_info, arg: A) => void;

/**
 * `typedef void (*evbuffer_cb)(struct evbuffer *buffer, size_t old_len, size_t new_len, void *arg)`
 * (buffer_compat.h): the obsolete callback type of {@link evbuffer_setcb}.
 * @param buffer the buffer that changed
 * @param old_len its length before the change
 * @param new_len its length now
 * @param arg the `cbarg` given to {@link evbuffer_setcb}
 * @category Callbacks
 */
export type evbuffer_cb<A = any> = (buffer: evbuffer, old_len: number, new_len: number, arg: A) => void;

/**
 * `typedef void (*evbuffer_ref_cleanup_cb)(const void *data, size_t datalen, void *extra)`:
 * called once the referenced memory is no longer used, with the very value that was passed to
 * {@link evbuffer_add_reference} (the same Uint8Array or string), its length and `extra`.
 * @param data the referenced memory, as it was passed in
 * @param datalen its length in bytes
 * @param extra the `cleanupfn_arg` given to {@link evbuffer_add_reference}
 * @category Callbacks
 */
export type evbuffer_ref_cleanup_cb<A = any> = (data: Uint8Array | string | null, datalen: number, extra: A) => void;

/** `struct evbuffer_cb_info`: what changed since the callback last ran. @category Callbacks */
export class evbuffer_cb_info {
  /** The buffer's length when the changes began. */
  orig_size = 0;
  /** Bytes added since then. */
  n_added = 0;
  /** Bytes removed since then. */
  n_deleted = 0;
}

/**
 * `struct evbuffer_iovec` (`struct iovec` on POSIX): an extent of memory. Filled by
 * `evbuffer_peek` and `evbuffer_reserve_space` with a view of the buffer's own memory;
 * `new evbuffer_iovec()` starts with `iov_base = null`, `iov_len = 0`.
 * @category Searching and zero-copy access
 */
export class evbuffer_iovec {
  /** The memory: a view of a chain (peek, reserve_space), or data to add (add_iovec). */
  iov_base: Uint8Array | null = null;
  /** Its length in bytes. */
  iov_len = 0;
}

/** @internal evbuffer_ptr's internal_ part: the chain and offset, plus the buffer it came from. */
export class evbuffer_ptr_internal_ {
  /** The chain the position is in, or null at the end of the buffer. */
  chain: evbuffer_chain | null = null;
  /** Offset of the position inside that chain's data. */
  pos_in_chain = 0;
  /** The buffer the pointer was set for (not in C: lets misuse be reported). */
  buffer: evbuffer | null = null;
  /** The chain's gen when the pointer was set (not in C: a reused chain makes the pointer stale). */
  gen = 0;
}

/**
 * `struct evbuffer_ptr`: a position inside an evbuffer, set by `evbuffer_ptr_set` or returned by
 * the search functions. Any change to the buffer invalidates it, as in C.
 * @category Searching and zero-copy access
 */
export class evbuffer_ptr {
  /** Offset from the start of the buffer, or -1 when a search found nothing. */
  pos = 0;
  /** @internal */
  internal_ = new evbuffer_ptr_internal_();
}

/** @internal What a reference chain remembers (struct evbuffer_chain_reference). */
class evbuffer_chain_reference {
  constructor(
    readonly cleanupfn: evbuffer_ref_cleanup_cb | null,
    readonly extra: unknown,
    readonly data: Uint8Array | string | null,
  ) {}
}

/** @internal What a multicast chain remembers (struct evbuffer_multicast_parent). */
class evbuffer_multicast_parent {
  constructor(readonly source: evbuffer, readonly parent: evbuffer_chain) {}
}

const EMPTY = Buffer.alloc(0);
const NO_VIEW = new Uint8Array(0);

/** @internal struct evbuffer_chain: one piece of a buffer. */
export class evbuffer_chain {
  /** The next chain, or null. */
  next: evbuffer_chain | null = null;
  /**
   * Bytes of memory (for a sendfile chain: file offset + length). (Number fields set by the
   * constructor start at 0 here, not undefined, so that V8 keeps them small integers.)
   */
  buffer_len = 0;
  /** Unused bytes before the data (for a sendfile chain: the file offset). */
  misalign = 0;
  /** Bytes of data. */
  off = 0;
  /** EVBUFFER_* chain flags. */
  flags = 0;
  /** Chains sharing this one's memory (multicast), plus one. 0 once freed. */
  refcnt = 1;
  /** Times the chain was reused after being freed (not in C: lets stale pointers be noticed). */
  gen = 0;
  /** The memory; null for a sendfile chain. */
  buffer: Buffer | null;
  /** Reference, file segment or multicast parent, according to flags. */
  info: evbuffer_chain_reference | evbuffer_file_segment | evbuffer_multicast_parent | null = null;
  /**
   * The memory's ArrayBuffer and where the memory starts in it (not in C): copies out of the
   * chain make their view from these, since reading a Buffer's `buffer` and `byteOffset` each
   * time costs more than the copy of a small piece.
   */
  ab: ArrayBufferLike | null;
  /** See `ab`. */
  abOff = 0;
  /**
   * The last view copyOut made of this memory, and where it starts: the next copy of the same
   * extent reuses it (a chain filled and emptied whole per message is copied out from the same
   * place every time).
   */
  view: Uint8Array = NO_VIEW;
  /** See `view`. */
  viewOff = -1;
  /**
   * A view of this memory was handed out (peek, pullup, reserve_space): the program may write
   * the data through it, so `lines` is not kept for this chain until it is freed.
   */
  exposed = false;
  /**
   * evbuffer_readln's text of memory [linesStart, linesEnd), decoded once for the lines in it
   * (latin1, only for ASCII bytes, where it is also their UTF-8); null with linesEnd > linesStart
   * when those bytes are not all ASCII. Valid while the data there stays where it is: dropped
   * (dropLines) by everything that moves data or writes before the data's end.
   */
  lines: string | null = null;
  /** See `lines`. */
  linesStart = 0;
  /** See `lines`. */
  linesEnd = 0;
  /**
   * The number the addon knows this memory by (native/mem.ts), for reads and writes that pass no
   * Uint8Array; 0 for memory the chain does not own (a reference's, a file segment's). Set by
   * evbuffer_chain_new, for the memory it allocates.
   */
  memId = 0;

  constructor(buffer: Buffer | null, buffer_len: number) {
    this.buffer = buffer;
    this.buffer_len = buffer_len;
    this.ab = buffer === null ? null : buffer.buffer;
    this.abOff = buffer === null ? 0 : buffer.byteOffset;
  }
}

/**
 * `struct evbuffer_cb_entry` (opaque): one callback of a buffer, returned by `evbuffer_add_cb`.
 * @category Callbacks
 */
export class evbuffer_cb_entry {
  /** @internal */
  next: evbuffer_cb_entry | null = null;
  /** @internal */
  prev: evbuffer_cb_entry | null = null;
  /** @internal evbuffer_cb_func, or evbuffer_cb when EVBUFFER_CB_OBSOLETE is set. */
  cb: evbuffer_cb_func | evbuffer_cb | null;
  /** @internal */
  cbarg: unknown;
  /** @internal */
  flags = EVBUFFER_CB_ENABLED;
  /** @internal The buffer whose list holds the entry; null once removed. */
  owner: evbuffer | null;

  /** @internal Use {@link evbuffer_add_cb}. */
  constructor(owner: evbuffer, cb: evbuffer_cb_func | evbuffer_cb | null, cbarg: unknown) {
    this.owner = owner;
    this.cb = cb;
    this.cbarg = cbarg;
  }
}

/**
 * @internal What an evbuffer needs of the bufferevent it belongs to: libevent takes a reference
 * on the parent (`bufferevent_incref_`) while a deferred callback run is pending and drops it
 * (`bufferevent_decref_`) after the run.
 */
export interface evbuffer_parent_ {
  /** bufferevent_incref_(bev) */
  incref_(): void;
  /** bufferevent_decref_(bev) */
  decref_(): void;
}

/**
 * `struct evbuffer` (opaque): a buffer of bytes. Made by {@link evbuffer_new}, released by
 * {@link evbuffer_free}.
 * @category Evbuffers
 */
export class evbuffer {
  /** @internal */
  first: evbuffer_chain | null = null;
  /** @internal */
  last: evbuffer_chain | null = null;
  /**
   * @internal libevent's last_with_datap, a pointer to the `next` field that points at the last
   * chain holding data: the chain owning that field, or null for `&buf->first`.
   */
  last_with_datap: evbuffer_chain | null = null;
  /** @internal */
  total_len = 0;
  /** @internal */
  n_add_for_cb = 0;
  /** @internal */
  n_del_for_cb = 0;
  /** @internal */
  lock: unknown = null;
  /** @internal */
  freeze_start = false;
  /** @internal */
  freeze_end = false;
  /** @internal */
  deferred_cbs = false;
  /** @internal EVBUFFER_FLAG_* */
  flags = 0;
  /** @internal The base deferred callbacks run on. */
  cb_queue: event_base | null = null;
  /** @internal */
  refcnt = 1;
  /** @internal The event_callback deferred runs go through (made by evbuffer_defer_callbacks). */
  deferred: event_callback | null = null;
  /** @internal Newest first. */
  callbacks: evbuffer_cb_entry | null = null;
  /** @internal The bufferevent this buffer belongs to, if any. */
  parent: evbuffer_parent_ | null = null;
  /**
   * @internal evbuffer_free was called (the buffer may live on internally). Also the brand the
   * argument checks test: only an evbuffer has this field, and it is false while usable.
   */
  evbuffer_freed = false;
  /** @internal Callback runs in progress: nested runs get their own info. */
  cbDepth = 0;
  /** @internal */
  cbInfo = new evbuffer_cb_info();

  /** @internal Use {@link evbuffer_new}. */
  constructor() {}
}

// ---------------------------------------------------------------------------------------------
// Argument checking: misuse throws, naming the function.

/**
 * An evbuffer argument (called `name`, "evbuffer" if not given), not yet freed. (The name is
 * only looked at on the way to an error: a default parameter costs every call.)
 */
/** @internal Throw a TypeError naming `fn` unless `buf` is an evbuffer that was not freed. */
export function evbuffer_check_(fn: string, buf: unknown, name = "buf"): asserts buf is evbuffer {
  live(fn, buf as evbuffer, name);
}

function live(fn: string, buf: evbuffer, name?: string): void {
  // (Small: V8 inlines it into every hot path, and counts its bytecode against its budget.)
  if ((buf as evbuffer | null | undefined)?.evbuffer_freed !== false) notLive(fn, name, buf);
}

function notLive(fn: string, name = "evbuffer", buf: unknown): never {
  if (!(buf instanceof evbuffer)) throw new TypeError(`${fn}: ${name} is not an evbuffer (${String(buf)})`);
  throw new TypeError(`${fn}: ${name} used after evbuffer_free`);
}

/** An ev_ssize_t / int argument. */
function ssizeArg(fn: string, name: string, v: number): number {
  check_i64_(fn, name, v);
  return v;
}

function vecArg(fn: string, vec: evbuffer_iovec[] | null, n_vec: number): void {
  check_int_(fn, "n_vec", n_vec);
  if (vec !== null && !Array.isArray(vec)) throw new TypeError(`${fn}: vec is ${show(vec)}, not an array of evbuffer_iovec`);
  if (n_vec > 0 && (!Array.isArray(vec) || vec.length < n_vec)) {
    throw new RangeError(`${fn}: n_vec ${n_vec} is beyond the ${Array.isArray(vec) ? vec.length : 0} evbuffer_iovec given`);
  }
}

/**
 * A pointer argument: from this buffer, and still pointing into it. A pointer whose pos is -1
 * (what a search that found nothing returns) passes: the functions answer it as C does.
 */
function ptrArg(fn: string, buf: evbuffer, ptr: evbuffer_ptr): void {
  if (!(ptr instanceof evbuffer_ptr)) throw new TypeError(`${fn}: not an evbuffer_ptr`);
  const chain = ptr.internal_.chain;
  if (chain === null && ptr.pos < 0) return;
  const owner = ptr.internal_.buffer;
  if (owner !== buf) {
    if (owner === null) throw new TypeError(`${fn}: the evbuffer_ptr was never set (evbuffer_ptr_set, or a search)`);
    throw new TypeError(`${fn}: the evbuffer_ptr belongs to another evbuffer`);
  }
  // At the end of the buffer (no chain) the position must still be the end.
  if (chain === null ? ptr.pos !== buf.total_len
    : chain.refcnt === 0 || chain.gen !== ptr.internal_.gen || ptr.internal_.pos_in_chain > chain.off || ptr.pos > buf.total_len) {
    throw new TypeError(`${fn}: the evbuffer_ptr is stale (the buffer changed since it was set)`);
  }
}

function memOf(fn: string, chain: evbuffer_chain): Buffer {
  if (chain.buffer === null) {
    throw new TypeError(`${fn}: the buffer holds a file segment meant for sendfile; its bytes can only be written to an fd`);
  }
  return chain.buffer;
}

// ---------------------------------------------------------------------------------------------
// Chains

/**
 * Copy n bytes of a chain's memory, from `srcOff` in it, to dst (memmove semantics when they
 * share memory). The chain must have memory.
 */
function copyOut(dst: Uint8Array, dstOff: number, chain: evbuffer_chain, srcOff: number, n: number): void {
  if (n <= 16) {
    copyBytes(dst, dstOff, chain.buffer!, srcOff, n);
    return;
  }
  let view = chain.view;
  if (chain.viewOff !== srcOff || view.length !== n) {
    view = chain.view = new Uint8Array(chain.ab!, chain.abOff + srcOff, n);
    chain.viewOff = srcOff;
  }
  set_bytes_(dst, view, dstOff);
}

/** Copy n bytes (memmove semantics when src and dst share memory). */
function copyBytes(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, n: number): void {
  // set() of a whole array costs about as much as a loop over 12 bytes. A view to set() from
  // costs more (making a plain Uint8Array view costs less than a Buffer's subarray, FastBuffer's
  // constructor; reading `buffer` and `byteOffset` costs as much again), as much as the loop
  // (unrolled: V8 does not) and its overlap test over about 16 bytes.
  if (n > 12 && srcOff === 0 && n === src.length) {
    set_bytes_(dst, src, dstOff);
  } else if (n <= 16) {
    if (dst.buffer === src.buffer && dstOff + dst.byteOffset > srcOff + src.byteOffset) {
      for (let i = n - 1; i >= 0; i--) dst[dstOff + i] = src[srcOff + i]!;
    } else {
      let i = 0;
      for (; i + 4 <= n; i += 4) {
        dst[dstOff + i] = src[srcOff + i]!;
        dst[dstOff + i + 1] = src[srcOff + i + 1]!;
        dst[dstOff + i + 2] = src[srcOff + i + 2]!;
        dst[dstOff + i + 3] = src[srcOff + i + 3]!;
      }
      for (; i < n; i++) dst[dstOff + i] = src[srcOff + i]!;
    }
  } else {
    set_bytes_(dst, new Uint8Array(src.buffer, src.byteOffset + srcOff, n), dstOff);
  }
}

/*
 * Released chains, with their memory, kept for reuse as malloc keeps freed blocks: per allocation
 * size (a power of two, indexed by its log2), at most CHAIN_CACHE_CLASS_BYTES worth, and
 * CHAIN_CACHE_BYTES in all. libevent leans on malloc's free lists for its add/drain cycle; this
 * is the same, so that a steady stream of adds and drains allocates nothing. Reused memory holds
 * stale bytes, as malloc'd memory does; a view kept past the drain that released it sees them
 * change, as a C pointer kept past free would. (evbuffer_ptr notices: see `gen`.)
 */
const CHAIN_CACHE_BYTES = 8 << 20;
const CHAIN_CACHE_CLASS_BYTES = 1 << 20; // also the largest allocation kept
const chainCache: evbuffer_chain[][] = Array.from({ length: 31 }, (): evbuffer_chain[] => []);
let chainCacheBytes = 0;
const chainCache1k = chainCache[10]!;

function evbuffer_chain_new(size: number): evbuffer_chain | null {
  if (size <= MIN_BUFFER_SIZE - EVBUFFER_CHAIN_SIZE && chainCache1k.length > 0) {
    // The smallest allocation, the usual one, straight from its cache.
    chainCacheBytes -= MIN_BUFFER_SIZE;
    return chainCache1k.pop()!;
  }
  if (size > EVBUFFER_CHAIN_MAX - EVBUFFER_CHAIN_SIZE) return null;
  size += EVBUFFER_CHAIN_SIZE;
  let to_alloc: number;
  let cls = -1;
  if (size < EVBUFFER_CHAIN_MAX / 2) {
    to_alloc = MIN_BUFFER_SIZE;
    cls = 10;
    while (to_alloc < size) {
      to_alloc *= 2;
      cls++;
    }
  } else {
    to_alloc = size;
  }
  const len = to_alloc - EVBUFFER_CHAIN_SIZE;
  if (len > MAX_ALLOC) return null;
  if (cls < 31) {
    const cached = chainCache[cls]!;
    if (cached.length > 0) {
      chainCacheBytes -= to_alloc;
      return cached.pop()!;
    }
  }
  let mem: Buffer;
  try {
    mem = Buffer.allocUnsafeSlow(len);
  } catch {
    return null;
  }
  const chain = new evbuffer_chain(mem, len);
  chain.memId = mem_number_(mem);
  return chain;
}

/** Keep a released chain (of evbuffer_chain_new's, with its memory) for reuse, within bounds. */
function recycleChain(chain: evbuffer_chain): void {
  // (Kept small, as V8 inlines it into the drains' hot paths: the usual size is found without
  // cacheList's tests and log2, and a chain with no readln text has none to drop.)
  const to_alloc = chain.buffer_len + EVBUFFER_CHAIN_SIZE;
  const list = to_alloc === MIN_BUFFER_SIZE ? chainCache1k : cacheList(to_alloc);
  if (list === null || chainCacheBytes + to_alloc > CHAIN_CACHE_BYTES || (list.length + 1) * to_alloc > CHAIN_CACHE_CLASS_BYTES) return;
  chain.next = null;
  chain.misalign = chain.off = 0;
  chain.refcnt = 1;
  chain.gen++;
  // (A view handed out before is a pointer past free now: what it writes is the program's fault.)
  chain.exposed = false;
  if (chain.linesEnd !== 0) dropLines(chain);
  list.push(chain);
  chainCacheBytes += to_alloc;
}

/** The cache of chains of allocation size to_alloc, or null for a size not kept. */
function cacheList(to_alloc: number): evbuffer_chain[] | null {
  if (to_alloc > CHAIN_CACHE_CLASS_BYTES || (to_alloc & (to_alloc - 1)) !== 0) return null;
  return chainCache[31 - Math.clz32(to_alloc)]!;
}

/** A chain that holds no memory of its own (reference, file segment, multicast). */
function evbuffer_chain_new_external(mem: Buffer | null, buffer_len: number, flags: number): evbuffer_chain {
  const chain = new evbuffer_chain(mem, buffer_len);
  chain.flags = flags;
  return chain;
}

function CHAIN_SPACE_LEN(ch: evbuffer_chain): number {
  return ch.flags & EVBUFFER_IMMUTABLE ? 0 : ch.buffer_len - (ch.misalign + ch.off);
}

/** Forget the chain's readln text (see evbuffer_chain.lines). */
function dropLines(ch: evbuffer_chain): void {
  ch.lines = null;
  ch.linesStart = ch.linesEnd = 0;
}

/** A view of the chain's memory goes to the program, which may write through it. */
function expose(ch: evbuffer_chain): void {
  ch.exposed = true;
  dropLines(ch);
}

/** A view of a chain's free space (CHAIN_SPACE_PTR, CHAIN_SPACE_LEN), handed to the program. */
function spaceView(ch: evbuffer_chain): Buffer {
  expose(ch);
  const start = ch.misalign + ch.off;
  return ch.buffer!.subarray(start, start + CHAIN_SPACE_LEN(ch));
}

/** Does `view` start where the chain's free space starts (C: iov_base == CHAIN_SPACE_PTR)? */
function isSpacePtr(view: Uint8Array | null, ch: evbuffer_chain): boolean {
  const mem = ch.buffer;
  return view !== null && mem !== null && view.buffer === mem.buffer &&
    view.byteOffset === mem.byteOffset + ch.misalign + ch.off;
}

/**
 * User callbacks that chain frees owe (reference cleanups, file segment releases). Freeing a
 * chain only queues them: the function that freed it runs them (flushReleases) once every buffer
 * it changed is consistent again, so that a cleanup sees, and may use, whole buffers.
 */
const pendingReleases: evbuffer_chain[] = [];

function evbuffer_chain_free(chain: evbuffer_chain): void {
  if (--chain.refcnt > 0) return;
  if (chain.flags & (EVBUFFER_REFERENCE | EVBUFFER_FILESEGMENT)) {
    pendingReleases.push(chain);
  } else if (chain.flags & EVBUFFER_MULTICAST) {
    const info = chain.info as evbuffer_multicast_parent;
    evbuffer_chain_free(info.parent);
    evbuffer_decref_(info.source);
  } else if (chain.buffer !== null && chain.flags === 0) {
    recycleChain(chain);
  }
}

/** Run the releases that chain frees queued, if any. */
function flushReleases(): void {
  if (pendingReleases.length !== 0) runReleases();
}

/**
 * Run the reference cleanups and segment releases of chains freed so far, in order. Each batch is
 * taken off the queue first: a cleanup that frees chains itself (and so flushes) sees only its own.
 */
function runReleases(): void {
  let failure: unknown = undefined;
  let failed = false;
  while (pendingReleases.length > 0) {
    const batch = pendingReleases.splice(0);
    for (const chain of batch) {
      try {
        if (chain.flags & EVBUFFER_REFERENCE) {
          const info = chain.info as evbuffer_chain_reference;
          if (info.cleanupfn) info.cleanupfn(info.data, chain.buffer_len, info.extra);
        } else {
          const seg = chain.info as evbuffer_file_segment | null;
          if (seg) evbuffer_file_segment_decref_(seg);
        }
      } catch (e) {
        if (!failed) {
          failed = true;
          failure = e;
        }
      }
    }
  }
  if (failed) throw failure;
}

function evbuffer_free_all_chains(chain: evbuffer_chain | null): void {
  while (chain) {
    const next: evbuffer_chain | null = chain.next;
    evbuffer_chain_free(chain);
    chain = next;
  }
}

/** *p where p is a "pointer to a next field": a chain (its next) or null (&buf->first). */
function deref(buf: evbuffer, p: evbuffer_chain | null): evbuffer_chain | null {
  return p === null ? buf.first : p.next;
}

/** *p = v */
function assign(buf: evbuffer, p: evbuffer_chain | null, v: evbuffer_chain | null): void {
  if (p === null) buf.first = v;
  else p.next = v;
}

/** Free the empty chains after the last chain with data; return where a new chain goes. */
function evbuffer_free_trailing_empty_chains(buf: evbuffer): evbuffer_chain | null {
  let ch = buf.last_with_datap;
  let c = deref(buf, ch);
  while (c !== null && c.off !== 0) {
    ch = c;
    c = c.next;
  }
  if (c !== null) {
    evbuffer_free_all_chains(c);
    assign(buf, ch, null);
  }
  return ch;
}

/** Append `chain`, dropping trailing empty chains. Does not run callbacks. */
function evbuffer_chain_insert(buf: evbuffer, chain: evbuffer_chain): void {
  if (deref(buf, buf.last_with_datap) === null) {
    buf.first = buf.last = chain;
  } else {
    const chp = evbuffer_free_trailing_empty_chains(buf);
    assign(buf, chp, chain);
    if (chain.off) buf.last_with_datap = chp;
    buf.last = chain;
  }
  buf.total_len += chain.off;
}

function evbuffer_chain_insert_new(buf: evbuffer, datlen: number): evbuffer_chain | null {
  const chain = evbuffer_chain_new(datlen);
  if (chain === null) return null;
  evbuffer_chain_insert(buf, chain);
  return chain;
}

function advance_last_with_data(buf: evbuffer): void {
  let cp = buf.last_with_datap;
  let c = deref(buf, cp);
  if (c === null) return;
  while (c.next !== null) {
    cp = c;
    c = c.next;
    if (c.off) buf.last_with_datap = cp;
  }
}

function ZERO_CHAIN(dst: evbuffer): void {
  dst.first = null;
  dst.last = null;
  dst.last_with_datap = null;
  dst.total_len = 0;
}

function COPY_CHAIN(dst: evbuffer, src: evbuffer): void {
  dst.first = src.first;
  dst.last_with_datap = src.last_with_datap; // &src->first becomes &dst->first: both are null here
  dst.last = src.last;
  dst.total_len = src.total_len;
}

function APPEND_CHAIN(dst: evbuffer, src: evbuffer): void {
  const chp = evbuffer_free_trailing_empty_chains(dst);
  assign(dst, chp, src.first);
  dst.last_with_datap = src.last_with_datap === null ? chp : src.last_with_datap;
  dst.last = src.last;
  dst.total_len += src.total_len;
}

function APPEND_CHAIN_MULTICAST(dst: evbuffer, src: evbuffer): void {
  for (let chain = src.first; chain !== null; chain = chain.next) {
    if (!chain.off) continue;
    const tmp = evbuffer_chain_new_external(chain.buffer, chain.buffer_len, EVBUFFER_MULTICAST | EVBUFFER_IMMUTABLE);
    evbuffer_incref_(src);
    ++chain.refcnt;
    chain.flags |= EVBUFFER_IMMUTABLE;
    tmp.info = new evbuffer_multicast_parent(src, chain);
    tmp.memId = chain.memId; // the parent's memory, alive while tmp holds the parent
    tmp.misalign = chain.misalign;
    tmp.off = chain.off;
    evbuffer_chain_insert(dst, tmp);
  }
}

function PREPEND_CHAIN(dst: evbuffer, src: evbuffer): void {
  src.last!.next = dst.first;
  dst.first = src.first;
  dst.total_len += src.total_len;
  if (deref(dst, dst.last_with_datap) === null) {
    dst.last_with_datap = src.last_with_datap;
  } else if (dst.last_with_datap === null) {
    dst.last_with_datap = src.last;
  }
}

function evbuffer_chain_align(chain: evbuffer_chain): void {
  dropLines(chain);
  chain.buffer!.copyWithin(0, chain.misalign, chain.misalign + chain.off);
  chain.misalign = 0;
}

function evbuffer_chain_should_realign(chain: evbuffer_chain, datlen: number): boolean {
  return chain.buffer_len - chain.off >= datlen &&
    chain.off < Math.floor(chain.buffer_len / 2) &&
    chain.off <= MAX_TO_REALIGN_IN_EXPAND;
}

/** Make `datlen` bytes of free space available in one chain; return that chain, or null. */
function evbuffer_expand_singlechain(buf: evbuffer, datlen: number): evbuffer_chain | null {
  let chainp = buf.last_with_datap;
  let chain = deref(buf, chainp);
  if (chain !== null && CHAIN_SPACE_LEN(chain) === 0) {
    chainp = chain;
    chain = chain.next;
  }
  if (chain === null || chain.flags & EVBUFFER_IMMUTABLE) return evbuffer_chain_insert_new(buf, datlen);
  if (CHAIN_SPACE_LEN(chain) >= datlen) return chain;
  if (chain.off === 0) return evbuffer_chain_insert_new(buf, datlen);
  if (evbuffer_chain_should_realign(chain, datlen)) {
    evbuffer_chain_align(chain);
    return chain;
  }
  if (CHAIN_SPACE_LEN(chain) < Math.floor(chain.buffer_len / 8) ||
      chain.off > MAX_TO_COPY_IN_EXPAND ||
      datlen >= EVBUFFER_CHAIN_MAX - chain.off) {
    // Not worth growing this chain: use the next one if it is big enough, else add one.
    if (chain.next !== null && CHAIN_SPACE_LEN(chain.next) >= datlen) return chain.next;
    return evbuffer_chain_insert_new(buf, datlen);
  }
  // Replace the chain by a bigger copy of it.
  const tmp = evbuffer_chain_new(chain.off + datlen);
  if (tmp === null) return null;
  tmp.off = chain.off;
  copyOut(tmp.buffer!, 0, chain, chain.misalign, chain.off);
  assign(buf, chainp, tmp);
  if (buf.last === chain) buf.last = tmp;
  tmp.next = chain.next;
  evbuffer_chain_free(chain);
  return tmp;
}

/**
 * evbuffer_expand_fast_: make `datlen` bytes of free space available in the last `n` chains
 * (n >= 2) without moving data. 0, or -1 when memory cannot be had.
 */
function evbuffer_expand_fast_(buf: evbuffer, datlen: number, n: number): number {
  let chain = buf.last;
  if (chain === null || chain.flags & EVBUFFER_IMMUTABLE) {
    return evbuffer_chain_insert_new(buf, datlen) === null ? -1 : 0;
  }
  let used = 0;
  let avail = 0;
  for (chain = deref(buf, buf.last_with_datap); chain !== null; chain = chain.next) {
    if (chain.off) {
      const space = CHAIN_SPACE_LEN(chain);
      if (space) {
        avail += space;
        ++used;
      }
    } else {
      chain.misalign = 0;
      avail += chain.buffer_len;
      ++used;
    }
    if (avail >= datlen) return 0;
    if (used === n) break;
  }
  if (used < n) {
    const tmp = evbuffer_chain_new(datlen - avail);
    if (tmp === null) return -1;
    buf.last!.next = tmp;
    buf.last = tmp;
    return 0;
  }
  // Out of chains: replace every empty chain by one chain with all the space needed.
  let rmv_all = false;
  chain = deref(buf, buf.last_with_datap)!;
  if (!chain.off) {
    rmv_all = true;
    avail = 0;
  } else {
    avail = CHAIN_SPACE_LEN(chain);
    chain = chain.next;
  }
  evbuffer_free_all_chains(chain);
  const tmp = evbuffer_chain_new(datlen - avail);
  if (tmp === null) {
    if (rmv_all) {
      ZERO_CHAIN(buf);
    } else {
      const lwdChain = deref(buf, buf.last_with_datap)!;
      buf.last = lwdChain;
      lwdChain.next = null;
    }
    return -1;
  }
  if (rmv_all) {
    buf.first = buf.last = tmp;
    buf.last_with_datap = null;
  } else {
    deref(buf, buf.last_with_datap)!.next = tmp;
    buf.last = tmp;
  }
  return 0;
}

/** Extents set up by evbuffer_read_setup_vecs_: the chains and how much of each one's space. */
const setupChains: (evbuffer_chain | null)[] = [null, null, null, null];
const setupLens = [0, 0, 0, 0];
/** The "pointer" (C's chainp) to the first chain set up. */
let setupFirst: evbuffer_chain | null = null;

/**
 * evbuffer_read_setup_vecs_: describe the free space to read `howmuch` bytes into, over at most
 * `n_vecs` chains starting with the first chain that has space. The extents land in the module's
 * setupChains/setupLens; with `exact`, the last one is cut to `howmuch`. Returns the number of
 * extents, and the "pointer" to the first chain (C's chainp) in `setupFirst`.
 */
function evbuffer_read_setup_vecs_(buf: evbuffer, howmuch: number, n_vecs: number, exact: boolean): number {
  if (howmuch < 0) return -1;
  while (setupChains.length < n_vecs) {
    setupChains.push(null);
    setupLens.push(0);
  }
  let so_far = 0;
  let firstp = buf.last_with_datap;
  let chain = deref(buf, firstp)!;
  if (CHAIN_SPACE_LEN(chain) === 0) {
    firstp = chain;
    chain = chain.next!;
  }
  setupFirst = firstp;
  let i = 0;
  for (; i < n_vecs && so_far < howmuch; ++i) {
    let avail = CHAIN_SPACE_LEN(chain);
    if (avail > howmuch - so_far && exact) avail = howmuch - so_far;
    setupChains[i] = chain;
    setupLens[i] = avail;
    so_far += avail;
    chain = chain.next!;
  }
  return i;
}

function clearSetup(n: number): void {
  for (let i = 0; i < n; i++) setupChains[i] = null;
}

// ---------------------------------------------------------------------------------------------
// Callbacks

function evbuffer_run_callbacks(buffer: evbuffer, running_deferred: boolean): void {
  let mask: number;
  let masked_val: number;
  let clear = true;
  if (running_deferred) {
    mask = EVBUFFER_CB_NODEFER | EVBUFFER_CB_ENABLED;
    masked_val = EVBUFFER_CB_ENABLED;
  } else if (buffer.deferred_cbs) {
    mask = EVBUFFER_CB_NODEFER | EVBUFFER_CB_ENABLED;
    masked_val = EVBUFFER_CB_NODEFER | EVBUFFER_CB_ENABLED;
    clear = false; // the deferred run wants the counts
  } else {
    mask = EVBUFFER_CB_ENABLED;
    masked_val = EVBUFFER_CB_ENABLED;
  }
  if (buffer.callbacks === null) {
    buffer.n_add_for_cb = buffer.n_del_for_cb = 0;
    return;
  }
  if (buffer.n_add_for_cb === 0 && buffer.n_del_for_cb === 0) return;

  const new_size = buffer.total_len;
  const info = buffer.cbDepth === 0 ? buffer.cbInfo : new evbuffer_cb_info();
  info.orig_size = new_size + buffer.n_del_for_cb - buffer.n_add_for_cb;
  info.n_added = buffer.n_add_for_cb;
  info.n_deleted = buffer.n_del_for_cb;
  if (clear) buffer.n_add_for_cb = buffer.n_del_for_cb = 0;
  buffer.cbDepth++;
  try {
    for (let ent: evbuffer_cb_entry | null = buffer.callbacks; ent !== null;) {
      const next: evbuffer_cb_entry | null = ent.next;
      if (ent.owner !== null && (ent.flags & mask) === masked_val) {
        if (ent.flags & EVBUFFER_CB_OBSOLETE) {
          (ent.cb as evbuffer_cb)(buffer, info.orig_size, new_size, ent.cbarg);
        } else {
          (ent.cb as evbuffer_cb_func)(buffer, info, ent.cbarg);
        }
      }
      ent = next;
    }
  } finally {
    buffer.cbDepth--;
  }
}

/**
 * evbuffer_invoke_callbacks_: run the releases owed, then tell the buffer's callbacks about the
 * changes counted so far (inline, or from the loop when the buffer's callbacks are deferred).
 */
function evbuffer_invoke_callbacks_(buffer: evbuffer): void {
  // With no release pending and no callback (the usual case, after every add and drain) this
  // function is two tests, which V8 inlines into its callers (the rest is in invokeCallbacks, so
  // that inlining this costs the callers little of V8's budget for inlining).
  if (pendingReleases.length === 0 && buffer.callbacks === null) buffer.n_add_for_cb = buffer.n_del_for_cb = 0;
  else invokeCallbacks(buffer);
}

/** evbuffer_invoke_callbacks_ with releases pending or callbacks to run. */
function invokeCallbacks(buffer: evbuffer): void {
  flushReleases();
  if (buffer.callbacks === null) {
    buffer.n_add_for_cb = buffer.n_del_for_cb = 0;
    return;
  }
  if (buffer.deferred_cbs) {
    if (event_deferred_cb_schedule_(buffer.cb_queue, buffer.deferred!)) {
      evbuffer_incref_(buffer);
      if (buffer.parent) buffer.parent.incref_();
    }
  }
  evbuffer_run_callbacks(buffer, false);
}

function evbuffer_deferred_callback(_cb: event_callback, arg: evbuffer): void {
  const parent = arg.parent;
  try {
    evbuffer_run_callbacks(arg, true);
  } finally {
    evbuffer_decref_and_unlock_(arg);
    if (parent) parent.decref_();
  }
}

function evbuffer_remove_all_callbacks(buffer: evbuffer): void {
  for (let ent = buffer.callbacks; ent !== null; ent = ent.next) ent.owner = null;
  buffer.callbacks = null;
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

/**
 * `struct evbuffer *evbuffer_new(void)`: a new, empty buffer. Never returns null.
 * @returns the new buffer
 * @see {@link evbuffer_free}, {@link evbuffer_add}
 * @category Evbuffers
 */
export function evbuffer_new(): evbuffer {
  return new evbuffer();
}

/** evbuffer_incref_: take a reference on the buffer (there is no lock to take). */
function evbuffer_incref_(buf: evbuffer): void {
  ++buf.refcnt;
}

/**
 * The body of evbuffer_decref_and_unlock_: drop a reference; the last one frees the chains,
 * forgets the callbacks and cancels a pending deferred run. The releases it queues are left to
 * the caller: a buffer dropped by a chain of another buffer (multicast) goes in the middle of
 * that buffer's change.
 */
function evbuffer_decref_(buffer: evbuffer): void {
  if (--buffer.refcnt > 0) return;
  evbuffer_free_all_chains(buffer.first);
  ZERO_CHAIN(buffer);
  evbuffer_remove_all_callbacks(buffer);
  if (buffer.deferred_cbs) event_deferred_cb_cancel_(buffer.cb_queue, buffer.deferred!);
}

/**
 * evbuffer_decref_and_unlock_: drop a reference; the last one frees the buffer (see
 * evbuffer_decref_) and runs the reference cleanups and segment releases that owes.
 */
function evbuffer_decref_and_unlock_(buffer: evbuffer): void {
  evbuffer_decref_(buffer);
  flushReleases();
}

/**
 * `void evbuffer_free(struct evbuffer *buf)`
 *
 * Releases the buffer: its chains (running the cleanup of every reference it holds, releasing
 * its file segments) and its callbacks. Differs from C: using the buffer afterwards, or freeing
 * it twice, throws a TypeError.
 * @param buf the buffer to release
 * @see {@link evbuffer_new}
 * @category Evbuffers
 */
export function evbuffer_free(buf: evbuffer): void {
  live("evbuffer_free", buf);
  buf.evbuffer_freed = true;
  evbuffer_decref_and_unlock_(buf);
}

/**
 * `int evbuffer_enable_locking(struct evbuffer *buf, void *lock)`
 *
 * Records `lock` as the buffer's lock, or a lock object of its own when `lock` is null, and
 * returns 0; -1 when the buffer already has a lock. JavaScript runs one thread per isolate and
 * this port has no evthread layer: no lock is ever taken.
 * Differs from C: a libevent built with thread support but never given a lock implementation
 * (`evthread_use_pthreads`) cannot make a lock of its own and returns -1 for a null `lock`;
 * here that succeeds, as it does in C once a lock implementation is set.
 * @param buf the buffer
 * @param lock a lock object to use, or null for one of the buffer's own
 * @returns 0, or -1 when the buffer already has a lock
 * @see {@link evbuffer_lock}
 * @category Evbuffers
 */
export function evbuffer_enable_locking(buf: evbuffer, lock: unknown): number {
  live("evbuffer_enable_locking", buf);
  if (buf.lock) return -1;
  buf.lock = lock ?? {};
  return 0;
}

/**
 * `void evbuffer_lock(struct evbuffer *buf)`: acquire the buffer's lock. With one thread per
 * isolate the lock is never contended, so nothing observable happens.
 * @param buf the buffer
 * @see {@link evbuffer_unlock}
 * @category Evbuffers
 */
export function evbuffer_lock(buf: evbuffer): void {
  live("evbuffer_lock", buf);
}

/**
 * `void evbuffer_unlock(struct evbuffer *buf)`: release the buffer's lock. Nothing observable
 * happens (see {@link evbuffer_lock}).
 * @param buf the buffer
 * @see {@link evbuffer_lock}
 * @category Evbuffers
 */
export function evbuffer_unlock(buf: evbuffer): void {
  live("evbuffer_unlock", buf);
}

function flagsArg(fn: string, flags: number | bigint): number {
  if (typeof flags === "bigint") return Number(BigInt.asUintN(32, flags));
  check_i64_(fn, "flags", flags);
  return flags >>> 0;
}

/**
 * `int evbuffer_set_flags(struct evbuffer *buf, ev_uint64_t flags)`: sets flags
 * (`EVBUFFER_FLAG_DRAINS_TO_FD`). Returns 0.
 * @param buf the buffer
 * @param flags the flags to set (`EVBUFFER_FLAG_DRAINS_TO_FD`)
 * @returns 0
 * @see {@link evbuffer_clear_flags}
 * @category Evbuffers
 */
export function evbuffer_set_flags(buf: evbuffer, flags: number | bigint): number {
  live("evbuffer_set_flags", buf);
  buf.flags = (buf.flags | flagsArg("evbuffer_set_flags", flags)) >>> 0;
  return 0;
}

/**
 * `int evbuffer_clear_flags(struct evbuffer *buf, ev_uint64_t flags)`: clears flags. Returns 0.
 * @param buf the buffer
 * @param flags the flags to clear
 * @returns 0
 * @see {@link evbuffer_set_flags}
 * @category Evbuffers
 */
export function evbuffer_clear_flags(buf: evbuffer, flags: number | bigint): number {
  live("evbuffer_clear_flags", buf);
  buf.flags = (buf.flags & ~flagsArg("evbuffer_clear_flags", flags)) >>> 0;
  return 0;
}

/**
 * `int evbuffer_defer_callbacks(struct evbuffer *buffer, struct event_base *base)`
 *
 * From now on the buffer's callbacks run from `base`'s loop (as a deferred callback at the
 * middle priority, `event_base_get_npriorities(base) / 2`) instead of inside the call that
 * changed the buffer; the counts in `evbuffer_cb_info` then add up every change since the last
 * run. Returns 0.
 * Differs from C: calling it again while a run is pending throws a TypeError (C would corrupt
 * the base's queue).
 * @param buffer the buffer
 * @param base the base whose loop runs the callbacks
 * @returns 0
 * @see {@link evbuffer_add_cb}
 * @category Callbacks
 */
export function evbuffer_defer_callbacks(buffer: evbuffer, base: event_base): number {
  const fn = "evbuffer_defer_callbacks";
  live(fn, buffer);
  event_base_check_(base, fn);
  if (buffer.deferred !== null && buffer.deferred.evcb_flags & (EVLIST_ACTIVE | EVLIST_ACTIVE_LATER)) {
    throw new TypeError(`${fn}: a deferred callback run of the buffer is pending`);
  }
  buffer.cb_queue = base;
  buffer.deferred_cbs = true;
  buffer.deferred ??= new event_callback();
  event_deferred_cb_init_(buffer.deferred, event_base_get_npriorities(base) >> 1, evbuffer_deferred_callback, buffer);
  return 0;
}

/** @internal evbuffer_set_parent_: the bufferevent the buffer belongs to (null: none). */
export function evbuffer_set_parent_(buf: evbuffer, bev: evbuffer_parent_ | null): void {
  buf.parent = bev;
}

/**
 * `int evbuffer_freeze(struct evbuffer *buf, int at_front)`
 *
 * Forbids changes at the front (`at_front` nonzero: drain, remove, prepend, readln, write fail)
 * or at the end (add, reserve/commit, printf, read, add_buffer fail). Returns 0.
 * @param buf the buffer
 * @param at_front nonzero to freeze the front, 0 to freeze the end
 * @returns 0
 * @see {@link evbuffer_unfreeze}
 * @category Evbuffers
 */
export function evbuffer_freeze(buf: evbuffer, at_front: number): number {
  live("evbuffer_freeze", buf);
  check_int_("evbuffer_freeze", "at_front", at_front);
  if (at_front) buf.freeze_start = true;
  else buf.freeze_end = true;
  return 0;
}

/**
 * `int evbuffer_unfreeze(struct evbuffer *buf, int at_front)`: undoes {@link evbuffer_freeze}. Returns 0.
 * @param buf the buffer
 * @param at_front nonzero to unfreeze the front, 0 the end
 * @returns 0
 * @see {@link evbuffer_freeze}
 * @category Evbuffers
 */
export function evbuffer_unfreeze(buf: evbuffer, at_front: number): number {
  live("evbuffer_unfreeze", buf);
  check_int_("evbuffer_unfreeze", "at_front", at_front);
  if (at_front) buf.freeze_start = false;
  else buf.freeze_end = false;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Size and space

/**
 * `size_t evbuffer_get_length(const struct evbuffer *buf)`: bytes stored.
 * @param buf the buffer
 * @returns the number of bytes stored
 * @see {@link evbuffer_get_contiguous_space}
 * @category Evbuffers
 */
export function evbuffer_get_length(buf: evbuffer): number {
  live("evbuffer_get_length", buf);
  return buf.total_len;
}

/**
 * `size_t evbuffer_get_contiguous_space(const struct evbuffer *buf)`: bytes stored in the first
 * chain, i.e. how much `evbuffer_pullup` can return without copying (0 if the first chain is
 * empty, even when later ones are not).
 * @param buf the buffer
 * @returns the number of bytes in the first chain
 * @see {@link evbuffer_pullup}, {@link evbuffer_get_length}
 * @category Searching and zero-copy access
 */
export function evbuffer_get_contiguous_space(buf: evbuffer): number {
  live("evbuffer_get_contiguous_space", buf);
  return buf.first !== null ? buf.first.off : 0;
}

/**
 * `int evbuffer_expand(struct evbuffer *buf, size_t datlen)`
 *
 * Makes room for `datlen` more bytes in one chain, so that adding them allocates nothing.
 * Returns 0, or -1 when the memory cannot be had (a `datlen` of -1 means SIZE_MAX).
 * @param buf the buffer
 * @param datlen the number of bytes to make room for
 * @returns 0, or -1 when the memory cannot be had (a `datlen` of -1 means SIZE_MAX)
 * @see {@link evbuffer_reserve_space}
 * @category Searching and zero-copy access
 */
export function evbuffer_expand(buf: evbuffer, datlen: number): number {
  live("evbuffer_expand", buf);
  const n = check_size_("evbuffer_expand", "datlen", datlen);
  const chain = evbuffer_expand_singlechain(buf, n);
  flushReleases();
  return chain !== null ? 0 : -1;
}

/**
 * `int evbuffer_reserve_space(struct evbuffer *buf, ev_ssize_t size, struct evbuffer_iovec *vec, int n_vec)`
 *
 * Reserves at least `size` bytes of free space at the end of the buffer, over at most `n_vec`
 * extents, and fills `vec` with views of it: write into them, set `iov_len` to what was used and
 * call {@link evbuffer_commit_space}. With one extent the space is contiguous; with two or more
 * it may span chains (libevent gives 1 or 2 in practice).
 *
 * @returns the number of extents used, or -1 (end frozen, `n_vec` < 1, negative `size`, no memory).
 * @param buf the buffer
 * @param size the least number of free bytes wanted
 * @param vec receives the extents: an array of at least `n_vec` `evbuffer_iovec` objects
 * @param n_vec the most extents to use (1 or 2 in practice)
 * @see {@link evbuffer_commit_space}, {@link evbuffer_expand}
 * @category Searching and zero-copy access
 */
export function evbuffer_reserve_space(buf: evbuffer, size: number, vec: evbuffer_iovec[], n_vec: number): number {
  const fn = "evbuffer_reserve_space";
  live(fn, buf);
  let want = ssizeArg(fn, "size", size);
  vecArg(fn, vec, n_vec);
  if (buf.freeze_end || n_vec < 1) return -1;
  if (want < 0) want += EV_SIZE_MAX; // (size_t) of a negative ssize
  let n = -1;
  if (n_vec === 1) {
    const chain = evbuffer_expand_singlechain(buf, want);
    if (chain !== null) {
      const v = vec[0]!;
      v.iov_base = spaceView(chain);
      v.iov_len = CHAIN_SPACE_LEN(chain);
      n = 1;
    }
  } else if (evbuffer_expand_fast_(buf, want, n_vec) >= 0) {
    n = evbuffer_read_setup_vecs_(buf, want, n_vec, false);
    for (let i = 0; i < n; i++) {
      const v = vec[i]!;
      v.iov_base = spaceView(setupChains[i]!);
      v.iov_len = setupLens[i]!;
    }
    clearSetup(n);
  }
  flushReleases();
  return n;
}

/**
 * `int evbuffer_commit_space(struct evbuffer *buf, struct evbuffer_iovec *vec, int n_vecs)`
 *
 * Adds the bytes written into extents from {@link evbuffer_reserve_space}: the first `n_vecs`
 * of `vec`, each with `iov_len` set to the bytes used (at most what was reserved).
 *
 * @returns 0, or -1 when the end is frozen or the extents are not (or no longer) the buffer's
 *   free space.
 * @param buf the buffer
 * @param vec the extents {@link evbuffer_reserve_space} filled, `iov_len` set to the bytes written
 * @param n_vecs how many of them to commit
 * @see {@link evbuffer_reserve_space}
 * @category Searching and zero-copy access
 */
export function evbuffer_commit_space(buf: evbuffer, vec: evbuffer_iovec[], n_vecs: number): number {
  const fn = "evbuffer_commit_space";
  live(fn, buf);
  vecArg(fn, vec, n_vecs);
  if (buf.freeze_end) return -1;
  if (n_vecs === 0) return 0;
  for (let i = 0; i < n_vecs; i++) ssizeArg(fn, "iov_len", vec[i]!.iov_len);
  let added = 0;
  const last = buf.last;
  if (n_vecs === 1 && last !== null && isSpacePtr(vec[0]!.iov_base, last)) {
    // Only one chain was got or used; it need not be the first one with space.
    const len = vec[0]!.iov_len;
    if (len < 0 || len > CHAIN_SPACE_LEN(last)) return -1;
    last.off += len;
    added = len;
    if (added) advance_last_with_data(buf);
  } else {
    let firstp = buf.last_with_datap;
    let chain = deref(buf, firstp);
    if (chain === null) return -1;
    if (CHAIN_SPACE_LEN(chain) === 0) {
      firstp = chain;
      chain = chain.next;
    }
    const first = chain;
    for (let i = 0; i < n_vecs; ++i) {
      if (chain === null) return -1;
      const v = vec[i]!;
      if (!isSpacePtr(v.iov_base, chain) || v.iov_len < 0 || v.iov_len > CHAIN_SPACE_LEN(chain)) return -1;
      chain = chain.next;
    }
    let chainp = firstp;
    chain = first;
    for (let i = 0; i < n_vecs; ++i) {
      const len = vec[i]!.iov_len;
      chain!.off += len;
      added += len;
      if (len) buf.last_with_datap = chainp;
      chainp = chain;
      chain = chain!.next;
    }
  }
  buf.total_len += added;
  buf.n_add_for_cb += added;
  evbuffer_invoke_callbacks_(buf);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Adding data

/**
 * The copy evbuffer_add makes, on bytes already checked, without running the callbacks (the
 * caller does, once every buffer it changes is consistent): 0, or -1 (end frozen, no memory).
 */
function addBytes(buf: evbuffer, data: Uint8Array, dataOff: number, datlen: number): number {
  if (buf.freeze_end) return -1;
  if (datlen > EV_SIZE_MAX - buf.total_len) return -1;
  let chain = deref(buf, buf.last_with_datap);
  if (chain === null) chain = buf.last;
  if (chain === null) {
    chain = evbuffer_chain_insert_new(buf, datlen);
    if (chain === null) return -1;
  }
  let remain: number;
  if ((chain.flags & EVBUFFER_IMMUTABLE) === 0) {
    remain = chain.buffer_len - chain.misalign - chain.off;
    if (remain >= datlen) {
      copyBytes(chain.buffer!, chain.misalign + chain.off, data, dataOff, datlen);
      chain.off += datlen;
      buf.total_len += datlen;
      buf.n_add_for_cb += datlen;
      return 0;
    } else if (evbuffer_chain_should_realign(chain, datlen)) {
      evbuffer_chain_align(chain);
      copyBytes(chain.buffer!, chain.off, data, dataOff, datlen);
      chain.off += datlen;
      buf.total_len += datlen;
      buf.n_add_for_cb += datlen;
      return 0;
    }
  } else {
    remain = 0;
  }
  // Fill what is left of the last chain and put the rest in a new one, twice as big while small.
  let to_alloc = chain.buffer_len;
  if (to_alloc <= EVBUFFER_CHAIN_MAX_AUTO_SIZE / 2) to_alloc *= 2;
  if (datlen > to_alloc) to_alloc = datlen;
  const tmp = evbuffer_chain_new(to_alloc);
  if (tmp === null) return -1;
  if (remain) {
    copyBytes(chain.buffer!, chain.misalign + chain.off, data, dataOff, remain);
    chain.off += remain;
    buf.total_len += remain;
    buf.n_add_for_cb += remain;
  }
  copyBytes(tmp.buffer!, 0, data, dataOff + remain, datlen - remain);
  tmp.off = datlen - remain;
  evbuffer_chain_insert(buf, tmp);
  buf.n_add_for_cb += datlen - remain;
  return 0;
}

/** evbuffer_add on bytes already checked: the copy, then the callbacks. */
function evbuffer_add_(buf: evbuffer, data: Uint8Array, dataOff: number, datlen: number): number {
  if (addBytes(buf, data, dataOff, datlen) < 0) return -1;
  evbuffer_invoke_callbacks_(buf);
  return 0;
}

/**
 * `int evbuffer_add(struct evbuffer *buf, const void *data, size_t datlen)`
 *
 * Appends a copy of the first `datlen` bytes of `data` (a string counts in UTF-8 bytes).
 * Returns 0, or -1 when the end is frozen (even for 0 bytes) or memory cannot be had.
 * @param buf the buffer to append to
 * @param data the bytes, or a string (encoded as UTF-8)
 * @param datlen how many bytes of `data` to append
 * @returns 0, or -1 when the end is frozen (even for 0 bytes) or memory cannot be had
 * @see {@link evbuffer_remove}, {@link evbuffer_drain}, {@link evbuffer_add_printf}, {@link evbuffer_add_buffer}, {@link evbuffer_prepend}
 * @example Append a string and some bytes
 * ```ts
 * import {
 *   evbuffer_add,
 *   evbuffer_free,
 *   evbuffer_get_length,
 *   evbuffer_new,
 * } from "libevent-ts/event2/buffer";
 * import { strlen } from "libevent-ts/event2/util";
 *
 * const buf = evbuffer_new();
 * const line = "GET / HTTP/1.0\r\n";
 * // strlen() counts a string's UTF-8 bytes, as evbuffer_add does
 * evbuffer_add(buf, line, strlen(line));
 * const body = new Uint8Array([1, 2, 3]);
 * evbuffer_add(buf, body, body.length);
 * console.log(evbuffer_get_length(buf)); // 19
 * evbuffer_free(buf);
 * ```
 * @category Evbuffers
 */
export function evbuffer_add(buf: evbuffer, data: Uint8Array | string, datlen: number): number {
  // The usual case, kept small so that V8 inlines it whole into the caller's loop: a live buffer
  // (live's test), bytes whose datlen needs no check, added to the last chain when it has data (or
  // is the only one) and room for them; everything else goes through addChecked.
  if ((buf as evbuffer | null | undefined)?.evbuffer_freed === false && data instanceof Uint8Array &&
      (datlen >>> 0) === datlen && datlen <= data.length && !buf.freeze_end) {
    const chain = buf.last ?? cachedFirstChain(buf, datlen);
    if (chain !== null && chain.flags === 0 && (chain.off !== 0 || chain === buf.first)) {
      const at = chain.misalign + chain.off;
      if (chain.buffer_len - at >= datlen) {
        if (datlen > 12 && datlen === data.length) set_bytes_(chain.buffer!, data, at); // (copyBytes's first case)
        else copyBytes(chain.buffer!, at, data, 0, datlen);
        chain.off += datlen;
        buf.total_len += datlen;
        buf.n_add_for_cb += datlen;
        evbuffer_invoke_callbacks_(buf);
        return 0;
      }
    }
  }
  return addChecked(buf, data, datlen);
}

/**
 * For evbuffer_add to an empty buffer: a cached chain of the size evbuffer_chain_new would
 * allocate, made the buffer's only chain (as addBytes makes one even for no data); null when no
 * such chain is cached (addChecked allocates one then). The end is not frozen. (The smallest size
 * here; the others in cachedChainOfClass, so that V8 inlines this whole.)
 */
function cachedFirstChain(buf: evbuffer, datlen: number): evbuffer_chain | null {
  if (datlen > MIN_BUFFER_SIZE - EVBUFFER_CHAIN_SIZE || chainCache1k.length === 0) return cachedChainOfClass(buf, datlen);
  chainCacheBytes -= MIN_BUFFER_SIZE;
  return (buf.first = buf.last = chainCache1k.pop()!);
}

/**
 * cachedFirstChain of another size: evbuffer_chain_new's, the smallest power of two from
 * MIN_BUFFER_SIZE that holds the data and the chain's header.
 */
function cachedChainOfClass(buf: evbuffer, datlen: number): evbuffer_chain | null {
  if (datlen <= MIN_BUFFER_SIZE - EVBUFFER_CHAIN_SIZE || datlen > CHAIN_CACHE_CLASS_BYTES - EVBUFFER_CHAIN_SIZE) return null;
  const list = chainCache[32 - Math.clz32(datlen + EVBUFFER_CHAIN_SIZE - 1)]!;
  if (list.length === 0) return null;
  const chain = list.pop()!;
  chainCacheBytes -= chain.buffer_len + EVBUFFER_CHAIN_SIZE;
  return (buf.first = buf.last = chain);
}

/** evbuffer_add's other cases: the argument checks, then the add. */
function addChecked(buf: evbuffer, data: Uint8Array | string, datlen: number): number {
  live("evbuffer_add", buf);
  if (data instanceof Uint8Array) {
    check_len_("evbuffer_add", "datlen", data, "data", datlen);
    // An empty buffer gets a chain for the data, or the last chain holds data and has room for it.
    let chain = buf.last;
    if (chain === null && datlen !== 0 && !buf.freeze_end) {
      chain = evbuffer_chain_new(datlen);
      if (chain === null) return -1;
      buf.first = buf.last = chain;
    }
    if (chain !== null && (chain.off !== 0 || chain === buf.first) && !buf.freeze_end && chain.flags === 0 &&
        chain.buffer_len - chain.misalign - chain.off >= datlen) {
      copyBytes(chain.buffer!, chain.misalign + chain.off, data, 0, datlen);
      chain.off += datlen;
      buf.total_len += datlen;
      buf.n_add_for_cb += datlen;
    } else if (addBytes(buf, data, 0, datlen) < 0) return -1;
    evbuffer_invoke_callbacks_(buf);
    return 0;
  }
  return addString(buf, data, datlen);
}

/** evbuffer_add of a string: encoded straight into the last chain when it fits there. */
function addString(buf: evbuffer, data: string, datlen: number): number {
  // A valid datlen needs no encoding to be known as one when it is at most the string's length
  // (a UTF-16 unit never takes less than one UTF-8 byte); nothing is written before it is known.
  if (typeof data === "string" && Number.isInteger(datlen) && datlen >= 0 &&
      (datlen <= data.length || datlen <= Buffer.byteLength(data))) {
    let chain = deref(buf, buf.last_with_datap) ?? buf.last;
    if (chain === null && datlen !== 0 && !buf.freeze_end) {
      // An empty buffer: the chain evbuffer_add makes for the data, encoded into straight.
      chain = evbuffer_chain_insert_new(buf, datlen);
      if (chain === null) return -1;
    }
    if (!buf.freeze_end && chain !== null && (chain.flags & EVBUFFER_IMMUTABLE) === 0) {
      const at = chain.misalign + chain.off;
      if (chain.buffer_len - at >= datlen) {
        // At most datlen bytes, where the add goes anyway; fewer when datlen cuts a character,
        // and then the copy below writes the same place.
        const n = utf8_write_(chain.buffer!, at, data, datlen);
        if (n === datlen) {
          chain.off += n;
          buf.total_len += n;
          buf.n_add_for_cb += n;
          evbuffer_invoke_callbacks_(buf);
          return 0;
        }
      }
    }
  }
  return evbuffer_add_(buf, check_bytes_("evbuffer_add", "datlen", data, "data", datlen), 0, datlen);
}

/**
 * `int evbuffer_prepend(struct evbuffer *buf, const void *data, size_t size)`
 *
 * Puts a copy of the first `size` bytes of `data` before the buffer's contents. Returns 0
 * (immediately, for 0 bytes), or -1 when the front is frozen or memory cannot be had.
 * @param buf the buffer
 * @param data the bytes, or a string (encoded as UTF-8)
 * @param size how many bytes of `data` to put in front
 * @returns 0 (immediately, for 0 bytes), or -1 when the front is frozen or memory cannot be had
 * @see {@link evbuffer_add}, {@link evbuffer_prepend_buffer}
 * @category Evbuffers
 */
export function evbuffer_prepend(buf: evbuffer, data: Uint8Array | string, size: number): number {
  live("evbuffer_prepend", buf);
  const src = check_bytes_("evbuffer_prepend", "size", data, "data", size);
  let datlen = size;
  if (datlen === 0) return 0;
  if (buf.freeze_start) return -1;
  if (datlen > EV_SIZE_MAX - buf.total_len) return -1;
  let chain = buf.first;
  if (chain === null) {
    chain = evbuffer_chain_insert_new(buf, datlen);
    if (chain === null) return -1;
  }
  if ((chain.flags & EVBUFFER_IMMUTABLE) === 0) {
    dropLines(chain); // the bytes before the data change
    // An empty chain's space can as well be at its front.
    if (chain.off === 0) chain.misalign = chain.buffer_len;
    if (chain.misalign >= datlen) {
      copyBytes(chain.buffer!, chain.misalign - datlen, src, 0, datlen);
      chain.off += datlen;
      chain.misalign -= datlen;
      buf.total_len += datlen;
      buf.n_add_for_cb += datlen;
      evbuffer_invoke_callbacks_(buf);
      return 0;
    } else if (chain.misalign) {
      // The tail of the data fits before the chain's data.
      copyBytes(chain.buffer!, 0, src, datlen - chain.misalign, chain.misalign);
      chain.off += chain.misalign;
      buf.total_len += chain.misalign;
      buf.n_add_for_cb += chain.misalign;
      datlen -= chain.misalign;
      chain.misalign = 0;
    }
  }
  const tmp = evbuffer_chain_new(datlen);
  if (tmp === null) return -1;
  buf.first = tmp;
  if (buf.last_with_datap === null && chain.off) buf.last_with_datap = tmp;
  tmp.next = chain;
  tmp.off = datlen;
  tmp.misalign = tmp.buffer_len - datlen;
  copyBytes(tmp.buffer!, tmp.misalign, src, 0, datlen);
  buf.total_len += datlen;
  buf.n_add_for_cb += datlen;
  evbuffer_invoke_callbacks_(buf);
  return 0;
}

/**
 * `size_t evbuffer_add_iovec(struct evbuffer *buffer, struct evbuffer_iovec *vec, int n_vec)`
 *
 * Appends the first `n_vec` extents of `vec` (`iov_base` a Uint8Array, `iov_len` bytes of it),
 * having first made room for all of them. Returns the bytes added (callbacks run once per extent).
 * @param buffer the buffer
 * @param vec the extents to append
 * @param n_vec how many of them
 * @returns the bytes added (callbacks run once per extent)
 * @see {@link evbuffer_add}
 * @category Searching and zero-copy access
 */
export function evbuffer_add_iovec(buffer: evbuffer, vec: evbuffer_iovec[], n_vec: number): number {
  const fn = "evbuffer_add_iovec";
  live(fn, buffer);
  vecArg(fn, vec, n_vec);
  let to_alloc = 0;
  for (let n = 0; n < n_vec; n++) {
    const v = vec[n]!;
    const base = v.iov_base ?? EMPTY;
    // The names of the fault are only built when there is one.
    if (!(base instanceof Uint8Array) || !Number.isInteger(v.iov_len) || v.iov_len < 0 || v.iov_len > base.length) {
      check_len_(fn, `vec[${n}].iov_len`, base, `vec[${n}].iov_base`, v.iov_len);
    }
    to_alloc += v.iov_len;
  }
  let res = 0;
  if (evbuffer_expand_fast_(buffer, to_alloc, 2) < 0) {
    flushReleases();
    return 0;
  }
  for (let n = 0; n < n_vec; n++) {
    const v = vec[n]!;
    if (evbuffer_add_(buffer, v.iov_base ?? EMPTY, 0, v.iov_len) < 0) break;
    res += v.iov_len;
  }
  flushReleases();
  return res;
}

/**
 * `int evbuffer_add_reference(struct evbuffer *outbuf, const void *data, size_t datlen,
 * evbuffer_ref_cleanup_cb cleanupfn, void *cleanupfn_arg)`
 *
 * Appends the first `datlen` bytes of `data` without copying them: the buffer reads them from
 * `data` itself, which must not change until `cleanupfn` runs. `cleanupfn` (may be null) runs
 * once, with `data`, `datlen` and `cleanupfn_arg`, when all of those bytes have been drained or
 * the last buffer holding them is freed.
 *
 * @returns 0, or -1 when the end is frozen (then `cleanupfn` is never called).
 * Differs from C: a string cannot be referenced in place, so it is encoded once into memory of
 * its own; `data` may be null when `datlen` is 0.
 * @param outbuf the buffer to append to
 * @param data the memory to reference (a Uint8Array or a string), not copied
 * @param datlen how many bytes of `data` to reference
 * @param cleanupfn called as `cleanupfn(data, datlen, cleanupfn_arg)` once the bytes are no longer used, or null
 * @param cleanupfn_arg passed untouched to `cleanupfn`
 * @see {@link evbuffer_add}
 * @category Evbuffers
 */
export function evbuffer_add_reference<A>(outbuf: evbuffer, data: Uint8Array | string | null, datlen: number,
  cleanupfn: evbuffer_ref_cleanup_cb<A> | null, cleanupfn_arg: A): number {
  const fn = "evbuffer_add_reference";
  live(fn, outbuf);
  check_fn_or_null_(fn, "cleanupfn", cleanupfn);
  let mem: Buffer;
  if (typeof data === "string") {
    const all = Buffer.from(data, "utf8");
    check_len_(fn, "datlen", all, "data", datlen);
    mem = datlen === all.length ? all : all.subarray(0, datlen);
  } else if (data === null || data instanceof Uint8Array) {
    const bytes = data ?? EMPTY;
    check_len_(fn, "datlen", bytes, "data", datlen);
    mem = Buffer.from(bytes.buffer, bytes.byteOffset, datlen);
  } else {
    throw new TypeError(`${fn}: data must be a Uint8Array, a string or null, not ${show(data)}`);
  }
  if (outbuf.freeze_end) return -1;
  const chain = evbuffer_chain_new_external(mem, datlen, EVBUFFER_REFERENCE | EVBUFFER_IMMUTABLE);
  chain.off = datlen;
  chain.info = new evbuffer_chain_reference(cleanupfn as evbuffer_ref_cleanup_cb | null, cleanupfn_arg, data);
  evbuffer_chain_insert(outbuf, chain);
  outbuf.n_add_for_cb += datlen;
  evbuffer_invoke_callbacks_(outbuf);
  return 0;
}

/**
 * `int evbuffer_add_buffer(struct evbuffer *outbuf, struct evbuffer *inbuf)`
 *
 * Moves all of `inbuf` to the end of `outbuf`, chains and all: no byte is copied. `inbuf`'s
 * callbacks run, then `outbuf`'s.
 *
 * @returns 0 (also when `inbuf` is empty or is `outbuf`), or -1 when `outbuf`'s end or
 *   `inbuf`'s front is frozen.
 * @param outbuf the buffer to append to
 * @param inbuf the buffer whose bytes are taken
 * @see {@link evbuffer_remove_buffer}, {@link evbuffer_prepend_buffer}, {@link evbuffer_add_buffer_reference}
 * @category Evbuffers
 */
export function evbuffer_add_buffer(outbuf: evbuffer, inbuf: evbuffer): number {
  const fn = "evbuffer_add_buffer";
  live(fn, outbuf, "outbuf");
  live(fn, inbuf, "inbuf");
  return evbuffer_add_buffer_(outbuf, inbuf);
}

function evbuffer_add_buffer_(outbuf: evbuffer, inbuf: evbuffer): number {
  const in_total_len = inbuf.total_len;
  const out_total_len = outbuf.total_len;
  if (in_total_len === 0 || outbuf === inbuf) return 0;
  if (outbuf.freeze_end || inbuf.freeze_start) return -1;
  if (out_total_len === 0) {
    // outbuf may hold empty chains: they go.
    evbuffer_free_all_chains(outbuf.first);
    COPY_CHAIN(outbuf, inbuf);
  } else {
    APPEND_CHAIN(outbuf, inbuf);
  }
  ZERO_CHAIN(inbuf);
  inbuf.n_del_for_cb += in_total_len;
  outbuf.n_add_for_cb += in_total_len;
  evbuffer_invoke_callbacks_(inbuf);
  evbuffer_invoke_callbacks_(outbuf);
  return 0;
}

/**
 * `int evbuffer_add_buffer_reference(struct evbuffer *outbuf, struct evbuffer *inbuf)`
 *
 * Appends `inbuf`'s contents to `outbuf` without copying and without removing them from
 * `inbuf`: both buffers then share that memory, which neither may change any more (later adds
 * to `inbuf` go into new chains). The shared memory stays valid in `outbuf` after `inbuf` is
 * drained or freed. Only `outbuf`'s callbacks run.
 *
 * @returns 0 (also when `inbuf` is empty), or -1 when `outbuf`'s end is frozen, `outbuf` is
 *   `inbuf`, or `inbuf` holds file segments or shared memory itself.
 * @param outbuf the buffer to append to
 * @param inbuf the buffer whose contents are referenced (it keeps them)
 * @see {@link evbuffer_add_buffer}
 * @category Evbuffers
 */
export function evbuffer_add_buffer_reference(outbuf: evbuffer, inbuf: evbuffer): number {
  const fn = "evbuffer_add_buffer_reference";
  live(fn, outbuf, "outbuf");
  live(fn, inbuf, "inbuf");
  const in_total_len = inbuf.total_len;
  const out_total_len = outbuf.total_len;
  if (in_total_len === 0) return 0;
  if (outbuf.freeze_end || outbuf === inbuf) return -1;
  for (let chain = inbuf.first; chain !== null; chain = chain.next) {
    if (chain.flags & (EVBUFFER_FILESEGMENT | EVBUFFER_SENDFILE | EVBUFFER_MULTICAST)) return -1;
  }
  if (out_total_len === 0) {
    evbuffer_free_all_chains(outbuf.first);
    ZERO_CHAIN(outbuf); // (libevent leaves outbuf pointing at the freed chains; the inserts below then start over)
  }
  APPEND_CHAIN_MULTICAST(outbuf, inbuf);
  outbuf.n_add_for_cb += in_total_len;
  evbuffer_invoke_callbacks_(outbuf);
  return 0;
}

/**
 * `int evbuffer_prepend_buffer(struct evbuffer *dst, struct evbuffer *src)`
 *
 * Moves all of `src` before the contents of `dst`, chains and all. `src`'s callbacks run, then
 * `dst`'s. Returns 0 (also when `src` is empty or is `dst`), or -1 when either front is frozen.
 * @param dst the buffer to put the bytes in front of
 * @param src the buffer whose bytes are taken
 * @returns 0 (also when `src` is empty or is `dst`), or -1 when either front is frozen
 * @see {@link evbuffer_add_buffer}
 * @category Evbuffers
 */
export function evbuffer_prepend_buffer(dst: evbuffer, src: evbuffer): number {
  const fn = "evbuffer_prepend_buffer";
  live(fn, dst, "dst");
  live(fn, src, "src");
  const in_total_len = src.total_len;
  const out_total_len = dst.total_len;
  if (!in_total_len || src === dst) return 0;
  if (dst.freeze_start || src.freeze_start) return -1;
  if (out_total_len === 0) {
    evbuffer_free_all_chains(dst.first);
    COPY_CHAIN(dst, src);
  } else {
    PREPEND_CHAIN(dst, src);
  }
  ZERO_CHAIN(src);
  src.n_del_for_cb += in_total_len;
  dst.n_add_for_cb += in_total_len;
  evbuffer_invoke_callbacks_(src);
  evbuffer_invoke_callbacks_(dst);
  return 0;
}

/**
 * `int evbuffer_add_printf(struct evbuffer *buf, const char *fmt, ...)`
 *
 * Appends text formatted as C's printf does (see `evutil_vsnprintf` for the directives), into
 * the buffer's last chain, grown to fit.
 *
 * @returns the number of bytes added, or -1 when the end is frozen or memory cannot be had.
 * @throws TypeError for an unsupported directive or an argument of the wrong kind (nothing is
 *   added then).
 * @param buf the buffer
 * @param fmt the printf-style format
 * @param args the values for the format's conversions
 * @see {@link evbuffer_add_vprintf}, {@link evbuffer_add}
 * @category Evbuffers
 */
export function evbuffer_add_printf(buf: evbuffer, fmt: string, ...args: unknown[]): number {
  live("evbuffer_add_printf", buf);
  return evbuffer_add_vprintf_("evbuffer_add_printf", buf, fmt, args);
}

/**
 * `int evbuffer_add_vprintf(struct evbuffer *buf, const char *fmt, va_list ap)`
 *
 * {@link evbuffer_add_printf} with the arguments as an array (the `va_list`).
 * @param buf the buffer
 * @param fmt the printf-style format
 * @param ap the values for the format's conversions (C's `va_list`)
 * @returns the number of bytes added, or -1 on failure
 * @see {@link evbuffer_add_printf}
 * @category Evbuffers
 */
export function evbuffer_add_vprintf(buf: evbuffer, fmt: string, ap: readonly unknown[]): number {
  live("evbuffer_add_vprintf", buf);
  if (!Array.isArray(ap)) throw new TypeError("evbuffer_add_vprintf: ap is not an array of arguments");
  return evbuffer_add_vprintf_("evbuffer_add_vprintf", buf, fmt, ap);
}

function evbuffer_add_vprintf_(fn: string, buf: evbuffer, fmt: string, ap: readonly unknown[]): number {
  if (buf.freeze_end) return -1;
  // The usual case: the chain evbuffer_expand_singlechain(buf, 64) would return without change
  // takes the output, formatted straight into its free space (as C's vsnprintf writes it).
  let last = deref(buf, buf.last_with_datap);
  if (last !== null && CHAIN_SPACE_LEN(last) === 0) last = last.next;
  if (last !== null && (last.flags & EVBUFFER_IMMUTABLE) === 0) {
    const space = CHAIN_SPACE_LEN(last);
    const at = last.misalign + last.off;
    // (At most space - 1 bytes: C's test below is sz < space.)
    const n = space >= 64 ? evutil_format_into_(fn, fmt, ap, last.buffer!, at, at + space - 1) : -1;
    if (n >= 0) return printfAdded(buf, last, n);
  }
  const sz = evutil_format_(fn, fmt, ap); // formatted once, before the buffer changes
  let chain = evbuffer_expand_singlechain(buf, 64);
  for (;;) {
    if (chain === null) {
      flushReleases();
      return -1;
    }
    if (sz < CHAIN_SPACE_LEN(chain)) break;
    chain = evbuffer_expand_singlechain(buf, sz + 1);
  }
  copyBytes(chain.buffer!, chain.misalign + chain.off, evutil_format_out_(), 0, sz);
  return printfAdded(buf, chain, sz);
}

/** evbuffer_add_vprintf's last step: n bytes formatted at the end of `chain`'s data are added. */
function printfAdded(buf: evbuffer, chain: evbuffer_chain, n: number): number {
  chain.off += n;
  buf.total_len += n;
  buf.n_add_for_cb += n;
  advance_last_with_data(buf);
  evbuffer_invoke_callbacks_(buf);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Removing and copying data

/**
 * `int evbuffer_drain(struct evbuffer *buf, size_t len)`
 *
 * Removes the first `len` bytes (all of them when `len` is larger; -1 means SIZE_MAX). Chains
 * drained entirely are released (a reference's cleanup runs then).
 *
 * @returns 0, or -1 when the front is frozen and the buffer is not empty.
 * @param buf the buffer
 * @param len how many bytes to remove from the front (-1: all)
 * @see {@link evbuffer_remove}, {@link evbuffer_get_length}
 * @category Evbuffers
 */
export function evbuffer_drain(buf: evbuffer, len: number): number {
  // (A live buffer, live's test, and a len below 2^32 are tested inline: this is the hot path.)
  if ((buf as evbuffer | null | undefined)?.evbuffer_freed === false && (len >>> 0) === len) return evbuffer_drain_(buf, len);
  live("evbuffer_drain", buf);
  return evbuffer_drain_(buf, check_size_("evbuffer_drain", "len", len));
}

function evbuffer_drain_(buf: evbuffer, len: number): number {
  const old_len = buf.total_len;
  if (old_len === 0) return 0;
  if (buf.freeze_start) return -1;
  const first = buf.first!;
  // (A chain's flags never change; one without flags has memory.)
  if (len >= old_len && first.next === null && first.flags === 0 && first.refcnt === 1) {
    // All of one plain chain (the usual case): evbuffer_chain_free's work, without its tests.
    // (Small, as V8 inlines it into its callers' loops; the other cases are in drainChains.)
    ZERO_CHAIN(buf);
    first.refcnt = 0;
    recycleChain(first);
    buf.n_del_for_cb += old_len;
  } else {
    drainChains(buf, len);
  }
  evbuffer_invoke_callbacks_(buf);
  return 0;
}

/** evbuffer_drain_'s other cases, without the callbacks: len bytes (all when more) of a nonempty, unfrozen buffer. */
function drainChains(buf: evbuffer, len: number): void {
  const old_len = buf.total_len;
  if (len >= old_len) {
    len = old_len;
    evbuffer_free_all_chains(buf.first);
    ZERO_CHAIN(buf);
  } else {
    buf.total_len -= len;
    let remaining = len;
    let chain = buf.first!;
    while (remaining >= chain.off) {
      const next: evbuffer_chain = chain.next!;
      remaining -= chain.off;
      if (chain === deref(buf, buf.last_with_datap)) buf.last_with_datap = null;
      if (buf.last_with_datap === chain) buf.last_with_datap = null;
      evbuffer_chain_free(chain);
      chain = next;
    }
    buf.first = chain;
    chain.misalign += remaining;
    chain.off -= remaining;
  }
  buf.n_del_for_cb += len;
}

/**
 * `int evbuffer_remove(struct evbuffer *buf, void *data_out, size_t datlen)`
 *
 * Copies the first `datlen` bytes (at most the buffer's length) into `data_out` and drains them.
 *
 * @returns the number of bytes copied, or -1 when the front is frozen (nothing is removed then).
 * @throws RangeError when `datlen` is beyond `data_out`'s length.
 * @param buf the buffer to take bytes from
 * @param data_out receives the bytes
 * @param datlen the most bytes to take (at most `data_out.length`)
 * @see {@link evbuffer_copyout} to copy without draining, {@link evbuffer_drain}, {@link evbuffer_readln}, {@link evbuffer_add}
 * @example Take bytes from the front
 * ```ts
 * import {
 *   evbuffer_add,
 *   evbuffer_free,
 *   evbuffer_get_length,
 *   evbuffer_new,
 *   evbuffer_remove,
 * } from "libevent-ts/event2/buffer";
 *
 * const buf = evbuffer_new();
 * evbuffer_add(buf, "hello, world", 12);
 * const out = new Uint8Array(5);
 * const n = evbuffer_remove(buf, out, out.length);
 * const text = new TextDecoder().decode(out);
 * console.log(n, text, evbuffer_get_length(buf)); // 5 hello 7
 * evbuffer_free(buf);
 * ```
 * @category Evbuffers
 */
export function evbuffer_remove(buf: evbuffer, data_out: Uint8Array, datlen: number): number {
  // The usual case, kept small so that V8 inlines it whole into the caller's loop: a live buffer
  // (live's test), arguments that need no check, bytes all from the first chain (copyout's loop
  // and clamps have nothing to do).
  const first = (buf as evbuffer | null | undefined)?.evbuffer_freed === false ? buf.first : null;
  if (first !== null && data_out instanceof Uint8Array && (datlen >>> 0) === datlen && datlen !== 0 &&
      datlen <= data_out.length && datlen <= first.off && first.buffer !== null && !buf.freeze_start) {
    // (copyOut, on its usual path: from the view of the chain made for the last copy.)
    if (datlen <= 16 || first.viewOff !== first.misalign || first.view.length !== datlen) copyOut(data_out, 0, first, first.misalign, datlen);
    else set_bytes_(data_out, first.view, 0);
    evbuffer_drain_(buf, datlen);
    return datlen;
  }
  return removeChecked(buf, data_out, datlen);
}

/** evbuffer_remove's other cases: the argument checks, then copyout and drain. */
function removeChecked(buf: evbuffer, data_out: Uint8Array, datlen: number): number {
  const fn = "evbuffer_remove";
  live(fn, buf);
  check_len_(fn, "datlen", data_out, "data_out", datlen);
  let n = copyout(fn, buf, null, data_out, datlen);
  if (n > 0 && evbuffer_drain_(buf, n) < 0) n = -1;
  return n;
}

/**
 * `ev_ssize_t evbuffer_copyout(struct evbuffer *buf, void *data_out, size_t datlen)`
 *
 * Copies the first `datlen` bytes (at most the buffer's length) into `data_out`, leaving them in
 * the buffer. Returns the number of bytes copied, or -1 when the front is frozen and there is
 * something to copy.
 * @param buf the buffer to copy from
 * @param data_out receives the bytes
 * @param datlen the most bytes to copy (at most `data_out.length`)
 * @returns the number of bytes copied, or -1 when the front is frozen and there is something to copy
 * @see {@link evbuffer_remove}, {@link evbuffer_copyout_from}, {@link evbuffer_peek}
 * @category Evbuffers
 */
export function evbuffer_copyout(buf: evbuffer, data_out: Uint8Array, datlen: number): number {
  const fn = "evbuffer_copyout";
  live(fn, buf);
  check_len_(fn, "datlen", data_out, "data_out", datlen);
  return copyout(fn, buf, null, data_out, datlen);
}

/**
 * `ev_ssize_t evbuffer_copyout_from(struct evbuffer *buf, const struct evbuffer_ptr *pos,
 * void *data_out, size_t datlen)`
 *
 * {@link evbuffer_copyout} starting at `pos` (null: the start): copies at most what lies after
 * `pos`. Returns the number of bytes copied, or -1 when the front is frozen.
 * Differs from C: a `pos` that is not a position in this buffer throws.
 * @param buf the buffer to copy from
 * @param pos where to start, or null for the start of the buffer
 * @param data_out receives the bytes
 * @param datlen the most bytes to copy (at most `data_out.length`)
 * @returns the number of bytes copied, or -1 when the front is frozen
 * @see {@link evbuffer_copyout}, {@link evbuffer_ptr_set}
 * @category Evbuffers
 */
export function evbuffer_copyout_from(buf: evbuffer, pos: evbuffer_ptr | null, data_out: Uint8Array, datlen: number): number {
  const fn = "evbuffer_copyout_from";
  live(fn, buf);
  check_len_(fn, "datlen", data_out, "data_out", datlen);
  if (pos !== null) {
    ptrArg(fn, buf, pos);
    if (pos.pos < 0) throw new RangeError(`${fn}: pos is not a position in the buffer (pos ${pos.pos})`);
  }
  return copyout(fn, buf, pos, data_out, datlen);
}

function copyout(fn: string, buf: evbuffer, pos: evbuffer_ptr | null, data_out: Uint8Array, datlen: number): number {
  let chain: evbuffer_chain | null;
  let pos_in_chain: number;
  if (pos !== null) {
    if (datlen > EV_SSIZE_MAX - pos.pos) return -1;
    chain = pos.internal_.chain;
    pos_in_chain = pos.internal_.pos_in_chain;
    if (datlen + pos.pos > buf.total_len) datlen = buf.total_len - pos.pos;
  } else {
    chain = buf.first;
    pos_in_chain = 0;
    if (datlen > buf.total_len) datlen = buf.total_len;
  }
  if (datlen === 0) return 0;
  if (buf.freeze_start) return -1;
  const nread = datlen;
  let at = 0;
  while (datlen && datlen >= chain!.off - pos_in_chain) {
    const copylen = chain!.off - pos_in_chain;
    // (A sendfile chain throws here: data_out may be partly written, the buffer is untouched.)
    if (copylen) {
      memOf(fn, chain!);
      copyOut(data_out, at, chain!, chain!.misalign + pos_in_chain, copylen);
    }
    at += copylen;
    datlen -= copylen;
    chain = chain!.next;
    pos_in_chain = 0;
  }
  if (datlen) {
    memOf(fn, chain!);
    copyOut(data_out, at, chain!, chain!.misalign + pos_in_chain, datlen);
  }
  return nread;
}

/**
 * `int evbuffer_remove_buffer(struct evbuffer *src, struct evbuffer *dst, size_t datlen)`
 *
 * Moves the first `datlen` bytes of `src` (at most all) to the end of `dst`: whole chains move
 * without copying, only a chain that is split has its first part copied. `dst`'s callbacks run,
 * then `src`'s.
 *
 * @returns the number of bytes moved, or -1 when `dst`'s end or `src`'s front is frozen.
 * @param src the buffer to take bytes from
 * @param dst the buffer to append them to
 * @param datlen the most bytes to move
 * @see {@link evbuffer_add_buffer}
 * @category Evbuffers
 */
export function evbuffer_remove_buffer(src: evbuffer, dst: evbuffer, datlen: number): number {
  const fn = "evbuffer_remove_buffer";
  live(fn, src, "src");
  live(fn, dst, "dst");
  datlen = check_size_(fn, "datlen", datlen);
  if (datlen === 0 || dst === src) return 0;
  if (dst.freeze_end || src.freeze_start) return -1;
  if (datlen >= src.total_len) {
    datlen = src.total_len;
    evbuffer_add_buffer_(dst, src);
    return datlen;
  }
  // Find the chain that is split: the whole chains before it move, its first bytes are copied
  // (so it must be memory: checked before anything changes).
  let chain = src.first!;
  let previous = chain;
  let nread = 0;
  let movesLastWithData = false;
  while (chain.off <= datlen) {
    nread += chain.off;
    datlen -= chain.off;
    previous = chain;
    if (src.last_with_datap === chain) movesLastWithData = true;
    chain = chain.next!;
  }
  const mem = memOf(fn, chain);
  if (movesLastWithData) src.last_with_datap = null;
  if (chain !== src.first) {
    // Whole chains move.
    const chp = evbuffer_free_trailing_empty_chains(dst);
    if (dst.first === null) dst.first = src.first;
    else assign(dst, chp, src.first);
    dst.last = previous;
    previous.next = null;
    src.first = chain;
    advance_last_with_data(dst);
    dst.total_len += nread;
    dst.n_add_for_cb += nread;
  }
  // The rest comes out of the split chain (C ignores evbuffer_add's result here too). The
  // callbacks wait until both buffers are consistent.
  addBytes(dst, mem, chain.misalign, datlen);
  chain.misalign += datlen;
  chain.off -= datlen;
  nread += datlen;
  src.total_len -= nread;
  src.n_del_for_cb += nread;
  if (nread) {
    evbuffer_invoke_callbacks_(dst);
    evbuffer_invoke_callbacks_(src);
  }
  return nread;
}

/**
 * `unsigned char *evbuffer_pullup(struct evbuffer *buf, ev_ssize_t size)`
 *
 * Makes the first `size` bytes (-1: all) contiguous, copying them into one chain if they are not,
 * and returns a view of them: valid until the buffer next changes, as in C.
 *
 * @returns a view of `size` bytes of the buffer's memory, or null when `size` is 0 or more than
 *   the buffer holds, or memory cannot be had.
 * @param buf the buffer
 * @param size how many bytes to make contiguous, or -1 for all
 * @see {@link evbuffer_get_contiguous_space}, {@link evbuffer_peek}
 * @category Searching and zero-copy access
 */
export function evbuffer_pullup(buf: evbuffer, size: number): Uint8Array | null {
  const fn = "evbuffer_pullup";
  live(fn, buf);
  size = ssizeArg(fn, "size", size);
  let chain = buf.first;
  if (size < 0) size = buf.total_len;
  if (size === 0 || size > buf.total_len) return null;
  const first = chain!;
  if (first.off >= size) {
    const mem = memOf(fn, first);
    expose(first);
    return mem.subarray(first.misalign, first.misalign + size);
  }
  for (let c: evbuffer_chain | null = first, left = size; c !== null && left > 0; c = c.next) {
    if (c.off) memOf(fn, c);
    left -= c.off;
  }
  const want = size;
  let tmp: evbuffer_chain;
  let mem: Buffer;
  let at: number;
  if (first.buffer_len - first.misalign >= size) {
    // The first chain has room for it all.
    const old_off = first.off;
    mem = first.buffer!;
    at = first.misalign + first.off;
    tmp = first;
    tmp.off = size;
    size -= old_off;
    chain = first.next;
  } else {
    const fresh = evbuffer_chain_new(size);
    if (fresh === null) return null;
    tmp = fresh;
    mem = tmp.buffer!;
    at = 0;
    tmp.off = size;
    buf.first = tmp;
  }
  const last_with_data = deref(buf, buf.last_with_datap);
  let removed_last_with_data = false;
  let removed_last_with_datap = false;
  while (chain !== null && size >= chain.off) {
    const next: evbuffer_chain | null = chain.next;
    copyOut(mem, at, chain, chain.misalign, chain.off);
    size -= chain.off;
    at += chain.off;
    if (chain === last_with_data) removed_last_with_data = true;
    if (buf.last_with_datap === chain) removed_last_with_datap = true;
    evbuffer_chain_free(chain);
    chain = next;
  }
  if (chain !== null) {
    copyOut(mem, at, chain, chain.misalign, size);
    chain.misalign += size;
    chain.off -= size;
  } else {
    buf.last = tmp;
  }
  tmp.next = chain;
  if (removed_last_with_data) {
    buf.last_with_datap = null;
  } else if (removed_last_with_datap) {
    const f = buf.first!;
    buf.last_with_datap = f.next !== null && f.next.off ? f : null;
  }
  flushReleases();
  expose(tmp);
  return tmp.buffer!.subarray(tmp.misalign, tmp.misalign + want);
}

// ---------------------------------------------------------------------------------------------
// Pointers, search, lines

function PTR_NOT_FOUND(ptr: evbuffer_ptr): void {
  ptr.pos = -1;
  ptr.internal_.chain = null;
  ptr.internal_.pos_in_chain = 0;
}

function ptrCopy(dst: evbuffer_ptr, src: evbuffer_ptr): void {
  dst.pos = src.pos;
  dst.internal_.chain = src.internal_.chain;
  dst.internal_.pos_in_chain = src.internal_.pos_in_chain;
  dst.internal_.buffer = src.internal_.buffer;
  dst.internal_.gen = src.internal_.gen;
}

/** Record which use of its chain a pointer handed out refers to. */
function stamp(ptr: evbuffer_ptr): evbuffer_ptr {
  const chain = ptr.internal_.chain;
  ptr.internal_.gen = chain !== null ? chain.gen : 0;
  return ptr;
}

/**
 * `int evbuffer_ptr_set(struct evbuffer *buffer, struct evbuffer_ptr *ptr, size_t position,
 * enum evbuffer_ptr_how how)`
 *
 * Sets `ptr` to `position` (`EVBUFFER_PTR_SET`) or moves it forward by `position`
 * (`EVBUFFER_PTR_ADD`). The position just past the last byte is valid.
 *
 * @returns 0, or -1 when the position lies beyond the buffer (then `ptr.pos` is -1) or `ptr`
 *   is not set (ADD on a pointer whose pos is -1).
 * @param buffer the buffer
 * @param ptr the pointer to set or move
 * @param position the position, or the distance to move
 * @param how `EVBUFFER_PTR_SET` or `EVBUFFER_PTR_ADD`
 * @see {@link evbuffer_search}, {@link evbuffer_peek}
 * @category Searching and zero-copy access
 */
export function evbuffer_ptr_set(buffer: evbuffer, ptr: evbuffer_ptr, position: number, how: evbuffer_ptr_how): number {
  const fn = "evbuffer_ptr_set";
  live(fn, buffer);
  if (!(ptr instanceof evbuffer_ptr)) throw new TypeError(`${fn}: not an evbuffer_ptr`);
  position = check_size_(fn, "position", position);
  check_int_(fn, "how", how);
  if (how === EVBUFFER_PTR_ADD) ptrArg(fn, buffer, ptr);
  const r = evbuffer_ptr_set_(buffer, ptr, position, how);
  stamp(ptr);
  return r;
}

function evbuffer_ptr_set_(buf: evbuffer, pos: evbuffer_ptr, position: number, how: number): number {
  let left = position;
  let chain: evbuffer_chain | null = null;
  if (how === EVBUFFER_PTR_SET) {
    chain = buf.first;
    pos.pos = position;
    position = 0;
  } else if (how === EVBUFFER_PTR_ADD) {
    if (pos.pos < 0 || EV_SIZE_MAX - position < pos.pos) return -1;
    chain = pos.internal_.chain;
    pos.pos += position;
    position = pos.internal_.pos_in_chain;
  }
  while (chain !== null && position + left >= chain.off) {
    left -= chain.off - position;
    chain = chain.next;
    position = 0;
  }
  pos.internal_.buffer = buf;
  if (chain !== null) {
    pos.internal_.chain = chain;
    pos.internal_.pos_in_chain = position + left;
  } else if (left === 0) {
    pos.internal_.chain = null;
    pos.internal_.pos_in_chain = 0;
  } else {
    PTR_NOT_FOUND(pos);
    return -1;
  }
  return 0;
}

function evbuffer_ptr_subtract(buf: evbuffer, pos: evbuffer_ptr, howfar: number): number {
  if (pos.pos < 0) return -1;
  if (howfar > pos.pos) return -1;
  if (pos.internal_.chain !== null && howfar <= pos.internal_.pos_in_chain) {
    pos.internal_.pos_in_chain -= howfar;
    pos.pos -= howfar;
    return 0;
  }
  return evbuffer_ptr_set_(buf, pos, pos.pos - howfar, EVBUFFER_PTR_SET);
}

/** memcmp of the buffer at `pos` with what[0..len): 0 when equal. */
function evbuffer_ptr_memcmp(fn: string, buf: evbuffer, pos: evbuffer_ptr, what: Uint8Array, len: number): number {
  if (pos.pos < 0 || EV_SIZE_MAX - len < pos.pos || pos.pos + len > buf.total_len) return -1;
  let chain = pos.internal_.chain;
  let position = pos.internal_.pos_in_chain;
  let w = 0;
  while (len && chain !== null) {
    const n = len + position > chain.off ? chain.off - position : len;
    const mem = memOf(fn, chain);
    const base = chain.misalign + position;
    for (let i = 0; i < n; i++) {
      const d = mem[base + i]! - what[w + i]!;
      if (d) return d;
    }
    w += n;
    len -= n;
    position = 0;
    chain = chain.next;
  }
  return 0;
}

/**
 * `struct evbuffer_ptr evbuffer_search(struct evbuffer *buffer, const char *what, size_t len,
 * const struct evbuffer_ptr *start)`
 *
 * Finds the first `len` bytes of `what` in the buffer, from `start` (null: the beginning)
 * inclusive. Returns a new pointer to the match; `.pos` is -1 when there is none. A `len` of 0
 * matches at `start`.
 * @param buffer the buffer
 * @param what the bytes to find, or a string (as UTF-8)
 * @param len how many bytes of `what` to find
 * @param start where to start, or null for the start of the buffer
 * @returns a new pointer to the match; `.pos` is -1 when there is none
 * @see {@link evbuffer_search_range}, {@link evbuffer_search_eol}, {@link evbuffer_ptr_set}
 * @category Searching and zero-copy access
 */
export function evbuffer_search(buffer: evbuffer, what: Uint8Array | string, len: number, start: evbuffer_ptr | null): evbuffer_ptr {
  return search("evbuffer_search", buffer, what, len, start, null);
}

/**
 * `struct evbuffer_ptr evbuffer_search_range(struct evbuffer *buffer, const char *what,
 * size_t len, const struct evbuffer_ptr *start, const struct evbuffer_ptr *end)`
 *
 * {@link evbuffer_search}, where a match counts only if it ends at or before `end` (null: the
 * end of the buffer).
 * @param buffer the buffer
 * @param what the bytes to find, or a string (as UTF-8)
 * @param len how many bytes of `what` to find
 * @param start where to start, or null for the start of the buffer
 * @param end where a match must end by, or null for the end of the buffer
 * @returns a new pointer to the match; `.pos` is -1 when there is none
 * @see {@link evbuffer_search}
 * @category Searching and zero-copy access
 */
export function evbuffer_search_range(buffer: evbuffer, what: Uint8Array | string, len: number,
  start: evbuffer_ptr | null, end: evbuffer_ptr | null): evbuffer_ptr {
  return search("evbuffer_search_range", buffer, what, len, start, end);
}

function search(fn: string, buffer: evbuffer, what: Uint8Array | string, len: number,
  start: evbuffer_ptr | null, end: evbuffer_ptr | null): evbuffer_ptr {
  live(fn, buffer);
  const w = check_bytes_(fn, "len", what, "what", len);
  if (start !== null) ptrArg(fn, buffer, start);
  if (end !== null) ptrArg(fn, buffer, end);
  return stamp(evbuffer_search_range_(fn, buffer, w, len, start, end, new evbuffer_ptr()));
}

/**
 * The search of evbuffer_search_range, into `pos`. libevent scans with memchr for the needle's
 * first byte and memcmp at each hit; this finds the same match, the first at or after the start,
 * with one native substring search per chain, comparing byte by byte only where a match could
 * cross into the next chain. As in libevent, a first match that ends past `end` means not found.
 */
function evbuffer_search_range_(fn: string, buffer: evbuffer, what: Uint8Array, len: number,
  start: evbuffer_ptr | null, end: evbuffer_ptr | null, pos: evbuffer_ptr): evbuffer_ptr {
  if (start !== null) ptrCopy(pos, start);
  else {
    pos.pos = 0;
    pos.internal_.chain = buffer.first;
    pos.internal_.pos_in_chain = 0;
  }
  pos.internal_.buffer = buffer;
  if (!len) return pos;
  const needle = what.length === len ? what : what.subarray(0, len);
  const first = what[0]!;
  // A match that starts past end's chain ends past end.
  const last_chain = end !== null ? end.internal_.chain : null;
  let chain = pos.internal_.chain;
  while (chain !== null) {
    const base = chain.misalign;
    const from = base + pos.internal_.pos_in_chain;
    const stop = base + chain.off;
    let at = -1;
    if (from < stop) {
      const mem = memOf(fn, chain);
      at = memmem(mem, needle, from, stop);
      // No match inside the chain: one may still start in its last len - 1 bytes.
      for (let s = at < 0 ? Math.max(from, stop - len + 1) : stop; s < stop; s++) {
        if (mem[s] !== first) continue;
        pos.internal_.pos_in_chain = s - base;
        const p0 = pos.pos;
        pos.pos += s - from;
        if (!evbuffer_ptr_memcmp(fn, buffer, pos, needle, len)) {
          at = s;
          pos.pos = p0;
          break;
        }
        pos.pos = p0;
      }
    }
    if (at >= 0) {
      pos.pos += at - from;
      pos.internal_.pos_in_chain = at - base;
      pos.internal_.chain = chain;
      if (end !== null && pos.pos + len > end.pos) break;
      return pos;
    }
    if (chain === last_chain) break;
    pos.pos += stop - from;
    chain = pos.internal_.chain = chain.next;
    pos.internal_.pos_in_chain = 0;
  }
  PTR_NOT_FOUND(pos);
  return pos;
}

/**
 * indexOf of `what` in `mem` from `from`, for a search meant to stop at `stop`: the result may
 * lie past `stop` (the caller bounds it). indexOf runs to the end of the memory, so past a long
 * stretch of free space it searches a view instead.
 */
function indexFrom(mem: Buffer, what: number | Uint8Array, from: number, stop: number): number {
  if (mem.length - stop > 4096 && mem.length - stop > stop - from) {
    if (mem.length > CHAIN_CACHE_CLASS_BYTES) {
      const at = index_of_(mem.subarray(from, stop), what, 0);
      return at < 0 ? -1 : at + from;
    }
    // Successive searches of one chain (readln after readln) share its end, so the view of the
    // memory up to there is kept for the next call rather than made each time (kept only for
    // memory that the chain cache would keep anyway).
    if (mem !== boundedMem || stop !== boundedStop) {
      boundedView = mem.subarray(0, stop);
      boundedMem = mem;
      boundedStop = stop;
    }
    return index_of_(boundedView, what, from);
  }
  return index_of_(mem, what, from);
}
// indexFrom's view of boundedMem[0, boundedStop).
let boundedMem: Buffer | null = null;
let boundedStop = 0;
let boundedView: Buffer = EMPTY;

/** memmem: where needle first lies entirely inside mem[from, stop), or -1. */
function memmem(mem: Buffer, needle: Uint8Array, from: number, stop: number): number {
  if (stop - from < needle.length) return -1;
  const at = indexFrom(mem, needle, from, stop);
  return at >= from && at + needle.length <= stop ? at : -1;
}

/** memchr: the index of `byte` in mem[from, stop), or -1. */
function memchr(mem: Buffer, byte: number, from: number, stop: number): number {
  const at = indexFrom(mem, byte, from, stop);
  return at >= from && at < stop ? at : -1;
}

/** The index of the first CR or LF in mem[from, stop), or -1. */
function memchrCrLf(mem: Buffer, from: number, stop: number): number {
  for (let at = from; at < stop; at++) {
    const c = mem[at]!;
    if (c === 0x0a || c === 0x0d) return at;
  }
  return -1;
}

/**
 * Move `it` to the next byte `chr` (evbuffer_strchr), or with `chr` -1 to the next CR or LF
 * (evbuffer_find_eol_char); its position, or -1.
 */
function evbuffer_strchr(fn: string, it: evbuffer_ptr, chr: number): number {
  let chain = it.internal_.chain;
  let i = it.internal_.pos_in_chain;
  while (chain !== null) {
    const base = chain.misalign;
    const stop = base + chain.off;
    let at = -1;
    if (base + i < stop) {
      const mem = memOf(fn, chain);
      at = chr < 0 ? memchrCrLf(mem, base + i, stop) : memchr(mem, chr, base + i, stop);
    }
    if (at >= 0) {
      it.internal_.chain = chain;
      it.internal_.pos_in_chain = at - base;
      it.pos += at - base - i;
      return it.pos;
    }
    it.pos += chain.off - i;
    i = 0;
    chain = chain.next;
  }
  return -1;
}

/** Count the CR and LF bytes at `ptr`, moving it past them. */
function evbuffer_strspn_crlf(fn: string, ptr: evbuffer_ptr): number {
  let count = 0;
  let chain = ptr.internal_.chain;
  let i = ptr.internal_.pos_in_chain;
  if (chain === null) return 0;
  for (;;) {
    const mem = chain.off ? memOf(fn, chain) : EMPTY;
    for (; i < chain.off; ++i) {
      const c = mem[chain.misalign + i]!;
      if (c !== 0x0d && c !== 0x0a) {
        ptr.internal_.chain = chain;
        ptr.internal_.pos_in_chain = i;
        ptr.pos += count;
        return count;
      }
      ++count;
    }
    i = 0;
    if (chain.next === null) {
      ptr.internal_.chain = chain;
      ptr.internal_.pos_in_chain = i;
      ptr.pos += count;
      return count;
    }
    chain = chain.next;
  }
}

function evbuffer_getchr(fn: string, it: evbuffer_ptr): number {
  const chain = it.internal_.chain;
  if (chain === null) return -1;
  return memOf(fn, chain)[chain.misalign + it.internal_.pos_in_chain]!;
}

/** A box for a single out-parameter (`size_t *n_read_out`, `size_t *eol_len_out`). @category Evbuffers */
export interface evbuffer_size_out {
  /** Set by the call. */
  value: number;
}

/**
 * `struct evbuffer_ptr evbuffer_search_eol(struct evbuffer *buffer, struct evbuffer_ptr *start,
 * size_t *eol_len_out, enum evbuffer_eol_style eol_style)`
 *
 * Finds the next end of line of the given style, from `start` (null: the beginning), without
 * removing anything. Returns a new pointer to it (`.pos` -1 when there is none) and sets
 * `eol_len_out.value` (if given) to the length of the end-of-line mark (0 when none).
 * @param buffer the buffer
 * @param start where to start, or null for the start of the buffer
 * @param eol_len_out if given, `.value` receives the length of the end-of-line mark, or null
 * @param eol_style how lines end: one of the `EVBUFFER_EOL_*` values
 * @returns a new pointer to it (`.pos` -1 when there is none) and sets `eol_len_out.value` (if given) to the length of the end-of-line mark (0 when none)
 * @see {@link evbuffer_readln}
 * @category Searching and zero-copy access
 */
export function evbuffer_search_eol(buffer: evbuffer, start: evbuffer_ptr | null, eol_len_out: evbuffer_size_out | null,
  eol_style: evbuffer_eol_style): evbuffer_ptr {
  const fn = "evbuffer_search_eol";
  live(fn, buffer);
  if (start !== null) ptrArg(fn, buffer, start);
  if (eol_len_out !== null) check_box_(fn, "eol_len_out", eol_len_out);
  return stamp(evbuffer_search_eol_(fn, buffer, start, eol_len_out, eol_style, new evbuffer_ptr()));
}

/** evbuffer_search_eol, into `it` (which may be `start`). */
function evbuffer_search_eol_(fn: string, buffer: evbuffer, start: evbuffer_ptr | null, eol_len_out: evbuffer_size_out | null,
  eol_style: number, it: evbuffer_ptr): evbuffer_ptr {
  let extra_drain = 0;
  let ok = false;
  if (start !== null && start.internal_.chain === null) {
    PTR_NOT_FOUND(it);
    it.internal_.buffer = buffer;
    if (eol_len_out) eol_len_out.value = 0;
    return it;
  }
  if (start !== null) ptrCopy(it, start);
  else {
    it.pos = 0;
    it.internal_.chain = buffer.first;
    it.internal_.pos_in_chain = 0;
  }
  it.internal_.buffer = buffer;
  const it2 = eolScratch;
  switch (eol_style) {
    case EVBUFFER_EOL_ANY: {
      if (evbuffer_strchr(fn, it, -1) < 0) break;
      ptrCopy(it2, it);
      extra_drain = evbuffer_strspn_crlf(fn, it2);
      ok = true;
      break;
    }
    case EVBUFFER_EOL_CRLF_STRICT: {
      if (evbuffer_search_range_(fn, buffer, CRLF, 2, it, null, it).pos < 0) break;
      extra_drain = 2;
      ok = true;
      break;
    }
    case EVBUFFER_EOL_CRLF: {
      const start_pos = it.pos;
      if (evbuffer_strchr(fn, it, 0x0a) < 0) break;
      extra_drain = 1;
      ok = true;
      if (it.pos === start_pos) break; // a LF at the start is not preceded by anything
      const lf = it.internal_.chain!;
      if (it.internal_.pos_in_chain > 0) {
        // The byte before is in the same chain (evbuffer_ptr_subtract's first case).
        if (lf.buffer![lf.misalign + it.internal_.pos_in_chain - 1] === 0x0d) {
          it.pos--;
          it.internal_.pos_in_chain--;
          extra_drain = 2;
        }
        break;
      }
      ptrCopy(it2, it);
      if (evbuffer_ptr_subtract(buffer, it2, 1) < 0) break;
      if (evbuffer_getchr(fn, it2) === 0x0d) {
        ptrCopy(it, it2);
        extra_drain = 2;
      }
      break;
    }
    case EVBUFFER_EOL_LF:
      if (evbuffer_strchr(fn, it, 0x0a) < 0) break;
      extra_drain = 1;
      ok = true;
      break;
    case EVBUFFER_EOL_NUL:
      if (evbuffer_strchr(fn, it, 0x00) < 0) break;
      extra_drain = 1;
      ok = true;
      break;
    default:
      break;
  }
  if (!ok) PTR_NOT_FOUND(it);
  if (eol_len_out) eol_len_out.value = extra_drain;
  return it;
}
const CRLF = Buffer.from("\r\n", "latin1");
/** Pointers and a box the line functions use internally (no call re-enters them). */
const eolScratch = new evbuffer_ptr();
const scratchPtr = new evbuffer_ptr();
const eolBox: evbuffer_size_out = { value: 0 };

/**
 * `char *evbuffer_readln(struct evbuffer *buffer, size_t *n_read_out, enum evbuffer_eol_style eol_style)`
 *
 * Removes the first complete line, as ended by `eol_style`, and its end-of-line mark. A partial
 * line at the end is never returned. When many lines wait in the buffer (LF and CRLF styles),
 * their text is decoded a few KiB at a time and each line is a slice of it, as the lines of
 * Node's readline are: a line kept for long keeps that text alive with it.
 *
 * @param n_read_out if given, `.value` gets the line's length in bytes (0 when there is none).
 * @returns the line without its end-of-line mark, decoded as UTF-8 (invalid bytes become
 *   U+FFFD, embedded NULs are kept), or null when there is no complete line, the front is
 *   frozen, or the style is not one of the `EVBUFFER_EOL_*` values.
 * @param buffer the buffer to read from (a bufferevent's input buffer, say)
 * @param eol_style how lines end: one of the `EVBUFFER_EOL_*` values
 * @see {@link evbuffer_search_eol}, {@link evbuffer_remove}, {@link evbuffer_add}
 * @example Read the complete lines of a buffer
 * ```ts
 * import {
 *   EVBUFFER_EOL_CRLF,
 *   evbuffer_add,
 *   evbuffer_free,
 *   evbuffer_get_length,
 *   evbuffer_new,
 *   evbuffer_readln,
 * } from "libevent-ts/event2/buffer";
 * import { strlen } from "libevent-ts/event2/util";
 *
 * const buf = evbuffer_new();
 * const text = "HELO example.org\r\nQUIT\npartial";
 * evbuffer_add(buf, text, strlen(text));
 * const n = { value: 0 };
 * let line: string | null;
 * while ((line = evbuffer_readln(buf, n, EVBUFFER_EOL_CRLF)) !== null) {
 *   // "16 bytes: HELO example.org", then "4 bytes: QUIT"
 *   console.log(`${n.value} bytes: ${line}`);
 * }
 * // 7: "partial" waits for the end of its line
 * console.log(evbuffer_get_length(buf));
 * evbuffer_free(buf);
 * ```
 * @category Evbuffers
 */
export function evbuffer_readln(buffer: evbuffer, n_read_out: evbuffer_size_out | null, eol_style: evbuffer_eol_style): string | null {
  const fn = "evbuffer_readln";
  live(fn, buffer);
  // A box that cannot take the length would fail only after the line was drained: refuse it
  // first. (Cheap tests on this hot path; the checks name the fault.)
  if (n_read_out !== null && (typeof n_read_out !== "object" || !("value" in n_read_out))) check_box_(fn, "n_read_out", n_read_out);
  if ((eol_style | 0) !== eol_style) check_int_(fn, "eol_style", eol_style);
  const first = buffer.first;
  if ((eol_style === EVBUFFER_EOL_LF || eol_style === EVBUFFER_EOL_CRLF) && first !== null &&
      first.buffer !== null && !buffer.freeze_start) {
    // The usual case without pointers: the line and its LF lie in the first chain.
    const mem = first.buffer;
    const base = first.misalign;
    const stop = base + first.off;
    // The line's text comes from the chain's decoded block when it lies there (see
    // evbuffer_chain.lines), else from the bytes.
    const inBlock = base >= first.linesStart && base < first.linesEnd;
    if (!inBlock && stop - base < LINES_MIN && first.memId !== 0) {
      // A few lines at most: the addon finds the LF and makes the line's text in one call.
      return shortLine(buffer, first, base, stop, eol_style === EVBUFFER_EOL_CRLF, n_read_out) ??
        readlnSpanning(fn, buffer, n_read_out, eol_style);
    }
    let lf = -1;
    if (inBlock && first.lines !== null) {
      const at = first.lines.indexOf("\n", base - first.linesStart);
      if (at >= 0) lf = at + first.linesStart;
    }
    if (lf < 0) lf = memchr(mem, 0x0a, base, stop);
    if (lf >= 0) {
      const end = eol_style === EVBUFFER_EOL_CRLF && lf > base && mem[lf - 1] === 0x0d ? lf - 1 : lf;
      let line: string;
      if (end === base) line = "";
      else if (inBlock && first.lines !== null && lf < first.linesEnd) {
        line = first.lines.slice(base - first.linesStart, end - first.linesStart);
      } else if (!inBlock && stop - base >= LINES_MIN && first.flags === 0 && !first.exposed) {
        line = linesBlock(first, base, lf, end, stop);
      } else {
        line = utf8_slice_(mem, base, end);
      }
      drainLine(buffer, first, base, end, lf, stop);
      if (n_read_out) n_read_out.value = end - base;
      return line;
    }
  }
  return readlnSpanning(fn, buffer, n_read_out, eol_style);
}

/**
 * evbuffer_readln of a line in `first`, the first chain, which holds a few lines at most (its
 * data [base, stop), its memory numbered for the addon): the line's text, drained with its end
 * of line; null when its LF is not in the chain (nothing drained, n_read_out untouched).
 */
function shortLine(buffer: evbuffer, first: evbuffer_chain, base: number, stop: number, crlf: boolean,
                   n_read_out: evbuffer_size_out | null): string | null {
  const line = chainLine(first, base, stop, crlf);
  if (line !== null) {
    // (Made int32: a double from the Float64Array, passed on, would make V8 keep the chain's
    // offsets as doubles everywhere.)
    const n = memArgs[0]! | 0;
    drainLine(buffer, first, base, base + n, base + (memArgs[1]! | 0), stop);
    if (n_read_out) n_read_out.value = n;
  }
  return line;
}

/**
 * Drain a line read from the first chain `first` (its data [base, stop)): the text [base, end)
 * and the end of line to `lf` (its LF), as evbuffer_readln drains them.
 */
function drainLine(buffer: evbuffer, first: evbuffer_chain, base: number, end: number, lf: number, stop: number): void {
  const len = lf + 1 - base;
  if (buffer.callbacks === null) {
    if (lf + 1 < stop) {
      // One drain that only moves the chain's start, as evbuffer_drain_ would move it.
      first.misalign += len;
      first.off -= len;
      buffer.total_len -= len;
      buffer.n_del_for_cb += len;
      evbuffer_invoke_callbacks_(buffer);
    } else evbuffer_drain_(buffer, len); // (which frees the chain)
  } else {
    // The callbacks are told of the line, then of its end-of-line mark, as below.
    if (end > base) evbuffer_drain_(buffer, end - base);
    evbuffer_drain_(buffer, lf + 1 - end);
  }
}

/** evbuffer_readln's other cases: the line found by evbuffer_search_eol_, across chains. */
function readlnSpanning(fn: string, buffer: evbuffer, n_read_out: evbuffer_size_out | null, eol_style: evbuffer_eol_style): string | null {
  let result: string | null = null;
  let n_to_copy = 0;
  if (!buffer.freeze_start) {
    const it = evbuffer_search_eol_(fn, buffer, null, eolBox, eol_style, scratchPtr);
    if (it.pos >= 0) {
      n_to_copy = it.pos;
      const extra_drain = eolBox.value;
      result = lineText(buffer, n_to_copy);
      if (buffer.callbacks === null) {
        // With no callback to tell, the line and its end-of-line mark go in one drain.
        evbuffer_drain_(buffer, n_to_copy + extra_drain);
      } else {
        if (n_to_copy > 0) evbuffer_drain_(buffer, n_to_copy);
        evbuffer_drain_(buffer, extra_drain);
      }
    }
  }
  if (n_read_out) n_read_out.value = result !== null ? n_to_copy : 0;
  return result;
}

/**
 * Lines are read from a decoded block when at least this many bytes wait in the first chain
 * (fewer are likely one line, for which a block is no saving), in blocks of LINES_BLOCK bytes.
 * Making a string from bytes costs V8 about as much for 4 KiB as for 40 bytes, and a line sliced
 * from a decoded block costs a fraction of that. (A line kept by the program keeps its block's
 * text alive too, as the lines Node's readline splits from a decoded chunk do.)
 */
const LINES_MIN = 512;
const LINES_BLOCK = 4096;

/**
 * The line mem[base, end) of `chain` (its LF at `lf`, the data ending at `stop`), from a new
 * decoded block of the chain's data from `base`: one that holds the line, and the lines after it
 * up to LINES_BLOCK bytes. Bytes that are not all ASCII are marked as such (null text), and their
 * lines decoded one by one as UTF-8.
 */
function linesBlock(chain: evbuffer_chain, base: number, lf: number, end: number, stop: number): string {
  let blockEnd = base + LINES_BLOCK < stop ? base + LINES_BLOCK : stop;
  if (blockEnd <= lf) blockEnd = lf + 1;
  const mem = chain.buffer!;
  chain.linesStart = base;
  chain.linesEnd = blockEnd;
  if (isAscii(new Uint8Array(chain.ab!, chain.abOff + base, blockEnd - base))) {
    const text = latin1_slice_(mem, base, blockEnd);
    chain.lines = text;
    return text.slice(0, end - base);
  }
  chain.lines = null;
  return utf8_slice_(mem, base, end);
}

/**
 * The text of the line in chain memory from `base` (a chain numbered for the addon, its data
 * ending at `stop`), without its LF (and CR before it, for `crlf`), decoded as UTF-8; the LF's
 * offset from `base` is left in memArgs[1], the text's length in bytes in memArgs[0]. null when
 * the LF is not there.
 */
function chainLine(chain: evbuffer_chain, base: number, stop: number, crlf: boolean): string | null {
  memArgs[1] = crlf ? 1 : 0;
  mem_extent_(2, chain.memId, base, stop - base);
  const r = mem_known_(native.memLine(), chain.memId, chain.buffer!, native.memLine);
  return typeof r === "string" ? r : null;
}

/** Where a line that spans chains is gathered; grown as needed. */
let lineScratch = Buffer.allocUnsafe(1024);

/** The first n bytes as UTF-8 text, decoded from chain memory (gathered first if they span chains). */
function lineText(buf: evbuffer, n: number): string {
  if (n === 0) return "";
  const first = buf.first!;
  if (first.off >= n) return utf8_slice_(first.buffer!, first.misalign, first.misalign + n);
  if (lineScratch.length < n) lineScratch = Buffer.allocUnsafe(Math.max(n, lineScratch.length * 2));
  copyout("evbuffer_readln", buf, null, lineScratch, n);
  return utf8_slice_(lineScratch, 0, n);
}

/**
 * `int evbuffer_peek(struct evbuffer *buffer, ev_ssize_t len, struct evbuffer_ptr *start_at,
 * struct evbuffer_iovec *vec_out, int n_vec)`
 *
 * Describes the buffer's memory without copying: fills up to `n_vec` extents of `vec_out` with
 * views of the chains that hold the first `len` bytes (-1: all) from `start_at` (null: the
 * start). One extent per chain; the last may cover more than `len`.
 *
 * @returns the number of extents needed, which may exceed `n_vec` (0 at the end of the buffer).
 * @param buffer the buffer
 * @param len how many bytes to describe, or -1 for all
 * @param start_at where to start, or null for the start of the buffer
 * @param vec_out receives the extents (an array of `evbuffer_iovec` objects), or null just to count them
 * @param n_vec how many extents `vec_out` has room for
 * @see {@link evbuffer_pullup}, {@link evbuffer_copyout}
 * @category Searching and zero-copy access
 */
export function evbuffer_peek(buffer: evbuffer, len: number, start_at: evbuffer_ptr | null,
  vec_out: evbuffer_iovec[] | null, n_vec: number): number {
  const fn = "evbuffer_peek";
  live(fn, buffer);
  len = ssizeArg(fn, "len", len);
  vecArg(fn, vec_out, n_vec);
  if (start_at !== null) {
    ptrArg(fn, buffer, start_at);
    if (start_at.internal_.chain === null) return 0;
  }
  let chain: evbuffer_chain | null;
  let idx = 0;
  let len_so_far = 0;
  if (start_at !== null) {
    chain = start_at.internal_.chain!;
    len_so_far = chain.off - start_at.internal_.pos_in_chain;
    idx = 1;
    if (n_vec > 0) setExtent(vec_out![0]!, chain, start_at.internal_.pos_in_chain);
    chain = chain.next;
  } else {
    chain = buffer.first;
  }
  if (n_vec === 0 && len < 0) {
    len = buffer.total_len;
    if (start_at !== null) len -= start_at.pos;
  }
  while (chain !== null) {
    if (len >= 0 && len_so_far >= len) break;
    if (idx < n_vec) setExtent(vec_out![idx]!, chain, 0);
    else if (len < 0) break;
    ++idx;
    len_so_far += chain.off;
    chain = chain.next;
  }
  return idx;
}

function setExtent(v: evbuffer_iovec, chain: evbuffer_chain, from: number): void {
  const mem = chain.buffer;
  expose(chain);
  v.iov_base = mem === null ? null : mem.subarray(chain.misalign + from, chain.misalign + chain.off);
  v.iov_len = chain.off - from;
}

// ---------------------------------------------------------------------------------------------
// File segments in buffers

/**
 * `int evbuffer_add_file_segment(struct evbuffer *buf, struct evbuffer_file_segment *seg,
 * ev_off_t offset, ev_off_t length)`
 *
 * Appends `length` bytes (-1: the rest) of the segment from `offset` within it, without copying:
 * the chain refers to the segment, which it keeps alive. With `EVBUFFER_FLAG_DRAINS_TO_FD` set on
 * the buffer and a segment that can use sendfile, the bytes stay in the file and
 * `evbuffer_write` sends them with sendfile(2); otherwise the segment is read into memory (once).
 *
 * @returns 0, or -1 (end frozen, range outside the segment, file unreadable). As in libevent,
 *   a failure other than an unreadable file also drops one reference to `seg`.
 * @param buf the buffer
 * @param seg the file segment (the buffer takes a reference)
 * @param offset where in the segment to start
 * @param length how many bytes, or -1 for the rest of the segment
 * @see {@link evbuffer_file_segment_new}, {@link evbuffer_add_file}
 * @category Files
 */
export function evbuffer_add_file_segment(buf: evbuffer, seg: evbuffer_file_segment, offset: number, length: number): number {
  const fn = "evbuffer_add_file_segment";
  live(fn, buf);
  evbuffer_file_segment_check_(fn, seg);
  if (ssizeArg(fn, "offset", offset) < 0) throw new RangeError(`${fn}: offset ${offset} is negative`);
  if (ssizeArg(fn, "length", length) < -1) throw new RangeError(`${fn}: length ${length} is negative (-1: to the end)`);
  let can_use_sendfile = false;
  if (buf.flags & EVBUFFER_FLAG_DRAINS_TO_FD) {
    can_use_sendfile = true;
  } else if (!seg.contents && evbuffer_file_segment_materialize_(seg) < 0) {
    return -1;
  }
  if (!buf.freeze_end) {
    if (length < 0 && offset <= seg.length) length = seg.length - offset;
    if (length >= 0 && offset + length <= seg.length) {
      let chain: evbuffer_chain;
      if (can_use_sendfile && seg.can_sendfile) {
        chain = evbuffer_chain_new_external(null, seg.file_offset + offset + length,
          EVBUFFER_IMMUTABLE | EVBUFFER_FILESEGMENT | EVBUFFER_SENDFILE);
        chain.misalign = seg.file_offset + offset;
      } else {
        chain = evbuffer_chain_new_external(seg.contents!.subarray(offset, offset + length), length,
          EVBUFFER_IMMUTABLE | EVBUFFER_FILESEGMENT);
      }
      chain.off = length;
      ++seg.refcnt;
      chain.info = seg;
      buf.n_add_for_cb += length;
      evbuffer_chain_insert(buf, chain);
      evbuffer_invoke_callbacks_(buf);
      return 0;
    }
  }
  flushReleases();
  evbuffer_file_segment_decref_(seg);
  return -1;
}

/**
 * `int evbuffer_add_file(struct evbuffer *outbuf, int fd, ev_off_t offset, ev_off_t length)`
 *
 * Appends `length` bytes (-1: to the end) of the file `fd` from `offset`, as a file segment that
 * owns `fd`: it is closed once the data has been drained or the buffer freed, and also when
 * adding fails after the segment was made. When the segment cannot be made (-1 from here with
 * `fd` untouched) the caller still owns `fd`.
 *
 * @returns 0, or -1 (see {@link evbuffer_file_segment_new} and {@link evbuffer_add_file_segment}).
 * Differs from C: when the file cannot be read into memory (a buffer without
 * `EVBUFFER_FLAG_DRAINS_TO_FD`, an unreadable or short file), libevent keeps the segment, and so
 * `fd`, open with nothing referring to it; this port releases it, closing `fd` as on the other
 * failures.
 * @param outbuf the buffer to append to
 * @param fd the file's descriptor (the buffer takes it over)
 * @param offset where in the file to start
 * @param length how many bytes, or -1 for the rest of the file
 * @see {@link evbuffer_add_file_segment}, {@link evbuffer_file_segment_new}
 * @category Files
 */
export function evbuffer_add_file(outbuf: evbuffer, fd: number, offset: number, length: number): number {
  const fn = "evbuffer_add_file";
  live(fn, outbuf);
  check_int_(fn, "fd", fd);
  check_int_(fn, "offset", offset);
  check_int_(fn, "length", length);
  const seg = evbuffer_file_segment_new(fd, offset, length, EVBUF_FS_CLOSE_ON_FREE);
  if (seg === null) return -1;
  const r = evbuffer_add_file_segment(outbuf, seg, 0, length);
  // Drop this function's reference: the buffer holds its own. A failure has dropped it already,
  // but for a file that could not be read.
  if (seg.refcnt > 0) evbuffer_file_segment_decref_(seg);
  return r;
}

// ---------------------------------------------------------------------------------------------
// File descriptors

/**
 * `int evbuffer_read(struct evbuffer *buffer, evutil_socket_t fd, int howmuch)`
 *
 * One readv(2) from `fd` straight into the buffer's free space: at most `howmuch` bytes (-1: no
 * limit of the caller's), never more than FIONREAD reports nor 4096 (EVBUFFER_MAX_READ), over
 * up to four chains, as libevent does.
 *
 * @returns the bytes read, 0 at end of file, or -1 with errno set (EAGAIN when nothing is
 *   there, EBADF for a negative fd), or -1 when the end is frozen.
 * @throws TypeError when `fd` is not an integer.
 * @param buffer the buffer
 * @param fd the socket or file to read from
 * @param howmuch the most bytes to read, or -1 for as many as are ready
 * @see {@link evbuffer_write}
 * @category Evbuffers
 */
export function evbuffer_read(buffer: evbuffer, fd: number, howmuch: number): number {
  const fn = "evbuffer_read";
  live(fn, buffer);
  fd_ok_(fn, fd); // a negative fd goes on to fail as the system calls fail on it
  return evbuffer_read_(buffer, fd, ssizeArg(fn, "howmuch", howmuch));
}

/**
 * @internal evbuffer_read without the argument checks, for the socket bufferevent's read path
 * (a live buffer, an integer fd, an integer howmuch).
 */
export function evbuffer_read_(buffer: evbuffer, fd: number, howmuch: number): number {
  if (buffer.freeze_end) return -1;
  const fdOk = fd >= 0;
  if (fdOk && howmuch !== 0) {
    // The common case in one call into the addon: the data fits the one chain libevent would read
    // into without allocating (see readSized_). Otherwise it says how much to make room for.
    const r = readSized_(buffer, fd, howmuch < 0 || howmuch > EVBUFFER_MAX_READ ? EVBUFFER_MAX_READ : howmuch);
    if (r > -READ_SIZED_WANTS) return evbuffer_read_done_(buffer, r);
    if (r !== READ_SIZED_UNTRIED) return evbuffer_read_into_(buffer, fd, -READ_SIZED_WANTS - r);
  }
  // libevent's sizing: what FIONREAD reports, cut to EVBUFFER_MAX_READ and to howmuch.
  let n = fdOk ? native.fionread(fd) : -1;
  if (n <= 0 || n > EVBUFFER_MAX_READ) n = EVBUFFER_MAX_READ;
  if (howmuch < 0 || howmuch > n) howmuch = n;
  return evbuffer_read_into_(buffer, fd, howmuch);
}

/** evbuffer_read once sized: make room for `howmuch` bytes over up to NUM_READ_IOVEC chains, read into them. */
function evbuffer_read_into_(buffer: evbuffer, fd: number, howmuch: number): number {
  if (evbuffer_expand_fast_(buffer, howmuch, NUM_READ_IOVEC) === -1) {
    flushReleases();
    return -1;
  }
  const nvecs = evbuffer_read_setup_vecs_(buffer, howmuch, NUM_READ_IOVEC, true);
  let chainp = setupFirst;
  const n = readIntoSetup(fd, nvecs);
  clearSetup(nvecs);
  flushReleases();
  let remaining = n;
  for (let i = 0; i < nvecs && remaining > 0; ++i) {
    const chain = deref(buffer, chainp)!;
    const space = CHAIN_SPACE_LEN(chain);
    if (space < remaining) {
      chain.off += space;
      remaining -= space;
    } else {
      chain.off += remaining;
      buffer.last_with_datap = chainp;
      break;
    }
    chainp = chain;
  }
  return evbuffer_read_done_(buffer, n);
}

/** The end of every evbuffer_read once the bytes are in their chains: the result (-1 with errno), the counts, the callbacks. */
function evbuffer_read_done_(buffer: evbuffer, n: number): number {
  if (n < 0) return fail(n);
  if (n === 0) return 0;
  buffer.total_len += n;
  buffer.n_add_for_cb += n;
  evbuffer_invoke_callbacks_(buffer);
  return n;
}

/** native.readSized's "not read, wants N bytes" results are -(READ_SIZED_WANTS + N). */
const READ_SIZED_WANTS = native.constants.READ_SIZED_WANTS;
/** readSized_ did not try: the usual path (FIONREAD, make room, read) follows. */
const READ_SIZED_UNTRIED = -2 * READ_SIZED_WANTS;

/**
 * evbuffer_read when the read fits one chain. libevent sizes the read with FIONREAD, makes room
 * (evbuffer_expand_fast_), then reads into the first chain with space. When that chain can take
 * any size up to what it holds free (the last chain with data, if it has space; or, in an empty
 * buffer, a new chain of the smallest size, which libevent allocates for any read that fits it),
 * native.readSized sizes (FIONREAD cut to `max`) and reads in one call, and the bytes are put in
 * that chain (an empty buffer keeps its new chain even when nothing was read, as in C). Returns
 * the read's result (bytes, 0, or -errno); or at most -READ_SIZED_WANTS when the size did not
 * fit: nothing was read nor changed, and -(result + READ_SIZED_WANTS) is the size; or
 * READ_SIZED_UNTRIED when the case is not one of these (nothing asked, nothing changed).
 */
function readSized_(buffer: evbuffer, fd: number, max: number): number {
  const last = buffer.last;
  if (last === null) {
    const chain = evbuffer_chain_new(1);
    if (chain === null) return READ_SIZED_UNTRIED; // no memory for the guess: the usual path says so
    const r = memReadSized(fd, chain, 0, chain.buffer_len, max);
    if (r <= -READ_SIZED_WANTS) {
      recycleChain(chain);
      return r;
    }
    evbuffer_chain_insert(buffer, chain);
    if (r > 0) chain.off = r;
    return r;
  }
  if (last.flags & EVBUFFER_IMMUTABLE) return READ_SIZED_UNTRIED;
  const chain = deref(buffer, buffer.last_with_datap)!;
  if (chain.off === 0) chain.misalign = 0; // as evbuffer_expand_fast_ does first
  const space = CHAIN_SPACE_LEN(chain);
  if (space === 0) return READ_SIZED_UNTRIED;
  const r = memReadSized(fd, chain, chain.misalign + chain.off, space, max);
  if (r > 0) chain.off += r;
  return r;
}

// The reads and writes of chain memory pass no Uint8Array: their arguments go in the addon's
// argument block, a chain's memory by its number (see native/mem.ts).

/** native.readSized into chain's memory [off, off + space). */
function memReadSized(fd: number, chain: evbuffer_chain, off: number, space: number, max: number): number {
  if (chain.memId === 0) return native.readSized(fd, chain.buffer!, off, space, max);
  memArgs[0] = fd;
  memArgs[1] = max;
  mem_extent_(2, chain.memId, off, space);
  return mem_known_(native.memReadSized(), chain.memId, chain.buffer!, native.memReadSized);
}

const readBufs: Uint8Array[] = new Array<Uint8Array>(NUM_READ_IOVEC).fill(EMPTY);
const readOffLen = new Int32Array(NUM_READ_IOVEC * 2);

/** One readv into the extents set up (up to NUM_READ_IOVEC chains, as libevent): its result or -errno. */
function readIntoSetup(fd: number, nvecs: number): number {
  if (fd < 0) return -EBADF;
  if (nvecs === 0) return native.read(fd, EMPTY, 0, 0);
  let known = true;
  for (let i = 0; i < nvecs; i++) {
    const c = setupChains[i]!;
    if (c.memId === 0) known = false;
    mem_extent_(2 + 3 * i, c.memId, c.misalign + c.off, setupLens[i]!);
    readBufs[i] = c.buffer!;
  }
  let r: number;
  if (known) {
    memArgs[0] = fd;
    memArgs[1] = nvecs;
    const call = nvecs === 1 ? native.memRead : native.memReadv;
    r = mem_known_all_(call(), nvecs, readBufs, call);
  } else {
    offLenOfArgs(readOffLen, nvecs);
    r = native.readv(fd, readBufs, readOffLen, nvecs);
  }
  readBufs.fill(EMPTY, 0, nvecs);
  return r;
}

/** The (offset, length) of each of the n extents in memArgs, into offLen: for a call on memory the addon does not know. */
function offLenOfArgs(offLen: Int32Array, n: number): void {
  for (let k = 0; k < n; k++) {
    offLen[2 * k] = memArgs[3 + 3 * k]!;
    offLen[2 * k + 1] = memArgs[4 + 3 * k]!;
  }
}

const writeBufs: Uint8Array[] = new Array<Uint8Array>(NUM_WRITE_IOVEC).fill(EMPTY);
const writeOffLen = new Int32Array(NUM_WRITE_IOVEC * 2);

function evbuffer_write_iovec(buffer: evbuffer, fd: number, howmuch: number): number {
  let chain = buffer.first;
  let i = 0;
  let known = true;
  while (chain !== null && i < NUM_WRITE_IOVEC && howmuch) {
    if (chain.flags & EVBUFFER_SENDFILE) break; // file data cannot go through writev
    const len = howmuch >= chain.off ? chain.off : howmuch;
    if (chain.memId === 0) known = false;
    mem_extent_(2 + 3 * i, chain.memId, chain.misalign, len);
    writeBufs[i++] = chain.buffer!;
    if (len < chain.off) break;
    howmuch -= len;
    chain = chain.next;
  }
  if (!i) return 0;
  const n = fd < 0 ? -EBADF : known ? memWriteExtents(fd, i) : writeBuffers(fd, i);
  for (let k = 0; k < i; k++) writeBufs[k] = EMPTY;
  return n < 0 ? fail(n) : n;
}

/** Write the n extents in memArgs (the chains' memory in writeBufs) to fd. */
function memWriteExtents(fd: number, n: number): number {
  memArgs[0] = fd;
  memArgs[1] = n;
  // One extent: write(2) is writev(2) of one iovec, and a cheaper call.
  const call = n === 1 ? native.memWrite : native.memWritev;
  return mem_known_all_(call(), n, writeBufs, call);
}

/** Write the n extents in memArgs from the Uint8Arrays in writeBufs (memory the addon does not know). */
function writeBuffers(fd: number, n: number): number {
  offLenOfArgs(writeOffLen, n);
  return n === 1
    ? native.write(fd, writeBufs[0]!, writeOffLen[0]!, writeOffLen[1]!)
    : native.writev(fd, writeBufs, writeOffLen, n);
}

function evbuffer_write_sendfile(buffer: evbuffer, dest_fd: number): number {
  const chain = buffer.first!;
  const seg = chain.info as evbuffer_file_segment;
  const res = dest_fd < 0 ? -EBADF : native.sendfile(dest_fd, seg.fd, chain.misalign, chain.off);
  if (res === -EAGAIN || res === -EINTR) {
    set_errno(-res);
    return 0;
  }
  return res < 0 ? fail(res) : res;
}

/**
 * `int evbuffer_write_atmost(struct evbuffer *buffer, evutil_socket_t fd, ev_ssize_t howmuch)`
 *
 * Writes at most `howmuch` bytes (-1: all) from the front of the buffer to `fd` with one
 * writev(2) over up to 128 chains, or one sendfile(2) when the first chain is a file segment
 * for sendfile (then the whole chain is offered, whatever `howmuch`, as in libevent), and drains
 * what was written.
 *
 * @returns the bytes written, or -1 with errno set (EBADF for a negative fd); -1 also when the
 *   front is frozen or the buffer is empty (as libevent). sendfile's EAGAIN gives 0.
 * @throws TypeError when `fd` is not an integer.
 * @param buffer the buffer
 * @param fd the socket or file to write to
 * @param howmuch the most bytes to write, or -1 for all
 * @see {@link evbuffer_write}, {@link evbuffer_read}
 * @category Evbuffers
 */
export function evbuffer_write_atmost(buffer: evbuffer, fd: number, howmuch: number): number {
  const fn = "evbuffer_write_atmost";
  live(fn, buffer);
  fd_ok_(fn, fd);
  return evbuffer_write_atmost_(buffer, fd, ssizeArg(fn, "howmuch", howmuch));
}

/**
 * @internal evbuffer_write_atmost without the argument checks, for the socket bufferevent's write
 * path (a live buffer, an integer fd, an integer howmuch).
 */
export function evbuffer_write_atmost_(buffer: evbuffer, fd: number, howmuch: number): number {
  let n = -1;
  if (buffer.freeze_start) return -1;
  if (howmuch < 0 || howmuch > buffer.total_len) howmuch = buffer.total_len;
  if (howmuch > 0) {
    const chain = buffer.first;
    if (chain !== null && chain.flags & EVBUFFER_SENDFILE) n = evbuffer_write_sendfile(buffer, fd);
    else n = evbuffer_write_iovec(buffer, fd, howmuch);
  }
  if (n > 0) evbuffer_drain_(buffer, n);
  return n;
}

/**
 * `int evbuffer_write(struct evbuffer *buffer, evutil_socket_t fd)`:
 * {@link evbuffer_write_atmost} with no limit.
 * @param buffer the buffer
 * @param fd the socket or file to write to
 * @returns the number of bytes written, or -1 with errno (EAGAIN when the socket is full)
 * @see {@link evbuffer_write_atmost}, {@link evbuffer_read}
 * @category Evbuffers
 */
export function evbuffer_write(buffer: evbuffer, fd: number): number {
  live("evbuffer_write", buffer);
  fd_ok_("evbuffer_write", fd);
  return evbuffer_write_atmost_(buffer, fd, -1);
}

// ---------------------------------------------------------------------------------------------
// Callbacks (public)

/**
 * `struct evbuffer_cb_entry *evbuffer_add_cb(struct evbuffer *buffer, evbuffer_cb_func cb, void *cbarg)`
 *
 * Adds a callback, enabled, run after every change of the buffer's length (newest callbacks run
 * first). Returns its entry, for `evbuffer_remove_cb_entry` and `evbuffer_cb_set_flags`.
 * @param buffer the buffer
 * @param cb called as `cb(buffer, info, cbarg)` after the length changed, or null
 * @param cbarg passed untouched to the callback as its last argument
 * @returns its entry, for `evbuffer_remove_cb_entry` and `evbuffer_cb_set_flags`
 * @see {@link evbuffer_remove_cb_entry}, {@link evbuffer_cb_set_flags}, {@link evbuffer_defer_callbacks}
 * @category Callbacks
 */
export function evbuffer_add_cb<A>(buffer: evbuffer, cb: evbuffer_cb_func<A> | null, cbarg: A): evbuffer_cb_entry {
  live("evbuffer_add_cb", buffer);
  check_fn_or_null_("evbuffer_add_cb", "cb", cb);
  return addCb(buffer, cb as evbuffer_cb_func | null, cbarg);
}

function addCb(buffer: evbuffer, cb: evbuffer_cb_func | evbuffer_cb | null, cbarg: unknown): evbuffer_cb_entry {
  const e = new evbuffer_cb_entry(buffer, cb, cbarg);
  e.next = buffer.callbacks;
  if (e.next !== null) e.next.prev = e;
  buffer.callbacks = e;
  return e;
}

function entryArg(fn: string, buffer: evbuffer, ent: evbuffer_cb_entry): void {
  if (!(ent instanceof evbuffer_cb_entry)) throw new TypeError(`${fn}: not an evbuffer_cb_entry`);
  if (ent.owner !== buffer) throw new TypeError(`${fn}: the callback entry is not one of this buffer's`);
}

/**
 * `int evbuffer_remove_cb_entry(struct evbuffer *buffer, struct evbuffer_cb_entry *ent)`:
 * removes a callback. Returns 0. Differs from C: an entry that is not (or no longer) one of the
 * buffer's throws a TypeError.
 * @param buffer the buffer
 * @param ent the entry {@link evbuffer_add_cb} returned
 * @returns 0
 * @see {@link evbuffer_add_cb}, {@link evbuffer_remove_cb}
 * @category Callbacks
 */
export function evbuffer_remove_cb_entry(buffer: evbuffer, ent: evbuffer_cb_entry): number {
  const fn = "evbuffer_remove_cb_entry";
  live(fn, buffer);
  entryArg(fn, buffer, ent);
  if (ent.prev !== null) ent.prev.next = ent.next;
  else buffer.callbacks = ent.next;
  if (ent.next !== null) ent.next.prev = ent.prev;
  ent.owner = null;
  return 0;
}

/**
 * `int evbuffer_remove_cb(struct evbuffer *buffer, evbuffer_cb_func cb, void *cbarg)`:
 * removes the newest callback with this function and argument. Returns 0, or -1 if there is none.
 * @param buffer the buffer
 * @param cb the callback given to {@link evbuffer_add_cb}
 * @param cbarg the argument given with it
 * @returns 0, or -1 if there is none
 * @see {@link evbuffer_remove_cb_entry}
 * @category Callbacks
 */
export function evbuffer_remove_cb(buffer: evbuffer, cb: evbuffer_cb_func | evbuffer_cb | null, cbarg: unknown): number {
  live("evbuffer_remove_cb", buffer);
  check_fn_or_null_("evbuffer_remove_cb", "cb", cb);
  for (let ent = buffer.callbacks; ent !== null; ent = ent.next) {
    if (ent.cb === cb && ent.cbarg === cbarg) return evbuffer_remove_cb_entry(buffer, ent);
  }
  return -1;
}

/**
 * `int evbuffer_cb_set_flags(struct evbuffer *buffer, struct evbuffer_cb_entry *cb, ev_uint32_t flags)`:
 * sets flags on a callback (`EVBUFFER_CB_ENABLED`). A disabled callback misses the changes made
 * while it was disabled. Returns 0.
 * @param buffer the buffer
 * @param cb the entry {@link evbuffer_add_cb} returned
 * @param flags `EVBUFFER_CB_ENABLED`
 * @returns 0
 * @see {@link evbuffer_cb_clear_flags}
 * @category Callbacks
 */
export function evbuffer_cb_set_flags(buffer: evbuffer, cb: evbuffer_cb_entry, flags: number): number {
  const fn = "evbuffer_cb_set_flags";
  live(fn, buffer);
  entryArg(fn, buffer, cb);
  check_int_(fn, "flags", flags);
  cb.flags = (cb.flags | (flags & ~EVBUFFER_CB_INTERNAL_FLAGS)) >>> 0;
  return 0;
}

/**
 * `int evbuffer_cb_clear_flags(struct evbuffer *buffer, struct evbuffer_cb_entry *cb, ev_uint32_t flags)`:
 * clears flags on a callback. Returns 0.
 * @param buffer the buffer
 * @param cb the entry {@link evbuffer_add_cb} returned
 * @param flags `EVBUFFER_CB_ENABLED` to disable the callback
 * @returns 0
 * @see {@link evbuffer_cb_set_flags}
 * @category Callbacks
 */
export function evbuffer_cb_clear_flags(buffer: evbuffer, cb: evbuffer_cb_entry, flags: number): number {
  const fn = "evbuffer_cb_clear_flags";
  live(fn, buffer);
  entryArg(fn, buffer, cb);
  check_int_(fn, "flags", flags);
  cb.flags = (cb.flags & ~(flags & ~EVBUFFER_CB_INTERNAL_FLAGS)) >>> 0;
  return 0;
}

/**
 * `int evbuffer_setcb(struct evbuffer *buffer, evbuffer_cb cb, void *cbarg)` (buffer_compat.h,
 * deprecated): replaces all of the buffer's callbacks by `cb`, called as
 * `cb(buffer, old_len, new_len, cbarg)`; null removes them all. Returns 0.
 * @deprecated libevent 2.1: it clears every callback others set on the buffer; use
 *   {@link evbuffer_add_cb} and {@link evbuffer_remove_cb_entry}.
 * @param buffer the buffer
 * @param cb called as `cb(buffer, old_len, new_len, cbarg)`, or null to remove all callbacks
 * @param cbarg passed untouched to the callback as its last argument
 * @returns 0
 * @see {@link evbuffer_add_cb}
 * @category Callbacks
 */
export function evbuffer_setcb<A>(buffer: evbuffer, cb: evbuffer_cb<A> | null, cbarg: A): number {
  live("evbuffer_setcb", buffer);
  check_fn_or_null_("evbuffer_setcb", "cb", cb);
  if (buffer.callbacks !== null) evbuffer_remove_all_callbacks(buffer);
  if (cb) {
    const ent = addCb(buffer, cb as evbuffer_cb, cbarg);
    ent.flags |= EVBUFFER_CB_OBSOLETE;
  }
  return 0;
}

/**
 * `unsigned char *evbuffer_find(struct evbuffer *buffer, const unsigned char *what, size_t len)`
 * (buffer_compat.h, deprecated): finds `what`, makes the buffer contiguous up to the end of the
 * match, and returns a view from the match to there; null if not found.
 * @deprecated libevent 2.1 (buffer_compat.h); use {@link evbuffer_search}.
 * @param buffer the buffer
 * @param what the bytes to find, or a string (as UTF-8)
 * @param len how many bytes of `what` to find
 * @returns a view from the match to its end, or null if not found
 * @see {@link evbuffer_search}
 * @category Searching and zero-copy access
 */
export function evbuffer_find(buffer: evbuffer, what: Uint8Array | string, len: number): Uint8Array | null {
  const fn = "evbuffer_find";
  live(fn, buffer);
  const w = check_bytes_(fn, "len", what, "what", len);
  const ptr = evbuffer_search_range_(fn, buffer, w, len, null, null, scratchPtr);
  if (ptr.pos < 0) return null;
  const all = evbuffer_pullup(buffer, ptr.pos + len);
  return all === null ? null : all.subarray(ptr.pos);
}

/**
 * @internal libevent's evbuffer_get_callbacks_: the event_callback through which a buffer with
 * deferred callbacks runs them (bufferevent finalization cancels it), or null when its callbacks
 * are not deferred.
 */
export function evbuffer_get_callbacks_(buffer: evbuffer): event_callback | null {
  return buffer.deferred_cbs ? buffer.deferred! : null;
}
