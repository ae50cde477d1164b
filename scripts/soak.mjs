#!/usr/bin/env node
// `pnpm soak`: the long run of the reliability suite (test/reliability runs short versions in CI).
//
//   node scripts/soak.mjs [--duration <s>] [--ops <n>] [--workers <n>] [--pool <n>] [--seed <n>]
//                         [--no-property] [--no-threads] [--json <file>]
//
// 1. Property tests: the @ptr/native heap model and the @ptr/core pointer model
//    (test/fixtures/reliability/model-*.ts, fast-check) for --ops operations in
//    all (default 10,000,000, half each), in two child processes side by side.
// 2. Multi-thread soak (test/fixtures/reliability/soak.ts) for --duration
//    seconds (default 60): soak threads allocating, writing checksummed
//    patterns, freeing other threads' blocks, working in stack frames, while a
//    @ptr/worker pool runs pooled tasks with pointer arguments.
// Prints operations, corruptions, leaked bytes after teardown and heap.check(),
// and exits 1 when anything is wrong. Every run prints its seeds; pass them
// back (--seed, or PTR_FC_SEED / PTR_FC_PATH for a property failure) to replay.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = args[i + 1];
  if (v === undefined) throw new Error(`--${name} needs a value`);
  return v;
};
const num = (v) => {
  const n = Number(String(v).replace(/_/g, '').replace(/s$/, ''));
  if (!Number.isFinite(n) || n < 0) throw new Error(`not a number: ${v}`);
  return n;
};

if (flag('help') || flag('h')) {
  console.log(
    'usage: node scripts/soak.mjs [--duration <s>] [--ops <n>] [--workers <n>] [--pool <n>] [--seed <n>] [--no-property] [--no-threads] [--json <file>]',
  );
  process.exit(0);
}

// The models and the soak are TypeScript (shared with the ava tests): load them through tsx.
const { register } = await import('tsx/esm/api');
register();
const here = (p) => new URL(p, import.meta.url);

// ---------------------------------------------------------------------------
// Child mode: run one property model and print its report as the last line.
const child = opt('child-model', null);
if (child) {
  const { runProperty } = await import(here('../test/fixtures/reliability/property.ts').href);
  const model =
    child === 'native'
      ? new (await import(here('../test/fixtures/reliability/model-native.ts').href)).NativeModel()
      : new (await import(here('../test/fixtures/reliability/model-core.ts').href)).CoreModel();
  const report = runProperty(model, {
    ops: num(opt('ops', 1000)),
    seed: num(opt('seed', 1)),
    path: process.env.PTR_FC_PATH || undefined,
    progress: (line) => process.stderr.write(`[${child}] ${line}\n`),
  });
  console.log(JSON.stringify(report));
  process.exit(0);
}

// ---------------------------------------------------------------------------
const seed = num(opt('seed', process.env.PTR_SEED ?? (Date.now() & 0x7fffffff)));
const ops = num(opt('ops', process.env.PTR_FC_OPS ?? 10_000_000));
const duration = num(opt('duration', (Number(process.env.PTR_SOAK_MS ?? 60_000) / 1000).toString()));
const workers = num(opt('workers', Math.max(2, availableParallelism())));
const poolThreads = num(opt('pool', 2));
const out = { seed, property: null, threads: null, ok: true, failures: [] };
const started = Date.now();
console.log(`soak: seed ${seed} (replay: --seed ${seed})`);

function runChild(model, n, s) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child-model', model, '--ops', String(n), '--seed', String(s)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, PTR_FC_PATH: '' },
    });
    let stdout = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.on('close', (code, signal) => {
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop()));
      } catch {
        resolve({ ok: false, ops: 0, failure: `the ${model} model process exited with ${code} ${signal ?? ''}: ${stdout.slice(-2000)}` });
      }
    });
  });
}

if (!flag('no-property') && ops > 0) {
  const half = Math.ceil(ops / 2);
  console.log(`property tests: ${ops.toLocaleString('en')} operations (native heap model and core pointer model, ${half.toLocaleString('en')} each, in parallel)`);
  const t0 = Date.now();
  const [nat, cor] = await Promise.all([runChild('native', half, seed), runChild('core', half, seed + 1)]);
  out.property = { native: nat, core: cor, ms: Date.now() - t0 };
  for (const [name, r, s] of [['native', nat, seed], ['core', cor, seed + 1]]) {
    console.log(`  ${name}: ${r.ops?.toLocaleString('en')} operations in ${r.runs} sequences, ${((r.ms ?? 0) / 1000).toFixed(1)} s, seed ${s}: ${r.ok ? 'ok' : 'FAILED'}`);
    if (!r.ok) {
      out.ok = false;
      out.failures.push(`${name} model: ${r.failure}`);
      console.log(r.failure);
    }
  }
}

if (!flag('no-threads') && duration > 0) {
  const { runSoak } = await import(here('../test/fixtures/reliability/soak.ts').href);
  console.log(`multi-thread soak: ${duration} s, ${workers} soak threads + a pool of ${poolThreads}`);
  const r = await runSoak({ ms: duration * 1000, seed, workers, poolThreads, log: (l) => console.log(`  ${l}`) });
  out.threads = r;
  console.log(`  operations       ${r.ops.toLocaleString('en')} (${r.threadOps.toLocaleString('en')} by the soak threads, ${r.poolRuns.toLocaleString('en')} pool runs over ${r.poolBlocks.toLocaleString('en')} blocks)`);
  console.log(`  remote frees     ${r.remoteFrees.toLocaleString('en')} (blocks freed by another thread than their allocator)`);
  console.log(`  frames           ${r.frames.toLocaleString('en')}`);
  console.log(`  corruptions      ${r.corruptions}`);
  console.log(`  leaked           ${r.leakedBytes} bytes, ${r.leakedBlocks} blocks (after teardown)`);
  console.log(`  heap.check()     ${r.heapCheck}`);
  console.log(`  duration         ${(r.ms / 1000).toFixed(1)} s`);
  for (const t of r.perThread) console.log(`    thread: ${Object.entries(t).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const bad = r.corruptions !== 0 || r.leakedBytes !== 0 || r.leakedBlocks !== 0 || r.heapCheck !== 'ok' || r.errors.length > 0;
  if (bad) {
    out.ok = false;
    out.failures.push(`multi-thread soak: ${r.corruptions} corruptions, ${r.leakedBytes} leaked bytes, heap.check() ${r.heapCheck}; ${r.errors.join('; ')}`);
    for (const e of r.errors) console.log(`  error: ${e}`);
  }
}

out.ms = Date.now() - started;
const json = opt('json', null);
if (json) writeFileSync(json, JSON.stringify(out, null, 2));
console.log(`soak ${out.ok ? 'passed' : 'FAILED'} in ${(out.ms / 1000).toFixed(0)} s (seed ${seed})`);
process.exit(out.ok ? 0 : 1);
