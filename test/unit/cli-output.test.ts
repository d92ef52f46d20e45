import { describe, expect, it } from 'vitest';
import { clean, toJson, toMermaid, toProblems, toTable, toTree, warningLines } from '../../electron/cli/output';
import { lagLabel, syncLabel } from '../../electron/shared/topology-text';
import type { ListedReplica, NodeState, SyncProgress, TopologySnapshot } from '../../electron/shared/types';
import { inSyncLag, nodeState } from '../helpers/node-state';

const NOW = 1_700_000_000_000;
const M = '127.0.0.1:7000';
const R1 = '127.0.0.1:7001';
const R2 = '127.0.0.1:7002';

function replica(address: string, master: string, overrides: Partial<NodeState> = {}): NodeState {
  return nodeState(address, {
    role: 'replica',
    master,
    linkStatus: 'up',
    depth: 1,
    offset: 5000,
    polledAt: NOW - 200,
    lag: inSyncLag(),
    ...overrides,
  });
}

function snapshot(nodes: NodeState[], edges: TopologySnapshot['edges'], warnings: TopologySnapshot['warnings'] = []): TopologySnapshot {
  return { seq: 1, takenAt: NOW, pollIntervalMs: 1000, nodes, edges, warnings };
}

const listed = (address: string): ListedReplica => ({ address, state: 'online', ackOffset: 5000, ackAgeSeconds: 0 });

describe('clean', () => {
  it('neutralises terminal escapes from server-controlled strings', () => {
    expect(clean('evil\u001b[2J\u001b]0;title\u0007host\u009b')).toBe('evil?[2J?]0;title?host?');
    expect(clean('plain 127.0.0.1:6379')).toBe('plain 127.0.0.1:6379');
  });
});

describe('a stale node (reachable, not read for 3 poll intervals)', () => {
  const stale = replica(R2, M, { stale: true, polledAt: NOW - 7_400, offset: 4000 });
  const snap = snapshot(
    [nodeState(M, { polledAt: NOW - 200, offset: 5000 }), replica(R1, M), stale],
    [
      { master: M, replica: R1, health: 'up' },
      { master: M, replica: R2, health: 'up' },
    ],
  );

  it('says so with its age in its watch row and the header, its old readings in brackets', () => {
    const lines = toTable(snap).split('\n');
    expect(lines[0]).toContain('3 nodes, polled every 1000 ms, 1 STALE (oldest 7 s)');
    const row = lines.find((l) => l.includes(R2)) ?? '';
    expect(row).toContain('replica, STALE 7 s');
    expect(row).toContain('(up)');
    expect(row).toContain('(4,000)');
    const fresh = lines.find((l) => l.includes(R1)) ?? '';
    expect(fresh).not.toContain('STALE');
    expect(fresh).not.toContain('(');
    expect(lines).toContain('(…) last reading of a STALE node: reachable, but not read for 3 poll intervals');
  });

  it('says so in the tree, with the age of its offset, and keeps lag from the ACK view', () => {
    const tree = toTree(snap);
    expect(tree).toContain(`${R2}  replica, STALE 7 s`);
    expect(tree).toContain('last read 7 s ago: link up, offset 4,000');
    const fromAck = toTree(
      snapshot([nodeState(M), replica(R2, M, { stale: true, polledAt: NOW - 4_000, lag: { ...stale.lag!, bytesBehindMaster: 2048, basis: 'ack' } })], [
        { master: M, replica: R2, health: 'up' },
      ]),
    );
    expect(fromAck).toContain('lag 2.0 KiB');
    expect(fromAck).toContain('from last ACK');
  });

  it('is in the JSON with its last poll time', () => {
    const json = toJson(snap) as { nodes: { address: string; stale: boolean; polledAt: string | null }[] };
    expect(json.nodes.find((n) => n.address === R2)).toMatchObject({ stale: true, polledAt: new Date(NOW - 7_400).toISOString() });
    expect(json.nodes.find((n) => n.address === R1)?.stale).toBe(false);
  });

  it('is not called stale once unreachable: that is what it is then', () => {
    const table = toTable(snapshot([replica(R2, M, { stale: true, reachable: false })], []));
    expect(table).toContain('replica, UNREACHABLE');
    expect(table).not.toContain('STALE');
  });
});

