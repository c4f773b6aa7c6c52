// Every metric shadowgate exports: names, help and labels live here and nowhere else.
// Dashboards and alert rules use only these names. Components get this object injected.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Gauges computed when scraped rather than on every event (readiness sorts latencies, so it is
 * read rarely); the composition root fills these in.
 */
export interface CollectHooks {
  agreement?: () => void;
  readiness?: () => void;
}

export function createMetrics(registry: Registry = new Registry(), options: { defaultMetrics?: boolean } = {}) {
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const collectHooks: CollectHooks = {};
  return {
    registry,
    collectHooks,
    requests: new Counter({
      name: 'shadowgate_requests_total', help: 'Client requests answered, by route, method, status class and who served them.',
      labelNames: ['route', 'method', 'status_class', 'served_by'] as const, registers,
    }),
    requestDuration: new Histogram({
      name: 'shadowgate_request_duration_seconds', help: 'Client-facing latency, from request to end of response.',
      labelNames: ['route'] as const, buckets: LATENCY_BUCKETS, registers,
    }),
    upstreamDuration: new Histogram({
      name: 'shadowgate_upstream_duration_seconds', help: 'Time until an upstream finished its response body.',
      labelNames: ['route', 'upstream'] as const, buckets: LATENCY_BUCKETS, registers,
    }),
    upstreamErrors: new Counter({
      name: 'shadowgate_upstream_errors_total', help: 'Upstream failures: kind is timeout, connection, reset, status_5xx, invalid_response or too_large.',
      labelNames: ['route', 'upstream', 'kind'] as const, registers,
    }),
    comparisons: new Counter({
      name: 'shadowgate_comparisons_total', help: 'Comparison outcomes: match, mismatch, agent_error, legacy_error, skipped.',
      labelNames: ['route', 'result'] as const, registers,
    }),
    mismatchFields: new Counter({
      name: 'shadowgate_mismatch_fields_total', help: 'Differing fields in mismatches (bounded per route; the rest is "other").',
      labelNames: ['route', 'field'] as const, registers,
    }),
    shadowDropped: new Counter({
      name: 'shadowgate_shadow_dropped_total', help: 'Requests not mirrored, by reason.',
      labelNames: ['route', 'reason'] as const, registers,
    }),
    shadowInflight: new Gauge({ name: 'shadowgate_shadow_inflight', help: 'Mirrored requests currently waiting for the agent.', registers }),
    shadowInflightLimit: new Gauge({ name: 'shadowgate_shadow_inflight_limit', help: 'agent.maxInFlight.', registers }),
    shadowBufferedBytes: new Gauge({ name: 'shadowgate_shadow_buffered_bytes', help: 'Bytes held by in-flight shadows (bodies being captured).', registers }),
    shadowBufferedBytesLimit: new Gauge({ name: 'shadowgate_shadow_buffered_bytes_limit', help: 'shadow.maxBufferedBytes.', registers }),
    serveInflight: new Gauge({ name: 'shadowgate_serve_inflight', help: 'Requests the agent is serving right now (request body and answers held in memory).', registers }),
    serveInflightLimit: new Gauge({ name: 'shadowgate_serve_inflight_limit', help: 'agent.maxServeInFlight.', registers }),
    samplesStored: new Gauge({ name: 'shadowgate_samples_stored', help: 'Comparison samples held in memory for the admin API.', registers }),
    samplesEvicted: new Counter({ name: 'shadowgate_samples_evicted_total', help: 'Samples evicted because samples.max was reached.', registers }),
    labelOverflow: new Counter({
      name: 'shadowgate_label_overflow_total', help: 'Label values folded into "other" because a per-route limit was reached.',
      labelNames: ['metric'] as const, registers,
    }),
    comparatorErrors: new Counter({
      name: 'shadowgate_comparator_errors_total', help: 'Comparisons whose comparator (or plug-in) threw; counted as skipped.',
      labelNames: ['route'] as const, registers,
    }),
    flagRollout: new Gauge({
      name: 'shadowgate_flag_rollout_percent', help: 'Rollout percentage of each route flag (0 when disabled, 100 when on for all).',
      labelNames: ['route', 'flag'] as const, registers,
    }),
    flagsSourceUp: new Gauge({
      name: 'shadowgate_flags_source_up', help: '1 when the last flag refresh succeeded (file valid or Unleash reached).', registers,
    }),
    flagsWarnings: new Counter({
      name: 'shadowgate_flags_warnings_total',
      help: 'Things in the flag set that unleash-client evaluates without understanding (unknown operator or strategy, missing segment or parent flag; invalid: what a flags file is rejected for, sent by Unleash), once per flag version.',
      labelNames: ['kind'] as const, registers,
    }),
    fallbacks: new Counter({
      name: 'shadowgate_fallbacks_total', help: 'Requests the agent was meant to serve but legacy served, by reason.',
      labelNames: ['route', 'reason'] as const, registers,
    }),
    circuitState: new Gauge({
      name: 'shadowgate_circuit_state', help: 'Agent circuit per route: 0 closed, 1 half-open, 2 open.',
      labelNames: ['route'] as const, registers,
    }),
    guardrailTripped: new Gauge({
      name: 'shadowgate_guardrail_tripped', help: '1 while the route is demoted by the guardrail or killed by the per-pod kill switch (see shadowgate_route_killed and shadowgate_route_demoted to tell them apart).',
      labelNames: ['route'] as const, registers,
    }),
    agentTokens: new Counter({
      name: 'shadowgate_agent_tokens_total', help: 'Tokens the agent reports using, by type (input, output) and candidate ("agent" for the top-level agent).',
      labelNames: ['route', 'type', 'candidate'] as const, registers,
    }),
    agentConfidence: new Histogram({
      name: 'shadowgate_agent_confidence', help: 'Confidence the agent reports for its answers (0..1).',
      labelNames: ['route'] as const, buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1], registers,
    }),
    agentToolCalls: new Counter({
      name: 'shadowgate_agent_tool_calls_total', help: 'Tool calls the agent reports, by tool (bounded per route) and outcome.',
      labelNames: ['route', 'tool', 'outcome'] as const, registers,
    }),
    reviewVerdicts: new Counter({
      name: 'shadowgate_review_verdicts_total', help: 'Human verdicts recorded on comparison samples.',
      labelNames: ['route', 'verdict'] as const, registers,
    }),
    suiteRecords: new Counter({
      name: 'shadowgate_suite_records_total', help: 'Golden-suite cases recorded: written, or dropped (queue full, too large, write failed).',
      labelNames: ['route', 'result'] as const, registers,
    }),
    agreementRatio: new Gauge({
      name: 'shadowgate_agreement_ratio', help: 'Agreement over the recent comparisons of a route: raw (matches only) or adjusted (mismatches only in fields calibration judges noise count as matches).',
      labelNames: ['route', 'kind'] as const, registers, collect() { collectHooks.agreement?.(); },
    }),
    promotionReady: new Gauge({
      name: 'shadowgate_promotion_ready', help: 'Whether the route is ready for a serve level (conditional, full) by its promotion rules: 1 ready, 0 not.',
      labelNames: ['route', 'level'] as const, registers, collect() { collectHooks.readiness?.(); },
    }),
    calibrationDropped: new Counter({
      name: 'shadowgate_calibration_dropped_total', help: 'Calibration pairs not sent (backpressure, buffer_full, circuit_open, draining) or not usable (legacy_unusable, agent_unusable: a side failed, was 5xx, cut or undecodable).',
      labelNames: ['route', 'reason'] as const, registers,
    }),
    candidateComparisons: new Counter({
      name: 'shadowgate_candidate_comparisons_total', help: 'Shadow comparisons of each candidate of a route with legacy, by result.',
      labelNames: ['route', 'candidate', 'result'] as const, registers,
    }),
    candidateDuration: new Histogram({
      name: 'shadowgate_candidate_duration_seconds', help: 'Time until a candidate finished its answer (shadow and quorum calls).',
      labelNames: ['route', 'candidate'] as const, buckets: LATENCY_BUCKETS, registers,
    }),
    upstreamRepairs: new Counter({
      name: 'shadowgate_upstream_repairs_total', help: 'Parts of an upstream answer node cannot write that were dropped so the rest could be served (reason_phrase, trailer, informational).',
      labelNames: ['route', 'upstream', 'kind'] as const, registers,
    }),
    requestsRejected: new Counter({
      name: 'shadowgate_requests_rejected_total', help: 'Client requests the proxy refused before routing, by reason (bad_request, header_too_large, bad_target, connect, duplicate_host, timeout, transfer_coding, upgrade_body).',
      labelNames: ['reason'] as const, registers,
    }),
    connectionsOpen: new Gauge({ name: 'shadowgate_connections_open', help: 'Client connections open on the data-plane listener.', registers }),
    connectionsRejected: new Counter({
      name: 'shadowgate_connections_rejected_total', help: 'Client connections refused because server.maxConnections were open.', registers,
    }),
    internalErrors: new Counter({
      name: 'shadowgate_internal_errors_total', help: 'Exceptions caught by a last-resort guard (the request got a 502 or was cut; the process kept running).',
      labelNames: ['where'] as const, registers,
    }),
    routeMode: new Gauge({
      name: 'shadowgate_route_mode', help: 'Mode in force per route: 1 for the mode (shadow, conditional, full, probation, demoted, killed), 0 for the others.',
      labelNames: ['route', 'mode'] as const, registers,
    }),
    routeKilled: new Gauge({ name: 'shadowgate_route_killed', help: '1 while a kill is in force (the per-pod kill switch, or the kill flag on for everyone).', labelNames: ['route'] as const, registers }),
    routeDemoted: new Gauge({ name: 'shadowgate_route_demoted', help: '1 while the guardrail holds the route demoted.', labelNames: ['route'] as const, registers }),
    routeProbation: new Gauge({ name: 'shadowgate_route_probation', help: '1 while the route is on probation after a reset or cool-down.', labelNames: ['route'] as const, registers }),
    guardrailAgreement: new Gauge({
      name: 'shadowgate_guardrail_agreement', help: 'Agreement over the guardrail window, the number the guardrail decides on (guardrail.window comparisons).',
      labelNames: ['route'] as const, registers,
    }),
    guardrailWarnings: new Counter({
      name: 'shadowgate_guardrail_warnings_total', help: 'Times the guardrail failed on a route the agent does not serve (not demoted: nothing to demote).',
      labelNames: ['route'] as const, registers,
    }),
    reviewAccuracy: new Gauge({
      name: 'shadowgate_review_accuracy', help: 'Adjudicated accuracy from review verdicts: (agent_correct + both_ok) / judged.',
      labelNames: ['route'] as const, registers,
    }),
    configReloads: new Counter({
      name: 'shadowgate_config_reload_total', help: 'Config reloads (file change or SIGHUP), by result: success, or failure (invalid, or a key that cannot change live).',
      labelNames: ['result'] as const, registers,
    }),
    configInfo: new Gauge({
      name: 'shadowgate_config_info', help: '1 for the config in force; hash = the first 12 hex digits of the sha256 of its file.',
      labelNames: ['hash'] as const, registers,
    }),
    draining: new Gauge({ name: 'shadowgate_draining', help: '1 while a shutdown drains the data plane (/readyz answers 503).', registers }),
    shutdownCut: new Counter({
      name: 'shadowgate_shutdown_cut_requests_total', help: 'Client requests still in flight when server.shutdownTimeoutMs ran out, cut by the shutdown.', registers,
    }),
    agentRetries: new Counter({
      name: 'shadowgate_agent_retries_total', help: 'Retries of transient agent failures on the serve path.',
      labelNames: ['route'] as const, registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Keeps at most `limit` distinct values per route; later ones become "other". */
export class BoundedLabels {
  private readonly seen = new Map<string, Set<string>>();
  constructor(private readonly limit: number, private readonly onOverflow: () => void = () => {}) {}
  label(route: string, value: string): string {
    let set = this.seen.get(route);
    if (!set) this.seen.set(route, (set = new Set()));
    if (set.has(value)) return value;
    if (set.size < this.limit) { set.add(value); return value; }
    this.onOverflow();
    return 'other';
  }
}
