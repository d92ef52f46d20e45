// Production servers configured unevenly (helper-71): the README's admin ACL rules on every node
// but one, a CONFIG GET the console's user is refused on one node, a default user whose password
// was set with ACL SETUSER rather than requirepass. Each test shows a plan that meets that
// half-way: it reports "ready" or "done" while leaving two masters, a master refusing every
// write, lost writes, or a replica cut off from replication. These tests FAIL on the build
// they were written against; each states what an operator would expect instead.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import type { ActionPlan } from '../../electron/shared/actions';
import { planAndRun, replication, sleep, WriteLoad } from '../helpers/actions';
import { ADMIN_PASSWORD, ADMIN_RULES, LAB_PASSWORD, adminHarness, on } from '../helpers/acl';
import { disposeAfterEach } from '../helpers/dispose';
import { runCli } from '../helpers/cli';

const own = disposeAfterEach();

let load: WriteLoad | undefined;
afterEach(async () => {
  await load?.stop();
  load = undefined;
});


/** master + n replicas, the README's admin user on every node, then `uneven` applied on one node. */
async function unevenLab(n: number): Promise<Lab> {
  const lab = own(await Lab.start({ nodes: masterWithReplicas(n), password: LAB_PASSWORD }));
  for (const name of lab.nodeNames) await on(lab, name, 'ACL', 'SETUSER', 'admin', ...ADMIN_RULES);
  return lab;
}


function notOk(plan: ActionPlan): string[] {
  return plan.checks.filter((c) => c.verdict !== 'ok').map((c) => `${c.code}: ${c.message}`);
}

async function role(lab: Lab, name: string): Promise<string> {
  return (await replication(lab, name, LAB_PASSWORD)).role ?? '?';
}

describe('one node missing one admin rule', () => {
  it('switchover --method pause with the old master lacking +replicaof: refused before anything is sent, not two masters', async () => {
    const lab = await unevenLab(2);
    await on(lab, 'master', 'ACL', 'SETUSER', 'admin', '-replicaof');
    const h = own(await adminHarness(lab));
    const plan = await h.actions.plan({ kind: 'switchover', to: lab.address('replica-1'), options: { switchoverMethod: 'pause', stepTimeoutMs: 4000 } });
    if (plan.canRun) {
      // What the build does: CLIENT PAUSE, REPLICAOF NO ONE on replica-1, then REPLICAOF on the
      // master is refused (NOPERM): two masters, the old one's pause running out by itself.
      const outcome = await h.actions.execute(plan.id, { confirmAddress: plan.confirmAddress ?? undefined, overrides: plan.needsOverride });
      expect.soft(outcome.status).toBe('failed');
    }
    // An operator expects the missing rule to be found before the first command (ACL GETUSER of
    // the console's own user, or ACL DRYRUN), naming the node and `+replicaof`.
    expect(plan.canRun, `plan ran; checks: ${notOk(plan).join(' | ')}`).toBe(false);
    expect(notOk(plan).join('\n')).toMatch(/\+replicaof/);
    expect([await role(lab, 'master'), await role(lab, 'replica-1')]).toEqual(['master', 'slave']);
  });

  it('a fence switchover that fails after the promotion leaves the old master fenced, and topology says nothing about it', async () => {
    const lab = await unevenLab(2);
    await on(lab, 'master', 'ACL', 'SETUSER', 'admin', '-replicaof');
    const h = own(await adminHarness(lab));
    const plan = await h.actions.plan({ kind: 'switchover', to: lab.address('replica-1'), options: { switchoverMethod: 'fence', stepTimeoutMs: 4000 } });
    if (plan.canRun) await h.actions.execute(plan.id, { confirmAddress: plan.confirmAddress ?? undefined, overrides: plan.needsOverride });
    await h.close();
    // The master keeps min-replicas-to-write 2147483647 (kept ON PURPOSE by the executor) and refuses every write.
    const fence = (await on(lab, 'master', 'CONFIG', 'GET', 'min-replicas-to-write')) as string[];
    if (fence[1] === '2147483647') {
      // The failed plan's journal is closed (not "interrupted"), so FENCED_MASTER never fires,
      // and WRITES_REFUSED skips the fence value on purpose: topology and watch are silent.
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rc-uneven-'));
      const run = await runCli(['topology', '--seed', lab.address('master'), '--user', 'admin', '--format', 'json'], {
        env: { REDISCLI_AUTH: ADMIN_PASSWORD, REPLICATION_CONSOLE_DATA_DIR: dataDir },
      });
      await rm(dataDir, { recursive: true, force: true });
      const warnings = (JSON.parse(run.stdout) as { warnings: Array<{ code: string; nodes: string[] }> }).warnings;
      expect(
        warnings.filter((w) => ['FENCED_MASTER', 'WRITES_REFUSED'].includes(w.code) && w.nodes.includes(lab.address('master'))).map((w) => w.code),
        `warnings: ${warnings.map((w) => w.code).join(', ')}`,
      ).not.toEqual([]);
    } else {
      expect(plan.canRun).toBe(false);
    }
  });
});

