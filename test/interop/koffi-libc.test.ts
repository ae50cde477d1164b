/**
 * Heap addresses are real native addresses: pointers of @ptr/core go to C code
 * through koffi (the C library's strlen, memcpy, memset, qsort with a
 * JavaScript comparator, snprintf) and what C writes is read back through
 * @ptr/core. Structs of @ptr/core have koffi's (the C ABI's) layout. And
 * @ptr/core's own bounds-checked libc helpers agree with the real libc.
 *
 * koffi is a root devDependency.
 */
import test from 'ava';
import fc from 'fast-check';
import koffi from 'koffi';
import { core } from '../core/_helpers.js';

const { malloc, calloc, free, cstring, int8, int16, int32, int64, uint8, float64, array, struct, offsetof, sizeof, heapCheck } = core;

/** libc through koffi, bound once (koffi type names are process-wide). */
let bound: ReturnType<typeof bind> | undefined;
const libc = (): ReturnType<typeof bind> => (bound ??= bind());

function bind() {
  const k = koffi!;
  const lib = k.load('libc.so.6');
  const Cmp = k.proto('int ptr_cmp(const void *a, const void *b)');
  return {
    k,
    strlen: lib.func('size_t strlen(const char *s)') as (s: number | bigint) => number,
    memcpy: lib.func('void *memcpy(void *dest, const void *src, size_t n)') as (d: number, s: number, n: number) => bigint,
    memset: lib.func('void *memset(void *s, int c, size_t n)') as (p: number, c: number, n: number) => bigint,
    memcmp: lib.func('int memcmp(const void *a, const void *b, size_t n)') as (a: number, b: number, n: number) => number,
    strcmp: lib.func('int strcmp(const char *a, const char *b)') as (a: number, b: number) => number,
    strncpy: lib.func('char *strncpy(char *d, const char *s, size_t n)') as (d: number, s: number, n: number) => unknown,
    qsort: lib.func('void qsort(void *base, size_t n, size_t size, ptr_cmp *cmp)') as (
      base: number,
      n: number,
      size: number,
      cmp: (a: bigint, b: bigint) => number,
    ) => void,
    snprintf: lib.func('int snprintf(char *buf, size_t n, const char *fmt, ...)') as (...args: unknown[]) => number,
  };
}

test('strlen: C reads a string @ptr/core moved into the heap, at its address (number or bigint)', (t) => {
  const c = libc();
  const s = malloc(cstring(32)).move('hello, heap');
  t.is(c.strlen(s.address), 11);
  t.is(c.strlen(BigInt(s.address)), 11);
  t.is(c.strlen(s.address), core.strlen(s));
  t.is(c.strlen(s.address + 7), 4); // an interior address is just an address to C
  free(s);
});

test('memcpy and memset: C writes heap memory, @ptr/core reads it in place (typed arrays, structs, strings)', (t) => {
  const c = libc();
  const src = calloc(6, float64);
  src.set([1.5, -2, 3.25, 1e100, -0, Math.PI]);
  const dst = calloc(6, float64);
  const ret = c.memcpy(dst.address, src.address, src.size);
  t.is(ret, BigInt(dst.address)); // memcpy returns dest: the same native address
  t.deepEqual([...dst.view()], [...src.view()]);
  t.is(core.memcmp(dst, src, src.size), 0);

  c.memset(dst.at(2).address, 0, 8);
  t.is(dst.at(2).deref(), 0);
  t.is(dst.at(3).deref(), 1e100);

  const Rec = struct({ id: int32, score: float64, tag: cstring(8) }, 'Rec');
  const a = malloc(Rec).move({ id: 7, score: 0.5, tag: 'seven' });
  const b = malloc(Rec);
  c.memcpy(b.address, a.address, sizeof(Rec));
  t.deepEqual(b.toObject(), { id: 7, score: 0.5, tag: 'seven' });
  for (const p of [src, dst, a, b]) free(p);
});

test('qsort: C sorts an int32 array in the heap, calling a JavaScript comparator that reads both elements through @ptr/core', (t) => {
  const c = libc();
  const values = [5, -3, 9, 0, 2, 2, 100, -50, 7, 1];
  const arr = calloc(values.length, int32);
  arr.set(values);
  const base = arr.address;
  let calls = 0;
  c.qsort(base, arr.length, arr.slotSize, (pa, pb) => {
    calls++;
    const x = arr.at((Number(pa) - base) / arr.slotSize).deref(); // the slot C is looking at
    const y = arr.at((Number(pb) - base) / arr.slotSize).deref();
    return x - y;
  });
  t.true(calls > 0);
  t.deepEqual(arr.toArray(), [...values].sort((x, y) => x - y));
  t.deepEqual([...arr.view()], [...values].sort((x, y) => x - y));
  free(arr);
});

test('qsort of structs: records move as C moves them, the comparator reads a field through live struct views', (t) => {
  const c = libc();
  const Row = struct({ id: int32, score: float64, name: cstring(12) }, 'Row');
  const rows = calloc(5, Row);
  rows.set([
    { id: 1, score: 0.7, name: 'ada' },
    { id: 2, score: 0.1, name: 'brian' },
    { id: 3, score: 0.9, name: 'grace' },
    { id: 4, score: 0.4, name: 'dennis' },
    { id: 5, score: 0.4, name: 'ken' },
  ]);
  const base = rows.address;
  const at = (p: bigint) => rows.at((Number(p) - base) / sizeof(Row)).view();
  // the comparator returns a C int: a float difference like 0.6 would truncate to 0, hence Math.sign
  c.qsort(base, rows.length, sizeof(Row), (pa, pb) => Math.sign(at(pb).score - at(pa).score) || at(pa).id - at(pb).id);
  t.deepEqual(
    rows.toArray().map((r) => (r as { name: string }).name),
    ['grace', 'ada', 'dennis', 'ken', 'brian'],
  );
  free(rows);
});

