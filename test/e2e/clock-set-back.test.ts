// A page open as the clock is set back, in real Chromium against a real lab: the engine's clock
// (an injected Clock, as test/integration/poll-schedule.test.ts sets it) and the page's
// (Playwright's clock) go back an hour together, as on one machine whose clock NTP or an
// administrator set. Before, the page kept its chart points an hour ahead of every tick to come
// and dropped each new one: the offset chart stayed on the last offset before the step, under
// writes, until the clock caught up or the page was reloaded.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleService } from '../../electron/app/service';
import type { Clock } from '../../electron/engine/clock';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { startWebServer, type WebServer } from '../../electron/web/server';
import { card, connectThroughForm, openPage, useBrowserAndRenderer } from '../helpers/browser';

const HOUR = 60 * 60_000;

const e2e = useBrowserAndRenderer('rc-e2e-clock-');

describe('a page open as the clock is set back an hour', () => {
  let lab: Lab;
  let offset = 0;
  let service: ConsoleService;
  let server: WebServer;
  let auditDir: string;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let writer: Redis;

  beforeAll(async () => {
    lab = await Lab.start({ nodes: masterWithReplicas(1) });
    // The system clock with a setting of its own; timers stay Node's, on monotonic time.
    const clock: Clock = { now: () => Date.now() + offset, setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle) };
    auditDir = await mkdtemp(join(tmpdir(), 'rc-e2e-clock-audit-'));
    service = new ConsoleService({ engine: new ReplicationEngine({ clock, connectTimeoutMs: 800, commandTimeoutMs: 800 }), interface: 'web', auditDir });
    server = await startWebServer({ service, rendererDir: e2e.rendererDir });
    ({ context, page, problems } = await openPage(e2e.browser, server.url));
    await connectThroughForm(page, [lab.address('master')]);
    await card(page, lab.address('replica-1')).waitFor({ timeout: 15_000 });
    writer = new Redis(lab.port('master'), '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
    await writer.connect();
  });

  afterAll(async () => {
    writer?.disconnect();
    await context?.close();
    await server?.close();
    await service?.close();
    await lab?.close();
    if (auditDir) await rm(auditDir, { recursive: true, force: true });
  });

  /** The master's replication offset now, after a write that moves it. */
  async function writeAndReadOffset(): Promise<number> {
    await writer.set('clock-set-back', 'x'.repeat(1000));
    const info = await writer.info('replication');
    return Number(/master_repl_offset:(\d+)/.exec(info)?.[1]);
  }

  it('goes on charting each new offset at once, not the last one before the step', async () => {
    const chart = page.getByTestId('offset-chart');
    const shownOffset = async (): Promise<number> => Number((await chart.getAttribute('data-latest-max')) || 0);
    const before = await writeAndReadOffset();
    await expect.poll(shownOffset, { timeout: 10_000 }).toBeGreaterThanOrEqual(before);

    offset = -HOUR;
    await page.clock.setSystemTime(Date.now() - HOUR);
    expect(Date.now() - (await page.evaluate(() => Date.now()))).toBeGreaterThan(HOUR - 60_000);
    // Each write after the step is charted within a few ticks: before, the chart stayed on `before`.
    for (let i = 0; i < 3; i++) {
      const after = await writeAndReadOffset();
      expect(after).toBeGreaterThan(before);
      await expect.poll(shownOffset, { timeout: 10_000 }).toBeGreaterThanOrEqual(after);
    }
    // The chart holds the points from before the step too (loaded again from the engine, moved back with it).
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 5000 }).toBeGreaterThan(8);
    expect(problems).toEqual([]);
  });
});
