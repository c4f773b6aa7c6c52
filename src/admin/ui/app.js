// @ts-check
// shadowgate review page: the wiring. State, the admin API calls, polling, the sample list,
// keyboard and dialogs live here; what is shown is built by the *-view.js modules from pure
// helpers (format, modes, agreement, compare-rules, field-groups, sample-list), each tested on
// its own. Plain browser JS, no build step. Everything from the API is untrusted and reaches
// the DOM only as text (dom.js).
import { badge, byId, h, inputById, selectById } from './dom.js';
import { clock, count } from './format.js';
import { groupByField } from './field-groups.js';
import { renderFieldGroups } from './groups-view.js';
import { actionText, confirmDialog } from './route-actions.js';
import { patchRow, renderLegend, renderRouteRow, ROUTE_COLUMNS } from './routes-view.js';
import { keyAction, listQuery, neighbour, reconcile } from './sample-list.js';
import { renderSample, servedByText } from './sample-view.js';

/** @typedef {import('./api-types.js').RouteView} RouteView */
/** @typedef {import('./api-types.js').RouteAccuracy} RouteAccuracy */
/** @typedef {import('./api-types.js').Sample} Sample */
/** @typedef {import('./api-types.js').Verdict} Verdict */

const TOKEN_KEY = 'shadowgate.adminToken';
const LIST_LIMIT = 100;
/** `?refresh=S` (1-60) sets the refresh period; 5 s by default. */
const POLL_MS = (() => {
  const s = Number(new URLSearchParams(location.search).get('refresh'));
  return Number.isFinite(s) && s >= 1 && s <= 60 ? s * 1000 : 5000;
})();
const STACKED = matchMedia('(max-width: 1099px)');

const state = {
  token: sessionStorage.getItem(TOKEN_KEY) ?? '',
  needsToken: false,
  /** @type {RouteView[]} */
  routes: [],
  /** @type {Map<string, RouteAccuracy>} */
  accuracy: new Map(),
  /** The list as shown; only a user action (filter, "show new") replaces it. */
  /** @type {Sample[]} */
  shown: [],
  /** The latest refresh, whose new samples are announced, not inserted. */
  /** @type {Sample[]} */
  latest: [],
  stored: 0,
  /** @type {string | null} */
  selectedId: null,
  busy: false,
};

// ---------------------------------------------------------------- API

class ApiError extends Error {
  /** @param {number} status @param {string} message @param {string} [code] */
  constructor(status, message, code) { super(message); this.status = status; this.code = code; }
}

/** @param {string} path @param {RequestInit} [init] */
async function api(path, init = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  const res = await fetch(path, { ...init, headers, cache: 'no-store', credentials: 'omit' });
  /** @type {any} */
  let data = null;
  try { data = await res.json(); } catch { /* non-JSON error page */ }
  if (res.status === 401) {
    askForToken();
    throw new ApiError(401, 'admin token required', 'SG_UNAUTHORIZED');
  }
  if (!res.ok) throw new ApiError(res.status, data?.error?.message ?? `HTTP ${res.status}`, data?.error?.code);
  return data;
}

const post = (/** @type {string} */ path, /** @type {unknown} */ body) => api(path, { method: 'POST', body: JSON.stringify(body) });

function setStatus(/** @type {string} */ text, kind = 'ok') {
  const el = byId('status');
  el.textContent = text;
  el.dataset.kind = kind;
}

function askForToken() {
  state.needsToken = true;
  byId('auth-banner').hidden = false;
  byId('token-form').classList.add('attention');
  setStatus('Admin token required', 'warn');
  inputById('token-input').focus();
}

function useToken(/** @type {string} */ token) {
  state.token = token;
  if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
  state.needsToken = false;
  byId('auth-banner').hidden = true;
  byId('token-form').classList.remove('attention');
  inputById('token-input').value = '';
  inputById('token-input').placeholder = token ? 'set for this tab' : 'not set';
  void refreshAll({ replaceList: true });
}

// ---------------------------------------------------------------- routes