describe('CONFIG GET refused on one node (the rest of the admin rules kept)', () => {
  it('a switchover to a replica whose min-replicas-to-write it cannot read is not a plain "ready": the new master refuses every write', async () => {
    const lab = await unevenLab(2);
    await on(lab, 'replica-1', 'CONFIG', 'SET', 'min-replicas-max-lag', '10');
    await on(lab, 'replica-1', 'CONFIG', 'SET', 'min-replicas-to-write', '3');
    await on(lab, 'replica-1', 'ACL', 'SETUSER', 'admin', '-config|get');
    const h = own(await adminHarness(lab));
    const plan = await h.actions.plan({ kind: 'switchover', to: lab.address('replica-1'), options: { stepTimeoutMs: 4000 } });
    // With CONFIG GET allowed this is WRITES_REFUSED (refused). Refused CONFIG GET: no check at all,
    // "Ready to run", and the run ends "Done" with the new master answering NOREPLICAS to every write.
    // README: "a hazard the console cannot be sure of (a setting it cannot read) is a warning".
    expect(plan.checks.filter((c) => c.code === 'WRITES_REFUSED' && c.verdict !== 'ok').map((c) => c.nodes), `checks: ${notOk(plan).join(' | ')}`).toContainEqual(
      expect.arrayContaining([lab.address('replica-1')]),
    );
  });

  it('a fence switchover whose old master has min-replicas-max-lag 0 it cannot read: no acknowledged write lost, setting restored', async () => {
    const lab = await unevenLab(2);
    // Redis ignores min-replicas-to-write while min-replicas-max-lag is 0: the fence does nothing.
    await on(lab, 'master', 'CONFIG', 'SET', 'min-replicas-max-lag', '0');
    await on(lab, 'master', 'CONFIG', 'SET', 'min-replicas-to-write', '1');
    await on(lab, 'master', 'ACL', 'SETUSER', 'admin', '-config|get');
    const h = own(await adminHarness(lab));
    load = new WriteLoad(lab, ['master', 'replica-1'], LAB_PASSWORD).start();
    await sleep(400);
    // A plan refused outright (the fence needs the values it cannot read) is an answer too: nothing is sent.
    const request = { kind: 'switchover', to: lab.address('replica-1'), options: { switchoverMethod: 'fence', stepTimeoutMs: 4000 } } as const;
    const plan = await h.actions.plan(request);
    const status = plan.canRun ? (await planAndRun(h, request)).outcome.status : 'refused';
    await sleep(300);
    await load.stop();
    const writes = load;
    load = undefined;
    // Still the master when refused: the writes went there.
    const lost = await writes.missingOn(status === 'refused' ? 'master' : 'replica-1');
    const restored = ((await on(lab, 'master', 'CONFIG', 'GET', 'min-replicas-to-write')) as string[])[1];
    // The build: "✓ writes on master are now refused (NOREPLICAS)" unverified, "Done", the original 1 "restored" as 0.
    expect({ status, lost: lost.length, restored, warned: notOk(plan).some((m) => /min-replicas/.test(m)) }).toEqual(
      status === 'ok' ? { status: 'ok', lost: 0, restored: '1', warned: true } : { status, lost: 0, restored: '1', warned: true },
    );
    if (status === 'refused') {
      // The refusal says where, what cannot be read and the rule that allows it, and the way round it.
      expect(notOk(plan).join('\n')).toMatch(new RegExp(`${lab.address('master')}.*CONFIG GET.*\\+config\\|get.*paused-failover`));
    }
  });
});

