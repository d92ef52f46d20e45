// Where the audit log lives on each platform, and that a line never carries a password.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, auditEntry, dataDir } from '../../electron/engine/actions/audit';
import type { PlannedAction } from '../../electron/engine/actions/plan-builder';
import type { ActionOutcome } from '../../electron/shared/actions';

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

  it('appends JSON lines and reads the last ones back, skipping a torn line', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rc-audit-unit-'));
    try {
      const log = new AuditLog(path.join(dir, 'nested'));
      const entry = auditEntry(planned, outcome, { user: 'ann', host: 'box', interface: 'cli' }, [], [secret]);
      await log.append(entry);
      await log.append({ ...entry, planId: 'p2' });
      await writeFile(log.file, '{"torn":', { flag: 'a' });
      expect((await log.read()).map((e) => e.planId)).toEqual(['p1', 'p2']);
      expect((await log.read(1)).map((e) => e.planId)).toEqual(['p2']);
      expect(await new AuditLog(path.join(dir, 'none')).read()).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
