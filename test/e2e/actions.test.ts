// Topology changes in the real renderer, in real Chromium, through the web mode, against a
// real lab: drag-and-drop re-pointing (a valid and an invalid drop), promote from the node
// menu, re-attaching a lone master (a full sync, slow enough to watch its progress), the
// audit view, and the same screens in dark. Screenshots land in test-artifacts/.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import Redis from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleService } from '../../electron/app/service';
import { Lab, docsLayout } from '../../electron/lab/lab';
import { startWebServer, type WebServer } from '../../electron/web/server';
import { card, openPage, shot, useBrowserAndRenderer } from '../helpers/browser';
import { dragOnto, settled } from '../helpers/drag';

const POLL_MS = 1000;

const e2e = useBrowserAndRenderer('rc-e2e-actions-');


const edge = (page: Page, master: string, replica: string) => page.locator(`[data-testid="edge-${master}-${replica}"]`);


/** In the open plan dialog: type the confirmation if asked, run, and wait for the outcome. */
async function confirmAndRun(page: Page, afterRun?: () => Promise<void>): Promise<number> {
  const dialog = page.getByTestId('plan-dialog');
  await expect.poll(() => dialog.getAttribute('data-phase'), { timeout: 15_000 }).toBe('review');
  const confirm = page.getByTestId('plan-confirm-input');
  if (await confirm.isVisible()) {
    const address = (await confirm.getAttribute('data-confirm-address')) ?? '';
    await expect(page.getByTestId('plan-run').isDisabled()).resolves.toBe(true);
    await confirm.fill(address);
  }
  const run = page.getByTestId('plan-run');
  await expect.poll(() => run.isEnabled()).toBe(true);
  await run.click();
  await afterRun?.();
  const outcome = page.getByTestId('plan-outcome');
  await outcome.waitFor({ timeout: 60_000 });
  const at = Date.now();
  await expect(outcome.getAttribute('data-status')).resolves.toBe('ok');
  return at;
}

async function closeDialog(page: Page): Promise<void> {
  await page.getByTestId('plan-close').click();
  await expect.poll(() => page.getByTestId('plan-dialog').getAttribute('data-phase')).toBe('closed');
}

