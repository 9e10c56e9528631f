/*
 * getaddrinfo(3): blocking, or on a detached worker thread that stores its result and writes one
 * byte to a wake fd (the TypeScript side then collects the result). The thread never touches
 * JavaScript. A request forgotten (gaiCancel, or its environment ending) while its thread runs is
 * freed by that thread when getaddrinfo returns.
 */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "addon.h"
#include "args.h"

/* Longer names than this are refused (a DNS name has at most 253 characters). */
#define NAME_MAX_LEN 1024

struct gai_request {
  char node_buf[NAME_MAX_LEN + 1], service_buf[NAME_MAX_LEN + 1];
  char *node, *service;
  struct addrinfo hints;
  int wake_fd;
  /* Under gai_lock: */
  bool done;
  bool abandoned;
  int code;
  struct addrinfo *res;
};

/* Guards done/abandoned/code/res of every request and the wake-up write. */
static pthread_mutex_t gai_lock = PTHREAD_MUTEX_INITIALIZER;

static void request_free(struct gai_request *r) {
  if (r->res) freeaddrinfo(r->res);
  free(r);
}

/* One byte to the wake fd, never blocking: a full fd already has a wake-up pending. */
static void wake(int fd) {
  unsigned char b = 0;
  int flags = MSG_DONTWAIT;
#ifdef MSG_NOSIGNAL
  flags |= MSG_NOSIGNAL;
#endif
  if (send(fd, &b, 1, flags) < 0 && errno == ENOTSOCK) {
    struct pollfd p = {fd, POLLOUT, 0};
    if (poll(&p, 1, 0) == 1 && (p.revents & POLLOUT)) {
      ssize_t r = write(fd, &b, 1);
      (void)r;
    }
  }
}

static void *gai_thread(void *arg) {
  struct gai_request *r = arg;
  struct addrinfo *res = NULL;
  int code = getaddrinfo(r->node, r->service, &r->hints, &res);
  pthread_mutex_lock(&gai_lock);
  if (r->abandoned) {
    pthread_mutex_unlock(&gai_lock);
    if (res) freeaddrinfo(res);
    free(r);
    return NULL;
  }
  r->done = true;
  r->code = code;
  r->res = code == 0 ? res : NULL;
  /* Written under the lock, so that a cancel followed by a close of the fd cannot race it. */
  wake(r->wake_fd);
  pthread_mutex_unlock(&gai_lock);
  return NULL;
}

/* The common arguments of getaddrinfo and gaiStart, into r. */
static bool arg_query(napi_env env, const char *fn, napi_value *argv, struct gai_request *r) {
  int flags, family, socktype, protocol;
  if (!arg_string(env, fn, argv[0], "node", true, r->node_buf, sizeof r->node_buf, &r->node) ||
      !arg_string(env, fn, argv[1], "service", true, r->service_buf, sizeof r->service_buf,
                  &r->service) ||
      !arg_int(env, fn, argv[2], "flags", INT_MIN, INT_MAX, &flags) ||
      !arg_int(env, fn, argv[3], "family", INT_MIN, INT_MAX, &family) ||
      !arg_int(env, fn, argv[4], "socktype", INT_MIN, INT_MAX, &socktype) ||
      !arg_int(env, fn, argv[5], "protocol", INT_MIN, INT_MAX, &protocol))
    return false;
  memset(&r->hints, 0, sizeof r->hints);
  r->hints.ai_flags = flags;
  r->hints.ai_family = family;
  r->hints.ai_socktype = socktype;
  r->hints.ai_protocol = protocol;
  return true;
}

static napi_status set_int(napi_env env, napi_value obj, const char *name, int v) {
  napi_value x;
  napi_status s = napi_create_int32(env, v, &x);
  return s == napi_ok ? napi_set_named_property(env, obj, name, x) : s;
}

/* The JavaScript value of a result: an array of NativeAddrinfo, or the EAI code. */
static napi_value result_value(napi_env env, int code, const struct addrinfo *res) {
  napi_value arr;
  uint32_t i = 0;
  if (code != 0) return ret_int(env, code);
  if (napi_create_array(env, &arr) != napi_ok) return NULL;
  for (const struct addrinfo *ai = res; ai; ai = ai->ai_next, i++) {
    napi_value obj, ab, addr, canon;
    void *bytes;
    if (napi_create_object(env, &obj) != napi_ok || set_int(env, obj, "flags", ai->ai_flags) != napi_ok ||
        set_int(env, obj, "family", ai->ai_family) != napi_ok ||
        set_int(env, obj, "socktype", ai->ai_socktype) != napi_ok ||
        set_int(env, obj, "protocol", ai->ai_protocol) != napi_ok ||
        napi_create_arraybuffer(env, ai->ai_addrlen, &bytes, &ab) != napi_ok ||
        napi_create_typedarray(env, napi_uint8_array, ai->ai_addrlen, ab, 0, &addr) != napi_ok ||
        napi_set_named_property(env, obj, "addr", addr) != napi_ok)
      return NULL;
    if (ai->ai_addrlen) memcpy(bytes, ai->ai_addr, ai->ai_addrlen);
    if ((ai->ai_canonname
             ? napi_create_string_utf8(env, ai->ai_canonname, NAPI_AUTO_LENGTH, &canon)
             : napi_get_null(env, &canon)) != napi_ok ||
        napi_set_named_property(env, obj, "canonname", canon) != napi_ok ||
        napi_set_element(env, arr, i, obj) != napi_ok)
      return NULL;
  }
  return arr;
}

