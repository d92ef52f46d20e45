import { describe, expect, it } from 'vitest';
import type { NodeRecord } from '../../electron/engine/node-record';
import { NodeSet } from '../../electron/engine/node-set';
import { read, refused } from '../helpers/node-record';

const INTERVAL = 1000;

describe('NodeSet: bounded', () => {
  it('adds at most maxNodes from what nodes list, seeds always, and reports what it did not follow', () => {
    const nodes = new NodeSet(10, {}, 5);
    const master = read(nodes.add('10.0.0.1:6379', true), { replicas: Array.from({ length: 10 }, (_, i) => `10.0.1.${i}:6379`) });
    const added = nodes.addNeighboursOf(master);
    expect(added.map((r) => r.address)).toEqual(['10.0.1.0:6379', '10.0.1.1:6379', '10.0.1.2:6379', '10.0.1.3:6379']);
    expect(nodes.size).toBe(5);
    expect(nodes.full).toBe(true);
    expect(nodes.addNeighboursOf(master)).toEqual([]);
    expect(nodes.add('10.0.0.2:6379', true).seed).toBe(true);
    expect(nodes.size).toBe(6);
    expect(nodes.notFollowed(3)).toEqual({ count: 6, sample: ['10.0.1.4:6379', '10.0.1.5:6379', '10.0.1.6:6379'], listedBy: ['10.0.0.1:6379'] });
  });

  it('once full, shares the room fairly: a real master\'s replicas take the place of a hostile list\'s dead addresses', () => {
    const nodes = new NodeSet(10, {}, 12);
    const hostile = read(nodes.add('10.0.0.9:6379', true), { replicas: Array.from({ length: 20 }, (_, i) => `10.9.0.${i}:6379`) });
    const dead = nodes.addNeighboursOf(hostile).map((r) => refused(r));
    expect(dead).toHaveLength(11);
    expect(nodes.full).toBe(true);
    const real = read(nodes.add('10.0.0.1:6379', true), { replicas: ['10.0.1.1:6379', '10.0.1.2:6379', '10.0.1.3:6379'] });
    expect(nodes.addNeighboursOf(real).map((r) => r.address)).toEqual(['10.0.1.1:6379', '10.0.1.2:6379', '10.0.1.3:6379']);
    // The room came from the hostile list's newest dead addresses, handed back once for clean-up.
    const given = nodes.forgetVanished({ now: 0, forgetAfterMs: 600_000, intervalMs: INTERVAL });
    expect(given.map((r) => r.address)).toEqual(['10.9.0.10:6379', '10.9.0.9:6379', '10.9.0.8:6379']);
    expect(nodes.forgetVanished({ now: 1, forgetAfterMs: 600_000, intervalMs: INTERVAL })).toEqual([]);
    // The hostile list naming them again takes nothing back from the real master's share.
    expect(nodes.addNeighboursOf(hostile)).toEqual([]);
    for (const address of ['10.0.1.1:6379', '10.0.1.2:6379', '10.0.1.3:6379']) expect(nodes.resolve(address)).toBeDefined();
    expect(nodes.size).toBe(13);
  });

  it('refuses a cap that is not a whole number of at least 1, with a clear error', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => new NodeSet(10, {}, bad)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT', message: expect.stringContaining('maxNodes must be a whole number') }));
    }
  });

  it('follows nothing more and reports nothing while there is room', () => {
    const nodes = new NodeSet(10, {}, 100);
    const master = read(nodes.add('10.0.0.1:6379', true), { replicas: ['10.0.1.1:6379'] });
    expect(nodes.addNeighboursOf(master)).toHaveLength(1);
    expect(nodes.notFollowed()).toEqual({ count: 0, sample: [], listedBy: [] });
  });

  it('remembers which master listed a node, and not for a master found through master_host', () => {
    const nodes = new NodeSet(10);
    const replica = read(nodes.add('10.0.0.2:6379', true), { master: '10.0.0.1:6379' });
    const [master] = nodes.addNeighboursOf(replica);
    expect(master?.listedBy).toBeNull();
    read(master as NodeRecord, { replicas: ['10.0.0.2:6379', '10.0.0.3:6379'] });
    const [sibling] = nodes.addNeighboursOf(master as NodeRecord);
    expect(sibling?.address).toBe('10.0.0.3:6379');
    expect(sibling?.listedBy).toBe('10.0.0.1:6379');
  });

  it('drops a never-reached address a few polls after its list stops naming it, and counts churn against that master', () => {
    const nodes = new NodeSet(10);
    const master = read(nodes.add('10.0.0.1:6379', true), { replicas: ['10.0.1.1:6379'] });
    let now = 0;
    const ghost = refused(nodes.addNeighboursOf(master, now)[0] as NodeRecord);
    // Still listed: kept however long it stays unreachable.
    now = 60_000;
    expect(nodes.forgetVanished({ now, forgetAfterMs: 600_000, intervalMs: INTERVAL })).toEqual([]);
    // No longer listed: kept for three intervals, then dropped.
    read(master, { replicas: [] });
    now += 3 * INTERVAL;
    expect(nodes.forgetVanished({ now, forgetAfterMs: 600_000, intervalMs: INTERVAL })).toEqual([]);
    now += 1;
    expect(nodes.forgetVanished({ now, forgetAfterMs: 600_000, intervalMs: INTERVAL })).toEqual([ghost]);
    expect(nodes.resolve('10.0.1.1:6379')).toBeUndefined();
    // One drop is a replica that went away, not churn.
    expect(nodes.churning).toEqual([]);
  });

  it('keeps a list that changes every poll from growing the set, and names the churning master', () => {
    const nodes = new NodeSet(10);
    const master = read(nodes.add('10.0.0.1:6379', true), {});
    let peak = 0;
    for (let poll = 0; poll < 200; poll++) {
      const now = poll * INTERVAL;
      read(master, { replicas: Array.from({ length: 20 }, (_, i) => `10.${1 + (poll >> 8)}.${poll & 255}.${i}:6379`) });
      for (const added of nodes.addNeighboursOf(master, now)) refused(added);
      nodes.forgetVanished({ now, forgetAfterMs: 600_000, intervalMs: INTERVAL });
      peak = Math.max(peak, nodes.size);
    }
    // The master, this poll's 20 and three polls' worth in their grace period.
    expect(peak).toBeLessThanOrEqual(1 + 20 * 5);
    expect(nodes.churning).toEqual([{ master: '10.0.0.1:6379', dropped: expect.any(Number), windowMs: 60 * INTERVAL }]);
    expect(nodes.churning[0]?.dropped).toBeGreaterThanOrEqual(3);
    // Once the list settles, the warning ends with its window.
    read(master, { replicas: [] });
    const settled = 205 * INTERVAL;
    nodes.forgetVanished({ now: settled, forgetAfterMs: 600_000, intervalMs: INTERVAL });
    expect(nodes.size).toBe(1);
    nodes.forgetVanished({ now: settled + 60 * INTERVAL, forgetAfterMs: 600_000, intervalMs: INTERVAL });
    expect(nodes.churning).toHaveLength(1);
    nodes.forgetVanished({ now: settled + 61 * INTERVAL, forgetAfterMs: 600_000, intervalMs: INTERVAL });
    expect(nodes.churning).toEqual([]);
  });

  it('forgets a node reached once only after forgetAfterMs, and never a seed', () => {
    const nodes = new NodeSet(10);
    const seed = refused(nodes.add('10.0.0.9:6379', true));
    const master = read(nodes.add('10.0.0.1:6379', true), { replicas: ['10.0.1.1:6379'] });
    const replica = read(nodes.addNeighboursOf(master, 0)[0] as NodeRecord, { master: '10.0.0.1:6379' });
    read(master, { replicas: [] });
    replica.reachable = false;
    replica.unreachableSince = 1000;
    expect(nodes.forgetVanished({ now: 100_000, forgetAfterMs: 600_000, intervalMs: INTERVAL })).toEqual([]);
    expect(nodes.forgetVanished({ now: 601_001, forgetAfterMs: 600_000, intervalMs: INTERVAL })).toEqual([replica]);
    expect(nodes.contains(seed)).toBe(true);
    // A node reached once is not churn.
    expect(nodes.churning).toEqual([]);
  });
});

