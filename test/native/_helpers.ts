/**
 * Shared helpers of the @ptr/native tests: the package under test (imported
 * from its dist build: the root package does not depend on @ptr/native), worker
 * agents that run heap operations on request, and child processes.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as native from '../../packages/native/dist/index.js';

export { native };
export const { heap } = native;
export const I32 = new Int32Array(heap.buffer);
export const U8 = new Uint8Array(heap.buffer);
/** The heap's unit (a 4 KiB page): spans, pages and large blocks are whole units. */
export const UNIT: number = native.layout.UNIT;
export const SMALL_MAX = 128 * 1024;

export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/native/${name}`, import.meta.url));
export const distIndex = fileURLToPath(new URL('../../packages/native/dist/index.js', import.meta.url));

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const wordOf = (address: number): number => (address - heap.base) / 4;

/** Same as the agents' pattern: a word derived from the block's address, a seed and the word's index. */
export function pattern(address: number, seed: number, j: number): number {
  return ((address / 16) ^ seed ^ Math.imul(j + 1, 0x9e3779b1)) | 0;
}
export function fill(address: number, bytes: number, seed: number): void {
  const w = wordOf(address);
  for (let j = 0; j < bytes >>> 2; j++) I32[w + j] = pattern(address, seed, j);
}
/** Words of the block that lost their pattern. */
export function verify(address: number, bytes: number, seed: number, patternAddress = address): number {
  const w = wordOf(address);
  let bad = 0;
  for (let j = 0; j < bytes >>> 2; j++) if (I32[w + j] !== pattern(patternAddress, seed, j)) bad++;
  return bad;
}

export interface RemoteError {
  name: string;
  code: string | undefined;
  message: string;
  /** The error's constructor is the class @ptr/native exports under `name`. */
  exact: boolean;
}

/** Thrown by Agent.call when the operation threw in the worker. */
export class AgentError extends Error {
  constructor(readonly remote: RemoteError) {
    super(`${remote.name}: ${remote.message}`);
  }
}

/** A worker thread (test/fixtures/native/agent.mjs) that runs heap operations on request. */
export class Agent {
  readonly worker: Worker;
  info!: { threadId: number; base: number; size: number; slot: number; isShared: boolean; byteLength: number };
  private next = 1;
  private pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  readonly exited: Promise<number>;
  error: Error | undefined;

  private constructor(workerData?: unknown) {
    this.worker = new Worker(fixture('agent.mjs'), { workerData, execArgv: [] });
    this.worker.on('message', (m) => {
      if (m.ready) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new AgentError(m.error));
    });
    this.worker.on('error', (e) => {
      this.error = e;
    });
    this.exited = new Promise((resolve) => {
      this.worker.on('exit', (code) => {
        for (const p of this.pending.values()) p.reject(new Error(`worker exited with code ${code}`));
        this.pending.clear();
        resolve(code);
      });
    });
  }

  static async start(workerData?: unknown): Promise<Agent> {
    const agent = new Agent(workerData);
    agent.info = await new Promise((resolve, reject) => {
      agent.worker.once('message', resolve);
      agent.worker.once('error', reject);
    });
    return agent;
  }

  call<T = any>(op: string, ...args: unknown[]): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, args });
    });
  }

  /** Runs `op`, which must throw; resolves with what it threw. */
  async callError(op: string, ...args: unknown[]): Promise<RemoteError> {
    try {
      await this.call(op, ...args);
    } catch (e) {
      if (e instanceof AgentError) return e.remote;
      throw e;
    }
    throw new Error(`${op}(${args.join(', ')}) did not throw in the worker`);
  }

  async close(): Promise<number> {
    this.worker.postMessage({ id: 0, op: 'exit', args: [0] });
    return this.exited;
  }
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <fixture> ...args` with extra env; resolves when it exits (kills it after `timeoutMs`). */
export function runNode(
  script: string,
  { env = {}, args = [], timeoutMs = 30_000 }: { env?: Record<string, string | undefined>; args?: string[]; timeoutMs?: number } = {},
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
    const child = spawn(process.execPath, [script, ...args], { env: childEnv as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The last line of a child's stdout, parsed as JSON. */
export function lastJson<T = any>(r: ChildResult): T {
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}

/** Messages that mean the process crashed rather than threw. */
export const CRASH = /Aborted|core dumped|Segmentation fault|free\(\): invalid pointer|FATAL ERROR|double free or corruption|Illegal instruction/;

type ErrorClass = new (...args: any[]) => Error;

/**
 * Runs `fn`, which must throw exactly `Cls` (the class itself, not a subclass or
 * a TypeError); then the heap must be as it was: same used bytes and block
 * count, and check() passes. Returns the error.
 */
export function throwsCleanly(
  t: { throws: (fn: () => unknown, expectations?: any, message?: string) => any; is: (a: unknown, b: unknown, m?: string) => void },
  fn: () => unknown,
  Cls: ErrorClass,
  label = '',
): Error | undefined {
  const before = heap.stats();
  const e = t.throws(fn, { instanceOf: Cls }, label) as Error | undefined;
  if (e) t.is(e.constructor, Cls, `${label}: exactly ${Cls.name}, got ${e.constructor.name}: ${e.message}`);
  const after = heap.stats();
  t.is(after.used, before.used, `${label}: used bytes unchanged`);
  t.is(after.blocks, before.blocks, `${label}: block count unchanged`);
  heap.check();
  return e;
}

/** Descriptor word `field` of the unit that holds heap offset `offset` (read-only peeking at the layout). */
export function descWord(offset: number, field: number): number {
  return I32[native.layout.descOf(Math.floor(offset / UNIT)) + field]!;
}
