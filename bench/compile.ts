// The servers on the measured core run as plain JavaScript under plain `node`, like
// shadowgate's dist/: no tsx loader thread or esbuild service in those processes.
// TypeScript's transpileModule turns bench/servers/*.ts into ESM next to
// node_modules (so `http-proxy` resolves) in a throwaway cache folder.
import { mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

export function compileServers(root: string): { dir: string; remove: () => void } {
  const src = join(root, 'bench', 'servers');
  const dir = join(root, 'node_modules', '.cache', 'shadowgate-bench', String(process.pid));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  for (const file of readdirSync(src).filter((f) => f.endsWith('.ts'))) {
    const out = ts.transpileModule(readFileSync(join(src, file), 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    writeFileSync(join(dir, file.replace(/\.ts$/, '.js')), out.outputText);
  }
  const remove = (): void => {
    rmSync(dir, { recursive: true, force: true });
    try { rmdirSync(dirname(dir)); } catch { /* another bench still uses it */ }
  };
  return { dir, remove };
}
