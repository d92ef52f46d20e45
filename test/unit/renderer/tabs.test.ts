// Topology tabs in the renderer over a scripted bridge (one ScriptedApi per topology id): each
// tab its own Session, inactive tabs still fed their ticks, names and status dots, "+", close,
// the 16-tab limit and a reloaded window finding its tabs again. No Redis here.
import { describe, expect, it } from 'vitest';
import type { ReplicationConsoleBridge } from '../../../electron/shared/api';
import { MAX_TOPOLOGIES } from '../../../electron/shared/api';
import type { ConnectionSummary } from '../../../electron/shared/types';
import { tabName, tabStatus } from '../../../renderer/src/lib/tab-label';
import { TabsState } from '../../../renderer/src/state/tabs.svelte';
import { labSnapshot, makeNode, makeSnapshot } from './fixtures';
import { ScriptedApi } from './scripted-api';

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

class ScriptedBridge implements ReplicationConsoleBridge {
  readonly apis = new Map<string, ScriptedApi>();
  readonly closed: string[] = [];
  open: string[] = [];

  topology(id: string): ScriptedApi {
    let api = this.apis.get(id);
    if (!api) {
      api = new ScriptedApi();
      this.apis.set(id, api);
    }
    return api;
  }

  async closeTopology(id: string): Promise<void> {
    this.closed.push(id);
  }

  async openTopologies(): Promise<string[]> {
    return this.open;
  }
}

function counter(): () => string {
  let n = 0;
  return () => `t-${++n}`;
}

const connection = (patch: Partial<ConnectionSummary>): ConnectionSummary => ({
  tls: false,
  insecure: false,
  ssh: null,
  sentinel: null,
  user: null,
  readOnly: false,
  trustedHosts: [],
  profileName: null,
  ...patch,
});

describe('tab names and status', () => {
  it('names a tab by profile, else Sentinel master name, else root master, else the seed being dialled', () => {
    const snapshot = labSnapshot();
    expect(tabName({ ...snapshot, connection: connection({ profileName: 'prod-eu', sentinel: { masterName: 'mymaster', addresses: [] } }) })).toBe('prod-eu');
    expect(tabName({ ...snapshot, connection: connection({ sentinel: { masterName: 'mymaster', addresses: [] } }) })).toBe('mymaster');
    expect(tabName(snapshot)).toBe('127.0.0.1:7000');
    // Two masters (a lone one, and one with replicas): the one with replicas is the root.
    const two = makeSnapshot({ nodes: [makeNode('127.0.0.1:9000'), ...labSnapshot().nodes], edges: labSnapshot().edges });
    expect(tabName(two)).toBe('127.0.0.1:7000');
    // A split brain: a replica promoted by hand keeps its 3 replicas, the master has 2 direct
    // replicas with 2 each below them. The tab keeps the master's name (6 nodes below, not 2).
    const m = '10.0.0.1:6379';
    const rogue = '10.0.0.9:6379';
    const tree = [
      { master: m, replica: '10.0.1.1:6379' },
      { master: m, replica: '10.0.1.2:6379' },
      ...['10.0.1.1:6379', '10.0.1.2:6379'].flatMap((r, i) => [1, 2].map((k) => ({ master: r, replica: `10.0.${i + 2}.${k}:6379` }))),
      ...[1, 2, 3].map((k) => ({ master: rogue, replica: `10.0.9.${k}:6379` })),
    ];
    const split = makeSnapshot({ nodes: [makeNode(rogue), makeNode(m)], edges: tree.map((e) => ({ ...labSnapshot().edges[0]!, ...e })) });
    expect(tabName(split)).toBe(m);
    expect(tabName(null, ['10.0.0.5:6379'])).toBe('10.0.0.5:6379');
    expect(tabName(null)).toBe('New topology');
  });

  it('live only while connected and fresh; connecting while busy', () => {
    expect(tabStatus('connected', 'live', false)).toBe('live');
    expect(tabStatus('connected', 'nodes-stale', false)).toBe('stale');
    expect(tabStatus('connected', 'no-ticks', false)).toBe('stale');
    expect(tabStatus('disconnected', 'live', false)).toBe('disconnected');
    expect(tabStatus('connecting', 'live', false)).toBe('connecting');
    expect(tabStatus('disconnected', 'live', true)).toBe('connecting');
  });
});

