/**
 * Rate limits on bufferevents (libevent's bufferevent_ratelim.c): a token bucket per
 * bufferevent and/or a bucket shared by a group of bufferevents. The socket read and write paths
 * ask how much they may transfer (bufferevent_get_read_max_ / _write_max_) and report what they
 * did (bufferevent_decrement_*_buckets_); an empty bucket suspends the direction until a refill
 * timer finds it positive again. Pair and filter bufferevents accept limits but, as in libevent,
 * do not consult them.
 *
 * Locks: there is one JavaScript thread, so where libevent tries a member's lock and retries on
 * the next tick if it is busy, every try succeeds here, and libevent's pending_unsuspend_* flags
 * would always be clear: they are left out.
 * @module
 */
import { EV_FINALIZE, EV_PERSIST } from "../event/constants.js";
import type { event_base } from "../event/event.js";
import { event, event_add, event_assign, event_base_gettimeofday_cached, event_base_or_current_, event_del, event_initialized } from "../event/event.js";
import { check_box_, check_int_, check_size_, check_timeval_or_null_, show } from "../util/check.js";
import { EV_SSIZE_MAX } from "../util/limits.js";
import { evutil_timercmp, timeval } from "../util/time.js";
import type { evutil_socket_t } from "../util/types.js";
import {
  BEV_UPCAST, bufferevent_suspend_read_, bufferevent_suspend_write_, bufferevent_unsuspend_read_,
  bufferevent_unsuspend_write_, checkBev_,
} from "./bufferevent.js";
import type { bufferevent_private } from "./bufferevent.js";
import { BEV_SUSPEND_BW, BEV_SUSPEND_BW_GROUP } from "./bufferevent-internal.js";
import type { bufferevent } from "./bufferevent_struct.js";
import {
  ev_token_bucket, ev_token_bucket_cfg, ev_token_bucket_get_tick_, ev_token_bucket_init_, ev_token_bucket_update_,
  tick_msec_,
} from "./ratelim-internal.js";

/** `EV_RATE_LIMIT_MAX`: the largest rate or burst `ev_token_bucket_cfg_new` accepts (EV_SSIZE_MAX). @category Rate limits */
export const EV_RATE_LIMIT_MAX = EV_SSIZE_MAX;

/** libevent's MAX_SINGLE_READ_DEFAULT / MAX_SINGLE_WRITE_DEFAULT. */
const MAX_SINGLE_READ_DEFAULT = 16384;
const MAX_SINGLE_WRITE_DEFAULT = 16384;

/** libevent's default min_share for a new group. */
const DEFAULT_MIN_SHARE = 64;

/** The tick of a configuration made without one. */
const oneSecond = new timeval(1, 0);

/**
 * `struct bufferevent_rate_limit`: a bufferevent's own bucket and configuration (if it has
 * one), its group (if any), and the timer that refills an empty bucket.
 * @internal
 */
export class bufferevent_rate_limit {
  /** The group's member list: the next member (LIST_ENTRY next_in_group). */
  next_in_group: bufferevent_private | null = null;
  /** ... and the previous one (null: this is the group's first). */
  prev_in_group: bufferevent_private | null = null;
  /** The group the bufferevent belongs to, or null. */
  group: bufferevent_rate_limit_group | null = null;
  /** The bufferevent's own bucket (meaningful while cfg is set). */
  readonly limit = new ev_token_bucket();
  /** The bufferevent's own configuration, shared with whoever else uses it; null: no own limit. */
  cfg: ev_token_bucket_cfg | null = null;
  /** One tick, added when a bucket goes empty: refills and resumes. */
  readonly refill_bucket_event = new event<bufferevent_private>();
}

/**
 * `struct bufferevent_rate_limit_group` (opaque): bufferevents sharing one rate limit, made by
 * {@link bufferevent_rate_limit_group_new} and released by
 * {@link bufferevent_rate_limit_group_free} once it has no members.
 * @category Rate limits
 */
export class bufferevent_rate_limit_group {
  /** @internal The first member (LIST_HEAD); members are added at the head, as in libevent. */
  members: bufferevent_private | null = null;
  /** @internal The shared bucket. */
  readonly rate_limit = new ev_token_bucket();
  /** @internal The group's own copy of its configuration. */
  readonly rate_limit_cfg = new ev_token_bucket_cfg();
  /** @internal Reading is suspended on every member until the bucket refills. */
  read_suspended = false;
  /** @internal Writing is suspended on every member until the bucket refills. */
  write_suspended = false;
  /** @internal Bytes read by members since the last reset. */
  total_read = 0;
  /** @internal Bytes written by members since the last reset. */
  total_written = 0;
  /** @internal */
  n_members = 0;
  /** @internal The least a member may transfer at once, clipped to the rates. */
  min_share = 0;
  /** @internal min_share as the user asked for it. */
  configured_min_share = 0;
  /** @internal Persistent, one tick: refills the bucket and resumes the members. */
  readonly master_refill_event = new event<bufferevent_rate_limit_group>();
  /** @internal evutil_weakrand_state: picks the member resumed first. */
  weakrand_seed = 0;
  /** @internal Set by bufferevent_rate_limit_group_free. */
  freed = false;
}

// ---------------------------------------------------------------------------------------------
// Misuse checks (C leaves these undefined; here they throw, naming the call)
// ---------------------------------------------------------------------------------------------

function checkCfg(cfg: unknown, fn: string): ev_token_bucket_cfg {
  if (!(cfg instanceof ev_token_bucket_cfg)) throw new TypeError(`${fn}: cfg is ${show(cfg)}, not an ev_token_bucket_cfg`);
  if (cfg.freed) throw new TypeError(`${fn}: cfg was freed (ev_token_bucket_cfg_free)`);
  return cfg;
}

function checkGroup(g: unknown, fn: string): bufferevent_rate_limit_group {
  if (!(g instanceof bufferevent_rate_limit_group)) {
    throw new TypeError(`${fn}: the group is ${show(g)}, not a bufferevent_rate_limit_group`);
  }
  if (g.freed) throw new TypeError(`${fn}: the group was freed (bufferevent_rate_limit_group_free)`);
  return g;
}


