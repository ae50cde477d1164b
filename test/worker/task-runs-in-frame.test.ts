// Each run calls the task inside a native frame of `stack` bytes pushed on the
// worker thread's own stack segment, popped when the run ends; sizes come from
// the run, else the task, else the pool (default 64 KiB).
import test from 'ava';
import { createPool, fixture, heap, native, ptrWorker } from './_helpers.ts';
import type { Where } from '../fixtures/worker/frames.ts';

const pool = createPool({ filename: fixture('frames.ts'), maxThreads: 1, minThreads: 1 });
test.after.always(() => pool.destroy());

test('the task runs inside a frame of the default 64 KiB on the worker stack segment', async (t) => {
  const w = await pool.run<Where>(null);
  t.not(w.address, null);
  t.is(w.kind, 'StackAllocatedPointer', 'the task gets a @ptr/core stack pointer over the frame');
  t.is(w.frameBytes, 64 * 1024);
  t.is(w.depth, 0, 'the run pushed exactly one frame');
  t.true(w.address! >= w.segment && w.address! + w.frameBytes <= w.segment + w.segmentBytes, 'frame inside the segment');
  t.true(w.filled, 'the frame is writable memory');
  t.not(w.threadId, 0, 'on a worker, not the main thread');
  const seg = heap.stats().threads.find((s) => s.threadId === w.threadId);
  t.is(seg?.stack, w.segmentBytes, 'the segment is the one heap.stats() reports for that worker');
});

test('the frame is popped when the run ends', async (t) => {
  await pool.run(null);
  t.is(await pool.run<number>(null, { name: 'depthNow' }), -1);
});

test('stack size: run option > task option > pool option', async (t) => {
  t.is((await pool.run<Where>(null, { stack: 1000 })).frameBytes, 1008, 'run option (rounded up to 16)');
  t.is((await pool.run<Where>(null, { name: 'big' })).frameBytes, 200 * 1024, 'task option');
  t.is((await pool.run<Where>(null, { name: 'big', stack: 4096 })).frameBytes, 4096, 'run beats task');
  const small = createPool({ filename: fixture('frames.ts'), maxThreads: 1, stack: 512 });
  t.teardown(() => small.destroy());
  t.is((await small.run<Where>(null)).frameBytes, 512, 'pool option');
});

test('stack: 0 runs without a frame and passes null', async (t) => {
  const w = await pool.run<Where>(null, { stack: 0 });
  t.is(w.address, null);
  t.is(w.depth, -1);
});

test('a frame larger than the stack segment rejects the run with AllocationError', async (t) => {
  const e = await t.throwsAsync(pool.run(null, { stack: 64 * 1024 * 1024 }));
  t.true(e instanceof native.AllocationError, 'the same class on this side');
  t.is((e as { code?: string }).code, 'ERR_ALLOCATION');
  t.regex(e!.message, /stack segment overflow/);
  t.is((await pool.run<Where>(null)).frameBytes, 64 * 1024, 'the worker is fine after');
});

test('an async task in a frame fails with ERR_ASYNC_IN_FRAME; without a frame it may await', async (t) => {
  const basic = createPool({ filename: fixture('basic.ts'), maxThreads: 1 });
  t.teardown(() => basic.destroy());
  const e = await t.throwsAsync(basic.run(null, { name: 'asyncInFrame' }));
  t.is((e as { code?: string }).code, 'ERR_ASYNC_IN_FRAME');
  t.true(e instanceof native.PointerError);
  t.deepEqual(await basic.run<{ stack: unknown }>({ ms: 5 }, { name: 'asyncNoFrame' }).then((r) => r.stack), null);
  const e2 = await t.throwsAsync(basic.run({ ms: 5 }, { name: 'asyncNoFrame', stack: 4096 }));
  t.is((e2 as { code?: string }).code, 'ERR_ASYNC_IN_FRAME', 'a run that forces a frame on an async task');
});

test('a bad stack option is refused before sending', async (t) => {
  for (const stack of [-1, 1.5, NaN, '64k' as unknown as number]) {
    const e = await t.throwsAsync(pool.run(null, { stack }));
    t.is((e as { code?: string }).code, 'ERR_INVALID_OPTION');
  }
  t.throws(() => createPool({ filename: fixture('frames.ts'), stack: -5 }), { code: 'ERR_INVALID_OPTION' } as never);
});

test('task() called in-thread runs its fn in a frame of this thread', (t) => {
  const seen: unknown[] = [];
  const fn = ptrWorker.task((x: number, stack) => {
    seen.push(stack);
    return x * 2;
  });
  t.is(fn(21), 42);
  t.not(seen[0], null);
  t.true(ptrWorker.isTask(fn));
});
