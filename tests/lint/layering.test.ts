import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Lints snippets as if they lived at the given paths, with the project's real eslint.config.js.
const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImportErrors(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((m) => m.message);
}

describe('layering lint rules', () => {
  it('fails an electron import in electron/library', async () => {
    const errors = await restrictedImportErrors("import 'electron';\n", 'electron/library/scanner.ts');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Only electron\/main and electron\/preload may import electron/);
  });

  it('allows electron in electron/main and electron/preload', async () => {
    expect(
      await restrictedImportErrors("import { app } from 'electron';\nexport { app };\n", 'electron/main/window.ts'),
    ).toEqual([]);
    expect(
      await restrictedImportErrors(
        "import { ipcRenderer } from 'electron';\nexport { ipcRenderer };\n",
        'electron/preload/extra.ts',
      ),
    ).toEqual([]);
  });

  it('keeps each native library behind its one adapter', async () => {
    expect(
      await restrictedImportErrors("import sharp from 'sharp';\nexport { sharp };\n", 'electron/library/thumbs.ts'),
    ).toHaveLength(1);
    expect(
      await restrictedImportErrors("import sharp from 'sharp';\nexport { sharp };\n", 'model/image/decode.ts'),
    ).toEqual([]);
    expect(
      await restrictedImportErrors("import * as ort from 'onnxruntime-node';\nexport { ort };\n", 'training/loop.ts'),
    ).toHaveLength(1);
    expect(
      await restrictedImportErrors("import * as ort from 'onnxruntime-node';\nexport { ort };\n", 'model/encoder.ts'),
    ).toEqual([]);
    expect(
      await restrictedImportErrors(
        "import Database from 'better-sqlite3';\nexport { Database };\n",
        'electron/search/index/hamming-index.ts',
      ),
    ).toHaveLength(1);
    expect(
      await restrictedImportErrors(
        "import Database from 'better-sqlite3';\nexport { Database };\n",
        'electron/library/db.ts',
      ),
    ).toEqual([]);
  });

  it('lets the renderer import only types from the contract', async () => {
    const file = 'renderer/src/lib/state/example.svelte.ts';
    expect(
      await restrictedImportErrors(
        "import type { AppInfo } from '../../../../electron/api/contract';\nexport type X = AppInfo;\n",
        file,
      ),
    ).toEqual([]);
    expect(
      await restrictedImportErrors("import { ERR } from '../../../../electron/api/contract';\nexport { ERR };\n", file),
    ).toHaveLength(1);
    expect(
      await restrictedImportErrors(
        "import { Dispatcher } from '../../../../electron/api/dispatch.js';\nexport { Dispatcher };\n",
        file,
      ),
    ).toHaveLength(1);
    expect(await restrictedImportErrors("import { shell } from 'electron';\nexport { shell };\n", file)).toHaveLength(
      1,
    );
  });
});
