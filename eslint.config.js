// Lint, including the layering rules that keep the architecture honest:
// - only electron/main and electron/preload import `electron`;
// - each native library has exactly one adapter that imports it;
// - the renderer imports nothing from electron/ but types from electron/api/contract;
// - imports go downward only, floor by floor (scripts/eslint-floors.js).
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { floorsPlugin } from './scripts/eslint-floors.js';

/** Module -> the one place allowed to import it, and why. */
export const RESTRICTED_MODULES = [
  {
    name: 'electron',
    allowedIn: ['electron/main/**', 'electron/preload/**'],
    message: 'Only electron/main and electron/preload may import electron.',
  },
  {
    name: 'sharp',
    allowedIn: ['model/image/decode.ts'],
    message: 'Decode images through model/image/decode.ts (the sharp adapter).',
  },
  {
    name: 'onnxruntime-node',
    allowedIn: ['model/encoder.ts'],
    message: 'Run models through model/encoder.ts (the onnxruntime-node adapter).',
  },
  {
    name: 'better-sqlite3',
    allowedIn: ['electron/library/db.ts'],
    message: 'Use the catalog in electron/library (the better-sqlite3 adapter).',
  },
];

const CODE = ['**/*.{ts,cts,mts,js,cjs,mjs,svelte}'];
const TESTS = ['**/*.test.ts', 'tests/**'];

/** One config block per adapter location, each restricting every module except the one it adapts. */
function layeringConfigs() {
  const entries = [{ files: CODE, ignores: [...RESTRICTED_MODULES.flatMap((m) => m.allowedIn)], allow: [] }];
  for (const m of RESTRICTED_MODULES) entries.push({ files: m.allowedIn, ignores: [], allow: [m.name] });
  return entries.map(({ files, ignores, allow }) => ({
    files,
    ignores,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: RESTRICTED_MODULES.filter((m) => !allow.includes(m.name)).map(({ name, message }) => ({
            name,
            message,
          })),
        },
      ],
    },
  }));
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'bench-results/**',
      'model/artifacts/**',
      'scratch/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  ...layeringConfigs(),
  {
    files: ['model/**', 'training/**', 'electron/**', 'renderer/**'],
    plugins: { floors: floorsPlugin },
    rules: { 'floors/downward-only': 'error' },
  },
  // Tests may use native libraries directly to build fixtures and check adapters from the outside.
  {
    files: TESTS,
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [RESTRICTED_MODULES[0]].map(({ name, message }) => ({ name, message })) },
      ],
    },
  },
  {
    files: ['renderer/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)electron/api/contract(\\.js|\\.ts)?$',
              allowTypeImports: true,
              message: 'The renderer may import only types from electron/api/contract (use `import type`).',
            },
            {
              regex: '(^|/)electron/(?!api/contract(\\.js|\\.ts)?$)',
              message: 'The renderer may import nothing from electron/ except types from electron/api/contract.',
            },
          ],
        },
      ],
    },
  },
);
