/**
 * Errors of @ptr/core. The classes live in @ptr/native (one set per process, so
 * `instanceof` works across packages) and are re-exported here; every message
 * @ptr/core throws is built in this file so that they read the same everywhere.
 */
import {
  AllocationError,
  DereferenceError,
  FreedMemoryError,
  InvalidPointerError,
  InvalidSizeError,
  NullPointerError,
  OutOfBoundsError,
  PointerError,
  hex,
} from '@ptr/native';

export {
  AllocationError,
  DereferenceError,
  FreedMemoryError,
  InvalidPointerError,
  InvalidSizeError,
  NullPointerError,
  OutOfBoundsError,
  PointerError,
  hex,
};

/** A short, safe description of any value for messages. */
export function describe(v: unknown): string {
  if (typeof v === 'string') return v.length > 40 ? JSON.stringify(v.slice(0, 40)) + '…' : JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return v.toString();
  if (typeof v === 'function') return `a function${v.name ? ` (${v.name})` : ''}`;
  if (v === null) return 'null';
  if (typeof v === 'object') {
    const ctor = (v as { constructor?: { name?: unknown } }).constructor;
    const name = ctor && typeof ctor.name === 'string' && ctor.name ? ctor.name : Object.prototype.toString.call(v).slice(8, -1);
    return `an object (${name})`;
  }
  return String(v);
}

// ---------------------------------------------------------------------------
// Liveness

export const freedError = (what: string): FreedMemoryError => new FreedMemoryError(`${what} has been freed`);
export const frameGoneError = (what: string): FreedMemoryError =>
  new FreedMemoryError(`${what} has been freed: its stack frame returned (stack memory lives only inside the stackAlloc callback)`);
export const nullError = (op: string): NullPointerError => new NullPointerError(`pointer is NULL: cannot ${op} through NULL`);

// ---------------------------------------------------------------------------
// Sizes

export const badSize = (what: string, v: unknown): InvalidSizeError =>
  new InvalidSizeError(`${what} must be a non-negative integer, got ${describe(v)}`);
export const tooBig = (needed: number, size: number): InvalidSizeError =>
  new InvalidSizeError(`object is of size ${needed}, while memory allocation is ${size}`);
export const tooBigUnsafe = (needed: number, usable: number): InvalidSizeError =>
  new InvalidSizeError(
    `object is of size ${needed}, larger than the ${usable} usable bytes of the block: even an unsafe move never writes outside its block`,
  );
export const reallocBelowValue = (held: number, size: number): InvalidSizeError =>
  new InvalidSizeError(`object inside memory is of size ${held}, so memory cannot be set to size ${size}`);
export const reallocBelowType = (typeName: string, typeSize: number, size: number): InvalidSizeError =>
  new InvalidSizeError(`memory holds a ${typeName} of ${typeSize} bytes, so it cannot be resized to ${size}`);

// ---------------------------------------------------------------------------
// Bounds

export const offsetOutOfBounds = (n: unknown, lo: number, hi: number): OutOfBoundsError =>
  new OutOfBoundsError(`offset ${describe(n)} is outside the allocation: valid offsets from this pointer are ${lo} to ${hi}`);
export const indexOutOfBounds = (i: unknown, length: number): OutOfBoundsError =>
  new OutOfBoundsError(
    length === 0 ? `index ${describe(i)} is out of bounds: the array is empty` : `index ${describe(i)} is out of bounds: valid indices are 0 to ${length - 1}`,
  );

// ---------------------------------------------------------------------------
// Pointers of the wrong kind

export const freeStack = (what: string): InvalidPointerError =>
  new InvalidPointerError(`${what}: pointers to items on the stack may not be freed; the frame frees them when its callback returns`);
export const reallocStack = (what: string): InvalidPointerError =>
  new InvalidPointerError(`${what}: pointers to items on the stack may not be resized`);
export const freeInterior = (what: string): InvalidPointerError =>
  new InvalidPointerError(`${what}: not the start of its block (a pointer made by add(), at(), field()); free the pointer malloc/calloc returned`);
