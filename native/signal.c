/*
 * libevent's evsig: a sigaction handler that writes the signal number, as one byte, to a wake fd
 * that the TypeScript side watches like any other fd. The handler, the wake fd and the saved
 * dispositions are process-wide, as signal dispositions are, and shared by every thread that loads
 * the addon (the main thread and each worker has its own instance): they live here, once, under a
 * lock. Installs are counted per signal: the first saves the disposition in place, the last
 * restore puts it back, whichever threads made them; an instance that ends gives back what it
 * installed. The wake fd belongs to the instance that set it; the handler, which may run on any
 * thread that does not block the signal, reads it atomically, and releasing it waits for handlers
 * still writing to it, so that a closed fd's number is never written to.
 *
 * One owner per signal: Node.js installs its own handlers (SIGINT, SIGTERM, SIGUSR1 ...), and
 * process.on(sig) installs libuv's. Ours replaces whatever is there until the last sigRestore puts
 * exactly that disposition back; a process.on(sig) made while ours is installed replaces ours.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "addon.h"
#include "args.h"

#ifndef NSIG
#define NSIG _NSIG
#endif

/* Read and written by the handler: lock-free atomics only. */
static atomic_int wake_fd = -1;
static atomic_int handlers_running;

/* Under sig_lock: */
static pthread_mutex_t sig_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct addon_state *wake_owner;
static struct sigaction saved[NSIG];
static int installs[NSIG];

static void evsig_handler(int sig) {
  int saved_errno = errno;
  int fd;
  atomic_fetch_add(&handlers_running, 1);
  fd = atomic_load(&wake_fd);
  if (fd >= 0) {
    unsigned char msg = (unsigned char)sig;
    /* Nonblocking: when the socket is full, a wake-up is already pending. */
    ssize_t r = write(fd, &msg, 1);
    (void)r;
  }
  atomic_fetch_sub(&handlers_running, 1);
  errno = saved_errno;
}

/* After the wake fd changed: no handler still writes to the old one. A handler runs to its end
 * before the thread it interrupted resumes, so this only waits for handlers on other threads,
 * which are a write(2) away from done. */
static void wait_handlers(void) {
  while (atomic_load(&handlers_running) > 0) sched_yield();
}

/* 0 is let through, as libevent lets it through to sigaction, which fails with EINVAL. */
static bool arg_signal(napi_env env, const char *fn, napi_value v, int *sig) {
  return arg_int(env, fn, v, "sig", 0, NSIG - 1, sig);
}

static napi_value js_sig_set_wake_fd(napi_env env, napi_callback_info info) {
  ARGS(1);
  int fd;
  if (!arg_int(env, "sigSetWakeFd", argv[0], "fd", -1, INT_MAX, &fd)) return NULL;
  pthread_mutex_lock(&sig_lock);
  atomic_store(&wake_fd, fd);
  wake_owner = fd >= 0 ? data : NULL;
  pthread_mutex_unlock(&sig_lock);
  wait_handlers();
  return NULL;
}

static napi_value js_sig_release_wake_fd(napi_env env, napi_callback_info info) {
  ARGS(1);
  int fd, released = 0;
  if (!arg_fd(env, "sigReleaseWakeFd", argv[0], "fd", &fd)) return NULL;
  pthread_mutex_lock(&sig_lock);
  if (atomic_load(&wake_fd) == fd) {
    atomic_store(&wake_fd, -1);
    wake_owner = NULL;
    released = 1;
  }
  pthread_mutex_unlock(&sig_lock);
  if (released) wait_handlers();
  return ret_int(env, released);
}

static napi_value js_sig_install(napi_env env, napi_callback_info info) {
  ARGS(1);
  struct addon_state *st = data;
  struct sigaction sa;
  int sig, r = 0;
  if (!arg_signal(env, "sigInstall", argv[0], &sig)) return NULL;
  if (st->sig_installs == NULL && (st->sig_installs = calloc(NSIG, sizeof(int))) == NULL)
    return ret_int(env, -ENOMEM);
  sa.sa_handler = evsig_handler;
  sa.sa_flags = SA_RESTART;
  sigfillset(&sa.sa_mask);
  pthread_mutex_lock(&sig_lock);
  /* Installed again each time (process.on may have replaced ours); saved only the first time. */
  if (sigaction(sig, &sa, installs[sig] ? NULL : &saved[sig]) < 0) {
    r = -errno;
  } else {
    installs[sig]++;
    st->sig_installs[sig]++;
  }
  pthread_mutex_unlock(&sig_lock);
  return ret_int(env, r);
}

/* Give back one install of sig by st; the last one restores the saved disposition. Under sig_lock. */
static int restore_one(struct addon_state *st, int sig) {
  st->sig_installs[sig]--;
  if (--installs[sig] == 0 && sigaction(sig, &saved[sig], NULL) < 0) return -errno;
  return 0;
}

static napi_value js_sig_restore(napi_env env, napi_callback_info info) {
  ARGS(1);
  struct addon_state *st = data;
  int sig, r = 0;
  if (!arg_signal(env, "sigRestore", argv[0], &sig)) return NULL;
  pthread_mutex_lock(&sig_lock);
  if (st->sig_installs != NULL && st->sig_installs[sig] > 0) r = restore_one(st, sig);
  pthread_mutex_unlock(&sig_lock);
  return ret_int(env, r);
}

void signal_cleanup(struct addon_state *st) {
  bool owned;
  pthread_mutex_lock(&sig_lock);
  if (st->sig_installs != NULL)
    for (int sig = 0; sig < NSIG; sig++)
      while (st->sig_installs[sig] > 0) restore_one(st, sig);
  owned = wake_owner == st;
  if (owned) {
    atomic_store(&wake_fd, -1);
    wake_owner = NULL;
  }
  pthread_mutex_unlock(&sig_lock);
  if (owned) wait_handlers();
  free(st->sig_installs);
  st->sig_installs = NULL;
}

napi_status signal_exports(napi_env env, napi_value exports, struct addon_state *st) {
  napi_property_descriptor props[] = {
      EXPORT_FN("sigSetWakeFd", js_sig_set_wake_fd, st),
      EXPORT_FN("sigReleaseWakeFd", js_sig_release_wake_fd, st),
      EXPORT_FN("sigInstall", js_sig_install, st),
      EXPORT_FN("sigRestore", js_sig_restore, st),
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
