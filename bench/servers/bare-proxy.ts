// The baseline: plain http-proxy with a keep-alive agent, nothing else on the path.
import { createServer, Agent } from 'node:http';
import httpProxy from 'http-proxy';
import { listenAndAnnounce, tuneHttpServer } from './listen.js';

const target = process.argv[2];
if (target === undefined) {
  process.stderr.write('usage: bare-proxy.ts http://127.0.0.1:PORT\n');
  process.exit(2);
}

const agent = new Agent({ keepAlive: true, keepAliveMsecs: 1000 });
const proxy = httpProxy.createProxyServer({ target, agent, xfwd: false });
proxy.on('error', (_err, _req, res) => {
  // `res` is a ServerResponse for web requests (a Socket only for websockets).
  if ('writeHead' in res && !res.headersSent) res.writeHead(502);
  res.end();
});

const server = createServer((req, res) => proxy.web(req, res));
tuneHttpServer(server);
listenAndAnnounce(server, 'bare-proxy');
