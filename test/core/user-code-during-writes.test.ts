/**
 * User code that runs while a value is being written (getters read by the
 * serializer or by a struct move, proxies as array-likes) may free the block:
 * the write must then fail with FreedMemoryError and never land in freed
 * memory (which would corrupt the heap's free lists).
 */
import test from 'ava';
import { core } from './_helpers.js';

const c = core;
const { malloc, calloc, free, struct, int32, bytes, heapCheck, FreedMemoryError } = c;

test('untyped move: a getter run by the serializer frees the block', (t) => {
  const p = malloc(256);
  const evil = {
    get x() {
      free(p);
      return 1;
    },
  };
  t.throws(() => p.move(evil), { instanceOf: FreedMemoryError });
  // a block freed and handed out again while the getter runs
  const q = malloc(256);
  let other: core.AllocatedPointer | undefined;
  const sneaky = {
    get x() {
      free(q);
      other = malloc(256).move('victim');
      return 1;
    },
  };
  t.throws(() => q.move(sneaky), { instanceOf: FreedMemoryError });
  t.is(other!.deref(), 'victim');
  free(other!);
  heapCheck();
});

test('struct move: a getter of the source object frees the block', (t) => {
  const S = struct({ a: int32, b: int32, body: bytes(64) });
  const s = malloc(S);
  const init = {
    a: 1,
    get b() {
      free(s);
      return 2;
    },
  };
  t.throws(() => s.move(init), { instanceOf: FreedMemoryError });
  heapCheck();
  const s2 = malloc(S);
  const v = s2.view();
  t.throws(
    () => {
      v.body = {
        get y() {
          free(s2);
          return 0;
        },
      } as never;
    },
    { instanceOf: FreedMemoryError },
  );
  heapCheck();
});

test('array set: a proxy array-like frees the block', (t) => {
  const arr = calloc(8, int32);
  const values = new Proxy([1, 2, 3], {
    get(target, key, recv) {
      if (key === '2') free(arr);
      return Reflect.get(target, key, recv);
    },
  });
  t.throws(() => arr.set(values), { instanceOf: FreedMemoryError });
  heapCheck();
});

test('a failed struct move changes nothing', (t) => {
  const S = struct({ a: int32, b: int32 });
  const s = malloc(S).move({ a: 1, b: 2 });
  t.throws(() => s.move({ a: 10, b: 'x' as never }), { instanceOf: c.PointerError });
  t.deepEqual(s.toObject(), { a: 1, b: 2 });
  free(s);
});
