// electron/main/index.ts as `electron-vite dev` builds it (DEV_BUILD true), unpackaged, with the
// dev server's URL set: the window loads the dev server, the menu has reload and the developer
// tools, and IPC is accepted from the dev server's origin only (not from a file: page).
import '../helpers/isolated-data-dir';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { ipcEventFrom, startMainProcess, type ElectronStandIn, type StandInWindow, type StartedMain } from '../helpers/electron-stand-in';

// Loading the whole main process (hub, stores) takes seconds on a busy two-core machine.
const HOOK_TIMEOUT_MS = 30_000;
const electron = vi.hoisted(() => ({ current: null as ElectronStandIn | null }));
const userData = mkdtempSync(join(tmpdir(), 'rc-main-index-dev-'));

vi.mock('electron', async () => {
  const { createElectronStandIn } = await import('../helpers/electron-stand-in');
  electron.current = createElectronStandIn({ userData });
  return electron.current.module;
});
vi.mock('../../electron/main/build-mode', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../electron/main/build-mode')>()),
  DEV_BUILD: true,
}));

let standIn: ElectronStandIn;
let win: StandInWindow;
let main: StartedMain | null = null;

beforeAll(async () => {
  main = await startMainProcess(() => import('../../electron/main/index'), () => electron.current, 'http://localhost:5173');
  ({ standIn, win } = main);
}, HOOK_TIMEOUT_MS);

afterAll(async () => {
  await main?.stop();
  rmSync(userData, { recursive: true, force: true });
}, HOOK_TIMEOUT_MS);

it('loads the dev server, not the bundled index.html', () => {
  expect(win.loaded).toEqual({ url: 'http://localhost:5173/' });
});

it('has reload and the developer tools in the View menu', () => {
  const menu = JSON.stringify(standIn.calls.menus[0]);
  expect(menu).toContain('"reload"');
  expect(menu).toContain('"toggleDevTools"');
});

it("takes IPC from the dev server's page only", async () => {
  const handler = standIn.handlers.get('topology:list');
  if (!handler) throw new Error('no handler for topology:list');
  expect(await handler(ipcEventFrom(win.webContents, win.webContents.mainFrame), 'main')).toMatchObject({ ok: true });
  // The very file a production build would load (index.ts resolves ../renderer/index.html from its own directory).
  const file = new URL('../../electron/renderer/index.html', import.meta.url).href;
  for (const url of [file, 'http://localhost:5174/', 'http://evil.example/']) {
    expect(await handler(ipcEventFrom(win.webContents, { url, parent: null }), 'main'), url).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  }
});
