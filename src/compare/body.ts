// Chooses how to compare two bodies and applies the truncation rules.
//
// Truncated bodies (cut at the capture limit):
// - exactly one side truncated: the real bodies cannot be equal byte for byte (one exceeded the
//   limit, the other did not) and the whole cannot be parsed, so one 'unparseable' difference at
//   '' / 'body' names the truncated side. Comparing the prefix would give false matches.
// - both truncated: only the common-length prefixes are compared. Equal prefixes ⇒ match (nothing
//   we captured differs; a sampled-out tail cannot be judged). Different prefixes ⇒ text bodies
//   go through the text comparator on the prefixes; JSON cannot be parsed, so one 'unparseable'
//   difference; binary one 'changed' difference.
// Byte-identical bodies are equal whatever the comparator (incl. both empty) and skip parsing:
// an agent that reproduces even an invalid JSON body byte for byte is a faithful shadow.

import { compareBinaryBodies } from './binary.js';
import type { DifferenceCollector } from './differences.js';
import { compareJsonBodies, type JsonPlan } from './json.js';
import type { BodyKind } from './media-type.js';
import { compareTextBodies } from './text.js';
import type { CapturedResponse, TextCompareOptions } from './types.js';

export interface BodyPlan {
  json: JsonPlan;
  text: TextCompareOptions;
}

export function compareBodies(
  kind: BodyKind,
  legacy: CapturedResponse,
  agent: CapturedResponse,
  plan: BodyPlan,
  out: DifferenceCollector,
): { similarity?: number } {
  const identical = { similarity: kind === 'text' && plan.text.mode === 'similarity' ? 1 : undefined };
  if (legacy.truncated !== agent.truncated) {
    out.add('', 'body', 'unparseable', describeCapture(legacy), describeCapture(agent));
    return {};
  }
  if (legacy.truncated) {
    const length = Math.min(legacy.body.length, agent.body.length);
    const legacyPrefix = legacy.body.subarray(0, length);
    const agentPrefix = agent.body.subarray(0, length);
    if (legacyPrefix.equals(agentPrefix)) return identical;
    if (kind === 'text') return compareTextBodies(legacyPrefix, agentPrefix, plan.text, out);
    const note = `truncated body; captured prefix differs from byte ${firstDifferentByte(legacyPrefix, agentPrefix)}`;
    out.add('', 'body', kind === 'json' ? 'unparseable' : 'changed', note, note);
    return {};
  }
  if (legacy.body.equals(agent.body)) return identical;
  switch (kind) {
    case 'json':
      compareJsonBodies(legacy.body, agent.body, plan.json, out);
      return {};
    case 'text':
      return compareTextBodies(legacy.body, agent.body, plan.text, out);
    case 'binary':
      compareBinaryBodies(legacy.body, agent.body, out);
      return {};
  }
}

function describeCapture(response: CapturedResponse): string {
  return response.truncated
    ? `truncated at ${response.body.length} bytes`
    : `complete, ${response.body.length} bytes`;
}

function firstDifferentByte(a: Buffer, b: Buffer): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}
