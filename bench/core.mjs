// Row group "core": @ptr/core pointer objects against the raw accesses they
// wrap (typed arrays and DataView over the heap buffer, the raw heap API),
// against koffi's memory encode/decode, and untyped move/deref against a
// v8.serialize round trip. See bench/README.md.
import v8 from 'node:v8';
import { measureHot as measureLoop } from './lib/hot.mjs';
import { importPtr } from './lib/ptr.mjs';
import { recordOfAbout } from './core/values.mjs';
import { loadKoffi } from './peers/koffi.mjs';

export const name = 'core';
export const title = '@ptr/core pointers: typed and untyped access, malloc/free through pointer objects';

const SIZE = 64;
/** Keeps results observable so loops are not optimised away. */
let sink = 0;

export async function sections(ctx) {
  const core = await importPtr('core');
  const { malloc, free, struct, int32, float64, sizeof, heap } = core;
  const s = ctx.settings;
  let koffi;
  const getKoffi = () => {
    if (!koffi) {
      koffi = loadKoffi();
      ctx.info.koffi = koffi.version;
    }
    return koffi.koffi;
  };
  /** Runs `body(ptr)` with a pointer from malloc(what), freed afterwards. */
  const withPtr = (what, body) => {
    const p = malloc(what);
    try {
      return body(p);
    } finally {
      free(p);
    }
  };
  const Point = struct({ x: int32, y: float64 }, 'Point');
  const record = recordOfAbout(1024);

  return [
    {
      title: 'int32 through a typed pointer: move(i) + deref() per op',
      rows: [
        {
          id: 'int32.ptr',
          label: '@ptr malloc(int32): p.move(i); p.deref()',
          run: () =>
            withPtr(int32, (p) =>
              measureLoop((n) => {
                let acc = 0;
                for (let i = 0; i < n; i++) {
                  p.move(i);
                  acc = (acc + p.deref()) | 0;
                }
                sink += acc;
              }, s),
            ),
          compare: [
            { to: 'int32.raw', name: 'Int32Array', target: { op: '<=', value: 2 } },
            { to: 'int32.koffi', name: 'koffi', target: { op: '<=', value: 0.2 } },
          ],
        },
        {
          id: 'int32.raw',
          label: 'raw Int32Array over heap.buffer, same address',
          run: () =>
            withPtr(int32, (p) => {
              const i32 = new Int32Array(heap.buffer);
              const k = (p.address - heap.base) >> 2;
              return measureLoop((n) => {
                let acc = 0;
                for (let i = 0; i < n; i++) {
                  i32[k] = i;
                  acc = (acc + i32[k]) | 0;
                }
                sink += acc;
              }, s);
            }),
        },
        {
          id: 'int32.koffi',
          label: 'koffi.encode + koffi.decode (koffi.alloc memory)',
          peer: true,
          run: () => {
            const k = getKoffi();
            const t = k.type('int32');
            const mem = k.alloc(t, 1);
            try {
              return measureLoop((n) => {
                let acc = 0;
                for (let i = 0; i < n; i++) {
                  k.encode(mem, t, i);
                  acc = (acc + k.decode(mem, t)) | 0;
                }
                sink += acc;
              }, s);
            } finally {
              k.free(mem);
            }
          },
        },
      ],
    },
    {
      title: 'struct { int32 x; double y; }: write both fields, read both, per op',
      rows: [
        {
          id: 'struct.ptr',
          label: '@ptr live view: v.x = i; v.y = i + 0.5; v.x + v.y',
          run: () =>
            withPtr(Point, (p) => {
              const v = p.view();
              return measureLoop((n) => {
                let acc = 0.5;
                for (let i = 0; i < n; i++) {
                  v.x = i;
                  v.y = i + 0.5;
                  acc += v.x + v.y;
                }
                sink += acc;
              }, s);
            }),
          compare: [{ to: 'struct.dataview', name: 'DataView', target: { op: '<=', value: 2 } }],
        },
        {
          id: 'struct.dataview',
          label: 'DataView over heap.buffer at the same offsets',
          run: () =>
            withPtr(Point, (p) => {
              const dv = new DataView(heap.buffer);
              // Offsets as int32 (| 0): an address difference is a double, and a
              // double offset makes every DataView access convert it (several times slower).
              const o = (p.address - heap.base) | 0;
              const oy = (o + core.offsetof(Point, 'y')) | 0;
              return measureLoop((n) => {
                let acc = 0.5;
                for (let i = 0; i < n; i++) {
                  dv.setInt32(o, i, true);
                  dv.setFloat64(oy, i + 0.5, true);
                  acc += dv.getInt32(o, true) + dv.getFloat64(oy, true);
                }
                sink += acc;
              }, s);
            }),
        },
      ],
    },
    {
      title: `malloc(${SIZE}) + free pair`,
      rows: [
        {
          id: 'pair.ptr',
          label: `@ptr free(malloc(${SIZE})) (pointer objects)`,
          run: () =>
            measureLoop((n) => {
              for (let i = 0; i < n; i++) free(malloc(SIZE));
            }, s),
          compare: [{ to: 'pair.raw', name: 'raw heap', target: { op: '<=', value: 3 } }],
        },
        {
          id: 'pair.raw',
          label: `raw heap.free(heap.malloc(${SIZE}))`,
          run: () => {
            const { malloc: m, free: f } = heap;
            return measureLoop((n) => {
              for (let i = 0; i < n; i++) f(m(SIZE));
            }, s);
          },
        },
      ],
    },
    {
      title: `untyped memory: move(value) + deref() (a new copy) vs v8.deserialize(v8.serialize(value))`,
      rows: [
        {
          id: 'untyped.small.ptr',
          label: '@ptr small int: p.move(i & 127); p.deref()',
          run: () =>
            withPtr(16, (p) =>
              measureLoop((n) => {
                let acc = 0;
                for (let i = 0; i < n; i++) {
                  p.move(i & 127);
                  acc = (acc + p.deref()) | 0;
                }
                sink += acc;
              }, s),
            ),
          compare: [{ to: 'untyped.small.v8', name: 'v8 ser+de' }],
        },
        {
          id: 'untyped.small.v8',
          label: 'v8.serialize + v8.deserialize of the same int',
          run: () =>
            measureLoop((n) => {
              let acc = 0;
              for (let i = 0; i < n; i++) acc = (acc + v8.deserialize(v8.serialize(i & 127))) | 0;
              sink += acc;
            }, s),
        },
        {
          id: 'untyped.obj.ptr',
          label: `@ptr ${record.serializedBytes} B object: p.move(obj); p.deref()`,
          run: () =>
            withPtr(sizeof(record.value), (p) => {
              const obj = record.value;
              const r = measureLoop((n) => {
                let acc = 0;
                for (let i = 0; i < n; i++) {
                  p.move(obj);
                  acc = (acc + p.deref().samples.length) | 0;
                }
                sink += acc;
              }, s);
              return { ...r, detail: `the object: 6 fields (strings, a nested object, ${obj.samples.length} doubles); v8.serialize gives ${record.serializedBytes} bytes, sizeof() ${sizeof(obj)}` };
            }),
          compare: [{ to: 'untyped.obj.v8', name: 'v8 ser+de' }],
        },
        {
          id: 'untyped.obj.v8',
          label: 'v8.serialize + v8.deserialize of the same object',
          run: () => {
            const obj = record.value;
            return measureLoop((n) => {
              let acc = 0;
              for (let i = 0; i < n; i++) acc = (acc + v8.deserialize(v8.serialize(obj)).samples.length) | 0;
              sink += acc;
            }, s);
          },
        },
      ],
    },
  ];
}

/** Runs after the group: the heap must still be sound, and the rows freed what they allocated. */
export async function after() {
  const { heap } = await importPtr('native');
  heap.check();
  const st = heap.stats();
  return [`heap.check() passed after the group; ${st.blocks} live blocks, ${(st.committed / 2 ** 20).toFixed(1)} MiB committed`];
}

export const _sink = () => sink;
