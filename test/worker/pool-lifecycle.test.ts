// Pool lifecycle and the piscina features that pass through: close, destroy,
// async dispose, queue limits, statistics and events.
import test from 'ava';
import { createPool, fixture } from './_helpers.ts';

test('close() lets running work finish, then runs are refused', async (t) => {
  const pool = createPool({ filename: fixture('faults.ts'), maxThreads: 1 });
  const running = pool.run<number>({ ms: 100 }, { name: 'sleep' });
  await new Promise((r) => setTimeout(r, 20));
  await pool.close();
  t.is(typeof (await running), 'number');
  t.true(pool.closed);
  await t.throwsAsync(pool.run(null, { name: 'whoami' }), { code: 'ERR_POOL_CLOSED' } as never);
});

test('destroy() rejects queued runs', async (t) => {
  const pool = createPool({ filename: fixture('faults.ts'), maxThreads: 1, minThreads: 1 });
  const runs = [0, 1, 2].map(() => pool.run({ ms: 200 }, { name: 'sleep' }).then(() => 'done', (e: Error) => e.message));
  await new Promise((r) => setTimeout(r, 50));
  await pool.destroy();
  const out = await Promise.all(runs);
  t.true(out.some((m) => m !== 'done'), `some runs were cut off: ${out.join(', ')}`);
});

test('await using closes the pool at scope end', async (t) => {
  let pool!: ReturnType<typeof createPool>;
  {
    await using p = createPool({ filename: fixture('basic.ts'), maxThreads: 1 });
    pool = p;
    t.is(await p.run({ a: 1, b: 1 }), 2);
  }
  t.true(pool.closed);
  await t.throwsAsync(pool.run({ a: 1, b: 1 }), { code: 'ERR_POOL_CLOSED' } as never);
});

test('maxQueue limits the queue', async (t) => {
  const pool = createPool({ filename: fixture('faults.ts'), maxThreads: 1, minThreads: 1, maxQueue: 1 });
  t.teardown(() => pool.destroy());
  await pool.run(null, { name: 'whoami' }); // the worker is up
  const a = pool.run({ ms: 150 }, { name: 'sleep' });
  const b = pool.run({ ms: 0 }, { name: 'sleep' });
  const c = pool.run({ ms: 0 }, { name: 'sleep' });
  await t.throwsAsync(c, { message: /queue is at limit/i });
  await Promise.all([a, b]);
});

test('statistics and events pass through from piscina', async (t) => {
  const pool = createPool({ filename: fixture('basic.ts'), maxThreads: 2, minThreads: 1, idleTimeout: 1000 });
  t.teardown(() => pool.destroy());
  let created = 0;
  pool.on('workerCreate', () => created++);
  await Promise.all(Array.from({ length: 20 }, (_, i) => pool.run({ a: i, b: 1 })));
  t.is(pool.completed, 20);
  t.is(typeof pool.histogram.runTime.p99, 'number');
  t.is(typeof pool.histogram.waitTime.mean, 'number');
  t.is(typeof pool.histogram.resetRunTime, 'function');
  t.true(pool.utilization >= 0 && pool.utilization <= 1);
  t.is(pool.queueSize, 0);
  t.true(pool.threads.length >= 1 && pool.threads.length <= 2);
  t.is(pool.maxThreads, 2);
  t.is(pool.options.idleTimeout, 1000);
  t.is(typeof pool.duration, 'number');
  t.is(typeof pool.idleThreads, 'number');
  t.false(pool.needsDrain);
  t.true(created >= 0);
  t.is(pool.stack, 64 * 1024);
});
