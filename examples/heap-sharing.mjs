// Two workers and the main thread share heap memory by address: no postMessage
// copies. Each worker fills its half of one Float64 block; main sums it.
import { Worker, isMainThread, workerData, parentPort } from 'node:worker_threads';
import { heap } from '../packages/native/dist/index.js';

const N = 1 << 20;
if (isMainThread) {
  const address = heap.malloc(N * 8);
  const workers = [0, 1].map((half) => new Worker(new URL(import.meta.url), { workerData: { address, half } }));
  const bases = await Promise.all(workers.map((w) => new Promise((ok) => w.once('message', ok))));
  await Promise.all(workers.map((w) => new Promise((ok) => w.once('exit', ok))));
  const values = new Float64Array(heap.buffer, address - heap.base, N);
  let sum = 0;
  for (let i = 0; i < N; i++) sum += values[i];
  console.log(`heap.base main ${heap.base.toString(16)}, workers ${bases.map((b) => b.toString(16)).join(', ')}`);
  console.log(`block at 0x${address.toString(16)}: ${N} float64 written by 2 workers, summed by main: ${sum} (expected ${(N * (N - 1)) / 2})`);
  heap.free(address);
  heap.check();
  console.log('heap.check() passed;', JSON.stringify({ ...heap.stats(), threads: undefined }));
} else {
  const { address, half } = workerData;
  const values = new Float64Array(heap.buffer, address - heap.base, N);
  for (let i = half * (N / 2); i < (half + 1) * (N / 2); i++) values[i] = i;
  parentPort.postMessage(heap.base);
}
