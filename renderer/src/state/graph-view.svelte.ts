// How the graph of one topology is folded and where it looks: which subtrees are collapsed
// (the defaults, and what the user chose on each card), the node table's rows, and the node a
// search or a table row asked to bring into view. One per ConsoleState, so per topology tab,
// kept across ticks (not across restarts: a fresh start folds by the defaults again).
/* eslint-disable svelte/prefer-svelte-reactivity --
   Every Map and Set here is built whole inside $derived (or assigned whole to $state.raw) and never mutated. */
import { untrack } from 'svelte';
import { detached } from '../lib/detached.svelte';
import type { Address } from '../../../electron/shared/types';
import { childrenOf, collapsedAbove, collapsedMasters, defaultCollapsed, foldSubtrees, type Folded, type Link } from '../lib/graph-collapse';
import { isStale } from '../lib/freshness';
import { fromListKey, listKey } from '../lib/keys';
import { isProblem, nodeStatus, topologyOrder, type NodeRow } from '../lib/node-table';
import { troubles } from '../../../electron/shared/node-index';
import type { ConsoleState } from './console-state.svelte';

export class GraphView {
  /** What the user chose per master (true: collapsed); a master not in here follows the default. */
  choices = $state.raw<ReadonlyMap<Address, boolean>>(new Map());
  /** The node a search or the table asked to show; `seq` tells two asks for one node apart. */
  focusRequest = $state.raw<{ address: Address; seq: number } | null>(null);
  /** The node a search found, outlined until the search is cleared or another node is selected. */
  found = $state<Address | null>(null);
  /**
   * The graph is zoomed out past reading (set by the canvas): cards show their address and state
   * large, and leave the rest of their content out instead of hiding it.
   */
  far = $state(false);
  /**
   * A picture of the graph is being taken: the cards are drawn whole whatever the zoom, as the
   * picture shows them at one pixel per unit (exported at fit view, it held only each card's
   * address and state, and the zoomed-out buttons).
   */
  exporting = $state(false);

  readonly #cs: ConsoleState;
  #seq = 0;

  constructor(cs: ConsoleState) {
    this.#cs = cs;
  }

  /** Topology order and depth: follows the structure only, not every tick's new node objects. */
  readonly #order: { address: Address; depth: number }[] = $derived.by(() => {
    void this.#cs.structureKey;
    return untrack(() =>
      topologyOrder(
        this.#cs.drawnNodes.map((n) => n.address),
        this.#cs.edges,
      ),
    );
  });

  /** Last tick's rows: a row whose figures did not change is the same object again. */
  #previousRows = new Map<Address, NodeRow>();

  /**
   * One row per drawn node, in topology order, with live figures. Rebuilt each tick, but a row
   * equal to the previous tick's keeps its identity, so the table and the cards reading it skip
   * the nodes that did not change (structural sharing, as xyflow's store does for its nodes).
   */
  readonly rows: NodeRow[] = $derived.by(() => {
    const cs = this.#cs;
    const byAddress = new Map(cs.drawnNodes.map((n) => [n.address, n]));
    const previous = this.#previousRows;
    const next = new Map<Address, NodeRow>();
    const rows = this.#order.flatMap(({ address, depth }, i) => {
      const node = byAddress.get(address);
      if (!node) return [];
      // As the card counts them: it says UNREACHABLE in words already.
      const shown = (cs.warningsByNode.get(address) ?? []).filter((w) => w.code !== 'UNREACHABLE');
      const health = cs.edgeByReplica.get(address)?.health ?? null;
      const status = nodeStatus(node, health, cs.isNodeStale(node));
      const problemWarnings = shown.filter((w) => troubles(w, address)).length;
      const row: NodeRow = {
        address,
        role: node.role,
        status,
        lagBytes: node.lag?.bytesBehindMaster ?? null,
        lagSeconds: node.lag?.secondsBehind ?? null,
        lagSecondsLowerBound: node.lag?.secondsBehindIsLowerBound ?? false,
        lagInCycle: node.lag?.inCycle ?? false,
        offset: node.offset,
        master: node.master,
        warnings: shown.length,
        problemWarnings,
        // Its own state: stale by the engine's reading, not because this page lost the server.
        problem: isProblem(nodeStatus(node, health, isStale(node)), problemWarnings),
        runId: node.runId,
        depth,
        order: i,
      };
      const before = previous.get(address);
      const kept = before && sameRow(before, row) ? before : row;
      next.set(address, kept);
      return [kept];
    });
    this.#previousRows = next;
    return rows;
  });

  readonly rowByAddress: ReadonlyMap<Address, NodeRow> = $derived(new Map(this.rows.map((r) => [r.address, r])));

  /** The problem nodes, as a key: equal from tick to tick while the same nodes are in trouble. */
  readonly problemKey: string = $derived(listKey(this.rows.filter((r) => r.problem).map((r) => r.address).sort()));
  readonly problems: ReadonlySet<Address> = $derived(new Set(fromListKey(this.problemKey)));

  /** The replication links, rebuilt only when the structure changes (a tick brings new edge objects every time). */
  readonly links: Link[] = $derived.by(() => {
    void this.#cs.structureKey;
    return untrack(() => this.#cs.edges.map((e) => ({ master: e.master, replica: e.replica })));
  });

  readonly collapsed: ReadonlySet<Address> = $derived(collapsedMasters(defaultCollapsed(childrenOf(this.links)), this.choices));
  readonly collapsedKey: string = $derived(listKey([...this.collapsed].sort()));
  readonly folded: Folded = $derived(foldSubtrees(this.links, this.collapsed, this.problems));

  /** The graph lays itself out again when this changes, and only then. */
  readonly layoutKey: string = $derived.by(() => listKey([this.#cs.structureKey, this.problemKey, this.collapsedKey]));

  isCollapsed(master: Address): boolean {
    return this.collapsed.has(master);
  }

  toggle(master: Address): void {
    const next = new Map(this.choices);
    next.set(master, !this.collapsed.has(master));
    this.choices = next;
  }

  /** Expands every collapsed subtree `address` sits in, selects it and asks the graph to centre it. */
  focus(address: Address): void {
    const above = collapsedAbove(address, this.links, this.collapsed);
    if (above.length > 0 && this.folded.hidden.has(address)) {
      const next = new Map(this.choices);
      for (const master of above) next.set(master, false);
      this.choices = next;
    }
    this.#cs.select(address);
    this.#seq += 1;
    this.focusRequest = { address, seq: this.#seq };
  }
}

/** Field by field; for-in walks the keys without the array Object.keys makes for each row on each tick. */
function sameRow(a: NodeRow, b: NodeRow): boolean {
  for (const key in b) if (a[key as keyof NodeRow] !== b[key as keyof NodeRow]) return false;
  return true;
}

const views = new WeakMap<ConsoleState, GraphView>();

/** The graph view of a topology (its ConsoleState), made on first use. */
export function graphViewOf(cs: ConsoleState): GraphView {
  let view = views.get(cs);
  if (!view) {
    // Made by the first component that asks, used by others after it is gone.
    view = detached(() => new GraphView(cs));
    views.set(cs, view);
  }
  return view;
}
