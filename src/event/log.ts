/**
 * Logging and fatal errors (libevent's log.c): `event_set_log_callback`,
 * `event_set_fatal_callback`, `event_enable_debug_logging`, and the internal
 * `event_warnx`/`event_warn`/`event_msgx`/`event_debugx` used across the project.
 * @module
 */
import { check_fn_or_null_, check_uint_ } from "../util/check.js";
import { errno, strerror } from "../util/errno.js";
import { EVENT_LOG_DEBUG, EVENT_LOG_ERR, EVENT_LOG_MSG, EVENT_LOG_WARN } from "./constants.js";

/**
 * `typedef void (*event_log_cb)(int severity, const char *msg)`: receives libevent's log messages.
 * @param severity `EVENT_LOG_DEBUG`, `EVENT_LOG_MSG`, `EVENT_LOG_WARN` or `EVENT_LOG_ERR`
 * @param msg the message
 * @category Logging and debugging
 */
export type event_log_cb = (severity: number, msg: string) => void;
/**
 * `typedef void (*event_fatal_cb)(int err)`: called on an error libevent cannot recover from.
 * @param err the error code
 * @category Logging and debugging
 */
export type event_fatal_cb = (err: number) => void;

let logFn: event_log_cb | null = null;
let fatalFn: event_fatal_cb | null = null;
let debugLoggingMask = 0;

/**
 * `void event_set_log_callback(event_log_cb cb)`: send libevent's log messages to `cb` instead of
 * standard error (`"[warn] message"`). `null` restores the default. The callback must not call
 * back into libevent.
 * @param cb called as `cb(severity, msg)` (`EVENT_LOG_DEBUG`, `_MSG`, `_WARN`, `_ERR`), or null for the default
 * @see {@link event_enable_debug_logging}, {@link event_set_fatal_callback}
 * @category Logging and debugging
 */
export function event_set_log_callback(cb: event_log_cb | null): void {
  check_fn_or_null_("event_set_log_callback", "cb", cb);
  logFn = cb;
}

/**
 * `void event_set_fatal_callback(event_fatal_cb cb)`: called when libevent meets an error it
 * cannot recover from. C then exits the process; this port never ends the process: after the
 * callback returns, an Error naming the fault is thrown to the caller instead.
 * @param cb called as `cb(err)`, or null for the default
 * @see {@link event_set_log_callback}
 * @category Logging and debugging
 */
export function event_set_fatal_callback(cb: event_fatal_cb | null): void {
  check_fn_or_null_("event_set_fatal_callback", "cb", cb);
  fatalFn = cb;
}

/**
 * `void event_enable_debug_logging(ev_uint32_t which)`: turn debug-level log messages on
 * (`EVENT_DBG_ALL`) or off (`EVENT_DBG_NONE`, the default).
 * @param which `EVENT_DBG_ALL` or `EVENT_DBG_NONE`
 * @see {@link event_set_log_callback}
 * @category Logging and debugging
 */
export function event_enable_debug_logging(which: number): void {
  check_uint_("event_enable_debug_logging", "which", which);
  debugLoggingMask = which >>> 0;
}

const SEVERITY = ["debug", "msg", "warn", "err"];

function eventLog(severity: number, msg: string): void {
  if (logFn) {
    logFn(severity, msg);
  } else {
    process.stderr.write(`[${SEVERITY[severity] ?? "???"}] ${msg}\n`);
  }
}

/** @internal A warning (libevent's event_warnx). */
export function event_warnx(msg: string): void {
  eventLog(EVENT_LOG_WARN, msg);
}

/** @internal A warning followed by the text of errno (libevent's event_warn / event_sock_warn). */
export function event_warn(msg: string): void {
  eventLog(EVENT_LOG_WARN, `${msg}: ${strerror(errno)}`);
}

/** @internal An informational message (libevent's event_msgx). */
export function event_msgx(msg: string): void {
  eventLog(EVENT_LOG_MSG, msg);
}

/** @internal A debug message, only when debug logging is on (libevent's event_debug). */
export function event_debugx(msg: string): void {
  if (debugLoggingMask !== 0) eventLog(EVENT_LOG_DEBUG, msg);
}

/**
 * @internal A fatal error (libevent's event_errx): log it, run the fatal callback, and throw
 * instead of exiting.
 */
export function event_errx(errcode: number, msg: string): never {
  eventLog(EVENT_LOG_ERR, msg);
  if (fatalFn) fatalFn(errcode);
  throw new Error(msg);
}
