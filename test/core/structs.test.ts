/**
 * Structs: C layout (offsets, padding, alignment), field pointers, the live
 * view (generated accessors over the heap), nested structs and array fields,
 * moves and snapshots.
 */
import test from 'ava';
import { inspect } from 'node:util';
import { core } from './_helpers.js';

const c = core;
const { malloc, calloc, free, sizeof, alignof, offsetof, struct, array, cstring, pointer, int8, int16, int32, int64, float64, bool, uint8, heap, NULL, StructPointer } = c;

test('C layout: offsets aligned per field, size padded to the struct alignment', (t) => {
  const S = struct({ a: int8, b: int32, c: int8, d: float64, e: int16 });
  t.is(offsetof(S, 'a'), 0);
  t.is(offsetof(S, 'b'), 4);
  t.is(offsetof(S, 'c'), 8);
  t.is(offsetof(S, 'd'), 16);
  t.is(offsetof(S, 'e'), 24);
  t.is(sizeof(S), 32);
  t.is(alignof(S), 8);
  const P = struct({ x: int8, y: int8, z: int8 });
  t.is(sizeof(P), 3);
  t.is(alignof(P), 1);
  const N = struct({ tag: uint8, inner: P, arr: array(int16, 3), name: cstring(5) });
  t.is(offsetof(N, 'inner'), 1);
  t.is(offsetof(N, 'arr'), 4);
  t.is(offsetof(N, 'name'), 10);
  t.is(sizeof(N), 16);
  t.is(sizeof(struct({})), 0);
  t.throws(() => offsetof(S, 'nope' as never), { instanceOf: c.PointerError });
  t.throws(() => struct({ a: 4 as never }), { instanceOf: c.PointerError });
  t.throws(() => struct({ constructor: int8 }), { instanceOf: c.PointerError });
});

test('fields keep declaration order; [name, type] pairs for integer-like names', (t) => {
  const S = struct([
    ['b', int8],
    ['1', int32],
  ] as const);
  t.deepEqual(
    S.fields.map((f) => f.name),
    ['b', '1'],
  );
  t.is(offsetof(S, '1'), 4);
});

const Point = struct({ x: int32, y: int32 }, 'Point');
const Particle = struct({ pos: Point, vel: array(float64, 2), mass: float64, alive: bool, id: int64, label: cstring(8), next: pointer(Point) }, 'Particle');

test('malloc(struct) gives a zeroed StructPointer; the view reads and writes memory', (t) => {
  const p = malloc(Point);
  t.true(p instanceof StructPointer);
  t.is(p.size, 8);
  const v = p.view();
  t.is(p.deref(), v); // ~sp is the live view
  t.is(p.view(), v); // cached
  t.is(v.x, 0);
  v.x = 3;
  v.y = -4;
  const raw = new Int32Array(heap.buffer, p.address - heap.base, 2);
  t.deepEqual([...raw], [3, -4]);
  raw[1] = 40;
  t.is(v.y, 40);
  t.deepEqual(Object.keys(v), []); // accessors on the prototype, internals under symbols
  t.deepEqual(JSON.parse(JSON.stringify(v)), { x: 3, y: 40 });
  t.is(inspect(v), '{ x: 3, y: 40 }');
  free(p);
});

test('field pointers are typed pointers into the struct, cached', (t) => {
  const p = malloc(Point);
  const fx = p.field('x');
  t.is(p.field('x'), fx);
  t.is(fx.address, p.address);
  t.is(p.field('y').address, p.address + 4);
  fx.move(7);
  t.is(p.view().x, 7);
  t.throws(() => p.field('z' as never), { instanceOf: c.PointerError });
  t.throws(() => fx.add(4), { instanceOf: c.OutOfBoundsError }); // a field is its own region
  free(p);
});

