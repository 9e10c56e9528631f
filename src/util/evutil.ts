/**
 * libevent's portable socket helpers (evutil.c): socket pairs, nonblocking and close-on-exec
 * modes, listener options, and the internal connect/accept/pipe helpers that bufferevents,
 * listeners and the event base are built on.
 * @module
 */
import { native } from "../native/binding.js";
import { EBADF, ECONNREFUSED, EINPROGRESS, EINTR, errno, fail, set_errno, sysret } from "./errno.js";
import { check_box_, check_fd_, check_int_, show } from "./check.js";
import { accept_, check_addr_, close, connect, fd_ok_, getsockopt, setsockopt, socket } from "./posix.js";
import { event_warn } from "../event/log.js";
import { SIZEOF_INT } from "./sizeof.js";
import { sockaddr } from "./sockaddr.js";

const c = native.constants;
const IS_LINUX = process.platform === "linux";

/**
 * `int evutil_socketpair(int family, int type, int protocol, evutil_socket_t sv[2])`: create a
 * pair of connected sockets (socketpair(2)): `const pair = [-1, -1]; evutil_socketpair(AF_UNIX,
 * SOCK_STREAM, 0, pair);` fills `pair`. Returns 0, or -1 with errno.
 * @param family the address family (`AF_INET`, `AF_INET6`, `AF_UNIX`)
 * @param type the socket type (`SOCK_STREAM`, `SOCK_DGRAM`, optionally with `SOCK_NONBLOCK`/`SOCK_CLOEXEC`)
 * @param protocol the protocol, usually 0
 * @param sv a two-element array that receives the two sockets' fds
 * @returns 0, or -1 with errno
 * @category Sockets and files
 */
export function evutil_socketpair(family: number, type: number, protocol: number, sv: number[]): number {
  const fn = "evutil_socketpair";
  check_int_(fn, "family", family);
  check_int_(fn, "type", type);
  check_int_(fn, "protocol", protocol);
  if (!Array.isArray(sv)) throw new TypeError(`${fn}: sv must be an array to fill, not ${show(sv)}`);
  return sysret(native.socketpair(family, type, protocol, sv));
}

/**
 * `int evutil_make_socket_nonblocking(evutil_socket_t sock)`: set O_NONBLOCK. 0 or -1 with errno.
 * @param sock the socket's file descriptor
 * @returns 0, or -1 with errno
 * @category Sockets and files
 */
export function evutil_make_socket_nonblocking(sock: number): number {
  const r = fd_ok_("evutil_make_socket_nonblocking", sock) ? sysret(native.setNonblock(sock)) : fail(-EBADF);
  if (r < 0) event_warn(`fcntl(${sock}, F_GETFL)`);
  return r;
}

/**
 * `int evutil_make_socket_closeonexec(evutil_socket_t sock)`: set FD_CLOEXEC. 0 or -1 with errno.
 * @param sock the socket's file descriptor
 * @returns 0, or -1 with errno
 * @category Sockets and files
 */
export function evutil_make_socket_closeonexec(sock: number): number {
  const r = fd_ok_("evutil_make_socket_closeonexec", sock) ? sysret(native.setCloexec(sock)) : fail(-EBADF);
  if (r < 0) event_warn(`fcntl(${sock}, F_GETFD)`);
  return r;
}

/**
 * `int evutil_closesocket(evutil_socket_t sock)`: close a socket (close(2) on POSIX). 0 or -1 with errno.
 * @param sock the socket's file descriptor
 * @returns 0, or -1 with errno
 * @see {@link EVUTIL_CLOSESOCKET}, {@link close}
 * @category Sockets and files
 */
export function evutil_closesocket(sock: number): number {
  check_fd_("evutil_closesocket", "sock", sock);
  return close(sock);
}

/**
 * `#define EVUTIL_CLOSESOCKET(s)`: `evutil_closesocket(s)`.
 * @param s the socket's file descriptor
 * @returns 0, or -1 with errno
 * @see {@link evutil_closesocket}
 * @category Sockets and files
 */
export function EVUTIL_CLOSESOCKET(s: number): number {
  return evutil_closesocket(s);
}

/**
 * `int evutil_make_listen_socket_reuseable(evutil_socket_t sock)`: set SO_REUSEADDR, so that a
 * listener can be reopened on its address at once after it is closed. 0 or -1 with errno.
 * @param sock the socket's file descriptor
 * @returns 0, or -1 with errno
 * @see {@link evutil_make_listen_socket_reuseable_port}
 * @category Sockets and files
 */
export function evutil_make_listen_socket_reuseable(sock: number): number {
  check_fd_("evutil_make_listen_socket_reuseable", "sock", sock);
  return setsockopt(sock, c.SOL_SOCKET, c.SO_REUSEADDR, 1, SIZEOF_INT);
}

/**
 * `int evutil_make_listen_socket_reuseable_port(evutil_socket_t sock)`: set SO_REUSEPORT, so that
 * several listeners can bind one port (Linux only, as in libevent; elsewhere returns 0 and does
 * nothing). 0 or -1 with errno.
 * @param sock the socket's file descriptor
 * @returns 0, or -1 with errno
 * @see {@link evutil_make_listen_socket_reuseable}
 * @category Sockets and files
 */
export function evutil_make_listen_socket_reuseable_port(sock: number): number {
  check_fd_("evutil_make_listen_socket_reuseable_port", "sock", sock);
  if (!IS_LINUX) return 0;
  return setsockopt(sock, c.SOL_SOCKET, c.SO_REUSEPORT, 1, SIZEOF_INT);
}

