// The web mode's server process stopped (SIGSTOP: a hung process, a debugger, a VM paused) while
// a page is open, in real Chromium against a real lab: the socket stays open and nothing comes.
// The header stops saying LIVE within a few intervals and says the console server does not
// answer; after SIGCONT it says LIVE again only over a tick taken after the server resumed.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { openPage, shot, useBrowserAndRenderer } from '../helpers/browser';
import { until } from '../helpers/until';
import { useCleanups } from '../helpers/web-e2e';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const e2e = useBrowserAndRenderer('rc-e2e-server-stopped-');
const cleanups = useCleanups();

/** The web server in a process of its own on the lab's master (polling every second); resolves with it and its URL. */
async function startServerProcess(seed: string): Promise<{ child: ChildProcess; url: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'rc-e2e-server-stopped-data-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [join(ROOT, 'bin/run-ts.js'), join(ROOT, 'test/helpers/web-server-process.ts'), e2e.rendererDir, seed], {
    cwd: ROOT,
    env: { ...process.env, REPLICATION_CONSOLE_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await until(`the web server's URL (stderr: ${stderr})`, async () => {
    if (child.exitCode !== null) throw new Error(`the web server exited: ${stderr}`);
    return /\(web mode\): (http\S+)/.exec(stdout)?.[1];
  }, 30_000);
  return { child, url };
}

describe('the web server process stopped while a page is open', () => {
  it('the header stops saying LIVE and says the console server does not answer; LIVE again only over a tick taken after SIGCONT (light and dark)', async () => {
    const lab = await Lab.start({ nodes: masterWithReplicas(2) });
    cleanups.push(() => lab.close());
    const { child, url } = await startServerProcess(lab.address('master'));
    const { context, page, problems } = await openPage(e2e.browser, url);
    cleanups.push(() => context.close());
    const status = page.getByTestId('connection-status');
    await until('LIVE', async () => ((await status.getAttribute('data-freshness')) === 'live' ? true : undefined));

    child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    // Three intervals without a tick, and the link's probe unanswered past 3 s (probes go every 2 s).
    await until('STALE, the server named', async () => ((await page.getByTestId('no-ticks-text').getAttribute('data-server-silent', { timeout: 500 })) === 'true' ? true : undefined), 15_000);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    await expect(status.getAttribute('data-freshness')).resolves.toBe('no-ticks');
    await expect(status.textContent()).resolves.toMatch(/STALE\s*no update for \d+ s: the console server does not answer/);
    await shot(page, 'server-stopped-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'server-stopped-dark');

    child.kill('SIGCONT');
    const resumedAt = Date.now();
    await until('LIVE again', async () => ((await status.getAttribute('data-freshness')) === 'live' ? true : undefined), 15_000);
    // What LIVE is said over was taken after the server resumed (to the second the header shows).
    const shown = await status.textContent();
    const taken = /updated (\d\d):(\d\d):(\d\d)/.exec(shown ?? '');
    expect(taken, shown ?? '').not.toBeNull();
    const takenAt = new Date(resumedAt);
    takenAt.setHours(Number(taken![1]), Number(taken![2]), Number(taken![3]), 999);
    // Taken just after midnight, resumed just before.
    if (takenAt.getTime() < resumedAt - 12 * 3_600_000) takenAt.setDate(takenAt.getDate() + 1);
    expect(takenAt.getTime()).toBeGreaterThanOrEqual(resumedAt);
    expect(problems).toEqual([]);
  });
});
