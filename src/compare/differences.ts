// Collects differences up to `maxDifferences` and keeps reported values short, so one huge or
// wildly different response can neither grow a sample without bound nor keep the walker busy.

import type { Difference, DifferenceKind } from './types.js';

const MAX_STRING = 200;

export class DifferenceCollector {
  readonly differences: Difference[] = [];
  /** Set once a difference had to be dropped because the cap was reached. */
  truncated = false;

  constructor(private readonly max: number) {}

  /** Returns true when the caller should stop looking: nothing more will be recorded. */
  add(pointer: string, field: string, kind: DifferenceKind, legacy?: unknown, agent?: unknown): boolean {
    if (this.differences.length >= this.max) {
      this.truncated = true;
      return true;
    }
    const difference: Difference = { pointer, field, kind };
    if (legacy !== undefined) difference.legacy = shortValue(legacy);
    if (agent !== undefined) difference.agent = shortValue(agent);
    this.differences.push(difference);
    return false;
  }

  get full(): boolean {
    return this.truncated;
  }
}

/**
 * Strings longer than 200 chars are cut (with '…'); objects and arrays that would serialise
 * longer than that become a cut JSON preview string. The preview stops as soon as it passes the
 * limit, so a 1 MB subtree costs about 200 characters of work.
 */
export function shortValue(value: unknown): unknown {
  if (typeof value === 'string') return truncate(value);
  if (value === null || typeof value !== 'object') return value;
  const { text, complete } = preview(value, MAX_STRING);
  return complete ? value : truncate(text);
}

function truncate(text: string): string {
  return text.length > MAX_STRING ? text.slice(0, MAX_STRING) + '…' : text;
}

function preview(value: unknown, limit: number): { text: string; complete: boolean } {
  let text = '';
  const write = (part: string): boolean => {
    text += part;
    return text.length <= limit;
  };
  // Depth is bounded by the limit: every level writes at least one character before descending.
  const visit = (node: unknown): boolean => {
    if (Array.isArray(node)) {
      if (!write('[')) return false;
      for (let i = 0; i < node.length; i++) {
        if ((i > 0 && !write(',')) || !visit(node[i])) return false;
      }
      return write(']');
    }
    if (node !== null && typeof node === 'object') {
      if (!write('{')) return false;
      let first = true;
      for (const key in node) {
        if (!Object.hasOwn(node, key)) continue;
        if (!write((first ? '' : ',') + JSON.stringify(key.slice(0, limit + 1)) + ':')) return false;
        if (!visit((node as Record<string, unknown>)[key])) return false;
        first = false;
      }
      return write('}');
    }
    if (typeof node === 'string') return write(JSON.stringify(node.slice(0, limit + 1)));
    return write(String(JSON.stringify(node)));
  };
  const complete = visit(value);
  return { text, complete };
}
