// Actions on a Sentinel-managed group, against a real master, two replicas (started from config
// files) and three real redis-sentinel processes (quorum 2, down-after 1000 ms, failover-timeout
// 5000 ms): a manual switchover is refused with Sentinel's figures and the Sentinel action to use;
// sentinel-failover with --prefer makes that replica the master, the others follow it, the replica
// priorities it changed to steer Sentinel are back, in the config files too (Sentinel's own CONFIG
// REWRITE wrote the steer there) and after a restart, and the audit has it; a console killed
// between the priority change and SENTINEL FAILOVER leaves an INTERRUPTED_PLAN report naming the
// priorities to put back; a switchover run past SENTINEL_MANAGED ends with a note of what the
// Sentinels name now and how to tell them the new master. Every wait is for a condition.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InterruptedPlans } from '../../electron/engine/actions/interrupted';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { formatOutcome } from '../../electron/cli/action-output';
import { check, harness, planAndRun, replication, WriteLoad, type Harness } from '../helpers/actions';
import { nextStart, stepStarted } from '../helpers/journal-wait';
import { until } from '../helpers/until';
import { cliRun, onNode as onLabNode, planOf, sentinelReplicas, sentinelView, startSentinelGroup } from '../helpers/sentinel-group';

const NAME = 'rc-main';
const ROOT = path.resolve(import.meta.dirname, '../..');
const NODES = ['master', 'replica-1', 'replica-2'] as const;

let lab: Lab;
let sentinels: string[] = [];

const onNode = <T>(name: string, work: (c: Redis) => Promise<T>): Promise<T> => onLabNode(lab, name, work);
const sentinelMaster = (sentinel: string): Promise<Record<string, string>> => sentinelView(lab, sentinel, NAME);
const cli = cliRun;
/** The line of `name`'s config file that sets `parameter` (as CONFIG REWRITE writes it), or null. */
async function configLine(name: string, parameter: string): Promise<string | null> {
  const file = await onNode(name, async (c) => /^config_file:(.*)$/m.exec(await c.info('server'))?.[1]?.trim() ?? '');
  expect(file, `${name} runs from a config file`).not.toBe('');
  return (await readFile(file, 'utf8')).split('\n').find((line) => line.startsWith(`${parameter} `)) ?? null;
}
const priority = (name: string): Promise<string> => onNode(name, async (c) => ((await c.config('GET', 'replica-priority')) as string[])[1] ?? '?');

/** The flags `sentinel` gives the lab replica `name` in SENTINEL REPLICAS ("slave" when healthy), or null when it does not list it. */
async function replicaFlags(sentinel: string, name: string): Promise<string | null> {
  const replica = (await sentinelReplicas(lab, sentinel, NAME)).find((r) => r.port === String(lab.port(name)));
  return replica?.flags ?? null;
}

/** The lab node every Sentinel names as the master, once they agree and it says so itself. */
async function sentinelsAgree(): Promise<string> {
  return until('the Sentinels to agree on the master', async () => {
    const masters = await Promise.all(sentinels.map(async (s) => (await sentinelMaster(s)).port));
    const node = NODES.find((n) => String(lab.port(n)) === masters[0]);
    if (!node || masters.some((m) => m !== masters[0])) return undefined;
    return (await replication(lab, node)).role === 'master' ? node : undefined;
  }, 30_000);
}

beforeAll(async () => {
  // Started from config files, as in production: Sentinel's own CONFIG REWRITE (sent with each SLAVEOF) lands there.
  lab = await Lab.start({ nodes: masterWithReplicas(2), configFile: true });
  sentinels = await startSentinelGroup(lab, NAME, 2, { downAfterMs: 1000, failoverTimeoutMs: 5000 });
}, 60_000);

afterAll(async () => {
  await lab?.close();
});

