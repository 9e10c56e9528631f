/*
 * A backend instance inside Node's libuv loop: the native half of event_base_loop_async
 * (src/event/loop_async.ts has the other half and the semantics).
 *
 * Design. libuv waits for the base; the base never blocks. Two handles per backend:
 * - a uv_poll_t, readable-only, on one descriptor that is readable exactly when the backend has
 *   something to report. epoll (and kqueue) have one: their own fd. Polling an epoll fd consumes
 *   nothing (the readiness stays in the epoll set until the backend's own epoll_wait takes it),
 *   so edge-triggered registrations keep their meaning. poll and select have no such fd: on Linux
 *   their interest set is mirrored, change by change, into a private epoll instance that only
 *   ever serves as that wake-up descriptor (level-triggered, never waited on); the backend's own
 *   poll()/select() still decides what is ready, so the results are the blocking loop's. One
 *   private epoll instead of one uv_poll_t per fd: libuv aborts when two of its handles meet on one
 *   fd number (a descriptor closed and reused by node:net), while a private set forgets a closed
 *   descriptor by itself. Descriptors epoll refuses (regular files, which poll reports ready
 *   at once) make every wait a zero one, as they make poll() return at once.
 * - a uv_timer_t for the base's next timeout, and a uv_idle_t for a zero one: the next pass then
 *   runs in the next loop iteration (libuv does not block in its poll while an idle handle is
 *   active), never after a 1 ms timer. Not a zero timer: libuv 1.46 (Node 20) runs a timer
 *   restarted from its own callback again in the same iteration, so a base that always has work
 *   would starve Node's own timers.
 * A helper thread blocking in the backend's wait was the alternative: it costs a thread, a wake-up
 * hop and locking per pass, where this costs one extra non-blocking wait.
 *
 * Each wake-up runs one pass of the loop in JavaScript through napi_make_callback, so that the
 * promise continuations and nextTicks that libevent callbacks started run before the loop waits
 * again. The pass returns the next timeout (microseconds; -1: none; -2: the loop has ended and
 * has already stopped the handles). While a loop runs, its handles are active (and so keep the
 * process alive); once it ends they are stopped, and nothing here keeps the process alive.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#ifdef __linux__
#include <sys/epoll.h>
#endif

#include "addon.h"
#include "args.h"
#include "uvloop.h"

/* What a pass returns when the loop has ended (loop_async.ts's PASS_STOP). */
#define PASS_STOP (-2)

/* mstate[fd] of the mirror. */
#define MIRROR_NONE 0
#define MIRROR_WATCHED 1
#define MIRROR_REFUSED 2

struct uvloop {
  napi_env env;
  uv_loop_t *uv;
  uv_poll_t poll;
  uv_timer_t timer;
  uv_idle_t idle;
  /* Handles initialised and not yet through their close callback: the memory goes at 0. */
  int nhandles;
  /* The pass function while a loop runs, else NULL. */
  napi_ref pass;
  napi_async_context actx;
  bool running;
  /* Inside the pass's napi_make_callback (its microtask checkpoint included). */
  bool in_pass;
  /* A wake-up was asked for during the pass: the next wait is a zero one. */
  bool wake;
  bool released;
  /* The private epoll mirroring a poll/select interest set, or -1. */
  int mirror_fd;
  /* EV_READ|EV_WRITE|EV_CLOSED: what the backend watches of a mask (select: no EV_CLOSED). */
  int mirror_bits;
  uint8_t *mstate;
  int mstate_cap;
  /* Watched descriptors the mirror refused: while any, every wait is a zero one. */
  int nrefused;
};

static void handle_closed(uv_handle_t *h) {
  struct uvloop *l = uv_handle_get_data(h);
  if (--l->nhandles == 0) {
    free(l->mstate);
    free(l);
  }
}

/* ---- the mirror (poll, select) ---- */

#ifdef __linux__
static void mirror_set(struct uvloop *l, int fd, int mask) {
  struct epoll_event ev;
  int st, ctl;
  if (fd < 0) return;
  if (fd >= l->mstate_cap) {
    int n = l->mstate_cap ? l->mstate_cap : 64;
    uint8_t *grown;
    while (n <= fd) n *= 2;
    grown = realloc(l->mstate, (size_t)n);
    if (grown == NULL) {
      /* Without room to remember the fd, wait zero from now on rather than miss it. */
      l->nrefused++;
      return;
    }
    memset(grown + l->mstate_cap, 0, (size_t)(n - l->mstate_cap));
    l->mstate = grown;
    l->mstate_cap = n;
  }
  mask &= l->mirror_bits;
  st = l->mstate[fd];
  if (mask == 0) {
    if (st == MIRROR_WATCHED) epoll_ctl(l->mirror_fd, EPOLL_CTL_DEL, fd, NULL);
    else if (st == MIRROR_REFUSED) l->nrefused--;
    l->mstate[fd] = MIRROR_NONE;
    return;
  }
  if (st == MIRROR_REFUSED) return;
  memset(&ev, 0, sizeof ev);
  ev.data.fd = fd;
  ev.events = ((mask & EV_READ) ? EPOLLIN : 0) | ((mask & EV_WRITE) ? EPOLLOUT : 0) |
              ((mask & EV_CLOSED) ? EPOLLRDHUP : 0);
  ctl = st == MIRROR_WATCHED ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (epoll_ctl(l->mirror_fd, ctl, fd, &ev) == 0 ||
      (errno == ENOENT && epoll_ctl(l->mirror_fd, EPOLL_CTL_ADD, fd, &ev) == 0) ||
      (errno == EEXIST && epoll_ctl(l->mirror_fd, EPOLL_CTL_MOD, fd, &ev) == 0)) {
    l->mstate[fd] = MIRROR_WATCHED;
    return;
  }
  /* EPERM (a regular file), EBADF (closed: poll reports POLLNVAL at once) ...: poll and select
   * answer at once for these, so the loop must not wait either. */
  l->mstate[fd] = MIRROR_REFUSED;
  l->nrefused++;
}

