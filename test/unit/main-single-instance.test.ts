// A second launch of the desktop app: electron/main/index.ts, loaded with a stand-in for
// Electron whose single-instance lock is already taken, must quit before it makes anything.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import type { ElectronStandIn } from '../helpers/electron-stand-in';

const electron = vi.hoisted(() => ({ current: null as ElectronStandIn | null }));
const userData = mkdtempSync(join(tmpdir(), 'rc-second-instance-'));

vi.mock('electron', async () => {
  const { createElectronStandIn } = await import('../helpers/electron-stand-in');
  electron.current = createElectronStandIn({ userData, lock: false });
  return electron.current.module;
});
// Nothing of the app proper may be built: each of these failing loudly proves it was not.
vi.mock('../../electron/app/console-hub', () => ({
  ConsoleHub: class {
    constructor() {
      throw new Error('a second instance made a ConsoleHub');
    }
  },
}));
vi.mock('../../electron/app/profile-store', () => ({
  ProfileStore: class {
    constructor() {
      throw new Error('a second instance opened the profile store');
    }
  },
}));

afterAll(() => rmSync(userData, { recursive: true, force: true }));

it('quits at once: no hub, no profile store, no window, no IPC, no data directory touched', async () => {
  const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const signals = { SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') };
  try {
    await import('../../electron/main/index');
    const standIn = electron.current;
    if (!standIn) throw new Error('electron was never imported');
    expect(standIn.calls.lock).toBe(1);
    expect(standIn.calls.quit).toBe(1);
    expect(errors.mock.calls).toEqual([[expect.stringMatching(/^Replication Console is already running: its window is brought to the front/)]]);

    // Even once Electron is ready, nothing is opened or registered.
    standIn.ready();
    await standIn.app.whenReady();
    await Promise.resolve();
    expect(standIn.windows).toEqual([]);
    expect(standIn.handlers.size).toBe(0);
    expect(standIn.calls.menus).toEqual([]);
    expect(standIn.calls.getPath).toEqual([]);
    expect(standIn.app.listenerCount('second-instance')).toBe(0);
    expect(standIn.app.listenerCount('before-quit')).toBe(0);
    expect({ SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') }).toEqual(signals);
    expect(readdirSync(userData)).toEqual([]);
  } finally {
    errors.mockRestore();
  }
}, 30_000); // loading main's modules takes seconds on a busy machine
