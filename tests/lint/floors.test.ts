import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Lints planted imports as if they lived at the given paths, with the project's real eslint.config.js.
const eslint = new ESLint({ cwd: process.cwd() });

async function floorErrors(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === 'floors/downward-only').map((m) => m.message);
}

const planted = (specifier: string, typeOnly = false) =>
  `import ${typeOnly ? 'type ' : ''}{ x } from '${specifier}';\nexport type Y = typeof x;\n`;

describe('the floors lint rule (imports go downward only)', () => {
  it('fails an upward import between the top-level parts, type imports too', async () => {
    const [up] = await floorErrors(planted('../../electron/core/paths.js'), 'model/backbone/manifest.ts');
    expect(up).toMatch(/model\/backbone\/manifest\.ts \(model\/\) imports electron\/core\/paths\.ts .*a higher floor/);
    expect(await floorErrors(planted('../electron/api/contract.js', true), 'model/encoder.ts')).toEqual([
      expect.stringMatching(/a higher floor/),
    ]);
    expect(await floorErrors(planted('../../training/metrics/ranking-metrics.js'), 'model/backbone/fit.ts')).toEqual([
      expect.stringMatching(/a higher floor/),
    ]);
    expect(await floorErrors(planted('../../electron/search/codes.js'), 'training/metrics/hamming-kernel.ts')).toEqual([
      expect.stringMatching(/a higher floor/),
    ]);
  });

  it('orders the main-process services: the library does not import the search, nothing imports a front end', async () => {
    expect(await floorErrors(planted('../search/service.js'), 'electron/library/handlers.ts')).toEqual([
      expect.stringMatching(/a higher floor/),
    ]);
    expect(await floorErrors(planted('../core/app.js'), 'electron/search/handlers.ts')).toEqual([
      expect.stringMatching(/a higher floor/),
    ]);
    expect(await floorErrors(planted('../cli/format.js'), 'electron/core/app.ts')).toEqual([
      expect.stringMatching(/a higher floor/),
    ]);
    expect(await floorErrors(planted('../../../renderer/src/lib/api/client.js'), 'electron/server/x/y.ts')).toEqual([
      expect.stringMatching(/a higher floor/),
    ]);
  });

  it('keeps the renderer to the contract, and product code away from tests and scripts', async () => {
    expect(await floorErrors(planted('../../../../model/codes.js'), 'renderer/src/lib/state/x.svelte.ts')).toHaveLength(
      1,
    );
    expect(
      await floorErrors(planted('../../../../electron/api/contract', true), 'renderer/src/lib/state/x.svelte.ts'),
    ).toEqual([]);
    expect(await floorErrors(planted('../../tests/helpers/temp-dir.js'), 'electron/library/scanner.ts')).toHaveLength(
      1,
    );
    expect(await floorErrors(planted('../../tests/helpers/temp-dir.js'), 'electron/library/scanner.test.ts')).toEqual(
      [],
    );
  });

  it('allows imports within a floor and downward', async () => {
    expect(await floorErrors(planted('../library/catalog.js'), 'electron/search/service.ts')).toEqual([]);
    expect(await floorErrors(planted('../../model/codes.js'), 'electron/library/analyzer.ts')).toEqual([]);
    expect(await floorErrors(planted('../../model/encoder.js'), 'training/metrics/retrieval.ts')).toEqual([]);
    expect(await floorErrors(planted('../server/server.js'), 'electron/cli/main.ts')).toEqual([]);
    expect(await floorErrors(planted('./onnx/graph.js'), 'model/encoder.ts')).toEqual([]);
  });
});
