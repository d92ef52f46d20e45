// Pure questions about a snapshot's replication tree: who is whom, who hangs under whom, and
// which address other servers should be given for a node. No network.
import type { NodeState, TopologySnapshot } from '../../shared/types';
import { formatAddress, normalizeAddress } from '../address';
import { compareServers, parseServerVersion } from '../replication-rules';
import type { StepOp } from './operations';

/** Normalise without throwing: an unparseable address simply matches nothing. */
export function tryNormalize(address: string): string {
  try {
    return normalizeAddress(address);
  } catch {
    return address;
  }
}

/** Equal as addresses ("localhost:1" and "127.0.0.1:1" are not: only the spelling is normalised). */
export function sameAddress(a: string, b: string): boolean {
  return tryNormalize(a) === tryNormalize(b);
}

/**
 * A snapshot's lookups, built once per snapshot (snapshots are immutable): planning a move in
 * a topology of a thousand nodes, or beside a master listing thousands of replica lines, must
 * not scan every node for every address it resolves.
 */
interface SnapshotIndex {
  byAddress: Map<string, NodeState>;
  /** Direct replicas of each node, in snapshot order. */
  children: Map<NodeState, NodeState[]>;
  /** The address a reachable master first lists each node at. */
  listedAs: Map<NodeState, string>;
  /** Per master: the address its replicas dial it by (their master_host:master_port), as the first of them reports it. */
  reachedAs: Map<NodeState, string>;
}

/** What the lookups read of a snapshot: its nodes (the warnings ask with a snapshot's states before the snapshot exists). */
type Nodes = { readonly nodes: readonly NodeState[] };

const indexes = new WeakMap<Nodes, SnapshotIndex>();

function indexOf(snapshot: Nodes): SnapshotIndex {
  let index = indexes.get(snapshot);
  if (index) return index;
  const byAddress = new Map<string, NodeState>();
  for (const node of snapshot.nodes) if (!byAddress.has(node.address)) byAddress.set(node.address, node);
  for (const node of snapshot.nodes) for (const alias of node.aliases) if (!byAddress.has(alias)) byAddress.set(alias, node);
  const resolve = (address: string): NodeState | undefined => byAddress.get(address) ?? byAddress.get(tryNormalize(address));
  const children = new Map<NodeState, NodeState[]>();
  for (const node of snapshot.nodes) {
    const master = node.master === null ? undefined : resolve(node.master);
    if (!master || master === node) continue;
    const list = children.get(master);
    if (list) list.push(node);
    else children.set(master, [node]);
  }
  const listedAs = new Map<NodeState, string>();
  for (const candidate of snapshot.nodes) {
    if (!candidate.reachable) continue;
    for (const listed of candidate.replicas) {
      const node = resolve(listed.address);
      if (node && !listedAs.has(node)) listedAs.set(node, listed.address);
    }
  }
  const reachedAs = new Map<NodeState, string>();
  for (const [master, replicas] of children) {
    const dialled = replicas.find((replica) => replica.masterAsReported !== null)?.masterAsReported;
    if (dialled) reachedAs.set(master, dialled);
  }
  index = { byAddress, children, listedAs, reachedAs };
  indexes.set(snapshot, index);
  return index;
}

/** The node reached by `address` (canonical address or alias). */
export function findNode(snapshot: Nodes, address: string): NodeState | undefined {
  const { byAddress } = indexOf(snapshot);
  return byAddress.get(address) ?? byAddress.get(tryNormalize(address));
}

/** True when both addresses lead to the same node of the snapshot (or are the same text: all there is to go by without one). */
export function sameNode(snapshot: Nodes | null, a: string, b: string): boolean {
  const na = tryNormalize(a);
  const nb = tryNormalize(b);
  if (na === nb) return true;
  if (!snapshot) return false;
  const node = findNode(snapshot, na);
  return node !== undefined && node === findNode(snapshot, nb);
}

/**
 * The master a replica follows, from its master_host:master_port (`reported`), named as the
 * console knows it: the master a REPLICAOF or FAILOVER step of `ops` sent that replica to by
 * that address (servers may reach a master at one the console does not know: --master-address,
 * a TLS port), else the node the snapshot knows by it (an alias such as localhost for 127.0.0.1,
 * a port forward merged by run_id, an --map source), else `reported` itself. A step's word is
 * what the address reached when it was sent: where the console reads another node there now that
 * lists the replica, and the step's master does not, the replica follows that node (a port
 * forward or VIP moved since, a plan read back long after it was cut off).
 */
