// The fresh reads behind a plan: one pipelined round trip per node over the engine's own
// connection (INFO, CONFIG GET, ACL, CLIENT LIST, PUBSUB), plus what the group's Sentinels
// say (sentinel-facts.ts). Never throws for a node:
// what could not be read is recorded as such and the planner decides what it means.
import type { ReplicationEngine } from '../engine';
import type { NodeCommands, PreflightReplies } from '../node-commands';
import { toApiError } from '../errors';
import { isClusterEnabled, keyCount, parseInfo, parseLoad, parseReplication, parseSentinelMasters, parseServer, type ReplicationInfo, type ServerInfo } from '../info-parser';
import { parseSettings } from '../replication-settings';
import { masterHazards, replicaHazards } from '../write-hazards';
import { nodeMaster, nodeOffset, sameHistory } from '../replication-rules';
import type { TopologySnapshot } from '../../shared/types';
import type { ActionRequest } from '../../shared/actions';
import { unreachableFacts, type NodeFacts, type PreflightFacts, type SentinelFacts } from './facts';
import { sentinelFacts } from './sentinel-facts';
import { findNode, replicasOf, tryNormalize } from './graph';
import { sleep } from './probe';
import { addToGroup } from '../../shared/group';

const SENTINEL_CLIENT = /\bname=sentinel-[0-9a-f]+-(cmd|pubsub)\b/;
/** How long a node fed by a live link may take to pass an offset a node read before it had. */
const CATCH_UP_MS = 1000;
const CATCH_UP_POLL_MS = 10;

export interface PreflightOptions {
  /** How long to listen for a Sentinel hello message when Sentinel is seen (it publishes every 2 s). */
  helloMs?: number;
  /** Sentinel facts from an earlier read of the same group: spares the hello wait. */
  knownSentinel?: SentinelFacts | null;
  /**
   * Nodes the plan compares, as replicas, with nodes other than their own masters (the node a
   * replicaof moves): read before every other node, so none of those looks ahead of it.
   */
  readFirst?: string[];
  /**
   * Replicas the plan compares with their own masters (the node a detach or promote takes out):
   * read before their masters, so a write between the two reads would count as one they lack.
   * Each is given CATCH_UP_MS, if its link is up, to reach the offset its master was read at.
   */
  catchUpToMaster?: string[];
  /** The Sentinel master name the request gives, when it gives one. */
  masterName?: string;
}

/** The nodes a request compares, as replicas, with a node that is not their master: see PreflightOptions.readFirst. */
export function comparedAsReplicas(request: ActionRequest): string[] {
  return request.kind === 'replicaof' ? [request.node] : [];
}

/** The replicas a request compares with their own masters: see PreflightOptions.catchUpToMaster. */
export function comparedWithMaster(request: ActionRequest): string[] {
  return request.kind === 'detach' || request.kind === 'promote' ? [request.node] : [];
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
          const master = nodeMaster(parseReplication(parseInfo(text)));
          if (master !== null) mastersOfStrangers.set(address, findNode(snapshot, master)?.address ?? master);
        } catch {
          // Unreachable: the full read below records why.
        }
      }),
  );
  const groups = [...mastersOfStrangers.values()].flatMap((master) => [master, ...replicasOf(snapshot, master).map((r) => r.address)]);
  const all = [...new Set([...addresses, ...groups])];
  // Replicas before the masters they are compared with: a replica read after its master looks
  // ahead of it under load, and a caught-up replica would be predicted a full sync. So the
  // nodes compared with others than their masters come first, then level by level from the
  // deepest up (a master read after its replica has at least the replica's offset).
  const depthOf = (address: string, hops = 0): number => {
    const known = findNode(snapshot, address)?.depth;
    if (known !== null && known !== undefined) return known;
    const master = mastersOfStrangers.get(address);
    return master !== undefined && hops < 8 ? depthOf(master, hops + 1) + 1 : 0;
  };
  const first = new Set((options.readFirst ?? []).map((a) => findNode(snapshot, a)?.address ?? tryNormalize(a)).filter((a) => all.includes(a)));
  const levels = new Map<number, string[]>();
  for (const address of all) {
    if (first.has(address)) continue;
    const depth = depthOf(address);
    addToGroup(levels, depth, address);
  }
  const readAll = (addresses: string[]): Promise<NodeFacts[]> =>
    Promise.all(addresses.map((address) => readNode(commands, address, credentials.password, Boolean(credentials.password))));
  const firstRead = await readAll([...first]);
  const read: NodeFacts[] = [...firstRead];
  for (const depth of [...levels.keys()].sort((a, b) => b - a)) read.push(...(await readAll(levels.get(depth) ?? [])));
  const nodes: Record<string, NodeFacts> = {};
  for (const facts of read) {
    nodes[facts.address] = facts;
    for (const alias of findNode(snapshot, facts.address)?.aliases ?? []) nodes[alias] ??= facts;
  }
  const goals: CatchUpGoal[] = [];
  // Every other replica read after the first: to the offsets of those in its history.
  for (const f of read) {
    if (firstRead.includes(f)) continue;
    const offsets = firstRead.filter((x) => x.reachable && x.offset !== null && sameHistory({ replid: x.replid, offset: x.offset }, f)).map((x) => x.offset ?? -1);
    if (offsets.length > 0) goals.push({ replica: f, offset: Math.max(...offsets) });
  }
  // A detached or promoted replica: to its master's offset, read after it.
  for (const address of options.catchUpToMaster ?? []) {
    const f = nodes[findNode(snapshot, address)?.address ?? tryNormalize(address)];
    const master = f?.masterAddress ? nodes[findNode(snapshot, f.masterAddress)?.address ?? f.masterAddress] : undefined;
    if (f && master?.reachable && master.offset !== null && sameHistory({ replid: master.replid, offset: master.offset }, f)) goals.push({ replica: f, offset: master.offset });
  }
  await catchUp(commands, goals);
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
    sentinel: await sentinelFacts(commands, snapshot, read, {
      helloMs: options.helloMs ?? 2500,
      known: options.knownSentinel ?? null,
      ...(options.masterName ? { masterName: options.masterName } : {}),
    }),
    console: { user: credentials.user ?? null, hasPassword: Boolean(credentials.password) },
    lastKnownOffsets,
    readAt: Date.now(),
  };
}

