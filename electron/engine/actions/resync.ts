// Will a replica pointed at a new master get a partial resync or a full one? Redis's own
// PSYNC test (replication-rules.ts psyncVerdict) applied to the facts, said in words. The
// facts must be read in the right order: the replica before its new master (preflight.ts).
import type { ResyncPrediction } from '../../shared/actions';
import type { ReplicationBacklog } from '../../shared/types';
import { psyncVerdict } from '../replication-rules';

/** The replication state the prediction needs; NodeState and NodeFacts both have it. */
export interface ReplState {
  replid: string | null;
  replid2: string | null;
  offset: number | null;
  secondReplOffset: number | null;
  backlog: ReplicationBacklog | null;
}

export type Resync = Pick<ResyncPrediction, 'expected' | 'why'>;

/** The replid afterPromotion gives a node about to be promoted: not a real one, so never shown as an ID. */
const PROMOTED_PREFIX = 'promoted-';
const short = (id: string | null): string => (id === null ? '?' : id.startsWith(PROMOTED_PREFIX) ? 'the new one its promotion makes' : `${id.slice(0, 8)}…`);

/** Predict the sync `replica` gets from `master` as both stand now (the rules: replication-rules.ts psyncVerdict). */
export function predictResync(replica: ReplState, master: ReplState, names = { replica: 'the replica', master: 'the new master' }): Resync {
  if (replica.replid === null || replica.offset === null || master.replid === null) {
    return { expected: 'unknown', why: `the replication ids or offsets could not be read` };
  }
  const verdict = psyncVerdict({ replid: replica.replid, offset: replica.offset }, master);
  if (verdict.accepted) {
    const { behind } = verdict;
    return {
      expected: 'partial',
      why: `same history${verdict.via === 'replid2' ? ' (through replid2)' : ''}, ${behind === 0 ? 'no bytes' : `${behind} bytes`} to catch up, inside ${names.master}'s backlog`,
    };
  }
  const first = master.backlog?.firstByteOffset ?? 0;
  const end = first + (master.backlog?.histlen ?? 0);
  switch (verdict.reason) {
    case 'past-replid2':
      return {
        expected: 'full',
        why: `${names.replica} is ${verdict.bytes} bytes AHEAD of where its history and ${names.master}'s part, at offset ${(master.secondReplOffset ?? 1) - 1}`,
      };
    case 'different-history': {
      // Promoted off this very master (a split brain, a mistaken REPLICAOF NO ONE): what it took since is its alone.
      const forkedAt = replica.secondReplOffset === null ? null : replica.secondReplOffset - 1;
      if (replica.replid2 !== null && forkedAt !== null && (replica.replid2 === master.replid || replica.replid2 === master.replid2)) {
        const own = Math.max(0, replica.offset - forkedAt);
        return {
          expected: 'full',
          why:
            `${names.replica} left ${names.master}'s history at offset ${forkedAt} (it was promoted) and has taken ${own} bytes of its own stream since: ` +
            `${own > 0 ? 'writes made there exist nowhere else and are lost with its data; copy what you need from it first' : 'nothing of its own yet'}`,
        };
      }
      return {
        expected: 'full',
        why:
          `a different replication history: ${names.replica} has replid ${short(replica.replid)}, ${names.master} has ${short(master.replid)}` +
          `${master.replid2 ? ` and ${short(master.replid2)} before it` : ''}`,
      };
    }
    case 'no-backlog':
      return { expected: 'full', why: `${names.master} has no replication backlog` };
    case 'before-backlog':
      return {
        expected: 'full',
        why: `${names.replica} is ${verdict.bytes} bytes older than ${names.master}'s backlog keeps: its offset is ${replica.offset}, the backlog starts at ${first}`,
      };
    case 'ahead':
      return { expected: 'full', why: `${names.replica} is ${verdict.bytes} bytes AHEAD of ${names.master}: its offset ${replica.offset} is past ${names.master}'s ${end - 1}` };
  }
}

/** The state a node takes after REPLICAOF NO ONE: a new replid, the old one kept as replid2 up to offset + 1. */
export function afterPromotion(node: ReplState): ReplState {
  return {
    replid: node.replid === null ? null : `${PROMOTED_PREFIX}${node.replid}`,
    replid2: node.replid,
    offset: node.offset,
    secondReplOffset: node.offset === null ? null : node.offset + 1,
    backlog: node.backlog ?? (node.offset === null ? null : { active: true, size: 0, firstByteOffset: node.offset + 1, histlen: 0 }),
  };
}
