/**
 * Value encoding of untyped memory (`malloc(size)`, the slots of `calloc(n, size)`).
 *
 * Layout at the pointer's address: a 1-byte tag, then for the variable-length
 * kinds a 4-byte little-endian payload length, then the payload.
 *
 * | tag | value | bytes |
 * |---|---|---|
 * | 0 EMPTY | no value yet (malloc writes it; calloc's zeroes read as it) | 1 |
 * | 1–4 | undefined, null, false, true | 1 |
 * | 5 INT32 | an integer number in int32 range (not -0) | 1 + 4 |
 * | 6 FLOAT64 | any other number | 1 + 8 |
 * | 7 BIGINT64 | a bigint in int64 range | 1 + 8 |
 * | 8 LATIN1 | an ASCII string | 1 + 4 + length |
 * | 9 UTF8 | any other string | 1 + 4 + UTF-8 bytes |
 * | 10 CLONE | anything else structured-cloneable, as `v8.serialize` bytes | 1 + 4 + bytes |
 *
 * Primitives never go through v8.serialize. `measure(v)` is exactly the bytes
 * `write` takes, which is what `sizeof(v)` reports. Decoding never reads past
 * the bytes it is given and turns anything malformed into a DereferenceError.
 */
import v8 from 'node:v8';
import { DV, HB, U8 } from './memory.js';
import { PointerError, garbledValue, noValue, notCloneable } from './errors.js';
import { snapshotSymbol } from './pointer-base.js';

export const T_EMPTY = 0;
const T_UNDEFINED = 1;
const T_NULL = 2;
const T_FALSE = 3;
const T_TRUE = 4;
const T_INT32 = 5;
const T_FLOAT64 = 6;
const T_BIGINT64 = 7;
const T_LATIN1 = 8;
const T_UTF8 = 9;
const T_CLONE = 10;
const HEADER = 5;

// What the last measure() found, for the write() that follows it. Nothing runs
// user code between the two (v8.serialize, which can call getters, runs in measure).
let pendingTag = 0;
let pendingLen = 0;
let pendingBytes: Uint8Array | null = null;

/** Bytes `v` takes in untyped memory (`sizeof(v)`); remembers the encoding for {@link write}. */
export function measure(v: unknown): number {
  switch (typeof v) {
    case 'number':
      if ((v | 0) === v && !(v === 0 && 1 / v < 0)) {
        pendingTag = T_INT32;
        return 5;
      }
      pendingTag = T_FLOAT64;
      return 9;
    case 'boolean':
      pendingTag = v ? T_TRUE : T_FALSE;
      return 1;
    case 'undefined':
      pendingTag = T_UNDEFINED;
      return 1;
    case 'string': {
      const n = v.length === 0 ? 0 : Buffer.byteLength(v, 'utf8');
      // A lone surrogate has no UTF-8 form (it would come back as U+FFFD): such
      // strings go through v8.serialize, which keeps them. (Any surrogate makes
      // the UTF-8 longer than the string, so ASCII text never pays for the check.)
      if (n !== v.length && !(v as unknown as { isWellFormed(): boolean }).isWellFormed()) return measureClone(v);
      pendingTag = n === v.length ? T_LATIN1 : T_UTF8;
      pendingLen = n;
      return HEADER + n;
    }
    case 'bigint':
      if (BigInt.asIntN(64, v) === v) {
        pendingTag = T_BIGINT64;
        return 9;
      }
      return measureClone(v);
    case 'object':
      if (v === null) {
        pendingTag = T_NULL;
        return 1;
      }
      return measureClone(v);
    default:
      throw notCloneable(v, new TypeError(`${typeof v}s cannot be cloned`));
  }
}

function measureClone(value: unknown): number {
  const v = typeof (value as { [snapshotSymbol]?: unknown })[snapshotSymbol] === 'function' ? (value as { [snapshotSymbol](): unknown })[snapshotSymbol]() : value;
  let bytes: Uint8Array;
  try {
    bytes = v8.serialize(v);
  } catch (e) {
    // Our own errors (from getters of the value that use pointers) pass through.
    if (e instanceof PointerError) throw e;
    throw notCloneable(v, e);
  }
  pendingTag = T_CLONE;
  pendingLen = bytes.length;
  pendingBytes = bytes;
  return HEADER + bytes.length;
}

/** Writes the value last passed to {@link measure} at heap offset `o` (the caller checked it fits). */
export function write(o: number, v: unknown): void {
  writeInto(HB, DV, o, v);
}

