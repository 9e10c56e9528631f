/*
 * The backend table (libevent's eventops[], in its preference order) and the exports that drive
 * backend instances through small integer handles. The ready list that dispatch fills is
 * registered once, so that a dispatch passes only integers; so is each backend's change list, the
 * adds and dels held back for the next dispatch to make in the same call (src/event/changelist.ts).
 * Registered lists are JavaScript memory: each call fetches and checks their buffer anew (list_get).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "addon.h"
#include "args.h"
#include "eventop.h"
#include "uvloop.h"

#ifdef CLOCK_MONOTONIC_COARSE
#define MONOTONIC_COARSE_OR_PRECISE CLOCK_MONOTONIC_COARSE
#else
#define MONOTONIC_COARSE_OR_PRECISE CLOCK_MONOTONIC
#endif

static const struct eventop *const eventops[] = {
#ifdef HAVE_KQUEUE
    &kqops,
#endif
#ifdef __linux__
    &epollops,
    /* Listed after epoll and so never libevent's default: chosen when epoll is avoided, or
     * first with EVENT_USE_IO_URING (event_base_new_with_config). */
    &uringops,
#endif
    &pollops,
    &selectops,
};
#define NEVENTOPS ((int)(sizeof eventops / sizeof eventops[0]))

struct backend_slot {
  const struct eventop *op;
  void *state;
  /* The backend's change list (setChangeList), (fd, old, events, kind) changes. */
  struct int32_list changes;
  /* uvloop.c: the embedding in Node's loop, made by the first async loop; NULL before. */
  struct uvloop *loop;
  /* The thread's stop watch (instance.c) in this backend's set: 1 added, 0 not, -1 refused. */
  int stopwatch;
};

int eventop_grow(void **p, int *cap, int need, size_t size) {
  int n = *cap < 32 ? 32 : *cap;
  void *q;
  while (n < need) {
    if (n > INT_MAX / 2) return -ENOMEM;
    n *= 2;
  }
  q = realloc(*p, (size_t)n * size);
  if (q == NULL) return -ENOMEM;
  memset((char *)q + (size_t)*cap * size, 0, (size_t)(n - *cap) * size);
  *p = q;
  *cap = n;
  return 0;
}

int eventop_fd_beyond_limit(int fd) {
  struct rlimit rl;
  return getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (rlim_t)fd >= rl.rlim_cur;
}

int eventop_random_start(int n) {
  /* A weak generator is enough for fairness (libevent uses its weakrand LCG); per thread, because
   * every Node.js worker may load the addon. */
  static _Thread_local uint32_t seed;
  if (seed == 0) seed = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16) ^ 0x9e3779b9u;
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return (int)(seed % (uint32_t)n);
}

static const struct eventop *find_op(const char *name) {
  for (int i = 0; i < NEVENTOPS; i++)
    if (strcmp(eventops[i]->name, name) == 0) return eventops[i];
  return NULL;
}

/* Backend h's slot; NULL with a RangeError pending when h is no live handle. */
static struct backend_slot *slot_of(napi_env env, const char *fn, struct addon_state *st, double h) {
  if (!whole_in(h, 0, st->nbackends - 1) || st->backends[(int)h].op == NULL) {
    throw_range(env, "%s: %g is not a live backend handle", fn, h);
    return NULL;
  }
  return &st->backends[(int)h];
}

/* The slot of handle argument v, or NULL after throwing a TypeError or RangeError. */
static struct backend_slot *arg_handle(napi_env env, const char *fn, struct addon_state *st,
                                       napi_value v) {
  int h;
  if (!arg_int(env, fn, v, "h", 0, INT_MAX, &h)) return NULL;
  return slot_of(env, fn, st, h);
}

