// A plan running in the console, seen from a window that did not start it, in real Chromium
// through the web mode against a real lab: a reloaded window finds the plan it started still
// running (its steps, progress and outcome), and a second window refused BUSY by it sees it end
// and is offered to plan again rather than a Run the console would refuse PLAN_STALE. A full
// sync held back by repl-diskless-sync-delay keeps each plan running until the test has done both
// (held long, released by lowering the delay: a fixed few seconds ran out on a busy machine).
import type { BrowserContext, Page } from 'playwright-core';
import Redis from 'ioredis';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Lab, docsLayout } from '../../electron/lab/lab';
import type { WebServer } from '../../electron/web/server';
import { shot, useBrowserAndRenderer } from '../helpers/browser';
import { openServiceConsole, useCleanups } from '../helpers/web-e2e';

const e2e = useBrowserAndRenderer('rc-e2e-plan-follow-');
const cleanups = useCleanups();
/** Long enough that a plan's full sync waits for the test to release it (setSyncDelay(0)); inside the step's 30 s timeout. */
const HELD_SYNC_SECONDS = 25;

describe('a running plan seen from a window that did not start it', () => {
  let lab: Lab;
  let server: WebServer;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let m: string;
  let r2: string;
  let r11: string;

  beforeAll(async () => {
    lab = await Lab.start({ nodes: docsLayout() });
    cleanups.push(() => lab.close());
    [m, r2, r11] = ['master', 'replica-2', 'replica-1-1'].map((n) => lab.address(n)) as [string, string, string];
    ({ server, context, page, problems } = await openServiceConsole(e2e, cleanups, m));
    await page.locator('[data-testid^="edge-"][data-health="up"]').nth(2).waitFor({ timeout: 15_000 });
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(page, `follow-FAILED-${task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });


  /** The master starts a full sync once the delay has passed since a replica asked, checked every second: lowered, the sync held starts. */
  async function setSyncDelay(seconds: number): Promise<void> {
    const client = new Redis({ host: '127.0.0.1', port: lab.port('master'), lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    try {
      await client.config('SET', 'repl-diskless-sync-delay', String(seconds));
    } finally {
      await client.quit();
    }
  }

  /** replica-2 leaves by hand and takes writes: re-attaching it is a full sync, slow by the lab's delay. */
  async function strayReplica2(): Promise<void> {
    const client = new Redis({ host: '127.0.0.1', port: lab.port('replica-2'), lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    try {
      await client.call('REPLICAOF', 'NO', 'ONE');
      for (let i = 0; i < 20; i++) await client.set(`e2e:follow:${i}`, 'written to the detached replica');
    } finally {
      await client.quit();
    }
    await page.locator(`[data-testid="node-card-${r2}"][data-lone="true"]`).waitFor({ timeout: 15_000 });
  }

  /** On `on`: re-attach replica-2 under the master from its menu, confirm and run; resolves once a step runs. */
  async function runReattach(on: Page): Promise<void> {
    await on.getByTestId(`node-menu-button-${r2}`).click();
    await on.getByTestId('node-action-reattach').click();
    await on.getByTestId(`move-to-${m}`).click();
    const dialog = on.getByTestId('plan-dialog');
    await expect.poll(() => dialog.getAttribute('data-phase'), { timeout: 15_000 }).toBe('review');
    const confirm = on.getByTestId('plan-confirm-input');
    if (await confirm.isVisible()) await confirm.fill((await confirm.getAttribute('data-confirm-address')) ?? '');
    await on.getByTestId('plan-run').click();
    await on.locator('[data-testid="plan-step"][data-status="running"]').first().waitFor({ timeout: 15_000 });
  }

  // Held from the start of each test (the lab's first syncs ran at the default delay).
  beforeEach(() => setSyncDelay(HELD_SYNC_SECONDS));

  /** A second window on the console, open all along; then the first one's plan runs (re-attaching replica-2), held at its full sync. */
  async function secondWindowWhilePlanRuns(): Promise<Page> {
    const other = await context.newPage();
    await other.goto(server.url);
    await other.locator('[data-testid^="edge-"][data-health="up"]').nth(2).waitFor({ timeout: 15_000 });
    await strayReplica2();
    await runReattach(page);
    return other;
  }

  it('a window reloaded mid-run shows the plan still running, its progress, and its outcome', async () => {
    await strayReplica2();
    await runReattach(page);
    await page.reload();

    const dialog = page.getByTestId('plan-dialog');
    await expect.poll(() => dialog.getAttribute('data-phase'), { timeout: 15_000 }).toBe('running');
    await page.getByTestId('plan-following').waitFor();
    await expect(page.getByTestId('plan-dialog').textContent()).resolves.toContain(`REPLICAOF 127.0.0.1 ${lab.port('master')}`);
    await page.locator('[data-testid="plan-step"][data-status="running"]').first().waitFor({ timeout: 10_000 });
    await shot(page, 'follow-reloaded-running');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'follow-reloaded-running-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await setSyncDelay(0);

    const outcome = page.getByTestId('plan-outcome');
    await outcome.waitFor({ timeout: 60_000 });
    await expect(outcome.getAttribute('data-status')).resolves.toBe('ok');
    await shot(page, 'follow-reloaded-outcome');
    await page.getByTestId('plan-close').click();
    await expect.poll(() => dialog.getAttribute('data-phase')).toBe('closed');
  });

  it('a window refused BUSY sees the other plan end and is offered to plan again, not a stale Run', async () => {
    const other = await secondWindowWhilePlanRuns();
    try {

      // The other window re-points replica-1-1 under the master meanwhile: refused BUSY, nothing sent.
      await other.getByTestId(`node-menu-button-${r11}`).click();
      await other.getByTestId('node-action-move').click();
      await other.getByTestId(`move-to-${m}`).click();
      const dialog = other.getByTestId('plan-dialog');
      await expect.poll(() => dialog.getAttribute('data-phase'), { timeout: 15_000 }).toBe('review');
      await other.getByTestId('plan-run').click();
      await expect.poll(() => other.getByTestId('run-error').getAttribute('data-code'), { timeout: 15_000 }).toBe('BUSY');
      await setSyncDelay(0);

      await page.getByTestId('plan-outcome').waitFor({ timeout: 60_000 });
      await other.getByTestId('busy-ended').waitFor({ timeout: 10_000 });
      await expect(other.getByTestId('run-error').count()).resolves.toBe(0);
      await expect(other.getByTestId('plan-run').count()).resolves.toBe(0);
      await shot(other, 'follow-busy-ended-light');
      await other.emulateMedia({ colorScheme: 'dark' });
      await shot(other, 'follow-busy-ended-dark');

      await other.getByTestId('plan-again').click();
      await expect.poll(() => dialog.getAttribute('data-phase'), { timeout: 15_000 }).toBe('review');
      await expect(other.getByTestId('busy-ended').count()).resolves.toBe(0);
      await expect.poll(() => other.getByTestId('plan-run').isEnabled()).toBe(true);
      await other.getByTestId('plan-cancel').click();
      await page.getByTestId('plan-close').click();
    } finally {
      await other.close();
    }
  });

  it('a window open all along says another window runs a plan, and shows it on asking', async () => {
    const other = await secondWindowWhilePlanRuns();
    try {
      const strip = other.getByTestId('plan-elsewhere');
      await strip.waitFor({ timeout: 15_000 });
      await expect(strip.textContent()).resolves.toContain(`Make ${r2} a replica of ${m}`);
      await shot(other, 'follow-elsewhere-light');
      await other.emulateMedia({ colorScheme: 'dark' });
      await shot(other, 'follow-elsewhere-dark');
      await other.emulateMedia({ colorScheme: 'light' });
      await other.getByTestId('plan-elsewhere-show').click();
      await other.getByTestId('plan-following').waitFor();
      await expect(strip.count()).resolves.toBe(0);
      await setSyncDelay(0);
      await other.getByTestId('plan-outcome').waitFor({ timeout: 60_000 });
      await page.getByTestId('plan-outcome').waitFor({ timeout: 60_000 });
      await page.getByTestId('plan-close').click();
    } finally {
      await other.close();
    }
  });

  it('logged no errors in the page', () => {
    expect(problems).toEqual([]);
  });
});
