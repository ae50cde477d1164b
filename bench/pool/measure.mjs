// Timing of async pool operations, interleaved: in each sample every operation
// gets ~sampleMs of calls, spread evenly among the other operations' calls
// (A B A B A C ...), each call timed, so all of them see the same machine
// conditions at a fine grain. This matters on this VM: a round trip to a
// worker takes ~15 us or ~80 us (most likely: whether the worker's idle vCPU
// had to be woken through the hypervisor), in phases lasting seconds, for any
// pool. Also records the CPU time other processes used meanwhile (from
// /proc/stat); alternateRetrying measures again when they kept the CPUs busy.
import { median, nowNs, summarize } from '../lib/measure.mjs';
import { cpuTicks, othersBusy } from '../lib/threads.mjs';

/** Other processes may keep at most this many CPUs busy (median over a measurement's samples). */
export const BUSY = 0.25;

async function timeOne(op) {
  const t0 = nowNs();
  await op();
  return nowNs() - t0;
}

/**
 * ops: { [key]: { op: async () => void, per?: operations per op() call } }.
 * Warms each op up (at least `warmupMs` and `minWarmup` calls), then returns
 * { [key]: calls per sample } such that each op gets ~`sampleMs` per sample.
 */
export async function calibrate(ops, { sampleMs, warmupMs, minWarmup = 3 }) {
  const k = {};
  for (const key of Object.keys(ops)) {
    const { op } = ops[key];
    const start = nowNs();
    const times = [];
    for (let i = 0; i < minWarmup || nowNs() - start < warmupMs * 1e6; i++) times.push(await timeOne(op));
    k[key] = Math.max(1, Math.round((sampleMs * 1e6) / median(times.slice(-Math.max(3, times.length >> 1)))));
  }
  return k;
}

/** One sample's call order: each op's k calls spread evenly over the sample, the ops' phases rotated per sample. */
function schedule(keys, k, r) {
  const calls = [];
  keys.forEach((key, x) => {
    const shift = ((x + r) % keys.length) / keys.length;
    for (let i = 0; i < k[key]; i++) calls.push({ x, i, at: (i + shift) / k[key] });
  });
  return calls.sort((a, b) => a.at - b.at);
}

/** Samples of at least this many calls use their fastest tenth (below). */
export const FAST_TENTH_MIN = 20;

/**
 * `reps` samples; in each, every op is called k[key] times, the calls of all
 * ops interleaved evenly. A sample's figure is, when every op has k >=
 * FAST_TENTH_MIN, the 10th percentile of its calls, else (or with fastTenth:
 * false) the mean. The 10th percentile is the pool's own cost: a call whose
 * worker had to be woken on an idle vCPU costs ~65 us more here, and a pool may
 * stay in that state for seconds, so means of short calls say more about the VM
 * than about the pool. Returns { [key]: { median, min, max, samples (ns per
 * operation), mean (the same summary of the samples' means), stat, others,
 * othersPerRep, iters } }.
 */
export async function alternate(ops, k, { reps, fastTenth = true }) {
  const keys = Object.keys(ops);
  // One statistic for the whole workload, so that its rows compare like with like.
  const stat = fastTenth && keys.every((key) => k[key] >= FAST_TENTH_MIN) ? 'p10' : 'mean';
  const samples = Object.fromEntries(keys.map((key) => [key, []]));
  const means = Object.fromEntries(keys.map((key) => [key, []]));
  const others = [];
  for (let r = 0; r < reps; r++) {
    const times = keys.map((key) => new Float64Array(k[key]));
    const before = cpuTicks();
    for (const { x, i } of schedule(keys, k, r)) times[x][i] = await timeOne(ops[keys[x]].op);
    const busy = othersBusy(before, cpuTicks());
    if (busy !== null) others.push(busy);
    keys.forEach((key, x) => {
      const n = k[key];
      const per = ops[key].per ?? 1;
      const t = times[x].sort();
      const mean = t.reduce((a, b) => a + b, 0) / n / per;
      means[key].push(mean);
      samples[key].push(stat === 'p10' ? t[Math.floor(n / 10)] / per : mean);
    });
  }
  const o = others.length ? +median(others).toFixed(2) : null;
  const perRep = others.map((x) => +x.toFixed(2));
  return Object.fromEntries(
    keys.map((key) => [
      key,
      { ...summarize(samples[key]), mean: summarize(means[key]), stat, iters: k[key], others: o, othersPerRep: perRep },
    ]),
  );
}

/**
 * calibrate() once, then alternate(), measured again (up to `attempts` times,
 * while `budget()` allows) when other processes kept more than BUSY CPUs busy;
 * keeps the least disturbed attempt. Adds `attempts` to every result.
 */
export async function alternateRetrying(ops, settings, { attempts = 3, log = () => {}, label = '', budget = () => true } = {}) {
  const k = await calibrate(ops, settings);
  let best;
  let n = 0;
  while (n < attempts) {
    n++;
    const r = await alternate(ops, k, settings);
    const busy = Object.values(r)[0].others ?? 0;
    if (!best || busy < best.busy) best = { r, busy };
    if (busy <= BUSY || n >= attempts) break;
    if (!budget()) {
      log(`${label}: other processes kept ${busy.toFixed(2)} CPUs busy; no time left to measure again`);
      break;
    }
    log(`${label}: other processes kept ${busy.toFixed(2)} CPUs busy; measuring again`);
  }
  for (const x of Object.values(best.r)) x.attempts = n;
  return best.r;
}
