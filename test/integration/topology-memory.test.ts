// Topology memory on real servers: a node seen once stays in the graph (remembered, with when
// it was last seen) and is dialled until it answers; a replica restarted alone still shows;
// forgetting is the user's act, from the engine (UI) or the CLI.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ConsoleService } from '../../electron/app/service';
import { ReplicationEngine } from '../../electron/engine/engine';
import { MEMORY_FILE } from '../../electron/engine/topology-memory';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { disposeAfterEach } from '../helpers/dispose';
import { node, waitForTick } from '../helpers/engine';
import { replication } from '../helpers/actions';
import { runCli, type CliRun } from '../helpers/cli';
import { forwardTo } from '../helpers/port-forward';
import { until } from '../helpers/until';

const own = disposeAfterEach();

function tempDir(): { dir: string; close(): Promise<void> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-memory-it-'));
  return { dir, close: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** One session of the console over the lab, remembering in `dir`; closed (memory written) before returning. */
async function session(dir: string, seed: string): Promise<void> {
  const engine = new ReplicationEngine({ memoryDir: dir, connectTimeoutMs: 800, commandTimeoutMs: 800 });
  try {
    await engine.connect({ seeds: [seed], pollIntervalMs: 200 });
  } finally {
    await engine.disconnect();
  }
}

/** The CLI with a data directory of the test's choosing. */
function cli(args: string[], dataDir: string): Promise<CliRun> {
  return runCli(args, { env: { REPLICATION_CONSOLE_DATA_DIR: dataDir, NO_COLOR: '1' } });
}

describe('topology memory', () => {
  it('a fresh topology shows a remembered replica that came back as a lone master', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const { dir } = own(tempDir());
    await session(dir, lab.address('master'));
    await lab.restart('replica-2', { asLoneMaster: true });

    // Without memory, the master's list is all there is: replica-2 is missing.
    const blind = own(new ReplicationEngine({ connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    const before = await blind.connect({ seeds: [lab.address('master')], pollIntervalMs: 200 });
    expect(before.nodes.map((n) => n.address)).not.toContain(lab.address('replica-2'));

    const engine = own(new ReplicationEngine({ memoryDir: dir, connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    const snapshot = await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: 200 });
    expect(node(snapshot, lab.address('replica-2'))).toMatchObject({ reachable: true, role: 'master', master: null, remembered: false });
    expect(node(snapshot, lab.address('replica-1'))).toMatchObject({ role: 'replica', master: lab.address('master') });
  });

  it('a console started after the fact still knows a master had no persistence: down, not to be restarted; restarted, its data lost', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const { dir } = own(tempDir());
    const master = lab.address('master');
    const writer = new Redis(lab.port('master'), '127.0.0.1');
    for (let i = 0; i < 100; i++) await writer.set(`k:${i}`, 'v');
    writer.disconnect();
    await lab.waitForLinks();
    await session(dir, master);
    expect(JSON.parse(fs.readFileSync(path.join(dir, MEMORY_FILE), 'utf8')).nodes.find((n: { address: string }) => n.address === master)).toMatchObject({ noPersistence: true });

    // Down, read by a console that never saw it answer (a one-shot topology): fail over first, do not restart it.
    await lab.kill('master');
    const down = own(new ReplicationEngine({ memoryDir: dir, connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    await down.connect({ seeds: [lab.address('replica-1')], pollIntervalMs: 200 });
    const headline = (await waitForTick(down, (u) => u.snapshot.warnings.some((w) => w.code === 'MASTER_DOWN'), 10_000, 'MASTER_DOWN')).snapshot.warnings.find((w) => w.code === 'MASTER_DOWN');
    expect(headline?.message).toContain(`fail over first, do NOT restart ${master} before that: it has no persistence`);
    await down.disconnect();

    // Restarted anyway while no console ran: the replicas took its empty dataset. The next console says so.
    await lab.restart('master');
    await lab.waitForLinks();
    await until('replica-1 wiped', async () => {
      const client = new Redis(lab.port('replica-1'), '127.0.0.1');
      try {
        return (await client.dbsize()) === 0 ? true : undefined;
      } finally {
        client.disconnect();
      }
    });
    const later = own(new ReplicationEngine({ memoryDir: dir, connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    await later.connect({ seeds: [master], pollIntervalMs: 200 });
    const loss = (await waitForTick(later, (u) => u.snapshot.warnings.some((w) => w.code === 'MASTER_RESTARTED_EMPTY'), 5_000, 'MASTER_RESTARTED_EMPTY')).snapshot.warnings[0];
    expect(loss?.code).toBe('MASTER_RESTARTED_EMPTY');
    expect(loss?.message).toMatch(/then replaced their data with its empty dataset/);
    expect(loss?.nodes.slice(1).sort()).toEqual([lab.address('replica-1'), lab.address('replica-2')].sort());
    await later.disconnect();

    // The second to look (memory now has the new run_id) is not told all is well: the loss was kept with the master.
    const second = own(new ReplicationEngine({ memoryDir: dir, connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    const first = await second.connect({ seeds: [master], pollIntervalMs: 200 });
    expect(first.warnings[0]).toMatchObject({ code: 'MASTER_RESTARTED_EMPTY', message: loss?.message });
    expect(first.warnings.map((w) => w.code)).not.toContain('MASTER_NO_PERSISTENCE');
    await second.disconnect();

    // Memory holds every topology this machine watched: another one, with the same memory, is not told of that loss.
    const other = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const elsewhere = own(new ReplicationEngine({ memoryDir: dir, connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    const unrelated = await elsewhere.connect({ seeds: [other.address('master')], pollIntervalMs: 200 });
    const ticked = await waitForTick(elsewhere, (u) => u.snapshot.seq > unrelated.seq + 2, 5_000, 'three more ticks');
    for (const snapshot of [unrelated, ticked.snapshot]) expect(snapshot.warnings.map((w) => w.code)).not.toContain('MASTER_RESTARTED_EMPTY');
  });

  it('keeps an unreachable node as remembered, dials it until it answers, and forgets it only when told', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const { dir } = own(tempDir());
    const seenFrom = Date.now();
    await session(dir, lab.address('master'));
    const seenUntil = Date.now();
    expect(fs.existsSync(path.join(dir, MEMORY_FILE))).toBe(true);
    const r1 = lab.address('replica-1');
    await lab.kill('replica-1');

    const engine = own(new ReplicationEngine({ memoryDir: dir, connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    const snapshot = await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: 200 });
    const remembered = node(snapshot, r1);
    expect(remembered).toMatchObject({ reachable: false, remembered: true });
    expect(remembered.lastSeenAt).toBeGreaterThanOrEqual(seenFrom);
    expect(remembered.lastSeenAt).toBeLessThanOrEqual(seenUntil);

    // Dialled each poll: it is back in the graph as a live replica once it runs again.
    await lab.restart('replica-1');
    await waitForTick(engine, ({ snapshot: s }) => s.nodes.some((n) => n.address === r1 && n.reachable && n.role === 'replica'), 15_000, 'replica-1 back');
    expect(() => engine.forget(r1)).toThrow(/answers now/);

    await lab.kill('replica-1');
    await waitForTick(engine, ({ snapshot: s }) => s.nodes.some((n) => n.address === r1 && n.remembered), 15_000, 'replica-1 remembered again');
    const after = engine.forget(r1);
    expect(after.nodes.map((n) => n.address)).not.toContain(r1);
    await engine.disconnect();

    const fresh = own(new ReplicationEngine({ memoryDir: dir, connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    const later = await fresh.connect({ seeds: [lab.address('master')], pollIntervalMs: 200 });
    expect(later.nodes.map((n) => n.address)).not.toContain(r1);
  });

  it('the CLI shows remembered nodes and forgets one on request', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const { dir } = own(tempDir());
    const r2 = lab.address('replica-2');
    expect((await cli(['topology', '--seed', lab.address('master')], dir)).code).toBe(0);
    await lab.kill('replica-2');

    const json = await cli(['topology', '--seed', lab.address('master'), '--format', 'json'], dir);
    expect(json.code).toBe(0);
    const listed = (JSON.parse(json.stdout) as { nodes: { address: string; remembered: boolean; lastSeenAt: string | null }[] }).nodes;
    expect(listed.find((n) => n.address === r2)).toMatchObject({ remembered: true, lastSeenAt: expect.stringMatching(/^\d{4}-/) });
    const tree = await cli(['topology', '--seed', lab.address('master')], dir);
    expect(tree.stdout).toMatch(new RegExp(`${r2}.*remembered, last seen`));

    const forgot = await cli(['forget', r2], dir);
    expect(forgot).toMatchObject({ code: 0, stdout: expect.stringContaining(`forgot ${r2}`) });
    expect((await cli(['forget', r2], dir)).code).toBe(2);
    const after = await cli(['topology', '--seed', lab.address('master'), '--format', 'json'], dir);
    expect(after.stdout).not.toContain(r2);
  });

  it('a node forgotten with the CLI beside a running console leaves that console too, and is not written back', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const { dir } = own(tempDir());
    const r2 = lab.address('replica-2');
    const engine = own(new ReplicationEngine({ memoryDir: dir, connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: 200 });
    await lab.kill('replica-2');
    await waitForTick(engine, ({ snapshot: s }) => s.nodes.some((n) => n.address === r2 && !n.reachable), 15_000, 'replica-2 down');

    // serve (or the desktop app) keeps running; the operator decommissions the node from a shell.
    expect(await cli(['forget', r2], dir)).toMatchObject({ code: 0, stdout: expect.stringContaining(`forgot ${r2}`) });
    await waitForTick(engine, ({ snapshot: s }) => !s.nodes.some((n) => n.address === r2), 15_000, 'replica-2 gone from the running console');
    // Ticks later, the running console has not put it back in the file.
    await waitForTick(engine, ({ snapshot: s }) => s.seq >= 5, 15_000, 'a few more ticks');
    await engine.refresh();
    const file = JSON.parse(fs.readFileSync(path.join(dir, MEMORY_FILE), 'utf8')) as { nodes: { address: string }[]; forgotten: { address: string }[] };
    expect(file.nodes.map((n) => n.address)).not.toContain(r2);
    expect(file.forgotten.map((f) => f.address)).toContain(r2);
    expect((await engine.refresh()).nodes.map((n) => n.address)).not.toContain(r2);
  });

  it('the app forgets a remembered node through the topology:forget channel', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const { dir } = own(tempDir());
    await session(dir, lab.address('master'));
    await lab.kill('replica-2');
    const r2 = lab.address('replica-2');
    // The desktop and web front ends remember in the data directory their audit log is in.
    const service = own(new ConsoleService({ interface: 'web', auditDir: dir }));
    const connected = await service.invoke('topology:connect', [{ seeds: [lab.address('master')], pollIntervalMs: 200 }]);
    expect(connected.ok && (connected.value as { nodes: { address: string; remembered: boolean }[] }).nodes.find((n) => n.address === r2)).toMatchObject({ remembered: true });
    expect(await service.invoke('topology:forget', ['not an address'])).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } });
    // Its INFO fields, as the details panel asks for them: none for a node remembered but not answering.
    expect(await service.invoke('node:raw-replication', [r2])).toMatchObject({ ok: true, value: { address: r2, fields: null } });
    expect(await service.invoke('node:raw-replication', [lab.address('master')])).toMatchObject({ ok: true, value: { fields: { role: 'master' } } });
    expect(await service.invoke('node:raw-replication', ['not an address'])).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } });
    expect(await service.invoke('topology:forget', [lab.address('master')])).toMatchObject({ ok: false, error: { message: expect.stringMatching(/answers now/) } });
    const forgotten = await service.invoke('topology:forget', [r2]);
    expect(forgotten.ok).toBe(true);
    expect(JSON.stringify(forgotten)).not.toContain(r2);
    const memory = JSON.parse(fs.readFileSync(path.join(dir, MEMORY_FILE), 'utf8')) as { nodes: { address: string }[] };
    expect(memory.nodes.map((n) => n.address)).not.toContain(r2);
  });

  it('seeded from the replica promoted after a failover, a later console still dials the old master, and sees two masters once it is back', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const { dir } = own(tempDir());
    const [master, r1, r2] = ['master', 'replica-1', 'replica-2'].map((n) => lab.address(n)) as [string, string, string];
    await session(dir, master);
    // A failover by hand: the master dies, replica-1 is promoted, replica-2 follows it.
    await lab.kill('master');
    const promoted = new Redis(lab.port('replica-1'), '127.0.0.1');
    await promoted.replicaof('NO', 'ONE');
    promoted.disconnect();
    const follower = new Redis(lab.port('replica-2'), '127.0.0.1');
    await follower.replicaof('127.0.0.1', lab.port('replica-1'));
    await until('replica-2 linked to replica-1', async () => ((await follower.info('replication')).includes('master_link_status:up') ? true : undefined));
    follower.disconnect();
    // A console that saw the promotion (the one that ran the failover, or any after it): memory
    // now has replica-1 as a master, and no node replicating from the old one.
    await session(dir, r1);

    const engine = own(new ReplicationEngine({ memoryDir: dir, connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    const snapshot = await engine.connect({ seeds: [r1], pollIntervalMs: 200 });
    expect(node(snapshot, master)).toMatchObject({ reachable: false, remembered: true });
    expect(node(snapshot, r2)).toMatchObject({ role: 'replica', master: r1 });
    // Restarted by something that does not know of the failover: a second master, seen at once.
    await lab.restart('master');
    const { snapshot: split } = await waitForTick(engine, (u) => u.snapshot.warnings.some((w) => w.code === 'MULTIPLE_MASTERS'), 10_000, 'MULTIPLE_MASTERS');
    expect(split.warnings.find((w) => w.code === 'MULTIPLE_MASTERS')?.nodes.sort()).toEqual([master, r1].sort());
    // Said as what it is: the old master, back, and how to make it follow (not "a replica restarted without its replicaof").
    // The lab saves nothing, so it came back empty: not offered as the side to keep.
    const message = split.warnings.find((w) => w.code === 'MULTIPLE_MASTERS')?.message;
    expect(message).toContain(
      `${master} is the master ${r1} was promoted off (as the console remembers it), back as a master beside it, empty: it loaded no keys when it started and has taken no writes since. ` +
        `Make it a replica of ${r1} (REPLICAOF 127.0.0.1 ${lab.port('replica-1')} on ${master}); keeping it would replace the data of ${r1}'s side with nothing.`,
    );
    expect(message).not.toContain('or keep it');
  });

  it('a node known at two addresses is dialled at the one that still answers, in this session and the next', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const { dir } = own(tempDir());
    const [master, r1, r2] = ['master', 'replica-1', 'replica-2'].map((n) => lab.address(n)) as [string, string, string];
    // replica-1 through a port forward (the console's way in), and at its own port (as its master lists it): one node.
    const forward = own(await forwardTo(lab.port('replica-1')));
    const engine = own(new ReplicationEngine({ memoryDir: dir, connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    const first = await engine.connect({ seeds: [forward.address, master], pollIntervalMs: 200 });
    expect(node(first, forward.address)).toMatchObject({ reachable: true, aliases: [r1] });

    // The forward goes; the server runs on, its master lists it connected: it is read at its own port.
    await forward.close();
    const { snapshot } = await waitForTick(engine, (u) => u.snapshot.seq > first.seq + 10, 10_000, 'ten ticks without the forward');
    expect(node(snapshot, forward.address)).toMatchObject({ reachable: true, remembered: false, role: 'replica', master });
    await engine.disconnect();
    const remembered = (JSON.parse(fs.readFileSync(path.join(dir, MEMORY_FILE), 'utf8')) as { nodes: { address: string; aliases: string[] }[] }).nodes;
    expect(remembered.find((n) => n.address === r1)).toMatchObject({ aliases: [forward.address] });

    // The next session knows replica-1 from memory alone (its master is dead): it dials the address that answered last.
    await lab.kill('master');
    const next = own(new ReplicationEngine({ memoryDir: dir, connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    const later = await next.connect({ seeds: [r2], pollIntervalMs: 200 });
    expect(node(later, r1)).toMatchObject({ reachable: true, remembered: false, role: 'replica' });
    expect(later.nodes.map((n) => n.address)).not.toContain(forward.address);
  });

  it('a replica only its master lists (its announced address refuses the console) is listed, not remembered, while that master lists it', async () => {
    // Protected mode refuses what does not come over loopback: this machine's other address is such a way in.
    const host = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    expect(host, 'this test needs a non-loopback IPv4 address on the machine').toBeDefined();
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const { dir } = own(tempDir());
    const master = lab.address('master');
    const listedAs = `${host}:${lab.port('replica-2')}`;
    const replica = new Redis(lab.port('replica-2'), '127.0.0.1');
    await replica.config('SET', 'bind', `127.0.0.1 ${host}`);
    await replica.config('SET', 'protected-mode', 'yes');
    await replica.config('SET', 'replica-announce-ip', host!);
    replica.disconnect();
    // The announced address is sent when the replica connects: make it reconnect.
    const admin = new Redis(lab.port('master'), '127.0.0.1');
    await admin.client('KILL', 'TYPE', 'replica');
    admin.disconnect();
    await until('the master lists replica-2 at its announced address', async () => (Object.values(await replication(lab, 'master')).some((v) => v.startsWith(`ip=${host},`)) ? true : undefined));
    await lab.waitForLinks();

    const engine = own(new ReplicationEngine({ memoryDir: dir, connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    const first = await engine.connect({ seeds: [master], pollIntervalMs: 200 });
    const { snapshot } = await waitForTick(engine, (u) => u.snapshot.seq > first.seq + 3, 10_000, 'three more ticks');
    const listed = { reachable: false, error: { code: 'PROTECTED_MODE' }, role: 'replica', master, remembered: false, lastSeenAt: null };
    // Said as what it is from the first snapshot on: its master lists it, the console has never read it.
    for (const s of [first, snapshot]) expect(node(s, listedAs)).toMatchObject(listed);
    await engine.disconnect();
    // Memory keeps it as its master lists it, for a console started once that master is dead.
    const file = JSON.parse(fs.readFileSync(path.join(dir, MEMORY_FILE), 'utf8')) as { nodes: { address: string }[] };
    expect(file.nodes.find((n) => n.address === listedAs)).toMatchObject({ listedOnly: true, master });

    // The next console, its master listing it still: the same.
    const next = own(new ReplicationEngine({ memoryDir: dir, connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    expect(node(await next.connect({ seeds: [master], pollIntervalMs: 200 }), listedAs)).toMatchObject(listed);
    await next.disconnect();
    // Its master dead, memory alone knows it: remembered.
    await lab.kill('master');
    const after = own(new ReplicationEngine({ memoryDir: dir, connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    const down = await after.connect({ seeds: [lab.address('replica-1')], pollIntervalMs: 200 });
    expect(node(down, listedAs)).toMatchObject({ reachable: false, role: 'replica', master, remembered: true });
  });

  it('a node that stops answering has its last read written at once (a console started after it died says when)', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const { dir } = own(tempDir());
    const replica = lab.address('replica-1');
    const engine = own(new ReplicationEngine({ memoryDir: dir, connectTimeoutMs: 800, commandTimeoutMs: 800 }));
    const first = await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: 200 });
    // Read for a while: the file's lastSeenAt moves only once a minute while it answers.
    await waitForTick(engine, (u) => u.snapshot.seq >= first.seq + 20, 15_000, 'twenty more ticks');
    // The last read before the kill: the file must say at least that (a later read is fine).
    const readBefore = node(engine.snapshot()!, replica).polledAt!;
    await lab.kill('replica-1');
    await waitForTick(engine, (u) => node(u.snapshot, replica).reachable === false, 10_000, 'the replica unreachable');
    const remembered = JSON.parse(fs.readFileSync(path.join(dir, MEMORY_FILE), 'utf8')).nodes.find((n: { address: string }) => n.address === replica);
    // Its last read, not the session's first seconds (twenty ticks earlier).
    expect(remembered.lastSeenAt).toBeGreaterThanOrEqual(readBefore);
    expect(remembered.lastSeenAt).toBeLessThanOrEqual(Date.now());
  });

  it('an unreadable memory file is kept aside and reported as MEMORY_UNREADABLE', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const { dir } = own(tempDir());
    fs.writeFileSync(path.join(dir, MEMORY_FILE), 'not json');
    const engine = own(new ReplicationEngine({ memoryDir: dir }));
    const snapshot = await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: 200 });
    expect(snapshot.warnings.find((w) => w.code === 'MEMORY_UNREADABLE')?.message).toMatch(/kept aside as/);
    expect(fs.readdirSync(dir).some((f) => f.startsWith(`${MEMORY_FILE}.corrupt-`))).toBe(true);
  });
});
