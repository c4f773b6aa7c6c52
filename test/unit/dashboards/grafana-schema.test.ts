// The shipped dashboards against Grafana's own schema: @grafana/schema's TypeScript types for
// the dashboard, its variables, annotations and panels, and per panel type the plugin's
// options and field config (timeseries, stat, table, state-timeline). No Grafana server is
// available here, so the JSON is type-checked: each object literal is checked with
// `satisfies`, which rejects unknown keys (a typo Grafana would silently ignore) and wrong
// enum values. Fields Grafana fills with defaults may be left out (the check is deep-partial).
// Prometheus-specific fields the core schema leaves open are typed here (targets, the
// `definition` of a query variable, the expression of an annotation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DASHBOARDS = ['dashboards/shadowgate.json', 'dashboards/shadowgate-route.json'];
const CFG = '@grafana/schema/dist/esm/raw/composable';

const PANEL_TYPES: Record<string, string> = {
  timeseries: 'PanelOf<TimeSeries.Options, TimeSeries.FieldConfig>',
  stat: 'PanelOf<Stat.Options, Record<string, never>>',
  table: 'PanelOf<Table.Options, Table.FieldConfig>',
  'state-timeline': 'PanelOf<StateTimeline.Options, StateTimeline.FieldConfig>',
  row: 'Loose<Omit<RowPanel, "panels"> & { panels: readonly unknown[] }>',
};

const PRELUDE = `
import type { AnnotationQuery, Dashboard, FieldConfig, FieldConfigSource, Panel, RowPanel, VariableModel } from '@grafana/schema';
import type * as TimeSeries from '${CFG}/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';
import type * as Stat from '${CFG}/stat/panelcfg/x/StatPanelCfg_types.gen';
import type * as Table from '${CFG}/table/panelcfg/x/TablePanelCfg_types.gen';
import type * as StateTimeline from '${CFG}/statetimeline/panelcfg/x/StateTimelinePanelCfg_types.gen';

/** Deep-partial and read-only (JSON literals are 'as const'); string enums as their values. */
type Loose<T> = T extends string ? \`\${T}\` : T extends number ? number : T extends boolean ? boolean
  : T extends readonly (infer U)[] ? readonly Loose<U>[] : T extends object ? { readonly [K in keyof T]?: Loose<T[K]> } : T;

interface PrometheusTarget {
  refId: string; datasource: { type: 'prometheus'; uid: string }; expr: string; legendFormat?: string;
  range?: boolean; instant?: boolean; format?: 'time_series' | 'table' | 'heatmap'; interval?: string; exemplar?: boolean; editorMode?: 'code' | 'builder';
}
type PanelOf<O, C> = Loose<Omit<Panel, 'options' | 'fieldConfig' | 'targets'> & {
  options?: O; targets?: PrometheusTarget[];
  fieldConfig?: Omit<FieldConfigSource, 'defaults'> & { defaults: Omit<FieldConfig, 'custom'> & { custom?: C } };
}>;
type DashboardOf = Loose<Omit<Dashboard, 'panels' | 'templating' | 'annotations'> & {
  templating?: { list?: (VariableModel & { definition?: string })[] };
  annotations?: { list?: (AnnotationQuery & { expr?: string; step?: string; titleFormat?: string; textFormat?: string; useValueForTime?: boolean })[] };
}>;
`;

interface AnyPanel { type: string; title: string; panels?: AnyPanel[] }

/** One TypeScript module per dashboard: the dashboard without panels, then each panel alone. */
function source(dashboard: { panels: AnyPanel[] }): { text: string; names: Map<string, string> } {
  const names = new Map<string, string>();
  const { panels, ...rest } = dashboard;
  const lines = [PRELUDE, `export const dashboard = ${JSON.stringify(rest, null, 2)} as const satisfies DashboardOf;`];
  const all = panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  all.forEach((p, i) => {
    const type = PANEL_TYPES[p.type];
    assert.ok(type, `${p.title}: no schema for panel type ${p.type}`);
    names.set(`panel${i}`, `${p.type} "${p.title}"`);
    lines.push(`export const panel${i} = ${JSON.stringify(p, null, 2)} as const satisfies ${type};`);
  });
  return { text: lines.join('\n\n'), names };
}

test('both dashboards type-check against @grafana/schema (dashboard, variables, annotations, panel options and field config)', () => {
  const dir = join(ROOT, 'test-output', 'grafana-schema');
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const names = new Map<string, Map<string, string>>();
  for (const file of DASHBOARDS) {
    const out = join(dir, `${file.split('/').pop()!.replace('.json', '')}.ts`);
    const generated = source(JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { panels: AnyPanel[] });
    writeFileSync(out, generated.text);
    files.push(out);
    names.set(out, generated.names);
  }
  const program = ts.createProgram(files, {
    strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [],
  });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file) return text;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    const before = d.file.text.slice(0, d.start ?? 0);
    const owner = [...before.matchAll(/export const (\w+) =/g)].pop()?.[1] ?? '?';
    return `${d.file.fileName.split('/').pop()}:${line + 1} ${names.get(d.file.fileName)?.get(owner) ?? owner}: ${text}`;
  });
  assert.deepEqual(problems, []);
});

test('the schema check catches what it should: an unknown key and a wrong enum value', () => {
  const bad = {
    panels: [
      { type: 'timeseries', title: 'typo', fieldConfig: { defaults: { custom: { thresholdStyle: { mode: 'dashed' } } }, overrides: [] } },
      { type: 'stat', title: 'bad enum', options: { colorMode: 'rainbow' } },
    ],
  };
  const dir = join(ROOT, 'test-output', 'grafana-schema');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'must-fail.ts');
  writeFileSync(out, source(bad).text);
  const program = ts.createProgram([out], {
    strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [],
  });
  const text = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n');
  assert.match(text, /thresholdStyle/);
  assert.match(text, /"rainbow"/);
});
