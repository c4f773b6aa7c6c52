// What the agent says about its own work (confidence, tokens, model, tool calls), read
// from configured response headers or JSON Pointers, and counted with bounded labels.
import type { RouteConfig } from '../config/schema.js';
import { BoundedLabels, type Metrics } from '../metrics/definitions.js';
import { valueAt } from '../serve/gates.js';
import { decodeBody } from '../shadow/decode.js';

export interface AgentReport {
  confidence?: number;
  tokens?: { input?: number; output?: number };
  model?: string;
  toolCalls?: { name: string; outcome: string }[];
}

type Source = { header: string } | { pointer: string };
interface Response { headers: Record<string, string | string[] | undefined>; body: Buffer }

const MAX_TOOL_CALLS = 100;

function read(res: Response, source: Source | undefined, body: () => unknown): unknown {
  if (!source) return undefined;
  if ('header' in source) {
    const h = res.headers[source.header];
    return Array.isArray(h) ? h[0] : h;
  }
  return valueAt(body(), source.pointer);
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Returns null when the route asks for nothing or the agent reported nothing. */
export function extractAgentReport(route: RouteConfig, res: Response): AgentReport | null {
  const cfg = route.agentReport;
  const confidenceSource = cfg.confidence ?? route.serve.gates.confidence;
  if (!confidenceSource && !cfg.inputTokens && !cfg.outputTokens && !cfg.model && !cfg.toolCalls) return null;
  let parsed: unknown;
  let tried = false;
  const body = () => {
    if (!tried) {
      tried = true;
      const decoded = decodeBody(res.body, res.headers, Math.max(res.body.length * 20, 1 << 20));
      try { parsed = decoded === null ? undefined : JSON.parse(decoded.toString('utf8')); } catch { parsed = undefined; }
    }
    return parsed;
  };
  const report: AgentReport = {};
  const confidence = num(read(res, confidenceSource, body));
  if (confidence !== undefined) report.confidence = confidence;
  const input = num(read(res, cfg.inputTokens, body));
  const output = num(read(res, cfg.outputTokens, body));
  if (input !== undefined || output !== undefined) report.tokens = { ...(input !== undefined ? { input } : {}), ...(output !== undefined ? { output } : {}) };
  const model = read(res, cfg.model, body);
  if (typeof model === 'string' && model !== '') report.model = model.slice(0, 200);
  if (cfg.toolCalls) {
    const list = valueAt(body(), cfg.toolCalls.pointer);
    if (Array.isArray(list)) {
      report.toolCalls = list.slice(0, MAX_TOOL_CALLS).flatMap((item) => {
        if (item === null || typeof item !== 'object') return [];
        const rec = item as Record<string, unknown>;
        const name = rec[cfg.toolCalls!.name];
        const outcome = rec[cfg.toolCalls!.outcome];
        return typeof name === 'string' ? [{ name: name.slice(0, 100), outcome: typeof outcome === 'string' ? outcome.slice(0, 50) : 'unknown' }] : [];
      });
    }
  }
  return Object.keys(report).length === 0 ? null : report;
}

const OUTCOMES = new Set(['ok', 'success', 'error', 'failure', 'timeout']);
function outcomeLabel(outcome: string): string {
  const o = outcome.toLowerCase();
  if (o === 'success') return 'ok';
  if (o === 'failure') return 'error';
  return OUTCOMES.has(o) ? o : 'other';
}

export class AgentReporter {
  private readonly tools: BoundedLabels;
  constructor(private readonly metrics: Metrics, maxToolsPerRoute: number) {
    this.tools = new BoundedLabels(maxToolsPerRoute, () => metrics.labelOverflow.inc({ metric: 'shadowgate_agent_tool_calls_total' }));
  }

  /** Extracts and counts; returns the report for the sample and the span. */
  record(route: RouteConfig, res: Response): AgentReport | null {
    const report = extractAgentReport(route, res);
    if (!report) return null;
    const labels = { route: route.name };
    if (report.confidence !== undefined && report.confidence >= 0 && report.confidence <= 1) this.metrics.agentConfidence.observe(labels, report.confidence);
    if (report.tokens?.input !== undefined && report.tokens.input >= 0) this.metrics.agentTokens.inc({ ...labels, type: 'input' }, report.tokens.input);
    if (report.tokens?.output !== undefined && report.tokens.output >= 0) this.metrics.agentTokens.inc({ ...labels, type: 'output' }, report.tokens.output);
    for (const call of report.toolCalls ?? []) {
      this.metrics.agentToolCalls.inc({ ...labels, tool: this.tools.label(route.name, call.name), outcome: outcomeLabel(call.outcome) });
    }
    return report;
  }
}
