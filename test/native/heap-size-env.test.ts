// PTR_HEAP_SIZE sets the reservation. A bad value is a clear InvalidSizeError
// that names the variable, never a crash.
import test from 'ava';
import { CRASH, fixture, lastJson, runNode } from './_helpers.ts';

const MiB = 1024 * 1024;
const run = (value: string | undefined, mode: 'plain' | 'catch') =>
  runNode(fixture('heap-size.mjs'), { env: { PTR_HEAP_SIZE: value }, args: [mode] });

for (const bad of ['banana', '5g', '-1', '0', '1m', '4097m', '0x100000']) {
  test(`PTR_HEAP_SIZE=${JSON.stringify(bad)} fails with InvalidSizeError naming PTR_HEAP_SIZE, not a crash`, async (t) => {
    const r = await run(bad, 'plain');
    t.is(r.signal, null, 'no signal: the process was not killed or aborted');
    t.not(r.code, 0, 'non-zero exit');
    t.is(r.code, 1, 'an uncaught exception, exit code 1');
    t.regex(r.stderr, /PTR_HEAP_SIZE/);
    t.regex(r.stderr, /InvalidSizeError/);
    t.true(r.stderr.includes(JSON.stringify(bad)), 'the message quotes the bad value');
    t.notRegex(r.stderr, CRASH);

    const c = await run(bad, 'catch');
    t.is(c.code, 0, c.stderr);
    const e = lastJson(c);
    t.false(e.imported);
    t.is(e.name, 'InvalidSizeError');
    t.is(e.code, 'ERR_INVALID_SIZE');
    t.true(e.isInvalidSize, 'instanceof the exported InvalidSizeError');
    t.true(e.isPointerError, 'instanceof PointerError');
    t.regex(e.message, /PTR_HEAP_SIZE/);
  });
}

for (const [value, bytes] of [
  ['512m', 512 * MiB],
  ['2g', 2048 * MiB],
  ['65536k', 64 * MiB],
  ['4g', 4096 * MiB],
  ['', 1024 * MiB],
] as const) {
  test(`PTR_HEAP_SIZE=${JSON.stringify(value)} gives a heap of ${bytes / MiB} MiB that works`, async (t) => {
    const r = await run(value, 'plain');
    t.is(r.signal, null, r.stderr);
    t.is(r.code, 0, r.stderr);
    t.notRegex(r.stderr, CRASH);
    const m = lastJson(r);
    t.is(m.size, bytes);
    t.is(m.bufferBytes, bytes, 'heap.buffer covers the whole heap');
    t.is(m.reserved, bytes, 'stats().reserved agrees');
  });
}
