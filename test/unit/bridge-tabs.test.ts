// The Electron bridge with several topologies, with stand-ins for electron's contextBridge,
// ipcRenderer, ipcMain and webContents: the preload sends the topology id with every call and
// routes each push to the right tab's listeners; main's handlers check the sender and the id
// and send every push tagged with its topology.
import type { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConsoleHub } from '../../electron/app/console-hub';
import type { Envelope, EnvelopeBridge } from '../../electron/shared/api';
import { ApiCallError, unwrapBridge } from '../../electron/shared/bind-api';
import type { TickUpdate } from '../../electron/shared/types';
import { isTickDelta, TickDecoder, type TickWire } from '../../electron/shared/tick-wire';
import { registerIpc, type IpcMainLike, type PushTarget } from '../../electron/main/ipc';
import { API_CHANNELS, BRIDGE_CHANNELS } from '../../electron/shared/channels';
import { Lab } from '../../electron/lab/lab';

// The preload's view of electron: what it exposes, and an ipcRenderer whose invoke answers
// from a script and whose pushes the test emits.
const electron = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  return { exposed, invoked: [] as unknown[][], answer: { current: (_channel: string): unknown => ({ ok: true, value: null }) } };
});

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  return {
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => electron.exposed.set(key, value) },
    ipcRenderer: Object.assign(new Emitter(), {
      invoke: (channel: string, ...args: unknown[]) => {
        electron.invoked.push([channel, ...args]);
        return Promise.resolve(electron.answer.current(channel));
      },
    }),
  };
});

function tick(takenAt: number): TickUpdate {
  return { snapshot: { takenAt } as TickUpdate['snapshot'], events: [] };
}

/** A tick these tests send whole. */
function wholeTick(wire: TickWire): TickUpdate {
  if (isTickDelta(wire)) throw new Error('expected a whole tick');
  return wire;
}

