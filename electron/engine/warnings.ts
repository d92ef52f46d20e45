import { refusesConsole, type NodeState, type TopologyWarning, type WarningCode } from '../shared/types';
import { persistenceOff } from './replication-settings';
import { describeHazards, masterHazards, refusesWrites, replicaHazards, replicasShort } from './write-hazards';
import { isFenceValue } from './actions/operations';
import { serverAddressOf } from './actions/graph';
import { unreachableKind } from './errors';
import { parseAddress } from './address';
import { formatBytes, formatSeconds, formatUtc } from '../shared/format';
import { canLoadRdb, historyBytesBehind } from './replication-rules';
import { MAX_FIELD_CHARS, MAX_INFO_CHARS, MAX_REPLICA_LINES, type InfoCuts } from './info-parser';
import { listedInSync, masterAddressOf, type InfoSection, type NodeRecord } from './node-record';
import type { NodeSet } from './node-set';
import { listedLineOf, mastersWithReplicas, nodesByAddress } from '../shared/node-index';
import { cannotFailOver } from './sentinel-warnings';
import { loopAbove } from './cycle-verdict';
import { addToGroup } from '../shared/group';

/** More never-reached addresses than this from one master's list become one warning, not one each. */
const GROUP_UNREACHED_OVER = 5;
/** Addresses a grouped warning names in its message (its `nodes` holds them all). */
const NAMED_IN_MESSAGE = 5;

const count = new Intl.NumberFormat('en');

/** Everything about the topology an operator should know is wrong or risky. Linear in the nodes and what they list. */
export function findWarnings(nodes: NodeSet, loops: readonly NodeRecord[][] = cyclesOf(nodes)): TopologyWarning[] {
  const records = nodes.all();
  return [
    ...cycles(loops),
    ...multipleMasters(nodes, records),
    ...unknownMasters(nodes, records),
    ...notPointingBack(nodes, records),
    ...duplicateAddresses(nodes, records),
    ...unreachable(records),
    ...misplaced(records),
    ...tooManyNodes(nodes),
    ...truncatedReplicaLists(records),
    ...churningReplicas(nodes),
    ...truncatedInfo(records),
    ...writesRefused(records),
  ];
}

/**
 * A master refusing writes now. NOREPLICAS: min-replicas-to-write is on and fewer replicas than
 * it asks are connected within min-replicas-max-lag (INFO says how many are good only while the
 * setting is on), or it holds the console's own fence, a huge value (the journal's FENCED_MASTER
 * says more while the plan that set it is interrupted: the engine then drops this). MISCONF and
 * OOM: its own disk or memory (write-hazards.ts). One warning per master, every reason in it.
 * And DISK_ERROR: a replica that cannot save stops at its master's next write (Redis 7.0+). A
 * FAILOVER holding writes (heldByFailover) is a reason too, on a node already demoted by it as well.
 */
function writesRefused(records: readonly NodeRecord[]): TopologyWarning[] {
  const out: TopologyWarning[] = [];
  for (const r of records) {
    if (!r.reachable) continue;
    const held = heldByFailover(r);
    if (r.replication?.role === 'replica') {
      // Demoted by its FAILOVER already, the target not yet taking over: its writes are still held.
      if (held !== null) out.push({ code: 'WRITES_REFUSED', message: `${r.address} ${held}`, nodes: [r.address] });
      const stops = replicaHazards(r.settings, r.load, r.server?.versionLabel ?? null);
      if (stops.length > 0) out.push({ code: 'DISK_ERROR', message: `${r.address} ${describeHazards(stops)}`, nodes: [r.address] });
      continue;
    }
    if (r.replication?.role !== 'master') continue;
    const reasons: string[] = held === null ? [] : [held];
    const short = replicasShort(r.settings, r.replication.minReplicasGood);
    const maxLag = r.settings?.minReplicasMaxLag ?? null;
    const lagged = `with a lag under min-replicas-max-lag${maxLag !== null ? ` (${maxLag} s)` : ''}`;
    // Redis ignores min-replicas-to-write while min-replicas-max-lag is 0 (INFO then has no good-replica count).
    if (isFenceValue(r.settings?.minReplicasToWrite) && r.replication.minReplicasGood !== null) {
      // Kept on purpose by a plan that failed after the hand-over, while another master may take
      // writes; the plan's journal is closed then, so nothing else would say it (helper-71).
      reasons.push(
        `refuses every write (NOREPLICAS): min-replicas-to-write is ${r.settings?.minReplicasToWrite}, the write fence a console plan sets during a switchover, ` +
          'and a plan that failed after the hand-over keeps it on purpose while another master may take writes. ' +
          `Once ${r.address} follows the new master, or if it is the only master, restore its value before the plan (0 unless you set one): CONFIG SET min-replicas-to-write <value> on ${r.address}`,
      );
    } else if (short && short.need !== null) {
      const { need, good } = short;
      reasons.push(
        `refuses every write (NOREPLICAS): min-replicas-to-write is ${need}, and ${good} ${good === 1 ? 'replica is' : 'replicas are'} connected ${lagged}. ` +
          `Bring its replicas back, or lower min-replicas-to-write (CONFIG SET min-replicas-to-write ${good}) to take writes without that guarantee`,
      );
    } else if (short?.need === null) {
      reasons.push(
        `refuses every write (NOREPLICAS): min-replicas-to-write is on (the console cannot read it), and no replica is connected ${lagged}. ` +
          'Bring its replicas back, or lower min-replicas-to-write to take writes without that guarantee',
      );
    }
    const hazards = masterHazards(r.settings, r.load).filter(refusesWrites);
    if (hazards.length > 0) reasons.push(describeHazards(hazards));
    if (reasons.length > 0) out.push({ code: 'WRITES_REFUSED', message: `${r.address} ${reasons.join('. It also ')}`, nodes: [r.address] });
  }
  return out;
}

/** Writes held this long by a FAILOVER are said (a planned hand-over takes well under a second once the target has caught up). */
export const FAILOVER_HELD_MS = 5000;

/**
 * A node whose FAILOVER has held its writes for FAILOVER_HELD_MS or more (it pauses them from the
 * start: CLIENT PAUSE WRITE): waiting for a replica to catch up, which without TIMEOUT lasts for
 * ever, or demoted already and waiting for the target to accept the hand-over. Whoever sent it may
 * be gone (a console killed half-way, another tool): nothing but the node's own INFO says so.
 */
function heldByFailover(r: NodeRecord): string | null {
  if (r.failoverSince === null || r.polledAt === null || r.polledAt - r.failoverSince < FAILOVER_HELD_MS) return null;
  const held = Number.isFinite(r.failoverSince) ? `for ${formatSeconds(Math.round((r.polledAt - r.failoverSince) / 1000))}` : 'since before the console first read it';
  const target = masterAddressOf(r);
  if (r.replication?.failoverState === 'failover-in-progress' && target !== null) {
    return (
      `takes no writes, and nothing else does: its FAILOVER made it a replica of ${target}, which has not taken over yet (master_failover_state failover-in-progress, ${held}). ` +
      `Writes sent to it wait, or are refused READONLY; ${target} becomes the master once it answers. If ${target} is gone for good, FAILOVER ABORT on ${r.address} makes it the master again, ` +
      `but check first that ${target} is not a master already: that would leave two masters`
    );
  }
  return (
    `holds every write: it has been in a FAILOVER ${held} (master_failover_state ${r.replication?.failoverState ?? '?'}), which pauses writes until a replica has every byte and takes over. ` +
    `A FAILOVER sent with TIMEOUT gives up by itself then; one without waits for ever. If no plan of yours is running it, FAILOVER ABORT on ${r.address} releases the writes and it stays the master`
  );
}

