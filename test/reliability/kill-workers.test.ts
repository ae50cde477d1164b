// Workers terminated at random points while they allocate, free, free other
// threads' blocks and work inside (nested) native frames: the survivors keep
// working without a pause, every byte the survivors rely on is intact,
// heap.check() passes, dead threads' stack segments go back to the heap, the
// heap stays usable; and a @ptr/worker pool whose runs are aborted mid-task
// (piscina terminates the worker) keeps serving runs. Every wait is bounded.
// PTR_SEED replays the kill schedule.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createPool } from '../../packages/worker/dist/index.js';
import * as core from '../../packages/core/dist/index.js';
import { I32, heap, rng, seedFrom, sleep, until, withTimeout } from './_helpers.ts';

const killWorker = fileURLToPath(new URL('../fixtures/reliability/kill-worker.mjs', import.meta.url));
const PHASES = ['idle', 'allocating', 'freeing', 'remote free', 'in a frame', 'realloc', 'core pointers'];
const CAP = 64;
const ringBytes = 16 + 8 * CAP + 8 * CAP;

test.serial('threads terminated at random points: survivors keep working, heap.check() passes, segments come back', async (t) => {
  t.timeout(120_000);
  const seed = seedFrom('PTR_SEED');
  const r = rng(seed);
  t.log(`seed ${seed} (replay: PTR_SEED=${seed})`);
  const LANES = 2;
  const ROUNDS = 8; // per lane
  const control = new SharedArrayBuffer(4 * 16);
  const ctl = new Int32Array(control);
  const toVictim = Array.from({ length: LANES }, () => new SharedArrayBuffer(ringBytes));
  const fromVictim = Array.from({ length: LANES }, () => new SharedArrayBuffer(ringBytes));
  heap.check();

  const survivor = new Worker(killWorker, { workerData: { role: 'survivor', seed, control, slot: 0, toVictim, fromVictim, cap: CAP } });
  const survivorDone = withTimeout(
    new Promise<any>((resolve, reject) => {
      survivor.once('message', resolve);
      survivor.once('error', reject);
    }),
    110_000,
    'the survivor to report',
  );
  await until(() => Atomics.load(ctl, 1) > 0, 20_000, 'the survivor to start');

  const killedIn: Record<string, number> = {};
  const deadSlots: number[] = [];
  const lane = async (l: number): Promise<void> => {
    for (let round = 0; round < ROUNDS; round++) {
      Atomics.store(ctl, 12 + l, 0);
      Atomics.store(ctl, 8 + l, 0);
      const v = new Worker(killWorker, {
        workerData: { role: 'victim', seed: (seed + l * 1000 + round) | 0, control, slot: l, toVictim: toVictim[l], fromVictim: fromVictim[l], cap: CAP },
      });
      v.on('error', () => {});
      await until(() => Atomics.load(ctl, 12 + l) === 1, 20_000, `victim ${l}/${round} to start`);
      // random point: after some operations and a random delay
      await until(() => Atomics.load(ctl, 8 + l) >= 64, 20_000, `victim ${l}/${round} to do some work`);
      await sleep(Math.floor(r() * 120));
      const phase = PHASES[Atomics.load(ctl, 4 + l)] ?? '?';
      const slotBefore = heap.stats().threads.map((s) => s.slot);
      const code = await withTimeout(v.terminate(), 10_000, `terminate() of victim ${l}/${round}`);
      t.is(code, 1, 'terminated');
      killedIn[phase] = (killedIn[phase] ?? 0) + 1;
      void slotBefore;
      // the survivor keeps going
      const ops = Atomics.load(ctl, 1);
      await until(() => Atomics.load(ctl, 1) > ops, 10_000, `the survivor to keep working after kill ${l}/${round}`);
    }
  };
  await withTimeout(Promise.all(Array.from({ length: LANES }, (_, l) => lane(l))), 100_000, 'the kill rounds');
  t.log(`killed ${LANES * ROUNDS} threads while: ${Object.entries(killedIn).map(([k, n]) => `${k} ${n}`).join(', ')}`);

  // stop the survivor; it checks and frees what it holds and what victims left in its inboxes
  Atomics.store(ctl, 0, 1);
  const s = await survivorDone;
  await withTimeout(new Promise((res) => survivor.once('exit', res)), 20_000, 'the survivor to exit');
  t.log(`survivor: ${s.ops} operations, ${s.remoteFrees} frees of victims' blocks, ${s.corruptions} corruptions`);
  t.deepEqual(s.errors, []);
  t.is(s.corruptions, 0);
  t.true(s.ops > 1000);

  // Blocks the survivor sent that no victim took are freed here (the victims are gone: the rings have no consumer).
  for (const sab of toVictim) {
    const rc = new Int32Array(sab, 0, 4);
    const addr = new Float64Array(sab, 16, CAP);
    for (let tail = Atomics.load(rc, 1); tail < Atomics.load(rc, 0); tail++) heap.free(addr[tail % CAP]!);
    Atomics.store(rc, 1, Atomics.load(rc, 0));
  }

  heap.check();
  const st = heap.stats();
  for (const th of st.threads) if (th.state === 'dead') t.is(th.stack, 0, `dead slot ${th.slot} gave its stack segment back`);
  deadSlots.push(...st.threads.filter((th) => th.state === 'dead').map((th) => th.slot));
  t.log(`${deadSlots.length} dead slots wait for adoption`);

  // the heap is fully usable: allocate and free a lot (adopting the dead threads' pages), check again
  const blocks: number[] = [];
  for (let i = 0; i < 40_000; i++) blocks.push(heap.malloc((i * 37) % 1500));
  heap.check();
  for (const a of blocks) heap.free(a);
  core.acquireStackAlloc(4096, (sp) => sp.move('frames still work'));
  heap.check();
});