/**
 * The encoding of `v` in a buffer of its own (exactly `measure(v)` bytes), for
 * writers that must run all user code (getters) before touching the heap.
 */
export function encode(v: unknown): Buffer {
  const n = measure(v);
  const buf = Buffer.alloc(n);
  writeInto(buf, new DataView(buf.buffer, buf.byteOffset, n), 0, v);
  return buf;
}

function writeInto(buf: Buffer, dv: DataView, o: number, v: unknown): void {
  const tag = pendingTag;
  switch (tag) {
    case T_INT32:
      dv.setInt32(o + 1, v as number, true);
      break;
    case T_FLOAT64:
      dv.setFloat64(o + 1, v as number, true);
      break;
    case T_BIGINT64:
      dv.setBigInt64(o + 1, v as bigint, true);
      break;
    case T_LATIN1:
    case T_UTF8:
      dv.setUint32(o + 1, pendingLen, true);
      if (pendingLen > 0) buf.write(v as string, o + HEADER, pendingLen, tag === T_LATIN1 ? 'latin1' : 'utf8');
      break;
    case T_CLONE:
      dv.setUint32(o + 1, pendingLen, true);
      buf.set(pendingBytes!, o + HEADER);
      pendingBytes = null;
      break;
  }
  buf[o] = tag;
}

/**
 * Bytes of the value held at `o`, 0 when it holds none. `avail` is how many
 * bytes may be read there; a length running past them means garbage.
 */
export function heldSize(o: number, avail: number): number {
  if (avail < 1) return 0;
  const tag = U8[o]!;
  switch (tag) {
    case T_EMPTY:
      return 0;
    case T_UNDEFINED:
    case T_NULL:
    case T_FALSE:
    case T_TRUE:
      return 1;
    case T_INT32:
      return 5;
    case T_FLOAT64:
    case T_BIGINT64:
      return 9;
    case T_LATIN1:
    case T_UTF8:
    case T_CLONE:
      return avail < HEADER ? Infinity : HEADER + DV.getUint32(o + 1, true);
    default:
      return Infinity;
  }
}

/**
 * Decodes the value at `o`. `avail` bytes are readable there; `more()` gives
 * the bytes readable up to the end of the block, asked only when the header
 * claims more than `avail` (a value moved in with `unsafe`).
 */
export function read(o: number, avail: number, more: { _usable(): number }): unknown {
  let limit = avail;
  // 0 bytes: an unsafe move may still have put a value in the rest of the block
  if (avail === 0 && (limit = more._usable()) <= 0) throw noValue();
  const tag = U8[o]!;
  if (tag === T_EMPTY) throw noValue();
  if (tag > T_CLONE) throw garbledValue(`unknown tag ${tag}`);
  let need = tag < T_INT32 ? 1 : tag === T_INT32 ? 5 : tag < T_LATIN1 ? 9 : HEADER;
  if (need > limit) {
    limit = more._usable();
    if (need > limit) throw garbledValue('its header runs past the block');
  }
  if (tag >= T_LATIN1) {
    need = HEADER + DV.getUint32(o + 1, true);
    if (need > limit && limit === avail) limit = more._usable();
    if (need > limit) throw garbledValue('its length runs past the block');
  }
  switch (tag) {
    case T_UNDEFINED:
      return undefined;
    case T_NULL:
      return null;
    case T_FALSE:
      return false;
    case T_TRUE:
      return true;
    case T_INT32:
      return DV.getInt32(o + 1, true);
    case T_FLOAT64:
      return DV.getFloat64(o + 1, true);
    case T_BIGINT64:
      return DV.getBigInt64(o + 1, true);
    case T_LATIN1:
      return HB.toString('latin1', o + HEADER, o + need);
    case T_UTF8:
      return HB.toString('utf8', o + HEADER, o + need);
    case T_CLONE:
      try {
        // A private copy: another thread writing meanwhile cannot reach the decoder.
        return v8.deserialize(U8.slice(o + HEADER, o + need));
      } catch (e) {
        throw garbledValue(e instanceof Error ? e.message : String(e));
      }
    default:
      throw garbledValue(`unknown tag ${tag}`);
  }
}

/** Marks the memory at `o` as holding no value (what malloc'd untyped memory starts as). */
export function clear(o: number): void {
  U8[o] = T_EMPTY;
}
