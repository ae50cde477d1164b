// Peer of the frames group: an empty native call, written two ways.
//   rawNoop:      a plain N-API callback (the same as @ptr/native's napiNoop).
//   addonApiNoop: a node-addon-api (C++ wrapper) callback, as most addons are
//                 written: Napi::Function::New builds a Napi::CallbackInfo per
//                 call (napi_get_cb_info for this, the arguments and data).
// Built with the same defines as @ptr/native (binding.gyp is written by
// ../napi-noop.mjs with node-addon-api's include directory).
#include <napi.h>

static napi_value RawNoop(napi_env, napi_callback_info) { return nullptr; }

static void AddonApiNoop(const Napi::CallbackInfo&) {}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("addonApiNoop", Napi::Function::New(env, AddonApiNoop, "addonApiNoop"));
  napi_value raw;
  napi_create_function(env, "rawNoop", NAPI_AUTO_LENGTH, RawNoop, nullptr, &raw);
  exports.Set("rawNoop", Napi::Value(env, raw));
  return exports;
}

NODE_API_MODULE(napi_noop, Init)
