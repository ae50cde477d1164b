// Bindings: module setup, the heap's SharedArrayBuffer for this isolate, and the
// cold paths of the allocator that need the span lock. The hot paths (small
// blocks) are JavaScript in lib/; this file only does what must be native.
// Every function checks its arguments; policy and messages live in lib/.
#include <dlfcn.h>
#include <node_api.h>
#include <v8.h>

#include <algorithm>
#include <random>
#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>
#include <vector>

#include "addon.h"

namespace ptr {
namespace {

// Node's Node-API implementation defines napi_value as a reinterpretation of a
// v8::Local<v8::Value>; this file relies on it in exactly one place (handing the
// SharedArrayBuffer to JS), checked here at compile time and by SelfCheck at load.
static_assert(sizeof(napi_value) == sizeof(v8::Local<v8::Value>), "napi_value must be a v8::Local");

napi_value FromV8(v8::Local<v8::Value> v) {
  napi_value out;
  memcpy(&out, &v, sizeof out);
  return out;
}
v8::Local<v8::Value> ToV8(napi_value v) {
  v8::Local<v8::Value> out;
  memcpy(static_cast<void*>(&out), &v, sizeof v);
  return out;
}

bool SelfCheck(napi_env env) {
  napi_value probe;
  if (napi_create_int32(env, 0x5a5a17, &probe) != napi_ok) return false;
  v8::Local<v8::Value> v = ToV8(probe);
  return !v.IsEmpty() && v->IsInt32() && v.As<v8::Int32>()->Value() == 0x5a5a17;
}

napi_value Undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}
napi_value Num(napi_env env, double x) {
  napi_value v;
  napi_create_double(env, x, &v);
  return v;
}
void Set(napi_env env, napi_value obj, const char* key, napi_value v) { napi_set_named_property(env, obj, key, v); }

napi_value Args(napi_env env, napi_callback_info info, size_t n, napi_value* argv) {
  size_t argc = n;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  for (size_t i = argc; i < n; i++) napi_get_undefined(env, &argv[i]);
  return nullptr;
}

void ReleaseEmptySpans(Heap* h, int32_t slot);

void FinalizeEnv(napi_env env, void* data, void*) {
  auto* d = static_cast<EnvData*>(data);
  if (d->heap && d->slot > 0) {
    std::lock_guard<SpinLock> lock(HeapMutex());
    ReleaseEmptySpans(d->heap, d->slot);
    SlotRelease(d->heap, d->slot);
  }
  delete d;
}

// init(heapBytes, stackBytes, threadId): reserves the heap if this is the first
// thread, takes a thread slot, and returns this isolate's view of the heap.
napi_value Init(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  Args(env, info, 3, argv);
  double bytes, stackBytes, threadId;
  if (!ArgInteger(env, argv[0], 524288.0, 4294967296.0, "heap size", &bytes) ||
      !ArgInteger(env, argv[1], 65536.0, 1073741824.0, "stack segment size", &stackBytes) ||
      !ArgInteger(env, argv[2], 0, 9007199254740991.0, "thread id", &threadId))
    return nullptr;
  EnvData* d = GetEnvData(env);
  if (d->heap) {
    ThrowTyped(env, "PointerError", "the heap is already initialised in this thread");
    return nullptr;
  }
  if (!SelfCheck(env)) {
    ThrowTyped(env, "PointerError", "this Node.js does not lay out napi_value as V8 does; @ptr/native cannot run");
    return nullptr;
  }
  const char* error = nullptr;
  Heap* h = EnsureHeap(uint64_t(bytes) & ~(kUnitBytes - 1), uint64_t(stackBytes), &error);
  if (!h) {
    ThrowTyped(env, "AllocationError", error);
    return nullptr;
  }
  int32_t slot;
  bool inherited = false;
  {
    std::lock_guard<SpinLock> lock(HeapMutex());
    slot = SlotAcquire(h, int32_t(threadId), &inherited);
  }
  if (slot < 0) {
    ThrowTyped(env, "AllocationError", "too many threads use the heap at once (256 thread slots)");
    return nullptr;
  }
  d->heap = h;
  d->slot = slot;

  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  v8::Local<v8::SharedArrayBuffer> sab = v8::SharedArrayBuffer::New(isolate, h->store);

  napi_value out;
  napi_create_object(env, &out);
  Set(env, out, "buffer", FromV8(sab));
  Set(env, out, "base", Num(env, double(reinterpret_cast<uintptr_t>(h->base))));
  Set(env, out, "size", Num(env, double(h->bytes)));
  Set(env, out, "slot", Num(env, slot));
  napi_value inheritedValue;
  napi_get_boolean(env, inherited, &inheritedValue);
  Set(env, out, "inherited", inheritedValue);
  Set(env, out, "stackBytes", Num(env, double(uint32_t(h->word(H_STACK_BYTES)))));
  napi_value hasExt;
  napi_get_boolean(env, dlsym(RTLD_DEFAULT, "node_api_create_external_sharedarraybuffer") != nullptr, &hasExt);
  Set(env, out, "nodeApiExternalSab", hasExt);
  napi_value layout;
  napi_create_object(env, &layout);
  Set(env, layout, "UNIT_SHIFT", Num(env, kUnitShift));
  Set(env, layout, "DESC_BASE", Num(env, kDescBase));
  Set(env, layout, "DESC_WORDS", Num(env, kDescWords));
  Set(env, layout, "THREAD_TABLE", Num(env, kThreadTable));
  Set(env, layout, "THREAD_WORDS", Num(env, kThreadWords));
  Set(env, layout, "MAX_THREADS", Num(env, kMaxThreads));
  Set(env, layout, "S_SERIALS", Num(env, S_SERIALS));
  Set(env, layout, "MAX_FRAME_DEPTH", Num(env, kMaxFrameDepth));
  Set(env, layout, "LAZY_UNITS", Num(env, kLazyUnits));
  Set(env, layout, "VERSION", Num(env, kLayoutVersion));
  Set(env, out, "layout", layout);
  Set(env, out, "withFrame", MakeWithFrameV8(env));
  return out;
}

napi_value SetErrorClasses(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Args(env, info, 1, argv);
  napi_valuetype t;
  napi_typeof(env, argv[0], &t);
  if (t != napi_object) {
    napi_throw_type_error(env, nullptr, "setErrorClasses(classes): classes must be an object");
    return nullptr;
  }
  EnvData* d = GetEnvData(env);
  if (d->errors) napi_delete_reference(env, d->errors);
  napi_create_reference(env, argv[0], 1, &d->errors);
  return Undefined(env);
}

// Checks that `unit` is a data unit of this heap; throws InvalidPointerError otherwise.
bool ArgUnit(napi_env env, EnvData* d, napi_value v, uint32_t* unit) {
  double u;
  if (!d->heap) {
    ThrowTyped(env, "PointerError", "heap not initialised");
    return false;
  }
  if (napi_get_value_double(env, v, &u) != napi_ok || !(u >= d->heap->firstDataUnit) || u >= d->heap->units ||
      u != std::floor(u)) {
    ThrowTyped(env, "InvalidPointerError", "not a unit of the heap");
    return false;
  }
  *unit = uint32_t(u);
  return true;
}

// Units in the largest heap (4 GiB): the most a block can span.
constexpr double kMaxUnits = double(uint64_t(1) << (32 - kUnitShift));

// A JS array of unit numbers.
napi_value UnitArray(napi_env env, const std::vector<uint32_t>& units) {
  napi_value arr;
  napi_create_array_with_length(env, units.size(), &arr);
  for (size_t i = 0; i < units.size(); i++) napi_set_element(env, arr, uint32_t(i), Num(env, units[i]));
  return arr;
}

int32_t& DW(Heap* h, uint32_t unit, uint32_t field) { return h->word(DescWord(unit, field)); }

// Highest liveness tag ever used in units [first, first+len): a new page or block
// starts above it, so a stale pointer never matches a later block at its address.
// Units never used before start at a random epoch, so tags are large numbers,
// unlikely to equal whatever data a stale pointer's tag word holds later.
uint32_t EpochOf(Heap* h, uint32_t first, uint32_t len) {
  uint32_t e = 0;
  for (uint32_t u = first; u < first + len; u++) e = std::max(e, uint32_t(DW(h, u, D_LTAG)));
  if (e == 0) {
    static std::mt19937 rng{std::random_device{}()};
    e = (rng() & 0x1fffffffu) << 1;  // below 2^30: leaves 2^30 generations before wrapping
  }
  return (e + 3) & ~3u;
}
// A lazy span (spans.cc) records it at its first and last unit only: only a
// span's first unit ever holds a block's tag, and the units between never held
// descriptors of their own while it lived (their history from before stays).
void SetEpoch(Heap* h, int32_t kind, uint32_t first, uint32_t len, uint32_t epoch) {
  auto raise = [&](uint32_t u) { DW(h, u, D_LTAG) = int32_t(std::max(epoch, uint32_t(DW(h, u, D_LTAG)))); };
  if (IsLazy(kind, len)) {
    raise(first);
    raise(first + len - 1);
    return;
  }
  for (uint32_t u = first; u < first + len; u++) raise(u);
}

// A thread that ends gives back the empty spans it pooled (lib/allocator.ts)
// at once, instead of leaving them to whichever thread adopts its pages. Those
// spans hold no block (K_RELEASING, D_USED 0); one a remote free is still
// looking at (D_INFLIGHT) is left to the adopter. Their epoch goes to every
// unit: a pooled span has it in D_LTAG; a page the thread was releasing when it
// ended may hold tags above it, at its start. The caller holds the lock.
void ReleaseEmptySpans(Heap* h, int32_t slot) {
  std::vector<uint32_t> spans;
  ForEachSpan(h, [&](uint32_t u, int32_t kind, uint32_t) {
    if (kind == K_RELEASING && DW(h, u, D_OWNER) == slot && DW(h, u, D_USED) == 0 &&
        reinterpret_cast<std::atomic<int32_t>&>(DW(h, u, D_INFLIGHT)).load() == 0) {
      spans.push_back(u);
    }
    return true;
  });
  for (uint32_t u : spans) {
    const uint32_t len = uint32_t(DW(h, u, D_SIZE));
    uint32_t top = uint32_t(DW(h, u, D_LTAG));
    if (DW(h, u, D_FREELIST) != kPooled) {  // a page on its way to the pool
      const uint32_t bump = std::min(uint32_t(std::max(DW(h, u, D_BUMP), 0)), len << (kUnitShift - 2));
      const int32_t* tags = h->words() + (uint64_t(u) << kUnitShift) / 4;
      for (uint32_t i = 0; i < bump; i++) top = std::max(top, uint32_t(tags[i]));
      top = std::min(0xfffffffcu, (top + 4) & ~3u);
    }
    SetEpoch(h, K_RELEASING, u, len, top);
    SpanFree(h, u);
  }
}

// allocPage(sizeClass, units): a small page for this thread; returns its first
// unit (its epoch in D_LTAG) or 0 when the heap is exhausted.
napi_value AllocPage(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Args(env, info, 2, argv);
  EnvData* d = GetEnvData(env);
  double cls, units;
  if (!d->heap || !ArgInteger(env, argv[0], 0, 255, "size class", &cls) ||
      !ArgInteger(env, argv[1], 1, 4096, "page units", &units))
    return nullptr;
  std::lock_guard<SpinLock> lock(HeapMutex());
  Heap* h = d->heap;
  uint32_t unit = SpanAlloc(h, uint32_t(units), K_RELEASING, int32_t(cls), d->slot);
  if (unit != 0) {
    DW(h, unit, D_LTAG) = int32_t(EpochOf(h, unit, uint32_t(units)));
    // The JS side initialises the page, then publishes it as K_SMALL.
  }
  return Num(env, unit);
}

// releasePage(unit, epoch): returns an empty small page of this thread (already
// marked K_RELEASING by the JS side) to the span allocator.
napi_value ReleasePage(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Args(env, info, 2, argv);
  EnvData* d = GetEnvData(env);
  uint32_t unit;
  double epoch;
  if (!ArgUnit(env, d, argv[0], &unit) || !ArgInteger(env, argv[1], 0, 4294967295.0, "epoch", &epoch)) return nullptr;
  std::lock_guard<SpinLock> lock(HeapMutex());
  Heap* h = d->heap;
  if (DW(h, unit, D_KIND) != K_RELEASING || DW(h, unit, D_OWNER) != d->slot) {
    ThrowTyped(env, "InvalidPointerError", "releasePage: not a page this thread is releasing");
    return nullptr;
  }
  SetEpoch(h, K_RELEASING, unit, uint32_t(DW(h, unit, D_SIZE)), uint32_t(epoch));
  SpanFree(h, unit);
  return Undefined(env);
}

// allocLarge(units, bytes): a block of whole units; returns its first unit or 0.
napi_value AllocLarge(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Args(env, info, 1, argv);
  EnvData* d = GetEnvData(env);
  double units;
  if (!d->heap || !ArgInteger(env, argv[0], 1, kMaxUnits, "block units", &units)) return nullptr;
  std::lock_guard<SpinLock> lock(HeapMutex());
  Heap* h = d->heap;
  uint32_t unit = SpanAlloc(h, uint32_t(units), K_LARGE, int32_t(units), 0);
  if (unit != 0) {
    uint32_t tag = EpochOf(h, unit, uint32_t(units)) + 5;  // next generation, allocated
    reinterpret_cast<std::atomic<int32_t>&>(DW(h, unit, D_LTAG)).store(int32_t(tag));
  }
  return Num(env, unit);
}

// freeLarge(unit): 0 freed, 1 the block was already freed, 2 no block starts there.
napi_value FreeLarge(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Args(env, info, 1, argv);
  EnvData* d = GetEnvData(env);
  uint32_t unit;
  if (!ArgUnit(env, d, argv[0], &unit)) return nullptr;
  std::lock_guard<SpinLock> lock(HeapMutex());
  Heap* h = d->heap;
  int32_t kind = DW(h, unit, D_KIND);
  if (kind == K_FREE) return Num(env, 1);
  if (kind != K_LARGE) return Num(env, 2);
  uint32_t tag = uint32_t(DW(h, unit, D_LTAG));
  uint32_t len = uint32_t(DW(h, unit, D_SIZE));
  // Freed generation: every unit remembers it, wherever the next span starts.
  reinterpret_cast<std::atomic<int32_t>&>(DW(h, unit, D_LTAG)).store(int32_t(tag + 3));
  SetEpoch(h, K_LARGE, unit, len, tag + 3);
  SpanFree(h, unit);
  return Num(env, 0);
}

// resizeLarge(unit, units): grows or shrinks a large block in place; false if it cannot.
napi_value ResizeLarge(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Args(env, info, 2, argv);
  EnvData* d = GetEnvData(env);
  uint32_t unit;
  double units;
  if (!ArgUnit(env, d, argv[0], &unit) || !ArgInteger(env, argv[1], 1, kMaxUnits, "block units", &units)) return nullptr;
  std::lock_guard<SpinLock> lock(HeapMutex());
  Heap* h = d->heap;
  if (DW(h, unit, D_KIND) != K_LARGE) {
    ThrowTyped(env, "InvalidPointerError", "resizeLarge: no large block starts there");
    return nullptr;
  }
  bool ok = SpanResize(h, unit, uint32_t(units));
  napi_value out;
  napi_get_boolean(env, ok, &out);
  return out;
}

// adoptOrphans(): gives this thread every small page whose owner thread died;
// returns their first units. The dead slots become free for new threads.
napi_value AdoptOrphans(napi_env env, napi_callback_info info) {
  EnvData* d = GetEnvData(env);
  if (!d->heap) return nullptr;
  std::lock_guard<SpinLock> lock(HeapMutex());
  Heap* h = d->heap;
  std::vector<uint32_t> pages;
  bool dead[kMaxThreads] = {};
  for (uint32_t s = 1; s < kMaxThreads; s++) dead[s] = h->word(ThreadWord(s, T_STATE)) == int32_t(SLOT_DEAD);
  ForEachSpan(h, [&](uint32_t u, int32_t kind, uint32_t) {
    const int32_t owner = DW(h, u, D_OWNER);
    if ((kind == K_SMALL || kind == K_RELEASING) && owner > 0 && owner < int32_t(kMaxThreads) && dead[owner]) {
      reinterpret_cast<std::atomic<int32_t>&>(DW(h, u, D_OWNER)).store(d->slot);
      pages.push_back(u);
    }
    return true;
  });
  int32_t released = 0;
  for (uint32_t s = 1; s < kMaxThreads; s++) {
    if (dead[s]) {
      reinterpret_cast<std::atomic<int32_t>&>(h->word(ThreadWord(s, T_STATE))).store(int32_t(SLOT_FREE));
      released++;
    }
  }
  reinterpret_cast<std::atomic<int32_t>&>(h->word(H_ORPHANS)).fetch_sub(released);
  return UnitArray(env, pages);
}

// spanOf(unit): the first unit of the span that holds `unit`, 0 if none (a walk
// of every span under the lock; error paths use it for units between the ends
// of a lazy span, whose descriptors say K_FREE).
napi_value SpanOf(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Args(env, info, 1, argv);
  EnvData* d = GetEnvData(env);
  uint32_t unit;
  if (!ArgUnit(env, d, argv[0], &unit)) return nullptr;
  std::lock_guard<SpinLock> lock(HeapMutex());
  return Num(env, SpanContaining(d->heap, unit));
}

// ownedSpans(): the first units of the small pages and pooled spans this
// thread's slot owns: those of the dead thread whose slot it took (init's
// `inherited`). A walk of the spans, under the lock.
napi_value OwnedSpans(napi_env env, napi_callback_info info) {
  EnvData* d = GetEnvData(env);
  if (!d->heap) return nullptr;
  std::vector<uint32_t> units;
  {
    std::lock_guard<SpinLock> lock(HeapMutex());
    Heap* h = d->heap;
    ForEachSpan(h, [&](uint32_t u, int32_t kind, uint32_t) {
      if ((kind == K_SMALL || kind == K_RELEASING) && DW(h, u, D_OWNER) == d->slot) units.push_back(u);
      return true;
    });
  }
  return UnitArray(env, units);
}

// checkSpans(): null, or a description of the first broken span invariant.
napi_value CheckSpans(napi_env env, napi_callback_info info) {
  EnvData* d = GetEnvData(env);
  if (!d->heap) return nullptr;
  char buf[256];
  const char* fault;
  {
    std::lock_guard<SpinLock> lock(HeapMutex());
    fault = SpansCheck(d->heap, buf, sizeof buf);
  }
  if (!fault) {
    napi_value n;
    napi_get_null(env, &n);
    return n;
  }
  napi_value s;
  napi_create_string_utf8(env, fault, NAPI_AUTO_LENGTH, &s);
  return s;
}

napi_value Noop(napi_env env, napi_callback_info info) { return nullptr; }

}  // namespace

