import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGates, readConfidence } from '../../../src/serve/gates.js';
import { buildConfig } from '../../../src/config/load.js';
import type { UpstreamResponse } from '../../../src/proxy/upstream-client.js';

const res = (status: number, body: unknown, headers: Record<string, string> = {}, truncated = false): UpstreamResponse => ({
  ok: true, status, headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(JSON.stringify(body)), truncated, durationMs: 1,
});
const ctx = { route: 'r', method: 'GET', path: '/' };

function route(gates: Record<string, unknown>, dir = process.cwd()) {
  return buildConfig({ legacy: { url: 'http://l' }, agent: { url: 'http://a' }, routes: [{ name: 'r', match: { path: '/' }, serve: { gates } }] }, { baseDir: dir }).routes[0]!;
}

test('readConfidence from header and pointer; junk is null', () => {
  assert.equal(readConfidence(res(200, {}, { 'x-c': '0.7' }), { header: 'x-c' }), 0.7);
  assert.equal(readConfidence(res(200, { m: { c: 0.4 } }), { pointer: '/m/c' }), 0.4);
  assert.equal(readConfidence(res(200, {}, { 'x-c': 'high' }), { header: 'x-c' }), null);
  assert.equal(readConfidence(res(200, {}), undefined), null);
});

test('gate table', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-gate-'));
  writeFileSync(join(dir, 's.json'), JSON.stringify({ type: 'object', required: ['a'] }));
  const cases: [string, Record<string, unknown>, UpstreamResponse, string | null][] = [
    ['2xx passes with no gates', {}, res(200, {}), null],
    ['4xx passes by default', {}, res(404, {}), null],
    ['5xx fails', {}, res(503, {}), 'status'],
    ['acceptStatus narrows', { acceptStatus: [200] }, res(201, {}), 'status'],
    ['truncated fails', {}, res(200, {}, {}, true), 'truncated'],
    ['confidence ok', { minConfidence: 0.5, confidence: { header: 'x-c' } }, res(200, {}, { 'x-c': '0.5' }), null],
    ['confidence low', { minConfidence: 0.5, confidence: { header: 'x-c' } }, res(200, {}, { 'x-c': '0.49' }), 'confidence'],
    ['confidence missing', { minConfidence: 0.5, confidence: { header: 'x-c' } }, res(200, {}), 'confidence'],
    ['schema ok', { schema: 's.json' }, res(200, { a: 1 }), null],
    ['schema fails', { schema: 's.json' }, res(200, { b: 1 }), 'schema'],
  ];
  for (const [name, gates, response, expected] of cases) {
    const gate = await createGates(route(gates, dir));
    const result = await gate(response, ctx);
    assert.equal(result.pass ? null : result.reason, expected, name);
  }
});

test('bad schema file and bad plug-in are config errors naming the route key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-gate-'));
  writeFileSync(join(dir, 'bad.json'), '{not json');
  writeFileSync(join(dir, 'nofn.mjs'), 'export const x = 1;\n');
  await assert.rejects(createGates(route({ schema: 'bad.json' }, dir)), /serve\.gates\.schema/);
  await assert.rejects(createGates(route({ plugin: 'nofn.mjs' }, dir)), (err: Error & { code?: string }) => err.code === 'SG_PLUGIN_LOAD' && /exports no function/.test(err.message));
});
