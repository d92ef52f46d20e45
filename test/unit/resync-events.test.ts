import { describe, expect, it } from 'vitest';
import { diffSnapshots, EventMemory } from '../../electron/engine/events';
import type { NodeState, TopologySnapshot } from '../../electron/shared/types';
import { nodeState, REPLID } from '../helpers/node-state';

const NEW_REPLID = 'b'.repeat(40);
const Z_REPLID = 'd'.repeat(40);

function master(over: Partial<NodeState> = {}): NodeState {
  return nodeState('m:1', { runId: 'run-m', stats: { syncFull: 2, syncPartialOk: 0, syncPartialErr: 0 }, ...over });
}

function replica(address: string, over: Partial<NodeState> = {}): NodeState {
  return nodeState(address, { role: 'replica', master: 'm:1', linkStatus: 'up', depth: 1, offset: 5000, ...over });
}

function snap(nodes: NodeState[]): TopologySnapshot {
  return { seq: 1, takenAt: 0, pollIntervalMs: 1000, nodes, edges: [], warnings: [] };
}

const SYNCING = { totalBytes: null, readBytes: null, percent: null, lastIoSecondsAgo: null };

/** Feed snapshots through one memory, as the engine does; the events of each step. */
function run(steps: NodeState[][]): ReturnType<typeof diffSnapshots>[] {
  const memory = new EventMemory();
  let previous: TopologySnapshot | null = null;
  return steps.map((nodes) => {
    const next = snap(nodes);
    const events = diffSnapshots(previous, next, memory);
    previous = next;
    return events;
  });
}

