import { SYNC_CLIENT_KINDS, type EventKind, type NodeState, type ReplicationEvent, type TopologySnapshot } from '../shared/types';
import { listedLineOf, nodesByAddress } from '../shared/node-index';
import { holdsHistoryOf } from './replication-rules';
import { formatBytes } from '../shared/format';

type Draft = Omit<ReplicationEvent, 'id' | 'at'>;
/**
 * `resync`, for a replica's full resync: 'started' (not finished yet), 'replaced' (finished: its
 * data was replaced), or 'completes' (the end of one reported when it started: replaced, not another resync).
 */
type Add = (node: string, kind: EventKind, message: string, peer?: string, resync?: 'started' | 'replaced' | 'completes') => void;

/** How long a replica-side full sync waits for its master's sync_full to count it (polls land on either side of it). */
const MATCH_MS = 5_000;
/**
 * How long after a replica was last seen away (not read, link not up, syncing, not listed online
 * by its master) its master's sync_full may be its sync: a small sync is over between two polls,
 * and a replica stalled past its master's limits resyncs the moment it is back.
 */
const AWAY_MS = 10_000;
/** The smallest output buffer limit for replicas that is not said to be small: this many seconds of writes. */
const BUFFER_LIMIT_SECONDS = 60;
/** A node that was a master this many ticks before a full sync as a replica lost what it took as a master. */
const DEMOTED_TICKS = 30;
/**
 * A master's own PINGs to its replicas grow its offset by this much every repl-ping-replica-period
 * (10 s by default): growth within that is not writes.
 */
const PING_BYTES = 14;
const PING_PERIOD_MS = 10_000;

/** A replica's full sync reported before it finished: how it stood, and from whom. Its end is said when its link is up. */
interface Unfinished {
  state: 'waiting' | 'loading';
  master: string;
}

/** A node as last read as a master: in which history, and how far its offset went in it. */
interface Mastership {
  /** The last tick it was read as a master, and the first of this history. */
  tick: number;
  since: number;
  replid: string | null;
  /** Its offset when it became master (a promoted replica's second_repl_offset − 1) or was first read as one. */
  startOffset: number | null;
  offset: number | null;
  /** The start is where it was promoted (second_repl_offset), not merely where the console first read it. */
  promoted: boolean;
  /** It had replicas at some reading: only then do its own PINGs grow its offset. */
  withReplicas: boolean;
}

/**
 * What the diff remembers between ticks, so one full sync is one event although each side
 * shows it at its own time (the master counts sync_full first, the replica shows
 * master_sync_in_progress, then a new replid), and a node that restarts is compared with what
 * it was before it went away. Owned by the engine session; a fresh one knows only the two snapshots.
 */
export class EventMemory {
  tick = 0;
  /** Per master: the replica-side full syncs (replica, tick) its sync_full has not counted yet. */
  readonly uncounted = new Map<string, { replica: string; tick: number }[]>();
  /**
   * Per replica: a full sync read finished (link up) while its master, read in the same tick, did
   * not list it yet, so its sync_full had not counted it: the rise that follows is that sync.
   */
  readonly lateCount = new Map<string, { master: string; tick: number }>();
  /** Per replica: the last tick it was seen away from its master (not read, link not up, syncing, not listed online). */
  readonly away = new Map<string, number>();
  /**
   * Replicas whose link going down was said (a link-down event), until a full resync explains the
   * drop or the link is read up twice in a row (back by a partial resync): a later drop the console
   * does not see is then said by the full resync that follows it.
   */
  readonly dropSaid = new Set<string>();
  /** Per replica: the tick its last full resync was reported (its time away before that is explained). */
  readonly resyncedAt = new Map<string, number>();
  /** Per node: its run_id and sync_full when last read (the baseline after a restart is 0). */
  readonly counters = new Map<string, { runId: string | null; syncFull: number; syncPartialOk: number }>();
  /**
   * Replicas whose full sync was reported started (or whose restart lost their history) and has
   * not finished yet (link not up since): its end, when the data was replaced, is said then.
   * 'waiting' when its master counted it before the replica showed the transfer (a big dataset's
   * snapshot takes a while), 'loading' once it did. The transfer starting, or the new replication
   * ID it ends with, is then the same sync; a replica that keeps failing starts a sync every few
   * seconds, which is SYNC_FAILING, not an event each time.
   */
  readonly unfinished = new Map<string, Unfinished>();
  /** Per node: its replid, offset and run_id when last read, kept while it is unreachable. */
  readonly histories = new Map<string, { replid: string; offset: number | null; runId: string | null }>();
  /** Per node read as a master: when, and how far its offset went (did it take writes). */
  readonly masterAt = new Map<string, Mastership>();
  /** The poll interval of the last snapshot: ticks to time. */
  intervalMs = 1000;
}

