// Turns a finished shadow job into one comparison result: metrics, the route's windows
// (recent results, agreement raw and adjusted, readiness), a redacted sample for mismatches
// and agent errors, one log line; then, for routes that ask for them, the other candidates'
// comparisons, a golden-suite case and a calibration pair.
import type { Logger } from '../log.js';
import { BoundedLabels, type Metrics } from '../metrics/definitions.js';
import type { CapturedResponse, CompareOutcome } from '../compare/types.js';
import { differingFields } from '../evaluation/calibration.js';
import type { UpstreamResult } from '../proxy/upstream-client.js';
import type { ComparisonResult } from '../store/result-window.js';
import type { SampleStore } from '../store/samples.js';
import type { Redactor } from '../store/redact.js';
import type { SuiteRecorder } from '../suites/recorder.js';
import type { ShadowJob } from './job.js';
import type { RouteRuntime } from '../routing/runtime.js';
import type { Calibrator } from './calibrate.js';
import { decodeBody, withoutEncoding } from './decode.js';
import { genAiAttributes, type Tracing } from '../tracing/otel.js';
import type { AgentReport, AgentReporter } from '../tracing/agent-report.js';

export interface Comparison {
  result: ComparisonResult;
  reason?: string;
  outcome?: CompareOutcome;
  report?: AgentReport | null;
  /** Bodies as compared (content-decoded); what samples store and the agent report reads. */
  legacyBody?: Buffer;
  agentBody?: Buffer;
  /** Both answers as the comparator saw them (set when it ran). */
  compared?: { legacy: CapturedResponse; agent: CapturedResponse };
  traceId?: string;
  /** The shadow call's own trace (linked to the request's). */
  shadowTraceId?: string;
}

export interface RecorderDeps {
  metrics: Metrics;
  log: Logger;
  samples: SampleStore;
  redactor: Redactor;
  maxFieldsPerRoute: number;
  /** Decompressed bodies are cut off (and the comparison skipped) past this size. */
  maxDecodedBytes: number;
  reporter: AgentReporter;
  tracing: Tracing;
  /** Called after every recorded comparison (guardrails listen here). */
  onResult?: (route: RouteRuntime, result: ComparisonResult, fromServePath: boolean) => void;
  /** Golden suites (routes with `record`); null when no route records. */
  suites?: SuiteRecorder | null;
  /** Calibration pairs (routes with `calibration`). */
  calibrate?: Calibrator;
}

