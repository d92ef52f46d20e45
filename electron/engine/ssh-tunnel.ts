// One SSH session to a bastion that every node of a topology is reached through: each node
// address gets one local port (127.0.0.1:0) whose connections are forwarded (direct-tcpip) to
// that address as the bastion sees it. The host key is checked against known_hosts first.
import { readFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import type { AuthenticationType, AnyAuthMethod, ClientChannel, ConnectConfig, ParsedKey, ServerHostKeyAlgorithm } from 'ssh2';
import type { SshOptions } from '../shared/types';
import { formatAddress } from './address';
import { EngineError } from './errors';
import { answerOnPort } from './ssh-diagnosis';
import {
  appendKnownHost,
  checkHostKey,
  defaultKnownHostsFile,
  fingerprint,
  keyTypeLabel,
  keyTypeOf,
  knownHostsName,
  knownKeyTypes,
  readKnownHosts,
} from './known-hosts';
import type { Tunnel } from './transport';

type Client = import('ssh2').Client;
let ssh2Module: Promise<typeof import('ssh2')> | null = null;

/**
 * ssh2 and its crypto are loaded by the first tunnel, not with the engine: a CLI topology without
 * SSH starts without parsing them. ssh2 is CommonJS and Node's ESM loader does not see its `utils`
 * as a named export: take both from the default.
 */
function ssh2(): Promise<typeof import('ssh2')> {
  ssh2Module ??= import('ssh2').then((module) => module.default);
  return ssh2Module;
}

export interface TunnelSettings {
  /** Longest wait for the bastion's TCP connect, handshake and authentication. Default 10 s. */
  readyTimeoutMs?: number;
  /** SSH keepalives: a dead bastion is noticed after interval × 3. Default 15 s. */
  keepaliveIntervalMs?: number;
  /** After the session dropped, it is re-opened at most once per this long. Default 2 s. */
  reopenIntervalMs?: number;
  /** For tests: a clock in milliseconds. */
  now?: () => number;
}

/** HOST_KEY_UNKNOWN with what a prompt needs: the name known_hosts would file it under, the key type and fingerprint. */
export class HostKeyUnknownError extends EngineError {
  constructor(
    readonly hostName: string,
    readonly keyType: string,
    readonly fingerprint: string,
    message: string,
  ) {
    super('HOST_KEY_UNKNOWN', message);
  }
}

// ssh2's host key algorithms in its own order; the types known_hosts holds for the host go first (as ssh does).
const HOST_KEY_ALGORITHMS: ServerHostKeyAlgorithm[] = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
const UNUSED_CHANNEL_MS = 10_000;
/** How long a handshake that timed out has its port looked at (what answers there), at most. */
const TIMEOUT_PROBE_MS = 1000;
/** SSH_MSG_CHANNEL_OPEN_FAILURE reason codes (RFC 4254 §5.1). */
const ADMINISTRATIVELY_PROHIBITED = 1;
const CONNECT_FAILED = 2;

interface Forward {
  server: Server;
  port: number;
  /** Channels opened by endpoint() (so a refusal is reported there) for the next local connections to use. */
  ready: { channel: ClientChannel; timer: NodeJS.Timeout }[];
  sockets: Set<Socket>;
}

/** Open the SSH session (host key checked, authenticated) and return its forwards. Rejects with an EngineError. */
export async function openTunnel(options: SshOptions, settings: TunnelSettings = {}): Promise<Tunnel> {
  const tunnel = new SshTunnel(options, settings);
  await tunnel.start();
  return tunnel;
}

class SshTunnel implements Tunnel {
  private readonly port: number;
  /** "root@bastion:22", for messages. */
  private readonly label: string;
  private readonly now: () => number;
  private client: Client | null = null;
  private opening: Promise<Client> | null = null;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private dropped: EngineError | null = null;
  /** Why the session that was up dropped: said once before each failed re-open (it grew a clause per attempt). */
  private dropReason: string | null = null;
  private closed = false;
  private readonly forwards = new Map<string, Promise<Forward>>();

  constructor(
    private readonly options: SshOptions,
    private readonly settings: TunnelSettings,
  ) {
    this.port = options.port ?? 22;
    this.label = `${options.user}@${formatAddress(options.host, this.port)}`;
    this.now = settings.now ?? Date.now;
  }

  async start(): Promise<void> {
    await this.session();
  }

  async endpoint(host: string, port: number): Promise<{ host: string; port: number }> {
    const address = formatAddress(host, port);
    const client = await this.session().catch((error: unknown) => {
      // The node's own error (as the registry reports it) names the node as well as the tunnel.
      throw error instanceof EngineError && error.code === 'SSH' ? new EngineError('SSH', `${address}: ${error.message}`) : error;
    });
    const channel = await this.forwardOut(client, host, port);
    let forward = this.forwards.get(address);
    if (!forward) {
      forward = this.listen(host, port);
      this.forwards.set(address, forward);
      forward.catch(() => this.forwards.delete(address));
    }
    let opened: Forward;
    try {
      opened = await forward;
    } catch (error) {
      channel.close();
      throw error;
    }
    // Not taken by a local connection soon (the client was dropped before dialling): closed.
    const timer = setTimeout(() => {
      opened.ready = opened.ready.filter((entry) => entry.channel !== channel);
      channel.close();
    }, UNUSED_CHANNEL_MS);
    timer.unref();
    opened.ready.push({ channel, timer });
    return { host: '127.0.0.1', port: opened.port };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const forward of this.forwards.values()) {
      forward.then(
        (opened) => {
          for (const { channel, timer } of opened.ready) {
            clearTimeout(timer);
            channel.close();
          }
          for (const socket of opened.sockets) socket.destroy();
          opened.server.close();
        },
        () => undefined,
      );
    }
    this.forwards.clear();
    this.client?.end();
    this.client = null;
  }

  /** The live session; after a drop, re-opened on use, at most once per reopenIntervalMs. */
  private async session(): Promise<Client> {
    if (this.closed) throw new EngineError('SSH', `the SSH tunnel ${this.label} was closed`);
    if (this.client) return this.client;
    if (this.opening) return this.opening;
    const interval = this.settings.reopenIntervalMs ?? 2000;
    if (this.dropped && this.now() - this.lastAttemptAt < interval) throw this.dropped;
    this.lastAttemptAt = this.now();
    const wasDropped = this.dropped;
    this.opening = this.connect().then(
      (client) => {
        this.opening = null;
        this.dropped = null;
        this.dropReason = null;
        if (this.closed) {
          client.end();
          throw new EngineError('SSH', `the SSH tunnel ${this.label} was closed`);
        }
        this.client = client;
        return client;
      },
      (error: unknown) => {
        this.opening = null;
        // Once the session has been up, a failed re-open keeps the nodes failing (bounded) with both reasons.
        if (wasDropped && error instanceof EngineError) {
          this.dropped = new EngineError(error.code, `${this.dropReason ?? wasDropped.message}; re-opening it failed: ${error.message}`);
          throw this.dropped;
        }
        throw error;
      },
    );
    return this.opening;
  }

  /** One SSH connection: host key checked against known_hosts, then key or password authentication. */
  private async connect(): Promise<Client> {
    const { host, user } = this.options;
    const knownHostsFile = this.options.knownHostsFile ?? defaultKnownHostsFile();
    const hostName = knownHostsName(host, this.port);
    const known = readKnownHosts(knownHostsFile);
    const key = this.options.keyFile ? await readPrivateKey(this.options.keyFile, this.options.passphrase) : undefined;
    const methods: AnyAuthMethod[] = [];
    // The key already decrypted: the passphrase's KDF (bcrypt, in JS) runs once, not twice.
    if (key) methods.push({ type: 'publickey', username: user, key });
    if (this.options.password) methods.push({ type: 'password', username: user, password: this.options.password });
    if (methods.length === 0) {
      throw new EngineError('SSH', `SSH ${this.label}: no way to authenticate: give a key file (--ssh-key FILE) or a password`);
    }

    const tried: string[] = [];
    let serverMethods: AuthenticationType[] | null = null;
    let hostKeyError: EngineError | null = null;
    const knownTypes = knownKeyTypes(known, hostName);
    const preferred = HOST_KEY_ALGORITHMS.filter((name) => knownTypes.includes(name.startsWith('rsa-sha2-') ? 'ssh-rsa' : name));
    const algorithms = [...new Set([...preferred, ...HOST_KEY_ALGORITHMS])];

    const config: ConnectConfig = {
      host,
      port: this.port,
      username: user,
      readyTimeout: this.settings.readyTimeoutMs ?? 10_000,
      keepaliveInterval: this.settings.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: 3,
      algorithms: { serverHostKey: algorithms },
      hostVerifier: (blob: Buffer) => {
        hostKeyError = verifyHostKey(blob, hostName, knownHostsFile, this.options.acceptHostKey);
        return hostKeyError === null;
      },
      authHandler: (left, _partial, next) => {
        if (left) serverMethods = left;
        const method = methods.shift();
        if (method) tried.push(method.type === 'publickey' ? `publickey (${this.options.keyFile ?? 'key'})` : method.type);
        // ssh2 takes `false` for "nothing left to try" (then fails authentication); its types omit it.
        (next as (method: AnyAuthMethod | false) => void)(method ?? false);
      },
    };

    const { Client } = await ssh2();
    const client = new Client();
    return new Promise<Client>((resolve, reject) => {
      let ready = false;
      let lastError: Error | null = null;
      let failed = false;
      const fail = (error: EngineError): void => {
        failed = true;
        reject(error);
      };
      // The handshake never started: what answers on that port says more than ssh2's "Connection lost before handshake".
      const notSsh = (fallback: EngineError, probeMs?: number): void => {
        failed = true;
        void this.notSshError(fallback, probeMs).then(reject);
      };
      client.on('ready', () => {
        ready = true;
        resolve(client);
      });
      client.on('error', (error: Error & { level?: string; code?: string }) => {
        lastError = error;
        if (ready || failed) return;
        if (hostKeyError) return fail(hostKeyError);
        if (error.level === 'client-authentication') {
          const accepts = serverMethods ? `; the server accepts: ${serverMethods.join(', ')}` : '';
          return fail(new EngineError('SSH', `SSH authentication failed for ${this.label} (tried: ${tried.join(', ') || 'nothing'}${accepts})`));
        }
        if (/before handshake/i.test(error.message)) return notSsh(this.closedDuringHandshake());
        if (error.code === 'ECONNRESET') return notSsh(this.connectError(error));
        // A server that answers and keeps the line open (Redis: "-ERR unknown command 'SSH-2.0-…'")
        // waited out the whole handshake timeout and was "unreachable, or not an SSH server": a
        // short look tells which (an unreachable host adds at most that look).
        if (error.level === 'client-timeout') return notSsh(this.connectError(error), TIMEOUT_PROBE_MS);
        fail(this.connectError(error));
      });
      client.on('close', () => {
        if (!ready) {
          if (failed) return;
          if (hostKeyError) fail(hostKeyError);
          else notSsh(this.closedDuringHandshake());
          return;
        }
        if (this.client === client) {
          this.client = null;
          const why = lastError ? ` (${lastError.message})` : '';
          this.dropReason = `the SSH tunnel ${this.label} dropped${why}`;
          this.dropped = new EngineError('SSH', `${this.dropReason}; it is re-opened on the next use`);
        }
      });
      client.connect(config);
    });
  }

  private closedDuringHandshake(): EngineError {
    return new EngineError('SSH', `the SSH bastion ${formatAddress(this.options.host, this.port)} closed the connection during the handshake`);
  }

  /** What a port that dropped the SSH client before the handshake is, when it can be told; else `fallback`. */
  private async notSshError(fallback: EngineError, probeMs = 3000): Promise<EngineError> {
    const where = formatAddress(this.options.host, this.port);
    const answer = await answerOnPort(this.options.host, this.port, Math.min(this.settings.readyTimeoutMs ?? 10_000, probeMs));
    if (answer.kind === 'other') {
      return new EngineError('SSH', `the SSH bastion ${where} answered, but not as an SSH server (it sent ${answer.sent}): is ${this.port} its SSH port?`);
    }
    if (answer.kind === 'silent') {
      return new EngineError('SSH', `the SSH bastion ${where} closed the connection before the SSH handshake, without a word: is ${this.port} its SSH port, and is it an SSH server?`);
    }
    return fallback;
  }

  private connectError(error: Error & { level?: string; code?: string }): EngineError {
    const where = formatAddress(this.options.host, this.port);
    const code = error.code ?? '';
    if (code === 'ECONNREFUSED') return new EngineError('SSH', `the SSH bastion ${where} refused the connection (is sshd listening on that port?)`);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new EngineError('SSH', `the SSH bastion's host name ${this.options.host} could not be resolved`);
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new EngineError('SSH', `the SSH bastion ${where} is unreachable (no route to that host)`);
    if (error.level === 'client-timeout' || code === 'ETIMEDOUT') {
      return new EngineError('SSH', `the SSH bastion ${where} did not complete the SSH handshake in time (unreachable, or not an SSH server)`);
    }
    if (code === 'ECONNRESET') return new EngineError('SSH', `the SSH bastion ${where} closed the connection (is that port an SSH server?)`);
    return new EngineError('SSH', `SSH ${this.label}: ${error.message.split('\n')[0] ?? 'the connection failed'}`);
  }

  /** Open one direct-tcpip channel to host:port from the bastion, with a refusal explained. */
  private forwardOut(client: Client, host: string, port: number): Promise<ClientChannel> {
    const address = formatAddress(host, port);
    return new Promise((resolve, reject) => {
      client.forwardOut('127.0.0.1', 0, host, port, (error: (Error & { reason?: number | string }) | undefined, channel) => {
        if (!error) return resolve(channel);
        if (error.reason === ADMINISTRATIVELY_PROHIBITED) {
          return reject(
            new EngineError('SSH', `${address}: the SSH bastion ${this.label} refused to forward to it (administratively prohibited: AllowTcpForwarding?)`),
          );
        }
        if (error.reason === CONNECT_FAILED) {
          const detail = error.message.replace(/^\(SSH\) Channel open failure:\s*/, '');
          return reject(new EngineError('UNREACHABLE', `${address}: the SSH bastion ${this.label} could not connect to it (${detail})`));
        }
        // The session went away under us (no channel reply): the node fails naming the tunnel.
        if (this.client === client) this.client = null;
        reject(new EngineError('SSH', `${address}: ${this.dropped?.message ?? `the SSH tunnel ${this.label} failed (${error.message})`}`));
      });
    });
  }

  /** A local server for one node address; each connection is joined to a channel to it. */
  private listen(host: string, port: number): Promise<Forward> {
    return new Promise((resolve, reject) => {
      const sockets = new Set<Socket>();
      const forward: Forward = { server: createServer(), port: 0, ready: [], sockets };
      forward.server.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => socket.destroy());
        const waiting = forward.ready.shift();
        if (waiting) clearTimeout(waiting.timer);
        const channel = waiting
          ? Promise.resolve(waiting.channel)
          : this.session().then((client) => this.forwardOut(client, host, port));
        channel.then(
          (stream) => {
            if (socket.destroyed) return stream.close();
            socket.pipe(stream).pipe(socket);
            stream.on('error', () => socket.destroy());
            stream.on('close', () => socket.destroy());
            socket.on('close', () => stream.close());
          },
          () => socket.destroy(),
        );
      });
      forward.server.once('error', (error: NodeJS.ErrnoException) => {
        reject(new EngineError('SSH', `the SSH tunnel ${this.label} could not open a local port (${error.code ?? error.message})`));
      });
      forward.server.listen(0, '127.0.0.1', () => {
        const bound = forward.server.address();
        forward.port = typeof bound === 'object' && bound ? bound.port : 0;
        resolve(forward);
      });
    });
  }
}

