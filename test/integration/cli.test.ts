// The CLI as an operator runs it: a child process, exit codes, and what lands on stdout/stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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
  assert.equal(r.stderr, `${file}: 2 configuration problem(s):
  - legacy.url (line 1): expected an absolute http:// or https:// URL, received "ftp://legacy"
  - routes[0].compare.ignroe (line 6): unknown key, did you mean "ignore"?
`);
});

test('check-config without a file, and an unknown command: usage error, exit 2', async () => {
  const [none, unknown] = await Promise.all([run(['check-config'], { SHADOWGATE_CONFIG: '' }), run(['frobnicate'])]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^shadowgate check-config: needs a config file: FILE, --config FILE, or SHADOWGATE_CONFIG\nusage: shadowgate check-config/);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
});

for (const command of ['serve', 'check-config', 'demo']) {
  test(`${command} --help: its help on stdout, exit 0 (regression: ERR_PARSE_ARGS_UNKNOWN_OPTION)`, async () => {
    const r = await run([command, '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.startsWith(`usage: shadowgate ${command}`), r.stdout);
    assert.equal(r.stderr, '');
  });

  test(`${command} with an unknown option: one line, the usage, exit 2`, async () => {
    const r = await run([command, '--bogus']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.split('\n')[0], `shadowgate ${command}: unknown option --bogus`);
    assert.ok(r.stderr.includes(`usage: shadowgate ${command}`));
    assert.ok(!r.stderr.includes('    at '), 'no stack trace');
  });
}

test('check-config reads SHADOWGATE_CONFIG when no file is given', async () => {
  const r = await run(['check-config'], { SHADOWGATE_CONFIG: 'config/minimal.yaml' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /config\/minimal\.yaml: valid/);
});

test('check-config accepts ${VAR} inside a flow map, as the README writes it', async () => {
  const file = tempFile('flow.yaml', 'admin: { port: 9191, token: ${TOKEN} }\nlegacy: { url: http://l:1 }\nagent: { url: http://a:1 }\nroutes: [{ name: q, match: { path: /q } }]\n');
  const r = await run(['check-config', file], { TOKEN: 'x' });
  assert.equal(r.code, 0, r.stderr);
});

const BROKEN_DEEP = (dir: string) => `legacy: { url: http://l:1 }
agent: { url: http://a:1 }
flags: { file: flags.json }
routes:
  - name: q
    match: { path: /q }
    compare: { plugin: ${join(dir, 'no-such-plugin.mjs')} }
    serve: { gates: { schema: no-such-schema.json } }
`;

test('check-config lists what serve would refuse (regression: "valid", exit 0): flags file, plug-in, gate schema, all at once, exit 1', async () => {
  const file = tempFile('shadowgate.yaml', '');
  const dir = dirname(file);
  writeFileSync(file, BROKEN_DEEP(dir));
  writeFileSync(join(dir, 'flags.json'), '{"version":1,"features":[{"name":"q.serve","enabled":"yes","strategies":[]}]}');
  const r = await run(['check-config', file]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.ok(r.stderr.startsWith(`${file}: 3 configuration problem(s):\n`), r.stderr);
  assert.ok(r.stderr.includes('  - flags.file (line 3): '), r.stderr);
  assert.ok(r.stderr.includes('features[0].enabled'), r.stderr);
  assert.ok(r.stderr.includes(`  - routes[0].compare.plugin (line 7): file not found: ${join(dir, 'no-such-plugin.mjs')}`), r.stderr);
  assert.ok(r.stderr.includes(`  - routes[0].serve.gates.schema (line 8): file not found: ${join(dir, 'no-such-schema.json')}`), r.stderr);

  const serve = await run(['serve', file]);
  assert.equal(serve.code, 1);
  assert.equal(serve.stderr, r.stderr, 'serve refuses with the same list, before starting anything');
  assert.ok(!serve.stdout.includes('shadowgate started'));
});

test('check-config prints route warnings on stderr and still exits 0; --strict makes them fail', async () => {
  const file = tempFile('shadowgate.yaml', 'legacy: { url: http://l:1 }\nagent: { url: http://a:1 }\nroutes:\n  - { name: all, match: { path: "/api/*" } }\n  - { name: order, match: { path: /api/orders/:id } }\n');
  writeFileSync(join(dirname(file), 'flags.json'), '{"version":1,"features":[]}');
  const r = await run(['check-config', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^warning: route "order" never matches: route "all" \(any method \/api\/\*\) comes first/m);
  assert.match(r.stderr, /^warning: route "all": flag "all.serve" is not in the flag source, so the agent never serves this route$/m);
  assert.match(r.stdout, /valid \(2 route\(s\): all, order\)/);
  const strict = await run(['check-config', '--strict', file]);
  assert.equal(strict.code, 1);
  assert.match(strict.stdout, /invalid with --strict: 5 warning\(s\)/);
});

test('serve --config bad.yaml: exit 1 with the problems on stderr', async () => {
  const file = tempFile('bad.yaml', BAD);
  const r = await run(['serve', '--config', file]);
  assert.equal(r.code, 1);
  assert.ok(r.stderr.includes('  - routes[0].compare.ignroe (line 6): unknown key'), r.stderr);
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
  // `serve FILE` (regression: ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL)
  const proc = start(['serve', file], { AGENT_URL: agent.url });
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

test('serve on a port in use: exit 1 with the reason and a hint, no hang', { timeout: 60_000 }, async (t) => {
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => busy.close(() => resolve())));
  const port = (busy.address() as net.AddressInfo).port;
  const file = tempFile('shadowgate.yaml', `server: { port: ${port}, host: 127.0.0.1 }\nadmin: { port: 0 }\nlegacy: { url: http://l:1 }\nagent: { url: http://a:1 }\nroutes: [{ name: q, match: { path: /q } }]\n`);
  const r = await run(['serve', file]);
  assert.equal(r.code, 1);
  const fatal = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; hint?: string; err?: { code?: string } }).find((l) => l.msg === 'shadowgate failed to start');
  assert.ok(fatal, r.stdout);
  assert.equal(fatal.err?.code, 'EADDRINUSE');
  assert.equal(fatal.hint, `port ${port} is in use: set server.port / admin.port to a free port (0 picks one)`);
});

test('serve with log.format pretty writes readable lines, not JSON', { timeout: 60_000 }, async () => {
  const file = tempFile('shadowgate.yaml', 'server: { port: 0, host: 127.0.0.1 }\nadmin: { port: 0 }\nlog: { format: pretty }\nlegacy: { url: http://l:1 }\nagent: { url: http://a:1 }\nroutes: [{ name: q, match: { path: /q } }]\n');
  const proc = start(['serve', file]);
  await eventually(() => proc.output.stdout.includes('shadowgate started') || proc.child.exitCode !== null, 'the start line', 15_000);
  proc.child.kill('SIGTERM');
  const r = await proc.done;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\d\d:\d\d:\d\d\.\d{3} INFO  shadowgate started dataUrl=http:\/\/127\.0\.0\.1:\d+ /m);
  for (const l of r.stdout.split('\n')) assert.ok(!l.startsWith('{'), l);
});
