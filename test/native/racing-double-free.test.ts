// Two threads free the same blocks at the same moment (a racing double free,
// neither of them the owner): exactly one free of each block succeeds, the other
// gets FreedMemoryError, and no block is linked into a free list twice.
import test from 'ava';
import { Agent, I32, heap, sleep, wordOf } from './_helpers.ts';

interface RaceResult {
  freed: number;
  freedMemoryErrors: number;
  other: string[];
}

test.serial('two workers free the same blocks of main at once: each block is freed exactly once', async (t) => {
  const [a, b] = await Promise.all([Agent.start(), Agent.start()]);
  try {
    const base = heap.stats();
    for (let round = 0; round < 3; round++) {
      const go = heap.calloc(1, 16);
      const sizes = [16, 32, 64, 200, 1000, 4000];
      const blocks = Array.from({ length: 3000 }, (_, i) => heap.malloc(sizes[i % sizes.length]!));
      blocks.push(heap.malloc(200_000), heap.malloc(300_000), heap.malloc(1 << 20));
      const ra = a.call<RaceResult>('raceFree', go, blocks);
      const rb = b.call<RaceResult>('raceFree', go, [...blocks].reverse());
      await sleep(20);
      Atomics.store(I32, wordOf(go), 1);
      const [x, y] = await Promise.all([ra, rb]);
      t.deepEqual([...x.other, ...y.other], [], 'no error other than FreedMemoryError');
      t.is(x.freed + y.freed, blocks.length, `each block freed exactly once (${x.freed} + ${y.freed})`);
      t.is(x.freedMemoryErrors + y.freedMemoryErrors, blocks.length, 'and the other free of it was FreedMemoryError');
      heap.free(go);
      t.is(heap.stats().used, base.used, 'used back to baseline');
      t.is(heap.stats().blocks, base.blocks);
      heap.check();

      // Main collects the remote frees: every block comes back once, never twice.
      const again = Array.from({ length: 3 * blocks.length }, (_, i) => heap.malloc(sizes[i % sizes.length]!));
      t.is(new Set(again).size, again.length, 'no address is handed out twice');
      for (const p of again) heap.free(p);
      heap.check();
    }
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
