// Two nodes replicating from each other: no node takes writes, and Redis 7.0 lets neither serve
// the other a sync (NOMASTERLINK), so what only one of them holds stays there. The CYCLE headline
// must say which node holds the most data and the REPLICAOF NO ONE that keeps it; following that
// advice on the real servers must lose nothing.
import { describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { ReplicationEngine } from '../../electron/engine/engine';
import { Lab } from '../../electron/lab/lab';
import { DEAD_PORT } from '../helpers/dead-port';
import { FAILING_LINK_DOWN_SECONDS } from '../../electron/engine/warnings';
import type { TopologySnapshot, TopologyWarning } from '../../electron/shared/types';
import { waitForTick } from '../helpers/engine';
import { check, codes, harness, planAndRun } from '../helpers/actions';
import { disposeAfterEach } from '../helpers/dispose';
import { until } from '../helpers/until';
import { runCli } from '../helpers/cli';

const POLL_MS = 250;

const own = disposeAfterEach();

async function on<T>(port: number, work: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    return await work(client);
  } finally {
    client.disconnect();
  }
}

async function write(port: number, prefix: string, n: number): Promise<void> {
  await on(port, async (c) => {
    const pipeline = c.pipeline();
    for (let i = 0; i < n; i++) pipeline.set(`${prefix}:${i}`, 'v');
    await pipeline.exec();
  });
}

function replication(port: number): Promise<Record<string, string>> {
  return on(port, async (c) => Object.fromEntries(((await c.info('replication')) as string).split('\r\n').filter((l) => l.includes(':')).map((l) => l.split(':', 2) as [string, string])));
}

/** Until `replica` reports its link up at its master's offset. */
async function inSync(replica: number, master: number): Promise<void> {
  await until(`${replica} in sync with ${master}`, async () => {
    const [r, m] = [await replication(replica), await replication(master)];
    return r.master_link_status === 'up' && r.slave_repl_offset === m.master_repl_offset ? true : undefined;
  });
}

const dbsize = (port: number): Promise<number> => on(port, (c) => c.dbsize());

/** The full and partial syncs a node has served (INFO stats). */
async function syncs(port: number): Promise<{ full: number; partial: number }> {
  const stats = await on(port, (c) => c.info('stats'));
  const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(stats)?.[1]);
  return { full: field('sync_full'), partial: field('sync_partial_ok') };
}

function cycleOf(snapshot: TopologySnapshot): TopologyWarning | undefined {
  return snapshot.warnings.find((w) => w.code === 'CYCLE');
}

/**
 * A master pointed at its replica that had lost its link: r loses it (pointed at a port where
 * nothing listens), m takes 50 writes more, then each is made the other's replica. One history,
 * m ahead of r, both links down.
 */
async function cycleWithMasterAhead(): Promise<{ lab: Lab; m: string; r: string }> {
  const lab = own(await Lab.start({ nodes: [{ name: 'm' }, { name: 'r', replicaOf: 'm' }] }));
  await write(lab.port('m'), 'k', 100);
  await inSync(lab.port('r'), lab.port('m'));
  await on(lab.port('r'), (c) => c.replicaof('127.0.0.1', DEAD_PORT));
  await write(lab.port('m'), 'later', 50);
  await on(lab.port('m'), (c) => c.replicaof('127.0.0.1', lab.port('r')));
  await on(lab.port('r'), (c) => c.replicaof('127.0.0.1', lab.port('m')));
  return { lab, m: lab.address('m'), r: lab.address('r') };
}

async function watch(lab: Lab, names: string[]): Promise<ReplicationEngine> {
  const engine = own(new ReplicationEngine());
  await engine.connect({ seeds: names.map((n) => lab.address(n)), pollIntervalMs: POLL_MS });
  return engine;
}

