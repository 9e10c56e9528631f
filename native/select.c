/*
 * select backend, as libevent's select.c but with fd_sets of exactly FD_SETSIZE bits: libevent
 * grows its sets past FD_SETSIZE, which glibc's fortified FD_SET aborts on, so descriptors at or
 * above FD_SETSIZE are refused (backend.c throws before add is called).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/select.h>

#include "eventop.h"

struct selectop {
  /* The highest fd ever added, -1 at first; as libevent, it never shrinks. */
  int maxfd;
  fd_set readset_in, writeset_in, readset_out, writeset_out;
};

static void *select_init(int flags) {
  struct selectop *op = calloc(1, sizeof *op);
  (void)flags;
  if (op == NULL) return NULL;
  op->maxfd = -1;
  FD_ZERO(&op->readset_in);
  FD_ZERO(&op->writeset_in);
  return op;
}

static int select_add(void *state, int fd, int old, int events) {
  struct selectop *op = state;
  (void)old;
  if (fd > op->maxfd && (events & (EV_READ | EV_WRITE))) op->maxfd = fd;
  if (events & EV_READ) FD_SET(fd, &op->readset_in);
  if (events & EV_WRITE) FD_SET(fd, &op->writeset_in);
  return 0;
}

static int select_del(void *state, int fd, int old, int events) {
  struct selectop *op = state;
  (void)old;
  if (fd > op->maxfd) return 0;
  if (events & EV_READ) FD_CLR(fd, &op->readset_in);
  if (events & EV_WRITE) FD_CLR(fd, &op->writeset_in);
  return 0;
}

static int select_dispatch(void *state, int64_t timeout_us, int32_t *out, int max_pairs) {
  struct selectop *op = state;
  struct timeval tv, *tvp = NULL;
  int nfds = op->maxfd + 1, res, i, n = 0;

  if (timeout_us >= 0) {
    tv.tv_sec = (time_t)(timeout_us / 1000000);
    tv.tv_usec = (suseconds_t)(timeout_us % 1000000);
    tvp = &tv;
  }
  op->readset_out = op->readset_in;
  op->writeset_out = op->writeset_in;

  res = select(nfds, &op->readset_out, &op->writeset_out, NULL, tvp);
  if (res < 0) return errno == EINTR ? 0 : -errno;
  if (res == 0 || nfds == 0) return 0;

  i = eventop_random_start(nfds);
  for (int j = 0; j < nfds && n < max_pairs; j++) {
    int ev = 0;
    if (++i >= nfds) i = 0;
    if (FD_ISSET(i, &op->readset_out)) ev |= EV_READ;
    if (FD_ISSET(i, &op->writeset_out)) ev |= EV_WRITE;
    if (!ev) continue;
    out[2 * n] = i;
    out[2 * n + 1] = ev;
    n++;
  }
  return n;
}

static int select_fd(void *state) {
  (void)state;
  return -1;
}

static void select_each(void *state, void (*fn)(void *ctx, int fd, int mask), void *ctx) {
  struct selectop *op = state;
  for (int fd = 0; fd <= op->maxfd; fd++) {
    int mask = (FD_ISSET(fd, &op->readset_in) ? EV_READ : 0) |
               (FD_ISSET(fd, &op->writeset_in) ? EV_WRITE : 0);
    if (mask) fn(ctx, fd, mask);
  }
}

static void select_dealloc(void *state) {
  free(state);
}

const struct eventop selectops = {
    "select",
    EV_FEATURE_FDS,
    FD_SETSIZE,
    select_init,
    select_add,
    select_del,
    select_dispatch,
    select_fd,
    select_dealloc,
    select_each,
};
