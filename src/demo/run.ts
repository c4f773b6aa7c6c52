// `shadowgate demo`: sample legacy + sample agent + the proxy in one process, a little
// generated traffic, a live one-line summary read from the admin API, and the `orders` route
// ramped step by step through its serve flag (a copy of config/flags.json in a temp folder
// is edited live). Everything it opens, temp folder included, is closed on every way out.
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { loadConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { startShadowgate, type Shadowgate } from '../app.js';
import type { Logger } from '../log.js';
import { createAgentService, createLegacyService, listen } from './services.js';
import { probePort } from './ports.js';
import { parseCounters, summaryLegend, summaryLine, type Counters, type RouteView } from './summary.js';

export const CONFIG_DIR = resolve(fileURLToPath(import.meta.url), '../../../config');
const RAMP = [0, 10, 25, 50, 100];

export interface DemoOptions { durationS?: number; rampEveryS: number; summaryEveryS: number; rps: number; flagsFile?: string; ramp: boolean }

export interface DemoIo {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
}

/** Resolves with the exit code: 0 after a clean stop, 1 when the demo could not start. */
export async function runDemo(options: DemoOptions, log: Logger, io: DemoIo): Promise<number> {
  const legacy = createLegacyService();
  const agent = createAgentService();
  const cleanups: (() => Promise<unknown> | void)[] = [() => closeService(legacy), () => closeService(agent)];
  const cleanup = async () => { for (const c of cleanups.splice(0).reverse()) await c(); };
  try {
    const env = { ...io.env, DEMO_LEGACY_URL: await listen(legacy), DEMO_AGENT_URL: await listen(agent) };
    const base = loadConfigFile(join(CONFIG_DIR, 'demo.yaml'), env);
    const busy = await busyPortMessage(base);
    if (busy) { io.err(busy); return 1; }

    const dir = mkdtempSync(join(tmpdir(), 'shadowgate-demo-'));
    const removeDir = () => rmSync(dir, { recursive: true, force: true });
    cleanups.push(removeDir);
    const flagsFile = options.flagsFile ?? join(dir, 'flags.json');
    if (!options.flagsFile) writeFileSync(flagsFile, readFileSync(join(CONFIG_DIR, 'flags.json')));
    const config = structuredClone(base) as Config;
    (config.flags as { file?: string }).file = flagsFile;

    let sg: Shadowgate;
    try {
      sg = await startShadowgate(config, log);
    } catch (err) {
      io.err(await startFailure(err as NodeJS.ErrnoException, config));
      return 1;
    }
    cleanups.push(() => sg.close());
    await play(sg, { ...options, ramp: options.ramp && !options.flagsFile }, flagsFile, io, cleanup, () => { removeDir(); process.exit(130); });
    return 0;
  } finally {
    await cleanup();
  }
}

async function play(sg: Shadowgate, options: DemoOptions, flagsFile: string, io: DemoIo, cleanup: () => Promise<void>, quitNow: () => void): Promise<void> {
  const token = sg.config.admin.token;
  const client = new Agent({ connections: 16 });
  const out = io.out;
  out(`shadowgate demo: a sample legacy service and a sample agent behind the proxy, with generated traffic`);
  out(`  proxy        ${sg.dataUrl}   (try: curl -H 'x-user-id: u1' ${sg.dataUrl}/api/orders/42)`);
  out(`  review page  ${sg.adminUrl}/`);
  out(`  admin API    ${sg.adminUrl}/api/routes   ${sg.adminUrl}/metrics${token ? '   (Authorization: Bearer $SHADOWGATE_ADMIN_TOKEN)' : ''}`);
  out(`  flags file   ${flagsFile}${options.flagsFile ? '' : ' (a copy; edit it to ramp by hand)'}`);
  out(options.ramp
    ? `  ramp         orders.serve ${RAMP.join(' → ')} % of users, a step every ${options.rampEveryS} s`
    : '  ramp         off (edit the flags file to ramp)');
  for (const line of summaryLegend(options.summaryEveryS)) out(line);
  out('Press Ctrl-C to stop.');

  let stopping = false;
  const traffic = setInterval(() => {
    for (let i = 0; i < Math.max(1, Math.round(options.rps / 10)); i++) {
      const quote = Math.random() < 0.5;
      request(`${sg.dataUrl}${quote ? '/api/quote' : `/api/orders/${Math.floor(Math.random() * 1000)}`}`, {
        dispatcher: client,
        method: quote ? 'POST' : 'GET',
        headers: { 'x-user-id': `user-${Math.floor(Math.random() * 500)}`, 'content-type': 'application/json' },
        body: quote ? JSON.stringify({ sku: `A-${Math.floor(Math.random() * 20)}`, qty: 1 + Math.floor(Math.random() * 3) }) : undefined,
      }).then((r) => r.body.dump(), () => undefined);
    }
  }, 100);

  let step = 0;
  const ramp = options.ramp ? setInterval(() => {
    if (step >= RAMP.length - 1) return;
    const percent = RAMP[++step]!;
    setRollout(flagsFile, 'orders.serve', percent);
    out(`ramp: orders.serve → ${percent} % of users routed to the agent (answers that fail the gates, errors and timeouts are served by legacy)`);
  }, options.rampEveryS * 1000) : null;

  let before: Counters | null = null;
  const summary = setInterval(() => {
    void readAdmin(sg.adminUrl, token, client).then(({ routes, counters }) => {
      if (stopping) return;
      out(summaryLine(new Date(), routes, counters, before));
      before = counters;
    }, (err: Error) => { if (!stopping) io.err(`summary unavailable: ${err.message}`); });
  }, options.summaryEveryS * 1000);

  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const reason = await new Promise<string>((resolveStop) => {
    onSignal = (signal) => resolveStop(signal === 'SIGINT' ? 'Ctrl-C' : signal);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (options.durationS) setTimeout(() => resolveStop(`${options.durationS} s elapsed`), options.durationS * 1000).unref();
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  stopping = true;
  // A second Ctrl-C skips the drain; the temp folder is still removed.
  const force = () => quitNow();
  process.once('SIGINT', force);
  out(`stopping (${reason}): finishing in-flight requests and shadow calls; Ctrl-C again to quit at once`);
  clearInterval(traffic);
  clearInterval(summary);
  if (ramp) clearInterval(ramp);
  // The demo's own keep-alive connections would hold the proxy's close open otherwise.
  await client.destroy();
  await cleanup();
  process.off('SIGINT', force);
  out('stopped.');
}

async function readAdmin(adminUrl: string, token: string | undefined, client: Agent): Promise<{ routes: RouteView[]; counters: Counters }> {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const get = async (path: string) => {
    const res = await request(`${adminUrl}${path}`, { headers, dispatcher: client });
    if (res.statusCode !== 200) { await res.body.dump(); throw new Error(`${path} answered ${res.statusCode}`); }
    return res.body.text();
  };
  const [routesText, metricsText] = await Promise.all([get('/api/routes'), get('/metrics')]);
  const routes = (JSON.parse(routesText) as { routes?: RouteView[] }).routes ?? [];
  return { routes, counters: parseCounters(metricsText) };
}

function setRollout(flagsFile: string, flag: string, percent: number): void {
  const flags = JSON.parse(readFileSync(flagsFile, 'utf8')) as { features: { name: string; strategies: { parameters?: Record<string, string> }[] }[] };
  const serve = flags.features.find((f) => f.name === flag);
  if (serve?.strategies[0]?.parameters) serve.strategies[0].parameters.rollout = String(percent);
  writeFileSync(flagsFile, `${JSON.stringify(flags, null, 2)}\n`);
}

function portMessage(what: string, port: number, host: string, code: string, suggestion: { data: number; admin: number }): string {
  const why = code === 'EADDRINUSE' ? 'is already in use' : code === 'EACCES' ? 'needs privileges to bind' : `cannot be bound (${code})`;
  return `demo: port ${port} (${what}, on ${host}) ${why}.\n`
    + 'Choose other ports with SHADOWGATE_PORT (proxy, default 8080) and SHADOWGATE_ADMIN_PORT (admin, default 9090), e.g.\n'
    + `  SHADOWGATE_PORT=${suggestion.data} SHADOWGATE_ADMIN_PORT=${suggestion.admin} npm start`;
}

/** Ports near the configured ones that are free right now, for the message's example. */
async function freePorts(config: Config): Promise<{ data: number; admin: number }> {
  const near = async (start: number, host: string, not: number) => {
    for (let p = start + 1; p < start + 50 && p < 65536; p++) if (p !== not && (await probePort(p, host)) === null) return p;
    return start + 1;
  };
  const data = await near(config.server.port || 8080, config.server.host, -1);
  return { data, admin: await near(config.admin.port || 9090, adminHost(config), data) };
}

function adminHost(config: Config): string {
  return config.admin.host ?? (config.admin.token ? '0.0.0.0' : '127.0.0.1');
}

async function busyPortMessage(config: Config): Promise<string | null> {
  const data = await probePort(config.server.port, config.server.host);
  if (data) return portMessage('proxy', config.server.port, config.server.host, data, await freePorts(config));
  const admin = await probePort(config.admin.port, adminHost(config));
  if (admin) return portMessage('admin', config.admin.port, adminHost(config), admin, await freePorts(config));
  return null;
}

/** Taken between the probe and the listen (a race), or another start-up failure. */
async function startFailure(err: NodeJS.ErrnoException & { port?: number }, config: Config): Promise<string> {
  if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
    const admin = err.port === config.admin.port && err.port !== config.server.port;
    return portMessage(admin ? 'admin' : 'proxy', err.port ?? config.server.port, admin ? adminHost(config) : config.server.host, err.code, await freePorts(config));
  }
  return `demo: shadowgate failed to start: ${err.message}`;
}

function closeService(server: http.Server): Promise<void> {
  return new Promise((done) => {
    if (!server.listening) { done(); return; }
    server.close(() => done());
    server.closeAllConnections();
  });
}
