// The one way a tick's node becomes a history point: the engine stores it, the renderer
// appends it between loads, so both sides chart the same thing.
import type { HistoryPoint, NodeState } from './types';

/**
 * The point a tick at `t` contributes for one node. An unreachable or stale node has no
 * offset and no load figures (a gap: its last reading is old, drawing it again would show it as
 * current; a stopped node's ops/s ran on flat to the chart's edge) but may still have lag,
 * estimated by the engine from its master's view of the last ACK. A node read now has the load
 * figures last read (they are read every few polls).
 */
export function historyPointOf(node: NodeState, t: number): HistoryPoint {
  const current = node.reachable && !node.stale;
  const load = current ? node.load : null;
  return {
    t,
    offset: current ? node.offset : null,
    lagBytes: node.lag?.bytesBehindMaster ?? null,
    lagSeconds: node.lag?.secondsBehind ?? null,
    opsPerSecond: load?.opsPerSecond ?? null,
    netInputBytesPerSecond: load?.netInputBytesPerSecond ?? null,
    netOutputBytesPerSecond: load?.netOutputBytesPerSecond ?? null,
    usedMemoryBytes: load?.usedMemoryBytes ?? null,
  };
}
