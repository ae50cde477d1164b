// The one summing loop of the pool rows: the @ptr tasks, the plain piscina
// tasks and the main-thread row all import it, so every side runs the same code.

/** Sum of v[start..end). */
export function sumF64(v, start, end) {
  let s = 0;
  for (let i = start; i < end; i++) s += v[i];
  return s;
}

/** Fills v with the pattern every side sums (exact in float64: small integers). */
export function fillPattern(v) {
  for (let i = 0; i < v.length; i++) v[i] = i & 1023;
}

/** The sum of fillPattern over n elements. */
export function patternSum(n) {
  const full = Math.floor(n / 1024);
  const rest = n % 1024;
  return full * ((1023 * 1024) / 2) + (rest * (rest - 1)) / 2;
}
