// The image's contents, proven to run without Docker: the same file tree the Dockerfile's
// stages build (npm run build, npm pack, the tarball unpacked, npm ci --omit=dev against the
// lockfile), started as `node /app/dist/main.js serve --config FILE` the way the ENTRYPOINT
// does, as UID 10001 when the test runs as root, with an empty read-only HOME and working
// folder and TMPDIR as the one writable path (the /tmp emptyDir). It must serve a request
// through to legacy, run a TypeScript compare plug-in (tsx and esbuild from production
// dependencies), serve the review page, drain an in-flight request on SIGTERM and exit 0,
// and leave the tree, HOME and the working folder untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { clientRequest } from '../fixtures/fake-client.js';
import { eventually } from '../support/shadowgate.js';
import { ROOT } from '../support/helm.js';

const IMAGE_UID = 10001; // the Dockerfile's USER

function run(command: string, args: string[], options: SpawnSyncOptions): string {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 300_000, ...options });
  assert.equal(r.status, 0, `${command} ${args.join(' ')} failed:\n${String(r.stdout)}\n${String(r.stderr)}`);
  return String(r.stdout);
}

/** Every file and folder under `dir` with its size and mtime: a change anywhere shows. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = statSync(p);
      out.set(relative(dir, p), `${s.isDirectory() ? 'd' : s.size}:${s.mtimeMs}`);
      if (s.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

function readableByAll(dir: string): void {
  chmodSync(dir, 0o755);
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) readableByAll(p);
    else chmodSync(p, (statSync(p).mode & 0o111) ? 0o755 : 0o644);
  }
}

test('the production file tree starts, serves through to legacy, drains on SIGTERM and writes nothing outside TMPDIR', { timeout: 360_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'sg-prod-tree-'));

  // Build stage: compile, then pack exactly what package.json "files" ships.
  run('npm', ['run', 'build', '--silent'], { cwd: ROOT });
  const [packed] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT })) as { filename: string; files: { path: string }[] }[];
  const files = packed!.files.map((f) => f.path);
  for (const needed of ['package.json', 'dist/main.js', 'dist/app.js', 'dist/admin/ui/index.html', 'dist/admin/ui/app.js', 'dist/admin/ui/json-view.js', 'dist/admin/ui/style.css', 'config/demo.yaml', 'config/flags.json']) {
    assert.ok(files.includes(needed), `npm pack lacks ${needed}`);
  }
  assert.deepEqual(files.filter((f) => /^(src|test|bench|helm|scripts|tools|dashboards)\//.test(f) || f.endsWith('.ts')), [], 'sources, tests and tooling stay out');

  // Deps stage: the unpacked tarball plus the lockfile's production dependencies.
  const app = join(work, 'app');
  mkdirSync(app);
  run('tar', ['-xzf', join(work, packed!.filename), '-C', app, '--strip-components=1'], {});
  copyFileSync(join(ROOT, 'package-lock.json'), join(app, 'package-lock.json'));
  run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: app });
  const installed = (name: string) => { try { statSync(join(app, 'node_modules', name, 'package.json')); return true; } catch { return false; } };
  for (const dep of ['express', 'undici', 'tsx', 'unleash-client']) assert.ok(installed(dep), `production dependency ${dep}`);
  for (const dev of ['typescript', 'kubernetes-models', 'playwright-core', 'supertest']) assert.equal(installed(dev), false, `dev dependency ${dev} in the image`);

  // Runtime layout: the config as a mounted folder, an empty HOME and cwd, TMPDIR writable.
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  t.after(async () => { await legacy.stop(); await agent.stop(); });
  legacy.handler = legacy.json(200, { answer: 'Yes', from: 'legacy' });
  agent.handler = agent.json(200, { answer: 'yes', from: 'legacy' });
  const etc = join(work, 'etc', 'shadowgate');
  mkdirSync(etc, { recursive: true });
  writeFileSync(join(etc, 'compare-answer.ts'), `// Answers agree ignoring case: proves TypeScript plug-ins load from the production tree.
interface Side { body: Buffer }
export default function compare(legacy: Side, agent: Side): { result: 'match' | 'mismatch' } {
  const a = JSON.parse(legacy.body.toString('utf8')) as { answer: string };
  const b = JSON.parse(agent.body.toString('utf8')) as { answer: string };
  return { result: a.answer.toLowerCase() === b.answer.toLowerCase() ? 'match' : 'mismatch' };
}
`);
  writeFileSync(join(etc, 'config.yaml'), `server: { port: 0, host: 127.0.0.1 }
admin: { port: 0, host: 127.0.0.1 }
log: { level: info }
legacy: { url: "${legacy.url}" }
agent: { url: "\${AGENT_URL}" }
routes:
  - name: api
    match: { path: /api/* }
    compare: { plugin: compare-answer.ts }
`);
  const home = join(work, 'home');
  const cwd = join(work, 'run');
  const tmp = join(work, 'tmp');
  for (const d of [home, cwd, tmp]) mkdirSync(d);
  readableByAll(work);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(tmp, IMAGE_UID, IMAGE_UID); // only the emptyDir is the image user's
  const before = { app: snapshot(app), etc: snapshot(etc) };

  const child = spawn(process.execPath, [join(app, 'dist', 'main.js'), 'serve', '--config', join(etc, 'config.yaml')], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TMPDIR: tmp, NODE_ENV: 'production', AGENT_URL: agent.url },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(asRoot ? { uid: IMAGE_UID, gid: IMAGE_UID } : {}),
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => { output.stdout += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { output.stderr += c.toString(); });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  const logs = () => output.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; dataUrl?: string; adminUrl?: string });

  let started: { dataUrl: string; adminUrl: string } | undefined;
  await eventually(() => {
    const line = logs().find((l) => l.msg === 'shadowgate started');
    if (line) started = { dataUrl: line.dataUrl!, adminUrl: line.adminUrl! };
    return started !== undefined || child.exitCode !== null;
  }, 'the "shadowgate started" log line', 30_000);
  assert.ok(started, `shadowgate did not start:\n${output.stdout}\n${output.stderr}`);

  const res = await clientRequest(`${started.dataUrl}/api/answer`);
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.body.toString()), { answer: 'Yes', from: 'legacy' });
  await agent.waitFor(1);
  await eventually(async () => /shadowgate_comparisons_total\{[^}]*result="match"[^}]*\} 1/.test((await clientRequest(`${started!.adminUrl}/metrics`)).body.toString()),
    'the TypeScript plug-in\'s match in /metrics', 10_000);
  assert.equal((await clientRequest(`${started.adminUrl}/healthz`)).status, 200);
  assert.equal((await clientRequest(`${started.adminUrl}/readyz`)).status, 200);
  const page = await clientRequest(`${started.adminUrl}/`);
  assert.equal(page.status, 200);
  assert.match(page.body.toString(), /<html/i, 'the review page is found in dist/admin/ui');
  assert.equal((await clientRequest(`${started.adminUrl}/ui/app.js`)).status, 200);

  // Drain: a request held by legacy when SIGTERM arrives still gets its answer.
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  legacy.handler = async (_req, r) => { await held; r.writeHead(200, { 'content-type': 'text/plain' }); r.end('finished'); };
  const seenBefore = legacy.seen.length;
  const pending = clientRequest(`${started.dataUrl}/api/slow`);
  await legacy.waitFor(seenBefore + 1);
  child.kill('SIGTERM');
  await eventually(() => logs().some((l) => l.msg === 'draining'), 'the "draining" log line', 10_000);
  release();
  const slow = await pending;
  assert.equal(slow.status, 200);
  assert.equal(slow.body.toString(), 'finished');
  const { code } = await exited;
  assert.equal(code, 0, output.stderr);

  assert.deepEqual(snapshot(app), before.app, 'the app tree is unchanged (the image layer is read-only)');
  assert.deepEqual(snapshot(etc), before.etc, 'the config folder is unchanged');
  assert.deepEqual(readdirSync(home), [], 'nothing written to HOME');
  assert.deepEqual(readdirSync(cwd), [], 'nothing written to the working folder');
  assert.equal(readFileSync(join(app, 'package.json'), 'utf8'), readFileSync(join(ROOT, 'package.json'), 'utf8'), 'the packed package.json is the repository\'s');
});
