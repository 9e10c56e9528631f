/**
 * Socket addresses: `struct sockaddr`, `sockaddr_in`, `sockaddr_in6`, `sockaddr_un`,
 * `sockaddr_storage`, `in_addr`, `in6_addr`, and their C byte layout.
 *
 * Each struct is a class with the C field names, zeroed by `new`. Numbers that C keeps in network
 * byte order (`sin_port`, `sin_addr.s_addr`) are kept here as the same number C would hold on this
 * host, so `htons`/`htonl` are used exactly as in C. The internal `sockaddr_to_bytes_` and
 * `sockaddr_from_bytes_` translate between these objects and C `struct sockaddr` bytes (Linux
 * layout, or `sa_len` + `sa_family` on the BSDs and macOS).
 * @module
 */
import { native } from "../native/binding.js";
import { HOST_IS_LITTLE_ENDIAN as LE } from "./byteorder.js";
import { show } from "./check.js";

const { AF_INET, AF_INET6, AF_UNIX } = native.constants;

/** The BSDs and macOS start every sockaddr with a length byte; Linux does not. */
const HAS_SA_LEN = ["darwin", "freebsd", "openbsd", "netbsd"].includes(process.platform);

/** @internal C sizes of the address structs on this platform. */
export const SIZEOF_SOCKADDR = 16;
/** @internal */
export const SIZEOF_SOCKADDR_IN = 16;
/** @internal */
export const SIZEOF_SOCKADDR_IN6 = 28;
/** @internal */
export const SIZEOF_SOCKADDR_UN = HAS_SA_LEN ? 106 : 110;
/** @internal */
export const SIZEOF_SOCKADDR_STORAGE = 128;
const SUN_PATH_MAX = SIZEOF_SOCKADDR_UN - 2;

/** `struct in_addr`: an IPv4 address. @category Addresses */
export class in_addr {
  /** The address in network byte order (`htonl(INADDR_LOOPBACK)` for 127.0.0.1), unsigned. */
  s_addr = 0;
}

/** `struct in6_addr`: an IPv6 address. @category Addresses */
export class in6_addr {
  /** The 16 bytes of the address, most significant first. */
  s6_addr = new Uint8Array(16);
}

/**
 * `struct sockaddr`: the generic address that functions take (`const struct sockaddr *sa`).
 * Every address class here has `sa_family`, so any of them can be passed where C takes a
 * `struct sockaddr *`, and a C cast `(struct sockaddr_in *)sa` is `sa as sockaddr_in`.
 * A bare `new sockaddr()` keeps only the family of what is stored into it: to receive an
 * address, use `sockaddr_storage` or the family's own struct, as C code does.
 * @category Addresses
 */
export class sockaddr {
  /** Address family (`AF_INET`, `AF_INET6`, `AF_UNIX`, ...). */
  sa_family = 0;
}

/** `struct sockaddr_in`: an IPv4 address and port. `sizeof(sockaddr_in)` is 16. @category Addresses */
export class sockaddr_in {
  /** Address family: `AF_INET`. */
  sin_family = 0;
  /** Port in network byte order: `htons(8080)`. */
  sin_port = 0;
  /** The IPv4 address. */
  sin_addr = new in_addr();
  /** The family seen through `struct sockaddr` (the same field as `sin_family`). */
  get sa_family(): number {
    return this.sin_family;
  }
  /** Sets `sa_family` (see its getter). @param v the address family (`AF_*`) */
  set sa_family(v: number) {
    this.sin_family = v;
  }
}

/** `struct sockaddr_in6`: an IPv6 address, port, flow label and scope. `sizeof` is 28. @category Addresses */
export class sockaddr_in6 {
  /** Address family: `AF_INET6`. */
  sin6_family = 0;
  /** Port in network byte order: `htons(8080)`. */
  sin6_port = 0;
  /** IPv6 flow information. */
  sin6_flowinfo = 0;
  /** The IPv6 address. */
  sin6_addr = new in6_addr();
  /** Scope (interface index) of a link-local address. */
  sin6_scope_id = 0;
  /** The family seen through `struct sockaddr` (the same field as `sin6_family`). */
  get sa_family(): number {
    return this.sin6_family;
  }
  /** Sets `sa_family` (see its getter). @param v the address family (`AF_*`) */
  set sa_family(v: number) {
    this.sin6_family = v;
  }
}

/** `struct sockaddr_un`: a Unix-domain socket path. `sizeof` is 110 on Linux. @category Addresses */
export class sockaddr_un {
  /** Address family: `AF_UNIX`. */
  sun_family = 0;
  /**
   * The path (UTF-8 in the C struct, at most 107 bytes on Linux). A path starting with `"\0"`
   * names a Linux abstract socket.
   */
  sun_path = "";
  /** The family seen through `struct sockaddr` (the same field as `sun_family`). */
  get sa_family(): number {
    return this.sun_family;
  }
  /** Sets `sa_family` (see its getter). @param v the address family (`AF_*`) */
  set sa_family(v: number) {
    this.sun_family = v;
  }
}

