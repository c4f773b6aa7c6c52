// The request path's last-resort guard: a pass that throws answers that one client with a 500
// and a log line naming the route (never the path: it may carry secrets); the server goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { buildConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/log.js';
import { createMetrics } from '../../../src/metrics/definitions.js';
import { RouteMetrics } from '../../../src/metrics/route-metrics.js';
import { createRequestHandler, type PassDeps } from '../../../src/proxy/passes.js';
import { createTracing } from '../../../src/tracing/otel.js';
import type { RouteRuntime } from '../../../src/routing/runtime.js';

test('a pass that throws: 500 SG_INTERNAL for that client, counted, logged with the route and without the path; the next request is handled', async (t) => {
  const config = buildConfig({ legacy: { url: 'http://127.0.0.1:9' }, agent: { url: 'http://127.0.0.1:9' }, routes: [{ name: 'orders', match: { path: '/api/*' } }] });
  const metrics = createMetrics(new Registry());
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('info', new Writable({ write(chunk: Buffer, _e, cb) { for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>); cb(); } }));
  let calls = 0;
  const route = { name: 'orders' } as RouteRuntime;
  const deps = {
    config, metrics, log, tracing: createTracing(config.tracing), unmatched: new RouteMetrics(metrics, 'unmatched'),
    // The first lookup (inside the pass) throws, as a bug would; the guard's own lookup works.
    matcher: { match: () => { if (calls++ % 2 === 0) throw new Error('boom in a pass'); return route; } },
  } as unknown as PassDeps;
  const server = http.createServer(createRequestHandler(deps));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/orders/42?token=secret`;

  for (let i = 0; i < 2; i++) {
    const res = await fetch(url);
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: { code: 'SG_INTERNAL', message: 'internal error' } });
  }
  const [value] = (await metrics.registry.getSingleMetric('shadowgate_internal_errors_total')!.get()).values;
  assert.deepEqual([value?.labels, value?.value], [{ where: 'request' }, 2]);
  const line = lines.find((l) => l.msg === 'request pass threw; answered 500');
  assert.ok(line, 'logged');
  assert.equal(line.route, 'orders');
  assert.equal(line.method, 'GET');
  assert.equal(JSON.stringify(line).includes('secret'), false, 'the path and query are not logged');
  assert.match(String((line.err as { message: string }).message), /boom in a pass/);
});
