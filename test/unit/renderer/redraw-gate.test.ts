import { describe, expect, it } from 'vitest';
import { RedrawGate, pictureKey, type ChartPicture } from '../../../renderer/src/lib/redraw-gate';

const HOUR = 3_600_000;

/** The 1 h window ending at `end`, 450 px wide (8 s a pixel), with one line per given series. */
function picture(end: number, lines: { x: number; y: number | null }[][], extra: Partial<ChartPicture> = {}): ChartPicture {
  const values = lines.flat().map((p) => p.y).filter((y): y is number => y !== null);
  return {
    xMin: end - HOUR,
    xMax: end,
    widthPx: 450,
    heightPx: 200,
    axis: { min: 0, max: 1000 },
    low: values.length ? Math.min(...values) : null,
    peak: values.length ? Math.max(...values) : null,
    lines,
    ...extra,
  };
}

const line = (end: number, y: (k: number) => number | null): { x: number; y: number | null }[] =>
  Array.from({ length: 10 }, (_, k) => ({ x: end - (9 - k) * 8192, y: y(k) }));

describe('RedrawGate', () => {
  it('skips a tick that moves the hour window by less than a pixel, and draws once it adds up to one', () => {
    const gate = new RedrawGate();
    const end = 1_700_000_000_000;
    const first = picture(end, [line(end, () => 500)]);
    expect(gate.changed(first)).toBe(true);
    gate.drawn(first);
    // One second later: 1/8 of a pixel, same values.
    expect(gate.changed(picture(end + 1000, [line(end, () => 500)]))).toBe(false);
    // Eight seconds later the axis has moved a pixel.
    expect(gate.changed(picture(end + 8192, [line(end, () => 500)]))).toBe(true);
  });

  it('skips a plot a fraction of a pixel wider or taller (Chart.js pads for the sliding time labels), and draws for a whole one', () => {
    const gate = new RedrawGate();
    const end = 1_700_000_000_000;
    gate.drawn(picture(end, [line(end, () => 500)], { widthPx: 450.31 }));
    expect(gate.changed(picture(end + 1000, [line(end, () => 500)], { widthPx: 450.39 }))).toBe(false);
    expect(gate.changed(picture(end + 1000, [line(end, () => 500)], { widthPx: 450.39, heightPx: 200.2 }))).toBe(false);
    expect(gate.changed(picture(end + 1000, [line(end, () => 500)], { widthPx: 451.4 }))).toBe(true);
  });

  it('draws when a newest value moves a pixel or more, not for less', () => {
    const gate = new RedrawGate();
    const end = 1_700_000_000_000;
    const drawn = picture(end, [line(end, () => 500)]);
    gate.drawn(drawn);
    // 1000 units over 200 px: 5 units a pixel.
    expect(gate.changed(picture(end, [line(end, (k) => (k === 9 ? 501 : 500))]))).toBe(false);
    expect(gate.changed(picture(end, [line(end, (k) => (k === 9 ? 520 : 500))]))).toBe(true);
    // A lag spike, or a gap, at the newest point.
    expect(gate.changed(picture(end, [line(end, (k) => (k === 9 ? null : 500))]))).toBe(true);
  });

  it('draws when a line gains or loses a pixel at its newest end, or a line comes or goes; not for a point on its newest pixel', () => {
    const gate = new RedrawGate();
    const end = 1_700_000_000_000;
    gate.drawn(picture(end, [line(end, () => 500)]));
    // A tick's point a second after the newest, at its value: the same pixel, nothing new drawn
    // (the 1 h window's buckets take several ticks, and each used to redraw every chart).
    expect(gate.changed(picture(end, [[...line(end, () => 500), { x: end + 1000, y: 500 }]]))).toBe(false);
    expect(gate.changed(picture(end, [[...line(end, () => 500), { x: end + 1000, y: 560 }]]))).toBe(true);
    expect(gate.changed(picture(end, [[...line(end, () => 500), { x: end + 1000, y: null }]]))).toBe(true);
    expect(gate.changed(picture(end, [line(end, () => 500).slice(0, -1)]))).toBe(true);
    expect(gate.changed(picture(end, [line(end, () => 500), line(end, () => 100)]))).toBe(true);
    expect(gate.changed(picture(end, []))).toBe(true);
  });

  it('always draws before the axis is known, and when the data leaves the axis', () => {
    const end = 1_700_000_000_000;
    expect(pictureKey(picture(end, [line(end, () => 5)], { axis: null }))).toBeNull();
    expect(pictureKey(picture(end, [line(end, () => 1001)]))).toBeNull();
    const gate = new RedrawGate();
    const withPeak = picture(end, [line(end, () => 500)], { peak: 2000 });
    gate.drawn(withPeak);
    expect(gate.changed(withPeak)).toBe(true);
  });
});
