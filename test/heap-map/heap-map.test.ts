/**
 * ptr-heap-map (packages/native/scripts/heap-map.mjs): the per-unit map agrees
 * with heap.stats(), the SVG is produced and well-formed XML, and the command
 * writes the map of a program at its exit (also as a preload, and --demo).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { heap, withFrame } from '../../packages/native/dist/index.js';
import { heapMap, heapMapSvg, writeHeapMap } from '../../packages/native/scripts/heap-map.mjs'; // typed by heap-map.d.mts
const script = fileURLToPath(new URL('../../packages/native/scripts/heap-map.mjs', import.meta.url));
const leaky = fileURLToPath(new URL('../fixtures/heap-map/leaky.mjs', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'ptr-heap-map-'));
test.after.always(() => rmSync(work, { recursive: true, force: true }));

/**
 * Checks that `xml` is well-formed XML (one root element, tags nested and closed, attributes
 * quoted and not repeated, `&` only in entity references, no `<` in text or attribute values);
 * returns the element names in document order.
 */
export function wellFormed(xml: string): string[] {
  const names: string[] = [];
  const stack: string[] = [];
  const entity = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;
  const name = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
  let i = 0;
  let roots = 0;
  const fail = (m: string): never => {
    throw new Error(`not well-formed at ${i}: ${m} (…${xml.slice(Math.max(0, i - 40), i + 40)}…)`);
  };
  const checkText = (s: string, what: string): void => {
    for (let k = s.indexOf('&'); k !== -1; k = s.indexOf('&', k + 1)) {
      entity.lastIndex = k;
      if (!entity.test(s)) fail(`bare & in ${what}`);
    }
  };
  if (xml.startsWith('<?xml')) {
    i = xml.indexOf('?>');
    if (i === -1) fail('unclosed XML declaration');
    i += 2;
  }
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (stack.length === 0 && text.trim() !== '') fail('text outside the root element');
    checkText(text, 'text');
    if (lt === -1) break;
    i = lt;
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i);
      if (end === -1) fail('unclosed comment');
      i = end + 3;
      continue;
    }
    if (xml.startsWith('</', i)) {
      name.lastIndex = i + 2;
      const m = name.exec(xml) ?? fail('bad closing tag');
      if (stack.pop() !== m[0]) fail(`</${m[0]}> closes the wrong element`);
      i = name.lastIndex;
      while (/\s/.test(xml[i] ?? '')) i++;
      if (xml[i] !== '>') fail('bad closing tag end');
      i++;
      continue;
    }
    name.lastIndex = i + 1;
    const m = name.exec(xml) ?? fail('bad tag name');
    if (stack.length === 0 && roots++ > 0) fail('a second root element');
    names.push(m[0]);
    i = name.lastIndex;
    const seen = new Set<string>();
    for (;;) {
      const ws = /\s*/y;
      ws.lastIndex = i;
      ws.exec(xml);
      const hadSpace = ws.lastIndex > i;
      i = ws.lastIndex;
      if (xml.startsWith('/>', i)) {
        i += 2;
        break;
      }
      if (xml[i] === '>') {
        stack.push(m[0]);
        i++;
        break;
      }
      if (!hadSpace) fail('attributes must be separated by space');
      const attr = /([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"]*)"|'([^']*)')/y;
      attr.lastIndex = i;
      const a = attr.exec(xml) ?? fail('bad attribute');
      if (seen.has(a[1]!)) fail(`attribute ${a[1]} repeated`);
      seen.add(a[1]!);
      const value = a[3] ?? a[4] ?? '';
      if (value.includes('<')) fail(`< in attribute ${a[1]}`);
      checkText(value, `attribute ${a[1]}`);
      i = attr.lastIndex;
    }
  }
  if (stack.length) fail(`unclosed <${stack.join('> <')}>`);
  if (roots !== 1) fail('no root element');
  return names;
}

const run = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> =>
  new Promise((resolve, reject) =>
    execFile(process.execPath, args, { env: { ...process.env, ...env }, timeout: 60_000 }, (e, stdout, stderr) =>
      e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    ),
  );

test('the well-formedness check itself rejects broken XML', (t) => {
  t.deepEqual(wellFormed('<?xml version="1.0"?>\n<svg a="1"><g><rect b="&amp;"/></g><!-- c --></svg>\n'), ['svg', 'g', 'rect']);
  for (const bad of ['<svg><g></svg>', '<svg a="1" a="2"/>', '<svg a="x & y"/>', '<svg>a < b</svg>', '<svg/><svg/>', '<svg a=1/>', '<svg><g></g>', 'x<svg/>']) {
    t.throws(() => wellFormed(bad), undefined, bad);
  }
});

