// Every command the console sends is written here: the executor, the probe, the preflight and
// the interrupted-plan report know only the NodeCommands interface, so unit tests can drive
// their abort and clean-up paths with a scripted fake, and there is exactly one place where a
// REPLICAOF, a FAILOVER or a CLIENT PAUSE leaves the console. The engine's polling, which runs
// on the registry's connection directly (it needs the connection's generation), sends its INFO
// through readInfo below. Connection set-up (AUTH, CLIENT SETNAME) is the registry's.
import type Redis from 'ioredis';
import { formatAddress } from './address';
import { EngineError, toApiError } from './errors';

/** Run `work` on the connection to one node (ReplicationEngine.run). */
export type RunOn = <T>(address: string, work: (client: Redis) => Promise<T>) => Promise<T>;
/** The first message on `channel` at `address` within `ms`, or null (ClientRegistry.listen). */
export type ListenOn = (address: string, channel: string, ms: number) => Promise<string | null>;

/** WRITE (6.2+) lets reads, INFO and replication go on; ALL also stops the console's own reads. */
export type PauseMode = 'WRITE' | 'ALL';

export interface FailoverOptions {
  /** The address the master itself lists for the target. */
  to: { host: string; port: number };
  /** Hand over after the timeout even if the target has not ACKed every byte (needs a timeout). */
  force: boolean;
  timeoutMs: number;
}

/** The preflight's one round trip: a null stands for a reply the server refused (NOPERM, unknown command). */
export interface PreflightReplies {
  info: {
    server: string | null;
    replication: string | null;
    cluster: string | null;
    keyspace: string | null;
    sentinel: string | null;
    memory: string | null;
    persistence: string | null;
  };
  config: {
    masterauth: string | null;
    masteruser: string | null;
    requirepass: string | null;
    minReplicasToWrite: string | null;
    minReplicasMaxLag: string | null;
    save: string | null;
    stopWritesOnBgsaveError: string | null;
    replicaIgnoreDiskWriteErrors: string | null;
    tlsPort: string | null;
    tlsReplication: string | null;
  };
  /** ACL GETUSER default as the flat list Redis returns. */
  aclDefault: unknown[] | null;
  /** PUBSUB NUMSUB of the Sentinel hello channel. */
  helloSubscribers: number;
  clientList: string | null;
}

export const SENTINEL_HELLO_CHANNEL = '__sentinel__:hello';

/** A command a plan sends that can be asked, harmlessly, whether the console's user may send it. */
export type ProbedCommand = 'REPLICAOF' | 'SLAVEOF' | 'FAILOVER' | 'CLIENT PAUSE' | 'CONFIG SET' | 'CONFIG GET' | ReplicationCommand;

/**
 * What a replica sends its master as its masteruser (PING, then REPLCONF and PSYNC), asked of the
 * master when a plan gives the replica the console's own user (set masterauth).
 */
export type ReplicationCommand = 'PSYNC' | 'REPLCONF' | 'PING';

/**
 * Each probed command in a form that Redis turns down inside the command. processCommand checks
 * that the command exists, then its arity, then the user's ACL, and only then runs it: so this
 * form gets NOPERM (or "unknown command" when renamed) where the real one would, and elsewhere an
 * argument error with no effect at all (checked on Redis 7.0, master and replica: role, offsets,
 * pause and settings unchanged). Never `REPLICAOF NO ONE`: that is a promotion. ACL rules and
 * rename-command apply to a command (CONFIG SET), not to its parameter: one probe serves every
 * CONFIG SET, including masterauth's, whose every value is valid. CLIENT UNPAUSE and CONFIG
 * REWRITE have no such form and are not probed.
 *
 * PSYNC's form is harmless only from Redis 7.0 on: syncCommand parses the offset before anything
 * else (redis/redis#10243, in 7.0.0). Before, `PSYNC ?` went on to a full sync that made the
 * console's own connection a replica, so it is asked of 7.0+ masters only (permissions.ts). It
 * logs "Replica … asks for synchronization but with a wrong offset" on the master. REPLCONF
 * with an even argument count is a syntax error before any option is read, in every version.
 *
 * Redis 7 also allows a command by its first argument (`+replicaof|no` allows REPLICAOF NO ONE
 * and nothing else, `+failover|to` FAILOVER TO …; it logs a deprecation warning, and honours it).
 * So REPLICAOF and FAILOVER are asked with the first argument the plan sends (probeArgs): here the
 * defaults, for a plan whose first argument is not known yet.
 */
