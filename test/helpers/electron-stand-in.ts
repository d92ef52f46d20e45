// A stand-in for the 'electron' module, for main-process tests (Electron's binary is not needed):
// an app that emits its events on demand, BrowserWindows that keep their bounds and states,
// Menu, screen, session, safeStorage, shell, ipcMain and the preload's contextBridge/ipcRenderer,
// each recording what the code under test asked of it. Use it from vi.mock:
//
//   const electron = vi.hoisted(() => ({ current: null as ElectronStandIn | null }));
//   vi.mock('electron', async () => {
//     const { createElectronStandIn } = await import('../helpers/electron-stand-in');
//     electron.current = createElectronStandIn({ userData: ... });
//     return electron.current.module;
//   });
import { EventEmitter } from 'node:events';
import { until } from './until';
import { readFileSync } from 'node:fs';
import type { AboutPanelOptionsOptions, MenuItemConstructorOptions } from 'electron';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface StandInOptions {
  /** app.getPath('userData') (and every other path). */
  userData: string;
  /** What app.requestSingleInstanceLock() answers: false plays a second launch. */
  lock?: boolean;
  /** app.getVersion(); Electron answers the app's package.json version, and so does the stand-in by default. */
  version?: string;
  isPackaged?: boolean;
  /** The displays' work areas, for screen.getAllDisplays(). */
  workAreas?: Rect[];
}

/** A frame as IPC events carry it (senderFrame). */
export interface StandInFrame {
  url: string;
  parent: StandInFrame | null;
}

let nextContentsId = 1;

export class StandInWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly sent: unknown[][] = [];
  readonly mainFrame: StandInFrame = { url: '', parent: null };
  destroyed = false;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;

  isDestroyed(): boolean {
    return this.destroyed;
  }

  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }

  getURL(): string {
    return this.mainFrame.url;
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
}

export class StandInWindow extends EventEmitter {
  readonly webContents = new StandInWebContents();
  readonly options: Record<string, unknown>;
  bounds: Rect;
  loaded: { file?: string; url?: string } = {};
  maximized = false;
  fullScreen = false;
  minimized = false;
  visible = false;
  focused = false;
  destroyed = false;

  constructor(options: Record<string, unknown>, private readonly standIn: ElectronStandIn) {
    super();
    this.options = options;
    const width = Number(options.width ?? 800);
    const height = Number(options.height ?? 600);
    // Like Electron: no x/y means centred on the primary display.
    const primary = standIn.workAreas[0] ?? { x: 0, y: 0, width: 1920, height: 1080 };
    const x = typeof options.x === 'number' ? options.x : primary.x + Math.round((primary.width - width) / 2);
    const y = typeof options.y === 'number' ? options.y : primary.y + Math.round((primary.height - height) / 2);
    this.bounds = { x, y, width, height };
    standIn.windows.push(this);
  }

  loadFile(file: string): Promise<void> {
    this.loaded = { file };
    this.webContents.mainFrame.url = new URL(`file://${file}`).href;
    return Promise.resolve();
  }

  loadURL(url: string): Promise<void> {
    this.loaded = { url };
    this.webContents.mainFrame.url = url;
    return Promise.resolve();
  }

  getNormalBounds(): Rect {
    return { ...this.bounds };
  }

  /** Move or resize as a user would: the bounds change, then 'move' or 'resize' fires. */
  setBounds(bounds: Partial<Rect>): void {
    const moved = (bounds.x !== undefined && bounds.x !== this.bounds.x) || (bounds.y !== undefined && bounds.y !== this.bounds.y);
    this.bounds = { ...this.bounds, ...bounds };
    this.emit(moved ? 'move' : 'resize');
  }

  isMaximized(): boolean {
    return this.maximized;
  }

  maximize(): void {
    this.maximized = true;
    this.visible = true;
    this.emit('maximize');
  }

  unmaximize(): void {
    this.maximized = false;
    this.emit('unmaximize');
  }

  isFullScreen(): boolean {
    return this.fullScreen;
  }

