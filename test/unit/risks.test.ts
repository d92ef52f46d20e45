import { describe, expect, it } from 'vitest';
import { parseSettings, persistenceOff } from '../../electron/engine/replication-settings';
import { DATA_LOSS_KEEP_MS, DataLossWatch } from '../../electron/engine/data-loss';
import type { RememberedNode } from '../../electron/engine/topology-memory';
import { hazardsLast } from '../../electron/engine/snapshot';
import { FAILING_UNREAD_SECONDS, FAILOVER_GAP_BYTES, foldMasterDown, riskWarnings, splitBrain } from '../../electron/engine/warnings';
import type { ListedReplica, NodeState, ReplicationSettings, TopologySnapshot, TopologyWarning } from '../../electron/shared/types';
import { inSyncLag, nodeState } from '../helpers/node-state';

const OFF: ReplicationSettings = parseSettings({ save: '' }, { aof_enabled: '0' });

function replica(address: string, over: Partial<NodeState> = {}): NodeState {
  return nodeState(address, { role: 'replica', master: 'm:1', linkStatus: 'up', depth: 1, readOnly: true, lag: inSyncLag(), ...over });
}

const codes = (states: NodeState[]): string[] => riskWarnings(states, 0).map((w) => w.code);

describe('replication settings', () => {
  it('reads CONFIG GET replies and aof_enabled; a refused one stays unknown', () => {
    const s = parseSettings(
      {
        save: '3600 1 300 100',
        'repl-backlog-size': '1048576',
        'repl-timeout': '60',
        'client-output-buffer-limit': 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
        'min-replicas-to-write': '0',
        'repl-diskless-sync': 'yes',
        'repl-diskless-load': null,
      },
      { aof_enabled: '1' },
    );
    expect(s).toEqual({
      save: '3600 1 300 100',
      aofEnabled: true,
      replBacklogSize: 1048576,
      replTimeout: 60,
      clientOutputBufferLimitReplica: '268435456 67108864 60',
      minReplicasToWrite: 0,
      minReplicasMaxLag: null,
      replDisklessSync: true,
      replDisklessLoad: null,
      stopWritesOnBgsaveError: null,
      replicaIgnoreDiskWriteErrors: null,
      loadedKeys: null,
      loading: null,
    });
    expect(persistenceOff(OFF)).toBe(true);
    expect(persistenceOff(parseSettings({ save: '' }, { aof_enabled: '1' }))).toBe(false);
    expect(persistenceOff(parseSettings({ save: '3600 1' }, { aof_enabled: '0' }))).toBe(false);
    // NOPERM on CONFIG GET: unknown, not "off".
    expect(persistenceOff(parseSettings({ save: null }, { aof_enabled: '0' }))).toBeNull();
  });
});

