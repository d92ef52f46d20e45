// A master without persistence that restarts comes back empty, and its replicas, reconnecting
// on their own, replace their data with its empty dataset: the data is gone from every node. The
// events alone said "restarted" and "full resync", and the view turned green again a second
// later. This watch keeps the incident as a warning (MASTER_RESTARTED_EMPTY) for a day, naming
// the nodes that lost their data and those that still hold it.
import type { NodeState, TopologySnapshot, TopologyWarning } from '../shared/types';
import { nodesByAddress } from '../shared/node-index';
import { formatBytes, formatUtc } from '../shared/format';
import { persistenceOff } from './replication-settings';
import type { RememberedNode, StoredLoss } from './topology-memory';

/** How long the warning stays after the restart: the next shift must still see it. */
export const DATA_LOSS_KEEP_MS = 24 * 60 * 60_000;

/** A master as last read: what its restart would mean. */
interface MasterReading {
  runId: string;
  /** Persistence off when last read (null: not known). */
  noPersistence: boolean | null;
  /** Nodes replicating from it (directly or below), as last read. */
  below: string[];
  /** Its replication histories (replid, replid2) and offset as last read: how far past a reloaded dump it had gone (offsets run on across histories). */
  replids: (string | null)[];
  offset: number | null;
  /** The run of each node below it, as read with it (or as memory last saw them: `remembered`). */
  runs: Record<string, string>;
  remembered: boolean;
}

/** A master's restart that lost data: what topology memory keeps of it (StoredLoss, documented there), and what only this session knows. */
interface Incident extends Omit<StoredLoss, 'wiped'> {
  master: string;
  /** Nodes below it before the restart that have not answered since: once back, they resync from it. */
  unread: Set<string>;
  /** Nodes seen following it with its new history, after a full resync: their data was replaced. Kept once seen, in the order seen. */
  wiped: Set<string>;
}

export class DataLossWatch {
  readonly #masters = new Map<string, MasterReading>();
  readonly #incidents = new Map<string, Incident>();

