/**
 * C type descriptors and their layout.
 *
 * A type is an immutable descriptor: `kind`, `name`, `size` and `align` follow
 * the C ABI of Linux x64 (little-endian, natural alignment; a struct is aligned
 * to its most aligned field and padded to a multiple of that). Descriptors carry
 * the JavaScript type of their value for TypeScript only (a phantom member).
 *
 * | type | size | JS value read | JS value written |
 * |---|---|---|---|
 * | `int8 uint8 int16 uint16 int32 uint32` | 1–4 | number | number (wraps like C) |
 * | `int64 uint64` | 8 | bigint | bigint or integer number |
 * | `float32 float64` | 4, 8 | number | number |
 * | `bool` | 1 | boolean | boolean or number |
 * | `pointer(T)` | 8 | a pointer, or `NULL` | a memory pointer, `NULL` or `null` |
 * | `cstring(n)` | n | string (up to the first NUL, UTF-8) | string of at most n-1 UTF-8 bytes |
 * | `array(T, n)` | n·sizeof(T) | typed-array view (numbers) or array pointer | array-like |
 * | `struct({…})` | C layout | live view | plain object (the fields it names) |
 */
import type { AllocatedPointer } from './allocated.js';
import type { AllocatedArrayPointer } from './array.js';
import type { StructPointer } from './struct.js';
import type { TypedPointer } from './scalar.js';
import type { Pointer } from './object-pointer.js';
import { InvalidSizeError, PointerError, describe, unknownField } from './errors.js';

declare const valueType: unique symbol;

/** Kinds of scalar types. */
export type ScalarKind =
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64'
  | 'bool';

/** Every kind of type descriptor. `bytes` is untyped memory of a fixed size (the slots of `calloc(n, size)`). */
export type TypeKind = ScalarKind | 'pointer' | 'cstring' | 'array' | 'struct' | 'bytes';

/** A typed array class that can view heap memory. */
export type TypedArrayConstructor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

/**
 * A C type descriptor. `T` is the JavaScript value a pointer to this type reads
 * (`deref()`); see the table at the top of this module.
 */
export abstract class CType<T = unknown> {
  /** Phantom: the value type, for TypeScript only (never set). */
  declare readonly [valueType]: T;
  /** What kind of type this is. */
  abstract readonly kind: TypeKind;
  /** C-like spelling, e.g. `int32`, `int32[4]`, `struct Point`. */
  readonly name: string;
  /** `sizeof` in bytes. */
  readonly size: number;
  /** `alignof` in bytes. */
  readonly align: number;
  /** @internal */
  constructor(name: string, size: number, align: number) {
    this.name = name;
    this.size = size;
    this.align = align;
  }
  /** The type's C-like name. */
  toString(): string {
    return this.name;
  }
  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `CType(${this.name}, size=${this.size}, align=${this.align})`;
  }
}

/** The JavaScript value a type holds (what `deref()` returns). */
export type ValueOf<C> = C extends CType<infer T> ? T : never;

/** A scalar (number, bigint or bool) C type; `V` is its typed-array view class. */
export class ScalarType<T extends number | bigint | boolean = number | bigint | boolean, V = unknown> extends CType<T> {
  /** Phantom: the typed array that views an array of this type, for TypeScript only. */
  declare readonly viewType: V;
  readonly kind: ScalarKind;
  /** The typed array class that views arrays of this type (bool: Uint8Array). */
  readonly TypedArray: TypedArrayConstructor;
  /** @internal */
  constructor(kind: ScalarKind, size: number, typedArray: TypedArrayConstructor) {
    super(kind, size, size);
    this.kind = kind;
    this.TypedArray = typedArray;
  }
}

