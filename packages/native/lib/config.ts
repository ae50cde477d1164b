/**
 * Process settings read from the environment once, at load.
 * `PTR_HEAP_SIZE`: bytes of the heap reservation (`1073741824`, `512m`, `2g`, `65536k`), default 1 GiB, at most 4 GiB.
 * `PTR_STACK_SIZE`: bytes of each thread's stack segment, default 1 MiB, from 64 KiB to 1 GiB.
 * The first thread to load @ptr/native reserves the heap; later threads share it.
 */
import { InvalidSizeError } from './errors.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export const DEFAULT_HEAP_SIZE = GiB;
export const MAX_HEAP_SIZE = 4 * GiB;
export const MIN_HEAP_SIZE = 2 * MiB;
export const DEFAULT_STACK_SIZE = MiB;

/** Parses `123`, `64k`, `512m`, `2g` (case-insensitive, optional `b`/`ib` suffix) into bytes. */
export function parseByteSize(name: string, text: string, min: number, max: number): number {
  const label = typeof name === 'string' ? name : 'size';
  if (typeof text !== 'string') throw new InvalidSizeError(`${label}: a size must be given as text (bytes or a number with k, m or g)`);
  if (typeof min !== 'number' || typeof max !== 'number') throw new InvalidSizeError(`${label}: the bounds must be numbers`);
  name = label;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*$/i.exec(text);
  const scale = m ? ({ '': 1, k: KiB, m: MiB, g: GiB } as Record<string, number>)[m[2]!.toLowerCase()]! : NaN;
  const bytes = m ? Math.floor(Number(m[1]) * scale) : NaN;
  if (!Number.isFinite(bytes) || bytes < min || bytes > max) {
    throw new InvalidSizeError(
      `${name}=${JSON.stringify(text)} is not a valid size: use bytes or a number with k, m or g ` +
        `(e.g. 512m, 2g), from ${min} to ${max} bytes`,
    );
  }
  return bytes;
}

function fromEnv(name: string, fallback: number, min: number, max: number): number {
  const text = process.env[name];
  return text === undefined || text === '' ? fallback : parseByteSize(name, text, min, max);
}

export function heapSizeFromEnv(): number {
  return fromEnv('PTR_HEAP_SIZE', DEFAULT_HEAP_SIZE, MIN_HEAP_SIZE, MAX_HEAP_SIZE);
}

export function stackSizeFromEnv(): number {
  return fromEnv('PTR_STACK_SIZE', DEFAULT_STACK_SIZE, 64 * KiB, GiB);
}

/** True when PTR_DEBUG asks for the checking allocator (poisoned frees, guard bytes). */
export const DEBUG = /^(1|true|yes)$/i.test(process.env.PTR_DEBUG ?? '');
