// The page-level allocator: spans of 64 KiB units, best fit, coalescing on free.
//
// Invariants (checked by SpansCheck, the runtime form of this comment):
// - Walking from the first data unit by span lengths lands exactly on the last unit.
// - A free span has D_KIND == K_FREE on every unit and its length in D_INFO of its
//   first and last unit; no two free spans are adjacent (free coalesces).
// - A used span (SMALL, LARGE, STACK, RELEASING) has its length in D_SIZE of its
//   first unit and CONT units that point back at it (D_INFO).
// - g_free holds exactly the free spans, as (length, first unit).
// - H_FREE_UNITS is the sum of free span lengths; H_COMMITTED_UNITS counts units
//   with D_COMMITTED == 1.
// A freed span is decommitted (madvise) when it is 1 MiB or more, or when more
// than 4 MiB of free units is still committed, so a heap that shrinks gives its
// memory back to the OS.
#include <sys/mman.h>

#include <atomic>
#include <cstdio>
#include <set>
#include <utility>

#include "heap.h"

namespace ptr {
namespace {

std::set<std::pair<uint32_t, uint32_t>> g_free;  // (length, first unit)

// Free committed units kept for reuse before decommitting (4 MiB): enough to
// absorb page churn without madvise calls, small next to what a heap holds.
constexpr uint32_t kCommittedCacheUnits = 64;
// A freed span this long (1 MiB) is decommitted at once.
constexpr uint32_t kDecommitNowUnits = 16;
uint32_t g_freeCommitted = 0;

int32_t& W(Heap* h, uint32_t unit, uint32_t field) { return h->word(DescWord(unit, field)); }
void AtomicStore(int32_t& w, int32_t v) { reinterpret_cast<std::atomic<int32_t>&>(w).store(v); }

void MarkFree(Heap* h, uint32_t first, uint32_t len) {
  for (uint32_t u = first; u < first + len; u++) {
    AtomicStore(W(h, u, D_KIND), K_FREE);
    W(h, u, D_INFO) = 0;
  }
  W(h, first, D_INFO) = int32_t(len);
  W(h, first + len - 1, D_INFO) = int32_t(len);
  g_free.insert({len, first});
}

void Unlink(uint32_t first, uint32_t len) { g_free.erase({len, first}); }

void Decommit(Heap* h, uint32_t first, uint32_t len) {
  uint32_t n = 0;
  for (uint32_t u = first; u < first + len; u++) {
    if (W(h, u, D_COMMITTED)) {
      W(h, u, D_COMMITTED) = 0;
      n++;
    }
  }
  if (n == 0) return;
  madvise(h->base + (uint64_t(first) << kUnitShift), uint64_t(len) << kUnitShift, MADV_DONTNEED);
  h->word(H_COMMITTED_UNITS) -= int32_t(n);
  h->word(H_DECOMMITS) += 1;
  g_freeCommitted -= n;
}

uint32_t CommittedIn(Heap* h, uint32_t first, uint32_t len) {
  uint32_t n = 0;
  for (uint32_t u = first; u < first + len; u++) n += W(h, u, D_COMMITTED) ? 1 : 0;
  return n;
}

}  // namespace

void SpansInit(Heap* h) {
  g_free.clear();
  uint32_t first = h->firstDataUnit, len = h->units - first;
  MarkFree(h, first, len);
  h->word(H_FREE_UNITS) = int32_t(len);
}

uint32_t SpanAlloc(Heap* h, uint32_t units, int32_t kind, int32_t info, int32_t owner) {
  if (units == 0) return 0;
  auto it = g_free.lower_bound({units, 0});
  if (it == g_free.end()) return 0;
  const uint32_t len = it->first, first = it->second;
  g_free.erase(it);
  if (len > units) MarkFree(h, first + units, len - units);
  h->word(H_FREE_UNITS) -= int32_t(units);

  uint32_t newlyCommitted = 0;
  for (uint32_t u = first; u < first + units; u++) {
    if (W(h, u, D_COMMITTED)) {
      g_freeCommitted--;
    } else {
      W(h, u, D_COMMITTED) = 1;
      newlyCommitted++;
    }
    if (u != first) {
      W(h, u, D_INFO) = int32_t(first);
      AtomicStore(W(h, u, D_KIND), K_CONT);
    }
  }
  h->word(H_COMMITTED_UNITS) += int32_t(newlyCommitted);
  W(h, first, D_INFO) = info;
  W(h, first, D_OWNER) = owner;
  W(h, first, D_USED) = 0;
  W(h, first, D_REMOTE) = 0;
  W(h, first, D_INFLIGHT) = 0;
  W(h, first, D_FREELIST) = 0;
  W(h, first, D_BUMP) = 0;
  W(h, first, D_SIZE) = int32_t(units);
  AtomicStore(W(h, first, D_KIND), kind);
  return first;
}

static uint32_t SpanLength(Heap* h, uint32_t unit) { return uint32_t(W(h, unit, D_SIZE)); }

void SpanFree(Heap* h, uint32_t unit) {
  uint32_t first = unit, len = SpanLength(h, unit);
  uint32_t committed = CommittedIn(h, first, len);
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
  h->word(H_FREE_UNITS) += int32_t(SpanLength(h, unit));
  g_freeCommitted += committed;
  MarkFree(h, first, len);
  // Give the freed units back to the OS when they are many, or when the cache of
  // free committed units is full. Only the freed span is walked (not its free
  // neighbours, which may be most of the heap), so a free costs O(its length).
  if (SpanLength(h, unit) >= kDecommitNowUnits || g_freeCommitted > kCommittedCacheUnits) {
    Decommit(h, unit, SpanLength(h, unit));
  }
}

bool SpanResize(Heap* h, uint32_t unit, uint32_t units) {
  const uint32_t len = SpanLength(h, unit);
  if (units == len) return true;
  if (units < len) {
    // Shrink: the tail becomes a span of its own, then is freed (and coalesced).
    uint32_t tail = unit + units, tlen = len - units;
    W(h, tail, D_SIZE) = int32_t(tlen);
    AtomicStore(W(h, tail, D_KIND), K_LARGE);
    for (uint32_t u = tail + 1; u < tail + tlen; u++) W(h, u, D_INFO) = int32_t(tail);
    W(h, unit, D_SIZE) = int32_t(units);
    W(h, unit, D_INFO) = int32_t(units);
    SpanFree(h, tail);
    return true;
  }
  // Grow: only into a free span right after this one.
  uint32_t next = unit + len;
  if (next >= h->units || W(h, next, D_KIND) != K_FREE) return false;
  uint32_t nlen = uint32_t(W(h, next, D_INFO));
  if (len + nlen < units) return false;
  Unlink(next, nlen);
  uint32_t extra = units - len;
  if (nlen > extra) MarkFree(h, next + extra, nlen - extra);
  h->word(H_FREE_UNITS) -= int32_t(extra);
  for (uint32_t u = next; u < next + extra; u++) {
    if (W(h, u, D_COMMITTED)) {
      g_freeCommitted--;
    } else {
      W(h, u, D_COMMITTED) = 1;
      h->word(H_COMMITTED_UNITS) += 1;
    }
    W(h, u, D_INFO) = int32_t(unit);
    AtomicStore(W(h, u, D_KIND), K_CONT);
  }
  W(h, unit, D_SIZE) = int32_t(units);
  W(h, unit, D_INFO) = int32_t(units);
  return true;
}

const char* SpansCheck(Heap* h, char* buf, size_t n) {
  uint32_t u = h->firstDataUnit, freeUnits = 0, freeSpans = 0, committed = 0;
  bool prevFree = false;
  for (uint32_t i = 0; i < h->units; i++) committed += W(h, i, D_COMMITTED) ? 1 : 0;
  if (committed != uint32_t(h->word(H_COMMITTED_UNITS))) {
    snprintf(buf, n, "committed units %u but the header says %d", committed, h->word(H_COMMITTED_UNITS));
    return buf;
  }
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
      for (uint32_t k = u + 1; k < u + len; k++) {
        if (W(h, k, D_KIND) != K_CONT || uint32_t(W(h, k, D_INFO)) != u) {
          snprintf(buf, n, "unit %u of the span at unit %u does not point back at it", k, u);
          return buf;
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
  if (freeSpans != g_free.size() || freeUnits != uint32_t(h->word(H_FREE_UNITS))) {
    snprintf(buf, n, "free index has %zu spans, the heap %u; free units %u, header %d", g_free.size(), freeSpans,
             freeUnits, h->word(H_FREE_UNITS));
    return buf;
  }
  return nullptr;
}

}  // namespace ptr