async function refreshRoutes() {
  const [routes, accuracy] = await Promise.all([api('/api/routes'), api('/api/review/accuracy')]);
  state.routes = routes.routes ?? [];
  state.accuracy = new Map((accuracy.routes ?? []).map((/** @type {RouteAccuracy} */ a) => [a.route, a]));
  renderRoutes();
  renderRouteFilter();
}

function renderRoutes() {
  const body = byId('routes-body');
  if (state.routes.length === 0) {
    body.replaceChildren(h('tr', { class: 'placeholder' }, h('td', { colspan: ROUTE_COLUMNS.length }, 'No routes configured.')));
    return;
  }
  const now = Date.now();
  const rows = new Map([.../** @type {NodeListOf<HTMLElement>} */ (body.querySelectorAll('tr[data-route]'))].map((tr) => [tr.dataset.route, tr]));
  const next = state.routes.map((r) => {
    const fresh = renderRouteRow(r, state.accuracy.get(r.name), (name, action) => void routeAction(name, action), now);
    const old = rows.get(r.name);
    return old ? patchRow(old, fresh) : fresh;
  });
  // Same routes in the same order (the usual case): nothing moves.
  const current = [...body.children];
  if (current.length !== next.length || next.some((tr, i) => current[i] !== tr)) body.replaceChildren(...next);
}

function renderRouteFilter() {
  const select = selectById('filter-route');
  const names = state.routes.map((r) => r.name);
  const current = [...select.options].slice(1).map((o) => o.value);
  if (names.join('\n') === current.join('\n')) return;
  const chosen = select.value;
  select.replaceChildren(h('option', { value: '' }, 'All routes'), ...names.map((n) => h('option', { value: n }, n)));
  select.value = names.includes(chosen) ? chosen : '';
}

/** @param {string} name @param {'kill' | 'unkill' | 'reset'} action */
async function routeAction(name, action) {
  const text = actionText(action, state.routes.find((x) => x.name === name)?.guardrail);
  const answer = await confirmDialog(`${text.title} “${name}”?`, text.body, text.confirm, action === 'kill', action === 'reset');
  if (!answer) return;
  try {
    await post(`/api/routes/${encodeURIComponent(name)}/${action}`, { who: 'review-ui', why: answer.why, ...(action === 'reset' && answer.force ? { force: true } : {}) });
    setStatus(`Route ${name} ${text.done}${answer.force ? ' (forced: no probation)' : ''}`);
    await refreshRoutes();
  } catch (err) {
    setStatus(`Route ${name}: ${action} failed — ${/** @type {Error} */ (err).message}`, 'error');
  }
}

// ---------------------------------------------------------------- the sample list

function filters() {
  return {
    route: selectById('filter-route').value,
    result: selectById('filter-result').value,
    servedBy: selectById('filter-served').value,
    field: inputById('filter-field').value,
  };
}

/**
 * Fetches the list. `replace` (first load, a filter, "show new") shows what came back;
 * otherwise new samples are only announced, and nothing is fetched while a sample is open.
 */
async function refreshList(replace = false) {
  if (!replace && state.selectedId !== null) { renderNotice(); return; }
  const data = await api(`/api/diffs?${listQuery(filters(), LIST_LIMIT)}`);
  state.latest = data.diffs ?? [];
  state.stored = data.stored ?? 0;
  if (replace) {
    state.shown = state.latest;
    renderList();
  } else {
    for (const s of reconcile(state.shown, state.latest).verdicts) updateVerdict(s);
  }
  renderNotice();
  byId('list-count').textContent = `${count(state.shown.length)} shown · ${count(state.stored)} stored`;
}

function renderNotice() {
  const notice = byId('list-notice');
  const fresh = reconcile(state.shown, state.latest).fresh;
  if (state.selectedId !== null) {
    notice.hidden = false;
    notice.dataset.kind = 'paused';
    notice.replaceChildren(`List updates paused while a sample is open${fresh.length ? ` (${fresh.length} new before that)` : ''}. `,
      h('button', { type: 'button', class: 'link', onclick: () => closeSample() }, 'Close the sample'), ' to resume.');
    return;
  }
  notice.hidden = fresh.length === 0;
  notice.dataset.kind = 'new';
  notice.replaceChildren(`${fresh.length} new sample${fresh.length === 1 ? '' : 's'} since the list was drawn. `,
    h('button', { type: 'button', class: 'small', id: 'show-new', onclick: () => void refreshList(true).catch(reportError) }, 'Show them'));
}

