// shadowgate review page: routes with their kill switches, recent mismatches, and one sample's
// legacy and agent answers side by side with the differing JSON Pointers highlighted.
// Plain browser JS, no build step. Everything shown comes from the admin API and is untrusted:
// it only ever reaches the DOM through textContent / text nodes, never as markup.

import { parseJson, renderJson, toTree } from './json-view.js';

const TOKEN_KEY = 'shadowgate.adminToken';
const POLL_MS = 5000;
const LIST_LIMIT = 100;
const VERDICTS = [
  ['agent_correct', 'Agent correct'],
  ['legacy_correct', 'Legacy correct'],
  ['both_ok', 'Both OK'],
  ['both_wrong', 'Both wrong'],
];

const state = {
  token: sessionStorage.getItem(TOKEN_KEY) ?? '',
  needsToken: false,
  routes: [],
  accuracy: new Map(),
  diffs: [],
  listKey: '',
  selectedId: null,
  sample: null,
  busy: false,
};

const $ = (id) => document.getElementById(id);

/** Builds an element. Strings become text nodes: data is never parsed as markup. */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, message, code) { super(message); this.status = status; this.code = code; }
}

async function api(path, init = {}) {
  const headers = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  const res = await fetch(path, { ...init, headers, cache: 'no-store', credentials: 'omit' });
  let data = null;
  try { data = await res.json(); } catch { /* non-JSON error page */ }
  if (res.status === 401) {
    askForToken();
    throw new ApiError(401, 'admin token required', 'SG_UNAUTHORIZED');
  }
  if (!res.ok) throw new ApiError(res.status, data?.error?.message ?? `HTTP ${res.status}`, data?.error?.code);
  return data;
}

const post = (path, body) => api(path, { method: 'POST', body: JSON.stringify(body) });

function setStatus(text, kind = 'ok') {
  const el = $('status');
  el.textContent = text;
  el.dataset.kind = kind;
}

function askForToken() {
  state.needsToken = true;
  $('auth-banner').hidden = false;
  $('token-form').classList.add('attention');
  setStatus('Admin token required', 'warn');
  $('token-input').focus();
}

function useToken(token) {
  state.token = token;
  if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
  state.needsToken = false;
  $('auth-banner').hidden = true;
  $('token-form').classList.remove('attention');
  $('token-input').value = '';
  $('token-input').placeholder = token ? 'set for this tab' : 'not set';
  void refreshAll();
}

// ---------------------------------------------------------------- formatting

function pct(x, digits = 1) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  const s = (x * 100).toFixed(digits);
  return `${s.endsWith('.0') ? s.slice(0, -2) : s}%`;
}

function time(iso, withDate = false) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const t = d.toLocaleTimeString([], { hour12: false });
  return withDate ? `${d.toLocaleDateString()} ${t}` : t;
}

const badge = (text, kind) => h('span', { class: `badge badge-${kind}` }, text);

function headerValue(value) {
  return Array.isArray(value) ? value.join(', ') : String(value);
}

function shortJson(value) {
  if (value === undefined) return '—';
  try { return JSON.stringify(value); } catch { return String(value); }
}

// ---------------------------------------------------------------- routes table

async function refreshRoutes() {
  const [routes, accuracy] = await Promise.all([api('/api/routes'), api('/api/review/accuracy')]);
  state.routes = routes.routes ?? [];
  state.accuracy = new Map((accuracy.routes ?? []).map((a) => [a.route, a]));
  renderRoutes();
  renderRouteFilter();
}

function renderRoutes() {
  const body = $('routes-body');
  if (state.routes.length === 0) {
    body.replaceChildren(h('tr', { class: 'placeholder' }, h('td', { colspan: 9 }, 'No routes configured.')));
    return;
  }
  body.replaceChildren(...state.routes.map((r) => {
    const acc = state.accuracy.get(r.name);
    const serve = r.flags?.serve;
    const w = r.window ?? {};
    const killed = r.mode === 'killed';
    return h('tr', { 'data-route': r.name },
      h('td', {}, h('div', { class: 'route-name' }, r.name),
        r.killed ? h('div', { class: 'sub' }, `killed by ${r.killed.by}${r.killed.why ? `: ${r.killed.why}` : ''}`) : null,
        !r.killed && r.demotion ? h('div', { class: 'sub' }, `demoted: ${r.demotion.reason ?? ''}`) : null),
      h('td', {}, badge(r.mode, `mode-${r.mode}`)),
      h('td', { class: 'num', title: serve ? `flag ${serve.name}${serve.known ? '' : ' (unknown)'}` : '' },
        serve ? `${serve.effectivePercent}%` : '—'),
      h('td', { class: 'num' }, pct(r.servedByAgentShare)),
      h('td', { class: 'num', title: `${w.match ?? 0} match / ${w.mismatch ?? 0} mismatch` }, pct(r.agreement),
        h('div', { class: 'sub' }, `n=${(w.match ?? 0) + (w.mismatch ?? 0)}`)),
      h('td', { class: 'num' }, pct(r.agentErrorRate)),
      h('td', {}, badge(r.circuit, `circuit-${String(r.circuit).replace(/[^a-z-]/g, '')}`)),
      h('td', { class: 'num', 'data-accuracy': acc?.adjudicatedAccuracy ?? '' },
        pct(acc?.adjudicatedAccuracy), h('div', { class: 'sub' }, `${acc?.judged ?? 0} judged`)),
      h('td', { class: 'actions' }, h('div', {},
        killed ? actionButton(r.name, 'unkill', 'small') : actionButton(r.name, 'kill', 'small danger'),
        actionButton(r.name, 'reset', 'small ghost'))));
  }));
}

