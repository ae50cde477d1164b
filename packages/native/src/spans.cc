// The page-level allocator: spans of 4 KiB units, best fit, coalescing on free.
//
// Invariants (checked by SpansCheck, the runtime form of this comment):
// - Walking from the first data unit by span lengths lands exactly on the last unit.
// - A free span has D_KIND == K_FREE on every unit and its length in D_INFO of its
//   first and last unit (the units between keep stale D_INFO); no two free spans
//   are adjacent (free coalesces).
// - A used span (SMALL, LARGE, STACK, RELEASING) has its length in D_SIZE of its
//   first unit and CONT units that point back at it (D_INFO); those of a RELEASING
//   span (empty, pooled by its thread) may point at an earlier first unit.
// - H_COMMITTED_UNITS counts units with D_COMMITTED == 1 (atomic: stats() reads it unlocked).
// - g_free holds exactly the free spans, as (length, first unit).
// - H_FREE_UNITS is the sum of free span lengths.
// - Descriptors are written only for units that were part of a used span, and the
//   first and last unit of free spans: the descriptor table of a 4 GiB heap is
//   64 MiB, and only the part a program uses becomes resident (H_META_BYTES).
// Freed spans stay committed for reuse up to a small cache (kCommittedCacheUnits);
// beyond it, and for any freed span of 1 MiB or more, they are decommitted
// (madvise), so a heap that shrinks gives its memory back to the OS.
#include <sys/mman.h>

#include <atomic>
#include <cstdio>
#include <deque>
#include <set>
#include <vector>
#include <utility>

#include "heap.h"

