// `signal` aborts a run: a queued run leaves the queue, a running one (even
// inside its frame, spinning) has its worker terminated; the pool replaces it
// and the dead worker's stack segment goes back to the heap.
import { EventEmitter } from 'node:events';
import test from 'ava';
import { I32, createPool, fixture, heap, sleep, threadStats, until, wordOf } from './_helpers.ts';

test.serial('aborting a running task terminates its worker; the pool recovers, the heap is sound', async (t) => {
  const pool = createPool({ filename: fixture('faults.ts'), maxThreads: 1, minThreads: 1 });
  t.teardown(() => pool.destroy());
  const cell = heap.calloc(2, 4);
  t.teardown(() => heap.free(cell));
  const ac = new AbortController();
  const run = pool.run({ cell }, { name: 'spin', signal: ac.signal });
  await until(() => Atomics.load(I32, wordOf(cell)) !== 0, 10_000, 'the task to start spinning');
  const spinner = Atomics.load(I32, wordOf(cell));
  t.is(threadStats(spinner)?.state, 'live');
  ac.abort();
  const e = await t.throwsAsync(run);
  t.is(e!.name, 'AbortError');
  const next = await pool.run<number>(null, { name: 'whoami' });
  t.not(next, spinner, 'a new worker serves');
  await until(() => {
    const s = threadStats(spinner);
    return s === undefined || (s.state === 'dead' && s.stack === 0);
  }, 5_000, 'the aborted worker segment reclaimed');
  heap.check();
});

test.serial('aborting tasks in the middle of malloc/free loops leaves the heap sound', async (t) => {
  const pool = createPool({ filename: fixture('faults.ts'), maxThreads: 2, minThreads: 2 });
  t.teardown(() => pool.destroy());
  const cell = heap.calloc(2, 4);
  t.teardown(() => heap.free(cell));
  for (let round = 0; round < 6; round++) {
    Atomics.store(I32, wordOf(cell), 0);
    const ac = new AbortController();
    const run = pool.run({ cell }, { name: 'churn', signal: ac.signal }).catch((e: Error) => e);
    await until(() => Atomics.load(I32, wordOf(cell)) !== 0, 10_000, 'the churn to start');
    await sleep(1 + ((round * 7) % 13));
    ac.abort();
    t.is((await run as Error).name, 'AbortError');
  }
  await pool.run(null, { name: 'whoami' });
  // The dead workers' pages are adopted by whoever needs pages next: allocate here to force it.
  const blocks = Array.from({ length: 20_000 }, (_, i) => heap.malloc(i % 3000));
  for (const b of blocks) heap.free(b);
  heap.check();
  t.pass();
});

test('aborting a queued run removes it from the queue; the running one is untouched', async (t) => {
  const pool = createPool({ filename: fixture('faults.ts'), maxThreads: 1, minThreads: 1 });
  t.teardown(() => pool.destroy());
  const busy = pool.run<number>({ ms: 200 }, { name: 'sleep' });
  const ac = new AbortController();
  const queued = pool.run({ ms: 0 }, { name: 'sleep', signal: ac.signal });
  await until(() => pool.queueSize === 1 || pool.queueSize === 0, 1_000);
  ac.abort(new Error('changed my mind'));
  const e = await t.throwsAsync(queued);
  t.is(e!.name, 'AbortError');
  t.is(typeof (await busy), 'number');
});

test('an already aborted signal rejects at once; an EventEmitter signal works too', async (t) => {
  const pool = createPool({ filename: fixture('faults.ts'), maxThreads: 1 });
  t.teardown(() => pool.destroy());
  const e = await t.throwsAsync(pool.run(null, { name: 'whoami', signal: AbortSignal.abort() }));
  t.is(e!.name, 'AbortError');
  const ee = new EventEmitter();
  const run = pool.run({ ms: 5_000 }, { name: 'sleep', signal: ee });
  setTimeout(() => ee.emit('abort'), 50);
  t.is((await t.throwsAsync(run))!.name, 'AbortError');
});
