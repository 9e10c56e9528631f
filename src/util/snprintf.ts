/**
 * C's printf formatting, as glibc does it, for `evutil_snprintf`, `evutil_vsnprintf` and
 * `evbuffer_add_printf`.
 *
 * The output is bytes: the format's literal text and `%s` strings are UTF-8, and widths and
 * precisions count bytes, as they do in C. A `%s` string ends at its first NUL, as a C string
 * does (a Uint8Array argument too, or at its end). Supported: the conversions `d i u x X o c s p f F e E
 * g G %`; the flags `- + space # 0`; widths and precisions, either digits or `*` (taken from the
 * arguments, a negative `*` width meaning `-`); the length modifiers `hh h l ll z j t L`, which
 * are accepted and ignored, since every argument is a TypeScript number (or bigint). The one
 * place a modifier still matters is a negative value under an unsigned conversion: it wraps to
 * 32 bits without a modifier (`%x` of -1 is `ffffffff`) and to 64 bits with `l`, `ll`, `z`,
 * `j` or `t` (`%lx` of -1 is `ffffffffffffffff`), as in C.
 * @module
 */
import { set_bytes_ } from "./bytes.js";
import { check_len_ } from "./check.js";
import { utf8_write_ } from "./utf8.js";

/** Formatted bytes land here; grown as needed, reused by every call (no call re-enters). */
let scratchOut: Buffer = Buffer.allocUnsafe(256);
/**
 * Where the bytes go: scratchOut, or, during evutil_format_into_, the caller's memory from
 * outStart to outEnd (not grown: running out of room there throws NO_ROOM).
 */
let out = scratchOut;
let outStart = 0;
let outEnd = out.length;
let outLen = 0;
/** Thrown by reserve() when the caller's memory is too small; caught by evutil_format_into_. */
const NO_ROOM = new Error("evutil_format_into_: no room");

/** Room for n more bytes of output. (Small, as V8 inlines it at every put; the growing is grow's.) */
function reserve(n: number): void {
  if (outLen + n > outEnd) grow(n);
}

function grow(n: number): void {
  if (out !== scratchOut) throw NO_ROOM;
  let size = out.length * 2;
  while (size < outLen + n) size *= 2;
  const bigger = Buffer.allocUnsafe(size);
  out.copy(bigger, 0, 0, outLen);
  out = scratchOut = bigger;
  outEnd = out.length;
}

function putStr(s: string): void {
  reserve(s.length * 3);
  outLen += utf8_write_(out, outLen, s, outEnd - outLen);
}

function putBytes(b: Uint8Array, start: number, end: number): void {
  reserve(end - start);
  set_bytes_(out, b.subarray(start, end), outLen);
  outLen += end - start;
}

function putRepeat(ch: number, n: number): void {
  if (n <= 0) return;
  reserve(n);
  out.fill(ch, outLen, outLen + n);
  outLen += n;
}

const SPACE = 0x20;
const ZERO = 0x30;

/** One parsed conversion specification. */
interface Spec {
  left: boolean;
  plus: boolean;
  space: boolean;
  alt: boolean;
  zero: boolean;
  width: number;
  prec: number; // -1: none
  long: boolean; // l, ll, z, j, t (64-bit wrap for negative unsigned values)
}

const spec: Spec = { left: false, plus: false, space: false, alt: false, zero: false, width: 0, prec: -1, long: false };

/** Emit `prefix` (sign, 0x) and `body` padded to the width, honouring `-` and `0`. */
function emitPadded(prefix: string, body: string, zeroPad: boolean): void {
  const len = prefix.length + body.length; // ASCII only
  const pad = spec.width - len;
  if (spec.left) {
    putStr(prefix);
    putStr(body);
    putRepeat(SPACE, pad);
  } else if (zeroPad) {
    putStr(prefix);
    putRepeat(ZERO, pad);
    putStr(body);
  } else {
    putRepeat(SPACE, pad);
    putStr(prefix);
    putStr(body);
  }
}