/** `int8_t`. */
export const int8: ScalarType<number, Int8Array> = new ScalarType('int8', 1, Int8Array);
/** `uint8_t`. */
export const uint8: ScalarType<number, Uint8Array> = new ScalarType('uint8', 1, Uint8Array);
/** `int16_t`. */
export const int16: ScalarType<number, Int16Array> = new ScalarType('int16', 2, Int16Array);
/** `uint16_t`. */
export const uint16: ScalarType<number, Uint16Array> = new ScalarType('uint16', 2, Uint16Array);
/** `int32_t`. */
export const int32: ScalarType<number, Int32Array> = new ScalarType('int32', 4, Int32Array);
/** `uint32_t`. */
export const uint32: ScalarType<number, Uint32Array> = new ScalarType('uint32', 4, Uint32Array);
/** `int64_t`, read as a bigint. */
export const int64: ScalarType<bigint, BigInt64Array> = new ScalarType('int64', 8, BigInt64Array);
/** `uint64_t`, read as a bigint. */
export const uint64: ScalarType<bigint, BigUint64Array> = new ScalarType('uint64', 8, BigUint64Array);
/** `float`. */
export const float32: ScalarType<number, Float32Array> = new ScalarType('float32', 4, Float32Array);
/** `double`. */
export const float64: ScalarType<number, Float64Array> = new ScalarType('float64', 8, Float64Array);
/** `bool` (one byte, 0 or 1). */
export const bool: ScalarType<boolean, Uint8Array> = new ScalarType('bool', 1, Uint8Array);

/** Scalar types by kind. */
export const scalars: Readonly<Record<ScalarKind, ScalarType>> = Object.freeze({
  int8,
  uint8,
  int16,
  uint16,
  int32,
  uint32,
  int64,
  uint64,
  float32,
  float64,
  bool,
} as Record<ScalarKind, ScalarType>);

/** Untyped memory of a fixed size: holds any structured-cloneable value (the slots of `calloc(n, size)`). */
export class BytesType extends CType<unknown> {
  readonly kind = 'bytes' as const;
  /** @internal */
  constructor(size: number) {
    super(`bytes[${size}]`, size, 1);
  }
}

/** `bytes(n)`: untyped memory of `n` bytes, as a type (e.g. a struct field or array element holding any value). */
export function bytes(size: number): BytesType {
  checkCount('bytes(size)', size);
  return new BytesType(size);
}

/** The value of a NULL pointer field: the `NULL` object pointer. */
export type NullPointer = Pointer<never>;

/** The pointer class `malloc(type)` returns for a type. */
export type PointerFor<C> =
  C extends StructType<infer F>
    ? StructPointer<F>
    : C extends ArrayType<infer E>
      ? AllocatedArrayPointer<E>
      : C extends ScalarType<infer T, infer V>
        ? TypedPointer<T, V>
        : C extends BytesType
          ? AllocatedPointer<unknown>
          : TypedPointer<ValueOf<C>>;

/** `T *`: an 8-byte native address. Reads give a pointer (or `NULL`); `pointer()` is `void *`. */
export class PointerType<C extends CType = CType> extends CType<PointerFor<C> | NullPointer> {
  readonly kind = 'pointer' as const;
  /** The pointed-to type; `null` for `void *` (untyped memory). */
  readonly to: C | null;
  /** @internal */
  constructor(to: C | null) {
    super(to === null ? 'void*' : `${to.name}*`, 8, 8);
    this.to = to;
  }
}

/** `T *`. Without a type, `void *`: reads give untyped pointers. */
export function pointer<C extends CType>(to?: C): PointerType<C> {
  if (to !== undefined && !(to instanceof CType)) throw notAType('pointer(type)', to);
  return new PointerType(to ?? null);
}

/** `char[n]`: a NUL-terminated UTF-8 string in `n` bytes. */
export class CStringType extends CType<string> {
  readonly kind = 'cstring' as const;
  /** @internal */
  constructor(n: number) {
    super(`char[${n}]`, n, 1);
  }
}

/** `char[n]`: a NUL-terminated UTF-8 string of at most `n - 1` bytes. */
export function cstring(n: number): CStringType {
  checkCount('cstring(n)', n);
  if (n < 1) throw new InvalidSizeError('cstring(n): n must be at least 1 (room for the NUL)');
  return new CStringType(n);
}

/** What a struct view's array field reads: a typed array for numbers, otherwise an array pointer. */
export type ArrayFieldValue<E> = E extends ScalarType<infer _T, infer V> ? V : E extends CType ? AllocatedArrayPointer<E> : never;

/** `T[n]`: `n` elements of `T`, back to back. */
export class ArrayType<E extends CType = CType> extends CType<ArrayFieldValue<E>> {
  readonly kind = 'array' as const;
  /** The element type. */
  readonly of: E;
  /** Number of elements. */
  readonly length: number;
  /** @internal */
  constructor(of: E, length: number) {
    super(`${of.name}[${length}]`, of.size * length, of.align);
    this.of = of;
    this.length = length;
  }
}

