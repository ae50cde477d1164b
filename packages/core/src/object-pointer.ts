/**
 * Object pointers: pointers.py's `Pointer` / `to_ptr`, to JavaScript values.
 *
 * `deref()` returns the very target (no copy). `move(src)` changes the target
 * in place, so every alias of it sees the change; `assign(v)` re-points.
 * Unlike pointers.py (issue #37), `move` does not re-point afterwards.
 *
 * Addresses are synthetic ids (1, 2, 3, …), never heap addresses: the same
 * object always gets the same id (a WeakMap), and so does the same primitive
 * value while some pointer points at it (counted; a FinalizationRegistry
 * forgets it when those pointers are collected). `NULL` has address 0.
 */
import { PointerBase, inspectSymbol, type MoveOptions } from './pointer-base.js';
import {
  assignMemoryPointer,
  assignNull,
  describe,
  moveKindMismatch,
  moveLocked,
  movePrimitive,
  nullError,
  typedArrayTooLong,
  PointerError,
} from './errors.js';

let lastId = 0;
const objectIds = new WeakMap<object, number>();
const primitiveIds = new Map<unknown, { id: number; refs: number }>();
const forget = new FinalizationRegistry<unknown>((v) => release(v));

function isObject(v: unknown): v is object {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

function acquire(v: unknown): number {
  if (isObject(v)) {
    let id = objectIds.get(v);
    if (id === undefined) {
      id = ++lastId;
      objectIds.set(v, id);
    }
    return id;
  }
  let e = primitiveIds.get(v);
  if (e === undefined) {
    e = { id: ++lastId, refs: 0 };
    primitiveIds.set(v, e);
  }
  e.refs++;
  return e.id;
}

function release(v: unknown): void {
  const e = primitiveIds.get(v);
  if (e !== undefined && --e.refs === 0) primitiveIds.delete(v);
}

/**
 * A pointer to a JavaScript value (pointers.py's `Pointer`): `toPtr(value)`.
 *
 * @example
 * const a = { x: 1 };
 * const p = toPtr(a);
 * p.deref() === a;          // true
 * p.move({ x: 2 });         // a.x is now 2, for every alias of a
 * p.assign([1, 2]);         // p now points at the array
 */
export class Pointer<T = unknown> extends PointerBase<T> implements Iterable<T> {
  #target: T | undefined;
  #address: number;
  #null: boolean;

  /** @internal Use {@link toPtr}. */
  constructor(target: T | undefined, isNull = false) {
    super();
    this.#null = isNull;
    this.#target = isNull ? undefined : target;
    this.#address = isNull ? 0 : acquire(target);
    if (!isNull && !isObject(target)) forget.register(this, target, this);
  }

  /** The target's synthetic id (see the module notes); 0 for NULL. */
  get address(): number {
    return this.#address;
  }

  /** Always false: object pointers keep their target alive. */
  get freed(): boolean {
    return false;
  }

  /** True for `NULL` and pointers assigned NULL. */
  get isNull(): boolean {
    return this.#null;
  }

  /** @internal */
  get typeName(): string {
    return 'Pointer';
  }

  /**
   * pointers.py's `~p`: the target itself.
   * @throws NullPointerError through NULL.
   */
  deref(): T {
    if (this.#null) throw nullError('dereference');
    return this.#target as T;
  }

  /**
   * pointers.py's `p <<= src`: replaces the target's contents with those of
   * `src` (or of the target of pointer `src`), in place, so every alias sees
   * it. Both must be the same kind of object: plain objects or instances of the
   * same class (own properties are replaced), arrays, Maps, Sets, Dates,
   * ArrayBuffers, or typed arrays of the same type and a length no larger than
   * the target's (`unsafe` truncates instead).
   * @throws NullPointerError through NULL.
   * @throws PointerError for a different kind of object, a primitive target or a frozen one.
   * @throws InvalidSizeError for a longer typed array or ArrayBuffer.
   */
  move(src: T | PointerBase<T>, options?: MoveOptions): this {
    if (this.#null) throw nullError('move');
    const s: unknown = src instanceof PointerBase ? src.deref() : src;
    moveInPlace(this.#target, s, options?.unsafe === true);
    return this;
  }

  /**
   * pointers.py's `p >>= v`: re-points at `v`, or at the target of object
   * pointer `v` (NULL makes this pointer NULL).
   * @throws NullPointerError on `NULL` itself, which cannot change.
   * @throws PointerError for a memory pointer (use `toPtr(ptr)` to point at the pointer object).
   */
  assign(v: T | Pointer<T>): this {
    if (this === (NULL as unknown)) throw assignNull();
    if (v instanceof PointerBase && !(v instanceof Pointer)) throw assignMemoryPointer(String(v));
    const isNull = v instanceof Pointer && v.isNull;
    const target = v instanceof Pointer ? (isNull ? undefined : (v.deref() as T)) : v;
    if (!this.#null && !isObject(this.#target)) {
      forget.unregister(this);
      release(this.#target);
    }
    this.#null = isNull;
    this.#target = target;
    this.#address = isNull ? 0 : acquire(target);
    if (!isNull && !isObject(target)) forget.register(this, target, this);
    return this;
  }

  /** pointers.py's `*p`: iterating yields the target, once. */
  *[Symbol.iterator](): Iterator<T> {
    yield this.deref();
  }

  /** @internal util.inspect form: `Pointer(address=…)`. */
  [inspectSymbol](): string {
    return `Pointer(address=${this.#address})`;
  }
}

/** A pointer to `value` (pointers.py's `to_ptr`). `toPtr(NULL)` is a new NULL pointer that can be assigned later. */
export function toPtr<T = unknown>(value: Pointer<never>): Pointer<T>;
export function toPtr<T>(value: T): Pointer<Widen<T>>;
export function toPtr<T>(value: T): Pointer<Widen<T>> {
  if ((value as unknown) === NULL) return new Pointer<Widen<T>>(undefined, true);
  return new Pointer(value as Widen<T>);
}

/** A literal type widened to its primitive (`toPtr(1)` is a `Pointer<number>`, so it can be assigned 2). */
export type Widen<T> = T extends number ? number : T extends string ? string : T extends boolean ? boolean : T extends bigint ? bigint : T;

/** The NULL pointer: address 0; deref and move throw NullPointerError; frozen. */
export const NULL: Pointer<never> = Object.freeze(new Pointer<never>(undefined, true)) as Pointer<never>;

// ---------------------------------------------------------------------------
// In-place moves

/** The kind of object a move can replace in place, or null when it cannot. */
function kindOf(v: object): string | null {
  if (typeof v === 'function') return null;
  if (Array.isArray(v)) return 'array';
  const tag = Object.prototype.toString.call(v).slice(8, -1);
  switch (tag) {
    case 'Map':
    case 'Set':
    case 'Date':
    case 'ArrayBuffer':
    case 'SharedArrayBuffer':
    case 'DataView':
      return tag;
    case 'Object':
    case 'Error':
    case 'Arguments':
      return 'object';
    default:
      // typed arrays, by element type (Symbol.toStringTag: 'Int32Array', …)
      return ArrayBuffer.isView(v) ? tag : null;
  }
}

function moveInPlace(target: unknown, src: unknown, unsafe: boolean): void {
  if (!isObject(target)) throw movePrimitive(describe(target));
  const kt = kindOf(target);
  if (kt === null) throw new PointerError(`cannot move into ${describe(target)}: its contents live in internal slots that cannot be replaced in place`, 'ERR_POINTER');
  if (!isObject(src)) throw moveKindMismatch(describe(src), describe(target));
  if (src === target) return;
  const ks = kindOf(src);
  if (ks !== kt || (kt === 'object' && Object.getPrototypeOf(src) !== Object.getPrototypeOf(target))) {
    throw moveKindMismatch(describe(src), describe(target));
  }
  if (Object.isFrozen(target) || !Object.isExtensible(target)) throw moveLocked(describe(target));
  switch (kt) {
    case 'array': {
      const t = target as unknown[];
      const s = src as unknown[];
      t.length = s.length;
      for (let i = 0; i < s.length; i++) t[i] = s[i];
      return;
    }
    case 'Map': {
      const t = target as Map<unknown, unknown>;
      const entries = [...(src as Map<unknown, unknown>)];
      t.clear();
      for (const [k, v] of entries) t.set(k, v);
      return;
    }
    case 'Set': {
      const t = target as Set<unknown>;
      const values = [...(src as Set<unknown>)];
      t.clear();
      for (const v of values) t.add(v);
      return;
    }
    case 'Date':
      (target as Date).setTime((src as Date).getTime());
      return;
    case 'ArrayBuffer':
    case 'SharedArrayBuffer':
    case 'DataView': {
      const t = bytesOf(target);
      const s = bytesOf(src);
      if (s.length > t.length && !unsafe) throw typedArrayTooLong(s.length, t.length);
      t.set(s.length > t.length ? s.subarray(0, t.length) : s);
      return;
    }
    case 'object': {
      const descriptors = Object.getOwnPropertyDescriptors(src);
      for (const key of Reflect.ownKeys(target)) {
        if (!Reflect.deleteProperty(target, key)) throw moveLocked(describe(target));
      }
      Object.defineProperties(target, descriptors);
      return;
    }
    default: {
      // typed arrays of the same type
      const t = target as Uint8Array;
      const s = src as Uint8Array;
      if (s.length > t.length && !unsafe) throw typedArrayTooLong(s.length, t.length);
      t.set(s.length > t.length ? s.subarray(0, t.length) : s);
    }
  }
}

function bytesOf(v: object): Uint8Array {
  return ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(v as ArrayBuffer);
}
