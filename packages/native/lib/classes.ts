/**
 * Size classes of small blocks and the shape of their pages.
 *
 * Classes are 16..128 bytes in steps of 16, then eight per doubling up to 128 KiB,
 * so a block wastes at most 12.5% of its size. A page of class c is a span of
 * PAGE_UNITS[c] units laid out as
 *   [tag per block (int32)] [remote-free bitmap, 1 bit per block] [pad to 16] [blocks]
 * one unit for classes up to 8 KiB, at least 2 blocks above, the unit count chosen to waste the least.
 */
import { UNIT } from './layout.js';
import { InvalidSizeError } from './errors.js';

export const SMALL_MAX = 128 * 1024;
export const CLASS_COUNT = 8 + 10 * 8;

export const CLASS_SIZE = new Int32Array(CLASS_COUNT);
/** 1/size, nudged up so that floor(offset * INV) is exact for every in-page offset. */
export const CLASS_INV = new Float64Array(CLASS_COUNT);
export const PAGE_UNITS = new Int32Array(CLASS_COUNT);
export const PAGE_CAP = new Int32Array(CLASS_COUNT);
/** Byte offset of the first block from the page start. */
export const PAGE_DATA = new Int32Array(CLASS_COUNT);
/** Blocks carved into the free list at a time (about 4 KiB worth). */
export const CARVE = new Int32Array(CLASS_COUNT);
/** Class of sizes 0..1024 by (size + 15) >> 4: the hot path's lookup. */
export const CLASS_OF_16 = new Uint8Array(65);

const align16 = (n: number): number => (n + 15) & ~15;
const overhead = (cap: number): number => align16(cap * 4 + Math.ceil(cap / 32) * 4);

function capacity(units: number, size: number): number {
  let cap = Math.floor((units * UNIT) / size);
  while (cap > 0 && overhead(cap) + cap * size > units * UNIT) cap--;
  return cap;
}

for (let c = 0; c < CLASS_COUNT; c++) {
  const size = c < 8 ? (c + 1) * 16 : (9 + ((c - 8) & 7)) << (4 + ((c - 8) >> 3));
  CLASS_SIZE[c] = size;
  CLASS_INV[c] = (1 + 2 ** -40) / size;
  // Classes up to 8 KiB share 64 KiB pages (7 blocks or more). Larger classes
  // get pages of at least 2 blocks: a page per class is partly empty most of
  // the time, so small pages keep the memory a thread holds close to its live bytes.
  const minBlocks = size <= 8192 ? 1 : 2;
  const minUnits = Math.max(1, Math.ceil((minBlocks * size + overhead(minBlocks)) / UNIT));
  // The smallest page that wastes at most 1/12 of itself, else the least wasteful.
  let best = minUnits;
  let bestWaste = Infinity;
  for (let u = minUnits; u <= minUnits * 4 && u <= 64; u++) {
    const waste = (u * UNIT - capacity(u, size) * size) / (u * UNIT);
    if (waste <= 1 / 12) {
      best = u;
      break;
    }
    if (waste < bestWaste - 1e-9) {
      bestWaste = waste;
      best = u;
    }
  }
  PAGE_UNITS[c] = best;
  PAGE_CAP[c] = capacity(best, size);
  PAGE_DATA[c] = overhead(PAGE_CAP[c]!);
  CARVE[c] = Math.max(1, Math.min(PAGE_CAP[c]!, Math.floor(4096 / size)));
}

/** Size class of a small size (0..SMALL_MAX); InvalidSizeError for anything else. */
export function classOf(size: number): number {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > SMALL_MAX) {
    throw new InvalidSizeError(`classOf: ${typeof size === 'number' ? size : typeof size} is not a small block size (0..${SMALL_MAX})`);
  }
  if (size <= 128) return size <= 16 ? 0 : ((size + 15) >> 4) - 1;
  const s = size - 1;
  const e = 31 - Math.clz32(s);
  return 8 + (e - 7) * 8 + ((s >> (e - 3)) & 7);
}

for (let i = 0; i <= 64; i++) CLASS_OF_16[i] = classOf(i * 16);