export const PERMISSION_PROBES: Record<ProbedCommand, readonly [string, ...string[]]> = {
  REPLICAOF: ['REPLICAOF', '127.0.0.1', 'not-a-port'], // "Invalid master port"
  SLAVEOF: ['SLAVEOF', '127.0.0.1', 'not-a-port'],
  // "value is not an integer or out of range": the options are parsed before anything is done.
  // TO is the first argument the plan sends (failoverArgs).
  FAILOVER: ['FAILOVER', 'TO', '127.0.0.1', 'not-a-port'],
  'CLIENT PAUSE': ['CLIENT', 'PAUSE', 'not-a-number', 'WRITE'], // "timeout is not an integer"
  'CONFIG SET': ['CONFIG', 'SET', 'min-replicas-to-write', 'not-a-number'], // "argument couldn't be parsed into an integer"
  'CONFIG GET': ['CONFIG', 'GET', 'min-replicas-to-write'], // a read
  PSYNC: ['PSYNC', '?', 'not-a-number'], // 7.0+: "value is not an integer or out of range", before any sync starts
  REPLCONF: ['REPLCONF', 'listening-port'], // "syntax error": options come in pairs (each of REPLCONF_SENT, probeForms)
  PING: ['PING'],
};

/**
 * The REPLCONF options a Redis 7 replica sends its master, each an ACL first argument of its own
 * (`+replconf|ack`): listening-port and capa in the handshake, then ACK every second (refused, the
 * link is up but the master never learns the replica's offset: checked on Redis 7.0). ip-address is
 * sent only with replica-announce-ip, which the plan does not know.
 */
export const REPLCONF_SENT = ['listening-port', 'capa', 'ack'] as const;

/** Every form asking about `command`: one, but for REPLCONF one per option a replica sends. */
export function probeForms(command: ProbedCommand, first?: string): (readonly [string, ...string[]])[] {
  if (command === 'REPLCONF') return REPLCONF_SENT.map((option) => ['REPLCONF', option] as const);
  return [probeArgs(command, first)];
}

/**
 * The probe of `command` with `first` as its first argument, for REPLICAOF (SLAVEOF) whose first
 * argument is the new master's host, or NO for a promotion, and FAILOVER ABORT. `REPLICAOF NO not-a-port` is harmless
 * too: Redis promotes only on NO ONE, and otherwise takes NO for a host and refuses the port before
 * anything else (checked on Redis 7.0: role, replid and offsets unchanged). The second argument is
 * never a number: `REPLICAOF NO 6379` would make the node replicate from a host named NO.
 */
export function probeArgs(command: ProbedCommand, first?: string): readonly [string, ...string[]] {
  const form = PERMISSION_PROBES[command];
  // FAILOVER ABORT aborts only with no other argument: with one more it is a syntax error, in any state.
  if (command === 'FAILOVER' && first?.toUpperCase() === 'ABORT') return ['FAILOVER', 'ABORT', 'not-an-option'];
  if (first === undefined || (command !== 'REPLICAOF' && command !== 'SLAVEOF')) return form;
  return [form[0], first, 'not-a-port'];
}

/**
 * What a permission probe found: allowed (any other answer); denied (NOPERM, with the console's
 * usual message naming the rule to add); disabled (renamed or removed with rename-command); or
 * unanswered (timeout, connection lost: the plan's reachability checks decide).
 */
export type Permission = { status: 'allowed' } | { status: 'denied' | 'disabled' | 'unanswered'; message: string };

