/*
 * io_uring backend (Linux 5.13 and later): readiness from poll requests on a ring, with every
 * add and del queued as a submission and sent with the next wait, in one io_uring_enter.
 *
 * Where epoll makes one epoll_ctl per change, this backend makes none: add and del only record
 * what an fd should watch; dispatch turns the fds whose interest changed into POLL_REMOVE and
 * POLL_ADD submissions, and a single io_uring_enter submits them and waits (timeout through
 * IORING_ENTER_EXT_ARG, 5.11).
 *
 * Readiness semantics are libevent's: an EV_ET fd gets a multishot poll (IORING_POLL_ADD_MULTI,
 * 5.13), which reports each new wake-up, as edge-triggered epoll does. A level-triggered fd gets a
 * one-shot poll, re-armed with the next wait after it fires: a poll armed on a descriptor that is
 * still ready completes at once, so what was not consumed is reported again, as with epoll.
 *
 * Each armed poll carries (generation << 32 | fd) as user_data; a completion whose generation is
 * not the fd's current one belongs to a poll since removed or replaced, and is dropped.
 *
 * Completions are deferred to the wait (IORING_SETUP_DEFER_TASKRUN with SINGLE_ISSUER, 6.1): the
 * kernel runs a ready poll's completion work when this thread asks for events, instead of
 * interrupting it with task work after each wake-up (on the dispatch benchmark this brings the
 * ring's time per hop from about 1.2x epoll's to epoll's). Deferred work wakes only a thread
 * waiting in io_uring_enter: it does not make the ring's fd readable to a poller, and a registered
 * eventfd hears of it late (measured: not yet signalled right after the wake-up). So the first time
 * a loop asks for the fd to wait on (the loop inside Node's, uvloop.c), the backend moves to a new
 * ring without deferral and arms every watched fd there again; a base that never runs inside
 * Node's loop keeps the deferred ring. Kernels before 6.1 get a ring without deferral at once.
 *
 * Raw system calls rather than liburing: the ring handling needed is small (one submission
 * kind, completions read in place), and the addon (and its prebuilt binary) then needs no
 * library beyond libc, on any kernel headers that have <linux/io_uring.h>.
 *
 * Trap, documented for users: an armed poll holds a reference to the open file. A socket closed
 * while a poll on it is armed (or its removal still queued) stays open until the removal is
 * submitted, that is, until the next dispatch.
 */
#include <errno.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "eventop.h"

#if defined(__NR_io_uring_setup) && defined(IORING_POLL_ADD_MULTI) && defined(IORING_ENTER_EXT_ARG)
#define HAVE_IO_URING 1
#endif

#ifdef HAVE_IO_URING

#ifndef POLLRDHUP
#define POLLRDHUP 0x2000
#endif

/* Submission queue entries; the completion queue is twice as large. A full queue is submitted
 * early (one more io_uring_enter), which 256 changes in one loop iteration make rare. */
#define URING_ENTRIES 256
/* The user_data of POLL_REMOVE submissions, whose completions say nothing to the loop. */
#define UD_IGNORE UINT64_MAX
/* As epoll: a wait of at most 35 minutes; the loop waits again if its timer is further off. */
#define MAX_URING_TIMEOUT_US (35LL * 60 * 1000 * 1000)

struct fdstate {
  /* What the evmap wants watched: EV_READ|EV_WRITE|EV_CLOSED|EV_ET. */
  int want;
  /* The bits of the armed poll (0: none armed) and whether it is multishot. */
  int armed;
  int multishot;
  /* The generation of the armed (or last armed) poll. */
  uint32_t gen;
  /* On the dirty list. */
  int dirty;
};

struct uringop {
  int ring_fd;
  /* The ring defers completion work to the wait (see above). */
  int deferred;
  /* Submission ring. */
  unsigned *sq_head, *sq_tail, sq_mask, sq_entries, sq_local_tail;
  struct io_uring_sqe *sqes;
  /* Completion ring. */
  unsigned *cq_head, *cq_tail, cq_mask;
  struct io_uring_cqe *cqes;
  /* The mappings, for dealloc. */
  void *sq_ring, *cq_ring;
  size_t sq_ring_sz, cq_ring_sz, sqes_sz;
  /* Per fd state, and the fds whose interest changed since the last dispatch. */
  struct fdstate *fds;
  int fds_cap;
  int *dirty;
  int ndirty, dirty_cap;
};

