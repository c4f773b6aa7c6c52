// Checks rendered Kubernetes objects against the schemas of the API they are sent to, without a
// cluster: kubernetes-models' compiled validators (types, required fields, enums) and, since
// those let unknown fields through, a type-check of each object as an object literal of the
// model's TypeScript interface, where any unknown or misspelt key is an excess-property error.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** Where the model of an apiVersion/kind lives; undefined for an API neither package knows. */
export function modelModule(obj: Pick<K8sObject, 'apiVersion' | 'kind'>): string | undefined {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  if (group === 'monitoring.coreos.com') return existing(`@kubernetes-models/prometheus-operator/${group}/${version}/${obj.kind}`);
  // kubernetes-models names the core group's folder after the version alone ("v1/ConfigMap").
  const prefix = group === '' ? version : `${group}/${version}`;
  return existing(`kubernetes-models/${prefix}/${obj.kind}`);
}

// The exports maps have wildcard subpaths ("./apps/v1/*"), so a name resolves whether or not
// the model exists: look at the file.
function existing(specifier: string): string | undefined {
  try {
    return existsSync(fileURLToPath(import.meta.resolve(specifier))) ? specifier : undefined;
  } catch {
    return undefined;
  }
}

const label = (obj: K8sObject) => `${obj.kind}/${obj.metadata?.name ?? '?'}`;

/** Problems the package's ajv validator finds, one line each ("Deployment/x: data/spec/... must ..."). */
export async function schemaProblems(obj: K8sObject): Promise<string[]> {
  const path = modelModule(obj);
  if (path === undefined) return [`${label(obj)}: no model for ${obj.apiVersion} ${obj.kind}`];
  let mod: Record<string, new (data: unknown) => { validate(): void }>;
  try {
    mod = (await import(path)) as typeof mod;
  } catch {
    return [`${label(obj)}: no model for ${obj.apiVersion} ${obj.kind} (${path})`];
  }
  const Model = mod[obj.kind];
  if (Model === undefined) return [`${label(obj)}: ${path} has no export ${obj.kind}`];
  try {
    new Model(obj).validate();
    return [];
  } catch (err) {
    return [`${label(obj)}: ${(err as Error).message}`];
  }
}

/**
 * Unknown or misspelt fields (and values of the wrong type) in each object, found by the
 * TypeScript compiler: every object becomes `const o: I<Kind> = <its JSON>` in a virtual file.
 */
export function unknownFieldProblems(objects: readonly K8sObject[]): string[] {
  const files = new Map<string, { text: string; obj: K8sObject }>();
  const problems: string[] = [];
  objects.forEach((obj, i) => {
    const path = modelModule(obj);
    if (path === undefined) {
      problems.push(`${label(obj)}: no model for ${obj.apiVersion} ${obj.kind}`);
      return;
    }
    const text = `import type { I${obj.kind} as T } from ${JSON.stringify(path)};\nexport const o: T = ${JSON.stringify(obj, null, 2)};\n`;
    files.set(join(ROOT, '.k8s-check', `object-${i}.ts`), { text, obj });
  });
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true, noEmit: true, skipLibCheck: true, types: [],
  };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => files.has(f) || fileExists.call(host, f);
  host.readFile = (f) => files.get(f)?.text ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, ...rest) => {
    const virtual = files.get(f);
    return virtual ? ts.createSourceFile(f, virtual.text, lang) : getSourceFile.call(host, f, lang, ...rest);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const virtual = d.file ? files.get(d.file.fileName) : undefined;
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!virtual || d.start === undefined) {
      problems.push(`type check: ${message}`);
      continue;
    }
    const { line } = d.file!.getLineAndCharacterOfPosition(d.start);
    problems.push(`${label(virtual.obj)}: line ${line + 1} (${virtual.text.split('\n')[line]!.trim()}): ${message.split('\n')[0]}`);
  }
  return problems;
}
