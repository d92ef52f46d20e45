// The action commands as a user runs them: plan printed with exact commands and verdicts,
// --dry-run, confirmation rules, live progress, exit codes, and no password anywhere.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { replication } from '../helpers/actions';
import { disposeAfterEach } from '../helpers/dispose';
import { runCli, type CliRun } from '../helpers/cli';

const PASSWORD = 'cli-action-secret';
let dataDir: string;

/** The CLI with the test's data directory. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runCli(args, { env: { REPLICATION_CONSOLE_DATA_DIR: dataDir, NO_COLOR: '1', ...env } });
}

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'rc-cli-data-'));
});
const own = disposeAfterEach();
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('action commands', () => {
  it('replicaof --dry-run prints the plan with the exact command and verdicts, and changes nothing', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2), password: PASSWORD }));
    const run = await cli(['replicaof', '--node', lab.address('replica-2'), '--master', lab.address('replica-1'), '--dry-run'], { REDISCLI_AUTH: PASSWORD });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Plan: Make ${lab.address('replica-2')} a replica of ${lab.address('replica-1')}`);
    expect(run.stdout).toContain(`1. ${lab.address('master')}  CLIENT PAUSE 2000 WRITE`);
    expect(run.stdout).toContain(`3. ${lab.address('replica-2')}  REPLICAOF 127.0.0.1 ${lab.port('replica-1')}`);
    expect(run.stdout).toMatch(/✓ RESYNC_RACE +writes on 127\.0\.0\.1:\d+ wait/);
    // Declined: the REPLICAOF alone, and the race is a warning.
    const bare = await cli(['replicaof', '--node', lab.address('replica-2'), '--master', lab.address('replica-1'), '--no-write-pause', '--dry-run'], { REDISCLI_AUTH: PASSWORD });
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stdout).toContain(`1. ${lab.address('replica-2')}  REPLICAOF 127.0.0.1 ${lab.port('replica-1')}`);
    expect(bare.stdout).not.toContain('CLIENT PAUSE');
    expect(bare.stdout).toMatch(/! RESYNC_RACE +.*no write pause was asked for/);
    expect(run.stdout).toMatch(/✓ CYCLE +127\.0\.0\.1/);
    expect(run.stdout).toMatch(/: partial: same history/);
    expect(run.stdout).toContain('✓ Ready to run.');
    expect(run.stdout).not.toContain(PASSWORD);
    expect((await replication(lab, 'replica-2', PASSWORD)).master_port).toBe(String(lab.port('master')));
  });

  it('exits 1 on a refused plan (a cycle), 2 on bad usage, and never shows a stack trace', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const cycle = await cli(['replicaof', '--node', lab.address('master'), '--master', lab.address('replica-1'), '--yes']);
    expect(cycle.code).toBe(1);
    expect(cycle.stdout).toMatch(/✗ CYCLE/);
    expect(cycle.stdout).toContain('✗ Refused');
    const usage = await cli(['promote']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/promote needs --node HOST:PORT/);
    const unknown = await cli(['switchover', '--to', lab.address('replica-1'), '--method', 'magic']);
    expect(unknown.code).toBe(2);
    for (const run of [cycle, usage, unknown]) expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
  });

  it('does not run without confirmation when stdin is not a terminal; an override is required by name', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const noYes = await cli(['promote', '--node', lab.address('replica-1')]);
    expect(noYes.code).toBe(1);
    expect(noYes.stderr).toMatch(/stdin is not a terminal.*--yes/);
    expect((await replication(lab, 'replica-1')).role).toBe('slave');

    const failover = await cli(['failover', '--to', lab.address('replica-1'), '--yes']);
    expect(failover.code).toBe(1);
    expect(failover.stdout).toMatch(/✗ MASTER_REACHABLE .*\(to run anyway: --override MASTER_REACHABLE\)/);
    expect(failover.stdout).toContain('! Needs an explicit override: --override MASTER_REACHABLE');
    expect((await replication(lab, 'replica-1')).role).toBe('slave');
  });

  it('switchover --yes runs with live progress, exits 0, and audits without the password', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2), password: PASSWORD }));
    const run = await cli(['switchover', '--to', lab.address('replica-1'), '--password', PASSWORD, '--yes', '--step-timeout', '5000']);
    // A password on the command line is warned about, as redis-cli does, and nothing else goes to stderr.
    expect(run.stderr.trim()).toMatch(/^Warning: a password on the command line is visible to other users[^\n]*$/);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`[1/5] ${lab.address('master')}  CLIENT PAUSE 5000 WRITE`);
    expect(run.stdout).toContain(`[3/5] ${lab.address('master')}  FAILOVER TO 127.0.0.1 ${lab.port('replica-1')} FORCE TIMEOUT 1`);
    expect(run.stdout).toMatch(/… .*: waiting-for-sync/);
    expect(run.stdout).toMatch(/✓ Done in \d+ ms\./);
    expect(run.stdout).toContain(`${lab.address('replica-1')}  master`);
    expect(run.stdout).toContain(`Audit log: ${path.join(dataDir, 'audit.jsonl')}`);
    expect(run.stdout).not.toContain(PASSWORD);
    const audit = (await readFile(path.join(dataDir, 'audit.jsonl'), 'utf8')).trim().split('\n');
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0] ?? '{}')).toMatchObject({ outcome: 'ok', who: { interface: 'cli' } });
    expect(audit[0]).not.toContain(PASSWORD);
    expect((await replication(lab, 'master', PASSWORD)).role).toBe('slave');
  });

  it('--json prints the plan and the outcome as JSON lines', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const run = await cli(['promote', '--node', lab.address('replica-2'), '--yes', '--json']);
    expect(run.code).toBe(0);
    const [plan, outcome] = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, { steps: unknown[]; ok?: boolean }>);
    expect(plan?.plan?.steps).toHaveLength(1);
    expect(outcome?.outcome).toMatchObject({ ok: true });
  });
});
