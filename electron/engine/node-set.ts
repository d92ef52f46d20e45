import { normalizeAddress } from './address';
import { dialAddress } from './address-map';
import { EngineError } from './errors';
import { createRecord, masterAddressOf, neighboursOf, type NodeRecord } from './node-record';
import { dataAddressesOf, sentinelAddressesOf } from './sentinel-poll';

/** Nodes one topology follows unless EngineOptions.maxNodes says otherwise. */
export const DEFAULT_MAX_NODES = 1000;
/** A node never reached and listed by nobody for this many poll intervals is dropped. */
const NEVER_REACHED_GRACE_POLLS = 3;
/** Drops are counted against the master that listed them over this many poll intervals… */
const CHURN_WINDOW_POLLS = 60;
/** …and a master with this many in that window is churning. */
const CHURN_MIN_DROPS = 3;
/** Drop times kept per master: enough to count past the threshold, bounded whatever the churn. */
const CHURN_MAX_KEPT = 1000;

export interface ForgetOptions {
  now: number;
  /** A node reached once, unreachable this long and listed by nobody, is forgotten. */
  forgetAfterMs: number;
  /** The poll interval: never-reached nodes and churn are measured in polls. */
  intervalMs: number;
}

/** A master whose replica list keeps naming addresses that are never reached, then dropping them. */
export interface ChurningMaster {
  master: string;
  /** Addresses only its list named, dropped within `windowMs`. */
  dropped: number;
  windowMs: number;
}

/** What a full NodeSet did not follow: addresses reachable nodes list that are not nodes. */
export interface NotFollowed {
  count: number;
  /** The first few of them. */
  sample: string[];
  /** The nodes that list them. */
  listedBy: string[];
}

export interface ChainInfo {
  /** The last node of the chain: its root master, or where the chain stops (unknown master, cycle). */
  top: NodeRecord;
  /** Nodes in the chain, the node itself included. */
  length: number;
}

/**
 * The nodes of one topology, reachable by any of their addresses. Two addresses that turn
 * out to reach the same process (same run_id) become one node: the address it was first
 * reached by stays canonical, the other becomes an alias. Whatever its name, a node is dialled
 * at the address that last answered as it (dialBy).
 *
 * Bounded whatever servers say: at most `maxNodes` nodes are added from what nodes list
 * (seeds always count); once full, a master's list can take the room of never-reached nodes
 * of a master listing more of them (fair shares), and an address never reached that nobody
 * lists any more is dropped within a few polls. Every per-poll operation is O(1) or O(what one node lists); per-tick
 * ones are linear in the nodes.
 */
export class NodeSet {
  private readonly records = new Map<string, NodeRecord>();
  private readonly byAddress = new Map<string, NodeRecord>();
  /** Changes whenever an address starts or stops resolving to a node: masterOf's answers hold until then. */
  private addressesVersion = 0;
  private readonly byRunId = new Map<string, NodeRecord>();
  private readonly runIdOf = new Map<NodeRecord, string>();
  /** The records as an array, rebuilt only when a node is added or removed. */
  private list: readonly NodeRecord[] | null = null;
  /** Per master address: when addresses only its list named were dropped. */
  private readonly drops = new Map<string, number[]>();
  private churn: ChurningMaster[] = [];
  /**
   * Per listing master: the nodes its list added that have never been reached, oldest first
   * (rebuilt every forgetVanished, appended to as lists add nodes). A full set takes room from
   * the master holding the most of them, so one hostile list cannot crowd out a real topology.
   */
  private unreached = new Map<string, NodeRecord[]>();
  /** Nodes given up to make room since the last forgetVanished, handed back by it. */
  private evicted: NodeRecord[] = [];

  constructor(
    private readonly capacity: number,
    private readonly addressMap: Readonly<Record<string, string>> = {},
    readonly maxNodes = DEFAULT_MAX_NODES,
  ) {
    if (!(Number.isSafeInteger(maxNodes) && maxNodes >= 1)) {
      throw new EngineError('BAD_ARGUMENT', `maxNodes must be a whole number of at least 1 (got ${String(maxNodes)})`);
    }
  }

  get size(): number {
    return this.records.size;
  }