/** The facts INFO replication decides, as the replication rules read them. */
function replicationFacts(repl: ReplicationInfo): Pick<
  NodeFacts,
  'role' | 'masterAddress' | 'linkStatus' | 'syncInProgress' | 'offset' | 'replid' | 'replid2' | 'secondReplOffset' | 'backlog'
> {
  return {
    role: repl.role,
    masterAddress: nodeMaster(repl),
    linkStatus: repl.role === 'replica' ? repl.linkStatus : null,
    syncInProgress: repl.syncInProgress,
    offset: nodeOffset(repl),
    replid: repl.replid,
    replid2: repl.replid2,
    secondReplOffset: repl.secondReplOffset,
    backlog: repl.backlog,
  };
}

/**
 * A replica to re-read until its offset reaches `offset`, read on another node after it: a node
 * read after `first` (a sibling gets the same stream a moment later), or a detached or promoted
 * replica, read before its master.
 */
interface CatchUpGoal {
  replica: NodeFacts;
  offset: number;
}

/**
 * Re-reads each replica whose link is up until its offset reaches its goal, for CATCH_UP_MS at
 * most: a replica read before the node it is compared with then holds what that node had when
 * read, as it would have, read at the same instant. One that does not get there in time is
 * judged on its last reading: behind by what it still lacks.
 */
