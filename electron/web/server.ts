// The web mode: the same ConsoleHub (a ConsoleService per topology) the Electron app uses,
// served to a browser on 127.0.0.1. Static files over HTTP, calls and pushes (ticks, action
// progress) over one WebSocket at /api, each tagged with its topology id.
// Any local process or web page can reach 127.0.0.1, so the socket demands a per-run token,
// a loopback Host (against DNS rebinding) and, when a browser sends one, our own Origin.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Envelope } from '../shared/api';
import { wireRequestSchema, type WirePush, type WireResponse } from '../shared/schema';
import type { ConsoleService } from '../app/service';
import { ConsoleHub } from '../app/console-hub';
import { StaticFiles } from './static-files';

export interface WebServerOptions {
  /** The topologies to expose; whoever made the hub closes it. */
  hub?: ConsoleHub;
  /**
   * Without a hub: this service as the 'main' topology (closed by its maker), with the tabs opened
   * beside it closed by close(). With neither, the server makes its own hub (actions audited as
   * 'web') and closes it on close().
   */
  service?: ConsoleService;
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Directory of the built renderer; default out/renderer of this checkout. */
  rendererDir?: string;
  /** Fixed token (tests); default 32 random bytes in hex. */
  token?: string;
}

export interface WebServer {
  /** http://127.0.0.1:PORT/?token=… */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../out/renderer/', import.meta.url));
const MAX_MESSAGE_BYTES = 1024 * 1024;
// Up to this a too-big message is read and answered under its id (nothing done); beyond it the
// socket is closed (1009) before we hold more of it in memory.
const HARD_MAX_MESSAGE_BYTES = 4 * MAX_MESSAGE_BYTES;
// A client that can't keep up skips ticks rather than growing our memory without bound.
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const HEARTBEAT_MS = 30_000;

export async function startWebServer(options: WebServerOptions = {}): Promise<WebServer> {
  const ownsHub = !options.hub;
  const hub = options.hub ?? (options.service ? adoptingHub(options.service) : new ConsoleHub({ service: { interface: 'web' } }));
  const token = options.token ?? randomBytes(32).toString('hex');
  const files = new StaticFiles(options.rendererDir ?? DEFAULT_RENDERER_DIR);
  let port = 0;

  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = (): string[] => allowedHosts().map((host) => `http://${host}`);
  const hostAllowed = (req: IncomingMessage): boolean => allowedHosts().includes((req.headers.host ?? '').toLowerCase());

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!hostAllowed(req)) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Forbidden\n');
      return;
    }
    files.handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_MESSAGE_BYTES });
  const alive = new WeakMap<WebSocket, boolean>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!upgradeAllowed(req)) {
      const body = 'Forbidden\n';
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  function upgradeAllowed(req: IncomingMessage): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api') return false;
    if (!hostAllowed(req)) return false;
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().includes(origin)) return false;
    return tokenMatches(url.searchParams.get('token'), token);
  }

  wss.on('connection', (ws: WebSocket) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: RawData, isBinary: boolean) => {
      void answer(ws, data, isBinary);
    });
  });

  async function answer(ws: WebSocket, data: RawData, isBinary: boolean): Promise<void> {
    const reply = (id: number | null, result: Envelope<unknown>): void => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const message: WireResponse = { id, result };
      ws.send(JSON.stringify(message));
    };
    // Refused before any call was made: the caller may say nothing was sent.
    const bad = (id: number | null, message: string): void =>
      reply(id, { ok: false, error: { code: 'BAD_ARGUMENT', message, details: { nothingSent: true } } });

    if (isBinary) return bad(null, 'Malformed message: expected a JSON text message');
    const text = rawText(data);
    const size = Buffer.byteLength(text);
    if (size > MAX_MESSAGE_BYTES) {
      return bad(leadingId(text), `Message too big: ${size} bytes, at most ${MAX_MESSAGE_BYTES}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return bad(null, 'Malformed message: not valid JSON');
    }
    const request = wireRequestSchema.safeParse(parsed);
    if (!request.success) {
      return bad(readableId(parsed), 'Malformed message: expected {id: number, channel: string, args: [...]}');
    }
    const { id, channel, args, topology } = request.data;
    reply(id, await hub.invoke(topology, channel, args));
  }

  function broadcast(push: WirePush): void {
    const message = JSON.stringify(push);
    for (const client of wss.clients) {
      if (client.readyState === WebSocket.OPEN && client.bufferedAmount < MAX_BUFFERED_BYTES) client.send(message);
    }
  }

  // Every window gets every topology's ticks: each routes them to the tab showing that topology.
  const stopTicks = hub.onTick((topology, update) => broadcast({ push: 'topology:tick', topology, data: update }));
  // Every window sees a running plan's progress; each one shows only the plan it started.
  const stopProgress = hub.onActionProgress((topology, progress) => broadcast({ push: 'action:progress', topology, data: progress }));

  // Drop clients whose machine went away without closing the socket.
  const heartbeat = setInterval(() => {
    for (const client of wss.clients) {
      if (alive.get(client) === false) {
        client.terminate();
        continue;
      }
      alive.set(client, false);
      client.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Let running plans reach a safe point while their windows can still see why.
      await hub.stopRunningPlans('The web server is shutting down');
      clearInterval(heartbeat);
      stopTicks();
      stopProgress();
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      // Give clients a moment for the closing handshake, then cut whoever is left.
      const deadline = Date.now() + 1000;
      while (wss.clients.size > 0 && Date.now() < deadline) await delay(25);
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      if (ownsHub) await hub.closeAll();
    })();
    return closing;
  };

  return { url: `http://127.0.0.1:${port}/?token=${token}`, port, token, close };
}

/** A hub around a service made elsewhere: new tabs share its lab and its audit directory. */
function adoptingHub(service: ConsoleService): ConsoleHub {
  return new ConsoleHub({ main: service, service: { interface: 'web', auditDir: dirname(service.auditFile) } });
}

function tokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

/** The id of a request too big to parse, read from its head ({"id":N,… as the clients write it}), or null. */
function leadingId(text: string): number | null {
  const match = /^\s*\{\s*"id"\s*:\s*(\d{1,15})\s*,/.exec(text.slice(0, 64));
  return match ? readableId({ id: Number(match[1]) }) : null;
}

/** The id of a request that failed validation, if it had a usable one, so the caller can match the error. */
function readableId(value: unknown): number | null {
  if (typeof value !== 'object' || value === null || !('id' in value)) return null;
  const id = (value as { id: unknown }).id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
}
