// `watch --alerts` as a script runs it, on real redis-servers: a healthy pair watched for 2 s
// exits 0 with only the header; a replica whose link goes down exits 6 with the alert's line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { DEAD_PORT } from '../helpers/dead-port';
import { runCli } from '../helpers/cli';
import { ReplicationEngine } from '../../electron/engine/engine';
import { waitForTick } from '../helpers/engine';

let lab: Lab;

beforeAll(async () => {
  lab = await Lab.start({ nodes: masterWithReplicas(1) });
});
afterAll(async () => lab?.close());

describe('watch --alerts', () => {
  it('a healthy pair for --duration 2: the header with the thresholds, no alert, exit 0', async () => {
    const started = Date.now();
    const run = await runCli(['watch', '--seed', lab.address('master'), '--interval', '200', '--alerts', '--alert', 'lag-bytes=1mb', '--duration', '2']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Watching alerts on 2 nodes \(.*\); thresholds: lag-bytes 1\.0 MiB, lag-seconds 10 s, link-down-seconds 10 s,/);
    // It stopped at --duration, not before (and not much after: the hub closes at once).
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  });

  it('a console stopped for 7 s (a laptop asleep, SIGSTOP) fires no STALE on waking for its own sleep: exit 0', async () => {
    let slept: Promise<void> | null = null;
    const run = await runCli(['watch', '--seed', lab.address('master'), '--interval', '200', '--alerts', '--alert', 'stale-seconds=2', '--duration', '12'], {
      onStdout: (stdout, pid) => {
        if (slept || !stdout.includes('Watching alerts')) return;
        process.kill(pid, 'SIGSTOP');
        // The sleep is the scenario: the console does not run for 7 s, the servers go on.
        slept = new Promise((resolve) => setTimeout(resolve, 7000)).then(() => void process.kill(pid, 'SIGCONT'));
      },
    });
    expect(slept).not.toBeNull();
    await slept;
    expect(run.stdout).not.toMatch(/FIRING/);
    expect(run.code).toBe(0);
  }, 30_000);

  it('a console stopped for 7 s while a replica is detached: no tick over readings that old, and the change is marked as found on waking', async () => {
    const replica = new Redis({ port: lab.port('replica-1'), maxRetriesPerRequest: 0, retryStrategy: () => null });
    let slept: Promise<void> | null = null;
    try {
      // 1 s polls: on a loaded machine a 200 ms one may be read late enough to be stale on its own.
      const run = await runCli(['watch', '--seed', lab.address('master'), '--interval', '1000', '--format', 'json', '--duration', '12'], {
        onStdout: (stdout, pid) => {
          if (slept || !stdout.includes('\n')) return;
          process.kill(pid, 'SIGSTOP');
          slept = replica
            .replicaof('NO', 'ONE')
            .then(() => new Promise((resolve) => setTimeout(resolve, 7000)))
            .then(() => void process.kill(pid, 'SIGCONT'));
        },
      });
      expect(slept).not.toBeNull();
      await slept;
      expect(run.code).toBe(0);
      const ticks = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { nodes: { address: string; stale: boolean; role: string }[]; events: { node: string; message: string }[] });
      // Every node was read after waking before the next tick: none is shown stale.
      expect(ticks.flatMap((t) => t.nodes.filter((n) => n.stale).map((n) => n.address))).toEqual([]);
      const change = ticks.flatMap((t) => t.events).find((e) => e.node === lab.address('replica-1') && /master/.test(e.message));
      expect(change?.message).toMatch(/\(found on waking: the console itself had not run for [6-9] s, and this happened at some point before\)$/);
    } finally {
      await replica.replicaof('127.0.0.1', lab.port('master')).catch(() => undefined);
      replica.disconnect();
      await lab.waitForLinks();
    }
  }, 40_000);

  it('a mutes file it cannot read: kept aside, and said on stderr (the mutes in it are not in effect), exit 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rc-alerts-unreadable-'));
    try {
      writeFileSync(join(dataDir, 'alerts.json'), 'garbage{{{');
      const run = await runCli(['watch', '--seed', lab.address('master'), '--interval', '200', '--alerts', '--duration', '1'], {
        env: { REPLICATION_CONSOLE_DATA_DIR: dataDir },
      });
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/alerts\.json was not a file of alert mutes the console can read: kept aside as .*alerts\.json\.unreadable-.*: alert mutes and acknowledgements kept there are not in effect/);
      expect(readdirSync(dataDir).some((f) => f.startsWith('alerts.json.unreadable-'))).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("a replica's link down for 1 s: the FIRING line, then exit 6 (JSON lines too)", async () => {
    const replica = lab.address('replica-1');
    const admin = new Redis(lab.port('replica-1'), '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await admin.connect();
      const dead = DEAD_PORT;
      let broken = false;
      const run = await runCli(
        ['watch', '--seed', lab.address('master'), '--seed', replica, '--interval', '200', '--alerts', '--alert', 'link-down-seconds=1', '--duration', '20', '--format', 'json'],
        {
          // Once the header is out (watching, nothing firing), point the replica at a port where nothing listens.
          stopWhen: (out) => {
            if (!broken && out.includes('"type":"watching"')) {
              broken = true;
              void admin.replicaof('127.0.0.1', dead);
            }
            return false;
          },
        },
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(6);
      const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines[0]).toMatchObject({ type: 'watching', thresholds: { linkDownSeconds: 1 } });
      expect(lines.at(-1)).toMatchObject({ type: 'fired', rule: 'LINK_DOWN', node: replica, state: 'firing', threshold: 1, muted: false });
      expect(String(lines.at(-1)?.message)).toMatch(new RegExp(`^${replica}'s link to 127\\.0\\.0\\.1:${dead} has been down for .* \\(threshold 1 s\\)$`));
    } finally {
      await admin.replicaof('127.0.0.1', lab.port('master')).catch(() => undefined);
      admin.disconnect();
    }
  });

  it('lists an alert of a node muted in the app (marked muted), whatever seeds either names the topology by, and does not exit on it', async () => {
    const replica = lab.address('replica-1');
    const dataDir = mkdtempSync(join(tmpdir(), 'rc-alerts-muted-'));
    const admin = new Redis(lab.port('replica-1'), '127.0.0.1', { maxRetriesPerRequest: 1 });
    const seeds = [lab.address('master'), replica];
    try {
      // The app, on the same data directory, mutes the replica for maintenance; it names the topology by its master alone.
      const engine = new ReplicationEngine({ memoryDir: dataDir });
      try {
        await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: 200 });
        engine.muteAlerts(replica, 15, 'maintenance');
      } finally {
        await engine.disconnect();
      }
      await admin.replicaof('127.0.0.1', DEAD_PORT);
      const run = await runCli(['watch', ...seeds.flatMap((seed) => ['--seed', seed]), '--interval', '200', '--alerts', '--alert', 'link-down-seconds=0', '--duration', '3', '--format', 'json'], {
        env: { REPLICATION_CONSOLE_DATA_DIR: dataDir },
      });
      expect(run.code).toBe(0);
      const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.filter((l) => l.type === 'fired')).toEqual([expect.objectContaining({ rule: 'LINK_DOWN', node: replica, muted: true })]);
    } finally {
      await admin.replicaof('127.0.0.1', lab.port('master')).catch(() => undefined);
      admin.disconnect();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('an incident acknowledged in the app still fires for the watch (exit 6): acknowledging stops notifications, not the incident', async () => {
    const replica = lab.address('replica-1');
    const dataDir = mkdtempSync(join(tmpdir(), 'rc-alerts-acknowledged-'));
    const admin = new Redis(lab.port('replica-1'), '127.0.0.1', { maxRetriesPerRequest: 1 });
    const seeds = [lab.address('master'), replica];
    try {
      await admin.replicaof('127.0.0.1', DEAD_PORT);
      const engine = new ReplicationEngine({ memoryDir: dataDir });
      try {
        engine.setAlertThresholds({ linkDownSeconds: 0 });
        await engine.connect({ seeds, pollIntervalMs: 200 });
        const { alerts } = await waitForTick(engine, (u) => u.alerts?.alerts.some((a) => a.rule === 'LINK_DOWN' && a.state === 'firing') === true, 10_000, 'LINK_DOWN fires');
        engine.acknowledgeAlert(alerts!.alerts.find((a) => a.rule === 'LINK_DOWN')!.id);
      } finally {
        await engine.disconnect();
      }
      const run = await runCli(['watch', ...seeds.flatMap((seed) => ['--seed', seed]), '--interval', '200', '--alerts', '--alert', 'link-down-seconds=0', '--duration', '3'], {
        env: { REPLICATION_CONSOLE_DATA_DIR: dataDir, NO_COLOR: '1' },
      });
      expect(run.code).toBe(6);
      expect(run.stdout).toMatch(new RegExp(`FIRING  +LINK_DOWN +${replica.replace(/\./g, '\\.')} .*\\(acknowledged\\)`));
    } finally {
      await admin.replicaof('127.0.0.1', lab.port('master')).catch(() => undefined);
      admin.disconnect();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the table format prints one line per alert: time, FIRING, rule, node, message', async () => {
    // Already down when the watch starts: it fires on the first evaluation (link-down-seconds=0).
    const replica = lab.address('replica-1');
    const admin = new Redis(lab.port('replica-1'), '127.0.0.1', { maxRetriesPerRequest: 1 });
    try {
      const dead = DEAD_PORT;
      await admin.replicaof('127.0.0.1', dead);
      const run = await runCli(['watch', '--seed', lab.address('master'), '--seed', replica, '--interval', '200', '--alerts', '--alert', 'link-down-seconds=0', '--duration', '20']);
      expect(run.code).toBe(6);
      const lines = run.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^Watching alerts on \d+ nodes/);
      expect(lines.at(-1)).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ  FIRING    LINK_DOWN         ${replica.replace(/\./g, '\\.')}\\s+${replica.replace(/\./g, '\\.')}'s link to`));
    } finally {
      await admin.replicaof('127.0.0.1', lab.port('master')).catch(() => undefined);
      admin.disconnect();
    }
  });

  it('a usage error (the unit tests have the others): an unknown threshold lists the names, exit 2', async () => {
    const unknown = await runCli(['watch', '--seed', lab.address('master'), '--alerts', '--alert', 'lag=5']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--alert: unknown threshold "lag"; the names are lag-bytes, lag-seconds, link-down-seconds, unreachable-seconds, stale-seconds, backlog-short-seconds, for-seconds');
  });

  it('a link whose every resync is refused (PSYNC not allowed) is one LINK_DOWN incident, not one per attempt', async () => {
    const replica = lab.address('replica-1');
    const master = new Redis(lab.port('master'), '127.0.0.1', { maxRetriesPerRequest: 1 });
    const engine = new ReplicationEngine();
    try {
      engine.setAlertThresholds({ linkDownSeconds: 0 });
      await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: 200 });
      await master.call('ACL', 'SETUSER', 'default', '-psync', '-sync');
      await master.call('CLIENT', 'KILL', 'TYPE', 'replica');
      const ids = new Set<string>();
      // 8 s of ticks: the replica retries its refused resync every second or so meanwhile.
      const watchUntil = Date.now() + 8000;
      await waitForTick(
        engine,
        (u) => {
          for (const a of u.alerts?.alerts ?? []) if (a.rule === 'LINK_DOWN' && a.node === replica) ids.add(a.id);
          return Date.now() > watchUntil;
        },
        20_000,
        '8 s of ticks through the refused resyncs',
      );
      expect([...ids]).toHaveLength(1);
      await master.call('ACL', 'SETUSER', 'default', '+psync', '+sync');
      const back = await waitForTick(engine, (u) => u.alerts?.alerts.find((a) => a.rule === 'LINK_DOWN' && a.node === replica)?.state === 'resolved', 20_000, 'LINK_DOWN resolved');
      expect(back.alerts?.alerts.filter((a) => a.rule === 'LINK_DOWN' && a.node === replica).map((a) => a.id)).toEqual([...ids]);
    } finally {
      await engine.disconnect();
      await master.call('ACL', 'SETUSER', 'default', '+psync', '+sync').catch(() => undefined);
      master.disconnect();
      await lab.waitForLinks();
    }
  });

  it("one engine: a reconnect to the same seeds keeps the incident (same id) and the mutes; other seeds start afresh but for the node's mute", async () => {
    const replica = lab.address('replica-1');
    const admin = new Redis(lab.port('replica-1'), '127.0.0.1', { maxRetriesPerRequest: 1 });
    const engine = new ReplicationEngine();
    try {
      await admin.replicaof('127.0.0.1', DEAD_PORT);
      engine.setAlertThresholds({ linkDownSeconds: 0 });
      const seeds = [lab.address('master'), replica];
      await engine.connect({ seeds, pollIntervalMs: 200 });
      const first = await waitForTick(engine, (u) => u.alerts?.alerts.some((a) => a.rule === 'LINK_DOWN' && a.state === 'firing') === true, 10_000, 'LINK_DOWN fires');
      const id = first.alerts?.alerts.find((a) => a.rule === 'LINK_DOWN')?.id;
      // A node the topology does not have: refused, not a mute that silences nothing.
      expect(() => engine.muteAlerts('10.9.9.9:6379', 15, 'typo')).toThrow(/10\.9\.9\.9:6379 is not a node of this topology: nothing to mute/);
      expect(engine.alerts().mutes).toEqual([]);
      engine.muteAlerts(replica, 15, 'test');
      await engine.disconnect();
      await engine.connect({ seeds: [...seeds].reverse(), pollIntervalMs: 200 });
      const again = await waitForTick(engine, (u) => u.alerts?.alerts.some((a) => a.rule === 'LINK_DOWN') === true, 10_000, 'LINK_DOWN after the reconnect');
      expect(again.alerts?.alerts.find((a) => a.rule === 'LINK_DOWN')).toMatchObject({ id, state: 'firing', muted: true });
      expect(engine.alerts().mutes.map((m) => m.node)).toEqual([replica]);
      engine.muteAlerts(null, 15, 'this topology');
      await engine.connect({ seeds: [replica], pollIntervalMs: 200 });
      // Other seeds: a new incident and no whole-topology mute, but the node's own mute holds.
      const fresh = await waitForTick(engine, (u) => u.alerts?.alerts.some((a) => a.rule === 'LINK_DOWN') === true, 10_000, 'LINK_DOWN on the other topology');
      expect(engine.alerts().mutes.map((m) => m.node)).toEqual([replica]);
      expect(fresh.alerts?.alerts.find((a) => a.rule === 'LINK_DOWN')).toMatchObject({ state: 'firing', muted: true });
      engine.unmuteAlerts(replica);
      expect(engine.alerts().alerts.find((a) => a.rule === 'LINK_DOWN')).toMatchObject({ state: 'firing', muted: false });
      expect(fresh.alerts?.alerts.find((a) => a.rule === 'LINK_DOWN')?.id).not.toBe(id);
      expect(engine.alerts().thresholds.linkDownSeconds).toBe(0);
    } finally {
      await engine.disconnect();
      await admin.replicaof('127.0.0.1', lab.port('master')).catch(() => undefined);
      admin.disconnect();
    }
  });
});
