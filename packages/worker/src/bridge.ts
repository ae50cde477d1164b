/**
 * Everything @ptr/worker needs from @ptr/core, in one place: the pointer codec
 * that transport.ts uses (pointer -> wire form -> pointer), the stack pointer a
 * task receives for its frame, and the array-pointer shape parallelFor splits.
 *
 * Until @ptr/core exposes pointer serialization, no value is recognised as a
 * pointer (they would be structured-cloned) and a task receives its frame as a
 * raw address.
 */
import { setPointerCodec } from './transport.js';

/** What a task fn receives for its frame: a stack pointer over the frame's bytes. */
export type StackPointer = number;

/** Wraps a frame's address as the stack pointer a task receives. */
export function wrapFrame(address: number, _size: number): StackPointer {
  return address;
}

/** An array pointer, as parallelFor sees one. */
export interface ArrayPointerLike {
  readonly length: number;
  at(index: number): unknown;
  readonly address: number;
}

export function isArrayPointer(v: unknown): v is ArrayPointerLike {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as ArrayPointerLike).length === 'number' &&
    typeof (v as ArrayPointerLike).at === 'function' &&
    typeof (v as ArrayPointerLike).address === 'number'
  );
}

setPointerCodec(null);
