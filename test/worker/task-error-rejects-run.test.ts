// A task that throws rejects its run with that error: same class for built-in
// and @ptr error classes, same message, code, stack and own data; the worker
// keeps serving.
import test from 'ava';
import { createPool, fixture, heap, native } from './_helpers.ts';

const pool = createPool({ filename: fixture('basic.ts'), maxThreads: 1 });
const faults = createPool({ filename: fixture('faults.ts'), maxThreads: 1 });
test.after.always(() => Promise.all([pool.destroy(), faults.destroy()]));

test('a thrown error comes back with its class, message, code, stack and data', async (t) => {
  const e = await t.throwsAsync(pool.run({ message: 'boom' }, { name: 'fail' }));
  t.true(e instanceof RangeError);
  t.is(e!.message, 'boom');
  t.is((e as { code?: string }).code, 'ERR_TEST');
  t.deepEqual((e as { detail?: unknown }).detail, { n: 1 });
  t.regex(e!.stack ?? '', /basic\.ts/, 'the stack points into the task module');
  t.is(await pool.run({ a: 2, b: 3 }), 5, 'the worker still serves');
});

test('a PointerError thrown in the worker is the same @ptr class on the main thread', async (t) => {
  const e = await t.throwsAsync(faults.run({ address: heap.base + 12_345 }, { name: 'badFree' }));
  t.true(e instanceof native.InvalidPointerError);
  t.true(e instanceof native.PointerError);
  t.is((e as { code?: string }).code, 'ERR_INVALID_POINTER');
});

test('a thrown non-Error value becomes an Error that says what was thrown', async (t) => {
  const e = await t.throwsAsync(faults.run(null, { name: 'throwString' }));
  t.regex(e!.message, /just a string/);
});

test('a missing export or one not wrapped with task() rejects with ERR_NOT_A_TASK', async (t) => {
  const missing = await t.throwsAsync(pool.run(null, { name: 'nope' }));
  t.is((missing as { code?: string }).code, 'ERR_NOT_A_TASK');
  t.regex(missing!.message, /has no export "nope"/);
  const plain = await t.throwsAsync(pool.run(null, { name: 'notWrapped' }));
  t.is((plain as { code?: string }).code, 'ERR_NOT_A_TASK');
  t.regex(plain!.message, /wrap|task\(/);
});

test('a task module that does not exist rejects the run, not the pool', async (t) => {
  const e = await t.throwsAsync(pool.run(null, { filename: fixture('does-not-exist.mjs') }));
  t.regex(e!.message, /does-not-exist|Cannot find/);
  t.is(await pool.run({ a: 1, b: 1 }), 2);
});
