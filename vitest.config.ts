import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Three tiers. Unit and renderer files are CPU-bound and independent; vitest's default on two
// cores is one worker (cores - 1), which leaves a core idle while each file imports: two workers
// take the unit tier from ~101 s to ~71 s. Integration and e2e start real redis-server processes (and Chromium). Integration
// files mostly wait on their servers (timeouts, links, Sentinel's clock), so three run at once
// on two cores: 314 s for the tier, against 424 s with two (the same machine, quiet), and every
// timing assertion in them waits for a condition rather than for a fixed time. e2e files mostly wait on their servers and on the page
// too, and two run at once; the files that assert how long the page's main thread is busy
// (TIMED_E2E) run after them, one at a time, with the machine to themselves.
const TIMED_E2E = ['test/e2e/hostile.test.ts', 'test/e2e/big-topology.test.ts'];

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
          exclude: TIMED_E2E,
          setupFiles: ['test/helpers/isolated-data-dir.ts'],
          // The renderer is built once for every e2e file of both projects.
          globalSetup: ['test/helpers/e2e-global-setup.ts'],
          maxWorkers: 2,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e-timed',
          include: TIMED_E2E,
          setupFiles: ['test/helpers/isolated-data-dir.ts'],
          globalSetup: ['test/helpers/e2e-global-setup.ts'],
          fileParallelism: false,
          // After the e2e project, alone on the machine.
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
