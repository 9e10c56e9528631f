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
 * @category Errors
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
 * @returns the current `errno`
 * @see {@link EVUTIL_SET_SOCKET_ERROR}, {@link evutil_socket_error_to_string}
 * @category Errors
 */
export function EVUTIL_SOCKET_ERROR(): number {
  return errno;
}

/**
 * `#define EVUTIL_SET_SOCKET_ERROR(errcode)`: set the socket error (errno on POSIX).
 * @param errcode the error number to store (`EAGAIN`, `ECONNRESET`, ...)
 * @see {@link EVUTIL_SOCKET_ERROR}
 * @category Errors
 */
export function EVUTIL_SET_SOCKET_ERROR(errcode: number): void {
  check_int_("EVUTIL_SET_SOCKET_ERROR", "errcode", errcode);
  errno = errcode;
}

/**
 * `#define evutil_socket_geterror(sock)`: the last error for a socket; on POSIX simply errno,
 * whatever `sock` is.
 * @param sock the socket (unused on POSIX)
 * @returns the current `errno`
 * @category Errors
 */
export function evutil_socket_geterror(sock: number): number {
  void sock;
  return errno;
}

/**
 * `#define evutil_socket_error_to_string(errcode)`: the text of an error number, as strerror(3)
 * gives it ("Connection refused").
 * @param errcode the error number (`EVUTIL_SOCKET_ERROR()`, `errno`)
 * @returns the error's text
 * @see {@link strerror}
 * @category Errors
 */
export function evutil_socket_error_to_string(errcode: number): string {
  check_int_("evutil_socket_error_to_string", "errcode", errcode);
  return native.strerror(errcode);
}

/**
 * `char *strerror(int errnum)`: the text of an error number ("Resource temporarily unavailable").
 * @param errnum the error number
 * @returns the error's text
 * @see {@link evutil_socket_error_to_string}
 * @category Errors
 */
export function strerror(errnum: number): string {
  return native.strerror(errnum);
}

const e = os.errno as Record<string, number>;

/** Operation not permitted. @category Errors */ export const EPERM = e.EPERM!;
/** No such file or directory. @category Errors */ export const ENOENT = e.ENOENT!;
/** No such process. @category Errors */ export const ESRCH = e.ESRCH!;
/** Interrupted system call. @category Errors */ export const EINTR = e.EINTR!;
/** Input/output error. @category Errors */ export const EIO = e.EIO!;
/** Argument list too long. @category Errors */ export const E2BIG = e.E2BIG!;
/** Bad file descriptor. @category Errors */ export const EBADF = e.EBADF!;
/** Resource temporarily unavailable. @category Errors */ export const EAGAIN = e.EAGAIN!;
/** Operation would block (the same value as EAGAIN on Linux). @category Errors */ export const EWOULDBLOCK = e.EWOULDBLOCK!;
/** Cannot allocate memory. @category Errors */ export const ENOMEM = e.ENOMEM!;
/** Permission denied. @category Errors */ export const EACCES = e.EACCES!;
/** Bad address. @category Errors */ export const EFAULT = e.EFAULT!;
/** Device or resource busy. @category Errors */ export const EBUSY = e.EBUSY!;
/** File exists. @category Errors */ export const EEXIST = e.EEXIST!;
/** Not a directory. @category Errors */ export const ENOTDIR = e.ENOTDIR!;
/** Is a directory. @category Errors */ export const EISDIR = e.EISDIR!;
/** Invalid argument. @category Errors */ export const EINVAL = e.EINVAL!;
/** Too many open files in system. @category Errors */ export const ENFILE = e.ENFILE!;
/** Too many open files. @category Errors */ export const EMFILE = e.EMFILE!;
/** File too large. @category Errors */ export const EFBIG = e.EFBIG!;
/** No space left on device. @category Errors */ export const ENOSPC = e.ENOSPC!;
/** Illegal seek. @category Errors */ export const ESPIPE = e.ESPIPE!;
/** Broken pipe. @category Errors */ export const EPIPE = e.EPIPE!;
/** Numerical result out of range. @category Errors */ export const ERANGE = e.ERANGE!;
/** Function not implemented. @category Errors */ export const ENOSYS = e.ENOSYS!;
/** Socket operation on non-socket. @category Errors */ export const ENOTSOCK = e.ENOTSOCK!;
/** Destination address required. @category Errors */ export const EDESTADDRREQ = e.EDESTADDRREQ!;
/** Message too long. @category Errors */ export const EMSGSIZE = e.EMSGSIZE!;
/** Protocol wrong type for socket. @category Errors */ export const EPROTOTYPE = e.EPROTOTYPE!;
/** Protocol not available. @category Errors */ export const ENOPROTOOPT = e.ENOPROTOOPT!;
/** Protocol not supported. @category Errors */ export const EPROTONOSUPPORT = e.EPROTONOSUPPORT!;
/** Operation not supported. @category Errors */ export const EOPNOTSUPP = e.EOPNOTSUPP!;
/** Address family not supported by protocol. @category Errors */ export const EAFNOSUPPORT = e.EAFNOSUPPORT!;
/** Address already in use. @category Errors */ export const EADDRINUSE = e.EADDRINUSE!;
/** Cannot assign requested address. @category Errors */ export const EADDRNOTAVAIL = e.EADDRNOTAVAIL!;
/** Network is down. @category Errors */ export const ENETDOWN = e.ENETDOWN!;
/** Network is unreachable. @category Errors */ export const ENETUNREACH = e.ENETUNREACH!;
/** Software caused connection abort. @category Errors */ export const ECONNABORTED = e.ECONNABORTED!;
/** Connection reset by peer. @category Errors */ export const ECONNRESET = e.ECONNRESET!;
/** No buffer space available. @category Errors */ export const ENOBUFS = e.ENOBUFS!;
/** Transport endpoint is already connected. @category Errors */ export const EISCONN = e.EISCONN!;
/** Transport endpoint is not connected. @category Errors */ export const ENOTCONN = e.ENOTCONN!;
/** Connection timed out. @category Errors */ export const ETIMEDOUT = e.ETIMEDOUT!;
/** Connection refused. @category Errors */ export const ECONNREFUSED = e.ECONNREFUSED!;
/** No route to host. @category Errors */ export const EHOSTUNREACH = e.EHOSTUNREACH!;
/** Operation already in progress. @category Errors */ export const EALREADY = e.EALREADY!;
/** Operation now in progress. @category Errors */ export const EINPROGRESS = e.EINPROGRESS!;
/** Operation canceled. @category Errors */ export const ECANCELED = e.ECANCELED!;
