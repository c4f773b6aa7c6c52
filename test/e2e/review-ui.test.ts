// The review page in a real browser (Debian Chromium via playwright-core) against a real
// shadowgate. At 1366 px: enter the token, find a mismatch, see the differing pointer
// highlighted in both answers and the ignored one greyed, record a verdict (checked on
// /metrics), kill the route behind a confirmation, reset it with force. At 800 px: no
// horizontal overflow and the actions on screen, the modes legend, the kill flag and
// probation explained, the servedBy filter, mismatches grouped by field, applied compare
// rules, keyboard next / previous, and a list that announces new samples instead of moving.
// Needs /usr/bin/chromium: scripts/install-chromium.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { tempFlagFile } from '../fixtures/flag-files.js';
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
  // The compare rules that applied: /_meta is ignored (greyed on the agent side, where it exists).
  assert.match(await page.locator('#detail .rules').innerText(), /ignored: \/_meta/);
  assert.equal(await page.locator('[data-pane="agent"] [data-ignored="/_meta"]').count(), 1);
  assert.equal(await page.locator('[data-pane="legacy"] [data-ignored]').count(), 0);
  // Who answered this client: shadow-only route, so legacy.
  assert.equal(await page.locator('#detail .served-note').getAttribute('data-served-by'), 'legacy');
  assert.match(await page.locator('[data-pane="legacy"] .pane-head').innerText(), /answered the client/i);
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

  // Reset offers force (skip probation); the choice reaches the API and the log.
  await quotesRow.locator('button[data-action="reset"]').click();
  await page.locator('#confirm-force-row').waitFor({ state: 'visible' });
  await page.check('#confirm-force');
  await page.click('#confirm-ok');
  await eventually(() => sg.logs.some((l) => l.event === 'reset' && l.route === 'quotes' && l.force === true), 'forced reset logged');
  await quotesRow.locator('button[data-action="unkill"]').click();
  assert.equal(await page.locator('#confirm-force-row').isVisible(), false, 'force is offered for reset only');
  await page.click('#confirm-cancel');

  await page.screenshot({ path: `${mkOutput()}review-ui.png`, fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0, 'no horizontal scrolling of the page at 1366x768');
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(foreign, []);
});

