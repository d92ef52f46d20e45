// The Electron main process: one sandboxed window, one ConsoleHub (a ConsoleService per open
// topology tab), an IPC handler per channel that checks who is calling before it forwards
// anything (ipc.ts, sender.ts), and the pushes (ticks, action progress) sent to that window only.
// This file only wires; each piece is a module of its own, tested with a stand-in for Electron.
import { app, BrowserWindow, ipcMain, Menu, Notification, safeStorage, screen, session, type WebContents } from 'electron';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import packageJson from '../../package.json';
import { MAIN_TOPOLOGY } from '../shared/api';
import { ConsoleHub } from '../app/console-hub';
import { ProfileStore } from '../app/profile-store';
import { SafeStorageSecretStore } from '../app/secret-store';
import { parseConsoleArgs, unknownOptionWarnings, USAGE, USAGE_HINT, UsageError, type ConsoleArgs } from '../app/cli-options';
import { applyStartupArgs, reportInterruptedPlans } from '../app/startup';
import { startupCheckFor } from '../app/connection-args';
import { toApiError } from '../engine/errors';
import { aboutPanelOptions } from './about';
import { DEV_BUILD, rendererDevUrl } from './build-mode';
import { openExternalSafely } from './external';
import { registerIpc } from './ipc';
import { installMenu, menuTemplate } from './menu';
import { notifyAlerts } from './notifications';
import { isTrustedSender } from './sender';
import { claimSingleInstance } from './single-instance';
import { placeWindow, readWindowState, trackWindowState, WINDOW_STATE_FILE } from './window-state';

const here = dirname(fileURLToPath(import.meta.url));
const PRELOAD = join(here, '../preload/index.cjs');
const RENDERER_INDEX = resolve(here, '../renderer/index.html');
// `electron-vite dev` sets ELECTRON_RENDERER_URL; only a development build, unpackaged, follows it.
const DEV_SERVER_URL = rendererDevUrl(DEV_BUILD, app.isPackaged, process.env.ELECTRON_RENDERER_URL);
// package.json's homepage, when it has one: the Help menu's Documentation and Linux's About panel.
const homepage = (packageJson as { homepage?: unknown }).homepage;
const DOCS_URL = typeof homepage === 'string' && /^https?:\/\//.test(homepage) ? homepage : null;
const WINDOW_SIZE = { width: 1360, height: 860, minWidth: 900, minHeight: 600 };

let mainWindow: BrowserWindow | null = null;

const argv = process.argv.slice(app.isPackaged ? 1 : 2);
const args = readArgs();
// --help is answered before the single-instance lock: with a console already running, the lock
// would hand the launch to its window and quit, and the usage asked for would never be printed.
if (args.help) {
  console.log(USAGE);
  app.exit(0);
} else if (claimSingleInstance(app, () => mainWindow)) {
  // A second launch brings the running console to the front and quits here, before it reads the
  // profiles or the plan journal, and before it opens a window.
  start(args);
} else {
  console.error('Replication Console is already running: its window is brought to the front (nothing given here is applied).');
  app.quit();
}

function readArgs(): ConsoleArgs {
  try {
    // Chromium switches share argv with ours, so unknown options are skipped, not refused: a
    // misspelt one of ours is named in one line, Chromium's pass without a word.
    for (const warning of unknownOptionWarnings(argv)) console.error(warning);
    return parseConsoleArgs(argv, { strict: false });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`Replication Console: ${error.message}\n${USAGE_HINT}`);
    process.exit(2);
  }
}

/** Lock down every web contents: no navigation away, no new windows, no webviews. */
function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => {
    if (event.url === contents.getURL()) return;
    event.preventDefault();
    openExternalSafely(event.url);
  });
  contents.on('will-redirect', (event) => {
    if (event.url !== contents.getURL()) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url);
    return { action: 'deny' };
  });
}

