// PTR_DEBUG=1, the checking allocator (in a child process, so the setting is
// read at load): a block overflowed by one byte through heap.buffer is caught
// by free() and realloc() with a PointerError 'ERR_HEAP_OVERFLOW' naming the
// block's address and size; freed memory is filled with a pattern; @ptr/core's
// pointers never trip it; the neighbours and heap.check() are fine.
import test from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('../fixtures/reliability/debug-child.mjs', import.meta.url));

function run(args: string[], env: Record<string, string>): Promise<any> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`debug-child exited with ${code} ${signal}: ${err}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!));
      } catch (e) {
        reject(new Error(`debug-child printed ${out} ${err}`));
      }
    });
  });
}

test('PTR_DEBUG=1: a one-byte overflow is reported by free() and realloc() as ERR_HEAP_OVERFLOW naming the block', async (t) => {
  for (const how of ['free', 'realloc']) {
    for (const size of [24, 100, 4096]) {
      const r = await run([how, String(size)], { PTR_DEBUG: '1' });
      t.true(r.debugAllocator, 'the checking allocator is on');
      t.is(r.code, 'ERR_HEAP_OVERFLOW', `${how}() of an overflowed ${size}-byte block: ${r.threw} ${r.message}`);
      t.true(r.isPointerError, 'a PointerError');
      t.true(String(r.message).includes(r.hexAddress), `the message names the address ${r.hexAddress}: ${r.message}`);
      t.true(String(r.message).includes(String(size)), `the message names the size ${size}: ${r.message}`);
      t.true(r.neighbourIntact, 'the neighbouring block is intact');
      t.is(r.check, 'ok', 'heap.check() passes');
    }
  }
});

test('PTR_DEBUG=1: clean blocks free quietly and freed memory is poisoned; without PTR_DEBUG nothing is checked', async (t) => {
  const clean = await run(['clean', '48'], { PTR_DEBUG: '1' });
  t.is(clean.threw, null, `a block used within its size frees quietly: ${clean.message}`);
  // (the first 8 bytes of a free small block hold the allocator's free-list link and tag-word index)
  t.true(clean.freedPattern.slice(8).every((b: number) => b === 0xdd), `freed memory is filled with 0xDD: ${clean.freedPattern}`);
  t.is(clean.check, 'ok');
  const off = await run(['free', '24'], { PTR_DEBUG: '' });
  t.false(off.debugAllocator);
  t.is(off.threw, null, 'the fast allocator does not check guard bytes');
  t.is(off.check, 'ok');
});