export interface NodeCommands {
  /** INFO of one or more sections, pipelined in one round trip, as one text. */
  info(address: string, ...sections: string[]): Promise<string>;
  /** CONFIG GET of one parameter; null when the server has no such parameter. */
  configGet(address: string, parameter: string): Promise<string | null>;
  configSet(address: string, parameter: string, value: string): Promise<void>;
  /** CONFIG SET masterauth to the console's own password (it never passes through the caller), then checks it took. */
  setMasterauth(address: string): Promise<void>;
  /** REPLICAOF host port; resolves with the server's reply ("OK", "OK Already connected…"). */
  replicaof(address: string, host: string, port: number): Promise<string>;
  replicaofNoOne(address: string): Promise<void>;
  failover(address: string, options: FailoverOptions): Promise<void>;
  failoverAbort(address: string): Promise<void>;
  /** CLIENT PAUSE ms [WRITE]: ends by itself after `ms`. */
  clientPause(address: string, ms: number, mode: PauseMode): Promise<void>;
  clientUnpause(address: string): Promise<void>;
  configRewrite(address: string): Promise<void>;
  /** Whether the console's user may send `command` (with `first` as its first argument) on the node, asked with its harmless form (probeArgs). */
  mayRun(address: string, command: ProbedCommand, first?: string): Promise<Permission>;
  /** Everything the preflight reads from one node, in one pipelined round trip. */
  preflight(address: string): Promise<PreflightReplies>;
  /** One message from the node's Sentinel hello channel, or null after `ms`. */
  sentinelHello(address: string, ms: number): Promise<string | null>;
  /** On a Sentinel: SENTINEL MASTER name as a field map (flags, quorum, num-other-sentinels, failover-timeout, …). */
  sentinelMaster(address: string, name: string): Promise<Record<string, string>>;
  /** On a Sentinel: SENTINEL REPLICAS name, one field map per replica (ip, port, flags, slave-priority, slave-repl-offset). */
  sentinelReplicas(address: string, name: string): Promise<Record<string, string>[]>;
  /** On a Sentinel: SENTINEL SENTINELS name, one field map per other Sentinel (ip, port, flags). */
  sentinelSentinels(address: string, name: string): Promise<Record<string, string>[]>;
  /** On a Sentinel: SENTINEL CKQUORUM name; a refusal (NOQUORUM) is `ok: false` with its text, not an error. */
  sentinelCkquorum(address: string, name: string): Promise<{ ok: boolean; message: string }>;
  /** On a Sentinel: SENTINEL GET-MASTER-ADDR-BY-NAME name as "host:port", or null when it has none. */
  sentinelMasterAddress(address: string, name: string): Promise<string | null>;
  /** On a Sentinel: SENTINEL FAILOVER name (no target: Sentinel picks by replica-priority, offset, run id). */
  sentinelFailover(address: string, name: string): Promise<void>;
}

/** The exact argument list of a FAILOVER (FORCE needs a TIMEOUT; Redis refuses it otherwise). */
export function failoverArgs(options: FailoverOptions): string[] {
  return ['TO', options.to.host, String(options.to.port), ...(options.force ? ['FORCE'] : []), 'TIMEOUT', String(options.timeoutMs)];
}

type Reply = [Error | null, unknown];

/** What one pipelined INFO round trip read, with the times the request left and the reply came back. */
export interface InfoRead {
  texts: string[];
  sentAt: number;
  receivedAt: number;
}

/**
 * INFO of several sections as one command (Redis and Valkey 7.0+ take a list of sections): one
 * reply, split back into each section's text (header line included, as a single-section INFO
 * answers), in the order asked. A section the reply does not have is '' (as INFO of an unknown
 * section answers). Text before the first header belongs to no section and is left out.
 */
export async function readInfoSections(client: Redis, sections: readonly string[], now: () => number = Date.now): Promise<InfoRead> {
  const sentAt = now();
  const value: unknown = await (client.info as (...sections: string[]) => Promise<string>)(...sections);
  const receivedAt = now();
  return { texts: splitInfoSections(typeof value === 'string' ? value : '', sections), sentAt, receivedAt };
}

/** The text of each asked section in a multi-section INFO reply (see readInfoSections). */
export function splitInfoSections(text: string, sections: readonly string[]): string[] {
  const found = new Map<string, string>();
  let name: string | null = null;
  let from = 0;
  const close = (to: number): void => {
    if (name === null) return;
    let body = text.slice(from, to);
    // The blank line a server puts between two sections is not part of either (a single-section reply has none).
    if (to < text.length) body = body.endsWith('\r\n\r\n') ? body.slice(0, -2) : body.endsWith('\n\n') ? body.slice(0, -1) : body;
    // A repeated header continues its section, as parseInfo reads it.
    found.set(name, (found.get(name) ?? '') + body);
  };
  for (let start = 0; start < text.length; ) {
    const newline = text.indexOf('\n', start);
    const next = newline < 0 ? text.length : newline + 1;
    if (text.charCodeAt(start) === 35 /* # */) {
      close(start);
      name = text.slice(start + 1, newline < 0 ? text.length : newline).trim().toLowerCase();
      from = start;
    }
    start = next;
  }
  close(text.length);
  return sections.map((section) => found.get(section.toLowerCase()) ?? '');
}

