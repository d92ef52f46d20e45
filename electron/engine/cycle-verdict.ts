// A replication cycle (A → B → A) takes no writes, and in Redis 7.0 each of its nodes refuses to
// serve a sync while its own link is down (NOMASTERLINK): whatever only one of them holds stays
// there until the cycle is broken, and breaking it at the wrong node throws it away (the others
// replace their data with that node's in a full sync). CYCLE used to say only that the cycle
// existed, while SYNC_FAILING told each node to wait for its master's link, which points around
// the cycle. Here the CYCLE headline says which node holds the most data, by offsets within one
// history (REDIS-REPLICATION.md, "Lag, correctly"), and the one REPLICAOF NO ONE that loses nothing.
import type { NodeState, TopologyWarning, WarningCode } from '../shared/types';
import { nodesByAddress } from '../shared/node-index';
import { formatBytes } from '../shared/format';
import { holdsHistoryOf } from './replication-rules';
import { persistenceOff } from './replication-settings';

/** Warnings about a node of a cycle, or below one, that the cycle explains: folded under its CYCLE headline. */
const FOLDED_UNDER_CYCLE: ReadonlySet<WarningCode> = new Set<WarningCode>(['SYNC_FAILING', 'BACKLOG_EXCEEDED', 'STALLED_UPSTREAM']);

const count = new Intl.NumberFormat('en');

/**
 * The loop `address`'s chain of masters runs into, in replication order from where it enters
 * (each node replicates from the next); null when the chain ends at a root or an unknown node.
 */
export function loopAbove(address: string, byAddress: ReadonlyMap<string, NodeState>): string[] | null {
  const seen: string[] = [];
  for (let at: string | null = address; at !== null; at = byAddress.get(at)?.master ?? null) {
    const first = seen.indexOf(at);
    if (first >= 0) return seen.slice(first);
    seen.push(at);
  }
  return null;
}

/**
 * Each CYCLE headline with its verdict (who holds the most data, what breaks the cycle without
 * losing it), and the warnings of its nodes and of those below them folded under it. A node
 * replicating from itself is a cycle of one, judged by the same rules: it got no advice at all.
 */
export function cycleVerdicts(warnings: readonly TopologyWarning[], states: readonly NodeState[]): TopologyWarning[] {
  const headlines = warnings.filter((w) => w.code === 'CYCLE' && w.nodes.length > 0);
  if (headlines.length === 0) return [...warnings];
  const byAddress = nodesByAddress(states);
  let rest = [...warnings];
  for (const headline of headlines) {
    const loop = headline.nodes;
    const family = familyOf(loop, states, byAddress);
    const folded = rest.filter((w) => w !== headline && FOLDED_UNDER_CYCLE.has(w.code) && w.nodes.every((a) => family.has(a)));
    const verdict = verdictOf(loop, [...family].map((a) => byAddress.get(a)), byAddress);
    const more = folded.length === 0 ? '' : `. ${folded.length} more ${folded.length === 1 ? 'warning follows' : 'warnings follow'} from this`;
    const merged: TopologyWarning = { ...headline, message: `${headline.message}. ${verdict}${more}`, ...(folded.length > 0 ? { folded } : {}) };
    rest = rest.filter((w) => !folded.includes(w)).map((w) => (w === headline ? merged : w));
  }
  return rest;
}

/** The loop's nodes, then every node whose chain of masters runs into it. */
function familyOf(loop: readonly string[], states: readonly NodeState[], byAddress: ReadonlyMap<string, NodeState>): Set<string> {
  const family = new Set(loop);
  const first = loop[0];
  for (const s of states) {
    if (family.has(s.address) || !s.master) continue;
    const above = loopAbove(s.address, byAddress);
    if (above && first !== undefined && above.includes(first)) family.add(s.address);
  }
  return family;
}

/** A node read with a position in a history. */
interface Read {
  node: NodeState;
  replid: string;
  offset: number;
}

