// The fresh reads behind a plan: one pipelined round trip per node over the engine's own
// connection (INFO, CONFIG GET, ACL, CLIENT LIST, PUBSUB), plus a short listen on the
// Sentinel hello channel when Sentinel connections are seen. Never throws for a node:
// what could not be read is recorded as such and the planner decides what it means.
import type { ReplicationEngine } from '../engine';
import type { NodeCommands, PreflightReplies } from '../node-commands';
import { toApiError } from '../errors';
import { isClusterEnabled, parseInfo, parseReplication, parseSentinelMasters, parseServer } from '../info-parser';
import { formatAddress } from '../address';
import type { TopologySnapshot } from '../../shared/types';
import { unreachableFacts, type NodeFacts, type PreflightFacts, type SentinelFacts } from './facts';
import { findNode, replicasOf } from './graph';

const SENTINEL_CLIENT = /\bname=sentinel-[0-9a-f]+-(cmd|pubsub)\b/;

export interface PreflightOptions {
  /** How long to listen for a Sentinel hello message when Sentinel is seen (it publishes every 2 s). */
  helloMs?: number;
  /** Sentinel facts from an earlier read of the same group: spares the hello wait. */
  knownSentinel?: SentinelFacts | null;
}

/** Read every address fresh and put together what the planner needs. */
export async function gatherFacts(
  engine: ReplicationEngine,
  snapshot: TopologySnapshot,
  addresses: string[],
  options: PreflightOptions = {},
): Promise<PreflightFacts> {
  const credentials = engine.credentials();
  const commands = engine.commands();
  // A node the topology does not know (a replica whose master no longer lists it, a lone
  // master given by address) brings its master into the plan: ask it who that is first.
  const mastersOfStrangers = new Map<string, string>();
  await Promise.all(
    addresses
      .filter((address) => !findNode(snapshot, address))
      .map(async (address) => {
        try {
          const text = await commands.info(address, 'replication');
          const r = parseReplication(parseInfo(text).fields);
          if (r.role === 'replica' && r.masterHost && r.masterPort !== null) {
            const master = formatAddress(r.masterHost, r.masterPort);
            mastersOfStrangers.set(address, findNode(snapshot, master)?.address ?? master);
          }
        } catch {
          // Unreachable: the full read below records why.
        }
      }),
  );
  const groups = [...mastersOfStrangers.values()].flatMap((master) => [master, ...replicasOf(snapshot, master).map((r) => r.address)]);
  const all = [...new Set([...addresses, ...groups])];
  // Masters before their replicas, level by level: a master's offset read before its
  // replica's can never be ahead of a caught-up replica, so "bytes behind" is never invented.
  const depthOf = (address: string, hops = 0): number => {
    const known = findNode(snapshot, address)?.depth;
    if (known !== null && known !== undefined) return known;
    const master = mastersOfStrangers.get(address);
    return master !== undefined && hops < 8 ? depthOf(master, hops + 1) + 1 : 0;
  };
  const levels = new Map<number, string[]>();
  for (const address of all) {
    const depth = depthOf(address);
    levels.set(depth, [...(levels.get(depth) ?? []), address]);
  }
  const read: NodeFacts[] = [];
  for (const depth of [...levels.keys()].sort((a, b) => a - b)) {
    read.push(...(await Promise.all((levels.get(depth) ?? []).map((address) => readNode(commands, address, credentials.password, Boolean(credentials.password))))));
  }
  const nodes: Record<string, NodeFacts> = {};
  for (const facts of read) {
    nodes[facts.address] = facts;
    for (const alias of findNode(snapshot, facts.address)?.aliases ?? []) nodes[alias] ??= facts;
  }
  const lastKnownOffsets: PreflightFacts['lastKnownOffsets'] = {};
  for (const facts of read) {
    if (facts.reachable) continue;
    try {
      const last = engine.history({ node: facts.address }).findLast((p) => p.offset !== null);
      if (last?.offset != null) lastKnownOffsets[facts.address] = { offset: last.offset, at: last.t };
    } catch {
      // Not a node the engine tracks: nothing known.
    }
  }
  return {
    snapshot,
    nodes,
    sentinel: await sentinelFacts(commands, snapshot, read, options.helloMs ?? 2500, options.knownSentinel ?? null),
    console: { user: credentials.user ?? null, hasPassword: Boolean(credentials.password) },
    lastKnownOffsets,
    readAt: Date.now(),
  };
}

async function readNode(commands: NodeCommands, address: string, password: string | undefined, consoleHasPassword: boolean): Promise<NodeFacts> {
  try {
    return toFacts(address, await commands.preflight(address), password, consoleHasPassword);
  } catch (error) {
    const { code, message } = toApiError(error);
    return unreachableFacts(address, message, code);
  }
}