  /** True once maxNodes are known: listed addresses are then no longer added. */
  get full(): boolean {
    return this.records.size >= this.maxNodes;
  }

  /** Every node, in the order they were added. The same array until a node is added or removed: never mutate it. */
  all(): readonly NodeRecord[] {
    this.list ??= [...this.records.values()];
    return this.list;
  }

  /** The node behind an address (canonical or alias), if known. */
  resolve(address: string): NodeRecord | undefined {
    // Addresses from INFO are already in normal form: skip the parse on the hot path.
    return this.byAddress.get(address) ?? this.byAddress.get(safeNormalize(address));
  }

  /** Add a node for an address not yet known (seeds go here, whatever the cap); returns the existing one otherwise. */
  add(address: string, seed: boolean, now = Date.now()): NodeRecord {
    const normalized = safeNormalize(address);
    const known = this.byAddress.get(normalized);
    if (known) {
      known.seed ||= seed;
      return known;
    }
    const dial = dialAddress(this.addressMap, normalized);
    const record = createRecord(normalized, dial, seed, this.capacity, now);
    this.records.set(normalized, record);
    this.index(normalized, record);
    this.list = null;
    return record;
  }

  /**
   * Add the addresses `record` points at (its master, the replicas it lists) that are not
   * known yet, while there is room; returns the nodes added, to be polled.
   */
  addNeighboursOf(record: NodeRecord, now = Date.now()): NodeRecord[] {
    if (!this.contains(record)) return [];
    const added: NodeRecord[] = [];
    const master = masterAddressOf(record);
    // A master found through master_host is not a list entry (no churn counts against it), but
    // in a full set it takes room from a long list like anything `record` points at.
    if (master) this.addListed(master, null, record.address, now, added);
    const lines = record.replication?.replicas ?? [];
    this.matchAnnounced(record, lines);
    for (const replica of lines) this.addListed(replica.address, record.address, record.address, now, added);
    // A Sentinel names the master, its replicas and the other Sentinels: discovery follows them too.
    for (const address of dataAddressesOf(record.sentinel)) this.addListed(address, null, record.address, now, added);
    for (const address of sentinelAddressesOf(record.sentinel)) {
      const sentinel = this.addSentinel(address, now);
      if (sentinel) added.push(sentinel);
    }
    return added;
  }

  /**
   * Add a Sentinel found by its address (a SENTINEL SENTINELS reply, a hello message, an event)
   * while there is room; returns it when it is new. A known node found to be a Sentinel is marked one.
   */
  addSentinel(address: string, now = Date.now()): NodeRecord | null {
    const known = this.resolve(address);
    if (known) {
      // A node that answered as a data node stays one, whatever a message claims.
      if (!known.reachable || known.server?.mode === 'sentinel') known.asSentinel = true;
      return null;
    }
    if (this.full) return null;
    const record = this.add(address, false, now);
    record.asSentinel = true;
    return record;
  }

  /**
   * A replica announcing another address (replica-announce-ip/port, NAT) is listed by its master
   * under that address, not the one it was reached by. A replica whose link is up is always in
   * its master's list: so when exactly one listed address is unknown (or only a never-reached
   * node this list added) and exactly one linked replica of `master` is missing from the list,
   * they are one node and the listed address becomes its alias. O(what `master` lists), plus one
   * pass over the nodes only when exactly one listed address is unknown.
   */
  private matchAnnounced(master: NodeRecord, lines: readonly { address: string }[], linked?: readonly NodeRecord[]): void {
    // A list cut short (REPLICA_LIST_TRUNCATED) may leave the missing replica out: nothing can be told then.
    if (master.infoCuts.replication) return;
    let unknown: string | null = null;
    let phantom: NodeRecord | undefined;
    const listed = new Set<NodeRecord>();
    for (const line of lines) {
      const known = this.resolve(line.address);
      const isPhantom = known !== undefined && known.polls === 0 && !known.seed && known.listedBy === master.address && known.rememberedSeenAt === null;
      if (known && !isPhantom) {
        listed.add(known);
        continue;
      }
      if (unknown !== null) return;
      unknown = line.address;
      phantom = known;
    }
    if (unknown === null) return;
    let missing: NodeRecord | undefined;
    for (const record of linked ?? this.all()) {
      if (record === master || !record.reachable || listed.has(record) || record.replication?.linkStatus !== 'up') continue;
      if (this.masterOf(record) !== master) continue;
      if (missing) return;
      missing = record;
    }
    if (!missing) return;
    if (phantom) {
      this.remove(phantom);
      this.evicted.push(phantom);
    }
    missing.aliases.add(unknown);
    this.index(unknown, missing);
  }

