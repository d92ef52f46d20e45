import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Three tiers. Integration and e2e start real redis-server processes (and Chromium), so they
// run one file at a time: the machine has two cores and the timing assertions must stay honest.
export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: ['test/unit/renderer/**'] },
      },
      {
        plugins: [svelte()],
        resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
        test: { name: 'renderer', include: ['test/unit/renderer/**/*.test.ts'], environment: 'node' },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          setupFiles: ['test/helpers/isolated-data-dir.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          setupFiles: ['test/helpers/isolated-data-dir.ts'],
          // The renderer is built once for every e2e file.
          globalSetup: ['test/helpers/e2e-global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
