// Turns the text of INFO into typed values. Every function here is total: whatever a server,
// a proxy or an attacker sends back, the result is a value (with nulls), never an exception.
// Records are built with Object.create(null) so keys such as __proto__ are plain data.
// Every result is bounded too: a reply, a field and a replica list are read up to a cap, and
// whatever was cut is reported (ParsedInfo.cuts, ReplicationInfo.listedLines) so the engine
// can say so instead of carrying megabytes into every tick.

import type { ListedReplica, NodeLoad, NodePersistence, ReplicationBacklog, SyncClient, SyncProgress } from '../shared/types';
import { detached } from './detached';

type Fields = Record<string, string>;

/** At most this much of an INFO reply is read, each field counted at its cut length (so one huge field hides nothing after it). */
export const MAX_INFO_CHARS = 1024 * 1024;
/** Field values (and keys, and section names) longer than this are cut to it. */
export const MAX_FIELD_CHARS = 1024;
/** A master's `slaveN` lines read per reply; the others are counted in `listedLines`, never parsed. */
export const MAX_REPLICA_LINES = 1000;
/** Cut fields named in InfoCuts.fields; the others are only counted. */
const MAX_CUTS_NAMED = 10;

/** What parseInfo had to leave out of one reply. */
export interface InfoCuts {
  /** The reply's length in characters. */
  replyChars: number;
  /** Lines not read at all because the reply went past MAX_INFO_CHARS. */
  linesSkipped: number;
  /** How many fields were cut (or dropped, for a key longer than MAX_FIELD_CHARS). */
  fieldsCut: number;
  /** The first few of them: key (itself cut to 64 characters) and the value's length in characters. */
  fields: { key: string; chars: number }[];
}

/** An indexed key (slaveN, masterN) and its N. */
interface IndexedKey {
  key: string;
  index: number;
}

/** A slaveN line: its key, N and value. */
interface IndexedLine extends IndexedKey {
  value: string;
}

/** One parsed INFO reply: its lower-cased sections, one flat map of every field, and what was cut. */
export class ParsedInfo {
  constructor(
    readonly sections: Record<string, Record<string, string>>,
    readonly fields: Record<string, string>,
    /** Null when the whole reply was read as sent. */
    readonly cuts: InfoCuts | null,
  ) {}
}

export interface ServerInfo {
  runId: string | null;
  product: 'redis' | 'valkey';
  /** valkey_version on Valkey (its redis_version is frozen at 7.2.4), else redis_version. */
  version: string | null;
  /** Product and version as the console shows them ("redis 7.0.15", "valkey 8.0.1"), or null: one string per reading, compared and looked up on every tick. */
  versionLabel: string | null;
  mode: 'standalone' | 'sentinel' | 'cluster' | null;
  tcpPort: number | null;
  uptimeSeconds: number | null;
  /**
   * The second the process started, by the server's own clock (server_time_usec less its uptime,
   * 6.2+): what its rdb_last_save_time reads until a save succeeds. Null when either is missing.
   */
  startedAtSecond: number | null;
  configFile: string | null;
}

export interface ReplicationInfo {
  role: 'master' | 'replica' | 'unknown';
  masterHost: string | null;
  masterPort: number | null;
  linkStatus: 'up' | 'down' | null;
  lastIoSecondsAgo: number | null;
  syncInProgress: boolean;
  sync: SyncProgress | null;
  linkDownSinceSeconds: number | null;
  readReplOffset: number | null;
  replicaReplOffset: number | null;
  priority: number | null;
  readOnly: boolean | null;
  replicaAnnounced: boolean | null;
  connectedReplicas: number | null;
  /** At most MAX_REPLICA_LINES lines' worth, dual-channel pairs merged. */
  replicas: ListedReplica[];
  /** Lines that announced no port (`port=0`): sync clients, not replicas (see SyncClient). */
  syncClients: SyncClient[];
  /** How many `slaveN` lines the reply had, read or not: more than MAX_REPLICA_LINES means `replicas` is cut. */
  listedLines: number;
  failoverState: string | null;
  replid: string | null;
  replid2: string | null;
  masterReplOffset: number | null;
  secondReplOffset: number | null;
  backlog: ReplicationBacklog | null;
  minReplicasGood: number | null;
  raw: Record<string, string>;
}

export interface StatsInfo {
  syncFull: number;
  syncPartialOk: number;
  syncPartialErr: number;
}

export interface SentinelMaster {
  name: string;
  status: string;
  address: string | null;
  replicas: number | null;
  sentinels: number | null;
}

/** The prefixes of indexed keys (slaveN, masterN): the prefix, then one or more ASCII digits. */
const SLAVE_LINE_KEY = 'slave';
const SENTINEL_MASTER_KEY = 'master';
const DECIMAL = /^-?\d+(\.\d+)?$/;
/** A Unix time in seconds whose milliseconds are still a safe integer. */
const MAX_UNIX_SECONDS = Math.floor(Number.MAX_SAFE_INTEGER / 1000);
const EMPTY: Fields = Object.freeze(Object.create(null) as Fields);

/** What scanInfo reports of an INFO reply, line by line. */
interface InfoVisitor {
  /** A `# Name` line: the name trimmed, cut and lower-cased. */
  section(name: string): void;
  /** A `key:value` line, its value cut to MAX_FIELD_CHARS (and marked) where longer. */
  field(key: string, value: string): void;
}

/**
 * The one reading of INFO text, line by line: reads at most MAX_INFO_CHARS, cuts longer values to
 * MAX_FIELD_CHARS (marking them), drops lines without a usable key, and never copies a whole long
 * line: the cost is one scan of the text, whatever its size. Returns what had to be cut, or null.
 */
