// Servers that say what no healthy Redis says, each beside a real redis-server in one engine
// session: the real node must stay polled on time, memory and ticks must stay bounded, and
// each case must get its own warning. What a real server can be made to say (a master that
// lists itself, two replicas announcing one address) is also shown with real servers.
import Redis from 'ioredis';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplicationEngine } from '../../electron/engine/engine';
import { MAX_FIELD_CHARS, MAX_REPLICA_LINES } from '../../electron/engine/info-parser';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import type { TickUpdate, TopologySnapshot, WarningCode } from '../../electron/shared/types';
import { disposeAfterEach } from '../helpers/dispose';
import { node, waitForTick } from '../helpers/engine';
import { FakeRespServer, scenario, type SectionReply } from '../helpers/fake-resp-server';
import { until } from '../helpers/until';

const own = disposeAfterEach();
const INTERVAL = 1000;
/** Ticks watched after the first ones (start-up reads everything at once, off the poll grid). */
const WATCHED_TICKS = 8;
const WARM_UP_TICKS = 2;
const MB = 1024 * 1024;

interface Run {
  engine: ReplicationEngine;
  connectMs: number;
  ticks: TickUpdate[];
  maxTickBytes: number;
  rssGrowth: number;
  last: TopologySnapshot;
}

/** Connect to the fake(s) and the real node together, and watch the session for WATCHED_TICKS ticks. */
async function runBeside(fakes: FakeRespServer | FakeRespServer[], real: string): Promise<Run> {
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  try {
    const engine = own(new ReplicationEngine());
    const ticks: TickUpdate[] = [];
    let maxTickBytes = 0;
    engine.onTick((update) => {
      ticks.push(update);
      maxTickBytes = Math.max(maxTickBytes, Buffer.byteLength(JSON.stringify(update)));
    });
    const started = performance.now();
    await engine.connect({ seeds: [...[fakes].flat().map((fake) => fake.address), real], pollIntervalMs: INTERVAL });
    const connectMs = performance.now() - started;
    const { snapshot: last } = await waitForTick(engine, () => ticks.length >= WARM_UP_TICKS + WATCHED_TICKS, (WARM_UP_TICKS + WATCHED_TICKS + 10) * INTERVAL, `${WARM_UP_TICKS + WATCHED_TICKS} ticks`);
    return { engine, connectMs, ticks, maxTickBytes, rssGrowth: rssPeak - rssBefore, last };
  } finally {
    clearInterval(sampler);
  }
}

/** What every hostile case must keep: the real node read on time, small ticks, bounded memory, a quick connect. */
function expectBounded(run: Run, real: string, limits: { tickBytes: number; rss: number; connectMs: number }): void {
  const watched = run.ticks.slice(WARM_UP_TICKS);
  expect(watched.length).toBeGreaterThanOrEqual(WATCHED_TICKS);
  for (const { snapshot } of watched) {
    const state = node(snapshot, real);
    expect(state.reachable, `${real} reachable at tick ${snapshot.seq}`).toBe(true);
    expect(state.stale, `${real} fresh at tick ${snapshot.seq}`).toBe(false);
    // Read at every interval; a poll late under the shared machine's load is allowed, a missed pair is not.
    expect(snapshot.takenAt - (state.polledAt ?? 0), `${real} read recently at tick ${snapshot.seq}`).toBeLessThan(2.5 * INTERVAL);
  }
  const readings = new Set(watched.map(({ snapshot }) => node(snapshot, real).polledAt));
  expect(readings.size, 'distinct readings of the real node').toBeGreaterThanOrEqual(WATCHED_TICKS - 2);
  expect(run.maxTickBytes).toBeLessThan(limits.tickBytes);
  expect(run.rssGrowth).toBeLessThan(limits.rss);
  expect(run.connectMs).toBeLessThan(limits.connectMs);
}

function codes(snapshot: TopologySnapshot): WarningCode[] {
  return snapshot.warnings.map((w) => w.code);
}

async function fakeWith(replication: SectionReply): Promise<FakeRespServer> {
  return own(await FakeRespServer.start({ info: { replication } }));
}

