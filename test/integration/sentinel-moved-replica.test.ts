// A replica moved (replicaof) or detached in a Sentinel-managed group, with SENTINEL_MANAGED
// overridden, against a real master, two replicas and three real redis-sentinel processes (quorum
// 2, failover-timeout 5000 ms): the plan ends done, and its first note says the Sentinels undo it
// and when, in the outcome, the CLI's text and its --json. Then the Sentinels are left to act, and
// do what the note said: the moved replica is re-pointed back, the detached one made a replica
// again with what was written to it meanwhile gone; and the note's way to keep a detach (SENTINEL
// RESET on every Sentinel) keeps it. Every wait is for a condition, bar the one that shows nothing
// happens.
import Redis from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatOutcome } from '../../electron/cli/action-output';
import type { Lab } from '../../electron/lab/lab';
import type { ActionOutcome } from '../../electron/shared/actions';
import { check, planAndRun, replication, type Harness } from '../helpers/actions';
import { cliRun, onNode as onLabNode, sentinelReplicas, sentinelView, useSentinelGroup } from '../helpers/sentinel-group';
import { until } from '../helpers/until';

const NAME = 'rc-moved';

let lab: Lab;
let sentinels: string[] = [];
let h: Harness;

const onNode = <T>(name: string, work: (c: Redis) => Promise<T>): Promise<T> => onLabNode(lab, name, work);

/** replica-2 back under the master with its link up, as the Sentinels keep it. */
async function backUnderMaster(what: string, timeoutMs: number): Promise<void> {
  await until(what, async () => {
    const r = await replication(lab, 'replica-2');
    return r.role === 'slave' && r.master_port === String(lab.port('master')) && r.master_link_status === 'up' ? true : undefined;
  }, timeoutMs);
}

/**
 * Every Sentinel lists `replicas` replicas of the group, each last read as a replica, and knows the
 * two others. The role read matters: a Sentinel that last read replica-2 as a master (the earlier
 * detach) and reads it as one again after the next detach sees no role change, so it does not wait
 * its 8 s before turning it back into a replica: it does so at once, before its SENTINEL RESET.
 */