describe('servers that list one address twice', () => {
  it('prints a master that lists itself once, with no loop, and its repeated warning once', () => {
    const warning = { code: 'NOT_POINTING_BACK' as const, message: `${M} lists ${M} as its replica`, nodes: [M, M] };
    const snap = snapshot(
      [nodeState(M, { replicas: [listed(M), listed(R1)] }), replica(R1, M)],
      [
        { master: M, replica: M, health: 'up' },
        { master: M, replica: R1, health: 'up' },
      ],
      [warning, warning],
    );
    const tree = toTree(snap);
    expect(tree.split('\n').filter((l) => l.includes(M) && !l.startsWith('  !'))).toHaveLength(1);
    expect(tree).not.toContain('(cycle)');
    expect(tree.split('\n').filter((l) => l.includes('NOT_POINTING_BACK'))).toHaveLength(1);
    expect(toMermaid(snap)).not.toMatch(/n0 -->\|up\| n0/);
  });

  it('prints a node and an edge the snapshot repeats once, in the tree, the table and the chart', () => {
    const snap = snapshot(
      [nodeState(M), replica(R1, M), replica(R1, M)],
      [
        { master: M, replica: R1, health: 'up' },
        { master: M, replica: R1, health: 'up' },
        { master: 'gone:1', replica: R1, health: 'down' },
      ],
    );
    const count = (text: string): number => text.split('\n').filter((l) => l.includes(R1)).length;
    expect(count(toTree(snap))).toBe(1);
    expect(count(toTable(snap))).toBe(1);
    const mermaid = toMermaid(snap);
    expect(mermaid.split('\n').filter((l) => l.includes('-->'))).toEqual(['  n0 -->|up| n1']);
    expect(mermaid).not.toContain('undefined');
  });

  it('draws a hostile announced address in Mermaid as typed: entity codes and arrows escaped, no HTML', () => {
    const hostile = 'h"]-->n0;#60;b#62;<i>x:6379';
    const mermaid = toMermaid(snapshot([nodeState(M), replica(hostile, M)], [{ master: M, replica: hostile, health: 'up' }]));
    const label = mermaid.split('\n').find((l) => l.startsWith('  n1['));
    expect(label?.startsWith('  n1["h#quot;]--#62;n0;#35;60;b#35;62;#60;i#62;x:6379<br/>')).toBe(true);
    expect(label).not.toMatch(/<i>|#60;b/);
    expect(mermaid.split('\n').filter((l) => l.includes('-->|'))).toEqual(['  n0 -->|up| n1']);
  });
});

describe('warningLines', () => {
  it('prints what a MASTER_DOWN headline explains indented under it', () => {
    const lines = warningLines([
      {
        code: 'MASTER_DOWN',
        message: `${M} down since 10:00:00; 2 replicas orphaned → fail over`,
        nodes: [M, R1, R2],
        folded: [{ code: 'UNKNOWN_MASTER', message: `${R1} replicates from ${M}, which cannot be reached`, nodes: [R1] }],
      },
    ]);
    expect(lines).toEqual(['', 'Warnings:', `  ! MASTER_DOWN: ${M} down since 10:00:00; 2 replicas orphaned → fail over`, `      UNKNOWN_MASTER: ${R1} replicates from ${M}, which cannot be reached`]);
  });

  it("prints a report of several lines (an interrupted plan's) on its own lines, indented under its code, each still cleaned", () => {
    const lines = warningLines([{ code: 'INTERRUPTED_PLAN', message: `Plan 1234: switch over\nRan: s1 ok\n  ! FAKE: \u001b[31mred`, nodes: [M] }]);
    // Its line breaks printed as '?' before.
    expect(lines.slice(2).join('\n').split('\n')).toEqual(['  ! INTERRUPTED_PLAN: Plan 1234: switch over', `${' '.repeat(22)}Ran: s1 ok`, `${' '.repeat(22)}  ! FAKE: ?[31mred`]);
  });
});

describe('watch --problems', () => {
  const master = nodeState(M, { polledAt: NOW - 200, offset: 5000 });
  const edges: TopologySnapshot['edges'] = [
    { master: M, replica: R1, health: 'up' },
    { master: M, replica: R2, health: 'up' },
  ];

  it('a healthy topology is one summary line', () => {
    const text = toProblems(snapshot([master, replica(R1, M), replica(R2, M)], edges));
    expect(text.split('\n')).toHaveLength(1);
    expect(text).toMatch(/ {2}3 nodes: 3 healthy$/);
  });

  it('lists only the nodes that are not healthy, after the summary, and the warnings', () => {
    const down = replica(R2, M, { linkStatus: 'down' });
    const warning = { code: 'UNREACHABLE' as const, message: `${R1}: connection refused`, nodes: [R1] };
    const gone = replica(R1, M, { reachable: false, error: { code: 'UNREACHABLE', message: `${R1}: connection refused` } });
    const text = toProblems(snapshot([master, gone, down], edges, [warning]));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(new RegExp(`3 nodes: 1 healthy, 2 not \\(${R1} unreachable, ${R2} link down\\); 1 warning$`));
    expect(lines.filter((l) => l.includes(M) && !l.startsWith('  !'))).toEqual([]);
    expect(lines.some((l) => l.trim().startsWith(R1))).toBe(true);
    expect(lines.some((l) => l.trim().startsWith(R2))).toBe(true);
    expect(text).toContain(`! UNREACHABLE: ${R1}: connection refused`);
  });

  it('a lagging edge and a warning on a node count as problems; a risk is listed but leaves the node healthy', () => {
    const writable = { code: 'UNKNOWN_MASTER' as const, message: `${R1} replicates from an unknown master`, nodes: [R1] };
    const risk = { code: 'MASTER_NO_PERSISTENCE' as const, message: `Risk (lower than a warning, nothing is wrong yet): ${M} has no persistence`, nodes: [M] };
    const lagging = [{ master: M, replica: R1, health: 'up' as const }, { master: M, replica: R2, health: 'lagging' as const }];
    const text = toProblems(snapshot([master, replica(R1, M), replica(R2, M)], lagging, [writable, risk]));
    expect(text.split('\n')[0]).toMatch(new RegExp(`3 nodes: 1 healthy, 2 not \\(${R1} UNKNOWN_MASTER, ${R2} lagging\\); 2 warnings$`));
    expect(text).toContain('! MASTER_NO_PERSISTENCE: Risk');
    // Risks, nothing wrong yet: a master without persistence, a short backlog, a writable replica.
    const short = { code: 'BACKLOG_SHORT' as const, message: `${M}'s backlog holds 20 s`, nodes: [M] };
    const accepts = { code: 'WRITABLE_REPLICA' as const, message: `${R1} accepts writes`, nodes: [R1] };
    const riskOnly = toProblems(snapshot([master, replica(R1, M), replica(R2, M)], edges, [risk, short, accepts]));
    expect(riskOnly.split('\n')[0]).toMatch(/3 nodes: 3 healthy; 3 warnings$/);
  });

  it("a warning that names peers after the node it is about (a replica's master, a refusing master's linked replicas) leaves the peers healthy", () => {
    for (const code of ['SYNC_FAILING', 'BACKLOG_EXCEEDED', 'MASTER_RESTARTED_EMPTY', 'MASTER_REFUSES'] as const) {
      const text = toProblems(snapshot([master, replica(R1, M), replica(R2, M)], edges, [{ code, message: `${R1} and ${M}`, nodes: [R1, M] }]));
      expect(text.split('\n')[0]).toMatch(new RegExp(`3 nodes: 2 healthy, 1 not \\(${R1} ${code}\\); 1 warning$`));
    }
  });
});

describe('a full sync and an unknown lag, in words', () => {
  const sync = (over: Partial<SyncProgress>): SyncProgress => ({ totalBytes: null, readBytes: null, percent: null, lastIoSecondsAgo: 0, ...over });

  it('says how far a sync is, whether its size is known or not, and when it loads', () => {
    expect(syncLabel(sync({ totalBytes: 1000, readBytes: 420, percent: 42 }))).toBe('42%');
    expect(syncLabel(sync({ readBytes: 12 * 1024 * 1024 }))).toBe('12.0 MiB received');
    expect(syncLabel(sync({ totalBytes: 1000, readBytes: 1000, percent: 100 }))).toBe('loading');
    expect(syncLabel(sync({}))).toBe('waiting for the snapshot');
    const table = toTable(snapshot([nodeState(M), nodeState(R1, { role: 'replica', master: M, linkStatus: 'down', sync: sync({ readBytes: 2048 }) })], [{ master: M, replica: R1, health: 'syncing' }]));
    expect(table).toContain('2.0 KiB received');
    expect(table).not.toContain('…');
  });

  it('a lag in seconds that is only a lower bound says "at least" in the watch table and in JSON', () => {
    const bounded = nodeState(R1, { role: 'replica', master: M, linkStatus: 'down', lag: inSyncLag({ bytesBehindMaster: 143, secondsBehind: 0.01, secondsBehindIsLowerBound: true }) });
    const snap = snapshot([nodeState(M), bounded], [{ master: M, replica: R1, health: 'down' }]);
    expect(toTable(snap).split('\n').find((l) => l.includes(R1))).toMatch(/143 B\s+at least 10 ms/);
    expect(toJson(snap)).toMatchObject({ nodes: [{}, { address: R1, lagSeconds: 0.01, lagSecondsIsLowerBound: true }] });
  });

  it('a replica cut off above says its lag is unknown, not 0 B', () => {
    const cut = nodeState(R1, { role: 'replica', master: M, linkStatus: 'down', lag: inSyncLag({ behindBecauseOf: M }) });
    expect(lagLabel(cut)).toBe(`lag unknown (${M} is not read)`);
    expect(lagLabel({ ...cut, linkStatus: 'up', lag: inSyncLag() })).toBe('lag 0 B (0 s)');
    // Older than all of the master's history held (the console started 10 ms ago): only a bound.
    expect(lagLabel({ ...cut, linkStatus: 'down', lag: inSyncLag({ bytesBehindMaster: 143, secondsBehind: 0.01, secondsBehindIsLowerBound: true }) })).toBe('lag 143 B (at least 10 ms)');
    // Two hops below a dead root: in step with its master, which receives nothing itself.
    const below = replica(R2, R1, { depth: 2, lag: inSyncLag({ behindBecauseOf: M, bytesBehindRoot: null }) });
    expect(lagLabel(below)).toBe(`lag 0 B (0 s) to ${R1}; nothing reaches it past ${M} (not read): behind the root by an unknown amount`);
    expect(lagLabel({ ...below, lag: inSyncLag({ behindBecauseOf: R1, bytesBehindRoot: 2048 }) })).toMatch(/; nothing reaches it past .* \(not read\): 2\.0 KiB behind the root$/);
    const table = toTable(snapshot([nodeState(M, { reachable: false }), cut, below], [{ master: R1, replica: R2, health: 'lagging' }]));
    const row = table.split('\n').find((l) => l.trim().startsWith(R2)) ?? '';
    expect(row).toMatch(/0 B\^ .*nothing reaches it past 127\.0\.0\.1:7000 \(not read\): behind the root by an unknown amount$/);
    expect(table).toContain('^ to its own master, which receives nothing itself (NOTE says from where)');
    // --problems: where its lag comes from, not "lagging" beside 0 B.
    expect(toProblems(snapshot([nodeState(M, { reachable: false }), cut, below], [{ master: R1, replica: R2, health: 'lagging' }])).split('\n')[0]).toContain(
      `${R2} stalled above (${M} not read)`,
    );
  });
  it('a node of a replication cycle has no lag figure, and says why, in the tree, the watch table, Mermaid and JSON', () => {
    const cycleLag = inSyncLag({ inCycle: true, bytesBehindMaster: null, bytesBehindRoot: null, secondsBehind: null, secondsBehindRoot: null });
    const a = nodeState(R1, { role: 'replica', master: R2, linkStatus: 'down', depth: null, offset: 4553, lag: cycleLag });
    const b = nodeState(R2, { role: 'replica', master: R1, linkStatus: 'down', depth: null, offset: 2913, lag: cycleLag });
    const snap = snapshot([a, b], [{ master: R2, replica: R1, health: 'down' }, { master: R1, replica: R2, health: 'down' }]);
    expect(lagLabel(a)).toBe('lag — (in a cycle: see CYCLE)');
    expect(toTree(snap)).not.toContain('0 B');
    const row = toTable(snap).split('\n').find((l) => l.startsWith(R1)) ?? '';
    expect(row).toMatch(/4,553\s+in a cycle\s+—\s+No lag in a replication cycle: no node of it is a source/);
    expect(toMermaid(snap)).toContain('lag — (in a cycle: see CYCLE)');
    // The warning it points at is in the file, as a comment on one line (a line break would end it and inject syntax).
    const warned = toMermaid({ ...snap, warnings: [{ code: 'CYCLE', message: `${R1} and ${R2} replicate from each other\nA[evil] --> B`, nodes: [R1, R2] }] });
    expect(warned.split('\n').at(-1)).toBe(`  %% CYCLE: ${R1} and ${R2} replicate from each other · A[evil] --> B`);
    expect(toJson(snap)).toMatchObject({ nodes: [{ address: R1, lagBytes: null, lagBytesFromRoot: null, lagSeconds: null, lagInCycle: true }, { lagInCycle: true }] });
    // Any other replica: lagInCycle false in JSON.
    expect(toJson(snapshot([nodeState(M), replica(R1, M)], []))).toMatchObject({ nodes: [{ lagInCycle: false }, { lagBytes: 0, lagInCycle: false }] });
  });
});
