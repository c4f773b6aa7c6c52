// @ts-check
// One sample in detail: who served the client, the verdict bar, the route's compare rules,
// the differences, legacy and agent answers side by side (differing pointers highlighted,
// ignored ones greyed, unordered arrays and tolerated numbers marked), the agent's trace and
// the request. Untrusted data reaches the DOM only as text.
import { describeRules, patternMatcher, toleranceCheck } from './compare-rules.js';
import { badge, h } from './dom.js';
import { clock, headerValue, pct, shortJson } from './format.js';
import { parseJson, toTree } from './json-tree.js';
import { renderJson } from './json-view.js';

/** @typedef {import('./api-types.js').Sample} Sample */
/** @typedef {import('./api-types.js').StoredMessage} StoredMessage */
/** @typedef {import('./api-types.js').CompareRules} CompareRules */
/** @typedef {import('./api-types.js').Difference} Difference */
/** @typedef {import('./api-types.js').Verdict} Verdict */
/** @typedef {import('./json-tree.js').JsonNode} JsonNode */

/**
 * @typedef {object} SampleHandlers
 * @property {(sample: Sample, verdict: string, note: string) => Promise<Verdict>} onVerdict
 * @property {() => void} onClose
 */

export const VERDICTS = [
  ['agent_correct', 'Agent correct'],
  ['legacy_correct', 'Legacy correct'],
  ['both_ok', 'Both OK'],
  ['both_wrong', 'Both wrong'],
];

/** What the servedBy of a sample meant for the client. */
export function servedByText(/** @type {Sample['servedBy']} */ servedBy) {
  return servedBy === 'agent'
    ? 'The client was given the agent\'s answer (legacy\'s was only compared).'
    : 'The client was given legacy\'s answer (the agent\'s was only compared).';
}

/**
 * @param {Sample} s
 * @param {CompareRules | undefined} rules   the route's compare rules (from /api/routes)
 * @param {SampleHandlers} handlers
 * @returns {HTMLElement[]}
 */
export function renderSample(s, rules, handlers) {
  const diffs = s.differences ?? [];
  const legacyMarks = new Set(diffs.filter((d) => d.kind !== 'extra_in_agent').map((d) => d.pointer));
  const agentMarks = new Set(diffs.filter((d) => d.kind !== 'missing_in_agent').map((d) => d.pointer));
  const legacyTree = jsonTree(s.legacy);
  const agentTree = jsonTree(s.agent);
  const ignored = patternMatcher(rules?.ignore);
  const unordered = patternMatcher(rules?.unorderedArrays);
  return [
    h('div', { class: 'detail-head' },
      h('div', { class: 'detail-title' },
        h('h2', {}, h('span', { class: 'method' }, s.request?.method ?? ''), ' ', h('span', { class: 'mono path' }, s.request?.path ?? '')),
        h('button', { type: 'button', class: 'small ghost', id: 'detail-close', title: 'Close the sample and resume list updates (Esc)', onclick: handlers.onClose }, 'Close')),
      h('div', { class: 'meta' },
        h('span', { class: 'route-chip' }, s.route), badge(s.result, `result-${s.result}`),
        badge(`served by ${s.servedBy}`, `served-${s.servedBy}`, servedByText(s.servedBy)),
        h('span', {}, clock(s.at, true)),
        s.comparator ? h('span', {}, `comparator ${s.comparator}`) : null,
        typeof s.similarity === 'number' ? h('span', {}, `similarity ${pct(s.similarity)}`) : null,
        h('span', { class: 'mono id', title: 'sample id' }, s.id)),
      h('p', { class: `served-note served-note-${s.servedBy}`, 'data-served-by': s.servedBy }, servedByText(s.servedBy)),
      renderVerdictBar(s, handlers)),
    renderRules(rules),
    renderDifferences(diffs),
    h('div', { class: 'panes' },
      renderMessage(s.servedBy === 'legacy' ? 'Legacy · answered the client' : 'Legacy · compared', 'legacy', s.legacy, legacyTree, legacyMarks, diffs,
        { ignored, unordered, tolerated: toleranceCheck(agentTree, rules, 'agent') }),
      renderMessage(s.servedBy === 'agent' ? 'Agent · answered the client' : 'Agent · compared', 'agent', s.agent, agentTree, agentMarks, diffs,
        { ignored, unordered, tolerated: toleranceCheck(legacyTree, rules, 'legacy') })),
    renderTrace(s.trace),
    renderRequest(s.request),
  ].filter((x) => x !== null);
}

