/*
 * Byte transfers straight between a descriptor and caller-owned Uint8Array memory: read, readv,
 * write, writev, send, recv, sendfile, and FIONREAD. Each returns the syscall's result or -errno.
 */
#include <errno.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/sendfile.h>
#endif

#include "addon.h"
#include "args.h"

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif

static napi_value js_read(napi_env env, napi_callback_info info) {
  ARGS(4);
  int fd;
  uint8_t *p;
  size_t n;
  if (!arg_fd(env, "read", argv[0], "fd", &fd) ||
      !arg_extent(env, "read", argv[1], argv[2], argv[3], &p, &n))
    return NULL;
  return ret_sys(env, read(fd, p, n));
}

static napi_value js_write(napi_env env, napi_callback_info info) {
  ARGS(4);
  int fd;
  uint8_t *p;
  size_t n;
  if (!arg_fd(env, "write", argv[0], "fd", &fd) ||
      !arg_extent(env, "write", argv[1], argv[2], argv[3], &p, &n))
    return NULL;
  return ret_sys(env, write(fd, p, n));
}

/* Fill iov from `bufs` (an array of Uint8Array) and `offLen` (Int32Array of offset, length pairs):
 * the n extents of a readv or writev. false with an exception pending if any argument is wrong. */
static bool gather_iov(napi_env env, const char *fn, napi_value *argv, struct iovec *iov, int *n_out) {
  int32_t *offlen;
  size_t noff;
  uint32_t nbufs;
  bool is_array;
  int n;
  if (napi_is_array(env, argv[1], &is_array) != napi_ok) return false;
  if (!is_array) {
    throw_type(env, "%s: bufs must be an array of Uint8Array", fn);
    return false;
  }
  if (napi_get_array_length(env, argv[1], &nbufs) != napi_ok ||
      !arg_int32s(env, fn, argv[2], "offLen", 0, &offlen, &noff) ||
      !arg_int(env, fn, argv[3], "n", 0, INT_MAX, &n))
    return false;
  if (n > IOV_MAX) {
    throw_range(env, "%s: n (%d) exceeds IOV_MAX (%d)", fn, n, IOV_MAX);
    return false;
  }
  if ((uint32_t)n > nbufs || (size_t)n * 2 > noff) {
    throw_range(env, "%s: n (%d) exceeds bufs.length (%u) or offLen.length / 2 (%zu)", fn, n, nbufs,
                noff / 2);
    return false;
  }
  for (int i = 0; i < n; i++) {
    napi_value b;
    napi_typedarray_type type;
    size_t have;
    void *p;
    int32_t off = offlen[2 * i], len = offlen[2 * i + 1];
    if (napi_get_element(env, argv[1], (uint32_t)i, &b) != napi_ok) return false;
    if (napi_get_typedarray_info(env, b, &type, &have, &p, NULL, NULL) != napi_ok ||
        type != napi_uint8_array) {
      throw_type(env, "%s: bufs[%d] must be a Uint8Array", fn, i);
      return false;
    }
    if (off < 0 || len < 0 || (size_t)off + (size_t)len > have) {
      throw_range(env, "%s: extent %d (off %d, len %d) lies outside its buffer (%zu)", fn, i, off,
                  len, have);
      return false;
    }
    iov[i].iov_base = (uint8_t *)p + off;
    iov[i].iov_len = (size_t)len;
  }
  *n_out = n;
  return true;
}

static napi_value js_readv(napi_env env, napi_callback_info info) {
  ARGS(4);
  struct iovec iov[IOV_MAX];
  int fd, n;
  if (!arg_fd(env, "readv", argv[0], "fd", &fd) || !gather_iov(env, "readv", argv, iov, &n))
    return NULL;
  return ret_sys(env, readv(fd, iov, n));
}

static napi_value js_writev(napi_env env, napi_callback_info info) {
  ARGS(4);
  struct iovec iov[IOV_MAX];
  int fd, n;
  if (!arg_fd(env, "writev", argv[0], "fd", &fd) || !gather_iov(env, "writev", argv, iov, &n))
    return NULL;
  return ret_sys(env, writev(fd, iov, n));
}

static napi_value js_send(napi_env env, napi_callback_info info) {
  ARGS(5);
  int fd, flags;
  uint8_t *p;
  size_t n;
  if (!arg_fd(env, "send", argv[0], "fd", &fd) ||
      !arg_extent(env, "send", argv[1], argv[2], argv[3], &p, &n) ||
      !arg_int(env, "send", argv[4], "flags", INT_MIN, INT_MAX, &flags))
    return NULL;
  return ret_sys(env, send(fd, p, n, flags));
}