/** What changed between two consecutive snapshots, as events an operator cares about. */
export function diffSnapshots(previous: TopologySnapshot | null, next: TopologySnapshot, memory = new EventMemory()): Draft[] {
  memory.tick++;
  memory.intervalMs = next.pollIntervalMs;
  const before = nodesByAddress(previous?.nodes ?? []);
  const after = nodesByAddress(next.nodes);
  const out: Draft[] = [];
  const add: Add = (node, kind, message, peer, resync) => {
    const draft: Draft = peer ? { node, kind, message, peer } : { node, kind, message };
    if (resync === 'completes') draft.completes = true;
    if (resync === 'completes' || resync === 'replaced') draft.replaced = true;
    if (kind === 'link-down') memory.dropSaid.add(node);
    out.push(draft);
  };

  // An address a replica list names that has never answered is no node yet: it "joins" at its
  // first reading, and leaves without an event. A churning list cannot flood the timeline.
  const appeared = (node: NodeState): void => add(node.address, 'node-appeared', `${node.address} joined the topology (${describe(node)})`);
  for (const node of next.nodes) {
    const old = before.get(node.address);
    if (!old) {
      if (previous && everRead(node)) appeared(node);
      continue;
    }
    if (!everRead(old) && everRead(node)) {
      appeared(node);
      continue;
    }
    nodeChanges(old, node, add);
  }
  // Replicas first: a master's sync_full increments are matched against what they show.
  if (previous) {
    noteAway(memory, next, before, after);
    for (const node of next.nodes) replicaFullSync(memory, before.get(node.address), node, after, add);
    for (const node of next.nodes) masterSyncs(memory, before, node, next, add);
    for (const old of before.values()) droppedReplicas(old, after.get(old.address), next, previous.nodes, add);
    // Twice, not once: the master's count of a sync that ran between two polls may come a reading later.
    for (const address of memory.dropSaid) if (linkUp(before.get(address)) && linkUp(after.get(address))) memory.dropSaid.delete(address);
  }
  remember(memory, next, after);
  for (const old of before.values()) {
    if (!after.has(old.address) && everRead(old)) add(old.address, 'node-vanished', `${old.address} left the topology`);
  }
  return out;
}

function linkUp(node: NodeState | undefined): boolean {
  return node !== undefined && node.reachable && node.linkStatus === 'up' && !node.sync;
}

/** Whether the console has ever had an answer from this node (remembered nodes count). */
function everRead(node: NodeState): boolean {
  return node.polledAt !== null || node.runId !== null;
}

function nodeChanges(old: NodeState, node: NodeState, add: Add): void {
  const a = node.address;
  if (old.reachable && !node.reachable) {
    add(a, 'unreachable', `${a} became unreachable: ${node.error?.message ?? 'no answer'}`);
  } else if (!old.reachable && node.reachable) {
    add(a, 'reachable', `${a} is reachable again`);
  }
  if (old.runId && node.runId && old.runId !== node.runId) {
    add(a, 'restart', `${a} restarted (new run_id ${node.runId.slice(0, 8)}…, uptime ${node.uptimeSeconds ?? '?'} s)`);
  }
  const roleKnown = old.role !== 'unknown' && node.role !== 'unknown';
  if (roleKnown && old.role !== node.role) {
    const to = node.role === 'replica' ? `replica of ${node.master ?? '?'}` : node.role;
    add(a, 'role-change', `${a} changed role: ${old.role} → ${to}`);
  } else if (node.role === 'replica' && old.role === 'replica' && old.master !== node.master) {
    add(a, 'role-change', `${a} now replicates from ${node.master ?? '?'} (was ${old.master ?? '?'})`);
  }
  if (node.reachable && old.reachable && node.role === 'replica') {
    if (old.linkStatus === 'up' && node.linkStatus === 'down') {
      add(a, 'link-down', `${a}: link to ${node.master ?? 'its master'} is down`);
    } else if (old.linkStatus !== 'up' && node.linkStatus === 'up') {
      add(a, 'link-up', `${a}: link to ${node.master ?? 'its master'} is up`);
    }
  }
}

