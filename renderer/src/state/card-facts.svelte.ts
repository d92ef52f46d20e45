// What each node card and replication edge of the graph shows, one reactive field per figure,
// written only when the figure changes. Every tick brings a whole new snapshot: were the cards to
// read it (or the maps derived from it), every tick would mark and re-run every card's ~40 derived
// values and effects in a hundred cards (10-20 ms a tick at 100 nodes) although few figures moved.
// Here one pass per tick compares each card's figures with the ones shown and writes the few that
// changed: Svelte's $state skips a write of an equal value, so a card whose node did not change is
// not even visited, and one whose offset moved re-runs the one text that shows it.
//
// Every field is $state.raw: they hold primitives (or arrays replaced whole), and a write to a
// plain $state field hands its value to Svelte's proxy(), which allocates its closure context on
// every call, even for a number it returns untouched: ~35 fields written for every node on every
// tick made a seventh of what the page allocated at 100 nodes.
//
// What ages with the clock (a stale card's age) stays in the card: it reads `polledAt` only while
// it is stale, so fresh cards do not depend on the field that changes every tick.
/* eslint-disable svelte/prefer-svelte-reactivity --
   The Maps here hold one facts object per address, added and dropped by this class only; nothing
   reads them reactively (the fields of each facts object are the reactive part). */
import { untrack } from 'svelte';
import { ACK_SILENT_SECONDS, type Address, type EdgeHealth, type NodeRole, type NodeState, type SyncProgress, type TopologyEdge, type TopologyWarning } from '../../../electron/shared/types';
import { formatBytes, formatSecondsBehind, formatUptime } from '../../../electron/shared/format';
import { CYCLE_LAG } from '../../../electron/shared/topology-text';
import { isReadOnly } from '../lib/node-actions';
import { isStale } from '../lib/freshness';
import { loadingLabel } from '../lib/labels';
import { isNeverReached } from '../lib/unreached-fold';
import { edgeKey, type ConsoleState } from './console-state.svelte';
import { graphViewOf, type GraphView } from './graph-view.svelte';

const NO_WARNINGS: readonly TopologyWarning[] = [];

