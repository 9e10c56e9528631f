/*
 * What the addon's files share: the per-environment state (one per Node.js main thread or worker
 * that loads the addon; the exports receive it as their data pointer) and each file's function
 * that defines its exports.
 */
#ifndef LIBEVENT_NATIVE_ADDON_H
#define LIBEVENT_NATIVE_ADDON_H

#include <stdint.h>

#include <node_api.h>

struct backend_slot;
struct gai_request;

struct addon_state {
  /* backend.c: handles index this table; a free slot has a NULL op. */
  struct backend_slot *backends;
  int nbackends;
  /* backend.c: the registered ready list, kept alive by ready_ref. */
  napi_ref ready_ref;
  int32_t *ready;
  int max_pairs;
  /* backend.c: the registered change list (4 ints a change), kept alive by changes_ref. */
  napi_ref changes_ref;
  int32_t *changes;
  int max_changes;
  /* resolve.c: request ids index this table; a free slot is NULL. */
  struct gai_request **gai;
  int ngai;
};

napi_status backend_exports(napi_env env, napi_value exports, struct addon_state *st);
void backend_cleanup(napi_env env, struct addon_state *st);
napi_status signal_exports(napi_env env, napi_value exports, struct addon_state *st);
napi_status io_exports(napi_env env, napi_value exports, struct addon_state *st);
napi_status fd_exports(napi_env env, napi_value exports, struct addon_state *st);
napi_status socket_exports(napi_env env, napi_value exports, struct addon_state *st);
napi_status resolve_exports(napi_env env, napi_value exports, struct addon_state *st);
void resolve_cleanup(struct addon_state *st);
napi_status clock_exports(napi_env env, napi_value exports, struct addon_state *st);
napi_status strerror_exports(napi_env env, napi_value exports, struct addon_state *st);
napi_status constants_export(napi_env env, napi_value exports);

#endif
