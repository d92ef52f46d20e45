// Where the audit log lives on each platform, and that a line never carries a password.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, auditEntry, dataDir, topologyAddresses, touchesTopology } from '../../electron/engine/actions/audit';
import type { PlannedAction } from '../../electron/engine/actions/plan-builder';
import type { ActionOutcome } from '../../electron/shared/actions';
import type { TopologySnapshot } from '../../electron/shared/types';
import { nodeState } from '../helpers/node-state';

describe('dataDir', () => {
  it('resolves like Electron userData for an app named replication-console, unless overridden', () => {
    expect(dataDir({ REPLICATION_CONSOLE_DATA_DIR: '/srv/rc' }, 'linux', '/home/ann')).toBe('/srv/rc');
    expect(dataDir({}, 'linux', '/home/ann')).toBe('/home/ann/.config/replication-console');
    expect(dataDir({ XDG_CONFIG_HOME: '/xdg' }, 'linux', '/home/ann')).toBe('/xdg/replication-console');
    expect(dataDir({}, 'darwin', '/Users/ann')).toBe('/Users/ann/Library/Application Support/replication-console');
    expect(dataDir({ APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ann')).toBe('C:\\Users\\ann\\AppData\\Roaming\\replication-console');
  });
});

describe('audit entries', () => {
  const secret = 'hunter2-secret';
  const planned: PlannedAction = {
    plan: {
      id: 'p1',
      request: { kind: 'replicaof', node: 'a:1', master: 'b:2', options: { setMasterauth: true } },
      createdAt: 0,
      expiresAt: 1,
      summary: 'Make a:1 a replica of b:2',
      steps: [
        { id: 's1', node: 'a:1', command: 'CONFIG SET masterauth ***', purpose: 'p', destructive: false, verify: 'v' },
        { id: 's2', node: 'a:1', command: 'REPLICAOF b 2', purpose: 'p', destructive: false, verify: 'v' },
      ],
      checks: [{ code: 'MASTERAUTH_MISSING', verdict: 'ok', message: 'will be set', overridable: false, nodes: ['a:1'] }],
      predictions: [],
      lostBytes: [],
      canRun: true,
      needsOverride: [],
      confirmAddress: null,
      nodes: ['a:1', 'b:2'],
    },
    ops: [],
    expected: [],
    before: [],
    sentinel: null,
  };
  const outcome: Omit<ActionOutcome, 'auditFile'> = {
    planId: 'p1',
    ok: false,
    status: 'failed',
    startedAt: 1000,
    finishedAt: 1500,
    steps: [
      { ...planned.plan.steps[0]!, status: 'ok', startedAt: 1000, finishedAt: 1100, message: 'masterauth set' },
      { ...planned.plan.steps[1]!, status: 'failed', startedAt: 1100, finishedAt: 1500, message: `b:2: WRONGPASS for ${secret}` },
    ],
    nodes: [{ address: 'a:1', reachable: true, role: 'replica', master: 'b:2', linkStatus: 'down', offset: 1, error: `AUTH ${secret}` }],
    nextSteps: [`check ${secret}`],
  };

  it('records who, what, commands, timings and outcome, with every password redacted', () => {
    const entry = auditEntry(planned, outcome, { user: 'ann', host: 'box', interface: 'desktop' }, [], [secret]);
    expect(entry).toMatchObject({
      v: 1,
      planId: 'p1',
      durationMs: 500,
      who: { user: 'ann', host: 'box', interface: 'desktop' },
      outcome: 'failed',
      steps: [
        { command: 'CONFIG SET masterauth ***', status: 'ok', durationMs: 100, startedAt: new Date(1000).toISOString() },
        { command: 'REPLICAOF b 2', status: 'failed', durationMs: 400 },
      ],
    });
    expect(JSON.stringify(entry)).not.toContain(secret);
    expect(entry.steps[1]?.message).toBe('b:2: WRONGPASS for ***');
  });

  it('keeps why a sentinel-failover stopped (Sentinel failed over on its own), so the audit lists it as stopped, not failed', () => {
    const own = { masterName: 'orders', master: 'b:2', prefer: 'b:2', toPreferred: true, oldMaster: 'a:1', stepId: 's2' };
    expect(auditEntry(planned, { ...outcome, sentinelOnItsOwn: own }, { user: 'ann', host: 'box', interface: 'cli' }, [], [secret]).sentinelOnItsOwn).toEqual(own);
    expect(auditEntry(planned, outcome, { user: 'ann', host: 'box', interface: 'cli' }, [], [secret])).not.toHaveProperty('sentinelOnItsOwn');
  });

  it('appends JSON lines and reads the last ones back; a torn line is reported and the next entry starts on a line of its own', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rc-audit-unit-'));
    try {
      const log = new AuditLog(path.join(dir, 'nested'));
      const entry = auditEntry(planned, outcome, { user: 'ann', host: 'box', interface: 'cli' }, [], [secret]);
      await log.append(entry);
      await log.append({ ...entry, planId: 'p2' });
      // A crash mid-append: the line is cut and has no newline.
      await writeFile(log.file, '{"torn":', { flag: 'a' });
      await log.append({ ...entry, planId: 'p3' });
      const read = await log.read();
      expect(read.entries.map((e) => e.planId)).toEqual(['p1', 'p2', 'p3']);
      expect(read.unreadable).toEqual([{ line: 3, excerpt: '{"torn":' }]);
      expect((await log.read(1)).entries.map((e) => e.planId)).toEqual(['p3']);
      expect((await readFile(log.file, 'utf8')).split('\n')).toHaveLength(5);
      expect(await new AuditLog(path.join(dir, 'none')).read()).toEqual({ entries: [], unreadable: [] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('tells the entries of one topology (addresses and aliases) from the others', () => {
    const entry = auditEntry(planned, outcome, { user: 'ann', host: 'box', interface: 'cli' }, [], [secret]);
    const snapshot = { nodes: [nodeState('x:9', { aliases: ['a:1'] })] } as TopologySnapshot;
    expect(touchesTopology(entry, topologyAddresses(snapshot))).toBe(true);
    expect(touchesTopology(entry, new Set(['c:3']))).toBe(false);
    expect(touchesTopology({ ...entry, nodes: [], finalNodes: [{ ...outcome.nodes[0]!, address: 'c:3' }] }, new Set(['c:3']))).toBe(true);
  });
});
