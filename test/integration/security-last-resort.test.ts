// No request from either side stops the process: generated hostile client requests (methods,
// target forms, header bytes, framing, upgrades) meet generated hostile upstream answers
// (status lines, reason bytes, header bytes, framing, 1xx, early closes) on every path
// (pass-through, serve, shadow, OPTIONS *, WebSocket). The process must see no uncaught
// exception and no unhandled rejection, no last-resort guard may fire, every answer a client
// gets must be strictly valid HTTP/1.1, and the proxy keeps answering afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FakeWireUpstream, echoReply, type WireReply, type WireRequest } from '../fixtures/fake-wire-upstream.js';
import { tempFlagFile } from '../fixtures/flag-files.js';
import { RawConnection, jsonOf, rawExchange } from '../support/raw-client.js';
import { startTestShadowgate, metricValue } from '../support/shadowgate.js';

const bytesOf = (codes: number[]) => Buffer.from(codes).toString('latin1');
/** Field-value bytes node accepts from a client (HTAB, SP, VCHAR, obs-text). */
const fieldValue = fc.array(fc.oneof(fc.constant(9), fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff })), { maxLength: 24 }).map(bytesOf).map((s) => s.trim());
/** Any bytes but CR and LF (so a line stays one line): what a hostile upstream may put in a header or reason. */
const anyLineBytes = fc.array(fc.integer({ min: 0, max: 0xff }).filter((b) => b !== 10 && b !== 13), { maxLength: 16 }).map(bytesOf);
const tokenName = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/);
const pathBytes = fc.array(fc.oneof(fc.integer({ min: 0x21, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff })), { maxLength: 20 }).map(bytesOf);

const clientRequest = fc.record({
  method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'PURGE', 'SEARCH'),
  target: fc.oneof(
    pathBytes.map((p) => `/api/${p}`),
    pathBytes.map((p) => `/api/s/${p}`),
    pathBytes.map((p) => `/other/${p}`),
    pathBytes.map((p) => `http://h.example/api/${p}`),
    fc.constantFrom('*', '/api/%2e%2e/x', '/api/../api/./y', 'http://h', '/api?%00'),
  ),
  headers: fc.array(fc.oneof(
    fc.tuple(tokenName, fieldValue),
    fc.tuple(fc.constantFrom('Cookie', 'traceparent', 'tracestate', 'X-Forwarded-For', 'Forwarded', 'Expect', 'TE', 'Connection', 'Upgrade', 'Authorization', 'Accept-Encoding', 'X-Shadowgate-Shadow'), fieldValue),
    fc.constantFrom<[string, string]>(['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ['Upgrade', 'h2c'], ['Connection', 'content-length, host, transfer-encoding'], ['Cookie', 'sid=%E0%A4%A'], ['traceparent', '00-zz-zz-01']),
  ), { maxLength: 6 }),
  body: fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)),
  framing: fc.constantFrom('content-length', 'chunked', 'none'),
});

const upstreamAnswer = fc.record({
  informational: fc.constantFrom('', 'HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 102 Processing\r\n\r\n', 'HTTP/1.1 103 Early Hints\r\nlink: </a>; rel=preload\r\n\r\n', 'HTTP/1.1 103 EH\r\nlink: nope\r\n\r\n'),
  status: fc.oneof(fc.constantFrom('200', '204', '304', '404', '500', '101'), fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, '0')), fc.constantFrom('abc', '20', '2000')),
  reason: fc.oneof(fc.constant('OK'), anyLineBytes),
  headers: fc.array(fc.oneof(fc.tuple(tokenName, anyLineBytes), fc.tuple(anyLineBytes, fc.constant('v')), fc.constantFrom<[string, string]>(['Connection', 'content-length'], ['Transfer-Encoding', 'chunked'], ['Content-Length', '3'], ['Trailer', 'x-t'], ['Upgrade', 'websocket'])), { maxLength: 5 }),
  body: fc.constantFrom('', 'ok', 'hello world'),
  framing: fc.constantFrom('content-length', 'chunked', 'close', 'wrong-length', 'bad-trailer'),
});

type Answer = typeof upstreamAnswer extends fc.Arbitrary<infer T> ? T : never;
type Request = typeof clientRequest extends fc.Arbitrary<infer T> ? T : never;

