// Typed errors with stable codes. Users match on `code`; every code is documented
// in README ("Error codes") and a test fails if one is missing there.

export const ERROR_CODES = {
  SG_CONFIG_INVALID: { status: 500, description: 'The configuration file failed validation; the message lists every problem with its key path.' },
  SG_CONFIG_READ: { status: 500, description: 'The configuration file could not be read or parsed as YAML.' },
  SG_PLUGIN_LOAD: { status: 500, description: 'A comparator or gate plug-in module could not be loaded or does not export a function.' },
  SG_LEGACY_UNAVAILABLE: { status: 502, description: 'Legacy refused or reset the connection, or answered with something that is not HTTP.' },
  SG_LEGACY_TIMEOUT: { status: 504, description: 'Legacy did not answer within legacy.timeoutMs.' },
  SG_REQUEST_INVALID: { status: 400, description: 'Data plane: a request no proxy may forward (a request target that is neither origin- nor absolute-form, more than one Host header).' },
  SG_REQUEST_TIMEOUT: { status: 408, description: 'Data plane: the client did not send its request head within server.headersTimeoutMs, or the whole request within server.requestTimeoutMs.' },
  SG_HEADERS_TOO_LARGE: { status: 431, description: "Data plane: the request's header section is larger than node's 16 KiB limit (RFC 6585 §5)." },
  SG_METHOD_NOT_ALLOWED: { status: 405, description: 'Data plane: CONNECT (shadowgate is a reverse proxy, not a tunnel).' },
  SG_NOT_IMPLEMENTED: { status: 501, description: 'Data plane: a request body in a transfer coding other than chunked (the proxy re-frames bodies and cannot carry other codings).' },
  SG_UNAUTHORIZED: { status: 401, description: 'Admin API call without the right Bearer token.' },
  SG_NOT_FOUND: { status: 404, description: 'Admin API: no such route, sample or endpoint.' },
  SG_BAD_REQUEST: { status: 400, description: 'Admin API: a parameter is missing or malformed.' },
  SG_SUITE_INVALID: { status: 400, description: 'A golden-suite file could not be read, or one of its lines is not a valid case or verdict line; the message names the file and line.' },
  SG_INTERNAL: { status: 500, description: 'Admin API: an unexpected internal error (logged with details).' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ShadowgateError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ShadowgateError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = options?.details;
  }

  toJSON(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}
