// Text renderings of a snapshot for the terminal: tree, table and JSON (Mermaid and the labels
// they share with it are electron/shared/topology-text.ts's, since the UI exports Mermaid too).
import { SYNC_CLIENT_KINDS, type Alert, type NodeLoad, type NodeState, type SyncClient, type TopologySnapshot, type TopologyWarning } from '../shared/types';
import { formatBytes, formatOffset, formatSeconds, formatSecondsBehind, formatUtc } from '../shared/format';
import { clean, CYCLE_LAG, CYCLE_LAG_WHY, distinct, lagLabel, roleLabel, stalledAboveText, staleAge, syncLabel } from '../shared/topology-text';
import { troubles } from '../shared/node-index';

export { clean, toMermaid } from '../shared/topology-text';


/** The stable JSON shape of `topology --format json` (documented in the README). */
export function toJson(snapshot: TopologySnapshot): object {
  return {
    takenAt: new Date(snapshot.takenAt).toISOString(),
    pollIntervalMs: snapshot.pollIntervalMs,
    nodes: snapshot.nodes.map((n) => ({
      address: n.address,
      aliases: n.aliases,
      role: n.role,
      reachable: n.reachable,
      remembered: n.remembered,
      lastSeenAt: n.lastSeenAt === null ? null : new Date(n.lastSeenAt).toISOString(),
      master: n.master,
      linkStatus: n.linkStatus,
      offset: n.offset,
      lagBytes: n.lag?.bytesBehindMaster ?? null,
      // In a replication cycle: the lag figures are null, for this reason (not "0").
      lagInCycle: n.lag?.inCycle ?? false,
      lagBytesFromRoot: n.lag?.bytesBehindRoot ?? null,
      lagSeconds: n.lag?.secondsBehind ?? null,
      // lagSeconds is only "at least" that: the replica is older than all of its master's history held.
      lagSecondsIsLowerBound: n.lag?.secondsBehindIsLowerBound ?? false,
      unappliedBytes: n.lag?.unappliedBytes ?? null,
      lastAckSecondsAgo: n.lag?.lastAckSecondsAgo ?? null,
      syncInProgress: n.sync !== null,
      syncPercent: n.sync?.percent ?? null,
      runId: n.runId,
      version: n.version,
      replid: n.replid,
      depth: n.depth,
      error: n.error?.message ?? null,
      errorCode: n.error?.code ?? null,
      stale: n.stale,
      polledAt: n.polledAt === null ? null : new Date(n.polledAt).toISOString(),
      load: loadJson(n.load),
      // A Sentinel: the masters it monitors, and its view of those of this topology.
      ...(n.role === 'sentinel' ? { sentinelMasters: n.sentinelMasters, sentinel: n.sentinel ?? null } : {}),
    })),
    edges: snapshot.edges,
    warnings: snapshot.warnings,
  };
}

/** A node's load with its times as ISO strings, like polledAt (null until read, and on Sentinels). */
function loadJson(load: NodeLoad | null): unknown {
  if (load === null) return null;
  const { persistence } = load;
  return {
    ...load,
    readAt: new Date(load.readAt).toISOString(),
    persistence: persistence === null ? null : { ...persistence, lastSaveAt: persistence.lastSaveAt === null ? null : new Date(persistence.lastSaveAt).toISOString() },
  };
}

/**
 * Each node and each (master, replica) edge once, no edge from a node to itself: a server can
 * list itself or one address twice, and the tree, table and chart must not repeat or loop on it.
 */




function nodeLine(node: NodeState, takenAt: number): string {
  const parts = [node.address, roleLabel(node, takenAt)];
  const age = staleAge(node, takenAt);
  if (node.version) parts.push(node.version);
  const link = node.role === 'replica' && node.reachable ? `link ${node.linkStatus ?? '?'}` : '';
  const offset = node.offset === null ? '' : `offset ${formatOffset(node.offset)}`;
  if (age === null) {
    parts.push(...[link, lagLabel(node), offset].filter(Boolean));
  } else {
    // A stale node's own readings are old and say so; lag from its master's ACK view is current.
    if (node.lag?.basis === 'ack') parts.push(lagLabel(node));
    const own = [link, offset].filter(Boolean);
    if (own.length > 0) parts.push(`last read ${age} ago: ${own.join(', ')}`);
  }
  if (node.remembered) parts.push(`remembered, last seen ${node.lastSeenAt === null ? '?' : new Date(node.lastSeenAt).toISOString()}`);
  if (node.error) parts.push(`— ${node.error.message}`);
  return clean(parts.join('  '));
}

