/**
 * Memory pointers: `AllocatedPointer`, the base of every pointer into the heap
 * or a stack frame, and what `malloc(size)` returns (untyped memory holding one
 * structured-cloneable value, encoded by codec.ts).
 *
 * A memory pointer is a handful of numbers, the same in every subclass:
 * - `_o`: heap offset of the address it points at;
 * - `_w`, `_t`: liveness (memory.ts): the memory is live while `I32[_w] === _t`;
 * - `_hi`: end of the region `add()` may reach and moves may fill (the block,
 *   one array slot, one struct field); `size` is `_hi - _o`;
 * - `_type`: its C type, `null` for untyped memory;
 * - `_r`: the rest, a {@link Region} (shared by pointers derived with add()):
 *   `lo`, the region's start; `block`, offset of the block (or frame) start;
 *   `end`, its usable end for stack frames, -1 for heap blocks (asked of the
 *   heap when needed); `flags`: OWNER (the pointer malloc/calloc returned:
 *   free/realloc/dispose act through it) and STACK (memory of a stack frame).
 *   The pointer malloc/calloc returned has `_r === null`, meaning lo = block =
 *   `_o`, end = -1, flags = OWNER: its object stays small (six fields), which
 *   `free(malloc(n))` and code holding many pointers feel.
 *
 * Pointers derived with add(), at() or field() share the liveness pair, so they
 * die with their block (free from any thread, or the frame's return).
 * Invariant: `_lo <= _o` and `_o + sizeof(_type) <= _hi <= usable end of the block`,
 * so no access through a pointer leaves its block.
 */
import { heap } from '@ptr/native';
import { BASE, I32, U8 } from './memory.js';
import { heldSize, measure, read, write } from './codec.js';
import { PointerBase, inspectSymbol, type MoveOptions } from './pointer-base.js';
import { frameGoneError, freedError, offsetOutOfBounds, tooBig, tooBigUnsafe } from './errors.js';
import type { CType } from './types.js';

/** Flag: the pointer malloc/calloc returned. */
export const OWNER = 1;
/** Flag: memory of a stack frame. */
export const STACK = 2;
/**
 * Flag: the region is one array slot or struct field (and what add() derives
 * from it): even an unsafe move stays inside `_hi` (each slot holds at most the
 * slot size), where other pointers may use the rest of their block.
 */
export const SUB = 4;

/** Where a memory pointer may reach and what it may do (see the module notes). */
export class Region {
  constructor(
    readonly lo: number,
    readonly block: number,
    readonly end: number,
    readonly flags: number,
  ) {}
}

/** The region of a pointer: `null` for the block's owner (lo = block = o, heap, OWNER). */
export function regionOf(o: number, lo: number, block: number, end: number, flags: number): Region | null {
  return flags === OWNER && lo === o && block === o && end === -1 ? null : new Region(lo, block, end, flags);
}

/** Constructor shape shared by every memory pointer class. */
export type MemoryPointerClass = new (o: number, w: number, t: number, hi: number, type: CType | null, r: Region | null) => MemoryPointer<unknown>;

/**
 * Base of every pointer into memory (heap blocks and stack frames): address,
 * size, liveness, `add()`, `Symbol.dispose`. {@link AllocatedPointer} (one
 * value) and {@link AllocatedArrayPointer} (slots) extend it.
 */
export abstract class MemoryPointer<T = unknown> extends PointerBase<T> implements Disposable {
  /** @internal */ declare _o: number;
  /** @internal */ declare _w: number;
  /** @internal */ declare _t: number;
  /** @internal */ declare _hi: number;
  /** @internal */ declare _type: CType | null;
  /** @internal */ declare _r: Region | null;

  /** @internal Use malloc, calloc or stackAlloc. */
  constructor(o: number, w: number, t: number, hi: number, type: CType | null, r: Region | null) {
    super();
    this._o = o;
    this._w = w;
    this._t = t;
    this._hi = hi;
    this._type = type;
    this._r = r;
  }

  /** @internal Start of the region add() may reach. */
  get _lo(): number {
    const r = this._r;
    return r === null ? this._o : r.lo;
  }

  /** @internal Offset of the block (or frame) start. */
  get _block(): number {
    const r = this._r;
    return r === null ? this._o : r.block;
  }

  /** @internal Usable end of a stack frame; -1 for heap blocks. */
  get _end(): number {
    const r = this._r;
    return r === null ? -1 : r.end;
  }

  /** @internal OWNER | STACK | SUB. */
  get _flags(): number {
    const r = this._r;
    return r === null ? OWNER : r.flags;
  }

  /** Native address (the same in every thread). */
  get address(): number {
    return BASE + this._o;
  }

  /** Bytes this pointer may hold: the allocation size, minus the offset for a pointer made by `add()`. */
  get size(): number {
    return this._hi - this._o;
  }

  /** The C type of the memory, `null` for untyped memory. */
  get type(): CType | null {
    return this._type;
  }

  /** True once the block is freed (by any thread) or, for stack memory, once its frame returned. */
  get freed(): boolean {
    return I32[this._w] !== this._t;
  }

