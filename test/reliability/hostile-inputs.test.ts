// Hostile inputs to every public function of @ptr/native, @ptr/core and
// @ptr/worker. The functions are enumerated from the packages' exports (and
// the methods of every exported pointer class from live instances), and each
// must have an entry in SPECS below: a new export without one fails the
// "every export is covered" test. Each argument of each function gets, in
// turn, the hostile values of its kind (undefined, null, NaN, ±Infinity, -1,
// 1.5, 2^53, strings, objects, symbols, bigints, functions, huge sizes, freed
// pointers and addresses, pointers and frames of another thread, forged
// addresses inside and outside the heap, interior, stack and object pointers)
// while the others stay valid. Each call must throw exactly the class DESIGN.md's
// table gives (sizes -> InvalidSizeError, addresses -> InvalidPointerError,
// freed -> FreedMemoryError, indexes and offsets -> OutOfBoundsError, ...;
// @ptr/worker option errors are PointerError ERR_INVALID_OPTION), never a
// TypeError; and the heap must be unchanged: heap.stats() figures, a checksum
// of the bytes of a set of live blocks (small, large, typed, untyped, struct,
// array), the bytes around any address named, and heap.check().
import test from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as core from '../../packages/core/dist/index.js';
import * as ptrWorker from '../../packages/worker/dist/index.js';
import {
  BASE,
  I32,
  UNIT,
  checksumAround,
  checksumRange,
  describeError,
  diffFigures,
  figures,
  fillPattern,
  findPatternDamage,
  heap,
  native,
  shortValue,
  withTimeout,
  type ErrorClass,
} from './_helpers.ts';

const {
  PointerError,
  NullPointerError,
  FreedMemoryError,
  InvalidSizeError,
  AllocationError,
  InvalidPointerError,
  OutOfBoundsError,
} = core;
const FIRST_DATA = I32[native.layout.H_FIRST_DATA_UNIT]! * UNIT;
const tasksUrl = new URL('../fixtures/reliability/tasks.mjs', import.meta.url);

// ---------------------------------------------------------------------------
// Fixture: live memory whose bytes must not change, and pointers of every kind

type P = any;

interface Fixture {
  raw: { address: number; size: number; seed: number }[];
  untyped: P;
  untypedEmpty: P;
  i32: P;
  i64: P;
  flag: P;
  f64: P;
  text: P;
  addr: P;
  ints: P;
  slots: P;
  rec: P;
  large: P;
  interior: P;
  slot1: P;
  field: P;
  freed: P;
  freedArray: P;
  freedStruct: P;
  freedAddress: number;
  freedLarge: number;
  deadStack: P;
  objectPtr: P;
}

const Rec = core.struct({ x: core.int32, y: core.float64, name: core.cstring(8) }, 'HostileRec');

function makeFixture(): Fixture {
  const raw = [1, 16, 100, 1000, 5000, 140_000].map((size, i) => {
    const address = heap.malloc(size);
    fillPattern(address, size, 0x5eed + i);
    return { address, size, seed: 0x5eed + i };
  });
  const large = core.calloc(20_000, core.float64);
  core.acquireStackAlloc(16, () => {}); // this thread's stack segment exists before any span is freed
  // Freed blocks of a size class nothing else here allocates (so no later malloc reuses them).
  const freedBlock = heap.malloc(2500);
  heap.free(freedBlock);
  const freedLargeBlock = heap.malloc(300_000);
  heap.free(freedLargeBlock);
  const freed = core.malloc(40).move('freed');
  core.free(freed);
  const freedArray = core.calloc(3, core.int32);
  core.free(freedArray);
  const freedStruct = core.malloc(Rec);
  core.free(freedStruct);
  let deadStack: P;
  core.acquireStackAlloc(32, (sp: P) => {
    deadStack = sp;
  });
  void deadStack!;
  const ints = core.calloc(6, core.int32).set([1, 2, 3, 4, 5, 6]);
  const slots = core.calloc(3, 24);
  slots.at(0).move('slot zero');
  slots.at(1).move(1);
  const rec = core.malloc(Rec).move({ x: 7, y: 2.5, name: 'rec' });
  const untyped = core.malloc(64).move({ hello: 'world', n: [1, 2, 3] });
  return {
    raw,
    untyped,
    untypedEmpty: core.malloc(24),
    i32: core.malloc(core.int32).move(42),
    i64: core.malloc(core.int64).move(-5n),
    flag: core.malloc(core.bool).move(true),
    f64: core.malloc(core.float64).move(Math.PI),
    text: core.malloc(core.cstring(16)).move('hostile'),
    addr: core.malloc(core.pointer(core.int32)),
    ints,
    slots,
    rec,
    large,
    interior: untyped.add(8),
    slot1: ints.at(1),
    field: rec.field('y'),
    freed,
    freedArray,
    freedStruct,
    freedAddress: freedBlock,
    freedLarge: freedLargeBlock,
    deadStack,
    objectPtr: core.toPtr({ a: 1 }),
  };
}

function releaseFixture(f: Fixture): void {
  for (const b of f.raw) heap.free(b.address);
  for (const p of [f.untyped, f.untypedEmpty, f.i32, f.i64, f.flag, f.f64, f.text, f.addr, f.ints, f.slots, f.rec, f.large]) {
    if (!p.freed) core.free(p);
  }
}

/** Checksum of every live byte of the fixture. */
function fixtureSum(f: Fixture): number {
  let h = 0;
  for (const b of f.raw) h = (Math.imul(h, 31) + checksumRange(b.address - BASE, b.size)) | 0;
  for (const p of [f.untyped, f.untypedEmpty, f.i32, f.i64, f.flag, f.f64, f.text, f.addr, f.ints, f.slots, f.rec, f.large]) {
    h = (Math.imul(h, 31) + (p.freed ? 1 : checksumRange(p.address - BASE, p.size))) | 0;
  }
  return h;
}

// Pointers and addresses from another thread (test/fixtures/reliability/other-thread.mjs)
let other: {
  freedDescriptor: core.PointerDescriptor;
  typedDescriptor: core.PointerDescriptor;
  freedAddress: number;
  stackDescriptor: core.PointerDescriptor;
  stackAddress: number;
};
let otherWorker: Worker;
const otherFlag = new Int32Array(new SharedArrayBuffer(4));
let pool: ptrWorker.Pool;
let fx: Fixture;

test.before(async () => {
  otherWorker = new Worker(fileURLToPath(new URL('../fixtures/reliability/other-thread.mjs', import.meta.url)), {
    workerData: { flag: otherFlag.buffer },
  });
  other = await withTimeout(
    new Promise((resolve, reject) => {
      otherWorker.once('message', resolve);
      otherWorker.once('error', reject);
    }),
    20_000,
    'the other-thread worker to report',
  );
  pool = ptrWorker.createPool({ filename: tasksUrl, name: 'echo', maxThreads: 1, minThreads: 1 });
  await withTimeout(pool.run(1), 20_000, 'the pool to start');
  fx = makeFixture();
});

test.after.always(async () => {
  Atomics.store(otherFlag, 0, 1);
  Atomics.notify(otherFlag, 0);
  await withTimeout(
    new Promise((r) => otherWorker.once('exit', r)),
    10_000,
    'the other-thread worker to exit',
  ).catch(() => otherWorker.terminate());
  await withTimeout(pool.destroy(), 10_000, 'pool.destroy()').catch(() => {});
  releaseFixture(fx);
  heap.check();
});

