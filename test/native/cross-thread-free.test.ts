// Blocks freed by a thread other than the one that allocated them come back:
// stats().used returns to its baseline at once (remote frees are subtracted
// before the owner collects them), the owner reuses the memory once it
// collects, and its page count does not grow.
import test from 'ava';
import { Agent, fill, heap, verify } from './_helpers.ts';

const SIZES = [16, 48, 100, 256, 1000, 3000];
const N = 600;

const pagesOf = (slot: number): number => heap.stats().threads.find((s) => s.slot === slot)?.pages ?? 0;

test.serial('allocated in main, freed in a worker: used returns to baseline, main reuses the blocks', async (t) => {
  const agent = await Agent.start();
  try {
    const base = heap.stats();
    const blocks = Array.from({ length: N }, (_, i) => heap.malloc(SIZES[i % SIZES.length]!));
    blocks.forEach((a, i) => fill(a, SIZES[i % SIZES.length]!, i));
    const large = [heap.malloc(200_000), heap.malloc(1 << 20)];
    t.is(heap.stats().blocks, base.blocks + N + 2);
    const pagesBefore = pagesOf(heap.slot);

    // The worker reads them (same memory), then frees them all.
    t.is(await agent.call('verify', blocks[7], SIZES[7 % SIZES.length], 7), 0);
    await agent.call('freeMany', [...blocks, ...large]);
    const after = heap.stats();
    t.is(after.used, base.used, 'used bytes back to the baseline right after the remote frees');
    t.is(after.blocks, base.blocks, 'block count back to the baseline');
    heap.check();

    // Main allocates the same sizes again, one block at a time, until every
    // remotely freed block came back: it collects the remote frees and reuses
    // that memory instead of taking new pages.
    const again: number[] = [];
    let reused = 0;
    for (const size of SIZES) {
      const mine = new Set(blocks.filter((_, i) => SIZES[i % SIZES.length] === size));
      const want = mine.size;
      let got = 0;
      for (let i = 0; i < 20_000 && got < want; i++) {
        const a = heap.malloc(size);
        again.push(a);
        if (mine.delete(a)) got++;
      }
      t.is(got, want, `every remotely freed ${size}-byte block was handed out again`);
      reused += got;
    }
    t.is(reused, N);
    t.true(pagesOf(heap.slot) <= pagesBefore + SIZES.length, `main's pages: ${pagesBefore} -> ${pagesOf(heap.slot)}`);
    for (const a of again) heap.free(a);
    t.is(heap.stats().used, base.used);
    t.is(heap.stats().blocks, base.blocks);
    heap.check();
  } finally {
    await agent.close();
  }
});

test.serial('allocated in a worker, freed in main: used returns to baseline, the worker reuses the blocks', async (t) => {
  const agent = await Agent.start();
  try {
    const base = heap.stats();
    const sizes = Array.from({ length: N }, (_, i) => SIZES[i % SIZES.length]!);
    const blocks = await agent.call<number[]>('mallocMany', sizes);
    t.is(new Set(blocks).size, N);
    const large = await agent.call<number[]>('mallocMany', [300_000, 2_000_000]);
    t.is(heap.stats().blocks, base.blocks + N + 2);
    const slot = agent.info.slot;
    const pagesBefore = pagesOf(slot);
    t.true(pagesBefore > 0, 'the worker owns pages');

    for (const a of [...blocks, ...large]) heap.free(a);
    t.is(heap.stats().used, base.used, 'used back to baseline after main freed the worker’s blocks');
    t.is(heap.stats().blocks, base.blocks);
    heap.check();
    t.deepEqual(
      (await agent.call('stats')).used,
      heap.stats().used,
      'the worker computes the same figures',
    );

    const again: number[] = [];
    let reused = 0;
    for (const size of SIZES) {
      const mine = new Set(blocks.filter((_, i) => sizes[i] === size));
      const want = mine.size;
      let got = 0;
      for (let round = 0; round < 100 && got < want; round++) {
        const batch = await agent.call<number[]>('mallocMany', Array(20).fill(size));
        again.push(...batch);
        for (const a of batch) if (mine.delete(a)) got++;
      }
      t.is(got, want, `the worker handed out again every ${size}-byte block main freed`);
      reused += got;
    }
    t.is(reused, N);
    t.true(pagesOf(slot) <= pagesBefore + SIZES.length, `worker pages: ${pagesBefore} -> ${pagesOf(slot)}`);
    await agent.call('freeMany', again);
    t.is(heap.stats().used, base.used);
    t.is(heap.stats().blocks, base.blocks);
    heap.check();
  } finally {
    await agent.close();
  }
});

test.serial('two workers free each other’s blocks; contents were intact up to the free', async (t) => {
  const [a, b] = await Promise.all([Agent.start(), Agent.start()]);
  try {
    const base = heap.stats();
    const fromA = await a.call<number[]>('mallocMany', Array.from({ length: 300 }, (_, i) => 32 + (i % 50) * 16));
    const fromB = await b.call<number[]>('mallocMany', Array.from({ length: 300 }, (_, i) => 32 + (i % 50) * 16));
    for (let i = 0; i < 300; i++) {
      await a.call('fill', fromA[i], 32, i);
    }
    for (let i = 0; i < 300; i += 37) t.is(verify(fromA[i]!, 32, i), 0);
    await Promise.all([a.call('freeMany', fromB), b.call('freeMany', fromA)]);
    t.is(heap.stats().used, base.used);
    t.is(heap.stats().blocks, base.blocks);
    heap.check();
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
  heap.check();
});
