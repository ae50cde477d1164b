// The heap's layout, shared word for word with lib/layout.ts (the addon exports
// these numbers and the JS side checks them at load, so the two cannot drift).
//
// The heap is one reservation of `units` units of 4 KiB. All metadata lives
// inside it, as little-endian int32 words, so that every thread (and any native
// code) sees the same state through the same memory:
//
//   unit 0 ...        header: global words, the thread table, the descriptor table
//   first data unit.. spans of units: free, small pages, large blocks, stack segments
//
// Each unit has a descriptor of DESC_WORDS words. A span's first unit holds the
// span's descriptor; the other units of a used span are CONT and point at it.
// A free span keeps its length at its first and last unit, for coalescing.
//
// The descriptor table is sized for the whole reservation (1/64 of it) but only
// the pages of it that describe units ever handed out are touched: the rest
// stays unbacked address space. H_META_BYTES counts the header bytes touched.
#pragma once
#include <cstdint>

namespace ptr {

constexpr uint32_t kMagic = 0x50545248;  // "PTRH"
constexpr uint32_t kLayoutVersion = 2;
constexpr uint32_t kUnitShift = 12;       // 4 KiB units: the OS page
constexpr uint64_t kUnitBytes = uint64_t(1) << kUnitShift;

// Global header words (int32 indices into the heap).
constexpr uint32_t H_MAGIC = 0;
constexpr uint32_t H_VERSION = 1;
constexpr uint32_t H_UNITS = 2;            // units in the reservation
constexpr uint32_t H_FIRST_DATA_UNIT = 3;  // first unit after the header
constexpr uint32_t H_COMMITTED_UNITS = 4;  // data units that may be resident (not decommitted)
constexpr uint32_t H_ORPHANS = 5;          // dead thread slots whose pages wait for adoption
constexpr uint32_t H_FREE_UNITS = 6;       // units in free spans
constexpr uint32_t H_STACK_BYTES = 7;      // size of each thread's stack segment
constexpr uint32_t H_DECOMMITS = 8;        // madvise calls made (stats)
constexpr uint32_t H_META_BYTES = 9;       // header bytes that may be resident (global words, touched descriptor pages)

// Thread table: one record per thread slot (slot 0 is never used).
constexpr uint32_t kThreadTable = 64;      // word index
constexpr uint32_t kMaxThreads = 256;
constexpr uint32_t kThreadWords = 16;
constexpr uint32_t T_STATE = 0;            // SLOT_FREE / SLOT_LIVE / SLOT_DEAD
constexpr uint32_t T_THREAD_ID = 1;        // worker threadId (0 = main thread)
constexpr uint32_t T_STACK_UNIT = 2;       // first unit of its stack segment, 0 if none
constexpr uint32_t T_INCARNATION = 3;      // bumped each time the slot is taken
constexpr uint32_t T_REMOTE_FREES = 4;     // frees other threads made on its pages (a hint, atomic)
constexpr uint32_t SLOT_FREE = 0, SLOT_LIVE = 1, SLOT_DEAD = 2;

// Descriptor table.
constexpr uint32_t kDescBase = 8192;       // word index (byte 32 KiB)
constexpr uint32_t kDescWords = 16;
constexpr uint32_t D_KIND = 0;
constexpr uint32_t D_INFO = 1;      // FREE: span length (first and last unit); SMALL: size class;
                                    // LARGE/STACK: span length; CONT: first unit of its span
constexpr uint32_t D_OWNER = 2;     // SMALL/STACK: owning thread slot
constexpr uint32_t D_USED = 3;      // SMALL: blocks allocated or freed remotely and not yet collected
constexpr uint32_t D_REMOTE = 4;    // SMALL: remote frees not yet collected (atomic)
constexpr uint32_t D_INFLIGHT = 5;  // SMALL: remote frees in progress (atomic; guards page release)
constexpr uint32_t D_FREELIST = 6;  // SMALL: word index of the first free block, 0 = none;
                                    // RELEASING: kPooled while its owner pools it
constexpr int32_t kPooled = -1;
constexpr uint32_t D_LTAG = 7;      // LARGE: liveness tag of the block that starts at this unit
constexpr uint32_t D_BUMP = 8;      // SMALL: blocks carved into the free list so far
constexpr uint32_t D_COMMITTED = 9; // 1 when the unit may be resident
constexpr uint32_t D_SIZE = 10;     // span length in units (first unit of a used span)
constexpr uint32_t D_INDEX = 11;    // SMALL: position in its owner's page list (lib/allocator.ts only)

constexpr int32_t K_FREE = 0, K_SMALL = 1, K_LARGE = 2, K_CONT = 3, K_STACK = 4, K_HEADER = 5,
                  K_RELEASING = 6;

// Stack segment header (int32 words at the segment's start).
constexpr uint32_t S_TOP = 0;       // byte offset (from the segment start) of the next frame
constexpr uint32_t S_DEPTH = 1;     // frames pushed
constexpr uint32_t S_SERIAL = 2;    // last frame serial handed out
constexpr uint32_t S_MAX_DEPTH = 3;
constexpr uint32_t S_BYTES = 4;     // segment size in bytes
constexpr uint32_t S_FRAMES_START = 5;  // byte offset of the first frame
constexpr uint32_t S_SERIALS = 16;  // word index of serial[depth]
constexpr uint32_t kMaxFrameDepth = 8192;

// Used spans of this many units (1 MiB) and more that hold a large block or a
// stack segment are lazy: only their first and last descriptors are written (spans.cc).
constexpr uint32_t kLazyUnits = 256;

inline uint32_t DescWord(uint32_t unit, uint32_t field) { return kDescBase + unit * kDescWords + field; }
inline uint32_t ThreadWord(uint32_t slot, uint32_t field) { return kThreadTable + slot * kThreadWords + field; }

}  // namespace ptr
