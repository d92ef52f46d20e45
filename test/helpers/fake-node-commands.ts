// A scripted stand-in for NodeCommands, for unit tests of the executor's abort and clean-up
// paths (real servers stay the rule for integration tests). Each node is a small state: role,
// master, offset, failover state, config. Commands change it the way Redis would; a test
// scripts the rest (a replica that never catches up, a FAILOVER stuck in progress, a command
// that fails) with hooks. Every command, and every journal call of a RecordingJournal sharing
// the timeline, lands in one ordered list so a test can assert what went out before what.
import type { StepResult } from '../../electron/shared/actions';
import type { FailoverOptions, NodeCommands, PauseMode, Permission, PreflightReplies, ProbedCommand } from '../../electron/engine/node-commands';
import { failoverArgs } from '../../electron/engine/node-commands';
import type { StepJournal, Undo } from '../../electron/engine/actions/step-journal';

export interface FakeNode {
  role: 'master' | 'replica';
  /** host:port of its master (replicas). */
  master: string | null;
  linkStatus: 'up' | 'down';
  offset: number;
  /** False: the replica never gets past its offset (stalled, cut off). */
  follows: boolean;
  failoverState: 'no-failover' | 'waiting-for-sync' | 'failover-in-progress';
  config: Record<string, string>;
  /** Ends of a CLIENT PAUSE in force (ms since epoch), or null. */
  pausedUntil: number | null;
}

/** Runs before the command's own effect; throw to make the command fail. */
export type Hook = (address: string, args: string[]) => void | Promise<void>;

export class FakeNodeCommands implements NodeCommands {
  readonly nodes = new Map<string, FakeNode>();
  /** Hooks by command name (`REPLICAOF`, `FAILOVER`, `CLIENT PAUSE`, `INFO`, …). */
  readonly hooks = new Map<string, Hook>();
  /** Every INFO read, by address. */
  readonly reads: string[] = [];
  /** Sentinels by address: the name and the master each monitors. */
  readonly sentinels = new Map<string, { name: string; master: string }>();
  /** Scripted answers to permission probes, by `address command` (`127.0.0.1:1 REPLICAOF`). */
  readonly permissions = new Map<string, Permission>();
  /** Every permission probe asked, as `address command`. */
  readonly probes: string[] = [];

  constructor(readonly timeline: string[] = []) {}

  /** A master at `offset` with the given replicas (each following it, caught up). */
  static group(master: string, replicas: string[], offset = 1000, timeline: string[] = []): FakeNodeCommands {
    const fake = new FakeNodeCommands(timeline);
    fake.nodes.set(master, node({ role: 'master', offset }));
    for (const r of replicas) fake.nodes.set(r, node({ role: 'replica', master, linkStatus: 'up', offset }));
    return fake;
  }

  node(address: string): FakeNode {
    const found = this.nodes.get(address);
    if (!found) throw new Error(`fake: no node ${address}`);
    return found;
  }

  on(command: string, hook: Hook): this {
    this.hooks.set(command, hook);
    return this;
  }

  /** The commands sent to one node, or to all, without INFO reads. */
  sent(address?: string): string[] {
    return this.timeline.filter((line) => !line.startsWith('journal ') && (address === undefined || line.startsWith(`${address} `)));
  }

  async info(address: string, ...sections: string[]): Promise<string> {
    await this.hook('INFO', address, sections);
    this.reads.push(address);
    const n = this.node(address);
    if (n.role === 'replica' && n.follows && n.linkStatus === 'up' && n.master) {
      const master = this.nodes.get(n.master);
      if (master) n.offset = Math.max(n.offset, master.offset);
    }
    const [host, port] = n.master ? splitAddress(n.master) : ['', 0];
    const lines =
      n.role === 'master'
        ? ['role:master', `master_repl_offset:${n.offset}`]
        : ['role:slave', `master_host:${host}`, `master_port:${port}`, `master_link_status:${n.linkStatus}`, 'master_sync_in_progress:0', `slave_repl_offset:${n.offset}`, `master_repl_offset:${n.offset}`];
    return ['# Replication', ...lines, `master_failover_state:${n.failoverState}`, 'master_replid:0123456789abcdef0123456789abcdef01234567', ''].join('\r\n');
  }

