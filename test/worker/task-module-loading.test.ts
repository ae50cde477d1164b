// Task modules load in TypeScript (tsx, registered by the worker itself) and in
// JavaScript; `filename` is accepted as an absolute path, a relative path, a
// file: URL object or string, per pool or per run.
import { spawn } from 'node:child_process';
import { relative } from 'node:path';
import test from 'ava';
import { createPool, fixture, fixturePath } from './_helpers.ts';

test('a TypeScript task module, named by URL', async (t) => {
  const pool = createPool({ filename: fixture('basic.ts'), maxThreads: 1 });
  t.teardown(() => pool.destroy());
  t.is(await pool.run({ a: 1, b: 2 }), 3);
});

test('a JavaScript (ESM) task module, named by absolute path', async (t) => {
  const pool = createPool({ filename: fixturePath('plain.mjs'), maxThreads: 1 });
  t.teardown(() => pool.destroy());
  const r = await pool.run<{ sum: number; framed: boolean }>([1, 2, 3]);
  t.is(r.sum, 6);
  t.true(r.framed);
});

test('relative paths and file: strings; a run may name another module', async (t) => {
  const pool = createPool({ filename: relative(process.cwd(), fixturePath('plain.mjs')), maxThreads: 1 });
  t.teardown(() => pool.destroy());
  t.is(pool.filename, fixture('plain.mjs').href);
  t.is((await pool.run<{ sum: number }>([4, 5])).sum, 9);
  t.is(await pool.run({ a: 2, b: 2 }, { filename: fixture('basic.ts').href }), 4);
  t.is(await pool.run({ a: 3, b: 3 }, { filename: fixturePath('basic.ts') }), 6);
});

test('a pool without a filename rejects runs that do not name one', async (t) => {
  const pool = createPool({ maxThreads: 1 });
  t.teardown(() => pool.destroy());
  const e = await t.throwsAsync(pool.run(null));
  t.is((e as { code?: string }).code, 'ERR_INVALID_OPTION');
  t.is(await pool.run({ a: 5, b: 5 }, { filename: fixture('basic.ts') }), 10);
  t.throws(() => createPool({ filename: new URL('https://example.com/t.js') }), { message: /file: URL/ });
});

test('a TypeScript task module works from a process started without tsx', async (t) => {
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [fixturePath('no-tsx-main.mjs')], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } });
    let s = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (s += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(s) : reject(new Error(`child exited with ${code}: ${s}`))));
  });
  const r = JSON.parse(out.trim().split('\n').pop()!);
  t.deepEqual(r.execArgv, [], 'no loader in the parent');
  t.is(r.sum, 42);
  t.deepEqual(r.echoed, { nested: [1, { x: 'y' }] });
});
