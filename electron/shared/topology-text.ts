// A snapshot as plain text that does not depend on where it is shown: the CLI's tree and table,
// and the Mermaid flowchart that both the CLI (`topology --format mermaid`) and the UI's export
// make. Server-given strings are cleaned of control characters before they are written anywhere.
import type { NodeState, ReplicaLag, SyncProgress, TopologyEdge, TopologySnapshot } from './types';
import { formatBytes, formatSeconds, formatSecondsBehind } from './format';

/**
 * Strip control characters (ANSI escapes, C1 controls) from text that came from a server:
 * INFO fields are attacker-controlled strings and must not drive the user's terminal.
 */
export function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** Each node once and each edge once (a replica listed twice, a self-edge: drawn once, or not at all). */
export function distinct(snapshot: TopologySnapshot): { nodes: NodeState[]; edges: TopologyEdge[] } {
  const byAddress = new Map<string, NodeState>();
  for (const node of snapshot.nodes) if (!byAddress.has(node.address)) byAddress.set(node.address, node);
  const seen = new Set<string>();
  const edges = snapshot.edges.filter((e) => {
    const key = JSON.stringify([e.master, e.replica]);
    if (e.master === e.replica || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { nodes: [...byAddress.values()], edges };
}

/** Reachable, but not read for 3 poll intervals: how old its figures are at the snapshot's time. */
export function staleAge(node: NodeState, takenAt: number): string | null {
  if (!node.stale || !node.reachable) return null;
  if (node.polledAt === null) return 'never read';
  return formatSeconds(Math.max(0, Math.floor((takenAt - node.polledAt) / 1000)));
}

/** The role, or why its figures cannot be trusted (unreachable, stale). */
export function roleLabel(node: NodeState, takenAt: number): string {
  if (!node.reachable) return node.role === 'unknown' ? 'UNREACHABLE' : `${node.role}, UNREACHABLE`;
  const age = staleAge(node, takenAt);
  return age === null ? node.role : `${node.role}, STALE ${age}`;
}

/**
 * A full sync's progress in a few words: "42%", "12 MiB received" (diskless: no total), "loading"
 * once every byte is in (the replica loads the snapshot), "waiting for the snapshot" before the
 * first byte (the master is still writing it). `watch` printed "…" for all but the first.
 */
export function syncLabel(sync: SyncProgress): string {
  const phase = syncPhase(sync);
  if (phase === 'loading') return 'loading';
  if (sync.percent !== null) return `${sync.percent.toFixed(0)}%`;
  return phase === 'transfer' ? `${formatBytes(sync.readBytes)} received` : 'waiting for the snapshot';
}

/**
 * Where a full sync is: 'waiting' before the first byte (the master forks and writes its
 * snapshot, or waits repl-diskless-sync-delay for more replicas), 'transfer' while bytes arrive,
 * 'loading' once every byte is in (the replica flushes its old data and loads the snapshot).
 */
export function syncPhase(sync: SyncProgress): 'waiting' | 'transfer' | 'loading' {
  if (sync.totalBytes !== null && sync.readBytes !== null && sync.readBytes >= sync.totalBytes) return 'loading';
  return (sync.readBytes ?? 0) > 0 || (sync.percent ?? 0) > 0 ? 'transfer' : 'waiting';
}

/**
 * A cycle node's lag in every front end (card, node table, details, CLI, Mermaid): no figure
 * (ReplicaLag.inCycle), this instead. The node ahead read "0 B", as if in step.
 */
export const CYCLE_LAG = 'in a cycle';

/** Why a cycle node has no lag figure: its tooltip, and its note in `watch`. */
export const CYCLE_LAG_WHY =
  'No lag in a replication cycle: no node of it is a source, so none is behind one, and no gap closes until the cycle is broken. The CYCLE warning compares their offsets.';

/** Lag as one phrase: "lag 1.2 KiB (3 s)" ("(at least 3 s)" for a bound), the full sync's progress, or why the lag is not known. */
export function lagLabel(node: NodeState): string {
  const lag = node.lag;
  if (node.sync) return `full sync ${syncLabel(node.sync)}`;
  if (!lag) return '';
  if (lag.inCycle) return `lag — (${CYCLE_LAG}: see CYCLE)`;
  // Nothing reaches it past a node that is not read now: its own "0 B" would read as in sync.
  if (lag.behindBecauseOf !== null && node.linkStatus !== 'up') return `lag unknown (${lag.behindBecauseOf} is not read)`;
  const seconds = lag.secondsBehind === null ? '' : ` (${formatSecondsBehind(lag.secondsBehind, lag.secondsBehindIsLowerBound)})`;
  const basis = lag.basis === 'ack' ? ' from last ACK' : '';
  // In step with its master, which itself receives nothing: "0 B" alone would read as in sync.
  const above = lag.behindBecauseOf === null ? '' : ` to ${node.master ?? 'its master'}; ${stalledAboveText(lag)}`;
  return `lag ${formatBytes(lag.bytesBehindMaster)}${seconds}${basis}${above}`;
}

/** A replica that nothing reaches past a node above it not read now: how far behind the root, when that is known. */
export function stalledAboveText(lag: ReplicaLag): string {
  const root = lag.bytesBehindRoot === null ? 'behind the root by an unknown amount' : `${formatBytes(lag.bytesBehindRoot)} behind the root`;
  return `nothing reaches it past ${lag.behindBecauseOf ?? '?'} (not read): ${root}`;
}

/** A Mermaid flowchart, to paste into a runbook or an incident document. */
export function toMermaid(snapshot: TopologySnapshot): string {
  const { nodes, edges } = distinct(snapshot);
  const ids = new Map(nodes.map((n, i) => [n.address, `n${i}`]));
  // Mermaid's entity codes, "#" first: a server's text with "#60;" in it is shown as typed, not
  // turned into a "<" by Mermaid; "<" and ">" as codes, drawn as text, never HTML.
  const esc = (text: string): string =>
    clean(text).replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#60;').replace(/>/g, '#62;');
  const lines = ['graph TD'];
  for (const node of nodes) {
    const parts = [node.address, roleLabel(node, snapshot.takenAt), node.version ?? '', lagLabel(node)].filter(Boolean);
    lines.push(`  ${ids.get(node.address)}["${parts.map(esc).join('<br/>')}"]`);
  }
  for (const edge of edges) {
    const from = ids.get(edge.master);
    const to = ids.get(edge.replica);
    if (from === undefined || to === undefined) continue;
    const arrow = edge.health === 'down' || edge.health === 'unknown' ? '-.->' : '-->';
    lines.push(`  ${from} ${arrow}|${edge.health}| ${to}`);
  }
  const unreachable = nodes.filter((n) => !n.reachable).map((n) => ids.get(n.address));
  if (unreachable.length > 0) {
    lines.push('  classDef unreachable stroke-dasharray: 5 5,opacity:0.6');
    lines.push(`  class ${unreachable.join(',')} unreachable`);
  }
  // The warnings as comments (not drawn, read in the source): a label says "see CYCLE", and a
  // runbook pasted from this needs the why. One line each: a line break would end the comment.
  for (const w of snapshot.warnings) lines.push(`  %% ${w.code}: ${clean(w.message.replace(/\s*[\r\n]+\s*/g, ' · '))}`);
  return lines.join('\n');
}
