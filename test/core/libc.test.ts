/**
 * The libc helpers of @ptr/core (memcpy, memmove, memset, memcmp, strlen,
 * strcpy, strncpy, strcmp): C's results inside a pointer's bounds, DESIGN.md's
 * error classes outside them, and nothing written when a call throws.
 */
import test from 'ava';
import fc from 'fast-check';
import { core, runWorker } from './_helpers.js';

const {
  malloc,
  calloc,
  free,
  cstring,
  int32,
  uint8,
  float64,
  struct,
  array,
  toPtr,
  NULL,
  acquireStackAlloc,
  heapCheck,
  memcpy,
  memmove,
  memset,
  memcmp,
  strlen,
  strcpy,
  strncpy,
  strcmp,
  OutOfBoundsError,
  FreedMemoryError,
  NullPointerError,
  InvalidPointerError,
  InvalidSizeError,
  PointerError,
} = core;

/** The bytes a pointer reaches, copied out. */
const bytesOf = (p: { address: number; size: number }): number[] =>
  [...new Uint8Array(core.heap.buffer, p.address - core.heap.base, p.size)];

/** Untyped memory of `values.length` bytes holding `values` (add(n) reaches the rest of the block). */
function raw(values: number[]) {
  const p = malloc(values.length);
  new Uint8Array(core.heap.buffer, p.address - core.heap.base, values.length).set(values);
  return p;
}

/** A uint8 array pointer holding `values`. */
function u8s(values: number[]) {
  const a = calloc(values.length, uint8);
  a.set(values);
  return a;
}

test('memcpy copies n bytes and returns dest; typed memory reads the result in place', (t) => {
  const src = calloc(4, int32);
  src.set([1, -2, 3, 0x7fffffff]);
  const dst = calloc(4, int32);
  t.is(memcpy(dst, src, 16), dst);
  t.deepEqual([...dst.view()], [1, -2, 3, 0x7fffffff]);
  memcpy(dst.at(1), src.at(3), 4);
  t.deepEqual([...dst.view()], [1, 0x7fffffff, 3, 0x7fffffff]);
  t.is(memcpy(dst, src, 0), dst);
  free(src);
  free(dst);
});

test('memcpy between untyped blocks copies the value they hold', (t) => {
  const a = malloc(64).move({ name: 'ion', xs: [1, 2, 3] });
  const b = malloc(64);
  memcpy(b, a, 64);
  t.deepEqual(b.deref(), { name: 'ion', xs: [1, 2, 3] });
  free(a);
  free(b);
});

test('memmove (and memcpy) handle overlapping ranges in both directions', (t) => {
  const a = raw([1, 2, 3, 4, 5, 6, 7, 8]);
  memmove(a.add(2), a, 5);
  t.deepEqual(bytesOf(a), [1, 2, 1, 2, 3, 4, 5, 8]);
  memmove(a, a.add(3), 5);
  t.deepEqual(bytesOf(a), [2, 3, 4, 5, 8, 4, 5, 8]);
  memcpy(a.add(1), a, 4);
  t.deepEqual(bytesOf(a), [2, 2, 3, 4, 5, 4, 5, 8]);
  t.throws(() => memmove(a.add(4), a, 5), { instanceOf: OutOfBoundsError });
  free(a);
});

test('memset fills with c converted to an unsigned char', (t) => {
  const p = malloc(array(uint8, 8));
  t.is(memset(p, 7, 8), p);
  t.deepEqual([...p.view()], [7, 7, 7, 7, 7, 7, 7, 7]);
  memset(p.at(6), -1, 1);
  const q = raw([7, 7, 7, 7, 7, 7]);
  memset(q.add(2), 0x1ff, 3);
  t.deepEqual(bytesOf(q), [7, 7, 255, 255, 255, 7]);
  free(q);
  t.deepEqual([...p.view()], [7, 7, 7, 7, 7, 7, 255, 7]);
  memset(p, 0, 0);
  t.is(p.view()[0], 7);
  t.throws(() => memset(p, 1.5, 1), { instanceOf: PointerError, code: 'ERR_POINTER' });
  t.throws(() => memset(p, '0' as never, 1), { instanceOf: PointerError, code: 'ERR_POINTER' });
  const f = malloc(float64).move(1.5);
  memset(f, 0, 8);
  t.is(f.deref(), 0);
  free(p);
  free(f);
});

