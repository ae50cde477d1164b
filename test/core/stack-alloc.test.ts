/**
 * Stack allocation: stackAlloc / acquireStackAlloc run callbacks inside native
 * frames; stack pointers (and everything derived from them) die with the
 * frame; they cannot be freed or resized; async callbacks are refused.
 */
import test from 'ava';
import { core } from './_helpers.js';

const c = core;
const { stackAlloc, acquireStackAlloc, StackAllocatedPointer, AllocatedPointer, StructPointer, free, realloc, int32, float64, struct, array, currentFrame, FreedMemoryError, InvalidPointerError, heap } = c;

test('stackAlloc returns a function; each call gets a fresh frame and the arguments', (t) => {
  const depths: number[] = [];
  const f = stackAlloc(16, (ptr, a: number, b: string) => {
    depths.push(currentFrame().depth);
    t.true(ptr instanceof StackAllocatedPointer);
    t.is(ptr.size, 16);
    t.false(ptr.assigned);
    t.throws(() => ptr.deref(), { instanceOf: c.DereferenceError });
    return ptr.move(`${b}${a}`).deref();
  });
  t.is(typeof f, 'function');
  t.is(f(1, 'x'), 'x1');
  t.is(f(2, 'y'), 'y2');
  t.is(depths.length, 2);
  t.is(depths[0], depths[1]);
});

test('the memory is on this thread\'s stack segment, not a heap block', (t) => {
  acquireStackAlloc(32, (ptr) => {
    t.throws(() => heap.usableSize(ptr.address), { instanceOf: InvalidPointerError });
    t.is(String(ptr), `StackAllocatedPointer(0x${ptr.address.toString(16)})`);
  });
});

test('after the frame every use throws FreedMemoryError, derived pointers too', (t) => {
  const S = struct({ a: int32, b: array(float64, 2) });
  const kept: { p?: core.StructPointer<typeof S extends core.StructType<infer F> ? F : never>; v?: { a: number }; fa?: core.AllocatedPointer<number>; added?: core.MemoryPointer } = {};
  acquireStackAlloc(S, (p) => {
    t.true(p instanceof StructPointer);
    t.true(p instanceof StackAllocatedPointer); // every pointer into a frame
    t.true(p instanceof AllocatedPointer);
    kept.p = p;
    kept.v = p.view();
    kept.fa = p.field('a');
    kept.added = p.add(0);
    kept.v.a = 4;
    t.is(kept.fa.deref(), 4);
  });
  t.true(kept.p!.freed);
  const msg = /stack frame returned/;
  t.throws(() => kept.p!.deref(), { instanceOf: FreedMemoryError, message: msg });
  t.throws(() => kept.v!.a, { instanceOf: FreedMemoryError });
  t.throws(() => kept.fa!.move(1), { instanceOf: FreedMemoryError });
  t.throws(() => kept.added!.deref(), { instanceOf: FreedMemoryError });
  t.throws(() => kept.p!.field('a'), { instanceOf: FreedMemoryError });

  let slot: core.MemoryPointer | undefined;
  acquireStackAlloc(array(int32, 4), (arr) => {
    slot = arr.at(2);
    arr.view()[2] = 5;
    t.is(slot.deref(), 5);
  });
  t.throws(() => slot!.deref(), { instanceOf: FreedMemoryError });
});

test('a later frame at the same depth does not revive an old pointer', (t) => {
  let old: core.AllocatedPointer<number> | undefined;
  acquireStackAlloc(int32, (p) => {
    old = p;
  });
  acquireStackAlloc(int32, (p) => {
    t.is(p.address, old!.address); // same memory, new frame
    p.move(1);
    t.throws(() => old!.deref(), { instanceOf: FreedMemoryError });
    t.throws(() => old!.move(2), { instanceOf: FreedMemoryError });
    t.is(p.deref(), 1);
  });
});

