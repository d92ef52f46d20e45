// The real renderer in real Chromium, through the web mode, against real redis-server labs:
// the topology graph, a replica going away and coming back, lag under a write load, and a
// wrong password. Screenshots land in test-artifacts/ for a human to look at.
import type { BrowserContext, Page } from 'playwright-core';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Resvg } from '@resvg/resvg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, docsLayout, masterWithReplicas } from '../../electron/lab/lab';
import { startWebServer, type WebServer } from '../../electron/web/server';
import { ARTIFACTS, card, cardRowsPastEdge, connectThroughForm, openPage, shot, useBrowserAndRenderer } from '../helpers/browser';
import { DEAD_PORT } from '../helpers/dead-port';

const POLL_MS = 1000;

const e2e = useBrowserAndRenderer('rc-e2e-');


/**
 * A data directory of its own for one describe: the labs of the tests before it ran on free ports
 * its lab may get again, and the topology memory would rightly recall their dead nodes there.
 */
function ownDataDir(): { enter: () => Promise<void>; leave: () => Promise<void> } {
  const fileDataDir = process.env.REPLICATION_CONSOLE_DATA_DIR;
  let dataDir = '';
  return {
    enter: async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'rc-e2e-data-'));
      process.env.REPLICATION_CONSOLE_DATA_DIR = dataDir;
    },
    leave: async () => {
      process.env.REPLICATION_CONSOLE_DATA_DIR = fileDataDir;
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}



