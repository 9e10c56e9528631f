/*
 * Sockets. Addresses travel as the bytes of C `struct sockaddr_*` values (the TypeScript side
 * encodes and decodes sockaddr_in, sockaddr_in6 and sockaddr_un). Options are ints; SO_LINGER is
 * the one struct option, carried as its l_linger seconds with -1 for l_onoff = 0.
 */
#include <errno.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "addon.h"
#include "args.h"
#include "compat.h"

/* An address argument: addrlen bytes at the start of a Uint8Array. */
static bool arg_addr(napi_env env, const char *fn, napi_value buf, napi_value len,
                     const struct sockaddr **addr, socklen_t *addrlen) {
  uint8_t *p;
  size_t have;
  int n;
  if (!arg_bytes(env, fn, buf, "addr", &p, &have) ||
      !arg_int(env, fn, len, "addrlen", 0, INT_MAX, &n))
    return false;
  if ((size_t)n > have)
    return throw_range(env, "%s: addrlen (%d) exceeds addr (%zu)", fn, n, have);
  *addr = (const struct sockaddr *)p;
  *addrlen = (socklen_t)n;
  return true;
}

/* An address result: the Uint8Array to fill and the Int32Array whose [0] gets the length. */
static bool arg_addr_out(napi_env env, const char *fn, napi_value buf, napi_value len,
                         struct sockaddr **addr, socklen_t *cap, int32_t **lenout) {
  uint8_t *p;
  size_t have, n;
  if (!arg_bytes(env, fn, buf, "addrOut", &p, &have) ||
      !arg_int32s(env, fn, len, "lenOut", 1, lenout, &n))
    return false;
  *addr = (struct sockaddr *)p;
  *cap = have > INT_MAX ? INT_MAX : (socklen_t)have;
  return true;
}

static bool arg_ints(napi_env env, const char *fn, napi_value *argv, const char *const *names,
                     int n, int *out) {
  for (int i = 0; i < n; i++)
    if (!arg_int(env, fn, argv[i], names[i], INT_MIN, INT_MAX, &out[i])) return false;
  return true;
}

static napi_value js_socket(napi_env env, napi_callback_info info) {
  ARGS(3);
  static const char *const names[] = {"domain", "type", "protocol"};
  int a[3];
  if (!arg_ints(env, "socket", argv, names, 3, a)) return NULL;
#ifdef EMULATE_SOCK_FLAGS
  return ret_sys(env, fd_apply_sock_flags(
                          socket(a[0], a[1] & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), a[2]), a[1]));
#else
  return ret_sys(env, socket(a[0], a[1], a[2]));
#endif
}

static napi_value js_bind(napi_env env, napi_callback_info info) {
  ARGS(3);
  const struct sockaddr *addr = NULL;
  socklen_t len = 0;
  int fd;
  if (!arg_fd(env, "bind", argv[0], "fd", &fd) ||
      !arg_addr(env, "bind", argv[1], argv[2], &addr, &len))
    return NULL;
  return ret_sys(env, bind(fd, addr, len));
}

static napi_value js_connect(napi_env env, napi_callback_info info) {
  ARGS(3);
  const struct sockaddr *addr = NULL;
  socklen_t len = 0;
  int fd;
  if (!arg_fd(env, "connect", argv[0], "fd", &fd) ||
      !arg_addr(env, "connect", argv[1], argv[2], &addr, &len))
    return NULL;
  return ret_sys(env, connect(fd, addr, len));
}

static napi_value js_listen(napi_env env, napi_callback_info info) {
  ARGS(2);
  int fd, backlog;
  if (!arg_fd(env, "listen", argv[0], "fd", &fd) ||
      !arg_int(env, "listen", argv[1], "backlog", INT_MIN, INT_MAX, &backlog))
    return NULL;
  return ret_sys(env, listen(fd, backlog));
}

static napi_value js_accept(napi_env env, napi_callback_info info) {
  ARGS(4);
  struct sockaddr *addr;
  socklen_t len = 0;
  int32_t *lenout;
  int fd, flags, r;
  if (!arg_fd(env, "accept", argv[0], "fd", &fd) ||
      !arg_int(env, "accept", argv[1], "flags", INT_MIN, INT_MAX, &flags) ||
      !arg_addr_out(env, "accept", argv[2], argv[3], &addr, &len, &lenout))
    return NULL;
#ifdef EMULATE_SOCK_FLAGS
  r = fd_apply_sock_flags(accept(fd, addr, &len), flags);
#else
  r = accept4(fd, addr, &len, flags);
#endif
  if (r < 0) return ret_sys(env, -1);
  lenout[0] = (int32_t)len;
  return ret_int(env, r);
}

