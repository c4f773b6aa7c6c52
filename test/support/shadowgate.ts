// Starts a real shadowgate (both listeners on 127.0.0.1:0) from a config object, with a
// silent logger unless SG_TEST_LOG is set. Used by every integration test.
import { Writable } from 'node:stream';
import { buildConfig } from '../../src/config/load.js';
import { startShadowgate, type Shadowgate } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { compileRedactPatterns } from '../../src/store/redact-patterns.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface TestConfig {
  legacy: string;
  agent: string;
  routes?: unknown[];
  [key: string]: unknown;
}

/** Captured log lines (parsed JSON), for tests that check logging. */
export interface StartedShadowgate extends Shadowgate { logs: Record<string, unknown>[] }

export async function startTestShadowgate(cfg: TestConfig, options: { baseDir?: string; logLevel?: 'debug' | 'info' | 'warn'; spanExporter?: SpanExporter } = {}): Promise<StartedShadowgate> {
  const { legacy, agent, routes, ...rest } = cfg;
  const restObj = rest as Record<string, Record<string, unknown> | undefined>;
  const raw = {
    ...rest,
    server: { port: 0, host: '127.0.0.1', ...restObj.server },
    admin: { port: 0, host: '127.0.0.1', ...restObj.admin },
    legacy: { url: legacy, ...restObj.legacyOptions },
    agent: { url: agent, ...restObj.agentOptions },
    routes: routes ?? [{ name: 'all', match: { path: '/*' }, shadow: { sideEffects: true } }],
  };
  delete (raw as Record<string, unknown>).legacyOptions;
  delete (raw as Record<string, unknown>).agentOptions;
  const config = buildConfig(raw, { baseDir: options.baseDir ?? process.cwd(), source: 'test-config' });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      if (process.env.SG_TEST_LOG) process.stderr.write(chunk);
      cb();
    },
  });
  // As `shadowgate serve` builds it: redact.patterns mask every log line.
  const log = createLogger(options.logLevel ?? 'info', sink, 'json', config.redact.patterns.length > 0 ? { mask: compileRedactPatterns(config.redact.patterns).value } : {});
  const sg = await startShadowgate(config, log, { spanExporter: options.spanExporter });
  return Object.assign(sg, { logs });
}

/** Reads one sample value from the Prometheus registry (labels must match exactly the given subset). */
export async function metricValue(sg: Shadowgate, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metrics = await sg.metrics.registry.getMetricsAsJSON();
  const base = name.replace(/_(bucket|sum|count)$/, '');
  const metric = metrics.find((m) => m.name === name || m.name === base);
  if (!metric) return 0;
  let total = 0;
  for (const v of metric.values as { value: number; labels: Record<string, string | number>; metricName?: string }[]) {
    if (metric.name !== name && v.metricName !== name) continue;
    if (Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val)) total += v.value;
  }
  return total;
}

/** Polls `check` until it returns true or the deadline passes. Not a timing assertion: a bounded wait for async work. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Like metricValue, but throws when no series of `name` carries `labels` (a check of a metric that does not exist must fail). */
export async function seriesValue(sg: Shadowgate, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metrics = await sg.metrics.registry.getMetricsAsJSON();
  const base = name.replace(/_(bucket|sum|count)$/, '');
  const metric = metrics.find((m) => m.name === name || m.name === base);
  if (!metric) throw new Error(`no metric named ${name}`);
  let total = 0;
  let found = false;
  for (const v of metric.values as { value: number; labels: Record<string, string | number>; metricName?: string }[]) {
    if (metric.name !== name && v.metricName !== name) continue;
    if (!Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val)) continue;
    found = true;
    total += v.value;
  }
  if (!found) throw new Error(`no series ${name}${JSON.stringify(labels)}`);
  return total;
}

/** GET on the admin API, the JSON body (with the token when given). */
export async function adminJson<T = unknown>(sg: Shadowgate, path: string, token?: string): Promise<{ status: number; body: T }> {
  const res = await fetch(sg.adminUrl + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json()) as T };
}