/** Check the presented host key; null when it may be used (known, or just accepted and added). */
function verifyHostKey(blob: Buffer, hostName: string, file: string, acceptHostKey: string | undefined): EngineError | null {
  let entries;
  try {
    entries = readKnownHosts(file);
  } catch (error) {
    return error instanceof EngineError ? error : new EngineError('SSH', `the known hosts file ${file} cannot be read`);
  }
  const verdict = checkHostKey(entries, hostName, blob);
  const print = fingerprint(blob);
  const type = keyTypeLabel(keyTypeOf(blob));
  switch (verdict.status) {
    case 'known':
      return null;
    case 'revoked':
      return new EngineError('HOST_KEY_REVOKED', `the ${type} host key of '${hostName}' (${print}) is marked @revoked in ${file}:${verdict.line}: refusing to connect`);
    case 'changed':
      return new EngineError(
        'HOST_KEY_CHANGED',
        `REMOTE HOST IDENTIFICATION HAS CHANGED for '${hostName}': it sent the ${type} key ${print}, not the one in ${file}:${verdict.line} (${verdict.knownFingerprint}). ` +
          `Someone could be eavesdropping (a man-in-the-middle attack), or the host key was just changed. Refused; if the change is expected, ` +
          `remove the old key with: ssh-keygen -R '${hostName}' -f ${file}`,
      );
    case 'unknown':
      if (acceptHostKey === print) {
        try {
          appendKnownHost(file, hostName, blob);
        } catch (error) {
          return error instanceof EngineError ? error : new EngineError('SSH', `the host key could not be added to ${file}`);
        }
        return null;
      }
      return new HostKeyUnknownError(
        hostName,
        type,
        print,
        `The authenticity of SSH host '${hostName}' can't be established: its ${type} key fingerprint is ${print} and ${file} does not list it. ` +
          `Check the fingerprint, then accept it (--ssh-accept-host-key ${print})` +
          (acceptHostKey ? `; the fingerprint given to accept (${acceptHostKey}) is not this key's` : ''),
      );
  }
}

/** Read and decrypt the private key up front, so a missing file or a passphrase problem gets its own message. */
async function readPrivateKey(file: string, passphrase: string | undefined): Promise<ParsedKey> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new EngineError('SSH', `the SSH key file ${file} does not exist`);
    if (code === 'EACCES') throw new EngineError('SSH', `the SSH key file ${file} cannot be read (permission denied)`);
    throw new EngineError('SSH', `the SSH key file ${file} cannot be read (${code ?? 'error'})`);
  }
  const { utils } = await ssh2();
  const parsed = utils.parseKey(data, passphrase);
  if (parsed instanceof Error) {
    if (/no passphrase given/i.test(parsed.message)) {
      throw new EngineError('SSH', `the SSH key ${file} is encrypted: give the passphrase (--ssh-askpass)`);
    }
    if (passphrase && /passphrase|decrypt|integrity/i.test(parsed.message)) {
      throw new EngineError('SSH', `the SSH key ${file}: wrong passphrase`);
    }
    throw new EngineError('SSH', `the SSH key file ${file} is not a private key that can be read (${parsed.message})`);
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key?.isPrivateKey()) throw new EngineError('SSH', `the SSH key file ${file} holds a public key: give the private key`);
  return key;
}
