// A chart is redrawn on a tick only when the picture would change by at least a pixel. On the
// 1 h window a pixel is about 8 s: a tick moves the axis an eighth of a pixel, and steady
// offsets or a lag of zero change nothing visible, so most ticks would redraw the same image
// (each redraw of a 100-node chart costs Chart.js several milliseconds of a frame). What is
// compared: the x range and every drawn line's newest points, in whole pixels (a point that
// lands on its predecessor's pixel draws nothing new), and the data's extent against the y axis
// as last drawn. A tick changes a line only at its newest end: closed buckets never change, and
// what drops off the front lies left of the window (the line enters past the edge). Anything
// else (a rebuild, a history load, a resize, a new window, styles or selection) draws
// unconditionally.
import type { XY } from './bucketed-series';

/** What a chart would draw, as much as decides its pixels. */
export interface ChartPicture {
  /** The x range (ms) and the plot's size in pixels. */
  xMin: number;
  xMax: number;
  widthPx: number;
  heightPx: number;
  /** The y axis as Chart.js last drew it (null before the first draw). */
  axis: { min: number; max: number } | null;
  /** Lowest and highest value in range over all series (null: none). */
  low: number | null;
  peak: number | null;
  /** The drawn datasets' points, in drawing order. */
  lines: readonly (readonly XY[])[];
}

/** The newest pixels of a line that a tick can change (a bucket draws at most four points). */
const NEWEST = 4;
/** Points read back from a line's end to find them (a pixel holds a bucket's few points at most). */
const NEWEST_SCAN = 64;

/** A string that differs when the picture differs by a pixel or more; null when it must be drawn anyway. */
export function pictureKey(p: ChartPicture): string | null {
  // In whole pixels: Chart.js moves the plot's edges by fractions of a pixel as the axis slides
  // (its outermost time labels set the padding), and a width a tenth of a pixel off changes the
  // scale enough to move every column of a time ~1.7e12 ms from zero.
  const widthPx = Math.max(1, Math.round(p.widthPx));
  const heightPx = Math.max(1, Math.round(p.heightPx));
  const msPerPx = (p.xMax - p.xMin) / widthPx;
  const axis = p.axis;
  // Before the first draw, or data outside the axis (it would grow).
  if (axis === null || !(msPerPx > 0) || (p.low !== null && p.low < axis.min) || (p.peak !== null && p.peak > axis.max)) return null;
  const unitsPerPx = (axis.max - axis.min) / heightPx || 1;
  const col = (x: number): number => Math.round(x / msPerPx);
  const row = (y: number | null): string => (y === null ? 'gap' : String(Math.round((y - axis.min) / unitsPerPx)));
  const parts = [col(p.xMin), col(p.xMax), widthPx, heightPx, row(p.low), row(p.peak)].map(String);
  for (const line of p.lines) {
    parts.push('|');
    let previous = '';
    let found = 0;
    for (let i = line.length - 1; i >= Math.max(0, line.length - NEWEST_SCAN) && found < NEWEST; i--) {
      const point = line[i] as XY;
      const pixel = `${col(point.x)}:${row(point.y)}`;
      if (pixel === previous) continue;
      parts.push(pixel);
      previous = pixel;
      found++;
    }
  }
  return parts.join(',');
}

/** Remembers the last picture drawn and says whether a new one differs from it. */
export class RedrawGate {
  #drawn: string | null = null;

  /** True when `picture` differs from the last one drawn by a pixel or more. */
  changed(picture: ChartPicture): boolean {
    const key = pictureKey(picture);
    return key === null || key !== this.#drawn;
  }

  /** Call after drawing, with the picture as drawn (the axis now known). */
  drawn(picture: ChartPicture): void {
    this.#drawn = pictureKey(picture);
  }
}
