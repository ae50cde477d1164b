/**
 * The main side of a pool: createPool() wraps a piscina pool whose workers run
 * this package's worker.ts; each run() packs its arguments (pointers travel as
 * pointers, see transport.ts), posts a Request naming the task module and
 * export, and unpacks the Response. piscina's options, events and statistics
 * pass through unchanged.
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { isArrayPointer, type ArrayPointerLike } from './bridge.js';
import { MAX_CHUNKS, badOption, badPiscinaOption, badRange, noFilename, notCloneable, optionsObject, poolClosed, tooManyChunks } from './errors.js';
import { pack, unpack, unpackError } from './transport.js';
import { DEFAULT_STACK, checkStack, type Request, type Response } from './worker.js';

type PiscinaOptions = NonNullable<ConstructorParameters<typeof Piscina>[0]>;
type PiscinaRunOptions = NonNullable<Parameters<Piscina['run']>[1]>;
type CloseOptions = NonNullable<Parameters<Piscina['close']>[0]>;
/** piscina's run/wait time summaries (`runTime`, `waitTime`, `resetRunTime()`, …). */
export type PoolHistogram = Piscina['histogram'];
/** piscina's filled-in options. */
export type PiscinaFilledOptions = Piscina['options'];

/** createPool() options: piscina's, plus the task module as a path or URL and the default frame size. */
export interface PoolOptions extends Omit<PiscinaOptions, 'filename' | 'name'> {
  /** The task module: an absolute path, a path relative to the working directory, or a file: URL (.js, .mjs, .cjs or .ts). */
  filename?: string | URL | null;
  /** Default export to run (default `'default'`). */
  name?: string;
  /** Default frame bytes per run (default 64 KiB; 0: no frame). */
  stack?: number;
}

export interface RunOptions {
  /** Export of the task module to run (default: the pool's `name`). */
  name?: string;
  /** Another task module for this run (path or URL). */
  filename?: string | URL;
  /** Frame bytes for this run (0: no frame, the task may be async). */
  stack?: number;
  /** Aborts the run: a queued run leaves the queue, a running one has its worker terminated (piscina). */
  signal?: PiscinaRunOptions['signal'];
  /** Buffers to transfer (moved, not copied) with the arguments. */
  transferList?: PiscinaRunOptions['transferList'];
}

/** An index range for parallelFor: a count (0..n), [start, end), { start, end }, or an array pointer (0..length). */
export type Range = number | readonly [number, number] | { start: number; end: number } | ArrayPointerLike;

/** What each parallelFor run receives as `args`. */
export interface Chunk<A = unknown, P = ArrayPointerLike> {
  /** First index of the chunk. */
  start: number;
  /** One past the last index. */
  end: number;
  /** Chunk number, 0-based; results come back in this order. */
  index: number;
  /** Number of chunks. */
  count: number;
  /** The array pointer when the range was one (arrives as a working pointer). */
  array?: P;
  /** parallelFor's `args` option, the same for every chunk. */
  args: A;
}

export interface ParallelForOptions<A = unknown> extends RunOptions {
  /** Extra arguments for every chunk (Chunk.args). */
  args?: A;
  /** Number of chunks (default: the pool's maxThreads, at most one index per chunk). */
  chunks?: number;
  /** Indices per chunk instead of a chunk count (the last chunk may be shorter). */
  chunkSize?: number;
  /**
   * An array pointer every chunk receives as Chunk.array (default: the range,
   * when the range is an array pointer). The range must lie within its length.
   */
  array?: ArrayPointerLike;
}

/** piscina's filename: a CommonJS shim that imports worker.js (see entry.cts). */
const ENTRY = fileURLToPath(new URL('./entry.cjs', import.meta.url));

/** A task module location as a file: URL string. */
export function toFileUrl(filename: string | URL, what = 'filename'): string {
  if (filename instanceof URL) {
    if (filename.protocol !== 'file:') throw badOption(what, filename.href, 'a path or a file: URL');
    return filename.href;
  }
  if (typeof filename !== 'string' || filename === '') throw badOption(what, filename, 'a path or a file: URL');
  try {
    if (/^file:/i.test(filename)) return new URL(filename).href;
    return pathToFileURL(isAbsolute(filename) ? filename : resolve(filename)).href;
  } catch (e) {
    // new URL('file://[') and paths Node cannot turn into a URL (ERR_INVALID_URL, ERR_INVALID_ARG_VALUE)
    throw badOption(what, filename, 'a path or a valid file: URL', e);
  }
}

/** A piscina pool whose tasks run in native stack frames and take pointers. */
export class Pool<A = any, R = any> {
  /** The piscina pool underneath (for anything this wrapper does not surface). */
  readonly piscina: Piscina;
  /** The default task module as a file: URL, or null. */
  readonly filename: string | null;
  /** The default export name. */
  readonly name: string;
  /** The default frame bytes per run. */
  readonly stack: number;
  #closed: 'close()' | 'destroy()' | null = null;