/** @param {StoredMessage | undefined} msg @returns {JsonNode | null} */
function jsonTree(msg) {
  if (!msg?.body || msg.truncated || msg.encoding === 'base64') return null;
  try { return parseJson(msg.body); } catch { return null; }
}

/** @param {CompareRules | undefined} rules */
function renderRules(rules) {
  return h('section', { class: 'block rules', 'aria-label': 'Compare rules applied' },
    h('h3', {}, 'Compare rules applied'),
    h('ul', { class: 'rule-list' }, ...describeRules(rules).map((r) => h('li', { class: `rule rule-${r.id}`, 'data-rule': r.id, title: r.title || false }, r.label))));
}

/** @param {Sample} s @param {SampleHandlers} handlers */
function renderVerdictBar(s, handlers) {
  const note = /** @type {HTMLInputElement} */ (h('input', { type: 'text', class: 'note', maxlength: 500, placeholder: 'Note (optional)', 'aria-label': 'Verdict note', spellcheck: 'false' }));
  if (s.verdict?.note) note.value = s.verdict.note;
  const recorded = h('div', { class: 'recorded', 'data-recorded-verdict': s.verdict?.verdict ?? '' },
    s.verdict ? `Recorded: ${s.verdict.verdict} · ${clock(s.verdict.at)}` : 'Not judged yet');
  const buttons = VERDICTS.map(([value = '', label = '']) => h('button', {
    type: 'button', class: `verdict verdict-${value}`, 'data-verdict': value, 'aria-pressed': String(s.verdict?.verdict === value),
    onclick: async (/** @type {Event} */ e) => {
      const all = [.../** @type {HTMLElement} */ (e.currentTarget).parentElement?.querySelectorAll('button') ?? []];
      all.forEach((b) => { b.disabled = true; });
      try {
        const verdict = await handlers.onVerdict(s, value, note.value.trim());
        all.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.verdict === value)));
        recorded.textContent = `Recorded: ${verdict.verdict} · ${clock(verdict.at)}`;
        recorded.dataset.recordedVerdict = verdict.verdict;
      } catch (err) {
        recorded.textContent = `Not recorded: ${/** @type {Error} */ (err).message}`;
      } finally {
        all.forEach((b) => { b.disabled = false; });
      }
    },
  }, label));
  return h('div', { class: 'verdict-bar' },
    h('div', { class: 'verdict-label' }, 'Verdict'),
    h('div', { class: 'verdict-buttons', role: 'group', 'aria-label': 'Verdict' }, buttons),
    note, recorded);
}

