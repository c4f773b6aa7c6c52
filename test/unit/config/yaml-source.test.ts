import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { quoteFlowReferences, snippet } from '../../../src/config/yaml-source.js';

describe('quoteFlowReferences', () => {
  const cases: [input: string, output: string][] = [
    ['admin: { port: 9191, token: ${TOKEN} }', 'admin: { port: 9191, token: "${TOKEN}" }'],
    ['a: [${A}, ${B:-x y}]', 'a: ["${A}", "${B:-x y}"]'],
    ['a: { url: http://${HOST}:3000/x }', 'a: { url: "http://${HOST}:3000/x" }'],
    ['a: { b: "${QUOTED}", c: \'${SINGLE}\' }', 'a: { b: "${QUOTED}", c: \'${SINGLE}\' }'],
    ['a: ${BLOCK}\nb: { c: 1 }', 'a: ${BLOCK}\nb: { c: 1 }'],
    ['a: { b: 1 } # ${IN_COMMENT} {', 'a: { b: 1 } # ${IN_COMMENT} {'],
    ['a: |\n  text { ${X}\nb: { c: ${Y} }', 'a: |\n  text { ${X}\nb: { c: "${Y}" }'],
    ['a: { b: x"${Q}\\ }', 'a: { b: "x\\"${Q}\\\\" }'],
    ['a: { b: [1, { c: ${D} }] }', 'a: { b: [1, { c: "${D}" }] }'],
    ["a: it's { not flow ${X}", "a: it's { not flow ${X}"],
  ];
  for (const [input, output] of cases) {
    test(JSON.stringify(input), () => assert.equal(quoteFlowReferences(input), output));
  }

  test('the quoted reference parses to the same string a block-context reference gives', () => {
    assert.deepEqual(parse(quoteFlowReferences('a: { b: ${X}, c: x"${Q}\\ }')), { a: { b: '${X}', c: 'x"${Q}\\' } });
  });
});

describe('snippet', () => {
  test('the caret sits under the column, tabs kept', () => {
    assert.equal(snippet('a:\tb: {', 12, 6), '  12 | a:\tb: {\n     |   \t  ^');
  });
});
