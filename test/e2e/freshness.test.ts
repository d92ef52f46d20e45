// Freshness you can trust, and no server data that can stop the screen, in real Chromium
// against real redis-server labs:
// - a replica stalled with SIGSTOP while the engine's command timeout is long is reachable
//   but unread: its card says "stale · N s" (data-stale="true") and the header stops saying
//   LIVE, until SIGCONT brings a fresh reading back;
// - replicas whose replica-announce-ip/port make the master list its own address, and list
//   one replica's address twice (a real misconfiguration), render the console and the
//   details panel without a single page error.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleService } from '../../electron/app/service';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, docsLayout, masterWithReplicas } from '../../electron/lab/lab';
import { startWebServer, type WebServer } from '../../electron/web/server';
import { card, connectThroughForm, openPage, shot, useBrowserAndRenderer } from '../helpers/browser';

const POLL_MS = 1000;
/**
 * Far longer than the test holds the replica stopped: its poll stays in flight (no reply, no
 * timeout), so it is stale from 3 poll intervals on and never turns unreachable meanwhile.
 */
const COMMAND_TIMEOUT_MS = 60_000;

const e2e = useBrowserAndRenderer('rc-e2e-fresh-');


/** A web server over its own engine (long command timeout) and a throw-away audit directory. */
async function startConsole(engine: ReplicationEngine): Promise<{ service: ConsoleService; server: WebServer; close(): Promise<void> }> {
  const auditDir = await mkdtemp(join(tmpdir(), 'rc-e2e-fresh-audit-'));
  const service = new ConsoleService({ engine, interface: 'web', auditDir });
  const server = await startWebServer({ service, rendererDir: e2e.rendererDir });
  return {
    service,
    server,
    async close() {
      await server.close();
      await service.close();
      await rm(auditDir, { recursive: true, force: true });
    },
  };
}

/** The age a stale card shows, in seconds ("stale · 7 s" → 7). */
async function shownAgeSeconds(page: Page, address: string): Promise<number | null> {
  const text = (await card(page, address).getByTestId('stale-age').textContent({ timeout: 1000 }).catch(() => null)) ?? '';
  const match = /stale · (\d+(?:\.\d+)?) (ms|s)\b/.exec(text);
  if (!match) return null;
  return match[2] === 'ms' ? Number(match[1]) / 1000 : Number(match[1]);
}

