import { describe, expect, it } from 'vitest';
import { cycleVerdicts, loopAbove } from '../../electron/engine/cycle-verdict';
import { riskWarnings } from '../../electron/engine/warnings';
import { nodesByAddress } from '../../electron/shared/node-index';
import type { NodeState, TopologyWarning } from '../../electron/shared/types';
import { nodeState } from '../helpers/node-state';
import { parseSettings } from '../../electron/engine/replication-settings';

const X = 'a'.repeat(40);
const Y = 'b'.repeat(40);
const Z = 'c'.repeat(40);

/** A node of a cycle: a replica of `master` whose link is down, at `offset` of history `replid`. */
/** No RDB saves, no AOF: a restart brings it back empty. */
const EMPTY_ON_RESTART = parseSettings({ save: '' }, { aof_enabled: '0' });

function looped(address: string, master: string, offset: number, over: Partial<NodeState> = {}): NodeState {
  return nodeState(address, { role: 'replica', master, linkStatus: 'down', depth: null, replid: X, offset, ...over });
}

function cycle(...addresses: string[]): TopologyWarning {
  return { code: 'CYCLE', message: `Replication cycle: ${[...addresses, addresses[0]].join(' → ')}. None of these nodes has a master that takes writes`, nodes: addresses };
}

/** The CYCLE headline's message once judged. */
function verdict(states: NodeState[], loop: string[] = ['a:1', 'b:1']): string {
  return cycleVerdicts([cycle(...loop)], states)[0]?.message ?? '';
}

