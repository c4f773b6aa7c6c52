// The contract (issue 9): for every flag set unleash-client accepts and every context that can
// travel in a request, shadowgate's decision equals unleash-client's isEnabled — for both flag
// sources. Unleash's own client specification, run THROUGH THE PROXY: each spec feature is a
// route's serve flag, each case a request with its context in headers (or cookies, for values
// a header cannot carry), and the answer's x-shadowgate-served-by says who served it.
//
// What cannot travel, and is left out (counted below): a currentTime (the proxy's clock
// decides), and a case without a remoteAddress whose answer would change with one (a request
// always has an address). appName and environment travel as the proxy's flags.appName /
// flags.environment: each distinct pair gets its own proxy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Unleash } from 'unleash-client';
import { createOfflineClient, destroyClient, waitForReady } from '../../src/flags/sdk-client.js';
import type { FlagSet } from '../../src/flags/flag-file.js';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { FakeUnleashServer } from '../fixtures/flags/fake-unleash-server.js';
import { loadSpecs, type Spec, type SpecCase, type SpecContext } from '../fixtures/flags/client-specification.js';
import { startTestShadowgate, eventually, type StartedShadowgate } from '../support/shadowgate.js';

const DEFAULT_APP = 'shadowgate';
const DEFAULT_ENV = 'default';
/** The test client connects from here; trusted, so x-forwarded-for carries the case's address. */
const PEER = '127.0.0.1';

/** Printable ASCII without leading/trailing blanks survives a header; anything else goes in a cookie, percent-encoded. */
const headerSafe = (v: string) => /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(v);

function propertyNames(spec: Spec): string[] {
  return [...new Set(spec.tests.flatMap((t) => Object.keys(t.context.properties ?? {})))];
}

function contextConfig(names: string[]) {
  return {
    userId: { header: 'x-user-id', cookie: 'uid' },
    sessionId: { header: 'x-session-id', cookie: 'sid' },
    properties: Object.fromEntries(names.map((n, i) => [n, { header: `x-p-${i}`, cookie: `p${i}` }])),
    remoteAddress: { header: 'x-forwarded-for', trustedProxies: [`${PEER}/32`] },
  };
}

/** The request that carries `ctx` (its appName/environment are the proxy's). */
function headersFor(ctx: SpecContext, names: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  const put = (header: string, cookie: string, value: string | null | undefined) => {
    if (value === undefined || value === null) return; // null and absent are the same in a request
    if (headerSafe(value)) headers[header] = value;
    else cookies.push(`${cookie}=${encodeURIComponent(value)}`);
  };
  put('x-user-id', 'uid', ctx.userId);
  put('x-session-id', 'sid', ctx.sessionId);
  for (const [name, value] of Object.entries(ctx.properties ?? {})) {
    const i = names.indexOf(name);
    put(`x-p-${i}`, `p${i}`, value === null ? null : String(value));
  }
  if (ctx.remoteAddress !== undefined) headers['x-forwarded-for'] = ctx.remoteAddress;
  if (cookies.length > 0) headers.cookie = cookies.join('; ');
  return headers;
}

const unleashContext = (ctx: SpecContext) => ({ ...ctx, properties: ctx.properties as Record<string, string> | undefined }) as Parameters<Unleash["isEnabled"]>[1];

