// Task module of the plain piscina rows (pool.mjs): each run gets its own
// structured-clone copy of the bytes.
import { sumF64 } from './sum.mjs';

const f64 = (bytes) => new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 3);

/** { bytes: Uint8Array of N bytes } (a copy): sums them as float64s. */
export function sum({ bytes }) {
  const v = f64(bytes);
  return sumF64(v, 0, v.length);
}

/** Receives the copy and touches only its first and last element. */
export function touch({ bytes }) {
  const v = f64(bytes);
  return v[0] + v[v.length - 1];
}

export function empty() {
  return null;
}
