// The third reference: a lean undici mirror, the least a mirror with a comparison can do.
// undici pass-through to legacy (streaming both ways) plus an undici copy to the agent and a
// byte-equal-then-JSON comparison of the two answers. No bounds, no metrics, no safety.
import { createServer } from 'node:http';
import { Pool } from 'undici';
import { listenAndAnnounce, tuneHttpServer } from './listen.js';

const [target, agentUrl] = process.argv.slice(2);
if (target === undefined || agentUrl === undefined) {
  process.stderr.write('usage: lean-mirror.ts http://legacy:PORT http://agent:PORT\n');
  process.exit(2);
}

const legacy = new Pool(target, { connections: 128 });
const agent = new Pool(agentUrl, { connections: 64 });
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect', 'host', 'content-length']);
let matches = 0;

function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

const server = createServer(async (req, res) => {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k) && typeof v === 'string') headers[k] = v;
  const body = await collect(req);
  const shadow = agent.request({ method: req.method as 'GET', path: req.url ?? '/', headers, body: body.length ? body : null })
    .then((r) => collect(r.body), () => null);
  try {
    const up = await legacy.request({ method: req.method as 'GET', path: req.url ?? '/', headers, body: body.length ? body : null });
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(up.headers)) if (!HOP.has(k) && v !== undefined) out[k] = v;
    const chunks: Buffer[] = [];
    res.writeHead(up.statusCode, out);
    up.body.on('data', (c: Buffer) => { chunks.push(c); res.write(c); });
    up.body.on('end', () => {
      res.end();
      void shadow.then((a) => {
        if (a === null) return;
        const l = Buffer.concat(chunks);
        if (l.equals(a) || JSON.stringify(JSON.parse(l.toString())) === JSON.stringify(JSON.parse(a.toString()))) matches++;
      }).catch(() => undefined);
    });
  } catch {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  }
});
tuneHttpServer(server);
listenAndAnnounce(server, 'lean-mirror');
process.on('exit', () => process.stderr.write(`lean-mirror: ${matches} byte- or JSON-equal answers\n`));
