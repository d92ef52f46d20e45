// Topology memory: every data node the console has seen in a topology, kept in the data
// directory across sessions and front ends (CLI, web, desktop share the one file). A master's
// replica list dies with the master; memory is how a later session still knows the replicas
// of a dead master, and dials them.
import fs from 'node:fs';
import path from 'node:path';

export const MEMORY_FILE = 'topology-memory.json';
/** A remembered node not seen for this long is forgotten on its own (the README states it). */
export const MEMORY_FORGET_AFTER_MS = 7 * 24 * 60 * 60 * 1000;
/** Only `lastSeenAt` moved: written at most this often (a change of role, master or history is written at once). */
const SEEN_SAVE_EVERY_MS = 60_000;

export interface RememberedNode {
  address: string;
  aliases: string[];
  /** A Sentinel is remembered with the master of this topology it monitors as its `master`, so it is recalled with that group. */
  role: 'master' | 'replica' | 'sentinel';
  /** The master it replicated from when last seen (a Sentinel: the master it monitors), null for a master. */
  master: string | null;
  /** The master it replicated from before it last became a master: it still belongs to that group. */
  formerMaster: string | null;
  runId: string | null;
  replid: string | null;
  /**
   * Its replication offset when last read; absent in files written before it was kept. Not part
   * of what makes an entry change (it moves with every write): it is as fresh as the last save,
   * which is forced the moment a node stops answering, so a dead node keeps its last one.
   */
  offset?: number | null;
  /**
   * Persistence off (save "" and no AOF) when last read; null or absent when not known (files
   * written before it was kept). A master remembered without persistence that is down now must
   * not be restarted, and one found with a new run_id came back empty, even in a console started
   * after the fact (a one-shot `topology`).
   */
  noPersistence?: boolean | null;
  /** A master without persistence that restarted and lost data (MASTER_RESTARTED_EMPTY), kept its day for the consoles started after. */
  dataLoss?: StoredLoss | null;
  /**
   * Never read: it refuses the console (another password, an ACL, TLS), and is known from its
   * master's replica list only, as of lastSeenAt (when that master last listed it). Kept so that a
   * console started after that master died still counts it among its replicas (a failover names it).
   */
  listedOnly?: boolean;
  /** When the console last read it (ms since epoch), or for a listedOnly node when its master last listed it. */
  lastSeenAt: number;
}

/** What a master's restart lost, as the watch that saw it knows it (data-loss.ts), in plain data. */
export interface StoredLoss {
  /** When it restarted (now − uptime when first seen back). */
  at: number;
  /**
   * The run it came back as. Its replication ID is new, and changes once more when its first
   * replica syncs (a master creating its backlog starts a new history): a node following it with
   * the ID this run has now, after a full resync, took its dataset.
   */
  runId: string;
  /** rdb_last_load_keys_loaded of the run it came back as: 0 or unknown, empty; more, an old dump.rdb (saves are off). */
  loadedKeys: number | null;
  /** An old dump.rdb reloaded in the history it had (replid2): the replication stream it had taken past the dump, at least; null when not known. */
  lostBytes: number | null;
  /** The master's replication histories before the restart: a replica still in one of them holds the old data. */
  histories: string[];
  /** The nodes that were below it before the restart. */
  below: string[];
  /** The nodes that took its dataset in a full resync, and had data for it to replace. */
  wiped: string[];
  /**
   * The run of each node below it before the restart: a node back with the same ran on through it
   * (the resync replaced its data); one back with another restarted too, and lost only what it did
   * not persist itself. Absent in files written before it was kept.
   */
  runsBefore?: Record<string, string>;
  /** runsBefore was read with the master just before its restart; false: as memory last saw them (maybe long before: another run is then told by uptimes). */
  runsJustBefore?: boolean;
  /** Restarted again within the day while nodes it wiped still followed it: that restart's time (`at` stays the first's). */
  againAt?: number;
}

export interface MemoryOptions {
  /** Most nodes kept (the engine's node cap): the least recently seen go first. */
  maxEntries: number;
  forgetAfterMs?: number;
}

interface MemoryFileShape {
  version: 1;
  nodes: RememberedNode[];
  /** Addresses forgotten by the user, and when: another front end's older entry must not bring them back. */
  forgotten?: Forgotten[];
}

interface Forgotten {
  address: string;
  at: number;
}