// ---------------------------------------------------------------------------
// Hostile values and what each kind of argument must answer

interface Hostile {
  label: string;
  make: () => unknown;
  /** What the value is, for the kinds' rules. */
  is: 'junk' | 'number' | 'integer' | 'huge' | 'freed' | 'forged' | 'freedAddress' | 'stack' | 'interior' | 'object' | 'null' | 'NULL' | 'descriptor' | 'string';
}

const J = (label: string, make: () => unknown, is: Hostile['is'] = 'junk'): Hostile => ({ label, make, is });

/** Values no argument of any public function may crash on. */
const BASIC: Hostile[] = [
  J('undefined', () => undefined),
  J('null', () => null, 'null'),
  J('NaN', () => NaN, 'number'),
  J('Infinity', () => Infinity, 'number'),
  J('-Infinity', () => -Infinity, 'number'),
  J('-1', () => -1, 'integer'),
  J('-16', () => -16, 'integer'),
  J('1.5', () => 1.5, 'number'),
  J('2^53', () => 2 ** 53, 'huge'),
  J('2^53 + 2', () => 2 ** 53 + 2, 'huge'),
  J('Number.MAX_VALUE', () => Number.MAX_VALUE, 'huge'),
  J('2^40', () => 2 ** 40, 'huge'),
  J('heap.size + 16', () => heap.size + 16, 'huge'),
  J("'8'", () => '8', 'string'),
  J("''", () => '', 'string'),
  J("'abc'", () => 'abc', 'string'),
  J('{}', () => ({})),
  J('[]', () => []),
  J('[8]', () => [8]),
  J('Object.create(null)', () => Object.create(null)),
  J('Symbol()', () => Symbol('hostile')),
  J('8n', () => 8n),
  J('() => 8', () => () => 8),
  J('{ valueOf: () => 8 }', () => ({ valueOf: () => 8, toString: () => '8' })),
  J('new Number(8)', () => new Number(8)),
  J('true', () => true),
];

/** Numbers that look like addresses but are no block's start. */
const ADDRESSES: Hostile[] = [
  J('heap.base (the header)', () => BASE, 'forged'),
  J('heap.base + 16', () => BASE + 16, 'forged'),
  J('the last descriptor word', () => BASE + FIRST_DATA - 16, 'forged'),
  J('heap.base - 16', () => BASE - 16, 'forged'),
  J('heap.base + heap.size', () => BASE + heap.size, 'forged'),
  J('heap.base + 2 * heap.size', () => BASE + 2 * heap.size, 'forged'),
  J('a live block + 16 (interior)', () => fx.raw[3]!.address + 16, 'forged'),
  J('a live block + 1 (misaligned)', () => fx.raw[2]!.address + 1, 'forged'),
  J("a live small block's page start (tag table)", () => BASE + Math.floor((fx.raw[2]!.address - BASE) / UNIT) * UNIT, 'forged'),
  J('a live large block + 4 KiB (interior)', () => fx.raw[5]!.address + UNIT, 'forged'),
  J("an address in another thread's live frame", () => other.stackAddress, 'forged'),
  J('a live block address as a string', () => String(fx.raw[1]!.address)),
  J('a live block address as a bigint', () => BigInt(fx.raw[1]!.address)),
  J('a live block address + 0.5', () => fx.raw[1]!.address + 0.5, 'forged'),
  J('a freed block', () => fx.freedAddress, 'freedAddress'),
  J('a freed large block', () => fx.freedLarge, 'freedAddress'),
  J('a block another thread allocated and freed', () => other.freedAddress, 'freedAddress'),
];

/** Pointers of the wrong kind or state. */
const POINTERS: Hostile[] = [
  J('a freed pointer', () => fx.freed, 'freed'),
  J('a freed array pointer', () => fx.freedArray, 'freed'),
  J('a pointer another thread freed', () => core.revivePointer(other.freedDescriptor), 'freed'),
  J('a stack pointer after its frame', () => fx.deadStack, 'stack'),
  J("a stack pointer of another thread's live frame", () => core.revivePointer(other.stackDescriptor), 'stack'),
  J('an interior pointer (add(8))', () => fx.interior, 'interior'),
  J('an array slot pointer (at(1))', () => fx.slot1, 'interior'),
  J('a struct field pointer', () => fx.field, 'interior'),
  J('an object pointer (toPtr)', () => fx.objectPtr, 'object'),
  J('NULL', () => core.NULL, 'NULL'),
  J('a raw address of a live block', () => fx.raw[1]!.address, 'integer'),
  J('a pointer descriptor', () => core.describePointer(fx.i32), 'descriptor'),
];

type Expect = { throws: readonly ErrorClass[]; code?: string } | { returns: (r: unknown) => string | null } | { pointerErrorOrReturn: true } | 'skip';

const T = (...cls: ErrorClass[]): Expect => ({ throws: cls });
/** A live int32 pointer's descriptor, as plain fields (to forge variants of). */
const descOf = (p: P): Record<string, unknown> & { o: number } => core.describePointer(p) as never;

/**
 * A freed address: FreedMemoryError while it still is one. (If its span was
 * reused since, it is a page's metadata (InvalidPointerError) or a live block
 * again (not hostile: skipped).)
 */
function freedAddressExpect(v: number): Expect {
  if (heap.tagWordOf(v) !== -1) return 'skip';
  const L = native.layout;
  // The span that holds the address, by walking the spans (descriptors between a
  // span's ends may be blank or stale: lazy spans, pooled spans).
  const home = Math.floor((v - BASE) / UNIT);
  let unit = home;
  let kind = L.K_FREE;
  for (let u = I32[L.H_FIRST_DATA_UNIT]!, k, len = 1; u <= home; u += len || 1) {
    k = I32[L.descOf(u) + L.D_KIND]!;
    len = I32[L.descOf(u) + (k === L.K_FREE ? L.D_INFO : L.D_SIZE)]!;
    if (home < u + len) kind = I32[L.descOf((unit = u)) + L.D_KIND]!;
  }
  if (kind === L.K_FREE || kind === L.K_RELEASING) return T(FreedMemoryError);
  if (kind === L.K_STACK) return T(InvalidPointerError); // the span became a stack segment
  if (kind === L.K_LARGE) return T(InvalidPointerError); // inside a live large block (its start is live: skipped)
  if (kind === L.K_SMALL) {
    // A page now: not a block start of its class, or a slot never handed out, is
    // InvalidPointerError; a block start that is free is FreedMemoryError.
    const d = L.descOf(unit);
    const cls = I32[d + L.D_INFO]!;
    const size = native.sizeClasses.CLASS_SIZE[cls]!;
    const rel = v - BASE - unit * UNIT - native.sizeClasses.PAGE_DATA[cls]!;
    if (rel < 0 || rel % size !== 0 || rel / size >= I32[d + L.D_BUMP]!) return T(InvalidPointerError);
  }
  return T(FreedMemoryError);
}
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const cloneable = (v: unknown): boolean => {
  try {
    structuredClone(v);
    return true;
  } catch {
    return false;
  }
};

/** Each kind of argument: the hostile values it gets and what each must do. */
interface Kind {
  values: Hostile[];
  expect: (h: Hostile, v: unknown) => Expect;
}