const TWO32 = 2n ** 32n;
const TWO64 = 2n ** 64n;

function argMissing(fn: string, conv: string, n: number): TypeError {
  return new TypeError(`${fn}: no argument ${n + 1} for %${conv}`);
}

function integerArg(fn: string, conv: string, v: unknown, n: number): number | bigint {
  if (v === undefined) throw argMissing(fn, conv, n);
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return v;
  throw new TypeError(`${fn}: argument ${n + 1} for %${conv} is not an integer (${String(v)})`);
}

/** Digits of |v| in `radix`; a negative value under an unsigned conversion wraps as C does. */
function integerDigits(v: number | bigint, radix: number, unsigned: boolean): string {
  if (unsigned && v < 0) {
    const b = BigInt(v);
    const wrap = spec.long || b < -(2n ** 31n) ? TWO64 : TWO32;
    return (((b % wrap) + wrap) % wrap).toString(radix);
  }
  if (typeof v === "bigint") return (v < 0n ? -v : v).toString(radix);
  const a = Math.abs(v);
  return a < 1e21 ? a.toString(radix) : BigInt(a).toString(radix);
}

function formatInteger(conv: string, v: number | bigint): void {
  const signed = conv === "d" || conv === "i";
  const radix = conv === "o" ? 8 : conv === "x" || conv === "X" ? 16 : 10;
  let digits = integerDigits(v, radix, !signed);
  if (conv === "X") digits = digits.toUpperCase();
  const isZero = v === 0 || v === 0n;
  if (spec.prec >= 0) {
    if (spec.prec === 0 && isZero) digits = "";
    else if (digits.length < spec.prec) digits = "0".repeat(spec.prec - digits.length) + digits;
  }
  let prefix = "";
  if (signed) {
    if (v < 0) prefix = "-";
    else if (spec.plus) prefix = "+";
    else if (spec.space) prefix = " ";
  } else if (spec.alt) {
    if (conv === "o") {
      if (digits[0] !== "0") digits = "0" + digits;
    } else if (radix === 16 && !isZero) {
      prefix = conv === "X" ? "0X" : "0x";
    }
  }
  emitPadded(prefix, digits, spec.zero && spec.prec < 0 && !spec.left);
}

// ---- floating point: exact decimal conversion of the binary value, ties to even (glibc) ----

const f64 = new Float64Array(1);
const f64bits = new BigUint64Array(f64.buffer);

/** x (finite, > 0) as m * 2^e exactly. */
function decompose(x: number): { m: bigint; e: number } {
  f64[0] = x;
  const bits = f64bits[0]!;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & 0xfffffffffffffn;
  return biased === 0 ? { m: frac, e: -1074 } : { m: frac | (1n << 52n), e: biased - 1075 };
}

/** round(x * 10^k) to the nearest integer, ties to even; x >= 0 finite. */
function scaledRound(x: number, k: number): bigint {
  if (x === 0) return 0n;
  const { m, e } = decompose(x);
  let num = m;
  let den = 1n;
  if (e >= 0) num <<= BigInt(e);
  else den <<= BigInt(-e);
  if (k >= 0) num *= 10n ** BigInt(k);
  else den *= 10n ** BigInt(-k);
  const q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && (q & 1n) === 1n)) return q + 1n;
  return q;
}

/** Digits of x rounded to `prec` decimals, as %f prints them (without sign). */
function fixedBody(x: number, prec: number): string {
  let s = scaledRound(x, prec).toString();
  if (s.length <= prec) s = "0".repeat(prec + 1 - s.length) + s;
  const int = s.slice(0, s.length - prec);
  return prec > 0 || spec.alt ? `${int}.${s.slice(s.length - prec)}` : int;
}

