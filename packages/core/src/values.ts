/**
 * Reading and writing a value of any C type at a heap offset: the general (and
 * slower) path behind struct moves, array `set()`/`toArray()`, struct views'
 * non-scalar fields and snapshots. Scalar hot paths are generated (scalar.ts,
 * struct.ts) and do not come through here. Callers check liveness and bounds.
 */
import { valueOf } from './allocated.js';
import { measure, read, write } from './codec.js';
import { arrayTooLong, tooBig, unknownField, wrongValueType } from './errors.js';
import { readAddress, readCString, readScalar, writeAddress, writeCString, writeScalar } from './scalar.js';
import type { ArrayType, CType, PointerType, ScalarKind, StructType } from './types.js';
import { U8 } from './memory.js';

/** Marks the prototypes of generated struct views (so a view moves like the struct it shows). */
export const VIEW: unique symbol = Symbol('ptr.structView') as never;

/** Writes `v` as a `type` at offset `o`. */
export function writeValue(type: CType, o: number, v: unknown): void {
  switch (type.kind) {
    case 'bytes': {
      const x = valueOf(v);
      const n = measure(x);
      if (n > type.size) throw tooBig(n, type.size);
      write(o, x);
      return;
    }
    case 'cstring':
      writeCString(o, type.size, v, type.name);
      return;
    case 'pointer':
      writeAddress(o, v, type as PointerType);
      return;
    case 'array':
      writeArray(type as ArrayType, o, v, 0);
      return;
    case 'struct':
      writeStruct(type as StructType, o, v);
      return;
    default:
      writeScalar[type.kind as ScalarKind](o, v);
  }
}

/** Writes the elements of an array-like from index `start` of the array at `o`. */
export function writeArray(type: ArrayType, o: number, v: unknown, start: number): void {
  const src = valueOf(v);
  if (typeof src !== 'object' || src === null || typeof (src as ArrayLike<unknown>).length !== 'number') {
    throw wrongValueType(type.name, 'an array-like of elements', v);
  }
  const items = src as ArrayLike<unknown>;
  const n = items.length;
  if (start + n > type.length) throw arrayTooLong(start + n, type.length);
  const elem = type.of;
  const size = elem.size;
  const kind = elem.kind;
  if (kind !== 'struct' && kind !== 'array' && kind !== 'bytes' && kind !== 'cstring' && kind !== 'pointer') {
    const w = writeScalar[kind];
    for (let i = 0; i < n; i++) w(o + (start + i) * size, items[i]);
    return;
  }
  for (let i = 0; i < n; i++) writeValue(elem, o + (start + i) * size, items[i]);
}

/** Writes the fields `v` names (a plain object or a struct view) into the struct at `o`. */
export function writeStruct(type: StructType, o: number, v: unknown): void {
  const src = valueOf(v);
  if (typeof src !== 'object' || src === null) throw wrongValueType(type.name, 'an object of its fields', v);
  const rec = src as Record<string, unknown>;
  if (rec[VIEW as never] === undefined) {
    for (const key of Object.keys(rec)) if (!type.byName.has(key)) throw unknownField(type.name, key);
  }
  for (const f of type.fields) {
    if (f.name in rec) writeValue(f.type, o + f.offset, rec[f.name]);
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