const sizeKind: Kind = { values: BASIC, expect: () => T(InvalidSizeError) };
const KINDS: Record<string, Kind> = {
  /** A byte count for the heap (malloc, calloc, realloc): every bad value -> InvalidSizeError. */
  size: sizeKind,
  /** A size or a C type (core malloc/calloc). */
  sizeOrType: sizeKind,
  /** A frame size: a whole number under 2^32 that does not fit is AllocationError, anything else InvalidSizeError. */
  frameSize: { values: BASIC, expect: (_h, v) => T(isInt(v) && v >= 0 && v < 2 ** 32 ? AllocationError : InvalidSizeError) },
  /** A byte count of the libc functions: bad -> InvalidSizeError; a valid count beyond the pointer's bounds -> OutOfBoundsError. */
  count: { values: BASIC, expect: (_h, v) => T(Number.isSafeInteger(v) && (v as number) >= 0 ? OutOfBoundsError : InvalidSizeError) },
  /** A size in a type constructor: bytes(n), cstring(n), array(T, n) (a descriptor may be as large as 2^32 elements; malloc refuses it). */
  typeSize: { values: BASIC, expect: (_h, v) => (isInt(v) && v >= 0 && v <= 2 ** 32 ? 'skip' : T(InvalidSizeError)) },
  /** A raw heap address (0 is allowed where C allows it, so it is not in the list). */
  address: {
    values: [...BASIC, ...ADDRESSES],
    expect: (h, v) => (h.is === 'freedAddress' ? freedAddressExpect(v as number) : T(InvalidPointerError)),
  },
  /** A memory pointer that free/realloc act on. */
  pointer: {
    values: [...BASIC, ...POINTERS],
    expect: (h) => (h.is === 'freed' ? T(FreedMemoryError) : h.is === 'NULL' ? 'skip' : T(InvalidPointerError)),
  },
  /** A pointer the libc functions read or write: NULL/null -> NullPointerError, freed (or a popped frame) -> FreedMemoryError. */
  memPtr: {
    values: [...BASIC, ...POINTERS],
    expect: (h) =>
      h.is === 'null' || h.is === 'NULL'
        ? T(NullPointerError)
        : h.is === 'freed' || (h.is === 'stack' && h.label.includes('after'))
          ? T(FreedMemoryError)
          : h.is === 'stack' || h.is === 'interior'
            ? 'skip'
            : T(InvalidPointerError),
  },
  /** A string source of the libc string functions: a pointer or a JavaScript string. */
  cstrSource: {
    values: [...BASIC, ...POINTERS],
    expect: (h) =>
      h.is === 'string'
        ? 'skip'
        : h.is === 'null' || h.is === 'NULL'
          ? T(NullPointerError)
          : h.is === 'freed' || (h.is === 'stack' && h.label.includes('after'))
            ? T(FreedMemoryError)
            : h.is === 'stack' || h.is === 'interior'
              ? 'skip'
              : T(InvalidPointerError),
  },
  /** A byte value (memset's c): not an integer -> PointerError. */
  byte: { values: BASIC, expect: (_h, v) => (isInt(v) ? 'skip' : T(PointerError)) },
  /** An optional index (set's start: undefined means 0). */
  optIndex: { values: BASIC.filter((h) => h.label !== 'undefined'), expect: () => T(OutOfBoundsError) },
  /** An index into an array. */
  index: {
    values: [...BASIC, J("'0' (a cached slot's key)", () => '0'), J("'length'", () => 'length'), J("'constructor'", () => 'constructor'), J("'__proto__'", () => '__proto__'), J('[0]', () => [0]), J('0n', () => 0n)],
    expect: () => T(OutOfBoundsError),
  },
  /** A byte offset (add). */
  offset: { values: BASIC, expect: () => T(OutOfBoundsError) },
  /** A C type. */
  ctype: { values: [...BASIC, J('a struct view', () => fx.rec.view()), J('a pointer', () => fx.i32)], expect: () => T(PointerError) },
  /** pointer(T)'s T: a C type, or nothing (void *). */
  ctypeOptional: { values: [...BASIC.filter((h) => h.label !== 'undefined'), J('a pointer', () => fx.i32)], expect: () => T(PointerError) },
  /** A struct type (offsetof). */
  structType: { values: [...BASIC, J('int32', () => core.int32)], expect: () => T(PointerError) },
  /** A struct field name. */
  fieldName: { values: BASIC, expect: () => T(PointerError) },
  /** struct()'s fields. */
  fields: { values: BASIC.filter((h) => !['{}', '[]', 'Object.create(null)'].includes(h.label)), expect: () => T(PointerError) },
  /** A callback. */
  callback: { values: BASIC.filter((h) => h.label !== '() => 8'), expect: () => T(PointerError) },
  /** A type spec (typeFromSpec). */
  typeSpec: { values: [...BASIC, J("{ k: 'nope' }", () => ({ k: 'nope' })), J("{ k: 'array', of: null, n: 1 }", () => ({ k: 'array', of: null, n: 1 }))], expect: () => T(PointerError) },
  /** A pointer to describe: not a memory pointer or NULL -> PointerError. */
  describable: {
    values: [...BASIC, ...POINTERS],
    expect: (h) => (['freed', 'stack', 'interior', 'NULL'].includes(h.is) ? 'skip' : T(PointerError)),
  },
  /** A pointer descriptor: not one -> PointerError; a forged one (outside its block, the heap, or with a wrong liveness word) -> InvalidPointerError. */
  descriptor: {
    values: [
      ...BASIC,
      J("{ $ptr: 'memory' } (no fields)", () => ({ $ptr: 'memory' })),
      J('a descriptor with hi past its block', () => ({ ...descOf(fx.i32), hi: descOf(fx.i32).o + 100_000 }), 'forged'),
      J('a descriptor at heap offset 0 (the header)', () => ({ ...core.describePointer(fx.i32), o: 0, lo: 0, block: 0 }), 'forged'),
      J('a descriptor outside the heap', () => ({ ...core.describePointer(fx.i32), o: heap.size + 64, lo: heap.size + 64, block: heap.size + 64, hi: heap.size + 68 }), 'forged'),
      J('a descriptor with string fields', () => ({ ...core.describePointer(fx.i32), o: '0', hi: '99' }), 'forged'),
      J('a descriptor whose liveness word is the header', () => ({ ...core.describePointer(fx.i32), w: 0, t: I32[0] }), 'forged'),
      J('a descriptor with a negative region', () => ({ ...core.describePointer(fx.i32), lo: -1_000_000 }), 'forged'),
    ],
    expect: (h) => (h.is === 'forged' ? T(InvalidPointerError) : T(PointerError)),
  },
  /** Byte-size text (parseByteSize). */
  sizeText: {
    // (numbers, bigints and objects whose string form is a number are left out: parseByteSize reads text)
    values: BASIC.filter((h) => !['number', 'integer', 'huge'].includes(h.is) && !['\'8\'', '8n', '[8]', 'new Number(8)', '{ valueOf: () => 8 }'].includes(h.label)),
    expect: () => T(InvalidSizeError),
  },
  /** Anything: may return, or throw a PointerError, never anything else. */
  any: { values: [...BASIC, ...POINTERS], expect: () => ({ pointerErrorOrReturn: true }) },
  /** Predicates: return a boolean (or -1 for tagWordOf) and never throw. */
  predicate: {
    values: [...BASIC, ...ADDRESSES],
    expect: () => ({ returns: (r) => (typeof r === 'boolean' || r === -1 ? null : `returned ${shortValue(r)}`) }),
  },
  /** Values for untyped memory: not structured-cloneable -> PointerError; a freed pointer -> FreedMemoryError. */
  cloneable: {
    values: [...BASIC, ...POINTERS],
    expect: (h, v) =>
      !(v instanceof core.PointerBase) && !cloneable(v)
        ? T(PointerError)
        : h.is === 'freed' || (h.is === 'stack' && h.label.includes('after'))
          ? T(FreedMemoryError)
          : h.is === 'object' || h.is === 'NULL' || h.is === 'stack'
            ? 'skip'
            : { pointerErrorOrReturn: true },
  },
  /** A value for a typed scalar: only numbers, bigints (and booleans for bool) -> else PointerError. */
  number: {
    values: BASIC,
    expect: (_h, v) => (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' ? 'skip' : T(PointerError)),
  },
  /** A value for a cstring: a string, else PointerError. */
  string: { values: BASIC, expect: (_h, v) => (typeof v === 'string' ? 'skip' : T(PointerError)) },
  /** A value for a T* field: a live memory pointer, NULL or null. */
  addressValue: {
    values: [...BASIC, ...POINTERS],
    expect: (h) =>
      h.label === 'undefined' || h.is === 'null' || h.is === 'NULL'
        ? 'skip'
        : h.is === 'freed' || (h.is === 'stack' && h.label.includes('after'))
          ? T(FreedMemoryError)
          : h.is === 'stack' || h.is === 'interior'
            ? 'skip'
            : T(PointerError),
  },
  /** An array-like of values (set): not one -> PointerError. */
  arrayLike: { values: BASIC.filter((h) => !['[]', '[8]', "'8'", "''", "'abc'"].includes(h.label)), expect: () => T(PointerError) },
  /** Struct init: an object of its fields. */
  structInit: { values: BASIC.filter((h) => !['{}', '[]', 'Object.create(null)', 'new Number(8)'].includes(h.label)), expect: () => T(PointerError) },
  /** move() options given with a value too large for the memory: only { unsafe: true } may let it through. */
  moveOptions: { values: BASIC.filter((h) => h.label !== 'undefined'), expect: () => T(InvalidSizeError) },
  /** A @ptr/worker option: a bad value -> PointerError with code ERR_INVALID_OPTION. */
  workerOption: { values: BASIC, expect: () => ({ throws: [PointerError], code: 'ERR_INVALID_OPTION' }) },
  /** A transfer list: an empty array is a valid (empty) list, as for Node and piscina. */
  transferList: {
    values: BASIC,
    expect: (_h, v) => (Array.isArray(v) && v.length === 0 ? 'skip' : { throws: [PointerError], code: 'ERR_INVALID_OPTION' }),
  },
  /** A task module location. */
  filename: {
    values: [...BASIC.filter((h) => h.is !== 'string'), J("'file://[' (an invalid URL)", () => 'file://['), J("new URL('http://example.com/t.mjs')", () => new URL('http://example.com/t.mjs'))],
    expect: () => ({ throws: [PointerError], code: 'ERR_INVALID_OPTION' }),
  },
  /** An export name. */
  exportName: { values: BASIC.filter((h) => h.is !== 'string' && h.label !== 'undefined'), expect: () => ({ throws: [PointerError], code: 'ERR_INVALID_OPTION' }) },
  /** A stack size of @ptr/worker. */
  workerStack: {
    values: BASIC.filter((h) => h.label !== 'undefined'),
    expect: (_h, v) => (isInt(v) && v >= 0 && v < 2 ** 32 ? 'skip' : { throws: [PointerError], code: 'ERR_INVALID_OPTION' }),
  },
  /** A parallelFor range (no array option): not a count, [start, end] or { start, end } -> ERR_INVALID_OPTION. */
  range: {
    values: BASIC.filter((h) => h.is !== 'huge'),
    expect: () => ({ throws: [PointerError], code: 'ERR_INVALID_OPTION' }),
  },
  /** Task arguments: anything structured-cloneable goes; a value that cannot be cloned -> PointerError (like core's move). */
  taskArgs: {
    values: [...BASIC, ...POINTERS],
    expect: (h, v) =>
      h.is === 'stack' || h.is === 'object'
        ? { throws: [PointerError], code: 'ERR_POINTER_NOT_TRANSFERABLE' }
        : v instanceof core.PointerBase || cloneable(v)
          ? { pointerErrorOrReturn: true }
          : T(PointerError),
  },
  /** What pack() walks: pointers that cannot travel -> ERR_POINTER_NOT_TRANSFERABLE; anything else is left to postMessage. */
  packable: {
    values: [...BASIC, ...POINTERS],
    expect: (h) => (h.is === 'stack' || h.is === 'object' ? { throws: [PointerError], code: 'ERR_POINTER_NOT_TRANSFERABLE' } : { pointerErrorOrReturn: true }),
  },
  /** A whole number >= 1 (chunks, chunkSize). */
  positiveInt: {
    values: BASIC,
    expect: (_h, v) => (isInt(v) && v >= 1 ? 'skip' : { throws: [PointerError], code: 'ERR_INVALID_OPTION' }),
  },
  /** A wire error (unpackError): returns an Error or throws a PointerError. */
  wireError: {
    values: BASIC,
    expect: () => ({ returns: (r) => (r instanceof Error ? null : `returned ${shortValue(r)}, not an Error`) }),
  },
  /** A pool (parallelFor's first argument). */
  pool: { values: BASIC, expect: () => T(PointerError) },
};

// ---------------------------------------------------------------------------
// The specs: every public function, its arguments' kinds and valid values

interface Spec {
  /** Argument kinds, in order, with a valid value for each (made fresh per call). */
  args: [kind: keyof typeof KINDS, valid: () => unknown][];
  /** Calls the function (default: the function itself). */
  call?: (...args: unknown[]) => unknown;
  /** Frees what a valid call allocated. */
  cleanup?: (result: unknown) => void;
  /** Needs a live frame around the call (stack pointer methods). */
  async?: boolean;
}

type Fn = (...args: unknown[]) => unknown;
const freeResult = (r: unknown): void => {
  if (typeof r === 'number' && r !== 0) heap.free(r);
  else if (r instanceof core.MemoryPointer && !r.freed) core.free(r as never);
};

/** Specs of exported functions, by "package.name". */
const SPECS: Record<string, Spec | string> = {
  // @ptr/native
  'native.heap.malloc': { args: [['size', () => 24]], cleanup: freeResult },
  'native.heap.calloc': { args: [['size', () => 3], ['size', () => 8]], cleanup: freeResult },
  'native.heap.realloc': { args: [['address', () => heap.malloc(32)], ['size', () => 48]], cleanup: freeResult },
  'native.heap.free': { args: [['address', () => heap.malloc(32)]] },
  'native.heap.usableSize': { args: [['address', () => fx.raw[2]!.address]] },
  'native.heap.tagOf': { args: [['address', () => fx.raw[2]!.address]] },
  'native.heap.isLive': { args: [['predicate', () => fx.raw[2]!.address], ['predicate', () => heap.tagOf(fx.raw[2]!.address).tag]] },
  'native.heap.tagWordOf': { args: [['predicate', () => fx.raw[2]!.address]] },
  'native.heap.stats': { args: [] },
  'native.heap.check': { args: [] },
  'native.withFrame': { args: [['frameSize', () => 64], ['callback', () => (a: number) => a]] },
  'native.currentFrame': { args: [] },
  'native.isFrameLive': { args: [['predicate', () => 0], ['predicate', () => 1]] },
  'native.stackSegmentWord': { args: [] },
  'native.parseByteSize': { args: [['any', () => 'X'], ['sizeText', () => '8m'], ['any', () => 0], ['any', () => 2 ** 32]] },
  'native.hex': { args: [['any', () => BASE]] },
  'native.sizeClasses.classOf': { args: [['size', () => 100]] },
  'native.napiNoop': { args: [] },
  'native.layout.descOf': { args: [['any', () => 100]] },
  'native.layout.unitOfDesc': { args: [['any', () => 9000]] },
  'native.layout.threadWord': { args: [['any', () => 1], ['any', () => 0]] },
  'native.layout.assertLayout': { args: [['any', () => ({})]] },
  // @ptr/core
  'core.malloc': { args: [['sizeOrType', () => 24]], cleanup: freeResult },
  'core.calloc': { args: [['size', () => 3], ['sizeOrType', () => core.int32]], cleanup: freeResult },
  'core.realloc': { args: [['pointer', () => core.malloc(32)], ['size', () => 48]], cleanup: freeResult },
  'core.free': { args: [['pointer', () => core.malloc(32)]] },
  'core.sizeof': { args: [['cloneable', () => 1]] },
  'core.heapStats': { args: [] },
  'core.heapCheck': { args: [] },
  'core.stackAlloc': { args: [['frameSize', () => 32], ['callback', () => (p: P) => p.size]], call: (s, fn) => ((core.stackAlloc as Fn)(s, fn) as Fn)() },
  'core.acquireStackAlloc': { args: [['frameSize', () => 32], ['callback', () => (p: P) => p.size]] },
  'core.toPtr': { args: [['any', () => 1]] },
  'core.bytes': { args: [['typeSize', () => 8]] },
  'core.pointer': { args: [['ctypeOptional', () => core.int32]] },
  'core.cstring': { args: [['typeSize', () => 8]] },
  'core.array': { args: [['ctype', () => core.int32], ['typeSize', () => 4]] },
  'core.struct': { args: [['fields', () => ({ a: core.int32 })], ['any', () => 'S']] },
  'core.alignof': { args: [['ctype', () => core.int32]] },
  'core.offsetof': { args: [['structType', () => Rec], ['fieldName', () => 'y']] },
  'core.typeToSpec': { args: [['ctype', () => core.int32]] },
  'core.typeFromSpec': { args: [['typeSpec', () => ({ k: 'int32' })]] },
  'core.describePointer': { args: [['describable', () => fx.i32]] },
  'core.revivePointer': { args: [['descriptor', () => core.describePointer(fx.i32)]] },
  'core.isPointerDescriptor': { args: [['predicate', () => ({ $ptr: 'null' })]] },
  'core.memcpy': { args: [['memPtr', () => fx.untypedEmpty], ['memPtr', () => fx.text], ['count', () => 4]] },
  'core.memmove': { args: [['memPtr', () => fx.untypedEmpty], ['memPtr', () => fx.text], ['count', () => 4]] },
  'core.memset': { args: [['memPtr', () => fx.untypedEmpty], ['byte', () => 0], ['count', () => 4]] },
  'core.memcmp': { args: [['memPtr', () => fx.untyped], ['memPtr', () => fx.text], ['count', () => 4]] },
  'core.strlen': { args: [['memPtr', () => fx.text]] },
  'core.strcpy': { args: [['memPtr', () => fx.untypedEmpty], ['cstrSource', () => fx.text]] },
  'core.strncpy': { args: [['memPtr', () => fx.untypedEmpty], ['cstrSource', () => fx.text], ['count', () => 8]] },
  'core.strcmp': { args: [['cstrSource', () => fx.text], ['cstrSource', () => 'hostile']] },
  // @ptr/worker (async ones resolve or reject)
  'worker.createPool': 'covered option by option (and the options argument itself) in the options tests below',
  'worker.parallelFor': { args: [['pool', () => pool], ['range', () => 2], ['any', () => ({ chunks: 1 })]], async: true },
  'worker.toFileUrl': { args: [['filename', () => tasksUrl.href], ['any', () => 'filename']] },
  'worker.task': { args: [['callback', () => () => 1]], call: (fn) => (ptrWorker.task as Fn)(fn) },
  'worker.isTask': { args: [['predicate', () => ptrWorker.task(() => 1)]] },
  'worker.pack': { args: [['packable', () => ({ a: 1 })]] },
  'worker.unpack': { args: [['any', () => ({ v: 1 })]] },
  'worker.packError': { args: [['any', () => new Error('x')]] },
  'worker.unpackError': { args: [['wireError', () => ptrWorker.packError(new Error('x'))]] },
  'worker.move': "piscina's move() re-exported unchanged (piscina validates its own argument)",
};

/** Option fields tested one by one (the rest of the options valid). */
const OPTION_SPECS: Record<string, { base: () => Record<string, unknown>; fields: Record<string, keyof typeof KINDS>; call: (o: unknown) => unknown; async?: boolean; cleanup?: (r: unknown) => void }> = {
  'worker.createPool(options)': {
    base: () => ({ filename: tasksUrl, maxThreads: 1, minThreads: 0 }),
    fields: { filename: 'filename', name: 'exportName', stack: 'workerStack' },
    call: (o) => ptrWorker.createPool(o as never),
    cleanup: (p) => void (p as ptrWorker.Pool).destroy(),
  },
  'worker.task(fn, options)': { base: () => ({}), fields: { stack: 'workerStack' }, call: (o) => ptrWorker.task(() => 1, o as never) },
  'Pool#run(args, options)': {
    base: () => ({}),
    fields: { name: 'exportName', filename: 'filename', stack: 'workerStack', signal: 'workerOption', transferList: 'transferList' },
    call: (o) => pool.run(1, o as never),
    async: true,
  },
  'Pool#parallelFor(range, options)': {
    base: () => ({ chunks: 1 }),
    fields: { chunks: 'positiveInt', chunkSize: 'positiveInt', array: 'workerOption', name: 'exportName', stack: 'workerStack' },
    call: (o) => pool.parallelFor(2, o as never),
    async: true,
  },
};

/** Methods of the pointer classes, by name: the kinds of their arguments (per value kind for move). */
const METHOD_SPECS: Record<string, ((p: P, fx: Fixture) => Spec) | string> = {
  deref: () => ({ args: [] }),
  view: () => ({ args: [] }),
  toArray: () => ({ args: [] }),
  toObject: () => ({ args: [] }),
  toString: () => ({ args: [] }),
  toJSON: () => ({ args: [] }),
  equals: () => ({ args: [['any', () => fx.i32]] }),
  add: (p) => ({ args: [['offset', () => 0]], call: (n) => p.add(n) }),
  at: (p) => ({ args: [['index', () => 0]], call: (i) => p.at(i) }),
  field: (p) => ({ args: [['fieldName', () => p.type.fields[0].name]], call: (n) => p.field(n) }),
  set: (p) => ({ args: [['arrayLike', () => []], ['optIndex', () => 0]], call: (v, i) => p.set(v, i) }),
  assign: (p) => ({ args: [['any', () => 1]], call: (v) => p.assign(v) }),
  move: (p) => {
    const t = p.type;
    if (p instanceof core.Pointer) return { args: [['any', () => ({})]], call: (v) => p.move(v) };
    if (t === null) return { args: [['cloneable', () => 1], ['moveOptions', () => undefined]], call: (v, o) => (o === undefined ? p.move(v) : p.move('x'.repeat(p.size + 1), o)) };
    if (t.kind === 'cstring') return { args: [['string', () => 'a']], call: (v) => p.move(v) };
    if (t.kind === 'pointer') return { args: [['addressValue', () => null]], call: (v) => p.move(v) };
    if (t.kind === 'struct') return { args: [['structInit', () => ({})]], call: (v) => p.move(v) };
    // an array stands for its first element: the element type's rules
    const e = t.kind === 'array' ? t.of : t;
    const k: keyof typeof KINDS = e.kind === 'bytes' ? 'cloneable' : e.kind === 'cstring' ? 'string' : e.kind === 'pointer' ? 'addressValue' : e.kind === 'struct' ? 'structInit' : 'number';
    return { args: [[k, () => (k === 'number' ? 0 : k === 'string' ? 'a' : k === 'structInit' ? {} : null)]], call: (v) => p.move(v) };
  },
  constructor: 'the classes are made by malloc/calloc/stackAlloc/toPtr (constructors are @internal)',
};

/** Methods of Pool: where their hostile inputs are tested, or why not. */
const POOL_METHODS: Record<string, string> = {
  run: 'the Pool#run tests',
  parallelFor: 'the Pool#parallelFor tests',
  close: "piscina's close(options), passed through",
  destroy: 'takes no arguments',
  on: "piscina's EventEmitter, passed through",
  once: "piscina's EventEmitter, passed through",
  off: "piscina's EventEmitter, passed through",
  constructor: 'createPool (the options tests)',
};

// ---------------------------------------------------------------------------
// Running one hostile call

/** Misbehaving calls, grouped: by call site and expectation, then by what happened instead, with the hostile values that did it. */
class Outcome {
  calls = 0;
  private groups = new Map<string, Map<string, { values: string[]; example: string }>>();
  get count(): number {
    let n = 0;
    for (const g of this.groups.values()) for (const x of g.values()) n += x.values.length;
    return n;
  }
  add(site: string, value: string, what: string, example: string): void {
    let g = this.groups.get(site);
    if (!g) this.groups.set(site, (g = new Map()));
    let x = g.get(what);
    if (!x) g.set(what, (x = { values: [], example }));
    x.values.push(value);
  }
  /** One line per call site and outcome: `site: what, for [values] (e.g. message)`. */
  lines(): string[] {
    const out: string[] = [];
    for (const [site, g] of this.groups) for (const [what, x] of g) out.push(`${site}: ${what} for [${x.values.join(', ')}]${x.example ? ` — e.g. ${x.example}` : ''}`);
    return out;
  }
}

/** What happened, without the details that differ between values (for grouping). */
function signature(threw: boolean, value: unknown): string {
  if (!threw) return 'returned';
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return `threw ${value.constructor?.name ?? value.name}${code !== undefined ? `[${String(code)}]` : ''}`;
  }
  return 'threw a non-Error';
}

