/**
 * Every error @ptr/worker raises itself, with its message, in one place. Errors
 * are PointerError (from @ptr/native, re-exported by @ptr/core) with a stable
 * `code`, so callers can tell them apart without matching messages. Errors that
 * piscina raises (queue full, worker exited, AbortError) pass through unchanged.
 */
import { PointerError } from '@ptr/native';

/** Why a pointer could not be sent to or from a worker. */
export function notTransferable(pointer: string, why: string): PointerError {
  return new PointerError(
    `cannot send ${pointer} to another thread: ${why}. Pass heap memory (malloc/calloc) instead`,
    'ERR_POINTER_NOT_TRANSFERABLE',
  );
}

export function badOption(name: string, value: unknown, expected: string, cause?: unknown): PointerError {
  const e = new PointerError(`@ptr/worker: option ${name} must be ${expected} (got ${describe(value)})`, 'ERR_INVALID_OPTION');
  if (cause !== undefined) Object.defineProperty(e, 'cause', { value: cause, writable: true, configurable: true });
  return e;
}

/** piscina refused one of its own options (a TypeError or RangeError): typed, piscina's error as `cause`. */
export function badPiscinaOption(cause: Error): PointerError {
  const e = new PointerError(`@ptr/worker: createPool(options): ${cause.message}`, 'ERR_INVALID_OPTION');
  Object.defineProperty(e, 'cause', { value: cause, writable: true, configurable: true });
  return e;
}

/** An options argument: undefined means `{}`; anything else must be an object (of any class). */
export function optionsObject<T extends object>(what: string, options: unknown): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null) throw badOption(what, options, 'an object');
  return options as T;
}

/** Args or a result that structured clone would refuse (DataCloneError), with the reason as `cause`. */
export function notCloneable(what: string, cause: unknown): PointerError {
  const e = new PointerError(
    `@ptr/worker: cannot send ${what} between threads: it must be structured-cloneable apart from heap pointers ` +
      `(${cause instanceof Error ? cause.message : String(cause)})`,
    'ERR_NOT_CLONEABLE',
  );
  Object.defineProperty(e, 'cause', { value: cause, writable: true, configurable: true });
  return e;
}

export function noFilename(): PointerError {
  return new PointerError(
    '@ptr/worker: no task module: pass createPool({ filename }) or run(args, { filename }) ' +
      '(an absolute path, a path relative to the working directory, or a file: URL)',
    'ERR_INVALID_OPTION',
  );
}

export function notATask(file: string, name: string, found: unknown): PointerError {
  const what = found === undefined ? `${file} has no export ${JSON.stringify(name)}` : `export ${JSON.stringify(name)} of ${file} is ${describe(found)}, not a task`;
  return new PointerError(
    `@ptr/worker: ${what}: ` +
      `export it as \`export ${name === 'default' ? 'default' : `const ${name} =`} task((args, stack) => …)\` ` +
      `with task from @ptr/worker`,
    'ERR_NOT_A_TASK',
  );
}

export function asyncInFrame(stack: number): PointerError {
  return new PointerError(
    `a task running in a stack frame (${stack} bytes) returned a Promise: the frame is popped before the Promise ` +
      `settles, so the task must be synchronous. For an async task, run it without a frame: ` +
      `task(fn, { stack: 0 }) or run(args, { stack: 0 })`,
    'ERR_ASYNC_IN_FRAME',
  );
}

export function noTypeScript(file: string, cause: unknown): PointerError {
  const e = new PointerError(
    `@ptr/worker: ${file} is TypeScript and tsx could not be loaded in the worker (${String(cause)}). ` +
      `Install tsx next to the task module (npm i -D tsx) or point the pool at the compiled .js file`,
    'ERR_NO_TYPESCRIPT',
  );
  return e;
}

export function poolClosed(how: string): PointerError {
  return new PointerError(`@ptr/worker: the pool is closed (${how} was called); create a new pool`, 'ERR_POOL_CLOSED');
}

export function badRange(range: unknown, length?: number): PointerError {
  if (length !== undefined) {
    return new PointerError(`@ptr/worker: parallelFor range ${describe(range)} is outside the array (length ${length})`, 'ERR_OUT_OF_BOUNDS');
  }
  return new PointerError(
    `@ptr/worker: parallelFor needs a count, [start, end], { start, end } (safe integers) or an array pointer (got ${describe(range)})`,
    'ERR_INVALID_OPTION',
  );
}

/**
 * Most chunks one parallelFor call may split its range into (2^16 = 65536): each chunk is
 * a queued run, and a count far past this exhausts memory (at 2^31 the process
 * aborts). Pick a larger chunkSize or fewer chunks.
 */
export const MAX_CHUNKS = 2 ** 16;

export function tooManyChunks(option: 'chunks' | 'chunkSize', value: number, n: number): PointerError {
  const count = option === 'chunks' ? Math.min(value, n) : Math.ceil(n / value);
  return new PointerError(
    `@ptr/worker: option ${option} ${value} splits the range of ${n} indices into ${count} chunks, more than ` +
      `parallelFor's limit of ${MAX_CHUNKS} (each chunk is a queued run): ` +
      (option === 'chunks' ? 'ask for fewer chunks' : `use a chunkSize of at least ${Math.ceil(n / MAX_CHUNKS)}`),
    'ERR_INVALID_OPTION',
  );
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return `a function${v.name ? ` (${v.name})` : ''}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (Array.isArray(v) && v.length <= 4 && v.every((x) => typeof x === 'number')) return `[${v.join(', ')}]`;
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'null prototype'})`;
  if (typeof v === 'bigint') return `${v}n`;
  return String(v);
}
