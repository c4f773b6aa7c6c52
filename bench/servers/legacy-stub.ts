// The legacy service stand-in: reads the body (if any), answers small JSON at once.
import { createServer } from 'node:http';
import { legacyAnswer } from './payloads.js';
import { listenAndAnnounce, tuneHttpServer } from './listen.js';

let counter = 0;
const server = createServer((req, res) => {
  let received = 0;
  req.on('data', (chunk: Buffer) => { received += chunk.length; });
  req.on('end', () => {
    const body = legacyAnswer(++counter, received);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
tuneHttpServer(server);
listenAndAnnounce(server, 'legacy');
