// Per-isolate state and the helpers the binding files share.
#pragma once
#include <node_api.h>

#include <cstdint>

#include "heap.h"

namespace ptr {

struct EnvData {
  napi_env env = nullptr;
  Heap* heap = nullptr;
  int32_t slot = 0;
  napi_ref errors = nullptr;  // object of the JS error classes, set by setErrorClasses
};

EnvData* GetEnvData(napi_env env);

// Throws `new errors[className](message)`, or a plain Error before the classes are set.
void ThrowTyped(napi_env env, const char* className, const char* message);
// The same from inside a raw V8 FunctionCallback (withFrame's fast form).
void ThrowTypedV8(napi_env env, const char* className, const char* message);

// Reads a number argument that must be an integer in [min, max]; throws
// InvalidSizeError naming `what` otherwise.
bool ArgInteger(napi_env env, napi_value v, double min, double max, const char* what, double* out);

// withFrame as a V8 function (faster); created in init(), after the self-check.
napi_value MakeWithFrameV8(napi_env env);
napi_value StackSegment(napi_env env, napi_callback_info info);

}  // namespace ptr
