/**
 * The heap's layout, word for word the same as src/layout.h (checked against the
 * addon's own numbers at load). See that file's opening comment for the picture.
 *
 * Liveness tags. Every block has a 32-bit tag: bit 0 is 1 while the block is
 * allocated; while free, bit 1 tells a remote free (not yet collected by the
 * owner) from a local one; the upper 30 bits count generations. Allocation adds
 * 5 (next generation, allocated), a local free adds 3, a remote free adds 5 and
 * its collection subtracts 2. A pointer keeps the tag it saw at allocation, so a
 * block freed (by any thread) and even reused has a different tag: the pointer is
 * known dead. Pages and large blocks start above the highest tag their units ever
 * held, so the generations never repeat at an address until 2^30 of them passed.
 * Small blocks keep their tags in a table at the start of their page; large
 * blocks in their first unit's descriptor (D_LTAG).
 */
import { PointerError } from './errors.js';
import type { NativeLayout } from './addon.js';

export const UNIT_SHIFT = 12;
export const UNIT = 1 << UNIT_SHIFT;

export const H_MAGIC = 0;
export const H_VERSION = 1;
export const H_UNITS = 2;
export const H_FIRST_DATA_UNIT = 3;
export const H_COMMITTED_UNITS = 4;
export const H_ORPHANS = 5;
export const H_FREE_UNITS = 6;
export const H_STACK_BYTES = 7;
export const H_DECOMMITS = 8;
export const H_META_BYTES = 9;

export const THREAD_TABLE = 64;
export const MAX_THREADS = 256;
export const THREAD_WORDS = 16;
export const T_STATE = 0;
export const T_THREAD_ID = 1;
export const T_STACK_UNIT = 2;
export const T_INCARNATION = 3;
export const T_REMOTE_FREES = 4;
export const SLOT_FREE = 0;
export const SLOT_LIVE = 1;
export const SLOT_DEAD = 2;

export const DESC_BASE = 8192;
export const DESC_WORDS = 16;
export const D_KIND = 0;
export const D_INFO = 1;
export const D_OWNER = 2;
export const D_USED = 3;
export const D_REMOTE = 4;
export const D_INFLIGHT = 5;
export const D_FREELIST = 6;
/** D_FREELIST of a K_RELEASING span while its owner thread pools it. */
export const POOLED = -1;
export const D_LTAG = 7;
export const D_BUMP = 8;
export const D_COMMITTED = 9;
export const D_SIZE = 10;
export const D_INDEX = 11;

export const K_FREE = 0;
export const K_SMALL = 1;
export const K_LARGE = 2;
export const K_CONT = 3;
export const K_STACK = 4;
export const K_HEADER = 5;
export const K_RELEASING = 6;

export const S_TOP = 0;
export const S_DEPTH = 1;
export const S_SERIAL = 2;
export const S_MAX_DEPTH = 3;
export const S_BYTES = 4;
export const S_FRAMES_START = 5;
export const S_SERIALS = 16;
export const MAX_FRAME_DEPTH = 8192;
/** Large blocks and stack segments of this many units (1 MiB) and more write only their first and last descriptors (src/spans.cc). */
export const LAZY_UNITS = 256;

/** Throws unless every argument is a number (these helpers do arithmetic only). */
function numbers(op: string, ...xs: unknown[]): void {
  if (xs.some((x) => typeof x !== 'number')) throw new PointerError(`layout.${op}: arguments must be numbers`);
}
/** Word index of the descriptor of `unit`. */
export const descOf = (unit: number): number => {
  if (typeof unit !== 'number') numbers('descOf', unit);
  return DESC_BASE + unit * DESC_WORDS;
};
/** Unit whose descriptor starts at word `d`. */
export const unitOfDesc = (d: number): number => {
  if (typeof d !== 'number') numbers('unitOfDesc', d);
  return (d - DESC_BASE) / DESC_WORDS;
};
export const threadWord = (slot: number, field: number): number => {
  if (typeof slot !== 'number' || typeof field !== 'number') numbers('threadWord', slot, field);
  return THREAD_TABLE + slot * THREAD_WORDS + field;
};

export function assertLayout(native: NativeLayout): void {
  if (typeof native !== 'object' || native === null) throw new PointerError('@ptr/native: assertLayout needs the addon layout object');
  const mine: NativeLayout = {
    UNIT_SHIFT,
    DESC_BASE,
    DESC_WORDS,
    THREAD_TABLE,
    THREAD_WORDS,
    MAX_THREADS,
    S_SERIALS,
    MAX_FRAME_DEPTH,
    LAZY_UNITS,
    VERSION: 2,
  };
  for (const key of Object.keys(mine) as (keyof NativeLayout)[]) {
    if (mine[key] !== native[key]) {
      throw new PointerError(`@ptr/native: layout mismatch on ${key} (js ${mine[key]}, addon ${String(typeof native[key] === 'number' ? native[key] : typeof native[key])}); rebuild the addon`);
    }
  }
}
