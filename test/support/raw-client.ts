// A client on a raw TCP socket: writes exactly the bytes a test gives and reads the answers
// with the strict reader, so framing the proxy gets wrong shows up as an error or as one
// answer too many.
import net from 'node:net';
import { readHttp1, type Http1Message } from './strict-http1.js';

export interface RawResult {
  bytes: Buffer;
  responses: Http1Message[];
  /** The proxy closed the connection (or reset it). */
  closed: boolean;
  /** The answer bytes are not strictly valid HTTP/1.1. */
  error?: string;
}

export class RawConnection {
  readonly socket: net.Socket;
  bytes = Buffer.alloc(0);
  closed = false;
  private readonly ready: Promise<void>;
  private waiters: (() => void)[] = [];
  /** Request methods in order, so answers to HEAD are read without a body. */
  readonly methods: string[] = [];

  constructor(url: string) {
    const u = new URL(url);
    this.socket = net.connect(Number(u.port), u.hostname);
    this.ready = new Promise((resolve, reject) => { this.socket.once('connect', resolve); this.socket.once('error', reject); });
    this.socket.on('error', () => { /* a reset is a close here */ });
    this.socket.on('data', (d: Buffer) => { this.bytes = Buffer.concat([this.bytes, d]); this.wake(); });
    this.socket.on('close', () => { this.closed = true; this.wake(); });
  }

  /** Writes bytes as given (a string as latin1: one char, one byte); request methods are noted for reading the answers. */
  async write(bytes: string | Buffer): Promise<void> {
    await this.ready;
    const text = Buffer.isBuffer(bytes) ? bytes.toString('latin1') : bytes;
    for (const m of text.matchAll(/(?:^|\r\n\r\n)([A-Z]+) [^ \r\n]+ HTTP\/1\.[01]\r\n/g)) this.methods.push(m[1]!);
    await new Promise<void>((resolve) => this.socket.write(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'latin1'), () => resolve()));
  }

  read(): RawResult {
    const r = readHttp1(this.bytes, { kind: 'response', methods: this.methods, ended: this.closed });
    return { bytes: this.bytes, responses: r.messages, closed: this.closed, ...(r.error ? { error: r.error } : {}) };
  }

  /** Waits until `count` answers were read, or the connection closed (bounded by timeoutMs). */
  async responses(count: number, timeoutMs = 5000): Promise<RawResult> {
    await this.until(() => this.read().responses.length >= count || this.read().error !== undefined || this.closed, timeoutMs);
    return this.read();
  }

  /** Waits for a final answer (2xx-5xx, or a 101), an unreadable one, or the close (bounded by timeoutMs). */
  async final(timeoutMs = 5000): Promise<RawResult> {
    const done = () => { const r = this.read(); return r.error !== undefined || this.closed || r.responses.some((m) => m.status >= 200 || m.status === 101); };
    await this.until(done, timeoutMs);
    return this.read();
  }

  /** Waits for the connection to close; false if it is still open after timeoutMs. */
  async closes(timeoutMs = 5000): Promise<boolean> {
    await this.until(() => this.closed, timeoutMs);
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private until(check: () => boolean, timeoutMs: number): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const self = this;
      function done() { clearTimeout(timer); self.waiters = self.waiters.filter((w) => w !== poll); resolve(); }
      function poll() { if (check()) done(); }
      this.waiters.push(poll);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** One connection, these bytes, the answers read until `count` arrived or it closed; then closed. */
export async function rawExchange(url: string, bytes: string | Buffer, count = 1, timeoutMs = 5000): Promise<RawResult> {
  const c = new RawConnection(url);
  try {
    await c.write(bytes);
    return await c.responses(count, timeoutMs);
  } finally {
    c.destroy();
  }
}

/** The JSON body of an answer. */
export function jsonOf(m: Http1Message): Record<string, unknown> {
  return JSON.parse(m.body.toString('utf8')) as Record<string, unknown>;
}
