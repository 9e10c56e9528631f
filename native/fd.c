/* Descriptors: close, pipe2, socketpair, O_NONBLOCK/FD_CLOEXEC, open, mkfifo. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addon.h"
#include "args.h"
#include "compat.h"

int fd_set_nonblock(int fd) {
  int flags = fcntl(fd, F_GETFL, 0);
  if (flags < 0) return -1;
  if (flags & O_NONBLOCK) return 0;
  return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int fd_set_cloexec(int fd) {
  int flags = fcntl(fd, F_GETFD, 0);
  if (flags < 0) return -1;
  if (flags & FD_CLOEXEC) return 0;
  return fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

int fd_apply_sock_flags(int fd, int flags) {
#ifdef EMULATE_SOCK_FLAGS
  if (fd < 0) return fd;
  if (((flags & SOCK_NONBLOCK) && fd_set_nonblock(fd) < 0) ||
      ((flags & SOCK_CLOEXEC) && fd_set_cloexec(fd) < 0)) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
#else
  (void)flags;
#endif
  return fd;
}

/* `out` of pipe2/socketpair: an Int32Array of at least 2, or an Array. Checked before the call
 * so that a bad argument never leaks the two new fds. */
static bool arg_pair_out(napi_env env, const char *fn, napi_value v, int32_t **i32) {
  bool is_array;
  size_t n;
  *i32 = NULL;
  if (napi_is_array(env, v, &is_array) != napi_ok) return false;
  if (is_array) return true;
  return arg_int32s(env, fn, v, "out", 2, i32, &n);
}

static napi_value store_pair(napi_env env, napi_value out, int32_t *i32, int fds[2]) {
  if (i32) {
    i32[0] = fds[0];
    i32[1] = fds[1];
  } else {
    for (uint32_t i = 0; i < 2; i++) {
      napi_value v;
      if (napi_create_int32(env, fds[i], &v) != napi_ok ||
          napi_set_element(env, out, i, v) != napi_ok) {
        close(fds[0]);
        close(fds[1]);
        return NULL;
      }
    }
  }
  return ret_int(env, 0);
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  ARGS(1);
  int fd;
  if (!arg_fd(env, "close", argv[0], "fd", &fd)) return NULL;
  return ret_sys(env, close(fd));
}

static napi_value js_pipe2(napi_env env, napi_callback_info info) {
  ARGS(2);
  int32_t *i32;
  int flags, fds[2];
  if (!arg_pair_out(env, "pipe2", argv[0], &i32) ||
      !arg_int(env, "pipe2", argv[1], "flags", INT_MIN, INT_MAX, &flags))
    return NULL;
#ifdef __linux__
  if (pipe2(fds, flags) < 0) return ret_sys(env, -1);
#else
  if (flags & ~(O_NONBLOCK | O_CLOEXEC)) return ret_int(env, -EINVAL);
  if (pipe(fds) < 0) return ret_sys(env, -1);
  for (int i = 0; i < 2; i++) {
    if (((flags & O_NONBLOCK) && fd_set_nonblock(fds[i]) < 0) ||
        ((flags & O_CLOEXEC) && fd_set_cloexec(fds[i]) < 0)) {
      int saved = errno;
      close(fds[0]);
      close(fds[1]);
      return ret_int(env, -saved);
    }
  }
#endif
  return store_pair(env, argv[0], i32, fds);
}

static napi_value js_socketpair(napi_env env, napi_callback_info info) {
  ARGS(4);
  int32_t *i32;
  int domain, type, protocol, fds[2];
  if (!arg_int(env, "socketpair", argv[0], "domain", INT_MIN, INT_MAX, &domain) ||
      !arg_int(env, "socketpair", argv[1], "type", INT_MIN, INT_MAX, &type) ||
      !arg_int(env, "socketpair", argv[2], "protocol", INT_MIN, INT_MAX, &protocol) ||
      !arg_pair_out(env, "socketpair", argv[3], &i32))
    return NULL;
#ifdef EMULATE_SOCK_FLAGS
  if (socketpair(domain, type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), protocol, fds) < 0)
    return ret_sys(env, -1);
  if (fd_apply_sock_flags(fds[0], type) < 0) {
    int saved = errno;
    close(fds[1]);
    return ret_int(env, -saved);
  }
  if (fd_apply_sock_flags(fds[1], type) < 0) {
    int saved = errno;
    close(fds[0]);
    return ret_int(env, -saved);
  }
#else
  if (socketpair(domain, type, protocol, fds) < 0) return ret_sys(env, -1);
#endif
  return store_pair(env, argv[3], i32, fds);
}

/* 1 if fd is nonblocking, 0 if not, or -errno (libevent's debug-mode check). */
static napi_value js_is_nonblock(napi_env env, napi_callback_info info) {
  ARGS(1);
  int fd, flags;
  if (!arg_fd(env, "isNonblock", argv[0], "fd", &fd)) return NULL;
  flags = fcntl(fd, F_GETFL, 0);
  if (flags < 0) return ret_sys(env, -1);
  return ret_sys(env, (flags & O_NONBLOCK) ? 1 : 0);
}

static napi_value js_set_nonblock(napi_env env, napi_callback_info info) {
  ARGS(1);
  int fd;
  if (!arg_fd(env, "setNonblock", argv[0], "fd", &fd)) return NULL;
  return ret_sys(env, fd_set_nonblock(fd));
}

static napi_value js_set_cloexec(napi_env env, napi_callback_info info) {
  ARGS(1);
  int fd;
  if (!arg_fd(env, "setCloexec", argv[0], "fd", &fd)) return NULL;
  return ret_sys(env, fd_set_cloexec(fd));
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  ARGS(3);
  char buf[PATH_MAX], *path;
  int flags, mode;
  if (!arg_string(env, "open", argv[0], "path", false, buf, sizeof buf, &path) ||
      !arg_int(env, "open", argv[1], "flags", INT_MIN, INT_MAX, &flags) ||
      !arg_int(env, "open", argv[2], "mode", 0, 07777, &mode))
    return NULL;
  return ret_sys(env, open(path, flags, (mode_t)mode));
}

static napi_value js_mkfifo(napi_env env, napi_callback_info info) {
  ARGS(2);
  char buf[PATH_MAX], *path;
  int mode;
  if (!arg_string(env, "mkfifo", argv[0], "path", false, buf, sizeof buf, &path) ||
      !arg_int(env, "mkfifo", argv[1], "mode", 0, 07777, &mode))
    return NULL;
  return ret_sys(env, mkfifo(path, (mode_t)mode));
}

napi_status fd_exports(napi_env env, napi_value exports, struct addon_state *st) {
  napi_property_descriptor props[] = {
      EXPORT_FN("close", js_close, st),
      EXPORT_FN("pipe2", js_pipe2, st),
      EXPORT_FN("socketpair", js_socketpair, st),
      EXPORT_FN("setNonblock", js_set_nonblock, st),
      EXPORT_FN("isNonblock", js_is_nonblock, st),
      EXPORT_FN("setCloexec", js_set_cloexec, st),
      EXPORT_FN("open", js_open, st),
      EXPORT_FN("mkfifo", js_mkfifo, st),
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