/** `T[n]`. */
export function array<E extends CType>(of: E, length: number): ArrayType<E> {
  if (!(of instanceof CType)) throw notAType('array(type, n)', of);
  checkCount('array(type, n)', length);
  return new ArrayType(of, length);
}

/** Field types of a struct, by name. */
export type StructFields = { readonly [name: string]: CType };

/** The live view of a struct: one accessor per field, reading and writing the memory. */
export type StructView<F extends StructFields> = { -readonly [K in keyof F]: ValueOf<F[K]> };

/** What `move()` accepts for a type. */
export type InitOf<C> =
  C extends StructType<infer F>
    ? StructInit<F>
    : C extends ArrayType<infer E>
      ? ArrayLike<InitOf<E>>
      : C extends PointerType
        ? AllocatedPointer<unknown> | NullPointer | null
        : C extends ScalarType<bigint>
          ? bigint | number
          : ValueOf<C>;

/** What `move()` accepts for a struct: the fields to write (others keep their value). */
export type StructInit<F extends StructFields> = { [K in keyof F]?: InitOf<F[K]> };

/** One field of a struct. */
export interface FieldInfo {
  readonly name: string;
  readonly type: CType;
  /** `offsetof`. */
  readonly offset: number;
}

/** `struct { … }` with C layout. */
export class StructType<F extends StructFields = StructFields> extends CType<StructView<F>> {
  readonly kind = 'struct' as const;
  /** Fields in declaration order, with offsets. */
  readonly fields: readonly FieldInfo[];
  /** @internal */
  readonly byName: ReadonlyMap<string, FieldInfo>;
  /** @internal The generated live-view class (struct.ts), made on first use. */
  viewClass: unknown = undefined;
  /** @internal */
  constructor(name: string, fields: FieldInfo[], size: number, align: number) {
    super(name, size, align);
    this.fields = Object.freeze(fields.map((f) => Object.freeze({ ...f })));
    this.byName = new Map(this.fields.map((f) => [f.name, f]));
  }
}

/** Field names a live view cannot have (they would break its class). */
const RESERVED = new Set(['constructor', '__proto__', 'prototype']);

/**
 * `struct { … }` with C layout: each field at the next offset aligned to its
 * type, the whole aligned to its most aligned field. Fields keep the order of
 * `fields` (an object, or `[name, type]` pairs when names look like integers,
 * which JavaScript objects reorder).
 */
export function struct<F extends StructFields>(fields: F | readonly (readonly [keyof F & string, CType])[], name?: string): StructType<F> {
  if (name !== undefined && typeof name !== 'string') throw new PointerError(`struct(fields, name): name must be a string, got ${describe(name)}`, 'ERR_POINTER');
  let entries: [string, CType][];
  if (Array.isArray(fields)) {
    entries = (fields as readonly unknown[]).map((e) => {
      if (!Array.isArray(e) || e.length !== 2) throw new PointerError(`struct(fields): expected [name, type] pairs, got ${describe(e)}`, 'ERR_POINTER');
      return [e[0], e[1]] as [string, CType];
    });
  } else if (typeof fields === 'object' && fields !== null && Object.prototype.toString.call(fields) === '[object Object]') {
    entries = Object.entries(fields as StructFields);
  } else {
    throw new PointerError(`struct(fields): expected an object of field types or [name, type] pairs, got ${describe(fields)}`, 'ERR_POINTER');
  }
  const out: FieldInfo[] = [];
  let offset = 0;
  let align = 1;
  const seen = new Set<string>();
  for (const [field, type] of entries) {
    if (typeof field !== 'string' || field === '') throw new PointerError(`struct: field names must be non-empty strings, got ${describe(field)}`, 'ERR_POINTER');
    if (RESERVED.has(field)) throw new PointerError(`struct: ${JSON.stringify(field)} cannot be a field name`, 'ERR_POINTER');
    if (seen.has(field)) throw new PointerError(`struct: field ${JSON.stringify(field)} appears twice`, 'ERR_POINTER');
    if (!(type instanceof CType)) throw notAType(`struct field ${JSON.stringify(field)}`, type);
    seen.add(field);
    offset = alignUp(offset, type.align);
    out.push({ name: field, type, offset });
    offset += type.size;
    align = Math.max(align, type.align);
  }
  const size = alignUp(offset, align);
  const label = name ?? `struct { ${out.map((f) => `${f.type.name} ${f.name};`).join(' ')} }`;
  return new StructType<F>(name === undefined ? label : `struct ${name}`, out, size, align);
}

