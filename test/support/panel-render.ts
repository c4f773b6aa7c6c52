// Draws Grafana-like panels (light theme) from Prometheus query results and screenshots them
// to PNG with the test browser (test/support/browser.ts): there is no Grafana server on our
// machines, so this is what the README shows for a dashboard. Time series, state timelines and
// tables. Pages are self-contained (inline SVG and CSS, no script, no external resource); all
// text is escaped. Colours: Grafana's named colours, as a light theme draws them.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BrowserContext } from 'playwright-core';

/** Grafana units this renderer formats (fieldConfig.defaults.unit). */
export type PanelUnit = 'percentunit' | 'percent' | 's' | 'ops' | 'reqps' | 'short';

export interface PanelSeries {
  name: string;
  /** [unix seconds, value]; null or a non-finite value is a gap (Grafana spanNulls: false). */
  points: [number, number | null][];
  /** Stacked on the series before it that also stack (Grafana stacking "normal"). */
  stack?: boolean;
  dashed?: boolean;
  color?: string;
}

export interface PanelOptions {
  context: BrowserContext;
  title: string;
  unit: PanelUnit;
  series: PanelSeries[];
  /** PNG path; folders are created. */
  file: string;
  /** Size of the whole panel (title and legend included). */
  width?: number;
  height?: number;
  yMin?: number;
  yMax?: number;
  /** Horizontal dashed lines, e.g. an alert threshold. */
  thresholds?: { value: number; color: string; label?: string }[];
  /** Area under each line, 0-100 as in Grafana's fillOpacity. */
  fillOpacity?: number;
  /** Small grey text at the right of the title bar (source of the data). */
  note?: string;
}

export interface RenderedPanel { file: string; bytes: number; series: { name: string; points: number }[] }

// Grafana's classic palette, darkened where the original is too pale on white.
const PALETTE = ['#56A64B', '#D9A514', '#3E9CC2', '#EF843C', '#E02F44', '#1F60C4', '#A352CC', '#705DA0', '#508642', '#8F8F8F'];

/** Grafana's named colours (the ones our dashboards use), as its light theme draws them. */
const NAMED: Record<string, string> = {
  green: '#1A7F37', red: '#D10E5C', orange: '#E55B00', yellow: '#C99A00', blue: '#1F62E0', purple: '#8E46C9',
  text: '#52545C', transparent: 'transparent', 'dark-red': '#A50F38', 'semi-dark-green': '#37872D',
};
/** A Grafana colour (named or #hex) as CSS. */
export function grafanaColor(color: string): string {
  return NAMED[color] ?? color;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const trim = (x: number, decimals: number) => String(Number(x.toFixed(decimals)));
const finite = (v: number | null): v is number => v !== null && Number.isFinite(v);

/** A value in the panel's unit; `decimals` defaults to enough for the magnitude. */
export function formatValue(v: number, unit: PanelUnit, decimals?: number): string {
  const auto = (x: number) => decimals ?? (Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2);
  switch (unit) {
    case 'percentunit': return `${trim(v * 100, auto(v * 100))}%`;
    case 'percent': return `${trim(v, auto(v))}%`;
    case 'ops': return `${trim(v, auto(v))} ops/s`;
    case 'reqps': return `${trim(v, auto(v))} req/s`;
    case 's': {
      const a = Math.abs(v);
      if (v === 0) return '0 s';
      if (a < 1e-3) return `${trim(v * 1e6, auto(v * 1e6))} µs`;
      if (a < 1) return `${trim(v * 1e3, auto(v * 1e3))} ms`;
      return a < 60 ? `${trim(v, auto(v))} s` : `${trim(v / 60, auto(v / 60))} min`;
    }
    default: {
      const [d, s] = Math.abs(v) >= 1e6 ? [1e6, ' Mil'] : Math.abs(v) >= 1e3 ? [1e3, ' K'] : [1, ''];
      return `${trim(v / d, auto(v / d))}${s}`;
    }
  }
}

/** "Nice" tick step (1, 2, 2.5, 5 x 10^k) for about `count` ticks over `span`. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
}

const hms = (t: number) => new Date(t * 1000).toISOString().slice(11, 19);

/** X-axis ticks (HH:MM:SS, UTC) over [t0, t1] for a plot `pw` px wide starting at `left`. */
function timeTicks(t0: number, t1: number, pw: number): number[] {
  const tStep = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400].find((s) => (t1 - t0) / s <= pw / 85) ?? 86400;
  const ticks: number[] = [];
  for (let t = Math.ceil(t0 / tStep) * tStep; t <= t1; t += tStep) ticks.push(t);
  return ticks;
}

