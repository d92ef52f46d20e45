import { describe, expect, it } from 'vitest';
import { AuditState } from '../../../renderer/src/state/audit-state.svelte';
import { makeAuditEntry } from './action-fixtures';

describe('AuditState', () => {
  it('shows the newest entry first, with who, via and the failed steps', () => {
    const audit = new AuditState();
    audit.beginLoad();
    expect(audit.loading).toBe(true);
    const failed = makeAuditEntry('b', '2026-01-01T10:05:00.000Z', {
      outcome: 'failed',
      who: { user: 'alice', host: 'laptop', interface: 'desktop' },
      steps: [
        { id: 's1', node: 'a:1', command: 'REPLICAOF NO ONE', status: 'ok', startedAt: null, durationMs: 5, message: 'master' },
        { id: 's2', node: 'b:1', command: 'REPLICAOF a 1', status: 'failed', startedAt: null, durationMs: 30_000, message: 'link not up' },
        { id: 's3', node: 'c:1', command: 'REPLICAOF a 1', status: 'skipped', startedAt: null, durationMs: null, message: 'skipped' },
      ],
    });
    audit.loadedEntries({ entries: [makeAuditEntry('a', '2026-01-01T10:00:00.000Z'), failed], scope: 'topology', otherTopologies: 3, unreadable: [{ line: 2, excerpt: '{"v":1,"pl' }] });
    expect(audit.loading).toBe(false);
    expect(audit.loaded).toBe(true);
    expect(audit.rows.map((r) => r.planId)).toEqual(['b', 'a']);
    expect(audit.rows[0]).toMatchObject({ who: 'alice@laptop', via: 'desktop', outcome: 'failed', at: Date.parse('2026-01-01T10:05:00.000Z') });
    expect(audit.rows[0]?.problems.map((s) => s.message)).toEqual(['link not up']);
    expect(audit.rows[1]?.problems).toEqual([]);
    expect(audit.otherTopologies).toBe(3);
    expect(audit.unreadable).toEqual([{ line: 2, excerpt: '{"v":1,"pl' }]);
  });

  it('keeps a read error, and forgets everything on reset', () => {
    const audit = new AuditState();
    audit.loadedEntries({ entries: [makeAuditEntry('a', '2026-01-01T10:00:00.000Z')], scope: 'all', otherTopologies: 0, unreadable: [] });
    audit.beginLoad();
    audit.failed({ code: 'INTERNAL', message: 'EACCES' });
    expect(audit.loading).toBe(false);
    expect(audit.error?.message).toBe('EACCES');
    expect(audit.rows).toHaveLength(1);
    audit.reset();
    expect(audit.rows).toEqual([]);
    expect(audit.loaded).toBe(false);
    expect(audit.error).toBeNull();
  });
});
