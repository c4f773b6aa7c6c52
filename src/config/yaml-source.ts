// The config file as YAML: parsed into a document that keeps line numbers (so problems can
// name the line), with a syntax error shown as the offending line and a caret.
//
// `${VAR}` inside a flow collection (`admin: { port: 9191, token: ${TOKEN} }`) is not valid
// YAML: "{" and "}" are flow indicators. When a file fails to parse, such references are
// quoted ("${TOKEN}") and the file is parsed again. Only the reference is quoted, never its
// value: interpolation still happens after parsing, so a value containing YAML syntax
// (", : { } #") can never change the document's structure.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ShadowgateError } from '../errors.js';

export interface YamlSource {
  doc: Document.Parsed;
  lines: LineCounter;
  /** true when unquoted ${VAR} references in flow collections had to be quoted. */
  quotedReferences: boolean;
}

interface Parsed { doc: Document.Parsed; lines: LineCounter }

function parse(text: string): Parsed {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  return { doc, lines };
}

/** Throws SG_CONFIG_READ naming `file`, the line and column, with a caret and a hint. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const first = parse(text);
  if (first.doc.errors.length === 0) return { ...first, quotedReferences: false };
  const quoted = quoteFlowReferences(text);
  let report = first;
  if (quoted !== text) {
    const second = parse(quoted);
    if (second.doc.errors.length === 0) return { ...second, quotedReferences: true };
    // Quoting fixed the first error: what is left is a different mistake, on a line that
    // quoting did not touch (columns there are the user's own).
    const line = (p: Parsed) => p.lines.linePos(p.doc.errors[0]!.pos[0]).line;
    const touched = (n: number) => text.split(/\r?\n/)[n - 1] !== quoted.split(/\r?\n/)[n - 1];
    if (line(second) > line(first) && !touched(line(second))) report = second;
  }
  const error = report.doc.errors[0]!;
  const { line, col } = report.lines.linePos(error.pos[0]);
  const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const sourceLine = text.split(/\r?\n/)[line - 1] ?? '';
  throw new ShadowgateError('SG_CONFIG_READ', `${file}:${line}:${col}: not valid YAML: ${message}\n${snippet(sourceLine, line, col)}${report === first ? hintFor(sourceLine) : ''}`);
}

/** The line with its number and a caret under column `col` (1-based). */
export function snippet(sourceLine: string, line: number, col: number): string {
  const gutter = String(line);
  const pad = ' '.repeat(gutter.length);
  // Keep tabs so the caret lines up under the same character in a terminal.
  const lead = [...sourceLine.slice(0, Math.max(0, col - 1))].map((c) => (c === '\t' ? '\t' : ' ')).join('');
  return `  ${gutter} | ${sourceLine}\n  ${pad} | ${lead}^`;
}

function hintFor(sourceLine: string): string {
  const ref = /(^|[\s{[,])([A-Za-z0-9_.-]+:\s*)?(\$\{[^}\s]*\})/.exec(sourceLine);
  if (!ref || !/[{[]/.test(sourceLine)) return '';
  const key = ref[2] ?? '';
  return `\n  hint: inside { } or [ ], quote a \${VAR} reference: ${key}"${ref[3]}"`;
}

const INDICATORS = new Set([',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`']);

/**
 * Wraps each plain scalar inside a flow collection that contains a ${...} reference in
 * double quotes. Quoted scalars, comments and block scalars are left as they are.
 */
export function quoteFlowReferences(text: string): string {
  let out = '';
  let depth = 0;
  let i = 0;
  const n = text.length;
  const atNodeStart = (at: number) => at === 0 || /[\s[{,]/.test(text[at - 1]!);
  while (i < n) {
    const c = text[i]!;
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = lineEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if ((c === '"' || c === "'") && atNodeStart(i)) {
      const end = quotedEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if ((c === '|' || c === '>') && depth === 0 && /[:-][ \t]+$/.test(text.slice(text.lastIndexOf('\n', i - 1) + 1, i))) {
      const end = blockScalarEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if ((c === '{' || c === '[') && atNodeStart(i)) {
      depth++;
      out += c;
      i++;
    } else if ((c === '}' || c === ']') && depth > 0) {
      depth--;
      out += c;
      i++;
    } else if (depth === 0 && !/\s/.test(c) && !INDICATORS.has(c) && atNodeStart(i) && !/^[-?:](\s|$)/.test(text.slice(i, i + 2))) {
      // A block plain scalar: "{" or "[" inside it is text, not a flow collection.
      const end = blockPlainEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (depth > 0 && !/\s/.test(c) && !INDICATORS.has(c) && atNodeStart(i)) {
      const end = flowPlainEnd(text, i);
      const scalar = text.slice(i, end);
      out += /\$\{[^}]*\}/.test(scalar) ? JSON.stringify(scalar) : scalar;
      i = end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end === -1 ? text.length : end;
}

function quotedEnd(text: string, start: number): number {
  const q = text[start]!;
  let i = start + 1;
  while (i < text.length) {
    if (q === '"' && text[i] === '\\') { i += 2; continue; }
    if (text[i] === q) {
      if (q === "'" && text[i + 1] === "'") { i += 2; continue; }
      return i + 1;
    }
    i++;
  }
  return text.length;
}

/** A `|` or `>` block scalar runs until a non-empty line indented no deeper than its key's line. */
function blockScalarEnd(text: string, start: number): number {
  const indent = (line: string) => /^ */.exec(line)![0].length;
  const keyIndent = indent(text.slice(text.lastIndexOf('\n', start) + 1));
  let pos = lineEnd(text, start);
  while (pos < text.length) {
    const end = lineEnd(text, pos + 1);
    const line = text.slice(pos + 1, end);
    if (line.trim() !== '' && indent(line) <= keyIndent) return pos;
    pos = end;
  }
  return text.length;
}

/** End of a plain scalar in block context: ": " (it was a key), " #" or the line's end. */
function blockPlainEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n' || c === '\r') break;
    if (c === ':' && (i + 1 >= text.length || /\s/.test(text[i + 1]!))) break;
    if (c === '#' && /\s/.test(text[i - 1] ?? '')) break;
    i++;
  }
  return i;
}

/** End of a plain scalar in flow context: a flow indicator, ": ", " #" or the line's end; ${...} is skipped whole. */
function flowPlainEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '$' && text[i + 1] === '{') {
      const close = text.indexOf('}', i);
      if (close !== -1 && !text.slice(i, close).includes('\n')) { i = close + 1; continue; }
    }
    if (c === '\n' || c === '\r' || c === ',' || c === '[' || c === ']' || c === '{' || c === '}') break;
    if (c === ':' && (i + 1 >= text.length || /[\s,[\]{}]/.test(text[i + 1]!))) break;
    if (c === '#' && /\s/.test(text[i - 1] ?? '')) break;
    i++;
  }
  while (i > start && /\s/.test(text[i - 1]!)) i--;
  return i;
}

/** 1-based line of the key (or item) at `path`; the nearest enclosing key's line when it is absent. */
export function lineOf(source: YamlSource, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = source.doc.contents;
  let offset: number | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) break;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : source.lines.linePos(offset).line;
}