const PAGE_CSS = `*{box-sizing:border-box}body{margin:0;padding:16px;background:#f4f5f5;font-family:Inter,Helvetica,Arial,"DejaVu Sans",sans-serif}
#panel{background:#fff;border:1px solid #d8d9da;border-radius:3px;color:#24292e}
.head{display:flex;justify-content:space-between;align-items:baseline;padding:8px 12px 0;height:34px}
.title{font-size:14px;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.note{font-size:11px;color:#6e7175;white-space:nowrap;margin-left:16px}
svg{display:block}svg text{font-size:11px;fill:#52545c}`;

function head(title: string, note: string | undefined): string {
  return `<div class="head"><div class="title">${esc(title)}</div>${note ? `<div class="note">${esc(note)}</div>` : ''}</div>`;
}

async function screenshot(context: BrowserContext, html: string, file: string, width: number, height: number): Promise<number> {
  mkdirSync(dirname(file), { recursive: true });
  const page = await context.newPage();
  try {
    await page.setViewportSize({ width: width + 32, height: height + 64 });
    await page.setContent(html, { waitUntil: 'load' });
    return (await page.locator('#panel').screenshot({ path: file, animations: 'disabled' })).length;
  } finally {
    await page.close();
  }
}

// ---- state timeline --------------------------------------------------------------------------

export interface TimelineOptions {
  context: BrowserContext;
  title: string;
  /** One row per series; values are looked up in `states`; null is a gap. */
  rows: { name: string; points: [number, number | null][] }[];
  /** Value (as written, e.g. "1") → text and Grafana colour, from the panel's value mappings. */
  states: Record<string, { text: string; color: string }>;
  file: string;
  width?: number;
  note?: string;
}

