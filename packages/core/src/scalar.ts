/**
 * Typed pointers to one scalar (`malloc(int32)`), a `cstring(n)` or a
 * `pointer(T)`: they read and write the memory in place, no encoding step.
 *
 * Speed: each scalar type gets its own pointer class, generated from the code
 * snippets below with `new Function`, so that `deref()`/`move()` of an int32
 * pointer is its own function (its own type feedback, inlined at a monomorphic
 * call site) doing one liveness read and one typed-array (or DataView) access. The same snippets
 * build the generated struct views (struct.ts) and the per-kind readers and
 * writers the slower paths use.
 */
import { heap } from '@ptr/native';
import { BASE, DV, F32, F64, HB, I16, I32, U16, U32, U8, HEAP_BUFFER } from './memory.js';
import { AllocatedPointer, MemoryPointer, valueOf, type MemoryPointerClass } from './allocated.js';
import { PointerBase } from './pointer-base.js';
import {
  FreedMemoryError,
  InvalidPointerError,
  PointerError,
  cstringTooLong,
  hex,
  misaligned,
  noView,
  wrongValueType,
} from './errors.js';
import { CType, PointerType, ScalarType, scalars, type ScalarKind } from './types.js';
import { pointerAt } from './factory.js';
import { NULL, Pointer } from './object-pointer.js';

// ---------------------------------------------------------------------------
// Coercions: the slow side of `typeof v === 'number' ? v : toNumber(v)`.

/** A number for a numeric C type: numbers pass, a pointer gives its value, bigints convert; anything else is a PointerError. */
export function toNumber(v: unknown, typeName: string): number {
  const x = valueOf(v);
  if (typeof x === 'number') return x;
  if (typeof x === 'bigint') return Number(x);
  throw wrongValueType(typeName, 'a number', v);
}

/** A bigint for int64/uint64: integer numbers convert (fractions truncate, like C). */
export function toBigInt(v: unknown, typeName: string): bigint {
  const x = valueOf(v);
  if (typeof x === 'bigint') return x;
  if (typeof x === 'number' && Number.isFinite(x)) return BigInt(Math.trunc(x));
  throw wrongValueType(typeName, 'a bigint (or an integer number)', v);
}

/** A boolean for bool: numbers and bigints are true when non-zero. */
export function toBool(v: unknown, typeName: string): boolean {
  const x = valueOf(v);
  if (typeof x === 'boolean') return x;
  if (typeof x === 'number' || typeof x === 'bigint') return x != 0;
  throw wrongValueType(typeName, 'a boolean', v);
}

// ---------------------------------------------------------------------------
// Code snippets per scalar kind (o: a byte offset expression, v: a coerced value)

/**
 * Kinds with a typed array over the heap: an aligned access goes through it (a
 * plain element load or store, about twice as fast as the DataView call), a
 * misaligned one (a pointer cast to an odd address) through the DataView. Only
 * on little-endian machines, where both read the same bytes.
 */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const ARRAY_OF: Partial<Record<ScalarKind, { name: string; shift: number; dv: string }>> = LITTLE_ENDIAN
  ? {
      int16: { name: 'I16', shift: 1, dv: 'Int16' },
      uint16: { name: 'U16', shift: 1, dv: 'Uint16' },
      int32: { name: 'I32', shift: 2, dv: 'Int32' },
      uint32: { name: 'U32', shift: 2, dv: 'Uint32' },
      float32: { name: 'F32', shift: 2, dv: 'Float32' },
      float64: { name: 'F64', shift: 3, dv: 'Float64' },
    }
  : {};

const readVia = (kind: ScalarKind, dv: string) => (o: string): string => {
  const a = ARRAY_OF[kind];
  const viaDv = `DV.get${dv}(${o}, true)`;
  return a ? `(((${o}) & ${(1 << a.shift) - 1}) === 0 ? ${a.name}[(${o}) >>> ${a.shift}] : ${viaDv})` : viaDv;
};
const writeVia = (kind: ScalarKind, dv: string) => (o: string, v: string): string => {
  const a = ARRAY_OF[kind];
  const viaDv = `DV.set${dv}(${o}, ${v}, true)`;
  return a ? `if (((${o}) & ${(1 << a.shift) - 1}) === 0) ${a.name}[(${o}) >>> ${a.shift}] = ${v}; else ${viaDv}` : viaDv;
};

const READ: Record<ScalarKind, (o: string) => string> = {
  int8: (o) => `DV.getInt8(${o})`,
  uint8: (o) => `U8[${o}]`,
  int16: readVia('int16', 'Int16'),
  uint16: readVia('uint16', 'Uint16'),
  int32: readVia('int32', 'Int32'),
  uint32: readVia('uint32', 'Uint32'),
  int64: (o) => `DV.getBigInt64(${o}, true)`,
  uint64: (o) => `DV.getBigUint64(${o}, true)`,
  float32: readVia('float32', 'Float32'),
  float64: readVia('float64', 'Float64'),
  bool: (o) => `(U8[${o}] !== 0)`,
};

