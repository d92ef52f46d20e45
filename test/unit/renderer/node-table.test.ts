import { describe, expect, it } from 'vitest';
import {
  filterRows,
  isProblem,
  NO_FILTER,
  nextSort,
  nodeStatus,
  problemsFirst,
  searchNodes,
  sortRows,
  topologyOrder,
  type NodeRow,
} from '../../../renderer/src/lib/node-table';

function row(address: string, over: Partial<NodeRow> = {}): NodeRow {
  const r = { address, role: 'replica' as const, status: 'live' as const, lagBytes: 0, lagSeconds: 0, lagSecondsLowerBound: false, lagInCycle: false, offset: 100, master: 'm:1', warnings: 0, runId: null, depth: 1, order: 0, ...over };
  const problemWarnings = r.problemWarnings ?? r.warnings;
  return { problemWarnings, problem: isProblem(r.status, problemWarnings), ...r };
}

const rows: NodeRow[] = [
  // A master with a mere risk (no persistence): counted in warnings, not a problem.
  row('m:1', { role: 'master', master: null, depth: 0, order: 0, lagBytes: null, lagSeconds: null, offset: 500, warnings: 1, problemWarnings: 0 }),
  row('r:3', { order: 1, lagBytes: 2048, lagSeconds: 3, status: 'stale' }),
  row('r:1', { order: 2, lagBytes: 10, lagSeconds: 0.2 }),
  row('r:2', { order: 3, lagBytes: null, lagSeconds: null, status: 'unreachable' }),
  row('r:4', { order: 4, warnings: 2, runId: 'abcdef0123' }),
];
const addresses = (list: NodeRow[]): string[] => list.map((r) => r.address);

describe('node table sort', () => {
  it('keeps topology order when unsorted', () => {
    expect(addresses(sortRows([...rows].reverse(), null))).toEqual(['m:1', 'r:3', 'r:1', 'r:2', 'r:4']);
  });
  it('sorts by state worst first, ties by address', () => {
    expect(addresses(sortRows(rows, { key: 'status', dir: 'asc' }))).toEqual(['r:2', 'r:3', 'm:1', 'r:1', 'r:4']);
  });
  it('sorts by lag both ways with unknown figures last either way', () => {
    expect(addresses(sortRows(rows, { key: 'lagBytes', dir: 'desc' }))).toEqual(['r:3', 'r:1', 'r:4', 'm:1', 'r:2']);
    expect(addresses(sortRows(rows, { key: 'lagBytes', dir: 'asc' }))).toEqual(['r:4', 'r:1', 'r:3', 'm:1', 'r:2']);
  });
  it('sorts an "at least" lag in seconds as further behind than any exact figure, whatever its number', () => {
    // r:9 is older than all of its master's history (10 ms old): at least 10 ms, in fact maybe minutes.
    const withBound = [...rows, row('r:9', { order: 5, lagBytes: 143, lagSeconds: 0.01, lagSecondsLowerBound: true })];
    expect(addresses(sortRows(withBound, { key: 'lagSeconds', dir: 'desc' }))).toEqual(['r:9', 'r:3', 'r:1', 'r:4', 'm:1', 'r:2']);
    expect(addresses(sortRows(withBound, { key: 'lagSeconds', dir: 'asc' }))).toEqual(['r:4', 'r:1', 'r:3', 'r:9', 'm:1', 'r:2']);
  });
  it('sorts by text columns and warnings', () => {
    expect(addresses(sortRows(rows, { key: 'address', dir: 'desc' }))).toEqual(['r:4', 'r:3', 'r:2', 'r:1', 'm:1']);
    expect(sortRows(rows, { key: 'warnings', dir: 'desc' })[0]!.address).toBe('r:4');
  });
  it('cycles a header: ascending, descending, topology order', () => {
    const one = nextSort(null, 'lagBytes');
    expect(one).toEqual({ key: 'lagBytes', dir: 'asc' });
    const two = nextSort(one, 'lagBytes');
    expect(two).toEqual({ key: 'lagBytes', dir: 'desc' });
    expect(nextSort(two, 'lagBytes')).toBeNull();
    expect(nextSort(two, 'role')).toEqual({ key: 'role', dir: 'asc' });
  });
});

