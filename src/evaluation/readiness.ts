// Promotion readiness: is the route's evidence strong enough for the next serve level? Every
// check is stated as a plain sentence carrying its numbers, so the answer can be read without
// the code. Pure: the route's counts and the promotion config in, the JSON of
// GET /api/routes/:name/readiness out.
import { wilsonInterval, type ProportionInterval } from './statistics.js';

/** Adjudicated accuracy counts only over at least this many review verdicts. */
export const MIN_VERDICTS = 10;
export const PROMOTION_LEVELS = ['conditional', 'full'] as const;
export type PromotionLevelName = (typeof PROMOTION_LEVELS)[number];
export type ServeLevel = 'shadow' | PromotionLevelName;

export interface PromotionLevel {
  minAgreement: number;
  confidence: number;
  minSamples: number;
  maxErrorRate: number;
  maxP99Ratio?: number;
  minAdjudicatedAccuracy?: number;
}
export type PromotionConfig = Record<PromotionLevelName, PromotionLevel>;

export interface AgreementCounts { match: number; n: number }

/** What the route knows; the lead gathers it from the route's windows, histograms and verdicts. */
export interface ReadinessData {
  agreement: {
    raw: AgreementCounts;
    /** Present when calibration runs on the route: then it is what readiness judges. */
    adjusted?: AgreementCounts | null;
  };
  agent: { calls: number; errors: number };
  p99Ms: { agent: number | null; legacy: number | null };
  adjudicated: { accuracy: number | null; verdicts: number };
}

export interface IntervalReport { observed: number | null; lower: number; upper: number; n: number }

export interface LevelReadiness {
  ready: boolean;
  /** Not ready: the checks that failed. Ready: every check, each saying why it passed. */
  reasons: string[];
  agreement: IntervalReport;
  errorRate: IntervalReport;
  p99Ratio: number | null;
  adjudicatedAccuracy: number | null;
}

export interface ReadinessResponse {
  route: string;
  level: ServeLevel;
  levels: Record<PromotionLevelName, LevelReadiness>;
}

interface Check { pass: boolean; reason: string }

export function evaluateLevel(data: ReadinessData, level: PromotionLevel): LevelReadiness {
  const adjusted = data.agreement.adjusted ?? null;
  const counts = adjusted ?? data.agreement.raw;
  const label = adjusted ? 'adjusted agreement' : 'agreement';
  const agreement = wilsonInterval(counts.match, counts.n, level.confidence);
  const errorRate = wilsonInterval(data.agent.errors, data.agent.calls, level.confidence);
  const p99Ratio = ratio(data.p99Ms.agent, data.p99Ms.legacy);
  const checks: Check[] = [
    samplesCheck(counts.n, level.minSamples),
    agreementCheck(label, agreement, level.minAgreement),
    errorCheck(errorRate, level.maxErrorRate),
  ];
  if (level.maxP99Ratio !== undefined) checks.push(latencyCheck(data.p99Ms, p99Ratio, level.maxP99Ratio));
  if (level.minAdjudicatedAccuracy !== undefined) checks.push(accuracyCheck(data.adjudicated, level.minAdjudicatedAccuracy));
  const failed = checks.filter((c) => !c.pass);
  return {
    ready: failed.length === 0,
    reasons: (failed.length > 0 ? failed : checks).map((c) => c.reason),
    agreement: report(agreement),
    errorRate: report(errorRate),
    p99Ratio,
    adjudicatedAccuracy: data.adjudicated.accuracy,
  };
}

export function evaluateReadiness(data: ReadinessData, promotion: PromotionConfig): Record<PromotionLevelName, LevelReadiness> {
  return { conditional: evaluateLevel(data, promotion.conditional), full: evaluateLevel(data, promotion.full) };
}

/** The whole body of GET /api/routes/:name/readiness; `level` is the route's level now (from its serve flag). */
export function readinessResponse(route: string, level: ServeLevel, data: ReadinessData, promotion: PromotionConfig): ReadinessResponse {
  return { route, level, levels: evaluateReadiness(data, promotion) };
}

function samplesCheck(n: number, minSamples: number): Check {
  return n >= minSamples
    ? { pass: true, reason: `${n} comparisons ≥ ${minSamples} needed (minSamples)` }
    : { pass: false, reason: `only ${n} comparisons, ${minSamples} needed (minSamples)` };
}

function agreementCheck(label: string, ci: ProportionInterval, min: number): Check {
  if (ci.n === 0) return { pass: false, reason: `no comparisons yet: ${label} unknown` };
  const pass = ci.lower >= min;
  return { pass, reason: `${label} lower bound ${vs(ci.lower, min)} ${pass ? '≥' : '<'} ${min} (n=${ci.n}, observed ${fixed(ci.observed!)})` };
}

function errorCheck(ci: ProportionInterval, max: number): Check {
  if (ci.n === 0) return { pass: false, reason: 'no agent calls yet: agent error rate unknown' };
  const pass = ci.upper <= max;
  return { pass, reason: `agent error rate upper bound ${vs(ci.upper, max)} ${pass ? '≤' : '>'} ${max} (n=${ci.n} calls, observed ${fixed(ci.observed!)})` };
}

function latencyCheck(p99: ReadinessData['p99Ms'], value: number | null, max: number): Check {
  if (value === null) return { pass: false, reason: 'p99 ratio unknown: no agent or legacy latency yet (maxP99Ratio)' };
  const pass = value <= max;
  return { pass, reason: `agent p99 ${ms(p99.agent!)} is ${vs(value, max, 2)} × legacy p99 ${ms(p99.legacy!)}, ${pass ? 'within' : 'above'} ${max} × (maxP99Ratio)` };
}

function accuracyCheck(adjudicated: ReadinessData['adjudicated'], min: number): Check {
  if (adjudicated.verdicts < MIN_VERDICTS || adjudicated.accuracy === null) {
    return { pass: false, reason: `only ${adjudicated.verdicts} review verdicts, ${MIN_VERDICTS} needed for adjudicated accuracy (minAdjudicatedAccuracy)` };
  }
  const pass = adjudicated.accuracy >= min;
  return { pass, reason: `adjudicated accuracy ${vs(adjudicated.accuracy, min)} ${pass ? '≥' : '<'} ${min} (${adjudicated.verdicts} verdicts)` };
}

function ratio(agent: number | null, legacy: number | null): number | null {
  return agent === null || legacy === null || !(legacy > 0) || !(agent >= 0) ? null : agent / legacy;
}

function report(ci: ProportionInterval): IntervalReport {
  return { observed: ci.observed, lower: ci.lower, upper: ci.upper, n: ci.n };
}

function fixed(x: number, digits = 3): string {
  return x.toFixed(digits);
}

/** `x` to `digits` decimals, with more where rounding would put it on the wrong side of `threshold`. */
function vs(x: number, threshold: number, digits = 3): string {
  for (let d = digits; d <= 8; d++) {
    const shown = Number(x.toFixed(d));
    if (Math.sign(shown - threshold) === Math.sign(x - threshold)) return x.toFixed(d);
  }
  return String(x);
}

function ms(value: number): string {
  return `${value >= 100 ? Math.round(value) : Number(value.toPrecision(3))} ms`;
}
