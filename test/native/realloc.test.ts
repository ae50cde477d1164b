// heap.realloc: keeps the contents, grows a large block in place when the span
// after it is free, shrinks in place, moves when it must; realloc(0, n) is malloc(n).
import test from 'ava';
import { FreedMemoryError, InvalidPointerError, InvalidSizeError } from '../../packages/native/dist/index.js';
import { SMALL_MAX, descWord, fill, heap, native, throwsCleanly, verify } from './_helpers.ts';

/** 64 KiB: sizes of three of these and more are large blocks (over 128 KiB). */
const BIG = 64 * 1024;

const { D_KIND, K_FREE } = native.layout;

/** A large block whose next span is free (so it can grow in place). */
function largeWithFreeSpanAfter(size: number): { address: number; held: number[] } {
  const held: number[] = [];
  for (let i = 0; i < 64; i++) {
    const a = heap.malloc(size);
    const end = a - heap.base + heap.usableSize(a);
    if (descWord(end, D_KIND) === K_FREE) return { address: a, held };
    held.push(a);
  }
  throw new Error('no large block with a free span after it');
}

test('growing a small block keeps its contents', (t) => {
  for (const [from, to] of [[10, 20], [16, 17], [100, 1000], [1000, 50_000], [4000, SMALL_MAX], [500, SMALL_MAX + 1], [64, 3 * BIG]]) {
    const a = heap.malloc(from!);
    fill(a, from!, from!);
    const b = heap.realloc(a, to!);
    t.is(b % 16, 0);
    t.true(heap.usableSize(b) >= to!, `realloc(${from} -> ${to}) usable`);
    t.is(verify(b, from!, from!, a), 0, `realloc(${from} -> ${to}) kept the first ${from} bytes`);
    if (b !== a) t.throws(() => heap.usableSize(a), { instanceOf: FreedMemoryError }, 'the old block was freed');
    heap.free(b);
  }
  heap.check();
});

test('shrinking or growing within the usable size keeps the address', (t) => {
  const a = heap.malloc(100); // class of 112 bytes
  fill(a, 100, 1);
  const usable = heap.usableSize(a);
  t.is(heap.realloc(a, usable), a, 'grow within the usable size: same block');
  t.is(heap.realloc(a, 50), a, 'shrink of a small block: same block');
  t.is(verify(a, 48, 1), 0);
  heap.free(a);
  heap.check();
});

test('a large block grows in place when the span after it is free', (t) => {
  const { address: a, held } = largeWithFreeSpanAfter(3 * BIG);
  fill(a, 3 * BIG, 7);
  const before = heap.stats();
  const b = heap.realloc(a, 10 * BIG + 5);
  t.is(b, a, 'same address: grown in place');
  t.true(heap.usableSize(a) >= 10 * BIG + 5);
  t.is(verify(a, 3 * BIG, 7), 0, 'contents kept');
  t.is(heap.stats().used - before.used, heap.usableSize(a) - 3 * BIG, 'stats().used counts the grown block');
  t.is(heap.stats().blocks, before.blocks);
  fill(a, 10 * BIG + 5, 8); // the whole grown block is writable
  heap.check();
  heap.free(a);
  for (const h of held) heap.free(h);
  heap.check();
});

test('a large block moves when the span after it is taken, keeping its contents', (t) => {
  const size = 2 * BIG + 16; // over SMALL_MAX: a large block of 33 units
  const { address: a, held } = largeWithFreeSpanAfter(size);
  const next = heap.malloc(size); // best fit: right after `a`
  t.is(next, a + heap.usableSize(a), 'the next block sits right after');
  fill(a, size, 1);
  fill(next, size, 2);
  const tag = heap.tagOf(a).tag;
  const b = heap.realloc(a, 6 * BIG);
  t.not(b, a, 'moved');
  t.is(verify(b, size, 1, a), 0, 'contents moved along');
  t.is(verify(next, size, 2), 0, 'the neighbour is untouched');
  t.false(heap.isLive(a, tag), 'the old block is dead');
  t.throws(() => heap.free(a), { instanceOf: FreedMemoryError });
  heap.free(b);
  heap.free(next);
  for (const h of held) heap.free(h);
  heap.check();
});

test('a large block shrinks in place and gives the tail back', (t) => {
  const a = heap.malloc(20 * BIG);
  fill(a, 20 * BIG, 3);
  const before = heap.stats();
  const b = heap.realloc(a, 3 * BIG + 1);
  t.is(b, a, 'shrunk in place');
  t.is(verify(a, 3 * BIG, 3), 0);
  t.true(heap.usableSize(a) >= 3 * BIG + 1 && heap.usableSize(a) < 20 * BIG);
  t.is(before.used - heap.stats().used, 20 * BIG - heap.usableSize(a), 'the tail is no longer used');
  heap.check();
  // A large block shrunk to a small size moves to a small block, contents kept.
  const c = heap.realloc(a, 1000);
  t.is(verify(c, 1000, 3, a), 0);
  t.true(heap.usableSize(c) >= 1000 && heap.usableSize(c) <= SMALL_MAX);
  heap.free(c);
  heap.check();
});

test('realloc(0, n) is malloc(n); realloc(a, 0) keeps a freeable block', (t) => {
  const before = heap.stats();
  const a = heap.realloc(0, 100);
  t.not(a, 0);
  t.true(heap.usableSize(a) >= 100);
  t.is(heap.stats().blocks, before.blocks + 1);
  const l = heap.realloc(0, 300_000);
  t.true(heap.usableSize(l) >= 300_000);
  const z = heap.realloc(a, 0);
  t.not(z, 0);
  heap.free(z);
  heap.free(l);
  t.is(heap.stats().blocks, before.blocks);
  t.is(heap.stats().used, before.used);
  heap.check();
});

test('realloc errors: bad sizes, bad and freed addresses; the block is left as it was', (t) => {
  const a = heap.malloc(64);
  fill(a, 64, 9);
  for (const bad of [-1, NaN, 1.5, '8', {}, undefined, Infinity, 2 ** 53, heap.size + 1]) {
    throwsCleanly(t, () => heap.realloc(a, bad as number), InvalidSizeError, `realloc(a, ${String(bad)})`);
  }
  throwsCleanly(t, () => heap.realloc(a + 16, 100), InvalidPointerError, 'realloc(interior)');
  throwsCleanly(t, () => heap.realloc(a + 1, 100), InvalidPointerError, 'realloc(misaligned)');
  throwsCleanly(t, () => heap.realloc(heap.base + 64, 100), InvalidPointerError, 'realloc(header)');
  throwsCleanly(t, () => heap.realloc(heap.base - 4096, 100), InvalidPointerError, 'realloc(outside)');
  throwsCleanly(t, () => heap.realloc(String(a) as unknown as number, 100), InvalidPointerError, 'realloc(string)');
  t.is(verify(a, 64, 9), 0, 'the block is intact after the failed reallocs');
  heap.free(a);
  throwsCleanly(t, () => heap.realloc(a, 100), FreedMemoryError, 'realloc(freed)');
  const l = heap.malloc(3 * BIG);
  heap.free(l);
  throwsCleanly(t, () => heap.realloc(l, 100), FreedMemoryError, 'realloc(freed large)');
});