describe('the same settings with CONFIG GET allowed', () => {
  it('a fence switchover whose old master has min-replicas-max-lag 0 it can read: the fence is made to hold, no write lost, both settings put back', async () => {
    const lab = await unevenLab(2);
    await on(lab, 'master', 'CONFIG', 'SET', 'min-replicas-max-lag', '0');
    await on(lab, 'master', 'CONFIG', 'SET', 'min-replicas-to-write', '1');
    const h = own(await adminHarness(lab));
    load = new WriteLoad(lab, ['master', 'replica-1'], LAB_PASSWORD).start();
    await sleep(400);
    const { plan, outcome } = await planAndRun(h, { kind: 'switchover', to: lab.address('replica-1'), options: { switchoverMethod: 'fence', stepTimeoutMs: 4000 } });
    await sleep(300);
    await load.stop();
    const writes = load;
    load = undefined;
    const settings = [
      ((await on(lab, 'master', 'CONFIG', 'GET', 'min-replicas-to-write')) as string[])[1],
      ((await on(lab, 'master', 'CONFIG', 'GET', 'min-replicas-max-lag')) as string[])[1],
    ];
    expect(plan.steps.filter((s) => s.node === lab.address('master')).map((s) => s.command)).toContain('CONFIG SET min-replicas-max-lag 10');
    expect({ status: outcome.status, lost: (await writes.missingOn('replica-1')).length, settings }).toEqual({ status: 'ok', lost: 0, settings: ['1', '0'] });
  });
});

describe('auth read unevenly', () => {
  it('a new master whose default user has an ACL password (no requirepass) and whose ACL GETUSER is refused: not taken for "no password needed"', async () => {
    const lab = await unevenLab(2);
    // The default user's password set the ACL way; CONFIG GET requirepass then answers "".
    await on(lab, 'replica-1', 'CONFIG', 'SET', 'requirepass', '');
    await on(lab, 'replica-1', 'ACL', 'SETUSER', 'default', 'on', 'resetpass', `>${LAB_PASSWORD}`);
    await on(lab, 'replica-1', 'ACL', 'SETUSER', 'admin', '-acl|getuser');
    await on(lab, 'replica-2', 'CONFIG', 'SET', 'masterauth', '');
    const h = own(await adminHarness(lab));
    const plan = await h.actions.plan({ kind: 'replicaof', node: lab.address('replica-2'), master: lab.address('replica-1'), options: { stepTimeoutMs: 4000 } });
    // The build: no auth check at all, "Ready to run"; run, replica-2's link stays down (NOAUTH in its log).
    expect(
      plan.checks.filter((c) => ['MASTERAUTH_MISSING', 'AUTH_UNKNOWN'].includes(c.code) && c.verdict !== 'ok').map((c) => c.code),
      `checks: ${plan.checks.map((c) => `${c.code}/${c.verdict}`).join(', ')}`,
    ).not.toEqual([]);
  });

  it('--set-masterauth as the README admin user: the replica is given a masteruser that cannot PSYNC, and the advice to go back leaves it cut off', async () => {
    const lab = await unevenLab(2);
    await on(lab, 'replica-2', 'CONFIG', 'SET', 'masterauth', '');
    const h = own(await adminHarness(lab));
    const plan = await h.actions.plan({
      kind: 'replicaof',
      node: lab.address('replica-2'),
      master: lab.address('replica-1'),
      options: { setMasterauth: true, stepTimeoutMs: 4000, skipWritePause: true },
    });
    // The build: "✓ MASTERAUTH_MISSING … masterauth and masteruser admin will be set": the README's admin
    // user has no +psync +replconf +ping, so the link never comes up ("NOPERM … 'psync'" in replica-2's log).
    if (plan.canRun) {
      await h.actions.execute(plan.id, { confirmAddress: plan.confirmAddress ?? undefined, overrides: plan.needsOverride });
      // The report's roll-back: REPLICAOF <old master> on replica-2. masterauth/masteruser were not
      // journaled nor restored, so after it the link to its old master stays down too.
      await on(lab, 'replica-2', 'REPLICAOF', '127.0.0.1', String(lab.port('master')));
      await sleep(3000);
      expect((await replication(lab, 'replica-2', LAB_PASSWORD)).master_link_status, 'replica-2 after the advised roll back').toBe('up');
    }
    expect(notOk(plan).join('\n')).toMatch(/psync/i);
  });
});
