// Pooled tasks of the example service. Each one receives the dataset as an
// array pointer (`chunk.array`, a working AllocatedArrayPointer of float64 on
// this worker thread, over the same memory the main thread filled) and a chunk
// of its index range; none of the 32 MB is ever copied between threads.
import { heap } from '../../packages/native/dist/index.js';
import { task } from '../../packages/worker/dist/index.js';

/** The value of row i: a deterministic pseudo-random number in [0, 1000). */
export function valueAt(i) {
  let h = Math.imul(i ^ 0x5bd1e995, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return Math.round(((h >>> 0) / 4294967296) * 1e7) / 1e4;
}

/** Fills rows [start, end). */
export const fill = task((c) => {
  const v = c.array.view();
  for (let i = c.start; i < c.end; i++) v[i] = valueAt(i);
  return c.end - c.start;
});

/** Sum and count of rows [start, end). */
export const sum = task((c) => {
  const v = c.array.view();
  let s = 0;
  for (let i = c.start; i < c.end; i++) s += v[i];
  return { sum: s, count: c.end - c.start };
});

/** Count and sum of the rows in [start, end) whose value lies in [min, max]. */
export const filter = task((c) => {
  const v = c.array.view();
  const { min, max } = c.args;
  let n = 0;
  let s = 0;
  for (let i = c.start; i < c.end; i++) {
    const x = v[i];
    if (x >= min && x <= max) {
      n++;
      s += x;
    }
  }
  return { count: n, sum: s };
});

/**
 * The k largest rows of [start, end), largest first. The candidates live in
 * this task's native stack frame (`stack`, a StackAllocatedPointer): k indices
 * and k values, a min-heap with no JS allocation per row. The frame is popped
 * when the task returns, so the result is copied out as plain arrays.
 */
export const topk = task((c, stack) => {
  const v = c.array.view();
  const k = Math.min(c.args.k, c.end - c.start);
  const frame = stackBytes(stack, k * 16);
  const vals = new Float64Array(frame.buffer, frame.byteOffset, k);
  const idx = new Float64Array(frame.buffer, frame.byteOffset + k * 8, k);
  let n = 0;
  for (let i = c.start; i < c.end; i++) {
    const x = v[i];
    if (n < k) {
      // push, sift up
      let j = n++;
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (vals[p] <= x) break;
        vals[j] = vals[p];
        idx[j] = idx[p];
        j = p;
      }
      vals[j] = x;
      idx[j] = i;
    } else if (x > vals[0]) {
      // replace the root, sift down
      let j = 0;
      for (;;) {
        const l = 2 * j + 1;
        if (l >= k) break;
        const r = l + 1;
        const m = r < k && vals[r] < vals[l] ? r : l;
        if (vals[m] >= x) break;
        vals[j] = vals[m];
        idx[j] = idx[m];
        j = m;
      }
      vals[j] = x;
      idx[j] = i;
    }
  }
  const out = [];
  for (let j = 0; j < n; j++) out.push({ index: idx[j], value: vals[j] });
  return out.sort((a, b) => b.value - a.value || a.index - b.index);
});

/** The first `bytes` bytes of the task's frame, viewed through the heap (addresses are real heap addresses). */
function stackBytes(stack, bytes) {
  if (stack === null) throw new Error('topk needs a stack frame (run it with stack > 0)');
  if (bytes > stack.size) throw new RangeError(`topk: k too large for the frame (${bytes} > ${stack.size} bytes)`);
  return new Uint8Array(heap.buffer, stack.address - heap.base, bytes);
}
