import { defineConfig } from 'vitest/config';

// One run over every package, as three projects: the services and shared libraries, the cross-service
// end-to-end tests, and the web app (its own Vite config). Integration tests (`*.int.test.ts`) talk to
// real Postgres, Redis and Synapse; they share two cores, so at most two files run at once.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 180_000,
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'services',
          include: [
            '{shared,auth,sync,bots,homeserver-config,bench,deploy}/**/src/**/*.test.ts',
            'tests/lint/src/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/{e2e,stack}/src/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
        },
      },
      'web/vite.config.ts',
    ],
  },
});
