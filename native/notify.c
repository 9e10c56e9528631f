/*
 * Notify queues: memcached's hand-off between threads (a mutex-guarded queue plus an eventfd or
 * pipe that the receiving thread's base watches with an ordinary read event), as process-wide
 * objects that any thread loading the addon can name by a small integer id.
 *
 * A queue belongs to the instance (thread) that made it: only that thread reads it, learns its fd
 * or frees it, and its environment's end frees it. Any thread may send. Messages are int32s, kept
 * in FIFO order per queue; a batch sent in one call stays contiguous. The wake fd is written only
 * when the queue goes from "nothing signalled" to "something to read", so a burst of sends costs
 * one wake-up; the receiver empties the fd before taking the messages, so no send is ever left
 * without a wake-up.
 *
 * Ids: slot index in the low 12 bits, the slot's generation above, so that the id of a freed queue
 * never names the next queue in the same slot. Slots are allocated once and never freed (a sender
 * holding a stale id may still lock one); the table is fixed-size, published with atomics.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/eventfd.h>
#endif

#include "addon.h"
#include "args.h"

#define NQ_BITS 12
#define NQ_MAX (1 << NQ_BITS)
/* Generations stay below 2^19, so that ids are positive int32s. */
#define NQ_GEN_MAX (1 << (31 - NQ_BITS))
/* A queue holds at most this many undelivered messages (256 MiB of int32s). */
#define NQ_MAX_ITEMS (1 << 26)

/* libevent-ts's EVTHREAD_NOTIFY_FDS: messages are fds, closed if freed undelivered. */
#define NQ_FDS 0x01

struct nq {
  pthread_mutex_t lock;
  /* Under lock: */
  bool live;
  uint32_t gen;
  const struct addon_state *owner;
  int flags;
  /* Read and write ends of the wake fd; equal for an eventfd. */
  int rfd, wfd;
  /* Has the wake fd been written since the receiver last emptied it? */
  bool signalled;
  /* A ring of cap items, len of them from head. */
  int32_t *items;
  size_t head, len, cap;
};

static _Atomic(struct nq *) table[NQ_MAX];
/* Guards slot allocation (not the slots' contents). */
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

/* The live queue named by id, locked; or NULL. */
static struct nq *nq_lock(int id) {
  struct nq *q;
  if (id < 0) return NULL;
  q = atomic_load(&table[id & (NQ_MAX - 1)]);
  if (q == NULL) return NULL;
  pthread_mutex_lock(&q->lock);
  if (!q->live || q->gen != (uint32_t)id >> NQ_BITS) {
    pthread_mutex_unlock(&q->lock);
    return NULL;
  }
  return q;
}

/* A new wake fd pair, nonblocking and close-on-exec: an eventfd where there is one. */
static int wake_open(int fds[2]) {
#if defined(__linux__)
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return -errno;
  fds[0] = fds[1] = fd;
  return 0;
#else
  if (pipe(fds) < 0) return -errno;
  for (int i = 0; i < 2; i++)
    if (fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK) < 0 ||
        fcntl(fds[i], F_SETFD, FD_CLOEXEC) < 0) {
      int e = errno;
      close(fds[0]);
      close(fds[1]);
      return -e;
    }
  return 0;
#endif
}

static void wake_write(struct nq *q) {
#if defined(__linux__)
  uint64_t one = 1;
  ssize_t r = write(q->wfd, &one, sizeof one);
#else
  unsigned char b = 0;
  ssize_t r = write(q->wfd, &b, 1);
#endif
  /* EAGAIN: the fd is full, so a wake-up is already pending. */
  (void)r;
}

static void wake_drain(struct nq *q) {
  uint64_t buf[8];
  while (read(q->rfd, buf, sizeof buf) > 0) continue;
}

/* Free a locked live queue: close its fds (and undelivered fds), forget its items. */
static void nq_release(struct nq *q) {
  if (q->flags & NQ_FDS)
    for (size_t i = 0; i < q->len; i++) close(q->items[(q->head + i) % q->cap]);
  close(q->rfd);
  if (q->wfd != q->rfd) close(q->wfd);
  free(q->items);
  q->items = NULL;
  q->head = q->len = q->cap = 0;
  q->live = false;
  q->owner = NULL;
  q->gen = q->gen + 1 < NQ_GEN_MAX ? q->gen + 1 : 1;
}

