// Addresses that are not the start of a live block: interior, misaligned,
// outside the heap, in its header, on a stack segment, or not numbers at all.
// free/realloc/usableSize/tagOf throw InvalidPointerError (exactly) and the heap
// is left as it was.
import test from 'ava';
import { InvalidPointerError, withFrame } from '../../packages/native/dist/index.js';
import { I32, UNIT, fill, heap, native, throwsCleanly, verify } from './_helpers.ts';

/** 64 KiB: sizes of three of these and more are large blocks (over 128 KiB). */
const BIG = 64 * 1024;

const FIRST_DATA = I32[native.layout.H_FIRST_DATA_UNIT]! * UNIT;

const ops: [string, (a: number) => unknown][] = [
  ['free', (a) => heap.free(a)],
  ['realloc', (a) => heap.realloc(a, 100)],
  ['usableSize', (a) => heap.usableSize(a)],
  ['tagOf', (a) => heap.tagOf(a)],
];

function rejectsAll(t: any, label: string, address: unknown): void {
  for (const [name, op] of ops) throwsCleanly(t, () => op(address as number), InvalidPointerError, `${name}(${label})`);
  t.false(heap.isLive(address as number, 1), `isLive(${label}) is false`);
}

test('interior addresses of small and large blocks', (t) => {
  const small = heap.malloc(64);
  const large = heap.malloc(5 * BIG);
  fill(small, 64, 1);
  fill(large, 5 * BIG, 2);
  for (const d of [16, 32, 48]) rejectsAll(t, `small + ${d}`, small + d);
  for (const d of [16, 4096, BIG, 2 * BIG, 4 * BIG]) rejectsAll(t, `large + ${d}`, large + d);
  t.is(verify(small, 64, 1), 0, 'the blocks are untouched');
  t.is(verify(large, 5 * BIG, 2), 0);
  heap.free(small);
  heap.free(large);
  heap.check();
});

test('misaligned addresses', (t) => {
  const small = heap.malloc(64);
  const large = heap.malloc(3 * BIG);
  for (const d of [1, 2, 4, 8, 15]) {
    rejectsAll(t, `small + ${d}`, small + d);
    rejectsAll(t, `large + ${d}`, large + d);
  }
  heap.free(small);
  heap.free(large);
  heap.check();
});

test('addresses outside the heap', (t) => {
  for (const [label, a] of [
    ['base - 16', heap.base - 16],
    ['base - 64 KiB', heap.base - BIG],
    ['base + size', heap.base + heap.size],
    ['base + size + 16', heap.base + heap.size + 16],
    ['16', 16],
    ['0x1000', 0x1000],
    ['-16', -16],
    ['2**52', 2 ** 52],
    ['MAX_SAFE_INTEGER - 15', Number.MAX_SAFE_INTEGER - 15],
  ] as const) {
    rejectsAll(t, label, a);
  }
});

test("addresses in the heap's header (global words, thread table, descriptors)", (t) => {
  for (const off of [0, 16, 256, 4096, 32 * 1024, 32 * 1024 + 64, FIRST_DATA - 16]) {
    rejectsAll(t, `base + ${off}`, heap.base + off);
  }
});

test("a page's metadata (its tag table) is not a block", (t) => {
  const a = heap.malloc(32);
  const pageStart = heap.base + Math.floor((a - heap.base) / UNIT) * UNIT;
  t.not(pageStart, a, 'the first block sits after the tag table');
  for (const off of [0, 16, 256]) if (pageStart + off < a) rejectsAll(t, `page + ${off}`, pageStart + off);
  heap.free(a);
  heap.check();
});

test("an address on this thread's stack segment", (t) => {
  withFrame(64, (frame: number) => {
    t.true(frame > heap.base && frame < heap.base + heap.size);
    rejectsAll(t, 'stack frame', frame);
  });
  heap.check();
});

test('values that are not addresses: NaN, Infinity, strings, objects, null, undefined, booleans', (t) => {
  const a = heap.malloc(48);
  for (const [label, v] of [
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['1.5', 1.5],
    ['a + 0.5', a + 0.5],
    ["'0x1000'", '0x1000'],
    ["'banana'", 'banana'],
    ['{}', {}],
    ['null', null],
    ['undefined', undefined],
    ['true', true],
  ] as const) {
    rejectsAll(t, label, v);
  }
  t.true(heap.usableSize(a) >= 48);
  heap.free(a);
});

test('an address given as a string, an array or a Number object is rejected, not freed', (t) => {
  // Only a number is an address: a string that spells a live block's address must
  // not free it (type confusion), and must leave the block live.
  for (const [label, wrap] of [
    ['String(a)', (a: number) => String(a)],
    ['[a]', (a: number) => [a]],
    ['new Number(a)', (a: number) => new Number(a)],
    ['{ valueOf: () => a }', (a: number) => ({ valueOf: () => a })],
  ] as const) {
    const a = heap.malloc(64);
    const tag = heap.tagOf(a).tag;
    throwsCleanly(t, () => heap.free(wrap(a) as unknown as number), InvalidPointerError, `free(${label})`);
    t.true(heap.isLive(a, tag), `free(${label}) left the block live`);
    heap.free(a);
  }
});

test('an address given as a bigint is InvalidPointerError, not a TypeError', (t) => {
  const a = heap.malloc(64);
  for (const [name, op] of ops) {
    throwsCleanly(t, () => op(BigInt(a) as unknown as number), InvalidPointerError, `${name}(BigInt(a))`);
  }
  throwsCleanly(t, () => heap.free(Symbol('p') as unknown as number), InvalidPointerError, 'free(Symbol())');
  heap.free(a);
});
