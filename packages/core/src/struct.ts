/**
 * Struct pointers and live struct views.
 *
 * `malloc(Point)` gives a `StructPointer`: `field('x')` is a typed pointer to
 * one field, `view()` (also `deref()`) a live object whose properties read and
 * write the memory. Each struct type gets its own generated view class (made
 * once, with `new Function`): one getter/setter pair per field, each checking
 * liveness with one read and then doing one DataView access at a constant
 * offset, with the pointer's numbers under symbol keys. No Proxy.
 *
 * Field getters return: scalars and strings by value, pointers as pointer
 * objects (or NULL), nested structs as their own (cached) live view, numeric
 * arrays as a cached zero-copy typed array over the heap, other arrays as an
 * `AllocatedArrayPointer`. Setters take what `move()` takes for the field type.
 * A view of stack memory checks its frame on every access, but a typed array it
 * handed out cannot be revoked: use those only inside the frame.
 */
import { I32, HEAP_BUFFER } from './memory.js';
import { STACK, SUB, type MemoryPointer, type Region } from './allocated.js';
import { compile, readAddress, readCString, snippets, TypedPointer } from './scalar.js';
import { inspectSymbol, snapshotSymbol, type MoveOptions, type PointerBase } from './pointer-base.js';
import { misaligned, unknownField } from './errors.js';
import { ScalarType, type ArrayType, type CType, type PointerFor, type PointerType, type ScalarKind, type StructFields, type StructInit, type StructType, type StructView } from './types.js';
import { VIEW, snapshot, store } from './values.js';
import { pointerAt } from './factory.js';
import { read } from './codec.js';

/** Constructor of a generated view class. */
type ViewClass = new (o: number, w: number, t: number, p: MemoryPointer<unknown>) => object;

/**
 * A pointer to a struct (pointers.py's `StructPointer`), from `malloc(structType)`,
 * `calloc(n, structType)` slots, stack frames or nested fields.
 *
 * @example
 * const Point = struct({ x: int32, y: int32 });
 * const p = malloc(Point);
 * const v = p.view();      // live: v.x = 3 writes the memory
 * v.x = 3;
 * p.field('x').deref();    // 3
 */
export class StructPointer<F extends StructFields = StructFields> extends TypedPointer<StructView<F>, StructView<F>> {
  /** @internal The live view, once made. */ declare _view: StructView<F> | undefined;
  /** @internal Field pointers made so far. */ declare _cache: Map<string, MemoryPointer<unknown>> | undefined;

  /** @internal */
  constructor(o: number, w: number, t: number, hi: number, type: CType | null, r: Region | null) {
    super(o, w, t, hi, type, r);
    this._view = undefined;
    this._cache = undefined;
  }

  /** @internal */
  override get typeName(): string {
    return this._flags & STACK ? 'StackAllocatedPointer' : 'StructPointer';
  }

  /** The struct type. */
  override get type(): StructType<F> {
    return this._type as StructType<F>;
  }

  /** The live view (cached): its properties read and write the memory. */
  override view(): StructView<F> {
    if (I32[this._w] !== this._t) this._dead();
    let v = this._view;
    if (v === undefined) {
      const View = viewClassOf(this._type as StructType);
      v = this._view = new View(this._o, this._w, this._t, this) as StructView<F>;
    }
    return v;
  }

  /** pointers.py's `~sp`: the live view (see {@link StructPointer.view}). */
  override deref(): StructView<F> {
    return this.view();
  }

  /**
   * Writes the fields `init` names (a plain object, a view, or a pointer to a
   * struct); the others keep their value.
   * @throws PointerError for a field the struct does not have.
   */
  override move(init: StructInit<F> | StructView<F> | PointerBase<StructView<F>>, _options?: MoveOptions): this {
    if (I32[this._w] !== this._t) this._dead();
    store(this._type as StructType, this._o, init, this);
    return this;
  }

  /** A typed pointer to one field (cached), e.g. `sp.field('x').move(3)`. */
  field<K extends keyof F & string>(name: K): PointerFor<F[K]> {
    if (I32[this._w] !== this._t) this._dead();
    let cache = this._cache;
    if (cache === undefined) this._cache = cache = new Map();
    let p = cache.get(name);
    if (p === undefined) {
      const f = (this._type as StructType).byName.get(name);
      if (f === undefined) throw unknownField(this._type!.name, name);
      const o = this._o + f.offset;
      p = pointerAt(f.type, o, this._w, this._t, o, o + f.type.size, this._block, this._end, (this._flags & STACK) | SUB);
      cache.set(name, p);
    }
    return p as PointerFor<F[K]>;
  }

  /** A plain snapshot of the struct (nested structs and arrays copied too). */
  toObject(): { [K in keyof F]: unknown } {
    if (I32[this._w] !== this._t) this._dead();
    return snapshot(this._type!, this._o) as { [K in keyof F]: unknown };
  }

