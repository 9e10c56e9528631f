/**
 * evbuffer file segments (buffer.c `evbuffer_file_segment_*`): a range of a file that evbuffers
 * can hold without copying it into chains of their own, sent with sendfile(2) when the buffer
 * drains to a socket, otherwise read into memory once and shared by every chain that refers
 * to it.
 * @module
 */
import { fstatSync, readSync } from "node:fs";
import { native } from "../native/binding.js";
import { check_fn_or_null_, check_int_ } from "../util/check.js";
import { EBADF, set_errno } from "../util/errno.js";
import { EV_SSIZE_MAX } from "../util/limits.js";

/** `#define EVBUF_FS_CLOSE_ON_FREE 0x01`: close the file descriptor when the segment is freed. @category Files */
export const EVBUF_FS_CLOSE_ON_FREE = 0x01;
/**
 * `#define EVBUF_FS_DISABLE_MMAP 0x02`: do not map the file. This port never maps files (Node
 * has no mmap), so the flag changes nothing: a segment that cannot use sendfile is read into
 * memory, as libevent does where mmap is unavailable.
 * @category Files
 */
export const EVBUF_FS_DISABLE_MMAP = 0x02;
/** `#define EVBUF_FS_DISABLE_SENDFILE 0x04`: never send the segment with sendfile(2). @category Files */
export const EVBUF_FS_DISABLE_SENDFILE = 0x04;
/** `#define EVBUF_FS_DISABLE_LOCKING 0x08`: no lock on the segment (there is none to take in this port). @category Files */
export const EVBUF_FS_DISABLE_LOCKING = 0x08;

/**
 * `typedef void (*evbuffer_file_segment_cleanup_cb)(struct evbuffer_file_segment const *seg,
 * int flags, void *arg)`: called once, when the last reference to the segment goes away, with
 * the segment's flags and the argument given to {@link evbuffer_file_segment_add_cleanup_cb}.
 * @param seg the segment going away
 * @param flags its `EVBUF_FS_*` flags
 * @param arg the `arg` given to {@link evbuffer_file_segment_add_cleanup_cb}
 * @category Files
 */
export type evbuffer_file_segment_cleanup_cb<A = any> = (seg: evbuffer_file_segment, flags: number, arg: A) => void;

/** @internal The largest chain libevent allows on 64-bit Linux (EV_SSIZE_MAX, as a number). */
export const EVBUFFER_CHAIN_MAX = EV_SSIZE_MAX;

/**
 * `struct evbuffer_file_segment` (opaque): made by {@link evbuffer_file_segment_new}, reference
 * counted: every evbuffer chain that holds part of it keeps it alive.
 * @category Files
 */
export class evbuffer_file_segment {
  /** @internal References: the creator's, plus one per chain holding part of the segment. */
  refcnt = 1;
  /** @internal EVBUF_FS_* flags given at creation. */
  flags: number;
  /** @internal 1 when the segment can be sent with sendfile(2). */
  can_sendfile = 0;
  /** @internal 1 when the segment is memory-mapped: never, in this port. */
  readonly is_mapping = 0;
  /** @internal The file descriptor the data comes from. */
  fd: number;
  /** @internal The segment's bytes once read into memory. */
  contents: Buffer | null = null;
  /** @internal Where the segment starts in the file. */
  file_offset: number;
  /** @internal Its length in bytes. */
  length = 0;
  /** @internal */
  cleanup_cb: evbuffer_file_segment_cleanup_cb | null = null;
  /** @internal */
  cleanup_cb_arg: unknown = null;

  /** @internal Use {@link evbuffer_file_segment_new}. */
  constructor(fd: number, offset: number, flags: number) {
    this.fd = fd;
    this.file_offset = offset;
    this.flags = flags;
  }
}

/** @internal Throw unless `seg` is a segment still referenced. */
export function evbuffer_file_segment_check_(fn: string, seg: evbuffer_file_segment): void {
  if (!(seg instanceof evbuffer_file_segment)) throw new TypeError(`${fn}: not an evbuffer_file_segment`);
  if (seg.refcnt <= 0) throw new TypeError(`${fn}: evbuffer_file_segment used after it was freed`);
}

function errnoOf(e: unknown): number {
  const n = (e as { errno?: unknown }).errno;
  return typeof n === "number" ? Math.abs(n) : EBADF;
}

