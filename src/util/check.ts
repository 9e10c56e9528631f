/**
 * The argument rules, one per C type, that every exported function applies to its arguments:
 * misuse that C leaves undefined throws a TypeError (the wrong kind of value) or a RangeError
 * (the right kind, out of range) whose message names the function and the fault, before the call
 * changes anything. C's own run-time checks (an fd that is not open, a signal beyond NSIG) stay
 * C's: -1 with errno.
 * @internal
 * @module
 */
import { EV_SIZE_MAX, EV_SSIZE_MAX, EV_SSIZE_MIN } from "./limits.js";
import { utf8_write_ } from "./utf8.js";

const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;

/** An integer in [min, max]: a TypeError for a non-number or a fraction, a RangeError beyond. */
function checkInteger(fn: string, name: string, v: unknown, min: number, max: number, type: string): asserts v is number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`${fn}: ${name} must be an integer, not ${show(v)}`);
  }
  if (v < min || v > max) throw new RangeError(`${fn}: ${name} ${v} does not fit ${type}`);
}

/** @internal A C `int` (also `evutil_socket_t`, flags, options, modes): an integer from INT_MIN to INT_MAX. */
export function check_int_(fn: string, name: string, v: unknown): asserts v is number {
  checkInteger(fn, name, v, INT_MIN, INT_MAX, "a C int");
}

/** @internal A C `unsigned`: an integer from 0 to UINT_MAX. */
export function check_uint_(fn: string, name: string, v: unknown): asserts v is number {
  checkInteger(fn, name, v, 0, 0xffffffff, "a C unsigned int");
}

/** @internal A C `short` event mask (EV_READ|EV_WRITE ...): an integer that fits 16 bits. */
export function check_mask_(fn: string, name: string, v: unknown): asserts v is number {
  checkInteger(fn, name, v, -0x8000, 0xffff, "a C short");
}

/** @internal An `evutil_socket_t`: a C int (a negative one is C's to refuse at run time, with -1 and errno). */
export function check_fd_(fn: string, name: string, v: unknown): asserts v is number {
  checkInteger(fn, name, v, INT_MIN, INT_MAX, "an evutil_socket_t");
}

/**
 * @internal An `ev_ssize_t` / `ev_off_t` / `ev_int64_t` given as a number: an integer from
 * EV_SSIZE_MIN to EV_SSIZE_MAX (C's limits as numbers, see limits.ts).
 */
export function check_i64_(fn: string, name: string, v: unknown): asserts v is number {
  checkInteger(fn, name, v, EV_SSIZE_MIN, EV_SSIZE_MAX, "a 64-bit integer");
}

/** @internal Throw a TypeError unless `v` is a number (C converts it to its integer type). */
export function check_number_(fn: string, name: string, v: unknown): asserts v is number {
  if (typeof v !== "number") throw new TypeError(`${fn}: ${name} must be a number, not ${show(v)}`);
}

/** @internal An object of class `cls` (a C pointer to that struct); null only when `nullable`. */
export function check_instance_<T>(
  fn: string, name: string, v: unknown, cls: abstract new (...args: never[]) => T, nullable = false,
): asserts v is T {
  if (v === null && nullable) return;
  if (!(v instanceof cls)) {
    throw new TypeError(`${fn}: ${name} is ${show(v)}, not ${/^[aeiou]/i.test(cls.name) ? "an" : "a"} ${cls.name}${nullable ? " or null" : ""}`);
  }
}

/** @internal A `const char *`: a string; null too when `nullable`. */
export function check_string_(fn: string, name: string, v: unknown, nullable = false): asserts v is string {
  if (typeof v === "string" || (v === null && nullable)) return;
  throw new TypeError(`${fn}: ${name} must be a string${nullable ? " or null" : ""}, not ${show(v)}`);
}

/**
 * @internal Check a C `size_t` length that must fit the caller's Uint8Array: an integer, not
 * negative, and at most `buf.length`.
 */
export function check_len_(fn: string, name: string, buf: unknown, bufName: string, len: unknown): asserts buf is Uint8Array {
  if (!(buf instanceof Uint8Array)) throw new TypeError(`${fn}: ${bufName} must be a Uint8Array, not ${show(buf)}`);
  checkCount(fn, name, len, buf.length, bufName);
}

/** A count of bytes of a `size`-byte buffer: an integer from 0 to `size`. */
function checkCount(fn: string, name: string, len: unknown, size: number, bufName: string): asserts len is number {
  check_int_(fn, name, len);
  if (len < 0) throw new RangeError(`${fn}: ${name} ${len} is negative`);
  if (len > size) throw new RangeError(`${fn}: ${name} ${len} exceeds the ${size}-byte ${bufName}`);
}

/** Strings given as `const void *` data are encoded here; grown as needed, reused by every call. */
let scratch = Buffer.allocUnsafe(1024);

/**
 * @internal A `const void *data, size_t len` argument: a Uint8Array, or a string standing for its
 * UTF-8 bytes, of which `len` bytes are used. Checks `len` as {@link check_len_} does and returns
 * the bytes: the Uint8Array itself, or the string's encoding in scratch memory that the next call
 * reuses (copy out of it before anything else can run).
 */