static int sys_setup(unsigned entries, struct io_uring_params *p) {
  return (int)syscall(__NR_io_uring_setup, entries, p);
}

static int sys_enter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags, void *arg,
                     size_t argsz) {
  return (int)syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, arg, argsz);
}

static void uring_unmap(struct uringop *op) {
  if (op->sqes && op->sqes != MAP_FAILED) munmap(op->sqes, op->sqes_sz);
  if (op->cq_ring && op->cq_ring != MAP_FAILED && op->cq_ring != op->sq_ring)
    munmap(op->cq_ring, op->cq_ring_sz);
  if (op->sq_ring && op->sq_ring != MAP_FAILED) munmap(op->sq_ring, op->sq_ring_sz);
}

/* Set up a ring with setup flags `setup` and map it into op's ring fields: 0, or -1 with errno
 * (op's ring fields then undefined; nothing is left open). */
static int ring_open(struct uringop *op, unsigned setup) {
  struct io_uring_params p;
  unsigned *array;
  int saved;

  op->sq_ring = op->cq_ring = NULL;
  op->sqes = NULL;
  memset(&p, 0, sizeof p);
  p.flags = setup;
  op->ring_fd = sys_setup(URING_ENTRIES, &p);
  if (op->ring_fd < 0) return -1;
  /* EXT_ARG (the timeout in the wait) is 5.11; multishot poll (5.13) has no feature bit, but
   * comes with the kernels that have IORING_FEAT_FAST_POLL and NATIVE_WORKERS (5.12): a kernel
   * that refuses it fails every poll with EINVAL, which dispatch reports. */
  if (!(p.features & IORING_FEAT_EXT_ARG) || !(p.features & IORING_FEAT_NATIVE_WORKERS)) {
    errno = ENOSYS;
    goto fail;
  }

  op->sq_ring_sz = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  op->cq_ring_sz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  if (p.features & IORING_FEAT_SINGLE_MMAP) {
    if (op->cq_ring_sz > op->sq_ring_sz) op->sq_ring_sz = op->cq_ring_sz;
    op->cq_ring_sz = op->sq_ring_sz;
  }
  op->sq_ring = mmap(NULL, op->sq_ring_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                     op->ring_fd, IORING_OFF_SQ_RING);
  if (op->sq_ring == MAP_FAILED) goto fail;
  if (p.features & IORING_FEAT_SINGLE_MMAP)
    op->cq_ring = op->sq_ring;
  else
    op->cq_ring = mmap(NULL, op->cq_ring_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                       op->ring_fd, IORING_OFF_CQ_RING);
  if (op->cq_ring == MAP_FAILED) goto fail;
  op->sqes_sz = p.sq_entries * sizeof(struct io_uring_sqe);
  op->sqes = mmap(NULL, op->sqes_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                  op->ring_fd, IORING_OFF_SQES);
  if (op->sqes == MAP_FAILED) goto fail;

  op->sq_head = (unsigned *)((char *)op->sq_ring + p.sq_off.head);
  op->sq_tail = (unsigned *)((char *)op->sq_ring + p.sq_off.tail);
  op->sq_mask = *(unsigned *)((char *)op->sq_ring + p.sq_off.ring_mask);
  op->sq_entries = p.sq_entries;
  op->sq_local_tail = *op->sq_tail;
  /* Entry i of the submission array is always sqes[i]. */
  array = (unsigned *)((char *)op->sq_ring + p.sq_off.array);
  for (unsigned i = 0; i < p.sq_entries; i++) array[i] = i;
  op->cq_head = (unsigned *)((char *)op->cq_ring + p.cq_off.head);
  op->cq_tail = (unsigned *)((char *)op->cq_ring + p.cq_off.tail);
  op->cq_mask = *(unsigned *)((char *)op->cq_ring + p.cq_off.ring_mask);
  op->cqes = (struct io_uring_cqe *)((char *)op->cq_ring + p.cq_off.cqes);
  op->deferred = (setup & IORING_SETUP_DEFER_TASKRUN) != 0;
  return 0;

fail:
  saved = errno;
  uring_unmap(op);
  close(op->ring_fd);
  errno = saved;
  return -1;
}

