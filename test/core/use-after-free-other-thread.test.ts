/**
 * A block freed by another thread (a real worker thread, loading
 * packages/core/dist) is freed for every pointer to it in this thread: deref,
 * move and free throw FreedMemoryError, also after the memory was reused by a
 * new allocation.
 */
import test from 'ava';
import { core, runWorker } from './_helpers.js';

const { malloc, calloc, free, describePointer, int32, FreedMemoryError, heapCheck } = core;

interface Report {
  ok?: boolean;
  error?: string;
  before?: unknown;
  freed?: boolean;
  secondFree?: string;
}

test('freed by a worker (through a revived pointer): FreedMemoryError here', async (t) => {
  const p = malloc(64).move({ hello: 'worker' });
  const report = await runWorker<Report>('free-in-worker.mjs', { descriptor: describePointer(p) });
  t.is(report.error, undefined);
  t.deepEqual(report.before, { hello: 'worker' });
  t.true(report.freed);
  t.is(report.secondFree, 'FreedMemoryError');
  t.true(p.freed);
  t.throws(() => p.deref(), { instanceOf: FreedMemoryError });
  t.throws(() => p.move(1), { instanceOf: FreedMemoryError });
  t.throws(() => free(p), { instanceOf: FreedMemoryError });
});

test('freed by a worker with the raw heap, then the memory reused here: still FreedMemoryError', async (t) => {
  const p = malloc(80).move('mine');
  const typed = calloc(20, int32); // a slot pointer of another block, to show it is unaffected
  typed.at(3).move(33);
  const report = await runWorker<Report>('free-in-worker.mjs', { address: p.address });
  t.true(report.ok);
  t.throws(() => p.deref(), { instanceOf: FreedMemoryError });

  // The remote free returns the block to this thread's page when the page runs
  // dry: allocate until the address comes back.
  const held = [];
  let reused = null;
  for (let i = 0; i < 200000 && reused === null; i++) {
    const q = malloc(80);
    if (q.address === p.address) reused = q;
    else held.push(q);
  }
  t.not(reused, null, 'the freed address was reused');
  reused!.move('new owner');
  t.throws(() => p.deref(), { instanceOf: FreedMemoryError });
  t.throws(() => p.move('stale write'), { instanceOf: FreedMemoryError });
  t.throws(() => free(p), { instanceOf: FreedMemoryError });
  t.is(reused!.deref(), 'new owner');
  t.is(typed.at(3).deref(), 33);
  free(reused!);
  for (const q of held) free(q);
  free(typed);
  heapCheck();
});

test('derived pointers (slots, add) see the other thread\'s free too', async (t) => {
  const arr = calloc(8, 16);
  const slot = arr.at(5).move(5);
  const inner = malloc(32).move('x');
  const derived = inner.add(4);
  await runWorker<Report>('free-in-worker.mjs', { address: arr.address });
  await runWorker<Report>('free-in-worker.mjs', { address: inner.address });
  t.throws(() => slot.deref(), { instanceOf: FreedMemoryError });
  t.throws(() => arr.at(1), { instanceOf: FreedMemoryError });
  t.throws(() => derived.move(1), { instanceOf: FreedMemoryError });
});
