// Read-only connections on a real lab: the service refuses to plan or run anything (READ_ONLY),
// abort and every read keep working, the engine's command layer refuses a write even if a
// caller got past the service, and a read-only profile stays read-only whatever the options say.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { ConsoleService } from '../../electron/app/service';
import { ProfileStore } from '../../electron/app/profile-store';
import { ReplicationEngine } from '../../electron/engine/engine';
import type { ConnectionProfile } from '../../electron/shared/profiles';
import type { TopologySnapshot } from '../../electron/shared/types';

let lab: Lab;
let dir: string;

beforeAll(async () => {
  lab = await Lab.start({ nodes: masterWithReplicas(2) });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-read-only-'));
});

afterAll(async () => {
  await lab?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function roleOf(address: string): Promise<string> {
  const [host, port] = address.split(':');
  const client = new Redis({ host, port: Number(port), lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    return /role:(\w+)/.exec(await client.info('replication'))?.[1] ?? '?';
  } finally {
    client.disconnect();
  }
}

describe('read-only', () => {
  it('the service refuses action:plan and action:execute with READ_ONLY; abort and reads keep working', async () => {
    const service = new ConsoleService({ interface: 'web', auditDir: dir, profiles: new ProfileStore({ dir }) });
    try {
      const connected = await service.invoke('topology:connect', [{ seeds: [lab.address('master')], readOnly: true }]);
      expect(connected.ok).toBe(true);
      const snapshot = (connected as { value: TopologySnapshot }).value;
      expect(snapshot.connection?.readOnly).toBe(true);
      expect(snapshot.connection?.profileName).toBeNull();

      const plan = await service.invoke('action:plan', [{ kind: 'switchover', to: lab.address('replica-1') }]);
      expect(plan).toEqual({
        ok: false,
        error: {
          code: 'READ_ONLY',
          message: expect.stringMatching(/^This connection is read-only \(monitoring only\): topology changes are refused\./) as unknown as string,
          details: { nothingSent: true },
        },
      });
      const execute = await service.invoke('action:execute', [{ planId: '6f1c2e0a-9a7e-4a53-9a0e-3a8f0d4b5c6d' }]);
      expect(execute).toMatchObject({ ok: false, error: { code: 'READ_ONLY', details: { nothingSent: true } } });
      expect(await service.invoke('action:abort', ['6f1c2e0a-9a7e-4a53-9a0e-3a8f0d4b5c6d'])).toEqual({
        ok: true,
        value: { accepted: false, message: 'this plan is not running' },
      });
      const get = await service.invoke('topology:get', []);
      expect(get.ok && (get.value as TopologySnapshot).nodes.length).toBe(3);
      expect((await service.invoke('audit:list', [])).ok).toBe(true);
      expect(await roleOf(lab.address('master'))).toBe('master');

      // Connected again without read-only, the same service plans.
      expect((await service.invoke('topology:connect', [{ seeds: [lab.address('master')] }])).ok).toBe(true);
      const allowed = await service.invoke('action:plan', [{ kind: 'switchover', to: lab.address('replica-1') }]);
      expect(allowed.ok).toBe(true);
    } finally {
      await service.close();
    }
  });

  it("the engine's command layer refuses writes on a read-only session, even past the service", async () => {
    const engine = new ReplicationEngine();
    try {
      await engine.connect({ seeds: [lab.address('master')], readOnly: true });
      expect(engine.readOnly).toBe(true);
      const commands = engine.commands();
      const replica = lab.address('replica-1');
      await expect(commands.replicaofNoOne(replica)).rejects.toMatchObject({ code: 'READ_ONLY', message: `This connection is read-only (monitoring only): REPLICAOF was not sent to ${replica}` });
      await expect(commands.configSet(replica, 'replica-priority', '1')).rejects.toMatchObject({ code: 'READ_ONLY', message: expect.stringContaining('CONFIG SET was not sent') as unknown as string });
      await expect(commands.clientPause(lab.address('master'), 1000, 'WRITE')).rejects.toMatchObject({ code: 'READ_ONLY' });
      await expect(commands.failover(lab.address('master'), { to: { host: '127.0.0.1', port: lab.port('replica-1') }, force: false, timeoutMs: 1000 })).rejects.toMatchObject({ code: 'READ_ONLY' });
      // Reads go through.
      expect(await commands.configGet(replica, 'replica-priority')).toBe('100');
      expect(await commands.info(replica, 'replication')).toContain('role:slave');
      expect(await roleOf(replica)).toBe('slave');
    } finally {
      await engine.disconnect();
    }
  });

  it('the CLI refuses a topology change on --read-only with exit code 2, through the same check', async () => {
    const child = spawn(process.execPath, ['bin/replication-console.js', 'switchover', '--to', lab.address('replica-1'), '--read-only', '--yes'], {
      env: { ...process.env, REPLICATION_CONSOLE_DATA_DIR: dir, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(2);
    expect(stderr.trim()).toMatch(/^replication-console: This connection is read-only \(monitoring only\): topology changes are refused\./);
    expect(stdout).toBe('');
    expect(await roleOf(lab.address('master'))).toBe('master');
    expect(await roleOf(lab.address('replica-1'))).toBe('slave');
  });

  it('a read-only profile connects read-only, and the snapshot names the profile', async () => {
    const profiles = new ProfileStore({ dir });
    const service = new ConsoleService({ interface: 'web', auditDir: dir, profiles });
    try {
      const saved = await service.invoke('profile:save', [{ name: 'lab (watch only)', seeds: [lab.address('master')], readOnly: true }]);
      expect(saved.ok).toBe(true);
      const profile = (saved as { value: ConnectionProfile }).value;
      const connected = await service.invoke('topology:connect', [{ seeds: [], profileId: profile.id, readOnly: false }]);
      expect(connected.ok).toBe(true);
      const snapshot = (connected as { value: TopologySnapshot }).value;
      expect(snapshot.connection).toMatchObject({ readOnly: true, profileName: 'lab (watch only)' });
      const plan = await service.invoke('action:plan', [{ kind: 'detach', node: lab.address('replica-2') }]);
      expect(plan.ok === false && plan.error.code).toBe('READ_ONLY');
      // An unknown profile changes nothing: still connected through the profile.
      const missing = await service.invoke('topology:connect', [{ seeds: [], profileId: 'gone' }]);
      expect(missing).toEqual({ ok: false, error: { code: 'BAD_ARGUMENT', message: 'no saved connection with id gone (deleted meanwhile?)' } });
      expect(service.snapshot()?.connection?.profileName).toBe('lab (watch only)');
    } finally {
      await service.close();
    }
  });
});
