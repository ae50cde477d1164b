/**
 * Typed memory: C scalar types read and written in place, cstring, pointer(T),
 * layout (sizeof/alignof), zero-initialisation, add() by bytes, views.
 */
import test from 'ava';
import { core } from './_helpers.js';

const c = core;
const { malloc, calloc, free, sizeof, alignof, heap, int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64, bool, cstring, pointer, array, NULL } = c;

test('sizes and alignment of the C types', (t) => {
  const expect: [core.CType, number][] = [
    [int8, 1],
    [uint8, 1],
    [int16, 2],
    [uint16, 2],
    [int32, 4],
    [uint32, 4],
    [int64, 8],
    [uint64, 8],
    [float32, 4],
    [float64, 8],
    [bool, 1],
    [pointer(int32), 8],
    [pointer(), 8],
  ];
  for (const [type, size] of expect) {
    t.is(sizeof(type), size, type.name);
    t.is(alignof(type), size, type.name);
  }
  t.is(sizeof(cstring(13)), 13);
  t.is(alignof(cstring(13)), 1);
  t.is(sizeof(array(int16, 5)), 10);
  t.is(alignof(array(int16, 5)), 2);
  t.is(String(array(int32, 4)), 'int32[4]');
  t.is(String(pointer(int32)), 'int32*');
});

test('typed memory starts zeroed and always holds a value', (t) => {
  for (const type of [int8, uint8, int16, uint16, int32, uint32, float32, float64]) {
    const p = malloc(type);
    t.true(p.assigned);
    t.is(p.deref(), 0, type.name);
    free(p);
  }
  const b = malloc(bool);
  t.is(b.deref(), false);
  const big = malloc(int64);
  t.is(big.deref(), 0n);
  free(b);
  free(big);
});

test('read and write in place, with C conversions', (t) => {
  const cases: [core.ScalarType, unknown, unknown][] = [
    [int8, 127, 127],
    [int8, 128, -128],
    [uint8, 300, 44],
    [int16, -2, -2],
    [uint16, -1, 65535],
    [int32, 2 ** 31, -(2 ** 31)],
    [int32, 3.9, 3],
    [uint32, -1, 2 ** 32 - 1],
    [float32, 1.1, Math.fround(1.1)],
    [float64, Math.PI, Math.PI],
    [int64, -5n, -5n],
    [int64, 7, 7n],
    [uint64, -1n, 2n ** 64n - 1n],
    [bool, true, true],
    [bool, 0, false],
    [bool, 2, true],
  ];
  for (const [type, input, output] of cases) {
    const p = malloc(type);
    t.is(p.move(input as never), p);
    t.is(p.deref() as unknown, output, `${type.name} <- ${String(input)}`);
    t.deepEqual([...p] as unknown[], [output]);
    free(p);
  }
});

test('typed pointers write the memory itself (a raw view sees it)', (t) => {
  const p = malloc(int32).move(0x01020304);
  const bytes = new Uint8Array(heap.buffer, p.address - heap.base, 4);
  t.deepEqual([...bytes], [4, 3, 2, 1]); // little-endian, like C on x64
  bytes[0] = 9;
  t.is(p.deref(), 0x01020309);
  free(p);
});

test('wrong value types are a PointerError naming the type', (t) => {
  const p = malloc(int32);
  const e = t.throws(() => p.move('3' as never), { instanceOf: c.PointerError });
  t.regex(e.message, /int32/);
  t.throws(() => malloc(bool).move('yes' as never), { instanceOf: c.PointerError });
  t.throws(() => malloc(int64).move(Number.NaN as never), { instanceOf: c.PointerError });
  free(p);
});

test('a pointer argument moves the value it points to', (t) => {
  const a = malloc(int32).move(12);
  const b = malloc(float64).move(a as never);
  t.is(b.deref(), 12);
  const u = malloc(16).move(a);
  t.is(u.deref(), 12);
  free(a);
  free(b);
  free(u);
});

test('add(n) moves by bytes within the block and keeps the type', (t) => {
  const p = c.realloc(malloc(int32), 16); // an int32 at the start of 16 bytes
  const bytes = new Uint8Array(heap.buffer, p.address - heap.base, 16);
  const q = p.add(4);
  t.is(q.address, p.address + 4);
  t.is(q.size, 12);
  q.move(-7);
  t.is(q.deref(), -7);
  t.is(p.add(12).move(5).deref(), 5);
  t.is(q.add(-4).deref(), p.deref());
  const odd = p.add(1).move(0x7f000000); // unaligned is fine: DataView access
  t.is(odd.deref(), 0x7f000000);
  t.is(bytes[4], 0x7f);
  t.throws(() => p.add(13), { instanceOf: c.OutOfBoundsError }); // an int32 would pass the end
  t.throws(() => p.add(-1), { instanceOf: c.OutOfBoundsError });
  t.throws(() => q.add(-5), { instanceOf: c.OutOfBoundsError });
  t.throws(() => p.add(1.5), { instanceOf: c.OutOfBoundsError });
  t.throws(() => free(q), { instanceOf: c.InvalidPointerError }); // interior pointer
  free(p);
});

