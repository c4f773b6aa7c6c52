// Child-process plumbing shared by the stub servers: listen on 127.0.0.1 port 0 and
// tell the parent the port on stdout (one JSON line), so ports are never guessed.
import type { Server } from 'node:http';
import type { Server as NetServer } from 'node:net';

export function listenAndAnnounce(server: Server | NetServer, role: string): void {
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('unexpected address');
    process.stdout.write(`${JSON.stringify({ role, port: address.port, pid: process.pid })}\n`);
  });
  // The parent kills us by PID; exit promptly and quietly.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
}

/** Keep upstream keep-alive sockets open longer than any client pool would, so a
 *  proxy never reuses a socket the stub is closing (ECONNRESET noise in results). */
export function tuneHttpServer(server: Server): void {
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;
}
