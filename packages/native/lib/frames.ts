/**
 * Native stack frames. Each thread owns a LIFO stack segment of the heap (its
 * size is PTR_STACK_SIZE, default 1 MiB), created on its first frame and
 * reclaimed when the thread exits. `withFrame(size, fn)` is the C++ function
 * itself: it pushes `size` bytes, calls `fn(address)` inside its own native
 * frame, and pops when that native frame returns, also when `fn` throws.
 */
import { native, view } from './addon.js';
import { heapI32 as I32 } from './allocator.js';
import { S_DEPTH, S_SERIALS, UNIT } from './layout.js';

/** Runs `fn(address)` with `size` bytes of this thread's stack segment; the memory dies when it returns. */
export const withFrame: <R>(size: number, fn: (address: number) => R) => R = view.withFrame;

let segmentWord = 0;

/** Word index of this thread's stack segment header (creates the segment on first use). */
export function stackSegmentWord(): number {
  if (segmentWord === 0) segmentWord = (native.stackSegment() * UNIT) / 4;
  return segmentWord;
}

/**
 * Identifies the innermost live frame of this thread: `depth` and `serial`.
 * A frame is live while `isFrameLive(depth, serial)`.
 */
export function currentFrame(): { depth: number; serial: number } {
  const s = stackSegmentWord();
  const depth = I32[s + S_DEPTH]! - 1;
  return { depth, serial: depth >= 0 ? I32[s + S_SERIALS + depth]! : 0 };
}

export function isFrameLive(depth: number, serial: number): boolean {
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 0 || typeof serial !== 'number' || serial === 0) return false;
  const s = stackSegmentWord();
  return depth < I32[s + S_DEPTH]! && I32[s + S_SERIALS + depth] === serial;
}
