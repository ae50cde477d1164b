// The multi-thread soak of test/fixtures/reliability/soak.ts for 10 s
// (PTR_SOAK_MS to change; `pnpm soak` runs it for a minute or more): soak
// threads allocating, writing checksummed patterns, freeing blocks other
// threads allocated, working in stack frames, while a @ptr/worker pool runs
// pooled tasks that pass pointers both ways. Afterwards: no corruption, no
// leaked bytes or blocks, heap.check() passes. PTR_SEED replays a seed.
import test from 'ava';
import { runSoak } from '../fixtures/reliability/soak.ts';
import { envInt, seedFrom } from './_helpers.ts';

test('multi-thread soak: no corruption, no leak, heap.check() passes', async (t) => {
  const ms = envInt('PTR_SOAK_MS', 10_000);
  t.timeout(ms + 180_000);
  const seed = seedFrom('PTR_SEED');
  t.log(`seed ${seed} (replay: PTR_SEED=${seed}), ${ms} ms`);
  const r = await runSoak({ ms, seed, workers: envInt('PTR_SOAK_WORKERS', 2), poolThreads: envInt('PTR_SOAK_POOL', 2) });
  t.log(
    `${r.ops.toLocaleString('en')} operations in ${r.ms} ms: ${r.threadOps.toLocaleString('en')} by ${r.workers} soak threads ` +
      `(${r.remoteFrees.toLocaleString('en')} frees of other threads' blocks, ${r.frames.toLocaleString('en')} frames), ` +
      `${r.poolRuns.toLocaleString('en')} pool runs over ${r.poolBlocks.toLocaleString('en')} blocks; ` +
      `corruptions ${r.corruptions}, leaked ${r.leakedBytes} bytes / ${r.leakedBlocks} blocks, heap.check() ${r.heapCheck}`,
  );
  t.deepEqual(r.errors, [], 'no errors');
  t.is(r.corruptions, 0, 'no corruption');
  t.is(r.leakedBytes, 0, 'no leaked bytes after teardown');
  t.is(r.leakedBlocks, 0, 'no leaked blocks after teardown');
  t.is(r.heapCheck, 'ok', 'heap.check() passes');
  t.true(r.remoteFrees > 100, 'many blocks were freed by another thread than their allocator');
  t.true(r.poolRuns > 20, 'the pool ran tasks');
  t.true(r.threadOps > 10_000, 'the soak threads did work');
});
