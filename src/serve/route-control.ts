// Progressive autonomy for one route: the per-pod kill switch, the guardrail (demotion and
// probation), the agent's circuit breaker, and the share of traffic the agent served. The
// request path reads it through state() (cheap, no side effects but a cool-down coming due);
// the recorder and the serve path feed it outcomes; the admin API acts on it.
import type { RouteConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/definitions.js';
import type { ComparisonResult } from '../store/result-window.js';
import { BoolRing } from '../store/bool-ring.js';
import { AgentBreaker, CIRCUIT_GAUGE } from './breaker.js';
import type { GateFn } from './gates.js';
import { Guardrail } from './guardrail.js';

export const ROUTE_MODES = ['shadow', 'conditional', 'full', 'probation', 'demoted', 'killed'] as const;
export type RouteMode = (typeof ROUTE_MODES)[number];

export interface RouteState { killed: boolean; demoted: boolean; probation: boolean; circuitOpen: boolean }
export interface KillInfo { by: string; why: string; at: string }
export interface ProbationInfo { since: string; by: string; why: string }

/** What the control reads of the route's flags (see RouteFlags). */
export interface RolloutReader {
  serve(): number;
  kill(): number;
}

const SHARE_WINDOW = 1000;

/** Fallback reasons whose series exist from the start (rate() and alerts see the first event). */
export const FALLBACK_REASONS = ['timeout', 'status', 'confidence', 'schema', 'circuit_open', 'killed', 'demoted', 'probation', 'backpressure'] as const;

export class RouteControl {
  breaker: AgentBreaker;
  readonly guardrail: Guardrail;
  gates: GateFn;
  /** The per-pod kill (admin API). The fleet-wide kill is the route's kill flag. */
  killed: KillInfo | null = null;
  /** After a reset or cool-down: the agent stays off the serving path until the window passes again. */
  probation: ProbationInfo | null = null;
  /** Recent answered requests of the route: true = the agent answered. */
  readonly served = new BoolRing(SHARE_WINDOW);
  private demoted = false;
  private warned = false;
  private readonly agreementGauge: ReturnType<Metrics['guardrailAgreement']['labels']>;
  private shownKey = '';

  constructor(
    readonly name: string,
    private config: RouteConfig,
    gates: GateFn,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private rollouts: RolloutReader,
  ) {
    this.gates = gates;
    this.agreementGauge = metrics.guardrailAgreement.labels(name);
    this.breaker = this.createBreaker(config);
    this.guardrail = new Guardrail(config.guardrail);
    metrics.circuitState.set({ route: name }, 0);
    for (const reason of FALLBACK_REASONS) metrics.fallbacks.inc({ route: name, reason }, 0);
    this.syncGauges();
  }

  private createBreaker(config: RouteConfig): AgentBreaker {
    return new AgentBreaker(config.breaker, (state) => {
      this.metrics.circuitState.set({ route: this.name }, CIRCUIT_GAUGE[state]);
      this.log.warn({ route: this.name, circuit: state }, 'agent circuit changed state');
    });
  }

  /**
   * The route's config changed (live reload): kill, probation, demotion and the guardrail's
   * recent outcomes carry over; a changed breaker config starts a closed circuit.
   */
  reconfigure(config: RouteConfig, gates: GateFn, rollouts: RolloutReader): void {
    if (JSON.stringify(config.breaker) !== JSON.stringify(this.config.breaker)) {
      this.breaker = this.createBreaker(config);
      this.metrics.circuitState.set({ route: this.name }, 0);
    }
    this.guardrail.reconfigure(config.guardrail);
    this.config = config;
    this.gates = gates;
    this.rollouts = rollouts;
    this.syncGauges();
  }

  /** Read by every matched request. */
  state(): RouteState {
    if (this.demoted && !this.guardrail.isDemoted()) {
      // The cool-down passed: back to probation, not straight to serving (the window is empty).
      this.demoted = false;
      this.startProbation('guardrail', 'cool-down passed');
    }
    return { killed: this.killed !== null, demoted: this.demoted, probation: this.probation !== null, circuitOpen: this.breaker.isOpen() };
  }

  onServed(byAgent: boolean): void {
    this.served.push(byAgent);
  }

  /** A recorded comparison (shadow or parallel serve). The serve path counts its own agent calls. */
  onComparison(result: ComparisonResult, fromServePath: boolean): void {
    if (result === 'skipped' || result === 'legacy_error') return;
    if (!fromServePath) this.guardrail.recordCall(result === 'agent_error');
    if (result === 'match' || result === 'mismatch') this.guardrail.recordComparison(result === 'match');
    this.evaluate();
  }

  /** An agent call of the serve path (failed: transport error or 5xx). */
  onServeCall(failed: boolean): void {
    this.guardrail.recordCall(failed);
    this.evaluate();
  }

  private evaluate(): void {
    // Off the client's path, but once per comparison: no label hashing, no status object.
    const agreement = this.guardrail.agreement();
    if (agreement !== null) this.agreementGauge.set(agreement);
    this.state();
    if (this.demoted) return;
    if (this.probation) {
      if (this.guardrail.passes()) {
        const status = this.guardrail.status();
        this.log.warn({ event: 'probation_ended', route: this.name, agreement: status.agreement, comparisons: status.comparisons }, 'probation ended: the window passes the guardrail, the agent serves again');
        this.probation = null;
        this.syncGauges();
      }
      return;
    }
    const reason = this.guardrail.check();
    if (reason === null) { this.warned = false; return; }
    if (!this.isServing()) {
      // A route the agent does not serve has nothing to demote; say so once per bad spell.
      if (!this.warned) {
        this.warned = true;
        this.metrics.guardrailWarnings.inc({ route: this.name });
        this.log.warn({ event: 'guardrail_warning', route: this.name, why: reason }, 'guardrail fails on a route the agent does not serve: not demoted (it would be, if it served)');
      }
      return;
    }
    this.guardrail.demote(reason);
    this.demoted = true;
    this.syncGauges();
    this.log.warn({ event: 'demoted', route: this.name, who: 'guardrail', why: reason }, 'route demoted: agent stops serving, shadowing continues');
  }

  private isServing(): boolean {
    return this.rollouts.serve() > 0;
  }

  private startProbation(by: string, why: string): void {
    if (!this.isServing()) { this.syncGauges(); return; } // nothing to hold back
    this.probation = { since: new Date().toISOString(), by, why };
    this.syncGauges();
    this.log.warn({ event: 'probation', route: this.name, who: by, why }, 'route on probation: shadow comparisons refill the window before the agent serves again');
  }

  kill(who: string, why: string): void {
    this.killed = { by: who, why, at: new Date().toISOString() };
    this.syncGauges();
  }

  unkill(): void {
    this.killed = null;
    this.syncGauges();
  }

  /** Clears the guardrail; the route goes on probation unless `force` (then the agent serves at once). */
  reset(who: string, why: string, force: boolean): void {
    this.guardrail.reset();
    this.demoted = false;
    this.warned = false;
    this.probation = null;
    if (force) this.syncGauges();
    else this.startProbation(who, why || 'reset');
  }

  mode(): RouteMode {
    if (this.killed !== null || this.rollouts.kill() >= 100) return 'killed';
    if (this.demoted) return 'demoted';
    if (this.probation !== null) return 'probation';
    const serve = this.rollouts.serve();
    return serve >= 100 ? 'full' : serve > 0 ? 'conditional' : 'shadow';
  }

  /** Writes the route's state gauges when they changed (called on every change, not per request). */
  syncGauges(): void {
    const mode = this.mode();
    const killed = mode === 'killed';
    const key = `${mode}|${this.demoted}|${this.killed !== null}`;
    if (key === this.shownKey) return;
    this.shownKey = key;
    const route = this.name;
    for (const m of ROUTE_MODES) this.metrics.routeMode.set({ route, mode: m }, m === mode ? 1 : 0);
    this.metrics.routeKilled.set({ route }, killed ? 1 : 0);
    this.metrics.routeDemoted.set({ route }, this.demoted ? 1 : 0);
    this.metrics.routeProbation.set({ route }, this.probation !== null ? 1 : 0);
    this.metrics.guardrailTripped.set({ route }, this.demoted || this.killed !== null ? 1 : 0);
  }

  /** Share of the route's recent answers that came from the agent. */
  servedShare(): number {
    return this.served.size === 0 ? 0 : this.served.trues / this.served.size;
  }
}
