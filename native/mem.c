/*
 * Chain memory known to the addon by number, and the argument block of the reads and writes that
 * use it.
 *
 * evbuffer's socket reads and writes are the calls into the addon made most often, and handing a
 * call a Uint8Array costs more than the rest of the call (napi_get_typedarray_info). So evbuffer
 * numbers the memory of each chain it allocates (an ArrayBuffer of the chain's own, which it marks
 * untransferable: nothing can detach it), registers it here once, and these calls take no
 * arguments: the descriptor and (number, offset, length) triples are written into one
 * Float64Array shared with JavaScript (memArgs) instead.
 *
 * A number is never reused (they count up to 2^53), and evbuffer passes one only while the chain
 * holding that memory is alive; so a slot found under its number points into live memory. The
 * slots are a direct-mapped cache: a number not found there (never registered, or its slot since
 * taken by another) makes the call return MEM_UNKNOWN having done nothing, and evbuffer registers
 * the number and calls again.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "addon.h"
#include "args.h"
#include "compat.h"

#define MEM_SLOTS 4096 /* a power of two */

struct mem_slot {
  double id; /* 0: empty */
  uint8_t *p;
  size_t len;
};

/* Make the slot table and the argument block of st, once. false with an exception pending. */
static bool mem_init(napi_env env, struct addon_state *st) {
  napi_value ab, view;
  void *data;
  if (st->mem_args != NULL) return true;
  if (st->mem == NULL) {
    st->mem = calloc(MEM_SLOTS, sizeof *st->mem);
    if (st->mem == NULL) return throw_error(env, "memArgs: out of memory");
  }
  if (napi_create_arraybuffer(env, MEM_ARGS * sizeof(double), &data, &ab) != napi_ok ||
      napi_create_typedarray(env, napi_float64_array, MEM_ARGS, ab, 0, &view) != napi_ok ||
      napi_create_reference(env, view, 1, &st->mem_args_ref) != napi_ok)
    return false;
  st->mem_args = data;
  return true;
}

/* memArgs(): the argument block, a Float64Array of MEM_ARGS numbers (the same one each call). */
static napi_value js_mem_args(napi_env env, napi_callback_info info) {
  ARGS(0);
  struct addon_state *st = data;
  napi_value view;
  if (!mem_init(env, st) || napi_get_reference_value(env, st->mem_args_ref, &view) != napi_ok)
    return NULL;
  return view;
}

/* A memory number: an integer in [1, 2^53]. */
static bool mem_id_ok(double id) { return whole_in(id, 1, 9007199254740992.0); }

/* Whether [off, off + len) lies inside `have` bytes. */
static bool extent_in(double off, double len, size_t have) {
  return whole_in(off, 0, (double)have) && whole_in(len, 0, (double)have - off);
}

/* memRegister(id, buf): the memory of Uint8Array buf is number id from now on. */
static napi_value js_mem_register(napi_env env, napi_callback_info info) {
  ARGS(2);
  struct addon_state *st = data;
  double id;
  uint8_t *p;
  size_t len;
  if (napi_get_value_double(env, argv[0], &id) != napi_ok || !mem_id_ok(id)) {
    throw_range(env, "memRegister: id must be an integer in [1, 2^53]");
    return NULL;
  }
  if (!arg_bytes(env, "memRegister", argv[1], "buf", &p, &len) || !mem_init(env, st)) return NULL;
  struct mem_slot *s = &st->mem[(uint64_t)id & (MEM_SLOTS - 1)];
  s->id = id;
  s->p = p;
  s->len = len;
  return ret_int(env, 0);
}

/* The extent of the triple at args[k]: 1 and its memory in *p, *n; 0 when the number is not
 * registered; -1 with a RangeError pending when the triple is not one (bad number, offset or
 * length, or beyond the memory). */
static int mem_extent(napi_env env, const char *fn, struct addon_state *st, int k, uint8_t **p,
                      size_t *n) {
  const double *a = st->mem_args + k;
  double id = a[0], off = a[1], len = a[2];
  if (!mem_id_ok(id)) {
    throw_range(env, "%s: memory number %g is not one", fn, id);
    return -1;
  }
  const struct mem_slot *s = &st->mem[(uint64_t)id & (MEM_SLOTS - 1)];
  if (s->id != id) return 0;
  if (!extent_in(off, len, s->len)) {
    throw_range(env, "%s: extent (%g, %g) is not inside memory %g of %zu bytes", fn, off, len, id,
                s->len);
    return -1;
  }
  *p = s->p + (size_t)off;
  *n = (size_t)len;
  return 1;
}

struct addon_state *mem_args_state(napi_env env, napi_callback_info info, const char *fn,
                                   size_t *argc, napi_value *argv) {
  void *data;
  if (napi_get_cb_info(env, info, argc, argv, NULL, &data) != napi_ok) return NULL;
  struct addon_state *st = data;
  if (st->mem_args == NULL) {
    throw_error(env, "%s: memArgs() was never called", fn);
    return NULL;
  }
  return st;
}