function toFacts(address: string, replies: PreflightReplies, password: string | undefined, consoleHasPassword: boolean): NodeFacts {
  const { info, config } = replies;
  const serverInfo = parseServer(parseInfo(info.server ?? '').fields);
  const repl = parseReplication(parseInfo(info.replication ?? '').fields);
  const isSentinel = serverInfo.mode === 'sentinel';
  const auth = requiresAuth(replies.aclDefault, config.requirepass, consoleHasPassword);
  const toWrite = config.minReplicasToWrite;
  const maxLag = config.minReplicasMaxLag;
  const offset = repl.role === 'replica' ? (repl.replicaReplOffset ?? repl.masterReplOffset) : repl.masterReplOffset;
  return {
    address,
    reachable: true,
    error: null,
    errorCode: null,
    runId: serverInfo.runId,
    mode: serverInfo.mode,
    clusterEnabled: isClusterEnabled(parseInfo(info.cluster ?? '').fields),
    version: serverInfo.version ? `${serverInfo.product} ${serverInfo.version}` : null,
    configFile: serverInfo.configFile,
    role: isSentinel ? 'unknown' : repl.role,
    masterAddress: repl.role === 'replica' && repl.masterHost && repl.masterPort !== null ? formatAddress(repl.masterHost, repl.masterPort) : null,
    linkStatus: repl.role === 'replica' ? repl.linkStatus : null,
    syncInProgress: repl.syncInProgress,
    offset,
    replid: repl.replid,
    replid2: repl.replid2,
    secondReplOffset: repl.secondReplOffset,
    backlog: repl.backlog,
    replicas: repl.replicas,
    priority: repl.priority,
    failoverState: repl.failoverState,
    keys: keyCount(info.keyspace),
    masterauth: config.masterauth === null ? 'unknown' : config.masterauth === '' ? 'unset' : config.masterauth === password ? 'same' : 'different',
    masteruser: nonEmpty(config.masteruser),
    requiresAuth: auth.value,
    authBasis: auth.basis,
    minReplicas: toWrite !== null && maxLag !== null ? { toWrite: Number(toWrite), maxLag: Number(maxLag) } : null,
    sentinelClients: (replies.clientList ?? '').split('\n').filter((line) => SENTINEL_CLIENT.test(line)).length,
    sentinelSubscribers: replies.helloSubscribers,
    sentinelMasters: isSentinel
      ? parseSentinelMasters(parseInfo(info.sentinel ?? '').fields).map(({ name, address: a }) => ({ name, address: a }))
      : [],
  };
}

/**
 * Does a replica need to authenticate to this node? The default user's ACL says it best
 * (6.0+); requirepass is the pre-6.0 answer; when both are denied, the console's own
 * connection is the only hint.
 */
function requiresAuth(acl: unknown[] | null, requirepass: string | null, consoleHasPassword: boolean): { value: boolean | null; basis: string } {
  if (acl) {
    const flagsAt = acl.indexOf('flags');
    const flags = flagsAt >= 0 && Array.isArray(acl[flagsAt + 1]) ? (acl[flagsAt + 1] as unknown[]) : [];
    const open = flags.includes('on') && flags.includes('nopass');
    return { value: !open, basis: 'ACL GETUSER default' };
  }
  if (requirepass !== null) return { value: requirepass !== '', basis: 'CONFIG GET requirepass' };
  if (!consoleHasPassword) return { value: false, basis: 'the console reaches it without a password' };
  return { value: null, basis: 'ACL GETUSER and CONFIG GET were denied' };
}

function keyCount(info: string | null): number | null {
  if (info === null) return null;
  let total = 0;
  for (const match of info.matchAll(/^db\d+:keys=(\d+)/gm)) total += Number(match[1]);
  return total;
}

function nonEmpty(value: string | null): string | null {
  return value === null || value === '' ? null : value;
}

/**
 * Sentinel connections on any node make the group Sentinel-managed. Its name comes from a
 * Sentinel in the topology when there is one, else from one hello message (published every
 * 2 s on every monitored node: "ip,port,runid,epoch,name,master-ip,master-port,epoch").
 */
async function sentinelFacts(
  commands: NodeCommands,
  snapshot: TopologySnapshot,
  read: NodeFacts[],
  helloMs: number,
  known: SentinelFacts | null,
): Promise<SentinelFacts | null> {
  const managed = read.filter((f) => f.reachable && f.mode !== 'sentinel' && (f.sentinelClients > 0 || f.sentinelSubscribers > 0));
  if (managed.length === 0) return null;
  if (known?.masterName) return { ...known, managedNodes: managed.map((f) => f.address) };
  const addresses = new Set(read.flatMap((f) => [f.address, ...(findNode(snapshot, f.address)?.aliases ?? [])]));
  for (const node of snapshot.nodes) {
    if (node.role !== 'sentinel' || !node.reachable) continue;
    const watched = node.sentinelMasters.find((m) => m.address !== null && addresses.has(m.address));
    if (watched) return { masterName: watched.name, sentinels: [node.address], managedNodes: managed.map((f) => f.address) };
  }
  // Listen on a few nodes at once: a master whose writes are paused holds Sentinel's PUBLISH back.
  const listeners = [...managed].sort((a, b) => b.sentinelSubscribers - a.sentinelSubscribers).slice(0, 3);
  const hello = await firstOf(listeners.map((f) => listenForHello(commands, f.address, helloMs)));
  return {
    masterName: hello?.name ?? null,
    sentinels: hello ? [hello.sentinel] : [],
    managedNodes: managed.map((f) => f.address),
  };
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
