// A big topology in real Chromium, through the web mode, against real redis-servers: 50 direct
// replicas of one master, one of them with 6 replicas of its own (57 nodes). The graph must stay
// readable at fit view (collapsed by default, a grid when expanded), a stalled replica must come
// first (in its grid, beside the summary, in the table sorted by state), and the search must
// find a node. A tree of 100 nodes must start folded from the bottom up, readable at fit view. Screenshots
// land in test-artifacts/ for a human to look at, light and dark.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, docsLayout, masterWithReplicas, type LabNodeSpec } from '../../electron/lab/lab';
import { startWebServer, type WebServer } from '../../electron/web/server';
import { ARTIFACTS, card, connectThroughForm, openPage, shot, useBrowserAndRenderer } from '../helpers/browser';

const e2e = useBrowserAndRenderer('rc-e2e-big-');

/** Card width on screen at fit view below which an address no longer reads. */
const READABLE_PX = 150;

function bigLayout(): LabNodeSpec[] {
  const subs = Array.from({ length: 6 }, (_, i) => ({ name: `sub-${i + 1}`, replicaOf: 'replica-1' }));
  return [...masterWithReplicas(50), ...subs];
}

const cards = (page: Page): Locator => page.locator('[data-testid^="node-card-"]');

/** Where the layout put a card: its Svelte Flow node's style (position). */
const placed = (page: Page, address: string): Promise<string | null> =>
  card(page, address).locator('xpath=ancestor::div[contains(@class, "svelte-flow__node")][1]').getAttribute('style');

async function box(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await locator.boundingBox();
  if (!b) throw new Error('not on screen');
  return b;
}

/** Waits until the viewport stops moving (a fit or a centring animates) and returns where it rests. */
async function settled(page: Page): Promise<string> {
  const viewport = page.locator('.svelte-flow__viewport');
  let last = '';
  await expect
    .poll(
      async () => {
        const now = (await viewport.getAttribute('style')) ?? '';
        const still = now === last;
        last = now;
        return still;
      },
      { interval: 150, timeout: 5000 },
    )
    .toBe(true);
  return last;
}

async function fit(page: Page): Promise<void> {
  await page.getByTestId('fit-view').click();
  await settled(page);
}