/**
 * `struct evbuffer_file_segment *evbuffer_file_segment_new(int fd, ev_off_t offset,
 * ev_off_t length, unsigned flags)`
 *
 * Makes a segment of `length` bytes of the file `fd` starting at `offset`. A `length` of -1
 * means the file's size, as libevent takes it: the whole size, not the size minus `offset`, so
 * with a nonzero `offset` the segment reaches past the end of the file (sendfile then sends what
 * is there; reading it into memory fails). Unless `EVBUF_FS_DISABLE_SENDFILE` is given, the file is left where it
 * is until an evbuffer needs its bytes (it may never: an evbuffer with
 * `EVBUFFER_FLAG_DRAINS_TO_FD` sends it with sendfile); otherwise it is read now.
 *
 * @returns the segment, or `null` when the file cannot be examined or read, or `offset` and
 *   `length` do not describe a range (errno tells why where a system call failed).
 * Differs from C: the file is never memory-mapped; where libevent would map it, the port reads
 * it into memory (with pread, so the file's offset does not move).
 * @param fd the file's descriptor
 * @param offset where in the file the segment starts
 * @param length how many bytes, or -1 for the file's size
 * @param flags `EVBUF_FS_*` flags ORed (`EVBUF_FS_CLOSE_ON_FREE`, `EVBUF_FS_DISABLE_SENDFILE`, ...)
 * @see {@link evbuffer_add_file_segment}, {@link evbuffer_file_segment_free}
 * @category Files
 */
export function evbuffer_file_segment_new(fd: number, offset: number, length: number, flags: number): evbuffer_file_segment | null {
  const fn = "evbuffer_file_segment_new";
  check_int_(fn, "fd", fd);
  check_int_(fn, "offset", offset);
  check_int_(fn, "length", length);
  check_int_(fn, "flags", flags);
  const seg = new evbuffer_file_segment(fd, offset, flags >>> 0);
  if (length === -1) {
    try {
      length = fstatSync(fd).size;
    } catch (e) {
      set_errno(errnoOf(e));
      return null;
    }
  }
  seg.length = length;
  if (offset < 0 || length < 0 || length > EVBUFFER_CHAIN_MAX || offset > EVBUFFER_CHAIN_MAX - length) return null;
  if (!(flags & EVBUF_FS_DISABLE_SENDFILE)) {
    seg.can_sendfile = 1;
    return seg;
  }
  if (evbuffer_file_segment_materialize_(seg) < 0) return null;
  return seg;
}

/** @internal Read the segment's bytes into memory (once). 0, or -1 with errno set. */
export function evbuffer_file_segment_materialize_(seg: evbuffer_file_segment): number {
  if (seg.contents) return 0;
  const length = seg.length;
  let mem: Buffer;
  try {
    mem = Buffer.allocUnsafe(length);
  } catch {
    return -1;
  }
  let got = 0;
  try {
    while (got < length) {
      const n = readSync(seg.fd, mem, got, length - got, seg.file_offset + got);
      if (n <= 0) break;
      got += n;
    }
  } catch (e) {
    set_errno(errnoOf(e));
    return -1;
  }
  if (got < length) return -1; // the file is shorter than the segment
  seg.contents = mem;
  return 0;
}

/**
 * `void evbuffer_file_segment_add_cleanup_cb(struct evbuffer_file_segment *seg,
 * evbuffer_file_segment_cleanup_cb cb, void *arg)`
 *
 * Sets the function called once when the last reference to `seg` is dropped (after its file
 * descriptor is closed, if `EVBUF_FS_CLOSE_ON_FREE` was given). Replaces any earlier one.
 * @param seg the file segment
 * @param cb called as `cb(seg, flags, arg)` when the last reference goes away, or null
 * @param arg passed untouched to `cb`
 * @see {@link evbuffer_file_segment_free}
 * @category Files
 */
export function evbuffer_file_segment_add_cleanup_cb<A>(seg: evbuffer_file_segment, cb: evbuffer_file_segment_cleanup_cb<A> | null, arg: A): void {
  evbuffer_file_segment_check_("evbuffer_file_segment_add_cleanup_cb", seg);
  check_fn_or_null_("evbuffer_file_segment_add_cleanup_cb", "cb", cb);
  seg.cleanup_cb = cb as evbuffer_file_segment_cleanup_cb | null;
  seg.cleanup_cb_arg = arg;
}

/**
 * `void evbuffer_file_segment_free(struct evbuffer_file_segment *seg)`
 *
 * Drops the caller's reference to `seg`. The segment goes away when no evbuffer holds any of it
 * either: then its memory is released, its fd closed if `EVBUF_FS_CLOSE_ON_FREE` was given, and
 * its cleanup callback called.
 *
 * As in libevent, a failed {@link evbuffer_add_file_segment} has already dropped one reference.
 * Differs from C: a segment used after its last reference is gone throws a TypeError.
 * @param seg the file segment
 * @see {@link evbuffer_file_segment_new}
 * @category Files
 */
export function evbuffer_file_segment_free(seg: evbuffer_file_segment): void {
  evbuffer_file_segment_check_("evbuffer_file_segment_free", seg);
  evbuffer_file_segment_decref_(seg);
}

/** @internal Drop one reference; the last one releases the segment. */
export function evbuffer_file_segment_decref_(seg: evbuffer_file_segment): void {
  if (--seg.refcnt > 0) return;
  seg.contents = null;
  if (seg.flags & EVBUF_FS_CLOSE_ON_FREE && seg.fd >= 0) native.close(seg.fd);
  const cb = seg.cleanup_cb;
  if (cb) {
    const arg = seg.cleanup_cb_arg;
    seg.cleanup_cb = null;
    seg.cleanup_cb_arg = null;
    cb(seg, seg.flags, arg);
  }
}
