// Forget in the real renderer: a replica seen in an earlier session and gone now stays on the
// graph as remembered; its node menu offers Forget (with when it was last seen), which drops it
// from the graph and from the memory file. Screenshots land in test-artifacts/.
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReplicationEngine } from '../../electron/engine/engine';
import { MEMORY_FILE } from '../../electron/engine/topology-memory';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { shot, useBrowserAndRenderer } from '../helpers/browser';
import { openServiceConsole, useCleanups } from '../helpers/web-e2e';

const e2e = useBrowserAndRenderer('rc-e2e-forget-');
const cleanups = useCleanups();

describe('Forget a remembered node', () => {
  it.each(['light', 'dark'] as const)('offers Forget on a remembered replica and drops it (%s)', async (scheme) => {
    const lab = await Lab.start({ nodes: masterWithReplicas(2) });
    cleanups.push(() => lab.close());
    const dir = await mkdtemp(join(tmpdir(), 'rc-e2e-forget-data-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const [m, r2] = [lab.address('master'), lab.address('replica-2')];
    // An earlier session saw replica-2; then it died.
    const earlier = new ReplicationEngine({ memoryDir: dir });
    await earlier.connect({ seeds: [m], pollIntervalMs: 200 });
    await earlier.disconnect();
    await lab.kill('replica-2');

    // The console shares the earlier engine's memory: the data directory its audit log is in.
    const { page, problems } = await openServiceConsole(e2e, cleanups, m, scheme, dir);

    const card = page.getByTestId(`node-card-${r2}`);
    await card.waitFor({ timeout: 15_000 });
    // The card itself says the node is only remembered, and when it was last seen.
    await expect.poll(() => card.getAttribute('data-remembered'), { timeout: 10_000 }).toBe('true');
    await expect(page.getByTestId(`remembered-${r2}`).textContent()).resolves.toMatch(/remembered · last seen \d\d:\d\d:\d\d/);
    await page.getByTestId(`node-menu-button-${r2}`).click();
    const forget = page.getByTestId('node-action-forget');
    await forget.waitFor();
    await expect(forget.textContent()).resolves.toMatch(/Remembered, last seen/);
    await shot(page, `forget-menu-${scheme}`);
    await forget.click();
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(0);
    await shot(page, `forget-done-${scheme}`);
    const memory = JSON.parse(fs.readFileSync(join(dir, MEMORY_FILE), 'utf8')) as { nodes: { address: string }[] };
    expect(memory.nodes.map((n) => n.address)).not.toContain(r2);
    expect(problems).toEqual([]);
  });
});
