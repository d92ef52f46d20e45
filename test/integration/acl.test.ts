// ACL users on real redis-server 7.0, with the rules read from the README's "ACL users" section
// (so the test fails when the README drifts): topology and watch work with exactly the
// monitoring rules, the admin rules allow every command the actions send (and a real
// switchover), and a refused command names the rule to add.
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplicationEngine } from '../../electron/engine/engine';
import { EngineError } from '../../electron/engine/errors';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { readmeRules } from '../helpers/acl';
import { disposeAfterEach } from '../helpers/dispose';
import { runCli, type CliRun } from '../helpers/cli';

const own = disposeAfterEach();
const ADMIN_PASSWORD = 'acl-default-secret';
const USER_PASSWORD = 'acl-user-secret';
let lab: Lab;


function direct(name: string): Redis {
  return new Redis({ host: '127.0.0.1', port: lab.port(name), password: ADMIN_PASSWORD, lazyConnect: true, maxRetriesPerRequest: 0 });
}

/** Run one command as the lab's default user on every node. */
async function onEveryNode(work: (client: Redis) => Promise<unknown>): Promise<void> {
  for (const name of lab.nodeNames) {
    const client = direct(name);
    try {
      await work(client);
    } finally {
      client.disconnect();
    }
  }
}

/** ACL LOG entries (the denials) for `user` on every node, as "command|sub" objects. */
async function deniedFor(user: string): Promise<string[]> {
  const denied: string[] = [];
  await onEveryNode(async (client) => {
    const entries = (await client.call('ACL', 'LOG')) as unknown[][];
    for (const entry of entries) {
      const fields = new Map<string, unknown>();
      for (let i = 0; i + 1 < entry.length; i += 2) fields.set(String(entry[i]), entry[i + 1]);
      if (fields.get('username') === user) denied.push(`${String(fields.get('reason'))}:${String(fields.get('object'))}`);
    }
  });
  return denied;
}

/** The CLI as the ACL user of the test (REDISCLI_AUTH). */
function cli(args: string[], stopWhen?: (stdout: string) => boolean): Promise<CliRun> {
  return runCli(args, { env: { REDISCLI_AUTH: USER_PASSWORD }, stopWhen });
}

beforeAll(async () => {
  lab = await Lab.start({ nodes: masterWithReplicas(1), password: ADMIN_PASSWORD });
  await onEveryNode(async (client) => {
    await client.call('ACL', 'SETUSER', 'monitor', ...readmeRules('monitor', USER_PASSWORD));
    await client.call('ACL', 'SETUSER', 'admin', ...readmeRules('admin', USER_PASSWORD));
    await client.call('ACL', 'LOG', 'RESET');
  });
});
afterAll(async () => lab?.close());

