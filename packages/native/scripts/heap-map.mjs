#!/usr/bin/env node
// heapStats() pictured: an SVG map of the process heap, one cell per 4 KiB unit, coloured by
// what holds the unit (small-block pages by owning thread, filled to their occupancy; large
// blocks; stack segments; free units, resident or given back to the OS), with a tooltip per
// span and a summary, so fragmentation and leaks show at a glance.
//
// The heap belongs to a process, so the map is drawn inside the process that uses it:
//
//   ptr-heap-map [-o heap.svg] [--columns 64] app.mjs [args…]
//        runs app.mjs in this process and writes the map when the process exits: blocks
//        still live then are what the program leaked (see the "live at exit" summary)
//   PTR_HEAP_MAP=heap.svg node --import @ptr/native/heap-map app.mjs
//        the same as a preload (the file is written at exit; SIGUSR2 writes heap.1.svg, … meanwhile)
//   ptr-heap-map --demo [-o heap.svg]
//        a small workload on three threads (one leaks, one exits early), to see what a map shows
//   import { heapMapSvg, writeHeapMap, heapMap } from '@ptr/native/heap-map'
//        from code: the SVG text, written to a file, or the per-unit data it is drawn from
//
// Everything is read from heap.buffer with the layout constants @ptr/native exports (`layout`)
// and the allocator's size classes: no native call, nothing allocated on the heap. The read is
// a snapshot without locks: exact when no other thread allocates meanwhile.
import { realpathSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { heap, layout, sizeClasses } from '../dist/index.js';

const { CLASS_COUNT, CLASS_SIZE, PAGE_CAP } = sizeClasses;

const L = layout;
const KIND_NAMES = {
  [L.K_FREE]: 'free',
  [L.K_SMALL]: 'small',
  [L.K_LARGE]: 'large',
  [L.K_STACK]: 'stack',
  [L.K_HEADER]: 'header',
  [L.K_RELEASING]: 'releasing',
};

/**
 * The heap unit by unit, as spans (runs of units with one role).
 * @returns {import('./heap-map.d.mts').HeapMap}
 */
export function heapMap() {
  const I32 = new Int32Array(heap.buffer);
  const units = I32[L.H_UNITS];
  const firstData = I32[L.H_FIRST_DATA_UNIT];
  const threads = new Map();
  for (let s = 1; s < L.MAX_THREADS; s++) {
    const state = Atomics.load(I32, L.threadWord(s, L.T_STATE));
    if (state !== L.SLOT_LIVE && state !== L.SLOT_DEAD) continue;
    threads.set(s, {
      slot: s,
      threadId: I32[L.threadWord(s, L.T_THREAD_ID)],
      state: state === L.SLOT_LIVE ? 'live' : 'dead',
      current: s === heap.slot,
      pages: 0,
      pageBytes: 0,
      used: 0,
      blocks: 0,
      stack: 0,
    });
  }
  const spans = [];
  const committedOf = (u) => I32[L.descOf(u) + L.D_COMMITTED] === 1;
  // The header's descriptor pages are touched only where units were handed out (H_META_BYTES).
  if (firstData > 0) spans.push({ unit: 0, units: firstData, kind: 'header', committed: Math.ceil(I32[L.H_META_BYTES] / L.UNIT) });
  for (let u = firstData; u < units; ) {
    const d = L.descOf(u);
    const k = I32[d + L.D_KIND];
    let len = k === L.K_FREE ? I32[d + L.D_INFO] : I32[d + L.D_SIZE];
    if (!(len >= 1) || u + len > units) len = 1; // a span changing under our feet: one unit at a time
    if (k === L.K_FREE) {
      // a free span, split where the OS holds the pages and where it took them back
      for (let v = u; v < u + len; ) {
        const c = committedOf(v);
        let w = v + 1;
        while (w < u + len && committedOf(w) === c) w++;
        spans.push({ unit: v, units: w - v, kind: 'free', committed: c ? w - v : 0 });
        v = w;
      }
    } else {
      let committed = 0;
      // A lazy span (a big block or stack segment) counts as committed in full.
      if ((k === L.K_LARGE || k === L.K_STACK) && len >= L.LAZY_UNITS) committed = len;
      else for (let v = u; v < u + len; v++) if (committedOf(v)) committed++;
      const span = { unit: u, units: len, kind: KIND_NAMES[k] ?? (k === L.K_CONT ? 'orphan' : `kind ${k}`), committed };
      if (k === L.K_SMALL) {
        const cls = I32[d + L.D_INFO];
        const ok = cls >= 0 && cls < CLASS_COUNT;
        const blockSize = ok ? CLASS_SIZE[cls] : 0;
        const capacity = ok ? PAGE_CAP[cls] : 0;
        const remote = Atomics.load(I32, d + L.D_REMOTE);
        const live = Math.max(0, I32[d + L.D_USED] - remote);
        Object.assign(span, { owner: I32[d + L.D_OWNER], sizeClass: cls, blockSize, capacity, live, remote, carved: I32[d + L.D_BUMP] });
        const t = threads.get(span.owner);
        if (t) {
          t.pages++;
          t.pageBytes += len * L.UNIT;
          t.used += live * blockSize;
          t.blocks += live;
        }
      } else if (k === L.K_STACK) {
        span.owner = I32[d + L.D_OWNER];
        const t = threads.get(span.owner);
        if (t) t.stack += len * L.UNIT;
      }
      spans.push(span);
    }
    u += len;
  }
  return { base: heap.base, unit: L.UNIT, units, firstDataUnit: firstData, spans, threads: [...threads.values()], stats: heap.stats() };
}

// ---------------------------------------------------------------------------
// Drawing

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const hex = (n) => '0x' + n.toString(16);
const pct = (x) => `${(100 * x).toFixed(x < 0.1 && x > 0 ? 1 : 0)}%`;
function bytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  const text = Number.isInteger(v) ? String(v) : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  return `${text} ${units[i]}`;
}
/** A hue per thread slot (golden angle), stable across maps. */
const hue = (slot) => Math.round((slot * 137.508 + 200) % 360);
const threadFill = (slot, light) => `hsl(${hue(slot)},${light ? '55%,86%' : '62%,45%'})`;

