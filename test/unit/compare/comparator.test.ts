import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createComparator,
  DEFAULT_COMPARE_OPTIONS,
  type CapturedResponse,
  type CompareOptions,
  type CompareOutcome,
} from '../../../src/compare/index.js';
import { captured, CTX, json } from '../../fixtures/compare/responses.js';

async function run(legacy: CapturedResponse, agent: CapturedResponse, options: Partial<CompareOptions> = {}): Promise<CompareOutcome> {
  const compare = await createComparator({ ...DEFAULT_COMPARE_OPTIONS, ...options });
  return compare(legacy, agent, CTX);
}

describe('defaults', () => {
  it('have the documented values and are frozen', () => {
    assert.equal(DEFAULT_COMPARE_OPTIONS.status, true);
    assert.deepEqual(DEFAULT_COMPARE_OPTIONS.headers, ['content-type']);
    assert.equal(DEFAULT_COMPARE_OPTIONS.maxDifferences, 50);
    assert.equal(DEFAULT_COMPARE_OPTIONS.numericTolerance, 0);
    assert.ok(Object.isFrozen(DEFAULT_COMPARE_OPTIONS));
    assert.ok(Object.isFrozen(DEFAULT_COMPARE_OPTIONS.headers));
    assert.ok(Object.isFrozen(DEFAULT_COMPARE_OPTIONS.text));
  });
});

describe('comparator choice by content type', () => {
  const cases: Array<[contentType: string | undefined, comparator: string]> = [
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['APPLICATION/JSON', 'json'],
    ['application/problem+json', 'json'],
    ['application/vnd.api+json', 'json'],
    ['text/plain', 'text'],
    ['application/xml', 'text'],
    ['application/octet-stream', 'binary'],
    ['image/png', 'binary'],
    [undefined, 'binary'],
  ];
  for (const [contentType, comparator] of cases) {
    it(`${String(contentType)} ⇒ ${comparator}`, async () => {
      const outcome = await run(captured('{"a":1}', contentType), captured('{"a":1}', contentType));
      assert.equal(outcome.comparator, comparator);
      assert.equal(outcome.result, 'match');
    });
  }

  it('uses the legacy content type; the agent one only when legacy has none', async () => {
    const legacyJson = await run(captured('{"a":1}', 'application/json'), captured('{ "a": 1 }', 'text/plain'));
    assert.equal(legacyJson.comparator, 'json');
    assert.deepEqual(legacyJson.differences.map((d) => d.kind), ['header']); // body equal as JSON
    const agentOnly = await run(captured('{"a":1}', undefined), captured('{ "a": 1 }', 'application/json'), { headers: [] });
    assert.equal(agentOnly.comparator, 'json');
    assert.equal(agentOnly.result, 'match');
  });

  it('whitespace-only JSON differences match', async () => {
    const outcome = await run(captured('{"a":[1,2]}', 'application/json'), captured('{\n  "a": [1, 2]\n}\n', 'application/json'));
    assert.equal(outcome.result, 'match');
  });

  it('reports status, then headers, then body', async () => {
    const outcome = await run(
      json({ a: 1 }, { status: 200 }),
      captured('{"a":2}', 'application/problem+json', { status: 500 }),
    );
    assert.deepEqual(outcome.differences.map((d) => d.field), ['status', 'header:content-type', '/a']);
  });
});

describe('binary bodies', () => {
  it('equal bytes match', async () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    assert.equal((await run(captured(bytes, 'image/png'), captured(Buffer.from(bytes), 'image/png'))).result, 'match');
  });

  it('different bytes are one body difference described by size and digest', async () => {
    const outcome = await run(captured(Buffer.from([1, 2, 3]), 'image/png'), captured(Buffer.from([1, 2, 4, 5]), 'image/png'));
    assert.equal(outcome.result, 'mismatch');
    assert.equal(outcome.comparator, 'binary');
    assert.equal(outcome.differences.length, 1);
    const [d] = outcome.differences;
    assert.equal(d?.pointer, '');
    assert.equal(d?.field, 'body');
    assert.equal(d?.kind, 'changed');
    assert.match(String(d?.legacy), /^3 bytes, sha256 [0-9a-f]{16}…$/);
    assert.match(String(d?.agent), /^4 bytes, sha256 [0-9a-f]{16}…$/);
  });
});

describe('empty bodies', () => {
  const types = ['application/json', 'text/plain', 'image/png', undefined];
  for (const contentType of types) {
    it(`both empty are equal (${String(contentType)})`, async () => {
      const outcome = await run(captured('', contentType, { status: 204 }), captured('', contentType, { status: 204 }));
      assert.equal(outcome.result, 'match');
    });
  }
});

