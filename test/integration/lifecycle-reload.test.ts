// Live config: a changed compare rule takes effect without a restart — by rename (editors,
// atomic writers), by a ConfigMap `..data` symlink swap, by SIGHUP; a bad config is rejected
// and the old one keeps serving; keys that cannot change live are refused by name; route
// state survives a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfigFile } from '../../src/config/load.js';
import { startShadowgate, type Shadowgate } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { configHash } from '../../src/lifecycle/reload.js';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { eventually, metricValue } from '../support/shadowgate.js';
import { startServe } from '../support/serve-process.js';

interface Rig { legacy: FakeUpstream; agent: FakeUpstream; dir: string }

async function rig(t: { after(fn: () => Promise<void> | void): void }): Promise<Rig> {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  // The two always differ in /meta/requestId only: whether that is ignored decides match or mismatch.
  let n = 0;
  legacy.handler = (_req, res) => { const b = JSON.stringify({ price: 5, meta: { requestId: `l-${++n}` } }); res.writeHead(200, { 'content-type': 'application/json' }); res.end(b); };
  agent.handler = (_req, res) => { const b = JSON.stringify({ price: 5, meta: { requestId: `a-${++n}` } }); res.writeHead(200, { 'content-type': 'application/json' }); res.end(b); };
  t.after(async () => { await legacy.stop(); await agent.stop(); });
  return { legacy, agent, dir: mkdtempSync(join(tmpdir(), 'sg-reload-')) };
}

function configText(r: Rig, opts: { ignore?: string[]; port?: number; extra?: string } = {}): string {
  return `server: { port: ${opts.port ?? 0}, host: 127.0.0.1 }
admin: { port: 0, host: 127.0.0.1 }
legacy: { url: "${r.legacy.url}" }
agent: { url: "${r.agent.url}" }
routes:
  - name: api
    match: { path: /api/* }
    compare: { ignore: ${JSON.stringify(opts.ignore ?? [])} }
${opts.extra ?? ''}`;
}

/** Writes as an editor does: a temp file, renamed over the config. */
function writeByRename(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.hrtime.bigint()}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

async function start(file: string, t: { after(fn: () => Promise<void>): void }): Promise<Shadowgate & { logs: Record<string, unknown>[] }> {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk: Buffer, _e, cb) { for (const l of chunk.toString().split('\n')) if (l) logs.push(JSON.parse(l) as Record<string, unknown>); cb(); } });
  const sg = await startShadowgate(loadConfigFile(file), createLogger('info', sink), { configFile: file });
  t.after(() => sg.close());
  return Object.assign(sg, { logs });
}

async function compareOnce(sg: Shadowgate, r: Rig): Promise<'match' | 'mismatch'> {
  const before = { match: await metricValue(sg, 'shadowgate_comparisons_total', { result: 'match' }), mismatch: await metricValue(sg, 'shadowgate_comparisons_total', { result: 'mismatch' }) };
  const seen = r.agent.seen.length;
  await (await fetch(`${sg.dataUrl}/api/x`)).arrayBuffer();
  await r.agent.waitFor(seen + 1);
  let result: 'match' | 'mismatch' | undefined;
  await eventually(async () => {
    if (await metricValue(sg, 'shadowgate_comparisons_total', { result: 'match' }) > before.match) result = 'match';
    else if (await metricValue(sg, 'shadowgate_comparisons_total', { result: 'mismatch' }) > before.mismatch) result = 'mismatch';
    return result !== undefined;
  }, 'the comparison recorded');
  return result!;
}

test('a compare rule changed by rename takes effect without a restart; config_info and the reload counter follow', async (t) => {
  const r = await rig(t);
  const file = join(r.dir, 'config.yaml');
  writeFileSync(file, configText(r));
  const sg = await start(file, t);
  assert.equal(await compareOnce(sg, r), 'mismatch');
  const first = configText(r, { ignore: ['/meta/requestId'] });
  writeByRename(file, first);
  await eventually(async () => (await metricValue(sg, 'shadowgate_config_reload_total', { result: 'success' })) === 1, 'reloaded');
  assert.equal(await compareOnce(sg, r), 'match');
  assert.equal(await metricValue(sg, 'shadowgate_config_info', { hash: configHash(first) }), 1);
  assert.equal(await metricValue(sg, 'shadowgate_config_info'), 1, 'one config in force, the old hash is gone');
  assert.ok(sg.logs.some((l) => l.msg?.toString().startsWith('config reloaded') && (l.changed as string[]).includes('routes')));
});

