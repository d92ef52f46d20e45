// The web mode with several topologies: two topologies over one WebSocket, every push tagged
// with its topology, a request naming none going to 'main', a bad id refused clearly; the
// renderer's WebSocket bridge routing each tab's ticks to that tab only; and a SIGTERM stopping
// a plan that runs in a second tab at a safe point.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConsoleHub } from '../../electron/app/console-hub';
import { Lab } from '../../electron/lab/lab';
import { startWebServer, type WebServer } from '../../electron/web/server';
import type { WirePush, WireResponse } from '../../electron/shared/schema';
import { isTickDelta, tickId, TickDecoder, type TickWire } from '../../electron/shared/tick-wire';
import type { TickUpdate, TopologySnapshot } from '../../electron/shared/types';
import { createWebSocketBridge, webSocketUrlFor, type WebSocketBridge } from '../../renderer/src/api/ws-client';

let lab: Lab;
let hub: ConsoleHub;
let server: WebServer;
let dir: string;
let a: string;
let b: string;

beforeAll(async () => {
  lab = await Lab.start({ nodes: [{ name: 'a' }, { name: 'a-replica', replicaOf: 'a' }, { name: 'b' }] });
  [a, b] = [lab.address('a'), lab.address('b')];
  dir = await mkdtemp(join(tmpdir(), 'rc-web-tabs-'));
  hub = new ConsoleHub({ service: { interface: 'web', auditDir: dir } });
  server = await startWebServer({ hub });
});

afterAll(async () => {
  await server?.close();
  await hub?.closeAll();
  await lab?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** One raw socket speaking the wire protocol, keeping every push and answer. */
class Client {
  readonly ws: WebSocket;
  readonly pushes: WirePush[] = [];
  readonly responses: WireResponse[] = [];
  #nextId = 1;

  constructor(url = server.url) {
    const { protocol, host, search } = new URL(url);
    this.ws = new WebSocket(webSocketUrlFor({ protocol, host, search }), { headers: { Origin: `${protocol}//${host}` } });
    this.ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as WirePush | WireResponse;
      if ('push' in message) this.pushes.push(message);
      else this.responses.push(message);
    });
  }

  async opened(): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN) await once(this.ws, 'open');
  }

  async call(request: { channel: string; args: unknown[]; topology?: unknown }): Promise<WireResponse['result']> {
    const id = this.#nextId++;
    this.ws.send(JSON.stringify({ id, ...request }));
    await expect.poll(() => this.responses.some((r) => r.id === id), { timeout: 15_000 }).toBe(true);
    const response = this.responses.find((r) => r.id === id);
    if (!response) throw new Error('unreachable');
    return response.result;
  }

  /** The topology's ticks as a page rebuilds them: the first whole, the others from differences. */
  ticksOf(topology: string): TickUpdate[] {
    const decoder = new TickDecoder(() => {
      throw new Error(`a difference for ${topology} that does not fit the tick before it`);
    });
    return this.pushes.flatMap((p) => (p.push === 'topology:tick' && p.topology === topology ? [decoder.decode(p.data)].filter((u) => u !== null) : []));
  }
}

const nodesOf = (update: TickUpdate): string[] => update.snapshot.nodes.map((n) => n.address).sort();

