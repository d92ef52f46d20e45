// An interrupted plan whose replicas follow their master by another address than the plan knows
// it by: `localhost` where the console has 127.0.0.1, or a port forward the console cannot dial
// and the user's --map translates (NAT). A switchover killed once the FAILOVER has made the new master, before its last
// step re-points the sibling: the sibling still follows the old master, where it was before the
// plan, and the finish must re-point it. The report called it "changed since by something else"
// (its master_host:master_port compared as text with the plan's address) and left it under the
// old master. The kill is triggered by the journal gaining the record of a step starting.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleService } from '../../electron/app/service';
import { InterruptedPlans, type StartupCheckOptions } from '../../electron/engine/actions/interrupted';
import { readJournal, JOURNAL_DIR } from '../../electron/engine/actions/journal';
import type { InterruptedReport } from '../../electron/engine/actions/recovery';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { stepStarted } from '../helpers/journal-wait';
import { forwardTo, type PortForward } from '../helpers/port-forward';
import { onNode } from '../helpers/sentinel-group';
import { until } from '../helpers/until';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NAMES = ['master', 'replica-1', 'replica-2'];
/** paused-failover with one sibling: pause, wait, FAILOVER, unpause, then REPLICAOF on the sibling. */
const UNPAUSE_STEP = 3;
const REPOINT_STEP = 4;

function call(lab: Lab, name: string, ...args: string[]): Promise<unknown> {
  return onNode(lab, name, (c) => c.call(...(args as [string, ...string[]])));
}

/** Back to 'master' with both replicas linked to it at `masterAs` (HOST:PORT), no pause. */
async function reset(lab: Lab, masterAs: string): Promise<void> {
  const [host = '', port = ''] = masterAs.split(':');
  await until('no FAILOVER running', async () => {
    for (const name of NAMES) if (!String(await call(lab, name, 'INFO', 'replication')).includes('master_failover_state:no-failover')) return undefined;
    return true;
  });
  for (const name of NAMES) {
    await call(lab, name, 'CLIENT', 'UNPAUSE');
    await (name === 'master' ? call(lab, name, 'REPLICAOF', 'NO', 'ONE') : call(lab, name, 'REPLICAOF', host, port));
  }
  await until('the lab back in shape', async () => {
    for (const name of NAMES.slice(1)) {
      const text = String(await call(lab, name, 'INFO', 'replication'));
      if (!text.includes('master_link_status:up') || !text.includes(`master_host:${host}\r\n`) || !text.includes(`master_port:${port}\r\n`)) return undefined;
    }
    return true;
  });
}

function cli(args: string[], dataDir: string): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/replication-console.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, REPLICATION_CONSOLE_DATA_DIR: dataDir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  return { child, output: () => text };
}

/**
 * A switchover to replica-1, killed as its unpause starts: the FAILOVER has run, the sibling's
 * REPLICAOF not. The unpause takes a millisecond: a kill that lands later is dismissed and tried again.
 */