/**
 * A master whose one reason to refuse writes is the console's own fence: while the interrupted
 * plan that set it is in the journal, its FENCED_MASTER says that (with the value before), and the
 * engine drops this master's WRITES_REFUSED.
 */
export function refusesOnlyByFence(r: NodeRecord): boolean {
  return (
    r.replication?.role === 'master' &&
    heldByFailover(r) === null &&
    isFenceValue(r.settings?.minReplicasToWrite) &&
    r.replication.minReplicasGood !== null &&
    !masterHazards(r.settings, r.load).some(refusesWrites)
  );
}

/** A replica that started this many full syncs in 2 minutes without one finishing is SYNC_FAILING. */
export const FAILING_SYNC_ATTEMPTS = 3;
/** A replica whose link to a reachable master has been down this long is SYNC_FAILING. */
export const FAILING_LINK_DOWN_SECONDS = 30;

/** A master's backlog holding less than this many seconds of writes is BACKLOG_SHORT. */
export const BACKLOG_SHORT_SECONDS = 60;

/**
 * Risks read from the finished node states (settings, lag, the backlog advisor): hazards that
 * have not struck yet, and a replica whose next resync is certain to be a full one.
 */
export function riskWarnings(states: readonly NodeState[], now: number, lastHistory: ReadonlyMap<string, LastHistory> = new Map()): TopologyWarning[] {
  const byAddress = nodesByAddress(states);
  const hasReplicas = mastersWithReplicas(states);
  const out: TopologyWarning[] = [];
  for (const s of states) {
    const master = s.role === 'replica' && s.master ? byAddress.get(s.master) : undefined;
    // A replica that cannot be read (stalled, gone) is judged by its master's record of it (its
    // last ACK): past the backlog, its next resync is a full one all the same. Skipped, a stalled
    // replica was said to exceed it only in the second or two before its poll timed out.
    const behind = s.lag?.bytesBehindMaster ?? null;
    const held = master?.backlog?.active ? master.backlog.histlen : null;
    if (master?.reachable && behind !== null && held !== null && behind > held) {
      out.push({
        code: 'BACKLOG_EXCEEDED',
        message:
          `${s.address} is ${bytes(behind)} behind ${master.address}, past the ${bytes(held)} its backlog holds: ` +
          `its next resync will be a full one (its data flushed and reloaded). Raise repl-backlog-size on ${master.address} to keep the next such gap partial`,
        nodes: [s.address, master.address],
      });
    }
    if (!s.reachable) {
      // Not read now: failing still, on its master's word, for a while (failingWhileUnread).
      const held = master && failingWhileUnread(s, master, now) ? syncFailing(s, master, byAddress, now) : null;
      if (held) out.push({ code: 'SYNC_FAILING', message: held, nodes: [s.address, master?.address ?? ''] });
      continue;
    }
    if (s.role === 'master' && (hasReplicas.has(s.address) || s.replicas.length > 0) && persistenceOff(s.settings) === true) {
      out.push({
        code: 'MASTER_NO_PERSISTENCE',
        message:
          `Risk (lower than a warning, nothing is wrong yet): ${s.address} has replicas but neither RDB saves (save "") nor AOF. ` +
          `If it restarts, it comes back empty and its replicas, reconnecting on their own, replace their data with its empty dataset. ` +
          `Turn on RDB saves or appendonly, or keep it from restarting on its own (fail over to a replica instead)`,
        nodes: [s.address],
      });
    }
    if (s.role === 'replica' && s.readOnly === false) {
      out.push({
        code: 'WRITABLE_REPLICA',
        message:
          `${s.address} is a writable replica (replica-read-only no): writes sent to it are not replicated anywhere, ` +
          `make its data differ from its master's, and vanish at its next full resync. Set replica-read-only yes unless this is intended`,
        nodes: [s.address],
      });
    }
    const failing = master?.reachable ? syncFailing(s, master, byAddress, now) : null;
    if (failing) out.push({ code: 'SYNC_FAILING', message: failing, nodes: [s.address, master?.address ?? ''] });
    const covers = s.backlogWindow?.coversSeconds ?? null;
    if (s.role === 'master' && hasReplicas.has(s.address) && covers !== null && covers < BACKLOG_SHORT_SECONDS) {
      const rate = s.backlogWindow?.writeBytesPerSecond ?? 0;
      out.push({
        code: 'BACKLOG_SHORT',
        message:
          `${s.address}'s backlog (${bytes(s.backlog?.size ?? 0)}) holds ${formatSeconds(covers)} of writes at the current ${bytes(rate)}/s: ` +
          `a replica away longer (a restart, a network blip) needs a full resync. Raise repl-backlog-size to at least ${bytes(Math.ceil(rate * 300))} (5 minutes of writes)`,
        nodes: [s.address],
      });
    }
  }
  return [...out, ...stalledUpstream(states, byAddress, now, lastHistory)];
}

/**
 * One warning per stalled or unreachable node above others, naming the nodes below it: their
 * own links look fine, but nothing reaches them. Under a root that is down, it folds into MASTER_DOWN.
 */
function stalledUpstream(
  states: readonly NodeState[],
  byAddress: ReadonlyMap<string, NodeState>,
  now: number,
  lastHistory: ReadonlyMap<string, LastHistory>,
): TopologyWarning[] {
  const below = new Map<string, NodeState[]>();
  for (const s of states) {
    const blocker = s.lag?.behindBecauseOf;
    if (!blocker) continue;
    addToGroup(below, blocker, s);
  }
  return [...below].map(([blocker, nodes]) => {
    const b = byAddress.get(blocker);
    const why = b?.reachable ? `stalled (not read for ${ageOf(b, now)})` : `unreachable (${b?.error?.message ?? 'no answer'})`;
    const lags = nodes.map((n) => `${n.address}${n.lag?.bytesBehindRoot != null ? ` ${bytes(n.lag.bytesBehindRoot)}${n.lag.secondsBehindRoot != null ? ` / ${n.lag.secondsBehindRootIsLowerBound ? 'at least ' : ''}${n.lag.secondsBehindRoot.toFixed(1)} s` : ''} behind the root` : ''}`);
    return {
      code: 'STALLED_UPSTREAM' as const,
      message:
        `${blocker} is ${why}: ${nodes.length === 1 ? 'the node below it receives nothing, whatever its own link says' : `the ${nodes.length} nodes below it receive nothing, whatever their own links say`}: ${lags.join(', ')}. ` +
        blockerAdvice(blocker, b, b?.reachable === false ? promotedOff(lastHistory.get(blocker), states, nodes) : []),
      nodes: [blocker, ...nodes.map((n) => n.address)],
    };
  });
}

/**
 * What to do about the node the ones below it wait for, from how it fails. Once a master was
 * promoted off it (`promoted`, see promotedOff), the failover is done: what is left is re-pointing
 * them. "Fail over before it restarts empty" there contradicted MASTER_DOWN's "already failed over".
 */