/** A Sentinel's view in one line per master: "orders → 127.0.0.1:6379, quorum 2, CKQUORUM OK, flags s_down, leader …". */
export function sentinelSummary(node: NodeState): string {
  const masters = node.sentinel?.masters ?? [];
  if (masters.length === 0) return node.sentinelMasters.length > 0 ? `monitors ${node.sentinelMasters.map((m) => m.name).join(', ')}` : '';
  return masters
    .map((m) => {
      const flags = m.flags.filter((f) => f !== 'master');
      const parts = [`${m.name} → ${m.address ?? '?'}`, `quorum ${m.quorum ?? '?'}`];
      if (m.ckquorum) parts.push(m.ckquorum.ok ? 'CKQUORUM OK' : 'NO QUORUM');
      if (flags.length > 0) parts.push(`flags ${flags.join(',')}`);
      if (m.failoverState) parts.push(`failover ${m.failoverState}`);
      if (m.leader) parts.push(`leader ${m.leader}`);
      return parts.join(', ');
    })
    .join('; ');
}

/** A master's sync client (a line with port 0), as a leaf of its tree: what it is, since it is no node. */
function syncClientLine(client: SyncClient): string {
  return `${client.ip} (sync client, no port announced: ${SYNC_CLIENT_KINDS})  ${client.state}`;
}

/** The "Sentinels" section under the tree: address, reachability, and its view of each master. */
function sentinelLines(sentinels: readonly NodeState[], takenAt: number): string[] {
  if (sentinels.length === 0) return [];
  return ['', 'Sentinels:', ...sentinels.map((n) => clean(`  ${[n.address, roleLabel(n, takenAt), sentinelSummary(n), n.error ? `— ${n.error.message}` : ''].filter(Boolean).join('  ')}`))];
}

/** An indented tree: each replica under its master, cascades as deeper levels; the Sentinels apart, below it. */
export function toTree(snapshot: TopologySnapshot): string {
  const { nodes: all, edges } = distinct(snapshot);
  const nodes = all.filter((n) => n.role !== 'sentinel');
  const byAddress = new Map(nodes.map((n) => [n.address, n]));
  const children = new Map<string, NodeState[]>();
  for (const edge of edges) {
    const child = byAddress.get(edge.replica);
    if (!child || !byAddress.has(edge.master)) continue;
    const list = children.get(edge.master);
    if (list) list.push(child);
    else children.set(edge.master, [child]);
  }
  const hasParent = new Set(edges.filter((e) => byAddress.has(e.master)).map((e) => e.replica));
  const lines: string[] = [];
  const seen = new Set<string>();
  const walk = (node: NodeState, prefix: string, last: boolean, top: boolean): void => {
    if (seen.has(node.address)) {
      lines.push(`${prefix}${last ? '└─ ' : '├─ '}${node.address} (cycle)`);
      return;
    }
    seen.add(node.address);
    const line = nodeLine(node, snapshot.takenAt);
    lines.push(top ? line : `${prefix}${last ? '└─ ' : '├─ '}${line}`);
    const kids = children.get(node.address) ?? [];
    const childPrefix = top ? '' : `${prefix}${last ? '   ' : '│  '}`;
    const clients = node.reachable ? node.syncClients : [];
    kids.forEach((kid, i) => walk(kid, childPrefix, i === kids.length - 1 && clients.length === 0, false));
    clients.forEach((client, i) => lines.push(clean(`${childPrefix}${i === clients.length - 1 ? '└─ ' : '├─ '}${syncClientLine(client)}`)));
  };
  for (const node of nodes) if (!hasParent.has(node.address)) walk(node, '', true, true);
  for (const node of nodes) if (!seen.has(node.address)) walk(node, '', true, true);
  const sentinels = sentinelLines(all.filter((n) => n.role === 'sentinel'), snapshot.takenAt);
  return [...lines, ...sentinels, ...warningLines(snapshot.warnings)].join('\n');
}

