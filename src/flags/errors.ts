export type FlagsErrorCode =
  /** The flags file is missing, not JSON, or not in the Unleash client-API shape. */
  | 'FLAGS_FILE_INVALID'
  /** The `flags` config itself is unusable (e.g. no url, empty token). */
  | 'FLAGS_CONFIG_INVALID';

/** Thrown by createFlagSource; `problems` lists every issue found, each with its JSON path. */
export class FlagsError extends Error {
  override readonly name = 'FlagsError';

  constructor(
    readonly code: FlagsErrorCode,
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(message);
  }
}
