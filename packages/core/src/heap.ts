/**
 * The heap functions of pointers.py: malloc, calloc, realloc, free, sizeof,
 * over the process heap of @ptr/native.
 *
 * - Untyped memory (`malloc(size)`) starts holding no value (deref throws
 *   DereferenceError until a move); typed memory (`malloc(type)`, `calloc`) is
 *   zeroed, so it always holds a value (0, false, "", NULL).
 * - `realloc` keeps the pointer object and its contents; the address may
 *   change. Pointers derived from it before (add, at, field, views) die when the
 *   block moves, as in C; a large block is never shrunk in place, so that none
 *   of them can reach past its new end.
 */
import { heap, type HeapStats } from '@ptr/native';
import { BASE, I32, SIZE, U8, allocate, freshTagWord, isLargeBlock, live, retag, zero } from './memory.js';
import { AllocatedPointer, MemoryPointer, OWNER, STACK, valueOf } from './allocated.js';
import { clear, measure } from './codec.js';
import {
  InvalidSizeError,
  badSize,
  describe,
  freeInterior,
  freeObjectPointer,
  freeStack,
  freedError,
  notAPointer,
  reallocBelowType,
  reallocBelowValue,
  reallocNotOwner,
  reallocStack,
} from './errors.js';
import { AllocatedArrayPointer } from './array.js';
import { CType, array, bytes, type ArrayType, type BytesType, type PointerFor } from './types.js';
import { pointerAt } from './factory.js';
import { Pointer } from './object-pointer.js';

/**
 * Allocates memory on the process heap (pointers.py's `malloc`).
 * - `malloc(size)`: `size` bytes of untyped memory for one structured-cloneable value.
 * - `malloc(type)`: zeroed memory for one value of a C type, read and written in place.
 *
 * @example
 * const p = malloc(28).move(1);      // AllocatedPointer<unknown>
 * const n = malloc(int32).move(7);   // AllocatedPointer<number>
 * const s = malloc(Point);           // StructPointer
 * @throws InvalidSizeError for a size that is not a non-negative integer, or larger than the heap.
 * @throws AllocationError when the heap is exhausted.
 */
export function malloc<T = unknown>(size: number): AllocatedPointer<T>;
export function malloc<C extends CType>(type: C): PointerFor<C>;
export function malloc(sizeOrType: number | CType): MemoryPointer<unknown> {
  if (typeof sizeOrType === 'number' && sizeOrType >>> 0 === sizeOrType) {
    const address = heap.malloc(sizeOrType);
    const w = freshTagWord(address);
    const o = address - BASE;
    U8[o] = 0; // holds no value yet (codec T_EMPTY)
    return new AllocatedPointer(o, w, I32[w]!, o + sizeOrType, null, null);
  }
  return mallocSlow(sizeOrType);
}

function mallocSlow(sizeOrType: unknown): MemoryPointer<unknown> {
  if (sizeOrType instanceof CType) {
    const type = sizeOrType;
    const size = type.size;
    const o = allocate(size);
    if (type.kind === 'bytes') clear(o);
    else zero(o, size);
    return pointerAt(type, o, live.w, live.t, o, o + size, o, -1, OWNER);
  }
  throw badSize('malloc(size)', sizeOrType);
}

/**
 * Allocates a zeroed array (pointers.py's `calloc`): `count` slots of `size`
 * bytes of untyped memory, or of a C type.
 *
 * @example
 * const arr = calloc(4, 28);          // AllocatedArrayPointer of untyped slots
 * const xs = calloc(100, float64);    // xs.view() is a Float64Array
 * @throws InvalidSizeError for bad arguments or more bytes than the heap.
 * @throws AllocationError when the heap is exhausted.
 */
export function calloc(count: number, size: number): AllocatedArrayPointer<BytesType>;
export function calloc<C extends CType>(count: number, type: C): AllocatedArrayPointer<C>;
export function calloc(count: number, sizeOrType: number | CType): AllocatedArrayPointer<CType> {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw badSize('calloc(count, size): count', count);
  let slot: CType;
  if (sizeOrType instanceof CType) slot = sizeOrType;
  else if (typeof sizeOrType === 'number' && Number.isInteger(sizeOrType) && sizeOrType >= 0) slot = bytes(sizeOrType);
  else throw badSize('calloc(count, size): size', sizeOrType);
  const total = count * slot.size;
  if (total > SIZE) {
    throw new InvalidSizeError(`calloc(${count}, ${slot.size}): ${count} * ${slot.size} bytes is larger than the whole heap (${SIZE} bytes)`);
  }
  const o = allocate(total);
  zero(o, total);
  return new AllocatedArrayPointer(o, live.w, live.t, o + total, array(slot, count), null);
}