describe('riskWarnings', () => {
  it('MASTER_NO_PERSISTENCE only for a master with replicas, persistence known to be off', () => {
    expect(codes([nodeState('m:1', { settings: OFF }), replica('r:1')])).toEqual(['MASTER_NO_PERSISTENCE']);
    expect(codes([nodeState('m:1', { settings: OFF })])).toEqual([]);
    expect(codes([nodeState('m:1', { settings: { ...OFF, save: null } }), replica('r:1')])).toEqual([]);
    // Either kind of persistence on is enough.
    expect(codes([nodeState('m:1', { settings: { ...OFF, aofEnabled: true } }), replica('r:1')])).toEqual([]);
    expect(codes([nodeState('m:1', { settings: { ...OFF, save: '3600 1' } }), replica('r:1')])).toEqual([]);
    // Replicas it lists but the console has not read count as replicas.
    const listed: ListedReplica = { address: 'r:1', state: 'online', ackOffset: 0, ackAgeSeconds: 0 };
    expect(codes([nodeState('m:1', { settings: OFF, replicas: [listed] })])).toEqual(['MASTER_NO_PERSISTENCE']);
  });

  it('WRITABLE_REPLICA for replica-read-only no', () => {
    expect(codes([nodeState('m:1'), replica('r:1', { readOnly: false })])).toEqual(['WRITABLE_REPLICA']);
  });

  it('BACKLOG_EXCEEDED when the lag is past what the master backlog holds', () => {
    const master = nodeState('m:1', { backlog: { active: true, size: 16384, firstByteOffset: 1, histlen: 16384 } });
    expect(codes([master, replica('r:1', { lag: inSyncLag({ bytesBehindMaster: 16000 }) })])).toEqual([]);
    const warnings = riskWarnings([master, replica('r:1', { lag: inSyncLag({ bytesBehindMaster: 20000 }) })], 0);
    expect(warnings.map((w) => [w.code, w.nodes])).toEqual([['BACKLOG_EXCEEDED', ['r:1', 'm:1']]]);
    // A replica that cannot be read (stalled past its poll's timeout) is judged by its master's record of it.
    const stalled = replica('r:1', { reachable: false, error: { code: 'TIMEOUT', message: 'r:1 did not answer within 1500 ms' }, lag: inSyncLag({ bytesBehindMaster: 351_032, basis: 'ack' }) });
    expect(codes([master, stalled])).toEqual(['BACKLOG_EXCEEDED']);
  });

  it('BACKLOG_SHORT under a minute of writes, not while idle', () => {
    const window = (coversSeconds: number | null): NodeState =>
      nodeState('m:1', { backlogWindow: { writeBytesPerSecond: 1000, coversSeconds, awaySeconds: null } });
    expect(codes([window(30), replica('r:1')])).toEqual(['BACKLOG_SHORT']);
    expect(codes([window(90), replica('r:1')])).toEqual([]);
    expect(codes([window(null), replica('r:1')])).toEqual([]);
    // Under a second is said in milliseconds, not "0 s".
    expect(riskWarnings([window(0.4), replica('r:1')], 0)[0]?.message).toContain('holds 400 ms of writes');
  });

  it('SYNC_FAILING: an RDB format the replica cannot load, repeated attempts, a link down for long', () => {
    const valkey = nodeState('m:1', { version: 'valkey 8.0.1' });
    const rdb = riskWarnings([valkey, replica('r:1', { version: 'redis 7.0.15', linkStatus: 'down', sync: { totalBytes: null, readBytes: null, percent: null, lastIoSecondsAgo: 0 } })], 0);
    expect(rdb.map((w) => [w.code, w.nodes])).toEqual([['SYNC_FAILING', ['r:1', 'm:1']]]);
    expect(rdb[0]?.message).toContain('RDB format 11, newer than the 10 it reads');
    // Valkey 8 under Redis 7.2 reads the same format: no warning.
    expect(codes([valkey, replica('r:1', { version: 'redis 7.2.4', linkStatus: 'down' })])).toEqual([]);
    const attempts = riskWarnings([nodeState('m:1'), replica('r:1', { linkStatus: 'down', syncAttempts: 4 })], 0);
    expect(attempts[0]?.message).toContain('started 4 full syncs');
    expect(codes([nodeState('m:1'), replica('r:1', { linkStatus: 'down', linkDownSinceSeconds: 45 })])).toEqual(['SYNC_FAILING']);
    expect(codes([nodeState('m:1'), replica('r:1', { linkStatus: 'down', linkDownSinceSeconds: 5 })])).toEqual([]);
    // Synced now: past attempts are history.
    expect(codes([nodeState('m:1'), replica('r:1', { syncAttempts: 4 })])).toEqual([]);
    // Its master just came back (restarted 4 s ago, or answering again for 4 s after the console read it down): the
    // replica reconnects; its link was down for the master's outage, not for a sync that fails.
    const linkDown52 = replica('r:1', { linkStatus: 'down', linkDownSinceSeconds: 52 });
    expect(riskWarnings([nodeState('m:1', { uptimeSeconds: 4 }), linkDown52], 100_000)).toEqual([]);
    expect(riskWarnings([nodeState('m:1', { answeringSince: 96_000 }), linkDown52], 100_000)).toEqual([]);
    // Once the master has answered for 30 s, the link still down is failing.
    expect(riskWarnings([nodeState('m:1', { answeringSince: 70_000 }), linkDown52], 100_000)[0]?.message).toContain("r:1's link to m:1 has been down for 52 s although the master answers the console");
    // Its master lost its own master (NOMASTERLINK): the cause is above, not masterauth or an ACL.
    const middle = replica('a:1', { linkStatus: 'down', linkDownSinceSeconds: 50 });
    const upstream = riskWarnings([nodeState('m:1', { reachable: false }), middle, replica('r:1', { master: 'a:1', depth: 2, linkStatus: 'down', linkDownSinceSeconds: 45 })], 0);
    const below = upstream.find((w) => w.code === 'SYNC_FAILING' && w.nodes[0] === 'r:1');
    expect(below?.message).toMatch(/^r:1 cannot sync from a:1: a:1 has no link to its own master \(m:1\) .*NOMASTERLINK.*Mend a:1's link first/);
    expect(below?.message).not.toMatch(/masterauth|ACL/);
    expect(riskWarnings([nodeState('m:1'), middle, replica('r:1', { master: 'a:1', depth: 2, linkStatus: 'down', linkDownSinceSeconds: 5 })], 0).filter((w) => w.nodes[0] === 'r:1')).toEqual([]);
    // Its master restarted and loads its dataset (PSYNC answered LOADING): not a credentials problem, it waits.
    const persistence = { rdbSaveInProgress: false, aofRewriteInProgress: false, lastSaveStatus: null, lastSaveAt: null, changesSinceLastSave: null, aofLastWriteStatus: null, loading: { percent: 40, etaSeconds: 60 } };
    const load = { readAt: 0, opsPerSecond: null, netInputBytesPerSecond: null, netOutputBytesPerSecond: null, usedMemoryBytes: null, maxMemoryBytes: null, maxMemoryPolicy: null, memoryNotCountedBytes: null, keysWithTtl: null, connectedClients: null, persistence };
    expect(codes([nodeState('m:1', { load }), replica('r:1', { linkStatus: 'down', linkDownSinceSeconds: 45, syncAttempts: 5 })])).toEqual([]);
    // Its master is itself loading a full sync from above: nothing to mend, it waits.
    const loading = replica('a:1', { linkStatus: 'down', sync: { totalBytes: 1000, readBytes: 400, percent: 40, lastIoSecondsAgo: 0 } });
    const waiting = riskWarnings([nodeState('m:1'), loading, replica('r:1', { master: 'a:1', depth: 2, linkStatus: 'down', linkDownSinceSeconds: 45 })], 0);
    expect(waiting.find((w) => w.code === 'SYNC_FAILING' && w.nodes[0] === 'r:1')?.message).toMatch(/^r:1 cannot sync from a:1: a:1 is itself in a full sync from m:1 and serves no sync until it has loaded it/);
  });

  it("SYNC_FAILING of a replica not read now goes on on its master's word: listed still in a sync, or not listed while its reads time out; not once synced, gone, or long unread", () => {
    // It cannot write the RDB it is sent: blocked ~5 s at each attempt, the console's reads time out.
    const now = 100_000;
    const listed = (state: string, ackOffset: number): ListedReplica[] => [{ address: 'r:1', state, ackOffset, ackAgeSeconds: 0 }];
    const timedOut = { code: 'TIMEOUT' as const, message: 'r:1 did not answer in time' };
    const unread = (over: Partial<NodeState> = {}): NodeState =>
      replica('r:1', { reachable: false, error: timedOut, linkStatus: null, lag: null, syncAttempts: 4, polledAt: now - 6000, ...over });
    const failing = (master: Partial<NodeState>, r: Partial<NodeState> = {}): TopologyWarning[] =>
      riskWarnings([nodeState('m:1', { polledAt: now - 200, ...master }), unread(r)], now).filter((w) => w.code === 'SYNC_FAILING');
    // Its master lists it online before its first ACK (the RDB sent, not loaded), or waiting for its snapshot.
    const held = failing({ replicas: listed('online', 0) });
    expect(held.map((w) => w.nodes)).toEqual([['r:1', 'm:1']]);
    expect(held[0]?.message).toMatch(/^r:1 started 4 full syncs from m:1 in 2 minutes and none finished: .*cannot write or load what it receives \(its dir missing or not writable/);
    expect(failing({ replicas: listed('wait_bgsave', 0) })).toHaveLength(1);
    // Dropped at the end of an attempt, not back yet, while its reads time out: busy, not gone.
    expect(failing({ replicas: [] })).toHaveLength(1);
    // By an alias its master lists it under.
    expect(failing({ replicas: [{ address: 'r-alias:1', state: 'send_bulk', ackOffset: 0, ackAgeSeconds: 0 }] }, { aliases: ['r-alias:1'] })).toHaveLength(1);
    // Synced: its master has its ACK.
    expect(failing({ replicas: listed('online', 5000) })).toEqual([]);
    // Gone: the connection refused, its master lists it no longer.
    expect(failing({ replicas: [] }, { error: { code: 'UNREACHABLE', message: 'r:1: connection refused' } })).toEqual([]);
    // Not read for longer than FAILING_UNREAD_SECONDS: stalled, its UNREACHABLE stands for it.
    expect(failing({ replicas: listed('wait_bgsave', 0) }, { polledAt: now - (FAILING_UNREAD_SECONDS + 1) * 1000 })).toEqual([]);
    expect(failing({ replicas: listed('wait_bgsave', 0) }, { polledAt: now - (FAILING_UNREAD_SECONDS - 1) * 1000 })).toHaveLength(1);
    // Its master's word is old or missing.
    expect(failing({ replicas: listed('wait_bgsave', 0), stale: true })).toEqual([]);
    expect(failing({ replicas: listed('wait_bgsave', 0), reachable: false })).toEqual([]);
    // Too few attempts to say it fails.
    expect(failing({ replicas: listed('wait_bgsave', 0) }, { syncAttempts: 2 })).toEqual([]);
  });

  it('what is going wrong now comes before the hazards that have not struck yet, each in its order', () => {
    const w = (code: TopologyWarning['code'], n: string): TopologyWarning => ({ code, message: code, nodes: [n] });
    const out = hazardsLast([w('MASTER_NO_PERSISTENCE', 'm:1'), w('BACKLOG_SHORT', 'm:1'), w('SYNC_FAILING', 'a:1'), w('WRITABLE_REPLICA', 'b:1'), w('STALLED_UPSTREAM', 'c:1')]);
    expect(out.map((x) => x.code)).toEqual(['SYNC_FAILING', 'STALLED_UPSTREAM', 'MASTER_NO_PERSISTENCE', 'BACKLOG_SHORT', 'WRITABLE_REPLICA']);
  });

  it('MULTIPLE_MASTERS says split brain when two of the masters take writes now, not before', () => {
    const several = { code: 'MULTIPLE_MASTERS' as const, message: '2 masters in one topology: m:1 (1 replica), x:1 (lone master, no replicas). If more than one takes writes', nodes: ['m:1', 'x:1'] };
    const rate = (writeBytesPerSecond: number | null): Partial<NodeState> => ({ backlogWindow: { writeBytesPerSecond, coversSeconds: null, awaySeconds: null } });
    const idle = splitBrain([several], [nodeState('m:1', rate(2000)), nodeState('x:1', rate(1.4))]);
    expect(idle).toEqual([several]);
    const both = splitBrain([several], [nodeState('m:1', rate(2000)), nodeState('x:1', rate(512))]);
    expect(both[0]?.message).toMatch(/^Split brain: 2 masters take writes now: m:1 \(2\.0 KiB\/s\), x:1 \(512 B\/s\)\. .*2 masters in one topology/);
    expect(both[0]?.nodes).toEqual(['m:1', 'x:1']);
    // Unknown rates (under 10 s of history, one down) say nothing new.
    expect(splitBrain([several], [nodeState('m:1', rate(2000)), nodeState('x:1', { ...rate(900), reachable: false })])).toEqual([several]);
    // Writes too slow for the rate, but x:1 was promoted off m:1 (replid2) and both went on: their histories say split brain.
    const forked = splitBrain([several], [nodeState('m:1', { ...rate(2), replid: 'h-m', offset: 21_000 }), nodeState('x:1', { ...rate(3), replid: 'h-x', replid2: 'h-m', secondReplOffset: 20_157, offset: 21_114 })]);
    expect(forked[0]?.message).toMatch(/^Split brain: x:1 was promoted off m:1 at offset 20156 \(its replid2 is m:1's history\) and both have gone on since \(x:1 \+958 B, m:1 \+844 B of replication stream\): their data differs\./);
    // Promoted and idle since: not yet apart.
    expect(splitBrain([several], [nodeState('m:1', { replid: 'h-m', offset: 21_000 }), nodeState('x:1', { replid: 'h-x', replid2: 'h-m', secondReplOffset: 21_001, offset: 21_000 })])).toEqual([several]);
  });

  it('MASTER_DOWN: one headline for a dead root master, the warnings it explains folded under it', () => {
    const down = nodeState('m:1', { reachable: false, error: { code: 'UNREACHABLE', message: 'refused' } });
    const states = [down, replica('a:1', { linkStatus: 'down' }), replica('b:1', { linkStatus: 'down' }), replica('c:1', { master: 'a:1', depth: 2 }), nodeState('x:1')];
    const unknown = (a: string): { code: 'UNKNOWN_MASTER'; message: string; nodes: string[] } => ({ code: 'UNKNOWN_MASTER', message: `${a} → m:1`, nodes: [a, 'm:1'] });
    const other = { code: 'WRITABLE_REPLICA' as const, message: 'x', nodes: ['x:1'] };
    const out = foldMasterDown([{ code: 'UNREACHABLE', message: 'm:1 refused', nodes: ['m:1'] }, unknown('a:1'), unknown('b:1'), other], states, new Map([['m:1', Date.UTC(2026, 0, 1, 6, 58, 22)]]));
    expect(out.map((w) => w.code)).toEqual(['MASTER_DOWN', 'WRITABLE_REPLICA']);
    expect(out[0]?.message).toMatch(/^m:1 down since 06:58:22 UTC; 2 replicas orphaned \(3 nodes below it\) → fail over/);
    expect(out[0]?.nodes).toEqual(['m:1', 'a:1', 'b:1', 'c:1']);
    expect(out[0]?.folded?.map((w) => w.code)).toEqual(['UNREACHABLE', 'UNKNOWN_MASTER', 'UNKNOWN_MASTER']);
    expect(out[0]?.message).not.toContain('Do NOT restart');
    // Not read in this session (a one-shot command, a node from memory): its last reading, not when the console started.
    const remembered = foldMasterDown([], [{ ...down, lastSeenAt: Date.UTC(2026, 0, 1, 6, 50, 1) }, ...states.slice(1)], new Map([['m:1', null]]));
    expect(remembered[0]?.message).toMatch(/^m:1 down \(last read 2026-01-01 06:50:01 UTC\); 2 replicas orphaned/);
    expect(foldMasterDown([], [{ ...down, lastSeenAt: null }, ...states.slice(1)], new Map())[0]?.message).toMatch(/^m:1 down \(never read by this console\); /);
    // Without persistence (as last read), restarting it is what loses the data: fail over first.
    const empty = foldMasterDown([], [{ ...down, settings: OFF }, ...states.slice(1)], new Map());
    expect(empty[0]?.message).toMatch(/→ fail over first, do NOT restart m:1 before that: it has no persistence/);
    // Watched by Sentinels that can fail over: they do, not on-call (the console's failover refuses it: SENTINEL_MANAGED).
    const view = { name: 'orders', address: 'm:1', flags: ['s_down', 'o_down', 'master'], quorum: 2, ckquorum: { ok: true, message: 'OK 2 usable Sentinels' }, replicas: 2, otherSentinels: 1, configEpoch: 0, failoverState: null, leader: null };
    const sentinel = (address: string, over: Partial<typeof view> = {}): NodeState =>
      nodeState(address, { role: 'sentinel', offset: null, replid: null, depth: null, sentinel: { masters: [{ ...view, ...over }] } });
    const watched = foldMasterDown([], [{ ...down, settings: OFF }, ...states.slice(1), sentinel('s:1'), sentinel('s:2')], new Map());
    expect(watched[0]?.message).toMatch(
      /2 replicas orphaned \(3 nodes below it\) → Sentinel \("orders", 2 Sentinels watching it\) fails it over on its own \(see SENTINEL_DOWN\): do not promote a replica by hand, Sentinel would undo it\. Do NOT restart m:1 before that: it has no persistence/,
    );
    expect(watched[0]?.message).not.toMatch(/Promote the replica|→ fail over/);
    // Sentinels that cannot authorise a failover, or watch another master: the failover is on-call's again.
    expect(foldMasterDown([], [down, ...states.slice(1), sentinel('s:1', { ckquorum: { ok: false, message: 'NOQUORUM' } })], new Map())[0]?.message).toMatch(/→ fail over \(promote/);
    expect(foldMasterDown([], [down, ...states.slice(1), sentinel('s:1', { address: 'x:1' })], new Map())[0]?.message).toMatch(/→ fail over \(promote/);
    // One Sentinel of two failing CKQUORUM: the other can still lead (the plans' rule: all that answer must fail).
    expect(foldMasterDown([], [down, ...states.slice(1), sentinel('s:1'), sentinel('s:2', { ckquorum: { ok: false, message: 'NOQUORUM' } })], new Map())[0]?.message).toContain('fails it over on its own');
    // No replica Sentinel can promote (replica-priority 0 everywhere): it aborts with no good replica, so the failover is on-call's.
    const never = states.map((s) => (s.role === 'replica' ? { ...s, priority: 0 } : s));
    expect(foldMasterDown([], [down, ...never.slice(1), sentinel('s:1')], new Map())[0]?.message).toMatch(/→ fail over \(promote/);
    // The console's own SSH tunnel down: no node read, nothing known of them; never "→ fail over" (it said "fail over first" over three healthy nodes).
    const ssh = { reachable: false, error: { code: 'SSH' as const, message: 'the SSH tunnel root@bastion:22 dropped; it is re-opened on the next use' } };
    const blind = foldMasterDown([], [{ ...down, ...ssh, settings: OFF }, replica('a:1', ssh), replica('b:1', ssh)], new Map());
    expect(blind[0]?.message).toMatch(/^m:1 cannot be read .*, nor any node: the console's SSH tunnel is down \(the SSH tunnel root@bastion:22 dropped.*\)\. Nothing is known of their state → this is no reason to fail over/);
    expect(blind[0]?.message).not.toMatch(/fail over first|Promote the replica/);
    // A live root: nothing to fold.
    const live = [nodeState('m:1'), replica('a:1')];
    expect(foldMasterDown([other], live, new Map())).toEqual([other]);
  });

  it('MASTER_DOWN after a failover: a live master promoted off the dead one (its replid2 is the dead one\'s last history) makes it "already failed over", never "→ fail over"', () => {
    const down = nodeState('m:1', { reachable: false, error: { code: 'UNREACHABLE', message: 'refused' }, lastSeenAt: Date.UTC(2026, 0, 1, 6, 50, 1) });
    const p = nodeState('p:1', { replid: 'h-p', replid2: 'h-m', secondReplOffset: 5001, offset: 5100 });
    const gone = replica('b:1', { reachable: false, error: { code: 'UNREACHABLE', message: 'refused' } });
    const last = (offset: number | null) => new Map([['m:1', { replid: 'h-m', offset }]]);
    const headline = (states: NodeState[], history = last(5000)) => foldMasterDown([], states, new Map([['m:1', null]]), history)[0]?.message ?? '';
    const bare = headline([{ ...down, settings: OFF }, p, gone]);
    expect(bare).toBe(
      'm:1 down (last read 2026-01-01 06:50:01 UTC); already failed over: p:1 was promoted off it at offset 5000 (its replid2 is m:1\'s history) and is the master now. ' +
        'Still on m:1: b:1 (down) → re-point it to p:1 when it comes back (REPLICAOF p 1). Do NOT restart m:1 as a master: it has no persistence (no RDB saves, no AOF), ' +
        'so it would come back empty, and the replicas still on it would replace their data with its empty dataset. Bring it back only as a replica of p:1 (replicaof in its configuration file)',
    );
    // With persistence it comes back with its data, as a second master.
    expect(headline([down, p, gone])).toContain('Do not let m:1 come back as a master: it would be a second one beside p:1');
    // A live replica still on it: now; one with more of the old history than the promoted master: said, with what re-pointing costs.
    const linked = replica('a:1', { linkStatus: 'down', replid: 'h-m', offset: 5000 });
    expect(headline([down, p, linked, gone])).toContain('Still on m:1: a:1 (link down), b:1 (down) → re-point a:1 to p:1 now, the others when they come back');
    const ahead = replica('a:1', { linkStatus: 'down', replid: 'h-m', offset: 5400 });
    expect(headline([down, p, ahead])).toContain("a:1 (400 B of m:1's history past where p:1 left it: re-pointed, it full-syncs and drops them; copy what you need first) → re-point it to p:1 (REPLICAOF p 1)");
    // REPLICAOF as other servers reach the new master (its replicas' master_host), not the console's way in (NAT, Docker).
    const behindNat = replica('c:1', { master: 'p:1', masterAsReported: '10.0.0.5:6379' });
    expect(headline([down, p, linked, behindNat])).toContain('→ re-point it to p:1 (REPLICAOF 10.0.0.5 6379)');
    // Stalled rather than refused: it must stay down, or it resumes as a master.
    const stalled = headline([{ ...down, error: { code: 'TIMEOUT', message: 'm:1 did not answer in time' } }, p, gone]);
    expect(stalled).toMatch(/^m:1 does not answer \(last read .*\) \(m:1 did not answer in time\); already failed over: p:1 .* Make sure m:1 stays down/);
    // Two promoted off it: keep one.
    const q = nodeState('q:1', { replid: 'h-q', replid2: 'h-m', secondReplOffset: 4001, offset: 4000 });
    expect(headline([down, p, q, gone])).toMatch(/^m:1 down .*; failed over more than once: p:1, q:1 were each promoted off it .* keep one \(see MULTIPLE_MASTERS\)/);
    for (const message of [bare, stalled, headline([down, p, linked, gone])]) expect(message).not.toMatch(/→ fail over|orphaned/);
    // A master of another history (not promoted off m:1), or m:1's history not known: the failover is still to do.
    expect(headline([down, { ...p, replid2: 'h-other' }, gone])).toMatch(/^m:1 down .*; 1 replica orphaned → fail over/);
    expect(headline([down, p, gone], new Map())).toMatch(/^m:1 down .*; 1 replica orphaned → fail over/);
    // A copy detached while m:1 lived (detach, REPLICAOF NO ONE by hand) has the same replid2, but
    // m:1 (or a replica still on it) went on past it: the failover is still to do. Its last offset
    // unknown (a memory file from before offsets were kept): nothing claimed.
    const later = 5000 + FAILOVER_GAP_BYTES + 1;
    expect(headline([down, p, gone], last(later))).toMatch(/^m:1 down .*; 1 replica orphaned → fail over/);
    expect(headline([down, p, replica('a:1', { linkStatus: 'down', replid: 'h-m', offset: later })])).toMatch(/^m:1 down .*; 1 replica orphaned → fail over/);
    expect(headline([down, p, gone], last(null))).toMatch(/^m:1 down .*; 1 replica orphaned → fail over/);
    // Behind the dead master by a replica's lag when it died: still the failover.
    expect(headline([down, p, gone], last(5000 + FAILOVER_GAP_BYTES))).toContain('already failed over: p:1');
  });

  it('STALLED_UPSTREAM under a master already failed over says to re-point, not "fail over before it restarts empty"', () => {
    const down = nodeState('m:1', { reachable: false, error: { code: 'UNREACHABLE', message: 'm:1: connection refused' }, settings: OFF });
    const p = nodeState('p:1', { replid: 'h-p', replid2: 'h-m', secondReplOffset: 5001, offset: 5100 });
    const stuck = replica('a:1', { linkStatus: 'down', replid: 'h-m', offset: 5000, lag: { ...inSyncLag(), behindBecauseOf: 'm:1' } });
    const history = new Map([['m:1', { replid: 'h-m', offset: 5000 }]]);
    const stalled = (states: NodeState[], last = history) => riskWarnings(states, 0, last).find((w) => w.code === 'STALLED_UPSTREAM')?.message ?? '';
    expect(stalled([down, p, stuck])).toMatch(/^m:1 is unreachable .*\. m:1 was already failed over \(p:1 was promoted off it\): re-point the nodes below it to p:1$/);
    // Folded under the headline, the two agree.
    const [headline] = foldMasterDown(riskWarnings([down, p, stuck], 0, history), [down, p, stuck], new Map([['m:1', null]]), history);
    expect(headline?.message).toContain('already failed over');
    expect(headline?.folded?.map((w) => w.code)).toEqual(['STALLED_UPSTREAM']);
    for (const w of [headline, ...(headline?.folded ?? [])]) expect(w?.message).not.toMatch(/fail over before|→ fail over/);
    // Not failed over (no master holds its history): the failover is still the advice.
    expect(stalled([down, { ...p, replid2: 'h-other' }, stuck])).toMatch(/has no persistence: fail over before it restarts empty, or re-point the nodes below it$/);
    expect(stalled([down, p, stuck], new Map())).toMatch(/fail over before it restarts empty/);
  });

  it('STALLED_UPSTREAM says "at least" for a lag to the root in seconds that is only a lower bound', () => {
    const down = nodeState('m:1', { reachable: false, error: { code: 'UNREACHABLE', message: 'm:1: connection refused' }, settings: OFF });
    const lag = (secondsBehindRootIsLowerBound: boolean) => ({ ...inSyncLag(), behindBecauseOf: 'm:1', bytesBehindRoot: 2048, secondsBehindRoot: 3.5, secondsBehindRootIsLowerBound });
    const stalled = (bound: boolean) => riskWarnings([down, replica('a:1', { linkStatus: 'down', lag: lag(bound) })], 0).find((w) => w.code === 'STALLED_UPSTREAM')?.message ?? '';
    expect(stalled(true)).toContain('a:1 2.0 KiB / at least 3.5 s behind the root');
    expect(stalled(false)).toContain('a:1 2.0 KiB / 3.5 s behind the root');
  });

  it('MASTER_DOWN does not push a failover over a master that times out while its replicas are still linked to it (paused)', () => {
    const paused = nodeState('m:1', { reachable: false, error: { code: 'TIMEOUT', message: 'm:1 did not answer in time' } });
    const states = [paused, replica('a:1'), replica('b:1', { linkStatus: 'down' })];
    const out = foldMasterDown([], states, new Map([['m:1', Date.UTC(2026, 0, 1, 6, 58, 22)]]));
    expect(out[0]?.code).toBe('MASTER_DOWN');
    expect(out[0]?.message).toMatch(/^m:1 does not answer the console since 06:58:22 UTC \(m:1 did not answer in time\), but its replica a:1 still has its link to it up: .*→ do not fail over yet: look at m:1; if their links go down too \(repl-timeout\), it is down$/);
    expect(out[0]?.message).not.toMatch(/orphaned|→ fail over/);
    // Its links down as well (past repl-timeout): given up on, yet stalled, not gone. Never a bare
    // "→ fail over": left running it resumes as a master (CLIENT PAUSE ALL, DEBUG SLEEP did).
    const given = foldMasterDown([], [paused, replica('a:1', { linkStatus: 'down' }), replica('b:1', { linkStatus: 'down' })], new Map([['m:1', null]]));
    expect(given[0]?.message).toMatch(
      /^m:1 does not answer \(last read .*\) \(m:1 did not answer in time\), and its 2 replicas have given up on it \(link down\): it is stalled, or its host is down or cut off \(the console cannot tell\) → to fail over, make sure it stays down first \(stop its process for good, or fence it off\)/,
    );
    expect(given[0]?.message).not.toMatch(/orphaned|→ fail over/);
    const bare = foldMasterDown([], [{ ...paused, settings: OFF }, replica('a:1', { linkStatus: 'down' })], new Map([['m:1', null]]));
    expect(bare[0]?.message).toMatch(/It has no persistence: do NOT restart it before the failover/);
  });

  it('MASTER_REFUSES, not MASTER_DOWN, over a master that is up but refuses the console: never "fail over", whatever its replicas\' links say', () => {
    const refusing = (code: 'MAX_CLIENTS' | 'PROTECTED_MODE' | 'AUTH_FAILED') => nodeState('m:1', { reachable: false, error: { code, message: `m:1 refuses (${code})` } });
    const since = new Map([['m:1', Date.UTC(2026, 0, 1, 6, 58, 22)]]);
    const linked = foldMasterDown([], [refusing('MAX_CLIENTS'), replica('a:1'), replica('b:1', { linkStatus: 'down' })], since);
    expect(linked.map((w) => w.code)).toEqual(['MASTER_REFUSES']);
    expect(linked[0]?.message).toBe(
      'm:1 refuses (MAX_CLIENTS). It is not down, the console cannot read it since 06:58:22 UTC: its replica a:1 still has its link to it up → do not fail over a master that still serves its clients (two masters would take writes)',
    );
    const unlinked = (code: 'MAX_CLIENTS' | 'PROTECTED_MODE' | 'AUTH_FAILED') => foldMasterDown([], [refusing(code), replica('a:1', { linkStatus: 'down' })], since)[0]?.message;
    expect(unlinked('MAX_CLIENTS')).toContain('its replicas that reconnect are refused too, until connections are freed → do not fail over');
    expect(unlinked('PROTECTED_MODE')).toContain('its replicas on other hosts are refused too, until it has a password (or protected mode is off) → do not fail over');
    expect(unlinked('AUTH_FAILED')).toContain("its replicas' links to it are down too → do not fail over");
    for (const code of ['MAX_CLIENTS', 'PROTECTED_MODE', 'AUTH_FAILED'] as const) expect(unlinked(code)).not.toMatch(/orphaned|→ fail over/);
  });

  it('MASTER_DOWN over a master the console cannot reach at all, with a replica still linked: alive for it, do not fail over yet; a refused or closed port is down', () => {
    const failing = (message: string) => nodeState('m:1', { reachable: false, error: { code: 'UNREACHABLE', message } });
    const linked = (message: string) => foldMasterDown([], [failing(message), replica('a:1'), replica('b:1', { linkStatus: 'down' })], new Map([['m:1', null]]))[0]?.message;
    expect(linked('m:1: no route to that host')).toMatch(/still has its link to it up: .*→ do not fail over yet/);
    expect(linked('m:1: the host name could not be resolved')).toMatch(/still has its link to it up: .*→ do not fail over yet/);
    // Killed: its replicas notice at once; one read a moment before must not make it "alive" for a tick.
    expect(linked('m:1: the connection was closed by the other side')).toMatch(/^m:1 down .*→ fail over/);
    expect(linked('m:1: connection refused (nothing is listening on that port)')).toMatch(/^m:1 down .*→ fail over/);
  });

  it("an unreachable middle node heads the warnings of the nodes below it; their own UNREACHABLE stays beside it", () => {
    const states = [
      nodeState('m:1'),
      replica('a:1', { reachable: false, error: { code: 'UNREACHABLE', message: 'timeout' } }),
      replica('b:1', { master: 'a:1', depth: 2 }),
      replica('c:1', { master: 'b:1', depth: 3, reachable: false }),
      replica('d:1'),
    ];
    const unknown = (a: string, m: string) => ({ code: 'UNKNOWN_MASTER' as const, message: `${a} → ${m}`, nodes: [a, m] });
    const stalled = { code: 'STALLED_UPSTREAM' as const, message: 'behind a:1', nodes: ['a:1', 'b:1', 'c:1'] };
    const elsewhere = { code: 'WRITABLE_REPLICA' as const, message: 'd', nodes: ['d:1'] };
    const lost = { code: 'UNREACHABLE' as const, message: 'c:1 refused', nodes: ['c:1'] };
    const out = foldMasterDown([unknown('b:1', 'a:1'), stalled, { code: 'UNREACHABLE', message: 'a:1 timeout', nodes: ['a:1'] }, lost, elsewhere], states, new Map());
    expect(out.map((w) => w.code)).toEqual(['UNREACHABLE', 'UNREACHABLE', 'WRITABLE_REPLICA']);
    expect(out[0]?.message).toBe('a:1 timeout; 2 nodes below it. 2 more warnings follow from this');
    expect(out[0]?.nodes).toEqual(['a:1']);
    expect(out[0]?.folded?.map((w) => w.code)).toEqual(['UNKNOWN_MASTER', 'STALLED_UPSTREAM']);
    expect(out[1]).toBe(lost);
    // A leaf that does not answer has nothing below it to fold.
    const leaf = { code: 'UNREACHABLE' as const, message: 'd:1 timeout', nodes: ['d:1'] };
    const alone = [nodeState('m:1'), replica('d:1', { reachable: false })];
    expect(foldMasterDown([leaf], alone, new Map())).toEqual([leaf]);
  });

  it('STALLED_UPSTREAM for a stalled root as well as a stalled middle node', () => {
    const root = nodeState('m:1', { polledAt: 1000 });
    const states = [root, replica('a:1', { lag: inSyncLag({ behindBecauseOf: 'm:1', bytesBehindRoot: null }) })];
    const warnings = riskWarnings(states, 9000);
    expect(warnings.map((w) => [w.code, w.nodes])).toEqual([['STALLED_UPSTREAM', ['m:1', 'a:1']]]);
    expect(warnings[0]?.message).toContain('stalled (not read for 8 s)');
    expect(warnings[0]?.message).toContain('Look at m:1 (a paused process');
    // Refusing connections, it is down, not stalled: bring it back or re-point what is below it.
    const refused = riskWarnings([{ ...root, reachable: false, error: { code: 'UNREACHABLE', message: 'm:1: connection refused' } }, states[1]!], 9000);
    expect(refused[0]?.message).toMatch(/m:1 is unreachable \(m:1: connection refused\).*m:1 is down \(it refuses connections\): bring it back, or re-point the nodes below it$/);
    // A name that does not resolve, no route: nothing says it is down.
    const lost = riskWarnings([{ ...root, reachable: false, error: { code: 'UNREACHABLE', message: 'm:1: no route to that host' } }, states[1]!], 9000);
    expect(lost[0]?.message).toMatch(/m:1 cannot be reached from the console \(its host, or the network between\): check it, or re-point the nodes below it$/);
    expect(lost[0]?.message).not.toMatch(/is down|refuses/);
    // A middle replica without persistence, down: restarted empty, it syncs its data back from its master; only a master's empty restart wipes what is below it.
    const middle = [
      nodeState('m:1'),
      replica('a:1', { reachable: false, settings: OFF, error: { code: 'UNREACHABLE', message: 'a:1: connection refused (nothing is listening on that port)' } }),
      replica('b:1', { master: 'a:1', depth: 2, lag: inSyncLag({ behindBecauseOf: 'a:1' }) }),
    ];
    const advice = riskWarnings(middle, 9000).find((w) => w.code === 'STALLED_UPSTREAM')?.message;
    expect(advice).toMatch(/a:1 is down \(it refuses connections\): bring it back, or re-point the nodes below it$/);
    const rootDown = riskWarnings([{ ...root, reachable: false, settings: OFF, error: { code: 'UNREACHABLE', message: 'm:1: connection refused' } }, states[1]!], 9000);
    expect(rootDown[0]?.message).toMatch(/m:1 is down \(it refuses connections\) and has no persistence: fail over before it restarts empty/);
  });
});


describe('DataLossWatch (MASTER_RESTARTED_EMPTY)', () => {
  const at = (nodes: NodeState[]): TopologySnapshot => ({ seq: 0, takenAt: 0, pollIntervalMs: 1000, nodes, edges: [], warnings: [] });
  const master = (runId: string, replid: string, over: Partial<NodeState> = {}): NodeState => nodeState('m:1', { runId, replid, settings: OFF, ...over });
  const T = Date.UTC(2026, 0, 1, 8, 12, 3);

  it('keeps a day the master that restarted empty, the replicas it wiped and those still holding the data', () => {
    const watch = new DataLossWatch();
    const before = [master('run-a', 'old'), replica('a:1', { replid: 'old' }), replica('b:1', { replid: 'old' }), replica('c:1', { master: 'a:1', depth: 2, replid: 'old' })];
    expect(watch.observe(at(before), T - 10_000)).toEqual([]);
    // Back with a new run_id and history, up 3 s: every node below it still holds the data, for a moment.
    const back = [master('run-b', 'new', { uptimeSeconds: 3 }), ...before.slice(1)];
    const first = watch.observe(at(back), T);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ code: 'MASTER_RESTARTED_EMPTY', nodes: ['m:1', 'a:1', 'b:1', 'c:1'] });
    // The time it restarted (now − uptime), with its date: the warning is read hours later.
    expect(first[0]?.message).toMatch(/^Data loss: m:1 restarted at 2026-01-01 08:12:00 UTC without persistence .*came back empty\. Its replicas reconnect .*Still holding the old data: a:1, b:1, c:1: detach them now \(REPLICAOF NO ONE\)/);
    // a:1 and c:1 below it resynced from it (the replication ID its backlog started with); b:1 is away, and not counted as wiped.
    const wiped = [master('run-b', 'newer'), replica('a:1', { replid: 'newer' }), replica('b:1', { reachable: false, replid: null }), replica('c:1', { master: 'a:1', depth: 2, replid: 'newer' })];
    const later = watch.observe(at(wiped), T + 5000);
    expect(later[0]?.message).toMatch(/a:1, c:1 then replaced their data with its empty dataset \(full resync\).*Restore from a backup/);
    expect(later[0]?.nodes).toEqual(['m:1', 'a:1', 'c:1']);
    // Green again, and the warning stays: the data is still gone.
    expect(watch.observe(at(wiped), T - 3000 + DATA_LOSS_KEEP_MS)).toHaveLength(1);
    expect(watch.observe(at(wiped), T - 3000 + DATA_LOSS_KEEP_MS + 1)).toEqual([]);
  });

  it("is said only in its own topology: not where a node it wiped was re-pointed to another topology's master (that node took that master's data)", () => {
    const watch = new DataLossWatch();
    const before = [master('run-a', 'old'), replica('a:1', { replid: 'old' }), replica('b:1', { replid: 'old' })];
    watch.observe(at(before), T - 10_000);
    expect(watch.observe(at([master('run-b', 'new'), replica('a:1', { replid: 'new' }), replica('b:1', { replid: 'new' })]), T)[0]?.nodes).toEqual(['m:1', 'a:1', 'b:1']);
    // Another topology (one memory for all, in serve): b:1 now replicates from its master x:1.
    const elsewhere = [nodeState('x:1', { runId: 'run-x', replid: 'xx' }), replica('b:1', { master: 'x:1', replid: 'xx' })];
    expect(watch.observe(at(elsewhere), T + 1000)).toEqual([]);
    // Its own topology without the master in it (gone from the graph): the nodes it wiped that still hang together say it.
    const orphans = [replica('a:1', { master: 'b:1', replid: 'new' }), nodeState('b:1', { runId: 'run-b1', replid: 'new2' })];
    expect(watch.observe(at(orphans), T + 2000)).toHaveLength(1);
  });

  it('keeps the incident while the replicas are down or loading (the whole fleet restarted), and names them once they resync', () => {
    const watch = new DataLossWatch();
    watch.observe(at([master('run-a', 'old'), replica('a:1', { replid: 'old' }), replica('b:1', { replid: 'old' })]), T);
    // The master is back first; its replicas are still starting (LOADING: not read).
    const loading = [master('run-b', 'new'), replica('a:1', { reachable: false, replid: null }), replica('b:1', { reachable: false, replid: null })];
    const first = watch.observe(at(loading), T + 1000);
    expect(first[0]?.message).toMatch(/Not read since the restart: a:1, b:1 \(down or loading\): they copy its empty dataset once back, unless started detached/);
    expect(first[0]?.nodes).toEqual(['m:1', 'a:1', 'b:1']);
    // A second later, still loading: the incident is kept (it was dropped at once before).
    expect(watch.observe(at(loading), T + 2000)).toHaveLength(1);
    const synced = [master('run-b', 'newer'), replica('a:1', { replid: 'newer' }), replica('b:1', { replid: 'newer' })];
    expect(watch.observe(at(synced), T + 9000)[0]).toMatchObject({ nodes: ['m:1', 'a:1', 'b:1'] });
    expect(watch.observe(at(synced), T + 9000)[0]?.message).toMatch(/a:1, b:1 then replaced their data/);
  });

  it('does not offer to restore from a replica that restarted empty itself while the master was down', () => {
    const watch = new DataLossWatch();
    watch.observe(at([master('run-a', 'old'), replica('a:1', { replid: 'old' }), replica('b:1', { replid: 'old' })]), T);
    // b:1 restarted too (no persistence): a history of its own, no data; a:1 still holds the old history.
    const back = [master('run-b', 'new'), replica('a:1', { replid: 'old', linkStatus: 'down' }), replica('b:1', { replid: 'fresh', offset: 0, linkStatus: 'down' })];
    const warning = watch.observe(at(back), T + 1000)[0];
    expect(warning?.message).toMatch(/Still holding the old data: a:1: detach it now/);
    expect(warning?.nodes).toEqual(['m:1', 'a:1']);
  });

  it('does not count as wiped the replica detached to restore from, once the empty master is pointed at it', () => {
    const watch = new DataLossWatch();
    watch.observe(at([master('run-a', 'old'), replica('a:1', { replid: 'old' }), replica('b:1', { replid: 'old' })]), T);
    watch.observe(at([master('run-b', 'new'), replica('a:1', { replid: 'old' }), replica('b:1', { replid: 'new' })]), T + 1000);
    // a:1 detached (REPLICAOF NO ONE: a new history, the old one as replid2), and the empty master made its replica: it took a:1's history.
    const restoring = [
      master('run-b', 'restore', { role: 'replica', master: 'a:1', linkStatus: 'up' }),
      nodeState('a:1', { role: 'master', replid: 'restore', replid2: 'old' }),
      replica('b:1', { replid: 'new' }),
    ];
    const warning = watch.observe(at(restoring), T + 5000)[0];
    expect(warning?.nodes).toEqual(['m:1', 'b:1']);
    expect(warning?.message).not.toMatch(/a:1/);
  });

  it('does not take a demoted master later promoted (a rolling upgrade), a promoted replica, or a master that loaded its dump.rdb, for one restarted empty', () => {
    // m:1 made a replica of a:1, restarted as a replica, and promoted back: it holds the data.
    const rolling = new DataLossWatch();
    rolling.observe(at([master('run-a', 'old'), replica('a:1', { replid: 'old' })]), T);
    rolling.observe(at([master('run-a', 'a-hist', { role: 'replica', master: 'a:1', linkStatus: 'up' }), nodeState('a:1', { role: 'master', replid: 'a-hist', replid2: 'old' })]), T + 1000);
    rolling.observe(at([master('run-b', 'a-hist', { role: 'replica', master: 'a:1', linkStatus: 'up' }), nodeState('a:1', { role: 'master', replid: 'a-hist', replid2: 'old' })]), T + 2000);
    expect(rolling.observe(at([master('run-b', 'mine', { replid2: 'a-hist' }), replica('a:1', { replid: 'mine' })]), T + 3000)).toEqual([]);

    // Restarted while the console was away from it as a replica: its history says it was promoted, not started empty.
    const promoted = new DataLossWatch();
    promoted.observe(at([master('run-a', 'old'), replica('a:1', { replid: 'old' })]), T);
    expect(promoted.observe(at([master('run-b', 'mine', { replid2: 'a-hist' }), replica('a:1', { replid: 'mine' })]), T + 1000)).toEqual([]);

    // Saves off, yet a dump.rdb on disk was loaded at start (Redis 7.0+ says how many keys), in step with its replica: a:1 continued (partial resync, old history kept as replid2).
    const restored = new DataLossWatch();
    restored.observe(at([master('run-a', 'old'), replica('a:1', { replid: 'old' })]), T);
    const loaded: ReplicationSettings = { ...OFF, loadedKeys: 200_000 };
    expect(restored.observe(at([master('run-b', 'new', { settings: loaded, replid2: 'old' }), replica('a:1', { replid: 'new', replid2: 'old' })]), T + 1000)).toEqual([]);
    // An AOF loaded at start (appendonly on now): its data as it was.
    const aof = new DataLossWatch();
    aof.observe(at([master('run-a', 'old'), replica('a:1', { replid: 'old' })]), T);
    expect(aof.observe(at([master('run-b', 'new', { settings: { ...OFF, aofEnabled: true, loadedKeys: 0 } }), replica('a:1', { replid: 'new' })]), T + 1000)).toEqual([]);
  });

  it('a master back and still loading its dataset is not judged until it has loaded: its key count is not final', () => {
    const watch = new DataLossWatch();
    watch.observe(at([master('run-a', 'old'), replica('a:1', { replid: 'old' })]), T);
    const loading = master('run-b', 'new', { settings: { ...OFF, loadedKeys: 0, loading: true } });
    expect(watch.observe(at([loading, replica('a:1', { replid: 'old', linkStatus: 'down' })]), T + 1000)).toEqual([]);
    // Loaded 20,000 keys, and a:1 continued from it: nothing lost.
    const loaded = master('run-b', 'new', { settings: { ...OFF, loadedKeys: 20_000, loading: false }, replid2: 'old' });
    expect(watch.observe(at([loaded, replica('a:1', { replid: 'new', replid2: 'old' })]), T + 60_000)).toEqual([]);
  });

  it('an old dump.rdb reloaded (written by a full sync although saves are off) is data loss once a replica resyncs in full from it', () => {
    const watch = new DataLossWatch();
    watch.observe(at([master('run-a', 'old', { offset: 90_000 }), replica('a:1', { replid: 'old' }), replica('b:1', { replid: 'old' })]), T);
    // Back with the keys of its last full sync's snapshot and that history as replid2 (Redis 7.0 restores it, up to the dump's offset): nothing lost yet.
    const dump: ReplicationSettings = { ...OFF, loadedKeys: 1998 };
    const back = master('run-b', 'new', { settings: dump, replid2: 'old', secondReplOffset: 20_001, uptimeSeconds: 0 });
    expect(watch.observe(at([back, replica('a:1', { replid: 'old', linkStatus: 'down' }), replica('b:1', { replid: 'old', linkStatus: 'down' })]), T + 1000)).toEqual([]);
    // a:1 was ahead of the dump: a full resync (replid2 cleared) replaced its data; b:1 not yet.
    const warning = watch.observe(at([back, replica('a:1', { replid: 'new' }), replica('b:1', { replid: 'old', linkStatus: 'down' })]), T + 3000)[0];
    expect(warning?.nodes).toEqual(['m:1', 'a:1', 'b:1']);
    expect(warning?.message).toMatch(/and reloaded an old dump\.rdb \(1998 keys: the snapshot of its last full sync to a replica, or of a manual SAVE; it had taken 68\.4 KiB of replication stream past it, at least\), not its data as it was\. a:1 then replaced its data with that old dataset \(full resync\): what was written after that snapshot is gone from that node\. Still holding the old data: b:1/);
    // Before 7.0 the keys loaded are unknown: the same restart with no replid2 is read as empty, with one as a promoted replica's.
    const six = new DataLossWatch();
    six.observe(at([master('run-a', 'old'), replica('a:1', { replid: 'old' })]), T);
    expect(six.observe(at([master('run-b', 'new'), replica('a:1', { replid: 'new' })]), T + 1000)[0]?.message).toMatch(/came back empty/);
  });

  it('a master restarted empty again the same day keeps the first restart and the nodes it wiped; a demoted one stops speaking for the nodes still down', () => {
    const watch = new DataLossWatch();
    watch.observe(at([master('run-a', 'old'), replica('a:1', { replid: 'old' }), replica('b:1', { replid: 'old' })]), T);
    watch.observe(at([master('run-b', 'new', { uptimeSeconds: 0 }), replica('a:1', { replid: 'new' }), replica('b:1', { reachable: false, replid: null })]), T + 1000);
    const again = watch.observe(at([master('run-c', 'newer', { uptimeSeconds: 0 }), replica('a:1', { replid: 'new', linkStatus: 'down' }), replica('b:1', { reachable: false, replid: null })]), T + 60_000)[0];
    expect(again?.message).toMatch(/restarted at 2026-01-01 08:12:04 UTC .*a:1 then replaced its data/);
    // Sentinel made it a replica of a promoted one: b:1, still down, will follow whichever master it is given; nothing to say of it here.
    const demoted = [
      master('run-c', 'a-hist', { role: 'replica', master: 'a:1', linkStatus: 'up' }),
      nodeState('a:1', { role: 'master', replid: 'a-hist', replid2: 'new' }),
      replica('b:1', { reachable: false, replid: null }),
    ];
    expect(watch.observe(at(demoted), T + 70_000)[0]?.nodes).toEqual(['m:1', 'a:1']);
  });

  it('knows from topology memory a master that restarted empty before this session, and keeps what it read itself', () => {
    const entry = (address: string, master: string | null, runId: string, noPersistence: boolean | null = null): RememberedNode =>
      ({ address, aliases: [], role: master ? 'replica' : 'master', master, formerMaster: null, runId, replid: 'old', noPersistence, lastSeenAt: 0 });
    const watch = new DataLossWatch();
    watch.recall([entry('m:1', null, 'run-a', true), entry('a:1', 'm:1', 'run-x'), entry('c:1', 'a:1', 'run-y')]);
    const now = [master('run-b', 'new', { uptimeSeconds: 60 }), replica('a:1', { replid: 'new' }), replica('c:1', { master: 'a:1', depth: 2, replid: 'new' })];
    expect(watch.observe(at(now), T)[0]).toMatchObject({ code: 'MASTER_RESTARTED_EMPTY', nodes: ['m:1', 'a:1', 'c:1'] });
    // Not without persistence as remembered (unknown, or saving): nothing.
    const unknown = new DataLossWatch();
    unknown.recall([entry('m:1', null, 'run-a'), entry('a:1', 'm:1', 'run-x')]);
    expect(unknown.observe(at(now), T)).toEqual([]);
    // Read in this session already: memory does not replace that reading.
    const read = new DataLossWatch();
    read.observe(at([master('run-b', 'new'), replica('a:1', { replid: 'new' })]), T);
    read.recall([entry('m:1', null, 'run-a', true), entry('a:1', 'm:1', 'run-x')]);
    expect(read.observe(at(now), T + 1000)).toEqual([]);
  });

  it('says nothing for a restart with persistence, a master without replicas, or one whose replicas were moved away first', () => {
    const saving = parseSettings({ save: '3600 1' }, { aof_enabled: '0' });
    const persisted = new DataLossWatch();
    persisted.observe(at([master('run-a', 'old', { settings: saving }), replica('a:1', { replid: 'old' })]), T);
    expect(persisted.observe(at([master('run-b', 'new', { settings: saving }), replica('a:1', { replid: 'old' })]), T + 1000)).toEqual([]);

    const lone = new DataLossWatch();
    lone.observe(at([master('run-a', 'old')]), T);
    expect(lone.observe(at([master('run-b', 'new')]), T + 1000)).toEqual([]);

    // Failed over first (a:1 promoted, b:1 follows it): the empty master wipes nobody.
    const moved = new DataLossWatch();
    moved.observe(at([master('run-a', 'old'), replica('a:1', { replid: 'old' }), replica('b:1', { replid: 'old' })]), T);
    const after = [master('run-b', 'new'), nodeState('a:1', { role: 'master', replid: 'promoted', replid2: 'old' }), replica('b:1', { master: 'a:1', replid: 'promoted' })];
    expect(moved.observe(at(after), T + 1000)).toEqual([]);
  });

  // Every node restarted at once without persistence: each came back empty on its own, and the
  // replicas' full resync from the empty master replaced nothing. Not "replaced their data".
  it('does not take a restart of the whole group for a master that wiped its replicas', () => {
    const watch = new DataLossWatch();
    const up = { polledAt: T };
    watch.observe(at([master('run-a', 'old', up), replica('a:1', { replid: 'old', settings: OFF, ...up }), replica('b:1', { replid: 'old', settings: OFF, ...up })]), T);
    // The master is back first (up 2 s); its replicas are still starting: they may yet copy its empty dataset (a replica that persists reloads its data).
    const starting = [master('run-b', 'new', { uptimeSeconds: 2, polledAt: T + 5000 }), replica('a:1', { reachable: false, replid: null }), replica('b:1', { reachable: false, replid: null })];
    expect(watch.observe(at(starting), T + 5000)[0]?.message).toMatch(/Not read since the restart: a:1, b:1/);
    // Back as new processes (other run_ids than when the master was last read up), without persistence: they came back empty themselves.
    const back = (settings: ReplicationSettings): NodeState[] => [
      master('run-b', 'newer', { uptimeSeconds: 4, polledAt: T + 7000 }),
      replica('a:1', { runId: 'run-a2', replid: 'newer', uptimeSeconds: 1, settings, polledAt: T + 7000 }),
      replica('b:1', { runId: 'run-b2', replid: 'newer', uptimeSeconds: 1, settings, polledAt: T + 7000 }),
    ];
    expect(watch.observe(at(back(OFF)), T + 7000)).toEqual([]);
    expect(watch.observe(at(back(OFF)), T + 8000)).toEqual([]);
    // Replicas that persist reloaded their data at start, and the resync replaced it: that is the loss.
    const persisting = new DataLossWatch();
    const saving = parseSettings({ save: '3600 1' }, { aof_enabled: '0' });
    persisting.observe(at([master('run-a', 'old', up), replica('a:1', { replid: 'old', settings: saving, ...up }), replica('b:1', { replid: 'old', settings: saving, ...up })]), T);
    persisting.observe(at(starting), T + 5000);
    expect(persisting.observe(at(back(saving)), T + 7000)[0]?.message).toMatch(/a:1, b:1 then replaced their data with its empty dataset/);
    // A replica that ran on through the master's restart (the same run, however young) held the data, and lost it.
    const ranOn = new DataLossWatch();
    ranOn.observe(at([master('run-a', 'old', up), replica('a:1', { replid: 'old', settings: OFF, uptimeSeconds: 1, ...up })]), T);
    const young = [master('run-b', 'newer', { uptimeSeconds: 0 }), replica('a:1', { replid: 'newer', settings: OFF, uptimeSeconds: 2 })];
    expect(ranOn.observe(at(young), T + 1000)[0]?.message).toMatch(/a:1 then replaced its data with its empty dataset/);
  });

  it('tells a group restarted at once from a master restarted alone, in a console started after (topology memory)', () => {
    const entry = (address: string, master: string | null, runId: string): RememberedNode =>
      ({ address, aliases: [], role: master ? 'replica' : 'master', master, formerMaster: null, runId, replid: 'old', noPersistence: true, lastSeenAt: T - 3_600_000 });
    const memory = [entry('m:1', null, 'run-a'), entry('a:1', 'm:1', 'run-x'), entry('b:1', 'm:1', 'run-y')];
    // The master up 60 s; its replicas up 60 and 59 s: started with it, or after.
    const group = [
      master('run-b', 'new', { uptimeSeconds: 60, polledAt: T }),
      replica('a:1', { runId: 'run-x2', replid: 'new', uptimeSeconds: 59, settings: OFF, polledAt: T }),
      replica('b:1', { runId: 'run-y2', replid: 'new', uptimeSeconds: 60, settings: OFF, polledAt: T }),
    ];
    const together = new DataLossWatch();
    together.recall(memory);
    expect(together.observe(at(group), T)).toEqual([]);
    expect(together.stored('m:1')).toBeNull();
    // The same with replicas that ran on: a:1 the process memory saw (however young), b:1 another, up longer than the master. The master's restart wiped them.
    const alone = new DataLossWatch();
    alone.recall(memory);
    const kept = group.map((n) => (n.address === 'a:1' ? { ...n, runId: 'run-x' } : n.address === 'b:1' ? { ...n, uptimeSeconds: 61 } : n));
    expect(alone.observe(at(kept), T)[0]).toMatchObject({ code: 'MASTER_RESTARTED_EMPTY', nodes: ['m:1', 'a:1', 'b:1'] });
    expect(alone.stored('m:1')?.wiped).toEqual(['a:1', 'b:1']);
  });

  // The incident an earlier session kept: m:1 restarted empty at T0 and wiped a:1 and b:1. Since
  // then a:1 was promoted (b:1 follows it) and m:1 restarted again. None of that is a current loss.
  it('does not state a remembered incident as current for nodes that moved on, nor with its time for a later restart', () => {
    const T0 = T - 3_600_000;
    const loss = { at: T0, runId: 'run-b', loadedKeys: 0, lostBytes: null, histories: ['old'], below: ['a:1', 'b:1'], wiped: ['a:1', 'b:1'] };
    const entry = (address: string, master: string | null, runId: string, over: Partial<RememberedNode> = {}): RememberedNode =>
      ({ address, aliases: [], role: master ? 'replica' : 'master', master, formerMaster: null, runId, replid: 'new', noPersistence: true, lastSeenAt: T0 + 60_000, ...over });
    const memory = [entry('m:1', null, 'run-b', { dataLoss: loss }), entry('a:1', 'm:1', 'run-x'), entry('b:1', 'm:1', 'run-y')];
    const promoted = nodeState('a:1', { runId: 'run-x', replid: 'promoted', replid2: 'new', polledAt: T });
    const follows = replica('b:1', { runId: 'run-y', master: 'a:1', replid: 'promoted', polledAt: T });

    // m:1 restarted again (up 30 s), a lone master: no old time, no nodes that follow a:1.
    const again = new DataLossWatch();
    again.recall(memory);
    const lone = master('run-c', 'fresh', { uptimeSeconds: 30, polledAt: T });
    expect(again.observe(at([lone, promoted, follows]), T)).toEqual([]);
    expect(again.stored('m:1')?.wiped).toEqual([]);
    // Made a replica of a:1 (the group healthy again): nothing is left of it, in memory either.
    const rejoined = master('run-c', 'promoted', { role: 'replica', master: 'a:1', linkStatus: 'up', polledAt: T + 60_000 });
    expect(again.observe(at([rejoined, promoted, follows]), T + 60_000)).toEqual([]);
    expect(again.stored('m:1')).toBeNull();
    const later = new DataLossWatch();
    later.recall([entry('m:1', 'a:1', 'run-c', { role: 'replica', dataLoss: { ...loss, runId: 'run-c', at: T - 30_000, wiped: [] } }), entry('a:1', null, 'run-x'), entry('b:1', 'a:1', 'run-y')]);
    expect(later.observe(at([rejoined, promoted, follows]), T + 120_000)).toEqual([]);
    expect(later.stored('m:1')).toBeNull();

    // m:1 not restarted again, its nodes re-pointed to a master with data (x:1): they took x:1's data.
    const moved = new DataLossWatch();
    moved.recall(memory);
    const same = master('run-b', 'new', { uptimeSeconds: 3600, polledAt: T });
    const x = nodeState('x:1', { runId: 'run-z', replid: 'xx', polledAt: T });
    const took = ['a:1', 'b:1'].map((address) => replica(address, { master: 'x:1', replid: 'xx', polledAt: T }));
    expect(moved.observe(at([same, x, ...took]), T)).toEqual([]);
    expect(moved.stored('m:1')).toBeNull();

    // a:1 moved on, b:1 still follows m:1: restarted again, m:1 wipes b:1 again. The loss is the first restart's, and both times are said.
    const half = new DataLossWatch();
    half.recall(memory);
    half.observe(at([same, promoted, replica('b:1', { runId: 'run-y', replid: 'new', polledAt: T })]), T);
    const restarted = master('run-c', 'fresh', { uptimeSeconds: 5, polledAt: T + 10_000 });
    const warning = half.observe(at([restarted, promoted, replica('b:1', { runId: 'run-y', replid: 'fresh', polledAt: T + 10_000 })]), T + 10_000)[0];
    expect(warning?.nodes).toEqual(['m:1', 'b:1']);
    const utc = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    expect(warning?.message).toMatch(new RegExp(`^Data loss: m:1 restarted at ${utc(T0)} UTC \\(and again at ${utc(T + 5000)} UTC\\) without persistence .*\\. b:1 then replaced its data`));
  });
});
