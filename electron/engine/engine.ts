import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type {
  ConnectionSummary,
  ConnectOptions,
  EventQuery,
  AlertsView,
  AlertThresholds,
  HistoriesQuery,
  HistoryColumns,
  HistoryPoint,
  HistoryQuery,
  RawReplication,
  ReplicationEvent,
  SentinelOptions,
  TickUpdate,
  TopologySnapshot,
  TopologyWarning,
} from '../shared/types';
import { refusesConsole } from '../shared/types';
import { normalizeAddress, parseAddress } from './address';
import { normalizeAddressMap } from './address-map';
import { ClientRegistry } from './client-registry';
import { connectionSummary, openTransport } from './connection';
import type { Transport } from './transport';
import { hostsOf } from './trusted-hosts';
import { systemClock, type Clock } from './clock';
import { EngineCommands, type NodeCommands } from './node-commands';
import { EngineError } from './errors';
import { diffSnapshots, EventMemory } from './events';
import { DataLossWatch } from './data-loss';
import { persistenceOff } from './replication-settings';
import { clockSetBack, currentOffset, masterAddressOf, pollNode, type NodeRecord } from './node-record';
import { DEFAULT_MAX_NODES, NodeSet } from './node-set';
import { answeringAddress } from './redial';
import { PollScheduler, type SlotTiming } from './poll-scheduler';
import { askSentinels, sentinelAuthMessage } from './sentinel-entry';
import { SentinelWatch } from './sentinel-watch';
import { buildSnapshot } from './snapshot';
import { refusesOnlyByFence } from './warnings';
import { formatSeconds } from '../shared/format';
import { historyPointOf } from '../shared/history-point';
import type { NodeHistory } from '../shared/node-history';
import { AlertBook } from './alerts';
import { AlertStore } from './alert-store';
import { TopologyMemory, type RememberedNode } from './topology-memory';
import { addToGroup } from '../shared/group';

export { EngineError } from './errors';

export interface EngineOptions {
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** How much history each node keeps, in poll ticks (default one hour at 1 Hz). */
  historyPoints?: number;
  /** An unreachable node that nobody lists any more is dropped after this long. */
  forgetAfterMs?: number;
  /** Events kept for queries. */
  maxEvents?: number;
  /** Most nodes one topology follows (default 1000): further listed addresses are not dialled (TOO_MANY_NODES). */
  maxNodes?: number;
  /** Time for the poll schedule, ticks and staleness (tests run hours of it in milliseconds). */
  clock?: Clock;
  /** Told of every scheduled poll as it starts (or joins a reading under way): to measure lateness. */
  onPollSlot?: (address: string, slot: SlotTiming) => void;
  /**
   * The data directory (dataDir()) whose topology memory this engine reads and writes: every
   * node seen is remembered, and remembered nodes of a topology are dialled in later sessions.
   * Unset (tests, one-off probes): nothing is remembered.
   */
  memoryDir?: string;
  /** A remembered node not seen for this long is forgotten (default 7 days). */
  memoryForgetAfterMs?: number;
}

const DEFAULT_POLL_MS = 1000;
/** Replicas are read a little after their masters so a master reading precedes theirs. */
const PHASE_STEP_MS = 10;
/** Levels below the top that still get a later phase; deeper ones share the last. */
const MAX_PHASE_DEPTH = 5;
/**
 * Nodes that could not be read last time are tried a quarter interval after the slot, apart
 * from the healthy ones: a thousand dead addresses failing at once must not delay a live reading.
 */
const AWAY_PHASE_FRACTION = 0.25;

/**
 * The replication engine: discovers a topology from seeds, polls every node on its own
 * timer, and once per tick publishes a snapshot with lag, warnings and events. The CLI,
 * the Electron main process and the web mode are thin adapters over this class.
 */
export class ReplicationEngine {
  private session: Session | null = null;
  private readonly listeners = new Set<(update: TickUpdate) => void>();
  /** Alerts of the connected topology: evaluated on every tick, with their acknowledgements and mutes. */
  private readonly alertBook = new AlertBook();
  /** The topology the alert book is about (its seeds): a reconnect to it keeps the incidents and mutes, another one starts afresh. */
  private alertTopology: string | null = null;

  constructor(private readonly options: EngineOptions = {}) {}

  /**
   * Discover the topology behind the seeds and start polling it. Rejects when no seed can be used
   * and, for seeds that failed, no node topology memory knows of theirs answers either.
   * `profileName`: the saved connection the options came from, shown in the snapshot's connection.
   */
  async connect(options: ConnectOptions, context: { profileName?: string | null } = {}): Promise<TopologySnapshot> {
    const seeds = validateSeeds(options.seeds, options.sentinel);
    const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_MS;
    if (!(Number.isInteger(pollIntervalMs) && pollIntervalMs >= 100 && pollIntervalMs <= 60_000)) {
      throw new EngineError('BAD_ARGUMENT', 'the poll interval must be a whole number of milliseconds from 100 to 60000');
    }
    await this.disconnect();
    const topology = JSON.stringify([[...seeds].sort(), options.sentinel?.masterName ?? null, [...(options.sentinel?.addresses ?? [])].sort()]);
    if (topology !== this.alertTopology) {
      this.alertBook.reset();
      // With a data directory, a restarted console keeps this topology's mutes and acknowledgements.
      if (this.options.memoryDir) this.alertBook.persistTo(new AlertStore(this.options.memoryDir), topology, this.now());
    }
    this.alertTopology = topology;
    const transport = await openTransport(options);
    const onStall = (from: number, to: number): void => this.alertBook.consoleStopped(from, to);
    const onClockSetBack = (by: number): void => this.alertBook.clockSetBack(by);
    const session = new Session(
      { ...options, seeds, pollIntervalMs, profileName: context.profileName ?? null },
      transport,
      this.options,
      (update) => this.emit(update),
      onStall,
      onClockSetBack,
    );
    this.session = session;
    this.showAlertStoreProblem();
    try {
      return await session.start();
    } catch (error) {
      session.stop();
      if (this.session === session) this.session = null;
      throw error;
    }
  }

