/**
 * The allocator: small blocks in per-thread pages (this file, in JavaScript, on
 * the shared heap), large blocks in spans (native, under the span lock).
 *
 * Design (after mimalloc): each thread owns pages, each page holds blocks of one
 * size class. The owner allocates from and frees to a page's free list with plain
 * reads and writes: no Atomics, no native call (an N-API call alone would cost
 * more than the whole malloc+free). Another thread freeing a block cannot touch
 * that list; it flips the block's tag with a compare-and-swap, sets the block's
 * bit in the page's remote-free bitmap and counts it in D_REMOTE. The owner
 * collects those bits when its page runs dry. The bitmap (not a linked list)
 * means a racing double free from two threads can never link a block twice: the
 * owner only takes back blocks whose tag still says "freed remotely".
 *
 * Invariants (checked by check()):
 * - A page's free list holds exactly its carved blocks whose tag is "freed
 *   locally"; each free block's second word is the word index of its tag.
 *   malloc leaves that word in place, so right after `malloc` returns a small
 *   block, the int32 at `address + 4` is the index of its tag word. @ptr/core
 *   relies on this (and checks it); keep it.
 * - D_USED = blocks allocated + blocks freed remotely and not yet collected.
 * - Blocks at index >= D_BUMP were never handed out.
 * - An empty page that is not a thread's current page goes to the thread's page
 *   pool (and from there, beyond 4 MiB, back to the span allocator), after a
 *   handshake (D_INFLIGHT) with remote frees in progress. A full one-block page
 *   is never a current page.
 * - A pooled span is K_RELEASING, owned by the thread, D_FREELIST = POOLED, its
 *   next epoch in D_LTAG, its position in its bin in D_INDEX.
 *
 * A thread that dies leaves its pages to the next thread that needs a page
 * (adoptOrphans); the adopter rebuilds each page's free list from the tags,
 * which are the source of truth, so a thread killed mid-operation loses nothing.
 */
import { native, view } from './addon.js';
import { AllocationError, FreedMemoryError, InvalidPointerError, InvalidSizeError, PointerError, hex } from './errors.js';
import {
  CARVE,
  CLASS_COUNT,
  CLASS_INV,
  CLASS_OF_16,
  CLASS_SIZE,
  PAGE_CAP,
  PAGE_DATA,
  PAGE_UNITS,
  SMALL_MAX,
  classOf,
} from './classes.js';
import {
  DESC_BASE,
  DESC_WORDS,
  D_BUMP,
  D_FREELIST,
  D_INDEX,
  D_INFLIGHT,
  D_INFO,
  D_KIND,
  D_LTAG,
  D_OWNER,
  D_REMOTE,
  D_SIZE,
  D_USED,
  H_COMMITTED_UNITS,
  H_FIRST_DATA_UNIT,
  H_META_BYTES,
  H_ORPHANS,
  H_UNITS,
  K_CONT,
  K_FREE,
  K_LARGE,
  K_RELEASING,
  K_SMALL,
  K_STACK,
  MAX_THREADS,
  POOLED,
  SLOT_DEAD,
  SLOT_LIVE,
  T_REMOTE_FREES,
  T_STACK_UNIT,
  T_STATE,
  T_THREAD_ID,
  UNIT,
  assertLayout,
  descOf,
  threadWord,
  unitOfDesc,
} from './layout.js';

assertLayout(view.layout);

// Module-private bindings: V8 reads an exported binding through its module cell
// (several dependent loads and a hole check per access), a private one straight
// from the module context. The hot paths use only private ones.
const I32 = new Int32Array(view.buffer);
const U8 = new Uint8Array(view.buffer);
const BASE = view.base;
const SIZE = view.size;
const SLOT = view.slot;
/** Views of the whole heap, for the other modules of this package. */
export const heapI32: Int32Array = I32;
export const heapU8: Uint8Array = U8;
export const BASE_ADDRESS: number = BASE;
const FIRST_DATA = I32[H_FIRST_DATA_UNIT]! * UNIT;
const UNITS = I32[H_UNITS]!;

/** Descriptor of unit 0 (the header): its D_FREELIST is 0 forever, so an empty `current` slot needs no branch. */
const NO_PAGE = DESC_BASE;
/** This thread's current page per class (descriptor word index). */
const current = new Int32Array(CLASS_COUNT).fill(NO_PAGE);
/** This thread's pages per class; a page's position in its list is in its D_INDEX. */
const pagesOf: number[][] = Array.from({ length: CLASS_COUNT }, () => []);
function addPage(d: number, cls: number): void {
  const pages = pagesOf[cls]!;
  I32[d + D_INDEX] = pages.length;
  pages.push(d);
}
function removePage(d: number, cls: number): void {
  const pages = pagesOf[cls]!;
  const at = I32[d + D_INDEX]!;
  const last = pages.pop()!;
  if (last !== d) {
    pages[at] = last;
    I32[last + D_INDEX] = at;
  }
}
/** Classes whose current page is an empty one-block page kept for reuse (see releaseIfEmpty). */
const idle = new Uint8Array(CLASS_COUNT);
const IDLE_UNITS = Math.max(16, Math.min(64, UNITS >> 12));
let idleUnits = 0;
/** This thread's count of remote frees (T_REMOTE_FREES) when each class last looked for them. */
const remoteSeen = new Int32Array(CLASS_COUNT);
const REMOTE_FREES = threadWord(SLOT, T_REMOTE_FREES);

// ---------------------------------------------------------------------------
// Hot paths

// The hot paths below spell layout numbers as literals and read the class tables
// through local aliases: V8 loads imported bindings through module cells on every
// access, which costs a third of a malloc+free pair. assertHotLiterals() pins the
// literals to layout.ts at load: DESC_BASE 8192, DESC_WORDS 16 (<< 4), units of
// 4 KiB (>>> 12, << 10 words), D_INFO 1, D_OWNER 2, D_USED 3, D_FREELIST 6,
// K_SMALL 1, K_CONT 3.
const H_CLASS_OF_16 = CLASS_OF_16;
const H_PAGE_DATA = PAGE_DATA;
const H_CLASS_INV = CLASS_INV;
const H_CLASS_SIZE = CLASS_SIZE;
const H_PAGE_CAP = PAGE_CAP;
function assertHotLiterals(): void {
  const expect: [number, number][] = [
    [DESC_BASE, 8192], [DESC_WORDS, 16], [UNIT, 4096], [D_INFO, 1], [D_OWNER, 2], [D_USED, 3],
    [D_FREELIST, 6], [K_SMALL, 1], [K_CONT, 3],
  ];
  if (expect.some(([a, b]) => a !== b)) throw new PointerError('@ptr/native: allocator hot-path literals disagree with layout.ts');
}
assertHotLiterals();