function renderRouteFilter() {
  const select = $('filter-route');
  const names = state.routes.map((r) => r.name);
  const current = [...select.options].slice(1).map((o) => o.value);
  if (names.join('\n') === current.join('\n')) return;
  const chosen = select.value;
  select.replaceChildren(h('option', { value: '' }, 'All routes'), ...names.map((n) => h('option', { value: n }, n)));
  select.value = names.includes(chosen) ? chosen : '';
}

const ACTION_TEXT = {
  kill: ['Kill route', 'The agent stops serving this route at once; legacy answers everything and shadowing continues. Stays killed until unkilled.', 'Kill', 'killed'],
  unkill: ['Unkill route', 'The serve flag decides again whether the agent may answer on this route.', 'Unkill', 'unkilled'],
  reset: ['Reset guardrail', 'Clears the guardrail window and a demotion it caused; the kill switch is not touched.', 'Reset', 'guardrail reset'],
};

function actionButton(route, action, cls) {
  const [title, text, label] = ACTION_TEXT[action];
  return h('button', { type: 'button', class: cls, title: `${title}: ${text}`, 'data-action': action, 'data-route': route, onclick: () => routeAction(route, action) }, label);
}

async function routeAction(name, action) {
  const [title, text, label, done] = ACTION_TEXT[action];
  const answer = await confirmDialog(`${title} “${name}”?`, text, label, action === 'kill');
  if (!answer) return;
  try {
    await post(`/api/routes/${encodeURIComponent(name)}/${action}`, { who: 'review-ui', why: answer.why });
    setStatus(`Route ${name} ${done}`);
    await refreshRoutes();
  } catch (err) {
    setStatus(`Route ${name}: ${action} failed — ${err.message}`, 'error');
  }
}

/** In-page confirmation; resolves { why } or null. */
function confirmDialog(title, text, confirmLabel, danger) {
  const dialog = $('confirm-dialog');
  const ok = $('confirm-ok');
  const why = $('confirm-why');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  ok.textContent = confirmLabel;
  ok.className = danger ? 'danger' : 'primary';
  why.value = '';
  dialog.showModal();
  $('confirm-cancel').focus(); // a stray Enter must not kill a route
  return new Promise((resolve) => {
    const listeners = new AbortController();
    const done = (confirmed) => {
      listeners.abort();
      if (dialog.open) dialog.close();
      resolve(confirmed ? { why: why.value.trim() } : null);
    };
    const opts = { signal: listeners.signal };
    ok.addEventListener('click', () => done(true), opts);
    $('confirm-cancel').addEventListener('click', () => done(false), opts);
    why.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); done(true); } }, opts);
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); done(false); }, opts);
  });
}

// ---------------------------------------------------------------- mismatch list

function listQuery() {
  const q = new URLSearchParams({ limit: String(LIST_LIMIT) });
  const route = $('filter-route').value;
  const result = $('filter-result').value;
  const field = $('filter-field').value.trim();
  if (route) q.set('route', route);
  if (result) q.set('result', result);
  if (field) q.set('field', field);
  return q.toString();
}

async function refreshList() {
  const data = await api(`/api/diffs?${listQuery()}`);
  const diffs = data.diffs ?? [];
  const key = diffs.map((d) => `${d.id}:${d.verdict?.verdict ?? ''}`).join(',');
  $('list-count').textContent = `${diffs.length} shown · ${data.stored ?? 0} stored`;
  state.diffs = diffs;
  if (key === state.listKey) return; // unchanged: keep the DOM (and any focus) as it is
  state.listKey = key;
  renderList();
}

