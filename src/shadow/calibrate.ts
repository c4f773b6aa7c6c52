// Noise calibration calls (routes with `calibration`): for calibration.percent of compared
// shadows, the same request goes a second time to legacy and a second time to the agent,
// marked x-shadowgate-calibration: 1. Legacy's two answers and the agent's two answers are
// compared with the route's comparator; what differs is how much each side differs from
// itself. Runs after the shadow's own comparison is recorded, while the shadow still holds its
// dispatcher slot (so a drain waits for it and agent.maxInFlight bounds it too), within its own
// per-route cap, with the second answers charged to the shared byte budget.
import type { CapturedResponse } from '../compare/types.js';
import { differingFields } from '../evaluation/calibration.js';
import type { CalibrationDropReason } from '../evaluation/route-evaluation.js';
import type { Logger } from '../log.js';
import type { UpstreamClient, UpstreamResult } from '../proxy/upstream-client.js';
import { buildAgentHeaders, CALIBRATION_MARKER } from './agent-request.js';
import type { ByteBudget } from './capture.js';
import { comparable } from './decode.js';
import type { ShadowJob } from './job.js';

export interface CalibrationDeps {
  legacyClient: UpstreamClient;
  budget: ByteBudget;
  isDraining(): boolean;
  legacyTimeoutMs: number;
  /** shadow.maxCaptureBytes: legacy's second answer is read as far as its first was. */
  legacyMaxBytes: number;
  agentTimeoutMs: number;
  agentMaxBytes: number;
  maxDecodedBytes: number;
  redactedHeaders: readonly string[];
  log: Logger;
  random?: () => number;
}

/** The shadow's two answers as they were compared (content-decoded). */
export interface FirstAnswers { legacy: CapturedResponse; agent: CapturedResponse }

export type Calibrator = (job: ShadowJob, first: FirstAnswers) => Promise<void>;

export function createCalibrator(deps: CalibrationDeps): Calibrator {
  const random = deps.random ?? Math.random;

  return async (job, first) => {
    const route = job.route;
    const ev = route.evaluation;
    const cal = ev.calibration;
    const cfg = route.config.calibration;
    if (cal === null || cfg === undefined || job.fromServePath) return;
    if (cfg.percent < 100 && !(random() * 100 < cfg.percent)) return;
    const drop = (reason: CalibrationDropReason) => ev.dropCalibration(reason);
    if (deps.isDraining()) { drop('draining'); return; }
    if (ev.calibrating >= cfg.maxInFlight) { drop('backpressure'); return; }
    if (route.control.breaker.isOpen()) { drop('circuit_open'); return; }
    ev.calibrating++;
    const charged: number[] = [];
    try {
      const [legacy, agent] = await Promise.all([secondLegacy(job), secondAgent(job)]);
      for (const r of [legacy, agent]) if (r.ok) charged.push(r.body.length); // over budget too: what was read is charged
      const ctx = { route: route.name, method: job.method, path: job.path };
      const pairs = [['legacyNoise', first.legacy, legacy, 'legacy_unusable'], ['agentNoise', first.agent, agent, 'agent_unusable']] as const;
      for (const [kind, one, two, unusable] of pairs) {
        if (two.ok && two.overBudget) { drop('buffer_full'); continue; }
        const second = usable(two, deps.maxDecodedBytes);
        if (second === null) { drop(unusable); continue; }
        try {
          cal.record(kind, differingFields(await route.compare(one, second, ctx)));
        } catch (err) {
          deps.log.warn({ route: route.name, sampleId: job.id, err: (err as Error).message }, 'comparator failed on a calibration pair; pair not counted');
          drop(unusable);
        }
      }
    } finally {
      ev.calibrating--;
      for (const bytes of charged) deps.budget.release(bytes);
    }
  };

  function secondLegacy(job: ShadowJob): Promise<UpstreamResult> {
    const headers: string[] = [];
    const sent = job.legacyHeaders ?? [];
    for (let i = 0; i < sent.length; i += 2) {
      if (sent[i]!.toLowerCase() === 'content-length') continue; // the buffered body sets its own
      headers.push(sent[i]!, sent[i + 1]!);
    }
    headers.push(CALIBRATION_MARKER, '1');
    return deps.legacyClient.request({
      method: job.method, path: job.target, headers, body: job.request.buffer(),
      timeoutMs: deps.legacyTimeoutMs, maxResponseBytes: deps.legacyMaxBytes, budget: deps.budget,
    });
  }

  function secondAgent(job: ShadowJob): Promise<UpstreamResult> {
    const client = job.agentClient!;
    const headers = buildAgentHeaders(job, client.host, deps.redactedHeaders, job.route.config.shadow.forwardHeaders, job.id);
    headers[CALIBRATION_MARKER] = '1';
    return client.request({
      method: job.method, path: job.target, headers, body: job.request.buffer(),
      timeoutMs: job.candidate?.timeoutMs ?? deps.agentTimeoutMs, maxResponseBytes: deps.agentMaxBytes, budget: deps.budget,
    });
  }
}

/** A second answer that can be compared: answered, not 5xx, whole, decodable. */
function usable(result: UpstreamResult, maxDecodedBytes: number): CapturedResponse | null {
  if (!result.ok || result.status >= 500 || result.truncated) return null;
  return comparable(result.status, result.headers, result.body, maxDecodedBytes);
}