export const reallocNotOwner = (what: string): InvalidPointerError =>
  new InvalidPointerError(`${what}: only the pointer that malloc/calloc returned can be resized`);
export const notAPointer = (op: string, v: unknown): InvalidPointerError =>
  new InvalidPointerError(`${op}: expected a pointer, got ${describe(v)}`);
export const freeObjectPointer = (what: string): InvalidPointerError =>
  new InvalidPointerError(`${what}: an object pointer points at a JavaScript value, not heap memory; it cannot be freed`);

// ---------------------------------------------------------------------------
// Values

export const notCloneable = (v: unknown, cause: unknown): PointerError => {
  const e = new PointerError(
    `cannot move ${describe(v)} into memory: untyped memory holds structured-cloneable values only (${cause instanceof Error ? cause.message : String(cause)})`,
    'ERR_POINTER',
  );
  (e as { cause?: unknown }).cause = cause;
  return e;
};
export const noValue = (): DereferenceError => new DereferenceError('cannot dereference allocated memory that has no value');
export const garbledValue = (why: string): DereferenceError =>
  new DereferenceError(`cannot dereference: the memory does not hold a value @ptr encoded (${why})`);
export const wrongValueType = (typeName: string, expected: string, v: unknown): PointerError =>
  new PointerError(`a ${typeName} holds ${expected}, got ${describe(v)}`, 'ERR_POINTER');
export const cstringTooLong = (bytes: number, n: number): InvalidSizeError =>
  new InvalidSizeError(`string is ${bytes} bytes in UTF-8, a char[${n}] holds at most ${n - 1} and the terminating NUL`);
export const arrayTooLong = (length: number, n: number): InvalidSizeError =>
  new InvalidSizeError(`array of ${length} elements does not fit in ${n} slots`);
export const unknownField = (structName: string, name: unknown): PointerError =>
  new PointerError(`${structName} has no field ${describe(name)}`, 'ERR_POINTER');
export const misaligned = (what: string, align: number): InvalidPointerError =>
  new InvalidPointerError(`${what}: address is not aligned to ${align} bytes, so no typed-array view can cover it`);
export const noView = (what: string, typeName: string): PointerError =>
  new PointerError(`${what}: no typed-array view of ${typeName}: view() needs numbers, bigints or bools`, 'ERR_POINTER');

// ---------------------------------------------------------------------------
// Object pointers

export const moveKindMismatch = (src: string, dst: string): PointerError =>
  new PointerError(`cannot move ${src} into ${dst}: move() replaces a target's contents with those of the same kind of object`, 'ERR_POINTER');
export const movePrimitive = (dst: string): PointerError =>
  new PointerError(`cannot move into ${dst}: JavaScript primitives are immutable; use assign() to re-point the pointer`, 'ERR_POINTER');
export const moveLocked = (dst: string): PointerError =>
  new PointerError(`cannot move into ${dst}: the target is frozen, sealed or not extensible`, 'ERR_POINTER');
export const typedArrayTooLong = (src: number, dst: number): InvalidSizeError =>
  new InvalidSizeError(`target size may not exceed current size: the source has ${src} elements, the target ${dst}`);
export const assignNull = (): NullPointerError => new NullPointerError('NULL cannot be re-pointed: use toPtr(value) for a new pointer');
export const assignMemoryPointer = (v: string): PointerError =>
  new PointerError(`can only point to an object pointer's target or a value, got ${v}; use toPtr(ptr) for a pointer to the pointer object`, 'ERR_POINTER');

// ---------------------------------------------------------------------------
// Stack

export const asyncCallback = (): PointerError =>
  new PointerError(
    'the stackAlloc callback returned a Promise (or thenable): stack memory must be used synchronously, because the frame is popped when the callback returns, before the promise settles',
    'ERR_POINTER',
  );
export const stackOverflow = (size: number): AllocationError =>
  new AllocationError(`stack segment overflow: a frame of ${size} bytes does not fit on this thread's stack segment (set PTR_STACK_SIZE for more)`);
export const notAFunction = (op: string, v: unknown): PointerError => new PointerError(`${op}: expected a function, got ${describe(v)}`, 'ERR_POINTER');