test('snprintf formats into a heap buffer, bounded by the size @ptr/core gives it', (t) => {
  const c = libc();
  const buf = malloc(cstring(16));
  const n = c.snprintf(buf.address, buf.size, '%s-%d', 'str', 'heap', 'int', 1234567);
  t.is(n, 12);
  t.is(buf.deref(), 'heap-1234567');
  const cut = c.snprintf(buf.address, buf.size, '%s', 'str', 'a string longer than sixteen bytes');
  t.is(cut, 34);
  t.is(buf.deref(), 'a string longer'); // C truncated to 15 bytes and its NUL
  free(buf);
});

test('struct layout: @ptr/core structs have the C ABI layout koffi computes, and both read what the other wrote', (t) => {
  const k = koffi!;
  const S = struct({ a: int8, b: float64, c: int16, d: int32, e: array(uint8, 3), f: int64, name: cstring(5) }, 'S');
  const K = k.struct('S_interop', {
    a: 'int8_t',
    b: 'double',
    c: 'int16_t',
    d: 'int32_t',
    e: k.array('uint8_t', 3),
    f: 'int64_t',
    name: k.array('char', 5, 'String'),
  });
  t.is(sizeof(S), k.sizeof(K));
  for (const f of ['a', 'b', 'c', 'd', 'e', 'f', 'name']) t.is(offsetof(S, f as never), k.offsetof(K, f), f);
  const p = malloc(S).move({ a: -5, b: 2.5, c: 300, d: -7, e: [1, 2, 3], f: 1n << 40n, name: 'abcd' });
  const seen = k.decode(p.address, K) as Record<string, unknown>;
  t.like(seen, { a: -5, b: 2.5, c: 300, d: -7, f: 2 ** 40, name: 'abcd' });
  t.deepEqual([...(seen.e as Uint8Array)], [1, 2, 3]);
  k.encode(p.address, K, { a: 1, b: 1.5, c: 2, d: 3, e: [9, 8, 7], f: 5, name: 'xy' });
  t.deepEqual(p.toObject(), { a: 1, b: 1.5, c: 2, d: 3, e: [9, 8, 7], f: 5n, name: 'xy' });
  free(p);
});

test('property: @ptr/core memcmp, strcmp, strlen and strncpy agree with the C library on the same heap bytes', (t) => {
  const c = libc();
  const bytes = fc.uint8Array({ minLength: 0, maxLength: 40 });
  // strings of bytes 1..255 (no NUL inside), so both sides see a terminated string
  const cstr = fc.uint8Array({ minLength: 0, maxLength: 30 }).map((a) => a.map((b) => b || 1));
  const put = (data: Uint8Array, extra = 0) => {
    const p = calloc(data.length + extra, uint8);
    if (data.length) p.view().set(data);
    return p;
  };
  fc.assert(
    fc.property(bytes, bytes, (x, y) => {
      const n = Math.min(x.length, y.length);
      const a = put(x, 1);
      const b = put(y, 1);
      const ok = core.memcmp(a, b, n) === Math.sign(c.memcmp(a.address, b.address, n));
      free(a);
      free(b);
      return ok;
    }),
    { numRuns: 200 },
  );
  fc.assert(
    fc.property(cstr, cstr, fc.boolean(), (x, y, prefix) => {
      const yy = prefix ? x.slice(0, y.length % (x.length + 1)) : y;
      const a = put(x, 1);
      const b = put(yy, 1);
      const same =
        core.strcmp(a, b) === Math.sign(c.strcmp(a.address, b.address)) &&
        core.strcmp(b, a) === Math.sign(c.strcmp(b.address, a.address)) &&
        core.strlen(a) === c.strlen(a.address);
      free(a);
      free(b);
      return same;
    }),
    { numRuns: 200 },
  );
  fc.assert(
    fc.property(cstr, fc.nat(40), (x, n) => {
      const src = put(x, 1);
      const mine = calloc(Math.max(n, 1), uint8);
      const theirs = calloc(Math.max(n, 1), uint8);
      core.memset(mine, 0xaa, mine.size);
      c.memset(theirs.address, 0xaa, theirs.size);
      core.strncpy(mine, src, n);
      c.strncpy(theirs.address, src.address, n);
      const same = core.memcmp(mine, theirs, mine.size) === 0;
      for (const p of [src, mine, theirs]) free(p);
      return same;
    }),
    { numRuns: 200 },
  );
  t.notThrows(() => heapCheck());
});

test('examples/interop/libc.mjs runs and prints what C computed', async (t) => {
  const { execFile } = await import('node:child_process');
  const script = new URL('../../examples/interop/libc.mjs', import.meta.url);
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [script.pathname], (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout))),
  );
  t.regex(out, /C says 24, @ptr\/core says 24/);
  t.regex(out, /qsort by score: grace 99, ada 71\.5, barbara 71\.5, ken 12\.25/);
  t.regex(out, /snprintf: "grace scored 99\.0"/);
});
