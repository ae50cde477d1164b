// measureLoop for tight in-process loops whose body is a few nanoseconds.
//
// measureLoop calls `run(n)` only some twenty times, with ever larger n, so V8
// may spend the whole run in on-stack-replacement (OSR) code of the loop and
// never optimize `run` as a function: whether it does depends on background
// compile timing, and the two outcomes differ up to 5x for the same loop (seen
// on int32 move/deref: 0.85 vs 4.4 ns/op, run to run). Calling `run` many times
// with a small n first gets it optimized as a function, every time, before
// measureLoop's own warm-up.
import { measureLoop, nowNs } from './measure.mjs';

export function measureHot(run, settings, { calls = 2000, n = 64 } = {}) {
  // At most warmupMs of this (slow bodies get enough calls from measureLoop itself).
  const deadline = nowNs() + settings.warmupMs * 1e6;
  for (let k = 0; k < calls && (k & 63 || nowNs() < deadline); k++) run(n);
  return measureLoop(run, settings);
}