function isPromise(v: unknown): v is Promise<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as Promise<unknown>).then === 'function';
}

/** Judges a result or a thrown value against `e`; null when it is right. */
function judge(e: Expect, threw: boolean, value: unknown): string | null {
  if (e === 'skip') return null;
  if ('throws' in e) {
    const want = e.throws.map((c) => c.name).join(' or ') + (e.code ? ` [${e.code}]` : '');
    if (!threw) return `expected ${want}, returned ${shortValue(value)}`;
    if (value === null || typeof value !== 'object' || !e.throws.includes((value as Error).constructor as ErrorClass)) return `expected ${want}, threw ${describeError(value)}`;
    if (e.code && (value as { code?: unknown }).code !== e.code) return `expected ${want}, threw ${describeError(value)}`;
    return null;
  }
  if ('returns' in e) return threw ? `expected a result, threw ${describeError(value)}` : e.returns(value);
  if (threw && !(value instanceof PointerError)) return `threw ${describeError(value)}, not a PointerError`;
  return null;
}

async function hostileCall(label: string, expect: Expect, argLabel: string, addressArg: unknown, run: () => unknown, cleanup: ((r: unknown) => void) | undefined, out: Outcome): Promise<void> {
  if (expect === 'skip') return;
  out.calls++;
  const before = figures();
  const sum = fixtureSum(fx);
  const around = checksumAround(addressArg);
  let threw = false;
  let value: unknown;
  try {
    value = run();
    if (isPromise(value)) value = await withTimeout(value, 15_000, label);
  } catch (e) {
    threw = true;
    value = e;
  }
  const bad = judge(expect, threw, value);
  if (!threw && cleanup) {
    try {
      cleanup(value);
    } catch {
      // the call misbehaved already
    }
  }
  if (bad) {
    const want = typeof expect === 'object' && 'throws' in expect ? `expected ${expect.throws.map((c) => c.name).join(' or ')}${expect.code ? ` [${expect.code}]` : ''}` : 'expected a result or a PointerError';
    out.add(`${label} (${want})`, argLabel, signature(threw, value), bad.replace(/^expected [^,]*, /, ''));
  }
  // A refused call (and a predicate) changes nothing: heap figures, the bytes of live blocks, the bytes around an address it named.
  if (threw || 'returns' in expect) {
    const what = threw ? 'refused, but' : 'a predicate, but';
    const changed = diffFigures(before, figures());
    if (changed) out.add(label, argLabel, `${what} the heap's figures changed`, changed);
    if (fixtureSum(fx) !== sum) out.add(label, argLabel, `${what} the bytes of live blocks changed`, '');
    if (checksumAround(addressArg) !== around) out.add(label, argLabel, `${what} the bytes around the address it named changed`, '');
  }
}

