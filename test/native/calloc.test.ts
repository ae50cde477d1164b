// heap.calloc: count * size zeroed bytes, also when the memory was used before;
// a product that overflows or exceeds the heap is an InvalidSizeError.
import test from 'ava';
import { AllocationError, InvalidSizeError, PointerError } from '../../packages/native/dist/index.js';
import { U8, heap, throwsCleanly } from './_helpers.ts';

/** 64 KiB: sizes of three of these and more are large blocks (over 128 KiB). */
const BIG = 64 * 1024;

const isZero = (address: number, bytes: number): boolean => {
  const off = address - heap.base;
  for (let i = off; i < off + bytes; i++) if (U8[i] !== 0) return false;
  return true;
};

test('calloc returns count * size zeroed bytes', (t) => {
  for (const [count, size] of [[1, 1], [10, 100], [3, 7], [1000, 16], [16, 8192], [1, 200_000], [4, 300_000]] as const) {
    const a = heap.calloc(count, size);
    t.is(a % 16, 0);
    t.true(heap.usableSize(a) >= count * size, `calloc(${count}, ${size})`);
    t.true(isZero(a, count * size), `calloc(${count}, ${size}) is zeroed`);
    heap.free(a);
  }
  heap.check();
});

test('calloc zeroes memory that held data before (small blocks reused from the free list)', (t) => {
  for (const size of [16, 40, 256, 1000, 4000, 100_000]) {
    const dirty = Array.from({ length: 50 }, () => heap.malloc(size));
    for (const a of dirty) U8.fill(0xa5, a - heap.base, a - heap.base + heap.usableSize(a));
    for (const a of dirty) heap.free(a);
    const clean = Array.from({ length: 50 }, () => heap.calloc(1, size));
    const reused = clean.filter((a) => dirty.includes(a)).length;
    t.true(reused > 0, `calloc(1, ${size}) reused dirty blocks (${reused} of 50)`);
    t.true(clean.every((a) => isZero(a, size)), `every calloc(1, ${size}) is zeroed`);
    for (const a of clean) heap.free(a);
  }
  heap.check();
});

test('calloc zeroes a large block placed over memory a freed large block dirtied', (t) => {
  const size = 5 * BIG - 100; // small enough to stay committed when freed
  const a = heap.malloc(size);
  U8.fill(0xff, a - heap.base, a - heap.base + heap.usableSize(a));
  heap.free(a);
  const b = heap.calloc(1, size);
  t.is(b, a, 'best fit put the new block over the dirty one');
  t.true(isZero(b, size));
  const c = heap.calloc(size, 1);
  t.true(isZero(c, size));
  heap.free(b);
  heap.free(c);
  heap.check();
});

test('calloc with a zero count or size returns a unique freeable block', (t) => {
  const a = heap.calloc(0, 8);
  const b = heap.calloc(8, 0);
  const c = heap.calloc(0, 0);
  t.is(new Set([a, b, c]).size, 3);
  for (const x of [a, b, c]) {
    t.not(x, 0);
    heap.free(x);
  }
  heap.check();
});

test('calloc: count * size larger than the heap, or overflowing, is InvalidSizeError', (t) => {
  const cases: [number, number][] = [
    [2 ** 20, 2 ** 20],
    [2 ** 31, 2 ** 31],
    [2 ** 40, 2 ** 40],
    [Number.MAX_SAFE_INTEGER, 2],
    [heap.size, 2],
    [2, heap.size / 2 + 16],
    [heap.size + 1, 1],
    [1, heap.size + 1],
    [65536, 65537],
  ];
  for (const [count, size] of cases) {
    const e = throwsCleanly(t, () => heap.calloc(count, size), InvalidSizeError, `calloc(${count}, ${size})`);
    t.is((e as PointerError | undefined)?.code, 'ERR_INVALID_SIZE');
  }
});

test('calloc: bad count or size arguments are InvalidSizeError', (t) => {
  const bad: unknown[] = [-1, NaN, 1.5, '8', {}, undefined, null, Infinity, -Infinity, 2 ** 53, [], true, 8n];
  for (const v of bad) {
    throwsCleanly(t, () => heap.calloc(v as number, 8), InvalidSizeError, `calloc(${String(v)}, 8)`);
    throwsCleanly(t, () => heap.calloc(8, v as number), InvalidSizeError, `calloc(8, ${String(v)})`);
  }
});

test('calloc of exactly the heap size cannot fit (the header takes room): a typed error, heap unchanged', (t) => {
  const before = heap.stats();
  const e = t.throws(() => heap.calloc(1, heap.size));
  t.true(e instanceof AllocationError || e instanceof InvalidSizeError, `${e?.constructor.name}: ${e?.message}`);
  t.is(heap.stats().used, before.used);
  heap.check();
});
