// Property test of @ptr/native's raw heap against a plain model of its blocks
// (test/fixtures/reliability/model-native.ts): random malloc / calloc / realloc /
// free / usableSize / tagOf, pattern writes and checks, nested native frames,
// mixed with refused calls (hostile sizes, double frees, interior, forged and
// stack addresses, frames that do not fit). 50k operations here; `pnpm soak`
// runs millions. Replay a failure with the PTR_FC_SEED / PTR_FC_PATH it prints.
import test from 'ava';
import { NativeModel } from '../fixtures/reliability/model-native.ts';
import { checkModel } from './_helpers.ts';

test('raw heap operations agree with the model; refused calls change nothing', (t) => {
  t.timeout(60_000);
  checkModel(t, 'native heap model', new NativeModel(), 50_000);
});
