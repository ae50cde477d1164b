// The heap is one memory seen by every thread: same base, same size, one
// SharedArrayBuffer over the whole reservation; writes in one thread are read in
// the others at the same addresses, Atomics on it are shared.
import test from 'ava';
import { Agent, I32, U8, UNIT, fill, heap, verify, wordOf } from './_helpers.ts';

test('main and two workers see one heap: same base and size, a SharedArrayBuffer over all of it', async (t) => {
  t.true(heap.buffer instanceof SharedArrayBuffer);
  t.is(heap.buffer.byteLength, heap.size);
  if (!process.env.PTR_HEAP_SIZE) t.is(heap.size, 1024 * 1024 * 1024, 'the default reservation is 1 GiB');
  t.true(Number.isSafeInteger(heap.base) && heap.base > 0);
  t.is(heap.base % UNIT, 0, 'the heap starts on a unit boundary');

  const [a, b] = await Promise.all([Agent.start(), Agent.start()]);
  try {
    for (const agent of [a, b]) {
      t.is(agent.info.base, heap.base, 'heap.base is the same address in every thread');
      t.is(agent.info.size, heap.size);
      t.true(agent.info.isShared, 'the worker sees a SharedArrayBuffer');
      t.is(agent.info.byteLength, heap.size, "the worker's buffer covers the whole heap");
    }
    const slots = new Set([heap.slot, a.info.slot, b.info.slot]);
    t.is(slots.size, 3, 'each thread has its own slot in the thread table');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('the three threads write and read the same addresses', async (t) => {
  const [a, b] = await Promise.all([Agent.start(), Agent.start()]);
  try {
    const part = 4096;
    const region = heap.malloc(3 * part);
    // Main writes part 0, worker A checks it and writes part 1, worker B checks both and writes part 2.
    fill(region, part, 1);
    t.is(await a.call('verify', region, part, 1), 0, "worker A reads main's bytes");
    await a.call('fill', region + part, part, 2);
    t.is(await b.call('verify', region, part, 1), 0, "worker B reads main's bytes");
    t.is(await b.call('verify', region + part, part, 2), 0, "worker B reads worker A's bytes");
    await b.call('fill', region + 2 * part, part, 3);
    t.is(verify(region + part, part, 2), 0, "main reads worker A's bytes");
    t.is(verify(region + 2 * part, part, 3), 0, "main reads worker B's bytes");
    t.is(await a.call('verify', region + 2 * part, part, 3), 0, "worker A reads worker B's bytes");

    // Byte-level: a write through one thread's view is the next read in another.
    U8[region - heap.base] = 0xab;
    t.deepEqual(await a.call('readBytes', region, 2), [0xab, (I32[wordOf(region)]! >>> 8) & 0xff]);
    await b.call('writeBytes', region, [1, 2, 3, 4]);
    t.deepEqual(Array.from(U8.subarray(region - heap.base, region - heap.base + 4)), [1, 2, 3, 4]);

    // Blocks a worker allocates are read by main and by the other worker.
    const fromA = await a.call<number>('malloc', 1000);
    const fromB = await b.call<number>('malloc', 200_000);
    t.is(fromA % 16, 0);
    t.is(fromB % 16, 0);
    await a.call('fill', fromA, 1000, 4);
    await b.call('fill', fromB, 200_000, 5);
    t.is(verify(fromA, 1000, 4), 0);
    t.is(verify(fromB, 200_000, 5), 0);
    t.is(await b.call('verify', fromA, 1000, 4), 0);
    t.is(await a.call('verify', fromB, 200_000, 5), 0);
    t.is(await a.call('usableSize', fromB), heap.usableSize(fromB));

    heap.free(fromA);
    heap.free(fromB);
    heap.free(region);
    heap.check();
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('Atomics on a heap word are shared by all threads', async (t) => {
  const [a, b] = await Promise.all([Agent.start(), Agent.start()]);
  try {
    const counter = heap.calloc(1, 16);
    const n = 200_000;
    const done = Promise.all([a.call('atomicAdd', counter, n), b.call('atomicAdd', counter, n)]);
    for (let i = 0; i < n; i++) Atomics.add(I32, wordOf(counter), 1);
    await done;
    t.is(Atomics.load(I32, wordOf(counter)), 3 * n, 'no increment was lost: the threads share the word');
    heap.free(counter);
    heap.check();
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('heap.buffer passed to a worker in workerData is the same memory', async (t) => {
  const a = await Agent.start({ buffer: heap.buffer });
  try {
    const cell = heap.calloc(2, 4);
    I32[wordOf(cell)] = 0x1234567;
    const r = await a.call('viaWorkerData', cell, 0x7654321);
    t.is(r.byteLength, heap.size);
    t.is(r.read, 0x1234567, 'the cloned buffer reads main’s write');
    t.is(r.own, 0x1234567, "and so does the worker's own heap.buffer");
    t.is(r.ownNext, 0x7654321, 'a write through the clone shows in the worker’s own view');
    t.is(I32[wordOf(cell) + 1], 0x7654321, 'and in main');
    heap.free(cell);
  } finally {
    await a.close();
  }
});