/** `sizeof(type)`. */
export function sizeofType(type: CType): number {
  return type.size;
}

/** `alignof(type)`. */
export function alignof(type: CType): number {
  if (!(type instanceof CType)) throw notAType('alignof(type)', type);
  return type.align;
}

/** `offsetof(struct, field)`. */
export function offsetof<F extends StructFields>(type: StructType<F>, field: keyof F & string): number {
  if (!(type instanceof StructType)) throw new PointerError(`offsetof(type, field): ${describe(type)} is not a struct type`, 'ERR_POINTER');
  const f = type.byName.get(field);
  if (f === undefined) throw unknownField(type.name, field);
  return f.offset;
}

/** True for scalar types whose arrays have typed-array views. */
export const isScalar = (t: CType | null): t is ScalarType => t !== null && t instanceof ScalarType;

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

function checkCount(what: string, n: unknown): asserts n is number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 2 ** 32) {
    throw new InvalidSizeError(`${what}: expected an integer from 0 to 2^32, got ${describe(n)}`);
  }
}

function notAType(what: string, v: unknown): PointerError {
  return new PointerError(`${what}: ${describe(v)} is not a C type (int32, struct({...}), array(T, n), ...)`, 'ERR_POINTER');
}

// ---------------------------------------------------------------------------
// Plain-data form of types, for passing pointers between threads

/** A type as plain data (structured-cloneable), see {@link typeToSpec}. */
export type TypeSpec =
  | { k: ScalarKind }
  | { k: 'bytes'; n: number }
  | { k: 'cstring'; n: number }
  | { k: 'pointer'; to: TypeSpec | null }
  | { k: 'array'; of: TypeSpec; n: number }
  | { k: 'struct'; name: string | null; fields: [string, TypeSpec][] };

/** A type as plain data: what another thread needs to rebuild it with {@link typeFromSpec}. */
export function typeToSpec(t: CType): TypeSpec {
  if (!(t instanceof CType)) throw notAType('typeToSpec(type)', t);
  switch (t.kind) {
    case 'bytes':
      return { k: 'bytes', n: t.size };
    case 'cstring':
      return { k: 'cstring', n: t.size };
    case 'pointer': {
      const to = (t as PointerType).to;
      return { k: 'pointer', to: to === null ? null : typeToSpec(to) };
    }
    case 'array':
      return { k: 'array', of: typeToSpec((t as ArrayType).of), n: (t as ArrayType).length };
    case 'struct': {
      const s = t as StructType;
      return { k: 'struct', name: s.name.startsWith('struct {') ? null : s.name.slice(7), fields: s.fields.map((f) => [f.name, typeToSpec(f.type)]) };
    }
    default:
      return { k: t.kind };
  }
}

const specCache = new Map<string, CType>();

/** Rebuilds a type from {@link typeToSpec}; equal specs give the same descriptor (so struct views are generated once). */
export function typeFromSpec(spec: TypeSpec): CType {
  if (typeof spec !== 'object' || spec === null || typeof spec.k !== 'string') throw badSpec(spec);
  let key: string;
  try {
    key = JSON.stringify(spec);
  } catch {
    throw badSpec(spec);
  }
  let t = specCache.get(key);
  if (t === undefined) {
    t = build(spec);
    specCache.set(key, t);
  }
  return t;
}

function build(spec: TypeSpec): CType {
  switch (spec.k) {
    case 'bytes':
      return bytes(spec.n);
    case 'cstring':
      return cstring(spec.n);
    case 'pointer':
      return pointer(spec.to === null ? undefined : typeFromSpec(spec.to));
    case 'array':
      return array(typeFromSpec(spec.of), spec.n);
    case 'struct':
      if (!Array.isArray(spec.fields)) throw badSpec(spec);
      return struct(
        spec.fields.map((e: unknown) => {
          if (!Array.isArray(e) || e.length !== 2) throw badSpec(spec);
          return [e[0] as string, typeFromSpec(e[1] as TypeSpec)] as const;
        }),
        spec.name ?? undefined,
      );
    default: {
      if (!Object.hasOwn(scalars, spec.k)) throw badSpec(spec);
      return scalars[spec.k];
    }
  }
}

function badSpec(spec: unknown): PointerError {
  return new PointerError(`typeFromSpec: ${describe(spec)} is not a type spec (what typeToSpec returns)`, 'ERR_POINTER');
}