describe('a topology of 57 nodes', () => {
  let lab: Lab;
  let server: WebServer;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let master: string;
  let connectedAt = 0;

  beforeAll(async () => {
    lab = await Lab.start({ nodes: bigLayout() });
    master = lab.address('master');
    server = await startWebServer({ rendererDir: e2e.rendererDir });
    ({ context, page, problems } = await openPage(e2e.browser, server.url));
    connectedAt = Date.now();
    await connectThroughForm(page, master);
    await page.getByTestId('topology-graph').waitFor();
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    await lab?.close();
  });

  /** The grid's replicas in their slots' order: replica-1 feeds sub-replicas, and addresses sort as numbers. */
  const gridOrder = (): string[] => Array.from({ length: 49 }, (_, i) => `replica-${i + 2}`).sort((a, b) => lab.port(a) - lab.port(b));

  it('starts with the 50-replica fan-out collapsed into one summary, readable at fit view', async () => {
    const summary = page.getByTestId(`subtree-summary-${master}`);
    await summary.waitFor({ timeout: 20_000 });
    console.log(`first render, connect to summary card: ${Date.now() - connectedAt} ms`);
    await expect.poll(() => summary.getAttribute('data-count'), { timeout: 20_000 }).toBe('56');
    await expect.poll(() => summary.getAttribute('data-problems'), { timeout: 20_000 }).toBe('0');
    await expect.poll(() => cards(page).count()).toBe(1);
    await fit(page);
    expect((await box(card(page, master))).width).toBeGreaterThanOrEqual(READABLE_PX);
    expect((await box(summary)).width).toBeGreaterThanOrEqual(READABLE_PX);
    await shot(page, 'big-collapsed-light');
  });

  it('expands into grids: every card drawn, none overlapping, far wider than one row of 50 would be', async () => {
    await page.getByTestId(`collapse-${master}`).click();
    await expect.poll(() => cards(page).count(), { timeout: 10_000 }).toBe(57);
    await expect(page.getByTestId(`subtree-summary-${master}`).count()).resolves.toBe(0);
    await fit(page);
    const boxes = await Promise.all((await cards(page).all()).map(box));
    for (let i = 0; i < boxes.length; i += 1) {
      for (let j = i + 1; j < boxes.length; j += 1) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        const overlap = a.x < b.x + b.width - 1 && b.x < a.x + a.width - 1 && a.y < b.y + b.height - 1 && b.y < a.y + a.height - 1;
        expect(overlap, `cards ${i} and ${j} overlap`).toBe(false);
      }
    }
    const width = Math.min(...boxes.map((b) => b.width));
    console.log(`expanded, card width at fit view: ${width.toFixed(0)} px`);
    // One row of 50 in a ~1000 px panel: under 20 px a card. The grid keeps several times that.
    expect(width).toBeGreaterThanOrEqual(60);
    // Zoomed out this far, a card says its address and state large (the 12 px text would be specks).
    await expect(page.locator('.svelte-flow.far').count()).resolves.toBe(1);
    const far = card(page, lab.address('replica-2')).locator('.far-address');
    expect(Number.parseFloat(await far.evaluate((el) => (el.ownerDocument.defaultView as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(el).fontSize)) * (width / 240)).toBeGreaterThanOrEqual(6);
    await expect(card(page, lab.address('replica-2')).locator('.far-state').textContent()).resolves.toContain('Live');
    // The way back out stays inside its card at this size (it ran 23-37 units past the edge).
    const [masterCard, fold] = [await box(card(page, master)), await box(page.getByTestId(`collapse-${master}`))];
    expect(fold.x + fold.width).toBeLessThanOrEqual(masterCard.x + masterCard.width);
    // An edge's label leaves its figures out this far (the cards carry the lag): none to work out per tick.
    await expect(page.getByTestId(`edge-${master}-${lab.address('replica-2')}`).evaluate((el) => el.textContent?.trim())).resolves.toBe('');
    // Several rows of replicas: a grid, not a row.
    expect(new Set(boxes.map((b) => Math.round(b.y))).size).toBeGreaterThanOrEqual(4);
    // The sub-replicas hang below their own master.
    expect((await box(card(page, lab.address('sub-1')))).y).toBeGreaterThan((await box(card(page, lab.address('replica-1')))).y);
    await shot(page, 'big-expanded-light');

    // A subtree collapsed at this zoom: its summary reads large too (its 12 px rows were 2.5 px on screen).
    const sub = lab.address('replica-1');
    await page.getByTestId(`collapse-${sub}`).click();
    const summary = page.getByTestId(`subtree-summary-${sub}`);
    await summary.waitFor();
    await fit(page);
    const count = summary.locator('.far-count');
    await expect(count.textContent()).resolves.toBe('6 replicas');
    await expect(summary.locator('.far-state').textContent()).resolves.toBe('all live');
    const zoom = (await box(summary)).width / 240;
    expect(Number.parseFloat(await count.evaluate((el) => (el.ownerDocument.defaultView as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(el).fontSize)) * zoom).toBeGreaterThanOrEqual(6);
    await shot(page, 'big-far-summary-light');
    await page.getByTestId(`expand-${sub}`).click();
    await expect.poll(() => cards(page).count(), { timeout: 10_000 }).toBe(57);

    // Exported at this zoom, the picture holds the cards whole (their rows), not their far view
    // (address and state): it is drawn at one pixel per unit. The view stays as it was.
    const [svg] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-svg').click()]);
    const raw = await readFile(await svg.path(), 'utf8');
    const text = raw.startsWith('data:') ? decodeURIComponent(raw.slice(raw.indexOf(',') + 1)) : raw;
    expect(text.match(/<text[^>]*>(?:(?!<\/text>).)*offset/gs)?.length ?? 0).toBeGreaterThanOrEqual(57);
    await writeFile(join(ARTIFACTS, 'big-export-at-fit-resvg.png'), new Resvg(text, { fitTo: { mode: 'width', value: 2400 } }).render().asPng());
    await expect(page.locator('.svelte-flow.far').count()).resolves.toBe(1);
    await expect(page.getByTestId('export-problem').count()).resolves.toBe(0);
  });

  it('puts a stalled replica first in its grid, first in the table by state, and beside the summary when collapsed', async () => {
    const stalled = lab.address('replica-37');
    const first = lab.address('replica-10');
    lab.pause('replica-37');
    try {
      const stalledCard = card(page, stalled);
      // Not answering: stale first, unreachable once its polls keep timing out.
      await expect
        .poll(async () => (await stalledCard.getAttribute('data-stale')) === 'true' || (await stalledCard.getAttribute('data-reachable')) === 'false', { timeout: 15_000 })
        .toBe(true);
      // The grid is laid out again with the problem first: top-left of the replicas.
      await expect
        .poll(
          async () => {
            const s = await box(stalledCard);
            const f = await box(card(page, first));
            return s.y < f.y || (s.y === f.y && s.x < f.x);
          },
          { timeout: 5000 },
        )
        .toBe(true);
      await shot(page, 'big-stalled-light');
      // Zoomed out, its card says so in one word: no lag figures cut off beside it.
      await stalledCard.and(page.locator('[data-reachable="false"]')).waitFor({ timeout: 15_000 });
      await expect.poll(() => stalledCard.locator('.far-state').textContent()).toBe('Unreachable');
      // The side panel's list (no node selected) puts it first too, not below the fold.
      await expect.poll(() => page.locator('table.overview tbody tr[data-node]').first().getAttribute('data-node')).toBe(stalled);
      // Its row says so, as its card does (both read the node's facts).
      await expect.poll(() => page.locator(`table.overview tbody tr[data-node="${stalled}"]`).textContent()).toContain('down');

      await page.getByTestId('tab-nodes').click();
      const table = page.getByTestId('node-table');
      await expect.poll(() => table.locator('tbody tr[data-node]').count()).toBe(57);
      // Unsorted: topology order, the master first.
      await expect(table.locator('tbody tr').first().getAttribute('data-node')).resolves.toBe(master);
      await page.getByTestId('sort-status').click();
      await expect(page.locator('th[aria-sort="ascending"]').textContent()).resolves.toContain('State');
      await expect.poll(() => table.locator('tbody tr').first().getAttribute('data-node')).toBe(stalled);
      await page.getByTestId('node-filter-state').selectOption('problems');
      await expect.poll(() => table.locator('tbody tr[data-node]').count()).toBeLessThan(57);
      await expect(table.locator(`tbody tr[data-node="${stalled}"]`).count()).resolves.toBe(1);
      await shot(page, 'big-table-light');
      await page.getByTestId('node-filter-state').selectOption('all');

      // Collapsed again: the summary counts the problem, and the stalled card stays drawn beside it.
      await page.getByTestId(`collapse-${master}`).click();
      const summary = page.getByTestId(`subtree-summary-${master}`);
      await summary.waitFor();
      await expect.poll(() => summary.getAttribute('data-problems')).not.toBe('0');
      await expect(stalledCard.count()).resolves.toBe(1);
      await fit(page);
      expect((await box(stalledCard)).width).toBeGreaterThanOrEqual(READABLE_PX);
      await shot(page, 'big-collapsed-stalled-light');
    } finally {
      lab.resume('replica-37');
    }
    await expect.poll(() => card(page, stalled).count(), { timeout: 20_000 }).toBe(0);
  });

  it('a table row selects its node and brings it into view, expanding its subtree', async () => {
    const target = lab.address('replica-44');
    await page.getByTestId('sort-status').click();
    await page.locator(`[data-testid="node-table"] tr[data-node="${target}"]`).click();
    await card(page, target).waitFor({ timeout: 5000 });
    await expect.poll(() => page.getByTestId('node-details').textContent(), { timeout: 5000 }).toContain(target);
    const graph = await box(page.getByTestId('topology-graph'));
    await expect
      .poll(async () => {
        const b = await box(card(page, target));
        return Math.abs(b.x + b.width / 2 - (graph.x + graph.width / 2)) < 60 && Math.abs(b.y + b.height / 2 - (graph.y + graph.height / 2)) < 60;
      }, { timeout: 5000 })
      .toBe(true);
    // Zoomed in to read it: its edge's label has its lag figures again.
    await expect.poll(() => page.getByTestId(`edge-${master}-${target}`).textContent(), { timeout: 5000 }).toMatch(/\d+(\.\d+)? ?[KMG]?i?B · /);
  });

  it('the search finds a node by part of its address, centres and outlines it; says no match; Escape clears', async () => {
    // Collapse first: the search must expand to reach it. The last test centred a replica: fit to reach the master.
    await fit(page);
    await page.getByTestId(`collapse-${master}`).click();
    await page.getByTestId(`subtree-summary-${master}`).waitFor();
    // The first card of the grid, and the last, which will stall below.
    const grid = gridOrder();
    const [found, last] = [grid[0]!, grid.at(-1)!];
    const target = lab.address(found);
    await expect(card(page, target).count()).resolves.toBe(0);
    const search = page.getByTestId('graph-search');
    await search.fill('zz-nothing');
    await expect.poll(() => page.getByTestId('graph-search-result').textContent()).toBe('no match');
    await search.fill(String(lab.port(found)));
    await expect.poll(() => page.getByTestId('graph-search-result').textContent()).toContain('1 match');
    await search.press('Enter');
    await card(page, target).waitFor({ timeout: 5000 });
    await expect.poll(() => card(page, target).getAttribute('class')).toContain('found');
    const graph = await box(page.getByTestId('topology-graph'));
    await expect
      .poll(async () => {
        const b = await box(card(page, target));
        return Math.abs(b.x + b.width / 2 - (graph.x + graph.width / 2)) < 60 && b.width >= READABLE_PX;
      }, { timeout: 5000 })
      .toBe(true);
    await shot(page, 'big-search-light');
    // A relayout that moves it centres it again, the found node stays in view: the grid's last
    // replica stalls and is sorted first, and every card before its slot moves on by one.
    const before = await placed(page, target);
    lab.pause(last);
    try {
      const stalled = card(page, lab.address(last));
      await expect
        .poll(async () => (await stalled.getAttribute('data-stale')) === 'true' || (await stalled.getAttribute('data-reachable')) === 'false', { timeout: 15_000 })
        .toBe(true);
      await expect.poll(() => placed(page, target), { timeout: 10_000 }).not.toBe(before);
      await expect
        .poll(async () => {
          const b = await box(card(page, target));
          return Math.abs(b.x + b.width / 2 - (graph.x + graph.width / 2)) < 60;
        }, { timeout: 5000 })
        .toBe(true);
    } finally {
      lab.resume(last);
    }
    await expect.poll(() => card(page, lab.address(last)).getAttribute('data-reachable'), { timeout: 15_000 }).toBe('true');
    await expect.poll(() => card(page, lab.address(last)).getAttribute('data-stale'), { timeout: 15_000 }).toBe('false');
    // Another node selected: the outline goes with the selection (two cards looked selected).
    await card(page, lab.address(grid[1]!)).click();
    await expect.poll(() => card(page, target).getAttribute('class')).not.toContain('found');
    await expect.poll(() => card(page, target).getAttribute('class')).not.toContain('selected');
    await search.press('Escape');
    await expect(search.inputValue()).resolves.toBe('');
    await expect.poll(() => card(page, target).getAttribute('class')).not.toContain('found');
  });

  it('keeps a view the user zoomed while a fit ran: a later relayout does not fit it away', async () => {
    const graph = await box(page.getByTestId('topology-graph'));
    // Wheel-zoom inside the fit's 250 ms animation: the fit is cut short.
    await page.mouse.move(graph.x + graph.width / 2, graph.y + graph.height / 2);
    await page.getByTestId('fit-view').click();
    await page.mouse.move(graph.x + graph.width / 2, graph.y + graph.height / 2);
    await page.mouse.wheel(0, -400);
    const zoomed = await settled(page);
    // The grid's last replica stalls: its card changes, and the grid is laid out again with it first.
    const name = gridOrder().at(-1)!;
    const stalled = lab.address(name);
    const slot = await placed(page, stalled);
    lab.pause(name);
    try {
      await expect
        .poll(() => placed(page, stalled), { timeout: 15_000 })
        .not.toBe(slot);
      // A fit would start within a few frames of the relayout and animate for 250 ms.
      await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 600)));
      expect(await page.locator('.svelte-flow__viewport').getAttribute('style')).toBe(zoomed);
    } finally {
      lab.resume(name);
    }
    await expect.poll(() => card(page, stalled).getAttribute('data-reachable'), { timeout: 15_000 }).toBe('true');
    await expect.poll(() => card(page, stalled).getAttribute('data-stale'), { timeout: 15_000 }).toBe('false');
  });

  it('exports the snapshot as JSON: every node, edge and warning', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    expect(download.suggestedFilename()).toMatch(/^replication-127\.0\.0\.1_\d+-.+\.json$/);
    const path = await download.path();
    const snapshot = JSON.parse(await readFile(path, 'utf8')) as { nodes: { address: string }[]; edges: unknown[] };
    expect(snapshot.nodes).toHaveLength(57);
    expect(snapshot.edges).toHaveLength(56);
    expect(snapshot.nodes.map((n) => n.address)).toContain(lab.address('replica-50'));
  });

  it('looks right in dark, collapsed and expanded', async () => {
    const dark = await openPage(e2e.browser, server.url, 'dark');
    try {
      const p = dark.page;
      await expect.poll(() => p.locator('html').getAttribute('data-theme')).toBe('dark');
      await p.getByTestId(`subtree-summary-${master}`).waitFor({ timeout: 15_000 });
      await fit(p);
      await shot(p, 'big-collapsed-dark');
      await p.getByTestId(`collapse-${master}`).click();
      await expect.poll(() => cards(p).count(), { timeout: 10_000 }).toBe(57);
      await fit(p);
      await shot(p, 'big-expanded-dark');
      await p.getByTestId('tab-nodes').click();
      await p.getByTestId('node-table').waitFor();
      await shot(p, 'big-table-dark');
      expect(dark.problems).toEqual([]);
    } finally {
      await dark.context.close();
    }
  });

  it('logged no errors in the page', () => {
    expect(problems).toEqual([]);
  });
});

