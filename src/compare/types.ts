// Shapes shared by every comparator. Kept free of logic so the lead (and plugins) can import
// them without pulling in the comparison code.

export interface CapturedResponse {
  status: number;
  /** Lower-case names, as node gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** Possibly truncated at the capture limit. */
  body: Buffer;
  /** True if the body was cut at the capture limit. */
  truncated: boolean;
}

export interface StringNormalisation {
  trim?: boolean;
  caseInsensitive?: boolean;
  collapseWhitespace?: boolean;
}

export interface TextCompareOptions {
  mode: 'exact' | 'normalized' | 'similarity';
  /** In [0,1]; only used by 'similarity'. */
  threshold: number;
}

export interface CompareOptions {
  status: boolean;
  headers: string[];
  ignore: string[];
  numericTolerance: number;
  unorderedArrays: string[];
  strings: StringNormalisation;
  text: TextCompareOptions;
  plugin?: string;
  maxDifferences: number;
}

export type DifferenceKind =
  | 'status'
  | 'header'
  | 'changed'
  | 'type'
  | 'missing_in_agent'
  | 'extra_in_agent'
  | 'text'
  | 'unparseable';

export interface Difference {
  /** RFC 6901 pointer for body fields; '' for the whole body; 'status'; 'header:<name>'. */
  pointer: string;
  /** Bounded label for metrics: array indices replaced by '*'; 'status'; 'header:<name>'; 'body'. */
  field: string;
  kind: DifferenceKind;
  legacy?: unknown;
  agent?: unknown;
}

export interface CompareOutcome {
  result: 'match' | 'mismatch';
  differences: Difference[];
  similarity?: number;
  truncatedDifferences?: boolean;
  /** 'json' | 'text' | 'binary' | 'plugin:<basename>' */
  comparator: string;
}

export interface CompareContext {
  route: string;
  method: string;
  path: string;
}

export type CompareFn = (
  legacy: CapturedResponse,
  agent: CapturedResponse,
  ctx: CompareContext,
) => CompareOutcome | Promise<CompareOutcome>;

// 'normalized' text by default because the point of shadowing is to ignore noise; JSON stays
// exact (no tolerance, no string normalisation) until the operator says what noise looks like.
export const DEFAULT_COMPARE_OPTIONS: CompareOptions = deepFreeze({
  status: true,
  headers: ['content-type'],
  ignore: [],
  numericTolerance: 0,
  unorderedArrays: [],
  strings: {},
  text: { mode: 'normalized', threshold: 0.9 },
  maxDifferences: 50,
});

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