function renderList() {
  const list = byId('diff-list');
  if (state.shown.length === 0) {
    list.replaceChildren(h('li', { class: 'empty' }, 'No samples match. Mismatches and agent errors appear here as traffic is shadowed.'));
  } else {
    list.replaceChildren(...state.shown.map((d) => h('li', {}, listItem(d))));
  }
  renderOverview();
}

/** @param {Sample} d */
function listItem(d) {
  const fields = [...new Set((d.differences ?? []).map((x) => x.field || x.pointer))];
  const selected = d.id === state.selectedId;
  return h('button', {
    type: 'button', class: `diff-item${selected ? ' selected' : ''}`, 'data-sample-id': d.id, 'data-served-by': d.servedBy,
    'aria-current': selected ? 'true' : false, onclick: () => void selectSample(d.id),
  },
  h('div', { class: 'row1' },
    h('time', { datetime: d.at, title: d.at }, clock(d.at)),
    h('span', { class: 'route-chip' }, d.route),
    badge(d.result, `result-${d.result}`),
    badge(d.servedBy === 'agent' ? 'agent served' : 'legacy served', `served-${d.servedBy}`, servedByText(d.servedBy)),
    h('span', { class: 'judged', title: d.verdict ? `verdict: ${d.verdict.verdict}` : false }, d.verdict ? `✓ ${d.verdict.verdict}` : '')),
  h('div', { class: 'row2 mono', title: `${d.request?.method} ${d.request?.path}` },
    h('span', { class: 'method' }, d.request?.method ?? ''), ' ', d.request?.path ?? ''),
  fields.length ? h('div', { class: 'row3' },
    ...fields.slice(0, 4).map((f) => h('span', { class: 'field-chip mono' }, f)),
    fields.length > 4 ? h('span', { class: 'more' }, `+${fields.length - 4}`) : null) : null);
}

/** A verdict recorded elsewhere (or here): the item's marker changes, nothing moves. */
function updateVerdict(/** @type {Sample} */ s) {
  const i = state.shown.findIndex((x) => x.id === s.id);
  if (i === -1) return;
  state.shown[i] = { ...state.shown[i], ...s };
  const judged = document.querySelector(`.diff-item[data-sample-id="${CSS.escape(s.id)}"] .judged`);
  if (judged) {
    judged.textContent = s.verdict ? `✓ ${s.verdict.verdict}` : '';
    if (s.verdict) judged.setAttribute('title', `verdict: ${s.verdict.verdict}`);
  }
}

function markSelected() {
  for (const el of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.diff-item'))) {
    const on = el.dataset.sampleId === state.selectedId;
    el.classList.toggle('selected', on);
    if (on) el.setAttribute('aria-current', 'true'); else el.removeAttribute('aria-current');
  }
}

function renderOverview() {
  const overview = byId('overview');
  overview.replaceChildren(...renderFieldGroups(groupByField(state.shown), state.shown.length, (field) => {
    inputById('filter-field').value = field;
    void refreshList(true).catch(reportError);
  }).filter((x) => x !== null));
  overview.hidden = state.selectedId !== null;
}

// ---------------------------------------------------------------- one sample

