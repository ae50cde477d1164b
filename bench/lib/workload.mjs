// Seeded workloads shared by every implementation (JS rows, worker threads,
// child processes and the C peer), so all of them replay the same sequence.

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const MIN_SIZE = 16;
export const MAX_SIZE = 64 * 1024;

/**
 * Log-uniform size in [min, max): every doubling (16-32 B, 32-64 B, ..., 32-64 KiB)
 * is equally likely, which is how allocation sizes of real programs spread
 * (many small blocks, a long tail of big ones). Median ~1 KiB, mean ~7.9 KiB.
 */
export function logUniform(rand, min = MIN_SIZE, max = MAX_SIZE) {
  return Math.floor(min * Math.pow(max / min, rand()));
}

/**
 * A pool of `slots` live blocks with random lifetimes: first every slot gets a
 * block (`initial` sizes); then each of the `ops` operations frees the block of a
 * uniformly random slot and allocates a new random size into it.
 */
export function replacementSequence({ seed, slots, ops, min = MIN_SIZE, max = MAX_SIZE }) {
  const rand = mulberry32(seed);
  const initial = new Uint32Array(slots);
  for (let i = 0; i < slots; i++) initial[i] = logUniform(rand, min, max);
  const slot = new Uint32Array(ops);
  const size = new Uint32Array(ops);
  for (let i = 0; i < ops; i++) {
    slot[i] = Math.floor(rand() * slots);
    size[i] = logUniform(rand, min, max);
  }
  return { seed, slots, ops, min, max, initial, slot, size };
}

/** The sequence as little-endian u32s for the C peer: slots, ops, initial sizes, then (slot, size) pairs. */
export function sequenceBytes(seq) {
  const out = new Uint32Array(2 + seq.slots + 2 * seq.ops);
  out[0] = seq.slots;
  out[1] = seq.ops;
  out.set(seq.initial, 2);
  for (let i = 0, o = 2 + seq.slots; i < seq.ops; i++, o += 2) {
    out[o] = seq.slot[i];
    out[o + 1] = seq.size[i];
  }
  return Buffer.from(out.buffer);
}

/**
 * Runs a replacement sequence against any malloc/free pair. `onSample(i, live)`
 * (optional) is called every `every` operations and once at the end; with it,
 * `touch(address, size)` (optional) is called on every new block, e.g. to write
 * each of its pages so that RSS counts it as a program using its memory would.
 * Returns { ns: time of the replacement phase only, peakLive, addrs }.
 * The blocks stay live (in `addrs`): call `releaseAll` afterwards.
 */
export function replay(seq, malloc, free, { onSample, touch, every = 1000 } = {}) {
  const { slots, ops, initial, slot, size } = seq;
  const addrs = new Float64Array(slots);
  const sizes = new Float64Array(slots);
  let live = 0;
  for (let i = 0; i < slots; i++) {
    const n = initial[i];
    const a = malloc(n);
    if (a === 0) throw new Error(`malloc(${n}) failed while filling the pool`);
    if (touch) touch(a, n);
    addrs[i] = a;
    sizes[i] = n;
    live += n;
  }
  let peakLive = live;
  if (onSample) onSample(-1, live);
  const t0 = process.hrtime.bigint();
  if (onSample) {
    for (let i = 0; i < ops; i++) {
      const s = slot[i];
      free(addrs[s]);
      live -= sizes[s];
      const n = size[i];
      const a = malloc(n);
      if (a === 0) throw new Error(`malloc(${n}) failed at operation ${i}`);
      if (touch) touch(a, n);
      addrs[s] = a;
      sizes[s] = n;
      live += n;
      if (live > peakLive) peakLive = live;
      if (i % every === 0) onSample(i, live);
    }
    onSample(ops, live);
  } else {
    for (let i = 0; i < ops; i++) {
      const s = slot[i];
      free(addrs[s]);
      live -= sizes[s];
      const n = size[i];
      const a = malloc(n);
      if (a === 0) throw new Error(`malloc(${n}) failed at operation ${i}`);
      addrs[s] = a;
      sizes[s] = n;
      live += n;
      if (live > peakLive) peakLive = live;
    }
  }
  const ns = Number(process.hrtime.bigint() - t0);
  return { ns, peakLive, addrs };
}

export function releaseAll(addrs, free) {
  for (let i = 0; i < addrs.length; i++) free(addrs[i]);
}

/** A touch function for replay: writes one byte in every 4 KiB page a block spans, through `u8` at `address - base`. */
export function pageToucher(u8, base = 0) {
  return (address, size) => {
    const o = address - base;
    const end = o + size;
    for (let p = o; p < end; p += 4096) u8[p] = 1;
    if (size > 0) u8[end - 1] = 1;
  };
}
