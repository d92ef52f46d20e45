import { describe, expect, it } from 'vitest';
import { shareEqual } from '../../../renderer/src/lib/structural-sharing';

/** A value as a tick brings it: parsed fresh from JSON, sharing nothing with what is shown. */
const fresh = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('shareEqual', () => {
  const shown = {
    address: 'a:1',
    offset: 10,
    settings: { save: '', replBacklogSize: 1024, aofEnabled: null },
    replicas: [{ address: 'b:1', ackOffset: 10 }, { address: 'c:1', ackOffset: 9 }],
    lag: null,
  };

  it('gives back what is shown when the whole is equal', () => {
    expect(shareEqual(shown, fresh(shown))).toBe(shown);
  });

  it('keeps the new value where it changed and the shown parts where they did not', () => {
    const next = fresh({ ...shown, offset: 11, replicas: [{ address: 'b:1', ackOffset: 11 }, { address: 'c:1', ackOffset: 9 }] });
    const shared = shareEqual(shown, next);
    expect(shared).toBe(next);
    expect(shared).toEqual({ ...shown, offset: 11, replicas: [{ address: 'b:1', ackOffset: 11 }, { address: 'c:1', ackOffset: 9 }] });
    expect(shared.settings).toBe(shown.settings);
    expect(shared.replicas).not.toBe(shown.replicas);
    expect(shared.replicas[0]).not.toBe(shown.replicas[0]);
    expect(shared.replicas[1]).toBe(shown.replicas[1]);
  });

  it('sees a key added, a key removed, a list grown or cut, and a changed type', () => {
    const cases: unknown[] = [
      { ...shown, extra: 1 },
      (({ lag: _lag, ...rest }) => rest)(shown),
      { ...shown, replicas: [...shown.replicas, { address: 'd:1', ackOffset: 1 }] },
      { ...shown, replicas: shown.replicas.slice(0, 1) },
      { ...shown, lag: { bytes: 0 } },
      { ...shown, settings: [] },
      { ...shown, offset: '10' },
    ];
    for (const changed of cases) {
      const next = fresh(changed);
      const shared = shareEqual<unknown>(shown, next);
      expect(shared).toBe(next);
      expect(shared).toEqual(changed);
    }
  });

  it('takes primitives and nulls as they come', () => {
    expect(shareEqual<unknown>(null, 1)).toBe(1);
    expect(shareEqual<unknown>({ a: 1 }, null)).toBeNull();
    expect(shareEqual('x', 'x')).toBe('x');
    expect(shareEqual<unknown>([1], { 0: 1 })).toEqual({ 0: 1 });
  });
});
