/*
 * uvloop.c's interface to backend.c: a backend instance's embedding in Node's libuv loop (the
 * async mode of event_base_loop). One per backend slot, made on the first async loop, released
 * with the backend.
 */
#ifndef LIBEVENT_NATIVE_UVLOOP_H
#define LIBEVENT_NATIVE_UVLOOP_H

#include <stdbool.h>

#include <node_api.h>

#include "eventop.h"

struct uvloop;

/* Tell the loop of a backend without an fd of its own (poll, select) that `events` were added
 * (adding) to or removed from fd, which watched `old`: its mirror follows. */
void uvloop_change(struct uvloop *l, int fd, int old, int events, bool adding);
/* Stop and close the loop's handles and drop its references; the memory goes once libuv has run
 * the close callbacks. Must run before the backend's fds are closed (op->dealloc). The one place
 * that releases a loop: backendFree, and backend_cleanup when the environment ends. */
void uvloop_release(struct uvloop *l);

/* backend.c: the backend op, state and loop slot of handle argument v of export fn, or false
 * after throwing a RangeError. */
bool backend_arg(napi_env env, const char *fn, struct addon_state *st, napi_value v,
                 const struct eventop **op, void **state, struct uvloop ***loop);

napi_status uvloop_exports(napi_env env, napi_value exports, struct addon_state *st);

#endif
