// A route's evaluation state, kept for the process and carried across reloads by name: raw and
// adjusted agreement, noise calibration, the agent's call outcomes and both sides' latencies
// (readiness), and each candidate's agreement. Fed off the client's path (the comparison
// recorder; the serve path pushes one boolean per agent call); read by the admin API and by
// the gauges when scraped.
import type { Config, RouteConfig } from '../config/schema.js';
import type { Metrics } from '../metrics/definitions.js';
import { BoolRing } from '../store/bool-ring.js';
import { COMPARISON_RESULTS } from '../store/result-window.js';
import { AgreementWindow, readinessWindowSize } from './agreement.js';
import { NoiseCalibration, type FieldsResponse } from './calibration.js';
import { LatencyWindow } from './latency-window.js';
import { PROMOTION_LEVELS, readinessResponse, type ReadinessData, type ReadinessResponse, type ServeLevel } from './readiness.js';

/** Why a calibration pair was not sent, or not used. */
export const CALIBRATION_DROP_REASONS = ['backpressure', 'buffer_full', 'circuit_open', 'draining', 'legacy_unusable', 'agent_unusable'] as const;
export type CalibrationDropReason = (typeof CALIBRATION_DROP_REASONS)[number];

export interface CandidateAgreement { name: string; agreement: number | null; n: number }

export class RouteEvaluation {
  calibration: NoiseCalibration | null = null;
  agreement: AgreementWindow;
  /** The agent's recent calls (shadow and serve): true = failed (transport error or 5xx). */
  calls: BoolRing;
  agentLatency: LatencyWindow;
  legacyLatency: LatencyWindow;
  /** Calibration pairs in flight; calibration.maxInFlight bounds it. */
  calibrating = 0;
  private config: RouteConfig;
  private calibrationKey = '';
  private candidates = new Map<string, BoolRing>();

  constructor(readonly route: string, route0: RouteConfig, config: Config, private readonly metrics: Metrics) {
    this.config = route0;
    const size = readinessWindowSize(config.samples.window, route0.promotion);
    this.agreement = new AgreementWindow(size);
    this.calls = new BoolRing(size);
    this.agentLatency = new LatencyWindow(size);
    this.legacyLatency = new LatencyWindow(size);
    this.configure(route0, config);
  }

  /** The route's config (first build or live reload): windows keep their newest entries. */
  configure(route: RouteConfig, config: Config): void {
    this.config = route;
    const size = readinessWindowSize(config.samples.window, route.promotion);
    if (size !== this.agreement.capacity) {
      this.agreement = this.agreement.resized(size);
      this.calls = this.calls.resized(size);
      this.agentLatency = this.agentLatency.resized(size);
      this.legacyLatency = this.legacyLatency.resized(size);
    }
    this.configureCalibration(route, config);
    this.configureCandidates(route, config.samples.window);
  }

  private configureCalibration(route: RouteConfig, config: Config): void {
    const cal = route.calibration;
    if (!cal) { this.calibration = null; this.calibrationKey = ''; return; }
    const options = { window: cal.window, minSamples: cal.minSamples, alpha: cal.alpha, maxFields: config.metrics.maxFieldsPerRoute };
    const key = JSON.stringify(options);
    if (this.calibration && key === this.calibrationKey) {
      this.calibration.setIgnore(route.compare.ignore);
    } else {
      // New windows: counts gathered under other rules (window, alpha, bound) would mislead.
      this.calibration = new NoiseCalibration(route.name, {
        ...options, ignore: route.compare.ignore,
        onOverflow: () => this.metrics.labelOverflow.inc({ metric: 'calibration_fields' }),
      });
      this.calibrationKey = key;
    }
    for (const reason of CALIBRATION_DROP_REASONS) this.metrics.calibrationDropped.inc({ route: route.name, reason }, 0);
  }

  private configureCandidates(route: RouteConfig, window: number): void {
    const names = route.candidates ?? [];
    const next = new Map<string, BoolRing>();
    for (const name of names) {
      const ring = this.candidates.get(name);
      next.set(name, ring === undefined ? new BoolRing(window) : ring.capacity === window ? ring : ring.resized(window));
      for (const result of COMPARISON_RESULTS) this.metrics.candidateComparisons.inc({ route: route.name, candidate: name, result }, 0);
    }
    this.candidates = next;
  }

  /** One comparison of a candidate with legacy (shadow mode, routes with `candidates`). */
  recordCandidate(name: string, result: string, durationMs: number | undefined): void {
    this.metrics.candidateComparisons.inc({ route: this.route, candidate: name, result });
    if (durationMs !== undefined) this.candidateDuration(name, durationMs);
    if (result === 'match' || result === 'mismatch') this.candidates.get(name)?.push(result === 'match');
  }

  /** A candidate's answer time (shadow and quorum calls). */
  candidateDuration(name: string, durationMs: number): void {
    this.metrics.candidateDuration.observe({ route: this.route, candidate: name }, durationMs / 1000);
  }

  /** /api/routes `candidates`: match / (match + mismatch) over the last samples.window comparisons of each. */
  candidateAgreement(): CandidateAgreement[] | null {
    if (this.config.candidates === undefined) return null;
    return [...this.candidates].map(([name, ring]) => ({ name, agreement: ring.size === 0 ? null : ring.trues / ring.size, n: ring.size }));
  }

  dropCalibration(reason: CalibrationDropReason): void {
    this.metrics.calibrationDropped.inc({ route: this.route, reason });
  }

  /** GET /api/routes/:name/fields. Without calibration nothing is measured against noise: an empty list. */
  fields(): FieldsResponse & { calibration: 'on' | 'off' } {
    return this.calibration ? { ...this.calibration.fields(), calibration: 'on' } : { route: this.route, fields: [], calibration: 'off' };
  }

  readinessData(adjudicated: ReadinessData['adjudicated']): ReadinessData {
    const s = this.agreement.snapshot();
    return {
      agreement: { raw: s.raw, adjusted: this.calibration ? s.adjusted : null },
      agent: { calls: this.calls.size, errors: this.calls.trues },
      p99Ms: { agent: this.agentLatency.quantile(0.99), legacy: this.legacyLatency.quantile(0.99) },
      adjudicated,
    };
  }

  readiness(level: ServeLevel, adjudicated: ReadinessData['adjudicated']): ReadinessResponse {
    return readinessResponse(this.route, level, this.readinessData(adjudicated), this.config.promotion);
  }

  /** shadowgate_agreement_ratio (adjusted equals raw while no calibration runs: no noise is known). */
  syncAgreementGauge(): void {
    const { raw, adjusted } = this.agreement.ratios();
    if (raw !== null) this.metrics.agreementRatio.set({ route: this.route, kind: 'raw' }, raw);
    if (adjusted !== null) this.metrics.agreementRatio.set({ route: this.route, kind: 'adjusted' }, adjusted);
  }

  syncReadinessGauge(adjudicated: ReadinessData['adjudicated']): void {
    const r = this.readiness('shadow', adjudicated);
    for (const level of PROMOTION_LEVELS) this.metrics.promotionReady.set({ route: this.route, level }, r.levels[level].ready ? 1 : 0);
  }
}

/** The route's serve level now, from its serve flag's rollout: what readiness calls `level`. */
export function serveLevel(serveRollout: number): ServeLevel {
  return serveRollout >= 100 ? 'full' : serveRollout > 0 ? 'conditional' : 'shadow';
}