describe('full resyncs from both sides', () => {
  it('a master restarted empty: sync_full counted from 0, each replica named once although both sides show it', () => {
    const [, , restart, synced, settled] = run([
      [master(), replica('a:1'), replica('b:2')],
      [master({ reachable: false }), replica('a:1', { linkStatus: 'down' }), replica('b:2', { linkStatus: 'down' })],
      // Back with a new run_id and 2 full syncs served, both replicas listed as syncing.
      [
        master({ runId: 'run-m2', replid: NEW_REPLID, offset: 14, stats: { syncFull: 2, syncPartialOk: 0, syncPartialErr: 0 }, replicas: [
          { address: 'a:1', state: 'send_bulk', ackOffset: 0, ackAgeSeconds: 0 },
          { address: 'b:2', state: 'wait_bgsave', ackOffset: 0, ackAgeSeconds: 0 },
        ] }),
        replica('a:1', { linkStatus: 'down', sync: SYNCING }),
        replica('b:2', { linkStatus: 'down' }),
      ],
      // Both loaded the new master's data: new replid, offset reset.
      [master({ runId: 'run-m2', replid: NEW_REPLID, offset: 14 }), replica('a:1', { replid: NEW_REPLID, offset: 14 }), replica('b:2', { replid: NEW_REPLID, offset: 14 })],
      [master({ runId: 'run-m2', replid: NEW_REPLID, offset: 14 }), replica('a:1', { replid: NEW_REPLID, offset: 14 }), replica('b:2', { replid: NEW_REPLID, offset: 14 })],
    ]);
    const fulls = (events: ReturnType<typeof diffSnapshots> | undefined): [string, string | undefined][] =>
      (events ?? []).filter((e) => e.kind === 'full-resync' && !e.completes).map((e) => [e.node, e.peer]);
    expect(fulls(restart)).toEqual([
      ['a:1', 'm:1'],
      ['b:2', 'm:1'],
    ]);
    // Seen while the transfer runs: started, its data not replaced yet (a sync may never finish).
    const started = restart?.find((e) => e.node === 'a:1' && e.kind === 'full-resync');
    expect(started?.message).toBe("a:1 started a full resync from m:1 (master_sync_in_progress: the sync started): its data is replaced once the sync finishes");
    expect(restart?.filter((e) => e.replaced)).toEqual([]);
    expect(fulls(synced)).toEqual([]);
    // Said started while it ran: "was replaced" once done, marked as the same resync, and replaced only now.
    expect(synced?.filter((e) => e.completes).map((e) => [e.message, e.replaced])).toEqual([
      ["a:1's data was replaced by a full resync from m:1: the sync finished, its link is up", true],
      ["b:2's data was replaced by a full resync from m:1: the sync finished, its link is up", true],
    ]);
    expect(settled).toEqual([]);
  });

  it('a replica seen first: the master counting it later is not a second event', () => {
    const [, first, counted] = run([
      [master(), replica('a:1')],
      [master(), replica('a:1', { linkStatus: 'down', sync: SYNCING })],
      [master({ stats: { syncFull: 3, syncPartialOk: 0, syncPartialErr: 0 } }), replica('a:1', { replid: NEW_REPLID, offset: 10 })],
    ]);
    // Its link going down is seen as such: said once, not again by the resync.
    expect(first?.map((e) => [e.kind, e.node])).toEqual([
      ['link-down', 'a:1'],
      ['full-resync', 'a:1'],
    ]);
    expect(first?.[1]?.message).toContain('master_sync_in_progress');
    expect(counted?.map((e) => [e.kind, e.node, e.completes])).toEqual([
      ['link-up', 'a:1', undefined],
      ['full-resync', 'a:1', true],
    ]);
  });

  it('a replica restarted empty and resynced between two polls: caught by its new replid and the offset reset', () => {
    const [, , back] = run([
      [master(), replica('a:1')],
      [master(), replica('a:1', { reachable: false, replid: null, offset: null })],
      [master(), replica('a:1', { runId: 'run-a2', replid: NEW_REPLID, offset: 30 })],
    ]);
    const full = back?.find((e) => e.kind === 'full-resync');
    expect(full?.node).toBe('a:1');
    expect(full?.message).toContain('offset reset from 5000 to 30');
  });

  it('a partial resync that switches replid (after a failover) keeps the old one as replid2: no full resync', () => {
    const [, after] = run([
      [master(), replica('a:1')],
      [master(), replica('a:1', { replid: NEW_REPLID, replid2: REPLID, secondReplOffset: 5001, offset: 5100 })],
    ]);
    expect(after?.filter((e) => e.kind === 'full-resync')).toEqual([]);
  });

  it('sync_full that no replica explains is reported on the master', () => {
    const [, counted] = run([[master(), replica('a:1')], [master({ stats: { syncFull: 4, syncPartialOk: 0, syncPartialErr: 0 } }), replica('a:1')]]);
    expect(counted?.map((e) => [e.kind, e.node])).toEqual([['full-resync', 'm:1']]);
    // Counted when they start: not "data was replaced" for a sync that may be dropped half-way.
    expect(counted?.[0]?.message).toBe("m:1 started 2 full resyncs (sync_full 4): a replica's data is replaced once its sync completes");
  });

  it('a full sync a sync client without a port takes (redis-cli --rdb) is said as that: no replica data replaced', () => {
    const backup = { ip: '10.0.0.9', state: 'wait_bgsave', ackOffset: 0, ackAgeSeconds: 0 };
    const [, counted] = run([[master(), replica('a:1')], [master({ stats: { syncFull: 4, syncPartialOk: 0, syncPartialErr: 0 }, syncClients: [backup] }), replica('a:1')]]);
    expect(counted?.map((e) => [e.kind, e.node, e.replaced ?? false])).toEqual([
      ['full-resync', 'm:1', false],
      ['full-resync', 'm:1', false],
    ]);
    expect(counted?.[0]?.message).toBe(
      "m:1 started a full sync for a sync client at 10.0.0.9 that announced no port (redis-cli --rdb or --replica, a backup or migration tool; sync_full 4): m:1 makes a snapshot for it, and no replica's data is replaced",
    );
    // The other one nobody explains stays on the master, the client it lists named as maybe its taker.
    expect(counted?.[1]?.message).toBe(
      "m:1 started a full resync (sync_full 4): a replica's data is replaced once its sync completes, unless it was for the sync client it lists at 10.0.0.9 (no port announced: redis-cli --rdb or --replica, a backup or migration tool)",
    );
  });

  it('a Valkey dual-channel sync counts once: its PSYNC half is not a partial resync', () => {
    const valkey = { version: 'valkey 8.0.1' };
    const [, counted] = run([
      [master(valkey), replica('a:1')],
      [master({ ...valkey, stats: { syncFull: 3, syncPartialOk: 1, syncPartialErr: 0 } }), replica('a:1', { sync: SYNCING })],
    ]);
    // The drop the console did not see (the link read up, then a sync) is said by the resync.
    expect(counted?.map((e) => e.kind)).toEqual(['link-down', 'full-resync']);
    expect(counted?.[0]?.message).toBe('a:1: link to m:1 went down (seen by the full resync that followed)');
  });

  it('a drop said, then healed by a partial resync: the next drop the console misses is still said by its full resync', () => {
    const [, down, , , unseen] = run([
      [master(), replica('a:1')],
      [master(), replica('a:1', { linkStatus: 'down' })],
      // Back by a partial resync: its master counts sync_partial_ok, not sync_full.
      [master({ stats: { syncFull: 2, syncPartialOk: 1, syncPartialErr: 0 } }), replica('a:1', { offset: 5100 })],
      [master({ stats: { syncFull: 2, syncPartialOk: 1, syncPartialErr: 0 } }), replica('a:1', { offset: 5200 })],
      // Later: dropped and syncing again between two polls (the link read up, then a transfer).
      [master({ stats: { syncFull: 3, syncPartialOk: 1, syncPartialErr: 0 } }), replica('a:1', { sync: SYNCING })],
    ]);
    expect(down?.map((e) => e.kind)).toEqual(['link-down']);
    expect(unseen?.map((e) => e.kind)).toEqual(['link-down', 'full-resync']);
    expect(unseen?.[0]?.message).toBe('a:1: link to m:1 went down (seen by the full resync that followed)');
  });

  it('a drop said and a full resync that ran between two polls: the drop is not said twice', () => {
    const [, down, back, counted] = run([
      [master(), replica('a:1')],
      [master(), replica('a:1', { linkStatus: 'down' })],
      // Synced and linked up before the next poll; its master's count of it read a poll later.
      [master(), replica('a:1', { offset: 5100 })],
      [master({ stats: { syncFull: 3, syncPartialOk: 0, syncPartialErr: 0 } }), replica('a:1', { offset: 5200 })],
    ]);
    expect(down?.map((e) => e.kind)).toEqual(['link-down']);
    expect(back?.map((e) => e.kind)).toEqual(['link-up']);
    expect(counted?.map((e) => [e.kind, e.node])).toEqual([['full-resync', 'a:1']]);
  });

  it('a master dropping a replica that is alive and still points at it', () => {
    const listed = [{ address: 'a:1', state: 'online', ackOffset: 5000, ackAgeSeconds: 0 }];
    const [, dropped] = run([
      [master({ replicas: listed }), replica('a:1')],
      [master({ replicas: [] }), replica('a:1', { linkStatus: 'down' })],
    ]);
    expect(dropped?.filter((e) => e.kind === 'replica-dropped').map((e) => e.node)).toEqual(['m:1']);
    expect(dropped?.find((e) => e.kind === 'replica-dropped')?.message).toMatch(/: a timeout or its output buffer limit$/);
    // A middle node that lost its own master drops its replicas for that, not for a timeout.
    const [, upstream] = run([
      [master({ replicas: listed, role: 'replica', master: 'top:1', linkStatus: 'up' }), replica('a:1')],
      [master({ replicas: [], role: 'replica', master: 'top:1', linkStatus: 'down' }), replica('a:1', { linkStatus: 'down' })],
    ]);
    expect(upstream?.find((e) => e.kind === 'replica-dropped')?.message).toMatch(/: it has no link to its own master top:1 \(or is resyncing from it\), and its replicas then have to resync too$/);
    // Re-pointed elsewhere is a role change, not a drop.
    const [, moved] = run([
      [master({ replicas: listed }), replica('a:1')],
      [master({ replicas: [] }), replica('a:1', { master: 'x:9' })],
    ]);
    expect(moved?.map((e) => e.kind)).not.toContain('replica-dropped');
  });

  it('a full sync longer than a few polls is one event: counted by its master while the replica waits for the snapshot, then loaded, then ended with the new replid', () => {
    const waiting = { address: 'a:1', state: 'wait_bgsave', ackOffset: 0, ackAgeSeconds: 0 };
    const counted = { stats: { syncFull: 3, syncPartialOk: 0, syncPartialErr: 0 } };
    const events = run([
      [master(), replica('a:1')],
      // The master counts it as its BGSAVE starts; the replica shows no transfer yet.
      [master({ ...counted, replicas: [waiting] }), replica('a:1', { linkStatus: 'down' })],
      [master({ ...counted, replicas: [waiting] }), replica('a:1', { linkStatus: 'down' })],
      // Then loads it for seven polls (330k keys took that long with a real server)…
      ...Array.from({ length: 7 }, () => [master({ ...counted, replicas: [{ ...waiting, state: 'send_bulk' }] }), replica('a:1', { linkStatus: 'down', sync: SYNCING })]),
      // …and ends with its master's replid.
      [master(counted), replica('a:1', { replid: NEW_REPLID, offset: 10 })],
      [master(counted), replica('a:1', { replid: NEW_REPLID, offset: 20 })],
      // A later full sync of another replica, within a few polls: its own event, not swallowed.
      [master({ stats: { syncFull: 4, syncPartialOk: 0, syncPartialErr: 0 } }), replica('a:1', { replid: NEW_REPLID, offset: 30 }), replica('b:2', { sync: SYNCING })],
    ]).flat();
    expect(events.filter((e) => e.kind === 'full-resync').map((e) => [e.node, e.peer, e.completes ?? false])).toEqual([
      ['a:1', 'm:1', false],
      ['a:1', 'm:1', true],
      ['b:2', 'm:1', false],
    ]);
  });

  it('a replica that keeps failing to sync is reported once, not at every attempt, nor on its master', () => {
    const steps: NodeState[][] = [[master(), replica('a:1')]];
    for (let i = 0; i < 6; i++) {
      const stats = { syncFull: 3 + i, syncPartialOk: 0, syncPartialErr: 0 };
      steps.push([master({ stats }), replica('a:1', { linkStatus: 'down', sync: SYNCING })]);
      steps.push([master({ stats }), replica('a:1', { linkStatus: 'down' })]);
    }
    const events = run(steps).flat();
    expect(events.filter((e) => e.kind === 'full-resync').map((e) => e.node)).toEqual(['a:1']);
    // None of those attempts finished: its data was never replaced (the metric counts none).
    expect(events.filter((e) => e.replaced)).toEqual([]);
    expect(events.find((e) => e.kind === 'full-resync')?.message).toMatch(/^a:1 started a full resync from m:1 \(.*\): its data is replaced once the sync finishes$/);
    // Once it syncs for real, its next full resync is news again.
    const more = run([
      ...steps,
      ...Array.from({ length: 7 }, () => [master({ stats: { syncFull: 8, syncPartialOk: 0, syncPartialErr: 0 } }), replica('a:1')]),
      [master({ stats: { syncFull: 9, syncPartialOk: 0, syncPartialErr: 0 } }), replica('a:1', { sync: SYNCING })],
    ]).flat();
    expect(more.filter((e) => e.kind === 'full-resync').map((e) => [e.node, e.completes ?? false, e.replaced ?? false])).toEqual([
      ['a:1', false, false],
      ['a:1', true, true],
      ['a:1', false, false],
    ]);
  });

  it('a replica restarted without its history: its data is replaced when its full sync finishes, said then', () => {
    const [, , back, linked, settled] = run([
      [master(), replica('a:1')],
      [master(), replica('a:1', { reachable: false, replid: null, offset: null })],
      [master(), replica('a:1', { runId: 'run-a2', replid: NEW_REPLID, offset: 1, linkStatus: 'down' })],
      [master({ stats: { syncFull: 3, syncPartialOk: 0, syncPartialErr: 0 } }), replica('a:1', { runId: 'run-a2', offset: 5100 })],
      [master({ stats: { syncFull: 3, syncPartialOk: 0, syncPartialErr: 0 } }), replica('a:1', { runId: 'run-a2', offset: 5100 })],
    ]);
    expect(back?.filter((e) => e.kind === 'full-resync').map((e) => [e.message.split(' (')[0], e.replaced ?? false])).toEqual([['a:1 restarted without its replication history', false]]);
    expect(linked?.filter((e) => e.kind === 'full-resync').map((e) => [e.node, e.message, e.completes, e.replaced])).toEqual([
      ['a:1', "a:1's data was replaced by a full resync from m:1: the sync finished, its link is up", true, true],
    ]);
    expect(settled?.filter((e) => e.kind === 'full-resync')).toEqual([]);
  });
});

