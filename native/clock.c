/*
 * Clocks, in microseconds as doubles (exact up to 2^53 us, about 285 years). As libevent's
 * evutil_configure_monotonic_time_ on Linux: CLOCK_MONOTONIC_COARSE unless the base asked for a
 * precise timer. Where there is no coarse clock, both read CLOCK_MONOTONIC.
 */
#include <time.h>

#include "addon.h"
#include "args.h"

#ifndef CLOCK_MONOTONIC_COARSE
#define CLOCK_MONOTONIC_COARSE CLOCK_MONOTONIC
#endif

static napi_value clock_us(napi_env env, clockid_t id) {
  struct timespec ts;
  napi_value r;
  if (clock_gettime(id, &ts) < 0) return ret_sys(env, -1);
  if (napi_create_double(env, (double)ts.tv_sec * 1e6 + (double)(ts.tv_nsec / 1000), &r) != napi_ok)
    return NULL;
  return r;
}

static napi_value js_monotonic_us(napi_env env, napi_callback_info info) {
  ARGS(1);
  int precise;
  if (!arg_int(env, "monotonicUs", argv[0], "precise", 0, 1, &precise)) return NULL;
  return clock_us(env, precise ? CLOCK_MONOTONIC : CLOCK_MONOTONIC_COARSE);
}

static napi_value js_realtime_us(napi_env env, napi_callback_info info) {
  ARGS(0);
  return clock_us(env, CLOCK_REALTIME);
}

napi_status clock_exports(napi_env env, napi_value exports, struct addon_state *st) {
  napi_property_descriptor props[] = {
      EXPORT_FN("monotonicUs", js_monotonic_us, st),
      EXPORT_FN("realtimeUs", js_realtime_us, st),
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