test('memcmp compares bytes as unsigned chars and returns -1, 0 or 1', (t) => {
  const a = u8s([1, 2, 3, 0xff]);
  const b = u8s([1, 2, 3, 0x01]);
  t.is(memcmp(a, b, 3), 0);
  t.is(memcmp(a, b, 4), 1);
  t.is(memcmp(b, a, 4), -1);
  t.is(memcmp(a, b, 0), 0);
  const big1 = calloc(100, uint8);
  const big2 = calloc(100, uint8);
  t.is(memcmp(big1, big2, 100), 0);
  big2.at(99).move(1);
  t.is(memcmp(big1, big2, 100), -1);
  t.is(memcmp(big2, big1, 100), 1);
  for (const p of [a, b, big1, big2]) free(p);
});

test('strlen counts bytes up to the NUL, within the bounds only', (t) => {
  const s = malloc(cstring(16)).move('héllo');
  t.is(strlen(s), 6); // UTF-8 bytes
  const u = strcpy(malloc(16), s);
  t.is(strlen(u.add(3)), 3);
  const full = u8s([65, 66, 67]);
  t.throws(() => strlen(full), { instanceOf: OutOfBoundsError, code: 'ERR_OUT_OF_BOUNDS' });
  const empty = malloc(cstring(1));
  t.is(strlen(empty), 0);
  const big = calloc(1000, uint8);
  memset(big, 0x61, 700);
  t.is(strlen(big), 700);
  memset(big, 0x61, 1000);
  t.throws(() => strlen(big), { instanceOf: OutOfBoundsError });
  for (const p of [s, u, full, empty, big]) free(p);
});

test('strcpy copies the string and its NUL; too long throws and leaves dest as it was', (t) => {
  const a = malloc(cstring(8)).move('abc');
  const b = malloc(cstring(8)).move('zzzzzzz');
  t.is(strcpy(b, a), b);
  t.is(b.deref(), 'abc');
  t.deepEqual(bytesOf(b).slice(0, 5), [97, 98, 99, 0, 122]);
  strcpy(b, 'js é');
  t.is(b.deref(), 'js é');
  strcpy(b, 'cut\0here');
  t.is(b.deref(), 'cut');
  t.is(strlen(b), 3);
  const before = bytesOf(b);
  t.throws(() => strcpy(b, 'eight ch'), { instanceOf: OutOfBoundsError }); // 8 bytes + NUL
  const long = malloc(cstring(32)).move('a string of twenty');
  t.throws(() => strcpy(b, long), { instanceOf: OutOfBoundsError });
  t.deepEqual(bytesOf(b), before);
  const unterminated = u8s([65, 66]);
  t.throws(() => strcpy(malloc(cstring(8)), unterminated), { instanceOf: OutOfBoundsError });
  for (const p of [a, b, long, unterminated]) free(p);
});