test.serial('pool runs aborted mid-task (allocating, in frames): the pool keeps serving, heap.check() passes', async (t) => {
  t.timeout(120_000);
  const seed = seedFrom('PTR_SEED');
  const r = rng(seed ^ 77);
  const pool = createPool({ filename: new URL('../fixtures/reliability/tasks.mjs', import.meta.url), maxThreads: 2, minThreads: 1, stack: 8192 });
  const poolErrors: unknown[] = [];
  pool.on('error', (e: unknown) => poolErrors.push(e));
  try {
    const cells = core.calloc(16, core.int32);
    let aborted = 0;
    let served = 0;
    for (let round = 0; round < 8; round++) {
      const cell = cells.at(round);
      cell.move(0);
      const ac = new AbortController();
      const victim = pool.run({ cell: cell.address }, { name: 'churn', signal: ac.signal }).then(
        () => 'finished',
        (e: Error) => e.name,
      );
      await until(() => cell.deref() !== 0, 20_000, `churn run ${round} to start`);
      await sleep(Math.floor(r() * 60));
      ac.abort();
      const outcome = await withTimeout(victim, 20_000, `aborted run ${round} to settle`);
      t.is(outcome, 'AbortError', `run ${round} was aborted`);
      aborted++;
      // the pool still serves: pointer arguments both ways, frames
      const blocks = await withTimeout(pool.run<{ p: any; seed: number; len: number }[]>({ n: 5, seed: round }, { name: 'allocate' }), 20_000, 'an allocate run after an abort');
      for (const b of blocks) core.free(b.p);
      const bad = await withTimeout(pool.run<number>({ seed: round, depth: 3 }, { name: 'frameWork' }), 20_000, 'a frameWork run after an abort');
      t.is(bad, 0);
      served += 2;
    }
    core.free(cells);
    t.log(`${aborted} runs aborted mid-task, ${served} runs served after them`);
  } finally {
    await withTimeout(pool.close(), 30_000, 'pool.close()').catch(() => pool.destroy());
  }
  t.deepEqual(poolErrors, []);
  heap.check();
  for (const th of heap.stats().threads) if (th.state === 'dead') t.is(th.stack, 0, `dead slot ${th.slot} gave its stack segment back`);
  void I32;
});
