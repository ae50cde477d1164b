/**
 * @ptr/worker — a piscina pool whose tasks run inside native stack frames of
 * the shared `@ptr` heap and receive pointers as arguments.
 *
 * Main thread:   const pool = createPool({ filename: new URL('./tasks.js', import.meta.url) });
 *                const sum = await pool.run({ data: arrPtr, n }, { name: 'sum' });
 * Task module:   export const sum = task(({ data, n }, stack) => { … });
 */
export { createPool, parallelFor, Pool, toFileUrl } from './pool.js';
export type { PoolOptions, RunOptions, ParallelForOptions, Chunk, Range, PoolHistogram, PiscinaFilledOptions } from './pool.js';
export { task, isTask, DEFAULT_STACK } from './worker.js';
export { MAX_CHUNKS } from './errors.js';
export type { Task, TaskOptions, StackPointer } from './worker.js';
export { pack, unpack, packError, unpackError, PTR_KEY } from './transport.js';
export type { Packet, WireError, PointerCodec } from './transport.js';
export { move, isWorkerThread, workerData } from 'piscina';
