// Turns raw runs into the medians, ratios and pass/miss verdicts, and renders them
// as a markdown table (readable in a terminal, pasteable into the README).
import type { LoadResult } from './load.js';
import type { Counters } from './metrics.js';
import { shadowSummary } from './metrics.js';
import { REFERENCES, type Method, type ReferenceId, type Scenario } from './plan.js';

export interface Cell {
  scenario: Scenario;
  connections: number;
  method: Method;
  /** Bare runs of the same (connections, method) cell: shared by all scenarios. */
  bare: LoadResult[];
  /** Every reference's runs of the cell (bare included). */
  refs: Record<ReferenceId, LoadResult[]>;
  sg: LoadResult[];
  /** Why there are no shadowgate numbers ("not built", "crashed: …"), if so. */
  sgStatus: string | undefined;
  /** Counter deltas scraped around this cell's shadowgate runs. */
  counters: Counters;
}

export interface Summary {
  rps: number; p50Ms: number; p99Ms: number; errors: number; runs: number;
  /** Median CPU µs the proxy spent per request (NaN when /proc was unreadable). */
  cpuUs: number;
}

export interface CellVerdict {
  bare: Summary | undefined;
  sg: Summary | undefined;
  rpsRatio: number | undefined;
  p99Ratio: number | undefined;
  verdict: 'pass' | 'MISS' | 'info' | 'n/a';
  /** shadowgate req/s over each reference's (bare, naive mirror, lean mirror). */
  vs: Partial<Record<ReferenceId, number>>;
  refs: Partial<Record<ReferenceId, Summary>>;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function summarize(runs: LoadResult[]): Summary | undefined {
  if (runs.length === 0) return undefined;
  return {
    rps: median(runs.map((r) => r.rps)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    errors: runs.reduce((s, r) => s + r.errors, 0),
    runs: runs.length,
    cpuUs: median(runs.flatMap((r) => (r.proxyCpuUs === undefined ? [] : [r.proxyCpuUs]))),
  };
}

export function judge(cell: Cell): CellVerdict {
  const bare = summarize(cell.bare);
  const sg = summarize(cell.sg);
  const refs: Partial<Record<ReferenceId, Summary>> = {};
  const vs: Partial<Record<ReferenceId, number>> = {};
  for (const r of REFERENCES) {
    const summary = summarize(cell.refs?.[r.id] ?? []);
    if (summary) refs[r.id] = summary;
    if (summary && sg) vs[r.id] = sg.rps / summary.rps;
  }
  if (bare === undefined || sg === undefined) return { bare, sg, rpsRatio: undefined, p99Ratio: undefined, verdict: 'n/a', vs, refs };
  const rpsRatio = sg.rps / bare.rps;
  const p99Ratio = sg.p99Ms / bare.p99Ms;
  const t = cell.scenario.target;
  // Failed requests are never acceptable, whatever the throughput.
  const verdict = t === undefined ? 'info' : rpsRatio >= t.minRpsRatio && p99Ratio <= t.maxP99Ratio && sg.errors === 0 ? 'pass' : 'MISS';
  return { bare, sg, rpsRatio, p99Ratio, verdict, vs, refs };
}

const f0 = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '–' : Math.round(n).toString());
const f2 = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(2));
const lat = (s: Summary | undefined): string => (s === undefined ? '–' : `${f2(s.p50Ms)} / ${f2(s.p99Ms)}`);

export function targetText(s: Scenario): string {
  return s.target === undefined ? 'report only' : `≥ ${s.target.minRpsRatio.toFixed(2)}×, p99 ≤ ${s.target.maxP99Ratio.toFixed(1)}×`;
}

export function resultsTable(cells: Cell[]): string {
  const header = ['scenario', 'conns', 'method', 'req/s bare / naive / lean / sg', 'ratio vs bare', 'vs naive', 'vs lean', 'p50 / p99 ms bare', 'p50 / p99 ms sg', 'p99 ratio', 'target', 'result', 'proxy CPU µs/req bare / naive / lean / sg', 'shadows compared / dropped', 'failed bare / sg'];
  const rows = cells.map((cell) => {
    const v = judge(cell);
    const shadows = shadowSummary(cell.counters);
    const sgMissing = cell.sgStatus;
    return [
      `(${cell.scenario.id}) ${cell.scenario.title}`,
      String(cell.connections),
      cell.method,
      `${f0(v.refs.bare?.rps)} / ${f0(v.refs.naive?.rps)} / ${f0(v.refs.lean?.rps)} / ${sgMissing ?? f0(v.sg?.rps)}`,
      `**${f2(v.rpsRatio)}**`,
      f2(v.vs.naive),
      f2(v.vs.lean),
      lat(v.bare),
      sgMissing === undefined ? lat(v.sg) : '–',
      f2(v.p99Ratio),
      targetText(cell.scenario),
      v.verdict,
      `${f0(v.refs.bare?.cpuUs)} / ${f0(v.refs.naive?.cpuUs)} / ${f0(v.refs.lean?.cpuUs)} / ${f0(v.sg?.cpuUs)}`,
      sgMissing === undefined ? `${f0(shadows.compared)} / ${f0(shadows.dropped)}` : '–',
      `${v.bare?.errors ?? '–'} / ${v.sg?.errors ?? '–'}`,
    ];
  });
  return markdown(header, rows);
}

export function markdown(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cols: string[]): string => `| ${cols.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const SHORT: Record<string, string> = {
  shadowgate_comparisons_total: 'compared',
  shadowgate_shadow_dropped_total: 'dropped',
  shadowgate_requests_total: 'served by',
  shadowgate_fallbacks_total: 'fallbacks',
  shadowgate_upstream_errors_total: 'upstream errors',
};

/** One line per scenario: `compared: match 9568, mismatch 503 · dropped: backpressure 12 · …`.
 *  Requests are shown by who served them (plus the status class when not 2xx). */
export function countersText(c: Counters): string {
  if (c.size === 0) return '(no shadowgate_* shadow/compare counters moved)';
  const groups = new Map<string, Map<string, number>>();
  for (const [key, value] of c) {
    const [name = key, rest = ''] = key.replace('}', '').split('{');
    const labels = Object.fromEntries(rest.split(',').filter((l) => l !== '').map((l) => l.split('=') as [string, string]));
    const group = SHORT[name] ?? name.replace(/^shadowgate_/, '').replace(/_total$/, '');
    const label = name === 'shadowgate_requests_total'
      ? [labels.served_by ?? '?', labels.status_class === '2xx' ? undefined : labels.status_class].filter((x) => x !== undefined).join('/')
      : Object.values(labels).join('/') || 'all';
    const g = groups.get(group) ?? new Map<string, number>();
    g.set(label, (g.get(label) ?? 0) + value);
    groups.set(group, g);
  }
  return [...groups].map(([group, g]) => `${group}: ${[...g].map(([l, v]) => `${l} ${Math.round(v)}`).join(', ')}`).join(' · ');
}

export const mb = (kb: number | undefined): string => (kb === undefined || Number.isNaN(kb) ? '–' : (kb / 1024).toFixed(1));