export function check_bytes_(fn: string, name: string, data: unknown, dataName: string, len: unknown): Uint8Array {
  if (typeof data !== "string") {
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(`${fn}: ${dataName} must be a Uint8Array or a string, not ${show(data)}`);
    }
    check_len_(fn, name, data, dataName, len);
    return data;
  }
  if (scratch.length < data.length * 3) scratch = Buffer.allocUnsafe(Math.max(data.length * 3, scratch.length * 2));
  checkCount(fn, name, len, utf8_write_(scratch, 0, data, scratch.length), dataName);
  return scratch;
}

/**
 * @internal A C `size_t` argument: an integer from 0 to EV_SIZE_MAX, or -1 meaning SIZE_MAX (as
 * `(size_t)-1` in C). Returns the size; a non-integer is a TypeError, another negative a RangeError.
 */
export function check_size_(fn: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v > EV_SIZE_MAX) {
    throw new TypeError(`${fn}: ${name} must be an integer size, not ${show(v)}`);
  }
  if (v < 0) {
    if (v === -1) return EV_SIZE_MAX;
    throw new RangeError(`${fn}: ${name} ${v} is negative`);
  }
  return v;
}

/** @internal An out-parameter (`T *`): a box `{ value }`; null too when `nullable` (C's NULL). */
export function check_box_(fn: string, name: string, box: unknown, nullable = false): asserts box is { value: unknown } {
  if (box === null && nullable) return;
  if (typeof box !== "object" || box === null || !("value" in box)) {
    throw new TypeError(`${fn}: ${name} must be a box { value }${nullable ? " or null" : ""}, not ${show(box)}`);
  }
}

/** @internal A C function pointer (a callback) that must not be NULL: a function. */
export function check_fn_(fn: string, name: string, v: unknown): asserts v is (...args: never[]) => unknown {
  if (typeof v !== "function") throw new TypeError(`${fn}: ${name} is ${show(v)}, not a function`);
}

/** @internal A C function pointer (a callback) that may be NULL: a function or null. */
export function check_fn_or_null_(fn: string, name: string, v: unknown): void {
  if (v !== null && typeof v !== "function") {
    throw new TypeError(`${fn}: ${name} is ${show(v)}, not a function or null`);
  }
}

/**
 * @internal A `struct timeval *`: an object whose `tv_sec` and `tv_usec` are integers (finite,
 * exact); null too when `nullable`. A NaN or infinite time would sit in the timer heap and never
 * fire; a fraction would reach the backend's wait. A TypeError, or a RangeError for a non-finite
 * or inexact field.
 */
export function check_timeval_(fn: string, name: string, v: unknown, nullable = false): asserts v is { tv_sec: number; tv_usec: number } {
  if (v === null && nullable) return;
  const tv = v as { tv_sec?: unknown; tv_usec?: unknown } | null;
  if (typeof tv !== "object" || tv === null || typeof tv.tv_sec !== "number" || typeof tv.tv_usec !== "number") {
    throw new TypeError(`${fn}: ${name} is ${show(v)}, not a timeval${nullable ? " or null" : ""}`);
  }
  if (!Number.isFinite(tv.tv_sec) || !Number.isFinite(tv.tv_usec)) {
    throw new RangeError(`${fn}: ${name} {${tv.tv_sec}, ${tv.tv_usec}} is not a finite time`);
  }
  if (!Number.isInteger(tv.tv_sec) || !Number.isInteger(tv.tv_usec)) {
    throw new TypeError(`${fn}: ${name} {${tv.tv_sec}, ${tv.tv_usec}} has a tv_sec or tv_usec that is not an integer`);
  }
  if (!Number.isSafeInteger(tv.tv_sec) || !Number.isSafeInteger(tv.tv_usec)) {
    throw new RangeError(`${fn}: ${name} {${tv.tv_sec}, ${tv.tv_usec}} is not an exact time`);
  }
}

/** @internal A `const struct timeval *` that may be NULL (see {@link check_timeval_}). */
export function check_timeval_or_null_(fn: string, name: string, v: unknown): void {
  check_timeval_(fn, name, v, true);
}

/** @internal A short description of a wrong argument for error messages. */
export function show(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v);
  if (typeof v === "object") {
    const name = (v as object).constructor?.name;
    if (!name || name === "Object") return "a plain object";
    return /^[aeiou]/i.test(name) ? `an ${name}` : `a ${name}`;
  }
  return String(v);
}

/**
 * @internal The misuse a call reports under its own name ("event_add: ...") reported under the name
 * of `fn`, the function the program called, which stands for that call (a compat name such as
 * `timeout_add`, an awaitable form such as `bufferevent_write_async`). Only for calls that run no
 * user callback; anything that is not a TypeError/RangeError passes unchanged.
 */
export function misuse_as_(e: unknown, fn: string): unknown {
  if (!(e instanceof TypeError || e instanceof RangeError)) return e;
  const m = /^\w+: /.exec(e.message);
  if (m === null) return e;
  const msg = `${fn}: ${e.message.slice(m[0].length)}`;
  return e instanceof RangeError ? new RangeError(msg) : new TypeError(msg);
}
