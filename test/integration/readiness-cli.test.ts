// `shadowgate readiness` against an admin API serving readiness reports built by the real evaluator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../src/cli/readiness.js';
import { readinessResponse, type PromotionConfig } from '../../src/evaluation/readiness.js';
import { FakeAdmin } from '../fixtures/fake-admin.js';

const TOKEN = 'admin-sekret-token';
const PROMOTION: PromotionConfig = {
  conditional: { minAgreement: 0.95, confidence: 0.95, minSamples: 200, maxErrorRate: 0.05 },
  full: { minAgreement: 0.99, confidence: 0.95, minSamples: 1000, maxErrorRate: 0.01 },
};
const data = (match: number, n: number) => ({ agreement: { raw: { match, n } }, agent: { calls: n, errors: 0 }, p99Ms: { agent: 10, legacy: 10 }, adjudicated: { accuracy: null, verdicts: 0 } });

const admin = new FakeAdmin(TOKEN);
before(async () => {
  await admin.start();
  admin.routes.set('quote', readinessResponse('quote', 'shadow', data(400, 400), PROMOTION));
  admin.routes.set('orders', readinessResponse('orders', 'conditional', data(392, 412), PROMOTION));
  admin.routes.set('junk', '{"route":"junk"}');
});
after(() => admin.stop());

async function readiness(args: string[], env: NodeJS.ProcessEnv = { SHADOWGATE_ADMIN_TOKEN: TOKEN }) {
  const out = { stdout: '', stderr: '' };
  const code = await run(args, { stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t) }, env });
  return { code, ...out };
}

test('ready: exit 0, the verdict and every reason', async () => {
  const r = await readiness(['--admin', admin.url, '--route', 'quote', '--level', 'conditional']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, [
    'quote: ready for conditional (now shadow)',
    '  - 400 comparisons ≥ 200 needed (minSamples)',
    '  - agreement lower bound 0.990 ≥ 0.95 (n=400, observed 1.000)',
    '  - agent error rate upper bound 0.010 ≤ 0.05 (n=400 calls, observed 0.000)',
    '',
  ].join('\n'));
  assert.equal(admin.seen.at(-1)!.authorization, `Bearer ${TOKEN}`);
});

test('not ready: exit 1 with the failing reasons', async () => {
  const r = await readiness(['--admin', `${admin.url}/`, '--route', 'orders', '--level', 'full']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^orders: not ready for full \(now conditional\)\n  - only 412 comparisons, 1000 needed \(minSamples\)\n  - agreement lower bound 0\.926 < 0\.99/);
});

test('errors: exit 2, and the token never appears in the output', async () => {
  const results = await Promise.all([
    readiness(['--admin', admin.url, '--route', 'quote', '--level', 'conditional'], { SHADOWGATE_ADMIN_TOKEN: 'wrong-token' }),
    readiness(['--admin', admin.url, '--route', 'quote', '--level', 'conditional'], {}),
    readiness(['--admin', admin.url, '--route', 'nope', '--level', 'conditional']),
    readiness(['--admin', admin.url, '--route', 'junk', '--level', 'conditional']),
    readiness(['--admin', 'http://127.0.0.1:9', '--route', 'quote', '--level', 'conditional']),
    readiness(['--admin', admin.url, '--route', 'quote', '--level', 'shadow']),
    readiness(['--admin', admin.url, '--level', 'full']),
    readiness(['--route', 'q', '--level', 'full']),
  ]);
  const [wrong, missing, unknown, junk, unreachable, level, noRoute, noAdmin] = results;
  for (const r of results) {
    assert.equal(r!.code, 2, r!.stderr);
    assert.ok(!(r!.stdout + r!.stderr).includes(TOKEN) && !(r!.stdout + r!.stderr).includes('wrong-token'));
  }
  assert.match(wrong!.stderr, /answered 401 SG_UNAUTHORIZED: .*\(is SHADOWGATE_ADMIN_TOKEN right\?\)/);
  assert.match(missing!.stderr, /answered 401 .*\(set SHADOWGATE_ADMIN_TOKEN\)/);
  assert.match(unknown!.stderr, /\/api\/routes\/nope\/readiness answered 404 SG_NOT_FOUND: no route named "nope"/);
  assert.match(junk!.stderr, /did not answer with a readiness report for level conditional/);
  assert.match(unreachable!.stderr, /cannot reach http:\/\/127\.0\.0\.1:9/);
  assert.match(level!.stderr, /--level: expected conditional or full, got "shadow"/);
  assert.match(noRoute!.stderr, /readiness needs --route NAME/);
  assert.match(noAdmin!.stderr, /readiness needs --admin URL/);
});
