// A master that refuses writes because of its own disk or memory, and a replica that would once
// promoted, on real servers: a failed RDB save with stop-writes-on-bgsave-error (MISCONF, the
// default; a full or lost disk), maxmemory reached with noeviction (OOM), and a replica past its
// maxmemory, which it ignores as a replica but enforces, by refusing writes or evicting keys,
// from the moment it is a master.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import type Redis from 'ioredis';
import { check, codes, direct, harness, type Harness } from '../helpers/actions';
import { disposeAfterEach } from '../helpers/dispose';
import { waitForTick } from '../helpers/engine';
import { until } from '../helpers/until';
import { parseAddress } from '../../electron/engine/address';
import { FAILOVER_HELD_MS } from '../../electron/engine/warnings';

const own = disposeAfterEach();

/** Make `name`'s RDB saves fail as on a lost disk: save points on, its working directory removed, one BGSAVE that fails. */
async function failSaves(lab: Lab, name: string): Promise<void> {
  const client = direct(lab, name);
  try {
    await client.config('SET', 'save', '3600 1');
    await rm(path.join(lab.dir, name), { recursive: true, force: true });
    await client.bgsave();
    await until(`${name}'s BGSAVE failed`, async () => ((await client.info('persistence')).includes('rdb_last_bgsave_status:err') ? true : undefined));
  } finally {
    client.disconnect();
  }
}

async function refusal(lab: Lab, name: string): Promise<string> {
  const client = direct(lab, name);
  try {
    await client.set('probe', 'v');
    return 'accepted';
  } catch (e) {
    return (e as Error).message;
  } finally {
    client.disconnect();
  }
}

/** A lab whose master holds `keys` keys, its replicas linked, the action harness on it, and a client to replica-1. */
async function filledLab(replicas: number, keys: number, value: string): Promise<{ lab: Lab; h: Harness; r1: string; replica: Redis }> {
  const lab = own(await Lab.start({ nodes: masterWithReplicas(replicas) }));
  const writer = direct(lab, 'master');
  for (let i = 0; i < keys; i++) await writer.set(`k:${i}`, value);
  writer.disconnect();
  await lab.waitForLinks();
  const h = own(await harness(lab, 'master'));
  const replica = direct(lab, 'replica-1');
  own({ close: async () => replica.disconnect() });
  return { lab, h, r1: lab.address('replica-1'), replica };
}

const refused = (engine: ReplicationEngine): string | undefined => engine.snapshot()?.warnings.find((w) => w.code === 'WRITES_REFUSED')?.message;