  async configGet(address: string, parameter: string): Promise<string | null> {
    await this.send(address, ['CONFIG', 'GET', parameter]);
    return this.node(address).config[parameter] ?? null;
  }

  async configSet(address: string, parameter: string, value: string): Promise<void> {
    await this.send(address, ['CONFIG', 'SET', parameter, value]);
    this.node(address).config[parameter] = value;
  }

  async setMasterauth(address: string): Promise<void> {
    await this.send(address, ['CONFIG', 'SET', 'masterauth', '***']);
  }

  async replicaof(address: string, host: string, port: number): Promise<string> {
    await this.send(address, ['REPLICAOF', host, String(port)]);
    const n = this.node(address);
    Object.assign(n, { role: 'replica', master: `${host}:${port}`, linkStatus: 'up' });
    return 'OK';
  }

  async replicaofNoOne(address: string): Promise<void> {
    await this.send(address, ['REPLICAOF', 'NO', 'ONE']);
    Object.assign(this.node(address), { role: 'master', master: null });
  }

  /** By default the hand-over happens at once; a hook can set another failover state instead. */
  async failover(address: string, options: FailoverOptions): Promise<void> {
    await this.send(address, ['FAILOVER', ...failoverArgs(options)]);
    const n = this.node(address);
    if (n.failoverState !== 'no-failover') return;
    this.handOver(address, `${options.to.host}:${options.to.port}`);
  }

  /** Finish a FAILOVER: `from` becomes a replica of `to`. */
  handOver(from: string, to: string): void {
    Object.assign(this.node(to), { role: 'master', master: null });
    Object.assign(this.node(from), { role: 'replica', master: to, linkStatus: 'up', failoverState: 'no-failover' });
  }

  async failoverAbort(address: string): Promise<void> {
    await this.send(address, ['FAILOVER', 'ABORT']);
    this.node(address).failoverState = 'no-failover';
  }

  async clientPause(address: string, ms: number, mode: PauseMode): Promise<void> {
    await this.send(address, ['CLIENT', 'PAUSE', String(ms), ...(mode === 'WRITE' ? ['WRITE'] : [])]);
    this.node(address).pausedUntil = Date.now() + ms;
  }

  async clientUnpause(address: string): Promise<void> {
    await this.send(address, ['CLIENT', 'UNPAUSE']);
    this.node(address).pausedUntil = null;
  }

  async configRewrite(address: string): Promise<void> {
    await this.send(address, ['CONFIG', 'REWRITE']);
  }

  /** Permissions as scripted in `permissions` (`address command`), allowed otherwise. Listed in `probes`, not the timeline: a probe changes nothing. */
  async mayRun(address: string, command: ProbedCommand): Promise<Permission> {
    this.probes.push(`${address} ${command}`);
    return this.permissions.get(`${address} ${command}`) ?? { status: 'allowed' };
  }

  preflight(): Promise<PreflightReplies> {
    return Promise.reject(new Error('fake: the executor never runs a preflight'));
  }

  sentinelHello(): Promise<string | null> {
    return Promise.resolve(null);
  }

  /** Add a Sentinel at `address` that monitors `master` as `name` (it reads priorities at once, like a fresh INFO). */
  sentinel(address: string, name: string, master: string): this {
    this.sentinels.set(address, { name, master });
    return this;
  }

  async sentinelMaster(address: string, name: string): Promise<Record<string, string>> {
    await this.send(address, ['SENTINEL', 'MASTER', name]);
    return { name, flags: 'master', quorum: '2', 'num-other-sentinels': String(this.sentinels.size - 1), 'failover-timeout': '5000' };
  }

