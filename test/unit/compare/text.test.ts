import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createComparator, DEFAULT_COMPARE_OPTIONS, type CompareOptions, type CompareOutcome } from '../../../src/compare/index.js';
import { MAX_SIMILARITY_TOKENS, normaliseText, textSimilarity } from '../../../src/compare/text.js';
import { CTX, text } from '../../fixtures/compare/responses.js';

async function compareText(legacy: string, agent: string, textOptions: CompareOptions['text']): Promise<CompareOutcome> {
  const compare = await createComparator({ ...DEFAULT_COMPARE_OPTIONS, text: textOptions });
  return compare(text(legacy), text(agent), CTX);
}

describe('text exact and normalized modes', () => {
  const cases: Array<[legacy: string, agent: string, exact: boolean, normalized: boolean]> = [
    ['Hello world', 'Hello world', true, true],
    ['Hello world', 'hello  WORLD\n', false, true],
    ['  <p>Hi</p>\n\n<p>There</p> ', '<p>hi</p> <p>there</p>', false, true],
    ['Hello world', 'Hello there', false, false],
    ['ab', 'a b', false, false],
  ];
  for (const [legacy, agent, exact, normalized] of cases) {
    it(`${JSON.stringify(legacy)} vs ${JSON.stringify(agent)}`, async () => {
      const exactOutcome = await compareText(legacy, agent, { mode: 'exact', threshold: 0 });
      const normalOutcome = await compareText(legacy, agent, { mode: 'normalized', threshold: 0 });
      assert.equal(exactOutcome.result, exact ? 'match' : 'mismatch');
      assert.equal(normalOutcome.result, normalized ? 'match' : 'mismatch');
      assert.equal(exactOutcome.comparator, 'text');
      assert.equal(exactOutcome.similarity, undefined);
    });
  }

  it('reports one body-level text difference with an excerpt near the first change', async () => {
    const prefix = 'x'.repeat(300);
    const outcome = await compareText(`${prefix} legacy tail`, `${prefix} agent tail`, { mode: 'exact', threshold: 0 });
    assert.equal(outcome.differences.length, 1);
    const [d] = outcome.differences;
    assert.equal(d?.pointer, '');
    assert.equal(d?.field, 'body');
    assert.equal(d?.kind, 'text');
    assert.match(String(d?.legacy), /^…x+ legacy tail$/);
    assert.match(String(d?.agent), /^…x+ agent tail$/);
  });

  it('normaliseText trims, collapses and lower-cases', () => {
    assert.equal(normaliseText('\t A  B\nC '), 'a b c');
  });
});

describe('text similarity (Sørensen–Dice over word-token multisets)', () => {
  const cases: Array<[legacy: string, agent: string, expected: number]> = [
    ['a b c d', 'a b c d', 1],
    ['a b c d', 'a b c e', 0.75], // 2*3 / 8
    ['a b c d', 'd c b a', 1], // order-insensitive
    ['The Cat', 'the cat!', 1], // lower-cased, punctuation is not a token
    ['a a b', 'a b b', 2 / 3], // multiset: shared {a, b}
    ['a b', 'c d', 0],
    ['', '', 1],
    ['words here', '', 0],
    ['<>', '{}', 0], // no tokens either side: falls back to normalised equality
    [' <> ', '<>', 1],
  ];
  for (const [legacy, agent, expected] of cases) {
    it(`${JSON.stringify(legacy)} vs ${JSON.stringify(agent)} = ${expected.toFixed(3)}`, () => {
      assert.ok(Math.abs(textSimilarity(legacy, agent) - expected) < 1e-12);
    });
  }

  it('mismatches below the threshold and matches at or above it, reporting similarity', async () => {
    const below = await compareText('a b c d', 'a b c e', { mode: 'similarity', threshold: 0.8 });
    assert.equal(below.result, 'mismatch');
    assert.equal(below.similarity, 0.75);
    assert.equal(below.differences[0]?.kind, 'text');
    const at = await compareText('a b c d', 'a b c e', { mode: 'similarity', threshold: 0.75 });
    assert.equal(at.result, 'match');
    assert.equal(at.similarity, 0.75);
    assert.deepEqual(at.differences, []);
  });

  it('reports similarity 1 for identical bodies', async () => {
    const outcome = await compareText('same', 'same', { mode: 'similarity', threshold: 1 });
    assert.equal(outcome.result, 'match');
    assert.equal(outcome.similarity, 1);
  });

  it(`stays bounded on 200k-token bodies by reading only the first ${MAX_SIMILARITY_TOKENS} tokens`, async () => {
    const words = Array.from({ length: 200_000 }, (_, i) => `w${i % 997}`);
    const legacy = words.join(' ');
    // Identical within the token cap, entirely different after it.
    const agent = words.slice(0, MAX_SIMILARITY_TOKENS).join(' ') + ' ' + words.slice(MAX_SIMILARITY_TOKENS).map((w) => `z${w}`).join(' ');
    assert.equal(textSimilarity(legacy, agent), 1);
    const differentEarly = 'different ' + legacy;
    const outcome = await compareText(legacy, differentEarly, { mode: 'similarity', threshold: 0.99 });
    assert.equal(outcome.result, 'match'); // 9999 of 10000 tokens shared
    assert.ok(outcome.similarity !== undefined && outcome.similarity < 1);
    const normalized = await compareText(legacy, differentEarly, { mode: 'normalized', threshold: 0 });
    assert.equal(normalized.result, 'mismatch');
  });
});

describe('which bodies are text', () => {
  const types = [
    'text/html; charset=utf-8',
    'text/csv',
    'application/xml',
    'application/atom+xml',
    'application/x-www-form-urlencoded',
    'application/javascript',
    'text/javascript',
  ];
  for (const contentType of types) {
    it(contentType, async () => {
      const compare = await createComparator({ ...DEFAULT_COMPARE_OPTIONS, text: { mode: 'normalized', threshold: 0 } });
      const outcome = await compare(text('A  b', contentType), text('a b', contentType), CTX);
      assert.equal(outcome.comparator, 'text');
      assert.equal(outcome.result, 'match');
    });
  }
});
