// The live view of one topology: connection status, the latest snapshot (replaced on every
// tick, never mutated) and everything the screens derive from it.
/* eslint-disable svelte/prefer-svelte-reactivity --
   The Maps and Sets here are built whole inside $derived (or assigned whole to $state.raw) and never
   mutated afterwards: each tick replaces them. SvelteMap/SvelteSet would add a signal per entry for nothing. */
import type {
  Address,
  ApiError,
  NodeState,
  TopologyEdge,
  TopologySnapshot,
  TopologyWarning,
} from '../../../electron/shared/types';
import type { ServerLink } from '../../../electron/shared/api';
import { isStale, nodeAgeMs, type FreshnessState } from '../lib/freshness';
import { listKey, sameList, tupleKey, uniqueBy } from '../lib/keys';
import { shareEqual } from '../lib/structural-sharing';
import { foldUnreached, type FoldedNodes, type UnreachedGroup } from '../lib/unreached-fold';
import type { Clock } from './clock.svelte';

export type ConnectionStatus = 'disconnected' | 'connecting' | 'connected';

export interface ConnectionTarget {
  seeds: Address[];
  user: string | null;
}

/** Identity of a replication edge, as the graph and the lookups use it (unambiguous whatever the addresses hold). */
export function edgeKey(master: Address, replica: Address): string {
  return tupleKey(master, replica);
}

/** Identity of a warning: two warnings with this key say exactly the same thing. */
export function warningKey(warning: TopologyWarning): string {
  return tupleKey(warning.code, warning.message, ...warning.nodes);
}

/**
 * The warnings to show: each once, each naming a node once. A master that lists itself
 * yields a warning about [itself, itself]; the same finding can arrive twice.
 */
export function distinctWarnings(warnings: readonly TopologyWarning[]): TopologyWarning[] {
  const normalised = warnings.map((w) => {
    const nodes = uniqueBy(w.nodes, (a) => a);
    return nodes === w.nodes ? w : { ...w, nodes };
  });
  return uniqueBy(normalised, warningKey);
}

const NO_NODES: NodeState[] = [];

/**
 * `next`, sharing every part that equals `shown`'s (structural-sharing.ts): most ticks change
 * neither the edges nor the warnings, and what is derived from them (the edge maps, the
 * structure key, the warnings by node) then stays as it is; every node is read again each
 * tick, but most of what it holds repeats. Nodes are matched by address.
 */
function sharedWith(shown: TopologySnapshot, next: TopologySnapshot, shownByAddress: ReadonlyMap<Address, NodeState>): TopologySnapshot {
  const nodes = next.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const address = nodes[i]!.address;
    const earlier = shownByAddress.get(address);
    // The map also leads from aliases: only the node shown at this very address is this one.
    if (earlier?.address === address) nodes[i] = shareEqual(earlier, nodes[i]!);
  }
  next.edges = shareEqual(shown.edges, next.edges);
  next.warnings = shareEqual(shown.warnings, next.warnings);
  return next;
}

/** A tick is late after this many poll intervals without one. */
export const STALE_AFTER_INTERVALS = 3;
/** Ticks arriving this much later than the fastest one did are late: 2 poll intervals, and at least this. */
const LATE_MIN_MS = 3000;
/** How fast the fastest transit may creep up (ms per ms): two clocks that drift apart, not a delay. */
const TRANSIT_DRIFT = 0.0002;
/** A clock that moved this much more than time did between two ticks was set (NTP, a VM resumed). */
const CLOCK_STEP_MS = 1000;