/** The p+1 significant digits of x (> 0) and its decimal exponent, as %e rounds them. */
function sciDigits(x: number, p: number): { digits: string; exp: number } {
  if (x === 0) return { digits: "0".repeat(p + 1), exp: 0 };
  let exp = Math.floor(Math.log10(x));
  const low = 10n ** BigInt(p);
  const high = low * 10n;
  for (;;) {
    const n = scaledRound(x, p - exp);
    if (n >= high) {
      // Either the estimate was one too low, or rounding carried into a new digit.
      const n2 = scaledRound(x, p - exp - 1);
      if (n2 < high) return { digits: n2.toString(), exp: exp + 1 };
      exp += 1;
    } else if (n < low) {
      exp -= 1;
    } else {
      return { digits: n.toString(), exp };
    }
  }
}

function sciBody(digits: string, exp: number, upper: boolean): string {
  const mant = digits.length > 1 || spec.alt ? `${digits[0]}.${digits.slice(1)}` : digits;
  const ae = Math.abs(exp);
  const es = `${upper ? "E" : "e"}${exp < 0 ? "-" : "+"}${ae < 10 ? "0" : ""}${ae}`;
  return mant + es;
}

function stripZeros(body: string): string {
  if (spec.alt || body.indexOf(".") < 0) return body;
  let end = body.length;
  while (body.charCodeAt(end - 1) === ZERO) end--;
  if (body.charCodeAt(end - 1) === 0x2e) end--;
  return body.slice(0, end);
}

function formatFloat(conv: string, x: number): void {
  const upper = conv === "F" || conv === "E" || conv === "G";
  f64[0] = x;
  const negative = (f64bits[0]! >> 63n) === 1n;
  const prefix = negative ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  if (!Number.isFinite(x)) {
    const word = Number.isNaN(x) ? "nan" : "inf";
    emitPadded(prefix, upper ? word.toUpperCase() : word, false);
    return;
  }
  const a = Math.abs(x);
  const prec = spec.prec < 0 ? 6 : spec.prec;
  let body: string;
  if (conv === "f" || conv === "F") {
    body = fixedBody(a, prec);
  } else if (conv === "e" || conv === "E") {
    const { digits, exp } = sciDigits(a, prec);
    body = sciBody(digits, exp, upper);
  } else {
    const p = prec === 0 ? 1 : prec;
    const { digits, exp } = sciDigits(a, p - 1);
    if (exp < p && exp >= -4) body = stripZeros(fixedBody(a, p - 1 - exp));
    else if (spec.alt && exp === p && a < 10 ** exp) {
      // glibc: a value that %g would print in style f until rounding carries it to p + 1
      // digits comes out in style e with no fraction digits ("%#g" of 999999.5 is "1.e+06").
      body = sciBody(digits.slice(0, 1), exp, upper);
    } else {
      const s = sciBody(digits, exp, upper);
      const at = s.indexOf(upper ? "E" : "e");
      body = stripZeros(s.slice(0, at)) + s.slice(at);
    }
  }
  emitPadded(prefix, body, spec.zero && !spec.left);
}

// ---- %p: a stable 0x-prefixed id per object ----

const ids = new WeakMap<object, number>();
let nextId = 0x1000;

/**
 * @internal The value `%p` prints for an object: a `0x`-prefixed hexadecimal id, unique per
 * object for the life of the process (API-MAPPING "Pointers"). Exported so that every module
 * printing a pointer (event_base_dump_events ...) gives the same object the same id.
 */
export function evutil_pointer_id_(obj: object): string {
  let id = ids.get(obj);
  if (id === undefined) {
    id = nextId;
    nextId += 0x10;
    ids.set(obj, id);
  }
  return "0x" + id.toString(16);
}

function formatPointer(v: unknown): void {
  let body: string;
  if (v === null) body = "(nil)";
  else if (typeof v === "object" || typeof v === "function") body = evutil_pointer_id_(v as object);
  else if (typeof v === "number" && Number.isInteger(v) && v >= 0) body = v === 0 ? "(nil)" : "0x" + v.toString(16);
  else if (typeof v === "bigint" && v >= 0n) body = v === 0n ? "(nil)" : "0x" + v.toString(16);
  else throw new TypeError(`%p: ${String(v)} is not an object, null or an address`);
  emitPadded("", body, false);
}

