import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, ShadowgateError, type ErrorCode } from '../../src/errors.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const CODES = Object.keys(ERROR_CODES) as ErrorCode[];

/** The text under the "Error codes" heading, up to the next heading of the same or a higher level. */
function errorCodesSection(markdown: string): string | undefined {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => /^#{1,6}\s+Error codes\s*$/i.test(l));
  if (start === -1) return undefined;
  const level = /^#+/.exec(lines[start]!)![0].length;
  const end = lines.findIndex((l, i) => i > start && /^#+\s/.test(l) && /^#+/.exec(l)![0].length <= level);
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n');
}

test('every error code is documented in README.md under an "Error codes" heading', () => {
  assert.ok(existsSync(README), 'README.md exists');
  const section = errorCodesSection(readFileSync(README, 'utf8'));
  assert.ok(section !== undefined, 'README.md has an "Error codes" heading');
  const missing = CODES.filter((code) => !new RegExp(`\\b${code}\\b`).test(section));
  assert.deepEqual(missing, [], `undocumented error codes: ${missing.join(', ')}`);
});

test('every code has an HTTP status and a description', () => {
  for (const code of CODES) {
    const { status, description } = ERROR_CODES[code];
    assert.ok(Number.isInteger(status) && status >= 400 && status <= 599, `${code} status ${status}`);
    assert.ok(description.length > 10, `${code} has a description`);
    assert.match(code, /^SG_[A-Z_]+$/);
  }
});

test('ShadowgateError carries code, status, cause and a JSON shape clients can match on', () => {
  const cause = new Error('ECONNREFUSED');
  const err = new ShadowgateError('SG_LEGACY_UNAVAILABLE', 'legacy is unavailable (connection)', { cause, details: ['x'] });
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'ShadowgateError');
  assert.equal(err.code, 'SG_LEGACY_UNAVAILABLE');
  assert.equal(err.status, 502);
  assert.equal(err.cause, cause);
  assert.deepEqual(err.details, ['x']);
  assert.deepEqual(err.toJSON(), { error: { code: 'SG_LEGACY_UNAVAILABLE', message: 'legacy is unavailable (connection)' } });
  assert.deepEqual(JSON.parse(JSON.stringify(err)), err.toJSON());
  assert.equal(new ShadowgateError('SG_LEGACY_TIMEOUT', 't').status, 504);
  assert.equal(new ShadowgateError('SG_UNAUTHORIZED', 'u').status, 401);
  assert.equal(new ShadowgateError('SG_BAD_REQUEST', 'b').cause, undefined);
});

test('the README check finds codes only inside the section', () => {
  const md = '# shadowgate\nSG_A outside\n## Error codes\n| SG_B | x |\n### Detail\nSG_C nested\n## Next\nSG_D after\n';
  const section = errorCodesSection(md)!;
  assert.ok(section.includes('SG_B') && section.includes('SG_C'));
  assert.ok(!section.includes('SG_A') && !section.includes('SG_D'));
});
