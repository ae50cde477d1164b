/**
 * Loads the compiled addon once per isolate and initialises this thread's view
 * of the heap. Everything native is reached through `native` and `view`.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import * as errors from './errors.js';
import { heapSizeFromEnv, stackSizeFromEnv } from './config.js';

export interface NativeLayout {
  UNIT_SHIFT: number;
  DESC_BASE: number;
  DESC_WORDS: number;
  THREAD_TABLE: number;
  THREAD_WORDS: number;
  MAX_THREADS: number;
  S_SERIALS: number;
  MAX_FRAME_DEPTH: number;
  LAZY_UNITS: number;
  VERSION: number;
}

export interface HeapView {
  buffer: SharedArrayBuffer;
  base: number;
  size: number;
  slot: number;
  /** True when the slot was a dead thread's: its pages are this thread's now. */
  inherited: boolean;
  stackBytes: number;
  nodeApiExternalSab: boolean;
  layout: NativeLayout;
  /** withFrame as a V8 FunctionCallback (the fast form). */
  withFrame<R>(size: number, fn: (address: number) => R): R;
}

export interface NativeAddon {
  init(heapBytes: number, stackBytes: number, threadId: number): HeapView;
  setErrorClasses(classes: Record<string, Function>): void;
  allocPage(sizeClass: number, units: number): number;
  releasePage(unit: number, epoch: number): void;
  allocLarge(units: number): number;
  freeLarge(unit: number): 0 | 1 | 2;
  resizeLarge(unit: number, units: number): boolean;
  adoptOrphans(): number[];
  spanOf(unit: number): number;
  ownedSpans(): number[];
  checkSpans(): string | null;
  stackSegment(): number;
  noop(): void;
}

const require = createRequire(import.meta.url);

function load(): NativeAddon {
  const candidates = ['../build/Release/ptr_native.node', '../build/Debug/ptr_native.node'];
  let lastError: unknown;
  for (const path of candidates) {
    try {
      return require(path) as NativeAddon;
    } catch (e) {
      lastError = e;
    }
  }
  // A binary prebuilt for this platform and Node ABI, shipped in the published package
  // (prebuilds/<platform>-<arch>/node.abi<N>.<libc>.node; see scripts/prebuild.mjs).
  try {
    const nodeGypBuild = require('node-gyp-build') as { path(dir: string): string };
    return require(nodeGypBuild.path(fileURLToPath(new URL('..', import.meta.url)))) as NativeAddon;
  } catch (e) {
    if (isMissingModule(lastError)) lastError = e; // else a build exists but failed to load: report that
  }
  throw new errors.PointerError(
    `@ptr/native: no compiled addon for this platform and Node (${process.platform}-${process.arch}, ABI ${process.versions.modules}): ` +
      `build it with \`npx ptr-native-build\` (needs python3, make and a C++ compiler), or let the package's install script run ` +
      `(pnpm: allowBuilds '@ptr/native': true; npm: allowScripts). ${String(lastError)}`,
  );
}

function isMissingModule(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === 'MODULE_NOT_FOUND';
}

export const native: NativeAddon = load();
native.setErrorClasses({ ...errors });
export const view: HeapView = native.init(heapSizeFromEnv(), stackSizeFromEnv(), threadId);