/**
 * A replica's own signs that its data was replaced: a sync transfer started
 * (master_sync_in_progress), or a new replid that is not a partial resync's switch (which
 * keeps the old one as replid2), often with the offset reset. Compared with the last reading
 * before an unreachable spell too, so a replica restarted empty is caught. A sync reported
 * while it ran says "was replaced" once it has finished: its link is up again.
 */
function replicaFullSync(memory: EventMemory, old: NodeState | undefined, node: NodeState, after: ReadonlyMap<string, NodeState>, add: Add): void {
  if (!node.reachable || node.role !== 'replica') return;
  const a = node.address;
  const last = memory.histories.get(a) ?? (old?.replid ? { replid: old.replid, offset: old.offset, runId: old.runId } : null);
  let why: string | null = null;
  const started = Boolean(node.sync) && old !== undefined && !old.sync;
  if (started) why = 'master_sync_in_progress: the sync started';
  else if (!node.sync && last && node.replid && node.replid !== last.replid && node.replid2 !== last.replid) {
    const reset = last.offset !== null && node.offset !== null && node.offset < last.offset;
    why = `new replication ID ${node.replid.slice(0, 8)}…${reset ? `, offset reset from ${last.offset ?? '?'} to ${node.offset ?? '?'}` : ''}`;
  }
  const finished = node.linkStatus === 'up' && !node.sync;
  const pending = memory.unfinished.get(a);
  if (pending !== undefined && finished) {
    // The sync already reported is over (the new replication ID it ends with is that sync): only
    // now was the data replaced (a restart without its history said what it lost when seen).
    memory.unfinished.delete(a);
    memory.resyncedAt.set(a, memory.tick);
    // Re-pointed while it synced: the sync that finished is from the master it follows now.
    const from = node.master ?? pending.master;
    const moved = from !== pending.master ? ` (re-pointed from ${pending.master} while it synced)` : '';
    // Its master read without it listed was read before this attempt began (a fast sync after
    // failing ones): the sync_full that rises next for it is this sync, not another one. So for
    // a master it was re-pointed to, listed or not: a replica's INFO stats is read only once it
    // serves one, and its count came a poll later as "again, more than once between two polls".
    const upstream = node.master ? after.get(node.master) : undefined;
    if (node.master && upstream?.reachable && (moved || !listedBy(upstream, node))) memory.lateCount.set(a, { master: node.master, tick: memory.tick });
    add(a, 'full-resync', `${a}'s data was replaced by a full resync from ${from}${moved}: the sync finished, its link is up`, from, 'completes');
    return;
  }
  if (!why) return;
  if (pending !== undefined) {
    // A sync already reported: its transfer starting after its master counted it is that sync.
    // A transfer after one that broke off is another attempt: counted against its master's
    // sync_full, not reported again (SYNC_FAILING says it once).
    if (started && pending.state === 'loading' && node.master) uncount(memory, node.master, a);
    if (started) pending.state = 'loading';
    return;
  }
  const master = node.master ?? 'its master';
  const upstream = node.master ? after.get(node.master) : undefined;
  if (node.master) uncount(memory, node.master, a);
  memory.resyncedAt.set(a, memory.tick);
  if (started && old?.runId === node.runId && old.master === node.master) unseenDrop(memory, a, master, add);
  const note = demotedNote(memory, a, master, upstream);
  // A new process with a new history and no sync yet lost its history in the restart, not to a
  // sync: "started a full resync" was false where no sync can start (a cycle).
  const lastRun = last?.runId ?? null;
  if (!started && !finished && lastRun !== null && node.runId !== null && node.runId !== lastRun) {
    memory.unfinished.set(a, { state: 'waiting', master });
    const restarted = `${a} restarted without its replication history (${why}): it holds nothing, or a dump older than its history`;
    add(a, 'full-resync', `${restarted}, and takes ${master}'s data in a full sync once its link is up${note}`, node.master ?? undefined);
    return;
  }
  if (!finished) memory.unfinished.set(a, { state: node.sync ? 'loading' : 'waiting', master });
  add(a, 'full-resync', `${fullResync(a, master, finished, why)}${note}${bufferLimitNote(upstream)}`, node.master ?? undefined, finished ? 'replaced' : 'started');
}

