// The web mode's side of the bridge: every topology's ReplicationConsoleApi over one WebSocket
// to the local server, each call and push tagged with its topology id. Reconnects with backoff
// when the socket drops; push listeners survive reconnects.
import type {
  ApiPushes,
  BridgeChannel,
  Envelope,
  PushChannel,
  ReplicationConsoleApi,
  ReplicationConsoleBridge,
  ServerLink,
} from '../../../electron/shared/api';
import { LINK_PING, MAIN_TOPOLOGY } from '../../../electron/shared/api';
import type { WirePush, WireRequest, WireResponse } from '../../../electron/shared/schema';
import type { ErrorCode, ErrorDetails } from '../../../electron/shared/types';
import { bindEnvelopeBridge, unwrapBridge, type TopologySubscribe } from '../../../electron/shared/bind-api';

/** A call that failed on this side of the socket, as the envelope the server would have sent. */
function failure(code: ErrorCode, message: string, details: ErrorDetails = {}): Envelope<never> {
  return { ok: false, error: Object.keys(details).length > 0 ? { code, message, details } : { code, message } };
}

/**
 * Calls that legitimately run longer than any fixed timeout: a plan's steps each wait up to
 * their own deadline (a full sync, a FAILOVER). Progress pushes show they are alive; a lost
 * socket still fails them.
 */
const UNTIMED_CHANNELS: ReadonlySet<BridgeChannel> = new Set<BridgeChannel>(['action:execute']);

type Listener = (data: unknown) => void;

/** While the socket is open, a round-trip probe ('link:ping', answered by the server at once) this often. */
export const LINK_PROBE_MS = 2000;
const MAX_PROBES_WAITING = 30;

/**
 * The part of a WebSocket this client uses: the browser's, or the `ws` package's in Node tests.
 * Handlers take `never` because the client only assigns them, it never calls them.
 */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}

export type SocketFactory = new (url: string) => SocketLike;

export interface WebSocketApiOptions {
  /** Give up on a call after this long (default 30 s); 'action:execute' waits as long as the socket lives. */
  requestTimeoutMs?: number;
  /** Reconnect delays grow from min to max (defaults 250 ms and 10 s). */
  minReconnectMs?: number;
  maxReconnectMs?: number;
  /** For tests outside a browser; default the global WebSocket. */
  WebSocketImpl?: SocketFactory;
  /** The clock round trips are measured by (default performance.now: one no one sets). */
  monotonicNow?: () => number;
  /** Asks the server's HTTP side whether it is up (ServerLink.refused); default the global fetch. */
  fetchImpl?: (url: string) => Promise<unknown>;
}

/** Sockets refused in a row, after the link was lost, before the server's HTTP side is asked whether it is up. */
const REFUSALS_BEFORE_ASKING = 2;

export interface WebSocketApi extends ReplicationConsoleApi {
  /** Stop reconnecting and fail whatever is pending. */
  close(): void;
}

export interface WebSocketBridge extends ReplicationConsoleBridge {
  /** Stop reconnecting and fail whatever is pending, for every topology. */
  close(): void;
}

interface Pending {
  channel: BridgeChannel;
  resolve: (envelope: Envelope<unknown>) => void;
  timer: ReturnType<typeof setTimeout>;
  /** The encoded request, until it has been handed to an open socket. */
  unsent: string | null;
}

