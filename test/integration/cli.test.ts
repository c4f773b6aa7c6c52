// The CLI as an operator runs it: a child process, exit codes, and what lands on stdout/stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { eventually } from '../support/shadowgate.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: { stdout: string; stderr: string }; done: Promise<Run> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (c: Buffer) => { output.stdout += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { output.stderr += c.toString(); });
  const done = new Promise<Run>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, ...output })));
  return { child, output, done };
}

const run = (args: string[], env: Record<string, string> = {}) => start(args, env).done;

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sg-cli-')), name);
  writeFileSync(file, text);
  return file;
}

const BAD = `legacy: { url: "ftp://legacy" }
agent: { url: http://agent:4000 }
routes:
  - name: q
    match: { path: /api/q }
    compare: { ignroe: [/x] }
`;

test('check-config config/minimal.yaml: exit 0, "valid"', async () => {
  const r = await run(['check-config', 'config/minimal.yaml']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /config\/minimal\.yaml: valid \(1 route\(s\): quote\)/);
});

test('check-config config/demo.yaml with DEMO_LEGACY_URL / DEMO_AGENT_URL set: exit 0, "valid"', async () => {
  const r = await run(['check-config', 'config/demo.yaml'], { DEMO_LEGACY_URL: 'http://127.0.0.1:3000', DEMO_AGENT_URL: 'http://127.0.0.1:4000' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /valid \(2 route\(s\): quote, orders\)/);
});

test('check-config on a bad file: exit 1, every problem on stderr with file and key path', async () => {
  const file = tempFile('bad.yaml', BAD);
  const r = await run(['check-config', file]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.ok(r.stderr.includes(`${file}: 2 configuration problem(s):`), r.stderr);
  assert.ok(r.stderr.includes(`  - ${file}: legacy.url: expected an absolute http:// or https:// URL`), r.stderr);
  assert.ok(r.stderr.includes(`  - ${file}: routes[0].compare.ignroe: unknown key`), r.stderr);
});

test('check-config without a file, and an unknown command: exit 1 with usage', async () => {
  const [none, unknown] = await Promise.all([run(['check-config']), run(['frobnicate'])]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /check-config needs a FILE/);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
});

test('serve --config bad.yaml: exit 1 with the problems on stderr', async () => {
  const file = tempFile('bad.yaml', BAD);
  const r = await run(['serve', '--config', file]);
  assert.equal(r.code, 1);
  assert.ok(r.stderr.includes(`${file}: routes[0].compare.ignroe: unknown key`), r.stderr);
});

test('serve with a good config: starts, answers /readyz and traffic, exits 0 on SIGTERM', async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  legacy.handler = legacy.json(200, { from: 'legacy' });
  const file = tempFile('shadowgate.yaml', `server: { port: 0, host: 127.0.0.1 }
admin: { port: 0, host: 127.0.0.1 }
log: { level: info }
legacy: { url: "${legacy.url}" }
agent: { url: "\${AGENT_URL}" }
routes:
  - name: api
    match: { path: /api/* }
`);
  const proc = start(['serve', '--config', file], { AGENT_URL: agent.url });
  t.after(async () => {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    await legacy.stop();
    await agent.stop();
  });

  let started: { dataUrl: string; adminUrl: string } | undefined;
  await eventually(() => {
    for (const line of proc.output.stdout.split('\n')) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as { msg?: string; dataUrl?: string; adminUrl?: string };
      if (entry.msg === 'shadowgate started') started = { dataUrl: entry.dataUrl!, adminUrl: entry.adminUrl! };
    }
    return started !== undefined || proc.child.exitCode !== null;
  }, 'the "shadowgate started" log line', 15_000);
  assert.ok(started, `started; stderr: ${proc.output.stderr}`);

  const ready = await fetch(`${started.adminUrl}/readyz`);
  assert.equal(ready.status, 200);
  assert.equal(((await ready.json()) as { status: string }).status, 'ready');
  const res = await fetch(`${started.dataUrl}/api/hello`);
  assert.deepEqual(await res.json(), { from: 'legacy' });
  await agent.waitFor(1);

  proc.child.kill('SIGTERM');
  const r = await proc.done;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /"signal":"SIGTERM".*"msg":"draining"/);
  assert.match(r.stdout, /"msg":"shadowgate stopped"/);
});
