// Responses are compared (and shown) as content, not as transfer bytes: a gzip'd legacy
// answer and an identity-encoded agent answer with the same JSON agree. Decoding is bounded
// by the capture limit, so a compression bomb cannot blow up memory.
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

/** The decoded body, the body itself when not encoded, or null when it cannot be decoded within `max` bytes. */
export function decodeBody(body: Buffer, headers: Record<string, string | string[] | undefined>, max: number): Buffer | null {
  const raw = headers['content-encoding'];
  const encoding = (Array.isArray(raw) ? raw.join(',') : raw ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity' || body.length === 0) return body;
  const options = { maxOutputLength: Math.max(1, max) };
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(body, options);
    if (encoding === 'deflate') return inflateSync(body, options);
    if (encoding === 'br') return brotliDecompressSync(body, options);
  } catch {
    return null; // truncated, corrupt, or larger than max once decoded
  }
  return null; // stacked or unknown encodings are not judged
}

/** An answer as comparators take it: the body content-decoded, the encoding headers gone; null when it cannot be decoded within `max`. */
export function comparable(status: number, headers: Record<string, string | string[] | undefined>, body: Buffer, max: number): { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; truncated: false } | null {
  const decoded = decodeBody(body, headers, max);
  if (decoded === null) return null;
  return { status, headers: withoutEncoding(headers), body: decoded, truncated: false };
}

/** Compared as content: the encoding header is about transport, not about the answer. */
export function withoutEncoding(headers: Record<string, string | string[] | undefined>): Record<string, string | string[] | undefined> {
  if (headers['content-encoding'] === undefined) return headers;
  const { 'content-encoding': _encoding, 'content-length': _length, ...rest } = headers;
  return rest;
}