function readOf(node: NodeState | undefined): Read | null {
  if (!node?.reachable || node.replid === null || node.offset === null) return null;
  return { node, replid: node.replid, offset: node.offset };
}

/**
 * Nothing at all: offset 0 or 1 of a replication ID of its own, no previous one, and nothing
 * loaded from its own files (no persistence, or its last load read 0 keys). A replica restarted
 * without its data shows this, and so does one that never synced. One restarted from an AOF, or an
 * RDB without its replication ID, shows the same offset with keys in it: that one cannot be
 * compared by offset, and is not said to hold nothing (the Promote plan counts its keys).
 */
function holdsNoHistory(r: Read): boolean {
  if (r.node.replid2 !== null || r.offset > 1) return false;
  return persistenceOff(r.node.settings) === true || r.node.settings?.loadedKeys === 0;
}

/** Whether everything `other` holds by replication is in `keeper`'s history, up to its offset. */
function covers(keeper: Read, other: Read): boolean {
  return holdsNoHistory(other) || holdsHistoryOf(keeper.node, other);
}

const short = (replid: string): string => `${replid.slice(0, 8)}…`;

/** What the operator needs: who holds the most, the REPLICAOF NO ONE that loses nothing, and which would lose data. */
function verdictOf(loop: readonly string[], members: readonly (NodeState | undefined)[], byAddress: ReadonlyMap<string, NodeState>): string {
  const reads: Read[] = [];
  const unread: string[] = [];
  for (const m of members) {
    if (!m) continue;
    const r = readOf(m);
    if (r) reads.push(r);
    else unread.push(m.address);
  }
  const caveat =
    unread.length === 0
      ? ''
      : ` ${unread.join(', ')} could not be read (what ${unread.length === 1 ? 'it holds is' : 'they hold is'} not counted): check ${unread.length === 1 ? 'its' : 'their'} master_repl_offset before choosing.`;
  if (reads.length === 0) return `The console could not read any of them: it cannot say which holds the most data.${caveat}`;
  const keepers = reads.filter((k) => reads.every((o) => covers(k, o)));
  const inLoopAddress = (address: string): boolean => loop.includes(address);
  const inLoop = (r: Read): boolean => inLoopAddress(r.node.address);
  // The same data on several: one in the loop breaks it in one step, and its order decides the rest.
  const keeper = keepers.find(inLoop) ?? keepers[0];
  if (!keeper) return diverged(reads, loop) + caveat;
  const others = reads.filter((o) => o !== keeper && inLoop(o));
  const relations = others.map((o) => `${o.node.address} ${relationTo(keeper, o)}`);
  const k = keeper.node.address;
  // A node replicating from itself: what it kept, and the two ways out (it is a master, or it is a replica of some other node).
  const self = loop.length === 1;
  const holds =
    self && inLoop(keeper)
      ? holdsNoHistory(keeper)
        ? `${k} holds nothing by replication (offset ${count.format(keeper.offset)} of a history of its own: it restarted without its data, or never synced)`
        : `${k} keeps the data it had (offset ${count.format(keeper.offset)} of history ${short(keeper.replid)})`
      : reads.length > 1 && reads.every(holdsNoHistory)
      ? `None of them holds anything by replication (offset 0 or 1, a history of its own each: restarted without their data, or never synced)`
      : keepers.length === reads.length && reads.length > 1
      ? `They all hold the same data (offset ${count.format(keeper.offset)} of history ${short(keeper.replid)}): breaking it at any of them loses nothing`
      : `${k} holds the most data (offset ${count.format(keeper.offset)} of history ${short(keeper.replid)})${relations.length > 0 ? `; ${relations.join('; ')}` : ''}`;
  const entry = inLoop(keeper) ? null : entryOf(k, loop, byAddress);
  const nothing = unread.length === 0 ? 'lose nothing' : 'lose nothing the console could read';
  const below = [...members].some((m) => m !== undefined && !inLoopAddress(m.address));
  const action = entry
    ? `REPLICAOF NO ONE on ${k} (Promote), then make ${entry} a replica of ${k}: ${self ? `the nodes below ${entry}` : 'the other nodes of the cycle'} follow through it and ${nothing}`
    : self
      ? `REPLICAOF NO ONE on ${k} (Promote) if it should be a master: it takes writes again${below ? ' and the nodes below it receive them' : ''}, and ${unread.length === 0 ? 'nothing is lost' : 'nothing the console could read is lost'}. ` +
        `If it should be a replica, point it at its master instead (REPLICAOF <host> <port> on ${k}, or Replicate from in its menu): a partial sync where ${k} lies on that master's history, else a full sync that replaces its data with the master's`
      : `REPLICAOF NO ONE on ${k} (Promote): the others replicate from it again, directly or through each other, and ${nothing}`;
  const losers = reads.filter((o) => inLoop(o) && !covers(o, keeper)).map((o) => o.node.address);
  const notThem =
    losers.length === 0
      ? ''
      : ` Do not promote ${losers.join(' or ')} instead: ${k} would then take ${losers.length === 1 ? 'its' : "that node's"} data in a full sync, and what only ${k} holds would be lost.`;
  return (
    `${holds} → ${action}. Persist it with CONFIG REWRITE on ${k}: a replicaof line left in a configuration file brings ${self ? 'it' : 'a cycle'} back at the next restart.` +
    notThem +
    caveat
  );
}

