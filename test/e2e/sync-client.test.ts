// A backup taken with `redis-cli --replica` (as `--rdb` does while it runs): its master lists it
// as `slaveN:ip=127.0.0.1,port=0,…`. In the real renderer it is no replica card (it showed as
// "127.0.0.1:0", UNREACHABLE with "invalid port"): the master's details list it as a sync client.
// Screenshots land in test-artifacts/.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { shot, useBrowserAndRenderer } from '../helpers/browser';
import { openServiceConsole, useCleanups } from '../helpers/web-e2e';

const e2e = useBrowserAndRenderer('rc-e2e-sync-client-');
const cleanups = useCleanups();

describe('A sync client without a port (redis-cli --replica)', () => {
  it.each(['light', 'dark'] as const)('is listed in its master details, and drawn as no node (%s)', async (scheme) => {
    const lab = await Lab.start({ nodes: masterWithReplicas(1) });
    cleanups.push(() => lab.close());
    const tool = spawn('redis-cli', ['-p', String(lab.port('master')), '--replica'], { stdio: 'ignore' });
    cleanups.push(async () => void (tool.exitCode === null && (tool.kill(), await once(tool, 'exit'))));
    const [m, r] = [lab.address('master'), lab.address('replica-1')];

    const { page, problems } = await openServiceConsole(e2e, cleanups, m, scheme);
    await page.getByTestId(`node-card-${r}`).waitFor({ timeout: 15_000 });
    await page.getByTestId(`node-card-${m}`).click();
    const clients = page.getByTestId('sync-clients');
    await clients.waitFor({ timeout: 10_000 });
    await expect.poll(() => clients.locator('tbody tr').allTextContents(), { timeout: 10_000 }).toEqual([expect.stringMatching(/^\s*127\.0\.0\.1\s*online/)]);
    expect(await page.locator('[data-testid^="node-card-"]').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-testid')).sort())).toEqual(
      [`node-card-${m}`, `node-card-${r}`].sort(),
    );
    await expect(page.getByTestId(`sync-clients-${m}`).textContent()).resolves.toBe('1 sync client');
    await clients.scrollIntoViewIfNeeded();
    await shot(page, `sync-client-${scheme}`);
    expect(problems).toEqual([]);
  });
});