  private addListed(address: string, listedBy: string | null, share: string, now: number, added: NodeRecord[]): void {
    if (this.resolve(address)) return;
    if (this.full && !this.makeRoomFor(share)) return;
    const record = this.add(address, false, now);
    record.listedBy = listedBy;
    if (listedBy !== null) this.unreachedOf(listedBy).push(record);
    added.push(record);
  }

  /**
   * Fair shares of a full set: give up one never-reached node of the master whose list holds
   * the most of them, if that is more than `lister` would then hold. O(listing masters).
   */
  private makeRoomFor(lister: string): boolean {
    const mine = this.unreached.get(lister)?.length ?? 0;
    let victims: NodeRecord[] | undefined;
    for (const [master, list] of this.unreached) {
      if (master !== lister && list.length > mine + 1 && list.length > (victims?.length ?? 0)) victims = list;
    }
    // The newest first: the oldest have had the longest to answer, and a list that churns adds at the end.
    for (let victim = victims?.pop(); victim; victim = victims?.pop()) {
      if (!this.contains(victim) || victim.polls > 0 || victim.seed) continue;
      this.remove(victim);
      this.evicted.push(victim);
      return true;
    }
    return false;
  }

  private unreachedOf(master: string): NodeRecord[] {
    let list = this.unreached.get(master);
    if (!list) this.unreached.set(master, (list = []));
    return list;
  }

  /** True while `record` is one of this set's nodes (not removed, not merged into another). */
  contains(record: NodeRecord): boolean {
    return this.records.get(record.address) === record;
  }

  /**
   * If another node has the same run_id, fold `record` into it and return the survivor;
   * otherwise return `record`. O(1): nodes are indexed by the run_id they last reported.
   */
  mergeByRunId(record: NodeRecord): NodeRecord {
    const runId = record.server?.runId;
    if (!runId || !this.contains(record)) return record;
    const twin = this.byRunId.get(runId);
    // Indexed under this run_id already (every poll of a node that has not restarted).
    if (twin === record) return record;
    if (!twin || !this.contains(twin) || twin.server?.runId !== runId) {
      this.indexRunId(record, runId);
      return record;
    }
    // Keep the seed, else the node known first.
    const [keep, drop] = record.seed && !twin.seed ? [record, twin] : [twin, record];
    keep.aliases.add(drop.address);
    for (const alias of drop.aliases) keep.aliases.add(alias);
    keep.seed ||= drop.seed;
    this.remove(drop);
    for (const address of [drop.address, ...drop.aliases]) this.index(address, keep);
    this.indexRunId(keep, runId);
    // `record` just answered; a twin kept for its seniority may have stopped (a port forward closed).
    if (keep !== record && record.reachable && !keep.reachable) this.dialBy(keep, record.dialledAs);
    return keep;
  }

  /**
   * From now on, dial `record` at `address`, one of its own that just answered as it (same
   * run_id): a node is dialled at the address that last answered, and the one that stopped
   * answering stays an alias, tried again when this one fails. An address another node holds is
   * left to it. Returns false when nothing changed.
   */
  dialBy(record: NodeRecord, address: string): boolean {
    const normalized = safeNormalize(address);
    const owner = this.byAddress.get(normalized);
    if (!this.contains(record) || (owner !== undefined && owner !== record) || record.dialledAs === normalized) return false;
    if (normalized !== record.address) record.aliases.add(normalized);
    if (owner === undefined) this.index(normalized, record);
    record.dialledAs = normalized;
    record.dial = dialAddress(this.addressMap, normalized);
    return true;
  }

  /** The address dialled for `address`, through the user's address map. */
  dialOf(address: string): string {
    return dialAddress(this.addressMap, safeNormalize(address));
  }

