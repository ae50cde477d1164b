// The per-thread page pool and its native companions: empty spans a thread keeps
// (split and merged), given back when the thread ends; and ownedSpans(), which a
// thread taking over a dead thread's slot uses to find the spans it inherits.
import test from 'ava';
import { native as addon } from '../../packages/native/dist/addon.js';
import { Worker } from 'node:worker_threads';
import { Agent, I32, fixture, heap, native, sleep } from './_helpers.ts';

const L = native.layout;

/** First units of the spans this thread's slot owns, walking every span. */
function ownedByWalk(slot: number): number[] {
  const out: number[] = [];
  for (let u = I32[L.H_FIRST_DATA_UNIT]!; u < I32[L.H_UNITS]!; ) {
    const d = L.descOf(u);
    const k = I32[d + L.D_KIND]!;
    const len = I32[d + (k === L.K_FREE ? L.D_INFO : L.D_SIZE)]!;
    if ((k === L.K_SMALL || k === L.K_RELEASING) && I32[d + L.D_OWNER] === slot) out.push(u);
    u += len;
  }
  return out;
}

/** Pooled spans of this thread: [first unit, units]. */
const pooledSpans = (): [number, number][] =>
  ownedByWalk(heap.slot)
    .filter((u) => I32[L.descOf(u) + L.D_KIND] === L.K_RELEASING && I32[L.descOf(u) + L.D_FREELIST] === L.POOLED)
    .map((u) => [u, I32[L.descOf(u) + L.D_SIZE]!]);
const unitsIn = (spans: [number, number][]): number => spans.reduce((a, [, n]) => a + n, 0);

test.serial('pooled spans are split for smaller pages and merged when they come back', (t) => {
  const before = unitsIn(pooledSpans());
  // 32 KiB blocks: one-block pages of 9 units, side by side.
  const big = Array.from({ length: 64 }, () => heap.malloc(32 * 1024));
  for (const a of big) heap.free(a);
  const afterBig = pooledSpans();
  t.true(unitsIn(afterBig) >= before + 64 * 9 - 9, 'the emptied pages are pooled');
  t.true(afterBig.length < 64, `adjacent pooled pages merged (${afterBig.length} spans)`);
  heap.check(); // the pool's own lists agree with the descriptors
  // 12 KiB - 16 B blocks: 3-unit pages (the page's 16-byte header included), split off the pooled spans.
  const small = Array.from({ length: 64 }, () => heap.malloc(3 * 4096 - 16));
  t.is(unitsIn(pooledSpans()), unitsIn(afterBig) - 64 * 3, 'the new pages came out of the pool');
  heap.check();
  for (const a of small) heap.free(a);
  // All but the last one emptied, which stays its class's page for the next malloc (an idle page).
  t.is(unitsIn(pooledSpans()), unitsIn(afterBig) - 3, 'and went back to it');
  heap.check();
});

test.serial('ownedSpans() lists exactly the pages and pooled spans of this thread', (t) => {
  const blocks: number[] = [];
  for (let i = 0; i < 3000; i++) blocks.push(heap.malloc(16 + ((i * 7919) % 40_000)));
  for (let i = 0; i < blocks.length; i += 2) heap.free(blocks[i]!); // pages empty out into the pool
  const walked = ownedByWalk(heap.slot);
  t.true(walked.some((u) => I32[L.descOf(u) + L.D_KIND] === L.K_RELEASING), 'some spans are pooled');
  t.deepEqual([...addon.ownedSpans()].sort((a, b) => a - b), walked);
  for (let i = 1; i < blocks.length; i += 2) heap.free(blocks[i]!);
  heap.check();
});

test.serial('a thread that ends gives its pooled spans back at once', async (t) => {
  const committedBefore = heap.stats().committed;
  const a = await Agent.start();
  const sizes = Array.from({ length: 400 }, (_, i) => 9000 + ((i * 7919) % 50_000));
  const blocks = await a.call<number[]>('mallocMany', sizes);
  await a.call('freeMany', blocks);
  const slot = a.info.slot;
  const pooled = ownedByWalk(slot).filter((u) => I32[L.descOf(u) + L.D_KIND] === L.K_RELEASING);
  t.true(pooled.length > 0, 'the worker pooled the pages it emptied');
  await a.close();
  const left = ownedByWalk(slot).filter((u) => I32[L.descOf(u) + L.D_KIND] === L.K_RELEASING);
  t.deepEqual(left, [], 'no pooled span of the ended thread is left');
  // What stays resident is the span allocator's cache of free units (512 KiB), not the pool (up to 4 MiB).
  const grew = heap.stats().committed - committedBefore;
  t.true(grew <= 1024 * 1024, `committed grew by ${grew} bytes after the thread ended`);
  heap.check();
});

test.serial('threads terminated while they split and merge pooled spans leave a sound heap', async (t) => {
  t.timeout(60_000);
  const slotState = (slot: number): string | undefined => heap.stats().threads.find((th) => th.slot === slot)?.state;
  for (let round = 0; round < 8; round++) {
    const w = new Worker(fixture('pool-churn.mjs'));
    const slot = await new Promise<number>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await sleep(5 + ((round * 37) % 60));
    await w.terminate();
    // Its slot is released by its environment's cleanup, which may end just after terminate() does.
    for (const end = Date.now() + 10_000; slotState(slot) === 'live' && Date.now() < end; ) await sleep(2);
    t.not(slotState(slot), 'live', 'the terminated thread released its slot');
    heap.check();
  }
  // This thread adopts what the dead threads left (the pages of their live blocks) and keeps working.
  const mine = Array.from({ length: 500 }, (_, i) => heap.malloc(8193 + ((i * 7919) % 57000)));
  for (const a of mine) heap.free(a);
  heap.check();
  t.pass();
});