describe('a replica that is reachable but does not answer in time', () => {
  let lab: Lab;
  let app: Awaited<ReturnType<typeof startConsole>>;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    lab = await Lab.start({ nodes: docsLayout() });
    app = await startConsole(new ReplicationEngine({ commandTimeoutMs: COMMAND_TIMEOUT_MS }));
    ({ context, page, problems } = await openPage(e2e.browser, app.server.url));
    await connectThroughForm(page, [lab.address('master')]);
    await page.locator('[data-testid^="node-card-"]').nth(3).waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    // Never leave a stopped process behind, whatever failed.
    if (lab) for (const name of ['replica-2', 'replica-1', 'master']) lab.resume(name);
    await context?.close();
    await app?.close();
    await lab?.close();
  });

  it('shows the stale card with its age, and the header stops saying LIVE, then both recover', async () => {
    const address = lab.address('replica-2');
    const status = page.getByTestId('connection-status');
    await expect.poll(() => status.getAttribute('data-freshness'), { timeout: 10_000 }).toBe('live');
    await expect(card(page, address).getAttribute('data-stale')).resolves.toBe('false');
    await shot(page, 'fresh-live');

    lab.pause('replica-2');
    try {
      // Stale from 3 poll intervals without a reading; a tick or two later on screen.
      await expect.poll(() => card(page, address).getAttribute('data-stale'), { timeout: 8 * POLL_MS, interval: 100 }).toBe('true');
      // Stale is not unreachable: the card keeps its figures, marked, with their age: not under
      // 3 intervals since its last reading (the age the card counts from it, not this test's
      // clock, which starts after that reading).
      await expect(card(page, address).getAttribute('data-reachable')).resolves.toBe('true');
      await expect.poll(() => card(page, address).textContent()).toMatch(/stale · \d+ s/);
      const age = /stale · (\d+) s/.exec((await card(page, address).textContent()) ?? '');
      expect(Number(age?.[1])).toBeGreaterThanOrEqual((3 * POLL_MS) / 1000);
      await expect(status.getAttribute('data-freshness')).resolves.toBe('nodes-stale');
      await expect(status.getAttribute('data-stale')).resolves.toBe('true');
      const header = (await status.textContent()) ?? '';
      expect(header).not.toContain('LIVE');
      expect(header).toContain(`${address} not read for`);
      // The other cards stay fresh: one late node does not make the whole view stale.
      for (const name of ['master', 'replica-1', 'replica-1-1']) {
        await expect(card(page, lab.address(name)).getAttribute('data-stale')).resolves.toBe('false');
      }
      // The age counts on between ticks, by the renderer's clock.
      const first = await shownAgeSeconds(page, address);
      expect(first).not.toBeNull();
      await expect.poll(() => shownAgeSeconds(page, address), { timeout: 4000, interval: 200 }).toBeGreaterThan(first ?? 0);
      // Its row in the node list and its chart legend entry say the same.
      await expect.poll(() => page.locator(`[data-testid="node-details"] tr[data-stale="true"]`).textContent()).toMatch(/stale · \d+ s/);
      await expect.poll(() => page.locator(`[data-series="${address}"]`).getAttribute('data-stale')).toBe('true');
      await shot(page, 'fresh-stale-node');
      // The header leads to the node that is behind (among a hundred cards, the way to find it).
      await page.getByTestId('show-stale').click();
      const details = page.getByTestId('node-details');
      await expect.poll(() => details.locator('.panel-head .address').textContent(), { timeout: 5000 }).toBe(address);
      await expect.poll(() => page.getByTestId('details-stale').textContent()).toMatch(/stale · \d+ s/);
      // Its load figures too say how old they are, though its last poll may have read them.
      await expect.poll(() => details.locator('[data-field="read-at"]').textContent()).toMatch(/read \d+ s ago/);
      await shot(page, 'fresh-stale-node-selected');
    } finally {
      lab.resume('replica-2');
    }

    // The reply that was in flight arrives: fresh again, LIVE again.
    await expect.poll(() => card(page, address).getAttribute('data-stale'), { timeout: 5 * POLL_MS, interval: 100 }).toBe('false');
    await expect(card(page, address).getAttribute('data-reachable')).resolves.toBe('true');
    await expect.poll(() => status.getAttribute('data-freshness'), { timeout: 5 * POLL_MS }).toBe('live');
    await expect.poll(() => status.textContent()).toContain('LIVE');
    await shot(page, 'fresh-recovered');
  });

  it('a replica below a stalled middle node says the lag is above it, not "Lagging" beside its own 0 B', async () => {
    const below = card(page, lab.address('replica-1-1'));
    lab.pause('replica-1');
    try {
      await expect.poll(() => below.textContent(), { timeout: 15_000 }).toContain('Stalled above');
      expect(await below.textContent()).not.toContain('Lagging');
      await expect.poll(() => below.locator('.row', { hasText: 'lag' }).first().textContent()).toMatch(/^lag\s*\d+(\.\d+)? [KMG]?i?B from root\s*$/);
      await expect(below.locator('.chip', { hasText: 'Stalled above' }).getAttribute('title')).resolves.toContain(`Behind because ${lab.address('replica-1')}`);
      await shot(page, 'fresh-stalled-above');
    } finally {
      lab.resume('replica-1');
    }
    await expect.poll(() => below.textContent(), { timeout: 15_000 }).not.toContain('Stalled above');
  });

  it('two hops below a root that is not read, a replica in step with its master says its lag to the root is unknown, not "0 B"', async () => {
    const below = card(page, lab.address('replica-1-1'));
    const edge = page.getByTestId(`edge-${lab.address('replica-1')}-${lab.address('replica-1-1')}`);
    lab.pause('master');
    try {
      await expect.poll(() => below.textContent(), { timeout: 15_000 }).toContain('Stalled above');
      // Its own lag to replica-1 (read, in step) is kept, with the lag to the root it cannot know.
      await expect.poll(() => below.locator('.row', { hasText: 'lag' }).first().textContent()).toMatch(/^lag\s*0 B · .* · \? from root\s*$/);
      await expect.poll(() => edge.textContent()).toMatch(/^\s*stalled above\s*$/);
      await shot(page, 'fresh-root-stalled-two-hops');
    } finally {
      lab.resume('master');
    }
    await expect.poll(() => below.textContent(), { timeout: 15_000 }).not.toContain('Stalled above');
  });

  it('logged no errors in the page', () => {
    expect(problems).toEqual([]);
  });
});