static void mirror_each(void *ctx, int fd, int mask) {
  mirror_set(ctx, fd, mask);
}
#endif

void uvloop_change(struct uvloop *l, int fd, int old, int events, bool adding) {
#ifdef __linux__
  if (l->mirror_fd < 0 || l->released) return;
  mirror_set(l, fd, adding ? (old | events) : (old & ~events));
#else
  (void)l, (void)fd, (void)old, (void)events, (void)adding;
#endif
}

/* ---- passes ---- */

static void timer_cb(uv_timer_t *t);
static void idle_cb(uv_idle_t *t);

/* Arm the timer for a wait of `us` microseconds (-1: none; 0: the idle handle). */
static void arm(struct uvloop *l, int64_t us) {
  if (l->wake || l->nrefused) us = 0;
  l->wake = false;
  if (us == 0) {
    uv_timer_stop(&l->timer);
    uv_idle_start(&l->idle, idle_cb);
    return;
  }
  uv_idle_stop(&l->idle);
  if (us < 0) {
    uv_timer_stop(&l->timer);
  } else {
    /* libuv's clock is the one of the start of this loop iteration; the wait starts now. */
    uv_update_time(l->uv);
    uv_timer_start(&l->timer, timer_cb, (uint64_t)((us + 999) / 1000), 0);
  }
}

static void run_pass(struct uvloop *l) {
  napi_env env = l->env;
  napi_handle_scope scope;
  napi_value fn, recv, result;
  napi_status status;
  double next = PASS_STOP;

  if (!l->running || l->in_pass) return;
  l->wake = false;
  l->in_pass = true;
  if (napi_open_handle_scope(env, &scope) != napi_ok) {
    l->in_pass = false;
    return;
  }
  if (napi_get_reference_value(env, l->pass, &fn) == napi_ok && fn != NULL &&
      napi_get_global(env, &recv) == napi_ok) {
    status = napi_make_callback(env, l->actx, recv, fn, 0, NULL, &result);
    if (status == napi_ok) {
      if (napi_get_value_double(env, result, &next) != napi_ok) next = PASS_STOP;
    } else {
      /* The pass catches what callbacks throw; anything else is Node's uncaught exception. */
      napi_value exc;
      if (napi_get_and_clear_last_exception(env, &exc) == napi_ok) napi_fatal_exception(env, exc);
    }
  }
  napi_close_handle_scope(env, scope);
  l->in_pass = false;
  /* A loop that ended stopped itself (and may have been started again, armed by its start), or
   * was released from a continuation: nothing to arm. */
  if (next == PASS_STOP || l->released || !l->running) return;
  arm(l, next < 0 ? -1 : (int64_t)next);
}

static void timer_cb(uv_timer_t *t) {
  run_pass(uv_handle_get_data((uv_handle_t *)t));
}

static void idle_cb(uv_idle_t *t) {
  uv_idle_stop(t);
  run_pass(uv_handle_get_data((uv_handle_t *)t));
}

static void poll_cb(uv_poll_t *p, int status, int events) {
  (void)status, (void)events;
  /* An error (EBADF ...) also runs a pass: the backend's own wait then reports it. */
  run_pass(uv_handle_get_data((uv_handle_t *)p));
}

static void loop_stop(struct uvloop *l) {
  if (!l->running) return;
  l->running = false;
  l->wake = false;
  uv_poll_stop(&l->poll);
  uv_timer_stop(&l->timer);
  uv_idle_stop(&l->idle);
  if (l->pass) {
    napi_delete_reference(l->env, l->pass);
    l->pass = NULL;
  }
}

void uvloop_release(struct uvloop *l) {
  if (l == NULL || l->released) return;
  loop_stop(l);
  l->released = true;
  if (l->actx) napi_async_destroy(l->env, l->actx);
  l->actx = NULL;
  /* uv_close stops the poll handle at once (libuv drops the fd from its set), so the backend may
   * close its descriptors right after; the memory goes in the close callbacks. */
  uv_close((uv_handle_t *)&l->poll, handle_closed);
  uv_close((uv_handle_t *)&l->timer, handle_closed);
  uv_close((uv_handle_t *)&l->idle, handle_closed);
#ifdef __linux__
  if (l->mirror_fd >= 0) close(l->mirror_fd);
  l->mirror_fd = -1;
#endif
}

