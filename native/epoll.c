/*
 * epoll backend, as libevent's epoll.c without its changelist: every add/del is one epoll_ctl.
 * With EVENT_BASE_FLAG_PRECISE_TIMER a timerfd in the set gives microsecond timeouts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "eventop.h"

/* Linux kernels up to 2.6.24 wait forever on timeouts near LONG_MAX / HZ; libevent caps at 35 min. */
#define MAX_EPOLL_TIMEOUT_MSEC (35 * 60 * 1000)

struct epollop {
  int epfd;
  int timerfd;
  struct epoll_event *events;
  int nevents;
};

static void *epoll_init(int flags) {
  struct epollop *op = calloc(1, sizeof *op);
  if (op == NULL) return NULL;
  op->timerfd = -1;
  op->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (op->epfd < 0) {
    int saved = errno;
    free(op);
    errno = saved;
    return NULL;
  }
  /* As libevent: a timerfd that cannot be made or added only costs the precision. */
  if (flags & EVENT_BASE_FLAG_PRECISE_TIMER) {
    op->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (op->timerfd >= 0) {
      struct epoll_event ev;
      memset(&ev, 0, sizeof ev);
      ev.events = EPOLLIN;
      ev.data.fd = op->timerfd;
      if (epoll_ctl(op->epfd, EPOLL_CTL_ADD, op->timerfd, &ev) < 0) {
        close(op->timerfd);
        op->timerfd = -1;
      }
    }
  }
  return op;
}

static uint32_t epoll_bits(int events) {
  return ((events & EV_READ) ? EPOLLIN : 0) | ((events & EV_WRITE) ? EPOLLOUT : 0) |
         ((events & EV_CLOSED) ? EPOLLRDHUP : 0);
}

/* The epoll_ctl of libevent's epoll_apply_one_change: ADD when nothing was watched, MOD when
 * something stays watched, DEL when nothing does. ADD/MOD are guesses (the fd may have been closed
 * and reopened, or dup'ed onto the same file), so each retries as the other. */
static int epoll_change(struct epollop *op, int fd, int old, int events, int adding) {
  const int rwc = EV_READ | EV_WRITE | EV_CLOSED;
  struct epoll_event ev;
  int ctl, want;
  if (!(events & rwc)) return 0;
  want = adding ? (old | events) : (old & ~events);
  memset(&ev, 0, sizeof ev);
  ev.data.fd = fd;
  if (adding) {
    ctl = (old & rwc) ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    ev.events = epoll_bits(want);
  } else if (want & rwc) {
    ctl = EPOLL_CTL_MOD;
    ev.events = epoll_bits(want);
  } else {
    ctl = EPOLL_CTL_DEL;
    ev.events = epoll_bits(events);
  }
  /* The interest stays edge-triggered while any of it was added with EV_ET. */
  if ((old | events) & EV_ET) ev.events |= EPOLLET;

  if (epoll_ctl(op->epfd, ctl, fd, &ev) == 0) return 0;
  if (ctl == EPOLL_CTL_MOD && errno == ENOENT) {
    if (epoll_ctl(op->epfd, EPOLL_CTL_ADD, fd, &ev) == 0) return 0;
  } else if (ctl == EPOLL_CTL_ADD && errno == EEXIST) {
    if (epoll_ctl(op->epfd, EPOLL_CTL_MOD, fd, &ev) == 0) return 0;
  } else if (ctl == EPOLL_CTL_DEL && (errno == ENOENT || errno == EBADF || errno == EPERM)) {
    /* The fd was closed (or never watchable) before the delete: nothing is left to remove. */
    return 0;
  }
  return -errno;
}

static int epoll_add(void *state, int fd, int old, int events) {
  return epoll_change(state, fd, old, events, 1);
}

static int epoll_del(void *state, int fd, int old, int events) {
  return epoll_change(state, fd, old, events, 0);
}

static int epoll_dispatch(void *state, int64_t timeout_us, int32_t *out, int max_pairs) {
  struct epollop *op = state;
  int timeout, res, n = 0;

  if (op->nevents < max_pairs) {
    struct epoll_event *grown = realloc(op->events, (size_t)max_pairs * sizeof *grown);
    if (grown == NULL) return -ENOMEM;
    op->events = grown;
    op->nevents = max_pairs;
  }

  if (op->timerfd >= 0) {
    /* The timer carries the timeout; epoll_wait waits for it (or polls when none is left). */
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    timeout = -1;
    if (timeout_us == 0) {
      timeout = 0;
    } else if (timeout_us > 0) {
      its.it_value.tv_sec = (time_t)(timeout_us / 1000000);
      its.it_value.tv_nsec = (long)(timeout_us % 1000000) * 1000;
    }
    timerfd_settime(op->timerfd, 0, &its, NULL);
  } else {
    timeout = (int)eventop_timeout_ms(timeout_us, MAX_EPOLL_TIMEOUT_MSEC);
  }

  res = epoll_wait(op->epfd, op->events, max_pairs, timeout);
  if (res < 0) return errno == EINTR ? 0 : -errno;

  for (int i = 0; i < res; i++) {
    uint32_t what = op->events[i].events;
    int ev = 0;
    if (op->events[i].data.fd == op->timerfd) continue;
    if (what & EPOLLERR) {
      ev = EV_READ | EV_WRITE;
    } else if ((what & EPOLLHUP) && !(what & EPOLLRDHUP)) {
      ev = EV_READ | EV_WRITE;
    } else {
      if (what & EPOLLIN) ev |= EV_READ;
      if (what & EPOLLOUT) ev |= EV_WRITE;
      if (what & EPOLLRDHUP) ev |= EV_CLOSED;
    }
    if (!ev) continue;
    /* As libevent's epoll_dispatch: every result carries EV_ET. */
    out[2 * n] = op->events[i].data.fd;
    out[2 * n + 1] = ev | EV_ET;
    n++;
  }
  return n;
}

static int epoll_fd(void *state) {
  return ((struct epollop *)state)->epfd;
}

static void epoll_dealloc(void *state) {
  struct epollop *op = state;
  close(op->epfd);
  if (op->timerfd >= 0) close(op->timerfd);
  free(op->events);
  free(op);
}

const struct eventop epollops = {
    "epoll",
    EV_FEATURE_ET | EV_FEATURE_O1 | EV_FEATURE_EARLY_CLOSE,
    0,
    epoll_init,
    epoll_add,
    epoll_del,
    epoll_dispatch,
    epoll_fd,
    epoll_dealloc,
    NULL,
};