/** Allocates `size` bytes (16-byte aligned) and returns the block's address. */
export function malloc(size: number): number {
  if (typeof size === 'number' && (size >>> 0) === size && size <= 1024) {
    const cls = H_CLASS_OF_16[(size + 15) >>> 4]!;
    const d = current[cls]!;
    const w = I32[d + 6]!;
    if (w !== 0) {
      I32[d + 6] = I32[w]!;
      const tw = I32[w + 1]!;
      I32[tw] = I32[tw]! + 5;
      I32[d + 3] = I32[d + 3]! + 1;
      return BASE + w * 4;
    }
  }
  return mallocSlow(size);
}

/** Frees the block at `address` (from any thread). `free(0)` does nothing, as in C. */
export function free(address: number): void {
  // typeof first: arithmetic would coerce a string or an object to an address.
  const off = typeof address === 'number' ? address - BASE : -1;
  if ((off >>> 0) === off && (off & 15) === 0 && off < SIZE) {
    // Integer arithmetic only: unit numbers and in-page offsets stay int32.
    const ou = off >>> 12;
    let hu = ou;
    let d = 8192 + (ou << 4);
    let kind = I32[d]!;
    if (kind === 3) {
      hu = I32[d + 1]!;
      d = 8192 + (hu << 4);
      kind = I32[d]!;
    }
    if (kind === 1 && I32[d + 2] === SLOT) {
      const cls = I32[d + 1]!;
      const rel = ((ou - hu) << 12) + (off & 0xfff) - H_PAGE_DATA[cls]!;
      const idx = (rel * H_CLASS_INV[cls]!) | 0;
      // rel >= 0: not in the page's tag table; idx < D_BUMP: a block handed out at least once.
      if (rel >= 0 && idx * H_CLASS_SIZE[cls]! === rel && idx < I32[d + 8]!) {
        const tw = (hu << 10) + idx;
        const t = I32[tw]!;
        if ((t & 3) === 1) {
          I32[tw] = t + 3;
          const w = off >>> 2;
          I32[w] = I32[d + 6]!;
          I32[w + 1] = tw;
          I32[d + 6] = w;
          const used = I32[d + 3]! - 1;
          I32[d + 3] = used;
          if (used === 0 && d !== current[cls]) releaseIfEmpty(d, cls);
          return;
        }
      }
    }
  }
  freeSlow(address);
}

// ---------------------------------------------------------------------------
// Validation

export function checkSize(size: number, what = 'size'): void {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
    throw new InvalidSizeError(`${what} must be a non-negative integer, got ${describe(size)}`);
  }
  if (size > SIZE) {
    throw new InvalidSizeError(`${what} ${size} is larger than the whole heap (${SIZE} bytes)`);
  }
}

export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return v.toString();
  if (typeof v === 'function') return 'a function';
  if (v !== null && typeof v === 'object') return `an object (${Object.prototype.toString.call(v)})`;
  return String(v);
}

/** What lives at a heap offset: the result of `locate`. */
interface Block {
  kind: 'small' | 'large';
  /** Descriptor word index of the page or large block. */
  d: number;
  cls: number;
  idx: number;
  /** Word index of the block's tag. */
  tw: number;
  usable: number;
}

/** Heap offset of a number that claims to be an address in the heap; throws InvalidPointerError otherwise. */
function offsetOf(address: number, op: string): number {
  if (typeof address !== 'number' || !Number.isInteger(address)) {
    throw new InvalidPointerError(`${op}: ${describe(address)} is not an address`);
  }
  const off = address - BASE;
  if (off < FIRST_DATA || off >= SIZE) {
    throw new InvalidPointerError(`${op}(${hex(address)}): address is outside the heap's blocks`);
  }
  return off;
}

/**
 * Finds the block that starts at `address` and checks it is live; throws the
 * typed error that says why not. Safe from any thread.
 */
function locate(address: number, op: string): Block {
  const off = offsetOf(address, op);
  // The span that holds the address: the address's own unit when it starts a
  // span, else the one its back-pointer names. Descriptors between the ends of
  // a lazy span (a big block, a stack segment) are blank (K_FREE), and an empty
  // pooled span's back-pointers may be stale: when the descriptors do not name
  // a span that holds the address, the span allocator walks its spans.
  const home = Math.floor(off / UNIT);
  let unit = home;
  let d = descOf(unit);
  let kind = Atomics.load(I32, d + D_KIND);
  if (kind === K_CONT) {
    unit = I32[d + D_INFO]!;
    d = descOf(unit);
    kind = Atomics.load(I32, d + D_KIND);
  }
  if (kind === K_FREE || kind === K_CONT || !(unit <= home && home < unit + I32[d + D_SIZE]!)) {
    unit = native.spanOf(home);
    d = descOf(unit);
    kind = unit === 0 ? K_FREE : Atomics.load(I32, d + D_KIND);
  }
  // Messages are built only when thrown: usableSize/tagOf run this on success paths.
  const at = (): string => `${op}(${hex(address)})`;
  switch (kind) {
    case K_SMALL: {
      const cls = I32[d + D_INFO]!;
      const page = unit * UNIT;
      const rel = off - page - PAGE_DATA[cls]!;
      const idx = Math.floor(rel / CLASS_SIZE[cls]!);
      if (rel < 0 || idx * CLASS_SIZE[cls]! !== rel || idx >= PAGE_CAP[cls]!) {
        throw new InvalidPointerError(`${at()}: not the start of a block (inside a block or page metadata)`);
      }
      if (idx >= Atomics.load(I32, d + D_BUMP)) throw new InvalidPointerError(`${at()}: no block was ever allocated here`);
      const tw = page / 4 + idx;
      if ((Atomics.load(I32, tw) & 1) === 0) throw new FreedMemoryError(`${at()}: the block has been freed`);
      return { kind: 'small', d, cls, idx, tw, usable: CLASS_SIZE[cls]! };
    }
    case K_LARGE: {
      if (off !== unit * UNIT) throw new InvalidPointerError(`${at()}: not the start of a block (inside a large block)`);
      if ((Atomics.load(I32, d + D_LTAG) & 1) === 0) throw new FreedMemoryError(`${at()}: the block has been freed`);
      return { kind: 'large', d, cls: -1, idx: 0, tw: d + D_LTAG, usable: I32[d + D_SIZE]! * UNIT };
    }
    case K_FREE:
    case K_RELEASING:
      throw new FreedMemoryError(`${at()}: no live block here (the block has been freed)`);
    case K_STACK:
      throw new InvalidPointerError(`${at()}: address is on a thread's stack segment; stack memory is freed when its frame returns`);
    default:
      throw new InvalidPointerError(`${at()}: address is not a block`);
  }
}

