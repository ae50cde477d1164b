// Bad sizes are InvalidSizeError (exactly that class, code ERR_INVALID_SIZE),
// thrown before anything changes in the heap.
import test from 'ava';
import { AllocationError, InvalidSizeError, PointerError } from '../../packages/native/dist/index.js';
import { heap, throwsCleanly } from './_helpers.ts';

const badSizes = (): [string, unknown][] => [
  ['-1', -1],
  ['-16', -16],
  ['-0.5', -0.5],
  ['NaN', NaN],
  ['1.5', 1.5],
  ["'8'", '8'],
  ['{}', {}],
  ['[]', []],
  ['[8]', [8]],
  ['undefined', undefined],
  ['null', null],
  ['true', true],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['2**53', 2 ** 53],
  ['2**53 + 2', 2 ** 53 + 2],
  ['heap.size + 1', heap.size + 1],
  ['2 * heap.size', 2 * heap.size],
  ['new Number(8)', new Number(8)],
  ['{ valueOf: () => 8 }', { valueOf: () => 8 }],
];

test('malloc: negative, fractional, NaN, non-number, infinite, unsafe and larger-than-heap sizes', (t) => {
  for (const [label, size] of badSizes()) {
    const e = throwsCleanly(t, () => heap.malloc(size as number), InvalidSizeError, `malloc(${label})`);
    t.is((e as PointerError | undefined)?.code, 'ERR_INVALID_SIZE', label);
    t.true(e instanceof PointerError);
  }
});

test('malloc: a bigint or a symbol size is InvalidSizeError too, not a TypeError', (t) => {
  throwsCleanly(t, () => heap.malloc(8n as unknown as number), InvalidSizeError, 'malloc(8n)');
  throwsCleanly(t, () => heap.malloc(Symbol('size') as unknown as number), InvalidSizeError, 'malloc(Symbol())');
  throwsCleanly(t, () => heap.realloc(0, 8n as unknown as number), InvalidSizeError, 'realloc(0, 8n)');
});

test('calloc and realloc reject the same sizes', (t) => {
  const a = heap.malloc(32);
  for (const [label, size] of badSizes()) {
    throwsCleanly(t, () => heap.calloc(1, size as number), InvalidSizeError, `calloc(1, ${label})`);
    throwsCleanly(t, () => heap.calloc(size as number, 1), InvalidSizeError, `calloc(${label}, 1)`);
    throwsCleanly(t, () => heap.realloc(a, size as number), InvalidSizeError, `realloc(a, ${label})`);
  }
  t.true(heap.usableSize(a) >= 32, 'the block survived every failed realloc');
  heap.free(a);
});

test('a size the heap could hold in principle but not now is AllocationError, and the heap stays usable', (t) => {
  throwsCleanly(t, () => heap.malloc(heap.size), AllocationError, 'malloc(heap.size)');
  throwsCleanly(t, () => heap.malloc(heap.size - 65536), AllocationError, 'malloc(heap.size - 64 KiB)');
  const a = heap.malloc(100);
  const b = heap.malloc(1 << 20);
  heap.free(a);
  heap.free(b);
  heap.check();
});
