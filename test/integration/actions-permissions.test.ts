// The plan asks each node, before it can run, whether the console's user may send there what its
// steps send (electron/engine/actions/permissions.ts), on real servers: the README's admin ACL
// rules with one rule taken away on one node, a command renamed away in one node's redis.conf,
// and what the probe leaves behind (nothing) on every node.
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import type { ActionPlan, ActionRequest } from '../../electron/shared/actions';
import { replication, sleep } from '../helpers/actions';
import { runCli } from '../helpers/cli';
import { ADMIN_PASSWORD, ADMIN_RULES, LAB_PASSWORD, adminHarness, on } from '../helpers/acl';
import { disposeAfterEach } from '../helpers/dispose';

const own = disposeAfterEach();

let dataDir: string | undefined;
afterEach(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});


/** master + n replicas with the README's admin user on every node. */
async function adminLab(n: number, options: { configFile?: boolean } = {}): Promise<Lab> {
  const lab = own(await Lab.start({ nodes: masterWithReplicas(n), password: LAB_PASSWORD, ...options }));
  for (const name of lab.nodeNames) {
    await on(lab, name, 'ACL', 'SETUSER', 'admin', ...ADMIN_RULES);
    // No replication PING from a master during the test: offsets then move only if something wrote.
    await on(lab, name, 'CONFIG', 'SET', 'repl-ping-replica-period', '3600');
  }
  return lab;
}


function refusals(plan: ActionPlan): string[] {
  return plan.checks.filter((c) => c.code === 'PERMISSION' && c.verdict === 'refused').map((c) => c.message);
}

/** What a probe must leave as it was, on one node. */
async function state(lab: Lab, name: string): Promise<Record<string, string | undefined>> {
  const r = await replication(lab, name, LAB_PASSWORD);
  const settings: Record<string, string | undefined> = {};
  for (const parameter of ['min-replicas-to-write', 'min-replicas-max-lag', 'masterauth', 'masteruser', 'replica-priority']) {
    settings[parameter] = ((await on(lab, name, 'CONFIG', 'GET', parameter)) as string[])[1];
  }
  const stats = Object.fromEntries(
    String(await on(lab, name, 'INFO', 'stats'))
      .split('\r\n')
      .filter((l) => /^sync_(full|partial_ok|partial_err):/.test(l))
      .map((l) => l.split(':') as [string, string]),
  );
  return {
    role: r.role,
    master_port: r.master_port,
    master_link_status: r.master_link_status,
    master_replid: r.master_replid,
    offset: r.role === 'master' ? r.master_repl_offset : r.slave_repl_offset,
    master_failover_state: r.master_failover_state,
    ...settings,
    ...stats,
  };
}

async function everyState(lab: Lab): Promise<Record<string, Record<string, string | undefined>>> {
  return Object.fromEntries(await Promise.all(lab.nodeNames.map(async (name) => [name, await state(lab, name)] as const)));
}