describe('a Sentinel-managed group', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(lab, 'master');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses a manual switchover with SENTINEL_MANAGED: the figures, and the Sentinel action instead', async () => {
    const plan = await h.actions.plan({ kind: 'switchover', to: lab.address('replica-1') });
    const managed = check(plan, 'SENTINEL_MANAGED');
    expect(managed).toMatchObject({ verdict: 'refused', overridable: true });
    expect(managed.message).toContain(`3 Sentinels, quorum 2, master name "${NAME}"`);
    expect(managed.message).toContain(`sentinel-failover --master-name ${NAME}`);
    expect(managed.message).toMatch(/reconfigures the replicas to the master it knows/);
    expect(plan.needsOverride).toContain('SENTINEL_MANAGED');
  });

  it('sentinel-failover on the command line: through the Sentinel entry point with --dry-run --json; usage errors exit 2', async () => {
    const dry = await cli(['sentinel-failover', '--sentinel', lab.address('sentinel-2'), '--master-name', NAME, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = planOf(dry);
    expect(plan.request).toMatchObject({ kind: 'sentinel-failover', masterName: NAME });
    expect(plan.canRun).toBe(true);
    expect(plan.steps.map((s) => s.command)).toEqual([
      'CLIENT PAUSE 10000 WRITE',
      'INFO replication',
      'INFO replication',
      `SENTINEL FAILOVER ${NAME}`,
      'REPLICAOF <the new master>',
      'CLIENT UNPAUSE',
      'INFO replication',
    ]);
    expect(plan.summary).toContain('Sentinel picks the new master');
    expect((await replication(lab, 'master')).role).toBe('master');

    const stray = await cli(['switchover', '--to', lab.address('replica-1'), '--master-name', NAME, '--dry-run']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--master-name needs --sentinel HOST:PORT');
    const nowhere = await cli(['sentinel-failover', '--master-name', NAME, '--dry-run']);
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain('sentinel-failover needs --seed HOST:PORT');
    expect(`${stray.stderr}${nowhere.stderr}`).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('sentinel-failover --prefer makes that replica the master with zero lost writes; the others follow; the priorities are back; the audit has it', async () => {
    // replica-1 at 1 would win as things are: the plan must lower replica-2 and raise replica-1.
    await onNode('replica-1', (c) => c.config('SET', 'replica-priority', '1'));
    await onNode('replica-2', (c) => c.config('SET', 'replica-priority', '80'));
    // A client that writes to the master by address, not through Sentinel, until refused. Sentinel
    // pauses nothing and demotes the old master only at its next look (every 10 s): before, every
    // write it acknowledged meanwhile was dropped at its resync, behind "Done".
    const load = new WriteLoad(lab, ['master', 'replica-1', 'replica-2']).start();
    await until('writes flowing', async () => (load.acked.length > 100 ? true : undefined));
    const { plan, outcome } = await planAndRun(h, { kind: 'sentinel-failover', masterName: NAME, prefer: lab.address('replica-2') });
    // Every write acknowledged so far, by whichever node, is on the new master.
    expect(await load.missingOn('replica-2')).toEqual([]);
    await until('writes on the new master', async () => ((load.countsByNode()['replica-2'] ?? 0) > 100 ? true : undefined), 20_000);
    await load.stop();
    expect(await load.missingOn('replica-2')).toEqual([]);
    expect(load.countsByNode()['master']).toBeGreaterThan(100);
    expect(plan.steps.map((s) => `${s.node} ${s.command}`)).toEqual([
      `${lab.address('replica-2')} CONFIG SET replica-priority 1`,
      `${lab.address('replica-1')} CONFIG SET replica-priority 2`,
      expect.stringMatching(/SENTINEL REPLICAS rc-main$/),
      `${lab.address('master')} CLIENT PAUSE 10000 WRITE`,
      `${lab.address('replica-2')} INFO replication`,
      expect.stringMatching(/SENTINEL FAILOVER rc-main$/),
      `${lab.address('master')} REPLICAOF 127.0.0.1 ${lab.port('replica-2')}`,
      `${lab.address('master')} CLIENT UNPAUSE`,
      `${lab.address('master')} INFO replication`,
      `${lab.address('replica-2')} CONFIG SET replica-priority 80`,
      `${lab.address('replica-2')} CONFIG REWRITE`,
      `${lab.address('replica-1')} CONFIG SET replica-priority 1`,
      `${lab.address('replica-1')} CONFIG REWRITE`,
    ]);
    expect(check(plan, 'SENTINEL_STEER').message).toMatch(/SENTINEL FAILOVER takes no target.*replica-2|takes no target/);
    expect(outcome.status, JSON.stringify(outcome.steps.map((s) => [s.command, s.status, s.message]))).toBe('ok');

    expect(await sentinelsAgree()).toBe('replica-2');
    for (const name of ['master', 'replica-1']) {
      const r = await replication(lab, name);
      expect(r.role, name).toBe('slave');
      expect(r.master_port, name).toBe(String(lab.port('replica-2')));
    }
    expect(await priority('replica-1')).toBe('1');
    expect(await priority('replica-2')).toBe('80');
    // Sentinel's CONFIG REWRITE (with its SLAVEOF NO ONE to replica-2, its SLAVEOF to replica-1) wrote the steer into their
    // config files; the plan's own CONFIG REWRITE after the restore writes the original back, and a restart keeps it.
    expect(outcome.steps.filter((st) => st.command === 'CONFIG REWRITE').map((st) => [st.node, st.status])).toEqual([
      [lab.address('replica-2'), 'ok'],
      [lab.address('replica-1'), 'ok'],
    ]);
    expect(await configLine('replica-2', 'replica-priority')).toBe('replica-priority 80');
    expect(await configLine('replica-1', 'replica-priority')).toBe('replica-priority 1');
    await lab.restart('replica-1');
    expect(await priority('replica-1')).toBe('1');
    await until('replica-1 back under replica-2', async () => {
      const r = await replication(lab, 'replica-1');
      return r.master_port === String(lab.port('replica-2')) && r.master_link_status === 'up' ? true : undefined;
    }, 20_000);
    // Down for a moment, it may be flagged s_down or disconnected: until the flag is gone, no Sentinel picks it, nor does a plan steer it.
    await until('every Sentinel to list replica-1 as a healthy replica again', async () => {
      const flags = await Promise.all(sentinels.map((sn) => replicaFlags(sn, 'replica-1')));
      return flags.every((f) => f === 'slave') ? true : undefined;
    }, 30_000);

    const audit = (await h.actions.audit(10)).at(-1);
    expect(audit).toMatchObject({ request: { kind: 'sentinel-failover', prefer: lab.address('replica-2') }, outcome: 'ok' });
    expect(audit?.steps.map((s) => s.command)).toContain(`SENTINEL FAILOVER ${NAME}`);
  }, 90_000);

  it('a console killed between the priority change and SENTINEL FAILOVER leaves a report naming the priorities to put back', async () => {
    const current = await sentinelsAgree();
    const prefer = NODES.find((n) => n !== current && n !== 'replica-1') ?? 'master';
    // replica-1 at 1 ties with the steer: it is raised to 2 as well, so two priorities are changed.
    await onNode('replica-1', (c) => c.config('SET', 'replica-priority', '1'));
    const before = { prefer: await priority(prefer), r1: await priority('replica-1') };
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rc-sentinel-cut-'));
    try {
      const child = spawn(
        process.execPath,
        [path.join(ROOT, 'bin/replication-console.js'), 'sentinel-failover', '--master-name', NAME, '--prefer', lab.address(prefer), '--seed', lab.address(current), '--yes'],
        { cwd: ROOT, env: { ...process.env, REPLICATION_CONSOLE_DATA_DIR: dataDir, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = once(child, 'exit');
      // Steps 1-2 set the priorities; step 3 waits for the Sentinel to read them, before SENTINEL FAILOVER.
      const planId = await Promise.race([
        stepStarted(dataDir, 2),
        exited.then(() => {
          throw new Error(`the CLI ended before the cut:\n${stdout}\n${stderr}`);
        }),
      ]);
      child.kill('SIGKILL');
      await exited;
      expect(stdout).toContain('SENTINEL FAILOVER rc-main');
      expect(await priority(prefer), stdout + stderr).toBe('1');
      expect(await priority('replica-1'), stdout + stderr).toBe('2');
      // Sentinel was never asked: the master is where it was.
      expect(await sentinelsAgree()).toBe(current);

      const report = await nextStart(dataDir, planId);
      expect(report.settled).toBe(false);
      expect(report.commands.map((c) => `${c.node}: ${c.command}`).sort()).toEqual(
        [`${lab.address(prefer)}: CONFIG SET replica-priority ${before.prefer}`, `${lab.address('replica-1')}: CONFIG SET replica-priority ${before.r1}`].sort(),
      );
      expect(report.note).toMatch(/roles are Sentinel's/);
      for (const c of report.commands) {
        const name = NODES.find((n) => lab.address(n) === c.node) ?? '';
        await onNode(name, (r) => r.call(...(c.command.split(' ') as [string, ...string[]])));
      }
      // Put back: the next check finds it settled and closes it.
      const after = await nextStart(dataDir, planId);
      expect(after.settled).toBe(true);
      expect((await new InterruptedPlans(dataDir).store.interrupted()).plans).toEqual([]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
  it('a console killed at the write pause, at SENTINEL FAILOVER or at the demotion: the group ends with one master taking writes, the old master its replica, and the report closes', async () => {
    for (const cut of ['CLIENT PAUSE', 'SENTINEL FAILOVER', 'REPLICAOF']) {
      const current = await sentinelsAgree();
      // The last failover fully over on every Sentinel (the plan refuses while one is in progress).
      await until('no Sentinel failover in progress', async () => {
        const views = await Promise.all(sentinels.map(sentinelMaster));
        return views.every((v) => !(v.flags ?? '').includes('failover_in_progress')) ? true : undefined;
      }, 30_000);
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rc-sentinel-kill-'));
      try {
        // Where the cut falls: the plan has a catch-up wait per replica Sentinel may pick.
        const dry = await cli(['sentinel-failover', '--master-name', NAME, '--seed', lab.address(current), '--dry-run', '--json']);
        const step = planOf(dry).steps.findIndex((s) => s.command.startsWith(cut));
        expect(step, dry.stdout).toBeGreaterThanOrEqual(0);
        const child = spawn(process.execPath, [path.join(ROOT, 'bin/replication-console.js'), 'sentinel-failover', '--master-name', NAME, '--seed', lab.address(current), '--yes'], {
          cwd: ROOT,
          env: { ...process.env, REPLICATION_CONSOLE_DATA_DIR: dataDir, NO_COLOR: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (d: Buffer) => (output += d.toString()));
        child.stderr.on('data', (d: Buffer) => (output += d.toString()));
        const exited = once(child, 'exit');
        const planId = await Promise.race([
          stepStarted(dataDir, step),
          exited.then(() => {
            throw new Error(`the CLI ended before the cut at step ${step + 1}:\n${output}`);
          }),
        ]);
        child.kill('SIGKILL');
        await exited;
        // The report closes once nothing is left to send: the pause time has passed, and an old master
        // Sentinel has not demoted yet is a replica. That is Sentinel's next look at it (every 10 s)
        // after the promotion a SENTINEL FAILOVER sent just before the cut makes a moment later.
        // Until then the group below may look settled around the old master.
        const report = await until('the report settled', async () => {
          const r = await nextStart(dataDir, planId);
          if (r.settled) return r;
          // What keeps it open, for the timeout's message.
          throw new Error(JSON.stringify({ now: r.now, commands: r.commands, waitingFor: r.waitingFor, linking: r.linking, pausedUntil: r.pausedUntil }));
        }, 45_000);
        // Whatever the cut: one master the Sentinels agree on, every other node its replica with the link up, and writes taken.
        const master = await until(`the group settled after a cut at step ${step + 1}`, async () => {
          const named = await Promise.all(sentinels.map(async (sn) => (await sentinelMaster(sn)).port));
          const node = NODES.find((n) => String(lab.port(n)) === named[0]);
          if (!node || named.some((port) => port !== named[0]) || (await replication(lab, node)).role !== 'master') return undefined;
          const others = await Promise.all(NODES.filter((n) => n !== node).map((n) => replication(lab, n)));
          return others.every((r) => r.role === 'slave' && r.master_port === String(lab.port(node)) && r.master_link_status === 'up') ? node : undefined;
        }, 60_000);
        await until('the master takes writes', async () => ((await onNode(master, (c) => c.set('after-cut', String(step)))) === 'OK' ? true : undefined), 15_000);
        expect(report.commands.filter((c) => /REPLICAOF/.test(c.command))).toEqual([]);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    }
  }, 300_000);

  it('a switchover run past SENTINEL_MANAGED ends done with a note: the Sentinels still name the old master, what they do about it, and how to tell them the new one (which holds)', async () => {
    const current = await sentinelsAgree();
    await until('no Sentinel failover in progress', async () => {
      const views = await Promise.all(sentinels.map(sentinelMaster));
      return views.every((v) => !(v.flags ?? '').includes('failover_in_progress')) ? true : undefined;
    }, 30_000);
    const target = NODES.find((n) => n !== current) ?? 'master';
    // Time to follow the note before the Sentinels act on their own: at 1 s they could fail over
    // between the switchover and the REMOVE on a loaded machine (red in CI, two files at once).
    for (const sn of sentinels) await onNode(sn, (c) => c.call('SENTINEL', 'SET', NAME, 'down-after-milliseconds', '15000'));
    const { plan, outcome } = await planAndRun(h, { kind: 'switchover', to: lab.address(target) }, { overrides: ['SENTINEL_MANAGED'] });
    expect(check(plan, 'SENTINEL_MANAGED')).toMatchObject({ verdict: 'refused', overridable: true });
    expect(outcome.status, JSON.stringify(outcome.steps.map((st) => [st.command, st.status, st.message]))).toBe('ok');
    // Asked after the fact: they still name the old master, now a replica, and will fail it over on their own.
    const note = outcome.nextSteps[0] ?? '';
    const [old, made] = [lab.address(current), lab.address(target)];
    expect(note).toContain(`The Sentinels of "${NAME}" name ${old} as its master, not ${made} (SENTINEL GET-MASTER-ADDR-BY-NAME ${NAME}: `);
    expect(note).toContain(`${old} now reports itself a replica: they take it for down once it has done so for down-after-milliseconds (15000 ms)`);
    expect(note).toContain(`fail it over on their own, to a replica of their choosing (not necessarily ${made})`);
    expect(note).toContain(`first SENTINEL REMOVE ${NAME} on every Sentinel of the group (`);
    expect(note).toContain(`SENTINEL MONITOR ${NAME} 127.0.0.1 ${lab.port(target)} 2 and SENTINEL SET ${NAME} down-after-milliseconds 15000 failover-timeout 5000`);
    // The CLI prints the outcome's notes as they are.
    expect(formatOutcome(outcome, { color: false })).toContain(`Notes:\n  • ${note}`);

    // Done as the note says, they name the new master and keep it: each has heard the others again (hello), and none took back the old one.
    for (const sn of sentinels) await onNode(sn, (c) => c.call('SENTINEL', 'REMOVE', NAME));
    for (const sn of sentinels) {
      await onNode(sn, async (c) => {
        await c.call('SENTINEL', 'MONITOR', NAME, '127.0.0.1', String(lab.port(target)), '2');
        await c.call('SENTINEL', 'SET', NAME, 'down-after-milliseconds', '15000', 'failover-timeout', '5000');
      });
    }
    await until('the Sentinels to know each other and the replicas again', async () => {
      const views = await Promise.all(sentinels.map(sentinelMaster));
      if (views.every((v) => v['num-slaves'] === '2' && v['num-other-sentinels'] === '2')) return true;
      // What each one knows, for the timeout's message.
      throw new Error(JSON.stringify(views.map((v) => ({ master: `${v.ip}:${v.port}`, flags: v.flags, replicas: v['num-slaves'], sentinels: v['num-other-sentinels'] }))));
    }, 30_000);
    expect(await sentinelsAgree()).toBe(target);
  }, 90_000);
});