function blockerAdvice(blocker: string, b: NodeState | undefined, promoted: readonly NodeState[]): string {
  const [to] = promoted;
  if (to) {
    return promoted.length === 1
      ? `${blocker} was already failed over (${to.address} was promoted off it): re-point the nodes below it to ${to.address}`
      : `${blocker} was failed over more than once (${promoted.map((p) => p.address).join(', ')}): keep one master, and re-point the nodes below it to it`;
  }
  if (!b || b.reachable || b.error?.code !== 'UNREACHABLE') return `Look at ${blocker} (a paused process, a long command, swapping, its network)`;
  const kind = unreachableKind(b.error.message);
  if (kind === 'unknown') return `${blocker} cannot be reached from the console (its host, or the network between): check it, or re-point the nodes below it`;
  const down = kind === 'refused' ? `${blocker} is down (it refuses connections)` : `${blocker} closes the console's connections (down, restarting, or out of clients: maxclients)`;
  // Only a master restarted empty wipes the nodes below it: a replica restarted empty syncs its data back.
  return b.role === 'master' && persistenceOff(b.settings) === true
    ? `${down} and has no persistence: fail over before it restarts empty, or re-point the nodes below it`
    : `${down}: bring it back, or re-point the nodes below it`;
}

function ageOf(s: NodeState, now: number): string {
  return s.polledAt === null ? 'a while' : `${Math.max(0, Math.round((now - s.polledAt) / 1000))} s`;
}

/**
 * A replica not read for longer than this is not judged SYNC_FAILING on its master's word: it
 * answered between its attempts before (a replica that cannot write the RDB blocks ~5 s at each,
 * its reads time out for 5 to 11 s at a time, measured at a 1 s poll). Its UNREACHABLE says the rest.
 */
export const FAILING_UNREAD_SECONDS = 30;

/**
 * May a replica the console cannot read now still be judged by its attempts (syncFailing)? Only
 * on its master's word, read now: a replica that cannot write the RDB it is sent blocks ~5 s at
 * each attempt, and its reads time out about half the time. Skipped, its SYNC_FAILING, and the
 * alert, went off at each timeout and back on, notified anew, at the next reading.
 * Its master (read now, fresh) lists it still in a sync (not online, or online before its first
 * ACK), or lists it no longer while its reads time out (dropped at the end of an attempt, the
 * process busy, not gone: a dead one refuses or cuts the connection). Synced (online with an ACK),
 * gone (refused), or not read for FAILING_UNREAD_SECONDS (stalled: its UNREACHABLE stands for it),
 * it is not held.
 */
function failingWhileUnread(s: NodeState, master: NodeState, now: number): boolean {
  if (s.reachable || s.role !== 'replica' || s.polledAt === null || now - s.polledAt > FAILING_UNREAD_SECONDS * 1000) return false;
  if (!master.reachable || master.stale) return false;
  const line = listedLineOf(master, s);
  return line ? listedInSync(line) : s.error?.code === 'TIMEOUT';
}

/**
 * How long a master has answered (seconds, Infinity when nothing bounds it): no longer than it has
 * been up (a restart), nor than since it answered again after the console read it unreachable. A
 * replica's link to it cannot have come back before: a link down for 52 s read as a failing sync,
 * and a LINK_DOWN page, in the seconds its replicas took to reconnect after it came back.
 */
export function answeringForSeconds(master: NodeState | undefined, now: number): number {
  if (!master) return Infinity;
  const up = master.uptimeSeconds ?? Infinity;
  return master.answeringSince === null ? up : Math.min(up, Math.max(0, (now - master.answeringSince) / 1000));
}

/** Why a replica keeps failing to sync with its reachable master, or null while it is fine. */
function syncFailing(s: NodeState, master: NodeState, byAddress: ReadonlyMap<string, NodeState>, now: number): string | null {
  if (s.linkStatus === 'up' && !s.sync) return null;
  // A master loading its dataset (restarted) answers PSYNC with LOADING: its replicas wait, nothing to mend.
  if (master.load?.persistence?.loading) return null;
  const down = s.linkDownSinceSeconds;
  // A replica without a link to its own master refuses to serve a sync (NOMASTERLINK): the
  // cause is above it, not this replica's credentials.
  if (master.role === 'replica' && master.linkStatus !== 'up') {
    if (s.syncAttempts < FAILING_SYNC_ATTEMPTS && (down === null || down < FAILING_LINK_DOWN_SECONDS)) return null;
    // In a cycle every node waits for the next one's link: "mend its link first" pointed around it.
    const loop = loopAbove(master.address, byAddress);
    if (loop) {
      return (
        `${s.address} cannot sync from ${master.address}: ${master.address} is in a replication cycle (${[...loop, loop[0]].join(' → ')}), ` +
        `where no node serves a sync while its own link is down ("NOMASTERLINK" in ${s.address}'s log). No link here can be mended: ` +
        `break the cycle as CYCLE says, and ${s.address} follows on its own`
      );
    }
    if (master.sync) {
      return (
        `${s.address} cannot sync from ${master.address}: ${master.address} is itself in a full sync from ${master.master ?? '?'} ` +
        `and serves no sync until it has loaded it ("NOMASTERLINK" in ${s.address}'s log). Nothing to mend here unless that sync fails too; ${s.address} follows on its own, ` +
        `with a full sync of its own (${master.address}'s history changes with the load)`
      );
    }
    return (
      `${s.address} cannot sync from ${master.address}: ${master.address} has no link to its own master (${master.master ?? '?'}) ` +
      `and refuses to serve a sync until it has one ("NOMASTERLINK" in ${s.address}'s log). Mend ${master.address}'s link first; ${s.address} follows on its own`
    );
  }
  const rdb = canLoadRdb(s.version, master.version);
  if (rdb.loads === false) {
    return (
      `${s.address} (${s.version ?? '?'}) cannot load the snapshot ${master.address} (${master.version ?? '?'}) sends: RDB format ${rdb.masterWrites ?? '?'}, ` +
      `newer than the ${rdb.replicaReads ?? '?'} it reads ("Can't handle RDB format version ${rdb.masterWrites ?? '?'}" in its log). ` +
      `It retries forever and holds no data meanwhile: upgrade it, or point it at a master of its own version`
    );
  }
  const settings = master.settings;
  if (s.syncAttempts >= FAILING_SYNC_ATTEMPTS) {
    const limit = settings?.clientOutputBufferLimitReplica ? ` (client-output-buffer-limit replica ${settings.clientOutputBufferLimitReplica} on the master)` : '';
    return (
      `${s.address} started ${s.syncAttempts} full syncs from ${master.address} in 2 minutes and none finished: ` +
      `the master refuses it (a wrong masterauth or masteruser), drops it during the transfer (its output buffer limit for replicas${limit}, ` +
      `repl-timeout ${settings?.replTimeout ?? '?'} s), or it cannot write or load what it receives (its dir missing or not writable: ` +
      `it then stops answering for about 5 s at each attempt). It has lost its place in the master's history, ` +
      `so its next sync replaces its data: check both logs`
    );
  }
  if (s.linkStatus === 'down' && !s.sync && down !== null && Math.min(down, answeringForSeconds(master, now)) >= FAILING_LINK_DOWN_SECONDS) {
    return (
      `${s.address}'s link to ${master.address} has been down for ${down} s although the master answers the console: ` +
      `wrong masterauth or masteruser, the master refusing it (ACL, maxclients, protected mode), or a network path only the console has. Check the replica's log`
    );
  }
  return null;
}

