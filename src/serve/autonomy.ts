// Progressive autonomy per route: flags (shadow / serve), kill switch, guardrail, circuit
// breaker, and the share of traffic the agent serves. Implements what the data plane
// asks of it (proxy/server.ts `Autonomy`) and what the admin API shows and does.
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/definitions.js';
import { ROUTE_FLAG_KINDS, effectivePercent, type FlagSource, type RouteFlagKind } from '../flags/index.js';
import type { RouteRuntime } from '../routing/runtime.js';
import type { RequestContext } from '../routing/context.js';
import type { Autonomy } from '../proxy/server.js';
import type { LegacyProxy } from '../proxy/legacy.js';
import { UpstreamClient } from '../shadow/client.js';
import type { ShadowDispatcher } from '../shadow/dispatcher.js';
import { COMPARISON_RESULTS, type ComparisonResult } from '../store/result-window.js';
import { AgentBreaker, CIRCUIT_GAUGE } from './breaker.js';
import { createGates, type GateFn } from './gates.js';
import { Guardrail } from './guardrail.js';
import { createServeHandler, type ServeControl } from './handler.js';
import { BoolRing } from '../store/bool-ring.js';
import type { Tracing } from '../tracing/otel.js';
import type { AgentReporter } from '../tracing/agent-report.js';

interface RouteControl extends ServeControl {
  route: RouteRuntime;
  onServed(agent: boolean): void;
  killed: { by: string; why: string; at: string } | null;
  /** Recent answered requests of the route: true = the agent answered. */
  served: BoolRing;
  /** Last value written to shadowgate_guardrail_tripped, so the gauge is set on changes only. */
  trippedShown: boolean;
}

const SHARE_WINDOW = 1000;

export interface AutonomyDeps {
  config: Config;
  routes: readonly RouteRuntime[];
  flags: FlagSource | null;
  agentClient: UpstreamClient;
  legacy: LegacyProxy;
  metrics: Metrics;
  log: Logger;
  tracing: Tracing;
  reporter: AgentReporter;
}

