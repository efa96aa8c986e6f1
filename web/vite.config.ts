import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Builds `src/sw.ts` as `/sw.js` (unhashed: browsers check that URL for updates) and writes the list
 * of emitted files into it as the shell to precache.
 */
function serviceWorker(): Plugin {
  return {
    name: 'mana-service-worker',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const sw = bundle['sw.js'];
      if (!sw || sw.type !== 'chunk') throw new Error('sw.js was not built');
      const files = Object.keys(bundle).filter(
        (f) => f !== 'sw.js' && f !== 'index.html' && !f.endsWith('.map'),
      );
      const shell = ['/', '/index.html', '/favicon.svg', ...files.map((f) => `/${f}`)];
      if (!sw.code.includes('__MANA_SHELL__')) throw new Error('sw.js lacks the __MANA_SHELL__ placeholder');
      sw.code = sw.code.replaceAll('__MANA_SHELL__', JSON.stringify(shell));
    },
  };
}

/**
 * Dev and preview reach sync on the app's own origin (sync sends no CORS headers), like the
 * production proxy rule: `/sync/*` and `/ws` go to `MANA_SYNC_URL` (default the local sync server).
 */
const syncTarget = process.env.MANA_SYNC_URL ?? 'http://localhost:3010';
const proxy = {
  '/sync/': { target: syncTarget, changeOrigin: true },
  '/ws': { target: syncTarget, changeOrigin: true, ws: true },
};

export default defineConfig({
  plugins: [svelte(), serviceWorker()],
  build: {
    target: 'es2022',
    sourcemap: true,
    rolldownOptions: {
      input: { index: 'index.html', sw: 'src/sw.ts' },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  server: { port: 5173, proxy },
  preview: { port: 4173, proxy },
  test: {
    name: 'web',
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
