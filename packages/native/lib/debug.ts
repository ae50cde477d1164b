/**
 * The checking allocator, on with PTR_DEBUG=1: every block gets guard bytes after
 * the bytes asked for, checked on free and realloc, and freed memory is filled
 * with a pattern, so overflows and writes through stale addresses show up.
 *
 * A block of `size` bytes is laid out as
 *   [size bytes for the caller] [guard: 0xFD ...] [size as uint32, last 4 bytes]
 * with at least 12 guard bytes. `usableSize` reports `size`, so @ptr/core never
 * writes into the guard. The size sits inside the block, so a free from another
 * thread checks the same guard. Freed blocks are filled with 0xDD.
 */
import { PointerError, hex } from './errors.js';
import * as fast from './allocator.js';

const GUARD = 0xfd;
const FREED = 0xdd;
const EXTRA = 16;
const U8 = fast.heapU8;
const BASE = fast.BASE_ADDRESS;

/** A block was written past its end (PTR_DEBUG only). */
export class HeapOverflowError extends PointerError {
  constructor(message: string) {
    super(message, 'ERR_HEAP_OVERFLOW');
  }
}

function trailer(address: number): { size: number; usable: number } {
  const usable = fast.usableSize(address);
  const off = address - BASE + usable - 4;
  const size = (U8[off]! | (U8[off + 1]! << 8) | (U8[off + 2]! << 16) | (U8[off + 3]! << 24)) >>> 0;
  return { size, usable };
}

function verify(address: number, op: string): { size: number; usable: number } {
  const t = trailer(address);
  const off = address - BASE;
  if (t.size + EXTRA > t.usable) {
    throw new HeapOverflowError(`${op}(${hex(address)}): the block's size record was overwritten (heap buffer overflow)`);
  }
  for (let i = t.size; i < t.usable - 4; i++) {
    if (U8[off + i] !== GUARD) {
      throw new HeapOverflowError(
        `${op}(${hex(address)}): heap buffer overflow: the block of ${t.size} bytes at ${hex(address)} was written ` +
          `past its end (byte +${i} changed to 0x${U8[off + i]!.toString(16)})`,
      );
    }
  }
  return t;
}

function seal(address: number, size: number): number {
  const usable = fast.usableSize(address);
  const off = address - BASE;
  U8.fill(GUARD, off + size, off + usable - 4);
  U8[off + usable - 4] = size & 0xff;
  U8[off + usable - 3] = (size >>> 8) & 0xff;
  U8[off + usable - 2] = (size >>> 16) & 0xff;
  U8[off + usable - 1] = (size >>> 24) & 0xff;
  return address;
}

export function malloc(size: number): number {
  fast.checkSize(size);
  return seal(fast.malloc(size + EXTRA), size);
}

export function calloc(count: number, size: number): number {
  fast.checkSize(count, 'count');
  fast.checkSize(size);
  const total = count * size;
  fast.checkSize(total, `calloc(${count}, ${size}): count * size`);
  const a = malloc(total);
  U8.fill(0, a - BASE, a - BASE + total);
  return a;
}

export function free(address: number): void {
  if (address === 0) return;
  fast.checkLive(address, 'free'); // the fast allocator's errors for bad or freed addresses
  const { usable } = verify(address, 'free');
  const off = address - BASE;
  U8.fill(FREED, off, off + usable);
  fast.free(address);
}

export function realloc(address: number, size: number): number {
  if (address === 0) return malloc(size);
  fast.checkSize(size);
  fast.checkLive(address, 'realloc');
  const { size: old } = verify(address, 'realloc');
  const to = malloc(size); // always moves: a stale copy of the old address then fails
  U8.copyWithin(to - BASE, address - BASE, address - BASE + Math.min(old, size));
  free(address);
  return to;
}

export function usableSize(address: number): number {
  fast.checkLive(address, 'usableSize');
  return trailer(address).size;
}
