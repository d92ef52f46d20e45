// The Sentinels of one session: which master names belong to this topology, each Sentinel's
// view read after its INFO, the Sentinels found on the hello channel (of the masters, or of the
// replicas of a master that is down), and every Sentinel's events, subscribed to for as long as
// it is a node (re-subscribed after a lost connection). On +switch-master the topology is re-read
// at once instead of at the next poll.
import type { ClientRegistry } from './client-registry';
import { SENTINEL_HELLO_CHANNEL } from './node-commands';
import { masterAddressOf, type NodeRecord } from './node-record';
import type { NodeSet } from './node-set';
import type { SentinelContext } from './snapshot';
import { SentinelIncidents, sentinelEvent, type SentinelEventDraft, type SentinelFeedContext } from './sentinel-events';
import { parseHello, parseSentinelEvent } from './sentinel-parser';
import { readSentinel } from './sentinel-poll';

export interface SentinelWatchHost {
  nodes: NodeSet;
  /** Data nodes' connections (the hello channel is on masters and replicas). */
  dataRegistry: ClientRegistry;
  /** Sentinels' connections, with the Sentinel credentials. */
  sentinelRegistry: ClientRegistry;
  now(): number;
  /** The master name given with the Sentinel entry point, if any. */
  entryName: string | null;
  /** Nodes found outside a poll (hello, +sentinel): to be scheduled and read. */
  added(records: NodeRecord[]): void;
  event(draft: SentinelEventDraft): void;
  /** The master moved: re-read the topology now. */
  refresh(): void;
}

/** Sentinels announce themselves every 2 s: a first hello arrives within this. */
const HELLO_WAIT_MS = 2500;
/**
 * Sentinel messages taken per tick (a failover is a few dozen): a flood from something posing
 * as a Sentinel costs the poll loop nothing beyond this, and the rest of the tick's are dropped.
 */
export const MAX_SENTINEL_MESSAGES_PER_TICK = 500;

export class SentinelWatch {
  private readonly incidents = new SentinelIncidents();
  /** Sentinel ID (SENTINEL MYID, as hello and events name it) → address. */
  private readonly ids = new Map<string, string>();
  /** Event subscriptions by Sentinel record, and hello subscriptions by master record. */
  private readonly eventSubs = new Map<NodeRecord, () => void>();
  private readonly helloSubs = new Map<NodeRecord, () => void>();
  private readonly feed: SentinelFeedContext;
  /** Messages still taken before the next tick. */
  private budget = MAX_SENTINEL_MESSAGES_PER_TICK;

  constructor(private readonly host: SentinelWatchHost) {
    this.feed = {
      resolve: (address) => host.nodes.resolve(address)?.address ?? address,
      mastersOf: (sentinel) => {
        const names = this.masterNames();
        return (host.nodes.resolve(sentinel)?.sentinelMasters ?? []).map((m) => m.name).filter((n) => names.has(n));
      },
      belongs: (name) => this.masterNames().has(name),
      sentinelById: (id) => this.ids.get(id) ?? null,
    };
  }

  /**
   * The master names of this topology: the entry point's, and those a Sentinel monitors at an
   * address that is a data node here (a Sentinel given as a data seed watching one master: that one).
   */
  masterNames(): Set<string> {
    const names = new Set<string>();
    if (this.host.entryName !== null) names.add(this.host.entryName);
    for (const record of this.host.nodes.all()) {
      if (!record.asSentinel) continue;
      const seedOfOne = record.seed && !record.givenAsSentinel && record.sentinelMasters.length === 1;
      for (const m of record.sentinelMasters) {
        const node = m.address ? this.host.nodes.resolve(m.address) : undefined;
        if (seedOfOne || (node && !node.asSentinel)) names.add(m.name);
      }
    }
    return names;
  }

  /**
   * After a node's INFO: a data seed that turned out a Sentinel moves to the Sentinel connection,
   * and a Sentinel's view of this topology's masters is read.
   */
  async afterPoll(record: NodeRecord): Promise<void> {
    const { dataRegistry, sentinelRegistry } = this.host;
    if (!record.reachable) return;
    const isSentinel = record.server?.mode === 'sentinel';
    if (isSentinel && !record.asSentinel) {
      record.asSentinel = true;
      dataRegistry.forget(record.dial);
    } else if (!isSentinel && record.asSentinel && record.server !== null) {
      // Named as a Sentinel (a stale hello, memory) but a data node answered.
      record.asSentinel = false;
      record.sentinel = null;
      sentinelRegistry.forget(record.dial);
    }
    if (!record.asSentinel) return;
    const names = this.masterNames();
    const mine = record.sentinelMasters.map((m) => m.name).filter((n) => names.has(n));
    try {
      record.sentinel = await readSentinel(sentinelRegistry, record.dial, mine);
    } catch {
      // INFO just answered: a refused SENTINEL command (ACL) leaves the last view, reachability stands.
      return;
    }
    if (record.sentinel.id) this.rememberId(record.sentinel.id, record.address);
    for (const m of record.sentinel.masters) for (const s of m.sentinels) if (s.id) this.rememberId(s.id, s.address);
  }

