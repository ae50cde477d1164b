// transport.ts on one thread, with a stand-in pointer codec: pointers are found
// anywhere in a value (arrays, objects, Maps, Sets, cycles), replaced by
// placeholders in a copy (the caller's value is untouched), and come back as
// one object per pointer; non-transferable pointers throw before anything is
// sent; a value without pointers is passed as is.
import test from 'ava';
import * as transport from '../../packages/worker/dist/transport.js';

class FakePtr {
  constructor(
    readonly address: number,
    readonly stack = false,
  ) {}
}
const decoded: number[] = [];
transport.setPointerCodec({
  encode(v) {
    if (!(v instanceof FakePtr)) return undefined;
    if (v.stack) throw new Error(`stack pointer ${v.address}`);
    return { a: v.address };
  },
  decode(w) {
    decoded.push((w as { a: number }).a);
    return new FakePtr((w as { a: number }).a);
  },
});

/** pack, then a real structured clone (what postMessage does), then unpack. */
const trip = (v: unknown) => transport.unpack(structuredClone(transport.pack(v)));

test('a value without pointers is sent as is', (t) => {
  const v = { a: [1, 2, { b: 'c' }], m: new Map([[1, 2]]) };
  const p = transport.pack(v);
  t.is(p.v, v);
  t.is(p.p, undefined);
  t.is(transport.unpack(p), v);
});

test('pointers nested in arrays, objects, Maps and Sets come back as pointers', (t) => {
  const p1 = new FakePtr(16);
  const p2 = new FakePtr(32);
  const v = { top: p1, list: [1, p2, [p1]], map: new Map<unknown, unknown>([[p2, 'key'], ['val', p1]]), set: new Set([p2]), n: 5, s: 'x' };
  const r = trip(v) as typeof v;
  t.true(r.top instanceof FakePtr);
  t.is(r.top.address, 16);
  t.is((r.list[1] as FakePtr).address, 32);
  t.is(((r.list[2] as unknown[])[0] as FakePtr), r.top, 'the same pointer twice is one object after the trip');
  const [[k]] = [...r.map];
  t.is(k, r.list[1], 'Map keys too');
  t.is(r.map.get('val'), r.top);
  t.is([...r.set][0] as unknown, r.list[1]);
  t.is(r.n, 5);
  t.is(r.s, 'x');
});

test('a pointer alone, and pointers in cycles', (t) => {
  t.is((trip(new FakePtr(48)) as FakePtr).address, 48);
  const cyc: { self?: unknown; p: FakePtr } = { p: new FakePtr(64) };
  cyc.self = cyc;
  const r = trip(cyc) as typeof cyc;
  t.is(r.self, r);
  t.is(r.p.address, 64);
});

test('the caller value is not modified', (t) => {
  const p = new FakePtr(80);
  const v = { list: [p], map: new Map([['k', p]]) };
  transport.pack(v);
  t.is(v.list[0], p);
  t.is(v.map.get('k'), p);
});

test('a pointer that cannot cross throws before anything is packed', (t) => {
  const before = decoded.length;
  t.throws(() => transport.pack({ ok: new FakePtr(96), deep: [{ bad: new FakePtr(112, true) }] }), { message: /stack pointer 112/ });
  t.is(decoded.length, before);
});

test('leaves are not walked: typed arrays, dates, errors pass through', (t) => {
  const buf = new Float64Array([1, 2]);
  const d = new Date(0);
  const r = trip({ buf, d, p: new FakePtr(128) }) as { buf: Float64Array; d: Date; p: FakePtr };
  t.deepEqual([...r.buf], [1, 2]);
  t.is(r.d.getTime(), 0);
});

test('errors keep class, code, stack, cause and data across packError/unpackError', (t) => {
  const cause = new TypeError('inner');
  const e = Object.assign(new RangeError('outer', { cause }), { code: 'ERR_X', extra: { n: 1 }, fn: () => 1 });
  const back = transport.unpackError(structuredClone(transport.packError(e)));
  t.true(back instanceof RangeError);
  t.is(back.message, 'outer');
  t.is((back as { code?: string }).code, 'ERR_X');
  t.deepEqual((back as { extra?: unknown }).extra, { n: 1 });
  t.is((back as { fn?: unknown }).fn, undefined, 'uncloneable data is dropped');
  t.true(back.cause instanceof TypeError);
  t.is(back.stack, e.stack);
  class Custom extends Error {
    override name = 'Custom';
  }
  const c = transport.unpackError(transport.packError(new Custom('c')));
  t.is(c.name, 'Custom');
  t.true(c instanceof Error);
});