describe('a master counting a sync before the replica shows it', () => {
  const listed = (state: string): NodeState['replicas'] => [{ address: 'a:1', state, ackOffset: 0, ackAgeSeconds: 0 }];
  const stats = (syncFull: number): NodeState['stats'] => ({ syncFull, syncPartialOk: 0, syncPartialErr: 0 });

  it('the replica read linked up just before its link dropped, its master listing it in wait_bgsave: started, replaced once when it finishes', () => {
    for (const syncSeen of [true, false]) {
      const steps: NodeState[][] = [
        [master({ stats: stats(2), replicas: listed('online') }), replica('a:1')],
        // The replica's reading is from before the drop; its master's, from after the PSYNC it answered with a full sync.
        [master({ stats: stats(3), replicas: listed('wait_bgsave') }), replica('a:1')],
        ...(syncSeen ? [[master({ stats: stats(3), replicas: listed('send_bulk') }), replica('a:1', { linkStatus: 'down', sync: SYNCING })]] : []),
        [master({ stats: stats(3), replicas: listed('online') }), replica('a:1', { replid: NEW_REPLID, offset: 10 })],
        [master({ stats: stats(3), replicas: listed('online') }), replica('a:1', { replid: NEW_REPLID, offset: 10 })],
      ];
      const events = run(steps).flat().filter((e) => e.kind === 'full-resync');
      expect(events.map((e) => [e.node, e.completes ?? false, e.replaced ?? false]), `sync seen: ${syncSeen}`).toEqual([
        ['a:1', false, false],
        ['a:1', true, true],
      ]);
    }
  });
});