static napi_value js_getaddrinfo(napi_env env, napi_callback_info info) {
  ARGS(6);
  struct gai_request r;
  struct addrinfo *res = NULL;
  napi_value v;
  int code;
  if (!arg_query(env, "getaddrinfo", argv, &r)) return NULL;
  code = getaddrinfo(r.node, r.service, &r.hints, &res);
  v = result_value(env, code, res);
  if (res) freeaddrinfo(res);
  return v;
}

static napi_value js_gai_start(napi_env env, napi_callback_info info) {
  ARGS(7);
  struct addon_state *st = data;
  struct gai_request *r;
  pthread_attr_t attr;
  pthread_t tid;
  sigset_t all, old;
  int id, wake_fd, err;
  if (!arg_fd(env, "gaiStart", argv[6], "wakeFd", &wake_fd)) return NULL;
  r = calloc(1, sizeof *r);
  if (r == NULL) return ret_int(env, -ENOMEM);
  if (!arg_query(env, "gaiStart", argv, r)) {
    free(r);
    return NULL;
  }
  r->wake_fd = wake_fd;

  for (id = 0; id < st->ngai && st->gai[id] != NULL; id++) continue;
  if (id == st->ngai) {
    int n = st->ngai ? st->ngai * 2 : 8;
    struct gai_request **grown = realloc(st->gai, (size_t)n * sizeof *grown);
    if (grown == NULL) {
      free(r);
      return ret_int(env, -ENOMEM);
    }
    memset(grown + st->ngai, 0, (size_t)(n - st->ngai) * sizeof *grown);
    st->gai = grown;
    st->ngai = n;
  }

  /* The thread starts with every signal blocked, so that signals keep going to the JS thread
   * (whose wait they must interrupt). */
  sigfillset(&all);
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  err = pthread_create(&tid, &attr, gai_thread, r);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
  if (err != 0) {
    free(r);
    return ret_int(env, -err);
  }
  st->gai[id] = r;
  return ret_int(env, id);
}

/* The request of id argument v, or NULL after throwing a RangeError. */
static struct gai_request *arg_request(napi_env env, const char *fn, struct addon_state *st,
                                       napi_value v, int *id) {
  if (!arg_int(env, fn, v, "id", 0, INT_MAX, id)) return NULL;
  if (*id >= st->ngai || st->gai[*id] == NULL) {
    throw_range(env, "%s: %d is not a pending request id", fn, *id);
    return NULL;
  }
  return st->gai[*id];
}

static napi_value js_gai_collect(napi_env env, napi_callback_info info) {
  ARGS(1);
  struct addon_state *st = data;
  struct gai_request *r;
  napi_value v;
  bool done;
  int id;
  if ((r = arg_request(env, "gaiCollect", st, argv[0], &id)) == NULL) return NULL;
  pthread_mutex_lock(&gai_lock);
  done = r->done;
  pthread_mutex_unlock(&gai_lock);
  if (!done) return NULL;
  /* Done: the thread no longer touches r. */
  st->gai[id] = NULL;
  v = result_value(env, r->code, r->res);
  request_free(r);
  return v;
}

/* Forget r: free it if its thread is done, else leave that to the thread. */
static void request_abandon(struct gai_request *r) {
  bool done;
  pthread_mutex_lock(&gai_lock);
  done = r->done;
  r->abandoned = true;
  pthread_mutex_unlock(&gai_lock);
  if (done) request_free(r);
}

static napi_value js_gai_cancel(napi_env env, napi_callback_info info) {
  ARGS(1);
  struct addon_state *st = data;
  struct gai_request *r;
  int id;
  if ((r = arg_request(env, "gaiCancel", st, argv[0], &id)) == NULL) return NULL;
  st->gai[id] = NULL;
  request_abandon(r);
  return NULL;
}

void resolve_cleanup(struct addon_state *st) {
  for (int id = 0; id < st->ngai; id++)
    if (st->gai[id]) request_abandon(st->gai[id]);
  free(st->gai);
}

napi_status resolve_exports(napi_env env, napi_value exports, struct addon_state *st) {
  napi_property_descriptor props[] = {
      EXPORT_FN("getaddrinfo", js_getaddrinfo, st),
      EXPORT_FN("gaiStart", js_gai_start, st),
      EXPORT_FN("gaiCollect", js_gai_collect, st),
      EXPORT_FN("gaiCancel", js_gai_cancel, st),
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
