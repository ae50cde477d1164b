// Native stack frames: withFrame(size, fn) pushes a frame on this thread's stack
// segment, calls fn(address) inside this C++ frame, and pops it when fn returns
// or throws. The segment is a span of the shared heap owned by one thread; its
// header (layout.h S_*) records the depth and one serial per live frame, which
// @ptr/core reads to tell a live frame from a dead one.
#include <cmath>
#include <cstdio>
#include <mutex>

#include "addon.h"

namespace ptr {
namespace {

// Returns the first unit of this thread's segment, creating it on first use; 0
// when the heap has no room (an AllocationError is then pending).
uint32_t EnsureSegment(napi_env env, EnvData* d) {
  Heap* h = d->heap;
  int32_t& unitWord = h->word(ThreadWord(uint32_t(d->slot), T_STACK_UNIT));
  if (unitWord != 0) return uint32_t(unitWord);
  const uint64_t bytes = uint64_t(uint32_t(h->word(H_STACK_BYTES)));
  const uint32_t units = uint32_t((bytes + kUnitBytes - 1) >> kUnitShift);
  uint32_t unit;
  {
    std::lock_guard<std::mutex> lock(HeapMutex());
    unit = SpanAlloc(h, units, K_STACK, int32_t(units), d->slot);
  }
  if (unit == 0) {
    ThrowTyped(env, "AllocationError", "heap exhausted: no room for this thread's stack segment");
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

napi_value WithFrame(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  EnvData* d = GetEnvData(env);
  Heap* h = d->heap;
  const uint32_t unit = EnsureSegment(env, d);
  if (unit == 0) return nullptr;
  int32_t* seg = h->words() + (uint64_t(unit) << kUnitShift) / 4;

  double size;
  if (argc < 1 || !ArgInteger(env, argv[0], 0, 4294967295.0, "frame size", &size)) return nullptr;
  napi_valuetype type = napi_undefined;
  if (argc < 2 || napi_typeof(env, argv[1], &type) != napi_ok || type != napi_function) {
    ThrowTyped(env, "PointerError", "withFrame(size, fn): fn must be a function");
    return nullptr;
  }
  const uint64_t aligned = (uint64_t(size) + 15) & ~uint64_t(15);
  const uint32_t top = uint32_t(seg[S_TOP]), depth = uint32_t(seg[S_DEPTH]);
  const uint32_t segBytes = uint32_t(seg[S_BYTES]);
  if (depth >= kMaxFrameDepth || top + aligned > segBytes) {
    char msg[256];
    snprintf(msg, sizeof msg,
             "stack segment overflow: a frame of %.0f bytes does not fit (segment %u bytes, %u in use by %u frames, "
             "at most %u frames; set PTR_STACK_SIZE for more)",
             size, segBytes, top - uint32_t(seg[S_FRAMES_START]), depth, kMaxFrameDepth);
    ThrowTyped(env, "AllocationError", msg);
    return nullptr;
  }
  // Push: the frame's serial marks it live until the pop below clears it.
  const int32_t serial = seg[S_SERIAL] + 1;
  seg[S_SERIAL] = serial;
  seg[S_SERIALS + depth] = serial;
  seg[S_DEPTH] = int32_t(depth + 1);
  seg[S_TOP] = int32_t(top + aligned);

  napi_value addr, recv, result = nullptr;
  napi_create_double(env, double(reinterpret_cast<uintptr_t>(h->base) + (uint64_t(unit) << kUnitShift) + top), &addr);
  napi_get_undefined(env, &recv);
  napi_status status = napi_call_function(env, recv, argv[1], 1, &addr, &result);

  // Pop, whether fn returned or threw: this C++ frame is returning.
  seg[S_SERIALS + depth] = 0;
  seg[S_DEPTH] = int32_t(depth);
  seg[S_TOP] = int32_t(top);
  return status == napi_ok ? result : nullptr;
}

}  // namespace ptr