  constructor(options?: PoolOptions) {
    const { filename, name = 'default', stack = DEFAULT_STACK, ...rest } = optionsObject<PoolOptions>('createPool(options)', options);
    if (typeof name !== 'string') throw badOption('name', name, 'a string');
    checkStack('stack', stack);
    this.filename = filename == null ? null : toFileUrl(filename);
    this.name = name;
    this.stack = stack;
    try {
      this.piscina = new Piscina({ ...rest, filename: ENTRY, name: 'default' });
    } catch (e) {
      // piscina validates its own options with TypeErrors/RangeErrors: same error, typed, piscina's as `cause`
      if (e instanceof TypeError || e instanceof RangeError) throw badPiscinaOption(e);
      throw e;
    }
  }

  /**
   * Runs export `name` of the task module on a worker, inside a native frame of
   * `stack` bytes, and resolves with its result. Pointers in `args` and in the
   * result travel as pointers. A pointer that cannot cross threads (stack,
   * object pointer) rejects the run before anything is sent.
   */
  run<T = R>(args: A, options?: RunOptions): Promise<T> {
    try {
      options = optionsObject<RunOptions>('run(args, options)', options);
      if (this.#closed !== null) throw poolClosed(this.#closed);
      const f = options.filename != null ? toFileUrl(options.filename, 'run({ filename })') : this.filename;
      if (f === null) throw noFilename();
      const n = options.name ?? this.name;
      if (typeof n !== 'string') throw badOption('run({ name })', n, 'a string');
      if (options.stack !== undefined) checkStack('run({ stack })', options.stack);
      const { signal, transferList } = options;
      if (signal != null && !isAbortSignalLike(signal)) {
        throw badOption('run({ signal })', signal, "an AbortSignal or an EventEmitter that emits 'abort'");
      }
      if (transferList != null && !(Array.isArray(transferList) && transferList.every((x) => typeof x === 'object' && x !== null))) {
        throw badOption('run({ transferList })', transferList, 'an array of transferable objects (ArrayBuffer, MessagePort, …)');
      }
      const req: Request = { f, n, s: options.stack ?? -1, d: this.stack, a: pack(args, 'the arguments') };
      const opts: PiscinaRunOptions = {};
      if (signal != null) opts.signal = signal;
      if (transferList != null) opts.transferList = transferList;
      return (this.piscina.run(req, opts) as Promise<Response>).then(settle, (e: unknown) => refused(e, transferList)) as Promise<T>;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Splits an index range (or an array pointer's 0..length) into chunks, runs
   * the task once per chunk with a {@link Chunk} as its args, and resolves with
   * the results in chunk order. Rejects with the first chunk's error.
   */
  parallelFor<T = R, X = unknown>(range: Range, options?: ParallelForOptions<X>): Promise<T[]> {
    try {
      const { args, chunks, chunkSize, array: given, ...run } = optionsObject<ParallelForOptions<X>>('parallelFor(range, options)', options);
      const { start, end, array: own } = toRange(range);
      const array = given ?? own;
      if (given !== undefined && !isArrayPointer(given)) throw badOption('array', given, 'an array pointer');
      if (array !== undefined && (start < 0 || end > array.length)) throw badRange(range, array.length);
      const n = end - start;
      if (n <= 0) return Promise.resolve([]);
      // The number of chunks is checked against MAX_CHUNKS before any bound is built: an
      // array of 2^31 bounds (or 2^31 runs) takes the process down, not just this call.
      const bounds: number[] = [];
      if (chunkSize !== undefined) {
        if (!Number.isInteger(chunkSize) || chunkSize < 1) throw badOption('chunkSize', chunkSize, 'a whole number >= 1');
        if (Math.ceil(n / chunkSize) > MAX_CHUNKS) throw tooManyChunks('chunkSize', chunkSize, n);
        for (let s = start; s < end; s += chunkSize) bounds.push(s);
      } else {
        const want = chunks ?? this.piscina.maxThreads;
        if (!Number.isInteger(want) || want < 1) throw badOption('chunks', chunks, 'a whole number >= 1');
        const k = Math.min(want, n);
        if (k > MAX_CHUNKS) throw tooManyChunks('chunks', want, n);
        for (let i = 0; i < k; i++) bounds.push(start + Math.floor((i * n) / k));
      }
      bounds.push(end);
      const count = bounds.length - 1;
      const runs: Promise<T>[] = [];
      for (let i = 0; i < count; i++) {
        const chunk: Chunk<X | undefined, ArrayPointerLike> = { start: bounds[i]!, end: bounds[i + 1]!, index: i, count, args };
        if (array !== undefined) chunk.array = array;
        runs.push(this.run(chunk as A, run) as Promise<T>);
      }
      return Promise.all(runs);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Finishes queued and running tasks, then stops the workers (piscina close;
   * `{ force: true }` rejects the queued ones). Later runs are refused.
   */
  close(options?: CloseOptions): Promise<void> {
    this.#closed ??= 'close()';
    return this.piscina.close(options);
  }

  /** Stops the workers now; queued and running tasks reject. Later runs are refused. */
  destroy(): Promise<void> {
    this.#closed ??= 'destroy()';
    return this.piscina.destroy();
  }

  /** True once close() or destroy() was called. */
  get closed(): boolean {
    return this.#closed !== null;
  }

  /** `await using pool = createPool(…)`: close() at scope end. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // piscina's statistics and state
  get threads(): Piscina['threads'] {
    return this.piscina.threads;
  }
  get idleThreads(): number {
    return this.piscina.idleThreads;
  }
  get maxThreads(): number {
    return this.piscina.maxThreads;
  }
  get minThreads(): number {
    return this.piscina.minThreads;
  }
  get queueSize(): number {
    return this.piscina.queueSize;
  }
  get completed(): number {
    return this.piscina.completed;
  }
  get histogram(): PoolHistogram {
    return this.piscina.histogram;
  }
  get utilization(): number {
    return this.piscina.utilization;
  }
  get duration(): number {
    return this.piscina.duration;
  }
  get needsDrain(): boolean {
    return this.piscina.needsDrain;
  }
  get options(): PiscinaFilledOptions {
    return this.piscina.options;
  }

  // piscina's events: 'error', 'drain', 'needsDrain', 'message', 'workerCreate', 'workerDestroy'
  on(event: string, listener: (...args: any[]) => void): this {
    this.piscina.on(event, listener);
    return this;
  }
  once(event: string, listener: (...args: any[]) => void): this {
    this.piscina.once(event, listener);
    return this;
  }
  off(event: string, listener: (...args: any[]) => void): this {
    this.piscina.off(event, listener);
    return this;
  }
}

function settle(out: Response): unknown {
  if ('e' in out) throw unpackError(out.e);
  return unpack(out);
}

/**
 * A run piscina rejected before the task ran: postMessage refusing the
 * arguments (DataCloneError) or the transfer list becomes a PointerError (the
 * original as `cause`); piscina's own errors (AbortError, queue full, worker
 * exited, …) pass through.
 */
function refused(e: unknown, transferList: unknown): never {
  if (typeof e === 'object' && e !== null) {
    const { name, code } = e as { name?: unknown; code?: unknown };
    if (code === 'ERR_INVALID_TRANSFER_OBJECT') throw badOption('run({ transferList })', transferList, 'an array of transferable objects (ArrayBuffer, MessagePort, …)', e);
    if (name === 'DataCloneError') throw notCloneable('the arguments', e);
  }
  throw e;
}

/** An AbortSignal (addEventListener) or an EventEmitter (once), as piscina listens to them. */
function isAbortSignalLike(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    (typeof o.addEventListener === 'function' && typeof o.removeEventListener === 'function') ||
    (typeof o.once === 'function' && typeof o.removeListener === 'function')
  );
}

function toRange(range: Range): { start: number; end: number; array?: ArrayPointerLike } {
  if (typeof range === 'number') {
    if (Number.isSafeInteger(range) && range >= 0) return { start: 0, end: range };
  } else if (Array.isArray(range)) {
    const [start, end] = range as [number, number];
    if (range.length === 2 && Number.isSafeInteger(start) && Number.isSafeInteger(end)) return { start, end };
  } else if (isArrayPointer(range)) {
    return { start: 0, end: range.length, array: range };
  } else if (typeof range === 'object' && range !== null) {
    const { start, end } = range as { start: number; end: number };
    if (Number.isSafeInteger(start) && Number.isSafeInteger(end)) return { start, end };
  }
  throw badRange(range);
}

/** Creates a pool. Options are piscina's (maxThreads, idleTimeout, maxQueue, resourceLimits, …) plus `filename`, `name`, `stack`. */
export function createPool<A = any, R = any>(options: PoolOptions = {}): Pool<A, R> {
  return new Pool<A, R>(options);
}

/** parallelFor as a function: `parallelFor(pool, range, options)`. */
export function parallelFor<T = unknown, X = unknown>(pool: Pool, range: Range, options?: ParallelForOptions<X>): Promise<T[]> {
  if (!(pool instanceof Pool)) return Promise.reject(badOption('parallelFor(pool)', pool, 'a Pool made by createPool()'));
  return pool.parallelFor<T, X>(range, options);
}
