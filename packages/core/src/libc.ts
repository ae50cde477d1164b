/**
 * The C library's memory and string functions over pointers, bounds-checked:
 * `memcpy`, `memmove`, `memset`, `memcmp`, `strlen`, `strcpy`, `strncpy`,
 * `strcmp`.
 *
 * They work on the raw bytes of any memory pointer (untyped, typed, struct,
 * array, cstring, stack), as their C namesakes do, with C's arguments and
 * results, but where C would read or write past an object they throw:
 *
 * - **Bounds.** A pointer reaches `ptr.size` bytes from `ptr.address`: the
 *   allocation for the pointer malloc/calloc returned (the size asked for, not
 *   the block's rounded-up usable size), the rest of it for a pointer made by
 *   `add(n)`, one slot for `arr.at(i)`, one field for `sp.field(name)`, the
 *   frame for a stack pointer. (Slots are regions of their own, as for
 *   `move`: to work across an array, pass the array pointer itself, or use
 *   its `view()`.) A call that would touch a byte outside that
 *   range throws `OutOfBoundsError` and changes nothing; so does a string
 *   function that finds no NUL before the end.
 * - **Liveness.** A pointer whose block was freed (by any thread) or whose
 *   frame returned throws `FreedMemoryError`.
 * - `NULL` (or `null`) throws `NullPointerError`; an object pointer
 *   (`toPtr(v)`) or anything that is not a pointer throws `InvalidPointerError`;
 *   a byte count that is not a non-negative integer throws `InvalidSizeError`.
 *
 * Every argument is checked before any byte is written. Overlapping ranges are
 * safe in every function (`memcpy` behaves as `memmove`, where C leaves overlap
 * undefined). Comparisons return -1, 0 or 1 (C promises only the sign) and
 * compare bytes as `unsigned char`, as C does. String functions also take a
 * JavaScript string where C takes a `const char *` source: it stands for its
 * UTF-8 bytes up to its first `\0`, then a NUL.
 *
 * Addresses are real native addresses, so memory prepared here can be handed to
 * native code (an addon, an FFI such as koffi) through `ptr.address`, and what
 * that code writes is read back through the same pointers.
 *
 * @example
 * import { malloc, cstring, memcpy, strlen, strcpy, strcmp, free } from '@ptr/core';
 * const a = malloc(cstring(32)).move('hello');
 * const b = malloc(cstring(32));
 * strcpy(b, a);                 // b now holds "hello"
 * strlen(b);                    // 5
 * strcmp(a, b);                 // 0
 * strcpy(b, 'a much longer string than 32 bytes'); // OutOfBoundsError, b unchanged
 * free(a); free(b);
 *
 * @module
 */
import { HB, I32, U8 } from './memory.js';
import { MemoryPointer } from './allocated.js';
import { PointerBase } from './pointer-base.js';
import { InvalidPointerError, NullPointerError, OutOfBoundsError, PointerError, badSize, describe, notAPointer } from './errors.js';

/** A memory pointer of any kind: what the functions of this module read and write. */
export type AnyMemoryPointer = MemoryPointer<any>;

/** A C string source: a memory pointer to NUL-terminated bytes, or a JavaScript string (its UTF-8 bytes up to its first `\0`). */
export type CStringSource = AnyMemoryPointer | string;

// ---------------------------------------------------------------------------
// Checks (each returns what the call needs, or throws)

/** Heap offset of a live memory pointer; throws for anything else. */
function start(op: string, p: unknown): number {
  if (p instanceof MemoryPointer) {
    if (I32[p._w] !== p._t) p._dead();
    return p._o;
  }
  if (p === null || (p instanceof PointerBase && p.isNull)) throw new NullPointerError(`${op}: pointer is NULL`);
  if (p instanceof PointerBase) {
    throw new InvalidPointerError(`${op}: ${String(p)} is an object pointer: it points at a JavaScript value, not memory`);
  }
  throw notAPointer(op, p);
}

/** Checks a byte count. */
function count(op: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw badSize(`${op}: n`, n);
  return n;
}

/** Throws unless `n` bytes from `p` (live, at offset `o`) stay inside its bounds. */
function reach(op: string, role: string, p: AnyMemoryPointer, o: number, n: number): void {
  const size = p._hi - o;
  if (n > size) throw pastEnd(op, role, p, n, size);
}

const pastEnd = (op: string, role: string, p: AnyMemoryPointer, n: number, size: number): OutOfBoundsError =>
  new OutOfBoundsError(
    `${op}: ${n} bytes at the ${role} ${String(p)} run past its end: it reaches ${size} byte${size === 1 ? '' : 's'} from there`,
  );

