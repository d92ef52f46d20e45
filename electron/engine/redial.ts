// A node known at several addresses (a port forward and its own port, the address a master lists
// and the one the console dials, an address that changed) is dialled at the one that last
// answered as it. When that one stops answering, this finds which other still does.
import type { ClientRegistry } from './client-registry';
import { parseInfo, parseServer } from './info-parser';
import { gaveNoAnswer, type NodeRecord } from './node-record';
import type { NodeSet } from './node-set';
import type { RememberedNode } from './topology-memory';

/** Addresses asked at once for one node: bounded whatever servers list or memory holds. */
const MAX_ASKED = 8;

/**
 * The address, of those `record` is known by in this session or in topology memory, that answers
 * with the run_id it last answered with, when it gives no answer where it is dialled now; null
 * otherwise. A run_id is one process start: an answer with it is this node, any other answer
 * (another server on that port now, or this one restarted) is not taken for it. The others are
 * asked at once, each bounded by the registry's timeouts; an address that fails keeps its backoff.
 */
export async function answeringAddress(
  registry: ClientRegistry,
  nodes: NodeSet,
  record: NodeRecord,
  remembered: RememberedNode | undefined,
): Promise<string | null> {
  if (record.reachable || record.asSentinel || !gaveNoAnswer(record.error)) return null;
  const runId = record.server?.runId ?? remembered?.runId ?? null;
  if (runId === null) return null;
  const known = [...record.aliases, record.address, ...(remembered ? [remembered.address, ...remembered.aliases] : [])];
  // An address another node of this session holds is that node's to read.
  const others = [...new Set(known)].filter((a) => a !== record.dialledAs && (nodes.resolve(a) ?? record) === record).slice(0, MAX_ASKED);
  if (others.length === 0) return null;
  const answers = await Promise.all(others.map((address) => runIdAt(registry, nodes.dialOf(address))));
  others.forEach((address, i) => {
    // Another server answered there: its connection is not this node's to keep.
    if (answers[i] !== null && answers[i] !== runId) registry.forget(nodes.dialOf(address));
  });
  return others.find((_, i) => answers[i] === runId) ?? null;
}

/** The run_id the server at `dial` answers with, or null when nothing answers (or not with one). */
async function runIdAt(registry: ClientRegistry, dial: string): Promise<string | null> {
  try {
    const text = await registry.run(dial, (client) => client.info('server'));
    return parseServer(parseInfo(text).fields).runId;
  } catch {
    return null;
  }
}
