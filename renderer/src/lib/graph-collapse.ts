// Subtrees folded into one summary card. A master with dozens of replicas drew dozens of cards
// too small to read at fit view; folded, it draws one card that says how many, the worst lag
// and how many are in trouble. Problem nodes are never folded away: they stay drawn beside the
// summary (with the chain above them), so the one stalled replica is a readable card, not a
// number, and the other forty-nine healthy ones do not come back just because it stalled.
import type { Address } from '../../../electron/shared/types';
import { addToGroup } from '../../../electron/shared/group';
import { GRID_FROM } from './graph-grid';

/**
 * A master with more direct replicas than this starts collapsed. Up to 12 cards fit a typical
 * graph panel (about 1100 × 450 px) at a zoom where the card text is still 9 px or more; beyond
 * that fit view shrinks them past reading.
 */
export const COLLAPSE_OVER = 12;

export interface Link {
  master: Address;
  replica: Address;
}

/** Everything below `root` (not `root`), through any depth; a cycle stops where it closes. */
export function descendantsOf(root: Address, children: ReadonlyMap<Address, readonly Address[]>): Address[] {
  const out: Address[] = [];
  const seen = new Set<Address>([root]);
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (seen.has(next)) continue;
    seen.add(next);
    out.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return out;
}

export function childrenOf(links: readonly Link[]): Map<Address, Address[]> {
  const map = new Map<Address, Address[]>();
  for (const l of links) if (l.master !== l.replica) addToGroup(map, l.master, l.replica);
  return map;
}

/**
 * A graph that would still draw more cards than this starts with more subtrees collapsed. A
 * hundred nodes as 9 masters of 10 drew 100 cards at a fit-view zoom of 0.2, every word about
 * 5 px; folded to 19 cards, the fit view reads (the far view's words at 9 px or more).
 */
export const DRAWN_OVER = 30;

/**
 * Masters that start collapsed: those with more than `over` direct replicas; then, while the graph
 * would still draw more than `drawnOver` cards, the subtrees from the bottom up, one height at a
 * time (every master whose replicas are all leaves, then the masters of those, and so on), so
 * the upper levels stay drawn and every subtree of a height looks the same. Only masters with
 * a collapse button (GRID_FROM replicas or more) fold this way, and never a root: a root
 * folded leaves one summary card for the whole topology.
 */
export function defaultCollapsed(
  children: ReadonlyMap<Address, readonly Address[]>,
  over = COLLAPSE_OVER,
  drawnOver = DRAWN_OVER,
): Set<Address> {
  const out = new Set([...children].filter(([, list]) => list.length > over).map(([master]) => master));
  const nodes = new Set<Address>();
  for (const [master, list] of children) for (const a of [master, ...list]) nodes.add(a);
  const hasMaster = new Set([...children.values()].flat());
  const heights = subtreeHeights(children);
  const top = Math.max(0, ...heights.values());
  for (let height = 1; height <= top && drawnCards(nodes, children, out) > drawnOver; height++) {
    for (const [master, list] of children) {
      if (heights.get(master) === height && list.length >= GRID_FROM && hasMaster.has(master)) out.add(master);
    }
  }
  return out;
}

/** How many cards the graph draws with `collapsed` folded and no problem kept apart: nodes not hidden, plus one summary per fold. */
function drawnCards(nodes: ReadonlySet<Address>, children: ReadonlyMap<Address, readonly Address[]>, collapsed: ReadonlySet<Address>): number {
  const hidden = new Set<Address>();
  for (const master of collapsed) for (const below of descendantsOf(master, children)) hidden.add(below);
  let summaries = 0;
  for (const master of collapsed) if (!hidden.has(master) && (children.get(master)?.length ?? 0) > 0) summaries++;
  return nodes.size - hidden.size + summaries;
}

/** Each master's height: 1 when its replicas are all leaves, one more than its highest replica otherwise. A cycle counts each node once. */
function subtreeHeights(children: ReadonlyMap<Address, readonly Address[]>): Map<Address, number> {
  const heights = new Map<Address, number>();
  const visiting = new Set<Address>();
  const heightOf = (at: Address): number => {
    const known = heights.get(at);
    if (known !== undefined) return known;
    const list = children.get(at) ?? [];
    if (list.length === 0 || visiting.has(at)) return 0;
    visiting.add(at);
    let height = 0;
    for (const replica of list) height = Math.max(height, heightOf(replica) + 1);
    visiting.delete(at);
    heights.set(at, height);
    return height;
  };
  for (const master of children.keys()) heightOf(master);
  return heights;
}

/** The defaults, overridden by what the user chose on each card (true: collapsed). */
export function collapsedMasters(defaults: ReadonlySet<Address>, choices: ReadonlyMap<Address, boolean>): Set<Address> {
  const out = new Set(defaults);
  for (const [master, collapsed] of choices) {
    if (collapsed) out.add(master);
    else out.delete(master);
  }
  return out;
}

export interface Folded {
  /** In the subtree of a collapsed master and not drawn. */
  hidden: Set<Address>;
  /** Per collapsed, drawn master: every node below it (drawn or not). */
  summaries: Map<Address, Address[]>;
}

/** What collapsing hides: every descendant of a collapsed master but the problems and the chain from the master down to each. */
export function foldSubtrees(links: readonly Link[], collapsed: ReadonlySet<Address>, problems: ReadonlySet<Address>): Folded {
  const children = childrenOf(links);
  const parents = new Map<Address, Address[]>();
  for (const l of links) if (l.master !== l.replica) addToGroup(parents, l.replica, l.master);
  const hidden = new Set<Address>();
  const below = new Map<Address, Address[]>();
  for (const master of [...collapsed].sort()) {
    const members = descendantsOf(master, children);
    if (members.length === 0) continue;
    below.set(master, members);
    const inside = new Set(members);
    const keep = new Set<Address>();
    for (const p of members) {
      if (!problems.has(p)) continue;
      // Up from the problem to the collapsed master: the chain it hangs from stays drawn.
      const stack = [p];
      while (stack.length > 0) {
        const at = stack.pop()!;
        if (keep.has(at) || !inside.has(at)) continue;
        keep.add(at);
        stack.push(...(parents.get(at) ?? []));
      }
    }
    for (const m of members) if (!keep.has(m)) hidden.add(m);
  }
  const summaries = new Map<Address, Address[]>();
  for (const [master, members] of below) if (!hidden.has(master) && members.some((m) => hidden.has(m))) summaries.set(master, members);
  return { hidden, summaries };
}

/** The collapsed masters above `address` (to expand so a search can show it). */
export function collapsedAbove(address: Address, links: readonly Link[], collapsed: ReadonlySet<Address>): Address[] {
  const parents = new Map<Address, Address[]>();
  for (const l of links) if (l.master !== l.replica) addToGroup(parents, l.replica, l.master);
  const out: Address[] = [];
  const seen = new Set<Address>([address]);
  const stack = [...(parents.get(address) ?? [])];
  while (stack.length > 0) {
    const at = stack.pop()!;
    if (seen.has(at)) continue;
    seen.add(at);
    if (collapsed.has(at)) out.push(at);
    stack.push(...(parents.get(at) ?? []));
  }
  return out;
}
