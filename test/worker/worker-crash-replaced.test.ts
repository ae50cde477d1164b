// A task that takes its worker down (process.exit, out of memory) rejects that
// run only; piscina replaces the worker, the heap stays consistent, and the
// dead thread's stack segment goes back to the heap. Serial: the figures are process-wide.
import test from 'ava';
import { createPool, fixture, heap, threadStats, until } from './_helpers.ts';

/** The dead thread has given its stack segment back (its slot is dead with no stack, or reused/gone). */
const segmentReclaimed = (threadId: number): boolean => {
  const s = threadStats(threadId);
  return s === undefined || (s.state === 'dead' && s.stack === 0);
};

test.serial('process.exit in a task rejects that run only; the worker is replaced and its segment reclaimed', async (t) => {
  const pool = createPool({ filename: fixture('faults.ts'), maxThreads: 2, minThreads: 2 });
  t.teardown(() => pool.destroy());
  const first = await pool.run<number>(null, { name: 'whoami' });
  t.is(threadStats(first)?.stack, 1024 * 1024, 'a live worker holds a stack segment');

  // One worker sleeps in a task while the other dies mid-frame, holding heap blocks it allocated.
  const other = pool.run<number>({ ms: 300 }, { name: 'sleep' });
  const crash = await pool.run({ code: 3, blocks: 50 }, { name: 'exit' }).then(
    () => null,
    (e: Error) => e,
  );
  t.truthy(crash);
  t.regex(crash!.message, /exited with code: 3/);
  t.is(typeof (await other), 'number', 'the other run completed');

  const ids = new Set<number>();
  for (let i = 0; i < 6; i++) ids.add(await pool.run<number>(null, { name: 'whoami' }));
  t.true(ids.size >= 1, 'the pool serves after the crash');
  await until(() => heap.stats().threads.every((s) => s.state === 'live' || s.stack === 0), 5_000, 'segments reclaimed');
  const dead = heap.stats().threads.filter((s) => s.state === 'dead');
  t.true(dead.every((s) => s.stack === 0), 'no dead thread keeps a stack segment');
  heap.check();
});

test.serial('out of memory in a worker rejects the run with ERR_WORKER_OUT_OF_MEMORY; the pool recovers', async (t) => {
  const pool = createPool({
    filename: fixture('faults.ts'),
    maxThreads: 1,
    minThreads: 1,
    resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 },
  });
  t.teardown(() => pool.destroy());
  const before = await pool.run<number>(null, { name: 'whoami' });
  const e = await t.throwsAsync(pool.run(null, { name: 'oom' }));
  t.is((e as { code?: string }).code, 'ERR_WORKER_OUT_OF_MEMORY');
  const after = await pool.run<number>(null, { name: 'whoami' });
  t.not(after, before, 'a new worker took over');
  await until(() => segmentReclaimed(before), 5_000, 'the dead worker segment reclaimed');
  heap.check();
});

test.serial('repeated crashes do not leak stack segments', async (t) => {
  const pool = createPool({ filename: fixture('faults.ts'), maxThreads: 1, minThreads: 1 });
  t.teardown(() => pool.destroy());
  await pool.run(null, { name: 'whoami' });
  const stackBytes = () => heap.stats().threads.reduce((n, s) => n + s.stack, 0);
  const base = stackBytes();
  const dead: number[] = [];
  for (let i = 0; i < 4; i++) {
    dead.push(await pool.run<number>(null, { name: 'whoami' }));
    await t.throwsAsync(pool.run({ code: 1, blocks: 10 }, { name: 'exit' }));
  }
  await pool.run(null, { name: 'whoami' });
  await until(() => dead.every(segmentReclaimed), 5_000, 'segments reclaimed');
  t.is(stackBytes(), base, 'stack bytes held by threads are back where they were');
  heap.check();
});