const COLORS = {
  header: '#4b5563',
  large: '#7c3aed',
  largeBg: '#ddd6fe',
  free: '#e5e7eb',
  released: '#ffffff',
  releasing: '#f59e0b',
  grid: '#d1d5db',
  dead: '#dc2626',
  text: '#111827',
  muted: '#6b7280',
};

/**
 * The heap as an SVG document (a string).
 * @param {import('./heap-map.d.mts').HeapMapOptions} [options]
 */
export function heapMapSvg(options = {}) {
  const map = heapMap();
  const cols = Math.max(8, Math.min(512, Math.floor(options.columns ?? 64)));
  const cell = Math.max(4, Math.min(32, Math.floor(options.cell ?? 14)));
  const title = options.title ?? 'ptr heap';
  const { stats, threads } = map;

  // Draw up to the last unit that holds anything or is resident; the rest is one line of text.
  let last = map.firstDataUnit - 1;
  for (const s of map.spans) if (s.kind !== 'free' || s.committed > 0) last = Math.max(last, s.unit + s.units - 1);
  const drawn = Math.min(map.units, Math.max(cols, Math.ceil((last + 1) / cols) * cols));
  // The header (descriptors of the whole reservation, resident only where used)
  // is a summary line, not rows of cells: the grid starts at the row of the first data unit.
  const origin = Math.min(Math.floor(map.firstDataUnit / cols) * cols, drawn - cols);
  const rows = Math.ceil((drawn - origin) / cols);

  const pad = 16;
  const gutter = 56; // row labels: the offset where each row starts
  const gridW = cols * cell;
  const legendW = 440;
  const gx = pad + gutter;
  const width = gx + gridW + pad * 2 + legendW;
  const top = 92;
  const gridH = rows * cell;

  const out = [];
  const pages = map.spans.filter((s) => s.kind === 'small');
  const deadSlots = new Set(threads.filter((t) => t.state === 'dead').map((t) => t.slot));
  const freeSpans = map.spans.filter((s) => s.kind === 'free');
  // free runs counted as the allocator sees them (adjacent committed/decommitted pieces are one span)
  const freeRuns = [];
  for (const s of freeSpans) {
    const prev = freeRuns[freeRuns.length - 1];
    if (prev && prev.unit + prev.units === s.unit) prev.units += s.units;
    else freeRuns.push({ unit: s.unit, units: s.units });
  }
  const innerFree = freeRuns.filter((r) => r.unit + r.units <= last);
  const largestInner = innerFree.reduce((m, r) => Math.max(m, r.units), 0);
  const pageBytes = pages.reduce((a, s) => a + s.units * map.unit, 0);
  const pageLive = pages.reduce((a, s) => a + s.live * s.blockSize, 0);
  const deadLive = pages.filter((s) => deadSlots.has(s.owner)).reduce((a, s) => a + s.live, 0);

  /** Rectangles covering units [u, u + n) row by row. */
  function* rects(u, n) {
    u -= origin;
    while (n > 0) {
      const row = Math.floor(u / cols);
      const col = u % cols;
      const k = Math.min(n, cols - col);
      yield { x: gx + col * cell, y: top + row * cell, w: k * cell, h: cell };
      u += k;
      n -= k;
    }
  }

  function describe(s) {
    const where = `units ${s.unit}${s.units > 1 ? `–${s.unit + s.units - 1}` : ''} (${bytes(s.units * map.unit)} at ${hex(map.base + s.unit * map.unit)})`;
    const owner = (slot) => {
      const t = threads.find((x) => x.slot === slot);
      return t ? `thread slot ${slot} (threadId ${t.threadId}, ${t.state})` : `thread slot ${slot}`;
    };
    switch (s.kind) {
      case 'small':
        return `${where}: small-block page, ${s.blockSize} B blocks (class ${s.sizeClass}), ${owner(s.owner)}; ` +
          `${s.live} of ${s.capacity} blocks live (${pct(s.capacity ? s.live / s.capacity : 0)}), ${bytes(s.live * s.blockSize)} used` +
          (s.remote ? `, ${s.remote} freed by other threads, not yet collected` : '') +
          (deadSlots.has(s.owner) ? '; its thread exited: live blocks here stay until freed (leaked unless another thread frees them)' : '');
      case 'large':
        return `${where}: large block (one allocation over 128 KiB)`;
      case 'stack':
        return `${where}: stack segment of ${owner(s.owner)}`;
      case 'header':
        return `${where}: heap header (global words, thread table, unit descriptors)`;
      case 'free':
        return `${where}: free, ${s.committed ? 'resident (kept for reuse)' : 'returned to the OS or never touched'}`;
      case 'releasing':
        return `${where}: empty span a thread keeps for its next pages (its page pool), or a page on its way there`;
      default:
        return `${where}: ${s.kind}`;
    }
  }

  out.push(
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="__HEIGHT__" viewBox="0 0 ${width} __HEIGHT__" font-family="ui-sans-serif, system-ui, sans-serif" font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<defs><pattern id="hatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="4" height="4" fill="white" fill-opacity="0"/><line x1="0" y1="0" x2="0" y2="4" stroke="white" stroke-width="1.6" stroke-opacity="0.7"/></pattern></defs>`,
    `<rect width="100%" height="100%" fill="#f9fafb"/>`,
    `<text x="${pad}" y="24" font-size="16" font-weight="600" fill="${COLORS.text}">${esc(title)}</text>`,
    `<text x="${pad}" y="44" fill="${COLORS.text}">${esc(
      `${bytes(stats.reserved)} reserved · ${bytes(stats.committed)} committed · ${bytes(stats.used)} used in ${stats.blocks.toLocaleString('en')} live blocks ` +
        `(${stats.largeBlocks} large) · ${bytes(stats.free)} free · ${bytes(stats.metadata)} metadata`,
    )}</text>`,
    `<text x="${pad}" y="62" fill="${COLORS.muted}">${esc(
      `small pages: ${pages.length} holding ${bytes(pageBytes)}, ${pct(pageBytes ? pageLive / pageBytes : 0)} of it in live blocks · ` +
        `free spans below the top: ${innerFree.length} (largest ${bytes(largestInner * map.unit)})` +
        (deadLive ? ` · ${deadLive.toLocaleString('en')} live blocks on pages of exited threads` : ''),
    )}</text>`,
    `<text x="${pad}" y="80" fill="${COLORS.muted}">${esc(
      `one cell = ${bytes(map.unit)}, ${cols} per row (${bytes(cols * map.unit)}); units ${origin}–${drawn - 1} of ${map.units} shown ` +
        `(before them: the header, ${bytes(map.firstDataUnit * map.unit)} of descriptors, ${bytes(stats.metadata)} of metadata in all)` +
        (drawn < map.units ? `, the other ${(map.units - drawn).toLocaleString('en')} are free and not resident` : ''),
    )}</text>`,
  );

  // grid background: every drawn unit starts as "not resident"
  out.push(`<g id="units">`);
  out.push(`<rect x="${gx}" y="${top}" width="${gridW}" height="${gridH}" fill="${COLORS.released}" stroke="${COLORS.grid}"/>`);
  const labelEvery = Math.max(1, Math.ceil(14 / cell));
  for (let r = 0; r < rows; r += labelEvery) {
    out.push(`<text x="${gx - 6}" y="${top + r * cell + Math.min(cell, 12) - 1}" text-anchor="end" font-size="10" fill="${COLORS.muted}">${esc(bytes((origin + r * cols) * map.unit))}</text>`);
  }
  for (const s of map.spans) {
    if (s.unit >= drawn || s.unit + s.units <= origin) continue;
    const from = Math.max(s.unit, origin);
    const n = Math.min(s.unit + s.units, drawn) - from;
    const tip = `<title>${esc(describe(s))}</title>`;
    const parts = [];
    for (const r of rects(from, n)) {
      switch (s.kind) {
        case 'header':
          parts.push(`<rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" fill="${COLORS.header}"/>`);
          break;
        case 'free':
          if (s.committed) parts.push(`<rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" fill="${COLORS.free}"/>`);
          break;
        case 'small': {
          const fill = s.capacity ? Math.min(1, s.live / s.capacity) : 0;
          const h = Math.round(r.h * fill * 10) / 10;
          parts.push(`<rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" fill="${threadFill(s.owner, true)}"/>`);
          if (h > 0) parts.push(`<rect x="${r.x}" y="${r.y + r.h - h}" width="${r.w}" height="${h}" fill="${threadFill(s.owner, false)}"/>`);
          break;
        }
        case 'large':
          parts.push(`<rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" fill="${COLORS.large}"/>`);
          break;
        case 'stack':
          parts.push(`<rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" fill="${threadFill(s.owner, false)}"/>`);
          parts.push(`<rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" fill="url(#hatch)"/>`);
          break;
        default:
          parts.push(`<rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" fill="${COLORS.releasing}"/>`);
      }
      // outline each span (dead owners in red, dashed)
      if (s.kind !== 'free') {
        const dead = s.owner !== undefined && deadSlots.has(s.owner);
        parts.push(
          `<rect x="${r.x + 0.5}" y="${r.y + 0.5}" width="${r.w - 1}" height="${r.h - 1}" fill="none" stroke="${dead ? COLORS.dead : '#ffffff'}" stroke-width="${dead ? 1 : 0.6}"${dead ? ' stroke-dasharray="2 1"' : ''}/>`,
        );
      }
    }
    if (parts.length) out.push(`<g class="${esc(s.kind)}" data-unit="${s.unit}" data-units="${s.units}">${tip}${parts.join('')}</g>`);
  }
  out.push(`</g>`);

  // legend
  const lx = gx + gridW + pad * 2;
  let ly = top + 4;
  const line = (swatch, text, tip) => {
    out.push(`<g>${tip ? `<title>${esc(tip)}</title>` : ''}${swatch(lx, ly)}<text x="${lx + 20}" y="${ly + 10}" fill="${COLORS.text}">${esc(text)}</text></g>`);
    ly += 18;
  };
  const box = (fill, stroke = COLORS.grid, extra = '') => (x, y) => `<rect x="${x}" y="${y}" width="14" height="12" fill="${fill}" stroke="${stroke}"${extra}/>`;
  out.push(`<g id="legend">`);
  out.push(`<text x="${lx}" y="${ly}" font-weight="600" fill="${COLORS.text}">legend</text>`);
  ly += 8;
  line(box(COLORS.header), 'heap header and descriptors');
  line(
    (x, y) => `<rect x="${x}" y="${y}" width="14" height="12" fill="${threadFill(1, true)}"/><rect x="${x}" y="${y + 7}" width="14" height="5" fill="${threadFill(1, false)}"/>`,
    'small-block page, filled to its occupancy',
  );
  line(box(COLORS.large), 'large block (> 128 KiB)');
  line((x, y) => `${box(threadFill(1, false))(x, y)}<rect x="${x}" y="${y}" width="14" height="12" fill="url(#hatch)"/>`, 'stack segment');
  line(box(COLORS.free), 'free, resident');
  line(box(COLORS.released), 'free, returned to the OS');
  line(box('none', COLORS.dead, ' stroke-dasharray="2 1"'), 'owned by an exited thread');
  ly += 8;
  out.push(`<text x="${lx}" y="${ly}" font-weight="600" fill="${COLORS.text}">threads (colour = owner)</text>`);
  ly += 8;
  for (const t of threads) {
    line(
      box(threadFill(t.slot, false), t.state === 'dead' ? COLORS.dead : COLORS.grid),
      `slot ${t.slot} · ${t.threadId === 0 ? 'main' : `threadId ${t.threadId}`}${t.state === 'dead' ? ' · exited' : ''}${t.current ? ' · this thread' : ''}: ` +
        `${t.pages} pages, ${bytes(t.used)} in ${t.blocks.toLocaleString('en')} blocks`,
      `slot ${t.slot}, threadId ${t.threadId}, ${t.state}: ${t.pages} small pages (${bytes(t.pageBytes)}), ${t.blocks} live blocks (${bytes(t.used)}), stack ${bytes(t.stack)}`,
    );
  }
  // where the live bytes are, by size class (the leak hunter's view)
  const byClass = new Map();
  for (const s of pages) {
    const c = byClass.get(s.blockSize) ?? { blocks: 0, bytes: 0 };
    c.blocks += s.live;
    c.bytes += s.live * s.blockSize;
    byClass.set(s.blockSize, c);
  }
  const topClasses = [...byClass.entries()].filter(([, c]) => c.blocks > 0).sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 8);
  if (topClasses.length || stats.largeBlocks) {
    ly += 8;
    out.push(`<text x="${lx}" y="${ly}" font-weight="600" fill="${COLORS.text}">live blocks by size</text>`);
    ly += 16;
    for (const [size, c] of topClasses) {
      out.push(`<text x="${lx}" y="${ly}" fill="${COLORS.text}">${esc(`${c.blocks.toLocaleString('en')} × ${bytes(size)} = ${bytes(c.bytes)}`)}</text>`);
      ly += 16;
    }
    if (stats.largeBlocks) {
      const large = map.spans.filter((s) => s.kind === 'large');
      out.push(`<text x="${lx}" y="${ly}" fill="${COLORS.text}">${esc(`${large.length} large = ${bytes(large.reduce((a, s) => a + s.units * map.unit, 0))}`)}</text>`);
      ly += 16;
    }
  }
  out.push(`</g>`);
  const height = Math.max(top + gridH, ly) + pad;
  out.push(`</svg>`, '');
  return out.join('\n').replace(/__HEIGHT__/g, String(height));
}

