// Golden suites recorded from live traffic through the proxy: cases on disk in the suite
// format, rotation by size, verdicts appended beside the cases, the queue bounded while the
// disk does not keep up, and nothing configured as secret in any file, sample or log line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, createReadStream, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { clientRequest } from '../fixtures/fake-client.js';
import { startTestShadowgate, eventually, seriesValue, adminJson } from '../support/shadowgate.js';
import { readSuiteFile } from '../../src/suites/read.js';
import { startServe } from '../support/serve-process.js';

const SECRETS = [
  'Bearer-token-sekret-1', 'cookie-sekret-2', 'alice@example.com', 'bob@example.org', '4111111111111111', '4111 1111 1111 1111',
  'ORD-98765', 'ssn-sekret-3', 'agent-bearer-sekret-4',
];

const redact = {
  patterns: ['email', 'card', 'bearer', { name: 'order', regex: 'ORD-\\d+' }],
  fields: ['/customer/ssn'],
};

async function upstreams(t: { after(fn: () => Promise<void>): void }) {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  legacy.handler = (req, res) => {
    const text = JSON.stringify({ order: 'ORD-98765', customer: { email: 'alice@example.com', ssn: 'ssn-sekret-3' }, card: '4111 1111 1111 1111', path: req.url });
    res.writeHead(200, { 'content-type': 'application/json', 'x-contact': 'bob@example.org', 'set-cookie': 'sid=cookie-sekret-2' });
    res.end(text);
  };
  agent.handler = (req, res) => {
    // Differs from legacy in a field whose name is an e-mail address: the log line names it.
    const text = JSON.stringify({ order: 'ORD-98765', customer: { email: 'alice@example.com', ssn: 'ssn-sekret-3' }, card: '4111 1111 1111 1111', path: req.url, 'bob@example.org': 1, note: 'Bearer agent-bearer-sekret-4' });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(text);
  };
  t.after(async () => { await legacy.stop(); await agent.stop(); });
  return { legacy, agent };
}

const secretRequest = (url: string, i: number) => clientRequest(`${url}/orders/${i}?email=alice@example.com&order=ORD-98765&n=${i}`, {
  method: 'POST',
  headers: { authorization: 'Bearer Bearer-token-sekret-1', cookie: 'sid=cookie-sekret-2', 'content-type': 'application/json', 'x-customer': 'alice@example.com' },
  body: JSON.stringify({ card: '4111111111111111', email: 'bob@example.org', customer: { ssn: 'ssn-sekret-3' } }),
});

