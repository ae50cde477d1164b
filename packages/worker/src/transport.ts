/**
 * Transport: how task arguments, results and errors cross between the main
 * thread and a worker. The same file runs on both sides: `pack` on the sending
 * side, `unpack` on the receiving side, for arguments (main -> worker) and for
 * results (worker -> main).
 *
 * Wire form. A packet is `{ v, p }`: `v` is the value with every pointer
 * replaced by a placeholder object `{ [PTR_KEY]: i }`, and `p[i]` is the wire
 * form of pointer i (address, type, liveness tag: see the pointer codec below).
 * Everything else in `v` is structured-cloned by postMessage as usual. A value
 * with no pointer in it is sent as is (`{ v }`, no copy, no second walk on the
 * other side).
 *
 * Invariants:
 * - `pack` never mutates the caller's value: containers on a path to a pointer
 *   are copied (arrays, plain and class objects, Map, Set); others are shared.
 * - `pack` throws (PointerError) before anything is sent when a pointer cannot
 *   cross threads (a stack pointer, an object pointer), or when the walk meets
 *   a value structured clone refuses (function, symbol, Promise, Weak*):
 *   ERR_NOT_CLONEABLE. (A refused result would otherwise kill its worker:
 *   piscina rethrows the failed postMessage there.)
 * - One pointer object reached twice (or through a cycle) is one wire entry and
 *   comes out as one pointer object: aliasing and cycles survive the trip.
 * - `unpack` mutates only the fresh clone it received.
 * - Walks do not descend into values structured clone treats as leaves (typed
 *   arrays, buffers, Date, RegExp, Error, boxed primitives, ports, blobs).
 *
 * Errors thrown by a task travel as `{ e: WireError }` and come back as the same
 * class when it is one of @ptr's error classes (PointerError and subclasses), or
 * a built-in Error class; otherwise an Error with the same name. `code`, `stack`,
 * `cause` and other own enumerable properties survive (plain structured clone of
 * an Error drops them).
 */
import * as nativeExports from '@ptr/native';
import { PointerError } from '@ptr/native';
import { badOption, notCloneable } from './errors.js';

/** Own key of a pointer placeholder in the wire value (a NUL keeps it from meeting user keys). */
export const PTR_KEY = '\u0000@ptr/pointer';

/** What postMessage carries for a value that may hold pointers. */
export interface Packet {
  /** The value, pointers replaced by placeholders. */
  v: unknown;
  /** Wire forms of the pointers, when there are any. */
  p?: unknown[];
}

/**
 * The bridge to @ptr/core's pointer classes. `encode` returns the wire form of a
 * pointer (structured-cloneable), `undefined` for anything that is not a
 * pointer, and throws a PointerError for a pointer that cannot cross threads.
 * `decode` builds a working pointer of the same kind and type on this thread.
 */
export interface PointerCodec {
  encode(value: object): unknown;
  decode(wire: unknown): object;
}

let codec: PointerCodec | null = null;

/** Installs the pointer codec (done once by index/worker from @ptr/core). */
export function setPointerCodec(c: PointerCodec | null): void {
  codec = c;
}

/** The codec in use (null before @ptr/core provides one). */
export function pointerCodec(): PointerCodec | null {
  return codec;
}

// ---------------------------------------------------------------------------
// Walking

const objectToString = Object.prototype.toString;

/** True for objects structured clone copies whole, with nothing inside worth visiting. */
function isLeaf(v: object): boolean {
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof SharedArrayBuffer) return true;
  if (v instanceof Date || v instanceof RegExp || v instanceof Error) return true;
  if (v instanceof Boolean || v instanceof Number || v instanceof String) return true;
  const tag = objectToString.call(v);
  return tag === '[object MessagePort]' || tag === '[object Blob]' || tag === '[object BigInt]';
}

/**
 * First pass: finds the pointers in `v` (into `found`, with their wire forms).
 * Throws for a pointer that cannot cross; keeps walking after the first find so
 * that every such pointer throws here, before anything is sent.
 */