bool backend_arg(napi_env env, const char *fn, struct addon_state *st, napi_value v,
                 const struct eventop **op, void **state, struct uvloop ***loop) {
  struct backend_slot *b = arg_handle(env, fn, st, v);
  if (b == NULL) return false;
  /* libuv is to poll this backend's fd: the stop watch, which holds libuv's fd, must leave it. */
  backend_stopwatch_detach(st, (int)(b - st->backends));
  *op = b->op;
  *state = b->state;
  *loop = &b->loop;
  return true;
}

/* An event mask of EV_READ|EV_WRITE|EV_ET|EV_CLOSED. */
static bool arg_mask(napi_env env, const char *fn, napi_value v, const char *what, int *out) {
  if (!arg_int(env, fn, v, what, 0, INT_MAX, out)) return false;
  if (*out & ~EV_MASK_BITS)
    return throw_range(env, "%s: %s (0x%x) has bits other than EV_READ|EV_WRITE|EV_ET|EV_CLOSED",
                       fn, what, *out);
  return true;
}

static napi_value js_methods(napi_env env, napi_callback_info info) {
  napi_value arr, s;
  (void)info;
  if (napi_create_array_with_length(env, NEVENTOPS, &arr) != napi_ok) return NULL;
  for (int i = 0; i < NEVENTOPS; i++)
    if (napi_create_string_utf8(env, eventops[i]->name, NAPI_AUTO_LENGTH, &s) != napi_ok ||
        napi_set_element(env, arr, (uint32_t)i, s) != napi_ok)
      return NULL;
  return arr;
}

static napi_value js_method_features(napi_env env, napi_callback_info info) {
  ARGS(1);
  char buf[64], *name;
  const struct eventop *op;
  if (!arg_string(env, "methodFeatures", argv[0], "name", false, buf, sizeof buf, &name))
    return NULL;
  op = find_op(name);
  return ret_int(env, op ? op->features : -1);
}

static napi_value js_backend_new(napi_env env, napi_callback_info info) {
  ARGS(2);
  struct addon_state *st = data;
  char buf[64], *name;
  const struct eventop *op;
  void *state;
  int flags, h;
  if (!arg_string(env, "backendNew", argv[0], "name", false, buf, sizeof buf, &name) ||
      !arg_int(env, "backendNew", argv[1], "flags", 0, INT_MAX, &flags))
    return NULL;
  op = find_op(name);
  if (op == NULL) {
    throw_range(env, "backendNew: no backend named \"%s\" is compiled in", name);
    return NULL;
  }
  for (h = 0; h < st->nbackends && st->backends[h].op != NULL; h++) continue;
  if (h == st->nbackends) {
    int n = st->nbackends ? st->nbackends * 2 : 4;
    struct backend_slot *grown = realloc(st->backends, (size_t)n * sizeof *grown);
    if (grown == NULL) return ret_int(env, -ENOMEM);
    memset(grown + st->nbackends, 0, (size_t)(n - st->nbackends) * sizeof *grown);
    st->backends = grown;
    st->nbackends = n;
  }
  state = op->init(flags);
  if (state == NULL) return ret_sys(env, -1);
  st->backends[h].op = op;
  st->backends[h].state = state;
  st->backends[h].loop = NULL;
  st->backends[h].stopwatch = 0;
  return ret_int(env, h);
}

/* Backend b's add (adding) or del of `events` on fd, which watches `old`: 0, or -errno. */
static int make_change(struct backend_slot *b, int fd, int old, int events, bool adding) {
  int r = adding ? b->op->add(b->state, fd, old, events) : b->op->del(b->state, fd, old, events);
  if (b->loop && r == 0) uvloop_change(b->loop, fd, old, events, adding);
  return r;
}