/** Splits a spec's cases into those a request can carry (grouped by the proxy's static context) and the rest. */
function plan(spec: Spec, sdk: Unleash): { groups: Map<string, SpecCase[]>; skipped: { case: SpecCase; why: string }[] } {
  const groups = new Map<string, SpecCase[]>();
  const skipped: { case: SpecCase; why: string }[] = [];
  for (const c of spec.tests) {
    if (c.context.currentTime !== undefined) {
      skipped.push({ case: c, why: 'currentTime is the proxy clock' });
      continue;
    }
    if (c.context.remoteAddress === undefined) {
      const withPeer = sdk.isEnabled(c.toggleName, unleashContext({ ...c.context, remoteAddress: PEER }));
      if (withPeer !== sdk.isEnabled(c.toggleName, unleashContext(c.context))) {
        skipped.push({ case: c, why: 'a request always has a remoteAddress' });
        continue;
      }
    }
    const key = JSON.stringify([c.context.appName ?? DEFAULT_APP, c.context.environment ?? DEFAULT_ENV]);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return { groups, skipped };
}

type Source = 'file' | 'unleash';
const totals = { run: 0, skipped: 0 } as Record<string, number>;

async function runSpec(t: { after(fn: () => Promise<void>): void; diagnostic(msg: string): void }, spec: Spec, source: Source): Promise<void> {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  legacy.handler = legacy.json(200, { servedBy: 'legacy' });
  agent.handler = agent.json(200, { servedBy: 'agent' });
  const closers: (() => Promise<void>)[] = [() => legacy.stop(), () => agent.stop()];
  t.after(async () => { for (const close of closers.reverse()) await close(); });

  // An SDK of our own only to tell which cases a request can carry; expectations are the spec's.
  const sdk = createOfflineClient(spec.state as unknown as FlagSet, { appName: DEFAULT_APP, environment: DEFAULT_ENV }, () => undefined);
  sdk.on('warn', () => undefined);
  closers.push(async () => destroyClient(sdk));
  assert.ok(await waitForReady(sdk, 5000));
  const { groups, skipped } = plan(spec, sdk);

  let flagsConfig: Record<string, unknown>;
  if (source === 'file') {
    const dir = mkdtempSync(join(tmpdir(), 'sg-spec-'));
    writeFileSync(join(dir, 'flags.json'), JSON.stringify(spec.state));
    flagsConfig = { file: join(dir, 'flags.json'), watch: false };
  } else {
    const fake = await FakeUnleashServer.start();
    fake.reply = { kind: 'features', body: spec.state };
    closers.push(() => fake.close());
    flagsConfig = { unleash: { url: fake.url, token: 'default:development.spec', refreshIntervalMs: 60_000 } };
  }
  const names = propertyNames(spec);
  const routes = spec.state.features.map((f, i) => ({
    name: `f${i}`, match: { path: `/f${i}` },
    flags: { serve: f.name, shadow: `none.shadow.${i}`, kill: `none.kill.${i}` },
    shadow: { percent: 0 },
  }));
  // A case may name a flag the set does not hold (removed by a delta event): a route for it too.
  for (const name of new Set(spec.tests.map((c) => c.toggleName))) {
    if (!spec.state.features.some((f) => f.name === name)) routes.push({ name: `f${routes.length}`, match: { path: `/f${routes.length}` }, flags: { serve: name, shadow: 'none.shadow', kill: 'none.kill' }, shadow: { percent: 0 } });
  }
  const pathOf = (flag: string) => routes.find((r) => r.flags.serve === flag)!.match.path;

  let run = 0;
  const failures: string[] = [];
  for (const [key, cases] of groups) {
    const [appName, environment] = JSON.parse(key) as [string, string];
    const sg: StartedShadowgate = await startTestShadowgate({
      legacy: legacy.url, agent: agent.url, routes,
      flags: { ...flagsConfig, appName, environment, context: contextConfig(names) },
    }, { logLevel: 'warn' });
    closers.push(() => sg.close());
    if (source === 'unleash') await eventually(() => sg.flags!.status().lastGoodAt !== null && sg.flags!.status().ready, 'flags fetched from the fake Unleash server');
    for (const c of cases) {
      const res = await fetch(sg.dataUrl + pathOf(c.toggleName), { headers: headersFor(c.context, names) });
      const body = (await res.json()) as { servedBy: string };
      assert.equal(res.headers.get('x-shadowgate-served-by'), body.servedBy);
      run++;
      if ((body.servedBy === 'agent') !== c.expectedResult) {
        failures.push(`${c.description}: expected ${c.expectedResult ? 'agent' : 'legacy'}, served by ${body.servedBy} (context ${JSON.stringify(c.context)}, appName ${appName}, environment ${environment})`);
      }
    }
  }
  totals[`run_${source}`] = (totals[`run_${source}`] ?? 0) + run;
  totals[`skipped_${source}`] = (totals[`skipped_${source}`] ?? 0) + skipped.length;
  for (const s of skipped) t.diagnostic(`not carried by a request (${s.why}): ${s.case.description}`);
  assert.deepEqual(failures, [], `${spec.file} via the ${source} source`);
  assert.equal(run + skipped.length, spec.tests.length);
}

const SPECS = loadSpecs();
for (const source of ['file', 'unleash'] as const) {
  for (const spec of SPECS) {
    test(`client specification ${spec.file} through the proxy (${source} source)`, (t) => runSpec(t, spec, source));
  }
  test(`the ${source} source ran almost every case through the proxy`, () => {
    const all = SPECS.reduce((n, s) => n + s.tests.length, 0);
    assert.equal(totals[`run_${source}`]! + totals[`skipped_${source}`]!, all);
    // Only the clock cases (8) and a few peer-address cases may be left out.
    assert.ok(totals[`run_${source}`]! >= all - 15, JSON.stringify(totals));
  });
}