function scan(c: PointerCodec, v: unknown, seen: Set<object>, found: Map<object, unknown>, what: string): void {
  if (typeof v !== 'object' || v === null || seen.has(v)) {
    if (typeof v === 'function' || typeof v === 'symbol') throw uncloneable(v, what);
    return;
  }
  seen.add(v);
  if (v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet || v instanceof WeakRef) throw uncloneable(v, what);
  const wire = c.encode(v);
  if (wire !== undefined) {
    found.set(v, wire);
    return;
  }
  if (isLeaf(v)) return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) scan(c, v[i], seen, found, what);
  } else if (v instanceof Map) {
    for (const [k, x] of v) {
      scan(c, k, seen, found, what);
      scan(c, x, seen, found, what);
    }
  } else if (v instanceof Set) {
    for (const x of v) scan(c, x, seen, found, what);
  } else {
    for (const k of Object.keys(v)) scan(c, (v as Record<string, unknown>)[k], seen, found, what);
  }
}

/** A value structured clone refuses (found by the walk: functions, symbols, Promise, Weak*). */
function uncloneable(v: unknown, what: string): PointerError {
  const kind = typeof v === 'function' ? 'a function' : typeof v === 'symbol' ? 'a symbol' : `a ${(v as object).constructor?.name ?? 'object'}`;
  return notCloneable(what, new TypeError(`${kind} cannot be structured-cloned`));
}

/** Second pass: a copy of `v` with the pointers found by scan() replaced by placeholders. */
function replace(v: unknown, found: Map<object, unknown>, memo: Map<object, unknown>, wires: unknown[]): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const done = memo.get(v);
  if (done !== undefined) return done;
  if (found.has(v)) {
    const ph = { [PTR_KEY]: wires.length };
    wires.push(found.get(v));
    memo.set(v, ph);
    return ph;
  }
  if (isLeaf(v)) return v;
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    memo.set(v, out);
    for (let i = 0; i < v.length; i++) out[i] = replace(v[i], found, memo, wires);
    return out;
  }
  if (v instanceof Map) {
    const out = new Map();
    memo.set(v, out);
    for (const [k, x] of v) out.set(replace(k, found, memo, wires), replace(x, found, memo, wires));
    return out;
  }
  if (v instanceof Set) {
    const out = new Set();
    memo.set(v, out);
    for (const x of v) out.add(replace(x, found, memo, wires));
    return out;
  }
  const out: Record<string, unknown> = {};
  memo.set(v, out);
  for (const k of Object.keys(v)) out[k] = replace((v as Record<string, unknown>)[k], found, memo, wires);
  return out;
}

function isPlaceholder(v: object): v is Record<string, number> {
  return Object.prototype.hasOwnProperty.call(v, PTR_KEY);
}

/** Receiving side: swaps placeholders for live pointers, in place. */
function restore(v: unknown, ptrs: object[], seen: Set<object>): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (isPlaceholder(v)) return ptrs[v[PTR_KEY]!];
  if (seen.has(v) || isLeaf(v)) return v;
  seen.add(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = restore(v[i], ptrs, seen);
  } else if (v instanceof Map) {
    const entries = [...v];
    v.clear();
    for (const [k, x] of entries) v.set(restore(k, ptrs, seen), restore(x, ptrs, seen));
  } else if (v instanceof Set) {
    const items = [...v];
    v.clear();
    for (const x of items) v.add(restore(x, ptrs, seen));
  } else {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = restore(o[k], ptrs, seen);
  }
  return v;
}

// ---------------------------------------------------------------------------
// Values

/**
 * Prepares `value` for postMessage. Throws a PointerError, before anything is
 * sent, for a pointer that cannot cross threads (ERR_POINTER_NOT_TRANSFERABLE)
 * and for a function, symbol, Promise or Weak* anywhere the walk reaches
 * (ERR_NOT_CLONEABLE; postMessage would refuse it, and a refused result takes
 * its worker down). `what` names the value in messages.
 */
export function pack(value: unknown, what = 'the value'): Packet {
  const c = codec;
  if (typeof value === 'function' || typeof value === 'symbol') throw uncloneable(value, what);
  if (c === null || typeof value !== 'object' || value === null) return { v: value };
  const found = new Map<object, unknown>();
  scan(c, value, new Set(), found, what);
  if (found.size === 0) return { v: value };
  const wires: unknown[] = [];
  const v = replace(value, found, new Map(), wires);
  return { v, p: wires };
}

