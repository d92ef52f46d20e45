import { isIP } from 'node:net';
import { checkServerIdentity, type ConnectionOptions } from 'node:tls';
import Redis from 'ioredis';
import { parseAddress } from './address';
import type { Clock } from './clock';
import { Deadlines } from './deadlines';
import { EngineError, classifyError, notTls, redact, withAclUser } from './errors';
import { errorOnAccept, speaksPlainRedis, speaksTls, tlsAlert } from './tls-diagnosis';
import type { Transport } from './transport';

export interface Credentials {
  user?: string;
  password?: string;
}

export interface RegistryOptions {
  credentials?: Credentials;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** Longest wait before a failed node is dialled again. */
  maxBackoffMs?: number;
  /** TLS, an SSH tunnel, and which hosts may be sent the credentials. Default: plain TCP, every host trusted. */
  transport?: Transport;
  /** Words an authentication failure in these connections (a Sentinel's names --sentinel-password, not --password). */
  explainAuth?: (message: string, address: string) => string;
  /** Time for the command timeouts (tests); default a monotonic clock, not the engine's. */
  timeoutClock?: Clock;
}

interface Entry {
  /** Null until the node's endpoint is known (an SSH forward is opened first). */
  client: Redis | null;
  /** Resolves once connected (and authenticated); rejects with the reason it could not. */
  ready: Promise<void>;
  /** Set once `ready` has resolved: the hot path then skips the connect timeout. */
  isReady: boolean;
  /** Bumps whenever a new connection replaces a lost one, so callers can re-read INFO server. */
  generation: number;
  lastError: unknown;
}

interface Backoff {
  failures: number;
  retryAt: number;
  error: EngineError;
}

/**
 * The one owner of every Redis connection. Each node gets one client, dialled on first use.
 * Nothing is queued while a node is away: a call fails at once with the reason, and a node
 * that failed is dialled again only after a bounded, growing backoff. Any failure drops the
 * connection, so a stalled node never has more than one request of ours in flight.
 */
export class ClientRegistry {
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  private readonly maxBackoffMs: number;
  private readonly credentials: Credentials;
  private readonly transport: Transport;
  private readonly explainAuth: ((message: string, address: string) => string) | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly backoffs = new Map<string, Backoff>();
  /** Short-lived subscriber connections (listen()), closed with the rest on disconnectAll. */
  private readonly listeners = new Set<Redis>();
  /** Long-lived subscriptions (subscribe()): their disposers, called on disconnectAll. */
  private readonly subscriptions = new Set<() => void>();
  private generations = 0;
  private closed = false;
  /** Every command's timeout: one timer for all the calls under way, not one per call. */
  private readonly deadlines: Deadlines;

  constructor(options: RegistryOptions = {}) {
    this.credentials = options.credentials ?? {};
    this.transport = options.transport ?? {};
    this.explainAuth = options.explainAuth;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2000;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 1500;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.deadlines = new Deadlines(this.commandTimeoutMs, options.timeoutClock);
  }

  /**
   * Run `work` against the node's client, connecting first if needed. The whole call is
   * bounded by the connect and command timeouts; errors come back as EngineErrors.
   */
  async run<T>(address: string, work: (client: Redis, generation: number) => Promise<T>, options: { againOnCut?: boolean } = {}): Promise<T> {
    if (this.closed) throw new EngineError('NOT_CONNECTED', 'the console was disconnected');
    const backoff = this.backoffs.get(address);
    if (backoff && Date.now() < backoff.retryAt) throw backoff.error;

    const entry = this.entryFor(address);
    const established = entry.isReady;
    try {
      if (!entry.isReady) await withTimeout(entry.ready, this.connectTimeoutMs, () => entry.lastError);
      const client = entry.client;
      if (!client) throw new EngineError('NOT_CONNECTED', `${address}: the connection was closed`);
      const result = await this.deadlines.bound(work(client, entry.generation), commandTimedOut);
      this.backoffs.delete(address);
      return result;
    } catch (error) {
      // When ioredis gives up on a connection (failed AUTH, protocol garbage) the command
      // only sees "Connection is closed"; the real reason is the last 'error' event.
      const cause = isConnectionLoss(error) && entry.lastError ? entry.lastError : (error ?? entry.lastError);
      const failure = this.describe(cause, address);
      // A connection that worked, cut by the node (Sentinel's CLIENT KILL of every node it
      // reconfigures, an idle timeout, a proxy): a node that answers on a fresh one is not down.
      // Once, and only for work that can be sent twice (reads).
      // Only this connection is done with: another caller may have opened the next one already.
      const current = this.entries.get(address) === entry;
      const cut = established && isConnectionLoss(error);
      if (options.againOnCut && cut) {
        if (current) this.disconnect(address);
        return this.run(address, work);
      }
      // A reply error (NOPERM, LOADING, …) leaves the connection usable; anything else
      // (timeout, reset, protocol garbage) means this connection can't be trusted. A cut one
      // says nothing yet of the node: no backoff, or a read failed by the same cut and sent
      // again at once would meet it (the node shown unreachable for one tick). A node that
      // died fails its next dial, and that sets the backoff.
      if (!isReplyError(error) && current) {
        if (cut) this.disconnect(address);
        else this.drop(address, failure);
      }
      throw failure;
    }
  }

