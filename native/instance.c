/*
 * What belongs to one thread's instance of the addon beyond its backends and lookups:
 *
 * - Owned fds: descriptors the library made for its own use in this thread (a base's signal pipe,
 *   a resolver's wake pipe) and never hands to the program. They are closed when the thread's
 *   environment ends, so that a worker that ends (or is terminated) without freeing its bases
 *   leaves no descriptor behind.
 *
 * - The stop watch, in worker threads only: a descriptor that becomes readable when Node asks the
 *   worker to stop. Node stops a worker (worker.terminate(), process.exit() in the main thread) by
 *   terminating its JavaScript and sending a uv_async to the worker's libuv loop, which a thread
 *   blocked in our dispatch would never see. The stop watch is a private epoll (kqueue) set holding
 *   the worker loop's backend fd edge-triggered (EV_CLEAR): it turns readable at each new libuv
 *   event and is emptied by one non-blocking wait, so a blocking dispatch that also waits on it
 *   returns to JavaScript once per libuv event (V8 then ends a terminating thread) and never spins
 *   on a libuv event that stays pending while JavaScript runs our loop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#if defined(__linux__)
#include <sys/epoll.h>
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
#define STOPWATCH_KQUEUE 1
#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>
#endif

#include "addon.h"
#include "args.h"

static int stopwatch_open(int uvfd) {
#if defined(__linux__)
  struct epoll_event ev;
  int fd = epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) return -1;
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN | EPOLLET;
  ev.data.fd = uvfd;
  if (epoll_ctl(fd, EPOLL_CTL_ADD, uvfd, &ev) < 0) {
    close(fd);
    return -1;
  }
  return fd;
#elif defined(STOPWATCH_KQUEUE)
  struct kevent ch;
  int fd = kqueue();
  if (fd < 0) return -1;
  EV_SET(&ch, uvfd, EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0, NULL);
  if (kevent(fd, &ch, 1, NULL, 0, NULL) < 0) {
    close(fd);
    return -1;
  }
  return fd;
#else
  (void)uvfd;
  return -1;
#endif
}

void instance_init(napi_env env, struct addon_state *st) {
  uv_loop_t *loop = NULL;
  int uvfd;
  st->stopwatch_fd = -1;
  /* Node's main thread runs the default loop; a worker has a loop of its own. Nothing stops the
   * main thread from outside while it waits (process.exit runs on it), so it needs no watch. */
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == NULL || loop == uv_default_loop())
    return;
  uvfd = uv_backend_fd(loop);
  if (uvfd >= 0) st->stopwatch_fd = stopwatch_open(uvfd);
}

void instance_stopwatch_drain(struct addon_state *st) {
#if defined(__linux__)
  struct epoll_event ev;
  while (epoll_wait(st->stopwatch_fd, &ev, 1, 0) > 0) continue;
#elif defined(STOPWATCH_KQUEUE)
  struct kevent ev;
  struct timespec zero = {0, 0};
  while (kevent(st->stopwatch_fd, NULL, 0, &ev, 1, &zero) > 0) continue;
#else
  (void)st;
#endif
}

static int owned_find(const struct addon_state *st, int fd) {
  for (int i = st->nowned - 1; i >= 0; i--)
    if (st->owned[i] == fd) return i;
  return -1;
}

static napi_value js_fd_own(napi_env env, napi_callback_info info) {
  ARGS(1);
  struct addon_state *st = data;
  int fd;
  if (!arg_fd(env, "fdOwn", argv[0], "fd", &fd)) return NULL;
  if (owned_find(st, fd) >= 0) return ret_int(env, 0);
  if (st->nowned == st->cap_owned) {
    int n = st->cap_owned ? st->cap_owned * 2 : 16;
    int *grown = realloc(st->owned, (size_t)n * sizeof *grown);
    if (grown == NULL) return ret_int(env, -ENOMEM);
    st->owned = grown;
    st->cap_owned = n;
  }
  st->owned[st->nowned++] = fd;
  return ret_int(env, 0);
}

static napi_value js_fd_disown(napi_env env, napi_callback_info info) {
  ARGS(1);
  struct addon_state *st = data;
  int fd, i;
  if (!arg_fd(env, "fdDisown", argv[0], "fd", &fd)) return NULL;
  i = owned_find(st, fd);
  if (i >= 0) st->owned[i] = st->owned[--st->nowned];
  return ret_int(env, i >= 0 ? 1 : 0);
}

static napi_value js_fds_owned(napi_env env, napi_callback_info info) {
  ARGS(0);
  struct addon_state *st = data;
  return ret_int(env, st->nowned);
}

static napi_value js_stopwatch_fd(napi_env env, napi_callback_info info) {
  ARGS(0);
  struct addon_state *st = data;
  return ret_int(env, st->stopwatch_fd);
}

void instance_cleanup(struct addon_state *st) {
  for (int i = 0; i < st->nowned; i++) close(st->owned[i]);
  free(st->owned);
  st->owned = NULL;
  st->nowned = st->cap_owned = 0;
  if (st->stopwatch_fd >= 0) close(st->stopwatch_fd);
  st->stopwatch_fd = -1;
}

napi_status instance_exports(napi_env env, napi_value exports, struct addon_state *st) {
  napi_property_descriptor props[] = {
      EXPORT_FN("fdOwn", js_fd_own, st),
      EXPORT_FN("fdDisown", js_fd_disown, st),
      EXPORT_FN("fdsOwned", js_fds_owned, st),
      EXPORT_FN("stopWatchFd", js_stopwatch_fd, st),
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
