// Drag-and-drop answers: for every node of the snapshot, could it become `node`'s new master,
// and if not, why. Instant and pure (no network): the full plan re-checks everything fresh.
import type { MoveCandidate } from '../../shared/actions';
import type { NodeState, TopologySnapshot } from '../../shared/types';
import { EngineError } from '../errors';
import { clusterNodes, compareVersions, descendantsOf, findNode } from './graph';
import { predictResync } from './resync';

/** Every other node of the snapshot as a possible new master for `address`. */
export function moveCandidates(snapshot: TopologySnapshot, address: string): MoveCandidate[] {
  const node = findNode(snapshot, address);
  if (!node) throw new EngineError('BAD_ARGUMENT', `${address} is not a node of this topology`);
  const cluster = clusterNodes(snapshot);
  const below = new Set(descendantsOf(snapshot, node.address));
  const blockedByNode = nodeProblem(node, cluster);
  return snapshot.nodes
    .filter((n) => n !== node)
    .map((candidate) => {
      const reason = blockedByNode ?? candidateProblem(snapshot, node, candidate, cluster, below);
      return {
        address: candidate.address,
        valid: reason === null,
        reason,
        warning: reason === null ? caveat(node, candidate) : null,
      };
    });
}

function nodeProblem(node: NodeState, cluster: Set<string>): string | null {
  if (node.role === 'sentinel') return `${node.address} is a Sentinel, not a data node`;
  if (cluster.has(node.address)) return `${node.address} runs in cluster mode (use CLUSTER REPLICATE)`;
  if (!node.reachable) return `${node.address} is unreachable${node.error ? `: ${node.error.message}` : ''}`;
  if (isFailingOver(node)) return `a FAILOVER is in progress on ${node.address}`;
  return null;
}

function candidateProblem(
  snapshot: TopologySnapshot,
  node: NodeState,
  candidate: NodeState,
  cluster: Set<string>,
  below: Set<NodeState>,
): string | null {
  if (candidate.role === 'sentinel') return 'a Sentinel, not a data node';
  if (cluster.has(candidate.address)) return 'runs in cluster mode';
  if (!candidate.reachable) return `unreachable${candidate.error ? `: ${candidate.error.message}` : ''}`;
  if (candidate.role === 'unknown') return 'its role is unknown';
  if (below.has(candidate)) {
    const direct = candidate.master !== null && findNode(snapshot, candidate.master) === node;
    return `would create a cycle: it replicates from ${node.address}${direct ? '' : ' (through other replicas)'}`;
  }
  if (node.master !== null && findNode(snapshot, node.master) === candidate) return 'already its master';
  if (isFailingOver(candidate)) return 'a FAILOVER is in progress there';
  return null;
}

function caveat(node: NodeState, candidate: NodeState): string | null {
  const notes: string[] = [];
  const sync = predictResync(node, candidate, { replica: node.address, master: candidate.address });
  if (sync.expected !== 'partial') notes.push(`full sync expected, ${sync.why}: ${node.address}'s data is flushed`);
  if (compareVersions(node.version, candidate.version) < 0) notes.push(`${node.address} runs ${node.version}, older than ${candidate.version}`);
  if (candidate.role === 'replica' && candidate.linkStatus !== 'up') notes.push(`${candidate.address}'s own link to its master is down`);
  if (node.role === 'master') notes.push(`${node.address} is a master now: it stops taking writes`);
  return notes.length > 0 ? notes.join('; ') : null;
}

function isFailingOver(node: NodeState): boolean {
  return node.failoverState !== null && node.failoverState !== 'no-failover';
}
