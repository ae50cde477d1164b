/**
 * Shared helpers of the @ptr/core tests: the package under test, imported from
 * its dist build (the root package does not depend on @ptr/core), and a worker
 * runner for the cross-thread tests.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as core from '../../packages/core/dist/index.js';

export { core };
export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/core/${name}`, import.meta.url));
export const coreDist = fileURLToPath(new URL('../../packages/core/dist/index.js', import.meta.url));

/** Runs a fixture worker with `workerData`, resolves with the first message it posts. */
export function runWorker<T = unknown>(name: string, workerData: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const w = new Worker(fixture(name), { workerData: { ...(workerData as object), coreDist } });
    w.once('message', (m) => resolve(m as T));
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker ${name} exited with code ${code}`));
    });
  });
}
