// Native stack frames: withFrame(size, fn) pushes a frame on this thread's stack
// segment, calls fn(address) inside this C++ frame, and pops it when fn returns
// or throws. The segment is a span of the shared heap owned by one thread; its
// header (layout.h S_*) records the depth and one serial per live frame, which
// @ptr/core reads to tell a live frame from a dead one.
#include <cmath>
#include <cstring>
#include <cstdio>
#include <mutex>

#include <v8.h>

#include "addon.h"

namespace ptr {
namespace {
// Out of line so that its message buffer is not part of every frame's C++
// stack: nesting depth is bounded by V8's stack limit.
__attribute__((noinline)) void ThrowOverflow(napi_env env, double size, const int32_t* seg) {
  char msg[256];
  snprintf(msg, sizeof msg,
           "stack segment overflow: a frame of %.0f bytes does not fit (segment %u bytes, %u in use by %u frames, "
           "at most %u frames; set PTR_STACK_SIZE for more)",
           size, uint32_t(seg[S_BYTES]), uint32_t(seg[S_TOP]) - uint32_t(seg[S_FRAMES_START]), uint32_t(seg[S_DEPTH]),
           kMaxFrameDepth);
  ThrowTypedV8(env, "AllocationError", msg);
}


// Returns the first unit of this thread's segment, creating it on first use; 0
// when the heap has no room (an AllocationError is then pending).
uint32_t EnsureSegment(napi_env env, EnvData* d, bool v8 = false) {
  Heap* h = d->heap;
  int32_t& unitWord = h->word(ThreadWord(uint32_t(d->slot), T_STACK_UNIT));
  if (unitWord != 0) return uint32_t(unitWord);
  const uint64_t bytes = uint64_t(uint32_t(h->word(H_STACK_BYTES)));
  const uint32_t units = uint32_t((bytes + kUnitBytes - 1) >> kUnitShift);
  uint32_t unit;
  {
    std::lock_guard<SpinLock> lock(HeapMutex());
    unit = SpanAlloc(h, units, K_STACK, int32_t(units), d->slot);
  }
  if (unit == 0) {
    (v8 ? ThrowTypedV8 : ThrowTyped)(env, "AllocationError", "heap exhausted: no room for this thread's stack segment");
    return 0;
  }
  int32_t* seg = h->words() + (uint64_t(unit) << kUnitShift) / 4;
  const uint32_t framesStart = (S_SERIALS + kMaxFrameDepth) * 4;
  seg[S_TOP] = int32_t(framesStart);
  seg[S_DEPTH] = 0;
  seg[S_SERIAL] = 0;
  seg[S_MAX_DEPTH] = int32_t(kMaxFrameDepth);
  seg[S_BYTES] = int32_t(uint64_t(units) << kUnitShift);
  seg[S_FRAMES_START] = int32_t(framesStart);
  unitWord = int32_t(unit);
  return unit;
}

}  // namespace

napi_value StackSegment(napi_env env, napi_callback_info info) {
  EnvData* d = GetEnvData(env);
  uint32_t unit = EnsureSegment(env, d);
  if (unit == 0) return nullptr;
  napi_value out;
  napi_create_uint32(env, unit, &out);
  return out;
}

// withFrame is a V8 FunctionCallback calling fn through v8::Function::Call: about
// half the cost of an N-API function calling napi_call_function (which sets up a
// handle scope and exception checks per call), and smaller C++ frames, so deep
// nesting reaches further before V8's stack limit.
namespace {
void WithFrameV8(const v8::FunctionCallbackInfo<v8::Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  auto* d = static_cast<EnvData*>(args.Data().As<v8::External>()->Value());
  napi_env env = d->env;
  Heap* h = d->heap;
  if (!h) {
    ThrowTypedV8(env, "PointerError", "heap not initialised");
    return;
  }
  double size = -1;
  if (args.Length() >= 1 && args[0]->IsNumber()) size = args[0].As<v8::Number>()->Value();
  if (!(size >= 0 && size <= 4294967295.0) || size != std::floor(size)) {
    ThrowTypedV8(env, "InvalidSizeError", "withFrame(size, fn): size must be an integer from 0 to 4294967295");
    return;
  }
  if (args.Length() < 2 || !args[1]->IsFunction()) {
    ThrowTypedV8(env, "PointerError", "withFrame(size, fn): fn must be a function");
    return;
  }
  const uint32_t unit = EnsureSegment(env, d, true);
  if (unit == 0) return;
  int32_t* seg = h->words() + (uint64_t(unit) << kUnitShift) / 4;
  const uint64_t aligned = (uint64_t(size) + 15) & ~uint64_t(15);
  const uint32_t top = uint32_t(seg[S_TOP]), depth = uint32_t(seg[S_DEPTH]);
  const uint32_t segBytes = uint32_t(seg[S_BYTES]);
  if (depth >= kMaxFrameDepth || top + aligned > segBytes) {
    ThrowOverflow(env, size, seg);
    return;
  }
  const int32_t serial = seg[S_SERIAL] + 1;
  seg[S_SERIAL] = serial;
  seg[S_SERIALS + depth] = serial;
  seg[S_DEPTH] = int32_t(depth + 1);
  seg[S_TOP] = int32_t(top + aligned);

  v8::Local<v8::Value> addr =
      v8::Number::New(isolate, double(reinterpret_cast<uintptr_t>(h->base) + (uint64_t(unit) << kUnitShift) + top));
  v8::MaybeLocal<v8::Value> result =
      args[1].As<v8::Function>()->Call(isolate->GetCurrentContext(), v8::Undefined(isolate), 1, &addr);

  // Pop, whether fn returned or threw: this C++ frame is returning.
  seg[S_SERIALS + depth] = 0;
  seg[S_DEPTH] = int32_t(depth);
  seg[S_TOP] = int32_t(top);
  v8::Local<v8::Value> value;
  if (result.ToLocal(&value)) args.GetReturnValue().Set(value);
}
}  // namespace

napi_value MakeWithFrameV8(napi_env env) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  // EnvData lives until this isolate's env is torn down, after its last JS call.
  v8::Local<v8::Function> fn =
      v8::Function::New(isolate->GetCurrentContext(), WithFrameV8, v8::External::New(isolate, GetEnvData(env)), 2)
          .ToLocalChecked();
  fn->SetName(v8::String::NewFromUtf8Literal(isolate, "withFrame"));
  v8::Local<v8::Value> v = fn;
  napi_value out;
  static_assert(sizeof(out) == sizeof(v), "napi_value must be a v8::Local");
  memcpy(static_cast<void*>(&out), &v, sizeof out);
  return out;
}

}  // namespace ptr