/**
 * A full resync of a replica that neither restarted nor changed master means its link dropped:
 * said as a link-down when the console did not see it go (the replica was not read then, or the
 * drop and the new sync fell between two polls), so every drop is counted.
 */
function unseenDrop(memory: EventMemory, replica: string, master: string, add: Add): void {
  if (!memory.dropSaid.has(replica)) add(replica, 'link-down', `${replica}: link to ${master} went down (seen by the full resync that followed)`);
  memory.dropSaid.delete(replica);
}

/** A replica-side full sync its master's sync_full is still to count. */
function uncount(memory: EventMemory, master: string, replica: string): void {
  memory.uncounted.set(master, [...(memory.uncounted.get(master) ?? []), { replica, tick: memory.tick }]);
}

/** Ticks that span `ms` at the current poll interval: the same time whatever a front end polls at. */
function ticksIn(memory: EventMemory, ms: number): number {
  return Math.max(2, Math.ceil(ms / Math.max(1, memory.intervalMs)));
}

/**
 * Remember when each replica was last seen away from its master: not read, its link not up, in a
 * sync, restarted, re-pointed, or not listed online by its master. A resync it went through
 * between two polls shows then only in its master's sync_full, and this says whose it may be.
 */
function noteAway(memory: EventMemory, next: TopologySnapshot, before: ReadonlyMap<string, NodeState>, after: ReadonlyMap<string, NodeState>): void {
  for (const node of next.nodes) {
    const old = before.get(node.address);
    const wasReplica = node.role === 'replica' || old?.role === 'replica';
    if (!wasReplica) continue;
    const master = node.master ? after.get(node.master) : undefined;
    const line = master ? listedLineOf(master, node) : undefined;
    const away =
      !node.reachable ||
      node.linkStatus !== 'up' ||
      Boolean(node.sync) ||
      old === undefined ||
      !old.reachable ||
      old.runId !== node.runId ||
      old.master !== node.master ||
      (line !== undefined && line.state !== 'online') ||
      (master?.reachable === true && line === undefined && master.replicas.length > 0);
    if (away) memory.away.set(node.address, memory.tick);
  }
}

/**
 * A master whose output buffer limit for replicas holds under a minute of its writes drops a
 * replica that falls that far behind (a pause, a slow link), and the replica resyncs in full,
 * again and again under the same writes: said on a resync of a replica whose link dropped.
 */
function bufferLimitNote(master: NodeState | undefined): string {
  const setting = master?.settings?.clientOutputBufferLimitReplica ?? null;
  const rate = master?.backlogWindow?.writeBytesPerSecond ?? null;
  if (!master || setting === null || rate === null || rate <= 0) return '';
  const [hard, soft] = setting.split(/\s+/).map(sizeBytes);
  const limits = [hard, soft].filter((n): n is number => typeof n === 'number' && n > 0);
  if (limits.length === 0) return '';
  const smallest = Math.min(...limits);
  if (smallest >= rate * BUFFER_LIMIT_SECONDS) return '';
  return (
    `. Its link to ${master.address} dropped under writes: ${master.address}'s client-output-buffer-limit replica ${setting} holds ` +
    `${(smallest / rate).toFixed(1)} s of its writes (${formatBytes(rate)}/s), and a replica that falls that far behind is disconnected and resyncs in full. ` +
    `Raise it to at least ${formatBytes(Math.ceil(rate * BUFFER_LIMIT_SECONDS))} (a minute of writes)`
  );
}

/** "268435456", "256mb", "64k" as bytes (CONFIG GET gives bytes; a config file may not). */
function sizeBytes(text: string | undefined): number | null {
  const match = /^(\d+)(k|kb|m|mb|g|gb)?$/i.exec(text ?? '');
  if (!match) return null;
  const unit = (match[2] ?? '').toLowerCase();
  const scale = unit.startsWith('g') ? 1024 ** 3 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('k') ? 1024 : 1;
  // Redis reads "k" as 1000 and "kb" as 1024: close enough to say a limit is small.
  return Number(match[1]) * scale;
}

/**
 * A full resync's event: started while the snapshot is made, sent or loaded (the replica keeps its
 * old data until it loads, and a sync that keeps failing never gets there), replaced once its link is up.
 */
function fullResync(replica: string, master: string, done: boolean, why: string): string {
  return done
    ? `${replica}'s data was replaced by a full resync from ${master} (${why})`
    : `${replica} started a full resync from ${master} (${why}): its data is replaced once the sync finishes`;
}

