// Several workers allocate, reallocate and free at random for a while (default
// 10 s; PTR_STRESS_MS to change), checking the contents of every block, and
// pass blocks around a ring so that other threads check, reallocate and free
// them. At the end: no corruption, heap.check() passes, and the used bytes and
// block count are back at their baseline.
import test from 'ava';
import { Worker } from 'node:worker_threads';
import { fixture, heap } from './_helpers.ts';

const MS = Number(process.env.PTR_STRESS_MS ?? 10_000);
const WORKERS = Number(process.env.PTR_STRESS_WORKERS ?? 3);
const QUEUE_BYTES = 16 + 256 * 8 + 256 * 12;

interface WorkerStats {
  ops: number;
  mallocs: number;
  callocs: number;
  reallocs: number;
  frees: number;
  sent: number;
  received: number;
  doubleFreeChecks: number;
  corruptions: number;
  errors: string[];
}

test('random malloc/calloc/realloc/free in several threads, with blocks freed by other threads', async (t) => {
  t.timeout(MS + 60_000);
  t.true(WORKERS >= 2 && WORKERS <= 4);
  const baseline = heap.stats();
  heap.check();
  const queues = Array.from({ length: WORKERS }, () => new SharedArrayBuffer(QUEUE_BYTES));
  const seed = Number(process.env.PTR_STRESS_SEED ?? (Date.now() & 0x7fffffff));
  t.log(`seed ${seed}, ${WORKERS} workers, ${MS} ms`);

  const results = await Promise.all(
    Array.from({ length: WORKERS }, (_, index) => {
      const w = new Worker(fixture('stress-worker.mjs'), {
        execArgv: [],
        workerData: {
          index,
          workers: WORKERS,
          seed: seed + index * 7919,
          ms: MS,
          outQueue: queues[index],
          inQueue: queues[(index + WORKERS - 1) % WORKERS],
        },
      });
      return new Promise<{ stats: WorkerStats | undefined; code: number; error: unknown }>((resolve) => {
        let stats: WorkerStats | undefined;
        let error: unknown;
        w.on('message', (m) => (stats = m));
        w.on('error', (e) => (error = e));
        w.on('exit', (code) => resolve({ stats, code, error }));
      });
    }),
  );

  let corruptions = 0;
  let sent = 0;
  let received = 0;
  for (const [i, r] of results.entries()) {
    t.is(r.error, undefined, `worker ${i} raised no error event`);
    t.is(r.code, 0, `worker ${i} exited normally`);
    t.truthy(r.stats, `worker ${i} reported`);
    if (!r.stats) continue;
    const s = r.stats;
    t.log(`worker ${i}: ${s.ops} ops, ${s.mallocs} malloc, ${s.callocs} calloc, ${s.reallocs} realloc, ${s.frees} free, sent ${s.sent}, received ${s.received}, ${s.doubleFreeChecks} double frees`);
    if (s.errors.length) t.log(s.errors.join('\n'));
    corruptions += s.corruptions;
    sent += s.sent;
    received += s.received;
    t.true(s.ops > 1000, `worker ${i} did some work`);
    t.true(s.doubleFreeChecks > 0);
  }
  t.is(corruptions, 0, 'no block lost its contents, no unexpected error');
  t.is(received, sent, 'every block sent to another thread arrived');
  t.true(sent > 100, 'many blocks were freed by a thread other than their allocator');

  heap.check();
  const after = heap.stats();
  t.is(after.used, baseline.used, 'used bytes back to the baseline');
  t.is(after.blocks, baseline.blocks, 'block count back to the baseline');
  t.is(after.largeBlocks, baseline.largeBlocks);

  // The pages the workers left behind are reusable: main allocates over them and check() still passes.
  const blocks = Array.from({ length: 20_000 }, (_, i) => heap.malloc((i * 131) % 4000));
  heap.check();
  for (const a of blocks) heap.free(a);
  heap.check();
  t.is(heap.stats().used, baseline.used);
});