  setFullScreen(on: boolean): void {
    this.fullScreen = on;
    this.emit(on ? 'enter-full-screen' : 'leave-full-screen');
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  minimize(): void {
    this.minimized = true;
    this.focused = false;
  }

  restore(): void {
    this.minimized = false;
  }

  show(): void {
    this.visible = true;
  }

  hide(): void {
    this.visible = false;
    this.focused = false;
  }

  isVisible(): boolean {
    return this.visible;
  }

  focus(): void {
    this.focused = true;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Close as the user would: 'close', then the window and its contents are gone, then 'closed'. */
  close(): void {
    this.emit('close', { preventDefault: () => undefined });
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

/** A desktop notification the code under test made; click() plays the user clicking it. */
export class StandInNotification extends EventEmitter {
  readonly options: { title?: string; body?: string };
  shown = false;

  constructor(options: { title?: string; body?: string }, standIn: ElectronStandIn) {
    super();
    this.options = options;
    standIn.notifications.push(this);
  }

  show(): void {
    this.shown = true;
  }

  click(): void {
    this.emit('click');
  }
}

/** The stand-in's app: Electron's events are emitted by the test (app.emit('second-instance', …)). */
export interface StandInApp extends EventEmitter {
  isPackaged: boolean;
  whenReady(): Promise<void>;
}

export interface ElectronStandIn {
  /** What `import … from 'electron'` gets. */
  module: Record<string, unknown>;
  app: StandInApp;
  windows: StandInWindow[];
  workAreas: Rect[];
  calls: {
    lock: number;
    quit: number;
    exit: number[];
    getPath: string[];
    about: AboutPanelOptionsOptions[];
    showAbout: number;
    menus: MenuItemConstructorOptions[][];
    opened: string[];
  };
  /** ipcMain.handle's handlers by channel. */
  handlers: Map<string, (event: unknown, ...args: unknown[]) => unknown>;
  /** contextBridge.exposeInMainWorld's values by key. */
  exposed: Map<string, unknown>;
  /** Every Notification made, in order (shown or not). */
  notifications: StandInNotification[];
  /** Who ipcRenderer.invoke calls as (the event ipcMain's handler gets); null: nobody set it. */
  ipcSender: { sender: unknown; senderFrame: StandInFrame | null } | null;
  /** Resolve app.whenReady(), as Electron does once it is ready. */
  ready(): void;
}

export function createElectronStandIn(options: StandInOptions): ElectronStandIn {
  let resolveReady: () => void = () => undefined;
  const whenReady = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  const calls: ElectronStandIn['calls'] = { lock: 0, quit: 0, exit: [], getPath: [], about: [], showAbout: 0, menus: [], opened: [] };
  const app: StandInApp = Object.assign(new EventEmitter(), {
    isPackaged: options.isPackaged ?? false,
    requestSingleInstanceLock: () => {
      calls.lock++;
      return options.lock ?? true;
    },
    quit: () => {
      calls.quit++;
    },
    exit: (code = 0) => {
      calls.exit.push(code);
    },
    getPath: (name: string) => {
      calls.getPath.push(name);
      return options.userData;
    },
    getVersion: () => options.version ?? packageVersion(),
    enableSandbox: () => undefined,
    whenReady: () => whenReady,
    setAboutPanelOptions: (about: AboutPanelOptionsOptions) => calls.about.push(about),
    showAboutPanel: () => {
      calls.showAbout++;
    },
  });
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const exposed = new Map<string, unknown>();
  const standIn: ElectronStandIn = {
    module: {},
    app,
    windows: [],
    workAreas: options.workAreas ?? [{ x: 0, y: 0, width: 1920, height: 1040 }],
    calls,
    handlers,
    exposed,
    notifications: [],
    ipcSender: null,
    ready: () => resolveReady(),
  };
  class BrowserWindow extends StandInWindow {
    constructor(windowOptions: Record<string, unknown>) {
      super(windowOptions, standIn);
    }
  }
  class Notification extends StandInNotification {
    constructor(notificationOptions: { title?: string; body?: string }) {
      super(notificationOptions, standIn);
    }
    static isSupported(): boolean {
      return true;
    }
  }
  const session = {
    defaultSession: { setPermissionRequestHandler: () => undefined, setPermissionCheckHandler: () => undefined },
  };
  standIn.module = {
    app,
    BrowserWindow,
    Notification,
    Menu: {
      buildFromTemplate: (template: MenuItemConstructorOptions[]) => ({ template }),
      setApplicationMenu: (menu: { template: MenuItemConstructorOptions[] } | null) => {
        if (menu) calls.menus.push(menu.template);
      },
    },
    screen: {
      getAllDisplays: () => standIn.workAreas.map((workArea, id) => ({ id, workArea, bounds: workArea })),
    },
    session,
    safeStorage: {
      isEncryptionAvailable: () => false,
      getSelectedStorageBackend: () => 'basic_text',
      encryptString: () => {
        throw new Error('no keychain in the stand-in');
      },
      decryptString: () => {
        throw new Error('no keychain in the stand-in');
      },
    },
    shell: {
      openExternal: (url: string) => {
        calls.opened.push(url);
        return Promise.resolve();
      },
    },
    ipcMain: {
      handle: (channel: string, listener: (event: unknown, ...args: unknown[]) => unknown) => {
        if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
        handlers.set(channel, listener);
      },
      removeHandler: (channel: string) => handlers.delete(channel),
    },
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
    // invoke reaches ipcMain's handler as Electron's IPC does: arguments and answer structured-cloned
    // (no functions, no prototypes: an Error arrives as a plain Error without its own fields), and
    // a channel nobody handles rejects.
    ipcRenderer: Object.assign(new EventEmitter(), {
      invoke: async (channel: string, ...args: unknown[]) => {
        const handler = handlers.get(channel);
        if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
        if (!standIn.ipcSender) throw new Error('the stand-in does not know who calls: set ipcSender');
        const answer = await handler({ ...standIn.ipcSender }, ...structuredClone(args));
        return structuredClone(answer);
      },
    }),
  };
  return standIn;
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** An IPC event as Electron builds it for a call from `frame` of `contents`. */
export function ipcEventFrom(contents: unknown, frame: StandInFrame | null): { sender: never; senderFrame: never } {
  return { sender: contents as never, senderFrame: frame as never };
}

/** electron/main/index.ts started on a stand-in, and how to quit it and put the process back. */
export interface StartedMain {
  standIn: ElectronStandIn;
  win: StandInWindow;
  stop(): Promise<void>;
}

/**
 * Start the main process as `electron .` would, with ELECTRON_RENDERER_URL set as in a developer's
 * shell: `load` imports electron/main/index.ts (from the test file, where its vi.mock of 'electron'
 * applies), `current` returns the stand-in that mock made. stop() quits the app the way the user
 * does (the hub closes every tab first), then restores argv, the variable and the signal handlers.
 */
export async function startMainProcess(load: () => Promise<unknown>, current: () => ElectronStandIn | null, rendererUrl: string): Promise<StartedMain> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const restore = { argv: process.argv, rendererUrl: process.env.ELECTRON_RENDERER_URL, listeners: new Map(signals.map((signal) => [signal, process.listeners(signal)])) };
  process.env.ELECTRON_RENDERER_URL = rendererUrl;
  process.argv = ['/usr/bin/electron', '.'];
  await load();
  const standIn = current();
  if (!standIn) throw new Error('electron was never imported');
  standIn.ready();
  const win = await until('the window', async () => standIn.windows[0]);
  return {
    standIn,
    win,
    async stop() {
      const quits = standIn.calls.quit;
      standIn.app.emit('before-quit', { preventDefault: () => undefined });
      await until('the app to quit', async () => (standIn.calls.quit > quits ? true : undefined));
      for (const signal of signals) {
        const before = restore.listeners.get(signal) ?? [];
        for (const listener of process.listeners(signal)) if (!before.includes(listener)) process.removeListener(signal, listener);
      }
      process.argv = restore.argv;
      if (restore.rendererUrl === undefined) delete process.env.ELECTRON_RENDERER_URL;
      else process.env.ELECTRON_RENDERER_URL = restore.rendererUrl;
    },
  };
}
