// The desktop app's wiring (electron/main/index.ts), loaded as a production build with a stand-in
// for Electron: the first instance takes the lock and comes to the front on a second launch, the
// window opens where it was left and is saved on close, the menu and About panel are installed,
// ELECTRON_RENDERER_URL is ignored, and the IPC handlers accept our page only.
import '../helpers/isolated-data-dir';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { until } from '../helpers/until';
import { ipcEventFrom, startMainProcess, type ElectronStandIn, type StandInWindow, type StartedMain } from '../helpers/electron-stand-in';

// Loading the whole main process (hub, stores) takes seconds on a busy two-core machine.
const HOOK_TIMEOUT_MS = 30_000;
const electron = vi.hoisted(() => ({ current: null as ElectronStandIn | null }));
const userData = mkdtempSync(join(tmpdir(), 'rc-main-index-'));
const LAPTOP = { x: 0, y: 0, width: 1440, height: 875 };
const RIGHT_MONITOR = { x: 1440, y: 0, width: 2560, height: 1415 };

vi.mock('electron', async () => {
  const { createElectronStandIn } = await import('../helpers/electron-stand-in');
  electron.current = createElectronStandIn({ userData, workAreas: [LAPTOP, RIGHT_MONITOR] });
  return electron.current.module;
});
// What `electron-vite build` bakes in: a production build (vitest itself runs as development).
vi.mock('../../electron/main/build-mode', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../electron/main/build-mode')>()),
  DEV_BUILD: false,
}));

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const saved = { version: 1, bounds: { x: 1600, y: 100, width: 1500, height: 900 }, maximized: true, fullScreen: false };

let standIn: ElectronStandIn;
let win: StandInWindow;
let main: StartedMain | null = null;

beforeAll(async () => {
  writeFileSync(join(userData, 'window-state.json'), JSON.stringify(saved));
  // A production build run unpackaged (`electron .`) with the variable still set in the shell.
  main = await startMainProcess(() => import('../../electron/main/index'), () => electron.current, 'http://localhost:5173');
  ({ standIn, win } = main);
}, HOOK_TIMEOUT_MS);

afterAll(async () => {
  await main?.stop();
  rmSync(userData, { recursive: true, force: true });
}, HOOK_TIMEOUT_MS);

describe('first instance', () => {
  it('takes the single-instance lock and keeps running', () => {
    expect(standIn.calls.lock).toBe(1);
    expect(standIn.calls.quit).toBe(0);
  });

  it('a production build loads its own index.html, even with ELECTRON_RENDERER_URL set', () => {
    expect(win.loaded.url).toBeUndefined();
    expect(win.loaded.file).toMatch(/[\\/]renderer[\\/]index\.html$/);
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
  });

  it('opens where it was left (on the second monitor, maximized once shown), with the minimum size kept', () => {
    expect(win.bounds).toEqual(saved.bounds);
    expect(win.options).toMatchObject({ minWidth: 900, minHeight: 600, show: false });
    expect(win.isVisible()).toBe(false);
    win.emit('ready-to-show');
    expect(win.isVisible()).toBe(true);
    expect(win.isMaximized()).toBe(true);
  });

  it("a second launch restores, shows and focuses this window", () => {
    win.minimize();
    win.hide();
    expect(win).toMatchObject({ minimized: true, visible: false, focused: false });
    standIn.app.emit('second-instance', {}, ['/usr/bin/electron', '.'], '/home/user', {});
    expect(win).toMatchObject({ minimized: false, visible: true, focused: true });
  });

  it("installs the production menu for this platform, and sets the About panel with package.json's version", () => {
    expect(standIn.calls.menus).toHaveLength(1);
    const menu = JSON.stringify(standIn.calls.menus[0]);
    expect(menu).toContain('"selectAll"');
    expect(menu).not.toMatch(/"reload"|"toggleDevTools"/);
    expect(standIn.calls.about).toEqual([expect.objectContaining({ applicationName: 'Replication Console', applicationVersion: packageVersion })]);
    if (process.platform !== 'darwin') {
      const help = (standIn.calls.menus[0] ?? []).find((m) => m.label === 'Help')?.submenu as MenuItemConstructorOptions[];
      (help.find((i) => i.label === 'About Replication Console')?.click as () => void)();
      expect(standIn.calls.showAbout).toBe(1);
    }
  });

  it('answers our page in the top frame, and refuses a subframe, another window and a dev server page', async () => {
    const call = (event: unknown) => {
      const handler = standIn.handlers.get('topology:list');
      if (!handler) throw new Error('no handler for topology:list');
      return handler(event, 'main');
    };
    const top = win.webContents.mainFrame;
    expect(await call(ipcEventFrom(win.webContents, top))).toEqual({ ok: true, value: expect.any(Array) });
    const forbidden = { ok: false, error: expect.objectContaining({ code: 'FORBIDDEN' }) };
    expect(await call(ipcEventFrom(win.webContents, { url: top.url, parent: top }))).toEqual(forbidden);
    expect(await call(ipcEventFrom(win.webContents, { url: 'http://localhost:5173/', parent: null }))).toEqual(forbidden);
    const BrowserWindow = standIn.module.BrowserWindow as new (options: Record<string, unknown>) => StandInWindow;
    const other = new BrowserWindow({});
    await other.loadFile(win.loaded.file ?? '');
    expect(await call(ipcEventFrom(other.webContents, other.webContents.mainFrame))).toEqual(forbidden);
  });

  it('every web contents is locked down: navigation away opens the browser (http(s) only), new windows are denied', async () => {
    const { StandInWebContents } = await import('../helpers/electron-stand-in');
    const contents = new StandInWebContents();
    contents.mainFrame.url = win.webContents.mainFrame.url;
    standIn.app.emit('web-contents-created', {}, contents);
    const navigate = (url: string) => {
      let prevented = false;
      contents.emit('will-navigate', { url, preventDefault: () => (prevented = true) });
      return prevented;
    };
    expect(navigate('https://redis.io/docs/')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate(contents.getURL())).toBe(false); // a reload of our own page
    expect(contents.windowOpenHandler?.({ url: 'https://valkey.io/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(standIn.calls.opened).toEqual(['https://redis.io/docs/', 'https://valkey.io/']);
  });

  it('saves its place when closed, for the next start', () => {
    win.unmaximize();
    win.setBounds({ x: 200, y: 120, width: 1200, height: 800 });
    win.close();
    expect(JSON.parse(readFileSync(join(userData, 'window-state.json'), 'utf8'))).toEqual({
      version: 1,
      bounds: { x: 200, y: 120, width: 1200, height: 800 },
      maximized: false,
      fullScreen: false,
    });
  });

  it('quits on SIGHUP as on SIGTERM (the terminal that started it closed): the hub stops every tab first', async () => {
    const quits = standIn.calls.quit;
    process.emit('SIGHUP', 'SIGHUP');
    await until('the app to quit', async () => (standIn.calls.quit > quits ? true : undefined));
  });
});
