// What the charts show on the time axis: a live window (5 min, 15 min, 1 h), paused at an
// instant, or zoomed to a range picked by dragging across a chart.

export const CHART_WINDOWS = [
  { ms: 5 * 60_000, label: '5 min' },
  { ms: 15 * 60_000, label: '15 min' },
  { ms: 60 * 60_000, label: '1 h' },
] as const;

/** Ranges shorter than this are treated as a click, not a zoom. */
export const MIN_ZOOM_MS = 2_000;

export interface TimeRange {
  min: number;
  max: number;
}

export class ChartView {
  windowMs = $state<number>(CHART_WINDOWS[0].ms);
  pausedAt = $state<number | null>(null);
  zoom = $state.raw<TimeRange | null>(null);

  readonly paused: boolean = $derived(this.pausedAt !== null);
  /** True while the x axis does not follow new data. */
  readonly frozen: boolean = $derived(this.pausedAt !== null || this.zoom !== null);

  setWindow(ms: number): void {
    this.windowMs = ms;
    this.zoom = null;
  }

  pause(now: number): void {
    this.pausedAt = now;
  }

  resume(): void {
    this.pausedAt = null;
    this.zoom = null;
  }

  togglePause(now: number): void {
    if (this.frozen) this.resume();
    else this.pause(now);
  }

  /** Zooms to [a, b] (either order); returns false for a range too short to mean anything. */
  zoomTo(a: number, b: number): boolean {
    const min = Math.min(a, b);
    const max = Math.max(a, b);
    if (max - min < MIN_ZOOM_MS) return false;
    this.zoom = { min, max };
    return true;
  }

  resetZoom(): void {
    this.zoom = null;
  }

  /** The x range to draw at `now`. */
  range(now: number): TimeRange {
    if (this.zoom) return this.zoom;
    const end = this.pausedAt ?? now;
    return { min: end - this.windowMs, max: end };
  }
}