/**
 * A master's replication stream growing faster than this (bytes per second) is taking writes:
 * its PINGs to its replicas add about 1.4 B/s.
 */
const WRITES_BYTES_PER_SECOND = 64;

/**
 * MULTIPLE_MASTERS said "if more than one takes writes" while two masters' offsets climbed
 * under writes. With two or more taking writes now, it says split brain, in so many words.
 */
export function splitBrain(warnings: TopologyWarning[], states: readonly NodeState[]): TopologyWarning[] {
  const at = warnings.findIndex((w) => w.code === 'MULTIPLE_MASTERS');
  const found = warnings[at];
  if (!found) return warnings;
  const byAddress = nodesByAddress(states);
  const writing: string[] = [];
  for (const address of found.nodes) {
    const s = byAddress.get(address);
    const rate = s?.reachable ? (s.backlogWindow?.writeBytesPerSecond ?? null) : null;
    if (rate !== null && rate >= WRITES_BYTES_PER_SECOND) writing.push(`${address} (${bytes(rate)}/s)`);
  }
  if (writing.length < 2) {
    const fork = forkOf(found.nodes, byAddress);
    if (!fork) return warnings;
    // Slow writes, or none now: their histories still say they went apart.
    const message =
      `Split brain: ${fork.promoted} was promoted off ${fork.master} at offset ${fork.at} (its replid2 is ${fork.master}'s history) and both have gone on since ` +
      `(${fork.promoted} +${bytes(fork.promotedBytes)}, ${fork.master} +${bytes(fork.masterBytes)} of replication stream): their data differs. ` +
      `What was written to the one made a replica again is lost at its full resync: copy what you need from it first. ${found.message}`;
    return warnings.map((w) => (w === found ? { ...w, message } : w));
  }
  const message =
    `Split brain: ${writing.length} masters take writes now: ${writing.join(', ')}. Their data diverges with every write, ` +
    `and what was written to one that is made a replica again is lost at its full resync. Send the clients to one master, ` +
    `copy what you need from the others, then make them its replicas. ${found.message}`;
  return warnings.map((w) => (w === found ? { ...w, message } : w));
}

/** Two of these masters that share a history, both gone on past where one was promoted off the other; null if none. */
function forkOf(
  addresses: readonly string[],
  byAddress: ReadonlyMap<string, NodeState>,
): { promoted: string; master: string; at: number; promotedBytes: number; masterBytes: number } | null {
  for (const address of addresses) {
    const p = byAddress.get(address);
    if (!p?.reachable || p.replid2 === null || p.secondReplOffset === null || p.offset === null) continue;
    const at = p.secondReplOffset - 1;
    for (const other of addresses) {
      const m = byAddress.get(other);
      if (other === address || !m?.reachable || m.replid !== p.replid2 || m.offset === null) continue;
      if (p.offset > at && m.offset > at) return { promoted: address, master: other, at, promotedBytes: p.offset - at, masterBytes: m.offset - at };
    }
  }
  return null;
}

/** Codes a MASTER_DOWN headline explains when every node they name is the dead master or below it. */
const FOLDED_UNDER_MASTER_DOWN = new Set<WarningCode>(['UNREACHABLE', 'UNKNOWN_MASTER', 'STALLED_UPSTREAM', 'SYNC_FAILING', 'BACKLOG_EXCEEDED']);

/**
 * A root master that is down with replicas still pointing at it: one headline ("M down since
 * 06:58:22; 3 replicas orphaned → fail over") with the per-node warnings it explains folded
 * under it, instead of an UNREACHABLE, an UNKNOWN_MASTER per replica and a chip on every card.
 * `downSince` gives when each node stopped answering (ms), for one read in this session;
 * before that, the node's last reading (an earlier session's) is all that is known.
 * `lastHistory`: the replication ID and offset each node not answering had when last read (this
 * session's reading, else topology memory's): a live master promoted off the dead one at about
 * where it stopped was failed over to (promotedOff), and the headline says so, not "→ fail over".
 */
