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
struct mem_slot;

/* backend.c: an Int32Array registered with the addon: the ArrayBuffer under it, kept alive by ref
 * (NULL until the first registration), and where the view lies in it. The buffer's memory and
 * length are fetched anew by each call that uses it: JavaScript may transfer, detach or resize the
 * buffer between calls, so no pointer into it is ever kept. */
struct int32_list {
  napi_ref ref;
  /* The view's byte offset in its buffer, and its length in elements when registered. */
  size_t offset;
  size_t length;
  /* A pinned list (registered with pinned true: the library's own, whose buffer it made
   * untransferable, so that it is never detached): its memory, kept from registration; NULL
   * otherwise. */
  int32_t *pinned;
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
  /* instance.c: the fds the library made for its own use in this thread, closed when it ends. */
  int *owned;
  int nowned, cap_owned;
  /* instance.c: readable once Node asks this worker to stop; -1 in the main thread. */
  int stopwatch_fd;
  /* signal.c: how many installs of each signal this instance holds (NULL until the first). */
  int *sig_installs;
  /* mem.c: registered chain memory (NULL until memArgs), and the argument block (a Float64Array
   * of MEM_ARGS numbers that the addon made and keeps alive by mem_args_ref). */
  struct mem_slot *mem;
  double *mem_args;
  napi_ref mem_args_ref;
};

/* io.c's readSized: its "not read" results are -(READ_SIZED_WANTS + the size it wanted); exported
 * in `constants`. Above every errno value and every read size. */
#define READ_SIZED_WANTS 0x100000

/* mem.c: what its calls return when a memory number is not registered (below every other result),
 * the most extents of one memReadv/memWritev, and the argument block's length: the fd, a count,
 * then (number, offset, length) per extent. All three exported in `constants`. */
#define MEM_UNKNOWN (-0x40000000)
#define MEM_IOV 128
#define MEM_ARGS (2 + 3 * MEM_IOV)

napi_status backend_exports(napi_env env, napi_value exports, struct addon_state *st);
void backend_cleanup(napi_env env, struct addon_state *st);
napi_status signal_exports(napi_env env, napi_value exports, struct addon_state *st);
napi_status io_exports(napi_env env, napi_value exports, struct addon_state *st);
napi_status mem_exports(napi_env env, napi_value exports, struct addon_state *st);
void mem_cleanup(napi_env env, struct addon_state *st);
/* The state of a call that takes its arguments in memArgs (and up to *argc of its own, into argv;
 * argc NULL: none). NULL with an exception pending when memArgs() was never called. */
struct addon_state *mem_args_state(napi_env env, napi_callback_info info, const char *fn,
                                   size_t *argc, napi_value *argv);
napi_status fd_exports(napi_env env, napi_value exports, struct addon_state *st);
napi_status socket_exports(napi_env env, napi_value exports, struct addon_state *st);
napi_status resolve_exports(napi_env env, napi_value exports, struct addon_state *st);
void resolve_cleanup(struct addon_state *st);
napi_status instance_exports(napi_env env, napi_value exports, struct addon_state *st);
void instance_init(napi_env env, struct addon_state *st);
void instance_stopwatch_drain(struct addon_state *st);
void instance_cleanup(struct addon_state *st);
/* Take the stop watch out of backend h's set. Whoever has libuv poll a backend's own fd must call
 * this first (js_backend_fd does): the watch holds libuv's backend fd, and an epoll set inside
 * another that it itself contains is a cycle that epoll_ctl refuses (ELOOP; libuv aborts on it). */
void backend_stopwatch_detach(struct addon_state *st, int h);
void signal_cleanup(struct addon_state *st);
napi_status notify_exports(napi_env env, napi_value exports, struct addon_state *st);
void notify_cleanup(struct addon_state *st);
napi_status clock_exports(napi_env env, napi_value exports, struct addon_state *st);
napi_status strerror_exports(napi_env env, napi_value exports, struct addon_state *st);
napi_status constants_export(napi_env env, napi_value exports);

#endif
