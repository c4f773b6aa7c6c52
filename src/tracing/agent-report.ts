// What the agent says about its own work (confidence, tokens, model, tool calls), read
// from configured response headers or JSON Pointers, and counted with bounded labels.
import type { RouteConfig } from '../config/schema.js';
import { BoundedLabels, type Metrics } from '../metrics/definitions.js';
import { ResponseFields, type ResponseLike } from '../shadow/response-fields.js';

export interface AgentReport {
  confidence?: number;
  tokens?: { input?: number; output?: number };
  model?: string;
  toolCalls?: { name: string; outcome: string }[];
}

const MAX_TOOL_CALLS = 100;

/** Returns null when the route asks for nothing or the agent reported nothing. */
export function extractAgentReport(route: RouteConfig, res: ResponseLike): AgentReport | null {
  const cfg = route.agentReport;
  const confidenceSource = cfg.confidence ?? route.serve.gates.confidence;
  if (!confidenceSource && !cfg.inputTokens && !cfg.outputTokens && !cfg.model && !cfg.toolCalls) return null;
  const fields = new ResponseFields(res);
  const report: AgentReport = {};
  const confidence = fields.number(confidenceSource);
  if (confidence !== undefined) report.confidence = confidence;
  const input = fields.number(cfg.inputTokens);
  const output = fields.number(cfg.outputTokens);
  if (input !== undefined || output !== undefined) report.tokens = { ...(input !== undefined ? { input } : {}), ...(output !== undefined ? { output } : {}) };
  const model = fields.read(cfg.model);
  if (typeof model === 'string' && model !== '') report.model = model.slice(0, 200);
  if (cfg.toolCalls) {
    const list = fields.read({ pointer: cfg.toolCalls.pointer });
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

  /** Extracts and counts; returns the report for the sample and the span. `candidate`: who answered ("agent": the top-level agent). */
  record(route: RouteConfig, res: ResponseLike, candidate = 'agent'): AgentReport | null {
    const report = extractAgentReport(route, res);
    if (!report) return null;
    const labels = { route: route.name };
    if (report.confidence !== undefined && report.confidence >= 0 && report.confidence <= 1) this.metrics.agentConfidence.observe(labels, report.confidence);
    this.countTokens(route.name, report, candidate);
    for (const call of report.toolCalls ?? []) {
      this.metrics.agentToolCalls.inc({ ...labels, tool: this.tools.label(route.name, call.name), outcome: outcomeLabel(call.outcome) });
    }
    return report;
  }

  /** Only the tokens of a further candidate's answer: the route's other series follow its first candidate. */
  tokens(route: RouteConfig, res: ResponseLike, candidate: string): void {
    if (!route.agentReport.inputTokens && !route.agentReport.outputTokens) return;
    const report = extractAgentReport(route, res);
    if (report) this.countTokens(route.name, report, candidate);
  }

  private countTokens(route: string, report: AgentReport, candidate: string): void {
    if (report.tokens?.input !== undefined && report.tokens.input >= 0) this.metrics.agentTokens.inc({ route, type: 'input', candidate }, report.tokens.input);
    if (report.tokens?.output !== undefined && report.tokens.output >= 0) this.metrics.agentTokens.inc({ route, type: 'output', candidate }, report.tokens.output);
  }
}