describe('WRITES_REFUSED from the master itself', () => {
  it('a failed RDB save (stop-writes-on-bgsave-error yes) refuses every write with MISCONF, and it is said until the setting is off', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const master = lab.address('master');
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: 100 });
    await lab.waitForLinks();
    expect(refused(engine)).toBeUndefined();

    await failSaves(lab, 'master');
    expect(await refusal(lab, 'master')).toMatch(/^MISCONF/);
    // The save status is read with the load (every 5 polls), and a failed one re-reads the settings with it: save
    // points turned on after the console read them (failSaves does) show at once, not at the minute's re-read.
    const { snapshot } = await waitForTick(engine, () => refused(engine)?.startsWith(`${master} refuses every write (MISCONF)`) === true, 3000, 'WRITES_REFUSED (MISCONF)');
    expect(snapshot.warnings.find((w) => w.code === 'WRITES_REFUSED')).toEqual({
      code: 'WRITES_REFUSED',
      message:
        `${master} refuses every write (MISCONF): its last RDB save failed (rdb_last_bgsave_status:err) and stop-writes-on-bgsave-error is yes; ` +
        'a replica whose link drops cannot come back (its PING is refused too). ' +
        'To fix: look at its log and disk (space, the permissions of its dir) and run BGSAVE once fixed, or CONFIG SET stop-writes-on-bgsave-error no to take writes without snapshots',
      nodes: [master],
    });
    // And the alert of that name, on the master.
    expect(engine.alerts().alerts.find((a) => a.rule === 'WRITES_REFUSED')).toMatchObject({ node: master, state: 'firing' });

    const client = direct(lab, 'master');
    await client.config('SET', 'stop-writes-on-bgsave-error', 'no');
    client.disconnect();
    expect(await refusal(lab, 'master')).toBe('accepted');
    // Read again with the load while the refusal holds (every 5 polls), not once a minute (60 polls, 6 s here).
    await waitForTick(engine, () => refused(engine) === undefined, 3000, 'WRITES_REFUSED gone with stop-writes-on-bgsave-error no');
    expect(engine.alerts().alerts.find((a) => a.rule === 'WRITES_REFUSED')?.state).toBe('resolved');
  });

  it('is said after CONFIG RESETSTAT too (rdb_saves back to 0), and the start time is not taken for a save', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const master = lab.address('master');
    await lab.waitForLinks();
    await failSaves(lab, 'master');
    const admin = direct(lab, 'master');
    await admin.config('RESETSTAT');
    const persistence = await admin.info('persistence');
    expect(persistence).toContain('rdb_saves:0');
    expect(persistence).toContain('rdb_last_bgsave_status:err');
    admin.disconnect();
    expect(await refusal(lab, 'master')).toMatch(/^MISCONF/);
    // A console started now: the failed save is one, though the counter of saves says none.
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: 100 });
    const { snapshot } = await waitForTick(engine, () => refused(engine)?.startsWith(`${master} refuses every write (MISCONF)`) === true, 3000, 'WRITES_REFUSED after RESETSTAT');
    // Redis's own start is its rdb_last_save_time until a save succeeds: no save time to show.
    expect(snapshot.nodes.find((n) => n.address === master)?.load?.persistence).toMatchObject({ lastSaveStatus: 'err', lastSaveAt: null });
  });

  it('maxmemory reached with noeviction refuses writes with OOM; raising maxmemory ends it', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const master = lab.address('master');
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: 100 });
    const client = direct(lab, 'master');
    try {
      await client.config('SET', 'maxmemory', '1');
      expect(await refusal(lab, 'master')).toMatch(/^OOM command not allowed/);
      await waitForTick(engine, () => refused(engine) !== undefined, 10_000, 'WRITES_REFUSED (OOM)');
      expect(refused(engine)).toMatch(
        new RegExp(`^${master.replace(/\./g, '\\.')} refuses the writes that add data \\(OOM\\): it uses [\\d.]+ [KM]iB against its maxmemory of 1 B, with maxmemory-policy noeviction\\. To fix: raise maxmemory`),
      );
      await client.config('SET', 'maxmemory', '0');
      await waitForTick(engine, () => refused(engine) === undefined, 10_000, 'WRITES_REFUSED gone with maxmemory raised');
    } finally {
      client.disconnect();
    }
  });

  it('past maxmemory under volatile-lru, its keys with a TTL decide: none left refuses writes (OOM, said for sure); some left are evicted (no refusal said)', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const master = lab.address('master');
    const client = direct(lab, 'master');
    own({ close: async () => client.disconnect() });
    for (let i = 0; i < 20; i++) await client.set(`k:${i}`, 'v');
    await client.config('SET', 'maxmemory-policy', 'volatile-lru');
    await client.config('SET', 'maxmemory', '1');
    expect(await refusal(lab, 'master')).toMatch(/^OOM command not allowed/);
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: 100 });
    await waitForTick(engine, () => refused(engine) !== undefined, 10_000, 'WRITES_REFUSED (OOM)');
    expect(refused(engine)).toMatch(
      new RegExp(`^${master.replace(/\./g, '\\.')} refuses the writes that add data \\(OOM\\): it uses [\\d.]+ [KM]iB against its maxmemory of 1 B, with maxmemory-policy volatile-lru and no key with a TTL to evict\\.`),
    );
    expect(engine.snapshot()?.nodes.find((n) => n.address === master)?.load?.keysWithTtl).toBe(0);
    // Keys with a TTL to evict (written with the limit lifted): Redis evicts them and takes writes.
    await client.config('SET', 'maxmemory', '0');
    for (let i = 0; i < 2000; i++) await client.set(`ttl:${i}`, 'x'.repeat(1000), 'EX', 3600);
    const used = Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]);
    await client.config('SET', 'maxmemory', String(used - 500_000));
    expect(await client.set('probe', 'v')).toBe('OK');
    await waitForTick(engine, () => refused(engine) === undefined, 10_000, 'no WRITES_REFUSED with keys to evict');
    await waitForTick(engine, (u) => (u.snapshot.nodes.find((n) => n.address === master)?.load?.keysWithTtl ?? 0) > 0, 10_000, 'keys with a TTL counted');
  });

  it("a Sentinel-watched master whose saves fail: SENTINEL_DOWN says Sentinel's PING gets MISCONF (before: 'look at the network'), and what keeps it the master", async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    await lab.waitForLinks();
    const sentinel = await lab.startSentinel({ masterName: 'disk', master: 'master', quorum: 1, downAfterMs: 1500, failoverTimeoutMs: 4000 });
    const master = lab.address('master');
    const engine = own(new ReplicationEngine({ connectTimeoutMs: 1000, commandTimeoutMs: 1000 }));
    await engine.connect({ seeds: [master], sentinel: { addresses: [sentinel], masterName: 'disk' }, pollIntervalMs: 100 });
    const said: string[] = [];
    const stop = engine.onTick((u) => said.push(...u.snapshot.warnings.filter((w) => w.code === 'SENTINEL_DOWN').map((w) => w.message)));
    own({ close: async () => stop() });
    await failSaves(lab, 'master');
    await waitForTick(engine, () => said.some((m) => m.includes('MISCONF')), 15_000, "SENTINEL_DOWN naming MISCONF");
    const first = said.find((m) => m.includes('MISCONF')) ?? '';
    expect(first).toContain(`${master} answers the console, but refuses Sentinel's PING with MISCONF: its last RDB save failed (rdb_last_bgsave_status:err) and stop-writes-on-bgsave-error is yes, and Sentinel takes that reply for down`);
    expect(first).toContain(`Once failed over, ${master} cannot come back as a replica while its disk fails`);
    expect(said.filter((m) => m.includes('look at the network'))).toEqual([]);
  });

  it('a replica whose RDB saves fail is DISK_ERROR: Redis stops it at its master\'s next write, which then proves it', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const r1 = lab.address('replica-1');
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: 100 });
    await lab.waitForLinks();
    await failSaves(lab, 'replica-1');
    await waitForTick(engine, (u) => u.snapshot.warnings.some((w) => w.code === 'DISK_ERROR'), 15_000, 'DISK_ERROR');
    expect(engine.snapshot()?.warnings.find((w) => w.code === 'DISK_ERROR')).toMatchObject({
      nodes: [r1],
      message: expect.stringMatching(new RegExp(`^${r1.replace(/\./g, '\\.')} stops \\(the process exits\\) at the first write its master sends: its last RDB save failed .* and replica-ignore-disk-write-errors is no\\. To fix:`)),
    });
    const writer = direct(lab, 'master');
    await writer.set('k', 'v');
    writer.disconnect();
    await waitForTick(engine, (u) => u.snapshot.nodes.some((n) => n.address === r1 && !n.reachable), 5000, 'replica-1 gone');
  });

  it('NOREPLICAS is said to a user without CONFIG too: none good is a refusal whatever the setting', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1), extraArgs: ['--min-replicas-to-write', '1', '--min-replicas-max-lag', '10'] }));
    const master = lab.address('master');
    const admin = direct(lab, 'master');
    await admin.call('ACL', 'SETUSER', 'watcher', 'on', '>watcher-pass', '~*', '&*', '+@all', '-config');
    admin.disconnect();
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], user: 'watcher', password: 'watcher-pass', pollIntervalMs: 100 });
    await lab.kill('replica-1');
    await waitForTick(engine, () => refused(engine) !== undefined, 10_000, 'WRITES_REFUSED (NOREPLICAS, setting unread)');
    expect(refused(engine)).toBe(
      `${master} refuses every write (NOREPLICAS): min-replicas-to-write is on (the console cannot read it), and no replica is connected with a lag under min-replicas-max-lag. ` +
        'Bring its replicas back, or lower min-replicas-to-write to take writes without that guarantee',
    );
  });
});

