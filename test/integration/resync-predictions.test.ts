// Resync predictions against what Redis really does, under a steady write load: every
// `replicaof` dry run's "partial" or "full" is checked against the new master's own counters
// (sync_full, sync_partial_ok) after the plan really ran. Under load a replica read after
// the node it is compared with looks ahead of it and gets a false "FULL SYNC" verdict; and a
// replica moved under a sibling that is a write behind it at the instant it asks gets a real full
// sync, unless the move is held inside a write pause on the root (the plan's default).
import { describe, expect, it } from 'vitest';
import { Lab, type LabNodeSpec } from '../../electron/lab/lab';
import { syncServed, type SyncCounters } from '../../electron/engine/replication-rules';
import { caughtUp, direct, harness, WriteLoad } from '../helpers/actions';
import { disposeAfterEach } from '../helpers/dispose';

const own = disposeAfterEach();

async function counters(lab: Lab, name: string): Promise<SyncCounters> {
  const client = direct(lab, name);
  try {
    const text = await client.info('stats');
    const field = (key: string): number => Number(new RegExp(`^${key}:(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    return { syncFull: field('sync_full'), syncPartialOk: field('sync_partial_ok') };
  } finally {
    client.disconnect();
  }
}

const NODES: LabNodeSpec[] = [
  { name: 'master' },
  { name: 'replica-1', replicaOf: 'master' },
  { name: 'replica-2', replicaOf: 'master' },
  // Another history: its replica can only full-sync under 'master', and back.
  { name: 'other' },
  { name: 'stranger', replicaOf: 'other' },
];

describe('resync predictions under a steady write load', () => {
  it('predicts 10 replicaof runs of 10 right: sideways and upwards partial, another history full', async () => {
    const lab = own(await Lab.start({ nodes: NODES }));
    const h = own(await harness(lab, 'master', undefined, [lab.address('other')]));
    const seed = direct(lab, 'other');
    await seed.set('other:key', '1');
    seed.disconnect();
    // Every link streaming before the first plan: right after their initial syncs the replicas
    // get nothing until their first ACK, and a stranger still without the key has nothing to flush.
    await caughtUp(lab, 'other', ['stranger']);
    await caughtUp(lab, 'master', ['replica-1', 'replica-2']);
    const load = new WriteLoad(lab, ['master']).start();
    own({ close: () => load.stop() });
    // Writes flowing before the first plan: the race needs a moving offset.
    for (let i = 0; i < 500 && load.acked.length < 200; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(load.acked.length).toBeGreaterThanOrEqual(200);

    const moves: [node: string, master: string, expected: 'partial' | 'full'][] = [
      ['replica-2', 'replica-1', 'partial'],
      ['replica-2', 'master', 'partial'],
      ['replica-1', 'replica-2', 'partial'],
      ['replica-1', 'master', 'partial'],
      ['replica-2', 'replica-1', 'partial'],
      ['replica-2', 'master', 'partial'],
      ['replica-1', 'replica-2', 'partial'],
      ['replica-1', 'master', 'partial'],
      ['stranger', 'master', 'full'],
      ['stranger', 'other', 'full'],
    ];
    const results: { move: string; predicted: string; served: string | null; why: string }[] = [];
    for (const [node, master, expected] of moves) {
      await h.engine.refresh();
      const plan = await h.actions.plan({ kind: 'replicaof', node: lab.address(node), master: lab.address(master) });
      expect(plan.canRun, plan.checks.map((c) => `${c.code}/${c.verdict}: ${c.message}`).join('\n')).toBe(true);
      const prediction = plan.predictions.find((p) => p.node === lab.address(node));
      // A move under the sibling holds the master's writes for its moment; upwards and across histories nothing is held.
      const held = plan.steps.some((s) => s.command.startsWith('CLIENT PAUSE'));
      expect(held, `${node} → ${master}`).toBe(master !== 'master' && expected === 'partial');
      const before = await counters(lab, master);
      const outcome = await h.actions.execute(plan.id, { confirmAddress: plan.confirmAddress ?? undefined, overrides: plan.needsOverride });
      expect(outcome.ok, JSON.stringify(outcome.steps)).toBe(true);
      const served = syncServed(before, await counters(lab, master));
      results.push({ move: `${node} → ${master}`, predicted: prediction?.expected ?? 'none', served, why: prediction?.why ?? '' });
    }
    await load.stop();

    const wrong = results.filter((r) => r.predicted !== r.served);
    expect(wrong, `${results.length - wrong.length} of ${results.length} right; wrong:\n${wrong.map((r) => `${r.move}: predicted ${r.predicted} (${r.why}), Redis did ${r.served}`).join('\n')}`).toEqual([]);
    // Both kinds really happened, so neither verdict can be right by always saying the same.
    expect(results.map((r) => r.served)).toEqual(moves.map(([, , expected]) => expected));
    expect(load.acked.length).toBeGreaterThan(1000);
  });
});
