/**
 * Raw fd I/O for the tests, as libevent's regression tests do it on their own socketpairs: the
 * POSIX calls and evutil helpers of "libevent-ts/event2/util" (C's signatures, return values and
 * errno), gathered with the constants the tests use, plus the internal pipe maker.
 */
export {
  AF_INET, AF_UNIX, SOCK_DGRAM, SOCK_STREAM, SHUT_WR, EAGAIN, EBADF, SIGALRM, SIGCONT, SIGHUP, SIGINT, SIGUSR2, NSIG,
  errno,
  close, evutil_closesocket, evutil_make_socket_nonblocking, evutil_socketpair, read, recv, send, shutdown, socket,
  strlen, write,
} from "libevent-ts/event2/util";
export { evutil_make_internal_pipe_ } from "../../src/util/evutil.js";
