// A master that is up but cannot be read, then one that restarted and is loading, in the real
// renderer: out of client connections it is "not down, do not fail over" with its reason on its
// card (it was "down → fail over"); loading, its card says how far (only the details did).
import Redis from 'ioredis';
import { describe, expect, it } from 'vitest';
import { masterWithReplicas } from '../../electron/lab/lab';
import { card, connectThroughForm, openPage, shot, useBrowserAndRenderer } from '../helpers/browser';
import { useLabWebConsole } from '../helpers/web-console';

const e2e = useBrowserAndRenderer('rc-e2e-refusing-');


describe('a master that refuses the console, then loads its dataset (real servers)', () => {
  // 1 ms a key over 20,000 keys: about 20 s of loading after a restart, answering INFO between keys.
  const on = useLabWebConsole(
    e2e,
    'rc-e2e-refusing-',
    { nodes: masterWithReplicas(1), extraArgs: ['--key-load-delay', '1000', '--loading-process-events-interval-bytes', '1024'] },
    { connectTimeoutMs: 1000, commandTimeoutMs: 1000 },
  );

  it('out of clients: its reason on its card, "not down" in the banner; restarted: LOADING with how far on its card (light and dark)', { timeout: 90_000 }, async () => {
    const { lab, server } = on;
    const master = lab.address('master');
    const replica = lab.address('replica-1');
    const admin = new Redis(lab.port('master'), '127.0.0.1');
    try {
      const fill = admin.pipeline();
      for (let i = 0; i < 20_000; i++) fill.set(`k:${i}`, 'v');
      await fill.exec();
      await admin.save();
      await lab.waitForLinks();
      // Every slot taken (the replica's link and this client): the console cannot get one.
      const clients = Number(/connected_clients:(\d+)/.exec(await admin.info('clients'))?.[1]);
      await admin.config('SET', 'maxclients', String(clients));

      for (const scheme of ['light', 'dark'] as const) {
        const { context, page, problems } = await openPage(e2e.browser, server.url, scheme);
        try {
          if (scheme === 'light') {
            await connectThroughForm(page, replica);
          }
          await expect.poll(() => card(page, master).textContent(), { timeout: 15_000 }).toContain('MAX_CLIENTS');
          await expect(card(page, master).textContent()).resolves.toContain('REFUSES THE CONSOLE');
          await expect(card(page, master).textContent()).resolves.toContain('is up but refuses new connections: max number of clients reached');
          await expect(page.getByTestId('warnings').locator('li[data-code="MASTER_DOWN"]').count()).resolves.toBe(0);
          const headline = page.getByTestId('warnings').locator('li[data-code="MASTER_REFUSES"]');
          await expect.poll(() => headline.textContent(), { timeout: 10_000 }).toMatch(/It is not down.*→ do not fail over a master that still serves its clients/);
          await expect(headline.textContent()).resolves.not.toMatch(/→ fail over/);
          // Its replica's link is up: data flows through a master that only refuses the console.
          await expect(page.locator(`[data-testid="edge-${master}-${replica}"]`).getAttribute('data-health')).resolves.toBe('up');
          await shot(page, `refusing-master-max-clients-${scheme}`);
          expect(problems).toEqual([]);
        } finally {
          await context.close();
        }
      }

      await admin.config('SET', 'maxclients', '10000');
      admin.disconnect();
      await lab.kill('master');
      await lab.restart('master');
      for (const scheme of ['light', 'dark'] as const) {
        const { context, page, problems } = await openPage(e2e.browser, server.url, scheme);
        try {
          const loading = page.getByTestId(`loading-${master}`);
          await expect.poll(() => loading.textContent(), { timeout: 15_000 }).toMatch(/LOADING \d+% · \d+(\.\d)? s left/);
          await shot(page, `refusing-master-loading-${scheme}`);
          expect(problems).toEqual([]);
        } finally {
          await context.close();
        }
      }
    } finally {
      admin.disconnect();
    }
  });
});
