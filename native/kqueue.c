/*
 * kqueue backend (BSDs and macOS), as libevent's kqueue.c. libevent batches changes in its
 * changelist and submits them with the next kevent() wait; here each add/del submits its own
 * changes at once (with EV_RECEIPT, so that each change reports its own error and no readiness is
 * consumed). The errors libevent tolerates are tolerated the same way, and an add refused with
 * EPERM/EPIPE (one end of a closed pipe) is reported as readable by the next dispatch, as libevent
 * reports it. As libevent 2.1, EV_CLOSED is not supported (no EV_FEATURE_EARLY_CLOSE).
 */
#include "eventop.h"

#ifdef HAVE_KQUEUE

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

struct kqop {
  int kq;
  struct kevent *events;
  int nevents;
  /* fds whose add failed with EPERM/EPIPE, to report as readable. */
  int *refused;
  int nrefused, refused_cap;
};

/* libevent's check for the Mac OS X bug where kevent() fails instead of reporting an error for a
 * bad change: add fd -1 and expect an EV_ERROR result for it. */
static int kq_works(int kq) {
  struct kevent ch, res;
  memset(&ch, 0, sizeof ch);
  ch.ident = (uintptr_t)-1;
  ch.filter = EVFILT_READ;
  ch.flags = EV_ADD;
  return kevent(kq, &ch, 1, &res, 1, NULL) == 1 && (int)res.ident == -1 &&
         (res.flags & EV_ERROR);
}

static void *kq_init(int flags) {
  struct kqop *op;
  (void)flags;
  op = calloc(1, sizeof *op);
  if (op == NULL) return NULL;
  op->kq = kqueue();
  if (op->kq < 0) {
    int saved = errno;
    free(op);
    errno = saved;
    return NULL;
  }
  if (!kq_works(op->kq)) {
    close(op->kq);
    free(op);
    errno = ENOSYS;
    return NULL;
  }
  fcntl(op->kq, F_SETFD, FD_CLOEXEC);
  return op;
}

static int kq_refuse(struct kqop *op, int fd) {
  if (op->nrefused == op->refused_cap) {
    int n = op->refused_cap ? op->refused_cap * 2 : 8;
    int *grown = realloc(op->refused, (size_t)n * sizeof *grown);
    if (grown == NULL) return -ENOMEM;
    op->refused = grown;
    op->refused_cap = n;
  }
  op->refused[op->nrefused++] = fd;
  return 0;
}

/* Submit one change; 0 or -errno after libevent's tolerance rules for kevent errors. */
static int kq_change(struct kqop *op, int fd, int filter, int adding, int et) {
  struct kevent ch;
  int err;
  memset(&ch, 0, sizeof ch);
  ch.ident = (uintptr_t)fd;
  ch.filter = filter;
  if (adding) {
    ch.flags = EV_ADD;
    if (et) ch.flags |= EV_CLEAR;
#ifdef NOTE_EOF
    /* Report EOF on a tty or pipe the way select and poll do. */
    if (filter == EVFILT_READ) ch.fflags = NOTE_EOF;
#endif
  } else {
    ch.flags = EV_DELETE;
  }
#ifdef EV_RECEIPT
  {
    struct kevent res;
    ch.flags |= EV_RECEIPT;
    if (kevent(op->kq, &ch, 1, &res, 1, NULL) < 0) return -errno;
    err = (res.flags & EV_ERROR) ? (int)res.data : 0;
  }
#else
  err = kevent(op->kq, &ch, 1, NULL, 0, NULL) < 0 ? errno : 0;
#endif
  switch (err) {
    case 0:
    /* A delete of an fd that was closed (and maybe reopened), or FreeBSD oddities. */
    case ENOENT:
    case EINVAL:
    case EBADF:
#ifdef ENOTCAPABLE
    case ENOTCAPABLE:
#endif
      return 0;
    /* An add on one end of a pipe whose other end is closed: libevent reports it as a read. */
    case EPERM:
    case EPIPE:
      return adding ? kq_refuse(op, fd) : 0;
    default:
      return -err;
  }
}

static int kq_add(void *state, int fd, int old, int events) {
  int r = 0, et = (events & EV_ET) != 0;
  (void)old;
  if (events & EV_READ) r = kq_change(state, fd, EVFILT_READ, 1, et);
  if (r == 0 && (events & EV_WRITE)) r = kq_change(state, fd, EVFILT_WRITE, 1, et);
  return r;
}

static int kq_del(void *state, int fd, int old, int events) {
  int r = 0;
  (void)old;
  if (events & EV_READ) r = kq_change(state, fd, EVFILT_READ, 0, 0);
  if (r == 0 && (events & EV_WRITE)) r = kq_change(state, fd, EVFILT_WRITE, 0, 0);
  return r;
}

static int kq_dispatch(void *state, int64_t timeout_us, int32_t *out, int max_pairs) {
  struct kqop *op = state;
  struct timespec ts, *tsp = NULL;
  int n = 0, res;

  /* Refused adds first; while any are waiting, the wait below only polls. */
  while (op->nrefused > 0 && n < max_pairs) {
    out[2 * n] = op->refused[--op->nrefused];
    out[2 * n + 1] = EV_READ | EV_ET;
    n++;
  }
  if (n == max_pairs) return n;
  if (n > 0) timeout_us = 0;

  if (op->nevents < max_pairs - n) {
    struct kevent *grown = realloc(op->events, (size_t)(max_pairs - n) * sizeof *grown);
    if (grown == NULL) return n > 0 ? n : -ENOMEM;
    op->events = grown;
    op->nevents = max_pairs - n;
  }
  if (timeout_us >= 0) {
    ts.tv_sec = (time_t)(timeout_us / 1000000);
    ts.tv_nsec = (long)(timeout_us % 1000000) * 1000;
    tsp = &ts;
  }

  res = kevent(op->kq, NULL, 0, op->events, max_pairs - n, tsp);
  if (res < 0) return n > 0 || errno == EINTR ? n : -errno;

  for (int i = 0; i < res; i++) {
    int ev;
    if (op->events[i].flags & EV_ERROR) continue;
    if (op->events[i].filter == EVFILT_READ)
      ev = EV_READ;
    else if (op->events[i].filter == EVFILT_WRITE)
      ev = EV_WRITE;
    else
      continue;
    /* As libevent's kq_dispatch: every result carries EV_ET. */
    out[2 * n] = (int32_t)op->events[i].ident;
    out[2 * n + 1] = ev | EV_ET;
    n++;
  }
  return n;
}

static int kq_fd(void *state) {
  return ((struct kqop *)state)->kq;
}

static void kq_dealloc(void *state) {
  struct kqop *op = state;
  close(op->kq);
  free(op->events);
  free(op->refused);
  free(op);
}

const struct eventop kqops = {
    "kqueue",
    EV_FEATURE_ET | EV_FEATURE_O1 | EV_FEATURE_FDS,
    0,
    kq_init,
    kq_add,
    kq_del,
    kq_dispatch,
    kq_fd,
    kq_dealloc,
    NULL,
};

#endif