static napi_value js_notify_new(napi_env env, napi_callback_info info) {
  ARGS(1);
  struct nq *q = NULL;
  int flags, fds[2] = {-1, -1}, r, i;
  if (!arg_int(env, "notifyNew", argv[0], "flags", 0, INT_MAX, &flags)) return NULL;
  if (flags & ~NQ_FDS) {
    throw_range(env, "notifyNew: flags (0x%x) has bits other than EVTHREAD_NOTIFY_FDS", flags);
    return NULL;
  }
  if ((r = wake_open(fds)) < 0) return ret_int(env, r);
  pthread_mutex_lock(&table_lock);
  for (i = 0; i < NQ_MAX; i++) {
    q = atomic_load(&table[i]);
    if (q == NULL) {
      q = calloc(1, sizeof *q);
      if (q == NULL) break;
      pthread_mutex_init(&q->lock, NULL);
      q->gen = 1;
      atomic_store(&table[i], q);
    }
    pthread_mutex_lock(&q->lock);
    if (!q->live) break;
    pthread_mutex_unlock(&q->lock);
    q = NULL;
  }
  pthread_mutex_unlock(&table_lock);
  if (q == NULL) {
    close(fds[0]);
    if (fds[1] != fds[0]) close(fds[1]);
    return ret_int(env, i == NQ_MAX ? -EMFILE : -ENOMEM);
  }
  q->live = true;
  q->owner = data;
  q->flags = flags;
  q->rfd = fds[0];
  q->wfd = fds[1];
  q->signalled = false;
  r = (int)(q->gen << NQ_BITS) | i;
  pthread_mutex_unlock(&q->lock);
  return ret_int(env, r);
}

/* The id argument v, a live queue of this instance, locked; NULL with *err set (RangeError for
 * a non-integer id, -EPERM for another thread's queue, -EBADF for no live queue). */
static struct nq *arg_own_queue(napi_env env, const char *fn, napi_value v, void *st, int *err) {
  struct nq *q;
  int id;
  *err = 0;
  if (!arg_int(env, fn, v, "id", 0, INT_MAX, &id)) return NULL;
  if ((q = nq_lock(id)) == NULL) {
    *err = -EBADF;
    return NULL;
  }
  if (q->owner != st) {
    pthread_mutex_unlock(&q->lock);
    *err = -EPERM;
    return NULL;
  }
  return q;
}

static napi_value js_notify_fd(napi_env env, napi_callback_info info) {
  ARGS(1);
  int err, fd;
  struct nq *q = arg_own_queue(env, "notifyFd", argv[0], data, &err);
  if (q == NULL) return err ? ret_int(env, err) : NULL;
  fd = q->rfd;
  pthread_mutex_unlock(&q->lock);
  return ret_int(env, fd);
}

/* Append n items to a locked queue; 0 or -errno. */
static int nq_push(struct nq *q, const int32_t *v, size_t n) {
  if (q->len + n > q->cap) {
    size_t cap = q->cap ? q->cap : 64;
    int32_t *grown;
    if (q->len + n > NQ_MAX_ITEMS) return -ENOBUFS;
    while (cap < q->len + n) cap *= 2;
    grown = malloc(cap * sizeof *grown);
    if (grown == NULL) return -ENOMEM;
    for (size_t i = 0; i < q->len; i++) grown[i] = q->items[(q->head + i) % q->cap];
    free(q->items);
    q->items = grown;
    q->head = 0;
    q->cap = cap;
  }
  for (size_t i = 0; i < n; i++) q->items[(q->head + q->len + i) % q->cap] = v[i];
  q->len += n;
  if (!q->signalled) {
    q->signalled = true;
    /* Under the lock, so that a free (which closes the fd) never races the write. */
    wake_write(q);
  }
  return 0;
}