/** Grafana's state-timeline: a band per row, one segment per run of the same value, the state named inside when it fits. */
export function timelineHtml(o: Omit<TimelineOptions, 'context' | 'file'>): string {
  const width = o.width ?? 900;
  const rowH = 30;
  const labelW = 14 + 7 * Math.max(4, ...o.rows.map((r) => r.name.length));
  const ts = o.rows.flatMap((r) => r.points.map(([t]) => t));
  const [t0, t1] = [Math.min(...ts), Math.max(...ts)];
  const pw = width - 2 - labelW - 16;
  const x = (t: number) => labelW + ((t - t0) / (t1 - t0 || 1)) * pw;
  const svg: string[] = [];
  o.rows.forEach((r, i) => {
    const y = 6 + i * (rowH + 4);
    svg.push(`<text x="${labelW - 8}" y="${y + rowH / 2 + 4}" text-anchor="end">${esc(r.name)}</text>`);
    // Runs of one value; each point holds until the next one (Grafana draws a step).
    const step = r.points.length > 1 ? r.points[1]![0] - r.points[0]![0] : 1;
    let start = 0;
    for (let j = 1; j <= r.points.length; j++) {
      const v = r.points[start]![1];
      if (j < r.points.length && r.points[j]![1] === v) continue;
      if (v !== null && Number.isFinite(v)) {
        const state = o.states[String(v)] ?? { text: String(v), color: '#8F8F8F' };
        const x0 = x(r.points[start]![0]);
        const x1 = Math.min(x(r.points[j - 1]![0] + step), labelW + pw);
        svg.push(`<rect x="${x0.toFixed(1)}" y="${y}" width="${Math.max(1, x1 - x0).toFixed(1)}" height="${rowH}" fill="${esc(grafanaColor(state.color))}" fill-opacity="0.85"/>`);
        if (x1 - x0 > 7 * state.text.length + 10) svg.push(`<text x="${(x0 + 6).toFixed(1)}" y="${y + rowH / 2 + 4}" class="state">${esc(state.text)}</text>`);
      }
      start = j;
    }
  });
  const plotBottom = 6 + o.rows.length * (rowH + 4);
  for (const t of timeTicks(t0, t1, pw)) {
    if (x(t) < labelW + 25 || x(t) > labelW + pw - 25) continue;
    svg.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${plotBottom}" y2="${plotBottom + 4}" stroke="#b5b7bb"/>`, `<text x="${x(t)}" y="${plotBottom + 17}" text-anchor="middle">${esc(hms(t))}</text>`);
  }
  const height = plotBottom + 26;
  const used = new Map<string, { text: string; color: string }>();
  for (const r of o.rows) for (const [, v] of r.points) if (v !== null && o.states[String(v)]) used.set(String(v), o.states[String(v)]!);
  const legend = [...used].sort(([a], [b]) => Number(a) - Number(b))
    .map(([, s]) => `<span class="lg"><span class="sw" style="background:${esc(grafanaColor(s.color))}"></span>${esc(s.text)}</span>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><style>${PAGE_CSS}
#panel{width:${width}px}svg text.state{fill:#fff;font-weight:600;font-size:12px}
.legend{padding:4px 12px 10px;font-size:12px}.lg{margin-right:16px;white-space:nowrap}.sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-2px}
</style></head><body><div id="panel">${head(o.title, o.note)}
<svg width="${width - 2}" height="${height}" viewBox="0 0 ${width - 2} ${height}" xmlns="http://www.w3.org/2000/svg">${svg.join('')}</svg>
<div class="legend">${legend}</div></div></body></html>`;
}

export async function renderTimelinePng(o: TimelineOptions): Promise<{ file: string; bytes: number }> {
  if (!o.rows.some((r) => r.points.some(([, v]) => v !== null))) throw new Error(`timeline "${o.title}": nothing to draw`);
  const bytes = await screenshot(o.context, timelineHtml(o), o.file, o.width ?? 900, 60 + o.rows.length * 34 + 60);
  return { file: o.file, bytes };
}

// ---- table -------------------------------------------------------------------------------------

export interface TableCell { text: string; color?: string; background?: string }
export interface TableOptions {
  context: BrowserContext;
  title: string;
  columns: { name: string; numeric?: boolean }[];
  rows: TableCell[][];
  file: string;
  width?: number;
  note?: string;
}

/** Grafana's table panel: header row, one row per result, cells coloured as the field config says. */
export function tableHtml(o: Omit<TableOptions, 'context' | 'file'>): string {
  const width = o.width ?? 1200;
  const th = o.columns.map((c) => `<th class="${c.numeric ? 'n' : ''}">${esc(c.name)}</th>`).join('');
  const rows = o.rows.map((r) => `<tr>${r.map((cell, i) => {
    const style = [cell.color ? `color:${esc(grafanaColor(cell.color))};font-weight:600` : '', cell.background ? `background:${esc(grafanaColor(cell.background))};color:#fff;font-weight:600` : ''].filter(Boolean).join(';');
    return `<td class="${o.columns[i]?.numeric ? 'n' : ''}"${style ? ` style="${style}"` : ''}>${esc(cell.text)}</td>`;
  }).join('')}</tr>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><style>${PAGE_CSS}
