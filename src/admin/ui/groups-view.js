// @ts-check
// "Where the answers differ": the listed samples grouped by field with counts (Diffy-style),
// shown while no sample is open. A field filters the list to the samples where it differs.
import { h } from './dom.js';
import { count, pct } from './format.js';

/** @typedef {ReturnType<typeof import('./field-groups.js').groupByField>} Grouping */

/**
 * @param {Grouping} grouping
 * @param {number} listed   samples in the list
 * @param {(field: string) => void} onField
 */
export function renderFieldGroups(grouping, listed, onField) {
  const { groups, withDifferences, withoutDifferences } = grouping;
  const intro = h('p', { class: 'hint' },
    `Over the ${count(listed)} samples in the list (the filters apply). Each field counts once per sample; `,
    'the share is of the samples with differences. Pick a field to list its samples; pick a sample to see both answers.');
  if (groups.length === 0) {
    return [h('h2', {}, 'Where the answers differ'), intro,
      h('p', { class: 'empty' }, listed === 0 ? 'No samples yet. Mismatches and agent errors appear as traffic is shadowed.' : 'No field-level differences in the listed samples.')];
  }
  const max = groups[0]?.samples ?? 1;
  return [
    h('h2', {}, 'Where the answers differ'),
    intro,
    h('div', { class: 'table-wrap' }, h('table', { class: 'field-groups', id: 'field-groups' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Field'), h('th', { class: 'num' }, 'Samples'), h('th', {}, 'Share'), h('th', {}, 'Kind'),
        h('th', { class: 'num', title: 'Of these samples, how many clients were given the agent\'s answer' }, 'Served by agent'), h('th', {}, 'Routes'))),
      h('tbody', {}, ...groups.map((g) => {
        const fill = h('span', { class: 'meter-fill' });
        fill.style.width = `${(g.samples / max) * 100}%`;
        return h('tr', { 'data-field': g.field },
          h('td', {}, h('button', { type: 'button', class: 'link mono', title: 'List the samples where this field differs', onclick: () => onField(g.field) }, g.field)),
          h('td', { class: 'num', 'data-count': g.samples }, count(g.samples)),
          h('td', {}, h('span', { class: 'meter' }, fill), ' ', pct(g.share, 0)),
          h('td', { class: 'kind' }, Object.entries(g.kinds).map(([k, n]) => `${k} ${n}`).join(' · ')),
          h('td', { class: 'num' }, count(g.servedByAgent)),
          h('td', {}, g.routes.join(', ')));
      })))),
    withoutDifferences > 0 ? h('p', { class: 'hint' }, `${count(withoutDifferences)} of ${count(withDifferences + withoutDifferences)} samples have no field difference (agent errors, non-comparable answers).`) : null,
  ];
}
