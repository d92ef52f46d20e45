// The node table: one row per drawn node, its state in one word, sorted and filtered. Pure, so
// the sort and filter are tested without a browser; the figures are formatted where they are
// shown, by the same helpers as the cards (electron/shared/format.ts).
import type { Address, EdgeHealth, NodeRole, NodeState } from '../../../electron/shared/types';
import { naturalCompare } from './graph-grid';
import { addToGroup } from '../../../electron/shared/group';

/** One word per node for "what is wrong with it", worst first (the order a sort by state uses). */
export type NodeStatus = 'unreachable' | 'link-down' | 'stale' | 'syncing' | 'live';

export const STATUS_ORDER: readonly NodeStatus[] = ['unreachable', 'link-down', 'stale', 'syncing', 'live'];

export const STATUS_LABELS: Record<NodeStatus, string> = {
  unreachable: 'Unreachable',
  'link-down': 'Link down',
  stale: 'Stale',
  syncing: 'Syncing',
  live: 'Live',
};

/**
 * Not answering beats everything; then old figures; then the link to its master; then a full sync
 * in flight. A stale node's own link reading is old, and its master not hearing from it (a paused
 * replica: no ACKs) says only what "stale" says, so it is not "link down" (as in `watch --problems`).
 */
export function nodeStatus(node: Pick<NodeState, 'reachable' | 'linkStatus' | 'sync'>, health: EdgeHealth | null, stale: boolean): NodeStatus {
  if (!node.reachable) return 'unreachable';
  if (stale) return 'stale';
  if (health === 'down' || node.linkStatus === 'down') return 'link-down';
  if (health === 'syncing' || node.sync !== null) return 'syncing';
  return 'live';
}

/**
 * A node the operator must look at: any state but live, or a warning (not a mere risk) naming
 * it. Lagging is not one on its own: lag comes and goes tick to tick, and problems go first in
 * their grid, so cards would jump with it (the lag column sorts it instead).
 */
export function isProblem(status: NodeStatus, problemWarnings: number): boolean {
  return status !== 'live' || problemWarnings > 0;
}

/**
 * `items` with the problem nodes first, each part in its own order (the side panel's list when no
 * node is selected: at 100 nodes an unreachable one sat below the fold, among rows saying 0 B).
 */
export function problemsFirst<T extends { address: Address }>(items: readonly T[], problems: ReadonlySet<Address>): T[] {
  if (problems.size === 0) return [...items];
  return [...items.filter((item) => problems.has(item.address)), ...items.filter((item) => !problems.has(item.address))];
}

export interface NodeRow {
  address: Address;
  role: NodeRole;
  status: NodeStatus;
  lagBytes: number | null;
  lagSeconds: number | null;
  /** lagSeconds is only "at least": the replica is older than its master's history the console holds. */
  lagSecondsLowerBound: boolean;
  /** In a replication cycle: no lag figures (null), CYCLE_LAG shown instead. */
  lagInCycle: boolean;
  offset: number | null;
  master: Address | null;
  warnings: number;
  /** Of those, the ones that make it a problem (troubles(): not a risk, not naming it as a peer). */
  problemWarnings: number;
  /**
   * The node itself is in trouble (isProblem of its own state). The page's lost contact with the
   * console's server makes every node's status stale, and is no node's problem: counted, it
   * unfolded every collapsed subtree and laid the graph out again, and the tab said 100 problems.
   */
  problem: boolean;
  runId: string | null;
  /** Hops from its root in the drawn tree (0 for a root). */
  depth: number;
  /** Place in topology order: roots by address, each followed by its replicas, depth first. */
  order: number;
}

/**
 * Topology order: each root (a node no drawn edge feeds) then its subtree depth first,
 * siblings by address. Nodes only reachable through a cycle come last, at depth 0.
 */
export function topologyOrder(addresses: readonly Address[], edges: readonly { master: Address; replica: Address }[]): { address: Address; depth: number }[] {
  const known = new Set(addresses);
  const children = new Map<Address, Address[]>();
  const fed = new Set<Address>();
  for (const e of edges) {
    if (!known.has(e.master) || !known.has(e.replica) || e.master === e.replica) continue;
    addToGroup(children, e.master, e.replica);
    fed.add(e.replica);
  }
  const out: { address: Address; depth: number }[] = [];
  const seen = new Set<Address>();
  const visit = (address: Address, depth: number): void => {
    if (seen.has(address)) return;
    seen.add(address);
    out.push({ address, depth });
    for (const child of [...(children.get(address) ?? [])].sort(naturalCompare)) visit(child, depth + 1);
  };
  const sorted = [...known].sort(naturalCompare);
  for (const address of sorted) if (!fed.has(address)) visit(address, 0);
  for (const address of sorted) visit(address, 0);
  return out;
}

