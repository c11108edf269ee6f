import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // PGlite is single-threaded WASM; two cores run at most two files at once.
    maxWorkers: 2,
    // Guards against a hang, not budgets: on a loaded 2-core machine a PGlite dump alone took 74 s.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    setupFiles: ['test/setup/database-use.ts'],
  },
});
