import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'electron/**/*.test.ts',
      'model/**/*.test.ts',
      'training/**/*.test.ts',
      'tests/integration/**/*.test.ts',
      'tests/lint/**/*.test.ts',
      'tests/bench/**/*.test.ts',
      'renderer/src/**/*.test.ts',
    ],
    setupFiles: ['tests/helpers/remove-temp-dirs.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
