/*
 * What Linux has and the BSDs/macOS may lack. As libevent's evutil does, a platform without
 * SOCK_NONBLOCK/SOCK_CLOEXEC gets private flag values that socket(), socketpair() and accept()
 * emulate with fcntl (libevent uses 0x4000000 and 0x80000000; ours stay positive int32s).
 */
#ifndef LIBEVENT_NATIVE_COMPAT_H
#define LIBEVENT_NATIVE_COMPAT_H

#include <sys/socket.h>

#if !defined(SOCK_NONBLOCK) || !defined(SOCK_CLOEXEC)
#define EMULATE_SOCK_FLAGS 1
#undef SOCK_NONBLOCK
#undef SOCK_CLOEXEC
#define SOCK_NONBLOCK 0x4000000
#define SOCK_CLOEXEC 0x8000000
#endif

/* fcntl(2) helpers shared by fd.c and socket.c: 0, or -1 with errno set. */
int fd_set_nonblock(int fd);
int fd_set_cloexec(int fd);
/* Apply emulated SOCK_NONBLOCK/SOCK_CLOEXEC flags to a new fd; on failure close it. */
int fd_apply_sock_flags(int fd, int flags);

#endif
