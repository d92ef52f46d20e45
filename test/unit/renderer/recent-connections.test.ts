import { describe, expect, it } from 'vitest';
import { RECENT_STORAGE_KEY, RecentConnections } from '../../../renderer/src/state/recent-connections.svelte';
import { ConnectionForm } from '../../../renderer/src/state/connection-form.svelte';
import { MemoryStorage } from './fixtures';

describe('RecentConnections', () => {
  it('remembers seeds and user, most recent first, without duplicates', () => {
    const storage = new MemoryStorage();
    const recent = new RecentConnections(storage, 3);
    recent.remember(['a:1'], 'ops', 1);
    recent.remember(['b:1', 'c:1'], null, 2);
    recent.remember(['a:1'], 'ops', 3);
    expect(recent.entries.map((e) => e.seeds.join())).toEqual(['a:1', 'b:1,c:1']);
    expect(recent.entries[0]).toEqual({ seeds: ['a:1'], user: 'ops', lastUsedAt: 3 });
    recent.remember(['d:1'], null, 4);
    recent.remember(['e:1'], null, 5);
    expect(recent.entries).toHaveLength(3);
    const reloaded = new RecentConnections(storage, 3);
    expect(reloaded.entries).toEqual(recent.entries);
  });

  it('never writes a password to storage', () => {
    const storage = new MemoryStorage();
    const recent = new RecentConnections(storage);
    const form = new ConnectionForm();
    form.seedsText = 'a:1';
    form.user = 'ops';
    form.password = 'hunter2-secret';
    const options = form.toOptions();
    // Even handed the full options object, only seeds and user are kept.
    recent.remember(options.seeds, options.user ?? null, 1);
    (recent as unknown as { remember: (...args: unknown[]) => void }).remember(['b:1'], 'x', 2, { password: 'hunter2-secret' });
    for (const written of storage.writes) expect(written).not.toContain('hunter2');
    expect(storage.getItem(RECENT_STORAGE_KEY)).not.toContain('password');
  });

  it('ignores corrupt storage and survives a throwing one', () => {
    const storage = new MemoryStorage();
    storage.setItem(RECENT_STORAGE_KEY, '{not json');
    expect(new RecentConnections(storage).entries).toEqual([]);
    storage.setItem(RECENT_STORAGE_KEY, JSON.stringify([{ seeds: [] }, { seeds: ['x:1'], user: 5 }, { seeds: ['ok:1'], user: null, lastUsedAt: 9 }]));
    expect(new RecentConnections(storage).entries).toEqual([{ seeds: ['ok:1'], user: null, lastUsedAt: 9 }]);
    const broken = {
      getItem(): string | null {
        throw new Error('denied');
      },
      setItem(): void {
        throw new Error('full');
      },
      removeItem(): void {
        throw new Error('denied');
      },
    };
    const recent = new RecentConnections(broken);
    recent.remember(['a:1'], null);
    expect(recent.entries).toHaveLength(1);
    recent.clear();
    expect(recent.entries).toEqual([]);
    expect(new RecentConnections(null).entries).toEqual([]);
  });

  it('forgets one entry and clears all', () => {
    const storage = new MemoryStorage();
    const recent = new RecentConnections(storage);
    recent.remember(['a:1'], null, 1);
    recent.remember(['b:1'], null, 2);
    const [first] = recent.entries;
    if (first) recent.forget(first);
    expect(recent.entries.map((e) => e.seeds[0])).toEqual(['a:1']);
    recent.clear();
    expect(storage.getItem(RECENT_STORAGE_KEY)).toBeNull();
  });
});

describe('ConnectionForm', () => {
  it('parses seeds and builds connect options without empty credentials', () => {
    const form = new ConnectionForm();
    expect(form.canSubmit).toBe(false);
    expect(form.seedsProblem).toMatch(/at least one/);
    form.seedsText = '127.0.0.1:7000, 127.0.0.1:7001';
    expect(form.canSubmit).toBe(true);
    expect(form.toOptions()).toEqual({ seeds: ['127.0.0.1:7000', '127.0.0.1:7001'] });
    form.user = '  ops ';
    form.password = 'pw';
    expect(form.toOptions()).toEqual({ seeds: ['127.0.0.1:7000', '127.0.0.1:7001'], user: 'ops', password: 'pw' });
  });

  it('reports the first bad seed', () => {
    const form = new ConnectionForm();
    form.seedsText = 'ok:1 nope:99999';
    expect(form.canSubmit).toBe(false);
    expect(form.seedsProblem).toContain('nope:99999');
  });

  it('fills from a recent entry and clears the password', () => {
    const form = new ConnectionForm();
    form.password = 'old';
    form.fill(['a:1', 'b:2'], 'ops');
    expect(form.seedsText).toBe('a:1, b:2');
    expect(form.user).toBe('ops');
    expect(form.password).toBe('');
    form.password = 'x';
    form.clearPassword();
    expect(form.password).toBe('');
  });
});