/**
 * A master made a replica (a split brain joined, a failed-over master back) that resyncs in full:
 * the writes it took as a master and its new master never had are gone with its old data. Not
 * when its new master (`upstream`, as read now) has all of them: a master restarted empty under
 * its own replica (a stale replicaof line) lost nothing its replica does not hold, and the note
 * said the loss the other way round.
 */
function demotedNote(memory: EventMemory, address: string, master: string, upstream: NodeState | undefined): string {
  const was = memory.masterAt.get(address);
  if (was === undefined || memory.tick - was.tick > DEMOTED_TICKS) return '';
  if (upstream?.reachable && holdsHistoryOf(upstream, was)) return '';
  // A replica promoted by mistake and put back before any write loses nothing: since it was
  // promoted (a known start), its offset grew by its own PINGs at most (none without replicas).
  // Anything less known (first read as a master already, a history restarted) keeps the note.
  const pings = was.withReplicas ? PING_BYTES * (Math.floor(((was.tick - was.since) * memory.intervalMs) / PING_PERIOD_MS) + 2) : 0;
  const grew = was.offset !== null && was.startOffset !== null && was.offset - was.startOffset > pings;
  if (was.promoted && !grew) return '';
  // Writes seen (its offset grew past its PINGs): lost. Else its offset cannot tell: a master read
  // as one from the start (an old master restarted empty, then converted by Sentinel) counts no
  // writes in it without replicas, and "the writes it took … are lost" claimed a loss nobody saw.
  return grew
    ? `. It was a master until just now: the writes it took as a master that ${master} does not have are lost`
    : `. It was a master until just now: any write it took as a master that ${master} does not have is lost`;
}

/** Remember a node read as a master: a new history starts its count again. */
function rememberMaster(memory: EventMemory, node: NodeState): void {
  const was = memory.masterAt.get(node.address);
  const withReplicas = (node.connectedReplicas ?? 0) > 0;
  if (was && was.replid === node.replid) {
    was.tick = memory.tick;
    was.offset = node.offset;
    was.withReplicas ||= withReplicas;
    return;
  }
  // Promoted: its history as a master starts where its replica history (replid2) ended.
  const promotedAt = node.replid2 !== null && node.secondReplOffset !== null ? node.secondReplOffset - 1 : null;
  memory.masterAt.set(node.address, {
    tick: memory.tick,
    since: memory.tick,
    replid: node.replid,
    startOffset: promotedAt ?? node.offset,
    offset: node.offset,
    promoted: promotedAt !== null,
    withReplicas,
  });
}

/**
 * A master's sync counters: sync_full against the last value of this run_id, or against 0
 * after a restart (a master restarted empty resyncs every replica at once). Increments the
 * replicas already reported are not reported again; the rest name the replicas this master
 * lists as syncing, and only what no replica explains is reported on the master itself.
 */
