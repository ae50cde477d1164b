/**
 * @ptr/core — C-style pointers for TypeScript (pointers.py semantics) over one
 * native heap that every worker thread shares.
 *
 * | pointers.py | @ptr/core |
 * |---|---|
 * | `~ptr` | `ptr.deref()` |
 * | `*ptr` | `[...ptr]`, `for (const x of ptr)` |
 * | `ptr <<= v` / `ptr ^= v` | `ptr.move(v)` / `ptr.move(v, { unsafe: true })` |
 * | `ptr >>= v` | `ptr.assign(v)` (object pointers) |
 * | `ptr + n`, `ptr[i]` | `ptr.add(n)`, `arr.at(i)` |
 *
 * @example
 * import { malloc, free, calloc, struct, int32, toPtr } from '@ptr/core';
 * const p = malloc(28);
 * p.move(1).move(2);
 * p.deref();        // 2
 * free(p);
 */
export { malloc, calloc, realloc, free, sizeof, heapStats, heapCheck } from './heap.js';
export { PointerBase, type MoveOptions } from './pointer-base.js';
export { MemoryPointer, AllocatedPointer } from './allocated.js';
export { TypedPointer, CStringPointer, AddressPointer } from './scalar.js';
export { AllocatedArrayPointer, type ViewFor } from './array.js';
export { StructPointer } from './struct.js';
export { StackAllocatedPointer, stackAlloc, acquireStackAlloc, type StackPointerFor } from './stack.js';
export { Pointer, toPtr, NULL, type Widen } from './object-pointer.js';
export {
  CType,
  ScalarType,
  BytesType,
  PointerType,
  CStringType,
  ArrayType,
  StructType,
  int8,
  uint8,
  int16,
  uint16,
  int32,
  uint32,
  int64,
  uint64,
  float32,
  float64,
  bool,
  scalars,
  bytes,
  pointer,
  cstring,
  array,
  struct,
  alignof,
  offsetof,
  typeToSpec,
  typeFromSpec,
  type ScalarKind,
  type TypeKind,
  type TypeSpec,
  type TypedArrayConstructor,
  type ValueOf,
  type PointerFor,
  type NullPointer,
  type ArrayFieldValue,
  type StructFields,
  type StructView,
  type StructInit,
  type InitOf,
  type FieldInfo,
} from './types.js';
export { describePointer, revivePointer, isPointerDescriptor, type PointerDescriptor } from './transfer.js';
export {
  PointerError,
  NullPointerError,
  FreedMemoryError,
  DereferenceError,
  InvalidSizeError,
  AllocationError,
  InvalidPointerError,
  OutOfBoundsError,
  hex,
} from './errors.js';
export { HeapCorruptionError, heap, withFrame, currentFrame, isFrameLive, type Heap, type HeapStats, type ThreadStats } from '@ptr/native';
export { memcpy, memmove, memset, memcmp, strlen, strcpy, strncpy, strcmp, type AnyMemoryPointer, type CStringSource } from './libc.js';
