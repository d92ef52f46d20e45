import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Three tiers. Unit and renderer files are CPU-bound and independent; vitest's default on two
// cores is one worker (cores - 1), which leaves a core idle while each file imports: two workers
// take the unit tier from ~101 s to ~71 s. Integration and e2e start real redis-server processes (and Chromium). Integration
// files mostly wait on their servers (timeouts, links, Sentinel's clock), so two run at once:
// that halves the suite's time on two cores, and every timing assertion in them waits for a
// condition rather than for a fixed time. e2e files drive Chromium, which keeps a core busy, and
// assert the page stays responsive: they run one at a time.
export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: ['test/unit/renderer/**'], maxWorkers: 2 },
      },
      {
        plugins: [svelte()],
        resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
        test: { name: 'renderer', include: ['test/unit/renderer/**/*.test.ts'], environment: 'node', maxWorkers: 2 },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          setupFiles: ['test/helpers/isolated-data-dir.ts'],
          maxWorkers: 2,
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