describe('TabsState', () => {
  it("starts with one tab, 'main', the only one until + is pressed", async () => {
    const bridge = new ScriptedBridge();
    const tabs = new TabsState(bridge, counter());
    const stop = tabs.start();
    await flush();
    expect(tabs.tabs.map((t) => t.id)).toEqual(['main']);
    expect(tabs.active.id).toBe('main');
    expect(tabs.active.status).toBe('disconnected');
    expect(tabs.active.name).toBe('New topology');
    expect(bridge.topology('main').listeners.size).toBe(1);
    stop();
    expect(bridge.topology('main').listeners.size).toBe(0);
  });

  it('gives each tab its own session over its own topology, and feeds a hidden tab its ticks', async () => {
    const bridge = new ScriptedBridge();
    const tabs = new TabsState(bridge, counter());
    const stop = tabs.start();
    const main = tabs.active;
    expect(await main.session.connect({ seeds: ['127.0.0.1:7000'] })).toBe(true);

    const second = tabs.open();
    expect(second?.id).toBe('t-1');
    expect(tabs.active).toBe(second);
    expect(second?.session).not.toBe(main.session);
    expect(second?.chartView).not.toBe(main.chartView);
    bridge.topology('t-1').connectResult = makeSnapshot({ seq: 1, takenAt: Date.now(), nodes: [makeNode('127.0.0.1:9000')], edges: [] });
    expect(await second?.session.connect({ seeds: ['127.0.0.1:9000'] })).toBe(true);
    expect(bridge.topology('t-1').connectOptions).toEqual([{ seeds: ['127.0.0.1:9000'] }]);
    expect(bridge.topology('main').connectOptions).toEqual([{ seeds: ['127.0.0.1:7000'] }]);
    expect(second?.name).toBe('127.0.0.1:9000');

    // 'main' is hidden; its ticks still reach its session, and only its.
    bridge.topology('main').push({ snapshot: labSnapshot(7, Date.now()), events: [] });
    expect(main.session.console.snapshot?.seq).toBe(7);
    expect(second?.session.console.snapshot?.seq).toBe(1);
    expect(main.name).toBe('127.0.0.1:7000');

    tabs.select('main');
    expect(tabs.active).toBe(main);
    // The lab is the app's: a tab shown again asks whether it runs now.
    await flush();
    expect(bridge.topology('main').calls.filter((c) => c === 'labStatus').length).toBeGreaterThanOrEqual(2);
    stop();
  });

  it('closing a tab stops its listening, closes its topology and shows a neighbour; the last one is replaced', async () => {
    const bridge = new ScriptedBridge();
    const tabs = new TabsState(bridge, counter());
    const stop = tabs.start();
    tabs.open();
    tabs.open();
    expect(tabs.tabs.map((t) => t.id)).toEqual(['main', 't-1', 't-2']);
    tabs.select('t-1');

    await tabs.close('t-1');
    expect(bridge.closed).toEqual(['t-1']);
    expect(bridge.topology('t-1').listeners.size).toBe(0);
    expect(tabs.tabs.map((t) => t.id)).toEqual(['main', 't-2']);
    expect(tabs.active.id).toBe('t-2');

    await tabs.close('t-2');
    await tabs.close('main');
    expect(bridge.closed).toEqual(['t-1', 't-2', 'main']);
    // Never no tab: a fresh one on the connect screen.
    expect(tabs.tabs.map((t) => t.id)).toEqual(['t-3']);
    expect(tabs.active.id).toBe('t-3');
    expect(bridge.topology('t-3').listeners.size).toBe(1);
    stop();
  });

  it('a paused and zoomed chart view moves back with a clock set back an hour, onto the points it showed', async () => {
    const bridge = new ScriptedBridge();
    const tabs = new TabsState(bridge, counter());
    const stop = tabs.start();
    const main = tabs.active;
    const start = 1_000_000_000;
    const hour = 60 * 60_000;
    bridge.topology('main').connectResult = labSnapshot(1, start);
    expect(await main.session.connect({ seeds: ['127.0.0.1:7000'] })).toBe(true);
    for (let seq = 2; seq <= 5; seq++) bridge.topology('main').push({ snapshot: labSnapshot(seq, start + (seq - 1) * 1000), events: [] });
    main.chartView.zoomTo(start + 1000, start + 3000);
    main.chartView.pause(start + 4000);
    // The engine's grid moved back with its clock: the next tick comes an interval after the last, an hour earlier.
    bridge.topology('main').push({ snapshot: labSnapshot(6, start + 5000 - hour), events: [] });
    expect(main.chartView.pausedAt).toBe(start + 4000 - hour);
    expect(main.chartView.zoom).toEqual({ min: start + 1000 - hour, max: start + 3000 - hour });
    stop();
  });

  it(`opens at most ${MAX_TOPOLOGIES} tabs`, () => {
    const tabs = new TabsState(new ScriptedBridge(), counter());
    for (let i = 1; i < MAX_TOPOLOGIES; i++) expect(tabs.open()).not.toBeNull();
    expect(tabs.tabs).toHaveLength(MAX_TOPOLOGIES);
    expect(tabs.full).toBe(true);
    expect(tabs.open()).toBeNull();
    expect(tabs.tabs).toHaveLength(MAX_TOPOLOGIES);
  });

  it('a reloaded window shows again the topologies still open in the main process', async () => {
    const bridge = new ScriptedBridge();
    bridge.open = ['main', 't-9', 'other'];
    bridge.topology('t-9').topology = labSnapshot(3, Date.now());
    const tabs = new TabsState(bridge, counter());
    const stop = tabs.start();
    await expect.poll(() => tabs.tabs.map((t) => t.id)).toEqual(['main', 't-9', 'other']);
    expect(tabs.active.id).toBe('main');
    const restored = tabs.tabs[1];
    await expect.poll(() => restored?.status).toBe('live');
    expect(restored?.name).toBe('127.0.0.1:7000');
    stop();
  });

  it("serve --config: its topologies first, named by config, the first shown; the idle 'main' goes; a retrying one says so", async () => {
    const bridge = new ScriptedBridge();
    bridge.open = ['orders', 'sessions', 'main'];
    bridge.topology('orders').info = { label: 'orders', managed: true, status: 'connected', lastError: null };
    bridge.topology('orders').topology = labSnapshot(3, Date.now());
    bridge.topology('sessions').info = { label: 'sessions', managed: true, status: 'connecting', lastError: 'CONNECTION_REFUSED: 127.0.0.1:1 refused' };
    const tabs = new TabsState(bridge, counter(), { infoPollMs: 5 });
    const stop = tabs.start();
    await expect.poll(() => tabs.tabs.map((t) => t.id)).toEqual(['orders', 'sessions']);
    expect(tabs.active.id).toBe('orders');
    const [orders, sessions] = tabs.tabs;
    expect(orders?.name).toBe('orders');
    expect(orders?.serviceConnecting).toBe(false);
    expect(sessions?.name).toBe('sessions');
    expect(sessions?.serviceConnecting).toBe(true);
    expect(sessions?.status).toBe('connecting');
    expect(sessions?.info?.lastError).toBe('CONNECTION_REFUSED: 127.0.0.1:1 refused');
    expect(bridge.topology('main').listeners.size).toBe(0);

    // While serve retries, the tab asks again: a new reason shows; once connected, it stops asking.
    bridge.topology('sessions').info = { label: 'sessions', managed: true, status: 'connecting', lastError: 'TIMEOUT: no answer' };
    await expect.poll(() => sessions?.info?.lastError).toBe('TIMEOUT: no answer');
    // serve connects it: the tab takes up the session it did not make, as a reloaded window does.
    bridge.topology('sessions').topology = labSnapshot(4, Date.now());
    bridge.topology('sessions').info = { label: 'sessions', managed: true, status: 'connected', lastError: null };
    await expect.poll(() => sessions?.session.console.snapshot?.seq).toBe(4);
    expect(sessions?.session.console.status).toBe('connected');
    expect(sessions?.serviceConnecting).toBe(false);
    expect(bridge.topology('sessions').listeners.size).toBe(1);
    await expect.poll(() => sessions?.info?.status).toBe('connected');
    const asked = bridge.topology('sessions').calls.filter((c) => c === 'getInfo').length;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(bridge.topology('sessions').calls.filter((c) => c === 'getInfo').length).toBe(asked);
    expect(sessions?.name).toBe('sessions');
    stop();
  });

  it("serve: a 'main' with a session stays after the configured tabs; --seed's own 'main' is named by its master", async () => {
    const bridge = new ScriptedBridge();
    bridge.open = ['main', 'orders'];
    bridge.topology('orders').info = { label: 'orders', managed: true, status: 'connecting', lastError: null };
    bridge.topology('main').info = { label: null, managed: false, status: 'connected', lastError: null };
    bridge.topology('main').topology = labSnapshot(3, Date.now());
    const tabs = new TabsState(bridge, counter());
    const stop = tabs.start();
    await expect.poll(() => tabs.tabs.map((t) => t.id)).toEqual(['orders', 'main']);
    expect(tabs.active.id).toBe('orders');
    expect(tabs.active.serviceConnecting).toBe(true);
    expect(tabs.active.info?.lastError).toBeNull();
    stop();

    // --seed: named by the address serve dials while it retries, then by its master.
    const seeded = new ScriptedBridge();
    seeded.open = ['main'];
    seeded.topology('main').info = { label: '10.0.0.5:6379', managed: true, status: 'connecting', lastError: null };
    const one = new TabsState(seeded, counter(), { infoPollMs: 5 });
    const stopOne = one.start();
    await expect.poll(() => one.active.info?.managed).toBe(true);
    expect(one.tabs.map((t) => t.id)).toEqual(['main']);
    expect(one.active.name).toBe('10.0.0.5:6379');
    expect(one.active.serviceConnecting).toBe(true);
    seeded.topology('main').topology = labSnapshot(3, Date.now());
    seeded.topology('main').info = { label: null, managed: true, status: 'connected', lastError: null };
    await expect.poll(() => one.active.name).toBe('127.0.0.1:7000');
    stopOne();
  });

  it('the desktop app and the web mode: every topology a window\'s own, the tabs as they were', async () => {
    const bridge = new ScriptedBridge();
    bridge.open = ['main', 't-9'];
    bridge.topology('t-9').info = new Error('no such channel');
    const tabs = new TabsState(bridge, counter());
    const stop = tabs.start();
    await expect.poll(() => bridge.topology('main').calls.includes('getInfo')).toBe(true);
    await expect.poll(() => tabs.tabs.map((t) => t.id)).toEqual(['main', 't-9']);
    expect(tabs.active.id).toBe('main');
    expect(tabs.active.name).toBe('New topology');
    expect(tabs.tabs.some((t) => t.serviceConnecting)).toBe(false);
    stop();
  });
});
