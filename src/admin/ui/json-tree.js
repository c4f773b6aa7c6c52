// @ts-check
// JSON as a tree that keeps what each side really sent: number lexemes as written (1.0 stays
// 1.0, big integers keep their digits) and object members in order. Pure; json-view.js draws it.

const MAX_JSON_DEPTH = 200;

/**
 * @typedef {{ t: 'obj', entries: [string, JsonNode][] }
 *   | { t: 'arr', items: JsonNode[] }
 *   | { t: 'str', v: string }
 *   | { t: 'num', raw: string }
 *   | { t: 'lit', raw: string }} JsonNode
 */

/**
 * A small JSON parser that keeps number lexemes as written (1.0 stays 1.0, big integers keep
 * their digits) and object members in order, so the page shows what each side really sent.
 */
/** @param {string} text @returns {JsonNode} */
export function parseJson(text) {
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  let i = 0;
  /** @type {(what: string) => never} */
  const fail = (what) => { throw new SyntaxError(`${what} at offset ${i}`); };
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++; };
  const string = () => {
    STRING.lastIndex = i;
    const m = STRING.exec(text);
    if (!m) return fail('bad string');
    i += m[0].length;
    return JSON.parse(m[0]);
  };
  /** @type {(depth: number) => JsonNode} */
  const value = (depth) => {
    if (depth > MAX_JSON_DEPTH) fail('nested too deep');
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const isObject = c === '{';
      const close = isObject ? '}' : ']';
      /** @type {any[]} */
      const members = [];
      i++; ws();
      if (text[i] === close) { i++; return isObject ? { t: 'obj', entries: members } : { t: 'arr', items: members }; }
      for (;;) {
        ws();
        if (isObject) {
          if (text[i] !== '"') fail('expected a key');
          const key = string();
          ws();
          if (text[i] !== ':') fail("expected ':'");
          i++;
          members.push([key, value(depth + 1)]);
        } else members.push(value(depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === close) { i++; return isObject ? { t: 'obj', entries: members } : { t: 'arr', items: members }; }
        fail(`expected ',' or '${close}'`);
      }
    }
    if (c === '"') return { t: 'str', v: string() };
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m) { i += m[0].length; return { t: 'num', raw: m[0] }; }
    for (const lit of ['true', 'false', 'null']) if (text.startsWith(lit, i)) { i += lit.length; return { t: 'lit', raw: lit }; }
    return fail('unexpected character');
  };
  const root = value(0);
  ws();
  if (i !== text.length) fail('trailing data');
  return root;
}

/**
 * Same tree shape from an already-parsed value (trace data).
 * @param {unknown} v
 * @returns {JsonNode}
 */
export function toTree(v, depth = 0) {
  if (depth > MAX_JSON_DEPTH) return { t: 'str', v: '…' };
  if (Array.isArray(v)) return { t: 'arr', items: v.map((x) => toTree(x, depth + 1)) };
  if (v !== null && typeof v === 'object') return { t: 'obj', entries: Object.entries(v).map(([k, x]) => [k, toTree(x, depth + 1)]) };
  if (typeof v === 'string') return { t: 'str', v };
  if (typeof v === 'number') return { t: 'num', raw: String(v) };
  return { t: 'lit', raw: String(v) };
}

/**
 * The node at an RFC 6901 pointer, or undefined.
 * @param {JsonNode | null | undefined} root
 * @param {readonly string[]} segments   already unescaped
 * @returns {JsonNode | undefined}
 */
export function nodeAt(root, segments) {
  let node = root ?? undefined;
  for (const seg of segments) {
    if (!node) return undefined;
    if (node.t === 'obj') {
      // Duplicate keys: JSON.parse keeps the last one; so does the comparison.
      const hit = node.entries.filter(([k]) => k === seg).pop();
      node = hit?.[1];
    } else if (node.t === 'arr') {
      node = /^(0|[1-9]\d*)$/.test(seg) ? node.items[Number(seg)] : undefined;
    } else return undefined;
  }
  return node;
}

export const escapeSegment = (/** @type {string} */ s) => s.replace(/~/g, '~0').replace(/\//g, '~1');
