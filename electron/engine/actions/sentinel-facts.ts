// Is the group Sentinel-managed, and what do its Sentinels say? Known from every source the
// console has: Sentinel connections on the data nodes (CLIENT LIST names, hello subscribers),
// Sentinels in the topology (role 'sentinel', with the masters they monitor), the Sentinel
// entry point of the connection, and one message of the hello channel, on which every Sentinel
// announces itself every 2 s. The Sentinels found are then asked fresh: SENTINEL MASTER (flags,
// quorum, how many Sentinels), CKQUORUM, GET-MASTER-ADDR-BY-NAME and REPLICAS.
import type { TopologySnapshot } from '../../shared/types';
import { formatAddress } from '../address';
import { toApiError } from '../errors';
import type { NodeCommands } from '../node-commands';
import type { NodeFacts, SentinelFacts, SentinelReply } from './facts';
import { findNode, tryNormalize } from './graph';

/** Enough to ask every Sentinel of a real deployment (3 or 5), bounded against a hostile reply. */
const MAX_SENTINELS = 9;

export interface SentinelFactsOptions {
  /** How long to listen for a hello message when nothing else names the group. */
  helloMs: number;
  /** Sentinel facts from an earlier read of the same group: spares the hello wait. */
  known: SentinelFacts | null;
  /** The master name the request gives (sentinel-failover --master-name). */
  masterName?: string;
}

/** Sentinel facts for the group of the nodes read, or null when nothing says Sentinel watches it. */
export async function sentinelFacts(
  commands: NodeCommands,
  snapshot: TopologySnapshot,
  read: NodeFacts[],
  options: SentinelFactsOptions,
): Promise<SentinelFacts | null> {
  const data = read.filter((f) => f.reachable && f.mode !== 'sentinel');
  const canon = (address: string): string => findNode(snapshot, address)?.address ?? tryNormalize(address);
  const group = groupAddresses(snapshot, read);
  const inGroup = (address: string | null): boolean => address !== null && (group.has(canon(address)) || group.has(tryNormalize(address)));
  const managed = data.filter((f) => f.sentinelClients > 0 || f.sentinelSubscribers > 0).map((f) => f.address);

  const candidates = new Map<string, Set<string>>();
  const evidence: string[] = [];
  const add = (name: string, sentinel: string): void => {
    const set = candidates.get(name) ?? new Set<string>();
    set.add(tryNormalize(sentinel));
    candidates.set(name, set);
  };
  if (managed.length > 0) evidence.push(`Sentinel connections on ${managed.join(', ')}`);
  // Sentinels in the topology (the engine's discovery, or a Sentinel given as a seed). NodeState.sentinel
  // is the richer view; read defensively, either may be absent.
  const inTopology = new Set<string>();
  for (const node of snapshot.nodes) {
    if (node.role !== 'sentinel') continue;
    const watched = [...(node.sentinel?.masters ?? []), ...(node.sentinelMasters ?? [])];
    for (const m of watched) {
      if (!inGroup(m.address)) continue;
      add(m.name, node.address);
      inTopology.add(node.address);
    }
  }
  for (const f of read) {
    if (f.mode !== 'sentinel') continue;
    for (const m of f.sentinelMasters) if (inGroup(m.address)) add(m.name, f.address);
  }
  if (inTopology.size > 0) evidence.push(`${inTopology.size === 1 ? 'a Sentinel' : `${inTopology.size} Sentinels`} in the topology (${[...inTopology].join(', ')})`);
  const entry = snapshot.connection?.sentinel ?? null;
  if (entry) for (const a of entry.addresses) add(entry.masterName, a);
  if (options.known?.masterName) for (const a of options.known.sentinels) add(options.known.masterName, a);
  if (candidates.size === 0 && managed.length > 0) {
    const listeners = data.filter((f) => managed.includes(f.address)).sort((a, b) => b.sentinelSubscribers - a.sentinelSubscribers).slice(0, 3);
    // Listen on a few nodes at once: a master whose writes are paused holds Sentinel's PUBLISH back.
    const hello = await firstOf(listeners.map((f) => listenForHello(commands, f.address, options.helloMs)));
    if (hello) add(hello.name, hello.sentinel);
  }

  const name = options.masterName ?? [...candidates.entries()].sort((a, b) => b[1].size - a[1].size)[0]?.[0] ?? null;
  if (name === null) {
    return managed.length > 0 ? { masterName: null, sentinels: [], managedNodes: managed, evidence, replies: [] } : null;
  }
  const replies = await askSentinels(commands, name, [...(candidates.get(name) ?? [])]);
  // A Sentinel that monitors this name elsewhere (the entry point of another group) is not about this one.
  // In address order: the Sentinel a plan sends to must not change between the plan and its re-check.
  const about = replies
    .filter((r) => r.error !== null || group.size === 0 || inGroup(r.masterAddress))
    .sort((a, b) => a.sentinel.localeCompare(b.sentinel, 'en', { numeric: true }));
  const answered = about.filter((r) => r.error === null);
  if (entry && entry.masterName === name && answered.length > 0) evidence.push(`the Sentinel entry point (${entry.addresses.join(', ')})`);
  if (managed.length === 0 && inTopology.size === 0 && answered.length === 0) return null;
  return {
    masterName: name,
    sentinels: about.map((r) => r.sentinel),
    managedNodes: managed,
    evidence,
    replies: about,
  };
}

