// Will a replica pointed at a new master get a partial resync or a full one? The same test
// Redis runs in masterTryPartialResynchronization: the replica asks for (replid, offset + 1);
// the master accepts when that replid is its own, or its previous one (replid2) up to
// second_repl_offset, and the offset lies inside its backlog.
import type { ResyncPrediction } from '../../shared/actions';
import type { ReplicationBacklog } from '../../shared/types';

/** The replication state the prediction needs; NodeState and NodeFacts both have it. */
export interface ReplState {
  replid: string | null;
  replid2: string | null;
  offset: number | null;
  secondReplOffset: number | null;
  backlog: ReplicationBacklog | null;
}

export type Resync = Pick<ResyncPrediction, 'expected' | 'why'>;

const short = (id: string | null): string => (id ? `${id.slice(0, 8)}…` : '?');

/** Predict the sync `replica` gets from `master` as both stand now. */
export function predictResync(replica: ReplState, master: ReplState, names = { replica: 'the replica', master: 'the new master' }): Resync {
  if (replica.replid === null || replica.offset === null || master.replid === null) {
    return { expected: 'unknown', why: `the replication ids or offsets could not be read` };
  }
  const psync = replica.offset + 1;
  const ownHistory = replica.replid === master.replid;
  const previousHistory =
    master.replid2 !== null && replica.replid === master.replid2 && master.secondReplOffset !== null && psync <= master.secondReplOffset;
  if (!ownHistory && !previousHistory) {
    const why =
      master.replid2 !== null && replica.replid === master.replid2
        ? `${names.replica} is ${psync - (master.secondReplOffset ?? 0)} bytes AHEAD of where ${names.master}'s history left theirs (offset ${(master.secondReplOffset ?? 1) - 1})`
        : `different replication history (${names.replica} has replid ${short(replica.replid)}, ${names.master} ${short(master.replid)}` +
          `${master.replid2 ? ` / ${short(master.replid2)}` : ''})`;
    return { expected: 'full', why };
  }
  const backlog = master.backlog;
  if (!backlog || !backlog.active) return { expected: 'full', why: `${names.master} has no replication backlog` };
  const first = backlog.firstByteOffset;
  const end = first + backlog.histlen;
  if (psync < first) {
    return {
      expected: 'full',
      why: `${names.replica} is ${first - psync} bytes older than ${names.master}'s backlog keeps (offset ${replica.offset}, backlog starts at ${first})`,
    };
  }
  if (psync > end) {
    return { expected: 'full', why: `${names.replica} is ${psync - end} bytes AHEAD of ${names.master} (offset ${replica.offset} > ${end - 1})` };
  }
  const behind = end - psync;
  return {
    expected: 'partial',
    why: `same history${previousHistory ? ' (through replid2)' : ''}, ${behind === 0 ? 'no bytes' : `${behind} bytes`} to catch up, inside ${names.master}'s backlog`,
  };
}

/** The state a node takes after REPLICAOF NO ONE: a new replid, the old one kept as replid2 up to offset + 1. */
export function afterPromotion(node: ReplState): ReplState {
  return {
    replid: node.replid === null ? null : `promoted-${node.replid}`,
    replid2: node.replid,
    offset: node.offset,
    secondReplOffset: node.offset === null ? null : node.offset + 1,
    backlog: node.backlog ?? (node.offset === null ? null : { active: true, size: 0, firstByteOffset: node.offset + 1, histlen: 0 }),
  };
}