/** The memory of one data directory. Loaded once; written atomically (temp file + rename). */
export class TopologyMemory {
  private readonly nodes = new Map<string, RememberedNode>();
  /** Every address and alias → the canonical address of its entry. */
  private readonly index = new Map<string, string>();
  /** Address → when the user forgot it (kept as long as entries are, so every front end learns of it). */
  private readonly tombstones = new Map<string, number>();
  /** Why the file could not be read or written, if it could not (the file itself is kept aside). */
  problem: string | null = null;
  private changed = false;
  private seenMoved = false;
  private savedAt = 0;
  /** The file's modification time when this memory last read or wrote it (-1: none yet). */
  private fileTime = -1;
  private readonly forgetAfterMs: number;

  constructor(
    readonly dir: string,
    private readonly options: MemoryOptions,
  ) {
    this.forgetAfterMs = options.forgetAfterMs ?? MEMORY_FORGET_AFTER_MS;
  }

  get file(): string {
    return path.join(this.dir, MEMORY_FILE);
  }

  get size(): number {
    return this.nodes.size;
  }

  /** Read the file (a missing file is an empty memory; an unreadable one is moved aside and reported). */
  load(now = Date.now()): this {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.problem = `topology memory ${this.file} cannot be read: ${message(error)}`;
      return this;
    }
    this.fileTime = mtimeOf(this.file);
    const parsed = parse(text);
    if (!parsed) {
      const aside = `${this.file}.corrupt-${now}`;
      try {
        fs.renameSync(this.file, aside);
        this.problem = `topology memory ${this.file} was unreadable: kept aside as ${aside}; the console starts with an empty memory`;
      } catch (error) {
        this.problem = `topology memory ${this.file} is unreadable and could not be moved aside: ${message(error)}`;
      }
      return this;
    }
    this.merge(parsed);
    this.expire(now);
    this.changed = false;
    return this;
  }

  /**
   * Take in what another front end wrote: entries seen more recently than ours, and the
   * user's forgets (an entry not seen since it was forgotten goes).
   */
  private merge(file: { nodes: RememberedNode[]; forgotten: Forgotten[] }): void {
    for (const { address, at } of file.forgotten) {
      if (at > (this.tombstones.get(address) ?? -Infinity)) this.tombstones.set(address, at);
    }
    for (const entry of file.nodes) {
      const known = this.get(entry.address);
      if (this.isForgotten(entry) || (known && known.lastSeenAt >= entry.lastSeenAt)) continue;
      if (known) this.drop(known);
      this.put(entry);
    }
    for (const entry of this.all()) if (this.isForgotten(entry)) this.drop(entry);
  }

  /**
   * Takes in what another front end wrote since this memory last read or wrote the file (the
   * CLI's `forget` beside a running serve or desktop app): returns the addresses forgotten there
   * since, for the session that still shows them to drop. One stat when nothing changed.
   */
  pickUp(): string[] {
    const time = mtimeOf(this.file);
    if (time === this.fileTime) return [];
    this.fileTime = time;
    const current = readQuietly(this.file);
    if (!current) return [];
    const before = new Map(this.tombstones);
    this.merge(current);
    return [...this.tombstones].filter(([address, at]) => at > (before.get(address) ?? -Infinity)).map(([address]) => address);
  }

  private isForgotten(entry: RememberedNode): boolean {
    return [entry.address, ...entry.aliases].some((a) => (this.tombstones.get(a) ?? -Infinity) >= entry.lastSeenAt);
  }

  /** Every remembered node. */
  all(): RememberedNode[] {
    return [...this.nodes.values()];
  }

  /** The entry behind an address or alias. */
  get(address: string): RememberedNode | undefined {
    const canonical = this.index.get(address);
    return canonical === undefined ? undefined : this.nodes.get(canonical);
  }

  /** Record what the console sees now of one node. */
  observe(seen: Omit<RememberedNode, 'formerMaster'>): void {
    const known = this.get(seen.address) ?? seen.aliases.map((a) => this.get(a)).find((e) => e !== undefined);
    const formerMaster = seen.master === null ? (known?.master ?? known?.formerMaster ?? null) : null;
    // Not read now (CONFIG GET refused, or not yet): what was known stays.
    const noPersistence = seen.noPersistence ?? known?.noPersistence ?? null;
    const entry: RememberedNode = { ...seen, aliases: [...seen.aliases].sort(), formerMaster, noPersistence, dataLoss: known?.dataLoss ?? null };
    if (known && sameShape(known, entry) && known.address === entry.address) {
      if (known.lastSeenAt !== entry.lastSeenAt) this.seenMoved = true;
      known.lastSeenAt = entry.lastSeenAt;
      known.offset = entry.offset ?? null;
      return;
    }
    if (known) this.drop(known);
    this.put(entry);
    this.changed = true;
    this.cap();
  }

  /** Keep what a master's restart lost (or clear it, with null), for the consoles started after: one that reads it again must not say all is well. */
  noteLoss(address: string, loss: StoredLoss | null): void {
    const entry = this.get(address);
    if (!entry || ((entry.dataLoss ?? null) === null && loss === null)) return;
    if (JSON.stringify(entry.dataLoss ?? null) === JSON.stringify(loss)) return;
    entry.dataLoss = loss;
    this.changed = true;
  }

  /** Remove a node (by any of its addresses); returns the entry removed, if any. */
  forget(address: string, now = Date.now()): RememberedNode | undefined {
    const entry = this.get(address);
    if (!entry) return undefined;
    this.drop(entry);
    for (const a of [entry.address, ...entry.aliases]) this.tombstones.set(a, Math.max(now, entry.lastSeenAt));
    this.changed = true;
    return entry;
  }

  /** Forget the nodes not seen for the stated time; returns them. */
  expire(now = Date.now()): RememberedNode[] {
    const old = this.all().filter((e) => now - e.lastSeenAt > this.forgetAfterMs);
    for (const entry of old) this.drop(entry);
    for (const [address, at] of this.tombstones) if (now - at > this.forgetAfterMs) this.tombstones.delete(address);
    if (old.length > 0) this.changed = true;
    return old;
  }

  /**
   * Remembered nodes that belong with the nodes `isKnown` accepts: a replica of a known node
   * (or one that was, before it became a master), or the master of a known node (or the one it
   * had before it became a master), and so on transitively. Linear in the memory per round; rounds stop when nothing new joins.
   */
  relatedTo(isKnown: (address: string) => boolean): RememberedNode[] {
    const joined = new Set<RememberedNode>();
    const inGroup = (entry: RememberedNode): boolean => joined.has(entry) || [entry.address, ...entry.aliases].some((a) => isKnown(a));
    const known = (address: string | null): boolean => {
      if (address === null) return false;
      const entry = this.get(address);
      return isKnown(address) || (entry !== undefined && inGroup(entry));
    };
    for (let grew = true; grew; ) {
      grew = false;
      for (const entry of this.nodes.values()) {
        if (inGroup(entry)) {
          // Its master belongs too, and the master it was promoted off: seeded from the new master
          // after a failover, the old one is still dialled, and seen if it comes back a master.
          for (const address of [entry.master, entry.formerMaster]) {
            const master = address === null ? undefined : this.get(address);
            if (master && !inGroup(master)) {
              joined.add(master);
              grew = true;
            }
          }
        } else if (known(entry.master) || known(entry.formerMaster)) {
          joined.add(entry);
          grew = true;
        }
      }
    }
    return [...joined];
  }

  /** Write the file if anything changed (a moved lastSeenAt only once a minute, or when `force`). */
  save(now = Date.now(), force = false): void {
    const due = this.changed || (this.seenMoved && (force || now - this.savedAt >= SEEN_SAVE_EVERY_MS));
    if (!due) return;
    // Another front end may have written since: keep what it saw and what the user forgot there.
    const current = readQuietly(this.file);
    if (current) this.merge(current);
    this.capTombstones();
    const forgotten = [...this.tombstones].map(([address, at]) => ({ address, at }));
    const body: MemoryFileShape = { version: 1, nodes: this.all(), forgotten };
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      fs.writeFileSync(temp, `${JSON.stringify(body, null, 1)}\n`, { mode: 0o600 });
      fs.renameSync(temp, this.file);
      this.fileTime = mtimeOf(this.file);
      this.changed = false;
      this.seenMoved = false;
      this.savedAt = now;
    } catch (error) {
      this.problem = `topology memory ${this.file} cannot be written: ${message(error)}`;
      fs.rmSync(temp, { force: true });
    }
  }

  private put(entry: RememberedNode): void {
    for (const address of [entry.address, ...entry.aliases]) {
      const other = this.get(address);
      if (other && other !== entry) this.drop(other);
    }
    this.nodes.set(entry.address, entry);
    for (const address of [entry.address, ...entry.aliases]) this.index.set(address, entry.address);
  }

  private drop(entry: RememberedNode): void {
    if (this.nodes.get(entry.address) !== entry) return;
    this.nodes.delete(entry.address);
    for (const address of [entry.address, ...entry.aliases]) {
      if (this.index.get(address) === entry.address) this.index.delete(address);
    }
  }

  /** Tombstones are bounded like entries: the oldest go first. */
  private capTombstones(): void {
    const over = this.tombstones.size - this.options.maxEntries;
    if (over <= 0) return;
    const oldest = [...this.tombstones].sort((a, b) => a[1] - b[1]).slice(0, over);
    for (const [address] of oldest) this.tombstones.delete(address);
  }

  /** Keep to maxEntries: the least recently seen go. */
  private cap(): void {
    const over = this.nodes.size - this.options.maxEntries;
    if (over <= 0) return;
    const oldest = this.all()
      .sort((a, b) => a.lastSeenAt - b.lastSeenAt)
      .slice(0, over);
    for (const entry of oldest) this.drop(entry);
  }
}

