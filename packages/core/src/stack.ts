/**
 * Stack allocation (pointers.py's `stack_alloc` / `acquire_stack_alloc`).
 *
 * Each call pushes a frame on this thread's stack segment with the native
 * `withFrame`, runs the callback with a pointer to the frame's memory inside
 * that native frame, and pops the frame when the callback returns or throws.
 * A stack pointer's liveness is its frame's (depth, serial) from
 * `currentFrame()`, read as one word (memory.ts): after the frame, every use of
 * the pointer and of pointers derived from it (add, at, field, view
 * accessors) throws FreedMemoryError. Typed-array views cannot be revoked: use
 * them only inside the frame. Stack pointers cannot be freed or resized
 * (InvalidPointerError).
 */
import { withFrame } from '@ptr/native';
import { BASE, align16, frameTag, live, zero } from './memory.js';
import { AllocatedPointer, MemoryPointer, STACK } from './allocated.js';
import { clear } from './codec.js';
import { asyncCallback, badSize, notAFunction, stackOverflow } from './errors.js';
import { CType, type BytesType, type PointerFor } from './types.js';
import { pointerAt } from './factory.js';

/**
 * A pointer to stack memory (pointers.py's `StackAllocatedPointer`): the
 * argument of a `stackAlloc` callback. Untyped frames give instances of this
 * class; typed frames give the type's pointer class, and `instanceof
 * StackAllocatedPointer` is true for every pointer into a stack frame.
 */
export class StackAllocatedPointer<T = unknown> extends AllocatedPointer<T> {}

// `instanceof StackAllocatedPointer` is true for any memory pointer into a stack
// frame. Defined after the class, not as a `static [Symbol.hasInstance]` member:
// with the static member V8 kept re-optimizing this class's constructor (every
// stack frame took ~700 ns instead of ~90).
Object.defineProperty(StackAllocatedPointer, Symbol.hasInstance, {
  value: (v: unknown): boolean => v instanceof MemoryPointer && (v._flags & STACK) !== 0,
});

/** What a stack callback receives for `size` (untyped) or a type. */
export type StackPointerFor<S> = S extends CType ? (S extends BytesType ? StackAllocatedPointer<unknown> : PointerFor<S>) : StackAllocatedPointer<unknown>;

function frameSize(what: string, sizeOrType: unknown): number {
  if (sizeOrType instanceof CType) return sizeOrType.size;
  if (typeof sizeOrType !== 'number' || !Number.isInteger(sizeOrType) || sizeOrType < 0 || sizeOrType > 0xffffffff) {
    throw badSize(`${what}: size`, sizeOrType);
  }
  return sizeOrType;
}

const noop = (): void => {};

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

// The frame body reads what to do from these, so that a frame needs no closure
// allocated per call. It copies them into locals before any user code runs, so
// nested frames (which overwrite them) are safe.
let nextSize = 0;
let nextType: CType | null = null;
let nextFn: ((ptr: never, ...args: never[]) => unknown) | null = null;
let nextArgs: unknown[] | null = null;
/** Frames whose body ran: run() checks its own frame's body ran (nested frames only add to it). */
let framesEntered = 0;

function frameBody(address: number): unknown {
  const size = nextSize;
  const type = nextType;
  const fn = nextFn!;
  const args = nextArgs;
  framesEntered++;
  frameTag();
  const o = address - BASE;
  const end = o + align16(size);
  if (type === null) {
    if (size > 0) clear(o);
  } else zero(o, size);
  const ptr = pointerAt(type, o, live.w, live.t, o, o + size, o, end, STACK) as never;
  return args === null ? fn(ptr) : fn(ptr, ...(args as never[]));
}

function run<S, A extends unknown[], R>(size: number, type: CType | null, fn: (ptr: StackPointerFor<S>, ...args: A) => R, args: A | null): R {
  nextSize = size;
  nextType = type;
  nextFn = fn as never;
  nextArgs = args;
  const before = framesEntered;
  const result = withFrame(size, frameBody) as R;
  // withFrame throws when the frame does not fit; should an error of its ever
  // get lost on the way, the callback not running still must not pass silently.
  if (framesEntered === before) throw stackOverflow(size);
  if (isThenable(result)) {
    // The frame is gone already; keep the promise's rejection (its next use of
    // the pointer throws) from surfacing as an unhandled rejection.
    Promise.resolve(result).then(undefined, noop);
    throw asyncCallback();
  }
  return result;
}

/**
 * pointers.py's `stack_alloc`: returns a function; each call runs
 * `fn(ptr, ...args)` with `size` bytes (untyped) or a `type` on this thread's
 * stack, and returns what `fn` returns. The memory dies when `fn` returns.
 * `fn` must be synchronous.
 *
 * @example
 * const sum = stackAlloc(array(float64, 3), (xs, a: number) => {
 *   xs.set([a, 2, 3]);
 *   return xs.view().reduce((s, x) => s + x, 0);
 * });
 * sum(1); // 6
 * @throws InvalidSizeError for a bad size (at once).
 * @throws PointerError (at call) when `fn` returns a Promise; the frame is popped anyway.
 * @throws AllocationError when the thread's stack segment is full.
 */
export function stackAlloc<S extends number | CType, A extends unknown[], R>(
  sizeOrType: S,
  fn: (ptr: StackPointerFor<S>, ...args: A) => R,
): (...args: A) => R {
  const size = frameSize('stackAlloc', sizeOrType);
  if (typeof fn !== 'function') throw notAFunction('stackAlloc(size, fn)', fn);
  const type = sizeOrType instanceof CType ? sizeOrType : null;
  return (...args: A): R => run(size, type, fn, args);
}

/**
 * pointers.py's `acquire_stack_alloc`: runs `fn(ptr)` at once on a new stack
 * frame and returns its result.
 *
 * @example
 * const n = acquireStackAlloc(int32, (p) => p.move(41).deref() + 1); // 42
 */
export function acquireStackAlloc<S extends number | CType, R>(sizeOrType: S, fn: (ptr: StackPointerFor<S>) => R): R {
  const size = frameSize('acquireStackAlloc', sizeOrType);
  if (typeof fn !== 'function') throw notAFunction('acquireStackAlloc(size, fn)', fn);
  return run(size, sizeOrType instanceof CType ? sizeOrType : null, fn, null);
}
