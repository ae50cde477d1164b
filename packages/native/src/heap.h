// The process heap: one reservation per process, shared by every isolate.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

#include "layout.h"

namespace v8 { class BackingStore; }

namespace ptr {

struct Heap {
  uint8_t* base = nullptr;
  uint64_t bytes = 0;
  uint32_t units = 0;
  uint32_t firstDataUnit = 0;
  // Created once and handed to every isolate: one backing store per isolate over
  // the same memory aborts the process on Atomics.notify (see PLATFORM.md).
  std::shared_ptr<v8::BackingStore> store;

  int32_t* words() const { return reinterpret_cast<int32_t*>(base); }
  int32_t& word(uint32_t i) const { return words()[i]; }
};

// Guards the span allocator and the thread table. Held only inside native
// calls, which a terminated worker cannot interrupt, so no dead thread can hold it.
std::mutex& HeapMutex();

// Reserves the heap on first call (later calls return the same heap; their size
// is ignored). Returns nullptr with `error` set when the reservation fails.
Heap* EnsureHeap(uint64_t bytes, uint64_t stackBytes, const char** error);
Heap* CurrentHeap();

// Span allocator (spans.cc); the caller holds HeapMutex().
void SpansInit(Heap* h);
// Returns the first unit of a span of `units` units or 0 when none fits.
uint32_t SpanAlloc(Heap* h, uint32_t units, int32_t kind, int32_t info, int32_t owner);
void SpanFree(Heap* h, uint32_t unit);
// Grows or shrinks the used span at `unit` in place; false when it cannot.
bool SpanResize(Heap* h, uint32_t unit, uint32_t units);
// Checks the span structure; returns nullptr or a description of the first fault.
const char* SpansCheck(Heap* h, char* buf, size_t len);

// Thread slots (heap.cc); the caller holds HeapMutex().
int32_t SlotAcquire(Heap* h, int32_t threadId);
void SlotRelease(Heap* h, int32_t slot);

}  // namespace ptr