/**
 * `struct sockaddr_storage`: room for an address of any family (128 bytes). Like the C union it
 * stands for, it has the fields of every family: a function that stores an address into it sets
 * `ss_family` and the fields of that family (the others are zeroed), so that a C cast
 * `(struct sockaddr_in6 *)&ss` is `ss as sockaddr_in6`. All the family fields (`sa_family`,
 * `sin_family`, `sin6_family`, `sun_family`) are `ss_family`, and `sin6_port` is `sin_port`, as
 * they share their bytes in C.
 * @category Addresses
 */
export class sockaddr_storage {
  /** Address family of the stored address. */
  ss_family = 0;
  /** Port in network byte order, of an `AF_INET` or `AF_INET6` address. */
  sin_port = 0;
  /** The address of an `AF_INET` address. */
  sin_addr = new in_addr();
  /** Flow information of an `AF_INET6` address. */
  sin6_flowinfo = 0;
  /** The address of an `AF_INET6` address. */
  sin6_addr = new in6_addr();
  /** Scope of an `AF_INET6` address. */
  sin6_scope_id = 0;
  /** The path of an `AF_UNIX` address. */
  sun_path = "";
  /** The family, seen as `struct sockaddr` (= `ss_family`). */
  get sa_family(): number {
    return this.ss_family;
  }
  /** Sets `sa_family` (see its getter). @param v the address family (`AF_*`) */
  set sa_family(v: number) {
    this.ss_family = v;
  }
  /** The family, seen as `struct sockaddr_in` (= `ss_family`). */
  get sin_family(): number {
    return this.ss_family;
  }
  /** Sets `sin_family` (see its getter). @param v the address family (`AF_*`) */
  set sin_family(v: number) {
    this.ss_family = v;
  }
  /** The family, seen as `struct sockaddr_in6` (= `ss_family`). */
  get sin6_family(): number {
    return this.ss_family;
  }
  /** Sets `sin6_family` (see its getter). @param v the address family (`AF_*`) */
  set sin6_family(v: number) {
    this.ss_family = v;
  }
  /** The port, seen as `struct sockaddr_in6` (= `sin_port`). */
  get sin6_port(): number {
    return this.sin_port;
  }
  /** Sets `sin6_port` (see its getter). @param v the port in network byte order */
  set sin6_port(v: number) {
    this.sin_port = v;
  }
  /** The family, seen as `struct sockaddr_un` (= `ss_family`). */
  get sun_family(): number {
    return this.ss_family;
  }
  /** Sets `sun_family` (see its getter). @param v the address family (`AF_*`) */
  set sun_family(v: number) {
    this.ss_family = v;
  }
}

/** Any of the address structs. @category Addresses */
export type sockaddr_any = sockaddr | sockaddr_in | sockaddr_in6 | sockaddr_un | sockaddr_storage;

/** The C layout an address object is read and written with. */
const enum Kind { SA, IN, IN6, UN, STORAGE }

/** The layout of an address object, or -1 if it is not one. */
function kindOrNone(sa: unknown): Kind | -1 {
  if (sa instanceof sockaddr_in) return Kind.IN;
  if (sa instanceof sockaddr_in6) return Kind.IN6;
  if (sa instanceof sockaddr_storage) return Kind.STORAGE;
  if (sa instanceof sockaddr_un) return Kind.UN;
  if (sa instanceof sockaddr) return Kind.SA;
  return -1;
}

function kindOf(fn: string, sa: unknown): Kind {
  const kind = kindOrNone(sa);
  if (kind < 0) {
    throw new TypeError(`${fn}: ${show(sa)} is not a sockaddr object (sockaddr_in, sockaddr_in6, sockaddr_un, sockaddr_storage)`);
  }
  return kind as Kind;
}

const SIZE: Record<Kind, number> = {
  [Kind.SA]: SIZEOF_SOCKADDR,
  [Kind.IN]: SIZEOF_SOCKADDR_IN,
  [Kind.IN6]: SIZEOF_SOCKADDR_IN6,
  [Kind.UN]: SIZEOF_SOCKADDR_UN,
  [Kind.STORAGE]: SIZEOF_SOCKADDR_STORAGE,
};

/** @internal `sizeof` of an address object, or -1 if it is not one. */
export function sockaddr_size_(sa: unknown): number {
  const kind = kindOrNone(sa);
  return kind < 0 ? -1 : SIZE[kind as Kind];
}