export function createRecorder(deps: RecorderDeps): (job: ShadowJob) => void | Promise<void> {
  const fields = new BoundedLabels(deps.maxFieldsPerRoute, () => deps.metrics.labelOverflow.inc({ metric: 'shadowgate_mismatch_fields_total' }));

  // The common case (a built-in comparator) runs without a single promise: one shadow per
  // request at full rate makes every allocation here count.
  return (job) => {
    const judged = judge(job, job.agent, deps);
    return judged instanceof Promise ? judged.then((comparison) => recorded(job, comparison)) : recorded(job, judged);
  };

  function recorded(job: ShadowJob, comparison: Comparison): void | Promise<void> {
    const route = job.route;
    const { metrics } = deps;
    // In parallel serving the serve path already counted the report; the sample still shows it.
    if (job.agent?.ok) comparison.report = job.agentReport !== undefined ? job.agentReport : deps.reporter.record(route.config, { headers: job.agent.headers, body: comparison.agentBody ?? job.agent.body }, job.candidate?.name);
    comparison.traceId = (job.requestSpan ?? job.span)?.spanContext().traceId;
    comparison.shadowTraceId = job.span?.spanContext().traceId;
    if (job.span) deps.tracing.end(job.span, job.agent?.ok ? job.agent.status : 'error', { 'shadowgate.comparison.result': comparison.result, ...genAiAttributes(comparison.report ?? null) });
    route.metrics.comparison(comparison.result);
    route.window.record(comparison.result);
    route.totals[comparison.result] = (route.totals[comparison.result] ?? 0) + 1;
    if (!job.fromServePath && job.agent) route.metrics.upstreamResult('agent', job.agent);
    if (comparison.result === 'mismatch') {
      const seen = new Set<string>();
      for (const d of comparison.outcome?.differences ?? []) {
        const field = fields.label(route.name, d.field);
        if (seen.has(field)) continue; // a field counts once per comparison
        seen.add(field);
        metrics.mismatchFields.inc({ route: route.name, field });
      }
    }
    evaluate(job, comparison);
    if (comparison.result === 'mismatch' || comparison.result === 'agent_error') {
      deps.samples.add(deps.redactor.sample(job, comparison));
      metrics.samplesStored.set(deps.samples.size);
      if (route.config.record !== undefined) deps.suites?.rememberQuery(job.id, job.query);
    }
    const level = comparison.result === 'match' || comparison.result === 'skipped' ? 'debug' : 'info';
    if (deps.log.isLevelEnabled(level)) deps.log[level]({
      event: 'comparison', sampleId: job.id, route: route.name, result: comparison.result, reason: comparison.reason,
      fields: comparison.outcome?.differences.slice(0, 10).map((d) => d.pointer || d.field),
      legacyMs: round(job.legacy?.durationMs), agentMs: round(job.agent?.durationMs), traceId: comparison.traceId,
    }, 'comparison');
    deps.onResult?.(route, comparison.result, job.fromServePath);
    // What only some routes ask for, each behind its route's own setting.
    const candidates = route.candidates !== null && job.candidate !== undefined;
    const calibrate = route.evaluation.calibration !== null && deps.calibrate !== undefined && comparison.compared !== undefined;
    if (!candidates && !calibrate) {
      if (route.config.record !== undefined && deps.suites) recordCase(job, comparison, deps.suites);
      return;
    }
    return (async () => {
      if (candidates) await compareCandidates(job, comparison);
      if (route.config.record !== undefined && deps.suites) recordCase(job, comparison, deps.suites);
      if (calibrate) await deps.calibrate!(job, comparison.compared!);
    })();
  }

  /** Agreement (raw, and adjusted by calibration's noise verdicts), agent calls and latencies: readiness's data. */
  function evaluate(job: ShadowJob, comparison: Comparison): void {
    const ev = job.route.evaluation;
    const { result, outcome } = comparison;
    if (result === 'match' || result === 'mismatch') {
      const cal = ev.calibration;
      if (cal === null) {
        ev.agreement.record(result === 'match');
      } else {
        const fields = differingFields(outcome);
        cal.record('raw', fields);
        ev.agreement.record(result === 'match', result === 'mismatch' && cal.isNoiseOnly(fields, { truncated: outcome?.truncatedDifferences }));
      }
    }
    // The serve path counts its own agent calls (as it does for the guardrail).
    if (!job.fromServePath && (result === 'match' || result === 'mismatch' || result === 'agent_error')) ev.calls.push(result === 'agent_error');
    if (job.legacy?.complete) ev.legacyLatency.record(job.legacy.durationMs);
    if (job.agent && (job.agent.ok || job.agent.kind !== 'aborted')) ev.agentLatency.record(job.agent.durationMs);
  }

  /** Routes with `candidates`: each candidate compared with legacy, counted per candidate. */
  async function compareCandidates(job: ShadowJob, comparison: Comparison): Promise<void> {
    const ev = job.route.evaluation;
    ev.recordCandidate(job.candidate!.name, comparison.result, answered(job.agent));
    for (const extra of job.extra ?? []) {
      const c = await judge(job, extra.result, deps);
      ev.recordCandidate(extra.candidate.name, c.result, answered(extra.result));
      if (extra.result?.ok) deps.reporter.tokens(job.route.config, { headers: extra.result.headers, body: c.agentBody ?? extra.result.body }, extra.candidate.name);
    }
  }

  /** Golden suites: record.percent of comparisons with a whole, decodable legacy answer. */
  function recordCase(job: ShadowJob, comparison: Comparison, suites: SuiteRecorder): void {
    const { result } = comparison;
    const legacy = job.legacy;
    if (!(result === 'match' || result === 'mismatch' || result === 'agent_error') || !legacy || legacy.body.stopped !== null) return;
    if (!suites.chosen(job.route.name)) return;
    const legacyBody = comparison.legacyBody ?? decodeBody(legacy.body.buffer(), legacy.headers, deps.maxDecodedBytes);
    if (legacyBody === null) return;
    const agent = job.agent;
    const agentBody = agent?.ok && !agent.truncated && agent.status < 500 ? comparison.agentBody ?? decodeBody(agent.body, agent.headers, deps.maxDecodedBytes) : null;
    suites.write({
      id: job.id, route: job.route.name, at: job.at,
      request: { method: job.method, path: job.path, query: job.query, headers: job.headers, body: job.request.buffer() },
      legacy: { status: legacy.status, headers: legacy.headers, body: legacyBody },
      agent: agent?.ok && agentBody ? { status: agent.status, headers: agent.headers, body: agentBody } : null,
      result,
    });
  }
}

