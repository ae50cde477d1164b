// Child processes and the bench's scratch directory.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT_DIR = join(BENCH_DIR, '..');
/** Build outputs, scratch installs and quick-run results (git-ignored). */
export const BUILD_DIR = join(BENCH_DIR, '.build');

export function ensureBuildDir(...parts) {
  const dir = join(BUILD_DIR, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runs a command; returns { ok, status, stdout, stderr }. */
export function run(cmd, args, { input, cwd, timeoutMs = 120_000, env } = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    input,
    env: env ? { ...process.env, ...env } : process.env,
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
  });
  const ok = r.status === 0 && !r.error;
  const why = r.error ? String(r.error.message) : r.signal ? `killed by ${r.signal}` : `exit code ${r.status}`;
  return { ok, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', why };
}

/** Runs a command that prints one JSON line last; returns the parsed object or throws with its stderr. */
export function runJson(cmd, args, opts) {
  const r = run(cmd, args, opts);
  if (!r.ok) throw new Error(`${basename(cmd)} ${args.map((a) => (a.startsWith('/') ? basename(a) : a)).join(' ')} failed (${r.why}): ${errorLine(r.stderr || r.stdout)}`);
  const last = r.stdout.trim().split('\n').pop();
  return JSON.parse(last);
}

/** The thrown error's message in a Node child's stderr (`SomeError: ...`), else its last lines. */
export function errorLine(text) {
  const lines = text.trim().split('\n');
  const thrown = lines.filter((l) => /^\w*(Error|Exception)\b[^:]*:/.test(l)).pop();
  return thrown ?? tail(text, 4);
}

export function tail(text, lines = 8) {
  return text.trim().split('\n').slice(-lines).join('\n');
}
