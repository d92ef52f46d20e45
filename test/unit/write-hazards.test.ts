// What a node does to writes as a master because of its own disk or memory: the rule behind
// WRITES_REFUSED's MISCONF and OOM reasons and the planner's WRITES_REFUSED and EVICTION checks.
import { describe, expect, it } from 'vitest';
import { masterHazards, refusalHangsOnSettings, replicaHazards } from '../../electron/engine/write-hazards';
import { parseSettings } from '../../electron/engine/replication-settings';
import { parseInfo, parseLoad } from '../../electron/engine/info-parser';
import { planAction } from '../../electron/engine/actions/planner';
import type { NodeLoad } from '../../electron/shared/types';
import { META, factsFor, nodeState, replicaState, snapshotOf } from '../helpers/action-fixtures';

const fields = (text: string): Record<string, string> => parseInfo(text).fields;
const load = (memory: string, persistence = 'rdb_bgsave_in_progress:0\naof_rewrite_in_progress:0\naof_enabled:0'): NodeLoad =>
  parseLoad({ stats: null, memory: fields(memory), clients: null, persistence: fields(persistence) }, 1);
const FAILED_SAVE = 'rdb_bgsave_in_progress:0\naof_rewrite_in_progress:0\nrdb_last_save_time:1764745200\nrdb_last_bgsave_status:err\nrdb_saves:1\naof_enabled:0';
const SAVING = parseSettings({ save: '3600 1', 'stop-writes-on-bgsave-error': 'yes' }, null);
const kinds = (settings: Parameters<typeof masterHazards>[0], l: NodeLoad | null): string[] => masterHazards(settings, l).map((h) => `${h.kind}${h.certain ? '' : '?'}`);

describe('masterHazards', () => {
  it('a failed RDB save stops writes only with save points and stop-writes-on-bgsave-error on; unread settings make it "may"', () => {
    const failed = load('used_memory:100\nmaxmemory:0', FAILED_SAVE);
    expect(kinds(SAVING, failed)).toEqual(['rdb-error']);
    expect(masterHazards(SAVING, failed)[0]?.effect).toMatch(/^refuses every write \(MISCONF\): its last RDB save failed/);
    expect(kinds({ ...SAVING, stopWritesOnBgsaveError: false }, failed)).toEqual([]);
    // A BGSAVE by hand failed on a node with save "": Redis takes writes.
    expect(kinds({ ...SAVING, save: '' }, failed)).toEqual([]);
    expect(kinds({ ...SAVING, stopWritesOnBgsaveError: null }, failed)).toEqual(['rdb-error?']);
    expect(kinds(null, failed)).toEqual(['rdb-error?']);
    expect(masterHazards(null, failed)[0]?.effect).toMatch(/^may refuse every write/);
    expect(kinds(SAVING, load('used_memory:100\nmaxmemory:0'))).toEqual([]);
  });

  it('a failed save makes the poll re-read the settings with the load, whatever they said: save points turned on at run time make it a refusal', () => {
    const failed = load('used_memory:100\nmaxmemory:0', FAILED_SAVE);
    expect(refusalHangsOnSettings({ ...SAVING, save: '' }, failed, null)).toBe(true);
    expect(refusalHangsOnSettings({ ...SAVING, stopWritesOnBgsaveError: false }, failed, null)).toBe(true);
    expect(refusalHangsOnSettings(SAVING, load('used_memory:100\nmaxmemory:0'), null)).toBe(false);
    // NOREPLICAS: none good is short whatever the setting.
    expect(refusalHangsOnSettings(SAVING, null, 0)).toBe(true);
  });

  it('an AOF write error stops every write', () => {
    const aof = load('used_memory:100\nmaxmemory:0', 'rdb_bgsave_in_progress:0\naof_rewrite_in_progress:0\naof_enabled:1\naof_last_write_status:err');
    expect(kinds(SAVING, aof)).toEqual(['aof-error']);
  });

  it('memory past maxmemory (less what is not counted) refuses writes under noeviction and evicts under any other policy', () => {
    expect(kinds(SAVING, load('used_memory:2000\nmaxmemory:1000\nmaxmemory_policy:noeviction\nmem_not_counted_for_evict:0'))).toEqual(['oom']);
    expect(kinds(SAVING, load('used_memory:2000\nmaxmemory:1000\nmaxmemory_policy:allkeys-lru'))).toEqual(['eviction']);
    // volatile-* evicts only keys with a TTL (INFO keyspace's expires): without one it refuses writes; with some it evicts them; unknown, it may refuse.
    const volatile = load('used_memory:2000\nmaxmemory:1000\nmaxmemory_policy:volatile-lru');
    expect(volatile.keysWithTtl).toBeNull();
    expect(kinds(SAVING, volatile)).toEqual(['oom?']);
    const keyspace = (text: string): NodeLoad => ({ ...volatile, keysWithTtl: parseLoad({ stats: null, memory: null, clients: null, persistence: null, keyspace: text }, 1).keysWithTtl });
    const none = keyspace('db0:keys=5,expires=0,avg_ttl=0\r\ndb3:keys=2,expires=0,avg_ttl=0');
    expect(none.keysWithTtl).toBe(0);
    expect(masterHazards(SAVING, none)).toMatchObject([{ kind: 'oom', certain: true, effect: expect.stringContaining('with maxmemory-policy volatile-lru and no key with a TTL to evict') }]);
    const some = keyspace('db0:keys=5,expires=0,avg_ttl=0\r\ndb3:keys=20,expires=12,avg_ttl=9000');
    expect(some.keysWithTtl).toBe(12);
    expect(masterHazards(SAVING, some)).toMatchObject([{ kind: 'eviction', certain: true, effect: expect.stringMatching(/^evicts keys with a TTL until it is under its limit \(maxmemory-policy volatile-lru\)/) }]);
    // An empty keyspace section (no database holds a key): none to evict.
    expect(keyspace('').keysWithTtl).toBe(0);
    // Replica output buffers are not counted: 2000 - 1500 is under the limit.
    expect(kinds(SAVING, load('used_memory:2000\nmaxmemory:1000\nmaxmemory_policy:noeviction\nmem_not_counted_for_evict:1500'))).toEqual([]);
    expect(kinds(SAVING, load('used_memory:2000\nmaxmemory:0\nmaxmemory_policy:noeviction'))).toEqual([]);
    expect(kinds(SAVING, null)).toEqual([]);
    expect(masterHazards(SAVING, load('used_memory:2048\nmaxmemory:1024\nmaxmemory_policy:noeviction'))[0]?.effect).toBe(
      'refuses the writes that add data (OOM): it uses 2.0 KiB against its maxmemory of 1.0 KiB, with maxmemory-policy noeviction',
    );
  });
});