  /** Stop polling and close every connection. */
  async disconnect(): Promise<void> {
    this.session?.stop();
    this.session = null;
  }

  get connected(): boolean {
    return this.session !== null;
  }

  /** The session is monitoring only (--read-only, a read-only profile): nothing that changes a server is sent. */
  get readOnly(): boolean {
    return this.session?.readOnly ?? false;
  }

  snapshot(): TopologySnapshot | null {
    return this.session?.latest ?? null;
  }

  /** Called once per poll tick with the snapshot and the events since the last tick. */
  onTick(listener: (update: TickUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  history(query: HistoryQuery): HistoryPoint[] {
    return this.requireSession().history(query);
  }

  /** Every node's history (or the listed nodes'), as columns of the asked series, in one call. */
  histories(query: HistoriesQuery): Record<string, HistoryColumns> {
    const session = this.requireSession();
    const nodes = query.nodes ?? (session.latest?.nodes.map((node) => node.address) ?? []);
    const out: Record<string, HistoryColumns> = {};
    for (const node of nodes) {
      // A node that left the topology since the caller listed it: no history, not an error.
      const history = session.historyOf(node);
      if (history) out[node] = history.columns(query.since, query.maxPoints, query.series);
    }
    return out;
  }

  events(query: EventQuery = {}): ReplicationEvent[] {
    return this.session?.eventsFor(query) ?? [];
  }

  alerts(): AlertsView {
    return this.alertBook.view(this.now());
  }

  acknowledgeAlert(id: string): AlertsView {
    return this.alertBook.acknowledge(id, this.now());
  }

  /**
   * Mutes a node by the address its alerts carry (any address the node was reached by resolves to
   * it); a node the topology does not have is refused, so that a typo does not look like a mute.
   */
  muteAlerts(node: string | null, minutes: number, reason: string | null = null): AlertsView {
    let target = node;
    if (node !== null && this.session) {
      target = this.session.addressOf(node) ?? null;
      if (target === null) throw new EngineError('BAD_ARGUMENT', `${node} is not a node of this topology: nothing to mute`);
    }
    return this.alertBook.mute(target, minutes, reason, this.now());
  }

  unmuteAlerts(node: string | null): AlertsView {
    return this.alertBook.unmute(node === null ? null : (this.session?.addressOf(node) ?? node), this.now());
  }

  setAlertThresholds(change: Partial<AlertThresholds>): AlertsView {
    return this.alertBook.setThresholds(change, this.now());
  }

  private now(): number {
    return (this.options.clock ?? systemClock).now();
  }

  /**
   * Mutes that could not be read or saved must not vanish without a word (alerts would fire in a
   * maintenance window): the store's problem is a warning of the session's, like the topology memory's.
   */
  private showAlertStoreProblem(): void {
    const problem = this.alertBook.storeProblem;
    this.setWarnings('alert-store', problem === null ? [] : [{ code: 'MEMORY_UNREADABLE', message: `${problem}: alert mutes and acknowledgements kept there are not in effect`, nodes: [] }]);
  }

  /**
   * Run commands on one node of the connected topology over the engine's own connection
   * (same credentials, timeouts and error classification). For the action engine.
   */
  run<T>(address: string, work: (client: Redis) => Promise<T>): Promise<T> {
    return this.requireSession().run(address, work);
  }

  /**
   * The one layer the action engine sends every command through (see node-commands.ts).
   * Each command goes to the session current at the moment it is sent.
   */
  commands(): NodeCommands {
    return new EngineCommands(
      (address, work) => this.run(address, work),
      (address, channel, ms) => this.requireSession().listen(address, channel, ms),
      () => this.session?.credentials.password,
      () => this.readOnly,
    );
  }

  /** The credentials of the current session, for steps such as CONFIG SET masterauth. Never log them. */
  credentials(): { user?: string; password?: string } {
    return this.requireSession().credentials;
  }

  /**
   * Warnings that come from outside the polls (an interrupted plan in the journal, a fenced
   * master found on connect), shown in every snapshot until replaced: `source` names the
   * producer, and setting [] clears its warnings.
   */
  setWarnings(source: string, warnings: TopologyWarning[]): void {
    this.session?.setWarnings(source, warnings);
  }

  /** Poll every node now (or just one) and publish a tick, instead of waiting for the timers. */
  refresh(address?: string): Promise<TopologySnapshot> {
    return this.requireSession().refresh(address);
  }

  /** The user's explicit act: drop a node the console no longer sees from memory and from the graph. */
  forget(address: string): TopologySnapshot {
    return this.requireSession().forget(address);
  }

  /** A node's INFO replication as last read, verbatim (the details panel's table). */
  rawReplication(address: string): RawReplication {
    return this.requireSession().rawReplication(address);
  }

  private requireSession(): Session {
    if (!this.session) throw new EngineError('NOT_CONNECTED', 'not connected to a topology: connect first');
    return this.session;
  }

  private emit(update: TickUpdate): void {
    update.alerts = this.alertBook.evaluate(update.snapshot, update.snapshot.takenAt);
    // A save that failed while evaluating (or on a mute) is shown from the next tick on.
    this.showAlertStoreProblem();
    for (const listener of this.listeners) {
      try {
        listener(update);
      } catch {
        // One broken subscriber must not stop the others or the polling.
      }
    }
  }
}

function validateSeeds(seeds: readonly string[], sentinel: SentinelOptions | undefined): string[] {
  if (sentinel !== undefined) validateSentinel(sentinel);
  // With Sentinels as the entry point, the data nodes come from them.
  if (!Array.isArray(seeds) || (seeds.length === 0 && sentinel === undefined)) {
    throw new EngineError('BAD_ARGUMENT', 'give at least one seed address (host:port), or Sentinel addresses and a master name');
  }
  return [...new Set(seeds.map((s) => normalizeAddress(String(s))))];
}

function validateSentinel(sentinel: SentinelOptions): void {
  if (!Array.isArray(sentinel.addresses) || sentinel.addresses.length === 0) {
    throw new EngineError('BAD_ARGUMENT', 'give at least one Sentinel address (host:port) with the master name');
  }
  for (const address of sentinel.addresses) normalizeAddress(String(address));
  if (typeof sentinel.masterName !== 'string' || !/^[!-~]{1,200}$/.test(sentinel.masterName)) {
    throw new EngineError('BAD_ARGUMENT', 'give the master name the Sentinels monitor (--master-name NAME: printable ASCII without spaces, at most 200 characters)');
  }
}

type Required<T> = { [K in keyof T]-?: T[K] };

/** One connected topology: its nodes, timers, history and events. */
class Session {
  latest: TopologySnapshot | null = null;
  private readonly nodes: NodeSet;
  private readonly registry: ClientRegistry;
  /** Sentinels have credentials of their own (or none): their connections are apart. */
  private readonly sentinelRegistry: ClientRegistry;
  private readonly sentinels: SentinelWatch;
  /** A re-read of everything under way because a Sentinel moved a master (several Sentinels say so at once). */
  private switching: Promise<unknown> | null = null;
  private readonly interval: number;
  private readonly settings: Required<Pick<EngineOptions, 'forgetAfterMs' | 'maxEvents'>>;
  private readonly eventLog: ReplicationEvent[] = [];
  /** What the event diff remembers between ticks (one full sync seen from both sides is one event). */
  private readonly eventMemory = new EventMemory();
  private readonly dataLoss = new DataLossWatch();
  private lossRecalled = false;
  /** The data nodes read on the last tick: one read no more is written to memory at once, with when it was last read. */
  private readLastTick = new Set<NodeRecord>();
  private nextEventId = 1;
  private pendingEvents: ReplicationEvent[] = [];
  private seq = 0;
  /** The console itself did not run then (asleep, stopped): the next tick's events may have happened at any point of it. */
  private unwatched: { from: number; to: number } | null = null;
  /** Told to every snapshot: a page that outlives its server tells the new session's ticks from old ones by it. */
  private readonly id = randomUUID();
  private readonly clock: Clock;
  private readonly scheduler: PollScheduler<NodeRecord>;
  private running = false;
  private stopped = false;
  private readonly externalWarnings = new Map<string, TopologyWarning[]>();
  private readonly memory: TopologyMemory | null;

  private readonly connection: ConnectionSummary;

  constructor(
    private readonly options: ConnectOptions & { seeds: string[]; pollIntervalMs: number; profileName: string | null },
    private readonly transport: Transport,
    engineOptions: EngineOptions,
    private readonly publish: (update: TickUpdate) => void,
    onStall: (from: number, to: number) => void,
    onClockSetBack: (by: number) => void,
  ) {
    this.interval = options.pollIntervalMs;
    this.nodes = new NodeSet(engineOptions.historyPoints ?? 3600, normalizeMap(options.addressMap), engineOptions.maxNodes);
    this.registry = new ClientRegistry({
      credentials: { user: options.user, password: options.password },
      connectTimeoutMs: engineOptions.connectTimeoutMs,
      commandTimeoutMs: engineOptions.commandTimeoutMs,
      maxBackoffMs: Math.max(1000, Math.min(5000, this.interval * 3)),
      transport,
    });
    this.sentinelRegistry = new ClientRegistry({
      credentials: { user: options.sentinel?.user, password: options.sentinel?.password },
      connectTimeoutMs: engineOptions.connectTimeoutMs,
      commandTimeoutMs: engineOptions.commandTimeoutMs,
      maxBackoffMs: Math.max(1000, Math.min(5000, this.interval * 3)),
      transport,
      explainAuth: sentinelAuthMessage,
    });
    this.connection = connectionSummary(options, options.profileName);
    if (this.connection.insecure) this.setWarnings('tls', [insecureWarning()]);
    this.settings = {
      forgetAfterMs: engineOptions.forgetAfterMs ?? 10 * 60_000,
      maxEvents: engineOptions.maxEvents ?? 2000,
    };
    this.clock = engineOptions.clock ?? systemClock;
    this.memory = engineOptions.memoryDir
      ? new TopologyMemory(engineOptions.memoryDir, {
          maxEntries: engineOptions.maxNodes ?? DEFAULT_MAX_NODES,
          forgetAfterMs: engineOptions.memoryForgetAfterMs,
        }).load(this.clock.now())
      : null;
    const onPollSlot = engineOptions.onPollSlot;
    // Every reading of a node goes through the scheduler, which keeps one in flight per node.
    this.scheduler = new PollScheduler<NodeRecord>({
      clock: this.clock,
      intervalMs: this.interval,
      poll: (record) => this.pollOnce(record),
      phaseOf: (record) => this.phaseOf(record),
      tick: () => void this.tick(),
      onStall: (from, to) => {
        this.unwatched = { from: this.unwatched?.from ?? from, to };
        onStall(from, to);
      },
      onClockSetBack: (by) => {
        for (const record of this.nodes.all()) clockSetBack(record, by);
        onClockSetBack(by);
      },
      onSlot: onPollSlot && ((record, slot) => onPollSlot(record.address, slot)),
      onError: (error) => process.emitWarning(`poll schedule: ${error instanceof Error ? error.message : String(error)}`),
    });
    this.sentinels = new SentinelWatch({
      nodes: this.nodes,
      dataRegistry: this.registry,
      sentinelRegistry: this.sentinelRegistry,
      now: () => this.clock.now(),
      entryName: options.sentinel?.masterName ?? null,
      added: (records) => {
        for (const record of records) {
          this.scheduler.add(record);
          if (this.running) void this.scheduler.read(record);
        }
      },
      event: (draft) => {
        const event: ReplicationEvent = { id: this.nextEventId++, at: this.clock.now(), ...draft };
        this.eventLog.push(event);
        this.pendingEvents.push(event);
      },
      refresh: () => {
        if (!this.running || this.switching) return;
        this.switching = this.refresh()
          .catch(() => undefined)
          .finally(() => (this.switching = null));
      },
    });
  }

  async start(): Promise<TopologySnapshot> {
    if (this.options.sentinel) await this.enterThroughSentinels(this.options.sentinel);
    for (const seed of this.options.seeds) this.nodes.add(seed, true);
    await this.discover();
    // Seeds that all fail (a killed master, one out of clients or refusing the password) are not
    // the end when memory knows nodes of theirs: those are dialled, and a seed stays in the graph
    // as down. Only when none of them answers either is the seed's own error the answer.
    if (this.seedsAllFailed()) while (this.recall().length > 0) await this.discover();
    this.checkSeeds();
    // What this topology had before (a dead master's replicas, a replica restarted alone): dial it too.
    while (this.recall().length > 0) await this.discover();
    // No Sentinel given or remembered: the hello channel names them, if any watch (a master's, or a
    // replica's when its master is down).
    if (await this.sentinels.findFromHello()) await this.discover();
    await this.readMastersFirst();
    await this.readAgainIfOld();
    this.running = true;
    this.scheduler.track(this.nodes.all());
    this.scheduler.start();
    return this.tick();
  }

  stop(): void {
    this.memory?.save(this.clock.now(), true);
    this.stopped = true;
    this.running = false;
    this.scheduler.stop();
    this.sentinels.stop();
    this.registry.disconnectAll();
    this.sentinelRegistry.disconnectAll();
  }

  /** Ask the given Sentinels for the master, its replicas and the other Sentinels: discovery starts from them. */
  private async enterThroughSentinels(sentinel: SentinelOptions): Promise<void> {
    const addresses = [...new Set(sentinel.addresses.map((a) => normalizeAddress(String(a))))];
    for (const address of addresses) {
      const record = this.nodes.add(address, true);
      record.asSentinel = true;
      record.givenAsSentinel = true;
    }
    const dialOf = (address: string): string => this.nodes.resolve(address)?.dial ?? address;
    const entry = await askSentinels(this.sentinelRegistry, addresses, sentinel.masterName, dialOf);
    const now = this.clock.now();
    // A Sentinel client authenticates to the master its Sentinels name: so does the console (trusted
    // hosts). Not to the replicas they list: Sentinel copies those from the master's INFO, where any
    // replica announces whatever address it likes.
    this.transport.trustAlso?.(hostsOf([entry.master]));
    for (const address of [entry.master, ...entry.replicas]) this.nodes.add(address, false, now);
    for (const address of entry.sentinels) this.nodes.addSentinel(address, now);
  }

  private registryOf(record: NodeRecord | undefined): ClientRegistry {
    return record?.asSentinel ? this.sentinelRegistry : this.registry;
  }

  get credentials(): { user?: string; password?: string } {
    return { user: this.options.user, password: this.options.password };
  }

  get readOnly(): boolean {
    return this.options.readOnly === true;
  }

  run<T>(address: string, work: (client: Redis) => Promise<T>): Promise<T> {
    const record = this.nodes.resolve(address);
    return this.registryOf(record).run(record?.dial ?? normalizeAddress(address), (client) => work(client));
  }

  listen(address: string, channel: string, ms: number): Promise<string | null> {
    const record = this.nodes.resolve(address);
    return this.registry.listen(record?.dial ?? normalizeAddress(address), channel, ms);
  }

  async refresh(address?: string): Promise<TopologySnapshot> {
    const one = address ? this.nodes.resolve(address) : undefined;
    const targets = one ? [one] : this.nodes.all();
    // A node being read already (its slot, discovery) is waited for, not skipped: every node is fresh after this.
    await Promise.all(targets.map((r) => this.scheduler.read(r)));
    return this.tick();
  }

  forget(address: string): TopologySnapshot {
    const record = this.nodes.resolve(address);
    if (record?.reachable) {
      throw new EngineError('BAD_ARGUMENT', `${record.address} answers now: only a node the console no longer sees can be forgotten`);
    }
    const now = this.clock.now();
    const entry = this.memory?.forget(record?.address ?? address, now);
    for (const alias of record?.aliases ?? []) this.memory?.forget(alias, now);
    if (!entry && !record) throw new EngineError('BAD_ARGUMENT', `${address} is not a node of this topology nor a remembered one`);
    if (record) this.drop(record);
    this.memory?.save(this.clock.now());
    return this.tick();
  }

  /** A node the user forgot leaves the session (a seed stays: it is what the session was asked to watch). */
  private drop(record: NodeRecord): void {
    if (record.seed) return;
    record.rememberedSeenAt = null;
    record.rememberedAs = null;
    this.nodes.remove(record);
    this.scheduler.remove(record);
    this.registryOf(record).forget(record.dial);
  }

  setWarnings(source: string, warnings: TopologyWarning[]): void {
    if (warnings.length === 0) this.externalWarnings.delete(source);
    else this.externalWarnings.set(source, warnings);
  }

  /** A node's address in snapshots and alerts, by any of its addresses; undefined for a node not in the topology. */
  addressOf(node: string): string | undefined {
    return this.nodes.resolve(node)?.address;
  }

  /** A node's history by any of its addresses; undefined for a node not in the topology. */
  historyOf(node: string): NodeHistory | undefined {
    return this.nodes.resolve(node)?.history;
  }

  history(query: HistoryQuery): HistoryPoint[] {
    const record = this.nodes.resolve(query.node);
    if (!record) throw new EngineError('BAD_ARGUMENT', `${query.node} is not a node of this topology`);
    return record.history.query(query.since ?? 0, query.maxPoints ?? Infinity);
  }

  rawReplication(address: string): RawReplication {
    const record = this.nodes.resolve(address);
    if (!record) throw new EngineError('BAD_ARGUMENT', `${address} is not a node of this topology`);
    return { address: record.address, readAt: record.polledAt, fields: record.reachable ? (record.replication?.raw ?? null) : null };
  }

  eventsFor(query: EventQuery): ReplicationEvent[] {
    const node = query.node ? (this.nodes.resolve(query.node)?.address ?? query.node) : undefined;
    const matching = node ? this.eventLog.filter((e) => e.node === node || e.peer === node) : this.eventLog;
    return matching.slice(-(query.limit ?? 200));
  }

  /** Poll every node not yet read, then whatever they point at, until nothing new turns up. */
  private async discover(): Promise<void> {
    for (;;) {
      const pending = this.nodes.all().filter((r) => r.polls === 0 && r.error === null);
      if (pending.length === 0 || this.stopped) return;
      await Promise.all(pending.map((r) => this.scheduler.read(r)));
    }
  }

  /**
   * Discovery reads nodes in the order it finds them, often replicas before masters, and
   * lag needs a master reading from before the replica's. Re-reading those replicas, level
   * by level from the roots, makes the first snapshot complete.
   */
  private async readMastersFirst(): Promise<void> {
    await this.readByLevel((record) => {
      const master = this.nodes.masterOf(record);
      const sample = record.lastSample;
      return record.reachable && master?.reachable === true && sample !== null && !master.offsets.readBefore(sample.sentAt);
    });
  }

  /** Read again the nodes `wanted` picks, level by level from the roots (a master's reading before its replicas'). */
  private async readByLevel(wanted: (record: NodeRecord) => boolean): Promise<void> {
    const levels = new Map<number, NodeRecord[]>();
    for (const record of this.nodes.all()) if (wanted(record)) addToGroup(levels, this.nodes.chainOf(record).length, record);
    for (const depth of [...levels.keys()].sort((a, b) => a - b)) {
      await Promise.all((levels.get(depth) ?? []).map((r) => this.scheduler.read(r)));
    }
  }

  /**
   * Nodes read more than a poll interval before discovery ended are read again, roots first:
   * discovery waits for every node it found, and one that hangs (SIGSTOP, a TLS handshake to a
   * plain port) holds it up to the timeout. The first snapshot then called the healthy nodes read
   * before it STALE and their master stalled (STALLED_UPSTREAM, "not read for 5 s"), aged by the
   * console's own wait. One that hangs now too is unread after this, as it should be.
   */
  private async readAgainIfOld(): Promise<void> {
    const now = this.clock.now();
    await this.readByLevel((record) => record.reachable && record.polledAt !== null && now - record.polledAt > this.interval);
  }

  /** No data node answers and every seed failed with an error (not a Sentinel or cluster node that answered). */
  private seedsAllFailed(): boolean {
    if (this.options.sentinel || this.hasUsableNode()) return false;
    return this.nodes.all().every((r) => !r.seed || r.error !== null);
  }

  private hasUsableNode(): boolean {
    return this.nodes.all().some((r) => r.reachable && !r.asSentinel && r.server?.mode !== 'sentinel' && !isCluster(r));
  }

  private checkSeeds(): void {
    // The Sentinels answered for the master: a master down right now shows as such.
    if (this.options.sentinel) return;
    const seeds = this.nodes.all().filter((r) => r.seed);
    if (this.hasUsableNode()) return;
    // A Sentinel given as a seed: its one master is this topology (SENTINEL_SEED says so), even while that master is down.
    if (seeds.some((r) => r.server?.mode === 'sentinel' && r.sentinelMasters.length === 1)) return;
    const first = seeds[0];
    if (!first) throw new EngineError('INTERNAL', 'no seed was recorded');
    if (first.error) throw this.seedsRefused(seeds, first.error) ?? new EngineError(first.error.code, first.error.message);
    if (first.server?.mode === 'sentinel') {
      const monitored = first.sentinelMasters.map((m) => `${m.name} at ${m.address ?? '?'}`).join(', ');
      throw new EngineError(
        'SENTINEL',
        `${first.address} is a Redis Sentinel, not a data node.` +
          (monitored
            ? ` It monitors ${monitored}: give --sentinel ${first.address} --master-name NAME, or a master or replica address as the seed.`
            : ' Give a master or replica address.'),
      );
    }
    throw new EngineError(
      'CLUSTER_MODE',
      `${first.address} runs in cluster mode: replication there is managed with CLUSTER REPLICATE, which this console does not handle`,
    );
  }

  /**
   * The seeds are down and nodes of theirs that memory knows answer, but refuse the console (a
   * wrong or missing password, above all): that is what to mend, not the dead seed. "Connection
   * refused" (exit 3) sent the operator after a master known to be dead while a password was
   * wrong (exit 4). Null when a seed refuses the console itself or no remembered node answers.
   */
  private seedsRefused(seeds: readonly NodeRecord[], seedError: { code: string; message: string }): EngineError | null {
    if (keptOut(seedError)) return null;
    const refusing = this.nodes
      .all()
      .filter((r) => !r.seed && r.rememberedSeenAt !== null && keptOut(r.error))
      .sort((a, b) => a.address.localeCompare(b.address));
    const error = refusing[0]?.error;
    if (!error) return null;
    const alike = refusing.filter((r) => r.error?.code === error.code);
    const others = refusing.filter((r) => r.error?.code !== error.code).map((r) => r.error?.message);
    const reasons = seeds.map((s) => withoutAddress(s.error?.message ?? 'no answer', s.address));
    const down =
      seeds.length === 1
        ? `${seeds[0]?.address} does not answer (${reasons[0]})`
        : `the seeds do not answer (${seeds.map((s, i) => `${s.address}: ${reasons[i]}`).join('; ')})`;
    const replicas = alike.every((r) => r.rememberedAs?.role === 'replica');
    const whose = `${seeds.length === 1 ? 'its' : 'their'} remembered ${replicas ? 'replica' : 'node'}${alike.length === 1 ? '' : 's'}`;
    const one = alike.length === 1;
    const what =
      error.code !== 'AUTH_FAILED'
        ? `${one ? 'answers' : 'answer'} but ${one ? 'refuses' : 'refuse'} the console`
        : this.options.password
          ? `${one ? 'refuses' : 'refuse'} the password`
          : `${one ? 'refuses' : 'refuse'} to be read without a password`;
    return new EngineError(
      error.code,
      `${down}, and ${whose} ${alike.map((r) => r.address).join(', ')} ${what}. ${error.message}${others.length > 0 ? `; ${others.join('; ')}` : ''}`,
    );
  }

  /** One reading of one node and what follows from it; only ever called by the scheduler. */
  private async pollOnce(record: NodeRecord): Promise<void> {
    await pollNode(this.registryOf(record), record, this.clock.now);
    if (this.stopped) return;
    // Silent where it is dialled, but it answers as itself at another of its addresses: read there,
    // from now on. Only after a failed poll: a poll that answered skips the extra await.
    if (!record.reachable) {
      const dial = record.dial;
      const answering = await answeringAddress(this.registryOf(record), this.nodes, record, this.memory?.get(record.address));
      if (this.stopped) return;
      if (answering !== null && this.nodes.dialBy(record, answering)) {
        this.registryOf(record).forget(dial);
        await pollNode(this.registryOf(record), record, this.clock.now);
        if (this.stopped) return;
      }
    }
    // Only a Sentinel (or a node that answers as one) has anything to do there: a data node's poll skips the extra await.
    if (record.reachable && (record.asSentinel || record.server?.mode === 'sentinel')) {
      await this.sentinels.afterPoll(record);
      if (this.stopped) return;
    }
    const sizeBefore = this.nodes.size;
    const before = this.nodes.all();
    const survivor = this.nodes.mergeByRunId(record);
    // A merge folds one node into another: stop the one that is gone (rare, so the scan is fine).
    if (this.nodes.size !== sizeBefore) {
      for (const gone of before) {
        if (this.nodes.resolve(gone.address) === gone) continue;
        this.scheduler.remove(gone);
        // The survivor may dial where the folded node did (the address that answered last).
        if (gone !== survivor && gone.dial !== survivor.dial) this.registryOf(gone).disconnect(gone.dial);
      }
    }
    this.addNeighbours(survivor);
  }

  /** Topology changes lead here: any address a node points at that we don't know is polled at once. */
  private addNeighbours(record: NodeRecord): void {
    // The node set keeps to the node cap and remembers which replica list named each address.
    for (const added of this.nodes.addNeighboursOf(record, this.clock.now())) {
      this.scheduler.add(added);
      // Discovery reads it in its own loop; once running, read it now rather than at its first slot.
      if (this.running) void this.scheduler.read(added);
    }
  }

  /**
   * Add the remembered nodes that belong with this topology and are not nodes yet (within the
   * node cap); returns them. Each is marked remembered, so it is kept and dialled each poll.
   */
  private recall(): NodeRecord[] {
    const memory = this.memory;
    if (!memory) return [];
    const added: NodeRecord[] = [];
    for (const entry of memory.relatedTo((address) => this.nodes.resolve(address) !== undefined)) {
      if (this.nodes.full) break;
      const record = this.nodes.add(entry.address, false, this.clock.now());
      record.rememberedSeenAt = entry.lastSeenAt;
      record.rememberedAs = rememberedAsOf(entry);
      record.asSentinel = entry.role === 'sentinel';
      added.push(record);
    }
    return added;
  }

  /** Tell the memory what is seen now, mark the remembered nodes, and dial the remembered ones that belong here. */
  private remember(now: number): void {
    const memory = this.memory;
    if (!memory) return;
    // Forgotten by another front end on this data directory (the CLI's `forget` beside serve):
    // gone from here too, unless it answers (then it is seen again, and remembered again).
    for (const address of memory.pickUp()) {
      const record = this.nodes.resolve(address);
      if (record && !record.reachable) this.drop(record);
    }
    const read = new Set<NodeRecord>();
    for (const record of this.nodes.all()) {
      const role = record.replication?.role;
      if (record.reachable && (role === 'master' || role === 'replica') && record.server?.mode !== 'sentinel' && !record.clusterEnabled) {
        read.add(record);
        const master = role === 'replica' ? (this.nodes.masterOf(record)?.address ?? masterAddressOf(record)) : null;
        memory.observe({
          ...addressesOf(record),
          role,
          master,
          runId: record.server?.runId ?? null,
          replid: record.replication?.replid ?? null,
          offset: record.replication ? currentOffset(record.replication) : null,
          noPersistence: persistenceOff(record.settings),
          lastSeenAt: record.polledAt ?? now,
        });
      } else if (!record.reachable && record.polls === 0 && refusesConsole(record.error)) {
        // A replica that refuses the console (another password, an ACL): never read, known from its
        // master's list alone. Remembered as such, or once that master dies nothing names it, and a
        // failover run then says it dials every replica the master had and leaves it out.
        const lister = this.listerOf(record);
        const known = memory.get(record.address);
        if (lister && (known === undefined || known.listedOnly === true)) {
          memory.observe({ ...addressesOf(record), role: 'replica', master: lister.address, runId: null, replid: null, offset: null, listedOnly: true, lastSeenAt: lister.polledAt ?? now });
        }
      } else if (record.reachable && record.asSentinel) {
        // A Sentinel is remembered with the master of ours it monitors, so a later session recalls it with that group.
        const master = record.sentinel?.masters.find((m) => m.facts?.address)?.facts?.address ?? null;
        if (master !== null) {
          memory.observe({
            ...addressesOf(record),
            role: 'sentinel',
            master: this.nodes.resolve(master)?.address ?? master,
            runId: record.server?.runId ?? null,
            replid: null,
            lastSeenAt: record.polledAt ?? now,
          });
        }
      }
    }
    memory.expire(now);
    for (const record of this.nodes.all()) {
      const found = memory.get(record.address);
      // A node never read that its master lists now is that listing, not a node known from an
      // earlier session: memory keeps the listing for the day the master dies (listedOnly above).
      const entry = found?.listedOnly === true && this.listerOf(record) ? undefined : found;
      record.rememberedSeenAt = entry?.lastSeenAt ?? null;
      record.rememberedAs = entry ? rememberedAsOf(entry) : null;
    }
    for (const added of this.recall()) {
      this.scheduler.add(added);
      if (this.running) void this.scheduler.read(added);
    }
    // A node that stopped answering: its last read goes to the file now, not up to a minute later
    // (a console started after it died says "last read" from the file).
    let lost = false;
    for (const record of this.readLastTick) if (!read.has(record)) lost = true;
    this.readLastTick = read;
    memory.save(now, lost);
    const problem = memory.problem;
    this.setWarnings('topology-memory', problem ? [{ code: 'MEMORY_UNREADABLE', message: problem, nodes: [] }] : []);
  }

  /** The reachable master whose replica list names this node now, if any. */
  private listerOf(record: NodeRecord): NodeRecord | undefined {
    const lister = record.listedBy === null ? undefined : this.nodes.resolve(record.listedBy);
    const names = (address: string): boolean => address === record.address || record.aliases.has(address);
    return lister?.reachable && lister.replication?.replicas.some((line) => names(line.address)) ? lister : undefined;
  }

  /** How far after the grid slot a node is read: by its depth below the top, so masters are read first. */
  private phaseOf(record: NodeRecord): number {
    if (!record.reachable) return this.interval * AWAY_PHASE_FRACTION;
    let depth = 0;
    for (let m = this.nodes.masterOf(record); m && m !== record && depth < MAX_PHASE_DEPTH; m = this.nodes.masterOf(m)) depth++;
    return depth * PHASE_STEP_MS;
  }

  private tick(): TopologySnapshot {
    const now = this.clock.now();
    if (!this.lossRecalled) {
      // Once, before this session's readings replace what memory kept (a master's old run_id): a master that restarted before this session.
      this.lossRecalled = true;
      if (this.memory) this.dataLoss.recall(this.memory.all());
    }
    this.remember(now);
    this.forgetVanished(now);
    // A safety net under the adds and removes: every node has a schedule, and nothing else has one.
    this.scheduler.track(this.nodes.all());
    this.sentinels.sync();
    const snapshot = buildSnapshot(this.nodes, ++this.seq, this.interval, now, this.sentinels.context());
    snapshot.connection = this.connection;
    snapshot.session = this.id;
    this.setWarnings('trust', this.untrustedWarnings(snapshot));
    const losses = this.dataLoss.observe(snapshot, now);
    // Kept with the master in memory: a console started after this one (a one-shot topology) still says it. Cleared
    // there too once it is over, whatever the node is now (a replica of the master promoted since).
    if (this.memory) for (const node of snapshot.nodes) this.memory.noteLoss(node.address, this.dataLoss.stored(node.address));
    // "Nothing is wrong yet" beside the loss it warned of: the loss's own message says to turn persistence on.
    if (losses.length > 0) snapshot.warnings = snapshot.warnings.filter((w) => w.code !== 'MASTER_NO_PERSISTENCE' || !losses.some((l) => l.nodes[0] === w.nodes[0]));
    for (const warnings of this.externalWarnings.values()) snapshot.warnings.unshift(...warnings);
    const explained = new Set((this.externalWarnings.get('journal') ?? []).filter((w) => w.code === 'FENCED_MASTER').flatMap((w) => w.nodes));
    if (explained.size > 0) {
      snapshot.warnings = snapshot.warnings.filter((w) => {
        const record = w.code === 'WRITES_REFUSED' && w.nodes[0] !== undefined && explained.has(w.nodes[0]) ? this.nodes.resolve(w.nodes[0]) : undefined;
        return record === undefined || !refusesOnlyByFence(record);
      });
    }
    // Data lost comes first, before any other source's warnings: it is the one thing nobody can undo.
    snapshot.warnings.unshift(...losses);
    for (const node of snapshot.nodes) {
      this.nodes.resolve(node.address)?.history.append(historyPointOf(node, now));
    }
    const unwatched = this.unwatched;
    this.unwatched = null;
    for (const draft of diffSnapshots(this.latest, snapshot, this.eventMemory)) {
      const event: ReplicationEvent = { id: this.nextEventId++, at: now, ...draft };
      // Found on waking: it is dated when the console saw it, which may be long after it happened.
      if (unwatched) event.message += ` (found on waking: the console itself had not run for ${formatSeconds(Math.round((unwatched.to - unwatched.from) / 1000))}, and this happened at some point before)`;
      this.eventLog.push(event);
      this.pendingEvents.push(event);
    }
    if (this.eventLog.length > this.settings.maxEvents) this.eventLog.splice(0, this.eventLog.length - this.settings.maxEvents);
    this.latest = snapshot;
    const events = this.pendingEvents;
    this.pendingEvents = [];
    this.publish({ snapshot, events });
    return snapshot;
  }

  /** UNTRUSTED_HOST: the nodes that are not sent the password (only while there is one). */
  private untrustedWarnings(snapshot: TopologySnapshot): TopologyWarning[] {
    if (!this.options.password) return [];
    const nodes = snapshot.nodes
      .filter((node) => node.role !== 'sentinel' && !this.registry.trusts(this.nodes.resolve(node.address)?.dial ?? node.address))
      .map((node) => node.address);
    if (nodes.length === 0) return [];
    const hosts = [...new Set(nodes.map((address) => parseAddress(address).host))];
    return [
      {
        code: 'UNTRUSTED_HOST',
        message:
          `${nodes.join(', ')} ${nodes.length === 1 ? 'is' : 'are'} outside the trusted hosts and not sent the password: ` +
          `trust ${hosts.length === 1 ? 'it' : 'them'} with ${hosts.map((h) => `--trust ${h}`).join(' ')} or add ${hosts.length === 1 ? 'it' : 'them'} to the connection's trusted hosts`,
        nodes,
      },
    ];
  }

  /**
   * Drop nodes nobody lists that are gone: unreachable for long, or never reached at all
   * (within a few polls, so a churning replica list cannot grow the graph).
   */
  private forgetVanished(now: number): void {
    const gone = this.nodes.forgetVanished({ now, forgetAfterMs: this.settings.forgetAfterMs, intervalMs: this.interval });
    for (const record of gone) {
      this.scheduler.remove(record);
      this.registryOf(record).forget(record.dial);
    }
  }
}

function insecureWarning(): TopologyWarning {
  return {
    code: 'TLS_INSECURE',
    message: 'TLS without certificate verification (--insecure): anyone on the network path can read and change the traffic, the password included',
    nodes: [],
  };
}

/** A node's addresses as memory keeps them: the one it last answered at first (dialled first next time), the others as aliases. */
function addressesOf(record: NodeRecord): { address: string; aliases: string[] } {
  return { address: record.dialledAs, aliases: [record.address, ...record.aliases].filter((a) => a !== record.dialledAs) };
}

function rememberedAsOf(entry: RememberedNode): NonNullable<NodeRecord['rememberedAs']> {
  return { role: entry.role, master: entry.master, formerMaster: entry.formerMaster, noPersistence: entry.noPersistence ?? null, replid: entry.replid, offset: entry.offset ?? null };
}

/** Up and keeping the console out (refusesConsole, or not sent the password: outside the trusted hosts), not down. */
function keptOut(error: { code: string } | null): boolean {
  return error?.code === 'UNTRUSTED_HOST' || refusesConsole(error);
}

/** "host:port: connection refused …" without the address in front, for a sentence that names it already. */
function withoutAddress(message: string, address: string): string {
  return message.startsWith(`${address}: `) ? message.slice(address.length + 2) : message;
}

function isCluster(record: NodeRecord): boolean {
  return record.clusterEnabled || record.server?.mode === 'cluster';
}

function normalizeMap(map: Record<string, string> | undefined): Record<string, string> {
  return normalizeAddressMap(map);
}
