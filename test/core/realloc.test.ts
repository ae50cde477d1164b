/**
 * realloc: the same pointer object back with its contents, address may change;
 * derived pointers die when the block moves; checks in pointers.py's order.
 */
import test from 'ava';
import { core } from './_helpers.js';

const c = core;
const { malloc, calloc, realloc, free, struct, int32, float64, heap, heapCheck } = c;

test('grow and shrink keep the value and the object', (t) => {
  const p = malloc(16).move('abc');
  t.is(realloc(p, 4096), p);
  t.is(p.size, 4096);
  t.is(p.deref(), 'abc');
  p.move('x'.repeat(4000));
  t.is(realloc(p, 5000), p);
  t.is(p.deref(), 'x'.repeat(4000));
  p.move('short');
  realloc(p, 16);
  t.is(p.deref(), 'short');
  free(p);
  heapCheck();
});

test('an empty block resizes to anything; a held value bounds the size from below', (t) => {
  const p = malloc(64);
  realloc(p, 0);
  t.is(p.size, 0);
  realloc(p, 32).move([1, 2, 3]);
  const held = c.sizeof([1, 2, 3]);
  const e = t.throws(() => realloc(p, held - 1), { instanceOf: c.InvalidSizeError });
  t.is(e.message, `object inside memory is of size ${held}, so memory cannot be set to size ${held - 1}`);
  realloc(p, held);
  t.deepEqual(p.deref(), [1, 2, 3]);
  free(p);
});

test('typed memory cannot shrink below its type; growth is zeroed', (t) => {
  const p = malloc(float64).move(2.5);
  t.throws(() => realloc(p, 4), { instanceOf: c.InvalidSizeError });
  realloc(p, 64);
  t.is(p.deref(), 2.5);
  t.is(p.add(56).deref(), 0);
  free(p);
});

test('a moved block kills pointers derived before; the realloc\'d pointer follows', (t) => {
  const S = struct({ a: int32, b: int32 });
  const s = malloc(S);
  const v = s.view();
  const fa = s.field('a');
  v.a = 7;
  const before = s.address;
  // Large growth moves a small block.
  realloc(s, 300000);
  t.not(s.address, before);
  t.throws(() => v.a, { instanceOf: c.FreedMemoryError });
  t.throws(() => fa.deref(), { instanceOf: c.FreedMemoryError });
  t.is(s.view().a, 7);
  t.is(s.field('a').deref(), 7);
  free(s);
});

test('shrinking a large block never leaves a derived pointer reaching past the end', (t) => {
  const p = malloc(1 << 20);
  const tail = p.add((1 << 20) - 16).move('tail');
  realloc(p, 200000);
  t.throws(() => tail.deref(), { instanceOf: c.FreedMemoryError });
  t.throws(() => tail.move('write'), { instanceOf: c.FreedMemoryError });
  t.is(p.size, 200000);
  free(p);
  heapCheck();
});

test('arrays: slots cached again after realloc, old slots of a moved block die', (t) => {
  const arr = calloc(4, float64);
  arr.view().set([1, 2, 3, 4]);
  const slot = arr.at(1);
  realloc(arr, 8 * 100000);
  t.is(arr.length, 100000);
  t.deepEqual(arr.toArray().slice(0, 5), [1, 2, 3, 4, 0]);
  t.is(arr.at(1), arr.at(1));
  t.throws(() => slot.deref(), { instanceOf: c.FreedMemoryError });
  t.is(arr.view().length, 100000);
  t.is(arr.view().buffer, heap.buffer);
  free(arr);
});

test('pointers.py\'s order of checks: stack, freed, owner, size', (t) => {
  const p = malloc(8);
  t.throws(() => realloc(p, 1.5), { instanceOf: c.InvalidSizeError });
  free(p);
  t.throws(() => realloc(p, 16), { instanceOf: c.FreedMemoryError });
  t.throws(() => realloc({} as never, 16), { instanceOf: c.InvalidPointerError });
  t.throws(() => realloc(c.toPtr([]) as never, 16), { instanceOf: c.InvalidPointerError });
});
