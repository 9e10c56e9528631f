/**
 * errno: the error a failing call left, as C keeps it. `errno` is a live binding: after a call
 * that returned -1, `import { errno } from "libevent-ts/event2/util"` reads the error it set.
 * @module
 */
import { constants as os } from "node:os";
import { native } from "../native/binding.js";
import { check_int_ } from "./check.js";

/**
 * The error number of the last failed call (`errno` in C), with this platform's values
 * (`EAGAIN`, `ECONNREFUSED`, ...). A live binding: read it right after the call that failed.
 */
export let errno = 0;

/** @internal Set errno (what a failing call does before returning -1). */
export function set_errno(e: number): void {
  errno = e;
}

/** @internal Record the error of a native result that is `-errno`, and return C's -1. */
export function fail(negErrno: number): -1 {
  errno = -negErrno;
  return -1;
}

/** @internal Turn a native result (`n` or `-errno`) into C's (`n`, or -1 with errno set). */
export function sysret(r: number): number {
  if (r < 0) {
    errno = -r;
    return -1;
  }
  return r;
}

/**
 * `#define EVUTIL_SOCKET_ERROR()`: the error of the last failed socket call (errno on POSIX).
 */
export function EVUTIL_SOCKET_ERROR(): number {
  return errno;
}

/** `#define EVUTIL_SET_SOCKET_ERROR(errcode)`: set the socket error (errno on POSIX). */
export function EVUTIL_SET_SOCKET_ERROR(errcode: number): void {
  check_int_("EVUTIL_SET_SOCKET_ERROR", "errcode", errcode);
  errno = errcode;
}

/**
 * `#define evutil_socket_geterror(sock)`: the last error for a socket; on POSIX simply errno,
 * whatever `sock` is.
 */
export function evutil_socket_geterror(sock: number): number {
  void sock;
  return errno;
}

/**
 * `#define evutil_socket_error_to_string(errcode)`: the text of an error number, as strerror(3)
 * gives it ("Connection refused").
 */
export function evutil_socket_error_to_string(errcode: number): string {
  check_int_("evutil_socket_error_to_string", "errcode", errcode);
  return native.strerror(errcode);
}

/** `char *strerror(int errnum)`: the text of an error number ("Resource temporarily unavailable"). */
export function strerror(errnum: number): string {
  return native.strerror(errnum);
}

const e = os.errno as Record<string, number>;

/** Operation not permitted. */ export const EPERM = e.EPERM!;
/** No such file or directory. */ export const ENOENT = e.ENOENT!;
/** No such process. */ export const ESRCH = e.ESRCH!;
/** Interrupted system call. */ export const EINTR = e.EINTR!;
/** Input/output error. */ export const EIO = e.EIO!;
/** Argument list too long. */ export const E2BIG = e.E2BIG!;
/** Bad file descriptor. */ export const EBADF = e.EBADF!;
/** Resource temporarily unavailable. */ export const EAGAIN = e.EAGAIN!;
/** Operation would block (the same value as EAGAIN on Linux). */ export const EWOULDBLOCK = e.EWOULDBLOCK!;
/** Cannot allocate memory. */ export const ENOMEM = e.ENOMEM!;
/** Permission denied. */ export const EACCES = e.EACCES!;
/** Bad address. */ export const EFAULT = e.EFAULT!;
/** Device or resource busy. */ export const EBUSY = e.EBUSY!;
/** File exists. */ export const EEXIST = e.EEXIST!;
/** Not a directory. */ export const ENOTDIR = e.ENOTDIR!;
/** Is a directory. */ export const EISDIR = e.EISDIR!;
/** Invalid argument. */ export const EINVAL = e.EINVAL!;
/** Too many open files in system. */ export const ENFILE = e.ENFILE!;
/** Too many open files. */ export const EMFILE = e.EMFILE!;
/** File too large. */ export const EFBIG = e.EFBIG!;
/** No space left on device. */ export const ENOSPC = e.ENOSPC!;
/** Illegal seek. */ export const ESPIPE = e.ESPIPE!;
/** Broken pipe. */ export const EPIPE = e.EPIPE!;
/** Numerical result out of range. */ export const ERANGE = e.ERANGE!;
/** Function not implemented. */ export const ENOSYS = e.ENOSYS!;
/** Socket operation on non-socket. */ export const ENOTSOCK = e.ENOTSOCK!;
/** Destination address required. */ export const EDESTADDRREQ = e.EDESTADDRREQ!;
/** Message too long. */ export const EMSGSIZE = e.EMSGSIZE!;
/** Protocol wrong type for socket. */ export const EPROTOTYPE = e.EPROTOTYPE!;
/** Protocol not available. */ export const ENOPROTOOPT = e.ENOPROTOOPT!;
/** Protocol not supported. */ export const EPROTONOSUPPORT = e.EPROTONOSUPPORT!;
/** Operation not supported. */ export const EOPNOTSUPP = e.EOPNOTSUPP!;
/** Address family not supported by protocol. */ export const EAFNOSUPPORT = e.EAFNOSUPPORT!;
/** Address already in use. */ export const EADDRINUSE = e.EADDRINUSE!;
/** Cannot assign requested address. */ export const EADDRNOTAVAIL = e.EADDRNOTAVAIL!;
/** Network is down. */ export const ENETDOWN = e.ENETDOWN!;
/** Network is unreachable. */ export const ENETUNREACH = e.ENETUNREACH!;
/** Software caused connection abort. */ export const ECONNABORTED = e.ECONNABORTED!;
/** Connection reset by peer. */ export const ECONNRESET = e.ECONNRESET!;
/** No buffer space available. */ export const ENOBUFS = e.ENOBUFS!;
/** Transport endpoint is already connected. */ export const EISCONN = e.EISCONN!;
/** Transport endpoint is not connected. */ export const ENOTCONN = e.ENOTCONN!;
/** Connection timed out. */ export const ETIMEDOUT = e.ETIMEDOUT!;
/** Connection refused. */ export const ECONNREFUSED = e.ECONNREFUSED!;
/** No route to host. */ export const EHOSTUNREACH = e.EHOSTUNREACH!;
/** Operation already in progress. */ export const EALREADY = e.EALREADY!;
/** Operation now in progress. */ export const EINPROGRESS = e.EINPROGRESS!;
/** Operation canceled. */ export const ECANCELED = e.ECANCELED!;
