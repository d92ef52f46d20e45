// MASTER_RESTARTED_EMPTY across sessions, on real servers with one topology memory: a restart of
// the whole group is not a master wiping its replicas, and an incident an earlier session kept is
// not said again as a current loss once its nodes have moved on (a failover since, the old master
// restarted again). Both were said, with the old incident's time, of nodes holding their data.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReplicationEngine } from '../../electron/engine/engine';
import { MEMORY_FILE, type RememberedNode } from '../../electron/engine/topology-memory';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import type { TickUpdate } from '../../electron/shared/types';
import { disposeAfterEach } from '../helpers/dispose';
import { collectTicks, waitForTick } from '../helpers/engine';
import { runCli, type CliRun } from '../helpers/cli';
import { onNode } from '../helpers/sentinel-group';
import { until } from '../helpers/until';

const own = disposeAfterEach();
const POLL_MS = 200;

function tempDir(): { dir: string; close(): Promise<void> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-data-loss-it-'));
  return { dir, close: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}

const on = onNode;

const write = (lab: Lab, keys: number): Promise<unknown> =>
  on(lab, 'master', (client) => client.eval("for i = 1, tonumber(ARGV[1]) do redis.call('SET', 'k:' .. i, 'v') end", 0, keys));
const linked = (lab: Lab, name: string): Promise<true | undefined> =>
  on(lab, name, async (client) => ((await client.info('replication')).includes('master_link_status:up') ? true : undefined));
const lossOf = (update: TickUpdate) => update.snapshot.warnings.find((w) => w.code === 'MASTER_RESTARTED_EMPTY');

/** What memory kept of the master's loss after a session. */
function rememberedLoss(dir: string, address: string): RememberedNode['dataLoss'] {
  const nodes = JSON.parse(fs.readFileSync(path.join(dir, MEMORY_FILE), 'utf8')).nodes as RememberedNode[];
  return nodes.find((n) => n.address === address)?.dataLoss ?? null;
}

/**
 * After the session: keys written, the master killed, replica-1 promoted with replica-2 following
 * it (an emergency failover done by hand), and the old master restarted empty as a lone master.
 */
async function failOverAndRestartOldMaster(lab: Lab): Promise<void> {
  await write(lab, 2000);
  await until('replica-2 has the keys', () => on(lab, 'replica-2', async (c) => ((await c.dbsize()) === 2000 ? true : undefined)));
  await lab.kill('master');
  await on(lab, 'replica-1', (c) => c.replicaof('NO', 'ONE'));
  await on(lab, 'replica-2', (c) => c.replicaof('127.0.0.1', lab.port('replica-1')));
  await until('replica-2 follows replica-1', () => linked(lab, 'replica-2'));
  await lab.restart('master', { asLoneMaster: true });
}

/** A master with two replicas holding 500 keys, linked, and a first session's engine (not connected yet) over a topology memory of their own. */
async function watchedGroup(): Promise<{ lab: Lab; dir: string; master: string; r1: string; r2: string; watching: ReplicationEngine }> {
  const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
  const { dir } = own(tempDir());
  const [master, r1, r2] = ['master', 'replica-1', 'replica-2'].map((n) => lab.address(n)) as [string, string, string];
  await write(lab, 500);
  await lab.waitForLinks();
  const watching = own(new ReplicationEngine({ memoryDir: dir, connectTimeoutMs: 800, commandTimeoutMs: 800 }));
  return { lab, dir, master, r1, r2, watching };
}

describe('MASTER_RESTARTED_EMPTY over sessions (topology memory)', () => {
  it('a restart of the whole group is not said to have wiped the replicas, then or in a later session after a failover', async () => {
    const { lab, dir, master, r1, r2, watching } = await watchedGroup();

    // Session 1 watches the whole group go down and come back: every node empty, none took its data from the master.
    const first = await watching.connect({ seeds: [master], pollIntervalMs: POLL_MS });
    const runs = new Map(first.nodes.map((n) => [n.address, n.runId]));
    for (const name of ['master', 'replica-1', 'replica-2']) await lab.kill(name);
    for (const name of ['master', 'replica-1', 'replica-2']) await lab.restart(name);
    await lab.waitForLinks();
    const back = await waitForTick(
      watching,
      (u) => u.snapshot.edges.length === 2 && u.snapshot.edges.every((e) => e.health === 'up') && u.snapshot.nodes.every((n) => n.reachable && n.runId !== runs.get(n.address)),
      15_000,
      'the group back, linked, every node a new run',
    );
    const after = [back, ...(await collectTicks(watching, 6 * POLL_MS))];
    expect(after.map((u) => lossOf(u)?.message ?? null)).toEqual(after.map(() => null));
    await watching.disconnect();
    expect(rememberedLoss(dir, master)).toBeNull();

    // Session 2, a one-shot topology after a failover and the old master's restart: nothing of a loss, least of all with session 1's time.
    await failOverAndRestartOldMaster(lab);
    const cli = (args: string[]): Promise<CliRun> => runCli(args, { env: { REPLICATION_CONSOLE_DATA_DIR: dir, NO_COLOR: '1' } });
    const later = await cli(['topology', '--seed', r1, '--format', 'json']);
    const snapshot = JSON.parse(later.stdout) as { warnings: { code: string; message: string }[]; nodes: { address: string; role: string }[] };
    expect(snapshot.nodes.find((n) => n.address === r2)).toMatchObject({ role: 'replica' });
    expect(snapshot.warnings.filter((w) => w.code === 'MASTER_RESTARTED_EMPTY')).toEqual([]);
  });

  it('an incident an earlier session saw is not said again once its nodes follow another master and its master restarted again', async () => {
    const { lab, dir, master, r1, r2, watching } = await watchedGroup();

    // Session 1: the master alone restarts empty, and its replicas, running on, take its empty dataset. The real incident.
    await watching.connect({ seeds: [master], pollIntervalMs: POLL_MS });
    await lab.restart('master');
    const wiped = await waitForTick(watching, (u) => /then replaced their data/.test(lossOf(u)?.message ?? ''), 15_000, 'replicas wiped');
    expect(lossOf(wiped)?.nodes.slice(1).sort()).toEqual([r1, r2].sort());
    const when = /restarted at (\S+ \S+) UTC/.exec(lossOf(wiped)?.message ?? '')?.[1];
    await watching.disconnect();
    expect(rememberedLoss(dir, master)?.wiped.sort()).toEqual([r1, r2].sort());

    // Session 2: written to again, failed over to replica-1, and the old master restarted (empty, alone).
    await failOverAndRestartOldMaster(lab);
    const cli = (args: string[]): Promise<CliRun> => runCli(args, { env: { REPLICATION_CONSOLE_DATA_DIR: dir, NO_COLOR: '1' } });
    const later = await cli(['topology', '--seed', r1]);
    expect(later.stdout).toContain(master);
    expect(later.stdout).not.toContain('MASTER_RESTARTED_EMPTY');
    expect(later.stdout).not.toContain(`${when}`);

    // The group healthy again (the old master a replica of replica-1): still nothing, and memory keeps no loss.
    await on(lab, 'master', (c) => c.replicaof('127.0.0.1', lab.port('replica-1')));
    await until('the old master follows replica-1', () => linked(lab, 'master'));
    const healthy = await cli(['topology', '--seed', r1]);
    expect(healthy.stdout).not.toContain('MASTER_RESTARTED_EMPTY');
    expect(rememberedLoss(dir, master)).toBeNull();
  });
});
