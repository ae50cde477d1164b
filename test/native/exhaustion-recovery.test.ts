// Allocating until the heap runs out gives AllocationError (exactly), the heap
// stays sound, and once everything is freed the same amount fits again. Runs in
// child processes with PTR_HEAP_SIZE=64m to stay fast.
import test from 'ava';
import { fixture, lastJson, runNode } from './_helpers.ts';

const MiB = 1024 * 1024;

async function scenario(name: string) {
  const r = await runNode(fixture('exhaust.mjs'), { env: { PTR_HEAP_SIZE: '64m' }, args: [name], timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`exhaust.mjs ${name} exited with ${r.code} ${r.signal}: ${r.stderr}`);
  return lastJson(r);
}

for (const [name, minBlocks, minUsed] of [
  ['large', 60, 60 * MiB], // 1 MiB blocks
  ['small', 58_000, 56 * MiB], // 1000-byte blocks (1 KiB class: 11 per 12 KiB page)
  ['tiny', 3_000_000, 48 * MiB], // 16-byte blocks
  ['mixed', 1000, 56 * MiB], // 0..8000 bytes, every 50th 200..700 KB
  ['calloc', 900, 56 * MiB], // calloc(16, 4096)
] as const) {
  test(`exhaustion with ${name} blocks: AllocationError, then everything freed fits again`, async (t) => {
    const r = await scenario(name);
    t.deepEqual(r.errors, [], 'AllocationError exactly at exhaustion; failed calloc/realloc left the heap and the block alone');
    t.is(r.size, 64 * MiB);
    const round = r.rounds[name];
    t.true(round.first >= minBlocks, `${round.first} blocks fit before exhaustion`);
    t.true(round.usedAtExhaustion >= minUsed, `${(round.usedAtExhaustion / MiB).toFixed(1)} MiB used at exhaustion`);
    t.is(round.usedAfterFree, 0, 'nothing used after freeing every block');
    t.is(round.blocksAfterFree, 0);
    t.true(round.second >= round.first * 0.98, `after freeing, ${round.second} blocks fit again (first time ${round.first})`);
    t.is(r.end.used, r.baseline.used);
    t.is(r.end.blocks, r.baseline.blocks);
    t.true(r.checks >= 5, 'heap.check() passed at exhaustion and after each free');
  });
}

test('a heap filled with small blocks takes large blocks again once they are freed', async (t) => {
  const r = await scenario('small-then-large');
  t.deepEqual(r.errors, []);
  t.deepEqual(r.rounds['small-then-large'].bigFits, [8, 4, 2], 'an eighth, a quarter and half of the heap fit');
});

test('a heap filled with blocks of many sizes takes large blocks again once all are freed', async (t) => {
  // With every block freed (used 0), a quarter and half of the heap must fit: empty
  // small pages must not stay pinned across the heap and fragment it.
  const r = await scenario('mixed-then-large');
  t.is(r.rounds['mixed-then-large'].usedAfterFree, 0);
  t.deepEqual(r.errors, []);
  t.deepEqual(r.rounds['mixed-then-large'].bigFits, [8, 4, 2], 'an eighth, a quarter and half of the heap fit');
});
