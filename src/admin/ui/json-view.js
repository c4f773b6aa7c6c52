// @ts-check
// Pretty-printed JSON for the review page. The values at chosen JSON Pointers are wrapped in
// <mark data-pointer="…"> so highlighting is exact; the route's compare rules annotate the
// rest (ignored pointers greyed, unordered arrays and tolerated numbers marked). Builds DOM
// nodes only (text nodes for all data), never markup strings.
import { escapeSegment } from './json-tree.js';

/** @typedef {import('./json-tree.js').JsonNode} JsonNode */

/**
 * What the compare rules say about a node; each returns the reason to show, or null.
 * @typedef {object} Annotations
 * @property {(pointer: string) => string | null} [ignored]     the compare.ignore pattern
 * @property {(pointer: string) => string | null} [unordered]   the compare.unorderedArrays pattern
 * @property {(pointer: string, node: JsonNode) => string | null} [tolerated]   number within numericTolerance
 */

/**
 * @param {string} tag
 * @param {string} className
 * @param {...(Node | string)} children
 */
function h(tag, className, ...children) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  el.append(...children);
  return el;
}

/**
 * @param {JsonNode} root
 * @param {Set<string>} marks   pointers to highlight (the differences on this side)
 * @param {Annotations} [notes]
 */
export function renderJson(root, marks, notes = {}) {
  const pre = h('pre', 'code json');
  const pad = (/** @type {number} */ depth) => '  '.repeat(depth);
  /**
   * @param {HTMLElement} parent
   * @param {JsonNode} node
   * @param {string} pointer
   * @param {number} depth
   * @param {boolean} ignored   an ancestor is ignored: so is everything below it
   */
  const emit = (parent, node, pointer, depth, ignored) => {
    let target = parent;
    if (marks.has(pointer)) {
      target = h('mark', 'diff');
      target.dataset.pointer = pointer;
      parent.append(target);
    }
    const ignoredBy = ignored || pointer === '' ? null : notes.ignored?.(pointer) ?? null;
    if (ignoredBy !== null) {
      const span = h('span', 'ignored');
      span.dataset.ignored = pointer;
      span.title = `not compared: compare.ignore ${ignoredBy}`;
      target.append(span);
      target = span;
    }
    const below = ignored || ignoredBy !== null;
    if (node.t === 'str') target.append(h('span', 'j-str', JSON.stringify(node.v)));
    else if (node.t === 'num') {
      const why = below ? null : notes.tolerated?.(pointer, node) ?? null;
      const num = h('span', why ? 'j-num tolerated' : 'j-num', node.raw);
      if (why) { num.title = why; num.dataset.tolerated = pointer; }
      target.append(num);
    } else if (node.t === 'lit') target.append(h('span', node.raw === 'null' ? 'j-null' : 'j-bool', node.raw));
    else {
      const isObject = node.t === 'obj';
      const members = node.t === 'obj' ? node.entries : node.items;
      const [open, close] = isObject ? ['{', '}'] : ['[', ']'];
      const unorderedBy = !isObject && !below ? notes.unordered?.(pointer) ?? null : null;
      const tag = unorderedBy === null ? null : h('span', 'rule-tag', '⇅ any order');
      if (tag) { tag.title = `compared in any order: compare.unorderedArrays ${unorderedBy}`; tag.dataset.unordered = pointer; }
      if (members.length === 0) { target.append(open + close); if (tag) target.append(' ', tag); return; }
      target.append(open);
      if (tag) target.append(' ', tag);
      members.forEach((member, index) => {
        target.append(`\n${pad(depth + 1)}`);
        /** @type {string} */
        let childPointer;
        /** @type {JsonNode} */
        let child;
        if (Array.isArray(member)) {
          childPointer = `${pointer}/${escapeSegment(member[0])}`;
          child = member[1];
          const keyIgnored = below || notes.ignored?.(childPointer) != null;
          target.append(h('span', marks.has(childPointer) ? 'j-key is-diff' : keyIgnored ? 'j-key ignored-key' : 'j-key', JSON.stringify(member[0])), ': ');
        } else {
          childPointer = `${pointer}/${index}`;
          child = member;
        }
        emit(target, child, childPointer, depth + 1, below);
        if (index < members.length - 1) target.append(',');
      });
      target.append(`\n${pad(depth)}${close}`);
    }
  };
  emit(pre, root, '', 0, false);
  return pre;
}
