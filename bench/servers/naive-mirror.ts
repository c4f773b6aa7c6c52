// The second reference: what "just mirror it" costs. http-proxy to legacy (keep-alive agent,
// as bare) plus a fire-and-forget undici copy of every request to the agent. No comparison,
// no metrics, no bounds: the cheapest mirror one could write, not a safe one.
import { createServer, Agent } from 'node:http';
import httpProxy from 'http-proxy';
import { Pool } from 'undici';
import { listenAndAnnounce, tuneHttpServer } from './listen.js';

const [target, agentUrl] = process.argv.slice(2);
if (target === undefined || agentUrl === undefined) {
  process.stderr.write('usage: naive-mirror.ts http://legacy:PORT http://agent:PORT\n');
  process.exit(2);
}

const agent = new Agent({ keepAlive: true, keepAliveMsecs: 1000 });
const proxy = httpProxy.createProxyServer({ target, agent, xfwd: false });
proxy.on('error', (_err, _req, res) => {
  if ('writeHead' in res && !res.headersSent) res.writeHead(502);
  res.end();
});
const mirror = new Pool(agentUrl, { connections: 64 });
const SKIP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'expect']);

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!SKIP.has(k) && typeof v === 'string') headers[k] = v;
    mirror.request({ method: req.method as 'GET', path: req.url ?? '/', headers, body: chunks.length ? Buffer.concat(chunks) : null })
      .then((r) => r.body.dump(), () => undefined);
  });
  proxy.web(req, res);
});
tuneHttpServer(server);
listenAndAnnounce(server, 'naive-mirror');
