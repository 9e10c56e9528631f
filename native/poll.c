/*
 * poll backend, as libevent's poll.c: a dense pollfd array plus an fd -> index map (libevent keeps
 * the index in the evmap; here the backend owns it). A deleted entry is replaced by the last one.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "eventop.h"

#ifdef POLLRDHUP
#define EARLY_CLOSE_IF_HAVE_RDHUP EV_FEATURE_EARLY_CLOSE
#else
#define POLLRDHUP 0
#define EARLY_CLOSE_IF_HAVE_RDHUP 0
#endif

struct pollop {
  struct pollfd *set;
  int nfds, cap;
  /* idx[fd] = index in set + 1, or 0 when fd is not watched. */
  int *idx;
  int idx_cap;
};

static void *poll_init(int flags) {
  (void)flags;
  return calloc(1, sizeof(struct pollop));
}

static int poll_add(void *state, int fd, int old, int events) {
  struct pollop *op = state;
  struct pollfd *pfd;
  int i;
  (void)old;
  if (!(events & (EV_READ | EV_WRITE | EV_CLOSED))) return 0;

  if (fd >= op->idx_cap) {
    if (eventop_fd_beyond_limit(fd)) return -EBADF;
    if (fd == INT_MAX || eventop_grow((void **)&op->idx, &op->idx_cap, fd + 1, sizeof(int)) < 0)
      return -ENOMEM;
  }
  i = op->idx[fd] - 1;
  if (i < 0) {
    if (op->nfds == op->cap && eventop_grow((void **)&op->set, &op->cap, op->nfds + 1, sizeof *pfd) < 0)
      return -ENOMEM;
    i = op->nfds++;
    op->set[i].fd = fd;
    op->set[i].events = 0;
    op->idx[fd] = i + 1;
  }
  pfd = &op->set[i];
  pfd->revents = 0;
  if (events & EV_READ) pfd->events |= POLLIN;
  if (events & EV_WRITE) pfd->events |= POLLOUT;
  if (events & EV_CLOSED) pfd->events |= POLLRDHUP;
  return 0;
}

static int poll_del(void *state, int fd, int old, int events) {
  struct pollop *op = state;
  struct pollfd *pfd;
  int i;
  (void)old;
  if (!(events & (EV_READ | EV_WRITE | EV_CLOSED))) return 0;
  i = fd < op->idx_cap ? op->idx[fd] - 1 : -1;
  if (i < 0) return -ENOENT;

  pfd = &op->set[i];
  if (events & EV_READ) pfd->events &= ~POLLIN;
  if (events & EV_WRITE) pfd->events &= ~POLLOUT;
  if (events & EV_CLOSED) pfd->events &= ~POLLRDHUP;
  if (pfd->events) return 0;

  op->idx[fd] = 0;
  if (i != --op->nfds) {
    op->set[i] = op->set[op->nfds];
    op->idx[op->set[i].fd] = i + 1;
  }
  return 0;
}

static int poll_dispatch(void *state, int64_t timeout_us, int32_t *out, int max_pairs) {
  struct pollop *op = state;
  int res, i, n = 0;

  res = poll(op->set, (nfds_t)op->nfds, (int)eventop_timeout_ms(timeout_us, INT_MAX));
  if (res < 0) return errno == EINTR ? 0 : -errno;
  if (res == 0 || op->nfds == 0) return 0;

  i = eventop_random_start(op->nfds);
  for (int j = 0; j < op->nfds && n < max_pairs; j++) {
    int what, ev = 0;
    if (++i == op->nfds) i = 0;
    what = op->set[i].revents;
    if (!what) continue;
    /* A closed or failed fd wakes both readers and writers. */
    if (what & (POLLHUP | POLLERR | POLLNVAL)) what |= POLLIN | POLLOUT;
    if (what & POLLIN) ev |= EV_READ;
    if (what & POLLOUT) ev |= EV_WRITE;
    if (what & POLLRDHUP) ev |= EV_CLOSED;
    if (!ev) continue;
    out[2 * n] = op->set[i].fd;
    out[2 * n + 1] = ev;
    n++;
  }
  return n;
}

static int poll_fd(void *state) {
  (void)state;
  return -1;
}

static void poll_each(void *state, void (*fn)(void *ctx, int fd, int mask), void *ctx) {
  struct pollop *op = state;
  for (int i = 0; i < op->nfds; i++) {
    int ev = op->set[i].events;
    fn(ctx, op->set[i].fd,
       ((ev & POLLIN) ? EV_READ : 0) | ((ev & POLLOUT) ? EV_WRITE : 0) |
           ((POLLRDHUP && (ev & POLLRDHUP)) ? EV_CLOSED : 0));
  }
}

static void poll_dealloc(void *state) {
  struct pollop *op = state;
  free(op->set);
  free(op->idx);
  free(op);
}

const struct eventop pollops = {
    "poll",
    EV_FEATURE_FDS | EARLY_CLOSE_IF_HAVE_RDHUP,
    0,
    poll_init,
    poll_add,
    poll_del,
    poll_dispatch,
    poll_fd,
    poll_dealloc,
    NULL,
    NULL,
    poll_each,
    NULL,
};
