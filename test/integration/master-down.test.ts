import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { FAILOVER_GAP_BYTES } from '../../electron/engine/warnings';
import { node, waitForTick } from '../helpers/engine';
import { disposeAfterEach } from '../helpers/dispose';
import { until } from '../helpers/until';
import { runCli } from '../helpers/cli';

const POLL_MS = 250;

const own = disposeAfterEach();

async function dbsize(lab: Lab, name: string): Promise<number> {
  const client = new Redis(lab.port(name), '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    return await client.dbsize();
  } finally {
    client.disconnect();
  }
}

/** A lab watched by an engine with short timeouts, its replicas linked: what the stalled-master tests start from. */
async function watchedLab(options: Parameters<typeof Lab.start>[0]): Promise<{ lab: Lab; master: string; engine: ReplicationEngine }> {
  const lab = own(await Lab.start(options));
  const master = lab.address('master');
  const engine = own(new ReplicationEngine({ connectTimeoutMs: 500, commandTimeoutMs: 500 }));
  await engine.connect({ seeds: [master], pollIntervalMs: POLL_MS });
  await lab.waitForLinks();
  return { lab, master, engine };
}

describe('MASTER_DOWN', () => {
  it('a dead root master is one headline naming its orphaned replicas, with the per-node warnings folded under it', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(3) }));
    const master = lab.address('master');
    const replicas = ['replica-1', 'replica-2', 'replica-3'].map((n) => lab.address(n));
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: POLL_MS });
    const writer = new Redis(lab.port('master'), '127.0.0.1');
    for (let i = 0; i < 100; i++) await writer.set(`k:${i}`, 'v');
    writer.disconnect();
    await lab.waitForLinks();
    await until('replica-1 has the keys', async () => ((await dbsize(lab, 'replica-1')) === 100 ? true : undefined));

    await lab.kill('master');
    const { snapshot } = await waitForTick(
      engine,
      (u) => (u.snapshot.warnings.find((w) => w.code === 'MASTER_DOWN')?.folded?.filter((w) => w.code === 'UNKNOWN_MASTER').length ?? 0) === 3,
      10_000,
      'MASTER_DOWN with three UNKNOWN_MASTER folded',
    );
    const headlines = snapshot.warnings.filter((w) => w.code === 'MASTER_DOWN');
    expect(headlines).toHaveLength(1);
    const headline = headlines[0];
    expect(headline?.message).toMatch(new RegExp(`^${master.replace(/\./g, '\\.')} down since \\d\\d:\\d\\d:\\d\\d UTC; 3 replicas orphaned → fail over`));
    // The lab runs without persistence: restarting it is what would lose the data.
    expect(headline?.message).toContain(`→ fail over first, do NOT restart ${master} before that: it has no persistence`);
    expect(headline?.nodes[0]).toBe(master);
    expect(headline?.nodes.slice(1).sort()).toEqual([...replicas].sort());
    expect(headline?.folded?.map((w) => w.code).sort()).toEqual(['STALLED_UPSTREAM', 'UNKNOWN_MASTER', 'UNKNOWN_MASTER', 'UNKNOWN_MASTER', 'UNREACHABLE']);
    // Nothing it explains stays beside it.
    for (const code of ['UNKNOWN_MASTER', 'UNREACHABLE', 'STALLED_UPSTREAM']) expect(snapshot.warnings.map((w) => w.code)).not.toContain(code);

    // Restarted anyway: it comes back empty, its replicas take its empty dataset, and the view
    // turns green again. The loss stays said.
    await lab.restart('master');
    const wiped = await waitForTick(
      engine,
      (u) => !u.snapshot.warnings.some((w) => w.code === 'MASTER_DOWN') && u.snapshot.edges.every((e) => e.health === 'up') &&
        /then replaced their data/.test(u.snapshot.warnings.find((w) => w.code === 'MASTER_RESTARTED_EMPTY')?.message ?? '') &&
        !/Still holding/.test(u.snapshot.warnings.find((w) => w.code === 'MASTER_RESTARTED_EMPTY')?.message ?? ''),
      15_000,
      'every replica linked again, wiped',
    );
    const loss = wiped.snapshot.warnings.find((w) => w.code === 'MASTER_RESTARTED_EMPTY');
    expect(wiped.snapshot.warnings[0]).toBe(loss);
    // Not beside it: "nothing is wrong yet" about the same master.
    expect(wiped.snapshot.warnings.map((w) => w.code)).not.toContain('MASTER_NO_PERSISTENCE');
    expect(loss?.message).toMatch(new RegExp(`^Data loss: ${master.replace(/\./g, '\\.')} restarted at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC without persistence .* then replaced their data with its empty dataset`));
    expect(loss?.nodes.slice(1).sort()).toEqual([...replicas].sort());
    for (const name of ['replica-1', 'replica-2', 'replica-3']) expect(await dbsize(lab, name)).toBe(0);
    const next = await waitForTick(engine, (u) => u.snapshot.seq >= wiped.snapshot.seq + 4, 5_000, 'four more ticks');
    expect(next.snapshot.warnings.map((w) => w.code)).toContain('MASTER_RESTARTED_EMPTY');
  });

  it('after a failover that succeeded (a replica promoted off the dead master), it says so and names who is left on the old master; never "→ fail over" again', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-master-down-it-'));
    own({ close: async () => fs.rmSync(dir, { recursive: true, force: true }) });
    const [master, r1, r2] = ['master', 'replica-1', 'replica-2'].map((n) => lab.address(n)) as [string, string, string];
    const cli = (args: string[]) => runCli(args, { env: { REPLICATION_CONSOLE_DATA_DIR: dir, NO_COLOR: '1' } });
    const writer = new Redis(lab.port('master'), '127.0.0.1');
    await writer.set('k', 'v');
    writer.disconnect();
    await lab.waitForLinks();
    await until('replica-1 has the key', async () => ((await dbsize(lab, 'replica-1')) === 1 ? true : undefined));
    expect((await cli(['topology', '--seed', master])).code).toBe(0);
    await lab.kill('replica-2');
    await lab.kill('master');
    const failover = await cli(['failover', '--seed', master, '--to', r1, '--yes']);
    expect(failover.stdout).toContain('✓ Done');
    expect(failover.code).toBe(0);

    // A console started after it, from the new master or the old one: topology memory still knows the old master and replica-2.
    for (const seed of [r1, master]) {
      const tree = await cli(['topology', '--seed', seed]);
      expect(tree.code).toBe(0);
      const headline = tree.stdout.split('\n').find((line) => line.includes('MASTER_DOWN:')) ?? '';
      expect(headline).toContain(`MASTER_DOWN: ${master} down (last read `);
      expect(headline).toMatch(new RegExp(`; already failed over: ${r1.replace(/\./g, '\\.')} was promoted off it at offset \\d+ `));
      expect(headline).toContain(`Still on ${master}: ${r2} (down) → re-point it to ${r1} when it comes back`);
      expect(headline).toContain(`Do NOT restart ${master} as a master: it has no persistence`);
      expect(headline).not.toMatch(/→ fail over|orphaned|Promote the replica/);
    }
  });

  it('a replica promoted by hand while the console watches: the headline turns to "already failed over" from its own reading of the old master (no memory)', async () => {
    const { lab, master, engine } = await watchedLab({ nodes: masterWithReplicas(2) });
    const [r1, r2] = ['replica-1', 'replica-2'].map((n) => lab.address(n)) as [string, string];
    await lab.kill('replica-2');
    await lab.kill('master');
    await waitForTick(engine, (u) => /orphaned → fail over first/.test(u.snapshot.warnings.find((w) => w.code === 'MASTER_DOWN')?.message ?? ''), 10_000, 'MASTER_DOWN → fail over');
    const promote = new Redis(lab.port('replica-1'), '127.0.0.1');
    await promote.replicaof('NO', 'ONE');
    promote.disconnect();
    const { snapshot } = await waitForTick(engine, (u) => /already failed over/.test(u.snapshot.warnings.find((w) => w.code === 'MASTER_DOWN')?.message ?? ''), 10_000, 'MASTER_DOWN already failed over');
    const headline = snapshot.warnings.find((w) => w.code === 'MASTER_DOWN');
    expect(headline?.message).toContain(`already failed over: ${r1} was promoted off it`);
    expect(headline?.message).toContain(`Still on ${master}: ${r2} (down) → re-point it to ${r1} when it comes back`);
    expect(headline?.message).not.toContain('→ fail over');
    expect(headline?.nodes).toEqual([master, r2]);
  });

  it('a replica still on the old master after a failover: what is folded under the headline says to re-point it, not to fail over', async () => {
    const { lab, master, engine } = await watchedLab({ nodes: masterWithReplicas(2) });
    const [r1, r2] = ['replica-1', 'replica-2'].map((n) => lab.address(n)) as [string, string];
    await lab.kill('master');
    await waitForTick(engine, (u) => /orphaned → fail over first/.test(u.snapshot.warnings.find((w) => w.code === 'MASTER_DOWN')?.message ?? ''), 10_000, 'MASTER_DOWN → fail over');
    const promote = new Redis(lab.port('replica-1'), '127.0.0.1');
    await promote.replicaof('NO', 'ONE');
    promote.disconnect();
    const { snapshot } = await waitForTick(
      engine,
      (u) => /already failed over/.test(u.snapshot.warnings.find((w) => w.code === 'MASTER_DOWN')?.message ?? ''),
      10_000,
      'MASTER_DOWN already failed over',
    );
    const headline = snapshot.warnings.find((w) => w.code === 'MASTER_DOWN');
    expect(headline?.message).toContain(`Still on ${master}: ${r2} (link down) → re-point it to ${r1} (REPLICAOF`);
    const stalled = headline?.folded?.find((w) => w.code === 'STALLED_UPSTREAM');
    expect(stalled?.nodes).toEqual([master, r2]);
    expect(stalled?.message).toContain(`${master} was already failed over (${r1} was promoted off it): re-point the nodes below it to ${r1}`);
    for (const w of [headline, ...(headline?.folded ?? [])]) expect(w?.message).not.toMatch(/fail over before|→ fail over/);
  });

  it('a copy detached while the master lived is not a failover: the master went on past it, so its death still says "→ fail over"', async () => {
    const { lab, master, engine } = await watchedLab({ nodes: masterWithReplicas(2) });
    const r1 = lab.address('replica-1');
    // The console's detach, or REPLICAOF NO ONE by hand: the same replid2 a failover leaves.
    const copy = new Redis(lab.port('replica-1'), '127.0.0.1');
    await copy.replicaof('NO', 'ONE');
    copy.disconnect();
    const writer = new Redis(lab.port('master'), '127.0.0.1');
    const value = 'x'.repeat(8192);
    for (let i = 0; i < Math.ceil((2 * FAILOVER_GAP_BYTES) / value.length); i++) await writer.set(`after:${i}`, value);
    writer.disconnect();
    // The console reads the master past the copy before it dies.
    await waitForTick(engine, (u) => (node(u.snapshot, master).offset ?? 0) > 2 * FAILOVER_GAP_BYTES, 10_000, 'the master read past the copy');
    await lab.kill('master');
    const { snapshot } = await waitForTick(engine, (u) => u.snapshot.warnings.some((w) => w.code === 'MASTER_DOWN'), 10_000, 'MASTER_DOWN');
    const headline = snapshot.warnings.find((w) => w.code === 'MASTER_DOWN')?.message ?? '';
    expect(headline).toMatch(/orphaned → fail over/);
    expect(headline).not.toContain('already failed over');
    expect(node(snapshot, r1)).toMatchObject({ role: 'master', reachable: true });
  });

  it('a master without saves that reloads a dump.rdb: nothing said while its replicas continue from it; data loss once one resyncs from it in full', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const master = lab.address('master');
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [master], pollIntervalMs: POLL_MS });
    const writer = new Redis(lab.port('master'), '127.0.0.1');
    // No PING between the snapshot and the kill: the replica stays exactly at the dump's offset.
    await writer.config('SET', 'repl-ping-replica-period', '3600');
    for (let i = 0; i < 100; i++) await writer.set(`k:${i}`, 'v');
    // A snapshot taken by hand (a backup) though saves are off: the restart loads it.
    await writer.save();
    writer.disconnect();
    await lab.waitForLinks();
    await waitForTick(engine, (u) => u.snapshot.warnings.some((w) => w.code === 'MASTER_NO_PERSISTENCE'), 10_000, 'the no-persistence risk read');

    await lab.kill('master');
    await waitForTick(engine, (u) => u.snapshot.warnings.some((w) => w.code === 'MASTER_DOWN'), 10_000, 'MASTER_DOWN');
    await lab.restart('master');
    const back = await waitForTick(engine, (u) => u.snapshot.edges.length === 1 && u.snapshot.edges.every((e) => e.health === 'up'), 15_000, 'linked again');
    expect(await dbsize(lab, 'master')).toBe(100);
    expect(await dbsize(lab, 'replica-1')).toBe(100);
    const next = await waitForTick(engine, (u) => u.snapshot.seq >= back.snapshot.seq + 4, 5_000, 'four more ticks');
    // The replica in step with the dump continues from it (a partial resync keeps the old history as
    // replid2): nothing lost, nothing said. Should a stray byte have put it ahead (a PING), it
    // resyncs in full, replid2 cleared, and the loss of that byte's stream is said: either way, true.
    const probe = new Redis(lab.port('replica-1'), '127.0.0.1');
    const continued = !/master_replid2:0{40}/.test(await probe.info('replication'));
    probe.disconnect();
    for (const update of [back, next]) expect(update.snapshot.warnings.some((w) => w.code === 'MASTER_RESTARTED_EMPTY')).toBe(!continued);

    // 50 writes after that snapshot, and the same restart: the replica is ahead of the dump, resyncs in full, and loses them.
    const more = new Redis(lab.port('master'), '127.0.0.1');
    for (let i = 100; i < 150; i++) await more.set(`k:${i}`, 'v');
    more.disconnect();
    await until('replica-1 has the 150 keys', async () => ((await dbsize(lab, 'replica-1')) === 150 ? true : undefined));
    await waitForTick(engine, (u) => (u.snapshot.nodes.find((n) => n.address === master)?.offset ?? 0) > (back.snapshot.nodes.find((n) => n.address === master)?.offset ?? 0), 5_000, 'the writes read');
    await lab.kill('master');
    await waitForTick(engine, (u) => u.snapshot.warnings.some((w) => w.code === 'MASTER_DOWN'), 10_000, 'MASTER_DOWN again');
    await lab.restart('master');
    const lost = await waitForTick(engine, (u) => u.snapshot.warnings[0]?.code === 'MASTER_RESTARTED_EMPTY', 15_000, 'MASTER_RESTARTED_EMPTY');
    expect(lost.snapshot.warnings[0]?.message).toMatch(/reloaded an old dump\.rdb \(100 keys: .*; it had taken [\d.]+ (B|KiB) of replication stream past it, at least\), not its data as it was\. .* then replaced its data with that old dataset \(full resync\)/);
    expect(lost.snapshot.warnings[0]?.nodes).toEqual([master, lab.address('replica-1')]);
    // Its full resync from the dump ends with the dump's 100 keys: the 50 written after it are gone.
    await until('replica-1 back to the dump\'s 100 keys', async () => ((await dbsize(lab, 'replica-1')) === 100 ? true : undefined));
  });

  it('a paused master its replicas gave up on (repl-timeout) is stalled, not gone: stop it for good before failing over, never a bare "→ fail over"', async () => {
    const { lab, master, engine } = await watchedLab({ nodes: masterWithReplicas(2), extraArgs: ['--repl-timeout', '2'] });
    lab.pause('master');
    try {
      const { snapshot } = await waitForTick(engine, (u) => /given up on it/.test(u.snapshot.warnings.find((w) => w.code === 'MASTER_DOWN')?.message ?? ''), 15_000, 'MASTER_DOWN, links down');
      const headline = snapshot.warnings.find((w) => w.code === 'MASTER_DOWN');
      expect(headline?.message).toMatch(new RegExp(`^${master.replace(/\./g, '\\.')} does not answer since .*, and its 2 replicas have given up on it \\(link down\\): it is stalled, or its host is down or cut off \\(the console cannot tell\\) → to fail over, make sure it stays down first`));
      expect(headline?.message).toContain('It has no persistence: do NOT restart it before the failover');
      expect(headline?.message).not.toMatch(/orphaned|→ fail over/);
    } finally {
      lab.resume('master');
    }
  });

  it('a master refusing every write for want of replicas (min-replicas-to-write) is WRITES_REFUSED, not healthy', async () => {
    const { lab, master, engine } = await watchedLab({ nodes: masterWithReplicas(1), extraArgs: ['--min-replicas-to-write', '1', '--min-replicas-max-lag', '10'] });
    expect(engine.snapshot()?.warnings.map((w) => w.code)).not.toContain('WRITES_REFUSED');
    await lab.kill('replica-1');
    const writer = new Redis(lab.port('master'), '127.0.0.1');
    try {
      await expect(writer.set('k', 'v')).rejects.toThrow(/NOREPLICAS/);
    } finally {
      writer.disconnect();
    }
    const { snapshot } = await waitForTick(engine, (u) => u.snapshot.warnings.some((w) => w.code === 'WRITES_REFUSED'), 10_000, 'WRITES_REFUSED');
    expect(snapshot.warnings.find((w) => w.code === 'WRITES_REFUSED')).toEqual({
      code: 'WRITES_REFUSED',
      message:
        `${master} refuses every write (NOREPLICAS): min-replicas-to-write is 1, and 0 replicas are connected with a lag under min-replicas-max-lag (10 s). ` +
        'Bring its replicas back, or lower min-replicas-to-write (CONFIG SET min-replicas-to-write 0) to take writes without that guarantee',
      nodes: [master],
    });
    await lab.restart('replica-1');
    await waitForTick(engine, (u) => !u.snapshot.warnings.some((w) => w.code === 'WRITES_REFUSED'), 15_000, 'WRITES_REFUSED gone with the replica back');
  });

  it('a paused master whose replicas are still linked to it is not "down → fail over"', async () => {
    const { lab, master, engine } = await watchedLab({ nodes: masterWithReplicas(2) });
    lab.pause('master');
    try {
      const { snapshot } = await waitForTick(engine, (u) => u.snapshot.warnings.some((w) => w.code === 'MASTER_DOWN'), 10_000, 'MASTER_DOWN');
      const headline = snapshot.warnings.find((w) => w.code === 'MASTER_DOWN');
      expect(headline?.message).toMatch(new RegExp(`^${master.replace(/\./g, '\\.')} does not answer the console .* still have their link to it up: .*→ do not fail over yet`));
      expect(headline?.message).not.toMatch(/orphaned/);
    } finally {
      lab.resume('master');
    }
  });

  it('a master that restarted and loads its dataset says so, with how far, and its waiting replicas are not SYNC_FAILING', { timeout: 60_000 }, async () => {
    // 2 ms a key over 40,000 keys: 80 s of loading, answering between keys (the test needs 31 s of it).
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1), extraArgs: ['--key-load-delay', '2000', '--loading-process-events-interval-bytes', '1024'] }));
    const master = lab.address('master');
    const writer = new Redis(lab.port('master'), '127.0.0.1');
    const fill = writer.pipeline();
    for (let i = 0; i < 40_000; i++) fill.set(`k:${i}`, 'v');
    await fill.exec();
    await writer.save();
    writer.disconnect();
    await lab.waitForLinks();
    const engine = own(new ReplicationEngine({ connectTimeoutMs: 1000, commandTimeoutMs: 1000 }));
    await engine.connect({ seeds: [master], pollIntervalMs: POLL_MS });
    await lab.kill('master');
    await lab.restart('master');
    const { snapshot } = await waitForTick(engine, (u) => u.snapshot.nodes.find((n) => n.address === master)?.load?.persistence?.loading != null, 15_000, 'the master loading');
    const loading = snapshot.nodes.find((n) => n.address === master)?.load?.persistence?.loading;
    expect(loading?.percent).toBeGreaterThanOrEqual(0);
    expect(loading?.etaSeconds).toBeGreaterThan(0);
    const replica = lab.address('replica-1');
    const later = await waitForTick(engine, (u) => (u.snapshot.nodes.find((n) => n.address === replica)?.linkDownSinceSeconds ?? 0) >= 31, 45_000, 'the replica link down 31 s');
    expect(later.snapshot.warnings.filter((w) => w.code === 'SYNC_FAILING')).toEqual([]);
    // Nor taken for a master that came back empty while its key count is not final.
    expect(later.snapshot.warnings.map((w) => w.code)).not.toContain('MASTER_RESTARTED_EMPTY');
  });
});
