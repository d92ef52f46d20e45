// NodeRecords filled the way a poll fills them, from INFO text through the real parser, for
// unit tests of the node set and the warnings (no server involved).
import { parseInfo, parseReplication, parseServer } from '../../electron/engine/info-parser';
import type { NodeRecord } from '../../electron/engine/node-record';

export interface ReadAs {
  /** A replica of this address; otherwise a master. */
  master?: string;
  /** The master's replica lines, by address. */
  replicas?: string[];
  runId?: string;
  /** Extra INFO replication lines, verbatim. */
  extra?: string;
}

/** `slaveN:` lines for these addresses. */
export function replicaLines(addresses: string[]): string {
  return addresses
    .map((address, i) => {
      const colon = address.lastIndexOf(':');
      return `slave${i}:ip=${address.slice(0, colon)},port=${address.slice(colon + 1)},state=online,offset=1,lag=0`;
    })
    .join('\n');
}

/** Mark `record` as just read: a master listing `replicas`, or a replica of `master`. */
export function read(record: NodeRecord, as: ReadAs = {}): NodeRecord {
  const role = as.master
    ? `role:slave\nmaster_host:${as.master.slice(0, as.master.lastIndexOf(':'))}\nmaster_port:${as.master.slice(as.master.lastIndexOf(':') + 1)}\nmaster_link_status:up`
    : `role:master\n${replicaLines(as.replicas ?? [])}`;
  const parsed = parseInfo(`# Replication\n${role}\n${as.extra ?? ''}\n`);
  record.replication = parseReplication(parsed);
  if (parsed.cuts) record.infoCuts.replication = parsed.cuts;
  record.server = parseServer(parseInfo(`run_id:${as.runId ?? `run-${record.address}`}\nredis_version:7.0.15`).fields);
  record.reachable = true;
  record.error = null;
  record.unreachableSince = null;
  record.polls++;
  return record;
}

/** Mark `record` as dialled and refused, never reached. */
export function refused(record: NodeRecord): NodeRecord {
  record.reachable = false;
  record.error = { code: 'UNREACHABLE', message: `${record.address}: connection refused` };
  record.unreachableSince = 0;
  return record;
}
