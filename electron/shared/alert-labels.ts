// What an alert is called on screen and in a notification: one label per rule, so the desktop's
// notification, the browser's and the alerts panel say the same thing.
import type { Alert, AlertRule } from './types';

export const ALERT_RULE_LABELS: Record<AlertRule, string> = {
  LAG_BYTES: 'Replica lag (bytes)',
  LAG_SECONDS: 'Replica lag (time)',
  LINK_DOWN: 'Link down',
  UNREACHABLE: 'Node unreachable',
  STALE: 'Node not read',
  BACKLOG_EXCEEDED: 'Lag past the backlog',
  BACKLOG_SHORT: 'Backlog too short',
  MULTIPLE_MASTERS: 'Several masters',
  SYNC_FAILING: 'Sync failing',
  INTERRUPTED_PLAN: 'Interrupted plan',
  MASTER_RESTARTED_EMPTY: 'Data loss: master restarted empty',
  WRITES_REFUSED: 'Writes refused',
};

/** A notification's title: the rule and where (a node, or the topology). */
export function alertTitle(alert: Pick<Alert, 'rule' | 'node'>, topology?: string): string {
  const where = alert.node ?? (topology ? `topology ${topology}` : 'the topology');
  return `${ALERT_RULE_LABELS[alert.rule]}: ${where}`;
}
