import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { node, waitForTick } from '../helpers/engine';
import { until } from '../helpers/until';
import { disposeAfterEach } from '../helpers/dispose';
import { FAILING_LINK_DOWN_SECONDS, FAILING_SYNC_ATTEMPTS } from '../../electron/engine/warnings';
import { FakeRespServer } from '../helpers/fake-resp-server';
import { ServeMetrics } from '../../electron/serve/metrics';
import { alertTransitions } from '../../electron/shared/alert-transitions';
import type { Alert, AlertsView } from '../../electron/shared/types';

const POLL_MS = 250;
const run = promisify(execFile);

const own = disposeAfterEach();

describe('SYNC_FAILING', () => {
  it('replicas a master refuses (a rotated password) keep failing to sync: one warning each with the reason, one event each, not one per attempt', { timeout: 90_000 }, async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const master = lab.address('master');
    const replica = lab.address('replica-1');
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: POLL_MS });

    // A password the replicas do not know, then their connections cut: they retry and are refused,
    // while the console's own session stays authenticated and reads the master.
    const admin = new Redis(`redis://${master}`);
    try {
      await admin.config('SET', 'requirepass', 'rotated-without-telling-replicas');
      await admin.call('CLIENT', 'KILL', 'TYPE', 'replica');
    } finally {
      admin.disconnect();
    }
    const down = await waitForTick(engine, (u) => node(u.snapshot, replica).linkStatus === 'down', 5000, 'link down');
    expect(down.snapshot.warnings.map((w) => w.code)).not.toContain('SYNC_FAILING');

    // Refused, a Redis 7.0 replica falls back from PSYNC to SYNC and starts a full sync every second or so.
    const { snapshot } = await waitForTick(
      engine,
      (u) => u.snapshot.warnings.filter((w) => w.code === 'SYNC_FAILING').length === 2,
      (FAILING_LINK_DOWN_SECONDS + 15) * 1000,
      'SYNC_FAILING for both replicas',
    );
    const warning = snapshot.warnings.find((w) => w.code === 'SYNC_FAILING' && w.nodes[0] === replica);
    expect(warning?.nodes).toEqual([replica, master]);
    expect(warning?.message).toMatch(/started \d+ full syncs from .* in 2 minutes and none finished: the master refuses it \(a wrong masterauth/);
    expect(node(snapshot, replica).syncAttempts).toBeGreaterThanOrEqual(3);
    expect(node(snapshot, master).reachable).toBe(true);
    // Several attempts, one event per replica: not "its data was replaced" every second.
    const seq = snapshot.seq;
    await waitForTick(engine, (u) => u.snapshot.seq >= seq + 12, 10_000, 'twelve more ticks');
    for (const address of [replica, lab.address('replica-2')]) {
      expect(engine.events({ limit: 10_000 }).filter((e) => e.kind === 'full-resync' && e.node === address)).toHaveLength(1);
    }
    expect(engine.events({ limit: 10_000 }).filter((e) => e.kind === 'full-resync' && e.node === master)).toEqual([]);
  });
});

describe('SYNC_FAILING: a sync dropped during the transfer and retried at once', () => {
  it('a replica over its master\'s output buffer limit for replicas reads "in a sync" throughout; the master\'s sync_full counts the attempts', { timeout: 90_000 }, async () => {
    // A slow snapshot (1 ms a key) and a tiny replica buffer under writes: the master drops the
    // replica before the snapshot is done, and the replica asks again at once.
    const lab = own(
      await Lab.start({
        nodes: [{ name: 'master' }, { name: 'replica' }],
        extraArgs: ['--repl-diskless-sync', 'no', '--client-output-buffer-limit', 'replica 16kb 8kb 2', '--rdb-key-save-delay', '1000'],
      }),
    );
    const master = lab.address('master');
    const replica = lab.address('replica');
    const writer = new Redis(`redis://${master}`);
    // 2,000 keys: a 2 s snapshot.
    const fill = writer.pipeline();
    for (let i = 0; i < 2000; i++) fill.set(`w:${i}`, 'x'.repeat(1024));
    await fill.exec();
    let writing = true;
    const writes = (async () => {
      const value = 'x'.repeat(1024);
      for (let i = 0; writing; i++) await writer.set(`w:${i % 2000}`, value);
    })();
    try {
      const engine = own(new ReplicationEngine());
      // The default interval: a retry within it is never seen from the replica's side.
      await engine.connect({ seeds: [master, replica], pollIntervalMs: 1000 });
      const admin = new Redis(`redis://${replica}`);
      await admin.call('REPLICAOF', '127.0.0.1', String(lab.port('master')));
      admin.disconnect();
      const { snapshot } = await waitForTick(engine, (u) => u.snapshot.warnings.some((w) => w.code === 'SYNC_FAILING' && w.nodes[0] === replica), 60_000, 'SYNC_FAILING');
      expect(snapshot.warnings.find((w) => w.code === 'SYNC_FAILING')?.message).toMatch(/started \d+ full syncs from .* in 2 minutes and none finished: .*output buffer limit for replicas \(client-output-buffer-limit replica 16384 8192 2 on the master\)/);
      expect(node(snapshot, replica).linkStatus).toBe('down');
    } finally {
      writing = false;
      await writes.catch(() => undefined);
      writer.disconnect();
    }
  });
});