describe('topology in the web mode, against the docs lab', () => {
  let lab: Lab;
  let server: WebServer;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    lab = await Lab.start({ nodes: docsLayout() });
    server = await startWebServer({ rendererDir: e2e.rendererDir });
    ({ context, page, problems } = await openPage(e2e.browser, server.url));
    await connectThroughForm(page, lab.address('replica-2'));
    await page.getByTestId('topology-graph').waitFor();
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    await lab?.close();
  });

  it('draws all four nodes and the three replication edges', async () => {
    const cards = page.locator('[data-testid^="node-card-"]');
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(4);
    await expect(card(page, lab.address('master')).getAttribute('data-role')).resolves.toBe('master');
    for (const name of ['replica-1', 'replica-2', 'replica-1-1']) {
      await expect(card(page, lab.address(name)).getAttribute('data-role')).resolves.toBe('replica');
      await expect(card(page, lab.address(name)).getAttribute('data-reachable')).resolves.toBe('true');
    }
    const edges: [string, string][] = [
      ['master', 'replica-1'],
      ['master', 'replica-2'],
      ['replica-1', 'replica-1-1'],
    ];
    await expect.poll(() => page.locator('[data-testid^="edge-"]').count(), { timeout: 10_000 }).toBe(3);
    for (const [master, replica] of edges) {
      const edge = page.locator(`[data-testid="edge-${lab.address(master)}-${lab.address(replica)}"]`);
      await expect.poll(() => edge.getAttribute('data-health'), { timeout: 10_000 }).toBe('up');
    }
    // Masters sit above their replicas: the layout is top-down.
    const masterBox = await card(page, lab.address('master')).boundingBox();
    const replicaBox = await card(page, lab.address('replica-1')).boundingBox();
    const subBox = await card(page, lab.address('replica-1-1')).boundingBox();
    expect(masterBox && replicaBox && subBox).toBeTruthy();
    expect(masterBox!.y).toBeLessThan(replicaBox!.y);
    expect(replicaBox!.y).toBeLessThan(subBox!.y);
    await shot(page, 'topology-light');
  });

  it('selects a node and shows every INFO replication field', async () => {
    const address = lab.address('replica-1');
    await card(page, address).click();
    const details = page.getByTestId('node-details');
    await expect.poll(() => details.textContent(), { timeout: 5000 }).toContain(address);
    const raw = page.getByTestId('raw-replication');
    await expect.poll(() => raw.textContent()).toContain('master_link_status');
    await expect.poll(() => raw.textContent()).toContain('slave_repl_offset');
    await shot(page, 'topology-selected');
    // The fields are asked for again each time the node is read: a write shows in its offset.
    const offsetOf = async (): Promise<number> => Number(/slave_repl_offset(\d+)/.exec((await raw.textContent()) ?? '')?.[1] ?? -1);
    const before = await offsetOf();
    const client = new Redis({ host: '127.0.0.1', port: lab.port('master'), lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.set('raw-fields', 'x');
    } finally {
      client.disconnect();
    }
    await expect.poll(offsetOf, { timeout: 5000 }).toBeGreaterThan(before);
    await raw.scrollIntoViewIfNeeded();
    await shot(page, 'topology-selected-raw');
  });

  it('greys out a stopped replica within three poll intervals, and brings it back', async () => {
    const name = 'replica-2';
    const address = lab.address(name);
    // Positions must not move on live ticks: remember where the card is.
    const before = await card(page, lab.address('replica-1')).boundingBox();
    await lab.stop(name);
    const stoppedAt = Date.now();
    await card(page, address).and(page.locator('[data-reachable="false"]')).waitFor({ timeout: 3 * POLL_MS });
    const elapsed = Date.now() - stoppedAt;
    expect(elapsed).toBeLessThanOrEqual(3 * POLL_MS);
    await expect.poll(() => card(page, address).textContent()).toContain('UNREACHABLE');
    await expect
      .poll(() => page.locator(`[data-testid="edge-${lab.address('master')}-${address}"]`).getAttribute('data-health'))
      .toBe('down');
    await shot(page, 'replica-stopped');
    // Its details have no INFO fields to show, and say why; then back to the replica shown before.
    await card(page, address).click();
    await expect.poll(() => page.getByTestId('raw-note').textContent()).toBe('not read: the node does not answer');
    await page.getByTestId('raw-replication').scrollIntoViewIfNeeded();
    await shot(page, 'replica-stopped-details');
    await card(page, lab.address('replica-1')).click();

    await lab.restart(name);
    await card(page, address).and(page.locator('[data-reachable="true"]')).waitFor({ timeout: 15_000 });
    await expect
      .poll(() => page.locator(`[data-testid="edge-${lab.address('master')}-${address}"]`).getAttribute('data-health'), {
        timeout: 20_000,
      })
      .toBe('up');
    const after = await card(page, lab.address('replica-1')).boundingBox();
    expect(after).toEqual(before);
    const timeline = page.getByTestId('events-timeline');
    await expect.poll(() => timeline.locator('li').count(), { timeout: 5000 }).toBeGreaterThan(0);
    await shot(page, 'replica-restarted');
  });

  it("says a stopped replica's master has had no ACK from it, not that its link is down", async () => {
    const edge = page.getByTestId(`edge-${lab.address('master')}-${lab.address('replica-2')}`);
    lab.pause('replica-2');
    try {
      // Its master keeps listing it as online (until repl-timeout); what it says is that the ACKs stopped.
      await expect.poll(() => edge.getAttribute('data-health'), { timeout: 15_000 }).toBe('down');
      await expect.poll(() => edge.textContent(), { timeout: 5000 }).toMatch(/no ACK \d+(\.\d+)? s/);
      // The master's card counts it apart from the replicas it hears from.
      await expect.poll(() => card(page, lab.address('master')).textContent()).toMatch(/1 online, 1 silent/);
      await shot(page, 'replica-paused-no-ack');
    } finally {
      lab.resume('replica-2');
    }
    await expect.poll(() => edge.getAttribute('data-health'), { timeout: 20_000 }).toBe('up');
  });

  it('charts lag under a write load, then back to zero', async () => {
    const chart = page.getByTestId('lag-chart');
    const peak = async (): Promise<number> => Number((await chart.getAttribute('data-peak')) || 0);
    const latest = async (): Promise<number> => Number((await chart.getAttribute('data-latest-max')) || 0);
    await expect.poll(() => chart.getAttribute('data-points'), { timeout: 10_000 }).not.toBe('0');
    // No lag now. The window may already hold a few bytes from the replica restarted just before
    // (behind for one poll while it resynced): the load must show above that.
    await expect.poll(latest, { timeout: 15_000, interval: 250 }).toBe(0);
    const before = await peak();

    // On loopback a healthy replica applies writes within milliseconds, so a poll may never
    // catch it behind. A replica stalled (SIGSTOP) while the writes go on is behind for sure,
    // as a replica on a congested link would be: the chart must show it, then the catch-up.
    // Bounded in count and time: at most 600 batches of 16 × 4 KiB, 50 ms apart, at most 20 s,
    // stopping as soon as the chart shows lag. Paced so the stalled replica's output buffer on
    // the master (client-output-buffer-limit replica) never overflows and drops it.
    const client = new Redis({ host: '127.0.0.1', port: lab.port('master'), lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    const value = 'x'.repeat(4 * 1024);
    const deadline = Date.now() + 20_000;
    let batches = 0;
    lab.pause('replica-2');
    try {
      while (batches < 600 && Date.now() < deadline && (await peak()) <= before) {
        const pipeline = client.pipeline();
        for (let i = 0; i < 16; i += 1) pipeline.set(`e2e:load:${i % 64}`, value);
        await pipeline.exec();
        batches += 1;
        await page.waitForTimeout(50);
      }
    } finally {
      lab.resume('replica-2');
      await client.quit();
    }
    expect(await peak()).toBeGreaterThan(before);
    await shot(page, 'lag-under-load');
    // The stalled replica's card says its lag is from the master's ACK view: a longer row than
    // usual, which must still stay inside the card (it drew past its right edge).
    expect(await cardRowsPastEdge(page)).toEqual([]);
    await expect.poll(latest, { timeout: 15_000, interval: 250 }).toBe(0);
    await shot(page, 'lag-recovered');

    // Drag across the chart to zoom to that range; the view stops following new ticks.
    const plot = await chart.locator('canvas').boundingBox();
    expect(plot).toBeTruthy();
    const y = plot!.y + plot!.height / 2;
    await page.mouse.move(plot!.x + plot!.width * 0.45, y);
    await page.mouse.down();
    await page.mouse.move(plot!.x + plot!.width * 0.7, y, { steps: 5 });
    await page.mouse.move(plot!.x + plot!.width * 0.95, y, { steps: 5 });
    await page.mouse.up();
    const reset = page.getByRole('button', { name: 'Reset zoom' });
    await reset.waitFor({ timeout: 2000 });
    await expect(page.getByTestId('charts-pause').getAttribute('aria-pressed')).resolves.toBe('true');
    await shot(page, 'lag-zoomed');
    await reset.click();
    await expect(page.getByTestId('charts-pause').getAttribute('aria-pressed')).resolves.toBe('false');
  });

  it('shows the master\'s load next to lag, and charts its ops/s when chosen, light and dark', async () => {
    const master = lab.address('master');
    // Redis counts its start as a save (status ok, last save time = start): a master that never
    // wrote an RDB (diskless replication, save "") says so, not "LAST SAVE OK"; one BGSAVE later it is ok.
    const admin = new Redis(lab.port('master'), '127.0.0.1', { maxRetriesPerRequest: 1 });
    try {
      const persistence = await admin.info('persistence');
      if (/^rdb_saves:0\r?$/m.test(persistence)) {
        await card(page, master).click();
        const load = page.getByTestId('node-load');
        await load.waitFor({ timeout: 10_000 });
        await expect.poll(() => load.textContent(), { timeout: 15_000 }).toContain('no RDB save since it started');
        await expect(load.locator('[data-field="last-save"]').count()).resolves.toBe(0);
      }
      await admin.bgsave();
    } finally {
      admin.disconnect();
    }
    const showLoad = async (p: Page): Promise<void> => {
      await card(p, master).click();
      const load = p.getByTestId('node-load');
      await load.waitFor({ timeout: 10_000 });
      // The console's own polls are commands too: a master is never at 0 ops/s while watched, and
      // the console is one of its clients (replicas are not counted in connected_clients).
      await expect.poll(async () => Number((await load.locator('[data-field="ops"]').textContent())?.replace(/,/g, '')), { timeout: 15_000 }).toBeGreaterThan(0);
      await expect.poll(async () => Number(await load.locator('[data-field="clients"]').textContent())).toBeGreaterThanOrEqual(1);
      await expect(load.locator('[data-field="ops-note"]').count()).resolves.toBe(0);
      await expect(load.locator('[data-field="memory"]').textContent()).resolves.toMatch(/\d(\.\d)? (B|KiB|MiB)/);
      await expect(load.locator('[data-field="net-in"]').textContent()).resolves.toMatch(/\/s$/);
      await expect.poll(() => load.locator('[data-field="last-save"]').getAttribute('data-status'), { timeout: 15_000 }).toBe('ok');
      // Off by default; once chosen, a fourth chart of every data node's ops/s.
      await expect(p.getByTestId('load-chart').count()).resolves.toBe(0);
      await p.getByTestId('load-chart-select').selectOption('opsPerSecond');
      const chart = p.getByTestId('load-chart');
      await expect.poll(() => chart.getAttribute('data-metric'), { timeout: 5000 }).toBe('opsPerSecond');
      await expect.poll(async () => Number((await chart.getAttribute('data-latest-max')) || 0), { timeout: 10_000 }).toBeGreaterThan(0);
    };
    await showLoad(page);
    await page.getByTestId('node-load').scrollIntoViewIfNeeded();
    await shot(page, 'node-load-light');
    // Put back to nothing for the tests after this one (remembering it is unit-tested).
    await page.getByTestId('load-chart-select').selectOption('');
    await expect(page.getByTestId('load-chart').count()).resolves.toBe(0);
    const dark = await openPage(e2e.browser, server.url, 'dark');
    try {
      await showLoad(dark.page);
      await dark.page.getByTestId('node-load').scrollIntoViewIfNeeded();
      await shot(dark.page, 'node-load-dark');
      expect(dark.problems).toEqual([]);
    } finally {
      await dark.context.close();
    }
    await card(page, lab.address('replica-1')).click();
    // A replica's ops/s and network in count its master's stream: said beside them, the master's are not.
    await expect.poll(() => page.getByTestId('node-load').locator('[data-field="ops-note"]').textContent(), { timeout: 10_000 }).toContain("its master's writes included");
  });

  it('follows the dark colour scheme', async () => {
    const dark = await openPage(e2e.browser, server.url, 'dark');
    try {
      // The engine already has a session: a fresh window picks it up without a new connect.
      await dark.page.locator('[data-testid^="node-card-"]').first().waitFor({ timeout: 10_000 });
      await expect.poll(() => dark.page.locator('html').getAttribute('data-theme')).toBe('dark');
      await dark.page.waitForTimeout(1500);
      await shot(dark.page, 'topology-dark');
      const replica = lab.address('replica-1');
      await card(dark.page, replica).click();
      const raw = dark.page.getByTestId('raw-replication');
      await expect.poll(() => raw.textContent()).toContain('master_link_status');
      await raw.scrollIntoViewIfNeeded();
      await shot(dark.page, 'topology-selected-raw-dark');
      expect(dark.problems).toEqual([]);
    } finally {
      await dark.context.close();
    }
  });

  it('exports the whole graph as PNG and SVG pictures, in the theme it is shown in, and as a Mermaid flowchart', async () => {
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
    expect(png.suggestedFilename()).toMatch(/^replication-127\.0\.0\.1_\d+-.+\.png$/);
    const picture = await readFile(await png.path());
    // A PNG: its signature, then the IHDR chunk's width and height (big-endian, bytes 16–23).
    expect(picture.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const [width, height] = [picture.readUInt32BE(16), picture.readUInt32BE(20)];
    // Four cards at one CSS pixel per pixel: wider than two cards, taller than two ranks.
    expect(width).toBeGreaterThan(400);
    expect(height).toBeGreaterThan(250);
    await writeFile(join(ARTIFACTS, 'export-graph.png'), picture);

    const [svg] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-svg').click()]);
    expect(svg.suggestedFilename()).toMatch(/\.svg$/);
    const dataUrl = await readFile(await svg.path(), 'utf8');
    const text = dataUrl.startsWith('data:') ? decodeURIComponent(dataUrl.slice(dataUrl.indexOf(',') + 1)) : dataUrl;
    expect(text).toContain('<svg');
    // SVG shapes and text, not the page's HTML in a <foreignObject> (which only browsers draw).
    expect(text).not.toContain('foreignObject');
    // Colours and links in forms other tools read (resvg skipped the links' color(srgb …) strokes).
    expect(text).not.toMatch(/color\(srgb|url\(&quot;/);
    // Nothing of the page's address: in the web mode it carries the access token (dom-to-svg wrote it in a comment).
    expect(new URL(server.url).searchParams.get('token')).toBeTruthy();
    expect(text).not.toContain(new URL(server.url).searchParams.get('token'));
    expect(text).not.toContain('<!--');
    for (const name of ['master', 'replica-1', 'replica-2', 'replica-1-1']) expect(text).toMatch(new RegExp(`<text[^>]*>(?:(?!</text>).)*${lab.address(name).replaceAll('.', '\\.')}`, 's'));
    await writeFile(join(ARTIFACTS, 'export-graph.svg'), text);
    // Drawn by resvg, as a tool that is not a browser would: the cards and links are there.
    const drawn = new Resvg(text).render();
    await writeFile(join(ARTIFACTS, 'export-graph-resvg.png'), drawn.asPng());
    expect(drawn.width).toBeGreaterThan(400);
    expect(inkShare(drawn.pixels)).toBeGreaterThan(0.02);
    await expect(page.getByTestId('export-problem').count()).resolves.toBe(0);

    const [mermaid] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-mermaid').click()]);
    expect(mermaid.suggestedFilename()).toMatch(/\.mmd$/);
    const flowchart = await readFile(await mermaid.path(), 'utf8');
    expect(flowchart.split('\n')[0]).toBe('graph TD');
    // Three replication links, each drawn as an arrow labelled with its health.
    expect(flowchart.match(/ --> ?\|up\| /g)).toHaveLength(3);
    for (const name of ['master', 'replica-1', 'replica-2', 'replica-1-1']) expect(flowchart).toContain(lab.address(name));
  });

  it('marks the view stale when ticks stop', async () => {
    const status = page.getByTestId('connection-status');
    await expect(status.getAttribute('data-stale')).resolves.toBe('false');
    // Another window ends the engine's session: this one gets no more ticks, and must say so
    // rather than keep showing old numbers as if they were live.
    const other = await openPage(e2e.browser, server.url);
    try {
      await other.page.getByTestId('disconnect').click();
      await other.page.getByTestId('seeds-input').waitFor({ timeout: 10_000 });
    } finally {
      await other.context.close();
    }
    await expect.poll(() => status.getAttribute('data-stale'), { timeout: 6 * POLL_MS, interval: 100 }).toBe('true');
    // Not before 3 intervals without a tick, counted by the page from the last tick it got (this
    // test's own clock starts only once the other window has disconnected, a while after it).
    const quiet = /no update for (\d+(?:\.\d+)?) s/.exec((await status.textContent()) ?? '');
    expect(Number(quiet?.[1])).toBeGreaterThanOrEqual((3 * POLL_MS) / 1000);
    await shot(page, 'stale');
  });

  it('logged no errors in the page', () => {
    expect(problems).toEqual([]);
  });
});

describe('connect errors', () => {
  let lab: Lab;
  let server: WebServer;
  const data = ownDataDir();

  beforeAll(async () => {
    await data.enter();
    lab = await Lab.start({ nodes: masterWithReplicas(1), password: 'e2e-right-password' });
    server = await startWebServer({ rendererDir: e2e.rendererDir });
  });

  afterAll(async () => {
    await server?.close();
    await lab?.close();
    await data.leave();
  });

  it('explains a wrong password, and connects with the right one', async () => {
    const { context, page } = await openPage(e2e.browser, server.url);
    try {
      await connectThroughForm(page, lab.address('master'), 'not-the-password');
      const error = page.getByTestId('connect-error');
      await error.waitFor({ timeout: 10_000 });
      await expect(error.getAttribute('data-code')).resolves.toBe('AUTH_FAILED');
      const text = (await error.textContent()) ?? '';
      expect(text).toContain('Authentication failed');
      expect(text).not.toMatch(/\s+at\s+\S+\s+\(/);
      expect(text).not.toContain('not-the-password');
      await shot(page, 'connect-wrong-password');

      await connectThroughForm(page, lab.address('master'), 'e2e-right-password');
      await expect.poll(() => page.locator('[data-testid^="node-card-"]').count(), { timeout: 10_000 }).toBe(2);
      // Recent connections keep seeds and user only.
      // A string expression: this file is type-checked without the DOM library.
      const stored = String(await page.evaluate('JSON.stringify(localStorage)'));
      expect(stored).toContain(lab.address('master'));
      expect(stored).not.toContain('e2e-right-password');

      // The engine keeps one session for every window: leave it, so the next page starts clean.
      await page.getByTestId('disconnect').click();
      await page.getByTestId('seeds-input').waitFor({ timeout: 10_000 });
      // Back on the connect screen: the connection is listed as recent, the password is empty.
      await expect(page.getByTestId('password-input').inputValue()).resolves.toBe('');
      await expect.poll(() => page.locator('.recent').textContent()).toContain(lab.address('master'));
      await shot(page, 'connect-recent');
    } finally {
      await context.close();
    }
  });

  it('explains an unreachable seed', async () => {
    const { context, page } = await openPage(e2e.browser, server.url);
    try {
      // A port nothing listens on and the console never saw (a stopped node it remembers is
      // reached through its remembered master instead: the README's topology memory).
      await connectThroughForm(page, `127.0.0.1:${DEAD_PORT}`, 'e2e-right-password');
      const error = page.getByTestId('connect-error');
      await error.waitFor({ timeout: 15_000 });
      await expect(error.getAttribute('data-code')).resolves.toBe('UNREACHABLE');
      await shot(page, 'connect-unreachable');
    } finally {
      await context.close();
    }
  });
});

describe('the local lab from the connect screen', () => {
  let server: WebServer;
  const data = ownDataDir();

  beforeAll(async () => {
    await data.enter();
    server = await startWebServer({ rendererDir: e2e.rendererDir });
  });

  afterAll(async () => {
    // The server owns its service here, and the service owns the lab it started.
    await server?.close();
    await data.leave();
  });

  it('starts the lab and shows its topology', async () => {
    const { context, page, problems } = await openPage(e2e.browser, server.url, 'dark');
    try {
      await page.getByTestId('start-lab').click();
      await expect.poll(() => page.locator('[data-testid^="node-card-"]').count(), { timeout: 60_000 }).toBe(4);
      await expect.poll(() => page.locator('[data-testid^="edge-"][data-health="up"]').count(), { timeout: 20_000 }).toBe(3);
      await page.getByTestId('disconnect').click();
      await page.getByTestId('seeds-input').waitFor({ timeout: 10_000 });
      // The lab keeps running: the button now offers to connect to it again.
      await expect.poll(() => page.getByTestId('start-lab').textContent()).toContain('Connect to local lab');
      await shot(page, 'connect-lab-running-dark');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

/** The share of RGBA pixels that differ from the first one (the picture's background). */
function inkShare(pixels: Buffer): number {
  let ink = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i] !== pixels[0] || pixels[i + 1] !== pixels[1] || pixels[i + 2] !== pixels[2] || pixels[i + 3] !== pixels[3]) ink += 1;
  }
  return ink / (pixels.length / 4);
}