// ---------------------------------------------------------------------------
// Slow paths

function mallocSlow(size: number): number {
  checkSize(size);
  if (size > SMALL_MAX) return mallocLarge(size);
  const cls = classOf(size);
  for (;;) {
    const d = current[cls]!;
    const w = I32[d + D_FREELIST]!;
    if (w !== 0) {
      I32[d + D_FREELIST] = I32[w]!;
      const tw = I32[w + 1]!;
      I32[tw] = I32[tw]! + 5;
      I32[d + D_USED] = I32[d + D_USED]! + 1;
      if (PAGE_CAP[cls] === 1) {
        // A full one-block page is nobody's current page: when its block is
        // freed, the fast path then hands it to releaseIfEmpty.
        current[cls] = NO_PAGE;
        if (idle[cls] !== 0) {
          idle[cls] = 0;
          idleUnits -= PAGE_UNITS[cls]!;
        }
      }
      return BASE + w * 4;
    }
    if (!refill(cls)) {
      throw new AllocationError(`failed to allocate ${size} bytes: the heap (${SIZE} bytes) is exhausted`);
    }
  }
}

function mallocLarge(size: number): number {
  let unit = native.allocLarge(Math.ceil(size / UNIT));
  if (unit === 0 && releaseEmptyPages()) unit = native.allocLarge(Math.ceil(size / UNIT));
  if (unit === 0) throw new AllocationError(`failed to allocate ${size} bytes: the heap (${SIZE} bytes) is exhausted`);
  return BASE + unit * UNIT;
}

function freeSlow(address: number): void {
  if (address === 0) return;
  const b = locate(address, 'free');
  if (b.kind === 'large') {
    const r = native.freeLarge(unitOfDesc(b.d));
    if (r === 1) throw new FreedMemoryError(`free(${hex(address)}): the block has been freed`);
    if (r === 2) throw new InvalidPointerError(`free(${hex(address)}): not the start of a block`);
    return;
  }
  if (I32[b.d + D_OWNER] === SLOT) freeLocal(b, address);
  else freeRemote(b, address);
}

function freeLocal(b: Block, address: number): void {
  const { d, cls, tw } = b;
  const t = I32[tw]!;
  if ((t & 3) !== 1) throw new FreedMemoryError(`free(${hex(address)}): the block has been freed`);
  I32[tw] = t + 3;
  const w = (address - BASE) / 4;
  I32[w] = I32[d + D_FREELIST]!;
  I32[w + 1] = tw;
  I32[d + D_FREELIST] = w;
  const used = I32[d + D_USED]! - 1;
  I32[d + D_USED] = used;
  if (used === 0) releaseIfEmpty(d, cls);
}

/** A free from a thread that does not own the page: tag CAS, bitmap bit, count. */
function freeRemote(b: Block, address: number): void {
  const { d, cls, idx, tw } = b;
  Atomics.add(I32, d + D_INFLIGHT, 1);
  try {
    // The owner may have released the page between locate() and the line above;
    // D_INFLIGHT now keeps it from doing so until we are done.
    if (Atomics.load(I32, d + D_KIND) !== K_SMALL || I32[d + D_INFO] !== cls) {
      throw new FreedMemoryError(`free(${hex(address)}): the block has been freed`);
    }
    for (;;) {
      const t = Atomics.load(I32, tw);
      if ((t & 1) === 0) throw new FreedMemoryError(`free(${hex(address)}): the block has been freed`);
      if (Atomics.compareExchange(I32, tw, t, t + 5) === t) break;
    }
    const page = unitOfDesc(d) * UNIT;
    Atomics.or(I32, page / 4 + PAGE_CAP[cls]! + (idx >>> 5), 1 << (idx & 31));
    Atomics.add(I32, d + D_REMOTE, 1);
    // Tells the owner that some page of its may have room again (see refill).
    const owner = I32[d + D_OWNER]!;
    if (owner > 0 && owner < MAX_THREADS) Atomics.add(I32, threadWord(owner, T_REMOTE_FREES), 1);
  } finally {
    Atomics.sub(I32, d + D_INFLIGHT, 1);
  }
}

/** Makes `current[cls]` a page with a free block; false when the heap is exhausted. */
function refill(cls: number): boolean {
  const cur = current[cls]!;
  if (cur !== NO_PAGE && refillPage(cur, cls)) return true;
  const cap = PAGE_CAP[cls]!;
  if (cap === 1) {
    // One-block pages: an empty one goes to the pool at once (releaseIfEmpty),
    // so a page other than the current one has room only when another thread
    // freed its block. Look for those only when some remote free happened since
    // the last look: a thread holding many big blocks must not walk them on
    // every malloc.
    const remote = Atomics.load(I32, REMOTE_FREES);
    if (remote === remoteSeen[cls] && Atomics.load(I32, H_ORPHANS) === 0) return refillNew(cls);
    remoteSeen[cls] = remote;
  }
  // The fullest page with room first: emptier pages then drain and go back to
  // the span allocator, instead of every page of the class staying half full.
  const pages = pagesOf[cls]!;
  let best = 0;
  let bestUsed = -1;
  for (let i = 0; i < pages.length; i++) {
    const d = pages[i]!;
    if (d === cur) continue;
    const used = I32[d + D_USED]!;
    const room = I32[d + D_FREELIST] !== 0 || I32[d + D_BUMP]! < cap || Atomics.load(I32, d + D_REMOTE) !== 0;
    if (room && used > bestUsed) {
      best = d;
      bestUsed = used;
    }
  }
  if (best !== 0 && refillPage(best, cls)) {
    current[cls] = best;
    return true;
  }
  if (Atomics.load(I32, H_ORPHANS) > 0) {
    adoptOrphans();
    for (const d of pagesOf[cls]!) {
      if (refillPage(d, cls)) {
        current[cls] = d;
        return true;
      }
    }
  }
  return refillNew(cls);
}

