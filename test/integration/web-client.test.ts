// The renderer's WebSocket client (renderer/src/api/ws-client.ts) against the real web server
// and a real lab: calls, ApiCallError codes, tick pushes, reconnection after a restart, and a
// topology change with its progress pushes and audit entry.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import WebSocket from 'ws';
import { ConsoleService } from '../../electron/app/service';
import { Lab, docsLayout } from '../../electron/lab/lab';
import { startWebServer, type WebServer } from '../../electron/web/server';
import type { StepProgress } from '../../electron/shared/actions';
import type { TickUpdate } from '../../electron/shared/types';
import { ApiCallError } from '../../renderer/src/api/errors';
import { createWebSocketApi, createWebSocketBridge, webSocketUrlFor, type WebSocketApi } from '../../renderer/src/api/ws-client';
import { MAIN_TOPOLOGY, type ServerLink } from '../../electron/shared/api';

let lab: Lab;
let service: ConsoleService;
let server: WebServer;
let api: WebSocketApi;
let auditDir: string;

function waitFor<T>(find: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      const found = find();
      if (found !== undefined) resolve(found);
      else if (Date.now() > deadline) reject(new Error('timed out'));
      else setTimeout(poll, 50);
    };
    poll();
  });
}

beforeAll(async () => {
  lab = await Lab.start({ nodes: docsLayout() });
  auditDir = await mkdtemp(join(tmpdir(), 'rc-web-audit-'));
  service = new ConsoleService({ interface: 'web', auditDir });
  server = await startWebServer({ service });
  const { protocol, host, search } = new URL(server.url);
  api = createWebSocketApi(webSocketUrlFor({ protocol, host, search }), {
    WebSocketImpl: WebSocket,
    requestTimeoutMs: 5_000,
    minReconnectMs: 50,
    maxReconnectMs: 200,
  });
});

afterAll(async () => {
  api?.close();
  await server?.close();
  await service?.close();
  await lab?.close();
  if (auditDir) await rm(auditDir, { recursive: true, force: true });
});

