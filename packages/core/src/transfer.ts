/**
 * Pointers as plain data, for passing them to other threads (used by
 * @ptr/worker): a descriptor carries the address, the region, the liveness word
 * and tag, and the type, so the pointer revived on the other side reads and
 * writes the same memory and dies with the same block (or frame), whichever
 * thread frees it.
 *
 * Object pointers point at values of one thread's heap of JavaScript objects
 * and cannot travel; NULL travels as NULL.
 */
import { BASE } from './memory.js';
import { MemoryPointer } from './allocated.js';
import { Pointer, NULL } from './object-pointer.js';
import { PointerError, describe } from './errors.js';
import { typeFromSpec, typeToSpec, type TypeSpec } from './types.js';
import { pointerAt } from './factory.js';

/** A pointer as structured-cloneable data (see {@link describePointer}). */
export type PointerDescriptor =
  | {
      readonly $ptr: 'memory';
      /** Native address (informative; offsets below are what revive uses). */
      readonly address: number;
      readonly o: number;
      readonly w: number;
      readonly t: number;
      readonly lo: number;
      readonly hi: number;
      readonly block: number;
      readonly end: number;
      readonly flags: number;
      readonly type: TypeSpec | null;
    }
  | { readonly $ptr: 'null' };

/**
 * A memory pointer (or NULL) as plain data that another thread turns back into
 * an equivalent pointer with {@link revivePointer}.
 * @throws PointerError for an object pointer.
 */
export function describePointer(p: MemoryPointer<unknown> | Pointer<unknown>): PointerDescriptor {
  if (p instanceof MemoryPointer) {
    return {
      $ptr: 'memory',
      address: BASE + p._o,
      o: p._o,
      w: p._w,
      t: p._t,
      lo: p._lo,
      hi: p._hi,
      block: p._block,
      end: p._end,
      flags: p._flags,
      type: p._type === null ? null : typeToSpec(p._type),
    };
  }
  if (p instanceof Pointer && p.isNull) return { $ptr: 'null' };
  throw new PointerError(
    `${describe(p)} cannot be passed to another thread: ${p instanceof Pointer ? 'an object pointer points at a value of this thread' : 'not a pointer'}`,
    'ERR_POINTER',
  );
}

/** True for what {@link describePointer} returns. */
export function isPointerDescriptor(v: unknown): v is PointerDescriptor {
  return typeof v === 'object' && v !== null && ((v as { $ptr?: unknown }).$ptr === 'memory' || (v as { $ptr?: unknown }).$ptr === 'null');
}

/** The pointer a {@link describePointer} descriptor stands for, in this thread. */
export function revivePointer(d: PointerDescriptor): MemoryPointer<unknown> | Pointer<never> {
  if (!isPointerDescriptor(d)) throw new PointerError(`revivePointer: ${describe(d)} is not a pointer descriptor`, 'ERR_POINTER');
  if (d.$ptr === 'null') return NULL;
  const type = d.type === null ? null : typeFromSpec(d.type);
  return pointerAt(type, d.o, d.w, d.t, d.lo, d.hi, d.block, d.end, d.flags);
}