describe('SYNC_FAILING: an RDB format the replica cannot load', () => {
  it('a real Redis 7.0 replica under a Valkey 8 master (a fake: no Valkey here) is told it cannot load RDB 11', async () => {
    // No Valkey server runs on this machine: a fake answers as Valkey 8.0.1 (its INFO server,
    // redis_version frozen at 7.2.4) and refuses the replica's PSYNC, as a master whose RDB it
    // cannot read effectively does. The replica is a real redis-server 7.0.
    const fake = own(
      await FakeRespServer.start({
        info: {
          server: ['redis_version:7.2.4', 'server_name:valkey', 'valkey_version:8.0.1', 'redis_mode:standalone', 'run_id:' + 'f'.repeat(40), 'uptime_in_seconds:100'].join('\n'),
        },
      }),
    );
    const lab = own(await Lab.start({ nodes: [{ name: 'replica' }] }));
    const replica = lab.address('replica');
    const admin = new Redis(`redis://${replica}`);
    try {
      await admin.call('REPLICAOF', '127.0.0.1', String(fake.port));
    } finally {
      admin.disconnect();
    }
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [replica], pollIntervalMs: POLL_MS });
    const { snapshot } = await waitForTick(engine, (u) => u.snapshot.warnings.some((w) => w.code === 'SYNC_FAILING'), 10_000, 'SYNC_FAILING');
    const warning = snapshot.warnings.find((w) => w.code === 'SYNC_FAILING');
    expect(warning?.nodes[0]).toBe(replica);
    expect(warning?.message).toContain('RDB format 11');
    expect(warning?.message).toContain("Can't handle RDB format version 11");
    expect(node(snapshot, fake.address).version).toBe('valkey 8.0.1');
  });
});

/** A master and three replicas on disk-based syncs, the master holding `keys` keys of `size` bytes; replica-3 is the one the tests watch. */
async function filledLab(keys: number, size: number): Promise<{ lab: Lab; master: string; late: string; admin: Redis }> {
  const lab = own(await Lab.start({ nodes: masterWithReplicas(3), extraArgs: ['--repl-diskless-sync', 'no'] }));
  const admin = new Redis(`redis://${lab.address('master')}`);
  own({ close: async () => admin.disconnect() });
  const fill = admin.pipeline();
  for (let i = 0; i < keys; i++) fill.set(`k:${i}`, 'x'.repeat(size));
  await fill.exec();
  return { lab, master: lab.address('master'), late: lab.address('replica-3'), admin };
}

describe('SYNC_FAILING: a slow first sync after its master served others', () => {
  it("a replica's one slow full sync, a minute after its master fully synced two restarted replicas, is one attempt, not three failed ones", { timeout: 90_000 }, async () => {
    // 2,000 keys: at 2 ms a key (below), a 4 s snapshot.
    const { lab, master, late, admin } = await filledLab(2000, 512);
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: POLL_MS });
    await waitForTick(engine, (u) => u.snapshot.nodes.filter((n) => n.linkStatus === 'up').length === 3, 10_000, 'three linked replicas');
    const before = node(engine.snapshot()!, master).stats?.syncFull ?? 0;

    // Two replicas restart without persistence: the master serves each a full sync, which finishes.
    await lab.restart('replica-1');
    await lab.restart('replica-2');
    await waitForTick(
      engine,
      (u) => u.snapshot.nodes.filter((n) => n.linkStatus === 'up').length === 3 && (node(u.snapshot, master).stats?.syncFull ?? 0) >= before + 2,
      20_000,
      'both restarted replicas synced',
    );

    // The third one's sync is slow: still going over many ticks, it is one attempt.
    await admin.config('SET', 'rdb-key-save-delay', '2000');
    await lab.restart('replica-3');
    const seen: { attempts: number; failing: boolean; syncing: boolean }[] = [];
    await waitForTick(
      engine,
      (u) => {
        const r = node(u.snapshot, late);
        const syncing = r.reachable && r.linkStatus !== 'up';
        seen.push({ attempts: r.syncAttempts, failing: u.snapshot.warnings.some((w) => w.code === 'SYNC_FAILING'), syncing });
        return r.reachable && r.linkStatus === 'up' && seen.some((s) => s.syncing);
      },
      30_000,
      'the slow sync done',
    );
    expect(seen.filter((s) => s.syncing).length).toBeGreaterThanOrEqual(4);
    expect(seen.filter((s) => s.failing)).toEqual([]);
    expect(Math.max(...seen.filter((s) => s.syncing).map((s) => s.attempts))).toBe(1);
    // Linked again: no attempt left to count.
    expect(node(engine.snapshot()!, late).syncAttempts).toBe(0);
  });
});