test('nested frames: an outer pointer lives while the inner frame runs', (t) => {
  acquireStackAlloc(int32, (outer) => {
    outer.move(1);
    let inner: core.AllocatedPointer<number> | undefined;
    acquireStackAlloc(int32, (i) => {
      inner = i;
      t.is(outer.deref(), 1);
      t.not(i.address, outer.address);
    });
    t.is(outer.deref(), 1);
    t.throws(() => inner!.deref(), { instanceOf: FreedMemoryError });
  });
});

test('typed frames start zeroed', (t) => {
  acquireStackAlloc(array(int32, 8), (a) => {
    a.view().fill(-1);
  });
  acquireStackAlloc(array(int32, 8), (a) => {
    t.deepEqual([...a.view()], [0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

test('free and realloc of a stack pointer are InvalidPointerError, in and after the frame', (t) => {
  let p: core.StackAllocatedPointer | undefined;
  acquireStackAlloc(8, (ptr) => {
    p = ptr;
    t.throws(() => free(ptr), { instanceOf: InvalidPointerError });
    t.throws(() => realloc(ptr, 16), { instanceOf: InvalidPointerError });
    t.throws(() => free(ptr.add(1)), { instanceOf: InvalidPointerError });
  });
  t.throws(() => free(p!), { instanceOf: InvalidPointerError });
  t.throws(() => realloc(p!, 16), { instanceOf: InvalidPointerError });
  t.notThrows(() => p![Symbol.dispose]());
});

test('an exception propagates and the frame is popped anyway', (t) => {
  const before = currentFrame().depth;
  let p: core.StackAllocatedPointer | undefined;
  t.throws(
    () =>
      acquireStackAlloc(8, (ptr) => {
        p = ptr;
        throw new RangeError('boom');
      }),
    { instanceOf: RangeError, message: 'boom' },
  );
  t.is(currentFrame().depth, before);
  t.throws(() => p!.move(1), { instanceOf: FreedMemoryError });
});

test('a callback returning a Promise is a PointerError; no unhandled rejection', async (t) => {
  let unhandled = 0;
  const onUnhandled = (): void => {
    unhandled++;
  };
  process.on('unhandledRejection', onUnhandled);
  const before = currentFrame().depth;
  const f = stackAlloc(8, async (ptr) => {
    await null;
    return ptr.deref(); // the frame is gone by now: rejects with FreedMemoryError
  });
  const e = t.throws(() => f(), { instanceOf: c.PointerError });
  t.regex(e.message, /Promise/);
  t.is(currentFrame().depth, before);
  t.throws(() => acquireStackAlloc(8, () => ({ then() {} })), { instanceOf: c.PointerError });
  await new Promise((r) => setTimeout(r, 20));
  process.off('unhandledRejection', onUnhandled);
  t.is(unhandled, 0);
});

test('bad sizes are InvalidSizeError when the function is made', (t) => {
  t.throws(() => stackAlloc(-1, () => 0), { instanceOf: c.InvalidSizeError });
  t.throws(() => stackAlloc(1.5, () => 0), { instanceOf: c.InvalidSizeError });
  t.throws(() => acquireStackAlloc('8' as never, () => 0), { instanceOf: c.InvalidSizeError });
  t.throws(() => stackAlloc(8, 'nope' as never), { instanceOf: c.PointerError });
});

test('an unsafe move stays inside the frame', (t) => {
  acquireStackAlloc(20, (p) => {
    p.move('x'.repeat(20), { unsafe: true }); // 25 bytes of a 32-byte frame
    t.is(p.deref(), 'x'.repeat(20));
    t.throws(() => p.move('x'.repeat(40), { unsafe: true }), { instanceOf: c.InvalidSizeError });
  });
});

test('a stack frame larger than the segment is an AllocationError', (t) => {
  t.throws(() => acquireStackAlloc(2 ** 31, () => 0), { instanceOf: c.AllocationError });
});