export function foldMasterDown(
  warnings: TopologyWarning[],
  states: readonly NodeState[],
  downSince: ReadonlyMap<string, number | null>,
  lastHistory: ReadonlyMap<string, LastHistory> = new Map(),
): TopologyWarning[] {
  const byAddress = nodesByAddress(states);
  const rootOf = (s: NodeState): NodeState => {
    const seen = new Set<NodeState>();
    let at = s;
    for (let up = at.master ? byAddress.get(at.master) : undefined; up && !seen.has(up); up = at.master ? byAddress.get(at.master) : undefined) {
      seen.add(at);
      at = up;
    }
    return at;
  };
  const orphans = new Map<string, string[]>();
  for (const s of states) {
    if (!s.master) continue;
    const root = rootOf(s);
    if (root === s || root.reachable || root.master) continue;
    addToGroup(orphans, root.address, s.address);
  }
  if (orphans.size === 0) return foldUnderUnreachable(warnings, states);
  let rest = warnings;
  const headlines: TopologyWarning[] = [];
  for (const [master, below] of orphans) {
    const family = new Set([master, ...below]);
    const folded = rest.filter((w) => FOLDED_UNDER_MASTER_DOWN.has(w.code) && w.nodes.every((a) => family.has(a)));
    rest = rest.filter((w) => !folded.includes(w));
    const since = downSince.get(master);
    const seen = byAddress.get(master)?.lastSeenAt ?? null;
    const when = since
      ? ` since ${new Date(since).toISOString().slice(11, 19)} UTC`
      : seen !== null
        ? ` (last read ${formatUtc(seen)} UTC)`
        : ' (never read by this console)';
    const direct = below.filter((a) => byAddress.get(a)?.master === master).length;
    const root = byAddress.get(master);
    // Not answering the console, yet its replicas' links are up (it does not refuse connections):
    // paused, busy or cut off from the console only. "Down → fail over" would push a failover
    // that leaves two masters once it resumes (emergency failover itself refuses it).
    const linked = below.filter((a) => {
      const s = byAddress.get(a);
      return s?.master === master && s.reachable && s.linkStatus === 'up';
    });
    // Up and serving, refusing only the console (its client limit, its password): a failover
    // would leave two masters, whatever its replicas' links say.
    if (root?.error && refusesConsole(root.error)) {
      const links =
        linked.length > 0
          ? `${linked.length === 1 ? 'its replica' : 'its replicas'} ${linked.join(', ')} still ${linked.length === 1 ? 'has its' : 'have their'} link to it up`
          : root.error.code === 'MAX_CLIENTS'
            ? 'its replicas that reconnect are refused too, until connections are freed'
            : root.error.code === 'PROTECTED_MODE'
              ? 'its replicas on other hosts are refused too, until it has a password (or protected mode is off)'
              : `its replicas' links to it are down too`;
      headlines.push({
        code: 'MASTER_REFUSES',
        message: `${root.error.message}. It is not down, the console cannot read it${when}: ${links} → do not fail over a master that still serves its clients (two masters would take writes)${followFrom(folded)}`,
        nodes: [master, ...below],
        folded,
      });
      continue;
    }
    // The console's own way in is down (its SSH tunnel): no node can be read, so nothing is known
    // of the master or its replicas. "Down → fail over first" over three healthy nodes sent on-call
    // to fail over what the console only could not see.
    if (root?.error?.code === 'SSH' && states.every((s) => !s.reachable)) {
      headlines.push({
        code: 'MASTER_DOWN',
        message:
          `${master} cannot be read${when}, nor any node: the console's SSH tunnel is down (${root.error.message}). Nothing is known of their state → ` +
          `this is no reason to fail over: mend the way in (the bastion, its sshd, the network to it) and the console reads them again${followFrom(folded)}`,
        nodes: [master, ...below],
        folded,
      });
      continue;
    }
    // One that cannot be reached from here at all (no route, a name that does not resolve) is
    // alive for replicas still linked to it. A refused or closed port is not: a killed master's
    // replicas notice at once, and a reading of them taken just before would otherwise say
    // "alive" for a tick (a closed port is also how a TLS server out of clients fails, unseen).
    const cutOff = root?.error?.code === 'UNREACHABLE' && unreachableKind(root.error.message) === 'unknown';
    if (linked.length > 0 && (root?.error?.code !== 'UNREACHABLE' || cutOff)) {
      headlines.push({
        code: 'MASTER_DOWN',
        message:
          `${master} does not answer the console${when}${root?.error ? ` (${root.error.message})` : ''}, but ${linked.length === 1 ? 'its replica' : 'its replicas'} ${linked.join(', ')} still ` +
          `${linked.length === 1 ? 'has its' : 'have their'} link to it up: for them it is alive (paused, a long command, or cut off from the console only) → do not fail over yet: ` +
          `look at ${master}; if their links go down too (repl-timeout), it is down${followFrom(folded)}`,
        nodes: [master, ...below],
        folded,
      });
      continue;
    }
    const noPersistence = persistenceOff(byAddress.get(master)?.settings ?? null) === true;
    const promoted = promotedOff(lastHistory.get(master), states, below.map((a) => byAddress.get(a)));
    if (promoted.length > 0) {
      headlines.push({
        code: 'MASTER_DOWN',
        message: failedOver(master, when, root, promoted, below, states, byAddress, noPersistence) + followFrom(folded),
        nodes: [master, ...below],
        folded,
      });
      continue;
    }
    // No reply rather than a refusal, and its replicas gave up on it: stalled (paused, a script,
    // swapping) or its host down or cut off; the console cannot tell. A stalled one resumes as a
    // master, so it must be made to stay down before a failover.
    if (root?.error?.code === 'TIMEOUT') {
      headlines.push({
        code: 'MASTER_DOWN',
        message:
          `${master} does not answer${when} (${root.error.message}), and its ${direct === 1 ? 'replica has' : `${direct} replicas have`} given up on it (link down)` +
          `${below.length > direct ? ` (${below.length} nodes below it)` : ''}: it is stalled, or its host is down or cut off (the console cannot tell) → ` +
          `to fail over, make sure it stays down first (stop its process for good, or fence it off): a stalled one resumes as a master and clients that reach it write there` +
          `${noPersistence ? `. It has no persistence: do NOT restart it before the failover (it would come back empty and wipe its replicas)` : ''}${followFrom(folded)}`,
        nodes: [master, ...below],
        folded,
      });
      continue;
    }
    // Restarted without persistence, it comes back empty and wipes the replicas waiting for it.
    const sentinel = failsOverOnItsOwn(master, states, byAddress);
    const advice = sentinel
      ? `${sentinel} fails it over on its own (see SENTINEL_DOWN): do not promote a replica by hand, Sentinel would undo it` +
        (noPersistence
          ? `. Do NOT restart ${master} before that: it has no persistence (no RDB saves, no AOF), so it would come back empty and its replicas would replace their data with its empty dataset`
          : '')
      : noPersistence
        ? `fail over first, do NOT restart ${master} before that: it has no persistence (no RDB saves, no AOF), ` +
          `so it would come back empty and its replicas, reconnecting on their own, would replace their data with its empty dataset. ` +
          `Promote the replica with the most data, stop anything that restarts ${master} on its own (systemd, Kubernetes), and bring it back afterwards as a replica of the new master`
        : `fail over (promote the replica with the most data) or bring it back`;
    headlines.push({
      code: 'MASTER_DOWN',
      message:
        `${master} down${when}; ` +
        `${direct} ${direct === 1 ? 'replica' : 'replicas'} orphaned${below.length > direct ? ` (${below.length} nodes below it)` : ''} → ${advice}${followFrom(folded)}`,
      nodes: [master, ...below],
      folded,
    });
  }
  return [...headlines, ...foldUnderUnreachable(rest, states)];
}

/**
 * The Sentinel group that fails `master` over by itself: reachable Sentinels name it as their
 * master (by any of its addresses), they can authorise a failover (cannotFailOver, the plans'
 * rule too), and a replica of it can be promoted (reachable, replica-priority not 0: Sentinel
 * aborts with no good replica otherwise). "→ fail over (promote …)" there sent on-call to a
 * failover the console refuses (SENTINEL_MANAGED) and Sentinel would undo. Null otherwise.
 */
function failsOverOnItsOwn(master: string, states: readonly NodeState[], byAddress: ReadonlyMap<string, NodeState>): string | null {
  const node = byAddress.get(master);
  if (!node) return null;
  const views = states.flatMap((s) => (s.role === 'sentinel' && s.reachable ? (s.sentinel?.masters ?? []).filter((v) => v.address !== null && byAddress.get(v.address) === node) : []));
  const [first] = views;
  if (!first || cannotFailOver(views.map((v) => v.ckquorum))) return null;
  if (!states.some((s) => s.master === master && s.reachable && s.role === 'replica' && s.priority !== 0)) return null;
  return `Sentinel ("${first.name}", ${views.length} ${views.length === 1 ? 'Sentinel' : 'Sentinels'} watching it)`;
}

/** A dead node's history when last read: its replication ID and offset (null when not known: memory written before offsets were kept). */
export interface LastHistory {
  replid: string;
  offset: number | null;
}

/**
 * How far a dead master may have got past the node promoted off it for that to count as a
 * failover: its replicas' lag when it died. A copy detached earlier (the console's detach, a
 * REPLICAOF NO ONE by hand) carries the same replid2, but its master went on taking writes.
 */
export const FAILOVER_GAP_BYTES = 1024 * 1024;

/**
 * The live masters promoted off a dead master at about where it stopped: REPLICAOF NO ONE keeps
 * the history a replica had as its replid2 (second_repl_offset − 1 is where it left it). Not one
 * the master, or a replica still on it, went on past by more than FAILOVER_GAP_BYTES: that was
 * a copy taken while it lived, and "already failed over" would have stopped on-call from failing
 * over and had them re-point replicas holding the later writes onto it. Without the master's last
 * offset (an old memory file), nothing is claimed.
 */
