// A Sentinel-managed group whose master is dead, before its Sentinels fail it over (down-after
// raised to 60 s, as a slow-to-act deployment has it): a real master, two replicas and three real
// redis-sentinel processes (quorum 2). Its Sentinels still name the dead master; they belong to
// the group all the same. sentinel-failover is offered, through the Sentinel entry point or from
// a replica, and runs on a Sentinel that answers; a manual failover is refused with the real
// figures. With two of the three Sentinels killed, no message names a dead one as the one to run
// SENTINEL FAILOVER on or claims the group fails over on its own (CKQUORUM says NOQUORUM), and
// SENTINEL FAILOVER on the one left promotes a replica that the other follows. Every wait is for
// a condition.
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import type { TopologySnapshot } from '../../electron/shared/types';
import { check, harness, planAndRun, replication, type Harness } from '../helpers/actions';
import { cliRun, onNode as onLabNode, planOf, sentinelReplicas, startSentinelGroup } from '../helpers/sentinel-group';
import { until } from '../helpers/until';

const NAME = 'grp';
const SENTINELS = ['sentinel-1', 'sentinel-2', 'sentinel-3'];

let lab: Lab;
let masterKilledAt = 0;

const onNode = <T>(name: string, work: (c: Redis) => Promise<T>): Promise<T> => onLabNode(lab, name, work);
const cli = cliRun;

beforeAll(async () => {
  lab = await Lab.start({ nodes: masterWithReplicas(2) });
  await startSentinelGroup(lab, NAME, 2, { downAfterMs: 60_000, failoverTimeoutMs: 5000 });
  await lab.kill('master');
  masterKilledAt = Date.now();
}, 60_000);

afterAll(async () => {
  await lab?.close();
});

