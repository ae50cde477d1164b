// A worker terminated while it allocates and frees in a tight loop may stop in
// the middle of any allocator operation. Nothing may wedge: other threads keep
// allocating, check() passes once the dead thread's pages are adopted, and the
// memory it held becomes reusable.
import test from 'ava';
import { Agent, I32, heap, native, sleep, wordOf } from './_helpers.ts';

const { descOf, D_KIND, D_OWNER, D_INFO, D_SIZE, K_SMALL, K_RELEASING, K_FREE, H_FIRST_DATA_UNIT, H_UNITS } = native.layout;

/** First units of the small pages owned by `slots`. */
function pagesOwnedBy(slots: Set<number>): number[] {
  const out: number[] = [];
  const units = I32[H_UNITS]!;
  for (let u = I32[H_FIRST_DATA_UNIT]!; u < units; ) {
    const d = descOf(u);
    const kind = I32[d + D_KIND]!;
    const len = kind === K_FREE ? I32[d + D_INFO]! : I32[d + D_SIZE]!;
    if ((kind === K_SMALL || kind === K_RELEASING) && slots.has(I32[d + D_OWNER]!)) out.push(u);
    u += Math.max(1, len);
  }
  return out;
}

async function churnAndKill(seed: number, flag: number, afterMs: number): Promise<{ slot: number; ops: number }> {
  const a = await Agent.start();
  a.call('churn', flag, seed).catch(() => {}); // never returns: the worker is terminated in the loop
  const end = Date.now() + 10_000;
  while (Atomics.load(I32, wordOf(flag)) === 0 && Date.now() < end) await sleep(1);
  await sleep(afterMs);
  const ops = Atomics.load(I32, wordOf(flag));
  const code = await a.worker.terminate();
  if (code !== 1) throw new Error(`terminate() gave exit code ${code}`);
  return { slot: a.info.slot, ops };
}

test.serial('workers terminated mid-allocation: others keep going, orphaned pages are adopted, check() passes', async (t) => {
  const flags = heap.calloc(8, 16);
  const survivor = await Agent.start();
  const survivorFlag = flags + 7 * 16;
  survivor.call('churn', survivorFlag, 99).catch(() => {});

  const killed: { slot: number; ops: number }[] = [];
  for (let i = 0; i < 6; i += 2) {
    // Two at a time, killed after 30..80 ms of churning.
    killed.push(
      ...(await Promise.all([churnAndKill(1000 + i, flags + i * 16, 30 + 10 * i), churnAndKill(2000 + i, flags + (i + 1) * 16, 50 + 5 * i)])),
    );
  }
  for (const k of killed) t.true(k.ops >= 1024, `worker in slot ${k.slot} was killed after ${k.ops} operations`);

  // The survivor was never held up.
  const before = Atomics.load(I32, wordOf(survivorFlag));
  await sleep(100);
  t.true(Atomics.load(I32, wordOf(survivorFlag)) > before, 'a live worker keeps allocating after the others were killed');
  t.is(await survivor.worker.terminate(), 1);

  // Killed workers' slots are dead, or already adopted: workers still running adopt orphans themselves.
  const threads = heap.stats().threads;
  t.deepEqual(threads.filter((s) => s.state === 'live').map((s) => s.slot), [heap.slot], 'only main is live');
  const deadSlots = new Set(threads.filter((s) => s.state === 'dead').map((s) => s.slot));
  t.true(deadSlots.has(survivor.info.slot), 'the survivor, killed last, left its slot dead');
  t.log(`${deadSlots.size} dead slots wait for adoption`);
  const orphanPages = pagesOwnedBy(deadSlots);
  t.true(orphanPages.length > 0, `${orphanPages.length} pages were left by the dead workers`);

  // Main allocates (sizes the workers used) until it has adopted the orphans.
  const blocks: number[] = [];
  for (let i = 0; i < 200_000 && heap.stats().threads.some((s) => s.state === 'dead'); i++) {
    for (let k = 0; k < 50; k++) blocks.push(heap.malloc((i * 50 + k) * 37 % 1100));
    if (i % 20 === 19) for (const a of blocks.splice(0, 500)) heap.free(a);
  }
  const dead = heap.stats().threads.filter((s) => s.state === 'dead');
  t.deepEqual(dead, [], 'no slot is left dead: main adopted their pages');
  const stillOrphaned = pagesOwnedBy(deadSlots).filter((u) => {
    const owner = I32[descOf(u) + D_OWNER]!;
    return owner !== heap.slot && deadSlots.has(owner) && !heap.stats().threads.some((s) => s.slot === owner && s.state === 'live');
  });
  t.deepEqual(stillOrphaned, [], 'every orphaned page has a live owner now');
  const mine = orphanPages.filter((u) => [K_SMALL, K_RELEASING].includes(I32[descOf(u) + D_KIND]!) && I32[descOf(u) + D_OWNER] === heap.slot);
  t.true(mine.length > 0, `main owns ${mine.length} of the ${orphanPages.length} adopted pages (the rest went back to the span allocator)`);
  heap.check();

  // The adopted memory is reusable: free everything main holds, allocate a lot again.
  for (const a of blocks) heap.free(a);
  heap.check();
  const used = heap.stats().used;
  const again = Array.from({ length: 50_000 }, (_, i) => heap.malloc((i * 53) % 1100));
  heap.check();
  for (const a of again) heap.free(a);
  heap.check();
  t.is(heap.stats().used, used, 'used bytes back after the second round');
  heap.free(flags);
});
