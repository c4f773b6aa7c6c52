// The review page in a real browser (Debian Chromium via playwright-core) against a real
// shadowgate: enter the token, find a mismatch, see the differing pointer highlighted in both
// answers, record a verdict (checked on /metrics), and kill the route behind a confirmation.
// Needs /usr/bin/chromium: scripts/install-chromium.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { startTestShadowgate, eventually } from '../support/shadowgate.js';
import { launchBrowser } from '../support/browser.js';

const TOKEN = 'e2e-review-token';
const OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));

test('review page: judge a mismatch highlighted at /price, then kill the route', async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  // /quotes/* mismatches at /price; /stock/* matches except for one field on odd ids.
  legacy.handler = (req, res) => {
    const body = req.url!.startsWith('/quotes/')
      ? { price: 10, currency: 'EUR', items: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2 }], note: '<img src=x onerror=alert(1)>' }
      : { sku: 'a', available: 4, warehouse: 'north' };
    res.writeHead(200, { 'content-type': 'application/json', 'x-backend': 'legacy-v7' });
    res.end(JSON.stringify(body));
  };
  agent.handler = (req, res) => {
    const odd = /[13579]$/.test(req.url!);
    const body = req.url!.startsWith('/quotes/')
      ? {
        price: 12, currency: 'EUR', items: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2 }], note: '<img src=x onerror=alert(1)>',
        _meta: { tools: [{ tool: 'price_lookup', status: 'ok' }, { tool: 'fx_rate', status: 'error' }] },
      }
      : { sku: 'a', available: odd ? 5 : 4, warehouse: 'north' };
    res.writeHead(200, {
      'content-type': 'application/json', 'x-agent-model': 'demo-1', 'x-agent-confidence': '0.82', 'x-agent-tokens-in': '812', 'x-agent-tokens-out': '64',
    });
    res.end(JSON.stringify(body));
  };
  const sg = await startTestShadowgate({
    legacy: legacy.url, agent: agent.url, admin: { token: TOKEN },
    routes: [
      {
        name: 'quotes', match: { path: '/quotes/*' }, shadow: { sideEffects: true }, compare: { ignore: ['/_meta'] },
        agentReport: {
          confidence: { header: 'x-agent-confidence' }, model: { header: 'x-agent-model' },
          inputTokens: { header: 'x-agent-tokens-in' }, outputTokens: { header: 'x-agent-tokens-out' },
          toolCalls: { pointer: '/_meta/tools', name: 'tool', outcome: 'status' },
        },
      },
      { name: 'stock', match: { path: '/stock/*' } },
    ],
  });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });

  // Traffic: a few stock lookups (some mismatch) and the quote under review, sent last.
  for (let i = 0; i < 6; i++) await (await fetch(`${sg.dataUrl}/stock/${i}`)).arrayBuffer();
  const quote = await fetch(`${sg.dataUrl}/quotes/42?currency=EUR`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': 'u-17' }, body: JSON.stringify({ sku: 'a', qty: 1 }),
  });
  assert.equal(quote.status, 200);
  await quote.arrayBuffer();
  await eventually(() => sg.samples.list({ route: 'quotes', limit: 1 }).length === 1 && sg.samples.list({ route: 'stock', limit: 10 }).length === 3, 'samples stored');
  const sample = sg.samples.list({ route: 'quotes', limit: 1 })[0]!;
  assert.deepEqual(sample.differences.map((d) => d.pointer), ['/price']);
  assert.deepEqual(sample.trace, {
    confidence: 0.82, model: 'demo-1', tokens: { input: 812, output: 64 },
    toolCalls: [{ name: 'price_lookup', outcome: 'ok' }, { name: 'fx_rate', outcome: 'error' }],
  });

  const browser = await launchBrowser({ viewport: { width: 1366, height: 768 } });
  t.after(() => browser.close());
  const page = await browser.context.newPage();
  page.setDefaultTimeout(10_000);
  const consoleErrors: string[] = [];
  const foreign: string[] = [];
  let tokenEntered = false;
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // Before the token is entered the page's first API call is refused: that 401 is the prompt.
    if (!tokenEntered && /status of 401/.test(msg.text())) return;
    consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
  page.on('dialog', (d) => { consoleErrors.push(`unexpected ${d.type()} dialog: ${d.message()}`); void d.dismiss(); });
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.protocol !== 'data:' && url.hostname !== '127.0.0.1') foreign.push(req.url());
  });

  await page.goto(`${sg.adminUrl}/`);
  await page.locator('#auth-banner').waitFor({ state: 'visible' });
  tokenEntered = true;
  await page.fill('#token-input', TOKEN);
  await page.click('#token-save');
  await page.locator('#auth-banner').waitFor({ state: 'hidden' });

  // Routes table.
  const quotesRow = page.locator('#routes-body tr[data-route="quotes"]');
  await quotesRow.waitFor();
  assert.match(await quotesRow.innerText(), /shadow/);
  assert.equal(await page.locator('#routes-body tr').count(), 2);

  // The mismatch list, newest first, then the diff view.
  const item = page.locator(`.diff-item[data-sample-id="${sample.id}"]`);
  await item.waitFor();
  assert.equal(await page.locator('.diff-item').first().getAttribute('data-sample-id'), sample.id, 'newest first');
  const itemText = await item.innerText();
  for (const part of ['quotes', 'POST', '/quotes/42', 'mismatch', '/price']) assert.ok(itemText.includes(part), `list row shows ${part}: ${itemText}`);
  await item.click();

  const legacyMark = page.locator('[data-pane="legacy"] mark[data-pointer="/price"]');
  const agentMark = page.locator('[data-pane="agent"] mark[data-pointer="/price"]');
  await legacyMark.waitFor();
  assert.equal(await legacyMark.textContent(), '10');
  assert.equal(await agentMark.textContent(), '12');
  assert.equal(await page.locator('#detail mark[data-pointer]').count(), 2, 'only the differing pointer is highlighted');
  // Bodies are untrusted: the markup in "note" is shown as text, never parsed.
  assert.equal(await page.locator('#detail img').count(), 0);
  assert.match(await page.locator('[data-pane="legacy"] pre.json').innerText(), /"note": "<img src=x onerror=alert\(1\)>"/);
  assert.match(await page.locator('[data-pane="request"] .request-line').innerText(), /^POST \/quotes\/42/);
  assert.match(await page.locator('[data-pane="request"] pre.json').innerText(), /"sku": "a"/);
  const trace = await page.locator('.trace').innerText();
  for (const part of [/82%/, /demo-1/, /input 812 · output 64/, /price_lookup/, /fx_rate/]) assert.match(trace, part);
  await page.locator('#detail-card').screenshot({ path: `${mkOutput()}review-diff.png` });

  // Verdict.
  await page.click('button[data-verdict="agent_correct"]');
  await page.locator('[data-recorded-verdict="agent_correct"]').waitFor();
  assert.equal(await page.locator('button[data-verdict="agent_correct"]').getAttribute('aria-pressed'), 'true');
  const metrics = await (await fetch(`${sg.adminUrl}/metrics`)).text();
  assert.match(metrics, /^shadowgate_review_verdicts_total\{route="quotes",verdict="agent_correct"\} 1$/m);
  await quotesRow.locator('td[data-accuracy="1"]').waitFor();

  // Kill: cancelling the confirmation does nothing; confirming kills the route.
  await quotesRow.locator('button[data-action="kill"]').click();
  await page.locator('#confirm-dialog').waitFor({ state: 'visible' });
  await page.click('#confirm-cancel');
  await page.locator('#confirm-dialog').waitFor({ state: 'hidden' });
  assert.equal(await adminRoute(sg.adminUrl, 'quotes').then((r) => r.mode), 'shadow');

  await quotesRow.locator('button[data-action="kill"]').click();
  await page.fill('#confirm-why', 'agent quoting wrong prices');
  await page.click('#confirm-ok');
  await quotesRow.locator('button[data-action="unkill"]').waitFor();
  assert.match(await quotesRow.innerText(), /killed/);
  const killed = await adminRoute(sg.adminUrl, 'quotes');
  assert.equal(killed.mode, 'killed');
  assert.deepEqual([killed.killed?.by, killed.killed?.why], ['review-ui', 'agent quoting wrong prices']);

  await page.screenshot({ path: `${mkOutput()}review-ui.png`, fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0, 'no horizontal scrolling of the page at 1366x768');
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(foreign, []);
});

function mkOutput(): string {
  mkdirSync(OUTPUT, { recursive: true });
  return OUTPUT;
}

async function adminRoute(adminUrl: string, name: string): Promise<{ mode: string; killed: { by: string; why: string } | null }> {
  const res = await fetch(`${adminUrl}/api/routes`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const body = await res.json() as { routes: { name: string; mode: string; killed: { by: string; why: string } | null }[] };
  return body.routes.find((r) => r.name === name)!;
}
