// Shared by the integration tests: wait for the engine to reach a state, with a deadline.
import type { ReplicationEngine } from '../../electron/engine/engine';
import type { NodeState, TickUpdate, TopologySnapshot } from '../../electron/shared/types';

/** Resolve with the first tick update that satisfies `predicate`, or fail after `timeoutMs`. */
export function waitForTick(
  engine: ReplicationEngine,
  predicate: (update: TickUpdate) => boolean,
  timeoutMs: number,
  what = 'condition',
): Promise<TickUpdate> {
  return new Promise((resolve, reject) => {
    let last: TopologySnapshot | null = engine.snapshot();
    const timer = setTimeout(() => {
      dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last snapshot:\n${describe(last)}`));
    }, timeoutMs);
    const dispose = engine.onTick((update) => {
      last = update.snapshot;
      if (!predicate(update)) return;
      clearTimeout(timer);
      dispose();
      resolve(update);
    });
  });
}

/** Collect every tick for `ms`. */
export function collectTicks(engine: ReplicationEngine, ms: number): Promise<TickUpdate[]> {
  const ticks: TickUpdate[] = [];
  const dispose = engine.onTick((u) => ticks.push(u));
  return new Promise((resolve) =>
    setTimeout(() => {
      dispose();
      resolve(ticks);
    }, ms),
  );
}

export function node(snapshot: TopologySnapshot, address: string): NodeState {
  const found = snapshot.nodes.find((n) => n.address === address || n.aliases.includes(address));
  if (!found) throw new Error(`${address} is not in the snapshot:\n${describe(snapshot)}`);
  return found;
}

export function describe(snapshot: TopologySnapshot | null): string {
  if (!snapshot) return '(none)';
  return snapshot.nodes
    .map((n) => `${n.address} ${n.role} reachable=${n.reachable} master=${n.master} link=${n.linkStatus} offset=${n.offset} lag=${JSON.stringify(n.lag)} error=${n.error?.code ?? ''}`)
    .join('\n');
}

/** Wait until the engine's event log holds an event of `kind` (for `node`, if given). */
export async function waitForEvent(engine: ReplicationEngine, kind: string, timeoutMs: number, nodeAddress?: string): Promise<void> {
  const has = (): boolean => engine.events({ node: nodeAddress, limit: 10_000 }).some((e) => e.kind === kind);
  if (has()) return;
  await waitForTick(engine, has, timeoutMs, `a ${kind} event`);
}