EnvData* GetEnvData(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  return static_cast<EnvData*>(data);
}

napi_value MakeTypedError(napi_env env, const char* className, const char* message) {
  EnvData* d = GetEnvData(env);
  napi_value msg, err, classes, ctor;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_valuetype t = napi_undefined;
  if (d && d->errors && napi_get_reference_value(env, d->errors, &classes) == napi_ok &&
      napi_get_named_property(env, classes, className, &ctor) == napi_ok && napi_typeof(env, ctor, &t) == napi_ok &&
      t == napi_function && napi_new_instance(env, ctor, 1, &msg, &err) == napi_ok) {
    return err;
  }
  napi_create_error(env, nullptr, msg, &err);
  return err;
}

void ThrowTyped(napi_env env, const char* className, const char* message) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return;
  napi_throw(env, MakeTypedError(env, className, message));
}

void ThrowTypedV8(napi_env env, const char* className, const char* message) {
  // napi_throw inside a raw V8 callback would park the exception in the env
  // until the next N-API callback returns; throw it through V8 instead.
  napi_value err = MakeTypedError(env, className, message);
  v8::Local<v8::Value> local;
  memcpy(static_cast<void*>(&local), &err, sizeof err);
  v8::Isolate::GetCurrent()->ThrowException(local);
}

