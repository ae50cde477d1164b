// Timing: warm-up, calibrated batches, N repetitions, median.

export const nowNs = () => Number(process.hrtime.bigint());

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length & 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** { median, min, max, samples } of per-op figures (ns/op). */
export function summarize(samples) {
  return {
    median: median(samples),
    min: Math.min(...samples),
    max: Math.max(...samples),
    samples: samples.map((x) => +x.toPrecision(6)),
  };
}

/** Timing settings of a run: full (default) or --quick (smoke test). */
export function settings(quick) {
  return quick
    ? { quick, warmupMs: 30, sampleMs: 15, reps: 3 }
    : { quick, warmupMs: 300, sampleMs: 100, reps: 7 };
}

/**
 * Times `run(n)`, which must perform n operations (the loop lives inside `run`
 * so the operation itself gets inlined). Warm-up: doubles n until one batch takes
 * a quarter of a sample and at least `warmupMs` have passed (the JIT has settled);
 * then `reps` batches of ~`sampleMs` each. Returns ns/op per batch and the median.
 */
export function measureLoop(run, { warmupMs, sampleMs, reps }) {
  const start = nowNs();
  const quarter = (sampleMs * 1e6) / 4;
  let n = 16;
  let t;
  for (;;) {
    const t0 = nowNs();
    run(n);
    t = nowNs() - t0;
    if (t < quarter) n *= 2;
    else if (nowNs() - start >= warmupMs * 1e6) break;
  }
  const iters = Math.max(1, Math.round((n * sampleMs * 1e6) / t));
  const samples = [];
  for (let r = 0; r < reps; r++) {
    const t0 = nowNs();
    run(iters);
    samples.push((nowNs() - t0) / iters);
  }
  return { ...summarize(samples), iters };
}