describe('the README monitoring rules', () => {
  it('are enough for topology: every node read, no error', async () => {
    const run = await cli(['topology', '--seed', lab.address('replica-1'), '--user', 'monitor', '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { nodes: Array<{ address: string; role: string; reachable: boolean; error: unknown }> };
    expect(out.nodes.map((n) => [n.address, n.role, n.reachable, n.error]).sort()).toEqual(
      [
        [lab.address('master'), 'master', true, null],
        [lab.address('replica-1'), 'replica', true, null],
      ].sort(),
    );
  });

  it('are enough for watch: ticks with every node read until Ctrl-C', async () => {
    const ticks = (stdout: string): string[] => stdout.split('\n').filter((l) => l.startsWith('{'));
    const run = await cli(['watch', '--seed', lab.address('master'), '--user', 'monitor', '--interval', '200', '--format', 'json'], (out) => ticks(out).length >= 4);
    expect(run.code).toBe(0);
    const parsed = ticks(run.stdout).map((l) => JSON.parse(l) as { nodes: Array<{ reachable: boolean; error: unknown }> });
    expect(parsed.length).toBeGreaterThanOrEqual(4);
    for (const tick of parsed) expect(tick.nodes.map((n) => [n.reachable, n.error])).toEqual([[true, null], [true, null]]);
    // The only command the monitoring user was refused is the one the README leaves out on purpose.
    expect(new Set(await deniedFor('monitor'))).toEqual(new Set(['command:config|get']));
  });

  it('refuse a change with a message naming the command and the rule to add', async () => {
    const engine = own(new ReplicationEngine({ connectTimeoutMs: 2000, commandTimeoutMs: 2000 }));
    await engine.connect({ seeds: [lab.address('master')], user: 'monitor', password: USER_PASSWORD });
    let caught: unknown;
    try {
      await engine.commands().configSet(lab.address('replica-1'), 'replica-priority', '50');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EngineError);
    expect((caught as EngineError).code).toBe('NOPERM');
    expect((caught as EngineError).message).toBe(
      `${lab.address('replica-1')}: ACL user monitor lacks permission for CONFIG SET: add it with ACL SETUSER monitor +config|set`,
    );
  });
});

describe('the README admin rules', () => {
  it('allow every command the actions send (ACL DRYRUN)', async () => {
    const commands = [
      ['INFO', 'replication'],
      ['CONFIG', 'GET', 'masterauth'],
      ['CONFIG', 'SET', 'replica-priority', '100'],
      ['CONFIG', 'REWRITE'],
      ['REPLICAOF', 'NO', 'ONE'],
      ['FAILOVER', 'TO', '127.0.0.1', '6379', 'TIMEOUT', '1000'],
      ['FAILOVER', 'ABORT'],
      ['CLIENT', 'PAUSE', '1000', 'WRITE'],
      ['CLIENT', 'UNPAUSE'],
      ['CLIENT', 'LIST'],
      ['CLIENT', 'SETNAME', 'replication-console'],
      ['ACL', 'GETUSER', 'default'],
      ['PUBSUB', 'NUMSUB', '__sentinel__:hello'],
      ['SUBSCRIBE', '__sentinel__:hello'],
      ['PSUBSCRIBE', '__sentinel__:hello'],
    ];
    const client = direct('master');
    try {
      for (const command of commands) expect(await client.call('ACL', 'DRYRUN', 'admin', ...command), command.join(' ')).toBe('OK');
      // And the monitoring user may run exactly its part of them.
      expect(await client.call('ACL', 'DRYRUN', 'monitor', 'INFO', 'replication')).toBe('OK');
      expect(await client.call('ACL', 'DRYRUN', 'monitor', 'PSUBSCRIBE', '__sentinel__:hello')).toBe('OK');
      expect(String(await client.call('ACL', 'DRYRUN', 'monitor', 'REPLICAOF', 'NO', 'ONE'))).toMatch(/no permissions/);
    } finally {
      client.disconnect();
    }
  });

  it('run a real switchover through the CLI, with nothing refused', async () => {
    const run = await cli(['switchover', '--to', lab.address('replica-1'), '--user', 'admin', '--yes']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const replica = direct('replica-1');
    try {
      expect(await replica.info('replication')).toMatch(/role:master/);
    } finally {
      replica.disconnect();
    }
    expect(await deniedFor('admin')).toEqual([]);
  });
  // Last: a Sentinel watching the group makes the switchover above refuse (SENTINEL_MANAGED).
  it('on a Sentinel: allow what the Sentinel view and events send, and SENTINEL FAILOVER for the admin only', async () => {
    const sentinel = await lab.startSentinel({ masterName: 'acl-group', master: 'master' });
    const client = new Redis({ host: '127.0.0.1', port: Number(sentinel.split(':')[1]), lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await client.call('ACL', 'SETUSER', 'sentinel-monitor', ...readmeRules('sentinel-monitor', USER_PASSWORD));
      await client.call('ACL', 'SETUSER', 'sentinel-admin', ...readmeRules('sentinel-admin', USER_PASSWORD));
      const viewing = [
        ['INFO', 'server'],
        ['CLIENT', 'SETNAME', 'replication-console'],
        ['PSUBSCRIBE', '*'],
        ['SENTINEL', 'MASTERS'],
        ['SENTINEL', 'MASTER', 'acl-group'],
        ['SENTINEL', 'REPLICAS', 'acl-group'],
        ['SENTINEL', 'SENTINELS', 'acl-group'],
        ['SENTINEL', 'CKQUORUM', 'acl-group'],
        ['SENTINEL', 'MYID'],
        ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'acl-group'],
      ];
      for (const user of ['sentinel-monitor', 'sentinel-admin']) {
        for (const command of viewing) expect(await client.call('ACL', 'DRYRUN', user, ...command), `${user} ${command.join(' ')}`).toBe('OK');
      }
      expect(await client.call('ACL', 'DRYRUN', 'sentinel-admin', 'SENTINEL', 'FAILOVER', 'acl-group')).toBe('OK');
      expect(String(await client.call('ACL', 'DRYRUN', 'sentinel-monitor', 'SENTINEL', 'FAILOVER', 'acl-group'))).toMatch(/no permissions/);
    } finally {
      client.disconnect();
    }
  });
});
