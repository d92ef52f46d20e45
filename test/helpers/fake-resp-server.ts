// A fake Redis for what no real redis-server can be made to say: 10,000 replica lines, a
// replica list that changes on every poll, a 20 MB field, a master that lists itself, two
// replicas announcing one address. Tests run it BESIDE real servers (electron/lab/lab.ts),
// never instead of them. It speaks just enough RESP2 for the engine's client:
//
//   PING, AUTH, CLIENT SETNAME (any CLIENT subcommand: +OK), INFO [section …], CONFIG GET,
//   SELECT, QUIT; anything else gets `-ERR unknown command`, as a renamed command would.
//
// It runs in the test's own process on a free loopback port. Replies are encoded once per
// distinct text and reused, so a 20 MB field or 10k lines cost the test process one buffer,
// not one per call: what a test measures is the engine's cost, not the fake's.
//
// Usage:
//   const fake = await FakeRespServer.start({ info: { replication: scenario.manyReplicas(10_000) } });
//   fake.address            // '127.0.0.1:PORT', a seed for engine.connect
//   fake.setInfo('replication', scenario.churningReplicas(50));   // change replies at any time, per call
//   fake.setError('INFO', 'LOADING Redis is loading the dataset in memory');   // or null to stop
//   fake.infoCalls('replication')   // how often the engine asked
//   await fake.close();     // also works with disposeAfterEach()
import { randomBytes } from 'node:crypto';
import net from 'node:net';

/** The body of one INFO section (fields only, `\n` or `\r\n`), or a function of the call number (1, 2, …). */
export type SectionReply = string | ((call: number) => string);

export interface FakeRespServerOptions {
  /**
   * INFO sections by lower-case name (replication, server, stats, …), without the `# Header`
   * line, which the fake adds. `server` defaults to a plausible Redis 7.0 standalone node
   * (with this fake's port and a fresh run_id); `replication` to a master without replicas;
   * other sections to empty.
   */
  info?: Record<string, SectionReply>;
  /** CONFIG GET answers (parameter → value); CONFIG GET of anything else returns an empty array. */
  config?: Record<string, string>;
  /** When set, every command but AUTH and PING answers NOAUTH until AUTH gives this password. */
  password?: string;
  /** Loopback address to listen on (default 127.0.0.1): another one is another host to the engine. */
  host?: string;
}

const HOST = '127.0.0.1';
/** Sections INFO (and INFO all / everything / default) returns, in Redis's order. */
const SECTION_ORDER = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace', 'sentinel'];
const ALL_SECTIONS = new Set(['all', 'everything', 'default']);

export class FakeRespServer {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** The run_id its default INFO server reports. */
  readonly runId = randomBytes(20).toString('hex');
  private readonly sections = new Map<string, SectionReply>();
  private readonly calls = new Map<string, number>();
  private readonly sockets = new Set<net.Socket>();
  private readonly encoded = new Map<string, { text: string; bulk: Buffer }>();
  private readonly failing = new Map<string, string>();
  private readonly config: Record<string, string>;
  private readonly password: string | undefined;
  private readonly host: string;
  private commandCount = 0;
  private readonly commandsByName = new Map<string, number>();

  private constructor(
    private readonly server: net.Server,
    options: FakeRespServerOptions,
  ) {
    const address = server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
    this.config = { ...options.config };
    this.password = options.password;
    this.host = options.host ?? HOST;
    this.sections.set('server', defaultServerSection(this.port, this.runId));
    this.sections.set('replication', MASTER_WITHOUT_REPLICAS);
    for (const [name, reply] of Object.entries(options.info ?? {})) this.sections.set(name.toLowerCase(), reply);
  }

