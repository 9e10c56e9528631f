/**
 * Socket, file and address constants of the C headers (`<sys/socket.h>`, `<netinet/in.h>`,
 * `<netinet/tcp.h>`, `<fcntl.h>`), with this platform's values as the native addon reads them.
 * @module
 */
import { native } from "../native/binding.js";

const c = native.constants;

/** Unspecified address family. @category Sockets and files */ export const AF_UNSPEC = c.AF_UNSPEC;
/** IPv4 address family. @category Sockets and files */ export const AF_INET = c.AF_INET;
/** IPv6 address family. @category Sockets and files */ export const AF_INET6 = c.AF_INET6;
/** Unix-domain (local) address family. @category Sockets and files */ export const AF_UNIX = c.AF_UNIX;
/** Unix-domain (local) address family, POSIX name (= AF_UNIX). @category Sockets and files */ export const AF_LOCAL = c.AF_UNIX;
/** Unspecified protocol family (= AF_UNSPEC). @category Sockets and files */ export const PF_UNSPEC = c.AF_UNSPEC;
/** IPv4 protocol family (= AF_INET). @category Sockets and files */ export const PF_INET = c.AF_INET;
/** IPv6 protocol family (= AF_INET6). @category Sockets and files */ export const PF_INET6 = c.AF_INET6;
/** Unix-domain protocol family (= AF_UNIX). @category Sockets and files */ export const PF_UNIX = c.AF_UNIX;
/** Unix-domain protocol family, POSIX name (= AF_UNIX). @category Sockets and files */ export const PF_LOCAL = c.AF_UNIX;

/** Stream socket (TCP, or a stream Unix socket). @category Sockets and files */ export const SOCK_STREAM = c.SOCK_STREAM;
/** Datagram socket (UDP, or a datagram Unix socket). @category Sockets and files */ export const SOCK_DGRAM = c.SOCK_DGRAM;
/** Flag for the socket type: create the socket nonblocking. @category Sockets and files */ export const SOCK_NONBLOCK = c.SOCK_NONBLOCK;
/** Flag for the socket type: create the socket close-on-exec. @category Sockets and files */ export const SOCK_CLOEXEC = c.SOCK_CLOEXEC;

/** TCP protocol number (and the `IPPROTO_TCP` level of TCP socket options). @category Sockets and files */ export const IPPROTO_TCP = c.IPPROTO_TCP;
/** UDP protocol number. @category Sockets and files */ export const IPPROTO_UDP = c.IPPROTO_UDP;
/** IPv6 protocol number (the level of `IPV6_*` socket options). @category Sockets and files */ export const IPPROTO_IPV6 = c.IPPROTO_IPV6;

/** Level of the socket-level options (`SO_*`). @category Sockets and files */ export const SOL_SOCKET = c.SOL_SOCKET;
/** Allow a listener to rebind an address still in TIME_WAIT. @category Sockets and files */ export const SO_REUSEADDR = c.SO_REUSEADDR;
/** Allow several sockets to bind the same address and port. @category Sockets and files */ export const SO_REUSEPORT = c.SO_REUSEPORT;
/** Send keepalive probes on an idle connection. @category Sockets and files */ export const SO_KEEPALIVE = c.SO_KEEPALIVE;
/** Read (and clear) the pending error of a socket, e.g. of a nonblocking connect. @category Sockets and files */ export const SO_ERROR = c.SO_ERROR;
/** Size of the socket's send buffer. @category Sockets and files */ export const SO_SNDBUF = c.SO_SNDBUF;
/** Size of the socket's receive buffer. @category Sockets and files */ export const SO_RCVBUF = c.SO_RCVBUF;
/** The socket's type (`SOCK_STREAM`, ...), read-only. @category Sockets and files */ export const SO_TYPE = c.SO_TYPE;
/** TCP option (level `IPPROTO_TCP`): disable Nagle's algorithm. @category Sockets and files */ export const TCP_NODELAY = c.TCP_NODELAY;
/** IPv6 option (level `IPPROTO_IPV6`): accept IPv6 connections only, not v4-mapped ones. @category Sockets and files */ export const IPV6_V6ONLY = c.IPV6_V6ONLY;

/** `shutdown` how: no more receptions. @category Sockets and files */ export const SHUT_RD = c.SHUT_RD;
/** `shutdown` how: no more transmissions (sends a FIN). @category Sockets and files */ export const SHUT_WR = c.SHUT_WR;
/** `shutdown` how: neither. @category Sockets and files */ export const SHUT_RDWR = c.SHUT_RDWR;

/** `send` flag: do not raise SIGPIPE when the peer has closed. @category Sockets and files */ export const MSG_NOSIGNAL = c.MSG_NOSIGNAL;
/** `recv` flag: look at the data without removing it. @category Sockets and files */ export const MSG_PEEK = c.MSG_PEEK;
/** `send`/`recv` flag: do not block this call. @category Sockets and files */ export const MSG_DONTWAIT = c.MSG_DONTWAIT;

/** `open` flag: read only. @category Sockets and files */ export const O_RDONLY = c.O_RDONLY;
/** `open` flag: write only. @category Sockets and files */ export const O_WRONLY = c.O_WRONLY;
/** `open` flag: read and write. @category Sockets and files */ export const O_RDWR = c.O_RDWR;
/** `open` flag: nonblocking I/O. @category Sockets and files */ export const O_NONBLOCK = c.O_NONBLOCK;
/** `open` flag: close on exec. @category Sockets and files */ export const O_CLOEXEC = c.O_CLOEXEC;
/** `open` flag: create the file if it does not exist. @category Sockets and files */ export const O_CREAT = c.O_CREAT;
/** `open` flag: truncate the file to length 0. @category Sockets and files */ export const O_TRUNC = c.O_TRUNC;
/** `open` flag: every write appends. @category Sockets and files */ export const O_APPEND = c.O_APPEND;

/** IPv4 "any address" 0.0.0.0, in host byte order (use `htonl(INADDR_ANY)`). @category Sockets and files */ export const INADDR_ANY = 0x00000000;
/** IPv4 loopback address 127.0.0.1, in host byte order (use `htonl(INADDR_LOOPBACK)`). @category Sockets and files */ export const INADDR_LOOPBACK = 0x7f000001;
/** IPv4 broadcast address 255.255.255.255, host byte order. @category Sockets and files */ export const INADDR_BROADCAST = 0xffffffff;
/** The error value of `inet_addr` (255.255.255.255), host byte order. @category Sockets and files */ export const INADDR_NONE = 0xffffffff;

/** `EVUTIL_INVALID_SOCKET`: the socket value that is never a valid socket (-1). @category Sockets and files */ export const EVUTIL_INVALID_SOCKET = -1;
