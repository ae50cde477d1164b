// Atomics.wait in one thread is woken by Atomics.notify in another, on memory
// obtained from heap.malloc. All isolates share one backing store: with one per
// isolate, a notify across threads aborts the process (PLATFORM.md).
import test from 'ava';
import { Agent, I32, heap, sleep, wordOf } from './_helpers.ts';

/** Notifies the heap word until a waiter was woken (the waiter may not be waiting yet). */
async function notifyUntilWoken(address: number, timeoutMs = 10_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const woken = Atomics.notify(I32, wordOf(address), 1);
    if (woken > 0 || Date.now() > end) return woken;
    await sleep(1);
  }
}

test.serial('a worker wakes the main thread: main waits on a malloc-ed word, the worker notifies', async (t) => {
  const a = await Agent.start();
  try {
    const cell = heap.calloc(2, 4); // [wait word, payload]
    t.is(I32[wordOf(cell)], 0);
    const notified = a.call<number>('notifyWhenWaiting', cell, 4242);
    const started = Date.now();
    const result = Atomics.wait(I32, wordOf(cell), 0, 15_000);
    t.is(result, 'ok', `main was woken by the worker's notify (after ${Date.now() - started} ms), not by the timeout`);
    t.is(I32[wordOf(cell) + 1], 4242, 'and reads the payload the worker wrote before notifying');
    t.is(await notified, 1, "the worker's notify woke exactly one waiter");
    heap.free(cell);
    heap.check();
  } finally {
    await a.close();
  }
});

test.serial('the main thread wakes a worker: the worker waits on a malloc-ed word, main notifies', async (t) => {
  const a = await Agent.start();
  try {
    const cell = heap.calloc(2, 4);
    const waited = a.call<{ result: string; payload: number }>('waitOn', cell, 15_000);
    I32[wordOf(cell) + 1] = 777;
    t.is(await notifyUntilWoken(cell), 1, "main's notify woke the waiting worker");
    const { result, payload } = await waited;
    t.is(result, 'ok');
    t.is(payload, 777);
    heap.free(cell);
    heap.check();
  } finally {
    await a.close();
  }
});

test.serial('a worker wakes another worker; a block the worker allocated works as the wait word', async (t) => {
  const [a, b] = await Promise.all([Agent.start(), Agent.start()]);
  try {
    const cell = await a.call<number>('calloc', 2, 4);
    const waited = a.call<{ result: string; payload: number }>('waitOn', cell, 15_000);
    t.is(await b.call('notifyWhenWaiting', cell, 99), 1);
    t.deepEqual(await waited, { result: 'ok', payload: 99 });
    // And the other way round, with main as the waker of B on A's block.
    const waitedB = b.call<{ result: string; payload: number }>('waitOn', cell, 15_000);
    I32[wordOf(cell) + 1] = 100;
    t.is(await notifyUntilWoken(cell), 1);
    t.deepEqual(await waitedB, { result: 'ok', payload: 100 });
    await b.call('free', cell); // freed by a thread that did not allocate it
    heap.check();
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test.serial('wait with a changed value returns not-equal, and a timeout returns timed-out', async (t) => {
  const a = await Agent.start();
  try {
    const cell = heap.calloc(2, 4);
    Atomics.store(I32, wordOf(cell), 5);
    t.deepEqual(await a.call('waitOn', cell, 1000), { result: 'not-equal', payload: 0 });
    Atomics.store(I32, wordOf(cell), 0);
    t.is((await a.call<{ result: string }>('waitOn', cell, 30)).result, 'timed-out');
    heap.free(cell);
  } finally {
    await a.close();
  }
});