/** Makes a new page the class's current one; false when the heap is exhausted. */
function refillNew(cls: number): boolean {
  let d = newPage(cls);
  if (d === 0 && releaseEmptyPages()) d = newPage(cls);
  if (d === 0) return false;
  current[cls] = d;
  return refillPage(d, cls);
}

/** Gives page `d` free blocks in its list if it can (collect remote frees, carve); true if it has some. */
function refillPage(d: number, cls: number): boolean {
  if (I32[d + D_FREELIST] !== 0) return true;
  if (Atomics.load(I32, d + D_REMOTE) !== 0) collect(d, cls);
  if (I32[d + D_FREELIST] !== 0) return true;
  return carve(d, cls);
}

function carve(d: number, cls: number): boolean {
  const bump = I32[d + D_BUMP]!;
  const n = Math.min(CARVE[cls]!, PAGE_CAP[cls]! - bump);
  if (n <= 0) return false;
  const page = unitOfDesc(d) * UNIT;
  const size = CLASS_SIZE[cls]!;
  const epoch = I32[d + D_LTAG]!;
  let head = I32[d + D_FREELIST]!;
  for (let i = bump + n - 1; i >= bump; i--) {
    const tw = page / 4 + i;
    const w = (page + PAGE_DATA[cls]! + i * size) / 4;
    I32[tw] = epoch;
    I32[w] = head;
    I32[w + 1] = tw;
    head = w;
  }
  I32[d + D_FREELIST] = head;
  Atomics.store(I32, d + D_BUMP, bump + n); // publishes the tags to remote frees
  return true;
}

/** Takes back the blocks other threads freed on page `d` (owner only). */
function collect(d: number, cls: number): void {
  Atomics.exchange(I32, d + D_REMOTE, 0);
  const page = unitOfDesc(d) * UNIT;
  const bitmap = page / 4 + PAGE_CAP[cls]!;
  const words = Math.ceil(PAGE_CAP[cls]! / 32);
  const size = CLASS_SIZE[cls]!;
  let head = I32[d + D_FREELIST]!;
  let used = I32[d + D_USED]!;
  for (let j = 0; j < words; j++) {
    if (I32[bitmap + j] === 0) continue;
    let bits = Atomics.exchange(I32, bitmap + j, 0);
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const idx = j * 32 + 31 - Math.clz32(low);
      const tw = page / 4 + idx;
      const t = I32[tw]!;
      // Only a block still marked "freed remotely" comes back: a bit left by a
      // free that raced with a local one is dropped here.
      if ((t & 3) !== 2) continue;
      I32[tw] = t - 2;
      const w = (page + PAGE_DATA[cls]! + idx * size) / 4;
      I32[w] = head;
      I32[w + 1] = tw;
      head = w;
      used--;
    }
  }
  I32[d + D_FREELIST] = head;
  I32[d + D_USED] = used;
}

/**
 * Empty spans this thread keeps back from the span allocator, so that pages which
 * fill and empty as blocks come and go do not cross into native code (and its
 * lock) each time. A pooled span serves a page of any class: it is split when
 * larger than the page needs, and merged with pooled neighbours when it comes
 * back, so a few hundred KiB serve pages of every size. Pooled spans stay
 * K_RELEASING (no block lives on them; a stray free finds "freed"), owned by
 * this thread, their next epoch (above every tag they held) in D_LTAG of their
 * first unit. At most POOL_UNITS units; the largest go back first.
 */
/** Pooled spans by length: bins[n] holds spans of n units (n < BINS), bins[BINS] longer ones. */
const BINS = 64;
const bins: number[][] = Array.from({ length: BINS + 1 }, () => []);
const binOf = (units: number): number => (units < BINS ? units : BINS);
/**
 * Units the pool may hold (4 MiB, or 1/256 of a smaller heap); beyond, the longest spans go back to the span
 * allocator. Pooled memory stays committed: returning it to the OS page by page
 * (madvise, then a page fault when reused) cost more than the allocation itself
 * under churn, and the TLB shootdowns it sends stall every other thread.
 */
const POOL_UNITS = Math.max(64, Math.min(1024, UNITS >> 8)); // at most 1/256 of the heap per thread
let pooledUnits = 0;

// A pooled span's CONT units may point at a unit that started a span before
// merges and splits (keeping them exact would rewrite every descriptor of a
// span at each split); shapeSpan fixes them when the span becomes a page. A
// stale back-pointer never leads to a block: the fast paths find no block start
// there, and locate() then asks for the span that does hold the address. The
// last unit of a pooled span does point at its first, so that the span before
// a released page is found.

/** Makes the span at descriptor `d` exactly `units` units whose CONT units point at it. */
function shapeSpan(d: number, units: number): void {
  const unit = unitOfDesc(d);
  for (let u = unit + 1; u < unit + units; u++) {
    const c = descOf(u);
    if (I32[c + D_INFO] !== unit) I32[c + D_INFO] = unit;
    if (I32[c + D_KIND] !== K_CONT) Atomics.store(I32, c + D_KIND, K_CONT);
  }
  I32[d + D_SIZE] = units;
}

/** True when the span at descriptor `d` is in this thread's pool. */
function isPooled(d: number): boolean {
  return I32[d + D_KIND] === K_RELEASING && I32[d + D_OWNER] === SLOT && I32[d + D_FREELIST] === POOLED;
}

function poolAdd(d: number): void {
  const len = I32[d + D_SIZE]!;
  I32[d + D_FREELIST] = POOLED;
  if (len > 1) I32[descOf(unitOfDesc(d) + len - 1) + D_INFO] = unitOfDesc(d);
  const bin = bins[binOf(len)]!;
  I32[d + D_INDEX] = bin.length;
  bin.push(d);
}
function poolRemove(d: number): void {
  I32[d + D_FREELIST] = 0;
  const bin = bins[binOf(I32[d + D_SIZE]!)]!;
  const at = I32[d + D_INDEX]!;
  const last = bin.pop()!;
  if (last !== d) {
    bin[at] = last;
    I32[last + D_INDEX] = at;
  }
}

