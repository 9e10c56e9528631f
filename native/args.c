#include "args.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_SAFE_INTEGER 9007199254740991.0

typedef napi_status (*thrower)(napi_env, const char *, const char *);

static bool vthrow(napi_env env, thrower t, const char *fmt, va_list ap) {
  char msg[512];
  vsnprintf(msg, sizeof msg, fmt, ap);
  t(env, NULL, msg);
  return false;
}

bool throw_type(napi_env env, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vthrow(env, napi_throw_type_error, fmt, ap);
  va_end(ap);
  return false;
}

bool throw_range(napi_env env, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vthrow(env, napi_throw_range_error, fmt, ap);
  va_end(ap);
  return false;
}

bool throw_error(napi_env env, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vthrow(env, napi_throw_error, fmt, ap);
  va_end(ap);
  return false;
}

/* The JavaScript type of v, for messages. */
static const char *type_name(napi_env env, napi_value v) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return "unknown";
  switch (t) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "boolean";
    case napi_number: return "number";
    case napi_string: return "string";
    case napi_symbol: return "symbol";
    case napi_object: return "object";
    case napi_function: return "function";
    case napi_external: return "external";
    case napi_bigint: return "bigint";
  }
  return "unknown";
}

/* A number that is an integer in [min, max]. Both bounds lie within +-2^53. */
static bool arg_integer(napi_env env, const char *fn, napi_value v, const char *what,
                        double min, double max, double *out) {
  double d = 0;
  if (napi_get_value_double(env, v, &d) != napi_ok)
    return throw_type(env, "%s: %s must be a number, got %s", fn, what, type_name(env, v));
  if (!(d >= min && d <= max) || d != trunc(d)) {
    if (min == 0 && max == MAX_SAFE_INTEGER)
      return throw_range(env, "%s: %s must be a non-negative integer, got %g", fn, what, d);
    return throw_range(env, "%s: %s must be an integer in [%.0f, %.0f], got %g", fn, what, min,
                       max, d);
  }
  *out = d;
  return true;
}

bool arg_int(napi_env env, const char *fn, napi_value v, const char *what, int min, int max,
             int *out) {
  double d = 0;
  if (!arg_integer(env, fn, v, what, min, max, &d)) return false;
  *out = (int)d;
  return true;
}

bool arg_fd(napi_env env, const char *fn, napi_value v, const char *what, int *out) {
  double d = 0;
  if (napi_get_value_double(env, v, &d) != napi_ok)
    return throw_type(env, "%s: %s must be a non-negative integer, got %s", fn, what,
                      type_name(env, v));
  if (!(d >= 0 && d <= INT_MAX) || d != trunc(d))
    return throw_range(env, "%s: %s must be a non-negative integer, got %g", fn, what, d);
  *out = (int)d;
  return true;
}

bool arg_i64(napi_env env, const char *fn, napi_value v, const char *what, int64_t min,
             int64_t max, int64_t *out) {
  double d = 0;
  double lo = (double)min < -MAX_SAFE_INTEGER ? -MAX_SAFE_INTEGER : (double)min;
  double hi = (double)max > MAX_SAFE_INTEGER ? MAX_SAFE_INTEGER : (double)max;
  if (!arg_integer(env, fn, v, what, lo, hi, &d)) return false;
  *out = (int64_t)d;
  return true;
}

bool arg_bytes(napi_env env, const char *fn, napi_value v, const char *what, uint8_t **data,
               size_t *len) {
  napi_typedarray_type type;
  void *p;
  size_t n;
  if (napi_get_typedarray_info(env, v, &type, &n, &p, NULL, NULL) != napi_ok ||
      type != napi_uint8_array)
    return throw_type(env, "%s: %s must be a Uint8Array, got %s", fn, what, type_name(env, v));
  *data = p;
  *len = n;
  return true;
}

bool arg_extent(napi_env env, const char *fn, napi_value buf, napi_value off, napi_value len,
                uint8_t **p, size_t *size) {
  uint8_t *data;
  size_t have;
  double o = 0, l = 0;
  if (!arg_bytes(env, fn, buf, "buf", &data, &have) ||
      !arg_integer(env, fn, off, "off", 0, MAX_SAFE_INTEGER, &o) ||
      !arg_integer(env, fn, len, "len", 0, MAX_SAFE_INTEGER, &l))
    return false;
  if (o + l > (double)have)
    return throw_range(env, "%s: off + len (%.0f) exceeds the buffer (%zu)", fn, o + l, have);
  *p = data + (size_t)o;
  *size = (size_t)l;
  return true;
}

bool arg_int32s(napi_env env, const char *fn, napi_value v, const char *what, size_t min_len,
                int32_t **data, size_t *len) {
  napi_typedarray_type type;
  void *p;
  size_t n;
  if (napi_get_typedarray_info(env, v, &type, &n, &p, NULL, NULL) != napi_ok ||
      type != napi_int32_array)
    return throw_type(env, "%s: %s must be an Int32Array, got %s", fn, what, type_name(env, v));
  if (n < min_len)
    return throw_range(env, "%s: %s must hold at least %zu elements, it has %zu", fn, what,
                       min_len, n);
  *data = p;
  *len = n;
  return true;
}

bool arg_string(napi_env env, const char *fn, napi_value v, const char *what, bool nullable,
                char *buf, size_t cap, char **out) {
  napi_valuetype t;
  size_t n;
  if (napi_typeof(env, v, &t) != napi_ok) return false;
  if (nullable && t == napi_null) {
    *out = NULL;
    return true;
  }
  if (t != napi_string)
    return throw_type(env, "%s: %s must be a string%s, got %s", fn, what,
                      nullable ? " or null" : "", type_name(env, v));
  if (napi_get_value_string_utf8(env, v, NULL, 0, &n) != napi_ok) return false;
  if (n >= cap)
    return throw_range(env, "%s: %s is %zu bytes long, the limit is %zu", fn, what, n, cap - 1);
  if (napi_get_value_string_utf8(env, v, buf, cap, &n) != napi_ok) return false;
  if (strlen(buf) != n) return throw_type(env, "%s: %s must not contain NUL bytes", fn, what);
  *out = buf;
  return true;
}

napi_value ret_int(napi_env env, int64_t v) {
  napi_value r;
  if (v >= INT32_MIN && v <= INT32_MAX) {
    if (napi_create_int32(env, (int32_t)v, &r) != napi_ok) return NULL;
  } else if (napi_create_int64(env, v, &r) != napi_ok) {
    return NULL;
  }
  return r;
}

napi_value ret_sys(napi_env env, ssize_t r) {
  return ret_int(env, r < 0 ? -(int64_t)errno : (int64_t)r);
}