function masterSyncs(
  memory: EventMemory,
  before: ReadonlyMap<string, NodeState>,
  node: NodeState,
  next: TopologySnapshot,
  add: Add,
): void {
  if (!node.stats) return;
  const a = node.address;
  const old = before.get(a);
  const last = memory.counters.get(a) ?? (old?.stats ? { runId: old.runId, syncFull: old.stats.syncFull, syncPartialOk: old.stats.syncPartialOk } : null);
  if (!last) return;
  const restarted = last.runId !== null && node.runId !== null && last.runId !== node.runId;
  const full = node.stats.syncFull - (restarted ? 0 : last.syncFull);
  let partial = node.stats.syncPartialOk - (restarted ? 0 : last.syncPartialOk);
  if (full > 0) {
    const fresh = (memory.uncounted.get(a) ?? []).filter((u) => memory.tick - u.tick <= ticksIn(memory, MATCH_MS));
    const counted = fresh.slice(0, full);
    memory.uncounted.set(a, fresh.slice(counted.length));
    const matched = new Set(counted.map((u) => u.replica));
    let left = full - counted.length;
    const { syncing, returning } = syncingReplicasOf(memory, node, next);
    // After the replicas seen in a sync now (a count is theirs first), a sync already said replaced.
    const late = [...memory.lateCount]
      .filter(([replica, at]) => at.master === a && memory.tick - at.tick <= ticksIn(memory, MATCH_MS) && !syncing.includes(replica))
      .map(([replica]) => replica);
    for (const replica of [...syncing, ...late, ...returning]) {
      if (left === 0) break;
      if (matched.has(replica)) continue;
      if (late.includes(replica)) {
        memory.lateCount.delete(replica);
        matched.add(replica);
        left--;
        continue;
      }
      if (memory.unfinished.has(replica)) {
        left--; // another attempt of a replica that keeps failing: SYNC_FAILING says so, once
        continue;
      }
      // Until it is seen linked up again: a big snapshot is made, sent and loaded over many polls,
      // and the new replication ID the replica ends with is this sync, not another one.
      // Done only where its master lists it online too: a replica read linked up while its master,
      // read after the link dropped, lists it in wait_bgsave or send_bulk is a reading from before
      // this sync (polls land on either side of the drop), not one it finished.
      const seen = next.nodes.find((n) => n.address === replica);
      const line = seen ? listedLineOf(node, seen) : undefined;
      const done = seen?.linkStatus === 'up' && !seen.sync && (line === undefined || line.state === 'online');
      if (!done) memory.unfinished.set(replica, { state: seen?.sync ? 'loading' : 'waiting', master: a });
      memory.resyncedAt.set(replica, memory.tick);
      if (seen && before.get(replica)?.runId === seen.runId && before.get(replica)?.master === a) unseenDrop(memory, replica, a, add);
      const why = `sync_full ${node.stats.syncFull}${restarted ? ' since its restart' : ''}`;
      add(replica, 'full-resync', `${fullResync(replica, a, done, why)}${demotedNote(memory, replica, a, node)}${bufferLimitNote(node)}`, a, done ? 'replaced' : 'started');
      left--;
    }
    // A sync client in a sync now (redis-cli --rdb: port 0) took one: said as what it is, not as a replica's data replaced.
    const clients = left > 0 ? node.syncClients.filter((c) => c.state !== 'online').slice(0, left) : [];
    if (clients.length > 0) {
      const ips = [...new Set(clients.map((c) => c.ip))].join(', ');
      add(
        a,
        'full-resync',
        `${a} started ${count(clients.length, 'full sync')} for ${clients.length === 1 ? 'a sync client' : 'sync clients'} at ${ips} that announced no port ` +
          `(${SYNC_CLIENT_KINDS}; sync_full ${node.stats.syncFull}): ${a} makes a snapshot for it, and no replica's data is replaced`,
      );
      left -= clients.length;
    }
    if (left > 0) {
      // sync_full counts a sync when it starts: one dropped half-way (an output buffer limit) replaced nothing.
      // More syncs than replicas away: some of them synced twice between two polls, which the console cannot tell apart.
      const recent = next.nodes.filter((n) => n.master === a && memory.tick - (memory.resyncedAt.get(n.address) ?? -Infinity) <= ticksIn(memory, AWAY_MS)).map((n) => n.address);
      const whose = recent.length > 0 ? `, again to ${recent.join(' or ')} (more than once between two polls)` : '';
      // A sync client it lists, done by now (a small snapshot is sent between two polls), may have taken it.
      const listedClients = [...new Set(node.syncClients.map((c) => c.ip))];
      const orClient = listedClients.length > 0 ? `, unless it was for the sync client${node.syncClients.length === 1 ? '' : 's'} it lists at ${listedClients.join(', ')} (no port announced: ${SYNC_CLIENT_KINDS})` : '';
      add(
        a,
        'full-resync',
        `${a} started ${count(left, 'full resync')} (sync_full ${node.stats.syncFull}${restarted ? ' since its restart' : ''})${whose}: a replica's data is replaced once its sync completes${orClient}`,
      );
    }
    // Valkey 8's dual-channel sync loads the snapshot on one channel and PSYNCs the rest on the
    // other: sync_partial_ok counts that second half of the same full sync.
    if (node.version?.startsWith('valkey')) partial = Math.max(0, partial - full);
  }
  if (partial > 0) add(a, 'partial-resync', `${a} served ${count(partial, 'partial resync')} (sync_partial_ok ${node.stats.syncPartialOk})`);
}

/**
 * The replicas of a master that may have been served its full syncs: those it lists in a sync
 * state or that show a sync in progress (`syncing`), and those seen away from it lately
 * (`returning`: a small sync is over before the next poll, and the poll that saw it away may be
 * several back), the most recent first.
 */
