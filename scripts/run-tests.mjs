#!/usr/bin/env node
// Runs every test file under test/ (unit, integration, e2e, deploy) with node's test runner and
// tsx, one file at a time: the machine has 2 cores and several tests start real servers.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const groups = process.argv.slice(2).length ? process.argv.slice(2) : ['test/unit', 'test/integration', 'test/e2e', 'test/deploy'];

function collect(dir) {
  let out = [];
  let entries = [];
  try { entries = readdirSync(join(root, dir)).sort(); } catch { return out; }
  for (const name of entries) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) out = out.concat(collect(rel));
    else if (name.endsWith('.test.ts')) out.push(rel);
  }
  return out;
}

const files = groups.flatMap((g) => (g.endsWith('.ts') ? [g] : collect(g)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