export function warningLines(warnings: TopologyWarning[]): string[] {
  if (warnings.length === 0) return [];
  // The same finding reported twice is printed once; what a headline explains is indented under it.
  const lines = [...new Set(warnings.flatMap((w) => [block(`  ! ${w.code}: `, w.message), ...(w.folded ?? []).map((f) => block(`      ${f.code}: `, f.message))]))];
  return ['', 'Warnings:', ...lines];
}

/**
 * A message on its own lines (an interrupted plan's report has several), each cleaned; the lines
 * after the first indented under it, so none can pass for a warning of its own (its '?' in place
 * of each line break read as garbage).
 */
function block(head: string, message: string): string {
  const indent = ' '.repeat(head.indexOf(':') + 2);
  return message
    .split(/\r?\n/)
    .map((line, i) => clean(i === 0 ? `${head}${line}` : `${indent}${line}`))
    .join('\n');
}


const COLUMNS = ['NODE', 'ROLE', 'LINK', 'OFFSET', 'LAG', 'LAG (s)', 'SYNC', 'NOTE'] as const;

/** The live table of `watch`. */
/**
 * What is wrong with a node, in a few words, or null when it is healthy: unreachable, stale,
 * link down, syncing, lagging, or named by a warning (not by a mere risk).
 */
export function problemOf(node: NodeState, snapshot: TopologySnapshot): string | null {
  if (!node.reachable) return 'unreachable';
  if (staleAge(node, snapshot.takenAt) !== null) return 'stale';
  if (node.role === 'replica' && node.linkStatus === 'down') return 'link down';
  if (node.sync) return 'full sync';
  if (snapshot.edges.some((e) => e.replica === node.address && e.health === 'lagging')) {
    // In step with its own master, which receives nothing: "lagging" beside 0 B read as a contradiction.
    return node.lag?.behindBecauseOf ? `stalled above (${node.lag.behindBecauseOf} not read)` : 'lagging';
  }
  const warned = snapshot.warnings.find((w) => troubles(w, node.address));
  return warned ? warned.code : null;
}

/**
 * `watch --problems`: one summary line, then only the nodes that are not healthy (as the table
 * shows them) and the warnings. On a healthy topology, the summary line alone.
 */
export function toProblems(snapshot: TopologySnapshot): string {
  const { nodes } = distinct(snapshot);
  const problems = nodes.flatMap((n) => {
    const problem = problemOf(n, snapshot);
    return problem ? [{ node: n, problem }] : [];
  });
  const warnings = snapshot.warnings.length;
  const summary = clean(
    `${new Date(snapshot.takenAt).toLocaleTimeString()}  ${nodes.length} nodes: ${nodes.length - problems.length} healthy` +
      (problems.length > 0 ? `, ${problems.length} not (${problems.map((p) => `${p.node.address} ${p.problem}`).join(', ')})` : '') +
      (warnings > 0 ? `; ${warnings} warning${warnings === 1 ? '' : 's'}` : ''),
  );
  const rows = problems.length > 0 ? ['', ...nodeRows(problems.map((p) => p.node), snapshot.takenAt)] : [];
  return [summary, ...rows, ...warningLines(snapshot.warnings)].join('\n');
}

export function toTable(snapshot: TopologySnapshot): string {
  const { nodes } = distinct(snapshot);
  const takenAt = snapshot.takenAt;
  const stale = nodes.filter((n) => staleAge(n, takenAt) !== null);
  const oldest = stale.reduce((max, n) => Math.max(max, takenAt - (n.polledAt ?? takenAt)), 0);
  const staleNote = stale.length === 0 ? '' : `, ${stale.length} STALE (oldest ${formatSeconds(Math.floor(oldest / 1000))})`;
  const header = `${new Date(takenAt).toLocaleTimeString()}  ${nodes.length} nodes, polled every ${snapshot.pollIntervalMs} ms${staleNote}`;
  return [header, '', ...nodeRows(nodes, takenAt), ...warningLines(snapshot.warnings)].join('\n');
}

