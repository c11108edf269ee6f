import { defineConfig } from 'vitest/config';
import SlowFirstSequencer from './test/setup/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // PGlite is single-threaded WASM; two cores run at most two files at once.
    maxWorkers: 2,
    // Test files share their worker's module cache: importing the app anew for each file was ~30 % of the suite's time.
    // Every file builds its own app and database; nothing else is kept in module state between files.
    isolate: false,
    // Guards against a hang, not budgets: on a loaded 2-core machine a PGlite dump alone took 74 s.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    setupFiles: ['test/setup/database-use.ts'],
    globalSetup: ['test/setup/pglite-template.ts'],
    // scrypt at 2^14 rather than production's 2^17 (docs/config.md): the suite hashes and checks hundreds of passwords.
    env: { SHIRUBE_SCRYPT_N: '16384' },
    sequence: { sequencer: SlowFirstSequencer },
  },
});
