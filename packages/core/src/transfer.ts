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
import { heap, layout } from '@ptr/native';
import { BASE, I32, SIZE } from './memory.js';
import { MemoryPointer, OWNER, STACK, SUB } from './allocated.js';
import { Pointer, NULL } from './object-pointer.js';
import { InvalidPointerError, PointerError, describe } from './errors.js';
import { typeFromSpec, typeToSpec, type CType, type TypeSpec } from './types.js';
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
  const { o, w, t, lo, hi, block, end, flags } = d;
  if ([o, w, t, lo, hi, block, end, flags, d.type].includes(undefined as never)) {
    throw new PointerError(`revivePointer: ${describe(d)} is not a pointer descriptor (fields missing)`, 'ERR_POINTER');
  }
  if (![o, w, t, lo, hi, block, end, flags].every(Number.isSafeInteger)) throw forged(d, 'its offsets, liveness and flags must be integers');
  if (!(FIRST_DATA <= block && block <= lo && lo <= o && o <= hi && hi <= SIZE)) throw forged(d, 'its region is not inside the heap');
  if (flags < 0 || (flags & ~(OWNER | STACK | SUB)) !== 0) throw forged(d, 'unknown flags');
  if (flags & OWNER && (flags & STACK || o !== block || lo !== block)) throw forged(d, 'only the start of a heap block owns it');
  const type: CType | null = d.type === null ? null : typeFromSpec(d.type);
  if (type !== null && type.kind !== 'bytes' && o + type.size > hi) throw forged(d, `a ${type.name} does not fit its region`);
  if (!(w >= 0 && w < WORDS && I32[w] === t)) {
    // Dead (freed, or its frame returned): it stays dead whatever becomes of
    // that word, so it gets a liveness pair that never matches.
    return pointerAt(type, o, DEAD_W, DEAD_T, lo, hi, block, end, flags);
  }
  if (flags & STACK) {
    if (t === 0 || end < hi || !isFrame(w, block, end)) throw forged(d, 'not a live stack frame');
  } else {
    if (end !== -1 || heap.tagWordOf(BASE + block) !== w) throw forged(d, 'not a live heap block');
    if (hi > block + heap.usableSize(BASE + block)) throw forged(d, 'its region runs past its block');
  }
  return pointerAt(type, o, w, t, lo, hi, block, end, flags);
}

/** Heap offset of the first data unit (below: the heap's header and descriptors). */
const FIRST_DATA = I32[layout.H_FIRST_DATA_UNIT]! * layout.UNIT;
const WORDS = SIZE / 4;
/** A liveness pair that never matches: the header's magic word, which never changes, and another value. */
const DEAD_W = layout.H_MAGIC;
const DEAD_T = I32[DEAD_W]! ^ 1;
const UNIT_WORDS = layout.UNIT / 4;

/** True when `w` is a frame-serial word of a stack segment and `[block, end)` lies in that segment's frames. */
function isFrame(w: number, block: number, end: number): boolean {
  const unit = Math.floor(w / UNIT_WORDS);
  if (I32[layout.descOf(unit) + layout.D_KIND] !== layout.K_STACK) return false;
  const seg = unit * UNIT_WORDS;
  const depth = w - seg - layout.S_SERIALS;
  if (!(depth >= 0 && depth < layout.MAX_FRAME_DEPTH && depth < I32[seg + layout.S_MAX_DEPTH]!)) return false;
  const start = unit * layout.UNIT;
  return block >= start + I32[seg + layout.S_FRAMES_START]! && end <= start + I32[seg + layout.S_BYTES]!;
}

function forged(d: unknown, why: string): InvalidPointerError {
  return new InvalidPointerError(`revivePointer: ${describe(d)} is not a pointer this heap handed out (${why})`);
}
