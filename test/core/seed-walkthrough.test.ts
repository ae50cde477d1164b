/**
 * The walk-through of the seed document (reference/seed-pointers-memory.txt),
 * in TypeScript: malloc, data movement, realloc in place, calloc arrays,
 * copies on deref, stack allocation.
 */
import test from 'ava';
import { core } from './_helpers.js';

const { malloc, realloc, calloc, free, sizeof, stackAlloc, acquireStackAlloc, StackAllocatedPointer, AllocatedPointer, FreedMemoryError, InvalidPointerError } = core;

test('ptr = malloc(28); ptr <<= 1; ptr <<= 2: prints "2 1", the literal 1 is untouched', (t) => {
  const ptr = malloc(28);
  t.true(ptr instanceof AllocatedPointer);
  t.false(ptr.freed);
  t.false(ptr.assigned);
  t.is(ptr.size, 28);
  ptr.move(1);
  ptr.move(2);
  t.true(ptr.assigned);
  t.deepEqual([...ptr, 1], [2, 1]);
  t.is(ptr.deref(), 2);
  free(ptr);
});

test('realloc works on the pointer object itself: same object, contents kept', (t) => {
  const ptr = malloc(24);
  ptr.move(0);
  const back = realloc(ptr, 28);
  t.is(back, ptr);
  t.is(ptr.size, 28);
  t.is(ptr.deref(), 0);
  free(ptr);
});

test('moved objects are copies: ~ptr is text is False', (t) => {
  const text = { words: ['hello', 'world'] };
  const ptr = malloc(sizeof(text));
  ptr.move(text);
  const back = ptr.deref();
  t.not(back, text);
  t.deepEqual(back, text);
  t.not(ptr.deref(), back); // each deref is a new copy
  free(ptr);
});

test('calloc(4, 28): fill by iterating the slots, array[1] is 1', (t) => {
  const array = calloc(4, 28);
  let index = 0;
  for (const ptr of array) ptr.move(index++);
  t.is(index, 4);
  t.is(array.at(1).deref(), 1);
  t.deepEqual(
    [...array].map((p) => p.deref()),
    [0, 1, 2, 3],
  );
  free(array);
});

test('stack_alloc: the callback runs when called, its pointer dies with the frame', (t) => {
  let escaped: InstanceType<typeof StackAllocatedPointer> | undefined;
  const test_ = stackAlloc(28, (ptr) => {
    t.true(ptr instanceof StackAllocatedPointer);
    ptr.move(1);
    escaped = ptr;
    return ptr.deref();
  });
  t.is(escaped, undefined); // nothing runs until called
  t.is(test_(), 1);
  t.throws(() => escaped!.deref(), { instanceOf: FreedMemoryError });
});

test('acquire_stack_alloc calls at once and gives back the result', (t) => {
  const b = acquireStackAlloc(28, (ptr) => ptr.move('stack').deref());
  t.is(b, 'stack');
});

test('stack pointers cannot be freed (pointers.py: ValueError; here InvalidPointerError)', (t) => {
  acquireStackAlloc(28, (ptr) => {
    t.throws(() => free(ptr), { instanceOf: InvalidPointerError });
  });
});
