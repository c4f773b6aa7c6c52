// replay/ owns `shadowgate replay`: sending suite cases to a candidate agent, judging its
// answers with the route's comparator, and the reports (this file: the JSON report and the
// console table). Reports are deterministic apart from their timing fields.

export type CaseResult = 'match' | 'mismatch' | 'agent_error' | 'skipped' | 'excluded';

export interface CaseOutcome {
  id: string;
  route: string;
  result: CaseResult;
  /** Differing pointers ('status', 'header:<name>', 'body' for a whole body); [] unless mismatch. */
  differences: string[];
  /** Time for the candidate's answer; null when the case was not sent. Not in the report. */
  durationMs: number | null;
  /** performance.timeOrigin-based epoch ms of the call; not in the report. */
  startedAt: number | null;
  finishedAt: number | null;
}

export interface ReplayCounts {
  total: number;
  match: number;
  mismatch: number;
  agent_error: number;
  skipped: number;
  excluded: number;
  /** match / (match + mismatch + agent_error); null when nothing was judged. */
  agreement: number | null;
  durationMs: number;
  p50Ms: number | null;
  p99Ms: number | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ReplayReport extends ReplayCounts {
  routes: Record<string, ReplayCounts>;
  cases: { id: string; route: string; result: CaseResult; differences: string[] }[];
}

/** Nearest-rank percentile of `values` (q in (0, 1]); null when empty. */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1]!;
}

const ms = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
const iso = (epochMs: number | null) => (epochMs === null ? null : new Date(epochMs).toISOString());

function counts(outcomes: readonly CaseOutcome[], window?: { startedAt: number; finishedAt: number }): ReplayCounts {
  const n = (r: CaseResult) => outcomes.filter((o) => o.result === r).length;
  const match = n('match'), mismatch = n('mismatch'), agentError = n('agent_error');
  const judged = match + mismatch + agentError;
  const durations = outcomes.flatMap((o) => (o.durationMs === null ? [] : [o.durationMs]));
  const starts = outcomes.flatMap((o) => (o.startedAt === null ? [] : [o.startedAt]));
  const ends = outcomes.flatMap((o) => (o.finishedAt === null ? [] : [o.finishedAt]));
  const startedAt = window?.startedAt ?? (starts.length ? Math.min(...starts) : null);
  const finishedAt = window?.finishedAt ?? (ends.length ? Math.max(...ends) : null);
  return {
    total: outcomes.length, match, mismatch, agent_error: agentError, skipped: n('skipped'), excluded: n('excluded'),
    agreement: judged === 0 ? null : match / judged,
    durationMs: startedAt === null || finishedAt === null ? 0 : ms(finishedAt - startedAt)!,
    p50Ms: ms(percentile(durations, 0.5)), p99Ms: ms(percentile(durations, 0.99)),
    startedAt: iso(startedAt), finishedAt: iso(finishedAt),
  };
}

/** The JSON report: overall counts, per route (sorted by name), every case in input order. */
export function buildReport(outcomes: readonly CaseOutcome[], window: { startedAt: number; finishedAt: number }): ReplayReport {
  const byRoute = new Map<string, CaseOutcome[]>();
  for (const o of outcomes) {
    let list = byRoute.get(o.route);
    if (!list) byRoute.set(o.route, (list = []));
    list.push(o);
  }
  const routes: Record<string, ReplayCounts> = {};
  for (const name of [...byRoute.keys()].sort()) routes[name] = counts(byRoute.get(name)!);
  return {
    ...counts(outcomes, window),
    routes,
    cases: outcomes.map((o) => ({ id: o.id, route: o.route, result: o.result, differences: o.differences })),
  };
}

/** The report with every timing field zeroed: what two replays of a deterministic agent share. */
export function withoutTimings(report: ReplayReport): ReplayReport {
  const strip = (c: ReplayCounts): ReplayCounts => ({ ...c, durationMs: 0, p50Ms: null, p99Ms: null, startedAt: null, finishedAt: null });
  return { ...strip(report), routes: Object.fromEntries(Object.entries(report.routes).map(([k, v]) => [k, strip(v)])), cases: report.cases } as ReplayReport;
}

/** The per-route table printed at the end of a replay. */
export function formatTable(report: ReplayReport): string {
  const head = ['route', 'cases', 'match', 'mismatch', 'agent_error', 'agreement', 'p50 ms', 'p99 ms'];
  const row = (name: string, c: ReplayCounts) => [
    name, String(c.total), String(c.match), String(c.mismatch), String(c.agent_error),
    c.agreement === null ? '-' : c.agreement.toFixed(4), c.p50Ms === null ? '-' : c.p50Ms.toFixed(1), c.p99Ms === null ? '-' : c.p99Ms.toFixed(1),
  ];
  const rows = [head, ...Object.entries(report.routes).map(([name, c]) => row(name, c)), row('all', report)];
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
  return `${lines.join('\n')}\nexcluded ${report.excluded} (verdict legacy_correct or both_wrong), skipped ${report.skipped}\n`;
}