#panel{width:max-content;min-width:${width}px}table{border-collapse:collapse;margin:6px 12px 12px;font-size:12.5px;min-width:calc(100% - 24px)}
th{font-weight:500;color:#1f60c4;text-align:left;padding:6px 8px;border-bottom:1px solid #e7e8ea;white-space:nowrap}
td{padding:6px 8px;border-bottom:1px solid #f0f1f2;white-space:nowrap;font-variant-numeric:tabular-nums}.n{text-align:right}
</style></head><body><div id="panel">${head(o.title, o.note)}<table><thead><tr>${th}</tr></thead><tbody>${rows}</tbody></table></div></body></html>`;
}

export async function renderTablePng(o: TableOptions): Promise<{ file: string; bytes: number }> {
  if (o.rows.length === 0) throw new Error(`table "${o.title}": no rows`);
  const bytes = await screenshot(o.context, tableHtml(o), o.file, Math.max(o.width ?? 1200, 110 * o.columns.length), 80 + o.rows.length * 32);
  return { file: o.file, bytes };
}

/** The self-contained page: a #panel element holding title bar, SVG chart and legend table. */
export function panelHtml(o: Omit<PanelOptions, 'context' | 'file'>): string {
  const width = o.width ?? 900;
  const height = o.height ?? 320;
  const series = o.series.map((s, i) => ({ ...s, color: grafanaColor(s.color ?? PALETTE[i % PALETTE.length]!) }));
  const legendHeight = 26 + 21 * series.length;
  const chartH = Math.max(140, height - 34 - legendHeight);

  // Stacking: each stacked series sits on the running total of those before it (gaps add 0).
  const base = new Map<number, number>();
  const drawn = series.map((s) => s.points.map(([t, v]): [number, number | null, number] => {
    if (!s.stack) return [t, finite(v) ? v : null, 0];
    const below = base.get(t) ?? 0;
    if (finite(v)) base.set(t, below + v);
    return [t, finite(v) ? below + v : null, below];
  }));
  const all = drawn.flat();
  const ts = all.map(([t]) => t);
  const ys = all.flatMap(([, y]) => (y === null ? [] : [y]));
  if (!ys.length) { ys.push(0); ts.push(0); }
  const [t0, t1] = [Math.min(...ts), Math.max(...ts)];
  const yLo = o.yMin ?? Math.min(0, ...ys);
  const yStep = niceStep((o.yMax ?? Math.max(...ys, yLo + 1e-9)) - yLo, Math.max(2, Math.floor(chartH / 45)));
  const yHi = o.yMax ?? yLo + Math.ceil((Math.max(...ys, yLo + 1e-9) - yLo) / yStep) * yStep;
  const yTicks: number[] = [];
  for (let y = yLo; y <= yHi + yStep * 1e-6; y += yStep) yTicks.push(Number(y.toPrecision(12)));
  const stepScaled = o.unit === 'percentunit' ? yStep * 100 : yStep;
  const mag = Math.floor(Math.log10(stepScaled) + 1e-9);
  const tickDecimals = o.unit === 's' ? undefined : Math.max(0, -mag + (Math.abs(stepScaled / 10 ** mag - 2.5) < 1e-9 ? 1 : 0));
  const yLabels = yTicks.map((y) => formatValue(y, o.unit, tickDecimals));

  const m = { left: 14 + 7 * Math.max(...yLabels.map((l) => l.length)), right: 18, top: 10, bottom: 26 };
  const pw = width - 2 - m.left - m.right;
  const ph = chartH - m.top - m.bottom;
  const x = (t: number) => m.left + (t1 === t0 ? pw / 2 : ((t - t0) / (t1 - t0)) * pw);
  const y = (v: number) => m.top + ph - ((Math.min(Math.max(v, yLo), yHi) - yLo) / (yHi - yLo || 1)) * ph;
  // Ticks whose HH:MM:SS label (~50 px) would not fit inside the SVG are left out.
  const xTicks = timeTicks(t0, t1, pw).filter((t) => x(t) >= 28 && x(t) + 28 <= width - 2);

  const svg: string[] = [];
  yTicks.forEach((v, i) => {
    svg.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${y(v)}" y2="${y(v)}" class="grid"/>`,
      `<text x="${m.left - 8}" y="${y(v) + 4}" text-anchor="end">${esc(yLabels[i]!)}</text>`);
  });
  for (const t of xTicks) {
    svg.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${m.top}" y2="${m.top + ph}" class="grid"/>`,
      `<text x="${x(t)}" y="${m.top + ph + 18}" text-anchor="middle">${esc(hms(t))}</text>`);
  }
  svg.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${m.top + ph}" y2="${m.top + ph}" class="axis"/>`);
  for (const th of o.thresholds ?? []) {
    if (th.value < yLo || th.value > yHi) continue;
    svg.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${y(th.value)}" y2="${y(th.value)}" stroke="${esc(grafanaColor(th.color))}" stroke-dasharray="6 4" stroke-width="1.5"/>`);
    // Label below the line (series usually run above an agreement threshold), above it near the bottom.
    const ly = m.top + ph - y(th.value) < 18 ? y(th.value) - 6 : y(th.value) + 15;
    if (th.label) svg.push(`<text x="${m.left + pw - 4}" y="${ly}" text-anchor="end" fill="${esc(grafanaColor(th.color))}" class="th">${esc(th.label)}</text>`);
  }
  const fill = (o.fillOpacity ?? 0) / 100;
  drawn.forEach((pts, i) => {
    const s = series[i]!;
    // Contiguous runs of defined points; a lone point is drawn as a dot.
    const runs: [number, number, number][][] = [];
    let run: [number, number, number][] = [];
    for (const [t, v, below] of pts) {
      if (v === null) { if (run.length) runs.push(run); run = []; } else run.push([t, v, below]);
    }
    if (run.length) runs.push(run);
    for (const r of runs) {
      const line = r.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      if (fill > 0 && r.length > 1) {
        const bottom = r.map(([t, , b]) => `${x(t).toFixed(1)},${y(s.stack ? b : Math.max(yLo, 0)).toFixed(1)}`).reverse().join(' ');
        svg.push(`<polygon points="${line} ${bottom}" fill="${esc(s.color)}" fill-opacity="${fill}"/>`);
      }
      svg.push(r.length > 1
        ? `<polyline points="${line}" fill="none" stroke="${esc(s.color)}" stroke-width="2" stroke-linejoin="round"${s.dashed ? ' stroke-dasharray="8 6"' : ''}/>`
        : `<circle cx="${x(r[0]![0])}" cy="${y(r[0]![1])}" r="2.5" fill="${esc(s.color)}"/>`);
    }
  });

  const rows = series.map((s) => {
    const vals = s.points.map(([, v]) => v).filter(finite);
    const cell = (v: number | undefined) => (v === undefined ? '—' : esc(formatValue(v, o.unit)));
    const swatch = s.dashed ? `border-top:2px dashed ${esc(s.color)};height:0` : `background:${esc(s.color)}`;
    return `<tr><td><span class="sw" style="${swatch}"></span>${esc(s.name)}</td><td>${cell(vals.at(-1))}</td><td>${cell(vals.length ? Math.max(...vals) : undefined)}</td></tr>`;
  }).join('');

  return `<!doctype html><html><head><meta charset="utf-8"><style>
*{box-sizing:border-box}body{margin:0;padding:16px;background:#f4f5f5;font-family:Inter,Helvetica,Arial,"DejaVu Sans",sans-serif}
#panel{width:${width}px;background:#fff;border:1px solid #d8d9da;border-radius:3px;color:#24292e}
.head{display:flex;justify-content:space-between;align-items:baseline;padding:8px 12px 0;height:34px}
.title{font-size:14px;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.note{font-size:11px;color:#6e7175;white-space:nowrap;margin-left:16px}
svg{display:block}svg text{font-size:11px;fill:#52545c}svg text.th{font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px}
.grid{stroke:#e7e8ea;stroke-width:1}.axis{stroke:#b5b7bb;stroke-width:1}
table{border-collapse:collapse;margin:0 12px 10px;font-size:12px;width:calc(100% - 24px)}
th{font-weight:500;color:#1f60c4;text-align:right;padding:2px 8px;border-bottom:1px solid #e7e8ea}th:first-child{text-align:left}
td{padding:2px 8px;text-align:right;font-variant-numeric:tabular-nums}td:first-child{text-align:left;width:70%}
.sw{display:inline-block;width:14px;height:4px;border-radius:1px;margin-right:8px;vertical-align:middle}
</style></head><body><div id="panel">
<div class="head"><div class="title">${esc(o.title)}</div>${o.note ? `<div class="note">${esc(o.note)}</div>` : ''}</div>
<svg width="${width - 2}" height="${chartH}" viewBox="0 0 ${width - 2} ${chartH}" xmlns="http://www.w3.org/2000/svg">${svg.join('')}</svg>
<table><thead><tr><th>Name</th><th>Last *</th><th>Max</th></tr></thead><tbody>${rows}</tbody></table>
</div></body></html>`;
}

/** Renders the panel and screenshots it to `file`; returns the PNG size and points per series. */
export async function renderPanelPng(o: PanelOptions): Promise<RenderedPanel> {
  const counts = o.series.map((s) => ({ name: s.name, points: s.points.filter(([, v]) => finite(v)).length }));
  if (!counts.some((c) => c.points > 0)) throw new Error(`panel "${o.title}": no finite point to draw`);
  mkdirSync(dirname(o.file), { recursive: true });
  const page = await o.context.newPage();
  try {
    await page.setViewportSize({ width: (o.width ?? 900) + 32, height: (o.height ?? 320) + 64 });
    await page.setContent(panelHtml(o), { waitUntil: 'load' });
    const png = await page.locator('#panel').screenshot({ path: o.file, animations: 'disabled' });
    return { file: o.file, bytes: png.length, series: counts };
  } finally {
    await page.close();
  }
}
