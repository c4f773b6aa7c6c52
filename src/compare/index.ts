// compare/ owns judging a legacy response against the agent's: status, configured headers and a
// body comparator chosen by content type (JSON, text, binary) or a user plugin. Everything here is
// pure and deterministic, runs off the hot path, and neither logs nor counts.

import { compareBodies, type BodyPlan } from './body.js';
import { DifferenceCollector } from './differences.js';
import { compareHeaders, compileHeaderNames } from './headers.js';
import { createJsonPlan } from './json.js';
import { bodyKind, headerValue } from './media-type.js';
import { loadPluginComparator } from './plugin.js';
import { compilePatterns } from './pointer.js';
import { compareStatus } from './status.js';
import type { CompareFn, CompareOptions, CompareOutcome } from './types.js';

export { DEFAULT_COMPARE_OPTIONS } from './types.js';
export type {
  CapturedResponse,
  CompareContext,
  CompareFn,
  CompareOptions,
  CompareOutcome,
  Difference,
  DifferenceKind,
  StringNormalisation,
  TextCompareOptions,
} from './types.js';
export { ComparePluginError } from './plugin.js';

/**
 * Compiles the options once (patterns, header names, string normaliser) and returns the compare
 * function. Throws a RangeError listing every invalid option, or a ComparePluginError naming the
 * plugin path when it cannot be loaded or exports no function.
 */
export async function createComparator(options: CompareOptions): Promise<CompareFn> {
  const compiled = compileOptions(options);
  if (options.plugin !== undefined) return loadPluginComparator(options.plugin, options.maxDifferences);
  const { headers, body } = compiled;
  return (legacy, agent) => {
    const out = new DifferenceCollector(options.maxDifferences);
    if (options.status) compareStatus(legacy, agent, out);
    if (!out.full) compareHeaders(legacy, agent, headers, out);
    // Legacy decides the comparator (it is the reference); fall back to the agent's type.
    const kind = bodyKind(headerValue(legacy.headers, 'content-type') ?? headerValue(agent.headers, 'content-type'));
    const { similarity } = out.full ? {} : compareBodies(kind, legacy, agent, body, out);
    const outcome: CompareOutcome = {
      result: out.differences.length > 0 || out.truncated ? 'mismatch' : 'match',
      differences: out.differences,
      comparator: kind,
    };
    if (similarity !== undefined) outcome.similarity = similarity;
    if (out.truncated) outcome.truncatedDifferences = true;
    return outcome;
  };
}

function compileOptions(options: CompareOptions): { headers: string[]; body: BodyPlan } {
  const problems: string[] = [];
  const attempt = <T>(build: () => T): T | undefined => {
    try {
      return build();
    } catch (error) {
      problems.push((error as Error).message);
      return undefined;
    }
  };
  const ignore = attempt(() => compilePatterns(options.ignore, 'ignore'));
  const unordered = attempt(() => compilePatterns(options.unorderedArrays, 'unorderedArrays'));
  if (!Number.isFinite(options.numericTolerance) || options.numericTolerance < 0) {
    problems.push(`numericTolerance must be a finite number >= 0, got ${options.numericTolerance}`);
  }
  if (!['exact', 'normalized', 'similarity'].includes(options.text.mode)) {
    problems.push(`text.mode must be 'exact', 'normalized' or 'similarity', got '${options.text.mode}'`);
  }
  if (!(options.text.threshold >= 0 && options.text.threshold <= 1)) {
    problems.push(`text.threshold must be in [0, 1], got ${options.text.threshold}`);
  }
  if (!Number.isInteger(options.maxDifferences) || options.maxDifferences < 0) {
    problems.push(`maxDifferences must be an integer >= 0, got ${options.maxDifferences}`);
  }
  if (ignore === undefined || unordered === undefined || problems.length > 0) {
    throw new RangeError(`invalid compare options: ${problems.join('; ')}`);
  }
  const json = createJsonPlan({
    ignore,
    unordered,
    numericTolerance: options.numericTolerance,
    strings: options.strings,
  });
  return { headers: compileHeaderNames(options.headers), body: { json, text: options.text } };
}
