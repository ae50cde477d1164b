/**
 * What every pointer shares: pointers.py's operators as methods (`~p` is
 * `deref()`, `<<=` is `move()`; `*p`, iteration, is each class's own), equality by address, and
 * the printed forms `Name(0x7f…)` (toString) and `Name(address=…, size=…)`
 * (util.inspect, like pointers.py's repr).
 */
import { hex } from './errors.js';

/** The symbol util.inspect looks for (no import of node:util needed). */
export const inspectSymbol: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;

/**
 * Method of live struct views that returns a plain copy of the struct: untyped
 * memory stores that copy (a view's own properties are internals only).
 */
export const snapshotSymbol: unique symbol = Symbol('ptr.snapshot') as never;

/** Options of `move()`. */
export interface MoveOptions {
  /**
   * pointers.py's `^=`: skip the size check against the pointer's `size`. An
   * unsafe move still never writes outside the block (the block's usable size
   * bounds it, InvalidSizeError beyond); on object pointers it truncates a
   * typed array that is too long instead of throwing.
   */
  readonly unsafe?: boolean;
}

/** Base class of every pointer: object pointers ({@link Pointer}) and memory pointers ({@link AllocatedPointer} and kin). */
export abstract class PointerBase<T = unknown> {
  /**
   * The address: a native address in the heap for memory pointers, a synthetic
   * id for object pointers, 0 for `NULL`.
   */
  abstract get address(): number;
  /** pointers.py's `~p`: the value pointed to. */
  abstract deref(): T;
  /** pointers.py's `p <<= v` (and `p ^= v` with `{ unsafe: true }`); returns the pointer. */
  abstract move(value: T | PointerBase<T>, options?: MoveOptions): this;
  /** True once the memory is gone (freed, or its stack frame returned). Always false for object pointers. */
  abstract get freed(): boolean;
  /** True for `NULL` (and object pointers that point nowhere). */
  abstract get isNull(): boolean;
  /** @internal Class name shown by toString/inspect. */
  abstract get typeName(): string;

  /** Same address (pointers.py's `==`); never equal to a non-pointer. */
  equals(other: unknown): boolean {
    return other instanceof PointerBase && other.address === this.address;
  }

  /** `AllocatedPointer(0x7f3a…)`. */
  toString(): string {
    return `${this.typeName}(${hex(this.address)})`;
  }

  /** The toString form, so JSON.stringify of a pointer names it rather than dumping internals. */
  toJSON(): string {
    return this.toString();
  }

  /** @internal util.inspect form: `AllocatedPointer(address=…, size=…)`. */
  abstract [inspectSymbol](): string;
}