/**
 * Resizes the memory of `ptr` (pointers.py's `realloc`): returns the same
 * pointer object, contents kept; its address may change. For an array, `size`
 * is in bytes and must be a whole number of slots; new slots are zeroed.
 *
 * @throws InvalidPointerError for a stack pointer, or one not returned by malloc/calloc.
 * @throws FreedMemoryError after free.
 * @throws InvalidSizeError for a bad size, or one smaller than the value held (untyped) or the type.
 * @throws AllocationError when the heap is exhausted (the pointer is unchanged).
 */
export function realloc<P extends MemoryPointer<unknown>>(ptr: P, size: number): P {
  if (!(ptr instanceof MemoryPointer)) {
    if ((ptr as unknown) instanceof Pointer) throw freeObjectPointer(`realloc(${String(ptr)})`);
    throw notAPointer('realloc', ptr);
  }
  const what = `realloc(${String(ptr)}, ${describe(size)})`;
  if (ptr._flags & STACK) throw reallocStack(what);
  if (I32[ptr._w] !== ptr._t) throw freedError(String(ptr));
  if (!(ptr._flags & OWNER)) throw reallocNotOwner(what);
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) throw badSize('realloc(ptr, size): size', size);
  const type = ptr._type;
  let newType = type;
  let held = 0;
  if (type === null) {
    held = (ptr as unknown as AllocatedPointer)._held();
    if (held > size) throw reallocBelowValue(held, size);
  } else if (type.kind === 'array') {
    const a = type as ArrayType;
    const slot = a.of.size;
    if (slot === 0 ? size !== 0 : size % slot !== 0) {
      throw new InvalidSizeError(`${what}: an array of ${a.of.name} resizes by whole slots of ${slot} bytes`);
    }
    newType = array(a.of, slot === 0 ? a.length : size / slot);
  } else if (size < type.size) {
    throw reallocBelowType(type.name, type.size, size);
  }
  const oldO = ptr._o;
  const oldSize = ptr._hi - oldO;
  let o: number;
  if (size < oldSize && isLargeBlock(heap.usableSize(BASE + oldO))) {
    o = allocate(size);
    U8.copyWithin(o, oldO, oldO + size);
    heap.free(BASE + oldO);
  } else {
    o = heap.realloc(BASE + oldO, size) - BASE;
    retag(o);
  }
  if (type !== null && size > oldSize) zero(o + oldSize, size - oldSize);
  else if (type === null && held === 0) clear(o); // still no value (a new block copied none of the old tag)
  ptr._o = o; // an owner: lo = block = o
  ptr._hi = o + size;
  ptr._w = live.w;
  ptr._t = live.t;
  ptr._type = newType;
  ptr._resized();
  return ptr;
}

/**
 * Frees memory (pointers.py's `free`) through the pointer malloc/calloc
 * returned (or any pointer to the block's start). `free(NULL)` does nothing.
 *
 * @throws FreedMemoryError when the block was already freed, by any thread.
 * @throws InvalidPointerError for a stack pointer, an interior pointer or an object pointer.
 */
export function free(ptr: MemoryPointer<unknown> | Pointer<unknown>): void {
  if (ptr instanceof MemoryPointer && ptr._r === null && I32[ptr._w] === ptr._t) {
    heap.free(BASE + ptr._o);
    return;
  }
  freeSlow(ptr);
}

function freeSlow(ptr: unknown): void {
  if (ptr instanceof MemoryPointer) {
    if (ptr._flags & STACK) throw freeStack(`free(${String(ptr)})`);
    if (I32[ptr._w] !== ptr._t) throw freedError(String(ptr));
    if (ptr._o !== ptr._block) throw freeInterior(`free(${String(ptr)})`);
    heap.free(BASE + ptr._o);
    return;
  }
  if (ptr instanceof Pointer) {
    if (ptr.isNull) return;
    throw freeObjectPointer(`free(${String(ptr)})`);
  }
  throw notAPointer('free', ptr);
}

/**
 * `sizeof`: the size of a C type, or the bytes `move(value)` needs in untyped
 * memory (so `malloc(sizeof(v)).move(v)` always fits). For a pointer, the bytes
 * of the value it points to (which is what moving it stores).
 */
export function sizeof(valueOrType: unknown): number {
  if (valueOrType instanceof CType) return valueOrType.size;
  return measure(valueOf(valueOrType));
}

/** Heap figures, the same as `heap.stats()`: reserved, committed, used, free, blocks, per-thread figures. */
export function heapStats(): HeapStats {
  return heap.stats();
}

/** Walks the heap and throws HeapCorruptionError on a broken invariant (`heap.check()`). */
export function heapCheck(): void {
  heap.check();
}