static napi_value backend_change(napi_env env, napi_callback_info info, const char *fn,
                                 bool adding) {
  ARGS(4);
  struct backend_slot *b = arg_handle(env, fn, data, argv[0]);
  int fd, old, events;
  if (b == NULL || !arg_fd(env, fn, argv[1], "fd", &fd) ||
      !arg_mask(env, fn, argv[2], "old", &old) || !arg_mask(env, fn, argv[3], "events", &events))
    return NULL;
  if (adding && b->op->fd_limit > 0 && fd >= b->op->fd_limit) {
    throw_range(env, "%s: fd %d >= FD_SETSIZE (%d) for %s", fn, fd, b->op->fd_limit, b->op->name);
    return NULL;
  }
  return ret_int(env, make_change(b, fd, old, events, adding));
}

static napi_value js_backend_add(napi_env env, napi_callback_info info) {
  return backend_change(env, info, "backendAdd", true);
}

static napi_value js_backend_del(napi_env env, napi_callback_info info) {
  return backend_change(env, info, "backendDel", false);
}

static void list_release(napi_env env, struct int32_list *l) {
  if (l->ref) napi_delete_reference(env, l->ref);
  l->ref = NULL;
  l->pinned = NULL;
}

/* The memory and whole entries (of `stride` ints) of registered list l, fetched now. Throws (and
 * returns false) when none is registered, or when its buffer has been detached (transferred) or
 * shrunk below one entry since: the checks are Node-API's, never properties JavaScript could
 * shadow. The buffer's own memory and length are read (napi_get_arraybuffer_info: a fraction of
 * napi_get_typedarray_info's cost, on every dispatch); the view's place in it was taken at
 * registration and cannot change. The pointer is only valid until JavaScript runs again. A pinned
 * list's memory is the one kept at registration (its buffer cannot be detached). */
static bool list_get(napi_env env, const char *fn, const struct int32_list *l, const char *what,
                     size_t stride, int32_t **p, int *n) {
  napi_value ab;
  size_t bytes, len;
  void *mem;
  bool detached = true;
  if (l->ref == NULL)
    return throw_error(env, "%s: no %s is registered", fn, what);
  if (l->pinned != NULL) {
    *p = l->pinned;
    *n = l->length / stride > INT_MAX ? INT_MAX : (int)(l->length / stride);
    return true;
  }
  if (napi_get_reference_value(env, l->ref, &ab) != napi_ok || ab == NULL ||
      napi_is_detached_arraybuffer(env, ab, &detached) != napi_ok ||
      (!detached && napi_get_arraybuffer_info(env, ab, &mem, &bytes) != napi_ok))
    return throw_error(env, "%s: the registered %s cannot be read", fn, what);
  len = !detached && mem != NULL && bytes > l->offset ? (bytes - l->offset) / sizeof(int32_t) : 0;
  if (len > l->length) len = l->length;
  if (len < stride)
    return throw_range(env, "%s: the registered %s was detached or shrunk below one entry", fn,
                       what);
  *p = (int32_t *)((char *)mem + l->offset);
  *n = len / stride > INT_MAX ? INT_MAX : (int)(len / stride);
  return true;
}

/* The first n (>= 0) changes of b's registered change list: *changes (NULL for none). Throws (and
 * returns false) when there are more than the list holds. */
static bool changes_get(napi_env env, const char *fn, struct backend_slot *b, int n,
                        int32_t **changes) {
  int have;
  *changes = NULL;
  if (n == 0) return true;
  if (!list_get(env, fn, &b->changes, "change list (setChangeList)", 4, changes, &have))
    return false;
  if (n > have)
    return throw_range(env, "%s: nchanges (%d) is more than the change list holds (%d)", fn, n,
                       have);
  return true;
}

/* The held-back changes to make first: argument v counts them, and *changes is the registered
 * change list when the count is not 0. Throws (and returns false) when the count is not an
 * integer within the list. */
static bool arg_changes(napi_env env, const char *fn, struct backend_slot *b, napi_value v,
                        int32_t **changes, int *out) {
  return arg_int(env, fn, v, "nchanges", 0, INT_MAX, out) && changes_get(env, fn, b, *out, changes);
}

