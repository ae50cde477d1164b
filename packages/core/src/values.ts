/**
 * Reading and writing a value of any C type at a heap offset: the general (and
 * slower) path behind struct moves, array `set()`/`toArray()`, struct views'
 * non-scalar fields and snapshots. Scalar hot paths are generated (scalar.ts,
 * struct.ts) and do not come through here. Callers check bounds; `store` checks
 * liveness after running user code.
 */
import { valueOf } from './allocated.js';
import { encode, read } from './codec.js';
import { arrayTooLong, tooBig, unknownField, wrongValueType } from './errors.js';
import { addressOf, cstringOf, readAddress, readCString, readScalar, storeAddress, storeCString, toBigInt, toBool, toNumber, writeScalar } from './scalar.js';
import type { ArrayType, CType, PointerType, ScalarKind, ScalarType, StructType } from './types.js';
import type { MemoryPointer } from './allocated.js';
import { I32, U8 } from './memory.js';

/** Marks the prototypes of generated struct views (so a view moves like the struct it shows). */
export const VIEW: unique symbol = Symbol('ptr.structView') as never;

/**
 * Writes `v` as a `type` at offset `o` of `owner`'s memory, in two phases:
 * first everything that can run user code (getters of the object written,
 * serialization of untyped values, array-likes that are proxies) while
 * checking and converting every value; then, once `owner` is known to be live,
 * the stores. A getter that frees the block therefore cannot make a write land
 * in freed memory, and a value that does not fit changes nothing.
 */
export function store(type: CType, o: number, v: unknown, owner: MemoryPointer<unknown>): void {
  const ops: Op[] = [];
  prepare(type, o, v, ops);
  apply(ops, owner);
}

/** {@link store} for the elements of an array-like, from index `start` of the array at `o`. */
export function storeArray(type: ArrayType, o: number, v: unknown, start: number, owner: MemoryPointer<unknown>): void {
  const ops: Op[] = [];
  prepareArray(type, o, v, start, ops);
  apply(ops, owner);
}

/** One store: a checked, converted value of a type at an offset. */
interface Op {
  o: number;
  type: CType;
  /** Scalars: the coerced value; cstring: the string; pointer: the address; bytes: the encoding. */
  v: unknown;
}

function prepare(type: CType, o: number, v: unknown, ops: Op[]): void {
  switch (type.kind) {
    case 'bytes': {
      const buf = encode(valueOf(v));
      if (buf.length > type.size) throw tooBig(buf.length, type.size);
      ops.push({ o, type, v: buf });
      return;
    }
    case 'cstring':
      ops.push({ o, type, v: cstringOf(v, type.size, type.name) });
      return;
    case 'pointer':
      ops.push({ o, type, v: addressOf(v, type as PointerType) });
      return;
    case 'array':
      prepareArray(type as ArrayType, o, v, 0, ops);
      return;
    case 'struct':
      prepareStruct(type as StructType, o, v, ops);
      return;
    default:
      ops.push({ o, type, v: coerceScalar(type as ScalarType, v) });
  }
}

function prepareArray(type: ArrayType, o: number, v: unknown, start: number, ops: Op[]): void {
  const src = valueOf(v);
  if (typeof src !== 'object' || src === null || typeof (src as ArrayLike<unknown>).length !== 'number') {
    throw wrongValueType(type.name, 'an array-like of elements', v);
  }
  const items = src as ArrayLike<unknown>;
  const n = items.length;
  if (start + n > type.length) throw arrayTooLong(start + n, type.length);
  const elem = type.of;
  for (let i = 0; i < n; i++) prepare(elem, o + (start + i) * elem.size, items[i], ops);
}

function prepareStruct(type: StructType, o: number, v: unknown, ops: Op[]): void {
  const src = valueOf(v);
  if (typeof src !== 'object' || src === null) throw wrongValueType(type.name, 'an object of its fields', v);
  const rec = src as Record<string, unknown>;
  if (rec[VIEW as never] === undefined) {
    for (const key of Object.keys(rec)) if (!type.byName.has(key)) throw unknownField(type.name, key);
  }
  for (const f of type.fields) {
    if (f.name in rec) prepare(f.type, o + f.offset, rec[f.name], ops);
  }
}

function coerceScalar(type: ScalarType, v: unknown): unknown {
  switch (type.kind) {
    case 'bool':
      return toBool(v, type.name);
    case 'int64':
    case 'uint64':
      return toBigInt(v, type.name);
    default:
      return toNumber(v, type.name);
  }
}

function apply(ops: Op[], owner: MemoryPointer<unknown>): void {
  if (I32[owner._w] !== owner._t) owner._dead();
  for (let i = 0; i < ops.length; i++) {
    const { o, type, v } = ops[i]!;
    switch (type.kind) {
      case 'bytes':
        U8.set(v as Uint8Array, o);
        break;
      case 'cstring':
        storeCString(o, v as string);
        break;
      case 'pointer':
        storeAddress(o, v as number);
        break;
      default:
        writeScalar[type.kind as ScalarKind](o, v);
    }
  }
}

/**
 * A plain copy of the `type` value at `o`: numbers, strings, pointers, arrays
 * of those, objects for structs; untyped memory gives its decoded value
 * (undefined when it holds none).
 */
export function snapshot(type: CType, o: number): unknown {
  switch (type.kind) {
    case 'bytes': {
      if (U8[o] === 0) return undefined;
      const size = type.size;
      return read(o, size, { _usable: () => size });
    }
    case 'cstring':
      return readCString(o, type.size);
    case 'pointer':
      return readAddress(o, type as PointerType);
    case 'array': {
      const a = type as ArrayType;
      const out = new Array<unknown>(a.length);
      for (let i = 0; i < a.length; i++) out[i] = snapshot(a.of, o + i * a.of.size);
      return out;
    }
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const f of (type as StructType).fields) out[f.name] = snapshot(f.type, o + f.offset);
      return out;
    }
    default:
      return readScalar[type.kind as ScalarKind](o);
  }
}
