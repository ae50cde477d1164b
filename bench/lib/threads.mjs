// Rows that run the same body on several worker threads at once.
//
// runThreads starts `threads` workers once and runs a schedule of repetitions:
// schedule[r] = how many workers (0..schedule[r]-1) take part in repetition r.
// Alternating [1, 2, 1, 2, ...] measures one worker alone and two at once under
// the same machine conditions (a sleeping worker costs no CPU).
//
// Protocol over a SharedArrayBuffer ctrl = Int32Array [GO, FAILED, then READY_r,
// DONE_r per repetition]: each worker runs its body once untimed (JIT warm-up)
// and posts 'warm'. Per repetition r a taking-part worker adds 1 to READY_r and
// sleeps until GO >= r; the main thread sets GO = r when all of them are ready,
// so they start within one wake-up (tens of µs). A worker times its body with
// process.hrtime (one monotonic clock for all threads) and adds 1 to DONE_r. The
// wall time of a repetition is the last end minus the first start.
import { readFileSync } from 'node:fs';
import { Worker, parentPort, workerData } from 'node:worker_threads';
import { median, summarize } from './measure.mjs';

const USER_HZ = 100;

/** Busy CPU time of the whole machine and of this process (all its threads), in ticks; null off Linux. */
export function cpuTicks() {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const self = readFileSync('/proc/self/stat', 'utf8');
    const f = self.slice(self.lastIndexOf(')') + 2).split(' ');
    return { machine: user + nice + system + irq + softirq + (steal || 0), self: Number(f[11]) + Number(f[12]), ns: Number(process.hrtime.bigint()) };
  } catch {
    return null;
  }
}

/** CPUs kept busy by other processes (or the hypervisor, as steal time) between two cpuTicks(). */
export function othersBusy(a, b) {
  if (!a || !b) return null;
  return Math.max(0, (b.machine - a.machine - (b.self - a.self)) / USER_HZ / ((b.ns - a.ns) / 1e9));
}

const GO = 0;
const FAILED = 1;
const READY = (r) => 2 + 2 * r;
const DONE = (r) => 3 + 2 * r;

/**
 * Starts `threads` workers of the module at `url` (which must call barrierLoop)
 * with `data` plus { index, threads, schedule }; returns per repetition its wall
 * ns and how many CPUs other processes kept busy meanwhile (`others`, from
 * /proc/stat at 10 ms resolution; null where unavailable).
 */
export async function runThreads(url, { threads, schedule, data = {}, timeoutMs = 300_000 }) {
  if (schedule.some((n) => !(n >= 1 && n <= threads))) throw new Error(`bad schedule ${schedule} for ${threads} threads`);
  const reps = schedule.length;
  const ctrlSab = new SharedArrayBuffer(4 * (2 + 2 * reps));
  const timesSab = new SharedArrayBuffer(8 * 2 * threads * reps);
  const ctrl = new Int32Array(ctrlSab);
  const errors = [];
  const workers = [];
  const warm = [];
  const exits = [];
  for (let index = 0; index < threads; index++) {
    const w = new Worker(url, { workerData: { ...data, index, threads, schedule, ctrlSab, timesSab } });
    w.on('error', (e) => errors.push(e));
    exits.push(new Promise((resolve) => w.once('exit', resolve)));
    warm.push(
      new Promise((resolve, reject) => {
        w.once('message', resolve);
        w.once('exit', (code) => reject(errors[0] ?? new Error(`worker ${index} exited (${code}) before it was ready`)));
      }),
    );
    workers.push(w);
  }
  const fail = async (e) => {
    Atomics.store(ctrl, FAILED, 1);
    Atomics.notify(ctrl, GO);
    await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 2000))]);
    await Promise.all(workers.map((w) => w.terminate()));
    throw errors[0] ?? e;
  };
  try {
    await Promise.all(warm);
  } catch (e) {
    await fail(e);
  }
  const deadline = Date.now() + timeoutMs;
  const others = [];
  try {
    for (let r = 0; r < reps; r++) {
      waitFor(ctrl, READY(r), schedule[r], deadline);
      const before = cpuTicks();
      Atomics.store(ctrl, GO, r + 1);
      Atomics.notify(ctrl, GO);
      waitFor(ctrl, DONE(r), schedule[r], deadline);
      others.push(othersBusy(before, cpuTicks()));
    }
  } catch (e) {
    await fail(e);
  }
  await Promise.all(exits);
  if (errors.length) throw errors[0];
  const times = new Float64Array(timesSab);
  return schedule.map((n, r) => {
    let start = Infinity;
    let end = -Infinity;
    for (let i = 0; i < n; i++) {
      start = Math.min(start, times[(r * threads + i) * 2]);
      end = Math.max(end, times[(r * threads + i) * 2 + 1]);
    }
    return { wall: end - start, others: others[r] };
  });
}