/**
 * `int evutil_make_listen_socket_ipv6only(evutil_socket_t sock)`: set IPV6_V6ONLY on an IPv6 listener. 0 or -1 with errno.
 * @param sock the socket's file descriptor
 * @returns 0, or -1 with errno
 * @category Sockets and files
 */
export function evutil_make_listen_socket_ipv6only(sock: number): number {
  check_fd_("evutil_make_listen_socket_ipv6only", "sock", sock);
  return setsockopt(sock, c.IPPROTO_IPV6, c.IPV6_V6ONLY, 1, SIZEOF_INT);
}

/**
 * `int evutil_make_tcp_listen_socket_deferred(evutil_socket_t sock)`: set TCP_DEFER_ACCEPT (wake
 * the listener only once a connection has data to read). Linux only; elsewhere returns 0 and
 * does nothing. 0 or -1 with errno.
 * @param sock the socket's file descriptor
 * @returns 0, or -1 with errno
 * @category Sockets and files
 */
export function evutil_make_tcp_listen_socket_deferred(sock: number): number {
  check_fd_("evutil_make_tcp_listen_socket_deferred", "sock", sock);
  if (!IS_LINUX) return 0;
  return setsockopt(sock, c.IPPROTO_TCP, c.TCP_DEFER_ACCEPT, 1, SIZEOF_INT);
}

/**
 * @internal `evutil_socket_(domain, type, protocol)`: socket(2) where `type` may carry
 * `SOCK_NONBLOCK | SOCK_CLOEXEC`. libevent falls back to fcntl for kernels that refuse them;
 * every kernel Node 20 runs on takes them, and where the headers lack them the addon applies
 * them itself.
 */
export function evutil_socket_(domain: number, type: number, protocol: number): number {
  return socket(domain, type, protocol);
}

/** @internal Close `fd`, keeping errno: that of the failure for which the caller gives the fd up. */
export function evutil_closesocket_keep_errno_(fd: number): void {
  const e = errno;
  close(fd);
  set_errno(e);
}

/**
 * @internal `evutil_accept4_(sockfd, addr, addrlen, flags)`: accept(2) whose new fd is made
 * nonblocking and/or close-on-exec by `flags` (`SOCK_NONBLOCK | SOCK_CLOEXEC`). `addr` (or
 * null) receives the peer's address, `addrlen` its length. Returns the fd, or -1 with errno.
 */
export function evutil_accept4_(sockfd: number, addr: sockaddr | null, addrlen: { value: number } | null, flags: number): number {
  const fn = "evutil_accept4_";
  check_int_(fn, "flags", flags);
  return accept_(fn, sockfd, addr, addrlen, flags);
}

/**
 * @internal `evutil_socket_connect_(fd_ptr, sa, socklen)`: start connecting `fd_ptr.value` to
 * `sa`, first creating a nonblocking stream socket into the box if it holds a negative fd.
 * Returns 1 (connected), 0 (in progress), 2 (refused at once) or -1 (error, errno set; a socket
 * made here is closed again and the box set back to -1).
 */
export function evutil_socket_connect_(fd_ptr: { value: number }, sa: sockaddr, socklen: number): number {
  check_box_("evutil_socket_connect_", "fd_ptr", fd_ptr);
  check_addr_("evutil_socket_connect_", sa, socklen);
  let madeFd = false;
  if (fd_ptr.value < 0) {
    const fd = socket(sa.sa_family, c.SOCK_STREAM, 0);
    if (fd < 0) return -1;
    fd_ptr.value = fd;
    madeFd = true;
    if (evutil_make_socket_nonblocking(fd) < 0) return connectFailed(fd_ptr, madeFd);
  }
  if (connect(fd_ptr.value, sa, socklen) < 0) {
    const e = errno;
    if (e === EINTR || e === EINPROGRESS) return 0;
    if (e === ECONNREFUSED) return 2;
    return connectFailed(fd_ptr, madeFd);
  }
  return 1;
}

function connectFailed(fd_ptr: { value: number }, madeFd: boolean): -1 {
  if (madeFd) {
    evutil_closesocket_keep_errno_(fd_ptr.value);
    fd_ptr.value = -1;
  }
  return -1;
}

const soError = { value: 0 };
const soErrorLen = { value: SIZEOF_INT };

/**
 * @internal `evutil_socket_finished_connecting_(fd)`: after a nonblocking connect, 1 if it has
 * connected, 0 if it is still in progress, -1 if it failed (errno is then the connect's error,
 * read with SO_ERROR).
 */
export function evutil_socket_finished_connecting_(fd: number): number {
  soErrorLen.value = SIZEOF_INT;
  if (getsockopt(fd, c.SOL_SOCKET, c.SO_ERROR, soError, soErrorLen) < 0) return -1;
  const e = soError.value;
  if (e) {
    if (e === EINTR || e === EINPROGRESS) return 0;
    set_errno(e);
    return -1;
  }
  return 1;
}

/**
 * @internal `evutil_make_internal_pipe_(fd)`: fill `fd` with a pipe (fd[0] the read end), both
 * ends nonblocking and close-on-exec; a socketpair where pipes fail. 0, or -1 with both set to -1.
 */
export function evutil_make_internal_pipe_(fd: number[]): number {
  if (native.pipe2(fd, c.O_NONBLOCK | c.O_CLOEXEC) === 0) return 0;
  const r = native.socketpair(c.AF_UNIX, c.SOCK_STREAM | c.SOCK_NONBLOCK | c.SOCK_CLOEXEC, 0, fd);
  if (r === 0) return 0;
  fd[0] = fd[1] = -1;
  return fail(r);
}