export type SortKey = 'address' | 'role' | 'status' | 'lagBytes' | 'lagSeconds' | 'offset' | 'master' | 'warnings';
export interface SortSpec {
  key: SortKey;
  dir: 'asc' | 'desc';
}

/** Next sort on a header click: ascending, descending, then back to topology order. */
export function nextSort(current: SortSpec | null, key: SortKey): SortSpec | null {
  if (current?.key !== key) return { key, dir: 'asc' };
  return current.dir === 'asc' ? { key, dir: 'desc' } : null;
}

function compareValues(a: string | number | null, b: string | number | null): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return naturalCompare(String(a), String(b));
}

/**
 * "At least N s" sorts above every exact figure, whatever N: a bound is the age of the master's
 * whole history, an exact figure falls inside a history, so the bounded replica is the further behind
 * (histories start when the console does, or at a replid change). Bounds among themselves by N.
 */
export function compareLagSeconds(a: Pick<NodeRow, 'lagSeconds' | 'lagSecondsLowerBound'>, b: Pick<NodeRow, 'lagSeconds' | 'lagSecondsLowerBound'>): number {
  if (a.lagSecondsLowerBound !== b.lagSecondsLowerBound) return a.lagSecondsLowerBound ? 1 : -1;
  return (a.lagSeconds ?? 0) - (b.lagSeconds ?? 0);
}

function valueOf(row: NodeRow, key: SortKey): string | number | null {
  if (key === 'status') return STATUS_ORDER.indexOf(row.status);
  return row[key];
}

/**
 * Rows in the order asked; null: topology order. Unknown figures (null) go last whichever the
 * direction, ties by address, so the order never wobbles between ticks.
 */
export function sortRows(rows: readonly NodeRow[], sort: SortSpec | null): NodeRow[] {
  if (sort === null) return [...rows].sort((a, b) => a.order - b.order);
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = valueOf(a, sort.key);
    const vb = valueOf(b, sort.key);
    if (va === null && vb !== null) return 1;
    if (vb === null && va !== null) return -1;
    const c = va === null || vb === null ? 0 : (sort.key === 'lagSeconds' ? compareLagSeconds(a, b) : compareValues(va, vb)) * sign;
    return c || naturalCompare(a.address, b.address);
  });
}

export interface RowFilter {
  role: NodeRole | 'all';
  /** 'problems': every state but live, plus live nodes with warnings. */
  status: NodeStatus | 'problems' | 'all';
  /** Part of the address, the master's address, or the start of the run id; case does not matter. */
  text: string;
}

export const NO_FILTER: RowFilter = { role: 'all', status: 'all', text: '' };

export function matchesText(row: Pick<NodeRow, 'address' | 'master' | 'runId'>, text: string): boolean {
  const needle = text.trim().toLowerCase();
  if (needle === '') return true;
  return row.address.toLowerCase().includes(needle) || (row.master?.toLowerCase().includes(needle) ?? false) || (needle.length >= 4 && (row.runId?.toLowerCase().startsWith(needle) ?? false));
}

export function filterRows(rows: readonly NodeRow[], filter: RowFilter): NodeRow[] {
  return rows.filter(
    (row) =>
      (filter.role === 'all' || row.role === filter.role) &&
      (filter.status === 'all' || (filter.status === 'problems' ? row.problem : row.status === filter.status)) &&
      matchesText(row, filter.text),
  );
}

/** The nodes a search finds, best first: the address itself, then addresses starting with it, then containing it, then run ids starting with it. */
export function searchNodes(nodes: readonly Pick<NodeState, 'address' | 'runId'>[], text: string): Address[] {
  const needle = text.trim().toLowerCase();
  if (needle === '') return [];
  const score = (n: Pick<NodeState, 'address' | 'runId'>): number => {
    const a = n.address.toLowerCase();
    if (a === needle) return 0;
    if (a.startsWith(needle)) return 1;
    if (a.includes(needle)) return 2;
    if (needle.length >= 4 && n.runId?.toLowerCase().startsWith(needle)) return 3;
    return -1;
  };
  return nodes
    .map((n) => ({ address: n.address, s: score(n) }))
    .filter((m) => m.s >= 0)
    .sort((a, b) => a.s - b.s || naturalCompare(a.address, b.address))
    .map((m) => m.address);
}
