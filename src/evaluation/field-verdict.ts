// The noise rule for one field: from its three difference counts (legacy vs agent, legacy vs
// legacy, agent vs agent) a verdict and one plain sentence telling the operator what to do.
import { twoProportionTest } from './statistics.js';

export type FieldVerdict = 'real' | 'noise' | 'agent_unstable' | 'insufficient';
export const FIELD_VERDICTS: readonly FieldVerdict[] = ['real', 'noise', 'agent_unstable', 'insufficient'];

export interface DifferenceCounts {
  /** Comparisons (of this kind, in the window) in which the field differed. */
  differs: number;
  /** Comparisons of this kind in the window. */
  total: number;
}

export interface FieldEvidence {
  raw: DifferenceCounts;
  legacyNoise: DifferenceCounts;
  agentNoise: DifferenceCounts;
}

export interface VerdictRules {
  /** Each of the three counts needs at least this many comparisons. */
  minSamples: number;
  /** Level of each one-sided two-proportion z-test. */
  alpha: number;
}

/**
 * The decision, in order (each test a one-sided pooled two-proportion z-test at `alpha`):
 * 1. `insufficient` when any kind has fewer than `minSamples` comparisons;
 * 2. `real` when the raw rate is significantly above the legacy-noise rate AND above the
 *    agent-noise rate;
 * 3. `noise` when legacy differs from itself at all and the raw rate is NOT significantly
 *    above the legacy-noise rate (legacy differs from itself about as often as from the agent);
 * 4. `agent_unstable` when the agent-noise rate is significantly above the legacy-noise rate;
 * 5. otherwise `insufficient`: the rates are not far enough apart to tell.
 */
export function classifyField(evidence: FieldEvidence, rules: VerdictRules): FieldVerdict {
  const { raw, legacyNoise: legacy, agentNoise: agent } = evidence;
  if (Math.min(raw.total, legacy.total, agent.total) < rules.minSamples) return 'insufficient';
  const above = (a: DifferenceCounts, b: DifferenceCounts) => twoProportionTest(a.differs, a.total, b.differs, b.total, rules.alpha).significant;
  const rawOverLegacy = above(raw, legacy);
  if (rawOverLegacy && above(raw, agent)) return 'real';
  if (!rawOverLegacy && legacy.differs > 0) return 'noise';
  if (above(agent, legacy)) return 'agent_unstable';
  return 'insufficient';
}

/** What the operator should do about the field, with the numbers behind the verdict. */
export function suggestionFor(field: string, verdict: FieldVerdict, evidence: FieldEvidence, rules: VerdictRules, otherLabel = 'other'): string {
  const { raw, legacyNoise: legacy, agentNoise: agent } = evidence;
  const r = percent(raw), l = percent(legacy), a = percent(agent);
  const subject = field === otherLabel ? `the fields counted together as "${otherLabel}"` : field;
  switch (verdict) {
    case 'noise':
      if (field === otherLabel) return `legacy differs from itself in ${l} of calibration pairs on ${subject}; raise metrics.maxFieldsPerRoute to see which fields they are`;
      return `${noiseRule(field)}: legacy differs from itself in ${l} of calibration pairs`;
    case 'real':
      return `keep comparing ${subject}: the agent differs from legacy in ${r} of comparisons, more than legacy from itself (${l}) and the agent from itself (${a})`;
    case 'agent_unstable':
      return `the agent is unstable on ${subject}: it differs from itself in ${a} of calibration pairs, legacy from itself in ${l}; make the agent deterministic there, or ignore it if any value is acceptable`;
    case 'insufficient':
      if (Math.min(raw.total, legacy.total, agent.total) < rules.minSamples) {
        return `not enough data yet for ${subject}: ${raw.total} comparisons, ${legacy.total} legacy pairs and ${agent.total} agent pairs in the window, ${rules.minSamples} of each needed (calibration.minSamples)`;
      }
      return `undecided for ${subject}: agent vs legacy ${r}, legacy vs legacy ${l}, agent vs agent ${a} are not far enough apart at alpha ${rules.alpha}; more traffic or a larger calibration.window will tell`;
  }
}

/** The rule that silences a noisy field, in the words of the compare config. */
function noiseRule(field: string): string {
  if (field === 'status') return 'stop comparing the status (compare.status: false)';
  if (field.startsWith('header:')) return `stop comparing header ${field.slice(7)} (remove it from compare.headers)`;
  if (field === 'body' || field === '') return 'compare the body more loosely (compare.text.mode: similarity, or a plug-in)';
  return `ignore ${field}`;
}

/** "96 %", "0.5 %", "0 %": whole percent from 1 % up, one significant digit below. */
export function percent(counts: DifferenceCounts): string {
  if (counts.total === 0) return 'n/a';
  const value = (counts.differs / counts.total) * 100;
  if (value === 0) return '0 %';
  return `${value < 1 ? Number(value.toPrecision(1)) : Math.round(value)} %`;
}
