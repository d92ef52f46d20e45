// What a node does to writes as a master because of its own disk or memory: the rule behind
// WRITES_REFUSED's MISCONF and OOM reasons and the planner's WRITES_REFUSED and EVICTION checks.
import { describe, expect, it } from 'vitest';
import { masterHazards } from '../../electron/engine/master-hazards';
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

  it('an AOF write error stops every write', () => {
    const aof = load('used_memory:100\nmaxmemory:0', 'rdb_bgsave_in_progress:0\naof_rewrite_in_progress:0\naof_enabled:1\naof_last_write_status:err');
    expect(kinds(SAVING, aof)).toEqual(['aof-error']);
  });

  it('memory past maxmemory (less what is not counted) refuses writes under noeviction and evicts under any other policy', () => {
    expect(kinds(SAVING, load('used_memory:2000\nmaxmemory:1000\nmaxmemory_policy:noeviction\nmem_not_counted_for_evict:0'))).toEqual(['oom']);
    expect(kinds(SAVING, load('used_memory:2000\nmaxmemory:1000\nmaxmemory_policy:allkeys-lru'))).toEqual(['eviction']);
    // Replica output buffers are not counted: 2000 - 1500 is under the limit.
    expect(kinds(SAVING, load('used_memory:2000\nmaxmemory:1000\nmaxmemory_policy:noeviction\nmem_not_counted_for_evict:1500'))).toEqual([]);
    expect(kinds(SAVING, load('used_memory:2000\nmaxmemory:0\nmaxmemory_policy:noeviction'))).toEqual([]);
    expect(kinds(SAVING, null)).toEqual([]);
    expect(masterHazards(SAVING, load('used_memory:2048\nmaxmemory:1024\nmaxmemory_policy:noeviction'))[0]?.effect).toBe(
      'refuses the writes that add data (OOM): it uses 2.0 KiB against its maxmemory of 1.0 KiB, with maxmemory-policy noeviction',
    );
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

  it('only warns in an emergency failover: the writes are down already', () => {
    const down = snapshotOf([nodeState(M, { reachable: false, error: { code: 'UNREACHABLE', message: 'refused' } }), replicaState(A, M, { linkStatus: 'down' })]);
    const plan = planAction({ kind: 'failover' }, factsFor(down, { [A]: { asMaster: full, linkStatus: 'down' } }), META).plan;
    expect(plan.checks.find((c) => c.code === 'WRITES_REFUSED')).toMatchObject({ verdict: 'warning', overridable: true });
  });
});
