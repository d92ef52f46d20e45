// Several topologies in the real renderer, in real Chromium, through the web mode: the first
// tab on the lab, "+" for a second tab on another master started here, both live at once (the
// hidden tab keeps receiving ticks), switching between them, a reloaded window finding its
// tabs again, and closing one. Screenshots land in test-artifacts/ for a human to look at.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { Lab } from '../../electron/lab/lab';
import { connectThroughForm, openPage, shot, useBrowserAndRenderer } from '../helpers/browser';
import { openWebConsole, useCleanups } from '../helpers/web-e2e';

const e2e = useBrowserAndRenderer('rc-e2e-tabs-');
const cleanups = useCleanups();

const tabs = (page: Page) => page.locator('[data-tab]');
const tab = (page: Page, id: string) => page.locator(`[data-tab="${id}"]`);
const cards = (page: Page) => page.locator('[data-testid^="node-card-"]');
const activeId = (page: Page) => page.locator('[data-tab-active="true"]').getAttribute('data-tab');

describe('topology tabs', () => {
  it('shows two topologies in two tabs, each live, switches between them and closes one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rc-e2e-tabs-data-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const second = await Lab.start({ nodes: [{ name: 'second' }] });
    cleanups.push(() => second.close());
    const secondMaster = second.address('second');
    const { hub, server, page, problems } = await openWebConsole(e2e, cleanups, { interface: 'web', auditDir: dir });

    // One tab, as the app always was, on the connect screen.
    await tab(page, 'main').waitFor();
    await expect(tabs(page).count()).resolves.toBe(1);
    await expect(tab(page, 'main').getAttribute('data-tab-active')).resolves.toBe('true');
    await expect(tab(page, 'main').getAttribute('data-tab-status')).resolves.toBe('disconnected');

    // The first tab on the lab.
    await page.getByTestId('start-lab').click();
    await expect.poll(() => cards(page).count(), { timeout: 30_000 }).toBe(4);
    const labMaster = hub.lab.status().seeds[0] ?? '';
    expect(labMaster).not.toBe('');
    await expect.poll(() => tab(page, 'main').getAttribute('data-tab-status'), { timeout: 10_000 }).toBe('live');
    await expect(tab(page, 'main').textContent()).resolves.toContain(labMaster);

    // "+": a second tab on the connect screen, shown at once.
    await page.getByTestId('tab-new').click();
    await expect.poll(() => tabs(page).count()).toBe(2);
    const secondId = (await activeId(page)) ?? '';
    expect(secondId).toMatch(/^[A-Za-z0-9_-]{1,36}$/);
    expect(secondId).not.toBe('main');
    await page.getByTestId('connect-form').waitFor();
    await expect(tab(page, secondId).getAttribute('data-tab-status')).resolves.toBe('disconnected');
    await connectThroughForm(page, secondMaster);
    await page.getByTestId(`node-card-${secondMaster}`).waitFor({ timeout: 15_000 });
    await expect.poll(() => cards(page).count()).toBe(1);
    await expect.poll(() => tab(page, secondId).getAttribute('data-tab-status'), { timeout: 10_000 }).toBe('live');
    await expect(tab(page, secondId).textContent()).resolves.toContain(secondMaster);

    // The hidden tab keeps its own polling and keeps receiving ticks: it stays live, for longer
    // than its staleness window (3 poll intervals of 1 s), and so does the shown one.
    expect(hub.ids.sort()).toEqual([secondId, 'main'].sort());
    const mainTicks: number[] = [];
    const stop = hub.onTick((topology) => {
      if (topology === 'main') mainTicks.push(Date.now());
    });
    await expect.poll(() => mainTicks.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(4);
    stop();
    await expect(tab(page, 'main').getAttribute('data-tab-status')).resolves.toBe('live');
    await expect(tab(page, secondId).getAttribute('data-tab-status')).resolves.toBe('live');
    await shot(page, 'tabs-light');

    // Switching shows that tab's topology and nothing of the other's.
    await page.getByTestId('tab-main').click();
    await expect.poll(() => activeId(page)).toBe('main');
    await expect.poll(() => cards(page).count(), { timeout: 10_000 }).toBe(4);
    await expect(page.getByTestId(`node-card-${secondMaster}`).count()).resolves.toBe(0);
    await page.getByTestId(`tab-${secondId}`).click();
    await expect.poll(() => cards(page).count(), { timeout: 10_000 }).toBe(1);

    // Another window (dark) finds both tabs open, each live.
    const dark = await openPage(e2e.browser, server.url, 'dark');
    cleanups.push(() => dark.context.close());
    await expect.poll(() => tabs(dark.page).count(), { timeout: 10_000 }).toBe(2);
    await expect.poll(() => tab(dark.page, secondId).getAttribute('data-tab-status'), { timeout: 10_000 }).toBe('live');
    await expect.poll(() => tab(dark.page, 'main').getAttribute('data-tab-status'), { timeout: 10_000 }).toBe('live');
    await expect.poll(() => cards(dark.page).count(), { timeout: 10_000 }).toBe(4);
    await shot(dark.page, 'tabs-dark');
    await dark.context.close();
    expect(dark.problems).toEqual([]);

    // Closing the second tab disconnects it and drops it; the lab's tab goes on.
    await page.getByTestId(`tab-close-${secondId}`).click();
    await expect.poll(() => tabs(page).count()).toBe(1);
    await expect.poll(() => activeId(page)).toBe('main');
    await expect.poll(() => hub.has(secondId)).toBe(false);
    await expect.poll(() => cards(page).count(), { timeout: 10_000 }).toBe(4);
    await expect.poll(() => tab(page, 'main').getAttribute('data-tab-status'), { timeout: 10_000 }).toBe('live');
    expect(problems).toEqual([]);
  });
});
