// Workers run their frames at the same time, each on its own thread's stack
// segment: two tasks meet inside their frames (a rendezvous on a heap word that
// only completes if both are in at once).
import test from 'ava';
import { createPool, fixture, heap } from './_helpers.ts';
import type { Where } from '../fixtures/worker/frames.ts';

test('two tasks are inside their frames at once, on two segments', async (t) => {
  const pool = createPool({ filename: fixture('frames.ts'), maxThreads: 2, minThreads: 2 });
  t.teardown(() => pool.destroy());
  const cell = heap.calloc(2, 4);
  t.teardown(() => heap.free(cell));
  const [a, b] = await Promise.all([0, 1].map(() => pool.run<Where & { together: boolean }>({ cell, n: 2 }, { name: 'rendezvous' })));
  t.true(a!.together && b!.together, 'each saw the other arrive while still in its frame');
  t.not(a!.threadId, b!.threadId);
  t.not(a!.segment, b!.segment, 'one stack segment per thread');
  t.is(a!.frameBytes, 64 * 1024);
  t.is(b!.frameBytes, 64 * 1024);
  const segs = [a!, b!].map((w) => [w.segment, w.segment + w.segmentBytes]).sort((x, y) => x[0]! - y[0]!);
  t.true(segs[0]![1]! <= segs[1]![0]!, 'the segments do not overlap');
  heap.check();
});