async function runSpec(name: string, spec: Spec, out: Outcome): Promise<void> {
  const fn = (spec.call ?? resolveExport(name)) as Fn;
  for (let i = 0; i < spec.args.length; i++) {
    const [kindName] = spec.args[i]!;
    const kind = KINDS[kindName]!;
    for (const h of kind.values) {
      const v = h.make();
      const e = kind.expect(h, v);
      const args = spec.args.map(([, valid], j) => (j === i ? v : valid()));
      await hostileCall(`${name}(arg ${i + 1}: ${kindName})`, e, h.label, v, () => fn(...args), spec.cleanup, out);
      // valid values made for the other arguments (fresh blocks) are released when the call did not take them
      args.forEach((a, j) => {
        if (j !== i && typeof a === 'number' && a !== 0 && spec.args[j]![0] === 'address' && heap.tagWordOf(a) !== -1) heap.free(a);
        if (j !== i && a instanceof core.MemoryPointer && spec.args[j]![0] === 'pointer' && !a.freed) core.free(a as never);
      });
    }
  }
  heap.check();
}

function resolveExport(name: string): unknown {
  const [pkg, ...path] = name.split('.');
  let v: unknown = { native, core, worker: ptrWorker }[pkg!];
  for (const k of path) v = (v as Record<string, unknown>)[k];
  return v;
}

