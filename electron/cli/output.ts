// Text renderings of a snapshot for the terminal: tree, table, Mermaid and JSON.
import type { NodeState, TopologySnapshot, TopologyWarning } from '../shared/types';
import { formatBytes, formatOffset, formatSeconds } from '../shared/format';

/**
 * Strip control characters (ANSI escapes, C1 controls) from text that came from a server:
 * INFO fields are attacker-controlled strings and must not drive the user's terminal.
 */
export function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

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
      master: n.master,
      linkStatus: n.linkStatus,
      offset: n.offset,
      lagBytes: n.lag?.bytesBehindMaster ?? null,
      lagBytesFromRoot: n.lag?.bytesBehindRoot ?? null,
      lagSeconds: n.lag?.secondsBehind ?? null,
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
    })),
    edges: snapshot.edges,
    warnings: snapshot.warnings,
  };
}

function roleLabel(node: NodeState): string {
  if (!node.reachable) return node.role === 'unknown' ? 'UNREACHABLE' : `${node.role}, UNREACHABLE`;
  return node.role;
}

function lagLabel(node: NodeState): string {
  const lag = node.lag;
  if (node.sync) return `full sync ${node.sync.percent === null ? '' : `${node.sync.percent.toFixed(0)}%`}`.trim();
  if (!lag) return '';
  const seconds = lag.secondsBehind === null ? '' : ` (${formatSeconds(lag.secondsBehind)})`;
  const basis = lag.basis === 'ack' ? ' from last ACK' : '';
  return `lag ${formatBytes(lag.bytesBehindMaster)}${seconds}${basis}`;
}

function nodeLine(node: NodeState): string {
  const parts = [node.address, roleLabel(node)];
  if (node.version) parts.push(node.version);
  if (node.role === 'replica' && node.reachable) parts.push(`link ${node.linkStatus ?? '?'}`);
  const lag = lagLabel(node);
  if (lag) parts.push(lag);
  if (node.offset !== null) parts.push(`offset ${formatOffset(node.offset)}`);
  if (node.error) parts.push(`— ${node.error.message}`);
  return clean(parts.join('  '));
}

/** An indented tree: each replica under its master, cascades as deeper levels. */
export function toTree(snapshot: TopologySnapshot): string {
  const children = new Map<string, NodeState[]>();
  const known = new Set(snapshot.nodes.map((n) => n.address));
  for (const edge of snapshot.edges) {
    const child = snapshot.nodes.find((n) => n.address === edge.replica);
    if (child) children.set(edge.master, [...(children.get(edge.master) ?? []), child]);
  }
  const hasParent = new Set(snapshot.edges.filter((e) => known.has(e.master)).map((e) => e.replica));
  const lines: string[] = [];
  const seen = new Set<string>();
  const walk = (node: NodeState, prefix: string, last: boolean, top: boolean): void => {
    if (seen.has(node.address)) {
      lines.push(`${prefix}${last ? '└─ ' : '├─ '}${node.address} (cycle)`);
      return;
    }
    seen.add(node.address);
    lines.push(top ? nodeLine(node) : `${prefix}${last ? '└─ ' : '├─ '}${nodeLine(node)}`);
    const kids = children.get(node.address) ?? [];
    const childPrefix = top ? '' : `${prefix}${last ? '   ' : '│  '}`;
    kids.forEach((kid, i) => walk(kid, childPrefix, i === kids.length - 1, false));
  };
  for (const node of snapshot.nodes) if (!hasParent.has(node.address)) walk(node, '', true, true);
  for (const node of snapshot.nodes) if (!seen.has(node.address)) walk(node, '', true, true);
  return [...lines, ...warningLines(snapshot.warnings)].join('\n');
}

export function warningLines(warnings: TopologyWarning[]): string[] {
  if (warnings.length === 0) return [];
  return ['', 'Warnings:', ...warnings.map((w) => clean(`  ! ${w.code}: ${w.message}`))];
}

/** A Mermaid flowchart, to paste into a runbook or an incident document. */
export function toMermaid(snapshot: TopologySnapshot): string {
  const ids = new Map(snapshot.nodes.map((n, i) => [n.address, `n${i}`]));
  const esc = (text: string): string => clean(text).replace(/"/g, '#quot;').replace(/[<>]/g, '');
  const lines = ['graph TD'];
  for (const node of snapshot.nodes) {
    const parts = [node.address, roleLabel(node), node.version ?? '', lagLabel(node)].filter(Boolean);
    lines.push(`  ${ids.get(node.address)}["${parts.map(esc).join('<br/>')}"]`);
  }
  for (const edge of snapshot.edges) {
    const arrow = edge.health === 'down' ? '-.->' : '-->';
    lines.push(`  ${ids.get(edge.master)} ${arrow}|${edge.health}| ${ids.get(edge.replica)}`);
  }
  const unreachable = snapshot.nodes.filter((n) => !n.reachable).map((n) => ids.get(n.address));
  if (unreachable.length > 0) {
    lines.push('  classDef unreachable stroke-dasharray: 5 5,opacity:0.6');
    lines.push(`  class ${unreachable.join(',')} unreachable`);
  }
  return lines.join('\n');
}

const COLUMNS = ['NODE', 'ROLE', 'LINK', 'OFFSET', 'LAG', 'LAG (s)', 'SYNC', 'NOTE'] as const;

/** The live table of `watch`. */
export function toTable(snapshot: TopologySnapshot): string {
  const rows = snapshot.nodes.map((n) => [
    `${'  '.repeat(Math.min(n.depth ?? 0, 6))}${n.address}`,
    roleLabel(n),
    n.role === 'replica' && n.reachable ? (n.linkStatus ?? '?') : '',
    n.offset === null ? '—' : formatOffset(n.offset),
    n.lag ? formatBytes(n.lag.bytesBehindMaster) + (n.lag.basis === 'ack' ? '*' : '') : '',
    n.lag ? formatSeconds(n.lag.secondsBehind) : '',
    n.sync ? `${n.sync.percent === null ? '…' : `${n.sync.percent.toFixed(0)}%`}` : '',
    n.error?.message ?? '',
  ]);
  const widths = COLUMNS.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: readonly string[]): string =>
    clean(cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
  const header = `${new Date(snapshot.takenAt).toLocaleTimeString()}  ${snapshot.nodes.length} nodes, polled every ${snapshot.pollIntervalMs} ms`;
  const footnote = rows.some((r) => (r[4] ?? '').endsWith('*')) ? ['* from the master\'s last ACK: the replica itself cannot be read'] : [];
  return [header, '', format(COLUMNS), ...rows.map(format), ...footnote, ...warningLines(snapshot.warnings)].join('\n');
}