  async sentinelReplicas(address: string, name: string): Promise<Record<string, string>[]> {
    await this.send(address, ['SENTINEL', 'REPLICAS', name]);
    const master = this.watched(address).master;
    return [...this.nodes.entries()]
      .filter(([, n]) => n.role === 'replica' && n.master === master)
      .map(([a, n]) => {
        const [ip, port] = splitAddress(a);
        return { ip, port: String(port), flags: 'slave', 'slave-priority': n.config['replica-priority'] ?? '100', 'slave-repl-offset': String(n.offset) };
      });
  }

  async sentinelSentinels(address: string, name: string): Promise<Record<string, string>[]> {
    await this.send(address, ['SENTINEL', 'SENTINELS', name]);
    return [...this.sentinels.keys()].filter((a) => a !== address).map((a) => ({ ip: splitAddress(a)[0], port: String(splitAddress(a)[1]), flags: 'sentinel' }));
  }

  async sentinelCkquorum(address: string, name: string): Promise<{ ok: boolean; message: string }> {
    await this.send(address, ['SENTINEL', 'CKQUORUM', name]);
    return { ok: true, message: `OK ${this.sentinels.size} usable Sentinels` };
  }

  async sentinelMasterAddress(address: string, name: string): Promise<string | null> {
    await this.send(address, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name]);
    return this.watched(address).master;
  }

  /** Picks as Sentinel does (lowest non-zero replica-priority, then highest offset) and hands over at once. */
  async sentinelFailover(address: string, name: string): Promise<void> {
    await this.send(address, ['SENTINEL', 'FAILOVER', name]);
    const old = this.watched(address).master;
    const priority = (n: FakeNode): number => Number(n.config['replica-priority'] ?? '100');
    const [chosen] = [...this.nodes.entries()]
      .filter(([, n]) => n.role === 'replica' && n.master === old && priority(n) !== 0)
      .sort(([, x], [, y]) => priority(x) - priority(y) || y.offset - x.offset);
    if (!chosen) throw new Error('-NOGOODSLAVE No suitable replica to promote');
    const [to] = chosen;
    for (const [a, n] of this.nodes) if (a !== to && (a === old || n.master === old)) Object.assign(n, { role: 'replica', master: to, linkStatus: 'up' });
    Object.assign(this.node(to), { role: 'master', master: null });
    for (const s of this.sentinels.values()) s.master = to;
  }

  private watched(address: string): { name: string; master: string } {
    const found = this.sentinels.get(address);
    if (!found) throw new Error(`fake: no sentinel ${address}`);
    return found;
  }

  private async send(address: string, args: string[]): Promise<void> {
    this.timeline.push(`${address} ${args.join(' ')}`);
    const [first = '', second = ''] = args;
    await this.hook(`${first} ${second}`, address, args);
    await this.hook(first, address, args);
    if (!this.sentinels.has(address)) this.node(address);
  }

  private async hook(name: string, address: string, args: string[]): Promise<void> {
    await this.hooks.get(name)?.(address, args);
  }
}

/** A StepJournal that writes into the fake's timeline; `failOn` makes a chosen call throw. */
export class RecordingJournal implements StepJournal {
  failOn: ((entry: string) => boolean) | null = null;

  constructor(readonly timeline: string[]) {}

  async step(index: number, step: StepResult): Promise<void> {
    this.record(`journal step ${index} ${step.status}`);
  }

  async undo(undo: Undo): Promise<void> {
    this.record(undo.kind === 'restore-config' ? `journal undo restore-config ${undo.node} ${undo.parameter} ${undo.value}` : `journal undo pause-ends ${undo.node}`);
  }

  private record(entry: string): void {
    if (this.failOn?.(entry)) throw new Error('disk full');
    this.timeline.push(entry);
  }
}

function node(overrides: Partial<FakeNode>): FakeNode {
  return { role: 'master', master: null, linkStatus: 'up', offset: 0, follows: true, failoverState: 'no-failover', config: {}, pausedUntil: null, ...overrides };
}

function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at), Number(address.slice(at + 1))];
}