describe('node table filter', () => {
  it('filters by role, state, problems and text', () => {
    expect(addresses(filterRows(rows, { ...NO_FILTER, role: 'master' }))).toEqual(['m:1']);
    expect(addresses(filterRows(rows, { ...NO_FILTER, status: 'unreachable' }))).toEqual(['r:2']);
    expect(addresses(filterRows(rows, { ...NO_FILTER, status: 'problems' }))).toEqual(['r:3', 'r:2', 'r:4']);
    expect(addresses(filterRows(rows, { ...NO_FILTER, text: ' R:1 ' }))).toEqual(['r:1']);
    // The master's address finds its replicas too; a run id by its start (4 characters or more).
    expect(filterRows(rows, { ...NO_FILTER, text: 'm:1' })).toHaveLength(5);
    expect(addresses(filterRows(rows, { ...NO_FILTER, text: 'ABCD' }))).toEqual(['r:4']);
    expect(filterRows(rows, { ...NO_FILTER, text: 'nothing' })).toEqual([]);
  });
});

describe('node state in one word', () => {
  const up = { reachable: true, linkStatus: 'up' as const, sync: null };
  it('says the worst thing first', () => {
    expect(nodeStatus({ ...up, reachable: false }, 'down', true)).toBe('unreachable');
    // Paused: its master has not heard from it (edge down), and it does not answer: stale, not link down.
    expect(nodeStatus(up, 'down', true)).toBe('stale');
    expect(nodeStatus(up, 'down', false)).toBe('link-down');
    expect(nodeStatus({ ...up, linkStatus: 'down' }, 'down', false)).toBe('link-down');
    expect(nodeStatus(up, 'up', true)).toBe('stale');
    expect(nodeStatus(up, 'syncing', false)).toBe('syncing');
    expect(nodeStatus(up, 'lagging', false)).toBe('live');
    expect(nodeStatus({ ...up, linkStatus: null }, null, false)).toBe('live');
  });
});

describe('topology order and search', () => {
  it('walks each root then its subtree depth first, siblings by address, cycles last', () => {
    const order = topologyOrder(['b', 'a', 's', 'x', 'y', 'c1', 'c2'], [
      { master: 'a', replica: 'b' },
      { master: 'b', replica: 's' },
      { master: 'a', replica: 'c2' },
      { master: 'a', replica: 'c1' },
      { master: 'x', replica: 'y' },
      { master: 'y', replica: 'x' },
    ]);
    expect(order).toEqual([
      { address: 'a', depth: 0 },
      { address: 'b', depth: 1 },
      { address: 's', depth: 2 },
      { address: 'c1', depth: 1 },
      { address: 'c2', depth: 1 },
      { address: 'x', depth: 0 },
      { address: 'y', depth: 1 },
    ]);
  });
  it('finds the exact address first, then prefixes, parts and run ids; nothing for blank', () => {
    const nodes = [
      { address: '10.0.0.12:6379', runId: 'ffff' },
      { address: '10.0.0.1:6379', runId: 'aaaa1111' },
      { address: '10.0.0.2:6379', runId: 'bbbb2222' },
    ];
    expect(searchNodes(nodes, '10.0.0.1:6379')).toEqual(['10.0.0.1:6379']);
    expect(searchNodes(nodes, '10.0.0.1')).toEqual(['10.0.0.1:6379', '10.0.0.12:6379']);
    expect(searchNodes(nodes, ':6379')).toHaveLength(3);
    expect(searchNodes(nodes, 'bbbb')).toEqual(['10.0.0.2:6379']);
    expect(searchNodes(nodes, 'bb')).toEqual([]);
    expect(searchNodes(nodes, '   ')).toEqual([]);
  });
});

describe('problemsFirst', () => {
  it('puts the problem nodes first, each part in its own order', () => {
    const items = ['a:1', 'b:1', 'c:1', 'd:1', 'e:1'].map((address) => ({ address }));
    expect(problemsFirst(items, new Set(['d:1', 'b:1'])).map((i) => i.address)).toEqual(['b:1', 'd:1', 'a:1', 'c:1', 'e:1']);
    expect(problemsFirst(items, new Set()).map((i) => i.address)).toEqual(['a:1', 'b:1', 'c:1', 'd:1', 'e:1']);
  });
});