describe('preload', () => {
  let bridge: EnvelopeBridge;
  let ipcRenderer: EventEmitter;

  beforeAll(async () => {
    ipcRenderer = (await import('electron')).ipcRenderer as unknown as EventEmitter;
    await import('../../electron/preload/index');
    bridge = electron.exposed.get('replicationConsole') as EnvelopeBridge;
  });

  beforeEach(() => {
    electron.invoked.length = 0;
    electron.answer.current = () => ({ ok: true, value: null });
  });

  it('exposes the bridge as window.replicationConsole, never ipcRenderer', () => {
    expect([...electron.exposed.keys()]).toEqual(['replicationConsole']);
    expect(Object.keys(bridge).sort()).toEqual(['closeTopology', 'openTopologies', 'resendTick', 'topology']);
    expect(Object.values(bridge).every((v) => typeof v === 'function')).toBe(true);
  });

  it('sends the topology id first with every call', async () => {
    const one = bridge.topology('t-one');
    const two = bridge.topology('t-two');
    await one.getTopology();
    await two.connect({ seeds: ['127.0.0.1:6379'] });
    await one.listAudit(5);
    await two.listEvents({ limit: 3 });
    await bridge.closeTopology('t-two');
    electron.answer.current = () => ({ ok: true, value: ['main', 't-one'] });
    await expect(bridge.openTopologies()).resolves.toEqual({ ok: true, value: ['main', 't-one'] });
    expect(electron.invoked).toEqual([
      ['topology:get', 't-one'],
      ['topology:connect', 't-two', { seeds: ['127.0.0.1:6379'] }],
      ['audit:list', 't-one', 5],
      ['events:list', 't-two', { limit: 3 }],
      ['topology:close', 't-two'],
      ['topology:list', 'main'],
    ]);
  });

  it('hands an error envelope to the page as it is (a thrown error would lose its code and details), and the renderer rebuilds the typed error from its fields', async () => {
    const refused: Envelope<unknown> = {
      ok: false,
      error: { code: 'NEEDS_OVERRIDE', message: 'replica is behind: override REPLICA_BEHIND to run anyway', details: { nothingSent: true, overrides: ['REPLICA_BEHIND'] } },
    };
    electron.answer.current = () => refused;
    await expect(bridge.topology('t-17').getTopology()).resolves.toEqual(refused);
    const error = await unwrapBridge(bridge).topology('t-17').getTopology().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect(error).toMatchObject({ code: 'NEEDS_OVERRIDE', message: 'replica is behind: override REPLICA_BEHIND to run anyway', details: { nothingSent: true, overrides: ['REPLICA_BEHIND'] } });
  });

  it('turns a failed IPC (no handler while the main process quits) into an error envelope, never a rejection', async () => {
    electron.answer.current = () => {
      throw new Error("No handler registered for 'topology:get'");
    };
    await expect(bridge.topology('t-1').getTopology()).resolves.toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it("routes each push to its topology's listeners only, through one ipcRenderer listener per channel", () => {
    const got: Record<string, number[]> = { one: [], two: [], twoAgain: [] };
    const stopOne = bridge.topology('t-one').onTick((u) => got.one?.push(wholeTick(u).snapshot.takenAt));
    const stopTwo = bridge.topology('t-two').onTick((u) => got.two?.push(wholeTick(u).snapshot.takenAt));
    const stopTwoAgain = bridge.topology('t-two').onTick((u) => got.twoAgain?.push(wholeTick(u).snapshot.takenAt));
    // Twelve more tabs: still one listener, under the EventEmitter's limit of ten.
    const more = Array.from({ length: 12 }, (_, i) => bridge.topology(`t-${i}`).onTick(() => undefined));
    expect(ipcRenderer.listenerCount('topology:tick')).toBe(1);

    ipcRenderer.emit('topology:tick', {}, 't-one', tick(1));
    ipcRenderer.emit('topology:tick', {}, 't-two', tick(2));
    ipcRenderer.emit('topology:tick', {}, 't-nobody', tick(3));
    ipcRenderer.emit('action:progress', {}, 't-one', { planId: 'x' });
    expect(got).toEqual({ one: [1], two: [2], twoAgain: [2] });

    stopTwo();
    ipcRenderer.emit('topology:tick', {}, 't-two', tick(4));
    expect(got).toEqual({ one: [1], two: [2], twoAgain: [2, 4] });
    stopOne();
    stopTwoAgain();
    for (const stop of more) stop();
    ipcRenderer.emit('topology:tick', {}, 't-one', tick(5));
    expect(got.one).toEqual([1]);
  });

  it("one tab's failing listener does not starve another's", () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const got: number[] = [];
    const stopBad = bridge.topology('t-bad').onTick(() => {
      throw new Error('broken');
    });
    const stopGood = bridge.topology('t-bad').onTick((u) => got.push(wholeTick(u).snapshot.takenAt));
    ipcRenderer.emit('topology:tick', {}, 't-bad', tick(7));
    expect(got).toEqual([7]);
    expect(errors).toHaveBeenCalledTimes(1);
    stopBad();
    stopGood();
    errors.mockRestore();
  });
});

describe("main's IPC handlers", () => {
  let dir: string;
  let hub: ConsoleHub;
  const handlers = new Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<Envelope<unknown>>>();
  const sent: unknown[][] = [];
  let trusted = true;
  let target: PushTarget | null = null;
  let dispose: () => void;

  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => handlers.delete(channel),
  };
  const event = {} as IpcMainInvokeEvent;

  function handle(channel: string, ...args: unknown[]): Promise<Envelope<unknown>> {
    const handler = handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(event, ...args);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rc-ipc-tabs-'));
    hub = new ConsoleHub({ service: { interface: 'desktop', auditDir: dir } });
    target = { isDestroyed: () => false, send: (...args: unknown[]) => sent.push(args) };
    dispose = registerIpc(ipcMain, hub, () => trusted, () => target);
  });

  afterAll(async () => {
    dispose?.();
    await hub?.closeAll();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('handles every API channel and the three app-level ones', () => {
    expect([...handlers.keys()].sort()).toEqual([...API_CHANNELS, 'tick:resend', 'topology:close', 'topology:list'].sort());
    expect(BRIDGE_CHANNELS).toContain('topology:close');
  });

  it('runs a call on the topology the id names, made on first use', async () => {
    expect(await handle('topology:get', 't-a')).toEqual({ ok: true, value: null });
    expect(await handle('lab:status', 't-b')).toEqual({ ok: true, value: { running: false, seeds: [] } });
    expect(await handle('topology:list', 'main')).toEqual({ ok: true, value: ['t-a', 't-b'] });
    expect(await handle('topology:close', 't-a')).toEqual({ ok: true, value: null });
    expect(hub.ids).toEqual(['t-b']);
  });

  it('checks the id like any argument: a bad one is refused and makes nothing', async () => {
    for (const id of ['', 'has space', 'x'.repeat(37), 7, null]) {
      const result = await handle('topology:get', id);
      expect(result).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT', message: expect.stringMatching(/^Invalid topology id/) } });
    }
    // The arguments after the id are the channel's, checked as before.
    expect(await handle('history:get', 't-b', { node: 'nope' })).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } });
    expect(hub.ids).toEqual(['t-b']);
  });

  it('refuses a call from anywhere but the console page before looking at it', async () => {
    trusted = false;
    try {
      expect(await handle('topology:get', 't-new')).toEqual({
        ok: false,
        error: { code: 'FORBIDDEN', message: 'topology:get: refused, the call did not come from the console page', details: { nothingSent: true } },
      });
      expect(hub.has('t-new')).toBe(false);
    } finally {
      trusted = true;
    }
  });

  it('sends each tick as (channel, topology, data) to the window, and nothing to a destroyed one', async () => {
    const lab = await Lab.start({ nodes: [{ name: 'm' }] });
    try {
      sent.length = 0;
      const connected = await handle('topology:connect', 't-live', { seeds: [lab.address('m')], pollIntervalMs: 200 });
      expect(connected).toMatchObject({ ok: true });
      await expect.poll(() => sent.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
      // The first tick whole, the next ones as differences that rebuild the engine's own.
      const decoder = new TickDecoder(() => {
        throw new Error('a difference that does not fit the tick before it');
      });
      const forms: string[] = [];
      for (const [channel, topology, data] of sent.slice(0, 3)) {
        expect(channel).toBe('topology:tick');
        expect(topology).toBe('t-live');
        forms.push(isTickDelta(data as TickWire) ? 'delta' : 'whole');
        const update = decoder.decode(data as TickWire);
        expect(update?.snapshot.nodes.map((n) => n.address)).toEqual([lab.address('m')]);
      }
      expect(forms).toEqual(['whole', 'delta', 'delta']);
      const latest = (await handle('topology:get', 't-live')) as Envelope<TickUpdate['snapshot']>;
      // A page that asks (a reload) gets the next tick whole.
      const asked = sent.length;
      expect(await handle('tick:resend', 't-live')).toEqual({ ok: true, value: null });
      await expect.poll(() => sent.length, { timeout: 10_000 }).toBeGreaterThan(asked);
      expect(isTickDelta(sent[asked]?.[2] as TickWire)).toBe(false);
      expect(latest.ok).toBe(true);
      // A destroyed window is skipped, not sent to.
      let destroyed = false;
      const before = sent.length;
      target = { isDestroyed: () => (destroyed = true), send: (...args: unknown[]) => sent.push(args) };
      await expect.poll(() => destroyed, { timeout: 10_000 }).toBe(true);
      expect(sent.length).toBe(before);
      expect(await handle('topology:close', 't-live')).toEqual({ ok: true, value: null });
    } finally {
      await lab.close();
    }
  });
});