test('every width reads and writes the same bytes as a DataView, aligned or not', (t) => {
  // Aligned accesses go through typed arrays, misaligned ones through the DataView.
  type Width = 'Int16' | 'Uint16' | 'Int32' | 'Uint32' | 'Float32' | 'Float64';
  const cases: [core.CType, Width, number[]][] = [
    [int16, 'Int16', [-12345, 32767, -32768, 70000]],
    [uint16, 'Uint16', [65535, 1, -1, 70000]],
    [int32, 'Int32', [-2, 0x7fffffff, 2 ** 32 + 5, -(2 ** 31)]],
    [uint32, 'Uint32', [2 ** 32 - 1, -1, 123456789]],
    [float32, 'Float32', [1.1, -0, 3.4e38, 1e-45, NaN]],
    [float64, 'Float64', [Math.PI, -0, 1e308, 5e-324, Infinity]],
  ];
  const heapView = new DataView(heap.buffer);
  const scratch = new DataView(new ArrayBuffer(8)); // what a DataView stores, away from the heap
  for (const [type, width, values] of cases) {
    const get = (d: DataView, o: number): number => d[`get${width}`](o, true);
    const set = (d: DataView, o: number, v: number): void => d[`set${width}`](o, v, true);
    const block = c.realloc(malloc(type), 32);
    const base = block.address - heap.base;
    for (let off = 0; off < 8; off++) {
      const p = block.add(off);
      const bytes = new Uint8Array(heap.buffer, base + off, type.size);
      for (const v of values) {
        p.move(v);
        set(scratch, 0, v);
        t.deepEqual([...bytes], [...new Uint8Array(scratch.buffer, 0, type.size)], `${type.name} at +${off}: move(${v}) stores what a DataView stores`);
        t.true(Object.is(p.deref(), get(heapView, base + off)), `${type.name} at +${off}: deref reads what a DataView reads`);
        set(heapView, base + off, -v);
        t.true(Object.is(p.deref(), get(heapView, base + off)), `${type.name} at +${off}: deref after a DataView write of ${-v}`);
      }
    }
    free(block);
  }
});

test('cstring(n): UTF-8 up to the NUL, at most n-1 bytes', (t) => {
  const s = malloc(cstring(8));
  t.is(s.deref(), '');
  s.move('héllo');
  t.is(s.deref(), 'héllo');
  s.move('abc');
  t.is(s.deref(), 'abc');
  const e = t.throws(() => s.move('12345678'), { instanceOf: c.InvalidSizeError });
  t.regex(e.message, /char\[8\]/);
  t.is(s.deref(), 'abc');
  t.throws(() => c.cstring(0), { instanceOf: c.PointerError });
  free(s);
});

test('pointer(T): stores addresses, reads back typed pointers or NULL', (t) => {
  const target = malloc(int32).move(99);
  const pp = malloc(pointer(int32));
  t.is(pp.deref(), NULL);
  pp.move(target as never);
  const back = pp.deref() as core.AllocatedPointer<number>;
  t.true(back.equals(target));
  t.is(back.deref(), 99);
  back.move(100);
  t.is(target.deref(), 100);
  // the stored value is the native address, as C would have it
  const raw = new BigUint64Array(heap.buffer, pp.address - heap.base, 1)[0];
  t.is(Number(raw), target.address);
  pp.move(null as never);
  t.is(pp.deref(), NULL);
  pp.move(target as never);
  free(target);
  t.throws(() => pp.deref(), { instanceOf: c.FreedMemoryError });
  t.throws(() => pp.move(target as never), { instanceOf: c.FreedMemoryError });
  t.throws(() => pp.move(c.toPtr({}) as never), { instanceOf: c.PointerError });
  free(pp);
});

test('void pointers read back untyped pointers', (t) => {
  const v = malloc(pointer());
  const target = malloc(32).move('through void*');
  v.move(target as never);
  const back = v.deref() as core.AllocatedPointer;
  t.is(back.deref(), 'through void*');
  free(target);
  free(v);
});

test('view() of a scalar is a one-element typed array over the heap', (t) => {
  const p = malloc(float64).move(2.5);
  const v = p.view() as Float64Array;
  t.true(v instanceof Float64Array);
  t.is(v.buffer, heap.buffer);
  t.is(v[0], 2.5);
  v[0] = 4;
  t.is(p.deref(), 4);
  t.throws(() => malloc(cstring(4)).view(), { instanceOf: c.PointerError });
  free(p);
});
