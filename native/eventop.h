/*
 * The backend interface, shaped like libevent's `struct eventop`. A backend knows fds and masks of
 * libevent's bits, never events: the TypeScript evmap computes `old` and `events` as libevent's
 * evmap does and hands them to add/del, and dispatch reports (fd, what) pairs that the evmap turns
 * into activations.
 */
#ifndef LIBEVENT_NATIVE_EVENTOP_H
#define LIBEVENT_NATIVE_EVENTOP_H

#include <stddef.h>
#include <stdint.h>

/* libevent's event bits, as the masks of add/del and the `what` of dispatch results. */
#define EV_READ 0x02
#define EV_WRITE 0x04
#define EV_ET 0x20
#define EV_CLOSED 0x80
/* The bits a mask of add/del may hold. */
#define EV_MASK_BITS (EV_READ | EV_WRITE | EV_ET | EV_CLOSED)

/* libevent's enum event_method_feature. */
#define EV_FEATURE_ET 0x01
#define EV_FEATURE_O1 0x02
#define EV_FEATURE_FDS 0x04
#define EV_FEATURE_EARLY_CLOSE 0x08

/* The kinds of a change in the change list (backend.c's apply_changes). */
#define CHANGE_DEL 0
#define CHANGE_ADD 1
#define CHANGE_SET 2

/* libevent's EVENT_BASE_FLAG_PRECISE_TIMER, the one init flag a backend looks at. */
#define EVENT_BASE_FLAG_PRECISE_TIMER 0x20

struct eventop {
  const char *name;
  /* EV_FEATURE_* this backend provides. */
  int features;
  /* Descriptors at or above this cannot be added (select's FD_SETSIZE); 0 for no limit. */
  int fd_limit;
  /* A new backend state, or NULL with errno set. */
  void *(*init)(int flags);
  /* Watch `events` on fd, which already watches `old`. 0, or -errno. */
  int (*add)(void *state, int fd, int old, int events);
  /* Stop watching `events` on fd, which watches `old`. 0, or -errno. */
  int (*del)(void *state, int fd, int old, int events);
  /* Wait at most timeout_us (-1: forever) and write up to max_pairs (fd, what) pairs into out.
   * The number of pairs; 0 on EINTR; or -errno. max_pairs >= 1. */
  int (*dispatch)(void *state, int64_t timeout_us, int32_t *out, int max_pairs);
  /* The backend's own descriptor (epoll, kqueue), or -1. */
  int (*fd)(void *state);
  void (*dealloc)(void *state);
  /* Make fd, which watches `old`, watch `now` instead, in one step: a changelist's coalesced
   * change. 0, or -errno. NULL for a backend without a changelist. */
  int (*set)(void *state, int fd, int old, int now);
  /* Submit the changes the backend holds for its next dispatch, without waiting (io_uring, before
   * the loop waits somewhere else); NULL for backends that make every change at once. 0 or -errno. */
  int (*flush)(void *state);
  /* Backends without an fd of their own (poll, select): call fn(ctx, fd, mask) for every watched
   * fd, mask in EV_READ|EV_WRITE|EV_CLOSED as the backend watches it (uvloop.c mirrors the set);
   * NULL for the others. */
  void (*each)(void *state, void (*fn)(void *ctx, int fd, int mask), void *ctx);
  /* Make the backend's own fd readable after timeout_us (> 0), or cancel that (-1): epoll with
   * its timerfd (EVENT_BASE_FLAG_PRECISE_TIMER), for uvloop.c's microsecond waits. 0 if done, -1
   * if this backend cannot (NULL: never). The next dispatch cancels it. */
  int (*settimer)(void *state, int64_t timeout_us);
};

/* A backend's timeout in milliseconds, rounded up as libevent's evutil_tv_to_msec_ does and
 * capped at `cap`; -1 stays -1 (wait forever). */
static inline int64_t eventop_timeout_ms(int64_t timeout_us, int64_t cap) {
  int64_t ms;
  if (timeout_us < 0) return -1;
  ms = (timeout_us + 999) / 1000;
  return ms > cap ? cap : ms;
}

/* Grow array *p of *cap elements of `size` bytes (doubling from 32) to hold at least `need`, the
 * new elements zeroed. 0, or -ENOMEM (the array is then unchanged). */
int eventop_grow(void **p, int *cap, int need, size_t size);

/* Whether fd is at or beyond RLIMIT_NOFILE, where no descriptor can be open: a backend refuses it
 * (EBADF) as the kernel would, rather than grow a per-fd map to its size. */
int eventop_fd_beyond_limit(int fd);

/* A start index in [0, n) for scanning results, so that no fd is always served first (libevent's
 * poll and select start at evutil_weakrand_range_). */
int eventop_random_start(int n);

#if defined(__linux__)
extern const struct eventop epollops;
extern const struct eventop uringops;
#endif
#if defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
#define HAVE_KQUEUE 1
extern const struct eventop kqops;
#endif
extern const struct eventop pollops;
extern const struct eventop selectops;

#endif