describe('a replica re-pointed while it synced', () => {
  it('names the master it follows now as the one whose data replaced its own, and the one it left', () => {
    const other = (over: Partial<NodeState> = {}): NodeState => nodeState('m:2', { runId: 'run-m2', replid: Z_REPLID, stats: { syncFull: 0, syncPartialOk: 0, syncPartialErr: 0 }, ...over });
    const events = run([
      [master(), other(), replica('a:1')],
      [master(), other(), replica('a:1', { linkStatus: 'down', sync: SYNCING })],
      // REPLICAOF m:2 mid-transfer: the sync from m:1 is dropped, m:2 serves another.
      [master(), other({ stats: { syncFull: 1, syncPartialOk: 0, syncPartialErr: 0 } }), replica('a:1', { master: 'm:2', linkStatus: 'down', sync: SYNCING })],
      [master(), other(), replica('a:1', { master: 'm:2', replid: Z_REPLID, offset: 10 })],
    ])
      .flat()
      .filter((e) => e.kind === 'full-resync' && e.node === 'a:1');
    expect(events.filter((e) => e.completes).map((e) => [e.message, e.peer, e.replaced])).toEqual([
      ["a:1's data was replaced by a full resync from m:2 (re-pointed from m:1 while it synced): the sync finished, its link is up", 'm:2', true],
    ]);
  });
});