const unterminated = (op: string, role: string, p: AnyMemoryPointer, size: number): OutOfBoundsError =>
  new OutOfBoundsError(`${op}: the ${role} ${String(p)} holds no NUL within its ${size} byte${size === 1 ? '' : 's'}: the string would run past its end`);

/** Index (from `o`) of the first NUL within `p`'s bounds, or -1. */
function nulIndex(o: number, hi: number): number {
  if (hi - o <= 64) {
    for (let i = o; i < hi; i++) if (U8[i] === 0) return i - o;
    return -1;
  }
  return U8.subarray(o, hi).indexOf(0);
}

/** UTF-8 bytes of a JavaScript string up to its first `\0` (no terminator). */
function utf8(s: string): Buffer {
  const z = s.indexOf('\0');
  return Buffer.from(z === -1 ? s : s.slice(0, z), 'utf8');
}

function checkSource(op: string, s: unknown): void {
  if (typeof s !== 'string') start(op, s);
}

// ---------------------------------------------------------------------------
// Memory

/**
 * Copies `n` bytes from `src` to `dest` (C's `memcpy`); returns `dest`.
 * Overlapping ranges are copied as by `memmove`.
 * @throws OutOfBoundsError when `n` bytes do not fit in either pointer's bounds.
 * @throws FreedMemoryError, NullPointerError, InvalidPointerError, InvalidSizeError (see the module notes).
 */
export function memcpy<P extends AnyMemoryPointer>(dest: P, src: AnyMemoryPointer, n: number): P {
  return copy('memcpy', dest, src, n);
}

/**
 * Copies `n` bytes from `src` to `dest`, the ranges may overlap (C's `memmove`); returns `dest`.
 * @throws OutOfBoundsError when `n` bytes do not fit in either pointer's bounds.
 * @throws FreedMemoryError, NullPointerError, InvalidPointerError, InvalidSizeError (see the module notes).
 */
export function memmove<P extends AnyMemoryPointer>(dest: P, src: AnyMemoryPointer, n: number): P {
  return copy('memmove', dest, src, n);
}

function copy<P extends AnyMemoryPointer>(op: string, dest: P, src: AnyMemoryPointer, n: number): P {
  const d = start(op, dest);
  const s = start(op, src);
  count(op, n);
  reach(op, 'destination', dest, d, n);
  reach(op, 'source', src, s, n);
  if (n !== 0 && d !== s) U8.copyWithin(d, s, s + n);
  return dest;
}

/**
 * Fills `n` bytes at `dest` with the byte `c` (C's `memset`: `c` is converted to
 * an unsigned char, `c & 0xff`); returns `dest`.
 * @throws OutOfBoundsError when `n` bytes do not fit in `dest`'s bounds.
 * @throws PointerError when `c` is not an integer.
 * @throws FreedMemoryError, NullPointerError, InvalidPointerError, InvalidSizeError (see the module notes).
 */
export function memset<P extends AnyMemoryPointer>(dest: P, c: number, n: number): P {
  const d = start('memset', dest);
  if (typeof c !== 'number' || !Number.isInteger(c)) throw new PointerError(`memset: c must be an integer (a byte value), got ${describe(c)}`, 'ERR_POINTER');
  count('memset', n);
  reach('memset', 'destination', dest, d, n);
  U8.fill(c & 0xff, d, d + n);
  return dest;
}

/**
 * Compares the first `n` bytes of `a` and `b` as unsigned chars (C's `memcmp`):
 * -1, 0 or 1 as `a` sorts before, equal to or after `b`.
 * @throws OutOfBoundsError when `n` bytes do not fit in either pointer's bounds.
 * @throws FreedMemoryError, NullPointerError, InvalidPointerError, InvalidSizeError (see the module notes).
 */
export function memcmp(a: AnyMemoryPointer, b: AnyMemoryPointer, n: number): -1 | 0 | 1 {
  const x = start('memcmp', a);
  const y = start('memcmp', b);
  count('memcmp', n);
  reach('memcmp', 'first pointer', a, x, n);
  reach('memcmp', 'second pointer', b, y, n);
  if (n <= 32) {
    for (let i = 0; i < n; i++) {
      const u = U8[x + i]!;
      const v = U8[y + i]!;
      if (u !== v) return u < v ? -1 : 1;
    }
    return 0;
  }
  return HB.compare(HB, y, y + n, x, x + n) as -1 | 0 | 1;
}

