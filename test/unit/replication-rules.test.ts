import { describe, expect, it } from 'vitest';
import {
  canLoadRdb,
  compareServers,
  historyBytesBehind,
  nodeMaster,
  nodeOffset,
  parseServerVersion,
  psyncVerdict,
  rdbFormat,
  sameHistory,
  syncServed,
  type PsyncOffer,
} from '../../electron/engine/replication-rules';
import { planAction } from '../../electron/engine/actions/planner';
import type { ActionPlan } from '../../electron/shared/actions';
import { META, factsFor, nodeState, replicaState, snapshotOf } from '../helpers/action-fixtures';

// A node promoted at offset 999: new history 'b', the old one 'a' served up to offset 999.
const promoted = { replid: 'b', replid2: 'a', secondReplOffset: 1000 };

describe('sameHistory', () => {
  it('holds for nodes that share a replid, at any offset', () => {
    expect(sameHistory({ replid: 'b', offset: 5000 }, promoted)).toBe(true);
    expect(sameHistory({ replid: 'b', offset: 0 }, promoted)).toBe(true);
  });

  it('holds on the previous history only before second_repl_offset', () => {
    expect(sameHistory({ replid: 'a', offset: 999 }, promoted)).toBe(true);
    // At second_repl_offset the node has a byte the promoted node never had.
    expect(sameHistory({ replid: 'a', offset: 1000 }, promoted)).toBe(false);
    expect(sameHistory({ replid: 'a', offset: 900 }, { ...promoted, secondReplOffset: null })).toBe(false);
  });

  it('never holds for an unknown or unrelated replid', () => {
    expect(sameHistory({ replid: null, offset: 1 }, { replid: null, replid2: null, secondReplOffset: null })).toBe(false);
    expect(sameHistory({ replid: 'z', offset: 1 }, promoted)).toBe(false);
  });
});

describe('historyBytesBehind', () => {
  it('is the offset difference inside one history, never negative', () => {
    expect(historyBytesBehind({ ...promoted, offset: 5000 }, { replid: 'b', offset: 4200 })).toBe(800);
    expect(historyBytesBehind({ ...promoted, offset: 5000 }, { replid: 'b', offset: 5100 })).toBe(0);
    expect(historyBytesBehind({ ...promoted, offset: 5000 }, { replid: 'a', offset: 900 })).toBe(4100);
  });

  it('is null across histories or without offsets', () => {
    expect(historyBytesBehind({ ...promoted, offset: 5000 }, { replid: 'a', offset: 1000 })).toBeNull();
    expect(historyBytesBehind({ ...promoted, offset: 5000 }, { replid: 'z', offset: 10 })).toBeNull();
    expect(historyBytesBehind({ ...promoted, offset: null }, { replid: 'b', offset: 10 })).toBeNull();
    expect(historyBytesBehind({ ...promoted, offset: 10 }, { replid: 'b', offset: null })).toBeNull();
  });
});

describe('nodeOffset and nodeMaster', () => {
  const replica = { role: 'replica' as const, masterHost: '10.0.0.1', masterPort: 6380, replicaReplOffset: 700, masterReplOffset: 720 };

  it('takes a replica by what it applied, a master by its own offset', () => {
    expect(nodeOffset(replica)).toBe(700);
    expect(nodeOffset({ ...replica, replicaReplOffset: null })).toBe(720);
    expect(nodeOffset({ ...replica, role: 'master' })).toBe(720);
  });

  it('names the master a replica reports, bracketing IPv6, and none for a master', () => {
    expect(nodeMaster(replica)).toBe('10.0.0.1:6380');
    expect(nodeMaster({ ...replica, masterHost: '::1' })).toBe('[::1]:6380');
    expect(nodeMaster({ ...replica, role: 'master' })).toBeNull();
    expect(nodeMaster({ ...replica, masterPort: null })).toBeNull();
  });
});