/** Rebuilds the value on the receiving side: placeholders become working pointers. */
export function unpack(packet: Packet): unknown {
  if (typeof packet !== 'object' || packet === null) throw badOption('unpack(packet)', packet, 'a packet made by pack() ({ v, p? })');
  const wires = packet.p;
  if (wires === undefined) return packet.v;
  if (!Array.isArray(wires)) throw badOption('unpack(packet).p', wires, 'an array of pointer wire forms');
  if (wires.length === 0) return packet.v;
  if (codec === null) {
    throw new PointerError('@ptr/worker: received pointers but no pointer codec is installed (is @ptr/core loaded?)');
  }
  const c = codec;
  const ptrs = wires.map((w) => c.decode(w));
  return restore(packet.v, ptrs, new Set());
}

// ---------------------------------------------------------------------------
// Errors

/** An error on the wire. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  code?: unknown;
  cause?: WireError | { value: unknown };
  props?: Record<string, unknown>;
}

/** Whether structured clone can carry `v` (only used on the error path). */
function cloneable(v: unknown): boolean {
  try {
    structuredClone(v);
    return true;
  } catch {
    return false;
  }
}

/** Error -> wire form, keeping class name, code, stack, cause and own data properties. */
export function packError(err: unknown, depth = 0): WireError {
  if (!(err instanceof Error)) {
    return { name: 'Error', message: `task threw a non-Error value: ${safeString(err)}`, props: cloneable(err) ? { value: err } : undefined };
  }
  const out: WireError = { name: err.name, message: err.message, stack: err.stack };
  const e = err as Error & { code?: unknown; cause?: unknown };
  if (e.code !== undefined) out.code = e.code;
  if ('cause' in e && e.cause !== undefined) {
    out.cause = e.cause instanceof Error && depth < 8 ? packError(e.cause, depth + 1) : cloneable(e.cause) ? { value: e.cause } : undefined;
  }
  const props: Record<string, unknown> = {};
  let any = false;
  for (const k of Object.keys(e)) {
    if (k === 'code' || k === 'cause' || k === 'name' || k === 'message' || k === 'stack') continue;
    const x = (e as unknown as Record<string, unknown>)[k];
    if (cloneable(x)) {
      props[k] = x;
      any = true;
    }
  }
  if (any) out.props = props;
  return out;
}

function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return typeof v;
  }
}

type ErrorClass = new (message: string) => Error;

/** @ptr's error classes by name (PointerError and every subclass native exports). */
const ptrErrors = new Map<string, ErrorClass>();
for (const [name, value] of Object.entries(nativeExports)) {
  if (typeof value === 'function' && (value === PointerError || value.prototype instanceof PointerError)) {
    ptrErrors.set(name, value as unknown as ErrorClass);
  }
}

const builtinErrors: Record<string, ErrorClass> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** Wire form -> Error of the same class where that class is known on this side. */
export function unpackError(w: WireError, depth = 0): Error {
  if (typeof w !== 'object' || w === null) {
    // Not a wire error (packError always makes an object): still an Error to reject with, never a TypeError here.
    return new PointerError(`@ptr/worker: a task failed with a malformed error (${safeString(w)})`, 'ERR_INVALID_OPTION');
  }
  const name = typeof w.name === 'string' ? w.name : 'Error';
  // (own keys only: a name like 'toString' or 'constructor' must not pick up Object.prototype's members)
  const Cls = ptrErrors.get(name) ?? (Object.prototype.hasOwnProperty.call(builtinErrors, name) ? builtinErrors[name] : undefined) ?? Error;
  const err = new Cls(typeof w.message === 'string' ? w.message : safeString(w.message));
  if (err.name !== name) Object.defineProperty(err, 'name', { value: name, writable: true, configurable: true });
  if (typeof w.stack === 'string') Object.defineProperty(err, 'stack', { value: w.stack, writable: true, configurable: true });
  if (w.code !== undefined) Object.defineProperty(err, 'code', { value: w.code, writable: true, enumerable: true, configurable: true });
  if (typeof w.cause === 'object' && w.cause !== null) {
    const cause = 'value' in w.cause ? w.cause.value : depth < 8 ? unpackError(w.cause as WireError, depth + 1) : undefined;
    Object.defineProperty(err, 'cause', { value: cause, writable: true, configurable: true });
  }
  if (typeof w.props === 'object' && w.props !== null) {
    for (const k of Object.keys(w.props)) {
      if (k !== '__proto__') (err as unknown as Record<string, unknown>)[k] = w.props[k];
    }
  }
  return err;
}
