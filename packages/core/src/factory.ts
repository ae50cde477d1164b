/**
 * Which pointer class a type gets, and making one. Every memory pointer is made
 * here (malloc, calloc, slots, fields, stack frames, pointers read back from
 * memory), so the class of a pointer depends on its type alone:
 *
 * | type | class |
 * |---|---|
 * | none / `bytes(n)` | `AllocatedPointer` (`StackAllocatedPointer` in a frame) |
 * | scalar | a generated subclass of `AllocatedPointer` per scalar type |
 * | `cstring(n)`, `pointer(T)` | `CStringPointer`, `AddressPointer` |
 * | `array(T, n)` | `AllocatedArrayPointer` |
 * | `struct({…})` | `StructPointer` |
 */
import { AllocatedPointer, STACK, regionOf, type MemoryPointer, type MemoryPointerClass } from './allocated.js';
import { AddressPointer, CStringPointer, scalarClass } from './scalar.js';
import { AllocatedArrayPointer } from './array.js';
import { StructPointer } from './struct.js';
import { StackAllocatedPointer } from './stack.js';
import type { CType, ScalarKind } from './types.js';

/** The class of pointers to `type` (`null`: untyped memory). */
export function classFor(type: CType | null, flags: number): MemoryPointerClass {
  if (type === null || type.kind === 'bytes') {
    return (flags & STACK ? StackAllocatedPointer : AllocatedPointer) as unknown as MemoryPointerClass;
  }
  switch (type.kind) {
    case 'cstring':
      return CStringPointer as unknown as MemoryPointerClass;
    case 'pointer':
      return AddressPointer as unknown as MemoryPointerClass;
    case 'array':
      return AllocatedArrayPointer as unknown as MemoryPointerClass;
    case 'struct':
      return StructPointer as unknown as MemoryPointerClass;
    default:
      return scalarClass(type.kind as ScalarKind);
  }
}

/** A pointer to `type` at heap offset `o`; see MemoryPointer for the other fields. */
export function pointerAt(
  type: CType | null,
  o: number,
  w: number,
  t: number,
  lo: number,
  hi: number,
  block: number,
  end: number,
  flags: number,
): MemoryPointer<unknown> {
  const Ctor = classFor(type, flags);
  return new Ctor(o, w, t, hi, type === null || type.kind === 'bytes' ? null : type, regionOf(o, lo, block, end, flags));
}
