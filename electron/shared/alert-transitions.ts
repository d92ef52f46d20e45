// What changed between two evaluations of the alerts: what a front end notifies (one
// notification per incident, not one per tick) and what `watch --alerts` prints.
import type { Alert, AlertsView } from './types';

export interface AlertTransitions {
  /** Incidents firing now that were not firing (by id) before, and not muted: notify these. */
  fired: Alert[];
  /** Incidents that were firing or acknowledged before and are resolved now. */
  resolved: Alert[];
  /** Incidents that began firing while muted (maintenance): listed as muted, never notified. */
  mutedFired: Alert[];
}

const ACTIVE = new Set(['firing', 'acknowledged']);

export function alertTransitions(previous: AlertsView | null | undefined, next: AlertsView): AlertTransitions {
  const before = new Map((previous?.alerts ?? []).map((alert) => [alert.id, alert]));
  const fired: Alert[] = [];
  const resolved: Alert[] = [];
  const mutedFired: Alert[] = [];
  for (const alert of next.alerts) {
    const was = before.get(alert.id);
    const began = was === undefined || was.state === 'resolved';
    if (alert.state === 'firing' && !alert.muted && (began || was.muted)) fired.push(alert);
    if (alert.state === 'firing' && alert.muted && began) mutedFired.push(alert);
    if (alert.state === 'resolved' && was !== undefined && ACTIVE.has(was.state)) resolved.push(alert);
  }
  return { fired, resolved, mutedFired };
}