/** INFO of each section, pipelined in one round trip; a section's error rejects the whole read. */
export async function readInfo(client: Redis, sections: readonly string[], now: () => number = Date.now): Promise<InfoRead> {
  if (sections.length === 1) {
    // Most polls read INFO replication alone: one command, without a Pipeline's bookkeeping.
    const sentAt = now();
    const value: unknown = await client.info(sections[0] ?? '');
    return { texts: [typeof value === 'string' ? value : ''], sentAt, receivedAt: now() };
  }
  const pipeline = client.pipeline();
  for (const section of sections) pipeline.info(section);
  const sentAt = now();
  const replies = ((await pipeline.exec()) ?? []) as Reply[];
  const receivedAt = now();
  const texts = replies.map(([error, value]) => {
    if (error) throw error;
    return typeof value === 'string' ? value : '';
  });
  return { texts, sentAt, receivedAt };
}

/**
 * CONFIG GET of each parameter, pipelined in one round trip. A refused one (NOPERM, CONFIG
 * renamed) or one this server does not have is null: unknown, never an error of the poll.
 */
export async function readSettings<P extends string>(client: Redis, parameters: readonly P[]): Promise<Partial<Record<P, string | null>>> {
  const pipeline = client.pipeline();
  for (const parameter of parameters) pipeline.call('CONFIG', 'GET', parameter);
  const replies = ((await pipeline.exec()) ?? []) as Reply[];
  const out: Partial<Record<P, string | null>> = {};
  for (let i = 0; i < parameters.length; i++) {
    const reply = replies[i];
    out[parameters[i]!] = reply && !reply[0] ? configValue(reply[1]) : null;
  }
  return out;
}

/** NodeCommands over the engine's connections (same credentials, timeouts and error classification). */
export class EngineCommands implements NodeCommands {
  constructor(
    private readonly runOn: RunOn,
    private readonly listenOn: ListenOn,
    private readonly password: () => string | undefined,
    /** A read-only (monitoring) session: every command that changes a server is refused here too, not only by the service. */
    private readonly readOnly: () => boolean = () => false,
  ) {}

  async info(address: string, ...sections: string[]): Promise<string> {
    if (sections.length === 1) return this.runOn(address, (client) => client.info(sections[0] ?? ''));
    return this.runOn(address, async (client) => (await readInfo(client, sections)).texts.join('\r\n'));
  }

  async configGet(address: string, parameter: string): Promise<string | null> {
    const reply = await this.call(address, 'CONFIG', 'GET', parameter);
    return configValue(reply);
  }

  async configSet(address: string, parameter: string, value: string): Promise<void> {
    await this.call(address, 'CONFIG', 'SET', parameter, value);
  }

  async setMasterauth(address: string): Promise<void> {
    const password = this.password();
    if (!password) throw new EngineError('BAD_ARGUMENT', 'the console has no password to give as masterauth');
    await this.configSet(address, 'masterauth', password);
    if ((await this.configGet(address, 'masterauth')) !== password) throw new EngineError('INTERNAL', `${address}: masterauth did not take the new value`);
  }

  replicaof(address: string, host: string, port: number): Promise<string> {
    return this.sendReplicaof(address, host, String(port));
  }

  async replicaofNoOne(address: string): Promise<void> {
    await this.sendReplicaof(address, 'NO', 'ONE');
  }

  async failover(address: string, options: FailoverOptions): Promise<void> {
    await this.call(address, 'FAILOVER', ...failoverArgs(options));
  }

  async failoverAbort(address: string): Promise<void> {
    await this.call(address, 'FAILOVER', 'ABORT');
  }

  async clientPause(address: string, ms: number, mode: PauseMode): Promise<void> {
    await this.call(address, 'CLIENT', 'PAUSE', String(ms), ...(mode === 'WRITE' ? ['WRITE'] : []));
  }