describe('truncated bodies', () => {
  const cut = (body: string, contentType: string, truncated: boolean) => captured(body, contentType, { truncated });

  it('one side truncated is one unparseable body difference naming the truncated side', async () => {
    const outcome = await run(cut('{"items":[1,2,3', 'application/json', true), cut('{"items":[]}', 'application/json', false));
    assert.deepEqual(outcome.differences, [
      { pointer: '', field: 'body', kind: 'unparseable', legacy: 'truncated at 15 bytes', agent: 'complete, 12 bytes' },
    ]);
  });

  it('one side truncated is a difference even when the captured prefix is identical', async () => {
    const outcome = await run(cut('abc', 'text/plain', false), cut('abc', 'text/plain', true));
    assert.equal(outcome.result, 'mismatch');
    assert.equal(outcome.differences[0]?.agent, 'truncated at 3 bytes');
  });

  it('both truncated with equal prefixes match, even though the JSON cannot be parsed', async () => {
    const outcome = await run(cut('{"items":[1,2,3', 'application/json', true), cut('{"items":[1,2,3,4', 'application/json', true));
    assert.equal(outcome.result, 'match');
  });

  it('both truncated JSON with different prefixes is one unparseable difference', async () => {
    const outcome = await run(cut('{"items":[1,2', 'application/json', true), cut('{"items":[9,2', 'application/json', true));
    assert.deepEqual(outcome.differences.map((d) => [d.kind, d.field, d.legacy]), [
      ['unparseable', 'body', 'truncated body; captured prefix differs from byte 10'],
    ]);
  });

  it('both truncated text bodies go through the text comparator on the prefixes', async () => {
    const normalized = { mode: 'normalized', threshold: 0 } as const;
    const same = await run(cut('Hello  World and', 'text/plain', true), cut('hello world and more', 'text/plain', true), { text: normalized });
    assert.equal(same.result, 'match');
    const different = await run(cut('Hello there', 'text/plain', true), cut('Goodbye now', 'text/plain', true), { text: normalized });
    assert.equal(different.differences[0]?.kind, 'text');
  });

  it('both truncated binary bodies with different prefixes are a changed body', async () => {
    const outcome = await run(captured(Buffer.from([1, 2]), 'image/png', { truncated: true }), captured(Buffer.from([1, 3]), 'image/png', { truncated: true }));
    assert.equal(outcome.differences[0]?.kind, 'changed');
  });
});

describe('maxDifferences', () => {
  const legacy = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i]));
  const agent = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i + 1]));

  const cases: Array<[max: number, reported: number, truncated: boolean]> = [
    [50, 10, false],
    [10, 10, false], // exactly at the cap: nothing was dropped
    [9, 9, true],
    [3, 3, true],
    [0, 0, true],
  ];
  for (const [max, reported, truncated] of cases) {
    it(`cap ${max}: ${reported} reported, truncated=${truncated}`, async () => {
      const outcome = await run(json(legacy), json(agent), { maxDifferences: max });
      assert.equal(outcome.result, 'mismatch');
      assert.equal(outcome.differences.length, reported);
      assert.equal(outcome.truncatedDifferences === true, truncated);
      assert.deepEqual(
        outcome.differences.map((d) => d.pointer),
        Object.keys(legacy).slice(0, reported).map((k) => `/${k}`),
      );
    });
  }

  it('counts status and header differences against the cap', async () => {
    const outcome = await run(json({ a: 1 }, { status: 201 }), captured('{"a":2}', 'text/plain', { status: 200 }), { maxDifferences: 1 });
    assert.deepEqual(outcome.differences.map((d) => d.kind), ['status']);
    assert.equal(outcome.truncatedDifferences, true);
  });

  it('stops early on a huge mismatching array', async () => {
    const outcome = await run(json(Array.from({ length: 100_000 }, (_, i) => i)), json([]), { maxDifferences: 5 });
    assert.equal(outcome.differences.length, 5);
    assert.equal(outcome.differences[4]?.pointer, '/4');
    assert.equal(outcome.truncatedDifferences, true);
  });
});

describe('option validation', () => {
  it('reports every invalid option at once', async () => {
    const bad: CompareOptions = {
      ...DEFAULT_COMPARE_OPTIONS,
      ignore: ['no-slash'],
      unorderedArrays: ['/x~9'],
      numericTolerance: -1,
      text: { mode: 'fuzzy' as 'exact', threshold: 1.5 },
      maxDifferences: 2.5,
    };
    await assert.rejects(createComparator(bad), (error: Error) => {
      assert.ok(error instanceof RangeError);
      for (const part of ['ignore[0]', 'unorderedArrays[0]', 'numericTolerance', 'text.mode', 'text.threshold', 'maxDifferences']) {
        assert.ok(error.message.includes(part), `message names ${part}: ${error.message}`);
      }
      return true;
    });
  });

  it('accepts the defaults', async () => {
    await createComparator(DEFAULT_COMPARE_OPTIONS);
  });
});

describe('determinism and purity', () => {
  it('the same inputs give the same outcome and the inputs are not mutated', async () => {
    const compare = await createComparator({ ...DEFAULT_COMPARE_OPTIONS, unorderedArrays: ['/t'] });
    const legacy = json({ t: [3, 1, 2, 9], x: 'a' });
    const agent = json({ t: [1, 2, 3, 8], x: 'b' });
    const before = [Buffer.from(legacy.body), Buffer.from(agent.body)];
    const first = await compare(legacy, agent, CTX);
    const second = await compare(legacy, agent, CTX);
    assert.deepEqual(first, second);
    assert.ok(legacy.body.equals(before[0]!) && agent.body.equals(before[1]!));
  });
});
