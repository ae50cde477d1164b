/**
 * Every error `@ptr` throws. Each is a {@link PointerError} with a stable `code`;
 * @ptr/core re-exports them. Messages live here so they read the same everywhere.
 */
export class PointerError extends Error {
  /** Stable machine-readable code, e.g. `ERR_FREED_MEMORY`. */
  readonly code: string;
  constructor(message: string, code = 'ERR_POINTER') {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Dereference or move through `NULL`. */
export class NullPointerError extends PointerError {
  constructor(message = 'pointer is NULL') {
    super(message, 'ERR_NULL_POINTER');
  }
}

/** Use after free (from any thread), double free, or a stack pointer used after its frame. */
export class FreedMemoryError extends PointerError {
  constructor(message: string) {
    super(message, 'ERR_FREED_MEMORY');
  }
}

/** Dereference of allocated memory that holds no value yet. */
export class DereferenceError extends PointerError {
  constructor(message = 'cannot dereference allocated memory that has no value') {
    super(message, 'ERR_DEREFERENCE');
  }
}

/** A value larger than its block, a bad size argument, or realloc below the held value. */
export class InvalidSizeError extends PointerError {
  constructor(message: string) {
    super(message, 'ERR_INVALID_SIZE');
  }
}

/** The heap is exhausted. The heap stays usable: free memory and try again. */
export class AllocationError extends PointerError {
  constructor(message = 'failed to allocate memory: the heap is exhausted') {
    super(message, 'ERR_ALLOCATION');
  }
}

/** Free of a stack, interior or foreign pointer; an address outside the heap. */
export class InvalidPointerError extends PointerError {
  constructor(message: string) {
    super(message, 'ERR_INVALID_POINTER');
  }
}

/** An index or offset outside the allocation. */
export class OutOfBoundsError extends PointerError {
  constructor(message: string) {
    super(message, 'ERR_OUT_OF_BOUNDS');
  }
}

/** Formats an address the way every message and `toString()` shows it. */
export function hex(address: number): string {
  if (typeof address === 'number') return '0x' + address.toString(16);
  if (typeof address === 'bigint') return '0x' + (address as bigint).toString(16);
  return `(not an address: ${typeof address})`;
}
