// The floors of the code, lowest first: each part imports only from its own floor or those below it
// (README.md, "Architecture"). An ESLint rule (`floors/downward-only`) reports an import that reaches up, resolved
// from the importing file's path, so relative imports are judged by where they land, type imports included.
// Cycles are found by tests/lint/import-graph.test.ts over the whole import graph.
import path from 'node:path';

/**
 * [floor, folder prefix]: the first prefix a repository path starts with gives its floor. Inside electron/,
 * the main-process services are ordered too (the API contract, then the library, the search over it, the jobs
 * that run them, the composition root), and the front ends sit above all of them.
 */
export const FLOORS = [
  [0, 'model/'],
  [1, 'training/'],
  [2.0, 'electron/api/'],
  [2.1, 'electron/library/'],
  [2.2, 'electron/search/'],
  [2.3, 'electron/jobs/'],
  [2.4, 'electron/core/'],
  [3, 'electron/main/'],
  [3, 'electron/preload/'],
  [3, 'electron/cli/'],
  [3, 'electron/server/'],
  [4, 'renderer/'],
];

const NAMES = {
  0: 'model/',
  1: 'training/',
  2.0: 'electron/api/',
  2.1: 'electron/library/',
  2.2: 'electron/search/',
  2.3: 'electron/jobs/',
  2.4: 'electron/core/',
  3: 'the front ends (electron/main, preload, cli, server)',
  4: 'renderer/',
};

/** The floor of a repository-relative path (forward slashes), or null outside the floors (tests, scripts). */
export function floorOf(relative) {
  for (const [floor, prefix] of FLOORS) if (relative.startsWith(prefix)) return floor;
  return null;
}

/** Why `from` may not import `to` (repository-relative paths), or null when it may. */
export function forbiddenImport(from, to) {
  const a = floorOf(from);
  const b = floorOf(to);
  if (a === null) return null;
  // A unit test beside its subject may use the test helpers (tests/ stands above every floor).
  if (b === null && /\.test\.ts$/.test(from) && to.startsWith('tests/')) return null;
  if (b === null) return `${from} imports ${to}, which is outside the app's floors (tests, scripts).`;
  // The renderer runs in the browser: from below it, only the API contract's types.
  if (a === 4)
    return b === 4 || to === 'electron/api/contract.ts'
      ? null
      : `the renderer may import only electron/api/contract.ts, not ${to}.`;
  if (b > a) return `${from} (${NAMES[a]}) imports ${to} (${NAMES[b]}), a higher floor: imports go downward only.`;
  return null;
}

const toPosix = (p) => p.split(path.sep).join('/');

/** The repository-relative target of a relative import specifier, with `.js` read as the `.ts` source. */
function resolveSpecifier(filename, specifier, cwd) {
  const absolute = path.resolve(path.dirname(filename), specifier);
  const relative = toPosix(path.relative(cwd, absolute)).replace(/\.js$/, '.ts');
  return path.extname(relative) ? relative : `${relative}.ts`;
}

const downwardOnly = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports go from a floor to the same floor or one below it, never up.' },
    schema: [],
  },
  create(context) {
    const cwd = context.cwd ?? process.cwd();
    const filename = context.filename ?? context.getFilename();
    const from = toPosix(path.relative(cwd, filename));
    if (floorOf(from) === null) return {};
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const why = forbiddenImport(from, resolveSpecifier(filename, source.value, cwd));
      if (why) context.report({ node, message: why });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source : null),
    };
  },
};

export const floorsPlugin = { rules: { 'downward-only': downwardOnly } };
