// Liveness tags: tagOf(address) names one allocation; isLive(address, tag) is
// true while that allocation lives, false once it is freed (by any thread), and
// stays false when the same address is handed out again.
import test from 'ava';
import { FreedMemoryError } from '../../packages/native/dist/index.js';
import { Agent, I32, UNIT, heap } from './_helpers.ts';

/** 64 KiB: sizes of three of these and more are large blocks (over 128 KiB). */
const BIG = 64 * 1024;

test.serial('small block: live while allocated, dead after free and after the address is reused', (t) => {
  for (const size of [16, 100, 2000, 100_000]) {
    const a = heap.malloc(size);
    const { tag, word } = heap.tagOf(a);
    t.true(Number.isInteger(tag) && Number.isInteger(word));
    t.is(heap.tagOf(a).tag, tag, 'the tag is stable while the block lives');
    t.true(heap.isLive(a, tag));
    t.false(heap.isLive(a, tag + 8), 'another tag is not this allocation');
    heap.free(a);
    t.false(heap.isLive(a, tag), `dead after free (${size} bytes)`);
    t.throws(() => heap.tagOf(a), { instanceOf: FreedMemoryError });
    // Same class, LIFO free list: the address comes back as a new allocation.
    const b = heap.malloc(size);
    t.is(b, a, 'the same address is reused');
    const nt = heap.tagOf(b).tag;
    t.not(nt, tag, 'with a new tag');
    t.false(heap.isLive(a, tag), 'the old allocation is still dead');
    t.true(heap.isLive(b, nt), 'the new one is live');
    heap.free(b);
    t.false(heap.isLive(b, nt));
  }
});

test.serial('large block: dead after free and after a new block lands at the same address', (t) => {
  const size = 4 * BIG;
  let seen = 0;
  const held: number[] = [];
  for (let i = 0; i < 20 && seen < 3; i++) {
    const a = heap.malloc(size);
    const tag = heap.tagOf(a).tag;
    t.true(heap.isLive(a, tag));
    heap.free(a);
    t.false(heap.isLive(a, tag));
    const b = heap.malloc(size);
    const nt = heap.tagOf(b).tag;
    if (b === a) {
      seen++;
      t.not(nt, tag, 'a new block at the same address has a new tag');
      t.false(heap.isLive(a, tag));
      t.true(heap.isLive(b, nt));
    }
    held.push(b);
  }
  t.true(seen > 0, 'a large block came back at the same address');
  for (const b of held) heap.free(b);
  heap.check();
});

test.serial('realloc that moves a block kills the old tag; one in place keeps it', (t) => {
  const a = heap.malloc(32);
  const tag = heap.tagOf(a).tag;
  t.is(heap.realloc(a, 20), a);
  t.true(heap.isLive(a, tag), 'in place: same allocation');
  const b = heap.realloc(a, 5000);
  t.not(b, a);
  t.false(heap.isLive(a, tag), 'moved: the old allocation is dead');
  t.true(heap.isLive(b, heap.tagOf(b).tag));
  heap.free(b);
});

test.serial('a block freed by another thread is dead here, before and after the owner reuses it', async (t) => {
  const agent = await Agent.start();
  try {
    for (const size of [48, 3000, 200_000]) {
      const a = heap.malloc(size);
      const tag = heap.tagOf(a).tag;
      t.true(await agent.call('isLive', a, tag), 'the other thread sees it live with the same tag');
      t.deepEqual(await agent.call('tagOf', a), heap.tagOf(a));
      await agent.call('free', a);
      t.false(heap.isLive(a, tag), `dead in the owner after a remote free (${size} bytes)`);
      t.false(await agent.call('isLive', a, tag));
      // Allocate until the owner collects the remote free and hands the address out again.
      const again: number[] = [];
      for (let i = 0; i < 5000 && !again.includes(a); i++) again.push(heap.malloc(size));
      if (again.includes(a)) {
        const nt = heap.tagOf(a).tag;
        t.not(nt, tag);
        t.false(heap.isLive(a, tag), 'still dead once the address is reused');
        t.true(await agent.call('isLive', a, nt), 'the other thread sees the new allocation live');
      } else {
        t.true(size > 128 * 1024, `the remotely freed ${size}-byte block came back`);
      }
      for (const b of again) heap.free(b);
    }
    // A worker's block freed by main: dead for the worker.
    const w = await agent.call<number>('malloc', 64);
    const wt = heap.tagOf(w).tag;
    t.true(await agent.call('isLive', w, wt));
    heap.free(w);
    t.false(await agent.call('isLive', w, wt));
    t.false(heap.isLive(w, wt));
  } finally {
    await agent.close();
  }
  heap.check();
});

test.serial('tagWordOf(address) is the word tagOf() names for a live block, and -1 for anything else', (t) => {
  const small = heap.malloc(40);
  const large = heap.malloc(3 * BIG);
  for (const a of [small, large]) {
    const { word, tag } = heap.tagOf(a);
    t.is(heap.tagWordOf(a), word);
    t.is(I32[word], tag, 'the word holds the tag');
  }
  const page = heap.base + Math.floor((small - heap.base) / UNIT) * UNIT;
  for (const [label, a] of [
    ['0', 0],
    ['interior', small + 16],
    ['misaligned', small + 1],
    ['large interior', large + UNIT],
    ['header', heap.base + 64],
    ['page metadata', page],
    ['never handed out', small + 200 * 48],
    ['outside', heap.base + heap.size],
    ['NaN', NaN],
  ] as const) {
    t.is(heap.tagWordOf(a), -1, label);
  }
  const { word } = heap.tagOf(small);
  heap.free(small);
  t.is(heap.tagWordOf(small), -1, 'freed small block');
  t.is(I32[word]! & 1, 0, 'its tag word says freed');
  heap.free(large);
  t.is(heap.tagWordOf(large), -1, 'freed large block');
});

test.serial('tagWordOf of a string, array or Number object holding an address is -1', (t) => {
  const a = heap.malloc(64);
  t.not(heap.tagWordOf(a), -1);
  for (const v of [String(a), [a], new Number(a)]) t.is(heap.tagWordOf(v as unknown as number), -1, `tagWordOf(${typeof v} ${String(v)})`);
  t.is(heap.tagWordOf(BigInt(a) as unknown as number), -1, 'tagWordOf(bigint) is -1, not a TypeError');
  heap.free(a);
});