describe('a replica re-pointed while it synced, its new master counted after it linked', () => {
  it('takes the sync_full the new master shows a poll later for the sync already said finished, not for another one "between two polls"', () => {
    const other = (syncFull: number, over: Partial<NodeState> = {}): NodeState =>
      nodeState('m:2', { runId: 'run-m2', replid: Z_REPLID, stats: { syncFull, syncPartialOk: 0, syncPartialErr: 0 }, ...over });
    const listing = [{ address: 'a:1', state: 'online', ackOffset: 10, ackAgeSeconds: 0 }];
    const events = run([
      [master(), other(0), replica('a:1')],
      [master(), other(0), replica('a:1', { linkStatus: 'down', sync: SYNCING })],
      [master(), other(0), replica('a:1', { master: 'm:2', linkStatus: 'down', sync: SYNCING })],
      // Linked to m:2 and listed by it; m:2's INFO stats, read only once it serves a replica, shows the sync a poll later.
      [master(), other(0, { replicas: listing }), replica('a:1', { master: 'm:2', replid: Z_REPLID, offset: 10 })],
      [master(), other(1, { replicas: listing }), replica('a:1', { master: 'm:2', replid: Z_REPLID, offset: 10 })],
    ]).flat();
    expect(events.filter((e) => e.kind === 'full-resync').map((e) => e.message)).toEqual([
      'a:1 started a full resync from m:1 (master_sync_in_progress: the sync started): its data is replaced once the sync finishes',
      "a:1's data was replaced by a full resync from m:2 (re-pointed from m:1 while it synced): the sync finished, its link is up",
    ]);
  });
});