describe('WebSocket client', () => {
  it('builds the socket URL from the page URL', () => {
    expect(webSocketUrlFor({ protocol: 'http:', host: '127.0.0.1:5000', search: '?token=abc' })).toBe(
      'ws://127.0.0.1:5000/api?token=abc',
    );
    expect(webSocketUrlFor({ protocol: 'https:', host: 'h:1', search: '' })).toBe('wss://h:1/api?token=');
  });

  it('calls the service and turns error envelopes into ApiCallError', async () => {
    expect(await api.labStatus()).toEqual({ running: false, seeds: [] });
    expect(await api.getTopology()).toBeNull();
    const error = await api.connect({ seeds: ['no-port-here'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect((error as ApiCallError).code).toBe('BAD_ARGUMENT');
    const refused = await api.connect({ seeds: ['127.0.0.1:1'] }).catch((e: unknown) => e);
    expect((refused as ApiCallError).code).toBe('UNREACHABLE');
  });

  it('delivers ticks, keeps listeners across a server restart, and stops after the disposer', async () => {
    const ticks: TickUpdate[] = [];
    const dispose = api.onTick((update) => ticks.push(update));
    const snapshot = await api.connect({ seeds: [lab.address('master')], pollIntervalMs: 200 });
    expect(snapshot.nodes).toHaveLength(4);
    await waitFor(() => (ticks.length >= 2 ? true : undefined));

    // Restart the server on the same port and token: the client must come back by itself.
    const { port, token } = server;
    await server.close();
    server = await startWebServer({ service, port, token });
    const before = ticks.length;
    await waitFor(() => (ticks.length >= before + 2 ? true : undefined));
    expect(ticks.at(-1)?.snapshot.nodes).toHaveLength(4);
    expect((await api.getTopology())?.nodes).toHaveLength(4);

    dispose();
    const after = ticks.length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(ticks.length).toBe(after);
    await api.disconnect();
  });

  it('re-points a replica: candidates, plan, execute with progress pushes, audit', async () => {
    const [master, r1, r2, r11] = ['master', 'replica-1', 'replica-2', 'replica-1-1'].map((n) => lab.address(n)) as [string, string, string, string];
    await api.connect({ seeds: [master], pollIntervalMs: 200 });
    const candidates = new Map((await api.moveCandidates(r2)).map((c) => [c.address, c]));
    expect(candidates.get(master)).toMatchObject({ valid: false, reason: 'already its master' });
    expect(candidates.get(r11)).toMatchObject({ valid: true });
    const cycle = new Map((await api.moveCandidates(r1)).map((c) => [c.address, c]));
    expect(cycle.get(r11)).toMatchObject({ valid: false, reason: expect.stringMatching(/cycle/) });

    const plan = await api.planAction({ kind: 'replicaof', node: r2, master: r11 });
    expect(plan.canRun).toBe(true);
    // A cousin: the move is held inside a write pause on the master.
    expect(plan.steps.map((s) => [s.node, s.command])).toEqual([
      [master, 'CLIENT PAUSE 2000 WRITE'],
      [r11, 'INFO replication'],
      [r2, `REPLICAOF 127.0.0.1 ${lab.port('replica-1-1')}`],
      [master, 'CLIENT UNPAUSE'],
    ]);

    const progress: StepProgress[] = [];
    const stop = api.onActionProgress((p) => progress.push(p));
    // A client whose calls time out after 50 ms: a plan runs longer than that, and must not be cut off.
    // The new master is paused (CLIENT PAUSE ALL) so the plan, which must read it, cannot end
    // within 300 ms: the call outlives the client's timeout by construction, not by luck. (Well
    // inside the second the plan's wait for the new master may take while the master's writes wait.)
    const { protocol, host, search } = new URL(server.url);
    const impatient = createWebSocketApi(webSocketUrlFor({ protocol, host, search }), { WebSocketImpl: WebSocket, requestTimeoutMs: 50 });
    const r11Client = new Redis({ host: '127.0.0.1', port: lab.port('replica-1-1'), maxRetriesPerRequest: 1 });
    try {
      await r11Client.call('CLIENT', 'PAUSE', '300', 'ALL');
      const sentAt = Date.now();
      const outcome = await impatient.executeAction({
        planId: plan.id,
        ...(plan.confirmAddress ? { confirmAddress: plan.confirmAddress } : {}),
        overrides: plan.needsOverride,
      });
      expect(outcome.ok).toBe(true);
      expect(Date.now() - sentAt).toBeGreaterThan(50);
      expect(outcome.nodes.find((n) => n.address === r2)).toMatchObject({ role: 'replica', master: r11, linkStatus: 'up' });
    } finally {
      impatient.close();
      r11Client.disconnect();
      stop();
    }
    expect(progress.filter((p) => p.planId === plan.id).map((p) => p.status)).toEqual(expect.arrayContaining(['running', 'ok']));
    expect(progress.at(-1)).toMatchObject({ planId: plan.id, stepId: plan.steps.at(-1)?.id, status: 'ok' });

    const audit = (await api.listAudit(10)).entries;
    expect(audit.at(-1)).toMatchObject({ planId: plan.id, outcome: 'ok', who: { interface: 'web' } });
    const again = await api.executeAction({ planId: plan.id }).catch((e: unknown) => e);
    // A plan runs once: the second try is refused before anything is sent.
    expect(again).toMatchObject({ code: 'PLAN_EXPIRED', details: { nothingSent: true } });
    await api.disconnect();
  });

  it('says the server refuses this page when it comes back with a new token, and only then', async () => {
    const own = await startWebServer({ service });
    const { protocol, host, search } = new URL(own.url);
    const bridge = createWebSocketBridge(webSocketUrlFor({ protocol, host, search }), { WebSocketImpl: WebSocket, minReconnectMs: 50, maxReconnectMs: 100 });
    const links: ServerLink[] = [];
    bridge.onServerLink?.((link) => links.push(link));
    let restarted: WebServer | null = null;
    try {
      // The socket opens with the first call.
      await bridge.topology(MAIN_TOPOLOGY).labStatus();
      await waitFor(() => (links.at(-1)?.reachable ? true : undefined));
      const port = own.port;
      await own.close();
      await waitFor(() => (links.at(-1)?.reachable === false ? true : undefined));
      // Down: sockets refused, and nothing answers over HTTP either: lost, not refused.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(links.at(-1)).toMatchObject({ reachable: false });
      expect(links.at(-1)?.refused).toBeUndefined();
      // Back on the same port with a token of its own, as a restarted web mode is.
      restarted = await startWebServer({ service, port });
      const refused = await waitFor(() => (links.at(-1)?.refused ? links.at(-1) : undefined));
      expect(refused).toMatchObject({ reachable: false, refused: true, host });
      // Gone for good after all: lost again, not said to refuse.
      await restarted.close();
      await waitFor(() => (links.at(-1)?.refused === false ? true : undefined));
      expect(links.at(-1)).toMatchObject({ reachable: false, refused: false });
    } finally {
      bridge.close();
      await restarted?.close();
      await own.close();
    }
  });

  it('fails a call with UNREACHABLE when the server is gone', async () => {
    const lonely = createWebSocketApi('ws://127.0.0.1:1/api?token=x', {
      WebSocketImpl: WebSocket,
      requestTimeoutMs: 500,
      minReconnectMs: 50,
      maxReconnectMs: 100,
    });
    try {
      const error = await lonely.labStatus().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiCallError);
      expect((error as ApiCallError).code).toBe('UNREACHABLE');
      expect((error as ApiCallError).message).toMatch(/cannot be reached/);
    } finally {
      lonely.close();
    }
  });
});
