// The desktop app's alert notifications: Electron's Notification from the main process, one per
// incident (as electron/shared/alert-transitions.ts says what started firing between two ticks),
// never for a muted or acknowledged alert; a click brings the console's window to the front. The
// renderer of the desktop app does not notify (only the web mode's page does).
import { alertTitle } from '../shared/alert-labels';
import { alertTransitions } from '../shared/alert-transitions';
import type { AlertsView, TickUpdate } from '../shared/types';

/** The part of Electron's Notification used here (a stand-in in tests). */
export interface NotificationLike {
  on(event: 'click' | 'close', listener: () => void): unknown;
  show(): void;
}
export interface NotificationClass {
  new (options: { title: string; body: string; silent?: boolean }): NotificationLike;
  isSupported(): boolean;
}

/** The hub's ticks of every topology (ConsoleHub.onTick). */
export interface TickSource {
  onTick(listener: (topology: string, update: TickUpdate) => void): () => void;
}

/** How many notified incident ids a topology remembers (ids are never reused; the oldest are dropped). */
const REMEMBERED = 1000;
/** Notifications kept referenced until closed: one Electron has garbage-collected no longer reports its click. */
const KEPT = 50;

/**
 * Notify each incident that starts firing on any topology's tick. `focus` brings the window to
 * the front. Returns a disposer.
 */
export function notifyAlerts(hub: TickSource, Notification: NotificationClass, focus: () => void): () => void {
  if (!Notification.isSupported()) return () => undefined;
  const previous = new Map<string, AlertsView>();
  const notified = new Map<string, Set<string>>();
  const kept = new Set<NotificationLike>();
  const stop = hub.onTick((topology, update) => {
    const view = update.alerts;
    if (!view) return;
    const before = previous.get(topology);
    previous.set(topology, view);
    let seen = notified.get(topology);
    if (!seen) notified.set(topology, (seen = new Set()));
    // The main process sees every tick from the first: an incident firing on a topology's first
    // evaluation is news (nothing showed it before), so it is notified too.
    for (const alert of alertTransitions(before, view).fired) {
      if (seen.has(alert.id)) continue;
      seen.add(alert.id);
      if (seen.size > REMEMBERED) seen.delete(seen.values().next().value as string);
      const notification = new Notification({ title: alertTitle(alert), body: alert.message });
      notification.on('click', focus);
      notification.on('close', () => kept.delete(notification));
      kept.add(notification);
      if (kept.size > KEPT) kept.delete(kept.values().next().value as NotificationLike);
      notification.show();
    }
  });
  return () => {
    stop();
    previous.clear();
    notified.clear();
    kept.clear();
  };
}
