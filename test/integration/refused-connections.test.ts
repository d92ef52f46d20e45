// A server that is up but refuses new connections says why as it accepts them, then closes:
// "-ERR max number of clients reached" (maxclients) or "-DENIED … protected mode …". ioredis
// hands that line to its own first command, so the console only saw "connection closed", and
// read a master out of clients as down: "MASTER_DOWN … → fail over", with its replica still
// linked to it and its clients still writing. Real servers here.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ReplicationEngine } from '../../electron/engine/engine';
import { freePort } from '../../electron/lab/free-port';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { check, direct, harness } from '../helpers/actions';
import { waitForTick, node } from '../helpers/engine';
import { disposeAfterEach } from '../helpers/dispose';
import { until } from '../helpers/until';

const own = disposeAfterEach();

const ALL_CODES = (warnings: { code: string; folded?: { code: string }[] }[]): string[] => warnings.flatMap((w) => [w.code, ...(w.folded ?? []).map((f) => f.code)]);

describe('a node that refuses new connections', () => {
  it('out of clients (maxclients): MAX_CLIENTS, MASTER_REFUSES "not down, do not fail over", the lag read past it; read again once a slot is free', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const [master, r1] = ['master', 'replica-1'].map((n) => lab.address(n)) as [string, string];
    await lab.waitForLinks();
    // Every slot taken: this client (connected_clients counts it, not the replicas) and the two
    // replicas' links, which the limit counts too.
    const admin = direct(lab, 'master');
    own({ close: async () => admin.disconnect() });
    const clients = Number(/connected_clients:(\d+)/.exec(await admin.info('clients'))?.[1]);
    await admin.config('SET', 'maxclients', String(clients));
    const refused = new Redis({ port: lab.port('master'), lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    refused.on('error', () => undefined);
    await expect(refused.ping()).rejects.toThrow();
    refused.disconnect();

    const h = own(await harness(lab, 'replica-1'));
    const { snapshot } = await waitForTick(h.engine, (u) => node(u.snapshot, master).error?.code === 'MAX_CLIENTS', 10_000, 'the master read as out of clients');
    expect(node(snapshot, master)).toMatchObject({ reachable: false, error: { message: expect.stringMatching(/is up but refuses new connections: max number of clients reached \(maxclients\)/) } });
    const headline = snapshot.warnings.find((w) => w.code === 'MASTER_REFUSES');
    expect(snapshot.warnings.map((w) => w.code)).not.toContain('MASTER_DOWN');
    expect(headline?.message).toMatch(/It is not down, the console cannot read it/);
    // Seeded from replica-1, the console knows only it: replica-2 is named in the master's INFO, which it cannot read.
    expect(headline?.message).toContain(`its replica ${r1} still has its link to it up → do not fail over a master that still serves its clients`);
    expect(headline?.message).not.toMatch(/→ fail over/);
    // Not "nothing reaches them past it" (their links are up, data flows), not a wrong address.
    expect(ALL_CODES(snapshot.warnings)).not.toContain('STALLED_UPSTREAM');
    expect(ALL_CODES(snapshot.warnings)).not.toContain('ADDRESS_MISMATCH');
    expect(node(snapshot, r1).lag?.behindBecauseOf).toBeNull();
    expect(snapshot.edges.filter((e) => e.master === master).map((e) => e.health)).toEqual(['up']);

    // Emergency failover refuses: it is running.
    const plan = await h.actions.plan({ kind: 'failover' });
    expect(check(plan, 'MASTER_REACHABLE')).toMatchObject({ verdict: 'refused', overridable: true, message: expect.stringMatching(/is running/) });

    // A slot freed: read again, and nothing of it is left.
    await admin.config('SET', 'maxclients', '10000');
    const back = await waitForTick(h.engine, (u) => node(u.snapshot, master).reachable, 10_000, 'the master read again');
    expect(back.snapshot.warnings.map((w) => w.code)).not.toContain('MASTER_REFUSES');
  });

  it('a replica out of clients from the start (never read, not remembered) is drawn under the master that lists it, and a switchover re-points it not', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const [master, r1, r2] = ['master', 'replica-1', 'replica-2'].map((n) => lab.address(n)) as [string, string, string];
    await lab.waitForLinks();
    const admin = direct(lab, 'replica-2');
    own({ close: async () => admin.disconnect() });
    const clients = Number(/connected_clients:(\d+)/.exec(await admin.info('clients'))?.[1]);
    await admin.config('SET', 'maxclients', String(clients));

    const h = own(await harness(lab, 'master'));
    const { snapshot } = await waitForTick(h.engine, (u) => node(u.snapshot, r2).error?.code === 'MAX_CLIENTS', 10_000, 'replica-2 read as out of clients');
    // It was a root of its own, as if it replicated from nothing, and no plan counted it.
    expect(node(snapshot, r2)).toMatchObject({ reachable: false, role: 'replica', master, remembered: false });
    expect(snapshot.edges.find((e) => e.replica === r2)).toEqual({ master, replica: r2, health: 'up' });
    const plan = await h.actions.plan({ kind: 'switchover', to: r1 });
    expect(check(plan, 'UNREACHABLE_REPLICA')).toMatchObject({ verdict: 'warning', message: expect.stringContaining(`${r2} cannot be reached and is not re-pointed`) });
  });

  it('busy in a script: its BUSY reply is the reason shown (SCRIPT KILL), not "did not answer within …"', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1), extraArgs: ['--busy-reply-threshold', '100'] }));
    const master = lab.address('master');
    const engine = own(new ReplicationEngine({ connectTimeoutMs: 1000, commandTimeoutMs: 1000 }));
    await engine.connect({ seeds: [master], pollIntervalMs: 250 });
    const script = direct(lab, 'master');
    own({ close: async () => script.disconnect() });
    const running = script.eval('while true do end', 0).catch((error: Error) => error);
    try {
      const { snapshot } = await waitForTick(engine, (u) => /busy running a script/.test(node(u.snapshot, master).error?.message ?? ''), 10_000, 'the master read as busy');
      expect(node(snapshot, master).error).toEqual({
        code: 'TIMEOUT',
        message: `${master} is busy running a script or function (BUSY): it answers nothing else until that ends, or SCRIPT KILL / FUNCTION KILL stops it`,
      });
    } finally {
      // No ready check: it would be answered BUSY too.
      const killer = new Redis({ port: lab.port('master'), enableReadyCheck: false, maxRetriesPerRequest: 1, retryStrategy: () => null });
      killer.on('error', () => undefined);
      await killer.script('KILL').catch(() => undefined);
      killer.disconnect();
    }
    expect(String(await running)).toMatch(/killed by user/i);
    await waitForTick(engine, (u) => node(u.snapshot, master).reachable, 10_000, 'the master read again');
  });

  it('a wrong password is kept out of the message without cutting it out of its words (a short one was told by where *** fell)', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(0), password: 'the-right-one' }));
    const master = lab.address('master');
    const engine = own(new ReplicationEngine({ connectTimeoutMs: 1000, commandTimeoutMs: 1000 }));
    // A letter, and words of the message itself: "(*** user name or password)" told the password was "wrong".
    for (const password of ['e', 'wrong', 'password']) {
      const failure = await engine.connect({ seeds: [master], password, pollIntervalMs: 250 }).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: 'AUTH_FAILED', message: expect.stringContaining('authentication failed (wrong user name or password)') });
      expect((failure as Error).message).not.toContain('***');
    }
  });

  it('with INFO disabled (rename-command): NOPERM, up but unreadable, not an internal error', async () => {
    // Not a lab node: the lab reads INFO to know its servers are up.
    const port = await freePort();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rc-no-info-'));
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--rename-command', 'INFO', ''], { stdio: 'ignore' });
    own({ close: async () => void (server.kill('SIGKILL'), await rm(dir, { recursive: true, force: true })) });
    // A client per try: one that found the port closed (the server not listening yet) stays closed.
    await until('the server answers PING', async () => {
      const probe = new Redis({ port, lazyConnect: true, enableReadyCheck: false, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        return (await probe.ping().catch(() => null)) === 'PONG' ? true : undefined;
      } finally {
        probe.disconnect();
      }
    });
    const master = `127.0.0.1:${port}`;
    const engine = own(new ReplicationEngine({ connectTimeoutMs: 1000, commandTimeoutMs: 1000 }));
    await expect(engine.connect({ seeds: [master], pollIntervalMs: 250 })).rejects.toMatchObject({
      code: 'NOPERM',
      message: `${master} has INFO renamed or disabled (rename-command): it is up, but the console reads a node through INFO and cannot read this one. Give INFO back its name in the server's configuration (rename-command, read at start)`,
    });
  });

  it('in protected mode (no password, reached from another address): PROTECTED_MODE, with how to reach it', async () => {
    // Protected mode refuses connections that do not come from the loopback interface: this
    // machine's own non-loopback address is one.
    const address = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    expect(address, 'this test needs a non-loopback IPv4 address on the machine').toBeDefined();
    const lab = own(await Lab.start({ nodes: masterWithReplicas(0), extraArgs: ['--bind', '127.0.0.1', address!, '--protected-mode', 'yes'] }));
    const seed = `${address}:${lab.port('master')}`;
    const engine = own(new ReplicationEngine({ connectTimeoutMs: 1000, commandTimeoutMs: 1000 }));
    await expect(engine.connect({ seeds: [seed], pollIntervalMs: 250 })).rejects.toMatchObject({
      code: 'PROTECTED_MODE',
      message: expect.stringMatching(new RegExp(`^${seed.replace(/\./g, '\\.')} is up but in protected mode: with no password set, it takes connections only from its own host`)),
    });
    // The same server over loopback answers: the refusal is protected mode's, not a dead port.
    const local = direct(lab, 'master');
    own({ close: async () => local.disconnect() });
    expect(await local.ping()).toBe('PONG');
  });
});
