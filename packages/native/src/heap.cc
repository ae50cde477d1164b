// The reservation, the one shared backing store, and the thread slots.
#include "heap.h"

#include <sys/mman.h>
#include <v8.h>

#include <atomic>
#include <cstring>

namespace ptr {
namespace {
SpinLock g_mutex;
std::atomic<Heap*> g_heap{nullptr};
}  // namespace

SpinLock& HeapMutex() { return g_mutex; }
Heap* CurrentHeap() { return g_heap.load(std::memory_order_acquire); }

Heap* EnsureHeap(uint64_t bytes, uint64_t stackBytes, const char** error) {
  std::lock_guard<SpinLock> lock(g_mutex);
  if (Heap* h = g_heap.load(std::memory_order_relaxed)) return h;

  const uint32_t units = uint32_t(bytes >> kUnitShift);
  const uint64_t headerBytes = uint64_t(kDescBase + uint64_t(units) * kDescWords) * 4;
  const uint32_t headerUnits = uint32_t((headerBytes + kUnitBytes - 1) >> kUnitShift);
  if (units < headerUnits + 2) {
    *error = "heap size too small";
    return nullptr;
  }
  // MAP_NORESERVE: the kernel commits pages only when touched, so the reservation
  // itself costs address space, not memory.
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) {
    *error = "mmap of the heap reservation failed";
    return nullptr;
  }
  auto* h = new Heap();
  h->base = static_cast<uint8_t*>(mem);
  h->bytes = bytes;
  h->units = units;
  h->firstDataUnit = headerUnits;
  // Never freed: SAB wrappers are collected on any thread, at any time, so the
  // memory must outlive every isolate. The process owns it until exit.
  h->store = std::shared_ptr<v8::BackingStore>(
      v8::SharedArrayBuffer::NewBackingStore(mem, bytes, v8::BackingStore::EmptyDeleter, nullptr));

  h->word(H_MAGIC) = int32_t(kMagic);
  h->word(H_VERSION) = int32_t(kLayoutVersion);
  h->word(H_UNITS) = int32_t(units);
  h->word(H_FIRST_DATA_UNIT) = int32_t(headerUnits);
  h->word(H_STACK_BYTES) = int32_t(stackBytes);
  // The header's own descriptors stay zero (never touched): nothing looks them
  // up, since every address check starts at the first data unit.
  h->word(H_COMMITTED_UNITS) = 0;
  SpansInit(h);
  g_heap.store(h, std::memory_order_release);
  return h;
}

int32_t SlotAcquire(Heap* h, int32_t threadId, bool* inherited) {
  // A free slot first (a dead one becomes free once live threads adopted its
  // pages); failing that, a dead slot, whose pages the new thread then inherits
  // (lib/allocator.ts rebuilds every page its slot owns at load).
  for (int32_t want : {int32_t(SLOT_FREE), int32_t(SLOT_DEAD)}) {
  for (uint32_t s = 1; s < kMaxThreads; s++) {
    auto* state = reinterpret_cast<std::atomic<int32_t>*>(&h->word(ThreadWord(s, T_STATE)));
    if (state->load() == want) {
      if (want == int32_t(SLOT_DEAD)) reinterpret_cast<std::atomic<int32_t>*>(&h->word(H_ORPHANS))->fetch_sub(1);
      h->word(ThreadWord(s, T_THREAD_ID)) = threadId;
      h->word(ThreadWord(s, T_STACK_UNIT)) = 0;
      h->word(ThreadWord(s, T_INCARNATION)) += 1;
      state->store(int32_t(SLOT_LIVE));
      *inherited = want == int32_t(SLOT_DEAD);
      return int32_t(s);
    }
  }
  }
  return -1;
}

void SlotRelease(Heap* h, int32_t slot) {
  // Its stack segment has no live frame any more: the thread is gone.
  int32_t& stackUnit = h->word(ThreadWord(slot, T_STACK_UNIT));
  if (stackUnit != 0) {
    SpanFree(h, uint32_t(stackUnit));
    stackUnit = 0;
  }
  // Its small pages stay owned by the dead slot until a live thread adopts them
  // (lib/pages.ts); blocks on them stay valid meanwhile.
  reinterpret_cast<std::atomic<int32_t>*>(&h->word(ThreadWord(slot, T_STATE)))->store(int32_t(SLOT_DEAD));
  reinterpret_cast<std::atomic<int32_t>*>(&h->word(H_ORPHANS))->fetch_add(1);
}

}  // namespace ptr