/* Make the n changes of list c on backend b, in order: each is (fd, old, events, kind), kind
 * CHANGE_DEL, CHANGE_ADD or CHANGE_SET (set the fd's interest from `old` to `events`, one
 * coalesced change of a changelist), and its last field becomes the result, 0 or -errno. A change
 * that could not have come from a valid add/del (bad fd, mask or kind, an fd beyond the backend's
 * limit, a set on a backend without one) is -EINVAL. */
static void apply_changes(struct backend_slot *b, int32_t *c, int n) {
  for (int i = 0; i < n; i++, c += 4) {
    int fd = c[0], old = c[1], events = c[2], kind = c[3];
    if (fd < 0 || (old & ~EV_MASK_BITS) || (events & ~EV_MASK_BITS) || kind < CHANGE_DEL ||
        kind > CHANGE_SET || (kind == CHANGE_SET && b->op->set == NULL) ||
        (kind != CHANGE_DEL && b->op->fd_limit > 0 && fd >= b->op->fd_limit))
      c[3] = -EINVAL;
    else if (kind == CHANGE_SET)
      c[3] = b->op->set(b->state, fd, old, events);
    else
      c[3] = make_change(b, fd, old, events, kind == CHANGE_ADD);
  }
}

static napi_value js_backend_apply(napi_env env, napi_callback_info info) {
  ARGS(2);
  struct addon_state *st = data;
  struct backend_slot *b = arg_handle(env, "backendApply", st, argv[0]);
  int32_t *changes;
  int n;
  if (b == NULL || !arg_changes(env, "backendApply", b, argv[1], &changes, &n)) return NULL;
  apply_changes(b, changes, n);
  return NULL;
}

/* A worker's blocking wait also waits on the stop watch (added once, at the first wait that may
 * block), so that Node's request to stop the worker ends the wait. A backend that refuses it (a
 * set libuv already polls: ELOOP) waits without it. */
static void stopwatch_attach(struct addon_state *st, struct backend_slot *b) {
  if (b->op->fd_limit > 0 && st->stopwatch_fd >= b->op->fd_limit)
    b->stopwatch = -1;
  else
    b->stopwatch = b->op->add(b->state, st->stopwatch_fd, 0, EV_READ) == 0 ? 1 : -1;
}

void backend_stopwatch_detach(struct addon_state *st, int h) {
  struct backend_slot *b;
  if (h < 0 || h >= st->nbackends || st->backends[h].op == NULL) return;
  b = &st->backends[h];
  if (b->stopwatch == 1) b->op->del(b->state, st->stopwatch_fd, EV_READ, EV_READ);
  b->stopwatch = 0;
}

/* The stop watch's readiness is no event: take it out of the n results (keeping their order),
 * and empty the watch until libuv's next event. */
static int stopwatch_filter(struct addon_state *st, int32_t *out, int n) {
  for (int i = 0; i < n; i++) {
    if (out[2 * i] != st->stopwatch_fd) continue;
    instance_stopwatch_drain(st);
    memmove(out + 2 * i, out + 2 * i + 2, (size_t)(n - i - 1) * 2 * sizeof *out);
    return n - 1;
  }
  return n;
}

/* backendDispatch once its arguments are read: b's changes (n of them, in the list at changes),
 * then the wait, with `clock` as backendDispatch takes it. */
