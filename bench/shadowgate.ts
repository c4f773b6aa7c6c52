// Starts shadowgate through its public CLI (`node dist/main.js serve --config FILE`)
// with a config and an Unleash-format flags file written for one scenario.
import { createServer } from 'node:net';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { Scenario } from './plan.js';
import { logTail, sleep, spawnPinned, stop, type Managed } from './processes.js';

export interface RunningShadowgate {
  proc: Managed;
  dataUrl: string;
  adminUrl: string;
}

export type EntryState = { ok: true; path: string; builtAt: Date } | { ok: false; why: string };

export function checkEntry(cwd: string, entry: string): EntryState {
  const path = resolve(cwd, entry);
  if (!existsSync(path)) return { ok: false, why: `not built (${entry} missing: run npm run build)` };
  return { ok: true, path, builtAt: statSync(path).mtime };
}

export function flagsFile(scenario: Scenario): object {
  return {
    version: 1,
    features: [
      { name: 'bench.shadow', enabled: scenario.shadow, strategies: [{ name: 'default' }] },
      {
        name: 'bench.serve',
        enabled: scenario.serve,
        strategies: [{ name: 'flexibleRollout', parameters: { rollout: '100', stickiness: 'default', groupId: 'bench.serve' } }],
      },
    ],
  };
}

export function configFile(p: { port: number; adminPort: number; legacyUrl: string; agentUrl: string; flagsPath: string }): object {
  return {
    server: { port: p.port },
    admin: { port: p.adminPort, host: '127.0.0.1' },
    log: { level: 'warn' },
    legacy: { url: p.legacyUrl, timeoutMs: 30000 },
    agent: { url: p.agentUrl, timeoutMs: 10000, maxInFlight: 256 },
    flags: { file: p.flagsPath },
    routes: [{
      name: 'bench',
      match: { path: '/api/*', methods: ['GET', 'POST'] },
      shadow: { percent: 100, sideEffects: true, maxBodyBytes: 1048576 },
      compare: { ignore: ['/meta/requestId'] },
      serve: { timeoutMs: 3000, fallback: 'parallel' },
    }],
  };
}

/** A port free right now. Another process could take it before shadowgate binds, so
 *  `startShadowgate` retries with fresh ports when the start fails. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = a !== null && typeof a === 'object' ? a.port : 0;
      s.close(() => resolvePort(port));
    });
  });
}

export async function startShadowgate(p: {
  entry: string; cwd: string; dir: string; scenario: Scenario; core: number; legacyUrl: string; agentUrl: string;
  /** Extra node flags (BENCH_SG_NODE_ARGS), e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
  nodeArgs?: readonly string[];
}): Promise<RunningShadowgate> {
  const flagsPath = join(p.dir, `flags-${p.scenario.id}.json`);
  writeFileSync(flagsPath, JSON.stringify(flagsFile(p.scenario)));
  let lastError = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const [port, adminPort] = [await freePort(), await freePort()];
    const configPath = join(p.dir, `shadowgate-${p.scenario.id}.yaml`);
    writeFileSync(configPath, stringify(configFile({ port, adminPort, legacyUrl: p.legacyUrl, agentUrl: p.agentUrl, flagsPath })));
    const proc = spawnPinned({
      name: `shadowgate-${p.scenario.id}`,
      core: p.core,
      cmd: process.execPath,
      args: [...(p.nodeArgs ?? []), p.entry, 'serve', '--config', configPath],
      cwd: p.cwd,
      logPath: join(p.dir, `shadowgate-${p.scenario.id}.log`),
      env: { ...process.env, NODE_ENV: 'production' },
    });
    const adminUrl = `http://127.0.0.1:${adminPort}`;
    if (await waitReady(proc, adminUrl, 20_000)) return { proc, dataUrl: `http://127.0.0.1:${port}`, adminUrl };
    lastError = `attempt ${attempt}: ${proc.exitedWith === undefined ? 'not ready in 20 s' : `exited ${proc.exitedWith}`}: ${logTail(proc.logPath)}`;
    await stop(proc);
  }
  throw new Error(`shadowgate (${p.scenario.id}) did not start. ${lastError}`);
}

async function waitReady(proc: Managed, adminUrl: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && proc.exitedWith === undefined) {
    try {
      const res = await fetch(`${adminUrl}/readyz`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return true;
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  return false;
}
