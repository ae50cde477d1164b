// Task module of the @ptr/worker rows (pool.mjs): each run gets a pointer to
// heap memory, never a copy, and runs in the pool's default 64 KiB native frame.
import { importPtr } from '../lib/ptr.mjs';
import { sumF64 } from './sum.mjs';

const { task } = await importPtr('worker');

/** A float64 array pointer of N bytes: sums all of it through a view of the shared heap. */
export const sum = task((arr) => {
  const v = arr.view();
  return sumF64(v, 0, v.length);
});

/** Receives the pointer and touches only its first and last element. */
export const touch = task((arr) => {
  const v = arr.view();
  return v[0] + v[v.length - 1];
});

/** parallelFor chunk: sums its index range of the array. */
export const sumChunk = task((c) => sumF64(c.array.view(), c.start, c.end));

export const empty = task(() => null);