static napi_value backend_dispatch(napi_env env, struct addon_state *st, struct backend_slot *b,
                                   int64_t timeout_us, int32_t *changes, int n, int clock) {
  int32_t *ready = NULL;
  int nready = 0;
  if (!list_get(env, "backendDispatch", &st->ready, "ready list (setReadyList)", 2, &ready,
                &nready))
    return NULL;
  /* The time goes into the list's last pair, which then holds no result. */
  if (clock != 0 && nready < 2) {
    throw_range(env, "backendDispatch: a ready list of %d pair(s) has no room for the time", nready);
    return NULL;
  }
  apply_changes(b, changes, n);
  if (timeout_us != 0 && b->stopwatch == 0 && st->stopwatch_fd >= 0) stopwatch_attach(st, b);
  n = b->op->dispatch(b->state, timeout_us, ready, clock != 0 ? nready - 1 : nready);
  if (n > 0 && b->stopwatch == 1) n = stopwatch_filter(st, ready, n);
  if (clock != 0 && n >= 0) {
    /* The loop caches the time after every wait (libevent's gettime after dispatch): read here,
     * it costs the loop no call of its own. */
    struct timespec ts;
    int64_t us = 0;
    if (clock_gettime(clock == 2 ? CLOCK_MONOTONIC : MONOTONIC_COARSE_OR_PRECISE, &ts) == 0)
      us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    ready[2 * nready - 2] = (int32_t)(uint32_t)((uint64_t)us & 0xffffffffu);
    ready[2 * nready - 1] = (int32_t)(us >> 32);
  }
  return ret_int(env, n);
}

static napi_value js_backend_dispatch(napi_env env, napi_callback_info info) {
  ARGS(4);
  struct addon_state *st = data;
  struct backend_slot *b = arg_handle(env, "backendDispatch", st, argv[0]);
  int64_t timeout_us;
  int32_t *changes;
  int n, clock = 0;
  /* `clock`, when given: 0 reads no clock, 1 CLOCK_MONOTONIC_COARSE, 2 CLOCK_MONOTONIC
   * (monotonicUs's two clocks). */
  if (b == NULL ||
      !arg_i64(env, "backendDispatch", argv[1], "timeoutUs", -1, INT64_MAX, &timeout_us) ||
      !arg_changes(env, "backendDispatch", b, argv[2], &changes, &n) ||
      (argc >= 4 && !arg_int(env, "backendDispatch", argv[3], "clock", 0, 2, &clock)))
    return NULL;
  return backend_dispatch(env, st, b, timeout_us, changes, n, clock);
}

/* backendDispatchArgs(): backendDispatch with its arguments in memArgs (mem.c): [0] the handle,
 * [1] timeoutUs, [2] nchanges, [3] clock; checked as backendDispatch checks them. */
static napi_value js_backend_dispatch_args(napi_env env, napi_callback_info info) {
  const char *fn = "backendDispatchArgs";
  struct addon_state *st = mem_args_state(env, info, fn, NULL, NULL);
  if (st == NULL) return NULL;
  const double *a = st->mem_args;
  double t = a[1], nc = a[2], clock = a[3];
  struct backend_slot *b = slot_of(env, fn, st, a[0]);
  if (b == NULL) return NULL;
  if (!whole_in(t, -1, 9007199254740991.0) || !whole_in(nc, 0, INT_MAX) || !whole_in(clock, 0, 2)) {
    throw_range(env, "%s: timeoutUs %g, nchanges %g or clock %g is out of range", fn, t, nc, clock);
    return NULL;
  }
  int32_t *changes;
  if (!changes_get(env, fn, b, (int)nc, &changes)) return NULL;
  return backend_dispatch(env, st, b, (int64_t)t, changes, (int)nc, (int)clock);
}

static napi_value js_backend_fd(napi_env env, napi_callback_info info) {
  ARGS(1);
  struct backend_slot *b = arg_handle(env, "backendFd", data, argv[0]);
  if (b == NULL) return NULL;
  /* The caller may have libuv poll this fd: the stop watch holds libuv's own fd, a cycle. */
  backend_stopwatch_detach(data, (int)(b - ((struct addon_state *)data)->backends));
  return ret_int(env, b->op->fd(b->state));
}

static napi_value js_backend_free(napi_env env, napi_callback_info info) {
  ARGS(1);
  struct backend_slot *b = arg_handle(env, "backendFree", data, argv[0]);
  if (b == NULL) return NULL;
  /* libuv must forget the backend's fd before dealloc closes it. */
  uvloop_release(b->loop);
  b->loop = NULL;
  b->op->dealloc(b->state);
  list_release(env, &b->changes);
  memset(b, 0, sizeof *b);
  return NULL;
}

