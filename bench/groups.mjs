// The registry of row groups. `node bench/run.mjs --only <name>` runs one.
//
// A group is a module exporting:
//   name, title
//   sections(ctx) -> [{ title, rows: [row] }]   (may be async)
//   after(ctx)    -> [note lines]                 (optional, e.g. a heap check)
// A row: { id, label, run(ctx) -> result, peer?, compare?, target? }
//   run returns { median, samples, min, max } (ns/op, e.g. from measureLoop or
//   summarize), or { value, unit } for a figure that is not a time; plus an
//   optional `detail` line and `data` (kept in results.json).
//   peer: true   - a failure means "peer unavailable" (skipped), not an error.
//   compare      - [{ to: rowId, name, kind: 'time' | 'speedup', target? }]
//                  time: this row's ns / that row's ns; speedup: the inverse.
//   target       - { op: '<=' | '<' | '>=' | '>', value } on `value`.
// ctx: { quick, settings: { warmupMs, sampleMs, reps }, log(msg), info (goes to
// results.json's environment), result(id) (an earlier row's result; throws if it
// did not run), optional(id) (the same or undefined) }.
export const groups = [
  { name: 'allocator', load: () => import('./allocator.mjs') }, // heap.malloc / heap.free vs glibc, thi.ng
  { name: 'core', load: () => import('./core.mjs') }, //           @ptr/core pointers vs typed arrays, DataView, koffi, v8.serialize
  { name: 'frames', load: () => import('./frames.mjs') }, //       stack frames (withFrame / stackAlloc) vs N-API calls
  { name: 'pool', load: () => import('./pool.mjs') }, //           @ptr/worker pool vs plain piscina; parallelFor vs one thread
];