test('review page at 800 px: layout, legend, kill flag and probation, servedBy filter, grouping, rules, keyboard, a stable list', async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  let served = 0;
  // orders: the agent reorders /items (unordered: fine), rounds /total within the 1 % tolerance,
  // returns another /meta/requestId (ignored), and differs at /price on odd ids and at
  // /status on ids divisible by 3.
  legacy.handler = (req, res) => {
    const id = Number(/\/(\d+)$/.exec(req.url!)?.[1] ?? 0);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id, price: 10, total: 100, status: 'open', items: ['a', 'b'], meta: { requestId: `l-${id}` } }));
  };
  agent.handler = (req, res) => {
    const id = Number(/\/(\d+)$/.exec(req.url!)?.[1] ?? 0);
    served++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id, price: id % 2 ? 12 : 10, total: 100.4, status: id % 3 === 0 ? 'closed' : 'open', items: ['b', 'a'], meta: { requestId: `a-${id}` } }));
  };
  // The agent serves orders for one user (everyone else: legacy); stock is killed by its flag.
  const flags = tempFlagFile([{ name: 'orders.serve', userIds: ['u-agent'] }, { name: 'stock.kill', rollout: 100 }]);
  const sg = await startTestShadowgate({
    legacy: legacy.url, agent: agent.url, admin: { token: TOKEN }, flags: { file: flags.file },
    routes: [
      {
        name: 'orders', match: { path: '/orders/:id' }, serve: { fallback: 'parallel' },
        compare: { ignore: ['/meta/requestId'], unorderedArrays: ['/items'], numericTolerance: 0.01 },
        guardrail: { minSamples: 1000 }, // reset leaves it on probation for the whole test
      },
      { name: 'stock', match: { path: '/stock/*' }, shadow: { sideEffects: true } },
    ],
  });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });

  const order = async (id: number, user: string) => (await fetch(`${sg.dataUrl}/orders/${id}`, { headers: { 'x-user-id': user } })).arrayBuffer();
  // ids 1..8: 1, 2, 3 served by the agent; each id mismatches (/price on odd, /status on 3 and 6, ...)
  const ids = [1, 2, 3, 5, 6, 7, 9, 11];
  await fetch(`${sg.dataUrl}/stock/1`).then((r) => r.arrayBuffer());
  for (const [i, id] of ids.entries()) await order(id, i < 3 ? 'u-agent' : `u-${id}`);
  const mismatching = ids.filter((id) => id % 2 === 1 || id % 3 === 0);
  await eventually(() => sg.samples.list({ route: 'orders', limit: 100 }).length === mismatching.length, 'orders samples stored');
  assert.ok(served > 0);

  const browser = await launchBrowser({ viewport: { width: 800, height: 900 } });
  t.after(() => browser.close());
  const page = await browser.context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  const listCalls: string[] = [];
  page.on('request', (req) => { if (/\/api\/diffs\?/.test(req.url())) listCalls.push(req.url()); });
  await page.addInitScript((token) => sessionStorage.setItem('shadowgate.adminToken', token), TOKEN);
  await page.goto(`${sg.adminUrl}/?refresh=1`);

  // Layout at 800 px: nothing scrolls sideways, the actions are on screen.
  const ordersRow = page.locator('#routes-body tr[data-route="orders"]');
  await ordersRow.waitFor();
  await page.locator('.diff-item').first().waitFor();
  await assertNoHorizontalOverflow(page);
  for (const action of ['kill', 'reset']) {
    const button = ordersRow.locator(`button[data-action="${action}"]`);
    assert.ok(await button.isVisible(), `${action} visible`);
    const box = (await button.boundingBox())!;
    assert.ok(box.x >= 0 && box.x + box.width <= 800, `${action} button inside the 800 px viewport: ${JSON.stringify(box)}`);
  }
  // The detail pane is below the list, and nothing says "on the left".
  const listBox = (await page.locator('.list-card').boundingBox())!;
  const detailBox = (await page.locator('#detail-card').boundingBox())!;
  assert.ok(detailBox.y >= listBox.y + listBox.height, 'sample pane below the list at 800 px');
  assert.doesNotMatch(await page.locator('main').innerText(), /on the left|on the right/i);

  // The legend explains all six modes.
  const legend = page.locator('#legend li');
  assert.deepEqual(await legend.evaluateAll((els) => els.map((e) => e.getAttribute('data-mode'))), ['shadow', 'conditional', 'full', 'probation', 'demoted', 'killed']);
  assert.match(await page.locator('#legend li[data-mode="probation"]').innerText(), /refill the guardrail window/);
  assert.ok((await page.locator('#routes-body .badge-mode-full').getAttribute('title'))!.length > 30, 'the mode badge has a tooltip');

  // Which kill is in force: stock is killed by its flag, so Unkill here cannot help.
  const stockRow = page.locator('#routes-body tr[data-route="stock"]');
  assert.match(await stockRow.innerText(), /Killed by flag stock\.kill/);
  assert.equal(await stockRow.locator('button[data-action="unkill"]').isDisabled(), true);

  // One agreement, with its window and the lifetime figure.
  const agreementCell = await ordersRow.locator('td[data-col="Agreement"]').innerText();
  assert.match(agreementCell, /last \d+ results \(\d+ compared\) · lifetime \d+(\.\d)?% of \d+/);

  // Grouping by field, with counts, over the listed samples.
  const group = (field: string) => page.locator(`#field-groups tr[data-field="${field}"] td[data-count]`);
  const all = sg.samples.list({ limit: 100 });
  const withField = (f: string) => all.filter((s) => s.differences.some((d) => d.field === f)).length;
  assert.equal(Number(await group('/price').getAttribute('data-count')), withField('/price'));
  assert.equal(Number(await group('/status').getAttribute('data-count')), withField('/status'));
  // orders ignores /meta/requestId; stock compares it: only stock's sample counts there.
  assert.match(await page.locator('#field-groups tr[data-field="/meta/requestId"]').innerText(), /\b1\b[\s\S]*\bstock$/);
  await page.locator('#field-groups tr[data-field="/status"] button').click();
  await eventually(async () => (await page.locator('.diff-item').count()) === withField('/status'), 'list filtered to /status');
  await page.fill('#filter-field', '');
  await page.click('#filters button[type="submit"]');

  // servedBy: every item says who served it; the filter finds the agent's clients.
  await eventually(async () => (await page.locator('.diff-item').count()) === all.length, 'unfiltered list');
  const servedByAgent = all.filter((s) => s.servedBy === 'agent').map((s) => s.id).sort();
  assert.ok(servedByAgent.length > 0 && servedByAgent.length < all.length);
  assert.equal(await page.locator('.diff-item:not([data-served-by])').count(), 0);
  await page.selectOption('#filter-served', 'agent');
  await eventually(async () => (await page.locator('.diff-item').count()) === servedByAgent.length, 'servedBy filter applied');
  assert.deepEqual((await page.locator('.diff-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-sample-id')))).sort(), servedByAgent);
  assert.equal(await page.locator('.diff-item .badge-served-agent').count(), servedByAgent.length);
  await page.selectOption('#filter-served', '');
  await eventually(async () => (await page.locator('.diff-item').count()) === all.length, 'filter cleared');

  // Keyboard: j opens the first sample, j the next, k back; Escape closes.
  const order1 = await page.locator('.diff-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-sample-id')));
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('j');
  await page.locator(`.diff-item.selected[data-sample-id="${order1[0]}"]`).waitFor();
  await page.locator('#detail .rules').waitFor();
  await page.keyboard.press('j');
  await page.locator(`.diff-item.selected[data-sample-id="${order1[1]}"]`).waitFor();
  await page.keyboard.press('k');
  await page.locator(`.diff-item.selected[data-sample-id="${order1[0]}"]`).waitFor();
  await eventually(async () => (await page.locator('#detail h2').innerText()).includes(sg.samples.get(order1[0]!)!.request.path), 'detail follows the keyboard');

  // Applied rules in the diff: ignored greyed, unordered marked, tolerance noted.
  const rules = await page.locator('#detail .rules').innerText();
  for (const part of [/ignored: \/meta\/requestId/, /order ignored: \/items/, /numbers within 1%/]) assert.match(rules, part);
  for (const side of ['legacy', 'agent']) {
    assert.equal(await page.locator(`[data-pane="${side}"] [data-ignored="/meta/requestId"]`).count(), 1, `${side}: ignored pointer greyed`);
    assert.equal(await page.locator(`[data-pane="${side}"] [data-unordered="/items"]`).count(), 1, `${side}: unordered array marked`);
    assert.equal(await page.locator(`[data-pane="${side}"] [data-tolerated="/total"]`).count(), 1, `${side}: tolerated number marked`);
  }
  assert.equal(await page.locator('#detail mark[data-pointer="/meta/requestId"]').count(), 0);
  await page.screenshot({ path: `${mkOutput()}review-800.png`, fullPage: true });
  await assertNoHorizontalOverflow(page);

  // A stable list: while a sample is open nothing is fetched and nothing moves.
  const before = await page.locator('.diff-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-sample-id')));
  await page.locator('#list-notice[data-kind="paused"]').waitFor();
  const callsBefore = listCalls.length;
  for (const id of [13, 15]) await order(id, `u-${id}`);
  await eventually(() => sg.samples.list({ route: 'orders', limit: 100 }).length === mismatching.length + 2, 'two more samples');
  const routeCalls = () => page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/routes')).length);
  const routesBefore = await routeCalls();
  await eventually(async () => (await routeCalls()) >= routesBefore + 2, 'two refreshes while the sample is open');
  assert.equal(listCalls.length, callsBefore, 'no list refresh while a sample is open');
  assert.deepEqual(await page.locator('.diff-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-sample-id'))), before);

  // Closed: the refresh resumes and announces the new samples without inserting them.
  await page.keyboard.press('Escape');
  await page.locator('#detail').waitFor({ state: 'hidden' });
  await page.locator('#list-notice[data-kind="new"]').waitFor();
  assert.match(await page.locator('#list-notice').innerText(), /2 new samples/);
  assert.deepEqual(await page.locator('.diff-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-sample-id'))), before, 'announced, not inserted');
  await page.click('#show-new');
  await eventually(async () => (await page.locator('.diff-item').count()) === before.length + 2, 'new samples shown on request');
  const after = await page.locator('.diff-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-sample-id')));
  assert.deepEqual(after.slice(2), before, 'the new ones on top, the rest in the same order');

  // Reset a serving route: probation, explained.
  await ordersRow.locator('button[data-action="reset"]').click();
  await page.fill('#confirm-why', 'agent fixed');
  await page.click('#confirm-ok');
  await ordersRow.locator('.badge-mode-probation').waitFor();
  assert.match(await ordersRow.locator('td[data-col="Mode"]').innerText(), /On probation since \d\d:\d\d:\d\d \(review-ui: agent fixed\) · \d+ of 1\u2009000 comparisons so far/);
  await assertNoHorizontalOverflow(page);
  await page.screenshot({ path: `${mkOutput()}review-800-probation.png`, fullPage: true });
  assert.deepEqual(errors, []);
});

async function assertNoHorizontalOverflow(page: Page): Promise<void> {
  const widths = await page.evaluate(() => {
    const wrap = document.querySelector('.routes-wrap')!;
    return { page: document.documentElement.scrollWidth - document.documentElement.clientWidth, routes: wrap.scrollWidth - wrap.clientWidth };
  });
  assert.deepEqual(widths, { page: 0, routes: 0 }, 'no horizontal overflow of the page or the routes table');
}

function mkOutput(): string {
  mkdirSync(OUTPUT, { recursive: true });
  return OUTPUT;
}

async function adminRoute(adminUrl: string, name: string): Promise<{ mode: string; killed: { by: string; why: string } | null }> {
  const res = await fetch(`${adminUrl}/api/routes`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const body = await res.json() as { routes: { name: string; mode: string; killed: { by: string; why: string } | null }[] };
  return body.routes.find((r) => r.name === name)!;
}
