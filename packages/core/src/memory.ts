/**
 * Views over the heap and the liveness of memory.
 *
 * Every memory pointer keeps three numbers besides its offset: a word index `w`
 * into the heap and the value `t` that word held when the memory was handed out.
 * The memory is live exactly while `I32[w] === t`: one read on every access.
 *
 * - Heap blocks: `w` is the block's liveness tag word (see @ptr/native layout.ts);
 *   the tag changes on every free and allocation, from any thread, so a pointer
 *   whose block was freed by another thread, even if the address was reused
 *   since, sees a different value.
 * - Stack frames: `w` is the frame's serial slot in its thread's stack segment
 *   header (`S_SERIALS + depth`) and `t` its serial, from `currentFrame()`. The
 *   native pop clears the slot and a later frame at that depth gets a new serial,
 *   so this is `isFrameLive(depth, serial)` in one read, and it also holds when
 *   read from another thread.
 */
import { heap, layout, stackSegmentWord, currentFrame } from '@ptr/native';

/** Native address of heap offset 0. */
export const BASE: number = heap.base;
/** Bytes of the heap. */
export const SIZE: number = heap.size;
export const I32 = new Int32Array(heap.buffer);
export const U8 = new Uint8Array(heap.buffer);
export const DV = new DataView(heap.buffer);
// Typed arrays of the other widths, for aligned accesses in generated code (scalar.ts).
export const I16 = new Int16Array(heap.buffer);
export const U16 = new Uint16Array(heap.buffer);
export const U32 = new Uint32Array(heap.buffer);
export const F32 = new Float32Array(heap.buffer);
export const F64 = new Float64Array(heap.buffer);
/** A Buffer over the heap, for its string codecs (latin1/utf8 read and write in place). */
export const HB: Buffer = Buffer.from(heap.buffer);
/** The heap's SharedArrayBuffer, typed for typed-array constructors (whose typings want an ArrayBuffer). */
export const HEAP_BUFFER = heap.buffer as unknown as ArrayBuffer;

/** The largest small block (larger ones are spans of whole units). */
const SMALL_MAX = 128 * 1024;
export const isLargeBlock = (usable: number): boolean => usable > SMALL_MAX;

const { DESC_BASE, D_KIND, K_SMALL, UNIT_SHIFT } = layout;

/**
 * Tag word of a block `heap.malloc` has just returned. The general answer is
 * `heap.tagWordOf(address)`, but its size (in bytecode) keeps V8 from inlining
 * `free` into a `free(malloc(n))` loop, which then costs a third more; so small
 * blocks take a shortcut, trusting an allocator invariant that is checked here
 * before each use and once at load:
 *
 * a small block comes off its page's free list, whose entries keep the index
 * of their tag word in their second word, which malloc leaves in place; the tag
 * table starts the page. The word is taken when it points below the block into
 * the tag table of this page at an allocated tag. Anything else (large blocks,
 * a failed self-test, e.g. under a poisoning debug allocator) asks tagWordOf.
 */
function freshTagWord(address: number): number {
  const off = address - BASE;
  const d = DESC_BASE + ((off >>> UNIT_SHIFT) << 4);
  if (fastTags && I32[d + D_KIND] === K_SMALL) {
    // a page's first unit (multi-unit pages are K_CONT past it: slow path)
    const tw = I32[(off >>> 2) + 1]!;
    if (tw >>> (UNIT_SHIFT - 2) === off >>> UNIT_SHIFT && tw < off >>> 2 && (I32[tw]! & 3) === 1) return tw;
  }
  return slowTagWord(address);
}

/** `heap.tagWordOf`, then `heap.tagOf` (which throws the reason) if no live block starts there. */
function slowTagWord(address: number): number {
  const w = heap.tagWordOf(address);
  return w >= 0 ? w : heap.tagOf(address).word;
}

let fastTags = layout.DESC_WORDS === 16;
{
  // Self-test: the shortcut must agree with the heap for blocks of every size.
  const blocks: number[] = [];
  for (const size of [0, 1, 15, 16, 17, 48, 100, 128, 129, 1000, 1024, 1025, 4096, 60000, 131072, 131073, 300000]) {
    for (let i = 0; i < 3; i++) {
      const a = heap.malloc(size);
      blocks.push(a);
      if (freshTagWord(a) !== heap.tagOf(a).word) fastTags = false;
    }
  }
  for (const a of blocks) heap.free(a);
}

/**
 * Out-parameters of {@link allocate}, {@link retag} and {@link frameTag}: the
 * liveness word and tag of the memory just handed out (an object, not two
 * exported `let`s: an imported binding costs a cell load on every read).
 */
export const live = { w: 0, t: 0 };

export { freshTagWord };

/** `heap.malloc(size)`; returns the heap offset and sets {@link live}. */
export function allocate(size: number): number {
  const address = heap.malloc(size);
  const w = freshTagWord(address);
  const off = address - BASE;
  live.w = w;
  live.t = I32[w]!;
  return off;
}

/** Reads the liveness word and tag of a live block after realloc (slow path). */
export function retag(off: number): void {
  const { word, tag } = heap.tagOf(BASE + off);
  live.w = word;
  live.t = tag;
}

/** Liveness of the innermost frame of this thread: sets {@link live}. */
export function frameTag(): void {
  const { depth, serial } = currentFrame();
  live.w = stackSegmentWord() + layout.S_SERIALS + depth;
  live.t = serial;
}

/** Zeroes `n` bytes at `off`. */
export function zero(off: number, n: number): void {
  if (n <= 16) {
    for (let i = 0; i < n; i++) U8[off + i] = 0;
  } else {
    U8.fill(0, off, off + n);
  }
}

/** Rounds up to a multiple of 16 (frames and blocks are 16-byte aligned). */
export const align16 = (n: number): number => Math.ceil(n / 16) * 16;
