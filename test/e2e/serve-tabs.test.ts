// serve --config in real Chromium: the configured topologies are the tabs (named by config, the
// first one shown, no idle 'main' tab), the tab of one serve is still retrying says that it is
// connecting, with its last reason, instead of offering a connect form, and shows the topology
// once serve connects it. Screenshots light and dark land in test-artifacts/.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { Lab } from '../../electron/lab/lab';
import { freePort } from '../../electron/lab/free-port';
import { runServe } from '../../electron/serve/serve-command';
import type { WebServer } from '../../electron/web/server';
import { openPage, shot, useBrowserAndRenderer } from '../helpers/browser';
import { useCleanups } from '../helpers/web-e2e';
import { until } from '../helpers/until';

const e2e = useBrowserAndRenderer('rc-e2e-serve-tabs-');
const cleanups = useCleanups();

const tab = (page: Page, id: string) => page.locator(`[data-tab="${id}"]`);
const tabIds = (page: Page) => page.locator('[data-tab]').evaluateAll((els) => els.map((el) => el.getAttribute('data-tab')));

describe('serve --config in the browser', () => {
  it('shows the configured topologies as named tabs, the first one active, and a retrying one as connecting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rc-e2e-serve-tabs-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const lab = await Lab.start({ nodes: [{ name: 'orders' }] });
    cleanups.push(() => lab.close());
    const deadPort = await freePort();
    const config = join(dir, 'serve.json');
    await writeFile(
      config,
      JSON.stringify({
        timeoutMs: 1000,
        topologies: [
          { name: 'orders', seeds: [lab.address('orders')] },
          { name: 'offline', seeds: [`127.0.0.1:${deadPort}`] },
        ],
      }),
    );
    const stop = new AbortController();
    let server: WebServer | null = null;
    const done = runServe(['--listen', `127.0.0.1:${await freePort()}`, '--config', config], {
      signal: stop.signal,
      rendererDir: e2e.rendererDir,
      log: () => undefined,
      retry: { minDelayMs: 200, maxDelayMs: 400 },
      onListening: (s) => (server = s),
    });
    cleanups.push(async () => {
      stop.abort();
      await done;
    });
    const url = await until('serve to listen', async () => (server as WebServer | null)?.url);

    for (const scheme of ['light', 'dark'] as const) {
      const { context, page, problems } = await openPage(e2e.browser, url, scheme);
      cleanups.push(() => context.close());
      await expect.poll(() => tabIds(page), { timeout: 10_000 }).toEqual(['orders', 'offline']);
      await expect(tab(page, 'orders').getAttribute('data-tab-active')).resolves.toBe('true');
      await expect(tab(page, 'orders').textContent()).resolves.toContain('orders');
      await expect(tab(page, 'offline').textContent()).resolves.toContain('offline');
      await expect.poll(() => tab(page, 'orders').getAttribute('data-tab-status'), { timeout: 10_000 }).toBe('live');
      await page.getByTestId(`node-card-${lab.address('orders')}`).waitFor({ timeout: 10_000 });
      await expect(tab(page, 'orders').textContent()).resolves.not.toContain(lab.address('orders'));
      // serve would refuse to close them: no close button on a configured tab.
      await expect(page.getByTestId('tab-close-orders').count()).resolves.toBe(0);

      await page.getByTestId('tab-offline').click();
      await expect.poll(() => tab(page, 'offline').getAttribute('data-tab-active')).toBe('true');
      await page.getByTestId('service-connecting').waitFor();
      await expect(page.getByTestId('connect-form').count()).resolves.toBe(0);
      await expect(page.getByTestId('service-connecting').textContent()).resolves.toContain('Connecting to offline');
      await expect.poll(() => page.getByTestId('service-last-error').textContent(), { timeout: 10_000 }).toContain(`127.0.0.1:${deadPort}`);
      await expect(tab(page, 'offline').getAttribute('data-tab-status')).resolves.toBe('connecting');
      await shot(page, `serve-tabs-connecting-${scheme}`);
      if (scheme === 'dark') {
        // The server comes up: serve's next retry connects it, and the open tab shows it live, still named by config.
        const redis = spawn('redis-server', ['--port', String(deadPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]);
        cleanups.push(async () => {
          if (redis.exitCode !== null || redis.signalCode !== null) return;
          const exited = once(redis, 'exit');
          redis.kill('SIGTERM');
          await exited;
        });
        await page.getByTestId(`node-card-127.0.0.1:${deadPort}`).waitFor({ timeout: 10_000 });
        await expect.poll(() => tab(page, 'offline').getAttribute('data-tab-status'), { timeout: 10_000 }).toBe('live');
        await expect(tab(page, 'offline').textContent()).resolves.toContain('offline');
      }
      expect(problems).toEqual([]);
      await context.close();
    }
  });
});