  /** True when the memory holds a value: after a move for untyped memory, always for typed memory. False once freed. */
  get assigned(): boolean {
    if (I32[this._w] !== this._t) return false;
    if (this._type !== null) return true;
    // 0 bytes of memory: an unsafe move may still have used the block's rest;
    // a 0-byte frame (or slot) has none, and its next byte is not its own.
    return (this._hi > this._o || this._usable() > 0) && U8[this._o] !== 0;
  }

  /** Always false: memory pointers are never NULL. */
  get isNull(): boolean {
    return false;
  }

  /** @internal */
  get typeName(): string {
    return this._flags & STACK ? 'StackAllocatedPointer' : 'AllocatedPointer';
  }

  /**
   * pointers.py's `p + n`: a pointer `n` bytes further (negative goes back),
   * within the same allocation; it dies with the block. Typed pointers keep
   * their type, and the type must fit where they land. (Array pointers move by
   * whole slots instead.)
   * @throws OutOfBoundsError outside the allocation.
   */
  add(n: number): MemoryPointer<unknown> {
    if (I32[this._w] !== this._t) this._dead();
    const need = this._type === null ? 0 : this._type.size;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw offsetOutOfBounds(n, this._lo - this._o, this._hi - this._o - (need === 0 ? 1 : need));
    const o = this._o + n;
    if (o < this._lo || o + need > this._hi || (need === 0 && o >= this._hi && n !== 0)) {
      throw offsetOutOfBounds(n, this._lo - this._o, this._hi - this._o - (need === 0 ? 1 : need));
    }
    const Ctor = this.constructor as MemoryPointerClass;
    const r = this._r;
    const region = r === null ? new Region(this._o, this._o, -1, 0) : r.flags & OWNER ? new Region(r.lo, r.block, r.end, r.flags & ~OWNER) : r;
    return new Ctor(o, this._w, this._t, this._hi, this._type, region);
  }

  /** `using p = malloc(…)` frees at scope end; a pointer already freed (or not the block's owner, or on the stack) is left alone. */
  [Symbol.dispose](): void {
    if ((this._flags & (OWNER | STACK)) === OWNER && I32[this._w] === this._t) heap.free(BASE + this._o);
  }

  /** @internal util.inspect form. */
  [inspectSymbol](): string {
    return `${this.typeName}(address=${this.address}, size=${this.size})`;
  }

  /** @internal Throws the error of a dead pointer. */
  _dead(): never {
    throw this._flags & STACK ? frameGoneError(String(this)) : freedError(String(this));
  }

  /**
   * @internal Bytes from this pointer to the usable end of its region (live
   * pointers only): the block's (or frame's) usable end, or `_hi` for a slot or field.
   */
  _usable(): number {
    const r = this._r;
    if (r !== null && r.flags & SUB) return this._hi - this._o;
    const end = this._end >= 0 ? this._end : this._block + heap.usableSize(BASE + this._block);
    return end - this._o;
  }

  /** @internal Called by realloc after the block moved or changed size. */
  _resized(): void {}
}

/**
 * A pointer to heap memory (pointers.py's `AllocatedPointer`), as returned by
 * `malloc(size)`: untyped memory that holds one structured-cloneable value.
 * Typed and struct pointers extend it, with in-place reads and writes.
 *
 * @example
 * const p = malloc(28);
 * p.move(1).move(2);
 * p.deref(); // 2
 * free(p);
 */
export class AllocatedPointer<T = unknown> extends MemoryPointer<T> implements Iterable<T> {
  /**
   * pointers.py's `~p`: a new copy of the value in the memory.
   * @throws FreedMemoryError after free (any thread) or the frame's return.
   * @throws DereferenceError when nothing was moved in yet.
   */
  deref(): T {
    if (I32[this._w] !== this._t) this._dead();
    return read(this._o, this._hi - this._o, this) as T;
  }

  /**
   * pointers.py's `p <<= v`: encodes a copy of `value` into the memory (a
   * pointer argument moves the value it points to). With `{ unsafe: true }`
   * (`p ^= v`) the value may exceed `size`, up to the block's usable end.
   * @throws InvalidSizeError when the value does not fit.
   * @throws FreedMemoryError after free.
   */
  move(value: T | PointerBase<T>, options?: MoveOptions): this {
    if (I32[this._w] !== this._t) this._dead();
    const v = value instanceof PointerBase ? value.deref() : value;
    const n = measure(v);
    const size = this._hi - this._o;
    if (n > size) {
      if (options == null || options.unsafe !== true) throw tooBig(n, size);
      const usable = this._usable();
      if (n > usable) throw tooBigUnsafe(n, usable);
    }
    // measure() may have run getters (serialization): one of them may have freed the block
    if (I32[this._w] !== this._t) this._dead();
    write(this._o, v);
    return this;
  }

  /** {@inheritDoc MemoryPointer.add} */
  override add(n: number): this {
    return super.add(n) as this;
  }

  /** pointers.py's `*p`: iterating yields the value pointed to, once. */
  *[Symbol.iterator](): Iterator<T> {
    yield this.deref();
  }

  /** @internal Bytes of the untyped value held, 0 if none. */
  _held(): number {
    return heldSize(this._o, this._usable());
  }
}

/** The value a pointer argument stands for (pointers.py moves `~ptr` when given a pointer). */
export function valueOf(v: unknown): unknown {
  return v instanceof PointerBase ? v.deref() : v;
}
