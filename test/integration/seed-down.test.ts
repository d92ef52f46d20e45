// A seed that does not let the console in, during an incident: `watch --seed <master>` with the
// master killed, out of clients or refusing the password. When topology memory knows its
// replicas, the console connects through them (the seed shown down, MASTER_DOWN, the master seen
// when it comes back); a seed never seen fails as ever, exit 3. Real servers; the CLI is the built
// bundle (node scripts/build-node.mjs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { direct } from '../helpers/actions';
import { runCli, type CliRun } from '../helpers/cli';
import { disposeAfterEach } from '../helpers/dispose';
import { node, waitForTick } from '../helpers/engine';
import { DEAD_PORT } from '../helpers/dead-port';

const own = disposeAfterEach();
const TIMEOUTS = { connectTimeoutMs: 800, commandTimeoutMs: 800 };

function tempDir(): { dir: string; close(): Promise<void> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-seed-down-it-'));
  return { dir, close: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** One session over the lab that remembers it in `dir`, closed before returning. */
async function remember(dir: string, seed: string, password?: string): Promise<void> {
  const engine = new ReplicationEngine({ memoryDir: dir, ...TIMEOUTS });
  try {
    await engine.connect({ seeds: [seed], password, pollIntervalMs: 200 });
  } finally {
    await engine.disconnect();
  }
}

function engineOn(dir: string): ReplicationEngine {
  return own(new ReplicationEngine({ memoryDir: dir, ...TIMEOUTS }));
}

function cli(args: string[], dataDir: string, stopWhen?: (stdout: string) => boolean): Promise<CliRun> {
  return runCli(args, { env: { REPLICATION_CONSOLE_DATA_DIR: dataDir, NO_COLOR: '1' }, stopWhen });
}

interface JsonTick {
  nodes: { address: string; reachable: boolean; role: string; remembered: boolean }[];
  warnings: { code: string; nodes: string[] }[];
}

function ticks(stdout: string): JsonTick[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as JsonTick);
}

describe('a seed that does not answer, with its topology remembered', () => {
  it('a killed master as the only seed: its remembered replicas are watched, it shows down (MASTER_DOWN), and is seen when it comes back', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const { dir } = own(tempDir());
    const [master, r1, r2] = ['master', 'replica-1', 'replica-2'].map((n) => lab.address(n)) as [string, string, string];
    await remember(dir, master);
    await lab.kill('master');

    const engine = engineOn(dir);
    const snapshot = await engine.connect({ seeds: [master], pollIntervalMs: 200 });
    expect(node(snapshot, master)).toMatchObject({ reachable: false, remembered: true, error: { code: 'UNREACHABLE' } });
    expect(node(snapshot, r1)).toMatchObject({ reachable: true, role: 'replica', master });
    expect(node(snapshot, r2)).toMatchObject({ reachable: true, role: 'replica', master });
    const down = snapshot.warnings.find((w) => w.code === 'MASTER_DOWN');
    expect(down?.nodes[0]).toBe(master);

    await lab.restart('master');
    const back = await waitForTick(engine, (u) => node(u.snapshot, master).reachable, 15_000, 'the master back');
    expect(node(back.snapshot, master)).toMatchObject({ role: 'master', remembered: false });
    expect(back.snapshot.warnings.map((w) => w.code)).not.toContain('MASTER_DOWN');
  });

  it('a master out of client connections as the seed: connected through its replicas, MASTER_REFUSES, not an exit', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const { dir } = own(tempDir());
    const [master, r1] = ['master', 'replica-1'].map((n) => lab.address(n)) as [string, string];
    await remember(dir, master);
    const admin = direct(lab, 'master');
    own({ close: async () => admin.disconnect() });
    const clients = Number(/connected_clients:(\d+)/.exec(await admin.info('clients'))?.[1]);
    await admin.config('SET', 'maxclients', String(clients));

    const snapshot = await engineOn(dir).connect({ seeds: [master], pollIntervalMs: 200 });
    expect(node(snapshot, master)).toMatchObject({ reachable: false, error: { code: 'MAX_CLIENTS' } });
    expect(node(snapshot, r1)).toMatchObject({ reachable: true, role: 'replica', master });
    expect(snapshot.warnings.map((w) => w.code)).toContain('MASTER_REFUSES');
    expect(snapshot.warnings.map((w) => w.code)).not.toContain('MASTER_DOWN');
  });

  it('a password only the master refuses: connected through its replicas; a password every node refuses is still AUTH_FAILED', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1), password: 'right' }));
    const { dir } = own(tempDir());
    const [master, r1] = ['master', 'replica-1'].map((n) => lab.address(n)) as [string, string];
    await remember(dir, master, 'right');

    // Wrong everywhere: the remembered replica refuses it too, and the seed's own error is the answer.
    const everywhere = await engineOn(dir).connect({ seeds: [master], password: 'wrong', pollIntervalMs: 200 }).catch((e: unknown) => e);
    expect(everywhere).toMatchObject({ code: 'AUTH_FAILED' });

    // Changed on the master only (its replica keeps its link, and its own password).
    const admin = direct(lab, 'master', 'right');
    own({ close: async () => admin.disconnect() });
    await admin.config('SET', 'requirepass', 'rotated');
    const snapshot = await engineOn(dir).connect({ seeds: [master], password: 'right', pollIntervalMs: 200 });
    expect(node(snapshot, master)).toMatchObject({ reachable: false, error: { code: 'AUTH_FAILED' } });
    expect(node(snapshot, r1)).toMatchObject({ reachable: true, role: 'replica', master });
  });

  it('the CLI: topology and watch on the killed master show what memory knows (exit 0); watch sees the master come back', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const { dir } = own(tempDir());
    const master = lab.address('master');
    expect((await cli(['topology', '--seed', master], dir)).code).toBe(0);
    await lab.kill('master');

    const tree = await cli(['topology', '--seed', master], dir);
    expect(tree.code).toBe(0);
    expect(tree.stdout).toMatch(new RegExp(`${master}  master, UNREACHABLE  remembered, last seen`));
    expect(tree.stdout).toContain(`MASTER_DOWN: ${master} down`);

    let restarting: Promise<void> | null = null;
    const watched = await cli(['watch', '--seed', master, '--format', 'json', '--interval', '250'], dir, (stdout) => {
      const all = ticks(stdout);
      if (restarting === null && all.some((t) => t.warnings.some((w) => w.code === 'MASTER_DOWN'))) restarting = lab.restart('master');
      return restarting !== null && all.some((t) => t.nodes.some((n) => n.address === master && n.reachable && n.role === 'master'));
    });
    await restarting;
    expect(watched.code).toBe(0);
    const [first] = ticks(watched.stdout);
    expect(first?.nodes.find((n) => n.address === master)).toMatchObject({ reachable: false, remembered: true });
    expect(first?.nodes.filter((n) => n.role === 'replica' && n.reachable)).toHaveLength(2);
  });

  it('the CLI: a killed master and a wrong or missing password the live replicas refuse is the password error (exit 4), not the dead master; the right one connects', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2), password: 'pw' }));
    const { dir } = own(tempDir());
    const [master, r1, r2] = ['master', 'replica-1', 'replica-2'].map((n) => lab.address(n)) as [string, string, string];
    await remember(dir, master, 'pw');
    await lab.kill('master');

    const withAuth = (auth: string) => (args: string[]) => runCli(args, { env: { REPLICATION_CONSOLE_DATA_DIR: dir, NO_COLOR: '1', REDISCLI_AUTH: auth } });
    const down = `${master} does not answer (connection refused (nothing is listening on that port)), and its remembered replicas ${[r1, r2].sort().join(', ')}`;
    for (const command of ['topology', 'watch']) {
      const wrong = await withAuth('not-it')([command, '--seed', master]);
      expect(wrong).toMatchObject({ code: 4, stdout: '' });
      expect(wrong.stderr).toContain(`replication-console: ${down} refuse the password. `);
      expect(wrong.stderr).toContain('authentication failed (wrong user name or password)');
      const none = await withAuth('')([command, '--seed', master]);
      expect(none).toMatchObject({ code: 4, stdout: '' });
      expect(none.stderr).toContain(`replication-console: ${down} refuse to be read without a password. `);
    }
    const right = await withAuth('pw')(['topology', '--seed', master]);
    expect(right.code).toBe(0);
    expect(right.stdout).toContain(`MASTER_DOWN: ${master} down`);
  });

  it('a seed never seen fails with its own error, exit 3, with memory empty or of another topology (not connected to that one); so does one whose remembered nodes are all down', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const { dir: empty } = own(tempDir());
    const { dir: other } = own(tempDir());
    const master = lab.address('master');
    await remember(other, master);
    const never = `127.0.0.1:${DEAD_PORT}`;
    const refused = async (seed: string, dir: string): Promise<void> => {
      for (const command of ['topology', 'watch']) {
        const run = await cli([command, '--seed', seed], dir);
        expect(run).toMatchObject({ code: 3, stdout: '' });
        expect(run.stderr).toContain(`replication-console: ${seed}: connection refused`);
      }
    };
    await refused(never, empty);
    await refused(never, other);

    await lab.kill('replica-1');
    await lab.kill('master');
    await refused(master, empty);
    await refused(master, other);
  });
});