/** A pooled span of exactly `units` units, split off a larger one if needed; 0 if none fits. */
function poolTake(units: number): number {
  let d = 0;
  for (let b = units; b < BINS && d === 0; b++) {
    const bin = bins[b]!;
    if (bin.length > 0) d = bin[bin.length - 1]!;
  }
  if (d === 0) {
    // Best fit among the long spans.
    for (const x of bins[BINS]!) if (I32[x + D_SIZE]! >= units && (d === 0 || I32[x + D_SIZE]! < I32[d + D_SIZE]!)) d = x;
    if (d === 0) return 0;
  }
  const len = I32[d + D_SIZE]!;
  poolRemove(d);
  if (len > units) {
    // The tail first becomes a span of its own, then the head shrinks: a thread
    // walking the spans meanwhile sees either the old span or both.
    const t = descOf(unitOfDesc(d) + units);
    I32[t + D_OWNER] = SLOT;
    I32[t + D_LTAG] = I32[d + D_LTAG]!;
    I32[t + D_USED] = 0;
    I32[t + D_BUMP] = 0;
    I32[t + D_FREELIST] = 0;
    Atomics.store(I32, t + D_REMOTE, 0);
    Atomics.store(I32, t + D_INFLIGHT, 0);
    I32[t + D_SIZE] = len - units;
    Atomics.store(I32, t + D_KIND, K_RELEASING);
    poolAdd(t);
  }
  shapeSpan(d, units);
  pooledUnits -= units;
  return d;
}

/** Pools the empty K_RELEASING span at `d` (its epoch in D_LTAG), merged with pooled neighbours. */
function poolPut(d: number): void {
  const unit = unitOfDesc(d);
  let len = I32[d + D_SIZE]!;
  pooledUnits += len;
  // Merges write the epoch, then the length, then retire the absorbed first
  // unit: a thread terminated between two of these writes leaves one span
  // (whose units its env cleanup or adopter frees or reshapes), never units
  // that belong to no span.
  // The following span, if pooled: absorb it (its first unit becomes CONT).
  const next = unit + len < UNITS ? descOf(unit + len) : 0;
  if (next !== 0 && isPooled(next)) {
    poolRemove(next);
    I32[d + D_LTAG] = Math.max(I32[d + D_LTAG]! >>> 0, I32[next + D_LTAG]! >>> 0) | 0;
    const nlen = I32[next + D_SIZE]!;
    I32[d + D_SIZE] = len + nlen;
    I32[next + D_INFO] = unit;
    Atomics.store(I32, next + D_KIND, K_CONT);
    len += nlen;
  }
  // The preceding span, if pooled: it absorbs this one.
  if (unit > I32[H_FIRST_DATA_UNIT]!) {
    const last = descOf(unit - 1);
    const prev = I32[last + D_KIND] === K_CONT ? descOf(I32[last + D_INFO]!) : last;
    if (isPooled(prev) && unitOfDesc(prev) + I32[prev + D_SIZE]! === unit) {
      poolRemove(prev);
      I32[prev + D_LTAG] = Math.max(I32[prev + D_LTAG]! >>> 0, I32[d + D_LTAG]! >>> 0) | 0;
      I32[prev + D_SIZE] = I32[prev + D_SIZE]! + len;
      I32[d + D_INFO] = unitOfDesc(prev);
      Atomics.store(I32, d + D_KIND, K_CONT);
      d = prev;
    }
  }
  poolAdd(d);
  // Over budget: the longest pooled spans go back to the span allocator.
  for (let b = BINS; pooledUnits > POOL_UNITS && b > 0; b--) {
    const bin = bins[b]!;
    while (pooledUnits > POOL_UNITS && bin.length > 0) {
      const x = bin[bin.length - 1]!;
      poolRemove(x);
      pooledUnits -= I32[x + D_SIZE]!;
      native.releasePage(unitOfDesc(x), I32[x + D_LTAG]! >>> 0);
    }
  }
}

function newPage(cls: number): number {
  const units = PAGE_UNITS[cls]!;
  let d = poolTake(units);
  if (d !== 0) {
    I32[d + D_INFO] = cls;
    I32[d + D_USED] = 0;
    I32[d + D_FREELIST] = 0;
    I32[d + D_BUMP] = 0;
    Atomics.store(I32, d + D_REMOTE, 0);
  } else {
    const unit = native.allocPage(cls, units);
    if (unit === 0) return 0;
    d = descOf(unit);
  }
  const page = unitOfDesc(d) * UNIT;
  const bitmap = page / 4 + PAGE_CAP[cls]!;
  const words = (PAGE_CAP[cls]! + 31) >>> 5;
  // One word for most pages: a call to fill() would cost more than the store.
  for (let j = 0; j < words; j++) I32[bitmap + j] = 0;
  // Owner, class, epoch and counters are set; publish the page.
  Atomics.store(I32, d + D_KIND, K_SMALL);
  addPage(d, cls);
  return d;
}

/** Gives the pooled empty spans back to the span allocator; true if there were any. */
function drainPagePool(): boolean {
  let any = false;
  for (const bin of bins) {
    for (const d of bin) {
      I32[d + D_FREELIST] = 0;
      native.releasePage(unitOfDesc(d), I32[d + D_LTAG]! >>> 0);
      any = true;
    }
    bin.length = 0;
  }
  pooledUnits = 0;
  return any;
}

/**
 * A page that just became empty goes to the pool, except the current page of its
 * class (the next malloc of the class reuses it). A one-block page (never current
 * while full) becomes current again while this thread's idle ones fit in
 * IDLE_UNITS, so that a loop that allocates and frees a big block keeps its page.
 */
function releaseIfEmpty(d: number, cls: number): void {
  if (d === current[cls]) return;
  if (PAGE_CAP[cls] === 1 && current[cls] === NO_PAGE && idleUnits + PAGE_UNITS[cls]! <= IDLE_UNITS) {
    current[cls] = d;
    idle[cls] = 1;
    idleUnits += PAGE_UNITS[cls]!;
    return;
  }
  release(d, cls);
}

/**
 * Gives every empty page of this thread back to the span allocator (the pool and
 * empty current pages), so that a heap with nothing allocated can hold a large
 * block again; true if any was. Called when the heap runs out.
 */