typedef int (*name_fn)(int, struct sockaddr *, socklen_t *);

static napi_value sock_name(napi_env env, napi_callback_info info, const char *fn, name_fn f) {
  ARGS(3);
  struct sockaddr *addr;
  socklen_t len = 0;
  int32_t *lenout;
  int fd;
  if (!arg_fd(env, fn, argv[0], "fd", &fd) ||
      !arg_addr_out(env, fn, argv[1], argv[2], &addr, &len, &lenout))
    return NULL;
  if (f(fd, addr, &len) < 0) return ret_sys(env, -1);
  lenout[0] = (int32_t)len;
  return ret_int(env, 0);
}

static napi_value js_getsockname(napi_env env, napi_callback_info info) {
  return sock_name(env, info, "getsockname", getsockname);
}

static napi_value js_getpeername(napi_env env, napi_callback_info info) {
  return sock_name(env, info, "getpeername", getpeername);
}

static napi_value js_getsockopt(napi_env env, napi_callback_info info) {
  ARGS(4);
  static const char *const names[] = {"level", "name"};
  int fd, a[2], value = 0;
  socklen_t len = sizeof value;
  int32_t *out;
  size_t n;
  if (!arg_fd(env, "getsockopt", argv[0], "fd", &fd) ||
      !arg_ints(env, "getsockopt", argv + 1, names, 2, a) ||
      !arg_int32s(env, "getsockopt", argv[3], "out", 1, &out, &n))
    return NULL;
  if (a[0] == SOL_SOCKET && a[1] == SO_LINGER) {
    struct linger l;
    socklen_t llen = sizeof l;
    if (getsockopt(fd, a[0], a[1], &l, &llen) < 0) return ret_sys(env, -1);
    out[0] = l.l_onoff ? l.l_linger : -1;
    return ret_int(env, 0);
  }
  if (getsockopt(fd, a[0], a[1], &value, &len) < 0) return ret_sys(env, -1);
  out[0] = value;
  return ret_int(env, 0);
}

static napi_value js_setsockopt(napi_env env, napi_callback_info info) {
  ARGS(4);
  static const char *const names[] = {"level", "name", "value"};
  int fd, a[3];
  if (!arg_fd(env, "setsockopt", argv[0], "fd", &fd) ||
      !arg_ints(env, "setsockopt", argv + 1, names, 3, a))
    return NULL;
  if (a[0] == SOL_SOCKET && a[1] == SO_LINGER) {
    struct linger l;
    l.l_onoff = a[2] >= 0;
    l.l_linger = a[2] >= 0 ? a[2] : 0;
    return ret_sys(env, setsockopt(fd, a[0], a[1], &l, sizeof l));
  }
  return ret_sys(env, setsockopt(fd, a[0], a[1], &a[2], sizeof a[2]));
}

static napi_value js_shutdown(napi_env env, napi_callback_info info) {
  ARGS(2);
  int fd, how;
  if (!arg_fd(env, "shutdown", argv[0], "fd", &fd) ||
      !arg_int(env, "shutdown", argv[1], "how", INT_MIN, INT_MAX, &how))
    return NULL;
  return ret_sys(env, shutdown(fd, how));
}

napi_status socket_exports(napi_env env, napi_value exports, struct addon_state *st) {
  napi_property_descriptor props[] = {
      EXPORT_FN("socket", js_socket, st),
      EXPORT_FN("bind", js_bind, st),
      EXPORT_FN("connect", js_connect, st),
      EXPORT_FN("listen", js_listen, st),
      EXPORT_FN("accept", js_accept, st),
      EXPORT_FN("getsockname", js_getsockname, st),
      EXPORT_FN("getpeername", js_getpeername, st),
      EXPORT_FN("getsockopt", js_getsockopt, st),
      EXPORT_FN("setsockopt", js_setsockopt, st),
      EXPORT_FN("shutdown", js_shutdown, st),
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