/** How `other` stands against `keeper`, which holds all it has. */
function relationTo(keeper: Read, other: Read): string {
  if (holdsNoHistory(other) && !(other.replid === keeper.replid && other.offset === keeper.offset)) {
    return `holds nothing of it (offset ${count.format(other.offset)} of a history of its own: it restarted without its data, or never synced)`;
  }
  const behind = keeper.offset - other.offset;
  return behind === 0 ? 'holds the same' : `is ${formatBytes(behind)} behind it (offset ${count.format(other.offset)})`;
}

/** The node of the loop `address`'s chain runs into. */
function entryOf(address: string, loop: readonly string[], byAddress: ReadonlyMap<string, NodeState>): string | null {
  const seen = new Set<string>();
  for (let at: string | null = address; at !== null && !seen.has(at); at = byAddress.get(at)?.master ?? null) {
    if (loop.includes(at)) return at;
    seen.add(at);
  }
  return null;
}

/** No node holds all the others have: where their histories went apart, and what keeping one costs. */
function diverged(reads: readonly Read[], loop: readonly string[]): string {
  const forks: string[] = [];
  const past = new Map<Read, number>();
  for (const p of reads) {
    if (p.node.replid2 === null || p.node.secondReplOffset === null) continue;
    const at = p.node.secondReplOffset - 1;
    for (const m of reads) {
      if (m === p || m.replid !== p.node.replid2 || m.offset <= at) continue;
      forks.push(
        `${p.node.address} was promoted off ${m.node.address}'s history at offset ${count.format(at)}, and since then ${m.node.address} has ${formatBytes(m.offset - at)} and ${p.node.address} ${formatBytes(p.offset - at)} of writes the other lacks`,
      );
      past.set(p, Math.max(past.get(p) ?? 0, p.offset - at));
      past.set(m, Math.max(past.get(m) ?? 0, m.offset - at));
    }
  }
  const described = forks.length > 0 ? forks.join('; ') : `their histories are unrelated (${reads.map((r) => `${r.node.address} at offset ${count.format(r.offset)} of ${short(r.replid)}`).join(', ')}), so the console cannot compare them by offset`;
  const most = [...past].filter(([r]) => loop.includes(r.node.address)).sort((a, b) => b[1] - a[1])[0]?.[0];
  return (
    `No node holds all the data: ${described}. Whichever you keep, what only the others hold is lost when they sync from it (a full sync): ` +
    `copy what you need from them first (none of them takes writes meanwhile), then REPLICAOF NO ONE on the one you keep` +
    `${most ? ` (${most.node.address} holds the most past where they went apart)` : ''}, and CONFIG REWRITE on it.`
  );
}
