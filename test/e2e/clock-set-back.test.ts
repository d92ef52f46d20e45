// A page open as the engine's clock is set back an hour (an injected Clock, as
// test/integration/poll-schedule.test.ts sets it), in real Chromium against a real lab:
// - on the same machine, the page's clock (Playwright's) goes back with it. Before, the page kept
//   its chart points an hour ahead of every tick to come and dropped each new one: the offset
//   chart stayed on the last offset before the step, under writes, until the clock caught up or
//   the page was reloaded;
// - on another machine, the page's clock stays: an hour ahead of the engine's from then on.
//   Before, the charts' axis ended at the page's clock, an hour past every point: no data.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConsoleService } from '../../electron/app/service';
import type { Clock } from '../../electron/engine/clock';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { startWebServer } from '../../electron/web/server';
import { card, connectThroughForm, openPage, useBrowserAndRenderer } from '../helpers/browser';
import { useCleanups } from '../helpers/web-e2e';

const HOUR = 60 * 60_000;

const e2e = useBrowserAndRenderer('rc-e2e-clock-');
const cleanups = useCleanups();

describe('a page open as the clock is set back an hour', () => {
  let lab: Lab;
  let writer: Redis;

  beforeAll(async () => {
    lab = await Lab.start({ nodes: masterWithReplicas(1) });
    cleanups.push(() => lab.close());
    writer = new Redis(lab.port('master'), '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
    cleanups.push(() => writer.disconnect());
    await writer.connect();
  });

  /** The master's replication offset now, after a write that moves it. */
  async function writeAndReadOffset(): Promise<number> {
    await writer.set('clock-set-back', 'x'.repeat(1000));
    const info = await writer.info('replication');
    return Number(/master_repl_offset:(\d+)/.exec(info)?.[1]);
  }

  /** A web console over an engine whose clock `setBack` moves, and a page on it showing the lab. */
  async function openConsole(): Promise<{ page: Page; problems: string[]; setBack(ms: number): void }> {
    let offset = 0;
    // The system clock with a setting of its own; timers stay Node's, on monotonic time.
    const clock: Clock = { now: () => Date.now() + offset, setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle) };
    const auditDir = await mkdtemp(join(tmpdir(), 'rc-e2e-clock-audit-'));
    cleanups.push(() => rm(auditDir, { recursive: true, force: true }));
    const service = new ConsoleService({ engine: new ReplicationEngine({ clock, connectTimeoutMs: 800, commandTimeoutMs: 800 }), interface: 'web', auditDir });
    cleanups.push(() => service.close());
    const server = await startWebServer({ service, rendererDir: e2e.rendererDir });
    cleanups.push(() => server.close());
    const { context, page, problems } = await openPage(e2e.browser, server.url);
    cleanups.push(() => context.close());
    await connectThroughForm(page, [lab.address('master')]);
    await card(page, lab.address('replica-1')).waitFor({ timeout: 15_000 });
    return { page, problems, setBack: (ms) => (offset -= ms) };
  }

  /** Writes after the step are charted within a few ticks each; the points from before it are there too. */
  async function chartsEachWrite(page: Page, before: number): Promise<void> {
    const chart = page.getByTestId('offset-chart');
    const shownOffset = async (): Promise<number> => Number((await chart.getAttribute('data-latest-max')) || 0);
    for (let i = 0; i < 3; i++) {
      const after = await writeAndReadOffset();
      expect(after).toBeGreaterThan(before);
      await expect.poll(shownOffset, { timeout: 10_000 }).toBeGreaterThanOrEqual(after);
    }
    // Loaded again from the engine, moved back with its clock.
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 5000 }).toBeGreaterThan(8);
  }

  it('on the same machine (the page\'s clock set back too), goes on charting each new offset at once', async () => {
    const { page, problems, setBack } = await openConsole();
    const chart = page.getByTestId('offset-chart');
    const before = await writeAndReadOffset();
    await expect.poll(async () => Number((await chart.getAttribute('data-latest-max')) || 0), { timeout: 10_000 }).toBeGreaterThanOrEqual(before);

    setBack(HOUR);
    await page.clock.setSystemTime(Date.now() - HOUR);
    expect(Date.now() - (await page.evaluate(() => Date.now()))).toBeGreaterThan(HOUR - 60_000);
    await chartsEachWrite(page, before);
    expect(problems).toEqual([]);
  });

  it('on another machine (the page\'s clock now an hour ahead of the engine\'s), goes on charting each new offset', async () => {
    const { page, problems, setBack } = await openConsole();
    const chart = page.getByTestId('offset-chart');
    const before = await writeAndReadOffset();
    await expect.poll(async () => Number((await chart.getAttribute('data-latest-max')) || 0), { timeout: 10_000 }).toBeGreaterThanOrEqual(before);

    setBack(HOUR);
    await chartsEachWrite(page, before);
    expect(problems).toEqual([]);
  });
});