function formatString(fn: string, v: unknown, n: number): void {
  let bytes: Uint8Array | null = null;
  let text: string | null = null;
  if (v === undefined) throw argMissing(fn, "s", n);
  if (v === null) text = spec.prec < 0 || spec.prec >= 6 ? "(null)" : ""; // as glibc
  else if (typeof v === "string") {
    const nul = v.indexOf("\0"); // C's string ends there
    text = nul < 0 ? v : v.slice(0, nul);
  }
  else if (v instanceof Uint8Array) bytes = v;
  else throw new TypeError(`${fn}: argument ${n + 1} for %s is not a string (${typeof v})`);

  if (text !== null) {
    // Fast path: ASCII text counts one byte a character.
    const ascii = !/[^\x00-\x7f]/.test(text);
    if (ascii) {
      const len = spec.prec >= 0 && spec.prec < text.length ? spec.prec : text.length;
      const pad = spec.width - len;
      if (!spec.left) putRepeat(SPACE, pad);
      putStr(len === text.length ? text : text.slice(0, len));
      if (spec.left) putRepeat(SPACE, pad);
      return;
    }
    bytes = Buffer.from(text, "utf8");
  }
  const b = bytes!;
  let len = text !== null ? b.length : b.indexOf(0);
  if (len < 0) len = b.length;
  if (spec.prec >= 0 && spec.prec < len) len = spec.prec;
  const pad = spec.width - len;
  if (!spec.left) putRepeat(SPACE, pad);
  putBytes(b, 0, len);
  if (spec.left) putRepeat(SPACE, pad);
}

function starArg(fn: string, v: unknown, n: number): number {
  if (v === undefined) throw argMissing(fn, "*", n);
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`${fn}: argument ${n + 1} for * is not an integer (${String(v)})`);
  }
  return v;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

// ---- plain formats: every directive without flags, width or precision ----

/**
 * A format whose directives are all plain (`%d`, `%s`, `%lx` ...: a conversion and length
 * modifiers only), parsed once: its literal text, UTF-8 encoded, around each directive, and the
 * directives' conversion characters. Such formats are what protocol code prints per message;
 * they are formatted by formatPlain without re-parsing and, for integers and ASCII strings,
 * without making intermediate strings.
 */
class PlainFormat {
  constructor(
    /** lits[k] goes before directive k; the last one after the last directive. */
    readonly lits: Uint8Array[],
    readonly convs: string[],
    readonly longs: boolean[],
    /** Each directive's PLAIN_* kind, which formatPlain tests (numbers compare for less than strings). */
    readonly kinds: number[],
  ) {}
}

/** PlainFormat kinds: %d and %i, %u, %x, %X, %s, and the others (%o, %c). */
const PLAIN_SIGNED = 0;
const PLAIN_UNSIGNED = 1;
const PLAIN_HEX = 2;
const PLAIN_HEX_UPPER = 3;
const PLAIN_STRING = 4;
const PLAIN_OTHER = 5;
const PLAIN_KINDS: Record<string, number> = {
  d: PLAIN_SIGNED, i: PLAIN_SIGNED, u: PLAIN_UNSIGNED, x: PLAIN_HEX, X: PLAIN_HEX_UPPER, s: PLAIN_STRING, o: PLAIN_OTHER, c: PLAIN_OTHER,
};

/** Parsed formats by format string (null: not plain); cleared when it grows past a bound. */
const plainFormats = new Map<string, PlainFormat | null>();
const PLAIN_FORMATS_MAX = 256;
/** The last format looked up, so that the usual repeated call skips even the map. */
let lastFmt: string | null = null;
let lastPlain: PlainFormat | null = null;

