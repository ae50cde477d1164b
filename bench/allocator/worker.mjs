// Worker thread of the allocator's concurrency rows: replays its own workload on
// the shared @ptr heap between the barriers of bench/lib/threads.mjs.
import { workerData } from 'node:worker_threads';
import { barrierLoop } from '../lib/threads.mjs';
import { replacementSequence, replay, releaseAll } from '../lib/workload.mjs';
import { importPtr } from '../lib/ptr.mjs';

const { workload, ops, seed, slots, size, index } = workerData;

if (workload === 'control-cpu') {
  // No heap at all: integer arithmetic in registers, to show how much parallelism
  // the machine actually gave (other processes may be using the CPUs).
  const sink = new Int32Array(1);
  barrierLoop(() => {
    let x = seed + index;
    for (let i = 0; i < ops; i++) x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + i) | 0;
    sink[0] = x;
  });
} else if (workload === 'control-memory') {
  // No heap either: random read-modify-writes over a private 16 MiB buffer (about
  // a mixed-workload worker's footprint), to show how the machine's caches and
  // memory bandwidth scale for accesses that miss the cache.
  const buf = new Int32Array(4 * 2 ** 20);
  const mask = buf.length - 1;
  barrierLoop(() => {
    let x = seed + index;
    for (let i = 0; i < ops; i++) {
      x = (Math.imul(x, 1103515245) + 12345) | 0;
      const j = (x >>> 7) & mask;
      buf[j] = buf[j] + i;
    }
  });
} else {
  const { heap } = await importPtr('native');
  const { malloc, free } = heap;
  if (workload === 'pair') {
    // malloc(size) + free: the thread-local hot path.
    barrierLoop(() => {
      for (let i = 0; i < ops; i++) free(malloc(size));
    });
  } else if (workload === 'mixed') {
    // One round of the mixed workload on a pool of this worker's own: fill `slots`
    // blocks, `ops` replacements, free all. Seeds differ per worker.
    const seq = replacementSequence({ seed: seed + index, slots, ops });
    barrierLoop(() => releaseAll(replay(seq, malloc, free).addrs, free));
  } else {
    throw new Error(`unknown workload ${workload}`);
  }
}
