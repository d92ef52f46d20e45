// The Electron main process: one sandboxed window, one ConsoleHub (a ConsoleService per open
// topology tab), an IPC handler per channel that checks who is calling before it forwards
// anything (ipc.ts), and the pushes (ticks, action progress) sent to that window only.
import { app, BrowserWindow, ipcMain, safeStorage, session, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAIN_TOPOLOGY } from '../shared/api';
import { ConsoleHub } from '../app/console-hub';
import { ProfileStore } from '../app/profile-store';
import { SafeStorageSecretStore } from '../app/secret-store';
import { parseConsoleArgs, USAGE, UsageError, type ConsoleArgs } from '../app/cli-options';
import { applyStartupArgs, reportInterruptedPlans } from '../app/startup';
import { startupCheckFor } from '../app/connection-args';
import { toApiError } from '../engine/errors';
import { openExternalSafely } from './external';
import { registerIpc } from './ipc';

const here = dirname(fileURLToPath(import.meta.url));
const PRELOAD = join(here, '../preload/index.cjs');
const RENDERER_INDEX = resolve(here, '../renderer/index.html');
// Set by `electron-vite dev` only; a packaged app always loads its own files.
const DEV_SERVER_URL = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;

function readArgs(): ConsoleArgs {
  try {
    // Chromium switches share argv with ours, so unknown options are skipped, not refused.
    return parseConsoleArgs(process.argv.slice(app.isPackaged ? 1 : 2), { strict: false });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`Replication Console: ${error.message}\n${USAGE}`);
    process.exit(2);
  }
}

const args = readArgs();
for (const notice of args.notices) console.error(notice);
// The audit log goes where Electron keeps this app's data (the CLI writes the same file).
// Saved connections for every tab; their secrets encrypted with the OS keychain (safeStorage), checked once the app is ready.
const profiles = new ProfileStore({ dir: app.getPath('userData'), secrets: new SafeStorageSecretStore(safeStorage, app.getPath('userData')) });
const hub = new ConsoleHub({ service: { interface: 'desktop', auditDir: app.getPath('userData'), profiles, timeoutMs: args.timeoutMs } });
let mainWindow: BrowserWindow | null = null;

// Every renderer is sandboxed, whatever a later BrowserWindow forgets to say.
app.enableSandbox();

/** True when the IPC comes from our page in the top frame of our window, nothing else. */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null || !mainWindow || event.sender !== mainWindow.webContents) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  if (DEV_SERVER_URL) return url.origin === new URL(DEV_SERVER_URL).origin;
  return url.protocol === 'file:' && resolve(fileURLToPath(url)) === RENDERER_INDEX;
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
  const win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 900,
    minHeight: 600,
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
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  if (DEV_SERVER_URL) void win.loadURL(DEV_SERVER_URL);
  else void win.loadFile(RENDERER_INDEX);
  return win;
}

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
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
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
  registerIpc(ipcMain, hub, isTrustedSender, () => mainWindow?.webContents ?? null);
  mainWindow = createWindow();
  void reportInterruptedPlans(hub.interruptedPlans, startupCheckFor(args.connect), (line) => console.error(line))
    .then(() => applyStartupArgs(hub.get(MAIN_TOPOLOGY), args))
    .catch((error: unknown) => {
      console.error(`Replication Console: ${args.lab ? 'the lab failed' : 'cannot connect'}: ${toApiError(error).message}`);
    });
});