describe('a replica that failed to sync, then synced', () => {
  it('read linked before its master counted that sync: one resync, not a second one', () => {
    const steps: NodeState[][] = [[master(), replica('a:1')]];
    for (let i = 0; i < 3; i++) {
      const stats = { syncFull: 3 + i, syncPartialOk: 0, syncPartialErr: 0 };
      steps.push([master({ stats }), replica('a:1', { linkStatus: 'down', sync: SYNCING })]);
      steps.push([master({ stats }), replica('a:1', { linkStatus: 'down' })]);
    }
    const online = [{ address: 'a:1', state: 'online', ackOffset: 10, ackAgeSeconds: 0 }];
    // Its master read before the attempt that worked began (it does not list a:1), then counting it.
    steps.push([master({ stats: { syncFull: 5, syncPartialOk: 0, syncPartialErr: 0 }, replicas: [] }), replica('a:1', { replid: NEW_REPLID, offset: 10 })]);
    steps.push([master({ stats: { syncFull: 6, syncPartialOk: 0, syncPartialErr: 0 }, replicas: online }), replica('a:1', { replid: NEW_REPLID, offset: 10 })]);
    steps.push([master({ stats: { syncFull: 6, syncPartialOk: 0, syncPartialErr: 0 }, replicas: online }), replica('a:1', { replid: NEW_REPLID, offset: 10 })]);
    const events = run(steps).flat().filter((e) => e.kind === 'full-resync');
    // Started once (not replaced), replaced once when it finished.
    expect(events.map((e) => [e.node, e.completes ?? false, e.replaced ?? false])).toEqual([
      ['a:1', false, false],
      ['a:1', true, true],
    ]);
  });
});

