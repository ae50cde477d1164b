// The example service: loads a dataset of float64 rows into the shared heap
// once, then answers HTTP queries with pooled tasks that receive the dataset as
// a pointer. Run it alone with `node examples/service/server.mjs` (after
// `pnpm build`), or through examples/demo.mjs.
//
//   GET /sum?from=&to=                 sum, count and mean of rows [from, to)
//   GET /filter?min=&max=[&from&to]    count and sum of rows with min <= value <= max
//   GET /topk?k=10[&from&to]           the k largest rows (index, value)
//   GET /row?i=                        one row, read on the main thread
//   GET /stats                         pool statistics and heap figures
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import { calloc, float64, free } from '../../packages/core/dist/index.js';
import { heap } from '../../packages/native/dist/index.js';
import { createPool } from '../../packages/worker/dist/index.js';

const TASKS = new URL('./tasks.mjs', import.meta.url);
const MAX_K = 1000;

class BadRequest extends Error {}

/**
 * Starts the service. Resolves once the dataset is loaded and the server
 * listens; `close()` stops the server, the pool, and frees the dataset.
 */
export async function startService({ rows = 4_000_000, port = 0, host = '127.0.0.1', threads = Math.max(2, availableParallelism()) } = {}) {
  const pool = createPool({ filename: TASKS, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  // A worker that dies between tasks is replaced by piscina; without a listener the event would throw.
  pool.on('error', (e) => console.error('pool worker error:', e));
  const data = calloc(rows, float64); // rows × 8 bytes of the shared heap, one block
  const t0 = performance.now();
  await pool.parallelFor(data, { name: 'fill' });
  const loadMs = performance.now() - t0;
  pool.histogram.resetRunTime();
  pool.histogram.resetWaitTime();

  const range = (q) => {
    const from = int(q, 'from', 0);
    const to = int(q, 'to', rows);
    if (from < 0 || to > rows || from > to) throw new BadRequest(`need 0 <= from <= to <= ${rows}`);
    return [from, to];
  };

  const routes = {
    async '/sum'(q) {
      const parts = await pool.parallelFor(range(q), { name: 'sum', array: data });
      const sum = parts.reduce((a, p) => a + p.sum, 0);
      const count = parts.reduce((a, p) => a + p.count, 0);
      return { sum, count, mean: count ? sum / count : null };
    },
    async '/filter'(q) {
      const min = num(q, 'min', -Infinity);
      const max = num(q, 'max', Infinity);
      const parts = await pool.parallelFor(range(q), { name: 'filter', args: { min, max }, array: data });
      return { min, max, count: parts.reduce((a, p) => a + p.count, 0), sum: parts.reduce((a, p) => a + p.sum, 0) };
    },
    async '/topk'(q) {
      const k = int(q, 'k', 10);
      if (k < 1 || k > MAX_K) throw new BadRequest(`k must be 1..${MAX_K}`);
      const parts = await pool.parallelFor(range(q), { name: 'topk', args: { k }, array: data });
      const top = parts.flat().sort((a, b) => b.value - a.value || a.index - b.index).slice(0, k);
      return { k, top };
    },
    async '/row'(q) {
      const i = int(q, 'i', 0);
      if (i < 0 || i >= rows) throw new BadRequest(`i must be 0..${rows - 1}`);
      return { index: i, value: data.at(i).deref() };
    },
    async '/stats'() {
      const h = pool.histogram;
      const { reserved, committed, used, blocks, threads: th } = heap.stats();
      return {
        rows,
        loadMs,
        pool: {
          threads: pool.threads.length,
          completed: pool.completed,
          queueSize: pool.queueSize,
          runTimeMs: { p50: h.runTime.p50, p99: h.runTime.p99, max: h.runTime.max },
          waitTimeMs: { p50: h.waitTime.p50, p99: h.waitTime.p99, max: h.waitTime.max },
        },
        heap: { reserved, committed, used, blocks, threads: th.filter((t) => t.state === 'live').length },
      };
    },
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routes[url.pathname];
    let status = 200;
    let body;
    try {
      if (req.method !== 'GET') [status, body] = [405, { error: 'GET only' }];
      else if (!route) [status, body] = [404, { error: `no route ${url.pathname}` }];
      else body = await route(url.searchParams);
    } catch (e) {
      [status, body] = e instanceof BadRequest ? [400, { error: e.message }] : [500, { error: String(e) }];
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const address = server.address();

  return {
    url: `http://${host}:${address.port}`,
    rows,
    loadMs,
    pool,
    data,
    async close() {
      await new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      });
      await pool.close();
      free(data);
    },
  };
}

function int(q, name, fallback) {
  const s = q.get(name);
  if (s === null) return fallback;
  const n = Number(s);
  if (!Number.isInteger(n)) throw new BadRequest(`${name} must be an integer`);
  return n;
}

function num(q, name, fallback) {
  const s = q.get(name);
  if (s === null) return fallback;
  const n = Number(s);
  if (Number.isNaN(n)) throw new BadRequest(`${name} must be a number`);
  return n;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const service = await startService({ port: Number(process.env.PORT ?? 8080) });
  console.log(`@ptr example service on ${service.url}: ${service.rows} rows loaded in ${service.loadMs.toFixed(0)} ms`);
  const stop = () => service.close().then(() => process.exit(0));
  process.once('SIGINT', stop).once('SIGTERM', stop);
}