function parsePlain(fmt: string): PlainFormat | null {
  const lits: Uint8Array[] = [];
  const convs: string[] = [];
  const longs: boolean[] = [];
  const kinds: number[] = [];
  let lit = "";
  let i = 0;
  const n = fmt.length;
  while (i < n) {
    const pct = fmt.indexOf("%", i);
    if (pct < 0) {
      lit += fmt.slice(i);
      break;
    }
    lit += fmt.slice(i, pct);
    i = pct + 1;
    if (fmt[i] === "%") {
      lit += "%";
      i++;
      continue;
    }
    let long = false;
    for (;;) {
      const c = fmt[i];
      if (c === "h" || c === "L") i++;
      else if (c === "l" || c === "z" || c === "j" || c === "t") {
        long = true;
        i++;
      } else break;
    }
    const conv = fmt[i++];
    if (conv === undefined || "diuxXosc".indexOf(conv) < 0) return null; // flags, width, others
    lits.push(Buffer.from(lit, "utf8"));
    convs.push(conv);
    longs.push(long);
    kinds.push(PLAIN_KINDS[conv]!);
    lit = "";
  }
  lits.push(Buffer.from(lit, "utf8"));
  return new PlainFormat(lits, convs, longs, kinds);
}

function plainFormat(fmt: string): PlainFormat | null {
  if (fmt === lastFmt) return lastPlain;
  let pf = plainFormats.get(fmt);
  if (pf === undefined) {
    pf = parsePlain(fmt);
    if (plainFormats.size >= PLAIN_FORMATS_MAX) plainFormats.clear();
    plainFormats.set(fmt, pf);
  }
  lastFmt = fmt;
  lastPlain = pf;
  return pf;
}

function putLit(b: Uint8Array): void {
  const n = b.length;
  reserve(n);
  const o = out; // (a local: the loop then loads it once)
  const at = outLen;
  if (n <= 2) {
    // (Separators and line ends: no loop.)
    if (n > 0) o[at] = b[0]!;
    if (n > 1) o[at + 1] = b[1]!;
  } else for (let i = 0; i < n; i++) o[at + i] = b[i]!;
  outLen = at + n;
}

/** "00" to "99": the two digits of n at 2n and 2n + 1. */
const DIGIT_PAIRS = Buffer.from(Array.from({ length: 100 }, (_, n) => String(n).padStart(2, "0")).join(""), "latin1");

/**
 * Decimal digits of v, a safe integer, 0 or more. (Values from 2^31 on are putDigitsBig's, so
 * that this stays small enough for V8 to inline into formatPlain beside the others.)
 */
function putDecimal(v: number): void {
  if (v >= 0x80000000) {
    putDigitsBig(v, 10, HEX_LOWER);
    return;
  }
  reserve(16);
  // (Comparisons cost less than a division a digit.)
  const len = v < 100000 ? (v < 100 ? (v < 10 ? 1 : 2) : v < 1000 ? 3 : v < 10000 ? 4 : 5)
    : v < 10000000 ? (v < 1000000 ? 6 : 7) : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
  const o = out;
  let at = outLen + len;
  // Two digits a division, from a table.
  while (v >= 100) {
    const q = (v / 100) | 0;
    const r = (v - q * 100) * 2;
    o[--at] = DIGIT_PAIRS[r + 1]!;
    o[--at] = DIGIT_PAIRS[r]!;
    v = q;
  }
  if (v >= 10) {
    o[--at] = DIGIT_PAIRS[v * 2 + 1]!;
    o[--at] = DIGIT_PAIRS[v * 2]!;
  } else o[--at] = 0x30 + v;
  outLen += len;
}

/**
 * The digits of v, a safe integer beyond what putDecimal and putHex take themselves, in `base`
 * (10 or 16) from the table `digits`: a digit at a time, by division (no 32-bit operations).
 */
function putDigitsBig(v: number, base: number, digits: Uint8Array): void {
  reserve(16);
  let len = 1;
  for (let t = v; t >= base; t = Math.floor(t / base)) len++;
  let at = outLen + len;
  do {
    const q = Math.floor(v / base);
    out[--at] = digits[v - q * base]!;
    v = q;
  } while (v > 0);
  outLen += len;
}

