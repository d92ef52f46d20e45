// serve --config in real Chromium: the configured topologies are the tabs (named by config, the
// first one shown, no idle 'main' tab), the tab of one serve is still retrying says that it is
// connecting, with its last reason, instead of offering a connect form, and shows the topology
// once serve connects it. Screenshots light and dark land in test-artifacts/.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { Lab } from '../../electron/lab/lab';
import { freePort } from '../../electron/lab/free-port';
import { runServe } from '../../electron/serve/serve-command';
import { startWebServer, type WebServer } from '../../electron/web/server';
import { connectThroughForm, openPage, shot, useBrowserAndRenderer } from '../helpers/browser';
import { useCleanups } from '../helpers/web-e2e';
import { until } from '../helpers/until';
import { DEAD_PORT } from '../helpers/dead-port';

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
    const deadPort = DEAD_PORT;
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

  it('a page open across a serve restart goes live on the new server\'s ticks at once (they count from 1 again)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rc-e2e-serve-restart-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const lab = await Lab.start({ nodes: [{ name: 'orders' }, { name: 'orders-r', replicaOf: 'orders' }] });
    cleanups.push(() => lab.close());
    const config = join(dir, 'serve.json');
    await writeFile(config, JSON.stringify({ topologies: [{ name: 'orders', seeds: [lab.address('orders')], pollIntervalMs: 100 }] }));
    // The same address and token across the restart, as a service manager restarts it.
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, `${'a1'.repeat(16)}\n`, { mode: 0o600 });
    const listen = `127.0.0.1:${await freePort()}`;
    const start = (): { stop: () => Promise<void>; url: Promise<string> } => {
      const abort = new AbortController();
      let server: WebServer | null = null;
      const done = runServe(['--listen', listen, '--config', config, '--auth-token-file', tokenFile], {
        signal: abort.signal,
        rendererDir: e2e.rendererDir,
        log: () => undefined,
        onListening: (s) => (server = s),
      });
      const stop = async (): Promise<void> => {
        abort.abort();
        await done;
      };
      cleanups.push(stop);
      return { stop, url: until('serve to listen', async () => (server as WebServer | null)?.url) };
    };
    const first = start();
    await first.url;
    const { context, page, problems } = await openPage(e2e.browser, `http://${listen}/?token=${'a1'.repeat(16)}`, 'light');
    cleanups.push(() => context.close());
    let ticks = 0;
    page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => (ticks += String(payload).includes('"push":"topology:tick"') ? 1 : 0)));
    const status = page.getByTestId('connection-status');
    const card = page.getByTestId(`node-card-${lab.address('orders-r')}`);
    await card.waitFor({ timeout: 10_000 });
    await expect.poll(() => status.getAttribute('data-freshness'), { timeout: 10_000 }).toBe('live');
    // 60 ticks of the old server (6 s at 100 ms): the new one would need as long again to pass its count.
    await until('60 ticks on the page', async () => (ticks >= 60 ? true : undefined), 30_000);
    await first.stop();
    await expect.poll(() => status.getAttribute('data-freshness'), { timeout: 10_000 }).not.toBe('live');
    // Meanwhile the replica is detached: only the new server's ticks can show it.
    const replica = new Redis({ port: lab.port('orders-r'), maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await replica.replicaof('NO', 'ONE');
    } finally {
      replica.disconnect();
    }
    await start().url;
    await expect.poll(() => card.getAttribute('data-role'), { timeout: 3000 }).toBe('master');
    await expect.poll(() => status.getAttribute('data-freshness'), { timeout: 3000 }).toBe('live');
    await shot(page, 'serve-restart-live-light');
    expect(problems.filter((p) => !/ERR_CONNECTION_REFUSED|WebSocket/.test(p))).toEqual([]);
  });
});

describe('the web mode across a restart of its server', () => {
  it('says the server is lost while it is down, and once back without the topology, that it must be connected again', async () => {
    const lab = await Lab.start({ nodes: [{ name: 'orders' }] });
    cleanups.push(() => lab.close());
    const port = await freePort();
    const token = 'b2'.repeat(16);
    const first = await startWebServer({ port, token, rendererDir: e2e.rendererDir });
    let firstClosed = false;
    cleanups.push(async () => {
      if (!firstClosed) await first.close();
    });
    const { context, page, problems } = await openPage(e2e.browser, first.url, 'light');
    cleanups.push(() => context.close());
    await connectThroughForm(page, lab.address('orders'));
    await page.getByTestId(`node-card-${lab.address('orders')}`).waitFor({ timeout: 10_000 });
    await expect(page.getByTestId('server-lost').count()).resolves.toBe(0);

    await first.close();
    firstClosed = true;
    const lost = page.getByTestId('server-lost');
    await lost.waitFor({ timeout: 10_000 });
    await expect(lost.textContent()).resolves.toMatch(new RegExp(`Lost the connection to the console server at\\s*127\\.0\\.0\\.1:${port}\\s*at \\d\\d:\\d\\d:\\d\\d: trying\\s+again`));
    // No tick can come: the header says so at once, not LIVE for three more intervals.
    await expect(page.getByTestId('connection-status').getAttribute('data-freshness')).resolves.toBe('no-ticks');
    await shot(page, 'web-server-lost-light');

    // Back on the same address and token, as a new process: it knows no topology of this page.
    const second = await startWebServer({ port, token, rendererDir: e2e.rendererDir });
    cleanups.push(() => second.close());
    await expect.poll(() => lost.count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => page.getByTestId('connect-error').textContent().catch(() => ''), { timeout: 10_000 }).toContain(
      'The console server restarted and is not connected to this topology any more: connect again',
    );
    await shot(page, 'web-server-back-light');

    // Restarted as the web mode restarts, with a token of its own: this page can never get back
    // in, and says so, rather than "trying again" for ever.
    await second.close();
    await lost.waitFor({ timeout: 10_000 });
    const third = await startWebServer({ port, rendererDir: e2e.rendererDir });
    cleanups.push(() => third.close());
    await expect.poll(() => lost.getAttribute('data-refused'), { timeout: 15_000 }).toBe('true');
    expect((await lost.textContent())?.replace(/\s+/g, ' ')).toMatch(
      /answers again, but no longer lets this page in: it was restarted, and each run of the web mode has a new access token .*Open the address it printed when it started/,
    );
    await shot(page, 'web-server-refused-light');
    expect(problems.filter((p) => !/ERR_CONNECTION_REFUSED|WebSocket/.test(p))).toEqual([]);
  });
});
