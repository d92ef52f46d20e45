// The web mode: the same ConsoleHub (a ConsoleService per topology) the Electron app uses,
// served to a browser on 127.0.0.1. Static files over HTTP, calls and pushes (ticks, action
// progress) over one WebSocket at /api, each tagged with its topology id.
// Any local process or web page can reach 127.0.0.1, so the socket demands a per-run token,
// a loopback Host (against DNS rebinding) and, when a browser sends one, our own Origin.
// `serve` runs the same server as a service: any listen address, HTTPS, bearer or basic
// authentication on every route (off loopback the Host check is moot: auth is what protects),
// and /metrics for Prometheus.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { LINK_PING, type Envelope } from '../shared/api';
import { wireRequestSchema, type WirePush, type WireResponse } from '../shared/schema';
import type { ConsoleService } from '../app/service';
import { ConsoleHub, parseTopologyId } from '../app/console-hub';
import type { AuthResult, HttpAuth } from '../serve/http-auth';
import { isLoopbackHost } from '../serve/listen';
import { formatAddress } from '../engine/address';
import { StaticFiles } from './static-files';
import { carryCall, TickEncoder, TickReceiver, type TickWire } from '../shared/tick-wire';

export interface WebServerOptions {
  /** The topologies to expose; whoever made the hub closes it. */
  hub?: ConsoleHub;
  /**
   * Without a hub: this service as the 'main' topology (closed by its maker), with the tabs opened
   * beside it closed by close(). With neither, the server makes its own hub (actions audited as
   * 'web') and closes it on close().
   */
  service?: ConsoleService;
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** The address to listen on (default 127.0.0.1). Anything but loopback needs `auth`. */
  host?: string;
  /**
   * serve: bearer tokens and/or basic users, required on every route but /healthz (and /metrics
   * when it is open). Absent: the per-run token of the desktop web mode, on the socket only.
   */
  auth?: HttpAuth;
  /** HTTPS with this certificate and its key (PEM). */
  tls?: { cert: Buffer; key: Buffer };
  /** serve: GET /metrics answers with this; `open`: without auth (serve opens it on loopback only). */
  metrics?: { open: boolean; contentType: string; render(): Promise<string> };
  /** serve: a reason to refuse a call before it reaches the hub (its configured topologies stay connected), or null. */
  refuse?: (topology: string, channel: string) => string | null;
  /** Directory of the built renderer; default out/renderer of this checkout. */
  rendererDir?: string;
  /** Fixed token (tests); default 32 random bytes in hex. */
  token?: string;
}

export interface WebServer {
  /** http://127.0.0.1:PORT/?token=… (with `auth`: no token in it; https with `tls`) */
  url: string;
  port: number;
  /** The per-run token; '' with `auth`. */
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
  const auth = options.auth ?? null;
  const host = options.host ?? '127.0.0.1';
  if (!auth && !isLoopbackHost(host)) throw new Error(`refusing to serve on ${host} without authentication`);
  // With auth the per-run token is not used: every route asks for the credentials instead.
  const token = auth ? '' : (options.token ?? randomBytes(32).toString('hex'));
  const scheme = options.tls ? 'https' : 'http';
  const files = new StaticFiles(options.rendererDir ?? DEFAULT_RENDERER_DIR);
  let port = 0;