  /** @internal */
  override _resized(): void {
    this._view = undefined;
    this._cache = undefined;
  }
}

/** The generated live-view class of a struct type (made on first use). */
export function viewClassOf(type: StructType): ViewClass {
  let C = type.viewClass as ViewClass | undefined;
  if (C === undefined) {
    C = makeViewClass(type);
    type.viewClass = C;
  }
  return C;
}

const dead = (p: MemoryPointer<unknown>): never => p._dead();

function makeViewClass(type: StructType): ViewClass {
  const { READ, WRITE, coerce } = snippets;
  const R: ((o: number, p: MemoryPointer<unknown>) => unknown)[] = [];
  const W: ((o: number, v: unknown, p: MemoryPointer<unknown>) => void)[] = [];
  const MK: ((o: number, w: number, t: number, p: MemoryPointer<unknown>) => unknown)[] = [];
  // Internal state under symbol keys (as fast as named fields, and no clash
  // with field names); `#private` fields would cost 4x here.
  const inits: string[] = ['this[O] = o', 'this[WD] = w', 'this[TG] = t', 'this[P] = p'];
  const members: string[] = [];
  const chk = 'if (I32[this[WD]] !== this[TG]) dead(this[P]);';
  const CACHE: symbol[] = [];
  type.fields.forEach((f, i) => {
    const key = JSON.stringify(f.name);
    const at = `this[O] + ${f.offset}`;
    const ft = f.type;
    W[i] = (o, v, p) => store(ft, o, v, p);
    let get: string;
    let set = `W[${i}](${at}, v, this[P]);`;
    if (ft instanceof ScalarType) {
      const kind = ft.kind as ScalarKind;
      get = `${chk} return ${READ[kind](at)};`;
      set = `${chk} const x = ${coerce(kind, 'v')}; ${WRITE[kind](at, 'x')};`;
    } else if (ft.kind === 'struct' || ft.kind === 'array') {
      CACHE[i] = Symbol(`${f.name} view`);
      inits.push(`this[CACHE[${i}]] = undefined`);
      MK[i] = ft.kind === 'struct' ? nestedView(ft as StructType) : arrayField(ft as ArrayType);
      get = `${chk} return this[CACHE[${i}]] ??= MK[${i}](${at}, this[WD], this[TG], this[P]);`;
    } else {
      R[i] = reader(ft);
      get = `${chk} return R[${i}](${at}, this[P]);`;
    }
    members.push(`get [${key}]() { ${get} }`, `set [${key}](v) { ${set} }`);
  });
  if (!type.byName.has('toJSON')) members.push(`toJSON() { ${chk} return SNAP(this[O]); }`);
  members.push(`[SNAPSHOT]() { ${chk} return SNAP(this[O]); }`);
  members.push(`[INSPECT]() { if (I32[this[WD]] !== this[TG]) return NAME + ' (freed)'; return SNAP(this[O]); }`);
  const name = type.name.startsWith('struct {') ? 'StructView' : type.name.slice(7).replace(/[^\w$]/g, '_') + 'View';
  const C = compile<ViewClass>(
    `return class ${name} {
      constructor(o, w, t, p) { ${inits.join('; ')}; }
      ${members.join('\n      ')}
    };`,
    {
      dead,
      R,
      W,
      MK,
      CACHE,
      O: Symbol('offset'),
      WD: Symbol('liveness word'),
      TG: Symbol('liveness tag'),
      P: Symbol('pointer'),
      SNAP: (o: number) => snapshot(type, o),
      INSPECT: inspectSymbol,
      SNAPSHOT: snapshotSymbol,
      NAME: type.name,
    },
  );
  Object.defineProperty(C.prototype, VIEW, { value: type });
  return C;
}

function nestedView(t: StructType): (o: number, w: number, tag: number, p: MemoryPointer<unknown>) => unknown {
  return (o, w, tag, p) => new (viewClassOf(t))(o, w, tag, p);
}

function arrayField(a: ArrayType): (o: number, w: number, t: number, p: MemoryPointer<unknown>) => unknown {
  const elem = a.of;
  if (elem instanceof ScalarType) {
    return (o, _w, _t, p) => {
      if (o % elem.align !== 0) throw misaligned(`${String(p)} field of type ${a.name}`, elem.align);
      return new elem.TypedArray(HEAP_BUFFER, o, a.length);
    };
  }
  return (o, w, t, p) => pointerAt(a, o, w, t, o, o + a.size, p._block, p._end, (p._flags & STACK) | SUB);
}

function reader(t: CType): (o: number, p: MemoryPointer<unknown>) => unknown {
  switch (t.kind) {
    case 'cstring':
      return (o) => readCString(o, t.size);
    case 'pointer':
      return (o) => readAddress(o, t as PointerType);
    default: {
      // bytes(n): untyped memory inside the struct
      const size = t.size;
      const more = { _usable: () => size };
      return (o) => read(o, size, more);
    }
  }
}