describe('a replication cycle: who holds the data, and how to break it without losing any', () => {
  it('a failed-over master restarted with its stale replicaof line, empty (no persistence): its replica holds everything', { timeout: 90_000 }, async () => {
    // a started as b's replica (its configuration says so), was promoted, and b was made its replica.
    const lab = own(await Lab.start({ nodes: [{ name: 'b' }, { name: 'a', replicaOf: 'b' }] }));
    const [a, b] = [lab.address('a'), lab.address('b')];
    await on(lab.port('a'), (c) => c.replicaof('NO', 'ONE'));
    await on(lab.port('b'), (c) => c.replicaof('127.0.0.1', lab.port('a')));
    await write(lab.port('a'), 'k', 100);
    await inSync(lab.port('b'), lab.port('a'));
    const h = own(await harness(lab, 'a', undefined, [b]));
    const engine = h.engine;
    await waitForTick(engine, (u) => u.snapshot.nodes.some((n) => n.address === b && n.linkStatus === 'up'), 5000, 'b linked to a');

    // Restarted, a reads its old replicaof b and comes back empty: b replicates from a, a from b.
    await lab.restart('a');
    const { snapshot } = await waitForTick(engine, (u) => cycleOf(u.snapshot) !== undefined, 10_000, 'CYCLE');
    const cycle = cycleOf(snapshot);
    expect(cycle?.nodes.toSorted()).toEqual([a, b].toSorted());
    expect(cycle?.message).toContain(`${b} holds the most data`);
    expect(cycle?.message).toContain(`${a} holds nothing of it`);
    expect(cycle?.message).toContain(`→ REPLICAOF NO ONE on ${b} (Promote)`);
    expect(cycle?.message).toContain(`Do not promote ${a} instead`);
    expect(cycle?.message).not.toContain(`REPLICAOF NO ONE on ${a}`);
    // Its restart lost a's data; b holds all of it. "The writes it took as a master that b does not have are lost" was the other way round.
    const restarted = engine.events({ node: a, limit: 100 }).filter((e) => e.kind === 'full-resync');
    expect(restarted.map((e) => e.message)).toEqual([expect.stringMatching(new RegExp(`^${a} restarted without its replication history`))]);
    expect(restarted[0]?.message).not.toContain('It was a master');

    // b's link has been down long enough to fail: its SYNC_FAILING follows from the cycle, and no longer sends the operator round it.
    const failing = await waitForTick(
      engine,
      (u) => cycleOf(u.snapshot)?.folded?.some((w) => w.code === 'SYNC_FAILING') === true,
      (FAILING_LINK_DOWN_SECONDS + 15) * 1000,
      'SYNC_FAILING folded under CYCLE',
    );
    expect(failing.snapshot.warnings.map((w) => w.code)).not.toContain('SYNC_FAILING');
    const [folded] = cycleOf(failing.snapshot)?.folded ?? [];
    expect(folded?.nodes).toEqual([b, a]);
    expect(folded?.message).toContain(`${a} is in a replication cycle`);
    expect(folded?.message).not.toMatch(/Mend .* link first/);

    // Promoting a, the empty one, would have b take its data: the plan says so and wants an override.
    const wrong = await h.actions.plan({ kind: 'promote', node: a, repointSiblings: false });
    expect(check(wrong, 'REPLICA_BEHIND')).toMatchObject({ verdict: 'warning', overridable: true, message: expect.stringContaining(`${b} (100 keys) holds`) });
    expect(check(wrong, 'REPLICA_BEHIND').message).toContain(`Promote ${b} instead`);
    expect(wrong.needsOverride).toEqual(['REPLICA_BEHIND']);
    expect(wrong.lostBytes.map((l) => l.node)).toEqual([b]);

    // The advice, through the console on the real servers: a takes b's data back and nothing is lost.
    const { plan, outcome } = await planAndRun(h, { kind: 'promote', node: b, repointSiblings: false });
    expect(plan.needsOverride).toEqual([]);
    expect(codes(plan, 'warning')).not.toContain('OLD_MASTER_STAYS');
    expect(outcome.ok).toBe(true);
    await inSync(lab.port('a'), lab.port('b'));
    expect([await dbsize(lab.port('a')), await dbsize(lab.port('b'))]).toEqual([100, 100]);
    await waitForTick(engine, (u) => cycleOf(u.snapshot) === undefined, 5000, 'the cycle gone');
  });

  it('a master pointed at its replica that had lost its link: the master is ahead in their one history', async () => {
    const { lab, m, r } = await cycleWithMasterAhead();
    const engine = await watch(lab, ['m']);
    const { snapshot } = await waitForTick(engine, (u) => cycleOf(u.snapshot) !== undefined, 10_000, 'CYCLE');
    const message = cycleOf(snapshot)?.message ?? '';
    expect(message).toContain(`${m} holds the most data`);
    expect(message).toMatch(new RegExp(`${r} is [\\d.]+ KiB behind it`));
    expect(message).toContain(`→ REPLICAOF NO ONE on ${m} (Promote)`);
    expect(message).toContain(`Do not promote ${r} instead: ${m} would then take its data in a full sync`);

    const before = await syncs(lab.port('m'));
    await on(lab.port('m'), (c) => c.replicaof('NO', 'ONE'));
    await inSync(lab.port('r'), lab.port('m'));
    expect([await dbsize(lab.port('m')), await dbsize(lab.port('r'))]).toEqual([150, 150]);
    // r's offset lies on m's previous history (its replid2): a partial sync, nothing flushed.
    expect(await syncs(lab.port('m'))).toEqual({ full: before.full, partial: before.partial + 1 });
  });

  it('a replica promoted and written to, its old master written to as well, then each pointed at the other: no node holds everything', async () => {
    const lab = own(await Lab.start({ nodes: [{ name: 'm' }, { name: 'r', replicaOf: 'm' }] }));
    const [m, r] = [lab.address('m'), lab.address('r')];
    await write(lab.port('m'), 'k', 100);
    await inSync(lab.port('r'), lab.port('m'));
    await on(lab.port('r'), (c) => c.replicaof('NO', 'ONE'));
    await write(lab.port('r'), 'on-r', 50);
    await write(lab.port('m'), 'on-m', 20);
    await on(lab.port('r'), (c) => c.replicaof('127.0.0.1', DEAD_PORT));
    await on(lab.port('m'), (c) => c.replicaof('127.0.0.1', lab.port('r')));
    await on(lab.port('r'), (c) => c.replicaof('127.0.0.1', lab.port('m')));
    const engine = await watch(lab, ['m']);
    const { snapshot } = await waitForTick(engine, (u) => cycleOf(u.snapshot) !== undefined, 10_000, 'CYCLE');
    const message = cycleOf(snapshot)?.message ?? '';
    const fork = Number((await replication(lab.port('r'))).second_repl_offset) - 1;
    expect(message).toContain('No node holds all the data');
    expect(message).toContain(`${r} was promoted off ${m}'s history at offset ${fork.toLocaleString('en')}`);
    expect(message).toContain('copy what you need from them first');
    expect(message).toContain(`(${r} holds the most past where they went apart)`);
    expect(message).not.toContain('holds the most data');
    expect([await dbsize(lab.port('m')), await dbsize(lab.port('r'))]).toEqual([120, 150]);
  });

  it('the lag of a cycle\'s nodes: no figure in any front end (the node ahead read "0 B", as if in step)', async () => {
    const { lab, m, r } = await cycleWithMasterAhead();
    // Different offsets in one history, both links down: m ahead of its master r, r behind its master m.
    const [mInfo, rInfo] = [await replication(lab.port('m')), await replication(lab.port('r'))];
    expect(mInfo.master_replid).toBe(rInfo.master_replid);
    expect(Number(mInfo.master_repl_offset)).toBeGreaterThan(Number(rInfo.master_repl_offset));
    expect([mInfo.master_link_status, rInfo.master_link_status]).toEqual(['down', 'down']);

    const engine = await watch(lab, ['m']);
    const { snapshot } = await waitForTick(engine, (u) => cycleOf(u.snapshot) !== undefined && u.snapshot.nodes.every((n) => n.lag !== null), 10_000, 'CYCLE');
    for (const address of [m, r]) {
      const lag = snapshot.nodes.find((n) => n.address === address)?.lag;
      expect(lag).toMatchObject({ inCycle: true, bytesBehindMaster: null, bytesBehindRoot: null, secondsBehind: null, secondsBehindRoot: null });
    }

    const seed = ['--seed', m];
    const tree = await runCli(['topology', ...seed]);
    const lines = tree.stdout.split('\n');
    for (const address of [m, r]) expect(lines.find((l) => l.includes(`${address}  replica`))).toContain('lag — (in a cycle: see CYCLE)');
    expect(tree.stdout).not.toMatch(/lag 0 B/);
    const json = JSON.parse((await runCli(['topology', ...seed, '--format', 'json'])).stdout) as { nodes: { address: string; lagBytes: unknown; lagBytesFromRoot: unknown; lagSeconds: unknown; lagInCycle: unknown }[] };
    for (const n of json.nodes) expect(n).toMatchObject({ lagBytes: null, lagBytesFromRoot: null, lagSeconds: null, lagInCycle: true });
    const table = (await runCli(['watch', ...seed, '--interval', '200', '--duration', '2'])).stdout;
    for (const address of [m, r]) {
      const row = table.split('\n').findLast((l) => l.startsWith(address));
      expect(row).toMatch(/\bin a cycle\s+—\s+No lag in a replication cycle/);
      expect(row).not.toMatch(/\b0 B\b/);
    }
  });

  it('a node made a replica of itself: Redis says OK, it turns read-only and keeps its data; the console says so, and its advice loses nothing', { timeout: 60_000 }, async () => {
    const lab = own(await Lab.start({ nodes: [{ name: 's' }, { name: 'r', replicaOf: 's' }] }));
    const [s, r] = [lab.address('s'), lab.address('r')];
    await write(lab.port('s'), 'k', 100);
    await inSync(lab.port('r'), lab.port('s'));
    const offset = Number((await replication(lab.port('s'))).master_repl_offset);
    // Measured on Redis 7.0: OK, then a PSYNC to itself every second, refused (NOMASTERLINK); the link never comes up.
    expect(await on(lab.port('s'), (c) => c.replicaof('127.0.0.1', lab.port('s')))).toBe('OK');
    const info = await replication(lab.port('s'));
    expect(info).toMatchObject({ role: 'slave', master_host: '127.0.0.1', master_port: String(lab.port('s')), master_link_status: 'down', master_link_down_since_seconds: '-1' });
    expect(Number(info.slave_repl_offset)).toBe(offset);
    await expect(on(lab.port('s'), (c) => c.set('x', '1'))).rejects.toThrow(/READONLY/);
    expect(await dbsize(lab.port('s'))).toBe(100);

    const h = own(await harness(lab, 's'));
    const { snapshot } = await waitForTick(h.engine, (u) => cycleOf(u.snapshot) !== undefined && u.snapshot.nodes.length === 2, 10_000, 'CYCLE of one');
    const cycle = cycleOf(snapshot);
    expect(cycle?.nodes).toEqual([s]);
    expect(cycle?.message).toContain(`${s} replicates from itself: it takes no writes (READONLY) and receives nothing`);
    expect(cycle?.message).toContain(`${s} keeps the data it had (offset ${offset.toLocaleString('en')} of history`);
    expect(cycle?.message).toContain(`→ REPLICAOF NO ONE on ${s} (Promote) if it should be a master: it takes writes again and the nodes below it receive them, and nothing is lost`);
    expect(cycle?.message).toContain(`If it should be a replica, point it at its master instead (REPLICAOF <host> <port> on ${s}`);
    expect(cycle?.message).toContain(`Persist it with CONFIG REWRITE on ${s}`);
    // Its lag is no figure ("0 B (0 s)" to itself); its replica's, to it, is one, with no root to be behind.
    const node = (address: string) => snapshot.nodes.find((n) => n.address === address);
    expect(node(s)?.lag).toMatchObject({ inCycle: true, bytesBehindMaster: null, secondsBehind: null });
    expect(node(r)?.lag).toMatchObject({ inCycle: false, bytesBehindMaster: 0, bytesBehindRoot: null });

    // The advice, through the console: the Promote plan says what is true of a node with itself as master.
    const { plan, outcome } = await planAndRun(h, { kind: 'promote', node: s, repointSiblings: true });
    expect(codes(plan, 'warning')).toEqual([]);
    expect(check(plan, 'CYCLE').message).toBe(`${s} replicates from itself (${s} → ${s}): made a master, it takes writes again, with the data it has`);
    expect(plan.steps.map((step) => `${step.node} ${step.command}`)).toEqual([`${s} REPLICAOF NO ONE`]);
    expect(outcome.ok).toBe(true);
    await write(lab.port('s'), 'after', 10);
    await inSync(lab.port('r'), lab.port('s'));
    expect([await dbsize(lab.port('s')), await dbsize(lab.port('r'))]).toEqual([110, 110]);
    await waitForTick(h.engine, (u) => cycleOf(u.snapshot) === undefined, 5000, 'the cycle gone');
  });
});
