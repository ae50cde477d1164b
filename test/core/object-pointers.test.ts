/**
 * Object pointers (pointers.py's to_ptr / Pointer): deref returns the very
 * target, move replaces its contents in place for every alias, assign
 * re-points, NULL, synthetic addresses, equality.
 */
import test from 'ava';
import { inspect } from 'node:util';
import { core } from './_helpers.js';

const c = core;
const { toPtr, NULL, Pointer, malloc, free } = c;

test('deref returns the very target; iteration yields it', (t) => {
  const target = { a: 1 };
  const p = toPtr(target);
  t.true(p instanceof Pointer);
  t.is(p.deref(), target);
  t.deepEqual([...p], [target]);
  t.false(p.isNull);
  t.false(p.freed);
});

test('move replaces a plain object in place: every alias sees it', (t) => {
  const a: Record<string, unknown> = { x: 1, y: 2 };
  const alias = a;
  const p = toPtr(a);
  t.is(p.move({ z: 3 }), p);
  t.deepEqual(alias, { z: 3 });
  t.is(p.deref(), a); // unlike pointers.py #37, move does not re-point
  const src = { w: 4 };
  p.move(toPtr(src)); // a pointer source moves its target
  t.deepEqual(a, { w: 4 });
  t.not(p.deref(), src);
});

test('arrays, Maps, Sets, Dates, typed arrays and buffers move in place', (t) => {
  const arr = [1, 2, 3];
  toPtr(arr).move([9]);
  t.deepEqual(arr, [9]);
  const m = new Map([[1, 'a']]);
  toPtr(m).move(new Map([[2, 'b']]));
  t.deepEqual([...m], [[2, 'b']]);
  const s = new Set([1]);
  toPtr(s).move(new Set([2, 3]));
  t.deepEqual([...s], [2, 3]);
  const d = new Date(0);
  toPtr(d).move(new Date(1000));
  t.is(d.getTime(), 1000);
  const ta = new Int32Array([1, 2, 3]);
  toPtr(ta).move(new Int32Array([7, 8]));
  t.deepEqual([...ta], [7, 8, 3]);
  const buf = new ArrayBuffer(4);
  toPtr(buf).move(new Uint8Array([1, 2]).buffer);
  t.deepEqual([...new Uint8Array(buf)], [1, 2, 0, 0]);
});

test('class instances move within the same class', (t) => {
  class A {
    v = 1;
  }
  class B {
    v = 2;
  }
  const a = new A();
  const other = new A();
  other.v = 5;
  toPtr(a).move(other);
  t.is(a.v, 5);
  t.true(a instanceof A);
  t.throws(() => toPtr(a).move(new B() as never), { instanceOf: c.PointerError, message: /cannot move/ });
});

test('typed arrays: same type, not longer (InvalidSizeError), unsafe truncates', (t) => {
  const ta = new Int32Array(2);
  t.throws(() => toPtr(ta).move(new Int32Array(3)), { instanceOf: c.InvalidSizeError });
  toPtr(ta).move(new Int32Array([1, 2, 3]), { unsafe: true });
  t.deepEqual([...ta], [1, 2]);
  t.throws(() => toPtr(ta).move(new Float64Array(1) as never), { instanceOf: c.PointerError });
});

test('moving a different kind or into a primitive is a PointerError with a clear message', (t) => {
  const e1 = t.throws(() => toPtr({}).move([] as never), { instanceOf: c.PointerError });
  t.regex(e1.message, /cannot move an object \(Array\) into an object \(Object\)/);
  const e2 = t.throws(() => toPtr(1).move(2), { instanceOf: c.PointerError });
  t.regex(e2.message, /immutable.*assign\(\)/);
  t.throws(() => toPtr({}).move(5 as never), { instanceOf: c.PointerError });
  t.throws(() => toPtr(Object.freeze({ a: 1 }) as { a: number }).move({ a: 2 }), { instanceOf: c.PointerError, message: /frozen/ });
  t.throws(() => toPtr(/x/).move(/y/), { instanceOf: c.PointerError });
});

test('assign re-points to a value or to another pointer\'s target', (t) => {
  const a = { n: 1 };
  const b = { n: 2 };
  const p = toPtr<{ n: number }>(a);
  t.is(p.assign(b), p);
  t.is(p.deref(), b);
  t.is(a.n, 1);
  const q = toPtr({ n: 3 });
  p.assign(q);
  t.is(p.deref(), q.deref());
  t.true(p.equals(q));
  p.assign(NULL);
  t.true(p.isNull);
  t.throws(() => p.deref(), { instanceOf: c.NullPointerError });
  p.assign(a);
  t.is(p.deref(), a);
  const m = malloc(8);
  t.throws(() => p.assign(m as never), { instanceOf: c.PointerError });
  free(m);
});

test('NULL: address 0, frozen, deref/move/assign throw NullPointerError', (t) => {
  t.is(NULL.address, 0);
  t.true(NULL.isNull);
  t.true(Object.isFrozen(NULL));
  t.is(String(NULL), 'Pointer(0x0)');
  t.throws(() => NULL.deref(), { instanceOf: c.NullPointerError });
  t.throws(() => NULL.move(1 as never), { instanceOf: c.NullPointerError });
  t.throws(() => [...NULL], { instanceOf: c.NullPointerError });
  t.throws(() => NULL.assign(1 as never), { instanceOf: c.NullPointerError });
  const n = toPtr(NULL);
  t.true(n.isNull);
  t.not(n, NULL);
  t.true(n.equals(NULL));
  n.assign(5);
  t.is(n.deref(), 5);
});

test('synthetic addresses: the same target has the same address, never a heap address', (t) => {
  const o = {};
  t.is(toPtr(o).address, toPtr(o).address);
  t.true(toPtr(o).equals(toPtr(o)));
  t.false(toPtr(o).equals(toPtr({})));
  t.is(toPtr('s').address, toPtr('s').address);
  t.not(toPtr(1).address, toPtr(2).address);
  t.true(toPtr(o).address < c.heap.base);
  t.false(toPtr(o).equals(o));
});

test('printed forms', (t) => {
  const p = toPtr([1]);
  t.is(String(p), `Pointer(0x${p.address.toString(16)})`);
  t.is(inspect(p), `Pointer(address=${p.address})`);
});

test('free(toPtr(x)) is an InvalidPointerError; free(NULL) does nothing', (t) => {
  t.throws(() => free(toPtr({}) as never), { instanceOf: c.InvalidPointerError });
  t.notThrows(() => free(NULL));
});