const HEX_LOWER = Buffer.from("0123456789abcdef", "latin1");
const HEX_UPPER = Buffer.from("0123456789ABCDEF", "latin1");
/** "00" to "ff" (and "FF"): the two digits of n at 2n and 2n + 1. */
const HEX_PAIRS_LOWER = Buffer.from(Array.from({ length: 256 }, (_, n) => n.toString(16).padStart(2, "0")).join(""), "latin1");
const HEX_PAIRS_UPPER = Buffer.from(HEX_PAIRS_LOWER.toString("latin1").toUpperCase(), "latin1");

/**
 * Hexadecimal digits of v, a safe integer, 0 or more. (Values beyond 32 bits are putDigitsBig's, so
 * that this stays small enough for V8 to inline into formatPlain beside the others.)
 */
function putHex(v: number, digits: Uint8Array): void {
  if (v > 0xffffffff) {
    putDigitsBig(v, 16, digits);
    return;
  }
  reserve(14);
  const len = v === 0 ? 1 : (35 - Math.clz32(v)) >> 2;
  let at = outLen + len;
  const o = out;
  const pairs = digits === HEX_LOWER ? HEX_PAIRS_LOWER : HEX_PAIRS_UPPER;
  v >>>= 0;
  // Two digits a step, from a table.
  while (v > 0xff) {
    const r = (v & 0xff) * 2;
    o[--at] = pairs[r + 1]!;
    o[--at] = pairs[r]!;
    v >>>= 8;
  }
  if (v > 0xf) {
    o[--at] = pairs[v * 2 + 1]!;
    o[--at] = pairs[v * 2]!;
  } else o[--at] = digits[v]!;
  outLen += len;
}

/** A string's bytes up to its first NUL, if it is ASCII there: true; else nothing written, false. */
function putAsciiCString(s: string): boolean {
  const n = s.length;
  reserve(n);
  const o = out;
  const start = outLen;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if ((c - 1) >>> 0 >= 0x7f) {
      // (One test for the usual byte: 1 to 0x7f.)
      if (c === 0) break;
      return false;
    }
    o[start + i] = c;
  }
  outLen = start + i;
  return true;
}

/** evutil_format_ of a plain format: integers and ASCII strings directly, the rest as usual. */
function formatPlain(fn: string, pf: PlainFormat, args: readonly unknown[]): number {
  outLen = outStart;
  const lits = pf.lits;
  const kinds = pf.kinds;
  putLit(lits[0]!);
  for (let k = 0; k < kinds.length; k++) {
    const kind = kinds[k]!;
    const v = args[k];
    let done = false;
    if (typeof v === "number") {
      if (v >= 0 ? v <= Number.MAX_SAFE_INTEGER : v >= -Number.MAX_SAFE_INTEGER && kind === PLAIN_SIGNED) {
        if (Number.isInteger(v)) {
          if (kind <= PLAIN_UNSIGNED) {
            if (v < 0) {
              putRepeat(0x2d, 1);
              putDecimal(-v);
            } else putDecimal(v);
            done = true;
          } else if (kind === PLAIN_HEX) {
            putHex(v, HEX_LOWER);
            done = true;
          } else if (kind === PLAIN_HEX_UPPER) {
            putHex(v, HEX_UPPER);
            done = true;
          }
        }
      }
    } else if (typeof v === "string" && kind === PLAIN_STRING) {
      done = putAsciiCString(v);
    }
    if (!done) {
      const conv = pf.convs[k]!;
      spec.left = spec.plus = spec.space = spec.alt = spec.zero = false;
      spec.long = pf.longs[k]!;
      spec.width = 0;
      spec.prec = -1;
      if (conv === "s") formatString(fn, v, k);
      else if (conv === "c") {
        const c = integerArg(fn, conv, v, k);
        putRepeat(typeof c === "bigint" ? Number(c & 0xffn) : c & 0xff, 1);
      } else formatInteger(conv, integerArg(fn, conv, v, k));
    }
    putLit(lits[k + 1]!);
  }
  return outLen - outStart;
}

/**
 * @internal Format `fmt` with `args` as C's vsnprintf does, into internal scratch memory.
 * Returns the output's length in bytes; the bytes are `evutil_format_out_()` up to that
 * length, valid until the next call. Throws a TypeError naming `fn` for a directive it does not
 * support or an argument of the wrong kind.
 */
