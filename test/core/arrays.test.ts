/**
 * Array pointers from calloc (and array types): length, cached slots, bounds,
 * iteration over slot pointers, add() by whole slots, per-slot size limits,
 * typed-array views, free of the whole block.
 */
import test from 'ava';
import { inspect } from 'node:util';
import { core } from './_helpers.js';

const c = core;
const { malloc, calloc, free, realloc, int32, float64, int64, bool, uint8, array, heap, AllocatedArrayPointer } = c;

test('calloc(n, size): length, slot size, zeroed slots that hold no value', (t) => {
  const arr = calloc(5, 16);
  t.true(arr instanceof AllocatedArrayPointer);
  t.is(arr.length, 5);
  t.is(arr.slotSize, 16);
  t.is(arr.size, 80);
  t.false(arr.at(0).assigned);
  t.throws(() => arr.at(0).deref(), { instanceOf: c.DereferenceError });
  t.deepEqual(arr.toArray(), [undefined, undefined, undefined, undefined, undefined]);
  free(arr);
});

test('at(i) is cached; add(k) is at(k); slots are laid out back to back', (t) => {
  const arr = calloc(4, 28);
  t.is(arr.at(1), arr.at(1));
  t.is(arr.add(1), arr.at(1));
  for (let i = 0; i < 4; i++) t.is(arr.at(i).address, arr.address + 28 * i);
  const slots = [...arr];
  t.is(slots.length, 4);
  t.is(slots[2], arr.at(2));
  free(arr);
});

test('OutOfBoundsError outside [0, length)', (t) => {
  const arr = calloc(3, int32);
  for (const i of [-1, 3, 4, 1.5, Number.NaN]) {
    t.throws(() => arr.at(i), { instanceOf: c.OutOfBoundsError }, String(i));
    t.throws(() => arr.add(i), { instanceOf: c.OutOfBoundsError }, String(i));
  }
  const empty = calloc(0, int32);
  t.is(empty.length, 0);
  t.deepEqual([...empty], []);
  t.throws(() => empty.at(0), { instanceOf: c.OutOfBoundsError });
  t.throws(() => empty.deref(), { instanceOf: c.OutOfBoundsError });
  free(arr);
  free(empty);
});

test('each slot holds at most the slot size, also with unsafe moves', (t) => {
  const arr = calloc(3, 8);
  arr.at(0).move('123'); // 5 + 3 = 8 bytes
  t.is(arr.at(0).deref(), '123');
  const e = t.throws(() => arr.at(0).move('1234'), { instanceOf: c.InvalidSizeError });
  t.is(e.message, 'object is of size 9, while memory allocation is 8');
  arr.at(2).move(7);
  t.throws(() => arr.at(2).move('toolong!!'), { instanceOf: c.InvalidSizeError });
  t.is(arr.at(2).deref(), 7);
  // DESIGN: each slot holds at most the slot size, so even pointers.py's ^= (unsafe) stops at the
  // slot's end: a neighbour slot keeps its value.
  arr.at(1).move(1);
  t.throws(() => arr.at(0).move('sixteen bytes...', { unsafe: true }), { instanceOf: c.InvalidSizeError });
  t.is(arr.at(1).deref(), 1);
  const usable = heap.usableSize(arr.address);
  t.throws(() => arr.at(1).move('x'.repeat(usable), { unsafe: true }), { instanceOf: c.InvalidSizeError });
  free(arr);
});

test('deref/move of the array act on slot 0 (the array stands for its first element)', (t) => {
  const arr = calloc(2, int32);
  arr.move(5);
  t.is(arr.deref(), 5);
  t.is(arr.at(0).deref(), 5);
  free(arr);
});

test('numeric arrays: zero-copy typed-array views on the shared heap', (t) => {
  const xs = calloc(1000, float64);
  const v = xs.view();
  t.true(v instanceof Float64Array);
  t.is(v.buffer, heap.buffer);
  t.is(v.byteOffset, xs.address - heap.base);
  t.is(v.length, 1000);
  t.is(xs.view(), v);
  v.fill(1.5);
  t.is(xs.at(999).deref(), 1.5);
  xs.at(3).move(9);
  t.is(v[3], 9);
  t.true(calloc(2, int64).view() instanceof BigInt64Array);
  t.true(calloc(2, bool).view() instanceof Uint8Array);
  t.throws(() => calloc(2, 8).view(), { instanceOf: c.PointerError });
  free(xs);
});

test('set() and toArray()', (t) => {
  const arr = calloc(4, uint8);
  arr.set([1, 2, 300]);
  t.deepEqual(arr.toArray(), [1, 2, 44, 0]);
  arr.set(new Uint8Array([9]), 3);
  t.deepEqual(arr.toArray(), [1, 2, 44, 9]);
  t.throws(() => arr.set([1, 2], 3), { instanceOf: c.InvalidSizeError });
  t.throws(() => arr.set([1], 5), { instanceOf: c.OutOfBoundsError });
  const words = calloc(2, 16);
  words.set(['a', { b: 1 }]);
  t.deepEqual(words.toArray(), ['a', { b: 1 }]);
  free(arr);
  free(words);
});

test('malloc(array(T, n)) is an array pointer too', (t) => {
  const arr = malloc(array(int32, 3));
  t.true(arr instanceof AllocatedArrayPointer);
  t.is(arr.length, 3);
  arr.set([1, 2, 3]);
  t.deepEqual([...arr.view()], [1, 2, 3]);
  free(arr);
});

test('free(arr) frees the block and every slot with it; a slot is not the block', (t) => {
  const arr = calloc(3, int32);
  t.throws(() => free(arr.at(1)), { instanceOf: c.InvalidPointerError });
  const s = arr.at(2);
  free(arr);
  t.true(s.freed);
  t.throws(() => s.move(1), { instanceOf: c.FreedMemoryError });
});

test('realloc grows or shrinks by whole slots, keeps values, zeroes new slots', (t) => {
  const arr = calloc(2, int32);
  arr.set([1, 2]);
  realloc(arr, 16);
  t.is(arr.length, 4);
  t.deepEqual(arr.toArray(), [1, 2, 0, 0]);
  realloc(arr, 4);
  t.deepEqual(arr.toArray(), [1]);
  t.throws(() => realloc(arr, 6), { instanceOf: c.InvalidSizeError });
  free(arr);
});

test('inspect and toString', (t) => {
  const arr = calloc(2, 8);
  t.is(String(arr), `AllocatedArrayPointer(0x${arr.address.toString(16)})`);
  t.is(inspect(arr), `AllocatedArrayPointer(address=${arr.address}, size=16, length=2)`);
  free(arr);
});