  async clientUnpause(address: string): Promise<void> {
    await this.call(address, 'CLIENT', 'UNPAUSE');
  }

  async configRewrite(address: string): Promise<void> {
    await this.call(address, 'CONFIG', 'REWRITE');
  }

  async mayRun(address: string, command: ProbedCommand, first?: string): Promise<Permission> {
    // Harmless, but still a REPLICAOF or a CONFIG SET on the wire: a monitoring session sends none.
    if (this.readOnly()) return { status: 'unanswered', message: `This connection is read-only (monitoring only): ${command} was not probed on ${address}` };
    for (const form of probeForms(command, first)) {
      const permission = await this.probe(address, form);
      if (permission.status !== 'allowed') return permission;
    }
    return { status: 'allowed' };
  }

  /** One probe form sent: see mayRun. */
  private async probe(address: string, [name, ...args]: readonly [string, ...string[]]): Promise<Permission> {
    let answer: string;
    try {
      answer = await this.runOn(address, async (client) => {
        try {
          return String(await client.call(name, ...args));
        } catch (error) {
          // NOPERM goes on to the registry, which words it with the user and the rule to add;
          // NOAUTH and WRONGPASS come before the ACL check and say nothing of it (unanswered);
          // any other reply is the command's own refusal of the argument: allowed.
          if (error instanceof Error && error.name === 'ReplyError' && !/^(NOPERM|NOAUTH|WRONGPASS)/.test(error.message)) return error.message;
          throw error;
        }
      });
    } catch (error) {
      const { code, message } = toApiError(error);
      return { status: code === 'NOPERM' ? 'denied' : 'unanswered', message };
    }
    if (/^ERR unknown command/i.test(answer)) return { status: 'disabled', message: `${address}: ${answer.split('\n')[0]?.trim() ?? ''}` };
    return { status: 'allowed' };
  }

  preflight(address: string): Promise<PreflightReplies> {
    return this.runOn(address, async (client) => {
      const replies = ((await client
        .pipeline()
        .info('server')
        .info('replication')
        .info('cluster')
        .info('keyspace')
        .info('sentinel')
        .info('memory')
        .info('persistence')
        .call('CONFIG', 'GET', 'masterauth')
        .call('CONFIG', 'GET', 'masteruser')
        .call('CONFIG', 'GET', 'requirepass')
        .call('CONFIG', 'GET', 'min-replicas-to-write')
        .call('CONFIG', 'GET', 'min-replicas-max-lag')
        .call('CONFIG', 'GET', 'save')
        .call('CONFIG', 'GET', 'stop-writes-on-bgsave-error')
        .call('CONFIG', 'GET', 'replica-ignore-disk-write-errors')
        .call('CONFIG', 'GET', 'tls-port')
        .call('CONFIG', 'GET', 'tls-replication')
        .call('ACL', 'GETUSER', 'default')
        .call('PUBSUB', 'NUMSUB', SENTINEL_HELLO_CHANNEL)
        .call('CLIENT', 'LIST')
        .exec()) ?? []) as Reply[];
      const [server, replication, cluster, keyspace, sentinel, memory, persistence, masterauth, masteruser, requirepass, toWrite, maxLag, save, stopWrites, ignoreDisk, tlsPort, tlsReplication, acl, numsub, clients] =
        replies;
      return {
        info: {
          server: text(server),
          replication: text(replication),
          cluster: text(cluster),
          keyspace: text(keyspace),
          sentinel: text(sentinel),
          memory: text(memory),
          persistence: text(persistence),
        },
        config: {
          masterauth: configValue(ok(masterauth)),
          masteruser: configValue(ok(masteruser)),
          requirepass: configValue(ok(requirepass)),
          minReplicasToWrite: configValue(ok(toWrite)),
          minReplicasMaxLag: configValue(ok(maxLag)),
          save: configValue(ok(save)),
          stopWritesOnBgsaveError: configValue(ok(stopWrites)),
          replicaIgnoreDiskWriteErrors: configValue(ok(ignoreDisk)),
          tlsPort: configValue(ok(tlsPort)),
          tlsReplication: configValue(ok(tlsReplication)),
        },
        aclDefault: Array.isArray(ok(acl)) ? (ok(acl) as unknown[]) : null,
        helloSubscribers: numsubCount(ok(numsub)),
        clientList: text(clients),
      };
    });
  }

