// The audit log as the console shows it: the most recent executed plans, newest first, read
// with listAudit when the view opens and again after every execution. By default only the
// connected topology's entries; a switch shows every topology's.
import type { AuditEntry, AuditList, AuditScope } from '../../../electron/shared/actions';
import type { ApiError } from '../../../electron/shared/types';

/** How many entries the view asks for. */
export const AUDIT_SHOWN = 200;

export interface AuditRow {
  key: string;
  planId: string;
  /** ms since epoch. */
  at: number;
  who: string;
  via: AuditEntry['who']['interface'];
  entry: AuditEntry;
  durationMs: number;
  outcome: AuditEntry['outcome'];
  /** Steps that did not end ok or pending, for the "what went wrong" line. */
  problems: AuditEntry['steps'];
}

export class AuditState {
  /** Newest first. */
  entries = $state.raw<AuditEntry[]>([]);
  loading = $state(false);
  error = $state.raw<ApiError | null>(null);
  /** Whether the log was read at least once. */
  loaded = $state(false);
  /** What to ask for: this topology's entries, or every one. */
  scope = $state<AuditScope>('topology');
  /** What the last read covered ('all' when not connected), and how many entries it left out. */
  shownScope = $state<AuditScope>('topology');
  otherTopologies = $state(0);
  /** Lines of the log that are not a record (torn by a crash): shown, never hidden. */
  unreadable = $state.raw<AuditList['unreadable']>([]);

  readonly rows: AuditRow[] = $derived(
    this.entries.map((entry, i) => ({
      key: `${entry.planId}:${i}`,
      planId: entry.planId,
      at: Date.parse(entry.startedAt),
      who: `${entry.who.user}@${entry.who.host}`,
      via: entry.who.interface,
      entry,
      durationMs: entry.durationMs,
      outcome: entry.outcome,
      problems: entry.steps.filter((s) => s.status === 'failed' || s.status === 'aborted'),
    })),
  );

  beginLoad(): void {
    this.loading = true;
  }

  /** Switch between this topology's entries and every one; the caller reads the log again. */
  setScope(scope: AuditScope): void {
    this.scope = scope;
  }

  /** The log as listAudit returns it (entries newest last). */
  loadedEntries(list: AuditList): void {
    this.entries = [...list.entries].reverse();
    this.shownScope = list.scope;
    this.otherTopologies = list.otherTopologies;
    this.unreadable = list.unreadable;
    this.loading = false;
    this.loaded = true;
    this.error = null;
  }

  failed(error: ApiError): void {
    this.loading = false;
    this.error = error;
  }

  reset(): void {
    this.entries = [];
    this.unreadable = [];
    this.otherTopologies = 0;
    this.loading = false;
    this.loaded = false;
    this.error = null;
  }
}
