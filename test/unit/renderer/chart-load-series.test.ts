import { describe, expect, it } from 'vitest';
import { LOAD_CHART_STORAGE_KEY, LOAD_METRICS, readLoadChoice, saveLoadChoice } from '../../../renderer/src/lib/load-series';

function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

describe('the optional load chart', () => {
  it('is off by default and remembers the figure chosen, forgetting it when set back to none', () => {
    const storage = memoryStorage();
    expect(readLoadChoice(storage)).toBeNull();
    saveLoadChoice(storage, 'usedMemoryBytes');
    expect(storage.items.get(LOAD_CHART_STORAGE_KEY)).toBe('usedMemoryBytes');
    expect(readLoadChoice(storage)).toBe('usedMemoryBytes');
    saveLoadChoice(storage, null);
    expect(storage.items.has(LOAD_CHART_STORAGE_KEY)).toBe(false);
    expect(readLoadChoice(storage)).toBeNull();
  });

  it('ignores a stored value it does not know, and storage that throws', () => {
    expect(readLoadChoice(memoryStorage({ [LOAD_CHART_STORAGE_KEY]: 'offset' }))).toBeNull();
    expect(readLoadChoice(memoryStorage({ [LOAD_CHART_STORAGE_KEY]: '__proto__' }))).toBeNull();
    const throwing = {
      getItem: (): string | null => {
        throw new Error('denied');
      },
      setItem: (): void => {
        throw new Error('denied');
      },
      removeItem: (): void => {
        throw new Error('denied');
      },
    };
    expect(readLoadChoice(throwing)).toBeNull();
    expect(() => saveLoadChoice(throwing, 'opsPerSecond')).not.toThrow();
    expect(readLoadChoice(null)).toBeNull();
  });

  it('formats each figure', () => {
    const format = new Map(LOAD_METRICS.map((m) => [m.metric, m.format]));
    expect(format.get('opsPerSecond')?.(1500)).toBe('1,500');
    expect(format.get('netInputBytesPerSecond')?.(2048)).toBe('2.0 KiB/s');
    expect(format.get('usedMemoryBytes')?.(1048576)).toBe('1.0 MiB');
  });
});
