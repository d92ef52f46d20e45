// The renderer's WebSocket client (renderer/src/api/ws-client.ts) against the real web server
// and a real lab: calls, ApiCallError codes, tick pushes, and reconnection after a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConsoleService } from '../../electron/app/service';
import { Lab, docsLayout } from '../../electron/lab/lab';
import { startWebServer, type WebServer } from '../../electron/web/server';
import type { TickUpdate } from '../../electron/shared/types';
import { ApiCallError } from '../../renderer/src/api/errors';
import { createWebSocketApi, webSocketUrlFor, type WebSocketApi } from '../../renderer/src/api/ws-client';

let lab: Lab;
let service: ConsoleService;
let server: WebServer;
let api: WebSocketApi;

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
  service = new ConsoleService();
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