/** Statements that store `v` (already coerced) at `o`. */
const WRITE: Record<ScalarKind, (o: string, v: string) => string> = {
  int8: (o, v) => `DV.setInt8(${o}, ${v})`,
  uint8: (o, v) => `U8[${o}] = ${v}`,
  int16: writeVia('int16', 'Int16'),
  uint16: writeVia('uint16', 'Uint16'),
  int32: writeVia('int32', 'Int32'),
  uint32: writeVia('uint32', 'Uint32'),
  int64: (o, v) => `DV.setBigInt64(${o}, ${v}, true)`,
  uint64: (o, v) => `DV.setBigUint64(${o}, ${v}, true)`,
  float32: writeVia('float32', 'Float32'),
  float64: writeVia('float64', 'Float64'),
  bool: (o, v) => `U8[${o}] = ${v} ? 1 : 0`,
};

/** Expression coercing `v` to what the kind stores. */
function coerce(kind: ScalarKind, v: string): string {
  if (kind === 'bool') return `(typeof ${v} === 'boolean' ? ${v} : toBool(${v}, '${kind}'))`;
  if (kind === 'int64' || kind === 'uint64') return `(typeof ${v} === 'bigint' ? ${v} : toBigInt(${v}, '${kind}'))`;
  return `(typeof ${v} === 'number' ? ${v} : toNumber(${v}, '${kind}'))`;
}

/** Code snippets for generated code (struct.ts). */
export const snippets = { READ, WRITE, coerce };
/** What generated code needs in scope, by name. */
export const codegenScope = { I32, DV, U8, I16, U16, U32, F32, F64, toNumber, toBigInt, toBool };
const scopeNames = Object.keys(codegenScope);
const scopeValues = Object.values(codegenScope);

/** Compiles `body` (which returns something) with the codegen scope and `extra` in scope. */
export function compile<R>(body: string, extra: Record<string, unknown> = {}): R {
  const names = [...scopeNames, ...Object.keys(extra)];
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(...names, `'use strict';\n${body}`)(...scopeValues, ...Object.values(extra)) as R;
}

/** Per-kind reader: `(o) => value`. */
export const readScalar = {} as Record<ScalarKind, (o: number) => number | bigint | boolean>;
/** Per-kind writer with coercion: `(o, v) => void`. */
export const writeScalar = {} as Record<ScalarKind, (o: number, v: unknown) => void>;
for (const kind of Object.keys(READ) as ScalarKind[]) {
  readScalar[kind] = compile(`return function read_${kind}(o) { return ${READ[kind]('o')}; };`);
  writeScalar[kind] = compile(`return function write_${kind}(o, v) { const x = ${coerce(kind, 'v')}; ${WRITE[kind]('o', 'x')}; };`);
}

// ---------------------------------------------------------------------------
// Pointer classes

/**
 * Base of typed pointers: `view()` and the typed `assigned` (typed memory is
 * zeroed when allocated, so it always holds a value).
 */
export class TypedPointer<T = unknown, V = never> extends AllocatedPointer<T> {
  /**
   * A typed array over this memory, zero-copy (numbers, bigints, bools as
   * Uint8Array): one element here. Valid while the memory lives; for stack
   * memory only inside its frame (a typed array cannot be revoked).
   */
  view(): V {
    if (I32[this._w] !== this._t) this._dead();
    const type = this._type;
    if (!(type instanceof ScalarType)) throw noView(String(this), type === null ? 'untyped memory' : type.name);
    if (this._o % type.align !== 0) throw misaligned(String(this), type.align);
    return new type.TypedArray(HEAP_BUFFER, this._o, 1) as V;
  }
}

const scalarClasses = new Map<ScalarKind, MemoryPointerClass>();

/** The generated pointer class of a scalar kind. */
export function scalarClass(kind: ScalarKind): MemoryPointerClass {
  let C = scalarClasses.get(kind);
  if (C === undefined) {
    const name = kind[0]!.toUpperCase() + kind.slice(1) + 'Pointer';
    C = compile<MemoryPointerClass>(
      `return class ${name} extends Base {
        deref() {
          if (I32[this._w] !== this._t) this._dead();
          return ${READ[kind]('this._o')};
        }
        move(v) {
          if (I32[this._w] !== this._t) this._dead();
          const x = ${coerce(kind, 'v')};
          ${WRITE[kind]('this._o', 'x')};
          return this;
        }
      };`,
      { Base: TypedPointer },
    );
    scalarClasses.set(kind, C);
  }
  return C;
}

/** Reads a `char[n]` at `o`: UTF-8 up to the first NUL (or all n bytes). */
export function readCString(o: number, n: number): string {
  let end = U8.indexOf(0, o);
  if (end < 0 || end > o + n) end = o + n;
  return HB.toString('utf8', o, end);
}

/** Writes a `char[n]` at `o`: the UTF-8 bytes and a NUL; InvalidSizeError beyond n-1 bytes. */
export function writeCString(o: number, n: number, v: unknown, typeName: string): void {
  storeCString(o, cstringOf(v, n, typeName));
}

