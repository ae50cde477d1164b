// The process heap: one reservation per process, shared by every isolate.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <atomic>
#include <mutex>
#include <thread>

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

// The lock of the span allocator and the thread table: spins briefly, then
// yields. Its critical sections take well under a microsecond; a sleeping
// mutex's hand-off (futex wait and wake) costs tens of microseconds on a busy
// VM, which made two threads that page in and out slower than one. Held only
// inside native calls, which a terminated worker cannot interrupt, so no dead
// thread can hold it.
class SpinLock {
 public:
  void lock() {
    int spins = 0;
    while (flag_.exchange(true, std::memory_order_acquire)) {
      while (flag_.load(std::memory_order_relaxed)) {
        if (++spins < 128) {
#if defined(__x86_64__) || defined(__i386__)
          __builtin_ia32_pause();
#elif defined(__aarch64__)
          asm volatile("yield");
#endif
        } else {
          std::this_thread::yield();
        }
      }
    }
  }
  void unlock() { flag_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> flag_{false};
};
SpinLock& HeapMutex();

// Reserves the heap on first call (later calls return the same heap; their size
// is ignored). Returns nullptr with `error` set when the reservation fails.
Heap* EnsureHeap(uint64_t bytes, uint64_t stackBytes, const char** error);
Heap* CurrentHeap();

// Calls fn(first unit, kind, length) for every span in address order, until fn
// returns false; the caller holds HeapMutex(). A zero length (a broken heap)
// counts as one unit, so the walk always ends.
template <typename F>
void ForEachSpan(Heap* h, F fn) {
  for (uint32_t u = h->firstDataUnit; u < h->units;) {
    const int32_t kind = h->word(DescWord(u, D_KIND));
    const uint32_t len = uint32_t(h->word(DescWord(u, kind == K_FREE ? D_INFO : D_SIZE)));
    if (!fn(u, kind, len)) return;
    u += len ? len : 1;
  }
}

// Span allocator (spans.cc); the caller holds HeapMutex().
void SpansInit(Heap* h);
// Returns the first unit of a span of `units` units or 0 when none fits.
uint32_t SpanAlloc(Heap* h, uint32_t units, int32_t kind, int32_t info, int32_t owner);
void SpanFree(Heap* h, uint32_t unit);
// Grows or shrinks the used span at `unit` in place; false when it cannot.
bool SpanResize(Heap* h, uint32_t unit, uint32_t units);
// True for used spans written lazily (first and last unit only; spans.cc).
bool IsLazy(int32_t kind, uint32_t len);
// First unit of the span that holds `unit` (a walk of every span: error paths only); 0 if none.
uint32_t SpanContaining(Heap* h, uint32_t unit);
// Checks the span structure; returns nullptr or a description of the first fault.
const char* SpansCheck(Heap* h, char* buf, size_t len);

// Thread slots (heap.cc); the caller holds HeapMutex().
// `inherited` tells whether the slot was a dead thread's (its spans are then this thread's).
int32_t SlotAcquire(Heap* h, int32_t threadId, bool* inherited);
void SlotRelease(Heap* h, int32_t slot);

}  // namespace ptr
