// The events timeline's rows: one per event, except that the steps of one Sentinel failover
// (+odown or +try-failover to +switch-master, sharing an incident id) make one group, placed
// where its newest step is.
import type { ReplicationEvent } from '../../../electron/shared/types';

export type TimelineRow =
  | { kind: 'event'; key: string; event: ReplicationEvent }
  | { kind: 'incident'; key: string; incident: number; masterName: string | null; events: ReplicationEvent[] };

/** Rows for events given newest first; a group's events stay newest first. */
export function timelineRows(events: readonly ReplicationEvent[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const groups = new Map<number, Extract<TimelineRow, { kind: 'incident' }>>();
  for (const event of events) {
    const incident = event.kind === 'sentinel' ? (event.sentinel?.incident ?? null) : null;
    if (incident === null) {
      rows.push({ kind: 'event', key: `e${event.id}`, event });
      continue;
    }
    const group = groups.get(incident);
    if (group) {
      group.events.push(event);
      group.masterName ??= event.sentinel?.masterName ?? null;
      continue;
    }
    const row: Extract<TimelineRow, { kind: 'incident' }> = {
      kind: 'incident',
      key: `i${incident}`,
      incident,
      masterName: event.sentinel?.masterName ?? null,
      events: [event],
    };
    groups.set(incident, row);
    rows.push(row);
  }
  return rows;
}

/** How an incident ended, from its newest step: switched, aborted, or still running. */
export function incidentOutcome(events: readonly ReplicationEvent[]): 'switched' | 'aborted' | 'running' {
  const names = events.map((e) => e.sentinel?.event ?? '');
  if (names.includes('+switch-master')) return 'switched';
  if (names.some((n) => n.startsWith('-failover-abort'))) return 'aborted';
  return 'running';
}
