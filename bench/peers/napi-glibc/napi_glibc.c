/*
 * Peer: glibc malloc/free reached from JS through raw Node-API, one call each.
 * malloc(size) -> address (a double), free(address) -> undefined.
 * Built at bench time by bench/peers/napi-glibc.mjs (node-gyp) into bench/.build/.
 */
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>

static napi_value js_malloc(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double size = 0;
  napi_value out;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_double(env, argv[0], &size) != napi_ok || !(size >= 0)) {
    napi_throw_type_error(env, NULL, "malloc(size): size must be a non-negative number");
    return NULL;
  }
  void *p = malloc((size_t)size);
  napi_create_double(env, (double)(uintptr_t)p, &out);
  return out;
}

static napi_value js_free(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double address = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_double(env, argv[0], &address) != napi_ok) {
    napi_throw_type_error(env, NULL, "free(address): address must be a number");
    return NULL;
  }
  free((void *)(uintptr_t)address);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"malloc", NULL, js_malloc, NULL, NULL, NULL, napi_default, NULL},
      {"free", NULL, js_free, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