/**
 * Every address the group's data nodes may be named by: the nodes read, reachable or not, and the
 * master each reachable replica follows, as it dials it. A master that is down is still the one its
 * Sentinels monitor and name (GET-MASTER-ADDR-BY-NAME) until they fail it over: leaving it out left
 * out every Sentinel of a group whose master had died, exactly when SENTINEL FAILOVER is wanted.
 */
function groupAddresses(snapshot: TopologySnapshot, read: NodeFacts[]): Set<string> {
  const members = read.filter((f) => f.mode !== 'sentinel' && findNode(snapshot, f.address)?.role !== 'sentinel');
  const named = members.flatMap((f) => (f.reachable && f.masterAddress !== null ? [f.address, f.masterAddress] : [f.address]));
  return new Set(
    named.flatMap((address) => {
      const node = findNode(snapshot, address);
      return [tryNormalize(address), ...(node ? [node.address, ...node.aliases] : [])];
    }),
  );
}

/** Ask the known Sentinels, and the others the first one that answers knows of. */
async function askSentinels(commands: NodeCommands, name: string, known: string[]): Promise<SentinelReply[]> {
  const asked = new Set<string>();
  const replies: SentinelReply[] = [];
  let pending = known.slice(0, MAX_SENTINELS);
  while (pending.length > 0 && asked.size < MAX_SENTINELS) {
    for (const a of pending) asked.add(a);
    replies.push(...(await Promise.all(pending.map((a) => askSentinel(commands, a, name)))));
    const others = new Set<string>();
    for (const r of replies) {
      if (r.error !== null) continue;
      const listed = await commands.sentinelSentinels(r.sentinel, name).catch(() => []);
      for (const s of listed) if (s.ip && s.port) others.add(tryNormalize(formatAddress(s.ip, Number(s.port))));
      break;
    }
    pending = [...others].filter((a) => !asked.has(a)).slice(0, MAX_SENTINELS - asked.size);
  }
  return replies;
}

async function askSentinel(commands: NodeCommands, sentinel: string, name: string): Promise<SentinelReply> {
  try {
    const [master, ckquorum, masterAddress, replicas] = await Promise.all([
      commands.sentinelMaster(sentinel, name),
      // Not allowed to ask (NOPERM, NOAUTH) says nothing of the quorum: unknown, not "no quorum".
      commands.sentinelCkquorum(sentinel, name).catch((error: unknown) => {
        const failure = toApiError(error);
        return failure.code === 'NOPERM' || failure.code === 'AUTH_FAILED' ? null : { ok: false, message: failure.message };
      }),
      commands.sentinelMasterAddress(sentinel, name),
      commands.sentinelReplicas(sentinel, name),
    ]);
    return {
      sentinel,
      error: null,
      masterAddress: masterAddress === null ? null : tryNormalize(masterAddress),
      flags: (master.flags ?? '').split(',').filter(Boolean),
      quorum: count(master.quorum),
      sentinelCount: count(master['num-other-sentinels']) === null ? null : (count(master['num-other-sentinels']) ?? 0) + 1,
      failoverTimeoutMs: count(master['failover-timeout']),
      downAfterMs: count(master['down-after-milliseconds']),
      ckquorum,
      replicas: replicas
        .filter((r) => r.ip && r.port)
        .map((r) => ({
          address: tryNormalize(formatAddress(r.ip ?? '', Number(r.port))),
          flags: (r.flags ?? '').split(',').filter(Boolean),
          priority: count(r['slave-priority'] ?? r['replica-priority']),
          offset: count(r['slave-repl-offset'] ?? r['replica-repl-offset']),
        })),
    };
  } catch (error) {
    return { sentinel, error: toApiError(error).message, masterAddress: null, flags: [], quorum: null, sentinelCount: null, failoverTimeoutMs: null, downAfterMs: null, ckquorum: null, replicas: [] };
  }
}

function count(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text)) return null;
  return Number(text);
}

/** The first promise to resolve with a value (not null), or null when none does. */
function firstOf<T>(promises: Promise<T | null>[]): Promise<T | null> {
  if (promises.length === 0) return Promise.resolve(null);
  return new Promise((resolve) => {
    let pending = promises.length;
    for (const promise of promises) {
      void promise.then((value) => {
        pending--;
        if (value !== null) resolve(value);
        else if (pending === 0) resolve(null);
      });
    }
  });
}

/** One hello message from the node's Sentinel channel, or null after `ms`. */
async function listenForHello(commands: NodeCommands, address: string, ms: number): Promise<{ name: string; sentinel: string } | null> {
  const hello = await commands.sentinelHello(address, ms).catch(() => null);
  const [ip, port, , , name] = hello?.split(',') ?? [];
  if (!ip || !port || !name) return null;
  return { name, sentinel: formatAddress(ip, Number(port)) };
}

/** The figures every Sentinel message quotes: the best-informed answer. */
export function sentinelFigures(s: SentinelFacts): { count: number; quorum: number | null; answered: SentinelReply[] } {
  const answered = (s.replies ?? []).filter((r) => r.error === null);
  const counts = answered.map((r) => r.sentinelCount ?? 0);
  return {
    count: Math.max(s.sentinels.length, ...counts, 0),
    quorum: answered.find((r) => r.quorum !== null)?.quorum ?? null,
    answered,
  };
}
