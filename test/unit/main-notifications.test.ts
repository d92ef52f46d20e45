// The desktop app's alert notifications (electron/main/notifications.ts) with the stand-in's
// Electron Notification: one per incident that starts firing, none for the same incident on the
// next tick, none when it resolves (the panel lists it; a "resolved" pop-up would double the
// noise), none while muted or acknowledged; a click brings the window to the front.
import { describe, expect, it } from 'vitest';
import type { Alert, AlertsView, TickUpdate } from '../../electron/shared/types';
import { notifyAlerts, type NotificationClass, type TickSource } from '../../electron/main/notifications';
import { createElectronStandIn, type StandInWindow } from '../helpers/electron-stand-in';
import { ALERT_THRESHOLDS, labSnapshot, makeAlert } from './renderer/fixtures';

/** A LINK_DOWN incident with the message the engine would write. */
function alert(id: string, state: Alert['state'], extra: Partial<Alert> = {}): Alert {
  return makeAlert(id, state, { message: 'link to its master down for 3 s (threshold 1 s)', ...extra });
}

/** The hub's onTick, driven by the test. */
class Ticks implements TickSource {
  readonly listeners = new Set<(topology: string, update: TickUpdate) => void>();
  #seq = 0;
  onTick(listener: (topology: string, update: TickUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  push(topology: string, alerts: Alert[] | undefined, mutes: AlertsView['mutes'] = []): void {
    this.#seq += 1;
    const update: TickUpdate = { snapshot: labSnapshot(this.#seq, 1000 * this.#seq), events: [] };
    if (alerts) update.alerts = { alerts, mutes, thresholds: ALERT_THRESHOLDS };
    for (const listener of this.listeners) listener(topology, update);
  }
}

function setUp(): { ticks: Ticks; shown: () => string[]; win: StandInWindow; stop: () => void; standIn: ReturnType<typeof createElectronStandIn> } {
  const standIn = createElectronStandIn({ userData: '/nonexistent' });
  const { BrowserWindow, Notification } = standIn.module as { BrowserWindow: new (o: Record<string, unknown>) => StandInWindow; Notification: NotificationClass };
  const win = new BrowserWindow({});
  const ticks = new Ticks();
  const stop = notifyAlerts(ticks, Notification, () => {
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });
  const shown = (): string[] => standIn.notifications.filter((n) => n.shown).map((n) => `${n.options.title ?? ''} | ${n.options.body ?? ''}`);
  return { ticks, shown, win, stop, standIn };
}

describe('desktop notifications of alerts', () => {
  it('one notification when an incident starts firing, none for the same incident on the next ticks or when it resolves', () => {
    const { ticks, shown, stop } = setUp();
    ticks.push('main', []);
    expect(shown()).toEqual([]);
    ticks.push('main', [alert('i1', 'firing')]);
    expect(shown()).toEqual(['Link down: 127.0.0.1:7001 | link to its master down for 3 s (threshold 1 s)']);
    ticks.push('main', [alert('i1', 'firing', { value: 4 })]);
    ticks.push('main', [alert('i1', 'firing', { value: 5 })]);
    ticks.push('main', [alert('i1', 'resolved')]);
    expect(shown()).toHaveLength(1);
    // The next incident of the same rule on the same node is a new one: notified.
    ticks.push('main', [alert('i1', 'resolved'), alert('i2', 'firing')]);
    expect(shown()).toHaveLength(2);
    // A tick without alerts (a hand-built update) changes nothing.
    ticks.push('main', undefined);
    ticks.push('main', [alert('i1', 'resolved'), alert('i2', 'firing')]);
    expect(shown()).toHaveLength(2);
    stop();
    ticks.push('main', [alert('i3', 'firing')]);
    expect(shown()).toHaveLength(2);
  });

  it('none while muted or acknowledged; each topology on its own', () => {
    const { ticks, shown } = setUp();
    ticks.push('main', [alert('m1', 'firing', { muted: true })], [{ node: '127.0.0.1:7001', until: 99_999, reason: null }]);
    ticks.push('main', [alert('m1', 'firing', { muted: true })], [{ node: '127.0.0.1:7001', until: 99_999, reason: null }]);
    ticks.push('main', [alert('m1', 'acknowledged', { muted: true })]);
    ticks.push('main', [alert('m1', 'acknowledged')]);
    expect(shown()).toEqual([]);
    ticks.push('t-2', [alert('x1', 'firing', { node: null, rule: 'MULTIPLE_MASTERS', message: 'two masters' })]);
    expect(shown()).toEqual(['Several masters: the topology | two masters']);
  });

  it('clicking a notification brings the window to the front', () => {
    const { ticks, standIn, win } = setUp();
    win.minimize();
    ticks.push('main', [alert('c1', 'firing')]);
    const [notification] = standIn.notifications;
    expect(notification?.listenerCount('click')).toBe(1);
    notification?.click();
    expect(win.isMinimized()).toBe(false);
    expect(win.isVisible()).toBe(true);
    expect(win.focused).toBe(true);
  });
});
