#!/usr/bin/env node
// Copies the dashboards and alert rules into the Helm chart (helm/shadowgate/files/), which
// cannot read files outside its folder. dashboards/ stays the one source of truth: edit there,
// then run this. `--check` changes nothing and exits 1 listing what differs (the chart test
// runs it). --source/--target point it at other folders (the test's own copies).
import { readdirSync, readFileSync, writeFileSync, rmSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE = join(ROOT, 'dashboards');
const TARGET = join(ROOT, 'helm', 'shadowgate', 'files');

/** Which files of dashboards/ the chart carries: every dashboard and the rules file (not its tests). */
export function chartFileNames(sourceDir = SOURCE) {
  return readdirSync(sourceDir).filter((n) => n.endsWith('.json') || n === 'alerts.yml').sort();
}

/** Differences between dashboards/ and the chart's copies, one line each; empty when in sync. */
export function chartFileDrift(sourceDir = SOURCE, targetDir = TARGET) {
  const wanted = chartFileNames(sourceDir);
  const present = existsSync(targetDir) ? readdirSync(targetDir).sort() : [];
  const drift = [];
  for (const name of wanted) {
    if (!present.includes(name)) drift.push(`missing: ${name}`);
    else if (!readFileSync(join(sourceDir, name)).equals(readFileSync(join(targetDir, name)))) drift.push(`differs: ${name}`);
  }
  for (const name of present) if (!wanted.includes(name)) drift.push(`extra: ${name}`);
  return drift;
}

export function syncChartFiles(sourceDir = SOURCE, targetDir = TARGET) {
  mkdirSync(targetDir, { recursive: true });
  const wanted = chartFileNames(sourceDir);
  for (const name of readdirSync(targetDir)) if (!wanted.includes(name)) rmSync(join(targetDir, name));
  for (const name of wanted) writeFileSync(join(targetDir, name), readFileSync(join(sourceDir, name)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { check: { type: 'boolean' }, source: { type: 'string' }, target: { type: 'string' } } });
  const source = values.source ?? SOURCE;
  const target = values.target ?? TARGET;
  if (values.check) {
    const drift = chartFileDrift(source, target);
    if (drift.length > 0) {
      console.error(`${target} is out of date with ${source} (run: node scripts/sync-chart-files.mjs):\n  ${drift.join('\n  ')}`);
      process.exit(1);
    }
  } else {
    syncChartFiles(source, target);
  }
}
