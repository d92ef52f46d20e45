import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../electron/shared/types';
import { AlertsState, sortAlerts } from '../../../renderer/src/state/alerts-state.svelte';
import { Clock } from '../../../renderer/src/state/clock.svelte';
import { Session } from '../../../renderer/src/state/session.svelte';
import { parseThresholds, thresholdFields } from '../../../renderer/src/lib/alert-thresholds';
import { muteLeft } from '../../../renderer/src/lib/mute-time';
import { WebNotifications, NOTIFICATIONS_STORAGE_KEY, type NotificationApi, type Permission } from '../../../renderer/src/state/web-notifications.svelte';
import { ALERT_THRESHOLDS, alertsView, labSnapshot, makeAlert } from './fixtures';
import { CodedError, ScriptedApi } from './scripted-api';

const alert = makeAlert;
const view = alertsView;

class Recorder {
  shown: string[] = [];
  notify(a: Alert): void {
    this.shown.push(a.id);
  }
}

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('AlertsState', () => {
  it('lists firing, then acknowledged, then resolved (newest first in each)', () => {
    const sorted = sortAlerts([
      alert('r1', 'resolved', { resolvedAt: 3000 }),
      alert('a1', 'acknowledged'),
      alert('f-old', 'firing', { startedAt: 1000 }),
      alert('r2', 'resolved', { resolvedAt: 5000 }),
      alert('f-new', 'firing', { startedAt: 4000 }),
    ]);
    expect(sorted.map((a) => a.id)).toEqual(['f-new', 'f-old', 'a1', 'r2', 'r1']);
  });

  it('counts firing alerts that are neither acknowledged nor muted', () => {
    const state = new AlertsState(new ScriptedApi());
    state.applyTick(view([alert('f', 'firing'), alert('m', 'firing', { muted: true }), alert('a', 'acknowledged'), alert('r', 'resolved')]));
    expect(state.firingCount).toBe(1);
    expect(state.mutedFiringCount).toBe(1);
  });

  it('notifies once per incident seen starting to fire live: not on the first view, not again on the next tick, never muted or acknowledged', () => {
    const notices = new Recorder();
    const state = new AlertsState(new ScriptedApi(), notices);
    // The first view of a connection is what already was.
    state.applyTick(view([alert('old', 'firing')]));
    expect(notices.shown).toEqual([]);
    state.applyTick(view([alert('old', 'firing'), alert('new', 'firing'), alert('quiet', 'firing', { muted: true })]));
    expect(notices.shown).toEqual(['new']);
    state.applyTick(view([alert('old', 'firing'), alert('new', 'firing'), alert('quiet', 'firing', { muted: true })]));
    state.applyTick(view([alert('old', 'acknowledged'), alert('new', 'resolved'), alert('quiet', 'firing', { muted: true })]));
    expect(notices.shown).toEqual(['new']);
    // Unmuted while still firing: now it is notified, once.
    state.applyTick(view([alert('quiet', 'firing')]));
    state.applyTick(view([alert('quiet', 'firing', { muted: true })]));
    state.applyTick(view([alert('quiet', 'firing')]));
    expect(notices.shown).toEqual(['new', 'quiet']);
  });

  it('takes getAlerts as the baseline on connect, and a reset starts over without notifying', async () => {
    const api = new ScriptedApi();
    api.alertsView = view([alert('before', 'firing')]);
    const notices = new Recorder();
    const state = new AlertsState(api, notices);
    await state.load();
    expect(state.alerts.map((a) => a.id)).toEqual(['before']);
    state.applyTick(view([alert('before', 'firing')]));
    expect(notices.shown).toEqual([]);
    state.reset();
    expect(state.view).toBeNull();
    state.applyTick(view([alert('after-reconnect', 'firing')]));
    expect(notices.shown).toEqual([]);
  });

  it('shows what an action answers, and its error code and message when it fails', async () => {
    const api = new ScriptedApi();
    const state = new AlertsState(api);
    api.alertsView = view([alert('x', 'acknowledged')]);
    expect(await state.acknowledge('x')).toBe(true);
    expect(state.alerts[0]?.state).toBe('acknowledged');
    api.muteAlerts = async () => {
      throw new CodedError('NOT_CONNECTED', 'not connected to a topology');
    };
    expect(await state.mute('127.0.0.1:7001', 60)).toBe(false);
    expect(state.error).toEqual({ action: 'mute', error: { code: 'NOT_CONNECTED', message: 'not connected to a topology' } });
    expect(state.pending).toBeNull();
    api.alertsView = view([]);
    expect(await state.unmute(null)).toBe(true);
    expect(state.error).toBeNull();
  });

  it('maps muted nodes to the end of their mute, the topology mute apart', () => {
    const state = new AlertsState(new ScriptedApi());
    state.applyTick(view([], [{ node: '127.0.0.1:7002', until: 9500, reason: null }, { node: '127.0.0.1:7001', until: 9000, reason: null }, { node: null, until: 8000, reason: 'maintenance' }]));
    expect([...state.mutedNodes]).toEqual([['127.0.0.1:7001', 9000], ['127.0.0.1:7002', 9500]]);
    expect(state.topologyMute?.until).toBe(8000);
    expect(state.muteOf('127.0.0.1:7001')?.until).toBe(9000);
    expect(state.muteOf('127.0.0.1:7003')?.until).toBe(8000);
    state.applyTick(view([], []));
    expect(state.mutedNodes.size).toBe(0);
    expect(state.topologyMute).toBeNull();
    expect(state.muteOf('127.0.0.1:7001')).toBeNull();
  });
});

