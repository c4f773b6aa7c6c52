// The demo's live summary line, built only from what the admin API publishes (/api/routes
// and /metrics), the way an operator would see it. Pure: the caller fetches, this formats.

/** The fields of one /api/routes entry the summary reads; any of them may be absent. */
export interface RouteView {
  name: string;
  mode?: string;
  agreement?: number | null;
  flags?: { serve?: { effectivePercent?: number | null } };
}

/** Per route: requests answered (all, and by the agent) and fallbacks, as counters since start. */
export interface Counters {
  requests: Map<string, { total: number; agent: number }>;
  fallbacks: Map<string, number>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Reads shadowgate_requests_total and shadowgate_fallbacks_total out of a Prometheus exposition. */
export function parseCounters(exposition: string): Counters {
  const counters: Counters = { requests: new Map(), fallbacks: new Map() };
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const [, name, labelText = '', valueText] = m;
    if (name !== 'shadowgate_requests_total' && name !== 'shadowgate_fallbacks_total') continue;
    const labels = Object.fromEntries([...labelText.matchAll(LABEL)].map((l) => [l[1]!, l[2]!]));
    const value = Number(valueText);
    const route = labels.route;
    if (route === undefined || !Number.isFinite(value)) continue;
    if (name === 'shadowgate_fallbacks_total') {
      counters.fallbacks.set(route, (counters.fallbacks.get(route) ?? 0) + value);
    } else {
      const c = counters.requests.get(route) ?? { total: 0, agent: 0 };
      c.total += value;
      if (labels.served_by === 'agent') c.agent += value;
      counters.requests.set(route, c);
    }
  }
  return counters;
}

const percent = (x: number) => `${Number.isInteger(x) ? x : x.toFixed(1)} %`;

/**
 * One line: per route its mode, the ramp (share of users the serve flag sends to the agent),
 * the share of requests the agent actually answered and the fallbacks since `before`, and the
 * agreement over the route's recent comparison window.
 */
export function summaryLine(at: Date, routes: readonly RouteView[], now: Counters, before: Counters | null): string {
  const parts = routes.map((r) => {
    const req = now.requests.get(r.name) ?? { total: 0, agent: 0 };
    const prev = before?.requests.get(r.name) ?? { total: 0, agent: 0 };
    const total = req.total - prev.total;
    const agent = req.agent - prev.agent;
    const fallbacks = (now.fallbacks.get(r.name) ?? 0) - (before?.fallbacks.get(r.name) ?? 0);
    const ramp = r.flags?.serve?.effectivePercent;
    const fields = [
      r.mode ?? '?',
      `ramp ${typeof ramp === 'number' ? percent(ramp) : '-'}`,
      `agent ${total > 0 ? percent((agent / total) * 100) : '-'} of ${total}`,
      `fallbacks ${fallbacks}`,
      `agreement ${typeof r.agreement === 'number' ? percent(r.agreement * 100) : '-'}`,
    ];
    return `${r.name}: ${fields.join(', ')}`;
  });
  return `[${at.toISOString().slice(11, 19)}] ${parts.join('  |  ')}`;
}

/** Printed once at start, so that the numbers on each line say what they measure. */
export function summaryLegend(everyS: number): string[] {
  return [
    `reading the summary (a line every ${everyS} s, per route):`,
    '  mode        shadow, conditional, full, demoted or killed (as /api/routes reports it)',
    '  ramp        share of users the serve flag routes to the agent',
    `  agent       share of the route's requests the agent answered in the last ${everyS} s, of N (legacy answered the rest)`,
    `  fallbacks   requests routed to the agent that legacy answered instead, in the last ${everyS} s`,
    '  agreement   matching answers in the route\'s recent comparison window',
  ];
}
