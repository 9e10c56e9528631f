/*
 * `constants`: the values of this platform's C headers, so that the TypeScript side never
 * hard-codes a number that differs between Linux and the BSDs. A name this platform does not
 * define reads as 0 (SOCK_NONBLOCK/SOCK_CLOEXEC get compat.h's emulated flags instead).
 */
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "addon.h"
#include "compat.h"

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif
#ifndef NSIG
#define NSIG _NSIG
#endif

/* Each optional name: its value where the headers define it, else 0. */
#ifndef SO_REUSEPORT
#define SO_REUSEPORT 0
#endif
#ifndef TCP_DEFER_ACCEPT
#define TCP_DEFER_ACCEPT 0
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif
#ifndef EAI_ADDRFAMILY
#define EAI_ADDRFAMILY 0
#endif
#ifndef EAI_NODATA
#define EAI_NODATA 0
#endif
#ifndef AI_V4MAPPED
#define AI_V4MAPPED 0
#endif
#ifndef AI_ALL
#define AI_ALL 0
#endif
#ifndef AI_ADDRCONFIG
#define AI_ADDRCONFIG 0
#endif

#define C(name) {#name, (name)}

static const struct {
  const char *name;
  int value;
} constants[] = {
    C(AF_UNSPEC), C(AF_INET), C(AF_INET6), C(AF_UNIX),
    C(SOCK_STREAM), C(SOCK_DGRAM), C(SOCK_NONBLOCK), C(SOCK_CLOEXEC),
    C(IPPROTO_TCP), C(IPPROTO_UDP), C(IPPROTO_IPV6),
    C(SOL_SOCKET), C(SO_REUSEADDR), C(SO_REUSEPORT), C(SO_KEEPALIVE),
    C(SO_ERROR), C(SO_SNDBUF), C(SO_RCVBUF), C(SO_TYPE), C(SO_LINGER),
    C(TCP_NODELAY), C(TCP_DEFER_ACCEPT), C(IPV6_V6ONLY),
    C(SHUT_RD), C(SHUT_WR), C(SHUT_RDWR),
    C(MSG_NOSIGNAL), C(MSG_PEEK), C(MSG_DONTWAIT),
    C(O_RDONLY), C(O_WRONLY), C(O_RDWR), C(O_NONBLOCK), C(O_CLOEXEC),
    C(O_CREAT), C(O_TRUNC), C(O_APPEND),
    C(FD_SETSIZE), C(IOV_MAX), C(NSIG), C(READ_SIZED_WANTS),
    C(MEM_UNKNOWN), C(MEM_IOV), C(MEM_ARGS),
    C(EAI_ADDRFAMILY), C(EAI_AGAIN), C(EAI_BADFLAGS), C(EAI_FAIL),
    C(EAI_FAMILY), C(EAI_MEMORY), C(EAI_NODATA), C(EAI_NONAME),
    C(EAI_SERVICE), C(EAI_SOCKTYPE), C(EAI_SYSTEM),
    C(AI_PASSIVE), C(AI_CANONNAME), C(AI_NUMERICHOST), C(AI_NUMERICSERV),
    C(AI_V4MAPPED), C(AI_ALL), C(AI_ADDRCONFIG),
};

napi_status constants_export(napi_env env, napi_value exports) {
  napi_value obj, v;
  napi_status s = napi_create_object(env, &obj);
  for (size_t i = 0; s == napi_ok && i < sizeof constants / sizeof constants[0]; i++) {
    s = napi_create_int32(env, constants[i].value, &v);
    if (s == napi_ok) s = napi_set_named_property(env, obj, constants[i].name, v);
  }
  if (s == napi_ok) s = napi_object_freeze(env, obj);
  if (s == napi_ok) s = napi_set_named_property(env, exports, "constants", obj);
  return s;
}