function releaseEmptyPages(): boolean {
  let any = drainPagePool();
  idle.fill(0);
  idleUnits = 0;
  for (let cls = 0; cls < CLASS_COUNT; cls++) {
    const cur = current[cls]!;
    if (cur !== NO_PAGE && Atomics.load(I32, cur + D_REMOTE) !== 0) collect(cur, cls);
    if (cur !== NO_PAGE && I32[cur + D_USED] === 0) current[cls] = NO_PAGE;
    for (const d of [...pagesOf[cls]!]) {
      if (Atomics.load(I32, d + D_REMOTE) !== 0) collect(d, cls);
      if (I32[d + D_USED] === 0 && release(d, cls)) any = true;
    }
  }
  drainPagePool();
  return any;
}

/**
 * The epoch a span starts at next: above its D_LTAG and the first `tags` tag
 * words at its start (a page's), so that no stale pointer's tag comes back.
 */
function epochAbove(d: number, tags: number): number {
  const words = unitOfDesc(d) * (UNIT / 4);
  let top = I32[d + D_LTAG]! >>> 0;
  for (let i = 0; i < tags; i++) top = Math.max(top, I32[words + i]! >>> 0);
  return Math.min(0xfffffffc, (top + 4) & ~3) >>> 0;
}

/** Returns an empty page (not the current one) to the span allocator; false if a remote free holds it back. */
function release(d: number, cls: number): boolean {
  Atomics.store(I32, d + D_KIND, K_RELEASING);
  // Handshake with freeRemote: it raises D_INFLIGHT, then checks the kind.
  if (Atomics.load(I32, d + D_INFLIGHT) !== 0 || Atomics.load(I32, d + D_REMOTE) !== 0 || I32[d + D_USED] !== 0) {
    Atomics.store(I32, d + D_KIND, K_SMALL);
    return false;
  }
  removePage(d, cls);
  I32[d + D_LTAG] = epochAbove(d, I32[d + D_BUMP]!) | 0;
  poolPut(d);
  return true;
}

/** Takes over the pages of dead threads and rebuilds their free lists from the tags. */
function adoptOrphans(): void {
  adopt(native.adoptOrphans());
}

/**
 * Takes over spans a dead thread owned (now owned by this slot): its pooled
 * spans first leave its pool's marks (they are not in this thread's bins, and
 * pooling one may merge its neighbours), then pages are rebuilt and empty spans pooled.
 */
function adopt(units: number[]): void {
  const empty: number[] = [];
  for (const unit of units) {
    const d = descOf(unit);
    if (Atomics.load(I32, d + D_KIND) !== K_RELEASING || I32[d + D_USED] !== 0) continue;
    // A pooled span (its epoch is above every tag it held) or a page whose owner
    // died while releasing it (its tags, at its start, may be above its epoch).
    const cls = I32[d + D_INFO]!;
    const tags = I32[d + D_FREELIST] !== POOLED && cls >= 0 && cls < CLASS_COUNT ? Math.min(I32[d + D_BUMP]!, PAGE_CAP[cls]!) : 0;
    I32[d + D_LTAG] = epochAbove(d, tags) | 0;
    I32[d + D_FREELIST] = 0;
    // Every unit after the first CONT again (a merge its thread did not finish may have left one).
    shapeSpan(d, I32[d + D_SIZE]!);
    empty.push(d);
  }
  for (const unit of units) {
    const d = descOf(unit);
    if (Atomics.load(I32, d + D_KIND) === K_SMALL || (Atomics.load(I32, d + D_KIND) === K_RELEASING && I32[d + D_USED] !== 0)) rebuild(d);
  }
  // Pooling merges neighbours: a span already absorbed (now CONT) is skipped.
  for (const d of empty) if (Atomics.load(I32, d + D_KIND) === K_RELEASING && I32[d + D_FREELIST] !== POOLED) poolPut(d);
}

/** Rebuilds the free list and counts of page `d` from its tags, and makes it this thread's. */
function rebuild(d: number): void {
  const cls = I32[d + D_INFO]!;
  const page = unitOfDesc(d) * UNIT;
  Atomics.exchange(I32, d + D_REMOTE, 0);
  const bitmap = page / 4 + PAGE_CAP[cls]!;
  for (let j = 0; j < Math.ceil(PAGE_CAP[cls]! / 32); j++) Atomics.exchange(I32, bitmap + j, 0);
  const size = CLASS_SIZE[cls]!;
  const bump = I32[d + D_BUMP]!;
  let head = 0;
  let used = 0;
  for (let i = bump - 1; i >= 0; i--) {
    const tw = page / 4 + i;
    const t = I32[tw]!;
    if ((t & 1) === 1) {
      used++;
      continue;
    }
    if ((t & 3) === 2) I32[tw] = t - 2;
    const w = (page + PAGE_DATA[cls]! + i * size) / 4;
    I32[w] = head;
    I32[w + 1] = tw;
    head = w;
  }
  I32[d + D_FREELIST] = head;
  I32[d + D_USED] = used;
  Atomics.store(I32, d + D_KIND, K_SMALL);
  addPage(d, cls);
  if (used === 0) releaseIfEmpty(d, cls);
}

// Pages this slot already owns (a slot taken over from a dead thread).
if (view.inherited) adopt(native.ownedSpans());

// ---------------------------------------------------------------------------
// The rest of the API

/** Allocates `count * size` zeroed bytes. */
export function calloc(count: number, size: number): number {
  checkSize(count, 'count');
  checkSize(size);
  const total = count * size;
  if (total > SIZE) {
    throw new InvalidSizeError(`calloc(${count}, ${size}): ${count} * ${size} bytes is larger than the whole heap`);
  }
  const address = malloc(total);
  const off = address - BASE;
  U8.fill(0, off, off + total);
  return address;
}

/** Resizes the block at `address`, in place when it can; returns the (maybe new) address. `realloc(0, n)` is `malloc(n)`. */
export function realloc(address: number, size: number): number {
  if (address === 0) return malloc(size);
  checkSize(size);
  const b = locate(address, 'realloc');
  if (size <= b.usable && (b.kind === 'small' || size > SMALL_MAX)) {
    if (b.kind === 'large') native.resizeLarge(unitOfDesc(b.d), Math.ceil(size / UNIT));
    return address;
  }
  if (b.kind === 'large' && size > SMALL_MAX && native.resizeLarge(unitOfDesc(b.d), Math.ceil(size / UNIT))) {
    return address;
  }
  const to = malloc(size);
  const from = address - BASE;
  U8.copyWithin(to - BASE, from, from + Math.min(size, b.usable));
  free(address);
  return to;
}

