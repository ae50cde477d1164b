// Row group "frames": native stack frames (withFrame / stackAlloc /
// acquireStackAlloc of @ptr/core) against an empty N-API call and against a
// heap allocation through pointers. See bench/README.md.
import { measureHot as measureLoop } from './lib/hot.mjs';
import { importPtr } from './lib/ptr.mjs';
import { napiNoops } from './peers/napi-noop.mjs';

export const name = 'frames';
export const title = 'stack frames: withFrame, acquireStackAlloc, stackAlloc';

const SIZE = 64;
let sink = 0;

export async function sections(ctx) {
  const core = await importPtr('core');
  const { napiNoop } = await importPtr('native');
  const { acquireStackAlloc, stackAlloc, withFrame, malloc, free, int32 } = core;
  const s = ctx.settings;
  // Callbacks made once, as a program would hoist them; the inline row below
  // makes a new closure per call instead.
  const frameFn = (address) => address;
  const stackFn = (p) => 1;
  const stacked = stackAlloc(SIZE, stackFn);
  const vsNoop = [
    { to: 'frame.napi', name: 'N-API no-op', target: { op: '<=', value: 5 } },
    { to: 'frame.addonapi', name: 'node-addon-api no-op' },
    { to: 'frame.pair', name: `free(malloc(${SIZE}))` },
  ];

  return [
    {
      title: `one ${SIZE}-byte frame per call (push, call the callback, pop) vs an empty native call`,
      rows: [
        {
          id: 'frame.acquire',
          label: `acquireStackAlloc(${SIZE}, cb), cb returns 1`,
          run: () =>
            measureLoop((n) => {
              let acc = 0;
              for (let i = 0; i < n; i++) acc = (acc + acquireStackAlloc(SIZE, stackFn)) | 0;
              sink += acc;
            }, s),
          compare: vsNoop,
        },
        {
          id: 'frame.stackalloc',
          label: `stackAlloc(${SIZE}, cb) made once, called per op`,
          run: () =>
            measureLoop((n) => {
              let acc = 0;
              for (let i = 0; i < n; i++) acc = (acc + stacked()) | 0;
              sink += acc;
            }, s),
          compare: vsNoop,
        },
        {
          id: 'frame.acquire.int32',
          label: 'acquireStackAlloc(int32, (p) => p.move(i).deref()), new closure per call',
          run: () =>
            measureLoop((n) => {
              let acc = 0;
              for (let i = 0; i < n; i++) acc = (acc + acquireStackAlloc(int32, (p) => p.move(i).deref())) | 0;
              sink += acc;
            }, s),
          compare: [{ to: 'frame.napi', name: 'N-API no-op' }],
        },
        {
          id: 'frame.raw',
          label: `raw withFrame(${SIZE}, fn) of @ptr/native, fn returns its address`,
          run: () =>
            measureLoop((n) => {
              let acc = 0;
              for (let i = 0; i < n; i++) acc += withFrame(SIZE, frameFn) & 0xff;
              sink += acc;
            }, s),
          compare: [
            { to: 'frame.napi', name: 'N-API no-op' },
            { to: 'frame.addonapi', name: 'node-addon-api no-op' },
          ],
        },
        {
          id: 'frame.napi',
          label: 'one N-API no-op call (napiNoop of @ptr/native)',
          run: () =>
            measureLoop((n) => {
              for (let i = 0; i < n; i++) napiNoop();
            }, s),
        },
        {
          id: 'frame.addonapi',
          label: 'one node-addon-api no-op call (built here)',
          peer: true,
          run: () => {
            const { addonApiNoop, rawNoop, addonApi } = napiNoops({ log: ctx.log });
            ctx.info.nodeAddonApi = addonApi;
            const r = measureLoop((n) => {
              for (let i = 0; i < n; i++) addonApiNoop();
            }, s);
            // The same addon's plain N-API no-op, to show the two builds agree with napiNoop.
            const raw = measureLoop((n) => {
              for (let i = 0; i < n; i++) rawNoop();
            }, s);
            return {
              ...r,
              detail: `node-addon-api ${addonApi}, -O2, same defines as @ptr/native; the same addon's plain N-API no-op: ${raw.median.toFixed(2)} ns`,
              data: { rawNoop: raw },
            };
          },
        },
        {
          id: 'frame.pair',
          label: `free(malloc(${SIZE})) through pointer objects`,
          run: () =>
            measureLoop((n) => {
              for (let i = 0; i < n; i++) free(malloc(SIZE));
            }, s),
        },
      ],
    },
  ];
}

/** Runs after the group: no frame left open, the heap sound. */
export async function after(ctx) {
  const { heap, currentFrame } = await importPtr('native');
  heap.check();
  const f = currentFrame();
  if (f.depth !== -1) throw new Error(`a stack frame is still open after the group (depth ${f.depth})`);
  const st = heap.stats();
  const notes = [`heap.check() passed after the group; no frame open; ${st.blocks} live blocks`];
  const acq = ctx.optional('frame.acquire');
  if (acq) {
    notes.push(`the issue puts 5x an N-API no-op at "~100 ns here"; acquireStackAlloc measured ${acq.nsPerOp.toFixed(1)} ns`);
    const spread = (acq.max - acq.min) / 2 / acq.nsPerOp;
    if (spread > 0.2) notes.push(`acquireStackAlloc varied ±${Math.round(spread * 100)}% between repetitions (node --trace-opt shows whether V8 keeps recompiling its path)`);
  }
  const napi = ctx.optional('frame.napi');
  const addon = ctx.optional('frame.addonapi');
  if (napi && addon) {
    notes.push(
      `PLATFORM.md's figures: ~21 ns per node-addon-api call, ~6 ns raw N-API; measured here ${addon.nsPerOp.toFixed(1)} ns ` +
        `(node-addon-api no-op) and ${napi.nsPerOp.toFixed(1)} ns (napiNoop)`,
    );
  }
  return notes;
}