namespace ptr {
namespace {

std::set<std::pair<uint32_t, uint32_t>> g_free;  // (length, first unit)

// Free committed units kept for reuse before decommitting (512 KiB): the
// threads' own pools (lib/allocator.ts) absorb most page churn; this absorbs
// what passes between threads, and counts in `committed`.
constexpr uint32_t kCommittedCacheUnits = 128;
// A freed span this long (1 MiB) is decommitted at once.
constexpr uint32_t kDecommitNowUnits = 256;
// Used spans of kLazyUnits (1 MiB: big blocks, stack segments) are lazy: only
// their first and last unit's descriptors are written. Writing all of them would
// make 1/64 of a block's bytes resident before the block is even touched. An
// address between finds its span by SpanContaining (error paths only). A lazy
// span counts as committed in full and is decommitted in full when freed.
uint32_t g_freeCommitted = 0;
// Spans freed while committed, oldest first: when the cache is over its size,
// the oldest go back to the OS first (the newest are the likeliest reused).
// Entries go stale when their units are handed out again; Evict skips those.
std::deque<std::pair<uint32_t, uint32_t>> g_recent;  // (first unit, length)
constexpr size_t kRecentMax = 4096;

// Which 4 KiB pages of the header were ever written (global words, thread
// table, descriptor pages), summed into H_META_BYTES.
std::vector<bool> g_metaTouched;

int32_t& W(Heap* h, uint32_t unit, uint32_t field) { return h->word(DescWord(unit, field)); }
void AtomicStore(int32_t& w, int32_t v) { reinterpret_cast<std::atomic<int32_t>&>(w).store(v); }
void AtomicAdd(int32_t& w, int32_t v) { reinterpret_cast<std::atomic<int32_t>&>(w).fetch_add(v); }

// Records that the descriptors of units [first, last] are about to be written.
void TouchDescriptors(Heap* h, uint32_t first, uint32_t last) {
  const uint64_t from = uint64_t(DescWord(first, 0)) * 4 >> 12;
  const uint64_t to = (uint64_t(DescWord(last, 0)) * 4 + kDescWords * 4 - 1) >> 12;
  for (uint64_t p = from; p <= to; p++) {
    if (!g_metaTouched[p]) {
      g_metaTouched[p] = true;
      h->word(H_META_BYTES) += 4096;
    }
  }
}

// Records the free span [first, first+len) whose units are already K_FREE.
void MarkFree(Heap* h, uint32_t first, uint32_t len) {
  TouchDescriptors(h, first, first);
  TouchDescriptors(h, first + len - 1, first + len - 1);
  W(h, first, D_INFO) = int32_t(len);
  W(h, first + len - 1, D_INFO) = int32_t(len);
  g_free.insert({len, first});
}

void Unlink(uint32_t first, uint32_t len) { g_free.erase({len, first}); }

// Gives the memory of [first, first+len) back to the OS; `units` of it were counted as committed.
void ReturnToOS(Heap* h, uint32_t first, uint32_t len, uint32_t units) {
  madvise(h->base + (uint64_t(first) << kUnitShift), uint64_t(len) << kUnitShift, MADV_DONTNEED);
  AtomicAdd(h->word(H_COMMITTED_UNITS), -int32_t(units));
  AtomicAdd(h->word(H_DECOMMITS), 1);
}

// Clears the committed flags of [first, first+len) (free units); returns how many were set.
uint32_t ClearCommitted(Heap* h, uint32_t first, uint32_t len) {
  uint32_t n = 0;
  for (uint32_t u = first; u < first + len; u++) {
    if (W(h, u, D_COMMITTED)) {
      W(h, u, D_COMMITTED) = 0;
      n++;
    }
  }
  return n;
}

// Decommits the free units of [first, first+len) whose committed flag is set.
void Decommit(Heap* h, uint32_t first, uint32_t len) {
  const uint32_t n = ClearCommitted(h, first, len);
  if (n == 0) return;
  ReturnToOS(h, first, len, n);
  g_freeCommitted -= n;
}

// Decommits the units of [first, first+len) that are still free and committed,
// one madvise per contiguous run.
void DecommitFree(Heap* h, uint32_t first, uint32_t len) {
  uint32_t u = first;
  while (u < first + len) {
    if (W(h, u, D_KIND) != K_FREE || !W(h, u, D_COMMITTED)) {
      u++;
      continue;
    }
    uint32_t v = u;
    while (v < first + len && W(h, v, D_KIND) == K_FREE && W(h, v, D_COMMITTED)) v++;
    Decommit(h, u, v - u);
    u = v;
  }
}

// Returns the oldest free committed units to the OS until the cache is at 3/4
// of its size: evicting in batches keeps madvise calls rare under churn.
void Evict(Heap* h) {
  if (g_freeCommitted <= kCommittedCacheUnits) return;
  while (g_freeCommitted > kCommittedCacheUnits * 3 / 4 && !g_recent.empty()) {
    auto [first, len] = g_recent.front();
    g_recent.pop_front();
    DecommitFree(h, first, len);
  }
  // Committed free units no entry remembers (dropped entries): the last resort
  // is every free span, smallest first, skipping the never-used tail.
  for (auto it = g_free.begin(); g_freeCommitted > kCommittedCacheUnits && it != g_free.end(); ++it) {
    DecommitFree(h, it->second, std::min(it->first, kDecommitNowUnits * 16));
  }
}

// Free units [first, first+len) join a used span, which counts as committed in
// full (ShapeUsed): their own committed flags leave the free cache's count.
void ClaimCommitted(Heap* h, uint32_t first, uint32_t len) {
  const uint32_t n = ClearCommitted(h, first, len);
  g_freeCommitted -= n;
  AtomicAdd(h->word(H_COMMITTED_UNITS), int32_t(len - n));
}

// Writes the descriptors of the used span [first, first+len) (its first unit's
// fields aside from D_SIZE are the caller's): every unit CONT when the span is
// short; when it is lazy, only the last unit, and the units between made K_FREE
// again if they were not (reading a never-written descriptor costs nothing, so
// the checks keep untouched ones untouched). A used span counts as committed in
// full: the committed flags of a short one are all set, those of a lazy one clear.
void ShapeUsed(Heap* h, uint32_t first, uint32_t len, bool lazy) {
  const uint32_t last = first + len - 1;
  if (!lazy) {
    TouchDescriptors(h, first, last);
    for (uint32_t u = first + 1; u <= last; u++) {
      W(h, u, D_INFO) = int32_t(first);
      AtomicStore(W(h, u, D_KIND), K_CONT);
    }
    for (uint32_t u = first; u <= last; u++) W(h, u, D_COMMITTED) = 1;
  } else {
    TouchDescriptors(h, first, first);
    TouchDescriptors(h, last, last);
    for (uint32_t u = first + 1; u < last; u++) {
      if (W(h, u, D_KIND) != K_FREE) AtomicStore(W(h, u, D_KIND), K_FREE);
      if (W(h, u, D_COMMITTED)) W(h, u, D_COMMITTED) = 0;
    }
    W(h, first, D_COMMITTED) = 0;
    W(h, last, D_COMMITTED) = 0;
    W(h, last, D_INFO) = int32_t(first);
    AtomicStore(W(h, last, D_KIND), K_CONT);
  }
  W(h, first, D_SIZE) = int32_t(len);
}

}  // namespace

bool IsLazy(int32_t kind, uint32_t len) { return len >= kLazyUnits && (kind == K_LARGE || kind == K_STACK); }

uint32_t SpanContaining(Heap* h, uint32_t unit) {
  uint32_t found = 0;
  ForEachSpan(h, [&](uint32_t u, int32_t, uint32_t len) {
    if (unit < u + len) found = u;
    return found == 0 && len != 0;
  });
  return found;
}

void SpansInit(Heap* h) {
  g_free.clear();
  g_recent.clear();
  // The global words and the thread table (the bytes before the descriptor table).
  g_metaTouched.assign(size_t(h->firstDataUnit), false);
  for (uint32_t p = 0; p < kDescBase * 4 / 4096; p++) g_metaTouched[p] = true;
  h->word(H_META_BYTES) = int32_t(kDescBase * 4);
  // Fresh memory is zero, and K_FREE is 0: only the span's ends need writing.
  uint32_t first = h->firstDataUnit, len = h->units - first;
  MarkFree(h, first, len);
  h->word(H_FREE_UNITS) = int32_t(len);
}

uint32_t SpanAlloc(Heap* h, uint32_t units, int32_t kind, int32_t info, int32_t owner) {
  if (units == 0) return 0;
  auto it = g_free.lower_bound({units, 0});
  if (it == g_free.end()) return 0;
  // Among the few best fits, one whose start is still committed: reusing
  // resident memory saves the page faults (and keeps the cache small).
  auto pick = it;
  for (int i = 0; i < 8 && pick != g_free.end(); i++, ++pick) {
    if (W(h, pick->second, D_COMMITTED)) {
      it = pick;
      break;
    }
  }
  const uint32_t len = it->first, first = it->second;
  g_free.erase(it);
  if (len > units) MarkFree(h, first + units, len - units);
  h->word(H_FREE_UNITS) -= int32_t(units);

  ClaimCommitted(h, first, units);
  ShapeUsed(h, first, units, IsLazy(kind, units));
  W(h, first, D_INFO) = info;
  W(h, first, D_OWNER) = owner;
  W(h, first, D_USED) = 0;
  W(h, first, D_REMOTE) = 0;
  W(h, first, D_INFLIGHT) = 0;
  W(h, first, D_FREELIST) = 0;
  W(h, first, D_BUMP) = 0;
  AtomicStore(W(h, first, D_KIND), kind);
  return first;
}

static uint32_t SpanLength(Heap* h, uint32_t unit) { return uint32_t(W(h, unit, D_SIZE)); }

void SpanFree(Heap* h, uint32_t unit) {
  uint32_t first = unit, len = SpanLength(h, unit);
  const bool lazy = IsLazy(W(h, unit, D_KIND), len);
  // Coalesce with the free neighbours on both sides.
  if (first > h->firstDataUnit && W(h, first - 1, D_KIND) == K_FREE) {
    uint32_t plen = uint32_t(W(h, first - 1, D_INFO));
    Unlink(first - plen, plen);
    first -= plen;
    len += plen;
  }
  uint32_t next = unit + SpanLength(h, unit);
  if (next < h->units && W(h, next, D_KIND) == K_FREE) {
    uint32_t nlen = uint32_t(W(h, next, D_INFO));
    Unlink(next, nlen);
    len += nlen;
  }
  const uint32_t freed = SpanLength(h, unit);
  h->word(H_FREE_UNITS) += int32_t(freed);
  if (lazy) {
    // Its units between hold K_FREE already; all of it goes back to the OS now.
    AtomicStore(W(h, unit, D_KIND), K_FREE);
    AtomicStore(W(h, unit + freed - 1, D_KIND), K_FREE);
    ReturnToOS(h, unit, freed, freed);  // a used span counts as committed in full
    MarkFree(h, first, len);
    return;
  }
  g_freeCommitted += freed;  // its committed flags are all set (ShapeUsed)
  for (uint32_t u = unit; u < unit + freed; u++) AtomicStore(W(h, u, D_KIND), K_FREE);
  MarkFree(h, first, len);
  // Give the freed units back to the OS when the cache of free committed units
  // is full (the oldest first). Only the freed span is walked (not its free
  // neighbours, which may be most of the heap), so a free costs O(its length).
  if (freed >= kDecommitNowUnits) {
    Decommit(h, unit, freed);
  } else {
    // Bounded: a span freed and reused in a loop leaves only stale entries.
    if (g_recent.size() >= kRecentMax) g_recent.pop_front();
    g_recent.push_back({unit, freed});
    Evict(h);
  }
}

bool SpanResize(Heap* h, uint32_t unit, uint32_t units) {
  const uint32_t len = SpanLength(h, unit);
  if (units == len) return true;
  if (units < len) {
    // Shrink: the head keeps its first unit, the tail becomes a large span of
    // its own (its units stay counted as committed), then is freed and coalesced.
    const uint32_t tail = unit + units, tlen = len - units;
    ShapeUsed(h, unit, units, IsLazy(K_LARGE, units));
    ShapeUsed(h, tail, tlen, IsLazy(K_LARGE, tlen));
    AtomicStore(W(h, tail, D_KIND), K_LARGE);
    SpanFree(h, tail);
    return true;
  }
  // Grow: only into a free span right after this one.
  const uint32_t next = unit + len;
  if (next >= h->units || W(h, next, D_KIND) != K_FREE) return false;
  const uint32_t nlen = uint32_t(W(h, next, D_INFO));
  if (len + nlen < units) return false;
  Unlink(next, nlen);
  const uint32_t extra = units - len;
  if (nlen > extra) MarkFree(h, next + extra, nlen - extra);
  h->word(H_FREE_UNITS) -= int32_t(extra);
  ClaimCommitted(h, next, extra);
  ShapeUsed(h, unit, units, IsLazy(K_LARGE, units));
  return true;
}

const char* SpansCheck(Heap* h, char* buf, size_t n) {
  uint32_t u = h->firstDataUnit, freeUnits = 0, freeSpans = 0, committed = 0;
  bool prevFree = false;
  for (uint32_t i = 0; i < h->units; i++) committed += W(h, i, D_COMMITTED) ? 1 : 0;
  while (u < h->units) {
    int32_t kind = W(h, u, D_KIND);
    uint32_t len;
    if (kind == K_FREE) {
      len = uint32_t(W(h, u, D_INFO));
      if (len == 0 || u + len > h->units || uint32_t(W(h, u + len - 1, D_INFO)) != len) {
        snprintf(buf, n, "free span at unit %u has a bad length", u);
        return buf;
      }
      if (prevFree) {
        snprintf(buf, n, "free span at unit %u follows another free span", u);
        return buf;
      }
      if (!g_free.count({len, u})) {
        snprintf(buf, n, "free span at unit %u is missing from the free index", u);
        return buf;
      }
      for (uint32_t k = u; k < u + len; k++) {
        if (W(h, k, D_KIND) != K_FREE) {
          snprintf(buf, n, "unit %u inside a free span is not free", k);
          return buf;
        }
      }
      freeUnits += len;
      freeSpans++;
      prevFree = true;
    } else if (kind == K_SMALL || kind == K_LARGE || kind == K_STACK || kind == K_RELEASING) {
      len = SpanLength(h, u);
      if (len == 0 || u + len > h->units) {
        snprintf(buf, n, "span at unit %u has a bad length %u", u, len);
        return buf;
      }
      if (IsLazy(kind, len)) {
        // Lazy: its last unit points back; the units between are K_FREE.
        if (W(h, u + len - 1, D_KIND) != K_CONT || uint32_t(W(h, u + len - 1, D_INFO)) != u) {
          snprintf(buf, n, "last unit of the span at unit %u does not point back at it", u);
          return buf;
        }
        for (uint32_t k = u + 1; k < u + len - 1; k++) {
          if (W(h, k, D_KIND) != K_FREE || W(h, k, D_COMMITTED)) {
            snprintf(buf, n, "unit %u inside the lazy span at unit %u is not blank", k, u);
            return buf;
          }
        }
        if (W(h, u, D_COMMITTED) || W(h, u + len - 1, D_COMMITTED)) {
          snprintf(buf, n, "the lazy span at unit %u has committed flags", u);
          return buf;
        }
        committed += len;  // counted in full
      } else {
        // A span pooled by its thread (K_RELEASING) may keep stale back-pointers
        // (lib/allocator.ts, poolPut): it only needs CONT units.
        for (uint32_t k = u + 1; k < u + len; k++) {
          if (W(h, k, D_KIND) != K_CONT || (kind != K_RELEASING && uint32_t(W(h, k, D_INFO)) != u)) {
            snprintf(buf, n, "unit %u of the span at unit %u does not point back at it", k, u);
            return buf;
          }
        }
      }
      prevFree = false;
    } else {
      snprintf(buf, n, "unit %u starts no span (kind %d)", u, kind);
      return buf;
    }
    u += len;
  }
  if (u != h->units) {
    snprintf(buf, n, "spans overrun the heap");
    return buf;
  }
  if (committed != uint32_t(h->word(H_COMMITTED_UNITS))) {
    snprintf(buf, n, "committed units %u but the header says %d", committed, h->word(H_COMMITTED_UNITS));
    return buf;
  }
  if (freeSpans != g_free.size() || freeUnits != uint32_t(h->word(H_FREE_UNITS))) {
    snprintf(buf, n, "free index has %zu spans, the heap %u; free units %u, header %d", g_free.size(), freeSpans,
             freeUnits, h->word(H_FREE_UNITS));
    return buf;
  }
  return nullptr;
}

}  // namespace ptr