describe('a master made a replica', () => {
  it("says a demoted master's full resync lost the writes it took as a master; an ordinary replica's does not", () => {
    // x:1 was a second master (split brain: promoted at offset 5000, written to since), then made a replica of m:1: it resyncs in full.
    const promoted = { runId: 'run-x', replid: REPLID.replace(/^./, 'c'), replid2: REPLID, secondReplOffset: 5001 };
    const demote = (x: NodeState) => run([
      [master(), replica('a:1'), x],
      [master(), replica('a:1'), replica('x:1', { ...promoted, offset: 9000, linkStatus: 'down' })],
      [master(), replica('a:1'), replica('x:1', { runId: 'run-x', replid: NEW_REPLID, offset: 100 })],
    ])[2];
    const event = demote(nodeState('x:1', { ...promoted, offset: 9000 }))?.find((e) => e.kind === 'full-resync' && e.node === 'x:1');
    expect(event?.message).toMatch(/x:1's data was replaced by a full resync from m:1 .*It was a master until just now: the writes it took as a master that m:1 does not have are lost$/);
    // Promoted by mistake and put back before any write (its offset where it was promoted, or a PING's more to its replica): nothing of its own is lost.
    for (const [offset, connectedReplicas] of [[5000, 0], [5014, 1]] as const) {
      const idle = demote(nodeState('x:1', { ...promoted, offset, connectedReplicas }))?.find((e) => e.kind === 'full-resync' && e.node === 'x:1');
      expect(idle?.message).toMatch(/^x:1's data was replaced by a full resync from m:1/);
      expect(idle?.message).not.toContain('It was a master');
    }
    // Without replicas it sends no PINGs: 14 bytes are a write. And a master whose start is not known (first read as one) keeps the note.
    const lone = demote(nodeState('x:1', { ...promoted, offset: 5014, connectedReplicas: 0 }))?.find((e) => e.kind === 'full-resync' && e.node === 'x:1');
    expect(lone?.message).toMatch(/It was a master until just now: the writes it took as a master that m:1 does not have are lost$/);
    const unknown = demote(nodeState('x:1', { runId: 'run-x', replid: promoted.replid, offset: 9000 }))?.find((e) => e.kind === 'full-resync' && e.node === 'x:1');
    // Its offset did not move while it was read as a master: no write was seen, so none is claimed.
    expect(unknown?.message).toMatch(/It was a master until just now: any write it took as a master that m:1 does not have is lost$/);
    const [, , ordinary] = run([
      [master(), replica('a:1', { replid: REPLID })],
      [master(), replica('a:1', { replid: REPLID, linkStatus: 'down' })],
      [master(), replica('a:1', { replid: NEW_REPLID, offset: 100 })],
    ]);
    const plain = ordinary?.find((e) => e.kind === 'full-resync' && e.node === 'a:1');
    expect(plain?.message).toMatch(/^a:1's data was replaced by a full resync from m:1/);
    expect(plain?.message).not.toContain('It was a master');
  });

  it('a master restarted empty under its own replica (a stale replicaof line): its history is gone in the restart, and the replica holds every write it took', () => {
    // m:1 was the master at offset 5000, a:1 its replica in sync; m:1 comes back empty as a:1's replica, a:1 still replicates from m:1 (a cycle).
    const [, , back] = run([
      [master({ offset: 5000, connectedReplicas: 1 }), replica('a:1')],
      [master({ reachable: false, offset: null, replid: null }), replica('a:1', { linkStatus: 'down' })],
      [master({ runId: 'run-m2', role: 'replica', master: 'a:1', linkStatus: 'down', replid: NEW_REPLID, offset: 1 }), replica('a:1', { linkStatus: 'down' })],
    ]);
    const event = back?.find((e) => e.kind === 'full-resync' && e.node === 'm:1');
    expect(event?.message).toBe(
      `m:1 restarted without its replication history (new replication ID ${NEW_REPLID.slice(0, 8)}…, offset reset from 5000 to 1): ` +
        "it holds nothing, or a dump older than its history, and takes a:1's data in a full sync once its link is up",
    );
  });

  it('a demoted master whose new master holds every write it took loses none in its full resync', () => {
    // x:1 was a master of history c… up to 9000; m:1 followed it to 9000 and was promoted off it: x:1 is then made m:1's replica and resyncs in full.
    const history = REPLID.replace(/^./, 'c');
    const [, , full] = run([
      [master({ replid: NEW_REPLID, replid2: history, secondReplOffset: 9001, offset: 9500 }), nodeState('x:1', { runId: 'run-x', replid: history, offset: 9000 })],
      [master({ replid: NEW_REPLID, replid2: history, secondReplOffset: 9001, offset: 9500 }), replica('x:1', { runId: 'run-x', replid: history, offset: 9000, linkStatus: 'down' })],
      [master({ replid: NEW_REPLID, replid2: history, secondReplOffset: 9001, offset: 9500 }), replica('x:1', { runId: 'run-x', replid: Z_REPLID, offset: 100 })],
    ]);
    const event = full?.find((e) => e.kind === 'full-resync' && e.node === 'x:1');
    expect(event?.message).toMatch(/^x:1's data was replaced by a full resync from m:1/);
    expect(event?.message).not.toContain('It was a master');
  });
});

describe('the same resyncs whatever the poll timing', () => {
  /** The real timeline of one replica kicked by its master's output buffer limit 5 times (8 s apart), read at time t. */
  function obufAt(t: number): NodeState[] {
    const cycle = Math.floor(t / 8);
    const phase = t % 8;
    const done = Math.min(5, cycle + (phase >= 4.2 ? 1 : 0));
    const settings = { clientOutputBufferLimitReplica: '262144 131072 1' } as NodeState['settings'];
    const backlogWindow = { writeBytesPerSecond: 480_000, coversSeconds: 2, awaySeconds: null };
    const paused = cycle < 5 && phase < 4;
    const syncing = cycle < 5 && phase >= 4.2 && phase < 4.6;
    const line = { address: 'r:3', state: syncing ? 'send_bulk' : 'online', ackOffset: 0, ackAgeSeconds: 0 };
    // Dropped a second into the pause; listed again once it asks for a sync.
    const listed = cycle < 5 && ((phase >= 1 && phase < 4.2) || (phase < 1 && false)) ? [] : [line];
    return [
      master({ stats: { syncFull: 2 + done, syncPartialOk: 0, syncPartialErr: 0 }, replicas: listed, settings: { ...(master().settings ?? {}), ...settings } as NodeState['settings'], backlogWindow }),
      replica('r:3', paused ? { reachable: false } : phase < 4.2 && cycle < 5 ? {} : syncing ? { linkStatus: 'down', sync: SYNCING } : {}),
    ];
  }

  function runAt(intervalMs: number, startMs: number, endS: number, timeline: (t: number) => NodeState[]): ReturnType<typeof diffSnapshots> {
    const memory = new EventMemory();
    let previous: TopologySnapshot | null = null;
    const out: ReturnType<typeof diffSnapshots> = [];
    for (let ms = startMs; ms <= endS * 1000; ms += intervalMs) {
      const next = { ...snap(timeline(ms / 1000)), pollIntervalMs: intervalMs };
      out.push(...diffSnapshots(previous, next, memory));
      previous = next;
    }
    return out;
  }

  it('a replica kicked by its master output buffer limit 5 times: 5 resyncs on it, whatever the interval and phase of the polls', () => {
    for (const intervalMs of [1000, 700, 2000]) {
      for (const startMs of [0, 150, 350, 600]) {
        const events = runAt(intervalMs, startMs, 50, obufAt);
        const resyncs = events.filter((e) => e.kind === 'full-resync' && !e.completes);
        expect(resyncs.map((e) => e.node), `every ${intervalMs} ms from ${startMs} ms`).toEqual(['r:3', 'r:3', 'r:3', 'r:3', 'r:3']);
        // Each of them finished: five times its data was replaced, once each.
        expect(events.filter((e) => e.kind === 'full-resync' && e.replaced).map((e) => e.node), `every ${intervalMs} ms from ${startMs} ms`).toEqual(['r:3', 'r:3', 'r:3', 'r:3', 'r:3']);
        // Each drop counted once, seen or not (the replica was not read while its master dropped it).
        expect(events.filter((e) => e.kind === 'link-down').map((e) => e.node), `every ${intervalMs} ms from ${startMs} ms`).toEqual(['r:3', 'r:3', 'r:3', 'r:3', 'r:3']);
        // The cause, from the master's setting and its write rate.
        expect(resyncs[0]?.message).toContain("m:1's client-output-buffer-limit replica 262144 131072 1 holds 0.3 s of its writes");
      }
    }
  });

  /** A middle node r:1 (with sub-replicas a:1, b:2) timed out by its master, resumed at t=10: it resyncs, then a:1 twice and b:2 once. */
  function cascadeAt(t: number): NodeState[] {
    const paused = t >= 2 && t < 10;
    const r1Sync = t >= 10.1 && t < 10.3;
    const topFull = 2 + (t >= 10.1 ? 1 : 0);
    const midFull = 2 + (t >= 10.35 ? 2 : 0) + (t >= 10.8 ? 1 : 0);
    const aSync = (t >= 10.35 && t < 10.5) || (t >= 10.8 && t < 11);
    const bSync = t >= 10.4 && t < 10.6;
    const mid = paused
      ? replica('r:1', { reachable: false })
      : replica('r:1', { stats: { syncFull: midFull, syncPartialOk: 0, syncPartialErr: 0 }, ...(r1Sync ? { linkStatus: 'down', sync: SYNCING } : {}) });
    const sub = (address: string, syncing: boolean): NodeState =>
      replica(address, { master: 'r:1', depth: 2, ...(paused || (t >= 10 && t < 10.35) ? { linkStatus: 'down' } : syncing ? { linkStatus: 'down', sync: SYNCING } : {}) });
    return [master({ stats: { syncFull: topFull, syncPartialOk: 0, syncPartialErr: 0 } }), mid, sub('a:1', aSync), sub('b:2', bSync)];
  }

  it('a cascade resynced after its middle node came back: each resync on its replica, every "started" followed by "was replaced", whatever the polls', () => {
    for (const intervalMs of [1000, 700, 250]) {
      for (const startMs of [0, 100, 450]) {
        const events = runAt(intervalMs, startMs, 25, cascadeAt).filter((e) => e.kind === 'full-resync');
        const resyncs = events.filter((e) => !e.completes && e.peer !== undefined).map((e) => `${e.node}<${e.peer ?? ''}`);
        const where = `every ${intervalMs} ms from ${startMs} ms`;
        // a:1's two syncs may fall between two polls: its master's sync_full says both, and one event is one sync seen.
        expect(resyncs.filter((r) => r !== 'a:1<r:1').sort(), where).toEqual(['b:2<r:1', 'r:1<m:1']);
        expect(resyncs, where).toEqual(expect.arrayContaining(['r:1<m:1', 'a:1<r:1', 'b:2<r:1']));
        // Only a second sync of a:1 between two polls is left on its master, naming whom it may be.
        for (const left of events.filter((e) => (e.node === 'm:1' || e.node === 'r:1') && e.peer === undefined)) expect(left.message, where).toMatch(/^r:1 started a full resync \(sync_full 5\), again to (a:1 or b:2|b:2 or a:1) /);
        const started = events.filter((e) => e.peer !== undefined && !e.replaced);
        for (const being of started) {
          expect(being.message, where).toMatch(/ started a full resync from .*: its data is replaced once the sync finishes$/);
          expect(events.some((e) => e.node === being.node && e.completes && e.replaced), `${where}: ${being.message}`).toBe(true);
        }
        // Every resync on a replica ends replaced, once.
        expect(events.filter((e) => e.replaced).length, where).toBe(resyncs.length);
      }
    }
  });
});