  /**
   * The first message published on `channel` at `address` within `ms`, or null (also when
   * the node cannot be reached). A subscribed connection answers nothing else, so this takes
   * a short-lived connection of its own, with the same credentials, closed before returning.
   */
  async listen(address: string, channel: string, ms: number): Promise<string | null> {
    if (this.closed) throw new EngineError('NOT_CONNECTED', 'the console was disconnected');
    let subscriber: Redis;
    try {
      subscriber = await this.createClient(address, Math.min(ms, this.connectTimeoutMs));
    } catch {
      return null;
    }
    subscriber.on('error', () => undefined);
    this.listeners.add(subscriber);
    let timer: NodeJS.Timeout | undefined;
    try {
      const message = new Promise<string | null>((resolve) => {
        timer = setTimeout(() => resolve(null), ms);
        subscriber.on('message', (_channel: string, text: string) => resolve(text));
      });
      await this.handshake(subscriber, address);
      await subscriber.subscribe(channel);
      return await message;
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
      this.listeners.delete(subscriber);
      subscriber.disconnect(false);
    }
  }

  /**
   * A long-lived PSUBSCRIBE to `patterns` at `address`, on a connection of its own (a subscribed
   * connection answers nothing else), with the same credentials. A lost connection is dialled
   * again after a growing delay and subscribed again, until the returned disposer is called or
   * disconnectAll. Messages in between are lost: the caller re-reads state, not only messages.
   */
  subscribe(address: string, patterns: readonly string[], onMessage: (channel: string, text: string) => void): () => void {
    let current: Redis | null = null;
    let timer: NodeJS.Timeout | undefined;
    let failures = 0;
    let disposed = false;
    const over = (): boolean => disposed || this.closed;
    const retry = (): void => {
      if (over()) return;
      timer = setTimeout(() => void open(), Math.min(this.maxBackoffMs, 250 * 2 ** failures++));
    };
    const open = async (): Promise<void> => {
      let client: Redis;
      try {
        client = await this.createClient(address, this.connectTimeoutMs);
      } catch {
        retry();
        return;
      }
      if (over()) {
        client.disconnect(false);
        return;
      }
      current = client;
      this.listeners.add(client);
      client.on('error', () => undefined);
      client.on('pmessage', (_pattern: string, channel: string, text: string) => onMessage(channel, text));
      // retryStrategy is null: 'end' comes once per client, whether it never connected or was lost.
      client.once('end', () => {
        this.listeners.delete(client);
        if (current === client) current = null;
        retry();
      });
      try {
        await withTimeout(this.handshake(client, address), this.connectTimeoutMs, () => undefined);
        await client.psubscribe(...patterns);
        failures = 0;
      } catch {
        client.disconnect(false);
      }
    };
    const dispose = (): void => {
      disposed = true;
      clearTimeout(timer);
      this.subscriptions.delete(dispose);
      current?.disconnect(false);
    };
    this.subscriptions.add(dispose);
    if (!this.closed) void open();
    return dispose;
  }

  /** Close one node's connection. */
  disconnect(address: string): void {
    const entry = this.entries.get(address);
    if (!entry) return;
    this.entries.delete(address);
    // Still opening (an SSH forward): the client is closed as soon as it exists (see entryFor).
    entry.client?.disconnect(false);
  }

  /** Close one node's connection and forget its failures: for a node the topology dropped (a churning list must not grow the backoff table). */
  forget(address: string): void {
    this.disconnect(address);
    this.backoffs.delete(address);
  }

  /** Close every connection; the registry refuses further work. */
  disconnectAll(): void {
    this.closed = true;
    for (const dispose of [...this.subscriptions]) dispose();
    for (const address of [...this.entries.keys()]) this.disconnect(address);
    for (const subscriber of this.listeners) subscriber.disconnect(false);
    this.listeners.clear();
    this.backoffs.clear();
    this.transport.tunnel?.close();
  }