function answerBytes(a: Answer): WireReply {
  const head = [`HTTP/1.1 ${a.status} ${a.reason}`, ...a.headers.map(([n, v]) => `${n}: ${v}`)];
  switch (a.framing) {
    case 'content-length': return `${a.informational}${[...head, `Content-Length: ${a.body.length}`].join('\r\n')}\r\n\r\n${a.body}`;
    case 'wrong-length': return { bytes: `${a.informational}${[...head, `Content-Length: ${a.body.length + 5}`].join('\r\n')}\r\n\r\n${a.body}`, close: true };
    case 'chunked': return `${a.informational}${[...head, 'Transfer-Encoding: chunked'].join('\r\n')}\r\n\r\n${a.body ? `${a.body.length.toString(16)}\r\n${a.body}\r\n` : ''}0\r\nx-t: 1\r\n\r\n`;
    case 'bad-trailer': return `${a.informational}${[...head, 'Transfer-Encoding: chunked'].join('\r\n')}\r\n\r\n${a.body ? `${a.body.length.toString(16)}\r\n${a.body}\r\n` : ''}0\r\nx-t: \x7f\r\n\r\n`;
    default: return { bytes: `${a.informational}${head.join('\r\n')}\r\n\r\n${a.body}`, close: true };
  }
}

function requestBytes(r: Request, id: number): Buffer {
  const lines = [`${r.method} ${r.target} HTTP/1.1`, 'Host: fuzz.example', `x-test-id: ${id}`, ...r.headers.map(([n, v]) => `${n}: ${v}`)];
  if (r.framing === 'content-length') lines.push(`Content-Length: ${r.body.length}`);
  if (r.framing === 'chunked') lines.push('Transfer-Encoding: chunked');
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  if (r.framing === 'none') return head;
  if (r.framing === 'content-length') return Buffer.concat([head, r.body]);
  return Buffer.concat([head, r.body.length ? Buffer.concat([Buffer.from(`${r.body.length.toString(16)}\r\n`), r.body, Buffer.from('\r\n')]) : Buffer.alloc(0), Buffer.from('0\r\n\r\n')]);
}

test('last resort: hostile requests against hostile upstreams never stop the process, never trip a guard, never yield an invalid answer', { timeout: 240_000 }, async (t) => {
  const escaped: string[] = [];
  const onUncaught = (err: Error) => { escaped.push(`uncaughtException: ${err.stack ?? err.message}`); };
  const onRejection = (err: unknown) => { escaped.push(`unhandledRejection: ${(err as Error)?.stack ?? String(err)}`); };
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onRejection);
  t.after(() => { process.off('uncaughtException', onUncaught); process.off('unhandledRejection', onRejection); });

  const legacy = await new FakeWireUpstream().start();
  const agent = await new FakeWireUpstream().start();
  t.after(async () => { await legacy.stop(); await agent.stop(); });
  const flags = tempFlagFile([{ name: 'served.serve', rollout: 50 }, { name: 'served.shadow', rollout: 100 }, { name: 'api.shadow', rollout: 100 }]);
  const sg = await startTestShadowgate({
    legacy: legacy.url, agent: agent.url, flags: { file: flags.file },
    legacyOptions: { timeoutMs: 2000 }, agentOptions: { timeoutMs: 2000 },
    routes: [
      { name: 'served', match: { path: '/api/s/*' }, serve: { timeoutMs: 2000 }, shadow: { sideEffects: true } },
      { name: 'api', match: { path: '/api/*' }, shadow: { sideEffects: true } },
    ],
  });
  t.after(() => sg.close());

  let id = 0;
  await fc.assert(fc.asyncProperty(clientRequest, upstreamAnswer, upstreamAnswer, async (req, legacyAnswer, agentAnswer) => {
    legacy.script = (_q: WireRequest) => answerBytes(legacyAnswer);
    agent.script = (_q: WireRequest) => answerBytes(agentAnswer);
    const c = new RawConnection(sg.dataUrl);
    try {
      await c.write(requestBytes(req, ++id)).catch(() => undefined);
      const r = await c.final(8000);
      assert.ok(r.closed || r.error !== undefined || r.responses.length > 0, 'an answer, or the connection closed: never left hanging');
      assert.equal(r.error, undefined, `an invalid answer reached the client: ${r.error} in ${JSON.stringify(r.bytes.toString('latin1').slice(0, 300))}`);
      assert.ok(r.responses.filter((m) => m.status >= 200 || m.status === 101).length <= 1, 'at most one final answer');
    } finally { c.destroy(); }
    assert.deepEqual(escaped, []);
  }), { numRuns: 150 });

  assert.deepEqual(escaped, [], 'nothing escaped to the process');
  assert.equal(await metricValue(sg, 'shadowgate_internal_errors_total'), 0, 'no last-resort guard had to fire');
  legacy.script = echoReply;
  agent.script = echoReply;
  const control = await rawExchange(sg.dataUrl, 'GET /other/control HTTP/1.1\r\nHost: a\r\nx-test-id: control\r\n\r\n');
  assert.equal(jsonOf(control.responses[0]!).id, 'control', 'still answering');
  assert.equal((await fetch(`${sg.adminUrl}/healthz`)).status, 200);
});