/** 'master' → 'm1'…'m9' → 10 replicas each ('m1-1'…'m9-10'): 100 nodes, as the renderer bench draws them. */
function hundredLayout(): LabNodeSpec[] {
  const middles = Array.from({ length: 9 }, (_, i) => `m${i + 1}`);
  return [
    { name: 'master' },
    ...middles.map((name) => ({ name, replicaOf: 'master' })),
    ...middles.flatMap((m) => Array.from({ length: 10 }, (_, i) => ({ name: `${m}-${i + 1}`, replicaOf: m }))),
  ];
}

describe('a tree of 100 nodes (a master, 9 replicas, 10 under each)', () => {
  let lab: Lab;
  let server: WebServer;
  const summaries = (page: Page): Locator => page.locator('[data-testid^="subtree-summary-"]');

  beforeAll(async () => {
    lab = await Lab.start({ nodes: hundredLayout() });
    server = await startWebServer({ rendererDir: e2e.rendererDir });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await lab?.close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`starts folded from the bottom: 10 cards and 9 summaries, readable at fit view; one expands alone (${scheme})`, async () => {
      const { context, page, problems } = await openPage(e2e.browser, server.url, scheme);
      try {
        if (scheme === 'light') await connectThroughForm(page, lab.address('master'));
        const middles = Array.from({ length: 9 }, (_, i) => lab.address(`m${i + 1}`));
        for (const m of middles) await expect.poll(() => page.getByTestId(`subtree-summary-${m}`).getAttribute('data-count'), { timeout: 30_000 }).toBe('10');
        await expect.poll(() => cards(page).count()).toBe(10);
        await expect(page.getByTestId(`subtree-summary-${lab.address('master')}`).count()).resolves.toBe(0);
        await fit(page);
        // Zoomed out, cards say their address large: 9 px or more on screen (unfolded, about 5 px).
        const zoom = (await box(card(page, middles[0]!))).width / 240;
        console.log(`100 nodes folded, zoom at fit view: ${zoom.toFixed(2)}`);
        await expect(page.locator('.svelte-flow.far').count()).resolves.toBe(1);
        const far = card(page, middles[0]!).locator('.far-address');
        expect(Number.parseFloat(await far.evaluate((el) => (el.ownerDocument.defaultView as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(el).fontSize)) * zoom).toBeGreaterThanOrEqual(9);
        await shot(page, `big-hundred-folded-${scheme}`);
        await page.getByTestId(`expand-${middles[0]}`).click();
        await expect.poll(() => cards(page).count(), { timeout: 10_000 }).toBe(20);
        await expect.poll(() => summaries(page).count()).toBe(8);
        // A middle master stalls: its 10 replicas still answer (live, folded), but nothing reaches them. The summary said "all live", in green.
        const stalled = middles[8]!;
        const summary = page.getByTestId(`subtree-summary-${stalled}`);
        lab.pause('m9');
        try {
          await expect.poll(() => summary.getAttribute('data-cut-off'), { timeout: 15_000 }).toBe('true');
          expect(await summary.textContent()).toContain('receive nothing');
          expect(await summary.textContent()).not.toContain('all live');
          await shot(page, `big-hundred-cut-off-${scheme}`);
        } finally {
          lab.resume('m9');
        }
        await expect.poll(() => summary.getAttribute('data-cut-off'), { timeout: 15_000 }).toBe('false');
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }
});

describe('the 4-node docs topology keeps its picture', () => {
  let lab: Lab;
  let server: WebServer;

  beforeAll(async () => {
    lab = await Lab.start({ nodes: docsLayout() });
    server = await startWebServer({ rendererDir: e2e.rendererDir });
  });

  afterAll(async () => {
    await server?.close();
    await lab?.close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`draws 4 readable cards, no grid and no collapse control (${scheme})`, async () => {
      const { context, page, problems } = await openPage(e2e.browser, server.url, scheme);
      try {
        if (scheme === 'light') await connectThroughForm(page, lab.address('master'));
        await expect.poll(() => cards(page).count(), { timeout: 15_000 }).toBe(4);
        await expect.poll(() => page.locator('[data-testid^="edge-"][data-health="up"]').count(), { timeout: 15_000 }).toBe(3);
        await expect(page.locator('[data-testid^="collapse-"]').count()).resolves.toBe(0);
        await fit(page);
        for (const name of ['master', 'replica-1', 'replica-2', 'replica-1-1']) expect((await box(card(page, lab.address(name)))).width).toBeGreaterThanOrEqual(READABLE_PX);
        await shot(page, `big-four-${scheme}`);
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }
});