  private entryFor(address: string): Entry {
    const existing = this.entries.get(address);
    const status = existing?.client?.status;
    if (existing && status !== 'end' && status !== 'close') return existing;
    if (existing) this.entries.delete(address);

    const entry: Entry = { client: null, ready: Promise.resolve(), isReady: false, generation: ++this.generations, lastError: undefined };
    // Commands are bounded by withTimeout in run(), so ioredis needs no timer of its own per command.
    entry.ready = this.createClient(address, this.connectTimeoutMs)
      .then(async (client) => {
        // ioredis emits 'error' for every connection problem; without a listener Node would
        // print it. We keep the last one to explain a connect that never completes.
        client.on('error', (error: unknown) => {
          entry.lastError = error;
        });
        entry.client = client;
        // Disconnected while the endpoint was being opened: this client is not wanted.
        if (this.entries.get(address) !== entry) {
          client.disconnect(false);
          throw new EngineError('NOT_CONNECTED', `${address}: the connection was closed`);
        }
        await this.handshake(client, address);
      })
      .then(
        () => {
          entry.isReady = true;
        },
        async (error: unknown) => {
          throw await this.explainConnectFailure(address, entry.lastError ?? error);
        },
      );
    // Avoid an unhandled rejection when nobody awaits a failed connect.
    entry.ready.catch(() => undefined);
    this.entries.set(address, entry);
    return entry;
  }

  /** The only place a Redis client is created: through the tunnel's local end and with TLS when the transport says so. */
  private async createClient(address: string, connectTimeoutMs: number): Promise<Redis> {
    const { host, port } = parseAddress(address);
    const endpoint = this.transport.tunnel ? await this.transport.tunnel.endpoint(host, port) : { host, port };
    const tls = this.transport.tls && tlsFor(this.transport.tls, host, endpoint.host !== host);
    return new Redis({
      host: endpoint.host,
      port: endpoint.port,
      ...(tls ? { tls } : {}),
      lazyConnect: true,
      // A TLS handshake a plain port never answers times out a little early, leaving time to probe why.
      connectTimeout: tls ? Math.round(connectTimeoutMs * TLS_HANDSHAKE_SHARE) : connectTimeoutMs,
      enableOfflineQueue: false,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      // Reconnection is ours (with backoff, per node), not ioredis's silent retry loop.
      retryStrategy: () => null,
      autoResubscribe: false,
      autoResendUnfulfilledCommands: false,
    });
  }

  /**
   * Connect, authenticate and name the connection. AUTH is ours rather than ioredis's so a
   * password given for a topology where some nodes have none simply works there (as with
   * redis-cli), instead of failing or printing warnings.
   */
  private async handshake(client: Redis, address: string): Promise<void> {
    await client.connect();
    const { user, password } = this.credentials;
    // An untrusted host is never sent the password (it shows as UNTRUSTED_HOST if it needs one).
    if (password && this.trusts(address)) {
      try {
        await (user ? client.auth(user, password) : client.auth(password));
      } catch (error) {
        if (!/without any password configured|no password is set/i.test(String((error as Error).message))) throw error;
      }
    }
    // Operators see us in CLIENT LIST. Best effort: a renamed or forbidden command is fine.
    await client.client('SETNAME', 'replication-console').catch((error: unknown) => {
      if (/Protocol error|closed/i.test(String((error as Error).message))) throw error;
    });
  }

  /** May this node (by the host it is listed as, not a tunnel's local end) be sent the credentials? */
  trusts(address: string): boolean {
    const trusts = this.transport.trusts;
    return trusts ? trusts(parseAddress(address).host) : true;
  }

  /**
   * TLS on one side only fails as a closed connection or a timeout. One probe of the other kind
   * says which side to change; any other failure is returned as it came.
   */
  private async explainConnectFailure(address: string, cause: unknown): Promise<unknown> {
    const raw = cause instanceof Error ? `${(cause as NodeJS.ErrnoException).code ?? ''} ${cause.message}` : '';
    const suspicious = this.transport.tls ? /ETIMEDOUT|ECONNRESET|EPIPE|wrong version number|packet length|Connection is closed/i : /ECONNRESET|EPIPE|Connection is closed/i;
    if (!suspicious.test(raw) || this.closed) return cause;
    let endpoint: { host: string; port: number };
    try {
      const { host, port } = parseAddress(address);
      endpoint = this.transport.tunnel ? await this.transport.tunnel.endpoint(host, port) : { host, port };
    } catch {
      return cause;
    }
    const probeMs = Math.min(500, Math.round(this.connectTimeoutMs * 0.3));
    const transportTls = this.transport.tls;
    const host = parseAddress(address).host;
    const tlsOptions = transportTls ? tlsFor(transportTls, host, endpoint.host !== host) : null;
    // Up, but refusing new connections (maxclients, protected mode): it says so on accept, and
    // ioredis hands that to its own first command, leaving only "Connection is closed". Probed
    // beside the TLS question, so a TLS port that waits for a handshake costs no extra wait. A
    // TLS server out of clients says nothing (it drops the connection before the handshake): that
    // stays "closed".
    const [refusal, otherKind] = await Promise.all([
      errorOnAccept(endpoint.host, endpoint.port, tlsOptions, probeMs),
      tlsOptions ? speaksPlainRedis(endpoint.host, endpoint.port, probeMs) : speaksTls(endpoint.host, endpoint.port, probeMs),
    ]);
    if (refusal !== null) return new Error(refusal);
    if (tlsOptions) {
      if (otherKind) return new EngineError('TLS', notTls(address));
      if (/ETIMEDOUT/.test(raw)) return cause;
      return (await tlsAlert(endpoint.host, endpoint.port, tlsOptions, probeMs)) ?? cause;
    }
    if (otherKind) {
      return new EngineError('TLS', `${address} closed the connection at once: this port uses TLS, connect with --tls (or a rediss:// seed)`);
    }
    // Not TLS either (or too slow to tell): the plain reason stands.
    return cause;
  }

