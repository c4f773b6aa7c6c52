// The replay and readiness commands as an operator runs them: through src/main.ts in a child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createAgentService, listen } from '../../src/demo/services.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => { out.stdout += c; });
  child.stderr.on('data', (c: Buffer) => { out.stderr += c; });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, ...out })));
}

test('shadowgate replay of the demo suite: exit 0 against a good agent, 1 against a bad one', async (t) => {
  const good = createAgentService({ differ: 0, slow: 0, fail: 0, slowMs: 0 });
  const bad = createAgentService({ differ: 1, slow: 0, fail: 0, slowMs: 0 });
  const [goodUrl, badUrl] = [await listen(good), await listen(bad)];
  t.after(() => Promise.all([good, bad].map((s) => new Promise((r) => s.close(r)))));
  const suite = ['test/fixtures/suites/quote.jsonl', 'test/fixtures/suites/orders.jsonl', '--config', 'test/fixtures/suites/demo-replay.yaml'];
  const [ok, fail] = await Promise.all([run(['replay', ...suite, '--agent', goodUrl]), run(['replay', ...suite, '--agent', badUrl, '--min-agreement', '0.95'])]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /agreement 1\.0000 >= 1 \(--min-agreement\): pass/);
  assert.match(ok.stderr, /replay: 100 % \(40\/40 cases\)/, 'a pipe is not a terminal: plain progress lines');
  assert.equal(fail.code, 1, fail.stderr);
});

test('shadowgate replay and readiness without arguments: exit 2 with their usage; both in the main usage', async () => {
  const [replay, readiness, help] = await Promise.all([run(['replay']), run(['readiness']), run(['--help'])]);
  assert.equal(replay.code, 2);
  assert.match(replay.stderr, /usage: shadowgate replay SUITE\.jsonl/);
  assert.equal(readiness.code, 2);
  assert.match(readiness.stderr, /usage: shadowgate readiness --admin URL --route NAME --level conditional\|full/);
  assert.match(help.stdout, /\n  replay +replay golden suites against a candidate agent/);
  assert.match(help.stdout, /\n  readiness +is a route ready for the next serve level\?/);
});