describe('a master left fenced by a plan that failed after the hand-over (no interrupted plan to say so)', () => {
  it('is WRITES_REFUSED, with what the fence is and how to lift it (it was silent: the fence value was left to FENCED_MASTER, which only an interrupted plan gives)', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const master = lab.address('master');
    const admin = direct(lab, 'master');
    await admin.config('SET', 'min-replicas-to-write', '2147483647');
    admin.disconnect();
    expect(await refusal(lab, 'master')).toMatch(/^NOREPLICAS/);
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: 100 });
    await waitForTick(engine, () => refused(engine) !== undefined, 10_000, 'WRITES_REFUSED (the fence)');
    expect(refused(engine)).toBe(
      `${master} refuses every write (NOREPLICAS): min-replicas-to-write is 2147483647, the write fence a console plan sets during a switchover, ` +
        'and a plan that failed after the hand-over keeps it on purpose while another master may take writes. ' +
        `Once ${master} follows the new master, or if it is the only master, restore its value before the plan (0 unless you set one): CONFIG SET min-replicas-to-write <value> on ${master}`,
    );
  });
});

describe('a FAILOVER that holds the writes (whoever sent it may be gone)', () => {
  it('one sent without TIMEOUT to a stalled replica waits for ever: WRITES_REFUSED once it has held them 5 s, gone after FAILOVER ABORT', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    await lab.waitForLinks();
    const master = lab.address('master');
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: 200 });
    const admin = direct(lab, 'master');
    own({ close: async () => admin.disconnect() });
    lab.pause('replica-1');
    own({ close: async () => lab.resume('replica-1') });
    // A write the stalled replica never acknowledges: the master waits for it to catch up, its writes paused.
    await admin.set('k', 'v');
    const { host, port } = parseAddress(lab.address('replica-1'));
    expect(await admin.call('FAILOVER', 'TO', host, String(port))).toBe('OK');
    const startedAt = Date.now();
    await until('waiting-for-sync', async () => ((await admin.info('replication')).includes('master_failover_state:waiting-for-sync') ? true : undefined));
    await waitForTick(engine, () => refused(engine) !== undefined, 15_000, 'WRITES_REFUSED (FAILOVER)');
    // Not before the writes were held 5 s: a planned hand-over is over long before.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(FAILOVER_HELD_MS - 1000);
    expect(refused(engine)?.startsWith(`${master} holds every write: it has been in a FAILOVER for `)).toBe(true);
    expect(refused(engine)).toMatch(/ for \d+ s \(master_failover_state waiting-for-sync\), which pauses writes until a replica has every byte and takes over\. /);
    expect(refused(engine)).toContain(`one without waits for ever. If no plan of yours is running it, FAILOVER ABORT on ${master} releases the writes and it stays the master`);
    // A console started meanwhile (a one-shot `topology`) says it at its first reading: it never reached the 5 s of its own.
    const later = own(new ReplicationEngine());
    const first = await later.connect({ seeds: [master], pollIntervalMs: 200 });
    expect(first.warnings.find((w) => w.code === 'WRITES_REFUSED')?.message).toMatch(/ holds every write: it has been in a FAILOVER since before the console first read it \(master_failover_state waiting-for-sync\)/);
    expect(await admin.call('FAILOVER', 'ABORT')).toBe('OK');
    await waitForTick(engine, () => refused(engine) === undefined, 5000, 'no WRITES_REFUSED after FAILOVER ABORT');
    expect(await refusal(lab, 'master')).toBe('accepted');
  });
});