function renderList() {
  const list = $('diff-list');
  if (state.diffs.length === 0) {
    list.replaceChildren(h('li', { class: 'empty' }, 'No samples match. Mismatches and agent errors appear here as traffic is shadowed.'));
    return;
  }
  list.replaceChildren(...state.diffs.map((d) => {
    const fields = [...new Set((d.differences ?? []).map((x) => x.pointer || x.field))];
    return h('li', {},
      h('button', {
        type: 'button', class: `diff-item${d.id === state.selectedId ? ' selected' : ''}`, 'data-sample-id': d.id,
        'aria-current': d.id === state.selectedId ? 'true' : false, onclick: () => selectSample(d.id),
      },
      h('div', { class: 'row1' },
        h('time', { datetime: d.at, title: d.at }, time(d.at)),
        h('span', { class: 'route-chip' }, d.route),
        badge(d.result, `result-${d.result}`),
        d.verdict ? h('span', { class: 'judged', title: `verdict: ${d.verdict.verdict}` }, `✓ ${d.verdict.verdict}`) : null),
      h('div', { class: 'row2 mono', title: `${d.request?.method} ${d.request?.path}` },
        h('span', { class: 'method' }, d.request?.method ?? ''), ' ', d.request?.path ?? ''),
      fields.length ? h('div', { class: 'row3' },
        ...fields.slice(0, 4).map((f) => h('span', { class: 'field-chip mono' }, f)),
        fields.length > 4 ? h('span', { class: 'more' }, `+${fields.length - 4}`) : null) : null));
  }));
}

function markSelected() {
  for (const el of document.querySelectorAll('.diff-item')) {
    const on = el.dataset.sampleId === state.selectedId;
    el.classList.toggle('selected', on);
    if (on) el.setAttribute('aria-current', 'true'); else el.removeAttribute('aria-current');
  }
}

// ---------------------------------------------------------------- one sample

async function selectSample(id) {
  state.selectedId = id;
  markSelected();
  if (location.hash !== `#sample=${encodeURIComponent(id)}`) history.replaceState(null, '', `#sample=${encodeURIComponent(id)}`);
  try {
    const sample = await api(`/api/diffs/${encodeURIComponent(id)}`);
    if (state.selectedId !== id) return;
    state.sample = sample;
    renderSample(sample);
  } catch (err) {
    if (state.selectedId !== id) return;
    state.sample = null;
    $('detail').hidden = true;
    const empty = $('detail-empty');
    empty.hidden = false;
    empty.textContent = err.status === 404 ? 'This sample is no longer stored (evicted). Pick another one.' : `Could not load the sample: ${err.message}`;
  }
}

function renderSample(s) {
  const detail = $('detail');
  $('detail-empty').hidden = true;
  detail.hidden = false;
  const diffs = s.differences ?? [];
  const legacyMarks = new Set(diffs.filter((d) => d.kind !== 'extra_in_agent').map((d) => d.pointer));
  const agentMarks = new Set(diffs.filter((d) => d.kind !== 'missing_in_agent').map((d) => d.pointer));
  detail.replaceChildren(
    h('div', { class: 'detail-head' },
      h('div', {},
        h('h2', {}, h('span', { class: 'method' }, s.request?.method ?? ''), ' ', h('span', { class: 'mono path' }, s.request?.path ?? '')),
        h('div', { class: 'meta' },
          h('span', { class: 'route-chip' }, s.route), badge(s.result, `result-${s.result}`),
          h('span', {}, time(s.at, true)),
          s.comparator ? h('span', {}, `comparator ${s.comparator}`) : null,
          typeof s.similarity === 'number' ? h('span', {}, `similarity ${pct(s.similarity)}`) : null,
          h('span', { class: 'mono id', title: 'sample id' }, s.id))),
      renderVerdictBar(s)),
    renderDifferences(diffs),
    h('div', { class: 'panes' },
      renderMessage('Legacy', 'legacy', s.legacy, legacyMarks, diffs),
      renderMessage('Agent', 'agent', s.agent, agentMarks, diffs)),
    renderTrace(s.trace),
    renderRequest(s.request));
}

