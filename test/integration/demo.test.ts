// `shadowgate demo` (npm start) as a new user meets it: a child process, its output, its exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '../support/shadowgate.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run { code: number | null; stdout: string; stderr: string }

/** The demo with its own TMPDIR, so that a leaked temp folder is visible. */
function demo(args: string[], env: Record<string, string>): { child: ChildProcess; output: { stdout: string; stderr: string }; done: Promise<Run>; tmp: string } {
  const tmp = mkdtempSync(join(tmpdir(), 'sg-demo-test-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'demo', ...args], {
    cwd: ROOT, env: { ...process.env, TMPDIR: tmp, SHADOWGATE_PORT: '0', SHADOWGATE_ADMIN_PORT: '0', SHADOWGATE_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (c: Buffer) => { output.stdout += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { output.stderr += c.toString(); });
  const done = new Promise<Run>((resolve) => child.once('close', (code) => resolve({ code, ...output })));
  return { child, output, done, tmp };
}

const demoFolders = (tmp: string) => readdirSync(tmp).filter((n) => n.startsWith('shadowgate-demo-'));

async function busyPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Kills the child if a test fails before it exits, and removes its TMPDIR. */
function cleanup(t: { after(fn: () => unknown): void }, run: ReturnType<typeof demo>): void {
  t.after(() => {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    rmSync(run.tmp, { recursive: true, force: true });
  });
}

for (const which of ['SHADOWGATE_PORT', 'SHADOWGATE_ADMIN_PORT'] as const) {
  test(`demo with ${which} busy: exit 1 naming both port variables, temp folder removed (regression: EADDRINUSE, then a hang and a leaked folder)`, { timeout: 60_000 }, async (t) => {
    const busy = await busyPort();
    t.after(() => busy.close());
    const run = demo([], { [which]: String(busy.port) });
    cleanup(t, run);
    const r = await run.done;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^demo: port ${busy.port} \\((proxy|admin), on 127\\.0\\.0\\.1\\) is already in use\\.\\n`));
    assert.ok(r.stderr.includes('SHADOWGATE_PORT') && r.stderr.includes('SHADOWGATE_ADMIN_PORT'), r.stderr);
    assert.ok(!r.stderr.includes('    at '), 'no stack trace');
    assert.deepEqual(demoFolders(run.tmp), []);
  });
}

test('a short demo run: URLs once, a summary per route with mode, ramp, agent share, fallbacks and agreement, no JSON lines, clean exit', { timeout: 60_000 }, async (t) => {
  const run = demo(['--duration', '5', '--summary-every', '1', '--ramp-every', '2'], {});
  cleanup(t, run);
  const r = await run.done;
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  const adminUrl = /review page +(http:\/\/127\.0\.0\.1:\d+)\//.exec(r.stdout)?.[1];
  assert.ok(adminUrl, r.stdout);
  assert.equal(r.stdout.split(`${adminUrl}/api/routes`).length - 1, 1, 'the routes URL is printed once');
  assert.match(r.stdout, /proxy +http:\/\/127\.0\.0\.1:\d+ /, 'loopback by default');
  const summaries = lines.filter((l) => /^\[\d\d:\d\d:\d\d\] /.test(l));
  assert.ok(summaries.length >= 2, r.stdout);
  for (const s of summaries) {
    assert.match(s, /quote: (shadow|demoted), ramp 0 %, agent (\d+(\.\d)? %|-) of \d+, fallbacks \d+, agreement (\d+(\.\d)? %|-)/);
    assert.match(s, /orders: (shadow|conditional|full|demoted), ramp \d+(\.\d)? %, agent (\d+(\.\d)? %|-) of \d+, fallbacks \d+, agreement (\d+(\.\d)? %|-)/);
  }
  assert.match(r.stdout, /^ramp: orders\.serve → 10 % of users routed to the agent/m);
  for (const l of [...lines, ...r.stderr.split('\n')]) assert.ok(!l.trimStart().startsWith('{'), `a JSON line: ${l}`);
  assert.match(r.stdout, /^stopping \(5 s elapsed\): /m);
  assert.equal(lines.at(-1), 'stopped.');
  assert.deepEqual(demoFolders(run.tmp), []);
});

test('Ctrl-C: the demo announces that it stops, stops, exits 0 and removes its temp folder', { timeout: 60_000 }, async (t) => {
  const run = demo(['--summary-every', '1'], {});
  cleanup(t, run);
  await eventually(() => /^\[\d\d:\d\d:\d\d\] /m.test(run.output.stdout) || run.child.exitCode !== null, 'the first summary line', 20_000);
  assert.equal(demoFolders(run.tmp).length, 1, 'the flags copy lives in a temp folder while it runs');
  run.child.kill('SIGINT');
  const r = await run.done;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^stopping \(Ctrl-C\): finishing in-flight requests and shadow calls; Ctrl-C again to quit at once$/m);
  assert.equal(r.stdout.trimEnd().split('\n').at(-1), 'stopped.');
  assert.deepEqual(demoFolders(run.tmp), []);
});
