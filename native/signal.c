/*
 * libevent's evsig: a sigaction handler that writes the signal number, as one byte, to a wake fd
 * that the TypeScript side watches like any other fd. The handler, the wake fd and the saved
 * dispositions are process-wide, as signal dispositions are.
 *
 * One owner per signal: Node.js installs its own handlers (SIGINT, SIGTERM, SIGUSR1 ...), and
 * process.on(sig) installs libuv's. Ours replaces whatever is there until sigRestore puts exactly
 * that disposition back; a process.on(sig) made while ours is installed replaces ours, and then
 * sigRestore leaves the signal to it.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <unistd.h>

#include "addon.h"
#include "args.h"

#ifndef NSIG
#define NSIG _NSIG
#endif

static volatile sig_atomic_t wake_fd = -1;
static struct sigaction saved[NSIG];
static bool have_saved[NSIG];

static void evsig_handler(int sig) {
  int saved_errno = errno;
  int fd = wake_fd;
  if (fd >= 0) {
    unsigned char msg = (unsigned char)sig;
    /* Nonblocking: when the socket is full, a wake-up is already pending. */
    ssize_t r = write(fd, &msg, 1);
    (void)r;
  }
  errno = saved_errno;
}

/* 0 is let through, as libevent lets it through to sigaction, which fails with EINVAL. */
static bool arg_signal(napi_env env, const char *fn, napi_value v, int *sig) {
  return arg_int(env, fn, v, "sig", 0, NSIG - 1, sig);
}

static napi_value js_sig_set_wake_fd(napi_env env, napi_callback_info info) {
  ARGS(1);
  int fd;
  if (!arg_int(env, "sigSetWakeFd", argv[0], "fd", -1, INT_MAX, &fd)) return NULL;
  wake_fd = fd;
  return NULL;
}

static napi_value js_sig_install(napi_env env, napi_callback_info info) {
  ARGS(1);
  struct sigaction sa;
  int sig;
  if (!arg_signal(env, "sigInstall", argv[0], &sig)) return NULL;
  sa.sa_handler = evsig_handler;
  sa.sa_flags = SA_RESTART;
  sigfillset(&sa.sa_mask);
  if (sigaction(sig, &sa, have_saved[sig] ? NULL : &saved[sig]) < 0) return ret_sys(env, -1);
  have_saved[sig] = true;
  return ret_int(env, 0);
}

static napi_value js_sig_restore(napi_env env, napi_callback_info info) {
  ARGS(1);
  struct sigaction cur;
  int sig;
  if (!arg_signal(env, "sigRestore", argv[0], &sig)) return NULL;
  if (!have_saved[sig]) return ret_int(env, 0);
  have_saved[sig] = false;
  /* Only our own handler is replaced: one installed since (process.on(sig) installs libuv's) now
   * owns the signal, and putting back what was there before ours would silently remove it. */
  if (sigaction(sig, NULL, &cur) < 0) return ret_sys(env, -1);
  if ((cur.sa_flags & SA_SIGINFO) || cur.sa_handler != evsig_handler) return ret_int(env, 0);
  if (sigaction(sig, &saved[sig], NULL) < 0) return ret_sys(env, -1);
  return ret_int(env, 0);
}

napi_status signal_exports(napi_env env, napi_value exports, struct addon_state *st) {
  napi_property_descriptor props[] = {
      EXPORT_FN("sigSetWakeFd", js_sig_set_wake_fd, st),
      EXPORT_FN("sigInstall", js_sig_install, st),
      EXPORT_FN("sigRestore", js_sig_restore, st),
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