  /** Listen on a free loopback port (the OS picks it: no race with other tests). */
  static start(options: FakeRespServerOptions = {}): Promise<FakeRespServer> {
    return new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen({ host: options.host ?? HOST, port: 0, exclusive: true }, () => {
        server.off('error', reject);
        const fake = new FakeRespServer(server, options);
        server.on('connection', (socket) => fake.serve(socket));
        resolve(fake);
      });
    });
  }

  /** 'HOST:PORT' (127.0.0.1 unless another host was asked), as the engine takes a seed. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** How many times a command (any case) was received, e.g. received('AUTH'). */
  received(command: string): number {
    return this.commandsByName.get(command.toUpperCase()) ?? 0;
  }

  /** Replace one INFO section's reply; takes effect at the next INFO. */
  setInfo(section: string, reply: SectionReply): void {
    this.sections.set(section.toLowerCase(), reply);
  }

  /**
   * Answer `command` (any case) with this error from now on, e.g. `LOADING Redis is loading the
   * dataset in memory`; null answers it normally again.
   */
  setError(command: string, message: string | null): void {
    if (message === null) this.failing.delete(command.toUpperCase());
    else this.failing.set(command.toUpperCase(), message);
  }

  /** How many times INFO returned `section` (INFO without a section counts for each one it returned). */
  infoCalls(section: string): number {
    return this.calls.get(section.toLowerCase()) ?? 0;
  }

  /** Commands received so far, of any kind. */
  get commands(): number {
    return this.commandCount;
  }

  /** Connections open right now. */
  get connections(): number {
    return this.sockets.size;
  }

  /** Stop listening and drop every connection. */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new RespReader();
    let authenticated = this.password === undefined;
    socket.on('data', (chunk: Buffer) => {
      let commands: string[][];
      try {
        commands = reader.push(chunk);
      } catch (error) {
        socket.end(simpleError(`ERR Protocol error: ${(error as Error).message}`));
        return;
      }
      for (const args of commands) {
        this.commandCount++;
        const name = (args[0] ?? '').toUpperCase();
        this.commandsByName.set(name, (this.commandsByName.get(name) ?? 0) + 1);
        if (name === 'AUTH') {
          const given = args[args.length - 1];
          authenticated = this.password === undefined || given === this.password;
          socket.write(
            this.password === undefined
              ? simpleError('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?')
              : authenticated
                ? '+OK\r\n'
                : simpleError('WRONGPASS invalid username-password pair or user is disabled.'),
          );
          continue;
        }
        if (!authenticated && name !== 'PING') {
          socket.write(simpleError('NOAUTH Authentication required.'));
          continue;
        }
        if (name === 'QUIT') {
          socket.end('+OK\r\n');
          return;
        }
        const failure = this.failing.get(name);
        socket.write(failure === undefined ? this.answer(name, args.slice(1)) : simpleError(failure));
      }
    });
    // A client that goes away mid-reply is normal (the engine times out and drops): not a test failure.
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  }

  private answer(name: string, args: string[]): string | Buffer {
    switch (name) {
      case 'PING':
        return args[0] === undefined ? '+PONG\r\n' : bulk(args[0]);
      case 'CLIENT':
      case 'SELECT':
        return '+OK\r\n';
      case 'INFO':
        return this.info(args);
      case 'CONFIG':
        return this.configCommand(args);
      default:
        return simpleError(`ERR unknown command '${name.toLowerCase()}', with args beginning with: ${args.slice(0, 3).map((a) => `'${a}' `).join('')}`);
    }
  }

  private info(args: string[]): Buffer {
    const asked = args.map((a) => a.toLowerCase());
    const names = asked.length === 0 || asked.some((a) => ALL_SECTIONS.has(a)) ? this.knownSections() : asked;
    const parts: Buffer[] = [];
    for (const name of names) {
      const reply = this.sections.get(name);
      if (reply === undefined) continue;
      const call = (this.calls.get(name) ?? 0) + 1;
      this.calls.set(name, call);
      parts.push(this.sectionText(name, typeof reply === 'function' ? reply(call) : reply));
    }
    if (parts.length === 1 && parts[0]) return bulkBuffer(parts[0]);
    return bulkBuffer(Buffer.concat(parts.flatMap((part, i) => (i === 0 ? [part] : [CRLF, part]))));
  }

  private knownSections(): string[] {
    const known = [...this.sections.keys()];
    return [...SECTION_ORDER.filter((s) => this.sections.has(s)), ...known.filter((s) => !SECTION_ORDER.includes(s))];
  }

  /** `# Header` plus the body with CRLF line ends, encoded once per distinct body. */
  private sectionText(name: string, body: string): Buffer {
    const cached = this.encoded.get(name);
    if (cached && cached.text === body) return cached.bulk;
    const lines = body.replace(/\r\n/g, '\n').replace(/\n+$/, '');
    const header = `# ${name.charAt(0).toUpperCase()}${name.slice(1)}\r\n`;
    const buffer = Buffer.from(`${header}${lines.length > 0 ? `${lines.replace(/\n/g, '\r\n')}\r\n` : ''}`, 'utf8');
    this.encoded.set(name, { text: body, bulk: buffer });
    return buffer;
  }

  private configCommand(args: string[]): string {
    const sub = (args[0] ?? '').toUpperCase();
    if (sub !== 'GET') return simpleError(`ERR unknown subcommand '${args[0] ?? ''}'. Try CONFIG HELP.`);
    const out: string[] = [];
    for (const pattern of args.slice(1)) {
      for (const [key, value] of Object.entries(this.config)) {
        if (pattern === '*' || pattern.toLowerCase() === key.toLowerCase()) out.push(key, value);
      }
    }
    return `*${out.length}\r\n${out.map(bulk).join('')}`;
  }
}

