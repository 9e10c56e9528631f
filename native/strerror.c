/* Texts of error codes: strerror(3) for errno values, gai_strerror(3) for EAI_* codes. */
#include <limits.h>
#include <netdb.h>
#include <string.h>

#include "addon.h"
#include "args.h"

static napi_value text(napi_env env, const char *s) {
  napi_value r;
  if (napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &r) != napi_ok) return NULL;
  return r;
}

static napi_value js_strerror(napi_env env, napi_callback_info info) {
  ARGS(1);
  int errnum;
  if (!arg_int(env, "strerror", argv[0], "errnum", INT_MIN, INT_MAX, &errnum)) return NULL;
  return text(env, strerror(errnum));
}

static napi_value js_gai_strerror(napi_env env, napi_callback_info info) {
  ARGS(1);
  int code;
  if (!arg_int(env, "gaiStrerror", argv[0], "code", INT_MIN, INT_MAX, &code)) return NULL;
  return text(env, gai_strerror(code));
}

napi_status strerror_exports(napi_env env, napi_value exports, struct addon_state *st) {
  napi_property_descriptor props[] = {
      EXPORT_FN("strerror", js_strerror, st),
      EXPORT_FN("gaiStrerror", js_gai_strerror, st),
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
