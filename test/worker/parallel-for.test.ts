// parallelFor splits an index range across the pool's workers and gathers the
// results in chunk order.
import test from 'ava';
import * as core from '../../packages/core/dist/index.js';
import { createPool, fixture, heap, ptrWorker } from './_helpers.ts';

interface Report {
  start: number;
  end: number;
  index: number;
  count: number;
  args: unknown;
  threadId: number;
}

const pool = createPool({ filename: fixture('chunks.ts'), maxThreads: 2, minThreads: 2 });
test.after.always(() => pool.destroy());

test('a count is split into maxThreads even chunks covering 0..n, results in order', async (t) => {
  const r = await pool.parallelFor<Report>(10, { name: 'report', args: { k: 1 } });
  t.deepEqual(
    r.map(({ start, end, index, count }) => [start, end, index, count]),
    [
      [0, 5, 0, 2],
      [5, 10, 1, 2],
    ],
  );
  t.deepEqual(r[0]!.args, { k: 1 });
});

test('chunks, chunkSize, [start, end) and { start, end } ranges', async (t) => {
  const spans = (r: Report[]) => r.map((c) => [c.start, c.end]);
  t.deepEqual(spans(await pool.parallelFor<Report>(10, { name: 'report', chunks: 3 })), [[0, 3], [3, 6], [6, 10]]);
  t.deepEqual(spans(await pool.parallelFor<Report>([5, 12], { name: 'report', chunkSize: 3 })), [[5, 8], [8, 11], [11, 12]]);
  t.deepEqual(spans(await pool.parallelFor<Report>({ start: 2, end: 4 }, { name: 'report', chunks: 8 })), [[2, 3], [3, 4]]);
  t.deepEqual(await pool.parallelFor(0, { name: 'report' }), [], 'an empty range runs nothing');
  t.deepEqual(spans(await ptrWorker.parallelFor<Report>(pool, 4, { name: 'report', chunks: 2 })), [[0, 2], [2, 4]], 'the function form');
});

test('chunks run on several workers and sum a heap block in parallel', async (t) => {
  const n = 1 << 20;
  const address = heap.malloc(n * 8);
  t.teardown(() => heap.free(address));
  const f64 = new Float64Array(heap.buffer, address - heap.base, n);
  for (let i = 0; i < n; i++) f64[i] = i;
  const parts = await pool.parallelFor<number>(n, { name: 'sumAddress', args: { address }, chunks: 8 });
  t.is(parts.length, 8);
  t.is(parts.reduce((a, b) => a + b, 0), (n * (n - 1)) / 2);
  const who = new Set((await pool.parallelFor<Report>(16, { name: 'report', chunks: 16 })).map((r) => r.threadId));
  t.true(who.size >= 1);
});

test('an array pointer is split over its length and every chunk gets the pointer itself', async (t) => {
  const arr = core.calloc(1000, core.float64);
  t.teardown(() => core.free(arr));
  arr.view().forEach((_, i, v) => (v[i] = i));
  const parts = await pool.parallelFor<number>(arr, { name: 'sumArray', chunks: 4 });
  t.is(parts.length, 4);
  t.is(parts.reduce((a, b) => a + b, 0), (1000 * 999) / 2);
  t.is(arr.view()[999], 1998, 'the workers wrote through the pointer');
  const sub = await pool.parallelFor<number>([10, 20], { name: 'sumArray', array: arr, chunks: 2 });
  t.is(sub[0]! + sub[1]!, 2 * (10 + 19) * 5, 'a sub-range of an array given as the array option');
  const e = await t.throwsAsync(pool.parallelFor([990, 1001], { name: 'sumArray', array: arr }));
  t.is((e as { code?: string }).code, 'ERR_OUT_OF_BOUNDS');
});

test('a failing chunk rejects the whole call with its error', async (t) => {
  const e = await t.throwsAsync(pool.parallelFor(8, { name: 'failOn', args: { bad: 2 }, chunks: 4 }));
  t.true(e instanceof TypeError);
  t.is(e!.message, 'chunk 2 failed');
});

test('bad ranges and chunk options are refused', async (t) => {
  for (const range of [-1, 1.5, 'x', [1], null] as unknown[]) {
    const e = await t.throwsAsync(pool.parallelFor(range as number, { name: 'report' }));
    t.is((e as { code?: string }).code, 'ERR_INVALID_OPTION');
  }
  await t.throwsAsync(pool.parallelFor(4, { name: 'report', chunks: 0 }), { message: /chunks/ });
  await t.throwsAsync(pool.parallelFor(4, { name: 'report', chunkSize: 0 }), { message: /chunkSize/ });
});
