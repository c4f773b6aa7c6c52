// The review page's fields card: its pure helpers, loaded as the browser loads them (the module
// mounts nothing without a document).
import { test } from 'node:test';
import assert from 'node:assert/strict';

interface Field { pointer: string; verdict: string; raw?: unknown; legacyNoise?: unknown; agentNoise?: unknown; suggestion?: string }
const ui = (await import(new URL('../../../../src/admin/ui/fields.js', import.meta.url).href)) as {
  ruleFor(f: Field): string | null;
  rateText(r: { differs: number; total: number; rate: number | null }): string;
};

test('ruleFor: the config rule each suggestion names, only where there is something to silence', () => {
  const rows: [Field, string | null][] = [
    [{ pointer: '/meta/requestId', verdict: 'noise' }, 'compare: { ignore: ["/meta/requestId"] }'],
    [{ pointer: '/items/*/at', verdict: 'agent_unstable' }, 'compare: { ignore: ["/items/*/at"] }'],
    [{ pointer: 'status', verdict: 'noise' }, 'compare: { status: false }'],
    [{ pointer: 'header:etag', verdict: 'noise' }, '# compare.headers: remove etag'],
    [{ pointer: 'body', verdict: 'noise' }, 'compare: { text: { mode: similarity } }'],
    [{ pointer: 'other', verdict: 'noise' }, null],
    [{ pointer: '/price', verdict: 'real' }, null],
    [{ pointer: '/rare', verdict: 'insufficient' }, null],
  ];
  for (const [field, rule] of rows) assert.equal(ui.ruleFor(field), rule, field.pointer);
});

test('rateText: counts and a rounded percentage', () => {
  assert.equal(ui.rateText({ differs: 97, total: 100, rate: 0.97 }), '97/100 (97 %)');
  assert.equal(ui.rateText({ differs: 1, total: 400, rate: 0.0025 }), '1/400 (0.3 %)');
  assert.equal(ui.rateText({ differs: 0, total: 40, rate: 0 }), '0/40 (0 %)');
  assert.equal(ui.rateText({ differs: 0, total: 0, rate: null }), '—');
});
