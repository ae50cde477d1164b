/**
 * DESIGN.md's error table, row by row: each class is exported by @ptr/core (the
 * same class as @ptr/native's), is a PointerError with its stable code, and is
 * thrown from the paths the table names.
 */
import test from 'ava';
import { core } from './_helpers.js';
import * as native from '../../packages/native/dist/index.js';

const c = core;
const { malloc, calloc, realloc, free, toPtr, NULL, acquireStackAlloc, heap, int32, PointerError } = c;

const table: [string, string][] = [
  ['NullPointerError', 'ERR_NULL_POINTER'],
  ['FreedMemoryError', 'ERR_FREED_MEMORY'],
  ['DereferenceError', 'ERR_DEREFERENCE'],
  ['InvalidSizeError', 'ERR_INVALID_SIZE'],
  ['AllocationError', 'ERR_ALLOCATION'],
  ['InvalidPointerError', 'ERR_INVALID_POINTER'],
  ['OutOfBoundsError', 'ERR_OUT_OF_BOUNDS'],
];

test('every class is exported, is native\'s class, and a PointerError with its code', (t) => {
  t.is(c.PointerError, native.PointerError);
  for (const [name, code] of table) {
    const Cls = (c as unknown as Record<string, new (m: string) => Error & { code: string }>)[name]!;
    t.is(Cls as unknown, (native as unknown as Record<string, unknown>)[name], name);
    const e = new Cls('m');
    t.true(e instanceof PointerError, name);
    t.true(e instanceof Error, name);
    t.is(e.code, code, name);
    t.is(e.name, name);
  }
});

/** Asserts `fn` throws exactly `name` with its code. */
function throwsExactly(t: import('ava').ExecutionContext, fn: () => unknown, name: string, what: string): void {
  const Cls = (c as unknown as Record<string, new (m: string) => Error>)[name]!;
  const e = t.throws(fn, { instanceOf: Cls }, what) as (Error & { code?: string }) | undefined;
  if (e) {
    t.is(e.constructor, Cls, what);
    t.is(e.code, table.find(([n]) => n === name)![1], what);
  }
}

test('NullPointerError: deref/move through NULL', (t) => {
  throwsExactly(t, () => NULL.deref(), 'NullPointerError', 'NULL.deref()');
  throwsExactly(t, () => NULL.move(1 as never), 'NullPointerError', 'NULL.move()');
  const p = toPtr({});
  p.assign(NULL);
  throwsExactly(t, () => p.deref(), 'NullPointerError', 'assigned NULL, deref');
  throwsExactly(t, () => p.move({}), 'NullPointerError', 'assigned NULL, move');
});

test('FreedMemoryError: use after free, double free, stack pointer after its frame', (t) => {
  const p = malloc(16).move(1);
  free(p);
  throwsExactly(t, () => p.deref(), 'FreedMemoryError', 'deref after free');
  throwsExactly(t, () => p.move(2), 'FreedMemoryError', 'move after free');
  throwsExactly(t, () => free(p), 'FreedMemoryError', 'double free');
  let s: core.StackAllocatedPointer | undefined;
  acquireStackAlloc(8, (ptr) => {
    s = ptr;
  });
  throwsExactly(t, () => s!.deref(), 'FreedMemoryError', 'stack pointer after its frame');
});

test('DereferenceError: deref of allocated memory that holds no value yet', (t) => {
  const p = malloc(28);
  throwsExactly(t, () => p.deref(), 'DereferenceError', 'malloc then deref');
  throwsExactly(t, () => [...p], 'DereferenceError', 'malloc then iterate');
  throwsExactly(t, () => calloc(2, 8).at(1).deref(), 'DereferenceError', 'calloc slot');
  acquireStackAlloc(8, (ptr) => throwsExactly(t, () => ptr.deref(), 'DereferenceError', 'stack memory'));
  free(p);
});

test('InvalidSizeError: value larger than the block, bad size argument, realloc below the value', (t) => {
  const p = malloc(4);
  throwsExactly(t, () => p.move('a string of some length'), 'InvalidSizeError', 'value larger than the block');
  throwsExactly(t, () => malloc(-1), 'InvalidSizeError', 'malloc(-1)');
  throwsExactly(t, () => malloc(1.5), 'InvalidSizeError', 'malloc(1.5)');
  throwsExactly(t, () => malloc('8' as never), 'InvalidSizeError', 'malloc("8")');
  throwsExactly(t, () => malloc(heap.size + 1), 'InvalidSizeError', 'malloc(more than the heap)');
  throwsExactly(t, () => calloc(-1, 8), 'InvalidSizeError', 'calloc(-1, 8)');
  throwsExactly(t, () => calloc(2 ** 20, 2 ** 20), 'InvalidSizeError', 'calloc overflow');
  const q = malloc(64).move('some text here');
  throwsExactly(t, () => realloc(q, 8), 'InvalidSizeError', 'realloc below the held value');
  throwsExactly(t, () => realloc(q, -8), 'InvalidSizeError', 'realloc(-8)');
  free(p);
  free(q);
});

test('AllocationError: heap exhausted, and the heap stays usable after', (t) => {
  throwsExactly(t, () => malloc(heap.size - 65536), 'AllocationError', 'malloc beyond the free heap');
  throwsExactly(t, () => calloc(1, heap.size - 65536), 'AllocationError', 'calloc beyond the free heap');
  const p = malloc(64).move('still works');
  t.is(p.deref(), 'still works');
  free(p);
  c.heapCheck();
});

test('InvalidPointerError: free of a stack, interior or foreign pointer', (t) => {
  acquireStackAlloc(8, (ptr) => throwsExactly(t, () => free(ptr), 'InvalidPointerError', 'free(stack pointer)'));
  const p = malloc(32);
  throwsExactly(t, () => free(p.add(8)), 'InvalidPointerError', 'free(interior pointer)');
  const arr = calloc(4, int32);
  throwsExactly(t, () => free(arr.at(2)), 'InvalidPointerError', 'free(array slot)');
  throwsExactly(t, () => free(toPtr({}) as never), 'InvalidPointerError', 'free(object pointer)');
  throwsExactly(t, () => free({ address: 5 } as never), 'InvalidPointerError', 'free(not a pointer)');
  throwsExactly(t, () => realloc(p.add(8), 64), 'InvalidPointerError', 'realloc(interior pointer)');
  free(p);
  free(arr);
});

test('InvalidPointerError: an address outside the heap (raw heap, and a pointer field holding one)', (t) => {
  throwsExactly(t, () => heap.free(8), 'InvalidPointerError', 'heap.free(8)');
  const pp = malloc(c.pointer(int32));
  new BigUint64Array(heap.buffer, pp.address - heap.base, 1)[0] = 12345n; // a foreign address
  throwsExactly(t, () => pp.deref(), 'InvalidPointerError', 'reading back a foreign address');
  free(pp);
});

test('OutOfBoundsError: index or offset outside the allocation', (t) => {
  const arr = calloc(3, 8);
  throwsExactly(t, () => arr.at(3), 'OutOfBoundsError', 'at(length)');
  throwsExactly(t, () => arr.at(-1), 'OutOfBoundsError', 'at(-1)');
  throwsExactly(t, () => arr.add(7), 'OutOfBoundsError', 'add(7)');
  const p = malloc(16);
  throwsExactly(t, () => p.add(16), 'OutOfBoundsError', 'add(size)');
  throwsExactly(t, () => p.add(-1), 'OutOfBoundsError', 'add(-1)');
  throwsExactly(t, () => malloc(int32).add(1), 'OutOfBoundsError', 'typed add past the end');
  free(arr);
  free(p);
});
