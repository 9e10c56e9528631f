/**
 * Integer parsing as the C library does it (glibc's strtol family), for `evutil_strtoll` and for
 * the address parsers that libevent builds on strtol, strtoul, atoi and sscanf's `%u`.
 * @module
 */
import { set_errno, EINVAL, ERANGE } from "./errno.js";
import { EV_INT64_MAX, EV_INT64_MIN, EV_UINT64_MAX } from "./limits.js";
import { check_box_, check_int_, check_string_ } from "./check.js";

/** What one strtol-family scan found. */
interface Scan {
  /** The value C returns (already saturated, or wrapped for an unsigned negative). */
  value: bigint;
  /** Index just past the parsed text (the start of the string when nothing parsed). */
  end: number;
  /** 1 if the value did not fit (C sets ERANGE). */
  overflow: number;
}

/** isspace() in the C locale. */
function cIsSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function digitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x7a) return l - 0x61 + 10;
  return 99;
}

/**
 * @internal glibc's strtol (`signed` 1) / strtoul (`signed` 0) on `s` from index `start`, for
 * `long` of 64 bits. `base` is 0 or 2..36 (the caller checks).
 */
export function strtol_(s: string, start: number, base: number, signed: number): Scan {
  let i = start;
  while (i < s.length && cIsSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (s[i] === "-") {
    neg = true;
    i++;
  } else if (s[i] === "+") {
    i++;
  }
  let prefixAt = -1;
  if ((base === 0 || base === 16) && s[i] === "0" && (s[i + 1] === "x" || s[i + 1] === "X")) {
    prefixAt = i;
    i += 2;
    base = 16;
  } else if (base === 0) {
    base = s[i] === "0" ? 8 : 10;
  }
  const first = i;
  const b = BigInt(base);
  let mag = 0n;
  let overflow = 0;
  while (i < s.length) {
    const d = digitValue(s.charCodeAt(i));
    if (d >= base) break;
    if (!overflow) {
      mag = mag * b + BigInt(d);
      if (mag > EV_UINT64_MAX) overflow = 1;
    }
    i++;
  }
  if (i === first) {
    // No digits: "0x" followed by no hex digit parses as the "0" alone.
    return { value: 0n, end: prefixAt >= 0 ? prefixAt + 1 : start, overflow: 0 };
  }
  if (signed) {
    const limit = neg ? -EV_INT64_MIN : EV_INT64_MAX;
    if (overflow || mag > limit) return { value: neg ? EV_INT64_MIN : EV_INT64_MAX, end: i, overflow: 1 };
    return { value: neg ? -mag : mag, end: i, overflow: 0 };
  }
  if (overflow) return { value: EV_UINT64_MAX, end: i, overflow: 1 };
  return { value: neg ? BigInt.asUintN(64, -mag) : mag, end: i, overflow: 0 };
}

/** @internal `atoi(s)`: glibc's `(int)strtol(s, NULL, 10)`, keeping the low 32 bits. */
export function atoi_(s: string, start: number): number {
  return Number(BigInt.asIntN(32, strtol_(s, start, 10, 1).value));
}

/**
 * @internal One `%u` conversion of glibc's sscanf at `s[start]`: skip white space, read an
 * optional sign and decimal digits, and store `(unsigned int)strtoul(...)`. Returns the value
 * and the index after it, or null on a matching failure (no digits).
 */
export function scan_u_(s: string, start: number): { value: number; end: number } | null {
  let i = start;
  while (i < s.length && cIsSpace(s.charCodeAt(i))) i++;
  let j = i;
  if (s[j] === "-" || s[j] === "+") j++;
  if (j >= s.length || digitValue(s.charCodeAt(j)) > 9) return null;
  const r = strtol_(s, i, 10, 0);
  return { value: Number(r.value & 0xffffffffn), end: r.end };
}

/**
 * `ev_int64_t evutil_strtoll(const char *s, char **endptr, int base)`: parse a 64-bit integer
 * as strtoll(3) does: leading white space, an optional sign, an optional `0x` for base 16 (or 0),
 * digits of `base` (0 chooses 8, 10 or 16 from the prefix). Returns a **bigint** (the exact C
 * value; see the limits module): 0 when nothing parses, `EV_INT64_MAX`/`EV_INT64_MIN` with errno
 * ERANGE on overflow. `endptr` is `null` or a box that receives the index just after the number
 * (its start if nothing parsed), which is both the UTF-16 index and the byte offset, as only
 * ASCII can precede it. A base other than 0 or 2..36 returns 0 with errno EINVAL.
 * @param s the text to parse
 * @param endptr if given, `.value` receives the index in `s` where parsing stopped, or null
 * @param base the base, 2 to 36, or 0 to choose from the prefix
 * @returns the value as a bigint: 0 when nothing parses, `EV_INT64_MAX`/`EV_INT64_MIN` with errno ERANGE on overflow
 * @category Strings and memory
 */
export function evutil_strtoll(s: string, endptr: { value: number } | null, base: number): bigint {
  check_string_("evutil_strtoll", "s", s);
  if (endptr !== null) check_box_("evutil_strtoll", "endptr", endptr);
  check_int_("evutil_strtoll", "base", base);
  if (base < 0 || base === 1 || base > 36) {
    set_errno(EINVAL);
    return 0n;
  }
  const r = strtol_(s, 0, base, 1);
  if (r.overflow) set_errno(ERANGE);
  if (endptr) endptr.value = r.end;
  return r.value;
}