describe('Session and alerts', () => {
  it('reads the alerts on connect and takes every tick’s view', async () => {
    const api = new ScriptedApi();
    api.alertsView = view([alert('a', 'firing')]);
    const notices = new Recorder();
    const session = new Session(api, new Clock(1000), () => 1000, notices);
    session.start();
    await session.connect({ seeds: ['127.0.0.1:7000'] });
    await flush();
    expect(api.calls).toContain('getAlerts');
    expect(session.alerts.firingCount).toBe(1);
    api.push({ snapshot: labSnapshot(2, 2000), events: [], alerts: view([alert('a', 'firing'), alert('b', 'firing')]) });
    expect(session.alerts.firingCount).toBe(2);
    expect(notices.shown).toEqual(['b']);
    await session.disconnect();
    expect(session.alerts.view).toBeNull();
  });
});

describe('the thresholds form', () => {
  const current = { ...ALERT_THRESHOLDS, lagBytes: 10 * 1024 * 1024, linkDownSeconds: 10 };
  it('sends only what changed, lag in MiB', () => {
    const fields = { ...thresholdFields(current), lagBytes: '2.5', linkDownSeconds: '1' };
    expect(parseThresholds(fields, current)).toEqual({ ok: true, change: { lagBytes: 2.5 * 1024 * 1024, linkDownSeconds: 1 } });
  });
  it('sends only the fields edited: one left as shown (rounded) is not sent back', () => {
    const exact = { ...current, lagBytes: 5_000_000, lagSeconds: 2.345 };
    const fields = { ...thresholdFields(exact), forSeconds: '1' };
    expect(fields.lagBytes).toBe('4.77');
    expect(parseThresholds(fields, exact)).toEqual({ ok: true, change: { forSeconds: 1 } });
  });
  it('says what is wrong with each field', () => {
    const fields = { ...thresholdFields(current), lagSeconds: 'abc', staleSeconds: '-1', unreachableSeconds: ' ', forSeconds: '4000' };
    expect(parseThresholds(fields, current)).toEqual({
      ok: false,
      errors: { lagSeconds: 'Not a number', staleSeconds: 'Must be 0 or more', unreachableSeconds: 'Required', forSeconds: 'At most 3600 s' },
    });
  });
});

describe('mute time left', () => {
  it('rounds to the minute (a clock a second behind does not add one), grows units', () => {
    expect(muteLeft(60_000 * 60 + 1500, 0)).toBe('1 h');
    expect(muteLeft(60_000 * 15 + 900, 0)).toBe('15 min');
    expect(muteLeft(20_000, 0)).toBe('1 min');
    expect(muteLeft(60_000 * 75, 0)).toBe('1 h 15 min');
    expect(muteLeft(60_000 * 60 * 26, 0)).toBe('1 d 2 h');
    expect(muteLeft(0, 5000)).toBe('0 min');
  });
});

describe('WebNotifications', () => {
  function fakeApi(answer: Permission): { api: NotificationApi; shown: { title: string; tag: string }[]; asked: number[] } {
    const shown: { title: string; tag: string }[] = [];
    const asked: number[] = [];
    class Fake {
      static permission: Permission = 'default';
      static async requestPermission(): Promise<Permission> {
        asked.push(1);
        Fake.permission = answer;
        return answer;
      }
      onclick: ((e: unknown) => void) | null = null;
      constructor(title: string, options: { body: string; tag: string }) {
        shown.push({ title, tag: options.tag });
      }
      close(): void {}
    }
    return { api: Fake, shown, asked };
  }
  function memoryStorage(): Map<string, string> & { getItem(k: string): string | null; setItem(k: string, v: string): void; removeItem(k: string): void } {
    const map = new Map<string, string>();
    return Object.assign(map, {
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
      removeItem: (k: string) => void map.delete(k),
    });
  }

  it('in the web mode: off until enabled, asks the permission on the click, remembers it', async () => {
    const fake = fakeApi('granted');
    const storage = memoryStorage();
    const notices = new WebNotifications({ desktop: false, Notification: fake.api, storage, focus: () => undefined });
    expect(notices.mode).toBe('web');
    notices.notify(alert('x', 'firing'));
    expect(fake.shown).toEqual([]);
    expect(fake.asked).toEqual([]);
    await notices.enable();
    expect(fake.asked).toHaveLength(1);
    expect(storage.getItem(NOTIFICATIONS_STORAGE_KEY)).toBe('on');
    notices.notify(alert('x', 'firing'));
    expect(fake.shown).toEqual([{ title: 'Link down: 127.0.0.1:7001', tag: 'x' }]);
    // A reload finds it on.
    expect(new WebNotifications({ desktop: false, Notification: fake.api, storage, focus: () => undefined }).active).toBe(true);
    notices.disable();
    expect(storage.getItem(NOTIFICATIONS_STORAGE_KEY)).toBeNull();
  });

  it('a denied permission stays off; the desktop app never notifies from the page', async () => {
    const denied = fakeApi('denied');
    const notices = new WebNotifications({ desktop: false, Notification: denied.api, storage: memoryStorage(), focus: () => undefined });
    await notices.enable();
    expect(notices.active).toBe(false);
    expect(notices.permission).toBe('denied');
    const granted = fakeApi('granted');
    const desktop = new WebNotifications({ desktop: true, Notification: granted.api, storage: memoryStorage(), focus: () => undefined });
    await desktop.enable();
    desktop.notify(alert('x', 'firing'));
    expect(desktop.mode).toBe('desktop');
    expect(granted.shown).toEqual([]);
  });
});