  /**
   * What topology memory kept of the masters without persistence and the nodes below them: a
   * console started after such a master restarted (a one-shot `topology` in the morning) still
   * finds it with a new run_id, and says what was lost. A master read in this session is not replaced.
   */
  recall(entries: readonly RememberedNode[]): void {
    const children = childrenOf(entries.filter((entry) => entry.role === 'replica'));
    const runOf = new Map(entries.map((entry) => [entry.address, entry.runId]));
    for (const entry of entries) {
      // A loss another console saw (this one may be the second to look): kept its day.
      const loss = entry.dataLoss;
      if (loss && !this.#incidents.has(entry.address)) {
        this.#incidents.set(entry.address, { master: entry.address, ...loss, unread: new Set(), wiped: new Set(loss.wiped) });
      }
      if (entry.role !== 'master' || entry.runId === null || entry.noPersistence !== true || this.#masters.has(entry.address)) continue;
      const below = belowOf(entry.address, children);
      if (below.length === 0) continue;
      const runs = runsOf(below, (address) => runOf.get(address) ?? null);
      this.#masters.set(entry.address, { runId: entry.runId, noPersistence: true, below, replids: [entry.replid], offset: null, runs, remembered: true });
    }
  }

  /** What each master's restart lost, to keep in topology memory (null: nothing, or no longer). */
  stored(address: string): StoredLoss | null {
    const incident = this.#incidents.get(address);
    if (!incident) return null;
    const { at, runId, loadedKeys, lostBytes, histories, below, runsBefore, runsJustBefore, againAt } = incident;
    return { at, runId, loadedKeys, lostBytes, histories, below, wiped: [...incident.wiped], runsBefore, runsJustBefore, ...(againAt === undefined ? {} : { againAt }) };
  }

  /** Read this tick's snapshot; the warnings to show (one per master restarted empty in the last day). */
  observe(snapshot: TopologySnapshot, now: number): TopologyWarning[] {
    const byAddress = nodesByAddress(snapshot.nodes);
    // Who is below whom, worked out only when a master that may lack persistence needs it (not every tick of a fleet).
    let children: Map<string, string[]> | null = null;
    const tree = (): Map<string, string[]> => (children ??= childrenOf(snapshot.nodes));
    for (const node of snapshot.nodes) {
      if (!node.reachable || node.runId === null) continue;
      // A master made a replica (or a Sentinel) is no longer one whose restart empties its replicas: a
      // demoted master restarted as a replica and promoted later (a rolling upgrade) holds its data.
      if (node.role !== 'master') {
        this.#masters.delete(node.address);
        continue;
      }
      const last = this.#masters.get(node.address);
      // Back, but still loading its dataset: how many keys it loads is not known yet. The reading from before the restart is kept until then.
      if (last && last.runId !== node.runId && loading(node)) continue;
      const noPersistence = persistenceOff(node.settings);
      if (last && last.runId !== node.runId && restartedWithout(node, last, noPersistence)) {
        // When it restarted, not when the console saw it back: the console may have been away.
        const at = node.uptimeSeconds === null ? now : Math.min(now, now - node.uptimeSeconds * 1000);
        const loadedKeys = node.settings?.loadedKeys ?? null;
        // Restarted again within the day after a loss: the first restart's time and the nodes it wiped
        // stay, for the nodes still following it. A node it wiped that follows another master now (a
        // failover since) took that one's data: the earlier loss is history, not this restart's.
        const following = belowOf(node.address, tree());
        const stillWiped = [...(this.#incidents.get(node.address)?.wiped ?? [])].filter((address) => following.includes(address));
        const earlier = stillWiped.length > 0 ? this.#incidents.get(node.address) : undefined;
        this.#incidents.set(node.address, {
          master: node.address,
          at: earlier?.at ?? at,
          ...(earlier ? { againAt: at } : {}),
          runId: node.runId,
          loadedKeys,
          lostBytes: earlier?.lostBytes ?? bytesPastDump(node, last),
          histories: last.replids.filter((id): id is string => id !== null),
          below: [...new Set([...stillWiped, ...last.below])],
          runsBefore: last.runs,
          runsJustBefore: !last.remembered,
          unread: new Set(last.below),
          wiped: new Set(stillWiped),
        });
      }
      // A master known to persist cannot come back empty: nothing to keep for it.
      const below = noPersistence === false ? [] : belowOf(node.address, tree());
      const runs = runsOf(below, (address) => (byAddress.get(address)?.reachable ? (byAddress.get(address)?.runId ?? null) : null));
      this.#masters.set(node.address, { runId: node.runId, noPersistence, below, replids: [node.replid, node.replid2], offset: node.offset, runs, remembered: false });
    }
    for (const address of this.#masters.keys()) if (!byAddress.has(address)) this.#masters.delete(address);
    const warnings: TopologyWarning[] = [];
    for (const [address, incident] of this.#incidents) {
      // Recalled from memory, which holds every topology this machine watched: an incident none of
      // whose nodes is in this one belongs to another (kept, for when that one is watched).
      if (!concerns(incident, byAddress)) continue;
      for (const address of incident.unread) {
        const node = byAddress.get(address);
        if (!node || node.reachable) incident.unread.delete(address);
      }
      if (now - incident.at > DATA_LOSS_KEEP_MS || !stillBorneOut(incident, byAddress)) {
        this.#incidents.delete(address);
        continue;
      }
      const warning = this.#warning(incident, byAddress, tree());
      const master = byAddress.get(address);
      if (warning) warnings.push(warning);
      // Nothing lost yet, and nothing can be once it is no longer the master that came back (its replicas resync from it until then), or nothing is left below it.
      else if (master?.runId !== incident.runId || master.role !== 'master' || incident.below.length === 0) this.#incidents.delete(address);
    }
    return warnings;
  }

  /** Null when no node lost data through it and none can any more (its replicas were moved away before it came back, or restored). */
  #warning(incident: Incident, byAddress: ReadonlyMap<string, NodeState>, children: ReadonlyMap<string, string[]>): TopologyWarning | null {
    const master = byAddress.get(incident.master);
    // Still the master that came back (the same run, and a master): the nodes following it are the ones at stake.
    const current = master?.reachable === true && master.role === 'master' && master.runId === incident.runId;
    const following = current ? belowOf(incident.master, children) : [];
    for (const address of following) {
      const node = byAddress.get(address);
      // Its history, after a full sync (which clears replid2): a partial resync (+CONTINUE) keeps the old one as replid2 and loses nothing.
      if (!node || !incident.below.includes(address) || node.replid !== master?.replid || node.replid2 !== null) continue;
      if (heldData(node, incident, master)) incident.wiped.add(address);
      // Came back empty itself and took the new dataset: nothing of it is left for this restart to take.
      else if (!incident.wiped.has(address)) incident.below = incident.below.filter((other) => other !== address);
    }
    const wiped = [...incident.wiped];
    // An old dump.rdb reloaded: a loss only once a replica resynced in full from it (one in step with the dump continues).
    const oldDump = (incident.loadedKeys ?? 0) > 0;
    if (oldDump && wiped.length === 0) return null;
    // Only a node that held the data and still follows the master is about to lose it.
    const holding = following.filter((address) => {
      const node = byAddress.get(address);
      if (incident.wiped.has(address) || !incident.below.includes(address) || node?.reachable !== true || node.role !== 'replica') return false;
      // Restarted empty itself meanwhile (a history of its own): nothing to restore from it.
      return incident.histories.length === 0 || (node.replid !== null && incident.histories.includes(node.replid));
    });
    // Down or loading since the restart (the whole fleet restarted): once back, they resync from it; not once it is no longer that master.
    const unread = current ? [...incident.unread].filter((address) => !incident.wiped.has(address)) : [];
    if (wiped.length === 0 && holding.length === 0 && unread.length === 0) return null;
    // Its own times: the restart that lost the data, and the latest, when it restarted again since with nodes it wiped still following it.
    const when = `${formatUtc(incident.at)} UTC${incident.againAt === undefined ? '' : ` (and again at ${formatUtc(incident.againAt)} UTC)`}`;
    const past = incident.lostBytes === null ? '' : `; it had taken ${formatBytes(incident.lostBytes)} of replication stream past it, at least`;
    const came = oldDump
      ? `reloaded an old dump.rdb (${incident.loadedKeys} keys: the snapshot of its last full sync to a replica, or of a manual SAVE${past}), not its data as it was`
      : 'came back empty';
    const dataset = oldDump ? 'that old dataset' : 'its empty dataset';
    const message =
      `Data loss: ${incident.master} restarted at ${when} without persistence (no RDB saves, no AOF) and ${came}. ` +
      (wiped.length > 0
        ? `${wiped.join(', ')} then replaced ${wiped.length === 1 ? 'its' : 'their'} data with ${dataset} (full resync): what was written ${oldDump ? 'after that snapshot' : 'before the restart'} is gone from ${wiped.length === 1 ? 'that node' : 'these nodes'}. `
        : `Its replicas reconnect on their own and replace their data with ${dataset}. `) +
      (holding.length > 0
        ? `Still holding the old data: ${holding.join(', ')}: detach ${holding.length === 1 ? 'it' : 'them'} now (REPLICAOF NO ONE) before ${holding.length === 1 ? 'it resyncs' : 'they resync'}, and restore from ${holding.length === 1 ? 'it' : 'one of them'}. `
        : '') +
      (unread.length > 0
        ? `Not read since the restart: ${unread.join(', ')} (down or loading): ${unread.length === 1 ? 'it copies' : 'they copy'} ${dataset} once back, unless started detached (replicaof no one). `
        : '') +
      (holding.length === 0 && unread.length === 0 ? `Restore from a backup. ` : '') +
      `Turn on RDB saves or appendonly on the master`;
    return { code: 'MASTER_RESTARTED_EMPTY', message, nodes: [incident.master, ...wiped, ...holding, ...unread] };
  }
}

/**
 * Whether a node that took the restarted master's dataset in a full resync had data for it to
 * replace: it ran on through the master's restart (the resync replaced what it held), or it
 * persists (it reloaded its own data at start). One restarted with the master (the whole group
 * restarted) without persistence came back empty on its own: nothing was replaced. Its run says
 * which: the one it had before the restart, it ran on; another, read with the master just before
 * the restart, it restarted after. Another than memory last saw (maybe long before), its uptime
 * against the master's tells (whole seconds: one up no longer started with it, or after).
 */
function heldData(node: NodeState, incident: Incident, master: NodeState | undefined): boolean {
  if (persistenceOff(node.settings) !== true) return true;
  const before = incident.runsBefore?.[node.address];
  if (before !== undefined && node.runId === before) return true;
  if (before !== undefined && incident.runsJustBefore === true) return false;
  if (node.uptimeSeconds === null || master?.uptimeSeconds === null || master?.uptimeSeconds === undefined) return true;
  return node.uptimeSeconds > master.uptimeSeconds;
}

/** The runs known of `addresses`, by address. */
function runsOf(addresses: readonly string[], runOf: (address: string) => string | null): Record<string, string> {
  const runs: Record<string, string> = {};
  for (const address of addresses) {
    const run = runOf(address);
    if (run !== null) runs[address] = run;
  }
  return runs;
}

/**
 * An incident is said only while the nodes' state bears it out, and this applies it: its master
 * read running another process (restarted again, and that restart not itself a loss carrying
 * this one) makes it history (false); a node of it read following a master outside it took that
 * master's data (a failover since, a restore), and leaves it.
 */
function stillBorneOut(incident: Incident, byAddress: ReadonlyMap<string, NodeState>): boolean {
  const master = byAddress.get(incident.master);
  if (master?.reachable === true && master.runId !== null && master.runId !== incident.runId && !loading(master)) return false;
  const ours = new Set([incident.master, ...incident.below, ...incident.wiped]);
  // Until none is left to go: a node below one that left follows that master too.
  for (let left = true; left; ) {
    left = false;
    for (const address of ours) {
      const node = byAddress.get(address);
      if (node?.reachable !== true || node.role !== 'replica' || node.master === null || ours.has(node.master)) continue;
      ours.delete(address);
      left = true;
    }
  }
  incident.below = incident.below.filter((address) => ours.has(address));
  for (const address of [...incident.wiped, ...incident.unread]) {
    if (ours.has(address)) continue;
    incident.wiped.delete(address);
    incident.unread.delete(address);
  }
  return true;
}

/**
 * Whether an incident belongs to this snapshot's topology: its master is in it, or a node of the
 * incident that still hangs from it (a master now, or a replica of another of its nodes). A node
 * it wiped that was re-pointed to a master of another topology took that master's data: the loss
 * is not that topology's (it paged a data loss there, ten minutes late, of a master not in it).
 */
function concerns(incident: Incident, byAddress: ReadonlyMap<string, NodeState>): boolean {
  if (byAddress.has(incident.master)) return true;
  const ours = new Set([incident.master, ...incident.below, ...incident.wiped]);
  for (const address of ours) {
    const node = byAddress.get(address);
    if (node && (node.role !== 'replica' || node.master === null || ours.has(node.master))) return true;
  }
  return false;
}

/**
 * A master read with a new run: did it come back without its data as it was? Only one that did
 * not persist (as last read, or as read now when not read before), and that did not load an AOF
 * at start (aof_enabled now: the file its config names). Whether it came back empty or reloaded
 * an old dump.rdb (a replica's full sync writes one even with saves off) is told by the keys it
 * loaded, and whether that lost anything by its replicas' resyncs.
 */
function restartedWithout(node: NodeState, last: MasterReading, noPersistence: boolean | null): boolean {
  if (last.below.length === 0 || (last.noPersistence ?? noPersistence) !== true) return false;
  if (node.settings?.aofEnabled === true) return false;
  // Before 7.0 the keys loaded are not said: a history older than this run (a promoted replica) is then taken as holding its data.
  return node.settings?.loadedKeys != null || node.replid2 === null;
}

/** Still loading its dataset at start: what it loaded is not known yet. */
function loading(node: NodeState): boolean {
  return node.settings?.loading === true || (node.load?.persistence?.loading ?? null) !== null;
}

/** A master back in the history it had (Redis 7.0 restores it from the dump, as replid2): the stream it had read past the dump's offset. */
function bytesPastDump(node: NodeState, last: MasterReading): number | null {
  if (last.offset === null || node.replid2 === null || !last.replids.includes(node.replid2) || node.secondReplOffset === null) return null;
  return Math.max(0, last.offset - (node.secondReplOffset - 1));
}

/** Each master's replicas, by the master's address (nodes of a snapshot, or remembered ones). */
function childrenOf(nodes: readonly { address: string; master: string | null; role: string }[]): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const node of nodes) {
    if (!node.master || node.role === 'sentinel') continue;
    const list = children.get(node.master);
    if (list) list.push(node.address);
    else children.set(node.master, [node.address]);
  }
  return children;
}

/** Every node below `address`, from this tick's master → replicas map. */
function belowOf(address: string, children: ReadonlyMap<string, string[]>): string[] {
  const out: string[] = [];
  const seen = new Set<string>([address]);
  const queue = [...(children.get(address) ?? [])];
  for (let i = 0; i < queue.length; i++) {
    const next = queue[i] as string;
    if (seen.has(next)) continue;
    seen.add(next);
    out.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return out;
}