describe('web mode, several topologies', () => {
  it('carries two topologies over one WebSocket, each push tagged with its own', async () => {
    const client = new Client();
    await client.opened();
    try {
      const one = await client.call({ channel: 'topology:connect', topology: 'one', args: [{ seeds: [a], pollIntervalMs: 200 }] });
      const two = await client.call({ channel: 'topology:connect', topology: 'two', args: [{ seeds: [b], pollIntervalMs: 200 }] });
      expect(one.ok && (one.value as TopologySnapshot).nodes.length).toBe(2);
      expect(two.ok && (two.value as TopologySnapshot).nodes.map((n) => n.address)).toEqual([b]);

      await expect.poll(() => client.ticksOf('one').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      await expect.poll(() => client.ticksOf('two').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      expect(client.pushes.every((p) => p.topology === 'one' || p.topology === 'two')).toBe(true);
      for (const update of client.ticksOf('one')) expect(nodesOf(update)).toContain(a);
      for (const update of client.ticksOf('two')) expect(nodesOf(update)).toEqual([b]);

      // A request naming no topology is the first tab's ('main'): old clients keep working.
      expect(await client.call({ channel: 'topology:get', args: [] })).toEqual({ ok: true, value: null });
      expect(await client.call({ channel: 'topology:list', args: [] })).toEqual({ ok: true, value: ['one', 'two', 'main'] });

      // Closing one: its ticks stop, the other's go on.
      expect(await client.call({ channel: 'topology:close', topology: 'one', args: [] })).toEqual({ ok: true, value: null });
      const oneAtClose = client.ticksOf('one').length;
      const twoAtClose = client.ticksOf('two').length;
      await expect.poll(() => client.ticksOf('two').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(twoAtClose + 3);
      expect(client.ticksOf('one').length).toBe(oneAtClose);
      expect(await client.call({ channel: 'topology:close', topology: 'two', args: [] })).toEqual({ ok: true, value: null });
    } finally {
      client.ws.close();
    }
  });

  it('sends ticks as differences that rebuild the engine’s own, through writes, a replica killed and back, and a late client', async () => {
    const whole = new Map<string, unknown>();
    const stopWhole = hub.onTick((topology, update) => topology === 'deltas' && whole.set(tickId(update.snapshot), JSON.parse(JSON.stringify(update))));
    const early = new Client();
    const late = new Client();
    const writer = new Redis(lab.port('a'), '127.0.0.1');
    try {
      await early.opened();
      await early.call({ channel: 'topology:connect', topology: 'deltas', args: [{ seeds: [a], pollIntervalMs: 200 }] });
      await writer.set('k', 'v'.repeat(1000));
      await expect.poll(() => early.ticksOf('deltas').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
      await late.opened();
      await lab.kill('a-replica');
      await expect.poll(() => early.ticksOf('deltas').at(-1)?.snapshot.nodes.find((n) => n.address === lab.address('a-replica'))?.reachable, { timeout: 10_000 }).toBe(false);
      await lab.restart('a-replica');
      await writer.set('k2', 'w');
      await expect.poll(() => early.ticksOf('deltas').at(-1)?.snapshot.nodes.find((n) => n.address === lab.address('a-replica'))?.linkStatus, { timeout: 20_000 }).toBe('up');
      await expect.poll(() => late.ticksOf('deltas').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);

      for (const client of [early, late]) {
        const forms = client.pushes.filter((p) => p.push === 'topology:tick' && p.topology === 'deltas').map((p) => (isTickDelta(p.data as TickWire) ? 'delta' : 'whole'));
        // Whole once (the first tick a client gets), differences after.
        expect(forms[0]).toBe('whole');
        expect(forms.slice(1).every((form) => form === 'delta')).toBe(true);
        for (const update of client.ticksOf('deltas')) expect(update, tickId(update.snapshot)).toEqual(whole.get(tickId(update.snapshot)));
      }
      expect(await early.call({ channel: 'topology:close', topology: 'deltas', args: [] })).toEqual({ ok: true, value: null });
    } finally {
      stopWhole();
      writer.disconnect();
      early.ws.close();
      late.ws.close();
    }
  });

  it('refuses a bad topology id with a clear message, answering the request by its id', async () => {
    const client = new Client();
    await client.opened();
    try {
      for (const topology of ['', 'no spaces', 'x'.repeat(37), 5, { id: 'main' }]) {
        const result = await client.call({ channel: 'topology:get', topology, args: [] });
        expect(result).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT', message: expect.stringMatching(/^Invalid topology id .*: 1 to 36 letters, digits, "_" or "-"$/) } });
      }
    } finally {
      client.ws.close();
    }
  });

  it("routes each tab's ticks to that tab in the renderer's WebSocket bridge", async () => {
    const { protocol, host, search } = new URL(server.url);
    const bridge: WebSocketBridge = createWebSocketBridge(webSocketUrlFor({ protocol, host, search }), {
      WebSocketImpl: WebSocket,
      requestTimeoutMs: 10_000,
    });
    try {
      const left = bridge.topology('left');
      const right = bridge.topology('right');
      const got: Record<'left' | 'right', string[][]> = { left: [], right: [] };
      const stopLeft = left.onTick((u) => got.left.push(nodesOf(u)));
      const stopRight = right.onTick((u) => got.right.push(nodesOf(u)));
      await left.connect({ seeds: [a], pollIntervalMs: 200 });
      await right.connect({ seeds: [b], pollIntervalMs: 200 });
      await expect.poll(() => Math.min(got.left.length, got.right.length), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      expect(got.left.every((nodes) => nodes.includes(a) && !nodes.includes(b))).toBe(true);
      expect(got.right.every((nodes) => nodes.length === 1 && nodes[0] === b)).toBe(true);
      await expect(bridge.openTopologies()).resolves.toEqual(expect.arrayContaining(['left', 'right']));

      await bridge.closeTopology('left');
      expect(hub.has('left')).toBe(false);
      await expect(right.getTopology()).resolves.toMatchObject({ nodes: [expect.objectContaining({ address: b })] });
      stopLeft();
      stopRight();
      await bridge.closeTopology('right');
    } finally {
      bridge.close();
    }
  });

  it("SIGTERM of the web mode stops a plan running in a second tab at a safe point, with the usual words, and exits", async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const dataDir = await mkdtemp(join(tmpdir(), 'rc-web-tabs-sigterm-'));
    // The first tab watches a; the second one, a and b, where it makes b a replica of a.
    const child = spawn(process.execPath, [join(root, 'bin/web-server.js'), '--no-open', '--seed', a], {
      cwd: root,
      env: { ...process.env, REPLICATION_CONSOLE_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const urlLine = (): string | undefined => /\(web mode\): (http\S+)/.exec(stdout)?.[1];
    let client: Client | null = null;
    // a holds every full sync back for 30 s: the plan's step waits for b's link, so the plan is
    // still running when the signal comes.
    const master = new Redis(lab.port('a'), '127.0.0.1');
    try {
      await master.config('SET', 'repl-diskless-sync-delay', '30');
      await expect.poll(urlLine, { timeout: 30_000 }).toBeDefined();
      client = new Client(urlLine());
      await client.opened();
      expect(await client.call({ channel: 'topology:connect', topology: 'second', args: [{ seeds: [a, b], pollIntervalMs: 500 }] })).toMatchObject({ ok: true });
      const planned = await client.call({ channel: 'action:plan', topology: 'second', args: [{ kind: 'replicaof', node: b, master: a, options: { stepTimeoutMs: 20_000 } }] });
      if (!planned.ok) throw new Error(planned.error.message);
      const plan = planned.value as { id: string; summary: string; confirmAddress: string | null; needsOverride: string[] };
      const running = client.call({
        channel: 'action:execute',
        topology: 'second',
        args: [{ planId: plan.id, ...(plan.confirmAddress ? { confirmAddress: plan.confirmAddress } : {}), overrides: plan.needsOverride }],
      });
      void running.catch(() => undefined);
      await expect.poll(() => client?.pushes.some((p) => p.push === 'action:progress' && p.topology === 'second'), { timeout: 10_000 }).toBe(true);

      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      expect(stderr).toContain('press Ctrl-C again to quit at once');
      expect(stderr).toContain(`SIGTERM received while "${plan.summary}" runs: stopping it at a safe point first…`);
      expect(stderr).toContain(`"${plan.summary}" stopped: stopping at the next safe point`);
      expect(stderr).toContain('the journal keeps it, reported at the next start');
    } finally {
      await master.config('SET', 'repl-diskless-sync-delay', '0');
      master.disconnect();
      client?.ws.close();
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