test('a ConfigMap update (the ..data symlink swapped) reloads the config', async (t) => {
  const r = await rig(t);
  // The layout kubelet writes: ..<timestamp>/config.yaml, ..data -> ..<timestamp>, config.yaml -> ..data/config.yaml
  const v1 = join(r.dir, '..2026_12_01_v1');
  mkdirSync(v1);
  writeFileSync(join(v1, 'config.yaml'), configText(r));
  symlinkSync('..2026_12_01_v1', join(r.dir, '..data'));
  symlinkSync('..data/config.yaml', join(r.dir, 'config.yaml'));
  const sg = await start(join(r.dir, 'config.yaml'), t);
  assert.equal(await compareOnce(sg, r), 'mismatch');
  const v2 = join(r.dir, '..2026_12_01_v2');
  mkdirSync(v2);
  writeFileSync(join(v2, 'config.yaml'), configText(r, { ignore: ['/meta/requestId'] }));
  symlinkSync('..2026_12_01_v2', join(r.dir, '..data_tmp'));
  renameSync(join(r.dir, '..data_tmp'), join(r.dir, '..data'));
  await eventually(async () => (await metricValue(sg, 'shadowgate_config_reload_total', { result: 'success' })) === 1, 'reloaded on the ..data swap');
  assert.equal(await compareOnce(sg, r), 'match');
});

test('a bad config is rejected with file, key and problem; the old one keeps serving', async (t) => {
  const r = await rig(t);
  const file = join(r.dir, 'config.yaml');
  writeFileSync(file, configText(r, { ignore: ['/meta/requestId'] }));
  const sg = await start(file, t);
  writeByRename(file, configText(r).replace('compare: { ignore: [] }', 'compare: { ignore: [/meta/requestId], numericTolerance: 7 }'));
  await eventually(async () => (await metricValue(sg, 'shadowgate_config_reload_total', { result: 'failure' })) === 1, 'rejected');
  const line = sg.logs.find((l) => l.msg === 'config reload rejected; the config in force stays');
  assert.ok(line, 'logged');
  assert.match(String(line.reason), /config\.yaml/);
  assert.match(String(line.reason), /routes\[0\]\.compare\.numericTolerance/);
  assert.equal(await compareOnce(sg, r), 'match', 'the old config (with its ignore rule) is still in force');
  assert.equal(await metricValue(sg, 'shadowgate_config_reload_total', { result: 'success' }), 0);
});

test('a port change is refused by its key path, nothing of that reload applies; route state survives a good reload', async (t) => {
  const r = await rig(t);
  const file = join(r.dir, 'config.yaml');
  writeFileSync(file, configText(r));
  const sg = await start(file, t);
  const kill = await fetch(`${sg.adminUrl}/api/routes/api/kill`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"who":"oncall"}' });
  assert.equal(kill.status, 200);
  await compareOnce(sg, r);
  writeByRename(file, configText(r, { port: 18_481, ignore: ['/meta/requestId'] }));
  const refused = await sg.reload();
  assert.equal(refused.ok, false);
  assert.match(refused.ok ? '' : refused.reason, /server\.port: 0 → 18481/);
  assert.equal(await compareOnce(sg, r), 'mismatch', 'the ignore rule of the refused reload did not apply either');
  writeByRename(file, configText(r, { ignore: ['/meta/requestId'] }));
  const ok = await sg.reload();
  assert.equal(ok.ok, true);
  const route = (await (await fetch(`${sg.adminUrl}/api/routes/api`)).json()) as { mode: string; killed: { by: string } | null; counts: Record<string, number> };
  assert.equal(route.mode, 'killed', 'the per-pod kill survives the reload');
  assert.equal(route.killed?.by, 'oncall');
  assert.ok((route.counts.mismatch ?? 0) >= 2, 'lifetime counters survive the reload');
});

test('SIGHUP reloads the config of a running `shadowgate serve`', { timeout: 60_000 }, async (t) => {
  const r = await rig(t);
  const file = join(r.dir, 'config.yaml');
  writeFileSync(file, configText(r, { extra: '' }));
  const sg = await startServe(file);
  t.after(() => sg.stop());
  // Written in place (no rename): the watcher may or may not see it; SIGHUP must.
  writeFileSync(file, configText(r, { ignore: ['/meta/requestId'] }));
  sg.child.kill('SIGHUP');
  await eventually(() => sg.logs().some((l) => String(l.msg).startsWith('config reloaded')), 'reloaded after SIGHUP', 10_000);
  const seen = r.agent.seen.length;
  await (await fetch(`${sg.dataUrl}/api/x`)).arrayBuffer();
  await r.agent.waitFor(seen + 1);
  await eventually(async () => /shadowgate_comparisons_total\{route="api",result="match"\} [1-9]/.test(await (await fetch(`${sg.adminUrl}/metrics`)).text()), 'a match under the new rule');
});
