/**
 * The public generics, checked by the type checker (`tsc -p tsconfig.json` at
 * the root) and run once: malloc(type) gives the pointer class of the type,
 * struct views are typed by their fields, no `any` leaks out.
 */
import test from 'ava';
import { core } from './_helpers.js';

const { malloc, calloc, free, struct, array, int32, int64, float64, cstring, pointer, bool, toPtr, stackAlloc } = core;

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(_: T): void => {};

test('the pointer class and value type follow the C type', (t) => {
  const n = malloc(int32);
  const big = malloc(int64);
  const s = malloc(cstring(8));
  const untyped = malloc(28);
  const asNumber: core.AllocatedPointer<number> = n;
  expectType<Equal<ReturnType<typeof n.deref>, number>>(true);
  expectType<Equal<ReturnType<typeof big.deref>, bigint>>(true);
  expectType<Equal<ReturnType<typeof s.deref>, string>>(true);
  expectType<Equal<ReturnType<typeof untyped.deref>, unknown>>(true);
  expectType<Equal<ReturnType<typeof n.view>, Int32Array>>(true);

  const Point = struct({ x: int32, y: float64, ok: bool, tags: array(int32, 2), next: pointer(int32) });
  const p = malloc(Point);
  const v = p.view();
  expectType<Equal<typeof v.x, number>>(true);
  expectType<Equal<typeof v.ok, boolean>>(true);
  expectType<Equal<typeof v.tags, Int32Array>>(true);
  const fx = p.field('x');
  expectType<Equal<ReturnType<typeof fx.deref>, number>>(true);

  const xs = calloc(4, float64);
  expectType<Equal<ReturnType<typeof xs.view>, Float64Array>>(true);
  expectType<Equal<ReturnType<typeof xs.at>, core.TypedPointer<number, Float64Array>>>(true);
  const pts = calloc(2, Point);
  pts.at(0).view().x = 1;

  const o = toPtr({ a: 1 });
  expectType<Equal<ReturnType<typeof o.deref>, { a: number }>>(true);
  const one = toPtr(1);
  one.assign(2);

  const f = stackAlloc(int32, (q, k: number) => q.move(k).deref());
  expectType<Equal<typeof f, (k: number) => number>>(true);
  t.is(f(3), 3);
  t.is(asNumber.deref(), 0);
  for (const x of [n, big, s, untyped, p, xs, pts]) free(x);
});