export function evutil_format_(fn: string, fmt: string, args: readonly unknown[]): number {
  if (typeof fmt !== "string") throw new TypeError(`${fn}: format is not a string`);
  const pf = plainFormat(fmt);
  if (pf !== null) return formatPlain(fn, pf, args);
  outLen = outStart;
  let argi = 0;
  let i = 0;
  const n = fmt.length;
  while (i < n) {
    const pct = fmt.indexOf("%", i);
    if (pct < 0) {
      putStr(i === 0 ? fmt : fmt.slice(i));
      break;
    }
    if (pct > i) putStr(fmt.slice(i, pct));
    i = pct + 1;

    spec.left = spec.plus = spec.space = spec.alt = spec.zero = spec.long = false;
    spec.width = 0;
    spec.prec = -1;
    for (;; i++) {
      const c = fmt.charCodeAt(i);
      if (c === 0x2d) spec.left = true;
      else if (c === 0x2b) spec.plus = true;
      else if (c === 0x20) spec.space = true;
      else if (c === 0x23) spec.alt = true;
      else if (c === 0x30) spec.zero = true;
      else break;
    }
    if (fmt.charCodeAt(i) === 0x2a) {
      const w = starArg(fn, args[argi], argi);
      argi++;
      i++;
      if (w < 0) {
        spec.left = true;
        spec.width = -w;
      } else spec.width = w;
    } else {
      while (isDigit(fmt.charCodeAt(i))) spec.width = spec.width * 10 + fmt.charCodeAt(i++) - 0x30;
    }
    if (fmt.charCodeAt(i) === 0x2e) {
      i++;
      if (fmt.charCodeAt(i) === 0x2a) {
        const p = starArg(fn, args[argi], argi);
        argi++;
        i++;
        spec.prec = p < 0 ? -1 : p;
      } else {
        spec.prec = 0;
        while (isDigit(fmt.charCodeAt(i))) spec.prec = spec.prec * 10 + fmt.charCodeAt(i++) - 0x30;
      }
    }
    for (;;) {
      const c = fmt[i];
      if (c === "h" || c === "L") i++;
      else if (c === "l" || c === "z" || c === "j" || c === "t") {
        spec.long = true;
        i++;
      } else break;
    }
    const conv = fmt[i++];
    switch (conv) {
      case "d": case "i": case "u": case "x": case "X": case "o":
        formatInteger(conv, integerArg(fn, conv, args[argi], argi));
        argi++;
        break;
      case "c": {
        const v = integerArg(fn, conv, args[argi], argi);
        argi++;
        const pad = spec.width - 1;
        if (!spec.left) putRepeat(SPACE, pad);
        putRepeat(typeof v === "bigint" ? Number(v & 0xffn) : v & 0xff, 1);
        if (spec.left) putRepeat(SPACE, pad);
        break;
      }
      case "s":
        formatString(fn, args[argi], argi);
        argi++;
        break;
      case "p":
        if (args[argi] === undefined) throw argMissing(fn, conv, argi);
        formatPointer(args[argi]);
        argi++;
        break;
      case "f": case "F": case "e": case "E": case "g": case "G": {
        const v = args[argi];
        if (v === undefined) throw argMissing(fn, conv, argi);
        if (typeof v !== "number") {
          throw new TypeError(`${fn}: argument ${argi + 1} for %${conv} is not a number (${typeof v})`);
        }
        argi++;
        formatFloat(conv, v);
        break;
      }
      case "%":
        putRepeat(0x25, 1);
        break;
      default:
        throw new TypeError(`${fn}: unsupported conversion "%${conv ?? ""}" in format ${JSON.stringify(fmt)}`);
    }
  }
  return outLen - outStart;
}

/**
 * @internal evutil_format_ straight into `dst[at, end)` (for evbuffer_add_printf: a chain's free
 * space, as C's vsnprintf writes there). Returns the output's length, or -1 when it may not fit
 * (then `dst[at, end)` may hold part of it, and the caller formats again with evutil_format_).
 * Throws as evutil_format_ does.
 */