async function sentinelsSettled(replicas: number): Promise<void> {
  let seen = 'nothing read';
  try {
    await until('the Sentinels to know each other and the replicas', async () => {
      const views = await Promise.all(sentinels.map(async (s) => ({ master: await sentinelView(lab, s, NAME), replicas: await sentinelReplicas(lab, s, NAME) })));
      seen = views
        .map((v) => `${v.master['num-slaves']} replicas (read as ${v.replicas.map((r) => r['role-reported']).join(', ')}) and ${v.master['num-other-sentinels']} other Sentinels`)
        .join('; ');
      const settled = (v: (typeof views)[number]): boolean =>
        v.master['num-slaves'] === String(replicas) && v.master['num-other-sentinels'] === '2' && v.replicas.every((r) => r['role-reported'] === 'slave');
      return views.every(settled) ? true : undefined;
    }, 30_000);
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}: wanted ${replicas} replicas and 2 other Sentinels each, last read ${seen}`);
  }
}

const group = useSentinelGroup(NAME);
beforeAll(() => {
  ({ lab, sentinels, h } = group);
});

describe('a replica moved or detached around the Sentinels', () => {
  it('replicaof under the other replica: done, with a note that the Sentinels re-point it back after failover-timeout; and they do', async () => {
    const [node, under, master] = [lab.address('replica-2'), lab.address('replica-1'), lab.address('master')];
    const { plan, outcome } = await planAndRun(h, { kind: 'replicaof', node, master: under }, { overrides: ['SENTINEL_MANAGED'] });
    const movedAt = Date.now();
    expect(check(plan, 'SENTINEL_MANAGED')).toMatchObject({ verdict: 'warning', overridable: true });
    expect(outcome.status, JSON.stringify(outcome.steps.map((s) => [s.command, s.status, s.message]))).toBe('ok');
    const note = outcome.nextSteps[0] ?? '';
    expect(note).toContain(`The Sentinels of "${NAME}" name ${master} as its master (SENTINEL GET-MASTER-ADDR-BY-NAME ${NAME}: `);
    expect(note).toContain(`and list ${node} among its replicas: this plan moved it under ${under} around them (SENTINEL_MANAGED overridden)`);
    expect(note).toContain(`They re-point it to ${master} (+fix-slave-config) once failover-timeout (5000 ms) has passed`);
    expect(note).toContain('here within about 20 s');
    expect(note).toContain(`To keep ${node} under ${under}: SENTINEL RESET ${NAME} on every Sentinel of the group (`);
    // Shown as the other notes are: the CLI's Notes.
    expect(formatOutcome(outcome, { color: false })).toContain(`Notes:\n  • ${note}`);

    // Left to them, they do what the note says, within the time it gives (a loaded machine's margin on top).
    await backUnderMaster('the Sentinels to re-point replica-2 back under the master', 40_000);
    expect(Date.now() - movedAt).toBeGreaterThan(5000);
  }, 90_000);

  it('detach on the command line with --json: done, with the note; the Sentinels make it a replica again and what it took meanwhile is gone', async () => {
    await sentinelsSettled(2);
    const [node, master] = [lab.address('replica-2'), lab.address('master')];
    const run = await cliRun(['detach', '--node', node, '--seed', master, '--override', 'SENTINEL_MANAGED', '--yes', '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const outcome = (JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as { outcome: ActionOutcome }).outcome;
    expect(outcome.status).toBe('ok');
    const note = outcome.nextSteps[0] ?? '';
    expect(note).toContain(`and list ${node} among its replicas: this plan detached it around them (SENTINEL_MANAGED overridden)`);
    expect(note).toContain(`they turn it back into a replica of ${master} (+convert-to-slave), whatever failover-timeout: measured on Redis 7.0, 14 s after the detach`);
    expect(note).toContain('drops everything written to it meanwhile');
    expect(note).toContain(`sentinel-failover --master-name ${NAME} --prefer ${node}`);
    expect((await replication(lab, 'replica-2')).role).toBe('master');
    await onNode('replica-2', (c) => c.set('written-while-detached', '1'));

    await backUnderMaster('the Sentinels to make replica-2 a replica of the master again', 40_000);
    await until('the full sync to drop the key', async () => ((await onNode('replica-2', (c) => c.exists('written-while-detached'))) === 0 ? true : undefined), 10_000);
  }, 90_000);

  it('detach, then SENTINEL RESET on every Sentinel as the note says: they forget it and leave it detached', async () => {
    await sentinelsSettled(2);
    const node = lab.address('replica-2');
    const { outcome } = await planAndRun(h, { kind: 'detach', node }, { overrides: ['SENTINEL_MANAGED'] });
    const detachedAt = Date.now();
    expect(outcome.status, JSON.stringify(outcome.steps.map((s) => [s.command, s.status, s.message]))).toBe('ok');
    const note = outcome.nextSteps[0] ?? '';
    expect(note).toContain(`To keep ${node} detached: SENTINEL RESET ${NAME} on every Sentinel of the group (`);
    for (const s of sentinels) await onNode(s, (c) => c.call('SENTINEL', 'RESET', NAME));
    await sentinelsSettled(1);
    // Without the reset they turn it back at their second INFO read of it after the detach, reads
    // 10 s apart: by 20 s (14 s measured). Past that from the detach, with a margin: still a master.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, detachedAt + 25_000 - Date.now())));
    expect((await replication(lab, 'replica-2')).role).toBe('master');
    expect((await Promise.all(sentinels.map((s) => sentinelView(lab, s, NAME)))).map((v) => v['num-slaves'])).toEqual(['1', '1', '1']);
  }, 90_000);
});