  private drop(address: string, failure: EngineError): void {
    this.disconnect(address);
    const previous = this.backoffs.get(address);
    const failures = (previous?.failures ?? 0) + 1;
    const delay = Math.min(this.maxBackoffMs, 250 * 2 ** (failures - 1));
    this.backoffs.set(address, { failures, retryAt: Date.now() + delay, error: failure });
  }

  private describe(error: unknown, address: string): EngineError {
    // The password is taken out of what the server or the driver said, before it is put in our
    // words: redacting only the finished sentence cut a short password out of "authentication"
    // and told it by where the *** fell.
    const raw = error instanceof Error && !(error instanceof EngineError) ? withoutSecret(error, this.credentials.password) : error;
    let classified = raw === undefined ? new EngineError('TIMEOUT', '') : withAclUser(classifyError(raw, address), this.credentials.user);
    // We kept the password from this node (see handshake): NOAUTH means that, not a wrong password.
    if (classified.code === 'AUTH_FAILED' && /NOAUTH/.test(String((error as Error | undefined)?.message)) && this.credentials.password && !this.trusts(address)) {
      classified = new EngineError('UNTRUSTED_HOST', untrustedMessage(address));
    }
    // A script that runs on answers BUSY: alive, and its rule says so (SCRIPT KILL); not "no answer".
    const busy = raw instanceof Error && /^BUSY /.test(raw.message);
    const message =
      classified.code === 'TIMEOUT' && !busy
        ? `${address} did not answer within ${this.commandTimeoutMs} ms (the process may be stalled, overloaded, or not a Redis server)`
        : classified.code === 'AUTH_FAILED' && this.explainAuth
          ? this.explainAuth(classified.message, address)
          : classified.message;
    // Not redacted again: our words never carry it, and a password that is one of them ("wrong",
    // "password") was cut out of the sentence and told by where the *** fell.
    return new EngineError(classified.code, message);
  }
}

/**
 * TLS options for one node. Through a tunnel the socket goes to 127.0.0.1, so the certificate
 * is checked against the node's own host name (and SNI carries it unless --sni says otherwise).
 */
function tlsFor(base: ConnectionOptions, host: string, tunnelled: boolean): ConnectionOptions {
  if (!tunnelled) return base;
  const servername = base.servername ?? (isIP(host) ? undefined : host);
  return {
    ...base,
    ...(servername ? { servername } : {}),
    checkServerIdentity: (_ignored, cert) => checkServerIdentity(base.servername ?? host, cert),
  };
}

/** A TLS connect may use this share of the connect timeout; the rest is for explaining a failure. */
const TLS_HANDSHAKE_SHARE = 0.6;

/** What an untrusted node that wants a password says, and how to trust it. */
export function untrustedMessage(address: string): string {
  const { host } = parseAddress(address);
  return `${address} was not sent the password: it is outside the trusted hosts; trust it with --trust ${host} or add it to the connection's trusted hosts`;
}

/** The same error with the password out of its message (its name and code kept: they decide its class). */
function withoutSecret(error: Error, password: string | undefined): Error {
  if (!password || !error.message.includes(password)) return error;
  return Object.assign(new Error(redact(error.message, [password])), { name: error.name, code: (error as NodeJS.ErrnoException).code });
}

function isConnectionLoss(error: unknown): boolean {
  return error instanceof Error && /Connection is closed|Stream isn't writeable|ECONNRESET|EPIPE/.test(error.message);
}

function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError' && !/NOAUTH|WRONGPASS/.test(error.message);
}

function commandTimedOut(): EngineError {
  return new EngineError('TIMEOUT', 'timed out');
}

/** Resolve or reject like `promise`, or reject with `reason()` (or undefined = timeout) after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, reason: () => unknown): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(reason() ?? new EngineError('TIMEOUT', 'timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