describe('a Sentinel-managed group whose master is down', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(lab, 'replica-1');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('sentinel-failover is offered, through the Sentinel entry point and from a replica, on a Sentinel that answers', async () => {
    for (const where of [['--sentinel', lab.address('sentinel-1'), '--master-name', NAME], ['--seed', lab.address('replica-1'), '--master-name', NAME]]) {
      const run = await cli(['sentinel-failover', ...where, '--dry-run', '--json']);
      expect(run.code, `${where.join(' ')}: ${run.stdout}${run.stderr}`).toBe(0);
      const plan = planOf(run);
      expect(plan.canRun).toBe(true);
      expect(check(plan, 'SENTINEL_UNREACHABLE')).toMatchObject({ verdict: 'ok' });
      expect(check(plan, 'SENTINEL_UNREACHABLE').message).toContain(`3 of 3 Sentinels of "${NAME}" answer (quorum 2)`);
      expect(plan.steps.map((s) => s.command)).toContain(`SENTINEL FAILOVER ${NAME}`);
      // The dead master is not waited for: Sentinel makes it a replica when it is back.
      expect(plan.steps.map((s) => s.node)).not.toContain(lab.address('master'));
      expect(check(plan, 'OLD_MASTER_STAYS').message).toContain(`${lab.address('master')} does not answer`);
    }
  }, 60_000);

  it('a manual failover is refused with the Sentinels that answer, quorum and CKQUORUM as they are', async () => {
    const plan = await h.actions.plan({ kind: 'failover' });
    const managed = check(plan, 'SENTINEL_MANAGED');
    expect(managed.verdict).toBe('refused');
    expect(managed.message).toContain(`3 Sentinels, quorum 2, master name "${NAME}"`);
    expect(managed.message).toContain('fails a master that is down over on its own');
    for (const s of SENTINELS) expect(managed.message).toContain(lab.address(s));
  }, 30_000);

  it('topology from a replica seed finds the Sentinels on the replica\'s hello channel, the other replica through them, and says Sentinel fails the master over', async () => {
    // The master's hello channel and CLIENT LIST died with it; Sentinels announce themselves on the replicas too.
    const seed = lab.address('replica-1');
    const [json, tree, failover] = await Promise.all([
      cli(['topology', '--seed', seed, '--format', 'json']),
      cli(['topology', '--seed', seed]),
      cli(['failover', '--seed', seed, '--dry-run', '--json']),
    ]);
    expect(json.code, json.stderr).toBe(0);
    const snapshot = JSON.parse(json.stdout) as TopologySnapshot;
    const sentinels = snapshot.nodes.filter((n) => n.role === 'sentinel');
    expect(sentinels.map((n) => n.address).sort()).toEqual(SENTINELS.map((s) => lab.address(s)).sort());
    for (const s of sentinels) expect(s.sentinel?.masters.map((m) => [m.name, m.address])).toEqual([[NAME, lab.address('master')]]);
    // The Sentinels list the replicas: the one not given as a seed is found through them.
    expect(snapshot.nodes.find((n) => n.address === lab.address('replica-2'))).toMatchObject({ role: 'replica', reachable: true });
    const down = snapshot.warnings.find((w) => w.code === 'MASTER_DOWN');
    expect(down?.message).toContain(`→ Sentinel ("${NAME}", 3 Sentinels watching it) fails it over on its own`);
    expect(down?.message).not.toContain('promote the replica with the most data');

    expect(tree.code, tree.stderr).toBe(0);
    expect(tree.stdout).toContain('\nSentinels:\n');
    for (const s of SENTINELS) expect(tree.stdout).toMatch(new RegExp(`^  ${lab.address(s)}  sentinel  ${NAME} → ${lab.address('master')}`, 'm'));

    expect(failover.code, failover.stderr).toBe(1);
    const managed = check(planOf(failover), 'SENTINEL_MANAGED');
    expect(managed.verdict).toBe('refused');
    expect(managed.message).toContain(`3 Sentinels in the topology`);
    for (const s of SENTINELS) expect(managed.message).toContain(lab.address(s));
  }, 30_000);

  it('with two Sentinels dead: neither is offered, no claim of failing over on its own, and SENTINEL FAILOVER on the last one works', async () => {
    await lab.kill('sentinel-2');
    await lab.kill('sentinel-3');
    // A Sentinel counts the others out only after down-after: lowered on the one left, it finds them
    // down within seconds. The master goes s_down too, and alone it can never reach o_down (quorum 2).
    // It promotes no replica whose link has been down for more than ten times down-after (plus the
    // time it has held the master s_down): the link went down with the master, the tests above ago
    // (14 s on a loaded machine: NOGOODSLAVE at a flat 1000 ms), so ten times it covers that too.
    const downAfterMs = 1000 + Math.ceil((Date.now() - masterKilledAt) / 10);
    await onNode('sentinel-1', (c) => c.call('SENTINEL', 'SET', NAME, 'down-after-milliseconds', String(downAfterMs)));
    await until('sentinel-1 to say NOQUORUM', () => onNode('sentinel-1', (c) => c.call('SENTINEL', 'CKQUORUM', NAME)).then(() => undefined, (e: Error) => (/NOQUORUM/.test(e.message) ? true : undefined)), 30_000);
    const dead = [lab.address('sentinel-2'), lab.address('sentinel-3')];

    const manual = check(await h.actions.plan({ kind: 'failover' }), 'SENTINEL_MANAGED');
    expect(manual.message).toContain(`3 Sentinels, 1 answers, quorum 2, master name "${NAME}"`);
    expect(manual.message).toContain(`SENTINEL FAILOVER ${NAME} on a Sentinel that answers (${lab.address('sentinel-1')})`);
    expect(manual.message).not.toContain('fails a master that is down over on its own');
    expect(manual.message).toMatch(/cannot fail it over on their own now \(CKQUORUM on [^)]*NOQUORUM/);

    const plan = await h.actions.plan({ kind: 'sentinel-failover', masterName: NAME });
    expect(plan.canRun).toBe(true);
    expect(check(plan, 'SENTINEL_UNREACHABLE')).toMatchObject({ verdict: 'warning' });
    expect(check(plan, 'SENTINEL_UNREACHABLE').message).toContain(`1 of 3 Sentinels of "${NAME}" answer`);
    expect(check(plan, 'SENTINEL_NO_QUORUM')).toMatchObject({ verdict: 'warning' });
    const failover = plan.steps.find((s) => s.command === `SENTINEL FAILOVER ${NAME}`);
    expect(failover?.node).toBe(lab.address('sentinel-1'));
    for (const d of dead) expect(failover?.node).not.toBe(d);

    // Sentinel reads a replica's INFO every 10 s until it sees its link down, and picks none read more
    // than 5 s ago (NOGOODSLAVE): wait until it has read both since the master died.
    await until('sentinel-1 to read the replicas since the master died', async () => {
      const replicas = await sentinelReplicas(lab, 'sentinel-1', NAME);
      return replicas.length === 2 && replicas.every((r) => r['master-link-status'] === 'err') ? true : undefined;
    }, 30_000);
    const { outcome } = await planAndRun(h, { kind: 'sentinel-failover', masterName: NAME });
    expect(outcome.status, JSON.stringify(outcome.steps.map((s) => [s.command, s.status, s.message]))).toBe('ok');
    const roles = await Promise.all(['replica-1', 'replica-2'].map(async (n) => (await replication(lab, n)).role));
    expect(roles.sort()).toEqual(['master', 'slave']);
  }, 90_000);
});