// ---------------------------------------------------------------------------
// Enumerating the public surface

const isClass = (f: unknown): boolean => typeof f === 'function' && /^class\b/.test(Function.prototype.toString.call(f));

/** Every exported function (not class), by "package.name", including the members of exported plain objects (heap, layout). */
function publicFunctions(): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const seen = new Set<unknown>();
  const visit = (prefix: string, ns: Record<string, unknown>, depth: number): void => {
    for (const key of Object.keys(ns).sort()) {
      const v = ns[key];
      if (typeof v === 'function' && !isClass(v)) {
        if (!seen.has(v)) out.set(`${prefix}.${key}`, v);
        seen.add(v);
      } else if (depth === 0 && v !== null && typeof v === 'object' && !(v instanceof core.PointerBase) && !(v instanceof core.CType) && !Array.isArray(v)) {
        visit(`${prefix}.${key}`, v as Record<string, unknown>, 1);
      }
    }
  };
  visit('native', native as unknown as Record<string, unknown>, 0);
  visit('core', core as unknown as Record<string, unknown>, 0);
  visit('worker', ptrWorker as unknown as Record<string, unknown>, 0);
  return out;
}

/** Methods (by name) on the prototype chain of `p` below Object.prototype, except internals (`_`-prefixed, @internal). */
function methodsOf(p: object): string[] {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(p); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, key)!;
      if (typeof d.value === 'function' && !key.startsWith('_')) names.add(key);
    }
  }
  return [...names].sort();
}

