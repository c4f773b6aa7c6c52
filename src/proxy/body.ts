// Request bodies on their way to an upstream. Small bodies with a declared length are read
// whole first (one write upstream, one buffer shared with the shadow copy, and nothing sent
// to legacy for a client that gives up mid-upload); the rest streams through a relay, so an
// upstream that fails never destroys the client's own request (it still gets its 502).
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

/** Reads the whole body; `done(null)` when the client left (or sent less than it declared). */
export function collectBody(req: IncomingMessage, expected: number, done: (body: Buffer | null) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (body: Buffer | null) => {
    if (finished) return;
    finished = true;
    req.off('data', onData);
    done(body);
  };
  const onData = (chunk: Buffer) => { chunks.push(chunk); size += chunk.length; };
  req.on('data', onData);
  req.once('end', () => finish(size === expected || expected < 0 ? (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)) : null));
  req.once('close', () => { if (!req.complete) finish(null); });
}

/** A readable undici may destroy without destroying the client's request (and socket). */
export class BodyRelay extends Readable {
  private readonly onData = (chunk: Buffer) => { if (!this.push(chunk)) this.source.pause(); };
  private started = false;
  private pendingEnd = false;
  // The end is pushed only once undici started consuming (its 'data' listener resumes us):
  // it frames a stream that has already ended with a content-length, and a chunked upload
  // must stay chunked.
  private readonly onEnd = () => { if (this.started) this.push(null); else this.pendingEnd = true; };
  private readonly onClose = () => { if (!this.source.complete) this.destroy(new Error('client aborted the upload')); };

  /** `prefix`: chunks already read from `source` (the serve path gave up on buffering). */
  constructor(private readonly source: IncomingMessage, prefix: readonly Buffer[] = []) {
    super();
    for (const chunk of prefix) this.push(chunk);
    this.once('resume', () => {
      this.started = true;
      if (this.pendingEnd) this.push(null);
    });
    source.on('data', this.onData);
    source.once('end', this.onEnd);
    source.once('close', this.onClose);
  }

  override _read(): void {
    this.source.resume();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.source.off('data', this.onData);
    this.source.off('end', this.onEnd);
    this.source.off('close', this.onClose);
    cb(err);
  }
}