/** A write on `name` answers at once: no CLIENT PAUSE holds it (a paused write waits for the pause to end). */
async function writesFlow(lab: Lab, name: string): Promise<boolean> {
  const client = new Redis({ host: '127.0.0.1', port: lab.port(name), password: LAB_PASSWORD, maxRetriesPerRequest: 1, commandTimeout: 500 });
  try {
    return (await client.set('permissions-probe-check', '1')) === 'OK';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

describe('the plan asks whether the console may send what it will send', () => {
  it('switchover --method fence with the old master lacking +replicaof: refused before anything is sent, the fence never set', async () => {
    const lab = await adminLab(2);
    await on(lab, 'master', 'ACL', 'SETUSER', 'admin', '-replicaof');
    const h = own(await adminHarness(lab, 300));
    const plan = await h.actions.plan({ kind: 'switchover', to: lab.address('replica-1'), options: { switchoverMethod: 'fence', stepTimeoutMs: 4000 } });
    expect(plan.canRun).toBe(false);
    expect(refusals(plan)).toEqual([
      `${lab.address('master')}: ACL user admin lacks permission for REPLICAOF: add it with ACL SETUSER admin +replicaof. The plan sends REPLICAOF 127.0.0.1 ${lab.port('replica-1')} there, so it cannot run`,
    ]);
    // execute() re-checks fresh and refuses too, naming the same check; nothing was sent.
    await expect(h.actions.execute(plan.id, { overrides: plan.needsOverride })).rejects.toMatchObject({ code: 'PLAN_REFUSED', details: { nothingSent: true, checks: ['PERMISSION'] } });
    expect(((await on(lab, 'master', 'CONFIG', 'GET', 'min-replicas-to-write')) as string[])[1]).toBe('0');
    expect((await replication(lab, 'replica-1', LAB_PASSWORD)).role).toBe('slave');
  });

  it('switchover --method pause with the master lacking +client|pause: refused, naming the rule', async () => {
    const lab = await adminLab(1);
    await on(lab, 'master', 'ACL', 'SETUSER', 'admin', '-client|pause');
    const h = own(await adminHarness(lab, 300));
    const plan = await h.actions.plan({ kind: 'switchover', to: lab.address('replica-1'), options: { switchoverMethod: 'pause', stepTimeoutMs: 4000 } });
    expect(plan.canRun).toBe(false);
    expect(refusals(plan)).toEqual([
      expect.stringMatching(
        new RegExp(`^${lab.address('master')}: ACL user admin lacks permission for CLIENT PAUSE: add it with ACL SETUSER admin \\+client\\|pause\\. The plan sends CLIENT PAUSE \\d+ WRITE there, so it cannot run$`),
      ),
    ]);
  });

  it('replicaof of a replica lacking +replicaof: refused, and the re-check after the rule is added lets it run', async () => {
    const lab = await adminLab(2);
    await on(lab, 'replica-2', 'ACL', 'SETUSER', 'admin', '-replicaof');
    const h = own(await adminHarness(lab, 300));
    const request: ActionRequest = { kind: 'replicaof', node: lab.address('replica-2'), master: lab.address('replica-1'), options: { stepTimeoutMs: 4000 } };
    const refused = await h.actions.plan(request);
    expect(refused.canRun).toBe(false);
    expect(refusals(refused).join('\n')).toMatch(new RegExp(`^${lab.address('replica-2')}: ACL user admin lacks permission for REPLICAOF: add it with ACL SETUSER admin \\+replicaof`));
    await on(lab, 'replica-2', 'ACL', 'SETUSER', 'admin', '+replicaof');
    const allowed = await h.actions.plan(request);
    expect(allowed.canRun, allowed.checks.map((c) => `${c.code}: ${c.message}`).join(' | ')).toBe(true);
    expect(allowed.checks.find((c) => c.code === 'PERMISSION')).toMatchObject({ verdict: 'ok', message: expect.stringContaining(`REPLICAOF on ${lab.address('replica-2')}`) });
    const outcome = await h.actions.execute(allowed.id, { confirmAddress: allowed.confirmAddress ?? undefined, overrides: allowed.needsOverride });
    expect(outcome.status).toBe('ok');
    expect((await replication(lab, 'replica-2', LAB_PASSWORD)).master_port).toBe(String(lab.port('replica-1')));
  });

  it('rename-command REPLICAOF "" in the master\'s redis.conf: refused as renamed, saying SLAVEOF answers; in the CLI too', async () => {
    const lab = await adminLab(1, { configFile: true });
    await appendFile(path.join(lab.dir, 'master', 'redis.conf'), 'rename-command REPLICAOF ""\n');
    await lab.restart('master');
    await lab.waitForLinks();
    // The restart read the ACL afresh: the admin user again, on the master.
    await on(lab, 'master', 'ACL', 'SETUSER', 'admin', ...ADMIN_RULES);
    await on(lab, 'master', 'CONFIG', 'SET', 'repl-ping-replica-period', '3600');
    const h = own(await adminHarness(lab, 300));
    const renamed = `^${lab.address('master')}: REPLICAOF is renamed or disabled there \\(it answers "unknown command": rename-command in its redis.conf\\), so the plan, which sends REPLICAOF 127\\.0\\.0\\.1 ${lab.port('replica-1')} there, cannot run`;
    // The README's admin user may not send SLAVEOF either: nothing said of it.
    const pause = await h.actions.plan({ kind: 'switchover', to: lab.address('replica-1'), options: { switchoverMethod: 'pause', stepTimeoutMs: 4000 } });
    expect(refusals(pause)).toEqual([expect.stringMatching(new RegExp(`${renamed}$`))]);
    await on(lab, 'master', 'ACL', 'SETUSER', 'admin', '+slaveof');
    for (const method of ['pause', 'fence', 'paused-failover'] as const) {
      const plan = await h.actions.plan({ kind: 'switchover', to: lab.address('replica-1'), options: { switchoverMethod: method, stepTimeoutMs: 4000 } });
      if (method === 'paused-failover') {
        // FAILOVER makes the master a replica itself: no REPLICAOF is sent to it.
        expect(plan.canRun, `${method}: ${refusals(plan).join(' | ')}`).toBe(true);
        continue;
      }
      expect(plan.canRun, method).toBe(false);
      expect(refusals(plan), method).toEqual([expect.stringMatching(new RegExp(`${renamed}; SLAVEOF, its old name, answers there`))]);
    }
    await h.close();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'rc-perm-'));
    const run = await runCli(['switchover', '--to', lab.address('replica-1'), '--method', 'pause', '--seed', lab.address('master'), '--user', 'admin', '--yes'], {
      env: { REDISCLI_AUTH: ADMIN_PASSWORD, REPLICATION_CONSOLE_DATA_DIR: dataDir },
    });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/✗ PERMISSION +127\.0\.0\.1:\d+: REPLICAOF is renamed or disabled there/);
    expect([(await replication(lab, 'master', LAB_PASSWORD)).role, (await replication(lab, 'replica-1', LAB_PASSWORD)).role]).toEqual(['master', 'slave']);
  });

  it('first-argument rules (+replicaof|no, +replicaof|<host>, +failover|to, +failover|abort): asked with the first argument the plan sends, changing nothing', async () => {
    const lab = await adminLab(2);
    // Redis 7 allows a command by its first argument ("Deprecation warning … misuse of ACL" in its
    // log, but honoured): replica-1 may only be promoted, the master only re-pointed to 127.0.0.1
    // and sent FAILOVER TO.
    await on(lab, 'replica-1', 'ACL', 'SETUSER', 'admin', '-replicaof', '+replicaof|no');
    await on(lab, 'master', 'ACL', 'SETUSER', 'admin', '-replicaof', '+replicaof|127.0.0.1', '-failover', '+failover|to');
    const h = own(await adminHarness(lab, 300));
    const before = await everyState(lab);
    for (const method of ['paused-failover', 'pause', 'fence'] as const) {
      const plan = await h.actions.plan({ kind: 'switchover', to: lab.address('replica-1'), options: { switchoverMethod: method } });
      expect(plan.canRun, `${method}: ${refusals(plan).join(' | ')}`).toBe(true);
      expect(plan.checks.find((c) => c.code === 'PERMISSION')?.verdict, method).toBe('ok');
    }
    // FAILOVER TO allowed, FAILOVER ABORT (sent if the plan is stopped) not: said, as a warning.
    const noAbort = (await h.actions.plan({ kind: 'switchover', to: lab.address('replica-1'), options: { switchoverMethod: 'paused-failover' } })).checks.filter(
      (c) => c.code === 'PERMISSION' && c.verdict === 'warning',
    );
    expect(noAbort.map((c) => c.message)).toEqual([
      expect.stringMatching(new RegExp(`^${lab.address('master')}: ACL user admin may send FAILOVER TO but not FAILOVER ABORT there .* ACL SETUSER admin \\+failover\\|abort$`)),
    ]);
    await on(lab, 'master', 'ACL', 'SETUSER', 'admin', '+failover|abort');
    const withAbort = await h.actions.plan({ kind: 'switchover', to: lab.address('replica-1'), options: { switchoverMethod: 'paused-failover' } });
    expect(withAbort.checks.filter((c) => c.code === 'PERMISSION').map((c) => c.verdict)).toEqual(['ok']);
    const promote: ActionRequest = { kind: 'promote', node: lab.address('replica-1'), repointSiblings: true };
    expect(refusals(await h.actions.plan(promote))).toEqual([]);
    // The other way round: replica-1 may be re-pointed to 127.0.0.1 but not promoted, which the plan sends it.
    await on(lab, 'replica-1', 'ACL', 'SETUSER', 'admin', '-replicaof', '+replicaof|127.0.0.1');
    expect(refusals(await h.actions.plan(promote))).toEqual([
      `${lab.address('replica-1')}: ACL user admin lacks permission for REPLICAOF: add it with ACL SETUSER admin +replicaof. The plan sends REPLICAOF NO ONE there, so it cannot run`,
    ]);
    // And the master lacking FAILOVER TO, allowed FAILOVER ABORT only: refused, not asked about ABORT.
    await on(lab, 'master', 'ACL', 'SETUSER', 'admin', '-failover', '+failover|abort');
    const failover = await h.actions.plan({ kind: 'switchover', to: lab.address('replica-1'), options: { switchoverMethod: 'paused-failover' } });
    expect(refusals(failover)).toEqual([expect.stringMatching(new RegExp(`^${lab.address('master')}: ACL user admin lacks permission for FAILOVER: .*The plan sends FAILOVER TO 127\\.0\\.0\\.1 ${lab.port('replica-1')}`))]);
    expect(await everyState(lab)).toEqual(before);
    expect(await writesFlow(lab, 'master')).toBe(true);
  });

  it('a probe answered WRONGPASS (the password changed since the console logged in) is unanswered, not allowed', async () => {
    const lab = await adminLab(1);
    const h = own(await adminHarness(lab, 300));
    const replica = lab.address('replica-1');
    const commands = h.engine.commands();
    expect(await commands.mayRun(replica, 'REPLICAOF', '127.0.0.1')).toEqual({ status: 'allowed' });
    // The console's connection reconnects with the old password: ioredis's AUTH is refused, and
    // the probe's own reply is WRONGPASS, which comes before any ACL check and says nothing of it.
    await on(lab, 'replica-1', 'ACL', 'SETUSER', 'admin', 'resetpass', '>another-admin-password');
    await on(lab, 'replica-1', 'CLIENT', 'KILL', 'USER', 'admin');
    await sleep(500);
    const answer = await commands.mayRun(replica, 'REPLICAOF', '127.0.0.1');
    expect(answer.status, JSON.stringify(answer)).toBe('unanswered');
    expect(answer).toMatchObject({ message: expect.not.stringContaining('another-admin-password') });
  });

  it('the probe changes nothing: role, offsets, pause and settings the same on every node after a refused plan and after an allowed one', async () => {
    const lab = await adminLab(2);
    const h = own(await adminHarness(lab, 300));
    const before = await everyState(lab);
    // Allowed: every probe in turn (CLIENT PAUSE, FAILOVER, REPLICAOF, CONFIG SET), none executed.
    for (const method of ['paused-failover', 'pause', 'fence'] as const) {
      const plan = await h.actions.plan({ kind: 'switchover', to: lab.address('replica-1'), options: { switchoverMethod: method } });
      expect(plan.canRun, `${method}: ${plan.checks.filter((c) => c.verdict === 'refused').map((c) => c.message).join(' | ')}`).toBe(true);
      expect(plan.checks.find((c) => c.code === 'PERMISSION')?.verdict).toBe('ok');
    }
    await h.actions.plan({ kind: 'replicaof', node: lab.address('replica-2'), master: lab.address('replica-1') });
    expect(await everyState(lab)).toEqual(before);
    // Refused: each command denied on one node or another.
    await on(lab, 'master', 'ACL', 'SETUSER', 'admin', '-replicaof', '-failover', '-client|pause', '-config|set');
    await on(lab, 'replica-2', 'ACL', 'SETUSER', 'admin', '-replicaof');
    for (const method of ['paused-failover', 'pause', 'fence'] as const) {
      const plan = await h.actions.plan({ kind: 'switchover', to: lab.address('replica-1'), options: { switchoverMethod: method } });
      expect(plan.canRun, method).toBe(false);
      expect(refusals(plan).length, method).toBeGreaterThanOrEqual(2);
    }
    expect((await h.actions.plan({ kind: 'replicaof', node: lab.address('replica-2'), master: lab.address('replica-1') })).canRun).toBe(false);
    expect(await everyState(lab)).toEqual(before);
    expect(await writesFlow(lab, 'master')).toBe(true);
  });
});
