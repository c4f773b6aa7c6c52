// `shadowgate demo`: sample legacy + sample agent + the proxy in one process, a little
// generated traffic, a live one-line summary, and the `orders` route ramped step by step
// through its serve flag (a copy of config/flags.json in a temp folder is edited live).
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { loadConfigFile } from '../config/load.js';
import { startShadowgate } from '../app.js';
import type { Logger } from '../log.js';
import { createAgentService, createLegacyService, listen } from './services.js';

export const CONFIG_DIR = resolve(fileURLToPath(import.meta.url), '../../../config');
const RAMP = [0, 10, 25, 50, 100];

export interface DemoOptions { durationS?: number; rampEveryS: number; summaryEveryS: number; rps: number; flagsFile?: string; ramp: boolean }

export async function runDemo(options: DemoOptions, log: Logger): Promise<void> {
  const legacy = createLegacyService();
  const agent = createAgentService();
  process.env.DEMO_LEGACY_URL = await listen(legacy);
  process.env.DEMO_AGENT_URL = await listen(agent);

  const dir = mkdtempSync(join(tmpdir(), 'shadowgate-demo-'));
  const flagsFile = options.flagsFile ?? join(dir, 'flags.json');
  if (!options.flagsFile) writeFileSync(flagsFile, readFileSync(join(CONFIG_DIR, 'flags.json')));
  const base = loadConfigFile(join(CONFIG_DIR, 'demo.yaml'));
  const config = structuredClone(base) as typeof base;
  (config.flags as { file?: string }).file = flagsFile;
  const sg = await startShadowgate(config, log);

  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`shadowgate demo: proxy ${sg.dataUrl}  admin ${sg.adminUrl}`);
  out(`  metrics ${sg.adminUrl}/metrics   routes ${sg.adminUrl}/api/routes   diffs ${sg.adminUrl}/api/diffs   review ${sg.adminUrl}/`);
  out(`  flags file (edit it to ramp by hand): ${flagsFile}`);

  let sent = 0;
  let failed = 0;
  const traffic = setInterval(() => {
    for (let i = 0; i < Math.max(1, Math.round(options.rps / 10)); i++) {
      const user = `user-${Math.floor(Math.random() * 500)}`;
      const quote = Math.random() < 0.5;
      sent++;
      request(`${sg.dataUrl}${quote ? '/api/quote' : `/api/orders/${Math.floor(Math.random() * 1000)}`}`, {
        method: quote ? 'POST' : 'GET',
        headers: { 'x-user-id': user, 'content-type': 'application/json' },
        body: quote ? JSON.stringify({ sku: `A-${Math.floor(Math.random() * 20)}`, qty: 1 + Math.floor(Math.random() * 3) }) : undefined,
      }).then((r) => r.body.dump(), () => { failed++; });
    }
  }, 100);

  let step = 0;
  const setRamp = (percent: number) => {
    const flags = JSON.parse(readFileSync(flagsFile, 'utf8')) as { features: { name: string; strategies: { parameters?: Record<string, string> }[] }[] };
    const serve = flags.features.find((f) => f.name === 'orders.serve');
    if (serve?.strategies[0]?.parameters) serve.strategies[0].parameters.rollout = String(percent);
    writeFileSync(flagsFile, `${JSON.stringify(flags, null, 2)}\n`);
    out(`ramp: orders.serve -> ${percent} % of users served by the agent (fallback: parallel, gates: confidence >= 0.7)`);
  };
  const ramp = options.ramp ? setInterval(() => { if (step < RAMP.length - 1) setRamp(RAMP[++step]!); }, options.rampEveryS * 1000) : null;

  const summary = setInterval(() => {
    const routes = (sg.routes.map((r) => ({ r, w: r.window.snapshot() })));
    const parts = routes.map(({ r, w }) => `${r.name} agree ${w.agreement === null ? '-' : `${(w.agreement * 100).toFixed(1)}%`}`);
    void sg.metrics.registry.getSingleMetricAsString('shadowgate_shadow_dropped_total').then((text) => {
      const drops = text.split('\n').filter((l) => l.startsWith('shadowgate_shadow_dropped_total') && !l.includes('sampled_out') && !l.includes('side_effects') && !l.includes('flag_off'))
        .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
      out(`[${new Date().toISOString().slice(11, 19)}] requests ${sent} (client errors ${failed}) | ${parts.join(' | ')} | shadow drops ${drops} | inflight ${sg.dispatcher.inflight} | ${sg.adminUrl}/metrics ${sg.adminUrl}/api/routes`);
    });
  }, options.summaryEveryS * 1000);

  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (options.durationS) setTimeout(stop, options.durationS * 1000).unref();
  });
  clearInterval(traffic);
  clearInterval(summary);
  if (ramp) clearInterval(ramp);
  await sg.close();
  legacy.close();
  agent.close();
  legacy.closeAllConnections();
  agent.closeAllConnections();
  rmSync(dir, { recursive: true, force: true });
}