export class ConsoleState {
  status = $state<ConnectionStatus>('disconnected');
  /** The last connect failure, shown on the connect screen. */
  error = $state.raw<ApiError | null>(null);
  target = $state.raw<ConnectionTarget | null>(null);
  snapshot = $state.raw<TopologySnapshot | null>(null);
  /** Local time when the current snapshot arrived. */
  receivedAt = $state<number | null>(null);
  /** performance.now() when it arrived, when the caller said (see sinceTickMs). */
  #receivedMonotonic = $state<number | null>(null);
  /**
   * How much later than usual the current snapshot arrived: its transit (arrival by this clock
   * minus taken-at by the server's) less the fastest transit of this connection, which stands for
   * the two clocks' difference. A buffering proxy or VPN, or a page that stalled and replays
   * what queued up: ticks arrive regularly, each seconds old.
   */
  lateMs = $state(0);
  /** Web mode: the socket to the console server is down, so no tick can come (see followLink). */
  serverLost = $state(false);
  /**
   * Web mode: how long the console server takes to answer (the link's round trip, see
   * ServerLink). Ticks held on their way from the first one arrive regularly, each as late as
   * the first: lateMs cannot see that, the round trip does.
   */
  linkRoundTripMs = $state<number | null>(null);
  #fastestTransit: { ms: number; at: number } | null = null;
  /** The last tick's times, to tell a clock that stepped from a tick that came late. */
  #lastTimes: { takenAt: number; receivedAt: number; monotonicAt: number } | null = null;
  selected = $state<Address | null>(null);
  /** Nodes to emphasise while the pointer is over a warning. */
  highlighted = $state.raw<ReadonlySet<Address>>(new Set());

  readonly #clock: Clock;
  /** Engine sessions this view has moved on from (a restarted server's old one). */
  readonly #retired = new Set<string>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  // Each node, edge and warning once, whatever the snapshot holds: every list, lookup and
  // graph id below is keyed by them, and a repeated key stops Svelte from rendering.
  readonly nodes: NodeState[] = $derived(uniqueBy(this.snapshot?.nodes ?? [], (n) => n.address));
  readonly edges: TopologyEdge[] = $derived(uniqueBy(this.snapshot?.edges ?? [], (e) => edgeKey(e.master, e.replica)));
  readonly warnings: TopologyWarning[] = $derived(distinctWarnings(this.snapshot?.warnings ?? []));
  readonly pollIntervalMs: number | null = $derived(this.snapshot?.pollIntervalMs ?? null);

