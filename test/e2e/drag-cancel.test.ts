// Escape during a drag, in real Chromium through the web mode against a real lab: the drag ends
// there (no ghost, no drop targets, the card back where the layout put it and no longer following
// the pointer), and letting go over a valid master afterwards plans nothing.
import { afterAll, describe, expect, it } from 'vitest';
import { Lab, docsLayout } from '../../electron/lab/lab';
import { card, shot, useBrowserAndRenderer } from '../helpers/browser';
import { boxOf, dragOnto, settled } from '../helpers/drag';
import { openServiceConsole, useCleanups } from '../helpers/web-e2e';

const e2e = useBrowserAndRenderer('rc-e2e-drag-cancel-');
const cleanups = useCleanups();

describe('a drag cancelled with Escape', () => {
  let problems: string[] = [];

  it('ends the drag, puts the card back, and a drop after it sends nothing', async () => {
    const lab = await Lab.start({ nodes: docsLayout() });
    cleanups.push(() => lab.close());
    const opened = await openServiceConsole(e2e, cleanups, lab.address('master'));
    const { page } = opened;
    problems = opened.problems;
    const [m, r11] = [lab.address('master'), lab.address('replica-1-1')];
    await page.locator('[data-testid^="edge-"][data-health="up"]').nth(2).waitFor({ timeout: 15_000 });

    const home = await settled(page, r11);
    await dragOnto(page, r11, m);
    await expect.poll(() => page.getByTestId('move-over').getAttribute('data-verdict')).toBe('valid');
    await page.keyboard.press('Escape');

    await expect.poll(() => page.getByTestId('move-over').count()).toBe(0);
    await expect.poll(() => card(page, m).getAttribute('data-drop')).toBe('');
    await expect.poll(() => boxOf(page, r11)).toEqual(home);
    // The pointer moves on with the button still down: the card stays home.
    await page.mouse.move(home.x + 200, home.y + 120, { steps: 5 });
    await expect(boxOf(page, r11)).resolves.toEqual(home);
    await expect(page.getByTestId('move-over').count()).resolves.toBe(0);
    await shot(page, 'drag-cancelled');

    // Let go over the master: nothing planned, the replica still under replica-1.
    const over = await boxOf(page, m);
    await page.mouse.move(over.x + over.width * 0.35, over.y + 22, { steps: 5 });
    await page.mouse.up();
    await expect(boxOf(page, r11)).resolves.toEqual(home);
    await expect(page.getByTestId('plan-dialog').getAttribute('data-phase')).resolves.toBe('closed');
    await expect(page.getByTestId('move-refused').count()).resolves.toBe(0);
    await expect(page.locator(`[data-testid="edge-${lab.address('replica-1')}-${r11}"]`).count()).resolves.toBe(1);
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'drag-cancelled-dropped-dark');
  });

  afterAll(() => {
    expect(problems).toEqual([]);
  });
});
