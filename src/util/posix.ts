/**
 * The POSIX calls that C programs and tests make on their own descriptors: `read`, `write`,
 * `send`, `recv`, `shutdown`, `close`, `socket`, `bind`, `listen`, `connect`, `accept`,
 * `getsockname`, `getpeername`, `setsockopt`/`getsockopt` (int options), `open`, `mkfifo`,
 * `unlink`. Each returns C's value and sets `errno` on failure. C buffers are Uint8Arrays (a
 * length beyond one is a RangeError); addresses are the sockaddr objects of this package, with
 * their `socklen_t *` lengths in boxes `{ value }`. A negative fd gives -1 with errno EBADF, as
 * the kernel answers; an fd that is not an integer is a TypeError.
 * @module
 */
import { unlinkSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { native } from "../native/binding.js";
import { memArgs, mem_extent_, mem_known_, mem_number_ } from "../native/mem.js";
import { changelist_flush_ } from "../event/changelist.js";
import { EBADF, EIO, fail, set_errno, sysret } from "./errno.js";
import { check_box_, check_bytes_, check_int_, check_len_, check_string_, show } from "./check.js";
import { SIZEOF_INT } from "./sizeof.js";
import { utf8_write_ } from "./utf8.js";
import { sockaddr, sockaddr_from_bytes_, sockaddr_size_, sockaddr_storage_from_bytes_, sockaddr_to_bytes_, SIZEOF_SOCKADDR_STORAGE } from "./sockaddr.js";
import type { sockaddr_storage } from "./sockaddr.js";

const addrBuf = new Uint8Array(SIZEOF_SOCKADDR_STORAGE);
/** addrBuf's number, for accept_storage_'s call (native/mem.ts). */
const addrMem = mem_number_(addrBuf);
const lenBuf = new Int32Array(1);
const optBuf = new Int32Array(1);

/** @internal Check an fd argument: TypeError unless an integer; false (EBADF) if negative. */
export function fd_ok_(fn: string, fd: unknown): boolean {
  check_int_(fn, "fd", fd);
  return fd >= 0;
}

/**
 * `ssize_t read(int fd, void *buf, size_t count)`: read up to `count` bytes into `buf`. Returns the count read, 0 at end of file, or -1 with errno (EAGAIN on an empty nonblocking fd).
 * @param fd the file descriptor
 * @param buf where the bytes go
 * @param count the most bytes to read (at most `buf.length`)
 * @returns the count read, 0 at end of file, or -1 with errno (EAGAIN on an empty nonblocking fd)
 * @see {@link write}, {@link recv}
 * @category Sockets and files
 */
export function read(fd: number, buf: Uint8Array, count: number): number {
  // The valid call tested in one expression, the checks' calls only when it fails: ported loops
  // read once per event, and before V8 optimises them every call is paid in full.
  if (!(buf instanceof Uint8Array && (fd | 0) === fd && fd >= 0 && (count >>> 0) === count && count <= buf.length)) {
    check_len_("read", "count", buf, "buf", count);
    if (!fd_ok_("read", fd)) return fail(-EBADF);
  }
  return transfer(fd, buf, count, native.memReadBuf);
}

/** read(2) or write(2) (`call`: native.memReadBuf or memWriteBuf) of buf[0, count) on fd: the count, or -1 with errno. */
function transfer(fd: number, buf: Uint8Array, count: number, call: (buf: Uint8Array) => number): number {
  memArgs[0] = fd;
  memArgs[1] = 0;
  memArgs[2] = count;
  const r = call(buf);
  return r < 0 ? sysret(r) : r;
}

/**
 * `ssize_t write(int fd, const void *buf, size_t count)`: write `count` bytes of `buf` (a
 * Uint8Array, or a string taken as its UTF-8 bytes). Returns the count written or -1 with errno.
 * @param fd the file descriptor
 * @param buf the bytes, or a string taken as its UTF-8 bytes
 * @param count the number of bytes to write
 * @returns the count written or -1 with errno
 * @see {@link read}, {@link send}
 * @category Sockets and files
 */
export function write(fd: number, buf: Uint8Array | string, count: number): number {
  let bytes: Uint8Array;
  const fdValid = (fd | 0) === fd && fd >= 0;
  if (buf instanceof Uint8Array && fdValid && (count >>> 0) === count && count <= buf.length) {
    bytes = buf; // the valid call, as in read
  } else if (typeof buf === "string" && fdValid && (count >>> 0) === count && count <= WRITE_SCRATCH &&
             utf8_write_(writeScratch, 0, buf, count) === count) {
    // A string (a C string literal, ported): its bytes written from memory the addon knows.
    memArgs[0] = fd;
    mem_extent_(2, writeScratchMem, 0, count);
    const r = mem_known_(native.memWrite(), writeScratchMem, writeScratch, native.memWrite);
    return r < 0 ? sysret(r) : r;
  } else {
    bytes = check_bytes_("write", "count", buf, "buf", count);
    if (!fd_ok_("write", fd)) return fail(-EBADF);
  }
  return transfer(fd, bytes, count, native.memWriteBuf);
}

/** Where write() puts a string's bytes (up to WRITE_SCRATCH of them), and its memory number. */
const WRITE_SCRATCH = 4096;
const writeScratch = Buffer.allocUnsafeSlow(WRITE_SCRATCH);
const writeScratchMem = mem_number_(writeScratch);

/**
 * `ssize_t send(int sockfd, const void *buf, size_t len, int flags)`: as `write`, with `MSG_*` flags.
 * @param sockfd the socket's file descriptor
 * @param buf the bytes, or a string taken as its UTF-8 bytes
 * @param len the number of bytes to send
 * @param flags `MSG_*` flags ORed (`MSG_NOSIGNAL`, `MSG_DONTWAIT`), or 0
 * @returns the count sent, or -1 with errno
 * @see {@link recv}, {@link write}
 * @category Sockets and files
 */
export function send(sockfd: number, buf: Uint8Array | string, len: number, flags: number): number {
  const bytes = check_bytes_("send", "len", buf, "buf", len);
  check_int_("send", "flags", flags);
  if (!fd_ok_("send", sockfd)) return fail(-EBADF);
  return sysret(native.send(sockfd, bytes, 0, len, flags));
}

/**
 * `ssize_t recv(int sockfd, void *buf, size_t len, int flags)`: as `read`, with `MSG_*` flags.
 * @param sockfd the socket's file descriptor
 * @param buf where the bytes go
 * @param len the most bytes to receive (at most `buf.length`)
 * @param flags `MSG_*` flags ORed (`MSG_PEEK`, `MSG_DONTWAIT`), or 0
 * @returns the count received, 0 at end of stream, or -1 with errno
 * @see {@link send}, {@link read}
 * @category Sockets and files
 */
export function recv(sockfd: number, buf: Uint8Array, len: number, flags: number): number {
  check_len_("recv", "len", buf, "buf", len);
  check_int_("recv", "flags", flags);
  if (!fd_ok_("recv", sockfd)) return fail(-EBADF);
  return sysret(native.recv(sockfd, buf, 0, len, flags));
}

/**
 * `int shutdown(int sockfd, int how)`: shut down reading (`SHUT_RD`), writing (`SHUT_WR`) or both. 0 or -1.
 * @param sockfd the socket's file descriptor
 * @param how `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`
 * @returns 0, or -1 with errno
 * @category Sockets and files
 */
export function shutdown(sockfd: number, how: number): number {
  check_int_("shutdown", "how", how);
  if (!fd_ok_("shutdown", sockfd)) return fail(-EBADF);
  return sysret(native.shutdown(sockfd, how));
}

/**
 * `int close(int fd)`: close a descriptor. 0 or -1 with errno.
 * @param fd the file descriptor
 * @returns 0, or -1 with errno
 * @see {@link evutil_closesocket}
 * @category Sockets and files
 */
export function close(fd: number): number {
  if (!fd_ok_("close", fd)) return fail(-EBADF);
  changelist_flush_(); // no held-back backend change may outlive its descriptor (event/changelist.ts)
  return sysret(native.close(fd));
}

/**
 * `int socket(int domain, int type, int protocol)`: a new socket's fd, or -1 with errno. `type` may include `SOCK_NONBLOCK | SOCK_CLOEXEC`.
 * @param domain the address family (`AF_INET`, `AF_INET6`, `AF_UNIX`)
 * @param type the socket type (`SOCK_STREAM`, `SOCK_DGRAM`, optionally with `SOCK_NONBLOCK`/`SOCK_CLOEXEC`)
 * @param protocol the protocol, usually 0
 * @returns the new socket's fd, or -1 with errno
 * @see {@link bind}, {@link connect}, {@link listen}
 * @category Sockets and files
 */
export function socket(domain: number, type: number, protocol: number): number {
  check_int_("socket", "domain", domain);
  check_int_("socket", "type", type);
  check_int_("socket", "protocol", protocol);
  return sysret(native.socket(domain, type, protocol));
}

/** @internal Check that `addr` is an address object and `addrlen` (C's socklen) lies within it. */
export function check_addr_(fn: string, addr: sockaddr, addrlen: number): void {
  const size = sockaddr_size_(addr);
  if (size < 0) throw new TypeError(`${fn}: ${show(addr)} is not a sockaddr object (sockaddr_in, sockaddr_in6, sockaddr_un, sockaddr_storage)`);
  check_int_(fn, "addrlen", addrlen);
  if (addrlen < 0 || addrlen > size) {
    throw new RangeError(`${fn}: addrlen ${addrlen} is outside the ${size}-byte ${addr.constructor.name}`);
  }
}

/** Check `addr` and `addrlen`, and encode `addr` into addrBuf. */
function addrIn(fn: string, addr: sockaddr, addrlen: number): void {
  check_addr_(fn, addr, addrlen);
  sockaddr_to_bytes_(fn, addr, addrBuf);
}

/**
 * `int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen)`: give the socket the address `addr` (`addrlen` bytes of it, as C's). 0 or -1 with errno.
 * @param sockfd the socket's file descriptor
 * @param addr the address
 * @param addrlen the address's length in bytes, `sizeof(addr)`
 * @returns 0, or -1 with errno
 * @category Sockets and files
 */
export function bind(sockfd: number, addr: sockaddr, addrlen: number): number {
  addrIn("bind", addr, addrlen);
  if (!fd_ok_("bind", sockfd)) return fail(-EBADF);
  return sysret(native.bind(sockfd, addrBuf, addrlen));
}

/**
 * `int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen)`: connect to `addr`. 0, or -1 with errno (EINPROGRESS on a nonblocking socket).
 * @param sockfd the socket's file descriptor
 * @param addr the address
 * @param addrlen the address's length in bytes, `sizeof(addr)`
 * @returns 0, or -1 with errno (EINPROGRESS on a nonblocking socket)
 * @category Sockets and files
 */
export function connect(sockfd: number, addr: sockaddr, addrlen: number): number {
  addrIn("connect", addr, addrlen);
  if (!fd_ok_("connect", sockfd)) return fail(-EBADF);
  return sysret(native.connect(sockfd, addrBuf, addrlen));
}

/**
 * `int listen(int sockfd, int backlog)`: listen for connections. 0 or -1 with errno.
 * @param sockfd the socket's file descriptor
 * @param backlog the most pending connections the kernel queues
 * @returns 0, or -1 with errno
 * @see {@link accept}
 * @category Sockets and files
 */
export function listen(sockfd: number, backlog: number): number {
  check_int_("listen", "backlog", backlog);
  if (!fd_ok_("listen", sockfd)) return fail(-EBADF);
  return sysret(native.listen(sockfd, backlog));
}

/** Check an address out-parameter and its length box; returns the room in bytes. */
function addrOutRoom(fn: string, addr: sockaddr, addrlen: { value: number }): number {
  check_box_(fn, "addrlen", addrlen);
  check_addr_(fn, addr, addrlen.value);
  return addrlen.value;
}

/**
 * Store the address the kernel left in addrBuf/lenBuf into `addr`: as the kernel does, at most
 * `*addrlen` bytes are written, and `*addrlen` becomes the address's full length.
 */
function addrOut(fn: string, addr: sockaddr, addrlen: { value: number }, room: number): void {
  const actual = lenBuf[0]!;
  sockaddr_from_bytes_(fn, addrBuf, Math.min(actual, room), addr);
  addrlen.value = actual;
}

/**
 * @internal accept4(2) with `flags` (`SOCK_NONBLOCK | SOCK_CLOEXEC`), filling `addr` (if not
 * null) as `accept` does. Returns the new fd or -1 with errno.
 */
export function accept_(fn: string, sockfd: number, addr: sockaddr | null, addrlen: { value: number } | null, flags: number): number {
  const room = addr === null ? 0 : addrOutRoom(fn, addr, addrlen!);
  if (!fd_ok_(fn, sockfd)) return fail(-EBADF);
  lenBuf[0] = SIZEOF_SOCKADDR_STORAGE;
  const r = native.accept(sockfd, flags, addrBuf, lenBuf);
  if (r < 0) return fail(r);
  if (addr !== null) addrOut(fn, addr, addrlen!, room);
  return r;
}

/**
 * @internal accept_ into a sockaddr_storage, without argument checks: for a caller whose socket,
 * storage, box and flags are known good (a listener, once per connection). Returns the new fd or
 * -1 with errno.
 */
export function accept_storage_(sockfd: number, flags: number, ss: sockaddr_storage, addrlen: { value: number }): number {
  if (sockfd < 0) return fail(-EBADF);
  memArgs[0] = sockfd;
  memArgs[1] = flags;
  mem_extent_(2, addrMem, 0, SIZEOF_SOCKADDR_STORAGE);
  const r = mem_known_(native.memAccept(), addrMem, addrBuf, native.memAccept);
  if (r < 0) return fail(r);
  const actual = memArgs[1]! | 0; // (an int32, as the box's value always is)
  sockaddr_storage_from_bytes_("accept", addrBuf, Math.min(actual, SIZEOF_SOCKADDR_STORAGE), ss);
  addrlen.value = actual;
  return r;
}

/**
 * `int accept(int sockfd, struct sockaddr *addr, socklen_t *addrlen)`: take a pending connection.
 * Returns its fd, or -1 with errno (EAGAIN on a nonblocking listener with none pending). If
 * `addr` is not null, the peer's address is stored in it (at most `addrlen.value` bytes of it)
 * and `addrlen.value` becomes the address's length.
 * @param sockfd the socket's file descriptor
 * @param addr receives the peer's address, or null
 * @param addrlen in: the room in `addr`, out: the address's real length; or null
 * @returns its fd, or -1 with errno (EAGAIN on a nonblocking listener with none pending)
 * @see {@link listen}
 * @category Sockets and files
 */
export function accept(sockfd: number, addr: sockaddr | null, addrlen: { value: number } | null): number {
  return accept_("accept", sockfd, addr, addrlen, 0);
}

/**
 * `int getsockname(int sockfd, struct sockaddr *addr, socklen_t *addrlen)`: the socket's own address, stored into `addr` as `accept` stores it. 0 or -1 with errno.
 * @param sockfd the socket's file descriptor
 * @param addr receives the socket's address
 * @param addrlen in: the room in `addr`, out: the address's real length
 * @returns 0, or -1 with errno
 * @see {@link getpeername}
 * @category Sockets and files
 */
export function getsockname(sockfd: number, addr: sockaddr, addrlen: { value: number }): number {
  const room = addrOutRoom("getsockname", addr, addrlen);
  if (!fd_ok_("getsockname", sockfd)) return fail(-EBADF);
  lenBuf[0] = SIZEOF_SOCKADDR_STORAGE;
  const r = native.getsockname(sockfd, addrBuf, lenBuf);
  if (r < 0) return fail(r);
  addrOut("getsockname", addr, addrlen, room);
  return 0;
}

/**
 * `int getpeername(int sockfd, struct sockaddr *addr, socklen_t *addrlen)`: the peer's address, stored into `addr` as `accept` stores it. 0 or -1 with errno (ENOTCONN).
 * @param sockfd the socket's file descriptor
 * @param addr receives the peer's address
 * @param addrlen in: the room in `addr`, out: the address's real length
 * @returns 0, or -1 with errno (ENOTCONN when not connected)
 * @see {@link getsockname}
 * @category Sockets and files
 */
export function getpeername(sockfd: number, addr: sockaddr, addrlen: { value: number }): number {
  const room = addrOutRoom("getpeername", addr, addrlen);
  if (!fd_ok_("getpeername", sockfd)) return fail(-EBADF);
  lenBuf[0] = SIZEOF_SOCKADDR_STORAGE;
  const r = native.getpeername(sockfd, addrBuf, lenBuf);
  if (r < 0) return fail(r);
  addrOut("getpeername", addr, addrlen, room);
  return 0;
}

/**
 * `int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen)` for
 * int options: C's `&one, sizeof(one)` is `one, sizeof(one)`. Only int options are supported,
 * so `optlen` must be `sizeof(int)` (4). 0 or -1 with errno.
 * @param sockfd the socket's file descriptor
 * @param level the option's level (`SOL_SOCKET`, `IPPROTO_TCP`, ...)
 * @param optname the option (`SO_REUSEADDR`, `TCP_NODELAY`, ...)
 * @param optval the int value (C's `&one` is `one`)
 * @param optlen the value's size: `sizeof(int)`, 4
 * @returns 0, or -1 with errno
 * @see {@link getsockopt}
 * @category Sockets and files
 */
export function setsockopt(sockfd: number, level: number, optname: number, optval: number, optlen: number): number {
  const fn = "setsockopt";
  check_int_(fn, "level", level);
  check_int_(fn, "optname", optname);
  check_int_(fn, "optval", optval);
  check_int_(fn, "optlen", optlen);
  if (optlen !== SIZEOF_INT) throw new RangeError(`${fn}: optlen ${optlen} is not sizeof(int); only int options are supported`);
  if (!fd_ok_(fn, sockfd)) return fail(-EBADF);
  return sysret(native.setsockopt(sockfd, level, optname, optval | 0));
}

/**
 * `int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen)` for int
 * options: `optval` is a box that receives the value, `optlen` a box holding the room (at least
 * `sizeof(int)`), set to 4. 0 or -1 with errno.
 * @param sockfd the socket's file descriptor
 * @param level the option's level (`SOL_SOCKET`, `IPPROTO_TCP`, ...)
 * @param optname the option (`SO_REUSEADDR`, `TCP_NODELAY`, ...)
 * @param optval a box whose `.value` receives the option's value
 * @param optlen a box holding the room (at least 4), set to 4
 * @returns 0, or -1 with errno
 * @see {@link setsockopt}
 * @category Sockets and files
 */
export function getsockopt(sockfd: number, level: number, optname: number, optval: { value: number }, optlen: { value: number }): number {
  const fn = "getsockopt";
  check_int_(fn, "level", level);
  check_int_(fn, "optname", optname);
  check_box_(fn, "optval", optval);
  check_box_(fn, "optlen", optlen);
  check_int_(fn, "optlen.value", optlen.value);
  if (optlen.value < SIZEOF_INT) throw new RangeError(`${fn}: optlen ${optlen.value} is less than sizeof(int); only int options are supported`);
  if (!fd_ok_(fn, sockfd)) return fail(-EBADF);
  const r = native.getsockopt(sockfd, level, optname, optBuf);
  if (r < 0) return fail(r);
  optval.value = optBuf[0]!;
  optlen.value = SIZEOF_INT;
  return 0;
}

/**
 * `int open(const char *pathname, int flags, mode_t mode)`: open a file (`O_RDONLY | O_NONBLOCK`, ...). Returns the fd or -1 with errno. `mode` (for `O_CREAT`) defaults to 0.
 * @param pathname the file's path
 * @param flags `O_*` flags ORed (`O_RDONLY`, `O_WRONLY`, `O_RDWR`, `O_NONBLOCK`, `O_CREAT`, ...)
 * @param mode the permissions for a file `O_CREAT` makes (`0o600`)
 * @returns the fd or -1 with errno
 * @category Sockets and files
 */
export function open(pathname: string, flags: number, mode = 0): number {
  check_string_("open", "pathname", pathname);
  check_int_("open", "flags", flags);
  check_int_("open", "mode", mode);
  return sysret(native.open(pathname, flags, mode));
}

/**
 * `int mkfifo(const char *pathname, mode_t mode)`: create a named pipe (`mkfifo(path, 0o600)`). 0 or -1 with errno (EEXIST).
 * @param pathname the file's path
 * @param mode the permissions (`0o600`)
 * @returns 0, or -1 with errno (EEXIST)
 * @category Sockets and files
 */
export function mkfifo(pathname: string, mode: number): number {
  check_string_("mkfifo", "pathname", pathname);
  check_int_("mkfifo", "mode", mode);
  return sysret(native.mkfifo(pathname, mode));
}

/**
 * `int unlink(const char *pathname)`: remove a name from the file system. 0 or -1 with errno (ENOENT).
 * @param pathname the file's path
 * @returns 0, or -1 with errno (ENOENT)
 * @category Sockets and files
 */
export function unlink(pathname: string): number {
  check_string_("unlink", "pathname", pathname);
  try {
    unlinkSync(pathname);
    return 0;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const e = code === undefined ? undefined : (osConstants.errno as Record<string, number>)[code];
    set_errno(e ?? EIO);
    return -1;
  }
}