export function promotedOff(last: LastHistory | undefined, states: readonly NodeState[], stillOn: readonly (NodeState | undefined)[]): NodeState[] {
  if (last === undefined || last.offset === null) return [];
  const { replid, offset } = last;
  let reached = offset;
  for (const s of stillOn) if (s?.reachable && s.replid === replid && s.offset !== null) reached = Math.max(reached, s.offset);
  return states.filter((p) => p.reachable && p.role === 'master' && p.replid2 === replid && p.secondReplOffset !== null && reached - (p.secondReplOffset - 1) <= FAILOVER_GAP_BYTES);
}

/**
 * MASTER_DOWN once a master was promoted off the dead one (by the console's failover, by hand):
 * the failover is done, what is left is the replicas still on the old master, and the old master
 * itself, which must not come back as a master. "→ fail over" here sent on-call to do it again
 * every morning for as long as memory kept the dead master (7 days).
 */
function failedOver(
  master: string,
  when: string,
  root: NodeState | undefined,
  promoted: readonly NodeState[],
  below: readonly string[],
  states: readonly NodeState[],
  byAddress: ReadonlyMap<string, NodeState>,
  noPersistence: boolean,
): string {
  const stalled = root?.error?.code === 'TIMEOUT';
  const head = stalled ? `${master} does not answer${when} (${root.error?.message ?? 'no answer'})` : `${master} down${when}`;
  const [to] = promoted;
  if (promoted.length > 1 || !to) {
    return (
      `${head}; failed over more than once: ${promoted.map((p) => p.address).join(', ')} were each promoted off it (their replid2 is its history) and each is a master now: ` +
      `keep one (see MULTIPLE_MASTERS), and re-point the others and the ${below.length === 1 ? 'node' : `${below.length} nodes`} still on ${master} to it`
    );
  }
  const fork = (to.secondReplOffset ?? 1) - 1;
  const direct = below.filter((a) => byAddress.get(a)?.master === master);
  const live = direct.filter((a) => byAddress.get(a)?.reachable);
  const onIt = direct.map((a) => {
    const s = byAddress.get(a);
    if (!s?.reachable) return `${a} (down)`;
    const ahead = historyBytesBehind(s, { replid: to.replid2, offset: fork }) ?? 0;
    return ahead > 0
      ? `${a} (${bytes(ahead)} of ${master}'s history past where ${to.address} left it: re-pointed, it full-syncs and drops them; copy what you need first)`
      : `${a} (${s.linkStatus === 'up' ? 'link up' : 'link down'})`;
  });
  const deeper = below.length - direct.length;
  const them = direct.length === 1 ? 'it' : 'them';
  const repoint =
    live.length === 0
      ? `re-point ${them} to ${to.address} when ${direct.length === 1 ? 'it comes' : 'they come'} back`
      : live.length === direct.length
        ? `re-point ${them} to ${to.address}`
        : `re-point ${live.join(', ')} to ${to.address} now, the others when they come back`;
  const stay = stalled
    ? `. Make sure ${master} stays down (stop its process for good, or fence it off): a stalled one resumes as a master, and clients that reach it write there`
    : '';
  const comeBack = noPersistence
    ? `Do NOT restart ${master} as a master: it has no persistence (no RDB saves, no AOF), so it would come back empty, and the replicas still on it would replace their data with its empty dataset. ` +
      `Bring it back only as a replica of ${to.address} (replicaof in its configuration file)`
    : `Do not let ${master} come back as a master: it would be a second one beside ${to.address}, taking writes ${to.address} never gets. ` +
      `Bring it back as a replica of ${to.address} (replicaof in its configuration file; a full sync replaces its data)`;
  return (
    `${head}; already failed over: ${to.address} was promoted off it at offset ${fork} (its replid2 is ${master}'s history) and is the master now. ` +
    `Still on ${master}: ${onIt.join(', ')}${deeper > 0 ? ` (${deeper} ${deeper === 1 ? 'node' : 'nodes'} below them)` : ''} → ${repoint} (${replicaofTo(states, to)})${stay}. ${comeBack}`
  );
}

/**
 * REPLICAOF to `to` as other servers should reach it (serverAddressOf: how its replicas dial it,
 * behind NAT or Docker not the console's way in), as a plan would give it.
 */
export function replicaofTo(states: readonly NodeState[], to: NodeState): string {
  const { host, port } = parseAddress(serverAddressOf({ nodes: states }, to.address));
  return `REPLICAOF ${host} ${port}`;
}

/** The end of a headline's message: how many warnings are folded under it. */
function followFrom(folded: readonly TopologyWarning[]): string {
  return folded.length === 0 ? '' : `. ${folded.length} more ${folded.length === 1 ? 'warning follows' : 'warnings follow'} from this`;
}

/**
 * A replica that does not answer with nodes below it (a middle node; a dead root is MASTER_DOWN):
 * its UNREACHABLE warning heads the warnings of the nodes below that follow from it (their
 * UNKNOWN_MASTER, STALLED_UPSTREAM…), folded under it. At 100 nodes one stalled middle node
 * put ten "Unknown master" lines in the banner above the one that said what happened.
 */
function foldUnderUnreachable(warnings: TopologyWarning[], states: readonly NodeState[]): TopologyWarning[] {
  // Most ticks: every replica answers, and there is nothing to fold.
  if (!states.some(unreachableReplica)) return warnings;
  const below = new Map<string, string[]>();
  for (const s of states) if (s.master) addToGroup(below, s.master, s.address);
  let rest = warnings;
  for (const s of states) {
    if (s.reachable || !s.master || !below.has(s.address)) continue;
    const headline = rest.find((w) => w.code === 'UNREACHABLE' && w.nodes.length === 1 && w.nodes[0] === s.address);
    if (!headline) continue;
    const family = new Set([s.address]);
    for (const address of family) for (const child of below.get(address) ?? []) family.add(child);
    // Each node's own UNREACHABLE stays beside it: the console losing a node below is news of its own.
    const folded = rest.filter((w) => w !== headline && w.code !== 'UNREACHABLE' && FOLDED_UNDER_MASTER_DOWN.has(w.code) && w.nodes.every((a) => family.has(a)));
    if (folded.length === 0) continue;
    const cut = family.size - 1;
    const merged: TopologyWarning = {
      ...headline,
      message: `${headline.message}; ${cut} ${cut === 1 ? 'node' : 'nodes'} below it${followFrom(folded)}`,
      folded: [...(headline.folded ?? []), ...folded],
    };
    rest = rest.filter((w) => !folded.includes(w)).map((w) => (w === headline ? merged : w));
  }
  return rest;
}

/** One byte format for the console (KiB, MiB): the cards and charts said MiB where the warnings said MB. */
const bytes = formatBytes;

function unreachableReplica(state: NodeState): boolean {
  return !state.reachable && !!state.master;
}

// Module-level rather than an arrow made on every tick: nothing holds such an arrow's optimized
// code between ticks, so each full garbage collection drops it and it is compiled again.
function answersAsMaster(record: NodeRecord): boolean {
  return record.reachable && record.replication?.role === 'master';
}

function cyclesOf(nodes: NodeSet): NodeRecord[][] {
  const loops: NodeRecord[][] = [];
  nodes.chains(loops);
  return loops;
}