static napi_value js_recv(napi_env env, napi_callback_info info) {
  ARGS(5);
  int fd, flags;
  uint8_t *p;
  size_t n;
  if (!arg_fd(env, "recv", argv[0], "fd", &fd) ||
      !arg_extent(env, "recv", argv[1], argv[2], argv[3], &p, &n) ||
      !arg_int(env, "recv", argv[4], "flags", INT_MIN, INT_MAX, &flags))
    return NULL;
  return ret_sys(env, recv(fd, p, n, flags));
}

/* Bytes sent, or -errno. As libevent's evbuffer_write_sendfile: where the BSDs report a partial
 * send together with EAGAIN/EINTR, the partial count is the result. */
static int64_t do_sendfile(int out_fd, int in_fd, int64_t offset, int64_t len) {
#if defined(__linux__)
  off_t off = (off_t)offset;
  ssize_t r = sendfile(out_fd, in_fd, &off, (size_t)len);
  return r < 0 ? -(int64_t)errno : (int64_t)r;
#elif defined(__APPLE__)
  off_t n = (off_t)len;
  if (sendfile(in_fd, out_fd, (off_t)offset, &n, NULL, 0) < 0) {
    if ((errno == EAGAIN || errno == EINTR) && n > 0) return (int64_t)n;
    return -(int64_t)errno;
  }
  return (int64_t)n;
#elif defined(__FreeBSD__) || defined(__DragonFly__)
  off_t n = 0;
  if (sendfile(in_fd, out_fd, (off_t)offset, (size_t)len, NULL, &n, 0) < 0) {
    if ((errno == EAGAIN || errno == EBUSY || errno == EINTR) && n > 0) return (int64_t)n;
    return -(int64_t)errno;
  }
  return (int64_t)n;
#else
  (void)out_fd; (void)in_fd; (void)offset; (void)len;
  return -ENOSYS;
#endif
}

static napi_value js_sendfile(napi_env env, napi_callback_info info) {
  ARGS(4);
  int out_fd, in_fd;
  int64_t offset, len;
  if (!arg_fd(env, "sendfile", argv[0], "outFd", &out_fd) ||
      !arg_fd(env, "sendfile", argv[1], "inFd", &in_fd) ||
      !arg_i64(env, "sendfile", argv[2], "offset", 0, INT64_MAX, &offset) ||
      !arg_i64(env, "sendfile", argv[3], "len", 0, SSIZE_MAX, &len))
    return NULL;
  return ret_int(env, do_sendfile(out_fd, in_fd, offset, len));
}

static napi_value js_fionread(napi_env env, napi_callback_info info) {
  ARGS(1);
  int fd, n = 0;
  if (!arg_fd(env, "fionread", argv[0], "fd", &fd)) return NULL;
  if (ioctl(fd, FIONREAD, &n) < 0) return ret_sys(env, -1);
  return ret_int(env, n);
}

/* evbuffer_read's sizing and its read in one call: the size is what FIONREAD reports, cut to
 * `max` (the caller's limit; also the size when FIONREAD fails or reports nothing). If that fits
 * buf[off, off + space) it is read there (the read's result, or -errno), otherwise nothing is read
 * and the result is -(READ_SIZED_WANTS + size). */
static napi_value js_read_sized(napi_env env, napi_callback_info info) {
  ARGS(5);
  int fd, max, n = 0;
  uint8_t *p;
  size_t space;
  if (!arg_fd(env, "readSized", argv[0], "fd", &fd) ||
      !arg_extent(env, "readSized", argv[1], argv[2], argv[3], &p, &space) ||
      !arg_int(env, "readSized", argv[4], "max", 1, READ_SIZED_WANTS - 1, &max))
    return NULL;
  if (ioctl(fd, FIONREAD, &n) == 0 && n > 0 && n < max) max = n;
  if ((size_t)max > space) return ret_int(env, -(READ_SIZED_WANTS + max));
  return ret_sys(env, read(fd, p, (size_t)max));
}

napi_status io_exports(napi_env env, napi_value exports, struct addon_state *st) {
  napi_property_descriptor props[] = {
      EXPORT_FN("read", js_read, st),
      EXPORT_FN("readv", js_readv, st),
      EXPORT_FN("write", js_write, st),
      EXPORT_FN("writev", js_writev, st),
      EXPORT_FN("send", js_send, st),
      EXPORT_FN("recv", js_recv, st),
      EXPORT_FN("sendfile", js_sendfile, st),
      EXPORT_FN("fionread", js_fionread, st),
      EXPORT_FN("readSized", js_read_sized, st),
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