  // On loopback, a page of another site must not reach us by a name that resolves to 127.0.0.1
  // (DNS rebinding): only our own names pass. Elsewhere any Host does, and auth is what protects.
  const loopback = isLoopbackHost(host);
  const allowedHosts = (): string[] => [...new Set([`127.0.0.1:${port}`, `localhost:${port}`, formatAddress(host, port).toLowerCase()])];
  const hostAllowed = (req: IncomingMessage): boolean => !loopback || allowedHosts().includes((req.headers.host ?? '').toLowerCase());
  // A page may open our socket only from our own origin: one of our loopback names, or elsewhere the
  // host it reached us by. Off loopback the scheme is not compared and default ports are left out: a
  // TLS-terminating proxy serves the page as https://console.example and speaks plain HTTP to us,
  // passing the name it was reached by in Host or X-Forwarded-Host.
  const originAllowed = (req: IncomingMessage, origin: string): boolean => {
    const shown = origin.toLowerCase();
    if (loopback) return allowedHosts().some((h) => shown === `${scheme}://${h}`);
    const seen = hostOfOrigin(shown);
    if (seen === null) return false;
    const forwarded = String(req.headers['x-forwarded-host'] ?? '').split(',')[0] ?? '';
    return [req.headers.host ?? '', forwarded].some((name) => name !== '' && withoutDefaultPort(name) === seen);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req)) return plain(res, 403, 'Forbidden\n');
    const url = new URL(req.url ?? '/', 'http://localhost');
    // A liveness probe (a container's health check) needs no credentials, and learns nothing.
    if (options.metrics && url.pathname === '/healthz') return plain(res, 200, 'ok\n');
    let authorized: AuthResult | null = null;
    if (auth) {
      authorized = auth.check(req, url);
      const openMetrics = options.metrics?.open === true && url.pathname === '/metrics';
      if (!authorized.ok && !openMetrics) {
        res.setHeader('WWW-Authenticate', auth.challenges());
        return plain(res, 401, auth.hint());
      }
    }
    if (options.metrics && url.pathname === '/metrics') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method Not Allowed\n', { Allow: 'GET, HEAD' });
      const body = await options.metrics.render();
      res.writeHead(200, { 'Content-Type': options.metrics.contentType, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    // The page opened with ?token=…: from now on the browser sends the cookie instead.
    if (auth && authorized?.ok && authorized.via === 'query') {
      const cookie = auth.sessionCookie(url, scheme === 'https');
      if (cookie) res.setHeader('Set-Cookie', cookie);
    }
    await files.handle(req, res);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end();
    });
  };
  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest) : createServer(onRequest);
  // A client that opens TLS and says nothing must not hold a socket for ever.
  server.on('tlsClientError', (_error: Error, socket: Duplex) => socket.destroy());

  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_MESSAGE_BYTES });
  const alive = new WeakMap<WebSocket, boolean>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const refusal = upgradeRefusal(req);
    if (refusal) {
      const [status, body, extra] = refusal;
      socket.end(
        `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  /** Why the socket is refused (status line, body, extra header lines), or null when it may open. */
  function upgradeRefusal(req: IncomingMessage): [string, string, string] | null {
    const forbidden: [string, string, string] = ['403 Forbidden', 'Forbidden\n', ''];
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api') return forbidden;
    if (!hostAllowed(req)) return forbidden;
    const origin = req.headers.origin;
    if (origin !== undefined && !originAllowed(req, origin)) return forbidden;
    if (auth) {
      if (auth.check(req, url).ok) return null;
      return ['401 Unauthorized', auth.hint(), auth.challenges().map((c) => `WWW-Authenticate: ${c}\r\n`).join('')];
    }
    return tokenMatches(url.searchParams.get('token'), token) ? null : forbidden;
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
    // The page's round-trip probe (ws-client.ts): answered at once, by the server alone.
    if (channel === LINK_PING) return reply(id, { ok: true, value: null });
    const named = parseTopologyId(topology);
    const refusal = named.ok ? (options.refuse?.(named.id, channel) ?? null) : null;
    if (refusal !== null) return bad(id, refusal);
    reply(id, await carryCall(channel, named.ok ? named.id : null, ticks, receiverOf(ws), () => hub.invoke(topology, channel, args)));
  }

  /** Whether a push can go to this client now: one that can't keep up skips some rather than growing our memory without bound. */
  function keepsUp(client: WebSocket): boolean {
    return client.readyState === WebSocket.OPEN && client.bufferedAmount < MAX_BUFFERED_BYTES;
  }

  function broadcast(push: WirePush): void {
    const message = JSON.stringify(push);
    for (const client of wss.clients) if (keepsUp(client)) client.send(message);
  }

  // Ticks go as differences from the one before (tick-wire.ts) to a client known to hold it, and
  // whole to the others (a new one, or one that skipped a tick); each form is encoded once.
  const ticks = new TickEncoder();
  const receivers = new WeakMap<WebSocket, TickReceiver>();
  function receiverOf(client: WebSocket): TickReceiver {
    let receiver = receivers.get(client);
    if (!receiver) {
      receiver = new TickReceiver();
      receivers.set(client, receiver);
    }
    return receiver;
  }
  function sendTick(topology: string, tick: ReturnType<TickEncoder['encode']>): void {
    const messages = new Map<TickWire, string>();
    for (const client of wss.clients) {
      if (!keepsUp(client)) continue;
      const data = receiverOf(client).take(tick);
      let message = messages.get(data);
      if (message === undefined) {
        message = JSON.stringify({ push: 'topology:tick', topology, data } satisfies WirePush);
        messages.set(data, message);
      }
      client.send(message);
    }
  }

  // Every window gets every topology's ticks: each routes them to the tab showing that topology.
  // With no window open (serve watched by Prometheus alone) no tick is compared at all.
  const stopTicks = hub.onTick((topology, update) => wss.clients.size > 0 && sendTick(topology, ticks.encode(topology, update)));
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
    server.listen(options.port ?? 0, host, () => {
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

  // Every address (0.0.0.0, ::): http://0.0.0.0:PORT opens nothing from another machine; the machine's name does.
  const shownHost = WILDCARD_HOSTS.has(host) ? hostname() : host;
  const url = `${scheme}://${formatAddress(shownHost, port)}/${auth ? '' : `?token=${token}`}`;
  return { url, port, token, close };
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/** A hub around a service made elsewhere: new tabs share its lab and its audit directory. */
function adoptingHub(service: ConsoleService): ConsoleHub {
  return new ConsoleHub({ main: service, service: { interface: 'web', auditDir: dirname(service.auditFile) } });
}

function plain(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

/** "host[:port]" of an http(s) Origin, without its scheme's default port; null for anything else ("null", a file: page). */
function hostOfOrigin(origin: string): string | null {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host : null;
  } catch {
    return null;
  }
}

/** A Host header's name, lower case, with :80 or :443 left out (an Origin never carries them). */
function withoutDefaultPort(host: string): string {
  return host.trim().toLowerCase().replace(/:(80|443)$/, '');
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
