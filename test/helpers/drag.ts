// Dragging a card in the graph with a real pointer, for the e2e tests of drag-and-drop re-pointing.
import type { Page } from 'playwright-core';
import { card } from './browser';

export type Box = { x: number; y: number; width: number; height: number };

export async function boxOf(page: Page, address: string): Promise<Box> {
  const box = await card(page, address).boundingBox();
  if (!box) throw new Error(`no card for ${address}`);
  return box;
}

/** Waits until the graph stops moving (a re-layout fits the view with a short animation). */
export async function settled(page: Page, address: string): Promise<Box> {
  let last = await boxOf(page, address);
  for (let i = 0; i < 40; i++) {
    await page.waitForTimeout(150);
    const now = await boxOf(page, address);
    if (Math.abs(now.x - last.x) < 0.5 && Math.abs(now.y - last.y) < 0.5) return now;
    last = now;
  }
  return last;
}

/**
 * Presses on the head of `from`, moves in small steps (xyflow needs real pointer moves past
 * its drag threshold) to the upper part of `to`, and leaves the button down: the caller looks,
 * then calls page.mouse.up().
 */
export async function dragOnto(page: Page, from: string, to: string): Promise<void> {
  const a = await settled(page, from);
  const b = await boxOf(page, to);
  const start = { x: a.x + a.width * 0.35, y: a.y + 14 };
  const end = { x: b.x + b.width * 0.35, y: b.y + 22 };
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x + 6, start.y + 6, { steps: 3 });
  await page.mouse.move(end.x, end.y, { steps: 15 });
  await page.mouse.move(end.x + 2, end.y + 1, { steps: 2 });
}
