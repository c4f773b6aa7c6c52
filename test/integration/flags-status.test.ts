// What the flag source tells operators: warnings counted by kind, and
// shadowgate_flags_source_up following the file at the moment it is rejected (issue 10).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { tempFlagFile } from '../fixtures/flag-files.js';
import { startTestShadowgate, metricValue, eventually } from '../support/shadowgate.js';

test('an unknown operator is served as the SDK says and counted; a rejected file drops source_up at once', async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  legacy.handler = legacy.json(200, { answer: 'legacy' });
  agent.handler = agent.json(200, { answer: 'agent' });
  const flags = tempFlagFile([]);
  const features = [
    { name: 'q.serve', enabled: true, strategies: [
      { name: 'default', parameters: {}, constraints: [{ contextName: 'userId', operator: 'STR_FUZZY_MATCH', values: ['u1'] }] },
      { name: 'userWithId', parameters: { userIds: 'u2' } },
    ] },
  ];
  writeFileSync(flags.file, JSON.stringify({ version: 1, features }));
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, flags: { file: flags.file }, routes: [{ name: 'q', match: { path: '/*' }, shadow: { percent: 0 } }] });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });

  const servedBy = async (userId: string) => (await fetch(`${sg.dataUrl}/x`, { headers: { 'x-user-id': userId } })).headers.get('x-shadowgate-served-by');
  assert.equal(await servedBy('u1'), 'legacy', 'the unknown-operator strategy is off, as unleash-client evaluates it');
  assert.equal(await servedBy('u2'), 'agent', 'the rest of the flag still works');
  assert.equal(await metricValue(sg, 'shadowgate_flags_warnings_total', { kind: 'unknown_operator' }), 1);
  assert.equal(await metricValue(sg, 'shadowgate_flags_warnings_total', { kind: 'unknown_strategy' }), 0);
  assert.ok(sg.logs.some((l) => l.kind === 'unknown_operator' && l.flag === 'q.serve'), 'logged with the flag and kind');
  assert.equal(await metricValue(sg, 'shadowgate_flags_source_up'), 1);

  flags.write('{ "version": 2, "features": [');
  await eventually(() => sg.flags!.status().lastError !== null, 'file rejected');
  // Read at once: the gauge follows the rejection itself, not the next periodic refresh.
  assert.equal(await metricValue(sg, 'shadowgate_flags_source_up'), 0);
  assert.equal(await servedBy('u2'), 'agent', 'the last good flags still apply');

  flags.write(JSON.stringify({ version: 3, features }));
  await eventually(() => sg.flags!.status().lastError === null, 'file valid again');
  assert.equal(await metricValue(sg, 'shadowgate_flags_source_up'), 1);
  assert.equal(await metricValue(sg, 'shadowgate_flags_warnings_total', { kind: 'unknown_operator' }), 1, 'the same flag version does not count again');
});