// ---------------------------------------------------------------- INFO bodies for the scenarios

/** A replica as a master lists it. */
export interface ListedLine {
  ip: string;
  port: number;
  state?: string;
  offset?: number;
  lag?: number;
}

const MASTER_REPLID = 'f1d2d2f924e986ac86fdf7b36c94bcdf32beec15';
const MASTER_WITHOUT_REPLICAS = masterReplication([]);

/** INFO replication of a master listing `lines` as its replicas (plus any extra `key:value` lines). */
export function masterReplication(lines: readonly ListedLine[], extra: readonly string[] = []): string {
  const offset = 1000;
  const out = ['role:master', `connected_slaves:${lines.length}`];
  lines.forEach((line, i) => {
    out.push(`slave${i}:ip=${line.ip},port=${line.port},state=${line.state ?? 'online'},offset=${line.offset ?? offset},lag=${line.lag ?? 0}`);
  });
  out.push(
    'master_failover_state:no-failover',
    `master_replid:${MASTER_REPLID}`,
    'master_replid2:0000000000000000000000000000000000000000',
    `master_repl_offset:${offset}`,
    'second_repl_offset:-1',
    'repl_backlog_active:1',
    'repl_backlog_size:1048576',
    'repl_backlog_first_byte_offset:1',
    `repl_backlog_histlen:${offset}`,
    ...extra,
  );
  return out.join('\n');
}

/**
 * `count` addresses that refuse connections at once and can belong to no test's server: loopback
 * addresses other than 127.0.0.1 (where the labs listen), one per line, starting at `first`.
 */
export function unreachableLines(count: number, first = 0): ListedLine[] {
  const lines: ListedLine[] = [];
  for (let i = first; i < first + count; i++) {
    // 127.77.0.0/16 then 127.78.0.0/16 …: 65,536 distinct addresses per /16.
    const block = 77 + Math.floor(i / 65_536);
    lines.push({ ip: `127.${block % 256}.${(i >> 8) & 255}.${i & 255}`, port: 6379 });
  }
  return lines;
}

