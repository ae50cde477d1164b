// Formatting of the results table.

export function fmtNs(ns) {
  if (!Number.isFinite(ns)) return '';
  if (ns >= 1000) return Math.round(ns).toLocaleString('en');
  return ns >= 10 ? ns.toFixed(1) : ns.toFixed(2);
}

export function fmtRate(opsPerSec) {
  if (!Number.isFinite(opsPerSec)) return '';
  if (opsPerSec >= 1e9) return `${(opsPerSec / 1e9).toFixed(2)}G`;
  if (opsPerSec >= 1e6) return `${(opsPerSec / 1e6).toFixed(opsPerSec >= 1e8 ? 0 : 1)}M`;
  if (opsPerSec >= 1e3) return `${(opsPerSec / 1e3).toFixed(opsPerSec >= 1e5 ? 0 : 1)}k`;
  return opsPerSec.toFixed(0);
}

export function fmtRatio(r) {
  if (!Number.isFinite(r)) return '?';
  if (r >= 100) return r.toFixed(0);
  return r.toPrecision(r >= 0.1 ? 3 : 2);
}

export const fmtTarget = (t, suffix = 'x') => (t ? `${t.op} ${t.value}${suffix}` : '');

export function meets(value, t) {
  switch (t.op) {
    case '<=': return value <= t.value;
    case '<': return value < t.value;
    case '>=': return value >= t.value;
    case '>': return value > t.value;
    default: throw new Error(`bad target op ${t.op}`);
  }
}

const COLS = [
  { key: 'label', title: 'row', align: 'left' },
  { key: 'ns', title: 'ns/op', align: 'right' },
  { key: 'spread', title: '±', align: 'right' },
  { key: 'rate', title: 'ops/s', align: 'right' },
  { key: 'ratio', title: 'ratio', align: 'left' },
  { key: 'target', title: 'target', align: 'left' },
  { key: 'result', title: 'result', align: 'left' },
];

/** Lines of the table of one group: its sections, each row, then its comparison and detail lines. */
export function renderGroup(group) {
  const lines = [];
  const cells = [];
  for (const section of group.sections) {
    cells.push({ section: section.title });
    for (const row of section.rows) {
      const base = { label: row.label };
      if (row.status !== 'ok') {
        cells.push({ ...base, ratio: row.status === 'error' ? 'ERROR' : 'skipped' });
        cells.push({ detail: `${row.status === 'error' ? 'error' : 'skipped'}: ${oneLine(row.error)}` });
        continue;
      }
      if (Number.isFinite(row.nsPerOp)) {
        base.ns = fmtNs(row.nsPerOp);
        base.rate = fmtRate(row.opsPerSec);
        if (row.min !== undefined && row.nsPerOp > 0) base.spread = `${Math.round(((row.max - row.min) / 2 / row.nsPerOp) * 100)}%`;
      }
      const lines2 = [];
      if (row.value !== undefined) {
        lines2.push({ ratio: `${fmtRatio(row.value)} ${row.unit}`, target: fmtTarget(row.target, ''), result: row.pass === undefined ? '' : row.pass ? 'PASS' : 'MISS' });
      }
      for (const c of row.comparisons ?? []) {
        lines2.push({
          ratio: c.ratio === null ? `- ${c.name}` : `${fmtRatio(c.ratio)}x ${c.name}`,
          target: fmtTarget(c.target),
          result: c.target ? (c.pass === null ? 'n/a' : c.pass ? 'PASS' : 'MISS') : '',
        });
      }
      cells.push({ ...base, ...(lines2[0] ?? {}) });
      for (const l of lines2.slice(1)) cells.push(l);
      if (row.detail) cells.push({ detail: row.detail });
    }
  }
  const widths = COLS.map((c) => Math.max(c.title.length, ...cells.filter((x) => !x.section && !x.detail).map((x) => (x[c.key] ?? '').length)));
  const fmtRow = (x) =>
    COLS.map((c, i) => (c.align === 'right' ? (x[c.key] ?? '').padStart(widths[i]) : (x[c.key] ?? '').padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  lines.push(`== ${group.title} ==`);
  lines.push(fmtRow(Object.fromEntries(COLS.map((c) => [c.key, c.title]))));
  for (const x of cells) {
    if (x.section) lines.push('', `-- ${x.section}`);
    else if (x.detail) lines.push(`     ${x.detail}`);
    else lines.push(fmtRow(x));
  }
  return lines;
}

function oneLine(s) {
  const t = String(s ?? '').split('\n')[0].replace(/^Error: /, '');
  return t.length > 300 ? `${t.slice(0, 297)}...` : t;
}
