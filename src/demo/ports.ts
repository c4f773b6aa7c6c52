// Is a port free? The demo asks before it starts anything, so that a busy port ends in one
// clear message instead of a half-started process.
import net from 'node:net';

/** null when `port` can be bound on `host`; otherwise the error code (EADDRINUSE, EACCES, …). */
export function probePort(port: number, host: string): Promise<string | null> {
  if (port === 0) return Promise.resolve(null);
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(null)));
  });
}
