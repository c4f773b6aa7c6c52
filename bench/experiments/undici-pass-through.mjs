// Experiment, not product code: the smallest undici-based pass-through, measured against bare
// http-proxy to decide whether the client <-> legacy path should move to undici (see README,
// Performance). Usage: node bench/experiments/undici-pass-through.mjs http://legacy:port LISTEN_PORT
import http from 'node:http';
import { Pool } from 'undici';
const target = process.argv[2];
const pool = new Pool(target, { connections: 128, keepAliveTimeout: 60000 });
const HOP = new Set(['connection','keep-alive','proxy-connection','te','trailer','transfer-encoding','upgrade','expect']);
http.createServer(async (req, res) => {
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
  try {
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    const up = await pool.request({ method: req.method, path: req.url, headers, body: hasBody ? req : null });
    const out = {};
    for (const [k, v] of Object.entries(up.headers)) if (!HOP.has(k)) out[k] = v;
    res.writeHead(up.statusCode, out);
    up.body.pipe(res);
  } catch (e) { res.writeHead(502); res.end(); }
}).listen(Number(process.argv[3]), '127.0.0.1');
process.on('SIGINT', () => process.exit(0));