describe('replicaHazards', () => {
  const failed = load('used_memory:100\nmaxmemory:1', FAILED_SAVE);
  it('a disk error stops a replica at its master\'s next write unless replica-ignore-disk-write-errors is yes; memory does not matter to a replica', () => {
    expect(replicaHazards({ ...SAVING, replicaIgnoreDiskWriteErrors: false }, failed, 'redis 7.0.15')).toMatchObject([
      { kind: 'rdb-error', certain: true, effect: expect.stringMatching(/^stops \(the process exits\) at the first write its master sends: its last RDB save failed .* and replica-ignore-disk-write-errors is no$/) },
    ]);
    expect(replicaHazards({ ...SAVING, replicaIgnoreDiskWriteErrors: true }, failed, 'redis 7.0.15')).toEqual([]);
    // Unread on 7.0+: "may".
    expect(replicaHazards(SAVING, failed, 'valkey 8.0.1').map((h) => h.certain)).toEqual([false]);
    // Redis 6.x replicas take the write (only a master refuses it).
    expect(replicaHazards(SAVING, failed, 'redis 6.2.14')).toEqual([]);
    expect(replicaHazards({ ...SAVING, replicaIgnoreDiskWriteErrors: false }, load('used_memory:2000\nmaxmemory:1000\nmaxmemory_policy:noeviction'), 'redis 7.0.15')).toEqual([]);
  });
});

