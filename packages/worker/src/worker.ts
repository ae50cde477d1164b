/**
 * The worker side of a pool: `task(fn)`, which a task module wraps its handlers
 * with, and the piscina handler (this module's default export) that every run
 * goes through. piscina loads this file as its `filename` in every worker; the
 * request names the user's task module and export, which are imported here
 * (cached per worker).
 *
 * A run: unpack the arguments (pointers become working pointers of this
 * thread), push a native frame of `stack` bytes (bridge.ts inFrame: @ptr/core's
 * acquireStackAlloc over native withFrame), call `fn(args, stackPtr)` inside it
 * with a StackAllocatedPointer over the frame, pop, pack the result (pointers
 * travel as pointers). Errors come back packed (transport.ts) so the main
 * thread sees the same class, code and stack.
 *
 * Frames and async tasks: a frame lives exactly as long as the native call
 * that pushed it, so only a synchronous fn can run in one. A fn that returns a
 * Promise while it has a frame fails the run with ERR_ASYNC_IN_FRAME (the same
 * rule as stackAlloc in @ptr/core). Async tasks run without a frame: declare
 * `task(fn, { stack: 0 })` or run with `{ stack: 0 }`; they get `null` for the
 * stack pointer and may await freely.
 *
 * Stack size precedence: run(args, { stack }) > task(fn, { stack }) > the
 * pool's `stack` option (default 64 KiB). Every frame must fit this thread's
 * stack segment (PTR_STACK_SIZE, default 1 MiB, minus a 32 KiB header).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { move } from 'piscina';
import { asyncInFrame, badOption, noTypeScript, notATask, optionsObject } from './errors.js';
import { inFrame, type StackPointer } from './bridge.js';
import { pack, packError, unpack, type Packet, type WireError } from './transport.js';

/** Default frame of a run, in bytes, when neither the run, the task nor the pool says. */
export const DEFAULT_STACK = 64 * 1024;

const TASK = Symbol.for('@ptr/worker.task');

/** What a task fn receives as its second argument (a stack pointer, or null without a frame). */
export type { StackPointer };

export interface TaskOptions {
  /** Frame bytes for this task's runs when the run does not say (0: no frame, fn may be async). */
  stack?: number;
}

interface TaskRecord {
  fn: (args: any, stack: any) => unknown;
  stack: number | undefined;
}

/** A handler of a task module: callable in-thread too (runs `fn` in a frame of this thread). */
export interface Task<A = any, R = any> {
  (args: A): R;
  readonly [TASK]: TaskRecord;
}

/**
 * Wraps a task handler. In a worker of a pool, each run calls `fn(args, stack)`
 * inside a native frame of `stack` bytes; `stack` is a StackAllocatedPointer
 * over the frame (null when the run has no frame). Calling the returned function
 * directly runs `fn` the same way on the calling thread (handy in tests).
 */
export function task<A = any, R = any>(
  fn: (args: A, stack: StackPointer | null) => R,
  options?: TaskOptions,
): Task<A, R> {
  if (typeof fn !== 'function') throw badOption('task(fn)', fn, 'a function');
  options = optionsObject<TaskOptions>('task(fn, options)', options);
  if (options.stack !== undefined) checkStack('task(fn, { stack })', options.stack);
  const record: TaskRecord = { fn, stack: options.stack };
  const local = (args: A) => call(record, args, record.stack ?? DEFAULT_STACK);
  Object.defineProperty(local, TASK, { value: record });
  Object.defineProperty(local, 'name', { value: fn.name || 'task' });
  return local as unknown as Task<A, R>;
}

/** True for a value made by task(). */
export function isTask(v: unknown): v is Task {
  return typeof v === 'function' && TASK in v;
}

export function checkStack(what: string, stack: unknown): asserts stack is number {
  if (typeof stack !== 'number' || !Number.isInteger(stack) || stack < 0 || stack > 0xffffffff) {
    throw badOption(what, stack, 'a whole number of bytes >= 0 (0: no frame)');
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as PromiseLike<unknown>).then === 'function';
}

/** Runs a task fn: in a frame when `stack` > 0 (fn must be synchronous), else plainly (may be async). */
function call(t: TaskRecord, args: unknown, stack: number): unknown {
  if (stack === 0) return t.fn(args, null);
  return inFrame(stack, (sp) => {
    const r = t.fn(args, sp);
    if (isThenable(r)) {
      // The frame is about to be popped: the Promise cannot use it. Swallow its outcome (we fail the run).
      Promise.resolve(r).catch(() => {});
      throw asyncInFrame(stack);
    }
    return r;
  });
}

// ---------------------------------------------------------------------------
// The piscina handler