/** Which family's fields a family number selects in a storage. */
function familyKind(family: number): Kind {
  if (family === AF_INET) return Kind.IN;
  if (family === AF_INET6) return Kind.IN6;
  if (family === AF_UNIX) return Kind.UN;
  return Kind.SA;
}

// One scratch area for building and parsing, big enough for any address.
const scratch = new Uint8Array(SIZEOF_SOCKADDR_STORAGE);
const view = new DataView(scratch.buffer);
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function familyOf(sa: sockaddr_any, kind: Kind): number {
  switch (kind) {
    case Kind.IN: return (sa as sockaddr_in).sin_family;
    case Kind.IN6: return (sa as sockaddr_in6).sin6_family;
    case Kind.UN: return (sa as sockaddr_un).sun_family;
    case Kind.STORAGE: return (sa as sockaddr_storage).ss_family;
    default: return sa.sa_family;
  }
}

/** Write `sa` into `scratch` in C layout (all `SIZE[kind]` bytes). */
function build(fn: string, sa: sockaddr_any, kind: Kind): number {
  const size = SIZE[kind];
  const family = familyOf(sa, kind);
  scratch.fill(0);
  if (HAS_SA_LEN) {
    scratch[0] = size;
    scratch[1] = family;
  } else {
    view.setUint16(0, family, LE);
  }
  const fields = kind === Kind.SA || kind === Kind.STORAGE ? familyKind(family) : kind;
  if (kind === Kind.SA) return size; // a bare struct sockaddr holds no family fields
  if (fields === Kind.IN) {
    const sin = sa as sockaddr_in;
    view.setUint16(2, sin.sin_port, LE);
    view.setUint32(4, sin.sin_addr.s_addr >>> 0, LE);
  } else if (fields === Kind.IN6) {
    const sin6 = sa as sockaddr_in6;
    view.setUint16(2, sin6.sin6_port, LE);
    view.setUint32(4, sin6.sin6_flowinfo >>> 0, LE);
    const a = sin6.sin6_addr.s6_addr;
    if (!(a instanceof Uint8Array) || a.length !== 16) {
      throw new TypeError(`${fn}: sin6_addr.s6_addr must be a Uint8Array of 16 bytes`);
    }
    scratch.set(a, 8);
    view.setUint32(24, sin6.sin6_scope_id >>> 0, LE);
  } else if (fields === Kind.UN) {
    const path = utf8.encode((sa as sockaddr_un).sun_path);
    if (path.length > SUN_PATH_MAX) {
      throw new RangeError(`${fn}: sun_path is ${path.length} bytes; sockaddr_un holds ${SUN_PATH_MAX}`);
    }
    scratch.set(path, 2);
  }
  return size;
}

/** Read the fields of the layout `kind` from `scratch` into `out`. */
function parse(out: sockaddr_any, kind: Kind, len: number): void {
  const family = familyAt(scratch);
  switch (kind) {
    case Kind.SA:
      out.sa_family = family;
      return;
    case Kind.IN:
      (out as sockaddr_in).sin_family = family;
      parseIn(out as sockaddr_in);
      return;
    case Kind.IN6:
      (out as sockaddr_in6).sin6_family = family;
      parseIn6(out as sockaddr_in6);
      return;
    case Kind.UN:
      (out as sockaddr_un).sun_family = family;
      (out as sockaddr_un).sun_path = parsePath(len);
      return;
    case Kind.STORAGE: {
      const ss = out as sockaddr_storage;
      const fields = familyKind(family);
      ss.ss_family = family;
      ss.sin_port = fields === Kind.IN || fields === Kind.IN6 ? view.getUint16(2, LE) : 0;
      ss.sin_addr.s_addr = fields === Kind.IN ? view.getUint32(4, LE) : 0;
      ss.sin6_flowinfo = fields === Kind.IN6 ? view.getUint32(4, LE) : 0;
      if (fields === Kind.IN6) ss.sin6_addr.s6_addr.set(scratch.subarray(8, 24));
      else clear(ss.sin6_addr.s6_addr);
      ss.sin6_scope_id = fields === Kind.IN6 ? view.getUint32(24, LE) : 0;
      ss.sun_path = fields === Kind.UN ? parsePath(len) : "";
    }
  }
}

/** fill(0), called only when a byte is set: fill is a slow builtin, and the bytes are usually all zero already. */
function clear(a: Uint8Array): void {
  let any = 0;
  for (let i = 0; i < a.length; i++) any |= a[i]!;
  if (any !== 0) a.fill(0);
}

function parseIn(sin: sockaddr_in): void {
  sin.sin_port = view.getUint16(2, LE);
  sin.sin_addr.s_addr = view.getUint32(4, LE);
}

