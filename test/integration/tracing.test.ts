// Reasoning traceability: the agent's own report (confidence, tokens, model, tool calls)
// lands in metrics and samples; OpenTelemetry spans connect request, legacy, agent and
// the sample id, with W3C traceparent propagated to both upstreams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { startTestShadowgate, metricValue, eventually } from '../support/shadowgate.js';

const REPORT = {
  confidence: { header: 'x-agent-confidence' },
  inputTokens: { pointer: '/usage/input_tokens' },
  outputTokens: { pointer: '/usage/output_tokens' },
  model: { header: 'x-agent-model' },
  toolCalls: { pointer: '/trace/tools', name: 'tool', outcome: 'status' },
};

async function rig(t: { after(fn: () => Promise<void>): void }, exporter?: InMemorySpanExporter, maxTools = 20) {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  legacy.handler = legacy.json(200, { price: 10 });
  agent.handler = agent.json(200, {
    price: 11, usage: { input_tokens: 120, output_tokens: 30 },
    trace: { tools: [{ tool: 'lookup_price', status: 'ok' }, { tool: 'fx_rate', status: 'error' }, { tool: 'lookup_price', status: 'ok' }] },
  }, { 'x-agent-confidence': '0.83', 'x-agent-model': 'agent-model-7' });
  const sg = await startTestShadowgate({
    legacy: legacy.url, agent: agent.url, metrics: { maxToolsPerRoute: maxTools },
    routes: [{ name: 'quote', match: { path: '/api/*' }, compare: { ignore: ['/usage', '/trace'] }, agentReport: REPORT }],
  }, { spanExporter: exporter });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  return { sg, legacy, agent };
}

test('agent report feeds token, confidence and tool-call metrics and the sample', async (t) => {
  const { sg } = await rig(t);
  await (await fetch(`${sg.dataUrl}/api/quote`)).arrayBuffer();
  await eventually(async () => (await metricValue(sg, 'shadowgate_comparisons_total', { result: 'mismatch' })) === 1, 'comparison');
  assert.equal(await metricValue(sg, 'shadowgate_agent_tokens_total', { route: 'quote', type: 'input' }), 120);
  assert.equal(await metricValue(sg, 'shadowgate_agent_tokens_total', { route: 'quote', type: 'output' }), 30);
  assert.equal(await metricValue(sg, 'shadowgate_agent_confidence_count', { route: 'quote' }), 1);
  assert.equal(await metricValue(sg, 'shadowgate_agent_confidence_sum', { route: 'quote' }), 0.83);
  assert.equal(await metricValue(sg, 'shadowgate_agent_tool_calls_total', { route: 'quote', tool: 'lookup_price', outcome: 'ok' }), 2);
  assert.equal(await metricValue(sg, 'shadowgate_agent_tool_calls_total', { route: 'quote', tool: 'fx_rate', outcome: 'error' }), 1);
  const [sample] = sg.samples.list({ limit: 1 });
  assert.deepEqual(sample!.trace, {
    confidence: 0.83, tokens: { input: 120, output: 30 }, model: 'agent-model-7',
    toolCalls: [{ name: 'lookup_price', outcome: 'ok' }, { name: 'fx_rate', outcome: 'error' }, { name: 'lookup_price', outcome: 'ok' }],
  });
});

test('tool names are bounded per route', async (t) => {
  const { sg } = await rig(t, undefined, 1);
  await (await fetch(`${sg.dataUrl}/api/quote`)).arrayBuffer();
  await eventually(async () => (await metricValue(sg, 'shadowgate_comparisons_total')) === 1, 'comparison');
  assert.equal(await metricValue(sg, 'shadowgate_agent_tool_calls_total', { tool: 'fx_rate' }), 0);
  assert.equal(await metricValue(sg, 'shadowgate_agent_tool_calls_total', { tool: 'other', outcome: 'error' }), 1);
  assert.ok((await metricValue(sg, 'shadowgate_label_overflow_total', { metric: 'shadowgate_agent_tool_calls_total' })) >= 1);
});

test('spans: request (child of the client trace), legacy child, linked shadow span; traceparent reaches both upstreams', async (t) => {
  const exporter = new InMemorySpanExporter();
  const { sg, legacy, agent } = await rig(t, exporter);
  const clientTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
  await (await fetch(`${sg.dataUrl}/api/quote`, { headers: { traceparent: `00-${clientTrace}-00f067aa0ba902b7-01` } })).arrayBuffer();
  await eventually(async () => (await metricValue(sg, 'shadowgate_comparisons_total')) === 1, 'comparison');
  await eventually(() => exporter.getFinishedSpans().length >= 3, 'three spans');
  const spans = exporter.getFinishedSpans();
  const request = spans.find((s) => s.name === 'GET quote')!;
  const legacySpan = spans.find((s) => s.name === 'legacy')!;
  const shadow = spans.find((s) => s.name === 'shadow agent')!;
  assert.equal(request.spanContext().traceId, clientTrace, 'request span continues the client trace');
  assert.equal(legacySpan.parentSpanContext?.spanId, request.spanContext().spanId);
  assert.notEqual(shadow.spanContext().traceId, clientTrace, 'shadow span is not in the critical path trace');
  assert.equal(shadow.links[0]?.context.spanId, request.spanContext().spanId, 'shadow span links the request span');

  const legacyParent = String(legacy.seen[0]!.headers.traceparent);
  assert.match(legacyParent, new RegExp(`^00-${clientTrace}-${legacySpan.spanContext().spanId}-01$`));
  const agentParent = String(agent.seen[0]!.headers.traceparent);
  assert.match(agentParent, new RegExp(`^00-${shadow.spanContext().traceId}-${shadow.spanContext().spanId}-01$`));

  const sampleId = String(agent.seen[0]!.headers['x-shadowgate-sample-id']);
  assert.equal(request.attributes['shadowgate.sample_id'], sampleId);
  assert.equal(shadow.attributes['shadowgate.sample_id'], sampleId);
  assert.equal(shadow.attributes['gen_ai.usage.input_tokens'], 120);
  assert.equal(shadow.attributes['gen_ai.usage.output_tokens'], 30);
  assert.equal(shadow.attributes['gen_ai.response.model'], 'agent-model-7');
  assert.equal(shadow.attributes['shadowgate.comparison.result'], 'mismatch');

  // One hop each: log line -> sample -> trace.
  const line = sg.logs.find((l) => l.event === 'comparison');
  assert.equal(line?.sampleId, sampleId);
  assert.equal(line?.traceId, clientTrace);
  const sample = await (await fetch(`${sg.adminUrl}/api/diffs/${sampleId}`)).json() as { trace: { traceId: string; shadowTraceId: string } };
  assert.equal(sample.trace.traceId, clientTrace);
  assert.equal(sample.trace.shadowTraceId, shadow.spanContext().traceId);
});

test('tracing off: no traceparent is invented', async (t) => {
  const { sg, legacy } = await rig(t);
  await (await fetch(`${sg.dataUrl}/api/quote`)).arrayBuffer();
  assert.equal(legacy.seen[0]!.headers.traceparent, undefined);
});
