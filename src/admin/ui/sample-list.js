// @ts-check
// The sample list's rules, kept pure: the query for the current filters, what a refresh
// brought that is not shown yet (announced, never inserted under the reader), in-place
// verdict updates, and keyboard next / previous.

/** @typedef {import('./api-types.js').Sample} Sample */

/**
 * @typedef {object} ListFilters
 * @property {string} [route]
 * @property {string} [result]
 * @property {string} [servedBy]   'agent' | 'legacy' | ''
 * @property {string} [field]
 */

/** @param {ListFilters} filters @param {number} limit */
export function listQuery(filters, limit) {
  const q = new URLSearchParams({ limit: String(limit) });
  for (const key of /** @type {const} */ (['route', 'result', 'servedBy', 'field'])) {
    const value = (filters[key] ?? '').trim();
    if (value) q.set(key, value);
  }
  return q.toString();
}

/**
 * Compares a refresh with what the list shows.
 * - `fresh`: samples not shown, newest first: announced ("3 new"), shown when asked.
 * - `verdicts`: shown samples whose verdict changed: updated in place (no reflow).
 * @param {readonly Sample[]} shown
 * @param {readonly Sample[]} fetched
 */
export function reconcile(shown, fetched) {
  const byId = new Map(shown.map((s) => [s.id, s]));
  /** @type {Sample[]} */
  const fresh = [];
  /** @type {Sample[]} */
  const verdicts = [];
  for (const s of fetched) {
    const old = byId.get(s.id);
    if (!old) fresh.push(s);
    else if ((old.verdict?.verdict ?? '') !== (s.verdict?.verdict ?? '')) verdicts.push(s);
  }
  return { fresh, verdicts };
}

/**
 * The id `step` places away from `current` in `ids` (the list order), clamped to the ends;
 * with nothing selected, the first (step > 0) or last (step < 0).
 * @param {readonly string[]} ids
 * @param {string | null} current
 * @param {number} step
 * @returns {string | null}
 */
export function neighbour(ids, current, step) {
  if (ids.length === 0) return null;
  const i = current === null ? -1 : ids.indexOf(current);
  if (i === -1) return step > 0 ? ids[0] ?? null : ids[ids.length - 1] ?? null;
  return ids[Math.min(ids.length - 1, Math.max(0, i + step))] ?? null;
}

/** The list keys: j / ArrowDown next, k / ArrowUp previous, Escape closes the sample. */
export function keyAction(/** @type {{ key: string, altKey?: boolean, ctrlKey?: boolean, metaKey?: boolean }} */ e) {
  if (e.altKey || e.ctrlKey || e.metaKey) return null;
  if (e.key === 'j' || e.key === 'ArrowDown') return 'next';
  if (e.key === 'k' || e.key === 'ArrowUp') return 'previous';
  if (e.key === 'Escape') return 'close';
  return null;
}
