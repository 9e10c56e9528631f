/**
 * `#include <event2/util.h>`: libevent's portability helpers (evutil), and the C library pieces
 * that ported programs and tests use beside them: socket address structs, byte order, errno,
 * the POSIX socket and file calls, `sizeof`, `memset`, `strlen`, signal numbers.
 * @module
 */
export type {
  evutil_socket_t, ev_ssize_t, ev_off_t, ev_socklen_t, ev_uint32_t,
} from "../util/types.js";
export {
  errno, EVUTIL_SOCKET_ERROR, EVUTIL_SET_SOCKET_ERROR, evutil_socket_geterror, evutil_socket_error_to_string, strerror,
  EPERM, ENOENT, ESRCH, EINTR, EIO, E2BIG, EBADF, EAGAIN, EWOULDBLOCK, ENOMEM, EACCES, EFAULT, EBUSY, EEXIST,
  ENOTDIR, EISDIR, EINVAL, ENFILE, EMFILE, EFBIG, ENOSPC, ESPIPE, EPIPE, ERANGE, ENOSYS, ENOTSOCK, EDESTADDRREQ,
  EMSGSIZE, EPROTOTYPE, ENOPROTOOPT, EPROTONOSUPPORT, EOPNOTSUPP, EAFNOSUPPORT, EADDRINUSE, EADDRNOTAVAIL,
  ENETDOWN, ENETUNREACH, ECONNABORTED, ECONNRESET, ENOBUFS, EISCONN, ENOTCONN, ETIMEDOUT, ECONNREFUSED,
  EHOSTUNREACH, EALREADY, EINPROGRESS, ECANCELED,
} from "../util/errno.js";
export type { timercmp_op } from "../util/time.js";
export {
  timeval, timezone, evutil_gettimeofday, evutil_timeradd, evutil_timersub, evutil_timerclear, evutil_timerisset,
  evutil_timercmp,
} from "../util/time.js";
export {
  EV_UINT64_MAX, EV_INT64_MAX, EV_INT64_MIN, EV_UINT32_MAX, EV_INT32_MAX, EV_INT32_MIN, EV_UINT16_MAX,
  EV_INT16_MAX, EV_INT16_MIN, EV_UINT8_MAX, EV_INT8_MAX, EV_INT8_MIN, EV_SIZE_MAX, EV_SSIZE_MAX, EV_SSIZE_MIN,
} from "../util/limits.js";
export {
  AF_UNSPEC, AF_INET, AF_INET6, AF_UNIX, AF_LOCAL, PF_UNSPEC, PF_INET, PF_INET6, PF_UNIX, PF_LOCAL,
  SOCK_STREAM, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_CLOEXEC, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_IPV6,
  SOL_SOCKET, SO_REUSEADDR, SO_REUSEPORT, SO_KEEPALIVE, SO_ERROR, SO_SNDBUF, SO_RCVBUF, SO_TYPE,
  TCP_NODELAY, IPV6_V6ONLY, SHUT_RD, SHUT_WR, SHUT_RDWR, MSG_NOSIGNAL, MSG_PEEK, MSG_DONTWAIT,
  O_RDONLY, O_WRONLY, O_RDWR, O_NONBLOCK, O_CLOEXEC, O_CREAT, O_TRUNC, O_APPEND,
  INADDR_ANY, INADDR_LOOPBACK, INADDR_BROADCAST, INADDR_NONE, EVUTIL_INVALID_SOCKET,
} from "../util/constants.js";
export {
  SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGIOT, SIGBUS, SIGFPE, SIGKILL, SIGUSR1, SIGSEGV, SIGUSR2,
  SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT, SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGXCPU,
  SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO, SIGPOLL, SIGPWR, SIGSYS, NSIG,
} from "../util/signals.js";
export type { sockaddr_any } from "../util/sockaddr.js";
export { in_addr, in6_addr, sockaddr, sockaddr_in, sockaddr_in6, sockaddr_un, sockaddr_storage } from "../util/sockaddr.js";
export { sizeof, memset } from "../util/sizeof.js";
export { htons, ntohs, htonl, ntohl } from "../util/byteorder.js";
export { strlen, evutil_ascii_strcasecmp, evutil_ascii_strncasecmp } from "../util/string.js";
export { evutil_strtoll } from "../util/strtol.js";
export {
  read, write, send, recv, shutdown, close, socket, bind, connect, listen, accept, getsockname, getpeername,
  setsockopt, getsockopt, open, mkfifo, unlink,
} from "../util/posix.js";
export {
  evutil_socketpair, evutil_make_socket_nonblocking, evutil_make_socket_closeonexec, evutil_closesocket,
  EVUTIL_CLOSESOCKET, evutil_make_listen_socket_reuseable, evutil_make_listen_socket_reuseable_port,
  evutil_make_listen_socket_ipv6only, evutil_make_tcp_listen_socket_deferred,
} from "../util/evutil.js";
export {
  evutil_inet_pton, evutil_inet_ntop, evutil_inet_pton_scope, evutil_parse_sockaddr_port, evutil_sockaddr_cmp,
} from "../util/inet.js";
export {
  evutil_addrinfo, evutil_getaddrinfo, evutil_freeaddrinfo, evutil_gai_strerror,
  EVUTIL_EAI_ADDRFAMILY, EVUTIL_EAI_AGAIN, EVUTIL_EAI_BADFLAGS, EVUTIL_EAI_FAIL, EVUTIL_EAI_FAMILY,
  EVUTIL_EAI_MEMORY, EVUTIL_EAI_NODATA, EVUTIL_EAI_NONAME, EVUTIL_EAI_SERVICE, EVUTIL_EAI_SOCKTYPE,
  EVUTIL_EAI_SYSTEM, EVUTIL_EAI_CANCEL, EVUTIL_AI_PASSIVE, EVUTIL_AI_CANONNAME, EVUTIL_AI_NUMERICHOST,
  EVUTIL_AI_NUMERICSERV, EVUTIL_AI_V4MAPPED, EVUTIL_AI_ALL, EVUTIL_AI_ADDRCONFIG,
} from "../util/getaddrinfo.js";
export {
  evutil_secure_rng_get_bytes, evutil_secure_rng_init, evutil_secure_rng_add_bytes,
  evutil_secure_rng_set_urandom_device_file,
} from "../util/rand.js";
export {
  EV_MONOT_PRECISE, EV_MONOT_FALLBACK, evutil_monotonic_timer, evutil_monotonic_timer_new,
  evutil_monotonic_timer_free, evutil_configure_monotonic_time, evutil_gettime_monotonic,
} from "../util/monotonic.js";
export { tm, gmtime_r, evutil_date_rfc1123 } from "../util/date.js";
export { evutil_snprintf, evutil_vsnprintf } from "../util/snprintf.js";
