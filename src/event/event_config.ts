/**
 * `struct event_config` (event.c): what event_base_new_with_config should choose and how the base
 * should behave.
 * @module
 */
import { check_instance_, check_int_, check_string_, check_timeval_ } from "../util/check.js";
import { timeval } from "../util/time.js";

/**
 * `struct event_config`: opaque, as in C. Make it with `event_config_new`; set it up with
 * `event_config_avoid_method`, `event_config_require_features`, `event_config_set_flag`,
 * `event_config_set_max_dispatch_interval`.
 * @category Configuration
 */
export class event_config {
  /** @internal Backend names to avoid. */
  avoid: string[] = [];
  /** @internal EV_FEATURE_* the backend must have. */
  require_features = 0;
  /** @internal EVENT_BASE_FLAG_*. */
  flags = 0;
  /** @internal */
  n_cpus_hint = 0;
  /** @internal tv_sec -1: no limit. */
  max_dispatch_interval = new timeval(-1, 0);
  /** @internal */
  max_dispatch_callbacks = 0x7fffffff;
  /** @internal */
  limit_callbacks_after_prio = 1;
  /** @internal Set by event_config_free. */
  freed = false;
}

function checkConfig(cfg: event_config, fn: string): void {
  check_instance_(fn, "cfg", cfg, event_config);
  if (cfg.freed) throw new TypeError(`${fn}: the event_config was freed`);
}

/**
 * `struct event_config *event_config_new(void)`: an empty configuration (no avoided methods, no required features, no flags, no dispatch limits).
 * @returns the new configuration
 * @see {@link event_base_new_with_config}, {@link event_config_free}
 * @category Configuration
 */
export function event_config_new(): event_config {
  return new event_config();
}

/**
 * `void event_config_free(struct event_config *cfg)`: release a configuration; using it afterwards throws a TypeError.
 * @param cfg the configuration to release
 * @see {@link event_config_new}
 * @category Configuration
 */
export function event_config_free(cfg: event_config): void {
  checkConfig(cfg, "event_config_free");
  cfg.freed = true;
}

/**
 * `int event_config_avoid_method(struct event_config *cfg, const char *method)`: never choose the
 * backend named `method` (exact name: "epoll", "poll", "select", "kqueue"). May be called
 * repeatedly. Returns 0.
 * @param cfg the configuration
 * @param method the backend's name
 * @returns 0
 * @see {@link event_get_supported_methods}
 * @category Configuration
 */
export function event_config_avoid_method(cfg: event_config, method: string): number {
  checkConfig(cfg, "event_config_avoid_method");
  check_string_("event_config_avoid_method", "method", method);
  cfg.avoid.push(method);
  return 0;
}

/**
 * `int event_config_require_features(struct event_config *cfg, int features)`: only choose a
 * backend with all of `features` (EV_FEATURE_ET|O1|FDS|EARLY_CLOSE). Replaces any earlier
 * requirement. Returns 0, or -1 for a null cfg.
 * @param cfg the configuration
 * @param features `EV_FEATURE_*` bits ORed
 * @returns 0, or -1 for a null cfg
 * @see {@link event_base_get_features}
 * @category Configuration
 */
export function event_config_require_features(cfg: event_config | null, features: number): number {
  check_int_("event_config_require_features", "features", features);
  if (cfg === null) return -1;
  checkConfig(cfg, "event_config_require_features");
  cfg.require_features = features;
  return 0;
}

/**
 * `int event_config_set_flag(struct event_config *cfg, int flag)`: add EVENT_BASE_FLAG_* bits. Returns 0, or -1 for a null cfg.
 * @param cfg the configuration
 * @param flag `EVENT_BASE_FLAG_*` bits ORed
 * @returns 0, or -1 for a null cfg
 * @category Configuration
 */
export function event_config_set_flag(cfg: event_config | null, flag: number): number {
  check_int_("event_config_set_flag", "flag", flag);
  if (cfg === null) return -1;
  checkConfig(cfg, "event_config_set_flag");
  cfg.flags |= flag;
  return 0;
}

/**
 * `int event_config_set_num_cpus_hint(struct event_config *cfg, int cpus)`: a hint for Windows IOCP; stored, no effect here. Returns 0, or -1 for a null cfg.
 * @param cfg the configuration
 * @param cpus the number of CPUs
 * @returns 0, or -1 for a null cfg
 * @category Configuration
 */
export function event_config_set_num_cpus_hint(cfg: event_config | null, cpus: number): number {
  check_int_("event_config_set_num_cpus_hint", "cpus", cpus);
  if (cfg === null) return -1;
  checkConfig(cfg, "event_config_set_num_cpus_hint");
  cfg.n_cpus_hint = cpus;
  return 0;
}

/**
 * `int event_config_set_max_dispatch_interval(struct event_config *cfg, const struct timeval
 * *max_interval, int max_callbacks, int min_priority)`: for priorities >= `min_priority`, go back
 * to polling after `max_callbacks` callbacks (negative: no limit) or after `max_interval` (null: no
 * limit) in one pass, so that urgent events are not starved. Returns 0.
 * @param cfg the configuration
 * @param max_interval the longest time to run callbacks before checking for events, or null for no limit
 * @param max_callbacks the most callbacks to run before checking, or -1 for no limit
 * @param min_priority the lowest priority number the limits apply to
 * @returns 0
 * @category Configuration
 */
export function event_config_set_max_dispatch_interval(
  cfg: event_config, max_interval: timeval | null, max_callbacks: number, min_priority: number,
): number {
  const fn = "event_config_set_max_dispatch_interval";
  checkConfig(cfg, fn);
  check_timeval_(fn, "max_interval", max_interval, true);
  check_int_(fn, "max_callbacks", max_callbacks);
  check_int_(fn, "min_priority", min_priority);
  cfg.max_dispatch_interval = max_interval ? new timeval(max_interval.tv_sec, max_interval.tv_usec) : new timeval(-1, 0);
  cfg.max_dispatch_callbacks = max_callbacks >= 0 ? max_callbacks : 0x7fffffff;
  cfg.limit_callbacks_after_prio = min_priority < 0 ? 0 : min_priority;
  return 0;
}