async function catchUp(commands: NodeCommands, goals: CatchUpGoal[]): Promise<void> {
  const waits = goals
    .filter(({ replica: f }) => f.reachable && f.role === 'replica' && f.linkStatus === 'up' && !f.syncInProgress)
    .map(async ({ replica: f, offset: goal }) => {
      const deadline = Date.now() + CATCH_UP_MS;
      while ((f.offset ?? -1) < goal && Date.now() < deadline) {
        await sleep(CATCH_UP_POLL_MS);
        try {
          const repl = parseReplication(parseInfo(await commands.info(f.address, 'replication')));
          const fresh = replicationFacts(repl);
          if (fresh.role !== 'replica' || fresh.replid !== f.replid) return;
          Object.assign(f, fresh);
        } catch {
          return;
        }
      }
    });
  await Promise.all(waits);
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
  const repl = parseReplication(parseInfo(info.replication ?? ''));
  const isSentinel = serverInfo.mode === 'sentinel';
  const auth = requiresAuth(replies.aclDefault, config.requirepass, consoleHasPassword, hasAcl(serverInfo));
  const toWrite = config.minReplicasToWrite;
  const maxLag = config.minReplicasMaxLag;
  return {
    address,
    reachable: true,
    error: null,
    errorCode: null,
    runId: serverInfo.runId,
    mode: serverInfo.mode,
    clusterEnabled: isClusterEnabled(parseInfo(info.cluster ?? '').fields),
    version: serverInfo.versionLabel,
    configFile: serverInfo.configFile,
    ...replicationFacts(repl),
    role: isSentinel ? 'unknown' : repl.role,
    replicas: repl.replicas,
    priority: repl.priority,
    failoverState: repl.failoverState,
    keys: keyCount(info.keyspace, 'keys'),
    masterauth: config.masterauth === null ? 'unknown' : config.masterauth === '' ? 'unset' : config.masterauth === password ? 'same' : 'different',
    masteruser: nonEmpty(config.masteruser),
    requiresAuth: auth.value,
    authBasis: auth.basis,
    minReplicas: toWrite !== null && maxLag !== null ? { toWrite: Number(toWrite), maxLag: Number(maxLag) } : null,
    minReplicasGood: repl.minReplicasGood,
    ...hazards(replies, serverInfo.versionLabel),
    sentinelClients: (replies.clientList ?? '').split('\n').filter((line) => SENTINEL_CLIENT.test(line)).length,
    sentinelSubscribers: replies.helloSubscribers,
    sentinelMasters: isSentinel
      ? parseSentinelMasters(parseInfo(info.sentinel ?? '').fields).map(({ name, address: a }) => ({ name, address: a }))
      : [],
    plainPort: serverInfo.tcpPort,
    tlsPort: portValue(config.tlsPort),
    tlsReplication: config.tlsReplication === 'yes' ? true : config.tlsReplication === 'no' ? false : null,
  };
}

/**
 * Does a replica need to authenticate to this node? The default user's ACL says it best
 * (6.0+); requirepass is the pre-6.0 answer; when both are denied, the console's own
 * connection is the only hint.
 */
function requiresAuth(acl: unknown[] | null, requirepass: string | null, consoleHasPassword: boolean, aclServer: boolean): { value: boolean | null; basis: string } {
  if (acl) {
    const flagsAt = acl.indexOf('flags');
    const flags = flagsAt >= 0 && Array.isArray(acl[flagsAt + 1]) ? (acl[flagsAt + 1] as unknown[]) : [];
    const open = flags.includes('on') && flags.includes('nopass');
    return { value: !open, basis: 'ACL GETUSER default' };
  }
  if (requirepass !== null && requirepass !== '') return { value: true, basis: 'CONFIG GET requirepass' };
  // Since Redis 6 a password set with ACL SETUSER default does not show in requirepass: empty
  // says "none" only where there is no ACL (a replica pointed there with no masterauth stayed cut off).
  if (requirepass === '' && !aclServer) return { value: false, basis: 'CONFIG GET requirepass' };
  if (!consoleHasPassword) return { value: false, basis: 'the console reaches it without a password' };
  if (requirepass === '') return { value: null, basis: 'its requirepass is empty, but a password set with ACL SETUSER does not show there, and ACL GETUSER default was denied' };
  return { value: null, basis: 'ACL GETUSER and CONFIG GET were denied' };
}

/** Redis 6.0 and later (and every Valkey) have ACL users: a password may be set without requirepass. */
function hasAcl(server: ServerInfo): boolean {
  if (server.product === 'valkey') return true;
  const major = Number.parseInt(server.version ?? '', 10);
  return !Number.isFinite(major) || major >= 6;
}

/** What the node's disk and memory would do to writes as a master and as a replica, from the INFO and CONFIG GET replies the poll reads them from; and whether it is loading. */
function hazards({ info, config }: PreflightReplies, version: string | null): Pick<NodeFacts, 'asMaster' | 'asReplica' | 'loading'> {
  const persistence = info.persistence === null ? null : parseInfo(info.persistence).fields;
  const settings = parseSettings(
    { save: config.save, 'stop-writes-on-bgsave-error': config.stopWritesOnBgsaveError, 'replica-ignore-disk-write-errors': config.replicaIgnoreDiskWriteErrors },
    persistence,
  );
  const memory = info.memory === null ? null : parseInfo(info.memory).fields;
  const load = parseLoad({ stats: null, memory, clients: null, persistence, keyspace: info.keyspace }, Date.now());
  return { asMaster: masterHazards(settings, load), asReplica: replicaHazards(settings, load, version), loading: load?.persistence?.loading ?? null };
}

/** A port from CONFIG GET (0: none), null when not read or not a port. */
function portValue(value: string | null): number | null {
  if (value === null || !/^\d{1,5}$/.test(value)) return null;
  const n = Number(value);
  return n <= 65535 ? n : null;
}

function nonEmpty(value: string | null): string | null {
  return value === null || value === '' ? null : value;
}