test('nested structs, array fields, cstring, bool, int64 and pointer fields', (t) => {
  const p = malloc(Particle);
  const v = p.view();
  v.pos.x = 1;
  v.pos.y = 2;
  t.is(v.pos, v.pos); // the nested view is cached
  t.deepEqual(p.field('pos').toObject(), { x: 1, y: 2 });
  t.true(v.vel instanceof Float64Array);
  t.is(v.vel.buffer, heap.buffer); // zero-copy over the heap
  v.vel[1] = 2.5;
  t.is(p.field('vel').at(1).deref(), 2.5);
  v.vel = [9, 8] as never;
  t.deepEqual([...v.vel], [9, 8]);
  v.mass = 1.5;
  v.alive = true;
  v.id = 2n ** 40n;
  v.label = 'ion';
  t.is(v.next, NULL);
  const other = malloc(Point).move({ x: 5, y: 6 });
  v.next = other as never;
  t.is((v.next as core.StructPointer<{ x: core.ScalarType<number, Int32Array>; y: core.ScalarType<number, Int32Array> }>).view().y, 6);
  t.deepEqual(p.toObject(), {
    pos: { x: 1, y: 2 },
    vel: [9, 8],
    mass: 1.5,
    alive: true,
    id: 2n ** 40n,
    label: 'ion',
    next: p.toObject().next,
  });
  t.true((p.toObject().next as core.MemoryPointer).equals(other));
  t.throws(() => {
    v.label = 'too long for it';
  }, { instanceOf: c.InvalidSizeError });
  t.throws(() => {
    v.mass = 'heavy' as never;
  }, { instanceOf: c.PointerError });
  free(other);
  free(p);
});

test('move(object) writes the fields it names; others keep their value', (t) => {
  const p = malloc(Particle);
  p.move({ pos: { x: 1, y: 2 }, mass: 3 });
  p.move({ pos: { y: 20 }, vel: [1] });
  const v = p.view();
  t.deepEqual(p.field('pos').toObject(), { x: 1, y: 20 });
  t.is(v.mass, 3);
  t.deepEqual([...v.vel], [1, 0]);
  t.throws(() => p.move({ nope: 1 } as never), { instanceOf: c.PointerError });
  t.throws(() => p.move({ vel: [1, 2, 3] }), { instanceOf: c.InvalidSizeError });
  // a view or another struct pointer moves field by field
  const q = malloc(Particle).move(p);
  t.deepEqual(q.toObject(), p.toObject());
  q.field('pos').move(p.field('pos').view());
  free(p);
  free(q);
});

test('arrays of structs: each slot is a StructPointer', (t) => {
  const arr = calloc(3, Point);
  t.true(arr.at(1) instanceof StructPointer);
  arr.at(1).view().x = 11;
  arr.set([{ x: 1 }, { y: 2 }], 1);
  t.deepEqual(arr.toArray(), [
    { x: 0, y: 0 },
    { x: 1, y: 0 },
    { x: 0, y: 2 },
  ]);
  t.is(arr.at(2).address, arr.address + 16);
  free(arr);
});

test('struct types of the same shape from different calls are independent descriptors', (t) => {
  const A = struct({ v: int32 });
  const B = struct({ v: int32 });
  t.not(A, B);
  const a = malloc(A);
  const b = malloc(B);
  a.view().v = 1;
  b.view().v = 2;
  t.is(a.view().v + b.view().v, 3);
  free(a);
  free(b);
});

test('untyped memory stores a plain copy of a struct (view or pointer)', (t) => {
  const p = malloc(Point).move({ x: 1, y: 2 });
  const u = malloc(c.sizeof(p));
  u.move(p);
  t.deepEqual(u.deref(), { x: 1, y: 2 });
  u.move(p.view());
  t.deepEqual(u.deref(), { x: 1, y: 2 });
  free(p);
  free(u);
});

test('bytes(n) fields hold any cloneable value, bounded by n', (t) => {
  const Msg = struct({ id: int32, body: c.bytes(32) });
  const m = malloc(Msg);
  const v = m.view();
  t.throws(() => v.body, { instanceOf: c.DereferenceError });
  v.body = { text: 'hi' } as never;
  t.deepEqual(v.body, { text: 'hi' });
  t.deepEqual(m.field('body').deref(), { text: 'hi' });
  t.throws(() => {
    v.body = 'x'.repeat(40) as never;
  }, { instanceOf: c.InvalidSizeError });
  t.deepEqual(m.toObject(), { id: 0, body: { text: 'hi' } });
  const spec = c.typeToSpec(Msg);
  t.deepEqual(c.typeFromSpec(spec).size, Msg.size);
  t.is(c.typeFromSpec(spec), c.typeFromSpec(structuredClone(spec)));
  free(m);
});