describe('CYCLE: who holds the most data, and the REPLICAOF NO ONE that keeps it', () => {
  it('one history: the node furthest along holds all, the other is behind it; promoting the other would lose the difference', () => {
    const message = verdict([looped('a:1', 'b:1', 4438), looped('b:1', 'a:1', 2915)]);
    expect(message).toBe(
      'Replication cycle: a:1 → b:1 → a:1. None of these nodes has a master that takes writes. ' +
        'a:1 holds the most data (offset 4,438 of history aaaaaaaa…); b:1 is 1.5 KiB behind it (offset 2,915) → ' +
        'REPLICAOF NO ONE on a:1 (Promote): the others replicate from it again, directly or through each other, and lose nothing. ' +
        'Persist it with CONFIG REWRITE on a:1: a replicaof line left in a configuration file brings a cycle back at the next restart. ' +
        'Do not promote b:1 instead: a:1 would then take its data in a full sync, and what only a:1 holds would be lost.',
    );
  });

  it('a node promoted off the other and written to holds all of it (its replid2 is the other history, past where the other stopped)', () => {
    const message = verdict([looped('a:1', 'b:1', 2915), looped('b:1', 'a:1', 4438, { replid: Y, replid2: X, secondReplOffset: 2916 })]);
    expect(message).toContain('b:1 holds the most data (offset 4,438 of history bbbbbbbb…); a:1 is 1.5 KiB behind it (offset 2,915)');
    expect(message).toContain('REPLICAOF NO ONE on b:1 (Promote)');
    expect(message).toContain('Do not promote a:1 instead');
  });

  it('a node restarted empty (offset 1 of a new history) holds nothing: the other holds the data, whatever the offsets say', () => {
    const message = verdict([looped('a:1', 'b:1', 1, { replid: Z, settings: EMPTY_ON_RESTART }), looped('b:1', 'a:1', 2915)]);
    expect(message).toContain('b:1 holds the most data (offset 2,915 of history aaaaaaaa…); a:1 holds nothing of it (offset 1 of a history of its own: it restarted without its data, or never synced)');
    expect(message).toContain('REPLICAOF NO ONE on b:1');
    expect(message).toContain('Do not promote a:1 instead: b:1 would then take its data in a full sync');
    // Restarted from its own files (an AOF, an RDB without its replication ID): the same offset with
    // keys in it. Not said to hold nothing: what it holds cannot be told by offset.
    const reloaded = verdict([looped('a:1', 'b:1', 1, { replid: Z, settings: parseSettings({ save: '' }, { aof_enabled: '1', rdb_last_load_keys_loaded: '100' }) }), looped('b:1', 'a:1', 2915)]);
    expect(reloaded).not.toContain('holds nothing');
    expect(reloaded).not.toContain('REPLICAOF NO ONE on b:1 (Promote)');
  });

  it('the same data on both: either will do, and no node is warned against', () => {
    const message = verdict([looped('a:1', 'b:1', 2915, { linkStatus: 'up' }), looped('b:1', 'a:1', 2915, { linkStatus: 'up' })]);
    expect(message).toContain('They all hold the same data (offset 2,915 of history aaaaaaaa…): breaking it at any of them loses nothing → REPLICAOF NO ONE on a:1');
    expect(message).not.toContain('Do not promote');
  });

  it('histories gone apart: no node holds everything; where they forked, what each has past it, and copy first', () => {
    const message = verdict([looped('a:1', 'b:1', 3538), looped('b:1', 'a:1', 4438, { replid: Y, replid2: X, secondReplOffset: 2916 })]);
    expect(message).toContain(
      'No node holds all the data: b:1 was promoted off a:1\'s history at offset 2,915, and since then a:1 has 623 B and b:1 1.5 KiB of writes the other lacks. ' +
        'Whichever you keep, what only the others hold is lost when they sync from it (a full sync): copy what you need from them first',
    );
    expect(message).toContain('then REPLICAOF NO ONE on the one you keep (b:1 holds the most past where they went apart), and CONFIG REWRITE on it.');
    expect(message).not.toContain('holds the most data');
  });

  it('unrelated histories are not compared by offset', () => {
    const message = verdict([looped('a:1', 'b:1', 9000), looped('b:1', 'a:1', 4000, { replid: Y })]);
    expect(message).toContain('No node holds all the data: their histories are unrelated (a:1 at offset 9,000 of aaaaaaaa…, b:1 at offset 4,000 of bbbbbbbb…), so the console cannot compare them by offset');
    expect(message).not.toContain('holds the most');
  });

  it('a node of the cycle that cannot be read is not counted, and the verdict says so', () => {
    const message = verdict(
      [looped('a:1', 'b:1', 4438), looped('b:1', 'c:1', 2915), nodeState('c:1', { reachable: false, role: 'replica', master: 'a:1', replid: null, offset: null, depth: null })],
      ['a:1', 'b:1', 'c:1'],
    );
    expect(message).toContain('a:1 holds the most data');
    expect(message).toContain('and lose nothing the console could read.');
    expect(message).toContain("c:1 could not be read (what it holds is not counted): check its master_repl_offset before choosing.");
  });

  it('a node below the cycle holding more than any node of it: promote it, then make the node it hangs from its replica', () => {
    const message = verdict([
      looped('a:1', 'b:1', 1, { replid: Z, settings: EMPTY_ON_RESTART }),
      looped('b:1', 'a:1', 1000),
      nodeState('c:1', { role: 'replica', master: 'a:1', linkStatus: 'down', depth: null, replid: X, offset: 2000 }),
    ]);
    expect(message).toContain('c:1 holds the most data (offset 2,000 of history aaaaaaaa…); a:1 holds nothing of it');
    expect(message).toContain('b:1 is 1000 B behind it (offset 1,000)');
    expect(message).toContain('REPLICAOF NO ONE on c:1 (Promote), then make a:1 a replica of c:1');
    expect(message).toContain('Do not promote a:1 or b:1 instead');
  });

  it("folds the cycle's SYNC_FAILING and BACKLOG_EXCEEDED under it, not another node's, and judges a node replicating from itself apart", () => {
    const states = [looped('a:1', 'b:1', 4438), looped('b:1', 'a:1', 2915), nodeState('m:1'), nodeState('r:1', { role: 'replica', master: 'm:1' }), looped('s:1', 's:1', 10)];
    const inCycle: TopologyWarning = { code: 'SYNC_FAILING', message: 'b:1 cannot sync from a:1', nodes: ['b:1', 'a:1'] };
    const behind: TopologyWarning = { code: 'BACKLOG_EXCEEDED', message: 'b:1 is behind', nodes: ['b:1', 'a:1'] };
    const elsewhere: TopologyWarning = { code: 'SYNC_FAILING', message: 'r:1 cannot sync from m:1', nodes: ['r:1', 'm:1'] };
    const self: TopologyWarning = { code: 'CYCLE', message: 's:1 replicates from itself: it will never receive data', nodes: ['s:1'] };
    const selfFailing: TopologyWarning = { code: 'SYNC_FAILING', message: 's:1 cannot sync from s:1', nodes: ['s:1', 's:1'] };
    const out = cycleVerdicts([cycle('a:1', 'b:1'), inCycle, behind, elsewhere, self, selfFailing], states);
    expect(out.map((w) => w.code)).toEqual(['CYCLE', 'SYNC_FAILING', 'CYCLE']);
    expect(out[0]?.folded).toEqual([inCycle, behind]);
    expect(out[0]?.message).toMatch(/\. 2 more warnings follow from this$/);
    expect(out[1]).toBe(elsewhere);
    expect(out[2]?.folded).toEqual([selfFailing]);
    expect(out[2]?.message).toMatch(/^s:1 replicates from itself: it will never receive data\. s:1 keeps the data it had/);
  });
});

