import { describe, expect, it } from 'vitest';
import { THEME_STORAGE_KEY, ThemeState } from '../../../renderer/src/state/theme.svelte';
import { CHART_WINDOWS, ChartView } from '../../../renderer/src/state/chart-view.svelte';
import { MemoryStorage } from './fixtures';

class FakeMedia {
  matches: boolean;
  listeners = new Set<(e: { matches: boolean }) => void>();
  constructor(matches: boolean) {
    this.matches = matches;
  }
  addEventListener(_type: 'change', listener: (e: { matches: boolean }) => void): void {
    this.listeners.add(listener);
  }
  removeEventListener(_type: 'change', listener: (e: { matches: boolean }) => void): void {
    this.listeners.delete(listener);
  }
  fire(matches: boolean): void {
    this.matches = matches;
    for (const l of this.listeners) l({ matches });
  }
}

describe('ThemeState', () => {
  it('follows prefers-color-scheme by default', () => {
    const media = new FakeMedia(true);
    const theme = new ThemeState(new MemoryStorage(), media);
    expect(theme.resolved).toBe('dark');
    const stop = theme.listen();
    media.fire(false);
    expect(theme.resolved).toBe('light');
    stop();
    expect(media.listeners.size).toBe(0);
  });

  it('keeps an explicit choice and cycles system → light → dark', () => {
    const storage = new MemoryStorage();
    const theme = new ThemeState(storage, new FakeMedia(false));
    theme.cycle();
    expect(theme.preference).toBe('light');
    theme.cycle();
    expect(theme.resolved).toBe('dark');
    expect(storage.getItem(THEME_STORAGE_KEY)).toBe('dark');
    expect(new ThemeState(storage, null).resolved).toBe('dark');
    theme.cycle();
    expect(theme.preference).toBe('system');
  });
});

describe('ChartView', () => {
  it('follows now with the chosen window', () => {
    const view = new ChartView();
    expect(view.range(1_000_000)).toEqual({ min: 1_000_000 - CHART_WINDOWS[0].ms, max: 1_000_000 });
    view.setWindow(CHART_WINDOWS[2].ms);
    expect(view.range(5_000_000).min).toBe(5_000_000 - 3_600_000);
  });

  it('freezes on pause and on zoom, and resumes live', () => {
    const view = new ChartView();
    view.togglePause(1_000_000);
    expect(view.paused).toBe(true);
    expect(view.range(2_000_000).max).toBe(1_000_000);
    view.togglePause(2_000_000);
    expect(view.frozen).toBe(false);
    expect(view.zoomTo(10_000, 10_500)).toBe(false);
    expect(view.zoomTo(20_000, 10_000)).toBe(true);
    expect(view.frozen).toBe(true);
    expect(view.range(99_999_999)).toEqual({ min: 10_000, max: 20_000 });
    view.setWindow(CHART_WINDOWS[1].ms);
    expect(view.zoom).toBeNull();
    view.zoomTo(0, 5000);
    view.resetZoom();
    expect(view.frozen).toBe(false);
  });
});
