// Child process of the mixed-workload rows: one implementation in a fresh
// process, so its heap starts empty and its RSS is its own.
//
//   node bench/allocator/mixed.mjs '{"impl":"ptr"|"thing","seed":1,"slots":1000,"ops":1000000,"reps":5,"warmup":2,"every":1000}'
//
// Pass 1, the memory pass (untimed, on the fresh heap), writes one byte in every
// page of each new block (as a program using its memory would, so RSS counts
// it) and samples every `every` operations: @ptr's heap.stats().committed (or
// thi.ng's `top`, its high-water mark) and the process RSS; live bytes (sum of
// requested sizes) are tracked on every operation. Then `warmup` untimed passes
// and `reps` timed passes, without sampling or touching. Each pass fills the
// pool (untimed), times the replacements, and frees everything (untimed).
// Prints one JSON line.
import { pageToucher, replacementSequence, replay, releaseAll } from '../lib/workload.mjs';
import { importPtr } from '../lib/ptr.mjs';
import { loadThing } from '../peers/thing.mjs';

const opts = JSON.parse(process.argv[2]);
const { impl, seed, slots, ops, reps, warmup = 0, every = 1000 } = opts;
const seq = replacementSequence({ seed, slots, ops });

let malloc, free, touch, footprint, reset, check, version;
if (impl === 'ptr') {
  const { heap } = await importPtr('native');
  malloc = heap.malloc;
  free = heap.free;
  touch = pageToucher(new Uint8Array(heap.buffer), heap.base);
  footprint = () => heap.stats().committed;
  reset = (addrs) => releaseAll(addrs, free);
  check = () => heap.check();
} else if (impl === 'thing') {
  const thing = await loadThing();
  version = thing.version;
  const pool = new thing.MemPool({ size: 2 ** 30 });
  malloc = (n) => pool.malloc(n);
  free = (a) => {
    if (!pool.free(a)) throw new Error(`thi.ng free(${a}) returned false`);
  };
  touch = pageToucher(pool.u8);
  footprint = () => pool.top;
  reset = () => pool.freeAll();
  check = () => {};
} else {
  throw new Error(`unknown impl ${impl}`);
}

const rss = () => process.memoryUsage.rss();
const baseFootprint = footprint();
const baseRss = rss();
let peakFootprint = baseFootprint;
let peakRss = baseRss;
let nSamples = 0;
const mem = replay(seq, malloc, free, {
  every,
  touch,
  onSample() {
    nSamples++;
    const f = footprint();
    if (f > peakFootprint) peakFootprint = f;
    const r = rss();
    if (r > peakRss) peakRss = r;
  },
});
const afterFootprint = footprint();
reset(mem.addrs);
const samples = [];
for (let r = 0; r < warmup + reps; r++) {
  const p = replay(seq, malloc, free);
  if (r >= warmup) samples.push(p.ns / ops);
  reset(p.addrs);
}
check();
console.log(
  JSON.stringify({
    impl,
    version,
    slots,
    ops,
    samples,
    memoryPassNsPerOp: mem.ns / ops,
    memory: {
      baseFootprint,
      peakFootprint,
      endFootprint: afterFootprint,
      peakLive: mem.peakLive,
      baseRss,
      peakRssDelta: peakRss - baseRss,
      samples: nSamples,
    },
  }),
);