// ---------------------------------------------------------------------------------------------
// evutil_weakrand_ (evutil.c): the group's cheap generator for its fairness
// ---------------------------------------------------------------------------------------------

/** Seeds differ per group even when made in the same microsecond (C adds the group's address). */
let groupsMade = 0;

/** One step of libevent's weak generator (a 31-bit LCG); returns 0..INT32_MAX. */
function weakrand(g: bufferevent_rate_limit_group): number {
  g.weakrand_seed = (Math.imul(g.weakrand_seed, 1103515245) + 12345) & 0x7fffffff;
  return g.weakrand_seed;
}

/** evutil_weakrand_range_: 0..top-1 from the generator's high bits. */
function weakrandRange(g: bufferevent_rate_limit_group, top: number): number {
  const divisor = Math.floor(0x7fffffff / top);
  let result: number;
  do result = Math.floor(weakrand(g) / divisor);
  while (result >= top);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Configurations
// ---------------------------------------------------------------------------------------------

/**
 * `struct ev_token_bucket_cfg *ev_token_bucket_cfg_new(size_t read_rate, size_t read_burst,
 * size_t write_rate, size_t write_burst, const struct timeval *tick_len)`: a rate limit of
 * `read_rate` bytes per tick on average and at most `read_burst` in one tick (likewise for
 * writing); `tick_len` null means one second, and fractions of a millisecond are ignored.
 * Returns the configuration, or null if a rate exceeds its burst, a rate is below 1, or a value
 * exceeds EV_RATE_LIMIT_MAX (a size of -1 is SIZE_MAX, as in C).
 * Differs from C: a tick shorter than one millisecond (C divides by zero later) is a RangeError.
 * @param read_rate bytes per tick that may be read
 * @param read_burst the most bytes that may be read at once
 * @param write_rate bytes per tick that may be written
 * @param write_burst the most bytes that may be written at once
 * @param tick_len the tick's length, or null for one second
 * @returns the configuration, or null if a rate exceeds its burst, a rate is below 1, or a value exceeds EV_RATE_LIMIT_MAX (a size of -1 is SIZE_MAX, as in C)
 * @see {@link bufferevent_set_rate_limit}, {@link bufferevent_rate_limit_group_new}, {@link ev_token_bucket_cfg_free}
 * @category Rate limits
 */
export function ev_token_bucket_cfg_new(
  read_rate: number, read_burst: number, write_rate: number, write_burst: number, tick_len: timeval | null,
): ev_token_bucket_cfg | null {
  const fn = "ev_token_bucket_cfg_new";
  read_rate = check_size_(fn, "read_rate", read_rate);
  read_burst = check_size_(fn, "read_burst", read_burst);
  write_rate = check_size_(fn, "write_rate", write_rate);
  write_burst = check_size_(fn, "write_burst", write_burst);
  check_timeval_or_null_(fn, "tick_len", tick_len);
  const tick = tick_len ?? oneSecond;
  if (read_rate > read_burst || write_rate > write_burst || read_rate < 1 || write_rate < 1) return null;
  if (read_rate > EV_RATE_LIMIT_MAX || write_rate > EV_RATE_LIMIT_MAX || read_burst > EV_RATE_LIMIT_MAX ||
      write_burst > EV_RATE_LIMIT_MAX) {
    return null;
  }
  const msec = tick_msec_(tick);
  if (!(msec >= 1)) {
    throw new RangeError(`${fn}: tick_len { tv_sec: ${tick.tv_sec}, tv_usec: ${tick.tv_usec} } is shorter than a millisecond`);
  }
  const r = new ev_token_bucket_cfg();
  r.read_rate = read_rate;
  r.write_rate = write_rate;
  r.read_maximum = read_burst;
  r.write_maximum = write_burst;
  r.tick_timeout.tv_sec = tick.tv_sec;
  r.tick_timeout.tv_usec = tick.tv_usec;
  r.msec_per_tick = msec;
  return r;
}

/**
 * `void ev_token_bucket_cfg_free(struct ev_token_bucket_cfg *cfg)`: release a configuration.
 * As in C it is not reference-counted: free it only once no bufferevent uses it. Differs from C:
 * passing it to a function afterwards, or freeing it twice, throws a TypeError.
 * @param cfg the configuration to release
 * @see {@link ev_token_bucket_cfg_new}
 * @category Rate limits
 */
export function ev_token_bucket_cfg_free(cfg: ev_token_bucket_cfg): void {
  checkCfg(cfg, "ev_token_bucket_cfg_free").freed = true;
}

// ---------------------------------------------------------------------------------------------
// The hooks of the read and write paths
// ---------------------------------------------------------------------------------------------

/** The cached time of the loop, read without allocating. */
const nowScratch = new timeval();

/** Refill the bufferevent's own bucket for the ticks passed since its last refill. */
function bufferevent_update_buckets(bev: bufferevent_private): void {
  const rl = bev.rate_limiting!;
  const cfg = rl.cfg!;
  event_base_gettimeofday_cached(bev.ev_base, nowScratch);
  const tick = ev_token_bucket_get_tick_(nowScratch, cfg);
  if (tick !== rl.limit.last_updated) ev_token_bucket_update_(rl.limit, cfg, tick);
}

/**
 * The most one read (or write) may move now: the single-operation maximum, limited by the
 * bufferevent's own bucket and by its share of the group's (the group's bucket over its members,
 * at least min_share), never below 0.
 */
function bufferevent_get_rlim_max_(bev: bufferevent_private, is_write: boolean): number {
  let max_so_far = is_write ? bev.max_single_write : bev.max_single_read;
  const rl = bev.rate_limiting;
  if (rl === null) return max_so_far;

  if (rl.cfg !== null) {
    bufferevent_update_buckets(bev);
    max_so_far = is_write ? rl.limit.write_limit : rl.limit.read_limit;
  }
  const g = rl.group;
  if (g !== null) {
    let share: number;
    if (is_write ? g.write_suspended : g.read_suspended) {
      // The group is out: make sure this member knows it.
      if (is_write) bufferevent_suspend_write_(bev, BEV_SUSPEND_BW_GROUP);
      else bufferevent_suspend_read_(bev, BEV_SUSPEND_BW_GROUP);
      share = 0;
    } else {
      share = Math.trunc((is_write ? g.rate_limit.write_limit : g.rate_limit.read_limit) / g.n_members);
      if (share < g.min_share) share = g.min_share;
    }
    if (max_so_far > share) max_so_far = share;
  }
  return max_so_far < 0 ? 0 : max_so_far;
}

/** @internal Set a new bufferevent's rate-limit state: none, and the default single read/write sizes. */
export function bufferevent_ratelim_init_(bev: bufferevent_private): number {
  bev.rate_limiting = null;
  bev.max_single_read = MAX_SINGLE_READ_DEFAULT;
  bev.max_single_write = MAX_SINGLE_WRITE_DEFAULT;
  return 0;
}

/** @internal The most the socket read path may read now. */
export function bufferevent_get_read_max_(bev: bufferevent_private): number {
  return bufferevent_get_rlim_max_(bev, false);
}

/** @internal The most the socket write path may write now. */
export function bufferevent_get_write_max_(bev: bufferevent_private): number {
  return bufferevent_get_rlim_max_(bev, true);
}

/**
 * @internal Account `bytes` read against the bufferevent's bucket (an empty bucket suspends
 * reading until a refill tick) and its group's (an empty group bucket suspends every member).
 * Returns 0, or -1 if the refill timer could not be added.
 */
export function bufferevent_decrement_read_buckets_(bev: bufferevent_private, bytes: number): number {
  const rl = bev.rate_limiting;
  if (rl === null) return 0;
  let r = 0;
  if (rl.cfg !== null) {
    rl.limit.read_limit -= bytes;
    if (rl.limit.read_limit <= 0) {
      bufferevent_suspend_read_(bev, BEV_SUSPEND_BW);
      if (event_add(rl.refill_bucket_event, rl.cfg.tick_timeout) < 0) r = -1;
    } else if (bev.read_suspended & BEV_SUSPEND_BW) {
      if (!(bev.write_suspended & BEV_SUSPEND_BW)) event_del(rl.refill_bucket_event);
      bufferevent_unsuspend_read_(bev, BEV_SUSPEND_BW);
    }
  }
  const g = rl.group;
  if (g !== null) {
    g.rate_limit.read_limit -= bytes;
    g.total_read += bytes;
    if (g.rate_limit.read_limit <= 0) bev_group_suspend_reading_(g);
    else if (g.read_suspended) bev_group_unsuspend_reading_(g);
  }
  return r;
}

/** @internal As bufferevent_decrement_read_buckets_, for `bytes` written. */
export function bufferevent_decrement_write_buckets_(bev: bufferevent_private, bytes: number): number {
  const rl = bev.rate_limiting;
  if (rl === null) return 0;
  let r = 0;
  if (rl.cfg !== null) {
    rl.limit.write_limit -= bytes;
    if (rl.limit.write_limit <= 0) {
      bufferevent_suspend_write_(bev, BEV_SUSPEND_BW);
      if (event_add(rl.refill_bucket_event, rl.cfg.tick_timeout) < 0) r = -1;
    } else if (bev.write_suspended & BEV_SUSPEND_BW) {
      if (!(bev.read_suspended & BEV_SUSPEND_BW)) event_del(rl.refill_bucket_event);
      bufferevent_unsuspend_write_(bev, BEV_SUSPEND_BW);
    }
  }
  const g = rl.group;
  if (g !== null) {
    g.rate_limit.write_limit -= bytes;
    g.total_written += bytes;
    if (g.rate_limit.write_limit <= 0) bev_group_suspend_writing_(g);
    else if (g.write_suspended) bev_group_unsuspend_writing_(g);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Suspending and resuming
// ---------------------------------------------------------------------------------------------

function bev_group_suspend_reading_(g: bufferevent_rate_limit_group): void {
  g.read_suspended = true;
  for (let bev = g.members; bev !== null; bev = bev.rate_limiting!.next_in_group) {
    bufferevent_suspend_read_(bev, BEV_SUSPEND_BW_GROUP);
  }
}

function bev_group_suspend_writing_(g: bufferevent_rate_limit_group): void {
  g.write_suspended = true;
  for (let bev = g.members; bev !== null; bev = bev.rate_limiting!.next_in_group) {
    bufferevent_suspend_write_(bev, BEV_SUSPEND_BW_GROUP);
  }
}

/**
 * A refill tick of a bufferevent's own bucket: refill, and resume each direction the bucket
 * suspended that now has bytes; a bucket still empty (it was overspent) waits another tick.
 */
function bev_refill_callback_(_fd: evutil_socket_t, _what: number, bev: bufferevent_private): void {
  const rl = bev.rate_limiting;
  if (rl === null || rl.cfg === null) return;
  event_base_gettimeofday_cached(bev.ev_base, nowScratch);
  ev_token_bucket_update_(rl.limit, rl.cfg, ev_token_bucket_get_tick_(nowScratch, rl.cfg));

  let again = false;
  if (bev.read_suspended & BEV_SUSPEND_BW) {
    if (rl.limit.read_limit > 0) bufferevent_unsuspend_read_(bev, BEV_SUSPEND_BW);
    else again = true;
  }
  if (bev.write_suspended & BEV_SUSPEND_BW) {
    if (rl.limit.write_limit > 0) bufferevent_unsuspend_write_(bev, BEV_SUSPEND_BW);
    else again = true;
  }
  if (again) event_add(rl.refill_bucket_event, rl.cfg.tick_timeout);
}

/** A member picked at random (null for an empty group). */
function bev_group_random_element_(g: bufferevent_rate_limit_group): bufferevent_private | null {
  if (!g.n_members) return null;
  let which = weakrandRange(g, g.n_members);
  let bev = g.members!;
  while (which--) bev = bev.rate_limiting!.next_in_group!;
  return bev;
}

/**
 * Resume reading on every member, starting at a random one and wrapping around, so that no
 * member is always first to spend the refilled bucket (libevent's FOREACH_RANDOM_ORDER).
 */
function bev_group_unsuspend_reading_(g: bufferevent_rate_limit_group): void {
  g.read_suspended = false;
  const first = bev_group_random_element_(g);
  for (let bev = first; bev !== null; bev = bev.rate_limiting!.next_in_group) {
    bufferevent_unsuspend_read_(bev, BEV_SUSPEND_BW_GROUP);
  }
  for (let bev = g.members; bev !== null && bev !== first; bev = bev.rate_limiting!.next_in_group) {
    bufferevent_unsuspend_read_(bev, BEV_SUSPEND_BW_GROUP);
  }
}

/** As bev_group_unsuspend_reading_, for writing. */
function bev_group_unsuspend_writing_(g: bufferevent_rate_limit_group): void {
  g.write_suspended = false;
  const first = bev_group_random_element_(g);
  for (let bev = first; bev !== null; bev = bev.rate_limiting!.next_in_group) {
    bufferevent_unsuspend_write_(bev, BEV_SUSPEND_BW_GROUP);
  }
  for (let bev = g.members; bev !== null && bev !== first; bev = bev.rate_limiting!.next_in_group) {
    bufferevent_unsuspend_write_(bev, BEV_SUSPEND_BW_GROUP);
  }
}

/**
 * The group's tick: refill the shared bucket, and resume a suspended direction once the bucket
 * holds at least min_share (so that resumed members can each move a useful amount).
 */
function bev_group_refill_callback_(_fd: evutil_socket_t, _what: number, g: bufferevent_rate_limit_group): void {
  event_base_gettimeofday_cached(g.master_refill_event.ev_base, nowScratch);
  ev_token_bucket_update_(g.rate_limit, g.rate_limit_cfg, ev_token_bucket_get_tick_(nowScratch, g.rate_limit_cfg));
  if (g.read_suspended && g.rate_limit.read_limit >= g.min_share) bev_group_unsuspend_reading_(g);
  if (g.write_suspended && g.rate_limit.write_limit >= g.min_share) bev_group_unsuspend_writing_(g);
}

// ---------------------------------------------------------------------------------------------
// A bufferevent's own limit
// ---------------------------------------------------------------------------------------------

/** The bufferevent's rate-limit state, made on first use with its refill timer assigned. */
function rateLimiting(bevp: bufferevent_private): bufferevent_rate_limit {
  let rlim = bevp.rate_limiting;
  if (rlim === null) {
    rlim = new bufferevent_rate_limit();
    event_assign(rlim.refill_bucket_event, bevp.ev_base, -1, EV_FINALIZE, bev_refill_callback_, bevp);
    bevp.rate_limiting = rlim;
  }
  return rlim;
}

/**
 * `int bufferevent_set_rate_limit(struct bufferevent *bev, struct ev_token_bucket_cfg *cfg)`:
 * limit the bufferevent to `cfg` (shared, not copied: keep it alive while in use); null removes
 * the bufferevent's own limit (a group's stays). A new limit starts with one tick's worth of
 * bytes; replacing a limit keeps what is left of the bucket, clipped to the new burst. Only
 * socket bufferevents obey limits. Returns 0.
 * @param bev the bufferevent
 * @param cfg the limit ({@link ev_token_bucket_cfg_new}), or null to remove it
 * @returns 0
 * @see {@link bufferevent_get_token_bucket_cfg}
 * @category Rate limits
 */
export function bufferevent_set_rate_limit(bev: bufferevent, cfg: ev_token_bucket_cfg | null): number {
  const fn = "bufferevent_set_rate_limit";
  const bevp = checkBev_(bev, fn);
  if (cfg === null) {
    const rlim = bevp.rate_limiting;
    if (rlim !== null) {
      rlim.cfg = null;
      bufferevent_unsuspend_read_(bevp, BEV_SUSPEND_BW);
      bufferevent_unsuspend_write_(bevp, BEV_SUSPEND_BW);
      if (event_initialized(rlim.refill_bucket_event)) event_del(rlim.refill_bucket_event);
    }
    return 0;
  }
  checkCfg(cfg, fn);
  event_base_gettimeofday_cached(bevp.ev_base, nowScratch);
  const tick = ev_token_bucket_get_tick_(nowScratch, cfg);
  if (bevp.rate_limiting !== null && bevp.rate_limiting.cfg === cfg) return 0;

  const rlim = rateLimiting(bevp);
  const reinit = rlim.cfg !== null;
  rlim.cfg = cfg;
  ev_token_bucket_init_(rlim.limit, cfg, tick, reinit);
  if (reinit) event_del(rlim.refill_bucket_event);

  let suspended = false;
  if (rlim.limit.read_limit > 0) {
    bufferevent_unsuspend_read_(bevp, BEV_SUSPEND_BW);
  } else {
    bufferevent_suspend_read_(bevp, BEV_SUSPEND_BW);
    suspended = true;
  }
  if (rlim.limit.write_limit > 0) {
    bufferevent_unsuspend_write_(bevp, BEV_SUSPEND_BW);
  } else {
    bufferevent_suspend_write_(bevp, BEV_SUSPEND_BW);
    suspended = true;
  }
  if (suspended) event_add(rlim.refill_bucket_event, cfg.tick_timeout);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------------------------

/**
 * `struct bufferevent_rate_limit_group *bufferevent_rate_limit_group_new(struct event_base
 * *base, const struct ev_token_bucket_cfg *cfg)`: a group whose members together stay within
 * `cfg` (copied: the caller may free it). Its tick timer runs on `base`; members may belong to
 * other bases. The bucket starts with one tick's worth; the min-share is 64 bytes. Returns the
 * group. A null base means the event_init() base (a TypeError if there is none).
 * @param base the event base
 * @param cfg the limit the members share (copied)
 * @returns the group
 * @see {@link bufferevent_add_to_rate_limit_group}, {@link bufferevent_rate_limit_group_free}
 * @category Rate limits
 */
export function bufferevent_rate_limit_group_new(
  base: event_base | null, cfg: ev_token_bucket_cfg,
): bufferevent_rate_limit_group {
  const fn = "bufferevent_rate_limit_group_new";
  base = event_base_or_current_(base, fn);
  checkCfg(cfg, fn);
  event_base_gettimeofday_cached(base, nowScratch);
  const tick = ev_token_bucket_get_tick_(nowScratch, cfg);
  const g = new bufferevent_rate_limit_group();
  copyCfg(g.rate_limit_cfg, cfg);
  ev_token_bucket_init_(g.rate_limit, cfg, tick, false);
  event_assign(g.master_refill_event, base, -1, EV_PERSIST | EV_FINALIZE, bev_group_refill_callback_, g);
  event_add(g.master_refill_event, cfg.tick_timeout);
  bufferevent_rate_limit_group_set_min_share(g, DEFAULT_MIN_SHARE);
  g.weakrand_seed = (nowScratch.tv_sec + nowScratch.tv_usec + ++groupsMade) >>> 0;
  return g;
}

function copyCfg(dst: ev_token_bucket_cfg, src: ev_token_bucket_cfg): void {
  dst.read_rate = src.read_rate;
  dst.read_maximum = src.read_maximum;
  dst.write_rate = src.write_rate;
  dst.write_maximum = src.write_maximum;
  dst.tick_timeout.tv_sec = src.tick_timeout.tv_sec;
  dst.tick_timeout.tv_usec = src.tick_timeout.tv_usec;
  dst.msec_per_tick = src.msec_per_tick;
}

/**
 * `int bufferevent_rate_limit_group_set_cfg(struct bufferevent_rate_limit_group *g, const struct
 * ev_token_bucket_cfg *cfg)`: give the group a new limit (copied). The bucket is clipped to the
 * new bursts; a new tick length restarts the tick timer; the min-share is re-clipped to the new
 * rates. Returns 0, or -1 if `g` or `cfg` is null.
 * @param g the rate-limit group
 * @param cfg the new limit
 * @returns 0, or -1 if `g` or `cfg` is null
 * @category Rate limits
 */
export function bufferevent_rate_limit_group_set_cfg(
  g: bufferevent_rate_limit_group | null, cfg: ev_token_bucket_cfg | null,
): number {
  const fn = "bufferevent_rate_limit_group_set_cfg";
  if (g === null || cfg === null) return -1;
  checkGroup(g, fn);
  checkCfg(cfg, fn);
  const same_tick = evutil_timercmp(g.rate_limit_cfg.tick_timeout, cfg.tick_timeout, "==");
  copyCfg(g.rate_limit_cfg, cfg);
  if (g.rate_limit.read_limit > cfg.read_maximum) g.rate_limit.read_limit = cfg.read_maximum;
  if (g.rate_limit.write_limit > cfg.write_maximum) g.rate_limit.write_limit = cfg.write_maximum;
  // A new tick length shifts the schedule by up to one tick, as in libevent.
  if (!same_tick) event_add(g.master_refill_event, cfg.tick_timeout);
  bufferevent_rate_limit_group_set_min_share(g, g.configured_min_share);
  return 0;
}

/**
 * `int bufferevent_rate_limit_group_set_min_share(struct bufferevent_rate_limit_group *g,
 * size_t share)`: the least any member is allowed to transfer at once (default 64 bytes), so
 * that a tight group sends fewer, larger packets rather than a byte per member per tick. It is
 * clipped to the group's read and write rates. Returns 0, or -1 if `share` exceeds EV_SSIZE_MAX.
 * @param g the rate-limit group
 * @param share the least number of bytes per member
 * @returns 0, or -1 if `share` exceeds EV_SSIZE_MAX
 * @category Rate limits
 */
export function bufferevent_rate_limit_group_set_min_share(g: bufferevent_rate_limit_group, share: number): number {
  const fn = "bufferevent_rate_limit_group_set_min_share";
  checkGroup(g, fn);
  share = check_size_(fn, "share", share);
  if (share > EV_SSIZE_MAX) return -1;
  g.configured_min_share = share;
  // At least one member must be able to go each tick.
  if (share > g.rate_limit_cfg.read_rate) share = g.rate_limit_cfg.read_rate;
  if (share > g.rate_limit_cfg.write_rate) share = g.rate_limit_cfg.write_rate;
  g.min_share = share;
  return 0;
}

/**
 * `void bufferevent_rate_limit_group_free(struct bufferevent_rate_limit_group *g)`: release an
 * empty group and stop its timer. Differs from C (which aborts): a group that still has members
 * is a TypeError, and is left as it was. A freed bufferevent leaves its group when the loop
 * finalizes it, so run the loop after bufferevent_free before freeing the group.
 * @param g the rate-limit group
 * @see {@link bufferevent_rate_limit_group_new}
 * @category Rate limits
 */
export function bufferevent_rate_limit_group_free(g: bufferevent_rate_limit_group): void {
  const fn = "bufferevent_rate_limit_group_free";
  checkGroup(g, fn);
  if (g.n_members !== 0) {
    throw new TypeError(`${fn}: the group still has ${g.n_members} member${g.n_members === 1 ? "" : "s"}; ` +
      "remove them first (bufferevent_remove_from_rate_limit_group, or bufferevent_free and a turn of the loop)");
  }
  event_del(g.master_refill_event);
  g.freed = true;
}

/**
 * `int bufferevent_add_to_rate_limit_group(struct bufferevent *bev, struct
 * bufferevent_rate_limit_group *g)`: make `bev` a member of `g`, leaving its previous group if it
 * had one; it is suspended at once if the group is. A null `g` removes `bev` from its group, as
 * the header documents (libevent 2.1.12 itself crashes on that when `bev` is in a group).
 * Returns 0.
 * @param bev the bufferevent
 * @param g the rate-limit group
 * @returns 0
 * @see {@link bufferevent_remove_from_rate_limit_group}
 * @category Rate limits
 */
export function bufferevent_add_to_rate_limit_group(bev: bufferevent, g: bufferevent_rate_limit_group | null): number {
  const fn = "bufferevent_add_to_rate_limit_group";
  const bevp = checkBev_(bev, fn);
  if (g !== null) checkGroup(g, fn);
  const rlim = rateLimiting(bevp);
  if (rlim.group === g) return 0;
  if (rlim.group !== null) bufferevent_remove_from_rate_limit_group(bevp);
  if (g === null) return 0;

  rlim.group = g;
  ++g.n_members;
  // LIST_INSERT_HEAD
  rlim.prev_in_group = null;
  rlim.next_in_group = g.members;
  if (g.members !== null) g.members.rate_limiting!.prev_in_group = bevp;
  g.members = bevp;

  if (g.read_suspended) bufferevent_suspend_read_(bevp, BEV_SUSPEND_BW_GROUP);
  if (g.write_suspended) bufferevent_suspend_write_(bevp, BEV_SUSPEND_BW_GROUP);
  return 0;
}

/**
 * `int bufferevent_remove_from_rate_limit_group(struct bufferevent *bev)`: take `bev` out of
 * its group, if any, lifting the group's suspension of it. Returns 0.
 * @param bev the bufferevent
 * @returns 0
 * @see {@link bufferevent_add_to_rate_limit_group}
 * @category Rate limits
 */
export function bufferevent_remove_from_rate_limit_group(bev: bufferevent): number {
  return bufferevent_remove_from_rate_limit_group_internal_(checkBev_(bev, "bufferevent_remove_from_rate_limit_group"), true);
}

/**
 * Take `bev` out of its group; with `unsuspend`, lift the group's suspension (not when the
 * bufferevent is being destroyed).
 */
function bufferevent_remove_from_rate_limit_group_internal_(bev: bufferevent, unsuspend: boolean): number {
  const bevp = BEV_UPCAST(bev);
  const rlim = bevp.rate_limiting;
  if (rlim !== null && rlim.group !== null) {
    const g = rlim.group;
    rlim.group = null;
    --g.n_members;
    // LIST_REMOVE
    const next = rlim.next_in_group;
    const prev = rlim.prev_in_group;
    if (next !== null) next.rate_limiting!.prev_in_group = prev;
    if (prev !== null) prev.rate_limiting!.next_in_group = next;
    else g.members = next;
    rlim.next_in_group = rlim.prev_in_group = null;
  }
  if (unsuspend) {
    bufferevent_unsuspend_read_(bevp, BEV_SUSPEND_BW_GROUP);
    bufferevent_unsuspend_write_(bevp, BEV_SUSPEND_BW_GROUP);
  }
  return 0;
}

/**
 * @internal bufferevent_finalize_cb_'s part: a bufferevent being destroyed leaves its group
 * and drops its rate-limit state.
 */
export function bufferevent_ratelim_destroy_(bevp: bufferevent_private): void {
  if (bevp.rate_limiting === null) return;
  if (bevp.rate_limiting.group !== null) bufferevent_remove_from_rate_limit_group_internal_(bevp, false);
  bevp.rate_limiting = null;
}

// ---------------------------------------------------------------------------------------------
// Single operation sizes
// ---------------------------------------------------------------------------------------------

/**
 * `int bufferevent_set_max_single_read(struct bufferevent *bev, size_t size)`: the most one
 * read from the socket may bring in; 0 (or more than EV_SSIZE_MAX) restores the default, 16384.
 * Returns 0.
 * @param bev the bufferevent
 * @param size the most bytes per read, or 0 for the default
 * @returns 0
 * @see {@link bufferevent_get_max_single_read}
 * @category Rate limits
 */
export function bufferevent_set_max_single_read(bev: bufferevent, size: number): number {
  const fn = "bufferevent_set_max_single_read";
  const bevp = checkBev_(bev, fn);
  size = check_size_(fn, "size", size);
  bevp.max_single_read = size === 0 || size > EV_SSIZE_MAX ? MAX_SINGLE_READ_DEFAULT : size;
  return 0;
}

/**
 * `int bufferevent_set_max_single_write(struct bufferevent *bev, size_t size)`: the most one
 * write to the socket may send; 0 (or more than EV_SSIZE_MAX) restores the default, 16384.
 * Returns 0.
 * @param bev the bufferevent
 * @param size the most bytes per write, or 0 for the default
 * @returns 0
 * @see {@link bufferevent_get_max_single_write}
 * @category Rate limits
 */
export function bufferevent_set_max_single_write(bev: bufferevent, size: number): number {
  const fn = "bufferevent_set_max_single_write";
  const bevp = checkBev_(bev, fn);
  size = check_size_(fn, "size", size);
  bevp.max_single_write = size === 0 || size > EV_SSIZE_MAX ? MAX_SINGLE_WRITE_DEFAULT : size;
  return 0;
}

/**
 * `ev_ssize_t bufferevent_get_max_single_read(struct bufferevent *bev)`: the most one read may bring in.
 * @param bev the bufferevent
 * @returns the most bytes one read may bring in
 * @see {@link bufferevent_set_max_single_read}
 * @category Rate limits
 */
export function bufferevent_get_max_single_read(bev: bufferevent): number {
  return checkBev_(bev, "bufferevent_get_max_single_read").max_single_read;
}

/**
 * `ev_ssize_t bufferevent_get_max_single_write(struct bufferevent *bev)`: the most one write may send.
 * @param bev the bufferevent
 * @returns the most bytes one write may send
 * @see {@link bufferevent_set_max_single_write}
 * @category Rate limits
 */
export function bufferevent_get_max_single_write(bev: bufferevent): number {
  return checkBev_(bev, "bufferevent_get_max_single_write").max_single_write;
}

// ---------------------------------------------------------------------------------------------
// Inspection
// ---------------------------------------------------------------------------------------------

/**
 * `ev_ssize_t bufferevent_get_read_limit(struct bufferevent *bev)`: the bytes left in the
 * bufferevent's own read bucket (refilled up to now first; negative if overspent), or
 * EV_SSIZE_MAX if it has no limit of its own. The group is not considered.
 * @param bev the bufferevent
 * @returns the bytes left in the own read bucket (negative if overspent), or EV_SSIZE_MAX without a limit of its own
 * @see {@link bufferevent_get_write_limit}, {@link bufferevent_get_max_to_read}
 * @category Rate limits
 */
export function bufferevent_get_read_limit(bev: bufferevent): number {
  const bevp = checkBev_(bev, "bufferevent_get_read_limit");
  if (bevp.rate_limiting === null || bevp.rate_limiting.cfg === null) return EV_SSIZE_MAX;
  bufferevent_update_buckets(bevp);
  return bevp.rate_limiting.limit.read_limit;
}

/**
 * `ev_ssize_t bufferevent_get_write_limit(struct bufferevent *bev)`: as bufferevent_get_read_limit, for writing.
 * @param bev the bufferevent
 * @returns the bytes left in the own write bucket (negative if overspent), or EV_SSIZE_MAX without a limit of its own
 * @see {@link bufferevent_get_read_limit}
 * @category Rate limits
 */
export function bufferevent_get_write_limit(bev: bufferevent): number {
  const bevp = checkBev_(bev, "bufferevent_get_write_limit");
  if (bevp.rate_limiting === null || bevp.rate_limiting.cfg === null) return EV_SSIZE_MAX;
  bufferevent_update_buckets(bevp);
  return bevp.rate_limiting.limit.write_limit;
}

/**
 * `ev_ssize_t bufferevent_get_max_to_read(struct bufferevent *bev)`: the most the next read may
 * bring in: the single-read maximum limited by the own bucket and the group share, at least 0.
 * @param bev the bufferevent
 * @returns the most bytes the next read may bring in
 * @see {@link bufferevent_get_max_to_write}
 * @category Rate limits
 */
export function bufferevent_get_max_to_read(bev: bufferevent): number {
  return bufferevent_get_read_max_(checkBev_(bev, "bufferevent_get_max_to_read"));
}

/**
 * `ev_ssize_t bufferevent_get_max_to_write(struct bufferevent *bev)`: as bufferevent_get_max_to_read, for writing.
 * @param bev the bufferevent
 * @returns the most bytes the next write may send
 * @see {@link bufferevent_get_max_to_read}
 * @category Rate limits
 */
export function bufferevent_get_max_to_write(bev: bufferevent): number {
  return bufferevent_get_write_max_(checkBev_(bev, "bufferevent_get_max_to_write"));
}

/**
 * `const struct ev_token_bucket_cfg *bufferevent_get_token_bucket_cfg(const struct bufferevent
 * *bev)`: the configuration given to bufferevent_set_rate_limit, or null.
 * @param bev the bufferevent
 * @returns the configuration, or null
 * @see {@link bufferevent_set_rate_limit}
 * @category Rate limits
 */
export function bufferevent_get_token_bucket_cfg(bev: bufferevent): ev_token_bucket_cfg | null {
  const bevp = checkBev_(bev, "bufferevent_get_token_bucket_cfg");
  return bevp.rate_limiting !== null ? bevp.rate_limiting.cfg : null;
}

/**
 * `ev_ssize_t bufferevent_rate_limit_group_get_read_limit(struct bufferevent_rate_limit_group
 * *grp)`: the bytes left in the group's read bucket (negative if overspent), as of its last tick.
 * @param grp the rate-limit group
 * @returns the bytes left in the group's read bucket (negative if overspent)
 * @category Rate limits
 */
export function bufferevent_rate_limit_group_get_read_limit(grp: bufferevent_rate_limit_group): number {
  return checkGroup(grp, "bufferevent_rate_limit_group_get_read_limit").rate_limit.read_limit;
}

/**
 * `ev_ssize_t bufferevent_rate_limit_group_get_write_limit(struct bufferevent_rate_limit_group *grp)`: as the read one, for writing.
 * @param grp the rate-limit group
 * @returns the bytes left in the group's write bucket (negative if overspent)
 * @category Rate limits
 */
export function bufferevent_rate_limit_group_get_write_limit(grp: bufferevent_rate_limit_group): number {
  return checkGroup(grp, "bufferevent_rate_limit_group_get_write_limit").rate_limit.write_limit;
}

/**
 * `void bufferevent_rate_limit_group_get_totals(struct bufferevent_rate_limit_group *grp,
 * ev_uint64_t *total_read_out, ev_uint64_t *total_written_out)`: the bytes the members read and
 * wrote since the group was made or its totals reset, into the boxes (either may be null).
 * @param grp the rate-limit group
 * @param total_read_out receives the bytes read, or null
 * @param total_written_out receives the bytes written, or null
 * @see {@link bufferevent_rate_limit_group_reset_totals}
 * @category Rate limits
 */
export function bufferevent_rate_limit_group_get_totals(
  grp: bufferevent_rate_limit_group, total_read_out: { value: number } | null, total_written_out: { value: number } | null,
): void {
  const fn = "bufferevent_rate_limit_group_get_totals";
  checkGroup(grp, fn);
  if (total_read_out !== null) check_box_(fn, "total_read_out", total_read_out);
  if (total_written_out !== null) check_box_(fn, "total_written_out", total_written_out);
  if (total_read_out) total_read_out.value = grp.total_read;
  if (total_written_out) total_written_out.value = grp.total_written;
}

/**
 * `void bufferevent_rate_limit_group_reset_totals(struct bufferevent_rate_limit_group *grp)`: restart the totals at 0.
 * @param grp the rate-limit group
 * @see {@link bufferevent_rate_limit_group_get_totals}
 * @category Rate limits
 */
export function bufferevent_rate_limit_group_reset_totals(grp: bufferevent_rate_limit_group): void {
  const g = checkGroup(grp, "bufferevent_rate_limit_group_reset_totals");
  g.total_read = g.total_written = 0;
}

// ---------------------------------------------------------------------------------------------
// Manual adjustment
// ---------------------------------------------------------------------------------------------

function checkOwnLimit(bevp: bufferevent_private, fn: string): bufferevent_rate_limit {
  const rl = bevp.rate_limiting;
  if (rl === null || rl.cfg === null) throw new TypeError(`${fn}: the bufferevent has no rate limit of its own (bufferevent_set_rate_limit)`);
  return rl;
}

/**
 * `int bufferevent_decrement_read_limit(struct bufferevent *bev, ev_ssize_t decr)`: take `decr`
 * bytes from the bufferevent's own read bucket (negative: add them). Crossing to zero or below
 * suspends reading until a refill; crossing back above zero resumes it. The group's bucket is
 * not touched. Returns 0, or -1 if the refill timer could not be added.
 * Differs from C (which aborts): without a limit of its own (bufferevent_set_rate_limit) it is
 * a TypeError.
 * @param bev the bufferevent
 * @param decr the bytes to take (negative: to give back)
 * @returns 0, or -1 if the refill timer could not be added
 * @see {@link bufferevent_decrement_write_limit}
 * @category Rate limits
 */
export function bufferevent_decrement_read_limit(bev: bufferevent, decr: number): number {
  const fn = "bufferevent_decrement_read_limit";
  const bevp = checkBev_(bev, fn);
  check_int_(fn, "decr", decr);
  const rl = checkOwnLimit(bevp, fn);
  let r = 0;
  const old_limit = rl.limit.read_limit;
  const new_limit = (rl.limit.read_limit -= decr);
  if (old_limit > 0 && new_limit <= 0) {
    bufferevent_suspend_read_(bevp, BEV_SUSPEND_BW);
    if (event_add(rl.refill_bucket_event, rl.cfg!.tick_timeout) < 0) r = -1;
  } else if (old_limit <= 0 && new_limit > 0) {
    if (!(bevp.write_suspended & BEV_SUSPEND_BW)) event_del(rl.refill_bucket_event);
    bufferevent_unsuspend_read_(bevp, BEV_SUSPEND_BW);
  }
  return r;
}

/**
 * `int bufferevent_decrement_write_limit(struct bufferevent *bev, ev_ssize_t decr)`: as bufferevent_decrement_read_limit, for writing.
 * @param bev the bufferevent
 * @param decr the bytes to take (negative: to give back)
 * @returns 0, or -1 if the refill timer could not be added
 * @see {@link bufferevent_decrement_read_limit}
 * @category Rate limits
 */
export function bufferevent_decrement_write_limit(bev: bufferevent, decr: number): number {
  const fn = "bufferevent_decrement_write_limit";
  const bevp = checkBev_(bev, fn);
  check_int_(fn, "decr", decr);
  const rl = checkOwnLimit(bevp, fn);
  let r = 0;
  const old_limit = rl.limit.write_limit;
  const new_limit = (rl.limit.write_limit -= decr);
  if (old_limit > 0 && new_limit <= 0) {
    bufferevent_suspend_write_(bevp, BEV_SUSPEND_BW);
    if (event_add(rl.refill_bucket_event, rl.cfg!.tick_timeout) < 0) r = -1;
  } else if (old_limit <= 0 && new_limit > 0) {
    if (!(bevp.read_suspended & BEV_SUSPEND_BW)) event_del(rl.refill_bucket_event);
    bufferevent_unsuspend_write_(bevp, BEV_SUSPEND_BW);
  }
  return r;
}

/**
 * `int bufferevent_rate_limit_group_decrement_read(struct bufferevent_rate_limit_group *grp,
 * ev_ssize_t decr)`: take `decr` bytes from the group's read bucket (negative: add them).
 * Crossing to zero or below suspends reading on every member; crossing back above zero resumes
 * them. Returns 0.
 * @param grp the rate-limit group
 * @param decr the bytes to take (negative: to give back)
 * @returns 0
 * @category Rate limits
 */
export function bufferevent_rate_limit_group_decrement_read(grp: bufferevent_rate_limit_group, decr: number): number {
  const fn = "bufferevent_rate_limit_group_decrement_read";
  const g = checkGroup(grp, fn);
  check_int_(fn, "decr", decr);
  const old_limit = g.rate_limit.read_limit;
  const new_limit = (g.rate_limit.read_limit -= decr);
  if (old_limit > 0 && new_limit <= 0) bev_group_suspend_reading_(g);
  else if (old_limit <= 0 && new_limit > 0) bev_group_unsuspend_reading_(g);
  return 0;
}

/**
 * `int bufferevent_rate_limit_group_decrement_write(struct bufferevent_rate_limit_group *grp, ev_ssize_t decr)`: as the read one, for writing.
 * @param grp the rate-limit group
 * @param decr the bytes to take (negative: to give back)
 * @returns 0
 * @category Rate limits
 */
export function bufferevent_rate_limit_group_decrement_write(grp: bufferevent_rate_limit_group, decr: number): number {
  const fn = "bufferevent_rate_limit_group_decrement_write";
  const g = checkGroup(grp, fn);
  check_int_(fn, "decr", decr);
  const old_limit = g.rate_limit.write_limit;
  const new_limit = (g.rate_limit.write_limit -= decr);
  if (old_limit > 0 && new_limit <= 0) bev_group_suspend_writing_(g);
  else if (old_limit <= 0 && new_limit > 0) bev_group_unsuspend_writing_(g);
  return 0;
}