/** Same warnings, in the same order (what a card shows of them: code and message). */
function sameWarnings(a: readonly TopologyWarning[], b: readonly TopologyWarning[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  return a.every((w, i) => w.code === b[i]?.code && w.message === b[i]?.message);
}

function sameSync(a: SyncProgress | null, b: SyncProgress | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  return a.totalBytes === b.totalBytes && a.readBytes === b.readBytes && a.percent === b.percent && a.lastIoSecondsAgo === b.lastIoSecondsAgo;
}

/** One node's figures as its card and the edge into it show them. */
export class NodeFacts {
  readonly address: Address;
  /** The snapshot holds this node. */
  known = $state.raw(false);
  reachable = $state.raw(false);
  role = $state.raw<NodeRole>('unknown');
  /** Reachable and flagged stale by the engine. Not reactive: nothing renders it (they read `stale`). */
  nodeStale = false;
  /** What its card shows is old: stale by the engine, or reachable while no tick came for 3 intervals (CardFacts.late). */
  stale = $state.raw(false);
  // The figures that change on every tick (when the node was read, last seen, last ACKed) are
  // kept only while the card shows them, null otherwise: a write of a changed value costs Svelte
  // about 1.4 KB of garbage (its batch records the old value), and these were written for every
  // node on every tick (4,000 writes in 20 s at 100 nodes, a quarter of what the page allocated).
  /** When it was last read: kept while the card is stale. */
  polledAt = $state.raw<number | null>(null);
  remembered = $state.raw(false);
  /** When the console last read it: kept while it is remembered and unreachable. */
  lastSeenAt = $state.raw<number | null>(null);
  /** Never read and not remembered: the master whose replica list is all the console knows of it (drawn under it). */
  listedBy = $state.raw<Address | null>(null);
  errorCode = $state.raw<string | null>(null);
  errorMessage = $state.raw<string | undefined>(undefined);
  lagBasis = $state.raw<'offsets' | 'ack' | null>(null);
  lagBytes = $state.raw<number | null>(null);
  lagSeconds = $state.raw<number | null>(null);
  /** lagSeconds is only "at least" (older than the master's history the console holds). */
  lagSecondsLowerBound = $state.raw(false);
  /** In a replication cycle: no lag figure, CYCLE_LAG instead. */
  lagInCycle = $state.raw(false);
  offset = $state.raw<number | null>(null);
  version = $state.raw<string | null>(null);
  /** As the card shows it (formatUptime): it changes once a minute, not on every tick. */
  uptime = $state.raw<string | null>(null);
  linkStatus = $state.raw<'up' | 'down' | null>(null);
  linkDownSince = $state.raw<number | null>(null);
  /** Seconds since it last ACKed, as its master lists it: kept while it is unreachable. */
  lastAck = $state.raw<number | null>(null);
  /** The stalled or unreachable node above it that it is behind because of, and its lag to the root. */
  stalledAbove = $state.raw<Address | null>(null);
  lagBytesFromRoot = $state.raw<number | null>(null);
  sync = $state.raw<SyncProgress | null>(null);
  /** Loading its dataset (restarted): "LOADING 42% · 17 s left"; null when not. */
  loading = $state.raw<string | null>(null);
  replicaCount = $state.raw(0);
  /** Listed online and ACKing; listed online but not heard from for ACK_SILENT_SECONDS (stopped, cut off). */
  online = $state.raw(0);
  silent = $state.raw(0);
  /** Connections taking its replication stream without a port (redis-cli --rdb, a backup tool): no replicas. */
  syncClients = $state.raw(0);
  /** The health of the edge that feeds this node. */
  edgeHealth = $state.raw<EdgeHealth | null>(null);
  lone = $state.raw(false);
  /** Its warnings but UNREACHABLE (the card says that in words). */
  warnings = $state.raw<readonly TopologyWarning[]>(NO_WARNINGS);
  /** Direct replicas drawn under it. */
  replicasBelow = $state.raw(0);
  collapsed = $state.raw(false);
  /** Collapsed: how many nodes its summary holds. */
  folded = $state.raw(0);

  constructor(address: Address) {
    this.address = address;
  }

  /** "12 KiB · 0.3 s" ("12 KiB · at least 0.3 s" for a bound), "in a cycle", or '—' when neither figure is known. */
  get lagText(): string {
    if (this.lagInCycle) return CYCLE_LAG;
    if (this.lagBytes === null && this.lagSeconds === null) return '—';
    return `${formatBytes(this.lagBytes)} · ${formatSecondsBehind(this.lagSeconds, this.lagSecondsLowerBound)}`;
  }
}

/** One edge's own figure: its health. */
export class EdgeFacts {
  health = $state.raw<EdgeHealth | null>(null);
}

export class CardFacts {
  /** The connection is read-only: no card can be moved. */
  readOnly = $state.raw(false);
  /** No tick for 3 poll intervals (ConsoleState.stale), copied so cards do not depend on the clock. */
  late = $state.raw(false);

  readonly #cs: ConsoleState;
  readonly #view: GraphView;
  readonly #nodes = new Map<Address, NodeFacts>();
  readonly #edges = new Map<string, EdgeFacts>();

  constructor(cs: ConsoleState) {
    this.#cs = cs;
    this.#view = graphViewOf(cs);
  }

  /** The facts of one node's card, brought up to date with what is shown now. */
  node(address: Address): NodeFacts {
    let facts = this.#nodes.get(address);
    if (!facts) {
      const made = new NodeFacts(address);
      this.#nodes.set(address, made);
      // A card asks as it is made: what it reads here is not its dependency (its fields are).
      untrack(() => this.#fillNode(made));
      facts = made;
    }
    return facts;
  }

  edge(master: Address, replica: Address): EdgeFacts {
    const key = edgeKey(master, replica);
    let facts = this.#edges.get(key);
    if (!facts) {
      const made = new EdgeFacts();
      this.#edges.set(key, made);
      made.health = untrack(() => this.#cs.edgeByKey.get(key)?.health ?? null);
      facts = made;
    }
    return facts;
  }

  /**
   * Brings every card's and edge's facts up to date. Run in an effect: it reads the snapshot
   * and what is derived from it, so it runs again on each tick (and when the clock makes the
   * whole view late, or a subtree is collapsed), and writes only the figures that changed.
   */
  sync(): void {
    this.readOnly = isReadOnly(this.#cs.snapshot);
    this.late = this.#cs.stale;
    for (const facts of this.#nodes.values()) this.#fillNode(facts);
    const edgeByKey: ReadonlyMap<string, TopologyEdge> = this.#cs.edgeByKey;
    for (const [key, facts] of this.#edges) facts.health = edgeByKey.get(key)?.health ?? null;
  }

  #fillNode(facts: NodeFacts): void {
    const cs = this.#cs;
    const view = this.#view;
    const address = facts.address;
    const node: NodeState | undefined = cs.nodeByAddress.get(address);
    facts.known = node !== undefined;
    facts.reachable = node?.reachable ?? false;
    facts.role = node?.role ?? 'unknown';
    facts.nodeStale = node !== undefined && isStale(node);
    // cs.stale is what sync() copies to `late`: read here too, as node() fills a new card outside sync().
    const stale = node !== undefined && (facts.nodeStale || (cs.stale && node.reachable));
    facts.stale = stale;
    facts.polledAt = stale ? node.polledAt : null;
    facts.remembered = node?.remembered === true;
    facts.lastSeenAt = node?.remembered === true && !node.reachable ? node.lastSeenAt : null;
    facts.listedBy = node && !node.remembered && isNeverReached(node) ? node.master : null;
    facts.errorCode = node?.error?.code ?? null;
    facts.errorMessage = node?.error?.message;
    const lag = node?.lag ?? null;
    facts.lagBasis = lag?.basis ?? null;
    facts.lagBytes = lag?.bytesBehindMaster ?? null;
    facts.lagSeconds = lag?.secondsBehind ?? null;
    facts.lagSecondsLowerBound = lag?.secondsBehindIsLowerBound ?? false;
    facts.lagInCycle = lag?.inCycle ?? false;
    facts.offset = node?.offset ?? null;
    facts.version = node?.version ?? null;
    facts.uptime = node && node.uptimeSeconds !== null ? formatUptime(node.uptimeSeconds) : null;
    facts.linkStatus = node?.linkStatus ?? null;
    facts.linkDownSince = node?.linkDownSinceSeconds ?? null;
    facts.lastAck = node?.reachable === false ? (lag?.lastAckSecondsAgo ?? null) : null;
    facts.stalledAbove = lag?.behindBecauseOf ?? null;
    facts.lagBytesFromRoot = lag?.bytesBehindRoot ?? null;
    const sync = node?.sync ?? null;
    // Compared by value, read without depending on it (this runs in the effect that writes it).
    if (!sameSync(untrack(() => facts.sync), sync)) facts.sync = sync;
    const loading = node?.reachable ? (node.load?.persistence?.loading ?? null) : null;
    facts.loading = loading ? loadingLabel(loading) : null;
    facts.replicaCount = node?.replicas.length ?? 0;
    let online = 0;
    let silent = 0;
    for (const r of node?.replicas ?? []) {
      if (r.state !== 'online') continue;
      if (r.ackAgeSeconds > ACK_SILENT_SECONDS) silent += 1;
      else online += 1;
    }
    facts.online = online;
    facts.silent = silent;
    facts.syncClients = node?.reachable ? node.syncClients.length : 0;
    facts.edgeHealth = cs.edgeByReplica.get(address)?.health ?? null;
    facts.lone = cs.loneMasters.has(address);
    const all = cs.warningsByNode.get(address);
    const warnings = all ? all.filter((w) => w.code !== 'UNREACHABLE') : NO_WARNINGS;
    if (!sameWarnings(untrack(() => facts.warnings), warnings)) facts.warnings = warnings.length === 0 ? NO_WARNINGS : warnings;
    const below = cs.replicasOf.get(address)?.length ?? 0;
    facts.replicasBelow = below;
    const collapsed = below > 0 && view.collapsed.has(address);
    facts.collapsed = collapsed;
    facts.folded = collapsed ? (view.folded.summaries.get(address)?.length ?? below) : below;
  }
}

const facts = new WeakMap<ConsoleState, CardFacts>();

/** The card facts of a topology (its ConsoleState), made on first use. */
export function cardFactsOf(cs: ConsoleState): CardFacts {
  let found = facts.get(cs);
  if (!found) {
    found = new CardFacts(cs);
    facts.set(cs, found);
  }
  return found;
}
