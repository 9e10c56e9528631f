/**
 * Token buckets (libevent's ratelim-internal.h and the bucket arithmetic of
 * bufferevent_ratelim.c): how many bytes a bufferevent or a group may read and write right now,
 * refilled once per tick of its configuration. Ticks are counted on the wall clock in whole
 * milliseconds, so every bucket on one configuration refills at the same instants.
 * @module
 */
import { timeval } from "../util/time.js";

/** The microseconds of a timeval without the bits that mark a common timeout (event.c's mask). */
const COMMON_TIMEOUT_MICROSECONDS_MASK = 0x000fffff;
const INT_MAX = 0x7fffffff;

/**
 * `struct ev_token_bucket`: bytes that may be read and written now. Signed: a read or write may
 * overspend, and the deficit is paid back by later refills.
 * @internal
 */
export class ev_token_bucket {
  /** Bytes that may be read now (may be negative). */
  read_limit = 0;
  /** Bytes that may be written now (may be negative). */
  write_limit = 0;
  /** The tick of the last refill (an unsigned 32-bit count that may wrap). */
  last_updated = 0;
}

/**
 * `struct ev_token_bucket_cfg` (opaque): a rate limit, made by {@link ev_token_bucket_cfg_new}:
 * how many bytes to allow per tick on average (the rate) and at most (the burst), for reading
 * and for writing, and how long a tick is. One configuration may be shared by many bufferevents.
 * @category Rate limits
 */
export class ev_token_bucket_cfg {
  /** @internal Bytes added to the read bucket each tick. */
  read_rate = 0;
  /** @internal The read bucket's capacity (the burst). */
  read_maximum = 0;
  /** @internal Bytes added to the write bucket each tick. */
  write_rate = 0;
  /** @internal The write bucket's capacity. */
  write_maximum = 0;
  /** @internal The tick as given (a common timeout keeps its marking bits, as in C). */
  readonly tick_timeout = new timeval();
  /** @internal The tick in whole milliseconds (fractions of a millisecond are ignored). */
  msec_per_tick = 0;
  /** @internal Set by ev_token_bucket_cfg_free. */
  freed = false;
}

/**
 * @internal Start `bucket` on `cfg`: a new bucket holds one tick's worth (the rate, not the
 * burst); a bucket changing configuration (`reinitialize`) is only clipped down to the new burst,
 * since part of this tick's allowance may already be spent, and keeps its last refill tick.
 */
export function ev_token_bucket_init_(
  bucket: ev_token_bucket, cfg: ev_token_bucket_cfg, current_tick: number, reinitialize: boolean,
): number {
  if (reinitialize) {
    if (bucket.read_limit > cfg.read_maximum) bucket.read_limit = cfg.read_maximum;
    if (bucket.write_limit > cfg.write_maximum) bucket.write_limit = cfg.write_maximum;
  } else {
    bucket.read_limit = cfg.read_rate;
    bucket.write_limit = cfg.write_rate;
    bucket.last_updated = current_tick;
  }
  return 0;
}

/**
 * @internal Refill `bucket` for the ticks since its last refill: the rate per tick, capped at
 * the burst. Nothing happens if no tick passed or the clock went back (a difference above
 * INT_MAX, as unsigned arithmetic sees it). Returns 1 if the bucket was refilled, else 0.
 */
export function ev_token_bucket_update_(bucket: ev_token_bucket, cfg: ev_token_bucket_cfg, current_tick: number): number {
  const n_ticks = (current_tick - bucket.last_updated) >>> 0;
  if (n_ticks === 0 || n_ticks > INT_MAX) return 0;
  bucket.read_limit = refill(bucket.read_limit, cfg.read_rate, cfg.read_maximum, n_ticks);
  bucket.write_limit = refill(bucket.write_limit, cfg.write_rate, cfg.write_maximum, n_ticks);
  bucket.last_updated = current_tick;
  return 1;
}

/**
 * One direction of a refill. C computes the room left as `size_t`, so a bucket a manual refill
 * pushed above its burst has a huge room and keeps growing; this keeps that.
 */
function refill(limit: number, rate: number, maximum: number, n_ticks: number): number {
  const room = maximum - limit;
  if (room >= 0 && Math.floor(room / n_ticks) < rate) return maximum;
  return limit + n_ticks * rate;
}

/**
 * @internal The tick `tv` falls in: whole milliseconds since the epoch divided by the tick
 * length, truncated to an unsigned 32-bit count as C's `unsigned` is (it wraps; differences
 * of ticks are taken modulo 2^32).
 */
export function ev_token_bucket_get_tick_(tv: timeval, cfg: ev_token_bucket_cfg): number {
  const msec = tv.tv_sec * 1000 + Math.floor(tv.tv_usec / 1000);
  return Math.floor(msec / cfg.msec_per_tick) >>> 0;
}

/** @internal The whole milliseconds of a tick length (libevent's `msec_per_tick`). */
export function tick_msec_(tick_len: timeval): number {
  return tick_len.tv_sec * 1000 + Math.floor((tick_len.tv_usec & COMMON_TIMEOUT_MICROSECONDS_MASK) / 1000);
}
