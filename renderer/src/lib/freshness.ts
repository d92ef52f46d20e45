// How old what the screen shows is. A node is stale when the engine says so (reachable, but
// not read for 3 poll intervals); its age is counted from its last successful poll by the
// renderer's clock, so it keeps growing between ticks, and stops growing the moment a fresh
// reading arrives.
import { formatSeconds } from '../../../electron/shared/format';
import type { NodeState } from '../../../electron/shared/types';

/** What the header says: LIVE only while ticks arrive on time and no node is stale. */
export type FreshnessState = 'live' | 'nodes-stale' | 'late' | 'no-ticks';

/** Milliseconds since the node's last successful poll, never negative; null if it was never read. */
export function nodeAgeMs(node: Pick<NodeState, 'polledAt'>, now: number): number | null {
  return node.polledAt === null ? null : Math.max(0, now - node.polledAt);
}

/** "7 s", "2 min 5 s"; under a second as milliseconds, so a short interval never reads "0 s". */
export function formatAge(ms: number | null): string {
  if (ms === null) return 'never read';
  return ms < 1000 ? formatSeconds(ms / 1000) : formatSeconds(Math.floor(ms / 1000));
}

/** The words a stale node carries everywhere it is shown: "stale · 7 s". */
export function staleLabel(ms: number | null): string {
  return `stale · ${formatAge(ms)}`;
}

/** Is this node's reading out of date (the engine flags only reachable nodes)? */
export function isStale(node: Pick<NodeState, 'stale' | 'reachable'>): boolean {
  return node.stale && node.reachable;
}

/**
 * How old a node's load figures are, when that is worth saying (null otherwise). The load is read
 * every few polls: its age shows when it is older than the last poll, and whenever the node is not
 * being read (unreachable, or stale as `notRead` says): its last poll may have read the load, and
 * figures without an age beside UNREACHABLE read as current.
 */
export function loadAgeMs(loadReadAt: number, node: Pick<NodeState, 'polledAt' | 'reachable'>, notRead: boolean, now: number): number | null {
  const behind = node.polledAt === null || loadReadAt < node.polledAt || !node.reachable || notRead;
  return behind && now - loadReadAt >= 1000 ? now - loadReadAt : null;
}
