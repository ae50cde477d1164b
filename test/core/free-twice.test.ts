/**
 * Double free and use after free, on this thread: FreedMemoryError every time,
 * through every pointer derived from the block, and the heap stays consistent.
 */
import test from 'ava';
import { core } from './_helpers.js';

const { malloc, calloc, free, realloc, int32, struct, float64, FreedMemoryError, heapCheck, heap } = core;

test('free twice throws FreedMemoryError with the pointer in the message', (t) => {
  const p = malloc(64);
  free(p);
  const e = t.throws(() => free(p), { instanceOf: FreedMemoryError });
  t.is(e.code, 'ERR_FREED_MEMORY');
  t.is(e.message, `${String(p)} has been freed`);
  t.true(p.freed);
  heapCheck();
});

test('every use after free throws FreedMemoryError', (t) => {
  const p = malloc(64).move('x');
  const q = p.add(8);
  free(p);
  t.throws(() => p.deref(), { instanceOf: FreedMemoryError });
  t.throws(() => p.move(1), { instanceOf: FreedMemoryError });
  t.throws(() => [...p], { instanceOf: FreedMemoryError });
  t.throws(() => p.add(1), { instanceOf: FreedMemoryError });
  t.throws(() => realloc(p, 128), { instanceOf: FreedMemoryError });
  t.throws(() => q.deref(), { instanceOf: FreedMemoryError });
  t.false(p.assigned);
});

test('a freed block reused by a new allocation is still freed for the old pointer', (t) => {
  const p = malloc(48).move(1);
  const address = p.address;
  free(p);
  // The allocator hands the most recently freed block of a class out first.
  const again = [];
  let reused = null;
  for (let i = 0; i < 10000 && reused === null; i++) {
    const n = malloc(48).move(2);
    if (n.address === address) reused = n;
    else again.push(n);
  }
  t.not(reused, null);
  t.throws(() => p.deref(), { instanceOf: FreedMemoryError });
  t.throws(() => free(p), { instanceOf: FreedMemoryError });
  t.is(reused!.deref(), 2); // the new owner is untouched by the failed calls
  free(reused!);
  for (const n of again) free(n);
  heapCheck();
});

test('typed, struct and array pointers: slots, fields and views die with the block', (t) => {
  const n = malloc(int32).move(5);
  free(n);
  t.throws(() => n.deref(), { instanceOf: FreedMemoryError });
  t.throws(() => n.move(1), { instanceOf: FreedMemoryError });

  const S = struct({ a: int32, b: float64 });
  const s = malloc(S);
  const v = s.view();
  const fa = s.field('a');
  free(s);
  t.throws(() => v.a, { instanceOf: FreedMemoryError });
  t.throws(() => {
    v.b = 1;
  }, { instanceOf: FreedMemoryError });
  t.throws(() => fa.deref(), { instanceOf: FreedMemoryError });
  t.throws(() => free(s), { instanceOf: FreedMemoryError });

  const arr = calloc(4, int32);
  const slot = arr.at(2);
  free(arr);
  t.throws(() => slot.deref(), { instanceOf: FreedMemoryError });
  t.throws(() => arr.at(0), { instanceOf: FreedMemoryError });
  t.throws(() => free(arr), { instanceOf: FreedMemoryError });
});

test('free through a raw heap.free is seen by the pointer too', (t) => {
  const p = malloc(32);
  heap.free(p.address);
  t.true(p.freed);
  t.throws(() => free(p), { instanceOf: FreedMemoryError });
});
