/**
 * The import graph of the app's sources (model/, training/, electron/, renderer/src/): every relative import,
 * type-only and dynamic ones included (read by TypeScript's own pre-processor; a .svelte file by its scripts),
 * and its cycles (strongly connected components of more than one file, or a file importing itself).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SOURCE = /\.(ts|svelte)$/;

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'artifacts') continue;
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) sourceFiles(file, out);
    else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(file);
  }
  return out;
}

/** The relative import specifiers of one file. */
function importsOf(file: string): string[] {
  let text = readFileSync(file, 'utf8');
  if (file.endsWith('.svelte'))
    text = [...text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((s) => s.startsWith('.'));
}

/** Resolves a relative specifier to a source file of the graph (`x.js` is `x.ts`; no extension: `.ts`). */
function resolve(from: string, specifier: string, known: ReadonlySet<string>): string | null {
  const target = path.resolve(path.dirname(from), specifier);
  for (const candidate of [target, target.replace(/\.js$/, '.ts'), `${target}.ts`, path.join(target, 'index.ts')]) {
    if (known.has(candidate)) return candidate;
  }
  return null;
}

/** file → the files it imports (absolute paths), for every source file under `roots`. */
export function importGraph(roots: readonly string[]): Map<string, string[]> {
  const files = roots.flatMap((root) => sourceFiles(path.resolve(root)));
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    graph.set(
      file,
      importsOf(file).flatMap((s) => resolve(file, s, known) ?? []),
    );
  }
  return graph;
}

/** The graph's cycles: each a list of the files of one strongly connected component (Tarjan). */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}
