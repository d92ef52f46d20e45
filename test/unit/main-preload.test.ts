// The whole desktop bridge with a stand-in for Electron only: the real preload (what it exposes
// to the page), ipcRenderer.invoke reaching the real IPC handlers (electron/main/ipc.ts) with the
// real sender check, a real ConsoleHub behind them, and the renderer's wrapper (renderer/src/api)
// on the far side. A call that fails arrives as an ApiCallError with its code, message and details.
import '../helpers/isolated-data-dir';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConsoleHub } from '../../electron/app/console-hub';
import { registerIpc, type IpcMainLike } from '../../electron/main/ipc';
import { isTrustedSender } from '../../electron/main/sender';
import type { EnvelopeBridge, ReplicationConsoleBridge } from '../../electron/shared/api';
import { API_METHODS, PUSHES, type Envelope } from '../../electron/shared/channels';
import type { ElectronStandIn, StandInWindow } from '../helpers/electron-stand-in';

const electron = vi.hoisted(() => ({ current: null as ElectronStandIn | null }));
const userData = mkdtempSync(join(tmpdir(), 'rc-main-preload-'));

vi.mock('electron', async () => {
  const { createElectronStandIn } = await import('../helpers/electron-stand-in');
  electron.current = createElectronStandIn({ userData });
  return electron.current.module;
});

const INDEX = join(userData, 'out', 'renderer', 'index.html');

let standIn: ElectronStandIn;
let hub: ConsoleHub;
let win: StandInWindow;
let dispose: () => void;
let exposed: EnvelopeBridge;
let api: ReplicationConsoleBridge;
/** Every envelope main's handlers answered, to compare with what the renderer got. */
const answered: Array<Envelope<unknown>> = [];

beforeAll(async () => {
  const electronModule = await import('electron');
  if (!electron.current) throw new Error('electron was never imported');
  standIn = electron.current;
  const BrowserWindow = electronModule.BrowserWindow as unknown as new (options: Record<string, unknown>) => StandInWindow;
  win = new BrowserWindow({});
  await win.loadFile(INDEX);

  hub = new ConsoleHub({ service: { interface: 'desktop', auditDir: userData, timeoutMs: 2_000 } });
  const ipcMain = electronModule.ipcMain as unknown as IpcMainLike;
  // Record each answer on its way back, as it leaves main.
  const recording: IpcMainLike = {
    handle: (channel, listener) =>
      ipcMain.handle(channel, async (event, ...args) => {
        const envelope = await listener(event, ...args);
        answered.push(envelope);
        return envelope;
      }),
    removeHandler: (channel) => ipcMain.removeHandler(channel),
  };
  dispose = registerIpc(recording, hub, (event) => isTrustedSender(event, win, INDEX, undefined), () => win.webContents);
  standIn.ipcSender = { sender: win.webContents, senderFrame: win.webContents.mainFrame };

  await import('../../electron/preload/index');
  exposed = standIn.exposed.get('replicationConsole') as EnvelopeBridge;
  // The page: window.replicationConsole is what the preload exposed; getBridge() wraps it.
  vi.stubGlobal('window', { replicationConsole: exposed, location: new URL(`file://${INDEX}`) });
  const { getBridge } = await import('../../renderer/src/api/index');
  api = getBridge();
}, 30_000);

afterAll(async () => {
  vi.unstubAllGlobals();
  dispose?.();
  await hub?.closeAll();
  rmSync(userData, { recursive: true, force: true });
}, 30_000);

