/**
 * Helpers of the reliability suite: everything in test/fixtures/reliability/common.ts,
 * plus how the property tests pick their seed and size and report them.
 *
 * Reproduce a property-test run: `PTR_FC_SEED=<seed> [PTR_FC_PATH=<path>] npx ava test/reliability/<file>`
 * (the seed is printed by every run, the path by a failure). `PTR_FC_OPS` changes
 * the number of operations, `PTR_FC_NO_SHRINK=1` reports the first failure as is.
 */
import type { ExecutionContext } from 'ava';
import { envInt, seedFrom } from '../fixtures/reliability/common.ts';
import { runProperty, type Model, type PropertyReport } from '../fixtures/reliability/property.ts';

export * from '../fixtures/reliability/common.ts';

/** Runs `model` for `ops` operations (PTR_FC_OPS overrides), logs seed and figures, fails the test with the replay recipe. */
export function checkModel(t: ExecutionContext, name: string, model: Model, ops: number): PropertyReport {
  const seed = seedFrom('PTR_FC_SEED');
  const target = envInt('PTR_FC_OPS', ops);
  const path = process.env.PTR_FC_PATH || undefined;
  t.log(`${name}: seed ${seed}${path ? `, path ${path}` : ''} (replay: PTR_FC_SEED=${seed}${path ? ` PTR_FC_PATH=${path}` : ''})`);
  const report = runProperty(model, { ops: target, seed, path, noShrink: process.env.PTR_FC_NO_SHRINK === '1' });
  const counts = Object.entries(report.counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  t.log(`${report.ops.toLocaleString('en')} operations in ${report.runs} sequences, ${report.ms} ms: ${counts}`);
  if (!report.ok) t.fail(report.failure);
  else if (path === undefined) t.true(report.ops >= target, `executed ${report.ops} of ${target} operations`);
  else t.pass(`the replay of path ${path} passed (a failure found in a long run can depend on state earlier runs left)`);
  return report;
}