describe('the fake RESP server', () => {
  it('answers what ioredis sends, refuses the rest, and changes its reply per call', async () => {
    let calls = 0;
    const fake = await FakeRespServer.start({ info: { replication: (call) => `role:master\ncall:${(calls = call)}` }, config: { save: '' } });
    own(fake);
    const client = new Redis({ host: '127.0.0.1', port: fake.port, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0 });
    try {
      await client.connect();
      expect(await client.client('SETNAME', 'test')).toBe('OK');
      expect(await client.ping()).toBe('PONG');
      const replies = await client.pipeline().info('replication').info('server').exec();
      expect(replies?.[0]?.[1]).toBe('# Replication\r\nrole:master\r\ncall:1\r\n');
      expect(replies?.[1]?.[1]).toContain(`tcp_port:${fake.port}\r\n`);
      expect(await client.info('replication')).toContain('call:2');
      expect(calls).toBe(2);
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
      await expect(client.call('HELLO', '3')).rejects.toThrow("ERR unknown command 'hello'");
      fake.setInfo('replication', 'role:slave');
      expect(await client.info('replication')).toBe('# Replication\r\nrole:slave\r\n');
      expect(fake.infoCalls('replication')).toBe(3);
    } finally {
      client.disconnect();
    }
  });
});

describe('hostile servers beside a real node, in one engine session', () => {
  let lab: Lab;
  let real: string;
  beforeAll(async () => {
    lab = await Lab.start({ nodes: [{ name: 'real' }] });
    real = lab.address('real');
  });
  afterAll(() => lab?.close());

  it('10,000 replica lines: a thousand read and followed, REPLICA_LIST_TRUNCATED, ticks under 1 MB', async () => {
    const fake = await fakeWith(scenario.manyReplicas(10_000));
    const run = await runBeside(fake, real);
    // Measured before the caps: 6.6 s to connect, 9.7 MB ticks, +500 MB RSS, the real node unread for 9 s.
    expectBounded(run, real, { tickBytes: MB, rss: 300 * MB, connectMs: 4000 });
    const truncated = run.last.warnings.find((w) => w.code === 'REPLICA_LIST_TRUNCATED');
    expect(truncated?.nodes).toEqual([fake.address]);
    expect(truncated?.message).toContain('lists 10,000 replica lines; the console reads the first 1,000');
    expect(node(run.last, fake.address).replicas).toHaveLength(MAX_REPLICA_LINES);
    expect(run.last.nodes.length).toBeLessThanOrEqual(1000);
    expect(codes(run.last)).toContain('TOO_MANY_NODES');
  });

  it('10,000 replica lines read first fill the cap, and a real master\'s replicas still get their share of it', async () => {
    const fake = await fakeWith(scenario.manyReplicas(10_000));
    const group = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const members = ['master', 'replica-1', 'replica-2'].map((name) => group.address(name));
    const engine = own(new ReplicationEngine({ commandTimeoutMs: 500 }));
    // The real master answers only once the fake's lines have taken every place.
    group.pause('master');
    const first = await engine.connect({ seeds: [fake.address, group.address('master')], pollIntervalMs: 250 });
    expect(first.nodes.length).toBeGreaterThanOrEqual(1000);
    expect(node(first, group.address('master')).reachable).toBe(false);
    group.resume('master');
    const { snapshot } = await waitForTick(
      engine,
      (u) => members.every((address) => u.snapshot.nodes.some((n) => n.address === address && n.reachable)),
      10_000,
      'the real master and both its replicas, reachable',
    );
    expect(snapshot.nodes.length).toBeLessThanOrEqual(1000 + 1);
    expect(node(snapshot, group.address('replica-1')).master).toBe(group.address('master'));
    expect(codes(snapshot)).toContain('TOO_MANY_NODES');
  });

  it('EngineOptions.maxNodes caps the graph, and TOO_MANY_NODES says how many addresses are not dialled', async () => {
    const fake = await fakeWith(scenario.manyReplicas(500));
    const engine = own(new ReplicationEngine({ maxNodes: 20 }));
    const first = await engine.connect({ seeds: [fake.address, real], pollIntervalMs: 250 });
    expect(first.nodes).toHaveLength(20);
    const { snapshot } = await waitForTick(engine, (u) => u.snapshot.seq >= first.seq + 4, 5000, 'four more ticks');
    expect(snapshot.nodes).toHaveLength(20);
    const warning = snapshot.warnings.find((w) => w.code === 'TOO_MANY_NODES');
    expect(warning?.nodes).toEqual([fake.address]);
    expect(warning?.message).toContain('reached 20 nodes, the most the console follows (maxNodes 20): 482 more listed addresses are not dialled');
  });

  it('a replica list that changes on every poll: the graph stays small, CHURNING_REPLICAS names the master', async () => {
    const fake = await fakeWith(scenario.churningReplicas(20));
    const run = await runBeside(fake, real);
    // Measured before: +20 nodes a poll without end (1,802 nodes after 90 s).
    expectBounded(run, real, { tickBytes: MB, rss: 200 * MB, connectMs: 2000 });
    const sizes = run.ticks.map(({ snapshot }) => snapshot.nodes.length);
    // The fake, the real node, this poll's 20 and a few polls' worth waiting to be dropped.
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2 + 20 * 6);
    const churning = run.last.warnings.filter((w) => w.code === 'CHURNING_REPLICAS');
    expect(churning.map((w) => w.nodes)).toEqual([[fake.address]]);
    expect(fake.infoCalls('replication')).toBeGreaterThanOrEqual(WATCHED_TICKS / 2);
  });

  it('a 20 MB field: cut in every tick, INFO_TRUNCATED, and the node read less often instead of the real one late', async () => {
    const bytes = 20 * MB;
    const fake = await fakeWith(scenario.hugeField(bytes));
    const run = await runBeside(fake, real);
    // Measured before: 20 MB in every tick, +297 MB RSS.
    expectBounded(run, real, { tickBytes: 64 * 1024, rss: 300 * MB, connectMs: 4000 });
    // The cut value, as the details panel asks for it (a read that timed out under load leaves no fields until the retry).
    const note = await until('a reading of the fake', async () => run.engine.rawReplication(fake.address).fields?.['x_proxy_note']);
    expect(note).toBe(`${'A'.repeat(MAX_FIELD_CHARS)}… [cut: ${bytes} characters]`);
    const warning = run.last.warnings.find((w) => w.code === 'INFO_TRUNCATED');
    expect(warning?.nodes).toEqual([fake.address]);
    expect(warning?.message).toContain(`x_proxy_note (${new Intl.NumberFormat('en').format(bytes)} characters)`);
    expect(warning?.message).toContain('read once every 20 polls');
    // Read at connect and then once every 20 polls, not once a second (a read that timed out is retried).
    expect(fake.infoCalls('replication')).toBeLessThanOrEqual(5);
  });

  it('eight replicas answering 8 MB each: the engine keeps what the caps allow of their readings, not the replies', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heap = (): number => {
      for (let i = 0; i < 3; i++) gc();
      return process.memoryUsage().heapUsed;
    };
    const [host, port] = [real.slice(0, real.lastIndexOf(':')), real.slice(real.lastIndexOf(':') + 1)];
    // Each a replica of the real node, the huge field ahead of what its record keeps as strings:
    // the reading itself, and as masterAddressReading and masterOf.reading.
    const reply = (i: number): string =>
      ['role:slave', `x_proxy_note:${'A'.repeat(8 * MB)}`, `master_host:${host}`, `master_port:${port}`, 'master_link_status:up', `master_replid:${String(i).padStart(40, 'c')}`, 'slave_repl_offset:1'].join('\n');
    const fakes = await Promise.all(Array.from({ length: 8 }, (_, i) => FakeRespServer.start({ info: { replication: reply(i) } }).then(own)));
    const before = heap();
    const run = await runBeside(fakes, real);
    for (const fake of fakes) expect(node(run.last, fake.address).master).toBe(real);
    // The least of three ticks: a reply read at the moment of a measurement is not what is kept.
    const kept: number[] = [];
    for (let i = 0; i < 3; i++) {
      await waitForTick(run.engine, () => true, 5 * INTERVAL);
      kept.push(heap() - before);
    }
    // Measured before: 129 MB (each record kept two replies: its reading and an older one as masterAddressReading); now 1.1 MB.
    expect(Math.min(...kept)).toBeLessThan(24 * MB);
  });

  // Two hostile servers in one session (a session of its own each proved nothing more and cost
  // ten 1 s ticks): each warning names only its own server.
  it('a master that lists itself: DUPLICATE_ADDRESS on that master, no node twice; two replicas announcing one address: DUPLICATE_ADDRESS naming the master and the address', async () => {
    const self = own(await FakeRespServer.start());
    self.setInfo('replication', scenario.listsItself(self.port));
    const pair = await fakeWith(scenario.twoReplicasOneAddress('127.77.255.1', 6379));
    const run = await runBeside([self, pair], real);
    expectBounded(run, real, { tickBytes: 64 * 1024, rss: 100 * MB, connectMs: 2000 });
    const duplicate = run.last.warnings.filter((w) => w.code === 'DUPLICATE_ADDRESS');
    const itself = duplicate.filter((w) => w.nodes[0] === self.address);
    expect(itself.map((w) => w.nodes)).toEqual([[self.address]]);
    expect(itself[0]?.message).toContain('replica-announce-ip and replica-announce-port');
    expect(new Set(run.last.nodes.map((n) => n.address)).size).toBe(run.last.nodes.length);
    expect(run.last.edges.some((e) => e.master === e.replica)).toBe(false);
    const shared = duplicate.filter((w) => w.nodes[0] === pair.address);
    expect(shared.map((w) => w.nodes)).toEqual([[pair.address, '127.77.255.1:6379']]);
    expect(shared[0]?.message).toContain('lists 2 replicas at one address, 127.77.255.1:6379');
    expect(run.last.nodes.filter((n) => n.address === '127.77.255.1:6379')).toHaveLength(1);
    // No other DUPLICATE_ADDRESS: neither server's warning names the other, nor the real node.
    expect(duplicate).toHaveLength(2);
  });
});