async function selectSample(/** @type {string} */ id) {
  state.selectedId = id;
  markSelected();
  renderNotice();
  byId('overview').hidden = true;
  if (location.hash !== `#sample=${encodeURIComponent(id)}`) history.replaceState(null, '', `#sample=${encodeURIComponent(id)}`);
  const item = document.querySelector(`.diff-item[data-sample-id="${CSS.escape(id)}"]`);
  item?.scrollIntoView({ block: 'nearest' });
  try {
    /** @type {Sample} */
    const sample = await api(`/api/diffs/${encodeURIComponent(id)}`);
    if (state.selectedId !== id) return;
    const detail = byId('detail');
    byId('detail-empty').hidden = true;
    detail.hidden = false;
    detail.replaceChildren(...renderSample(sample, state.routes.find((r) => r.name === sample.route)?.compare, { onVerdict, onClose: closeSample }));
    // Stacked layout: the sample is below the list; bring it into view.
    if (STACKED.matches) {
      const top = byId('detail-card').getBoundingClientRect().top;
      if (top > innerHeight * 0.6 || top < 0) byId('detail-card').scrollIntoView({ block: 'start' });
    }
  } catch (err) {
    if (state.selectedId !== id) return;
    byId('detail').hidden = true;
    const empty = byId('detail-empty');
    empty.hidden = false;
    empty.textContent = /** @type {ApiError} */ (err).status === 404 ? 'This sample is no longer stored (evicted). Pick another one.' : `Could not load the sample: ${/** @type {Error} */ (err).message}`;
  }
}

function closeSample() {
  if (state.selectedId === null) return;
  const id = state.selectedId;
  state.selectedId = null;
  markSelected();
  byId('detail').hidden = true;
  byId('detail-empty').hidden = true;
  renderOverview();
  history.replaceState(null, '', location.pathname + location.search);
  /** @type {HTMLElement | null} */ (document.querySelector(`.diff-item[data-sample-id="${CSS.escape(id)}"]`))?.focus();
  void refreshList().catch(reportError);
}

/** @param {Sample} s @param {string} verdict @param {string} note @returns {Promise<Verdict>} */
async function onVerdict(s, verdict, note) {
  const res = await post(`/api/diffs/${encodeURIComponent(s.id)}/verdict`, { verdict, ...(note ? { note } : {}) });
  setStatus(`Verdict ${verdict} recorded`);
  updateVerdict({ ...s, verdict: res.verdict });
  void refreshRoutes().catch(reportError);
  return res.verdict;
}

// ---------------------------------------------------------------- wiring

function reportError(/** @type {unknown} */ err) {
  if (/** @type {ApiError} */ (err).status !== 401) setStatus(`Refresh failed — ${/** @type {Error} */ (err).message}`, 'error');
}

async function refreshAll({ replaceList = false } = {}) {
  if (state.busy) return;
  state.busy = true;
  try {
    await Promise.all([refreshRoutes(), refreshList(replaceList)]);
    setStatus(`Updated ${clock(new Date().toISOString())}`);
  } catch (err) {
    reportError(err);
  } finally {
    state.busy = false;
  }
}

function onKey(/** @type {KeyboardEvent} */ e) {
  const target = /** @type {HTMLElement | null} */ (e.target);
  if (target?.closest('input, select, textarea, dialog[open]')) return;
  const action = keyAction(e);
  if (!action) return;
  if (action === 'close') { if (state.selectedId !== null) { e.preventDefault(); closeSample(); } return; }
  const next = neighbour(state.shown.map((s) => s.id), state.selectedId, action === 'next' ? 1 : -1);
  if (next === null) return;
  e.preventDefault();
  if (next !== state.selectedId) void selectSample(next);
}

function start() {
  byId('legend-body').replaceChildren(renderLegend());
  byId('token-form').addEventListener('submit', (e) => { e.preventDefault(); useToken(inputById('token-input').value.trim()); });
  byId('token-clear').addEventListener('click', () => useToken(''));
  inputById('token-input').placeholder = state.token ? 'set for this tab' : 'not set';
  const refilter = () => { closeSample(); void refreshList(true).catch(reportError); };
  byId('filters').addEventListener('submit', (e) => { e.preventDefault(); refilter(); });
  for (const id of ['filter-route', 'filter-result', 'filter-served']) byId(id).addEventListener('change', refilter);
  document.addEventListener('keydown', onKey);
  setInterval(() => { if (!state.needsToken && !document.hidden) void refreshAll(); }, POLL_MS);
  document.addEventListener('visibilitychange', () => { if (!document.hidden && !state.needsToken) void refreshAll(); });
  const match = /^#sample=(.+)$/.exec(location.hash);
  void refreshAll({ replaceList: true }).then(() => { if (match?.[1] && !state.needsToken) void selectSample(decodeURIComponent(match[1])); });
}

start();
