// Property test of @ptr/core against a plain JS model
// (test/fixtures/reliability/model-core.ts): random malloc (sizes and C types),
// calloc, realloc, free (also through slot 0 and Symbol.dispose), untyped
// move/deref (safe and unsafe), typed reads and writes (scalars, cstring,
// arrays, struct views and fields), derived pointers, stack frames and object
// pointers, mixed with refused calls (use after free, interior frees, hostile
// sizes, indexes and offsets, values too large, wrong JS types). 50k operations
// here; `pnpm soak` runs millions. Replay a failure with the PTR_FC_SEED /
// PTR_FC_PATH it prints; PTR_FC_SKIP=<hazard,...> leaves out inputs that hit a
// known finding (see HAZARDS in the model) to look past it.
import test from 'ava';
import { CoreModel, HAZARDS } from '../fixtures/reliability/model-core.ts';
import { checkModel } from './_helpers.ts';

test('pointer operations agree with the model; refused calls change nothing', (t) => {
  t.timeout(90_000);
  if (process.env.PTR_FC_SKIP) t.log(`PTR_FC_SKIP=${process.env.PTR_FC_SKIP} (of ${HAZARDS.join(', ')})`);
  checkModel(t, 'core pointer model', new CoreModel(), 50_000);
});