function scanInfo(text: string, visitor: InfoVisitor): InfoCuts | null {
  const input = typeof text === 'string' ? text : '';
  const cuts: InfoCuts = { replyChars: input.length, linesSkipped: 0, fieldsCut: 0, fields: [] };
  let kept = 0;
  // The first colon at or after the current line's start, found once for however many lines lie
  // before it (a search per line could rescan a long colon-free stretch once per line).
  let nextColon = -1;
  for (let start = 0; start < input.length; ) {
    const newline = input.indexOf('\n', start);
    const next = newline < 0 ? input.length : newline + 1;
    let end = newline < 0 ? input.length : newline;
    if (newline >= 0 && end > start && input.charCodeAt(end - 1) === 13 /* \r */) end--;
    const lineStart = start;
    start = next;
    if (kept > MAX_INFO_CHARS) {
      if (end > lineStart) cuts.linesSkipped++;
      continue;
    }
    if (end === lineStart) continue;
    const length = end - lineStart;
    // Only the head of a line is ever read: a key, a colon and one field's worth of value.
    const headEnd = Math.min(end, lineStart + 2 * MAX_FIELD_CHARS + 1);
    if (input.charCodeAt(lineStart) === 35 /* # */) {
      visitor.section(input.slice(lineStart + 1, headEnd).trim().slice(0, MAX_FIELD_CHARS).toLowerCase());
      kept += Math.min(length, MAX_FIELD_CHARS);
      continue;
    }
    if (nextColon >= 0 && nextColon < lineStart) nextColon = -1;
    if (nextColon < 0) {
      nextColon = input.indexOf(':', lineStart);
      if (nextColon < 0) nextColon = input.length;
    }
    const colon = nextColon < headEnd ? nextColon - lineStart : -1;
    if (colon === 0 || (colon < 0 && end === headEnd)) continue;
    if (colon < 0 || colon > MAX_FIELD_CHARS) {
      noteCut(cuts, input.slice(lineStart, headEnd), length);
      continue;
    }
    const key = input.slice(lineStart, lineStart + colon);
    const valueChars = length - colon - 1;
    const valueStart = lineStart + colon + 1;
    const value = valueChars > MAX_FIELD_CHARS ? cutValue(input.slice(valueStart, valueStart + MAX_FIELD_CHARS), valueChars) : input.slice(valueStart, end);
    if (valueChars > MAX_FIELD_CHARS) noteCut(cuts, key, valueChars);
    kept += key.length + value.length + 2;
    visitor.field(key, value);
  }
  return cuts.fieldsCut > 0 || cuts.linesSkipped > 0 ? cuts : null;
}

/**
 * INFO text → lower-cased sections plus one flat map of every field (last duplicate wins), read
 * by scanInfo's rules. A reply of one section has one map: the flat map is that section (callers
 * never change either).
 */
export function parseInfo(text: string): ParsedInfo {
  const maps = new InfoMaps();
  const cuts = scanInfo(text, isLong(text) ? new DetachedLines(maps) : maps);
  return new ParsedInfo(maps.sections, maps.flat(), cuts);
}

/** Longer than MAX_INFO_CHARS: what is read of it is copied out (DetachedLines), never kept as views of it. */
function isLong(text: string): boolean {
  return typeof text === 'string' && text.length > MAX_INFO_CHARS;
}

/**
 * Hands what scanInfo reads of a long reply on to `into` as copies of their own (see detached.ts):
 * a value kept from it (a run_id, an address, a replid) would otherwise keep the whole reply
 * alive, megabytes for each reading a record holds. With `keepLines`, also keeps the lines read,
 * as ReadLines. Only for replies past MAX_INFO_CHARS: a normal reply is kept whole, never copied.
 */
class DetachedLines implements InfoVisitor {
  readonly #lines: string[] | null;

  constructor(
    private readonly into: InfoVisitor,
    keepLines = false,
  ) {
    this.#lines = keepLines ? [] : null;
  }

  section(name: string): void {
    this.#lines?.push(`#${name}`);
    this.into.section(detached(name));
  }

  field(key: string, value: string): void {
    this.#lines?.push(`${key}:${value}`);
    this.into.field(detached(key), detached(value));
  }