/** @param {Difference[]} diffs */
function renderDifferences(diffs) {
  if (diffs.length === 0) return h('section', { class: 'block' }, h('h3', {}, 'Differences'), h('p', { class: 'muted' }, 'None recorded (agent error or non-comparable answer).'));
  return h('section', { class: 'block' },
    h('h3', {}, `Differences (${diffs.length})`),
    h('div', { class: 'table-wrap' }, h('table', { class: 'differences' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Pointer'), h('th', {}, 'Kind'), h('th', {}, 'Legacy'), h('th', {}, 'Agent'))),
      h('tbody', {}, ...diffs.map((d) => h('tr', {},
        h('td', {}, h('button', { type: 'button', class: 'link mono', title: 'Show in both answers', onclick: () => reveal(d.pointer) }, d.pointer === '' ? '(whole body)' : d.pointer)),
        h('td', {}, h('span', { class: `kind kind-${d.kind}` }, d.kind)),
        h('td', { class: 'mono value legacy-value' }, shortJson(d.legacy)),
        h('td', { class: 'mono value agent-value' }, shortJson(d.agent))))))));
}

/** Scrolls both panes to the marks for `pointer` and flashes them. */
function reveal(/** @type {string} */ pointer) {
  const marks = [.../** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('#detail mark[data-pointer]'))].filter((m) => m.dataset.pointer === pointer);
  for (const mark of marks) {
    mark.closest('details')?.setAttribute('open', '');
    mark.scrollIntoView({ block: 'center', inline: 'nearest' });
    mark.classList.remove('flash');
    void mark.offsetWidth; // restart the animation
    mark.classList.add('flash');
  }
}

/**
 * @param {string} title
 * @param {'legacy' | 'agent'} side
 * @param {StoredMessage | undefined} message
 * @param {JsonNode | null} tree
 * @param {Set<string>} marks
 * @param {Difference[]} diffs
 * @param {import('./json-view.js').Annotations} notes
 */
function renderMessage(title, side, message, tree, marks, diffs, notes) {
  const msg = message ?? { headers: {}, body: '', encoding: 'utf8', truncated: false };
  const status = msg.status === undefined ? h('span', { class: 'muted' }, 'no response')
    : h('span', { class: `status-code s${String(msg.status)[0]}` }, String(msg.status));
  const headerDiffs = new Set(diffs.filter((d) => d.kind === 'header').map((d) => d.pointer.replace(/^header:/, '')));
  const headerRows = Object.entries(msg.headers ?? {}).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
  return h('section', { class: `pane pane-${side}`, 'data-pane': side },
    h('div', { class: 'pane-head' },
      h('h3', {}, title),
      marks.has('status') ? h('mark', { class: 'diff', 'data-pointer': 'status' }, status) : status,
      typeof msg.durationMs === 'number' ? h('span', { class: 'muted' }, `${Math.round(msg.durationMs)} ms`) : null,
      msg.error ? badge(`error: ${msg.error}`, 'result-agent_error') : null,
      msg.truncated ? badge('truncated', 'warn') : null),
    h('details', { class: 'headers', open: headerDiffs.size > 0 },
      h('summary', {}, `Headers (${headerRows.length})`),
      h('table', { class: 'kv mono' }, h('tbody', {}, ...headerRows.map(([name, value]) => {
        const valueCell = h('td', {}, headerValue(value));
        return headerDiffs.has(name.toLowerCase())
          ? h('tr', { class: 'diff-row' }, h('th', {}, h('mark', { class: 'diff', 'data-pointer': `header:${name.toLowerCase()}` }, name)), valueCell)
          : h('tr', {}, h('th', {}, name), valueCell);
      })))),
    renderBody(msg, tree, marks, notes));
}

/** @param {Sample['request']} req */
function renderRequest(req) {
  if (!req) return null;
  const headerRows = Object.entries(req.headers ?? {}).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
  return h('section', { class: 'block request', 'data-pane': 'request' },
    h('h3', {}, 'Request'),
    h('div', { class: 'mono request-line' }, h('span', { class: 'method' }, req.method), ' ', req.path),
    h('details', { class: 'headers' },
      h('summary', {}, `Headers (${headerRows.length})`),
      h('table', { class: 'kv mono' }, h('tbody', {}, ...headerRows.map(([n, v]) => h('tr', {}, h('th', {}, n), h('td', {}, headerValue(v))))))),
    req.body ? renderBody(req, jsonTree(req), new Set(), {}) : h('p', { class: 'muted' }, 'No body.'));
}

/** @param {Record<string, unknown> | undefined} trace */
function renderTrace(trace) {
  const section = h('section', { class: 'block trace' }, h('h3', {}, 'Agent trace'));
  if (!trace || typeof trace !== 'object' || Object.keys(trace).length === 0) {
    section.append(h('p', { class: 'muted' }, 'No trace data reported by the agent for this sample.'));
    return section;
  }
  /** @type {[string, Node | string][]} */
  const rows = [];
  const { confidence, tokens, model, toolCalls, traceId, shadowTraceId, ...rest } = trace;
  if (typeof confidence === 'number') {
    const fill = h('span', { class: 'meter-fill' });
    fill.style.width = `${Math.max(0, Math.min(1, confidence)) * 100}%`;
    rows.push(['Confidence', h('span', {}, h('span', { class: 'meter' }, fill), ' ', pct(confidence))]);
  } else if (confidence !== undefined) rows.push(['Confidence', shortJson(confidence)]);
  if (model !== undefined) rows.push(['Model', h('span', { class: 'mono' }, String(model))]);
  if (tokens && typeof tokens === 'object') {
    rows.push(['Tokens', Object.entries(tokens).map(([k, v]) => `${k} ${v}`).join(' · ')]);
  } else if (tokens !== undefined) rows.push(['Tokens', shortJson(tokens)]);
  if (traceId !== undefined) rows.push(['Trace id', h('span', { class: 'mono' }, String(traceId))]);
  if (shadowTraceId !== undefined) rows.push(['Shadow trace id', h('span', { class: 'mono' }, String(shadowTraceId))]);
  if (Array.isArray(toolCalls)) {
    rows.push([`Tool calls (${toolCalls.length})`, toolCalls.length === 0 ? 'none' : h('ol', { class: 'tools' }, ...toolCalls.map((c) =>
      h('li', {}, h('span', { class: 'mono' }, String(c?.name ?? '?')), ' ', badge(String(c?.outcome ?? 'unknown'), outcomeKind(c?.outcome)))))]);
  } else if (toolCalls !== undefined) rows.push(['Tool calls', shortJson(toolCalls)]);
  for (const [key, value] of Object.entries(rest)) {
    rows.push([key, value !== null && typeof value === 'object' ? renderJson(toTree(value), new Set()) : String(value)]);
  }
  section.append(h('dl', { class: 'trace-list' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
  return section;
}

function outcomeKind(/** @type {unknown} */ outcome) {
  const o = String(outcome ?? '').toLowerCase();
  if (o === 'ok' || o === 'success') return 'ok';
  if (o === 'error' || o === 'failure' || o === 'timeout') return 'bad';
  return 'neutral';
}

/** @param {{ headers?: import('./api-types.js').Headers }} msg */
function contentTypeOf(msg) {
  const entry = Object.entries(msg.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type');
  return entry ? headerValue(entry[1]) : '';
}

/**
 * @param {{ body?: string, encoding?: string, truncated?: boolean, error?: string, headers?: import('./api-types.js').Headers }} msg
 * @param {JsonNode | null} tree
 * @param {Set<string>} marks
 * @param {import('./json-view.js').Annotations} notes
 */
function renderBody(msg, tree, marks, notes) {
  const wrap = h('div', { class: 'body' });
  if (msg.error && !msg.body) { wrap.append(h('p', { class: 'muted' }, `No body (${msg.error}).`)); return wrap; }
  if (!msg.body) { wrap.append(h('p', { class: 'muted' }, 'Empty body.')); return wrap; }
  if (msg.truncated) wrap.append(h('p', { class: 'note' }, 'Body truncated at the capture limit; shown as stored.'));
  if (msg.encoding === 'base64') {
    const bytes = Math.floor(msg.body.length * 3 / 4) - (msg.body.endsWith('==') ? 2 : msg.body.endsWith('=') ? 1 : 0);
    wrap.append(h('p', { class: 'muted' }, `Binary body, ${bytes} bytes (base64 below).`), h('pre', { class: 'code raw' }, msg.body.slice(0, 4096)));
    return wrap;
  }
  if (tree) wrap.append(renderJson(tree, marks, notes));
  else {
    const pre = h('pre', { class: 'code raw', 'data-content-type': contentTypeOf(msg) });
    if (marks.has('')) pre.append(h('mark', { class: 'diff', 'data-pointer': '' }, msg.body)); else pre.append(msg.body);
    wrap.append(pre);
  }
  return wrap;
}
