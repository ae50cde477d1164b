// Double frees and other uses of freed blocks are FreedMemoryError (exactly),
// whether the first free happened in this thread or in another one, for small
// and large blocks; the heap is left as it was. free(0) does nothing.
import test from 'ava';
import { FreedMemoryError } from '../../packages/native/dist/index.js';
import { Agent, heap, throwsCleanly } from './_helpers.ts';

/** 64 KiB: sizes of three of these and more are large blocks (over 128 KiB). */
const BIG = 64 * 1024;

const usesOfFreed: [string, (a: number) => unknown][] = [
  ['free', (a) => heap.free(a)],
  ['realloc', (a) => heap.realloc(a, 32)],
  ['usableSize', (a) => heap.usableSize(a)],
  ['tagOf', (a) => heap.tagOf(a)],
];

test.serial('free(0) does nothing', (t) => {
  const before = heap.stats();
  t.notThrows(() => heap.free(0));
  t.notThrows(() => heap.free(-0));
  const after = heap.stats();
  t.is(after.used, before.used);
  t.is(after.blocks, before.blocks);
  heap.check();
});

test.serial('free gives the bytes back: stats().used and blocks return to where they were', (t) => {
  const before = heap.stats();
  const blocks = [heap.malloc(10), heap.malloc(1000), heap.malloc(100_000), heap.malloc(1_000_000)];
  t.is(heap.stats().blocks, before.blocks + 4);
  for (const a of blocks) heap.free(a);
  t.is(heap.stats().used, before.used);
  t.is(heap.stats().blocks, before.blocks);
  heap.check();
});

test.serial('double free of a small block, and any use of it after free', (t) => {
  for (const size of [0, 16, 100, 1024, 50_000, 128 * 1024]) {
    const keep = heap.malloc(size); // the page stays in use: the block is not released with it
    const a = heap.malloc(size);
    heap.free(a);
    for (const [name, use] of usesOfFreed) throwsCleanly(t, () => use(a), FreedMemoryError, `${name} after free (${size} bytes)`);
    heap.free(keep);
  }
});

test.serial('double free of a large block, and any use of it after free', (t) => {
  for (const size of [128 * 1024 + 1, 3 * BIG, 40 * BIG]) {
    const a = heap.malloc(size);
    heap.free(a);
    for (const [name, use] of usesOfFreed) throwsCleanly(t, () => use(a), FreedMemoryError, `${name} after free (${size} bytes)`);
  }
});

test.serial('free of a block that another thread freed already is FreedMemoryError (small and large)', async (t) => {
  const a = await Agent.start();
  try {
    for (const size of [24, 700, 70_000, 300_000]) {
      const keep = heap.malloc(size);
      const p = heap.malloc(size);
      await a.call('free', p); // the other thread frees main's block
      for (const [name, use] of usesOfFreed) throwsCleanly(t, () => use(p), FreedMemoryError, `${name} after a remote free (${size} bytes)`);
      heap.free(keep);
    }
    // The other way round: main frees a worker's block, the worker frees it again.
    for (const size of [24, 700, 70_000, 300_000]) {
      const p = await a.call<number>('malloc', size);
      heap.free(p);
      const e = await a.callError('free', p);
      t.is(e.name, 'FreedMemoryError', `worker: double free after main freed it (${size} bytes): ${e.message}`);
      t.true(e.exact, 'exactly the exported class');
      t.is(e.code, 'ERR_FREED_MEMORY');
      throwsCleanly(t, () => heap.free(p), FreedMemoryError, `main frees it again (${size} bytes)`);
    }
    // Freed by the worker itself, freed again by main.
    const q = await a.call<number>('malloc', 40);
    await a.call('free', q);
    throwsCleanly(t, () => heap.free(q), FreedMemoryError, 'double free of a worker-local free');
    await a.call('check');
  } finally {
    await a.close();
  }
  heap.check();
});
