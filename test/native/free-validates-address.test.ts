// free() must validate an address completely before it writes anything, also on
// its fast path (a small block of the calling thread's own page). Each scenario
// runs in a fresh child process so that the heap's layout is known: the memory
// around the bad address holds user data or what a freed block left behind, the
// case where a partial check lets a bad free through and corrupt the heap.
import test from 'ava';
import { fixture, lastJson, runNode } from './_helpers.ts';

async function scenario(name: string) {
  const r = await runNode(fixture('free-validation.mjs'), { args: [name] });
  if (r.code !== 0) throw new Error(`free-validation.mjs ${name} exited with ${r.code} ${r.signal}: ${r.stderr}`);
  const out = lastJson(r);
  return out;
}

function expectRejected(t: any, out: any): void {
  t.is(out.setup, 'ok', 'the scenario set up the layout it needs');
  t.is(out.threw, 'InvalidPointerError', `free() threw ${out.threw}: ${out.message ?? 'nothing'}`);
  t.true(out.exact, 'exactly InvalidPointerError');
  t.is(out.usedAfter, out.usedBefore, 'used bytes unchanged');
  t.is(out.blocksAfter, out.blocksBefore, 'block count unchanged');
  t.is(out.check, 'ok', 'heap.check() passes');
  t.true(out.smallLive, 'the live block on that page is still live');
  t.true(out.distinct, 'the page still hands out distinct blocks');
}

test("free(start of a small page): the page's tag table is not a block, even with user data just before the page", async (t) => {
  const out = await scenario('page-metadata');
  expectRejected(t, out);
  t.true(out.largeIntact, "the user's data in the large block before the page is unchanged");
  t.true(out.largeLive, 'the large block is still live');
});

test('free(slot the page never handed out) over memory a freed large block left dirty', async (t) => {
  expectRejected(t, await scenario('never-carved'));
});
