/**
 * Shared helpers of the @ptr/worker tests. Packages are imported from their
 * dist builds (the root package depends on none of them), the same files the
 * pool's workers load, so classes and the heap are the same modules on both
 * sides.
 */
import { fileURLToPath } from 'node:url';
import * as native from '../../packages/native/dist/index.js';
import * as ptrWorker from '../../packages/worker/dist/index.js';

export { native, ptrWorker };
export const { heap } = native;
export const { createPool } = ptrWorker;
export const I32 = new Int32Array(heap.buffer);

/** A task module of test/fixtures/worker as a file: URL. */
export const fixture = (name: string): URL => new URL(`../fixtures/worker/${name}`, import.meta.url);
export const fixturePath = (name: string): string => fileURLToPath(fixture(name));

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const wordOf = (address: number): number => (address - heap.base) / 4;

/** heap.stats() figures of the thread whose worker threadId is `threadId`. */
export const threadStats = (threadId: number) => heap.stats().threads.find((s) => s.threadId === threadId);

/** Waits until `cond()` holds (polling), or fails after `ms`. */
export async function until(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
