import { describe, expect, it } from 'vitest';
import { servedSyncs, type NodeRecord } from '../../electron/engine/node-record';
import { NodeSet } from '../../electron/engine/node-set';
import { buildSnapshot } from '../../electron/engine/snapshot';
import { read } from '../helpers/node-record';
import type { ListedReplica } from '../../electron/shared/types';

const MASTER = '10.0.0.1:6379';
const SIBLING = '10.0.0.2:6379';
const AWAY = '10.0.0.3:6379';
const INTERVAL = 1000;
const NOW = 1_000_000;

/** A master listing two replicas; AWAY is reachable, its link down since `awaySince`, in a sync it started then. */
function topology(awaySince: number): { nodes: NodeSet; master: NodeRecord; away: NodeRecord } {
  const nodes = new NodeSet(10);
  const master = read(nodes.add(MASTER, true), { replicas: [SIBLING, AWAY] });
  read(nodes.add(SIBLING, false), { master: MASTER });
  const away = read(nodes.add(AWAY, false), { master: MASTER, extra: 'master_sync_in_progress:1' });
  away.replication = { ...away.replication!, linkStatus: 'down', syncInProgress: true };
  away.awaySince = awaySince;
  away.syncStarts = [awaySince];
  return { nodes, master, away };
}

function attempts(nodes: NodeSet, address = AWAY): number {
  return buildSnapshot(nodes, 1, INTERVAL, NOW).nodes.find((n) => n.address === address)?.syncAttempts ?? -1;
}