/**
 * Writes the map to `file` and returns its path.
 * @param {string} [file]
 * @param {import('./heap-map.d.mts').HeapMapOptions} [options]
 */
export function writeHeapMap(file = 'heap.svg', options = {}) {
  const path = resolve(file);
  writeFileSync(path, heapMapSvg(options));
  return path;
}

// ---------------------------------------------------------------------------
// Command line and preload

// run as a command (also through a bin symlink or shim: node gives this module its real path)
const isMain = (() => {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
})();

/** Writes the map at exit (and numbered snapshots on SIGUSR2). */
function mapAtExit(file, options) {
  let n = 0;
  process.on('SIGUSR2', () => {
    const f = file.replace(/(\.svg)?$/i, `.${++n}.svg`);
    writeHeapMap(f, options);
    console.error(`ptr-heap-map: ${f}`);
  });
  process.on('exit', () => {
    try {
      const stats = heap.stats();
      console.error(`ptr-heap-map: ${writeHeapMap(file, options)} (${stats.blocks} live blocks, ${bytes(stats.used)} at exit)`);
    } catch (e) {
      console.error(`ptr-heap-map: could not write ${file}: ${e}`);
    }
  });
}

if (!isMain && process.env.PTR_HEAP_MAP) mapAtExit(process.env.PTR_HEAP_MAP, { title: `ptr heap at exit of ${process.argv.slice(1).join(' ')}` });