/* The descriptor in args[0], and the state, for a call with its arguments in memArgs (and up to
 * *argc of its own, as mem_args_state). NULL with an exception pending when there is no argument
 * block yet or args[0] is not a descriptor. */
static struct addon_state *mem_call(napi_env env, napi_callback_info info, const char *fn, int *fd,
                                    size_t *argc, napi_value *argv) {
  struct addon_state *st = mem_args_state(env, info, fn, argc, argv);
  if (st == NULL) return NULL;
  double d = st->mem_args[0];
  if (!whole_in(d, 0, INT_MAX)) {
    throw_range(env, "%s: fd must be a non-negative integer, got %g", fn, d);
    return NULL;
  }
  *fd = (int)d;
  return st;
}

/* memRead() / memWrite(): read(2) / write(2) on fd args[0] of the extent at args[2]. */
static napi_value mem_rw(napi_env env, napi_callback_info info, const char *fn, bool is_write) {
  int fd;
  uint8_t *p;
  size_t n;
  struct addon_state *st = mem_call(env, info, fn, &fd, NULL, NULL);
  if (st == NULL) return NULL;
  int known = mem_extent(env, fn, st, 2, &p, &n);
  if (known <= 0) return known < 0 ? NULL : ret_int(env, MEM_UNKNOWN);
  return ret_sys(env, is_write ? write(fd, p, n) : read(fd, p, n));
}

static napi_value js_mem_read(napi_env env, napi_callback_info info) {
  return mem_rw(env, info, "memRead", false);
}

static napi_value js_mem_write(napi_env env, napi_callback_info info) {
  return mem_rw(env, info, "memWrite", true);
}

/* memReadv() / memWritev(): readv(2) / writev(2) on fd args[0] of the args[1] extents at args[2],
 * args[5], ... (at most MEM_IOV). */
static napi_value mem_rwv(napi_env env, napi_callback_info info, const char *fn, bool is_write) {
  int fd;
  struct iovec iov[MEM_IOV];
  struct addon_state *st = mem_call(env, info, fn, &fd, NULL, NULL);
  if (st == NULL) return NULL;
  double nd = st->mem_args[1];
  if (!whole_in(nd, 0, MEM_IOV < IOV_MAX ? MEM_IOV : IOV_MAX)) {
    throw_range(env, "%s: the count of extents must be an integer in [0, %d], got %g", fn,
                MEM_IOV < IOV_MAX ? MEM_IOV : IOV_MAX, nd);
    return NULL;
  }
  int n = (int)nd;
  for (int i = 0; i < n; i++) {
    uint8_t *p;
    size_t len;
    int known = mem_extent(env, fn, st, 2 + 3 * i, &p, &len);
    if (known <= 0) return known < 0 ? NULL : ret_int(env, MEM_UNKNOWN);
    iov[i].iov_base = p;
    iov[i].iov_len = len;
  }
  return ret_sys(env, is_write ? writev(fd, iov, n) : readv(fd, iov, n));
}

static napi_value js_mem_readv(napi_env env, napi_callback_info info) {
  return mem_rwv(env, info, "memReadv", false);
}

static napi_value js_mem_writev(napi_env env, napi_callback_info info) {
  return mem_rwv(env, info, "memWritev", true);
}

/* memReadSized(): io.c's readSized on fd args[0] with max args[1], into the extent at args[2]. */
static napi_value js_mem_read_sized(napi_env env, napi_callback_info info) {
  int fd, n = 0;
  uint8_t *p;
  size_t space;
  struct addon_state *st = mem_call(env, info, "memReadSized", &fd, NULL, NULL);
  if (st == NULL) return NULL;
  double maxd = st->mem_args[1];
  if (!whole_in(maxd, 1, READ_SIZED_WANTS - 1)) {
    throw_range(env, "memReadSized: max must be an integer in [1, %d], got %g", READ_SIZED_WANTS - 1,
                maxd);
    return NULL;
  }
  int max = (int)maxd;
  int known = mem_extent(env, "memReadSized", st, 2, &p, &space);
  if (known <= 0) return known < 0 ? NULL : ret_int(env, MEM_UNKNOWN);
  if (ioctl(fd, FIONREAD, &n) == 0 && n > 0 && n < max) max = n;
  if ((size_t)max > space) return ret_int(env, -(READ_SIZED_WANTS + max));
  return ret_sys(env, read(fd, p, (size_t)max));
}

/* memReadBuf(buf) / memWriteBuf(buf): read(2) / write(2) on fd args[0] of buf[args[1],
 * args[1] + args[2]): a caller's Uint8Array, the one argument; its extent in memArgs. */
static napi_value mem_rw_buf(napi_env env, napi_callback_info info, const char *fn, bool is_write) {
  size_t argc = 1;
  napi_value argv[1];
  uint8_t *p;
  size_t have;
  int fd;
  struct addon_state *st = mem_call(env, info, fn, &fd, &argc, argv);
  if (st == NULL || !arg_bytes(env, fn, argv[0], "buf", &p, &have)) return NULL;
  double off = st->mem_args[1], len = st->mem_args[2];
  if (!extent_in(off, len, have)) {
    throw_range(env, "%s: extent (%g, %g) is not inside the buffer (%zu)", fn, off, len, have);
    return NULL;
  }
  p += (size_t)off;
  return ret_sys(env, is_write ? write(fd, p, (size_t)len) : read(fd, p, (size_t)len));
}

