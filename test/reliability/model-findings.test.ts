// Minimal, deterministic reproductions of what the property models found (the
// shrunk counterexamples), so that each stays visible as its own failing test
// until it is fixed, whatever seed the property tests draw. Each names the
// model's hazard (PTR_FC_SKIP) that steers the random tests around it.
import test from 'ava';
import * as core from '../../packages/core/dist/index.js';
import { mismatch } from './_helpers.ts';

const { malloc, calloc, realloc, free, sizeof, acquireStackAlloc, bytes, DereferenceError, FreedMemoryError, int32 } = core;

test('lone-surrogate: untyped memory gives back the very string moved in, also when it is not well-formed UTF-16', (t) => {
  for (const s of ['\ud800', 'a\udbffb', '\udc00x', 'ok😀\udfff']) {
    const p = malloc(sizeof(s)).move(s);
    t.is(p.deref(), s, `malloc: ${JSON.stringify(s)}`);
    free(p);
    const arr = calloc(2, sizeof(s));
    arr.at(1).move(s);
    t.is(arr.at(1).deref(), s, `array slot: ${JSON.stringify(s)}`);
    free(arr);
    acquireStackAlloc(64, (sp) => t.is(sp.move(s).deref(), s, `stack: ${JSON.stringify(s)}`));
  }
});

test('unsafe-slot: an unsafe move into an array slot stays inside the slot (DESIGN: each slot holds at most the slot size)', (t) => {
  const arr = calloc(4, 8);
  arr.at(1).move(7);
  const m = mismatch(() => arr.at(0).move('a long string!', { unsafe: true }), core.InvalidSizeError);
  t.is(m, null, `unsafe move of 19 bytes into an 8-byte slot: ${m}`);
  t.is(arr.at(1).deref(), 7, 'the next slot keeps its value');
  free(arr);
});

test('zero-size: untyped memory of 0 bytes reads as empty, and what an unsafe move put there reads back', (t) => {
  const p = malloc(0);
  p.move(-1000, { unsafe: true }); // fits the block's 16 usable bytes
  t.true(p.assigned);
  let got: unknown;
  try {
    got = p.deref();
  } catch (e) {
    got = e;
  }
  t.is(got, -1000, 'deref() gives back what the unsafe move stored');
  free(p);
  acquireStackAlloc(0, (sp) => {
    t.false(sp.assigned, 'a 0-byte frame holds no value (assigned must not read the byte after the frame)');
  });
});

test('large-shrink-to-zero: realloc of a large untyped block to 0 bytes keeps it empty', (t) => {
  const p = malloc(235_371);
  realloc(p, 0);
  t.false(p.assigned, 'still holds no value');
  t.notThrows(() => realloc(p, 0), 'a second realloc to 0 is fine');
  t.notThrows(() => realloc(p, 64), 'and back to 64');
  t.throws(() => p.deref(), { instanceOf: DereferenceError });
  free(p);
});

test('empty-iteration: iterating a freed array is a FreedMemoryError, also when it has no slots', (t) => {
  for (const arr of [calloc(0, int32), calloc(0, 8), malloc(core.array(int32, 0)), calloc(0, bytes(4))]) {
    free(arr);
    t.throws(() => [...arr], { instanceOf: FreedMemoryError }, String(arr.type));
  }
});
