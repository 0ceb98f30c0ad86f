import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/test/**/*.test.ts', 'firmware/test/**/*.test.ts', 'ingest/test/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['./test/setup/fail-on-console.ts'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