describe('psyncVerdict', () => {
  // Backlog holding offsets 1000..5000 (first byte 1000, 4001 bytes).
  const master: PsyncOffer = { replid: 'm', replid2: null, secondReplOffset: null, backlog: { active: true, size: 1 << 20, firstByteOffset: 1000, histlen: 4001 } };

  it('accepts the own replid inside the backlog window, edges included', () => {
    expect(psyncVerdict({ replid: 'm', offset: 4000 }, master)).toEqual({ accepted: true, via: 'replid', behind: 1000 });
    expect(psyncVerdict({ replid: 'm', offset: 5000 }, master)).toEqual({ accepted: true, via: 'replid', behind: 0 });
    expect(psyncVerdict({ replid: 'm', offset: 999 }, master)).toMatchObject({ accepted: true });
  });

  it('refuses a replica older than the backlog or ahead of the master', () => {
    expect(psyncVerdict({ replid: 'm', offset: 998 }, master)).toEqual({ accepted: false, reason: 'before-backlog', bytes: 1 });
    expect(psyncVerdict({ replid: 'm', offset: 5100 }, master)).toEqual({ accepted: false, reason: 'ahead', bytes: 100 });
  });

  it('refuses without an active backlog, and across histories', () => {
    expect(psyncVerdict({ replid: 'm', offset: 4000 }, { ...master, backlog: null })).toMatchObject({ accepted: false, reason: 'no-backlog' });
    expect(psyncVerdict({ replid: 'm', offset: 4000 }, { ...master, backlog: { ...master.backlog!, active: false } })).toMatchObject({ reason: 'no-backlog' });
    expect(psyncVerdict({ replid: 'x', offset: 4000 }, master)).toMatchObject({ accepted: false, reason: 'different-history' });
    expect(psyncVerdict({ replid: null, offset: 4000 }, master)).toMatchObject({ accepted: false, reason: 'different-history' });
  });

  it('accepts replid2 up to second_repl_offset and refuses one byte past it', () => {
    const after = { ...master, replid: 'n', replid2: 'm', secondReplOffset: 4501 };
    expect(psyncVerdict({ replid: 'm', offset: 4500 }, after)).toEqual({ accepted: true, via: 'replid2', behind: 500 });
    expect(psyncVerdict({ replid: 'm', offset: 4501 }, after)).toEqual({ accepted: false, reason: 'past-replid2', bytes: 1 });
  });
});

describe('syncServed', () => {
  it('tells full from partial by the serving master\'s counters', () => {
    expect(syncServed({ syncFull: 1, syncPartialOk: 4 }, { syncFull: 2, syncPartialOk: 4 })).toBe('full');
    expect(syncServed({ syncFull: 1, syncPartialOk: 4 }, { syncFull: 1, syncPartialOk: 5 })).toBe('partial');
    expect(syncServed({ syncFull: 1, syncPartialOk: 4 }, { syncFull: 1, syncPartialOk: 4 })).toBeNull();
  });

  it('counts a Valkey dual-channel sync (both counters up) once, as full', () => {
    expect(syncServed({ syncFull: 0, syncPartialOk: 0 }, { syncFull: 1, syncPartialOk: 1 })).toBe('full');
  });
});

describe('server versions and RDB formats', () => {
  it('parses the product and the real version', () => {
    expect(parseServerVersion('valkey 8.0.1')).toEqual({ product: 'valkey', parts: [8, 0, 1] });
    expect(parseServerVersion('redis 7.0.15')).toEqual({ product: 'redis', parts: [7, 0, 15] });
    expect(parseServerVersion('6.2')).toEqual({ product: 'redis', parts: [6, 2, 0] });
    expect(parseServerVersion(null)).toBeNull();
    expect(parseServerVersion('unknown')).toBeNull();
  });

  it('knows the format each release line writes', () => {
    expect(rdbFormat('redis 6.0.20')).toBe(9);
    expect(rdbFormat('redis 6.2.14')).toBe(9);
    expect(rdbFormat('redis 7.0.15')).toBe(10);
    expect(rdbFormat('redis 7.2.4')).toBe(11);
    expect(rdbFormat('redis 7.4.1')).toBe(12);
    expect(rdbFormat('valkey 7.2.7')).toBe(11);
    expect(rdbFormat('valkey 8.0.1')).toBe(11);
    // Not guessed.
    expect(rdbFormat('redis 9.9.0')).toBeNull();
    expect(rdbFormat(null)).toBeNull();
  });

  it('says whether a replica can load its master\'s RDB', () => {
    // Measured: "Can't handle RDB format version 11" / "version 12".
    expect(canLoadRdb('redis 7.0.15', 'valkey 8.0.1')).toEqual({ loads: false, replicaReads: 10, masterWrites: 11 });
    expect(canLoadRdb('valkey 8.0.1', 'redis 7.4.1')).toEqual({ loads: false, replicaReads: 11, masterWrites: 12 });
    expect(canLoadRdb('valkey 8.0.1', 'redis 7.2.4')).toEqual({ loads: true, replicaReads: 11, masterWrites: 11 });
    expect(canLoadRdb('redis 7.4.1', 'redis 6.0.20')).toMatchObject({ loads: true });
    expect(canLoadRdb('redis 7.0.15', 'redis 9.9.0')).toMatchObject({ loads: null, masterWrites: null });
  });

  it('compares Valkey with Valkey by valkey_version and products by RDB format', () => {
    expect(compareServers('valkey 8.0.1', 'redis 7.2.4')).toBe(0);
    expect(compareServers('valkey 7.2.7', 'valkey 8.0.1')).toBeLessThan(0);
    expect(compareServers('valkey 8.0.1', 'valkey 7.2.7')).toBeGreaterThan(0);
    expect(compareServers('valkey 8.0.1', 'redis 7.4.1')).toBeLessThan(0);
    expect(compareServers('redis 7.0.15', 'valkey 8.0.1')).toBeLessThan(0);
    expect(compareServers('redis 6.2.14', 'redis 7.0.15')).toBeLessThan(0);
    expect(compareServers('redis 7.0.15', null)).toBe(0);
  });
});

