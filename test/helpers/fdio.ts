/**
 * Raw fd I/O for the tests, with C's signatures and return values: what libevent's regression
 * tests do on their own socketpairs (socketpair, read, write, send, recv, shutdown, close,
 * nonblocking). Each returns C's value (-1 on failure) and leaves the errno in `lastErrno`.
 */
import { constants as osConstants } from "node:os";
import { native } from "../../src/native/binding.js";

export const { AF_UNIX, AF_INET, SOCK_STREAM, SOCK_DGRAM, SHUT_RD, SHUT_WR, SHUT_RDWR } = native.constants;
export const { EAGAIN, EBADF, EPIPE, ECONNRESET } = osConstants.errno;
export const { SIGINT, SIGHUP, SIGALRM, SIGUSR2, SIGCONT, SIGTERM } = osConstants.signals;
export const NSIG = native.constants.NSIG;

/** The errno of the last failed call made through this module. */
export let lastErrno = 0;

function ret(r: number): number {
  if (r < 0) {
    lastErrno = -r;
    return -1;
  }
  return r;
}

const utf8 = new TextEncoder();
function bytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? utf8.encode(data) : data;
}

/** `strlen(s)`: the UTF-8 length of `s`. */
export function strlen(s: string): number {
  return utf8.encode(s).length;
}

/** `evutil_socketpair(family, type, protocol, sv)`: fills sv[0], sv[1]. 0 or -1. */
export function evutil_socketpair(family: number, type: number, protocol: number, sv: number[]): number {
  return ret(native.socketpair(family, type, protocol, sv)) < 0 ? -1 : 0;
}

/** `evutil_make_socket_nonblocking(fd)`: 0 or -1. */
export function evutil_make_socket_nonblocking(fd: number): number {
  return ret(native.setNonblock(fd)) < 0 ? -1 : 0;
}

/** `evutil_make_internal_pipe_(fd)`: a nonblocking close-on-exec pipe; fd[0] reads, fd[1] writes. */
export function evutil_make_internal_pipe_(fd: number[]): number {
  const { O_NONBLOCK, O_CLOEXEC } = native.constants;
  return ret(native.pipe2(fd, O_NONBLOCK | O_CLOEXEC)) < 0 ? -1 : 0;
}

/** `socket(domain, type, protocol)` */
export function socket(domain: number, type: number, protocol: number): number {
  return ret(native.socket(domain, type, protocol));
}

/** `read(fd, buf, count)`: into buf[0 .. count). */
export function read(fd: number, buf: Uint8Array, count: number): number {
  return ret(native.read(fd, buf, 0, count));
}

/** `write(fd, data, count)`: data[0 .. count); a string is taken as its UTF-8 bytes. */
export function write(fd: number, data: Uint8Array | string, count: number): number {
  return ret(native.write(fd, bytes(data), 0, count));
}

/** `send(fd, data, len, flags)` */
export function send(fd: number, data: Uint8Array | string, len: number, flags: number): number {
  return ret(native.send(fd, bytes(data), 0, len, flags));
}

/** `recv(fd, buf, len, flags)` */
export function recv(fd: number, buf: Uint8Array, len: number, flags: number): number {
  return ret(native.recv(fd, buf, 0, len, flags));
}

/** `shutdown(fd, how)`: 0 or -1. */
export function shutdown(fd: number, how: number): number {
  return ret(native.shutdown(fd, how)) < 0 ? -1 : 0;
}

/** `close(fd)` / `evutil_closesocket(fd)`: 0 or -1. */
export function close(fd: number): number {
  return ret(native.close(fd)) < 0 ? -1 : 0;
}
export const evutil_closesocket = close;