function renderVerdictBar(s) {
  const note = h('input', { type: 'text', class: 'note', maxlength: 500, placeholder: 'Note (optional)', 'aria-label': 'Verdict note', spellcheck: 'false' });
  if (s.verdict?.note) note.value = s.verdict.note;
  const recorded = h('div', { class: 'recorded', 'data-recorded-verdict': s.verdict?.verdict ?? '' },
    s.verdict ? `Recorded: ${s.verdict.verdict} · ${time(s.verdict.at)}` : 'Not judged yet');
  const buttons = VERDICTS.map(([value, label]) => h('button', {
    type: 'button', class: `verdict verdict-${value}`, 'data-verdict': value, 'aria-pressed': String(s.verdict?.verdict === value),
    onclick: async (e) => {
      const all = e.currentTarget.parentElement.querySelectorAll('button');
      all.forEach((b) => { b.disabled = true; });
      try {
        const res = await post(`/api/diffs/${encodeURIComponent(s.id)}/verdict`, { verdict: value, ...(note.value.trim() ? { note: note.value.trim() } : {}) });
        s.verdict = res.verdict;
        all.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.verdict === value)));
        recorded.textContent = `Recorded: ${res.verdict.verdict} · ${time(res.verdict.at)}`;
        recorded.dataset.recordedVerdict = res.verdict.verdict;
        setStatus(`Verdict ${value} recorded`);
        void refreshAll();
      } catch (err) {
        recorded.textContent = `Not recorded: ${err.message}`;
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

function renderDifferences(diffs) {
  if (diffs.length === 0) return h('section', { class: 'block' }, h('h3', {}, 'Differences'), h('p', { class: 'muted' }, 'None recorded (agent error or non-comparable answer).'));
  return h('section', { class: 'block' },
    h('h3', {}, `Differences (${diffs.length})`),
    h('table', { class: 'differences' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Pointer'), h('th', {}, 'Kind'), h('th', {}, 'Legacy'), h('th', {}, 'Agent'))),
      h('tbody', {}, ...diffs.map((d) => h('tr', {},
        h('td', {}, h('button', { type: 'button', class: 'link mono', title: 'Show in both answers', onclick: () => reveal(d.pointer) }, d.pointer === '' ? '(whole body)' : d.pointer)),
        h('td', {}, h('span', { class: `kind kind-${d.kind}` }, d.kind)),
        h('td', { class: 'mono value legacy-value' }, shortJson(d.legacy)),
        h('td', { class: 'mono value agent-value' }, shortJson(d.agent)))))));
}

/** Scrolls both panes to the marks for `pointer` and flashes them. */
function reveal(pointer) {
  const marks = [...document.querySelectorAll('#detail mark[data-pointer]')].filter((m) => m.dataset.pointer === pointer);
  for (const mark of marks) {
    mark.closest('details')?.setAttribute('open', '');
    mark.scrollIntoView({ block: 'center', inline: 'nearest' });
    mark.classList.remove('flash');
    void mark.offsetWidth; // restart the animation
    mark.classList.add('flash');
  }
}

function renderMessage(title, side, msg, marks, diffs) {
  msg = msg ?? { headers: {}, body: '', encoding: 'utf8', truncated: false };
  const statusDiff = marks.has('status');
  const status = msg.status === undefined ? h('span', { class: 'muted' }, 'no response')
    : h('span', { class: `status-code s${String(msg.status)[0]}` }, String(msg.status));
  const headerDiffs = new Set(diffs.filter((d) => d.kind === 'header').map((d) => d.pointer.replace(/^header:/, '')));
  const headerRows = Object.entries(msg.headers ?? {}).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
  return h('section', { class: `pane pane-${side}`, 'data-pane': side },
    h('div', { class: 'pane-head' },
      h('h3', {}, title),
      statusDiff ? h('mark', { class: 'diff', 'data-pointer': 'status' }, status) : status,
      typeof msg.durationMs === 'number' ? h('span', { class: 'muted' }, `${Math.round(msg.durationMs)} ms`) : null,
      msg.error ? badge(`error: ${msg.error}`, 'result-agent_error') : null,
      msg.truncated ? badge('truncated', 'warn') : null),
    h('details', { class: 'headers', open: headerDiffs.size > 0 },
      h('summary', {}, `Headers (${headerRows.length})`),
      h('table', { class: 'kv mono' }, h('tbody', {}, ...headerRows.map(([name, value]) => {
        const row = [h('th', {}, name), h('td', {}, headerValue(value))];
        return headerDiffs.has(name.toLowerCase())
          ? h('tr', { class: 'diff-row' }, h('th', {}, h('mark', { class: 'diff', 'data-pointer': `header:${name.toLowerCase()}` }, name)), row[1])
          : h('tr', {}, ...row);
      })))),
    renderBody(msg, marks));
}

function renderRequest(req) {
  if (!req) return null;
  const headerRows = Object.entries(req.headers ?? {}).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
  return h('section', { class: 'block request', 'data-pane': 'request' },
    h('h3', {}, 'Request'),
    h('div', { class: 'mono request-line' }, h('span', { class: 'method' }, req.method), ' ', req.path),
    h('details', { class: 'headers' },
      h('summary', {}, `Headers (${headerRows.length})`),
      h('table', { class: 'kv mono' }, h('tbody', {}, ...headerRows.map(([n, v]) => h('tr', {}, h('th', {}, n), h('td', {}, headerValue(v))))))),
    req.body ? renderBody(req, new Set()) : h('p', { class: 'muted' }, 'No body.'));
}

function renderTrace(trace) {
  const section = h('section', { class: 'block trace' }, h('h3', {}, 'Agent trace'));
  if (!trace || typeof trace !== 'object' || Object.keys(trace).length === 0) {
    section.append(h('p', { class: 'muted' }, 'No trace data reported by the agent for this sample.'));
    return section;
  }
  const rows = [];
  const { confidence, tokens, model, toolCalls, traceId, shadowTraceId, ...rest } = trace;
  if (typeof confidence === 'number') {
    const meter = h('span', { class: 'meter' }, h('span', { class: 'meter-fill' }));
    meter.firstChild.style.width = `${Math.max(0, Math.min(1, confidence)) * 100}%`;
    rows.push(['Confidence', h('span', {}, meter, ' ', pct(confidence))]);
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

function outcomeKind(outcome) {
  const o = String(outcome ?? '').toLowerCase();
  if (o === 'ok' || o === 'success') return 'ok';
  if (o === 'error' || o === 'failure' || o === 'timeout') return 'bad';
  return 'neutral';
}

// ---------------------------------------------------------------- bodies

function contentTypeOf(headers) {
  const entry = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type');
  return entry ? headerValue(entry[1]) : '';
}

function renderBody(msg, marks) {
  const wrap = h('div', { class: 'body' });
  if (msg.error && !msg.body) { wrap.append(h('p', { class: 'muted' }, `No body (${msg.error}).`)); return wrap; }
  if (!msg.body) { wrap.append(h('p', { class: 'muted' }, 'Empty body.')); return wrap; }
  if (msg.truncated) wrap.append(h('p', { class: 'note' }, 'Body truncated at the capture limit; shown as stored.'));
  if (msg.encoding === 'base64') {
    const bytes = Math.floor(msg.body.length * 3 / 4) - (msg.body.endsWith('==') ? 2 : msg.body.endsWith('=') ? 1 : 0);
    wrap.append(h('p', { class: 'muted' }, `Binary body, ${bytes} bytes (base64 below).`), h('pre', { class: 'code raw' }, msg.body.slice(0, 4096)));
    return wrap;
  }
  let tree = null;
  if (!msg.truncated) {
    try { tree = parseJson(msg.body); } catch { tree = null; }
  }
  if (tree) wrap.append(renderJson(tree, marks));
  else {
    const pre = h('pre', { class: 'code raw', 'data-content-type': contentTypeOf(msg.headers) });
    if (marks.has('')) pre.append(h('mark', { class: 'diff', 'data-pointer': '' }, msg.body)); else pre.append(msg.body);
    wrap.append(pre);
  }
  return wrap;
}

// ---------------------------------------------------------------- wiring

async function refreshAll() {
  if (state.busy) return;
  state.busy = true;
  try {
    await Promise.all([refreshRoutes(), refreshList()]);
    setStatus(`Updated ${time(new Date().toISOString())}`);
  } catch (err) {
    if (err.status !== 401) setStatus(`Refresh failed — ${err.message}`, 'error');
  } finally {
    state.busy = false;
  }
}

function start() {
  $('token-form').addEventListener('submit', (e) => { e.preventDefault(); useToken($('token-input').value.trim()); });
  $('token-clear').addEventListener('click', () => useToken(''));
  $('token-input').placeholder = state.token ? 'set for this tab' : 'not set';
  $('filters').addEventListener('submit', (e) => { e.preventDefault(); state.listKey = ''; void refreshList().catch(() => {}); });
  $('filter-route').addEventListener('change', () => { state.listKey = ''; void refreshList().catch(() => {}); });
  $('filter-result').addEventListener('change', () => { state.listKey = ''; void refreshList().catch(() => {}); });
  setInterval(() => { if (!state.needsToken && !document.hidden) void refreshAll(); }, POLL_MS);
  document.addEventListener('visibilitychange', () => { if (!document.hidden && !state.needsToken) void refreshAll(); });
  const match = /^#sample=(.+)$/.exec(location.hash);
  void refreshAll().then(() => { if (match && !state.needsToken) void selectSample(decodeURIComponent(match[1])); });
}

start();