describe('the planner, promoting a node that would refuse writes or evict keys', () => {
  const M = '10.0.0.1:6379';
  const A = '10.0.0.2:6379';
  const full = masterHazards(SAVING, load('used_memory:2048\nmaxmemory:1024\nmaxmemory_policy:noeviction'));
  const evicts = masterHazards(SAVING, load('used_memory:2048\nmaxmemory:1024\nmaxmemory_policy:allkeys-lru'));
  const snapshot = snapshotOf([nodeState(M), replicaState(A, M)]);

  it('refuses a switchover or promote to it, overridably, while the master takes writes', () => {
    for (const request of [{ kind: 'switchover', to: A }, { kind: 'promote', node: A, repointSiblings: true }] as const) {
      const plan = planAction(request, factsFor(snapshot, { [A]: { asMaster: full } }), META).plan;
      expect(plan.checks.find((c) => c.code === 'WRITES_REFUSED')).toMatchObject({ verdict: 'refused', overridable: true, message: expect.stringContaining(`${A}, once master, refuses the writes that add data (OOM)`) });
      expect(plan.needsOverride).toContain('WRITES_REFUSED');
    }
    const plan = planAction({ kind: 'switchover', to: A }, factsFor(snapshot, { [A]: { asMaster: evicts } }), META).plan;
    expect(plan.checks.find((c) => c.code === 'EVICTION')).toMatchObject({ verdict: 'refused', overridable: true, message: expect.stringContaining('evicts keys until it is under its limit (maxmemory-policy allkeys-lru)') });
    expect(planAction({ kind: 'switchover', to: A }, factsFor(snapshot), META).plan.checks.map((c) => c.code)).not.toContain('WRITES_REFUSED');
  });

  it('an emergency failover too: it would end "done" with writes still refused; an uncertain hazard only warns', () => {
    const down = snapshotOf([nodeState(M, { reachable: false, error: { code: 'UNREACHABLE', message: 'refused' } }), replicaState(A, M, { linkStatus: 'down' })]);
    const plan = planAction({ kind: 'failover' }, factsFor(down, { [A]: { asMaster: full, linkStatus: 'down' } }), META).plan;
    expect(plan.checks.find((c) => c.code === 'WRITES_REFUSED')).toMatchObject({ verdict: 'refused', overridable: true });
    const maybe = full.map((h) => ({ ...h, certain: false }));
    const unsure = planAction({ kind: 'failover' }, factsFor(down, { [A]: { asMaster: maybe, linkStatus: 'down' } }), META).plan;
    expect(unsure.checks.find((c) => c.code === 'WRITES_REFUSED')).toMatchObject({ verdict: 'warning', overridable: false });
  });

  it("its own min-replicas-to-write against the replicas it will have (NOREPLICAS), counting those re-pointed to it", () => {
    const B = '10.0.0.3:6379';
    const three = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M)]);
    const asks = (toWrite: number) => ({ [A]: { minReplicas: { toWrite, maxLag: 10 } } });
    // A switchover gives A the old master and B: two.
    expect(planAction({ kind: 'switchover', to: A }, factsFor(three, asks(2)), META).plan.checks.map((c) => c.code)).not.toContain('WRITES_REFUSED');
    const switchover = planAction({ kind: 'switchover', to: A }, factsFor(three, asks(3)), META).plan;
    expect(switchover.checks.find((c) => c.code === 'WRITES_REFUSED')).toMatchObject({
      verdict: 'refused',
      overridable: true,
      message: `${A}, once master, refuses every write (NOREPLICAS): its min-replicas-to-write is 3, and it will have 2 replicas. Lower it first (CONFIG SET min-replicas-to-write 2 on ${A}), or bring replicas back`,
    });
    // Promoted without re-pointing B: none.
    const alone = planAction({ kind: 'promote', node: A, repointSiblings: false }, factsFor(three, asks(1)), META).plan;
    expect(alone.checks.find((c) => c.code === 'WRITES_REFUSED')?.message).toContain('its min-replicas-to-write is 1, and it will have 0 replicas');
    expect(planAction({ kind: 'promote', node: A, repointSiblings: true }, factsFor(three, asks(1)), META).plan.checks.map((c) => c.code)).not.toContain('WRITES_REFUSED');
    // min-replicas-max-lag 0 turns the limit off (Redis applies it only with both set).
    const off = { [A]: { minReplicas: { toWrite: 3, maxLag: 0 } } };
    expect(planAction({ kind: 'switchover', to: A }, factsFor(three, off), META).plan.checks.map((c) => c.code)).not.toContain('WRITES_REFUSED');
    // A master the plan takes a replica from: M keeps only B once A moves under B.
    const moved = planAction({ kind: 'replicaof', node: A, master: B }, factsFor(three, { [M]: { minReplicas: { toWrite: 2, maxLag: 10 } } }), META).plan;
    expect(moved.checks.find((c) => c.code === 'WRITES_REFUSED')).toMatchObject({
      verdict: 'refused',
      overridable: true,
      message: `${M}, once the plan moves 1 replica away from it, refuses every write (NOREPLICAS): its min-replicas-to-write is 2, and it will have 1 replica. Lower it first (CONFIG SET min-replicas-to-write 1 on ${M}), or bring replicas back`,
    });
    // A master already short of replicas is the warnings' to say, not this plan's doing.
    const short = factsFor(three, { [M]: { minReplicas: { toWrite: 5, maxLag: 10 } } });
    expect(planAction({ kind: 'switchover', to: A }, short, META).plan.checks.map((c) => c.code)).not.toContain('WRITES_REFUSED');
  });

  it('min-replicas-to-write it cannot read (CONFIG GET refused): INFO says whether the limit is on; on, none left refuses and some left warns', () => {
    const B = '10.0.0.3:6379';
    const three = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M)]);
    // Unread, and INFO gives no min_slaves_good_slaves: the limit is off, nothing to say.
    const off = factsFor(three, { [A]: { minReplicas: null, minReplicasGood: null } });
    expect(planAction({ kind: 'switchover', to: A }, off, META).plan.checks.map((c) => c.code)).not.toContain('WRITES_REFUSED');
    // On: a switchover leaves A two replicas, and whether it asks for more cannot be told.
    const on = factsFor(three, { [A]: { minReplicas: null, minReplicasGood: 0 } });
    const switchover = planAction({ kind: 'switchover', to: A }, on, META).plan;
    expect(switchover.checks.filter((c) => c.code === 'WRITES_REFUSED')).toEqual([
      expect.objectContaining({
        verdict: 'warning',
        overridable: false,
        nodes: [A],
        message: expect.stringMatching(
          new RegExp(`^${A}'s min-replicas-to-write cannot be read \\(CONFIG GET refused .*\\+config\\|get\\).*: once master, it may refuse every write \\(NOREPLICAS\\), if it asks for more than the 2 replicas it will have\\. Check with CONFIG GET min-replicas-to-write on ${A}`),
        ),
      }),
    ]);
    expect(switchover.canRun).toBe(true);
    // Promoted alone, it asks for at least one and has none: refused, as with the value read.
    const alone = planAction({ kind: 'promote', node: A, repointSiblings: false }, on, META).plan;
    expect(alone.checks.find((c) => c.code === 'WRITES_REFUSED')).toMatchObject({
      verdict: 'refused',
      overridable: true,
      message: expect.stringContaining('INFO replication shows the limit on (min_slaves_good_slaves): it asks for at least 1 replica, and it will have 0 replicas'),
    });
    // A master the plan takes a replica from, its limit on and unread: M keeps B only.
    const moved = planAction({ kind: 'replicaof', node: A, master: B }, factsFor(three, { [M]: { minReplicas: null, minReplicasGood: 2 } }), META).plan;
    expect(moved.checks.find((c) => c.code === 'WRITES_REFUSED')).toMatchObject({ verdict: 'warning', message: expect.stringContaining(`once the plan moves 1 replica away from it, it may refuse every write`) });
  });

  it("a replica made master with a write fence left on it refuses, overridably (FENCED_MASTER): it would refuse every write from the start", () => {
    const fenced = factsFor(snapshot, { [A]: { minReplicas: { toWrite: 2147483647, maxLag: 10 } } });
    expect(planAction({ kind: 'switchover', to: A }, fenced, META).plan.checks.find((c) => c.code === 'FENCED_MASTER')).toMatchObject({ verdict: 'refused', overridable: true });
  });

  it('a node the plan makes a replica that cannot save: DISK_ERROR (a switchover away from a master whose disk failed stopped it)', () => {
    const stops = replicaHazards({ ...SAVING, replicaIgnoreDiskWriteErrors: false }, load('used_memory:100\nmaxmemory:0', FAILED_SAVE), 'redis 7.0.15');
    const plan = planAction({ kind: 'switchover', to: A }, factsFor(snapshot, { [M]: { asReplica: stops } }), META).plan;
    expect(plan.checks.find((c) => c.code === 'DISK_ERROR')).toMatchObject({
      verdict: 'refused',
      overridable: true,
      message: expect.stringContaining(`${M}, as a replica of ${A}, stops (the process exits) at the first write its master sends`),
    });
    // A replica re-pointed stops at its own master's next write anyway (the warnings say so): said, not held against the plan.
    const B = '10.0.0.3:6379';
    const siblings = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M)]);
    const plan2 = planAction({ kind: 'switchover', to: A }, factsFor(siblings, { [B]: { asReplica: stops } }), META).plan;
    expect(plan2.checks.find((c) => c.code === 'DISK_ERROR')).toMatchObject({ verdict: 'warning', overridable: false, message: expect.stringContaining(`${B}, as a replica of ${A}, stops`) });
    // One the plan does not move at all: nothing.
    expect(planAction({ kind: 'promote', node: A, repointSiblings: false }, factsFor(siblings, { [B]: { asReplica: stops } }), META).plan.checks.map((c) => c.code)).not.toContain('DISK_ERROR');
  });
});
