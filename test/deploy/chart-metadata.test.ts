// The chart's own files: the dashboard copies match dashboards/ (the one source of truth),
// appVersion follows package.json, and values.schema.json describes every value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { CHART, ROOT } from '../support/helm.js';

const SYNC = join(ROOT, 'scripts', 'sync-chart-files.mjs');
const check = (...args: string[]) => spawnSync(process.execPath, [SYNC, '--check', ...args], { encoding: 'utf8' });

test('helm/shadowgate/files/ is identical to dashboards/ (run scripts/sync-chart-files.mjs after editing dashboards/)', () => {
  const r = check();
  assert.equal(r.status, 0, r.stderr);
});

test('the copy check fails on a changed, a missing and an extra file, and the sync repairs all three', () => {
  const work = mkdtempSync(join(tmpdir(), 'sg-chart-files-'));
  const source = join(work, 'dashboards');
  const target = join(work, 'files');
  cpSync(join(ROOT, 'dashboards'), source, { recursive: true });
  cpSync(join(CHART, 'files'), target, { recursive: true });
  writeFileSync(join(source, 'shadowgate.json'), readFileSync(join(source, 'shadowgate.json'), 'utf8').replace('"title"', '"title" '));
  rmSync(join(target, 'alerts.yml'));
  writeFileSync(join(target, 'old-dashboard.json'), '{}');
  const r = check('--source', source, '--target', target);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /differs: shadowgate\.json/);
  assert.match(r.stderr, /missing: alerts\.yml/);
  assert.match(r.stderr, /extra: old-dashboard\.json/);
  const sync = spawnSync(process.execPath, [SYNC, '--source', source, '--target', target], { encoding: 'utf8' });
  assert.equal(sync.status, 0, sync.stderr);
  assert.equal(check('--source', source, '--target', target).status, 0);
});

test('Chart.yaml: apiVersion v2, appVersion = package.json version', () => {
  const chart = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as { apiVersion: string; appVersion: string; name: string };
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(chart.apiVersion, 'v2');
  assert.equal(chart.name, 'shadowgate');
  assert.equal(chart.appVersion, pkg.version);
});

interface Schema { type?: string | string[]; description?: string; properties?: Record<string, Schema>; additionalProperties?: boolean | Schema; oneOf?: Schema[] }
const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as Schema;
const values = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;

test('values.schema.json: every property has a description, unknown top-level keys are rejected', () => {
  const undescribed: string[] = [];
  const walk = (s: Schema, path: string) => {
    if (path && !s.description) undescribed.push(path);
    for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, path ? `${path}.${k}` : k);
    for (const v of s.oneOf ?? []) for (const [k, p] of Object.entries(v.properties ?? {})) walk(p, `${path}.${k}`);
  };
  walk(schema, '');
  assert.deepEqual(undescribed, []);
  assert.equal(schema.additionalProperties, false);
});

test('values.schema.json covers every key of values.yaml, and values.yaml passes it', () => {
  const missing: string[] = [];
  // Free-form values (config, resources, probes, ...) are objects without declared properties:
  // their insides belong to shadowgate or Kubernetes, not to this schema.
  const walk = (v: unknown, s: Schema | undefined, path: string) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !s?.properties || s.additionalProperties !== false) return;
    for (const [k, child] of Object.entries(v)) {
      if (!(k in s.properties)) missing.push(`${path}${k}`);
      else walk(child, s.properties[k], `${path}${k}.`);
    }
  };
  walk(values, schema, '');
  assert.deepEqual(missing, []);
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  assert.ok(validate(values), JSON.stringify(validate.errors));
});

test('the sidecar check knows values.yaml\'s example legacy URL (shadowgate.defaultLegacyUrl)', () => {
  const helpers = readFileSync(join(CHART, 'templates', '_helpers.tpl'), 'utf8');
  const m = /define "shadowgate\.defaultLegacyUrl" -}}\n(.+)\n/.exec(helpers);
  assert.ok(m, 'shadowgate.defaultLegacyUrl in _helpers.tpl');
  assert.equal(m[1], (values.config as { legacy: { url: string } }).legacy.url);
});

test('the chart README documents every top-level value and the named templates', () => {
  const readme = readFileSync(join(CHART, 'README.md'), 'utf8');
  for (const key of Object.keys(schema.properties!).filter((k) => k !== 'global')) assert.ok(readme.includes(`\`${key}`), `README.md does not mention ${key}`);
  for (const name of ['shadowgate.sidecarContainer', 'shadowgate.volumes', 'shadowgate.terminationGracePeriodSeconds']) assert.ok(readme.includes(name), name);
});
