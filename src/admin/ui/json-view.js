// Pretty-printed JSON for the review page, with the values at chosen JSON Pointers wrapped in
// <mark data-pointer="…"> so highlighting is exact. Builds DOM nodes only (text nodes for all
// data), never markup strings.

const MAX_JSON_DEPTH = 200;

function h(tag, className, ...children) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  el.append(...children);
  return el;
}

/**
 * A small JSON parser that keeps number lexemes as written (1.0 stays 1.0, big integers keep
 * their digits) and object members in order, so the page shows what each side really sent.
 */
export function parseJson(text) {
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  let i = 0;
  const fail = (what) => { throw new SyntaxError(`${what} at offset ${i}`); };
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const string = () => {
    STRING.lastIndex = i;
    const m = STRING.exec(text);
    if (!m) fail('bad string');
    i += m[0].length;
    return JSON.parse(m[0]);
  };
  const value = (depth) => {
    if (depth > MAX_JSON_DEPTH) fail('nested too deep');
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const isObject = c === '{';
      const close = isObject ? '}' : ']';
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

/** Same tree shape from an already-parsed value (trace data). */
export function toTree(v, depth = 0) {
  if (depth > MAX_JSON_DEPTH) return { t: 'str', v: '…' };
  if (Array.isArray(v)) return { t: 'arr', items: v.map((x) => toTree(x, depth + 1)) };
  if (v !== null && typeof v === 'object') return { t: 'obj', entries: Object.entries(v).map(([k, x]) => [k, toTree(x, depth + 1)]) };
  if (typeof v === 'string') return { t: 'str', v };
  if (typeof v === 'number') return { t: 'num', raw: String(v) };
  return { t: 'lit', raw: String(v) };
}

const escapeSegment = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Pretty-prints a tree; the value at each pointer in `marks` is wrapped in <mark data-pointer>. */
export function renderJson(root, marks) {
  const pre = h('pre', 'code json');
  const pad = (depth) => '  '.repeat(depth);
  const emit = (parent, node, pointer, depth) => {
    let target = parent;
    if (marks.has(pointer)) {
      target = h('mark', 'diff');
      target.dataset.pointer = pointer;
      parent.append(target);
    }
    if (node.t === 'str') target.append(h('span', 'j-str', JSON.stringify(node.v)));
    else if (node.t === 'num') target.append(h('span', 'j-num', node.raw));
    else if (node.t === 'lit') target.append(h('span', node.raw === 'null' ? 'j-null' : 'j-bool', node.raw));
    else {
      const isObject = node.t === 'obj';
      const members = isObject ? node.entries : node.items;
      const [open, close] = isObject ? ['{', '}'] : ['[', ']'];
      if (members.length === 0) { target.append(open + close); return; }
      target.append(open);
      members.forEach((member, index) => {
        target.append(`\n${pad(depth + 1)}`);
        let childPointer;
        let child;
        if (isObject) {
          childPointer = `${pointer}/${escapeSegment(member[0])}`;
          child = member[1];
          target.append(h('span', marks.has(childPointer) ? 'j-key is-diff' : 'j-key', JSON.stringify(member[0])), ': ');
        } else {
          childPointer = `${pointer}/${index}`;
          child = member;
        }
        emit(target, child, childPointer, depth + 1);
        if (index < members.length - 1) target.append(',');
      });
      target.append(`\n${pad(depth)}${close}`);
    }
  };
  emit(pre, root, '', 0);
  return pre;
}