test('strncpy pads with NULs, leaves no NUL when the string is n bytes or more, like C', (t) => {
  const d = u8s([9, 9, 9, 9, 9, 9]);
  strncpy(d, 'ab', 5);
  t.deepEqual([...d.view()], [97, 98, 0, 0, 0, 9]);
  strncpy(d, 'wxyz', 3);
  t.deepEqual([...d.view()], [119, 120, 121, 0, 0, 9]);
  const src = malloc(cstring(4)).move('pqr');
  strncpy(d, src, 6);
  t.deepEqual([...d.view()], [112, 113, 114, 0, 0, 0]);
  const raw = u8s([1, 2, 3]); // no NUL, but n reaches only its 3 bytes
  strncpy(d, raw, 3);
  t.deepEqual([...d.view()], [1, 2, 3, 0, 0, 0]);
  const before = [...d.view()];
  t.throws(() => strncpy(d, raw, 4), { instanceOf: OutOfBoundsError }); // would read past raw
  t.throws(() => strncpy(d, 'x', 7), { instanceOf: OutOfBoundsError }); // would write past d
  t.throws(() => strncpy(d, 'x', -1), { instanceOf: InvalidSizeError });
  t.deepEqual([...d.view()], before);
  for (const p of [d, src, raw]) free(p);
});

test('strcmp compares up to the first difference or NUL, unsigned, pointers and strings alike', (t) => {
  const a = malloc(cstring(8)).move('apple');
  const b = malloc(cstring(8)).move('apply');
  t.is(strcmp(a, b), -1);
  t.is(strcmp(b, a), 1);
  t.is(strcmp(a, 'apple'), 0);
  t.is(strcmp('apple', a), 0);
  t.is(strcmp(a, 'app'), 1);
  t.is(strcmp('', a), -1);
  t.is(strcmp('x\0y', 'x'), 0);
  t.is(strcmp('é', 'z'), 1); // 0xc3 > 0x7a as unsigned char
  const raw = u8s([97, 112, 113]); // no NUL: differs from "apple" at byte 2, before its end
  t.is(strcmp(raw, a), 1);
  const raw2 = u8s([97, 112, 112]); // equal to "app…" up to its end: C would read past it
  t.throws(() => strcmp(raw2, a), { instanceOf: OutOfBoundsError });
  t.throws(() => strcmp('app', raw2), { instanceOf: OutOfBoundsError });
  for (const p of [a, b, raw, raw2]) free(p);
});

test('bounds are the pointer\'s size: add() reaches the rest of the block, a slot or a field only itself', (t) => {
  const block = malloc(16);
  t.throws(() => memset(block, 0, 17), { instanceOf: OutOfBoundsError });
  t.throws(() => memset(block.add(8), 0, 9), { instanceOf: OutOfBoundsError });
  memset(block.add(8), 0, 8);
  const arr = calloc(4, int32);
  t.throws(() => memset(arr.at(3), 1, 5), { instanceOf: OutOfBoundsError });
  t.throws(() => memcpy(arr.at(0), arr.at(1), 8), { instanceOf: OutOfBoundsError });
  memcpy(arr, arr.at(1), 4);
  const Pair = struct({ a: int32, b: int32, name: cstring(8) }, 'Pair');
  const sp = malloc(Pair);
  t.throws(() => memset(sp.field('a'), 0xff, 8), { instanceOf: OutOfBoundsError });
  t.is(sp.field('b').deref(), 0);
  memset(sp, 0xff, 8);
  t.is(sp.view().a, -1);
  t.is(sp.view().b, -1);
  strcpy(sp.field('name'), 'seven!!');
  t.is(sp.view().name, 'seven!!');
  t.throws(() => strcpy(sp.field('name'), 'eight!!!'), { instanceOf: OutOfBoundsError });
  t.throws(() => memcpy(block, sp, 17), { instanceOf: OutOfBoundsError });
  for (const p of [block, arr, sp]) free(p);
  t.notThrows(() => heapCheck());
});