/** Throws the typed error that says why no live block starts at `address`, naming `op`. */
export function checkLive(address: number, op: string): void {
  locate(address, op);
}

/** Bytes usable in the live block at `address` (at least what was asked for). */
export function usableSize(address: number): number {
  return locate(address, 'usableSize').usable;
}

/**
 * Word index of the live block's liveness tag, and the tag itself: a pointer that
 * keeps both knows in one read whether its block is still the same allocation.
 */
export function tagOf(address: number): { word: number; tag: number } {
  const b = locate(address, 'tag');
  return { word: b.tw, tag: I32[b.tw]! };
}

/**
 * Word index of the liveness tag of the live block at `address`, or -1 when no
 * live block starts there. No allocation and no exception: the fast form of
 * tagOf() for code that wraps every fresh block (a pointer keeps the word and
 * the tag it holds, and is live while `I32[word] === tag`). Its page lookup
 * repeats free()'s fast path on purpose: a shared helper would be one more
 * call in both, and free() must stay small enough for V8 to inline.
 */
export function tagWordOf(address: number): number {
  const off = typeof address === 'number' ? address - BASE : -1;
  if (!((off >>> 0) === off && (off & 15) === 0 && off < SIZE && off >= FIRST_DATA)) return -1;
  const ou = off >>> 12;
  let hu = ou;
  let d = 8192 + (ou << 4);
  let kind = I32[d]!;
  if (kind === 3) {
    hu = I32[d + 1]!;
    d = 8192 + (hu << 4);
    kind = I32[d]!;
  }
  if (kind === 1) {
    const cls = I32[d + 1]!;
    const rel = ((ou - hu) << 12) + (off & 0xfff) - H_PAGE_DATA[cls]!;
    const idx = (rel * H_CLASS_INV[cls]!) | 0;
    if (rel < 0 || idx * H_CLASS_SIZE[cls]! !== rel || idx >= I32[d + D_BUMP]!) return -1;
    const tw = (hu << 10) + idx;
    return (I32[tw]! & 1) === 1 ? tw : -1;
  }
  if (kind === K_LARGE && hu === ou && (off & 0xfff) === 0) return (I32[d + D_LTAG]! & 1) === 1 ? d + D_LTAG : -1;
  return -1;
}

