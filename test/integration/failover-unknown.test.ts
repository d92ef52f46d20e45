// The measured case, on real servers: master M with replicas A, B, C; A falls behind; M dies;
// failover from A alone. With topology memory the console finds B and C, promotes the most
// advanced and re-points the rest; without it, it refuses (UNKNOWN_REPLICAS) instead of
// promoting A and leaving B and C on the dead master.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReplicationEngine } from '../../electron/engine/engine';
import { ActionService } from '../../electron/engine/actions/service';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { check, direct, lagReplica1, replication } from '../helpers/actions';
import { waitForTick } from '../helpers/engine';
import { disposeAfterEach } from '../helpers/dispose';

const PASSWORD = 'unknown-replicas-7';
const own = disposeAfterEach();

function tempDir(): { dir: string; close(): Promise<void> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-failover-memory-'));
  return { dir, close: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** An engine seeded at `seed` alone (remembering in `memoryDir`, if given) and an action service over it. */
async function console1(lab: Lab, seed: string, dir: string, memoryDir?: string): Promise<{ engine: ReplicationEngine; actions: ActionService; close(): Promise<void> }> {
  const engine = new ReplicationEngine({ connectTimeoutMs: 800, commandTimeoutMs: 800, ...(memoryDir ? { memoryDir } : {}) });
  await engine.connect({ seeds: [lab.address(seed)], password: PASSWORD, pollIntervalMs: 200 });
  const actions = new ActionService(engine, { auditDir: dir, interface: 'cli', pollMs: 50, sentinelHelloMs: 2500 });
  return { engine, actions, close: () => engine.disconnect() };
}

describe('failover with incomplete knowledge', () => {
  it('with memory: finds the replicas the dead master had, promotes the most advanced and re-points every reachable one', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(3), password: PASSWORD }));
    const { dir } = own(tempDir());
    // An earlier session saw the whole topology.
    const earlier = await console1(lab, 'master', dir, dir);
    await earlier.close();
    await lagReplica1(lab, PASSWORD);
    const [r1, r2, r3] = ['replica-1', 'replica-2', 'replica-3'].map((n) => lab.address(n)) as [string, string, string];
    await lab.kill('master');

    const h = own(await console1(lab, 'replica-1', dir, dir));
    const plan = await h.actions.plan({ kind: 'failover', options: { setMasterauth: true } });
    const chosen = plan.steps[0]?.node;
    expect([r2, r3]).toContain(chosen);
    expect(check(plan, 'UNKNOWN_REPLICAS')).toMatchObject({ verdict: 'ok' });
    expect(check(plan, 'REPLICA_BEHIND').message).toMatch(/highest offset .* of the 3 known replicas/);
    expect(plan.lostBytes.find((l) => l.node === r1)?.bytes).toBeGreaterThan(50_000);
    const repointed = new Set(plan.steps.filter((s) => s.command.startsWith('REPLICAOF 127.0.0.1')).map((s) => s.node));
    expect([...repointed].sort()).toEqual([r1, r2, r3].filter((a) => a !== chosen).sort());
    expect(plan.needsOverride).toEqual([]);

    const outcome = await h.actions.execute(plan.id, { confirmAddress: chosen });
    expect(outcome.ok).toBe(true);
    for (const name of ['replica-1', 'replica-2', 'replica-3'].filter((n) => lab.address(n) !== chosen)) {
      const info = await replication(lab, name, PASSWORD);
      expect(`${info.master_host}:${info.master_port}`).toBe(chosen);
    }
  });

  it('a replica that refuses the console (another password) is remembered from its master\'s list: a failover after the master died counts it and names it', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(3), password: PASSWORD }));
    const { dir } = own(tempDir());
    const r3 = lab.address('replica-3');
    const admin = direct(lab, 'replica-3', PASSWORD);
    await admin.config('SET', 'requirepass', 'another-password');
    admin.disconnect();
    // An earlier session saw the master list it, and was refused by it.
    const earlier = await console1(lab, 'master', dir, dir);
    await waitForTick(earlier.engine, (u) => u.snapshot.nodes.some((n) => n.address === r3 && n.error?.code === 'AUTH_FAILED'), 10_000, 'replica-3 refusing the console');
    await waitForTick(earlier.engine, () => true, 5000, 'one more tick');
    await earlier.close();
    await lab.kill('master');

    // Before: "dials every replica it had (replica-1, replica-2)", and replica-3 was never named.
    const h = own(await console1(lab, 'replica-1', dir, dir));
    const plan = await h.actions.plan({ kind: 'failover', options: { setMasterauth: true } });
    expect(check(plan, 'UNKNOWN_REPLICAS').message).toContain(r3);
    // Said as what it is: alive, refusing the console, its offset unknown (it may be the most advanced).
    expect(check(plan, 'UNREACHABLE_REPLICA')).toMatchObject({ verdict: 'warning', message: expect.stringMatching(new RegExp(`^${r3.replace(/\./g, '\\.')} answers but refuses the console \\(.*\\), so it is not compared or re-pointed: how far it got is unknown, and it may hold more than`)) });
  });

  it('without memory, from one seed: refuses with UNKNOWN_REPLICAS and says how to name the others', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(3), password: PASSWORD }));
    const { dir } = own(tempDir());
    await lagReplica1(lab, PASSWORD);
    const [master, r1] = [lab.address('master'), lab.address('replica-1')];
    await lab.kill('master');

    const h = own(await console1(lab, 'replica-1', dir));
    const plan = await h.actions.plan({ kind: 'failover', options: { setMasterauth: true } });
    const unknown = check(plan, 'UNKNOWN_REPLICAS');
    expect(unknown).toMatchObject({ verdict: 'refused', overridable: true });
    expect(unknown.message).toContain(`${master} was never seen`);
    expect(unknown.message).toMatch(/other replicas of it may exist, ahead of/);
    expect(unknown.message).toMatch(/--seed HOST:PORT.*add them to Seeds/);
    expect(plan.needsOverride).toContain('UNKNOWN_REPLICAS');
    await expect(h.actions.execute(plan.id, { confirmAddress: r1 })).rejects.toMatchObject({ code: 'NEEDS_OVERRIDE', message: expect.stringMatching(/override for UNKNOWN_REPLICAS/), details: { nothingSent: true, overrides: expect.arrayContaining(['UNKNOWN_REPLICAS']) } });
    expect((await replication(lab, 'replica-1', PASSWORD)).role).toBe('slave');

    // Naming the others as seeds is the way out: the plan then compares all three.
    await h.close();
    const engine = own(new ReplicationEngine({ connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    await engine.connect({ seeds: ['replica-1', 'replica-2', 'replica-3'].map((n) => lab.address(n)), password: PASSWORD, pollIntervalMs: 200 });
    const named = await new ActionService(engine, { auditDir: dir, interface: 'cli', pollMs: 50, sentinelHelloMs: 2500 }).plan({ kind: 'failover', options: { setMasterauth: true } });
    expect(check(named, 'UNKNOWN_REPLICAS')).toMatchObject({ verdict: 'warning', overridable: false });
    expect([lab.address('replica-2'), lab.address('replica-3')]).toContain(named.steps[0]?.node);
  });

  it('the CLI, as measured: failover --seed A --yes refuses without memory, and with it promotes the most advanced', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(3), password: PASSWORD }));
    const blindDir = own(tempDir()).dir;
    const dir = own(tempDir()).dir;
    const run = (args: string[], dataDir: string): Promise<{ code: number | null; out: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, ['bin/replication-console.js', ...args], {
          env: { ...process.env, REPLICATION_CONSOLE_DATA_DIR: dataDir, REDISCLI_AUTH: PASSWORD, NO_COLOR: '1' },
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (code) => resolve({ code, out }));
      });
    expect((await run(['topology', '--seed', lab.address('master')], dir)).code).toBe(0);
    await lagReplica1(lab, PASSWORD);
    await lab.kill('master');
    const r1 = lab.address('replica-1');

    const blind = await run(['failover', '--seed', r1, '--yes', '--set-masterauth'], blindDir);
    expect(blind.code).not.toBe(0);
    expect(blind.out).toContain('UNKNOWN_REPLICAS');
    expect((await replication(lab, 'replica-1', PASSWORD)).role).toBe('slave');

    const known = await run(['failover', '--seed', r1, '--yes', '--set-masterauth'], dir);
    expect(known.code).toBe(0);
    const roles = await Promise.all(['replica-1', 'replica-2', 'replica-3'].map(async (n) => (await replication(lab, n, PASSWORD)).role));
    expect(roles[0]).toBe('slave');
    expect(roles.filter((r) => r === 'master')).toHaveLength(1);
    // The most advanced (replica-2 or -3) was promoted and every other replica follows it, replica-1 included.
    const promoted = roles[1] === 'master' ? 'replica-2' : 'replica-3';
    expect(roles[0]).not.toBe('master');
    for (const name of ['replica-1', 'replica-2', 'replica-3'].filter((n) => n !== promoted)) {
      expect(Number((await replication(lab, name, PASSWORD)).master_port)).toBe(lab.port(promoted));
    }
  });
});