// ---------------------------------------------------------------------------
// The tests

test.serial('every public function and pointer method has a hostile-input spec', (t) => {
  const missing = [...publicFunctions().keys()].filter((k) => !(k in SPECS));
  t.deepEqual(missing, [], `exports with no entry in SPECS (test/reliability/hostile-inputs.test.ts): add one`);
  const methods = new Set<string>();
  for (const p of instances()) for (const m of methodsOf(p.ptr)) methods.add(m);
  const missingMethods = [...methods].filter((m) => !(m in METHOD_SPECS));
  t.deepEqual(missingMethods, [], 'pointer methods with no entry in METHOD_SPECS');
  const poolMethods = methodsOf(pool).filter((m) => !(m in POOL_METHODS));
  t.deepEqual(poolMethods, [], 'Pool methods with no entry in POOL_METHODS');
  const classes = Object.entries({ ...native, ...core, ...ptrWorker }).filter(([, v]) => isClass(v)).map(([k]) => k);
  t.log(`${publicFunctions().size} functions, ${methods.size} pointer methods, ${classes.length} classes: ${classes.join(' ')}`);
});

for (const [name] of publicFunctions()) {
  const spec = SPECS[name];
  if (typeof spec === 'string' || spec === undefined) continue;
  test.serial(`${name}: hostile arguments get the typed error and change nothing`, async (t) => {
    const out = new Outcome();
    await runSpec(name, spec, out);
    t.log(`${out.calls} hostile calls`);
    t.deepEqual(out.lines(), [], `${out.count} of ${out.calls} hostile calls misbehaved`);
  });
}

for (const [name, o] of Object.entries(OPTION_SPECS)) {
  test.serial(`${name}: hostile option values get ERR_INVALID_OPTION`, async (t) => {
    const out = new Outcome();
    for (const [field, kindName] of Object.entries(o.fields)) {
      const kind = KINDS[kindName]!;
      for (const h of kind.values) {
        if (h.label === 'undefined' || h.label === 'null') continue; // an option left out
        const v = h.make();
        const e = kind.expect(h, v);
        await hostileCall(`${name} { ${field} }`, e, h.label, undefined, () => o.call({ ...o.base(), [field]: v }), o.cleanup, out);
      }
    }
    // the options argument itself: null and non-objects (objects of any class are options objects)
    for (const h of BASIC.filter((x) => x.label === 'null' || (x.label !== 'undefined' && typeof x.make() !== 'object'))) {
      await hostileCall(`${name} (options itself)`, { throws: [PointerError], code: 'ERR_INVALID_OPTION' }, h.label, undefined, () => o.call(h.make()), o.cleanup, out);
    }
    t.log(`${out.calls} hostile calls`);
    t.deepEqual(out.lines(), [], `${out.count} of ${out.calls} hostile calls misbehaved`);
  });
}

test.serial('Pool#run and Pool#parallelFor: hostile first arguments', async (t) => {
  const out = new Outcome();
  for (const h of KINDS.taskArgs!.values) {
    const v = h.make();
    await hostileCall('pool.run(args)', KINDS.taskArgs!.expect(h, v), h.label, undefined, () => pool.run(v), undefined, out);
  }
  for (const h of KINDS.range!.values) {
    const v = h.make();
    await hostileCall('pool.parallelFor(range)', KINDS.range!.expect(h, v), h.label, undefined, () => pool.parallelFor(v as never, { chunks: 1 }), undefined, out);
  }
  t.deepEqual(out.lines(), [], `${out.count} of ${out.calls} hostile calls misbehaved`);
});

/** Live instances of every pointer class (and the states a method may meet). */
function instances(): { label: string; ptr: P }[] {
  return [
    { label: 'AllocatedPointer (untyped)', ptr: fx.untyped },
    { label: 'AllocatedPointer (empty)', ptr: fx.untypedEmpty },
    { label: 'Int32Pointer', ptr: fx.i32 },
    { label: 'Int64Pointer', ptr: fx.i64 },
    { label: 'BoolPointer', ptr: fx.flag },
    { label: 'Float64Pointer', ptr: fx.f64 },
    { label: 'CStringPointer', ptr: fx.text },
    { label: 'AddressPointer', ptr: fx.addr },
    { label: 'AllocatedArrayPointer (int32)', ptr: fx.ints },
    { label: 'AllocatedArrayPointer (untyped slots)', ptr: fx.slots },
    { label: 'StructPointer', ptr: fx.rec },
    { label: 'Pointer (object)', ptr: core.toPtr({ o: 1 }) },
    { label: 'Pointer (NULL)', ptr: core.NULL },
  ];
}

test.serial('pointer methods: hostile arguments get the typed error and change nothing', async (t) => {
  const out = new Outcome();
  for (const { label, ptr } of instances()) {
    for (const m of methodsOf(ptr)) {
      const specOf = METHOD_SPECS[m];
      if (typeof specOf !== 'function') continue;
      const spec = specOf(ptr, fx);
      if (ptr === core.NULL && m !== 'assign') continue; // NULL: NullPointerError for everything, below
      for (let i = 0; i < spec.args.length; i++) {
        const [kindName] = spec.args[i]!;
        const kind = KINDS[kindName]!;
        for (const h of kind.values) {
          const v = h.make();
          const e = kind.expect(h, v);
          const args = spec.args.map(([, valid], j) => (j === i ? v : valid()));
          const call = spec.call ?? ((...a: unknown[]) => (ptr[m] as Fn).apply(ptr, a));
          await hostileCall(`${label}.${m}(arg ${i + 1}: ${kindName})`, e, h.label, v, () => call(...args), undefined, out);
        }
      }
    }
  }
  // NULL refuses every use with NullPointerError
  for (const [m, call] of [
    ['deref', () => core.NULL.deref()],
    ['move', () => core.NULL.move(1 as never)],
    ['assign', () => core.NULL.assign(1 as never)],
  ] as const) {
    await hostileCall(`NULL.${m}()`, T(NullPointerError), '-', undefined, call, undefined, out);
  }
  heap.check();
  t.log(`${out.calls} hostile calls`);
  t.deepEqual(out.lines(), [], `${out.count} of ${out.calls} hostile calls misbehaved`);
});

