/**
 * @ptr/native — the process heap: one native reservation that every thread of
 * the process sees as the same SharedArrayBuffer, its thread-safe allocator, and
 * native stack frames. Addresses are real native addresses (`heap.base + offset`),
 * the same in every thread.
 */
import { view, native } from './addon.js';
import * as allocator from './allocator.js';
import * as debug from './debug.js';
import { DEBUG } from './config.js';

export * from './errors.js';
export { HeapCorruptionError } from './allocator.js';
export { HeapOverflowError } from './debug.js';
/** True when PTR_DEBUG=1 turned on the checking allocator. */
export { DEBUG as debugAllocator } from './config.js';
export type { HeapStats, ThreadStats } from './allocator.js';
export { withFrame, currentFrame, isFrameLive, stackSegmentWord } from './frames.js';
export { parseByteSize } from './config.js';
export * as layout from './layout.js';
/** Size classes of small blocks and the shape of their pages (for tools that read the heap, like the heap map). */
export * as sizeClasses from './classes.js';

/** The raw, address-level heap API. */
export interface Heap {
  /** Allocates `size` bytes, 16-byte aligned; `malloc(0)` returns a unique freeable address. */
  malloc(size: number): number;
  /** Allocates `count * size` zeroed bytes. */
  calloc(count: number, size: number): number;
  /** Resizes a block, in place when it can, keeping its contents; returns its address. */
  realloc(address: number, size: number): number;
  /** Frees a block, from any thread. `free(0)` does nothing. */
  free(address: number): void;
  /** Bytes usable in a live block. */
  usableSize(address: number): number;
  /** Heap figures: reserved, committed, used, free, blocks, per-thread figures. */
  stats(): allocator.HeapStats;
  /** Walks the heap; throws HeapCorruptionError on a broken invariant. */
  check(): void;
  /** Liveness tag of a live block and the word that holds it (see layout.ts). */
  tagOf(address: number): { word: number; tag: number };
  /** True while `address` still holds the allocation tagged `tag`. */
  isLive(address: number, tag: number): boolean;
  /** Word index (in an Int32Array over `buffer`) of a live block's tag, or -1: tagOf without allocation or exceptions. */
  tagWordOf(address: number): number;
  /** This thread's SharedArrayBuffer over the whole heap. */
  readonly buffer: SharedArrayBuffer;
  /** Native address of heap offset 0. */
  readonly base: number;
  /** Bytes reserved. */
  readonly size: number;
  /** This thread's slot in the heap's thread table. */
  readonly slot: number;
}

/**
 * The heap. A plain object literal, so calls through it stay fast (an addon
 * object with many properties would sit in V8's dictionary mode).
 */
export const heap: Heap = {
  // PTR_DEBUG=1: the checking allocator (guard bytes, freed-memory pattern; see debug.ts).
  malloc: DEBUG ? debug.malloc : allocator.malloc,
  calloc: DEBUG ? debug.calloc : allocator.calloc,
  realloc: DEBUG ? debug.realloc : allocator.realloc,
  free: DEBUG ? debug.free : allocator.free,
  usableSize: DEBUG ? debug.usableSize : allocator.usableSize,
  stats: allocator.stats,
  check: allocator.check,
  tagOf: allocator.tagOf,
  isLive: allocator.isLive,
  tagWordOf: allocator.tagWordOf,
  buffer: view.buffer,
  base: view.base,
  size: view.size,
  slot: view.slot,
};

/** Whether the running Node has node_api_create_external_sharedarraybuffer (see README: Node 20 uses the V8 API). */
export const nodeApiExternalSab: boolean = view.nodeApiExternalSab;

/** An N-API call that does nothing: the unit benchmarks compare native crossings with. */
export const napiNoop: () => void = native.noop;