describe('a fence Redis does not enforce', () => {
  it('min-replicas-to-write at the fence value with min-replicas-max-lag 0: Redis takes every write, so no WRITES_REFUSED is said', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const master = lab.address('master');
    const admin = direct(lab, 'master');
    await admin.config('SET', 'min-replicas-max-lag', '0');
    await admin.config('SET', 'min-replicas-to-write', '2147483647');
    admin.disconnect();
    // Redis checks the fence only while min-replicas-max-lag is non-zero (INFO then has no min_slaves_good_slaves).
    expect(await refusal(lab, 'master')).toBe('accepted');
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: 100 });
    await waitForTick(
      engine,
      (u) => u.snapshot.nodes.some((n) => n.address === master && n.settings?.minReplicasToWrite === 2147483647 && n.settings.minReplicasMaxLag === 0),
      10_000,
      'the fence and the lag of 0 read',
    );
    await waitForTick(engine, () => true, 5000, 'one more tick');
    expect(refused(engine)).toBeUndefined();
    expect(await refusal(lab, 'master')).toBe('accepted');
  });
});

describe('promoting a node that would refuse writes or evict keys as a master', () => {
  it("an emergency failover to a replica whose own min-replicas-to-write asks for more replicas than it will have is refused (it ended 'done' with every write refused)", async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2), extraArgs: ['--min-replicas-to-write', '1', '--min-replicas-max-lag', '10'] }));
    await lab.waitForLinks();
    const h = own(await harness(lab, 'master'));
    const [r1, r2] = ['replica-1', 'replica-2'].map((n) => lab.address(n));
    await lab.kill('replica-2');
    await lab.kill('master');
    await waitForTick(h.engine, (u) => u.snapshot.warnings.some((w) => w.code === 'MASTER_DOWN'), 10_000, 'MASTER_DOWN');
    const plan = await h.actions.plan({ kind: 'failover' });
    expect(check(plan, 'WRITES_REFUSED')).toMatchObject({
      verdict: 'refused',
      overridable: true,
      message: `${r1}, once master, refuses every write (NOREPLICAS): its min-replicas-to-write is 1, and it will have 0 replicas. Lower it first (CONFIG SET min-replicas-to-write 0 on ${r1}), or bring replicas back`,
    });
    expect(check(plan, 'UNREACHABLE_REPLICA').nodes).toEqual([r2]);
  });

  it('a switchover away from a master whose RDB saves fail is refused: as a replica, it would stop at its new master\'s first write', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    await lab.waitForLinks();
    const h = own(await harness(lab, 'master'));
    const [master, r1] = ['master', 'replica-1'].map((n) => lab.address(n)) as [string, string];
    await failSaves(lab, 'master');
    const plan = await h.actions.plan({ kind: 'switchover', to: r1 });
    expect(check(plan, 'DISK_ERROR')).toMatchObject({
      verdict: 'refused',
      overridable: true,
      message: expect.stringMatching(new RegExp(`^${master.replace(/\./g, '\\.')}, as a replica of ${r1.replace(/\./g, '\\.')}, stops \\(the process exits\\) at the first write its master sends: its last RDB save failed`)),
    });
    expect(codes(plan, 'refused')).toEqual(['DISK_ERROR']);
  });

  it('a replica past its maxmemory under volatile-lru would refuse writes (OOM) without a key with a TTL, and evict those it has', async () => {
    const { lab, h, r1, replica } = await filledLab(1, 50, 'v');
    await replica.config('SET', 'maxmemory-policy', 'volatile-lru');
    await replica.config('SET', 'maxmemory', '1');
    const plan = await h.actions.plan({ kind: 'switchover', to: r1 });
    expect(check(plan, 'WRITES_REFUSED').message).toContain(`${r1}, once master, refuses the writes that add data (OOM): it uses`);
    expect(check(plan, 'WRITES_REFUSED').message).toContain('with maxmemory-policy volatile-lru and no key with a TTL to evict');
    expect(codes(plan)).not.toContain('EVICTION');
    // Keys with a TTL it would evict once master (a replica keeps them past its limit): EVICTION, not "may refuse".
    const writer = direct(lab, 'master');
    own({ close: async () => writer.disconnect() });
    for (let i = 0; i < 5; i++) await writer.set(`ttl:${i}`, 'v', 'EX', 3600);
    await until('replica-1 has the keys with a TTL', async () => ((await replica.dbsize()) === 55 ? true : undefined));
    const evicts = await h.actions.plan({ kind: 'switchover', to: r1 });
    expect(check(evicts, 'EVICTION').message).toContain('evicts keys with a TTL until it is under its limit (maxmemory-policy volatile-lru)');
    expect(codes(evicts)).not.toContain('WRITES_REFUSED');
  });

  it('a switchover or promote to a replica past its maxmemory is refused (overridably): noeviction would refuse writes, an eviction policy drops keys', async () => {
    const { h, r1, replica } = await filledLab(2, 200, 'x'.repeat(100));
    await until('replica-1 has the keys', async () => ((await replica.dbsize()) === 200 ? true : undefined));
    expect(codes(await h.actions.plan({ kind: 'switchover', to: r1 }))).not.toContain('WRITES_REFUSED');

    // A replica ignores its maxmemory: it keeps taking its master's writes.
    await replica.config('SET', 'maxmemory', '1');
    const full = await h.actions.plan({ kind: 'switchover', to: r1 });
    expect(check(full, 'WRITES_REFUSED')).toMatchObject({ verdict: 'refused', overridable: true, message: expect.stringContaining(`${r1}, once master, refuses the writes that add data (OOM)`) });
    expect(full.needsOverride).toContain('WRITES_REFUSED');
    expect(check(await h.actions.plan({ kind: 'promote', node: r1, repointSiblings: true }), 'WRITES_REFUSED').verdict).toBe('refused');

    await replica.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const evicts = await h.actions.plan({ kind: 'switchover', to: r1 });
    expect(check(evicts, 'EVICTION')).toMatchObject({ verdict: 'refused', overridable: true, message: expect.stringContaining('evicts keys until it is under its limit (maxmemory-policy allkeys-lru)') });
    // What the check warns of: promoted, it drops what it held.
    await replica.replicaof('NO', 'ONE');
    // Redis evicts before it runs any command once a master.
    await replica.ping();
    expect(await replica.dbsize()).toBeLessThan(200);
  });

  it('a replica whose RDB saves fail would refuse every write once promoted (MISCONF)', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    await lab.waitForLinks();
    const h = own(await harness(lab, 'master'));
    const r1 = lab.address('replica-1');
    await failSaves(lab, 'replica-1');
    const plan = (await h.actions.plan({ kind: 'switchover', to: r1 }));
    expect(check(plan, 'WRITES_REFUSED')).toMatchObject({
      verdict: 'refused',
      overridable: true,
      message: expect.stringContaining(`${r1}, once master, refuses every write (MISCONF): its last RDB save failed`),
    });
    expect(codes(plan, 'refused')).toEqual(['WRITES_REFUSED']);
  });
});