describe('what the preload exposes', () => {
  it("exactly the bridge's functions, once, under one name", () => {
    expect([...standIn.exposed.keys()]).toEqual(['replicationConsole']);
    expect(Object.keys(exposed).sort()).toEqual(['closeTopology', 'openTopologies', 'resendTick', 'topology']);
    const topology = exposed.topology('t-x') as unknown as Record<string, unknown>;
    expect(Object.keys(topology).sort()).toEqual([...Object.keys(API_METHODS), ...Object.keys(PUSHES)].sort());
    for (const value of [...Object.values(exposed), ...Object.values(topology)]) expect(typeof value).toBe('function');
  });

  it('nothing of ipcRenderer is reachable from it: not the object, not one of its methods', () => {
    const ipcRenderer = standIn.module.ipcRenderer as Record<string, unknown>;
    const forbidden = new Set<unknown>([ipcRenderer, ...['invoke', 'on', 'once', 'send', 'emit', 'removeListener', 'removeAllListeners'].map((k) => ipcRenderer[k])]);
    const seen = new Set<unknown>();
    const walk = (value: unknown): void => {
      if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) return;
      seen.add(value);
      expect(forbidden.has(value)).toBe(false);
      for (const key of Object.getOwnPropertyNames(value)) walk((value as Record<string, unknown>)[key]);
    };
    walk(exposed);
    walk(exposed.topology('t-x'));
    // The walk did look at the functions themselves.
    expect(seen.size).toBeGreaterThan(Object.keys(API_METHODS).length);
  });
});

describe('an error envelope, main to renderer', () => {
  /** The renderer's error for a call, and the envelope main answered for it. */
  async function failure(call: () => Promise<unknown>) {
    const before = answered.length;
    const error = await call().then(
      () => {
        throw new Error('the call succeeded');
      },
      (e: unknown) => e as Error & { code: string; details: unknown },
    );
    expect(answered.length).toBe(before + 1);
    const envelope = answered[before] as Envelope<unknown>;
    if (envelope.ok) throw new Error('main answered ok');
    return { error, sent: envelope.error };
  }

  function expectTyped(error: Error & { code: string; details: unknown }, sent: { code: string; message: string; details?: unknown }) {
    expect(error.name).toBe('ApiCallError');
    expect(error.code).toBe(sent.code);
    expect(error.message).toBe(sent.message);
    expect(error.details).toEqual(sent.details ?? {});
    // One line for the user, no stack text inside it.
    expect(error.message).not.toMatch(/\n|\bat .*\(.*:\d+:\d+\)/);
  }

  it('connect to a closed port: UNREACHABLE, with the message and details main sent', async () => {
    const server = createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    await new Promise((resolve) => server.close(resolve));
    const { error, sent } = await failure(() => api.topology('t-closed').connect({ seeds: [`127.0.0.1:${port}`] }));
    expect(sent.code).toBe('UNREACHABLE');
    expect(sent.message).toContain(`127.0.0.1:${port}`);
    expectTyped(error, sent);
  });

  it('a bad argument: BAD_ARGUMENT, the argument named', async () => {
    const { error, sent } = await failure(() => api.topology('t-bad').getHistory({ node: 'not an address' }));
    expect(sent.code).toBe('BAD_ARGUMENT');
    expect(sent.message).toMatch(/^history:get: node: /);
    expectTyped(error, sent);
  });

  it('a plan id nobody made: PLAN_EXPIRED, and its details field (nothing was sent) reaches the page', async () => {
    const { error, sent } = await failure(() => api.topology('t-plan').executeAction({ planId: randomUUID() }));
    expect(sent).toMatchObject({ code: 'PLAN_EXPIRED', details: { nothingSent: true } });
    expectTyped(error, sent);
    expect(error.details).toEqual({ nothingSent: true });
  });

  it('a call from a subframe: FORBIDDEN reaches the page typed, and the hub never saw it', async () => {
    standIn.ipcSender = { sender: win.webContents, senderFrame: { url: win.webContents.mainFrame.url, parent: win.webContents.mainFrame } };
    try {
      const { error, sent } = await failure(() => api.topology('t-sub').getTopology());
      expect(sent.code).toBe('FORBIDDEN');
      expectTyped(error, sent);
      expect(hub.has('t-sub')).toBe(false);
    } finally {
      standIn.ipcSender = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
    }
  });

  it('and a call that works still answers its value through the same path', async () => {
    await expect(api.openTopologies()).resolves.toEqual(expect.arrayContaining(['t-closed']));
  });
});
