/**
 * `heapStats()` pictured: an SVG map of the @ptr heap, one cell per 64 KiB unit (see heap-map.mjs).
 * Import `@ptr/native/heap-map` (or preload it: `PTR_HEAP_MAP=heap.svg node --import @ptr/native/heap-map app.mjs`).
 * @module
 */
import type { HeapStats } from '../dist/index.js';

/** Options of {@link heapMapSvg}. */
export interface HeapMapOptions {
  /** Units per row (8–512; default 64, i.e. 4 MiB a row). */
  columns?: number;
  /** Pixels per unit cell (4–32; default 14). */
  cell?: number;
  /** Title drawn at the top. */
  title?: string;
}

/** A run of units with one role. */
export interface HeapMapSpan {
  /** First unit (64 KiB each; unit u starts at `base + u * unit`). */
  unit: number;
  units: number;
  kind: 'header' | 'free' | 'small' | 'large' | 'stack' | 'releasing' | string;
  /** Units of the span that may be resident (not given back to the OS). */
  committed: number;
  /** Small pages and stack segments: the owning thread slot. */
  owner?: number;
  /** Small pages: size class, its block size, blocks per page, live blocks, remote frees not yet collected, blocks carved so far. */
  sizeClass?: number;
  blockSize?: number;
  capacity?: number;
  live?: number;
  remote?: number;
  carved?: number;
}

/** A thread slot of the heap and what it holds. */
export interface HeapMapThread {
  slot: number;
  threadId: number;
  state: 'live' | 'dead';
  /** True for the thread that drew the map. */
  current: boolean;
  pages: number;
  pageBytes: number;
  used: number;
  blocks: number;
  stack: number;
}

/** The data a map is drawn from. */
export interface HeapMap {
  base: number;
  unit: number;
  units: number;
  firstDataUnit: number;
  spans: HeapMapSpan[];
  threads: HeapMapThread[];
  stats: HeapStats;
}

/** The heap unit by unit (a lock-free snapshot: exact when no other thread allocates meanwhile). */
export function heapMap(): HeapMap;
/** The map as an SVG document. */
export function heapMapSvg(options?: HeapMapOptions): string;
/** Writes the map to `file` (default `heap.svg`); returns the absolute path. */
export function writeHeapMap(file?: string, options?: HeapMapOptions): string;