describe('topology changes in the web mode, against the docs lab', () => {
  let lab: Lab;
  let auditDir: string;
  let service: ConsoleService;
  let server: WebServer;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let m: string;
  let r1: string;
  let r2: string;
  let r11: string;

  beforeAll(async () => {
    // A 2 s diskless-sync delay: a full sync lasts long enough to see its progress.
    lab = await Lab.start({ nodes: docsLayout(), extraArgs: ['--repl-diskless-sync-delay', '2'] });
    [m, r1, r2, r11] = ['master', 'replica-1', 'replica-2', 'replica-1-1'].map((n) => lab.address(n)) as [string, string, string, string];
    auditDir = await mkdtemp(join(tmpdir(), 'rc-e2e-audit-'));
    service = new ConsoleService({ interface: 'web', auditDir });
    await service.connect({ seeds: [m], pollIntervalMs: POLL_MS });
    server = await startWebServer({ rendererDir: e2e.rendererDir, service });
    ({ context, page, problems } = await openPage(e2e.browser, server.url, 'light'));
    // The page picks up the engine's session by itself.
    await page.locator('[data-testid^="edge-"][data-health="up"]').nth(2).waitFor({ timeout: 15_000 });
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(page, `actions-FAILED-${task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    await service?.close();
    await lab?.close();
    if (auditDir) await rm(auditDir, { recursive: true, force: true });
  });

  it('refuses to drop a node onto its own replica, says why, and plans nothing', async () => {
    const home = await settled(page, r1);
    await dragOnto(page, r1, r11);
    // Targets light up from the engine's candidates: its own replica is invalid, a sibling is valid.
    await expect.poll(() => card(page, r11).getAttribute('data-drop')).toBe('invalid');
    await expect.poll(() => card(page, r2).getAttribute('data-drop')).toBe('valid');
    await expect.poll(() => card(page, m).getAttribute('data-drop')).toBe('invalid');
    await expect.poll(() => page.getByTestId(`drop-hint-${r11}`).textContent()).toMatch(/cycle/);
    await expect.poll(() => page.getByTestId('move-over').textContent()).toMatch(/would create a cycle/);
    await expect(card(page, r11).getAttribute('title')).resolves.toMatch(/cycle/);
    await shot(page, 'actions-drag-invalid');
    await page.mouse.up();

    const refused = page.getByTestId('move-refused');
    await refused.waitFor({ timeout: 2000 });
    expect(await refused.textContent()).toMatch(/would create a cycle/);
    await page.waitForTimeout(500);
    await expect(page.getByTestId('plan-dialog').getAttribute('data-phase')).resolves.toBe('closed');
    // The card went back where the layout put it.
    expect(await settled(page, r1)).toEqual(home);
    await shot(page, 'actions-drop-refused');
    await refused.getByRole('button', { name: 'Dismiss' }).click();
    await expect(refused.count()).resolves.toBe(0);
  });

  it('drags a replica onto the master, confirms the plan, and the graph follows', async () => {
    await dragOnto(page, r11, m);
    await expect.poll(() => card(page, m).getAttribute('data-drop')).toBe('valid');
    await expect.poll(() => card(page, r1).getAttribute('data-drop')).toBe('invalid');
    await expect.poll(() => page.getByTestId('move-over').getAttribute('data-verdict')).toBe('valid');
    await shot(page, 'actions-drag');
    await page.mouse.up();

    const dialog = page.getByTestId('plan-dialog');
    await expect.poll(() => dialog.getAttribute('data-phase'), { timeout: 15_000 }).toBe('review');
    const steps = page.getByTestId('plan-step');
    await expect(steps.count()).resolves.toBe(1);
    expect(await steps.first().textContent()).toContain(`REPLICAOF 127.0.0.1 ${lab.port('master')}`);
    await expect(page.getByTestId('plan-checks').textContent()).resolves.toMatch(/✓/);
    // Upwards the new master is ahead by construction: no write pause to offer.
    await expect(page.getByTestId('option-write-pause').count()).resolves.toBe(0);
    await shot(page, 'actions-plan-dialog');

    const doneAt = await confirmAndRun(page);
    await expect.poll(() => edge(page, m, r11).count(), { timeout: 2 * POLL_MS, interval: 50 }).toBe(1);
    expect(Date.now() - doneAt).toBeLessThanOrEqual(2 * POLL_MS);
    await expect(edge(page, r1, r11).count()).resolves.toBe(0);
    await expect(page.getByTestId('plan-final-nodes').textContent()).resolves.toContain(m);
    await shot(page, 'actions-outcome');
    await closeDialog(page);
  });

  it('promotes from the node menu, re-pointing the siblings', async () => {
    await page.getByTestId(`node-menu-button-${r1}`).click();
    const menu = page.getByTestId('node-menu');
    await menu.waitFor();
    await expect(page.getByTestId('node-action-failover').isDisabled()).resolves.toBe(true);
    await shot(page, 'actions-node-menu');
    await page.getByTestId('node-action-promote-repoint').click();

    const dialog = page.getByTestId('plan-dialog');
    await expect.poll(() => dialog.getAttribute('data-phase'), { timeout: 15_000 }).toBe('review');
    await expect(page.getByTestId('option-repoint').isChecked()).resolves.toBe(true);
    await expect(page.getByTestId('plan-step').count()).resolves.toBe(3);
    await expect(page.getByTestId('plan-blockers').textContent()).resolves.toContain(`type ${r1} to confirm`);
    await shot(page, 'actions-plan-promote');

    const doneAt = await confirmAndRun(page);
    await expect.poll(() => edge(page, r1, r2).count(), { timeout: 2 * POLL_MS, interval: 50 }).toBe(1);
    await expect.poll(() => edge(page, r1, r11).count(), { timeout: 2 * POLL_MS, interval: 50 }).toBe(1);
    expect(Date.now() - doneAt).toBeLessThanOrEqual(2 * POLL_MS);
    await expect(card(page, r1).getAttribute('data-role')).resolves.toBe('master');
    await expect(edge(page, m, r1).count()).resolves.toBe(0);
    await closeDialog(page);
    // The old master kept its data and its role, alone now.
    await expect.poll(() => card(page, m).getAttribute('data-lone')).toBe('true');
  });

  it('re-attaches the lone old master: a full sync, shown loud, with live progress', async () => {
    // Clients kept writing to the old master after the promotion: its history has left the
    // new master's, so going back means a full sync that replaces its data.
    const writer = new Redis({ host: '127.0.0.1', port: lab.port('master'), lazyConnect: true, maxRetriesPerRequest: 1 });
    await writer.connect();
    try {
      for (let i = 0; i < 50; i++) await writer.set(`e2e:stray:${i}`, 'written to the old master');
    } finally {
      await writer.quit();
    }
    await page.getByTestId(`node-menu-button-${m}`).click();
    await page.getByTestId('node-action-reattach').click();
    const choice = page.getByTestId(`move-to-${r1}`);
    await choice.waitFor();
    await choice.click();

    const dialog = page.getByTestId('plan-dialog');
    await expect.poll(() => dialog.getAttribute('data-phase'), { timeout: 15_000 }).toBe('review');
    await page.getByTestId('plan-full-sync').waitFor();
    expect(await page.getByTestId('plan-full-sync').textContent()).toContain(m);
    await shot(page, 'actions-plan-full-sync');

    const doneAt = await confirmAndRun(page, async () => {
      const running = page.locator('[data-testid="plan-step"][data-status="running"]');
      await running.first().waitFor({ timeout: 10_000 });
      await expect.poll(() => page.getByTestId('plan-steps').textContent(), { timeout: 5000 }).toMatch(/master_link_status|full sync/);
      await shot(page, 'actions-progress');
    });
    await expect.poll(() => edge(page, r1, m).count(), { timeout: 2 * POLL_MS, interval: 50 }).toBe(1);
    expect(Date.now() - doneAt).toBeLessThanOrEqual(2 * POLL_MS);
    await expect(page.getByTestId('plan-step').first().getAttribute('data-status')).resolves.toBe('ok');
    await shot(page, 'actions-outcome-full-sync');
    await closeDialog(page);
  });

  it('refuses to run a plan the topology no longer fits, and plans again', async () => {
    await page.getByTestId(`node-menu-button-${r2}`).click();
    await page.getByTestId('node-action-detach').click();
    const dialog = page.getByTestId('plan-dialog');
    await expect.poll(() => dialog.getAttribute('data-phase'), { timeout: 15_000 }).toBe('review');
    await page.getByTestId('plan-confirm-input').fill(r2);

    // Someone detaches it by hand meanwhile: the reviewed steps no longer fit.
    const other = new Redis({ host: '127.0.0.1', port: lab.port('replica-2'), lazyConnect: true, maxRetriesPerRequest: 1 });
    await other.connect();
    try {
      await other.call('REPLICAOF', 'NO', 'ONE');
      await page.getByTestId('plan-run').click();
      const error = page.getByTestId('run-error');
      await error.waitFor({ timeout: 15_000 });
      await expect(error.getAttribute('data-code')).resolves.toBe('PLAN_STALE');
      await expect(error.getAttribute('data-sent')).resolves.toBe('nothing');
      expect(await error.textContent()).toMatch(/Not run: nothing was sent[\s\S]*no longer fit\. Plan again/);
      // A stale plan is not offered to run as it is.
      await expect(page.getByTestId('plan-run').count()).resolves.toBe(0);
      await shot(page, 'actions-run-refused');

      // Put it back, and plan again: a fresh plan to review from scratch.
      await other.call('REPLICAOF', '127.0.0.1', String(lab.port('replica-1')));
    } finally {
      await other.quit();
    }
    await page.getByTestId('plan-again').click();
    await expect.poll(() => dialog.getAttribute('data-phase'), { timeout: 15_000 }).toBe('review');
    await expect(page.getByTestId('run-error').count()).resolves.toBe(0);
    await expect(page.getByTestId('plan-confirm-input').inputValue()).resolves.toBe('');
    await page.getByTestId('plan-cancel').click();
    await expect.poll(() => dialog.getAttribute('data-phase')).toBe('closed');
    await expect.poll(() => edge(page, r1, r2).getAttribute('data-health'), { timeout: 15_000 }).toBe('up');
  });

  it('lists the three changes in the audit view, newest first', async () => {
    await page.getByTestId('tab-audit').click();
    const rows = page.getByTestId('audit-row');
    await expect.poll(() => rows.count(), { timeout: 5000 }).toBe(3);
    const first = (await rows.first().textContent()) ?? '';
    expect(first).toContain(`Make ${m} replicate from ${r1}`);
    expect(first).toContain(`REPLICAOF 127.0.0.1 ${lab.port('replica-1')}`);
    expect(first).toMatch(/via web/);
    expect(await rows.nth(1).textContent()).toContain(`Promote ${r1}`);
    await shot(page, 'actions-audit');
    await page.getByTestId('tab-charts').click();
    await page.getByTestId('lag-chart').waitFor();
  });

  it('looks right in dark: drag, plan dialog, outcome and audit', async () => {
    const dark = await openPage(e2e.browser, server.url, 'dark');
    try {
      const p = dark.page;
      await expect.poll(() => p.locator('[data-testid^="node-card-"]').count(), { timeout: 15_000 }).toBe(4);
      await expect.poll(() => p.locator('html').getAttribute('data-theme')).toBe('dark');
      await expect.poll(() => p.locator('[data-testid^="edge-"][data-health="up"]').count(), { timeout: 15_000 }).toBe(3);
      // r2 under r11, its sibling: a partial resync.
      await dragOnto(p, r2, r11);
      await expect.poll(() => card(p, r11).getAttribute('data-drop')).toBe('valid');
      await expect.poll(() => card(p, m).getAttribute('data-drop')).not.toBe('');
      await shot(p, 'actions-drag-dark');
      await p.mouse.up();
      await expect.poll(() => p.getByTestId('plan-dialog').getAttribute('data-phase'), { timeout: 15_000 }).toBe('review');
      // Siblings take one stream: the move is held inside a short write pause on the master, which can be declined.
      const pause = p.getByTestId('option-write-pause');
      const race = p.locator('[data-testid="plan-checks"] [data-code="RESYNC_RACE"]');
      await expect(pause.isChecked()).resolves.toBe(true);
      await expect(p.getByTestId('plan-steps').textContent()).resolves.toMatch(/CLIENT PAUSE 2000 WRITE[\s\S]*REPLICAOF[\s\S]*CLIENT UNPAUSE/);
      await expect(race.getAttribute('data-verdict')).resolves.toBe('ok');
      await shot(p, 'actions-plan-dialog-dark');
      await pause.uncheck();
      await expect.poll(() => race.getAttribute('data-verdict'), { timeout: 15_000 }).toBe('warning');
      await expect(p.getByTestId('plan-steps').textContent()).resolves.not.toContain('CLIENT PAUSE');
      await shot(p, 'actions-plan-no-pause-dark');
      await pause.check();
      await expect.poll(() => race.getAttribute('data-verdict'), { timeout: 15_000 }).toBe('ok');
      await confirmAndRun(p);
      await expect.poll(() => edge(p, r11, r2).count(), { timeout: 2 * POLL_MS, interval: 50 }).toBe(1);
      await shot(p, 'actions-outcome-dark');
      await closeDialog(p);
      await p.getByTestId(`node-menu-button-${r11}`).click();
      await p.getByTestId('node-menu').waitFor();
      await shot(p, 'actions-node-menu-dark');
      await p.keyboard.press('Escape');
      // Focus back on the card's actions button (it fell to <body>: a keyboard user started over at the top).
      await expect.poll(() => p.locator(':focus').getAttribute('data-testid')).toBe(`node-menu-button-${r11}`);
      await p.getByTestId('tab-audit').click();
      await expect.poll(() => p.getByTestId('audit-row').count(), { timeout: 5000 }).toBe(4);
      await shot(p, 'actions-audit-dark');
      expect(dark.problems).toEqual([]);
    } finally {
      await dark.context.close();
    }
  });

  it('logged no errors in the page', () => {
    expect(problems).toEqual([]);
  });
});

describe('an overridable check', () => {
  const PASSWORD = 'e2e-override-secret';
  let lab: Lab;
  let auditDir: string;
  let service: ConsoleService;
  let server: WebServer;

  beforeAll(async () => {
    lab = await Lab.start({ nodes: [{ name: 'master' }, { name: 'replica-1', replicaOf: 'master' }, { name: 'replica-2', replicaOf: 'master' }], password: PASSWORD });
    // replica-1 loses its link for good (a wrong masterauth) and writes go on without it.
    const r1 = new Redis({ host: '127.0.0.1', port: lab.port('replica-1'), password: PASSWORD, maxRetriesPerRequest: 1 });
    const master = new Redis({ host: '127.0.0.1', port: lab.port('master'), password: PASSWORD, maxRetriesPerRequest: 1 });
    try {
      await r1.config('SET', 'masterauth', 'not-the-password');
      await master.client('KILL', 'TYPE', 'replica');
      for (let i = 0; i < 50; i++) await master.set(`lag:${i}`, 'x'.repeat(1000));
    } finally {
      r1.disconnect();
      master.disconnect();
    }
    auditDir = await mkdtemp(join(tmpdir(), 'rc-e2e-audit-'));
    service = new ConsoleService({ interface: 'web', auditDir });
    // The master no longer lists replica-1: it is a seed of its own.
    await service.connect({ seeds: [lab.address('master'), lab.address('replica-1')], password: PASSWORD, pollIntervalMs: POLL_MS });
    server = await startWebServer({ rendererDir: e2e.rendererDir, service });
  });

  afterAll(async () => {
    await server?.close();
    await service?.close();
    await lab?.close();
    if (auditDir) await rm(auditDir, { recursive: true, force: true });
  });

  it('keeps Run disabled until "run anyway" is ticked for a replica that lacks writes', async () => {
    const { context, page, problems } = await openPage(e2e.browser, server.url, 'light');
    try {
      const r1 = lab.address('replica-1');
      await card(page, r1).waitFor({ timeout: 15_000 });
      await page.getByTestId(`node-menu-button-${r1}`).click();
      await page.getByTestId('node-action-promote').click();
      const dialog = page.getByTestId('plan-dialog');
      await expect.poll(() => dialog.getAttribute('data-phase'), { timeout: 15_000 }).toBe('review');
      const override = page.getByTestId('override-REPLICA_BEHIND');
      await override.waitFor();
      await page.getByTestId('plan-confirm-input').fill(r1);
      await expect(page.getByTestId('plan-run').isDisabled()).resolves.toBe(true);
      await expect(page.getByTestId('plan-blockers').textContent()).resolves.toContain('tick "run anyway" for REPLICA_BEHIND');
      await shot(page, 'actions-plan-override');
      await override.locator('input').check();
      await expect.poll(() => page.getByTestId('plan-run').isEnabled()).toBe(true);
      await expect(page.getByTestId('plan-blockers').textContent()).resolves.toContain('Ready to run');
      await page.getByTestId('plan-cancel').click();
      await expect.poll(() => dialog.getAttribute('data-phase')).toBe('closed');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('the REPLICAOF target (behind NAT replicas may need another address for their master)', () => {
  const SHOTS = '/tmp/rc-e2e-replicaof-target';
  let lab: Lab;
  let auditDir: string;
  let service: ConsoleService;
  let server: WebServer;

  beforeAll(async () => {
    lab = await Lab.start({ nodes: [{ name: 'master' }, { name: 'replica-1', replicaOf: 'master' }, { name: 'replica-2', replicaOf: 'master' }] });
    auditDir = await mkdtemp(join(tmpdir(), 'rc-e2e-audit-'));
    service = new ConsoleService({ interface: 'web', auditDir });
    await service.connect({ seeds: [lab.address('master')], pollIntervalMs: POLL_MS });
    server = await startWebServer({ rendererDir: e2e.rendererDir, service });
  });

  afterAll(async () => {
    await server?.close();
    await service?.close();
    await lab?.close();
    if (auditDir) await rm(auditDir, { recursive: true, force: true });
  });

  it('shows where replicas will dial the new master, and re-plans with the name typed for it', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { context, page, problems } = await openPage(e2e.browser, server.url, scheme);
      try {
        const r1 = lab.address('replica-1');
        const port = lab.port('replica-1');
        await card(page, r1).waitFor({ timeout: 15_000 });
        await page.getByTestId(`node-menu-button-${r1}`).click();
        await page.getByTestId('node-action-promote-repoint').click();
        const dialog = page.getByTestId('plan-dialog');
        await expect.poll(() => dialog.getAttribute('data-phase'), { timeout: 15_000 }).toBe('review');
        const target = page.getByTestId('replicaof-target');
        await expect(target.getAttribute('data-address')).resolves.toBe(`127.0.0.1:${port}`);
        expect(await target.textContent()).toContain(`Replicas will dial the new master at 127.0.0.1:${port}`);

        await page.getByTestId('replicaof-target-change').click();
        const input = page.getByTestId('replicaof-target-input');
        await expect(input.inputValue()).resolves.toBe(`127.0.0.1:${port}`);
        // No port: refused in the page, nothing re-planned.
        await input.fill('localhost');
        await page.getByTestId('replicaof-target-apply').click();
        await expect(page.getByTestId('replicaof-target-error').textContent()).resolves.toContain('give the port too');
        await expect(dialog.getAttribute('data-phase')).resolves.toBe('review');
        await page.screenshot({ path: `${SHOTS}-invalid-${scheme}.png` });

        // The master's alias: the engine plans REPLICAOF with it.
        await input.fill(`localhost:${port}`);
        await page.getByTestId('replicaof-target-apply').click();
        await expect.poll(() => target.getAttribute('data-address'), { timeout: 15_000 }).toBe(`localhost:${port}`);
        await expect.poll(() => dialog.getAttribute('data-phase')).toBe('review');
        await expect(page.getByTestId('plan-steps').textContent()).resolves.toContain(`REPLICAOF localhost ${port}`);
        await expect(page.getByTestId('plan-steps').textContent()).resolves.not.toContain(`REPLICAOF 127.0.0.1 ${port}`);
        await page.screenshot({ path: `${SHOTS}-${scheme}.png` });
        await page.getByTestId('plan-cancel').click();
        await expect.poll(() => dialog.getAttribute('data-phase')).toBe('closed');
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    }
  });
});
