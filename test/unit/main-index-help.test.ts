// electron/main/index.ts asked for --help, with a console already running (the lock is taken):
// the usage on stdout and exit 0, before the lock and before any window; a misspelt option of
// ours is named in one line, Chromium's switches pass without a word.
import '../helpers/isolated-data-dir';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import type { ElectronStandIn } from '../helpers/electron-stand-in';
import { USAGE } from '../../electron/app/cli-options';

const electron = vi.hoisted(() => ({ current: null as ElectronStandIn | null }));
const userData = mkdtempSync(join(tmpdir(), 'rc-main-index-help-'));

vi.mock('electron', async () => {
  const { createElectronStandIn } = await import('../helpers/electron-stand-in');
  // lock: false plays a console already running: --help must still be answered here.
  electron.current = createElectronStandIn({ userData, lock: false });
  return electron.current.module;
});

afterAll(() => {
  rmSync(userData, { recursive: true, force: true });
});

it('prints the usage and exits 0 before the single-instance lock and the window', { timeout: 30_000 }, async () => {
  const argv = process.argv;
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((text: string) => void out.push(text));
  vi.spyOn(console, 'error').mockImplementation((text: string) => void err.push(text));
  process.argv = ['/usr/bin/electron', '.', '--no-sandbox', '--enable-logging', '--sed', '127.0.0.1:6379', '--help'];
  try {
    await import('../../electron/main/index');
  } finally {
    process.argv = argv;
    vi.restoreAllMocks();
  }
  const standIn = electron.current ?? expect.unreachable('electron was never imported');
  expect(out).toEqual([USAGE]);
  expect(USAGE).toMatch(/^usage: npm start -- /);
  expect(standIn.calls.exit).toEqual([0]);
  expect(standIn.calls.lock).toBe(0);
  expect(standIn.windows).toEqual([]);
  expect(err).toEqual(['Replication Console: unknown option --sed (did you mean --seed?): ignored']);
});