describe("SYNC_FAILING: siblings' syncs that finished between two reads of their master", () => {
  it('a replica the master lists in its one slow sync, after two siblings synced since the last read, is one attempt, not three', { timeout: 60_000 }, async () => {
    const { lab, master, late, admin } = await filledLab(1000, 100);
    // A long interval: all three syncs below start between two reads of the master.
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: 3000 });
    await waitForTick(engine, (u) => u.snapshot.nodes.filter((n) => n.linkStatus === 'up').length === 3, 15_000, 'three linked replicas');
    const { snapshot: start } = await waitForTick(engine, () => true, 5000, 'a fresh read');
    const before = node(start, master).stats?.syncFull ?? 0;

    // Detached and re-attached, a replica's history is new to its master: a full sync. Two quick
    // ones, over at once, then a slow one (its snapshot takes 5 s).
    const resync = async (name: string): Promise<void> => {
      const replica = new Redis(`redis://${lab.address(name)}`);
      try {
        await replica.call('REPLICAOF', 'NO', 'ONE');
        await replica.call('REPLICAOF', '127.0.0.1', String(lab.port('master')));
      } finally {
        replica.disconnect();
      }
    };
    await Promise.all([resync('replica-1'), resync('replica-2')]);
    const stat = async (section: string, field: string): Promise<number> => Number(new RegExp(`^${field}:(\\d+)`, 'm').exec(await admin.info(section))?.[1]);
    await until('both quick syncs over', async () =>
      (await stat('stats', 'sync_full')) >= before + 2 && !/state=(wait_bgsave|send_bulk)/.test(await admin.info('replication')) && (await stat('persistence', 'rdb_bgsave_in_progress')) === 0 ? true : undefined,
    );
    await admin.config('SET', 'rdb-key-save-delay', '5000');
    await resync('replica-3');

    const seen: { syncFull: number; attempts: number; failing: boolean }[] = [];
    await waitForTick(
      engine,
      (u) => {
        const r = node(u.snapshot, late);
        if (r.reachable && r.linkStatus !== 'up') {
          seen.push({ syncFull: node(u.snapshot, master).stats?.syncFull ?? 0, attempts: r.syncAttempts, failing: u.snapshot.warnings.some((w) => w.code === 'SYNC_FAILING') });
        }
        return r.linkStatus === 'up' && seen.length > 0;
      },
      30_000,
      'the slow sync done',
    );
    // The case itself: the master's first reading in the slow sync already had all three.
    expect(seen[0]?.syncFull).toBe(before + 3);
    expect(seen.map((s) => s.attempts)).toEqual(seen.map(() => 1));
    expect(seen.filter((s) => s.failing)).toEqual([]);
  });
});