function cycles(loops: readonly NodeRecord[][]): TopologyWarning[] {
  return loops.map((loop) => ({
    code: 'CYCLE',
    message:
      loop.length === 1
        ? // Measured on Redis 7.0: REPLICAOF to its own address (or an alias of it) answers OK; the node
          // turns read-only, asks itself for PSYNC and is refused (NOMASTERLINK) every second, keeps its data.
          `${loop[0]?.address} replicates from itself: it takes no writes (READONLY) and receives nothing (it asks itself for a sync and refuses it, NOMASTERLINK), nor do the nodes below it`
        : `Replication cycle: ${[...loop, loop[0]].map((r) => r?.address).join(' → ')}. None of these nodes has a master that takes writes`,
    nodes: loop.map((r) => r.address),
  }));
}

function multipleMasters(nodes: NodeSet, records: readonly NodeRecord[]): TopologyWarning[] {
  const masters = records.filter(answersAsMaster);
  if (masters.length < 2) return [];
  const replicaCount = new Map<NodeRecord, number>();
  for (const r of records) {
    const master = nodes.masterOf(r);
    if (master) replicaCount.set(master, (replicaCount.get(master) ?? 0) + 1);
  }
  const describe = (m: NodeRecord): string => {
    const replicas = replicaCount.get(m) ?? 0;
    // Sync clients (redis-cli --rdb: port 0) are no replicas it has.
    const listed = (m.replication?.listedLines ?? 0) - (m.replication?.syncClients.length ?? 0);
    const plural = (n: number): string => `${n.toLocaleString('en')} replica${n === 1 ? '' : 's'}`;
    if (replicas > 0) return `${m.address} (${plural(replicas)})`;
    // A master whose listed replicas never answer is not a lone master: it says it has replicas.
    return `${m.address} (${listed > 0 ? `lists ${plural(listed)}, none reached` : 'lone master, no replicas'})`;
  };
  // A master that topology memory saw promoted off another master here: that one is its old master, back.
  const oldMasters = masters.flatMap((promoted) => {
    const former = promoted.rememberedAs?.formerMaster ?? null;
    const old = former === null ? undefined : masters.find((m) => m !== promoted && (m.address === former || m.aliases.has(former)));
    if (!old) return [];
    const { host, port } = parseAddress(promoted.address);
    const back = ` ${old.address} is the master ${promoted.address} was promoted off (as the console remembers it), back as a master beside it`;
    const replicaof = `REPLICAOF ${host} ${port} on ${old.address}`;
    // Back without its data (no keys loaded at its start), it is no side to keep: its replicas would take its empty dataset.
    if (old.settings?.loadedKeys === 0) {
      const written = old.replication?.masterReplOffset ?? null;
      return [
        written === 0
          ? `${back}, empty: it loaded no keys when it started and has taken no writes since. Make it a replica of ${promoted.address} (${replicaof}); keeping it would replace the data of ${promoted.address}'s side with nothing.`
          : `${back}: it loaded no keys when it started, so it holds only what was written to it since${written === null ? '' : ` (${bytes(written)} of writes)`}. ` +
            `Make it a replica of ${promoted.address} (${replicaof}: a full sync replaces those writes; copy what you need first); keeping it would replace the data of ${promoted.address}'s side with them.`,
      ];
    }
    return [
      `${back}: make it a replica of ${promoted.address} (${replicaof}: a full sync replaces what it took since; copy what you need first), or keep it and re-point ${promoted.address}'s side to it.`,
    ];
  });
  return [
    {
      code: 'MULTIPLE_MASTERS',
      message:
        `${masters.length} masters in one topology: ${masters.map(describe).join(', ')}. If more than one takes writes, their data diverges (split brain)` +
        (oldMasters.length > 0 ? `.${oldMasters.join('')}` : '; a lone master may be a replica that restarted without its replicaof setting'),
      nodes: masters.map((m) => m.address),
    },
  ];
}

function unknownMasters(nodes: NodeSet, records: readonly NodeRecord[]): TopologyWarning[] {
  const out: TopologyWarning[] = [];
  for (const record of records) {
    const pointsAt = masterAddressOf(record);
    if (!pointsAt) continue;
    const master = nodes.resolve(pointsAt);
    if (master?.reachable) continue;
    const why = master?.error?.message ?? 'it has not been reached yet';
    out.push({
      code: 'UNKNOWN_MASTER',
      message: `${record.address} replicates from ${pointsAt}, which the console cannot reach: ${why}`,
      nodes: [record.address, master?.address ?? pointsAt],
    });
  }
  return out;
}

function notPointingBack(nodes: NodeSet, records: readonly NodeRecord[]): TopologyWarning[] {
  const out: TopologyWarning[] = [];
  for (const master of records) {
    if (!master.reachable) continue;
    for (const listed of master.replication?.replicas ?? []) {
      const replica = nodes.resolve(listed.address);
      // A master listing itself is DUPLICATE_ADDRESS: saying it "replicates from no master" would mislead.
      if (!replica?.reachable || !replica.replication || replica === master) continue;
      const itsMaster = nodes.masterOf(replica);
      if (itsMaster === master) continue;
      const actually = itsMaster?.address ?? masterAddressOf(replica) ?? 'no master (it is a master itself)';
      out.push({
        code: 'NOT_POINTING_BACK',
        message: `${master.address} lists ${listed.address} as its replica, but that node replicates from ${actually}`,
        nodes: [master.address, replica.address],
      });
    }
  }
  return out;
}

const ANNOUNCE_FIX =
  'set replica-announce-ip and replica-announce-port on each replica to an address where that replica itself can be reached (CONFIG SET, and in its configuration file)';

/** A master listing itself, or two replicas at one address: the console (and FAILOVER TO) cannot tell them apart. */
function duplicateAddresses(nodes: NodeSet, records: readonly NodeRecord[]): TopologyWarning[] {
  const out: TopologyWarning[] = [];
  for (const master of records) {
    const listed = master.reachable ? (master.replication?.replicas ?? []) : [];
    if (listed.length === 0) continue;
    const lines = new Map<string, number>();
    for (const line of listed) lines.set(line.address, (lines.get(line.address) ?? 0) + 1);
    for (const [address, n] of lines) {
      if (nodes.resolve(address) === master) {
        out.push({
          code: 'DUPLICATE_ADDRESS',
          message:
            `${master.address} lists its own address ${address} as one of its replicas: a replica announces the master's address ` +
            `(replica-announce-ip / replica-announce-port copied from the master's configuration, or a NAT or Docker mapping that gives both one address). ` +
            `That replica cannot be shown or reached, and a switchover to it would be aimed at the master: ${ANNOUNCE_FIX}`,
          nodes: [master.address],
        });
      } else if (n > 1) {
        const replica = nodes.resolve(address);
        out.push({
          code: 'DUPLICATE_ADDRESS',
          message:
            `${master.address} lists ${n} replicas at one address, ${address}: they announce the same address ` +
            `(replica-announce-ip / replica-announce-port copied between their configurations, or replicas behind one NAT address). ` +
            `The console reaches at most one process there and cannot show the others: ${ANNOUNCE_FIX}`,
          nodes: replica ? [master.address, replica.address] : [master.address],
        });
      }
    }
  }
  return out;
}

