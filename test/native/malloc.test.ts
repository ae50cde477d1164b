// heap.malloc: 16-byte aligned, distinct, non-overlapping blocks of every size
// class and of large sizes; usableSize() >= the size asked for; stats() counts them.
import test from 'ava';
import { SMALL_MAX, UNIT, fill, heap, verify } from './_helpers.ts';

/** Every class boundary (and its neighbours) up to 128 KiB, then large sizes. */
function sizesAcrossClasses(): number[] {
  const sizes = new Set<number>([0, 1, 15, 16, 17]);
  for (let s = 16; s <= 128; s += 16) [s - 1, s, s + 1].forEach((x) => sizes.add(x));
  for (let e = 7; e < 17; e++) {
    const step = 1 << (e - 3);
    for (let k = 9; k <= 16; k++) {
      const s = k * step;
      [s - 1, s, s + 1].forEach((x) => sizes.add(x));
    }
  }
  [SMALL_MAX - 1, SMALL_MAX, SMALL_MAX + 1, 2 * UNIT + 17, 200_000, 1 << 20, (1 << 20) + 1, 16 * (1 << 20) + 3].forEach((x) =>
    sizes.add(x),
  );
  return [...sizes].sort((a, b) => a - b);
}

test('blocks are 16-byte aligned, inside the heap, and usableSize() >= size for every class and large sizes', (t) => {
  const sizes = sizesAcrossClasses();
  t.true(sizes.length > 200);
  const before = heap.stats();
  const blocks = sizes.map((size) => ({ size, address: heap.malloc(size) }));
  let usableTotal = 0;
  for (const { size, address } of blocks) {
    t.true(Number.isSafeInteger(address), `malloc(${size}) returned ${address}`);
    t.is(address % 16, 0, `malloc(${size}) is 16-byte aligned`);
    t.true(address >= heap.base && address + size <= heap.base + heap.size, `malloc(${size}) is inside the heap`);
    const usable = heap.usableSize(address);
    t.true(usable >= size, `usableSize(malloc(${size})) = ${usable}`);
    // Up to 8 KiB: size classes 12.5% apart. Above: whole 4 KiB units (minus a 16-byte page header up to 128 KiB).
    if (size <= 8192) t.true(usable - size <= Math.max(16, size / 8), `malloc(${size}) wastes ${usable - size} bytes`);
    else t.true(usable - size < UNIT, `malloc(${size}) wastes ${usable - size} bytes`);
    usableTotal += usable;
  }
  const during = heap.stats();
  t.is(during.blocks - before.blocks, blocks.length, 'stats().blocks counts every block');
  t.is(during.used - before.used, usableTotal, 'stats().used grows by the usable bytes of the blocks');
  t.is(during.largeBlocks - before.largeBlocks, sizes.filter((s) => s > SMALL_MAX).length);

  // No two blocks overlap: fill each whole usable area, then every pattern is intact.
  blocks.forEach(({ address }, i) => fill(address, heap.usableSize(address), i));
  blocks.forEach(({ address, size }, i) => t.is(verify(address, heap.usableSize(address), i), 0, `block of ${size} intact`));
  const sorted = blocks.map((b) => [b.address, b.address + heap.usableSize(b.address)] as const).sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < sorted.length; i++) t.true(sorted[i]![0] >= sorted[i - 1]![1], 'blocks do not overlap');
  heap.check();

  for (const { address } of blocks) heap.free(address);
  const after = heap.stats();
  t.is(after.used, before.used);
  t.is(after.blocks, before.blocks);
  heap.check();
});

test('many blocks of one size are distinct and do not overlap', (t) => {
  for (const size of [1, 24, 100, 1024, 5000]) {
    const blocks = Array.from({ length: 3000 }, () => heap.malloc(size));
    t.is(new Set(blocks).size, blocks.length, `3000 blocks of ${size} bytes are distinct`);
    const usable = heap.usableSize(blocks[0]!);
    const sorted = [...blocks].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]! - sorted[i - 1]! < usable) {
        t.fail(`blocks ${sorted[i - 1]} and ${sorted[i]} of ${size} bytes overlap`);
        break;
      }
    }
    blocks.forEach((a, i) => fill(a, size, i));
    t.true(blocks.every((a, i) => verify(a, size, i) === 0), `contents of the ${size}-byte blocks intact`);
    for (const a of blocks) heap.free(a);
  }
  heap.check();
});

test('malloc(0) returns a unique, aligned, freeable address each time', (t) => {
  const before = heap.stats();
  const zeros = Array.from({ length: 100 }, () => heap.malloc(0));
  t.is(new Set(zeros).size, 100, 'every malloc(0) is a different address');
  t.false(zeros.includes(0), 'never NULL');
  for (const a of zeros) {
    t.is(a % 16, 0);
    t.true(heap.usableSize(a) >= 0);
  }
  t.is(heap.stats().blocks - before.blocks, 100, 'each is a live block');
  for (const a of zeros) heap.free(a);
  t.is(heap.stats().blocks, before.blocks);
  t.is(heap.stats().used, before.used);
  heap.check();
});

test('a freed block is reused by a later malloc of its size class', (t) => {
  const a = heap.malloc(48);
  heap.free(a);
  const again = Array.from({ length: 64 }, () => heap.malloc(48));
  t.true(again.includes(a), 'the freed address came back');
  for (const b of again) heap.free(b);
  const big = heap.malloc(3 * UNIT);
  heap.free(big);
  const big2 = heap.malloc(3 * UNIT);
  t.true(big2 > 0);
  heap.free(big2);
  heap.check();
});

test('stats() reports the documented figures', (t) => {
  const s = heap.stats();
  for (const key of ['reserved', 'committed', 'used', 'free', 'blocks'] as const) {
    t.true(Number.isSafeInteger(s[key]) && s[key] >= 0, `stats().${key} = ${s[key]}`);
  }
  t.is(s.reserved, heap.size);
  t.true(s.committed <= s.reserved);
  t.true(s.used + s.free <= s.reserved);
  t.true(Array.isArray(s.threads));
  const me = s.threads.find((x) => x.slot === heap.slot);
  t.truthy(me, 'this thread is listed');
  t.is(me!.state, 'live');
  const a = heap.malloc(100);
  const s2 = heap.stats();
  t.is(s2.blocks, s.blocks + 1);
  t.is(s2.used, s.used + heap.usableSize(a));
  heap.free(a);
});
