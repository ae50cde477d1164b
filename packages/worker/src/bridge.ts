/**
 * Everything @ptr/worker takes from @ptr/core, in one place: the pointer codec
 * transport.ts uses (core's describePointer/revivePointer, plus the rule of
 * what may cross), the stack pointer a task gets for its frame, and the array
 * pointers parallelFor splits.
 *
 * What crosses threads:
 * - heap pointers of every kind (untyped, typed, cstring, address, struct,
 *   array, slot and field pointers, pointers made by add()): as a descriptor of
 *   offsets, liveness word and tag, and type; revived as the same class over
 *   the same memory. A block freed before sending arrives freed; a block freed
 *   later by either side reads as freed on both.
 * - NULL, as NULL.
 * Refused before anything is sent (PointerError ERR_POINTER_NOT_TRANSFERABLE):
 * - stack pointers: their frame lives on the sending thread's stack and is
 *   popped when its native call returns, whatever the receiver does;
 * - object pointers (toPtr): they point at a JavaScript value of this thread's
 *   JS heap, which no other thread can reach.
 */
import {
  AllocatedArrayPointer,
  Pointer,
  PointerBase,
  StackAllocatedPointer,
  acquireStackAlloc,
  describePointer,
  revivePointer,
  type MemoryPointer,
  type PointerDescriptor,
} from '@ptr/core';
import { notTransferable } from './errors.js';
import { setPointerCodec } from './transport.js';

/** What a task fn receives for its frame: a stack pointer over the frame's bytes (untyped, `size` = frame bytes). */
export type StackPointer = StackAllocatedPointer<unknown>;

/**
 * Runs `fn(stackPtr)` inside a native frame of `size` bytes pushed on this
 * thread's stack segment (core's acquireStackAlloc, over native withFrame);
 * the frame is popped when fn returns or throws.
 */
export function inFrame<R>(size: number, fn: (stack: StackPointer) => R): R {
  return acquireStackAlloc(size, fn as (p: StackAllocatedPointer<unknown>) => R);
}

/** An array pointer, as parallelFor sees one. */
export type ArrayPointerLike = AllocatedArrayPointer<any>;

export function isArrayPointer(v: unknown): v is ArrayPointerLike {
  return v instanceof AllocatedArrayPointer;
}

setPointerCodec({
  encode(v: object): unknown {
    if (!(v instanceof PointerBase)) return undefined;
    if (v instanceof StackAllocatedPointer) {
      throw notTransferable(String(v), "its memory is a frame on this thread's stack, popped when the frame's call returns");
    }
    if (v instanceof Pointer && !v.isNull) {
      throw notTransferable(String(v), "an object pointer points at a JavaScript value of this thread's JS heap");
    }
    return describePointer(v as MemoryPointer<unknown> | Pointer<unknown>);
  },
  decode(wire: unknown): object {
    return revivePointer(wire as PointerDescriptor);
  },
});
