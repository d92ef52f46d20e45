// A Sentinel's view of the masters of this topology, read on its poll right after its INFO:
// SENTINEL MASTER (flags, quorum, epochs, failover state), CKQUORUM, and the replicas and other
// Sentinels it knows (which is how the console finds them). One pipelined round trip.
import type { ClientRegistry } from './client-registry';
import {
  flagsOf,
  instanceAddress,
  parseCkquorum,
  parseInstances,
  parseSentinelMaster,
  type SentinelMasterFacts,
} from './sentinel-parser';

/** One master as one Sentinel sees it. */
export interface SentinelMasterReading {
  name: string;
  facts: SentinelMasterFacts | null;
  ckquorum: { ok: boolean; message: string } | null;
  /** The replicas it lists, with their flags (s_down, disconnected, …). */
  replicas: { address: string; flags: string[] }[];
  /** The other Sentinels of this master, with their IDs. */
  sentinels: { address: string; id: string | null }[];
}

/** What the last read of a Sentinel gave. */
export interface SentinelReading {
  /** SENTINEL MYID: what its events and hello messages call it (null when refused or before 6.2). */
  id: string | null;
  masters: SentinelMasterReading[];
}

type Reply = [Error | null, unknown];

/** Read `names` from the Sentinel at `dial`. Rejects (an EngineError) only when the Sentinel cannot be read at all. */
export async function readSentinel(registry: ClientRegistry, dial: string, names: readonly string[]): Promise<SentinelReading> {
  return registry.run(dial, async (client) => {
    const pipeline = client.pipeline();
    pipeline.call('SENTINEL', 'MYID');
    for (const name of names) {
      pipeline.call('SENTINEL', 'MASTER', name);
      pipeline.call('SENTINEL', 'CKQUORUM', name);
      pipeline.call('SENTINEL', 'REPLICAS', name);
      pipeline.call('SENTINEL', 'SENTINELS', name);
    }
    const replies = ((await pipeline.exec()) ?? []) as Reply[];
    return sentinelReading(names, replies);
  });
}

/** The reading from the pipeline's replies (MYID, then MASTER, CKQUORUM, REPLICAS, SENTINELS per name). */
export function sentinelReading(names: readonly string[], replies: readonly Reply[]): SentinelReading {
  const value = (i: number): unknown => {
    const reply = replies[i];
    return !reply ? undefined : (reply[0] ?? reply[1]);
  };
  const id = value(0);
  const masters = names.map((name, k): SentinelMasterReading => {
    const at = 1 + 4 * k;
    const replicas = parseInstances(value(at + 2)).flatMap((fields) => {
      const address = instanceAddress(fields);
      return address ? [{ address, flags: flagsOf(fields) }] : [];
    });
    const sentinels = parseInstances(value(at + 3)).flatMap((fields) => {
      const address = instanceAddress(fields);
      return address ? [{ address, id: fields.runid || null }] : [];
    });
    return { name, facts: parseSentinelMaster(value(at)), ckquorum: parseCkquorum(value(at + 1)), replicas, sentinels };
  });
  return { id: typeof id === 'string' && id.length > 0 ? id : null, masters };
}

/** Data nodes a reading names that are worth dialling: each master, and its replicas Sentinel does not hold down. */
export function dataAddressesOf(reading: SentinelReading | null): string[] {
  const out: string[] = [];
  for (const m of reading?.masters ?? []) {
    if (m.facts?.address) out.push(m.facts.address);
    for (const r of m.replicas) if (!r.flags.includes('s_down') && !r.flags.includes('o_down')) out.push(r.address);
  }
  return out;
}

/** The other Sentinels a reading names. */
export function sentinelAddressesOf(reading: SentinelReading | null): string[] {
  return (reading?.masters ?? []).flatMap((m) => m.sentinels.map((s) => s.address));
}
