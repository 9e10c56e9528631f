/**
 * Argument checks shared by the util functions: misuse that C leaves undefined throws a
 * TypeError or RangeError naming the function and the fault.
 * @internal
 * @module
 */
import { EV_SIZE_MAX } from "./limits.js";
import { utf8_write_ } from "./utf8.js";

/** @internal Throw a TypeError unless `v` is an integer. */
export function check_int_(fn: string, name: string, v: unknown): asserts v is number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`${fn}: ${name} must be an integer, not ${show(v)}`);
  }
}

/** @internal Throw a TypeError unless `v` is a number (C converts it to its integer type). */
export function check_number_(fn: string, name: string, v: unknown): asserts v is number {
  if (typeof v !== "number") throw new TypeError(`${fn}: ${name} must be a number, not ${show(v)}`);
}

/** @internal Throw unless `v` is a string. */
export function check_string_(fn: string, name: string, v: unknown): asserts v is string {
  if (typeof v !== "string") throw new TypeError(`${fn}: ${name} must be a string, not ${show(v)}`);
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

/** @internal Throw a TypeError unless `box` is an out-parameter box `{ value }`. */
export function check_box_(fn: string, name: string, box: unknown): asserts box is { value: unknown } {
  if (typeof box !== "object" || box === null || !("value" in box)) {
    throw new TypeError(`${fn}: ${name} must be a box { value }, not ${show(box)}`);
  }
}

/**
 * @internal Throw a TypeError unless `v` is a function or null (a C function pointer that may be
 * NULL, such as a callback).
 */
export function check_fn_or_null_(fn: string, name: string, v: unknown): void {
  if (v !== null && typeof v !== "function") {
    throw new TypeError(`${fn}: ${name} is ${show(v)}, not a function or null`);
  }
}

/**
 * @internal Throw a TypeError unless `v` is null or a timeval: an object whose `tv_sec` and
 * `tv_usec` are numbers (a C `const struct timeval *` that may be NULL).
 */
export function check_timeval_or_null_(fn: string, name: string, v: unknown): void {
  if (v === null) return;
  if (
    typeof v !== "object" ||
    typeof (v as { tv_sec?: unknown }).tv_sec !== "number" ||
    typeof (v as { tv_usec?: unknown }).tv_usec !== "number"
  ) {
    throw new TypeError(`${fn}: ${name} is ${show(v)}, not a timeval or null`);
  }
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
