/*
 * libevent_native: the OS layer of libevent-ts. Module initialisation only: each file defines its
 * own exports; they all share one addon_state per environment, freed when the environment ends.
 */
#include <stdlib.h>

#include "addon.h"
#include "uvloop.h"

static void state_free(napi_env env, void *data, void *hint) {
  struct addon_state *st = data;
  (void)hint;
  backend_cleanup(env, st);
  mem_cleanup(env, st);
  /* Lookups first (their threads stop writing to wake fds), the signal wake fd next (the handler
   * stops writing to it), then the queues, then the fds the library owned. */
  resolve_cleanup(st);
  signal_cleanup(st);
  notify_cleanup(st);
  instance_cleanup(st);
  free(st);
}

static napi_value init(napi_env env, napi_value exports) {
  struct addon_state *st = calloc(1, sizeof *st);
  if (st == NULL) {
    napi_throw_error(env, NULL, "libevent_native: out of memory");
    return NULL;
  }
  instance_init(env, st);
  if (napi_set_instance_data(env, st, state_free, NULL) != napi_ok) {
    instance_cleanup(st);
    free(st);
    return NULL;
  }
  if (constants_export(env, exports) != napi_ok ||
      backend_exports(env, exports, st) != napi_ok ||
      signal_exports(env, exports, st) != napi_ok ||
      io_exports(env, exports, st) != napi_ok ||
      mem_exports(env, exports, st) != napi_ok ||
      fd_exports(env, exports, st) != napi_ok ||
      socket_exports(env, exports, st) != napi_ok ||
      resolve_exports(env, exports, st) != napi_ok ||
      clock_exports(env, exports, st) != napi_ok ||
      strerror_exports(env, exports, st) != napi_ok ||
      instance_exports(env, exports, st) != napi_ok ||
      notify_exports(env, exports, st) != napi_ok ||
      uvloop_exports(env, exports, st) != napi_ok)
    return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