test.serial('pointer methods on freed pointers and popped frames: FreedMemoryError, nothing changes', async (t) => {
  const out = new Outcome();
  const freedOnes: { label: string; ptr: P }[] = [
    { label: 'freed AllocatedPointer', ptr: fx.freed },
    { label: 'freed AllocatedArrayPointer', ptr: fx.freedArray },
    { label: 'freed StructPointer', ptr: fx.freedStruct },
    { label: 'popped StackAllocatedPointer', ptr: fx.deadStack },
    { label: 'pointer another thread freed', ptr: core.revivePointer(other.freedDescriptor) },
    { label: 'typed pointer another thread freed', ptr: core.revivePointer(other.typedDescriptor) },
  ];
  const benign = new Set(['toString', 'toJSON', 'equals', 'constructor']);
  for (const { label, ptr } of freedOnes) {
    for (const m of methodsOf(ptr)) {
      if (benign.has(m)) continue;
      const specOf = METHOD_SPECS[m];
      if (typeof specOf !== 'function') continue;
      const spec = specOf(ptr, fx);
      const args = spec.args.map(([, valid]) => valid());
      const call = spec.call ?? ((...a: unknown[]) => (ptr[m] as Fn).apply(ptr, a));
      await hostileCall(`${label}.${m}()`, T(FreedMemoryError), 'valid arguments', undefined, () => call(...args), undefined, out);
    }
    await hostileCall(`[...${label}]`, T(FreedMemoryError), '-', undefined, () => [...ptr], undefined, out);
    for (const g of ['address', 'size', 'freed', 'assigned', 'isNull', 'type', 'length', 'slotSize']) {
      await hostileCall(`${label}.${g} (getter)`, { pointerErrorOrReturn: true }, '-', undefined, () => ptr[g], undefined, out);
    }
    if (ptr.freed !== true) out.add(`${label}.freed`, '-', `is ${ptr.freed}`, '');
  }
  t.log(`${out.calls} calls`);
  t.deepEqual(out.lines(), [], `${out.count} of ${out.calls} calls misbehaved`);
});

test.serial('stack pointers inside their frame: hostile arguments to their methods', async (t) => {
  const out = new Outcome();
  const pending: Promise<void>[] = [];
  core.acquireStackAlloc(64, (sp: P) => {
    sp.move('in the frame');
    for (const m of methodsOf(sp)) {
      const specOf = METHOD_SPECS[m];
      if (typeof specOf !== 'function') continue;
      const spec = specOf(sp, fx);
      for (let i = 0; i < spec.args.length; i++) {
        const [kindName] = spec.args[i]!;
        const kind = KINDS[kindName]!;
        for (const h of kind.values) {
          const v = h.make();
          const args = spec.args.map(([, valid], j) => (j === i ? v : valid()));
          const call = spec.call ?? ((...a: unknown[]) => (sp[m] as Fn).apply(sp, a));
          // synchronous inside the frame: the outcome is judged now
          pending.push(hostileCall(`StackAllocatedPointer.${m}(arg ${i + 1}: ${kindName})`, kind.expect(h, v), h.label, v, () => call(...args), undefined, out));
        }
      }
    }
    for (const [what, call] of [
      ['free(stack pointer)', () => core.free(sp)],
      ['realloc(stack pointer)', () => core.realloc(sp, 128)],
      ['heap.free(stack address)', () => heap.free(sp.address)],
    ] as const) {
      pending.push(hostileCall(what, T(InvalidPointerError), 'a live frame', sp.address, call, undefined, out));
    }
  });
  await Promise.all(pending);
  t.log(`${out.calls} calls`);
  t.deepEqual(out.lines(), [], `${out.count} of ${out.calls} calls misbehaved`);
});

test.serial('parallelFor with a huge range: refused (ERR_INVALID_OPTION), the process survives', async (t) => {
  const child = fileURLToPath(new URL('../fixtures/reliability/hostile-child.mjs', import.meta.url));
  const cases = ['parallelFor(2^31, { chunkSize: 1 })', 'parallelFor(2^31, { chunks: 2^31 })', 'parallelFor([0, 2^40], { chunkSize: 1 })', 'parallelFor(2^53 - 1, { chunks: 2^53 - 1 })'];
  const results = await Promise.all(
    cases.map(
      (c) =>
        new Promise<{ c: string; code: number | null; signal: string | null; out: string; err: string }>((resolve) => {
          const p = spawn(process.execPath, [child, c], { stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          let err = '';
          p.stdout.on('data', (d) => (out += d));
          p.stderr.on('data', (d) => (err += d));
          const timer = setTimeout(() => p.kill('SIGKILL'), 40_000);
          p.on('close', (code, signal) => {
            clearTimeout(timer);
            resolve({ c, code, signal, out, err });
          });
        }),
    ),
  );
  for (const r of results) {
    const line = r.out.trim().split('\n').pop() ?? '';
    const crashed = r.code !== 0 || r.signal !== null;
    t.false(crashed, `${r.c}: the process crashed (exit ${r.code}, signal ${r.signal}): ${r.err.split('\n').slice(0, 6).join(' | ')}`);
    if (crashed) continue;
    const res = JSON.parse(line || '{}');
    t.true(res.threw === 'PointerError' && res.code === 'ERR_INVALID_OPTION', `${r.c}: expected PointerError [ERR_INVALID_OPTION], got ${line}`);
  }
});

test.serial('isFrameLive: depths and serials of no live frame are not live', (t) => {
  const wrong: string[] = [];
  const probe = (d: number, sr: number): void => {
    if (native.isFrameLive(d, sr) !== false) wrong.push(`isFrameLive(${d}, ${sr})`);
  };
  for (const d of [-1, -2, -5, -16, 0, 1, 8191, 8192, 2 ** 31, 0.5, NaN, Infinity]) for (const sr of [0, 1, -1]) probe(d, sr);
  native.withFrame(16, () => {
    const { depth, serial } = native.currentFrame();
    if (!native.isFrameLive(depth, serial)) wrong.push('the current frame is not live');
    for (const d of [-1, -2, depth + 1]) for (const sr of [0, serial]) probe(d, sr);
  });
  t.deepEqual(wrong, [], 'these report a live frame where there is none');
});

test.serial('the heap is sound after all hostile calls, the fixture intact', (t) => {
  heap.check();
  for (const b of fx.raw) t.is(findPatternDamage(b.address, b.size, b.seed), -1, `block of ${b.size} bytes intact`);
  // (untyped memory took the values valid moves stored; these were only ever refused)
  t.deepEqual(fx.ints.toArray(), [1, 2, 3, 4, 5, 6]);
  t.deepEqual(fx.rec.toObject(), { x: 7, y: 2.5, name: 'rec' });
  t.is(fx.text.deref(), 'hostile');
});