/** The WebSocket URL of this page's server: ws(s)://host/api?token=… (token from the page URL). */
export function webSocketUrlFor(location: { protocol: string; host: string; search: string }): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api?token=${encodeURIComponent(token)}`;
}

/** The 'main' topology's API alone, for clients that know one topology only. */
export function createWebSocketApi(url: string, options: WebSocketApiOptions = {}): WebSocketApi {
  const bridge = createWebSocketBridge(url, options);
  return { ...bridge.topology(MAIN_TOPOLOGY), close: () => bridge.close() };
}

/** Every topology over one socket: the web mode's window.replicationConsole. */
export function createWebSocketBridge(url: string, options: WebSocketApiOptions = {}): WebSocketBridge {
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const minReconnectMs = options.minReconnectMs ?? 250;
  const maxReconnectMs = options.maxReconnectMs ?? 10_000;
  const WebSocketImpl = options.WebSocketImpl ?? (globalThis as unknown as { WebSocket: SocketFactory }).WebSocket;

  const pending = new Map<number, Pending>();
  // Keyed by channel, then topology: a push reaches only the tabs of its topology.
  const listeners = new Map<PushChannel, Map<string, Set<Listener>>>();
  let socket: SocketLike | null = null;
  let open = false;
  let nextId = 1;
  let failures = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  // Told to the page once the socket was open: lost, and back.
  let link: ServerLink | null = null;
  const linkListeners = new Set<(link: ServerLink) => void>();
  const host = new URL(url).host;
  // Not from the browser's cache: a cached page would say a server that is down answers. (Node's
  // RequestInit type has no `cache`; the browser's fetch, the one this runs on, does.)
  const fetchImpl = options.fetchImpl ?? ((target: string) => globalThis.fetch(target, { cache: 'no-store' } as RequestInit));
  // The server's own page, without the token: it answers whoever asks, token or not.
  const httpUrl = new URL(url);
  httpUrl.protocol = httpUrl.protocol === 'wss:' ? 'https:' : 'http:';
  httpUrl.pathname = '/';
  httpUrl.search = '';
  // Sockets that closed without opening since the link was lost.
  let refusedInARow = 0;
  function setLink(reachable: boolean): void {
    if (link?.reachable === reachable) return;
    link = { reachable, since: Date.now(), host, roundTripMs: null };
    tellLink();
  }
  function tellLink(): void {
    if (link === null) return;
    for (const listener of [...linkListeners]) listener(link);
  }

  // Round trips. Probes are sent on a timer whether or not the last one was answered, and only an
  // answer to a probe newer than the last answered one counts: on a link that held everything
  // and let go, the answers to the held probes (long round trips) do not undo a quick one.
  const monotonicNow = options.monotonicNow ?? (() => globalThis.performance.now());
  const probes = new Map<number, number>();
  let answeredProbe = 0;
  let lastRoundTrip: number | null = null;
  let probeTimer: ReturnType<typeof setInterval> | null = null;
  function startProbes(ws: SocketLike): void {
    stopProbes();
    const probe = (): void => {
      if (!open || socket !== ws) return;
      // A link that answers nothing for a minute: the oldest probe says how long already.
      if (probes.size >= MAX_PROBES_WAITING) return tellRoundTrip();
      const id = nextId++;
      probes.set(id, monotonicNow());
      ws.send(JSON.stringify({ id, channel: LINK_PING, args: [] } satisfies WireRequest));
      tellRoundTrip();
    };
    probe();
    probeTimer = setInterval(probe, LINK_PROBE_MS);
  }
  function stopProbes(): void {
    if (probeTimer !== null) clearInterval(probeTimer);
    probeTimer = null;
    probes.clear();
    answeredProbe = 0;
    lastRoundTrip = null;
  }
  /** The latest answer's round trip, or the wait of the oldest probe sent after it, whichever is longer. */
  function tellRoundTrip(): void {
    if (link === null || !link.reachable) return;
    let waiting: number | null = null;
    for (const [id, sentAt] of probes) if (id > answeredProbe) waiting = Math.min(waiting ?? sentAt, sentAt);
    const unanswered = waiting === null ? 0 : monotonicNow() - waiting;
    // The probe just sent has waited for nothing yet: no news until one is answered or waits longer.
    const roundTripMs = lastRoundTrip === null ? (unanswered > 0 ? unanswered : null) : Math.max(lastRoundTrip, unanswered);
    if (roundTripMs === link.roundTripMs) return;
    link = { ...link, roundTripMs };
    tellLink();
  }
  function answered(id: number): boolean {
    const sentAt = probes.get(id);
    if (sentAt === undefined) return false;
    for (const older of probes.keys()) if (older <= id) probes.delete(older);
    if (id > answeredProbe) {
      answeredProbe = id;
      lastRoundTrip = monotonicNow() - sentAt;
      tellRoundTrip();
    }
    return true;
  }

  function ensureSocket(): void {
    if (socket || closed || reconnectTimer) return;
    const ws = new WebSocketImpl(url);
    socket = ws;
    ws.onopen = () => {
      open = true;
      failures = 0;
      refusedInARow = 0;
      setLink(true);
      startProbes(ws);
      for (const call of pending.values()) {
        if (call.unsent !== null) {
          ws.send(call.unsent);
          call.unsent = null;
        }
      }
    };
    ws.onmessage = (event: { data: unknown }) => {
      if (typeof event.data === 'string') receive(event.data);
    };
    ws.onclose = () => {
      socket = null;
      stopProbes();
      if (open && !closed) {
        refusedInARow = 0;
        setLink(false);
      } else if (!open && link?.reachable === false) noteRefusal();
      open = false;
      // A call already on the wire may or may not have run: fail it rather than run it twice.
      for (const [id, call] of pending) {
        if (call.unsent === null) {
          const message =
            call.channel === 'action:execute'
              ? 'Lost the connection to the console server while the plan ran: it may have finished or still be running. Check the topology and the audit log before trying again'
              : 'Lost the connection to the console server before it answered';
          settle(id, failure('UNREACHABLE', message));
        }
      }
      scheduleReconnect();
    };
    // onclose always follows onerror; nothing more to do here.
    ws.onerror = () => undefined;
  }

  /**
   * A socket that never opened, after the link was lost: if that keeps happening while the
   * server's HTTP side answers, the server is up and refuses this page (ServerLink.refused).
   * Asked again at each refusal (one every 10 s at most): a server that then goes away for good
   * is lost again, not said to refuse.
   */
  function noteRefusal(): void {
    refusedInARow += 1;
    if (refusedInARow < REFUSALS_BEFORE_ASKING) return;
    const lostSince = link?.since;
    const answer = (refused: boolean): void => {
      // Still lost, and the same loss (a socket opened since made a new link).
      if (link === null || link.reachable || link.since !== lostSince || closed) return;
      if ((link.refused === true) === refused) return;
      link = { ...link, refused };
      tellLink();
    };
    fetchImpl(httpUrl.href).then(
      () => answer(true),
      () => answer(false),
    );
  }

  function scheduleReconnect(): void {
    if (closed || reconnectTimer) return;
    failures += 1;
    const ceiling = Math.min(maxReconnectMs, minReconnectMs * 2 ** Math.min(failures - 1, 16));
    const wait = ceiling / 2 + Math.random() * (ceiling / 2);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      ensureSocket();
    }, wait);
  }

  function receive(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    if ('push' in message) {
      deliver(message as WirePush);
      return;
    }
    const { id, result } = message as Partial<WireResponse>;
    if (typeof id !== 'number' || typeof result !== 'object' || result === null) return;
    if (answered(id)) return;
    settle(id, result);
  }

  function deliver(push: WirePush): void {
    const set = listeners.get(push.push)?.get(push.topology);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(push.data);
      } catch (error) {
        console.error(`${push.push} listener failed`, error);
      }
    }
  }

  function subscribe<P extends PushChannel>(topology: string, channel: P, listener: (data: ApiPushes[P]) => void): () => void {
    let byTopology = listeners.get(channel);
    if (!byTopology) {
      byTopology = new Map();
      listeners.set(channel, byTopology);
    }
    let set = byTopology.get(topology);
    if (!set) {
      set = new Set();
      byTopology.set(topology, set);
    }
    const entry = listener as Listener;
    set.add(entry);
    ensureSocket();
    return () => {
      set.delete(entry);
      if (set.size === 0 && byTopology.get(topology) === set) byTopology.delete(topology);
    };
  }

  function settle(id: number, outcome: Envelope<unknown>): void {
    const call = pending.get(id);
    if (!call) return;
    pending.delete(id);
    clearTimeout(call.timer);
    call.resolve(outcome);
  }

  function call(topology: string, channel: BridgeChannel, args: unknown[]): Promise<Envelope<unknown>> {
    if (closed) return Promise.resolve(failure('UNREACHABLE', 'The console connection was closed', { nothingSent: true }));
    const id = nextId++;
    const request: WireRequest = { id, channel, topology, args };
    const encoded = JSON.stringify(request);
    const untimed = UNTIMED_CHANNELS.has(channel);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const sent = pending.get(id)?.unsent === null;
        // On the wire, an untimed call waits for its answer or for the socket to drop.
        if (sent && untimed) return;
        settle(
          id,
          sent
            ? failure('TIMEOUT', `The console server did not answer ${channel} within ${requestTimeoutMs / 1000} s`)
            : failure('UNREACHABLE', `The console server at ${new URL(url).host} cannot be reached`, { nothingSent: true }),
        );
      }, requestTimeoutMs);
      pending.set(id, { channel, resolve, timer, unsent: encoded });
      ensureSocket();
      if (open && socket) {
        socket.send(encoded);
        const entry = pending.get(id);
        if (entry) entry.unsent = null;
      }
    });
  }

  return {
    ...unwrapBridge(bindEnvelopeBridge(call, subscribe as TopologySubscribe)),
    onServerLink(listener) {
      linkListeners.add(listener);
      return () => linkListeners.delete(listener);
    },
    close() {
      closed = true;
      stopProbes();
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      for (const [id, call] of [...pending]) {
        settle(id, failure('UNREACHABLE', 'The console connection was closed', call.unsent === null ? {} : { nothingSent: true }));
      }
      socket?.close();
      socket = null;
    },
  };
}