async function killedBeforeRepoint(lab: Lab, dataDir: string, masterAs: string, extra: string[]): Promise<string> {
  for (let attempt = 0; attempt < 8; attempt++) {
    await reset(lab, masterAs);
    const run = cli(['switchover', '--to', lab.address('replica-1'), '--seed', lab.address('master'), '--method', 'paused-failover', '--step-timeout', '2000', '--yes', ...extra], dataDir);
    const exited = once(run.child, 'exit');
    const planId = await stepStarted(dataDir, UNPAUSE_STEP).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${run.output()}`);
    });
    run.child.kill('SIGKILL');
    await exited;
    const journal = await readJournal(path.join(dataDir, JOURNAL_DIR, `${planId}.jsonl`));
    if (journal.started && !journal.steps.has(REPOINT_STEP) && journal.finished === null) return planId;
    await new InterruptedPlans(dataDir).dismiss(planId);
  }
  throw new Error('no kill landed before the sibling\'s REPLICAOF in 8 attempts');
}

async function reportOf(dataDir: string, planId: string, options: StartupCheckOptions = {}): Promise<InterruptedReport> {
  const { reports } = await new InterruptedPlans(dataDir).checkAtStart({ timeoutMs: 1000, ...options });
  const report = reports.find((r) => r.planId === planId);
  if (!report) throw new Error(`no INTERRUPTED_PLAN report for ${planId}`);
  return report;
}

/**
 * The finish re-points the sibling under the new master (besides the unpause of the old master,
 * whose step was cut), and once its commands have run the report closes.
 */
async function expectSiblingRepointed(lab: Lab, report: InterruptedReport, dataDir: string, options: StartupCheckOptions = {}): Promise<void> {
  const [r1, r2] = [lab.address('replica-1'), lab.address('replica-2')];
  const text = [...report.now, report.note ?? ''].join('\n');
  expect(report.direction, text).toBe('finish');
  expect(report.changedSince, text).toEqual([]);
  expect(text).not.toMatch(/changed since by something else/);
  const commands = report.commands.map((c) => `${c.node}: ${c.command}`);
  expect(commands.filter((c) => c.includes('REPLICAOF')), text).toEqual([`${r2}: REPLICAOF 127.0.0.1 ${lab.port('replica-1')}`]);
  expect(commands.filter((c) => !c.includes('REPLICAOF')), text).toEqual(report.pausedUntil.length > 0 ? [`${lab.address('master')}: CLIENT UNPAUSE`] : []);
  // Run as the operator pastes them: the plan is then done, and the next check closes it.
  const byAddress = new Map(NAMES.map((n) => [lab.address(n), n]));
  for (const { node, command } of report.commands) await call(lab, byAddress.get(node) ?? '', ...command.split(' '));
  const settled = await until(
    'the report settled once its command ran',
    async () => {
      const again = await reportOf(dataDir, report.planId, options);
      return again.settled ? again : undefined;
    },
    15_000,
    250,
  );
  expect(settled.changedSince).toEqual([]);
  expect(settled.now.find((l) => l.startsWith(`${r2}:`))).toContain(`replica of ${r1}`);
}

describe('an interrupted plan whose replicas follow their master by another address', () => {
  let lab: Lab;
  let dataDir = '';
  let forward: PortForward | null = null;

  beforeAll(async () => {
    lab = await Lab.start({ nodes: masterWithReplicas(2) });
  });
  afterAll(async () => {
    await forward?.close();
    await lab?.close();
  });

  it('replicas following the master as localhost: the finish re-points the sibling, not "changed since"', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'rc-alias-'));
    try {
      const planId = await killedBeforeRepoint(lab, dataDir, `localhost:${lab.port('master')}`, []);
      const report = await reportOf(dataDir, planId);
      // A console connecting to the topology reads the nodes through its own engine: the same report.
      const service = new ConsoleService({ interface: 'desktop', auditDir: dataDir });
      try {
        const snapshot = await service.connect({ seeds: [lab.address('replica-1')], pollIntervalMs: 500 });
        const warning = snapshot.warnings.find((w) => w.code === 'INTERRUPTED_PLAN')?.message ?? '';
        expect(warning).toContain(`on ${lab.address('replica-2')}: REPLICAOF 127.0.0.1 ${lab.port('replica-1')}`);
        expect(warning).not.toMatch(/changed since by something else/);
      } finally {
        await service.close();
      }
      await expectSiblingRepointed(lab, report, dataDir);
      expect(report.now.find((l) => l.startsWith(`${lab.address('replica-2')}:`))).toContain(`replica of ${lab.address('master')} (as localhost:${lab.port('master')}), link up`);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('replicas following the master at an address only --map translates (NAT): the same', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'rc-alias-map-'));
    forward = await forwardTo(lab.port('master'));
    const map = { addressMap: { [forward.address]: lab.address('master') } };
    try {
      const planId = await killedBeforeRepoint(lab, dataDir, forward.address, ['--map', `${forward.address}=${lab.address('master')}`]);
      // The sibling's link through the forward stays up; the console can reach the old master only through the map.
      forward.refuseNew();
      const report = await reportOf(dataDir, planId, { connection: map });
      await expectSiblingRepointed(lab, report, dataDir, { connection: map });
      expect(report.now.find((l) => l.startsWith(`${lab.address('replica-2')}:`))).toContain(`replica of ${lab.address('master')} (as ${forward.address}), link up`);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
