// NAT on real servers: a replica announcing another address (replica-announce-ip/port) is one
// node, not a phantom beside it; --map HOST=HOST dials a listed host on every port.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { direct, harness, planAndRun, replication } from '../helpers/actions';
import { disposeAfterEach } from '../helpers/dispose';
import { node, waitForTick } from '../helpers/engine';

const own = disposeAfterEach();
/** A loopback address nothing listens on: what a NATed replica announces. */
const ANNOUNCED_IP = '127.0.0.9';

/** Make replica-1 announce `ip` (and `port`, if given) and wait until its master lists it so. */
async function announce(lab: Lab, ip: string, port?: number): Promise<string> {
  const replica = direct(lab, 'replica-1');
  const master = direct(lab, 'master');
  const listedAs = `${ip}:${port ?? lab.port('replica-1')}`;
  try {
    await replica.config('SET', 'replica-announce-ip', ip);
    if (port !== undefined) await replica.config('SET', 'replica-announce-port', String(port));
    // The announced address is sent when the replica connects: make it reconnect.
    await master.client('KILL', 'TYPE', 'replica');
    for (let i = 0; i < 250; i++) {
      const info = await replication(lab, 'master');
      if (Object.entries(info).some(([k, v]) => k.startsWith('slave') && v.includes(`ip=${ip},port=${port ?? lab.port('replica-1')},`))) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await lab.waitForLinks();
  } finally {
    replica.disconnect();
    master.disconnect();
  }
  return listedAs;
}

describe('NAT', () => {
  it('seeding a replica that announces another address shows one node, with the announced address as its alias', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const listedAs = await announce(lab, ANNOUNCED_IP, 7);
    const r1 = lab.address('replica-1');

    const engine = own(new ReplicationEngine({ connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    const snapshot = await engine.connect({ seeds: [r1], pollIntervalMs: 200 });
    expect(snapshot.nodes.map((n) => n.address).sort()).toEqual([lab.address('master'), r1, lab.address('replica-2')].sort());
    expect(node(snapshot, r1).aliases).toContain(listedAs);
    // Its master's list resolves to it: the edge health comes from the master's line too.
    expect(snapshot.edges.find((e) => e.replica === r1)).toMatchObject({ master: lab.address('master'), health: 'up' });
  });

  it('a phantom added before the replica was read is folded into it', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const listedAs = await announce(lab, ANNOUNCED_IP, 7);
    const r1 = lab.address('replica-1');
    const engine = own(new ReplicationEngine({ connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    await engine.connect({ seeds: [lab.address('master'), r1], pollIntervalMs: 200 });
    const { snapshot } = await waitForTick(engine, ({ snapshot: s }) => s.nodes.length === 3 && node(s, r1).aliases.includes(listedAs), 10_000, 'one node for replica-1');
    expect(snapshot.nodes.some((n) => n.address === listedAs)).toBe(false);
  });

  it('--map HOST=HOST dials a listed host on every port, and a mixed form is refused', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const listedAs = await announce(lab, ANNOUNCED_IP);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-nat-'));
    own({ close: async () => fs.rmSync(dataDir, { recursive: true, force: true }) });
    const run = (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, ['bin/replication-console.js', ...args], { env: { ...process.env, REPLICATION_CONSOLE_DATA_DIR: dataDir } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    type Listed = { nodes: { address: string; reachable: boolean; role: string }[] };
    const blind = JSON.parse((await run(['topology', '--seed', lab.address('master'), '--format', 'json', '--timeout', '500'])).stdout) as Listed;
    expect(blind.nodes.find((n) => n.address === listedAs)).toMatchObject({ reachable: false });

    const mapped = await run(['topology', '--seed', lab.address('master'), '--format', 'json', '--map', `${ANNOUNCED_IP}=127.0.0.1`]);
    expect(mapped.code).toBe(0);
    const nodes = (JSON.parse(mapped.stdout) as Listed).nodes;
    expect(nodes.find((n) => n.address === listedAs)).toMatchObject({ reachable: true, role: 'replica' });
    expect(nodes).toHaveLength(3);

    const mixed = await run(['topology', '--seed', lab.address('master'), '--map', `${ANNOUNCED_IP}=127.0.0.1:6379`]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/both sides as HOST or both as HOST:PORT/);
  });

  it('a REPLICAOF target can be named: masterAddress is what the replica is told, shown in the plan', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const h = own(await harness(lab, 'master'));
    const [r1, r2] = [lab.address('replica-1'), lab.address('replica-2')];
    // By default the target is the address the servers use; here the user names another form of it.
    const named = `localhost:${lab.port('replica-2')}`;
    const { plan, outcome } = await planAndRun(h, { kind: 'replicaof', node: r1, master: r2, options: { masterAddress: named } });
    expect(plan.steps.map((s) => s.command)).toContain(`REPLICAOF localhost ${lab.port('replica-2')}`);
    expect(outcome.ok).toBe(true);
    expect((await replication(lab, 'replica-1')).master_host).toBe('localhost');
    await expect(h.actions.plan({ kind: 'replicaof', node: r1, master: r2, options: { masterAddress: 'not an address' } })).rejects.toThrow(/masterAddress/);
  });
});