  /**
   * On connect, when no Sentinel is known yet: a data node with subscribers on the hello channel is
   * monitored, and its first hello names one Sentinel (which names the others). So a one-shot
   * `topology --seed` shows the Sentinels too, at the cost of up to 2.5 s on monitored groups only.
   * Returns true when a Sentinel was added (discovery then reads it).
   */
  async findFromHello(): Promise<boolean> {
    const { nodes, dataRegistry } = this.host;
    if (nodes.all().some((r) => r.asSentinel)) return false;
    const monitored = async (record: NodeRecord): Promise<boolean> => {
      try {
        const reply = await dataRegistry.run(record.dial, (client) => client.call('PUBSUB', 'NUMSUB', SENTINEL_HELLO_CHANNEL));
        return Array.isArray(reply) && Number(reply[1]) > 0;
      } catch {
        return false;
      }
    };
    const heard = await Promise.all(
      [...this.helloGroups().values()].map(async (group) => {
        // A dead master's replicas all hear the same hellos: listen on the first one a Sentinel watches.
        for (const record of group) if (await monitored(record)) return dataRegistry.listen(record.dial, SENTINEL_HELLO_CHANNEL, HELLO_WAIT_MS).catch(() => null);
        return null;
      }),
    );
    let added = false;
    for (const text of heard) {
      const hello = text === null ? null : parseHello(text);
      if (!hello) continue;
      added = this.addSentinel(hello.sentinel) || added;
      this.rememberId(hello.id, hello.sentinel);
    }
    return added;
  }

  /**
   * Once per tick: an event subscription per Sentinel, a hello subscription per group (its master,
   * or one replica of a master that is down); gone nodes' closed.
   */
  sync(): void {
    const { nodes, dataRegistry, sentinelRegistry } = this.host;
    this.budget = MAX_SENTINEL_MESSAGES_PER_TICK;
    const sentinels = new Set(nodes.all().filter((r) => r.asSentinel));
    const listened = new Set<NodeRecord>();
    for (const group of this.helloGroups().values()) {
      // The replica already listened to stays while it is a candidate: no new subscription per tick.
      const kept = group.find((r) => this.helloSubs.has(r)) ?? group[0];
      if (kept) listened.add(kept);
    }
    reconcile(this.eventSubs, sentinels, (record) =>
      sentinelRegistry.subscribe(record.dial, ['*'], (channel, text) => this.onEvent(record, channel, text)),
    );
    reconcile(this.helloSubs, listened, (record) => dataRegistry.subscribe(record.dial, [SENTINEL_HELLO_CHANNEL], (_channel, text) => this.onHello(text)));
  }

  /** For the snapshot: who leads each master's failover under way. */
  context(): SentinelContext {
    const now = this.host.now();
    return { leaderOf: (name) => this.incidents.leaderOf(name, now, this.feed) };
  }

  stop(): void {
    for (const dispose of [...this.eventSubs.values(), ...this.helloSubs.values()]) dispose();
    this.eventSubs.clear();
    this.helloSubs.clear();
  }

  private onHello(text: string): void {
    if (--this.budget < 0) return;
    const hello = parseHello(text);
    if (!hello) return;
    this.addSentinel(hello.sentinel);
    this.rememberId(hello.id, hello.sentinel);
  }

  private onEvent(reporter: NodeRecord, channel: string, text: string): void {
    if (--this.budget < 0) return;
    const message = parseSentinelEvent(channel, text);
    if (!message) return;
    const draft = sentinelEvent(message, reporter.address, this.host.now(), this.incidents, this.feed);
    if (!draft) return;
    this.host.event(draft);
    if (message.event === '+sentinel' && message.subject) {
      this.addSentinel(message.subject.address);
      this.rememberId(message.subject.name, message.subject.address);
    }
    if (message.event === '+switch-master') this.host.refresh();
  }

  /** Name a Sentinel ID's address, for Sentinels that are nodes only: a flood of made-up hellos cannot grow the map past the node cap. */
  private rememberId(id: string, address: string): void {
    const record = this.host.nodes.resolve(address);
    if (!record?.asSentinel) return;
    // Many IDs for one address (restarts, or made up): start over rather than grow.
    if (this.ids.size >= 4 * this.host.nodes.maxNodes) this.ids.clear();
    this.ids.set(id, record.address);
  }

  private addSentinel(address: string): boolean {
    const added = this.host.nodes.addSentinel(address, this.host.now());
    if (added) this.host.added([added]);
    return added !== null;
  }

  /**
   * Where the hello channel names a group's Sentinels, by group: each reachable master alone, and
   * the reachable replicas of a master that is not (down, never reached), in node order. Sentinels
   * announce themselves on every master and replica they monitor, so while the master is down its
   * replicas still hear them: listening on masters only, a seed that was a replica of a dead master
   * never found the Sentinels, exactly when on-call needs SENTINEL FAILOVER rather than a manual one.
   */
  private helloGroups(): Map<NodeRecord | string, NodeRecord[]> {
    const { nodes } = this.host;
    // Keyed by the master's record, or by the address the replicas name for it when it has none:
    // replicas of one master the console never reached are one group, one subscription.
    const groups = new Map<NodeRecord | string, NodeRecord[]>();
    for (const record of nodes.all()) {
      if (record.asSentinel || !record.reachable) continue;
      const role = record.replication?.role;
      if (role === 'master') {
        groups.set(record, [record]);
      } else if (role === 'replica') {
        const master = nodes.masterOf(record);
        if (master?.reachable) continue;
        const key = master ?? masterAddressOf(record) ?? record;
        const group = groups.get(key);
        if (group) group.push(record);
        else groups.set(key, [record]);
      }
    }
    return groups;
  }
}

/** Keep exactly one subscription per wanted record. */
function reconcile(subs: Map<NodeRecord, () => void>, wanted: ReadonlySet<NodeRecord>, open: (record: NodeRecord) => () => void): void {
  for (const [record, dispose] of subs) {
    if (wanted.has(record)) continue;
    dispose();
    subs.delete(record);
  }
  for (const record of wanted) if (!subs.has(record)) subs.set(record, open(record));
}