static napi_value js_notify_send(napi_env env, napi_callback_info info) {
  ARGS(2);
  struct nq *q;
  int id, r;
  int32_t v;
  if (!arg_int(env, "notifySend", argv[0], "id", 0, INT_MAX, &id) ||
      !arg_int(env, "notifySend", argv[1], "msg", INT32_MIN, INT32_MAX, &v))
    return NULL;
  if ((q = nq_lock(id)) == NULL) return ret_int(env, -EPIPE);
  r = nq_push(q, &v, 1);
  pthread_mutex_unlock(&q->lock);
  return ret_int(env, r);
}

static napi_value js_notify_sendv(napi_env env, napi_callback_info info) {
  ARGS(3);
  struct nq *q;
  int32_t *p;
  size_t len;
  int id, n, r;
  if (!arg_int(env, "notifySendv", argv[0], "id", 0, INT_MAX, &id) ||
      !arg_int32s(env, "notifySendv", argv[1], "msgs", 0, &p, &len) ||
      !arg_int(env, "notifySendv", argv[2], "n", 0, INT_MAX, &n))
    return NULL;
  if ((size_t)n > len) {
    throw_range(env, "notifySendv: n (%d) is more than msgs holds (%zu)", n, len);
    return NULL;
  }
  if ((q = nq_lock(id)) == NULL) return ret_int(env, -EPIPE);
  r = n ? nq_push(q, p, (size_t)n) : 0;
  pthread_mutex_unlock(&q->lock);
  return ret_int(env, r);
}

static napi_value js_notify_recv(napi_env env, napi_callback_info info) {
  ARGS(2);
  int32_t *out;
  size_t cap, n;
  int err;
  struct nq *q;
  if (!arg_int32s(env, "notifyRecv", argv[1], "out", 1, &out, &cap)) return NULL;
  q = arg_own_queue(env, "notifyRecv", argv[0], data, &err);
  if (q == NULL) return err ? ret_int(env, err) : NULL;
  /* Empty the fd first: a send after this sees signalled cleared below and writes it again. */
  wake_drain(q);
  q->signalled = false;
  n = q->len < cap ? q->len : cap;
  for (size_t i = 0; i < n; i++) out[i] = q->items[(q->head + i) % q->cap];
  q->head = q->len == n ? 0 : (q->head + n) % q->cap;
  q->len -= n;
  /* What does not fit waits for the next wake-up, which is due at once. */
  if (q->len) {
    q->signalled = true;
    wake_write(q);
  }
  pthread_mutex_unlock(&q->lock);
  return ret_int(env, (int64_t)n);
}

static napi_value js_notify_pending(napi_env env, napi_callback_info info) {
  ARGS(1);
  struct nq *q;
  int id;
  size_t n;
  if (!arg_int(env, "notifyPending", argv[0], "id", 0, INT_MAX, &id)) return NULL;
  if ((q = nq_lock(id)) == NULL) return ret_int(env, -EBADF);
  n = q->len;
  pthread_mutex_unlock(&q->lock);
  return ret_int(env, (int64_t)n);
}

static napi_value js_notify_free(napi_env env, napi_callback_info info) {
  ARGS(1);
  int err;
  struct nq *q = arg_own_queue(env, "notifyFree", argv[0], data, &err);
  if (q == NULL) return err ? ret_int(env, err) : NULL;
  nq_release(q);
  pthread_mutex_unlock(&q->lock);
  return ret_int(env, 0);
}

void notify_cleanup(struct addon_state *st) {
  for (int i = 0; i < NQ_MAX; i++) {
    struct nq *q = atomic_load(&table[i]);
    if (q == NULL) continue;
    pthread_mutex_lock(&q->lock);
    if (q->live && q->owner == st) nq_release(q);
    pthread_mutex_unlock(&q->lock);
  }
}

napi_status notify_exports(napi_env env, napi_value exports, struct addon_state *st) {
  napi_property_descriptor props[] = {
      EXPORT_FN("notifyNew", js_notify_new, st),
      EXPORT_FN("notifyFd", js_notify_fd, st),
      EXPORT_FN("notifySend", js_notify_send, st),
      EXPORT_FN("notifySendv", js_notify_sendv, st),
      EXPORT_FN("notifyRecv", js_notify_recv, st),
      EXPORT_FN("notifyPending", js_notify_pending, st),
      EXPORT_FN("notifyFree", js_notify_free, st),
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