describe('SYNC_FAILING: backups taken with redis-cli --rdb while a replica is refused', () => {
  it('a replica its master refuses at the handshake never syncs: the backups its master serves are no attempts of its', { timeout: 60_000 }, async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2), extraArgs: ['--repl-diskless-sync', 'no'] }));
    const master = lab.address('master');
    const refused = lab.address('replica-2');
    const admin = new Redis(`redis://${master}`);
    const kept = new Redis(`redis://${lab.address('replica-1')}`);
    own({ close: async () => (admin.disconnect(), kept.disconnect()) });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rc-backups-'));
    own({ close: () => rm(dir, { recursive: true, force: true }) });
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: POLL_MS });
    // Its own attempts, as the console's readings catch them (in a sync, then not): refused, a
    // Redis 7.0 replica falls back from PSYNC to SYNC, in a "transfer" for an instant before its
    // master refuses that too, once a second; a reading catches one now and then (twice in about
    // one run of ten). Those are its attempts; the backups are not.
    let ownStarts = 0;
    let syncing = false;
    const stop = engine.onTick((u) => {
      const now = u.snapshot.nodes.some((n) => n.address === refused && n.sync !== null);
      if (now && !syncing) ownStarts++;
      syncing = now;
    });
    own({ close: async () => stop() });
    await waitForTick(engine, (u) => u.snapshot.nodes.filter((n) => n.linkStatus === 'up').length === 2, 10_000, 'two linked replicas');

    // replica-1 replicates as a user of its own; the default user, replica-2's, may no longer sync.
    await admin.call('ACL', 'SETUSER', 'repl', 'on', '>pw', '+psync', '+sync', '+replconf', '+ping');
    await kept.config('SET', 'masteruser', 'repl');
    await kept.config('SET', 'masterauth', 'pw');
    await admin.call('ACL', 'SETUSER', 'default', '-psync', '-sync');
    await admin.call('CLIENT', 'KILL', 'TYPE', 'replica');
    await waitForTick(engine, (u) => node(u.snapshot, refused).linkStatus === 'down' && node(u.snapshot, lab.address('replica-1')).linkStatus === 'up', 10_000, 'replica-2 refused');

    // Four backups, each seen by the console: its master's sync_full goes up by one each time.
    for (let i = 0; i < 4; i++) {
      const before = node(engine.snapshot()!, master).stats?.syncFull ?? 0;
      await run('redis-cli', ['--user', 'repl', '--pass', 'pw', '--no-auth-warning', '-p', String(lab.port('master')), '--rdb', path.join(dir, `backup-${i}.rdb`)]);
      const { snapshot } = await waitForTick(engine, (u) => (node(u.snapshot, master).stats?.syncFull ?? 0) > before, 5000, `backup ${i + 1} seen`);
      const r = node(snapshot, refused);
      expect(r.linkStatus).toBe('down');
      // Its attempts are those caught in its own readings: not one backup among them.
      expect(r.syncAttempts).toBeLessThanOrEqual(ownStarts);
      // Down for under FAILING_LINK_DOWN_SECONDS: not failing, but for attempts of its own if they reach 3.
      expect(snapshot.warnings.filter((w) => w.code === 'SYNC_FAILING').length).toBe(r.syncAttempts >= FAILING_SYNC_ATTEMPTS ? 1 : 0);
    }
    expect(await admin.info('replication')).not.toContain(`port=${lab.port('replica-2')},state=online`);
  });
});

