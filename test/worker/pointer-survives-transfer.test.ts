// Pointers in task arguments and results arrive as working pointers of the
// same kind and type over the same memory, wherever they sit in the value;
// liveness travels with them; stack and object pointers are refused before
// anything is sent.
import test from 'ava';
import * as core from '../../packages/core/dist/index.js';
import { createPool, fixture, heap } from './_helpers.ts';
import { Point } from '../fixtures/worker/pointers.ts';

const { malloc, calloc, free, int32, float64, cstring, pointer, toPtr, NULL, acquireStackAlloc } = core;
const pool = createPool({ filename: fixture('pointers.ts'), maxThreads: 2 });
test.after.always(() => pool.destroy());

const code = (e: unknown) => (e as { code?: string }).code;

test.serial('every kind of heap pointer arrives as the same class, type and address', async (t) => {
  const raw = malloc(64);
  const i32 = malloc(int32);
  const pt = malloc(Point);
  const arr = calloc(8, float64);
  const slot = arr.at(3);
  const moved = raw.add(16);
  const str = malloc(cstring(16)).move('hello');
  const addr = malloc(pointer(int32)).move(i32);
  const field = pt.field('w');
  t.teardown(() => [raw, i32, pt, arr, str, addr].forEach((p) => free(p)));
  const here = { raw, i32, pt, arr, slot, moved, str, addr, field };
  const there = await pool.run<Record<string, { cls: string; address: number; type: string | null; size: number; length?: number; freed: boolean; text: string }>>(here, { name: 'inspect' });
  for (const [k, p] of Object.entries(here)) {
    t.is(there[k]!.cls, p.constructor.name, `${k}: class`);
    t.is(there[k]!.address, p.address, `${k}: address`);
    t.is(there[k]!.type, (p as { type: { name: string } | null }).type?.name ?? null, `${k}: type`);
    t.is(there[k]!.size, (p as { size: number }).size, `${k}: size`);
    t.is(there[k]!.text, String(p), `${k}: printed form`);
    t.false(there[k]!.freed);
  }
  t.is(there.arr!.length, 8);
  t.is(there.pt!.type, 'struct Point');
  t.is(there.addr!.type, 'int32*');
  const back = await pool.run<{ str: typeof str; addr: typeof addr }>({ str, addr }, { name: 'echo' });
  t.is(back.str.deref(), 'hello');
  t.is((back.addr.deref() as typeof i32).address, i32.address, 'a pointer stored in memory reads back the same');
});

test.serial('both sides read and write the same memory, nested pointers included', async (t) => {
  const raw = malloc(128).move({ hello: 'main' });
  const i32 = malloc(int32).move(41);
  const pt = malloc(Point).move({ x: 1, y: 2, w: 2.5 });
  const arr = calloc(4, float64);
  arr.view().set([1, 2, 3, 4]);
  const slot = arr.at(3);
  const deep = malloc(64).move('deep from main');
  t.teardown(() => [raw, i32, pt, arr, deep].forEach((p) => free(p)));
  const seen = await pool.run<Record<string, unknown>>({ raw, i32, pt, arr, slot, nested: { deep: [deep] } }, { name: 'mutate' });
  t.deepEqual(seen, { raw: { hello: 'main' }, i32: 41, pt: { x: 1, y: 2, w: 2.5 }, arr: [1, 2, 3, 4], slot: 4, deep: 'deep from main' });
  t.like(raw.deref() as object, { from: 'worker' });
  t.is(i32.deref(), 42);
  t.like(pt.deref(), { x: 10, y: 20, w: 0.5 });
  t.deepEqual([...arr.view()], [7, 7, 7, 99.5], 'array writes and the slot write');
  t.is(deep.deref(), 'deep from worker');
});