/** A run as the main side posts it. */
export interface Request {
  /** Task module, as a file: URL. */
  f: string;
  /** Export name. */
  n: string;
  /** Frame bytes asked by the run, or -1 (then the task's, else `d`). */
  s: number;
  /** Pool default frame bytes. */
  d: number;
  /** Arguments. */
  a: Packet;
}

/** What a run posts back: the packed result, or a packed error. */
export type Response = Packet | { e: WireError };

type Namespace = Record<string, unknown>;
const modules = new Map<string, Namespace>();
const loading = new Map<string, Promise<Namespace>>();

/** Piscina's handler: one call per run. */
export default function handle(req: Request): Response | Promise<Response> {
  const ns = modules.get(req.f);
  if (ns !== undefined) return execute(req, ns);
  return load(req.f).then(
    (m) => execute(req, m),
    (e: unknown) => ({ e: packError(e) }),
  );
}

function execute(req: Request, ns: Namespace): Response | Promise<Response> {
  try {
    const t = find(ns, req)[TASK];
    const args = unpack(req.a);
    const stack = req.s >= 0 ? req.s : (t.stack ?? req.d);
    const r = call(t, args, stack);
    if (isThenable(r)) return Promise.resolve(r).then(packResultOrError, (e: unknown) => ({ e: packError(e) }));
    return packResult(r);
  } catch (e) {
    return { e: packError(e) };
  }
}

const kTransferable = Symbol.for('Piscina.transferable');
const kValue = Symbol.for('Piscina.valueOf');

/**
 * Packs a result; a value made by move() keeps its transfer list. Throws
 * (PointerError) for a result that cannot be sent: piscina would fail to post
 * it and the worker would die, so it must fail here, as a packed error.
 */
function packResult(r: unknown): Response {
  if (typeof r === 'object' && r !== null && kTransferable in r && kValue in r) {
    const m = r as Record<symbol, unknown>;
    const wrapped = { [kTransferable]: m[kTransferable], [kValue]: pack(m[kValue], 'the result') };
    return move(wrapped as never) as unknown as Response;
  }
  return pack(r, 'the result');
}

/** packResult for an async task's result: a refused result is a packed error too (not a rejection piscina would post raw). */
function packResultOrError(r: unknown): Response {
  try {
    return packResult(r);
  } catch (e) {
    return { e: packError(e) };
  }
}

function find(ns: Namespace, req: Request): Task {
  let v = ns[req.n];
  // A CommonJS module's exports sit under `default` of its namespace.
  if (!isTask(v) && typeof ns.default === 'object' && ns.default !== null) v = (ns.default as Namespace)[req.n];
  if (!isTask(v)) throw notATask(req.f, req.n, ns[req.n]);
  return v;
}

async function load(url: string): Promise<Namespace> {
  let p = loading.get(url);
  if (p === undefined) {
    p = (async () => {
      if (/\.[cm]?tsx?$/i.test(new URL(url).pathname)) await enableTypeScript(url);
      const ns = (await import(url)) as Namespace;
      modules.set(url, ns);
      return ns;
    })();
    loading.set(url, p);
    // A failed load is retried by the next run (e.g. after the file is fixed).
    p.catch(() => loading.delete(url));
  }
  return p;
}

let tsxRegistered: Promise<void> | null = null;

/**
 * TypeScript task modules: registers tsx's ESM hooks in this worker. On Node 20,
 * `--import tsx` in a worker's execArgv does not do it (tsx registers on the
 * main thread only there, and hooks registered on the main thread do not reach
 * workers), so the worker calls tsx's register() itself. tsx is resolved from
 * the task module's location first, then from @ptr/worker's.
 */
function enableTypeScript(fromUrl: string): Promise<void> {
  tsxRegistered ??= (async () => {
    const api = tsxApiUrl(fromUrl);
    if (api === null) throw noTypeScript(fileURLToPath(fromUrl), 'tsx is not installed');
    try {
      const { register } = (await import(api)) as { register: () => unknown };
      register();
    } catch (e) {
      throw noTypeScript(fileURLToPath(fromUrl), e);
    }
  })();
  tsxRegistered.catch(() => (tsxRegistered = null));
  return tsxRegistered;
}

/** file: URL of tsx's ESM API (`tsx/esm/api`, import condition), or null. */
function tsxApiUrl(fromUrl: string): string | null {
  for (const base of [fromUrl, import.meta.url]) {
    try {
      const pkgPath = createRequire(base).resolve('tsx/package.json');
      const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports?: Record<string, unknown> };
      const entry = pkg.exports?.['./esm/api'] as { import?: string | { default?: string } } | undefined;
      const target = typeof entry?.import === 'string' ? entry.import : entry?.import?.default;
      if (typeof target === 'string') return pathToFileURL(join(dirname(pkgPath), target)).href;
    } catch {
      // try the next base
    }
  }
  return null;
}