/** The watch table's column header, one row per node, and the footnotes those rows need. */
function nodeRows(nodes: readonly NodeState[], takenAt: number): string[] {
  // A stale node's own readings (link, offset, lag from offsets) are old: shown in brackets.
  const old = (n: NodeState, text: string): string => (text !== '' && text !== '—' && staleAge(n, takenAt) !== null ? `(${text})` : text);
  const rows = nodes.map((n) => [
    `${'  '.repeat(Math.min(n.depth ?? 0, 6))}${n.address}`,
    roleLabel(n, takenAt),
    old(n, n.role === 'replica' && n.reachable ? (n.linkStatus ?? '?') : ''),
    old(n, n.offset === null ? '—' : formatOffset(n.offset)),
    lagCell(n, old),
    secondsCell(n, old),
    n.sync ? syncLabel(n.sync) : '',
    n.error?.message ?? (n.role === 'sentinel' ? sentinelSummary(n) : n.lag?.inCycle ? CYCLE_LAG_WHY : n.lag?.behindBecauseOf ? stalledAboveText(n.lag) : ''),
  ]);
  const widths = COLUMNS.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: readonly string[]): string =>
    clean(cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
  const footnotes = [
    ...(rows.some((r) => (r[4] ?? '').endsWith('*')) ? ['* from the master\'s last ACK: the replica itself cannot be read'] : []),
    ...(rows.some((r) => /\^\)?$/.test(r[4] ?? '')) ? ['^ to its own master, which receives nothing itself (NOTE says from where)'] : []),
    ...(nodes.some((n) => staleAge(n, takenAt) !== null) ? ['(…) last reading of a STALE node: reachable, but not read for 3 poll intervals'] : []),
  ];
  return [format(COLUMNS), ...rows.map(format), ...footnotes];
}

/** The LAG cell: bytes behind its master, marked when from the master's last ACK (*) or held back above (^); none in a cycle. */
function lagCell(n: NodeState, old: (n: NodeState, text: string) => string): string {
  const lag = n.lag;
  if (!lag) return '';
  if (lag.inCycle) return CYCLE_LAG;
  if (lag.basis === 'ack') return `${formatBytes(lag.bytesBehindMaster)}*`;
  return old(n, `${formatBytes(lag.bytesBehindMaster)}${lag.behindBecauseOf ? '^' : ''}`);
}

/** The LAG TIME cell: seconds behind its master ("at least" for a bound), current when from the master's last ACK; none in a cycle. */
function secondsCell(n: NodeState, old: (n: NodeState, text: string) => string): string {
  const lag = n.lag;
  if (!lag) return '';
  if (lag.inCycle) return '—';
  const text = formatSecondsBehind(lag.secondsBehind, lag.secondsBehindIsLowerBound);
  return lag.basis === 'ack' ? text : old(n, text);
}

/** When an alert line happened: the incident's start when it fired, its end when it resolved (UTC, to the second). */
function alertTime(at: number): string {
  return `${formatUtc(at)}Z`;
}

/** `watch --alerts`, table format: one line per alert that fired or resolved. */
export function alertLine(alert: Alert, change: 'fired' | 'resolved'): string {
  const at = change === 'fired' ? alert.startedAt : (alert.resolvedAt ?? alert.startedAt);
  const what = change === 'fired' ? 'FIRING  ' : 'RESOLVED';
  return clean(`${alertTime(at)}  ${what}  ${alert.rule.padEnd(16)}  ${(alert.node ?? 'topology').padEnd(21)}  ${alert.message}${alert.muted ? '  (muted)' : alert.state === 'acknowledged' ? '  (acknowledged)' : ''}`);
}

/** `watch --alerts --format json`: one object per line, the alert as the API gives it with its change. */
export function alertJson(alert: Alert, change: 'fired' | 'resolved'): string {
  return JSON.stringify({
    type: change,
    at: new Date(change === 'fired' ? alert.startedAt : (alert.resolvedAt ?? alert.startedAt)).toISOString(),
    ...alert,
    startedAt: new Date(alert.startedAt).toISOString(),
    resolvedAt: alert.resolvedAt === null ? null : new Date(alert.resolvedAt).toISOString(),
    acknowledgedAt: alert.acknowledgedAt === null ? null : new Date(alert.acknowledgedAt).toISOString(),
  });
}