export function masterAsKnown(snapshot: Nodes | null, replica: string, reported: string, ops: readonly StepOp[] = []): string {
  const told = ops.find((o) => (o.kind === 'replicaof' || o.kind === 'failover') && sameNode(snapshot, o.node, replica) && sameAddress(formatAddress(o.host, o.port), reported));
  const master = told?.kind === 'replicaof' ? told.master : told?.kind === 'failover' ? told.target : reported;
  if (!snapshot) return master;
  const named = findNode(snapshot, master);
  if (told) {
    const there = findNode(snapshot, reported);
    if (there?.reachable && there !== named && lists(snapshot, there, replica) && !(named && lists(snapshot, named, replica))) return there.address;
  }
  return named?.address ?? master;
}

/** Whether `master` lists `replica` among its replicas (by any address the snapshot knows it by). */
function lists(snapshot: Nodes, master: NodeState, replica: string): boolean {
  const node = findNode(snapshot, replica);
  return master.replicas.some((line) => (node !== undefined && findNode(snapshot, line.address) === node) || sameAddress(line.address, replica));
}

/** Direct replicas of `address`: nodes whose master resolves to it. */
export function replicasOf(snapshot: TopologySnapshot, address: string): NodeState[] {
  const master = findNode(snapshot, address);
  if (!master) return [];
  return [...(indexOf(snapshot).children.get(master) ?? [])];
}

/** Every node replicating from `address`, directly or through others (never includes itself). */
export function descendantsOf(snapshot: TopologySnapshot, address: string): NodeState[] {
  const root = findNode(snapshot, address);
  if (!root) return [];
  const out: NodeState[] = [];
  const queue = [root];
  const seen = new Set<NodeState>([root]);
  for (let current = queue.shift(); current; current = queue.shift()) {
    for (const child of indexOf(snapshot).children.get(current) ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** The master `address` replicates from (if known), and so on up to the top; stops on a cycle. */
export function ancestorsOf(snapshot: TopologySnapshot, address: string): NodeState[] {
  const out: NodeState[] = [];
  let current = findNode(snapshot, address);
  while (current?.master) {
    const up = findNode(snapshot, current.master);
    if (!up || out.includes(up) || up === findNode(snapshot, address)) break;
    out.push(up);
    current = up;
  }
  return out;
}

/** The other nodes of the replication cycle `address` is in, its master first; empty when it is in none. */
export function cycleThrough(snapshot: TopologySnapshot, address: string): NodeState[] {
  const up = ancestorsOf(snapshot, address);
  const last = up.at(-1);
  const self = findNode(snapshot, address);
  return last?.master && self && findNode(snapshot, last.master) === self ? up : [];
}

/** The top of the chain `address` belongs to (itself when it is a master). */
export function rootOf(snapshot: TopologySnapshot, address: string): NodeState | undefined {
  return ancestorsOf(snapshot, address).at(-1) ?? findNode(snapshot, address);
}

/**
 * The address other servers should use to reach a node: how a master lists it (its
 * replica-announce-ip/port, else the socket peer), else how its own replicas reach it, else
 * the console's canonical address (behind NAT, the console's way in may not be theirs).
 * FAILOVER TO must be given exactly the listed form.
 */
export function serverAddressOf(snapshot: Nodes, address: string): string {
  const node = findNode(snapshot, address);
  if (!node) return tryNormalize(address);
  const index = indexOf(snapshot);
  return index.listedAs.get(node) ?? index.reachedAs.get(node) ?? node.address;
}

/** Nodes the snapshot's warnings place in cluster mode. */
export function clusterNodes(snapshot: TopologySnapshot): Set<string> {
  return new Set(snapshot.warnings.filter((w) => w.code === 'CLUSTER_MODE').flatMap((w) => w.nodes));
}

/** "redis 7.0.15" / "valkey 8.0.1" / "7.0.15" → [7, 0, 15] (Valkey's own version); null when there is none. */
export function versionParts(version: string | null): number[] | null {
  // A copy: parseServerVersion hands out one parsed value per version text to every caller.
  const parts = parseServerVersion(version)?.parts;
  return parts ? [...parts] : null;
}

/**
 * Negative when a is older than b for replication, 0 when equal or unknown, positive when
 * newer: Valkey against Valkey by valkey_version, across products by RDB format.
 */
export function compareVersions(a: string | null, b: string | null): number {
  return compareServers(a, b);
}

/** True for 6.2 and later (FAILOVER, CLIENT PAUSE WRITE, CLIENT UNPAUSE). */
export function atLeast62(version: string | null): boolean {
  const parts = versionParts(version);
  if (!parts) return false;
  const [major = 0, minor = 0] = parts;
  return major > 6 || (major === 6 && minor >= 2);
}