// ---------------------------------------------------------------------------
// Strings

/**
 * Bytes before the first NUL at `s` (C's `strlen`).
 * @throws OutOfBoundsError when there is no NUL within `s`'s bounds.
 * @throws FreedMemoryError, NullPointerError, InvalidPointerError (see the module notes).
 */
export function strlen(s: AnyMemoryPointer): number {
  const o = start('strlen', s);
  const i = nulIndex(o, s._hi);
  if (i === -1) throw unterminated('strlen', 'string', s, s._hi - o);
  return i;
}

/**
 * Copies the string at `src` with its NUL to `dest` (C's `strcpy`); returns `dest`.
 * `src` may be a JavaScript string (its UTF-8 bytes).
 * @throws OutOfBoundsError when the string and its NUL do not fit in `dest`, or `src` holds no NUL within its bounds.
 * @throws FreedMemoryError, NullPointerError, InvalidPointerError (see the module notes).
 */
export function strcpy<P extends AnyMemoryPointer>(dest: P, src: CStringSource): P {
  const d = start('strcpy', dest);
  checkSource('strcpy', src);
  if (typeof src === 'string') {
    const bytes = utf8(src);
    reach('strcpy', 'destination', dest, d, bytes.length + 1);
    U8.set(bytes, d);
    U8[d + bytes.length] = 0;
    return dest;
  }
  const s = src._o;
  const len = nulIndex(s, src._hi);
  if (len === -1) throw unterminated('strcpy', 'source', src, src._hi - s);
  reach('strcpy', 'destination', dest, d, len + 1);
  U8.copyWithin(d, s, s + len + 1);
  return dest;
}

/**
 * Copies at most `n` bytes of the string at `src` to `dest`, then pads `dest`
 * with NULs up to `n` bytes (C's `strncpy`: when the string has `n` bytes or
 * more, `dest` gets no NUL); returns `dest`. `src` may be a JavaScript string.
 * @throws OutOfBoundsError when `n` bytes do not fit in `dest`, or `src` ends (its bounds) before its NUL and before `n` bytes.
 * @throws FreedMemoryError, NullPointerError, InvalidPointerError, InvalidSizeError (see the module notes).
 */
export function strncpy<P extends AnyMemoryPointer>(dest: P, src: CStringSource, n: number): P {
  const d = start('strncpy', dest);
  checkSource('strncpy', src);
  count('strncpy', n);
  reach('strncpy', 'destination', dest, d, n);
  let len: number;
  if (typeof src === 'string') {
    const bytes = utf8(src);
    len = Math.min(bytes.length, n);
    U8.set(len === bytes.length ? bytes : bytes.subarray(0, len), d);
  } else {
    const s = src._o;
    const avail = src._hi - s;
    const i = nulIndex(s, s + Math.min(avail, n));
    if (i === -1 && avail < n) throw unterminated('strncpy', 'source', src, avail);
    len = i === -1 ? n : i;
    U8.copyWithin(d, s, s + len);
  }
  if (len < n) U8.fill(0, d + len, d + n);
  return dest;
}

/**
 * Compares two strings byte by byte as unsigned chars up to the first
 * difference or NUL (C's `strcmp`): -1, 0 or 1. Either side may be a
 * JavaScript string (its UTF-8 bytes).
 * @throws OutOfBoundsError when a pointer's bounds end before its NUL and before the strings differ.
 * @throws FreedMemoryError, NullPointerError, InvalidPointerError (see the module notes).
 */
export function strcmp(a: CStringSource, b: CStringSource): -1 | 0 | 1 {
  checkSource('strcmp', a);
  checkSource('strcmp', b);
  const ab = typeof a === 'string' ? utf8(a) : null;
  const bb = typeof b === 'string' ? utf8(b) : null;
  for (let i = 0; ; i++) {
    const u = byteAt('strcmp', 'first string', a, ab, i);
    const v = byteAt('strcmp', 'second string', b, bb, i);
    if (u !== v) return u < v ? -1 : 1;
    if (u === 0) return 0;
  }
}

/** Byte `i` of a string source (the implicit NUL after a JavaScript string's bytes). */
function byteAt(op: string, role: string, s: CStringSource, bytes: Buffer | null, i: number): number {
  if (bytes !== null) return i < bytes.length ? bytes[i]! : 0;
  const p = s as AnyMemoryPointer;
  const o = p._o + i;
  if (o >= p._hi) throw unterminated(op, role, p, p._hi - p._o);
  return U8[o]!;
}