/** True when `address` still holds the allocation whose tag was `tag`. */
export function isLive(address: number, tag: number): boolean {
  try {
    const b = locate(address, 'isLive');
    return I32[b.tw] === tag;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// Introspection

export interface ThreadStats {
  slot: number;
  threadId: number;
  state: 'live' | 'dead';
  /** Small pages owned by the thread. */
  pages: number;
  /** Bytes in blocks allocated from those pages (by their size class). */
  used: number;
  /** Live blocks on those pages. */
  blocks: number;
  /** Bytes of its stack segment (0 before its first frame). */
  stack: number;
}

export interface HeapStats {
  /** Bytes of address space reserved for the heap. */
  reserved: number;
  /** Bytes that may be resident: units handed out or free but not yet returned to the OS, and the header pages written. */
  committed: number;
  /** Bytes in live blocks (small blocks count their size class, large blocks whole units). */
  used: number;
  /** Bytes that can be allocated without growing: free spans and free blocks in pages. */
  free: number;
  /** Live blocks. */
  blocks: number;
  /** Live large blocks (over 128 KiB), included in `blocks`. */
  largeBlocks: number;
  /** Bytes of heap metadata: the header pages written (global words, thread table, descriptors of units in use), page tag tables. */
  metadata: number;
  /** Per live or dead-but-not-yet-adopted thread. */
  threads: ThreadStats[];
}


export function stats(): HeapStats {
  const threads = new Map<number, ThreadStats>();
  for (let s = 1; s < MAX_THREADS; s++) {
    const state = Atomics.load(I32, threadWord(s, T_STATE));
    if (state !== SLOT_LIVE && state !== SLOT_DEAD) continue;
    const stackUnit = I32[threadWord(s, T_STACK_UNIT)]!;
    threads.set(s, {
      slot: s,
      threadId: I32[threadWord(s, T_THREAD_ID)]!,
      state: state === SLOT_LIVE ? 'live' : 'dead',
      pages: 0,
      used: 0,
      blocks: 0,
      stack: stackUnit ? I32[descOf(stackUnit) + D_SIZE]! * UNIT : 0,
    });
  }
  let used = 0;
  let free = 0;
  let blocks = 0;
  let largeBlocks = 0;
  let metadata = Atomics.load(I32, H_META_BYTES);
  for (let u = I32[H_FIRST_DATA_UNIT]!; u < UNITS; ) {
    const d = descOf(u);
    const kind = I32[d + D_KIND];
    const len = kind === K_FREE ? I32[d + D_INFO]! : I32[d + D_SIZE]!;
    if (kind === K_FREE) free += len * UNIT;
    else if (kind === K_LARGE) {
      used += len * UNIT;
      blocks++;
      largeBlocks++;
    } else if (kind === K_RELEASING) {
      // Empty: a pooled span, or a page on its way to the pool.
      free += len * UNIT;
    } else if (kind === K_SMALL) {
      const cls = I32[d + D_INFO]!;
      const live = Math.max(0, I32[d + D_USED]! - Atomics.load(I32, d + D_REMOTE));
      used += live * CLASS_SIZE[cls]!;
      free += (PAGE_CAP[cls]! - live) * CLASS_SIZE[cls]!;
      blocks += live;
      metadata += PAGE_DATA[cls]!;
      const t = threads.get(I32[d + D_OWNER]!);
      if (t) {
        t.pages++;
        t.used += live * CLASS_SIZE[cls]!;
        t.blocks += live;
      }
    }
    u += Math.max(1, len);
  }
  return {
    reserved: SIZE,
    committed: Atomics.load(I32, H_COMMITTED_UNITS) * UNIT + Atomics.load(I32, H_META_BYTES),
    used,
    free,
    blocks,
    largeBlocks,
    metadata,
    threads: [...threads.values()],
  };
}

/** Error thrown by check(): the heap broke an invariant. */
export class HeapCorruptionError extends PointerError {
  constructor(message: string) {
    super(`heap check failed: ${message}`, 'ERR_HEAP_CORRUPT');
  }
}

/**
 * Walks every structure of the heap and throws HeapCorruptionError on the first
 * broken invariant. Exact when no other thread is allocating (or being torn
 * down) at the same time. Pages of dead threads are checked against their tags
 * only: a thread terminated mid-operation may leave a page's count and free
 * list a step behind, and its adopter rebuilds both from the tags.
 */
export function check(): void {
  const spans = native.checkSpans();
  if (spans !== null) throw new HeapCorruptionError(spans);
  const fail = (m: string): never => {
    throw new HeapCorruptionError(m);
  };
  checkOwnLists(fail);
  for (let u = I32[H_FIRST_DATA_UNIT]!; u < UNITS; ) {
    const d = descOf(u);
    const kind = I32[d + D_KIND];
    const len = kind === K_FREE ? I32[d + D_INFO]! : I32[d + D_SIZE]!;
    if (kind === K_SMALL) checkPage(u, d, fail);
    else if (kind === K_LARGE && (I32[d + D_LTAG]! & 3) !== 1) fail(`large block at unit ${u} is in the heap but its tag says freed`);
    else if (kind === K_RELEASING) checkPooledPage(u, d, fail);
    u += Math.max(1, len);
  }
}

/** This thread's own lists: its pages per class and its pooled spans, against the descriptors. */
function checkOwnLists(fail: (m: string) => never): void {
  for (let cls = 0; cls < CLASS_COUNT; cls++) {
    const pages = pagesOf[cls]!;
    for (let i = 0; i < pages.length; i++) {
      const d = pages[i]!;
      if (I32[d + D_KIND] !== K_SMALL || I32[d + D_OWNER] !== SLOT || I32[d + D_INFO] !== cls || I32[d + D_INDEX] !== i) {
        fail(`this thread's page list of class ${cls} holds unit ${unitOfDesc(d)}, which is not its page at position ${i}`);
      }
    }
  }
  let units = 0;
  for (let b = 0; b <= BINS; b++) {
    const bin = bins[b]!;
    for (let i = 0; i < bin.length; i++) {
      const d = bin[i]!;
      if (!isPooled(d) || binOf(I32[d + D_SIZE]!) !== b || I32[d + D_INDEX] !== i || I32[d + D_USED] !== 0) {
        fail(`this thread's page pool holds unit ${unitOfDesc(d)}, which is not a pooled span of its bin`);
      }
      units += I32[d + D_SIZE]!;
    }
  }
  if (units !== pooledUnits) fail(`this thread's page pool counts ${pooledUnits} units, its spans ${units}`);
}

/** An empty page kept in a thread's page pool: owned by a thread, nothing lives on it. */
function checkPooledPage(unit: number, d: number, fail: (m: string) => never): void {
  const owner = I32[d + D_OWNER]!;
  const state = I32[threadWord(owner, T_STATE)];
  if (!(owner > 0 && owner < MAX_THREADS) || (state !== SLOT_LIVE && state !== SLOT_DEAD)) {
    fail(`pooled page at unit ${unit} is owned by slot ${owner}, which no thread holds`);
  }
  if (I32[d + D_USED] !== 0) fail(`pooled page at unit ${unit} counts ${I32[d + D_USED]} used blocks`);
}

function checkPage(unit: number, d: number, fail: (m: string) => never): void {
  const cls = I32[d + D_INFO]!;
  if (!(cls >= 0 && cls < CLASS_COUNT)) fail(`page at unit ${unit} has size class ${cls}`);
  if (I32[d + D_SIZE] !== PAGE_UNITS[cls]) fail(`page at unit ${unit} spans ${I32[d + D_SIZE]} units, its class needs ${PAGE_UNITS[cls]}`);
  const owner = I32[d + D_OWNER]!;
  const state = I32[threadWord(owner, T_STATE)];
  if (!(owner > 0 && owner < MAX_THREADS) || (state !== SLOT_LIVE && state !== SLOT_DEAD)) {
    fail(`page at unit ${unit} is owned by slot ${owner}, which no thread holds`);
  }
  const page = unit * UNIT;
  const bump = I32[d + D_BUMP]!;
  if (!(bump >= 0 && bump <= PAGE_CAP[cls]!)) fail(`page at unit ${unit} has carved ${bump} of ${PAGE_CAP[cls]} blocks`);
  let allocated = 0;
  let remote = 0;
  let local = 0;
  for (let i = 0; i < bump; i++) {
    const s = I32[page / 4 + i]! & 3;
    if (s === 1) allocated++;
    else if (s === 2) remote++;
    else if (s === 0) local++;
    else fail(`block ${i} of the page at unit ${unit} has a bad tag state`);
  }
  // A thread terminated in the middle of an operation can leave its page's count
  // and free list a step behind its tags: whoever adopts the page rebuilds both
  // from the tags (the source of truth), so for a dead owner only the tags count.
  if (state === SLOT_DEAD) return;
  if (I32[d + D_USED] !== allocated + remote) {
    fail(`page at unit ${unit} counts ${I32[d + D_USED]} used blocks, its tags ${allocated} allocated + ${remote} remote`);
  }
  const seen = new Uint8Array(bump);
  let n = 0;
  const size = CLASS_SIZE[cls]!;
  for (let w = I32[d + D_FREELIST]!; w !== 0; w = I32[w]!) {
    const rel = w * 4 - page - PAGE_DATA[cls]!;
    const idx = rel / size;
    if (!Number.isInteger(idx) || idx < 0 || idx >= bump) fail(`free list of the page at unit ${unit} leaves the page`);
    if (seen[idx]) fail(`free list of the page at unit ${unit} holds block ${idx} twice`);
    seen[idx] = 1;
    if ((I32[page / 4 + idx]! & 3) !== 0) fail(`free list of the page at unit ${unit} holds block ${idx}, whose tag is not free`);
    if (I32[w + 1] !== page / 4 + idx) fail(`free block ${idx} of the page at unit ${unit} lost its tag link`);
    if (++n > bump) fail(`free list of the page at unit ${unit} loops`);
  }
  if (n !== local) fail(`page at unit ${unit} has ${local} locally freed blocks but ${n} on its free list`);
}