export async function createAutonomy(deps: AutonomyDeps) {
  const { config, flags, metrics, log } = deps;
  const controls = new Map<string, RouteControl>();
  let dispatcher: ShadowDispatcher | null = null;
  const legacyClient = new UpstreamClient(config.legacy.url, { connections: config.server.maxSockets });

  for (const route of deps.routes) {
    const gates: GateFn = await createGates(route.config);
    const control: RouteControl = {
      route, gates, killed: null, served: new BoolRing(SHARE_WINDOW), trippedShown: false,
      breaker: new AgentBreaker(route.config.breaker, (state) => {
        metrics.circuitState.set({ route: route.name }, CIRCUIT_GAUGE[state]);
        log.warn({ route: route.name, circuit: state }, 'agent circuit changed state');
      }),
      guardrail: new Guardrail(route.config.guardrail),
      onServed(agent) {
        control.served.push(agent);
      },
      onGuardrailTrip(reason) {
        if (!reason) return;
        syncTripped(control);
        log.warn({ event: 'demoted', route: route.name, who: 'guardrail', why: reason }, 'route demoted: agent stops serving, shadowing continues');
      },
    };
    controls.set(route.name, control);
    metrics.circuitState.set({ route: route.name }, 0);
    // Series exist from the start, so rate() and alerts see the first event instead of
    // losing it to a series that appears with its first increment.
    for (const result of COMPARISON_RESULTS) metrics.comparisons.inc({ route: route.name, result }, 0);
    for (const reason of ['timeout', 'status', 'confidence', 'schema', 'circuit_open', 'killed', 'demoted', 'backpressure']) {
      metrics.fallbacks.inc({ route: route.name, reason }, 0);
    }
    for (const verdict of ['agent_correct', 'legacy_correct', 'both_ok', 'both_wrong']) metrics.reviewVerdicts.inc({ route: route.name, verdict }, 0);
    metrics.guardrailTripped.set({ route: route.name }, 0);
  }

  const control = (route: RouteRuntime) => controls.get(route.name)!;
  /** The gauge follows killed-or-demoted; it is written only when that changes (not per request). */
  function syncTripped(c: RouteControl): boolean {
    const demoted = c.guardrail.isDemoted(); // also lifts a demotion whose cool-down passed
    const tripped = demoted || c.killed !== null;
    if (tripped !== c.trippedShown) {
      c.trippedShown = tripped;
      metrics.guardrailTripped.set({ route: c.route.name }, tripped ? 1 : 0);
    }
    return demoted;
  }

  const serve = createServeHandler({
    config, legacy: deps.legacy, legacyClient, agentClient: deps.agentClient, metrics, log, control, tracing: deps.tracing, reporter: deps.reporter,
    dispatcher: () => dispatcher!,
  });

  // Which route flags the source defines, refreshed on every flag change (not per request).
  const knownFlags = new Set<string>();
  const refreshFlagGauges = () => {
    knownFlags.clear();
    for (const route of deps.routes) {
      // [flags helper, for the lead to port] kill joins shadow and serve (flag="kill").
      for (const kind of ROUTE_FLAG_KINDS) {
        const state = flags?.state(route.config.flags[kind]!);
        if (state?.known) knownFlags.add(state.name);
        metrics.flagRollout.set({ route: route.name, flag: kind }, effectivePercent(state, kind, route.config.shadow.percent));
      }
    }
    const status = flags?.status();
    metrics.flagsSourceUp.set(status ? (status.lastError ? 0 : 1) : 1);
  };
  refreshFlagGauges();
  const unsubscribe = flags?.onChange(refreshFlagGauges);
  // [flags helper, for the lead to port] source_up drops when a file is rejected, not at the next tick.
  const unsubscribeStatus = flags?.onStatusChange(refreshFlagGauges);
  const gaugeTimer = setInterval(refreshFlagGauges, 5000);
  gaugeTimer.unref();

  const autonomy: Autonomy & {
    onComparison(route: string, result: ComparisonResult, fromServePath: boolean): void;
    attach(d: ShadowDispatcher): void;
    routeActions(): { list(): object[]; get(name: string): object | undefined; act(name: string, action: 'kill' | 'unkill' | 'reset', who: string, why: string): boolean };
    close(): Promise<void>;
  } = {
    shadowFlag(route, ctx: RequestContext) {
      if (!flags) return undefined;
      const name = route.config.flags.shadow!;
      return knownFlags.has(name) ? flags.isEnabled(name, ctx) : undefined;
    },
    serveFlag(route, ctx) {
      return flags !== null && flags.isEnabled(route.config.flags.serve!, ctx);
    },
    // [flags helper, for the lead to port] undefined kill flag ⇒ isEnabled is false ⇒ no effect.
    killFlag(route, ctx) {
      return flags !== null && flags.isEnabled(route.config.flags.kill!, ctx);
    },
    routeState(route) {
      const c = control(route);
      return { killed: c.killed !== null, demoted: syncTripped(c), circuitOpen: c.breaker.isOpen() };
    },
    serve(route, exchange, req, res) {
      serve(route, exchange, req, res);
    },
    countFallback(route, reason) {
      metrics.fallbacks.inc({ route: route.name, reason });
    },
    served(route, byAgent) {
      control(route).onServed(byAgent);
    },
    onComparison(routeName, result, fromServePath) {
      const c = controls.get(routeName);
      if (!c || result === 'skipped' || result === 'legacy_error') return;
      // The serve path records its own agent calls; count each call once.
      if (!fromServePath) c.onGuardrailTrip(c.guardrail.recordCall(result === 'agent_error'));
      if (result === 'match' || result === 'mismatch') c.onGuardrailTrip(c.guardrail.recordComparison(result === 'match'));
    },
    attach(d) {
      dispatcher = d;
      d.guard = (route, call) => control(route).breaker.run(call);
    },
    routeActions() {
      return {
        list: () => deps.routes.map((r) => view(r)),
        get: (name) => { const r = deps.routes.find((x) => x.name === name); return r ? view(r) : undefined; },
        act: (name, action, who, why) => {
          const c = controls.get(name);
          if (!c) return false;
          if (action === 'kill') c.killed = { by: who, why, at: new Date().toISOString() };
          else if (action === 'unkill') c.killed = null;
          else c.guardrail.reset();
          syncTripped(c);
          log.warn({ event: action, route: name, who, why }, `route ${action}`);
          return true;
        },
      };
    },
    async close() {
      clearInterval(gaugeTimer);
      unsubscribe?.();
      unsubscribeStatus?.();
      await legacyClient.close();
    },
  };

  function view(route: RouteRuntime) {
    const c = control(route);
    const w = route.window.snapshot();
    const guard = c.guardrail.status();
    const flagView = (kind: RouteFlagKind) => {
      const name = route.config.flags[kind]!;
      const state = flags?.state(name);
      return { name, known: state?.known ?? false, enabled: state?.enabled ?? false, rolloutPercent: state?.rolloutPercent ?? null, effectivePercent: effectivePercent(state, kind, route.config.shadow.percent) };
    };
    const shadowFlag = flagView('shadow');
    const serveFlag = flagView('serve');
    const killFlag = flagView('kill');
    // [flags helper, for the lead to port] which kill is in force: the per-pod admin kill, or
    // the fleet-wide flag (on for some or all requests).
    const killedBy = c.killed ? 'local' : killFlag.effectivePercent > 0 ? 'flag' : null;
    const mode = killedBy !== null ? 'killed' : guard.demoted ? 'demoted'
      : serveFlag.effectivePercent >= 100 ? 'full' : serveFlag.effectivePercent > 0 ? 'conditional' : 'shadow';
    return {
      name: route.name,
      match: route.config.match,
      mode,
      flags: { shadow: shadowFlag, serve: serveFlag, kill: killFlag },
      killedBy,
      shadowPercent: route.config.shadow.percent,
      servedByAgentShare: c.served.size === 0 ? 0 : c.served.trues / c.served.size,
      demoted: guard.demoted,
      demotion: guard.demoted ? { reason: guard.reason, since: guard.since ? new Date(guard.since).toISOString() : null } : null,
      killed: c.killed,
      circuit: c.breaker.name(),
      agreement: w.agreement,
      agentErrorRate: w.agentErrorRate,
      window: w,
      guardrail: { ...route.config.guardrail, agreement: guard.agreement, errorRate: guard.errorRate, comparisons: guard.comparisons, calls: guard.calls },
      counts: { ...route.totals },
    };
  }

  return autonomy;
}

