import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ComparePluginError, createComparator, DEFAULT_COMPARE_OPTIONS } from '../../../src/compare/index.js';
import { captured, CTX, json } from '../../fixtures/compare/responses.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/compare');
const fixture = (name: string): string => join(FIXTURES, name);

function withPlugin(path: string, maxDifferences = DEFAULT_COMPARE_OPTIONS.maxDifferences) {
  return createComparator({ ...DEFAULT_COMPARE_OPTIONS, plugin: path, maxDifferences });
}

describe('compare plugins', () => {
  it('loads a TypeScript default export and normalises its outcome', async () => {
    const compare = await withPlugin(fixture('plugin-custom-pointer.ts'));
    // Bodies and statuses are identical: the built-in comparison would say match.
    const outcome = await compare(json({ a: 1 }), json({ a: 1 }), CTX);
    assert.deepEqual(outcome, {
      result: 'mismatch',
      comparator: 'plugin:plugin-custom-pointer',
      differences: [
        { pointer: '/orders/3/total', field: '/orders/*/total', kind: 'changed', legacy: 200, agent: '200 via GET test' },
      ],
    });
  });

  it('loads a .ts plug-in outside any "type": "module" package (regression: "does not export a function" from /etc/shadowgate)', async () => {
    // The image mounts plug-ins beside the config, far from package.json: tsx compiles them as CommonJS.
    const dir = mkdtempSync(join(tmpdir(), 'sg-plugin-'));
    copyFileSync(fixture('plugin-custom-pointer.ts'), join(dir, 'plugin-custom-pointer.ts'));
    const compare = await withPlugin(join(dir, 'plugin-custom-pointer.ts'));
    const outcome = await compare(json({ a: 1 }), json({ a: 1 }), CTX);
    assert.equal(outcome.result, 'mismatch');
    assert.equal(outcome.comparator, 'plugin:plugin-custom-pointer');
  });

  it('loads an ESM named export `compare`, async, and fills in missing differences', async () => {
    const compare = await withPlugin(fixture('plugin-named.mjs'));
    const same = await compare(captured('abc', 'text/plain'), captured('xyz', 'text/plain'), CTX);
    assert.deepEqual(same, { result: 'match', differences: [], comparator: 'plugin:plugin-named' });
    const longer = await compare(captured('abc', 'text/plain'), captured('abcd', 'text/plain'), CTX);
    assert.equal(longer.result, 'mismatch');
  });

  it('loads a CommonJS module.exports.compare and caps its differences', async () => {
    const compare = await withPlugin(fixture('plugin-many.cjs'), 4);
    const outcome = await compare(json({}), json({}), CTX);
    assert.equal(outcome.comparator, 'plugin:plugin-many');
    assert.equal(outcome.differences.length, 4);
    assert.equal(outcome.truncatedDifferences, true);
    assert.equal(outcome.differences[3]?.field, '/items/*/id');
  });

  it('rejects when the plugin throws at call time', async () => {
    const compare = await withPlugin(fixture('plugin-throws.mjs'));
    await assert.rejects(async () => compare(json({}), json({}), CTX), /plugin exploded/);
  });

  it('rejects when the plugin returns something that is not an outcome', async () => {
    const compare = await withPlugin(fixture('plugin-many.cjs'));
    await assert.rejects(
      async () => compare(json({}, { status: 500 }), json({}), CTX),
      (error: Error) => error instanceof ComparePluginError && /plugin:plugin-many returned/.test(error.message),
    );
  });

  const loadFailures: Array<[name: string, path: string, message: RegExp]> = [
    ['a missing file', fixture('does-not-exist.mjs'), /cannot load compare plugin .*does-not-exist\.mjs/],
    ['a missing .ts file', fixture('does-not-exist.ts'), /cannot load compare plugin .*does-not-exist\.ts/],
    ['a syntax error', fixture('plugin-syntax-error.mjs'), /cannot load compare plugin .*plugin-syntax-error\.mjs/],
    ['no function exported', fixture('plugin-no-function.mjs'), /plugin-no-function\.mjs does not export a function/],
    ['a relative path', 'fixtures/plugin.mjs', /must be absolute: fixtures\/plugin\.mjs/],
  ];
  for (const [name, path, message] of loadFailures) {
    it(`fails to create with a clear error for ${name}`, async () => {
      await assert.rejects(withPlugin(path), (error: Error) => {
        assert.ok(error instanceof ComparePluginError);
        assert.equal((error as ComparePluginError).code, 'COMPARE_PLUGIN');
        assert.match(error.message, message);
        return true;
      });
    });
  }
});