describe('the planner asks the same rules', () => {
  const M = '10.0.0.1:6379';
  const A = '10.0.0.2:6379';
  const B = '10.0.0.3:6379';
  const versionOlder = (replica: string, master: string): ActionPlan['checks'][number] | undefined => {
    const snapshot = snapshotOf([nodeState(M, { version: master }), replicaState(A, M, { version: replica })]);
    const plan = planAction({ kind: 'replicaof', node: A, master: M }, factsFor(snapshot, { [A]: { role: 'replica', masterAddress: B } }), META).plan;
    return plan.checks.find((c) => c.code === 'VERSION_OLDER');
  };

  it('VERSION_OLDER: Valkey 8 under Redis 7.2 is no older (both write RDB 11); Valkey under Redis 7.4 is', () => {
    expect(versionOlder('valkey 8.0.1', 'redis 7.2.5')).toBeUndefined();
    expect(versionOlder('valkey 8.0.1', 'redis 7.4.1')).toMatchObject({ verdict: 'warning', overridable: true });
    expect(versionOlder('redis 7.0.15', 'valkey 8.0.1')).toMatchObject({ verdict: 'warning' });
  });

  it('VERSION_OLDER: Valkey against Valkey by valkey_version', () => {
    expect(versionOlder('valkey 7.2.7', 'valkey 8.0.1')).toMatchObject({ verdict: 'warning' });
    expect(versionOlder('valkey 8.0.1', 'valkey 7.2.7')).toBeUndefined();
  });

  it('promote: bytes behind count only on the master\'s history (replid2 up to second_repl_offset)', () => {
    const snapshot = snapshotOf([
      nodeState(M, { replid: 'new', replid2: 'old', secondReplOffset: 1000, offset: 5000 }),
      replicaState(A, M, { replid: 'old', offset: 1200 }),
    ]);
    const plan = planAction({ kind: 'promote', node: A, repointSiblings: false }, factsFor(snapshot), META).plan;
    // A has 200 bytes M never had: no "bytes behind" can be told, and none is invented; nor is it a tick.
    expect(plan.checks.filter((c) => c.code === 'REPLICA_BEHIND')).toEqual([
      expect.objectContaining({ verdict: 'warning', overridable: false, message: expect.stringContaining(`how far ${A} is behind its master ${M} cannot be told`) }),
    ]);
    expect(plan.lostBytes).toEqual([]);
    const onHistory = snapshotOf([
      nodeState(M, { replid: 'new', replid2: 'old', secondReplOffset: 1000, offset: 5000 }),
      replicaState(A, M, { replid: 'old', offset: 900 }),
    ]);
    const behind = planAction({ kind: 'promote', node: A, repointSiblings: false }, factsFor(onHistory), META).plan;
    expect(behind.checks.find((c) => c.code === 'REPLICA_BEHIND')).toMatchObject({ verdict: 'warning', message: expect.stringContaining('4.0 KiB (4,100 bytes) behind') });
  });
});
