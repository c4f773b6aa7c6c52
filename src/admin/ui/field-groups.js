// @ts-check
// Diffy-style grouping: the listed samples' differences by field (pointer with array indices
// as '*'), each field counted once per sample, most frequent first. Pure.

/** @typedef {import('./api-types.js').Sample} Sample */

/**
 * @typedef {object} FieldGroup
 * @property {string} field
 * @property {number} samples          samples in which this field differs
 * @property {number} share            of the samples that have differences
 * @property {Record<string, number>} kinds   difference kind → samples
 * @property {string[]} routes
 * @property {number} servedByAgent    of those samples, how many clients got the agent's answer
 */

/**
 * @param {readonly Sample[]} samples
 * @returns {{ groups: FieldGroup[], withDifferences: number, withoutDifferences: number }}
 */
export function groupByField(samples) {
  /** @type {Map<string, { field: string, samples: number, kinds: Record<string, number>, routes: Set<string>, servedByAgent: number }>} */
  const byField = new Map();
  let withDifferences = 0;
  for (const s of samples) {
    const diffs = s.differences ?? [];
    if (diffs.length === 0) continue;
    withDifferences++;
    /** @type {Map<string, Set<string>>} */
    const fields = new Map();
    for (const d of diffs) {
      const field = d.field || d.pointer || 'body';
      const kinds = fields.get(field) ?? new Set();
      kinds.add(d.kind);
      fields.set(field, kinds);
    }
    for (const [field, kinds] of fields) {
      const g = byField.get(field) ?? { field, samples: 0, kinds: {}, routes: new Set(), servedByAgent: 0 };
      g.samples++;
      g.routes.add(s.route);
      if (s.servedBy === 'agent') g.servedByAgent++;
      for (const k of kinds) g.kinds[k] = (g.kinds[k] ?? 0) + 1;
      byField.set(field, g);
    }
  }
  const groups = [...byField.values()]
    .map((g) => ({ ...g, routes: [...g.routes].sort(), share: g.samples / withDifferences }))
    .sort((a, b) => b.samples - a.samples || (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  return { groups, withDifferences, withoutDifferences: samples.length - withDifferences };
}