test('the map covers every unit once and agrees with heap.stats(); the SVG is well-formed and shows pages, large blocks, stacks and threads', async (t) => {
  const held: number[] = [];
  for (let i = 0; i < 2000; i++) held.push(heap.malloc(16 + (i % 20) * 40));
  for (let i = 0; i < held.length; i += 2) heap.free(held[i]!);
  const large = heap.malloc(300 * 1024);
  withFrame(256, () => {}); // this thread's stack segment
  // a worker that allocates, keeps its blocks and exits: its pages outlive it
  await new Promise<void>((resolve, reject) => {
    const w = new Worker(
      `const { heap } = await import(${JSON.stringify(new URL('../../packages/native/dist/index.js', import.meta.url).href)});
       for (let i = 0; i < 700; i++) heap.malloc(200);`,
      { eval: true },
    );
    w.once('error', reject);
    w.once('exit', () => resolve());
  });

  const map = heapMap();
  const stats = heap.stats();
  let next = 0;
  for (const s of map.spans) {
    t.is(s.unit, next, 'spans are contiguous');
    t.true(s.units >= 1);
    next = s.unit + s.units;
  }
  t.is(next, map.units, 'spans cover the heap');
  t.is(map.units * map.unit, stats.reserved);
  const used = map.spans.reduce((a, s) => a + (s.kind === 'small' ? s.live! * s.blockSize! : s.kind === 'large' ? s.units * map.unit : 0), 0);
  t.is(used, stats.used);
  const blocks = map.spans.reduce((a, s) => a + (s.kind === 'small' ? s.live! : s.kind === 'large' ? 1 : 0), 0);
  t.is(blocks, stats.blocks);
  t.deepEqual(map.threads.map((x) => x.slot), stats.threads.map((x) => x.slot));
  t.true(map.spans.some((s) => s.kind === 'large'));
  t.true(map.spans.some((s) => s.kind === 'stack' && s.owner === heap.slot));
  t.true(map.threads.some((x) => x.current && x.slot === heap.slot));

  const svg = heapMapSvg({ title: 'test <map> & co' });
  const names = wellFormed(svg);
  t.is(names[0], 'svg');
  t.true(names.includes('rect') && names.includes('title') && names.includes('text'));
  t.true(svg.includes('xmlns="http://www.w3.org/2000/svg"'));
  t.true(svg.includes('test &lt;map&gt; &amp; co'));
  t.regex(svg, /small-block page, \d+ B blocks/);
  t.regex(svg, /large block/);
  t.regex(svg, /stack segment of thread slot/);
  t.regex(svg, new RegExp(`${stats.blocks.toLocaleString('en')} live blocks`));
  const wide = heapMapSvg({ columns: 256, cell: 4 });
  t.notThrows(() => wellFormed(wide));
  heap.free(large);
  for (let i = 1; i < held.length; i += 2) heap.free(held[i]!);
  const file = writeHeapMap(join(work, 'direct.svg'));
  t.notThrows(() => wellFormed(readFileSync(file, 'utf8')));
});

test('ptr-heap-map runs a program and writes the map at its exit: the leaked blocks show', async (t) => {
  const out = join(work, 'leaky.svg');
  const { stdout, stderr } = await run([script, '-o', out, leaky, '300']);
  t.regex(stdout, /leaky: left 300 small blocks/);
  t.regex(stderr, /ptr-heap-map: .*leaky\.svg \(301 live blocks/);
  const svg = readFileSync(out, 'utf8');
  t.notThrows(() => wellFormed(svg));
  t.regex(svg, /301 live blocks \(1 large\)/);
  t.regex(svg, /300 × 96 B = 28\.1 KiB/);
  t.regex(svg, /ptr heap at exit of .*leaky\.mjs 300/);
});

test('as a preload (PTR_HEAP_MAP + --import) and with --demo', async (t) => {
  const out = join(work, 'preload.svg');
  await run(['--import', script, leaky, '5'], { PTR_HEAP_MAP: out });
  t.regex(readFileSync(out, 'utf8'), /6 live blocks \(1 large\)/);
  const demo = join(work, 'demo.svg');
  await run([script, '--demo', '-o', demo]);
  const svg = readFileSync(demo, 'utf8');
  t.notThrows(() => wellFormed(svg));
  t.regex(svg, /threadId \d+/);
  const usage = await run([script, '--help']).catch((e: Error) => e);
  t.false(usage instanceof Error);
});