describe('SYNC_FAILING: a replica that cannot write the RDB it is sent', () => {
  it("replaced nothing while it fails, so serve's replica_full_resyncs_total stays 0; one alert incident across its timeouts, notified once; its data is replaced, counted once, and the incident resolved once, when a sync finishes", { timeout: 120_000 }, async () => {
    // dir is a protected config in Redis 7.0: allowed here so the replica's dir can be moved.
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1), extraArgs: ['--enable-protected-configs', 'yes'] }));
    const master = lab.address('master');
    const replica = lab.address('replica-1');
    const onMaster = new Redis(`redis://${master}`);
    const onReplica = new Redis(`redis://${replica}`);
    own({ close: async () => (onMaster.disconnect(), onReplica.disconnect()) });
    await onMaster.set('from-master', '1');
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: POLL_MS });
    const metrics = new ServeMetrics({ version: '1.0.0', processMetrics: false, topologies: () => [{ id: 'main', up: true, connectFailures: 0, snapshot: engine.snapshot(), alerts: null }] });
    engine.onTick((update) => metrics.observe('main', update));
    const sample = async (name: string, address: string): Promise<number | undefined> => {
      const line = new RegExp(`^replication_console_${name}\\{topology="main",node="${address}"\\} (\\S+)$`, 'm').exec(await metrics.render());
      return line ? Number(line[1]) : undefined;
    };
    await waitForTick(engine, (u) => node(u.snapshot, replica).linkStatus === 'up', 10_000, 'replica linked');
    expect(await sample('replica_full_resyncs_total', replica)).toBe(0);

    // Every transition of its SYNC_FAILING alert (what the desktop notifies), and the alert each tick once fired.
    const transitions: string[] = [];
    const whileFailing: { read: boolean; id: string | null }[] = [];
    let previous: AlertsView | null = null;
    const syncFailing = (view: AlertsView | undefined): Alert | undefined => view?.alerts.find((a) => a.rule === 'SYNC_FAILING' && a.node === replica && a.state !== 'resolved');
    const stop = engine.onTick((u) => {
      if (!u.alerts) return;
      const { fired, resolved } = alertTransitions(previous, u.alerts);
      for (const a of fired) if (a.rule === 'SYNC_FAILING') transitions.push(`fired ${a.id}`);
      for (const a of resolved) if (a.rule === 'SYNC_FAILING') transitions.push(`resolved ${a.id}`);
      previous = u.alerts;
      const r = node(u.snapshot, replica);
      if (transitions.length > 0) whileFailing.push({ read: r.reachable && !r.stale, id: syncFailing(u.alerts)?.id ?? null });
    });
    own({ close: async () => stop() });

    // Its dir removed: the RDB its master sends cannot be written (Redis 7.0 logs "Opening the temp
    // file needed for MASTER <-> REPLICA synchronization: No such file or directory" and retries
    // 5 times a second apart at each attempt, answering nothing meanwhile: the console's reads of
    // it time out). Detached and written to, its next sync is a full one.
    const gone = await mkdtemp(path.join(os.tmpdir(), 'rc-replica-dir-'));
    await onReplica.config('SET', 'dir', gone);
    await rm(gone, { recursive: true });
    await onReplica.call('REPLICAOF', 'NO', 'ONE');
    await onReplica.set('own-write', '1');
    await onReplica.call('REPLICAOF', '127.0.0.1', String(lab.port('master')));
    const { snapshot } = await waitForTick(
      engine,
      (u) => u.snapshot.warnings.some((w) => w.code === 'SYNC_FAILING' && w.nodes[0] === replica),
      (FAILING_LINK_DOWN_SECONDS + 45) * 1000,
      'SYNC_FAILING',
    );
    expect((node(snapshot, master).stats?.syncFull ?? 0)).toBeGreaterThanOrEqual(3);
    // Its master served (started) every attempt; the replica took none of them: its own write is still there.
    expect(await sample('full_resyncs_total', master)).toBeGreaterThanOrEqual(3);
    expect(await onReplica.get('own-write')).toBe('1');
    expect(await sample('replica_full_resyncs_total', replica)).toBe(0);
    const failing = engine.events({ limit: 10_000 }).filter((e) => e.kind === 'full-resync' && e.node === replica);
    expect(failing.filter((e) => e.replaced)).toEqual([]);
    for (const event of failing) expect(event.message).toMatch(new RegExp(`^${replica} started a full resync from ${master} \\(.*\\): its data is replaced once the sync finishes`));
    // Fired, then at least two ticks it was not read (one blocked attempt), then read again: one incident throughout.
    await waitForTick(
      engine,
      () => {
        const unread = whileFailing.findIndex((t) => !t.read);
        return unread >= 0 && whileFailing.filter((t) => !t.read).length >= 2 && whileFailing.slice(unread).some((t) => t.read);
      },
      40_000,
      'SYNC_FAILING fired, then a blocked attempt not read, then a reading',
    );
    const id = transitions[0]?.replace('fired ', '') ?? '';
    expect(transitions).toEqual([`fired ${id}`]);
    expect(whileFailing.map((t) => t.id)).toEqual(whileFailing.map(() => id));

    // A dir it can write: the next attempt finishes, and that is the one resync that replaced its data.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rc-replica-dir-'));
    own({ close: () => rm(dir, { recursive: true, force: true }) });
    await onReplica.config('SET', 'dir', dir);
    await waitForTick(engine, (u) => node(u.snapshot, replica).linkStatus === 'up' && !node(u.snapshot, replica).sync, 30_000, 'the sync finished');
    expect(await onReplica.get('own-write')).toBeNull();
    expect(await onReplica.get('from-master')).toBe('1');
    const seq = engine.snapshot()?.seq ?? 0;
    await waitForTick(engine, (u) => u.snapshot.seq >= seq + 4, 10_000, 'four more ticks');
    const replaced = engine.events({ limit: 10_000 }).filter((e) => e.kind === 'full-resync' && e.node === replica && e.replaced);
    expect(replaced.map((e) => e.message)).toEqual([expect.stringMatching(new RegExp(`^${replica}'s data was replaced by a full resync from ${master}`))]);
    expect(await sample('replica_full_resyncs_total', replica)).toBe(1);
    await waitForTick(engine, (u) => !syncFailing(u.alerts), 10_000, 'SYNC_FAILING resolved');
    expect(transitions).toEqual([`fired ${id}`, `resolved ${id}`]);
  });
});
