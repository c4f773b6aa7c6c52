// Gates an agent answer must pass before a client sees it: transport ok (checked by the
// caller), status acceptable, minimum confidence, JSON Schema, and an optional plug-in.
// Built once per route; evaluation is synchronous except for an async plug-in.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { ShadowgateError } from '../errors.js';
import { importModule } from '../compare/plugin.js';
import type { RouteConfig } from '../config/schema.js';
import type { UpstreamResponse } from '../proxy/upstream-client.js';
import { ResponseFields } from '../shadow/response-fields.js';

export type GateFailure = 'status' | 'confidence' | 'schema' | 'plugin' | 'truncated';
export type GateResult = { pass: true; confidence: number | null } | { pass: false; reason: GateFailure; detail: string; confidence: number | null };
export type GateFn = (res: UpstreamResponse, ctx: { route: string; method: string; path: string }) => GateResult | Promise<GateResult>;

type GatesConfig = RouteConfig['serve']['gates'];
type PluginGate = (res: UpstreamResponse, ctx: { route: string; method: string; path: string }) => unknown;

/** The agent's confidence from the configured header or JSON Pointer; null when absent or not a number. */
export function readConfidence(res: UpstreamResponse, source: GatesConfig['confidence']): number | null {
  return new ResponseFields(res).number(source) ?? null;
}

export async function createGates(route: RouteConfig): Promise<GateFn> {
  const gates = route.serve.gates;
  const validate = gates.schema ? compileSchema(gates.schema, route.name) : null;
  const plugin = gates.plugin ? await loadGatePlugin(gates.plugin, route.name) : null;
  const accept = gates.acceptStatus ? new Set(gates.acceptStatus) : null;

  return async (res, ctx) => {
    const fields = new ResponseFields(res);
    const confidence = fields.number(gates.confidence) ?? null;
    const fail = (reason: GateFailure, detail: string): GateResult => ({ pass: false, reason, detail, confidence });

    if (accept ? !accept.has(res.status) : res.status >= 500) return fail('status', `agent answered ${res.status}`);
    if (res.truncated) return fail('truncated', 'agent body exceeded agent.maxResponseBytes');
    if (gates.minConfidence !== undefined) {
      if (confidence === null) return fail('confidence', 'agent gave no confidence');
      if (confidence < gates.minConfidence) return fail('confidence', `confidence ${confidence} < ${gates.minConfidence}`);
    }
    if (validate) {
      const body = fields.json();
      if (fields.parseError !== null) return fail('schema', `body is not JSON: ${fields.parseError}`);
      if (!validate(body)) {
        const e = validate.errors?.[0];
        return fail('schema', `${e?.instancePath || '/'} ${e?.message ?? 'does not match the schema'}`);
      }
    }
    if (plugin) {
      let verdict: unknown;
      try { verdict = await plugin(res, ctx); } catch (err) { return fail('plugin', `gate plug-in threw: ${(err as Error).message}`); }
      if (verdict === false) return fail('plugin', 'gate plug-in rejected the answer');
      if (verdict && typeof verdict === 'object' && (verdict as { pass?: unknown }).pass === false) {
        return fail('plugin', String((verdict as { reason?: unknown }).reason ?? 'gate plug-in rejected the answer'));
      }
    }
    return { pass: true, confidence };
  };
}

export function compileSchema(file: string, route: string): ValidateFunction {
  let schema: unknown;
  try {
    schema = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ShadowgateError('SG_CONFIG_INVALID', `routes[${route}].serve.gates.schema: cannot read JSON Schema ${file}: ${(err as Error).message}`);
  }
  try {
    return new Ajv({ allErrors: false, strict: false }).compile(schema as object);
  } catch (err) {
    throw new ShadowgateError('SG_CONFIG_INVALID', `routes[${route}].serve.gates.schema: ${file} is not a valid JSON Schema: ${(err as Error).message}`);
  }
}

export async function loadGatePlugin(file: string, route: string): Promise<PluginGate> {
  let mod: unknown;
  try {
    mod = await importModule(file);
  } catch (err) {
    throw new ShadowgateError('SG_PLUGIN_LOAD', `routes[${route}].serve.gates.plugin: cannot load ${file}: ${(err as Error).message}`);
  }
  const m = mod as { default?: unknown; gate?: unknown };
  const fn = typeof m.default === 'function' ? m.default : typeof m.gate === 'function' ? m.gate
    : typeof (m.default as { gate?: unknown } | undefined)?.gate === 'function' ? (m.default as { gate: unknown }).gate : undefined;
  if (typeof fn !== 'function') throw new ShadowgateError('SG_PLUGIN_LOAD', `routes[${route}].serve.gates.plugin: ${file} exports no function (default or "gate")`);
  return fn as PluginGate;
}