/* Register argument v of export fn as list l, of `stride` ints an entry: an Int32Array of at
 * least one entry, its buffer referenced (and the list it replaces released) once it passes the
 * checks. Only the reference and the view's place in the buffer are kept (see list_get). */
static void list_register(napi_env env, const char *fn, napi_value v, size_t stride, bool pinned,
                          struct int32_list *l) {
  napi_typedarray_type type;
  napi_value ab;
  size_t len, offset;
  int32_t *p;
  void *mem;
  napi_ref ref;
  if (!arg_int32s(env, fn, v, "list", stride, &p, &len) ||
      napi_get_typedarray_info(env, v, &type, &len, &mem, &ab, &offset) != napi_ok ||
      napi_create_reference(env, ab, 1, &ref) != napi_ok)
    return;
  if (l->ref) napi_delete_reference(env, l->ref);
  l->ref = ref;
  l->offset = offset;
  l->length = len;
  l->pinned = pinned ? p : NULL;
}

/* Argument v, if given: whether a list is pinned (see struct int32_list). */
static bool arg_pinned(napi_env env, const char *fn, size_t argc, size_t k, napi_value *argv,
                       bool *pinned) {
  *pinned = false;
  if (argc <= k) return true;
  napi_valuetype t;
  if (napi_typeof(env, argv[k], &t) != napi_ok) return false;
  if (t == napi_undefined) return true;
  if (t != napi_boolean || napi_get_value_bool(env, argv[k], pinned) != napi_ok)
    return throw_type(env, "%s: pinned must be a boolean", fn);
  return true;
}

static napi_value js_set_ready_list(napi_env env, napi_callback_info info) {
  ARGS(2);
  struct addon_state *st = data;
  bool pinned;
  if (!arg_pinned(env, "setReadyList", argc, 1, argv, &pinned)) return NULL;
  list_register(env, "setReadyList", argv[0], 2, pinned, &st->ready);
  return NULL;
}

static napi_value js_set_change_list(napi_env env, napi_callback_info info) {
  ARGS(3);
  struct backend_slot *b = arg_handle(env, "setChangeList", data, argv[0]);
  bool pinned;
  if (b == NULL || !arg_pinned(env, "setChangeList", argc, 2, argv, &pinned)) return NULL;
  list_register(env, "setChangeList", argv[1], 4, pinned, &b->changes);
  return NULL;
}

void backend_cleanup(napi_env env, struct addon_state *st) {
  for (int h = 0; h < st->nbackends; h++) {
    if (st->backends[h].op) {
      uvloop_release(st->backends[h].loop);
      st->backends[h].op->dealloc(st->backends[h].state);
    }
    list_release(env, &st->backends[h].changes);
  }
  free(st->backends);
  list_release(env, &st->ready);
}

napi_status backend_exports(napi_env env, napi_value exports, struct addon_state *st) {
  napi_property_descriptor props[] = {
      EXPORT_FN("methods", js_methods, st),
      EXPORT_FN("methodFeatures", js_method_features, st),
      EXPORT_FN("backendNew", js_backend_new, st),
      EXPORT_FN("backendAdd", js_backend_add, st),
      EXPORT_FN("backendDel", js_backend_del, st),
      EXPORT_FN("backendApply", js_backend_apply, st),
      EXPORT_FN("backendDispatch", js_backend_dispatch, st),
      EXPORT_FN("backendDispatchArgs", js_backend_dispatch_args, st),
      EXPORT_FN("backendFd", js_backend_fd, st),
      EXPORT_FN("backendFree", js_backend_free, st),
      EXPORT_FN("setReadyList", js_set_ready_list, st),
      EXPORT_FN("setChangeList", js_set_change_list, st),
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