if (isMain) await main(process.argv.slice(2));

async function main(argv) {
  const opts = { out: 'heap.svg', columns: undefined, cell: undefined, demo: false };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-o' || a === '--out') opts.out = argv[++i];
    else if (a === '--columns') opts.columns = Number(argv[++i]);
    else if (a === '--cell') opts.cell = Number(argv[++i]);
    else if (a === '--demo') opts.demo = true;
    else if (a === '-h' || a === '--help') return usage(0);
    else if (a === '--') {
      i++;
      break;
    } else if (a.startsWith('-')) return usage(2, `unknown option ${a}`);
    else break;
  }
  const script = argv[i];
  const options = { columns: opts.columns, cell: opts.cell };
  if (opts.demo) {
    const stop = await demo();
    const path = writeHeapMap(opts.out, { ...options, title: 'ptr heap: ptr-heap-map --demo' });
    console.error(`ptr-heap-map: ${path}`);
    await stop();
    return;
  }
  if (!script) return usage(2, 'name a program to run (or --demo)');
  const file = resolve(script);
  process.argv = [process.argv[0], file, ...argv.slice(i + 1)];
  mapAtExit(opts.out, { ...options, title: `ptr heap at exit of ${[script, ...argv.slice(i + 1)].join(' ')}` });
  await import(pathToFileURL(file).href);
}

