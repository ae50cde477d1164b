/**
 * What every pointer shares: toString `Name(0x…)`, util.inspect
 * `Name(address=…, size=…)`, equality by address, isNull, and Symbol.dispose
 * (`using p = malloc(n)` frees at scope end).
 */
import test from 'ava';
import { inspect } from 'node:util';
import { core } from './_helpers.js';

const c = core;
const { malloc, calloc, free, int32, struct, acquireStackAlloc, heap } = c;

test('toString and inspect, like pointers.py\'s str and repr', (t) => {
  const p = malloc(28);
  t.is(String(p), `AllocatedPointer(0x${p.address.toString(16)})`);
  t.is(p.toString(), String(p));
  t.is(inspect(p), `AllocatedPointer(address=${p.address}, size=28)`);
  t.is(JSON.stringify({ p }), JSON.stringify({ p: String(p) }));
  const n = malloc(int32);
  t.is(inspect(n), `AllocatedPointer(address=${n.address}, size=4)`);
  const S = struct({ a: int32 });
  const s = malloc(S);
  t.is(String(s), `StructPointer(0x${s.address.toString(16)})`);
  acquireStackAlloc(8, (sp) => {
    t.is(inspect(sp), `StackAllocatedPointer(address=${sp.address}, size=8)`);
  });
  t.true(p.address > heap.base);
  free(p);
  free(n);
  free(s);
});

test('equals compares addresses; isNull is false for memory', (t) => {
  const p = malloc(32);
  t.true(p.equals(p.add(0)));
  t.false(p.equals(p.add(1)));
  t.false(p.equals(p.address));
  t.false(p.isNull);
  const arr = calloc(2, int32);
  t.true(arr.equals(arr.at(0)));
  free(p);
  free(arr);
});

test('using frees at scope end', (t) => {
  let leaked: core.AllocatedPointer | undefined;
  {
    using p = malloc(16);
    p.move(1);
    leaked = p;
    t.false(p.freed);
  }
  t.true(leaked.freed);
});

test('dispose after an explicit free does not throw; derived and stack pointers are left alone', (t) => {
  const p = malloc(16);
  free(p);
  t.notThrows(() => p[Symbol.dispose]());
  const q = malloc(16);
  q.add(4)[Symbol.dispose]();
  t.false(q.freed);
  const arr = calloc(2, 8);
  arr.at(0)[Symbol.dispose]();
  t.false(arr.freed);
  arr[Symbol.dispose]();
  t.true(arr.freed);
  t.throws(() => free(arr), { instanceOf: c.FreedMemoryError });
  free(q);
});

test('dispose does not free a block the pointer no longer owns (freed and reused)', (t) => {
  const p = malloc(16);
  free(p);
  const q = malloc(16); // very likely the same block
  p[Symbol.dispose]();
  t.false(q.freed);
  free(q);
});

test('heapStats and heapCheck are the heap\'s', (t) => {
  const before = c.heapStats().blocks;
  const p = malloc(100);
  t.is(c.heapStats().blocks, before + 1);
  t.deepEqual(Object.keys(c.heapStats()).sort(), Object.keys(heap.stats()).sort());
  free(p);
  t.notThrows(() => c.heapCheck());
});
