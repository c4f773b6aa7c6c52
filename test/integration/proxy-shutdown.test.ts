// Shutdown must finish: close() drains, then cuts what is still open after the grace period.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Socket } from 'node:net';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { clientRequest } from '../fixtures/fake-client.js';
import { startTestShadowgate } from '../support/shadowgate.js';

test('close() finishes while a WebSocket tunnel is still open, and cuts both sides (regression: it waited forever)', { timeout: 15_000 }, async (t) => {
  const sockets: Socket[] = [];
  t.after(() => { for (const s of sockets) s.destroy(); });
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  t.after(async () => { await legacy.stop(); await agent.stop(); });
  let legacySide: Socket | undefined;
  legacy.server.on('upgrade', (_req: http.IncomingMessage, socket: Socket) => {
    sockets.push(socket);
    legacySide = socket;
    socket.resume(); // flowing, so the FIN from the proxy surfaces as 'end'
    socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n');
  });
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url });

  const client = await new Promise<Socket>((resolve, reject) => {
    const req = http.request(`${sg.dataUrl}/ws`, { agent: false, headers: { connection: 'Upgrade', upgrade: 'websocket' } });
    req.on('upgrade', (_res, socket) => resolve(socket));
    req.on('error', reject);
    req.end();
  });
  sockets.push(client);
  client.resume();
  const clientClosed = new Promise((r) => client.once('close', r));
  assert.ok(legacySide, 'legacy accepted the upgrade');
  const legacyClosed = new Promise((r) => legacySide!.once('end', r));

  await sg.close(); // bounded by the grace period; before the fix this never resolved
  await clientClosed;
  // The proxy's socket to legacy goes too, or it would keep a stopped process alive.
  await legacyClosed;
});

test('close() lets an in-flight request finish', { timeout: 15_000 }, async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  t.after(async () => { await legacy.stop(); await agent.stop(); });
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  legacy.handler = async (_req, res) => { await held; res.writeHead(200); res.end('finished'); };
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url });

  const pending = clientRequest(`${sg.dataUrl}/slow`);
  await legacy.waitFor(1);
  const closed = sg.close();
  release();
  const res = await pending;
  await closed;
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), 'finished');
});
