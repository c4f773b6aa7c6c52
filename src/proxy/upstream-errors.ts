// Upstream failures as values: every error an undici call can end with is one of a few
// kinds (the `kind` label of shadowgate_upstream_errors_total), and a client whose legacy
// call failed gets a small JSON error with a stable code.
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { ShadowgateError, type ErrorCode } from '../errors.js';

export type FailureKind = 'timeout' | 'connection' | 'reset' | 'invalid_response' | 'aborted';

export function classify(err: unknown, timedOut: boolean, aborted: boolean): { kind: FailureKind; message: string } {
  const e = err as { code?: string; name?: string; message?: string };
  const code = e.code ?? e.name ?? 'error';
  if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'TimeoutError') {
    return { kind: 'timeout', message: code };
  }
  if (aborted || code === 'AbortError' || code === 'UND_ERR_ABORTED') return { kind: 'aborted', message: code };
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'EAI_AGAIN' || code === 'ENETUNREACH') return { kind: 'connection', message: code };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE' || code === 'UND_ERR_CLOSED') {
    // undici reports a response it could not parse as a socket error too: that is not a reset.
    if (/bad response|bad upgrade|does not match the HTTP/i.test(e.message ?? '')) return { kind: 'invalid_response', message: code };
    return { kind: 'reset', message: code };
  }
  return { kind: 'invalid_response', message: code };
}

/** The small JSON error a client gets when legacy cannot answer. */
export function writeLegacyError(res: ServerResponse, kind: string, timeoutMs: number, servedByHeader: string | false): void {
  const error = kind === 'timeout'
    ? new ShadowgateError('SG_LEGACY_TIMEOUT', `legacy did not answer within ${timeoutMs} ms`)
    : new ShadowgateError('SG_LEGACY_UNAVAILABLE', `legacy is unavailable (${kind})`);
  writeError(res, error, servedByHeader === false ? undefined : [servedByHeader, 'legacy']);
}

/**
 * The same JSON error as raw bytes, for sockets that have left node's HTTP machinery
 * (upgrades, parse errors); the connection closes after it.
 */
export function rawErrorAnswer(status: number, code: ErrorCode, message: string, extraHeaderLines = ''): string {
  const body = JSON.stringify({ error: { code, message } });
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extraHeaderLines}connection: close\r\n\r\n${body}`;
}

/** A JSON error answer from the proxy itself (nothing of it came from an upstream). */
export function writeError(res: ServerResponse, error: ShadowgateError, extra?: [string, string], closeConnection = false): void {
  const body = JSON.stringify(error.toJSON());
  const headers: string[] = ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(body))];
  if (extra) headers.push(extra[0], extra[1]);
  if (closeConnection) headers.push('connection', 'close');
  // The reason phrase is given: a failed writeHead of an upstream answer may have left its own behind.
  res.writeHead(error.status, STATUS_CODES[error.status] ?? 'Error', headers);
  res.end(body);
}