  sentinelHello(address: string, ms: number): Promise<string | null> {
    return this.listenOn(address, SENTINEL_HELLO_CHANNEL, ms);
  }

  async sentinelMaster(address: string, name: string): Promise<Record<string, string>> {
    return fieldMap(await this.call(address, 'SENTINEL', 'MASTER', name));
  }

  async sentinelReplicas(address: string, name: string): Promise<Record<string, string>[]> {
    const reply = await this.call(address, 'SENTINEL', 'REPLICAS', name);
    return Array.isArray(reply) ? reply.map(fieldMap) : [];
  }

  async sentinelSentinels(address: string, name: string): Promise<Record<string, string>[]> {
    const reply = await this.call(address, 'SENTINEL', 'SENTINELS', name);
    return Array.isArray(reply) ? reply.map(fieldMap) : [];
  }

  async sentinelCkquorum(address: string, name: string): Promise<{ ok: boolean; message: string }> {
    try {
      return { ok: true, message: String(await this.call(address, 'SENTINEL', 'CKQUORUM', name)) };
    } catch (error) {
      // NOQUORUM is the answer, not a failure to ask; anything else (unreachable, no such master) is.
      const message = error instanceof Error ? error.message : String(error);
      if (/^NOQUORUM/.test(message)) return { ok: false, message };
      throw error;
    }
  }

  async sentinelMasterAddress(address: string, name: string): Promise<string | null> {
    const reply = await this.call(address, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name);
    if (!Array.isArray(reply) || reply.length < 2) return null;
    const [host, port] = reply as unknown[];
    return typeof host === 'string' && port !== undefined ? formatAddress(host, Number(port)) : null;
  }

  async sentinelFailover(address: string, name: string): Promise<void> {
    await this.call(address, 'SENTINEL', 'FAILOVER', name);
  }

  /** The one place a REPLICAOF is sent. */
  private async sendReplicaof(address: string, ...args: [string, string]): Promise<string> {
    return String(await this.call(address, 'REPLICAOF', ...args));
  }

  private call(address: string, command: string, ...args: string[]): Promise<unknown> {
    const write = this.readOnly() ? changesServer(command, args[0]) : null;
    if (write) return Promise.reject(new EngineError('READ_ONLY', `This connection is read-only (monitoring only): ${write} was not sent to ${address}`));
    return this.runOn(address, (client) => client.call(command, ...args));
  }
}

/** A flat [key, value, key, value, …] reply (SENTINEL MASTER and friends) as a map. */
function fieldMap(reply: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  return out;
}

/** Commands (and sub-commands) that change a server: never sent on a read-only session. */
const WRITES: Record<string, ReadonlySet<string> | true> = {
  REPLICAOF: true,
  SLAVEOF: true,
  FAILOVER: true,
  CONFIG: new Set(['SET', 'REWRITE', 'RESETSTAT']),
  CLIENT: new Set(['PAUSE', 'UNPAUSE', 'KILL']),
  SENTINEL: new Set(['FAILOVER', 'SET', 'REMOVE', 'MONITOR', 'RESET', 'CONFIG', 'FLUSHCONFIG']),
};

/** The command as the refusal names it ("CONFIG SET") when it changes a server, else null. */
function changesServer(command: string, subcommand: string | undefined): string | null {
  const name = command.toUpperCase();
  const sub = (subcommand ?? '').toUpperCase();
  const rule = WRITES[name];
  if (rule === true) return name;
  return rule?.has(sub) ? `${name} ${sub}` : null;
}

function ok(reply: Reply | undefined): unknown {
  return !reply || reply[0] ? undefined : reply[1];
}

function text(reply: Reply | undefined): string | null {
  const value = ok(reply);
  return typeof value === 'string' ? value : null;
}

/** The value of a `CONFIG GET name` reply, or null when there is none. */
function configValue(reply: unknown): string | null {
  if (!Array.isArray(reply)) return null;
  const value: unknown = reply[1];
  return typeof value === 'string' ? value : null;
}

function numsubCount(reply: unknown): number {
  if (!Array.isArray(reply)) return 0;
  const count: unknown = reply[1];
  return typeof count === 'number' ? count : Number(count) || 0;
}