describe('the same misconfigurations on real servers', () => {
  async function announce(lab: Lab, replica: string, port: number): Promise<void> {
    const client = new Redis(lab.port(replica), '127.0.0.1');
    try {
      await client.config('SET', 'replica-announce-port', String(port));
      // The master learns the announced port when the replica reconnects.
      await client.replicaof('NO', 'ONE');
      await client.replicaof('127.0.0.1', lab.port('master'));
    } finally {
      client.disconnect();
    }
  }

  it('a replica announcing its master’s port makes the master list itself: DUPLICATE_ADDRESS', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    await announce(lab, 'replica-1', lab.port('master'));
    await lab.waitForLinks();
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: 250 });
    const { snapshot } = await waitForTick(engine, (u) => codes(u.snapshot).includes('DUPLICATE_ADDRESS'), 10_000, 'DUPLICATE_ADDRESS');
    const duplicate = snapshot.warnings.filter((w) => w.code === 'DUPLICATE_ADDRESS');
    expect(duplicate.map((w) => w.nodes)).toEqual([[lab.address('master')]]);
    expect(duplicate[0]?.message).toContain(`lists its own address ${lab.address('master')}`);
  });

  it('two replicas announcing one port: DUPLICATE_ADDRESS naming the master and that address', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    await announce(lab, 'replica-2', lab.port('replica-1'));
    await lab.waitForLinks();
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: 250 });
    const { snapshot } = await waitForTick(engine, (u) => codes(u.snapshot).includes('DUPLICATE_ADDRESS'), 10_000, 'DUPLICATE_ADDRESS');
    const duplicate = snapshot.warnings.filter((w) => w.code === 'DUPLICATE_ADDRESS');
    expect(duplicate.map((w) => w.nodes)).toEqual([[lab.address('master'), lab.address('replica-1')]]);
    expect(duplicate[0]?.message).toContain(`lists 2 replicas at one address, ${lab.address('replica-1')}`);
  });
});