/** Blocks the main thread until ctrl[i] >= target (workers never need it meanwhile). */
function waitFor(ctrl, i, target, deadline) {
  for (;;) {
    const v = Atomics.load(ctrl, i);
    if (v >= target) return;
    if (Atomics.load(ctrl, FAILED)) throw new Error('a worker failed');
    if (Date.now() > deadline) throw new Error('timed out waiting for the workers');
    Atomics.wait(ctrl, i, v, 100);
  }
}

/** Worker side: warms up with `body()`, then runs it in each repetition it takes part in, between barriers. */
export function barrierLoop(body) {
  const { index, threads, schedule, ctrlSab, timesSab } = workerData;
  const ctrl = new Int32Array(ctrlSab);
  const times = new Float64Array(timesSab);
  try {
    body();
    parentPort.postMessage('warm');
    for (let r = 0; r < schedule.length; r++) {
      if (index >= schedule[r]) continue;
      Atomics.add(ctrl, READY(r), 1);
      Atomics.notify(ctrl, READY(r));
      for (;;) {
        const go = Atomics.load(ctrl, GO);
        if (go > r) break;
        if (Atomics.load(ctrl, FAILED)) throw new Error('another thread failed');
        Atomics.wait(ctrl, GO, go, 100);
      }
      const t0 = Number(process.hrtime.bigint());
      body();
      const t1 = Number(process.hrtime.bigint());
      times[(r * threads + index) * 2] = t0;
      times[(r * threads + index) * 2 + 1] = t1;
      Atomics.add(ctrl, DONE(r), 1);
      Atomics.notify(ctrl, DONE(r));
    }
  } catch (e) {
    Atomics.store(ctrl, FAILED, 1);
    Atomics.notify(ctrl, GO);
    for (let r = 0; r < schedule.length; r++) {
      Atomics.notify(ctrl, READY(r));
      Atomics.notify(ctrl, DONE(r));
    }
    throw e;
  }
}

/**
 * Runs an alternating schedule [1, 2, ..., 1, 2, ...] of `reps` pairs and splits it:
 * per thread count n, the ns per operation (aggregate: n * opsPerWorker
 * operations) and `others`: the median CPUs other processes used meanwhile.
 */
export async function scaling(url, { counts = [1, 2], reps, opsPerWorker, data }) {
  const schedule = Array.from({ length: reps }, () => counts).flat();
  const runs = await runThreads(url, { threads: Math.max(...counts), schedule, data: { ...data, ops: opsPerWorker } });
  const out = {};
  for (const n of counts) {
    const mine = runs.filter((_, i) => schedule[i] === n);
    const others = mine.map((x) => x.others).filter((x) => x !== null);
    out[n] = {
      ...summarize(mine.map((x) => x.wall / (n * opsPerWorker))),
      others: others.length ? +median(others).toFixed(2) : null,
      othersPerRep: others.map((x) => +x.toFixed(2)),
    };
  }
  return out;
}