export function evutil_format_into_(fn: string, fmt: string, args: readonly unknown[], dst: Buffer, at: number, end: number): number {
  out = dst;
  outStart = at;
  outEnd = end;
  try {
    return evutil_format_(fn, fmt, args);
  } catch (e) {
    if (e === NO_ROOM) return -1;
    throw e;
  } finally {
    out = scratchOut;
    outStart = 0;
    outEnd = out.length;
  }
}

/** @internal The scratch memory holding the output of the last `evutil_format_` call. */
export function evutil_format_out_(): Uint8Array {
  return scratchOut;
}

/**
 * `int evutil_vsnprintf(char *buf, size_t buflen, const char *format, va_list ap)`
 *
 * Formats like C's vsnprintf into `buf`: writes at most `buflen - 1` bytes of output and a
 * terminating NUL byte (the output is truncated, possibly in the middle of a UTF-8 sequence,
 * as C truncates bytes), and, as libevent does, sets the last byte, `buf[buflen - 1]`, to NUL
 * even when the output is shorter.
 *
 * @param buf the destination; `buflen` must not exceed its length.
 * @param buflen room in `buf`, in bytes, including the NUL.
 * @param format a C format string (see the module's notes for the supported directives).
 * @param ap the arguments, as an array (the `va_list`).
 * @returns the length the complete output has, in bytes, without the NUL, even when it did not
 *   fit; 0 when `buflen` is 0 (libevent's own quirk: nothing is formatted then).
 * @throws TypeError for an unsupported directive, an argument of the wrong kind or a `buflen`
 *   that is not an integer; RangeError when `buflen` is negative or exceeds `buf`.
 * @category Strings and memory
 */
export function evutil_vsnprintf(buf: Uint8Array, buflen: number, format: string, ap: readonly unknown[]): number {
  const fn = "evutil_vsnprintf";
  check_len_(fn, "buflen", buf, "buf", buflen);
  if (!Array.isArray(ap)) throw new TypeError(`${fn}: ap is not an array of arguments`);
  return evutil_snprintf_into_(fn, buf, buflen, format, ap);
}

/**
 * @internal The body of evutil_vsnprintf, on arguments already checked (`buflen` within `buf`),
 * for every function that writes formatted text into a C buffer as libevent does with
 * evutil_snprintf. `fn` names the caller in errors about the format and its arguments.
 */
export function evutil_snprintf_into_(fn: string, buf: Uint8Array, buflen: number, format: string, ap: readonly unknown[]): number {
  if (buflen === 0) return 0;
  const r = evutil_format_(fn, format, ap);
  const n = r < buflen - 1 ? r : buflen - 1;
  // (A loop for short output: a Buffer subarray costs more to make than such a copy.)
  if (n <= 16) for (let i = 0; i < n; i++) buf[i] = out[i]!;
  else set_bytes_(buf, new Uint8Array(out.buffer, out.byteOffset, n), 0);
  buf[n] = 0;
  buf[buflen - 1] = 0;
  return r;
}

/**
 * `int evutil_snprintf(char *buf, size_t buflen, const char *format, ...)`
 *
 * {@link evutil_vsnprintf} with the arguments given inline.
 *
 * @returns the length of the complete output in bytes (without the NUL); 0 when `buflen` is 0.
 * @param buf receives the output as a NUL-terminated C string
 * @param buflen the room in `buf` in bytes (output is cut at `buflen - 1` bytes)
 * @param format the printf-style format
 * @param args the values for the format's conversions
 * @see {@link evutil_vsnprintf}
 * @category Strings and memory
 */
export function evutil_snprintf(buf: Uint8Array, buflen: number, format: string, ...args: unknown[]): number {
  check_len_("evutil_snprintf", "buflen", buf, "buf", buflen);
  return evutil_snprintf_into_("evutil_snprintf", buf, buflen, format, args);
}