static napi_value js_mem_read_buf(napi_env env, napi_callback_info info) {
  return mem_rw_buf(env, info, "memReadBuf", false);
}

static napi_value js_mem_write_buf(napi_env env, napi_callback_info info) {
  return mem_rw_buf(env, info, "memWriteBuf", true);
}

/* memAccept(): accept4(2) on fd args[0] with flags args[1], the peer's address into the extent
 * at args[2] (its length the room); the address's length goes to args[1]. */
static napi_value js_mem_accept(napi_env env, napi_callback_info info) {
  int fd, r;
  uint8_t *p;
  size_t room;
  struct addon_state *st = mem_call(env, info, "memAccept", &fd, NULL, NULL);
  if (st == NULL) return NULL;
  double flagsd = st->mem_args[1];
  if (!whole_in(flagsd, INT_MIN, INT_MAX)) {
    throw_range(env, "memAccept: flags must be an int, got %g", flagsd);
    return NULL;
  }
  int known = mem_extent(env, "memAccept", st, 2, &p, &room);
  if (known <= 0) return known < 0 ? NULL : ret_int(env, MEM_UNKNOWN);
  socklen_t len = room > INT_MAX ? INT_MAX : (socklen_t)room;
#ifdef EMULATE_SOCK_FLAGS
  r = fd_apply_sock_flags(accept(fd, (struct sockaddr *)p, &len), (int)flagsd);
#else
  r = accept4(fd, (struct sockaddr *)p, &len, (int)flagsd);
#endif
  if (r < 0) return ret_sys(env, -1);
  st->mem_args[1] = len;
  return ret_int(env, r);
}

/* Whether p[0, n) is all ASCII. */
static bool all_ascii(const uint8_t *p, size_t n) {
  uint8_t any = 0;
  for (size_t i = 0; i < n; i++) any |= p[i];
  return any < 0x80;
}

/* memLine(): evbuffer_readln's line from one extent: the text before the first LF in the extent
 * at args[2] (and before the CR that ends it, when args[1] is 1), decoded as UTF-8 as
 * Buffer#toString does; the LF's offset in the extent goes to args[1], the text's length in bytes
 * to args[0]. -1 when the extent holds no LF. */
static napi_value js_mem_line(napi_env env, napi_callback_info info) {
  uint8_t *p;
  size_t n;
  napi_value line;
  struct addon_state *st = mem_args_state(env, info, "memLine", NULL, NULL);
  if (st == NULL) return NULL;
  double crlf = st->mem_args[1];
  if (!whole_in(crlf, 0, 1)) {
    throw_range(env, "memLine: args[1] must be 0 (LF) or 1 (CR before the LF too), got %g", crlf);
    return NULL;
  }
  int known = mem_extent(env, "memLine", st, 2, &p, &n);
  if (known <= 0) return known < 0 ? NULL : ret_int(env, MEM_UNKNOWN);
  const uint8_t *lf = n == 0 ? NULL : memchr(p, '\n', n);
  if (lf == NULL) return ret_int(env, -1);
  size_t len = (size_t)(lf - p);
  st->mem_args[1] = (double)len;
  if (crlf == 1 && len > 0 && p[len - 1] == '\r') len--;
  st->mem_args[0] = (double)len;
  napi_status r = all_ascii(p, len) ? napi_create_string_latin1(env, (const char *)p, len, &line)
                                    : napi_create_string_utf8(env, (const char *)p, len, &line);
  return r == napi_ok ? line : NULL;
}

void mem_cleanup(napi_env env, struct addon_state *st) {
  if (st->mem_args_ref != NULL) napi_delete_reference(env, st->mem_args_ref);
  st->mem_args_ref = NULL;
  st->mem_args = NULL;
  free(st->mem);
  st->mem = NULL;
}

napi_status mem_exports(napi_env env, napi_value exports, struct addon_state *st) {
  napi_property_descriptor props[] = {
      EXPORT_FN("memArgs", js_mem_args, st),
      EXPORT_FN("memRegister", js_mem_register, st),
      EXPORT_FN("memRead", js_mem_read, st),
      EXPORT_FN("memWrite", js_mem_write, st),
      EXPORT_FN("memReadv", js_mem_readv, st),
      EXPORT_FN("memWritev", js_mem_writev, st),
      EXPORT_FN("memReadSized", js_mem_read_sized, st),
      EXPORT_FN("memAccept", js_mem_accept, st),
      EXPORT_FN("memReadBuf", js_mem_read_buf, st),
      EXPORT_FN("memWriteBuf", js_mem_write_buf, st),
      EXPORT_FN("memLine", js_mem_line, st),
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