function syncingReplicasOf(memory: EventMemory, master: NodeState, next: TopologySnapshot): { syncing: string[]; returning: string[] } {
  const syncing: string[] = [];
  const returning: { address: string; tick: number }[] = [];
  for (const node of next.nodes) {
    if (node.master !== master.address) continue;
    const line = listedLineOf(master, node);
    const awayAt = memory.away.get(node.address);
    const explained = (memory.resyncedAt.get(node.address) ?? -1) >= (awayAt ?? -1);
    if (node.sync || (line && line.state !== 'online')) syncing.push(node.address);
    else if (awayAt !== undefined && !explained && memory.tick - awayAt <= ticksIn(memory, AWAY_MS)) returning.push({ address: node.address, tick: awayAt });
  }
  returning.sort((x, y) => y.tick - x.tick);
  return { syncing, returning: returning.map((r) => r.address) };
}

/** Whether `master` lists `replica` (by the address it lists, or one of the replica's aliases), in any state. */
function listedBy(master: NodeState, replica: NodeState): boolean {
  return listedLineOf(master, replica) !== undefined;
}

/** A master that stops listing a replica which is alive and still points at it (dropped: timeout, output buffer). */
function droppedReplicas(old: NodeState, node: NodeState | undefined, next: TopologySnapshot, previous: readonly NodeState[], add: Add): void {
  if (!node?.reachable || !old.reachable || old.runId !== node.runId) return;
  const listedNow = new Set(node.replicas.map((r) => r.address));
  for (const line of old.replicas) {
    if (listedNow.has(line.address)) continue;
    const replica = next.nodes.find((n) => n.address === line.address || n.aliases.includes(line.address));
    // A restarted replica is not listed until it reconnects: that is no drop.
    const was = previous.find((n) => n.address === replica?.address);
    if (!replica?.reachable || replica.master !== node.address || !was?.reachable || was.runId !== replica.runId) continue;
    if (node.replicas.some((r) => r.address === replica.address || replica.aliases.includes(r.address))) continue;
    // A replica that lost its own master, or resyncs from it, drops its replicas: they follow its new data.
    const why =
      node.role === 'replica' && (node.linkStatus !== 'up' || node.sync)
        ? `it has no link to its own master ${node.master ?? '?'} (or is resyncing from it), and its replicas then have to resync too`
        : 'a timeout or its output buffer limit';
    add(node.address, 'replica-dropped', `${node.address} dropped its replica ${replica.address}, which is alive and still replicates from it (link ${replica.linkStatus ?? '?'}): ${why}`);
  }
}

function remember(memory: EventMemory, next: TopologySnapshot, present: ReadonlyMap<string, NodeState>): void {
  // Updated in place: every node has an entry on every tick.
  for (const node of next.nodes) {
    if (node.stats) {
      const counters = memory.counters.get(node.address);
      if (counters) {
        counters.runId = node.runId;
        counters.syncFull = node.stats.syncFull;
        counters.syncPartialOk = node.stats.syncPartialOk;
      } else {
        memory.counters.set(node.address, { runId: node.runId, syncFull: node.stats.syncFull, syncPartialOk: node.stats.syncPartialOk });
      }
    }
    if (node.reachable && node.role === 'master') rememberMaster(memory, node);
    if (node.reachable && node.replid && !node.sync) {
      const history = memory.histories.get(node.address);
      if (history) {
        history.replid = node.replid;
        history.offset = node.offset;
        history.runId = node.runId;
      } else {
        memory.histories.set(node.address, { replid: node.replid, offset: node.offset, runId: node.runId });
      }
    }
  }
  for (const [address, at] of memory.lateCount) if (memory.tick - at.tick > ticksIn(memory, MATCH_MS)) memory.lateCount.delete(address);
  for (const map of [memory.counters, memory.histories, memory.away, memory.resyncedAt, memory.uncounted, memory.masterAt, memory.lateCount]) {
    for (const address of map.keys()) if (!present.has(address)) map.delete(address);
  }
  for (const address of memory.unfinished.keys()) if (!present.has(address)) memory.unfinished.delete(address);
  for (const address of memory.dropSaid) if (!present.has(address)) memory.dropSaid.delete(address);
}

function describe(node: NodeState): string {
  if (!node.reachable) return 'unreachable';
  return node.role === 'replica' ? `replica of ${node.master ?? '?'}` : node.role;
}

function count(n: number, noun: string): string {
  return n === 1 ? `a ${noun}` : `${n} ${noun}s`;
}