/** Until the master's INFO replication lists exactly these ports (in any order), or time runs out. */
async function waitForListedPorts(master: Redis, ports: readonly number[], timeoutMs = 20_000): Promise<void> {
  const want = [...ports].sort().join(',');
  const deadline = Date.now() + timeoutMs;
  let got = '';
  while (Date.now() < deadline) {
    const info = await master.info('replication');
    got = [...info.matchAll(/^slave\d+:ip=[^,]*,port=(\d+),state=online/gm)].map((m) => m[1]).sort().join(',');
    if (got === want) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the master lists ports ${got || 'none'}, expected ${want}`);
}

describe('a master listing itself, and two replicas announcing one address (real servers)', () => {
  let lab: Lab;
  let app: Awaited<ReturnType<typeof startConsole>>;

  beforeAll(async () => {
    lab = await Lab.start({ nodes: masterWithReplicas(3) });
    const master = new Redis({ host: '127.0.0.1', port: lab.port('master'), lazyConnect: true, maxRetriesPerRequest: 1 });
    await master.connect();
    try {
      // replica-1 announces the master's own address; replica-2 and replica-3 both announce
      // replica-2's. The announce is sent on the replication handshake: drop the links so
      // the replicas reconnect with it.
      const announce = async (name: string, port: number): Promise<void> => {
        const client = new Redis({ host: '127.0.0.1', port: lab.port(name), lazyConnect: true, maxRetriesPerRequest: 1 });
        await client.connect();
        try {
          await client.config('SET', 'replica-announce-ip', '127.0.0.1');
          await client.config('SET', 'replica-announce-port', String(port));
        } finally {
          client.disconnect();
        }
      };
      await announce('replica-1', lab.port('master'));
      await announce('replica-2', lab.port('replica-2'));
      await announce('replica-3', lab.port('replica-2'));
      await master.client('KILL', 'TYPE', 'replica');
      await waitForListedPorts(master, [lab.port('master'), lab.port('replica-2'), lab.port('replica-2')]);
    } finally {
      master.disconnect();
    }
    app = await startConsole(new ReplicationEngine());
  });

  afterAll(async () => {
    await app?.close();
    await lab?.close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`renders the console and every details panel without a page error (${scheme})`, async () => {
      const { context, page, problems } = await openPage(e2e.browser, app.server.url, scheme);
      try {
        // replica-1 and replica-3 are listed under other addresses: seed them, as an operator would.
        if (scheme === 'light') await connectThroughForm(page, [lab.address('master'), lab.address('replica-1'), lab.address('replica-3')]);
        await expect.poll(() => page.locator('[data-testid^="node-card-"]').count(), { timeout: 15_000 }).toBe(4);
        // The master's listing of itself is reported as a warning naming it (once).
        const warnings = page.getByTestId('warnings');
        await warnings.waitFor({ timeout: 10_000 });
        await expect.poll(() => warnings.textContent()).toContain(lab.address('master'));

        const master = lab.address('master');
        await card(page, master).click();
        const details = page.getByTestId('node-details');
        await expect.poll(() => details.locator('.panel-head .address').textContent(), { timeout: 5000 }).toBe(master);
        // Every line the master gives is shown: itself once, replica-2's address twice.
        const listed = details.locator('tr[data-listed]');
        await expect.poll(() => listed.count(), { timeout: 5000 }).toBe(3);
        await expect(details.locator(`tr[data-listed="${master}"]`).textContent()).resolves.toContain('itself');
        await expect(details.locator(`tr[data-listed="${lab.address('replica-2')}"]`).count()).resolves.toBe(2);
        await expect(details.locator(`tr[data-listed="${lab.address('replica-2')}"]`).first().textContent()).resolves.toContain('listed 2×');
        await shot(page, `duplicate-addresses-master-${scheme}`);

        for (const name of ['replica-1', 'replica-2', 'replica-3']) {
          await card(page, lab.address(name)).click();
          await expect.poll(() => details.locator('.panel-head .address').textContent(), { timeout: 5000 }).toBe(lab.address(name));
        }
        // A few more ticks through the same data: every one must render.
        const seq = async (): Promise<string> => (await page.getByTestId('connection-status').textContent()) ?? '';
        const before = await seq();
        await expect.poll(seq, { timeout: 5000 }).not.toBe(before);
        await shot(page, `duplicate-addresses-${scheme}`);
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }
});

describe('ticks that arrive seconds after they were taken (a buffering proxy or VPN in front of serve)', () => {
  /**
   * A console on a one-replica lab, its page behind a link that holds everything the server sends
   * `delay.ms` on its way (as a buffering link does); `test` drives it, then everything is closed.
   */
  async function behindHeldLink(delay: { ms: number }, test: (page: Page, status: ReturnType<Page['getByTestId']>) => Promise<void>): Promise<void> {
    const lab = await Lab.start({ nodes: masterWithReplicas(1) });
    const app = await startConsole(new ReplicationEngine());
    const context = await e2e.browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      await page.routeWebSocket(/\/api/, (ws) => {
        const server = ws.connectToServer();
        server.onMessage((message) => {
          const held = delay.ms;
          if (held === 0) ws.send(message);
          else setTimeout(() => ws.send(message), held);
        });
      });
      await page.goto(app.server.url);
      await connectThroughForm(page, lab.address('master'));
      await test(page, page.getByTestId('connection-status'));
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      await app.close();
      await lab.close();
    }
  }

  it('the header says DELAYED with how late, not LIVE, and LIVE again once they arrive on time (light and dark)', async () => {
    const delay = { ms: 0 };
    await behindHeldLink(delay, async (page, status) => {
      await expect.poll(() => status.getAttribute('data-freshness'), { timeout: 15_000 }).toBe('live');
      delay.ms = 8000;
      await expect.poll(() => status.getAttribute('data-freshness'), { timeout: 20_000, interval: 200 }).toBe('late');
      await expect(status.textContent()).resolves.toMatch(/DELAYED\s*updates arrive [78] s late · taken \d\d:\d\d:\d\d/);
      await expect(status.getAttribute('data-stale')).resolves.toBe('true');
      await shot(page, 'delayed-light');
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'delayed-dark');
      delay.ms = 0;
      await expect.poll(() => status.getAttribute('data-freshness'), { timeout: 10_000 }).toBe('live');
    });
  });

  it('a link that holds everything from the first message: every tick equally late, DELAYED by how long the server takes to answer (light and dark)', async () => {
    const delay = { ms: 6000 };
    await behindHeldLink(delay, async (page, status) => {
      // The ticks' own lateness sees nothing: the first came as late as every other.
      await expect.poll(() => status.getAttribute('data-freshness'), { timeout: 30_000, interval: 200 }).toBe('late');
      await expect(page.getByTestId('late-text').getAttribute('data-late-by')).resolves.toBe('link');
      await expect(status.textContent()).resolves.toMatch(/DELAYED\s*the console server takes [67] s to answer: what is shown may be that old · taken \d\d:\d\d:\d\d/);
      await shot(page, 'delayed-link-light');
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'delayed-link-dark');
      delay.ms = 0;
      await expect.poll(() => status.getAttribute('data-freshness'), { timeout: 10_000 }).toBe('live');
    });
  });
});
