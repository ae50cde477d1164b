/**
 * describePointer / revivePointer: a pointer as plain data, revived in a real
 * worker thread over the same memory, of the same class and type, with the
 * same liveness (what @ptr/worker builds on).
 */
import test from 'ava';
import { core, runWorker } from './_helpers.js';

const c = core;
const { malloc, calloc, free, describePointer, revivePointer, isPointerDescriptor, struct, int32, float64, NULL, toPtr } = c;

const Point = struct({ x: int32, y: int32 }, 'Point');

interface Report {
  ok?: boolean;
  error?: string;
  seen: Record<string, unknown>;
  made?: core.PointerDescriptor;
}

test('pointers of every kind cross to a worker and back', async (t) => {
  const untyped = malloc(64).move(['from', 'main']);
  const number = malloc(int32).move(41);
  const sp = malloc(Point).move({ x: 5 });
  const array = calloc(4, float64);
  const slot = calloc(3, 16);
  slot.at(1).move('slot one');
  const gone = malloc(8);
  free(gone);
  const pointers = {
    untyped: describePointer(untyped),
    number: describePointer(number),
    struct: describePointer(sp),
    array: describePointer(array),
    slot: describePointer(slot.at(1)),
    null: describePointer(NULL),
    freed: describePointer(gone),
  };
  for (const d of Object.values(pointers)) t.true(isPointerDescriptor(d));
  t.deepEqual(structuredClone(pointers), pointers); // plain data
  const report = await runWorker<Report>('pointer-agent.mjs', { pointers });
  t.is(report.error, undefined);
  t.deepEqual(report.seen, {
    untyped: ['from', 'main'],
    number: 41,
    x: 5,
    arrayClass: 'AllocatedArrayPointer',
    arrayLength: 4,
    slot: 'slot one',
    nullIsNull: true,
    freedIsFreed: true,
    freedError: 'FreedMemoryError',
  });
  t.deepEqual(untyped.deref(), { from: 'worker' });
  t.is(number.deref(), 42);
  t.is(sp.view().y, 99);
  t.is(array.view()[2], 7.5);

  const back = revivePointer(report.made!) as core.AllocatedPointer<number>;
  t.is(back.deref(), 1234);
  free(back); // freed here, allocated by the (now gone) worker thread
  t.true(back.freed);
  for (const p of [untyped, number, sp, array, slot]) free(p);
});

test('revived pointers keep class, type, region and ownership', (t) => {
  const sp = malloc(Point);
  const again = revivePointer(describePointer(sp)) as core.StructPointer<{ x: core.ScalarType<number, Int32Array>; y: core.ScalarType<number, Int32Array> }>;
  t.true(again instanceof c.StructPointer);
  t.true(again.equals(sp));
  t.is(again.size, sp.size);
  again.view().x = 3;
  t.is(sp.view().x, 3);
  const field = revivePointer(describePointer(sp.field('y')));
  t.throws(() => free(field as never), { instanceOf: c.InvalidPointerError });
  free(again);
  t.true(sp.freed);
});

test('object pointers cannot travel; NULL does', (t) => {
  t.throws(() => describePointer(toPtr({})), { instanceOf: c.PointerError });
  t.is(revivePointer(describePointer(NULL)), NULL);
  t.throws(() => revivePointer({ $ptr: 'nope' } as never), { instanceOf: c.PointerError });
});
