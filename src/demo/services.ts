// The demo's sample legacy service and sample agent. The agent agrees most of the time,
// sometimes differs in a field, is sometimes slow and sometimes fails, as agents do.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export interface Behaviour { differ: number; slow: number; fail: number; slowMs: number }
export const DEFAULT_AGENT_BEHAVIOUR: Behaviour = { differ: 0.06, slow: 0.04, fail: 0.03, slowMs: 1500 };

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function priceOf(sku: string, qty: number): number {
  let h = 0;
  for (const c of sku) h = (h * 31 + c.charCodeAt(0)) % 997;
  return Math.round((5 + (h % 50)) * qty * 100) / 100;
}

/** What legacy answers, computed deterministically from the request. */
export function legacyAnswer(path: string, body: string): { status: number; body: unknown } {
  const order = /^\/api\/orders\/([^/?]+)/.exec(path);
  if (order) {
    const id = order[1]!;
    return { status: 200, body: { id, status: Number.parseInt(id, 10) % 3 === 0 ? 'shipped' : 'processing', items: [{ sku: `A-${id}`, qty: 1 }, { sku: 'B-7', qty: 2 }], meta: { requestId: randomUUID() } } };
  }
  if (path.startsWith('/api/quote')) {
    let input: { sku?: string; qty?: number } = {};
    try { input = JSON.parse(body || '{}') as typeof input; } catch { return { status: 400, body: { error: 'invalid JSON' } }; }
    const sku = String(input.sku ?? 'A-1');
    const qty = Number(input.qty ?? 1);
    return { status: 200, body: { sku, qty, price: priceOf(sku, qty), currency: 'EUR', items: ['base', 'tax'], meta: { requestId: randomUUID(), timestamp: new Date().toISOString() } } };
  }
  return { status: 404, body: { error: 'not found' } };
}

export function createLegacyService(): http.Server {
  return http.createServer(async (req, res) => {
    const body = await readBody(req);
    const answer = legacyAnswer(req.url ?? '/', body);
    json(res, answer.status, answer.body);
  });
}

export function createAgentService(behaviour: Behaviour = DEFAULT_AGENT_BEHAVIOUR, random: () => number = Math.random): http.Server {
  return http.createServer(async (req, res) => {
    const body = await readBody(req);
    const roll = random();
    if (roll < behaviour.fail) return json(res, 500, { error: 'model overloaded' });
    if (roll < behaviour.fail + behaviour.slow) await new Promise((r) => setTimeout(r, behaviour.slowMs));
    const answer = legacyAnswer(req.url ?? '/', body);
    const b = answer.body as Record<string, unknown>;
    // Agents are not deterministic: same content, other order, tiny float noise.
    if (Array.isArray(b.items)) b.items = [...(b.items as unknown[])].reverse();
    if (typeof b.price === 'number') b.price = Math.round(b.price * 1.0004 * 100) / 100;
    const differs = random() < behaviour.differ;
    if (differs && typeof b.price === 'number') b.price = Math.round(b.price * 1.1 * 100) / 100;
    if (differs && typeof b.status === 'string') b.status = 'unknown';
    const confidence = differs ? 0.55 : 0.8 + random() * 0.2;
    json(res, answer.status, b, { 'x-agent-confidence': confidence.toFixed(2) });
  });
}

export function listen(server: http.Server, port = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}
