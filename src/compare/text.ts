// Non-JSON textual bodies (HTML, XML, plain text, form bodies, scripts).
// Similarity is the Sørensen–Dice coefficient over the multisets of lower-cased word tokens:
//   2·|A ∩ B| / (|A| + |B|)
// It ignores token order, which suits pages where blocks move around, and is linear in the
// number of tokens. Only the first MAX_SIMILARITY_TOKENS tokens of each side are considered, so
// a 1 MB body costs a bounded amount of work; differences past that point are invisible to it.

import type { DifferenceCollector } from './differences.js';
import type { TextCompareOptions } from './types.js';

export const MAX_SIMILARITY_TOKENS = 10_000;

/** How much context an excerpt shows before the first differing character. */
const EXCERPT_LEAD = 40;
const EXCERPT_LENGTH = 201; // one over the difference value cap, so the cut is visible as '…'

const WORD = /[\p{L}\p{N}_]+/gu;

export function compareTextBodies(
  legacyBody: Buffer,
  agentBody: Buffer,
  options: TextCompareOptions,
  out: DifferenceCollector,
): { similarity?: number } {
  const legacy = legacyBody.toString('utf8');
  const agent = agentBody.toString('utf8');
  switch (options.mode) {
    case 'exact':
      if (legacy !== agent) reportText(legacy, agent, out);
      return {};
    case 'normalized': {
      const legacyNormal = normaliseText(legacy);
      const agentNormal = normaliseText(agent);
      if (legacyNormal !== agentNormal) reportText(legacyNormal, agentNormal, out);
      return {};
    }
    case 'similarity': {
      const similarity = textSimilarity(legacy, agent);
      if (similarity < options.threshold) reportText(legacy, agent, out);
      return { similarity };
    }
  }
}

/** Trim, collapse runs of whitespace to one space, lower-case (locale-independent). */
export function normaliseText(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

/**
 * Dice coefficient over word-token multisets, in [0, 1]. When neither side has any word token
 * (e.g. punctuation only) it falls back to normalised equality: 1 or 0.
 */
export function textSimilarity(legacy: string, agent: string): number {
  if (legacy === agent) return 1;
  const legacyTokens = tokenCounts(legacy);
  const agentTokens = tokenCounts(agent);
  if (legacyTokens.total + agentTokens.total === 0) {
    return normaliseText(legacy) === normaliseText(agent) ? 1 : 0;
  }
  let shared = 0;
  for (const [token, count] of legacyTokens.counts) {
    shared += Math.min(count, agentTokens.counts.get(token) ?? 0);
  }
  return (2 * shared) / (legacyTokens.total + agentTokens.total);
}

function tokenCounts(text: string): { counts: Map<string, number>; total: number } {
  const counts = new Map<string, number>();
  let total = 0;
  // A fresh regex per call: the shared one is stateful (lastIndex) under the 'g' flag.
  const word = new RegExp(WORD.source, WORD.flags);
  for (let match = word.exec(text); match !== null && total < MAX_SIMILARITY_TOKENS; match = word.exec(text)) {
    const token = match[0].toLowerCase();
    counts.set(token, (counts.get(token) ?? 0) + 1);
    total++;
  }
  return { counts, total };
}

function reportText(legacy: string, agent: string, out: DifferenceCollector): void {
  const at = firstDifference(legacy, agent);
  out.add('', 'body', 'text', excerpt(legacy, at), excerpt(agent, at));
}

function firstDifference(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  let i = 0;
  while (i < length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

function excerpt(text: string, at: number): string {
  const start = Math.max(0, at - EXCERPT_LEAD);
  return (start > 0 ? '…' : '') + text.slice(start, start + EXCERPT_LENGTH);
}
