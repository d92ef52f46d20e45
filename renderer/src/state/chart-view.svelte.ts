// What the charts show on the time axis: a live window (5 min, 15 min, 1 h), paused at an
// instant, or zoomed to a range picked by dragging across a chart.

export const CHART_WINDOWS = [
  { ms: 5 * 60_000, label: '5 min' },
  { ms: 15 * 60_000, label: '15 min' },
  { ms: 60 * 60_000, label: '1 h' },
] as const;

/** Ranges shorter than this are treated as a click, not a zoom. */
export const MIN_ZOOM_MS = 2_000;

/** Shortest span drawn while the history is still shorter than the window. */
export const MIN_SPAN_MS = 60_000;

/** While the history is shorter than the window, the span drawn grows by this share of the window at a time. */
const SPAN_STEPS = 32;

/** After this long without a tick, a live axis moves on past the newest point, so that the data visibly ages. */
export const AXIS_STALE_AFTER_MS = 2_000;

/**
 * Where a live x axis ends: at the newest point while ticks arrive (so the 1 Hz clock does not
 * redraw the charts a second time per tick), and once they stop, as far past it as time has gone
 * by since the last tick came. On the history's time line (the engine's clock), not the page's:
 * ended at the page's clock, the axis ran past every point by as much as that clock was ahead of
 * the engine's (another machine's, or not set back with it: an hour ahead, every chart empty).
 */
export function liveAxisEnd(latest: number | null, sinceTickMs: number | null, now: number): number {
  if (latest === null) return now;
  return latest + Math.max(0, (sinceTickMs ?? 0) - AXIS_STALE_AFTER_MS);
}

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

  /** The clock was set back `by` ms: a paused or zoomed range moves with the history it shows. */
  moveBack(by: number): void {
    if (this.pausedAt !== null) this.pausedAt -= by;
    if (this.zoom) this.zoom = { min: this.zoom.min - by, max: this.zoom.max - by };
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

  /**
   * The x range to draw at `now`, for a history whose oldest point is at `earliest`. A window
   * longer than the history so far starts about where the data starts (within a 32nd of the
   * window), so that a fresh session is not squeezed into the right edge. That span grows a 32nd
   * at a time, the range sliding with `now` in between: grown with every tick, it rescaled every
   * chart by a hair and redrew it, and that was every tick of every session on the 1 h window,
   * the history being cut at 1 h (its oldest point always a second or so inside).
   */
  range(now: number, earliest = Number.NEGATIVE_INFINITY): TimeRange {
    if (this.zoom) return this.zoom;
    const end = this.pausedAt ?? now;
    const windowMs = this.windowMs;
    if (!Number.isFinite(earliest) || earliest <= end - windowMs) return { min: end - windowMs, max: end };
    const step = windowMs / SPAN_STEPS;
    const span = Math.min(windowMs, Math.max(MIN_SPAN_MS, Math.ceil((end - earliest) / step) * step));
    return { min: end - span, max: end };
  }
}
