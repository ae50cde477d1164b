// Row group "pool": @ptr/worker (piscina + native frames + pointers as
// arguments) against plain piscina, and a parallelFor sum against one thread.
// See bench/README.md.
import { importPtr } from './lib/ptr.mjs';
import { loadPiscina } from './peers/piscina.mjs';
import { alternateRetrying } from './pool/measure.mjs';
import { fillPattern, patternSum, sumF64 } from './pool/sum.mjs';

export const name = 'pool';
export const title = '@ptr/worker pool vs plain piscina (2 threads each)';

const MiB = 2 ** 20;
const THREADS = 2;
const SIZES = [1, 16, 64]; // MiB per task
const BURST = 256; // concurrent runs per burst
const PAR_BYTES = 64 * MiB;
/** Measuring stops retrying (under load) once the group has run this long. */
const BUDGET_MS = 20_000;
/** Measurements per workload at most (the first plus retries under load). */
const ATTEMPTS = 2;

const PTR_TASKS = new URL('./pool/ptr-tasks.mjs', import.meta.url);
const PLAIN_TASKS = new URL('./pool/plain-tasks.mjs', import.meta.url);

let state; // pools and live data, for after()

export async function sections(ctx) {
  const core = await importPtr('core');
  const { createPool } = await importPtr('worker');
  const { calloc, free, float64 } = core;
  const started = Date.now();
  const budget = () => Date.now() - started < BUDGET_MS;
  const st = (state = { ptr: null, plain: null, live: new Set(), free });
  const base = { reps: ctx.settings.reps, sampleMs: ctx.settings.sampleMs, warmupMs: ctx.settings.warmupMs, minWarmup: ctx.quick ? 1 : 3 };
  const attempts = ctx.quick ? 1 : ATTEMPTS;

  /** Both pools, started and warmed up once (each worker has imported its task module and run tasks). */
  let pools;
  const getPools = () =>
    (pools ??= (async () => {
      const opts = { maxThreads: THREADS, minThreads: THREADS, idleTimeout: 60_000 };
      st.ptr = createPool({ ...opts, filename: PTR_TASKS });
      let plain = null;
      let plainError = null;
      try {
        const { Piscina, version } = loadPiscina();
        ctx.info.piscina = version;
        st.plain = plain = new Piscina({ ...opts, filename: PLAIN_TASKS.href });
      } catch (e) {
        plainError = e;
      }
      const warm = async (run) => {
        for (let i = 0; i < 20; i++) await Promise.all(Array.from({ length: 64 }, () => run()));
      };
      await warm(() => st.ptr.run(null, { name: 'empty' }));
      if (plain) await warm(() => plain.run(null, { name: 'empty' }));
      return { ptr: st.ptr, plain, plainError };
    })());

  const check = (what, got, want) => {
    if (got !== want) throw new Error(`${what}: wrong sum ${got}, expected ${want}`);
  };

  /** Per size: @ptr vs piscina, summing all bytes and handing off only; alternating. */
  const bySize = {};
  const measureSize = (mib) =>
    (bySize[mib] ??= (async () => {
      const { ptr, plain } = await getPools();
      const n = (mib * MiB) / 8;
      const want = patternSum(n);
      const wantTouch = 0 + ((n - 1) & 1023);
      const arr = calloc(n, float64);
      st.live.add(arr);
      try {
        fillPattern(arr.view());
        const ops = {
          sumPtr: { op: async () => check('@ptr sum', await ptr.run(arr, { name: 'sum' }), want) },
          touchPtr: { op: async () => check('@ptr touch', await ptr.run(arr, { name: 'touch' }), wantTouch) },
        };
        if (plain) {
          const copy = new Float64Array(n);
          fillPattern(copy);
          const bytes = new Uint8Array(copy.buffer); // cloned per run: no transferList
          ops.sumPlain = { op: async () => check('piscina sum', await plain.run({ bytes }, { name: 'sum' }), want) };
          ops.touchPlain = { op: async () => check('piscina touch', await plain.run({ bytes }, { name: 'touch' }), wantTouch) };
        }
        return await alternateRetrying(ops, base, { log: ctx.log, label: `${mib} MiB`, budget, attempts });
      } finally {
        st.live.delete(arr);
        free(arr);
      }
    })());

  let empties;
  const measureEmpty = () =>
    (empties ??= (async () => {
      const { ptr, plain } = await getPools();
      const ops = {
        ptr: { op: () => ptr.run(null, { name: 'empty' }) },
        ptrNoFrame: { op: () => ptr.run(null, { name: 'empty', stack: 0 }) },
      };
      if (plain) ops.plain = { op: () => plain.run(null, { name: 'empty' }) };
      return alternateRetrying(ops, base, { log: ctx.log, label: 'empty task', budget, attempts });
    })());

  let bursts;
  const measureBurst = () =>
    (bursts ??= (async () => {
      const { ptr, plain } = await getPools();
      const burst = (run) => ({ op: () => Promise.all(Array.from({ length: BURST }, run)), per: BURST });
      const ops = { ptr: burst(() => ptr.run(null, { name: 'empty' })) };
      if (plain) ops.plain = burst(() => plain.run(null, { name: 'empty' }));
      return alternateRetrying(ops, { ...base, fastTenth: false }, { log: ctx.log, label: 'empty-task burst', budget, attempts });
    })());

  let par;
  const measurePar = () =>
    (par ??= (async () => {
      const { ptr } = await getPools();
      const n = PAR_BYTES / 8;
      const want = patternSum(n);
      const arr = calloc(n, float64);
      st.live.add(arr);
      try {
        const v = arr.view();
        fillPattern(v);
        const ops = {
          main: { op: async () => check('main-thread sum', sumF64(v, 0, n), want) },
          ptr: {
            op: async () => {
              const parts = await ptr.parallelFor(arr, { name: 'sumChunk' });
              check('parallelFor sum', parts[0] + parts[1], want);
            },
          },
        };
        return await alternateRetrying(ops, base, { log: ctx.log, label: 'parallel sum', budget, attempts });
      } finally {
        st.live.delete(arr);
        free(arr);
      }
    })());

  const fmtUs = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(1)} ms` : `${(ns / 1e3).toFixed(1)} us`);
  const busyNote = (r) => {
    const parts = [];
    if (r.stat === 'p10') parts.push(`10th percentile of ${r.iters} runs per sample (mean of all runs: ${fmtUs(r.mean.median)})`);
    if (r.others !== null) parts.push(`other processes kept ${r.others} CPUs busy (median of reps)`);
    if (r.attempts > 1) parts.push(`least disturbed of ${r.attempts} attempts`);
    return parts.join('; ');
  };
  const result = (r, detail) => ({ ...r, detail: [detail, busyNote(r)].filter(Boolean).join('; ') || undefined, data: { stat: r.stat, mean: r.mean.median, meanSamples: r.mean.samples, others: r.others, othersPerRep: r.othersPerRep, attempts: r.attempts } });
  const plainRow = async (promise, key) => {
    const { plain, plainError } = await getPools();
    if (!plain) throw plainError;
    return result((await promise)[key]);
  };

  const sizeRows = SIZES.flatMap((mib) => [
    {
      id: `bytes.${mib}M.ptr`,
      label: `@ptr/worker: pointer to ${mib} MiB (float64 array), task sums it`,
      run: async () => result((await measureSize(mib)).sumPtr, mib === SIZES[0] ? 'per run: send, sum every element in the worker, result back; runs one at a time' : undefined),
      compare: [{ to: `bytes.${mib}M.piscina`, name: 'piscina', ...(mib === 1 ? { target: { op: '<=', value: 0.1 } } : {}) }],
    },
    {
      id: `bytes.${mib}M.piscina`,
      label: `piscina: ${mib} MiB Uint8Array copy (structured clone), task sums it`,
      peer: true,
      run: () => plainRow(measureSize(mib), 'sumPlain'),
    },
  ]);
  const handoffRows = SIZES.flatMap((mib) => [
    {
      id: `handoff.${mib}M.ptr`,
      label: `@ptr/worker: pointer to ${mib} MiB, task reads 2 elements`,
      run: async () => result((await measureSize(mib)).touchPtr),
      compare: [{ to: `handoff.${mib}M.piscina`, name: 'piscina' }],
    },
    {
      id: `handoff.${mib}M.piscina`,
      label: `piscina: ${mib} MiB copy, task reads 2 elements`,
      peer: true,
      run: () => plainRow(measureSize(mib), 'touchPlain'),
    },
  ]);

  return [
    {
      title: `a task receives N bytes and reads all of them (sums them as float64): a pointer vs a structured-clone copy`,
      rows: [
        ...sizeRows,
        {
          id: 'bytes.growth',
          label: '@ptr speedup over piscina grows with N',
          run: () => {
            const speedup = SIZES.map((mib) => ctx.result(`bytes.${mib}M.piscina`).nsPerOp / ctx.result(`bytes.${mib}M.ptr`).nsPerOp);
            const steps = speedup.slice(1).map((x, i) => x / speedup[i]);
            return {
              value: Math.min(...steps),
              unit: 'min step ratio',
              detail:
                `speedup ${speedup.map((x, i) => `${x.toFixed(2)}x at ${SIZES[i]} MiB (${ctx.result(`bytes.${SIZES[i]}M.ptr`).data.stat})`).join(', ')}; ` +
                `value = the smallest of ${steps.map((x) => x.toFixed(2)).join(', ')} (speedup at N / at the previous N)`,
              data: { speedup, steps },
            };
          },
          target: { op: '>=', value: 1 },
        },
      ],
    },
    {
      title: 'the same handoff, the task reads only the first and last element (the cost of getting the bytes there)',
      rows: handoffRows,
    },
    {
      title: 'an empty task (returns null)',
      rows: [
        {
          id: 'empty.ptr',
          label: '@ptr/worker, one run at a time (64 KiB frame)',
          run: async () => result((await measureEmpty()).ptr, 'round trip: await each run before the next'),
          compare: [{ to: 'empty.piscina', name: 'piscina', target: { op: '<=', value: 1.2 } }],
        },
        {
          id: 'empty.ptr.noframe',
          label: '@ptr/worker, one run at a time, { stack: 0 } (no frame)',
          run: async () => result((await measureEmpty()).ptrNoFrame),
          compare: [{ to: 'empty.piscina', name: 'piscina' }],
        },
        {
          id: 'empty.piscina',
          label: 'piscina, one run at a time',
          peer: true,
          run: () => plainRow(measureEmpty(), 'plain'),
        },
        {
          id: 'empty.ptr.mean',
          label: '@ptr/worker, one run at a time: mean of all runs',
          run: async () => {
            const r = (await measureEmpty()).ptr;
            return { ...r.mean, detail: 'includes the runs whose worker had to be woken on an idle vCPU (~65 us more each here)' };
          },
          compare: [{ to: 'empty.piscina.mean', name: 'piscina' }],
        },
        {
          id: 'empty.piscina.mean',
          label: 'piscina, one run at a time: mean of all runs',
          peer: true,
          run: async () => {
            await plainRow(measureEmpty(), 'plain');
            return (await measureEmpty()).plain.mean;
          },
        },
        {
          id: 'burst.ptr',
          label: `@ptr/worker, bursts of ${BURST} runs (Promise.all)`,
          run: async () => result((await measureBurst()).ptr, `throughput: ns per run of ${BURST} runs queued at once`),
          compare: [{ to: 'burst.piscina', name: 'piscina', target: { op: '<=', value: 1.2 } }],
        },
        {
          id: 'burst.piscina',
          label: `piscina, bursts of ${BURST} runs`,
          peer: true,
          run: () => plainRow(measureBurst(), 'plain'),
        },
      ],
    },
    {
      title: `sum of ${PAR_BYTES / MiB} MiB of float64 (${(PAR_BYTES / 8 / 1e6).toFixed(1)}M elements) on the shared heap`,
      rows: [
        {
          id: 'par.main',
          label: 'one thread: the main thread sums the heap view',
          run: async () => result((await measurePar()).main),
        },
        {
          id: 'par.ptr',
          label: `pool.parallelFor over ${THREADS} workers (${THREADS} chunks)`,
          run: async () => result((await measurePar()).ptr),
          compare: [{ to: 'par.main', name: 'main thread', kind: 'speedup', target: { op: '>=', value: 1.6 } }],
        },
      ],
    },
  ];
}

/** Runs after the group: pools closed, data freed, the heap sound. */
export async function after(ctx) {
  const notes = [];
  if (state) {
    for (const arr of state.live) state.free(arr);
    state.live.clear();
    await Promise.all([state.ptr?.close(), state.plain?.close()]);
  }
  const { heap } = await importPtr('native');
  heap.check();
  const s = heap.stats();
  notes.push(`heap.check() passed after the group (pools closed); ${s.blocks} live blocks, ${(s.committed / MiB).toFixed(1)} MiB committed`);
  const slowWake = ['empty.ptr', 'empty.piscina']
    .map((id) => [id, ctx.optional(id), ctx.optional(`${id}.mean`)])
    .filter(([, p10, mean]) => p10 && mean)
    .map(([id, p10, mean]) => `${id} ${(mean.nsPerOp / p10.nsPerOp).toFixed(1)}x`);
  if (slowWake.length) {
    notes.push(
      `one-at-a-time round trips, mean of all runs / 10th percentile: ${slowWake.join(', ')} (the rest are runs whose worker ` +
        `was woken on an idle vCPU, ~65 us more here; how often that happens differs between pools and from run to run)`,
    );
  }
  const busy = ['bytes.1M.ptr', 'empty.ptr', 'burst.ptr', 'par.ptr'].map((id) => ctx.optional(id)).filter((r) => r?.data?.others > 0.25);
  if (busy.length) {
    notes.push(
      `other processes kept up to ${Math.max(...busy.map((r) => r.data.others))} CPUs busy during ${busy.map((r) => r.id).join(', ')}: ` +
        `those rows are disturbed; rerun with --only pool on an idle machine`,
    );
  }
  return notes;
}
