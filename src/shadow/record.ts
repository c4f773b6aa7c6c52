// Turns a finished shadow job into one comparison result: metrics, the route's window,
// a redacted sample for mismatches and agent errors, and one log line.
import type { Logger } from '../log.js';
import { BoundedLabels, type Metrics } from '../metrics/definitions.js';
import type { CapturedResponse, CompareOutcome } from '../compare/types.js';
import type { ComparisonResult } from '../store/result-window.js';
import type { SampleStore } from '../store/samples.js';
import type { Redactor } from '../store/redact.js';
import type { ShadowJob } from './job.js';
import type { RouteRuntime } from '../routing/runtime.js';
import { decodeBody } from './decode.js';
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
}

export function createRecorder(deps: RecorderDeps): (job: ShadowJob) => Promise<void> {
  const fields = new BoundedLabels(deps.maxFieldsPerRoute, () => deps.metrics.labelOverflow.inc({ metric: 'shadowgate_mismatch_fields_total' }));

  return async (job) => {
    const route = job.route;
    const comparison = await judge(job, deps);
    const { metrics } = deps;
    // In parallel serving the serve path already counted the report; the sample still shows it.
    if (job.agent?.ok) comparison.report = job.agentReport !== undefined ? job.agentReport : deps.reporter.record(route.config, { headers: job.agent.headers, body: comparison.agentBody ?? job.agent.body });
    comparison.traceId = (job.requestSpan ?? job.span)?.spanContext().traceId;
    comparison.shadowTraceId = job.span?.spanContext().traceId;
    deps.tracing.end(job.span, job.agent?.ok ? job.agent.status : 'error', { 'shadowgate.comparison.result': comparison.result, ...genAiAttributes(comparison.report ?? null) });
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
    if (comparison.result === 'mismatch' || comparison.result === 'agent_error') {
      deps.samples.add(deps.redactor.sample(job, comparison));
      metrics.samplesStored.set(deps.samples.size);
    }
    const level = comparison.result === 'match' || comparison.result === 'skipped' ? 'debug' : 'info';
    if (deps.log.isLevelEnabled(level)) deps.log[level]({
      event: 'comparison', sampleId: job.id, route: route.name, result: comparison.result, reason: comparison.reason,
      fields: comparison.outcome?.differences.slice(0, 10).map((d) => d.pointer || d.field),
      legacyMs: round(job.legacy?.durationMs), agentMs: round(job.agent?.durationMs), traceId: comparison.traceId,
    }, 'comparison');
    deps.onResult?.(route, comparison.result, job.fromServePath);
  };
}

function withoutEncoding(headers: CapturedResponse['headers']): CapturedResponse['headers'] {
  if (headers['content-encoding'] === undefined) return headers;
  const { 'content-encoding': _encoding, 'content-length': _length, ...rest } = headers;
  return rest;
}

function round(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms * 10) / 10;
}

async function judge(job: ShadowJob, deps: RecorderDeps): Promise<Comparison> {
  const legacy = job.legacy;
  if (job.legacyError || !legacy) return { result: 'legacy_error', reason: job.legacyError?.kind ?? 'no_response' };
  if (legacy.status >= 500) return { result: 'legacy_error', reason: 'status_5xx' };
  const agent = job.agent;
  if (!agent || !agent.ok) return { result: 'agent_error', reason: agent?.kind ?? 'no_response' };
  if (agent.status >= 500) return { result: 'agent_error', reason: 'status_5xx' };
  // A body cut at a capture limit cannot be judged fairly (one side cut, the other whole
  // would always differ): not a disagreement, so not counted as one.
  if (legacy.body.stopped !== null || agent.truncated) return { result: 'skipped', reason: 'truncated' };
  const legacyBody = decodeBody(legacy.body.buffer(), legacy.headers, deps.maxDecodedBytes);
  const agentBody = decodeBody(agent.body, agent.headers, deps.maxDecodedBytes);
  if (legacyBody === null || agentBody === null) return { result: 'skipped', reason: 'undecodable' };
  // Compared as content: the encoding header is about transport, not about the answer.
  const legacyResponse: CapturedResponse = { status: legacy.status, headers: withoutEncoding(legacy.headers), body: legacyBody, truncated: false };
  const agentResponse: CapturedResponse = { status: agent.status, headers: withoutEncoding(agent.headers), body: agentBody, truncated: false };
  try {
    const outcome = await job.route.compare(legacyResponse, agentResponse, { route: job.route.name, method: job.method, path: job.path });
    return { result: outcome.result, outcome, legacyBody, agentBody };
  } catch (err) {
    deps.metrics.comparatorErrors.inc({ route: job.route.name });
    deps.log.warn({ route: job.route.name, sampleId: job.id, err: (err as Error).message }, 'comparator failed; counted as skipped');
    return { result: 'skipped', reason: 'comparator_error' };
  }
}
