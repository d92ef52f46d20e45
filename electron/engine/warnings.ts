import type { TopologyWarning } from '../shared/types';
import { masterAddressOf, type NodeRecord } from './node-record';
import type { NodeSet } from './node-set';

/** Everything about the topology an operator should know is wrong or risky. */
export function findWarnings(nodes: NodeSet): TopologyWarning[] {
  const records = nodes.all();
  return [
    ...cycles(nodes, records),
    ...multipleMasters(nodes, records),
    ...unknownMasters(nodes, records),
    ...notPointingBack(nodes, records),
    ...unreachable(records),
    ...misplaced(records),
  ];
}

function cycles(nodes: NodeSet, records: NodeRecord[]): TopologyWarning[] {
  const found = new Map<string, NodeRecord[]>();
  for (const start of records) {
    const path: NodeRecord[] = [];
    let current: NodeRecord | undefined = start;
    while (current && !path.includes(current)) {
      path.push(current);
      current = nodes.masterOf(current);
    }
    if (!current) continue;
    const loop = path.slice(path.indexOf(current));
    const key = loop.map((r) => r.address).sort().join(' ');
    if (!found.has(key)) found.set(key, loop);
  }
  return [...found.values()].map((loop) => ({
    code: 'CYCLE',
    message:
      loop.length === 1
        ? `${loop[0]?.address} replicates from itself: it will never receive data`
        : `Replication cycle: ${[...loop, loop[0]].map((r) => r?.address).join(' → ')}. None of these nodes has a master that takes writes`,
    nodes: loop.map((r) => r.address),
  }));
}

function multipleMasters(nodes: NodeSet, records: NodeRecord[]): TopologyWarning[] {
  const masters = records.filter((r) => r.reachable && r.replication?.role === 'master');
  if (masters.length < 2) return [];
  const describe = (m: NodeRecord): string => {
    const replicas = records.filter((r) => nodes.masterOf(r) === m).length;
    return `${m.address} (${replicas === 0 ? 'lone master, no replicas' : `${replicas} replica${replicas === 1 ? '' : 's'}`})`;
  };
  return [
    {
      code: 'MULTIPLE_MASTERS',
      message: `${masters.length} masters in one topology: ${masters.map(describe).join(', ')}. If more than one takes writes, their data diverges (split brain); a lone master may be a replica that restarted without its replicaof setting`,
      nodes: masters.map((m) => m.address),
    },
  ];
}

function unknownMasters(nodes: NodeSet, records: NodeRecord[]): TopologyWarning[] {
  const out: TopologyWarning[] = [];
  for (const record of records) {
    const pointsAt = masterAddressOf(record);
    if (!pointsAt) continue;
    const master = nodes.resolve(pointsAt);
    if (master?.reachable) continue;
    const why = master?.error?.message ?? 'it has not been reached yet';
    out.push({
      code: 'UNKNOWN_MASTER',
      message: `${record.address} replicates from ${pointsAt}, which the console cannot reach: ${why}`,
      nodes: [record.address, master?.address ?? pointsAt],
    });
  }
  return out;
}

function notPointingBack(nodes: NodeSet, records: NodeRecord[]): TopologyWarning[] {
  const out: TopologyWarning[] = [];
  for (const master of records) {
    if (!master.reachable) continue;
    for (const listed of master.replication?.replicas ?? []) {
      const replica = nodes.resolve(listed.address);
      if (!replica?.reachable || !replica.replication) continue;
      const itsMaster = nodes.masterOf(replica);
      if (itsMaster === master) continue;
      const actually = itsMaster?.address ?? masterAddressOf(replica) ?? 'no master (it is a master itself)';
      out.push({
        code: 'NOT_POINTING_BACK',
        message: `${master.address} lists ${listed.address} as its replica, but that node replicates from ${actually}`,
        nodes: [master.address, replica.address],
      });
    }
  }
  return out;
}

function unreachable(records: NodeRecord[]): TopologyWarning[] {
  return records
    .filter((r) => !r.reachable && r.error)
    .map((r) => ({
      code: r.error?.code === 'UNREACHABLE' && !r.server ? 'ADDRESS_MISMATCH' : 'UNREACHABLE',
      message:
        r.error?.code === 'UNREACHABLE' && !r.server
          ? `${r.error.message}. It was never reached: if this address is only valid inside another network (NAT, Docker), map it to one the console can dial`
          : (r.error?.message ?? `${r.address} is unreachable`),
      nodes: [r.address],
    }));
}

function misplaced(records: NodeRecord[]): TopologyWarning[] {
  const out: TopologyWarning[] = [];
  for (const r of records) {
    if (r.server?.mode === 'sentinel') {
      const monitored = r.sentinelMasters.map((m) => `${m.name} at ${m.address ?? '?'}`).join(', ');
      out.push({
        code: 'SENTINEL_SEED',
        message: `${r.address} is a Redis Sentinel, not a data node${monitored ? ` (it monitors ${monitored})` : ''}`,
        nodes: [r.address],
      });
    } else if (r.clusterEnabled || r.server?.mode === 'cluster') {
      out.push({
        code: 'CLUSTER_MODE',
        message: `${r.address} runs in cluster mode: its replicas are managed with CLUSTER REPLICATE, not REPLICAOF`,
        nodes: [r.address],
      });
    }
  }
  return out;
}
