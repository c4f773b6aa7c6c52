// Reads shadowgate's Prometheus /metrics so the report can show that shadows were
// really sent, compared and dropped (not just that the proxy was fast).

export type Counters = Map<string, number>;

/** Counters we report (names from src/metrics/definitions.ts), summed over every
 *  label except `route`. Anything else matching the pattern is kept too, so a new
 *  shadow/serve counter shows up without touching the bench. */
const REPORTED = new Set([
  'shadowgate_requests_total', 'shadowgate_comparisons_total', 'shadowgate_shadow_dropped_total',
  'shadowgate_fallbacks_total', 'shadowgate_upstream_errors_total', 'shadowgate_agent_retries_total', 'shadowgate_comparator_errors_total',
]);
const INTERESTING = /^shadowgate_\w*(shadow|serve|fallback)\w*_total$/;
const COMPARED = 'shadowgate_comparisons_total';
const DROPPED = 'shadowgate_shadow_dropped_total';

export function parseCounters(text: string): Counters {
  const out: Counters = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m?.[1] === undefined || m[3] === undefined || !(REPORTED.has(m[1]) || INTERESTING.test(m[1]))) continue;
    const labels = [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)]
      .filter((l) => l[1] !== 'route')
      .map((l) => `${l[1]}=${l[2]}`)
      .join(',');
    const key = labels === '' ? m[1] : `${m[1]}{${labels}}`;
    out.set(key, (out.get(key) ?? 0) + Number(m[3]));
  }
  return out;
}

export function diffCounters(after: Counters, before: Counters): Counters {
  const out: Counters = new Map();
  for (const [key, value] of after) {
    const delta = value - (before.get(key) ?? 0);
    if (delta !== 0) out.set(key, delta);
  }
  return out;
}

export function addCounters(into: Counters, more: Counters): void {
  for (const [key, value] of more) into.set(key, (into.get(key) ?? 0) + value);
}

/** Totals for the table's compact column: comparisons done, shadows dropped. */
export function shadowSummary(c: Counters): { compared: number; dropped: number } {
  let compared = 0;
  let dropped = 0;
  for (const [key, value] of c) {
    const name = key.split('{')[0] ?? key;
    if (name === COMPARED) compared += value;
    else if (name === DROPPED) dropped += value;
  }
  return { compared, dropped };
}

export async function scrape(adminUrl: string): Promise<Counters | undefined> {
  try {
    const res = await fetch(`${adminUrl}/metrics`, { signal: AbortSignal.timeout(3000) });
    return res.ok ? parseCounters(await res.text()) : undefined;
  } catch {
    return undefined;
  }
}
