import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph } from '../helpers/import-graph.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('the import graph', () => {
  it('has no cycle in model/, training/, electron/ or renderer/src/, type imports included', () => {
    const graph = importGraph(['model', 'training', 'electron', 'renderer/src']);
    expect(graph.size).toBeGreaterThan(150); // the walk found the sources
    const cycles = importCycles(graph).map((c) => c.map((f) => path.relative(process.cwd(), f)));
    expect(cycles).toEqual([]);
  });

  it('finds a planted cycle through a type import, and a .svelte file importing itself', () => {
    const root = tempDir('import-cycle');
    mkdirSync(path.join(root, 'store'));
    writeFileSync(
      path.join(root, 'db.ts'),
      "import { MIGRATIONS } from './store/schema.js';\nexport const db = MIGRATIONS;\n",
    );
    writeFileSync(
      path.join(root, 'store', 'schema.ts'),
      "import type { Db } from '../db.js';\nexport const MIGRATIONS: Db[] = [];\n",
    );
    writeFileSync(path.join(root, 'leaf.ts'), "import { db } from './db.js';\nexport const leaf = db;\n");
    writeFileSync(
      path.join(root, 'Self.svelte'),
      '<script lang="ts">\n  import Self from \'./Self.svelte\';\n</script>\n',
    );
    const cycles = importCycles(importGraph([root])).map((c) => c.map((f) => path.relative(root, f)));
    expect(cycles).toHaveLength(2);
    expect(cycles).toContainEqual(['db.ts', path.join('store', 'schema.ts')]);
    expect(cycles).toContainEqual(['Self.svelte']);
  });
});
