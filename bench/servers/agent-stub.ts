// The AI-agent stand-in, one mode per process: `fast` answers at once, `slow` after
// 1 s, `hung` accepts the connection and reads forever without ever answering.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { agentAnswer } from './payloads.js';
import { listenAndAnnounce, tuneHttpServer } from './listen.js';

const mode = process.argv[2];
const SLOW_MS = 1000;

if (mode === 'hung') {
  // A raw TCP server: a real HTTP server would at least time out eventually.
  const server = createNetServer((socket) => {
    socket.on('data', () => { /* swallow the request, never answer */ });
    socket.on('error', () => { /* client gave up: fine */ });
  });
  listenAndAnnounce(server, 'agent-hung');
} else if (mode === 'fast' || mode === 'slow') {
  let counter = 0;
  const delay = mode === 'slow' ? SLOW_MS : 0;
  const server = createHttpServer((req, res) => {
    let received = 0;
    req.on('data', (chunk: Buffer) => { received += chunk.length; });
    req.on('end', () => {
      const answer = (): void => {
        const body = agentAnswer(++counter, received);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
      if (delay > 0) setTimeout(answer, delay); else answer();
    });
  });
  tuneHttpServer(server);
  listenAndAnnounce(server, `agent-${mode}`);
} else {
  process.stderr.write(`usage: agent-stub.ts fast|slow|hung (got ${String(mode)})\n`);
  process.exit(2);
}