test('freed memory, NULL, object pointers, non-pointers and bad sizes throw DESIGN.md\'s classes', (t) => {
  const a = malloc(cstring(8)).move('x');
  const b = malloc(cstring(8));
  const dead = malloc(8);
  const deadAlias = dead.add(1);
  free(dead);
  const calls: [string, (p: never) => unknown][] = [
    ['memcpy dest', (p) => memcpy(p, a, 1)],
    ['memcpy src', (p) => memcpy(b, p, 1)],
    ['memmove', (p) => memmove(b, p, 1)],
    ['memset', (p) => memset(p, 0, 1)],
    ['memcmp', (p) => memcmp(a, p, 1)],
    ['strlen', (p) => strlen(p)],
    ['strcpy dest', (p) => strcpy(p, 'x')],
    ['strcpy src', (p) => strcpy(b, p)],
    ['strncpy', (p) => strncpy(b, p, 1)],
    ['strcmp', (p) => strcmp(p, 'x')],
  ];
  for (const [name, call] of calls) {
    t.throws(() => call(dead as never), { instanceOf: FreedMemoryError, code: 'ERR_FREED_MEMORY' }, name);
    t.throws(() => call(deadAlias as never), { instanceOf: FreedMemoryError }, name);
    t.throws(() => call(NULL as never), { instanceOf: NullPointerError, code: 'ERR_NULL_POINTER' }, name);
    t.throws(() => call(null as never), { instanceOf: NullPointerError }, name);
    t.throws(() => call(toPtr({ x: 1 }) as never), { instanceOf: InvalidPointerError, code: 'ERR_INVALID_POINTER' }, name);
    t.throws(() => call(a.address as never), { instanceOf: InvalidPointerError }, name);
    t.throws(() => call(undefined as never), { instanceOf: InvalidPointerError }, name);
  }
  for (const n of [-1, 1.5, NaN, Infinity, '4', 2 ** 53]) {
    t.throws(() => memcpy(b, a, n as never), { instanceOf: InvalidSizeError, code: 'ERR_INVALID_SIZE' }, String(n));
    t.throws(() => memset(b, 0, n as never), { instanceOf: InvalidSizeError }, String(n));
    t.throws(() => memcmp(b, a, n as never), { instanceOf: InvalidSizeError }, String(n));
  }
  t.is(a.deref(), 'x');
  t.is(b.deref(), '');
  free(a);
  free(b);
});

test('a block freed by another thread throws FreedMemoryError here', async (t) => {
  const p = calloc(8, uint8);
  await runWorker('free-in-worker.mjs', { address: p.address });
  t.throws(() => memset(p, 1, 8), { instanceOf: FreedMemoryError });
  t.throws(() => memcmp(p, p, 1), { instanceOf: FreedMemoryError });
});

test('stack pointers work inside their frame and throw FreedMemoryError after it', (t) => {
  let kept: ReturnType<typeof malloc> | undefined;
  const n = acquireStackAlloc(cstring(32), (s) => {
    strcpy(s, 'on the stack');
    kept = s as never;
    return strlen(s);
  });
  t.is(n, 12);
  t.throws(() => strlen(kept!), { instanceOf: FreedMemoryError });
  t.throws(() => memset(kept!, 0, 1), { instanceOf: FreedMemoryError });
});

test('property: memmove matches Uint8Array#copyWithin inside the bounds and throws OutOfBoundsError outside, changing nothing', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 200 }),
      fc.nat(220),
      fc.nat(220),
      fc.nat(220),
      fc.integer({ min: 0, max: 255 }),
      (size, from0, to0, n, seed) => {
        const from = from0 % size;
        const to = to0 % size;
        const model = Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff);
        const a = raw(model);
        const fits = n <= size - from && n <= size - to;
        let threw: unknown;
        try {
          memmove(a.add(to), a.add(from), n);
        } catch (e) {
          threw = e;
        }
        if (fits) {
          if (threw) throw threw;
          model.splice(to, n, ...model.slice(from, from + n));
        } else if (!(threw instanceof OutOfBoundsError)) {
          throw new Error(`expected OutOfBoundsError for size ${size}, from ${from}, to ${to}, n ${n}`);
        }
        const same = bytesOf(a).every((v, i) => v === model[i]);
        free(a);
        return same;
      },
    ),
    { numRuns: 300 },
  );
  t.notThrows(() => heapCheck());
});
