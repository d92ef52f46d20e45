// Words, icons and tones for roles, link health, warnings and events. Every status the UI
// colours also gets a word and an icon from here, so colour is never the only signal.
import { formatSeconds } from '../../../electron/shared/format';
import type { EdgeHealth, EventKind, NodePersistence, NodeRole, WarningCode } from '../../../electron/shared/types';
import type { IconName } from './icons';

export type Tone = 'ok' | 'warn' | 'bad' | 'sync' | 'info' | 'accent' | 'neutral';

export interface StatusLabel {
  label: string;
  icon: IconName;
  tone: Tone;
}

/** The tooltip of a lag in seconds that is only a lower bound ("at least 10 ms"). */
export const LAG_LOWER_BOUND_TITLE =
  "At least this far behind, maybe much further: the replica's offset is older than all of its master's history the console holds (it started watching, or the history changed, after the master passed it)";

export const ROLE_LABELS: Record<NodeRole, string> = {
  master: 'Master',
  replica: 'Replica',
  sentinel: 'Sentinel',
  unknown: 'Unknown',
};

export const HEALTH_LABELS: Record<EdgeHealth, StatusLabel> = {
  up: { label: 'In sync', icon: 'check', tone: 'ok' },
  lagging: { label: 'Lagging', icon: 'alert', tone: 'warn' },
  down: { label: 'Link down', icon: 'x', tone: 'bad' },
  syncing: { label: 'Full sync', icon: 'sync', tone: 'sync' },
  unknown: { label: 'Link unknown', icon: 'info', tone: 'neutral' },
};

/** A lagging edge whose replica is behind because a node above it is stalled or unreachable (its own lag is 0). */
export const STALLED_ABOVE: StatusLabel = { label: 'Stalled above', icon: 'alert', tone: 'warn' };

export const WARNING_LABELS: Record<WarningCode, string> = {
  CYCLE: 'Replication cycle',
  MULTIPLE_MASTERS: 'Several masters',
  UNKNOWN_MASTER: 'Unknown master',
  NOT_POINTING_BACK: 'Not pointing back',
  UNREACHABLE: 'Unreachable',
  ADDRESS_MISMATCH: 'Address mismatch',
  SENTINEL_SEED: 'Sentinel seed',
  CLUSTER_MODE: 'Cluster mode',
  TOO_MANY_NODES: 'Too many nodes',
  DUPLICATE_ADDRESS: 'Duplicate address',
  INFO_TRUNCATED: 'INFO truncated',
  REPLICA_LIST_TRUNCATED: 'Replica list cut',
  CHURNING_REPLICAS: 'Churning replicas',
  INTERRUPTED_PLAN: 'Interrupted plan',
  FENCED_MASTER: 'Fenced master',
  MASTER_DOWN: 'Master down',
  MASTER_REFUSES: 'Master refuses console',
  WRITES_REFUSED: 'Writes refused',
  DISK_ERROR: 'Disk error',
  MASTER_NO_PERSISTENCE: 'Master without persistence',
  MASTER_RESTARTED_EMPTY: 'Data loss',
  BACKLOG_EXCEEDED: 'Past the backlog',
  BACKLOG_SHORT: 'Short backlog',
  SYNC_FAILING: 'Sync failing',
  WRITABLE_REPLICA: 'Writable replica',
  STALLED_UPSTREAM: 'Stalled upstream',
  MEMORY_UNREADABLE: 'Memory unreadable',
  UNTRUSTED_HOST: 'Untrusted host',
  TLS_INSECURE: 'TLS not verified',
  SENTINEL_UNREACHABLE: 'Sentinel unreachable',
  SENTINEL_NO_QUORUM: 'No Sentinel quorum',
  SENTINEL_DISAGREES: 'Sentinel disagrees',
  SENTINEL_DOWN: 'Sentinel: master down',
};

/** A warning chip's tone: a loss that has happened is red, the rest amber. */
export function warningTone(code: WarningCode): Tone {
  return code === 'MASTER_RESTARTED_EMPTY' ? 'bad' : 'warn';
}

export const EVENT_LABELS: Record<EventKind, StatusLabel> = {
  'role-change': { label: 'Role change', icon: 'swap', tone: 'accent' },
  'link-down': { label: 'Link down', icon: 'x', tone: 'bad' },
  'link-up': { label: 'Link up', icon: 'check', tone: 'ok' },
  'full-resync': { label: 'Full resync', icon: 'sync', tone: 'warn' },
  'partial-resync': { label: 'Partial resync', icon: 'sync', tone: 'info' },
  restart: { label: 'Restart', icon: 'restart', tone: 'warn' },
  'node-appeared': { label: 'Appeared', icon: 'plus', tone: 'info' },
  'node-vanished': { label: 'Vanished', icon: 'minus', tone: 'neutral' },
  unreachable: { label: 'Unreachable', icon: 'off', tone: 'bad' },
  reachable: { label: 'Reachable', icon: 'check', tone: 'ok' },
  'replica-dropped': { label: 'Replica dropped', icon: 'minus', tone: 'warn' },
  sentinel: { label: 'Sentinel', icon: 'alert', tone: 'accent' },
};

/** A node loading its dataset (after a restart): "LOADING 42% · 17 s left", as far as it says. */
export function loadingLabel(loading: NonNullable<NodePersistence['loading']>): string {
  const percent = loading.percent !== null ? ` ${Math.floor(loading.percent)}%` : '';
  const left = loading.etaSeconds !== null ? ` · ${formatSeconds(loading.etaSeconds)} left` : '';
  return `LOADING${percent}${left}`;
}

/**
 * An address short enough for a card (about 17 characters show): a long host name keeps the head
 * and tail of its first label and the port ("redis-…r-02:6379"), which is what tells two hosts of one
 * domain apart; the end cut off ("redis-replica-n…") made them identical and hid the port. The full
 * address is the title.
 */
export function compactAddress(address: string, max = 17): string {
  if (address.length <= max) return address;
  const colon = address.lastIndexOf(':');
  const host = colon > 0 ? address.slice(0, colon) : address;
  const port = colon > 0 ? address.slice(colon) : '';
  const first = host.startsWith('[') ? host : (host.split('.')[0] ?? host);
  const room = Math.max(6, max - port.length - 1);
  return first.length <= room ? `${first}…${port}` : `${first.slice(0, room - 5)}…${first.slice(-4)}${port}`;
}
