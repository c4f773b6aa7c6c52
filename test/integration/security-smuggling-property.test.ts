// The smuggling property, over generated requests (fast-check): whatever header set, Connection
// nominations, method, body and framing (Content-Length or chunked, any chunking) a client
// sends, the bytes legacy receives frame exactly one request with exactly the client's body,
// the shadow copy the agent receives too, and no client ever gets an answer meant for another
// (two clients at a time, one pooled legacy connection, each request tagged by its path).
// The bytes are read by two parsers: the strict one of the tests, and node's own (llhttp).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { FakeWireUpstream } from '../fixtures/fake-wire-upstream.js';
import { RawConnection, jsonOf } from '../support/raw-client.js';
import { field } from '../support/strict-http1.js';
import { startTestShadowgate, eventually } from '../support/shadowgate.js';

const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';

interface Generated {
  method: string;
  framing: 'content-length' | 'chunked' | 'none';
  body: Buffer;
  /** Chunk sizes for a chunked body (the rest goes in one last chunk). */
  chunks: number[];
  chunkExtension: boolean;
  headers: [string, string][];
  connection: string[];
}

const fragment = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
  fc.constantFrom(SMUGGLED, '0\r\n\r\n', '\r\n\r\n', 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n', 'POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n').map((s) => Buffer.from(s, 'latin1')),
);
const token = fc.constantFrom('x-a', 'X-B', 'x-mixed-Case', 'cookie', 'accept', 'x-forwarded-for', 'x-forwarded-host', 'forwarded', 'keep-alive', 'te', 'trailer', 'proxy-connection');
const value = fc.stringMatching(/^[A-Za-z0-9=;,/:._-][A-Za-z0-9 =;,/:._-]{0,14}[A-Za-z0-9=;,/:._-]$/);
const nomination = fc.constantFrom('content-length', 'Content-Length', 'transfer-encoding', 'Transfer-Encoding', 'host', 'Host', 'keep-alive', 'close', 'x-a', 'x-b', 'te', 'trailer', 'x-forwarded-for', 'forwarded', 'cookie', 'upgrade', ' content-length ');

const generated: fc.Arbitrary<Generated> = fc.record({
  method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
  framing: fc.constantFrom('content-length', 'chunked', 'none'),
  body: fc.array(fragment, { maxLength: 4 }).map((parts) => Buffer.concat(parts)),
  chunks: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 5 }),
  chunkExtension: fc.boolean(),
  headers: fc.array(fc.tuple(token, value), { maxLength: 6 }),
  connection: fc.array(nomination, { maxLength: 5 }),
}).map((g) => (g.framing === 'none' ? { ...g, body: Buffer.alloc(0) } : g));

