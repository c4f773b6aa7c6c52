// Records the small golden suite in test/fixtures/suites/ from the demo's sample services,
// through the same builder, redactor and writer shadowgate uses. Regenerate with
//   node --import tsx scripts/record-demo-suite.ts [OUT_DIR]
// The recording agent is seeded, so the same cases mismatch on every run; legacy's requestId
// and timestamp differ from run to run (the replay config ignores them).
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { Registry } from 'prom-client';
import { createComparator } from '../src/compare/index.js';
import { loadConfigFile } from '../src/config/load.js';
import { createAgentService, createLegacyService, listen } from '../src/demo/services.js';
import { createLogger } from '../src/log.js';
import { createMetrics } from '../src/metrics/definitions.js';
import { Redactor } from '../src/store/redact.js';
import { SuiteRecorder } from '../src/suites/recorder.js';
import { SuiteWriter } from '../src/suites/writer.js';
import type { SuiteRecordInput } from '../src/suites/record.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const OUT = resolve(process.argv[2] ?? join(ROOT, 'test/fixtures/suites'));
const CASES_PER_ROUTE = 20;

/** mulberry32 */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Headers = Record<string, string | string[] | undefined>;

async function call(base: string, method: string, path: string, headers: Record<string, string>, body: string) {
  const res = await request(`${base}${path}`, { method: method as 'GET', headers, body: body || null });
  return { status: res.statusCode, headers: res.headers as Headers, body: Buffer.from(await res.body.arrayBuffer()) };
}

async function main(): Promise<void> {
  const legacy = createLegacyService();
  const agent = createAgentService({ differ: 0.2, slow: 0, fail: 0.05, slowMs: 0 }, seeded(12));
  const legacyUrl = await listen(legacy);
  const agentUrl = await listen(agent);
  const config = loadConfigFile(join(OUT, 'demo-replay.yaml'));
  const compare = Object.fromEntries(await Promise.all(config.routes.map(async (r) => [r.name, await createComparator(structuredClone(r.compare))] as const)));

  for (const route of ['quote', 'orders']) rmSync(join(OUT, `${route}.jsonl`), { force: true });
  mkdirSync(OUT, { recursive: true });
  const metrics = createMetrics(new Registry(), { defaultMetrics: false });
  const writer = new SuiteWriter({ dir: OUT, maxFileBytes: 1 << 20, maxFiles: 1 }, metrics, createLogger('warn'));
  // What a production config would redact: credentials by header, e-mail addresses and tokens by pattern.
  const redactor = new Redactor({ headers: ['authorization', 'cookie', 'set-cookie', 'proxy-authorization'], fields: [], maxBodyBytes: 65_536, patterns: ['email', 'bearer'] });
  const recorder = new SuiteRecorder({ writer, redactor, routes: { quote: { percent: 100, maxBodyBytes: 65_536 }, orders: { percent: 100, maxBodyBytes: 65_536 } } });

  const mismatches: { id: string; route: string }[] = [];
  const matches: { id: string; route: string }[] = [];
  for (let i = 0; i < CASES_PER_ROUTE * 2; i++) {
    const quote = i % 2 === 0;
    const route = quote ? 'quote' : 'orders';
    const method = quote ? 'POST' : 'GET';
    const path = quote ? '/api/quote' : `/api/orders/${100 + i}`;
    const query = quote ? '' : 'expand=items';
    const body = quote ? JSON.stringify({ sku: `A-${i % 7}`, qty: 1 + (i % 3), customer: `buyer${i}@example.com` }) : '';
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-user-id': `user-${i}`, authorization: 'Bearer demo-secret-token' };
    const target = `${path}${query ? `?${query}` : ''}`;
    const l = await call(legacyUrl, method, target, headers, body);
    const a = await call(agentUrl, method, target, headers, body);
    const agentOk = a.status < 500;
    const result = !agentOk ? 'agent_error'
      : (await compare[route]!({ ...l, truncated: false }, { ...a, truncated: false }, { route, method, path })).result;
    const id = `demo-${route}-${String(i).padStart(3, '0')}`;
    const input: SuiteRecordInput = {
      id, route, at: new Date(),
      request: { method, path, query, headers, body: Buffer.from(body) },
      legacy: l, agent: agentOk ? a : null, result,
    };
    recorder.record(input);
    (result === 'mismatch' ? mismatches : result === 'match' ? matches : []).push({ id, route });
  }
  // Verdicts as a reviewer would leave them: two judged against the agent (excluded on replay),
  // one judged for it (replay compares with the agent's recorded answer).
  const at = new Date().toISOString();
  const verdicts: [typeof mismatches[number] | undefined, 'legacy_correct' | 'both_wrong' | 'agent_correct'][] = [
    [mismatches[0], 'legacy_correct'], [mismatches[1], 'both_wrong'], [matches[0], 'agent_correct'],
  ];
  for (const [c, verdict] of verdicts) if (c) writer.verdict(c.route, { id: c.id, verdict, at });
  await writer.close();
  await Promise.all([legacy, agent].map((s) => new Promise((r) => s.close(r))));
  process.stdout.write(`recorded ${CASES_PER_ROUTE * 2} cases (${mismatches.length} mismatches) into ${OUT}\n`);
}

main().catch((err: unknown) => { process.stderr.write(`${String(err)}\n`); process.exitCode = 1; });
