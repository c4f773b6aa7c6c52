// @ts-check
// The routes table: one row per route with its mode and why, the serving ramp, one labelled
// agreement, the guardrail's verdict, agent errors, adjudicated accuracy and the actions;
// the modes legend. Rows are patched cell by cell, so a refresh never moves focus or layout.
import { agreementSummary, guardrailSummary } from './agreement.js';
import { badge, h } from './dom.js';
import { count, pct } from './format.js';
import { killAction, MODES, modeInfo, statusLines } from './modes.js';

/** @typedef {import('./api-types.js').RouteView} RouteView */
/** @typedef {import('./api-types.js').RouteAccuracy} RouteAccuracy */
/** Gets the route's name, not its view: a patched row keeps old cells (and their handlers). */
/** @typedef {(route: string, action: 'kill' | 'unkill' | 'reset') => void} OnAction */

export const ROUTE_COLUMNS = ['Route', 'Mode', 'Serving', 'Agreement', 'Guardrail', 'Agent errors', 'Adjudicated accuracy', 'Actions'];

/** The legend: every mode with what it means for a client. */
export function renderLegend() {
  return h('ul', { class: 'legend-list' }, ...MODES.map((m) => h('li', { 'data-mode': m.mode }, badge(m.label, `mode-${m.mode}`), ' ', m.text)));
}

/**
 * @param {RouteView} r
 * @param {RouteAccuracy | undefined} acc
 * @param {OnAction} onAction
 * @param {number} now
 */
export function renderRouteRow(r, acc, onAction, now) {
  const info = modeInfo(r.mode);
  const serve = r.flags?.serve;
  const agreement = agreementSummary(r);
  const guard = guardrailSummary(r);
  const kill = killAction(r);
  const cell = (/** @type {string} */ col, /** @type {Record<string, unknown>} */ props, /** @type {import('./dom.js').Child[]} */ ...children) =>
    h('td', { 'data-col': col, 'data-label': col, ...props }, ...children);
  return h('tr', { 'data-route': r.name, 'data-mode': r.mode },
    cell('Route', { class: 'route-cell' },
      h('div', { class: 'route-name' }, r.name),
      r.match ? h('div', { class: 'sub mono' }, `${r.match.methods?.join(',') ?? ''} ${r.match.path}`.trim()) : null),
    cell('Mode', { class: 'mode-cell' },
      badge(info.label, `mode-${r.mode}`, info.text),
      h('ul', { class: 'status-lines' }, ...statusLines(r, now).map((l) => h('li', { class: `status-${l.kind}` }, l.text)))),
    cell('Serving', { class: 'num', title: serve ? `serve flag ${serve.name}: ${serve.rolloutPercent === null ? 'no rollout percentage (e.g. a user-id list)' : `rollout ${serve.rolloutPercent}%`}${serve.enabled ? '' : ', disabled'}${serve.known ? '' : ', not in the flag source'}. Agent answered: share of the route\'s recent requests.` : '' },
      h('div', {}, serve ? `ramp ${serve.effectivePercent}%` : '—'),
      h('div', { class: 'sub' }, `agent answered ${pct(r.servedByAgentShare ?? 0)}`)),
    cell('Agreement', { class: 'num', title: agreement.title, 'data-agreement': agreement.value ?? '' },
      h('div', { class: 'big' }, pct(agreement.value)),
      h('div', { class: 'sub' }, agreement.detail)),
    cell('Guardrail', { title: guard.title, 'data-guardrail': guard.state },
      badge(guard.label, `guard-${guard.state}`),
      h('div', { class: 'sub' }, guard.detail)),
    cell('Agent errors', { class: 'num', title: 'agent_error / (match + mismatch + agent_error) over the recent window' },
      h('div', {}, pct(r.agentErrorRate)),
      h('div', { class: 'sub' }, `circuit ${r.circuit ?? '—'}`)),
    cell('Adjudicated accuracy', { class: 'num', title: '(agent_correct + both_ok) / judged, from the verdicts recorded on this page', 'data-accuracy': acc?.adjudicatedAccuracy ?? '' },
      h('div', {}, pct(acc?.adjudicatedAccuracy)),
      h('div', { class: 'sub' }, `${count(acc?.judged ?? 0)} judged`)),
    cell('Actions', { class: 'actions' }, h('div', {},
      h('button', {
        type: 'button', class: kill.action === 'kill' ? 'small danger' : 'small', 'data-action': kill.action, 'data-route': r.name,
        title: kill.why, disabled: !kill.enabled, onclick: () => onAction(r.name, kill.action),
      }, kill.action === 'kill' ? 'Kill' : 'Unkill'),
      h('button', {
        type: 'button', class: 'small ghost', 'data-action': 'reset', 'data-route': r.name,
        title: 'Reset the guardrail: clears its window and a demotion; a serving route goes on probation (or, forced, serves at once).',
        onclick: () => onAction(r.name, 'reset'),
      }, 'Reset'))));
}

/**
 * Replaces only the cells that changed, so a focused button or a selection survives a refresh.
 * @param {HTMLElement} oldRow
 * @param {HTMLElement} newRow
 */
export function patchRow(oldRow, newRow) {
  for (const attr of ['data-mode']) oldRow.setAttribute(attr, newRow.getAttribute(attr) ?? '');
  const oldCells = [...oldRow.children];
  const newCells = [...newRow.children];
  if (oldCells.length !== newCells.length) { oldRow.replaceWith(newRow); return newRow; }
  newCells.forEach((cell, i) => { if (!oldCells[i]?.isEqualNode(cell)) oldCells[i]?.replaceWith(cell); });
  return oldRow;
}