describe('NodeSet: linear per poll', () => {
  it('hands out the same array until a node is added or removed', () => {
    const nodes = new NodeSet(10);
    const a = nodes.add('10.0.0.1:6379', true);
    const first = nodes.all();
    expect(nodes.all()).toBe(first);
    const b = nodes.add('10.0.0.2:6379', true);
    const second = nodes.all();
    expect(second).not.toBe(first);
    expect(second).toEqual([a, b]);
    expect(first).toEqual([a]);
    nodes.remove(a);
    expect(nodes.all()).toEqual([b]);
  });

  it('merges two addresses of one run_id through its index, keeping the seed and every alias', () => {
    const nodes = new NodeSet(10);
    const listed = read(nodes.add('10.0.0.5:6379', false), { runId: 'same' });
    expect(nodes.mergeByRunId(listed)).toBe(listed);
    const seed = read(nodes.add('db.example:6379', true), { runId: 'same' });
    expect(nodes.mergeByRunId(seed)).toBe(seed);
    expect(nodes.size).toBe(1);
    expect([...seed.aliases]).toEqual(['10.0.0.5:6379']);
    expect(nodes.resolve('10.0.0.5:6379')).toBe(seed);
    expect(nodes.contains(listed)).toBe(false);
    // A removed record merges into nothing.
    expect(nodes.mergeByRunId(listed)).toBe(listed);
    expect(nodes.size).toBe(1);
  });

  it('dials a node at the address that last answered as it: a twin kept for its seniority that stopped answering is dialled at the new one', () => {
    const nodes = new NodeSet(10, { '10.0.0.7:6379': '127.0.0.1:7007' });
    const forwarded = read(nodes.add('127.0.0.1:7001', false), { runId: 'same' });
    nodes.mergeByRunId(forwarded);
    refused(forwarded);
    // Listed at its own address, which answers as the same process: one node, dialled there from now on.
    const own = read(nodes.add('10.0.0.7:6379', false), { runId: 'same' });
    expect(nodes.mergeByRunId(own)).toBe(forwarded);
    expect(forwarded).toMatchObject({ address: '127.0.0.1:7001', dialledAs: '10.0.0.7:6379', dial: '127.0.0.1:7007' });
    expect([...forwarded.aliases]).toEqual(['10.0.0.7:6379']);
    // Its first address answers again and the second fails: back to the first, the second stays an alias.
    expect(nodes.dialBy(forwarded, '127.0.0.1:7001')).toBe(true);
    expect(forwarded).toMatchObject({ dialledAs: '127.0.0.1:7001', dial: '127.0.0.1:7001' });
    expect(nodes.resolve('10.0.0.7:6379')).toBe(forwarded);
    // Both answering: the node keeps the address it has.
    const both = read(nodes.add('10.0.0.8:6379', true), { runId: 'both' });
    nodes.mergeByRunId(both);
    expect(nodes.mergeByRunId(read(nodes.add('10.0.0.9:6379', false), { runId: 'both' }))).toBe(both);
    expect(both.dial).toBe('10.0.0.8:6379');
    // Another node's address is never taken over.
    expect(nodes.dialBy(forwarded, '10.0.0.8:6379')).toBe(false);
    expect(forwarded.dial).toBe('127.0.0.1:7001');
  });

  it('does not merge with a node that has restarted under a new run_id since it was indexed', () => {
    const nodes = new NodeSet(10);
    const a = read(nodes.add('10.0.0.1:6379', true), { runId: 'old' });
    nodes.mergeByRunId(a);
    read(a, { runId: 'new' });
    nodes.mergeByRunId(a);
    const b = read(nodes.add('10.0.0.2:6379', true), { runId: 'old' });
    expect(nodes.mergeByRunId(b)).toBe(b);
    expect(nodes.size).toBe(2);
    const c = read(nodes.add('10.0.0.3:6379', false), { runId: 'new' });
    expect(nodes.mergeByRunId(c)).toBe(a);
  });

  it('answers masterOf from the last reading and the addresses known now: a master added later, a merge, a removal, a new master', () => {
    const nodes = new NodeSet(10);
    const replica = read(nodes.add('10.0.0.2:6379', true), { master: '10.0.0.1:6379' });
    expect(nodes.masterOf(replica)).toBeUndefined();
    const master = read(nodes.add('10.0.0.1:6379', false), { runId: 'm' });
    nodes.mergeByRunId(master);
    expect(nodes.masterOf(replica)).toBe(master);
    // The master's seed address turns out to be the same process: the replica's master is the node kept.
    const seed = read(nodes.add('db.example:6379', true), { runId: 'm' });
    nodes.mergeByRunId(seed);
    expect(nodes.masterOf(replica)).toBe(seed);
    nodes.remove(seed);
    expect(nodes.masterOf(replica)).toBeUndefined();
    const other = nodes.add('10.0.0.3:6379', true);
    read(replica, { master: '10.0.0.3:6379' });
    expect(nodes.masterOf(replica)).toBe(other);
    read(replica, {});
    expect(nodes.masterOf(replica)).toBeUndefined();
  });

  it('gives every node its chain top and length as chainOf does: cascades, cycles, self-loops, unknown masters', () => {
    const nodes = new NodeSet(10);
    const add = (address: string, info: { master?: string; replicas?: string[] }) => read(nodes.add(address, true), info);
    add('10.0.0.1:1', {});
    add('10.0.0.2:1', { master: '10.0.0.1:1' });
    add('10.0.0.3:1', { master: '10.0.0.2:1' });
    add('10.0.0.4:1', { master: '10.0.0.9:1' }); // unknown master
    add('10.0.1.1:1', { master: '10.0.1.2:1' }); // cycle of three
    add('10.0.1.2:1', { master: '10.0.1.3:1' });
    add('10.0.1.3:1', { master: '10.0.1.1:1' });
    add('10.0.1.4:1', { master: '10.0.1.1:1' }); // hangs off the cycle
    add('10.0.2.1:1', { master: '10.0.2.1:1' }); // replicates from itself
    const chains = nodes.chains();
    for (const record of nodes.all()) {
      const chain = nodes.chainOf(record);
      expect(chains.get(record), record.address).toEqual({ top: chain[chain.length - 1], length: chain.length });
    }
  });

  it('computes chains of a 3,000-node cascade', () => {
    const nodes = new NodeSet(10, {}, 10_000);
    read(nodes.add('10.0.0.0:1', true), {});
    for (let i = 1; i < 3000; i++) read(nodes.add(`10.0.${i >> 8}.${i & 255}:1`, true), { master: `10.0.${(i - 1) >> 8}.${(i - 1) & 255}:1` });
    const chains = nodes.chains();
    const last = nodes.all()[2999] as NodeRecord;
    expect(chains.get(last)).toEqual({ top: nodes.all()[0], length: 3000 });
  });
});
