// A strict HTTP/1.1 message reader for the security tests: the oracle that says how many
// requests (or responses) a byte stream frames, and with exactly which bodies. Stricter than
// any real server on purpose (RFC 9112 §2.2, §5, §6, §7): what a lenient server might read two
// ways is an error here, so a test fails on ambiguity as well as on a second message.
//   - CRLF only (no bare LF), no obs-fold, field names are tokens, no whitespace before ':'
//   - at most one Content-Length (digits only), never together with Transfer-Encoding
//   - Transfer-Encoding must be exactly "chunked" (the proxy sends no other coding)
//   - requests: exactly one Host (RFC 9112 §3.2); no body unless framed (§6.3 rule 6)

export interface Http1Message {
  /** Request: method, target. Response: status, reason. */
  startLine: string;
  method: string;
  target: string;
  status: number;
  reason: string;
  /** Fields in order, names as sent. */
  fields: [string, string][];
  framing: 'content-length' | 'chunked' | 'none' | 'close';
  body: Buffer;
  trailers: [string, string][];
  /** The exact bytes of this message. */
  raw: Buffer;
}

export interface Http1Read {
  messages: Http1Message[];
  /** Bytes after the last complete message (an incomplete one, or nothing). */
  rest: Buffer;
  /** Set when the stream is not strictly valid HTTP/1.1: reading stopped there. */
  error?: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const TARGET = /^[\x21-\x7e]+$/;

export function field(m: Pick<Http1Message, 'fields'>, name: string): string[] {
  const lower = name.toLowerCase();
  return m.fields.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

class Incomplete extends Error {}
class Invalid extends Error {}

interface ReadOptions {
  kind: 'request' | 'response';
  /** Responses: the request methods, in order (HEAD answers have no body). */
  methods?: readonly string[];
  /** Responses: the stream ended, so a message framed by close is complete. */
  ended?: boolean;
}

/** Reads every complete message in `bytes`. */
export function readHttp1(bytes: Buffer, options: ReadOptions): Http1Read {
  const messages: Http1Message[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    try {
      const { message, end } = readOne(bytes, pos, options, messages.length);
      messages.push(message);
      pos = end;
      if (message.framing === 'close') break;
    } catch (err) {
      if (err instanceof Incomplete) return { messages, rest: bytes.subarray(pos) };
      return { messages, rest: bytes.subarray(pos), error: `${(err as Error).message} (at byte ${pos})` };
    }
  }
  return { messages, rest: bytes.subarray(pos) };
}

export const readRequests = (bytes: Buffer): Http1Read => readHttp1(bytes, { kind: 'request' });

function line(bytes: Buffer, from: number): { text: string; next: number } {
  const lf = bytes.indexOf(0x0a, from);
  if (lf === -1) {
    if (bytes.indexOf(0x0d, from) !== -1 && bytes.indexOf(0x0d, from) < bytes.length - 1) throw new Invalid('bare CR');
    throw new Incomplete();
  }
  if (lf === from || bytes[lf - 1] !== 0x0d) throw new Invalid('bare LF (lines must end in CRLF)');
  const text = bytes.subarray(from, lf - 1).toString('latin1');
  if (text.includes('\r')) throw new Invalid('bare CR');
  return { text, next: lf + 1 };
}

function readFields(bytes: Buffer, from: number): { fields: [string, string][]; next: number } {
  const fields: [string, string][] = [];
  let pos = from;
  for (;;) {
    const { text, next } = line(bytes, pos);
    pos = next;
    if (text === '') return { fields, next: pos };
    if (text[0] === ' ' || text[0] === '\t') throw new Invalid('obs-fold');
    const colon = text.indexOf(':');
    if (colon <= 0) throw new Invalid(`field line without a name: ${JSON.stringify(text)}`);
    const name = text.slice(0, colon);
    if (!TOKEN.test(name)) throw new Invalid(`field name is not a token: ${JSON.stringify(name)}`);
    const value = text.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (!FIELD_VALUE.test(value)) throw new Invalid(`invalid character in field ${name}`);
    fields.push([name, value]);
  }
}

function readOne(bytes: Buffer, start: number, o: ReadOptions, index: number): { message: Http1Message; end: number } {
  const first = line(bytes, start);
  let method = '';
  let target = '';
  let status = 0;
  let reason = '';
  if (o.kind === 'request') {
    const m = /^([^ ]+) ([^ ]+) HTTP\/1\.1$/.exec(first.text);
    if (!m || !TOKEN.test(m[1]!) || !TARGET.test(m[2]!)) throw new Invalid(`bad request line: ${JSON.stringify(first.text)}`);
    method = m[1]!;
    target = m[2]!;
  } else {
    const m = /^HTTP\/1\.[01] (\d{3}) (.*)$/.exec(first.text) ?? /^HTTP\/1\.[01] (\d{3})$/.exec(first.text);
    if (!m) throw new Invalid(`bad status line: ${JSON.stringify(first.text)}`);
    status = Number(m[1]);
    reason = m[2] ?? '';
    if (status < 100 || status > 599) throw new Invalid(`status out of range: ${status}`);
    if (!/^[\t\x20-\x7e\x80-\xff]*$/.test(reason)) throw new Invalid('invalid character in reason phrase');
  }
  const { fields, next } = readFields(bytes, first.next);
  const get = (n: string) => fields.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
  const lengths = get('content-length');
  const codings = get('transfer-encoding');
  if (o.kind === 'request' && get('host').length !== 1) throw new Invalid(`expected exactly one Host, got ${get('host').length}`);
  if (lengths.length > 1) throw new Invalid('more than one Content-Length');
  if (lengths.length === 1 && codings.length > 0) throw new Invalid('both Content-Length and Transfer-Encoding');
  if (codings.length > 1 || (codings.length === 1 && codings[0]!.toLowerCase() !== 'chunked')) throw new Invalid(`unexpected Transfer-Encoding: ${codings.join(', ')}`);
  if (lengths.length === 1 && !/^\d+$/.test(lengths[0]!)) throw new Invalid(`bad Content-Length: ${lengths[0]}`);

  const base = { startLine: first.text, method, target, status, reason, fields };
  const finish = (framing: Http1Message['framing'], body: Buffer, trailers: [string, string][], end: number) => ({
    message: { ...base, framing, body, trailers, raw: bytes.subarray(start, end) }, end,
  });
  const bodiless = o.kind === 'response' && (status < 200 || status === 204 || status === 304 || o.methods?.[index]?.toUpperCase() === 'HEAD');
  if (bodiless) {
    if (status >= 100 && status < 200 && (lengths.length > 0 || codings.length > 0)) throw new Invalid('framing on a 1xx answer');
    return finish('none', Buffer.alloc(0), [], next);
  }
  if (codings.length === 1) {
    const chunks: Buffer[] = [];
    let pos = next;
    for (;;) {
      const size = line(bytes, pos);
      const m = /^([0-9A-Fa-f]+)(;.*)?$/.exec(size.text);
      if (!m) throw new Invalid(`bad chunk size line: ${JSON.stringify(size.text)}`);
      const n = parseInt(m[1]!, 16);
      pos = size.next;
      if (n === 0) {
        const trailer = readFields(bytes, pos);
        return finish('chunked', Buffer.concat(chunks), trailer.fields, trailer.next);
      }
      if (bytes.length < pos + n + 2) throw new Incomplete();
      chunks.push(bytes.subarray(pos, pos + n));
      if (bytes[pos + n] !== 0x0d || bytes[pos + n + 1] !== 0x0a) throw new Invalid('chunk data not followed by CRLF');
      pos += n + 2;
    }
  }
  if (lengths.length === 1) {
    const n = Number(lengths[0]);
    if (bytes.length < next + n) throw new Incomplete();
    return finish('content-length', bytes.subarray(next, next + n), [], next + n);
  }
  if (o.kind === 'request') return finish('none', Buffer.alloc(0), [], next);
  // A response without framing runs to the end of the connection (RFC 9112 §6.3 rule 8).
  if (!o.ended) throw new Incomplete();
  return finish('close', bytes.subarray(next), [], bytes.length);
}
