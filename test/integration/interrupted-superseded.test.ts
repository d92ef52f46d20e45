// An interrupted plan whose nodes were since moved on by a later plan (the attack run's case on
// real servers): a switchover to one replica killed at its wait, with only the CLIENT PAUSE sent,
// then a switchover to another replica that succeeds. The report must not tell on-call to undo
// that later switchover (the old report did, new master first: a two-node cycle with no master),
// and must close itself instead of printing at every CLI start. The kill is triggered by the
// journal gaining the record of step 2 starting, never by a sleep.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InterruptedPlans } from '../../electron/engine/actions/interrupted';
import { readJournal, JOURNAL_DIR } from '../../electron/engine/actions/journal';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { nextStart, stepStarted } from '../helpers/journal-wait';
import { onNode } from '../helpers/sentinel-group';
import { until } from '../helpers/until';

const ROOT = path.resolve(import.meta.dirname, '../..');
/**
 * Also the killed plan's write pause, which must keep its report open until the later switchover
 * has run: at 2 s a loaded machine took longer, a check during that switchover found the report
 * settled and closed it, and the test waited in vain for it.
 */
const STEP_TIMEOUT_MS = 10_000;

function cli(args: string[], dataDir: string): { child: ChildProcess; stdout: () => string; stderr: () => string } {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/replication-console.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, REPLICATION_CONSOLE_DATA_DIR: dataDir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return { child, stdout: () => out, stderr: () => err };
}

const NAMES = ['master', 'replica-1', 'replica-2', 'replica-3'];

function call(lab: Lab, name: string, ...args: string[]): Promise<unknown> {
  return onNode(lab, name, (c) => c.call(...(args as [string, ...string[]])));
}

/** Back to 'master' with the three replicas linked to it, no pause. */
async function reset(lab: Lab): Promise<void> {
  for (const name of NAMES) {
    await call(lab, name, 'CLIENT', 'UNPAUSE');
    await (name === 'master' ? call(lab, name, 'REPLICAOF', 'NO', 'ONE') : call(lab, name, 'REPLICAOF', '127.0.0.1', String(lab.port('master'))));
  }
  await until('the lab back in shape', async () => {
    for (const name of NAMES.slice(1)) {
      const text = String(await call(lab, name, 'INFO', 'replication'));
      if (!text.includes('master_link_status:up') || !text.includes(`master_port:${lab.port('master')}`)) return undefined;
    }
    return true;
  });
}

async function exitCode(run: { child: ChildProcess }): Promise<number | null> {
  const [code] = (await once(run.child, 'exit')) as [number | null];
  return code;
}

describe('an interrupted plan the topology has moved on from', () => {
  let lab: Lab;
  let dataDir = '';

  beforeAll(async () => {
    // N2 the master; N1, N3, N4 its replicas, as in the attack run.
    lab = await Lab.start({ nodes: masterWithReplicas(3) });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'rc-superseded-'));
  });
  afterAll(async () => {
    await lab?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('a switchover killed at its wait, then a switchover elsewhere: no advice to undo it, and the report closes', async () => {
    const [n2, n3, n1] = [lab.address('master'), lab.address('replica-2'), lab.address('replica-1')];
    // The wait step takes milliseconds: a kill aimed at it can land after the FAILOVER. Only a
    // kill at the wait is the case under test; a later one is dismissed and tried again.
    let planId = '';
    for (let attempt = 0; attempt < 8 && planId === ''; attempt++) {
      await reset(lab);
      const first = cli(['switchover', '--to', n3, '--seed', n2, '--step-timeout', String(STEP_TIMEOUT_MS), '--yes'], dataDir);
      const firstExit = once(first.child, 'exit');
      const id = await stepStarted(dataDir, 1);
      first.child.kill('SIGKILL');
      await firstExit;
      const journal = await readJournal(path.join(dataDir, JOURNAL_DIR, `${id}.jsonl`));
      if (journal.started && !journal.steps.has(2) && journal.finished === null) planId = id;
      else await new InterruptedPlans(dataDir).dismiss(id);
    }
    expect(planId, 'a kill landed at the wait step').not.toBe('');
    await reset(lab);

    const second = cli(['switchover', '--to', n1, '--seed', n2, '--step-timeout', String(STEP_TIMEOUT_MS), '--yes'], dataDir);
    expect(await exitCode(second), `${second.stdout()}\n${second.stderr()}`).toBe(0);
    // The later switchover's CLI start reported the interrupted plan first.
    expect(second.stderr()).toContain(`INTERRUPTED_PLAN ${planId}`);

    // The killed plan's CLIENT PAUSE still holds its report open: the journal cannot tell it was lifted sooner.
    const open = await nextStart(dataDir, planId);
    expect(open.pausedUntil, 'the killed plan\'s pause outlasts the later switchover').not.toEqual([]);
    // The check of a start once that pause has run out, the nodes read now (a check that finds it
    // settled closes it: the report that says so is the one examined).
    const pauseEnds = Math.max(...open.pausedUntil.map((p) => p.until));
    const { reports } = await new InterruptedPlans(dataDir).checkAtStart({ timeoutMs: 1000, now: () => pauseEnds + 1 });
    const report = reports.find((r) => r.planId === planId);
    if (!report) throw new Error(`no INTERRUPTED_PLAN report for ${planId} once its pause has run out`);
    const text = report.commands.map((c) => `${c.node}: ${c.command}`).join('\n');
    // Nothing the killed plan did is left to undo, and nothing undoes the later switchover.
    expect(text, report.ran.join('\n')).not.toMatch(/REPLICAOF/);
    expect(report.commands, report.ran.join('\n')).toEqual([]);
    expect(report.settled).toBe(true);
    expect(report.changedSince).toContain(n1);

    // Closed: the `interrupted` command finds nothing, and says so with exit code 0.
    const after = cli(['interrupted'], dataDir);
    expect(await exitCode(after), after.stderr()).toBe(0);
    expect(after.stdout()).toContain('No interrupted plan.');
    expect((await new InterruptedPlans(dataDir).store.interrupted()).plans).toEqual([]);
  });
});
