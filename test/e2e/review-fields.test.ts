// The review page's Fields card in a real browser (Debian Chromium via playwright-core): a
// calibrated route with a field legacy varies on itself shows it as noise with its suggestion,
// and the button copies the rule that silences it. Needs /usr/bin/chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { startTestShadowgate, eventually } from '../support/shadowgate.js';
import { launchBrowser } from '../support/browser.js';

const TOKEN = 'e2e-fields-token';

test('review page: each field\'s verdict and suggestion, and a button that copies the suggested rule', async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  const answer = (price: number) => (_req: unknown, res: import('node:http').ServerResponse) => {
    const text = JSON.stringify({ price, meta: { requestId: randomUUID() } });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(text);
  };
  legacy.handler = answer(10);
  agent.handler = answer(12);
  const sg = await startTestShadowgate({
    legacy: legacy.url, agent: agent.url, admin: { token: TOKEN },
    routes: [
      { name: 'orders', match: { path: '/orders/*' }, calibration: { percent: 100, minSamples: 10 } },
      { name: 'plain', match: { path: '/plain/*' } },
    ],
  });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  for (let i = 0; i < 15; i++) {
    await (await fetch(`${sg.dataUrl}/orders/${i}`)).arrayBuffer();
    await eventually(() => sg.dispatcher.inflight === 0, 'shadow and calibration pair done');
  }

  const browser = await launchBrowser();
  t.after(() => browser.close());
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: sg.adminUrl });
  const page = await browser.context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  let tokenEntered = false;
  page.on('console', (msg) => { if (msg.type() === 'error' && !(!tokenEntered && /status of 401/.test(msg.text()))) errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));

  await page.goto(`${sg.adminUrl}/`);
  await page.locator('#auth-banner').waitFor({ state: 'visible' });
  tokenEntered = true;
  await page.fill('#token-input', TOKEN);
  await page.click('#token-save');

  const noisy = page.locator('#fields-body tr[data-pointer="/meta/requestId"]');
  await noisy.waitFor();
  const text = await noisy.innerText();
  assert.match(text, /noise/);
  assert.match(text, /15\/15 \(100 %\)/);
  assert.match(text, /ignore \/meta\/requestId: legacy differs from itself in 100 % of calibration pairs/);
  const real = page.locator('#fields-body tr[data-pointer="/price"]');
  assert.match(await real.innerText(), /real/);
  assert.equal(await real.locator('button').count(), 0, 'a real difference has no rule to copy');

  await noisy.locator('button', { hasText: 'Copy rule' }).click();
  await noisy.locator('button', { hasText: 'Copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'compare: { ignore: ["/meta/requestId"] }');
  const output = fileURLToPath(new URL('../../test-output/', import.meta.url));
  mkdirSync(output, { recursive: true });
  await page.locator('#fields-card').screenshot({ path: `${output}review-fields.png` });

  // A route without calibration says so.
  await page.selectOption('#fields-route', 'plain');
  await page.locator('#fields-body', { hasText: 'No calibration data.' }).waitFor();
  assert.match(await page.locator('#fields-note').innerText(), /Calibration is off for this route/);
  assert.deepEqual(errors, []);
});
