// Reserving the heap costs address space, not memory: the OS commits pages when
// they are touched, and large frees give them back.
import test from 'ava';
import { fixture, lastJson, runNode } from './_helpers.ts';

const MiB = 1024 * 1024;
const measure = (heapSize?: string) =>
  runNode(fixture('rss.mjs'), { env: { PTR_HEAP_SIZE: heapSize, NODE_OPTIONS: '--expose-gc' } });

test('importing @ptr/native with the default 1 GiB heap grows RSS by less than 10 MiB', async (t) => {
  const r = await measure(undefined);
  t.is(r.code, 0, r.stderr);
  const m = lastJson(r);
  t.is(m.size, 1024 * MiB, 'the default reservation is 1 GiB');
  const growth = m.afterImport - m.before;
  t.log(`RSS growth on import: ${(growth / MiB).toFixed(2)} MiB (module code included)`);
  t.true(growth < 10 * MiB, `import grew RSS by ${(growth / MiB).toFixed(2)} MiB`);
  t.true(m.committedAtStart < 4 * MiB, `stats().committed at start is ${m.committedAtStart}`);
});

test("the heap's own resident memory after import is the metadata it wrote (tens of KiB)", async (t) => {
  // Resident bytes of the heap's mapping itself, from /proc/self/smaps: what the
  // reservation costs, without the module code around it.
  const r = await measure(undefined);
  t.is(r.code, 0, r.stderr);
  const m = lastJson(r);
  t.log(`heap mapping resident after import: ${(m.heapResidentAtStart / MiB).toFixed(2)} MiB of ${m.size / MiB} MiB reserved`);
  // The descriptor table (1/64 of the reservation) is written only for units handed out.
  t.true(m.heapResidentAtStart < MiB / 4, `${(m.heapResidentAtStart / MiB).toFixed(2)} MiB`);
  t.true(m.committedAtStart < MiB / 4, `stats().committed at start is ${m.committedAtStart}`);
  t.true(m.heapResidentAfterMalloc - m.heapResidentAtStart < MiB / 4, 'an untouched 512 MiB block adds nothing (two descriptors)');
  t.true(m.heapResidentAfterTouch - m.heapResidentAfterMalloc > 60 * MiB, 'touching 64 MiB of it does');
  t.true(m.heapResidentAfterFree < 4 * MiB, 'and freeing it gives those pages back');
});

test('a 512 MiB block costs nothing until touched, touched pages count, and freeing returns them', async (t) => {
  const r = await measure(undefined);
  t.is(r.code, 0, r.stderr);
  const m = lastJson(r);
  t.true(m.afterMalloc - m.afterImport < 2 * MiB, `malloc(512 MiB) grew RSS by ${((m.afterMalloc - m.afterImport) / MiB).toFixed(2)} MiB`);
  // Touching 64 MiB of it shows up: the measurement is sensitive.
  t.true(m.afterTouch - m.afterMalloc > 56 * MiB, `touching 64 MiB grew RSS by ${((m.afterTouch - m.afterMalloc) / MiB).toFixed(2)} MiB`);
  // A large free gives the pages back to the OS.
  t.true(m.afterTouch - m.afterFree > 56 * MiB, `free gave back ${((m.afterTouch - m.afterFree) / MiB).toFixed(2)} MiB`);
  t.true(m.committedAfterFree < 16 * MiB, `stats().committed after the free: ${m.committedAfterFree}`);
});