  private indexRunId(record: NodeRecord, runId: string): void {
    const previous = this.runIdOf.get(record);
    if (previous !== undefined && previous !== runId && this.byRunId.get(previous) === record) this.byRunId.delete(previous);
    this.byRunId.set(runId, record);
    this.runIdOf.set(record, runId);
  }

  /** Every change to which node an address resolves to goes through index() or unindex(): masterOf's answers depend on it. */
  private index(address: string, record: NodeRecord): void {
    this.byAddress.set(address, record);
    this.addressesVersion++;
  }

  private unindex(address: string, record: NodeRecord): void {
    if (this.byAddress.get(address) !== record) return;
    this.byAddress.delete(address);
    this.addressesVersion++;
  }

  /**
   * The master a replica points at, resolved to a known node. Asked several times per node and
   * tick (chains, order, lag, edges, warnings, phases): the answer is kept on the record until
   * the node is read again or an address of the set changes.
   */
  masterOf(record: NodeRecord): NodeRecord | undefined {
    const cached = record.masterOf;
    if (cached.reading === record.replication && cached.version === this.addressesVersion) return cached.master;
    const address = masterAddressOf(record);
    cached.master = address ? this.resolve(address) : undefined;
    cached.reading = record.replication;
    cached.version = this.addressesVersion;
    return cached.master;
  }

  /** The node and its masters up to the top of its chain; stops on a cycle or an unknown master. */
  chainOf(record: NodeRecord): NodeRecord[] {
    const chain = [record];
    const seen = new Set(chain);
    let current = this.masterOf(record);
    while (current && !seen.has(current)) {
      chain.push(current);
      seen.add(current);
      current = this.masterOf(current);
    }
    return chain;
  }

  /**
   * chainOf's top and length for every node at once, in one pass over the nodes (chainOf
   * per node costs the depth of each chain: quadratic on a long cascade). Every replication
   * cycle met on the way is pushed to `loops`, once, in the order its nodes replicate.
   */
  chains(loops: NodeRecord[][] = []): Map<NodeRecord, ChainInfo> {
    const out = new Map<NodeRecord, ChainInfo>();
    // One path and its index for every walk (most walks are one or two nodes long).
    const path: NodeRecord[] = [];
    const onPath = new Map<NodeRecord, number>();
    for (const start of this.all()) {
      if (out.has(start)) continue;
      path.length = 0;
      onPath.clear();
      let current: NodeRecord | undefined = start;
      while (current && !out.has(current) && !onPath.has(current)) {
        onPath.set(current, path.length);
        path.push(current);
        current = this.masterOf(current);
      }
      let end = path.length;
      const loopStart = current ? onPath.get(current) : undefined;
      if (loopStart !== undefined) {
        // A cycle: from any member, chainOf walks the whole loop and stops at the member's own replica.
        const loop = path.slice(loopStart);
        loops.push(loop);
        loop.forEach((member, k) => out.set(member, { top: loop[(k + loop.length - 1) % loop.length] ?? member, length: loop.length }));
        end = loopStart;
      }
      for (let k = end - 1; k >= 0; k--) {
        const node = path[k];
        if (!node) continue;
        const next = k + 1 < path.length ? path[k + 1] : current;
        const above = next ? out.get(next) : undefined;
        out.set(node, above ? { top: above.top, length: above.length + 1 } : { top: node, length: 1 });
      }
    }
    return out;
  }

  remove(record: NodeRecord): void {
    if (!this.contains(record)) return;
    this.records.delete(record.address);
    for (const address of [record.address, ...record.aliases]) this.unindex(address, record);
    const runId = this.runIdOf.get(record);
    if (runId !== undefined && this.byRunId.get(runId) === record) this.byRunId.delete(runId);
    this.runIdOf.delete(record);
    this.list = null;
  }

