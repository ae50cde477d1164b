// The demo (`pnpm demo`, after the build): starts the example service
// (examples/service) on 127.0.0.1, which loads 4M float64 rows into the
// shared heap; drives a bounded burst of HTTP queries at it; checks a few
// answers against a direct computation on the main thread; prints the answers
// and latency percentiles; stops the service and checks the heap.
import { heap } from '../packages/native/dist/index.js';
import { startService } from './service/server.mjs';

const ROWS = Number(process.env.DEMO_ROWS ?? 4_000_000);
const REQUESTS = Number(process.env.DEMO_REQUESTS ?? 400);
const CONCURRENCY = 8;

const t0 = performance.now();
const service = await startService({ rows: ROWS });
console.log(`service on ${service.url}: ${ROWS.toLocaleString('en')} float64 rows (${((ROWS * 8) / 2 ** 20).toFixed(1)} MiB of heap) ` +
  `loaded by ${service.pool.threads.length} workers in ${service.loadMs.toFixed(0)} ms`);

const get = async (path) => {
  const res = await fetch(service.url + path);
  const body = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${body.error}`);
  return body;
};

// A few answers, checked against the main thread reading the same memory.
const view = service.data.view();
const direct = (from, to, pred = () => true) => {
  let n = 0;
  let s = 0;
  for (let i = from; i < to; i++) if (pred(view[i])) (n++, (s += view[i]));
  return { n, s };
};
const close = (a, b) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
const checks = [];
{
  const r = await get('/sum');
  const d = direct(0, ROWS);
  checks.push(['sum of all rows', r.sum.toFixed(2), close(r.sum, d.s) && r.count === ROWS]);
}
{
  const r = await get('/filter?min=250&max=500&from=1000&to=3000000');
  const d = direct(1000, 3_000_000, (x) => x >= 250 && x <= 500);
  checks.push(['rows in [250, 500] of [1000, 3M)', r.count, r.count === d.n && close(r.sum, d.s)]);
}
{
  const r = await get('/topk?k=5');
  const sorted = Float64Array.from(view).sort().reverse().subarray(0, 5);
  checks.push(['top 5', r.top.map((t) => `#${t.index}=${t.value}`).join(' '), r.top.every((t, j) => t.value === sorted[j] && view[t.index] === t.value)]);
}
{
  const r = await get('/row?i=123456');
  checks.push(['row 123456', r.value, r.value === view[123456]]);
}
for (const [what, value, ok] of checks) console.log(`  ${ok ? 'ok ' : 'BAD'} ${what}: ${value}`);

// The burst: REQUESTS queries, CONCURRENCY at a time, mixed routes over random ranges.
let seed = 42;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const queries = Array.from({ length: REQUESTS }, (_, i) => {
  const from = Math.floor(rand() * ROWS * 0.5);
  const to = from + Math.floor(rand() * (ROWS - from));
  const lo = Math.floor(rand() * 900);
  return [
    `/sum?from=${from}&to=${to}`,
    `/filter?min=${lo}&max=${lo + 50}&from=${from}&to=${to}`,
    `/topk?k=${1 + (i % 20)}&from=${from}&to=${to}`,
  ][i % 3];
});
const latencies = { sum: [], filter: [], topk: [] };
const all = [];
let next = 0;
const tBurst = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < queries.length) {
      const q = queries[next++];
      const t = performance.now();
      await get(q);
      const ms = performance.now() - t;
      latencies[q.slice(1, q.indexOf('?'))].push(ms);
      all.push(ms);
    }
  }),
);
const burstMs = performance.now() - tBurst;

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const row = (name, xs) =>
  `  ${name.padEnd(7)} ${String(xs.length).padStart(5)} ${[50, 90, 99].map((p) => pct(xs, p).toFixed(1).padStart(7)).join('')}${Math.max(...xs).toFixed(1).padStart(8)}`;
console.log(`\n${REQUESTS} requests, ${CONCURRENCY} at a time: ${burstMs.toFixed(0)} ms, ${((REQUESTS / burstMs) * 1000).toFixed(0)} req/s`);
console.log('  route    reqs  p50 ms  p90 ms  p99 ms  max ms');
for (const [name, xs] of Object.entries(latencies)) console.log(row(name, xs));
console.log(row('all', all));

const stats = await get('/stats');
console.log(`\npool: ${stats.pool.completed} tasks on ${stats.pool.threads} workers; task run time p50 ${stats.pool.runTimeMs.p50} ms, ` +
  `p99 ${stats.pool.runTimeMs.p99} ms; queue wait p50 ${stats.pool.waitTimeMs.p50} ms`);
console.log(`heap: ${(stats.heap.used / 2 ** 20).toFixed(1)} MiB used in ${stats.heap.blocks} blocks, ${stats.heap.threads} live threads`);

await service.close();
heap.check();
console.log(`\nservice stopped, heap.check() passed; ${((performance.now() - t0) / 1000).toFixed(1)} s in all`);
if (checks.some(([, , ok]) => !ok)) process.exitCode = 1;
