/**
 * Stack frames at depth and across threads: 1000 nested frames (in a worker
 * whose V8 stack is large enough: each nested native frame also takes ~1.6 KiB
 * of the thread's own stack), and two workers running frames at the same time
 * on their own segments, with checksummed contents.
 */
import test from 'ava';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { core } from './_helpers.js';

const fixture = fileURLToPath(new URL('../fixtures/core/frames-worker.mjs', import.meta.url));

function run<T>(workerData: Record<string, unknown>, stackSizeMb = 4): Promise<T> {
  return new Promise((resolve, reject) => {
    const w = new Worker(fixture, { workerData, resourceLimits: { stackSizeMb } });
    const timer = setTimeout(() => {
      void w.terminate();
      reject(new Error('frames worker timed out'));
    }, 60_000);
    w.once('message', (m: T) => {
      clearTimeout(timer);
      resolve(m);
    });
    w.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

test('1000 nested frames: every level keeps its value while inner frames run, all die after', async (t) => {
  const r = await run<{ deepest: number; bad: number; deadAfter: number; count: number }>({ mode: 'nest', depth: 1000 }, 8);
  t.is(r.deepest, 1000);
  t.is(r.count, 1000);
  t.is(r.bad, 0, 'a level read another level\'s value');
  t.is(r.deadAfter, 1000, 'every stack pointer is FreedMemoryError after its frame');
  core.heapCheck();
});

test('two workers run frames at the same time on their own segments, contents intact', async (t) => {
  const start = new SharedArrayBuffer(8);
  const flag = new Int32Array(start);
  const both = Promise.all([
    run<{ lo: number; hi: number; corrupt: number }>({ mode: 'stress', rounds: 20_000, size: 4096, seed: 1, start }),
    run<{ lo: number; hi: number; corrupt: number }>({ mode: 'stress', rounds: 20_000, size: 4096, seed: 2, start }),
  ]);
  const deadline = Date.now() + 20_000;
  while (Atomics.load(flag, 1) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  const [a, b] = await both;
  t.is(a.corrupt, 0);
  t.is(b.corrupt, 0);
  t.true(a.hi <= b.lo || b.hi <= a.lo, 'the two threads\' frames never overlap');
  core.heapCheck();
});