describe("a replica's sync attempts, counted from its master's sync_full", () => {
  it('leave out a sync the master served a sibling just before this replica went away', () => {
    // Within the poll interval of slack before the replica was read away: the master listed the sibling syncing.
    const { nodes, master } = topology(NOW - 5000);
    master.fullSyncsServed = [{ at: NOW - 5400, syncing: [SIBLING], dropped: [] }];
    expect(attempts(nodes)).toBe(1);
  });

  it("leave out a sync with no replica listed syncing while the master listed this one online (a sibling's, over between two reads)", () => {
    const { nodes, master } = topology(NOW - 5000);
    master.fullSyncsServed = servedSyncs(1, NOW - 5400, [line(SIBLING, 'online'), line(AWAY, 'online')], [line(SIBLING, 'wait_bgsave'), line(AWAY, 'online')]);
    expect(attempts(nodes)).toBe(1);
  });

  it('count a sync with no replica listed syncing for a replica listed syncing the reading before and not listed now: dropped, and not back yet', () => {
    const { nodes, master } = topology(NOW - 30_000);
    master.fullSyncsServed = [NOW - 29_000, NOW - 19_000, NOW - 9_000].flatMap((at) => servedSyncs(1, at, [line(SIBLING, 'online')], [line(SIBLING, 'online'), line(AWAY, 'send_bulk')]));
    expect(attempts(nodes)).toBe(3);
  });

  it('leave out a sync with no replica listed syncing from a replica the master did not list syncing before either (refused at the handshake)', () => {
    // Its link down, its master never reached: three `redis-cli --rdb` backups of its master, each over between two reads.
    const { nodes, master } = topology(NOW - 30_000);
    const lines = [line(SIBLING, 'online')];
    master.fullSyncsServed = [NOW - 29_000, NOW - 19_000, NOW - 9_000].flatMap((at) => servedSyncs(1, at, lines, lines));
    expect(attempts(nodes)).toBe(1);
  });

  it('count each sync the master listed this replica syncing for: retried between two reads, it reads "in a sync" throughout', () => {
    const { nodes, master } = topology(NOW - 30_000);
    master.fullSyncsServed = [NOW - 29_000, NOW - 19_000, NOW - 9_000].map((at) => ({ at, syncing: [AWAY], dropped: [] }));
    expect(attempts(nodes)).toBe(3);
  });

  it('share a sync among the replicas listed syncing with it: a restarted master serves each one', () => {
    const { nodes, master } = topology(NOW - 10_000);
    master.fullSyncsServed = [1, 2].map(() => ({ at: NOW - 9_000, syncing: [SIBLING, AWAY], dropped: [] }));
    expect(attempts(nodes)).toBe(1);
  });

  it('know the replica by an alias the master lists it under', () => {
    const { nodes, master, away } = topology(NOW - 30_000);
    away.aliases.add('replica-3.example:6379');
    master.fullSyncsServed = [NOW - 29_000, NOW - 19_000].map((at) => ({ at, syncing: ['replica-3.example:6379'], dropped: [] }));
    expect(attempts(nodes)).toBe(2);
  });

  it("count one sync for a replica the master lists syncing when two siblings' syncs started and finished since its last reading", () => {
    // Three syncs between two readings of the master: the siblings are back online, this replica still in its first.
    const { nodes, master } = topology(NOW - 1500);
    const lines = [line(SIBLING, 'online'), line('10.0.0.4:6379', 'online'), line(AWAY, 'wait_bgsave')];
    master.fullSyncsServed = servedSyncs(3, NOW - 1000, lines, [line(SIBLING, 'online'), line('10.0.0.4:6379', 'online'), line(AWAY, 'online')]);
    expect(attempts(nodes)).toBe(1);
  });

  it('count a sync dropped and retried between two readings for the replica listed syncing in both, one a reading', () => {
    const { nodes, master } = topology(NOW - 30_000);
    const syncing = [line(SIBLING, 'online'), line(AWAY, 'send_bulk')];
    master.fullSyncsServed = [
      ...servedSyncs(1, NOW - 29_000, syncing, [line(SIBLING, 'online')]),
      ...servedSyncs(1, NOW - 28_000, syncing, syncing),
      ...servedSyncs(1, NOW - 27_000, syncing, syncing),
    ];
    expect(attempts(nodes)).toBe(3);
  });

  it('give a sync a newly listed sibling started to that sibling, not to a replica listed syncing since before', () => {
    // This replica's one long sync, while three siblings restarted one after the other each synced.
    const { nodes, master } = topology(NOW - 60_000);
    const siblings = ['10.0.0.4:6379', '10.0.0.5:6379', '10.0.0.6:6379'];
    master.fullSyncsServed = servedSyncs(1, NOW - 59_000, [line(AWAY, 'wait_bgsave')], []);
    for (const [i, sibling] of siblings.entries()) {
      master.fullSyncsServed.push(...servedSyncs(1, NOW - 50_000 + i * 10_000, [line(AWAY, 'send_bulk'), line(sibling, 'wait_bgsave')], [line(AWAY, 'send_bulk')]));
    }
    expect(attempts(nodes)).toBe(1);
  });

  it('count a sync for a replica its master lists online without an ACK yet: a diskless snapshot sent, not loaded', () => {
    // It cannot write what it receives and asks again: each time, its master lists it online (offset 0) at once.
    const { nodes, master } = topology(NOW - 30_000);
    const sent = [line(SIBLING, 'online', 5000), line(AWAY, 'online', 0)];
    master.fullSyncsServed = [NOW - 29_000, NOW - 19_000, NOW - 9_000].flatMap((at) => servedSyncs(1, at, sent, [line(SIBLING, 'online', 5000)]));
    expect(attempts(nodes)).toBe(3);
  });

  it('count the syncs the master lists it syncing for while the replica itself is not read: its last reading was away', () => {
    // It cannot write the RDB it is sent: it blocks ~5 s at each attempt, and the console's reads time out.
    const { nodes, master, away } = topology(NOW - 30_000);
    away.reachable = false;
    away.error = { code: 'TIMEOUT', message: `${AWAY} did not answer in time` };
    master.fullSyncsServed = [NOW - 29_000, NOW - 19_000, NOW - 9_000].map((at) => ({ at, syncing: [AWAY], dropped: [] }));
    expect(attempts(nodes)).toBe(3);
    // Its last reading had its link up: nothing of its master's is its attempt.
    away.awaySince = null;
    expect(attempts(nodes)).toBe(0);
  });

  it('leave the syncs that started and ended between two readings to a replica dropped since the reading before (listed syncing then, not listed now)', () => {
    const gone = '10.0.0.4:6379';
    const entries = servedSyncs(3, NOW, [line(SIBLING, 'online'), line(AWAY, 'send_bulk')], [line(SIBLING, 'online'), line(AWAY, 'wait_bgsave'), line(gone, 'send_bulk')]);
    expect(entries).toEqual([
      { at: NOW, syncing: [AWAY], dropped: [] },
      { at: NOW, syncing: [], dropped: [gone] },
      { at: NOW, syncing: [], dropped: [gone] },
    ]);
  });
});

function line(address: string, state: string, ackOffset = state === 'online' ? 1000 : 0): ListedReplica {
  return { address, state, ackOffset, ackAgeSeconds: 0 };
}
