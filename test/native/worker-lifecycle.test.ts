// Workers come and go: terminate() while blocked in Atomics.wait, a normal
// exit, and a process that exits while workers still run. The heap outlives
// every worker, and the main thread keeps allocating with a sound heap after.
import test from 'ava';
import { Agent, CRASH, I32, fixture, heap, runNode, sleep, verify, wordOf } from './_helpers.ts';

const slotState = (slot: number): string | undefined => heap.stats().threads.find((s) => s.slot === slot)?.state;

function allocateLots(t: { is: (a: unknown, b: unknown, m?: string) => void }, rounds = 20_000): void {
  const before = heap.stats();
  const blocks: number[] = [];
  for (let i = 0; i < rounds; i++) blocks.push(heap.malloc((i * 7919) % 3000));
  blocks.push(heap.malloc(300_000), heap.malloc(2_000_000));
  heap.check();
  for (const a of blocks) heap.free(a);
  heap.check();
  const after = heap.stats();
  t.is(after.used, before.used, 'used bytes back to where they were');
  t.is(after.blocks, before.blocks);
}

test.serial('terminate() ends a worker blocked in Atomics.wait; main keeps allocating and check() passes', async (t) => {
  const a = await Agent.start();
  const cells = heap.calloc(2, 16); // [flag .. ] [wait word ..]
  const waiting = a.call('waitForever', cells, cells + 16).catch((e: Error) => e);
  const end = Date.now() + 10_000;
  while (Atomics.load(I32, wordOf(cells)) === 0 && Date.now() < end) await sleep(2);
  t.is(Atomics.load(I32, wordOf(cells)), 1, 'the worker is about to wait');
  await sleep(50); // it is inside Atomics.wait now
  t.is(slotState(a.info.slot), 'live');
  const started = Date.now();
  const code = await a.worker.terminate();
  t.is(code, 1, 'terminate() resolves with exit code 1');
  t.true(Date.now() - started < 5000, 'the wait did not hold the termination up');
  t.true((await waiting) instanceof Error, 'the pending call failed: the worker is gone');
  t.is(a.error, undefined, 'no error event');
  const state = slotState(a.info.slot);
  t.true(state === 'dead' || state === undefined, `its slot is released (state ${state})`);
  t.is(I32[wordOf(cells) + 4], 0, 'the wait word is untouched');
  allocateLots(t);
  heap.free(cells);
  heap.check();
});

test.serial('a worker that ends normally exits with code 0; its blocks outlive it and main frees them', async (t) => {
  const a = await Agent.start();
  const before = heap.stats();
  const small = await a.call<number>('malloc', 500);
  const large = await a.call<number>('malloc', 400_000);
  await a.call('fill', small, 500, 1);
  await a.call('fill', large, 400_000, 2);
  await a.call('leave');
  t.is(await a.exited, 0, 'the worker ended on its own with exit code 0');
  t.is(a.error, undefined);
  t.is(slotState(a.info.slot) ?? 'dead', 'dead', 'its slot is dead (or already adopted)');
  // Memory of a dead thread is still there, with its contents.
  t.is(verify(small, 500, 1), 0);
  t.is(verify(large, 400_000, 2), 0);
  t.true(heap.usableSize(small) >= 500);
  heap.free(small);
  heap.free(large);
  const after = heap.stats();
  t.is(after.used, before.used);
  t.is(after.blocks, before.blocks);
  heap.check();
  allocateLots(t);
});

test.serial('many short-lived workers in a row: slots are recycled, the heap stays sound', async (t) => {
  const slots = new Set<number>();
  for (let round = 0; round < 6; round++) {
    const agents = await Promise.all([Agent.start(), Agent.start()]);
    for (const a of agents) {
      slots.add(a.info.slot);
      const blocks = await a.call<number[]>('mallocMany', [16, 100, 1000, 5000, 70_000, 200_000]);
      // Half freed by the worker itself, half left for main to free after it is gone.
      await a.call('freeMany', blocks.slice(0, 3));
      await (round % 2 ? a.close() : a.worker.terminate());
      for (const b of blocks.slice(3)) heap.free(b);
    }
  }
  heap.check();
  const dead = heap.stats().threads.filter((s) => s.state === 'dead').length;
  t.true(dead <= 12, `${dead} dead slots`);
  allocateLots(t, 5000);
  t.true(slots.size >= 2);
});

for (const mode of ['exit', 'return'] as const) {
  test(`the process ends cleanly while workers still run (${mode === 'exit' ? 'process.exit(0)' : 'main returns, workers unref-ed'})`, async (t) => {
    const r = await runNode(fixture('exit-with-workers.mjs'), { args: [mode] });
    t.regex(r.stdout, /"running":true/, 'the workers were running when the process ended');
    t.is(r.signal, null, `no signal (stderr: ${r.stderr})`);
    t.is(r.code, 0, `exit code 0 (stderr: ${r.stderr})`);
    t.notRegex(r.stderr, CRASH);
  });
}