bool ArgInteger(napi_env env, napi_value v, double min, double max, const char* what, double* out) {
  double x;
  napi_valuetype t = napi_undefined;
  napi_typeof(env, v, &t);
  if (t != napi_number || napi_get_value_double(env, v, &x) != napi_ok || !(x >= min && x <= max) || x != std::floor(x)) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s must be an integer from %.0f to %.0f", what, min, max);
    ThrowTyped(env, "InvalidSizeError", msg);
    return false;
  }
  *out = x;
  return true;
}

}  // namespace ptr

NAPI_MODULE_INIT() {
  auto* d = new ptr::EnvData();
  d->env = env;
  napi_set_instance_data(env, d, ptr::FinalizeEnv, nullptr);
  struct Fn {
    const char* name;
    napi_callback cb;
  } fns[] = {
      {"init", ptr::Init},
      {"setErrorClasses", ptr::SetErrorClasses},
      {"allocPage", ptr::AllocPage},
      {"releasePage", ptr::ReleasePage},
      {"allocLarge", ptr::AllocLarge},
      {"freeLarge", ptr::FreeLarge},
      {"resizeLarge", ptr::ResizeLarge},
      {"adoptOrphans", ptr::AdoptOrphans},
      {"ownedSpans", ptr::OwnedSpans},
      {"checkSpans", ptr::CheckSpans},
      {"spanOf", ptr::SpanOf},
      {"stackSegment", ptr::StackSegment},
      {"noop", ptr::Noop},
  };
  for (auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  return exports;
}
