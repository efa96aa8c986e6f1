import { defineConfig } from 'vitest/config';

// One run over every package. Integration tests (`*.int.test.ts`) talk to real Postgres, Redis and
// Synapse; they share two cores, so files run with limited parallelism.
export default defineConfig({
  test: {
    include: ['{shared,auth,sync,bots,homeserver-config,bench,deploy}/**/src/**/*.test.ts', 'tests/**/src/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'web/**'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