test.serial('pointers in the result come back as pointers, in arrays, objects, Maps and Sets', async (t) => {
  const a = malloc(int32).move(5);
  const b = calloc(2, float64);
  t.teardown(() => [a, b].forEach((p) => free(p)));
  const back = await pool.run<{ list: unknown[]; map: Map<string, unknown>; set: Set<unknown>; same: unknown }>(
    { list: [a, { b }], map: new Map([['a', a]]), set: new Set([b]), same: a },
    { name: 'echo' },
  );
  const a2 = back.list[0] as typeof a;
  t.is(a2.constructor, a.constructor, 'the same (typed int32) pointer class');
  t.not(a2, a, 'a new pointer object');
  t.true(a2.equals(a));
  t.is(a2.deref(), 5);
  t.is(back.map.get('a'), a2, 'one pointer twice is one object');
  t.is(back.same, a2);
  const b2 = (back.list[1] as { b: typeof b }).b;
  t.true(b2 instanceof core.AllocatedArrayPointer);
  t.is([...back.set][0], b2);
  b2.view()[1] = 3.25;
  t.is(b.view()[1], 3.25);
});

test.serial('pointers allocated by a worker are used and freed by the main thread', async (t) => {
  const r = await pool.run<{ list: core.AllocatedPointer[]; point: core.StructPointer<any> }>({ n: 20 }, { name: 'allocate' });
  t.is(r.list.length, 20);
  r.list.forEach((p, i) => t.like(p.deref() as object, { i }));
  t.like(r.point.deref(), { x: 1, y: 2, w: 3.5 });
  t.true(r.point instanceof core.StructPointer);
  for (const p of r.list) free(p);
  free(r.point);
  t.true(r.list.every((p) => p.freed));
  heap.check();
});

test.serial('a pointer freed before sending arrives freed', async (t) => {
  const p = malloc(32).move(1);
  free(p);
  t.deepEqual(await pool.run({ p }, { name: 'probe' }), { freed: true, deref: 'FreedMemoryError' });
});

test.serial('a pointer freed by the worker is freed on the main thread', async (t) => {
  const p = malloc(32).move('x');
  t.true(await pool.run<boolean>({ p }, { name: 'release' }));
  t.true(p.freed);
  t.throws(() => p.deref(), { instanceOf: core.FreedMemoryError });
  t.throws(() => free(p), { instanceOf: core.FreedMemoryError }, 'double free, whichever thread freed first');
  heap.check();
});

test.serial('stack and object pointers are refused before anything is sent; NULL travels', async (t) => {
  const before = pool.completed;
  // run() is called inside the frame (the pointer is live); it rejects without sending.
  const { run } = acquireStackAlloc(16, (sp) => ({ run: pool.run({ deep: [sp] }, { name: 'echo' }) }));
  const e1 = await t.throwsAsync(run);
  t.is(code(e1), 'ERR_POINTER_NOT_TRANSFERABLE');
  t.true(e1 instanceof core.PointerError);
  t.regex(e1!.message, /StackAllocatedPointer\(0x[0-9a-f]+\).*stack/);
  const e2 = await t.throwsAsync(pool.run({ p: toPtr({ a: 1 }) }, { name: 'echo' }));
  t.is(code(e2), 'ERR_POINTER_NOT_TRANSFERABLE');
  t.regex(e2!.message, /object pointer/);
  t.is(pool.completed, before, 'no run reached the pool');
  const n = await pool.run<{ p: unknown }>({ p: NULL }, { name: 'echo' });
  t.is(n.p, NULL);
});

test.serial('the task gets a StackAllocatedPointer of the frame size; returning it fails the run', async (t) => {
  const one = createPool({ filename: fixture('pointers.ts'), maxThreads: 1 });
  t.teardown(() => one.destroy());
  const first = await one.run<{ isStack: boolean; cls: string; size: number; before: unknown }>(null, { name: 'keepStack', stack: 4096 });
  t.true(first.isStack);
  t.is(first.size, 4096);
  const second = await one.run<{ before: { freed: boolean } }>(null, { name: 'keepStack' });
  t.deepEqual(second.before, { freed: true }, 'the previous run frame is dead');
  const e = await t.throwsAsync(one.run(null, { name: 'leakStack' }));
  t.is(code(e), 'ERR_POINTER_NOT_TRANSFERABLE');
});
