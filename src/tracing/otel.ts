// OpenTelemetry tracing, off unless configured. A span per client request; child spans
// for the legacy and serving agent calls; the shadow call gets its own root span *linked*
// to the request (it is not on the client's critical path). W3C traceparent goes to both
// upstreams. Disabled, every call is a cheap no-op.
import type { IncomingHttpHeaders } from 'node:http';
import {
  ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, defaultTextMapGetter, defaultTextMapSetter,
  type Attributes, type Span, type Context,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, TraceIdRatioBasedSampler, ParentBasedSampler, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { Config } from '../config/schema.js';

export type { Span };

export interface Tracing {
  readonly enabled: boolean;
  /** SERVER span for a client request, child of the client's own traceparent if any. */
  requestSpan(headers: IncomingHttpHeaders, method: string, route: string, path: string): Span | undefined;
  /** CLIENT span under `parent` (legacy call, serving agent call). */
  childSpan(parent: Span | undefined, name: string, attributes?: Attributes): Span | undefined;
  /** Root CLIENT span for a shadow call, linked (not parented) to the request span. */
  linkedSpan(link: Span | undefined, name: string, attributes?: Attributes): Span | undefined;
  /** Writes `traceparent` (and `tracestate`) for `span` into outgoing headers. */
  inject(span: Span | undefined, headers: Record<string, unknown>): void;
  end(span: Span | undefined, status?: number | 'error', attributes?: Attributes): void;
  close(): Promise<void>;
}

const NOOP: Tracing = {
  enabled: false,
  requestSpan: () => undefined,
  childSpan: () => undefined,
  linkedSpan: () => undefined,
  inject: () => {},
  end: () => {},
  close: async () => {},
};

export function createTracing(config: Config['tracing'], exporter?: SpanExporter): Tracing {
  if (!config.enabled && !exporter) return NOOP;
  const spanExporter = exporter ?? new OTLPTraceExporter(config.otlpEndpoint ? { url: config.otlpEndpoint } : {});
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
    // Tests hand in an exporter and want spans at once; production batches (bounded queue, drops when full).
    spanProcessors: [exporter ? new SimpleSpanProcessor(spanExporter) : new BatchSpanProcessor(spanExporter, { maxQueueSize: 2048 })],
  });
  const tracer = provider.getTracer('shadowgate');
  const propagator = new W3CTraceContextPropagator();
  const ctxOf = (span: Span | undefined): Context => (span ? trace.setSpan(ROOT_CONTEXT, span) : ROOT_CONTEXT);

  return {
    enabled: true,
    requestSpan(headers, method, route, path) {
      const parent = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
      return tracer.startSpan(`${method} ${route}`, {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': method, 'http.route': route, 'url.path': path, 'shadowgate.route': route },
      }, parent);
    },
    childSpan(parent, name, attributes) {
      return tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, ctxOf(parent));
    },
    linkedSpan(link, name, attributes) {
      return tracer.startSpan(name, {
        kind: SpanKind.CLIENT, attributes, root: true,
        links: link ? [{ context: link.spanContext() }] : [],
      });
    },
    inject(span, headers) {
      if (!span) return;
      propagator.inject(ctxOf(span), headers, defaultTextMapSetter);
    },
    end(span, status, attributes) {
      if (!span) return;
      if (attributes) span.setAttributes(attributes);
      if (status === 'error' || (typeof status === 'number' && status >= 500)) span.setStatus({ code: SpanStatusCode.ERROR });
      if (typeof status === 'number') span.setAttribute('http.response.status_code', status);
      span.end();
    },
    async close() {
      await provider.forceFlush().catch(() => {});
      await provider.shutdown().catch(() => {});
    },
  };
}

/** GenAI semantic-convention attribute names for what the agent reported. */
export function genAiAttributes(report: { tokens?: { input?: number; output?: number }; model?: string; confidence?: number } | null): Attributes {
  if (!report) return {};
  const a: Attributes = {};
  if (report.tokens?.input !== undefined) a['gen_ai.usage.input_tokens'] = report.tokens.input;
  if (report.tokens?.output !== undefined) a['gen_ai.usage.output_tokens'] = report.tokens.output;
  if (report.model) a['gen_ai.response.model'] = report.model;
  if (report.confidence !== undefined) a['shadowgate.agent.confidence'] = report.confidence;
  return a;
}