/** Ready-made INFO replication bodies for the hostile cases of issue 7. */
export const scenario = {
  /** A master listing `count` replicas (10,000 by default), none of them reachable. */
  manyReplicas(count = 10_000): string {
    return masterReplication(unreachableLines(count));
  },
  /** A master whose `count` listed replicas are all new on every INFO: a list that never settles. */
  churningReplicas(count = 20): (call: number) => string {
    return (call) => masterReplication(unreachableLines(count, call * count));
  },
  /** A master whose replication section carries one field of `bytes` characters (20 MB by default). */
  hugeField(bytes = 20 * 1024 * 1024, key = 'x_proxy_note'): string {
    return masterReplication([], [`${key}:${'A'.repeat(bytes)}`]);
  },
  /** A master at `port` on 127.0.0.1 that lists itself as its own replica (a replica announcing the master's address). */
  listsItself(port: number): string {
    return masterReplication([{ ip: HOST, port }]);
  },
  /** A master listing two replicas that announce the same address (`ip:port`, an unreachable one by default). */
  twoReplicasOneAddress(ip = '127.77.255.1', port = 6379): string {
    return masterReplication([
      { ip, port, offset: 1000 },
      { ip, port, offset: 990 },
    ]);
  },
};

function defaultServerSection(port: number, runId: string): string {
  return [
    'redis_version:7.0.15',
    'redis_mode:standalone',
    'os:Linux',
    'arch_bits:64',
    `process_id:${process.pid}`,
    `run_id:${runId}`,
    `tcp_port:${port}`,
    'uptime_in_seconds:100',
    'uptime_in_days:0',
    'config_file:',
  ].join('\n');
}

// ---------------------------------------------------------------- RESP

const CRLF = Buffer.from('\r\n');

function simpleError(message: string): string {
  return `-${message.replace(/[\r\n]/g, ' ')}\r\n`;
}

function bulk(text: string): string {
  return `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
}

function bulkBuffer(payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`$${payload.length}\r\n`), payload, CRLF]);
}

/** Incremental RESP2 request reader: arrays of bulk strings, or inline commands. */
class RespReader {
  private buffer: Buffer = Buffer.alloc(0);

  /** Append a chunk; return every complete command it finished. Throws on a malformed request. */
  push(chunk: Buffer): string[][] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const commands: string[][] = [];
    for (;;) {
      const parsed = this.buffer[0] === 0x2a /* '*' */ ? this.array() : this.inline();
      if (!parsed) return commands;
      this.buffer = this.buffer.subarray(parsed.end);
      if (parsed.args.length > 0) commands.push(parsed.args);
    }
  }

  private inline(): { args: string[]; end: number } | null {
    const eol = this.buffer.indexOf('\n');
    if (eol < 0) return null;
    const line = this.buffer.subarray(0, eol).toString('utf8').replace(/\r$/, '');
    return { args: line.split(' ').filter((part) => part.length > 0), end: eol + 1 };
  }

  private array(): { args: string[]; end: number } | null {
    const header = this.line(0);
    if (!header) return null;
    const count = Number(header.text.slice(1));
    if (!Number.isInteger(count) || count < 0 || count > 1024) throw new Error(`bad array length ${header.text}`);
    const args: string[] = [];
    let at = header.end;
    for (let i = 0; i < count; i++) {
      const lengthLine = this.line(at);
      if (!lengthLine) return null;
      if (!lengthLine.text.startsWith('$')) throw new Error(`expected a bulk string, got ${lengthLine.text.slice(0, 20)}`);
      const length = Number(lengthLine.text.slice(1));
      if (!Number.isInteger(length) || length < 0 || length > 1024 * 1024) throw new Error(`bad bulk length ${lengthLine.text}`);
      const end = lengthLine.end + length;
      if (this.buffer.length < end + 2) return null;
      args.push(this.buffer.subarray(lengthLine.end, end).toString('utf8'));
      at = end + 2;
    }
    return { args, end: at };
  }

  private line(from: number): { text: string; end: number } | null {
    const eol = this.buffer.indexOf('\r\n', from);
    return eol < 0 ? null : { text: this.buffer.subarray(from, eol).toString('utf8'), end: eol + 2 };
  }
}