function unreachable(records: readonly NodeRecord[]): TopologyWarning[] {
  // Addresses never reached, by the master whose list named them: many from one list become one warning.
  const neverReached = new Map<string, NodeRecord[]>();
  for (const r of records) {
    if (r.listedBy === null || !isMismatch(r)) continue;
    const group = neverReached.get(r.listedBy);
    if (group) group.push(r);
    else neverReached.set(r.listedBy, [r]);
  }
  const out: TopologyWarning[] = [];
  for (const r of records) {
    // A Sentinel out of reach is SENTINEL_UNREACHABLE, with what that means for failovers; a node
    // kept from the password answers, and is UNTRUSTED_HOST (the session's warning), not unreachable.
    if (r.reachable || !r.error || r.asSentinel || r.error.code === 'UNTRUSTED_HOST') continue;
    const group = r.listedBy !== null && isMismatch(r) ? neverReached.get(r.listedBy) : undefined;
    if (!group || group.length <= GROUP_UNREACHED_OVER) {
      out.push(unreachableWarning(r, isMismatch(r)));
    } else if (group[0] === r) {
      const named = group.slice(0, NAMED_IN_MESSAGE).map((g) => g.address);
      out.push({
        code: 'ADDRESS_MISMATCH',
        message:
          `${r.listedBy} lists ${count.format(group.length)} replicas the console has never reached (${named.join(', ')} and ${count.format(group.length - named.length)} more). ` +
          `If these addresses are only valid inside another network (NAT, Docker), map them to ones the console can dial; if they are not replicas at all, see the other warnings about ${r.listedBy}`,
        nodes: group.map((g) => g.address),
      });
    }
  }
  return out;
}

/** Never reached, refused or not routable: often an address that is only valid inside another network. */
function isMismatch(r: NodeRecord): boolean {
  // A remembered node was reached in an earlier session: its address is right, the node is down.
  return !r.reachable && r.error?.code === 'UNREACHABLE' && !r.server && r.rememberedSeenAt === null && !r.asSentinel;
}

function unreachableWarning(r: NodeRecord, mismatch: boolean): TopologyWarning {
  return {
    code: mismatch ? 'ADDRESS_MISMATCH' : 'UNREACHABLE',
    message: mismatch
      ? `${r.error?.message ?? `${r.address} is unreachable`}. It was never reached: if this address is only valid inside another network (NAT, Docker), map it to one the console can dial`
      : (r.error?.message ?? `${r.address} is unreachable`),
    nodes: [r.address],
  };
}

function misplaced(records: readonly NodeRecord[]): TopologyWarning[] {
  const out: TopologyWarning[] = [];
  for (const r of records) {
    if (r.server?.mode === 'sentinel') {
      if (!r.seed || r.givenAsSentinel) continue;
      const monitored = r.sentinelMasters.map((m) => `${m.name} at ${m.address ?? '?'}`).join(', ');
      const only = r.sentinelMasters.length === 1 ? r.sentinelMasters[0] : undefined;
      out.push({
        code: 'SENTINEL_SEED',
        message:
          `${r.address} is a Redis Sentinel, not a data node` +
          (only
            ? `: it joins as a Sentinel, and the topology of "${only.name}" it monitors (master at ${only.address ?? '?'}) is discovered from it. Next time give it as --sentinel ${r.address} --master-name ${only.name}`
            : monitored
              ? ` (it monitors ${monitored}): it joins as a Sentinel of the masters found here. Give --sentinel ${r.address} --master-name NAME to follow one of them`
              : ' and monitors no master: give a master or replica address as the seed'),
        nodes: [r.address],
      });
    } else if (r.clusterEnabled || r.server?.mode === 'cluster') {
      out.push({
        code: 'CLUSTER_MODE',
        message: `${r.address} runs in cluster mode: its replicas are managed with CLUSTER REPLICATE, not REPLICAOF`,
        nodes: [r.address],
      });
    }
  }
  return out;
}

function tooManyNodes(nodes: NodeSet): TopologyWarning[] {
  const missing = nodes.notFollowed();
  if (missing.count === 0) return [];
  return [
    {
      code: 'TOO_MANY_NODES',
      message:
        `This topology reached ${count.format(nodes.size)} nodes, the most the console follows (maxNodes ${count.format(nodes.maxNodes)}): ` +
        `${count.format(missing.count)} more listed addresses are not dialled (${missing.sample.join(', ')}${missing.count > missing.sample.length ? ', …' : ''}). ` +
        `A real replication topology is rarely this large: look for a master listing far more replicas than it has`,
      nodes: missing.listedBy,
    },
  ];
}

function truncatedReplicaLists(records: readonly NodeRecord[]): TopologyWarning[] {
  const out: TopologyWarning[] = [];
  for (const r of records) {
    const lines = r.reachable ? (r.replication?.listedLines ?? 0) : 0;
    if (lines <= MAX_REPLICA_LINES) continue;
    out.push({
      code: 'REPLICA_LIST_TRUNCATED',
      message:
        `${r.address} lists ${count.format(lines)} replica lines; the console reads the first ${count.format(MAX_REPLICA_LINES)} and follows only those. ` +
        `A master rarely has more than a few dozen replicas: check what answers at this address`,
      nodes: [r.address],
    });
  }
  return out;
}

function churningReplicas(nodes: NodeSet): TopologyWarning[] {
  return nodes.churning.map(({ master, dropped, windowMs }) => ({
    code: 'CHURNING_REPLICAS',
    message:
      `${master}'s replica list keeps changing: ${count.format(dropped)} addresses it listed in the last ${Math.round(windowMs / 1000)} s ` +
      `were never reached and are no longer listed, so the console dropped them. Replicas that keep connecting and failing ` +
      `(wrong masterauth, an RDB format they cannot load, a network that drops them) look like this, and so does a proxy or ` +
      `a fake answering INFO: check the replicas' logs`,
    nodes: [nodes.resolve(master)?.address ?? master],
  }));
}

function truncatedInfo(records: readonly NodeRecord[]): TopologyWarning[] {
  const out: TopologyWarning[] = [];
  for (const r of records) {
    const parts = Object.entries(r.infoCuts).map(([section, cuts]) => describeCuts(section as InfoSection, cuts));
    if (parts.length === 0) continue;
    out.push({
      code: 'INFO_TRUNCATED',
      message:
        `${r.address} sent more INFO than the console reads (${count.format(MAX_INFO_CHARS)} characters of a reply, ${count.format(MAX_FIELD_CHARS)} of a field): ` +
        `${parts.join('; ')}. Cut values end with "[cut: N characters]"` +
        (r.readEvery > 1 ? `. A reply this large is read once every ${r.readEvery} polls, so the node shows as stale in between` : ''),
      nodes: [r.address],
    });
  }
  return out;
}

function describeCuts(section: InfoSection, cuts: InfoCuts): string {
  const what: string[] = [];
  if (cuts.fieldsCut > 0) {
    const named = cuts.fields.map((f) => `${f.key} (${count.format(f.chars)} characters)`).join(', ');
    const more = cuts.fieldsCut - cuts.fields.length;
    what.push(`${count.format(cuts.fieldsCut)} field${cuts.fieldsCut === 1 ? '' : 's'} cut: ${named}${more > 0 ? ` and ${count.format(more)} more` : ''}`);
  }
  if (cuts.linesSkipped > 0) what.push(`${count.format(cuts.linesSkipped)} lines past the reply cap not read`);
  return `INFO ${section} (${count.format(cuts.replyChars)} characters): ${what.join(', ')}`;
}