function sameShape(a: RememberedNode, b: RememberedNode): boolean {
  return (
    a.role === b.role &&
    a.master === b.master &&
    a.formerMaster === b.formerMaster &&
    a.runId === b.runId &&
    a.replid === b.replid &&
    (a.noPersistence ?? null) === (b.noPersistence ?? null) &&
    (a.listedOnly ?? false) === (b.listedOnly ?? false) &&
    a.aliases.join(',') === b.aliases.join(',')
  );
}

/** A file's modification time (ms), or -1 when it cannot be read: one stat, to see whether another process wrote it. */
export function mtimeOf(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** The file's contents, or null when it is missing or unreadable (the load reports that, not the save). */
function readQuietly(file: string): { nodes: RememberedNode[]; forgotten: Forgotten[] } | null {
  try {
    return parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** The entries and forgets of a memory file, or null when it is not one. */
function parse(text: string): { nodes: RememberedNode[]; forgotten: Forgotten[] } | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(data) || data.version !== 1 || !Array.isArray(data.nodes)) return null;
  const nodes: RememberedNode[] = [];
  for (const raw of data.nodes) {
    if (!isEntry(raw)) return null;
    nodes.push({ ...raw, aliases: [...raw.aliases] });
  }
  const forgotten: Forgotten[] = [];
  if (data.forgotten !== undefined) {
    if (!Array.isArray(data.forgotten)) return null;
    for (const raw of data.forgotten) {
      if (!isObject(raw) || typeof raw.address !== 'string' || typeof raw.at !== 'number' || !Number.isFinite(raw.at)) return null;
      forgotten.push({ address: raw.address, at: raw.at });
    }
  }
  return { nodes, forgotten };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const orNull = (value: unknown): boolean => value === null || typeof value === 'string';

function isEntry(value: unknown): value is RememberedNode {
  return (
    isObject(value) &&
    typeof value.address === 'string' &&
    Array.isArray(value.aliases) &&
    value.aliases.every((a) => typeof a === 'string') &&
    (value.role === 'master' || value.role === 'replica' || value.role === 'sentinel') &&
    orNull(value.master) &&
    orNull(value.formerMaster) &&
    orNull(value.runId) &&
    orNull(value.replid) &&
    (value.offset === undefined || value.offset === null || (typeof value.offset === 'number' && Number.isSafeInteger(value.offset) && value.offset >= 0)) &&
    (value.noPersistence === undefined || value.noPersistence === null || typeof value.noPersistence === 'boolean') &&
    (value.dataLoss === undefined || value.dataLoss === null || isStoredLoss(value.dataLoss)) &&
    (value.listedOnly === undefined || typeof value.listedOnly === 'boolean') &&
    typeof value.lastSeenAt === 'number' &&
    Number.isFinite(value.lastSeenAt)
  );
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const strings = (value: unknown): boolean => Array.isArray(value) && value.every((v) => typeof v === 'string');
const count = (value: unknown): boolean => value === null || (typeof value === 'number' && Number.isFinite(value));

function isStoredLoss(value: unknown): value is StoredLoss {
  return (
    isObject(value) &&
    typeof value.at === 'number' &&
    Number.isFinite(value.at) &&
    typeof value.runId === 'string' &&
    count(value.loadedKeys) &&
    count(value.lostBytes) &&
    strings(value.histories) &&
    strings(value.below) &&
    strings(value.wiped) &&
    (value.runsBefore === undefined || (isObject(value.runsBefore) && Object.values(value.runsBefore).every((run) => typeof run === 'string'))) &&
    (value.runsJustBefore === undefined || typeof value.runsJustBefore === 'boolean') &&
    (value.againAt === undefined || (typeof value.againAt === 'number' && Number.isFinite(value.againAt)))
  );
}