describe('CYCLE of one: a node replicating from itself', () => {
  const self = (): TopologyWarning => ({ code: 'CYCLE', message: 's:1 replicates from itself', nodes: ['s:1'] });

  it('keeps its data: REPLICAOF NO ONE if it should be a master, else point it at its master; persist it', () => {
    const [out] = cycleVerdicts([self()], [looped('s:1', 's:1', 593), nodeState('r:1', { role: 'replica', master: 's:1', depth: null, replid: X, offset: 593 })]);
    expect(out?.message).toBe(
      's:1 replicates from itself. s:1 keeps the data it had (offset 593 of history aaaaaaaa…) → ' +
        'REPLICAOF NO ONE on s:1 (Promote) if it should be a master: it takes writes again and the nodes below it receive them, and nothing is lost. ' +
        'If it should be a replica, point it at its master instead (REPLICAOF <host> <port> on s:1, or Replicate from in its menu): ' +
        "a partial sync where s:1 lies on that master's history, else a full sync that replaces its data with the master's. " +
        'Persist it with CONFIG REWRITE on s:1: a replicaof line left in a configuration file brings it back at the next restart.',
    );
  });

  it('restarted empty under a replica that holds the data: promote the replica, then make it the replica of that one; never promote it', () => {
    const [out] = cycleVerdicts(
      [self()],
      [looped('s:1', 's:1', 1, { replid: Z, settings: EMPTY_ON_RESTART }), nodeState('r:1', { role: 'replica', master: 's:1', linkStatus: 'down', depth: null, replid: X, offset: 2915 })],
    );
    expect(out?.message).toContain('r:1 holds the most data (offset 2,915 of history aaaaaaaa…); s:1 holds nothing of it');
    expect(out?.message).toContain('→ REPLICAOF NO ONE on r:1 (Promote), then make s:1 a replica of r:1: the nodes below s:1 follow through it and lose nothing.');
    expect(out?.message).toContain('Do not promote s:1 instead: r:1 would then take its data in a full sync');
    expect(out?.message).not.toContain('REPLICAOF NO ONE on s:1');
  });
});

describe('SYNC_FAILING in a cycle', () => {
  it('does not send the operator round the cycle ("mend its master\'s link first"), for a node of it or below it', () => {
    const states = [
      looped('a:1', 'b:1', 4438, { linkDownSinceSeconds: 50 }),
      looped('b:1', 'a:1', 2915, { linkDownSinceSeconds: 45 }),
      nodeState('c:1', { role: 'replica', master: 'b:1', linkStatus: 'down', linkDownSinceSeconds: 40, depth: null }),
    ];
    const failing = riskWarnings(states, 0).filter((w) => w.code === 'SYNC_FAILING');
    expect(failing.map((w) => w.nodes)).toEqual([
      ['a:1', 'b:1'],
      ['b:1', 'a:1'],
      ['c:1', 'b:1'],
    ]);
    expect(failing[1]?.message).toBe(
      'b:1 cannot sync from a:1: a:1 is in a replication cycle (a:1 → b:1 → a:1), where no node serves a sync while its own link is down ("NOMASTERLINK" in b:1\'s log). ' +
        'No link here can be mended: break the cycle as CYCLE says, and b:1 follows on its own',
    );
    expect(failing[2]?.message).toContain('c:1 cannot sync from b:1: b:1 is in a replication cycle (b:1 → a:1 → b:1)');
    for (const w of failing) expect(w.message).not.toMatch(/Mend .* link first/);
  });

  it('loopAbove: the loop a chain runs into, from where it enters; null for a chain that ends at a root', () => {
    const byAddress = nodesByAddress([looped('a:1', 'b:1', 1), looped('b:1', 'c:1', 1), looped('c:1', 'a:1', 1), looped('d:1', 'b:1', 1), nodeState('m:1'), nodeState('r:1', { role: 'replica', master: 'm:1' })]);
    expect(loopAbove('d:1', byAddress)).toEqual(['b:1', 'c:1', 'a:1']);
    expect(loopAbove('a:1', byAddress)).toEqual(['a:1', 'b:1', 'c:1']);
    expect(loopAbove('r:1', byAddress)).toBeNull();
  });
});
