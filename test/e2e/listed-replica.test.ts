// A replica the console has never read, known only because its master lists it (it refuses the
// console: a password of its own), in the real renderer: its card says so ("never read · listed
// by its master"), not "remembered", though topology memory keeps it as listed for a later session.
// Screenshots land in test-artifacts/.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { describe, expect, it } from 'vitest';
import { MEMORY_FILE } from '../../electron/engine/topology-memory';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { shot, useBrowserAndRenderer } from '../helpers/browser';
import { openServiceConsole, useCleanups } from '../helpers/web-e2e';

const e2e = useBrowserAndRenderer('rc-e2e-listed-');
const cleanups = useCleanups();

describe('A replica only its master lists', () => {
  it.each(['light', 'dark'] as const)('is drawn as listed by its master and never read, not remembered (%s)', async (scheme) => {
    const lab = await Lab.start({ nodes: masterWithReplicas(2) });
    cleanups.push(() => lab.close());
    const dir = await mkdtemp(join(tmpdir(), 'rc-e2e-listed-data-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const [m, r2] = [lab.address('master'), lab.address('replica-2')];
    const admin = new Redis(lab.port('replica-2'), '127.0.0.1');
    await admin.config('SET', 'requirepass', 'its-own-password');
    admin.disconnect();

    // The desktop and web front ends remember in the data directory their audit log is in.
    const { page, problems } = await openServiceConsole(e2e, cleanups, m, scheme, dir);

    const card = page.getByTestId(`node-card-${r2}`);
    await card.waitFor({ timeout: 15_000 });
    const label = page.getByTestId(`listed-by-${r2}`);
    await expect(label.textContent()).resolves.toMatch(/^\s*never read · listed by its master\s*$/);
    await expect(label.getAttribute('title')).resolves.toContain(`${m} lists it as a replica`);
    await expect(card.textContent()).resolves.toContain('REFUSES THE CONSOLE');
    // Once memory keeps it as listed (for a console started after its master dies), still not "remembered".
    const listedInMemory = async (): Promise<boolean> => {
      const file = await readFile(join(dir, MEMORY_FILE), 'utf8').catch(() => '{"nodes":[]}');
      return (JSON.parse(file) as { nodes: { address: string; listedOnly?: boolean }[] }).nodes.some((n) => n.address === r2 && n.listedOnly === true);
    };
    await expect.poll(listedInMemory, { timeout: 10_000 }).toBe(true);
    expect(await card.getAttribute('data-remembered')).toBe('false');
    expect(await page.getByTestId(`remembered-${r2}`).count()).toBe(0);
    await shot(page, `listed-replica-${scheme}`);
    expect(problems).toEqual([]);
  });
});