function answered(result: UpstreamResult | null): number | undefined {
  return result === null || (!result.ok && result.kind === 'aborted') ? undefined : result.durationMs;
}

function round(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms * 10) / 10;
}

/** Legacy's answer against one agent's (the job's agent, or a further candidate); a promise only when the comparator returns one. */
function judge(job: ShadowJob, agent: UpstreamResult | null, deps: RecorderDeps): Comparison | Promise<Comparison> {
  const legacy = job.legacy;
  if (job.legacyError || !legacy) return { result: 'legacy_error', reason: job.legacyError?.kind ?? 'no_response' };
  if (legacy.status >= 500) return { result: 'legacy_error', reason: 'status_5xx' };
  if (!agent || !agent.ok) return { result: 'agent_error', reason: agent?.kind ?? 'no_response' };
  if (agent.status >= 500) return { result: 'agent_error', reason: 'status_5xx' };
  // A body cut at a capture limit cannot be judged fairly (one side cut, the other whole
  // would always differ): not a disagreement, so not counted as one.
  if (legacy.body.stopped !== null || agent.truncated) return { result: 'skipped', reason: 'truncated' };
  const legacyBody = decodeBody(legacy.body.buffer(), legacy.headers, deps.maxDecodedBytes);
  const agentBody = decodeBody(agent.body, agent.headers, deps.maxDecodedBytes);
  if (legacyBody === null || agentBody === null) return { result: 'skipped', reason: 'undecodable' };
  const legacyResponse: CapturedResponse = { status: legacy.status, headers: withoutEncoding(legacy.headers), body: legacyBody, truncated: false };
  const agentResponse: CapturedResponse = { status: agent.status, headers: withoutEncoding(agent.headers), body: agentBody, truncated: false };
  const judged = (outcome: CompareOutcome): Comparison => ({ result: outcome.result, outcome, legacyBody, agentBody, compared: { legacy: legacyResponse, agent: agentResponse } });
  const failed = (err: unknown): Comparison => {
    deps.metrics.comparatorErrors.inc({ route: job.route.name });
    deps.log.warn({ route: job.route.name, sampleId: job.id, err: (err as Error).message }, 'comparator failed; counted as skipped');
    return { result: 'skipped', reason: 'comparator_error' };
  };
  let outcome: CompareOutcome | Promise<CompareOutcome>;
  try {
    outcome = job.route.compare(legacyResponse, agentResponse, { route: job.route.name, method: job.method, path: job.path });
  } catch (err) {
    return failed(err);
  }
  return outcome instanceof Promise ? outcome.then(judged, failed) : judged(outcome);
}