  /** The lines read (keepLines), in one string of their own. */
  read(): ReadLines {
    return new ReadLines(detached((this.#lines ?? []).join('\n')));
  }
}

/**
 * The lines scanInfo read of a long reply, as it read them (`#name`, `key:value`: names, keys and
 * values already cut), one per line: at most MAX_INFO_CHARS' worth, whatever the reply's size.
 * Read again, they give the maps parseInfo gave of the whole reply.
 */
class ReadLines {
  constructor(readonly text: string) {}

  parsed(): ParsedInfo {
    const maps = new InfoMaps();
    const text = this.text;
    // Nothing in a line as read holds a newline, and a key holds no colon: each line splits as written.
    for (let start = 0; start < text.length; ) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      if (text.charCodeAt(start) === 35 /* # */) maps.section(text.slice(start + 1, end));
      else {
        const colon = text.indexOf(':', start);
        maps.field(text.slice(start, colon), text.slice(colon + 1, end));
      }
      start = end + 1;
    }
    return new ParsedInfo(maps.sections, maps.flat(), null);
  }
}

/** The maps parseInfo builds, as scanInfo reads the lines. */
class InfoMaps implements InfoVisitor {
  readonly sections = emptyRecord<Fields>();
  #fields = emptyRecord<string>();
  #section: Fields | null = null;
  /** True while every field read so far is in the only section: then the flat map is it. */
  #shared = true;

  section(name: string): void {
    const opened = openSection(this.sections, name);
    if (this.#shared && this.#section !== null && opened !== this.#section) {
      // A second section: from here on the flat map is a map of its own.
      this.#shared = false;
      for (const key in this.#section) this.#fields[key] = this.#section[key]!;
    }
    this.#section = opened;
  }

  field(key: string, value: string): void {
    if (this.#section === null) {
      // A field before any section header is in the flat map only.
      this.#shared = false;
      this.#fields[key] = value;
      return;
    }
    this.#section[key] = value;
    if (!this.#shared) this.#fields[key] = value;
  }

  flat(): Fields {
    return this.#shared && this.#section !== null ? this.#section : this.#fields;
  }
}

/** A cut value says so itself, so the details panel shows what happened wherever it is displayed. */
function cutValue(head: string, chars: number): string {
  return `${head}… [cut: ${chars} characters]`;
}

function noteCut(cuts: InfoCuts, key: string, chars: number): void {
  cuts.fieldsCut++;
  // Kept on the record while the section reads cut: a copy, not a view of the reply.
  if (cuts.fields.length < MAX_CUTS_NAMED) cuts.fields.push({ key: detached(key.slice(0, 64)), chars });
}

/** Identity, product, version and mode from INFO server. */
export function parseServer(fields: Record<string, string>): ServerInfo {
  const valkeyVersion = nonEmpty(field(fields, 'valkey_version'));
  const isValkey = field(fields, 'server_name') === 'valkey' || valkeyVersion !== null;
  const product = isValkey ? 'valkey' : 'redis';
  // Valkey 7.2 says server_name:valkey but has no valkey_version yet: its redis_version is real.
  const version = valkeyVersion ?? nonEmpty(field(fields, 'redis_version'));
  const uptime = toNonNegative(field(fields, 'uptime_in_seconds'));
  const serverMicros = toNonNegative(field(fields, 'server_time_usec'));
  return {
    runId: nonEmpty(field(fields, 'run_id')),
    product,
    version,
    versionLabel: version === null ? null : `${product} ${version}`,
    mode: serverMode(fields),
    tcpPort: toPort(field(fields, 'tcp_port')),
    uptimeSeconds: uptime,
    startedAtSecond: serverMicros === null || uptime === null || serverMicros / 1e6 > MAX_UNIX_SECONDS ? null : Math.floor(serverMicros / 1e6) - uptime,
    configFile: nonEmpty(field(fields, 'config_file')),
  };
}

/**
 * Role, link, offsets, listed replicas and backlog from INFO replication, given as a parsed reply
 * or a map of fields. `uptimeSeconds`: the server's uptime from an earlier INFO server, when the
 * reply has none (see linkDownSince).
 */
export function parseReplication(info: ParsedInfo | Record<string, string>, uptimeSeconds: number | null = null): ReplicationInfo {
  const parsed = info instanceof ParsedInfo ? info : null;
  const fields = parsed ? parsed.fields : (info as Fields);
  const read = ReplicationFields.of(fields);
  const raw = replicationSection(fields, parsed?.sections['replication'], read.replicaLines.size);
  return new ReplicationReading(read, uptimeSeconds, raw);
}

/**
 * parseReplication of INFO replication's text, read straight from it: the fields it is made of go
 * to their slots as the lines are scanned, with no map of every field (every node's every poll
 * reads one). `raw` is parsed from the text only when asked for (the details panel). Returns what
 * had to be cut too, as parseInfo does.
 */
export function readReplication(text: string, uptimeSeconds: number | null = null): { info: ReplicationInfo; cuts: InfoCuts | null } {
  const read = new ReplicationFields();
  if (isLong(text)) {
    // A record keeps up to three readings: each keeps the lines read, not the reply.
    const lines = new DetachedLines(read, true);
    const cuts = scanInfo(text, lines);
    return { info: new ReplicationReading(read, uptimeSeconds, lines.read()), cuts };
  }
  const cuts = scanInfo(text, read);
  return { info: new ReplicationReading(read, uptimeSeconds, text), cuts };
}

/**
 * The fields of INFO replication a ReplicationInfo is made of, one slot each (undefined: not in
 * the reply; the last of duplicates wins), and its slaveN lines. Filled by scanInfo from a reply's
 * text, or from a map of fields: each field is read by one rule, whichever way it came.
 */
class ReplicationFields implements InfoVisitor {
  role: string | undefined = undefined;
  masterHost: string | undefined = undefined;
  masterPort: string | undefined = undefined;
  linkStatus: string | undefined = undefined;
  lastIoSecondsAgo: string | undefined = undefined;
  syncInProgress: string | undefined = undefined;
  syncTotalBytes: string | undefined = undefined;
  syncReadBytes: string | undefined = undefined;
  syncPercent: string | undefined = undefined;
  syncLastIoSecondsAgo: string | undefined = undefined;
  linkDownSinceSeconds: string | undefined = undefined;
  uptimeSeconds: string | undefined = undefined;
  readReplOffset: string | undefined = undefined;
  replicaReplOffset: string | undefined = undefined;
  replicaPriority: string | undefined = undefined;
  slavePriority: string | undefined = undefined;
  replicaReadOnly: string | undefined = undefined;
  slaveReadOnly: string | undefined = undefined;
  replicaAnnounced: string | undefined = undefined;
  connectedReplicas: string | undefined = undefined;
  failoverState: string | undefined = undefined;
  replid: string | undefined = undefined;
  replid2: string | undefined = undefined;
  masterReplOffset: string | undefined = undefined;
  secondReplOffset: string | undefined = undefined;
  backlogActive: string | undefined = undefined;
  backlogSize: string | undefined = undefined;
  backlogFirstByteOffset: string | undefined = undefined;
  backlogHistlen: string | undefined = undefined;
  minReplicasGood: string | undefined = undefined;
  /** slaveN key → its N and its line, in the order first read (a repeated key is one line: its last value). */
  readonly replicaLines = new Map<string, IndexedLine>();

  /** From a map of fields: its own string values only (a hand-built map's prototype must not answer). */
  static of(fields: Fields): ReplicationFields {
    const read = new ReplicationFields();
    for (const key of Object.keys(fields)) {
      const value = field(fields, key);
      if (value !== undefined) read.field(key, value);
    }
    return read;
  }

  section(): void {
    // Every field counts wherever it is (the flat map's rule): a section changes nothing.
  }

  field(key: string, value: string): void {
    // In the order servers print the section: most lines match within a few cases.
    switch (key) {
      case 'role': this.role = value; return;
      case 'master_host': this.masterHost = value; return;
      case 'master_port': this.masterPort = value; return;
      case 'master_link_status': this.linkStatus = value; return;
      case 'master_last_io_seconds_ago': this.lastIoSecondsAgo = value; return;
      case 'master_sync_in_progress': this.syncInProgress = value; return;
      case 'slave_read_repl_offset': this.readReplOffset = value; return;
      case 'slave_repl_offset': this.replicaReplOffset = value; return;
      case 'master_sync_total_bytes': this.syncTotalBytes = value; return;
      case 'master_sync_read_bytes': this.syncReadBytes = value; return;
      case 'master_sync_perc': this.syncPercent = value; return;
      case 'master_sync_last_io_seconds_ago': this.syncLastIoSecondsAgo = value; return;
      case 'master_link_down_since_seconds': this.linkDownSinceSeconds = value; return;
      case 'slave_priority': this.slavePriority = value; return;
      case 'replica_priority': this.replicaPriority = value; return;
      case 'slave_read_only': this.slaveReadOnly = value; return;
      case 'replica_read_only': this.replicaReadOnly = value; return;
      case 'replica_announced': this.replicaAnnounced = value; return;
      case 'connected_slaves': this.connectedReplicas = value; return;
      case 'min_slaves_good_slaves': this.minReplicasGood = value; return;
      case 'master_failover_state': this.failoverState = value; return;
      case 'master_replid': this.replid = value; return;
      case 'master_replid2': this.replid2 = value; return;
      case 'master_repl_offset': this.masterReplOffset = value; return;
      case 'second_repl_offset': this.secondReplOffset = value; return;
      case 'repl_backlog_active': this.backlogActive = value; return;
      case 'repl_backlog_size': this.backlogSize = value; return;
      case 'repl_backlog_first_byte_offset': this.backlogFirstByteOffset = value; return;
      case 'repl_backlog_histlen': this.backlogHistlen = value; return;
      case 'uptime_in_seconds': this.uptimeSeconds = value; return;
    }
    const index = keyIndex(key, SLAVE_LINE_KEY);
    if (index >= 0) this.replicaLines.set(key, { key, index, value });
  }
}

/**
 * A ReplicationInfo. Its `raw` section is kept as given, or as the reply's text (the lines read of
 * a long one), parsed only when asked for (the details panel): every node's every poll makes one
 * of these.
 */
class ReplicationReading implements ReplicationInfo {
  role: ReplicationInfo['role'];
  masterHost: string | null;
  masterPort: number | null;
  linkStatus: ReplicationInfo['linkStatus'];
  lastIoSecondsAgo: number | null;
  syncInProgress: boolean;
  sync: SyncProgress | null;
  linkDownSinceSeconds: number | null;
  readReplOffset: number | null;
  replicaReplOffset: number | null;
  priority: number | null;
  readOnly: boolean | null;
  replicaAnnounced: boolean | null;
  connectedReplicas: number | null;
  replicas: ListedReplica[];
  syncClients: SyncClient[];
  listedLines: number;
  failoverState: string | null;
  replid: string | null;
  replid2: string | null;
  masterReplOffset: number | null;
  secondReplOffset: number | null;
  backlog: ReplicationBacklog | null;
  minReplicasGood: number | null;
  readonly #raw: Fields | string | ReadLines;

  constructor(read: ReplicationFields, uptimeSeconds: number | null, raw: Fields | string | ReadLines) {
    this.role = toRole(read.role);
    this.masterHost = nonEmpty(read.masterHost);
    this.masterPort = toPort(read.masterPort);
    this.linkStatus = toLinkStatus(read.linkStatus);
    this.lastIoSecondsAgo = toNonNegative(read.lastIoSecondsAgo);
    this.syncInProgress = read.syncInProgress === '1';
    this.sync = this.syncInProgress ? parseSyncProgress(read) : null;
    this.linkDownSinceSeconds = linkDownSince(read, uptimeSeconds);
    this.readReplOffset = toNonNegative(read.readReplOffset);
    this.replicaReplOffset = toNonNegative(read.replicaReplOffset);
    this.priority = toNonNegative(read.replicaPriority ?? read.slavePriority);
    this.readOnly = toFlag(read.replicaReadOnly ?? read.slaveReadOnly);
    this.replicaAnnounced = toFlag(read.replicaAnnounced);
    this.connectedReplicas = toNonNegative(read.connectedReplicas);
    const { replicas, syncClients, listedLines } = parseListedReplicas(read.replicaLines);
    this.replicas = replicas;
    this.syncClients = syncClients;
    this.listedLines = listedLines;
    this.failoverState = nonEmpty(read.failoverState);
    this.replid = nonEmpty(read.replid);
    this.replid2 = toReplid2(read.replid2);
    this.masterReplOffset = toNonNegative(read.masterReplOffset);
    this.secondReplOffset = toNonNegative(read.secondReplOffset);
    this.backlog = parseBacklog(read);
    this.minReplicasGood = toNonNegative(read.minReplicasGood);
    this.#raw = raw;
  }

  get raw(): Fields {
    const raw = this.#raw;
    if (typeof raw === 'string') return parseReplication(parseInfo(raw)).raw;
    return raw instanceof ReadLines ? parseReplication(raw.parsed()).raw : raw;
  }
}

/** Full / partial resync counters from INFO stats; null unless all three are valid. */
export function parseStats(fields: Record<string, string>): StatsInfo | null {
  const syncFull = toNonNegative(field(fields, 'sync_full'));
  const syncPartialOk = toNonNegative(field(fields, 'sync_partial_ok'));
  const syncPartialErr = toNonNegative(field(fields, 'sync_partial_err'));
  if (syncFull === null || syncPartialOk === null || syncPartialErr === null) return null;
  return { syncFull, syncPartialOk, syncPartialErr };
}

/** The fields parseLoad reads, by section: pickFields reads only these where nothing else needs the section. */
export const LOAD_FIELDS = {
  stats: ['instantaneous_ops_per_sec', 'instantaneous_input_kbps', 'instantaneous_output_kbps'],
  memory: ['used_memory', 'maxmemory', 'maxmemory_policy', 'mem_not_counted_for_evict'],
  clients: ['connected_clients'],
  persistence: [
    'rdb_bgsave_in_progress',
    'aof_rewrite_in_progress',
    'rdb_last_bgsave_status',
    'rdb_last_save_time',
    'rdb_changes_since_last_save',
    'rdb_saves',
    'aof_enabled',
    'aof_last_write_status',
    'loading',
    'loading_loaded_perc',
    'loading_eta_seconds',
  ],
} as const;

/**
 * Only `keys` from an INFO reply, without splitting it into lines: one native scan of the text
 * (a regular expression of the keys, built once per key list), much cheaper than parseInfo on a
 * 60-line section read only for two figures, and than a search per key (V8's lastIndexOf is a
 * plain loop: 13 µs for a load reading's 19 keys, against 5). Same rules as parseInfo where they
 * matter: the last of duplicate lines wins, nothing past MAX_INFO_CHARS is read, values are cut
 * to MAX_FIELD_CHARS (a cut number is no number: it reads as null).
 */
export function pickFields(text: string, keys: readonly string[]): Record<string, string> {
  const out = emptyRecord<string>();
  const input = typeof text === 'string' ? text : '';
  if (keys.length === 0) return out;
  const lines = keyLinesOf(keys);
  lines.lastIndex = 0;
  for (let match = lines.exec(input); match !== null && match.index <= MAX_INFO_CHARS; match = lines.exec(input)) {
    const key = match[1]!;
    let value = match[2]!;
    if (value.charCodeAt(value.length - 1) === 13 /* \r */) value = value.slice(0, -1);
    out[key] = value.length > MAX_FIELD_CHARS ? cutValue(value.slice(0, MAX_FIELD_CHARS), value.length) : value;
  }
  // A policy name kept from a long reply must not keep the reply (see DetachedLines).
  if (isLong(input)) for (const key in out) out[key] = detached(out[key]!);
  return out;
}

/**
 * A line of one of `keys` (at the text's start or after a newline: a lone \r starts no line, as
 * in parseInfo), its key and its value up to the newline. Built once per key list: the lists
 * are a few constants.
 */
const keyLines = new WeakMap<readonly string[], RegExp>();
function keyLinesOf(keys: readonly string[]): RegExp {
  let pattern = keyLines.get(keys);
  if (!pattern) {
    const names = keys.map((key) => key.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&'));
    pattern = new RegExp(`(?:^|\\n)(${names.join('|')}):([^\\n]*)`, 'g');
    keyLines.set(keys, pattern);
  }
  return pattern;
}

/** The INFO sections a load reading is made of (each may be missing: null or an empty map). */
export interface LoadSections {
  stats: Record<string, string> | null;
  memory: Record<string, string> | null;
  clients: Record<string, string> | null;
  persistence: Record<string, string> | null;
  /** INFO keyspace's text, read under a volatile-* policy only (see NodeLoad.keysWithTtl). */
  keyspace?: string | null;
}

/**
 * Throughput, memory, clients and persistence from INFO stats, memory, clients and persistence,
 * reading only the fields shown. Hostile values (not a number, negative, past a safe integer)
 * are null: the snapshot never carries NaN or Infinity.
 */
/** `startedAtSecond`: when the process started (ServerInfo.startedAtSecond); it tells a save from Redis's own start (see parsePersistence). */
export function parseLoad(sections: LoadSections, readAt: number, startedAtSecond: number | null = null): NodeLoad {
  const stats = sections.stats ?? EMPTY;
  const memory = sections.memory ?? EMPTY;
  const maxMemory = toNonNegative(field(memory, 'maxmemory'));
  return {
    readAt,
    opsPerSecond: toNonNegative(field(stats, 'instantaneous_ops_per_sec')),
    netInputBytesPerSecond: kbpsToBytes(field(stats, 'instantaneous_input_kbps')),
    netOutputBytesPerSecond: kbpsToBytes(field(stats, 'instantaneous_output_kbps')),
    usedMemoryBytes: toNonNegative(field(memory, 'used_memory')),
    // 0 means no limit.
    maxMemoryBytes: maxMemory === 0 ? null : maxMemory,
    maxMemoryPolicy: policyName(field(memory, 'maxmemory_policy')),
    memoryNotCountedBytes: toNonNegative(field(memory, 'mem_not_counted_for_evict')),
    keysWithTtl: keyCount(sections.keyspace ?? null, 'expires'),
    connectedClients: toNonNegative(field(sections.clients ?? EMPTY, 'connected_clients')),
    persistence: sections.persistence === null ? null : parsePersistence(sections.persistence, startedAtSecond),
  };
}

/** Keys (or keys with a TTL, `expires`) over every database of INFO keyspace's text; null when unknown (or past a safe integer). */
export function keyCount(text: string | null, field: 'keys' | 'expires'): number | null {
  if (text === null) return null;
  let total = 0;
  for (const match of text.matchAll(field === 'keys' ? /^db\d+:keys=(\d+)/gm : /^db\d+:.*\bexpires=(\d+)/gm)) total += Number(match[1]);
  return Number.isSafeInteger(total) ? total : null;
}

/** Null when the reply has neither in-progress flag (no persistence section, or not a Redis one). */
function parsePersistence(fields: Fields, startedAtSecond: number | null): NodePersistence | null {
  const rdb = toFlag(field(fields, 'rdb_bgsave_in_progress'));
  const aof = toFlag(field(fields, 'aof_rewrite_in_progress'));
  if (rdb === null && aof === null) return null;
  const lastSave = toNonNegative(field(fields, 'rdb_last_save_time'));
  const aofOn = field(fields, 'aof_enabled') === '1';
  // Redis starts with rdb_last_save_time at its start and rdb_last_bgsave_status ok, and moves the
  // time only when a save succeeds: a node started with save "" showed "LAST SAVE OK, saved 52
  // min ago" without a snapshot ever written, and one whose every save failed "saved" at its start.
  // A save succeeded since it started when the time is past its start, both by the server's clock
  // (the console's may be seconds off). Without its start (before 6.2, or INFO server not read),
  // rdb_saves (7.0+) says whether one was tried.
  const saved = lastSave !== null && startedAtSecond !== null ? lastSave > startedAtSecond : toNonNegative(field(fields, 'rdb_saves')) !== 0;
  const status = toStatus(field(fields, 'rdb_last_bgsave_status'));
  return {
    rdbSaveInProgress: rdb === true,
    aofRewriteInProgress: aof === true,
    // A failure is always one: the status starts ok, and CONFIG RESETSTAT zeroes rdb_saves but keeps it.
    lastSaveStatus: status === 'err' ? 'err' : saved ? status : null,
    // Seconds since the epoch; 0 (never saved) and values past a ms-safe integer are unknown.
    lastSaveAt: saved && lastSave !== null && lastSave > 0 && lastSave <= MAX_UNIX_SECONDS ? lastSave * 1000 : null,
    changesSinceLastSave: toNonNegative(field(fields, 'rdb_changes_since_last_save')),
    aofLastWriteStatus: aofOn ? toStatus(field(fields, 'aof_last_write_status')) : null,
    loading:
      toFlag(field(fields, 'loading')) === true
        ? { percent: toDecimal(field(fields, 'loading_loaded_perc')), etaSeconds: toNonNegative(field(fields, 'loading_eta_seconds')) }
        : null,
  };
}

/** instantaneous_*_kbps is bytes/1024 with two decimals (e.g. 0.02): back to bytes per second. */
function kbpsToBytes(value: string | undefined): number | null {
  const kbps = toDecimal(value);
  if (kbps === null || kbps < 0) return null;
  const bytes = Math.round(kbps * 1024);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

function toStatus(value: string | undefined): 'ok' | 'err' | null {
  return value === 'ok' || value === 'err' ? value : null;
}

/** The masters a Sentinel watches, from its `masterN:name=…,status=…` lines; nameless lines are skipped. */
export function parseSentinelMasters(fields: Record<string, string>): SentinelMaster[] {
  const masters: SentinelMaster[] = [];
  // A Sentinel watching thousands of masters is as hostile as a master listing thousands of replicas.
  for (const key of indexedKeys(Object.keys(fields), SENTINEL_MASTER_KEY).slice(0, MAX_REPLICA_LINES)) {
    const pairs = parsePairs(field(fields, key) ?? '');
    const name = nonEmpty(pairs.get('name'));
    if (name === null) continue;
    masters.push({
      name,
      status: nonEmpty(pairs.get('status')) ?? 'unknown',
      address: nonEmpty(pairs.get('address')),
      replicas: toNonNegative(pairs.get('slaves')),
      sentinels: toNonNegative(pairs.get('sentinels')),
    });
  }
  return masters;
}

/** True for a Redis Cluster node, which REPLICAOF cannot manage. */
export function isClusterEnabled(fields: Record<string, string>): boolean {
  return field(fields, 'cluster_enabled') === '1' || serverMode(fields) === 'cluster';
}

// ---------------------------------------------------------------- sections and fields

function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function openSection(sections: Record<string, Fields>, name: string): Fields {
  // A repeated header continues the section instead of dropping what came before.
  const existing = sections[name];
  if (existing) return existing;
  const created = emptyRecord<string>();
  sections[name] = created;
  return created;
}

/** Own string values only: callers may hand in ordinary objects, whose prototype must not answer. */
/** A maxmemory policy's name ("noeviction", "allkeys-lru", …); anything else (hostile, cut) is null. */
function policyName(value: string | undefined): string | null {
  return value !== undefined && /^[a-z][a-z-]{0,39}$/.test(value) ? value : null;
}

function field(fields: Fields, key: string): string | undefined {
  if (!Object.hasOwn(fields, key)) return undefined;
  const value = fields[key];
  return typeof value === 'string' ? value : undefined;
}

/** N of a key like slave3 or master0 (`prefix`: SLAVE_LINE_KEY or SENTINEL_MASTER_KEY), else -1. */
function keyIndex(key: string, prefix: string): number {
  // The index follows the prefix at once: slave_repl_offset, master_host and the like stop at
  // its first character. Tested by hand: every key of every reply comes here.
  if (key.length === prefix.length || !key.startsWith(prefix)) return -1;
  for (let i = prefix.length; i < key.length; i++) if (!isDigit(key.charCodeAt(i))) return -1;
  return Number(key.slice(prefix.length));
}

/** Indexed keys ordered by their number (which is only a position in the reply). */
function byIndex(indexed: readonly IndexedKey[]): string[] {
  const sorted = [...indexed].sort(ascendingIndex);
  const keys: string[] = [];
  for (const entry of sorted) keys.push(entry.key);
  return keys;
}

// Module-level rather than an arrow made on every master's poll: nothing holds such an arrow's
// optimized code between polls, so each full garbage collection drops it and it is compiled again.
function ascendingIndex(a: IndexedKey, b: IndexedKey): number {
  return a.index - b.index;
}

/** Keys like slave3 or master0, ordered by their number. */
function indexedKeys(keys: Iterable<string>, prefix: string): string[] {
  const indexed: IndexedKey[] = [];
  for (const key of keys) {
    const index = keyIndex(key, prefix);
    if (index >= 0) indexed.push({ key, index });
  }
  return byIndex(indexed);
}

/** The slaveN keys among `keys` read: the first MAX_REPLICA_LINES by number, and how many there were. */
function replicaLineKeys(keys: Iterable<string>): { read: string[]; total: number } {
  const all = indexedKeys(keys, SLAVE_LINE_KEY);
  return { read: all.length > MAX_REPLICA_LINES ? all.slice(0, MAX_REPLICA_LINES) : all, total: all.length };
}

/** `a=1,b=2` → Map; segments without '=' or with an empty key are dropped, last duplicate wins. */
function parsePairs(text: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const segment of text.split(',')) {
    const equals = segment.indexOf('=');
    if (equals <= 0) continue;
    pairs.set(segment.slice(0, equals), segment.slice(equals + 1));
  }
  return pairs;
}

// ---------------------------------------------------------------- scalar conversions

/** Strict integer: rejects '', '12abc', '1e3', '0x10', '+3', decimals and unsafe integers. */
function toInt(value: string | undefined): number | null {
  if (value === undefined || !isInteger(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

/** An optional minus and one or more ASCII digits, tested without a regular expression (a dozen fields per poll). */
function isInteger(text: string): boolean {
  const start = text.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  if (text.length === start) return false;
  for (let i = start; i < text.length; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Integers where Redis uses -1 (or any negative) for "none". */
function toNonNegative(value: string | undefined): number | null {
  const n = toInt(value);
  return n !== null && n >= 0 ? n : null;
}

function toPort(value: string | undefined): number | null {
  const n = toInt(value);
  return n !== null && n >= 0 && n <= 65535 ? n : null;
}

function toDecimal(value: string | undefined): number | null {
  return value !== undefined && DECIMAL.test(value) ? Number(value) : null;
}

function toFlag(value: string | undefined): boolean | null {
  if (value === '1') return true;
  if (value === '0') return false;
  return null;
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}

function toRole(value: string | undefined): ReplicationInfo['role'] {
  if (value === 'master') return 'master';
  if (value === 'slave') return 'replica';
  return 'unknown';
}

function toLinkStatus(value: string | undefined): ReplicationInfo['linkStatus'] {
  return value === 'up' || value === 'down' ? value : null;
}

function toMode(value: string | undefined): ServerInfo['mode'] {
  return value === 'standalone' || value === 'sentinel' || value === 'cluster' ? value : null;
}

/** Redis says redis_mode; Valkey 8 may say server_mode instead. */
function serverMode(fields: Fields): ServerInfo['mode'] {
  return toMode(field(fields, 'redis_mode')) ?? toMode(field(fields, 'server_mode'));
}

/** An all-zero replid2 means "no previous history". */
function toReplid2(value: string | undefined): string | null {
  const id = nonEmpty(value);
  return id === null || allZeros(id) ? null : id;
}

/** /^0+$/ without a regular expression (every poll of every node reads a replid2). */
function allZeros(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== 48 /* 0 */) return false;
  return text.length > 0;
}

// ---------------------------------------------------------------- replication details

function parseSyncProgress(fields: ReplicationFields): SyncProgress {
  const total = toInt(fields.syncTotalBytes);
  const read = toNonNegative(fields.syncReadBytes);
  return {
    totalBytes: total !== null && total > 0 ? total : null,
    readBytes: read,
    percent: syncPercent(total, read, fields.syncPercent),
    lastIoSecondsAgo: toNonNegative(fields.syncLastIoSecondsAgo),
  };
}

function syncPercent(total: number | null, read: number | null, reported: string | undefined): number | null {
  // A diskless transfer has no size (total 0, or -1 before the first byte): Redis then
  // prints 0.00 or an estimate. Unknown is more honest than a progress bar stuck at 0 %.
  if (total !== null && total <= 0) return null;
  const perc = toDecimal(reported);
  if (perc !== null) return clampPercent(perc);
  if (total !== null && read !== null) return clampPercent((read / total) * 100);
  return null;
}

function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, value));
}

function linkDownSince(fields: ReplicationFields, uptimeSeconds: number | null): number | null {
  const seconds = toNonNegative(fields.linkDownSinceSeconds);
  const uptime = toNonNegative(fields.uptimeSeconds) ?? uptimeSeconds;
  // Before 6.2 a link that was never up reports "now − 0", i.e. the Unix time. A link cannot
  // have been down for longer than the process has run, so that is 6.2's -1 in disguise.
  if (seconds !== null && uptime !== null && seconds > uptime) return null;
  return seconds;
}

function parseBacklog(fields: ReplicationFields): ReplicationInfo['backlog'] {
  const active = toFlag(fields.backlogActive);
  const size = toNonNegative(fields.backlogSize);
  const firstByteOffset = toNonNegative(fields.backlogFirstByteOffset);
  const histlen = toNonNegative(fields.backlogHistlen);
  if (active === null || size === null || firstByteOffset === null || histlen === null) return null;
  return { active, size, firstByteOffset, histlen };
}

const REPLICATION_KEYS = new Set([
  'role',
  'connected_slaves',
  'min_slaves_good_slaves',
  'second_repl_offset',
  'slave_read_repl_offset',
  'slave_repl_offset',
  'slave_priority',
  'slave_read_only',
]);
const REPLICATION_PREFIXES = ['master_', 'repl_backlog_', 'replica_', 'replicas_'];

function isReplicationKey(key: string): boolean {
  return REPLICATION_KEYS.has(key) || keyIndex(key, SLAVE_LINE_KEY) >= 0 || REPLICATION_PREFIXES.some((p) => key.startsWith(p));
}

/**
 * The replication section verbatim when known; for hand-built maps, the keys that belong to it
 * by name. Replica lines past MAX_REPLICA_LINES are left out here too: raw is what the details
 * panel asks for, and a hostile list must not make it megabytes.
 */
function replicationSection(fields: Fields, section: Fields | undefined, listedInFields: number): Fields {
  // The section as parsed, when it lists no more replica lines than are read (it has no more
  // than the flat map of all sections): nothing to leave out, so no copy (a parsed reply is
  // never changed afterwards).
  if (section && listedInFields <= MAX_REPLICA_LINES) return section;
  const source = section ?? fields;
  const keep = section ? (): boolean => true : isReplicationKey;
  const { read, total } = replicaLineKeys(Object.keys(source));
  const unread = total > read.length ? new Set(Object.keys(source).filter((k) => keyIndex(k, SLAVE_LINE_KEY) >= 0)) : null;
  if (unread) for (const key of read) unread.delete(key);
  const raw = emptyRecord<string>();
  for (const key of Object.keys(source)) {
    const value = field(source, key);
    if (value !== undefined && keep(key) && !unread?.has(key)) raw[key] = value;
  }
  return raw;
}

// ---------------------------------------------------------------- slaveN lines

interface ReplicaLine {
  address: string;
  ip: string;
  port: number;
  state: string;
  offset: number;
  lag: number;
  rdbChannel: boolean;
}

interface ReplicaEntry extends ListedReplica {
  hasRdbChannel: boolean;
  hasMainLine: boolean;
}

/**
 * The replicas the slaveN lines list: the first MAX_REPLICA_LINES by number, and how many lines
 * there were. A line with port 0 is a sync client (see SyncClient): kept apart, never a replica
 * to dial, resolve or count as one.
 */
function parseListedReplicas(replicaLines: ReadonlyMap<string, IndexedLine>): { replicas: ListedReplica[]; syncClients: SyncClient[]; listedLines: number } {
  const sorted = [...replicaLines.values()].sort(ascendingIndex);
  const lines: ReplicaLine[] = [];
  const syncClients: SyncClient[] = [];
  for (let i = 0; i < sorted.length && i < MAX_REPLICA_LINES; i++) {
    const line = parseReplicaLine(sorted[i]!.value);
    if (line?.port === 0) syncClients.push({ ip: line.ip, state: line.state, ackOffset: line.offset, ackAgeSeconds: line.lag });
    else if (line) lines.push(line);
  }
  let dualChannel = false;
  for (const line of lines) dualChannel ||= line.rdbChannel;
  // Without an rdb-channel line there is nothing to fold: each line is one replica. (Loops rather
  // than callbacks made on every master's poll, whose optimized code each full collection drops.)
  const replicas: ListedReplica[] = [];
  if (dualChannel) {
    for (const { address, state, ackOffset, ackAgeSeconds } of mergeDualChannel(lines)) replicas.push({ address, state, ackOffset, ackAgeSeconds });
  } else {
    for (const line of lines) replicas.push({ address: line.address, state: line.state, ackOffset: line.offset, ackAgeSeconds: line.lag });
  }
  return { replicas, syncClients, listedLines: sorted.length };
}

/** One `ip=…,port=…,state=…,offset=…,lag=…[,type=…]` line; null when any required part is unusable. */
function parseReplicaLine(text: string): ReplicaLine | null {
  // parsePairs' rules (segments without '=' or with an empty key dropped, the last duplicate
  // wins), reading only the six keys used: no array of segments, no map, on every master's poll.
  let ipText: string | undefined;
  let portText: string | undefined;
  let stateText: string | undefined;
  let offsetText: string | undefined;
  let lagText: string | undefined;
  let typeText: string | undefined;
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf(',', start);
    if (end < 0) end = text.length;
    const equals = text.indexOf('=', start);
    if (equals > start && equals < end) {
      const value = text.slice(equals + 1, end);
      switch (text.slice(start, equals)) {
        case 'ip':
          ipText = value;
          break;
        case 'port':
          portText = value;
          break;
        case 'state':
          stateText = value;
          break;
        case 'offset':
          offsetText = value;
          break;
        case 'lag':
          lagText = value;
          break;
        case 'type':
          typeText = value;
          break;
      }
    }
    start = end + 1;
  }
  const ip = nonEmpty(ipText);
  const port = toPort(portText);
  const state = nonEmpty(stateText);
  const offset = toNonNegative(offsetText);
  const lag = toInt(lagText);
  if (ip === null || port === null || state === null || offset === null || lag === null) return null;
  return {
    address: formatAddress(ip, port),
    ip,
    port,
    state,
    offset,
    // lag is wall-clock now − last ACK: a clock stepped backwards makes it negative.
    lag: Math.max(0, lag),
    rdbChannel: typeText === 'rdb-channel',
  };
}

function formatAddress(ip: string, port: number): string {
  return ip.includes(':') && !ip.startsWith('[') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

// Valkey 8's dual-channel sync lists one replica twice (rdb-channel + main-channel) under one
// address: fold each rdb-channel line into its partner. Other duplicates stay separate: two
// replicas announcing the same address is a misconfiguration the console must show, not hide.
// Each address keeps two queues of entries still waiting for a partner (a main line waiting
// for its rdb-channel line, and the reverse), oldest first: linear however many lines share it.
function mergeDualChannel(lines: ReplicaLine[]): ReplicaEntry[] {
  const entries: ReplicaEntry[] = [];
  const waiting = new Map<string, { mainOnly: ReplicaEntry[]; rdbOnly: ReplicaEntry[] }>();
  for (const line of lines) {
    let queues = waiting.get(line.address);
    if (!queues) {
      queues = { mainOnly: [], rdbOnly: [] };
      waiting.set(line.address, queues);
    }
    const partner = (line.rdbChannel ? queues.mainOnly : queues.rdbOnly).shift();
    if (partner) {
      foldInto(partner, line);
      continue;
    }
    const entry = toEntry(line);
    entries.push(entry);
    (line.rdbChannel ? queues.rdbOnly : queues.mainOnly).push(entry);
  }
  return entries;
}

function toEntry(line: ReplicaLine): ReplicaEntry {
  return {
    address: line.address,
    state: line.state,
    ackOffset: line.offset,
    ackAgeSeconds: line.lag,
    hasRdbChannel: line.rdbChannel,
    hasMainLine: !line.rdbChannel,
  };
}

function foldInto(entry: ReplicaEntry, line: ReplicaLine): void {
  if (line.rdbChannel) {
    entry.hasRdbChannel = true;
    entry.state = furtherAlong(entry.state, line.state);
    return;
  }
  // Only the main channel carries the replica's ACKs, so its offset and lag are the real ones.
  entry.hasMainLine = true;
  entry.ackOffset = line.offset;
  entry.ackAgeSeconds = line.lag;
  entry.state = furtherAlong(line.state, entry.state);
}

const STATE_PROGRESS = new Map([
  ['wait_bgsave', 1],
  ['send_bulk', 2],
  ['bg_transfer', 3],
  ['online', 4],
]);

/** The state further along a full sync; on a tie (or unknown states) the first one. */
function furtherAlong(first: string, second: string): string {
  return (STATE_PROGRESS.get(second) ?? 0) > (STATE_PROGRESS.get(first) ?? 0) ? second : first;
}