/** Checks that `v` is a string that fits a `char[n]`; returns it. */
export function cstringOf(v: unknown, n: number, typeName: string): string {
  const s = valueOf(v);
  if (typeof s !== 'string') throw wrongValueType(typeName, 'a string', v);
  const len = Buffer.byteLength(s, 'utf8');
  if (len > n - 1) throw cstringTooLong(len, n);
  return s;
}

/** Writes a string checked by {@link cstringOf} and its NUL at `o`. */
export function storeCString(o: number, s: string): void {
  const len = s.length === 0 ? 0 : HB.write(s, o, 'utf8');
  U8[o + len] = 0;
}

/** A pointer to a `char[n]`: reads and writes a string in place. */
export class CStringPointer extends TypedPointer<string> {
  /** The string (UTF-8 up to the first NUL). */
  override deref(): string {
    if (I32[this._w] !== this._t) this._dead();
    return readCString(this._o, this._type!.size);
  }
  /** Writes the string and its NUL. @throws InvalidSizeError beyond n-1 UTF-8 bytes. */
  override move(value: string | PointerBase<string>): this {
    if (I32[this._w] !== this._t) this._dead();
    writeCString(this._o, this._type!.size, value, this._type!.name);
    return this;
  }
}

/** Usable bytes of the smallest block (size class 0). */
const MIN_BLOCK = 16;

/** Reads a `T *` at `o`: the pointer whose address it holds, or NULL. */
export function readAddress(o: number, type: PointerType): MemoryPointer<unknown> | Pointer<never> {
  const address = DV.getUint32(o, true) + DV.getUint32(o + 4, true) * 2 ** 32;
  if (address === 0) return NULL;
  return revive(address, type.to);
}

/** Writes a `T *` at `o` from a memory pointer, NULL or null. */
export function writeAddress(o: number, v: unknown, type: PointerType): void {
  storeAddress(o, addressOf(v, type));
}

/** Writes a native address at `o` (8 bytes, little-endian). */
export function storeAddress(o: number, address: number): void {
  DV.setUint32(o, address % 2 ** 32, true);
  DV.setUint32(o + 4, Math.floor(address / 2 ** 32), true);
}

/** The address a `T *` stores for `v`: a live memory pointer's, 0 for NULL or null. */
export function addressOf(v: unknown, type: PointerType): number {
  let address: number;
  if (v === null || v === undefined || (v instanceof Pointer && v.isNull)) address = 0;
  else if (v instanceof MemoryPointer) {
    if (I32[v._w] !== v._t) v._dead();
    address = v.address;
  } else if (v instanceof Pointer) {
    throw new PointerError(`a ${type.name} holds a memory address; ${String(v)} points at a JavaScript value, which has none`, 'ERR_POINTER');
  } else throw wrongValueType(type.name, 'a memory pointer or NULL', v);
  return address;
}

/**
 * The pointer for an address read from memory: the live heap block that starts
 * there. Like C, this cannot tell whether the block is the one originally
 * stored (a freed and reused block gives the new one).
 * @throws FreedMemoryError when no live block starts there.
 * @throws InvalidPointerError for an interior or stack address.
 */
export function revive(address: number, to: CType | null): MemoryPointer<unknown> {
  let word = heap.tagWordOf(address);
  let usable = MIN_BLOCK;
  try {
    if (word < 0) word = heap.tagOf(address).word; // throws why no live block starts there
    // Every block has at least MIN_BLOCK usable bytes: ask the (slower) heap only past that.
    if (to === null || to.size > MIN_BLOCK) usable = heap.usableSize(address);
  } catch (e) {
    if (e instanceof FreedMemoryError) throw new FreedMemoryError(`pointer read from memory: ${hex(address)} has been freed`);
    if (e instanceof PointerError) {
      throw new InvalidPointerError(
        `pointer read from memory: ${hex(address)} is not the start of a live heap block (only those can be read back as pointers; ${e.message})`,
      );
    }
    throw e;
  }
  const o = address - BASE;
  if (to !== null && to.size > usable) {
    throw new InvalidPointerError(`pointer read from memory: the block at ${hex(address)} (${usable} bytes) is too small for a ${to.name}`);
  }
  return pointerAt(to, o, word, I32[word]!, o, o + (to === null ? usable : to.size), o, -1, 0);
}

/** A pointer to a `T *`: deref gives the pointer stored there (or NULL), move stores a pointer's address. */
export class AddressPointer<T = unknown> extends TypedPointer<T> {
  /** The pointer stored here, or NULL. */
  override deref(): T {
    if (I32[this._w] !== this._t) this._dead();
    return readAddress(this._o, this._type as PointerType) as T;
  }
  /** Stores the address of a memory pointer (NULL or null store 0). */
  override move(value: unknown): this {
    if (I32[this._w] !== this._t) this._dead();
    writeAddress(this._o, value, this._type as PointerType);
    return this;
  }
}

/** Scalar kinds in a fixed order (for tests and tables). */
export const scalarKinds = Object.keys(scalars) as ScalarKind[];
