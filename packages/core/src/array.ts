/**
 * Array pointers (pointers.py's `AllocatedArrayPointer`): `calloc(n, size)`,
 * `calloc(n, type)`, `malloc(array(type, n))`, array fields of structs.
 *
 * An array is `length` slots of `slotSize` bytes. `at(i)` is the pointer to
 * slot i, made once and cached (`arr.at(1) === arr.at(1)`); each slot is a
 * region of its own, so a move into it is bounded by the slot size. Like C,
 * the array stands for its first slot: `deref()`/`move()` act on slot 0, and
 * `add(k)` is `at(k)` (whole slots). Iteration yields the slot pointers.
 * Slot pointers share the array's liveness: freeing the array kills them.
 */
import { I32, HEAP_BUFFER } from './memory.js';
import { MemoryPointer, STACK, SUB, type Region } from './allocated.js';
import { inspectSymbol, type MoveOptions, type PointerBase } from './pointer-base.js';
import { indexOutOfBounds, misaligned, noView } from './errors.js';
import { ScalarType, type ArrayType, type BytesType, type CType, type InitOf, type PointerFor, type ValueOf } from './types.js';
import { pointerAt } from './factory.js';
import { snapshot, storeArray } from './values.js';

/** The typed array `view()` returns for an element type. */
export type ViewFor<E> = E extends ScalarType<infer _T, infer V> ? V : never;

/**
 * A pointer to an array of slots.
 *
 * @example
 * const arr = calloc(4, 28);                 // untyped slots of 28 bytes
 * for (const [i, slot] of [...arr].entries()) slot.move(i);
 * arr.at(1).deref();                          // 1
 *
 * const xs = calloc(1000, float64);
 * xs.view().fill(1.5);                        // Float64Array over the heap, zero-copy
 */
export class AllocatedArrayPointer<E extends CType = BytesType> extends MemoryPointer<ValueOf<E>> implements Iterable<PointerFor<E>> {
  /** @internal The typed-array view, once made. */ declare _view: unknown;
  /** @internal Slot pointers made so far. */ declare _cache: (MemoryPointer<unknown> | undefined)[] | undefined;

  /** @internal */
  constructor(o: number, w: number, t: number, hi: number, type: CType | null, r: Region | null) {
    super(o, w, t, hi, type, r);
    this._view = undefined;
    this._cache = undefined;
  }


  /** @internal */
  override get typeName(): string {
    return this._flags & STACK ? 'StackAllocatedPointer' : 'AllocatedArrayPointer';
  }

  /** The array type (`array(elementType, length)`). */
  override get type(): ArrayType<E> {
    return this._type as ArrayType<E>;
  }

  /** Number of slots. */
  get length(): number {
    return (this._type as ArrayType).length;
  }

  /** Bytes per slot. */
  get slotSize(): number {
    return (this._type as ArrayType).of.size;
  }

  /** Type of the slots (`bytes(n)` for untyped slots). */
  get elementType(): E {
    return (this._type as ArrayType<E>).of;
  }

  /**
   * The pointer to slot `i` (cached: the same object each time).
   * @throws OutOfBoundsError outside `[0, length)`.
   * @throws FreedMemoryError once the array is freed.
   */
  at(i: number): PointerFor<E> {
    if (I32[this._w] !== this._t) this._dead();
    const cache = this._cache;
    // only a number may index the cache (a string such as 'length' would read the Array's own properties)
    if (cache !== undefined && typeof i === 'number') {
      const p = cache[i];
      if (p !== undefined) return p as PointerFor<E>;
    }
    return this._slot(i);
  }

  /** pointers.py's `arr + k`: the pointer `k` whole slots on, i.e. `at(k)`. */
  override add(k: number): PointerFor<E> {
    return this.at(k);
  }

  /** The value of slot 0 (the array stands for its first element, as in C). */
  deref(): ValueOf<E> {
    return (this.at(0) as unknown as PointerBase<ValueOf<E>>).deref();
  }

  /** Moves `value` into slot 0 (bounded by the slot size). */
  move(value: ValueOf<E> | PointerBase<ValueOf<E>>, options?: MoveOptions): this {
    (this.at(0) as unknown as PointerBase<ValueOf<E>>).move(value, options);
    return this;
  }

  /** Writes `values` into consecutive slots from `start` (like TypedArray#set). @throws InvalidSizeError past the end. */
  set(values: ArrayLike<InitOf<E>>, start = 0): this {
    if (I32[this._w] !== this._t) this._dead();
    if (!Number.isInteger(start) || start < 0 || start > this.length) throw indexOutOfBounds(start, this.length);
    storeArray(this._type as ArrayType, this._o, values, start, this);
    return this;
  }

  /** A plain array of the slots' values (empty untyped slots give undefined). */
  toArray(): unknown[] {
    if (I32[this._w] !== this._t) this._dead();
    return snapshot(this._type!, this._o) as unknown[];
  }

  /**
   * A typed array over the slots, zero-copy on the shared heap (Int32Array for
   * int32, BigInt64Array for int64, Uint8Array for bool, …); cached. It stays a
   * plain typed array: it cannot see a free, so use it while the memory lives,
   * and for stack memory only inside the frame.
   * @throws PointerError for non-numeric elements.
   */
  view(): ViewFor<E> {
    if (I32[this._w] !== this._t) this._dead();
    let v = this._view;
    if (v === undefined) {
      const elem = (this._type as ArrayType).of;
      if (!(elem instanceof ScalarType)) throw noView(String(this), elem.name);
      if (this._o % elem.align !== 0) throw misaligned(String(this), elem.align);
      v = this._view = new elem.TypedArray(HEAP_BUFFER, this._o, this.length);
    }
    return v as ViewFor<E>;
  }

  /** Iterates over the slot pointers (pointers.py's `for p in arr`). */
  *[Symbol.iterator](): Iterator<PointerFor<E>> {
    if (I32[this._w] !== this._t) this._dead(); // also when there is no slot to visit
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }

  /** @internal util.inspect form. */
  override [inspectSymbol](): string {
    return `${this.typeName}(address=${this.address}, size=${this.size}, length=${this.length})`;
  }

  /** @internal */
  _slot(i: number): PointerFor<E> {
    const length = this.length;
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= length) throw indexOutOfBounds(i, length);
    const elem = (this._type as ArrayType).of;
    const o = this._o + i * elem.size;
    const p = pointerAt(elem, o, this._w, this._t, o, o + elem.size, this._block, this._end, (this._flags & STACK) | SUB);
    if (this._cache === undefined) this._cache = new Array<MemoryPointer<unknown> | undefined>(Math.min(length, 4096));
    this._cache[i] = p;
    return p as PointerFor<E>;
  }

  /** @internal */
  override _resized(): void {
    this._cache = undefined;
    this._view = undefined;
  }
}
