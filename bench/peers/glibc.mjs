// Peer: glibc malloc/free timed in a C loop (glibc-loop.c), compiled with `cc -O2`
// into bench/.build/ at bench time and run as a child process.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, ensureBuildDir, run, runJson, tail } from '../lib/proc.mjs';

const SOURCE = join(BENCH_DIR, 'peers', 'glibc-loop.c');
let built;

/** Path of the compiled loop, building it when the source is newer; throws with the compiler output. */
export function glibcLoop() {
  if (built) return built;
  const exe = join(ensureBuildDir(), 'glibc-loop');
  if (!existsSync(exe) || statSync(exe).mtimeMs < statSync(SOURCE).mtimeMs) {
    const cc = process.env.CC || 'cc';
    const r = run(cc, ['-O2', '-o', exe, SOURCE]);
    if (!r.ok) throw new Error(`${cc} -O2 glibc-loop.c failed (${r.why})${r.stderr.trim() ? `: ${tail(r.stderr)}` : ''}`);
  }
  return (built = exe);
}

/** Compiler identification for results.json. */
export function ccVersion() {
  const r = run(process.env.CC || 'cc', ['--version']);
  return r.ok ? r.stdout.split('\n')[0] : null;
}

/**
 * ns/op samples of malloc(size)+free in C. `sequence` (bytes of
 * workload.sequenceBytes) first leaves that many blocks live.
 */
export function glibcPair({ size, warmupMs, sampleMs, reps, sequence }) {
  const exe = glibcLoop();
  const mode = sequence ? 'live' : 'pair';
  return runJson(exe, [mode, String(size), String(warmupMs), String(sampleMs), String(reps)], { input: sequence });
}