static void *uring_init(int flags) {
  struct uringop *op;
  (void)flags; /* timeouts are in nanoseconds: PRECISE_TIMER needs nothing more */

  op = calloc(1, sizeof *op);
  if (op == NULL) return NULL;
  if (ring_open(op, IORING_SETUP_CLAMP | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN) < 0 &&
      (errno != EINVAL || ring_open(op, IORING_SETUP_CLAMP) < 0)) {
    int saved = errno;
    free(op);
    errno = saved;
    return NULL;
  }
  return op;
}

/* Submit what is queued without waiting: the queue is full, or the loop is about to wait
 * elsewhere (uring_flush). 0, or -errno. */
static int uring_submit(struct uringop *op) {
  unsigned pending = op->sq_local_tail - __atomic_load_n(op->sq_head, __ATOMIC_ACQUIRE);
  while (pending > 0) {
    int r = sys_enter(op->ring_fd, pending, 0, 0, NULL, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    pending = op->sq_local_tail - __atomic_load_n(op->sq_head, __ATOMIC_ACQUIRE);
    if (r == 0) break;
  }
  return 0;
}

/* The next free submission entry, zeroed, submitting the queue first when it is full. */
static struct io_uring_sqe *uring_sqe(struct uringop *op) {
  struct io_uring_sqe *sqe;
  if (op->sq_local_tail - __atomic_load_n(op->sq_head, __ATOMIC_ACQUIRE) >= op->sq_entries &&
      (uring_submit(op) < 0 ||
       op->sq_local_tail - __atomic_load_n(op->sq_head, __ATOMIC_ACQUIRE) >= op->sq_entries))
    return NULL;
  sqe = &op->sqes[op->sq_local_tail & op->sq_mask];
  memset(sqe, 0, sizeof *sqe);
  return sqe;
}

static void uring_push(struct uringop *op) {
  op->sq_local_tail++;
  __atomic_store_n(op->sq_tail, op->sq_local_tail, __ATOMIC_RELEASE);
}

static uint64_t poll_ud(int fd, uint32_t gen) {
  return ((uint64_t)gen << 32) | (uint32_t)fd;
}

static unsigned poll_bits(int events) {
  return ((events & EV_READ) ? POLLIN : 0) | ((events & EV_WRITE) ? POLLOUT : 0) |
         ((events & EV_CLOSED) ? POLLRDHUP : 0);
}

/* Bring fd's armed poll to what it wants: remove the armed one, arm the wanted one. 0 or -errno
 * (no submission entry could be had: the change stays dirty for the next dispatch). */
static int uring_sync_fd(struct uringop *op, int fd) {
  struct fdstate *s = &op->fds[fd];
  int bits = s->want & (EV_READ | EV_WRITE | EV_CLOSED);
  int multishot = (s->want & EV_ET) != 0;
  struct io_uring_sqe *sqe;
  if (s->armed == bits && (bits == 0 || s->multishot == multishot)) return 0;
  if (s->armed) {
    if ((sqe = uring_sqe(op)) == NULL) return -EBUSY;
    sqe->opcode = IORING_OP_POLL_REMOVE;
    sqe->fd = -1;
    sqe->addr = poll_ud(fd, s->gen);
    sqe->user_data = UD_IGNORE;
    uring_push(op);
    s->armed = 0;
  }
  if (bits) {
    if ((sqe = uring_sqe(op)) == NULL) return -EBUSY;
    s->gen++;
    sqe->opcode = IORING_OP_POLL_ADD;
    sqe->fd = fd;
    sqe->poll32_events = poll_bits(bits);
    if (multishot) sqe->len = IORING_POLL_ADD_MULTI;
    sqe->user_data = poll_ud(fd, s->gen);
    uring_push(op);
    s->armed = bits;
    s->multishot = multishot;
  }
  return 0;
}

static void mark_dirty(struct uringop *op, int fd) {
  if (op->fds[fd].dirty) return;
  if (op->ndirty == op->dirty_cap &&
      eventop_grow((void **)&op->dirty, &op->dirty_cap, op->ndirty + 1, sizeof(int)) < 0) {
    /* No memory for the list: make the change now, which needs none. */
    uring_sync_fd(op, fd);
    return;
  }
  op->fds[fd].dirty = 1;
  op->dirty[op->ndirty++] = fd;
}

/* Record fd's new interest `want`; the next dispatch submits it. */
static int uring_set(struct uringop *op, int fd, int want) {
  if (fd < 0) return -EBADF;
  if (fd >= op->fds_cap) {
    if (want == 0) return 0;
    if (eventop_fd_beyond_limit(fd)) return -EBADF;
    if (eventop_grow((void **)&op->fds, &op->fds_cap, fd + 1, sizeof(struct fdstate)) < 0) return -ENOMEM;
  }
  op->fds[fd].want = want;
  mark_dirty(op, fd);
  return 0;
}

static int uring_add(void *state, int fd, int old, int events) {
  if (!(events & (EV_READ | EV_WRITE | EV_CLOSED))) return 0;
  return uring_set(state, fd, old | events);
}

static int uring_del(void *state, int fd, int old, int events) {
  /* As epoll's del: what stays watched stays edge-triggered if the deleted part was. */
  int want = (old & ~events) | (events & EV_ET);
  if (!(events & (EV_READ | EV_WRITE | EV_CLOSED))) return 0;
  if (!(want & (EV_READ | EV_WRITE | EV_CLOSED))) want = 0;
  return uring_set(state, fd, want);
}

/* Queue the submissions for every fd whose interest changed. */
static void uring_flush_dirty(struct uringop *op) {
  int kept = 0;
  for (int i = 0; i < op->ndirty; i++) {
    int fd = op->dirty[i];
    if (uring_sync_fd(op, fd) < 0) {
      op->dirty[kept++] = fd;
      continue;
    }
    op->fds[fd].dirty = 0;
  }
  op->ndirty = kept;
}

/* Completions into (fd, what) pairs, at most max_pairs; the rest stay for the next dispatch. */
static int uring_reap(struct uringop *op, int32_t *out, int max_pairs) {
  unsigned head = *op->cq_head, tail = __atomic_load_n(op->cq_tail, __ATOMIC_ACQUIRE);
  int n = 0;
  for (; head != tail && n < max_pairs; head++) {
    const struct io_uring_cqe *cqe = &op->cqes[head & op->cq_mask];
    uint64_t ud = cqe->user_data;
    int fd = (int)(uint32_t)ud, res = cqe->res, ev = 0;
    struct fdstate *s;
    if (ud == UD_IGNORE || fd >= op->fds_cap) continue;
    s = &op->fds[fd];
    if ((uint32_t)(ud >> 32) != s->gen || !s->armed) continue;
    if (!(cqe->flags & IORING_CQE_F_MORE)) {
      /* The poll is over (one-shot fired, or a multishot ended): re-arm with the next wait,
       * except on a descriptor the kernel refuses, which would only fail again. */
      s->armed = 0;
      if (res != -EBADF && s->want) mark_dirty(op, fd);
    }
    if (res < 0) continue;
    if (res & POLLERR) {
      ev = EV_READ | EV_WRITE;
    } else if ((res & POLLHUP) && !(res & POLLRDHUP)) {
      ev = EV_READ | EV_WRITE;
    } else {
      if (res & POLLIN) ev |= EV_READ;
      if (res & POLLOUT) ev |= EV_WRITE;
      if (res & POLLRDHUP) ev |= EV_CLOSED;
    }
    ev &= s->want | EV_READ | EV_WRITE;
    if (!ev) continue;
    /* As epoll's (and libevent's epoll_dispatch): every result carries EV_ET. */
    out[2 * n] = fd;
    out[2 * n + 1] = ev | EV_ET;
    n++;
  }
  __atomic_store_n(op->cq_head, head, __ATOMIC_RELEASE);
  return n;
}

static int uring_dispatch(void *state, int64_t timeout_us, int32_t *out, int max_pairs) {
  struct uringop *op = state;
  struct io_uring_getevents_arg arg;
  struct __kernel_timespec ts;
  unsigned pending, wait;
  int r;

  uring_flush_dirty(op);
  pending = op->sq_local_tail - __atomic_load_n(op->sq_head, __ATOMIC_ACQUIRE);
  /* Completions already there (a burst larger than the last ready list): do not wait. */
  wait = timeout_us != 0 && *op->cq_head == __atomic_load_n(op->cq_tail, __ATOMIC_ACQUIRE);

  memset(&arg, 0, sizeof arg);
  if (wait && timeout_us > 0) {
    int64_t us = timeout_us > MAX_URING_TIMEOUT_US ? MAX_URING_TIMEOUT_US : timeout_us;
    ts.tv_sec = us / 1000000;
    ts.tv_nsec = (us % 1000000) * 1000;
    arg.ts = (uint64_t)(uintptr_t)&ts;
  }
  /* One system call: submit the changes and re-arms, then wait for one completion (or, for a
   * zero timeout, only run the kernel's pending completion work). */
  r = sys_enter(op->ring_fd, pending, wait ? 1 : 0, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
                &arg, sizeof arg);
  if (r < 0 && errno != ETIME && errno != EINTR && errno != EBUSY && errno != EAGAIN)
    return -errno;
  return uring_reap(op, out, max_pairs);
}

static int uring_flush(void *state) {
  struct uringop *op = state;
  uring_flush_dirty(op);
  return uring_submit(op);
}

/* The fd a loop waits on: the ring's, once it defers nothing (see the top of this file); -1
 * with errno if the new ring cannot be had. */
static int uring_fd(void *state) {
  struct uringop *op = state, old;
  int r;
  if (!op->deferred) return op->ring_fd;
  old = *op;
  if (ring_open(op, IORING_SETUP_CLAMP) < 0) {
    int saved = errno;
    *op = old;
    errno = saved;
    return -1;
  }
  /* What the old ring had armed, queued or completed goes with it: arm every watched fd again
   * (a level-triggered one that is still ready reports again; an edge-triggered one reports
   * the data it has, as epoll does for an fd added with data waiting), and submit now, so the
   * new ring's fd is readable as soon as one of them is ready. */
  uring_unmap(&old);
  close(old.ring_fd);
  op->ndirty = 0;
  for (int fd = 0; fd < op->fds_cap; fd++) {
    struct fdstate *s = &op->fds[fd];
    s->armed = 0;
    s->dirty = 0;
    if (s->want) mark_dirty(op, fd);
  }
  r = uring_flush(op);
  if (r < 0) {
    errno = -r;
    return -1;
  }
  return op->ring_fd;
}

static void uring_dealloc(void *state) {
  struct uringop *op = state;
  uring_unmap(op);
  close(op->ring_fd);
  free(op->fds);
  free(op->dirty);
  free(op);
}

const struct eventop uringops = {
    "io_uring",
    EV_FEATURE_ET | EV_FEATURE_O1 | EV_FEATURE_EARLY_CLOSE,
    0,
    uring_init,
    uring_add,
    uring_del,
    uring_dispatch,
    uring_fd,
    uring_dealloc,
    NULL,
    uring_flush,
    NULL,
    NULL,
};

#else /* !HAVE_IO_URING: kernel headers too old to build it; listed, never usable */

static void *uring_init(int flags) {
  (void)flags;
  errno = ENOSYS;
  return NULL;
}

const struct eventop uringops = {"io_uring", EV_FEATURE_ET | EV_FEATURE_O1 | EV_FEATURE_EARLY_CLOSE,
                                 0, uring_init, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};

#endif /* HAVE_IO_URING */