/* A new loop for backend (op, state): 0, or -errno. */
static int loop_new(napi_env env, const struct eventop *op, void *state, struct uvloop **out) {
  struct uvloop *l = calloc(1, sizeof *l);
  napi_value resource, name;
  int fd = op->fd(state), r;
  if (l == NULL) return -ENOMEM;
  l->env = env;
  l->mirror_fd = -1;
  if (napi_get_uv_event_loop(env, &l->uv) != napi_ok) {
    free(l);
    return -EINVAL;
  }
  if (fd < 0) {
#ifdef __linux__
    if (op->each == NULL) {
      free(l);
      return -ENOSYS;
    }
    l->mirror_fd = epoll_create1(EPOLL_CLOEXEC);
    if (l->mirror_fd < 0) {
      r = -errno;
      free(l);
      return r;
    }
    l->mirror_bits = EV_READ | EV_WRITE | ((op->features & EV_FEATURE_EARLY_CLOSE) ? EV_CLOSED : 0);
    op->each(state, mirror_each, l);
    fd = l->mirror_fd;
#else
    free(l);
    return -ENOSYS;
#endif
  }
  if ((r = uv_poll_init(l->uv, &l->poll, fd)) < 0) {
    if (l->mirror_fd >= 0) close(l->mirror_fd);
    free(l->mstate);
    free(l);
    return r;
  }
  uv_handle_set_data((uv_handle_t *)&l->poll, l);
  uv_timer_init(l->uv, &l->timer);
  uv_handle_set_data((uv_handle_t *)&l->timer, l);
  uv_idle_init(l->uv, &l->idle);
  uv_handle_set_data((uv_handle_t *)&l->idle, l);
  l->nhandles = 3;
  if (napi_create_object(env, &resource) != napi_ok ||
      napi_create_string_utf8(env, "libevent-ts:event_base_loop_async", NAPI_AUTO_LENGTH, &name) !=
          napi_ok ||
      napi_async_init(env, resource, name, &l->actx) != napi_ok) {
    uvloop_release(l);
    return -ENOMEM;
  }
  *out = l;
  return 0;
}

/* ---- exports ---- */

/* loopStart(h, pass): run backend h's loop in libuv, calling pass() for each pass; the first
 * pass runs in the next loop iteration. 0 or -errno. */
static napi_value js_loop_start(napi_env env, napi_callback_info info) {
  ARGS(2);
  const struct eventop *op;
  void *state;
  struct uvloop **slot, *l;
  napi_valuetype t;
  napi_ref ref;
  int r;
  if (!backend_arg(env, "loopStart", data, argv[0], &op, &state, &slot)) return NULL;
  if (napi_typeof(env, argv[1], &t) != napi_ok) return NULL;
  if (t != napi_function) {
    throw_type(env, "loopStart: pass is not a function");
    return NULL;
  }
  if (*slot == NULL && (r = loop_new(env, op, state, slot)) < 0) return ret_int(env, r);
  l = *slot;
  if (l->running) {
    throw_error(env, "loopStart: the loop of backend handle is already running");
    return NULL;
  }
  if (napi_create_reference(env, argv[1], 1, &ref) != napi_ok) return NULL;
  if ((r = uv_poll_start(&l->poll, UV_READABLE, poll_cb)) < 0) {
    napi_delete_reference(env, ref);
    return ret_int(env, r);
  }
  l->pass = ref;
  l->running = true;
  l->wake = false;
  uv_idle_start(&l->idle, idle_cb);
  return ret_int(env, 0);
}

/* loopWake(h): a pass soon (in the next loop iteration), whatever the timer said. */
static napi_value js_loop_wake(napi_env env, napi_callback_info info) {
  ARGS(1);
  const struct eventop *op;
  void *state;
  struct uvloop **slot, *l;
  if (!backend_arg(env, "loopWake", data, argv[0], &op, &state, &slot)) return NULL;
  l = *slot;
  if (l == NULL || !l->running) return NULL;
  if (l->in_pass)
    l->wake = true;
  else
    uv_idle_start(&l->idle, idle_cb);
  return NULL;
}

/* loopStop(h): stop the handles; nothing of the loop keeps the process alive afterwards. */
static napi_value js_loop_stop(napi_env env, napi_callback_info info) {
  ARGS(1);
  const struct eventop *op;
  void *state;
  struct uvloop **slot;
  if (!backend_arg(env, "loopStop", data, argv[0], &op, &state, &slot)) return NULL;
  if (*slot) loop_stop(*slot);
  return NULL;
}

napi_status uvloop_exports(napi_env env, napi_value exports, struct addon_state *st) {
  napi_property_descriptor props[] = {
      EXPORT_FN("loopStart", js_loop_start, st),
      EXPORT_FN("loopWake", js_loop_wake, st),
      EXPORT_FN("loopStop", js_loop_stop, st),
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
