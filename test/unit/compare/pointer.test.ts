import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compilePatterns,
  escapeSegment,
  fieldOfPointer,
  formatPointer,
  parsePointer,
  unescapeSegment,
} from '../../../src/compare/pointer.js';

describe('JSON Pointer segments', () => {
  const cases: Array<[raw: string, escaped: string]> = [
    ['plain', 'plain'],
    ['a/b', 'a~1b'],
    ['m~n', 'm~0n'],
    ['~1', '~01'], // a literal "~1" key must not decode to "/"
    ['', ''],
  ];
  for (const [raw, escaped] of cases) {
    it(`escapes ${JSON.stringify(raw)} as ${JSON.stringify(escaped)} and back`, () => {
      assert.equal(escapeSegment(raw), escaped);
      assert.equal(unescapeSegment(escaped), raw);
    });
  }

  it('rejects a ~ that is not ~0 or ~1', () => {
    assert.throws(() => unescapeSegment('a~2'), /invalid escape/);
  });

  it('parses and formats whole pointers', () => {
    assert.deepEqual(parsePointer(''), []);
    assert.deepEqual(parsePointer('/a~1b/0/'), ['a/b', '0', '']);
    assert.equal(formatPointer(['a/b', '0', '']), '/a~1b/0/');
    assert.throws(() => parsePointer('a/b'), /must be empty or start with '\/'/);
  });

  it('derives a bounded field label from a pointer', () => {
    assert.equal(fieldOfPointer('/items/12/price'), '/items/*/price');
    assert.equal(fieldOfPointer('/items/012/price'), '/items/012/price');
    assert.equal(fieldOfPointer(''), 'body');
    assert.equal(fieldOfPointer('status'), 'status');
  });
});

describe('compilePatterns', () => {
  const cases: Array<[pattern: string, pointer: string, expected: boolean]> = [
    ['/meta/requestId', '/meta/requestId', true],
    ['/meta/requestId', '/meta/requestIdX', false],
    ['/meta/requestId', '/meta', false],
    ['/meta', '/meta/requestId', false], // subtree skipping is the walker's job, not the matcher's
    ['/items/*/updatedAt', '/items/0/updatedAt', true],
    ['/items/*/updatedAt', '/items/17/updatedAt', true],
    ['/items/*/updatedAt', '/items/updatedAt', false], // '*' is exactly one segment
    ['/items/*/updatedAt', '/items/0/1/updatedAt', false],
    ['/**/timestamp', '/timestamp', true], // '**' matches zero segments
    ['/**/timestamp', '/a/timestamp', true],
    ['/**/timestamp', '/a/b/c/timestamp', true],
    ['/**/timestamp', '/a/timestamp/x', false],
    ['/a/**', '/a', true],
    ['/a/**', '/a/b/c', true],
    ['/a/**/**/z', '/a/z', true],
    ['/a/**/m/**/z', '/a/x/m/y/y/z', true],
    ['/a/**/m/**/z', '/a/x/y/z', false],
    ['/a~1b/c', '/a~1b/c', true], // '~1' decodes to '/', inside one segment
    ['/a~1b/c', '/a/b/c', false],
    ['/m~0n', '/m~0n', true],
    ['', '', true],
    ['', '/a', false],
  ];
  for (const [pattern, pointer, expected] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(pointer)}`, () => {
      assert.equal(compilePatterns([pattern]).matches(pointer), expected);
    });
  }

  it('matches when any of several patterns matches', () => {
    const set = compilePatterns(['/a/*', '/**/z']);
    assert.equal(set.matches('/a/1'), true);
    assert.equal(set.matches('/q/r/z'), true);
    assert.equal(set.matches('/q/r'), false);
  });

  it('an empty set matches nothing and its state is dead', () => {
    const set = compilePatterns([]);
    assert.equal(set.matches(''), false);
    assert.deepEqual(set.step(set.start, 'a'), []);
  });

  it('names the option and index of an invalid pattern', () => {
    assert.throws(() => compilePatterns(['/ok', 'no-slash'], 'ignore'), /ignore\[1\]: pattern 'no-slash' must/);
    assert.throws(() => compilePatterns(['/bad~x'], 'unorderedArrays'), /unorderedArrays\[0\]: invalid escape/);
  });
});
