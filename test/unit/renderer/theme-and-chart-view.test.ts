import { describe, expect, it } from 'vitest';
import { THEME_STORAGE_KEY, ThemeState } from '../../../renderer/src/state/theme.svelte';
import { AXIS_STALE_AFTER_MS, CHART_WINDOWS, ChartView, MIN_SPAN_MS, liveAxisEnd } from '../../../renderer/src/state/chart-view.svelte';
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

  it('starts about where a history shorter than the window starts, its span growing a 32nd of the window at a time', () => {
    const view = new ChartView();
    view.setWindow(CHART_WINDOWS[2].ms);
    const hour = 3_600_000;
    const end = 1_700_000_000_000;
    // The history is cut at 1 h: its oldest point is always a second or so inside the window.
    // The whole window, tick after tick (a span a hair shorter redrew every chart on every tick).
    for (let k = 0; k < 5; k += 1) expect(view.range(end + k * 1000, end + k * 1000 - hour + 800 - k * 100)).toEqual({ min: end + k * 1000 - hour, max: end + k * 1000 });
    // Ten minutes of history: from the 32nd of the window at or before its start, sliding with the ticks.
    const step = hour / 32;
    const earliest = end - 600_000;
    const young = view.range(end, earliest);
    expect(young.max - young.min).toBe(6 * step);
    expect(young.min).toBeLessThanOrEqual(earliest);
    expect(earliest - young.min).toBeLessThan(step);
    expect(view.range(end + 1000, earliest)).toEqual({ min: young.min + 1000, max: end + 1000 });
    // None at all, or older than the window: the window. A few seconds: a step (1 h), a minute at least (5 min).
    expect(view.range(end, Number.POSITIVE_INFINITY)).toEqual({ min: end - hour, max: end });
    expect(view.range(end, end - 2 * hour)).toEqual({ min: end - hour, max: end });
    expect(view.range(end, end - 5000)).toEqual({ min: end - step, max: end });
    view.setWindow(CHART_WINDOWS[0].ms);
    expect(view.range(end, end - 5000)).toEqual({ min: end - MIN_SPAN_MS, max: end });
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

  it('ends a live axis on the engine\'s time line: at the newest point while ticks come, moving on by the time since the last once they stop, whatever the page\'s clock says', () => {
    const latest = 1_000_000;
    const hour = 60 * 60_000;
    // The page's clock an hour ahead (another machine, or the engine's set back and not the page's).
    expect(liveAxisEnd(latest, 800, latest + hour)).toBe(latest);
    expect(liveAxisEnd(latest, AXIS_STALE_AFTER_MS + 5000, latest + hour)).toBe(latest + 5000);
    // And an hour behind.
    expect(liveAxisEnd(latest, 800, latest - hour)).toBe(latest);
    // No point yet: the page's clock is all there is.
    expect(liveAxisEnd(null, null, 42)).toBe(42);
  });
});
