/**
 * Size classes of small blocks and the shape of their pages.
 *
 * Classes are 16..128 bytes in steps of 16, then eight per doubling up to 8 KiB,
 * so a block wastes at most 12.5% of its size; above 8 KiB (to 128 KiB) a class
 * is a whole number of 4 KiB units minus the page's 16-byte header: a block
 * wastes less than one 4 KiB page and its page has no tail. A page of class c is a
 * span of PAGE_UNITS[c] units laid out as
 *   [tag per block (int32)] [remote-free bitmap, 1 bit per block] [pad to 16] [blocks]
 * Pages up to 8 KiB hold a few blocks (at least 4); above, one block per page:
 * a page of a big class is then never half empty, and a thread's memory stays
 * close to its live bytes.
 */
import { UNIT } from './layout.js';
import { InvalidSizeError } from './errors.js';

export const SMALL_MAX = 128 * 1024;
/** Classes of 16-byte steps, then eight per doubling, then of whole units. */
const STEP_CLASSES = 8;
const DOUBLING_CLASSES = 6 * 8; // 128 B-8 KiB
const UNIT_CLASS_FIRST = 3; // units of the first whole-unit class (over 8 KiB)
const UNIT_CLASS_LAST = 33; // units of the last (128 KiB + 16 bytes)
export const CLASS_COUNT = STEP_CLASSES + DOUBLING_CLASSES + (UNIT_CLASS_LAST - UNIT_CLASS_FIRST + 1);
/** Largest size whose pages hold several blocks. */
const MULTI_BLOCK_MAX = 8192;

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
  const d = c - STEP_CLASSES;
  const size =
    c < STEP_CLASSES ? (c + 1) * 16
    : d < DOUBLING_CLASSES ? (9 + (d & 7)) << (4 + (d >> 3))
    : (UNIT_CLASS_FIRST + d - DOUBLING_CLASSES) * UNIT - overhead(1);
  CLASS_SIZE[c] = size;
  CLASS_INV[c] = (1 + 2 ** -40) / size;
  const minBlocks = size <= MULTI_BLOCK_MAX ? 4 : 1;
  const minUnits = Math.max(1, Math.ceil((minBlocks * size + overhead(minBlocks)) / UNIT));
  let best = minUnits;
  if (size <= MULTI_BLOCK_MAX) {
    // The smallest page whose tail (after its tags and blocks) is at most 1/12 of it, else the least wasteful.
    let bestWaste = Infinity;
    for (let u = minUnits; u <= minUnits * 2; u++) {
      const cap = capacity(u, size);
      const waste = (u * UNIT - overhead(cap) - cap * size) / (u * UNIT);
      if (waste <= 1 / 12) {
        best = u;
        break;
      }
      if (waste < bestWaste - 1e-9) {
        bestWaste = waste;
        best = u;
      }
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
  if (size > MULTI_BLOCK_MAX) return STEP_CLASSES + DOUBLING_CLASSES + Math.ceil((size + overhead(1)) / UNIT) - UNIT_CLASS_FIRST;
  const s = size - 1;
  const e = 31 - Math.clz32(s);
  return 8 + (e - 7) * 8 + ((s >> (e - 3)) & 7);
}

for (let i = 0; i <= 64; i++) CLASS_OF_16[i] = classOf(i * 16);
