/*
 * Argument checking for the addon's exports.
 *
 * Every check takes the export's name (`fn`) and the argument's name (`what`), throws a TypeError
 * (not a number, not a Uint8Array ...) or a RangeError (negative, not an integer, beyond the
 * buffer ...) naming both, and returns false; the caller then returns NULL to JavaScript. The
 * success path formats nothing and allocates nothing.
 */
#ifndef LIBEVENT_NATIVE_ARGS_H
#define LIBEVENT_NATIVE_ARGS_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <node_api.h>

/* Fetch up to N arguments (missing ones read as undefined) and the export's data pointer. */
#define ARGS(n)                                                                 \
  size_t argc = (n);                                                            \
  napi_value argv[(n) > 0 ? (n) : 1];                                           \
  void *data;                                                                   \
  if (napi_get_cb_info(env, info, &argc, argv, NULL, &data) != napi_ok)         \
    return NULL;                                                                \
  (void)data

/* A property descriptor for napi_define_properties: export `fn` under `name`. */
#define EXPORT_FN(name, fn, state) \
  { (name), NULL, (fn), NULL, NULL, NULL, napi_enumerable, (state) }

/* Throw a TypeError / RangeError / Error with a printf-formatted message. Always return false. */
bool throw_type(napi_env env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool throw_range(napi_env env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool throw_error(napi_env env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A double read from memArgs (mem.c) that is an integer in [lo, hi]. */
static inline bool whole_in(double v, double lo, double hi) {
  return v >= lo && v <= hi && v == trunc(v);
}

/* An integer number in [min, max]. */
bool arg_int(napi_env env, const char *fn, napi_value v, const char *what,
             int min, int max, int *out);
/* A file descriptor: an integer in [0, INT_MAX]. */
bool arg_fd(napi_env env, const char *fn, napi_value v, const char *what, int *out);
/* An integer number in [min, max], exact up to 2^53. */
bool arg_i64(napi_env env, const char *fn, napi_value v, const char *what,
             int64_t min, int64_t max, int64_t *out);

/* A Uint8Array (or Buffer): its memory and byte length. */
bool arg_bytes(napi_env env, const char *fn, napi_value v, const char *what,
               uint8_t **data, size_t *len);
/* buf[off, off + len) of a Uint8Array, checked to lie inside it; messages name the arguments
 * "buf", "off" and "len". */
bool arg_extent(napi_env env, const char *fn, napi_value buf, napi_value off, napi_value len,
                uint8_t **p, size_t *size);
/* An Int32Array holding at least `min_len` elements. */
bool arg_int32s(napi_env env, const char *fn, napi_value v, const char *what, size_t min_len,
                int32_t **data, size_t *len);

/* A string without NUL bytes, copied into buf[cap]; or NULL when null is allowed and given
 * (then *out is NULL). */
bool arg_string(napi_env env, const char *fn, napi_value v, const char *what, bool nullable,
                char *buf, size_t cap, char **out);

/* A JavaScript number for a syscall result: r >= 0, or -errno when r < 0 (errno read here). */
napi_value ret_sys(napi_env env, ssize_t r);
/* A JavaScript number for an int. */
napi_value ret_int(napi_env env, int64_t v);

#endif
