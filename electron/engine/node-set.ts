import { normalizeAddress } from './address';
import { createRecord, masterAddressOf, type NodeRecord } from './node-record';

/**
 * The nodes of one topology, reachable by any of their addresses. Two addresses that turn
 * out to reach the same process (same run_id) become one node: the address it was first
 * reached by stays canonical, the other becomes an alias.
 */
export class NodeSet {
  private readonly records = new Map<string, NodeRecord>();
  private readonly byAddress = new Map<string, NodeRecord>();

  constructor(
    private readonly capacity: number,
    private readonly addressMap: Readonly<Record<string, string>> = {},
  ) {}

  get size(): number {
    return this.records.size;
  }

  all(): NodeRecord[] {
    return [...this.records.values()];
  }

  /** The node behind an address (canonical or alias), if known. */
  resolve(address: string): NodeRecord | undefined {
    // Addresses from INFO are already in normal form: skip the parse on the hot path.
    return this.byAddress.get(address) ?? this.byAddress.get(safeNormalize(address));
  }

  /** Add a node for an address not yet known; returns the existing one otherwise. */
  add(address: string, seed: boolean): NodeRecord {
    const normalized = safeNormalize(address);
    const known = this.byAddress.get(normalized);
    if (known) {
      known.seed ||= seed;
      return known;
    }
    const dial = this.addressMap[normalized] ?? normalized;
    const record = createRecord(normalized, dial, seed, this.capacity);
    this.records.set(normalized, record);
    this.byAddress.set(normalized, record);
    return record;
  }

  /**
   * If another node has the same run_id, fold `record` into it and return the survivor;
   * otherwise return `record`.
   */
  mergeByRunId(record: NodeRecord): NodeRecord {
    const runId = record.server?.runId;
    if (!runId) return record;
    const twin = this.all().find((r) => r !== record && r.server?.runId === runId);
    if (!twin) return record;
    // Keep the seed, else the node known first (Map order is insertion order).
    const [keep, drop] = record.seed && !twin.seed ? [record, twin] : [twin, record];
    keep.aliases.add(drop.address);
    for (const alias of drop.aliases) keep.aliases.add(alias);
    keep.seed ||= drop.seed;
    this.remove(drop);
    for (const address of [drop.address, ...drop.aliases]) this.byAddress.set(address, keep);
    return keep;
  }

  /** The master a replica points at, resolved to a known node. */
  masterOf(record: NodeRecord): NodeRecord | undefined {
    const address = masterAddressOf(record);
    return address ? this.resolve(address) : undefined;
  }

  /** The node and its masters up to the top of its chain; stops on a cycle or an unknown master. */
  chainOf(record: NodeRecord): NodeRecord[] {
    const chain = [record];
    let current = this.masterOf(record);
    while (current && !chain.includes(current)) {
      chain.push(current);
      current = this.masterOf(current);
    }
    return chain;
  }

  remove(record: NodeRecord): void {
    this.records.delete(record.address);
    for (const [address, r] of this.byAddress) if (r === record) this.byAddress.delete(address);
  }
}

function safeNormalize(address: string): string {
  try {
    return normalizeAddress(address);
  } catch {
    return address;
  }
}
