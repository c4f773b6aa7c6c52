// @ts-check
// The route's compare rules as the diff view applies them: which pointers were ignored, which
// arrays were compared without regard to order, which numbers differ only within the tolerance,
// and a one-line description of every rule in force. Pattern semantics follow
// src/compare/pointer.ts: '*' is one segment, '**' zero or more, ~0 / ~1 escapes.
import { escapeSegment, nodeAt } from './json-tree.js';

/** @typedef {import('./api-types.js').CompareRules} CompareRules */

/** @param {string} pointer */
export function pointerSegments(pointer) {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Pattern segments: wildcards recognised before unescaping, as the server does. */
function patternSegments(/** @type {string} */ pattern) {
  if (pattern === '') return [];
  return pattern.slice(1).split('/').map((s) => (s === '*' || s === '**' ? s : s.replace(/~1/g, '/').replace(/~0/g, '~')));
}

/**
 * @param {readonly string[]} pattern
 * @param {readonly string[]} path
 * @returns {boolean}
 */
function globMatch(pattern, path, i = 0, j = 0) {
  if (i === pattern.length) return j === path.length;
  const seg = pattern[i];
  if (seg === '**') {
    for (let k = j; k <= path.length; k++) if (globMatch(pattern, path, i + 1, k)) return true;
    return false;
  }
  if (j === path.length) return false;
  return (seg === '*' || seg === path[j]) && globMatch(pattern, path, i + 1, j + 1);
}

/**
 * A matcher over whole pointers: the first pattern that matches, or null.
 * @param {readonly string[] | undefined} patterns
 * @returns {(pointer: string) => string | null}
 */
export function patternMatcher(patterns) {
  const compiled = (patterns ?? []).filter((p) => typeof p === 'string' && (p === '' || p.startsWith('/'))).map((p) => ({ p, segs: patternSegments(p) }));
  return (pointer) => {
    if (compiled.length === 0) return null;
    const path = pointerSegments(pointer);
    return compiled.find((c) => globMatch(c.segs, path))?.p ?? null;
  };
}

/** The comparator's rule (src/compare/json.ts numbersEqual): relative to the larger magnitude. */
export function withinTolerance(/** @type {number} */ a, /** @type {number} */ b, /** @type {number} */ tolerance) {
  if (a === b) return true;
  return tolerance > 0 && Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b));
}

const trimNumber = (/** @type {number} */ x) => String(Number(x.toPrecision(6)));

/**
 * Every rule in force, in words, for the rules strip above the diff.
 * @param {CompareRules | undefined} rules
 * @returns {{ id: string, label: string, title: string }[]}
 */
export function describeRules(rules) {
  if (!rules) return [{ id: 'unknown', label: 'compare rules unknown (route not in /api/routes)', title: '' }];
  const out = [];
  if (rules.plugin) {
    const name = rules.plugin.split(/[\\/]/).pop() ?? rules.plugin;
    out.push({ id: 'plugin', label: `plug-in comparator ${name}`, title: 'compare.plugin decides match or mismatch; the rules below apply only to what it delegates back.' });
  }
  if (rules.ignore?.length) out.push({ id: 'ignore', label: `ignored: ${rules.ignore.join(', ')}`, title: 'compare.ignore: these pointers are not compared; shown greyed in the answers.' });
  if (rules.unorderedArrays?.length) out.push({ id: 'unordered', label: `order ignored: ${rules.unorderedArrays.join(', ')}`, title: 'compare.unorderedArrays: these arrays match when they hold the same elements in any order; marked ⇅ in the answers.' });
  if (rules.numericTolerance) {
    out.push({ id: 'tolerance', label: `numbers within ${trimNumber(rules.numericTolerance * 100)}%`, title: `compare.numericTolerance ${rules.numericTolerance}: numbers match when |a − b| ≤ ${rules.numericTolerance} × max(|a|, |b|); such pairs are marked ≈.` });
  }
  const s = rules.strings ?? {};
  const norms = [s.trim && 'trimmed', s.caseInsensitive && 'case-insensitive', s.collapseWhitespace && 'whitespace collapsed'].filter(Boolean);
  if (norms.length) out.push({ id: 'strings', label: `strings ${norms.join(', ')}`, title: 'compare.strings: string values are normalised before comparing.' });
  if (rules.text && rules.text.mode !== 'exact') {
    out.push({ id: 'text', label: rules.text.mode === 'similarity' ? `text similarity ≥ ${trimNumber(rules.text.threshold * 100)}%` : 'text normalised', title: 'compare.text: how non-JSON bodies are compared.' });
  }
  out.push({ id: 'status', label: rules.status === false ? 'status not compared' : 'status compared', title: 'compare.status' });
  const headers = rules.headers ?? [];
  out.push({ id: 'headers', label: headers.length ? `headers compared: ${headers.join(', ')}` : 'no headers compared', title: 'compare.headers: only these response headers are compared.' });
  return out;
}

/**
 * For the number nodes of one side: "differs from the other side only within the tolerance",
 * or null. Positions under an unordered array are skipped (indices do not pair up there).
 * @param {import('./json-tree.js').JsonNode | null} other   the other side's tree
 * @param {CompareRules | undefined} rules
 * @param {'legacy' | 'agent'} otherSide
 * @returns {(pointer: string, node: import('./json-tree.js').JsonNode) => string | null}
 */
export function toleranceCheck(other, rules, otherSide) {
  const tolerance = rules?.numericTolerance ?? 0;
  const unordered = patternMatcher(rules?.unorderedArrays);
  return (pointer, node) => {
    if (!other || tolerance <= 0 || node.t !== 'num') return null;
    const segs = pointerSegments(pointer);
    for (let i = 0; i < segs.length; i++) {
      if (unordered(segs.slice(0, i).map((s) => `/${escapeSegment(s)}`).join('')) !== null) return null;
    }
    const o = nodeAt(other, segs);
    if (!o || o.t !== 'num' || o.raw === node.raw) return null;
    const [a, b] = [Number(node.raw), Number(o.raw)];
    if (!withinTolerance(a, b, tolerance)) return null;
    return `${otherSide} has ${o.raw}: equal within compare.numericTolerance ${tolerance} (relative)`;
  };
}