/** The client's exact bytes for one generated request. */
function requestBytes(g: Generated, path: string): Buffer {
  const lines = [`${g.method} ${path} HTTP/1.1`, 'Host: prop.example'];
  for (const [name, v] of g.headers) lines.push(`${name}: ${v}`);
  if (g.connection.length > 0) lines.push(`Connection: ${g.connection.join(', ')}`);
  if (g.framing === 'content-length') lines.push(`Content-Length: ${g.body.length}`);
  if (g.framing === 'chunked') lines.push('Transfer-Encoding: chunked');
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  if (g.framing !== 'chunked') return Buffer.concat([head, g.body]);
  const parts: Buffer[] = [head];
  let at = 0;
  for (const size of [...g.chunks, Infinity]) {
    if (at >= g.body.length) break;
    const piece = g.body.subarray(at, Math.min(g.body.length, at + size));
    at += piece.length;
    parts.push(Buffer.from(`${piece.length.toString(16)}${g.chunkExtension ? ';ext=1' : ''}\r\n`, 'latin1'), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/** What node's own parser (llhttp) reads in a byte stream: the requests and their bodies. */
async function readWithNode(bytes: Buffer): Promise<{ requests: { url: string; body: Buffer }[]; error?: string }> {
  const requests: { url: string; body: Buffer }[] = [];
  let error: string | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => { requests.push({ url: req.url ?? '', body: Buffer.concat(chunks) }); res.end(); });
  });
  server.on('clientError', (err: Error, socket: net.Socket) => { error = err.message; socket.destroy(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
  socket.on('data', () => { /* the answers are not the point */ });
  socket.on('error', () => { /* a reset on a parse error */ });
  socket.end(bytes);
  await new Promise((r) => socket.once('close', r));
  await new Promise<void>((r) => server.close(() => r()));
  return { requests, ...(error ? { error } : {}) };
}

test('property: one client request is exactly one upstream request with exactly its body, and answers are never cross-delivered', { timeout: 120_000 }, async (t) => {
  const legacy = await new FakeWireUpstream().start();
  const agent = await new FakeWireUpstream().start();
  const sg = await startTestShadowgate({
    legacy: legacy.url, agent: agent.url, server: { maxSockets: 1 },
    routes: [{ name: 'prop', match: { path: '/api/*' }, shadow: { sideEffects: true } }],
  });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });

  let n = 0;
  await fc.assert(fc.asyncProperty(generated, generated, async (a, b) => {
    const runs = [a, b].map((g) => ({ g, path: `/api/p/${++n}` }));
    const answers = await Promise.all(runs.map(async ({ g, path }) => {
      const c = new RawConnection(sg.dataUrl);
      try {
        await c.write(requestBytes(g, path));
        return await c.responses(1);
      } finally { c.destroy(); }
    }));
    runs.forEach(({ g, path }, i) => {
      const r = answers[i]!;
      assert.equal(r.error, undefined, r.error);
      assert.equal(r.responses.length, 1, 'exactly one answer');
      const m = r.responses[0]!;
      assert.equal(m.status, 200);
      assert.deepEqual(field(m, 'x-echo-target'), [path], 'the answer to this client\'s own request');
      if (g.method !== 'HEAD') assert.deepEqual([jsonOf(m).target, jsonOf(m).bodyLength], [path, g.body.length]);
    });
    for (const up of [legacy, agent]) {
      if (up === agent) await eventually(() => runs.every(({ path }) => agent.requests.some((q) => q.target === path)), 'the shadow copies arrived');
      assert.deepEqual(up.errors, [], 'strictly valid HTTP/1.1 upstream');
      for (const { g, path } of runs) {
        const seen = up.requests.filter((q) => q.target === path);
        assert.equal(seen.length, 1, `${up === legacy ? 'legacy' : 'the agent'} got the request once`);
        assert.ok(seen[0]!.body.equals(g.body), 'with exactly the client\'s body');
        assert.equal(seen[0]!.method, g.method);
        assert.deepEqual(field(seen[0]!, 'host'), [up === legacy ? 'prop.example' : new URL(agent.url).host]);
      }
      const strays = up.requests.filter((q) => !q.target.startsWith('/api/p/'));
      assert.deepEqual(strays.map((q) => q.target), [], 'no request anybody did not send');
    }
  }), { numRuns: 120 });

  // Every byte either upstream received, read again by node's parser: the same requests, the same bodies.
  for (const up of [legacy, agent]) {
    for (const conn of up.connections) {
      assert.equal(conn.rest.length, 0, `nothing left over on connection ${conn.index}`);
      const node = await readWithNode(conn.bytes);
      assert.equal(node.error, undefined, node.error);
      assert.deepEqual(node.requests.map((q) => [q.url, q.body.toString('base64')]), conn.requests.map((q) => [q.target, q.body.toString('base64')]));
    }
  }
  assert.ok(n >= 240);
});

test('the property test can fail: its oracle and node both read the pre-fix bytes as two requests', async () => {
  const bytes = Buffer.from(`GET /api/p/1 HTTP/1.1\r\nhost: a\r\nconnection: keep-alive\r\n\r\n${SMUGGLED}`, 'latin1');
  const node = await readWithNode(bytes);
  assert.deepEqual(node.requests.map((q) => q.url), ['/api/p/1', '/smuggled']);
});