function usage(code, error) {
  if (error) console.error(`ptr-heap-map: ${error}`);
  console.error(
    [
      'usage: ptr-heap-map [-o heap.svg] [--columns 64] [--cell 10] program.mjs [args…]',
      '       ptr-heap-map --demo [-o heap.svg]',
      '       PTR_HEAP_MAP=heap.svg node --import @ptr/native/heap-map program.mjs',
      'Runs the program in this process and writes an SVG map of the @ptr heap when it exits',
      '(SIGUSR2 writes numbered snapshots meanwhile).',
    ].join('\n'),
  );
  process.exitCode = code;
}

/**
 * Three threads at work: the main thread keeps blocks of many sizes with holes between them,
 * one worker leaks 5000 blocks and exits, one (still running while the map is drawn) keeps every
 * other block it allocated, a large block and its stack segment. Returns a function that ends it.
 */
async function demo() {
  const { Worker } = await import('node:worker_threads');
  const keep = [];
  for (let i = 0; i < 3000; i++) keep.push(heap.malloc(16 + (i % 40) * 24));
  for (let i = 0; i < keep.length; i += 3) heap.free(keep[i]); // holes: partly used pages
  keep.push(heap.malloc(1 << 20));
  const code = `
    const { heap, withFrame } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
    const { workerData, parentPort } = await import('node:worker_threads');
    const got = [];
    for (let i = 0; i < workerData.n; i++) got.push(heap.malloc(workerData.size));
    for (let i = 0; i < got.length; i += workerData.freeEvery) heap.free(got[i]);
    if (workerData.stay) {
      got.push(heap.malloc(3 << 20));
      withFrame(1024, () => {});
      parentPort.once('message', () => process.exit(0));
    }
    parentPort.postMessage('ready');
  `;
  const start = (data) =>
    new Promise((res, rej) => {
      const w = new Worker(code, { eval: true, workerData: data });
      w.once('message', () => res(w));
      w.once('error', rej);
    });
  const leaker = await start({ n: 5000, size: 48, freeEvery: 1e9, stay: false });
  await new Promise((res) => leaker.once('exit', res));
  const holder = await start({ n: 400, size: 4000, freeEvery: 2, stay: true });
  return async () => {
    holder.postMessage('bye');
    await new Promise((res) => holder.once('exit', res));
  };
}