function parseIn6(sin6: sockaddr_in6): void {
  sin6.sin6_port = view.getUint16(2, LE);
  sin6.sin6_flowinfo = view.getUint32(4, LE);
  sin6.sin6_addr.s6_addr.set(scratch.subarray(8, 24));
  sin6.sin6_scope_id = view.getUint32(24, LE);
}

/** A path ends at its NUL; an abstract name (leading NUL) runs to the address length. */
function parsePath(len: number): string {
  const end = Math.min(len, SIZEOF_SOCKADDR_UN);
  if (end > 2 && scratch[2] === 0) return "\0" + fromUtf8.decode(scratch.subarray(3, end));
  let nul = 2;
  while (nul < end && scratch[nul] !== 0) nul++;
  return fromUtf8.decode(scratch.subarray(2, nul));
}

/**
 * @internal Write `sa` as C `struct sockaddr` bytes into `out` (which must hold `sizeof(sa)`
 * bytes) and return `sizeof(sa)`. `fn` names the public function for error messages.
 */
export function sockaddr_to_bytes_(fn: string, sa: sockaddr_any, out: Uint8Array): number {
  const kind = kindOf(fn, sa);
  const size = build(fn, sa, kind);
  if (out.length < size) throw new RangeError(`${fn}: ${out.length} bytes cannot hold a ${size}-byte address`);
  out.set(scratch.subarray(0, size));
  return size;
}

/**
 * @internal Store the C address bytes `bytes[0..len)` into `out`, as the kernel or memcpy would:
 * at most `sizeof(out)` bytes are copied over what `out` held, then `out`'s fields are read
 * back in its own layout (a storage takes the layout of the stored family).
 */
export function sockaddr_from_bytes_(fn: string, bytes: Uint8Array, len: number, out: sockaddr_any): void {
  const kind = kindOf(fn, out);
  const size = build(fn, out, kind);
  const n = Math.min(len, size, bytes.length);
  // A loop, not scratch.set(bytes.subarray(...)): no view allocated per accepted connection.
  for (let i = 0; i < n; i++) scratch[i] = bytes[i]!;
  parse(out, kind, n);
}

/**
 * @internal sockaddr_from_bytes_ into a sockaddr_storage, for addresses the kernel gave whole
 * (accept's, once per connection): an IPv4 or IPv6 address of its full size reads no byte beyond
 * itself, so the storage's old contents need not be laid out first. Anything else takes
 * sockaddr_from_bytes_.
 */
export function sockaddr_storage_from_bytes_(fn: string, bytes: Uint8Array, len: number, ss: sockaddr_storage): void {
  const k = familyKind(familyAt(bytes));
  const need = k === Kind.IN ? SIZEOF_SOCKADDR_IN : k === Kind.IN6 ? SIZEOF_SOCKADDR_IN6 : -1;
  if (need < 0 || Math.min(len, bytes.length) < need) {
    sockaddr_from_bytes_(fn, bytes, len, ss);
    return;
  }
  for (let i = 0; i < need; i++) scratch[i] = bytes[i]!;
  parse(ss, Kind.STORAGE, Math.min(len, SIZEOF_SOCKADDR_STORAGE));
}

/**
 * @internal A new address object for C address bytes: a `sockaddr_in`, `sockaddr_in6` or
 * `sockaddr_un` by family, else a bare `sockaddr`.
 */
export function sockaddr_new_from_bytes_(bytes: Uint8Array, len: number): sockaddr_in | sockaddr_in6 | sockaddr_un | sockaddr {
  const k = familyKind(familyAt(bytes));
  const out = k === Kind.IN ? new sockaddr_in() : k === Kind.IN6 ? new sockaddr_in6() : k === Kind.UN ? new sockaddr_un() : new sockaddr();
  sockaddr_from_bytes_("sockaddr_new_from_bytes_", bytes, len, out);
  return out;
}

/** The family field of C address bytes. */
function familyAt(bytes: Uint8Array): number {
  if (HAS_SA_LEN) return bytes[1]!;
  return LE ? bytes[0]! | (bytes[1]! << 8) : (bytes[0]! << 8) | bytes[1]!;
}

/**
 * @internal Fill the first `n` bytes of an address object with the byte `c`, as C's memset
 * would on its memory.
 */
export function sockaddr_memset_(fn: string, sa: sockaddr_any, c: number, n: number): void {
  const kind = kindOf(fn, sa);
  const size = build(fn, sa, kind);
  if (n > size) throw new RangeError(`${fn}: length ${n} exceeds sizeof the ${sa.constructor.name} (${size})`);
  scratch.fill(c & 0xff, 0, n);
  parse(sa, kind, size);
}
