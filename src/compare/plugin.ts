// User-supplied comparator. The plugin replaces the built-in comparison entirely (it receives
// both full captured responses, status and headers included) and is loaded once per comparator.
// A plugin that throws, rejects or returns something that is not an outcome makes the returned
// promise reject; the caller counts that as a comparison error. Nothing is caught here.

import { basename, extname, isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DifferenceCollector } from './differences.js';
import { fieldOfPointer } from './pointer.js';
import type { CompareFn, CompareOutcome, DifferenceKind } from './types.js';

export class ComparePluginError extends Error {
  readonly code = 'COMPARE_PLUGIN';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ComparePluginError';
  }
}

type PluginFn = (...args: Parameters<CompareFn>) => unknown;

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);
const KINDS = new Set<DifferenceKind>([
  'status', 'header', 'changed', 'type', 'missing_in_agent', 'extra_in_agent', 'text', 'unparseable',
]);

/** Throws ComparePluginError naming `path` if it cannot be imported or exports no function. */
export async function loadPluginComparator(path: string, maxDifferences: number): Promise<CompareFn> {
  if (!isAbsolute(path)) throw new ComparePluginError(`compare plugin path must be absolute: ${path}`);
  let loaded: unknown;
  try {
    loaded = await importModule(path);
  } catch (error) {
    throw new ComparePluginError(`cannot load compare plugin ${path}: ${(error as Error).message}`, { cause: error });
  }
  const fn = pickFunction(loaded);
  if (fn === undefined) {
    throw new ComparePluginError(
      `compare plugin ${path} does not export a function (expected a default export or a named export 'compare')`,
    );
  }
  const comparator = `plugin:${basename(path, extname(path))}`;
  return async (legacy, agent, ctx) => normaliseOutcome(await fn(legacy, agent, ctx), comparator, maxDifferences);
}

/**
 * Imports a user module by absolute path and returns its namespace: tsx's tsImport for
 * .ts/.mts/.cts, plain import() otherwise. Shared with other plug-in points (serve gates).
 */
export async function importModule(path: string): Promise<unknown> {
  const url = pathToFileURL(path).href;
  if (!TS_EXTENSIONS.has(extname(path))) return import(url);
  // Loaded lazily: tsx pulls in esbuild, which only TypeScript plugins need.
  const { tsImport } = await import('tsx/esm/api');
  const ns = (await tsImport(url, import.meta.url)) as { default?: unknown };
  // Outside a "type": "module" package (a plug-in in the image's /etc/shadowgate) tsx compiles
  // a .ts file to CommonJS, and its ES exports arrive as properties of the default export.
  const inner = ns.default as { __esModule?: unknown } | null | undefined;
  return inner !== null && typeof inner === 'object' && inner.__esModule === true ? inner : ns;
}

function pickFunction(loaded: unknown): PluginFn | undefined {
  if (loaded === null || typeof loaded !== 'object') return undefined;
  const mod = loaded as { default?: unknown; compare?: unknown };
  if (typeof mod.default === 'function') return mod.default as PluginFn;
  if (typeof mod.compare === 'function') return mod.compare as PluginFn;
  // CommonJS `module.exports = { compare }` arrives as the default export.
  const inner = mod.default as { compare?: unknown } | undefined;
  if (inner !== null && typeof inner === 'object' && typeof inner.compare === 'function') {
    return inner.compare as PluginFn;
  }
  return undefined;
}

function normaliseOutcome(raw: unknown, comparator: string, maxDifferences: number): CompareOutcome {
  const candidate = raw as Partial<CompareOutcome> | null | undefined;
  if (candidate === null || typeof candidate !== 'object' || (candidate.result !== 'match' && candidate.result !== 'mismatch')) {
    throw new ComparePluginError(`${comparator} returned ${describe(raw)}; expected { result: 'match' | 'mismatch' }`);
  }
  if (candidate.differences !== undefined && !Array.isArray(candidate.differences)) {
    throw new ComparePluginError(`${comparator} returned differences that are not an array`);
  }
  // Re-collected so plugin output obeys the same cap and value-size rules as built-in output.
  const out = new DifferenceCollector(maxDifferences);
  for (const item of (candidate.differences ?? []) as unknown[]) {
    const d = (item ?? {}) as Record<string, unknown>;
    const pointer = typeof d.pointer === 'string' ? d.pointer : '';
    const field = typeof d.field === 'string' ? d.field : fieldOfPointer(pointer);
    const kind = KINDS.has(d.kind as DifferenceKind) ? (d.kind as DifferenceKind) : 'changed';
    if (out.add(pointer, field, kind, d.legacy, d.agent)) break;
  }
  const outcome: CompareOutcome = { result: candidate.result, differences: out.differences, comparator };
  if (typeof candidate.similarity === 'number') outcome.similarity = candidate.similarity;
  if (out.truncated || candidate.truncatedDifferences === true) outcome.truncatedDifferences = true;
  return outcome;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object without a valid result' : typeof value;
}
