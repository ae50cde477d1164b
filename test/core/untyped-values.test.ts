/**
 * Untyped memory holds any structured-cloneable value: encoded into the block
 * on move (primitives without v8.serialize), decoded as a fresh copy on deref;
 * sizeof(v) is exactly what move(v) needs; nothing reads or writes outside the
 * block, even for garbage or unsafe moves.
 */
import test from 'ava';
import { core } from './_helpers.js';

const c = core;
const { malloc, free, sizeof, heap } = c;

const values: [string, unknown][] = [
  ['int32', 42],
  ['negative int32', -(2 ** 31)],
  ['-0', -0],
  ['float', 1.5],
  ['large number', 2 ** 53],
  ['NaN', Number.NaN],
  ['Infinity', -Infinity],
  ['true', true],
  ['false', false],
  ['null', null],
  ['undefined', undefined],
  ['empty string', ''],
  ['ascii string', 'hello world'],
  ['latin1 string', 'héllo'],
  ['utf-8 string', 'snow ☃ and 🐧'],
  ['long string', 'x'.repeat(5000)],
  ['bigint', -(2n ** 63n)],
  ['huge bigint', 2n ** 200n + 1n],
  ['object', { a: 1, b: 'two', c: [3, { d: 4 }] }],
  ['array', [1, 'a', null, [2]]],
  ['Map', new Map<unknown, unknown>([[1, 'a'], ['b', { c: 2 }]])],
  ['Set', new Set([1, 2, 'x'])],
  ['Date', new Date(1234567890)],
  ['RegExp', /ab+c/gi],
  ['Uint8Array', new Uint8Array([1, 2, 3])],
  ['Float64Array', new Float64Array([1.5, -2])],
  ['ArrayBuffer', new Uint16Array([7, 8]).buffer],
  ['nested cycle', (() => {
    const o: Record<string, unknown> = { n: 1 };
    o.self = o;
    return o;
  })()],
  ['Error', new RangeError('bad')],
];

for (const [name, v] of values) {
  test(`round trip: ${name}`, (t) => {
    const p = malloc(sizeof(v));
    p.move(v);
    const back = p.deref();
    if (name === 'Error') {
      t.true(back instanceof RangeError);
      t.is((back as Error).message, 'bad');
    } else if (name === 'nested cycle') {
      const b = back as Record<string, unknown>;
      t.is(b.self, b);
      t.is(b.n, 1);
    } else {
      t.deepEqual(back, v);
    }
    if (Object.is(v, -0)) t.true(Object.is(back, -0));
    if (typeof v === 'object' && v !== null) t.not(back, v); // a copy
    free(p);
  });
}

test('sizeof(v) is exactly what move(v) needs', (t) => {
  for (const [name, v] of values) {
    const n = sizeof(v);
    const exact = malloc(n);
    t.notThrows(() => exact.move(v), name);
    if (n > 0) {
      const short = malloc(n - 1);
      t.throws(() => short.move(v), { instanceOf: c.InvalidSizeError }, name);
      free(short);
    }
    free(exact);
  }
});

test('primitives use a 1-byte tag and a payload (no v8.serialize)', (t) => {
  t.is(sizeof(true), 1);
  t.is(sizeof(null), 1);
  t.is(sizeof(undefined), 1);
  t.is(sizeof(7), 5);
  t.is(sizeof(-0), 9);
  t.is(sizeof(0.5), 9);
  t.is(sizeof(5n), 9);
  t.is(sizeof('abc'), 8);
  t.is(sizeof('é'), 7); // 2 UTF-8 bytes
  t.is(sizeof(''), 5);
  const p = malloc(8).move(0x01020304);
  const bytes = new Uint8Array(heap.buffer, p.address - heap.base, 5);
  t.deepEqual([...bytes], [5, 4, 3, 2, 1]); // tag 5 (int32), little-endian payload
  free(p);
});

test('seed sizes: 28 bytes hold an int, and a 24-byte realloc target holds 0', (t) => {
  const p = malloc(28);
  p.move(1);
  p.move(2 ** 40);
  t.is(p.deref(), 2 ** 40);
  free(p);
});

test('values that cannot be cloned are a PointerError, and the memory keeps its value', (t) => {
  const p = malloc(64).move('kept');
  t.throws(() => p.move(() => 1), { instanceOf: c.PointerError, message: /structured-cloneable/ });
  t.throws(() => p.move(Symbol('s')), { instanceOf: c.PointerError });
  t.throws(() => p.move({ f() {} }), { instanceOf: c.PointerError });
  t.is(p.deref(), 'kept');
  free(p);
});

test('unsafe moves may pass size but never the block\'s usable size', (t) => {
  const p = malloc(10);
  const usable = heap.usableSize(p.address);
  t.true(usable >= 16);
  t.throws(() => p.move('0123456789'), { instanceOf: c.InvalidSizeError });
  p.move('0123456789', { unsafe: true });
  t.is(p.deref(), '0123456789');
  const e = t.throws(() => p.move('y'.repeat(usable), { unsafe: true }), { instanceOf: c.InvalidSizeError });
  t.regex(e.message, /never writes outside its block/);
  t.is(p.deref(), '0123456789');
  free(p);
});

test('garbage in the block reads as DereferenceError, never past the block', (t) => {
  const p = malloc(16);
  const bytes = new Uint8Array(heap.buffer, p.address - heap.base, 16);
  bytes[0] = 99; // unknown tag
  t.throws(() => p.deref(), { instanceOf: c.DereferenceError });
  bytes[0] = 8; // a string...
  new DataView(heap.buffer).setUint32(p.address - heap.base + 1, 1_000_000, true); // ...of a million bytes
  t.throws(() => p.deref(), { instanceOf: c.DereferenceError, message: /runs past the block/ });
  bytes[0] = 10; // a clone...
  new DataView(heap.buffer).setUint32(p.address - heap.base + 1, 4, true);
  bytes.fill(0xff, 5); // ...of nonsense
  t.throws(() => p.deref(), { instanceOf: c.DereferenceError });
  free(p);
});

test('add(n) gives byte offsets inside untyped memory: "hi bye" (pointers.py README)', (t) => {
  const p = malloc(103);
  p.move('hi');
  p.add(51).move('bye');
  t.is(`${p.deref()} ${p.add(51).deref()}`, 'hi bye');
  t.is(p.add(51).size, 52);
  free(p);
});