  /** Never-reached addresses a master lists by the hundred, folded into one summary per master (see unreached-fold.ts). */
  readonly #folded: FoldedNodes = $derived(foldUnreached(this.nodes));
  /** The nodes drawn as cards and listed one by one: every node but the folded ones. */
  readonly drawnNodes: NodeState[] = $derived(this.#folded.drawn);
  readonly unreachedGroups: UnreachedGroup[] = $derived(this.#folded.groups);

  /** Nodes by canonical address and by every alias. */
  readonly nodeByAddress: ReadonlyMap<Address, NodeState> = $derived.by(() => {
    const map = new Map<Address, NodeState>();
    for (const node of this.nodes) {
      map.set(node.address, node);
      for (const alias of node.aliases) if (!map.has(alias)) map.set(alias, node);
    }
    return map;
  });

  readonly edgeByKey: ReadonlyMap<string, TopologyEdge> = $derived(
    new Map(this.edges.map((edge) => [edgeKey(edge.master, edge.replica), edge])),
  );

  /** The edge that feeds each replica. */
  readonly edgeByReplica: ReadonlyMap<Address, TopologyEdge> = $derived(
    new Map(this.edges.map((edge) => [edge.replica, edge])),
  );

  /** Direct replicas of each master, as drawn in the graph. */
  readonly replicasOf: ReadonlyMap<Address, Address[]> = $derived.by(() => {
    const map = new Map<Address, Address[]>();
    for (const edge of this.edges) {
      const list = map.get(edge.master);
      if (list) list.push(edge.replica);
      else map.set(edge.master, [edge.replica]);
    }
    return map;
  });

  readonly warningsByNode: ReadonlyMap<Address, TopologyWarning[]> = $derived.by(() => {
    const map = new Map<Address, TopologyWarning[]>();
    for (const warning of this.warnings) {
      for (const address of warning.nodes) {
        const list = map.get(address);
        if (list) list.push(warning);
        else map.set(address, [warning]);
      }
    }
    return map;
  });

  /** Reachable masters with no replica, in a topology that has other nodes. */
  readonly loneMasters: ReadonlySet<Address> = $derived.by(() => {
    const lone = new Set<Address>();
    if (this.nodes.length < 2) return lone;
    // A master whose listed replicas are folded into a summary has them, drawn under it.
    const listing = new Set(this.unreachedGroups.map((g) => g.master));
    for (const node of this.nodes) {
      if (node.role === 'master' && node.reachable && !this.replicasOf.has(node.address) && !listing.has(node.address)) lone.add(node.address);
    }
    return lone;
  });

  readonly counts = $derived.by(() => {
    let masters = 0;
    let replicas = 0;
    let unreachable = 0;
    // A master that does not answer is counted, and said to be down: "1 master" alone read as a working one.
    let mastersDown = 0;
    for (const node of this.nodes) {
      if (!node.reachable) unreachable += 1;
      if (node.role === 'master') {
        masters += 1;
        if (!node.reachable) mastersDown += 1;
      } else if (node.role === 'replica') replicas += 1;
    }
    return { nodes: this.nodes.length, masters, mastersDown, replicas, unreachable };
  });

  /**
   * Changes only when nodes or edges come or go: the graph lays itself out again on a change
   * of this key and nowhere else, so live ticks never move a card.
   */
  readonly structureKey: string = $derived.by(() => {
    const nodes = this.drawnNodes.map((n) => n.address);
    const edges = this.edges.map((e) => edgeKey(e.master, e.replica));
    // A group, not its members: a churning list that changes every poll moves no card.
    const groups = this.unreachedGroups.map((g) => JSON.stringify(g.master));
    // Ticks keep the snapshot's order: the same lists in the same order are the same key, without
    // sorting and joining a hundred addresses again.
    const last = this.#structure;
    if (last && sameList(last.nodes, nodes) && sameList(last.edges, edges) && sameList(last.groups, groups)) return last.key;
    const key = listKey([listKey([...nodes].sort()), listKey([...edges].sort()), listKey([...groups].sort())]);
    this.#structure = { nodes, edges, groups, key };
    return key;
  });

  /** What structureKey was last made from, in snapshot order (a memo read only there). */
  #structure: { nodes: readonly string[]; edges: readonly string[]; groups: readonly string[]; key: string } | null = null;

  readonly selectedNode: NodeState | null = $derived(
    this.selected === null ? null : (this.nodeByAddress.get(this.selected) ?? null),
  );

  /**
   * "Now" for every age shown: the reactive clock, which ticks once a second, but never before
   * the current snapshot arrived. A tick that marks a node stale (not read for 3 intervals, by
   * the engine's time) can arrive up to a second after the clock last ticked; aged by the clock
   * alone, the card said "stale · 2 s" for a node the rule had found 3 s old.
   */
  get #now(): number {
    return Math.max(this.#clock.now, this.receivedAt ?? 0);
  }

  /**
   * Milliseconds since the current snapshot arrived, by the reactive clock: by the wall clock or
   * by the monotonic one, whichever says longer. By the wall clock alone, ticks that stopped as
   * the clock was set back an hour were not missed for that hour: LIVE over the last one.
   */
  readonly sinceTickMs: number | null = $derived.by(() => {
    if (this.receivedAt === null) return null;
    const byWall = this.#clock.now - this.receivedAt;
    const byMonotonic = this.#receivedMonotonic === null ? 0 : this.#clock.monotonic - this.#receivedMonotonic;
    return Math.max(0, byWall, byMonotonic);
  });

  /** True when no tick arrived for STALE_AFTER_INTERVALS poll intervals, or none can (the server is lost). */
  readonly stale: boolean = $derived(
    this.status === 'connected' &&
      (this.serverLost ||
        (this.sinceTickMs !== null && this.pollIntervalMs !== null && this.sinceTickMs > STALE_AFTER_INTERVALS * this.pollIntervalMs)),
  );

  /**
   * Reachable nodes not read for 3 poll intervals: as the last tick says, or every one of
   * them once ticks stop (nothing shown is being read then).
   */
  readonly staleNodes: NodeState[] = $derived.by(() => {
    const stale = this.nodes.filter((n) => this.isNodeStale(n));
    // The same empty list tick after tick: what reads it (header, legend) does not run again.
    return stale.length === 0 ? NO_NODES : stale;
  });

  /** The stale node read least recently (one never read first), or null. */
  readonly oldestStale: NodeState | null = $derived.by(() => {
    let oldest: NodeState | null = null;
    for (const node of this.staleNodes) {
      if (oldest === null || (oldest.polledAt !== null && (node.polledAt === null || node.polledAt < oldest.polledAt))) oldest = node;
    }
    return oldest;
  });

  /** Milliseconds since the least recently read stale node was read, by the reactive clock (see #now). */
  readonly oldestStaleAgeMs: number | null = $derived.by(() =>
    // Reads the clock only while something is stale: a fresh topology does not re-derive every second.
    this.oldestStale === null ? null : nodeAgeMs(this.oldestStale, this.#now),
  );

  /** How late an update may come before the header stops saying LIVE: two intervals, at least LATE_MIN_MS. */
  readonly #lateAfterMs: number = $derived(Math.max(LATE_MIN_MS, 2 * (this.pollIntervalMs ?? 0)));

  /**
   * Why what is shown is seconds old though ticks arrive: 'ticks', they arrive later than this
   * connection's fastest (see lateMs); 'link', the console server takes that long to answer (a
   * link slow from the first tick on); null: neither.
   */
  readonly lateBy: 'ticks' | 'link' | null = $derived(
    this.status !== 'connected'
      ? null
      : this.lateMs > this.#lateAfterMs
        ? 'ticks'
        : (this.linkRoundTripMs ?? 0) > this.#lateAfterMs
          ? 'link'
          : null,
  );

  /** Ticks arrive, but what they show is seconds old (see lateBy). */
  readonly late: boolean = $derived(this.lateBy !== null);

  /**
   * No tick comes because the console server itself does not answer (its process stopped or
   * hung, the link holds everything): the socket is open, but the link's probes wait unanswered.
   * The header says so: "no update for 14 s" alone read as if the nodes were behind.
   */
  readonly serverSilent: boolean = $derived(this.stale && !this.serverLost && this.lateBy === 'link');

  /** LIVE only while ticks arrive on time and every node is fresh; otherwise what is out of date. */
  readonly freshness: FreshnessState = $derived(
    this.stale ? 'no-ticks' : this.late ? 'late' : this.staleNodes.length > 0 ? 'nodes-stale' : 'live',
  );

  /** Is what is shown of this node out of date (see staleNodes)? Reads the clock only through `stale`, which flips rarely. */
  isNodeStale(node: Pick<NodeState, 'stale' | 'reachable'>): boolean {
    return isStale(node) || (this.stale && node.reachable);
  }

  /** Milliseconds since `node` was last read, by the reactive clock (see #now). */
  ageOf(node: Pick<NodeState, 'polledAt'>): number | null {
    return nodeAgeMs(node, this.#now);
  }

  beginConnect(target: ConnectionTarget): void {
    this.status = 'connecting';
    this.error = null;
    this.target = target;
  }

  /** The first snapshot of a session: replaces whatever was shown before. */
  connected(snapshot: TopologySnapshot, receivedAt: number, monotonicAt?: number): void {
    // A session replaced is never shown again, should a late tick of it still arrive.
    const previous = this.snapshot?.session;
    if (previous !== undefined && previous !== snapshot.session) this.#retired.add(previous);
    this.status = 'connected';
    this.error = null;
    this.snapshot = snapshot;
    this.receivedAt = receivedAt;
    this.#receivedMonotonic = monotonicAt ?? null;
    this.#fastestTransit = null;
    this.#lastTimes = null;
    this.#measureTransit(snapshot, receivedAt);
    if (this.selected !== null && !this.nodeByAddress.has(this.selected)) this.selected = null;
  }

  failed(error: ApiError): void {
    this.status = 'disconnected';
    this.error = error;
    this.snapshot = null;
    this.receivedAt = null;
    this.#receivedMonotonic = null;
  }

  /**
   * A tick. Returns false when it was ignored (not connected, or older than what is shown), and
   * 'new-session' when it comes from another engine session than the one shown (a restarted
   * server, whose seq starts again at 1): the caller adopts it as a fresh connection.
   */
  applySnapshot(snapshot: TopologySnapshot, receivedAt: number, monotonicAt?: number): boolean | 'new-session' {
    if (this.status !== 'connected') return false;
    if (this.snapshot !== null && snapshot.session !== this.snapshot.session) return snapshot.session !== undefined && this.#retired.has(snapshot.session) ? false : 'new-session';
    if (this.snapshot !== null && snapshot.seq <= this.snapshot.seq) return false;
    this.snapshot = this.snapshot === null ? snapshot : sharedWith(this.snapshot, snapshot, this.nodeByAddress);
    this.receivedAt = receivedAt;
    this.#receivedMonotonic = monotonicAt ?? null;
    this.#measureTransit(snapshot, receivedAt, monotonicAt);
    // The banner that set the highlight is gone with its last warning: no pointer-leave will come.
    if (snapshot.warnings.length === 0 && this.highlighted.size > 0) this.highlighted = new Set();
    return true;
  }

  /**
   * `monotonicAt` (performance.now()) tells a clock that stepped from a tick that came late: the
   * page's wall clock moved by more than the monotonic one, or, ticks arriving at their regular
   * pace, the server's taken-at moved by more. Either shifts every transit, not the delay: the
   * fastest moves with it (else a clock set 5 s forward read DELAYED for 80 minutes).
   */
  #measureTransit(snapshot: TopologySnapshot, receivedAt: number, monotonicAt?: number): void {
    const transit = receivedAt - snapshot.takenAt;
    if (!Number.isFinite(transit)) return;
    const last = this.#lastTimes;
    this.#lastTimes = monotonicAt === undefined ? null : { takenAt: snapshot.takenAt, receivedAt, monotonicAt };
    if (last !== null && monotonicAt !== undefined && this.#fastestTransit !== null) {
      const elapsed = monotonicAt - last.monotonicAt;
      const pageStep = receivedAt - last.receivedAt - elapsed;
      const interval = snapshot.pollIntervalMs;
      const regular = Math.abs(elapsed - interval) < interval / 2;
      const serverStep = regular ? snapshot.takenAt - last.takenAt - elapsed : 0;
      // Only a step that lengthens every transit: one that shortens it is taken by the min below
      // anyway, and a held link that lets go looks like the server's clock jumping forward.
      const step = pageStep - serverStep;
      if (step > CLOCK_STEP_MS) this.#fastestTransit.ms += step;
    }
    const fastest = this.#fastestTransit;
    // The fastest may creep up as slowly as two clocks drift apart, never jump with a delay.
    const floor = fastest === null ? transit : Math.min(transit, fastest.ms + (receivedAt - fastest.at) * TRANSIT_DRIFT);
    this.#fastestTransit = { ms: floor, at: receivedAt };
    this.lateMs = Math.max(0, transit - floor);
  }

  /** The web mode's socket to the console server (null in the desktop app, where there is none). */
  followLink(link: ServerLink | null): void {
    this.serverLost = link?.reachable === false;
    this.linkRoundTripMs = link?.roundTripMs ?? null;
  }

  select(address: Address | null): void {
    this.selected = address;
  }

  highlight(addresses: readonly Address[]): void {
    this.highlighted = new Set(addresses);
  }

  reset(): void {
    this.status = 'disconnected';
    this.snapshot = null;
    this.receivedAt = null;
    this.#receivedMonotonic = null;
    this.selected = null;
    this.highlighted = new Set();
    this.target = null;
  }
}