function createWindow(): BrowserWindow {
  const stateFile = join(app.getPath('userData'), WINDOW_STATE_FILE);
  const saved = readWindowState(stateFile);
  if (saved.problem) console.error(`Replication Console: ${saved.problem}`);
  const place = placeWindow(
    saved.state,
    screen.getAllDisplays().map((display) => display.workArea),
    WINDOW_SIZE,
  );
  const win = new BrowserWindow({
    ...place.bounds,
    minWidth: WINDOW_SIZE.minWidth,
    minHeight: WINDOW_SIZE.minHeight,
    show: false,
    title: 'Replication Console',
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => {
    if (place.maximized) win.maximize();
    win.show();
    if (place.fullScreen) win.setFullScreen(true);
  });
  trackWindowState(win, stateFile, (line) => console.error(`Replication Console: ${line}`));
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  if (DEV_SERVER_URL) void win.loadURL(DEV_SERVER_URL);
  else void win.loadFile(RENDERER_INDEX);
  return win;
}

function start(args: ConsoleArgs): void {
  for (const notice of args.notices) console.error(notice);
  // The audit log goes where Electron keeps this app's data (the CLI writes the same file).
  // Saved connections for every tab; their secrets encrypted with the OS keychain (safeStorage), checked once the app is ready.
  const profiles = new ProfileStore({ dir: app.getPath('userData'), secrets: new SafeStorageSecretStore(safeStorage, app.getPath('userData')) });
  const hub = new ConsoleHub({ service: { interface: 'desktop', auditDir: app.getPath('userData'), profiles, timeoutMs: args.timeoutMs } });

  // Every renderer is sandboxed, whatever a later BrowserWindow forgets to say.
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));

  let cleanedUp = false;
  let cleaning = false;
  hub.onStopNotice((_topology, message) => console.error(`Replication Console: ${message}`));
  // The lab's redis-server processes and the engine's sockets must go before the app does, and
  // every tab's running plan must reach a safe point first (hub.closeAll waits for them, bounded):
  // quitting mid-switchover is what leaves a master refusing writes.
  app.on('before-quit', (event) => {
    if (cleanedUp) return;
    event.preventDefault();
    if (cleaning) return;
    cleaning = true;
    hub
      .closeAll()
      .catch((error: unknown) => console.error(`Replication Console: error while stopping: ${toApiError(error).message}`))
      .finally(() => {
        cleanedUp = true;
        app.quit();
      });
  });
  app.on('window-all-closed', () => app.quit());
  // SIGHUP too: the terminal that started the app closed (a dropped SSH session with X forwarding).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      // A second Ctrl-C while a plan is being stopped means "now"; the journal keeps the plan.
      if (cleaning && !cleanedUp) {
        console.error('Replication Console: quitting now; the plan journal keeps any unfinished plan for the next start.');
        app.exit(130);
        return;
      }
      app.quit();
    });
  }

  void app.whenReady().then(() => {
    // The console needs no camera, notifications, clipboard reads or the like. It may write to
    // the clipboard (the plan dialog's "copy command" buttons, always on a click), nothing more.
    session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => callback(permission === 'clipboard-sanitized-write'));
    session.defaultSession.setPermissionCheckHandler((_contents, permission) => permission === 'clipboard-sanitized-write');
    app.setAboutPanelOptions(aboutPanelOptions(process.platform, app.getVersion(), DOCS_URL));
    installMenu(
      Menu,
      menuTemplate(process.platform, DEV_BUILD, {
        showAbout: () => app.showAboutPanel(),
        openDocs: DOCS_URL ? () => openExternalSafely(DOCS_URL) : null,
      }),
    );
    registerIpc(ipcMain, hub, (event) => isTrustedSender(event, mainWindow, RENDERER_INDEX, DEV_SERVER_URL), () => mainWindow?.webContents ?? null);
    mainWindow = createWindow();
    // Alerts that start firing, on any tab's topology: one desktop notification per incident.
    notifyAlerts(hub, Notification, () => {
      const win = mainWindow;
      if (!win || win.isDestroyed()) return;
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    });
    void reportInterruptedPlans(hub.interruptedPlans, startupCheckFor(args.connect), (line) => console.error(line))
      .then(() => applyStartupArgs(hub.get(MAIN_TOPOLOGY), args))
      .catch((error: unknown) => {
        console.error(`Replication Console: ${args.lab ? 'the lab failed' : 'cannot connect'}: ${toApiError(error).message}`);
      });
  });
}
