// The HTML replay report: one self-contained file (inline style, no script, no external
// resource) that a CI job can keep as an artifact and anyone can open.
import type { ReplayCounts, ReplayReport } from './report.js';

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}thead{background:#f3f3f3}
.match{color:#176f2c}.mismatch{color:#a4161a}.agent_error{color:#b85c00}.skipped,.excluded{color:#666}
.verdict{font-weight:600}code{font-size:12px}`;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const num = (x: number | null, digits: number) => (x === null ? '-' : x.toFixed(digits));

function row(name: string, c: ReplayCounts): string {
  const cells = [c.total, c.match, c.mismatch, c.agent_error, c.skipped, c.excluded].map((n) => `<td>${n}</td>`).join('');
  return `<tr><td>${escapeHtml(name)}</td>${cells}<td>${num(c.agreement, 4)}</td><td>${num(c.p50Ms, 1)}</td><td>${num(c.p99Ms, 1)}</td></tr>`;
}

export function renderHtml(report: ReplayReport, options: { minAgreement: number; title?: string }): string {
  const pass = report.agreement !== null && report.agreement >= options.minAgreement;
  const routes = Object.entries(report.routes).map(([name, c]) => row(name, c)).join('\n');
  const notMatching = report.cases.filter((c) => c.result !== 'match');
  const cases = notMatching.map((c) => `<tr><td><code>${escapeHtml(c.id)}</code></td><td>${escapeHtml(c.route)}</td><td class="${c.result}">${c.result}</td><td>${c.differences.map((d) => `<code>${escapeHtml(d)}</code>`).join(' ')}</td></tr>`).join('\n');
  const title = escapeHtml(options.title ?? 'shadowgate replay report');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STYLE}</style></head>
<body>
<h1>${title}</h1>
<p class="verdict ${pass ? 'match' : 'mismatch'}">agreement ${num(report.agreement, 4)} ${pass ? '≥' : '<'} ${options.minAgreement} (min agreement): ${pass ? 'pass' : 'fail'}</p>
<p>${report.total} cases: ${report.match} match, ${report.mismatch} mismatch, ${report.agent_error} agent_error, ${report.skipped} skipped, ${report.excluded} excluded (verdict legacy_correct or both_wrong).
Agreement = match / (match + mismatch + agent_error).</p>
<p>Started ${escapeHtml(report.startedAt ?? '-')}, finished ${escapeHtml(report.finishedAt ?? '-')}, ${report.durationMs.toFixed(0)} ms; latency p50 ${num(report.p50Ms, 1)} ms, p99 ${num(report.p99Ms, 1)} ms.</p>
<h2>Routes</h2>
<table><thead><tr><th>route</th><th>cases</th><th>match</th><th>mismatch</th><th>agent_error</th><th>skipped</th><th>excluded</th><th>agreement</th><th>p50 ms</th><th>p99 ms</th></tr></thead>
<tbody>
${routes}
${row('all', report)}
</tbody></table>
<h2>Cases that did not match (${notMatching.length})</h2>
<table><thead><tr><th>id</th><th>route</th><th>result</th><th>differences</th></tr></thead>
<tbody>
${cases}
</tbody></table>
</body></html>
`;
}