  /**
   * Remove the nodes that are gone, and return them: a node reached once that has been
   * unreachable for `forgetAfterMs`, or a node never reached that has not been listed for a
   * few polls (a churning replica list must not grow the graph), provided no reachable node
   * lists it now. Seeds stay. Each drop of an address only a master's list named counts as
   * that master's churn (see `churning`). Also returns the nodes given up since the last call
   * to make room in a full set.
   */
  forgetVanished({ now, forgetAfterMs, intervalMs }: ForgetOptions): NodeRecord[] {
    this.matchAllAnnounced();
    const listed = new Set<NodeRecord>();
    for (const record of this.all()) {
      if (!record.reachable) continue;
      for (const address of neighboursOf(record)) {
        const r = this.resolve(address);
        if (r) listed.add(r);
      }
    }
    const gone: NodeRecord[] = [];
    for (const record of this.all()) {
      if (listed.has(record)) {
        record.lastListedAt = now;
        continue;
      }
      // Seeds stay, and so do remembered nodes: forgetting those is the user's act (or memory's expiry).
      if (record.seed || record.rememberedSeenAt !== null) continue;
      const neverReached = record.polls === 0;
      const vanished = neverReached
        ? now - record.lastListedAt > NEVER_REACHED_GRACE_POLLS * intervalMs
        : record.unreachableSince !== null && now - record.unreachableSince > forgetAfterMs;
      if (vanished) gone.push(record);
    }
    for (const record of gone) {
      this.remove(record);
      if (record.polls === 0 && record.listedBy !== null) this.noteDrop(record.listedBy, now);
    }
    this.updateChurn(now, CHURN_WINDOW_POLLS * intervalMs);
    this.unreached = new Map();
    for (const record of this.all()) {
      if (record.polls === 0 && !record.seed && record.listedBy !== null) this.unreachedOf(record.listedBy).push(record);
    }
    const evicted = this.evicted;
    this.evicted = [];
    return [...gone, ...evicted];
  }

  /**
   * matchAnnounced for every master, once per tick: a list read before all its replicas were
   * known (several unknown addresses at once) is matched once they are. O(nodes + lines).
   */
  private matchAllAnnounced(): void {
    const linked = new Map<NodeRecord, NodeRecord[]>();
    for (const record of this.all()) {
      if (!record.reachable || record.replication?.linkStatus !== 'up') continue;
      const master = this.masterOf(record);
      if (!master?.reachable) continue;
      const list = linked.get(master);
      if (list) list.push(record);
      else linked.set(master, [record]);
    }
    for (const [master, replicas] of linked) this.matchAnnounced(master, master.replication?.replicas ?? [], replicas);
  }

  /** Masters whose replica lists churned, as of the last forgetVanished. */
  get churning(): readonly ChurningMaster[] {
    return this.churn;
  }

  /** Addresses that reachable nodes list but that are not nodes because the set is full. Linear in what nodes list. */
  notFollowed(sampleSize = 5): NotFollowed {
    const result: NotFollowed = { count: 0, sample: [], listedBy: [] };
    if (!this.full) return result;
    const missing = new Set<string>();
    for (const record of this.all()) {
      if (!record.reachable) continue;
      let lists = false;
      for (const address of neighboursOf(record)) {
        if (this.resolve(address) || missing.has(address)) continue;
        missing.add(address);
        lists = true;
        if (result.sample.length < sampleSize) result.sample.push(address);
      }
      if (lists) result.listedBy.push(record.address);
    }
    result.count = missing.size;
    return result;
  }

  private noteDrop(master: string, now: number): void {
    const times = this.drops.get(master) ?? [];
    times.push(now);
    if (times.length > CHURN_MAX_KEPT) times.splice(0, times.length - CHURN_MAX_KEPT);
    this.drops.set(master, times);
  }

  private updateChurn(now: number, windowMs: number): void {
    const churn: ChurningMaster[] = [];
    for (const [master, times] of this.drops) {
      const firstRecent = times.findIndex((t) => now - t <= windowMs);
      if (firstRecent < 0) {
        this.drops.delete(master);
        continue;
      }
      if (firstRecent > 0) times.splice(0, firstRecent);
      if (times.length >= CHURN_MIN_DROPS) churn.push({ master, dropped: times.length, windowMs });
    }
    this.churn = churn;
  }
}

function safeNormalize(address: string): string {
  try {
    return normalizeAddress(address);
  } catch {
    return address;
  }
}
