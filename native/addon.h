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

/* backend.c: an Int32Array registered with the addon, kept alive by ref (NULL until the first
 * registration). Its memory and length are fetched anew by each call that uses it: JavaScript may
 * transfer, detach or resize the buffer between calls, so no pointer into it is ever kept. */
struct int32_list {
  napi_ref ref;
};

struct addon_state {
  /* backend.c: handles index this table; a free slot has a NULL op. */
  struct backend_slot *backends;
  int nbackends;
  /* backend.c: the ready list that dispatch fills, (fd, what) pairs. */
  struct int32_list ready;
  /* resolve.c: request ids index this table; a free slot is NULL. */
  struct gai_request **gai;
  int ngai;
};

/* io.c's readSized: its "not read" results are -(READ_SIZED_WANTS + the size it wanted); exported
 * in `constants`. Above every errno value and every read size. */
#define READ_SIZED_WANTS 0x100000

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
