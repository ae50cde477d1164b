#!/usr/bin/env node
// The benchmark command (`pnpm bench`): runs every row of the selected groups in
// this one run, prints a table of medians (ns/op), ratios against the peers and
// PASS/MISS against the targets, and writes the results as JSON.
//
//   node bench/run.mjs [--quick] [--only allocator[,group...]] [--rows regex] [--out file] [--list]
//
// --rows    only rows whose id matches (e.g. --rows '^threads\.'); rows that need
//           an omitted row, and ratios against omitted rows, are left out.
// --quick   smoke test: short samples, fewer repetitions and operations; writes
//           bench/.build/results.quick.json unless --out is given.
// Full runs write bench/results.json (committed: the last full run's figures),
// or bench/.build/results.failed.json when an @ptr row failed.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { groups } from './groups.mjs';
import { settings } from './lib/measure.mjs';
import { BENCH_DIR, ensureBuildDir, run as runCmd } from './lib/proc.mjs';
import { meets, renderGroup } from './lib/table.mjs';

const USAGE = `usage: node bench/run.mjs [--quick] [--only <group>[,<group>...]] [--rows <regex>] [--out <file>] [--list]
groups: ${groups.map((g) => g.name).join(', ')}`;

function parseArgs(argv) {
  const o = { quick: false, only: null, rows: null, out: null, list: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const [, inline] = a.split(/=(.*)/s);
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--') continue;
    else if (a === '--quick') o.quick = true;
    else if (a === '--list') o.list = true;
    else if (a === '--only' || a.startsWith('--only=')) o.only = value().split(',').filter(Boolean);
    else if (a === '--out' || a.startsWith('--out=')) o.out = value();
    else if (a === '--rows' || a.startsWith('--rows=')) o.rows = new RegExp(value());
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  return o;
}

const log = (msg) => process.stderr.write(`${msg}\n`);

async function runGroup(entry, opts, info) {
  const mod = await entry.load();
  const results = new Map();
  const ctx = {
    quick: opts.quick,
    settings: settings(opts.quick),
    log: (m) => log(`  ${m}`),
    info,
    result(id) {
      const r = results.get(id);
      if (!r || r.status !== 'ok') throw new MissingRow(`needs row ${id}, which did not run`);
      return r;
    },
    optional(id) {
      const r = results.get(id);
      return r && r.status === 'ok' ? r : undefined;
    },
  };
  log(`[${mod.name}] ${mod.title}`);
  const sections = [];
  for (const section of await mod.sections(ctx)) {
    const rows = [];
    for (const def of section.rows) {
      if (opts.rows && !opts.rows.test(def.id)) continue;
      const t0 = Date.now();
      let row;
      try {
        const r = await def.run(ctx);
        row = {
          id: def.id,
          label: def.label,
          status: 'ok',
          nsPerOp: r.median,
          opsPerSec: Number.isFinite(r.median) ? 1e9 / r.median : undefined,
          min: r.min,
          max: r.max,
          iters: r.iters,
          samples: r.samples,
          value: r.value,
          unit: r.unit,
          target: def.target,
          pass: def.target && r.value !== undefined ? meets(r.value, def.target) : undefined,
          detail: r.detail,
          others: r.others,
          data: r.data,
        };
      } catch (e) {
        const skipped = def.peer || (e instanceof MissingRow && opts.rows);
        row = { id: def.id, label: def.label, status: skipped ? 'skipped' : 'error', error: String(e?.stack ?? e) };
        if (!skipped) process.exitCode = 1;
      }
      row.seconds = +((Date.now() - t0) / 1000).toFixed(2);
      row.def = def;
      results.set(def.id, row);
      rows.push(row);
      const shown = row.status !== 'ok' ? `${row.status}: ${row.error.split('\n')[0]}` : row.value !== undefined ? `${row.value.toFixed(3)} ${row.unit}` : `${row.nsPerOp.toPrecision(4)} ns/op`;
      log(`  ${def.id.padEnd(22)} ${shown} (${row.seconds} s)`);
    }
    if (rows.length) sections.push({ title: section.title, rows });
  }
  // Ratios, once every row of the group has run.
  for (const row of results.values()) {
    row.comparisons = (row.def.compare ?? []).filter((c) => !opts.rows || results.has(c.to)).map((c) => {
      const peer = results.get(c.to);
      const kind = c.kind ?? 'time';
      const ok = row.status === 'ok' && peer?.status === 'ok';
      const ratio = ok ? (kind === 'speedup' ? peer.nsPerOp / row.nsPerOp : row.nsPerOp / peer.nsPerOp) : null;
      return { to: c.to, name: c.name, kind, ratio, target: c.target, pass: c.target && ratio !== null ? meets(ratio, c.target) : c.target ? null : undefined };
    });
    delete row.def;
  }
  let notes = [];
  if (mod.after) {
    try {
      notes = (await mod.after(ctx)) ?? [];
    } catch (e) {
      notes = [`after: ${e?.message ?? e}`];
      process.exitCode = 1;
    }
  }
  return { name: mod.name, title: mod.title, sections, notes };
}

function environment(opts) {
  const git = runCmd('git', ['rev-parse', '--short', 'HEAD'], { cwd: BENCH_DIR });
  return {
    date: new Date().toISOString(),
    mode: opts.quick ? 'quick' : 'full',
    node: process.version,
    v8: process.versions.v8,
    os: `${process.platform} ${release()} ${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    loadavg: loadavg().map((x) => +x.toFixed(2)),
    commit: git.ok ? git.stdout.trim() : null,
    settings: settings(opts.quick),
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.list) {
    for (const g of groups) console.log(g.name);
    return;
  }
  const selected = opts.only ? opts.only.map((n) => groups.find((g) => g.name === n) ?? fail(`no group ${n}\n${USAGE}`)) : groups;
  const started = Date.now();
  const env = environment(opts);
  const info = {};
  const done = [];
  for (const g of selected) done.push(await runGroup(g, opts, info));
  env.seconds = +((Date.now() - started) / 1000).toFixed(1);
  env.loadavgAfter = loadavg().map((x) => +x.toFixed(2));
  Object.assign(env, { peers: info });

  const out = [];
  out.push(
    `@ptr bench (${env.mode}) - Node ${env.node}, ${env.cpus} x ${env.cpu}, ${env.os}, ${env.seconds} s, load ${env.loadavg[0]} -> ${env.loadavgAfter[0]}`,
    `ns/op: median of ${env.settings.reps} repetitions (in-process rows: ~${env.settings.sampleMs} ms each, after warm-up); ± = half the min-max range.`,
    `ratio: this row's time / the peer's time (< 1 = faster than the peer); worker rows: aggregate throughput / 1-worker throughput.`,
    '',
  );
  for (const g of done) {
    out.push(...renderGroup(g));
    if (g.notes.length) out.push('', ...g.notes.map((n) => `note: ${n}`));
    out.push('');
  }
  const verdicts = done.flatMap((g) =>
    g.sections.flatMap((sec) =>
      sec.rows.flatMap((r) => [
        ...(r.pass === undefined ? [] : [{ id: r.id, pass: r.pass }]),
        ...(r.comparisons ?? []).filter((c) => c.target).map((c) => ({ id: `${r.id} vs ${c.to}`, pass: c.pass })),
      ]),
    ),
  );
  const count = (v) => verdicts.filter((x) => x.pass === v).length;
  const missed = verdicts.filter((x) => x.pass === false).map((x) => x.id);
  out.push(`targets: ${count(true)} PASS, ${count(false)} MISS${missed.length ? ` (${missed.join(', ')})` : ''}, ${count(null)} n/a`);
  console.log(out.join('\n'));

  // A full run with an @ptr row in error does not replace the committed results.
  const failed = process.exitCode === 1;
  const file =
    opts.out ??
    (opts.quick ? join(ensureBuildDir(), 'results.quick.json') : failed ? join(ensureBuildDir(), 'results.failed.json') : join(BENCH_DIR, 'results.json'));
  writeFileSync(file, `${JSON.stringify({ environment: env, groups: done }, null, 2)}\n`);
  log(`results written to ${file}`);
}

class MissingRow extends Error {}

function fail(msg) {
  throw new Error(msg);
}

main().catch((e) => {
  log(e?.stack ?? String(e));
  process.exit(1);
});