function assertNoSecrets(text: string, where: string): void {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${s} found in ${where}`);
}

test('recorded cases rotate by size, verdicts are appended, and no secret is written anywhere', async (t) => {
  const { legacy, agent } = await upstreams(t);
  const dir = mkdtempSync(join(tmpdir(), 'sg-suites-'));
  const sg = await startTestShadowgate({
    legacy: legacy.url, agent: agent.url, redact,
    suites: { dir, maxFileBytes: 4096, maxFiles: 3 },
    routes: [
      { name: 'orders', match: { path: '/orders/*' }, shadow: { sideEffects: true }, record: { percent: 100 } },
      { name: 'quiet', match: { path: '/quiet/*' }, shadow: { sideEffects: true }, record: { percent: 0 } },
    ],
  }, { logLevel: 'debug' });
  t.after(() => sg.close());

  // One case at a time: the writer's queue holds one file's worth (4 KiB here, ~3 cases), and on a
  // busy machine a burst would be dropped by that bound (as designed; the next test covers it).
  for (let i = 0; i < 30; i++) {
    assert.equal((await secretRequest(`${sg.dataUrl}`, i)).status, 200);
    await eventually(async () => (await seriesValue(sg, 'shadowgate_suite_records_total', { route: 'orders', result: 'written' })) === i + 1, `case ${i + 1} written`);
  }
  assert.equal(await seriesValue(sg, 'shadowgate_suite_records_total', { route: 'orders', result: 'dropped' }), 0);
  await eventually(() => sg.dispatcher.inflight === 0, 'shadows done');

  // Rotation: at most maxFiles files for the route, none over maxFileBytes.
  await eventually(() => readdirSync(dir).some((n) => n === 'orders.2.jsonl'), 'rotated twice');
  const files = readdirSync(dir).filter((n) => n.startsWith('orders')).sort();
  assert.deepEqual(files, ['orders.1.jsonl', 'orders.2.jsonl', 'orders.jsonl']);
  for (const f of files) assert.ok(statSync(join(dir, f)).size <= 4096, `${f} within maxFileBytes`);

  const live = await readSuiteFile(join(dir, 'orders.jsonl'));
  const c = live.cases.at(-1)!;
  assert.equal(c.route, 'orders');
  assert.equal(c.result, 'mismatch');
  assert.equal(c.request.method, 'POST');
  assert.match(c.request.path, /^\/orders\/\d+$/);
  assert.match(c.request.query, /^email=%5Bredacted%3Aemail%5D&order=%5Bredacted%3Aorder%5D&n=\d+$/, 'the raw query, pattern-masked');
  assert.equal(c.request.headers.authorization, undefined, 'redact.headers are removed');
  assert.equal(c.request.headers['x-customer'], '[redacted:email]');
  assert.deepEqual(JSON.parse(c.request.body), { card: '[redacted:card]', email: '[redacted:email]', customer: { ssn: '[redacted]' } });
  assert.deepEqual(JSON.parse(c.expected.body).customer, { email: '[redacted:email]', ssn: '[redacted]' });
  assert.equal(c.expected.headers['set-cookie'], undefined);
  assert.equal(JSON.parse(c.agent!.body).note, 'Bearer [redacted:bearer]');

  // A verdict on a recorded case: a line in the live file.
  const diffs = (await adminJson<{ diffs: { id: string; route: string }[] }>(sg, '/api/diffs?route=orders&limit=1')).body.diffs;
  const verdict = await fetch(`${sg.adminUrl}/api/diffs/${diffs[0]!.id}/verdict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"verdict":"agent_correct"}' });
  assert.equal(verdict.status, 200);
  await eventually(async () => (await readSuiteFile(join(dir, 'orders.jsonl'))).verdicts.some((v) => v.id === diffs[0]!.id && v.verdict === 'agent_correct'), 'verdict line appended');

  // A verdict on a case that was not recorded (record.percent 0): the case is written then, with its verdict and query.
  assert.equal((await clientRequest(`${sg.dataUrl}/quiet/1?email=alice@example.com`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 200);
  await eventually(async () => (await adminJson<{ diffs: unknown[] }>(sg, '/api/diffs?route=quiet')).body.diffs.length === 1, 'quiet sample stored');
  const quiet = (await adminJson<{ diffs: { id: string }[] }>(sg, '/api/diffs?route=quiet')).body.diffs[0]!;
  assert.equal(readdirSync(dir).includes('quiet.jsonl'), false, 'nothing recorded at 0 %');
  await fetch(`${sg.adminUrl}/api/diffs/${quiet.id}/verdict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"verdict":"both_wrong"}' });
  await eventually(() => readdirSync(dir).includes('quiet.jsonl'), 'case written with its verdict');
  await eventually(async () => (await readSuiteFile(join(dir, 'quiet.jsonl'))).cases.length === 1, 'the case is on disk');
  const q = (await readSuiteFile(join(dir, 'quiet.jsonl'))).cases[0]!;
  assert.equal(q.id, quiet.id);
  assert.equal(q.verdict, 'both_wrong');
  assert.equal(q.request.query, 'email=%5Bredacted%3Aemail%5D');

  // Every written file, every stored sample and every log line: no secret.
  await sg.close();
  for (const name of readdirSync(dir)) assertNoSecrets(readFileSync(join(dir, name), 'utf8'), name);
  for (const name of readdirSync(dir)) await readSuiteFile(join(dir, name)); // and each is a valid suite
  for (const d of (sg.samples.list({ limit: 1000 }))) assertNoSecrets(JSON.stringify(d), `sample ${d.id}`);
  assert.ok(sg.logs.some((l) => l.event === 'comparison' && JSON.stringify(l.fields).includes('[redacted:email]')), 'the differing field was logged, masked');
  assertNoSecrets(JSON.stringify(sg.logs), 'the logs');
});

test('under load with a disk that does not keep up, the queue stays bounded: the rest is dropped and counted', async (t) => {
  const { legacy, agent } = await upstreams(t);
  const dir = mkdtempSync(join(tmpdir(), 'sg-suites-'));
  // The live file is a FIFO nobody reads yet: the writer's open() waits, as on a stuck disk.
  execFileSync('mkfifo', [join(dir, 'orders.jsonl')]);
  const sg = await startTestShadowgate({
    legacy: legacy.url, agent: agent.url, redact,
    suites: { dir, maxFileBytes: 8192, maxFiles: 2 },
    routes: [{ name: 'orders', match: { path: '/orders/*' }, shadow: { sideEffects: true }, record: { percent: 100 } }],
  });
  const fifo = join(dir, 'orders.jsonl');
  let reader: ReturnType<typeof createReadStream> | undefined;
  let text = '';
  const unblock = () => {
    reader ??= createReadStream(fifo, { encoding: 'utf8' }).on('data', (chunk) => { text += chunk as string; });
  };
  // Whatever happens, the FIFO gets a reader, so the writer's open() returns and the process can exit.
  t.after(async () => { unblock(); await sg.close(); reader?.destroy(); });
  const counts = async () => ({
    written: await seriesValue(sg, 'shadowgate_suite_records_total', { route: 'orders', result: 'written' }),
    dropped: await seriesValue(sg, 'shadowgate_suite_records_total', { route: 'orders', result: 'dropped' }),
  });
  const n = 60;
  for (let i = 0; i < n; i += 10) await Promise.all(Array.from({ length: 10 }, (_, j) => secretRequest(sg.dataUrl, i + j)));
  // Every comparison recorded means every case was queued or dropped (the recorder does both in the same turn).
  await eventually(async () => (await seriesValue(sg, 'shadowgate_comparisons_total', { route: 'orders' })) === n && sg.dispatcher.inflight === 0, 'all compared');
  const stuck = await counts();
  assert.equal(stuck.written, 0, 'nothing reached the disk');
  // Each case is about 1 KiB: a queue bounded by one file (8 KiB) holds a handful, the rest is dropped at once.
  assert.ok(stuck.dropped >= n - 8 && stuck.dropped < n, `${stuck.dropped} dropped`);
  // The disk comes back: what was queued is written, nothing more.
  unblock();
  await eventually(async () => { const c = await counts(); return c.written + c.dropped === n; }, 'the queued cases written');
  const done = await counts();
  assert.equal(done.dropped, stuck.dropped);
  await eventually(() => text.split('\n').filter(Boolean).length === done.written, 'the queued cases reach the file');
  for (const line of text.split('\n').filter(Boolean)) assert.equal(JSON.parse(line).route, 'orders');
  assertNoSecrets(text, 'the FIFO');
});

test('`shadowgate serve` masks redact.patterns in its own log lines', { timeout: 60_000 }, async (t) => {
  const { legacy, agent } = await upstreams(t);
  const dir = mkdtempSync(join(tmpdir(), 'sg-serve-mask-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, `server: { port: 0, host: 127.0.0.1 }
admin: { port: 0, host: 127.0.0.1 }
log: { level: info, format: json }
legacy: { url: "${legacy.url}" }
agent: { url: "${agent.url}" }
redact: { patterns: [email, { name: order, regex: "ORD-\\\\d+" }] }
routes:
  - { name: orders, match: { path: /orders/* } }
`);
  const serve = await startServe(file);
  t.after(() => serve.stop());
  await (await fetch(`${serve.dataUrl}/orders/1`)).arrayBuffer();
  // The agent's answer differs in a field named after an e-mail address: the comparison line names it.
  await eventually(() => serve.logs().some((l) => l.event === 'comparison'), 'the comparison logged');
  const line = serve.logs().find((l) => l.event === 'comparison')!;
  assert.ok((line.fields as string[]).includes('/[redacted:email]'), JSON.stringify(line.fields));
  assertNoSecrets(JSON.stringify(serve.logs()), 'the serve log');
});
