import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { preflight } from '../../../src/config/preflight.js';
import { formatProblems } from '../../../src/config/problems.js';

const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sg-preflight-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const FLAGS_OK = JSON.stringify({ version: 1, features: [
  { name: 'q.shadow', enabled: true, strategies: [{ name: 'default' }] },
  { name: 'q.serve', enabled: false, strategies: [{ name: 'default' }] },
] });
const HEAD = 'legacy: { url: http://l:1 }\nagent: { url: http://a:1 }\n';
const NO_FUNCTION = resolve('test/fixtures/compare/plugin-no-function.mjs');

describe('preflight: what check-config said was valid but serve refused', () => {
  test('a flags file with "enabled": "yes" is a problem naming the file and the JSON path', async () => {
    const dir = folder({
      'shadowgate.yaml': `${HEAD}flags: { file: flags.json }\nroutes: [{ name: q, match: { path: /q } }]\n`,
      'flags.json': JSON.stringify({ version: 1, features: [{ name: 'q.serve', enabled: 'yes', strategies: [] }] }),
    });
    const report = await preflight(join(dir, 'shadowgate.yaml'), {});
    assert.equal(report.config, null);
    assert.equal(report.problems.length, 1);
    assert.equal(report.problems[0]!.path, 'flags.file');
    assert.equal(report.problems[0]!.line, 3);
    assert.match(report.problems[0]!.message, new RegExp(`^${join(dir, 'flags.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*features\\[0\\]\\.enabled`));
  });

  test('every broken input is listed at once: flags file, compare plug-in, gate schema, gate plug-in, compare options, redact.fields', async () => {
    const dir = folder({
      'shadowgate.yaml': `${HEAD}redact: { fields: ["/a/~2"] }
flags: { file: missing-flags.json }
routes:
  - name: q
    match: { path: /q }
    compare: { plugin: rules/missing.mjs }
    serve: { gates: { schema: schemas/missing.json, plugin: ${NO_FUNCTION} } }
  - name: r
    match: { path: /r }
    compare: { ignore: ["/x/~9"] }
    serve: { gates: { schema: bad-schema.json } }
`,
      'bad-schema.json': '{ "type": "no-such-type" }',
    });
    const report = await preflight(join(dir, 'shadowgate.yaml'), {});
    assert.equal(report.config, null);
    assert.deepEqual(report.problems.map((p) => `${p.path}@${p.line}`), [
      'redact.fields[0]@3', 'flags.file@4', 'routes[0].compare.plugin@8', 'routes[0].serve.gates.schema@9', 'routes[0].serve.gates.plugin@9',
      'routes[1].compare.ignore[0]@12', 'routes[1].serve.gates.schema@13',
    ]);
    const text = formatProblems('shadowgate.yaml', report.problems);
    for (const expected of [
      `${join(dir, 'missing-flags.json')}: file not found`,
      `file not found: ${join(dir, 'rules/missing.mjs')}`,
      `file not found: ${join(dir, 'schemas/missing.json')}`,
      `${NO_FUNCTION} exports no function`,
      `${join(dir, 'bad-schema.json')} is not a valid JSON Schema`,
      "invalid escape in pointer segment '~9'", "invalid escape in pointer segment '~2'",
    ]) assert.ok(text.includes(expected), `${expected}\n${text}`);
  });

  test('a compare plug-in that exists but does not load is named with the reason', async () => {
    const plugin = resolve('test/fixtures/compare/plugin-syntax-error.mjs');
    const dir = folder({ 'shadowgate.yaml': `${HEAD}routes: [{ name: q, match: { path: /q }, compare: { plugin: ${plugin} } }]\n` });
    const report = await preflight(join(dir, 'shadowgate.yaml'), {});
    assert.equal(report.problems.length, 1);
    assert.equal(report.problems[0]!.path, 'routes[0].compare.plugin');
    assert.ok(report.problems[0]!.message.startsWith(`cannot load compare plugin ${plugin}: `), report.problems[0]!.message);
  });

  test('deeper checks still run on the parts that are valid when another part fails the schema', async () => {
    const dir = folder({
      'shadowgate.yaml': `legacy: { url: nope }\nagent: { url: http://a:1 }\nflags: { file: missing.json }\nroutes:\n  - name: q\n    match: { path: "/q/{id}" }\n  - name: r\n    match: { path: /r }\n    compare: { plugin: gone.mjs }\n`,
    });
    const report = await preflight(join(dir, 'shadowgate.yaml'), {});
    assert.deepEqual(report.problems.map((p) => p.path), ['legacy.url', 'flags.file', 'routes[0].match.path', 'routes[1].compare.plugin']);
  });

  test('a good config: no problems, warnings for missing flags and shadowed routes, what was loaded', async () => {
    const dir = folder({
      'shadowgate.yaml': `${HEAD}routes:\n  - { name: q, match: { path: "/api/*" } }\n  - { name: o, match: { path: /api/orders/:id }, compare: { plugin: ${resolve('test/fixtures/fake-comparator-plugin.mjs')} } }\n`,
      'flags.json': FLAGS_OK,
    });
    const report = await preflight(join(dir, 'shadowgate.yaml'), {});
    assert.deepEqual(report.problems, []);
    assert.ok(report.config);
    assert.equal(report.loaded.flags?.features.length, 2);
    assert.deepEqual([...report.loaded.comparators.keys()], ['q', 'o']);
    assert.deepEqual(report.warnings.map((w) => `${w.route}:${w.kind}`), ['o:shadowed', 'o:flag_missing', 'o:flag_missing']);
  });

  test('against an Unleash bootstrap file, missing flags are not guessed at', async () => {
    const dir = folder({
      'shadowgate.yaml': `${HEAD}flags: { file: flags.json, unleash: { url: "http://u:4242/api/", token: t } }\nroutes: [{ name: other, match: { path: /o } }]\n`,
      'flags.json': FLAGS_OK,
    });
    const report = await preflight(join(dir, 'shadowgate.yaml'), {});
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.warnings, []);
  });

  test('the demo config passes', async () => {
    const report = await preflight('config/demo.yaml', { DEMO_LEGACY_URL: 'http://127.0.0.1:1', DEMO_AGENT_URL: 'http://127.0.0.1:2' });
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.warnings, []);
  });
});
